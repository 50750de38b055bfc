//! Delivering the outbox to a [`Notifier`].

use chrono::Duration;

use crate::error::Result;
use crate::notify::{Contact, ContactRef, Notification, Notifier, OutboxMessage, Recipient};
use crate::people::Actor;
use crate::permissions::{Scope, may_read_event};

use super::HelpdeskService;

/// What one delivery run did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    /// Messages the notifier accepted.
    pub delivered: usize,
    /// Messages that failed and wait for a retry.
    pub failed: usize,
}

impl HelpdeskService {
    /// Delivers up to `limit` due outbox messages to `notifier`. Each recipient is
    /// checked again at delivery: a blocked member, inactive staff, or anyone who may no
    /// longer see the ticket or the event is left out. A failed delivery stays in the
    /// outbox and is retried later, backing off from one minute to a day; so does a
    /// message whose ticket or people cannot be read, without holding up the others.
    pub async fn deliver_notifications(
        &self,
        notifier: &dyn Notifier,
        limit: u32,
    ) -> Result<DeliveryReport> {
        let now = self.clock.now();
        let mut report = DeliveryReport::default();
        for message in self.store.due_messages(now, limit).await? {
            let backoff =
                Duration::minutes(1i64 << message.attempts.min(10)).min(Duration::days(1));
            // A message that cannot be read fails alone: the others still go out.
            let notification = match self.resolve(&message).await {
                Ok(Some(notification)) if !notification.contacts.is_empty() => Ok(notification),
                Ok(_) => {
                    self.store.mark_delivered(message.id).await?;
                    continue;
                }
                Err(e) => Err(e.to_string()),
            };
            let delivered = match notification {
                Ok(notification) => notifier
                    .notify(&notification)
                    .await
                    .map_err(|e| e.to_string()),
                Err(reason) => Err(reason),
            };
            match delivered {
                Ok(()) => {
                    self.store.mark_delivered(message.id).await?;
                    report.delivered += 1;
                }
                Err(reason) => {
                    self.store
                        .mark_failed(message.id, &reason, now + backoff)
                        .await?;
                    report.failed += 1;
                }
            }
        }
        Ok(report)
    }

    async fn resolve(&self, message: &OutboxMessage) -> Result<Option<Notification>> {
        let Some(ticket) = self.store.ticket(message.ticket).await? else {
            return Ok(None);
        };
        let Some(tenant) = self.store.tenant(ticket.tenant).await? else {
            return Ok(None);
        };
        let Some(event) = self
            .store
            .timeline(ticket.id)
            .await?
            .into_iter()
            .find(|e| e.id == message.event)
        else {
            return Ok(None);
        };
        let mut actors = Vec::new();
        for recipient in &message.recipients {
            match recipient {
                Recipient::Member(id) => {
                    if let Some(m) = self.store.member(ticket.tenant, *id).await? {
                        actors.push(Actor::Member(m));
                    }
                }
                Recipient::Staff(id) => {
                    if let Some(s) = self.store.staff(*id).await? {
                        actors.push(Actor::Staff(s));
                    }
                }
                Recipient::Group(group) => {
                    for s in self.store.all_staff().await? {
                        if s.groups.contains(group) {
                            actors.push(Actor::Staff(s));
                        }
                    }
                }
            }
        }
        let policy = tenant.settings.requester_visibility;
        let mut contacts: Vec<Contact> = Vec::new();
        for actor in actors {
            let sees = Scope::of(&actor, policy).admits(&ticket) && may_read_event(&actor, &event);
            let is_author = actor.reference() == event.author;
            if !sees || is_author {
                continue;
            }
            let contact = match actor {
                Actor::Member(m) => Contact {
                    recipient: ContactRef::Member(m.id),
                    display_name: m.display_name,
                    email: m.email,
                },
                Actor::Staff(s) => Contact {
                    recipient: ContactRef::Staff(s.id),
                    display_name: s.display_name,
                    email: s.email,
                },
                Actor::System => continue,
            };
            if !contacts.iter().any(|c| c.recipient == contact.recipient) {
                contacts.push(contact);
            }
        }
        Ok(Some(Notification {
            id: message.id,
            tenant: ticket.tenant,
            ticket: ticket.id,
            number: ticket.number,
            subject: ticket.subject.clone(),
            event,
            contacts,
        }))
    }
}
