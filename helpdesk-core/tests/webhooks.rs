//! Webhook endpoints: who manages them, what bad input changes (nothing), and how each
//! event becomes one outbox message per endpoint, delivered through a `WebhookSender`
//! on the same claim, retry and dead-letter path as mail, never re-sending mail.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{Duration, TimeZone, Utc};
use helpdesk_core::testing::{MemberSeed, Seed, StaffSeed, World};
use helpdesk_core::{
    DeliverySettings, Entity, Error, MemberRole, NewWebhook, Notification, Notifier, NotifyError,
    OutboxId, OutboxRepository, Recipient, TicketId, Webhook, WebhookChange, WebhookEndpoint,
    WebhookId, WebhookPayload, WebhookSender, Worker,
};

/// Records every notification it is given.
#[derive(Default)]
struct Mailbox {
    sent: Mutex<Vec<OutboxId>>,
}

#[async_trait]
impl Notifier for Mailbox {
    async fn notify(&self, n: &Notification) -> Result<(), NotifyError> {
        self.sent.lock().unwrap().push(n.id);
        Ok(())
    }
}

/// Records every delivery; refuses those to the endpoints in `down`.
#[derive(Default)]
struct Hooks {
    sent: Mutex<Vec<(WebhookId, WebhookPayload)>>,
    tried: Mutex<Vec<(WebhookId, OutboxId)>>,
    down: Mutex<Vec<WebhookId>>,
}

impl Hooks {
    fn sent_to(&self, id: WebhookId) -> Vec<WebhookPayload> {
        let sent = self.sent.lock().unwrap();
        sent.iter()
            .filter(|(h, _)| *h == id)
            .map(|(_, p)| p.clone())
            .collect()
    }
}

#[async_trait]
impl WebhookSender for Hooks {
    async fn send(&self, webhook: &Webhook, payload: &WebhookPayload) -> Result<(), NotifyError> {
        let id = webhook.endpoint.id;
        self.tried.lock().unwrap().push((id, payload.id));
        if self.down.lock().unwrap().contains(&id) {
            return Err(NotifyError("webhook endpoint answered 500".to_owned()));
        }
        self.sent.lock().unwrap().push((id, payload.clone()));
        Ok(())
    }
}

/// Tenants acme and globex; alice (requester) and emma (tenant admin) of acme, gwen
/// (tenant admin) of globex; sam an agent of both.
async fn world() -> World {
    Seed::in_memory()
        .at(Utc.with_ymd_and_hms(2025, 6, 15, 12, 0, 0).unwrap())
        .two_tenants()
        .member_seed(
            MemberSeed::new("acme", "alice", MemberRole::Requester)
                .email(Some("alice@acme.example")),
        )
        .member_seed(MemberSeed::new("acme", "emma", MemberRole::TenantAdmin))
        .member_seed(MemberSeed::new("globex", "gwen", MemberRole::TenantAdmin))
        .staff(StaffSeed::agent("sam").email("sam@support.example"))
        .build()
        .await
        .unwrap()
}

fn hook(url: &str) -> NewWebhook {
    NewWebhook::new(url)
}

async fn create(w: &World, new: NewWebhook) -> WebhookEndpoint {
    w.service
        .create_webhook(&w.actor("emma"), w.tenant("acme"), new)
        .await
        .unwrap()
        .endpoint
}

async fn open(w: &World) -> TicketId {
    w.service
        .open(
            &w.actor("alice"),
            w.tenant("acme"),
            helpdesk_core::testing::draft("Imprimante"),
            vec![],
        )
        .await
        .unwrap()
        .id
}

fn assert_invalid(result: Result<impl std::fmt::Debug, Error>, field: &str) {
    match result {
        Err(Error::Validation(v)) => assert_eq!(v.field, field, "{v:?}"),
        other => panic!("expected a validation error on {field}, got {other:?}"),
    }
}

