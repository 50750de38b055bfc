//! How many SQL statements one command sends, on SQLite and PostgreSQL: opening a ticket
//! and replying to one, through [`HelpdeskService`]. The counts are constant (the same
//! with 2 or 20 guests and events on the ticket) and pinned to the minimum reached, so a
//! change that adds a round trip to the write path fails here.
//!
//! Statements are counted from sqlx's own per-statement events (target `sqlx::query`,
//! `BEGIN` and `COMMIT` included) by a global `tracing` subscriber: one test in this
//! binary, so nothing else runs statements meanwhile (SQLite runs its statements on a
//! worker thread, which a thread-local subscriber would miss).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::Arc;
use std::time::Duration;

use helpdesk_core::testing::{MemberSeed, Seed, StaffSeed};
use helpdesk_core::{Actor, HelpdeskService, MemberRole, NewTicket, Store, TicketId};
use support::statements::Statements;

/// Statements per command, as reached: opening a ticket, replying to one.
///
/// Before (the count, through the service): SQLite open 8 + BEGIN/COMMIT, reply
/// 12 with 2 guests and 30 with 20; PostgreSQL open 9, reply 13 and 31 (BEGIN goes out
/// with the first statement). After: SQLite open = the counter, then the ticket, its
/// event and its full-text row as one batch (one call to the connection's thread, which
/// sqlx reports once; `BEGIN IMMEDIATE` and `COMMIT` are not reported by sqlx-sqlite);
/// reply = read the ticket, update it (the version check), then events, outbox and
/// full-text row as one batch. PostgreSQL open = one statement; reply = read the ticket,
/// one statement.
struct Expected {
    open: usize,
    reply: usize,
}

#[cfg(feature = "sqlite")]
const SQLITE: Expected = Expected { open: 2, reply: 3 };
#[cfg(feature = "postgres")]
const POSTGRES: Expected = Expected { open: 1, reply: 2 };

/// A tenant with a requester, an agent and 20 more members to invite as guests.
async fn seeded(store: Arc<dyn Store>) -> (HelpdeskService, Actor, Actor, Vec<Actor>, String) {
    let slug = format!("t-{}", uuid::Uuid::now_v7().simple());
    // Lookups kept for the whole test: the counts below are those of a warm service (a
    // cold one adds the tenant and its webhook endpoints, one statement each).
    let service = HelpdeskService::new(store).with_lookup_ttl(Duration::from_secs(3600));
    let mut seed = Seed::new(service)
        .tenant(&slug, "Acme")
        .member_seed(MemberSeed::new(&slug, "alice", MemberRole::Requester).named("Alice"))
        .staff(StaffSeed::agent("agent").named("Agent"));
    for i in 0..20 {
        seed = seed.member_seed(
            MemberSeed::new(&slug, &format!("guest{i}"), MemberRole::Requester)
                .email(Some(&format!("guest{i}@acme.example"))),
        );
    }
    let world = seed.build().await.expect("seeding");
    let guests = (0..20).map(|i| world.actor(&format!("guest{i}"))).collect();
    (
        world.service.clone(),
        world.actor("alice"),
        world.actor("agent"),
        guests,
        slug,
    )
}

fn draft(subject: &str, description: &str) -> NewTicket {
    NewTicket {
        subject: subject.to_owned(),
        description: description.to_owned(),
        ..Default::default()
    }
}

fn member_id(actor: &Actor) -> helpdesk_core::MemberId {
    match actor {
        Actor::Member(m) => m.id,
        _ => panic!("a member"),
    }
}

/// A ticket with `people` guests and `people` replies.
async fn ticket_with(
    service: &HelpdeskService,
    alice: &Actor,
    agent: &Actor,
    guests: &[Actor],
    people: usize,
) -> TicketId {
    let Actor::Member(m) = alice else {
        panic!("a member")
    };
    let ticket = service
        .open(alice, m.tenant, draft("Printer", "<p>Jammed</p>"), vec![])
        .await
        .expect("opening");
    for guest in &guests[..people] {
        service
            .invite_guest(agent, ticket.id, None, member_id(guest))
            .await
            .expect("inviting");
        service
            .reply(agent, ticket.id, None, "<p>Looking</p>", vec![])
            .await
            .expect("replying");
    }
    ticket.id
}

async fn count(store: Arc<dyn Store>, statements: &Statements, what: &str) -> Expected {
    let (service, alice, agent, guests, _) = seeded(store).await;
    let Actor::Member(m) = &alice else {
        panic!("a member")
    };
    let few = ticket_with(&service, &alice, &agent, &guests, 2).await;
    let many = ticket_with(&service, &alice, &agent, &guests, 20).await;

    statements.take();
    service
        .open(&alice, m.tenant, draft("Screen", "<p>Dark</p>"), vec![])
        .await
        .expect("opening");
    let open = statements.take();

    let mut replies = Vec::new();
    for ticket in [few, many] {
        service
            .reply(&alice, ticket, None, "<p>Still jammed</p>", vec![])
            .await
            .expect("replying");
        replies.push(statements.take());
    }
    eprintln!("{what}: open = {} statements: {open:#?}", open.len());
    eprintln!(
        "{what}: reply = {} statements (20 guests and events): {:#?}",
        replies[1].len(),
        replies[1]
    );
    eprintln!("{what}: reply with 2 guests = {}", replies[0].len());
    assert_eq!(
        replies[0].len(),
        replies[1].len(),
        "{what}: a reply sends as many statements with 2 or 20 guests and events"
    );
    Expected {
        open: open.len(),
        reply: replies[1].len(),
    }
}

#[test]
fn one_open_and_one_reply_send_a_constant_minimal_number_of_statements() {
    let statements = Statements::install();
    #[cfg(feature = "sqlite")]
    support::on_sqlite_memory(|store, runtime| {
        let found = runtime.block_on(count(store, &statements, "SQLite"));
        assert_eq!(
            (found.open, found.reply),
            (SQLITE.open, SQLITE.reply),
            "SQLite: statements for (open, reply)"
        );
    });
    #[cfg(feature = "postgres")]
    support::on_postgres("counting statements", |store, runtime| {
        let found = runtime.block_on(count(store, &statements, "PostgreSQL"));
        assert_eq!(
            (found.open, found.reply),
            (POSTGRES.open, POSTGRES.reply),
            "PostgreSQL: statements for (open, reply)"
        );
    });
}
