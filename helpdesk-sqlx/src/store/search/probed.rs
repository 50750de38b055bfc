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
//! ([`Dialect::FULL_TEXT_PLANNING`]: no sequential scan, no sort where an index gives
//! the order):
//!
//! 1. **The probe** walks the tenant's newest [`PROBE`] tickets and counts those the
//!    search finds (scope, filters and words tested on each), and reads how many
//!    tickets the tenant has and whether it holds most of them (from the tenants'
//!    number counters). A search in several tenants (staff of many, the platform)
//!    has no newest-first index to walk, and runs the shared statements.
//! 2. **The total**: exact from the probe when the tenant has fewer than [`PROBE`]
//!    tickets; by a walk of the tenant newest first when, at the probe's share of matches, it reads fewer tickets
//!    than the full-text index would read matches (times [`WALKED_PER_MATCH`]: the index
//!    reads every match in the table's order, archived ones first); by the full-text
//!    index otherwise (a rarer word).
//! 3. **The page**: newest first in windows ([`WINDOWS`](super::WINDOWS)) when the
//!    words are common; every match read through the full-text index and sorted
//!    otherwise.
//!
//! In a tenant that holds most tickets, the statements that read the full-text index
//! test the tenant on each match instead of reading it from an index
//! ([`TenantCondition::Tested`]): a planner without statistics would AND the matches
//! with a bitmap of the tenant's every row, which costs more than the matches.

use helpdesk_core::{SearchPage, SearchQuery, StoreResult, TenantId, Total};

use super::{FROM_TICKETS, NEWEST_FIRST, finish, has_contains};
use crate::backend::{Dialect, Exec, RowExt};
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

/// What the probe found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Probe {
    /// Tickets walked (fewer than [`PROBE`]: the scope holds no more).
    pub walked: u64,
    /// Those with every word.
    pub hits: u64,
    /// The tickets of the search's one tenant (of every tenant when it has none), by
    /// their numbers: what the full-text index may read the words' matches among.
    pub scope_tickets: u64,
    /// Whether the search's one tenant holds two thirds of the tickets or more.
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

    /// Whether the walk covered the whole scope.
    fn ended(self) -> bool {
        self.walked < PROBE.unsigned_abs()
    }

    /// How many tickets a walk newest first reads to find `rows` matches, at the
    /// probe's share of them; none when the probe found none.
    fn walk_for(self, rows: u64) -> Option<u64> {
        if self.hits == 0 {
            return None;
        }
        let tickets = rows.saturating_mul(self.walked) / self.hits;
        Some(tickets.min(self.scope_tickets.max(self.walked)))
    }

    /// Whether walking to `rows` matches costs less than reading the words' every
    /// match through the full-text index (which reads them in the table's order,
    /// archived ones included, with nothing to stop it early but the count's cap).
    fn walk_wins(self, rows: u64) -> bool {
        let Some(walk) = self.walk_for(rows) else {
            return false;
        };
        let share = self.hits as f64 / self.walked.max(1) as f64;
        let matches = share * self.scope_tickets as f64;
        walk as f64 <= WALKED_PER_MATCH * matches
    }
}

/// `query` without its words: what a walk reads, testing them on each ticket.
fn walked(query: &SearchQuery) -> SearchQuery {
    let mut walk = query.clone();
    walk.criteria.contains = None;
    walk
}

