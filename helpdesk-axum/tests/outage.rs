//! A storage outage answers 503 `service_unavailable` with `Retry-After`, quickly, and
//! the same router serves again once the database is back: PostgreSQL behind a TCP proxy
//! the test cuts and restores, and SQLite behind a writer that holds the lock. The
//! readiness probe says the same.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[allow(dead_code, unreachable_pub)]
#[path = "../../helpdesk-sqlx/tests/support/postgres.rs"]
mod pg;
mod support;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use helpdesk_axum::HelpdeskState;
use helpdesk_sqlx::sqlx::Connection as _;
use helpdesk_sqlx::{PoolSettings, PostgresStore, SqliteStore};
use serde_json::json;
use support::{ALICE, Answer, AppState, HeaderIdentity, Host, retry_after};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// A TCP proxy in front of the database that the test can cut (stop accepting, drop
/// every live connection) and restore on the same address.
struct Proxy {
    addr: SocketAddr,
    upstream: SocketAddr,
    accept: Option<JoinHandle<()>>,
    live: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl Proxy {
    async fn start(upstream: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let mut proxy = Self {
            addr: listener.local_addr().unwrap(),
            upstream,
            accept: None,
            live: Arc::default(),
        };
        proxy.serve(listener);
        proxy
    }

    fn serve(&mut self, listener: TcpListener) {
        let upstream = self.upstream;
        let live = self.live.clone();
        self.accept = Some(tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let relay = tokio::spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                live.lock().unwrap().push(relay);
            }
        }));
    }

    /// Stops accepting (new connections are refused) and drops every live connection.
    async fn cut(&mut self) {
        if let Some(accept) = self.accept.take() {
            accept.abort();
            let _ = accept.await; // the listener is closed once the task is gone
        }
        let live = std::mem::take(&mut *self.live.lock().unwrap());
        for relay in live {
            relay.abort();
            let _ = relay.await;
        }
    }

    /// Accepts again, on the same address.
    async fn restore(&mut self) {
        let listener = TcpListener::bind(self.addr).await.unwrap();
        self.serve(listener);
    }
}

/// The router of the route tests plus the probes at `/health`.
fn with_health(mut host: Host) -> Host {
    let helpdesk = HelpdeskState::new(host.service.clone(), Arc::new(HeaderIdentity));
    let health = Router::new()
        .nest("/health", helpdesk_axum::health::router())
        .with_state(AppState { helpdesk });
    host.app = host.app.merge(health);
    host
}

async fn ready(host: &Host) -> Answer {
    host.send(Request::get("/health/ready").body(Body::empty()).unwrap())
        .await
}

fn assert_unavailable(answer: &Answer, what: &str) {
    assert_eq!(
        answer.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{what}: {}",
        answer.body
    );
    assert_eq!(
        answer.headers[header::CONTENT_TYPE],
        helpdesk_axum::PROBLEM_JSON,
        "{what}"
    );
    assert_eq!(answer.body["code"], "service_unavailable", "{what}");
    assert_eq!(answer.body["status"], 503, "{what}");
    let retry = retry_after(&answer.headers);
    assert!(retry > 0, "{what}: Retry-After {retry}");
    // The cause is logged, never sent.
    let text = String::from_utf8_lossy(&answer.bytes);
    assert!(!text.contains("connection"), "{what}: {text}");
}

