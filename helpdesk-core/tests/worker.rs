//! The background worker over the in-memory store and a controlled clock: delivery
//! once, backoff and dead letters, claims shared by several workers, crashed claims,
//! auto-approval, shutdown; and the dead-letter use cases.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration as StdDuration;

use async_trait::async_trait;
use chrono::{Duration, TimeZone, Utc};
use helpdesk_core::testing::{MemberSeed, Seed, StaffSeed, World};
use helpdesk_core::{
    DeliverySettings, Error, Forbidden, HelpdeskService, MAX_DELIVERY_ATTEMPTS, MemberRole,
    NoNotifier, Notification, Notifier, NotifyError, OutboxId, OutboxRepository, Status, TicketId,
    Worker, WorkerSettings, retry_delay,
};
use tokio::sync::oneshot;

/// Records what it delivers; refuses every notification, or those of one ticket.
#[derive(Default)]
struct Recorder {
    sent: Mutex<Vec<OutboxId>>,
    refuse_all: Mutex<bool>,
    refuse_ticket: Mutex<Option<TicketId>>,
    /// Fired on the first delivery.
    on_first: Mutex<Option<oneshot::Sender<()>>>,
}

impl Recorder {
    fn sent(&self) -> Vec<OutboxId> {
        self.sent.lock().unwrap().clone()
    }
}

#[async_trait]
impl Notifier for Recorder {
    async fn notify(&self, n: &Notification) -> Result<(), NotifyError> {
        // Let other tasks run mid-delivery, as a real mail server would.
        tokio::task::yield_now().await;
        if *self.refuse_all.lock().unwrap() || *self.refuse_ticket.lock().unwrap() == Some(n.ticket)
        {
            return Err(NotifyError("550 mailbox unavailable".to_owned()));
        }
        if let Some(tx) = self.on_first.lock().unwrap().take() {
            let _ = tx.send(());
        }
        self.sent.lock().unwrap().push(n.id);
        Ok(())
    }
}

/// Tenants acme and globex; alice (requester) and emma (tenant admin) in each; sue
/// supervises acme only; sam is an agent of both.
async fn world() -> World {
    Seed::in_memory()
        .at(Utc.with_ymd_and_hms(2025, 6, 15, 12, 0, 0).unwrap())
        .two_tenants()
        .member_seed(
            MemberSeed::new("acme", "alice", MemberRole::Requester)
                .email(Some("alice@acme.example")),
        )
        .member_seed(MemberSeed::new("acme", "emma", MemberRole::TenantAdmin))
        .member_seed(
            MemberSeed::new("globex", "gus", MemberRole::Requester)
                .email(Some("gus@globex.example")),
        )
        .staff(StaffSeed::supervisor("sue").only(&["acme"]))
        .staff(StaffSeed::agent("sam"))
        .build()
        .await
        .unwrap()
}

/// `n` tickets opened by `requester` in `tenant`, each answered by root: one outbox
/// message for the requester per ticket.
async fn queue(w: &World, tenant: &str, requester: &str, n: usize) -> Vec<TicketId> {
    let mut ids = Vec::new();
    for i in 0..n {
        let ticket = w
            .service
            .open(
                &w.actor(requester),
                w.tenant(tenant),
                helpdesk_core::testing::draft(&format!("Demande {i}")),
                vec![],
            )
            .await
            .unwrap();
        w.service
            .reply(&w.root, ticket.id, None, "<p>Nous regardons</p>", vec![])
            .await
            .unwrap();
        ids.push(ticket.id);
    }
    ids
}

fn worker(service: &HelpdeskService, notifier: Arc<Recorder>) -> Worker {
    Worker::new(service.clone(), notifier)
}

async fn only_message(w: &World) -> OutboxId {
    let now = w.service.now();
    let claimed = w.store().claim_due_messages(now, now, 10).await.unwrap();
    assert_eq!(claimed.len(), 1);
    claimed[0].id
}

#[tokio::test]
async fn the_worker_delivers_a_message_once() {
    let w = world().await;
    queue(&w, "acme", "alice", 1).await;
    let id = only_message(&w).await;
    let notifier = Arc::new(Recorder::default());
    let worker = worker(&w.service, notifier.clone());

    let report = worker.run_once().await;
    assert_eq!((report.claimed, report.delivered, report.failed), (1, 1, 0));
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    w.clock().advance(Duration::days(1));
    let again = worker.run_once().await;
    assert_eq!(again.claimed, 0);
    assert_eq!(notifier.sent(), [id], "delivered once");
    assert_eq!(w.store().outbox_len(), 0);
}