#[tokio::test]
async fn a_tenant_admin_registers_an_endpoint_and_sees_its_secret_only_once() {
    let w = world().await;
    let created = w
        .service
        .create_webhook(
            &w.actor("emma"),
            w.tenant("acme"),
            hook("https://hooks.acme.example/in"),
        )
        .await
        .unwrap();
    assert!(created.secret.starts_with("whsec_") && created.secret.len() >= 32);
    assert!(created.endpoint.active);
    assert!(!created.endpoint.internal_notes);
    let listed = w
        .service
        .webhooks(&w.actor("emma"), w.tenant("acme"))
        .await
        .unwrap();
    assert_eq!(listed, vec![created.endpoint.clone()]);
    let json = serde_json::to_string(&listed).unwrap();
    assert!(
        !json.contains(&created.secret),
        "a listing never shows the secret"
    );

    let given = "s3cr3t-given-by-the-admin-0123456789";
    let mut new = hook("http://127.0.0.1:9000/hook");
    new.secret = Some(given.to_owned());
    new.events = vec!["replied".to_owned(), "opened".to_owned()];
    let second = w
        .service
        .create_webhook(&w.actor("emma"), w.tenant("acme"), new)
        .await
        .unwrap();
    assert_eq!(second.secret, given);
    assert_eq!(second.endpoint.events, vec!["opened", "replied"]);
    let stored = w.store_webhooks("acme").await;
    assert_eq!(stored[1].secret.expose(), given);
}

trait StoreWebhooks {
    async fn store_webhooks(&self, tenant: &str) -> Vec<Webhook>;
}

impl StoreWebhooks for World {
    async fn store_webhooks(&self, tenant: &str) -> Vec<Webhook> {
        use helpdesk_core::WebhookRepository;
        self.store().webhooks(self.tenant(tenant)).await.unwrap()
    }
}

#[tokio::test]
async fn bad_urls_short_secrets_and_unknown_kinds_are_refused_and_change_nothing() {
    let w = world().await;
    let kept = create(&w, hook("https://hooks.acme.example/in")).await;
    let before = w.store_webhooks("acme").await;
    let admin = w.actor("emma");
    let acme = w.tenant("acme");
    for url in [
        "http://hooks.acme.example/in",
        "ftp://hooks.acme.example/",
        "not a url",
        "https://user:pw@hooks.acme.example/",
        "",
    ] {
        assert_invalid(
            w.service.create_webhook(&admin, acme, hook(url)).await,
            "url",
        );
    }
    let mut short = hook("https://hooks.acme.example/in");
    short.secret = Some("too-short".to_owned());
    assert_invalid(
        w.service.create_webhook(&admin, acme, short).await,
        "secret",
    );
    let mut unknown = hook("https://hooks.acme.example/in");
    unknown.events = vec!["exploded".to_owned()];
    assert_invalid(
        w.service.create_webhook(&admin, acme, unknown).await,
        "events",
    );
    assert_eq!(
        w.store_webhooks("acme").await,
        before,
        "refused creations add nothing"
    );

    let change = |f: fn(&mut WebhookChange)| {
        let mut c = WebhookChange {
            active: Some(false),
            ..WebhookChange::default()
        };
        f(&mut c);
        c
    };
    for (bad, field) in [
        (
            change(|c| c.url = Some("http://10.0.0.1/x".to_owned())),
            "url",
        ),
        (change(|c| c.secret = Some("short".to_owned())), "secret"),
        (
            change(|c| c.events = Some(vec!["nope".to_owned()])),
            "events",
        ),
    ] {
        assert_invalid(
            w.service.update_webhook(&admin, acme, kept.id, bad).await,
            field,
        );
    }
    assert_eq!(
        w.store_webhooks("acme").await,
        before,
        "a refused update changes no field, not even the valid ones"
    );
}