/// The walk of `tenant`'s newest `limit` tickets, whatever the scope and filters of
/// `query`: each with `pass`, whether they admit it, and `hit`, whether it has the
/// words ([`Dialect::push_window_columns`]). Bounded in the tenant's tickets, so that a
/// narrow scope (a requester's own tickets, which no newest-first index of the tenant
/// carries) or filter costs the probe no more than a wide one: few of its tickets
/// pass, and the full-text index is read.
fn push_walk<D: Dialect>(sql: &mut Sql, query: &SearchQuery, tenant: TenantId, limit: i64) {
    sql.push("SELECT t.id, (1 = 1");
    query::push_search::<D>(sql, &walked(query), Arm::Whole);
    sql.push(") AS pass");
    D::push_window_columns(
        sql,
        &query.criteria.contains_words(),
        query.scope.sees_internal(),
    );
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

/// The probe in `tenant`: `walked`, `hits`, `scope_tickets` and `all_tickets`
/// ([`Probe`]).
pub(crate) fn probe_statement<D: Dialect>(query: &SearchQuery, tenant: TenantId) -> Sql {
    let mut sql = Sql::new("WITH w AS MATERIALIZED (");
    push_walk::<D>(&mut sql, query, tenant, PROBE);
    sql.push(
        ") SELECT (SELECT COUNT(*) FROM w) AS walked, \
         (SELECT COUNT(*) FROM w WHERE w.pass AND w.hit) AS hits, \
         COALESCE((SELECT c.last_number FROM helpdesk_ticket_counters c \
         WHERE c.tenant_id = ",
    )
    .bind(tenant.as_uuid())
    .push("), 0) AS scope_tickets, ")
    .push(ALL_TICKETS)
    .push(" AS all_tickets");
    sql
}

/// How many of `tenant`'s newest `walk` tickets the search finds, counting at most
/// `rows`.
pub(crate) fn walk_count<D: Dialect>(
    query: &SearchQuery,
    tenant: TenantId,
    rows: u64,
    walk: u64,
) -> Sql {
    let mut sql = Sql::new("SELECT COUNT(*) AS n FROM (SELECT 1 AS one FROM (");
    push_walk::<D>(
        &mut sql,
        query,
        tenant,
        i64::try_from(walk).unwrap_or(i64::MAX),
    );
    sql.push(") w WHERE w.pass AND w.hit LIMIT ")
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

async fn count_of<E: Exec>(exec: &mut E, sql: Sql) -> StoreResult<u64> {
    let n = match exec.fetch_optional(sql).await.map_err(db)? {
        Some(row) => codec::unsigned(row.i64("n")?, "count")?,
        None => 0,
    };
    Ok(n)
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
        .map_err(db)?;
    let Some(row) = row else {
        return Ok(Probe {
            walked: 0,
            hits: 0,
            scope_tickets: 0,
            most: false,
        });
    };
    let scope_tickets = codec::unsigned(row.i64("scope_tickets")?, "count")?;
    let all_tickets = codec::unsigned(row.i64("all_tickets")?, "count")?;
    Ok(Probe {
        walked: codec::unsigned(row.i64("walked")?, "count")?,
        hits: codec::unsigned(row.i64("hits")?, "count")?,
        scope_tickets,
        most: scope_tickets.saturating_mul(3) >= all_tickets.saturating_mul(2),
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
    if probe.ended() {
        return Ok(probe.hits.min(rows));
    }
    if probe.walk_wins(rows)
        && let Some(walk) = probe.walk_for(rows)
    {
        // Twice the tickets the share promises, for the share's noise.
        let sql = walk_count::<D>(query, tenant, rows, walk.saturating_mul(2));
        let found = count_of(exec, sql).await?;
        if found >= rows {
            return Ok(found);
        }
        // Fewer than the share promised: the walk proves nothing about older tickets.
    }
    count_of(
        exec,
        index_count::<D>(query, rows, probe.tenant_condition()),
    )
    .await
}

/// For the benches' plans: the statements a search with `probe` runs (the probe
/// aside): its total up to `rows` (the walk when the probe promises it, the full-text
/// index otherwise) and its page's first (the first window when the words are common,
/// every match otherwise).
pub(crate) fn statements<D: Dialect>(
    query: &SearchQuery,
    tenant: TenantId,
    probe: Probe,
    rows: u64,
) -> [Sql; 2] {
    let common = !probe.ended() && probe.walk_wins(rows);
    let count = if let (true, Some(walk)) = (common, probe.walk_for(rows)) {
        walk_count::<D>(query, tenant, rows, walk.saturating_mul(2))
    } else {
        index_count::<D>(query, rows, probe.tenant_condition())
    };
    let page = match super::window_page::<D>(query, super::WINDOWS[0]) {
        Some(window) if common => window,
        _ => super::page_after_as::<D>(query, Total::Exact(0), probe.tenant_condition()),
    };
    [count, page]
}

/// Runs a `contains` search in one `tenant` in a transaction of its own, its planner
/// settings first.
pub(crate) async fn run<D: Dialect>(
    pool: &D::Pool,
    query: &SearchQuery,
    tenant: TenantId,
    planning: &'static str,
) -> StoreResult<SearchPage> {
    debug_assert!(has_contains(query));
    let mut tx = D::begin(pool).await.map_err(db)?;
    tx.fetch_optional(Sql::new(planning)).await.map_err(db)?;
    let probe = probe::<D, _>(&mut tx, query, tenant).await?;
    let total = match query.count.rows_to_read() {
        Some(rows) => {
            let found = total::<D, _>(&mut tx, query, tenant, probe, rows).await?;
            query.count.total(found)
        }
        None => Total::NotCounted,
    };
    // Common: more than the cap, or (not counted) a page's worth within the walk.
    let common = match total {
        Total::MoreThan(_) => true,
        Total::Exact(_) => false,
        Total::NotCounted => {
            !probe.ended() && probe.walk_wins(u64::from(query.page.limit).saturating_add(1))
        }
    };
    let page = finish::<D, _>(&mut tx, query, total, common, probe.tenant_condition()).await?;
    // Read only: nothing to keep.
    D::rollback(tx).await.map_err(db)?;
    Ok(page)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn probe(hits: u64, scope_tickets: u64) -> Probe {
        Probe {
            walked: PROBE.unsigned_abs(),
            hits,
            scope_tickets,
            most: true,
        }
    }

    #[test]
    fn words_common_in_the_newest_tickets_are_walked() {
        // Two words in one ticket in 24 of a million: 24,000 tickets walked against
        // 42,000 matches read.
        let two = probe(84, 1_000_000);
        assert_eq!(two.walk_for(1_001), Some(23_833));
        assert!(two.walk_wins(1_001));
        // One in 400: 400,000 tickets walked against 2,500 matches.
        assert!(!probe(5, 1_000_000).walk_wins(1_001));
        // None in the newest: nothing tells how far a walk would go.
        assert_eq!(probe(0, 1_000_000).walk_for(1_001), None);
        assert!(!probe(0, 1_000_000).walk_wins(1_001));
    }

    #[test]
    fn a_walk_never_goes_past_the_scope() {
        let small = probe(50, 2_600);
        assert_eq!(small.walk_for(1_001), Some(2_600));
        // A page of 26 is 1,040 tickets away at one in 40; 65 matches are read sooner.
        assert!(!small.walk_wins(26 * 40 + 1));
        assert!(small.walk_wins(6));
    }
}
