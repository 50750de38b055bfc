//! [`decide`]: one function per command, each checking who may, in which state, and
//! answering with the events; and the commands on the conversation and the people.

use crate::error::{Error, Forbidden, Result};
use crate::ids::{EventId, GroupId};
use crate::people::{Actor, Member, Staff, StaffRole};
use crate::status::Status;
use crate::text::RichText;
use crate::ticket::Ticket;
use crate::timeline::{EventKind, StatusChange, TimelineEvent};

use super::standing::{Standing, check_member_of, in_states, required, staff_only, standing};
use super::{Command, CommandName, Context, closure, edit};

/// What every command's decision is made with: the ticket, who asks, how they stand
/// towards the ticket, and the command's name (for invalid-transition errors).
#[derive(Clone, Copy, Debug)]
pub(super) struct Decision<'a> {
    pub(super) ticket: &'a Ticket,
    pub(super) actor: &'a Actor,
    pub(super) ctx: Context<'a>,
    pub(super) standing: Standing,
    pub(super) name: CommandName,
}

impl Decision<'_> {
    /// An event by the actor on the ticket, now, moving it to `to` when that is a change.
    pub(super) fn event(&self, kind: EventKind, to: Option<Status>) -> TimelineEvent {
        let status = self.ticket.status();
        TimelineEvent {
            id: EventId::new(),
            ticket: self.ticket.id,
            tenant: self.ticket.tenant,
            at: self.ctx.now,
            author: self.actor.reference(),
            status_change: to
                .filter(|to| *to != status)
                .map(|to| StatusChange { from: status, to }),
            kind,
        }
    }

    /// Refuses the command unless the ticket is in one of `allowed`.
    pub(super) fn in_states(&self, allowed: &[Status]) -> Result<()> {
        in_states(self.ticket, self.name, allowed)
    }
}

/// Decides what `command` by `actor` does to `ticket`: the events to append, in order,
/// or why it is refused. An empty list means the command asked for what already is.
pub fn decide(
    ticket: &Ticket,
    actor: &Actor,
    command: &Command,
    ctx: Context<'_>,
) -> Result<Vec<TimelineEvent>> {
    let d = Decision {
        ticket,
        actor,
        ctx,
        standing: standing(ticket, actor, ctx.settings)?,
        name: command.name(),
    };
    match command {
        Command::Assign { assignee, group } => decide_assign(d, assignee.as_ref(), *group),
        Command::Reply { body } => decide_reply(d, body),
        Command::AddNote { body } => decide_add_note(d, body),
        Command::RequestInformation { message } => decide_request_information(d, message),
        Command::ProposeClosure { solution } => closure::decide_propose_closure(d, solution),
        Command::ApproveClosure { answers } => closure::decide_approve_closure(d, answers),
        Command::RefuseClosure { justification } => {
            closure::decide_refuse_closure(d, justification)
        }
        Command::AutoApprove => closure::decide_auto_approve(d),
        Command::Cancel { reason } => closure::decide_cancel(d, reason.as_ref()),
        Command::Reopen { reason } => closure::decide_reopen(d, reason.as_ref()),
        Command::Edit { edit } => edit::decide_edit(d, edit),
        Command::MoveCategory { category, group } => {
            edit::decide_move_category(d, category, *group)
        }
        Command::ReassignRequester { to } => decide_reassign_requester(d, to),
        Command::InviteGuest { guest } => decide_invite_guest(d, guest),
    }
}

