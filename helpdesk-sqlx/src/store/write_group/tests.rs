//! Writes queued behind the turn commit as one group: each is answered as if it had run
//! alone, a refused one leaves nothing, and a failed transaction keeps nothing of any.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use helpdesk_core::testing::{MemberSeed, Seed};
use helpdesk_core::{Actor, Error, HelpdeskService, MemberRole, NewTicket, TenantId, Ticket};
use tokio::task::JoinHandle;

use super::{Write, Written};
use crate::SqliteStore;
use crate::sql::Sql;

/// A store on a fresh file (its own writer connection, as deployed), one tenant and a
/// requester in it.
async fn seeded() -> (tempfile::TempDir, SqliteStore, Actor, TenantId) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("helpdesk.db").display());
    let store = SqliteStore::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    let world = Seed::new(service(&store))
        .tenant("acme", "Acme")
        .member_seed(MemberSeed::new("acme", "alice", MemberRole::Requester))
        .build()
        .await
        .unwrap();
    let alice = world.actor("alice").clone();
    let tenant = world.tenant("acme");
    (dir, store, alice, tenant)
}

/// A service of its own over `store`: several of them are several processes' worth of
/// in-flight idempotency keys over one store (and its one queue).
fn service(store: &SqliteStore) -> HelpdeskService {
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

/// Starts `write` and returns once it waits in the queue (behind a turn held by the
/// test), so that writes queue in the order they are started.
async fn queued<T: Send + std::fmt::Debug + 'static>(
    store: &SqliteStore,
    write: impl Future<Output = T> + Send + 'static,
) -> JoinHandle<T> {
    let before = store.writes.waiting().len();
    let task = tokio::spawn(write);
    // The write reads before it queues (the tenant, the ticket): a few turns of the
    // test's one thread. A write refused before it queues would never arrive.
    for _ in 0..100_000 {
        if store.writes.waiting().len() > before {
            return task;
        }
        tokio::task::yield_now().await;
    }
    panic!("the write never queued: {:?}", task.await);
}

fn open(
    service: &HelpdeskService,
    actor: &Actor,
    tenant: TenantId,
    draft: NewTicket,
) -> impl Future<Output = Result<Ticket, Error>> + Send + 'static {
    let (service, actor) = (service.clone(), actor.clone());
    async move { service.open(&actor, tenant, draft, vec![]).await }
}

async fn count(store: &SqliteStore, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(store.raw_pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn queued_writes_commit_together_each_answered_as_if_alone() {
    let (_dir, store, alice, tenant) = seeded().await;
    let (first, second, third) = (service(&store), service(&store), service(&store));
    let t = first
        .open(&alice, tenant, draft("Écran noir", None), vec![])
        .await
        .unwrap();

    let turn = store.writes.turn().await;
    let one = queued(&store, open(&first, &alice, tenant, draft("Un", None))).await;
    let keyed = queued(
        &store,
        open(&first, &alice, tenant, draft("Deux", Some("k"))),
    )
    .await;
    // The same request again, through another service: the store sees a duplicate id.
    let replayed = queued(
        &store,
        open(&second, &alice, tenant, draft("Deux", Some("k"))),
    )
    .await;
    // Another request with that key, through a third service (the second holds the key
    // in flight and would refuse it before it queues).
    let reused = queued(
        &store,
        open(&third, &alice, tenant, draft("Autre", Some("k"))),
    )
    .await;
    let reply = |service: &HelpdeskService, body: &'static str| {
        let (service, alice) = (service.clone(), alice.clone());
        async move {
            service
                .reply(&alice, t.id, Some(t.version), body, vec![])
                .await
        }
    };
    let won = queued(&store, reply(&first, "premier")).await;
    let stale = queued(&store, reply(&second, "second")).await;
    let three = queued(&store, open(&first, &alice, tenant, draft("Trois", None))).await;
    assert_eq!(store.writes.waiting().len(), 7);
    drop(turn);

    let one = one.await.unwrap().unwrap();
    let keyed = keyed.await.unwrap().unwrap();
    let replayed = replayed.await.unwrap().unwrap();
    let reused = reused.await.unwrap();
    let won = won.await.unwrap().unwrap();
    let stale = stale.await.unwrap();
    let three = three.await.unwrap().unwrap();
    assert!(store.writes.waiting().is_empty());

    // Numbers follow the order the writes queued in; the refused duplicate gave its
    // number back with its savepoint.
    let numbers = [&t, &one, &keyed, &three].map(|t| t.number.get());
    assert_eq!(numbers, [1, 2, 3, 4]);
    assert_eq!((replayed.id, replayed.number), (keyed.id, keyed.number));
    assert!(
        matches!(reused, Err(Error::IdempotencyKeyReused)),
        "{reused:?}"
    );
    assert_eq!(won.version, t.version + 1);
    assert!(
        matches!(stale, Err(Error::VersionConflict { .. })),
        "{stale:?}"
    );
    // Nothing of the refused writes was kept, everything of the others was.
    assert_eq!(
        count(&store, "SELECT COUNT(*) FROM helpdesk_tickets").await,
        4
    );
    assert_eq!(
        count(&store, "SELECT COUNT(*) FROM helpdesk_ticket_text WHERE helpdesk_ticket_text MATCH 'autre OR second'").await,
        0
    );
    assert_eq!(
        count(&store, "SELECT COUNT(*) FROM helpdesk_ticket_text WHERE helpdesk_ticket_text MATCH 'premier OR trois'").await,
        2
    );
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) FROM helpdesk_events WHERE payload LIKE '%second%'"
        )
        .await,
        0
    );
}

