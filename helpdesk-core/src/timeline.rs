//! The timeline [historique]: append-only events, each one change to a ticket.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{CategoryId, EventId, GroupId, MemberId, ProductId, StaffId, TenantId, TicketId};
use crate::people::ActorRef;
use crate::questionnaire::Answers;
use crate::status::{Priority, Status};
use crate::text::RichText;
use crate::ticket::{Closure, Ticket, TicketState};

/// Who may read an event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// Everyone who may see the ticket.
    Public,
    /// Support staff only: never shown to requesters or guests.
    Internal,
}

/// One change to a ticket.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimelineEvent {
    /// The event's id.
    pub id: EventId,
    /// The ticket it belongs to.
    pub ticket: TicketId,
    /// The ticket's tenant.
    pub tenant: TenantId,
    /// When it happened.
    pub at: DateTime<Utc>,
    /// Who did it.
    pub author: ActorRef,
    /// The status before and after, when the event moved the ticket.
    pub status_change: Option<StatusChange>,
    /// What happened.
    pub kind: EventKind,
}

impl TimelineEvent {
    /// Who may read this event: internal notes are for staff only.
    pub fn visibility(&self) -> Visibility {
        match self.kind {
            EventKind::NoteAdded { .. } | EventKind::ServiceLevelBreached { .. } => {
                Visibility::Internal
            }
            _ => Visibility::Public,
        }
    }

    /// The event's rich-text body, if it carries one.
    pub fn body(&self) -> Option<&RichText> {
        match &self.kind {
            EventKind::Replied { body } | EventKind::NoteAdded { body } => Some(body),
            EventKind::InformationRequested { message } => Some(message),
            EventKind::ClosureProposed { solution } | EventKind::ClosedDirectly { solution } => {
                Some(solution)
            }
            EventKind::ClosureRefused { justification } => Some(justification),
            EventKind::Cancelled { reason } | EventKind::Reopened { reason } => reason.as_ref(),
            _ => None,
        }
    }
}

/// A status transition recorded on an event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatusChange {
    /// The status before.
    pub from: Status,
    /// The status after.
    pub to: Status,
}

/// What happened to a ticket.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    /// The ticket was opened.
    Opened,
    /// A public reply.
    Replied {
        /// The reply.
        body: RichText,
    },
    /// An internal note, for staff only.
    NoteAdded {
        /// The note.
        body: RichText,
    },
    /// The assignee and group were set.
    Assigned {
        /// The staff member now handling it.
        assignee: Option<StaffId>,
        /// The group now handling it.
        group: Option<GroupId>,
    },
    /// Staff asked the requester for more information [demande de complément].
    InformationRequested {
        /// The question.
        message: RichText,
    },
    /// Staff proposed a solution and asked the requester to approve the closure.
    ClosureProposed {
        /// The solution.
        solution: RichText,
    },
    /// Staff closed the ticket in one step (direct closure mode).
    ClosedDirectly {
        /// The solution.
        solution: RichText,
    },
    /// The requester approved the closure and answered the questionnaire.
    ClosureApproved {
        /// The validated answers.
        #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, crate::Answer>))]
        answers: Answers,
    },
    /// The requester refused the closure.
    ClosureRefused {
        /// Why.
        justification: RichText,
    },
    /// The approval window passed; the closure was approved without answers.
    ClosureAutoApproved,
    /// The ticket was withdrawn.
    Cancelled {
        /// Why, if said.
        reason: Option<RichText>,
    },
    /// A closed ticket was reopened.
    Reopened {
        /// Why, if said.
        reason: Option<RichText>,
    },
    /// One field was edited.
    FieldEdited {
        /// The field and its values.
        change: FieldChange,
    },
    /// The ticket was moved to another category, and routed to its group.
    CategoryMoved {
        /// The category before.
        from: Option<CategoryId>,
        /// The category after.
        to: CategoryId,
        /// The group after routing.
        group: Option<GroupId>,
    },
    /// The ticket was given to another requester.
    RequesterReassigned {
        /// The requester before.
        from: MemberId,
        /// The requester after.
        to: MemberId,
    },
    /// A member was invited to follow the ticket.
    GuestInvited {
        /// The new guest.
        guest: MemberId,
    },
    /// A service-level target passed its due date unmet and was escalated to the
    /// assignee or group and the tenant's supervisors (staff only).
    ServiceLevelBreached {
        /// Which target.
        target: crate::service_level::SlaTarget,
        /// When it was due.
        due: DateTime<Utc>,
    },
}

impl EventKind {
    /// The event type's stable name, as serialised.
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::Opened => "opened",
            EventKind::Replied { .. } => "replied",
            EventKind::NoteAdded { .. } => "note_added",
            EventKind::Assigned { .. } => "assigned",
            EventKind::InformationRequested { .. } => "information_requested",
            EventKind::ClosureProposed { .. } => "closure_proposed",
            EventKind::ClosedDirectly { .. } => "closed_directly",
            EventKind::ClosureApproved { .. } => "closure_approved",
            EventKind::ClosureRefused { .. } => "closure_refused",
            EventKind::ClosureAutoApproved => "closure_auto_approved",
            EventKind::Cancelled { .. } => "cancelled",
            EventKind::Reopened { .. } => "reopened",
            EventKind::FieldEdited { .. } => "field_edited",
            EventKind::CategoryMoved { .. } => "category_moved",
            EventKind::RequesterReassigned { .. } => "requester_reassigned",
            EventKind::GuestInvited { .. } => "guest_invited",
            EventKind::ServiceLevelBreached { .. } => "service_level_breached",
        }
    }
}

