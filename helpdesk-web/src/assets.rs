//! The pages' own style sheet and script, and the host's theme as a style sheet.

use std::sync::Arc;

use axum::Extension;
use axum::http::HeaderValue;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};

use crate::config::WebConfig;

const STYLE: &str = include_str!("../assets/helpdesk.css");
const SCRIPT: &str = include_str!("../assets/helpdesk.js");

fn asset(body: String, content_type: &'static str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    headers.insert(
        axum::http::HeaderName::from_static("x-content-type-options"),
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// `GET /assets/helpdesk.css`.
pub(crate) async fn style() -> Response {
    asset(STYLE.to_owned(), "text/css; charset=utf-8")
}

/// `GET /assets/helpdesk.js`.
pub(crate) async fn script() -> Response {
    asset(SCRIPT.to_owned(), "text/javascript; charset=utf-8")
}

/// `GET /assets/theme.css`: the host's colours.
pub(crate) async fn theme(Extension(config): Extension<Arc<WebConfig>>) -> Response {
    asset(config.theme.style_sheet(), "text/css; charset=utf-8")
}
