//! Drop-in axum routes for the helpdesk. The host nests [`router`] at any prefix in its
//! own `Router`, puts a [`HelpdeskState`] in its state (reached through `FromRef`), and
//! says who is calling by implementing [`Identify`] over its own session, JWT or SSO
//! header. The helpdesk never sees a password.
//!
//! ```
//! use std::sync::Arc;
//! use axum::{Router, extract::FromRef, http::request::Parts};
//! use helpdesk_axum::{Caller, HelpdeskState, Identify, IdentifyError};
//! use helpdesk_core::{HelpdeskService, UserId, memory::{MemoryBlobStore, MemoryStore}};
//!
//! struct FromHeader; // the host's own login: here, a trusted `X-User` header
//! #[helpdesk_axum::async_trait]
//! impl Identify for FromHeader {
//!     async fn identify(&self, parts: &mut Parts) -> Result<Option<Caller>, IdentifyError> {
//!         let user = parts.headers.get("x-user").and_then(|v| v.to_str().ok());
//!         Ok(user.and_then(|u| UserId::new(u).ok()).map(|user| Caller { user, tenant: Some("acme".into()), profile: None }))
//!     }
//! }
//!
//! #[derive(Clone, FromRef)]
//! struct AppState { helpdesk: HelpdeskState }
//!
//! let service = HelpdeskService::new(Arc::new(MemoryStore::new()))
//!     .with_blobs(Arc::new(MemoryBlobStore::new()));
//! let helpdesk = HelpdeskState::new(service, Arc::new(FromHeader));
//! let app: Router = Router::new()
//!     .nest("/helpdesk", helpdesk_axum::router())
//!     .with_state(AppState { helpdesk });
//! ```
//!
//! Errors are RFC 9457 `application/problem+json` documents with a stable `code`: 404 for
//! a ticket the caller may not see (the same body as a missing one), 403 for a forbidden
//! action on a visible ticket, 409 for an invalid transition or a version conflict, 412
//! when `If-Match` fails, 422 for validation naming the field and its `reason_code`
//! (`required`, `too_long` with `reason_params.max`...: what a client translates), 413
//! for oversize bodies. `GET /me` says who is calling ([`Me`]) and `PUT /me/language`
//! sets the language they read in; `GET /members?q=` finds members of the tenant by
//! name, login or email, as far as the caller may.
//! Ticket responses carry an `ETag`; every write on a ticket honours `If-Match`; `POST /tickets`
//! honours `Idempotency-Key`. `GET /export.csv` streams its rows page by page, as RFC
//! 4180 CSV or, with `?format=excel-fr`, `;`-separated after a UTF-8 byte-order mark for
//! French spreadsheets. `GET /tickets` sorts with `sort=number|subject|status|priority|opened|updated`
//! and `order=asc|desc` (newest opened first by default), answers `total`, how many
//! tickets match on all pages, and refuses (422, field `cursor`) a cursor issued under
//! another sort. `GET /kb/suggestions` without a subject gives a category's FAQ;
//! `GET /dashboard/breakdown` gives staff the counts per agent and per group.
//! `GET /openapi.json` describes every route. When the storage
//! is unreachable for now (a database outage, no connection within the store's acquire
//! timeout, SQLite's busy timeout exhausted), every route answers 503
//! `service_unavailable` with `Retry-After`. Liveness and readiness probes are in
//! [`health`].
//!
//! Every request has an id ([`RequestId`]): the sane `X-Request-Id` it came with, or a
//! fresh UUID v7. It is echoed in the response's `X-Request-Id`, recorded on the
//! request's tracing span (every line the helpdesk logs while serving it, such as the
//! cause of a 500, carries `request_id`), and written in problem documents as
//! `request_id`, so the id a user reports leads to the log lines.
//!
//! # Features
//!
//! None: the routes, the problem documents and the OpenAPI document are always built.
//!
//! # Limits
//!
//! [`Limits`] (given to [`router_with_limits`]) bound what one request may cost:
//! - A body whose `Content-Length` is over the route's limit is refused with 413 before a
//!   byte of it is read. The upload route's limit derives from the service's one
//!   attachment setting, [`AttachmentLimits`](helpdesk_core::AttachmentLimits). The
//!   handler only reads multipart parts and feeds them to the core's
//!   [`AttachmentUpload`](helpdesk_core::AttachmentUpload), which streams each file into
//!   the service's [`BlobStore`](helpdesk_core::BlobStore) and refuses it (413) the
//!   moment it passes `max_bytes`; a refused upload leaves nothing stored. An upload
//!   holds about one network read in memory, not the file.
//! - A body that stops arriving for `body_timeout` (30 s) is answered 408
//!   `request_timeout`. Slow request heads are for the host's server to time out.
//!
//! [`HelpdeskState`] guards writes (every method but `GET`, `HEAD`, `OPTIONS`):
//! - Each caller (the host's user id) may make a burst of 20 writes, then 3 a second
//!   ([`RateLimit`]); past that the answer is 429 `too_many_requests` with `Retry-After`.
//!   Change or turn it off with [`HelpdeskState::with_write_limit`].
//! - A write sent with `Sec-Fetch-Site: cross-site` is refused (403 `cross_site_request`),
//!   and so is one whose `Origin` is `null` or neither the request's own `Host` nor an
//!   origin listed with [`HelpdeskState::with_allowed_origins`] (403 `origin_not_allowed`).
// Functions stay short enough to read at once (tests, scenarios and route tables aside).
#![cfg_attr(not(test), warn(clippy::too_many_lines))]

