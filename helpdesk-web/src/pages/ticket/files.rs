//! Files: downloading an attachment, and replies and notes that may carry files
//! (`multipart/form-data`, streamed to the core file by file) or not (a plain form).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::body::Body;
use axum::extract::{FromRequest, Multipart, Path, Request};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use helpdesk_core::{AttachAs, AttachmentId, AttachmentUpload, Error, Ticket, TicketId, ToTicket};

use super::actions::Fields;
use super::{finish, refused, ticket_id};
use crate::error::PageError;
use crate::forms::{MAX_FORM_BYTES, WebForm, check_token};
use crate::i18n::Msg;
use crate::layout;
use crate::site::Viewer;

/// `GET /tickets/{id}/files/{attachment}`: the file as a download, when the viewer may
/// see the event it hangs on; served as `application/octet-stream` unless its type is
/// a safe one, never displayed inline.
pub(crate) async fn download(
    viewer: Viewer,
    Path((id, attachment)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let site = &viewer.site;
    let id = ticket_id(site, &id)?;
    let not_found = || PageError::refused(site, StatusCode::NOT_FOUND, Msg::NotFound, None);
    let attachment: AttachmentId = attachment.parse().map_err(|_| not_found())?;
    let (attachment, bytes) = viewer
        .service
        .attachment_file(&viewer.actor, attachment)
        .await
        .map_err(|e| PageError::domain(site, e))?;
    if attachment.ticket != id {
        return Err(not_found());
    }
    let content_type =
        if helpdesk_axum::SAFE_CONTENT_TYPES.contains(&attachment.content_type.as_str()) {
            attachment.content_type.as_str()
        } else {
            "application/octet-stream"
        };
    let mut response = (StatusCode::OK, bytes).into_response();
    let headers = response.headers_mut();
    layout::secure_headers(headers);
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_str(content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    headers.insert(
        CONTENT_DISPOSITION,
        HeaderValue::from_str(&content_disposition(&attachment.file_name))
            .unwrap_or(HeaderValue::from_static("attachment")),
    );
    headers.insert(
        CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    Ok(response)
}

/// `attachment; filename="ascii"; filename*=UTF-8''percent-encoded` (RFC 6266): an
/// ASCII fallback with anything unsafe replaced, and the exact name percent-encoded.
fn content_disposition(name: &str) -> String {
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

/// `POST /tickets/{id}/reply`: a public reply, with files or without.
pub(crate) async fn reply(
    viewer: Viewer,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, PageError> {
    message(viewer, id, request, AttachAs::Reply).await
}

/// `POST /tickets/{id}/note`: an internal note (staff), with files or without.
pub(crate) async fn note(
    viewer: Viewer,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, PageError> {
    message(viewer, id, request, AttachAs::Note).await
}

fn action_of(attach_as: AttachAs) -> &'static str {
    match attach_as {
        AttachAs::Reply => "reply",
        AttachAs::Note => "note",
    }
}

async fn message(
    viewer: Viewer,
    id: String,
    request: Request,
    attach_as: AttachAs,
) -> Result<Response, PageError> {
    let id = ticket_id(&viewer.site, &id)?;
    let multipart = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().starts_with("multipart/form-data"));
    if multipart {
        return with_files(viewer, id, request, attach_as).await;
    }
    let limit = limited(request, MAX_FORM_BYTES);
    let WebForm(pairs) = WebForm::<Vec<(String, String)>>::from_request(limit.request, &()).await?;
    let fields = Fields::new(action_of(attach_as), pairs);
    let version = fields.version(&viewer)?;
    let body = fields.body();
    let result = run(&viewer, id, attach_as, version, &body, None).await;
    finish(&viewer, id, result, fields.kept(), "history").await
}

/// The reply or the note, through the upload when files came with it.
async fn run(
    viewer: &Viewer,
    id: TicketId,
    attach_as: AttachAs,
    version: u64,
    body: &str,
    upload: Option<AttachmentUpload<'_, ToTicket>>,
) -> Result<Ticket, Error> {
    let service = &viewer.service;
    match (upload, attach_as) {
        (Some(upload), _) => upload.finish(attach_as, Some(version), Some(body)).await,
        (None, AttachAs::Reply) => {
            service
                .reply(&viewer.actor, id, Some(version), body, vec![])
                .await
        }
        (None, AttachAs::Note) => {
            service
                .add_note(&viewer.actor, id, Some(version), body, vec![])
                .await
        }
    }
}

/// A request body cut off past a number of bytes, and whether it was.
struct Limited {
    request: Request,
    over: Arc<AtomicBool>,
}

/// Cuts the body of `request` off past `max` bytes.
fn limited(request: Request, max: usize) -> Limited {
    let over = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&over);
    let (parts, body) = request.into_parts();
    let mut seen = 0usize;
    let stream = body.into_data_stream().map(move |chunk| {
        let chunk = chunk?;
        seen = seen.saturating_add(chunk.len());
        if seen > max {
            flag.store(true, Ordering::Relaxed);
            return Err(axum::Error::new(std::io::Error::other("body too large")));
        }
        Ok(chunk)
    });
    Limited {
        request: Request::from_parts(parts, Body::from_stream(stream)),
        over,
    }
}

/// The refusal of a form without its token.
fn token_refused(site: &crate::site::Site) -> PageError {
    PageError::refused(site, StatusCode::FORBIDDEN, Msg::CsrfRefused, None)
}

/// The largest text part of a multipart message form.
const MAX_TEXT_PART: usize = MAX_FORM_BYTES;

/// Why a multipart form could not be read.
enum Unread {
    Page(PageError),
    Core(Error),
}

async fn with_files(
    viewer: Viewer,
    id: TicketId,
    request: Request,
    attach_as: AttachAs,
) -> Result<Response, PageError> {
    let site = viewer.site.clone();
    let too_large =
        || PageError::refused(&site, StatusCode::PAYLOAD_TOO_LARGE, Msg::TooLarge, None);
    let max_body = viewer
        .service
        .attachment_limits()
        .upload_bytes(u64::try_from(MAX_FORM_BYTES * 2).unwrap_or(u64::MAX));
    let limit = limited(request, usize::try_from(max_body).unwrap_or(usize::MAX));
    let over = limit.over;
    let mut multipart = Multipart::from_request(limit.request, &())
        .await
        .map_err(|_| PageError::refused(&site, StatusCode::BAD_REQUEST, Msg::BadRequest, None))?;
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut token_checked = false;
    let mut upload: Option<AttachmentUpload<'_, ToTicket>> = None;
    let read = receive(
        &viewer,
        id,
        &mut multipart,
        &mut pairs,
        &mut token_checked,
        &mut upload,
    )
    .await;
    let refusal = match read {
        Ok(()) if token_checked => None,
        Ok(()) => Some(Unread::Page(token_refused(&site))),
        Err(_) if over.load(Ordering::Relaxed) => Some(Unread::Page(too_large())),
        Err(e) => Some(e),
    };
    let fields = Fields::new(action_of(attach_as), pairs);
    let version = match refusal {
        None => fields.version(&viewer).map_err(Unread::Page),
        Some(e) => Err(e),
    };
    let version = match version {
        Ok(version) => version,
        Err(refusal) => {
            if let Some(upload) = upload
                && let Err(e) = upload.abort().await
            {
                tracing::warn!(error = %e, "could not discard a refused upload");
            }
            return match refusal {
                Unread::Page(page) => Err(page),
                Unread::Core(error) => refused(&viewer, id, error, fields.kept()).await,
            };
        }
    };
    let body = fields.body();
    let result = run(&viewer, id, attach_as, version, &body, upload).await;
    finish(&viewer, id, result, fields.kept(), "history").await
}

/// Reads the parts as they come: the token first (no file is taken before it), the
/// text fields whole, each file streamed to the core chunk by chunk.
async fn receive<'s>(
    viewer: &'s Viewer,
    id: TicketId,
    multipart: &mut Multipart,
    pairs: &mut Vec<(String, String)>,
    token_checked: &mut bool,
    upload: &mut Option<AttachmentUpload<'s, ToTicket>>,
) -> Result<(), Unread> {
    let site = &viewer.site;
    let bad = || {
        Unread::Page(PageError::refused(
            site,
            StatusCode::BAD_REQUEST,
            Msg::BadRequest,
            None,
        ))
    };
    while let Some(field) = multipart.next_field().await.map_err(|_| bad())? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            if !*token_checked {
                return Err(Unread::Page(token_refused(site)));
            }
            stream_file(viewer, id, field, upload).await?;
            continue;
        }
        let value = read_text(site, field).await?;
        if name == crate::forms::TOKEN_FIELD {
            check_token(site, Some(&value)).map_err(Unread::Page)?;
            *token_checked = true;
        } else {
            pairs.push((name, value));
        }
    }
    Ok(())
}