#[tokio::test]
async fn failures_back_off_with_jitter_and_the_last_allowed_one_makes_a_dead_letter() {
    let w = world().await;
    queue(&w, "acme", "alice", 1).await;
    let id = only_message(&w).await;
    let notifier = Arc::new(Recorder::default());
    *notifier.refuse_all.lock().unwrap() = true;
    let worker = worker(&w.service, notifier.clone());

    for failures in 1..MAX_DELIVERY_ATTEMPTS {
        let report = worker.run_once().await;
        assert_eq!(
            (report.failed, report.dead_lettered),
            (1, 0),
            "failure {failures}"
        );
        let stored = w.store().outbox_message(id).await.unwrap().unwrap();
        assert_eq!(stored.attempts, failures);
        let wait = retry_delay(id, failures);
        assert_eq!(
            stored.next_attempt_at,
            w.service.now() + wait,
            "exact backoff"
        );
        w.clock().advance(wait - Duration::milliseconds(1));
        assert_eq!(worker.run_once().await.claimed, 0, "not before its time");
        w.clock().advance(Duration::milliseconds(1));
    }
    let last = worker.run_once().await;
    assert_eq!((last.failed, last.dead_lettered), (0, 1));
    let dead = w.store().outbox_message(id).await.unwrap().unwrap();
    assert_eq!(dead.attempts, MAX_DELIVERY_ATTEMPTS);
    assert_eq!(dead.dead_at, Some(w.service.now()));
    assert_eq!(
        dead.last_error.as_deref(),
        Some("notification not delivered: 550 mailbox unavailable")
    );

    w.clock().advance(Duration::days(30));
    assert_eq!(
        worker.run_once().await.claimed,
        0,
        "a dead letter is never retried by itself"
    );
    assert_eq!(w.store().outbox_len(), 1, "nor deleted");
    assert!(notifier.sent().is_empty());

    // An admin puts it back in line; the mail server is back.
    let sue = w.actor("sue");
    let retried = w.service.retry_dead_letter(&sue, None, id).await.unwrap();
    assert_eq!((retried.attempts, retried.dead_at), (0, None));
    *notifier.refuse_all.lock().unwrap() = false;
    assert_eq!(worker.run_once().await.delivered, 1);
    assert_eq!(notifier.sent(), [id]);
}

