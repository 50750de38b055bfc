//! Replies by mail: [`MailIntake`] reads one raw message (RFC 5322 bytes, as an MTA
//! hands it over), refuses what must not become a reply (auto-replies, bounces, our own
//! mail, a forged or expired token, a sender who is not the recipient), strips the
//! quoted history and the signature, and hands the rest to
//! [`HelpdeskService::reply_by_mail`], which replies by the rules of the web.

#[cfg(feature = "axum")]
mod route;
mod strip;

use chrono::{DateTime, Utc};
use helpdesk_core::{
    ContactRef, HelpdeskService, InboundFile, InboundReply, MailReplyError, TicketId,
};
use mail_parser::{Address, Message, MessageParser, MimeHeaders};
use sha2::Digest as _;

use crate::token::{ReplySigner, TokenError};

#[cfg(feature = "axum")]
pub use route::{InboundRouteError, MIN_INBOUND_SECRET_LEN, inbound_router};
pub use strip::strip_quotes;

/// The largest raw message [`MailIntake::accept`] reads by default (25 MiB, as large as
/// most mail servers let through).
pub const DEFAULT_MAX_MESSAGE_BYTES: usize = 25 * 1024 * 1024;

/// Turns replies to notifications into replies on their tickets.
///
/// ```no_run
/// # async fn run(service: helpdesk_core::HelpdeskService, raw: Vec<u8>) -> Result<(), Box<dyn std::error::Error>> {
/// use chrono::Duration;
/// use helpdesk_mail::{MailIntake, ReplySigner};
///
/// let signer = ReplySigner::new(b"the same secret as the notifier's!", "support@help.example.com", Duration::days(90))?;
/// let intake = MailIntake::new(service, signer).with_own_address("Acme Support <help@example.com>");
/// match intake.accept(&raw).await {
///     Ok(accepted) => println!("reply on ticket {}", accepted.ticket),
///     Err(refused) => eprintln!("refused ({}): {}", refused.code(), refused.message()),
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct MailIntake {
    service: HelpdeskService,
    signer: ReplySigner,
    /// Our own addresses (lowercase): mail from them is ours, never a reply.
    own_addresses: Vec<String>,
    /// The domains of our Message-IDs (lowercase).
    own_domains: Vec<String>,
    max_bytes: usize,
}

/// A message that became a reply.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Accepted {
    /// The ticket replied to.
    pub ticket: TicketId,
    /// Who replied.
    pub author: ContactRef,
    /// How many files the reply carries.
    pub attachments: usize,
}

/// Why a message did not become a reply: a stable [`code`](Self::code) and a
/// [`message`](Self::message) for the log. Nothing was changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct Refused {
    code: &'static str,
    message: String,
    temporary: bool,
}

impl Refused {
    fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            temporary: false,
        }
    }

    /// The reason, stable: `unreadable`, `too_large`, `auto_reply`, `bounce`,
    /// `own_mail`, `no_token`, `forged_token`, `expired_token`, `no_sender`,
    /// `sender_mismatch`, and the codes of
    /// [`MailReplyError::code`](helpdesk_core::MailReplyError::code) (`ticket_closed`,
    /// `already_processed`, `empty_reply`, `inactive_person`, `not_allowed`...).
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// What happened, in English, for the log.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Whether trying again later may work (the database was unreachable): an MTA
    /// should keep the message and retry. Every other refusal is final.
    pub fn is_temporary(&self) -> bool {
        self.temporary
    }
}

impl From<MailReplyError> for Refused {
    fn from(e: MailReplyError) -> Self {
        Self {
            code: e.code(),
            message: e.to_string(),
            temporary: e.is_temporary(),
        }
    }
}

fn storage(e: helpdesk_core::Error) -> Refused {
    Refused {
        code: e.code(),
        message: e.to_string(),
        temporary: matches!(e, helpdesk_core::Error::Store(_)),
    }
}

impl MailIntake {
    /// An intake replying through `service`, reading the tokens `signer` writes (the
    /// notifier's signer: same secret, same address). The signer's address counts as
    /// ours (see [`with_own_address`](Self::with_own_address)).
    pub fn new(service: HelpdeskService, signer: ReplySigner) -> Self {
        let base = signer.base_address();
        let domain = signer.domain().to_owned();
        Self {
            service,
            signer,
            own_addresses: vec![base],
            own_domains: vec![domain],
            max_bytes: DEFAULT_MAX_MESSAGE_BYTES,
        }
    }

