//! Opens queued behind a tenant's turn are written in one statement: numbered in queue
//! order without gaps, each answered as if it had run alone, a refused one leaving
//! nothing; other tenants do not wait; the queue is forgotten once idle.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use helpdesk_core::testing::{MemberSeed, Seed};
use helpdesk_core::{Actor, Error, HelpdeskService, MemberRole, NewTicket, TenantId, Ticket};
use tokio::task::JoinHandle;

use crate::PostgresStore;

// Shared with the integration tests, which use more of it.
#[allow(dead_code, unreachable_pub)]
#[path = "../../../tests/support/postgres.rs"]
mod pg;

/// A store on a database of its own, two tenants and a requester in each; `None` after
/// saying loudly that the test is skipped (a failure under `CI=true`).
async fn seeded(what: &str) -> Option<(pg::TestDatabase, PostgresStore, [(Actor, TenantId); 2])> {
    let url = pg::url(what)?;
    let db = pg::TestDatabase::create(&url).await;
    let store = db.store().await;
    store.migrate().await.unwrap();
    let world = Seed::new(service(&store))
        .tenant("acme", "Acme")
        .tenant("globex", "Globex")
        .member_seed(MemberSeed::new("acme", "alice", MemberRole::Requester))
        .member_seed(MemberSeed::new("globex", "gus", MemberRole::Requester))
        .build()
        .await
        .unwrap();
    let people = [
        (world.actor("alice").clone(), world.tenant("acme")),
        (world.actor("gus").clone(), world.tenant("globex")),
    ];
    Some((db, store, people))
}

/// A service of its own over `store`: several of them are several processes' worth of
/// in-flight idempotency keys over one store (and its queues).
fn service(store: &PostgresStore) -> HelpdeskService {
    HelpdeskService::new(Arc::new(store.clone()))
}

fn draft(subject: &str, key: Option<&str>) -> NewTicket {
    NewTicket {
        subject: subject.to_owned(),
        description: "<p>Rien ne va.</p>".to_owned(),
        idempotency_key: key.map(str::to_owned),
        ..Default::default()
    }
}

fn open(
    service: &HelpdeskService,
    (actor, tenant): &(Actor, TenantId),
    draft: NewTicket,
) -> impl Future<Output = Result<Ticket, Error>> + Send + 'static {
    let (service, actor, tenant) = (service.clone(), actor.clone(), *tenant);
    async move { service.open(&actor, tenant, draft, vec![]).await }
}

/// Starts `write` and returns once it waits in `tenant`'s queue (behind a turn held by
/// the test), so that opens queue in the order they are started.
async fn queued<T: Send + std::fmt::Debug + 'static>(
    store: &PostgresStore,
    tenant: TenantId,
    write: impl Future<Output = T> + Send + 'static,
) -> JoinHandle<T> {
    let queue = store.opens.queue(tenant);
    let before = queue.waiting().len();
    let task = tokio::spawn(write);
    // The open reads before it queues (the tenant, the requester): round trips to the
    // database, which the test's thread waits out by yielding.
    for _ in 0..10_000_000 {
        if queue.waiting().len() > before {
            return task;
        }
        tokio::task::yield_now().await;
    }
    panic!("the open never queued: {:?}", task.await);
}

async fn count(store: &PostgresStore, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(store.raw_pool())
        .await
        .unwrap()
}

