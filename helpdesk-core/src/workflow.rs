//! The workflow rules as pure functions: `(ticket, actor, command, now) -> events`.
//!
//! [`decide`] checks who may do what to which ticket in which state and answers with the
//! events to append, or a typed refusal; [`execute`] also applies them. Nothing here
//! touches storage: the service loads what a rule needs and passes it in.

use chrono::{DateTime, Utc};

use crate::catalog::{Category, Product};
use crate::error::{Error, Forbidden, Result};
use crate::ids::{EventId, GroupId, TicketNumber};
use crate::people::{Actor, Member, MemberRole, Staff, StaffRole};
use crate::permissions::{Scope, ensure_active};
use crate::questionnaire::Answers;
use crate::status::Status;
use crate::tenant::{ClosureMode, Tenant, TenantSettings};
use crate::text::{RichText, TextPolicy, optional_line, single_line};
use crate::ticket::{
    MAX_CUSTOM_FIELDS, MAX_SHORT_FIELD_CHARS, MAX_SUBJECT_CHARS, NewTicket, Ticket, TicketEdit,
    TicketState,
};
use crate::timeline::{EventKind, FieldChange, StatusChange, TimelineEvent, Visibility};

/// A change someone asks for on an existing ticket, with what the rules need already
/// looked up (the staff member to assign, the member to invite...).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// Set the assignee and, when given, the group.
    Assign {
        /// The staff member to assign; none leaves the ticket to its group.
        assignee: Option<Staff>,
        /// The group; none keeps the current one.
        group: Option<GroupId>,
    },
    /// Add a public reply.
    Reply {
        /// The reply.
        body: RichText,
    },
    /// Add an internal note.
    AddNote {
        /// The note.
        body: RichText,
    },
    /// Ask the requester for more information.
    RequestInformation {
        /// The question.
        message: RichText,
    },
    /// Propose a solution and ask the requester to approve the closure (or close
    /// directly, for tenants in direct closure mode).
    ProposeClosure {
        /// The solution.
        solution: RichText,
    },
    /// Approve the proposed closure, answering the questionnaire.
    ApproveClosure {
        /// The answers, validated against the tenant's questionnaire.
        answers: Answers,
    },
    /// Refuse the proposed closure.
    RefuseClosure {
        /// Why.
        justification: RichText,
    },
    /// Approve a closure whose approval window has passed (the system only).
    AutoApprove,
    /// Withdraw the ticket.
    Cancel {
        /// Why, if said.
        reason: Option<RichText>,
    },
    /// Reopen a closed ticket.
    Reopen {
        /// Why, if said.
        reason: Option<RichText>,
    },
    /// Edit fields.
    Edit {
        /// The changes.
        edit: TicketEdit,
    },
    /// Move the ticket to another category of its tenant.
    MoveCategory {
        /// The new category.
        category: Category,
        /// The group the category routes to.
        group: Option<GroupId>,
    },
    /// Give the ticket to another member of the tenant.
    ReassignRequester {
        /// The new requester.
        to: Member,
    },
    /// Invite a member of the tenant to follow the ticket.
    InviteGuest {
        /// The member to invite.
        guest: Member,
    },
}

impl Command {
    /// The command's stable name, used in invalid-transition errors and action lists.
    pub fn name(&self) -> CommandName {
        match self {
            Command::Assign { .. } => CommandName::Assign,
            Command::Reply { .. } => CommandName::Reply,
            Command::AddNote { .. } => CommandName::AddNote,
            Command::RequestInformation { .. } => CommandName::RequestInformation,
            Command::ProposeClosure { .. } => CommandName::ProposeClosure,
            Command::ApproveClosure { .. } => CommandName::ApproveClosure,
            Command::RefuseClosure { .. } => CommandName::RefuseClosure,
            Command::AutoApprove => CommandName::AutoApprove,
            Command::Cancel { .. } => CommandName::Cancel,
            Command::Reopen { .. } => CommandName::Reopen,
            Command::Edit { .. } => CommandName::Edit,
            Command::MoveCategory { .. } => CommandName::MoveCategory,
            Command::ReassignRequester { .. } => CommandName::ReassignRequester,
            Command::InviteGuest { .. } => CommandName::InviteGuest,
        }
    }
}

