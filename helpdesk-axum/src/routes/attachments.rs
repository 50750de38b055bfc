//! Attachments: upload with a reply or a note, download with safe headers.

use axum::Extension;
use axum::body::Body;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use helpdesk_core::{
    AttachAs, AttachmentId, AttachmentUpload, Entity, Error, FileUpload, ToTicket,
};
use http_body_util::Limited;

use super::TicketCall;
use crate::extract::MultipartBody;
use crate::identity::Ctx;
use crate::problem::{ApiError, not_found};
use crate::state::{HelpdeskState, Limits};

/// Content types served as they were declared; anything else is served as
/// `application/octet-stream`.
pub const SAFE_CONTENT_TYPES: [&str; 12] = [
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "application/pdf",
    "text/plain",
    "text/csv",
    "application/zip",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
];

/// The parts of an upload, as the OpenAPI document describes them.
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // read part by part from the stream, never as a whole
pub(crate) struct Upload {
    /// The files, one part each, each with its `filename`.
    #[schema(value_type = Vec<String>, format = Binary, min_items = 1)]
    file: Vec<Vec<u8>>,
    /// The message they come with, as HTML (the file names when left out).
    body: Option<String>,
    /// `true` to attach them to an internal note (staff), `false` or empty (the default)
    /// to a public reply.
    #[schema(value_type = Option<String>, pattern = "^(true|false)?$")]
    internal: Option<bool>,
}

fn multipart_error(e: axum::extract::multipart::MultipartError) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::PayloadTooLarge("the upload is larger than allowed".to_owned())
    } else {
        ApiError::BadRequest {
            field: None,
            detail: e.body_text(),
        }
    }
}

/// Attach files with a reply or a note.
///
/// A `multipart/form-data` body: one or more `file` parts, an optional `body` message (the file names otherwise), and `internal=true` to attach them to an internal note (staff). Files are streamed to storage and refused (413) past the size limit.
#[utoipa::path(post, path = "/tickets/{id}/attachments", tag = "attachments",
    params(("id" = String, Path), ("If-Match" = Option<String>, Header)),
    request_body(content = Upload, content_type = "multipart/form-data", description = "`file` parts (one or more), an optional `body` message, and `internal=true` to attach them to an internal note (staff)"),
    responses((status = 200, description = "The ticket with a reply (or note) carrying the files", body = helpdesk_core::Ticket), (status = 413, description = "Body too large", body = crate::Problem, content_type = "application/problem+json")))]
pub(crate) async fn upload(
    call: TicketCall,
    Extension(limits): Extension<Limits>,
    request: Request,
) -> Result<Response, ApiError> {
    let service = &call.state.service;
    // The body limit derives from the service's attachment limits: every file at its
    // largest, plus room for a message part and the multipart framing.
    let max_body = service.attachment_limits().upload_bytes(
        u64::try_from(limits.json_body).map_or(u64::MAX, |json| json.saturating_add(64 * 1024)),
    );
    // 413 before a byte is read when `Content-Length` says it is too large.
    crate::guard::declared_over(&request, max_body)?;
    let max_body = usize::try_from(max_body).unwrap_or(usize::MAX);
    let request = request.map(|body| Body::new(Limited::new(body, max_body)));
    // Another media type (or none) is a 415 problem, an unreadable boundary a 400 one.
    let MultipartBody(mut multipart) = MultipartBody::from_request(request, &()).await?;
    // Refused before a file is read: a caller who may neither reply nor add a note
    // uploads nothing.
    let mut upload = service.begin_attachments(&call.ctx.actor, call.id).await?;
    match receive(&mut upload, &limits, &mut multipart).await {
        Ok((body, internal)) => {
            let attach_as = if internal {
                AttachAs::Note
            } else {
                AttachAs::Reply
            };
            let result = upload
                .finish(attach_as, call.version(), body.as_deref())
                .await;
            call.answer(result)
        }
        Err(refusal) => {
            if let Err(e) = upload.abort().await {
                tracing::warn!(error = %e, "could not discard a refused upload");
            }
            Err(refusal)
        }
    }
}