#[tokio::test]
async fn only_the_tenants_admins_see_or_change_its_endpoints() {
    let w = world().await;
    let endpoint = create(&w, hook("https://hooks.acme.example/in")).await;
    let before = w.store_webhooks("acme").await;
    let acme = w.tenant("acme");
    let globex = w.tenant("globex");
    let gwen = w.actor("gwen");
    let off = WebhookChange {
        active: Some(false),
        ..WebhookChange::default()
    };

    // Another tenant's admin, naming acme: acme does not exist for them.
    assert!(matches!(
        w.service.webhooks(&gwen, acme).await,
        Err(Error::NotFound(Entity::Tenant))
    ));
    assert!(
        w.service
            .create_webhook(&gwen, acme, hook("https://evil.example/"))
            .await
            .is_err()
    );
    assert!(
        w.service
            .update_webhook(&gwen, acme, endpoint.id, off.clone())
            .await
            .is_err()
    );
    assert!(
        w.service
            .delete_webhook(&gwen, acme, endpoint.id)
            .await
            .is_err()
    );
    // Naming their own tenant with acme's endpoint id: no such endpoint.
    assert!(matches!(
        w.service
            .update_webhook(&gwen, globex, endpoint.id, off.clone())
            .await,
        Err(Error::NotFound(Entity::Webhook))
    ));
    assert!(matches!(
        w.service.delete_webhook(&gwen, globex, endpoint.id).await,
        Err(Error::NotFound(Entity::Webhook))
    ));
    assert!(w.service.webhooks(&gwen, globex).await.unwrap().is_empty());
    // A requester and an agent of acme: not its admins.
    assert!(w.service.webhooks(&w.actor("alice"), acme).await.is_err());
    assert!(w.service.webhooks(&w.actor("sam"), acme).await.is_err());
    assert_eq!(w.store_webhooks("acme").await, before, "nothing changed");

    // Acme's admin changes and removes it.
    let changed = w
        .service
        .update_webhook(&w.actor("emma"), acme, endpoint.id, off)
        .await
        .unwrap();
    assert!(!changed.active);
    w.service
        .delete_webhook(&w.actor("emma"), acme, endpoint.id)
        .await
        .unwrap();
    assert!(w.store_webhooks("acme").await.is_empty());
}

#[tokio::test]
async fn each_event_queues_one_message_per_endpoint_that_wants_it() {
    let w = world().await;
    let all = create(&w, hook("https://all.acme.example/")).await;
    let mut only_replies = hook("https://replies.acme.example/");
    only_replies.events = vec!["replied".to_owned()];
    let only_replies = create(&w, only_replies).await;
    let mut notes = hook("https://notes.acme.example/");
    notes.internal_notes = true;
    let notes = create(&w, notes).await;
    let mut inactive = hook("https://off.acme.example/");
    inactive.active = false;
    create(&w, inactive).await;
    // Globex's endpoint never hears of acme's tickets.
    w.service
        .create_webhook(
            &w.actor("gwen"),
            w.tenant("globex"),
            hook("https://globex.example/"),
        )
        .await
        .unwrap();

    let ticket = open(&w).await;
    let hooks_of = |messages: &[helpdesk_core::OutboxMessage]| {
        let mut ids: Vec<WebhookId> = messages.iter().filter_map(|m| m.webhook()).collect();
        ids.sort();
        ids
    };
    let now = w.service.now();
    let queued = w.store().claim_due_messages(now, now, 100).await.unwrap();
    let mut expected = vec![all.id, notes.id];
    expected.sort();
    assert_eq!(
        hooks_of(&queued),
        expected,
        "opened: every active endpoint for all kinds"
    );
    assert!(
        queued.iter().all(|m| m.webhook().is_some()
            || !m
                .recipients
                .iter()
                .any(|r| matches!(r, Recipient::Webhook(_)))),
        "a webhook is alone in its message, never with people"
    );
    for m in &queued {
        w.store().mark_delivered(m.tenant, m.id).await.unwrap();
    }

    w.service
        .reply(&w.actor("sam"), ticket, None, "<p>On regarde</p>", vec![])
        .await
        .unwrap();
    let queued = w.store().claim_due_messages(now, now, 100).await.unwrap();
    let mut expected = vec![all.id, only_replies.id, notes.id];
    expected.sort();
    assert_eq!(
        hooks_of(&queued),
        expected,
        "replied: the reply subscriber too"
    );
    for m in &queued {
        w.store().mark_delivered(m.tenant, m.id).await.unwrap();
    }

    w.service
        .add_note(&w.actor("sam"), ticket, None, "<p>Interne</p>", vec![])
        .await
        .unwrap();
    let queued = w.store().claim_due_messages(now, now, 100).await.unwrap();
    assert_eq!(
        hooks_of(&queued),
        vec![notes.id],
        "an internal note: only the opted-in endpoint"
    );
}

fn quick() -> DeliverySettings {
    DeliverySettings {
        max_attempts: 3,
        ..DeliverySettings::default()
    }
}