    /// Also counts `address` as ours (the notifier's From, `Acme <help@example.com>`
    /// or bare): a message from it is refused as our own, and a Message-ID of the form
    /// the notifier writes under its domain too. An address that does not parse is
    /// ignored.
    #[must_use]
    pub fn with_own_address(mut self, address: &str) -> Self {
        let bare = match (address.rfind('<'), address.rfind('>')) {
            (Some(open), Some(close)) if open < close => &address[open + 1..close],
            _ => address,
        };
        let bare = bare.trim().to_ascii_lowercase();
        if let Some((_, domain)) = bare.rsplit_once('@') {
            self.own_domains.push(domain.to_owned());
            self.own_addresses.push(bare);
        }
        self
    }

    /// Reads messages of at most `max_bytes` (default [`DEFAULT_MAX_MESSAGE_BYTES`]).
    #[must_use]
    pub fn with_max_bytes(mut self, max_bytes: usize) -> Self {
        self.max_bytes = max_bytes;
        self
    }

    /// The largest message read.
    pub fn max_bytes(&self) -> usize {
        self.max_bytes
    }

    /// Reads `raw` and, unless it is refused, makes it a reply on its ticket.
    pub async fn accept(&self, raw: &[u8]) -> Result<Accepted, Refused> {
        if raw.len() > self.max_bytes {
            return Err(Refused::new(
                "too_large",
                format!("the message is larger than {} bytes", self.max_bytes),
            ));
        }
        let message = MessageParser::default()
            .parse(raw)
            .filter(|m| !m.headers().is_empty())
            .ok_or_else(|| Refused::new("unreadable", "not a mail message"))?;
        self.refuse_automatic(&message)?;
        let sender = message
            .from()
            .and_then(Address::first)
            .and_then(|a| a.address())
            .map(|a| a.trim().to_owned())
            .filter(|a| a.contains('@'))
            .ok_or_else(|| Refused::new("no_sender", "the message has no From address"))?;
        if self.is_ours(&sender) {
            return Err(Refused::new(
                "own_mail",
                "the message was sent by the helpdesk",
            ));
        }
        let token = self.token(&message).ok_or_else(|| {
            Refused::new(
                "no_token",
                "no reply address of the helpdesk among the recipients",
            )
        })?;
        let now = self.service.now();
        let recipient = self.recipient(&token, &sender, now).await?;
        let message_id = match message.message_id() {
            Some(id) if !id.trim().is_empty() => id.trim().to_owned(),
            // Without one, the same bytes delivered twice are still the same message.
            _ => sha2::Sha256::digest(raw)
                .iter()
                .fold(String::from("sha256:"), |mut hex, b| {
                    hex.push_str(&format!("{b:02x}"));
                    hex
                }),
        };
        let text = message.body_text(0).unwrap_or_default();
        let attachments = attachments(&message);
        let count = attachments.len();
        let ticket = self
            .service
            .reply_by_mail(InboundReply {
                ticket: recipient.0,
                recipient: recipient.1,
                sender,
                message_id,
                text: strip_quotes(&text),
                attachments,
            })
            .await?;
        Ok(Accepted {
            ticket: ticket.id,
            author: recipient.1,
            attachments: count,
        })
    }

    /// Refuses auto-replies (RFC 3834's `Auto-Submitted`, the older `X-Autoreply`,
    /// `X-Autorespond`, `Precedence`), bounces (an empty `Return-Path`, the
    /// MAILER-DAEMON, delivery reports) and our own messages (by Message-ID): answering
    /// them would start a loop.
    fn refuse_automatic(&self, message: &Message<'_>) -> Result<(), Refused> {
        let auto = |why: String| Err(Refused::new("auto_reply", why));
        let bounce = |why: &str| Err(Refused::new("bounce", why.to_owned()));
        for (name, value) in message.headers_raw() {
            let value = value.trim();
            let keyword = value
                .split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase();
            match name.to_ascii_lowercase().as_str() {
                "auto-submitted" if keyword != "no" => {
                    return auto(format!("Auto-Submitted: {value}"));
                }
                "x-autoreply" | "x-autorespond" => return auto(format!("{name}: {value}")),
                "precedence"
                    if matches!(keyword.as_str(), "bulk" | "junk" | "list" | "auto_reply") =>
                {
                    return auto(format!("Precedence: {value}"));
                }
                "return-path"
                    if value
                        .trim_matches(|c: char| c == '<' || c == '>' || c.is_whitespace())
                        .is_empty() =>
                {
                    return bounce("the Return-Path is empty (a delivery notification)");
                }
                _ => {}
            }
        }
        if message.is_content_type("multipart", "report") {
            return bounce("a delivery or read report (multipart/report)");
        }
        let from = message
            .from()
            .and_then(Address::first)
            .and_then(|a| a.address())
            .unwrap_or_default();
        let local = from.split('@').next().unwrap_or_default();
        if local.eq_ignore_ascii_case("mailer-daemon") {
            return bounce("sent by the MAILER-DAEMON");
        }
        if let Some(id) = message.message_id()
            && self.is_our_message_id(id)
        {
            return Err(Refused::new(
                "own_mail",
                "the Message-ID is one the helpdesk writes",
            ));
        }
        Ok(())
    }

