//! Concurrency, on a SQLite file and on PostgreSQL, each with two separate pools as two
//! app instances would have: ticket numbers are never duplicated and always increase;
//! two writers on the same version give exactly one conflict and lose nothing; many
//! people replying at once without `If-Match` all succeed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::Utc;
use helpdesk_core::{
    Actor, ActorRef, Error, EventId, EventKind, HelpdeskService, NewTicket, RichText, StaffChanges,
    StaffDetails, StaffRole, Store, TenantScope, TicketChange, TicketId, TimelineEvent, UserId,
};

#[cfg(feature = "sqlite")]
use support::SqliteFile;
use support::World;

const TASKS: usize = 8;
const TICKETS_PER_TASK: usize = 500;

/// 8 tasks, half on each store, each open 500 tickets in one tenant.
async fn eight_writers_get_distinct_increasing_numbers(a: Arc<dyn Store>, b: Arc<dyn Store>) {
    let world = World::new(a.clone()).await;
    let services = [world.service.clone(), HelpdeskService::new(b)];
    let mut tasks = Vec::new();
    for task in 0..TASKS {
        let service = services[task % 2].clone();
        let requester = world.requester.clone();
        let tenant = world.tenant.id;
        tasks.push(tokio::spawn(async move {
            let mut numbers = Vec::with_capacity(TICKETS_PER_TASK);
            for i in 0..TICKETS_PER_TASK {
                let ticket = service
                    .open(
                        &requester,
                        tenant,
                        NewTicket {
                            subject: format!("task {task} ticket {i}"),
                            description: "<p>concurrent</p>".into(),
                            ..Default::default()
                        },
                        vec![],
                    )
                    .await
                    .expect("opening a ticket");
                numbers.push(ticket.number.get());
            }
            numbers
        }));
    }
    let mut all = BTreeSet::new();
    for task in tasks {
        let numbers = task.await.expect("a writer task");
        assert!(
            numbers.windows(2).all(|w| w[0] < w[1]),
            "numbers one writer gets must increase: {numbers:?}"
        );
        all.extend(numbers);
    }
    let total = (TASKS * TICKETS_PER_TASK) as u64;
    assert_eq!(all.len() as u64, total, "every ticket has its own number");
    assert_eq!(
        all.into_iter().collect::<Vec<_>>(),
        (1..=total).collect::<Vec<_>>(),
        "numbers run from 1 without a gap"
    );
}

/// Two writers save the same version from two stores: exactly one wins, the other gets
/// a conflict naming the stored version and writes nothing; it reloads, retries and
/// nothing is lost.
async fn two_writers_on_one_version_give_exactly_one_conflict(
    a: Arc<dyn Store>,
    b: Arc<dyn Store>,
) {
    let world = World::new(a.clone()).await;
    let opened = world
        .service
        .open(
            &world.requester,
            world.tenant.id,
            NewTicket {
                subject: "Race".into(),
                description: "<p>two writers</p>".into(),
                ..Default::default()
            },
            vec![],
        )
        .await
        .expect("opening");
    let read = a.ticket(opened.id).await.unwrap().expect("the ticket");
    let before = a.timeline(read.id).await.unwrap().len();

    let change = |text: &str| {
        let mut next = read.clone();
        next.version += 1;
        next.updated_at = Utc::now();
        let event = reply(read.id, &next, text);
        (next, vec![event])
    };
    let (ticket_a, events_a) = change("alpha");
    let (ticket_b, events_b) = change("beta");
    let (result_a, result_b) = tokio::join!(
        a.save_ticket(TicketChange {
            ticket: &ticket_a,
            expected_version: read.version,
            events: &events_a,
            outbox: &[],
            attachments: &[],
            request_fingerprint: None,
        }),
        b.save_ticket(TicketChange {
            ticket: &ticket_b,
            expected_version: read.version,
            events: &events_b,
            outbox: &[],
            attachments: &[],
            request_fingerprint: None,
        }),
    );
    let (winner, conflict) = match (&result_a, &result_b) {
        (Ok(()), Err(e)) => (&events_a, e),
        (Err(e), Ok(())) => (&events_b, e),
        other => panic!("exactly one writer must win: {other:?}"),
    };
    assert!(
        matches!(
            conflict,
            Error::VersionConflict { expected, actual }
                if *expected == read.version && *actual == read.version + 1
        ),
        "the loser is told the version it read and the stored one: {conflict:?}"
    );
    let timeline = a.timeline(read.id).await.unwrap();
    assert_eq!(
        timeline.len(),
        before + 1,
        "only the winner's event is written"
    );
    assert_eq!(timeline.last().map(|e| e.id), winner.first().map(|e| e.id));

    // The loser reloads and tries again: both replies are kept.
    let fresh = b.ticket(read.id).await.unwrap().expect("the ticket");
    let mut retry = fresh.clone();
    retry.version += 1;
    let events = vec![reply(read.id, &retry, "retried")];
    b.save_ticket(TicketChange {
        ticket: &retry,
        expected_version: fresh.version,
        events: &events,
        outbox: &[],
        attachments: &[],
        request_fingerprint: None,
    })
    .await
    .expect("the retry on the current version");
    let timeline = a.timeline(read.id).await.unwrap();
    assert_eq!(timeline.len(), before + 2);
    assert_eq!(
        a.ticket(read.id).await.unwrap().map(|t| t.version),
        Some(read.version + 2)
    );
}

