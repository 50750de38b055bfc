//! What an actor may do to a ticket now: [`available_actions`] and [`precheck`].

use crate::catalog::Category;
use crate::error::{Error, Result};
use crate::people::{Actor, Member, MemberRole};
use crate::questionnaire::Answers;
use crate::text::RichText;
use crate::ticket::{Ticket, TicketEdit};
use crate::timeline::TimelineEvent;

use super::{Command, CommandName, Context, decide};

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
        language: None,
        muted: crate::MutedTopics::new(),
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
