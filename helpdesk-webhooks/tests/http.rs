//! A real HTTP receiver (axum on 127.0.0.1) gets each event once, signed; an endpoint
//! answering 500 gets it again on a later pass with the same id; one that does not
//! answer in time, or does not listen, fails alone and is dead-lettered while mail and
//! the other endpoints go on.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use chrono::TimeZone;
use helpdesk_core::testing::{MemberSeed, Seed, StaffSeed, World};
use helpdesk_core::{
    DeliverySettings, MemberRole, NewWebhook, Notification, Notifier, NotifyError,
    OutboxRepository, TicketId, WebhookId, Worker, WorkerSettings,
};
use helpdesk_webhooks::{HttpWebhookSender, verify_signature};

const SECRET: &str = "whsec_test_secret_0123456789abcdef0123";

/// What the receiver got: each request's headers and body.
#[derive(Clone, Debug)]
struct Received {
    id: String,
    signature: String,
    content_type: String,
    body: Bytes,
}

/// A receiver answering the statuses queued, then 200; or never, when `hang` is set.
#[derive(Clone, Default)]
struct Receiver {
    got: Arc<Mutex<Vec<Received>>>,
    statuses: Arc<Mutex<VecDeque<StatusCode>>>,
    hang: bool,
}

async fn receive(State(r): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let header = |name: &str| {
        headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    r.got.lock().unwrap().push(Received {
        id: header("helpdesk-webhook-id"),
        signature: header("helpdesk-signature"),
        content_type: header("content-type"),
        body,
    });
    if r.hang {
        std::future::pending::<()>().await;
    }
    r.statuses
        .lock()
        .unwrap()
        .pop_front()
        .unwrap_or(StatusCode::OK)
}

/// Serves `receiver` on 127.0.0.1 (a free port), answering `/hook`.
async fn serve(receiver: Receiver) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = axum::Router::new()
        .route("/hook", post(receive))
        .with_state(receiver);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}/hook")
}

/// A URL nobody listens on: a port bound, then freed.
async fn dead_url() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}/hook")
}

#[derive(Default)]
struct Mailbox(Mutex<Vec<helpdesk_core::OutboxId>>);

#[async_trait]
impl Notifier for Mailbox {
    async fn notify(&self, n: &Notification) -> Result<(), NotifyError> {
        self.0.lock().unwrap().push(n.id);
        Ok(())
    }
}

async fn world() -> World {
    Seed::in_memory()
        .at(chrono::Utc.with_ymd_and_hms(2025, 6, 15, 12, 0, 0).unwrap())
        .tenant("acme", "Acme")
        .member_seed(
            MemberSeed::new("acme", "alice", MemberRole::Requester)
                .named("Alice")
                .email(Some("alice@acme.example")),
        )
        .member_seed(MemberSeed::new("acme", "emma", MemberRole::TenantAdmin))
        .staff(
            StaffSeed::agent("sam")
                .named("Sam")
                .email("sam@support.example"),
        )
        .build()
        .await
        .unwrap()
}

async fn register(w: &World, url: &str) -> WebhookId {
    let mut new = NewWebhook::new(url);
    new.secret = Some(SECRET.to_owned());
    w.service
        .create_webhook(&w.actor("emma"), w.tenant("acme"), new)
        .await
        .unwrap()
        .endpoint
        .id
}

/// Alice opens a ticket, Sam answers it: two public events (and a mail to Alice).
async fn open_and_answer(w: &World) -> TicketId {
    let ticket = w
        .service
        .open(
            &w.actor("alice"),
            w.tenant("acme"),
            helpdesk_core::testing::draft("Imprimante"),
            vec![],
        )
        .await
        .unwrap();
    w.service
        .reply(
            &w.actor("sam"),
            ticket.id,
            None,
            "<p>On regarde</p>",
            vec![],
        )
        .await
        .unwrap();
    ticket.id
}

fn sender() -> Arc<HttpWebhookSender> {
    // Loopback HTTP only here: no certificate needed.
    Arc::new(
        HttpWebhookSender::with_roots(rustls_roots())
            .unwrap()
            .timeout(Duration::from_millis(500)),
    )
}

fn rustls_roots() -> helpdesk_webhooks::RootCertStore {
    helpdesk_webhooks::RootCertStore::empty()
}

fn worker(w: &World, mail: Arc<Mailbox>) -> Worker {
    Worker::new(w.service.clone(), mail)
        .with_webhooks(sender())
        .with_settings(WorkerSettings {
            delivery: DeliverySettings {
                max_attempts: 3,
                ..DeliverySettings::default()
            },
            ..WorkerSettings::default()
        })
}

fn check_signed(r: &Received) -> serde_json::Value {
    assert_eq!(r.content_type, "application/json");
    verify_signature(
        SECRET,
        &r.signature,
        &r.body,
        SystemTime::now(),
        Duration::from_secs(300),
    )
    .unwrap_or_else(|e| panic!("{e}: {}", r.signature));
    let doc: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(
        doc["id"].as_str().unwrap(),
        r.id,
        "the id header is the payload's id"
    );
    doc
}

