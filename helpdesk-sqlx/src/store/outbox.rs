//! [`OutboxRepository`]: the notifications waiting to be delivered.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use helpdesk_core::{OutboxId, OutboxMessage, OutboxRepository, StoreResult};

use super::{SqlStore, db, fetch_all, select};
use crate::backend::{Dialect, Exec};
use crate::codec;
use crate::sql::Sql;

#[async_trait]
impl<D: Dialect> OutboxRepository for SqlStore<D> {
    async fn due_messages(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<OutboxMessage>> {
        let sql = select(
            codec::OUTBOX_COLUMNS,
            "FROM helpdesk_outbox WHERE next_attempt_at <= $1 \
             ORDER BY created_at, id LIMIT $2",
        )
        .arg(codec::nanos_clamped(now))
        .arg(i64::from(limit));
        fetch_all(&mut self.conn(), sql, codec::outbox).await
    }

    async fn mark_delivered(&self, id: OutboxId) -> StoreResult<()> {
        self.conn()
            .execute(Sql::new("DELETE FROM helpdesk_outbox WHERE id = $1").arg(id.as_uuid()))
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn mark_failed(
        &self,
        id: OutboxId,
        error: &str,
        retry_at: DateTime<Utc>,
    ) -> StoreResult<()> {
        self.conn()
            .execute(
                Sql::new(
                    "UPDATE helpdesk_outbox SET attempts = attempts + 1, last_error = $2, \
                     next_attempt_at = $3 WHERE id = $1",
                )
                .arg(id.as_uuid())
                .arg(error)
                .arg(codec::nanos_clamped(retry_at)),
            )
            .await
            .map_err(db)?;
        Ok(())
    }
}
