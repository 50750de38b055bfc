//! The commands on an existing ticket and their names.

use crate::catalog::Category;
use crate::ids::GroupId;
use crate::people::{Member, Staff};
use crate::questionnaire::Answers;
use crate::text::RichText;
use crate::ticket::TicketEdit;

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
/// what [`available_actions`](super::available_actions) lists and what [`precheck`](super::precheck) checks. Serialised (and shown)
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
    /// Every command name, in the order [`available_actions`](super::available_actions) lists them.
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
