//! The SQL of a search: its total and one page, over the arms of the caller's scope
//! ([`query::arms`]).
//!
//! - The total counts at most the query's cap and one more (a list says "more than
//!   1,000"), so counting costs no more than reading a few pages, whatever the tenant's
//!   size; a query that asks for no total runs no count at all.
//! - Without `contains`, one arm is one statement walking an index in the sort's order
//!   and stopping at the page; several arms are the `UNION ALL` of such walks, each
//!   limited to the page, then sorted (a few hundred rows at most).
//! - With `contains`, the matches are read first (PostgreSQL: the GIN index; SQLite: the
//!   FTS5 table drives the join), kept with their sort keys (`MATERIALIZED`, so no
//!   planner walks the tenant in order probing each ticket for the words), sorted, and
//!   only the page's tickets are read whole. When the total found the words common
//!   (more than its cap), the page first walks the newest tickets in scope and tests
//!   the words on those alone ([`window_page`]). On PostgreSQL a search in one tenant
//!   chooses among these ways itself, from a walk of the tenant's newest tickets
//!   ([`probed`]); on SQLite a search walked as arms (a requester's, an agent's, one
//!   filter value at a time) walks them, testing each ticket against the list of the
//!   matches, when the words have more than 2,000 matches ([`listed`]).
//! - With a lower bound on the last change ("updated since"), the total reads the
//!   tickets changed since then through the index by change time (unordered, so that
//!   the range is what the database reads), and when they are fewer than its cap the
//!   page reads them the same way, then sorts them ([`changed_since`]). Newest first, a
//!   tenant's whole history would be walked to find the few changed last week.

use helpdesk_core::{SearchPage, SearchQuery, SortKey, StoreResult, Total};

use super::{db, fetch_all};
use crate::backend::{Dialect, Exec, HeldPlanning, RowExt};
use crate::codec;
use crate::query::{self, Arm, TenantCondition};
use crate::sql::Sql;

/// The tickets and their tenant (the archive rule reads its delay), before the filters.
const FROM_TICKETS: &str =
    " FROM helpdesk_tickets t LEFT JOIN helpdesk_tenants tn ON tn.id = t.tenant_id WHERE 1 = 1";

/// The tenant joined to the full-text source of [`Dialect::CONTAINS_FROM`].
const JOIN_TENANT: &str = " LEFT JOIN helpdesk_tenants tn ON tn.id = t.tenant_id WHERE 1 = 1";

/// The columns every sort key reads, kept for each `contains` match.
const SORT_COLUMNS: &str = "t.tenant_id, t.id, t.number, t.subject, t.status, t.priority, \
     t.created_at, t.updated_at, t.public_updated_at";

fn has_contains(query: &SearchQuery) -> bool {
    !query.criteria.contains_words().is_empty()
}

/// A search without `contains` with a lower bound on the tickets' last change: its
/// tickets are a range of the indexes by change time (migration 14).
fn changed_since(query: &SearchQuery) -> bool {
    query.criteria.updated_from.is_some() && !has_contains(query)
}

/// How many tickets the search finds (the cursor left aside), as column `n`, reading at
/// most `rows` of them ([`Count::rows_to_read`](helpdesk_core::Count::rows_to_read)):
/// the same walks as the page, each newest first and stopped after `rows` matches. The
/// order is what makes it a walk: unordered, a planner may read another index of the
/// tenant from its start (oldest months first, say) and probe each ticket. Tickets
/// changed since a time are the exception: unordered, so that the planner reads their
/// range of the index by change time.
pub(crate) fn count<D: Dialect>(query: &SearchQuery, rows: u64) -> Sql {
    if !changed_since(query) && !has_contains(query) {
        return arms_count::<D>(query, rows);
    }
    let rows = i64::try_from(rows).unwrap_or(i64::MAX);
    let mut sql = Sql::new("SELECT COUNT(*) AS n FROM (");
    if changed_since(query) {
        sql.push("SELECT 1 AS one").push(FROM_TICKETS);
        query::push_search::<D>(&mut sql, query, Arm::Whole);
    } else {
        sql.push("SELECT 1 AS one FROM ")
            .push(D::CONTAINS_FROM)
            .push(JOIN_TENANT);
        query::push_search::<D>(&mut sql, query, Arm::Whole);
        sql.push(D::CONTAINS_NEWEST);
    }
    sql.push(" LIMIT ").push_integer(rows).push(") c");
    sql
}

