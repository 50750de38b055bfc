//! What the routes need from the host, reached through `FromRef<S>`.

use std::sync::Arc;
use std::time::Duration;

use helpdesk_core::HelpdeskService;

use crate::guard::AllowedOrigins;
use crate::identity::Identify;
use crate::rate::{ManualClock, RateLimit, WriteLimiter};

/// Size and time limits the routes enforce; give them to
/// [`router_with_limits`](crate::router_with_limits). Start from `Limits::default()` and
/// change the fields you need (`Limits { json_body: 64 << 10, ..Limits::default() }`).
///
/// A request saying (`Content-Length`) it is larger than the route accepts is refused
/// with 413 before its body is read. Attachment sizes are not set here but on the
/// service ([`AttachmentLimits`](helpdesk_core::AttachmentLimits), through
/// [`HelpdeskService::with_attachment_limits`]): the upload route's body limit derives
/// from them, and the core streams each file to the blob store, refusing it the moment
/// it passes `max_bytes`, so an upload never sits whole in memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The largest JSON body, in bytes.
    pub json_body: usize,
    /// The longest wait for the next piece of a request body before answering 408
    /// (`request_timeout`); `None` waits forever. Needs a Tokio runtime with timers.
    pub body_timeout: Option<Duration>,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            json_body: 512 * 1024,
            body_timeout: Some(Duration::from_secs(30)),
        }
    }
}

/// The helpdesk's state inside the host's: the service (which keeps attachment bytes in
/// its blob store, [`HelpdeskService::with_blobs`]) and who is calling. The host's state implements `FromRef<HostState>` for it (or is it).
///
/// Writes (every method but `GET`, `HEAD`, `OPTIONS`) are guarded here: each caller may
/// make [`RateLimit::default`] writes (a burst of 20, then 3 a second) before getting 429
/// with `Retry-After` (change it with [`with_write_limit`](Self::with_write_limit)); and
/// a write whose `Origin` header names another site is refused with 403 unless
/// [`with_allowed_origins`](Self::with_allowed_origins) lists it.
#[derive(Clone)]
pub struct HelpdeskState {
    pub(crate) service: HelpdeskService,
    pub(crate) identity: Arc<dyn Identify>,
    pub(crate) origins: Arc<AllowedOrigins>,
    pub(crate) write_limit: Option<RateLimit>,
    pub(crate) rate_clock: Option<ManualClock>,
    pub(crate) write_limiter: Option<Arc<WriteLimiter>>,
    pub(crate) security_scheme: Option<Arc<utoipa::openapi::security::SecurityScheme>>,
}

impl std::fmt::Debug for HelpdeskState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HelpdeskState")
            .field("service", &self.service)
            .finish_non_exhaustive()
    }
}

impl HelpdeskState {
    /// The state for `service`, telling callers apart with `identity`. Attachments go to
    /// the service's blob store: without one ([`HelpdeskService::with_blobs`]) uploads
    /// and downloads answer 500.
    pub fn new(service: HelpdeskService, identity: Arc<dyn Identify>) -> Self {
        let write_limit = Some(RateLimit::default());
        Self {
            service,
            identity,
            origins: Arc::new(AllowedOrigins::default()),
            write_limit,
            rate_clock: None,
            write_limiter: write_limit.map(|limit| Arc::new(WriteLimiter::new(limit, None))),
            security_scheme: None,
        }
    }

    /// Accepts writes sent by pages of `origins` (each `scheme://host[:port]`, such as
    /// `https://portal.example.org`) besides the host's own. By default only same-origin
    /// writes are accepted: an `Origin` whose host and port are the request's `Host`.
    /// A host behind a proxy that rewrites `Host` lists its public origin here.
    pub fn with_allowed_origins<I, O>(mut self, origins: I) -> Self
    where
        I: IntoIterator<Item = O>,
        O: AsRef<str>,
    {
        self.origins = Arc::new(AllowedOrigins::new(origins));
        self
    }

    /// Limits each caller's writes to `limit`, or turns the limit off with `None`.
    /// Callers are told apart by the host's user id (from [`Identify`]), not by address.
    pub fn with_write_limit(mut self, limit: Option<RateLimit>) -> Self {
        self.write_limit = limit;
        self.rebuild_write_limiter();
        self
    }

    /// Reads time for the write limit from `clock` instead of the system's, so a test can
    /// move time on without waiting.
    pub fn with_rate_clock(mut self, clock: ManualClock) -> Self {
        self.rate_clock = Some(clock);
        self.rebuild_write_limiter();
        self
    }

    /// Describes the host's own session in `GET /openapi.json`, so a client generated
    /// from it sends what the host's [`Identify`] reads. By default the document names a
    /// cookie called `session`. A host authenticating with a bearer token says:
    ///
    /// ```
    /// # fn with(state: helpdesk_axum::HelpdeskState) -> helpdesk_axum::HelpdeskState {
    /// use helpdesk_axum::utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
    /// state.with_security_scheme(SecurityScheme::Http(
    ///     HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build(),
    /// ))
    /// # }
    /// ```
    ///
    /// Every operation requires this scheme (named `host_session` in the document).
    pub fn with_security_scheme(
        mut self,
        scheme: utoipa::openapi::security::SecurityScheme,
    ) -> Self {
        self.security_scheme = Some(Arc::new(scheme));
        self
    }

    /// A fresh limiter (every caller back at a full burst) for the current settings.
    fn rebuild_write_limiter(&mut self) {
        let clock = self.rate_clock.clone();
        self.write_limiter = self
            .write_limit
            .map(|limit| Arc::new(WriteLimiter::new(limit, clock)));
    }

    /// The service behind the routes.
    pub fn service(&self) -> &HelpdeskService {
        &self.service
    }
}
