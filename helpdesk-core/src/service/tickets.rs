//! The ticket use cases: open, and every command of the workflow.

use crate::attachment::NewAttachment;
use crate::catalog::route;
use crate::error::{Error, Result};
use crate::ids::{CategoryId, EventId, GroupId, MemberId, StaffId, TicketId};
use crate::notify::OutboxMessage;
use crate::people::Actor;
use crate::permissions::{observed_by, observed_version};
use crate::ports::TicketChange;
use crate::questionnaire::Answers;
use crate::tenant::Tenant;
use crate::text::RichText;
use crate::ticket::{Ticket, TicketEdit};
use crate::workflow::{self, Command, CommandName, Context};

use super::HelpdeskService;

/// The most attachments one event carries by default
/// ([`AttachmentLimits::max_files`](crate::AttachmentLimits::max_files)).
pub const MAX_ATTACHMENTS_PER_EVENT: usize = 10;

/// How one try of a command on a ticket ended, short of a refusal.
enum Attempt {
    /// The command was saved (or changed nothing): the ticket after it.
    Saved(Box<Ticket>),
    /// The ticket changed between the read and the write: the store's conflict.
    Raced(Error),
}

/// How many times a command is decided again when the ticket changed under it before
/// the write gives up with a version conflict.
pub const MAX_ATTEMPTS: u32 = 32;

impl HelpdeskService {
    /// Loads the ticket, refuses what the rules refuse outright, checks the version the
    /// caller read, builds the command from it, runs the rules and saves everything in
    /// one transaction.
    ///
    /// A write that finds the ticket changed since it was read is decided again on the
    /// fresh ticket, up to [`MAX_ATTEMPTS`] times: a caller who sent no version (a blind
    /// reply, note or invitation) never fails because someone else wrote first, and a
    /// caller who did fails only when the version *they* can observe has moved. Each
    /// attempt re-reads the ticket and runs the rules again, so a command the new state
    /// refuses is refused, not forced through. (The command's input, looked up in the
    /// ticket's tenant, is built once: a ticket never changes tenant.)
    async fn run<F>(
        &self,
        actor: &Actor,
        id: TicketId,
        expected_version: Option<u64>,
        attachments: Vec<NewAttachment>,
        name: CommandName,
        command: F,
    ) -> Result<Ticket>
    where
        F: AsyncFnOnce(&Self, &Ticket) -> Result<Command>,
    {
        self.run_as(
            actor,
            id,
            expected_version,
            attachments,
            name,
            None,
            command,
        )
        .await
    }

    /// [`run`](Self::run), giving the command's first event the id `event_id` when one is
    /// given: a deterministic id (a reply by mail's, from its Message-ID) that the store
    /// refuses to write twice.
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn run_as<F>(
        &self,
        actor: &Actor,
        id: TicketId,
        expected_version: Option<u64>,
        attachments: Vec<NewAttachment>,
        name: CommandName,
        event_id: Option<EventId>,
        command: F,
    ) -> Result<Ticket>
    where
        F: AsyncFnOnce(&Self, &Ticket) -> Result<Command>,
    {
        let (mut ticket, mut tenant) = self.checked(actor, id, expected_version, name).await?;
        let command = command(self, &ticket).await?;
        let mut attempt = 1;
        loop {
            match self
                .decide_and_save(actor, &ticket, &tenant, &command, &attachments, event_id)
                .await?
            {
                Attempt::Saved(next) => return Ok(observed_by(actor, *next)),
                Attempt::Raced(conflict) if attempt >= MAX_ATTEMPTS => return Err(conflict),
                Attempt::Raced(_) => {
                    attempt += 1;
                    (ticket, tenant) = self.checked(actor, id, expected_version, name).await?;
                }
            }
        }
    }

    /// Reads the ticket and refuses what needs no input to refuse: a hidden ticket, a
    /// command the actor or the state does not allow, a stale `If-Match`.
    async fn checked(
        &self,
        actor: &Actor,
        id: TicketId,
        expected_version: Option<u64>,
        name: CommandName,
    ) -> Result<(Ticket, Tenant)> {
        let (ticket, tenant) = self.visible_ticket(actor, id).await?;
        workflow::precheck(
            &ticket,
            actor,
            name,
            Context {
                settings: &tenant.settings,
                now: self.clock.now(),
                text_policy: &self.text_policy,
            },
        )?;
        // A conditional write compares the version its caller can observe: requesters
        // and guests never see internal notes, so a note does not make theirs stale.
        let observed = observed_version(actor, &ticket);
        if let Some(expected) = expected_version
            && expected != observed
        {
            return Err(Error::VersionConflict {
                expected,
                actual: observed,
            });
        }
        Ok((ticket, tenant))
    }

