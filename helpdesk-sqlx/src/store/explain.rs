//! `EXPLAIN (ANALYZE, BUFFERS)` of the statements a search and a dashboard's counts run,
//! for the scale bench's plans on PostgreSQL. Not part of the API: the statements are
//! rebuilt here from the shared fragments of [`query`](crate::query) the way the ports
//! build them, and may drift from the ports' own text.

use helpdesk_core::{DashboardQuery, SearchQuery, StoreResult};

use super::{SqlStore, db};
use crate::backend::{Exec, RowExt};
use crate::codec;
use crate::query;
use crate::sql::Sql;

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
    /// page), rebuilt from the shared query fragments. Runs them.
    #[doc(hidden)]
    pub async fn explain_search(&self, query: &SearchQuery) -> StoreResult<[Vec<String>; 2]> {
        let mut count = Sql::new(
            "EXPLAIN (ANALYZE, BUFFERS) SELECT COUNT(*) AS n FROM helpdesk_tickets t \
             LEFT JOIN helpdesk_tenants tn ON tn.id = t.tenant_id WHERE 1 = 1",
        );
        query::push_search::<crate::PostgresBackend>(&mut count, query);
        let mut page = Sql::new("EXPLAIN (ANALYZE, BUFFERS) SELECT ");
        page.push(codec::TICKET_COLUMNS).push(
            " FROM helpdesk_tickets t LEFT JOIN helpdesk_tenants tn ON tn.id = t.tenant_id \
             WHERE 1 = 1",
        );
        query::push_search::<crate::PostgresBackend>(&mut page, query);
        query::push_after::<crate::PostgresBackend>(&mut page, query);
        query::push_order::<crate::PostgresBackend>(&mut page, query);
        page.push(" LIMIT ").bind(i64::from(query.page.limit) + 1);
        Ok([explain(self, count).await?, explain(self, page).await?])
    }

    /// For the benches: the plan of the dashboard's count by status, rebuilt from the
    /// shared query fragments. Runs it.
    #[doc(hidden)]
    pub async fn explain_dashboard_counts(
        &self,
        query: &DashboardQuery,
    ) -> StoreResult<Vec<String>> {
        let mut sql = Sql::new(
            "EXPLAIN (ANALYZE, BUFFERS) SELECT t.status AS status, COUNT(*) AS n FROM helpdesk_tickets t WHERE 1 = 1",
        );
        query::push_scope(&mut sql, &query.scope);
        if let Some(tenant) = query.tenant {
            sql.push(" AND t.tenant_id = ").bind(tenant.as_uuid());
        }
        if let Some(assignee) = query.assignee {
            sql.push(" AND t.assignee_id = ").bind(assignee.as_uuid());
        }
        sql.push(" GROUP BY t.status");
        explain(self, sql).await
    }
}