/// The name of a [`Command`], without its input: what invalid-transition errors name,
/// what [`available_actions`] lists and what [`precheck`] checks. Serialised (and shown)
/// as its snake-case string: `"assign"`, `"add_note"`, `"request_information"`...
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum CommandName {
    /// [`Command::Assign`].
    Assign,
    /// [`Command::Reply`].
    Reply,
    /// [`Command::AddNote`].
    AddNote,
    /// [`Command::RequestInformation`].
    RequestInformation,
    /// [`Command::ProposeClosure`].
    ProposeClosure,
    /// [`Command::ApproveClosure`].
    ApproveClosure,
    /// [`Command::RefuseClosure`].
    RefuseClosure,
    /// [`Command::AutoApprove`].
    AutoApprove,
    /// [`Command::Cancel`].
    Cancel,
    /// [`Command::Reopen`].
    Reopen,
    /// [`Command::Edit`].
    Edit,
    /// [`Command::MoveCategory`].
    MoveCategory,
    /// [`Command::ReassignRequester`].
    ReassignRequester,
    /// [`Command::InviteGuest`].
    InviteGuest,
}

impl CommandName {
    /// Every command name, in the order [`available_actions`] lists them.
    pub const ALL: [CommandName; 14] = [
        CommandName::Assign,
        CommandName::Reply,
        CommandName::AddNote,
        CommandName::RequestInformation,
        CommandName::ProposeClosure,
        CommandName::ApproveClosure,
        CommandName::RefuseClosure,
        CommandName::AutoApprove,
        CommandName::Cancel,
        CommandName::Reopen,
        CommandName::Edit,
        CommandName::MoveCategory,
        CommandName::ReassignRequester,
        CommandName::InviteGuest,
    ];

    /// The name as a snake-case string, as serialised.
    pub const fn as_str(self) -> &'static str {
        match self {
            CommandName::Assign => "assign",
            CommandName::Reply => "reply",
            CommandName::AddNote => "add_note",
            CommandName::RequestInformation => "request_information",
            CommandName::ProposeClosure => "propose_closure",
            CommandName::ApproveClosure => "approve_closure",
            CommandName::RefuseClosure => "refuse_closure",
            CommandName::AutoApprove => "auto_approve",
            CommandName::Cancel => "cancel",
            CommandName::Reopen => "reopen",
            CommandName::Edit => "edit",
            CommandName::MoveCategory => "move_category",
            CommandName::ReassignRequester => "reassign_requester",
            CommandName::InviteGuest => "invite_guest",
        }
    }
}

impl std::fmt::Display for CommandName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How the actor stands towards one ticket they can see.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Standing {
    /// The ticket's requester.
    Owner,
    /// A member invited to follow it.
    Guest,
    /// A tenant admin of its tenant (who may also be its requester).
    TenantAdmin,
    /// A member who may read it but not change it (tenant-wide visibility).
    Onlooker,
    /// Support staff with this role.
    Staff(StaffRole),
    /// The helpdesk itself.
    System,
}

impl Standing {
    fn is_staff(self) -> bool {
        matches!(self, Standing::Staff(_))
    }

    /// Holds the requester's rights: approve, refuse, cancel, reopen within the window.
    fn speaks_for_requester(self) -> bool {
        matches!(self, Standing::Owner | Standing::TenantAdmin)
    }
}

fn standing(ticket: &Ticket, actor: &Actor, settings: &TenantSettings) -> Result<Standing> {
    ensure_active(actor)?;
    if !Scope::of(actor, settings.requester_visibility).admits(ticket) {
        return Err(Error::NotFound(crate::Entity::Ticket));
    }
    Ok(match actor {
        Actor::System => Standing::System,
        Actor::Staff(s) => Standing::Staff(s.role),
        Actor::Member(m) if m.role == MemberRole::TenantAdmin => Standing::TenantAdmin,
        Actor::Member(m) if ticket.requester == m.id => Standing::Owner,
        Actor::Member(m) if ticket.guests.contains(&m.id) => Standing::Guest,
        Actor::Member(_) => Standing::Onlooker,
    })
}

/// The refusal for a member who is not allowed a requester-only action.
fn not_requester(standing: Standing) -> Error {
    match standing {
        Standing::Onlooker => Forbidden::ReadOnly.into(),
        Standing::Staff(_) | Standing::Guest => Forbidden::NotTheRequester.into(),
        _ => Forbidden::RoleRequired.into(),
    }
}

