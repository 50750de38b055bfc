//! A `contains` search on a database whose planner picks between walking the tickets
//! newest first and reading the full-text index from estimates (PostgreSQL): the store
//! picks instead, from a short walk first, and holds the planner to it.
//!
//! Each way loses somewhere. The full-text index reads every match (a common word's
//! tens of thousands of tickets, to sort them); the walk reads every ticket until
//! enough match (a rare word's whole tenant). Without statistics, or for two words
//! that occur together (estimated as if independent), the planner's estimates pick
//! the wrong one, by two orders of magnitude at a million tickets.
//!
//! So, in one read transaction with the planner held to the shape of each statement
//! ([`Dialect::HELD_PLANNING`]: no sequential scan, no sort where an index gives
//! the order; sorts allowed again for the walks of a scope's arms, which sort a few
//! rows):
//!
//! 1. **The probe** walks the tenant's newest [`PROBE`] tickets and counts those the
//!    search finds (scope, filters and words tested on each), and reads how many
//!    tickets the tenant has and whether it holds most of them (from the tenants'
//!    number counters). A search in several tenants (staff of many, the platform)
//!    has no newest-first index to walk, and runs the shared statements.
//! 2. **Three ways are priced** from the probe's shares ([`Way`]): the tenant's walk
//!    newest first, testing everything on each ticket; the walk of the scope's own
//!    indexes (its arms: a requester's tickets, an agent's groups), when an index
//!    carries the scope or a filter; the full-text index, which reads every match of
//!    the words in the tenant in the table's order, archived ones first, and puts
//!    every other tenant's match in its bitmap too. A ticket read from another index
//!    than the tenant's newest-first one counts [`WALKED_PER_MATCH`], another tenant's
//!    match [`WALKED_PER_OTHER_MATCH`].
//! 3. **The total** is exact from the probe when the tenant has fewer than [`PROBE`]
//!    tickets, and counted the cheapest way to the cap otherwise (by the arms, a
//!    requester's own tickets are read as the range of those the archive rule keeps,
//!    [`arms_count`], which is what the pricing assumes); **the page** takes
//!    the cheapest way for one page (the tenant's walk in windows,
//!    [`WINDOWS`](super::WINDOWS), only for one arm sorted by opening time).
//!
//! In a tenant that holds most tickets, the statements that read the full-text index
//! test the tenant on each match instead of reading it from an index
//! ([`TenantCondition::Tested`]): a planner without statistics would AND the matches
//! with a bitmap of the tenant's every row, which costs more than the matches.

use helpdesk_core::{SearchPage, SearchQuery, StoreResult, TenantId, Total};

use super::{
    FROM_TICKETS, NEWEST_FIRST, count_of, fetch_all, finish, has_contains, into_page, without_words,
};
use crate::backend::{Dialect, Exec, HeldPlanning, RowExt};
use crate::codec;
use crate::query::{self, Arm, TenantCondition};
use crate::sql::Sql;
use crate::store::db;

/// The tickets the probe walks, newest first.
pub(crate) const PROBE: i64 = 2_000;

/// How many tickets a walk tests for the time the full-text index takes to give one
/// match and read its ticket, roughly (at a million tickets, on a warm cache: 0.9 µs
/// a ticket walked and tested, 3 to 5 µs a match read; BENCHMARKS.md).
const WALKED_PER_MATCH: f64 = 4.0;

/// How many tickets a walk tests for the time the full-text index takes to put a match
/// of another tenant in its bitmap (which the tenant's condition then leaves out),
/// roughly: at 100 tenants of 10,000 tickets, 76,288 matches of a common word in
/// 31.4 ms against a tenant's 10,000 tickets walked in 15.6 ms (BENCHMARKS.md).
const WALKED_PER_OTHER_MATCH: f64 = 0.4;

/// How a search reads its matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Way {
    /// Walk the tenant newest first, testing scope, filters and words on each ticket.
    Tenant,
    /// Walk the search's arms ([`query::arms`]), each through the index that carries
    /// its scope or filter (a requester's own tickets, an agent's groups, a status),
    /// newest first, testing the words on each.
    Arms,
    /// Read the words' matches from the full-text index, in no order.
    Index,
}

