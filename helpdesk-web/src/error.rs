//! A refusal as a page: what went wrong in the reader's language, never a stack trace,
//! never a 500 for bad input.

use std::collections::BTreeMap;

use axum::http::header::{LOCATION, RETRY_AFTER};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use helpdesk_axum::{ApiError, RETRY_AFTER_SECONDS, RequestId};
use helpdesk_core::{Error, ValidationError};
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
            "validation_failed" | "tenant_mismatch" | "bad_request" | "unsupported_media_type" => {
                (Msg::InvalidInput, Some(problem_detail(lang, &problem)))
            }
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

/// The second sentence of a refused field in a problem document: the field's label and
/// the reason translated from its `reason_code`, else the problem's own detail.
pub(crate) fn problem_detail(lang: Lang, problem: &helpdesk_axum::Problem) -> String {
    let empty = BTreeMap::new();
    let translated = problem
        .reason_code
        .as_deref()
        .and_then(|code| reason_in(lang, code, problem.reason_params.as_ref().unwrap_or(&empty)));
    match translated {
        Some(reason) => field_detail(lang, problem.field.as_deref(), &reason),
        None => field_detail(lang, problem.field.as_deref(), &problem.detail),
    }
}

/// Why the core refused a value, in the reader's language: [`reason_in`] of its code,
/// else the core's English reason.
pub(crate) fn reason_text(lang: Lang, error: &ValidationError) -> String {
    let params: BTreeMap<String, i64> = error
        .code
        .params()
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value))
        .collect();
    reason_in(lang, error.code.as_str(), &params).unwrap_or_else(|| error.reason.clone())
}

/// "Subject — must not be empty", in the reader's language: the field's label and the
/// translated reason of a validation refusal.
pub(crate) fn validation_detail(lang: Lang, error: &ValidationError) -> String {
    field_detail(lang, Some(&error.field), &reason_text(lang, error))
}

/// The sentence for a validation reason's code (`too_long`...) with its parameters
/// (`{max}`, `{min}`, `{max_bytes}`) filled in; none for a code without a sentence of
/// its own (`other`, or one a newer core added).
pub(crate) fn reason_in(lang: Lang, code: &str, params: &BTreeMap<String, i64>) -> Option<String> {
    let msg = match code {
        "required" => Msg::ReasonRequired,
        "too_long" => Msg::ReasonTooLong,
        "too_large" => Msg::ReasonTooLarge,
        "control_characters" => Msg::ReasonControlCharacters,
        "not_visible" => Msg::ReasonNotVisible,
        "invalid_format" => Msg::ReasonInvalidFormat,
        "out_of_range" => Msg::ReasonOutOfRange,
        "unknown_value" => Msg::ReasonUnknownValue,
        "unknown_reference" => Msg::ReasonUnknownReference,
        "inactive" => Msg::ReasonInactive,
        "duplicate" => Msg::ReasonDuplicate,
        _ => return None,
    };
    let mut text = lang.t(msg).to_owned();
    for (name, value) in params {
        text = text.replace(&format!("{{{name}}}"), &value.to_string());
    }
    Some(text)
}

/// "Subject: must not be empty": the field's label in the page's language, and the
/// reason.
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
                    p class="hd-muted" { (site.t(Msg::RequestReference)) (site.lang.colon()) code { (id.as_str()) } }
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
