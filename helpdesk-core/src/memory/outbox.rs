//! The outbox in memory: claims, failures and dead letters under the store's one lock.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::MemoryStore;
use crate::ids::{OutboxId, TenantId};
use crate::notify::OutboxMessage;
use crate::ports::{AfterFailure, OutboxRepository, StoreResult};

/// A message with its claim.
#[derive(Clone, Debug)]
pub(super) struct Queued {
    message: OutboxMessage,
    claimed_until: Option<DateTime<Utc>>,
}

impl Queued {
    pub(super) fn new(message: OutboxMessage) -> Self {
        Self {
            message,
            claimed_until: None,
        }
    }

    fn claimable(&self, now: DateTime<Utc>) -> bool {
        self.message.dead_at.is_none()
            && self.message.next_attempt_at <= now
            && self.claimed_until.is_none_or(|until| until <= now)
    }
}

#[async_trait]
impl OutboxRepository for MemoryStore {
    async fn claim_due_messages(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<OutboxMessage>> {
        let mut s = self.lock();
        let mut due: Vec<&mut Queued> =
            s.outbox.values_mut().filter(|q| q.claimable(now)).collect();
        due.sort_by_key(|q| (q.message.created_at, q.message.id));
        due.truncate(limit as usize);
        Ok(due
            .into_iter()
            .map(|q| {
                q.claimed_until = Some(lease_until);
                q.message.clone()
            })
            .collect())
    }

    async fn mark_delivered(&self, tenant: TenantId, id: OutboxId) -> StoreResult<()> {
        let mut s = self.lock();
        if s.outbox
            .get(&id)
            .is_some_and(|q| q.message.tenant == tenant)
        {
            s.outbox.remove(&id);
        }
        Ok(())
    }

    async fn mark_failed(
        &self,
        tenant: TenantId,
        id: OutboxId,
        error: &str,
        next: AfterFailure,
    ) -> StoreResult<()> {
        let mut s = self.lock();
        let queued = s.outbox.get_mut(&id).filter(|q| q.message.tenant == tenant);
        if let Some(q) = queued {
            q.claimed_until = None;
            let m = &mut q.message;
            m.attempts += 1;
            m.last_error = Some(error.to_owned());
            match next {
                AfterFailure::RetryAt(at) => m.next_attempt_at = at,
                AfterFailure::DeadLetter(at) => m.dead_at = Some(at),
            }
        }
        Ok(())
    }

    async fn outbox_message(&self, id: OutboxId) -> StoreResult<Option<OutboxMessage>> {
        Ok(self.lock().outbox.get(&id).map(|q| q.message.clone()))
    }

    async fn dead_letters(
        &self,
        tenant: Option<TenantId>,
        limit: u32,
    ) -> StoreResult<Vec<OutboxMessage>> {
        let s = self.lock();
        let mut dead: Vec<OutboxMessage> = s
            .outbox
            .values()
            .map(|q| &q.message)
            .filter(|m| m.dead_at.is_some() && tenant.is_none_or(|t| t == m.tenant))
            .cloned()
            .collect();
        dead.sort_by(|a, b| b.dead_at.cmp(&a.dead_at).then(a.id.cmp(&b.id)));
        dead.truncate(limit as usize);
        Ok(dead)
    }

    async fn count_dead_letters(&self, tenant: Option<TenantId>) -> StoreResult<u64> {
        let s = self.lock();
        let count = s
            .outbox
            .values()
            .filter(|q| q.message.dead_at.is_some() && tenant.is_none_or(|t| t == q.message.tenant))
            .count();
        Ok(count as u64)
    }

    async fn retry_dead_letter(
        &self,
        tenant: TenantId,
        id: OutboxId,
        at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let mut s = self.lock();
        let Some(q) = s
            .outbox
            .get_mut(&id)
            .filter(|q| q.message.dead_at.is_some() && q.message.tenant == tenant)
        else {
            return Ok(false);
        };
        q.claimed_until = None;
        q.message.dead_at = None;
        q.message.attempts = 0;
        q.message.next_attempt_at = at;
        Ok(true)
    }
}
