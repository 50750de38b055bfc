//! [`SavedSearchRepository`]: the searches a user keeps, per tenant or across tenants.

use async_trait::async_trait;
use helpdesk_core::{
    SavedSearch, SavedSearchId, SavedSearchRepository, StoreResult, TenantId, UserId,
};

use super::{SqlStore, db, fetch_all, select};
use crate::backend::{Dialect, Exec};
use crate::codec::{self, nanos, to_json};
use crate::sql::Sql;

#[async_trait]
impl<D: Dialect> SavedSearchRepository for SqlStore<D> {
    async fn insert_saved_search(&self, search: &SavedSearch) -> StoreResult<()> {
        self.conn()
            .execute(
                Sql::new(
                    "INSERT INTO helpdesk_saved_searches \
                     (id, tenant_id, owner, name, criteria, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO UPDATE SET \
                     tenant_id = excluded.tenant_id, owner = excluded.owner, \
                     name = excluded.name, criteria = excluded.criteria, \
                     created_at = excluded.created_at",
                )
                .arg(search.id.as_uuid())
                .arg(search.tenant.map(|t| t.as_uuid()))
                .arg(search.owner.as_str())
                .arg(search.name.as_str())
                .arg(to_json(&search.criteria)?)
                .arg(nanos(search.created_at)?),
            )
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn saved_searches(
        &self,
        owner: &UserId,
        tenant: Option<TenantId>,
    ) -> StoreResult<Vec<SavedSearch>> {
        let mut sql = select(
            codec::SAVED_SEARCH_COLUMNS,
            "FROM helpdesk_saved_searches WHERE owner = $1",
        )
        .arg(owner.as_str());
        match tenant {
            Some(t) => {
                sql.push(" AND tenant_id = ").bind(t.as_uuid());
            }
            None => {
                sql.push(" AND tenant_id IS NULL");
            }
        }
        sql.push(" ORDER BY name, id");
        fetch_all(&mut self.conn(), sql, codec::saved_search).await
    }

    async fn delete_saved_search(&self, owner: &UserId, id: SavedSearchId) -> StoreResult<bool> {
        let deleted = self
            .conn()
            .execute(
                Sql::new("DELETE FROM helpdesk_saved_searches WHERE id = $1 AND owner = $2")
                    .arg(id.as_uuid())
                    .arg(owner.as_str()),
            )
            .await
            .map_err(db)?;
        Ok(deleted > 0)
    }
}
