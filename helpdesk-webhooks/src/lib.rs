//! Webhooks for the helpdesk: [`HttpWebhookSender`] posts each event of a tenant's
//! tickets to the endpoints its admins registered, as signed JSON over HTTPS; and
//! [`verify_signature`] checks a delivery on the receiving side, for Rust receivers.
//!
//! The core decides who gets what: one outbox message per endpoint and event, written
//! with the event, claimed, retried with backoff and dead-lettered like mail (see
//! `helpdesk_core::Webhook`). This crate only sends one delivery:
//!
//! - `POST <endpoint url>` with the [`WebhookPayload`] as the JSON body;
//! - `Content-Type: application/json`;
//! - `Helpdesk-Webhook-Id: <id>`: the outbox message's id, the same on every retry:
//!   delivery is at least once, so a receiver drops an id it has already handled;
//! - `Helpdesk-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`,
//!   as Stripe signs: the timestamp is signed with the body, so an old delivery replayed
//!   later is refused by its age;
//! - any `2xx` answer is a delivery; another status (redirects are not followed), a
//!   connection error or no answer within the timeout (10 s by default) is a failure,
//!   retried later.
//!
//! # Running it
//!
//! ```no_run
//! # async fn host(service: helpdesk_core::HelpdeskService) -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use helpdesk_core::{NoNotifier, Worker};
//! use helpdesk_webhooks::HttpWebhookSender;
//!
//! let worker = Worker::new(service, Arc::new(NoNotifier))
//!     .with_webhooks(Arc::new(HttpWebhookSender::new()?));
//! # let shutdown = std::future::pending::<()>();
//! // shutdown: the host's signal, e.g. `async { tokio::signal::ctrl_c().await.ok(); }`
//! worker.run(tokio::time::sleep, shutdown).await;
//! # Ok(())
//! # }
//! ```
//!
//! # Verifying a delivery (receiver side)
//!
//! 1. Read the raw body (before any JSON parsing) and the `Helpdesk-Signature` header.
//! 2. Split the header on `,` into `key=value` pairs; take `t` and every `v1`.
//! 3. Compute `HMAC-SHA256(secret, t + "." + body)` in lowercase hex and compare it
//!    with each `v1` in constant time; one must match.
//! 4. Refuse a `t` further than your tolerance (5 minutes is usual) from your clock.
//! 5. Drop a `Helpdesk-Webhook-Id` you have already handled; answer `2xx` quickly.
//!
//! In Rust, [`verify_signature`] does steps 2 to 4:
//!
//! ```
//! use std::time::{Duration, SystemTime};
//! use helpdesk_webhooks::{sign, verify_signature};
//!
//! let secret = "whsec_0123456789abcdef0123456789abcdef";
//! let body = br#"{"kind":"replied"}"#;
//! let now = SystemTime::now();
//! let header = sign(secret, now, body);
//! assert!(verify_signature(secret, &header, body, now, Duration::from_secs(300)).is_ok());
//! assert!(verify_signature(secret, &header, b"{}", now, Duration::from_secs(300)).is_err());
//! ```

#![cfg_attr(docsrs, feature(doc_cfg))]
// Functions stay short enough to read at once (tests, scenarios and route tables aside).
#![cfg_attr(not(test), warn(clippy::too_many_lines))]

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use bytes::Bytes;
use helpdesk_core::{NotifyError, Webhook, WebhookPayload, WebhookSender};
use hmac::{Hmac, KeyInit, Mac};
use http_body_util::Full;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use sha2::Sha256;

/// The trust anchors [`HttpWebhookSender::with_roots`] takes (rustls's).
pub use rustls::RootCertStore;

/// The header carrying the delivery's id, the same on every retry.
pub const ID_HEADER: &str = "Helpdesk-Webhook-Id";
/// The header carrying the signature: `t=<unix seconds>,v1=<hex>`.
pub const SIGNATURE_HEADER: &str = "Helpdesk-Signature";
/// How long a delivery may take before it counts as failed, by default.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// Why a [`HttpWebhookSender`] could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// The system's trust store has no certificate to verify servers with.
    #[error("no root certificate found in the system's trust store")]
    NoRootCertificates,
    /// The TLS configuration was refused.
    #[error("TLS configuration: {0}")]
    Tls(#[from] rustls::Error),
}