/// What the probe found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Probe {
    /// Tickets walked (fewer than [`PROBE`]: the tenant has no more).
    pub walked: u64,
    /// Those the scope and filters admit.
    pub passes: u64,
    /// Those the search finds: admitted, with every word.
    pub hits: u64,
    /// Those with every word, admitted or not: what the full-text index reads.
    pub word_hits: u64,
    /// The tenant's tickets, by their numbers.
    pub tenant_tickets: u64,
    /// Every tenant's tickets, by their numbers.
    pub all_tickets: u64,
    /// Whether the tenant holds two thirds of the tickets or more.
    pub most: bool,
}

impl Probe {
    /// How the statements reading the full-text index write the tenant's condition.
    pub(crate) fn tenant_condition(self) -> TenantCondition {
        if self.most {
            TenantCondition::Tested
        } else {
            TenantCondition::Indexed
        }
    }

    /// Whether the walk covered the whole tenant.
    fn ended(self) -> bool {
        self.walked < PROBE.unsigned_abs()
    }

    /// `part` of the tenant's tickets at the share `of` / `walked`.
    fn share(self, of: u64) -> f64 {
        of as f64 / self.walked.max(1) as f64 * self.tenant_tickets.max(self.walked) as f64
    }

    /// What each way costs to find `rows` tickets, in tickets of the tenant's walk
    /// (a ticket read from another index counting [`WALKED_PER_MATCH`]), at the
    /// probe's shares: the tenant's walk reads `rows` at the share of hits; a walk of
    /// the arms reads the admitted tickets only, when `narrow` (an index carries the
    /// scope or a filter), at most all of them; the index reads every match of the
    /// words in the tenant, admitted or not, and puts every other tenant's in its
    /// bitmap too (at the tenant's share: without statistics, the best guess).
    fn costs(self, rows: u64, narrow: bool) -> [(Way, f64); 3] {
        let tenant = self.tenant_tickets.max(self.walked) as f64;
        let rows = rows as f64;
        let tenant_walk = if self.hits == 0 {
            tenant
        } else {
            (rows * self.walked as f64 / self.hits as f64).min(tenant)
        };
        let admitted = self.share(self.passes);
        // The arms' indexes reach the tickets in no order of the table: each as dear
        // as a match the full-text index reads.
        let arms_walk = WALKED_PER_MATCH
            * match (narrow, self.hits) {
                (false, _) => f64::INFINITY,
                (true, 0) => admitted,
                (true, hits) => (rows * self.passes as f64 / hits as f64).min(admitted),
            };
        let others = self.all_tickets.saturating_sub(self.tenant_tickets) as f64;
        let other_matches = if self.walked == 0 {
            0.0
        } else {
            others * self.word_hits as f64 / self.walked as f64
        };
        let index =
            WALKED_PER_MATCH * self.share(self.word_hits) + WALKED_PER_OTHER_MATCH * other_matches;
        [
            (Way::Tenant, tenant_walk),
            (Way::Arms, arms_walk),
            (Way::Index, index),
        ]
    }

    /// The cheapest way to find `rows` tickets ([`costs`](Self::costs)).
    pub(crate) fn way(self, rows: u64, narrow: bool) -> Way {
        self.cheapest(rows, narrow, true)
    }

    /// The cheapest way to find `rows` tickets, the tenant's walk only when
    /// `tenant_walk` (a page walks the tenant in windows of one arm sorted by opening
    /// time only).
    fn cheapest(self, rows: u64, narrow: bool, tenant_walk: bool) -> Way {
        let mut best = (Way::Index, f64::INFINITY);
        for (way, cost) in self.costs(rows, narrow) {
            if cost < best.1 && (tenant_walk || way != Way::Tenant) {
                best = (way, cost);
            }
        }
        best.0
    }

    /// How many tickets the tenant's walk reads to find `rows`: twice what the share
    /// of hits promises (for its noise), at most the tenant's.
    fn walk_limit(self, rows: u64) -> u64 {
        let promised = rows
            .saturating_mul(self.walked)
            .checked_div(self.hits)
            .unwrap_or(self.tenant_tickets);
        promised
            .saturating_mul(2)
            .min(self.tenant_tickets.max(self.walked))
    }
}

/// Whether an index carries `query`'s scope or filters apart from the tenant's: more
/// than one arm, one arm of a value (a status, a category), or an equality the
/// indexes lead with (requester, assignee, group, number).
fn narrow(query: &SearchQuery) -> bool {
    let c = &query.criteria;
    query::arms(&without_words(query)) != [Arm::Whole]
        || c.requester.is_some()
        || c.assignee.is_some()
        || c.group.is_some()
        || c.number.is_some()
}

