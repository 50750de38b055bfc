//! Request extractors whose refusals are problem documents naming the field at fault.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use serde::de::DeserializeOwned;

use crate::problem::ApiError;

/// A JSON body. Malformed JSON is a 400, a field of the wrong type or an unknown field a
/// 422 naming the field, a body over the limit a 413.
#[derive(Debug, Clone, Copy, Default)]
pub struct JsonBody<T>(pub T);

impl<S, T> FromRequest<S> for JsonBody<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| {
                let essence = ct
                    .split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase();
                essence == "application/json" || essence.ends_with("+json")
            });
        if !is_json {
            return Err(ApiError::UnsupportedMediaType(
                "send the body as application/json".to_owned(),
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge("the request body is larger than allowed".to_owned())
            } else {
                ApiError::BadRequest {
                    field: None,
                    detail: e.body_text(),
                }
            }
        })?;
        parse_json(&bytes).map(JsonBody)
    }
}

/// A `multipart/form-data` body. Another media type (or none) is a 415 problem, a body
/// whose boundary cannot be read a 400 problem: never axum's plain-text refusal.
#[derive(Debug)]
pub(crate) struct MultipartBody(pub(crate) axum::extract::Multipart);

impl<S: Send + Sync> FromRequest<S> for MultipartBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_multipart = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| {
                ct.split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .eq_ignore_ascii_case("multipart/form-data")
            });
        if !is_multipart {
            return Err(ApiError::UnsupportedMediaType(
                "send the files as multipart/form-data".to_owned(),
            ));
        }
        axum::extract::Multipart::from_request(req, state)
            .await
            .map(MultipartBody)
            .map_err(|e| ApiError::BadRequest {
                field: None,
                detail: e.body_text(),
            })
    }
}

/// Reads a nested body field only from a JSON object: serde would also fill a struct (or
/// an adjacently tagged enum) from an array, which the OpenAPI document does not allow.
pub(crate) fn object<'de, D, T>(de: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: DeserializeOwned,
{
    use serde::Deserialize;
    let map = serde_json::Map::<String, serde_json::Value>::deserialize(de)?;
    serde_json::from_value(serde_json::Value::Object(map)).map_err(serde::de::Error::custom)
}

/// [`object`] for an optional field.
pub(crate) fn optional_object<'de, D, T>(de: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: DeserializeOwned,
{
    use serde::Deserialize;
    match Option::<serde_json::Map<String, serde_json::Value>>::deserialize(de)? {
        Some(map) => serde_json::from_value(serde_json::Value::Object(map))
            .map(Some)
            .map_err(serde::de::Error::custom),
        None => Ok(None),
    }
}

/// Reads `bytes` as JSON into `T`, naming the field at fault.
pub(crate) fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    // Every body is a JSON object; serde would also fill a struct from an array.
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first.is_some_and(|b| *b != b'{')
        && serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_ok()
    {
        return Err(ApiError::Domain(helpdesk_core::Error::invalid(
            "body",
            "must be a JSON object",
        )));
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Ok(value) => match de.end() {
            Ok(()) => Ok(value),
            Err(e) => Err(ApiError::BadRequest {
                field: None,
                detail: format!("malformed JSON: {e}"),
            }),
        },
        Err(e) => {
            let path = e.path().to_string();
            let inner = e.into_inner();
            let field = (path != ".").then_some(path);
            if inner.is_syntax() || inner.is_eof() {
                Err(ApiError::BadRequest {
                    field: None,
                    detail: format!("malformed JSON: {inner}"),
                })
            } else {
                let field = field.unwrap_or_else(|| unknown_field(&inner.to_string()));
                Err(ApiError::Domain(helpdesk_core::Error::invalid(
                    field,
                    inner.to_string(),
                )))
            }
        }
    }
}

/// The field an "unknown field `x`" or "missing field `x`" message names.
fn unknown_field(message: &str) -> String {
    message
        .split('`')
        .nth(1)
        .map_or_else(|| "body".to_owned(), str::to_owned)
}

/// The version named by an `If-Match` header, if one was sent: `"7"` (the ticket's
/// `ETag`) or `*`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IfMatch(pub Option<u64>);

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let Some(value) = parts.headers.get(header::IF_MATCH) else {
            return Ok(IfMatch(None));
        };
        let text = value.to_str().unwrap_or("").trim();
        if text == "*" {
            return Ok(IfMatch(None));
        }
        // The ETag as sent (`"3"`), or its bare number from a client that dropped the quotes.
        let unquoted = text
            .strip_prefix('"')
            .and_then(|t| t.strip_suffix('"'))
            .unwrap_or(text);
        let version = Some(unquoted)
            .filter(|t| (1..=19).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|t| t.parse::<u64>().ok())
            .ok_or_else(|| ApiError::BadRequest {
                field: Some("If-Match".to_owned()),
                detail: "If-Match must be the ticket's ETag, such as \"3\"".to_owned(),
            })?;
        Ok(IfMatch(Some(version)))
    }
}

/// The `ETag` of a ticket at `version`.
pub(crate) fn etag(version: u64) -> String {
    format!("\"{version}\"")
}

/// The `Idempotency-Key` header, if sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IdempotencyKey(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        match parts.headers.get("idempotency-key") {
            None => Ok(IdempotencyKey(None)),
            Some(v) => v
                .to_str()
                .ok()
                .filter(|k| !k.trim().is_empty() && k.len() <= 255)
                .map(|k| IdempotencyKey(Some(k.trim().to_owned())))
                .ok_or_else(|| ApiError::BadRequest {
                    field: Some("Idempotency-Key".to_owned()),
                    detail: "Idempotency-Key must be 1 to 255 visible ASCII characters".to_owned(),
                }),
        }
    }
}
