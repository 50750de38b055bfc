//! The workflow rules as pure functions: `(ticket, actor, command, now) -> events`.
//!
//! [`decide`] checks who may do what to which ticket in which state and answers with the
//! events to append, or a typed refusal; [`execute`] also applies them. Nothing here
//! touches storage: the service loads what a rule needs and passes it in.
//!
//! By concern: the commands and their names (`command`), how the actor stands towards
//! the ticket and the checks the commands share (`standing`), [`decide`] and one function
//! per command (`decide`, `closure`, `edit`), [`open`] (`open`), and what the actor may
//! do now (`actions`).

use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::people::Actor;
use crate::tenant::TenantSettings;
use crate::text::TextPolicy;
use crate::ticket::Ticket;
use crate::timeline::{TimelineEvent, Visibility};

mod actions;
mod closure;
mod command;
mod decide;
mod edit;
mod open;
mod standing;

pub use actions::{available_actions, precheck};
pub use command::{Command, CommandName};
pub use decide::decide;
pub use open::{Opening, open};

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