// The README's example is compiled as a doctest, so it keeps up with the API.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

mod extract;
mod guard;
pub mod health;
mod identity;
mod openapi;
mod params;
mod problem;
mod rate;
mod request_id;
mod routes;
mod state;

use axum::Extension;
use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRef, MatchedPath, Request};
use axum::http::{Method, Uri};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{delete, get, patch, post, put};
use tracing::Instrument;

/// The request bodies the routes read (their JSON shapes are in the OpenAPI document).
pub mod bodies {
    pub use crate::routes::admin::{
        CategoryBody, Named, NewMember, NewStaff, NewTenant, ProductBody, RoleChange, StaffUpdate,
        TenantUpdate,
    };
    pub use crate::routes::commands::{Approval, Assignment, MemberRef, Message, Reason};
    pub use crate::routes::people::{LanguageBody, MutedBody};
    pub use crate::routes::reports::{ArticleBody, SaveSearch};
    pub use crate::routes::tickets::{EditTicket, OpenTicket};
}

/// The attribute a host puts on its `impl Identify`: re-exported so that the host
/// needs no `async-trait` dependency of its own.
pub use async_trait::async_trait;
pub use extract::{IdempotencyKey, IfMatch, JsonBody};
pub use identity::{Caller, Ctx, Identify, IdentifyError, Profile};
pub use openapi::ApiDoc;
pub use problem::{ApiError, PROBLEM_JSON, Problem, RETRY_AFTER_SECONDS};
pub use rate::{ManualClock, RateLimit};
pub use request_id::{REQUEST_ID_HEADER, RequestId};
pub use routes::attachments::SAFE_CONTENT_TYPES;
pub use routes::people::{Me, MeKind, MeRole};
pub use state::{HelpdeskState, Limits};
/// The OpenAPI crate the document is built with, for a host that describes its session
/// ([`HelpdeskState::with_security_scheme`]) or extends [`ApiDoc`].
pub use utoipa;

/// The helpdesk's routes with the default [`Limits`], to nest at any prefix of the host's
/// router. Needs a [`HelpdeskState`] reachable from the host's state `S` through
/// `FromRef`.
pub fn router<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    HelpdeskState: FromRef<S>,
{
    router_with_limits(Limits::default())
}