    /// Runs the rules on `ticket` as read and saves the outcome, unless the ticket changed
    /// since it was read.
    async fn decide_and_save(
        &self,
        actor: &Actor,
        ticket: &Ticket,
        tenant: &Tenant,
        command: &Command,
        attachments: &[NewAttachment],
        event_id: Option<EventId>,
    ) -> Result<Attempt> {
        let ctx = Context {
            settings: &tenant.settings,
            now: self.clock.now(),
            text_policy: &self.text_policy,
        };
        let (mut next, mut events) = workflow::execute(ticket, actor, command, ctx)?;
        if let (Some(id), Some(first)) = (event_id, events.first_mut()) {
            first.id = id;
        }
        if !events.is_empty() {
            next.service_level.observe(
                &tenant.settings.service_levels,
                next.created_at,
                (ticket.status(), ticket.priority),
                (next.status(), next.priority),
                &events,
                ctx.now,
            );
        }
        let Some(first) = events.first() else {
            if !attachments.is_empty() {
                return Err(Error::invalid("attachments", "nothing to attach them to"));
            }
            return Ok(Attempt::Saved(Box::new(ticket.clone())));
        };
        let attachments = self.attachments_for(actor, &next, first, attachments.to_vec())?;
        let webhooks = self.cached_webhooks(next.tenant).await?;
        let outbox: Vec<_> = events
            .iter()
            .flat_map(|e| {
                OutboxMessage::for_event(&next, e)
                    .into_iter()
                    .chain(OutboxMessage::for_webhooks(&next, e, &webhooks))
            })
            .collect();
        let saved = self
            .store
            .save_ticket(TicketChange {
                ticket: &next,
                expected_version: ticket.version,
                events: &events,
                outbox: &outbox,
                attachments: &attachments,
                request_fingerprint: None,
            })
            .await;
        match saved {
            Ok(()) => Ok(Attempt::Saved(Box::new(next))),
            // Someone wrote between our read and our write: decide again.
            Err(conflict @ Error::VersionConflict { .. }) => Ok(Attempt::Raced(conflict)),
            Err(e) => Err(e),
        }
    }

    /// Assigns the ticket to a staff member and/or a group. Supervisors assign anyone; an
    /// agent may only take a ticket for themself. Setting an agent on a new ticket puts it
    /// in progress.
    pub async fn assign(
        &self,
        actor: &Actor,
        ticket: TicketId,
        expected_version: Option<u64>,
        assignee: Option<StaffId>,
        group: Option<GroupId>,
    ) -> Result<Ticket> {
        self.run(
            actor,
            ticket,
            expected_version,
            vec![],
            CommandName::Assign,
            async |this: &Self, _: &Ticket| {
                let assignee = match assignee {
                    Some(id) => Some(this.store.staff(id).await?.ok_or_else(|| {
                        Error::invalid_coded(
                            "assignee",
                            crate::error::ReasonCode::UnknownReference,
                            "no such staff member",
                        )
                    })?),
                    None => None,
                };
                if let Some(g) = group
                    && this.store.group(g).await?.is_none()
                {
                    return Err(Error::invalid_coded(
                        "group",
                        crate::error::ReasonCode::UnknownReference,
                        "no such group",
                    ));
                }
                Ok(Command::Assign { assignee, group })
            },
        )
        .await
    }

    /// Adds a public reply, with attachments. A requester's reply to a ticket waiting on
    /// them puts it back in progress.
    pub async fn reply(
        &self,
        actor: &Actor,
        ticket: TicketId,
        expected_version: Option<u64>,
        body: &str,
        attachments: Vec<NewAttachment>,
    ) -> Result<Ticket> {
        self.run(
            actor,
            ticket,
            expected_version,
            attachments,
            CommandName::Reply,
            async |_: &Self, _: &Ticket| {
                Ok(Command::Reply {
                    body: RichText::required_with("body", body, &self.text_policy)?,
                })
            },
        )
        .await
    }

    /// Adds an internal note (staff only), with attachments that share its visibility.
    pub async fn add_note(
        &self,
        actor: &Actor,
        ticket: TicketId,
        expected_version: Option<u64>,
        body: &str,
        attachments: Vec<NewAttachment>,
    ) -> Result<Ticket> {
        self.run(
            actor,
            ticket,
            expected_version,
            attachments,
            CommandName::AddNote,
            async |_: &Self, _: &Ticket| {
                Ok(Command::AddNote {
                    body: RichText::required_with("body", body, &self.text_policy)?,
                })
            },
        )
        .await
    }

    /// Asks the requester for more information; the ticket waits on them.
    pub async fn request_information(
        &self,
        actor: &Actor,
        ticket: TicketId,
        expected_version: Option<u64>,
        message: &str,
    ) -> Result<Ticket> {
        self.run(
            actor,
            ticket,
            expected_version,
            vec![],
            CommandName::RequestInformation,
            async |_: &Self, _: &Ticket| {
                Ok(Command::RequestInformation {
                    message: RichText::required_with("message", message, &self.text_policy)?,
                })
            },
        )
        .await
    }

