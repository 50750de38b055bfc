//! Dead letters: outbox messages given up on after too many failed deliveries, kept
//! and visible to those who run the helpdesk, until one of them retries it.
//!
//! Who: platform admins (every tenant) and supervisors (the tenants they serve). They
//! run the support side and manage staff, whose addresses are most often the cause; a
//! dead letter may be about an internal note, which tenant admins (members) must not
//! learn of, and agents do not administer anything.

use crate::error::{Entity, Error, Forbidden, Result};
use crate::ids::{OutboxId, TenantId};
use crate::notify::OutboxMessage;
use crate::people::{Actor, StaffRole, TenantScope};

use super::HelpdeskService;

/// How many dead letters one list holds at most.
pub const MAX_DEAD_LETTERS: u32 = 500;

/// The tenants whose dead letters `actor` may see: all, some, or none (`None`).
enum DeadLetterScope {
    All,
    Only(Vec<TenantId>),
}

fn dead_letter_scope(actor: &Actor) -> Option<DeadLetterScope> {
    match actor {
        Actor::System => Some(DeadLetterScope::All),
        Actor::Staff(s) if s.active => match (s.role, &s.tenants) {
            (StaffRole::PlatformAdmin, _) | (StaffRole::Supervisor, TenantScope::All) => {
                Some(DeadLetterScope::All)
            }
            (StaffRole::Supervisor, TenantScope::Only(tenants)) => {
                Some(DeadLetterScope::Only(tenants.clone()))
            }
            (StaffRole::Agent, _) => None,
        },
        _ => None,
    }
}

impl DeadLetterScope {
    fn includes(&self, tenant: TenantId) -> bool {
        match self {
            DeadLetterScope::All => true,
            DeadLetterScope::Only(tenants) => tenants.contains(&tenant),
        }
    }
}

impl HelpdeskService {
    /// The dead letters of `tenant`, or of every tenant `actor` may see with `None`,
    /// most recently given up on first, at most [`MAX_DEAD_LETTERS`]. Platform admins
    /// and supervisors (their tenants) only ([`Forbidden::RoleRequired`]).
    pub async fn dead_letters(
        &self,
        actor: &Actor,
        tenant: Option<TenantId>,
    ) -> Result<Vec<OutboxMessage>> {
        let scope = Self::dead_letter_scope_of(actor, tenant)?;
        let mut letters = match (tenant, scope) {
            (Some(t), _) => self.store.dead_letters(Some(t), MAX_DEAD_LETTERS).await?,
            (None, DeadLetterScope::All) => self.store.dead_letters(None, MAX_DEAD_LETTERS).await?,
            (None, DeadLetterScope::Only(tenants)) => {
                let mut all = Vec::new();
                for t in tenants {
                    all.extend(self.store.dead_letters(Some(t), MAX_DEAD_LETTERS).await?);
                }
                all
            }
        };
        letters.sort_by(|a, b| b.dead_at.cmp(&a.dead_at).then(a.id.cmp(&b.id)));
        letters.truncate(MAX_DEAD_LETTERS as usize);
        Ok(letters)
    }

    /// How many dead letters wait in `tenant` (or every tenant `actor` may see), for the
    /// dashboard: `None` for anyone who may not see them.
    pub async fn dead_letter_count(
        &self,
        actor: &Actor,
        tenant: Option<TenantId>,
    ) -> Result<Option<u64>> {
        let Ok(scope) = Self::dead_letter_scope_of(actor, tenant) else {
            return Ok(None);
        };
        let count = match (tenant, scope) {
            (Some(t), _) => self.store.count_dead_letters(Some(t)).await?,
            (None, DeadLetterScope::All) => self.store.count_dead_letters(None).await?,
            (None, DeadLetterScope::Only(tenants)) => {
                let mut sum = 0;
                for t in tenants {
                    sum += self.store.count_dead_letters(Some(t)).await?;
                }
                sum
            }
        };
        Ok(Some(count))
    }

    /// Puts dead letter `id` back in line: due now, its attempts reset (it gets the
    /// full number of tries again), its last error kept until the next attempt. Platform
    /// admins and supervisors of its tenant; a message that is not a dead letter, or
    /// one of a tenant the supervisor does not serve (or not of `tenant`, when named),
    /// is not found; a `tenant` the caller may not see is refused as
    /// [`dead_letters`](Self::dead_letters) refuses it.
    ///
    /// `tenant` is the dead letter's ([`OutboxMessage::tenant`], in every list of
    /// them): named, the message is read by its `(tenant, id)` key; `None` reads it
    /// among the tenants a supervisor serves, one key at a time, and for callers who
    /// see every tenant by its id alone (on a database distributed by tenant, a query
    /// to every shard).
    pub async fn retry_dead_letter(
        &self,
        actor: &Actor,
        tenant: Option<TenantId>,
        id: OutboxId,
    ) -> Result<OutboxMessage> {
        let scope = Self::dead_letter_scope_of(actor, tenant)?;
        let not_found = || Error::NotFound(Entity::DeadLetter);
        let message = self
            .dead_letter_to_retry(&scope, tenant, id)
            .await?
            .ok_or_else(not_found)?;
        if !self
            .store
            .retry_dead_letter(message.tenant, id, self.clock.now())
            .await?
        {
            // Retried by someone else in the meantime.
            return Err(not_found());
        }
        self.store
            .outbox_message_in(message.tenant, id)
            .await?
            .ok_or_else(not_found)
    }

    /// Dead letter `id` as `scope` may find it: in `tenant` when named, else among the
    /// scope's tenants. None when it is not a dead letter there.
    async fn dead_letter_to_retry(
        &self,
        scope: &DeadLetterScope,
        tenant: Option<TenantId>,
        id: OutboxId,
    ) -> Result<Option<OutboxMessage>> {
        let found = match (tenant, scope) {
            (Some(t), _) => self.store.outbox_message_in(t, id).await?,
            (None, DeadLetterScope::All) => self.store.outbox_message(id).await?,
            (None, DeadLetterScope::Only(tenants)) => {
                let mut found = None;
                for &t in tenants {
                    found = self.store.outbox_message_in(t, id).await?;
                    if found.is_some() {
                        break;
                    }
                }
                found
            }
        };
        Ok(found.filter(|m| m.dead_at.is_some() && scope.includes(m.tenant)))
    }

    /// Who may see dead letters, and of `tenant` if one is named.
    fn dead_letter_scope_of(actor: &Actor, tenant: Option<TenantId>) -> Result<DeadLetterScope> {
        let scope = dead_letter_scope(actor).ok_or(Forbidden::RoleRequired)?;
        if let Some(t) = tenant {
            Self::ensure_in_tenant(actor, t)?;
            Self::require(scope.includes(t), Forbidden::RoleRequired)?;
        }
        Ok(scope)
    }
}