fn decide_assign(
    d: Decision<'_>,
    assignee: Option<&Staff>,
    group: Option<GroupId>,
) -> Result<Vec<TimelineEvent>> {
    let ticket = d.ticket;
    let Standing::Staff(role) = d.standing else {
        return Err(staff_only(d.standing));
    };
    if role == StaffRole::Agent {
        let me = d.actor.as_staff().map(|s| s.id);
        let self_assign = assignee.map(|a| a.id) == me && me.is_some();
        if !self_assign || group.is_some_and(|g| Some(g) != ticket.group) {
            return Err(Forbidden::RoleRequired.into());
        }
    }
    d.in_states(&Status::OPEN)?;
    if let Some(a) = assignee
        && (!a.active || !a.serves(ticket.tenant))
    {
        return Err(Error::invalid(
            "assignee",
            "is not an active staff member serving this ticket's tenant",
        ));
    }
    let assignee_id = assignee.map(|a| a.id);
    let group = group.or(ticket.group);
    if assignee_id == ticket.assignee && group == ticket.group {
        return Ok(vec![]);
    }
    let to =
        (ticket.status() == Status::New && assignee_id.is_some()).then_some(Status::InProgress);
    Ok(vec![d.event(
        EventKind::Assigned {
            assignee: assignee_id,
            group,
        },
        to,
    )])
}

fn decide_reply(d: Decision<'_>, body: &RichText) -> Result<Vec<TimelineEvent>> {
    match d.standing {
        Standing::Onlooker => return Err(Forbidden::ReadOnly.into()),
        Standing::System => return Err(Forbidden::RoleRequired.into()),
        _ => {}
    }
    d.in_states(&Status::OPEN)?;
    required("body", body)?;
    let to = (!d.standing.is_staff() && d.ticket.status() == Status::WaitingOnRequester)
        .then_some(Status::InProgress);
    Ok(vec![d.event(EventKind::Replied { body: body.clone() }, to)])
}

fn decide_add_note(d: Decision<'_>, body: &RichText) -> Result<Vec<TimelineEvent>> {
    if !d.standing.is_staff() {
        return Err(staff_only(d.standing));
    }
    required("body", body)?;
    Ok(vec![
        d.event(EventKind::NoteAdded { body: body.clone() }, None),
    ])
}

fn decide_request_information(d: Decision<'_>, message: &RichText) -> Result<Vec<TimelineEvent>> {
    if !d.standing.is_staff() {
        return Err(staff_only(d.standing));
    }
    d.in_states(&[Status::New, Status::InProgress])?;
    required("message", message)?;
    Ok(vec![d.event(
        EventKind::InformationRequested {
            message: message.clone(),
        },
        Some(Status::WaitingOnRequester),
    )])
}

fn decide_reassign_requester(d: Decision<'_>, to: &Member) -> Result<Vec<TimelineEvent>> {
    if !matches!(
        d.standing,
        Standing::TenantAdmin | Standing::Staff(StaffRole::PlatformAdmin)
    ) {
        return Err(match d.standing {
            Standing::Onlooker => Forbidden::ReadOnly.into(),
            _ => Forbidden::RoleRequired.into(),
        });
    }
    check_member_of(d.ticket, to, "requester")?;
    if to.id == d.ticket.requester {
        return Ok(vec![]);
    }
    Ok(vec![d.event(
        EventKind::RequesterReassigned {
            from: d.ticket.requester,
            to: to.id,
        },
        None,
    )])
}

fn decide_invite_guest(d: Decision<'_>, guest: &Member) -> Result<Vec<TimelineEvent>> {
    match d.standing {
        Standing::Onlooker => return Err(Forbidden::ReadOnly.into()),
        Standing::Guest => return Err(Forbidden::NotTheRequester.into()),
        Standing::System => return Err(Forbidden::RoleRequired.into()),
        _ => {}
    }
    d.in_states(&Status::OPEN)?;
    check_member_of(d.ticket, guest, "guest")?;
    if guest.id == d.ticket.requester {
        return Err(Error::invalid_coded(
            "guest",
            crate::error::ReasonCode::Duplicate,
            "is already the ticket's requester",
        ));
    }
    if d.ticket.guests.contains(&guest.id) {
        return Ok(vec![]);
    }
    Ok(vec![
        d.event(EventKind::GuestInvited { guest: guest.id }, None),
    ])
}
