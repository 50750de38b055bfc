//! [`SavedSearchRepository`]: the searches a user keeps, per tenant or across tenants.
//!
//! Members' searches live in `helpdesk_saved_searches`, keyed by tenant; staff's (no
//! tenant) in `helpdesk_staff_saved_searches`, a platform table beside the staff
//! (`docs/distribution.md`).

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
        let sql = match search.tenant {
            Some(tenant) => Sql::new(
                "INSERT INTO helpdesk_saved_searches \
                 (id, tenant_id, owner, name, criteria, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (tenant_id, id) DO UPDATE SET \
                 owner = excluded.owner, name = excluded.name, \
                 criteria = excluded.criteria, created_at = excluded.created_at",
            )
            .arg(search.id.as_uuid())
            .arg(tenant.as_uuid()),
            None => Sql::new(
                "INSERT INTO helpdesk_staff_saved_searches \
                 (id, owner, name, criteria, created_at) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO UPDATE SET \
                 owner = excluded.owner, name = excluded.name, \
                 criteria = excluded.criteria, created_at = excluded.created_at",
            )
            .arg(search.id.as_uuid()),
        };
        let sql = sql
            .arg(search.owner.as_str())
            .arg(search.name.as_str())
            .arg(to_json(&search.criteria)?)
            .arg(nanos(search.created_at)?);
        self.conn().execute(sql).await.map_err(db)?;
        Ok(())
    }

    async fn saved_searches(
        &self,
        owner: &UserId,
        tenant: Option<TenantId>,
    ) -> StoreResult<Vec<SavedSearch>> {
        let sql = match tenant {
            Some(t) => select(
                codec::SAVED_SEARCH_COLUMNS,
                "FROM helpdesk_saved_searches WHERE tenant_id = $1 AND owner = $2 \
                 ORDER BY name, id",
            )
            .arg(t.as_uuid()),
            None => select(
                codec::STAFF_SAVED_SEARCH_COLUMNS,
                "FROM helpdesk_staff_saved_searches WHERE owner = $1 ORDER BY name, id",
            ),
        };
        fetch_all(
            &mut self.conn(),
            sql.arg(owner.as_str()),
            codec::saved_search,
        )
        .await
    }

    async fn delete_saved_search(
        &self,
        owner: &UserId,
        tenant: Option<TenantId>,
        id: SavedSearchId,
    ) -> StoreResult<bool> {
        let sql = match tenant {
            Some(t) => Sql::new(
                "DELETE FROM helpdesk_saved_searches \
                 WHERE tenant_id = $1 AND id = $2 AND owner = $3",
            )
            .arg(t.as_uuid()),
            None => {
                Sql::new("DELETE FROM helpdesk_staff_saved_searches WHERE id = $1 AND owner = $2")
            }
        };
        let deleted = self
            .conn()
            .execute(sql.arg(id.as_uuid()).arg(owner.as_str()))
            .await
            .map_err(db)?;
        Ok(deleted > 0)
    }
}
