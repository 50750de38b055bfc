//! Replies by mail: a mail answering a notification, already read by a mail adapter
//! (parsed, its reply token verified, quoted history and signature stripped), becomes a
//! public reply by the person the notification was sent to, by the rules of the web.

use crate::attachment::NewAttachment;
use crate::error::{Entity, Error};
use crate::ids::{EventId, TicketId};
use crate::notify::ContactRef;
use crate::people::Actor;
use crate::status::Status;
use crate::text::{RichText, escape_html, has_visible};
use crate::ticket::Ticket;
use crate::workflow::{Command, CommandName};

use super::HelpdeskService;
use super::upload::{AttachmentUpload, ToTicket, default_message};

/// A reply that arrived by mail, as a mail adapter hands it to
/// [`HelpdeskService::reply_by_mail`]: the adapter has verified the reply token, so
/// `ticket` and `recipient` are those the notification was sent for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InboundReply {
    /// The ticket answered (from the verified token).
    pub ticket: TicketId,
    /// Who the answered notification was sent to (the token verified for them).
    pub recipient: ContactRef,
    /// The sender's address (`From`), compared with the recipient's email.
    pub sender: String,
    /// The mail's `Message-ID`: the same message delivered twice is replied once.
    pub message_id: String,
    /// The new text, plain, quoted history and signature already stripped.
    pub text: String,
    /// The files attached to the mail.
    pub attachments: Vec<InboundFile>,
}

/// A file attached to a mail.
#[derive(Clone, PartialEq, Eq)]
pub struct InboundFile {
    /// The file's name, as the mail gives it (cleaned like any upload's).
    pub file_name: String,
    /// Its declared content type.
    pub content_type: String,
    /// Its bytes, decoded.
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for InboundFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InboundFile")
            .field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .field("size", &self.bytes.len())
            .finish()
    }
}

/// Why a reply by mail was refused. Nothing was changed when one is returned.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MailReplyError {
    /// The recipient the token names is neither a member of the ticket's tenant nor
    /// support staff (any more).
    #[error("the person this reply address was sent to is unknown")]
    UnknownPerson,
    /// The recipient is a blocked member or an inactive staff member.
    #[error("the person this reply address was sent to is blocked or inactive")]
    Inactive,
    /// The sender's address is not the recipient's email.
    #[error("the sender's address is not that of the person this reply address was sent to")]
    SenderMismatch,
    /// The ticket is closed or cancelled: it takes no reply (a closed one may be
    /// reopened on its page).
    #[error("the ticket is {0}: it takes no more replies")]
    TicketEnded(Status),
    /// The person may not reply to this ticket (no longer sees it, may only read it).
    #[error("this person may not reply to this ticket: {0}")]
    NotAllowed(#[source] Error),
    /// This message (its `Message-ID`) was already made a reply on this ticket.
    #[error("this message was already processed")]
    AlreadyProcessed,
    /// Nothing left to say: no text once quotes and signature are stripped, and no file.
    #[error("the reply is empty once the quoted history is removed, and has no attachment")]
    Empty,
    /// Any other refusal of the reply's rules (a file too large, too many files), or a
    /// storage failure ([`is_temporary`](Self::is_temporary)).
    #[error(transparent)]
    Refused(Error),
}

impl MailReplyError {
    /// A stable code for the reason: `unknown_person`, `inactive_person`,
    /// `sender_mismatch`, `ticket_closed`, `ticket_cancelled`, `not_allowed`,
    /// `already_processed`, `empty_reply`, or the [`Error::code`] of another refusal.
    pub fn code(&self) -> &'static str {
        match self {
            Self::UnknownPerson => "unknown_person",
            Self::Inactive => "inactive_person",
            Self::SenderMismatch => "sender_mismatch",
            Self::TicketEnded(Status::Cancelled) => "ticket_cancelled",
            Self::TicketEnded(_) => "ticket_closed",
            Self::NotAllowed(_) => "not_allowed",
            Self::AlreadyProcessed => "already_processed",
            Self::Empty => "empty_reply",
            Self::Refused(e) => e.code(),
        }
    }

    /// Whether the refusal is a storage failure, which trying again later may overcome
    /// (an MTA keeps the message and retries); every other refusal is final.
    pub fn is_temporary(&self) -> bool {
        matches!(self, Self::Refused(Error::Store(_)))
    }

    /// A refusal of the reply's rules, sorted into the reasons above.
    fn from_rules(e: Error) -> Self {
        match e {
            Error::InvalidTransition { from, .. } if !from.is_open() => Self::TicketEnded(from),
            e @ (Error::NotFound(_) | Error::Forbidden(_) | Error::InvalidTransition { .. }) => {
                Self::NotAllowed(e)
            }
            e => Self::Refused(e),
        }
    }
}