#[tokio::test]
async fn a_receiver_gets_each_event_once_signed_with_its_secret() {
    let w = world().await;
    let receiver = Receiver::default();
    register(&w, &serve(receiver.clone()).await).await;
    let ticket = open_and_answer(&w).await;
    let report = worker(&w, Arc::new(Mailbox::default())).run_once().await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.failed, 0);

    let got = receiver.got.lock().unwrap().clone();
    assert_eq!(got.len(), 2, "each event once");
    let docs: Vec<serde_json::Value> = got.iter().map(check_signed).collect();
    assert_eq!(docs[0]["kind"], "opened");
    assert_eq!(docs[1]["kind"], "replied");
    let reply = &docs[1];
    assert_eq!(reply["ticket"]["id"], ticket.to_string());
    assert_eq!(reply["ticket"]["number"], 1);
    assert_eq!(reply["ticket"]["subject"], "Imprimante");
    assert_eq!(reply["ticket"]["status"], "new");
    assert_eq!(reply["tenant"]["slug"], "acme");
    assert_eq!(reply["author_name"], "Sam");
    assert_eq!(reply["internal"], false);
    assert!(reply["text"].as_str().unwrap().contains("On regarde"));
    assert!(
        !String::from_utf8_lossy(&got[1].body).contains('@'),
        "no email address in the body"
    );
    // Nothing left: a second pass sends nothing again.
    worker(&w, Arc::new(Mailbox::default())).run_once().await;
    assert_eq!(receiver.got.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn an_endpoint_answering_500_gets_the_event_again_with_the_same_id() {
    let w = world().await;
    let receiver = Receiver::default();
    receiver
        .statuses
        .lock()
        .unwrap()
        .extend([StatusCode::INTERNAL_SERVER_ERROR]);
    register(&w, &serve(receiver.clone()).await).await;
    open_and_answer(&w).await;
    let mail = Arc::new(Mailbox::default());
    let first = worker(&w, mail.clone()).run_once().await;
    assert_eq!(first.failed, 1, "the 500 is a failure, retried later");
    assert_eq!(first.delivered, 2, "the other event and the mail went");
    let refused = receiver.got.lock().unwrap()[0].clone();
    let message = w
        .store()
        .outbox_message(refused.id.parse().unwrap())
        .await
        .unwrap()
        .expect("the refused delivery waits in the outbox");
    assert_eq!(
        message.last_error.as_deref(),
        Some("notification not delivered: webhook endpoint answered 500 Internal Server Error")
    );

    w.clock().advance(chrono::Duration::hours(1));
    let second = worker(&w, mail.clone()).run_once().await;
    assert_eq!(second.delivered, 1);
    let got = receiver.got.lock().unwrap().clone();
    assert_eq!(got.len(), 3);
    assert_eq!(got[2].id, refused.id, "the retry carries the same id");
    assert_eq!(got[2].body, refused.body, "and the same document");
    check_signed(&got[2]);
    assert_eq!(
        mail.0.lock().unwrap().len(),
        1,
        "the mail was not sent again"
    );
    assert_eq!(w.store().outbox_len(), 0);
}

#[tokio::test]
async fn a_dead_or_silent_endpoint_is_dead_lettered_while_mail_and_others_go_on() {
    let w = world().await;
    let good = Receiver::default();
    let silent = Receiver {
        hang: true,
        ..Receiver::default()
    };
    register(&w, &serve(good.clone()).await).await;
    let silent_id = register(&w, &serve(silent.clone()).await).await;
    let dead_id = register(&w, &dead_url().await).await;
    open_and_answer(&w).await;
    let mail = Arc::new(Mailbox::default());
    let mut dead_lettered = 0;
    for _ in 0..3 {
        let report = worker(&w, mail.clone()).run_once().await;
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        dead_lettered += report.dead_lettered;
        w.clock().advance(chrono::Duration::days(2));
    }
    assert_eq!(
        dead_lettered, 4,
        "two events for each of the two bad endpoints"
    );
    assert_eq!(
        good.got.lock().unwrap().len(),
        2,
        "the good endpoint got each event once"
    );
    assert_eq!(mail.0.lock().unwrap().len(), 1, "the mail went once");
    let letters = w
        .store()
        .dead_letters(Some(w.tenant("acme")), 10)
        .await
        .unwrap();
    assert_eq!(letters.len(), 4);
    for letter in &letters {
        let error = letter.last_error.as_deref().unwrap();
        match letter.webhook() {
            Some(id) if id == silent_id => assert!(error.contains("did not answer"), "{error}"),
            Some(id) if id == dead_id => assert!(error.contains("unreachable"), "{error}"),
            other => panic!("unexpected dead letter for {other:?}: {error}"),
        }
    }
}