/// Feeds the parts of an upload to the core as they arrive: each file chunk by chunk
/// (the core refuses a file the moment it passes the limit), `body` and `internal` read
/// whole. Returns the `body` and `internal` parts.
async fn receive(
    upload: &mut AttachmentUpload<'_, ToTicket>,
    limits: &Limits,
    multipart: &mut Multipart,
) -> Result<(Option<String>, bool), ApiError> {
    let mut body: Option<String> = None;
    let mut internal = false;
    while let Some(mut field) = multipart.next_field().await.map_err(multipart_error)? {
        let name = field.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "file" => {
                // A file part carries its file's name (`filename=`); a bare value is not a file.
                let Some(file_name) = field.file_name().map(str::to_owned) else {
                    return Err(ApiError::Domain(Error::invalid(
                        "file",
                        "a `file` part needs a filename",
                    )));
                };
                let content_type = field
                    .content_type()
                    .unwrap_or("application/octet-stream")
                    .to_owned();
                let mut file = upload.file(&file_name, &content_type).await?;
                match stream(&mut field, &mut file).await {
                    Ok(()) => {
                        file.close()?;
                    }
                    Err(refusal) => {
                        if let Err(e) = file.abort().await {
                            tracing::warn!(error = %e, "could not discard a refused file");
                        }
                        return Err(refusal);
                    }
                }
            }
            "body" => body = Some(small_text(field, "body", limits.json_body).await?),
            "internal" => {
                internal = match small_text(field, "internal", 16).await?.trim() {
                    "true" => true,
                    "false" | "" => false,
                    _ => {
                        return Err(ApiError::Domain(Error::invalid(
                            "internal",
                            "must be true or false",
                        )));
                    }
                }
            }
            other => {
                return Err(ApiError::Domain(Error::invalid(
                    other,
                    "unknown part: send `file`, `body` or `internal`",
                )));
            }
        }
    }
    Ok((body, internal))
}

/// Writes the chunks of one file part as they arrive.
async fn stream(
    field: &mut axum::extract::multipart::Field<'_>,
    file: &mut FileUpload<'_, '_>,
) -> Result<(), ApiError> {
    while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
        file.write(&chunk).await?;
    }
    Ok(())
}

/// A text part read whole, refused past `max` bytes as they arrive.
async fn small_text(
    mut field: axum::extract::multipart::Field<'_>,
    name: &str,
    max: usize,
) -> Result<String, ApiError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
        if bytes.len().saturating_add(chunk.len()) > max {
            return Err(ApiError::PayloadTooLarge(format!(
                "the `{name}` part is larger than {max} bytes"
            )));
        }
        bytes.extend_from_slice(&chunk);
    }
    String::from_utf8(bytes).map_err(|_| ApiError::BadRequest {
        field: Some(name.to_owned()),
        detail: format!("the `{name}` part is not UTF-8 text"),
    })
}

/// Download an attachment.
///
/// The file, as a download, if the caller may see the event it hangs on; served as `application/octet-stream` unless its type is a safe one.
#[utoipa::path(get, path = "/attachments/{id}", tag = "attachments", params(("id" = String, Path)),
    responses((status = 200, description = "The file, as an attachment download", content_type = "application/octet-stream", body = [u8]), (status = 404, description = "No such ticket, or one the caller may not see", body = crate::Problem, content_type = "application/problem+json")))]
pub(crate) async fn download(
    State(state): State<HelpdeskState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id: AttachmentId = id.parse().map_err(|_| not_found(Entity::Attachment))?;
    let (attachment, bytes) = state.service.attachment_file(&ctx.actor, id).await?;
    let content_type = if SAFE_CONTENT_TYPES.contains(&attachment.content_type.as_str()) {
        attachment.content_type.as_str()
    } else {
        "application/octet-stream"
    };
    let mut response = (StatusCode::OK, bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&content_disposition(&attachment.file_name))
            .unwrap_or(HeaderValue::from_static("attachment")),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    Ok(response)
}

/// `attachment; filename="ascii"; filename*=UTF-8''percent-encoded`: an ASCII fallback
/// with anything unsafe replaced, and the exact name percent-encoded (RFC 6266).
pub(crate) fn content_disposition(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || " .-_()[]+,".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::new();
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() || b".-_~".contains(&byte) {
            encoded.push(byte as char);
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_disposition_cannot_be_broken_out_of() {
        let header = content_disposition("ré\"sumé\r\n; x=.pdf");
        assert_eq!(
            header,
            "attachment; filename=\"r__sum____ x_.pdf\"; filename*=UTF-8''r%C3%A9%22sum%C3%A9%0D%0A%3B%20x%3D.pdf"
        );
        assert!(HeaderValue::from_str(&header).is_ok());
    }
}