/// The walk of `tenant`'s newest `limit` tickets, whatever the scope and filters of
/// `query`: each with `pass`, whether they admit it, and `hit`, whether it has the
/// words ([`Dialect::push_window_columns`]). Bounded in the tenant's tickets, so that a
/// narrow scope (a requester's own tickets, which no newest-first index of the tenant
/// carries) or filter costs the probe no more than a wide one: few of its tickets
/// pass, and the full-text index is read.
fn push_walk<D: Dialect>(sql: &mut Sql, query: &SearchQuery, tenant: TenantId, limit: i64) {
    sql.push("SELECT t.id, ");
    push_pass::<D>(sql, query);
    D::push_window_columns(
        sql,
        &query.criteria.contains_words(),
        query.scope.sees_internal(),
    );
    push_newest::<D>(sql, tenant, limit);
}

/// `pass`: whether the scope and filters of `query` admit the ticket `t`.
fn push_pass<D: Dialect>(sql: &mut Sql, query: &SearchQuery) {
    sql.push("(1 = 1");
    query::push_search::<D>(sql, &without_words(query), Arm::Whole);
    sql.push(") AS pass");
}

/// From the tickets, `tenant`'s newest `limit`.
fn push_newest<D: Dialect>(sql: &mut Sql, tenant: TenantId, limit: i64) {
    sql.push(FROM_TICKETS)
        .push(" AND t.tenant_id = ")
        .bind(tenant.as_uuid())
        .push(NEWEST_FIRST)
        .push(" LIMIT ")
        .push_integer(limit);
}

/// Every tenant's tickets, by their last numbers (one row per tenant; no statistics).
const ALL_TICKETS: &str =
    "(SELECT COALESCE(SUM(c.last_number), 0) FROM helpdesk_ticket_counters c)::BIGINT";

/// The probe in `tenant`: the [`Probe`]'s counts, and `all_tickets`.
pub(crate) fn probe_statement<D: Dialect>(query: &SearchQuery, tenant: TenantId) -> Sql {
    let mut sql = Sql::new("WITH w AS MATERIALIZED (");
    push_walk::<D>(&mut sql, query, tenant, PROBE);
    sql.push(
        ") SELECT (SELECT COUNT(*) FROM w) AS walked, \
         (SELECT COUNT(*) FROM w WHERE w.pass) AS passes, \
         (SELECT COUNT(*) FROM w WHERE w.pass AND w.hit) AS hits, \
         (SELECT COUNT(*) FROM w WHERE w.hit) AS word_hits, \
         COALESCE((SELECT c.last_number FROM helpdesk_ticket_counters c \
         WHERE c.tenant_id = ",
    )
    .bind(tenant.as_uuid())
    .push("), 0) AS tenant_tickets, ")
    .push(ALL_TICKETS)
    .push(" AS all_tickets");
    sql
}

/// How many of `tenant`'s newest `walk` tickets the search finds, counting at most
/// `rows`. The words are tested only on the tickets the scope and filters admit: an
/// agent's scope admits a third of the tenant's tickets, and the words cost more than
/// the rest of the walk (at a million tickets, 67 ms for 39,697 tickets walked with
/// the words tested on each).
pub(crate) fn walk_count<D: Dialect>(
    query: &SearchQuery,
    tenant: TenantId,
    rows: u64,
    walk: u64,
) -> Sql {
    let mut sql = Sql::new("SELECT COUNT(*) AS n FROM (SELECT 1 AS one FROM (SELECT t.id");
    D::push_window_columns(
        &mut sql,
        &query.criteria.contains_words(),
        query.scope.sees_internal(),
    );
    sql.push(" FROM (SELECT t.*, ");
    push_pass::<D>(&mut sql, query);
    push_newest::<D>(&mut sql, tenant, i64::try_from(walk).unwrap_or(i64::MAX));
    sql.push(") t WHERE t.pass) w WHERE w.hit LIMIT ")
        .push_integer(i64::try_from(rows).unwrap_or(i64::MAX))
        .push(") c");
    sql
}

