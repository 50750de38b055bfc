//! The ticket [dossier, DI, demande, incident] and its state.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{
    CategoryId, GroupId, MemberId, ProductId, StaffId, TenantId, TicketId, TicketNumber,
};
use crate::people::ActorRef;
use crate::questionnaire::Answers;
use crate::status::{Priority, Status};
use crate::text::RichText;

/// The longest subject, in characters.
pub const MAX_SUBJECT_CHARS: usize = 250;
/// The longest contact phone or asset reference, in characters.
pub const MAX_SHORT_FIELD_CHARS: usize = 100;
/// The most custom fields one ticket may carry.
pub const MAX_CUSTOM_FIELDS: usize = 50;

/// A request for help, owned by one requester in one tenant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Ticket {
    /// The ticket's id.
    pub id: TicketId,
    /// The tenant it belongs to.
    pub tenant: TenantId,
    /// The human number, unique and sequential within the tenant.
    pub number: TicketNumber,
    /// One line saying what it is about [objet, sujet].
    pub subject: String,
    /// The sanitised description.
    pub description: RichText,
    /// Where it is filed; the category routes it to a group.
    pub category: Option<CategoryId>,
    /// What it is about.
    pub product: Option<ProductId>,
    /// How urgent it is.
    pub priority: Priority,
    /// Where it stands in the workflow, with the data each state carries.
    pub state: TicketState,
    /// Whose ticket it is \[propriétaire\].
    pub requester: MemberId,
    /// The staff member handling it [gestionnaire, agent support].
    pub assignee: Option<StaffId>,
    /// The group handling it.
    pub group: Option<GroupId>,
    /// Members invited to follow it \[invités\].
    pub guests: Vec<MemberId>,
    /// A phone number support can reach the requester on.
    pub contact_phone: Option<String>,
    /// The computer or equipment concerned \[matériel\].
    pub asset: Option<String>,
    /// Fields a host adds for its own needs.
    pub custom_fields: BTreeMap<String, String>,
    /// Who opened it: the requester, or staff on their behalf.
    pub opened_by: ActorRef,
    /// When it was opened.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// Bumped by every accepted change, for optimistic concurrency.
    pub version: u64,
    /// When it last changed in a way its requester and guests may see: an internal note
    /// leaves it as it was. What [`Ticket::public_face`] shows as `updated_at`.
    #[serde(skip)]
    pub public_updated_at: DateTime<Utc>,
    /// Bumped by every accepted change its requester and guests may see, not by internal
    /// notes: their version and `ETag`. What [`Ticket::public_face`] shows as `version`.
    #[serde(skip)]
    pub public_version: u64,
    /// Its service-level facts and due dates (none when its tenant tracks nothing).
    #[serde(default)]
    pub service_level: crate::service_level::TicketServiceLevel,
}

impl Ticket {
    /// The canonical status.
    pub fn status(&self) -> Status {
        self.state.status()
    }

    /// The ticket as someone who does not see internal notes observes it: its version and
    /// updated time are those of its last public change, so an internal note leaves no
    /// trace (no new `ETag`, no later `updated_at`) for requesters and guests.
    pub fn public_face(mut self) -> Ticket {
        self.version = self.public_version;
        self.updated_at = self.public_updated_at;
        // Escalations are staff-only events.
        self.service_level.escalated_at = Default::default();
        self
    }

    /// Whether `member` is the requester or a guest.
    pub fn is_participant(&self, member: MemberId) -> bool {
        self.requester == member || self.guests.contains(&member)
    }

    /// When it was closed or cancelled, if it was.
    pub fn ended_at(&self) -> Option<DateTime<Utc>> {
        match &self.state {
            TicketState::Closed { closed_at, .. } => Some(*closed_at),
            TicketState::Cancelled { cancelled_at } => Some(*cancelled_at),
            _ => None,
        }
    }

    /// Whether it has been closed or cancelled for longer than `delay` at `now`, so that it
    /// leaves default lists.
    pub fn is_archived(&self, delay: crate::Window, now: DateTime<Utc>) -> bool {
        self.ended_at()
            .is_some_and(|at| at + delay.duration() <= now)
    }

    /// The questionnaire answers, present exactly on a closure the requester approved.
    pub fn closure_answers(&self) -> Option<&Answers> {
        match &self.state {
            TicketState::Closed {
                closure: Closure::Approved { answers, .. },
                ..
            } => Some(answers),
            _ => None,
        }
    }
}

/// Where a ticket stands, with what each state needs and nothing else: only a closed
/// ticket has closure data, only a pending closure has a proposal date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum TicketState {
    /// Just opened.
    New,
    /// Being worked on.
    InProgress,
    /// Support waits for the requester.
    WaitingOnRequester,
    /// A solution was proposed; the requester approves or refuses it.
    PendingClosure {
        /// When the closure was proposed; the approval window counts from here.
        proposed_at: DateTime<Utc>,
        /// Who proposed it.
        proposed_by: StaffId,
    },
    /// Done.
    Closed {
        /// When it was closed; the reopen window and archive delay count from here.
        closed_at: DateTime<Utc>,
        /// How it was closed.
        closure: Closure,
    },
    /// Withdrawn.
    Cancelled {
        /// When it was cancelled.
        cancelled_at: DateTime<Utc>,
    },
}

