//! The plans of the statements a search and a dashboard's counts run, for the scale
//! bench: `EXPLAIN (ANALYZE, BUFFERS)` on PostgreSQL, `EXPLAIN QUERY PLAN` on SQLite.
//! Not part of the API: the statements come from the same builders the ports run.

use helpdesk_core::{DashboardQuery, SearchQuery, StoreResult};

#[cfg(feature = "postgres")]
use super::search::probed;
use super::{SqlStore, dashboard, db, search};
use crate::backend::{Exec, RowExt};
use crate::sql::Sql;

#[cfg(feature = "postgres")]
const EXPLAIN: &str = "EXPLAIN (ANALYZE, BUFFERS) ";

/// The rows a total reads for `query`: its cap's, or the default cap's when it asks for
/// none.
fn count_rows(query: &SearchQuery) -> u64 {
    query
        .count
        .rows_to_read()
        .or(helpdesk_core::Count::default().rows_to_read())
        .unwrap_or(1)
}

/// Runs `sql`, an `EXPLAIN`: one line per plan line.
#[cfg(feature = "postgres")]
async fn explain(store: &SqlStore<crate::PostgresBackend>, sql: Sql) -> StoreResult<Vec<String>> {
    plan_lines(store.conn().fetch_all(sql).await.map_err(db)?)
}

/// The lines of a plan, from the rows of its `EXPLAIN`.
#[cfg(feature = "postgres")]
fn plan_lines(rows: Vec<sqlx::postgres::PgRow>) -> StoreResult<Vec<String>> {
    rows.iter()
        .map(|r| r.text("QUERY PLAN").map_err(super::store_err))
        .collect()
}

#[cfg(feature = "postgres")]
#[cfg_attr(docsrs, doc(cfg(feature = "postgres")))]
impl SqlStore<crate::PostgresBackend> {
    /// For the benches: the plans of a search's two statements (the total, then the
    /// page), as the port builds them (the total up to the query's cap, or the cap's
    /// default when it asks for none; the page as run after a total under the cap).
    /// Runs them.
    /// A `contains` search shows its probe's plan, then the total's, in the planner
    /// settings it runs with.
    #[doc(hidden)]
    pub async fn explain_search(&self, query: &SearchQuery) -> StoreResult<[Vec<String>; 2]> {
        use crate::backend::Dialect;
        if let (Some(planning), false, Some(tenant)) = (
            crate::PostgresBackend::HELD_PLANNING,
            query.criteria.contains_words().is_empty(),
            crate::query::single_tenant(query),
        ) {
            return self.explain_probed(query, tenant, planning).await;
        }
        let held = crate::PostgresBackend::HELD_PLANNING.filter(|_| search::held_walks(query));
        let mut count = Sql::new(EXPLAIN);
        count.append(search::count::<crate::PostgresBackend>(
            query,
            count_rows(query),
        ));
        let mut page = Sql::new(EXPLAIN);
        page.append(search::page_after::<crate::PostgresBackend>(
            query,
            helpdesk_core::Total::Exact(0),
        ));
        let Some(planning) = held else {
            return Ok([explain(self, count).await?, explain(self, page).await?]);
        };
        // As the port runs it: in a transaction of its own, the planner held.
        type Pg = crate::PostgresBackend;
        let mut tx = Pg::begin(self.raw_pool()).await.map_err(db)?;
        tx.fetch_optional(Sql::new(planning.hold))
            .await
            .map_err(db)?;
        let count = plan_lines(tx.fetch_all(count).await.map_err(db)?)?;
        let page = plan_lines(tx.fetch_all(page).await.map_err(db)?)?;
        Pg::rollback(tx).await.map_err(db)?;
        Ok([count, page])
    }

