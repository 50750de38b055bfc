//! Notifications: every event notifies the people concerned, through an outbox written
//! in the same transaction as the event, so a mail server that is down delays a message
//! and loses none.

use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{
    EventId, GroupId, MemberId, OutboxId, StaffId, TenantId, TicketId, TicketNumber, WebhookId,
};
use crate::people::{Actor, ActorRef};
use crate::status::{Priority, Status};
use crate::text::RichText;
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
    /// A webhook endpoint of the tenant: always alone in its message, so it is retried
    /// alone.
    Webhook(WebhookId),
}

/// The people concerned by `event` on `ticket` (the ticket as it is after the event):
/// for a public event the requester, the guests and the assignee (or, with nobody
/// assigned, the group); for an internal note only the staff side. The author is never
/// notified of their own event.
pub fn recipients(ticket: &Ticket, event: &TimelineEvent) -> Vec<Recipient> {
    let mut out = Vec::new();
    if event.visibility() == Visibility::Public {
        out.extend(member_followers(ticket));
        // The requester replaced by a reassignment is queued too; delivery checks
        // visibility again, so they are told only if they may still see the ticket
        // (a tenant admin, or a tenant with whole-tenant visibility).
        if let crate::EventKind::RequesterReassigned { from, .. } = event.kind {
            out.push(Recipient::Member(from));
        }
    }
    out.extend(staff_follower(ticket));
    out.retain(|r| match (r, event.author) {
        (Recipient::Member(m), ActorRef::Member(a)) => *m != a,
        (Recipient::Staff(s), ActorRef::Staff(a)) => *s != a,
        _ => true,
    });
    out.sort();
    out.dedup();
    out
}

/// The members who follow `ticket`: its requester, then its guests.
pub fn member_followers(ticket: &Ticket) -> impl Iterator<Item = Recipient> + '_ {
    std::iter::once(Recipient::Member(ticket.requester))
        .chain(ticket.guests.iter().copied().map(Recipient::Member))
}

/// The staff side that follows `ticket`: its assignee, or with nobody assigned its
/// group, or nobody.
pub fn staff_follower(ticket: &Ticket) -> Option<Recipient> {
    match (ticket.assignee, ticket.group) {
        (Some(staff), _) => Some(Recipient::Staff(staff)),
        (None, Some(group)) => Some(Recipient::Group(group)),
        (None, None) => None,
    }
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
        Self::to(ticket, event, recipients(ticket, event))
    }

    /// The outbox message for `event` on `ticket` to `recipients` (sorted and
    /// deduplicated here), or none when there is nobody to tell.
    pub fn to(
        ticket: &Ticket,
        event: &TimelineEvent,
        mut recipients: Vec<Recipient>,
    ) -> Option<Self> {
        recipients.sort();
        recipients.dedup();
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

    /// One message per endpoint of `webhooks` that wants `event` on `ticket` (see
    /// [`WebhookEndpoint::wants`](crate::WebhookEndpoint::wants)), each for that
    /// endpoint alone.
    pub fn for_webhooks<'a>(
        ticket: &'a Ticket,
        event: &'a TimelineEvent,
        webhooks: &'a [crate::Webhook],
    ) -> impl Iterator<Item = Self> + 'a {
        webhooks
            .iter()
            .filter(|w| w.endpoint.tenant == ticket.tenant && w.endpoint.wants(event))
            .map(|w| Self {
                id: OutboxId::new(),
                tenant: ticket.tenant,
                ticket: ticket.id,
                event: event.id,
                recipients: vec![Recipient::Webhook(w.endpoint.id)],
                created_at: event.at,
                attempts: 0,
                next_attempt_at: event.at,
                last_error: None,
                dead_at: None,
            })
    }

    /// The webhook endpoint this message is for, when it is a webhook's.
    pub fn webhook(&self) -> Option<WebhookId> {
        match self.recipients.as_slice() {
            [Recipient::Webhook(id)] => Some(*id),
            _ => None,
        }
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
    /// The language to write to them in: the one they chose, else their tenant's default
    /// (one of [`SUPPORTED_LANGUAGES`](crate::SUPPORTED_LANGUAGES)).
    #[serde(default = "default_language")]
    pub language: String,
    /// Why they are told: their part in the ticket.
    #[serde(default)]
    pub kind: ContactKind,
}

/// The language of a contact serialised before contacts carried one: the default
/// tenant's.
fn default_language() -> String {
    crate::TenantSettings::default().default_language
}