/// The refusal for anyone but staff.
fn staff_only(standing: Standing) -> Error {
    match standing {
        Standing::Onlooker => Forbidden::ReadOnly.into(),
        Standing::System => Forbidden::RoleRequired.into(),
        _ => Forbidden::StaffOnly.into(),
    }
}

fn invalid(ticket: &Ticket, command: &Command) -> Error {
    Error::InvalidTransition {
        from: ticket.status(),
        command: command.name(),
    }
}

fn in_states(ticket: &Ticket, command: &Command, allowed: &[Status]) -> Result<()> {
    if allowed.contains(&ticket.status()) {
        Ok(())
    } else {
        Err(invalid(ticket, command))
    }
}

fn required(field: &str, text: &RichText) -> Result<()> {
    if text.to_plain_text().trim().is_empty() && !text.as_html().contains("<img") {
        Err(Error::invalid(field, "must not be empty"))
    } else {
        Ok(())
    }
}

const ACTIVE: [Status; 3] = [Status::New, Status::InProgress, Status::WaitingOnRequester];

/// The time and tenant a decision is made in.
#[derive(Clone, Copy, Debug)]
pub struct Context<'a> {
    /// The ticket's tenant settings.
    pub settings: &'a TenantSettings,
    /// Now.
    pub now: DateTime<Utc>,
    /// The host's rules for rich text (which image sources are kept).
    pub text_policy: &'a TextPolicy,
}

