//! Delivering the outbox to a [`Notifier`] and, for webhook messages, a [`WebhookSender`].

use crate::delivery::{DeliverySettings, retry_delay};
use crate::error::Result;
use crate::ids::{TenantId, WebhookId};
use crate::notify::{Contact, Notification, Notifier, OutboxMessage, Recipient};
use crate::people::{Actor, ActorRef};
use crate::permissions::{Scope, may_read_event};
use crate::ports::AfterFailure;
use crate::timeline::{EventKind, Visibility};
use crate::topic::NotificationTopic;
use crate::webhook::{Webhook, WebhookPayload, WebhookSender, WebhookTenant, WebhookTicket};

use super::HelpdeskService;

/// What one delivery pass did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    /// Messages claimed.
    pub claimed: usize,
    /// Messages the notifier accepted.
    pub delivered: usize,
    /// Messages that failed and wait for a retry.
    pub failed: usize,
    /// Messages that failed for the last time and became dead letters.
    pub dead_lettered: usize,
    /// Webhook messages claimed with no [`WebhookSender`] to deliver them: left
    /// claimed until their lease ends, for a worker that has one.
    pub waiting: usize,
}

impl HelpdeskService {
    /// Claims up to `limit` due outbox messages and delivers them to `notifier`, with
    /// the other [`DeliverySettings`] at their defaults: see
    /// [`deliver_outbox`](Self::deliver_outbox).
    pub async fn deliver_notifications(
        &self,
        notifier: &dyn Notifier,
        limit: u32,
    ) -> Result<DeliveryReport> {
        let settings = DeliverySettings {
            batch: limit,
            ..DeliverySettings::default()
        };
        self.deliver_outbox(notifier, &settings).await
    }

    /// One delivery pass: claims up to `settings.batch` due messages for
    /// `settings.lease` (so no other worker hands them out meanwhile) and delivers them
    /// to `notifier`. Each recipient is checked again at delivery: a blocked member,
    /// inactive staff, or anyone who may no longer see the ticket or the event is left
    /// out, and so is anyone who muted the event's [`NotificationTopic`]. A failed delivery stays in the outbox and is retried after
    /// [`retry_delay`]; after `settings.max_attempts` failures it becomes a dead letter,
    /// kept with its last error. A message whose ticket or people cannot be read fails
    /// the same way, alone: the others still go out. A store error ends the pass (the
    /// messages it had not finished are claimed again once their lease is over).
    pub async fn deliver_outbox(
        &self,
        notifier: &dyn Notifier,
        settings: &DeliverySettings,
    ) -> Result<DeliveryReport> {
        self.deliver_outbox_with(notifier, None, settings).await
    }

    /// One delivery pass, as [`deliver_outbox`](Self::deliver_outbox), with webhook
    /// messages posted through `webhooks`. Without a sender, the webhook messages
    /// claimed are left alone, claimed until their lease ends (no attempt counted), so
    /// a worker with a sender delivers them: they are never dropped. A webhook message
    /// whose endpoint was deleted, deactivated, or no longer wants the event is
    /// dropped.
    pub async fn deliver_outbox_with(
        &self,
        notifier: &dyn Notifier,
        webhooks: Option<&dyn WebhookSender>,
        settings: &DeliverySettings,
    ) -> Result<DeliveryReport> {
        let now = self.clock.now();
        let claimed = self
            .store
            .claim_due_messages(now, now + settings.lease, settings.batch)
            .await?;
        let mut report = DeliveryReport {
            claimed: claimed.len(),
            ..DeliveryReport::default()
        };
        for message in claimed {
            let delivered = if let Some(hook) = message.webhook() {
                let Some(sender) = webhooks else {
                    report.waiting += 1;
                    continue;
                };
                match self.resolve_webhook(&message, hook).await {
                    Ok(Some((webhook, payload))) => sender
                        .send(&webhook, &payload)
                        .await
                        .map_err(|e| e.to_string()),
                    Ok(None) => {
                        self.store
                            .mark_delivered(message.tenant, message.id)
                            .await?;
                        continue;
                    }
                    Err(e) => Err(e.to_string()),
                }
            } else {
                let notification = match self.resolve(&message).await {
                    Ok(Some(notification)) if !notification.contacts.is_empty() => Ok(notification),
                    // Nobody left to tell (or the ticket is gone): nothing to deliver.
                    Ok(_) => {
                        self.store
                            .mark_delivered(message.tenant, message.id)
                            .await?;
                        continue;
                    }
                    Err(e) => Err(e.to_string()),
                };
                match notification {
                    Ok(notification) => notifier
                        .notify(&notification)
                        .await
                        .map_err(|e| e.to_string()),
                    Err(reason) => Err(reason),
                }
            };
            match delivered {
                Ok(()) => {
                    self.store
                        .mark_delivered(message.tenant, message.id)
                        .await?;
                    report.delivered += 1;
                }
                Err(reason) => {
                    let failures = message.attempts.saturating_add(1);
                    let now = self.clock.now();
                    let next = if failures >= settings.max_attempts {
                        report.dead_lettered += 1;
                        AfterFailure::DeadLetter(now)
                    } else {
                        report.failed += 1;
                        AfterFailure::RetryAt(now + retry_delay(message.id, failures))
                    };
                    self.store
                        .mark_failed(message.tenant, message.id, &reason, next)
                        .await?;
                }
            }
        }
        Ok(report)
    }

