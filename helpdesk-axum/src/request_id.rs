//! Request ids: every request through the helpdesk's routes has one, so a user's report
//! ("it said request 0192…") leads to the log lines of that request.
//!
//! The id is the request's `X-Request-Id` when it sent a sane one (a proxy or the host
//! set it: 1 to 128 characters among ASCII letters, digits and `-_.:/+=@`), otherwise a
//! fresh UUID v7 (time-ordered). It is echoed in the response's `X-Request-Id`, recorded
//! on the request's tracing span (so every line logged while serving it carries
//! `request_id=…`), put in the request's extensions as a [`RequestId`] for the host's
//! own code, and written in every problem document as `request_id`.

use std::fmt;

use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

/// The header that carries a request's id, both ways.
pub const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// The longest incoming id kept; a longer one is replaced.
const MAX_LEN: usize = 128;

/// The id of the request being served: in the request's extensions under the
/// helpdesk's routes, and in the `X-Request-Id` response header.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RequestId(String);

impl RequestId {
    /// A fresh, time-ordered id (UUID v7).
    pub fn generate() -> Self {
        Self(uuid::Uuid::now_v7().to_string())
    }

    /// `text` as an id when it is sane (1 to 128 characters among ASCII letters, digits
    /// and `-_.:/+=@`): nothing that could forge a log line or a header.
    pub fn parse(text: &str) -> Option<Self> {
        let sane = !text.is_empty()
            && text.len() <= MAX_LEN
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.:/+=@".contains(&b));
        sane.then(|| Self(text.to_owned()))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The id of the request being served by the current task, inside the helpdesk's
    /// routes; `None` elsewhere.
    pub fn current() -> Option<Self> {
        CURRENT.try_with(Clone::clone).ok()
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

tokio::task_local! {
    // Lets `ApiError::into_response`, which sees no request, name the request's id.
    static CURRENT: RequestId;
}

/// Takes or makes the request's id, serves the request with it in scope, and echoes it
/// in the response.
pub(crate) async fn request_id(mut request: Request, next: Next) -> Response {
    let id = request
        .headers()
        .get(&REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(RequestId::parse)
        .unwrap_or_else(RequestId::generate);
    request.extensions_mut().insert(id.clone());
    let mut response = CURRENT.scope(id.clone(), next.run(request)).await;
    if let Ok(value) = HeaderValue::from_str(id.as_str()) {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_incoming_id_is_kept_only_when_it_cannot_forge_a_log_line_or_header() {
        for good in [
            "abc",
            "0192f0c1-7a6e-7cc0-9b7e-1f2d3c4b5a69",
            "lb:1/2+3=@x_y.z",
        ] {
            assert_eq!(RequestId::parse(good).map(|id| id.0), Some(good.to_owned()));
        }
        let long = "a".repeat(MAX_LEN + 1);
        for bad in ["", "a b", "a\nb", "a\"b", "é", long.as_str()] {
            assert_eq!(RequestId::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_made_id_is_a_uuid_v7() {
        let id = RequestId::generate();
        let uuid: uuid::Uuid = id.as_str().parse().unwrap_or_default();
        assert_eq!(uuid.get_version_num(), 7);
        assert!(RequestId::parse(id.as_str()).is_some());
    }
}