/// Decides what `command` by `actor` does to `ticket`: the events to append, in order,
/// or why it is refused. An empty list means the command asked for what already is.
pub fn decide(
    ticket: &Ticket,
    actor: &Actor,
    command: &Command,
    ctx: Context<'_>,
) -> Result<Vec<TimelineEvent>> {
    let standing = standing(ticket, actor, ctx.settings)?;
    let status = ticket.status();
    let event = |kind: EventKind, to: Option<Status>| TimelineEvent {
        id: EventId::new(),
        ticket: ticket.id,
        tenant: ticket.tenant,
        at: ctx.now,
        author: actor.reference(),
        status_change: to
            .filter(|to| *to != status)
            .map(|to| StatusChange { from: status, to }),
        kind,
    };
    match command {
        Command::Assign { assignee, group } => {
            let Standing::Staff(role) = standing else {
                return Err(staff_only(standing));
            };
            if role == StaffRole::Agent {
                let me = actor.as_staff().map(|s| s.id);
                let self_assign = assignee.as_ref().map(|a| a.id) == me && me.is_some();
                if !self_assign || group.is_some_and(|g| Some(g) != ticket.group) {
                    return Err(Forbidden::RoleRequired.into());
                }
            }
            in_states(ticket, command, &Status::OPEN)?;
            if let Some(a) = assignee
                && (!a.active || !a.serves(ticket.tenant))
            {
                return Err(Error::invalid(
                    "assignee",
                    "is not an active staff member serving this ticket's tenant",
                ));
            }
            let assignee_id = assignee.as_ref().map(|a| a.id);
            let group = group.or(ticket.group);
            if assignee_id == ticket.assignee && group == ticket.group {
                return Ok(vec![]);
            }
            let to = (status == Status::New && assignee_id.is_some()).then_some(Status::InProgress);
            Ok(vec![event(
                EventKind::Assigned {
                    assignee: assignee_id,
                    group,
                },
                to,
            )])
        }
        Command::Reply { body } => {
            match standing {
                Standing::Onlooker => return Err(Forbidden::ReadOnly.into()),
                Standing::System => return Err(Forbidden::RoleRequired.into()),
                _ => {}
            }
            in_states(ticket, command, &Status::OPEN)?;
            required("body", body)?;
            let to = (!standing.is_staff() && status == Status::WaitingOnRequester)
                .then_some(Status::InProgress);
            Ok(vec![event(EventKind::Replied { body: body.clone() }, to)])
        }
        Command::AddNote { body } => {
            if !standing.is_staff() {
                return Err(staff_only(standing));
            }
            required("body", body)?;
            Ok(vec![event(
                EventKind::NoteAdded { body: body.clone() },
                None,
            )])
        }
        Command::RequestInformation { message } => {
            if !standing.is_staff() {
                return Err(staff_only(standing));
            }
            in_states(ticket, command, &[Status::New, Status::InProgress])?;
            required("message", message)?;
            Ok(vec![event(
                EventKind::InformationRequested {
                    message: message.clone(),
                },
                Some(Status::WaitingOnRequester),
            )])
        }
        Command::ProposeClosure { solution } => {
            if !standing.is_staff() {
                return Err(staff_only(standing));
            }
            in_states(ticket, command, &ACTIVE)?;
            required("solution", solution)?;
            let solution = solution.clone();
            Ok(vec![match ctx.settings.closure_mode {
                ClosureMode::TwoStep => event(
                    EventKind::ClosureProposed { solution },
                    Some(Status::PendingClosure),
                ),
                ClosureMode::Direct => {
                    event(EventKind::ClosedDirectly { solution }, Some(Status::Closed))
                }
            }])
        }
        Command::ApproveClosure { answers } => {
            if !standing.speaks_for_requester() {
                return Err(not_requester(standing));
            }
            in_states(ticket, command, &[Status::PendingClosure])?;
            let answers = ctx.settings.questionnaire.validate(answers)?;
            Ok(vec![event(
                EventKind::ClosureApproved { answers },
                Some(Status::Closed),
            )])
        }
        Command::RefuseClosure { justification } => {
            if !standing.speaks_for_requester() {
                return Err(not_requester(standing));
            }
            in_states(ticket, command, &[Status::PendingClosure])?;
            required("justification", justification)?;
            Ok(vec![event(
                EventKind::ClosureRefused {
                    justification: justification.clone(),
                },
                Some(Status::InProgress),
            )])
        }
        Command::AutoApprove => {
            if standing != Standing::System {
                return Err(Forbidden::RoleRequired.into());
            }
            let TicketState::PendingClosure { proposed_at, .. } = ticket.state else {
                return Err(invalid(ticket, command));
            };
            if proposed_at + ctx.settings.approval_window.duration() > ctx.now {
                return Err(Error::invalid(
                    "approval_window",
                    "the approval window has not passed yet",
                ));
            }
            Ok(vec![event(
                EventKind::ClosureAutoApproved,
                Some(Status::Closed),
            )])
        }
        Command::Cancel { reason } => {
            let allowed = standing.speaks_for_requester()
                || matches!(
                    standing,
                    Standing::Staff(StaffRole::Supervisor | StaffRole::PlatformAdmin)
                );
            if !allowed {
                return Err(match standing {
                    Standing::Staff(_) | Standing::System => Forbidden::RoleRequired.into(),
                    other => not_requester(other),
                });
            }
            in_states(ticket, command, &ACTIVE)?;
            Ok(vec![event(
                EventKind::Cancelled {
                    reason: reason.clone().filter(|r| !r.is_empty()),
                },
                Some(Status::Cancelled),
            )])
        }
        Command::Reopen { reason } => {
            if !(standing.speaks_for_requester() || standing.is_staff()) {
                return Err(not_requester(standing));
            }
            let TicketState::Closed { closed_at, .. } = ticket.state else {
                return Err(invalid(ticket, command));
            };
            if !standing.is_staff() && closed_at + ctx.settings.reopen_window.duration() < ctx.now {
                return Err(Forbidden::ReopenWindowPassed.into());
            }
            Ok(vec![event(
                EventKind::Reopened {
                    reason: reason.clone().filter(|r| !r.is_empty()),
                },
                Some(Status::InProgress),
            )])
        }
        Command::Edit { edit } => {
            may_edit(ticket, standing, command)?;
            edit_events(ticket, edit, ctx.text_policy)?
                .into_iter()
                .map(|change| Ok(event(EventKind::FieldEdited { change }, None)))
                .collect()
        }
        Command::MoveCategory { category, group } => {
            may_edit(ticket, standing, command)?;
            if category.tenant != ticket.tenant {
                return Err(Error::TenantMismatch(crate::Entity::Category));
            }
            if !category.active {
                return Err(Error::invalid("category", "is no longer in use"));
            }
            if ticket.category == Some(category.id) {
                return Ok(vec![]);
            }
            Ok(vec![event(
                EventKind::CategoryMoved {
                    from: ticket.category,
                    to: category.id,
                    group: group.or(ticket.group),
                },
                None,
            )])
        }
        Command::ReassignRequester { to } => {
            if !matches!(
                standing,
                Standing::TenantAdmin | Standing::Staff(StaffRole::PlatformAdmin)
            ) {
                return Err(match standing {
                    Standing::Onlooker => Forbidden::ReadOnly.into(),
                    _ => Forbidden::RoleRequired.into(),
                });
            }
            check_member_of(ticket, to, "requester")?;
            if to.id == ticket.requester {
                return Ok(vec![]);
            }
            Ok(vec![event(
                EventKind::RequesterReassigned {
                    from: ticket.requester,
                    to: to.id,
                },
                None,
            )])
        }
        Command::InviteGuest { guest } => {
            match standing {
                Standing::Onlooker => return Err(Forbidden::ReadOnly.into()),
                Standing::Guest => return Err(Forbidden::NotTheRequester.into()),
                Standing::System => return Err(Forbidden::RoleRequired.into()),
                _ => {}
            }
            in_states(ticket, command, &Status::OPEN)?;
            check_member_of(ticket, guest, "guest")?;
            if guest.id == ticket.requester {
                return Err(Error::invalid("guest", "is already the ticket's requester"));
            }
            if ticket.guests.contains(&guest.id) {
                return Ok(vec![]);
            }
            Ok(vec![event(
                EventKind::GuestInvited { guest: guest.id },
                None,
            )])
        }
    }
}