/// [`count`] by the search's arms, each walked newest first through its index and
/// stopped after `rows` tickets found, `contains` or not.
pub(crate) fn arms_count<D: Dialect>(query: &SearchQuery, rows: u64) -> Sql {
    arms_count_by(query, rows, |sql, arm, rows| {
        push_arm_walk::<D>(sql, query, arm, rows);
    })
}

/// [`arms_count`] with each arm's walk, limited to `rows` found, written by `walk`.
fn arms_count_by(query: &SearchQuery, rows: u64, mut walk: impl FnMut(&mut Sql, Arm, i64)) -> Sql {
    let rows = i64::try_from(rows).unwrap_or(i64::MAX);
    let mut sql = Sql::new("SELECT COUNT(*) AS n FROM (");
    for (i, arm) in query::arms(query).into_iter().enumerate() {
        if i > 0 {
            sql.push(" UNION ALL ");
        }
        walk(&mut sql, arm, rows);
    }
    sql.push(" LIMIT ").push_integer(rows).push(") c");
    sql
}

/// The walk of one `arm` newest first, its tickets' ids, limited to `rows` found.
fn push_arm_walk<D: Dialect>(sql: &mut Sql, query: &SearchQuery, arm: Arm, rows: i64) {
    sql.push("SELECT * FROM (SELECT t.id").push(from(arm));
    push_arm_search::<D>(sql, query, arm);
    sql.push(NEWEST_FIRST)
        .push(" LIMIT ")
        .push_integer(rows)
        .push(") a");
}

/// The order of the tickets' newest-first indexes, which every arm's index shares.
const NEWEST_FIRST: &str = " ORDER BY t.created_at DESC, t.id DESC";

/// One page and one ticket more (so the caller knows whether a next page exists), in
/// the search's sort.
pub(crate) fn page<D: Dialect>(query: &SearchQuery) -> Sql {
    if has_contains(query) {
        return contains_page::<D>(query, TenantCondition::Indexed);
    }
    arms_page::<D>(query)
}

/// [`page`] by the search's arms, each walked from the cursor through its index and
/// limited to the page, `contains` or not.
pub(crate) fn arms_page<D: Dialect>(query: &SearchQuery) -> Sql {
    let arms = query::arms(query);
    if let [arm] = arms[..] {
        let mut sql = Sql::new("SELECT ");
        push_arm::<D>(&mut sql, query, arm);
        return sql;
    }
    let mut sql = Sql::new("SELECT * FROM (");
    for (i, arm) in arms.iter().enumerate() {
        if i > 0 {
            sql.push(" UNION ALL ");
        }
        sql.push("SELECT * FROM (SELECT ");
        push_arm::<D>(&mut sql, query, *arm);
        sql.push(") a");
    }
    sql.push(") t");
    query::push_order::<D>(&mut sql, query);
    push_limit(&mut sql, query);
    sql
}

/// The columns, filters, cursor, order and limit of one arm, after `SELECT `. A walk
/// of tickets changed since a time (more than the total's cap) keeps that condition off
/// the index by change time: SQLite would read the whole range and sort it.
fn push_arm<D: Dialect>(sql: &mut Sql, query: &SearchQuery, arm: Arm) {
    sql.push(codec::TICKET_COLUMNS)
        .push(", t.status")
        .push(from(arm));
    if changed_since(query) {
        let mut walk = query.clone();
        walk.criteria.updated_from = None;
        query::push_search::<D>(sql, &walk, arm);
        query::push_changed_since(sql, query, D::NOT_INDEXED, false);
    } else {
        push_arm_search::<D>(sql, query, arm);
    }
    query::push_after::<D>(sql, query);
    query::push_order::<D>(sql, query);
    push_limit(sql, query);
}

/// The conditions of `query` for a statement that reads `arm`'s tickets from its own
/// index: its words, if any, tested on each ticket ([`Dialect::push_words_tested`]).
fn push_arm_search<D: Dialect>(sql: &mut Sql, query: &SearchQuery, arm: Arm) {
    let words = query.criteria.contains_words();
    if words.is_empty() {
        query::push_search::<D>(sql, query, arm);
        return;
    }
    query::push_search::<D>(sql, &without_words(query), arm);
    D::push_words_tested(
        sql,
        &words,
        query.scope.sees_internal(),
        &query::search_tenants(query),
    );
}