    /// [`explain_search`](Self::explain_search) of a `contains` search, in its own
    /// transaction and planner settings.
    async fn explain_probed(
        &self,
        query: &SearchQuery,
        tenant: helpdesk_core::TenantId,
        planning: crate::backend::HeldPlanning,
    ) -> StoreResult<[Vec<String>; 2]> {
        use crate::backend::Dialect;
        type Pg = crate::PostgresBackend;
        let mut tx = Pg::begin(self.raw_pool()).await.map_err(db)?;
        tx.fetch_optional(Sql::new(planning.hold))
            .await
            .map_err(db)?;
        let probe = probed::probe::<Pg, _>(&mut tx, query, tenant).await?;
        let mut plans = Vec::new();
        let probe_sql = probed::probe_statement::<Pg>(query, tenant);
        let rest = probed::statements::<Pg>(query, tenant, probe, count_rows(query));
        for (statement, sorts) in std::iter::once((probe_sql, false)).chain(rest) {
            let settings = if sorts { planning.sorts } else { planning.hold };
            tx.fetch_optional(Sql::new(settings)).await.map_err(db)?;
            let mut sql = Sql::new(EXPLAIN);
            sql.append(statement);
            plans.push(plan_lines(tx.fetch_all(sql).await.map_err(db)?)?);
        }
        Pg::rollback(tx).await.map_err(db)?;
        let page = plans.pop().unwrap_or_default();
        let mut count = vec![format!("probe: {probe:?}")];
        for plan in plans {
            count.extend(plan);
        }
        Ok([count, page])
    }

    /// For the benches: the plans of the dashboard's three statements as the port builds
    /// them for a scope the tallies count in: the ticket tallies (by status and month),
    /// the open tickets due soon and breached, the answer tallies. Runs them.
    #[doc(hidden)]
    pub async fn explain_dashboard_counts(
        &self,
        query: &DashboardQuery,
    ) -> StoreResult<[Vec<String>; 3]> {
        let run = async |statement: Sql| {
            let mut sql = Sql::new(EXPLAIN);
            sql.append(statement);
            explain(self, sql).await
        };
        let tallies = run(dashboard::tally_counts(query)).await?;
        let due = run(dashboard::due_counts(query)).await?;
        let answers = run(dashboard::answer_counts(query)).await?;
        Ok([tallies, due, answers])
    }
}

#[cfg(feature = "sqlite")]
#[cfg_attr(docsrs, doc(cfg(feature = "sqlite")))]
impl SqlStore<crate::SqliteBackend> {
    /// `EXPLAIN QUERY PLAN` of `statement`, one line per plan step, indented by depth.
    /// Does not run it.
    async fn query_plan(&self, statement: Sql) -> StoreResult<Vec<String>> {
        let mut sql = Sql::new("EXPLAIN QUERY PLAN ");
        sql.append(statement);
        let rows = self.conn().fetch_all(sql).await.map_err(db)?;
        let mut depth: Vec<(i64, usize)> = Vec::new();
        let mut lines = Vec::with_capacity(rows.len());
        for row in &rows {
            let (id, parent) = (
                row.i64("id").map_err(super::store_err)?,
                row.i64("parent").map_err(super::store_err)?,
            );
            let level = depth
                .iter()
                .find(|(node, _)| *node == parent)
                .map_or(0, |(_, level)| level + 1);
            depth.push((id, level));
            let detail = row.text("detail").map_err(super::store_err)?;
            lines.push(format!("{}{detail}", "  ".repeat(level)));
        }
        Ok(lines)
    }

    /// For the tests: the plan of a search's page as run after a total over the cap
    /// (or none): the walk.
    #[doc(hidden)]
    pub async fn explain_search_walk(&self, query: &SearchQuery) -> StoreResult<Vec<String>> {
        self.query_plan(search::page::<crate::SqliteBackend>(query))
            .await
    }

    /// For the benches: the plans of a search's two statements (the total, then the
    /// page), as the port builds them (the page as run after a total under the cap).
    #[doc(hidden)]
    pub async fn explain_search(&self, query: &SearchQuery) -> StoreResult<[Vec<String>; 2]> {
        let count = search::count::<crate::SqliteBackend>(query, count_rows(query));
        Ok([
            self.query_plan(count).await?,
            self.query_plan(search::page_after::<crate::SqliteBackend>(
                query,
                helpdesk_core::Total::Exact(0),
            ))
            .await?,
        ])
    }

    /// For the benches: the plans of the dashboard's three statements for a scope the
    /// tallies count in (see the PostgreSQL one).
    #[doc(hidden)]
    pub async fn explain_dashboard_counts(
        &self,
        query: &DashboardQuery,
    ) -> StoreResult<[Vec<String>; 3]> {
        Ok([
            self.query_plan(dashboard::tally_counts(query)).await?,
            self.query_plan(dashboard::due_counts(query)).await?,
            self.query_plan(dashboard::answer_counts(query)).await?,
        ])
    }
}