    /// Proposes a solution: the ticket waits for the requester's approval, or closes at
    /// once for tenants in direct closure mode.
    pub async fn propose_closure(
        &self,
        actor: &Actor,
        ticket: TicketId,
        expected_version: Option<u64>,
        solution: &str,
    ) -> Result<Ticket> {
        self.run(
            actor,
            ticket,
            expected_version,
            vec![],
            CommandName::ProposeClosure,
            async |_: &Self, _: &Ticket| {
                Ok(Command::ProposeClosure {
                    solution: RichText::required_with("solution", solution, &self.text_policy)?,
                })
            },
        )
        .await
    }

    /// Approves the proposed closure with the questionnaire's answers.
    pub async fn approve_closure(
        &self,
        actor: &Actor,
        ticket: TicketId,
        expected_version: Option<u64>,
        answers: Answers,
    ) -> Result<Ticket> {
        self.run(
            actor,
            ticket,
            expected_version,
            vec![],
            CommandName::ApproveClosure,
            async |_: &Self, _: &Ticket| Ok(Command::ApproveClosure { answers }),
        )
        .await
    }

    /// Refuses the proposed closure, saying why; the ticket goes back in progress.
    pub async fn refuse_closure(
        &self,
        actor: &Actor,
        ticket: TicketId,
        expected_version: Option<u64>,
        justification: &str,
    ) -> Result<Ticket> {
        self.run(
            actor,
            ticket,
            expected_version,
            vec![],
            CommandName::RefuseClosure,
            async |_: &Self, _: &Ticket| {
                Ok(Command::RefuseClosure {
                    justification: RichText::required_with(
                        "justification",
                        justification,
                        &self.text_policy,
                    )?,
                })
            },
        )
        .await
    }

    /// Closes, as the system, every pending closure whose tenant's approval window has
    /// passed; their questionnaires stay unanswered. Returns how many were closed. Safe
    /// to run from several processes: a ticket closed by another run is skipped.
    pub async fn auto_approve_due_closures(&self) -> Result<usize> {
        let mut closed = 0;
        for tenant in self.store.tenants().await? {
            let cutoff = self.clock.now() - tenant.settings.approval_window.duration();
            loop {
                let due = self.store.closures_due(tenant.id, cutoff, 100).await?;
                let batch = due.len();
                for ticket in due {
                    match self
                        .run(
                            &Actor::System,
                            ticket.id,
                            Some(ticket.version),
                            vec![],
                            CommandName::AutoApprove,
                            async |_: &Self, _: &Ticket| Ok(Command::AutoApprove),
                        )
                        .await
                    {
                        Ok(_) => closed += 1,
                        Err(Error::VersionConflict { .. } | Error::InvalidTransition { .. }) => {}
                        Err(e) => return Err(e),
                    }
                }
                if batch < 100 {
                    break;
                }
            }
        }
        Ok(closed)
    }

    /// Cancels the ticket (its requester, a tenant admin or a supervisor).
    pub async fn cancel(
        &self,
        actor: &Actor,
        ticket: TicketId,
        expected_version: Option<u64>,
        reason: Option<&str>,
    ) -> Result<Ticket> {
        self.run_with_reason(
            actor,
            ticket,
            expected_version,
            reason,
            CommandName::Cancel,
            |reason| Command::Cancel { reason },
        )
        .await
    }

    /// Reopens a closed ticket: the requester within the tenant's reopen window, staff at
    /// any time.
    pub async fn reopen(
        &self,
        actor: &Actor,
        ticket: TicketId,
        expected_version: Option<u64>,
        reason: Option<&str>,
    ) -> Result<Ticket> {
        self.run_with_reason(
            actor,
            ticket,
            expected_version,
            reason,
            CommandName::Reopen,
            |reason| Command::Reopen { reason },
        )
        .await
    }

    /// Runs a command whose one input is an optional reason (cancelling, reopening),
    /// sanitised under the host's text policy once the actor may run it.
    async fn run_with_reason(
        &self,
        actor: &Actor,
        ticket: TicketId,
        expected_version: Option<u64>,
        reason: Option<&str>,
        name: CommandName,
        command: fn(Option<RichText>) -> Command,
    ) -> Result<Ticket> {
        self.run(
            actor,
            ticket,
            expected_version,
            vec![],
            name,
            async |_: &Self, _: &Ticket| {
                let reason = reason
                    .map(|r| {
                        RichText::sanitize_with(r, &self.text_policy)
                            .map_err(|e| Error::Validation(e.on("reason")))
                    })
                    .transpose()?;
                Ok(command(reason))
            },
        )
        .await
    }

