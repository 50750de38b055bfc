//! The commands that close, cancel and reopen a ticket.

use crate::error::{Error, Forbidden, Result};
use crate::people::StaffRole;
use crate::questionnaire::Answers;
use crate::status::Status;
use crate::tenant::ClosureMode;
use crate::text::RichText;
use crate::ticket::TicketState;
use crate::timeline::{EventKind, TimelineEvent};

use super::decide::Decision;
use super::standing::{ACTIVE, Standing, invalid, not_requester, required, staff_only};

pub(super) fn decide_propose_closure(
    d: Decision<'_>,
    solution: &RichText,
) -> Result<Vec<TimelineEvent>> {
    if !d.standing.is_staff() {
        return Err(staff_only(d.standing));
    }
    d.in_states(&ACTIVE)?;
    required("solution", solution)?;
    let solution = solution.clone();
    Ok(vec![match d.ctx.settings.closure_mode {
        ClosureMode::TwoStep => d.event(
            EventKind::ClosureProposed { solution },
            Some(Status::PendingClosure),
        ),
        ClosureMode::Direct => {
            d.event(EventKind::ClosedDirectly { solution }, Some(Status::Closed))
        }
    }])
}

pub(super) fn decide_approve_closure(
    d: Decision<'_>,
    answers: &Answers,
) -> Result<Vec<TimelineEvent>> {
    if !d.standing.speaks_for_requester() {
        return Err(not_requester(d.standing));
    }
    d.in_states(&[Status::PendingClosure])?;
    let answers = d.ctx.settings.questionnaire.validate(answers)?;
    Ok(vec![d.event(
        EventKind::ClosureApproved { answers },
        Some(Status::Closed),
    )])
}

pub(super) fn decide_refuse_closure(
    d: Decision<'_>,
    justification: &RichText,
) -> Result<Vec<TimelineEvent>> {
    if !d.standing.speaks_for_requester() {
        return Err(not_requester(d.standing));
    }
    d.in_states(&[Status::PendingClosure])?;
    required("justification", justification)?;
    Ok(vec![d.event(
        EventKind::ClosureRefused {
            justification: justification.clone(),
        },
        Some(Status::InProgress),
    )])
}

pub(super) fn decide_auto_approve(d: Decision<'_>) -> Result<Vec<TimelineEvent>> {
    if d.standing != Standing::System {
        return Err(Forbidden::RoleRequired.into());
    }
    let TicketState::PendingClosure { proposed_at, .. } = d.ticket.state else {
        return Err(invalid(d.ticket, d.name));
    };
    if proposed_at + d.ctx.settings.approval_window.duration() > d.ctx.now {
        return Err(Error::invalid(
            "approval_window",
            "the approval window has not passed yet",
        ));
    }
    Ok(vec![d.event(
        EventKind::ClosureAutoApproved,
        Some(Status::Closed),
    )])
}

pub(super) fn decide_cancel(
    d: Decision<'_>,
    reason: Option<&RichText>,
) -> Result<Vec<TimelineEvent>> {
    let allowed = d.standing.speaks_for_requester()
        || matches!(
            d.standing,
            Standing::Staff(StaffRole::Supervisor | StaffRole::PlatformAdmin)
        );
    if !allowed {
        return Err(match d.standing {
            Standing::Staff(_) | Standing::System => Forbidden::RoleRequired.into(),
            other => not_requester(other),
        });
    }
    d.in_states(&ACTIVE)?;
    Ok(vec![d.event(
        EventKind::Cancelled {
            reason: reason.cloned().filter(|r| !r.is_empty()),
        },
        Some(Status::Cancelled),
    )])
}

pub(super) fn decide_reopen(
    d: Decision<'_>,
    reason: Option<&RichText>,
) -> Result<Vec<TimelineEvent>> {
    if !(d.standing.speaks_for_requester() || d.standing.is_staff()) {
        return Err(not_requester(d.standing));
    }
    let TicketState::Closed { closed_at, .. } = d.ticket.state else {
        return Err(invalid(d.ticket, d.name));
    };
    if !d.standing.is_staff() && closed_at + d.ctx.settings.reopen_window.duration() < d.ctx.now {
        return Err(Forbidden::ReopenWindowPassed.into());
    }
    Ok(vec![d.event(
        EventKind::Reopened {
            reason: reason.cloned().filter(|r| !r.is_empty()),
        },
        Some(Status::InProgress),
    )])
}
