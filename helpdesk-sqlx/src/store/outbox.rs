//! [`OutboxRepository`]: the notifications waiting to be delivered, their claims, and
//! the dead letters.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use helpdesk_core::{
    AfterFailure, OutboxId, OutboxMessage, OutboxRepository, StoreResult, TenantId,
};

use super::{SqlStore, db, fetch_all, fetch_optional, select};
use crate::backend::{Dialect, Exec, RowExt};
use crate::codec;
use crate::sql::Sql;

#[async_trait]
impl<D: Dialect> OutboxRepository for SqlStore<D> {
    async fn claim_due_messages(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<OutboxMessage>> {
        // One statement picks and marks the rows: on PostgreSQL the picked rows are
        // locked and rows locked by a concurrent claim skipped; on SQLite the
        // transaction holds the one write lock.
        let mut sql = Sql::new(
            "UPDATE helpdesk_outbox SET claimed_until = $2 WHERE id IN (\
             SELECT id FROM helpdesk_outbox WHERE dead_at IS NULL AND next_attempt_at <= $1 \
             AND (claimed_until IS NULL OR claimed_until <= $1) \
             ORDER BY created_at, id LIMIT $3",
        );
        sql.push(D::CLAIM_LOCK)
            .push(") RETURNING ")
            .push(codec::OUTBOX_COLUMNS);
        let sql = sql
            .arg(codec::nanos_clamped(now))
            .arg(codec::nanos_clamped(lease_until))
            .arg(i64::from(limit));
        let _turn = self.outbox_turn().await;
        let mut tx = D::begin(self.write_pool()).await.map_err(db)?;
        let mut claimed = fetch_all(&mut tx, sql, codec::outbox).await?;
        D::commit(tx).await.map_err(db)?;
        // RETURNING promises no order.
        claimed.sort_by_key(|m| (m.created_at, m.id));
        Ok(claimed)
    }

    async fn mark_delivered(&self, tenant: TenantId, id: OutboxId) -> StoreResult<()> {
        let _turn = self.outbox_turn().await;
        self.write_pool()
            .clone()
            .execute(
                Sql::new("DELETE FROM helpdesk_outbox WHERE tenant_id = $1 AND id = $2")
                    .arg(tenant.as_uuid())
                    .arg(id.as_uuid()),
            )
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn mark_failed(
        &self,
        tenant: TenantId,
        id: OutboxId,
        error: &str,
        next: AfterFailure,
    ) -> StoreResult<()> {
        let (set, at) = match next {
            AfterFailure::RetryAt(at) => ("next_attempt_at", at),
            AfterFailure::DeadLetter(at) => ("dead_at", at),
        };
        let mut sql =
            Sql::new("UPDATE helpdesk_outbox SET attempts = attempts + 1, last_error = $3, ");
        sql.push(set)
            .push(" = $4, claimed_until = NULL WHERE tenant_id = $1 AND id = $2");
        let sql = sql
            .arg(tenant.as_uuid())
            .arg(id.as_uuid())
            .arg(error)
            .arg(codec::nanos_clamped(at));
        let _turn = self.outbox_turn().await;
        self.write_pool().clone().execute(sql).await.map_err(db)?;
        Ok(())
    }

    async fn outbox_message(&self, id: OutboxId) -> StoreResult<Option<OutboxMessage>> {
        let sql =
            select(codec::OUTBOX_COLUMNS, "FROM helpdesk_outbox WHERE id = $1").arg(id.as_uuid());
        fetch_optional(&mut self.conn(), sql, codec::outbox).await
    }

    async fn dead_letters(
        &self,
        tenant: Option<TenantId>,
        limit: u32,
    ) -> StoreResult<Vec<OutboxMessage>> {
        let mut sql = select(
            codec::OUTBOX_COLUMNS,
            "FROM helpdesk_outbox WHERE dead_at IS NOT NULL",
        );
        if let Some(tenant) = tenant {
            sql.push(" AND tenant_id = ").bind(tenant.as_uuid());
        }
        sql.push(" ORDER BY dead_at DESC, id LIMIT ")
            .bind(i64::from(limit));
        fetch_all(&mut self.conn(), sql, codec::outbox).await
    }

    async fn count_dead_letters(&self, tenant: Option<TenantId>) -> StoreResult<u64> {
        let mut sql =
            Sql::new("SELECT COUNT(*) AS n FROM helpdesk_outbox WHERE dead_at IS NOT NULL");
        if let Some(tenant) = tenant {
            sql.push(" AND tenant_id = ").bind(tenant.as_uuid());
        }
        let count = fetch_optional(&mut self.conn(), sql, |r| r.i64("n")).await?;
        Ok(count.map_or(0, |n| u64::try_from(n).unwrap_or(0)))
    }

    async fn retry_dead_letter(
        &self,
        tenant: TenantId,
        id: OutboxId,
        at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let changed = self
            .conn()
            .execute(
                Sql::new(
                    "UPDATE helpdesk_outbox SET dead_at = NULL, attempts = 0, \
                     next_attempt_at = $3, claimed_until = NULL \
                     WHERE tenant_id = $1 AND id = $2 AND dead_at IS NOT NULL",
                )
                .arg(tenant.as_uuid())
                .arg(id.as_uuid())
                .arg(codec::nanos_clamped(at)),
            )
            .await
            .map_err(db)?;
        Ok(changed > 0)
    }
}