/// The helpdesk's routes with other size limits.
#[allow(clippy::too_many_lines, reason = "the route table: one line per route")]
pub fn router_with_limits<S>(limits: Limits) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    HelpdeskState: FromRef<S>,
{
    use routes::{admin, attachments, commands, dead_letters, people, reports, tickets, webhooks};
    // The upload's body limit is the service's (`AttachmentLimits`), applied by the
    // handler, which reaches the service.
    let uploads = Router::new()
        .route("/tickets/{id}/attachments", post(attachments::upload))
        .layer(DefaultBodyLimit::disable())
        .layer(middleware::from_fn(guard::paced_body));
    let routes = Router::new()
        .route("/tickets", post(tickets::open).get(tickets::search))
        .route("/tickets/{id}", get(tickets::get).patch(tickets::edit))
        .route("/tickets/{id}/replies", post(commands::reply))
        .route("/tickets/{id}/notes", post(commands::note))
        .route("/tickets/{id}/assignment", post(commands::assign))
        .route(
            "/tickets/{id}/information-request",
            post(commands::request_information),
        )
        .route("/tickets/{id}/closure", post(commands::propose_closure))
        .route(
            "/tickets/{id}/closure/approval",
            post(commands::approve_closure),
        )
        .route(
            "/tickets/{id}/closure/refusal",
            post(commands::refuse_closure),
        )
        .route("/tickets/{id}/cancellation", post(commands::cancel))
        .route("/tickets/{id}/reopening", post(commands::reopen))
        .route("/tickets/{id}/guests", post(commands::invite_guest))
        .route("/tickets/{id}/watchers", get(tickets::watchers))
        .route(
            "/tickets/{id}/requester",
            post(commands::reassign_requester),
        )
        .route("/me", get(people::get_me))
        .route("/me/language", put(people::set_language))
        .route("/me/notifications", put(people::set_muted_topics))
        .route("/members", get(people::find_members))
        .route("/attachments/{id}", get(attachments::download))
        .route("/dashboard", get(reports::dashboard))
        .route("/dashboard/breakdown", get(reports::dashboard_breakdown))
        .route("/export.csv", get(reports::export))
        .route(
            "/saved-searches",
            get(reports::saved_searches).post(reports::save_search),
        )
        .route("/saved-searches/{id}", delete(reports::delete_saved_search))
        .route("/kb/suggestions", get(reports::kb_suggestions))
        .route(
            "/kb/articles",
            get(reports::articles).post(reports::create_article),
        )
        .route("/kb/articles/{id}", put(reports::update_article))
        .route(
            "/admin/tenants",
            get(admin::tenants).post(admin::create_tenant),
        )
        .route(
            "/admin/tenants/{id}",
            get(admin::tenant).put(admin::update_tenant),
        )
        .route(
            "/admin/tenants/{id}/questionnaire",
            put(admin::set_questionnaire),
        )
        .route(
            "/admin/members",
            get(admin::members).post(admin::add_member),
        )
        .route("/admin/members/{id}/block", post(admin::block_member))
        .route("/admin/members/{id}/unblock", post(admin::unblock_member))
        .route("/admin/members/{id}/role", put(admin::set_member_role))
        .route("/admin/staff", get(admin::staff).post(admin::add_staff))
        .route("/admin/staff/{id}", patch(admin::update_staff))
        .route(
            "/admin/groups",
            get(admin::groups).post(admin::create_group),
        )
        .route("/admin/groups/{id}", patch(admin::rename_group))
        .route(
            "/admin/categories",
            get(admin::categories).post(admin::create_category),
        )
        .route("/admin/categories/{id}", put(admin::update_category))
        .route(
            "/admin/products",
            get(admin::products).post(admin::create_product),
        )
        .route("/admin/products/{id}", put(admin::update_product))
        .route("/admin/dead-letters", get(dead_letters::dead_letters))
        .route("/admin/dead-letters/{id}/retry", post(dead_letters::retry))
        .route(
            "/admin/webhooks",
            get(webhooks::webhooks).post(webhooks::create_webhook),
        )
        .route(
            "/admin/webhooks/{id}",
            patch(webhooks::update_webhook).delete(webhooks::delete_webhook),
        )
        .route("/openapi.json", get(openapi::openapi_json))
        .layer(DefaultBodyLimit::max(limits.json_body))
        .layer(middleware::from_fn_with_state(
            limits.json_body,
            guard::declared_length,
        ))
        .merge(uploads)
        .layer(Extension(limits));
    let routes = routes
        .fallback(no_such_route)
        .method_not_allowed_fallback(method_not_allowed);
    let routes = match limits.body_timeout {
        Some(timeout) => routes.layer(middleware::from_fn_with_state(timeout, guard::body_timeout)),
        None => routes,
    };
    routes
        .layer(middleware::from_fn(trace))
        .layer(middleware::from_fn(request_id::request_id))
}

/// An unknown path under the helpdesk's prefix: a problem document, like every refusal.
async fn no_such_route(method: Method, uri: Uri) -> ApiError {
    ApiError::NoSuchRoute(format!("{method} {}", uri.path()))
}

/// A known path asked with a method it does not take.
async fn method_not_allowed(method: Method, uri: Uri) -> ApiError {
    ApiError::MethodNotAllowed(format!("{method} {}", uri.path()))
}

/// One tracing span per request, named after the matched route and carrying the
/// request's id.
async fn trace(request: Request, next: Next) -> Response {
    let route = request.extensions().get::<MatchedPath>().map_or_else(
        || request.uri().path().to_owned(),
        |p| p.as_str().to_owned(),
    );
    let id = request
        .extensions()
        .get::<RequestId>()
        .map(|id| id.as_str().to_owned())
        .unwrap_or_default();
    let span = tracing::info_span!("helpdesk", request_id = %id, method = %request.method(), route = %route);
    async move {
        let response = next.run(request).await;
        tracing::debug!(status = response.status().as_u16(), "answered");
        response
    }
    .instrument(span)
    .await
}
