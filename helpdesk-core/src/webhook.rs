//! Webhooks: a tenant's own systems told about each event of its tickets, as signed JSON
//! posted to endpoints its admins register.
//!
//! Each event produces, per active endpoint of the ticket's tenant that wants its kind,
//! its **own** outbox message ([`Recipient::Webhook`](crate::Recipient::Webhook)),
//! written in the same transaction as the event: one failing endpoint is retried alone,
//! on the same claim, retry and dead-letter path as mail, and never makes a mail go out
//! twice. A [`WebhookSender`] (the `helpdesk-webhooks` crate posts over HTTPS) delivers
//! them; a worker without one leaves them in the outbox for a worker that has one.
//!
//! Internal notes: an endpoint receives public events only, unless its admin opts it in
//! with [`WebhookEndpoint::internal_notes`] (the endpoint is the tenant's own system,
//! but whoever reads it may not be staff).
//!
//! The secret signs every delivery. It is shown once, in the answer to its creation
//! ([`CreatedWebhook`]); listings and updates answer a [`WebhookEndpoint`], which has no
//! secret. An admin who lost it sets a new one.

use std::fmt;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{ReasonCode, ValidationError};
use crate::ids::{EventId, OutboxId, TenantId, TicketId, TicketNumber, WebhookId};
use crate::notify::NotifyError;
use crate::status::{Priority, Status};
use crate::text::RichText;
use crate::timeline::{TimelineEvent, Visibility};

/// The shortest secret accepted, in bytes.
pub const MIN_WEBHOOK_SECRET_BYTES: usize = 32;
/// The longest secret accepted, in bytes.
pub const MAX_WEBHOOK_SECRET_BYTES: usize = 256;
/// The longest endpoint URL accepted, in bytes.
pub const MAX_WEBHOOK_URL_BYTES: usize = 2048;
/// The most endpoints one tenant may register.
pub const MAX_WEBHOOKS_PER_TENANT: usize = 20;

/// The event kinds an endpoint may subscribe to: [`EventKind::name`](crate::EventKind::name)
/// of every kind.
pub const WEBHOOK_EVENT_KINDS: [&str; 16] = [
    "opened",
    "replied",
    "note_added",
    "assigned",
    "information_requested",
    "closure_proposed",
    "closed_directly",
    "closure_approved",
    "closure_refused",
    "closure_auto_approved",
    "cancelled",
    "reopened",
    "field_edited",
    "category_moved",
    "requester_reassigned",
    "guest_invited",
];

/// The secret an endpoint's deliveries are signed with. Its `Debug` hides it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct WebhookSecret(String);

impl WebhookSecret {
    /// A fresh random secret: `whsec_` and 96 hex digits (366 random bits, from the
    /// operating system's generator through UUID v4).
    pub fn generate() -> Self {
        let mut s = String::from("whsec_");
        for _ in 0..3 {
            s.push_str(&uuid::Uuid::new_v4().simple().to_string());
        }
        Self(s)
    }

    /// A secret given by an admin: 32 to 256 bytes of printable ASCII.
    pub fn new(secret: &str) -> Result<Self, ValidationError> {
        if secret.len() < MIN_WEBHOOK_SECRET_BYTES {
            return Err(ValidationError::coded(
                "secret",
                ReasonCode::OutOfRange {
                    min: MIN_WEBHOOK_SECRET_BYTES as i64,
                    max: MAX_WEBHOOK_SECRET_BYTES as i64,
                },
                format!("use at least {MIN_WEBHOOK_SECRET_BYTES} bytes"),
            ));
        }
        if secret.len() > MAX_WEBHOOK_SECRET_BYTES {
            return Err(ValidationError::coded(
                "secret",
                ReasonCode::TooLong {
                    max: MAX_WEBHOOK_SECRET_BYTES as u64,
                },
                format!("use at most {MAX_WEBHOOK_SECRET_BYTES} bytes"),
            ));
        }
        if !secret.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(ValidationError::coded(
                "secret",
                ReasonCode::InvalidFormat,
                "use printable ASCII characters without spaces",
            ));
        }
        Ok(Self(secret.to_owned()))
    }

    /// The secret's text, to sign with.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookSecret(..)")
    }
}

/// A webhook endpoint as admins see it: everything but its secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookEndpoint {
    /// The endpoint's id.
    pub id: WebhookId,
    /// Its tenant.
    pub tenant: TenantId,
    /// Where deliveries are posted: `https://`, or `http://` to a loopback host only.
    pub url: String,
    /// The event kinds it wants ([`WEBHOOK_EVENT_KINDS`]); empty for all of them.
    #[serde(default)]
    pub events: Vec<String>,
    /// Whether it also receives internal notes (off by default: public events only).
    #[serde(default)]
    pub internal_notes: bool,
    /// Whether it receives anything: an inactive endpoint is kept, and skipped.
    pub active: bool,
    /// When it was registered.
    pub created_at: DateTime<Utc>,
}

