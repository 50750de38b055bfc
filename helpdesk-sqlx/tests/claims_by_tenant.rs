//! The worker's claim of due outbox messages, on SQLite and PostgreSQL: messages of
//! several tenants come back oldest first across them, and every statement that claims
//! (locks and marks rows) names the tenant, so that on a database distributed by tenant
//! it goes to one shard. Only the read of the due messages' keys, which locks nothing,
//! reads every tenant.
//!
//! Statements are read from sqlx's own per-statement events (target `sqlx::query`) by a
//! global `tracing` subscriber: one test in this binary, so nothing else runs
//! statements meanwhile.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use helpdesk_core::{
    ActorRef, EventId, EventKind, MemberId, OutboxId, OutboxMessage, Recipient, Store, TenantId,
    TicketChange, TimelineEvent,
};
use support::statements::Statements;

/// Opens a ticket of `tenant` at `second` with one message to its requester; the
/// message.
async fn queue_message(
    store: &dyn Store,
    tenant: TenantId,
    requester: MemberId,
    second: usize,
) -> OutboxId {
    let ticket = support::ticket_at(tenant, requester, second, "Imprimante bloquée");
    let opened = TimelineEvent {
        id: EventId::new(),
        ticket: ticket.id,
        tenant,
        at: ticket.created_at,
        author: ActorRef::Member(requester),
        status_change: None,
        kind: EventKind::Opened,
    };
    let message = OutboxMessage {
        id: OutboxId::new(),
        tenant,
        ticket: ticket.id,
        event: opened.id,
        recipients: vec![Recipient::Member(requester)],
        created_at: ticket.created_at,
        attempts: 0,
        next_attempt_at: ticket.created_at,
        last_error: None,
        dead_at: None,
    };
    store
        .open_ticket(TicketChange {
            ticket: &ticket,
            expected_version: 0,
            events: std::slice::from_ref(&opened),
            outbox: std::slice::from_ref(&message),
            attachments: &[],
            request_fingerprint: None,
        })
        .await
        .expect("the ticket opens");
    message.id
}

async fn claims_name_their_tenant(store: Arc<dyn Store>, statements: &Statements) {
    let mut tenants = Vec::new();
    for _ in 0..3 {
        tenants.push(support::World::new(store.clone()).await);
    }
    // Interleaved in time: tenant k's messages at seconds k, k + 3, k + 6...
    let mut queued = Vec::new();
    for second in 0..12 {
        let world = &tenants[second % 3];
        let ActorRef::Member(requester) = world.requester.reference() else {
            panic!("the requester is a member");
        };
        queued.push(queue_message(store.as_ref(), world.tenant.id, requester, second).await);
    }
    let now = Utc.timestamp_opt(1_800_000_000, 0).single().unwrap();
    let lease = now + chrono::Duration::minutes(5);

    statements.take();
    let first = store.claim_due_messages(now, lease, 7).await.unwrap();
    let sql = statements.take();
    let second = store.claim_due_messages(now, lease, 100).await.unwrap();

    let ids = |claimed: &[OutboxMessage]| claimed.iter().map(|m| m.id).collect::<Vec<_>>();
    assert_eq!(ids(&first), queued[..7], "the seven oldest, across tenants");
    assert_eq!(ids(&second), queued[7..], "the rest, once each");
    assert!(
        store
            .claim_due_messages(now, lease, 100)
            .await
            .unwrap()
            .is_empty(),
        "claimed messages are not handed out again while their lease runs"
    );

    let outbox: Vec<&String> = sql
        .iter()
        .filter(|s| s.contains("helpdesk_outbox"))
        .collect();
    let claims: Vec<&&String> = outbox
        .iter()
        .filter(|s| s.starts_with("UPDATE") || s.contains("FOR UPDATE"))
        .collect();
    assert_eq!(claims.len(), 3, "one claim per tenant: {outbox:#?}");
    for claim in &claims {
        assert!(
            claim.contains("WHERE tenant_id = $2 AND id IN (SELECT id FROM helpdesk_outbox WHERE tenant_id = $2"),
            "a claim names its tenant, in the rows it locks too: {claim}"
        );
    }
    let reads: Vec<&&String> = outbox.iter().filter(|s| !claims.contains(s)).collect();
    assert_eq!(reads.len(), 1, "{outbox:#?}");
    assert!(
        reads[0].starts_with("SELECT tenant_id, id FROM helpdesk_outbox")
            && !reads[0].contains("FOR UPDATE"),
        "the read across tenants locks nothing: {}",
        reads[0]
    );
}

#[test]
fn the_claim_of_due_messages_locks_rows_tenant_by_tenant() {
    let statements = Statements::install();
    support::on_sqlite_memory(|store, runtime| {
        runtime.block_on(claims_name_their_tenant(store, &statements));
    });
    support::on_postgres("claims by tenant", |store, runtime| {
        runtime.block_on(claims_name_their_tenant(store, &statements));
    });
}