    /// Edits fields: the requester while the ticket is new, staff while it is open. One
    /// timeline event per field that really changes.
    pub async fn edit(
        &self,
        actor: &Actor,
        ticket: TicketId,
        expected_version: Option<u64>,
        edit: TicketEdit,
    ) -> Result<Ticket> {
        self.run(
            actor,
            ticket,
            expected_version,
            vec![],
            CommandName::Edit,
            async |this: &Self, t: &Ticket| {
                if edit.is_empty() {
                    return Err(Error::invalid("edit", "names no field to change"));
                }
                if let Some(Some(product)) = edit.product {
                    let found = this.store.product(t.tenant, product).await?;
                    if !found.is_some_and(|p| p.active) {
                        return Err(Error::invalid_coded(
                            "product",
                            crate::error::ReasonCode::UnknownReference,
                            "no such product in this tenant",
                        ));
                    }
                }
                Ok(Command::Edit { edit })
            },
        )
        .await
    }

    /// Moves the ticket to another category of its tenant; it is routed to that
    /// category's group.
    pub async fn move_category(
        &self,
        actor: &Actor,
        ticket: TicketId,
        expected_version: Option<u64>,
        category: CategoryId,
    ) -> Result<Ticket> {
        self.run(
            actor,
            ticket,
            expected_version,
            vec![],
            CommandName::MoveCategory,
            async |this: &Self, t: &Ticket| {
                let tree = this.store.categories(t.tenant).await?;
                let found = tree
                    .iter()
                    .find(|c| c.id == category)
                    .cloned()
                    .ok_or_else(|| {
                        Error::invalid_coded(
                            "category",
                            crate::error::ReasonCode::UnknownReference,
                            "no such category in this tenant",
                        )
                    })?;
                let group = route(&tree, category);
                Ok(Command::MoveCategory {
                    category: found,
                    group,
                })
            },
        )
        .await
    }

    /// Gives the ticket to another active member of its tenant (tenant admins).
    pub async fn reassign_requester(
        &self,
        actor: &Actor,
        ticket: TicketId,
        expected_version: Option<u64>,
        to: MemberId,
    ) -> Result<Ticket> {
        self.run(
            actor,
            ticket,
            expected_version,
            vec![],
            CommandName::ReassignRequester,
            async |this: &Self, t: &Ticket| {
                let to = this.store.member(t.tenant, to).await?.ok_or_else(|| {
                    Error::invalid_coded(
                        "requester",
                        crate::error::ReasonCode::UnknownReference,
                        "no such member in this tenant",
                    )
                })?;
                Ok(Command::ReassignRequester { to })
            },
        )
        .await
    }

    /// Invites an active member of the ticket's tenant to follow it.
    pub async fn invite_guest(
        &self,
        actor: &Actor,
        ticket: TicketId,
        expected_version: Option<u64>,
        guest: MemberId,
    ) -> Result<Ticket> {
        self.run(
            actor,
            ticket,
            expected_version,
            vec![],
            CommandName::InviteGuest,
            async |this: &Self, t: &Ticket| {
                let guest = this.store.member(t.tenant, guest).await?.ok_or_else(|| {
                    Error::invalid_coded(
                        "guest",
                        crate::error::ReasonCode::UnknownReference,
                        "no such member in this tenant",
                    )
                })?;
                Ok(Command::InviteGuest { guest })
            },
        )
        .await
    }

    /// Refuses now what the rules would refuse whatever the input: the ticket is hidden
    /// or missing, `actor` may not run the command named `command` (see
    /// [`Command::name`]), or the ticket's state does not allow it. For callers that
    /// must do costly work (receive an upload, say) before they can run the command.
    pub async fn precheck(
        &self,
        actor: &Actor,
        ticket: TicketId,
        command: CommandName,
    ) -> Result<()> {
        let (ticket, tenant) = self.visible_ticket(actor, ticket).await?;
        workflow::precheck(
            &ticket,
            actor,
            command,
            Context {
                settings: &tenant.settings,
                now: self.clock.now(),
                text_policy: &self.text_policy,
            },
        )
    }

    /// The commands `actor` may run on the ticket now, by [`Command::name`], for a UI's
    /// action menu \[ACTIONS\]: those the rules would not refuse outright.
    pub async fn available_actions(
        &self,
        actor: &Actor,
        ticket: TicketId,
    ) -> Result<Vec<CommandName>> {
        let (ticket, tenant) = self.visible_ticket(actor, ticket).await?;
        Ok(workflow::available_actions(
            &ticket,
            actor,
            Context {
                settings: &tenant.settings,
                now: self.clock.now(),
                text_policy: &self.text_policy,
            },
        ))
    }
}
