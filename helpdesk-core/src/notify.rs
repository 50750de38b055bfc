//! Notifications: every event notifies the people concerned, through an outbox written
//! in the same transaction as the event, so a mail server that is down delays a message
//! and loses none.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{EventId, GroupId, MemberId, OutboxId, StaffId, TenantId, TicketId, TicketNumber};
use crate::people::ActorRef;
use crate::ticket::Ticket;
use crate::timeline::{TimelineEvent, Visibility};

/// Someone to notify, as recorded in the outbox.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Recipient {
    /// A member: the requester or a guest.
    Member(MemberId),
    /// The assigned staff member.
    Staff(StaffId),
    /// Every active member of a group, when nobody is assigned.
    Group(GroupId),
}

/// The people concerned by `event` on `ticket` (the ticket as it is after the event):
/// for a public event the requester, the guests and the assignee (or, with nobody
/// assigned, the group); for an internal note only the staff side. The author is never
/// notified of their own event.
pub fn recipients(ticket: &Ticket, event: &TimelineEvent) -> Vec<Recipient> {
    let mut out = Vec::new();
    if event.visibility() == Visibility::Public {
        out.push(Recipient::Member(ticket.requester));
        out.extend(ticket.guests.iter().copied().map(Recipient::Member));
        // The requester replaced by a reassignment is queued too; delivery checks
        // visibility again, so they are told only if they may still see the ticket
        // (a tenant admin, or a tenant with whole-tenant visibility).
        if let crate::EventKind::RequesterReassigned { from, .. } = event.kind {
            out.push(Recipient::Member(from));
        }
    }
    match (ticket.assignee, ticket.group) {
        (Some(staff), _) => out.push(Recipient::Staff(staff)),
        (None, Some(group)) => out.push(Recipient::Group(group)),
        (None, None) => {}
    }
    out.retain(|r| match (r, event.author) {
        (Recipient::Member(m), ActorRef::Member(a)) => *m != a,
        (Recipient::Staff(s), ActorRef::Staff(a)) => *s != a,
        _ => true,
    });
    out.sort();
    out.dedup();
    out
}

/// A notification waiting in the outbox, or given up on (a dead letter).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OutboxMessage {
    /// The message's id.
    pub id: OutboxId,
    /// The ticket's tenant.
    pub tenant: TenantId,
    /// The ticket.
    pub ticket: TicketId,
    /// The event to tell about.
    pub event: EventId,
    /// Who to tell.
    pub recipients: Vec<Recipient>,
    /// When it was written.
    pub created_at: DateTime<Utc>,
    /// How many deliveries failed so far.
    pub attempts: u32,
    /// Not to be tried again before this time.
    pub next_attempt_at: DateTime<Utc>,
    /// The last delivery error, if any.
    pub last_error: Option<String>,
    /// When delivery was given up on, for a dead letter: it is kept, never tried again
    /// automatically, until an admin retries it.
    #[serde(default)]
    pub dead_at: Option<DateTime<Utc>>,
}

impl OutboxMessage {
    /// The outbox message for `event` on `ticket`, or none when nobody is concerned.
    pub fn for_event(ticket: &Ticket, event: &TimelineEvent) -> Option<Self> {
        let recipients = recipients(ticket, event);
        (!recipients.is_empty()).then(|| Self {
            id: OutboxId::new(),
            tenant: ticket.tenant,
            ticket: ticket.id,
            event: event.id,
            recipients,
            created_at: event.at,
            attempts: 0,
            next_attempt_at: event.at,
            last_error: None,
            dead_at: None,
        })
    }
}

/// A person to notify, resolved at delivery time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    /// Who they are.
    pub recipient: ContactRef,
    /// Their name.
    pub display_name: String,
    /// Their email, if known.
    pub email: Option<String>,
}

/// A resolved recipient: a member or a staff member (groups are expanded).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum ContactRef {
    /// A member of the tenant.
    Member(MemberId),
    /// A staff member.
    Staff(StaffId),
}

/// What a [`Notifier`] receives: the event, the ticket it happened to, and who to tell.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    /// The outbox message this comes from; the same id on a retry.
    pub id: OutboxId,
    /// The tenant.
    pub tenant: TenantId,
    /// The ticket.
    pub ticket: TicketId,
    /// Its number, for the mail subject and the direct link.
    pub number: TicketNumber,
    /// Its subject.
    pub subject: String,
    /// The event.
    pub event: TimelineEvent,
    /// The people to tell. Members receive only public events.
    pub contacts: Vec<Contact>,
}

/// A delivery that failed; the message stays in the outbox and is tried again later.
#[derive(Debug, thiserror::Error)]
#[error("notification not delivered: {0}")]
pub struct NotifyError(pub String);

/// Delivers notifications (by mail, chat, push...). Implemented by the host or an
/// adapter; fed from the outbox by
/// [`HelpdeskService::deliver_notifications`](crate::HelpdeskService::deliver_notifications).
#[async_trait]
pub trait Notifier: Send + Sync {
    /// Delivers one notification. An error leaves it in the outbox for a later try.
    async fn notify(&self, notification: &Notification) -> Result<(), NotifyError>;
}

/// A notifier that delivers nothing and says so: every notification fails with
/// [`NotifyError`], so it stays in the outbox, is retried, and becomes a dead letter
/// after [`MAX_DELIVERY_ATTEMPTS`](crate::MAX_DELIVERY_ATTEMPTS). Nothing is ever marked
/// delivered without having gone somewhere. A host without a mail server yet should
/// prefer a notifier that writes each notification to its log.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoNotifier;

#[async_trait]
impl Notifier for NoNotifier {
    async fn notify(&self, _: &Notification) -> Result<(), NotifyError> {
        Err(NotifyError("no notifier is configured".to_owned()))
    }
}
