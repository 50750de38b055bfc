//! The service-level time rules: due dates recomputed when a tenant's policy changes,
//! and breaches escalated once, as the worker runs them.

use crate::error::{Error, Result};
use crate::ids::{EventId, TenantId};
use crate::notify::{OutboxMessage, Recipient, recipients};
use crate::people::{ActorRef, StaffRole};
use crate::permissions::Scope;
use crate::ports::TicketChange;
use crate::search::{PageRequest, SearchCriteria, SearchQuery, SlaFilter};
use crate::tenant::Tenant;
use crate::ticket::Ticket;
use crate::timeline::{EventKind, TimelineEvent};

use super::HelpdeskService;
use super::tickets::MAX_ATTEMPTS;

/// How many tickets one page of the time rules reads.
const BATCH: u32 = 100;

impl HelpdeskService {
    /// The open tickets of `tenant` matching `sla` (every open ticket when `None`),
    /// read page after page.
    async fn open_tickets(&self, tenant: TenantId, sla: Option<SlaFilter>) -> Result<Vec<Ticket>> {
        let mut out = Vec::new();
        let mut page = PageRequest {
            limit: BATCH,
            after: None,
        };
        loop {
            let query = SearchQuery {
                scope: Scope::Everything,
                criteria: SearchCriteria {
                    tenant: Some(tenant),
                    sla,
                    ..SearchCriteria::default()
                },
                page: page.clone(),
                now: self.clock.now(),
                // Read to the end: no total needed.
                count: crate::Count::Skip,
            };
            let found = self.store.search(&query).await?;
            out.extend(found.tickets);
            match found.next {
                Some(next) => page.after = Some(next),
                None => return Ok(out),
            }
        }
    }

    /// Recomputes the due dates of every open ticket of `tenant` with its current
    /// policy (called when the policy changes). A ticket's version does not move: its
    /// history did not change, only how it is judged. A ticket changed meanwhile is
    /// read again; a command saving it recomputed its dates with the new policy anyway.
    pub(super) async fn recompute_service_levels(&self, tenant: &Tenant) -> Result<()> {
        let policy = &tenant.settings.service_levels;
        for mut ticket in self.open_tickets(tenant.id, None).await? {
            for _ in 0..MAX_ATTEMPTS {
                let before = ticket.service_level.clone();
                ticket.service_level.recompute(
                    policy,
                    ticket.created_at,
                    ticket.priority,
                    self.clock.now(),
                );
                if ticket.service_level == before {
                    break;
                }
                let saved = self
                    .store
                    .save_ticket(TicketChange {
                        ticket: &ticket,
                        expected_version: ticket.version,
                        events: &[],
                        outbox: &[],
                        attachments: &[],
                        request_fingerprint: None,
                    })
                    .await;
                match saved {
                    Ok(()) => break,
                    Err(Error::VersionConflict { .. }) => {
                        match self.store.ticket_in(ticket.tenant, ticket.id).await? {
                            Some(fresh) => ticket = fresh,
                            None => break,
                        }
                    }
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(())
    }

    /// Escalates every breach not yet escalated, once: for each open ticket whose first
    /// response or resolution is past due and unmet, appends a staff-only
    /// [`EventKind::ServiceLevelBreached`] and queues its notification to the assignee
    /// (or the group) and the tenant's supervisors. Returns how many breaches were
    /// escalated.
    ///
    /// Safe on several workers at once: the escalation is saved like any command, by a
    /// conditional update on the version read, so of two workers escalating the same
    /// ticket one wins and the other finds it changed and leaves it (the next pass
    /// reads it escalated).
    pub async fn escalate_breaches(&self) -> Result<usize> {
        let mut escalated = 0;
        for tenant in self.store.tenants().await? {
            let breached = self
                .open_tickets(tenant.id, Some(SlaFilter::Breached))
                .await?;
            if breached.is_empty() {
                continue;
            }
            let now = self.clock.now();
            let supervisors: Vec<Recipient> = self
                .store
                .all_staff()
                .await?
                .into_iter()
                .filter(|s| s.active && s.role == StaffRole::Supervisor && s.serves(tenant.id))
                .map(|s| Recipient::Staff(s.id))
                .collect();
            for ticket in breached {
                let targets = ticket.service_level.breaches_to_escalate(now);
                if targets.is_empty() {
                    continue;
                }
                let mut next = ticket.clone();
                let mut events = Vec::new();
                for target in targets {
                    let due = ticket.service_level.due.get(target).unwrap_or(now);
                    let event = TimelineEvent {
                        id: EventId::new(),
                        ticket: ticket.id,
                        tenant: ticket.tenant,
                        at: now,
                        author: ActorRef::System,
                        status_change: None,
                        kind: EventKind::ServiceLevelBreached { target, due },
                    };
                    next.apply(&event);
                    events.push(event);
                }
                next.version += 1;
                let outbox: Vec<OutboxMessage> = events
                    .iter()
                    .filter_map(|event| {
                        let mut to = recipients(&next, event);
                        to.extend(supervisors.iter().copied());
                        OutboxMessage::to(&next, event, to)
                    })
                    .collect();
                let saved = self
                    .store
                    .save_ticket(TicketChange {
                        ticket: &next,
                        expected_version: ticket.version,
                        events: &events,
                        outbox: &outbox,
                        attachments: &[],
                        request_fingerprint: None,
                    })
                    .await;
                match saved {
                    Ok(()) => escalated += events.len(),
                    // Another worker (or a command) got there first.
                    Err(Error::VersionConflict { .. } | Error::NotFound(_)) => {}
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(escalated)
    }
}
