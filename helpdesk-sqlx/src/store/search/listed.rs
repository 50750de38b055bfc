//! A `contains` search on SQLite whose scope or filters are walked as arms (a
//! requester's own and guest tickets, an agent's assigned, unrouted and group tickets,
//! one category or status at a time): the words' matches drive it when they are few,
//! the arms' walks when they are many.
//!
//! Driven by the matches, each match's ticket row is read to test the scope on it: a
//! common word in a large tenant is tens of thousands of rows, most of them out of
//! scope, to count a requester's few hundred (at a million tickets, 300 ms for a heavy
//! requester's "imprimante", 160 ms for an agent's; BENCHMARKS.md). Walked as arms,
//! each arm's index is read newest first and each entry is looked up in the list of
//! the matches' rowids, read once from the full-text index
//! ([`Dialect::push_words_tested`]); only the tickets found are read whole. The list
//! costs a fraction of a microsecond a match, the walk as much an entry of the arm's
//! index: for a rare word the matches are cheaper, for a common one the arms.
//!
//! So the matches are counted first, up to [`LISTED_FROM`] ([`Dialect::count_matches`],
//! the full-text index alone). Up to that many, the search runs as any other
//! ([`run_in_windows`]); beyond, its total and its page are the arms' walks
//! ([`arms_count`], [`arms_page`]).

use helpdesk_core::{SearchPage, SearchQuery, StoreResult, Total};

use super::{WINDOWS, arms_count, arms_page, fetch_all, has_contains, into_page, run_in_windows};
use crate::backend::{Dialect, Exec, RowExt};
use crate::codec;
use crate::query::{self, Arm};
use crate::sql::Sql;
use crate::store::db;

/// Beyond this many matches of the words, the arms are walked. Driven by the matches,
/// reading this many tickets for the total and again for the page costs about 15 ms
/// on a warm cache (3.5 µs a ticket read by its rowid at a million tickets); walked,
/// an arm of 20,000 entries that finds few of them costs 3 to 4 ms.
pub(crate) const LISTED_FROM: i64 = 2_000;

/// Whether `query` is a `contains` search walked as arms ([`query::arms`]) rather
/// than as the whole tenant.
pub(crate) fn walks_arms(query: &SearchQuery) -> bool {
    has_contains(query) && query::arms(query) != [Arm::Whole]
}

/// Runs `query`: the matches counted up to [`LISTED_FROM`], then the search driven by
/// them, or its total and page walked by its arms.
pub(crate) async fn run<D: Dialect, E: Exec>(
    exec: &mut E,
    query: &SearchQuery,
) -> StoreResult<SearchPage> {
    run_from::<D, E>(exec, query, LISTED_FROM).await
}

/// [`run`], the arms walked beyond `listed_from` matches.
async fn run_from<D: Dialect, E: Exec>(
    exec: &mut E,
    query: &SearchQuery,
    listed_from: i64,
) -> StoreResult<SearchPage> {
    let words = query.criteria.contains_words();
    let tenants = query::search_tenants(query);
    let counting = D::count_matches(
        &words,
        query.scope.sees_internal(),
        &tenants,
        LISTED_FROM + 1,
    );
    let Some(counting) = counting else {
        return run_in_windows::<D, E>(exec, query, &WINDOWS).await;
    };
    if count(exec, counting).await? <= listed_from.unsigned_abs() {
        return run_in_windows::<D, E>(exec, query, &WINDOWS).await;
    }
    let total = match query.count.rows_to_read() {
        Some(rows) => query
            .count
            .total(count(exec, arms_count::<D>(query, rows)).await?),
        None => Total::NotCounted,
    };
    let tickets = fetch_all(exec, arms_page::<D>(query), codec::ticket).await?;
    Ok(into_page(query, tickets, total))
}

/// Column `n` of the one row `sql` reads.
async fn count<E: Exec>(exec: &mut E, sql: Sql) -> StoreResult<u64> {
    match exec.fetch_optional(sql).await.map_err(db)? {
        Some(row) => Ok(codec::unsigned(row.i64("n")?, "count")?),
        None => Ok(0),
    }
}

#[cfg(all(test, feature = "sqlite"))]
mod tests;
