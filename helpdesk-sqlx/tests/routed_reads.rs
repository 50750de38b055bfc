//! Every statement that reads or writes a tenant's rows names the tenant, even for a
//! caller who holds only an id (`docs/distribution.md`, "Lookups by id"): a platform
//! admin and an agent of every tenant reading a ticket, its timeline and an attachment,
//! a mail adapter finding a reply's senders and writing the reply, and a platform admin
//! retrying a dead letter named with its tenant. Such a caller
//! reads the tenant from the table of tenants by id first, then the rows by their
//! `(tenant_id, id)` key: on a database distributed by tenant, one shard each, never
//! every shard.
//!
//! Statements are read from sqlx's own events by a global `tracing` subscriber: one test
//! of this binary runs statements, so that nothing else does meanwhile.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::Arc;

use helpdesk_core::testing::{MemberSeed, Seed, StaffSeed};
use helpdesk_core::{
    Actor, AfterFailure, AttachmentId, ContactRef, HelpdeskService, InboundReply, MemberRole,
    NewAttachment, NewTicket, Store,
};
use support::statements::Statements;

/// The tables a tenant owns (distributed by `tenant_id` in the document).
const TENANT_TABLES: &[&str] = &[
    "helpdesk_tickets",
    "helpdesk_ticket_counters",
    "helpdesk_ticket_guests",
    "helpdesk_events",
    "helpdesk_attachments",
    "helpdesk_outbox",
    "helpdesk_closure_answers",
    "helpdesk_tenant_choice_questions",
    "helpdesk_members",
    "helpdesk_categories",
    "helpdesk_products",
    "helpdesk_articles",
    "helpdesk_saved_searches",
    "helpdesk_webhooks",
    "helpdesk_dashboard_tallies",
    "helpdesk_dashboard_month_tallies",
    "helpdesk_dashboard_answer_tallies",
    "helpdesk_dashboard_answer_marks",
];

/// The tenant tables `sql` names, as whole words.
fn tenant_tables(sql: &str) -> Vec<&'static str> {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    TENANT_TABLES
        .iter()
        .copied()
        .filter(|table| {
            sql.match_indices(table).any(|(at, _)| {
                let before = sql[..at].chars().next_back().is_none_or(|c| !ident(c));
                let after = sql[at + table.len()..]
                    .chars()
                    .next()
                    .is_none_or(|c| !ident(c));
                before && after
            })
        })
        .collect()
}

/// Whether `sql`, which names a tenant table, names the tenant where it picks rows: in
/// the condition of a read, an update or a delete, in the columns of an insert.
fn names_the_tenant(sql: &str) -> bool {
    let head = sql.trim_start().to_ascii_uppercase();
    if head.starts_with("INSERT") || head.starts_with("WITH") {
        return sql.contains("tenant_id");
    }
    sql.split_once(" WHERE ")
        .is_some_and(|(_, condition)| condition.contains("tenant_id"))
}

/// The statements of `step` that read or write a tenant's rows without naming it.
fn unrouted(statements: &[String]) -> Vec<&String> {
    statements
        .iter()
        .filter(|sql| !tenant_tables(sql).is_empty() && !names_the_tenant(sql))
        .collect()
}

fn file() -> NewAttachment {
    NewAttachment {
        id: AttachmentId::new(),
        file_name: "capture.png".to_owned(),
        content_type: "image/png".to_owned(),
        size: 12,
    }
}

