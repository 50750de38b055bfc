//! How the actor stands towards a ticket, and the checks and refusals the commands share.

use crate::error::{Error, Forbidden, Result};
use crate::people::{Actor, Member, MemberRole, StaffRole};
use crate::permissions::{Scope, ensure_active};
use crate::status::Status;
use crate::tenant::TenantSettings;
use crate::text::RichText;
use crate::ticket::Ticket;

use super::CommandName;

/// How the actor stands towards one ticket they can see.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Standing {
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
    pub(super) fn is_staff(self) -> bool {
        matches!(self, Standing::Staff(_))
    }

    /// Holds the requester's rights: approve, refuse, cancel, reopen within the window.
    pub(super) fn speaks_for_requester(self) -> bool {
        matches!(self, Standing::Owner | Standing::TenantAdmin)
    }
}

pub(super) fn standing(
    ticket: &Ticket,
    actor: &Actor,
    settings: &TenantSettings,
) -> Result<Standing> {
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
pub(super) fn not_requester(standing: Standing) -> Error {
    match standing {
        Standing::Onlooker => Forbidden::ReadOnly.into(),
        Standing::Staff(_) | Standing::Guest => Forbidden::NotTheRequester.into(),
        _ => Forbidden::RoleRequired.into(),
    }
}

/// The refusal for anyone but staff.
pub(super) fn staff_only(standing: Standing) -> Error {
    match standing {
        Standing::Onlooker => Forbidden::ReadOnly.into(),
        Standing::System => Forbidden::RoleRequired.into(),
        _ => Forbidden::StaffOnly.into(),
    }
}

pub(super) fn invalid(ticket: &Ticket, command: CommandName) -> Error {
    Error::InvalidTransition {
        from: ticket.status(),
        command,
    }
}

pub(super) fn in_states(ticket: &Ticket, command: CommandName, allowed: &[Status]) -> Result<()> {
    if allowed.contains(&ticket.status()) {
        Ok(())
    } else {
        Err(invalid(ticket, command))
    }
}

pub(super) fn required(field: &str, text: &RichText) -> Result<()> {
    if text.to_plain_text().trim().is_empty() && !text.as_html().contains("<img") {
        Err(Error::Validation(crate::error::ValidationError::required(
            field,
        )))
    } else {
        Ok(())
    }
}

pub(super) const ACTIVE: [Status; 3] =
    [Status::New, Status::InProgress, Status::WaitingOnRequester];

/// Edits and moves: the requester side while the ticket is new, staff while it is open.
pub(super) fn may_edit(ticket: &Ticket, standing: Standing, command: CommandName) -> Result<()> {
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

pub(super) fn check_member_of(ticket: &Ticket, member: &Member, field: &str) -> Result<()> {
    if member.tenant != ticket.tenant {
        return Err(Error::TenantMismatch(crate::Entity::Member));
    }
    if member.blocked {
        return Err(Error::invalid_coded(
            field,
            crate::error::ReasonCode::Inactive,
            "is a blocked member",
        ));
    }
    Ok(())
}