/// One edited field, with its value before and after.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "field", rename_all = "snake_case")]
pub enum FieldChange {
    /// The subject.
    Subject {
        /// Before.
        from: String,
        /// After.
        to: String,
    },
    /// The description.
    Description {
        /// Before.
        from: RichText,
        /// After.
        to: RichText,
    },
    /// The priority.
    Priority {
        /// Before.
        from: Priority,
        /// After.
        to: Priority,
    },
    /// The product.
    Product {
        /// Before.
        from: Option<ProductId>,
        /// After.
        to: Option<ProductId>,
    },
    /// The contact phone.
    ContactPhone {
        /// Before.
        from: Option<String>,
        /// After.
        to: Option<String>,
    },
    /// The asset reference.
    Asset {
        /// Before.
        from: Option<String>,
        /// After.
        to: Option<String>,
    },
    /// A host-defined field.
    CustomField {
        /// The field's key.
        key: String,
        /// Before.
        from: Option<String>,
        /// After.
        to: Option<String>,
    },
}

impl Ticket {
    /// Applies one event to the ticket: the only way a ticket changes after it is opened.
    /// The caller bumps [`Ticket::version`] once per accepted command.
    pub fn apply(&mut self, event: &TimelineEvent) {
        self.updated_at = event.at;
        match &event.kind {
            EventKind::Opened
            | EventKind::Replied { .. }
            | EventKind::NoteAdded { .. }
            | EventKind::InformationRequested { .. }
            | EventKind::ClosureRefused { .. }
            | EventKind::Reopened { .. } => {}
            EventKind::ServiceLevelBreached { target, .. } => {
                *self.service_level.escalated_at.get_mut(*target) = Some(event.at);
            }
            EventKind::Assigned { assignee, group } => {
                self.assignee = *assignee;
                self.group = *group;
            }
            EventKind::ClosureProposed { .. } => {
                if let ActorRef::Staff(by) = event.author {
                    self.state = TicketState::PendingClosure {
                        proposed_at: event.at,
                        proposed_by: by,
                    };
                }
            }
            EventKind::ClosedDirectly { .. } => {
                if let ActorRef::Staff(by) = event.author {
                    self.state = TicketState::Closed {
                        closed_at: event.at,
                        closure: Closure::Direct { by },
                    };
                }
            }
            EventKind::ClosureApproved { answers } => {
                if let ActorRef::Member(by) = event.author {
                    self.state = TicketState::Closed {
                        closed_at: event.at,
                        closure: Closure::Approved {
                            by,
                            answers: answers.clone(),
                        },
                    };
                }
            }
            EventKind::ClosureAutoApproved => {
                self.state = TicketState::Closed {
                    closed_at: event.at,
                    closure: Closure::AutoApproved,
                };
            }
            EventKind::Cancelled { .. } => {
                self.state = TicketState::Cancelled {
                    cancelled_at: event.at,
                };
            }
            EventKind::FieldEdited { change } => self.apply_field(change),
            EventKind::CategoryMoved { to, group, .. } => {
                self.category = Some(*to);
                self.group = *group;
            }
            EventKind::RequesterReassigned { to, .. } => {
                self.requester = *to;
                self.guests.retain(|g| g != to);
            }
            EventKind::GuestInvited { guest } => {
                if !self.guests.contains(guest) {
                    self.guests.push(*guest);
                }
            }
        }
        // States without data of their own follow the recorded status change.
        if let Some(change) = event.status_change {
            let plain = match change.to {
                Status::New => Some(TicketState::New),
                Status::InProgress => Some(TicketState::InProgress),
                Status::WaitingOnRequester => Some(TicketState::WaitingOnRequester),
                _ => None,
            };
            if let Some(state) = plain {
                self.state = state;
            }
        }
    }

    fn apply_field(&mut self, change: &FieldChange) {
        match change {
            FieldChange::Subject { to, .. } => self.subject.clone_from(to),
            FieldChange::Description { to, .. } => self.description = to.clone(),
            FieldChange::Priority { to, .. } => self.priority = *to,
            FieldChange::Product { to, .. } => self.product = *to,
            FieldChange::ContactPhone { to, .. } => self.contact_phone.clone_from(to),
            FieldChange::Asset { to, .. } => self.asset.clone_from(to),
            FieldChange::CustomField { key, to, .. } => match to {
                Some(value) => {
                    self.custom_fields.insert(key.clone(), value.clone());
                }
                None => {
                    self.custom_fields.remove(key);
                }
            },
        }
    }
}