impl From<Error> for MailReplyError {
    fn from(e: Error) -> Self {
        Self::Refused(e)
    }
}

/// The namespace of reply-by-mail event ids.
const MAIL_NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x8c2f_41d6_3b9e_4a7c_a1e5_7d20_94b3_c6f8);

/// The id of the reply a mail becomes: the same for the same message on the same ticket,
/// so a message delivered twice finds its first reply.
pub fn mail_event_id(ticket: TicketId, message_id: &str) -> EventId {
    let message_id = message_id
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>');
    let name = format!("{ticket}/{message_id}");
    EventId::from_uuid(uuid::Uuid::new_v5(&MAIL_NAMESPACE, name.as_bytes()))
}

/// Whether two mail addresses are the same, ignoring case (of the domain, which is
/// case-insensitive, and of the local part, which mail systems treat alike in practice)
/// and surrounding blanks.
fn same_address(a: &str, b: &str) -> bool {
    let (a, b) = (a.trim(), b.trim());
    !a.is_empty() && a.contains('@') && a.eq_ignore_ascii_case(b)
}

/// Plain text as rich text: each line escaped, blank lines between paragraphs.
fn text_to_html(text: &str) -> String {
    let mut html = String::new();
    for paragraph in text.split("\n\n") {
        let lines: Vec<String> = paragraph
            .lines()
            .map(str::trim_end)
            .filter(|l| !l.is_empty())
            .map(escape_html)
            .collect();
        if !lines.is_empty() {
            html.push_str("<p>");
            html.push_str(&lines.join("<br>"));
            html.push_str("</p>");
        }
    }
    html
}

impl HelpdeskService {
    /// The people who may write to `ticket` from `address`: the members of the ticket's
    /// tenant and the support staff whose email it is (blocked and inactive ones too, so
    /// that they are told why they are refused). A mail adapter verifies the reply token
    /// for each of them: the token names the ticket, not its recipient. None for a
    /// ticket that does not exist.
    pub async fn mail_senders(
        &self,
        ticket: TicketId,
        address: &str,
    ) -> Result<Vec<ContactRef>, Error> {
        let Some(ticket) = self.store.ticket(ticket).await? else {
            return Ok(Vec::new());
        };
        let matches = |email: &Option<String>| {
            email
                .as_deref()
                .is_some_and(|email| same_address(email, address))
        };
        let mut found: Vec<ContactRef> = self
            .store
            .members(ticket.tenant)
            .await?
            .into_iter()
            .filter(|m| matches(&m.email))
            .map(|m| ContactRef::Member(m.id))
            .collect();
        found.extend(
            self.store
                .all_staff()
                .await?
                .into_iter()
                .filter(|s| matches(&s.email))
                .map(|s| ContactRef::Staff(s.id)),
        );
        Ok(found)
    }

    /// Makes a mail a public reply on its ticket, by the person the answered
    /// notification was sent to, with every rule of [`reply`](Self::reply): staff reply
    /// publicly, requesters and guests as on the web. The text is plain (it becomes
    /// paragraphs); the files go through the blob store like any upload (the service's
    /// [`AttachmentLimits`](crate::AttachmentLimits) apply), and a reply made only of
    /// files says their names.
    ///
    /// Refused, with nothing changed, when the recipient is unknown, blocked or
    /// inactive; the sender is not the recipient's address; the ticket is closed or
    /// cancelled; the person may not reply; the same message (`Message-ID`) was already
    /// made a reply on this ticket (the reply's event id derives from it, see
    /// [`mail_event_id`]); or nothing is left to say.
    pub async fn reply_by_mail(&self, mail: InboundReply) -> Result<Ticket, MailReplyError> {
        let ticket = self
            .store
            .ticket(mail.ticket)
            .await?
            .ok_or(MailReplyError::NotAllowed(Error::NotFound(Entity::Ticket)))?;
        let (actor, email) = self.mail_recipient(&ticket, mail.recipient).await?;
        if !email.is_some_and(|email| same_address(&email, &mail.sender)) {
            return Err(MailReplyError::SenderMismatch);
        }
        let event_id = mail_event_id(ticket.id, &mail.message_id);
        if self.has_event(&ticket, event_id).await? {
            return Err(MailReplyError::AlreadyProcessed);
        }
        if !ticket.status().is_open() {
            return Err(MailReplyError::TicketEnded(ticket.status()));
        }
        let has_text = has_visible(&mail.text);
        if !has_text && mail.attachments.is_empty() {
            return Err(MailReplyError::Empty);
        }
        // The permission and state rules, before a byte is stored.
        self.precheck(&actor, ticket.id, CommandName::Reply)
            .await
            .map_err(MailReplyError::from_rules)?;
        let saved = if mail.attachments.is_empty() {
            self.mail_reply(
                &actor,
                ticket.id,
                &text_to_html(&mail.text),
                vec![],
                event_id,
            )
            .await
        } else {
            let mut upload = self.begin_attachments(&actor, ticket.id).await?;
            if let Err(e) = stage(&mut upload, &mail.attachments).await {
                // Refused either way; what the writers leave is theirs to drop.
                let _ = upload.abort().await;
                return Err(MailReplyError::from_rules(e));
            }
            let ready = upload.make_readable().await?;
            let message = if has_text {
                text_to_html(&mail.text)
            } else {
                default_message(&ready.files.iter().collect::<Vec<_>>())
            };
            let saved = self
                .mail_reply(&actor, ticket.id, &message, ready.files.clone(), event_id)
                .await;
            ready.settle(saved).await
        };
        match saved {
            Ok(ticket) => Ok(ticket),
            // Delivered twice at once: the other delivery's reply holds this event id,
            // and the store refused to write it again.
            Err(_) if matches!(self.has_event(&ticket, event_id).await, Ok(true)) => {
                Err(MailReplyError::AlreadyProcessed)
            }
            Err(e) => Err(MailReplyError::from_rules(e)),
        }
    }