/// How many tickets the search finds, read through the full-text index in no order,
/// counting at most `rows`.
pub(crate) fn index_count<D: Dialect>(
    query: &SearchQuery,
    rows: u64,
    tenant_is: TenantCondition,
) -> Sql {
    let mut sql = Sql::new("SELECT COUNT(*) AS n FROM (SELECT 1 AS one");
    sql.push(FROM_TICKETS);
    query::push_search_as::<D>(&mut sql, query, Arm::Whole, tenant_is);
    sql.push(" LIMIT ")
        .push_integer(i64::try_from(rows).unwrap_or(i64::MAX))
        .push(") c");
    sql
}

/// [`arms_count`](super::arms_count), a requester's own tickets read as the range of
/// those the search can find ([`kept_range`]: the open ones, and those the
/// archive rule keeps, through `helpdesk_tickets_kept_by_requester`), in no order, the
/// words tested on each ticket's row ([`Dialect::push_window_columns`], which no index
/// serves: the planner does not AND the range with the full-text index's bitmap of
/// every match of the words in the tenant). Walked newest first, a requester's tickets
/// are read archived ones and all until the cap: 20,137 read for a count of 260 of a
/// requester with 3,135 kept. The other arms are walked as `arms_count` walks them.
pub(crate) fn arms_count<D: Dialect>(query: &SearchQuery, rows: u64) -> Sql {
    let range = if query::arms(query).contains(&Arm::Own) {
        kept_range(query)
    } else {
        None
    };
    let Some(range) = range else {
        return super::arms_count::<D>(query, rows);
    };
    // The range stands for the archive rule.
    let mut kept = without_words(query);
    kept.criteria.include_archived = true;
    super::arms_count_by(query, rows, |sql, arm, rows| {
        if arm != Arm::Own {
            super::push_arm_walk::<D>(sql, query, arm, rows);
            return;
        }
        sql.push("SELECT * FROM (SELECT w.id FROM (SELECT t.id");
        D::push_window_columns(
            sql,
            &query.criteria.contains_words(),
            query.scope.sees_internal(),
        );
        sql.push(FROM_TICKETS);
        query::push_search::<D>(sql, &kept, Arm::Own);
        sql.append(range.clone());
        sql.push(") w WHERE w.hit LIMIT ")
            .push_integer(rows)
            .push(") a");
    })
}

/// A ticket's requester and its end time (the largest time for one not ended), as the
/// keys of `helpdesk_tickets_kept_by_requester` after the tenant (PostgreSQL,
/// migrations 17 and 19). Written out, not bound, so that the planner matches them with
/// the index's expressions; no other statement writes them, so no list of a
/// requester's tickets reads that index.
const REQUESTER_KEY: &str = "COALESCE(t.requester_id, t.requester_id)";
const END_KEY: &str = "COALESCE(t.ended_at, 9223372036854775807)";

/// The part of a requester's own tickets that holds every ticket `query` can find
/// there, as one range of `helpdesk_tickets_kept_by_requester`: the tickets not ended
/// when it asks for open statuses only (an equality), those the archive rule keeps when
/// it leaves archived tickets out (the open ones and those ended since the archive
/// limit). The conditions ` AND` the requester ` AND` the range, to append after
/// [`query::push_search`]; none when the search is not a requester's, reads archived
/// tickets too (the range would be the requester's whole) or has no single tenant.
///
/// The rows in the range are still tested with every condition of `push_search`,
/// statuses among them: a ticket ended at the largest time, or an open one when only
/// ended statuses are asked for, is read and left out, never found.
fn kept_range(query: &SearchQuery) -> Option<Sql> {
    let tenant = query::single_tenant(query)?;
    let helpdesk_core::Scope::Requester { member, .. } = &query.scope else {
        return None;
    };
    let mut sql = Sql::new(" AND ");
    sql.push(REQUESTER_KEY)
        .push(" = ")
        .bind(member.as_uuid())
        .push(" AND ")
        .push(END_KEY);
    if !query::any_ended(&query.criteria.effective_statuses()) {
        sql.push(" = 9223372036854775807");
    } else if query.criteria.include_archived {
        return None;
    } else {
        sql.push(" > ");
        query::push_archive_limit(&mut sql, query, tenant);
    }
    Some(sql)
}