/// The tickets the dashboard's tallies count, and the highest number a counter gave.
async fn tallied_and_numbered(store: &PostgresStore) -> (i64, i64) {
    (
        count(
            store,
            "SELECT SUM(n)::BIGINT FROM helpdesk_dashboard_tallies",
        )
        .await,
        count(
            store,
            "SELECT MAX(last_number) FROM helpdesk_ticket_counters",
        )
        .await,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queued_opens_are_one_statement_numbered_in_queue_order() {
    let Some((_db, store, [alice, gus])) = seeded("opens written together").await else {
        return;
    };
    let service = service(&store);
    let first = open(&service, &alice, draft("Écran noir", None))
        .await
        .unwrap();

    let queue = store.opens.queue(alice.1);
    let turn = queue.turn().await;
    let mut tasks = Vec::new();
    for subject in ["Un", "Deux", "Trois", "Quatre", "Cinq"] {
        tasks.push(
            queued(
                &store,
                alice.1,
                open(&service, &alice, draft(subject, None)),
            )
            .await,
        );
    }
    assert_eq!(queue.waiting().len(), 5);
    // Another tenant's opens do not wait for this one's turn.
    let other = open(&service, &gus, draft("Ailleurs", None)).await.unwrap();
    assert_eq!(other.number.get(), 1);
    drop(turn);
    drop(queue);

    let mut opened = Vec::new();
    for task in tasks {
        opened.push(task.await.unwrap().unwrap());
    }
    let numbers: Vec<u64> = opened.iter().map(|t| t.number.get()).collect();
    assert_eq!(numbers, [2, 3, 4, 5, 6]);
    // Stored as answered, with their numbers.
    for ticket in &opened {
        let stored = service.ticket(&alice.0, ticket.id).await.unwrap().ticket;
        assert_eq!(
            (stored.number, &stored.subject),
            (ticket.number, &ticket.subject)
        );
    }
    // One transaction wrote the five: one statement, one commit.
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(DISTINCT xmin::text) FROM helpdesk_tickets WHERE number BETWEEN 2 AND 6 \
             AND subject <> 'Ailleurs'"
        )
        .await,
        1
    );
    // Each with its first event, its words and its share of the dashboard's tallies.
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) FROM helpdesk_events WHERE kind = 'opened'"
        )
        .await,
        7
    );
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) FROM helpdesk_tickets WHERE search_head @@ to_tsquery('simple', 'quatre')"
        )
        .await,
        1
    );
    // Tickets in the dashboard's tallies; the highest number given.
    assert_eq!(tallied_and_numbered(&store).await, (7, 6));
    assert_eq!(first.number.get(), 1);
    // Nobody waits any more: the tenants' queues are forgotten.
    assert_eq!(store.opens.len(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_open_in_a_group_is_refused_alone_and_gives_its_number_back() {
    let Some((_db, store, [alice, _])) =
        seeded("a refused open among opens written together").await
    else {
        return;
    };
    let (first, second, third) = (service(&store), service(&store), service(&store));
    let t = open(&first, &alice, draft("Écran noir", None))
        .await
        .unwrap();

    let queue = store.opens.queue(alice.1);
    let turn = queue.turn().await;
    let one = queued(&store, alice.1, open(&first, &alice, draft("Un", None))).await;
    let keyed = queued(
        &store,
        alice.1,
        open(&first, &alice, draft("Deux", Some("k"))),
    )
    .await;
    // The same request again, through another service: the store sees a ticket id that
    // exists already, in the same group.
    let replayed = queued(
        &store,
        alice.1,
        open(&second, &alice, draft("Deux", Some("k"))),
    )
    .await;
    // Another request with that key, through a third service.
    let reused = queued(
        &store,
        alice.1,
        open(&third, &alice, draft("Autre", Some("k"))),
    )
    .await;
    let three = queued(&store, alice.1, open(&first, &alice, draft("Trois", None))).await;
    assert_eq!(queue.waiting().len(), 5);
    drop(turn);
    drop(queue);

    let one = one.await.unwrap().unwrap();
    let keyed = keyed.await.unwrap().unwrap();
    let replayed = replayed.await.unwrap().unwrap();
    let reused = reused.await.unwrap();
    let three = three.await.unwrap().unwrap();

    // Numbers follow the queue; the refused ones took none.
    let numbers = [&t, &one, &keyed, &three].map(|t| t.number.get());
    assert_eq!(numbers, [1, 2, 3, 4]);
    assert_eq!((replayed.id, replayed.number), (keyed.id, keyed.number));
    assert!(
        matches!(reused, Err(Error::IdempotencyKeyReused)),
        "{reused:?}"
    );
    assert_eq!(
        count(&store, "SELECT COUNT(*) FROM helpdesk_tickets").await,
        4
    );
    assert_eq!(
        count(&store, "SELECT COUNT(*) FROM helpdesk_events").await,
        4
    );
    assert_eq!(tallied_and_numbered(&store).await, (4, 4));
    assert_eq!(store.opens.len(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_open_gone_before_its_group_begins_is_not_written() {
    let Some((_db, store, [alice, _])) = seeded("an open gone before its group").await else {
        return;
    };
    let service = service(&store);

    let queue = store.opens.queue(alice.1);
    let turn = queue.turn().await;
    let gone = queued(
        &store,
        alice.1,
        open(&service, &alice, draft("Parti", None)),
    )
    .await;
    gone.abort();
    assert!(gone.await.unwrap_err().is_cancelled());
    let stays = queued(
        &store,
        alice.1,
        open(&service, &alice, draft("Reste", None)),
    )
    .await;
    drop(turn);
    drop(queue);

    let stays = stays.await.unwrap().unwrap();
    assert_eq!(stays.number.get(), 1);
    assert_eq!(
        count(&store, "SELECT COUNT(*) FROM helpdesk_tickets").await,
        1
    );
    assert_eq!(store.opens.len(), 0);
}

/// An open binding `values` values.
fn binding(values: usize) -> super::Waiting<super::OpenParts, super::Outcome> {
    let mut ticket = crate::sql::Sql::new("SELECT ");
    for _ in 0..values {
        ticket.bind(1_i64);
    }
    super::Waiting {
        write: super::OpenParts {
            ticket,
            rows: vec![],
        },
        answer: tokio::sync::oneshot::channel().0,
    }
}

#[test]
fn a_group_stays_within_the_values_a_statement_may_bind() {
    let mut waiting: Vec<_> = (0..100).map(|_| binding(40)).collect();
    assert_eq!(super::take_group(&mut waiting).len(), super::MOST_PER_GROUP);
    assert_eq!(waiting.len(), 100 - super::MOST_PER_GROUP);

    let mut waiting: Vec<_> = (0..10).map(|_| binding(12_000)).collect();
    assert_eq!(super::take_group(&mut waiting).len(), 2);
    // An open too big to share a statement is written alone, as it would be without
    // groups.
    let mut waiting = vec![binding(40_000), binding(10)];
    assert_eq!(super::take_group(&mut waiting).len(), 1);
    assert_eq!(waiting.len(), 1);
}