#[tokio::test]
async fn a_failing_endpoint_is_retried_alone_with_the_same_id_and_mail_goes_once() {
    let w = world().await;
    let good = create(&w, hook("https://good.acme.example/")).await;
    let flaky = create(&w, hook("https://flaky.acme.example/")).await;
    let mail = Arc::new(Mailbox::default());
    let hooks = Arc::new(Hooks::default());
    hooks.down.lock().unwrap().push(flaky.id);
    let worker = Worker::new(w.service.clone(), mail.clone()).with_webhooks(hooks.clone());

    let ticket = open(&w).await;
    w.service
        .reply(&w.actor("sam"), ticket, None, "<p>Réponse</p>", vec![])
        .await
        .unwrap();
    let first = worker.run_once().await;
    assert!(first.errors.is_empty());
    assert_eq!(
        first.failed, 2,
        "the flaky endpoint's two events wait for a retry"
    );
    let mails = mail.sent.lock().unwrap().clone();
    assert!(!mails.is_empty());
    let to_good = hooks.sent_to(good.id);
    assert_eq!(
        to_good.iter().map(|p| p.kind.as_str()).collect::<Vec<_>>(),
        vec!["opened", "replied"]
    );
    let failed_ids: Vec<OutboxId> = hooks
        .tried
        .lock()
        .unwrap()
        .iter()
        .filter(|(h, _)| *h == flaky.id)
        .map(|(_, id)| *id)
        .collect();

    hooks.down.lock().unwrap().clear();
    w.clock().advance(Duration::hours(1));
    let second = worker.run_once().await;
    assert_eq!(second.delivered, 2);
    let to_flaky = hooks.sent_to(flaky.id);
    assert_eq!(
        to_flaky.iter().map(|p| p.id).collect::<Vec<_>>(),
        failed_ids,
        "the retry carries the same delivery ids"
    );
    assert_eq!(
        hooks.sent_to(good.id).len(),
        2,
        "the good endpoint got each event once"
    );
    assert_eq!(*mail.sent.lock().unwrap(), mails, "no mail was sent again");
    assert_eq!(w.store().outbox_len(), 0);
}

#[tokio::test]
async fn a_dead_endpoint_is_dead_lettered_without_holding_back_mail_or_other_endpoints() {
    let w = world().await;
    let good = create(&w, hook("https://good.acme.example/")).await;
    let dead = create(&w, hook("https://dead.acme.example/")).await;
    let mail = Arc::new(Mailbox::default());
    let hooks = Arc::new(Hooks::default());
    hooks.down.lock().unwrap().push(dead.id);
    let worker = Worker::new(w.service.clone(), mail.clone())
        .with_webhooks(hooks.clone())
        .with_settings(helpdesk_core::WorkerSettings {
            delivery: quick(),
            ..Default::default()
        });
    let ticket = open(&w).await;
    w.service
        .reply(&w.actor("sam"), ticket, None, "<p>Réponse</p>", vec![])
        .await
        .unwrap();
    let mut dead_lettered = 0;
    for _ in 0..3 {
        dead_lettered += worker.run_once().await.dead_lettered;
        w.clock().advance(Duration::days(2));
    }
    assert_eq!(dead_lettered, 2);
    assert_eq!(hooks.sent_to(good.id).len(), 2);
    assert_eq!(
        mail.sent.lock().unwrap().len(),
        1,
        "the requester's mail went out once"
    );
    let letters = w
        .store()
        .dead_letters(Some(w.tenant("acme")), 10)
        .await
        .unwrap();
    assert_eq!(letters.len(), 2);
    assert!(letters.iter().all(|l| l.webhook() == Some(dead.id)));
    assert_eq!(
        letters[0].last_error.as_deref(),
        Some("notification not delivered: webhook endpoint answered 500")
    );
}