    /// Whether `address` is ours: one of our addresses, or a reply address.
    fn is_ours(&self, address: &str) -> bool {
        let address = address.trim().to_ascii_lowercase();
        self.own_addresses.contains(&address) || self.signer.token_in(&address).is_some()
    }

    /// Whether `id` has the form of the notifier's Message-IDs,
    /// `<outbox-id.recipient-id@domain>` under one of our domains. Only that form: a
    /// colleague's mail client on the same domain writes its own ids.
    fn is_our_message_id(&self, id: &str) -> bool {
        let id = id.trim().trim_start_matches('<').trim_end_matches('>');
        let Some((local, domain)) = id.rsplit_once('@') else {
            return false;
        };
        let ours = self
            .own_domains
            .iter()
            .any(|d| d.eq_ignore_ascii_case(domain));
        let notifier_form = local.split_once('.').is_some_and(|(a, b)| {
            uuid::Uuid::parse_str(a).is_ok() && uuid::Uuid::parse_str(b).is_ok()
        });
        ours && notifier_form
    }

    /// The first reply token among the addresses the message was sent to: To, Cc,
    /// then what the MTA recorded (`Delivered-To`, `X-Original-To`) for a Bcc or a
    /// forwarding alias.
    fn token(&self, message: &Message<'_>) -> Option<String> {
        let listed = [message.to(), message.cc()]
            .into_iter()
            .flatten()
            .flat_map(|a| a.iter())
            .filter_map(|a| a.address().map(str::to_owned));
        let delivered = message
            .headers_raw()
            .filter(|(name, _)| {
                name.eq_ignore_ascii_case("delivered-to")
                    || name.eq_ignore_ascii_case("x-original-to")
            })
            .map(|(_, value)| {
                value
                    .trim()
                    .trim_start_matches('<')
                    .trim_end_matches('>')
                    .to_owned()
            });
        listed
            .chain(delivered)
            .find_map(|address| self.signer.token_in(&address).map(str::to_owned))
    }

    /// The ticket and the person the token was signed for, among those who may write
    /// from `sender`.
    async fn recipient(
        &self,
        token: &str,
        sender: &str,
        now: DateTime<Utc>,
    ) -> Result<(TicketId, ContactRef), Refused> {
        let forged = || {
            Refused::new(
                "forged_token",
                "the reply address's token is not one the helpdesk signed for this sender",
            )
        };
        let ticket = self.signer.ticket_in(token).map_err(|_| forged())?;
        let candidates = self
            .service
            .mail_senders(ticket, sender)
            .await
            .map_err(storage)?;
        if candidates.is_empty() {
            return Err(Refused::new(
                "sender_mismatch",
                "nobody this reply address may have been sent to writes from the sender's address",
            ));
        }
        let mut expired = None;
        for candidate in candidates {
            match self.signer.verify_for(token, ticket, candidate, now) {
                Ok(valid) => return Ok((valid.ticket, valid.recipient)),
                Err(TokenError::Expired(at)) => expired = Some(at),
                Err(_) => {}
            }
        }
        Err(match expired {
            Some(at) => Refused::new(
                "expired_token",
                format!("the reply address expired at {at}: answer on the ticket's page"),
            ),
            None => forged(),
        })
    }
}

/// The message's files, inline images of the HTML (with a Content-ID, shown inside the
/// text: signature logos) left out.
fn attachments(message: &Message<'_>) -> Vec<InboundFile> {
    message
        .attachments()
        .filter(|part| {
            let inline = part
                .content_disposition()
                .is_some_and(|d| d.ctype().eq_ignore_ascii_case("inline"));
            !(inline && part.content_id().is_some())
        })
        .map(|part| {
            let content_type = part
                .content_type()
                .map(|ct| match ct.subtype() {
                    Some(sub) => format!("{}/{sub}", ct.ctype()),
                    None => ct.ctype().to_owned(),
                })
                .unwrap_or_else(|| "application/octet-stream".to_owned())
                .to_ascii_lowercase();
            let file_name = part
                .attachment_name()
                .map(str::to_owned)
                .filter(|n| !n.trim().is_empty())
                .unwrap_or_else(|| {
                    if part.message().is_some() {
                        "message.eml".to_owned()
                    } else {
                        "attachment".to_owned()
                    }
                });
            InboundFile {
                file_name,
                content_type,
                bytes: part.contents().to_vec(),
            }
        })
        .collect()
}
