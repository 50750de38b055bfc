//! The route handlers: parse, call the service, map. No rules live here.

pub(crate) mod admin;
pub(crate) mod attachments;
pub(crate) mod commands;
pub(crate) mod dead_letters;
pub(crate) mod people;
pub(crate) mod reports;
pub(crate) mod tickets;
pub(crate) mod webhooks;

use axum::Json;
use axum::extract::{FromRef, FromRequestParts, Path};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use helpdesk_core::{Entity, Error, Ticket, TicketId};

use serde::Serialize;

use crate::extract::{IfMatch, etag};
use crate::identity::Ctx;
use crate::problem::{ApiError, not_found};
use crate::state::HelpdeskState;

/// What every write on one ticket reads from the request: who calls, which ticket (a
/// malformed id answers like a missing ticket), and the `If-Match` version.
pub(crate) struct TicketCall {
    pub(crate) state: HelpdeskState,
    pub(crate) ctx: Ctx,
    pub(crate) id: TicketId,
    pub(crate) if_match: IfMatch,
}

impl<S> FromRequestParts<S> for TicketCall
where
    S: Send + Sync,
    HelpdeskState: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let ctx = Ctx::from_request_parts(parts, state).await?;
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| not_found(Entity::Ticket))?;
        let id = tickets::ticket_id(&raw)?;
        let if_match = IfMatch::from_request_parts(parts, state).await?;
        Ok(Self {
            state: HelpdeskState::from_ref(state),
            ctx,
            id,
            if_match,
        })
    }
}

impl TicketCall {
    /// The version the caller read, if it sent `If-Match`.
    pub(crate) fn version(&self) -> Option<u64> {
        self.if_match.0
    }

    /// The response to this write.
    pub(crate) fn answer(&self, result: Result<Ticket, Error>) -> Result<Response, ApiError> {
        written(result, self.if_match)
    }
}

/// A JSON response carrying the ticket's `ETag`.
pub(crate) fn with_etag<T: Serialize>(status: StatusCode, version: u64, body: &T) -> Response {
    let mut response = (status, Json(body)).into_response();
    if let Ok(value) = HeaderValue::from_str(&etag(version)) {
        response.headers_mut().insert(header::ETAG, value);
    }
    response
}

/// The ticket after a write, or the write's refusal; a version conflict on a request
/// that sent `If-Match` is a failed precondition.
pub(crate) fn written(
    result: Result<Ticket, Error>,
    if_match: IfMatch,
) -> Result<Response, ApiError> {
    match result {
        Ok(ticket) => Ok(with_etag(StatusCode::OK, ticket.version, &ticket)),
        Err(Error::VersionConflict { expected, actual }) if if_match.0.is_some() => {
            Err(ApiError::PreconditionFailed { expected, actual })
        }
        Err(e) => Err(e.into()),
    }
}
