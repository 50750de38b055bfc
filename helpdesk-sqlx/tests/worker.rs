//! Two workers, each on its own pool as two app instances would be, deliver every
//! outbox message exactly once: on a SQLite file and on PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use helpdesk_core::{
    DeliverySettings, HelpdeskService, NewTicket, NewWebhook, Notification, Notifier, NotifyError,
    OutboxId, Store, Webhook, WebhookId, WebhookPayload, WebhookSender, Worker, WorkerSettings,
};

use support::World;

const MESSAGES: usize = 60;

/// Records every delivery, letting other tasks run in the middle of each.
#[derive(Default)]
struct Recorder(Mutex<Vec<OutboxId>>);

#[async_trait]
impl Notifier for Recorder {
    async fn notify(&self, n: &Notification) -> Result<(), NotifyError> {
        tokio::task::yield_now().await;
        self.0.lock().unwrap().push(n.id);
        Ok(())
    }
}

/// Records every webhook delivery, letting other tasks run in the middle of each.
#[derive(Default)]
struct Hooks(Mutex<Vec<(WebhookId, OutboxId)>>);

#[async_trait]
impl WebhookSender for Hooks {
    async fn send(&self, webhook: &Webhook, payload: &WebhookPayload) -> Result<(), NotifyError> {
        tokio::task::yield_now().await;
        self.0
            .lock()
            .unwrap()
            .push((webhook.endpoint.id, payload.id));
        Ok(())
    }
}

async fn two_workers_on_two_pools_deliver_each_message_once(a: Arc<dyn Store>, b: Arc<dyn Store>) {
    let world = World::new(a.clone()).await;
    // Two endpoints: each event is one message per endpoint, besides the mail.
    let mut endpoints = Vec::new();
    for url in ["https://one.example/hook", "https://two.example/hook"] {
        let created = world
            .service
            .create_webhook(&world.root, world.tenant.id, NewWebhook::new(url))
            .await
            .expect("registering a webhook");
        endpoints.push(created.endpoint.id);
    }
    for i in 0..MESSAGES {
        let ticket = world
            .service
            .open(
                &world.requester,
                world.tenant.id,
                NewTicket {
                    subject: format!("ticket {i}"),
                    description: "<p>concurrent delivery</p>".into(),
                    ..Default::default()
                },
                vec![],
            )
            .await
            .expect("opening a ticket");
        world
            .service
            .reply(&world.root, ticket.id, None, "<p>On regarde</p>", vec![])
            .await
            .expect("replying");
    }
    let notifier = Arc::new(Recorder::default());
    let hooks = Arc::new(Hooks::default());
    let settings = WorkerSettings {
        delivery: DeliverySettings {
            batch: 4,
            ..DeliverySettings::default()
        },
        ..WorkerSettings::default()
    };
    let mut tasks = Vec::new();
    for store in [a.clone(), b] {
        let worker = Worker::new(HelpdeskService::new(store), notifier.clone())
            .with_webhooks(hooks.clone())
            .with_settings(settings);
        tasks.push(tokio::spawn(async move {
            loop {
                let report = worker.run_once().await;
                assert!(report.errors.is_empty(), "{:?}", report.errors);
                if report.claimed == 0 {
                    break;
                }
            }
        }));
    }
    for task in tasks {
        task.await.expect("a worker task");
    }
    let mut sent = notifier.0.lock().unwrap().clone();
    assert_eq!(sent.len(), MESSAGES, "every message delivered, none twice");
    sent.sort();
    sent.dedup();
    assert_eq!(sent.len(), MESSAGES, "no message delivered twice");
    let mut delivered = hooks.0.lock().unwrap().clone();
    // Each endpoint hears of each ticket's opening and reply.
    assert_eq!(
        delivered.len(),
        endpoints.len() * MESSAGES * 2,
        "every webhook message delivered"
    );
    delivered.sort();
    delivered.dedup();
    assert_eq!(
        delivered.len(),
        endpoints.len() * MESSAGES * 2,
        "no webhook message delivered twice"
    );
    for endpoint in &endpoints {
        assert_eq!(
            delivered.iter().filter(|(e, _)| e == endpoint).count(),
            MESSAGES * 2
        );
    }
    let far = chrono::Utc::now() + chrono::Duration::days(1);
    assert!(
        a.claim_due_messages(far, far, 100)
            .await
            .unwrap()
            .is_empty(),
        "nothing left in the outbox"
    );
}

#[cfg(feature = "sqlite")]
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_file_two_workers_deliver_each_message_once() {
    let file = support::SqliteFile::new().await;
    two_workers_on_two_pools_deliver_each_message_once(
        Arc::new(file.store().await),
        Arc::new(file.store().await),
    )
    .await;
}

#[cfg(feature = "postgres")]
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_two_workers_on_two_pools_deliver_each_message_once() {
    let Some(url) = support::postgres::url("two workers delivering the outbox") else {
        return;
    };
    let db = support::postgres::TestDatabase::create(&url).await;
    let a = db.store().await;
    a.migrate().await.unwrap();
    let b = db.store().await;
    two_workers_on_two_pools_deliver_each_message_once(Arc::new(a), Arc::new(b)).await;
}
