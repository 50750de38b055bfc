//! [`WebhookRepository`]: the webhook endpoints tenants register, each one JSON
//! document with its secret.

use async_trait::async_trait;
use helpdesk_core::{StoreResult, TenantId, Webhook, WebhookId, WebhookRepository};

use super::{SqlStore, db, fetch_all, select};
use crate::backend::{Dialect, Exec, RowExt};
use crate::codec::{self, from_json, to_json};
use crate::sql::Sql;

#[async_trait]
impl<D: Dialect> WebhookRepository for SqlStore<D> {
    async fn save_webhook(&self, webhook: &Webhook) -> StoreResult<()> {
        // The key is (tenant_id, id); an id already taken by another tenant's endpoint
        // still changes nothing, and adds nothing to this tenant. That check reads the
        // `id` index: on a database distributed by tenant, every shard (a rare admin
        // write; `docs/distribution.md`).
        let sql = Sql::new(
            "INSERT INTO helpdesk_webhooks (id, tenant_id, created_at, data) \
             SELECT $1, $2, $3, $4 WHERE NOT EXISTS (SELECT 1 FROM helpdesk_webhooks \
             WHERE id = $1 AND tenant_id <> $2) \
             ON CONFLICT (tenant_id, id) DO UPDATE SET data = excluded.data",
        )
        .arg(webhook.endpoint.id.as_uuid())
        .arg(webhook.endpoint.tenant.as_uuid())
        .arg(codec::nanos_clamped(webhook.endpoint.created_at))
        .arg(to_json(webhook)?);
        self.conn().execute(sql).await.map_err(db)?;
        Ok(())
    }

    async fn delete_webhook(&self, tenant: TenantId, id: WebhookId) -> StoreResult<bool> {
        let deleted = self
            .conn()
            .execute(
                Sql::new("DELETE FROM helpdesk_webhooks WHERE tenant_id = $1 AND id = $2")
                    .arg(tenant.as_uuid())
                    .arg(id.as_uuid()),
            )
            .await
            .map_err(db)?;
        Ok(deleted > 0)
    }

    async fn webhooks(&self, tenant: TenantId) -> StoreResult<Vec<Webhook>> {
        let sql = select(
            "data",
            "FROM helpdesk_webhooks WHERE tenant_id = $1 ORDER BY created_at, id",
        )
        .arg(tenant.as_uuid());
        fetch_all(&mut self.conn(), sql, |r| from_json(r.json("data")?)).await
    }
}