/// Posts webhook deliveries over HTTPS (or HTTP to a loopback host), signed with each
/// endpoint's secret. Cheap to clone: clones share their connection pool.
#[derive(Clone)]
pub struct HttpWebhookSender {
    client: Client<hyper_rustls::HttpsConnector<HttpConnector>, Full<Bytes>>,
    timeout: Duration,
    user_agent: String,
}

impl fmt::Debug for HttpWebhookSender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpWebhookSender")
            .field("timeout", &self.timeout)
            .field("user_agent", &self.user_agent)
            .finish_non_exhaustive()
    }
}

impl HttpWebhookSender {
    /// A sender trusting the system's root certificates, with the default timeout.
    pub fn new() -> Result<Self, BuildError> {
        let mut roots = rustls::RootCertStore::empty();
        // Certificates the store cannot read are skipped: the others still verify.
        let found = rustls_native_certs::load_native_certs();
        for cert in found.certs {
            let _ = roots.add(cert);
        }
        if roots.is_empty() {
            return Err(BuildError::NoRootCertificates);
        }
        Self::with_roots(roots)
    }

    /// A sender trusting exactly `roots` (a private certificate authority, in tests).
    pub fn with_roots(roots: rustls::RootCertStore) -> Result<Self, BuildError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_root_certificates(roots)
            .with_no_client_auth();
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            // Plain HTTP reaches only the loopback URLs the core lets admins register.
            .https_or_http()
            .enable_http1()
            .build();
        Ok(Self {
            client: Client::builder(TokioExecutor::new()).build(https),
            timeout: DEFAULT_TIMEOUT,
            user_agent: format!("helpdesk-webhooks/{}", env!("CARGO_PKG_VERSION")),
        })
    }

    /// The same sender giving up on a delivery after `timeout` (connection, request and
    /// response head together).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Posts `body`, signed at `at`, to `webhook`.
    async fn post(
        &self,
        webhook: &Webhook,
        id: &str,
        body: Vec<u8>,
        at: SystemTime,
    ) -> Result<(), NotifyError> {
        let signature = sign(webhook.secret.expose(), at, &body);
        let request = hyper::Request::post(webhook.endpoint.url.as_str())
            .header(hyper::header::CONTENT_TYPE, "application/json")
            .header(hyper::header::USER_AGENT, self.user_agent.as_str())
            .header(ID_HEADER, id)
            .header(SIGNATURE_HEADER, signature)
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| NotifyError(format!("webhook request: {e}")))?;
        let response = tokio::time::timeout(self.timeout, self.client.request(request))
            .await
            .map_err(|_| {
                NotifyError(format!(
                    "webhook endpoint did not answer within {} ms",
                    self.timeout.as_millis()
                ))
            })?
            .map_err(|e| NotifyError(format!("webhook endpoint unreachable: {e}")))?;
        let status = response.status();
        if status.is_success() {
            Ok(())
        } else {
            Err(NotifyError(format!("webhook endpoint answered {status}")))
        }
    }
}

#[async_trait]
impl WebhookSender for HttpWebhookSender {
    async fn send(&self, webhook: &Webhook, payload: &WebhookPayload) -> Result<(), NotifyError> {
        let body = serde_json::to_vec(payload)
            .map_err(|e| NotifyError(format!("webhook payload: {e}")))?;
        self.post(webhook, &payload.id.to_string(), body, SystemTime::now())
            .await
    }
}

/// The `Helpdesk-Signature` header value for `body` sent at `at` with `secret`:
/// `t=<unix seconds>,v1=<lowercase hex HMAC-SHA256(secret, "<t>.<body>")>`.
pub fn sign(secret: &str, at: SystemTime, body: &[u8]) -> String {
    let t = unix_seconds(at);
    let tag = mac(secret, t, body).finalize().into_bytes();
    format!("t={t},v1={}", hex(&tag))
}

/// Why a delivery's signature was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignatureError {
    /// The header is not `t=<unix seconds>,v1=<hex>[,v1=<hex>...]`.
    #[error("malformed signature header")]
    Malformed,
    /// The timestamp is further from now than the tolerance: a replay, or a clock off.
    #[error("signature timestamp outside the tolerance")]
    OutsideTolerance,
    /// No `v1` signature matches the body and secret.
    #[error("signature does not match")]
    Mismatch,
}

