//! One module per screen.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::error::PageError;
use crate::i18n::Msg;
use crate::site::Site;

pub(crate) mod admin;
pub(crate) mod home;
pub(crate) mod list;
pub(crate) mod new_ticket;
pub(crate) mod profile;
pub(crate) mod ticket;

/// Any path the pages do not have: a page that says so (404).
pub(crate) async fn not_found(site: Site) -> Response {
    PageError::refused(&site, StatusCode::NOT_FOUND, Msg::NotFound, None).into_response()
}
