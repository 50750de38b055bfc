//! Errors as RFC 9457 `application/problem+json`, with a stable `code` per domain error.
//! A storage outage (an unreachable database, no connection in time, a lock held too
//! long) is 503 `service_unavailable` with `Retry-After`; any other storage failure is a
//! generic 500 `internal_error` whose cause is logged, never sent.

use std::collections::BTreeMap;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use helpdesk_core::{Entity, Error, ValidationError};
use serde::Serialize;

use crate::RequestId;

/// The media type of problem documents.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// The `Retry-After` (seconds) sent with a 503 `service_unavailable`: the storage is
/// unreachable for now.
pub const RETRY_AFTER_SECONDS: u32 = 5;

/// An HTTP error: a domain [`Error`], or something wrong with the request itself.
#[derive(Debug)]
#[non_exhaustive]
pub enum ApiError {
    /// A refusal from the domain.
    Domain(Error),
    /// The `If-Match` precondition failed: the ticket changed since the caller read it.
    PreconditionFailed {
        /// The version the caller sent.
        expected: u64,
        /// The current version.
        actual: u64,
    },
    /// No caller identity on this request.
    Unauthenticated(String),
    /// The request body or a parameter could not be read.
    BadRequest {
        /// The field, when one can be named.
        field: Option<String>,
        /// What is wrong.
        detail: String,
    },
    /// The body is larger than allowed.
    PayloadTooLarge(String),
    /// The body's media type is not one this route reads.
    UnsupportedMediaType(String),
    /// The host's identity provider failed: logged with its source, answered as a
    /// generic 500.
    Identity(crate::identity::IdentifyError),
    /// A browser sent a write from another site (`Sec-Fetch-Site: cross-site`).
    CrossSite,
    /// A write came with an `Origin` that is neither the host's own nor an allowed one
    /// (or is `null`). Holds the origin sent.
    OriginNotAllowed(String),
    /// The request body stopped arriving before it was complete.
    RequestTimeout(String),
    /// No route of the helpdesk has this path. Holds the method and path asked.
    NoSuchRoute(String),
    /// The path exists but not with this method. Holds the method and path asked.
    MethodNotAllowed(String),
    /// The caller sent more writes than its rate limit allows; it may try again after
    /// `retry_after`.
    TooManyRequests {
        /// How long to wait before the next write is accepted.
        retry_after: std::time::Duration,
    },
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        ApiError::Domain(e)
    }
}

impl From<helpdesk_core::ValidationError> for ApiError {
    fn from(e: helpdesk_core::ValidationError) -> Self {
        ApiError::Domain(Error::Validation(e))
    }
}

/// The body of a problem document.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem.
    #[serde(rename = "type")]
    pub kind: String,
    /// A short summary of the kind of problem.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What went wrong this time.
    pub detail: String,
    /// A stable, machine-readable code.
    pub code: String,
    /// The field at fault, for validation errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The ticket's status, for invalid transitions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// The refused command, for invalid transitions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    /// What was not found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entity: Option<String>,
    /// Why an action was forbidden.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Why a value was refused, for validation errors: a stable code a client
    /// translates (`required`, `too_long`, `too_large`, `control_characters`,
    /// `not_visible`, `invalid_format`, `out_of_range`, `unknown_value`,
    /// `unknown_reference`, `inactive`, `duplicate`, `other`), `detail` being the
    /// English text.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "too_long")]
    pub reason_code: Option<String>,
    /// The parameters of `reason_code`, by name: `max` for `too_long`, `max_bytes` for
    /// `too_large`, `min` and `max` for `out_of_range`; left out when it has none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason_params: Option<BTreeMap<String, i64>>,
    /// The id of the request that failed, as in its `X-Request-Id` response header and
    /// its log lines: what a user quotes to support. Set on every problem the helpdesk's
    /// routes answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

impl Problem {
    fn new(status: StatusCode, code: &str, detail: impl Into<String>) -> Self {
        Self {
            kind: format!("urn:helpdesk:problem:{code}"),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: detail.into(),
            code: code.to_owned(),
            field: None,
            from: None,
            command: None,
            entity: None,
            reason: None,
            reason_code: None,
            reason_params: None,
            request_id: None,
        }
    }
}

impl ApiError {
    /// The problem document and status for this error.
    pub fn problem(&self) -> Problem {
        match self {
            ApiError::Domain(e) => domain_problem(e),
            ApiError::PreconditionFailed { expected, actual } => Problem::new(
                StatusCode::PRECONDITION_FAILED,
                "precondition_failed",
                format!(
                    "If-Match names version {expected}, the ticket is at version {actual}: read it again"
                ),
            ),
            ApiError::Unauthenticated(detail) => {
                Problem::new(StatusCode::UNAUTHORIZED, "unauthenticated", detail.clone())
            }
            ApiError::BadRequest { field, detail } => {
                let mut p = Problem::new(StatusCode::BAD_REQUEST, "bad_request", detail.clone());
                p.field.clone_from(field);
                p
            }
            ApiError::PayloadTooLarge(detail) => Problem::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                detail.clone(),
            ),
            ApiError::UnsupportedMediaType(detail) => Problem::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                detail.clone(),
            ),
            ApiError::CrossSite => Problem::new(
                StatusCode::FORBIDDEN,
                "cross_site_request",
                "writes are not accepted from another site",
            ),
            ApiError::OriginNotAllowed(origin) => Problem::new(
                StatusCode::FORBIDDEN,
                "origin_not_allowed",
                format!("writes are not accepted from origin `{origin}`"),
            ),
            ApiError::RequestTimeout(detail) => Problem::new(
                StatusCode::REQUEST_TIMEOUT,
                "request_timeout",
                detail.clone(),
            ),
            ApiError::TooManyRequests { retry_after } => Problem::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_requests",
                format!(
                    "too many writes in a short time: try again in {} s",
                    retry_after_seconds(*retry_after)
                ),
            ),
            ApiError::NoSuchRoute(asked) => Problem::new(
                StatusCode::NOT_FOUND,
                "route_not_found",
                format!("the helpdesk has no route `{asked}`: see its openapi.json"),
            ),
            ApiError::MethodNotAllowed(asked) => Problem::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                format!("`{asked}`: this path does not take this method: see its openapi.json"),
            ),
            ApiError::Identity(_) => Problem::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "identity_failure",
                "the host could not tell who is calling",
            ),
        }
    }
}