/// Checks a delivery: `header` is its `Helpdesk-Signature`, `body` its raw body,
/// `secret` the endpoint's; its timestamp must be within `tolerance` of `now` (either
/// side). Comparison is in constant time.
pub fn verify_signature(
    secret: &str,
    header: &str,
    body: &[u8],
    now: SystemTime,
    tolerance: Duration,
) -> Result<(), SignatureError> {
    let mut t = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        let (key, value) = part
            .trim()
            .split_once('=')
            .ok_or(SignatureError::Malformed)?;
        match key {
            "t" => {
                t = Some(
                    value
                        .parse::<i64>()
                        .map_err(|_| SignatureError::Malformed)?,
                )
            }
            "v1" => signatures.push(unhex(value).ok_or(SignatureError::Malformed)?),
            // Other schemes a later version may add are ignored.
            _ => {}
        }
    }
    let t = t.ok_or(SignatureError::Malformed)?;
    if signatures.is_empty() {
        return Err(SignatureError::Malformed);
    }
    let age = unix_seconds(now).abs_diff(t);
    if age > tolerance.as_secs() {
        return Err(SignatureError::OutsideTolerance);
    }
    let expected = mac(secret, t, body);
    if signatures
        .iter()
        .any(|s| expected.clone().verify_slice(s).is_ok())
    {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

fn mac(secret: &str, t: i64, body: &[u8]) -> Hmac<Sha256> {
    // HMAC takes a key of any length: this cannot fail.
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC accepts keys of every length"),
    };
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

fn unix_seconds(at: SystemTime) -> i64 {
    match at.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

fn hex(bytes: &[u8]) -> String {
    use fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || s.len() > 128 {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    const SECRET: &str = "whsec_0123456789abcdef0123456789abcdef";

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn signature_is_hmac_sha256_of_timestamp_dot_body_in_hex() {
        // Computed independently: printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac "$SECRET"
        let header = sign(SECRET, at(1_700_000_000), br#"{"a":1}"#);
        let (t, v1) = header.split_once(',').unwrap();
        assert_eq!(t, "t=1700000000");
        assert_eq!(v1.len(), 3 + 64);
        let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
        mac.update(br#"1700000000.{"a":1}"#);
        assert_eq!(&v1[3..], hex(&mac.finalize().into_bytes()));
    }

    #[test]
    fn a_signed_body_verifies_within_the_tolerance_either_side() {
        let header = sign(SECRET, at(1_000), b"body");
        let tolerance = Duration::from_secs(300);
        for now in [at(1_000), at(1_300), at(700)] {
            assert_eq!(
                verify_signature(SECRET, &header, b"body", now, tolerance),
                Ok(())
            );
        }
    }

    #[test]
    fn another_body_secret_or_time_is_refused() {
        let header = sign(SECRET, at(1_000), b"body");
        let tolerance = Duration::from_secs(300);
        assert_eq!(
            verify_signature(SECRET, &header, b"bodY", at(1_000), tolerance),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify_signature(
                "whsec_another_secret_of_enough_length",
                &header,
                b"body",
                at(1_000),
                tolerance
            ),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify_signature(SECRET, &header, b"body", at(1_301), tolerance),
            Err(SignatureError::OutsideTolerance)
        );
        // A replay with a fresh timestamp but the old signature does not match.
        let replayed = header.replace("t=1000", "t=1200");
        assert_eq!(
            verify_signature(SECRET, &replayed, b"body", at(1_200), tolerance),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn malformed_headers_are_refused() {
        for header in [
            "",
            "t=1000",
            "v1=00",
            "t=abc,v1=00",
            "t=1000,v1=zz",
            "t=1000,v1=0",
            "nonsense",
        ] {
            assert_eq!(
                verify_signature(SECRET, header, b"body", at(1_000), Duration::from_secs(300)),
                Err(SignatureError::Malformed),
                "{header}"
            );
        }
    }

    #[test]
    fn any_matching_v1_among_several_verifies() {
        let good = sign(SECRET, at(1_000), b"body");
        let v1 = good.split_once(",v1=").unwrap().1;
        let header = format!("t=1000,v1={},v1={v1}", "00".repeat(32));
        assert_eq!(
            verify_signature(SECRET, &header, b"body", at(1_000), Duration::from_secs(60)),
            Ok(())
        );
    }
}
