//! What the test files share: fresh SQLite databases, and PostgreSQL databases made and
//! dropped per test.
#![allow(dead_code, unreachable_pub)]

#[cfg(feature = "postgres")]
pub mod postgres;
pub mod statements;

use std::sync::Arc;

use std::collections::BTreeMap;

use chrono::{TimeZone, Utc};
use helpdesk_core::testing::{FaultyStore, MemberSeed, Seed};
use helpdesk_core::{
    Actor, ActorRef, EventId, EventKind, HelpdeskService, MemberId, MemberRole, Priority, RichText,
    Store, Tenant, TenantId, Ticket, TicketChange, TicketId, TicketNumber, TicketState,
    TimelineEvent,
};
#[cfg(feature = "sqlite")]
use helpdesk_sqlx::SqliteStore;
#[cfg(feature = "sqlite")]
use tempfile::TempDir;

/// A migrated SQLite database in a file of its own, in a directory removed at the end.
#[cfg(feature = "sqlite")]
pub struct SqliteFile {
    pub dir: TempDir,
    pub url: String,
}

#[cfg(feature = "sqlite")]
impl SqliteFile {
    pub async fn new() -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let url = format!("sqlite://{}", dir.path().join("helpdesk.db").display());
        let file = Self { dir, url };
        file.store()
            .await
            .migrate()
            .await
            .expect("migrating SQLite");
        file
    }

    /// A file not migrated yet.
    pub fn new_empty() -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let url = format!("sqlite://{}", dir.path().join("helpdesk.db").display());
        Self { dir, url }
    }

    /// A new pool on the file: each one is like another process.
    pub async fn store(&self) -> SqliteStore {
        SqliteStore::connect(&self.url)
            .await
            .expect("opening the SQLite file")
    }
}

/// A fresh, migrated in-memory SQLite store.
#[cfg(feature = "sqlite")]
pub async fn sqlite_memory() -> SqliteStore {
    let store = SqliteStore::in_memory()
        .await
        .expect("opening SQLite in memory");
    store.migrate().await.expect("migrating SQLite");
    store
}

/// A fresh, migrated PostgreSQL store in a database of its own on the server at `url`,
/// which goes when the store does.
#[cfg(feature = "postgres")]
pub async fn pg_migrated(url: &str) -> std::sync::Arc<FaultyStore> {
    let database = postgres::TestDatabase::create(url).await;
    let store = database.store().await;
    store.migrate().await.expect("migrating PostgreSQL");
    std::sync::Arc::new(FaultyStore::new(std::sync::Arc::new(store)).holding(database))
}

/// [`pg_migrated`]: the setup the conformance suite calls for every test.
#[cfg(feature = "postgres")]
pub async fn pg_fresh() -> std::sync::Arc<FaultyStore> {
    let url = postgres::url("the conformance suite").expect("built with a PostgreSQL URL");
    pg_migrated(&url).await
}

/// Runs `run` from a synchronous test on a fresh, migrated in-memory SQLite store.
#[cfg(feature = "sqlite")]
pub fn on_sqlite_memory(run: impl FnOnce(Arc<dyn Store>, &tokio::runtime::Runtime)) {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let store: Arc<dyn Store> = runtime.block_on(async { Arc::new(sqlite_memory().await) });
    run(store, &runtime);
}

/// Runs `run` from a synchronous test on a fresh, migrated PostgreSQL database of its
/// own, or says loudly that `what` was skipped.
#[cfg(feature = "postgres")]
pub fn on_postgres(what: &str, run: impl FnOnce(Arc<dyn Store>, &tokio::runtime::Runtime)) {
    let Some(url) = postgres::url(what) else {
        return;
    };
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let store = runtime.block_on(pg_migrated(&url));
    run(store, &runtime);
}

/// A tenant with one requester and a platform admin, through the service.
pub struct World {
    pub service: HelpdeskService,
    pub root: Actor,
    pub tenant: Tenant,
    pub requester: Actor,
}

