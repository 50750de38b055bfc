//! The [`Notifier`] that sends mail: one message per recipient, threaded per ticket.

use std::fmt;
use std::sync::OnceLock;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures_util::StreamExt as _;
use helpdesk_core::{Contact, ContactRef, Notification, Notifier, NotifyError, TicketId};
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::{ConfigError, SmtpConfig};
use crate::render::{Rendered, render};
use crate::token::ReplySigner;

type Transport = AsyncSmtpTransport<Tokio1Executor>;

/// How many messages of one notification are sent at once.
const PARALLEL_SENDS: usize = 4;

/// Sends each notification by SMTP, one message per contact with an email address,
/// written in the contact's language. See the [crate documentation](crate) for what a
/// message carries.
pub struct MailNotifier {
    smtp: SmtpConfig,
    /// Built on first use, inside the runtime (its connection pool needs one).
    transport: OnceLock<Result<Transport, ConfigError>>,
    from: Mailbox,
    domain: String,
    public_url: String,
    signer: Option<ReplySigner>,
}

impl fmt::Debug for MailNotifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MailNotifier")
            .field("smtp", &self.smtp)
            .field("from", &self.from.to_string())
            .field("public_url", &self.public_url)
            .field("reply_to", &self.signer)
            .finish_non_exhaustive()
    }
}

impl MailNotifier {
    /// Sends through `smtp`, from `from` (`Acme Support <help@example.com>`, or a bare
    /// address: then each mail is from the tenant's name), linking each ticket under
    /// `public_url`: the address the helpdesk's pages (`helpdesk-web`) are served at, as
    /// readers open it (`https://help.example.com`, or with the prefix the host nests
    /// the pages under). A ticket's link is `{public_url}/tickets/{id}`.
    pub fn new(smtp: SmtpConfig, from: &str, public_url: &str) -> Result<Self, ConfigError> {
        let from: Mailbox = from
            .trim()
            .parse()
            .map_err(|_| ConfigError::From(from.to_owned()))?;
        let public = url::Url::parse(public_url.trim())
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
            .filter(|u| u.query().is_none() && u.fragment().is_none())
            .ok_or_else(|| ConfigError::PublicUrl(public_url.to_owned()))?;
        // Checks the TLS settings now, so a bad host name fails at start-up.
        if smtp.security() != crate::Security::None {
            lettre::transport::smtp::client::TlsParameters::new(smtp.host().to_owned())
                .map_err(|e| ConfigError::Tls(e.to_string()))?;
        }
        Ok(Self {
            domain: from.email.domain().to_ascii_lowercase(),
            smtp,
            transport: OnceLock::new(),
            from,
            public_url: public.as_str().trim_end_matches('/').to_owned(),
            signer: None,
        })
    }

    /// The same notifier, with a `Reply-To` on each message carrying a token signed by
    /// `signer` (see [`ReplySigner`]).
    pub fn with_reply_to(mut self, signer: ReplySigner) -> Self {
        self.signer = Some(signer);
        self
    }

    /// The SMTP server it sends through.
    pub fn smtp(&self) -> &SmtpConfig {
        &self.smtp
    }

    /// The From mailbox.
    pub fn from_address(&self) -> String {
        self.from.to_string()
    }

    /// The direct link to a ticket's page.
    pub fn ticket_link(&self, ticket: TicketId) -> String {
        format!("{}/tickets/{ticket}", self.public_url)
    }

    /// The `Message-ID` of the mail about `n` to `recipient`: the same on every retry.
    pub fn message_id(&self, n: &Notification, recipient: ContactRef) -> String {
        let recipient = match recipient {
            ContactRef::Member(id) => id.as_uuid(),
            ContactRef::Staff(id) => id.as_uuid(),
        };
        format!("<{}.{recipient}@{}>", n.id, self.domain)
    }

    /// The id every mail about `ticket` answers (`In-Reply-To`, `References`), so mail
    /// clients show them as one thread.
    pub fn thread_id(&self, ticket: TicketId) -> String {
        format!("<{ticket}@{}>", self.domain)
    }

    /// The message for one contact; none for a contact without a usable address or
    /// who may not read the event.
    fn message(
        &self,
        n: &Notification,
        contact: &Contact,
        now: DateTime<Utc>,
    ) -> Result<Option<Message>, NotifyError> {
        let Some(email) = contact.email.as_deref() else {
            return Ok(None);
        };
        let Ok(address) = email.trim().parse::<Address>() else {
            tracing::warn!(outbox = %n.id, "a contact's email is not an address: skipped");
            return Ok(None);
        };
        let Some(Rendered {
            lang,
            subject,
            text,
            html,
        }) = render(
            n,
            contact,
            &self.ticket_link(n.ticket),
            self.signer.is_some(),
        )
        else {
            return Ok(None);
        };
        let from = match &self.from.name {
            Some(_) => self.from.clone(),
            None => Mailbox::new(Some(n.tenant_name.clone()), self.from.email.clone()),
        };
        let thread = self.thread_id(n.ticket);
        let mut builder = Message::builder()
            .from(from)
            .to(Mailbox::new(Some(contact.display_name.clone()), address))
            .subject(subject)
            .message_id(Some(self.message_id(n, contact.recipient)))
            .in_reply_to(thread.clone())
            .references(thread)
            .raw_header(raw("Auto-Submitted", "auto-generated"))
            // Asks Exchange and Outlook not to answer with out-of-office replies.
            .raw_header(raw("X-Auto-Response-Suppress", "All"))
            .raw_header(raw("Content-Language", lang.tag()));
        if let Some(signer) = &self.signer {
            let reply = signer.reply_address(n.ticket, contact.recipient, now);
            let reply: Address = reply
                .parse()
                .map_err(|e| NotifyError(format!("reply address: {e}")))?;
            builder = builder.reply_to(Mailbox::new(Some(n.tenant_name.clone()), reply));
        }
        builder
            .multipart(MultiPart::alternative_plain_html(text, html))
            .map(Some)
            .map_err(|e| NotifyError(format!("building the message: {e}")))
    }
}

fn raw(name: &'static str, value: &str) -> HeaderValue {
    HeaderValue::new(HeaderName::new_from_ascii_str(name), value.to_owned())
}

#[async_trait]
impl Notifier for MailNotifier {
    /// Sends one message per contact, a few at once. A failure fails the whole
    /// notification, which the outbox tries again later: the contacts already
    /// served get the same message again, with the same `Message-ID`, which mail
    /// clients recognise as one message.
    async fn notify(&self, n: &Notification) -> Result<(), NotifyError> {
        let now = Utc::now();
        let mut messages = Vec::with_capacity(n.contacts.len());
        for contact in &n.contacts {
            if let Some(message) = self.message(n, contact, now)? {
                messages.push(message);
            }
        }
        if messages.is_empty() {
            return Ok(());
        }
        let transport = self
            .transport
            .get_or_init(|| self.smtp.transport(&self.domain))
            .as_ref()
            .map_err(|e| NotifyError(e.to_string()))?;
        // A few at a time, each on a connection of the pool: lettre writes a message's
        // end apart from its body, so each message waits about 40 ms for the server's
        // delayed acknowledgement; side by side, those waits overlap.
        let mut sent = futures_util::stream::iter(messages.into_iter().map(|m| transport.send(m)))
            .buffer_unordered(PARALLEL_SENDS);
        while let Some(result) = sent.next().await {
            result.map_err(|e| NotifyError(format!("SMTP {}: {e}", self.smtp)))?;
        }
        Ok(())
    }
}
