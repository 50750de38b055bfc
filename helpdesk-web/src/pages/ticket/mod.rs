//! The ticket page: header, history, properties, files, guests, and exactly the actions
//! the workflow allows, each as a form.
//!
//! `view` renders the page, `actions` takes the forms of the workflow's commands,
//! `files` sends attachments and takes replies and notes (with files or without).

mod actions;
mod files;
mod view;

use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRef, Path};
use axum::http::HeaderValue;
use axum::http::StatusCode;
use axum::http::header::LOCATION;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use helpdesk_axum::{ApiError, HelpdeskState};
use helpdesk_core::{Error, Ticket, TicketId};

use crate::error::PageError;
use crate::i18n::Msg;
use crate::site::{Site, Viewer};

pub(crate) use view::{Kept, option_words, question_label};

/// This screen's routes, merged into [`crate::pages`].
pub(crate) fn routes<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    HelpdeskState: FromRef<S>,
{
    Router::new()
        .route("/tickets/{id}", get(show))
        .route("/tickets/{id}/files/{attachment}", get(files::download))
        // Replies and notes may carry files: their bodies are limited part by part
        // (files by the core, text by `files`), not by the default body limit.
        .route(
            "/tickets/{id}/reply",
            post(files::reply).layer(DefaultBodyLimit::disable()),
        )
        .route(
            "/tickets/{id}/note",
            post(files::note).layer(DefaultBodyLimit::disable()),
        )
        .route("/tickets/{id}/assign", post(actions::assign))
        .route(
            "/tickets/{id}/request-information",
            post(actions::request_information),
        )
        .route(
            "/tickets/{id}/propose-closure",
            post(actions::propose_closure),
        )
        .route(
            "/tickets/{id}/approve-closure",
            post(actions::approve_closure),
        )
        .route(
            "/tickets/{id}/refuse-closure",
            post(actions::refuse_closure),
        )
        .route("/tickets/{id}/cancel", post(actions::cancel))
        .route("/tickets/{id}/reopen", post(actions::reopen))
        .route("/tickets/{id}/edit", post(actions::edit))
        .route("/tickets/{id}/move-category", post(actions::move_category))
        .route("/tickets/{id}/invite-guest", post(actions::invite_guest))
        .route(
            "/tickets/{id}/reassign-requester",
            post(actions::reassign_requester),
        )
}

/// The query of the ticket page: a name search for a form naming a member.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct ShowQuery {
    find: String,
    q: String,
}

/// `GET /tickets/{id}`: the ticket as the viewer may see it; with `?find={form}&q=`,
/// the members found by name for that form.
async fn show(
    viewer: Viewer,
    Path(id): Path<String>,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> Result<Response, PageError> {
    let id = ticket_id(&viewer.site, &id)?;
    let find = query
        .and_then(|q| serde_html_form::from_str::<ShowQuery>(&q).ok())
        .filter(|q| !q.find.is_empty())
        .map(|q| view::Find {
            action: q.find,
            q: q.q,
        });
    view::show_found(&viewer, id, None, &Kept::default(), find).await
}

/// The ticket id of a path; anything else is the page that says "not found".
fn ticket_id(site: &Site, raw: &str) -> Result<TicketId, PageError> {
    raw.parse()
        .map_err(|_| PageError::refused(site, StatusCode::NOT_FOUND, Msg::NotFound, None))
}

/// What the page says above the ticket when a form sent to it was not taken.
#[derive(Debug)]
pub(crate) struct Notice {
    status: StatusCode,
    message: Msg,
    detail: Option<String>,
}

/// The answer to a form: back to the ticket at `anchor` (303) when the command was
/// taken; the ticket again with what went wrong and the text the user typed when it was
/// stale or invalid; a refusal page for anything else (forbidden, not found...).
async fn finish(
    viewer: &Viewer,
    id: TicketId,
    result: Result<Ticket, Error>,
    kept: Kept,
    anchor: &str,
) -> Result<Response, PageError> {
    match result {
        Ok(_) => Ok(back_to(&viewer.site, id, anchor)),
        Err(error) => refused(viewer, id, error, kept).await,
    }
}

/// The page for a command the core refused: the ticket with the kept text, or a
/// refusal page.
async fn refused(
    viewer: &Viewer,
    id: TicketId,
    error: Error,
    kept: Kept,
) -> Result<Response, PageError> {
    let site = &viewer.site;
    let api = ApiError::Domain(error);
    let problem = api.problem();
    let notice = match problem.code.as_str() {
        "version_conflict" | "precondition_failed" | "concurrent_update" => Notice {
            status: StatusCode::CONFLICT,
            message: Msg::Conflict,
            detail: None,
        },
        "invalid_transition" => Notice {
            status: StatusCode::CONFLICT,
            message: Msg::InvalidTransition,
            detail: None,
        },
        "validation_failed" | "tenant_mismatch" => Notice {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            message: Msg::InvalidInput,
            detail: Some(crate::error::problem_detail(site.lang, &problem)),
        },
        _ => return Err(PageError::from_api(site, api)),
    };
    view::show(viewer, id, Some(notice), &kept).await
}

/// A 303 to the ticket page, at `anchor`.
fn back_to(site: &Site, id: TicketId, anchor: &str) -> Response {
    let to = format!("{}#{anchor}", site.href(&format!("/tickets/{id}")));
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = HeaderValue::from_str(&to) {
        response.headers_mut().insert(LOCATION, value);
    }
    response
}
