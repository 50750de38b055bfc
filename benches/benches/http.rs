//! Requests per second through the helpdesk's axum routes, in process
//! (`tower::ServiceExt::oneshot`, no socket): `GET /helpdesk/tickets/{id}` on the
//! in-memory store and on SQLite in a file, against a trivial route of the same router
//! as the baseline. The ticket read runs the whole stack: the host's `Identify`, the
//! tenant and member lookups of the `Ctx` extractor, `HelpdeskService::ticket` (ticket,
//! tenant, timeline, attachments, display names) and the JSON response with its `ETag`.
//!
//! `cargo bench -p helpdesk-benches --bench http`

use std::sync::Arc;

use async_trait::async_trait;
use axum::Router;
use axum::body::Body;
use axum::http::request::Parts;
use axum::http::{Request, StatusCode};
use axum::routing::get;
use helpdesk_axum::{Caller, HelpdeskState, Identify, IdentifyError};
use helpdesk_benches::BenchResult;
use helpdesk_benches::table::{self, Table};
use helpdesk_benches::timing::{Plan, Samples, measure};
use helpdesk_core::memory::{MemoryBlobStore, MemoryStore};
use helpdesk_core::{
    Actor, HelpdeskService, MemberDetails, MemberRole, NewTicket, Store, TicketId, UserId,
};
use helpdesk_sqlx::SqliteStore;
use tower::ServiceExt as _;

const ROUNDS: usize = 3;
const PLAN: Plan = Plan::new(20, 20).batched(20);

/// The host's login, reduced to a trusted `x-user` header; every caller acts in `acme`.
struct FromHeader;

#[async_trait]
impl Identify for FromHeader {
    async fn identify(&self, parts: &mut Parts) -> Result<Option<Caller>, IdentifyError> {
        let user = parts.headers.get("x-user").and_then(|v| v.to_str().ok());
        Ok(user.and_then(|u| UserId::new(u).ok()).map(|user| Caller {
            user,
            tenant: Some("acme".into()),
            profile: None,
        }))
    }
}

/// A router over `store` with one ticket (opened by alice, three replies) to read.
async fn app(store: Arc<dyn Store>) -> BenchResult<(Router, TicketId)> {
    let service = HelpdeskService::new(store);
    let root = service
        .bootstrap_platform_admin(&UserId::new("root")?, "Root")
        .await?;
    let tenant = service.create_tenant(&root, "acme", "Acme").await?;
    let alice = Actor::Member(
        service
            .ensure_member(
                tenant.id,
                MemberDetails {
                    user: &UserId::new("alice")?,
                    display_name: "Alice",
                    email: Some("alice@acme.example"),
                    role: MemberRole::Requester,
                },
            )
            .await?,
    );
    let ticket = service
        .open(
            &alice,
            tenant.id,
            NewTicket {
                subject: "L'imprimante du 2e étage est bloquée".into(),
                description: "<p>Le bac 2 est coincé depuis ce matin.</p>".into(),
                ..Default::default()
            },
            vec![],
        )
        .await?;
    for n in 1..=3 {
        service
            .reply(
                &alice,
                ticket.id,
                None,
                &format!("<p>Relance n°{n} : toujours bloqué.</p>"),
                vec![],
            )
            .await?;
    }
    let state = HelpdeskState::new(
        service.with_blobs(Arc::new(MemoryBlobStore::new())),
        Arc::new(FromHeader),
    );
    let router = Router::new()
        .route("/ping", get(|| async { "pong" }))
        .nest("/helpdesk", helpdesk_axum::router())
        .with_state(state);
    Ok((router, ticket.id))
}

/// Sends one GET as alice, reads the whole body, and refuses anything but 200.
async fn get_ok(app: &Router, uri: &str) -> BenchResult {
    let request = Request::get(uri)
        .header("x-user", "alice")
        .body(Body::empty())?;
    let response = app.clone().oneshot(request).await?;
    let status = response.status();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX).await?;
    if status != StatusCode::OK || body.is_empty() {
        return Err(format!("GET {uri}: {status}").into());
    }
    Ok(())
}

#[tokio::main]
async fn main() -> BenchResult {
    let dir = tempfile::tempdir()?;
    let url = format!("sqlite://{}", dir.path().join("http.db").display());
    let sqlite = SqliteStore::connect(&url).await?;
    sqlite.migrate().await?;

    let (memory_app, memory_ticket) = app(Arc::new(MemoryStore::new())).await?;
    let (sqlite_app, sqlite_ticket) = app(Arc::new(sqlite)).await?;
    let cases = [
        (
            "GET /ping (trivial route, baseline)",
            &memory_app,
            "/ping".to_owned(),
        ),
        (
            "GET /helpdesk/tickets/{id}, memory store",
            &memory_app,
            format!("/helpdesk/tickets/{memory_ticket}"),
        ),
        (
            "GET /helpdesk/tickets/{id}, SQLite file",
            &sqlite_app,
            format!("/helpdesk/tickets/{sqlite_ticket}"),
        ),
    ];

    let mut samples = vec![Samples::new(); cases.len()];
    for _ in 0..ROUNDS {
        for (n, (_, app, uri)) in cases.iter().enumerate() {
            samples[n].extend(measure(PLAN, async || get_ok(app, uri).await).await?);
        }
    }

    let base = samples[0].median();
    let mut out = Table::new([
        "request",
        "median",
        "min",
        "requests/s (median)",
        "×baseline",
    ]);
    for ((label, _, _), s) in cases.iter().zip(&samples) {
        out.row([
            (*label).to_owned(),
            table::duration(s.median()),
            table::duration(s.min()),
            table::rate(s.per_second()),
            table::ratio(s.median(), base),
        ]);
    }
    out.print(&format!(
        "http: time per request, one at a time ({ROUNDS} interleaved rounds × {} samples of {} requests)",
        PLAN.samples, PLAN.batch
    ));
    Ok(())
}