#[tokio::test]
async fn a_postgres_outage_answers_503_with_retry_after_and_service_resumes_without_restart() {
    let Some(url) = pg::url("a_postgres_outage_answers_503...") else {
        return;
    };
    let database = pg::TestDatabase::create(&url).await;
    let upstream = tokio::net::lookup_host(format!(
        "{}:{}",
        database.options.get_host(),
        database.options.get_port()
    ))
    .await
    .unwrap()
    .next()
    .unwrap();
    let mut proxy = Proxy::start(upstream).await;
    let options = database
        .options
        .clone()
        .host(&proxy.addr.ip().to_string())
        .port(proxy.addr.port());
    let store = PostgresStore::connect_with_pool(
        options,
        PoolSettings::default().acquire_timeout(Duration::from_secs(1)),
    )
    .await
    .unwrap();
    store.migrate().await.unwrap();
    let host = with_health(support::host_on(Arc::new(store), Default::default()).await);
    let id = host.open(ALICE, "Avant la coupure").await;

    assert_eq!(
        host.call(Some(ALICE), "GET", "/tickets", None).await.status,
        StatusCode::OK
    );
    let before = ready(&host).await;
    assert_eq!(before.status, StatusCode::OK, "{}", before.body);
    assert_eq!(before.body["status"], "ready");

    proxy.cut().await;
    let list = host.call(Some(ALICE), "GET", "/tickets", None).await;
    assert_unavailable(&list, "a read while the database is cut off");
    let one = host
        .call(Some(ALICE), "GET", &format!("/tickets/{id}"), None)
        .await;
    assert_unavailable(&one, "a single read while the database is cut off");
    let open = host
        .call(
            Some(ALICE),
            "POST",
            "/tickets",
            Some(json!({"subject": "Pendant la coupure", "description": "<p>?</p>"})),
        )
        .await;
    // The caller is resolved first, which reads: the write never started.
    assert_unavailable(&open, "a write while the database is cut off");
    let probe = ready(&host).await;
    assert_eq!(
        probe.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        probe.body
    );
    assert_eq!(probe.body["reason"], "database_unreachable");
    assert!(probe.headers.contains_key(header::RETRY_AFTER));

    proxy.restore().await;
    let list = host.call(Some(ALICE), "GET", "/tickets", None).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    let subjects: Vec<_> = list.body["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["subject"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(subjects, ["Avant la coupure"], "nothing half-written");
    let after = ready(&host).await;
    assert_eq!(after.status, StatusCode::OK, "{}", after.body);
}

#[tokio::test]
async fn a_sqlite_write_that_outwaits_the_busy_timeout_answers_503_not_500() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("helpdesk.db").display());
    let options = SqliteStore::options(&url)
        .unwrap()
        .busy_timeout(Duration::from_millis(50));
    let store = SqliteStore::connect_with_pool(options.clone(), PoolSettings::default())
        .await
        .unwrap();
    store.migrate().await.unwrap();
    let host = support::host_on(Arc::new(store), Default::default()).await;

    // Another process holds the write lock.
    let mut other = helpdesk_sqlx::sqlx::SqliteConnection::connect_with(&options)
        .await
        .unwrap();
    helpdesk_sqlx::sqlx::raw_sql("BEGIN IMMEDIATE")
        .execute(&mut other)
        .await
        .unwrap();
    let body = json!({"subject": "Verrou", "description": "<p>?</p>"});
    let open = host
        .call(Some(ALICE), "POST", "/tickets", Some(body.clone()))
        .await;
    assert_unavailable(&open, "a write behind another writer's lock");

    helpdesk_sqlx::sqlx::raw_sql("ROLLBACK")
        .execute(&mut other)
        .await
        .unwrap();
    let open = host.call(Some(ALICE), "POST", "/tickets", Some(body)).await;
    assert_eq!(open.status, StatusCode::CREATED, "{}", open.body);
}

#[tokio::test]
async fn readiness_is_503_while_migrations_are_pending_and_200_once_applied() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("helpdesk.db").display());
    let store = SqliteStore::connect(&url).await.unwrap();
    let service = helpdesk_core::HelpdeskService::new(Arc::new(store.clone()));
    let helpdesk = HelpdeskState::new(service, Arc::new(HeaderIdentity));
    let app: Router = Router::new()
        .nest("/health", helpdesk_axum::health::router())
        .with_state(AppState { helpdesk });
    let get = |path: &'static str| {
        let app = app.clone();
        async move {
            use tower::ServiceExt as _;
            let response = app
                .oneshot(Request::get(path).body(Body::empty()).unwrap())
                .await
                .unwrap();
            let status = response.status();
            let retry = response.headers().contains_key(header::RETRY_AFTER);
            let bytes = http_body_util::BodyExt::collect(response.into_body())
                .await
                .unwrap()
                .to_bytes();
            (
                status,
                retry,
                serde_json::from_slice::<serde_json::Value>(&bytes).unwrap(),
            )
        }
    };

    let (status, _, body) = get("/health/live").await;
    assert_eq!((status, body), (StatusCode::OK, json!({"status": "live"})));
    let (status, retry, body) = get("/health/ready").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert!(retry);
    assert_eq!(body["reason"], "migrations_pending");
    let shipped: Vec<i64> = SqliteStore::migrations()
        .iter()
        .map(|m| m.version)
        .collect();
    assert_eq!(body["pending"], json!(shipped));

    store.migrate().await.unwrap();
    let (status, _, body) = get("/health/ready").await;
    assert_eq!((status, body), (StatusCode::OK, json!({"status": "ready"})));
}

#[tokio::test]
async fn every_documented_route_declares_503_service_unavailable() {
    let host = support::host().await;
    let doc = host.call(None, "GET", "/openapi.json", None).await;
    assert_eq!(doc.status, StatusCode::OK);
    let paths = doc.body["paths"].as_object().unwrap();
    let mut checked = 0;
    for (path, item) in paths {
        if path == "/openapi.json" {
            continue;
        }
        for (method, operation) in item.as_object().unwrap() {
            assert!(
                operation["responses"].get("503").is_some(),
                "{method} {path} does not document 503"
            );
            checked += 1;
        }
    }
    assert!(checked > 40, "only {checked} operations documented");
}
