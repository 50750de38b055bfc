//! The scale bench's reads through HTTP, when `HELPDESK_SCALE_HTTP` is set: the
//! helpdesk's JSON routes (`helpdesk-axum`) over the same service and database, served
//! on a local port in this process, driven with one keep-alive connection (what one
//! user waits: comparable with the service's own figure of the same query) and with
//! eight (what the server answers a second). The host's login is a trusted header, as
//! in the crate's example: the route's whole stack runs (identity, the caller's lookups,
//! the service, JSON).

use std::sync::Arc;

use async_trait::async_trait;
use axum::Router;
use axum::http::request::Parts;
use axum::routing::get;
use helpdesk_axum::{Caller, HelpdeskState, Identify, IdentifyError};
use helpdesk_benches::BenchResult;
use helpdesk_benches::http::{Call, Figures, drive};
use helpdesk_benches::machine;
use helpdesk_benches::table::{self, Table};
use helpdesk_core::{Actor, UserId};

use super::{CASES, Case, Fixture, Run};

/// The variable that asks for the HTTP figures (any value but empty).
const VAR: &str = "HELPDESK_SCALE_HTTP";

/// Seconds per operation and number of connections.
const SECONDS: f64 = 3.0;

/// The connections of the two passes.
const CONNECTIONS: [usize; 2] = [1, 8];

/// Whether [`VAR`] is set.
pub(crate) fn wanted() -> bool {
    std::env::var(VAR).is_ok_and(|v| !v.is_empty())
}

/// The host's login: the user in `x-user`, the tenant in `x-tenant`.
struct FromHeaders;

#[async_trait]
impl Identify for FromHeaders {
    async fn identify(&self, parts: &mut Parts) -> Result<Option<Caller>, IdentifyError> {
        let header = |name| parts.headers.get(name).and_then(|v| v.to_str().ok());
        let Some(user) = header("x-user").and_then(|u| UserId::new(u).ok()) else {
            return Ok(None);
        };
        Ok(Some(Caller {
            user,
            tenant: header("x-tenant").map(str::to_owned),
            profile: None,
        }))
    }
}

/// One timed operation: its label, the service case it matches (for the ratio), the
/// host's user who calls, and the path of its `n`th request.
struct Op {
    label: &'static str,
    case: Case,
    user: Option<String>,
    path: Arc<dyn Fn(usize) -> String + Send + Sync>,
}

fn op(label: &'static str, case: Case, actor: &Actor, path: &'static str) -> Op {
    Op {
        label,
        case,
        user: user_of(actor),
        path: Arc::new(move |_| path.to_owned()),
    }
}

/// The operations, the router's floor first.
fn ops(fx: &Fixture) -> Vec<Op> {
    let sample = Arc::new(fx.sample.clone());
    vec![
        Op {
            label: "GET /ping (a route of the same router, no helpdesk)",
            case: Case::Baseline,
            user: None,
            path: Arc::new(|_| "/ping".to_owned()),
        },
        Op {
            label: "GET /tickets/{id}, tenant admin (the whole ticket view)",
            case: Case::Baseline,
            user: user_of(&fx.admin),
            path: Arc::new(move |n| {
                format!("/helpdesk/tickets/{}", sample[n % sample.len().max(1)])
            }),
        },
        op(
            "GET /tickets, tenant admin (open, first page)",
            Case::ListAdmin,
            &fx.admin,
            "/helpdesk/tickets",
        ),
        op(
            "GET /tickets, agent (own + group + unrouted)",
            Case::ListAgent,
            &fx.agent,
            "/helpdesk/tickets",
        ),
        op(
            "GET /tickets?include_closed, requester's own (heavy)",
            Case::OwnHeavy,
            &fx.heavy,
            "/helpdesk/tickets?include_closed=true",
        ),
        op(
            "GET /tickets?contains=imprimante&include_closed, admin",
            Case::ContainsCommon,
            &fx.admin,
            "/helpdesk/tickets?contains=imprimante&include_closed=true",
        ),
        op(
            "GET /tickets?contains=imprimante, agent",
            Case::ContainsAgent,
            &fx.agent,
            "/helpdesk/tickets?contains=imprimante",
        ),
        op(
            "GET /dashboard?months=12, tenant admin",
            Case::DashboardAdmin,
            &fx.admin,
            "/helpdesk/dashboard?months=12",
        ),
        op(
            "GET /dashboard/breakdown, supervisor",
            Case::Breakdown,
            &fx.supervisor,
            "/helpdesk/dashboard/breakdown",
        ),
    ]
}

fn user_of(actor: &Actor) -> Option<String> {
    match actor {
        Actor::Member(m) => Some(m.user.as_str().to_owned()),
        Actor::Staff(s) => Some(s.user.as_str().to_owned()),
        Actor::System => None,
    }
}

/// Serves the routes over `fx`'s service, drives every operation, prints the table.
pub(crate) async fn measure(fx: &Fixture, run: &Run) -> BenchResult {
    let tenant = fx
        .store
        .tenant(fx.people.tenant)
        .await?
        .ok_or("the tenant")?
        .slug;
    let helpdesk = HelpdeskState::new(fx.service.clone(), Arc::new(FromHeaders));
    let app = Router::new()
        .route("/ping", get(|| async { "pong" }))
        .nest("/helpdesk", helpdesk_axum::router())
        .with_state(helpdesk);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?.to_string();
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let mut out = Table::new([
        "route (×connections)",
        "req/s",
        "p50",
        "p99",
        "failed",
        "service p50",
        "p50 ×service",
    ]);
    for op in ops(fx) {
        for connections in CONNECTIONS {
            let (user, tenant, path) = (op.user.clone(), tenant.clone(), op.path.clone());
            let plan = Arc::new(move |_c: usize, n: usize| {
                let mut call = Call::get(path(n));
                if let Some(user) = &user {
                    call = call
                        .header("x-user", user.clone())
                        .header("x-tenant", tenant.clone());
                }
                call
            });
            let f = drive(&addr, connections, SECONDS, plan).await?;
            out.row(row(op.label, connections, &f, op.case, run));
        }
    }
    server.abort();
    out.print(&format!(
        "{} at {} tickets: through HTTP (the JSON routes, {SECONDS} s per line; load {})",
        run.label,
        run.tickets,
        machine::load_average()
    ));
    Ok(())
}

/// The table's line of `f`, with the service's own p50 of `case` in `run` for one
/// connection (eight queue on two cores: their p50 is the queue's).
fn row(label: &str, connections: usize, f: &Figures, case: Case, run: &Run) -> Vec<String> {
    let service = CASES
        .iter()
        .position(|(c, _)| *c == case)
        .and_then(|n| run.samples.get(n))
        .filter(|s| !s.is_empty() && case != Case::Baseline && connections == 1)
        .map(|s| s.median());
    vec![
        format!("{label} (×{connections})"),
        format!("{:.0}", f.per_second),
        table::duration(f.p50),
        table::duration(f.p99),
        format!("{}/{}", f.failed, f.requests),
        service.map_or_else(|| "-".to_owned(), table::duration),
        service.map_or_else(|| "-".to_owned(), |s| table::ratio(f.p50, s)),
    ]
}