impl World {
    pub async fn new(store: Arc<dyn Store>) -> Self {
        let slug = format!("t-{}", uuid::Uuid::now_v7().simple());
        let alice = format!("alice-{slug}");
        let world = Seed::new(HelpdeskService::new(store))
            .tenant(&slug, "Acme")
            .member_seed(
                MemberSeed::new(&slug, &alice, MemberRole::Requester)
                    .named("Alice")
                    .email(Some("alice@acme.example")),
            )
            .build()
            .await
            .expect("seeding a tenant and a requester");
        Self {
            tenant: world.tenant_record(&slug).clone(),
            requester: world.actor(&alice),
            root: world.root,
            service: world.service,
        }
    }
}

/// The words of a ticket [`open_with_text`] opens.
pub struct TicketText<'a> {
    /// Subject and description.
    pub subject: &'a str,
    /// A public reply, if any.
    pub reply: Option<&'a str>,
    /// An internal note.
    pub note: &'a str,
}

fn rich(text: &str) -> RichText {
    RichText::sanitize(&format!("<p>{text}</p>")).expect("plain text sanitizes")
}

/// A new ticket of `tenant` for `requester`, opened `second` seconds after a fixed time,
/// `subject` in its subject and description.
pub fn ticket_at(tenant: TenantId, requester: MemberId, second: usize, subject: &str) -> Ticket {
    let at = Utc
        .timestamp_opt(1_750_000_000 + second as i64, 0)
        .single()
        .expect("a valid time");
    Ticket {
        id: TicketId::new(),
        tenant,
        number: TicketNumber::FIRST,
        subject: subject.to_owned(),
        description: rich(subject),
        category: None,
        product: None,
        priority: Priority::Normal,
        state: TicketState::New,
        requester,
        assignee: None,
        group: None,
        guests: vec![],
        contact_phone: None,
        asset: None,
        custom_fields: BTreeMap::new(),
        opened_by: ActorRef::System,
        created_at: at,
        updated_at: at,
        version: 1,
        public_updated_at: at,
        public_version: 1,
        service_level: Default::default(),
    }
}

/// Opens a ticket of `tenant` for `requester` through the store port, opened `second`
/// seconds after a fixed time, with `text` in its subject and description, a reply and
/// an internal note.
pub async fn open_with_text(
    store: &dyn Store,
    tenant: TenantId,
    requester: MemberId,
    second: usize,
    text: TicketText<'_>,
) -> TicketId {
    let ticket = ticket_at(tenant, requester, second, text.subject);
    let at = ticket.created_at;
    let event = |kind| TimelineEvent {
        id: EventId::new(),
        ticket: ticket.id,
        tenant,
        at,
        author: ActorRef::System,
        status_change: None,
        kind,
    };
    let mut events = vec![event(EventKind::Opened)];
    if let Some(reply) = text.reply {
        events.push(event(EventKind::Replied { body: rich(reply) }));
    }
    events.push(event(EventKind::NoteAdded {
        body: rich(text.note),
    }));
    store
        .open_ticket(TicketChange {
            ticket: &ticket,
            expected_version: 0,
            events: &events,
            outbox: &[],
            attachments: &[],
            request_fingerprint: None,
        })
        .await
        .expect("the ticket opens");
    ticket.id
}

/// Opens `ticket` through the store port with its one `Opened` event, at its opening
/// time.
pub async fn open_ticket(store: &dyn Store, ticket: &Ticket) {
    let opened = TimelineEvent {
        id: EventId::new(),
        ticket: ticket.id,
        tenant: ticket.tenant,
        at: ticket.created_at,
        author: ActorRef::System,
        status_change: None,
        kind: EventKind::Opened,
    };
    store
        .open_ticket(TicketChange {
            ticket,
            expected_version: 0,
            events: std::slice::from_ref(&opened),
            outbox: &[],
            attachments: &[],
            request_fingerprint: None,
        })
        .await
        .expect("the ticket opens");
}