/// The problem document of a domain error: its status, its `code` and what it names.
fn domain_problem(e: &Error) -> Problem {
    let code = e.code();
    match e {
        Error::NotFound(entity) => entity_problem(
            StatusCode::NOT_FOUND,
            code,
            format!("no such {entity}"),
            *entity,
        ),
        Error::Forbidden(reason) => {
            let mut p = Problem::new(StatusCode::FORBIDDEN, code, reason.to_string());
            p.reason = Some(reason.code().to_owned());
            p
        }
        Error::InvalidTransition { from, command } => {
            let mut p = Problem::new(StatusCode::CONFLICT, code, e.to_string());
            p.from = Some(from.to_string());
            p.command = Some(command.as_str().to_owned());
            p
        }
        Error::VersionConflict { .. } => Problem::new(StatusCode::CONFLICT, code, e.to_string()),
        Error::UnknownCaller { .. } => Problem::new(StatusCode::UNAUTHORIZED, code, e.to_string()),
        Error::Validation(v) => validation_problem(code, v),
        Error::TenantMismatch(entity) => entity_problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            code,
            e.to_string(),
            *entity,
        ),
        Error::ConcurrentUpdate(entity) | Error::AlreadyExists(entity) => {
            entity_problem(StatusCode::CONFLICT, code, e.to_string(), *entity)
        }
        // draft-ietf-httpapi-idempotency-key-header: a key reused with another payload is
        // 422, a key whose first request is still running is 409.
        Error::IdempotencyKeyReused => idempotency_key_problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            code,
            "this Idempotency-Key was already used with another request body: \
             send a new key for a new request",
        ),
        Error::IdempotencyKeyInUse => idempotency_key_problem(
            StatusCode::CONFLICT,
            code,
            "a request with this Idempotency-Key is still being processed: retry later",
        ),
        Error::TooLarge { .. } => Problem::new(StatusCode::PAYLOAD_TOO_LARGE, code, e.to_string()),
        Error::Store(cause) if cause.is_unavailable() => Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            code,
            "the helpdesk's storage is unreachable for now; nothing was changed, try again later",
        ),
        _ => Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "something went wrong on our side; nothing was changed",
        ),
    }
}

/// A problem naming the `entity` it is about.
fn entity_problem(status: StatusCode, code: &str, detail: String, entity: Entity) -> Problem {
    let mut p = Problem::new(status, code, detail);
    p.entity = Some(entity.as_str().to_owned());
    p
}

/// A 422 for a refused value: its field, its reason code and the reason's parameters.
fn validation_problem(code: &str, v: &ValidationError) -> Problem {
    let mut p = Problem::new(StatusCode::UNPROCESSABLE_ENTITY, code, v.to_string());
    p.field = Some(v.field.clone());
    p.reason_code = Some(v.code.as_str().to_owned());
    let params = v.code.params();
    if !params.is_empty() {
        p.reason_params = Some(
            params
                .into_iter()
                .map(|(name, value)| (name.to_owned(), value))
                .collect(),
        );
    }
    p
}

/// A problem with the request's `Idempotency-Key` header.
fn idempotency_key_problem(status: StatusCode, code: &str, detail: &str) -> Problem {
    let mut p = Problem::new(status, code, detail);
    p.field = Some("Idempotency-Key".to_owned());
    p
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match &self {
            ApiError::Domain(Error::Store(cause)) if cause.is_unavailable() => {
                tracing::warn!(error = %cause, source = ?std::error::Error::source(cause), "storage unavailable");
            }
            ApiError::Domain(Error::Store(cause)) => {
                tracing::error!(error = %cause, source = ?std::error::Error::source(cause), "storage failure");
            }
            ApiError::Domain(e) if e.code() == "storage_failure" => {
                tracing::error!(error = %e, "storage failure");
            }
            ApiError::Identity(cause) => {
                tracing::error!(error = %cause, source = ?std::error::Error::source(cause), "identity provider failure")
            }
            _ => {}
        }
        let mut problem = self.problem();
        problem.request_id = RequestId::current().map(|id| id.as_str().to_owned());
        let status =
            StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&problem).unwrap_or_default();
        let mut response = (status, body).into_response();
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if let ApiError::TooManyRequests { retry_after } = self {
            response.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from(retry_after_seconds(retry_after)),
            );
        } else if status == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECONDS));
        }
        response
    }
}

/// Whole seconds to wait, rounded up and at least one (`Retry-After` takes no fractions).
fn retry_after_seconds(wait: std::time::Duration) -> u64 {
    let whole = wait.as_secs();
    let seconds = if wait.subsec_nanos() > 0 {
        whole.saturating_add(1)
    } else {
        whole
    };
    seconds.max(1)
}

/// A not-found error for `entity`.
pub(crate) fn not_found(entity: Entity) -> ApiError {
    ApiError::Domain(Error::NotFound(entity))
}
