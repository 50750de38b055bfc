//! Liveness and readiness probes the host mounts where its orchestrator looks, apart
//! from [`router`](crate::router) (they need no caller identity and are not in the
//! OpenAPI document):
//!
//! - `GET /live`: the process answers. Always `200 {"status":"live"}`.
//! - `GET /ready`: the store answers and its schema is current:
//!   `200 {"status":"ready"}`; otherwise `503` with `Retry-After` and
//!   `{"status":"unavailable","reason":"database_unreachable"}`,
//!   `{"status":"unavailable","reason":"migrations_pending","pending":[2]}` or
//!   `{"status":"unavailable","reason":"storage_failure"}`.
//!
//! ```
//! use std::sync::Arc;
//! use axum::{Router, extract::FromRef};
//! use helpdesk_axum::{Caller, HelpdeskState, Identify, IdentifyError};
//! use helpdesk_core::{HelpdeskService, memory::{MemoryBlobStore, MemoryStore}};
//!
//! struct Nobody;
//! #[async_trait::async_trait]
//! impl Identify for Nobody {
//!     async fn identify(&self, _: &mut axum::http::request::Parts) -> Result<Option<Caller>, IdentifyError> {
//!         Ok(None)
//!     }
//! }
//!
//! #[derive(Clone, FromRef)]
//! struct AppState { helpdesk: HelpdeskState }
//!
//! let service = HelpdeskService::new(Arc::new(MemoryStore::new()));
//! let helpdesk = HelpdeskState::new(service.with_blobs(Arc::new(MemoryBlobStore::new())), Arc::new(Nobody));
//! let app: Router = Router::new()
//!     .nest("/helpdesk", helpdesk_axum::router())
//!     .nest("/health", helpdesk_axum::health::router()) // GET /health/live, /health/ready
//!     .with_state(AppState { helpdesk });
//! ```

use axum::Json;
use axum::Router;
use axum::extract::{FromRef, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use helpdesk_core::Readiness;
use serde::Serialize;

use crate::problem::RETRY_AFTER_SECONDS;
use crate::state::HelpdeskState;

/// The probes: `GET /live` and `GET /ready`, to nest at any prefix (`/health`, say).
pub fn router<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    HelpdeskState: FromRef<S>,
{
    Router::new()
        .route("/live", get(live))
        .route("/ready", get(ready))
}

/// The body of a probe's answer.
#[derive(Debug, Serialize)]
#[non_exhaustive]
pub struct Health {
    /// `live`, `ready` or `unavailable`.
    pub status: &'static str,
    /// Why not ready: `database_unreachable`, `migrations_pending`, `storage_failure`
    /// (logged), or `not_ready` for a reason a newer store reports.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'static str>,
    /// The migrations not applied yet, when that is the reason.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pending: Option<Vec<i64>>,
}

async fn live() -> Json<Health> {
    Json(Health {
        status: "live",
        reason: None,
        pending: None,
    })
}

async fn ready(State(state): State<HelpdeskState>) -> Response {
    let (reason, pending) = match state.service.readiness().await {
        Ok(Readiness::Ready) => {
            return Json(Health {
                status: "ready",
                reason: None,
                pending: None,
            })
            .into_response();
        }
        Ok(Readiness::MigrationsPending { versions }) => ("migrations_pending", Some(versions)),
        Ok(_) => ("not_ready", None),
        Err(e) if e.is_unavailable() => {
            tracing::warn!(error = %e, "readiness: storage unavailable");
            ("database_unreachable", None)
        }
        Err(e) => {
            tracing::error!(error = %e, "readiness: storage failure");
            ("storage_failure", None)
        }
    };
    let mut response = (
        StatusCode::SERVICE_UNAVAILABLE,
        Json(Health {
            status: "unavailable",
            reason: Some(reason),
            pending,
        }),
    )
        .into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECONDS));
    response
}