#[tokio::test]
async fn without_a_sender_webhook_messages_stay_in_the_outbox() {
    let w = world().await;
    let endpoint = create(&w, hook("https://hooks.acme.example/")).await;
    let mail = Arc::new(Mailbox::default());
    let ticket = open(&w).await;
    w.service
        .reply(&w.actor("sam"), ticket, None, "<p>Réponse</p>", vec![])
        .await
        .unwrap();
    let report = Worker::new(w.service.clone(), mail.clone())
        .run_once()
        .await;
    assert_eq!(report.waiting, 2);
    assert_eq!(
        report.failed + report.dead_lettered,
        0,
        "no attempt is counted"
    );
    assert_eq!(mail.sent.lock().unwrap().len(), 1);
    assert_eq!(w.store().outbox_len(), 2, "the webhook's messages are kept");

    // Once the lease is over, a worker with a sender delivers it.
    w.clock()
        .advance(DeliverySettings::default().lease + Duration::seconds(1));
    let hooks = Arc::new(Hooks::default());
    let report = Worker::new(w.service.clone(), mail.clone())
        .with_webhooks(hooks.clone())
        .run_once()
        .await;
    assert_eq!(report.delivered, 2);
    assert_eq!(hooks.sent_to(endpoint.id).len(), 2);
    assert_eq!(mail.sent.lock().unwrap().len(), 1);
    assert_eq!(w.store().outbox_len(), 0);
}

#[tokio::test]
async fn payloads_carry_the_ticket_and_public_text_but_no_email_nor_unwanted_notes() {
    let w = world().await;
    let public = create(&w, hook("https://public.acme.example/")).await;
    let mut notes = hook("https://notes.acme.example/");
    notes.internal_notes = true;
    let notes = create(&w, notes).await;
    let hooks = Arc::new(Hooks::default());
    let worker =
        Worker::new(w.service.clone(), Arc::new(Mailbox::default())).with_webhooks(hooks.clone());
    let ticket = open(&w).await;
    w.service
        .add_note(
            &w.actor("sam"),
            ticket,
            None,
            "<p>Secret interne</p>",
            vec![],
        )
        .await
        .unwrap();
    w.service
        .reply(
            &w.actor("sam"),
            ticket,
            None,
            "<p>Bonjour Alice</p>",
            vec![],
        )
        .await
        .unwrap();
    worker.run_once().await;

    let to_public = hooks.sent_to(public.id);
    assert_eq!(
        to_public
            .iter()
            .map(|p| p.kind.as_str())
            .collect::<Vec<_>>(),
        vec!["opened", "replied"]
    );
    let reply = &to_public[1];
    assert_eq!(reply.ticket.id, ticket);
    assert_eq!(reply.ticket.number.get(), 1);
    assert_eq!(reply.ticket.subject, "Imprimante");
    assert_eq!(reply.tenant.slug, "acme");
    assert!(!reply.internal);
    assert!(
        reply
            .text
            .as_ref()
            .unwrap()
            .as_html()
            .contains("Bonjour Alice")
    );
    let json = serde_json::to_string(&to_public).unwrap();
    assert!(
        !json.contains("Secret interne"),
        "no internal note to a public endpoint"
    );
    assert!(!json.contains("@"), "no email address in a payload: {json}");

    let to_notes = hooks.sent_to(notes.id);
    assert_eq!(
        to_notes.iter().map(|p| p.kind.as_str()).collect::<Vec<_>>(),
        vec!["opened", "note_added", "replied"]
    );
    assert!(to_notes[1].internal);
    assert!(
        to_notes[1]
            .text
            .as_ref()
            .unwrap()
            .as_html()
            .contains("Secret interne")
    );
}

#[tokio::test]
async fn messages_of_a_deleted_or_deactivated_endpoint_are_dropped() {
    let w = world().await;
    let gone = create(&w, hook("https://gone.acme.example/")).await;
    let paused = create(&w, hook("https://paused.acme.example/")).await;
    open(&w).await;
    let admin = w.actor("emma");
    let acme = w.tenant("acme");
    w.service
        .delete_webhook(&admin, acme, gone.id)
        .await
        .unwrap();
    w.service
        .update_webhook(
            &admin,
            acme,
            paused.id,
            WebhookChange {
                active: Some(false),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let hooks = Arc::new(Hooks::default());
    let report = Worker::new(w.service.clone(), Arc::new(Mailbox::default()))
        .with_webhooks(hooks.clone())
        .run_once()
        .await;
    assert!(report.errors.is_empty());
    assert!(hooks.tried.lock().unwrap().is_empty());
    assert_eq!(w.store().outbox_len(), 0);
}
