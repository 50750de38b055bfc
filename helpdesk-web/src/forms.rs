//! Reading forms: the token checked first, then the fields, with every refusal a page.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::csrf::FIELD;
use crate::error::PageError;
use crate::i18n::{Lang, Msg};
use crate::site::Site;

/// The largest form without files the pages take (a long reply with formatting).
pub(crate) const MAX_FORM_BYTES: usize = 256 * 1024;

/// A form sent to a page: its fields as `T`, taken only when its token is this
/// browser's.
#[derive(Debug)]
pub(crate) struct WebForm<T>(pub(crate) T);

#[derive(Deserialize)]
struct TokenOnly {
    #[serde(rename = "form_token")]
    token: Option<String>,
}

/// Refuses a form whose token is missing or not this browser's.
pub(crate) fn check_token(site: &Site, sent: Option<&str>) -> Result<(), PageError> {
    match sent {
        Some(sent) if !site.token.value().is_empty() && site.token.matches(sent) => Ok(()),
        _ => Err(PageError::refused(
            site,
            StatusCode::FORBIDDEN,
            Msg::CsrfRefused,
            None,
        )),
    }
}

impl<S, T> FromRequest<S> for WebForm<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = PageError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = request.into_parts();
        let site = Site::from_request_parts(&mut parts, state).await?;
        let request = Request::from_parts(parts, body);
        let bytes = Bytes::from_request(request, state).await.map_err(|_| {
            PageError::refused(&site, StatusCode::PAYLOAD_TOO_LARGE, Msg::TooLarge, None)
        })?;
        if bytes.len() > MAX_FORM_BYTES {
            return Err(PageError::refused(
                &site,
                StatusCode::PAYLOAD_TOO_LARGE,
                Msg::TooLarge,
                None,
            ));
        }
        let token: TokenOnly =
            serde_html_form::from_bytes(&bytes).unwrap_or(TokenOnly { token: None });
        check_token(&site, token.token.as_deref())?;
        let fields = serde_html_form::from_bytes(&bytes).map_err(|e| {
            PageError::refused(
                &site,
                StatusCode::UNPROCESSABLE_ENTITY,
                Msg::InvalidInput,
                Some(e.to_string()),
            )
        })?;
        Ok(WebForm(fields))
    }
}

/// The label of a field the core names in a refusal, in the page's language.
pub(crate) fn field_label(lang: Lang, field: &str) -> Option<&'static str> {
    let msg = match field {
        "subject" => Msg::Subject,
        "description" | "body" | "message" => Msg::Message,
        "category" => Msg::Category,
        "product" => Msg::Product,
        "priority" => Msg::Priority,
        "requester" | "member" => Msg::Requester,
        "assignee" => Msg::Assignee,
        "group" => Msg::Group,
        "reason" | "justification" => Msg::Reason,
        "solution" => Msg::Solution,
        "score" => Msg::Score,
        "comment" => Msg::Comment,
        "contact_phone" => Msg::Phone,
        "asset" => Msg::Asset,
        "contains" => Msg::Contains,
        "number" => Msg::Number,
        "status" => Msg::Status,
        "opened_from" => Msg::OpenedFrom,
        "opened_to" => Msg::OpenedTo,
        "updated_from" => Msg::UpdatedFrom,
        "updated_to" => Msg::UpdatedTo,
        _ => return None,
    };
    Some(lang.t(msg))
}

/// The name of the hidden token field, for tests and scripts.
pub const TOKEN_FIELD: &str = FIELD;

/// A form with no field but its token (a button that does one thing).
#[derive(Debug, Deserialize)]
pub(crate) struct NoFields {}
