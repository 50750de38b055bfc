//! [`OutboxRepository`]: the notifications waiting to be delivered, their claims, and
//! the dead letters.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use helpdesk_core::{
    AfterFailure, OutboxId, OutboxMessage, OutboxRepository, StoreResult, TenantId,
};
use uuid::Uuid;

use super::{SqlStore, db, fetch_all, fetch_optional, select};
use crate::backend::{Dialect, Exec, RowExt};
use crate::codec;
use crate::sql::Sql;

/// How many times a claim looks for due messages past those a concurrent claim took.
const CLAIM_ROUNDS: usize = 4;

/// A message due at `$1`: not dead, its next attempt reached, unclaimed or its claim over.
const DUE: &str = "dead_at IS NULL AND next_attempt_at <= $1 \
     AND (claimed_until IS NULL OR claimed_until <= $1)";

/// The keys of the `room` oldest due messages, leaving out `seen`: a plain read, no
/// row locked (on a database distributed by tenant, one query to every shard, ordered
/// and cut there).
fn due_messages(now: i64, seen: &[Uuid], room: usize) -> Sql {
    let mut sql = Sql::new("SELECT tenant_id, id FROM helpdesk_outbox WHERE ");
    sql.push(DUE);
    let mut sql = sql.arg(now);
    if !seen.is_empty() {
        sql.push(" AND id NOT IN ").bind_list(seen.iter().copied());
    }
    sql.push(" ORDER BY created_at, id LIMIT ")
        .push_integer(i64::try_from(room).unwrap_or(i64::MAX));
    sql
}

/// `candidates`' ids grouped by tenant, the tenants in the order of their oldest.
fn by_tenant(candidates: &[(Uuid, Uuid)]) -> Vec<(Uuid, Vec<Uuid>)> {
    let mut tenants: Vec<(Uuid, Vec<Uuid>)> = Vec::new();
    for &(tenant, id) in candidates {
        match tenants.iter_mut().find(|(t, _)| *t == tenant) {
            Some((_, ids)) => ids.push(id),
            None => tenants.push((tenant, vec![id])),
        }
    }
    tenants
}

/// Claims those of `ids`, in `tenant`, that are still due: on PostgreSQL each row is
/// locked, and one locked by a claim running at the same time skipped. Every condition
/// names the tenant, so on a database distributed by tenant the statement goes to the
/// tenant's shard alone (row locks are not taken across shards).
fn claim_in_tenant<D: Dialect>(tenant: Uuid, ids: &[Uuid], now: i64, lease_until: i64) -> Sql {
    let mut sql = Sql::new(
        "UPDATE helpdesk_outbox SET claimed_until = $3 WHERE tenant_id = $2 AND id IN (\
         SELECT id FROM helpdesk_outbox WHERE tenant_id = $2 AND ",
    );
    sql.push(DUE).push(" AND id IN ");
    let mut sql = sql.arg(now).arg(tenant).arg(lease_until);
    sql.bind_list(ids.iter().copied())
        .push(D::CLAIM_LOCK)
        .push(") RETURNING ")
        .push(codec::OUTBOX_COLUMNS);
    sql
}

#[async_trait]
impl<D: Dialect> OutboxRepository for SqlStore<D> {
    async fn claim_due_messages(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<OutboxMessage>> {
        let now = codec::nanos_clamped(now);
        let lease_until = codec::nanos_clamped(lease_until);
        let _turn = self.outbox_turn().await;
        let mut tx = D::begin(self.write_pool()).await.map_err(db)?;
        let mut claimed: Vec<OutboxMessage> = Vec::new();
        let mut seen: Vec<Uuid> = Vec::new();
        for _ in 0..CLAIM_ROUNDS {
            let room = usize::try_from(limit)
                .unwrap_or(usize::MAX)
                .saturating_sub(claimed.len());
            if room == 0 {
                break;
            }
            let candidates = fetch_all(&mut tx, due_messages(now, &seen, room), |r| {
                Ok((r.uuid("tenant_id")?, r.uuid("id")?))
            })
            .await?;
            let mut got = 0;
            for (tenant, ids) in by_tenant(&candidates) {
                let rows = fetch_all(
                    &mut tx,
                    claim_in_tenant::<D>(tenant, &ids, now, lease_until),
                    codec::outbox,
                )
                .await?;
                got += rows.len();
                claimed.extend(rows);
            }
            seen.extend(candidates.iter().map(|(_, id)| *id));
            // Every candidate claimed: there are no more due (fewer than the room) or
            // the room is full. Some taken by a claim running at the same time: look
            // again past them.
            if got == candidates.len() {
                break;
            }
        }
        D::commit(tx).await.map_err(db)?;
        // Claimed tenant by tenant; RETURNING promises no order either.
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

    async fn outbox_message_in(
        &self,
        tenant: TenantId,
        id: OutboxId,
    ) -> StoreResult<Option<OutboxMessage>> {
        let sql = select(
            codec::OUTBOX_COLUMNS,
            "FROM helpdesk_outbox WHERE tenant_id = $1 AND id = $2",
        )
        .arg(tenant.as_uuid())
        .arg(id.as_uuid());
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
