//! A `contains` search on SQLite whose scope or filters are walked as arms (a
//! requester's own and guest tickets, an agent's assigned, unrouted and group tickets,
//! one category or status at a time): the words' matches drive it when they are few,
//! the arms' walks when they are many.
//!
//! Driven by the matches, each match's ticket row is read to test the scope on it: a
//! common word in a large tenant is tens of thousands of rows, most of them out of
//! scope, to count a requester's few hundred (at a million tickets, 300 ms for a heavy
//! requester's "imprimante", 160 ms for an agent's; BENCHMARKS.md). Walked as arms,
//! each arm's index is read newest first and each entry is looked up in a list of the
//! matches' rowids ([`Dialect::push_words_tested`]); only the tickets found are read
//! whole. The list costs a fraction of a microsecond a match, written once for the
//! total and the page ([`Dialect::list_matches`]: a temporary table of the
//! connection, filled and emptied in the search's read transaction); the walk as much
//! an entry of the arm's index. For a rare word the matches are cheaper, for a common
//! one the arms.
//!
//! So the matches are listed first. Up to [`LISTED_FROM`] of them, the search runs as
//! any other ([`run_in_windows`]); beyond, its total and its page are the arms' walks
//! ([`arms_count`], [`arms_page`]). Everything is read in one transaction.

use helpdesk_core::{SearchPage, SearchQuery, StoreResult, Total};

use super::{
    WINDOWS, arms_count, arms_page, count_of, fetch_all, has_contains, into_page, run_in_windows,
};
use crate::backend::{Dialect, Exec};
use crate::codec;
use crate::query::{self, Arm};
use crate::sql::Sql;
use crate::store::db;

/// Beyond this many matches of the words, the arms are walked. Driven by the matches,
/// reading this many tickets for the total and again for the page costs about 15 ms
/// on a warm cache (3.5 µs a ticket read by its rowid at a million tickets); walked,
/// an arm of 20,000 entries that finds few of them costs 3 to 4 ms.
pub(crate) const LISTED_FROM: u64 = 2_000;

/// Whether `query` is a `contains` search walked as arms ([`query::arms`]) rather
/// than as the whole tenant.
pub(crate) fn walks_arms(query: &SearchQuery) -> bool {
    has_contains(query) && query::arms(query) != [Arm::Whole]
}

/// Runs `query`: the matches listed, then the search driven by them, or its total and
/// page walked by its arms.
pub(crate) async fn run<D: Dialect>(
    pool: &D::Pool,
    query: &SearchQuery,
) -> StoreResult<SearchPage> {
    run_from::<D>(pool, query, LISTED_FROM).await
}

/// [`run`], the arms walked beyond `listed_from` matches.
async fn run_from<D: Dialect>(
    pool: &D::Pool,
    query: &SearchQuery,
    listed_from: u64,
) -> StoreResult<SearchPage> {
    let words = query.criteria.contains_words();
    let tenants = query::search_tenants(query);
    let Some([create, list, clear]) =
        D::list_matches(&words, query.scope.sees_internal(), &tenants)
    else {
        return run_in_windows::<D, _>(&mut pool.clone(), query, &WINDOWS).await;
    };
    let mut tx = D::begin_read(pool).await.map_err(db)?;
    match in_transaction::<D>(&mut tx, query, [create, list], listed_from).await {
        Ok(page) => {
            // The list emptied, the connection keeps its (empty) table.
            tx.execute(clear).await.map_err(db)?;
            D::commit(tx).await.map_err(db)?;
            Ok(page)
        }
        Err(e) => {
            D::rollback(tx).await.map_err(db)?;
            Err(e)
        }
    }
}

/// [`run_from`] in its transaction `tx`.
async fn in_transaction<D: Dialect>(
    tx: &mut D::Tx,
    query: &SearchQuery,
    [create, list]: [Sql; 2],
    listed_from: u64,
) -> StoreResult<SearchPage> {
    tx.execute(create).await.map_err(db)?;
    if tx.execute(list).await.map_err(db)? <= listed_from {
        return run_in_windows::<D, _>(tx, query, &WINDOWS).await;
    }
    let total = match query.count.rows_to_read() {
        Some(rows) => query
            .count
            .total(count_of(tx, arms_count::<D>(query, rows)).await?),
        None => Total::NotCounted,
    };
    let tickets = fetch_all(tx, arms_page::<D>(query), codec::ticket).await?;
    Ok(into_page(query, tickets, total))
}

#[cfg(all(test, feature = "sqlite"))]
mod tests;