impl WebhookEndpoint {
    /// Whether it wants `event`: active, subscribed to its kind, and the event public
    /// or internal notes opted in.
    pub fn wants(&self, event: &TimelineEvent) -> bool {
        self.active
            && (self.events.is_empty() || self.events.iter().any(|k| k == event.kind.name()))
            && (self.internal_notes || event.visibility() == Visibility::Public)
    }
}

/// A webhook endpoint as stored: with its secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Webhook {
    /// What admins see.
    #[serde(flatten)]
    pub endpoint: WebhookEndpoint,
    /// What deliveries are signed with.
    pub secret: WebhookSecret,
}

/// What an admin gives to register an endpoint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewWebhook {
    /// Where to post: `https://`, or `http://` to a loopback host.
    pub url: String,
    /// The secret to sign with (32 to 256 printable ASCII bytes); none to have one
    /// generated.
    #[serde(default)]
    pub secret: Option<String>,
    /// The event kinds wanted; empty (the default) for all.
    #[serde(default)]
    pub events: Vec<String>,
    /// Whether internal notes are sent too (off by default).
    #[serde(default)]
    pub internal_notes: bool,
    /// Whether it starts active (the default).
    #[serde(default = "active_by_default")]
    pub active: bool,
}

fn active_by_default() -> bool {
    true
}

impl NewWebhook {
    /// An active endpoint at `url` for every public event, with a generated secret.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            secret: None,
            events: Vec::new(),
            internal_notes: false,
            active: true,
        }
    }
}

/// A change to an endpoint: each field given replaces the current one.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct WebhookChange {
    /// A new URL.
    #[serde(default)]
    pub url: Option<String>,
    /// A new secret (it is not shown back).
    #[serde(default)]
    pub secret: Option<String>,
    /// New event kinds (empty for all).
    #[serde(default)]
    pub events: Option<Vec<String>>,
    /// Whether internal notes are sent.
    #[serde(default)]
    pub internal_notes: Option<bool>,
    /// Whether it is active.
    #[serde(default)]
    pub active: Option<bool>,
}

/// A newly registered endpoint with its secret: the only time the secret is shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedWebhook {
    /// The endpoint.
    pub endpoint: WebhookEndpoint,
    /// Its secret, to configure the receiver with; never shown again.
    pub secret: String,
}

/// Checks an endpoint URL: `https://` with a host, or `http://` to a loopback host
/// (`localhost`, `127.0.0.0/8`, `[::1]`); no user name or password in it, no spaces or
/// control characters, at most [`MAX_WEBHOOK_URL_BYTES`].
pub fn check_webhook_url(url: &str) -> Result<String, ValidationError> {
    let bad = |reason: &str| {
        Err(ValidationError::coded(
            "url",
            ReasonCode::InvalidFormat,
            reason.to_owned(),
        ))
    };
    if url.len() > MAX_WEBHOOK_URL_BYTES {
        return Err(ValidationError::coded(
            "url",
            ReasonCode::TooLong {
                max: MAX_WEBHOOK_URL_BYTES as u64,
            },
            format!("use at most {MAX_WEBHOOK_URL_BYTES} bytes"),
        ));
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return bad("a URL has no spaces or control characters");
    }
    let lower = url.to_ascii_lowercase();
    let (secure, rest) = if let Some(rest) = lower.strip_prefix("https://") {
        (true, rest)
    } else if let Some(rest) = lower.strip_prefix("http://") {
        (false, rest)
    } else {
        return bad("use an https:// URL");
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return bad("put no user name or password in the URL");
    }
    let host = if let Some(v6) = authority.strip_prefix('[') {
        match v6.split_once(']') {
            Some((h, port)) if port.is_empty() || port.starts_with(':') => h,
            _ => return bad("the host is not a valid IPv6 address"),
        }
    } else {
        authority.split(':').next().unwrap_or_default()
    };
    let port_ok = match authority
        .rsplit_once(']')
        .map_or(authority, |(_, p)| p)
        .split_once(':')
    {
        Some((_, port)) => !port.is_empty() && port.parse::<u16>().is_ok(),
        None => true,
    };
    if host.is_empty() || !port_ok {
        return bad("the URL needs a host (and a valid port, if any)");
    }
    if !host
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '_'))
    {
        return bad("the host has characters a host name cannot have");
    }
    if !secure && !is_loopback(host) {
        return bad("use https:// (http:// is only for a loopback host)");
    }
    Ok(url.to_owned())
}

fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host == "::1"
        || host
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Checks the event kinds of an endpoint: each one of [`WEBHOOK_EVENT_KINDS`]; returns
/// them sorted, without duplicates.
pub fn check_webhook_events(events: &[String]) -> Result<Vec<String>, ValidationError> {
    let mut out = Vec::new();
    for kind in events {
        if !WEBHOOK_EVENT_KINDS.contains(&kind.as_str()) {
            return Err(ValidationError::coded(
                "events",
                ReasonCode::UnknownValue,
                format!(
                    "unknown event kind `{}`: use {}",
                    kind.escape_debug(),
                    WEBHOOK_EVENT_KINDS.join(", ")
                ),
            ));
        }
        out.push(kind.clone());
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// The ticket a [`WebhookPayload`] is about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookTicket {
    /// Its id.
    pub id: TicketId,
    /// Its number within the tenant.
    pub number: TicketNumber,
    /// Its subject.
    pub subject: String,
    /// Its status when the delivery is made.
    pub status: Status,
    /// Its priority when the delivery is made.
    pub priority: Priority,
}

/// The tenant a [`WebhookPayload`] comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookTenant {
    /// Its id.
    pub id: TenantId,
    /// Its slug.
    pub slug: String,
}

/// The JSON document posted to an endpoint for one event. Stable: fields are only ever
/// added. It never carries anyone's email address.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookPayload {
    /// The delivery's id: the outbox message's, the same on every retry (also sent as
    /// the `Helpdesk-Webhook-Id` header), so a receiver drops duplicates by it.
    pub id: OutboxId,
    /// The event's id.
    pub event_id: EventId,
    /// The event's kind ([`WEBHOOK_EVENT_KINDS`]).
    pub kind: String,
    /// Whether the event is an internal note (sent only to endpoints that opted in).
    pub internal: bool,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
    /// The tenant.
    pub tenant: WebhookTenant,
    /// The ticket.
    pub ticket: WebhookTicket,
    /// Who acted; none when the helpdesk did.
    pub author_name: Option<String>,
    /// The event's text: a reply, a question, a solution, a justification, a reason,
    /// an opening's description; an internal note's only when `internal`.
    pub text: Option<RichText>,
}

/// Delivers webhook payloads (the `helpdesk-webhooks` crate posts them over HTTPS,
/// signed). Given to the [`Worker`](crate::Worker) with
/// [`with_webhooks`](crate::Worker::with_webhooks).
#[async_trait]
pub trait WebhookSender: Send + Sync {
    /// Delivers `payload` to `webhook`. An error leaves the message in the outbox for
    /// a retry.
    async fn send(&self, webhook: &Webhook, payload: &WebhookPayload) -> Result<(), NotifyError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_urls_and_loopback_http_are_accepted() {
        for url in [
            "https://hooks.example.com/helpdesk",
            "https://example.com:8443/x?y=1",
            "http://127.0.0.1:8080/hook",
            "http://localhost/hook",
            "http://[::1]:9000/",
            "HTTPS://Example.COM/",
        ] {
            assert_eq!(check_webhook_url(url).as_deref(), Ok(url), "{url}");
        }
    }

    #[test]
    fn remote_http_and_malformed_urls_are_refused() {
        for url in [
            "http://example.com/hook",
            "http://10.0.0.1/hook",
            "ftp://example.com/",
            "example.com",
            "https://",
            "https:///path",
            "https://user:pw@example.com/",
            "https://exa mple.com/",
            "https://example.com:notaport/",
            "https://example.com:99999/",
            "http://127.0.0.1.evil.com/",
            "http://localhost.evil.com/",
            "https://[::1/",
        ] {
            assert!(check_webhook_url(url).is_err(), "{url}");
        }
    }

    #[test]
    fn short_or_spaced_secrets_are_refused() {
        assert!(WebhookSecret::new(&"a".repeat(31)).is_err());
        assert!(WebhookSecret::new(&format!("{} b", "a".repeat(32))).is_err());
        assert!(WebhookSecret::new(&"a".repeat(257)).is_err());
        assert!(WebhookSecret::new(&"a".repeat(32)).is_ok());
    }

    #[test]
    fn generated_secrets_are_long_and_distinct() {
        let a = WebhookSecret::generate();
        let b = WebhookSecret::generate();
        assert_ne!(a, b);
        assert!(WebhookSecret::new(a.expose()).is_ok());
        assert_eq!(format!("{a:?}"), "WebhookSecret(..)");
    }

    #[test]
    fn unknown_event_kinds_are_refused() {
        assert!(check_webhook_events(&["replied".into(), "nope".into()]).is_err());
        assert_eq!(
            check_webhook_events(&["replied".into(), "opened".into(), "replied".into()]),
            Ok(vec!["opened".to_owned(), "replied".to_owned()])
        );
    }
}