impl TicketState {
    /// The canonical status of this state.
    pub fn status(&self) -> Status {
        match self {
            TicketState::New => Status::New,
            TicketState::InProgress => Status::InProgress,
            TicketState::WaitingOnRequester => Status::WaitingOnRequester,
            TicketState::PendingClosure { .. } => Status::PendingClosure,
            TicketState::Closed { .. } => Status::Closed,
            TicketState::Cancelled { .. } => Status::Cancelled,
        }
    }
}

/// How a ticket came to be closed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Closure {
    /// The requester (or a tenant admin) approved, answering the questionnaire.
    Approved {
        /// Who approved.
        by: MemberId,
        /// The validated answers.
        #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, crate::Answer>))]
        answers: Answers,
    },
    /// Nobody answered within the approval window; the questionnaire stays unanswered.
    AutoApproved,
    /// Staff closed it in one step (tenants in direct closure mode).
    Direct {
        /// Who closed it.
        by: StaffId,
    },
}

/// What a requester or staff member fills in to open a ticket, before any check.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewTicket {
    /// One line saying what it is about.
    pub subject: String,
    /// The description, as HTML; it is sanitised.
    pub description: String,
    /// Where it is filed.
    pub category: Option<CategoryId>,
    /// What it is about.
    pub product: Option<ProductId>,
    /// How urgent it is; normal when left out.
    pub priority: Option<Priority>,
    /// A phone number support can reach the requester on.
    pub contact_phone: Option<String>,
    /// The computer or equipment concerned.
    pub asset: Option<String>,
    /// Custom field values by key: the fields the tenant defines
    /// ([`crate::TenantSettings::custom_fields`], required ones enforced) and any free
    /// key an API host files.
    pub custom_fields: BTreeMap<String, String>,
    /// Whose ticket it is, when staff or a tenant admin open it on someone's behalf;
    /// a requester always opens for themself.
    pub requester: Option<MemberId>,
    /// A key the client sends again when it retries the same request: opening twice with
    /// the same key (same caller, same tenant) gives the one ticket opened the first time.
    pub idempotency_key: Option<String>,
}

impl NewTicket {
    /// A digest of everything this request asks for, its idempotency key aside: two
    /// requests with the same fingerprint open the same ticket. Stable across processes
    /// and releases (a name-based UUID over a length-prefixed encoding of the fields).
    pub fn fingerprint(&self) -> String {
        fn field(out: &mut Vec<u8>, name: &str, value: Option<&str>) {
            out.extend_from_slice(name.as_bytes());
            match value {
                None => out.push(0),
                Some(v) => {
                    out.push(1);
                    out.extend_from_slice(&(v.len() as u64).to_le_bytes());
                    out.extend_from_slice(v.as_bytes());
                }
            }
        }
        let mut out = Vec::new();
        field(&mut out, "subject", Some(&self.subject));
        field(&mut out, "description", Some(&self.description));
        let category = self.category.map(|x| x.to_string());
        field(&mut out, "category", category.as_deref());
        let product = self.product.map(|x| x.to_string());
        field(&mut out, "product", product.as_deref());
        field(&mut out, "priority", self.priority.map(|p| p.as_str()));
        field(&mut out, "contact_phone", self.contact_phone.as_deref());
        field(&mut out, "asset", self.asset.as_deref());
        for (key, value) in &self.custom_fields {
            field(&mut out, "custom_field", Some(key));
            field(&mut out, "=", Some(value));
        }
        let requester = self.requester.map(|x| x.to_string());
        field(&mut out, "requester", requester.as_deref());
        uuid::Uuid::new_v5(&FINGERPRINT_NAMESPACE, &out)
            .simple()
            .to_string()
    }
}

const FINGERPRINT_NAMESPACE: uuid::Uuid =
    uuid::Uuid::from_u128(0x0b7e_52c4_1f3a_4c8e_a5d2_93e1_6c4f_7a28);

/// The fields an edit may change; `None` leaves a field as it is.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketEdit {
    /// A new subject.
    pub subject: Option<String>,
    /// A new description, as HTML; it is sanitised.
    pub description: Option<String>,
    /// A new priority.
    pub priority: Option<Priority>,
    /// A new product; `Some(None)` clears it.
    pub product: Option<Option<ProductId>>,
    /// A new contact phone; `Some(None)` clears it.
    pub contact_phone: Option<Option<String>>,
    /// A new asset reference; `Some(None)` clears it.
    pub asset: Option<Option<String>>,
    /// Custom fields to set (`Some`) or remove (`None`).
    pub custom_fields: BTreeMap<String, Option<String>>,
}

impl TicketEdit {
    /// Whether the edit asks for nothing.
    pub fn is_empty(&self) -> bool {
        self.subject.is_none()
            && self.description.is_none()
            && self.priority.is_none()
            && self.product.is_none()
            && self.contact_phone.is_none()
            && self.asset.is_none()
            && self.custom_fields.is_empty()
    }
}