/// Runs each step by id alone and checks its statements; `what` names the database.
async fn by_id_alone(store: Arc<dyn Store>, statements: &Statements, what: &str) {
    let slug = format!("t-{}", uuid::Uuid::now_v7().simple());
    let world = Seed::new(HelpdeskService::new(store.clone()))
        .tenant(&slug, "Acme")
        .member_seed(
            MemberSeed::new(&slug, "alice", MemberRole::Requester)
                .named("Alice")
                .email(Some("alice@acme.example")),
        )
        .staff(StaffSeed::agent("agent").named("Agent"))
        .build()
        .await
        .expect("seeding");
    let service = &world.service;
    let (alice, root, agent) = (
        world.actor("alice"),
        world.root.clone(),
        world.actor("agent"),
    );
    let Actor::Member(member) = &alice else {
        panic!("a member")
    };
    let attached = file();
    let ticket = service
        .open(
            &alice,
            member.tenant,
            NewTicket {
                subject: "Imprimante".to_owned(),
                description: "<p>Bloquée</p>".to_owned(),
                ..Default::default()
            },
            vec![attached.clone()],
        )
        .await
        .expect("opening");
    // The answer notifies alice; her notification is given up on.
    service
        .reply(&root, ticket.id, None, "<p>On regarde</p>", vec![])
        .await
        .expect("answering");
    let far = chrono::Utc::now() + chrono::Duration::days(1);
    let claimed = store
        .claim_due_messages(far, far, 1)
        .await
        .expect("claiming");
    let [letter] = &claimed[..] else {
        panic!("{what}: the answer's notification is due")
    };
    store
        .mark_failed(
            letter.tenant,
            letter.id,
            "550 mailbox unavailable",
            AfterFailure::DeadLetter(far),
        )
        .await
        .expect("giving up");
    statements.take();

    let mut seen = Vec::new();
    for (who, actor) in [("platform admin", &root), ("agent of every tenant", &agent)] {
        let view = service.ticket(actor, ticket.id).await.expect("the ticket");
        assert_eq!(view.ticket.id, ticket.id, "{what}: {who} reads the ticket");
        seen.push((format!("{who}: the ticket"), statements.take()));
        let found = service
            .attachment(actor, attached.id)
            .await
            .expect("the attachment");
        assert_eq!(found.id, attached.id, "{what}: {who} reads the attachment");
        seen.push((format!("{who}: the attachment"), statements.take()));
    }
    let senders = service
        .mail_senders(ticket.id, "alice@acme.example")
        .await
        .expect("the senders");
    assert_eq!(senders, vec![ContactRef::Member(member.id)]);
    seen.push(("mail: the senders".to_owned(), statements.take()));
    let replied = service
        .reply_by_mail(InboundReply {
            ticket: ticket.id,
            recipient: ContactRef::Member(member.id),
            sender: "alice@acme.example".to_owned(),
            message_id: "<reply-1@acme.example>".to_owned(),
            text: "Toujours bloquée".to_owned(),
            attachments: Vec::new(),
        })
        .await
        .expect("the reply by mail");
    assert_eq!(replied.id, ticket.id);
    seen.push(("mail: the reply".to_owned(), statements.take()));
    let retried = service
        .retry_dead_letter(&root, Some(letter.tenant), letter.id)
        .await
        .expect("the retry");
    assert_eq!((retried.id, retried.dead_at), (letter.id, None));
    seen.push((
        "platform admin: a dead letter retried, its tenant named".to_owned(),
        statements.take(),
    ));

    for (step, sql) in &seen {
        assert!(!sql.is_empty(), "{what}, {step}: statements are read");
        assert_eq!(
            unrouted(sql),
            Vec::<&String>::new(),
            "{what}, {step}: a tenant's rows read or written without the tenant"
        );
    }
    let by_id = |table: &str| {
        seen.iter()
            .flat_map(|(_, sql)| sql)
            .any(|sql| sql.contains(&format!("FROM {table} WHERE id = ")))
    };
    assert!(
        by_id("helpdesk_ticket_tenants") && by_id("helpdesk_attachment_tenants"),
        "{what}: the tenant was read by id first"
    );
}

#[test]
fn the_checker_tells_a_routed_statement_from_one_without_the_tenant() {
    let routed = [
        "SELECT tenant_id FROM helpdesk_ticket_tenants WHERE id = $1",
        "SELECT t.id FROM helpdesk_tickets t WHERE t.tenant_id = $1 AND t.id = $2",
        "INSERT INTO helpdesk_events (tenant_id, ticket_id) VALUES ($1, $2)",
        "SELECT id, name FROM helpdesk_groups WHERE id = $1",
    ];
    let unrouted_ones = [
        "SELECT t.tenant_id, t.id FROM helpdesk_tickets t WHERE t.id = $1",
        "SELECT * FROM helpdesk_attachments WHERE id = $1",
        "DELETE FROM helpdesk_outbox",
    ];
    let all: Vec<String> = routed
        .iter()
        .chain(&unrouted_ones)
        .map(|s| (*s).to_owned())
        .collect();
    let found: Vec<&str> = unrouted(&all).into_iter().map(String::as_str).collect();
    assert_eq!(found, unrouted_ones);
}

#[test]
fn a_caller_with_only_an_id_reads_every_row_by_its_tenant() {
    let statements = Statements::install();
    #[cfg(feature = "sqlite")]
    support::on_sqlite_memory(|store, runtime| {
        runtime.block_on(by_id_alone(store, &statements, "SQLite"));
    });
    #[cfg(feature = "postgres")]
    support::on_postgres("reads by id routed by tenant", |store, runtime| {
        runtime.block_on(by_id_alone(store, &statements, "PostgreSQL"));
    });
}
