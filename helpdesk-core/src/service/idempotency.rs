//! Opening a ticket with an idempotency key: the id it gets, and the claim that keeps a
//! second request with the same key from running beside the first in this process.

use crate::ids::{TenantId, TicketId};
use crate::people::Actor;

/// The id a ticket opened with an idempotency key gets: the same for the same caller,
/// tenant and key, so a retried request finds the ticket its first try opened.
pub(super) fn idempotent_ticket_id(tenant: TenantId, actor: &Actor, key: &str) -> TicketId {
    let caller = match actor.reference() {
        crate::ActorRef::Member(id) => id.to_string(),
        crate::ActorRef::Staff(id) => id.to_string(),
        crate::ActorRef::System => "system".to_owned(),
    };
    let name = format!("{tenant}/{caller}/{key}");
    TicketId::from_uuid(uuid::Uuid::new_v5(&IDEMPOTENCY_NAMESPACE, name.as_bytes()))
}

const IDEMPOTENCY_NAMESPACE: uuid::Uuid =
    uuid::Uuid::from_u128(0x5d1c_7f0e_8a7b_4d51_9b8e_6f1a_2c3d_4e5f);

/// An open with an idempotency key, running in this process: claimed before the work
/// starts, released when it ends, whatever the outcome.
pub(super) struct InFlight<'a> {
    set: &'a std::sync::Mutex<std::collections::HashSet<TicketId>>,
    id: TicketId,
}

impl<'a> InFlight<'a> {
    /// Claims `id`, or `None` when a request holding it is still running.
    pub(super) fn claim(
        set: &'a std::sync::Mutex<std::collections::HashSet<TicketId>>,
        id: TicketId,
    ) -> Option<Self> {
        let claimed = set
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(id);
        // Built only when claimed, and after the lock is released: dropping an unclaimed
        // guard would release the running request's claim.
        claimed.then(|| Self { set, id })
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.set
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(&self.id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_idempotency_claim_is_held_until_dropped_and_a_refused_claim_releases_nothing() {
        let set = std::sync::Mutex::default();
        let id = TicketId::new();
        let first = InFlight::claim(&set, id);
        assert!(first.is_some());
        assert!(InFlight::claim(&set, id).is_none(), "the key is in use");
        assert!(
            InFlight::claim(&set, id).is_none(),
            "a refused claim left the first one in place"
        );
        drop(first);
        assert!(InFlight::claim(&set, id).is_some(), "released once done");
    }
}
