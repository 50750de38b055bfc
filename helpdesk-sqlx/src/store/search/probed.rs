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
//! 1. **The probe** walks the newest [`PROBE`] tickets in scope and counts those with
//!    the words, and says whether the search's one tenant holds most tickets.
//! 2. **The total**: exact from the probe when the walk ended before [`PROBE`]; by a
//!    walk of at most [`WALK`] tickets when the probe's share of matches says it
//!    reaches the cap within them; by the full-text index otherwise (a rare word).
//! 3. **The page**: newest first in windows ([`WINDOWS`](super::WINDOWS)) when the
//!    words are common; every match read through the full-text index and sorted
//!    otherwise.
//!
//! In a tenant that holds most tickets, the statements that read the full-text index
//! test the tenant on each match instead of reading it from an index
//! ([`TenantCondition::Tested`]): a planner without statistics would AND the matches
//! with a bitmap of the tenant's every row, which costs more than the matches.

use helpdesk_core::{SearchPage, SearchQuery, StoreResult, Total};

use super::{FROM_TICKETS, NEWEST_FIRST, finish, has_contains};
use crate::backend::{Dialect, Exec, RowExt};
use crate::codec;
use crate::query::{self, Arm, TenantCondition};
use crate::sql::Sql;
use crate::store::db;

/// The tickets the probe walks, newest first.
pub(crate) const PROBE: i64 = 2_000;

/// The most tickets a total walks, newest first, to reach its cap; past the share of
/// matches that promises it, the total reads the full-text index.
pub(crate) const WALK: i64 = 16_000;

/// What the probe found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Probe {
    /// Tickets walked (fewer than [`PROBE`]: the scope holds no more).
    pub walked: u64,
    /// Those with every word.
    pub hits: u64,
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

    /// Whether, at the probe's share of matches, `rows` matches are found within
    /// [`WALK`] tickets.
    fn reaches(self, rows: u64) -> bool {
        self.hits.saturating_mul(WALK.unsigned_abs()) >= rows.saturating_mul(self.walked)
    }
}

/// `query` without its words: what a walk reads, testing them on each ticket.
fn walked(query: &SearchQuery) -> SearchQuery {
    let mut walk = query.clone();
    walk.criteria.contains = None;
    walk
}

/// The walk of the newest `limit` tickets in the scope and filters of `query`, each
/// with `hit`: whether it has the words ([`Dialect::push_window_columns`]).
fn push_walk<D: Dialect>(sql: &mut Sql, query: &SearchQuery, limit: i64) {
    sql.push("SELECT t.id");
    D::push_window_columns(
        sql,
        &query.criteria.contains_words(),
        query.scope.sees_internal(),
    );
    sql.push(FROM_TICKETS);
    query::push_search::<D>(sql, &walked(query), Arm::Whole);
    sql.push(NEWEST_FIRST).push(" LIMIT ").push_integer(limit);
}

/// The probe: `walked`, `hits` and `most` ([`Probe`]).
pub(crate) fn probe_statement<D: Dialect>(query: &SearchQuery) -> Sql {
    let mut sql = Sql::new("WITH w AS MATERIALIZED (");
    push_walk::<D>(&mut sql, query, PROBE);
    sql.push(
        ") SELECT (SELECT COUNT(*) FROM w) AS walked, \
         (SELECT COUNT(*) FROM w WHERE w.hit) AS hits, ",
    );
    match query::single_tenant(query) {
        // The tenant's last number against every tenant's: how many tickets it was
        // given, a share that needs no statistics (one row per tenant).
        Some(tenant) => {
            sql.push(
                "COALESCE((SELECT c.last_number FROM helpdesk_ticket_counters c \
                 WHERE c.tenant_id = ",
            )
            .bind(tenant.as_uuid())
            .push(
                ") * 3 >= (SELECT SUM(c.last_number) FROM helpdesk_ticket_counters c) * 2, \
                 FALSE) AS most",
            );
        }
        None => {
            sql.push("FALSE AS most");
        }
    }
    sql
}

/// How many of the newest [`WALK`] tickets have the words, counting at most `rows`.
pub(crate) fn walk_count<D: Dialect>(query: &SearchQuery, rows: u64) -> Sql {
    let mut sql = Sql::new("SELECT COUNT(*) AS n FROM (SELECT 1 AS one FROM (");
    push_walk::<D>(&mut sql, query, WALK);
    sql.push(") w WHERE w.hit LIMIT ")
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

/// Runs the probe.
pub(crate) async fn probe<D: Dialect, E: Exec>(
    exec: &mut E,
    query: &SearchQuery,
) -> StoreResult<Probe> {
    let row = exec
        .fetch_optional(probe_statement::<D>(query))
        .await
        .map_err(db)?;
    let Some(row) = row else {
        return Ok(Probe {
            walked: 0,
            hits: 0,
            most: false,
        });
    };
    Ok(Probe {
        walked: codec::unsigned(row.i64("walked")?, "count")?,
        hits: codec::unsigned(row.i64("hits")?, "count")?,
        most: row.bool("most")?,
    })
}

/// The total of a `contains` search reading at most `rows` matches, from `probe`.
async fn total<D: Dialect, E: Exec>(
    exec: &mut E,
    query: &SearchQuery,
    probe: Probe,
    rows: u64,
) -> StoreResult<u64> {
    if probe.ended() {
        return Ok(probe.hits.min(rows));
    }
    if probe.reaches(rows) {
        let found = count_of(exec, walk_count::<D>(query, rows)).await?;
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
pub(crate) fn statements<D: Dialect>(query: &SearchQuery, probe: Probe, rows: u64) -> [Sql; 2] {
    let common = !probe.ended() && probe.reaches(rows);
    let count = if common {
        walk_count::<D>(query, rows)
    } else {
        index_count::<D>(query, rows, probe.tenant_condition())
    };
    let page = match super::window_page::<D>(query, super::WINDOWS[0]) {
        Some(window) if common => window,
        _ => super::page_after_as::<D>(query, Total::Exact(0), probe.tenant_condition()),
    };
    [count, page]
}

/// Runs a `contains` search in a transaction of its own, its planner settings first.
pub(crate) async fn run<D: Dialect>(
    pool: &D::Pool,
    query: &SearchQuery,
    planning: &'static str,
) -> StoreResult<SearchPage> {
    debug_assert!(has_contains(query));
    let mut tx = D::begin(pool).await.map_err(db)?;
    tx.fetch_optional(Sql::new(planning)).await.map_err(db)?;
    let probe = probe::<D, _>(&mut tx, query).await?;
    let total = match query.count.rows_to_read() {
        Some(rows) => query
            .count
            .total(total::<D, _>(&mut tx, query, probe, rows).await?),
        None => Total::NotCounted,
    };
    // Common: more than the cap, or (not counted) a page's worth within the walk.
    let common = match total {
        Total::MoreThan(_) => true,
        Total::Exact(_) => false,
        Total::NotCounted => {
            !probe.ended() && probe.reaches(u64::from(query.page.limit).saturating_add(1))
        }
    };
    let page = finish::<D, _>(&mut tx, query, total, common, probe.tenant_condition()).await?;
    // Read only: nothing to keep.
    D::rollback(tx).await.map_err(db)?;
    Ok(page)
}