/// Edits and moves: the requester side while the ticket is new, staff while it is open.
fn may_edit(ticket: &Ticket, standing: Standing, command: &Command) -> Result<()> {
    match standing {
        Standing::Onlooker => return Err(Forbidden::ReadOnly.into()),
        Standing::Guest => return Err(Forbidden::NotTheRequester.into()),
        Standing::System => return Err(Forbidden::RoleRequired.into()),
        _ => {}
    }
    in_states(ticket, command, &Status::OPEN)?;
    if !standing.is_staff() && ticket.status() != Status::New {
        return Err(Forbidden::TicketAlreadyTaken.into());
    }
    Ok(())
}

fn check_member_of(ticket: &Ticket, member: &Member, field: &str) -> Result<()> {
    if member.tenant != ticket.tenant {
        return Err(Error::TenantMismatch(crate::Entity::Member));
    }
    if member.blocked {
        return Err(Error::invalid(field, "is a blocked member"));
    }
    Ok(())
}

/// The field changes an edit makes, one per field that really changes.
fn edit_events(
    ticket: &Ticket,
    edit: &TicketEdit,
    policy: &TextPolicy,
) -> Result<Vec<FieldChange>> {
    let mut changes = Vec::new();
    if let Some(subject) = &edit.subject {
        let to = single_line("subject", subject, MAX_SUBJECT_CHARS)?;
        if to != ticket.subject {
            changes.push(FieldChange::Subject {
                from: ticket.subject.clone(),
                to,
            });
        }
    }
    if let Some(description) = &edit.description {
        let to = RichText::required_with("description", description, policy)?;
        if to != ticket.description {
            changes.push(FieldChange::Description {
                from: ticket.description.clone(),
                to,
            });
        }
    }
    if let Some(to) = edit.priority.filter(|p| *p != ticket.priority) {
        changes.push(FieldChange::Priority {
            from: ticket.priority,
            to,
        });
    }
    if let Some(to) = edit.product.filter(|p| *p != ticket.product) {
        changes.push(FieldChange::Product {
            from: ticket.product,
            to,
        });
    }
    if let Some(phone) = &edit.contact_phone {
        let to = optional_line("contact_phone", phone.as_deref(), MAX_SHORT_FIELD_CHARS)?;
        if to != ticket.contact_phone {
            changes.push(FieldChange::ContactPhone {
                from: ticket.contact_phone.clone(),
                to,
            });
        }
    }
    if let Some(asset) = &edit.asset {
        let to = optional_line("asset", asset.as_deref(), MAX_SHORT_FIELD_CHARS)?;
        if to != ticket.asset {
            changes.push(FieldChange::Asset {
                from: ticket.asset.clone(),
                to,
            });
        }
    }
    let mut fields = ticket.custom_fields.clone();
    for (key, value) in &edit.custom_fields {
        let key = single_line("custom_fields", key, 64)?;
        let field = format!("custom_fields.{key}");
        let to = optional_line(&field, value.as_deref(), 1000)?;
        let from = fields.get(&key).cloned();
        if to != from {
            match &to {
                Some(v) => fields.insert(key.clone(), v.clone()),
                None => fields.remove(&key),
            };
            changes.push(FieldChange::CustomField { key, from, to });
        }
    }
    if fields.len() > MAX_CUSTOM_FIELDS {
        return Err(Error::invalid(
            "custom_fields",
            format!("at most {MAX_CUSTOM_FIELDS} custom fields"),
        ));
    }
    Ok(changes)
}

