//! Reading the new-ticket form, `multipart/form-data`, part by part: the token first
//! (nothing else is read without it), the text fields whole (each within a limit), the
//! files streamed to the blob store as they arrive, each refused the moment it passes
//! the service's size limit.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::body::Body;
use axum::extract::multipart::{Field, MultipartError};
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::StatusCode;
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use futures_util::StreamExt;
use helpdesk_core::{AttachmentUpload, TenantId, ToOpening};

use super::{Draft, Problem, core_problem};
use crate::error::PageError;
use crate::forms::{MAX_FORM_BYTES, check_token};
use crate::i18n::Msg;
use crate::site::Viewer;

/// The name of the file input.
pub(crate) const FILES_FIELD: &str = "attachments";

/// The most text parts a form may have (it has ten).
const MAX_TEXT_PARTS: usize = 32;

/// The longest form token accepted.
const MAX_TOKEN_BYTES: usize = 128;

/// What the form brought.
pub(crate) enum Received<'s> {
    /// Every part was read: the fields, the names of the files, and the files waiting
    /// for the opening (none when no file was sent).
    Complete {
        draft: Draft,
        files: Vec<String>,
        upload: Option<AttachmentUpload<'s, ToOpening>>,
    },
    /// A part was refused (a file too large, a field too long...): what was read of the
    /// form, to show it again; the files received are already discarded.
    Refused {
        draft: Draft,
        files: Vec<String>,
        problem: Problem,
    },
}

/// Reads the form of `request`. A missing or wrong token, a body that is no form, or
/// one declared larger than allowed are refusal pages: there is nothing typed to show.
pub(crate) async fn receive<'s>(
    viewer: &'s Viewer,
    tenant: TenantId,
    request: Request,
) -> Result<Received<'s>, PageError> {
    let site = &viewer.site;
    let limits = viewer.service.attachment_limits();
    let overhead = u64::try_from(MAX_FORM_BYTES.saturating_mul(4)).unwrap_or(u64::MAX);
    let max_body = limits.upload_bytes(overhead);
    let too_large = || PageError::refused(site, StatusCode::PAYLOAD_TOO_LARGE, Msg::TooLarge, None);
    let declared = request
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|length| length > max_body) {
        return Err(too_large());
    }
    let is_multipart = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("multipart/form-data"));
    if !is_multipart {
        return Err(PageError::refused(
            site,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Msg::BadRequest,
            None,
        ));
    }
    let overflow = Arc::new(AtomicBool::new(false));
    let request = request.map(|body| limited(body, max_body, Arc::clone(&overflow)));
    let mut multipart = Multipart::from_request(request, &())
        .await
        .map_err(|_| PageError::refused(site, StatusCode::BAD_REQUEST, Msg::BadRequest, None))?;

    // The token comes first: without it nothing else is read.
    let token = match multipart.next_field().await {
        Ok(Some(field)) if field.name() == Some(crate::csrf::FIELD) => {
            text(field, MAX_TOKEN_BYTES).await.ok()
        }
        Ok(_) => None,
        Err(_) if overflow.load(Ordering::Relaxed) => return Err(too_large()),
        Err(_) => None,
    };
    check_token(site, token.as_deref())?;

    let mut reading = Reading {
        viewer,
        tenant,
        draft: Draft::default(),
        files: Vec::new(),
        upload: None,
        text_parts: 0,
    };
    match reading.parts(&mut multipart, &overflow).await {
        Ok(()) => Ok(Received::Complete {
            draft: reading.draft,
            files: reading.files,
            upload: reading.upload,
        }),
        Err(Refusal::Page(page)) => {
            reading.discard().await;
            Err(page)
        }
        Err(Refusal::Form(problem)) => {
            reading.discard().await;
            Ok(Received::Refused {
                draft: reading.draft,
                files: reading.files,
                problem,
            })
        }
    }
}

/// Why reading stopped.
enum Refusal {
    /// Shown as a page of its own.
    Page(PageError),
    /// Shown at the top of the form.
    Form(Problem),
}

impl From<PageError> for Refusal {
    fn from(page: PageError) -> Self {
        Refusal::Page(page)
    }
}

/// The form being read.
struct Reading<'s> {
    viewer: &'s Viewer,
    tenant: TenantId,
    draft: Draft,
    files: Vec<String>,
    upload: Option<AttachmentUpload<'s, ToOpening>>,
    text_parts: usize,
}