const PEOPLE: usize = 8;
const REPLIES_EACH: usize = 4;

/// Eight people (the requester and seven agents) reply to one ticket at the same moment,
/// through two stores, without `If-Match`: every reply is accepted, none is lost, and
/// the ticket's version counts them all. Then a requester's conditional reply on the
/// version they saw succeeds although staff added internal notes meanwhile.
async fn blind_replies_from_many_people_at_once_all_succeed(a: Arc<dyn Store>, b: Arc<dyn Store>) {
    let world = World::new(a.clone()).await;
    let services = [world.service.clone(), HelpdeskService::new(b)];
    let opened = world
        .service
        .open(
            &world.requester,
            world.tenant.id,
            NewTicket {
                subject: "Everyone at once".into(),
                description: "<p>many replies</p>".into(),
                ..Default::default()
            },
            vec![],
        )
        .await
        .expect("opening");
    let mut people = vec![world.requester.clone()];
    for i in 1..PEOPLE {
        let staff = world
            .service
            .add_staff(
                &world.root,
                StaffDetails {
                    user: &UserId::new(&format!("agent-{i}-{}", world.tenant.slug)).unwrap(),
                    display_name: &format!("Agent {i}"),
                    email: None,
                    role: StaffRole::Agent,
                    tenants: TenantScope::Only(vec![world.tenant.id]),
                    groups: vec![],
                },
            )
            .await
            .expect("adding an agent");
        people.push(Actor::Staff(staff));
    }
    let start = Arc::new(tokio::sync::Barrier::new(PEOPLE));
    let mut tasks = Vec::new();
    for (i, person) in people.into_iter().enumerate() {
        let service = services[i % 2].clone();
        let start = start.clone();
        let id = opened.id;
        tasks.push(tokio::spawn(async move {
            start.wait().await;
            for n in 0..REPLIES_EACH {
                service
                    .reply(
                        &person,
                        id,
                        None,
                        &format!("<p>reply {n} by {i}</p>"),
                        vec![],
                    )
                    .await
                    .unwrap_or_else(|e| panic!("blind reply {n} by person {i} refused: {e}"));
            }
        }));
    }
    for task in tasks {
        task.await.expect("a replying task");
    }
    let timeline = a.timeline(opened.id).await.unwrap();
    let replies = timeline
        .iter()
        .filter(|e| matches!(e.kind, EventKind::Replied { .. }))
        .count();
    assert_eq!(
        replies,
        PEOPLE * REPLIES_EACH,
        "every reply is in the timeline"
    );
    let stored = a.ticket(opened.id).await.unwrap().expect("the ticket");
    assert_eq!(stored.version, 1 + (PEOPLE * REPLIES_EACH) as u64);

    // The requester read the ticket; staff add notes; the requester's conditional reply
    // on what they read is not stale.
    let seen = services[0]
        .ticket(&world.requester, opened.id)
        .await
        .unwrap()
        .ticket;
    let agent = services[1]
        .actor(
            &UserId::new(&format!("agent-1-{}", world.tenant.slug)).unwrap(),
            None,
        )
        .await
        .unwrap();
    services[1]
        .add_note(&agent, opened.id, None, "<p>internal</p>", vec![])
        .await
        .unwrap();
    services[0]
        .reply(
            &world.requester,
            opened.id,
            Some(seen.version),
            "<p>conditional</p>",
            vec![],
        )
        .await
        .expect("a conditional reply on the version the requester observes");
}