/// What `arm` reads from, up to its conditions.
fn from(arm: Arm) -> &'static str {
    match arm {
        Arm::Guest => query::GUEST_FROM,
        _ => FROM_TICKETS,
    }
}

fn push_limit(sql: &mut Sql, query: &SearchQuery) {
    sql.push(" LIMIT ")
        .push_integer(i64::from(query.page.limit) + 1);
}

/// At most this many tickets changed since a time are read and sorted for a page
/// ([`page_after`]); more are walked newest first, where they fill a page quickly.
const CHANGED_SINCE_SORTED: u64 = 5_000;

/// The page a search runs once its total is known: for tickets changed since a time
/// that the total found to be fewer than its cap (and than [`CHANGED_SINCE_SORTED`]),
/// those tickets read through the index by change time and sorted
/// ([`matches_first_page`]); [`page`] otherwise.
pub(crate) fn page_after<D: Dialect>(query: &SearchQuery, total: Total) -> Sql {
    page_after_as::<D>(query, total, TenantCondition::Indexed)
}

/// [`page_after`], with a `contains` page's tenant condition written as `tenant_is`
/// says.
pub(crate) fn page_after_as<D: Dialect>(
    query: &SearchQuery,
    total: Total,
    tenant_is: TenantCondition,
) -> Sql {
    if changed_since(query) && matches!(total, Total::Exact(n) if n <= CHANGED_SINCE_SORTED) {
        matches_first_page::<D>(query, &[FROM_TICKETS], TenantCondition::Indexed)
    } else if has_contains(query) {
        contains_page::<D>(query, tenant_is)
    } else {
        page::<D>(query)
    }
}

/// A `contains` page: the matches with their sort keys, the page's keys, then the
/// page's tickets.
fn contains_page<D: Dialect>(query: &SearchQuery, tenant_is: TenantCondition) -> Sql {
    matches_first_page::<D>(query, &[" FROM ", D::CONTAINS_FROM, JOIN_TENANT], tenant_is)
}

