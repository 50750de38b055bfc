//! Mail for the helpdesk: [`MailNotifier`], a [`Notifier`](helpdesk_core::Notifier)
//! that sends each notification of the outbox by SMTP, one message per recipient, in
//! the recipient's language, threaded per ticket, with a signed `Reply-To`.
//!
//! A host builds it once and hands it to whatever delivers the outbox:
//!
//! ```
//! use chrono::Duration;
//! use helpdesk_mail::{MailNotifier, ReplySigner, SmtpConfig};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // The server, with credentials kept out of the URL.
//! let smtp = SmtpConfig::from_url("smtp://smtp.example.com")?
//!     .with_credentials("helpdesk", "app-password");
//! // The secret signs the Reply-To tokens: the same on every instance, kept secret.
//! let secret = b"a long random secret of 32 bytes or more";
//! let signer = ReplySigner::new(secret, "support@help.example.com", Duration::days(90))?;
//! let notifier = MailNotifier::new(smtp, "Acme Support <help@example.com>", "https://help.example.com")?
//!     .with_reply_to(signer);
//! assert_eq!(notifier.smtp().to_string(), "smtp://smtp.example.com:587 (STARTTLS, as helpdesk)");
//! // Then, on a timer: `service.deliver_notifications(&notifier, 100).await?`.
//! # Ok(())
//! # }
//! ```
//!
//! # What each message carries
//!
//! - **One message per recipient**, `To` that person only: nobody learns who else
//!   follows a ticket. A contact without an email address is skipped.
//! - **Their language** (the one they chose, else the tenant's: French or English),
//!   plain text and HTML (`multipart/alternative`), every value escaped in the HTML.
//! - **Subject** `[#<number>] <subject> — <what happened>`; the body says who did what,
//!   the event's text (a reply, a question, a proposed solution), what the reader is
//!   asked to do when something is asked of them, the status under the tenant's own
//!   label, the priority, and a direct link: `{public_url}/tickets/{id}`, where
//!   `public_url` is the address the pages of `helpdesk-web` are served at.
//! - **Internal notes** reach staff only: the notification never lists a member for
//!   one, and a message for an internal event is written for staff contacts only,
//!   whatever the notification says.
//! - **Threading**: `Message-ID` is `<outbox-id.recipient-id@domain>`, unique per
//!   message and recipient and the same on every retry (an outbox retry after a partial
//!   failure sends the same message again; clients show it once). `In-Reply-To` and
//!   `References` name `<ticket-id@domain>`, so clients thread a ticket's mails. The
//!   domain is the From address's. (Gmail also compares subjects: the event phrase at
//!   the end of the subject may split its threads.)
//! - `Auto-Submitted: auto-generated` (RFC 3834: auto-responders stay silent, and the
//!   inbound side refuses such mail, so no loop) and `X-Auto-Response-Suppress: All`
//!   for Exchange.
//! - **`Reply-To: support+<token>@domain`** when a [`ReplySigner`] is given: the token is
//!   an HMAC-SHA256 over the ticket, the recipient and an expiry, which
//!   [`ReplySigner::verify`] checks when a reply comes back (forged, altered, expired, or
//!   another ticket's or person's token: refused).
//!
//! A notification's messages go out four at a time over the connections of lettre's
//! pool (see `BENCHMARKS.md`: each message waits about 40 ms on the server's delayed
//! acknowledgement, and side by side those waits overlap).
//!
//! An SMTP failure fails the notification with a
//! [`NotifyError`](helpdesk_core::NotifyError): it stays in the outbox and is tried
//! again.
//!
//! Not yet: a per-person choice of which events to receive by mail (every event a
//! person is concerned by is sent).
//!
//! # Replies by mail
//!
//! [`MailIntake`] turns an answer to a notification into a reply on its ticket. The host
//! hands it each raw message its MTA receives for the reply address (`support+*@…`):
//! through [`inbound_router`] (feature `axum`: `POST /inbound`, the raw message as the
//! body, `Authorization: Bearer <secret>`), or from a pipe transport (the portal's
//! `receive-mail`). [`MailIntake::accept`]:
//!
//! 1. refuses automatic mail, so there is never a loop: `Auto-Submitted` other than
//!    `no`, `X-Autoreply`, `X-Autorespond`, `Precedence: bulk|junk|list|auto_reply`
//!    (`auto_reply`); an empty `Return-Path`, the MAILER-DAEMON, `multipart/report`
//!    (`bounce`); mail from our own addresses or with a Message-ID the notifier wrote
//!    (`own_mail`);
//! 2. finds the token in To, Cc, Delivered-To or X-Original-To (`no_token`), finds the
//!    people of the ticket's tenant and the staff who write from the sender's address
//!    (`sender_mismatch` when none) and verifies the token for them (`forged_token`,
//!    `expired_token`);
//! 3. takes the text part (or the HTML as text), without quoted history and signature
//!    ([`strip_quotes`]), and the attachments (names decoded from MIME encoded-words);
//! 4. hands them to [`HelpdeskService::reply_by_mail`](helpdesk_core::HelpdeskService::reply_by_mail),
//!    which replies as that person by the rules of the web, once per Message-ID and
//!    ticket (`already_processed`), and refuses a blocked person, a closed ticket, an
//!    empty reply.
//!
//! A refusal ([`Refused`]) has a stable [`code`](Refused::code), a message for the log,
//! and [`is_temporary`](Refused::is_temporary) when the database was unreachable (an
//! MTA retries). Nothing is changed by a refusal.
//!
//! ```no_run
//! # async fn run(service: helpdesk_core::HelpdeskService) -> Result<(), Box<dyn std::error::Error>> {
//! use chrono::Duration;
//! use helpdesk_mail::{MailIntake, ReplySigner};
//!
//! let signer = ReplySigner::new(b"a long random secret of 32 bytes or more", "support@help.example.com", Duration::days(90))?;
//! let intake = MailIntake::new(service, signer).with_own_address("Acme Support <help@example.com>");
//! let raw = std::fs::read("reply.eml")?;
//! match intake.accept(&raw).await {
//!     Ok(accepted) => println!("replied on {}", accepted.ticket),
//!     Err(refused) => eprintln!("refused ({}): {}", refused.code(), refused.message()),
//! }
//! # Ok(())
//! # }
//! ```
//!
//! # TLS
//!
//! lettre with rustls and the `ring` provider, trusting the system's certificate store
//! (`rustls-native-certs`): no OpenSSL headers to build against and no system library
//! to match at run time, while a company's own CA for its internal relay is trusted as
//! the machine trusts it. `ring` rather than `aws-lc-rs`: it needs only a C compiler,
//! not CMake. Measured on 2 shared cores, a clean debug build: the crate with all it adds
//! over `helpdesk-core` takes about 90 s, of which rustls (10 s), ring (10 s, its C
//! included), lettre (9 s) and rustls-webpki (2 s), about 26 s of wall time once the
//! rest (tokio, url) is built.
//!
//! # URLs
//!
//! [`SmtpConfig::from_url`]: `smtps://host` (TLS, port 465), `smtp://host` (STARTTLS
//! required, port 587), `smtp://host:port?tls=none` (no encryption: a local relay or a
//! test server); user and password in the URL or given apart.
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]
// Functions stay short enough to read at once (tests, scenarios and route tables aside).
#![cfg_attr(not(test), warn(clippy::too_many_lines))]

mod config;
mod i18n;
mod inbound;
mod notifier;
mod render;
mod token;

pub use config::{ConfigError, Security, SmtpConfig};
pub use inbound::{Accepted, DEFAULT_MAX_MESSAGE_BYTES, MailIntake, Refused, strip_quotes};
#[cfg(feature = "axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
pub use inbound::{InboundRouteError, MIN_INBOUND_SECRET_LEN, inbound_router};
pub use notifier::MailNotifier;
pub use token::{MAX_LOCAL_LEN, MIN_SECRET_LEN, ReplySigner, ReplyToken, TokenError};
