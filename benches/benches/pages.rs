//! Server time of the web pages against the JSON routes that answer the same question,
//! measured in one run on one SQLite file of 20,000 tickets: the ticket list, a ticket's
//! page and the home dashboard, each as a tenant admin, in process
//! (`tower::ServiceExt::oneshot`, no socket, whole body read).
//!
//! `cargo bench -p helpdesk-benches --bench pages`

use std::sync::Arc;
use std::time::Instant;

use async_trait::async_trait;
use axum::Router;
use axum::body::Body;
use axum::http::request::Parts;
use axum::http::{Request, StatusCode};
use helpdesk_axum::{Caller, HelpdeskState, Identify, IdentifyError};
use helpdesk_benches::BenchResult;
use helpdesk_benches::table::{self, Table};
use helpdesk_benches::timing::{Plan, Samples, measure};
use helpdesk_core::memory::MemoryBlobStore;
use helpdesk_core::{
    Actor, HelpdeskService, MemberDetails, MemberRole, NewTicket, Priority, TenantId, TicketId,
    UserId,
};
use helpdesk_sqlx::SqliteStore;
use tower::ServiceExt as _;

const TICKETS: usize = 20_000;
const SEEDING_TASKS: usize = 4;
const ROUNDS: usize = 3;
const PLAN: Plan = Plan::new(5, 15).batched(5);

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

async fn member(
    service: &HelpdeskService,
    tenant: TenantId,
    user: &str,
    role: MemberRole,
) -> BenchResult<Actor> {
    Ok(Actor::Member(
        service
            .ensure_member(
                tenant,
                MemberDetails {
                    user: &UserId::new(user)?,
                    display_name: user,
                    email: None,
                    role,
                },
            )
            .await?,
    ))
}

/// Opens `TICKETS` tickets from 20 requesters, on a few tasks at once; answers one with
/// three replies to read.
async fn seed(service: &HelpdeskService, tenant: TenantId) -> BenchResult<TicketId> {
    let began = Instant::now();
    let mut requesters = Vec::new();
    for r in 0..20 {
        requesters.push(
            member(
                service,
                tenant,
                &format!("user{r:02}"),
                MemberRole::Requester,
            )
            .await?,
        );
    }
    let requesters = Arc::new(requesters);
    let mut handles = Vec::new();
    for task in 0..SEEDING_TASKS {
        let service = service.clone();
        let requesters = requesters.clone();
        handles.push(tokio::spawn(async move {
            let mut last = None;
            for i in (task..TICKETS).step_by(SEEDING_TASKS) {
                let draft = NewTicket {
                    subject: format!(
                        "Demande {i} : l'imprimante du bâtiment {} est bloquée",
                        i % 7
                    ),
                    description: format!("<p>Le bac {} est coincé depuis ce matin.</p>", i % 3),
                    priority: Some(Priority::ALL[i % 4]),
                    ..Default::default()
                };
                let who = &requesters[i % requesters.len()];
                last = Some((service.open(who, tenant, draft, vec![]).await?.id, i));
            }
            BenchResult::Ok(last)
        }));
    }
    let mut read = None;
    for handle in handles {
        read = handle.await??.or(read);
    }
    let (read, i) = read.ok_or("nothing seeded")?;
    let owner = &requesters[i % requesters.len()];
    for n in 1..=3 {
        service
            .reply(owner, read, None, &format!("<p>Relance n°{n}</p>"), vec![])
            .await?;
    }
    eprintln!(
        "  pages: {TICKETS} tickets seeded in {:.1} s (untimed)",
        began.elapsed().as_secs_f64()
    );
    Ok(read)
}

/// Sends one GET as the tenant admin, reads the whole body, refuses anything but 200.
async fn get_ok(app: &Router, uri: &str) -> BenchResult {
    let request = Request::get(uri)
        .header("x-user", "admin")
        .header("accept-language", "fr")
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
    let url = format!("sqlite://{}", dir.path().join("pages.db").display());
    let store = SqliteStore::connect(&url).await?;
    store.migrate().await?;
    let service =
        HelpdeskService::new(Arc::new(store)).with_blobs(Arc::new(MemoryBlobStore::new()));
    let root = service
        .bootstrap_platform_admin(&UserId::new("root")?, "Root")
        .await?;
    let tenant = service.create_tenant(&root, "acme", "Acme").await?.id;
    member(&service, tenant, "admin", MemberRole::TenantAdmin).await?;
    let ticket = seed(&service, tenant).await?;
    let state = HelpdeskState::new(service, Arc::new(FromHeader));
    let app: Router = Router::new()
        .nest(
            "/support",
            helpdesk_web::pages(helpdesk_web::WebConfig::new()),
        )
        .nest("/helpdesk", helpdesk_axum::router())
        .with_state(state);

    // (what, JSON route, page)
    let pairs = [
        (
            "ticket list, first page",
            "/helpdesk/tickets".to_owned(),
            "/support/tickets".to_owned(),
        ),
        (
            "one ticket, three replies",
            format!("/helpdesk/tickets/{ticket}"),
            format!("/support/tickets/{ticket}"),
        ),
        (
            "dashboard, 12 months",
            "/helpdesk/dashboard?months=12".to_owned(),
            "/support".to_owned(),
        ),
    ];
    let mut json = vec![Samples::new(); pairs.len()];
    let mut page = vec![Samples::new(); pairs.len()];
    for _ in 0..ROUNDS {
        for (n, (_, api, html)) in pairs.iter().enumerate() {
            json[n].extend(measure(PLAN, async || get_ok(&app, api).await).await?);
            page[n].extend(measure(PLAN, async || get_ok(&app, html).await).await?);
        }
    }
    let mut out = Table::new(["what", "JSON route (median)", "page (median)", "page ×JSON"]);
    for (n, (what, _, _)) in pairs.iter().enumerate() {
        out.row([
            (*what).to_owned(),
            table::duration(json[n].median()),
            table::duration(page[n].median()),
            table::ratio(page[n].median(), json[n].median()),
        ]);
    }
    out.print(&format!(
        "pages: server time per page against its JSON route, SQLite file, {TICKETS} tickets ({ROUNDS} interleaved rounds × {} samples of {} requests)",
        PLAN.samples, PLAN.batch
    ));
    Ok(())
}