/// Every ticket the search finds, read `from` (the fragments up to its conditions) with
/// its sort keys and kept apart (`MATERIALIZED`, so that no planner walks the tenant in
/// the sort's order testing each ticket), sorted, the page's keys, then the page's
/// tickets.
fn matches_first_page<D: Dialect>(
    query: &SearchQuery,
    from: &[&'static str],
    tenant_is: TenantCondition,
) -> Sql {
    let mut sql = Sql::new("WITH x AS MATERIALIZED (SELECT ");
    sql.push(SORT_COLUMNS);
    for fragment in from {
        sql.push(fragment);
    }
    query::push_search_as::<D>(&mut sql, query, Arm::Whole, tenant_is);
    sql.push(") SELECT ")
        .push(codec::TICKET_COLUMNS)
        .push(" FROM (SELECT t.tenant_id AS page_tenant, t.id AS page_id FROM x t WHERE 1 = 1");
    query::push_after::<D>(&mut sql, query);
    query::push_order::<D>(&mut sql, query);
    push_limit(&mut sql, query);
    sql.push(") p JOIN helpdesk_tickets t ON t.tenant_id = p.page_tenant AND t.id = p.page_id");
    query::push_order::<D>(&mut sql, query);
    sql
}

/// How many tickets a common word's page walks, newest first, before it leaves the page
/// to the matches-first statement ([`page`]): a window of 2,000 fills a page for words in
/// more than one ticket in 40; the second, for words in more than one in 400 (two common
/// words together, say), still reads a fraction of what every match would cost.
const WINDOWS: [i64; 2] = [2_000, 20_000];

/// A `contains` page for words the total found common (more than its cap) in a search
/// sorted by opening time in one arm: the arm's newest `window` tickets after the
/// cursor (keys only, the filters checked in the index where they can be), the words
/// tested on those alone ([`Dialect::push_window_match`]), then the page's tickets read
/// whole. Every matching ticket is not read and sorted, as [`page`] does: a word in a
/// tenth of a million tickets fills a page from a few hundred. When the page is not
/// full the window proves nothing (older matches may follow) and the caller runs
/// [`page`] instead. None for other searches.
pub(crate) fn window_page<D: Dialect>(query: &SearchQuery, window: i64) -> Option<Sql> {
    let words = query.criteria.contains_words();
    let arm = window_arm(query)?;
    let walk = without_words(query);
    let internal = query.scope.sees_internal();
    let mut sql = Sql::new("WITH w AS MATERIALIZED (SELECT t.tenant_id, t.id, t.created_at");
    D::push_window_columns(&mut sql, &words, internal);
    sql.push(from(arm));
    query::push_search::<D>(&mut sql, &walk, arm);
    query::push_after::<D>(&mut sql, &walk);
    query::push_order::<D>(&mut sql, &walk);
    sql.push(" LIMIT ").push_integer(window).push(") SELECT ");
    sql.push(codec::TICKET_COLUMNS).push(
        " FROM (SELECT t.tenant_id AS page_tenant, t.id AS page_id, t.created_at \
         FROM w t WHERE 1 = 1",
    );
    D::push_window_match(&mut sql, &words, internal, &query::search_tenants(query));
    query::push_order::<D>(&mut sql, &walk);
    push_limit(&mut sql, query);
    sql.push(") p JOIN helpdesk_tickets t ON t.tenant_id = p.page_tenant AND t.id = p.page_id");
    query::push_order::<D>(&mut sql, query);
    Some(sql)
}

/// The one arm a `contains` search's windows walk ([`window_page`]): none unless it
/// is sorted by opening time and, its words aside, walks one arm.
pub(crate) fn window_arm(query: &SearchQuery) -> Option<Arm> {
    if !has_contains(query) || query.criteria.sort.key != SortKey::Opened {
        return None;
    }
    match query::arms(&without_words(query))[..] {
        [arm] => Some(arm),
        _ => None,
    }
}

/// `query` without its words: what a walk reads, testing them on each ticket.
fn without_words(query: &SearchQuery) -> SearchQuery {
    let mut walk = query.clone();
    walk.criteria.contains = None;
    walk
}

/// Runs `query` on `pool`: the capped total, then the page ([`window_page`] first, in
/// each of the [`WINDOWS`], when the total found its words common; [`page`] otherwise or
/// when no window filled it). On a database with [`Dialect::HELD_PLANNING`], a
/// `contains` search in one tenant runs as [`probed`] says, and a search walked one
/// filter value at a time or as one walk of a tenant ([`held_walks`]) with the planner
/// held; on the other (SQLite), a `contains` search walked as arms runs as [`listed`]
/// says.
pub(crate) async fn run<D: Dialect>(
    pool: &D::Pool,
    query: &SearchQuery,
) -> StoreResult<SearchPage> {
    match D::HELD_PLANNING {
        Some(planning) if has_contains(query) => match query::single_tenant(query) {
            Some(tenant) => probed::run::<D>(pool, query, tenant, planning).await,
            None => run_in_windows::<D, _>(&mut pool.clone(), query, &WINDOWS).await,
        },
        Some(planning) if held_walks(query) => run_held::<D>(pool, query, planning).await,
        None if listed::walks_arms(query) => listed::run::<D>(pool, query).await,
        _ => run_in_windows::<D, _>(&mut pool.clone(), query, &WINDOWS).await,
    }
}

/// Whether `query` is walked with the planner held ([`run_held`]): without `contains`
/// or a lower bound on the last change, either one value of a filter at a time (a
/// status, a priority, a category, a product: [`query::arms`]) or, newest first, as one
/// walk of a single tenant (not by number, which its unique index finds). Each walk is
/// an equality on the leading columns of an index ordered newest first, which needs no
/// sort; but PostgreSQL without statistics, once it estimates the walk's rows at fewer
/// than the statement's limit, reads every row the index's equality gives through a
/// bitmap and sorts them: the saved search "urgent, not yet handled" (statuses new and
/// in progress, priorities high and blocking) took 4.6 s at a million tickets for a
/// page the walks give in 0.5 ms; a tenant of 100,000 tickets read whole for the total
/// of an admin's list of every ticket, 84 ms against 1.6 ms, and for each page of a CSV
/// export, 4.5 s against 0.67 s (BENCHMARKS.md).
pub(crate) fn held_walks(query: &SearchQuery) -> bool {
    if has_contains(query) || changed_since(query) {
        return false;
    }
    let arms = query::arms(query);
    let one_walk = arms == [Arm::Whole]
        && query.criteria.sort.key == SortKey::Opened
        && query.criteria.number.is_none()
        && query::single_tenant(query).is_some();
    one_walk || (!arms.is_empty() && arms.iter().all(|arm| arm.is_filter()))
}

/// [`run_in_windows`] in a read transaction of its own, the planner held to the
/// statements' shape by `planning` first.
async fn run_held<D: Dialect>(
    pool: &D::Pool,
    query: &SearchQuery,
    planning: HeldPlanning,
) -> StoreResult<SearchPage> {
    let mut tx = D::begin(pool).await.map_err(db)?;
    tx.fetch_optional(Sql::new(planning.hold))
        .await
        .map_err(db)?;
    let page = run_in_windows::<D, _>(&mut tx, query, &WINDOWS).await?;
    // Read only: nothing to keep.
    D::rollback(tx).await.map_err(db)?;
    Ok(page)
}

/// [`run`] with these window sizes.
async fn run_in_windows<D: Dialect, E: Exec>(
    exec: &mut E,
    query: &SearchQuery,
    windows: &[i64],
) -> StoreResult<SearchPage> {
    let total = match query.count.rows_to_read() {
        Some(rows) => query
            .count
            .total(count_of(exec, count::<D>(query, rows)).await?),
        None => Total::NotCounted,
    };
    let common = matches!(total, Total::MoreThan(_));
    finish_in_windows::<D, E>(
        exec,
        query,
        total,
        common,
        windows,
        TenantCondition::Indexed,
    )
    .await
}

/// The page of a search whose total is known: in the [`WINDOWS`] first when its words
/// are `common`, then (none filled, or not common) [`page_after_as`].
async fn finish<D: Dialect, E: Exec>(
    exec: &mut E,
    query: &SearchQuery,
    total: Total,
    common: bool,
    tenant_is: TenantCondition,
) -> StoreResult<SearchPage> {
    finish_in_windows::<D, E>(exec, query, total, common, &WINDOWS, tenant_is).await
}

/// [`finish`] with these window sizes.
async fn finish_in_windows<D: Dialect, E: Exec>(
    exec: &mut E,
    query: &SearchQuery,
    total: Total,
    common: bool,
    windows: &[i64],
    tenant_is: TenantCondition,
) -> StoreResult<SearchPage> {
    let limit = query.page.limit as usize;
    let mut filled = None;
    if common {
        for &size in windows {
            let Some(sql) = window_page::<D>(query, size) else {
                break;
            };
            let window = fetch_all(exec, sql, codec::ticket).await?;
            if window.len() > limit {
                filled = Some(window);
                break;
            }
        }
    }
    let tickets = match filled {
        Some(window) => window,
        None => {
            let sql = page_after_as::<D>(query, total, tenant_is);
            fetch_all(exec, sql, codec::ticket).await?
        }
    };
    Ok(into_page(query, tickets, total))
}

/// Column `n` of the one row a count statement reads (0 when it reads none).
async fn count_of<E: Exec>(exec: &mut E, sql: Sql) -> StoreResult<u64> {
    match exec.fetch_optional(sql).await.map_err(db)? {
        Some(row) => Ok(codec::unsigned(row.i64("n")?, "count")?),
        None => Ok(0),
    }
}

/// The page of `query` from its tickets as read (one more than the page when a next
/// page exists) and its total.
fn into_page(
    query: &SearchQuery,
    mut tickets: Vec<helpdesk_core::Ticket>,
    total: Total,
) -> SearchPage {
    let limit = query.page.limit as usize;
    let more = tickets.len() > limit;
    tickets.truncate(limit);
    let next = if more {
        tickets.last().map(|t| query.cursor_after(t))
    } else {
        None
    };
    SearchPage {
        tickets,
        total,
        next,
    }
}

mod listed;
pub(crate) mod probed;

#[cfg(all(test, feature = "sqlite"))]
mod tests;
