//! The route handlers: parse, call the service, map. No rules live here.

pub(crate) mod admin;
pub(crate) mod attachments;
pub(crate) mod commands;
pub(crate) mod reports;
pub(crate) mod tickets;

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use helpdesk_core::{Error, Ticket};
use serde::Serialize;

use crate::extract::{IfMatch, etag};
use crate::problem::ApiError;

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