/// Decides `command` and applies its events to a copy of `ticket`: the ticket after the
/// command, with its version bumped when anything changed, and the events to append.
pub fn execute(
    ticket: &Ticket,
    actor: &Actor,
    command: &Command,
    ctx: Context<'_>,
) -> Result<(Ticket, Vec<TimelineEvent>)> {
    let events = decide(ticket, actor, command, ctx)?;
    let mut next = ticket.clone();
    for event in &events {
        next.apply(event);
    }
    if !events.is_empty() {
        next.version += 1;
    }
    // Requesters and guests observe only public changes: an internal note moves neither
    // their version nor their updated time.
    if let Some(last) = events
        .iter()
        .rfind(|e| e.visibility() == Visibility::Public)
    {
        next.public_version += 1;
        next.public_updated_at = last.at;
    }
    Ok((next, events))
}

/// What [`open`] needs besides the actor: the tenant, the requester and the looked-up
/// category and product.
#[derive(Clone, Copy, Debug)]
pub struct Opening<'a> {
    /// The tenant the ticket is opened in.
    pub tenant: &'a Tenant,
    /// Whose ticket it will be.
    pub requester: &'a Member,
    /// The chosen category, looked up in the tenant.
    pub category: Option<&'a Category>,
    /// The group the category routes to.
    pub group: Option<GroupId>,
    /// The chosen product, looked up in the tenant.
    pub product: Option<&'a Product>,
    /// Now.
    pub now: DateTime<Utc>,
    /// The host's rules for rich text (which image sources are kept).
    pub text_policy: &'a TextPolicy,
}

/// Opens a ticket: checks who may open it for whom, validates the fields, and returns
/// the new ticket (numbered [`TicketNumber`] 0 until the store numbers it) with its
/// `opened` event.
pub fn open(actor: &Actor, draft: &NewTicket, at: Opening<'_>) -> Result<(Ticket, TimelineEvent)> {
    ensure_active(actor)?;
    let tenant = at.tenant.id;
    match actor {
        Actor::Member(m) if m.tenant != tenant => {
            return Err(Error::NotFound(crate::Entity::Tenant));
        }
        Actor::Member(m) if m.role == MemberRole::Requester && at.requester.id != m.id => {
            return Err(Forbidden::RoleRequired.into());
        }
        Actor::Staff(s) if !s.serves(tenant) => return Err(Error::NotFound(crate::Entity::Tenant)),
        _ => {}
    }
    if at.requester.tenant != tenant {
        return Err(Error::TenantMismatch(crate::Entity::Member));
    }
    if at.requester.blocked {
        return Err(Error::invalid("requester", "is a blocked member"));
    }
    if let Some(category) = at.category {
        if category.tenant != tenant {
            return Err(Error::TenantMismatch(crate::Entity::Category));
        }
        if !category.active {
            return Err(Error::invalid("category", "is no longer in use"));
        }
    }
    if let Some(product) = at.product {
        if product.tenant != tenant {
            return Err(Error::TenantMismatch(crate::Entity::Product));
        }
        if !product.active {
            return Err(Error::invalid("product", "is no longer in use"));
        }
    }
    let subject = single_line("subject", &draft.subject, MAX_SUBJECT_CHARS)?;
    let description = RichText::required_with("description", &draft.description, at.text_policy)?;
    let contact_phone = optional_line(
        "contact_phone",
        draft.contact_phone.as_deref(),
        MAX_SHORT_FIELD_CHARS,
    )?;
    let asset = optional_line("asset", draft.asset.as_deref(), MAX_SHORT_FIELD_CHARS)?;
    if draft.custom_fields.len() > MAX_CUSTOM_FIELDS {
        return Err(Error::invalid(
            "custom_fields",
            format!("at most {MAX_CUSTOM_FIELDS} custom fields"),
        ));
    }
    let mut custom_fields = std::collections::BTreeMap::new();
    for (key, value) in &draft.custom_fields {
        let key = single_line("custom_fields", key, 64)?;
        let field = format!("custom_fields.{key}");
        custom_fields.insert(key, single_line(&field, value, 1000).map_err(Error::from)?);
    }
    let ticket = Ticket {
        id: crate::ids::TicketId::new(),
        tenant,
        number: TicketNumber::new(0),
        subject,
        description,
        category: at.category.map(|c| c.id),
        product: at.product.map(|p| p.id),
        priority: draft.priority.unwrap_or_default(),
        state: TicketState::New,
        requester: at.requester.id,
        assignee: None,
        group: at.group,
        guests: Vec::new(),
        contact_phone,
        asset,
        custom_fields,
        opened_by: actor.reference(),
        created_at: at.now,
        updated_at: at.now,
        version: 1,
        public_updated_at: at.now,
        public_version: 1,
    };
    let event = TimelineEvent {
        id: EventId::new(),
        ticket: ticket.id,
        tenant,
        at: at.now,
        author: actor.reference(),
        status_change: None,
        kind: EventKind::Opened,
    };
    Ok((ticket, event))
}

