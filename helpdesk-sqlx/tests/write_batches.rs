//! On SQLite a ticket write goes out as a batch of statements in one transaction (the
//! ticket row, then the rows beside it and its words): a statement of the batch that
//! fails must take the whole change back. Here a reply whose attachment id is already
//! stored is refused as `AlreadyExists(Attachment)` and leaves the ticket, its timeline
//! and its attachments as they were; a retried idempotent open is refused and uses up no
//! number. The same on PostgreSQL, whose writes are one statement.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::Arc;

use helpdesk_core::testing::{MemberSeed, Seed, StaffSeed};
use helpdesk_core::{
    Actor, AttachmentId, Entity, Error, HelpdeskService, MemberRole, NewAttachment, NewTicket,
    Store,
};

fn file(id: AttachmentId) -> NewAttachment {
    NewAttachment {
        id,
        file_name: "capture.png".to_owned(),
        content_type: "image/png".to_owned(),
        size: 12,
    }
}

async fn a_failed_batch_writes_nothing(store: Arc<dyn Store>) {
    let slug = format!("t-{}", uuid::Uuid::now_v7().simple());
    let world = Seed::new(HelpdeskService::new(store))
        .tenant(&slug, "Acme")
        .member_seed(MemberSeed::new(&slug, "alice", MemberRole::Requester).named("Alice"))
        .staff(StaffSeed::agent("agent").named("Agent"))
        .build()
        .await
        .expect("seeding");
    let (service, alice, agent) = (&world.service, world.actor("alice"), world.actor("agent"));
    let Actor::Member(m) = &alice else {
        panic!("a member")
    };
    let draft = |key: &str| NewTicket {
        subject: "Imprimante".to_owned(),
        description: "<p>Bloquée</p>".to_owned(),
        idempotency_key: Some(key.to_owned()),
        ..Default::default()
    };
    let ticket = service
        .open(&alice, m.tenant, draft("first"), vec![])
        .await
        .expect("opening");
    let taken = AttachmentId::new();
    service
        .reply(&agent, ticket.id, None, "<p>Voici</p>", vec![file(taken)])
        .await
        .expect("a reply with a file");
    let before = service.ticket(&agent, ticket.id).await.expect("reading");

    let refused = service
        .reply(&agent, ticket.id, None, "<p>Encore</p>", vec![file(taken)])
        .await;
    assert!(
        matches!(refused, Err(Error::AlreadyExists(Entity::Attachment))),
        "a reply whose attachment id is taken is refused, got {refused:?}"
    );
    let after = service.ticket(&agent, ticket.id).await.expect("reading");
    assert_eq!(after.ticket, before.ticket, "the ticket is as it was");
    assert_eq!(after.timeline, before.timeline, "no event was added");
    assert_eq!(after.attachments, before.attachments, "no file was added");

    // A retried open answers with the ticket first opened, and the next open takes the
    // next number: the retry used none up.
    let retried = service
        .open(&alice, m.tenant, draft("first"), vec![])
        .await
        .expect("a retried open");
    assert_eq!(retried.id, ticket.id);
    let next = service
        .open(&alice, m.tenant, draft("second"), vec![])
        .await
        .expect("opening");
    assert_eq!(next.number.get(), ticket.number.get() + 1);
}

#[cfg(feature = "sqlite")]
#[test]
fn sqlite_a_failed_batch_writes_nothing() {
    support::on_sqlite_memory(|store, runtime| {
        runtime.block_on(a_failed_batch_writes_nothing(store))
    });
}

#[cfg(feature = "postgres")]
#[test]
fn postgres_a_failed_write_writes_nothing() {
    support::on_postgres("a failed write", |store, runtime| {
        runtime.block_on(a_failed_batch_writes_nothing(store))
    });
}