/// Runs the probe in `tenant`.
pub(crate) async fn probe<D: Dialect, E: Exec>(
    exec: &mut E,
    query: &SearchQuery,
    tenant: TenantId,
) -> StoreResult<Probe> {
    let row = exec
        .fetch_optional(probe_statement::<D>(query, tenant))
        .await
        .map_err(db)?
        .ok_or_else(|| db(sqlx::Error::RowNotFound))?;
    let count =
        |column: &str| -> StoreResult<u64> { Ok(codec::unsigned(row.i64(column)?, "count")?) };
    let tenant_tickets = count("tenant_tickets")?;
    let all_tickets = count("all_tickets")?;
    Ok(Probe {
        walked: count("walked")?,
        passes: count("passes")?,
        hits: count("hits")?,
        word_hits: count("word_hits")?,
        tenant_tickets,
        all_tickets,
        most: tenant_tickets.saturating_mul(3) >= all_tickets.saturating_mul(2),
    })
}

/// The statement that counts a `contains` search's tickets up to `rows`, the way
/// `probe` says: none when the probe walked the whole tenant (its hits are the total).
pub(crate) fn count_statement<D: Dialect>(
    query: &SearchQuery,
    tenant: TenantId,
    probe: Probe,
    rows: u64,
) -> Option<Sql> {
    if probe.ended() {
        return None;
    }
    Some(match probe.way(rows, narrow(query)) {
        Way::Tenant => walk_count::<D>(query, tenant, rows, probe.walk_limit(rows)),
        Way::Arms => arms_count::<D>(query, rows),
        Way::Index => index_count::<D>(query, rows, probe.tenant_condition()),
    })
}

/// The total of a `contains` search reading at most `rows` matches, from `probe`.
async fn total<D: Dialect, E: Exec>(
    exec: &mut E,
    query: &SearchQuery,
    tenant: TenantId,
    probe: Probe,
    rows: u64,
) -> StoreResult<u64> {
    let Some(sql) = count_statement::<D>(query, tenant, probe, rows) else {
        return Ok(probe.hits.min(rows));
    };
    let tenant_walk = probe.way(rows, narrow(query)) == Way::Tenant;
    let found = count_of(exec, sql).await?;
    if found >= rows || !tenant_walk || probe.walk_limit(rows) >= probe.tenant_tickets {
        return Ok(found);
    }
    // The tenant's walk stopped at its limit before `rows`: it proves nothing about
    // older tickets.
    count_of(
        exec,
        index_count::<D>(query, rows, probe.tenant_condition()),
    )
    .await
}

/// The way a page of `query` is read after `probe`: [`Way::Tenant`] pages newest first
/// in windows (then every match, if no window fills the page).
fn page_way(query: &SearchQuery, probe: Probe) -> Way {
    let rows = u64::from(query.page.limit).saturating_add(1);
    let windows = super::window_arm(query).is_some();
    probe.cheapest(rows, narrow(query), windows)
}

/// For the benches' plans: the statements a search with `probe` runs (the probe
/// aside), each with whether it runs with sorts allowed: its total up to `rows` (none
/// when the probe's walk is the total) and its page's first (the first window when it
/// walks the tenant).
pub(crate) fn statements<D: Dialect>(
    query: &SearchQuery,
    tenant: TenantId,
    probe: Probe,
    rows: u64,
) -> Vec<(Sql, bool)> {
    let mut out = Vec::new();
    if let Some(count) = count_statement::<D>(query, tenant, probe, rows) {
        out.push((count, probe.way(rows, narrow(query)) == Way::Arms));
    }
    let way = page_way(query, probe);
    let page = match way {
        Way::Tenant => super::window_page::<D>(query, super::WINDOWS[0]),
        Way::Arms => Some(super::arms_page::<D>(query)),
        Way::Index => None,
    };
    let page = page.unwrap_or_else(|| {
        super::page_after_as::<D>(query, Total::Exact(0), probe.tenant_condition())
    });
    out.push((page, way == Way::Arms));
    out
}

/// The planner settings of the search's transaction: held, or letting statements sort.
struct Settings {
    planning: HeldPlanning,
    sorting: bool,
}

impl Settings {
    /// Makes the next statements sort (`sorts`) or not, if they do not already.
    async fn set<E: Exec>(&mut self, exec: &mut E, sorts: bool) -> StoreResult<()> {
        if self.sorting != sorts {
            let statement = if sorts {
                self.planning.sorts
            } else {
                self.planning.hold
            };
            exec.fetch_optional(Sql::new(statement)).await.map_err(db)?;
            self.sorting = sorts;
        }
        Ok(())
    }
}

