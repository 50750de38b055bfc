//! [`TenantRepository`]: tenants and the choice questions of their questionnaires.

use async_trait::async_trait;
use helpdesk_core::{Entity, Error, QuestionKind, StoreResult, Tenant, TenantId, TenantRepository};

use super::{SqlStore, db, fetch_all, fetch_optional, select};
use crate::backend::{Dialect, Exec};
use crate::codec::{self, to_json};
use crate::error::{SqlxStoreError, duplicate_as};
use crate::query;
use crate::sql::Sql;

#[async_trait]
impl<D: Dialect> TenantRepository for SqlStore<D> {
    async fn insert_tenant(&self, tenant: &Tenant) -> StoreResult<()> {
        let mut tx = D::begin(&self.pool).await.map_err(db)?;
        tx.execute(
            tenant_values(
                Sql::new(
                    "INSERT INTO helpdesk_tenants \
                     (id, name, settings, archive_delay_ns, score_key, slug) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .arg(tenant.id.as_uuid()),
                tenant,
            )?
            .arg(tenant.slug.as_str()),
        )
        .await
        .map_err(duplicate_as(Entity::Tenant))?;
        write_choice_questions(&mut tx, tenant).await?;
        D::commit(tx).await.map_err(db)
    }

    async fn update_tenant(&self, tenant: &Tenant) -> StoreResult<()> {
        let mut tx = D::begin(&self.pool).await.map_err(db)?;
        let changed = tx
            .execute(tenant_values(
                Sql::new(
                    "UPDATE helpdesk_tenants SET name = $2, settings = $3, \
                     archive_delay_ns = $4, score_key = $5 WHERE id = $1",
                )
                .arg(tenant.id.as_uuid()),
                tenant,
            )?)
            .await
            .map_err(db)?;
        if changed == 0 {
            return Err(Error::NotFound(Entity::Tenant));
        }
        tx.execute(
            Sql::new("DELETE FROM helpdesk_tenant_choice_questions WHERE tenant_id = $1")
                .arg(tenant.id.as_uuid()),
        )
        .await
        .map_err(db)?;
        write_choice_questions(&mut tx, tenant).await?;
        D::commit(tx).await.map_err(db)
    }

    async fn tenant(&self, id: TenantId) -> StoreResult<Option<Tenant>> {
        let sql =
            select(codec::TENANT_COLUMNS, "FROM helpdesk_tenants WHERE id = $1").arg(id.as_uuid());
        fetch_optional(&mut self.conn(), sql, codec::tenant).await
    }

    async fn tenant_by_slug(&self, slug: &str) -> StoreResult<Option<Tenant>> {
        let sql = select(
            codec::TENANT_COLUMNS,
            "FROM helpdesk_tenants WHERE slug = $1",
        )
        .arg(slug);
        fetch_optional(&mut self.conn(), sql, codec::tenant).await
    }

    async fn tenants(&self) -> StoreResult<Vec<Tenant>> {
        let sql = select(codec::TENANT_COLUMNS, "FROM helpdesk_tenants ORDER BY slug");
        fetch_all(&mut self.conn(), sql, codec::tenant).await
    }
}

/// The values of a tenant row shared by insert and update, from `$2` on (`$1` is the id;
/// the slug never changes).
fn tenant_values(sql: Sql, tenant: &Tenant) -> Result<Sql, SqlxStoreError> {
    Ok(sql
        .arg(tenant.name.as_str())
        .arg(to_json(&tenant.settings)?)
        .arg(query::archive_delay_ns(tenant.settings.archive_delay))
        .arg(tenant.settings.questionnaire.score_key().map(str::to_owned)))
}

/// Records which questions of the tenant's questionnaire are choices, for the dashboard.
async fn write_choice_questions<E: Exec>(tx: &mut E, tenant: &Tenant) -> StoreResult<()> {
    for q in &tenant.settings.questionnaire.questions {
        if matches!(q.kind, QuestionKind::Choice { .. }) {
            tx.execute(
                Sql::new(
                    "INSERT INTO helpdesk_tenant_choice_questions (tenant_id, question_key) \
                     VALUES ($1, $2) ON CONFLICT DO NOTHING",
                )
                .arg(tenant.id.as_uuid())
                .arg(q.key.as_str()),
            )
            .await
            .map_err(db)?;
        }
    }
    Ok(())
}
