//! Refusals made before a handler does any work: a body that stops arriving (408), a
//! `Content-Length` over the limit (413), and writes from another site's pages (403).

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body::{Frame, SizeHint};

use crate::problem::ApiError;

/// Answers 408 when the client stops sending a request body: each piece of the body must
/// arrive within `timeout` of the handler asking for it. Slow request heads are the
/// server's business (the host's listener), not this layer's.
pub(crate) async fn body_timeout(
    State(timeout): State<Duration>,
    request: Request,
    next: Next,
) -> Response {
    let timed_out = Arc::new(AtomicBool::new(false));
    let flag = timed_out.clone();
    let request = request.map(|inner| {
        Body::new(IdleTimeoutBody {
            inner,
            timeout,
            sleep: None,
            timed_out: flag,
        })
    });
    let response = next.run(request).await;
    if timed_out.load(Ordering::Acquire) {
        // Whatever the handler made of the broken body, the cause is the wait.
        ApiError::RequestTimeout(format!(
            "the request body did not arrive: nothing came for {} s",
            timeout.as_secs_f64()
        ))
        .into_response()
    } else {
        response
    }
}

/// The body stopped arriving.
#[derive(Debug, thiserror::Error)]
#[error("the request body stopped arriving")]
struct BodyTimedOut;

/// A request body that fails once it has kept a reader waiting for `timeout`.
struct IdleTimeoutBody {
    inner: Body,
    timeout: Duration,
    /// Started when a read first finds nothing to read; cleared when data comes.
    sleep: Option<Pin<Box<tokio::time::Sleep>>>,
    timed_out: Arc<AtomicBool>,
}

impl HttpBody for IdleTimeoutBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(frame) => {
                this.sleep = None;
                Poll::Ready(frame)
            }
            Poll::Pending => {
                let timeout = this.timeout;
                let sleep = this
                    .sleep
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
                if sleep.as_mut().poll(cx).is_ready() {
                    this.timed_out.store(true, Ordering::Release);
                    Poll::Ready(Some(Err(axum::Error::new(BodyTimedOut))))
                } else {
                    Poll::Pending
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// Hands an upload's body to the multipart parser one frame per poll. The parser reads
/// its input greedily while more is ready, so on a fast link it would pull a whole file
/// into memory before the handler sees the first chunk; paced, it holds about one frame
/// (at most a few hundred KiB) and the size limit is checked as bytes arrive.
pub(crate) async fn paced_body(request: Request, next: Next) -> Response {
    let request = request.map(|inner| {
        Body::new(Paced {
            inner,
            just_gave: false,
        })
    });
    next.run(request).await
}

/// A body that answers "not yet" (and asks to be polled again at once) after each frame.
struct Paced {
    inner: Body,
    just_gave: bool,
}

impl HttpBody for Paced {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        if self.just_gave {
            self.just_gave = false;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        if let Poll::Ready(Some(_)) = &polled {
            self.just_gave = true;
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// Answers 413 at once when the request says (`Content-Length`) it is larger than `max`,
/// before a byte of it is read.
pub(crate) async fn declared_length(
    State(max): State<usize>,
    request: Request,
    next: Next,
) -> Response {
    match declared_over(&request, u64::try_from(max).unwrap_or(u64::MAX)) {
        Err(refusal) => refusal.into_response(),
        Ok(()) => next.run(request).await,
    }
}

/// 413 for a request whose `Content-Length` says its body is over `max` bytes.
pub(crate) fn declared_over(request: &Request, max: u64) -> Result<(), ApiError> {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    match declared {
        Some(length) if length > max => Err(ApiError::PayloadTooLarge(format!(
            "the request body is {length} bytes, more than the {max} allowed"
        ))),
        _ => Ok(()),
    }
}

/// The origins allowed to send writes, besides the request's own host.
#[derive(Clone, Debug, Default)]
pub(crate) struct AllowedOrigins {
    /// Lowercased `scheme://host[:port]`, without a trailing slash.
    others: Vec<String>,
}

impl AllowedOrigins {
    pub(crate) fn new<I, O>(origins: I) -> Self
    where
        I: IntoIterator<Item = O>,
        O: AsRef<str>,
    {
        Self {
            others: origins.into_iter().map(|o| normalise(o.as_ref())).collect(),
        }
    }
}

fn normalise(origin: &str) -> String {
    origin.trim().trim_end_matches('/').to_ascii_lowercase()
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Browsers say where a write comes from. Refused: a write a browser marks
/// `Sec-Fetch-Site: cross-site`, one whose `Origin` is `null` (a sandboxed page, a
/// redirect), and one whose `Origin` is neither the request's own host nor an allowed
/// origin. A write without `Origin` (a script, not a browser form) passes on. Safe methods
/// are never refused.
pub(crate) fn refuse_cross_site_writes(
    parts: &Parts,
    allowed: &AllowedOrigins,
) -> Result<(), ApiError> {
    if is_safe(&parts.method) {
        return Ok(());
    }
    let cross_site = parts
        .headers
        .get("sec-fetch-site")
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"cross-site"));
    if cross_site {
        return Err(ApiError::CrossSite);
    }
    let Some(origin) = parts.headers.get(header::ORIGIN) else {
        return Ok(());
    };
    let origin = normalise(origin.to_str().unwrap_or("null"));
    if origin == "null" {
        return Err(ApiError::OriginNotAllowed(origin));
    }
    let host = parts
        .headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or_else(|| parts.uri.authority().map(|a| a.as_str().to_owned()))
        .map(|h| h.trim().to_ascii_lowercase());
    let authority = origin.split_once("://").map(|(_, rest)| rest);
    let same_origin = authority.is_some() && authority == host.as_deref();
    if same_origin || allowed.others.contains(&origin) {
        Ok(())
    } else {
        Err(ApiError::OriginNotAllowed(origin))
    }
}
