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

const BREACHED: usize = 12;

/// Two workers on two pools, passes racing each other: each service-level breach is
/// escalated exactly once (one timeline event and one notification per ticket).
async fn two_workers_on_two_pools_escalate_each_breach_once(a: Arc<dyn Store>, b: Arc<dyn Store>) {
    use chrono::TimeZone;
    use helpdesk_core::service_level::{BusinessDuration, SlaTarget};
    use helpdesk_core::testing::{MemberSeed, Seed, StaffSeed};
    use helpdesk_core::{EventKind, MemberRole, NoNotifier, Priority};

    let slug = format!("t-{}", uuid::Uuid::now_v7().simple());
    let (alice, sue) = (format!("alice-{slug}"), format!("sue-{slug}"));
    // Monday 12 January 2026, 10:00 in Paris: working time on the default calendar.
    let opened = chrono::Utc.with_ymd_and_hms(2026, 1, 12, 9, 0, 0).unwrap();
    let world = Seed::new(HelpdeskService::new(a))
        .at(opened)
        .tenant(&slug, "Acme")
        .member_seed(MemberSeed::new(&slug, &alice, MemberRole::Requester))
        .staff(StaffSeed::supervisor(&sue).only(&[&slug]))
        .build()
        .await
        .expect("seeding");
    let tenant = world.tenant_record(&slug).clone();
    let mut settings = tenant.settings.clone();
    settings.service_levels.targets.high.first_response = Some(BusinessDuration::hours(1));
    world
        .service
        .update_tenant(&world.root, tenant.id, &tenant.name, settings)
        .await
        .expect("setting the policy");
    let mut ids = Vec::new();
    for i in 0..BREACHED {
        let ticket = world
            .service
            .open(
                &world.actor(&alice),
                tenant.id,
                NewTicket {
                    subject: format!("ticket {i}"),
                    description: "<p>urgent</p>".into(),
                    priority: Some(Priority::High),
                    ..Default::default()
                },
                vec![],
            )
            .await
            .expect("opening a ticket");
        ids.push(ticket.id);
    }
    world.clock().advance(chrono::Duration::minutes(61));
    let clock: Arc<dyn helpdesk_core::Clock> = world.clock().clone();
    let services = [
        world.service.clone(),
        HelpdeskService::new(b).with_clock(clock),
    ];
    let mut tasks = Vec::new();
    for service in services {
        let worker = Worker::new(service, Arc::new(NoNotifier));
        tasks.push(tokio::spawn(async move {
            let mut escalated = 0;
            for _ in 0..3 {
                let report = worker.run_once().await;
                assert!(report.errors.is_empty(), "{:?}", report.errors);
                escalated += report.breaches_escalated;
            }
            escalated
        }));
    }
    let mut escalated = 0;
    for task in tasks {
        escalated += task.await.expect("a worker task");
    }
    assert_eq!(escalated, BREACHED, "one escalation per breached ticket");
    let supervisor = world.actor(&sue);
    for id in ids {
        let view = world.service.ticket(&supervisor, id).await.unwrap();
        let events: Vec<_> = view
            .timeline
            .iter()
            .filter(|e| {
                matches!(
                    e.kind,
                    EventKind::ServiceLevelBreached {
                        target: SlaTarget::FirstResponse,
                        ..
                    }
                )
            })
            .collect();
        assert_eq!(
            events.len(),
            1,
            "ticket {} escalated once",
            view.ticket.number
        );
        assert!(
            view.ticket
                .service_level
                .escalated_at
                .first_response
                .is_some()
        );
    }
}

#[cfg(feature = "sqlite")]
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_file_two_workers_escalate_each_breach_once() {
    let file = support::SqliteFile::new().await;
    two_workers_on_two_pools_escalate_each_breach_once(
        Arc::new(file.store().await),
        Arc::new(file.store().await),
    )
    .await;
}

#[cfg(feature = "postgres")]
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_two_workers_on_two_pools_escalate_each_breach_once() {
    let Some(url) = support::postgres::url("two workers escalating breaches") else {
        return;
    };
    let db = support::postgres::TestDatabase::create(&url).await;
    let a = db.store().await;
    a.migrate().await.unwrap();
    let b = db.store().await;
    two_workers_on_two_pools_escalate_each_breach_once(Arc::new(a), Arc::new(b)).await;
}
