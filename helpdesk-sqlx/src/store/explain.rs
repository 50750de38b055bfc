//! `EXPLAIN (ANALYZE, BUFFERS)` of the statements a search and a dashboard's counts run,
//! for the scale bench's plans on PostgreSQL. Not part of the API: the statements come
//! from the same builders the ports run.

use helpdesk_core::{DashboardQuery, SearchQuery, StoreResult};

use super::{SqlStore, dashboard, db, search};
use crate::backend::{Exec, RowExt};
use crate::sql::Sql;

const EXPLAIN: &str = "EXPLAIN (ANALYZE, BUFFERS) ";

/// Runs `sql`, an `EXPLAIN`: one line per plan line.
async fn explain(store: &SqlStore<crate::PostgresBackend>, sql: Sql) -> StoreResult<Vec<String>> {
    let rows = store.conn().fetch_all(sql).await.map_err(db)?;
    rows.iter()
        .map(|r| r.text("QUERY PLAN").map_err(super::store_err))
        .collect()
}

#[cfg_attr(docsrs, doc(cfg(feature = "postgres")))]
impl SqlStore<crate::PostgresBackend> {
    /// For the benches: the plans of a search's two statements (the total, then the
    /// page), as the port builds them (the total up to the query's cap, or the cap's
    /// default when it asks for none). Runs them.
    #[doc(hidden)]
    pub async fn explain_search(&self, query: &SearchQuery) -> StoreResult<[Vec<String>; 2]> {
        let mut count = Sql::new(EXPLAIN);
        let rows = query
            .count
            .rows_to_read()
            .or(helpdesk_core::Count::default().rows_to_read())
            .unwrap_or(1);
        count.append(search::count::<crate::PostgresBackend>(query, rows));
        let mut page = Sql::new(EXPLAIN);
        page.append(search::page::<crate::PostgresBackend>(query));
        Ok([explain(self, count).await?, explain(self, page).await?])
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