    /// The endpoint and payload of a webhook message; none when there is nothing to
    /// send any more (ticket, event or endpoint gone, endpoint inactive or no longer
    /// wanting the event).
    async fn resolve_webhook(
        &self,
        message: &OutboxMessage,
        hook: WebhookId,
    ) -> Result<Option<(Webhook, WebhookPayload)>> {
        let Some(webhook) = self
            .store
            .webhooks(message.tenant)
            .await?
            .into_iter()
            .find(|w| w.endpoint.id == hook)
        else {
            return Ok(None);
        };
        let Some((ticket, tenant, event)) = self.subject_of(message).await? else {
            return Ok(None);
        };
        if ticket.tenant != webhook.endpoint.tenant || !webhook.endpoint.wants(&event) {
            return Ok(None);
        }
        let author_name = self.author_name(ticket.tenant, event.author).await?;
        let internal = event.visibility() != Visibility::Public;
        let payload = WebhookPayload {
            id: message.id,
            event_id: event.id,
            kind: event.kind.name().to_owned(),
            internal,
            occurred_at: event.at,
            tenant: WebhookTenant {
                id: tenant.id,
                slug: tenant.slug,
            },
            author_name,
            text: match event.kind {
                EventKind::Opened => Some(ticket.description.clone()),
                // `wants` let an internal note through only to an endpoint that opted in.
                _ => event.body().cloned(),
            },
            ticket: WebhookTicket {
                id: ticket.id,
                number: ticket.number,
                status: ticket.status(),
                priority: ticket.priority,
                subject: ticket.subject,
            },
        };
        Ok(Some((webhook, payload)))
    }

    /// The ticket, tenant and event `message` tells about, as they are now; none when
    /// one of them is gone.
    async fn subject_of(
        &self,
        message: &OutboxMessage,
    ) -> Result<Option<(crate::Ticket, crate::Tenant, crate::TimelineEvent)>> {
        let Some(ticket) = self.store.ticket_in(message.tenant, message.ticket).await? else {
            return Ok(None);
        };
        let Some(tenant) = self.cached_tenant(ticket.tenant).await? else {
            return Ok(None);
        };
        let event = self
            .store
            .event_in(ticket.tenant, ticket.id, message.event)
            .await?;
        Ok(event.map(|event| (ticket, tenant, event)))
    }

    async fn resolve(&self, message: &OutboxMessage) -> Result<Option<Notification>> {
        let Some((ticket, tenant, event)) = self.subject_of(message).await? else {
            return Ok(None);
        };
        let actors = self.expand(ticket.tenant, &message.recipients).await?;
        let policy = tenant.settings.requester_visibility;
        let language = tenant.settings.default_language.as_str();
        let topic = NotificationTopic::of(&event.kind);
        let mut contacts: Vec<Contact> = Vec::new();
        for actor in actors {
            let sees = Scope::of(&actor, policy).admits(&ticket) && may_read_event(&actor, &event);
            let is_author = actor.reference() == event.author;
            if !sees || is_author || actor.mutes(topic) {
                continue;
            }
            let Some(contact) = Contact::of(actor, &ticket, language) else {
                continue;
            };
            if !contacts.iter().any(|c| c.recipient == contact.recipient) {
                contacts.push(contact);
            }
        }
        let author_name = self.author_name(ticket.tenant, event.author).await?;
        let status = ticket.status();
        Ok(Some(Notification {
            id: message.id,
            tenant: ticket.tenant,
            ticket: ticket.id,
            number: ticket.number,
            subject: ticket.subject.clone(),
            status_labels: Notification::labels_for(
                &tenant.settings,
                status,
                contacts.iter().map(|c| c.language.as_str()),
            ),
            public_text: match event.kind {
                // What the ticket asks: the text of its opening.
                EventKind::Opened => Some(ticket.description.clone()),
                _ if event.visibility() == Visibility::Public => event.body().cloned(),
                _ => None,
            },
            event,
            contacts,
            tenant_slug: tenant.slug,
            tenant_name: tenant.name,
            status,
            priority: ticket.priority,
            author_name,
        }))
    }

    /// The people `recipients` stand for, groups expanded to their staff (as the
    /// lookups keep them: see [`lookups`](super::lookups)).
    pub(super) async fn expand(
        &self,
        tenant: TenantId,
        recipients: &[Recipient],
    ) -> Result<Vec<Actor>> {
        let mut actors = Vec::new();
        for recipient in recipients {
            match recipient {
                Recipient::Member(id) => {
                    if let Some(m) = self.cached_member(tenant, *id).await? {
                        actors.push(Actor::Member(m));
                    }
                }
                Recipient::Staff(id) => {
                    if let Some(s) = self.cached_staff(*id).await? {
                        actors.push(Actor::Staff(s));
                    }
                }
                // Webhook messages are delivered by `resolve_webhook`, never expanded.
                Recipient::Webhook(_) => {}
                Recipient::Group(group) => {
                    for s in self.cached_all_staff().await?.iter() {
                        if s.groups.contains(group) {
                            actors.push(Actor::Staff(s.clone()));
                        }
                    }
                }
            }
        }
        Ok(actors)
    }

    /// The display name of who acted; none for the helpdesk itself or someone deleted.
    async fn author_name(&self, tenant: TenantId, author: ActorRef) -> Result<Option<String>> {
        Ok(match author {
            ActorRef::Member(id) => self
                .cached_member(tenant, id)
                .await?
                .map(|m| m.display_name),
            ActorRef::Staff(id) => self.cached_staff(id).await?.map(|s| s.display_name),
            ActorRef::System => None,
        })
    }
}