#[tokio::test]
async fn one_undeliverable_message_never_holds_up_the_others() {
    let w = world().await;
    let tickets = queue(&w, "acme", "alice", 3).await;
    let notifier = Arc::new(Recorder::default());
    *notifier.refuse_ticket.lock().unwrap() = Some(tickets[0]);
    let worker = worker(&w.service, notifier.clone()).with_settings(WorkerSettings {
        delivery: DeliverySettings {
            batch: 1,
            ..DeliverySettings::default()
        },
        ..WorkerSettings::default()
    });

    let mut dead = 0;
    for _ in 0..(MAX_DELIVERY_ATTEMPTS + 2) * 3 {
        dead += worker.run_once().await.dead_lettered;
        w.clock().advance(Duration::days(1));
    }
    assert_eq!(dead, 1, "the poison message is given up on");
    assert_eq!(
        notifier.sent().len(),
        2,
        "the two others went out, once each"
    );
    assert_eq!(w.store().outbox_len(), 1, "only the dead letter is left");
    assert_eq!(
        w.service.dead_letter_count(&w.root, None).await.unwrap(),
        Some(1)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_on_one_store_deliver_each_message_exactly_once() {
    let w = world().await;
    queue(&w, "acme", "alice", 40).await;
    let notifier = Arc::new(Recorder::default());
    let settings = WorkerSettings {
        delivery: DeliverySettings {
            batch: 3,
            ..DeliverySettings::default()
        },
        ..WorkerSettings::default()
    };
    let one = worker(&w.service, notifier.clone()).with_settings(settings);
    let two = one.clone();
    loop {
        let (a, b) = (one.clone(), two.clone());
        let (a, b) = tokio::join!(
            tokio::spawn(async move { a.run_once().await }),
            tokio::spawn(async move { b.run_once().await })
        );
        let (a, b) = (a.unwrap(), b.unwrap());
        assert!(a.errors.is_empty() && b.errors.is_empty());
        if a.claimed + b.claimed == 0 {
            break;
        }
    }
    let mut sent = notifier.sent();
    assert_eq!(sent.len(), 40, "every message delivered");
    sent.sort();
    sent.dedup();
    assert_eq!(sent.len(), 40, "none twice");
    assert_eq!(w.store().outbox_len(), 0);
}

#[tokio::test]
async fn a_message_claimed_by_a_worker_that_crashed_is_delivered_after_the_lease() {
    let w = world().await;
    queue(&w, "acme", "alice", 1).await;
    let lease = DeliverySettings::default().lease;
    let now = w.service.now();
    // A worker claims it, then dies before delivering.
    let claimed = w
        .store()
        .claim_due_messages(now, now + lease, 10)
        .await
        .unwrap();
    let notifier = Arc::new(Recorder::default());
    let worker = worker(&w.service, notifier.clone());

    w.clock().advance(lease - Duration::seconds(1));
    assert_eq!(worker.run_once().await.claimed, 0, "the claim still holds");
    w.clock().advance(Duration::seconds(1));
    assert_eq!(worker.run_once().await.delivered, 1, "the lease is over");
    assert_eq!(notifier.sent(), [claimed[0].id]);
}

#[tokio::test]
async fn no_notifier_delivers_nothing_and_loses_nothing() {
    let w = world().await;
    queue(&w, "acme", "alice", 1).await;
    let worker = Worker::new(w.service.clone(), Arc::new(NoNotifier));
    let report = worker.run_once().await;
    assert_eq!((report.delivered, report.failed), (0, 1));
    assert_eq!(
        w.store().outbox_len(),
        1,
        "the message stays, to be retried"
    );
}

#[tokio::test]
async fn two_workers_auto_approve_a_due_closure_once() {
    let w = world().await;
    let ticket = queue(&w, "acme", "alice", 1).await[0];
    w.service
        .propose_closure(&w.root, ticket, None, "<p>Réglé</p>")
        .await
        .unwrap();
    let notifier = Arc::new(Recorder::default());
    let one = worker(&w.service, notifier.clone());
    let two = worker(&w.service, notifier);
    assert_eq!(
        one.run_once().await.closures_approved,
        0,
        "the window is still open"
    );

    w.clock().advance(Duration::days(16));
    let (a, b) = tokio::join!(one.run_once(), two.run_once());
    assert!(a.errors.is_empty() && b.errors.is_empty(), "{a:?} {b:?}");
    assert_eq!(a.closures_approved + b.closures_approved, 1, "closed once");
    let view = w.service.ticket(&w.root, ticket).await.unwrap();
    assert_eq!(view.ticket.status(), Status::Closed);
}

#[tokio::test]
async fn errors_of_a_pass_are_reported_and_the_next_pass_goes_on() {
    use helpdesk_core::StoreError;
    use helpdesk_core::memory::MemoryStore;
    use helpdesk_core::testing::FaultyStore;

    let memory = Arc::new(MemoryStore::new());
    let store = Arc::new(FaultyStore::new(memory.clone()));
    let w = Seed::new(HelpdeskService::new(store.clone()))
        .with_memory(memory)
        .at(Utc.with_ymd_and_hms(2025, 6, 15, 12, 0, 0).unwrap())
        .two_tenants()
        .member_seed(MemberSeed::new("acme", "alice", MemberRole::Requester))
        .build()
        .await
        .unwrap();
    queue(&w, "acme", "alice", 1).await;
    store.fail(
        "claim_due_messages",
        1,
        StoreError::new("database unreachable"),
    );
    let notifier = Arc::new(Recorder::default());
    let reports = Arc::new(Mutex::new(Vec::new()));
    let log = reports.clone();
    let passes = Arc::new(AtomicUsize::new(0));
    let (stop, shutdown) = oneshot::channel::<()>();
    let stop = Mutex::new(Some(stop));
    let counted = passes.clone();
    worker(&w.service, notifier.clone())
        .on_report(move |r| log.lock().unwrap().push((r.errors.len(), r.delivered)))
        .run(
            move |_| {
                // The second pause ends the run.
                if counted.fetch_add(1, Ordering::SeqCst) == 1
                    && let Some(stop) = stop.lock().unwrap().take()
                {
                    let _ = stop.send(());
                }
                std::future::ready(())
            },
            async move {
                let _ = shutdown.await;
            },
        )
        .await;
    assert_eq!(
        *reports.lock().unwrap(),
        [(1, 0), (0, 1)],
        "the first pass reports the store's error, the next one delivers"
    );
    assert_eq!(passes.load(Ordering::SeqCst), 2);
    assert_eq!(notifier.sent().len(), 1);
}

#[tokio::test]
async fn shutdown_lets_the_pass_under_way_finish_then_stops_the_loop() {
    let w = world().await;
    queue(&w, "acme", "alice", 3).await;
    let notifier = Arc::new(Recorder::default());
    let (stop, shutdown) = oneshot::channel::<()>();
    *notifier.on_first.lock().unwrap() = Some(stop);
    let pauses = Arc::new(AtomicUsize::new(0));
    let counted = pauses.clone();
    worker(&w.service, notifier.clone())
        .with_settings(WorkerSettings {
            poll_interval: StdDuration::from_secs(3600),
            ..WorkerSettings::default()
        })
        .run(
            move |pause| {
                assert_eq!(pause, StdDuration::from_secs(3600));
                counted.fetch_add(1, Ordering::SeqCst);
                // Would sleep for ever: only the shutdown can end the run.
                std::future::pending::<()>()
            },
            async move {
                let _ = shutdown.await;
            },
        )
        .await;
    assert_eq!(
        notifier.sent().len(),
        3,
        "shut down during the first delivery, the pass still delivered all three"
    );
    assert_eq!(w.store().outbox_len(), 0);
    assert!(pauses.load(Ordering::SeqCst) <= 1, "no second pass");
}

#[tokio::test]
async fn a_worker_shut_down_before_it_starts_does_nothing() {
    let w = world().await;
    queue(&w, "acme", "alice", 1).await;
    let notifier = Arc::new(Recorder::default());
    worker(&w.service, notifier.clone())
        .run(|_| std::future::ready(()), std::future::ready(()))
        .await;
    assert!(notifier.sent().is_empty());
    assert_eq!(w.store().outbox_len(), 1);
}

/// One dead letter in each tenant.
async fn two_dead_letters(w: &World) -> (OutboxId, OutboxId) {
    queue(w, "acme", "alice", 1).await;
    queue(w, "globex", "gus", 1).await;
    let notifier = Arc::new(Recorder::default());
    *notifier.refuse_all.lock().unwrap() = true;
    let worker = worker(&w.service, notifier);
    for _ in 0..MAX_DELIVERY_ATTEMPTS {
        worker.run_once().await;
        w.clock().advance(Duration::days(1));
    }
    let all = w.service.dead_letters(&w.root, None).await.unwrap();
    assert_eq!(all.len(), 2);
    let acme = all
        .iter()
        .find(|m| m.tenant == w.tenant("acme"))
        .unwrap()
        .id;
    let globex = all
        .iter()
        .find(|m| m.tenant == w.tenant("globex"))
        .unwrap()
        .id;
    (acme, globex)
}

#[tokio::test]
async fn dead_letters_are_for_platform_admins_and_the_supervisors_of_their_tenant() {
    let w = world().await;
    let (acme, globex) = two_dead_letters(&w).await;
    let sue = w.actor("sue");

    let seen: Vec<_> = w
        .service
        .dead_letters(&sue, None)
        .await
        .unwrap()
        .iter()
        .map(|m| m.id)
        .collect();
    assert_eq!(
        seen,
        [acme],
        "a supervisor sees the dead letters of the tenants they serve"
    );
    assert_eq!(
        w.service.dead_letter_count(&sue, None).await.unwrap(),
        Some(1)
    );
    assert_eq!(
        w.service.dead_letter_count(&w.root, None).await.unwrap(),
        Some(2)
    );
    assert_eq!(
        w.service
            .dead_letter_count(&w.root, Some(w.tenant("globex")))
            .await
            .unwrap(),
        Some(1)
    );
    assert!(matches!(
        w.service.dead_letters(&sue, Some(w.tenant("globex"))).await,
        Err(Error::NotFound(_))
    ));
    assert!(
        matches!(
            w.service.retry_dead_letter(&sue, None, globex).await,
            Err(Error::NotFound(_))
        ),
        "another tenant's dead letter answers like none"
    );
    assert!(
        matches!(
            w.service
                .retry_dead_letter(&sue, Some(w.tenant("globex")), globex)
                .await,
            Err(Error::NotFound(_))
        ),
        "so does a tenant the supervisor does not serve"
    );
    assert!(
        matches!(
            w.service
                .retry_dead_letter(&w.root, Some(w.tenant("acme")), globex)
                .await,
            Err(Error::NotFound(_))
        ),
        "a dead letter named with a tenant not its own is not found"
    );
    for who in ["sam", "alice", "emma"] {
        let actor = w.actor(who);
        assert!(
            matches!(
                w.service.dead_letters(&actor, None).await,
                Err(Error::Forbidden(Forbidden::RoleRequired))
            ),
            "{who} may not list dead letters"
        );
        assert!(matches!(
            w.service.retry_dead_letter(&actor, None, acme).await,
            Err(Error::Forbidden(Forbidden::RoleRequired))
        ));
        assert_eq!(
            w.service.dead_letter_count(&actor, None).await.unwrap(),
            None
        );
    }

    // The dashboard carries the count for those who may see it.
    let board = w.service.dashboard(&sue, None, None, 1).await.unwrap();
    assert_eq!(board.dead_letters, Some(1));
    let board = w
        .service
        .dashboard(&w.actor("sam"), None, None, 1)
        .await
        .unwrap();
    assert_eq!(board.dead_letters, None);

    let retried = w
        .service
        .retry_dead_letter(&w.root, Some(w.tenant("globex")), globex)
        .await
        .unwrap();
    assert_eq!(
        (retried.id, retried.tenant, retried.dead_at),
        (globex, w.tenant("globex"), None),
        "named with its tenant, the dead letter is retried"
    );
    assert!(
        matches!(
            w.service.retry_dead_letter(&w.root, None, globex).await,
            Err(Error::NotFound(_))
        ),
        "a message that is no longer dead cannot be retried again"
    );
    assert_eq!(
        w.service.dead_letter_count(&w.root, None).await.unwrap(),
        Some(1)
    );
}

#[tokio::test]
async fn a_delivery_whose_acknowledgement_fails_is_sent_again_after_the_lease_and_nothing_is_lost()
{
    use std::collections::BTreeSet;

    use helpdesk_core::StoreError;
    use helpdesk_core::memory::MemoryStore;
    use helpdesk_core::testing::FaultyStore;

    let memory = Arc::new(MemoryStore::new());
    let store = Arc::new(FaultyStore::new(memory.clone()));
    let w = Seed::new(HelpdeskService::new(store.clone()))
        .with_memory(memory)
        .at(Utc.with_ymd_and_hms(2025, 6, 15, 12, 0, 0).unwrap())
        .two_tenants()
        .member_seed(
            MemberSeed::new("acme", "alice", MemberRole::Requester)
                .email(Some("alice@acme.example")),
        )
        .build()
        .await
        .unwrap();
    queue(&w, "acme", "alice", 3).await;
    // The mail went out, then the store failed to record it: half-way through a pass.
    store.fail("mark_delivered", 2, StoreError::new("connection reset"));
    let notifier = Arc::new(Recorder::default());
    let worker = worker(&w.service, notifier.clone());

    let faulty = worker.run_once().await;
    assert_eq!(faulty.errors.len(), 1, "{faulty:?}");
    let before = notifier.sent();
    let unacknowledged = *before.last().expect("the failing pass delivered something");

    // The rest of that pass's claim waits for its lease: nobody sends it twice meanwhile.
    let during = worker.run_once().await;
    assert_eq!(
        (during.delivered, during.errors.len()),
        (0, 0),
        "{during:?}"
    );
    assert_eq!(notifier.sent(), before);

    w.clock()
        .advance(DeliverySettings::default().lease + Duration::seconds(1));
    let after = worker.run_once().await;
    assert!(after.errors.is_empty(), "{after:?}");
    let sent = notifier.sent();
    let distinct: BTreeSet<_> = sent.iter().copied().collect();
    assert_eq!(
        sent.iter().filter(|id| **id == unacknowledged).count(),
        2,
        "the unacknowledged message is sent again under the same id (at least once): {sent:?}"
    );
    assert_eq!(sent.len(), distinct.len() + 1, "nothing else is sent twice");
    assert_eq!(
        distinct.len(),
        3,
        "each ticket's reply reaches alice: {sent:?}"
    );
    assert_eq!(worker.run_once().await.claimed, 0, "nothing left behind");
}
