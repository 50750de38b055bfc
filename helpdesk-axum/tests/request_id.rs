//! Every answer names its request: the `X-Request-Id` response header, the problem
//! document's `request_id` and the log lines of the request carry the same id, so the id
//! a user quotes leads to the cause of their 500.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::io::Write;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use axum::Router;
use axum::body::Body;
use axum::http::request::Parts;
use axum::http::{Request, StatusCode};
use helpdesk_axum::{Caller, HelpdeskState, Identify, IdentifyError, Limits};
use support::{ALICE, Answer, AppState, Host};

/// The log lines written while a test runs.
#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<u8>>>);

impl Write for Logs {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Logs {
    /// Captures what this thread logs until the guard is dropped (the tests run on a
    /// current-thread runtime, so the whole request is on this thread).
    fn capture() -> (Self, tracing::subscriber::DefaultGuard) {
        let logs = Self::default();
        let writer = logs.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::INFO)
            .with_writer(move || writer.clone())
            .finish();
        (logs, tracing::subscriber::set_default(subscriber))
    }

    fn lines(&self) -> Vec<String> {
        String::from_utf8_lossy(&self.0.lock().unwrap())
            .lines()
            .map(str::to_owned)
            .collect()
    }
}

fn header_id(answer: &Answer) -> String {
    answer
        .headers
        .get("x-request-id")
        .expect("every answer has an X-Request-Id")
        .to_str()
        .unwrap()
        .to_owned()
}

/// An identity provider that is down.
struct BrokenIdentity;

#[async_trait]
impl Identify for BrokenIdentity {
    async fn identify(&self, _: &mut Parts) -> Result<Option<Caller>, IdentifyError> {
        Err(IdentifyError::msg("session store: connection refused"))
    }
}

#[tokio::test]
async fn a_500_names_the_same_request_id_in_header_body_and_the_logged_cause() {
    let (logs, _guard) = Logs::capture();
    // The store loses a table: reading saved searches is a storage failure.
    let sqlite = helpdesk_sqlx::SqliteStore::in_memory().await.unwrap();
    sqlite.migrate().await.unwrap();
    let pool = sqlite.pool().clone();
    let host = support::host_on(Arc::new(sqlite), Limits::default()).await;
    helpdesk_sqlx::sqlx::query("DROP TABLE helpdesk_saved_searches")
        .execute(&pool)
        .await
        .unwrap();

    let answer = host.call(Some(ALICE), "GET", "/saved-searches", None).await;

    assert_eq!(
        answer.status,
        StatusCode::INTERNAL_SERVER_ERROR,
        "{}",
        answer.body
    );
    assert_eq!(answer.body["code"], "internal_error");
    let id = header_id(&answer);
    assert_eq!(answer.body["request_id"], id.as_str());
    let made: uuid::Uuid = id.parse().expect("a made id is a UUID");
    assert_eq!(made.get_version_num(), 7);
    assert!(
        !answer.body.to_string().contains("helpdesk_saved_searches"),
        "the cause is logged, not sent: {}",
        answer.body
    );
    let lines = logs.lines();
    let cause = lines
        .iter()
        .find(|line| line.contains("ERROR") && line.contains("storage failure"))
        .unwrap_or_else(|| panic!("the cause is logged: {lines:?}"));
    assert!(cause.contains(&format!("request_id={id}")), "{cause}");
    assert!(cause.contains("helpdesk_saved_searches"), "{cause}");
}

#[tokio::test]
async fn a_failing_identity_provider_is_a_500_whose_log_line_names_the_request() {
    let (logs, _guard) = Logs::capture();
    let host = support::host().await;
    let helpdesk = HelpdeskState::new(host.service.clone(), Arc::new(BrokenIdentity));
    let host = Host {
        app: Router::new()
            .nest("/helpdesk", helpdesk_axum::router())
            .with_state(AppState { helpdesk }),
        ..host
    };
    let request = Request::get("/helpdesk/tickets")
        .header("x-request-id", "lb-7f3a")
        .body(Body::empty())
        .unwrap();

    let answer = host.send(request).await;

    assert_eq!(answer.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(answer.body["code"], "identity_failure");
    assert_eq!(header_id(&answer), "lb-7f3a");
    assert_eq!(answer.body["request_id"], "lb-7f3a");
    let lines = logs.lines();
    assert!(
        lines
            .iter()
            .any(|line| line.contains("identity provider failure")
                && line.contains("request_id=lb-7f3a")
                && line.contains("connection refused")),
        "{lines:?}"
    );
}

#[tokio::test]
async fn a_sane_incoming_request_id_is_kept_and_anything_else_replaced() {
    let host = support::host().await;
    let ask = |id: &str| {
        Request::get("/helpdesk/tickets/00000000-0000-0000-0000-000000000000")
            .header("x-user", "alice")
            .header("x-tenant", "acme")
            .header("x-request-id", id)
            .body(Body::empty())
            .unwrap()
    };

    let kept = host.send(ask("edge:42/a=b")).await;
    assert_eq!(kept.status, StatusCode::NOT_FOUND);
    assert_eq!(header_id(&kept), "edge:42/a=b");
    assert_eq!(kept.body["request_id"], "edge:42/a=b");

    let forged = "x\" level=ERROR msg=\"forged";
    let replaced = host.send(ask(forged)).await;
    let id = header_id(&replaced);
    assert_ne!(id, forged);
    assert!(id.parse::<uuid::Uuid>().is_ok(), "{id}");
    assert_eq!(replaced.body["request_id"], id.as_str());
}

#[tokio::test]
async fn successful_answers_carry_a_fresh_request_id_each() {
    let host = support::host().await;
    let first = host.call(Some(ALICE), "GET", "/tickets", None).await;
    let second = host.call(Some(ALICE), "GET", "/tickets", None).await;
    assert_eq!(first.status, StatusCode::OK);
    assert!(first.body.get("request_id").is_none());
    assert_ne!(header_id(&first), header_id(&second));
}