/// The commands `actor` may run on `ticket` now, by [`Command::name`]: those that
/// [`decide`] would not refuse as not found, forbidden or an invalid transition. Commands
/// that need input are tried with a placeholder, so a validation error still counts as
/// available.
pub fn available_actions(ticket: &Ticket, actor: &Actor, ctx: Context<'_>) -> Vec<CommandName> {
    placeholders(ticket, actor)
        .iter()
        .filter(|command| outright(decide(ticket, actor, command, ctx)).is_ok())
        .map(Command::name)
        .collect()
}

/// Refuses the command named `name` when the rules would refuse
/// it whatever its input: the ticket is hidden, the actor may not, or the state does not
/// allow it. Lets a caller say so before looking up the command's input.
pub fn precheck(ticket: &Ticket, actor: &Actor, name: CommandName, ctx: Context<'_>) -> Result<()> {
    match placeholders(ticket, actor)
        .into_iter()
        .find(|c| c.name() == name)
    {
        Some(command) => outright(decide(ticket, actor, &command, ctx)),
        None => Ok(()),
    }
}

/// Keeps only the refusals that no other input would avoid.
fn outright(decision: Result<Vec<TimelineEvent>>) -> Result<()> {
    match decision {
        Err(e @ (Error::NotFound(_) | Error::Forbidden(_) | Error::InvalidTransition { .. })) => {
            Err(e)
        }
        _ => Ok(()),
    }
}

/// One command of each kind, with placeholder input.
fn placeholders(ticket: &Ticket, actor: &Actor) -> [Command; 14] {
    let text = RichText::sanitize("…").unwrap_or_else(|_| ticket.description.clone());
    let someone = Member {
        id: crate::ids::MemberId::new(),
        tenant: ticket.tenant,
        user: crate::people::UserId::unchecked("placeholder"),
        display_name: String::new(),
        email: None,
        role: MemberRole::Requester,
        blocked: false,
    };
    let category = Category {
        id: crate::ids::CategoryId::new(),
        tenant: ticket.tenant,
        parent: None,
        name: String::new(),
        group: ticket.group,
        active: true,
    };
    [
        Command::Assign {
            assignee: actor.as_staff().cloned(),
            group: None,
        },
        Command::Reply { body: text.clone() },
        Command::AddNote { body: text.clone() },
        Command::RequestInformation {
            message: text.clone(),
        },
        Command::ProposeClosure {
            solution: text.clone(),
        },
        Command::ApproveClosure {
            answers: Answers::new(),
        },
        Command::RefuseClosure {
            justification: text,
        },
        Command::AutoApprove,
        Command::Cancel { reason: None },
        Command::Reopen { reason: None },
        Command::Edit {
            edit: TicketEdit::default(),
        },
        Command::MoveCategory {
            category,
            group: None,
        },
        Command::ReassignRequester {
            to: someone.clone(),
        },
        Command::InviteGuest { guest: someone },
    ]
}