#[tokio::test]
async fn a_group_whose_transaction_fails_keeps_nothing_and_refuses_every_write() {
    let (_dir, store, alice, tenant) = seeded().await;
    let service = service(&store);

    let turn = store.writes.turn().await;
    let one = queued(&store, open(&service, &alice, tenant, draft("Un", None))).await;
    let two = queued(&store, open(&service, &alice, tenant, draft("Deux", None))).await;
    // A write that ends the whole transaction, as SQLite does itself on a full disk
    // or an I/O error, and then fails.
    let poison = {
        let store = store.clone();
        queued(&store.clone(), async move {
            store
                .write_in_group(Write::Save {
                    update: Sql::new("SELECT 1 AS tenant_id"),
                    rest: Sql::new("ROLLBACK; SELECT no_such_column FROM helpdesk_tickets"),
                })
                .await
        })
        .await
    };
    drop(turn);

    for refused in [one.await.unwrap(), two.await.unwrap()] {
        assert!(matches!(refused, Err(Error::Store(_))), "{refused:?}");
    }
    assert!(poison.await.unwrap().is_err());
    assert_eq!(
        count(&store, "SELECT COUNT(*) FROM helpdesk_tickets").await,
        0
    );
    assert_eq!(
        count(&store, "SELECT COUNT(*) FROM helpdesk_ticket_text").await,
        0
    );
    assert_eq!(
        count(&store, "SELECT COUNT(*) FROM helpdesk_outbox").await,
        0
    );

    // The writer connection is usable again, and the counter was not advanced.
    let after = service
        .open(&alice, tenant, draft("Trois", None), vec![])
        .await
        .unwrap();
    assert_eq!(after.number.get(), 1);
}

#[tokio::test]
async fn a_writer_gone_before_its_group_begins_is_not_written() {
    let (_dir, store, alice, tenant) = seeded().await;
    let service = service(&store);

    let turn = store.writes.turn().await;
    let gone = queued(&store, open(&service, &alice, tenant, draft("Parti", None))).await;
    gone.abort();
    assert!(gone.await.unwrap_err().is_cancelled());
    let stays = queued(&store, open(&service, &alice, tenant, draft("Reste", None))).await;
    drop(turn);

    let stays = stays.await.unwrap().unwrap();
    assert_eq!(stays.number.get(), 1);
    assert_eq!(
        count(&store, "SELECT COUNT(*) FROM helpdesk_tickets").await,
        1
    );
}

#[tokio::test]
async fn a_lone_write_is_a_group_of_one() {
    let (_dir, store, _, _) = seeded().await;
    let saved = store
        .write_in_group(Write::Save {
            update: Sql::new("SELECT 1 AS tenant_id WHERE false"),
            rest: Sql::new("SELECT 1"),
        })
        .await;
    assert!(matches!(saved, Ok(Written::Saved(false))), "{saved:?}");
    assert!(store.writes.waiting().is_empty());
}