/// A refusal of a body that cannot be read as the form's parts.
fn bad_request(site: &crate::site::Site) -> Unread {
    Unread::Page(PageError::refused(
        site,
        StatusCode::BAD_REQUEST,
        Msg::BadRequest,
        None,
    ))
}

/// Streams one file part into the ticket's upload (begun at the first file); an empty
/// part (no file chosen) is read and skipped.
async fn stream_file<'s>(
    viewer: &'s Viewer,
    id: TicketId,
    mut field: axum::extract::multipart::Field<'_>,
    upload: &mut Option<AttachmentUpload<'s, ToTicket>>,
) -> Result<(), Unread> {
    let bad = || bad_request(&viewer.site);
    let file_name = field.file_name().unwrap_or_default().to_owned();
    if file_name.is_empty() {
        // No file chosen: browsers still send an empty part.
        while field.chunk().await.map_err(|_| bad())?.is_some() {}
        return Ok(());
    }
    let content_type = field
        .content_type()
        .unwrap_or("application/octet-stream")
        .to_owned();
    if upload.is_none() {
        *upload = Some(
            viewer
                .service
                .begin_attachments(&viewer.actor, id)
                .await
                .map_err(Unread::Core)?,
        );
    }
    let Some(current) = upload.as_mut() else {
        return Err(bad());
    };
    let mut file = current
        .file(&file_name, &content_type)
        .await
        .map_err(Unread::Core)?;
    loop {
        match field.chunk().await {
            Ok(Some(chunk)) => {
                if let Err(e) = file.write(&chunk).await {
                    return Err(Unread::Core(e));
                }
            }
            Ok(None) => break,
            Err(_) => {
                if let Err(e) = file.abort().await {
                    tracing::warn!(error = %e, "could not discard a refused file");
                }
                return Err(bad());
            }
        }
    }
    file.close().map_err(Unread::Core)?;
    Ok(())
}

/// A text part, whole, refused past `MAX_TEXT_PART`.
async fn read_text(
    site: &crate::site::Site,
    mut field: axum::extract::multipart::Field<'_>,
) -> Result<String, Unread> {
    let bad = || bad_request(site);
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(|_| bad())? {
        if bytes.len().saturating_add(chunk.len()) > MAX_TEXT_PART {
            return Err(Unread::Page(PageError::refused(
                site,
                StatusCode::PAYLOAD_TOO_LARGE,
                Msg::TextTooLong,
                None,
            )));
        }
        bytes.extend_from_slice(&chunk);
    }
    String::from_utf8(bytes).map_err(|_| bad())
}