impl<'s> Reading<'s> {
    /// Reads every part after the token.
    async fn parts(
        &mut self,
        multipart: &mut Multipart,
        overflow: &AtomicBool,
    ) -> Result<(), Refusal> {
        loop {
            let field = match multipart.next_field().await {
                Ok(Some(field)) => field,
                Ok(None) => return Ok(()),
                Err(e) => return Err(self.broken(&e, overflow)),
            };
            let name = field.name().unwrap_or_default().to_owned();
            if name == FILES_FIELD {
                self.file(field, overflow).await?;
                continue;
            }
            self.text_parts += 1;
            if self.text_parts > MAX_TEXT_PARTS {
                return Err(Refusal::Form(Problem::new(
                    StatusCode::BAD_REQUEST,
                    Msg::BadRequest,
                )));
            }
            let value = match text(field, MAX_FORM_BYTES).await {
                Ok(value) => value,
                Err(TextError::TooLong) => {
                    return Err(Refusal::Form(Problem {
                        field: super::form_field(&name),
                        ..Problem::new(StatusCode::PAYLOAD_TOO_LARGE, Msg::TooLarge)
                    }));
                }
                Err(TextError::NotText) => {
                    return Err(Refusal::Form(Problem::new(
                        StatusCode::BAD_REQUEST,
                        Msg::BadRequest,
                    )));
                }
                Err(TextError::Broken(e)) => return Err(self.broken(&e, overflow)),
            };
            // Parts the form does not have (a button's name, a host's extra) are left.
            self.draft.set(&name, value);
        }
    }

    /// One part of the file input: streamed into the upload.
    async fn file(&mut self, mut field: Field<'_>, overflow: &AtomicBool) -> Result<(), Refusal> {
        let file_name = field.file_name().unwrap_or_default().to_owned();
        if file_name.trim().is_empty() {
            // The file input left empty: browsers send it with no name and no byte.
            while let Some(_chunk) = field.chunk().await.map_err(|e| self.broken(&e, overflow))? {}
            return Ok(());
        }
        self.files.push(file_name.clone());
        let content_type = field
            .content_type()
            .unwrap_or("application/octet-stream")
            .to_owned();
        let viewer = self.viewer;
        if self.upload.is_none() {
            let upload = viewer
                .service
                .begin_opening(&viewer.actor, self.tenant)
                .await
                .map_err(|e| PageError::domain(&viewer.site, e))?;
            self.upload = Some(upload);
        }
        let Some(upload) = self.upload.as_mut() else {
            return Ok(());
        };
        let mut file = match upload.file(&file_name, &content_type).await {
            Ok(file) => file,
            Err(e) => return Err(core_refusal(viewer, e)),
        };
        loop {
            match field.chunk().await {
                Ok(Some(chunk)) => {
                    if let Err(e) = file.write(&chunk).await {
                        let _ = file.abort().await;
                        return Err(core_refusal(viewer, e));
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    if let Err(e) = file.abort().await {
                        tracing::warn!(error = %e, "could not discard a refused file");
                    }
                    return Err(broken(&e, overflow));
                }
            }
        }
        file.close().map_err(|e| core_refusal(viewer, e))?;
        Ok(())
    }

    /// A body that stopped making sense (or passed the limit) midway.
    fn broken(&self, error: &MultipartError, overflow: &AtomicBool) -> Refusal {
        broken(error, overflow)
    }

    /// Discards the files received.
    async fn discard(&mut self) {
        if let Some(upload) = self.upload.take()
            && let Err(e) = upload.abort().await
        {
            tracing::warn!(error = %e, "could not discard the files of a refused form");
        }
    }
}

fn broken(error: &MultipartError, overflow: &AtomicBool) -> Refusal {
    if overflow.load(Ordering::Relaxed) || error.status() == StatusCode::PAYLOAD_TOO_LARGE {
        Refusal::Form(Problem {
            field: Some(FILES_FIELD),
            ..Problem::new(StatusCode::PAYLOAD_TOO_LARGE, Msg::TooLarge)
        })
    } else {
        tracing::debug!(error = %error, "unreadable new-ticket form");
        Refusal::Form(Problem::new(StatusCode::BAD_REQUEST, Msg::BadRequest))
    }
}

fn core_refusal(viewer: &Viewer, error: helpdesk_core::Error) -> Refusal {
    match core_problem(viewer, error) {
        Ok(problem) => Refusal::Form(problem),
        Err(page) => Refusal::Page(page),
    }
}

/// Why a text part could not be read.
enum TextError {
    TooLong,
    NotText,
    Broken(MultipartError),
}

/// A text part read whole, refused past `max` bytes as it arrives.
async fn text(mut field: Field<'_>, max: usize) -> Result<String, TextError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(TextError::Broken)? {
        if bytes.len().saturating_add(chunk.len()) > max {
            return Err(TextError::TooLong);
        }
        bytes.extend_from_slice(&chunk);
    }
    String::from_utf8(bytes).map_err(|_| TextError::NotText)
}

/// The body, cut with an error past `max` bytes (and `overflow` set, to tell that
/// error from a malformed body).
fn limited(body: Body, max: u64, overflow: Arc<AtomicBool>) -> Body {
    let mut seen: u64 = 0;
    Body::from_stream(body.into_data_stream().map(move |chunk| {
        let chunk = chunk?;
        seen = seen.saturating_add(u64::try_from(chunk.len()).unwrap_or(u64::MAX));
        if seen > max {
            overflow.store(true, Ordering::Relaxed);
            return Err(axum::Error::new("the form is larger than allowed"));
        }
        Ok(chunk)
    }))
}