impl Contact {
    /// `actor` as a contact about `ticket`, writing to them in their language or else in
    /// `tenant_language`; none for the system.
    pub fn of(actor: Actor, ticket: &Ticket, tenant_language: &str) -> Option<Self> {
        let language =
            |chosen: Option<String>| chosen.unwrap_or_else(|| tenant_language.to_owned());
        match actor {
            Actor::Member(m) => {
                let kind = if m.id == ticket.requester {
                    ContactKind::Requester
                } else if ticket.guests.contains(&m.id) {
                    ContactKind::Guest
                } else {
                    ContactKind::Member
                };
                Some(Contact {
                    recipient: ContactRef::Member(m.id),
                    display_name: m.display_name,
                    email: m.email,
                    language: language(m.language),
                    kind,
                })
            }
            Actor::Staff(s) => Some(Contact {
                recipient: ContactRef::Staff(s.id),
                display_name: s.display_name,
                email: s.email,
                language: language(s.language),
                kind: ContactKind::Staff,
            }),
            Actor::System => None,
        }
    }
}

/// A contact's part in the ticket, which decides what a message may tell them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactKind {
    /// The ticket's requester.
    Requester,
    /// A member invited to follow the ticket.
    Guest,
    /// Another member who may see the ticket (a tenant admin, a requester replaced by a
    /// reassignment, a colleague under whole-tenant visibility); what a contact
    /// serialised without a kind is taken to be, the narrowest part.
    #[default]
    Member,
    /// Support staff: the assignee, or a member of the group handling it.
    Staff,
}

impl ContactKind {
    /// Whether they are support staff, who may read internal notes.
    pub fn is_staff(self) -> bool {
        self == ContactKind::Staff
    }
}

/// A resolved recipient: a member or a staff member (groups are expanded).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum ContactRef {
    /// A member of the tenant.
    Member(MemberId),
    /// A staff member.
    Staff(StaffId),
}

/// What a [`Notifier`] receives: the event, the ticket it happened to, and who to tell,
/// with what a message needs to be written without reading the store again (the
/// tenant's name, the ticket's status and its labels, the author's name, the event's
/// public text). Serialised as JSON (webhooks): fields are only ever added, each new
/// one with a default so older documents still read.
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
    /// The event. Its body may be an internal note: only staff contacts may be shown it
    /// (use [`public_text`](Self::public_text) for everyone else).
    pub event: TimelineEvent,
    /// The people to tell. Members receive only public events.
    pub contacts: Vec<Contact>,
    /// The tenant's slug (as in its URLs).
    #[serde(default)]
    pub tenant_slug: String,
    /// The tenant's name.
    #[serde(default)]
    pub tenant_name: String,
    /// The ticket's status when the notification is delivered (what its page shows
    /// then; a later event may have moved it since this one).
    #[serde(default = "default_status")]
    pub status: Status,
    /// The tenant's label of [`status`](Self::status) per language tag, for each
    /// supported language and each contact's: what the tenant's pages show.
    #[serde(default)]
    pub status_labels: BTreeMap<String, String>,
    /// The ticket's priority when the notification is delivered.
    #[serde(default)]
    pub priority: Priority,
    /// The name of who acted; none when the helpdesk did (an automatic approval).
    #[serde(default)]
    pub author_name: Option<String>,
    /// The event's text (a reply, a question, a proposed solution, a refusal's
    /// justification, a reason; for an opening, the ticket's description) when everyone
    /// who may see the ticket may read it; never an internal note.
    #[serde(default)]
    pub public_text: Option<RichText>,
}

/// The status of a notification serialised before notifications carried one.
fn default_status() -> Status {
    Status::New
}

impl Notification {
    /// The tenant's label of the ticket's status in `language`, else in any language it
    /// has, else the canonical name.
    pub fn status_label(&self, language: &str) -> &str {
        self.status_labels
            .get(language)
            .or_else(|| self.status_labels.values().next())
            .map_or(self.status.as_str(), String::as_str)
    }

    /// The tenant's labels (`settings`) of `status` for every supported language and
    /// each of `languages`: what [`status_labels`](Self::status_labels) holds.
    pub fn labels_for<'a>(
        settings: &crate::TenantSettings,
        status: Status,
        languages: impl IntoIterator<Item = &'a str>,
    ) -> BTreeMap<String, String> {
        crate::SUPPORTED_LANGUAGES
            .into_iter()
            .chain(languages)
            .map(|lang| (lang.to_owned(), settings.label(status, lang).to_owned()))
            .collect()
    }
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
