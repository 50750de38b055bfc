//! A refusal as a page: what went wrong in the reader's language, never a stack trace,
//! never a 500 for bad input.

use axum::http::header::{LOCATION, RETRY_AFTER};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use helpdesk_axum::{ApiError, RETRY_AFTER_SECONDS, RequestId};
use helpdesk_core::Error;
use maud::html;

use crate::i18n::{Lang, Msg};
use crate::layout;
use crate::site::{Site, encode};

/// Why a page could not be shown or a form not be taken.
#[derive(Debug)]
pub(crate) enum PageError {
    /// Nobody is logged in: go to the host's login, then come back.
    Login {
        /// The login page, with `?next=`.
        to: String,
    },
    /// A refusal, shown as a page.
    Refused(Box<Refusal>),
}

/// A refusal shown as a page.
#[derive(Debug)]
pub(crate) struct Refusal {
    site: Site,
    status: StatusCode,
    message: Msg,
    /// A second sentence: the field and why, the reason of a refusal.
    detail: Option<String>,
}

impl PageError {
    /// A refusal with this status and message.
    pub(crate) fn refused(
        site: &Site,
        status: StatusCode,
        message: Msg,
        detail: Option<String>,
    ) -> Self {
        PageError::Refused(Box::new(Refusal {
            site: site.clone(),
            status,
            message,
            detail,
        }))
    }

    /// A refusal of the core.
    pub(crate) fn domain(site: &Site, error: Error) -> Self {
        Self::from_api(site, ApiError::Domain(error))
    }

    /// A refusal from the HTTP layer (identity, origin, rate limit) or the core.
    pub(crate) fn from_api(site: &Site, error: ApiError) -> Self {
        let problem = error.problem();
        let status =
            StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if status.is_server_error() && status != StatusCode::SERVICE_UNAVAILABLE {
            tracing::error!(error = ?error, "page failed");
        }
        let lang = site.lang;
        let (message, detail) = match problem.code.as_str() {
            "unauthenticated" => {
                let next = encode(&site.here);
                let login = &site.config.login_url;
                let sep = if login.contains('?') { '&' } else { '?' };
                return PageError::Login {
                    to: format!("{login}{sep}next={next}"),
                };
            }
            "not_found" | "route_not_found" => (Msg::NotFound, None),
            "forbidden" => (
                Msg::Forbidden,
                problem
                    .reason
                    .as_deref()
                    .and_then(|r| forbidden_reason(lang, r))
                    .map(str::to_owned),
            ),
            "validation_failed" | "tenant_mismatch" | "bad_request" | "unsupported_media_type" => (
                Msg::InvalidInput,
                Some(field_detail(
                    lang,
                    problem.field.as_deref(),
                    &problem.detail,
                )),
            ),
            "version_conflict" | "precondition_failed" | "concurrent_update" => {
                (Msg::Conflict, None)
            }
            "invalid_transition" => (Msg::InvalidTransition, None),
            "payload_too_large" => (Msg::TooLarge, None),
            "too_many_requests" => (Msg::TooManyRequests, None),
            "service_unavailable" => (Msg::Unavailable, None),
            "cross_site_request" | "origin_not_allowed" => (Msg::CrossSite, None),
            "already_exists" => (Msg::InvalidInput, Some(problem.detail.clone())),
            _ => (Msg::InternalError, None),
        };
        Self::refused(site, status, message, detail)
    }
}

/// The sentence for a forbidden reason's code.
fn forbidden_reason(lang: Lang, code: &str) -> Option<&'static str> {
    let msg = match code {
        "account_blocked" => Msg::ReasonAccountBlocked,
        "staff_only" => Msg::ReasonStaffOnly,
        "role_required" => Msg::ReasonRoleRequired,
        "read_only" => Msg::ReasonReadOnly,
        "not_the_requester" => Msg::ReasonNotTheRequester,
        "ticket_already_taken" => Msg::ReasonTicketAlreadyTaken,
        "reopen_window_passed" => Msg::ReasonReopenWindowPassed,
        "other_tenant" => Msg::ReasonOtherTenant,
        _ => return None,
    };
    Some(lang.t(msg))
}

/// "Subject: must not be empty": the field's label in the page's language, and the
/// core's reason.
pub(crate) fn field_detail(lang: Lang, field: Option<&str>, detail: &str) -> String {
    match field.and_then(|f| crate::forms::field_label(lang, f)) {
        Some(label) => format!("{label} — {detail}"),
        None => detail.to_owned(),
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        match self {
            PageError::Login { to } => {
                let mut response = StatusCode::SEE_OTHER.into_response();
                if let Ok(value) = HeaderValue::from_str(&to) {
                    response.headers_mut().insert(LOCATION, value);
                }
                response
            }
            PageError::Refused(refusal) => refusal.into_response(),
        }
    }
}

impl IntoResponse for Box<Refusal> {
    fn into_response(self) -> Response {
        let site = &self.site;
        let request_id = RequestId::current();
        let content = html! {
            section class="hd-error" role="alert" {
                h1 { (site.t(Msg::ErrorTitle)) }
                p { (site.t(self.message)) }
                @if let Some(detail) = &self.detail {
                    p { (detail) }
                }
                @if let Some(id) = &request_id {
                    p class="hd-muted" { (site.t(Msg::RequestReference)) " : " code { (id.as_str()) } }
                }
                p { a href=(site.href("/")) { (site.t(Msg::BackHome)) } }
            }
        };
        let mut response = layout::page_with_status(
            site,
            self.status,
            html! {},
            site.t(Msg::ErrorTitle),
            content,
        );
        if matches!(
            self.status,
            StatusCode::SERVICE_UNAVAILABLE | StatusCode::TOO_MANY_REQUESTS
        ) {
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECONDS));
        }
        response
    }
}