/// Writers on two stores each change one field of the same staff member, many times
/// over: every writer's last value is what is stored at the end. A merge that wrote the
/// whole record read earlier would put back another writer's stale field.
async fn concurrent_staff_updates_of_different_fields_all_land(
    a: Arc<dyn Store>,
    b: Arc<dyn Store>,
) {
    const ROUNDS: usize = 15;
    let world = World::new(a).await;
    let services = [world.service.clone(), HelpdeskService::new(b)];
    let root = world.root.clone();
    let groups = [
        world.service.create_group(&root, "One").await.unwrap().id,
        world.service.create_group(&root, "Two").await.unwrap().id,
    ];
    let user = UserId::new(&format!("staff-{}", uuid::Uuid::now_v7().simple())).unwrap();
    let staff = world
        .service
        .add_staff(
            &root,
            StaffDetails {
                user: &user,
                display_name: "Sam",
                email: None,
                role: StaffRole::Agent,
                tenants: TenantScope::All,
                groups: vec![],
            },
        )
        .await
        .unwrap();
    let change = move |field: usize, round: usize| match field {
        0 => StaffChanges {
            display_name: Some(format!("Sam {round}")),
            ..Default::default()
        },
        1 => StaffChanges {
            email: Some(Some(format!("sam{round}@support.example"))),
            ..Default::default()
        },
        2 => StaffChanges {
            groups: Some(vec![groups[round % 2]]),
            ..Default::default()
        },
        3 => StaffChanges {
            active: Some(round.is_multiple_of(2)),
            ..Default::default()
        },
        _ => StaffChanges {
            tenants: Some(if round.is_multiple_of(2) {
                TenantScope::Only(vec![world.tenant.id])
            } else {
                TenantScope::All
            }),
            ..Default::default()
        },
    };
    let mut tasks = Vec::new();
    for field in 0..5 {
        let service = services[field % 2].clone();
        let root = root.clone();
        tasks.push(tokio::spawn(async move {
            for round in 0..ROUNDS {
                service
                    .update_staff(&root, staff.id, change(field, round))
                    .await
                    .expect("a staff update");
            }
        }));
    }
    for task in tasks {
        task.await.expect("a writer task");
    }
    let last = ROUNDS - 1;
    let stored = world.service.staff_member(&root, staff.id).await.unwrap();
    assert_eq!(stored.display_name, format!("Sam {last}"));
    assert_eq!(stored.email, Some(format!("sam{last}@support.example")));
    assert_eq!(stored.groups, vec![groups[last % 2]]);
    assert_eq!(stored.active, last.is_multiple_of(2));
    assert_eq!(stored.tenants, TenantScope::Only(vec![world.tenant.id]));
    assert_eq!(stored.role, StaffRole::Agent);
}

fn reply(ticket: TicketId, next: &helpdesk_core::Ticket, text: &str) -> TimelineEvent {
    TimelineEvent {
        id: EventId::new(),
        ticket,
        tenant: next.tenant,
        at: next.updated_at,
        author: ActorRef::System,
        status_change: None,
        kind: EventKind::Replied {
            body: RichText::sanitize(&format!("<p>{text}</p>")).unwrap(),
        },
    }
}

#[cfg(feature = "sqlite")]
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_file_eight_writers_get_distinct_increasing_numbers() {
    let file = SqliteFile::new().await;
    eight_writers_get_distinct_increasing_numbers(
        Arc::new(file.store().await),
        Arc::new(file.store().await),
    )
    .await;
}

#[cfg(feature = "sqlite")]
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_file_two_writers_on_one_version_give_exactly_one_conflict() {
    let file = SqliteFile::new().await;
    two_writers_on_one_version_give_exactly_one_conflict(
        Arc::new(file.store().await),
        Arc::new(file.store().await),
    )
    .await;
}

#[cfg(feature = "sqlite")]
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_file_blind_replies_from_many_people_at_once_all_succeed() {
    let file = SqliteFile::new().await;
    blind_replies_from_many_people_at_once_all_succeed(
        Arc::new(file.store().await),
        Arc::new(file.store().await),
    )
    .await;
}

#[cfg(feature = "sqlite")]
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_file_concurrent_staff_updates_of_different_fields_all_land() {
    let file = SqliteFile::new().await;
    concurrent_staff_updates_of_different_fields_all_land(
        Arc::new(file.store().await),
        Arc::new(file.store().await),
    )
    .await;
}

#[cfg(feature = "postgres")]
mod postgres {
    use super::*;
    use crate::support::postgres::{TestDatabase, url};

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn postgres_eight_writers_on_two_pools_get_distinct_increasing_numbers() {
        let Some(url) = url("8 concurrent writers") else {
            return;
        };
        let db = TestDatabase::create(&url).await;
        let a = db.store().await;
        a.migrate().await.unwrap();
        let b = db.store().await;
        eight_writers_get_distinct_increasing_numbers(Arc::new(a), Arc::new(b)).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn postgres_blind_replies_from_many_people_at_once_all_succeed() {
        let Some(url) = url("concurrent blind replies") else {
            return;
        };
        let db = TestDatabase::create(&url).await;
        let a = db.store().await;
        a.migrate().await.unwrap();
        let b = db.store().await;
        blind_replies_from_many_people_at_once_all_succeed(Arc::new(a), Arc::new(b)).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn postgres_two_pools_on_one_version_give_exactly_one_conflict() {
        let Some(url) = url("two writers on one version") else {
            return;
        };
        let db = TestDatabase::create(&url).await;
        let a = db.store().await;
        a.migrate().await.unwrap();
        let b = db.store().await;
        two_writers_on_one_version_give_exactly_one_conflict(Arc::new(a), Arc::new(b)).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn postgres_concurrent_staff_updates_of_different_fields_all_land() {
        let Some(url) = url("concurrent staff updates") else {
            return;
        };
        let db = TestDatabase::create(&url).await;
        let a = db.store().await;
        a.migrate().await.unwrap();
        let b = db.store().await;
        concurrent_staff_updates_of_different_fields_all_land(Arc::new(a), Arc::new(b)).await;
    }
}
