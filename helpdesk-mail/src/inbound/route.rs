//! `POST /inbound`: the raw message as the body, for an MTA or a mail service's webhook.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use sha2::{Digest as _, Sha256};

use super::MailIntake;

/// The shortest inbound secret accepted, in bytes.
pub const MIN_INBOUND_SECRET_LEN: usize = 16;

/// Why the inbound route could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InboundRouteError {
    /// The secret is shorter than [`MIN_INBOUND_SECRET_LEN`] bytes.
    #[error("the inbound secret must be at least {MIN_INBOUND_SECRET_LEN} bytes long")]
    WeakSecret,
}

#[derive(Debug)]
struct Inbound {
    intake: MailIntake,
    /// The secret's digest: compared digest to digest, in constant time.
    secret: [u8; 32],
}

/// A router with `POST /inbound`, for the host to nest or merge: the body is one raw
/// message (RFC 5322 bytes; `message/rfc822`, `application/octet-stream` or
/// `text/plain`), at most [`MailIntake::max_bytes`]; the caller proves it is the
/// host's MTA with `Authorization: Bearer <secret>`.
///
/// Answers JSON: `202 {"status":"accepted","ticket":"<id>","attachments":n}`;
/// `401 {"code":"unauthorized"}` without the secret; `422 {"status":"refused","code":
/// "<reason>","message":"..."}` for a message that does not become a reply (the reason
/// is also logged); `503` with the code when the database is unreachable (an MTA
/// retries); `413` past the size limit; `415` for another content type.
///
/// ```
/// # fn build(intake: helpdesk_mail::MailIntake) -> Result<(), helpdesk_mail::InboundRouteError> {
/// let app: axum::Router = axum::Router::new()
///     .merge(helpdesk_mail::inbound_router(intake, "a secret of sixteen bytes or more")?);
/// # Ok(())
/// # }
/// ```
pub fn inbound_router<S>(intake: MailIntake, secret: &str) -> Result<Router<S>, InboundRouteError>
where
    S: Clone + Send + Sync + 'static,
{
    if secret.len() < MIN_INBOUND_SECRET_LEN {
        return Err(InboundRouteError::WeakSecret);
    }
    let limit = intake.max_bytes();
    let state = Arc::new(Inbound {
        intake,
        secret: Sha256::digest(secret.as_bytes()).into(),
    });
    Ok(Router::new()
        .route("/inbound", post(receive))
        .layer(DefaultBodyLimit::max(limit))
        .with_state(state))
}

async fn receive(State(inbound): State<Arc<Inbound>>, headers: HeaderMap, body: Bytes) -> Response {
    if !authorized(&headers, &inbound.secret) {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
            json(serde_json::json!({"status": "refused", "code": "unauthorized"})),
        )
            .into_response();
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase());
    if let Some(ct) = content_type
        && !matches!(
            ct.as_str(),
            "message/rfc822" | "application/octet-stream" | "text/plain"
        )
    {
        return (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            json(
                serde_json::json!({"status": "refused", "code": "unsupported_media_type",
                "message": "send the raw message as message/rfc822"}),
            ),
        )
            .into_response();
    }
    match inbound.intake.accept(&body).await {
        Ok(accepted) => {
            tracing::info!(ticket = %accepted.ticket, "a reply by mail was accepted");
            (
                StatusCode::ACCEPTED,
                json(serde_json::json!({
                    "status": "accepted",
                    "ticket": accepted.ticket.to_string(),
                    "attachments": accepted.attachments,
                })),
            )
                .into_response()
        }
        Err(refused) => {
            tracing::warn!(
                code = refused.code(),
                "a reply by mail was refused: {}",
                refused.message()
            );
            let status = if refused.is_temporary() {
                StatusCode::SERVICE_UNAVAILABLE
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            (
                status,
                json(serde_json::json!({
                    "status": "refused",
                    "code": refused.code(),
                    "message": refused.message(),
                })),
            )
                .into_response()
        }
    }
}

fn json(value: serde_json::Value) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        value.to_string(),
    )
}

/// Whether the request carries the secret: digests compared without an early exit.
fn authorized(headers: &HeaderMap, secret: &[u8; 32]) -> bool {
    let Some(given) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    else {
        return false;
    };
    let given: [u8; 32] = Sha256::digest(given.trim().as_bytes()).into();
    given
        .iter()
        .zip(secret)
        .fold(0u8, |diff, (a, b)| diff | (a ^ b))
        == 0
}