/// Runs a `contains` search in one `tenant` in a transaction of its own, its planner
/// settings first.
pub(crate) async fn run<D: Dialect>(
    pool: &D::Pool,
    query: &SearchQuery,
    tenant: TenantId,
    planning: HeldPlanning,
) -> StoreResult<SearchPage> {
    debug_assert!(has_contains(query));
    let mut tx = D::begin(pool).await.map_err(db)?;
    let mut settings = Settings {
        planning,
        sorting: true,
    };
    settings.set(&mut tx, false).await?;
    let probe = probe::<D, _>(&mut tx, query, tenant).await?;
    let total = match query.count.rows_to_read() {
        Some(rows) => {
            let arms = !probe.ended() && probe.way(rows, narrow(query)) == Way::Arms;
            settings.set(&mut tx, arms).await?;
            let found = total::<D, _>(&mut tx, query, tenant, probe, rows).await?;
            query.count.total(found)
        }
        None => Total::NotCounted,
    };
    let tenant_is = probe.tenant_condition();
    let way = page_way(query, probe);
    settings.set(&mut tx, way == Way::Arms).await?;
    let page = match way {
        Way::Tenant => finish::<D, _>(&mut tx, query, total, true, tenant_is).await?,
        Way::Arms => {
            let tickets = fetch_all(&mut tx, super::arms_page::<D>(query), codec::ticket).await?;
            into_page(query, tickets, total)
        }
        Way::Index => finish::<D, _>(&mut tx, query, total, false, tenant_is).await?,
    };
    // Read only: nothing to keep.
    D::rollback(tx).await.map_err(db)?;
    Ok(page)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A probe of a tenant of a million tickets, `passes` of the newest 2,000 admitted,
    /// `hits` of them with the words, `word_hits` with the words admitted or not.
    fn probe(passes: u64, hits: u64, word_hits: u64) -> Probe {
        Probe {
            walked: PROBE.unsigned_abs(),
            passes,
            hits,
            word_hits,
            tenant_tickets: 1_000_000,
            all_tickets: 1_000_000,
            most: true,
        }
    }

    #[test]
    fn other_tenants_matches_weigh_on_the_full_text_index() {
        // A word in 8% of the tickets, in a tenant of 10,000: read from the index when
        // the tenant is alone (820 matches), walked among a million tickets of a
        // hundred tenants (81,000 more matches in the index's bitmap).
        let alone = Probe {
            tenant_tickets: 10_000,
            all_tickets: 10_000,
            ..probe(2_000, 164, 164)
        };
        assert_eq!(alone.way(1_001, false), Way::Index);
        let among_many = Probe {
            all_tickets: 1_000_000,
            most: false,
            ..alone
        };
        assert_eq!(among_many.way(1_001, false), Way::Tenant);
    }

    #[test]
    fn words_common_in_the_newest_tickets_are_walked() {
        // Two words in one ticket in 24 (84 of 2,000): 24,000 tickets walked against
        // 42,000 matches read.
        assert_eq!(probe(2_000, 84, 84).way(1_001, false), Way::Tenant);
        // One in 400: 400,000 tickets walked against 2,500 matches read.
        assert_eq!(probe(2_000, 5, 5).way(1_001, false), Way::Index);
        // None in the newest: the index reads what older tickets hold.
        assert_eq!(probe(2_000, 0, 0).way(1_001, false), Way::Index);
    }

    #[test]
    fn a_narrow_scope_walks_its_own_index() {
        // A requester with 2% of the tickets, a word in 8.5% of them: 11,800 of theirs
        // walked against 85,000 matches read or 590,000 of the tenant's walked.
        let heavy = probe(40, 3, 170);
        assert_eq!(heavy.way(1_001, true), Way::Arms);
        // A requester with 45 tickets: walk them all.
        assert_eq!(probe(0, 0, 170).way(1_001, true), Way::Arms);
        // An agent's fifth of the tenant and a rare word: read the index.
        assert_eq!(probe(400, 0, 0).way(1_001, true), Way::Index);
        // Without an index of its own, the scope is the tenant's walk.
        assert_eq!(heavy.way(1_001, false), Way::Index);
    }

    #[test]
    fn a_walk_never_goes_past_the_tenant() {
        let small = Probe {
            tenant_tickets: 2_600,
            ..probe(2_000, 50, 50)
        };
        assert_eq!(small.walk_limit(1_001), 2_600);
        assert_eq!(small.walk_limit(6), 480);
    }
}