    /// The person a reply by mail comes from, as an actor, with their address; refused
    /// when unknown, blocked or inactive.
    async fn mail_recipient(
        &self,
        ticket: &Ticket,
        recipient: ContactRef,
    ) -> Result<(Actor, Option<String>), MailReplyError> {
        Ok(match recipient {
            ContactRef::Member(id) => {
                let member = self
                    .store
                    .member(ticket.tenant, id)
                    .await?
                    .ok_or(MailReplyError::UnknownPerson)?;
                if member.blocked {
                    return Err(MailReplyError::Inactive);
                }
                let email = member.email.clone();
                (Actor::Member(member), email)
            }
            ContactRef::Staff(id) => {
                let staff = self
                    .store
                    .staff(id)
                    .await?
                    .ok_or(MailReplyError::UnknownPerson)?;
                if !staff.active {
                    return Err(MailReplyError::Inactive);
                }
                let email = staff.email.clone();
                (Actor::Staff(staff), email)
            }
        })
    }

    async fn mail_reply(
        &self,
        actor: &Actor,
        ticket: TicketId,
        body: &str,
        files: Vec<NewAttachment>,
        event_id: EventId,
    ) -> Result<Ticket, Error> {
        self.run_as(
            actor,
            ticket,
            None,
            files,
            CommandName::Reply,
            Some(event_id),
            async |_: &Self, _: &Ticket| {
                Ok(Command::Reply {
                    body: RichText::required_with("body", body, &self.text_policy)?,
                })
            },
        )
        .await
    }

    async fn has_event(&self, ticket: &Ticket, id: EventId) -> Result<bool, Error> {
        Ok(self
            .store
            .timeline_in(ticket.tenant, ticket.id)
            .await?
            .iter()
            .any(|event| event.id == id))
    }
}

/// Writes each file into the upload.
async fn stage(
    upload: &mut AttachmentUpload<'_, ToTicket>,
    files: &[InboundFile],
) -> Result<(), Error> {
    for file in files {
        let mut writer = upload.file(&file.file_name, &file.content_type).await?;
        writer.write(&file.bytes).await?;
        writer.close()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_becomes_escaped_paragraphs() {
        assert_eq!(
            text_to_html("Bonjour,\nça marche <enfin> !\n\n\nMerci"),
            "<p>Bonjour,<br>ça marche &lt;enfin&gt; !</p><p>Merci</p>"
        );
        assert_eq!(text_to_html("  \n\n"), "");
    }

    #[test]
    fn the_same_message_on_the_same_ticket_has_the_same_event_id() {
        let ticket = TicketId::new();
        assert_eq!(
            mail_event_id(ticket, "<a@b>"),
            mail_event_id(ticket, " a@b ")
        );
        assert_ne!(
            mail_event_id(ticket, "<a@b>"),
            mail_event_id(ticket, "<c@b>")
        );
        assert_ne!(
            mail_event_id(ticket, "<a@b>"),
            mail_event_id(TicketId::new(), "<a@b>")
        );
    }

    #[test]
    fn addresses_compare_without_case() {
        assert!(same_address("Alice@Example.COM", " alice@example.com"));
        assert!(!same_address("alice@example.com", "bob@example.com"));
        assert!(!same_address("", ""));
    }
}
