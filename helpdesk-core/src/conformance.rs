//! The storage conformance suite: what every [`Store`] must do, written once and run
//! against each implementation (the in-memory store here, SQLite and PostgreSQL in
//! `helpdesk-sqlx`).
//!
//! Each check is a public async function that takes a freshly set-up, **empty** store
//! and panics with a message naming the promise the store broke. The
//! [`store_conformance_tests!`](crate::store_conformance_tests) macro turns every check
//! into its own `#[tokio::test]`, each on a store of its own, so the checks run in
//! parallel and a failure names the rule.
//!
//! # Running the suite against a store
//!
//! The store's crate needs `helpdesk-core` with the `testing` feature and `tokio` with
//! the `macros` and `rt` features as dev-dependencies. In a test file:
//!
//! ```text
//! // tests/conformance.rs of helpdesk-sqlx
//! use std::sync::Arc;
//!
//! // Called once per test: every test gets its own fresh, empty, migrated store.
//! async fn fresh_sqlite() -> Arc<helpdesk_sqlx::SqliteStore> {
//!     let store = helpdesk_sqlx::SqliteStore::in_memory().await.expect("opening SQLite");
//!     store.migrate().await.expect("migrating SQLite");
//!     Arc::new(store)
//! }
//!
//! helpdesk_core::store_conformance_tests!(fresh_sqlite());
//! ```
//!
//! The argument is any expression whose value is a future of `Arc<S>` for some
//! `S: Store` (or of `Arc<dyn Store>`): a call to an async function, or an
//! `async { ... }` block. It is evaluated afresh in every test. To run the suite for
//! several stores in one file, name a module for each:
//!
//! ```text
//! helpdesk_core::store_conformance_tests!(sqlite, fresh_sqlite());
//! helpdesk_core::store_conformance_tests!(postgres, fresh_postgres_database());
//! ```
//!
//! which gives tests such as `sqlite::a_stale_save_is_a_conflict_and_writes_nothing`.
//! The checks can also be called one by one, with a `&dyn Store`:
//! `helpdesk_core::conformance::search_returns_exactly_the_reference_results(&*store).await`.
//!
//! # What the checks assume
//!
//! The store is empty when a check starts (checks list every tenant and search with
//! [`Scope::Everything`]). Fixtures use timestamps with millisecond precision, sorted ASCII
//! names whose order is the same under byte order and linguistic collations, and only
//! rows whose references exist (tickets point at stored members, staff, groups,
//! categories and products), so a store with foreign keys passes too. Every dataset
//! holds at most a few hundred tickets.
//!
//! Beyond the port docs, the checks pin down what callers rely on: a timeline keeps the
//! order events were appended in, even for events of one save that share a time and
//! whose ids are not in order; a ticket's guests and a staff member's groups keep their
//! order; a search page's `next` is [`Cursor::after`] its last ticket; satisfaction
//! counts every approved closure in scope, whatever the month window; error variants
//! name the entity ([`Error::AlreadyExists`]`(`[`Entity::Tenant`]`)`...).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Debug;

use chrono::{DateTime, Duration, NaiveDate, Utc};

use crate::attachment::Attachment;
use crate::catalog::{Category, Product};
use crate::dashboard::{Dashboard, DashboardQuery, Month, MonthCount};
use crate::error::{Entity, Error};
use crate::ids::{
    AttachmentId, EventId, GroupId, MemberId, OutboxId, SavedSearchId, StaffId, TenantId, TicketId,
    TicketNumber,
};
use crate::knowledge::Article;
use crate::notify::{OutboxMessage, Recipient};
use crate::people::{ActorRef, Group, Member, MemberRole, Staff, StaffRole, TenantScope, UserId};
use crate::permissions::Scope;
use crate::ports::{Store, TicketChange};
use crate::questionnaire::{Answer, Answers, Question, QuestionKind, QuestionnaireDefinition};
use crate::search::{
    Cursor, PageRequest, SavedSearch, SearchCriteria, SearchQuery, contains_all, searchable_words,
};
use crate::status::{Priority, Status};
use crate::tenant::{ClosureMode, RequesterVisibility, Tenant, Window};
use crate::text::RichText;
use crate::ticket::{Closure, Ticket, TicketState};
use crate::timeline::{EventKind, FieldChange, StatusChange, TimelineEvent, Visibility};

/// Expands to one `#[tokio::test]` per check of [`conformance`](crate::conformance),
/// each on a fresh store.
///
/// `$setup` is an expression evaluated once per test whose value is a future of
/// `Arc<S>` where `S: Store` (or of `Arc<dyn Store>`): `fresh_store()` for an
/// `async fn fresh_store()`, or `async { ... }`. With a leading module name,
/// `store_conformance_tests!(sqlite, fresh_sqlite())`, the tests go into `mod sqlite`,
/// so one file can run the suite for several stores. The calling crate needs `tokio`
/// with the `macros` and `rt` features.
///
/// ```no_run
/// // tests/conformance_memory.rs of this crate:
/// helpdesk_core::store_conformance_tests!(async {
///     std::sync::Arc::new(helpdesk_core::memory::MemoryStore::new())
/// });
/// # fn main() {}
/// ```
#[macro_export]
macro_rules! store_conformance_tests {
    ($module:ident, $setup:expr $(,)?) => {
        mod $module {
            #[allow(unused_imports)]
            use super::*;

            $crate::store_conformance_tests!($setup);
        }
    };
    ($setup:expr $(,)?) => {
        $crate::__store_conformance_tests!(
            ($setup);
            tenants_are_unique_by_slug_and_listed_by_slug,
            members_are_unique_per_tenant_and_read_within_it,
            staff_are_unique_and_keep_their_tenants_and_groups,
            a_staff_update_made_from_a_stale_record_writes_nothing,
            groups_categories_and_products_round_trip,
            opened_tickets_are_numbered_per_tenant_with_everything_they_carry,
            a_stale_save_is_a_conflict_and_writes_nothing,
            a_retried_open_is_told_apart_by_its_request_fingerprint,
            saved_tickets_round_trip_every_state_event_and_attachment,
            search_returns_exactly_the_reference_results,
            search_folds_accents_and_keeps_internal_notes_to_staff,
            search_pages_stay_stable_while_tickets_are_inserted,
            search_pages_of_one_walk_through_everything,
            dashboard_counts_statuses_months_and_satisfaction,
            closures_due_are_the_tenants_oldest_pending_proposals,
            saved_searches_belong_to_their_owner,
            knowledge_base_articles_stay_in_their_tenant,
            outbox_hands_out_due_messages_oldest_first_and_records_failures,
        );
    };
}

/// Implementation detail of [`store_conformance_tests!`]: one test per named check.
#[doc(hidden)]
#[macro_export]
macro_rules! __store_conformance_tests {
    (($setup:expr); $($check:ident),+ $(,)?) => {
        $(
            #[::tokio::test]
            async fn $check() {
                let store: ::std::sync::Arc<dyn $crate::Store> = ($setup).await;
                $crate::conformance::$check(&*store).await;
            }
        )+
    };
}

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

/// Unwraps a result in a check, panicking with what was being done.
trait Must<T> {
    fn must(self, doing: &str) -> T;
}

impl<T, E: Debug> Must<T> for Result<T, E> {
    #[track_caller]
    fn must(self, doing: &str) -> T {
        match self {
            Ok(value) => value,
            Err(e) => panic!("{doing}: the store answered {e:?}"),
        }
    }
}

/// Unwraps an expected row.
trait Found<T> {
    fn found(self, what: &str) -> T;
}

impl<T> Found<T> for Option<T> {
    #[track_caller]
    fn found(self, what: &str) -> T {
        match self {
            Some(value) => value,
            None => panic!("{what} was not found"),
        }
    }
}

/// The "now" every check runs at: mid-month, so month windows are unambiguous.
fn now() -> DateTime<Utc> {
    utc(2025, 6, 15, 12, 0, 0)
}

fn utc(year: i32, month: u32, day: u32, hour: u32, min: u32, sec: u32) -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(year, month, day)
        .and_then(|d| d.and_hms_opt(hour, min, sec))
        .map(|d| d.and_utc())
        .found("a fixture date")
}

fn days(n: i64) -> Duration {
    Duration::days(n)
}

fn rich(html: &str) -> RichText {
    RichText::sanitize(html).must("sanitising a fixture")
}

fn user(id: &str) -> UserId {
    UserId::new(id).must("a fixture user id")
}

/// A small deterministic generator (SplitMix64): the same dataset on every store.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// A short label for a ticket in failure messages: its tenant's last id digits and its
/// number.
fn label(ticket: &Ticket) -> String {
    let tenant = ticket.tenant.as_uuid().simple().to_string();
    format!("{}#{}", &tenant[tenant.len() - 4..], ticket.number)
}

/// Sorts tickets in search order: newest opening first, then highest id.
fn newest_first(tickets: &mut [Ticket]) {
    tickets.sort_by_key(|t| std::cmp::Reverse((t.created_at, t.id)));
}

fn labels(tickets: &[Ticket]) -> Vec<String> {
    tickets.iter().map(label).collect()
}

/// Asserts two ticket lists are equal, saying which tickets are missing, extra or out
/// of order, or which one differs.
#[track_caller]
fn assert_same_tickets(got: &[Ticket], expected: &[Ticket], context: &str) {
    if got == expected {
        return;
    }
    let got_ids: Vec<TicketId> = got.iter().map(|t| t.id).collect();
    let expected_ids: Vec<TicketId> = expected.iter().map(|t| t.id).collect();
    if got_ids == expected_ids {
        for (g, e) in got.iter().zip(expected) {
            if g != e {
                panic!(
                    "{context}: ticket {} came back different:\n  stored {e:?}\n  got    {g:?}",
                    label(e)
                );
            }
        }
    }
    let missing: Vec<String> = expected
        .iter()
        .filter(|t| !got_ids.contains(&t.id))
        .map(label)
        .collect();
    let extra: Vec<String> = got
        .iter()
        .filter(|t| !expected_ids.contains(&t.id))
        .map(label)
        .collect();
    panic!(
        "{context}:\n  expected {:?}\n  got      {:?}\n  missing {missing:?}, unexpected {extra:?}",
        labels(expected),
        labels(got),
    );
}

/// The ticket and its opening event, as a ticket is first stored: state new, version 1,
/// number 0 until the store numbers it.
fn blank_ticket(tenant: TenantId, requester: MemberId, created_at: DateTime<Utc>) -> Ticket {
    Ticket {
        id: TicketId::new(),
        tenant,
        number: TicketNumber::new(0),
        subject: "Demande".to_owned(),
        description: rich("<p>Description</p>"),
        category: None,
        product: None,
        priority: Priority::Normal,
        state: TicketState::New,
        requester,
        assignee: None,
        group: None,
        guests: Vec::new(),
        contact_phone: None,
        asset: None,
        custom_fields: BTreeMap::new(),
        opened_by: ActorRef::Member(requester),
        created_at,
        updated_at: created_at,
        version: 1,
        public_updated_at: created_at,
        public_version: 1,
    }
}

fn event(
    ticket: &Ticket,
    at: DateTime<Utc>,
    author: ActorRef,
    kind: EventKind,
    status_change: Option<(Status, Status)>,
) -> TimelineEvent {
    TimelineEvent {
        id: EventId::new(),
        ticket: ticket.id,
        tenant: ticket.tenant,
        at,
        author,
        status_change: status_change.map(|(from, to)| StatusChange { from, to }),
        kind,
    }
}

fn opened_event(ticket: &Ticket) -> TimelineEvent {
    event(
        ticket,
        ticket.created_at,
        ticket.opened_by,
        EventKind::Opened,
        None,
    )
}

fn outbox_message(
    ticket: &Ticket,
    event: &TimelineEvent,
    recipients: Vec<Recipient>,
) -> OutboxMessage {
    OutboxMessage {
        id: OutboxId::new(),
        tenant: ticket.tenant,
        ticket: ticket.id,
        event: event.id,
        recipients,
        created_at: event.at,
        attempts: 0,
        next_attempt_at: event.at,
        last_error: None,
    }
}

fn attachment(event: &TimelineEvent, name: &str, size: u64, by: ActorRef) -> Attachment {
    Attachment {
        id: AttachmentId::new(),
        tenant: event.tenant,
        ticket: event.ticket,
        event: event.id,
        file_name: name.to_owned(),
        content_type: "application/pdf".to_owned(),
        size,
        uploaded_by: by,
        created_at: event.at,
    }
}

/// Opens `ticket` as it was when first opened (state new, version 1), then saves it as
/// it is now with the rest of `events` at version 2. `events[0]` is its opening event.
/// Sets the number the store gave and the version.
async fn insert_ticket(store: &dyn Store, ticket: &mut Ticket, events: &[TimelineEvent]) {
    let mut opened = ticket.clone();
    opened.number = TicketNumber::new(0);
    opened.state = TicketState::New;
    opened.version = 1;
    opened.updated_at = opened.created_at;
    opened.public_version = 1;
    opened.public_updated_at = opened.created_at;
    let number = store
        .open_ticket(TicketChange {
            ticket: &opened,
            expected_version: 0,
            events: &events[..1],
            outbox: &[],
            attachments: &[],
            request_fingerprint: None,
        })
        .await
        .must("opening a fixture ticket");
    ticket.number = number;
    ticket.version = 2;
    ticket.public_version = if events[1..]
        .iter()
        .any(|e| e.visibility() == Visibility::Public)
    {
        2
    } else {
        1
    };
    store
        .save_ticket(TicketChange {
            ticket,
            expected_version: 1,
            events: &events[1..],
            outbox: &[],
            attachments: &[],
            request_fingerprint: None,
        })
        .await
        .must("saving a fixture ticket");
}

/// Everything tickets point at: three tenants with different settings, their members,
/// categories and products, three groups and three staff members.
struct Directory {
    /// `alpha` (defaults), `bravo` (whole-tenant visibility, 30-day archive delay),
    /// `charlie` (7-day archive delay).
    tenants: Vec<Tenant>,
    /// Per tenant: Alice, Bernard, Chloe, Denis (the same host users in every tenant).
    requesters: Vec<Vec<Member>>,
    /// Per tenant: Emma, a tenant admin.
    admins: Vec<Member>,
    /// Logiciel, Materiel, Reseau.
    groups: Vec<Group>,
    /// Agnes (agent of alpha and bravo, group Logiciel), Bruno (agent of every tenant,
    /// group Materiel), Sylvie (supervisor of alpha and charlie).
    staff: Vec<Staff>,
    /// Per tenant: Informatique (to Logiciel), Imprimantes (under Informatique),
    /// Scolarite (to Reseau).
    categories: Vec<Vec<Category>>,
    /// Per tenant: Contrat de maintenance (CM), Logiciel INL (INL).
    products: Vec<Vec<Product>>,
}

impl Directory {
    fn tenant(&self, id: TenantId) -> &Tenant {
        self.tenants
            .iter()
            .find(|t| t.id == id)
            .found("a fixture tenant")
    }

    fn index_of(&self, id: TenantId) -> usize {
        self.tenants
            .iter()
            .position(|t| t.id == id)
            .found("a fixture tenant")
    }
}

async fn directory(store: &dyn Store) -> Directory {
    let mut tenants = Vec::new();
    for (slug, name) in [
        ("alpha", "Alpha"),
        ("bravo", "Bravo"),
        ("charlie", "Charlie"),
    ] {
        tenants.push(Tenant::new(slug, name).must("a fixture tenant"));
    }
    tenants[1].settings.requester_visibility = RequesterVisibility::WholeTenantReadOnly;
    tenants[1].settings.archive_delay = Window::days(30);
    tenants[2].settings.archive_delay = Window::days(7);
    for tenant in &tenants {
        store.insert_tenant(tenant).await.must("inserting a tenant");
    }
    let mut groups = Vec::new();
    for name in ["Logiciel", "Materiel", "Reseau"] {
        let group = Group::new(name).must("a fixture group");
        store.insert_group(&group).await.must("inserting a group");
        groups.push(group);
    }
    let mut agnes = Staff::new(
        user("agnes"),
        "Agnes",
        Some("agnes@support.example"),
        StaffRole::Agent,
        TenantScope::Only(vec![tenants[0].id, tenants[1].id]),
    )
    .must("a fixture staff member");
    agnes.groups = vec![groups[0].id];
    let mut bruno = Staff::new(
        user("bruno"),
        "Bruno",
        None,
        StaffRole::Agent,
        TenantScope::All,
    )
    .must("a fixture staff member");
    bruno.groups = vec![groups[1].id];
    let sylvie = Staff::new(
        user("sylvie"),
        "Sylvie",
        None,
        StaffRole::Supervisor,
        TenantScope::Only(vec![tenants[0].id, tenants[2].id]),
    )
    .must("a fixture staff member");
    let staff = vec![agnes, bruno, sylvie];
    for s in &staff {
        store.insert_staff(s).await.must("inserting staff");
    }
    let mut requesters = Vec::new();
    let mut admins = Vec::new();
    let mut categories = Vec::new();
    let mut products = Vec::new();
    for tenant in &tenants {
        let mut people = Vec::new();
        for (id, name) in [
            ("alice", "Alice"),
            ("bernard", "Bernard"),
            ("chloe", "Chloe"),
            ("denis", "Denis"),
        ] {
            let email = format!("{id}@{}.example", tenant.slug);
            let member = Member::new(
                tenant.id,
                user(id),
                name,
                Some(&email),
                MemberRole::Requester,
            )
            .must("a fixture member");
            store
                .insert_member(&member)
                .await
                .must("inserting a member");
            people.push(member);
        }
        let admin = Member::new(
            tenant.id,
            user("emma"),
            "Emma",
            None,
            MemberRole::TenantAdmin,
        )
        .must("a fixture member");
        store.insert_member(&admin).await.must("inserting a member");
        let it = Category::new(tenant.id, None, "Informatique", Some(groups[0].id))
            .must("a fixture category");
        let printers =
            Category::new(tenant.id, Some(it.id), "Imprimantes", None).must("a fixture category");
        let school = Category::new(tenant.id, None, "Scolarite", Some(groups[2].id))
            .must("a fixture category");
        let tree = vec![it, printers, school];
        for c in &tree {
            store.insert_category(c).await.must("inserting a category");
        }
        let catalog = vec![
            Product::new(tenant.id, Some("CM"), "Contrat de maintenance").must("a fixture product"),
            Product::new(tenant.id, Some("INL"), "Logiciel INL").must("a fixture product"),
        ];
        for p in &catalog {
            store.insert_product(p).await.must("inserting a product");
        }
        requesters.push(people);
        admins.push(admin);
        categories.push(tree);
        products.push(catalog);
    }
    Directory {
        tenants,
        requesters,
        admins,
        groups,
        staff,
        categories,
        products,
    }
}

// ---------------------------------------------------------------------------------------
// Tenants, people, catalog
// ---------------------------------------------------------------------------------------

/// Tenants: stored and read back whole (settings included) by id and by slug; listed by
/// slug; a taken slug is [`Error::AlreadyExists`] and stores nothing; an update replaces
/// name and settings but keeps the slug.
pub async fn tenants_are_unique_by_slug_and_listed_by_slug(store: &dyn Store) {
    let beta = Tenant::new("beta", "Beta").must("a tenant");
    let mut alpha = Tenant::new("alpha", "Alpha Etablissement").must("a tenant");
    alpha.settings.requester_visibility = RequesterVisibility::WholeTenantReadOnly;
    alpha.settings.closure_mode = ClosureMode::Direct;
    alpha.settings.approval_window = Window::seconds(3600);
    alpha.settings.reopen_window = Window::days(3);
    alpha.settings.archive_delay = Window::days(45);
    alpha.settings.default_language = "en".to_owned();
    alpha
        .settings
        .status_labels
        .entry("fr".to_owned())
        .or_default()
        .insert(Status::Closed, "Conflit réglé".to_owned());
    alpha.settings.questionnaire = QuestionnaireDefinition {
        questions: vec![
            Question {
                key: "note".to_owned(),
                label: "Votre note ?".to_owned(),
                required: true,
                kind: QuestionKind::Score { min: 1, max: 5 },
            },
            Question {
                key: "delai".to_owned(),
                label: "Délai".to_owned(),
                required: false,
                kind: QuestionKind::Choice {
                    options: vec!["ok".to_owned(), "lent".to_owned()],
                },
            },
        ],
    };
    let gamma = Tenant::new("gamma-2", "Gamma").must("a tenant");
    for t in [&beta, &alpha, &gamma] {
        store.insert_tenant(t).await.must("inserting a tenant");
    }

    assert_eq!(
        store.tenant(alpha.id).await.must("reading a tenant"),
        Some(alpha.clone()),
        "a tenant reads back whole, settings included"
    );
    assert_eq!(
        store.tenant_by_slug("beta").await.must("reading by slug"),
        Some(beta.clone()),
        "a tenant is found by its slug"
    );
    assert_eq!(
        store.tenant_by_slug("delta").await.must("reading by slug"),
        None,
        "an unknown slug finds nothing"
    );
    assert_eq!(
        store.tenant(TenantId::new()).await.must("reading a tenant"),
        None,
        "an unknown id finds nothing"
    );
    assert_eq!(
        store.tenants().await.must("listing tenants"),
        vec![alpha.clone(), beta.clone(), gamma.clone()],
        "tenants are listed by slug"
    );

    let duplicate = Tenant::new("alpha", "Another Alpha").must("a tenant");
    match store.insert_tenant(&duplicate).await {
        Err(Error::AlreadyExists(Entity::Tenant)) => {}
        other => panic!("a taken slug must be AlreadyExists(Tenant), got {other:?}"),
    }
    assert_eq!(
        store.tenant(duplicate.id).await.must("reading a tenant"),
        None,
        "a refused tenant is not stored"
    );
    assert_eq!(store.tenants().await.must("listing tenants").len(), 3);

    let mut renamed = beta.clone();
    renamed.name = "Beta Renommé".to_owned();
    renamed.slug = "beta-new".to_owned();
    renamed.settings.archive_delay = Window::days(10);
    renamed.settings.closure_mode = ClosureMode::Direct;
    store
        .update_tenant(&renamed)
        .await
        .must("updating a tenant");
    let stored = store
        .tenant(beta.id)
        .await
        .must("reading a tenant")
        .found("the updated tenant");
    assert_eq!(stored.name, "Beta Renommé", "an update replaces the name");
    assert_eq!(
        stored.settings, renamed.settings,
        "an update replaces the settings"
    );
    assert_eq!(stored.slug, "beta", "an update keeps the slug");
    assert_eq!(
        store
            .tenant_by_slug("beta-new")
            .await
            .must("reading by slug"),
        None,
        "an update does not change the slug"
    );
}

/// Members: one per host user and tenant ([`Error::AlreadyExists`] otherwise), the same
/// host user may be a member of two tenants; every lookup is scoped to its tenant;
/// members are listed by display name; an update replaces name, email, role and the
/// blocked flag, but never the host user.
pub async fn members_are_unique_per_tenant_and_read_within_it(store: &dyn Store) {
    let a = Tenant::new("alpha", "Alpha").must("a tenant");
    let b = Tenant::new("bravo", "Bravo").must("a tenant");
    store.insert_tenant(&a).await.must("inserting a tenant");
    store.insert_tenant(&b).await.must("inserting a tenant");

    let member = |tenant: &Tenant, id: &str, name: &str, role| {
        Member::new(
            tenant.id,
            user(id),
            name,
            Some(&format!("{id}@example.org")),
            role,
        )
        .must("a member")
    };
    let zoe = member(&a, "zoe", "Zoe", MemberRole::Requester);
    let alice_a = member(&a, "alice", "Alice", MemberRole::Requester);
    let bernard = member(&a, "bernard", "Bernard", MemberRole::TenantAdmin);
    let alice_b = member(&b, "alice", "Alice B.", MemberRole::TenantAdmin);
    for m in [&zoe, &alice_a, &bernard] {
        store.insert_member(m).await.must("inserting a member");
    }
    store
        .insert_member(&alice_b)
        .await
        .must("the same host user joining a second tenant");

    let twin = member(&a, "alice", "Alice Twin", MemberRole::Requester);
    match store.insert_member(&twin).await {
        Err(Error::AlreadyExists(Entity::Member)) => {}
        other => panic!(
            "a second member for the same host user in one tenant must be AlreadyExists(Member), got {other:?}"
        ),
    }
    assert_eq!(
        store.member(a.id, twin.id).await.must("reading a member"),
        None,
        "a refused member is not stored"
    );

    assert_eq!(
        store
            .member(a.id, alice_a.id)
            .await
            .must("reading a member"),
        Some(alice_a.clone())
    );
    assert_eq!(
        store
            .member(b.id, alice_a.id)
            .await
            .must("reading a member"),
        None,
        "a member of alpha is not found in bravo"
    );
    assert_eq!(
        store
            .member_by_user(a.id, &user("alice"))
            .await
            .must("reading a member by user"),
        Some(alice_a.clone())
    );
    assert_eq!(
        store
            .member_by_user(b.id, &user("alice"))
            .await
            .must("reading a member by user"),
        Some(alice_b.clone()),
        "the same host user is a different member in each tenant"
    );
    assert_eq!(
        store
            .member_by_user(b.id, &user("zoe"))
            .await
            .must("reading a member by user"),
        None,
        "a host user is only a member where they were added"
    );
    assert_eq!(
        store.members(a.id).await.must("listing members"),
        vec![alice_a.clone(), bernard.clone(), zoe.clone()],
        "members are listed by display name, only their tenant's"
    );
    assert_eq!(
        store.members(b.id).await.must("listing members"),
        vec![alice_b.clone()]
    );

    let mut changed = alice_a.clone();
    changed.blocked = true;
    changed.display_name = "Alice Martin".to_owned();
    changed.email = None;
    changed.role = MemberRole::TenantAdmin;
    changed.user = user("mallory");
    store
        .update_member(&changed)
        .await
        .must("updating a member");
    let stored = store
        .member(a.id, alice_a.id)
        .await
        .must("reading a member")
        .found("the updated member");
    assert!(stored.blocked, "an update can block a member");
    assert_eq!(stored.display_name, "Alice Martin");
    assert_eq!(stored.email, None);
    assert_eq!(stored.role, MemberRole::TenantAdmin);
    assert_eq!(stored.user, user("alice"), "an update keeps the host user");
    assert_eq!(
        store
            .member_by_user(a.id, &user("alice"))
            .await
            .must("reading a member by user")
            .map(|m| m.id),
        Some(alice_a.id)
    );
    let mut unblocked = stored.clone();
    unblocked.blocked = false;
    store
        .update_member(&unblocked)
        .await
        .must("unblocking a member");
    assert_eq!(
        store
            .member(a.id, alice_a.id)
            .await
            .must("reading a member"),
        Some(unblocked),
        "an update can unblock a member"
    );
}

/// Staff: one per host user ([`Error::AlreadyExists`] otherwise); their tenant scope
/// (all, some, none) and groups round-trip; listed by display name; an update replaces
/// everything but the host user.
pub async fn staff_are_unique_and_keep_their_tenants_and_groups(store: &dyn Store) {
    let a = Tenant::new("alpha", "Alpha").must("a tenant");
    let b = Tenant::new("bravo", "Bravo").must("a tenant");
    store.insert_tenant(&a).await.must("inserting a tenant");
    store.insert_tenant(&b).await.must("inserting a tenant");
    let g1 = Group::new("Logiciel").must("a group");
    let g2 = Group::new("Materiel").must("a group");
    store.insert_group(&g1).await.must("inserting a group");
    store.insert_group(&g2).await.must("inserting a group");

    let mut sam = Staff::new(
        user("sam"),
        "Sam",
        Some("sam@support.example"),
        StaffRole::Agent,
        TenantScope::Only(vec![b.id, a.id]),
    )
    .must("a staff member");
    sam.groups = vec![g2.id, g1.id];
    let root = Staff::new(
        user("root"),
        "Admin",
        None,
        StaffRole::PlatformAdmin,
        TenantScope::All,
    )
    .must("a staff member");
    let mut nobody = Staff::new(
        user("newcomer"),
        "Newcomer",
        None,
        StaffRole::Supervisor,
        TenantScope::Only(vec![]),
    )
    .must("a staff member");
    nobody.active = false;
    for s in [&sam, &root, &nobody] {
        store.insert_staff(s).await.must("inserting staff");
    }

    let twin = Staff::new(
        user("sam"),
        "Sam Again",
        None,
        StaffRole::Agent,
        TenantScope::All,
    )
    .must("a staff member");
    match store.insert_staff(&twin).await {
        Err(Error::AlreadyExists(Entity::Staff)) => {}
        other => panic!(
            "a second staff member for one host user must be AlreadyExists(Staff), got {other:?}"
        ),
    }
    assert_eq!(store.staff(twin.id).await.must("reading staff"), None);

    assert_eq!(
        store.staff(sam.id).await.must("reading staff"),
        Some(sam.clone()),
        "tenants and groups round-trip, in order"
    );
    assert_eq!(
        store.staff(nobody.id).await.must("reading staff"),
        Some(nobody.clone()),
        "an empty tenant list and inactivity round-trip"
    );
    assert_eq!(
        store
            .staff_by_user(&user("root"))
            .await
            .must("reading staff by user"),
        Some(root.clone())
    );
    assert_eq!(
        store
            .staff_by_user(&user("alice"))
            .await
            .must("reading staff by user"),
        None
    );
    assert_eq!(
        store.all_staff().await.must("listing staff"),
        vec![root.clone(), nobody.clone(), sam.clone()],
        "staff are listed by display name"
    );

    let mut changed = sam.clone();
    changed.groups = vec![g1.id];
    changed.tenants = TenantScope::All;
    changed.role = StaffRole::Supervisor;
    changed.active = false;
    changed.display_name = "Samuel".to_owned();
    changed.email = None;
    changed.user = user("mallory");
    store
        .update_staff(&changed, &sam)
        .await
        .must("updating staff");
    let expected = Staff {
        user: user("sam"),
        ..changed
    };
    assert_eq!(
        store.staff(sam.id).await.must("reading staff"),
        Some(expected.clone()),
        "an update replaces role, tenants, groups and activity, and keeps the host user"
    );
    assert_eq!(
        store
            .staff_by_user(&user("sam"))
            .await
            .must("reading staff by user"),
        Some(expected)
    );
    assert_eq!(
        store
            .staff_by_user(&user("mallory"))
            .await
            .must("reading staff by user"),
        None
    );
}

/// A staff update is a compare-and-swap: it is written only while the stored record
/// still equals the one it was made from. Made from a stale record (someone else wrote
/// in between), it answers [`Error::ConcurrentUpdate`] and writes nothing; for a staff
/// member that does not exist, [`Error::NotFound`].
pub async fn a_staff_update_made_from_a_stale_record_writes_nothing(store: &dyn Store) {
    let g1 = Group::new("Logiciel").must("a group");
    store.insert_group(&g1).await.must("inserting a group");
    let sam = Staff::new(
        user("sam"),
        "Sam",
        Some("sam@support.example"),
        StaffRole::Agent,
        TenantScope::All,
    )
    .must("a staff member");
    store.insert_staff(&sam).await.must("inserting staff");

    let renamed = Staff {
        display_name: "Samuel".to_owned(),
        ..sam.clone()
    };
    store
        .update_staff(&renamed, &sam)
        .await
        .must("updating staff from the stored record");

    // Made from `sam` too, but `renamed` was written meanwhile: a lost update if taken.
    let regrouped = Staff {
        groups: vec![g1.id],
        ..sam.clone()
    };
    match store.update_staff(&regrouped, &sam).await {
        Err(Error::ConcurrentUpdate(Entity::Staff)) => {}
        other => panic!(
            "an update made from a stale staff record must be ConcurrentUpdate(Staff), got {other:?}"
        ),
    }
    assert_eq!(
        store.staff(sam.id).await.must("reading staff"),
        Some(renamed.clone()),
        "a refused staff update writes nothing"
    );

    // Each field takes part in the comparison, the email's absence included.
    for stale in [
        Staff {
            email: None,
            ..renamed.clone()
        },
        Staff {
            role: StaffRole::Supervisor,
            ..renamed.clone()
        },
        Staff {
            tenants: TenantScope::Only(vec![]),
            ..renamed.clone()
        },
        Staff {
            groups: vec![g1.id],
            ..renamed.clone()
        },
        Staff {
            active: false,
            ..renamed.clone()
        },
    ] {
        let attempt = Staff {
            display_name: "Mallory".to_owned(),
            ..stale.clone()
        };
        match store.update_staff(&attempt, &stale).await {
            Err(Error::ConcurrentUpdate(Entity::Staff)) => {}
            other => panic!(
                "an update made from {stale:?} while {renamed:?} is stored must be \
                 ConcurrentUpdate(Staff), got {other:?}"
            ),
        }
    }
    let without_email = Staff {
        email: None,
        ..renamed.clone()
    };
    store
        .update_staff(&without_email, &renamed)
        .await
        .must("removing the email");
    let back = Staff {
        email: Some("sam@support.example".to_owned()),
        ..renamed.clone()
    };
    store
        .update_staff(&back, &without_email)
        .await
        .must("updating from a record without email");
    assert_eq!(store.staff(sam.id).await.must("reading staff"), Some(back));

    let ghost = Staff::new(
        user("ghost"),
        "Ghost",
        None,
        StaffRole::Agent,
        TenantScope::All,
    )
    .must("a staff member");
    match store.update_staff(&ghost, &ghost).await {
        Err(Error::NotFound(Entity::Staff)) => {}
        other => panic!("updating missing staff must be NotFound(Staff), got {other:?}"),
    }
}

/// Groups, categories and products: stored and read back whole; categories and
/// products are scoped to their tenant (a lookup from another tenant finds nothing),
/// the category tree's parents round-trip; lists are by name; updates replace.
pub async fn groups_categories_and_products_round_trip(store: &dyn Store) {
    let a = Tenant::new("alpha", "Alpha").must("a tenant");
    let b = Tenant::new("bravo", "Bravo").must("a tenant");
    store.insert_tenant(&a).await.must("inserting a tenant");
    store.insert_tenant(&b).await.must("inserting a tenant");

    let reseau = Group::new("Reseau").must("a group");
    let logiciel = Group::new("Logiciel").must("a group");
    let materiel = Group::new("Materiel").must("a group");
    for g in [&reseau, &logiciel, &materiel] {
        store.insert_group(g).await.must("inserting a group");
    }
    assert_eq!(
        store.group(reseau.id).await.must("reading a group"),
        Some(reseau.clone())
    );
    assert_eq!(
        store.group(GroupId::new()).await.must("reading a group"),
        None
    );
    assert_eq!(
        store.groups().await.must("listing groups"),
        vec![logiciel.clone(), materiel.clone(), reseau.clone()],
        "groups are listed by name"
    );
    let mut renamed = materiel.clone();
    renamed.name = "Atelier".to_owned();
    store.update_group(&renamed).await.must("renaming a group");
    assert_eq!(
        store.groups().await.must("listing groups"),
        vec![renamed.clone(), logiciel.clone(), reseau.clone()],
        "a renamed group is listed under its new name"
    );

    let it = Category::new(a.id, None, "Informatique", Some(logiciel.id)).must("a category");
    let printers = Category::new(a.id, Some(it.id), "Imprimantes", None).must("a category");
    let mut toner =
        Category::new(a.id, Some(printers.id), "Toner", Some(reseau.id)).must("a category");
    toner.active = false;
    let admin_b = Category::new(b.id, None, "Administratif", None).must("a category");
    // Parents first, as a store with foreign keys needs.
    for c in [&it, &printers, &toner, &admin_b] {
        store.insert_category(c).await.must("inserting a category");
    }
    assert_eq!(
        store
            .category(a.id, toner.id)
            .await
            .must("reading a category"),
        Some(toner.clone()),
        "parent, group and activity round-trip"
    );
    assert_eq!(
        store.category(b.id, it.id).await.must("reading a category"),
        None,
        "a category of alpha is not found in bravo"
    );
    assert_eq!(
        store.categories(a.id).await.must("listing categories"),
        vec![printers.clone(), it.clone(), toner.clone()],
        "a tenant's whole tree, by name"
    );
    assert_eq!(
        store.categories(b.id).await.must("listing categories"),
        vec![admin_b.clone()]
    );
    let mut moved = toner.clone();
    moved.parent = Some(it.id);
    moved.group = None;
    moved.active = true;
    moved.name = "Cartouches".to_owned();
    store
        .update_category(&moved)
        .await
        .must("updating a category");
    assert_eq!(
        store
            .category(a.id, toner.id)
            .await
            .must("reading a category"),
        Some(moved.clone()),
        "an update moves, renames, re-routes and reactivates"
    );
    let mut top = printers.clone();
    top.parent = None;
    store
        .update_category(&top)
        .await
        .must("moving a category to the top");
    assert_eq!(
        store
            .category(a.id, printers.id)
            .await
            .must("reading a category")
            .found("the moved category")
            .parent,
        None,
        "a category can move to the top of the tree"
    );

    let contract = Product::new(a.id, None, "Contrat").must("a product");
    let inl = Product::new(a.id, Some("INL"), "Logiciel INL").must("a product");
    let other = Product::new(b.id, Some("MNT"), "Maintenance").must("a product");
    for p in [&inl, &contract, &other] {
        store.insert_product(p).await.must("inserting a product");
    }
    assert_eq!(
        store.product(a.id, inl.id).await.must("reading a product"),
        Some(inl.clone())
    );
    assert_eq!(
        store.product(b.id, inl.id).await.must("reading a product"),
        None,
        "a product of alpha is not found in bravo"
    );
    assert_eq!(
        store.products(a.id).await.must("listing products"),
        vec![contract.clone(), inl.clone()],
        "products are listed by name, only their tenant's"
    );
    let mut retired = inl.clone();
    retired.active = false;
    retired.code = None;
    retired.name = "Logiciel INL v1".to_owned();
    store
        .update_product(&retired)
        .await
        .must("updating a product");
    assert_eq!(
        store.product(a.id, inl.id).await.must("reading a product"),
        Some(retired)
    );
    assert_eq!(
        store.products(b.id).await.must("listing products"),
        vec![other]
    );
}

// ---------------------------------------------------------------------------------------
// Tickets
// ---------------------------------------------------------------------------------------

/// Opening: each tenant numbers its tickets 1, 2, 3... on its own; the number is
/// returned and stored; the ticket, its first event, its outbox messages and its
/// attachments are all stored; lookups by number are scoped to the tenant; opening a
/// ticket id already taken (a retried idempotent open) is [`Error::AlreadyExists`] and
/// writes nothing.
pub async fn opened_tickets_are_numbered_per_tenant_with_everything_they_carry(store: &dyn Store) {
    let dir = directory(store).await;
    let (a, b) = (&dir.tenants[0], &dir.tenants[1]);
    let agent = &dir.staff[0];
    let mut opened: Vec<(Ticket, TimelineEvent, OutboxMessage, Attachment)> = Vec::new();
    // Interleave the tenants: alpha, bravo, alpha, alpha, bravo.
    for (i, tenant) in [a, b, a, a, b].into_iter().enumerate() {
        let t_ix = dir.index_of(tenant.id);
        let requester = &dir.requesters[t_ix][i % 4];
        let mut ticket = blank_ticket(
            tenant.id,
            requester.id,
            now() - Duration::hours(10 - i as i64) + Duration::milliseconds(i as i64 * 111),
        );
        ticket.subject = format!("Demande {i}");
        ticket.group = Some(dir.groups[0].id);
        let first = opened_event(&ticket);
        let message = outbox_message(
            &ticket,
            &first,
            vec![
                Recipient::Group(dir.groups[0].id),
                Recipient::Staff(agent.id),
            ],
        );
        let file = attachment(
            &first,
            "capture écran.png",
            2048 + i as u64,
            ticket.opened_by,
        );
        let number = store
            .open_ticket(TicketChange {
                ticket: &ticket,
                expected_version: 0,
                events: std::slice::from_ref(&first),
                outbox: std::slice::from_ref(&message),
                attachments: std::slice::from_ref(&file),
                request_fingerprint: None,
            })
            .await
            .must("opening a ticket");
        ticket.number = number;
        opened.push((ticket, first, message, file));
    }
    let numbers: Vec<(usize, u64)> = opened
        .iter()
        .map(|(t, ..)| (dir.index_of(t.tenant), t.number.get()))
        .collect();
    assert_eq!(
        numbers,
        vec![(0, 1), (1, 1), (0, 2), (0, 3), (1, 2)],
        "each tenant numbers its tickets 1, 2, 3... independently"
    );

    for (ticket, first, message, file) in &opened {
        assert_eq!(
            store
                .ticket(ticket.id)
                .await
                .must("reading a ticket")
                .as_ref(),
            Some(ticket),
            "an opened ticket reads back whole, with its number"
        );
        assert_eq!(
            store
                .ticket_by_number(ticket.tenant, ticket.number)
                .await
                .must("reading a ticket by number")
                .as_ref(),
            Some(ticket),
            "an opened ticket is found by its tenant and number"
        );
        assert_eq!(
            store.timeline(ticket.id).await.must("reading a timeline"),
            vec![first.clone()],
            "the opening event is stored"
        );
        assert_eq!(
            store
                .attachments(ticket.id)
                .await
                .must("reading attachments"),
            vec![file.clone()],
            "the opening's attachments are stored"
        );
        assert_eq!(
            store
                .attachment(file.id)
                .await
                .must("reading an attachment")
                .as_ref(),
            Some(file)
        );
        let due = store
            .due_messages(now() + days(1), 100)
            .await
            .must("reading the outbox");
        assert!(
            due.contains(message),
            "the opening's outbox message is stored: {message:?} not in {due:?}"
        );
    }
    let due = store
        .due_messages(now() + days(1), 100)
        .await
        .must("reading the outbox");
    assert_eq!(due.len(), opened.len(), "one outbox message per opening");

    // Opening a ticket id that is taken (a retried idempotent open) is refused whole.
    let (first_ticket, first_event, _, first_file) = &opened[0];
    let mut retry = first_ticket.clone();
    retry.number = TicketNumber::new(0);
    retry.subject = "Retried".to_owned();
    let retry_event = opened_event(&retry);
    let retry_message = outbox_message(&retry, &retry_event, vec![Recipient::Staff(agent.id)]);
    let retry_file = attachment(&retry_event, "retry.png", 1, retry.opened_by);
    match store
        .open_ticket(TicketChange {
            ticket: &retry,
            expected_version: 0,
            events: std::slice::from_ref(&retry_event),
            outbox: std::slice::from_ref(&retry_message),
            attachments: std::slice::from_ref(&retry_file),
            request_fingerprint: None,
        })
        .await
    {
        Err(Error::AlreadyExists(Entity::Ticket)) => {}
        other => panic!(
            "opening a ticket whose id is taken must be AlreadyExists(Ticket), got {other:?}"
        ),
    }
    assert_eq!(
        store
            .ticket(first_ticket.id)
            .await
            .must("reading a ticket")
            .as_ref(),
        Some(first_ticket),
        "a refused open leaves the existing ticket as it was"
    );
    assert_eq!(
        store
            .timeline(first_ticket.id)
            .await
            .must("reading a timeline"),
        vec![first_event.clone()],
        "a refused open appends no event"
    );
    assert_eq!(
        store
            .attachments(first_ticket.id)
            .await
            .must("reading attachments"),
        vec![first_file.clone()],
        "a refused open records no attachment"
    );
    assert_eq!(
        store
            .due_messages(now() + days(1), 100)
            .await
            .must("reading the outbox")
            .len(),
        opened.len(),
        "a refused open queues no message"
    );
    let mut after_retry = blank_ticket(a.id, dir.requesters[0][0].id, now());
    let after_event = opened_event(&after_retry);
    after_retry.number = store
        .open_ticket(TicketChange {
            ticket: &after_retry,
            expected_version: 0,
            events: std::slice::from_ref(&after_event),
            outbox: &[],
            attachments: &[],
            request_fingerprint: None,
        })
        .await
        .must("opening after a refused open");
    assert!(
        after_retry.number > TicketNumber::new(3),
        "numbers keep increasing after a refused open: got {}",
        after_retry.number
    );

    assert_eq!(
        store
            .ticket_by_number(b.id, TicketNumber::new(3))
            .await
            .must("reading a ticket by number"),
        None,
        "bravo has no ticket 3 even though alpha has"
    );
    assert_eq!(
        store
            .ticket_by_number(dir.tenants[2].id, TicketNumber::new(1))
            .await
            .must("reading a ticket by number"),
        None,
        "a tenant without tickets has no ticket 1"
    );
    assert_eq!(
        store.ticket(TicketId::new()).await.must("reading a ticket"),
        None
    );
    assert!(
        store
            .timeline(TicketId::new())
            .await
            .must("reading a timeline")
            .is_empty()
    );
    assert_eq!(
        store
            .attachment(AttachmentId::new())
            .await
            .must("reading an attachment"),
        None
    );
}

/// Idempotent opens: opening an id that exists answers [`Error::AlreadyExists`] when the
/// request fingerprint is the one the ticket was opened with (a retry), and
/// [`Error::IdempotencyKeyReused`] when it is another; either way nothing is written and
/// no number is used up.
pub async fn a_retried_open_is_told_apart_by_its_request_fingerprint(store: &dyn Store) {
    let dir = directory(store).await;
    let tenant = &dir.tenants[0];
    let alice = &dir.requesters[0][0];
    let mut ticket = blank_ticket(tenant.id, alice.id, now() - days(1));
    let opened = opened_event(&ticket);
    ticket.number = store
        .open_ticket(TicketChange {
            ticket: &ticket,
            expected_version: 0,
            events: std::slice::from_ref(&opened),
            outbox: &[],
            attachments: &[],
            request_fingerprint: Some("fingerprint-one"),
        })
        .await
        .must("opening with a fingerprint");
    for (fingerprint, expected) in [
        (Some("fingerprint-one"), "AlreadyExists(Ticket)"),
        (Some("fingerprint-two"), "IdempotencyKeyReused"),
        (None, "IdempotencyKeyReused"),
    ] {
        let mut retry = ticket.clone();
        retry.number = TicketNumber::new(0);
        retry.subject = "Another body".to_owned();
        let retry_event = opened_event(&retry);
        let answer = store
            .open_ticket(TicketChange {
                ticket: &retry,
                expected_version: 0,
                events: std::slice::from_ref(&retry_event),
                outbox: &[],
                attachments: &[],
                request_fingerprint: fingerprint,
            })
            .await;
        let got = match &answer {
            Err(Error::AlreadyExists(Entity::Ticket)) => "AlreadyExists(Ticket)",
            Err(Error::IdempotencyKeyReused) => "IdempotencyKeyReused",
            _ => "something else",
        };
        assert_eq!(
            got, expected,
            "reopening with fingerprint {fingerprint:?}: got {answer:?}"
        );
    }
    assert_eq!(
        store.ticket(ticket.id).await.must("reading the ticket"),
        Some(ticket.clone()),
        "refused retries leave the ticket as it was"
    );
    assert_eq!(
        store.timeline(ticket.id).await.must("reading the timeline"),
        vec![opened],
        "refused retries append nothing"
    );
    let mut next = blank_ticket(tenant.id, alice.id, now());
    let next_event = opened_event(&next);
    next.number = store
        .open_ticket(TicketChange {
            ticket: &next,
            expected_version: 0,
            events: std::slice::from_ref(&next_event),
            outbox: &[],
            attachments: &[],
            request_fingerprint: None,
        })
        .await
        .must("opening after refused retries");
    assert_eq!(
        next.number,
        ticket.number.next(),
        "refused retries use up no number"
    );
}

/// Optimistic concurrency: a save naming a version other than the stored one is
/// [`Error::VersionConflict`] (with both versions) and writes nothing at all (ticket,
/// timeline, outbox, attachments); a save naming the right version writes everything;
/// a save of a ticket that does not exist fails and writes nothing.
pub async fn a_stale_save_is_a_conflict_and_writes_nothing(store: &dyn Store) {
    let dir = directory(store).await;
    let tenant = &dir.tenants[0];
    let alice = &dir.requesters[0][0];
    let agent = &dir.staff[0];
    let mut ticket = blank_ticket(tenant.id, alice.id, now() - days(2));
    let first = opened_event(&ticket);
    ticket.number = store
        .open_ticket(TicketChange {
            ticket: &ticket,
            expected_version: 0,
            events: std::slice::from_ref(&first),
            outbox: &[],
            attachments: &[],
            request_fingerprint: None,
        })
        .await
        .must("opening a ticket");

    // Version 1 -> 2: accepted.
    let at2 = now() - days(1);
    let mut v2 = ticket.clone();
    v2.assignee = Some(agent.id);
    v2.state = TicketState::InProgress;
    v2.version = 2;
    v2.updated_at = at2;
    let e2 = event(
        &v2,
        at2,
        ActorRef::Staff(agent.id),
        EventKind::Assigned {
            assignee: Some(agent.id),
            group: None,
        },
        Some((Status::New, Status::InProgress)),
    );
    let m2 = outbox_message(&v2, &e2, vec![Recipient::Member(alice.id)]);
    let a2 = attachment(&e2, "devis.pdf", 10, ActorRef::Staff(agent.id));
    store
        .save_ticket(TicketChange {
            ticket: &v2,
            expected_version: 1,
            events: std::slice::from_ref(&e2),
            outbox: std::slice::from_ref(&m2),
            attachments: std::slice::from_ref(&a2),
            request_fingerprint: None,
        })
        .await
        .must("saving at the right version");

    let timeline_before = vec![first.clone(), e2.clone()];
    let outbox_before = store
        .due_messages(now() + days(365), 100)
        .await
        .must("reading the outbox");
    assert_eq!(
        outbox_before,
        vec![m2.clone()],
        "the accepted save queued its message"
    );

    // Stale writers: one still at version 1, one claiming a version never stored.
    for stale in [1u64, 5] {
        let at3 = now() - Duration::hours(1);
        let mut v3 = v2.clone();
        v3.state = TicketState::WaitingOnRequester;
        v3.priority = Priority::Blocking;
        v3.subject = "Écrasé".to_owned();
        v3.version = stale + 1;
        v3.updated_at = at3;
        let e3 = event(
            &v3,
            at3,
            ActorRef::Staff(agent.id),
            EventKind::InformationRequested {
                message: rich("<p>Précisez</p>"),
            },
            Some((Status::InProgress, Status::WaitingOnRequester)),
        );
        let m3 = outbox_message(&v3, &e3, vec![Recipient::Member(alice.id)]);
        let a3 = attachment(&e3, "stale.pdf", 20, ActorRef::Staff(agent.id));
        match store
            .save_ticket(TicketChange {
                ticket: &v3,
                expected_version: stale,
                events: std::slice::from_ref(&e3),
                outbox: std::slice::from_ref(&m3),
                attachments: std::slice::from_ref(&a3),
                request_fingerprint: None,
            })
            .await
        {
            Err(Error::VersionConflict { expected, actual }) => {
                assert_eq!(
                    (expected, actual),
                    (stale, 2),
                    "the conflict names the version read and the version stored"
                );
            }
            other => panic!(
                "a save expecting version {stale} of a ticket at version 2 must be a VersionConflict, got {other:?}"
            ),
        }
        assert_eq!(
            store.ticket(ticket.id).await.must("reading a ticket"),
            Some(v2.clone()),
            "a conflicting save leaves the ticket as it was"
        );
        assert_eq!(
            store.timeline(ticket.id).await.must("reading a timeline"),
            timeline_before,
            "a conflicting save appends no event"
        );
        assert_eq!(
            store
                .due_messages(now() + days(365), 100)
                .await
                .must("reading the outbox"),
            outbox_before,
            "a conflicting save queues no message"
        );
        assert_eq!(
            store
                .attachments(ticket.id)
                .await
                .must("reading attachments"),
            vec![a2.clone()],
            "a conflicting save records no attachment"
        );
        assert_eq!(
            store.attachment(a3.id).await.must("reading an attachment"),
            None
        );
    }

    // The right version still goes through afterwards.
    let at4 = now();
    let mut v3 = v2.clone();
    v3.priority = Priority::High;
    v3.version = 3;
    v3.updated_at = at4;
    let e4 = event(
        &v3,
        at4,
        ActorRef::Staff(agent.id),
        EventKind::FieldEdited {
            change: FieldChange::Priority {
                from: Priority::Normal,
                to: Priority::High,
            },
        },
        None,
    );
    store
        .save_ticket(TicketChange {
            ticket: &v3,
            expected_version: 2,
            events: std::slice::from_ref(&e4),
            outbox: &[],
            attachments: &[],
            request_fingerprint: None,
        })
        .await
        .must("saving at the right version after a conflict");
    assert_eq!(
        store.ticket(ticket.id).await.must("reading a ticket"),
        Some(v3.clone())
    );
    assert_eq!(
        store.timeline(ticket.id).await.must("reading a timeline"),
        vec![first, e2, e4]
    );

    // A ticket that was never opened cannot be saved.
    let mut ghost = blank_ticket(tenant.id, alice.id, now());
    ghost.version = 2;
    let ghost_event = event(
        &ghost,
        now(),
        ActorRef::Member(alice.id),
        EventKind::Replied {
            body: rich("<p>Bonjour</p>"),
        },
        None,
    );
    let ghost_file = attachment(&ghost_event, "ghost.txt", 1, ActorRef::Member(alice.id));
    let result = store
        .save_ticket(TicketChange {
            ticket: &ghost,
            expected_version: 1,
            events: std::slice::from_ref(&ghost_event),
            outbox: &[],
            attachments: std::slice::from_ref(&ghost_file),
            request_fingerprint: None,
        })
        .await;
    assert!(
        result.is_err(),
        "saving a ticket that was never opened must fail, got {result:?}"
    );
    assert_eq!(store.ticket(ghost.id).await.must("reading a ticket"), None);
    assert!(
        store
            .timeline(ghost.id)
            .await
            .must("reading a timeline")
            .is_empty(),
        "a failed save of an unknown ticket appends nothing"
    );
    assert_eq!(
        store
            .attachment(ghost_file.id)
            .await
            .must("reading an attachment"),
        None
    );
}

/// Round trips: a ticket with every field set comes back equal after every save, through
/// every state (with the data each carries: proposal, closure by approval with answers,
/// automatic, direct, cancellation); the timeline keeps every event kind, status
/// changes, authors and rich-text bodies, in the order appended (oldest first; events of
/// one save keep their order even when they share a time and their ids are not in
/// order); attachments come back whole, oldest first.
pub async fn saved_tickets_round_trip_every_state_event_and_attachment(store: &dyn Store) {
    let dir = directory(store).await;
    let tenant = &dir.tenants[0];
    let [alice, bernard, chloe, denis] = [0, 1, 2, 3].map(|i| dir.requesters[0][i].id);
    let admin = dir.admins[0].id;
    let agent = dir.staff[0].id;
    let supervisor = dir.staff[2].id;
    let (cat1, cat2) = (dir.categories[0][1].id, dir.categories[0][2].id);
    let (prod1, prod2) = (dir.products[0][0].id, dir.products[0][1].id);
    let (g1, g2) = (dir.groups[0].id, dir.groups[2].id);

    let start = now() - days(20) + Duration::milliseconds(123);
    let mut ticket = blank_ticket(tenant.id, alice, start);
    ticket.subject = "Clôture « impossible » : l'imprimante & le scanner".to_owned();
    ticket.description = rich(
        "<p>Bonjour,</p><p>L'<strong>imprimante</strong> du <em>2e</em> étage &amp; le scanner \
         ne marchent plus.</p><ul><li>Modèle : HP 4000</li></ul>\
         <p><a href=\"https://support.example/faq?id=1&amp;x=2\">FAQ</a></p>",
    );
    ticket.category = Some(cat1);
    ticket.product = Some(prod1);
    ticket.priority = Priority::High;
    ticket.group = Some(g1);
    // Not in id order, so a store that sorts guests fails.
    ticket.guests = vec![denis, chloe];
    ticket.contact_phone = Some("+33 1 23 45 67 89".to_owned());
    ticket.asset = Some("PC-0042 / salle B".to_owned());
    ticket.custom_fields = BTreeMap::from([
        ("numéro_poste".to_owned(), "12".to_owned()),
        ("site".to_owned(), "Lyon – Part-Dieu".to_owned()),
    ]);
    ticket.opened_by = ActorRef::Staff(supervisor);

    let first = opened_event(&ticket);
    let first_file = attachment(
        &first,
        "capture d'écran (1).png",
        5_000_000_000,
        ActorRef::Staff(supervisor),
    );
    ticket.number = store
        .open_ticket(TicketChange {
            ticket: &ticket,
            expected_version: 0,
            events: std::slice::from_ref(&first),
            outbox: &[],
            attachments: std::slice::from_ref(&first_file),
            request_fingerprint: None,
        })
        .await
        .must("opening the ticket");
    assert_eq!(
        store.ticket(ticket.id).await.must("reading the ticket"),
        Some(ticket.clone())
    );

    let mut timeline = vec![first];
    let mut files = vec![first_file];
    let staff = ActorRef::Staff(agent);
    let answers: Answers = BTreeMap::from([
        ("overall".to_owned(), Answer::Score(9)),
        (
            "human".to_owned(),
            Answer::Text("very_satisfied".to_owned()),
        ),
        (
            "comment".to_owned(),
            Answer::Text("Très bien, merci ! 10/10".to_owned()),
        ),
    ]);

    // Each step: how the ticket changes, and the events it appends (all at `at`).
    type Step = Box<
        dyn Fn(&mut Ticket, DateTime<Utc>) -> Vec<(ActorRef, EventKind, Option<(Status, Status)>)>,
    >;
    let steps: Vec<(&str, Step)> = vec![
        (
            "assigned and in progress",
            Box::new(move |t, _| {
                t.assignee = Some(agent);
                t.state = TicketState::InProgress;
                vec![(
                    staff,
                    EventKind::Assigned {
                        assignee: Some(agent),
                        group: Some(g1),
                    },
                    Some((Status::New, Status::InProgress)),
                )]
            }),
        ),
        (
            "a reply and a note",
            Box::new(move |_, _| {
                vec![
                    (
                        ActorRef::Member(alice),
                        EventKind::Replied {
                            body: rich("<p>Toujours <b>bloqué</b> &lt;urgent&gt;</p>"),
                        },
                        None,
                    ),
                    (
                        staff,
                        EventKind::NoteAdded {
                            body: rich("<p>Note interne : voir le fournisseur</p>"),
                        },
                        None,
                    ),
                ]
            }),
        ),
        (
            "information requested",
            Box::new(move |t, _| {
                t.state = TicketState::WaitingOnRequester;
                vec![(
                    staff,
                    EventKind::InformationRequested {
                        message: rich("<p>Pouvez-vous préciser le numéro de série ?</p>"),
                    },
                    Some((Status::InProgress, Status::WaitingOnRequester)),
                )]
            }),
        ),
        (
            "every field edited",
            Box::new(move |t, _| {
                let old = t.clone();
                t.subject = "Imprimante HS".to_owned();
                t.description = rich("<p>Nouvelle description</p>");
                t.priority = Priority::Blocking;
                t.product = Some(prod2);
                t.contact_phone = None;
                t.asset = Some("PC-0043".to_owned());
                t.custom_fields.remove("site");
                t.custom_fields
                    .insert("bâtiment".to_owned(), "B".to_owned());
                [
                    FieldChange::Subject {
                        from: old.subject.clone(),
                        to: t.subject.clone(),
                    },
                    FieldChange::Description {
                        from: old.description.clone(),
                        to: t.description.clone(),
                    },
                    FieldChange::Priority {
                        from: old.priority,
                        to: t.priority,
                    },
                    FieldChange::Product {
                        from: old.product,
                        to: t.product,
                    },
                    FieldChange::ContactPhone {
                        from: old.contact_phone.clone(),
                        to: None,
                    },
                    FieldChange::Asset {
                        from: old.asset.clone(),
                        to: t.asset.clone(),
                    },
                    FieldChange::CustomField {
                        key: "site".to_owned(),
                        from: Some("Lyon – Part-Dieu".to_owned()),
                        to: None,
                    },
                    FieldChange::CustomField {
                        key: "bâtiment".to_owned(),
                        from: None,
                        to: Some("B".to_owned()),
                    },
                ]
                .into_iter()
                .map(|change| (staff, EventKind::FieldEdited { change }, None))
                .collect()
            }),
        ),
        (
            "moved, unassigned, invited, reassigned",
            Box::new(move |t, _| {
                t.category = Some(cat2);
                t.group = Some(g2);
                t.assignee = None;
                t.guests = vec![denis, chloe, alice];
                t.requester = bernard;
                vec![
                    (
                        staff,
                        EventKind::CategoryMoved {
                            from: Some(cat1),
                            to: cat2,
                            group: Some(g2),
                        },
                        None,
                    ),
                    (
                        ActorRef::Staff(supervisor),
                        EventKind::Assigned {
                            assignee: None,
                            group: Some(g2),
                        },
                        None,
                    ),
                    (
                        ActorRef::Member(admin),
                        EventKind::RequesterReassigned {
                            from: alice,
                            to: bernard,
                        },
                        None,
                    ),
                    (
                        ActorRef::Member(bernard),
                        EventKind::GuestInvited { guest: alice },
                        None,
                    ),
                ]
            }),
        ),
        (
            "closure proposed",
            Box::new(move |t, at| {
                t.assignee = Some(agent);
                t.state = TicketState::PendingClosure {
                    proposed_at: at,
                    proposed_by: agent,
                };
                vec![(
                    staff,
                    EventKind::ClosureProposed {
                        solution: rich("<p>Solution : remplacer le toner.</p>"),
                    },
                    Some((Status::WaitingOnRequester, Status::PendingClosure)),
                )]
            }),
        ),
        (
            "closure refused",
            Box::new(move |t, _| {
                t.state = TicketState::InProgress;
                vec![(
                    ActorRef::Member(bernard),
                    EventKind::ClosureRefused {
                        justification: rich("<p>Le problème <i>persiste</i>.</p>"),
                    },
                    Some((Status::PendingClosure, Status::InProgress)),
                )]
            }),
        ),
        (
            "closure proposed again",
            Box::new(move |t, at| {
                t.state = TicketState::PendingClosure {
                    proposed_at: at,
                    proposed_by: agent,
                };
                vec![(
                    staff,
                    EventKind::ClosureProposed {
                        solution: rich("<p>Toner remplacé.</p>"),
                    },
                    Some((Status::InProgress, Status::PendingClosure)),
                )]
            }),
        ),
        (
            "closure approved with answers",
            Box::new({
                let answers = answers.clone();
                move |t, at| {
                    t.state = TicketState::Closed {
                        closed_at: at,
                        closure: Closure::Approved {
                            by: bernard,
                            answers: answers.clone(),
                        },
                    };
                    vec![(
                        ActorRef::Member(bernard),
                        EventKind::ClosureApproved {
                            answers: answers.clone(),
                        },
                        Some((Status::PendingClosure, Status::Closed)),
                    )]
                }
            }),
        ),
        (
            "reopened with a reason",
            Box::new(move |t, _| {
                t.state = TicketState::InProgress;
                vec![(
                    ActorRef::Member(bernard),
                    EventKind::Reopened {
                        reason: Some(rich("<p>Ça recommence</p>")),
                    },
                    Some((Status::Closed, Status::InProgress)),
                )]
            }),
        ),
        (
            "proposed and auto-approved",
            Box::new(move |t, at| {
                t.state = TicketState::Closed {
                    closed_at: at,
                    closure: Closure::AutoApproved,
                };
                vec![
                    (
                        staff,
                        EventKind::ClosureProposed {
                            solution: rich("<p>Pilote mis à jour.</p>"),
                        },
                        Some((Status::InProgress, Status::PendingClosure)),
                    ),
                    (
                        ActorRef::System,
                        EventKind::ClosureAutoApproved,
                        Some((Status::PendingClosure, Status::Closed)),
                    ),
                ]
            }),
        ),
        (
            "reopened without a reason",
            Box::new(move |t, _| {
                t.state = TicketState::InProgress;
                vec![(
                    ActorRef::Staff(supervisor),
                    EventKind::Reopened { reason: None },
                    Some((Status::Closed, Status::InProgress)),
                )]
            }),
        ),
        (
            "closed directly",
            Box::new(move |t, at| {
                t.state = TicketState::Closed {
                    closed_at: at,
                    closure: Closure::Direct { by: agent },
                };
                vec![(
                    staff,
                    EventKind::ClosedDirectly {
                        solution: rich("<p>Conflit réglé à l'amiable.</p>"),
                    },
                    Some((Status::InProgress, Status::Closed)),
                )]
            }),
        ),
        (
            "reopened and cancelled",
            Box::new(move |t, at| {
                t.state = TicketState::Cancelled { cancelled_at: at };
                vec![
                    (
                        staff,
                        EventKind::Reopened {
                            reason: Some(rich("<p>Erreur</p>")),
                        },
                        Some((Status::Closed, Status::InProgress)),
                    ),
                    (
                        ActorRef::Member(bernard),
                        EventKind::Cancelled { reason: None },
                        Some((Status::InProgress, Status::Cancelled)),
                    ),
                ]
            }),
        ),
        (
            "cancellation reason kept",
            Box::new(move |_, _| {
                vec![(
                    staff,
                    EventKind::Cancelled {
                        reason: Some(rich("<p>Doublon du n°12</p>")),
                    },
                    None,
                )]
            }),
        ),
    ];

    let mut kinds = BTreeSet::new();
    for (i, (name, step)) in steps.iter().enumerate() {
        let at = start + Duration::hours(i as i64 + 1) + Duration::milliseconds(7 * i as i64);
        let before = ticket.version;
        let changes = step(&mut ticket, at);
        ticket.version = before + 1;
        ticket.updated_at = at;
        if changes
            .iter()
            .any(|(_, kind, _)| !matches!(kind, EventKind::NoteAdded { .. }))
        {
            ticket.public_version += 1;
            ticket.public_updated_at = at;
        }
        // Ids made in reverse, so a store that orders events by id fails.
        let mut ids: Vec<EventId> = changes.iter().map(|_| EventId::new()).collect();
        ids.reverse();
        let events: Vec<TimelineEvent> = changes
            .into_iter()
            .zip(ids)
            .map(|((author, kind, change), id)| {
                kinds.insert(kind.name());
                TimelineEvent {
                    id,
                    ..event(&ticket, at, author, kind, change)
                }
            })
            .collect();
        let new_files: Vec<Attachment> = events
            .iter()
            .filter(|e| e.body().is_some())
            .take(1)
            .map(|e| attachment(e, &format!("pièce {i}.pdf"), 100 + i as u64, e.author))
            .collect();
        store
            .save_ticket(TicketChange {
                ticket: &ticket,
                expected_version: before,
                events: &events,
                outbox: &[],
                attachments: &new_files,
                request_fingerprint: None,
            })
            .await
            .must(&format!("saving step {name}"));
        timeline.extend(events);
        files.extend(new_files);
        assert_eq!(
            store.ticket(ticket.id).await.must("reading the ticket"),
            Some(ticket.clone()),
            "after {name}: the ticket reads back equal"
        );
        assert_eq!(
            store.timeline(ticket.id).await.must("reading the timeline"),
            timeline,
            "after {name}: the timeline reads back equal, in the order appended"
        );
        assert_eq!(
            store
                .attachments(ticket.id)
                .await
                .must("reading attachments"),
            files,
            "after {name}: attachments read back equal, oldest first"
        );
    }
    kinds.insert(EventKind::Opened.name());
    assert_eq!(kinds.len(), 16, "every event kind was stored: {kinds:?}");
    for file in &files {
        assert_eq!(
            store
                .attachment(file.id)
                .await
                .must("reading an attachment")
                .as_ref(),
            Some(file)
        );
    }
    assert_eq!(
        store
            .ticket_by_number(tenant.id, ticket.number)
            .await
            .must("reading by number"),
        Some(ticket.clone())
    );
}

// ---------------------------------------------------------------------------------------
// Search
// ---------------------------------------------------------------------------------------

const SUBJECTS: [&str; 8] = [
    "Imprimante bloquée au deuxième étage",
    "Clôture du dossier de Mme Martin",
    "Connexion impossible à l'ENT",
    "Écran noir après la mise à jour",
    "Facture erronée pour le contrat",
    "Demande de matériel pour la rentrée",
    "Problème réseau dans le bâtiment B",
    "Accès refusé au logiciel de paie",
];

const DESCRIPTIONS: [&str; 5] = [
    "<p>L'imprimante affiche « bourrage papier » depuis ce matin.</p>",
    "<p><strong>Urgent</strong> : le serveur ne répond plus.</p>",
    "<p>Merci de vérifier la <em>facture</em> &amp; le contrat.</p>",
    "<ul><li>Poste 12</li><li>Câble débranché</li></ul>",
    "<p>Impossible d'ouvrir la session, mot de passe refusé.</p>",
];

const REPLIES: [&str; 5] = [
    "<p>Avez-vous redémarré l'imprimante ?</p>",
    "<p>Nous procédons à la Clôture de votre demande.</p>",
    "<p>Le technicien passera demain matin.</p>",
    "<p>Votre mot de passe a été réinitialisé.</p>",
    "<p>Toujours bloqué, merci de relancer.</p>",
];

/// Words here appear in no public text.
const NOTES: [&str; 3] = [
    "<p>Note confidentielle : voir le fournisseur Dupont.</p>",
    "<p>Escalade vers le niveau 2, équipe réseau.</p>",
    "<p>Client pressé, rester courtois.</p>",
];

/// A directory, tickets in every state with their timelines, and the reference meaning
/// of a search over them.
struct Dataset {
    dir: Directory,
    tickets: Vec<Ticket>,
    /// Each ticket's searchable words: without and with internal notes.
    words: BTreeMap<TicketId, [Vec<String>; 2]>,
}

impl Dataset {
    /// What a search must return: every ticket the reference accepts, newest first.
    fn reference(&self, query: &SearchQuery) -> Vec<Ticket> {
        let words = query.criteria.contains_words();
        let internal = query.scope.sees_internal();
        let mut found: Vec<Ticket> = self
            .tickets
            .iter()
            .filter(|t| query.matches_fields(t))
            .filter(|t| {
                query.criteria.include_archived
                    || !t.is_archived(self.dir.tenant(t.tenant).settings.archive_delay, query.now)
            })
            .filter(|t| {
                words.is_empty()
                    || self
                        .words
                        .get(&t.id)
                        .is_some_and(|w| contains_all(&words, &w[usize::from(internal)]))
            })
            .cloned()
            .collect();
        newest_first(&mut found);
        found
    }

    fn new(
        dir: Directory,
        tickets: Vec<Ticket>,
        timelines: &BTreeMap<TicketId, Vec<TimelineEvent>>,
    ) -> Self {
        let words = tickets
            .iter()
            .map(|t| {
                let timeline = timelines.get(&t.id).map(Vec::as_slice).unwrap_or(&[]);
                (
                    t.id,
                    [
                        searchable_words(t, timeline, false),
                        searchable_words(t, timeline, true),
                    ],
                )
            })
            .collect();
        Self {
            dir,
            tickets,
            words,
        }
    }

    fn find(&self, id: TicketId) -> &Ticket {
        self.tickets
            .iter()
            .find(|t| t.id == id)
            .found("a dataset ticket")
    }

    /// The scopes every search is run in, by name.
    fn scopes(&self) -> Vec<(&'static str, Scope)> {
        let d = &self.dir;
        let [agnes, bruno, sylvie] = [0, 1, 2].map(|i| &d.staff[i]);
        vec![
            ("everything", Scope::Everything),
            (
                "agent of alpha and bravo in group Logiciel",
                Scope::Staff {
                    staff: agnes.id,
                    tenants: agnes.tenants.clone(),
                    groups: agnes.groups.clone(),
                    all_groups: false,
                },
            ),
            (
                "agent of every tenant in groups Materiel and Reseau",
                Scope::Staff {
                    staff: bruno.id,
                    tenants: TenantScope::All,
                    groups: vec![d.groups[1].id, d.groups[2].id],
                    all_groups: false,
                },
            ),
            (
                "supervisor of alpha and charlie",
                Scope::Staff {
                    staff: sylvie.id,
                    tenants: sylvie.tenants.clone(),
                    groups: vec![],
                    all_groups: true,
                },
            ),
            (
                "tenant admin of bravo",
                Scope::Tenant {
                    tenant: d.tenants[1].id,
                },
            ),
            (
                "requester Alice of alpha",
                Scope::Requester {
                    tenant: d.tenants[0].id,
                    member: d.requesters[0][0].id,
                    whole_tenant: false,
                },
            ),
            (
                "requester Bernard of charlie",
                Scope::Requester {
                    tenant: d.tenants[2].id,
                    member: d.requesters[2][1].id,
                    whole_tenant: false,
                },
            ),
            (
                "requester Chloe of bravo, whole tenant",
                Scope::Requester {
                    tenant: d.tenants[1].id,
                    member: d.requesters[1][2].id,
                    whole_tenant: true,
                },
            ),
            ("nothing", Scope::Nothing),
        ]
    }

    /// The criteria every scope is searched with, by name.
    fn criteria(&self) -> Vec<(&'static str, SearchCriteria)> {
        let d = &self.dir;
        let all = |c: SearchCriteria| SearchCriteria {
            include_closed: true,
            include_archived: true,
            ..c
        };
        let closed = |c: SearchCriteria| SearchCriteria {
            include_closed: true,
            ..c
        };
        let text = |words: &str| SearchCriteria {
            contains: Some(words.to_owned()),
            ..Default::default()
        };
        vec![
            ("open tickets", SearchCriteria::default()),
            ("closed included", closed(SearchCriteria::default())),
            (
                "closed and archived included",
                all(SearchCriteria::default()),
            ),
            (
                "archived only asked",
                SearchCriteria {
                    include_archived: true,
                    ..Default::default()
                },
            ),
            (
                "closed and cancelled, archived too",
                all(SearchCriteria {
                    statuses: vec![Status::Cancelled, Status::Closed],
                    ..Default::default()
                }),
            ),
            (
                "closed, not archived",
                SearchCriteria {
                    statuses: vec![Status::Closed],
                    ..Default::default()
                },
            ),
            (
                "pending closure",
                SearchCriteria {
                    statuses: vec![Status::PendingClosure],
                    ..Default::default()
                },
            ),
            (
                "new or waiting",
                SearchCriteria {
                    statuses: vec![Status::WaitingOnRequester, Status::New, Status::New],
                    ..Default::default()
                },
            ),
            (
                "high and blocking",
                closed(SearchCriteria {
                    priorities: vec![Priority::High, Priority::Blocking],
                    ..Default::default()
                }),
            ),
            (
                "low",
                SearchCriteria {
                    priorities: vec![Priority::Low],
                    ..Default::default()
                },
            ),
            (
                "two categories of two tenants",
                closed(SearchCriteria {
                    categories: vec![d.categories[0][1].id, d.categories[1][0].id],
                    ..Default::default()
                }),
            ),
            (
                "one product",
                all(SearchCriteria {
                    products: vec![d.products[0][0].id],
                    ..Default::default()
                }),
            ),
            (
                "requester Alice of alpha",
                closed(SearchCriteria {
                    requester: Some(d.requesters[0][0].id),
                    ..Default::default()
                }),
            ),
            (
                "assigned to Agnes",
                closed(SearchCriteria {
                    assignee: Some(d.staff[0].id),
                    ..Default::default()
                }),
            ),
            (
                "group Materiel",
                all(SearchCriteria {
                    group: Some(d.groups[1].id),
                    ..Default::default()
                }),
            ),
            (
                "tenant bravo",
                all(SearchCriteria {
                    tenant: Some(d.tenants[1].id),
                    ..Default::default()
                }),
            ),
            (
                "number 3 of alpha",
                all(SearchCriteria {
                    tenant: Some(d.tenants[0].id),
                    number: Some(TicketNumber::new(3)),
                    ..Default::default()
                }),
            ),
            (
                "number 2 of any tenant",
                all(SearchCriteria {
                    number: Some(TicketNumber::new(2)),
                    ..Default::default()
                }),
            ),
            (
                "opened between 120 and 30 days ago",
                closed(SearchCriteria {
                    opened_from: Some(now() - days(120)),
                    opened_to: Some(now() - days(30)),
                    ..Default::default()
                }),
            ),
            (
                "changed between 60 days and 1 day ago",
                all(SearchCriteria {
                    updated_from: Some(now() - days(60)),
                    updated_to: Some(now() - days(1)),
                    ..Default::default()
                }),
            ),
            ("contains imprim", closed(text("imprim"))),
            ("contains cloture", all(text("cloture"))),
            ("contains CLÔTURE DOSSIER", all(text("CLÔTURE DOSSIER"))),
            ("contains Imprimante, bloquée", text("Imprimante, bloquée")),
            ("contains mot de passe", closed(text("mot de passe"))),
            ("contains an internal word", all(text("confidentielle"))),
            ("contains an internal prefix", all(text("escal"))),
            ("contains reseau", all(text("réseau"))),
            ("contains tag names", all(text("strong em li"))),
            ("contains nothing known", all(text("zzzz"))),
            (
                "everything at once",
                SearchCriteria {
                    tenant: Some(d.tenants[0].id),
                    statuses: vec![Status::New, Status::InProgress, Status::Closed],
                    priorities: vec![Priority::Normal, Priority::High, Priority::Low],
                    opened_from: Some(now() - days(400)),
                    include_archived: true,
                    contains: Some("de".to_owned()),
                    ..Default::default()
                },
            ),
            (
                "assignee, group and category",
                closed(SearchCriteria {
                    assignee: Some(d.staff[1].id),
                    group: Some(d.groups[1].id),
                    categories: d.categories.iter().flatten().map(|c| c.id).collect(),
                    ..Default::default()
                }),
            ),
        ]
    }
}

/// Builds `count` tickets in random (but seeded) tenants, states, fields and timelines,
/// and stores them.
async fn dataset(store: &dyn Store, count: usize, seed: u64) -> Dataset {
    let dir = directory(store).await;
    let mut rng = Rng(seed);
    let mut tickets = Vec::new();
    let mut timelines = BTreeMap::new();
    let mut previous_created: Option<DateTime<Utc>> = None;
    for i in 0..count {
        let t_ix = match rng.below(10) {
            0..=4 => 0,
            5..=7 => 1,
            _ => 2,
        };
        let tenant = &dir.tenants[t_ix];
        let requester = rng.pick(&dir.requesters[t_ix]).clone();
        let serving: Vec<&Staff> = dir.staff.iter().filter(|s| s.serves(tenant.id)).collect();
        let class = rng.below(100);
        let jitter = Duration::milliseconds((i as i64 * 37) % 1000);
        // When it ended (closed or cancelled): long ago, 60 days ago, 3 days ago, or
        // exactly 90 days ago (on alpha's archive boundary).
        let ended_at = (class >= 58).then(|| {
            let spread = Duration::seconds(rng.below(80_000) as i64);
            match rng.below(4) {
                0 => now() - days(200) - Duration::hours(rng.below(2000) as i64) - spread,
                1 => now() - days(60) - spread,
                2 => now() - days(3) - spread,
                _ => now() - days(90),
            }
        });
        let mut created_at = match ended_at {
            Some(end) => {
                end - days(1 + rng.below(40) as i64) - Duration::minutes(rng.below(600) as i64)
            }
            None => now() - Duration::minutes(30 + rng.below(400 * 24 * 60) as i64),
        } + jitter;
        if ended_at.is_none() && i % 9 == 8 {
            // Ties on the opening time: the id decides the order.
            if let Some(prev) = previous_created.filter(|p| *p < now()) {
                created_at = prev;
            }
        }
        previous_created = Some(created_at);

        let mut ticket = blank_ticket(tenant.id, requester.id, created_at);
        ticket.subject = (*rng.pick(&SUBJECTS)).to_owned();
        ticket.description = rich(rng.pick::<&str>(&DESCRIPTIONS));
        ticket.priority = *rng.pick(&Priority::ALL);
        if rng.chance(70) {
            ticket.category = Some(rng.pick(&dir.categories[t_ix]).id);
        }
        if rng.chance(50) {
            ticket.product = Some(rng.pick(&dir.products[t_ix]).id);
        }
        if rng.chance(55) {
            ticket.assignee = Some(rng.pick(&serving).id);
        }
        if rng.chance(65) {
            ticket.group = Some(rng.pick(&dir.groups).id);
        }
        for _ in 0..rng.below(3) {
            let guest = rng.pick(&dir.requesters[t_ix]).id;
            if guest != ticket.requester && !ticket.guests.contains(&guest) {
                ticket.guests.push(guest);
            }
        }
        if rng.chance(30) {
            ticket.contact_phone = Some("01 23 45 67 89".to_owned());
        }
        if rng.chance(30) {
            ticket.asset = Some(format!("PC-{:04}", rng.below(10_000)));
        }
        if rng.chance(20) {
            ticket
                .custom_fields
                .insert("site".to_owned(), "Lyon".to_owned());
        }
        if rng.chance(20) {
            ticket.opened_by = ActorRef::Staff(rng.pick(&serving).id);
        }

        let mut events = vec![opened_event(&ticket)];
        let staff_author = ActorRef::Staff(rng.pick(&serving).id);
        for j in 0..rng.below(4) {
            let at = created_at + Duration::minutes(37 * (j as i64 + 1));
            let kind = match rng.below(10) {
                0..=4 => EventKind::Replied {
                    body: rich(rng.pick::<&str>(&REPLIES)),
                },
                5..=7 => EventKind::NoteAdded {
                    body: rich(rng.pick::<&str>(&NOTES)),
                },
                _ => EventKind::InformationRequested {
                    message: rich("<p>Pouvez-vous préciser le numéro de série ?</p>"),
                },
            };
            let author = match kind {
                EventKind::Replied { .. } if rng.chance(50) => ActorRef::Member(requester.id),
                _ => staff_author,
            };
            events.push(event(&ticket, at, author, kind, None));
        }
        let staff_id = match staff_author {
            ActorRef::Staff(id) => id,
            _ => dir.staff[1].id,
        };
        let last_at = events.last().map_or(created_at, |e| e.at);
        match (class, ended_at) {
            (0..=17, _) => {}
            (18..=35, _) => ticket.state = TicketState::InProgress,
            (36..=45, _) => ticket.state = TicketState::WaitingOnRequester,
            (46..=57, _) => {
                let at = last_at + Duration::hours(1);
                ticket.state = TicketState::PendingClosure {
                    proposed_at: at,
                    proposed_by: staff_id,
                };
                events.push(event(
                    &ticket,
                    at,
                    staff_author,
                    EventKind::ClosureProposed {
                        solution: rich("<p>Solution : remplacer la cartouche de toner.</p>"),
                    },
                    Some((Status::InProgress, Status::PendingClosure)),
                ));
            }
            (58..=83, Some(at)) => {
                let (closure, kind, author) = match rng.below(3) {
                    0 => {
                        let answers = BTreeMap::from([(
                            "overall".to_owned(),
                            Answer::Score(rng.below(11) as u8),
                        )]);
                        (
                            Closure::Approved {
                                by: requester.id,
                                answers: answers.clone(),
                            },
                            EventKind::ClosureApproved { answers },
                            ActorRef::Member(requester.id),
                        )
                    }
                    1 => (
                        Closure::AutoApproved,
                        EventKind::ClosureAutoApproved,
                        ActorRef::System,
                    ),
                    _ => (
                        Closure::Direct { by: staff_id },
                        EventKind::ClosedDirectly {
                            solution: rich("<p>Conflit réglé à l'amiable.</p>"),
                        },
                        staff_author,
                    ),
                };
                ticket.state = TicketState::Closed {
                    closed_at: at,
                    closure,
                };
                events.push(event(
                    &ticket,
                    at,
                    author,
                    kind,
                    Some((Status::InProgress, Status::Closed)),
                ));
            }
            (_, Some(at)) => {
                ticket.state = TicketState::Cancelled { cancelled_at: at };
                events.push(event(
                    &ticket,
                    at,
                    ActorRef::Member(requester.id),
                    EventKind::Cancelled {
                        reason: rng
                            .chance(50)
                            .then(|| rich("<p>Doublon d'une autre demande</p>")),
                    },
                    Some((Status::New, Status::Cancelled)),
                ));
            }
            (_, None) => {}
        }
        ticket.updated_at = events.last().map_or(created_at, |e| e.at);
        // Requesters observe the time of the last public event: an internal note
        // leaves it behind.
        ticket.public_updated_at = events
            .iter()
            .rev()
            .find(|e| e.visibility() == Visibility::Public)
            .map_or(created_at, |e| e.at);
        insert_ticket(store, &mut ticket, &events).await;
        timelines.insert(ticket.id, events);
        tickets.push(ticket);
    }
    Dataset::new(dir, tickets, &timelines)
}

/// Every page of one search, checking the page contract on the way: at most `limit`
/// tickets; `next` set exactly when more follow, and then the page is full and `next` is
/// the cursor after its last ticket.
async fn page_through(
    store: &dyn Store,
    scope: &Scope,
    criteria: &SearchCriteria,
    limit: u32,
    context: &str,
) -> Vec<Ticket> {
    let mut out: Vec<Ticket> = Vec::new();
    let mut after = None;
    for _ in 0..2_000 {
        let page = store
            .search(&SearchQuery {
                scope: scope.clone(),
                criteria: criteria.clone(),
                page: PageRequest { limit, after },
                now: now(),
            })
            .await
            .must(context);
        assert!(
            page.tickets.len() <= limit as usize,
            "{context}: a page of limit {limit} held {} tickets",
            page.tickets.len()
        );
        if after.is_some() && page.tickets.is_empty() {
            panic!("{context}: `next` was set but no ticket followed");
        }
        let Some(next) = page.next else {
            out.extend(page.tickets);
            return out;
        };
        assert_eq!(
            page.tickets.len(),
            limit as usize,
            "{context}: `next` is set, so the page must be full"
        );
        assert_eq!(
            page.tickets.last().map(Cursor::after),
            Some(next),
            "{context}: `next` must be the cursor after the page's last ticket"
        );
        out.extend(page.tickets);
        after = Some(next);
    }
    panic!("{context}: pagination did not end after 2000 pages");
}

/// Search: on a seeded dataset of 120 tickets in three tenants (every status, closures
/// archived or not under each tenant's archive delay, ties on the opening time, replies
/// and internal notes with accented words), for 32 criteria in each of 9 scopes, the
/// pages together hold exactly the tickets the reference accepts
/// ([`SearchQuery::matches_fields`], archiving, [`contains_all`] over
/// [`searchable_words`]), whole and newest first, with `next` set exactly when more
/// follow.
pub async fn search_returns_exactly_the_reference_results(store: &dyn Store) {
    let data = dataset(store, 120, 0x5EED_2025).await;

    // The fixture covers what the search rules distinguish.
    let statuses: BTreeSet<Status> = data.tickets.iter().map(Ticket::status).collect();
    assert_eq!(statuses.len(), 6, "the dataset holds every status");
    let archived =
        |t: &Ticket| t.is_archived(data.dir.tenant(t.tenant).settings.archive_delay, now());
    assert!(
        data.tickets.iter().any(archived),
        "the dataset holds archived tickets"
    );
    assert!(
        data.tickets
            .iter()
            .any(|t| !archived(t) && !t.status().is_open()),
        "the dataset holds closed tickets not yet archived"
    );
    let mut openings: Vec<DateTime<Utc>> = data.tickets.iter().map(|t| t.created_at).collect();
    openings.sort();
    assert!(
        openings.windows(2).any(|w| w[0] == w[1]),
        "the dataset holds tickets opened at the same instant"
    );

    let limits = [5u32, 23, 200];
    let mut combos = 0;
    let mut informative = 0;
    for (si, (scope_name, scope)) in data.scopes().into_iter().enumerate() {
        for (ci, (criteria_name, criteria)) in data.criteria().into_iter().enumerate() {
            let limit = limits[(si + ci) % limits.len()];
            let context =
                format!("search in scope `{scope_name}` for `{criteria_name}` by pages of {limit}");
            let expected = data.reference(&SearchQuery {
                scope: scope.clone(),
                criteria: criteria.clone(),
                page: PageRequest { limit, after: None },
                now: now(),
            });
            let got = page_through(store, &scope, &criteria, limit, &context).await;
            assert_same_tickets(&got, &expected, &context);
            if scope != Scope::Nothing {
                combos += 1;
                if !expected.is_empty() {
                    informative += 1;
                }
            }
        }
    }
    assert!(
        informative * 3 >= combos * 2,
        "the dataset is too sparse: only {informative} of {combos} searches found anything"
    );
}

/// Search words: accents and case are folded on both sides ("cloture" finds "Clôture",
/// "imprimante" finds "Imprimante"), words match as prefixes, markup is not text, and
/// words only found in internal notes are found by staff scopes only (never by tenant
/// admins or requesters).
pub async fn search_folds_accents_and_keeps_internal_notes_to_staff(store: &dyn Store) {
    let dir = directory(store).await;
    let tenant = dir.tenants[0].clone();
    let alice = dir.requesters[0][0].clone();
    let agent = dir.staff[2].clone();
    let mut tickets = Vec::new();
    let mut timelines = BTreeMap::new();
    let specs: [(&str, &str, Option<&str>, Option<&str>); 5] = [
        ("Clôture impossible", "<p>Rien à signaler</p>", None, None),
        (
            "Problème",
            "<p>L'<strong>Imprimante</strong> est en panne</p>",
            None,
            None,
        ),
        (
            "Autre sujet",
            "<p>Voir la réponse</p>",
            Some("<p>IMPRIMANTE réparée, clôture proposée</p>"),
            None,
        ),
        (
            "Question",
            "<p>Une question</p>",
            Some("<p>Merci</p>"),
            Some("<p>Zorglub confidentiel</p>"),
        ),
        ("Sans rapport", "<p>Écran fêlé</p>", None, None),
    ];
    for (i, (subject, description, reply, note)) in specs.into_iter().enumerate() {
        let mut ticket = blank_ticket(tenant.id, alice.id, now() - Duration::hours(10 - i as i64));
        ticket.subject = subject.to_owned();
        ticket.description = rich(description);
        let mut events = vec![opened_event(&ticket)];
        if let Some(body) = reply {
            events.push(event(
                &ticket,
                ticket.created_at + Duration::minutes(5),
                ActorRef::Staff(agent.id),
                EventKind::Replied { body: rich(body) },
                None,
            ));
        }
        if let Some(body) = note {
            events.push(event(
                &ticket,
                ticket.created_at + Duration::minutes(6),
                ActorRef::Staff(agent.id),
                EventKind::NoteAdded { body: rich(body) },
                None,
            ));
        }
        ticket.updated_at = events.last().map_or(ticket.created_at, |e| e.at);
        insert_ticket(store, &mut ticket, &events).await;
        timelines.insert(ticket.id, events);
        tickets.push(ticket);
    }
    let data = Dataset::new(dir, tickets, &timelines);
    let [t0, t1, t2, t3, t4] = [0, 1, 2, 3, 4].map(|i| data.tickets[i].id);

    let staff_scopes = [
        ("everything", Scope::Everything),
        (
            "supervisor",
            Scope::Staff {
                staff: agent.id,
                tenants: agent.tenants.clone(),
                groups: vec![],
                all_groups: true,
            },
        ),
    ];
    let member_scopes = [
        ("tenant admin", Scope::Tenant { tenant: tenant.id }),
        (
            "requester",
            Scope::Requester {
                tenant: tenant.id,
                member: alice.id,
                whole_tenant: false,
            },
        ),
    ];
    let cases: [(&str, Vec<TicketId>, Vec<TicketId>); 11] = [
        ("cloture", vec![t2, t0], vec![t2, t0]),
        ("Clôture", vec![t2, t0], vec![t2, t0]),
        ("CLOTURE imprim", vec![t2], vec![t2]),
        ("imprimante", vec![t2, t1], vec![t2, t1]),
        ("IMPRIMANTE", vec![t2, t1], vec![t2, t1]),
        ("l'imprimante", vec![t2, t1], vec![t2, t1]),
        ("ecran", vec![t4], vec![t4]),
        ("écran FÊLÉ", vec![t4], vec![t4]),
        ("zorglub", vec![t3], vec![]),
        ("confidentiel merci", vec![t3], vec![]),
        ("strong", vec![], vec![]),
    ];
    for (words, for_staff, for_members) in cases {
        let criteria = SearchCriteria {
            contains: Some(words.to_owned()),
            ..Default::default()
        };
        for (scopes, expected_ids) in [(&staff_scopes, &for_staff), (&member_scopes, &for_members)]
        {
            for (scope_name, scope) in scopes.iter() {
                let context = format!("searching `{words}` in scope `{scope_name}`");
                let expected: Vec<Ticket> = expected_ids
                    .iter()
                    .map(|id| data.find(*id).clone())
                    .collect();
                assert_eq!(
                    data.reference(&SearchQuery {
                        scope: scope.clone(),
                        criteria: criteria.clone(),
                        page: PageRequest::default(),
                        now: now(),
                    }),
                    expected,
                    "{context}: the suite's own expectation disagrees with the reference"
                );
                let got = page_through(store, scope, &criteria, 50, &context).await;
                assert_same_tickets(&got, &expected, &context);
            }
        }
    }
}

/// Cursor pagination is stable: tickets opened (ahead of the cursor or behind it) and
/// tickets changed while pages are fetched cause no duplicate and no skip; tickets
/// behind the cursor show up in later pages, tickets ahead of it do not.
pub async fn search_pages_stay_stable_while_tickets_are_inserted(store: &dyn Store) {
    let dir = directory(store).await;
    let tenant = dir.tenants[0].clone();
    let alice = dir.requesters[0][0].clone();
    let mut tickets: Vec<Ticket> = Vec::new();
    for i in 0..30i64 {
        // Pairs opened at the same instant.
        let created_at = now() - Duration::hours(2 + i / 2) + Duration::milliseconds(250);
        let mut ticket = blank_ticket(tenant.id, alice.id, created_at);
        ticket.subject = format!("Ticket {i}");
        let events = [opened_event(&ticket)];
        insert_ticket(store, &mut ticket, &events).await;
        tickets.push(ticket);
    }
    let original: BTreeSet<TicketId> = tickets.iter().map(|t| t.id).collect();
    let scope = Scope::Tenant { tenant: tenant.id };
    let criteria = SearchCriteria::default();
    let mut ahead = BTreeSet::new();
    let mut behind = BTreeSet::new();
    let mut seen: Vec<Ticket> = Vec::new();
    let mut after: Option<Cursor> = None;
    let mut changed: Option<TicketId> = None;
    for round in 0..100i64 {
        let page = store
            .search(&SearchQuery {
                scope: scope.clone(),
                criteria: criteria.clone(),
                page: PageRequest { limit: 4, after },
                now: now(),
            })
            .await
            .must("searching a page");
        seen.extend(page.tickets);
        let Some(next) = page.next else { break };
        after = Some(next);

        // A newer ticket: ahead of the cursor, it belongs to pages already read.
        let mut newer = blank_ticket(
            tenant.id,
            alice.id,
            now() - Duration::minutes(30) + Duration::milliseconds(round),
        );
        newer.subject = format!("Newer {round}");
        let events = [opened_event(&newer)];
        insert_ticket(store, &mut newer, &events).await;
        ahead.insert(newer.id);
        tickets.push(newer);

        // An older ticket: behind the cursor, it must come in a later page.
        let mut older = blank_ticket(
            tenant.id,
            alice.id,
            next.created_at - Duration::seconds(1) - Duration::milliseconds(round),
        );
        older.subject = format!("Older {round}");
        let events = [opened_event(&older)];
        insert_ticket(store, &mut older, &events).await;
        behind.insert(older.id);
        tickets.push(older);

        // A change to a ticket not read yet must not move it.
        if changed.is_none() {
            let seen_ids: BTreeSet<TicketId> = seen.iter().map(|t| t.id).collect();
            if let Some(target) = tickets
                .iter_mut()
                .filter(|t| original.contains(&t.id) && !seen_ids.contains(&t.id))
                .last()
            {
                let before = target.version;
                target.priority = Priority::Blocking;
                target.version += 1;
                target.updated_at = now();
                let edit = event(
                    target,
                    now(),
                    ActorRef::Member(alice.id),
                    EventKind::FieldEdited {
                        change: FieldChange::Priority {
                            from: Priority::Normal,
                            to: Priority::Blocking,
                        },
                    },
                    None,
                );
                store
                    .save_ticket(TicketChange {
                        ticket: target,
                        expected_version: before,
                        events: std::slice::from_ref(&edit),
                        outbox: &[],
                        attachments: &[],
                        request_fingerprint: None,
                    })
                    .await
                    .must("changing a ticket between pages");
                changed = Some(target.id);
            }
        }
    }
    assert!(changed.is_some(), "a ticket was changed while paging");
    let mut expected: Vec<Ticket> = tickets
        .iter()
        .filter(|t| !ahead.contains(&t.id))
        .cloned()
        .collect();
    newest_first(&mut expected);
    assert_same_tickets(
        &seen,
        &expected,
        "paging by 4 while tickets are opened and changed",
    );
    assert!(
        behind.iter().all(|id| seen.iter().any(|t| t.id == *id)),
        "tickets opened behind the cursor show up in later pages"
    );
    assert!(
        seen.iter().all(|t| !ahead.contains(&t.id)),
        "tickets opened ahead of the cursor do not show up in later pages"
    );
}

/// Pages of one: a limit of 1 walks through every matching ticket one by one, with
/// `next` on every page but the last.
pub async fn search_pages_of_one_walk_through_everything(store: &dyn Store) {
    let data = dataset(store, 40, 0x0000_0001_CAFE).await;
    let all = SearchCriteria {
        include_closed: true,
        include_archived: true,
        ..Default::default()
    };
    let scopes = data.scopes();
    let searches = [
        (&scopes[0], all.clone()),
        (
            &scopes[7],
            SearchCriteria {
                contains: Some("de".to_owned()),
                ..all.clone()
            },
        ),
        (&scopes[3], SearchCriteria::default()),
    ];
    for ((scope_name, scope), criteria) in searches {
        let context = format!("pages of one in scope `{scope_name}`");
        let expected = data.reference(&SearchQuery {
            scope: scope.clone(),
            criteria: criteria.clone(),
            page: PageRequest::default(),
            now: now(),
        });
        assert!(
            !expected.is_empty(),
            "{context}: the fixture finds something"
        );
        let got = page_through(store, scope, &criteria, 1, &context).await;
        assert_same_tickets(&got, &expected, &context);
    }
    assert_eq!(
        page_through(store, &Scope::Everything, &all, 1, "pages of one")
            .await
            .len(),
        40,
        "every ticket is reached one page at a time"
    );
}

// ---------------------------------------------------------------------------------------
// Dashboard
// ---------------------------------------------------------------------------------------

/// What a dashboard must hold: the reference meaning, over the fixture's tickets.
fn reference_dashboard(tickets: &[Ticket], dir: &Directory, query: &DashboardQuery) -> Dashboard {
    let mut out = Dashboard::default();
    for status in Status::ALL {
        out.by_status.insert(status, 0);
    }
    let mut month = query.first_month();
    for _ in 0..query.months {
        out.opened_per_month.push(MonthCount { month, opened: 0 });
        month = month.next();
    }
    let mut scores = Vec::new();
    for t in tickets.iter().filter(|t| {
        query.scope.admits(t)
            && query.tenant.is_none_or(|x| x == t.tenant)
            && query.assignee.is_none_or(|a| Some(a) == t.assignee)
    }) {
        *out.by_status.entry(t.status()).or_default() += 1;
        if let Some(slot) = out
            .opened_per_month
            .iter_mut()
            .find(|m| m.month == Month::of(t.created_at))
        {
            slot.opened += 1;
        }
        let Some(answers) = t.closure_answers() else {
            continue;
        };
        out.satisfaction.answered += 1;
        let questionnaire = &dir.tenant(t.tenant).settings.questionnaire;
        if let Some(Answer::Score(s)) = questionnaire.score_key().and_then(|k| answers.get(k)) {
            scores.push(f64::from(*s));
        }
        for q in &questionnaire.questions {
            if let (QuestionKind::Choice { .. }, Some(Answer::Text(choice))) =
                (&q.kind, answers.get(&q.key))
            {
                *out.satisfaction
                    .choices
                    .entry(q.key.clone())
                    .or_default()
                    .entry(choice.clone())
                    .or_default() += 1;
            }
        }
    }
    out.satisfaction.average_score =
        (!scores.is_empty()).then(|| scores.iter().sum::<f64>() / scores.len() as f64);
    out
}

#[track_caller]
fn assert_same_dashboard(got: &Dashboard, expected: &Dashboard, context: &str) {
    assert_eq!(
        got.by_status, expected.by_status,
        "{context}: counts per status (every status present, zeros included)"
    );
    assert_eq!(
        got.opened_per_month, expected.opened_per_month,
        "{context}: tickets opened per month (every month of the window, oldest first)"
    );
    assert_eq!(
        got.satisfaction.answered, expected.satisfaction.answered,
        "{context}: closures approved with answers"
    );
    match (
        got.satisfaction.average_score,
        expected.satisfaction.average_score,
    ) {
        (Some(g), Some(e)) => assert!(
            (g - e).abs() < 1e-9,
            "{context}: average overall score {g}, expected {e}"
        ),
        (g, e) => assert_eq!(g, e, "{context}: average overall score"),
    }
    assert_eq!(
        got.satisfaction.choices, expected.satisfaction.choices,
        "{context}: how often each option of each choice question was chosen"
    );
}

/// A dashboard fixture ticket: tenant, requester, assignee, group, opening time, state.
type DashboardSpec = (
    TenantId,
    MemberId,
    Option<StaffId>,
    Option<GroupId>,
    DateTime<Utc>,
    TicketState,
);

/// Dashboard: counts per status over every ticket in scope (archived included, every
/// status present), tickets opened per month over the window ending with the month of
/// `now` (months before it not counted, every month present, oldest first), and
/// satisfaction over closures approved with answers (how many, the average of the
/// tenant's overall score, how often each option of each choice question was chosen;
/// free-text answers are not choices); the scope, tenant and assignee filters all
/// narrow it.
pub async fn dashboard_counts_statuses_months_and_satisfaction(store: &dyn Store) {
    let dir = directory(store).await;
    let (a, b) = (dir.tenants[0].id, dir.tenants[1].id);
    let [agnes, bruno] = [dir.staff[0].id, dir.staff[1].id];
    let (alice, bernard) = (dir.requesters[0][0].id, dir.requesters[0][1].id);
    let bravo_alice = dir.requesters[1][0].id;
    let (logiciel, materiel) = (dir.groups[0].id, dir.groups[1].id);
    let approved = |by: MemberId, pairs: &[(&str, Answer)]| {
        let answers: Answers = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect();
        Closure::Approved { by, answers }
    };
    let text = |s: &str| Answer::Text(s.to_owned());
    let closed = |at: DateTime<Utc>, closure: Closure| TicketState::Closed {
        closed_at: at,
        closure,
    };
    // (tenant, requester, assignee, group, opened at, state)
    let specs: Vec<DashboardSpec> = vec![
        (
            a,
            alice,
            Some(agnes),
            Some(logiciel),
            utc(2025, 6, 10, 9, 0, 0),
            TicketState::New,
        ),
        (
            a,
            bernard,
            Some(bruno),
            Some(materiel),
            utc(2025, 6, 1, 0, 0, 0),
            TicketState::InProgress,
        ),
        (
            a,
            alice,
            None,
            Some(logiciel),
            utc(2025, 5, 20, 8, 30, 0),
            TicketState::WaitingOnRequester,
        ),
        (
            a,
            bernard,
            Some(agnes),
            None,
            utc(2025, 3, 5, 10, 0, 0),
            TicketState::PendingClosure {
                proposed_at: utc(2025, 3, 9, 10, 0, 0),
                proposed_by: agnes,
            },
        ),
        (
            a,
            alice,
            Some(agnes),
            Some(logiciel),
            utc(2025, 1, 1, 0, 0, 0),
            closed(
                utc(2025, 1, 8, 0, 0, 0),
                approved(
                    alice,
                    &[
                        ("overall", Answer::Score(8)),
                        ("processing_time", text("very_satisfied")),
                        ("human", text("satisfied")),
                        ("comment", text("Parfait")),
                    ],
                ),
            ),
        ),
        (
            a,
            bernard,
            Some(bruno),
            Some(materiel),
            utc(2024, 12, 31, 23, 59, 59),
            closed(
                utc(2025, 1, 3, 0, 0, 0),
                approved(
                    bernard,
                    &[
                        ("overall", Answer::Score(5)),
                        ("processing_time", text("satisfied")),
                    ],
                ),
            ),
        ),
        (
            a,
            alice,
            Some(agnes),
            None,
            utc(2024, 6, 1, 12, 0, 0),
            closed(utc(2024, 6, 20, 0, 0, 0), Closure::AutoApproved),
        ),
        (
            a,
            bernard,
            None,
            None,
            utc(2025, 2, 14, 14, 0, 0),
            closed(utc(2025, 2, 15, 0, 0, 0), Closure::Direct { by: bruno }),
        ),
        (
            a,
            alice,
            Some(agnes),
            Some(materiel),
            utc(2025, 4, 1, 7, 0, 0),
            TicketState::Cancelled {
                cancelled_at: utc(2025, 4, 2, 0, 0, 0),
            },
        ),
        (
            a,
            bernard,
            None,
            Some(logiciel),
            utc(2023, 12, 1, 0, 0, 0),
            TicketState::Cancelled {
                cancelled_at: utc(2024, 1, 1, 0, 0, 0),
            },
        ),
        (
            b,
            bravo_alice,
            Some(agnes),
            None,
            utc(2025, 6, 14, 18, 0, 0),
            TicketState::New,
        ),
        (
            b,
            bravo_alice,
            Some(bruno),
            Some(materiel),
            utc(2025, 5, 2, 9, 0, 0),
            closed(
                utc(2025, 5, 10, 0, 0, 0),
                approved(
                    bravo_alice,
                    &[
                        ("overall", Answer::Score(10)),
                        ("human", text("dissatisfied")),
                    ],
                ),
            ),
        ),
    ];
    let mut tickets = Vec::new();
    for (tenant, requester, assignee, group, created_at, state) in specs {
        let mut ticket = blank_ticket(tenant, requester, created_at);
        ticket.assignee = assignee;
        ticket.group = group;
        ticket.updated_at = created_at + Duration::hours(1);
        let change = (state.status() != Status::New).then(|| (Status::New, state.status()));
        ticket.state = state;
        let opened = opened_event(&ticket);
        let moved = event(
            &ticket,
            ticket.updated_at,
            ActorRef::System,
            EventKind::Assigned { assignee, group },
            change,
        );
        insert_ticket(store, &mut ticket, &[opened, moved]).await;
        tickets.push(ticket);
    }

    let query = |scope: Scope, tenant: Option<TenantId>, assignee: Option<StaffId>, months: u32| {
        DashboardQuery {
            scope,
            tenant,
            assignee,
            months,
            now: now(),
        }
    };
    let month = |year, month| Month { year, month };

    // The whole platform over six months, spelled out.
    let everything = store
        .dashboard(&query(Scope::Everything, None, None, 6))
        .await
        .must("computing a dashboard");
    let expected_status: BTreeMap<Status, u64> = BTreeMap::from([
        (Status::New, 2),
        (Status::InProgress, 1),
        (Status::WaitingOnRequester, 1),
        (Status::PendingClosure, 1),
        (Status::Closed, 5),
        (Status::Cancelled, 2),
    ]);
    assert_eq!(
        everything.by_status, expected_status,
        "counts per status cover every ticket, archived and outside the window too"
    );
    let expected_months: Vec<MonthCount> = [(1, 1), (2, 1), (3, 1), (4, 1), (5, 2), (6, 3)]
        .into_iter()
        .map(|(m, opened)| MonthCount {
            month: month(2025, m),
            opened,
        })
        .collect();
    assert_eq!(
        everything.opened_per_month, expected_months,
        "six months ending with June 2025, oldest first; a ticket opened one second before \
         January 1st is not counted, one opened at midnight is"
    );
    assert_eq!(everything.satisfaction.answered, 3);
    let average = everything
        .satisfaction
        .average_score
        .found("an average score");
    assert!(
        (average - 23.0 / 3.0).abs() < 1e-9,
        "the average overall score is (8 + 5 + 10) / 3, got {average}"
    );
    let expected_choices: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::from([
        (
            "processing_time".to_owned(),
            BTreeMap::from([
                ("very_satisfied".to_owned(), 1),
                ("satisfied".to_owned(), 1),
            ]),
        ),
        (
            "human".to_owned(),
            BTreeMap::from([("satisfied".to_owned(), 1), ("dissatisfied".to_owned(), 1)]),
        ),
    ]);
    assert_eq!(
        everything.satisfaction.choices, expected_choices,
        "choice answers are counted per question and option; comments are not choices"
    );

    // Nothing in scope: every status and month still present, at zero.
    let nothing = store
        .dashboard(&query(Scope::Nothing, None, None, 3))
        .await
        .must("computing a dashboard");
    assert!(nothing.by_status.values().all(|n| *n == 0));
    assert_eq!(nothing.by_status.len(), 6, "every status is present");
    assert_eq!(
        nothing.opened_per_month,
        [4, 5, 6]
            .into_iter()
            .map(|m| MonthCount {
                month: month(2025, m),
                opened: 0
            })
            .collect::<Vec<_>>(),
        "every month is present, zeros included"
    );
    assert_eq!(nothing.satisfaction, crate::Satisfaction::default());

    let agnes_scope = Scope::Staff {
        staff: agnes,
        tenants: dir.staff[0].tenants.clone(),
        groups: dir.staff[0].groups.clone(),
        all_groups: false,
    };
    let cases = [
        (
            "the whole platform",
            query(Scope::Everything, None, None, 6),
        ),
        ("one month", query(Scope::Everything, None, None, 1)),
        (
            "eighteen months across years",
            query(Scope::Everything, None, None, 18),
        ),
        ("tenant alpha", query(Scope::Everything, Some(a), None, 12)),
        ("tenant bravo", query(Scope::Everything, Some(b), None, 12)),
        (
            "assigned to Agnes",
            query(Scope::Everything, None, Some(agnes), 12),
        ),
        (
            "assigned to Bruno in alpha",
            query(Scope::Everything, Some(a), Some(bruno), 36),
        ),
        ("an agent's scope", query(agnes_scope, None, None, 12)),
        (
            "tenant admin of alpha",
            query(Scope::Tenant { tenant: a }, None, None, 6),
        ),
        (
            "tenant admin of alpha asking for bravo",
            query(Scope::Tenant { tenant: a }, Some(b), None, 6),
        ),
        (
            "requester Alice",
            query(
                Scope::Requester {
                    tenant: a,
                    member: alice,
                    whole_tenant: false,
                },
                None,
                None,
                24,
            ),
        ),
        ("nothing", query(Scope::Nothing, None, None, 6)),
    ];
    for (name, q) in cases {
        let got = store.dashboard(&q).await.must("computing a dashboard");
        assert_same_dashboard(&got, &reference_dashboard(&tickets, &dir, &q), name);
    }
    let alice_only = store
        .dashboard(&query(
            Scope::Requester {
                tenant: a,
                member: alice,
                whole_tenant: false,
            },
            None,
            None,
            6,
        ))
        .await
        .must("computing a dashboard");
    assert_eq!(
        alice_only.by_status.values().sum::<u64>(),
        5,
        "a requester's dashboard counts only their own tickets"
    );
    let bravo = store
        .dashboard(&query(Scope::Everything, Some(b), None, 6))
        .await
        .must("computing a dashboard");
    assert_eq!(bravo.satisfaction.average_score, Some(10.0));
    assert_eq!(bravo.by_status.values().sum::<u64>(), 2);
}

// ---------------------------------------------------------------------------------------
// Closures due, saved searches, knowledge base, outbox
// ---------------------------------------------------------------------------------------

/// Closures due: only the tenant's tickets pending closure proposed at or before the
/// cutoff, oldest proposal first, at most `limit`.
pub async fn closures_due_are_the_tenants_oldest_pending_proposals(store: &dyn Store) {
    let dir = directory(store).await;
    let (a, b) = (dir.tenants[0].id, dir.tenants[1].id);
    let agent = dir.staff[1].id;
    let cutoff = now() - days(15);
    let pending = |at: DateTime<Utc>| TicketState::PendingClosure {
        proposed_at: at,
        proposed_by: agent,
    };
    // Inserted out of order, so the store has to sort.
    let specs = [
        ("p2", a, pending(now() - days(16))),
        ("p4", a, pending(now() - days(10))),
        ("p1", a, pending(now() - days(20))),
        ("p3 at the cutoff", a, pending(cutoff)),
        ("in progress", a, TicketState::InProgress),
        (
            "closed",
            a,
            TicketState::Closed {
                closed_at: now() - days(40),
                closure: Closure::AutoApproved,
            },
        ),
        ("other tenant", b, pending(now() - days(30))),
    ];
    let mut by_name = BTreeMap::new();
    for (name, tenant, state) in specs {
        let requester = dir.requesters[dir.index_of(tenant)][0].id;
        let mut ticket = blank_ticket(tenant, requester, now() - days(60));
        ticket.subject = name.to_owned();
        ticket.assignee = Some(agent);
        let change = (ticket.status() != state.status()).then(|| (Status::New, state.status()));
        ticket.state = state;
        let events = [
            opened_event(&ticket),
            event(
                &ticket,
                now() - days(50),
                ActorRef::Staff(agent),
                EventKind::ClosureProposed {
                    solution: rich("<p>Résolu</p>"),
                },
                change,
            ),
        ];
        ticket.updated_at = now() - days(50);
        insert_ticket(store, &mut ticket, &events).await;
        by_name.insert(name, ticket);
    }
    let named =
        |names: &[&str]| -> Vec<Ticket> { names.iter().map(|n| by_name[n].clone()).collect() };
    assert_same_tickets(
        &store
            .closures_due(a, cutoff, 10)
            .await
            .must("listing closures due"),
        &named(&["p1", "p2", "p3 at the cutoff"]),
        "closures due in alpha at the cutoff, oldest first",
    );
    assert_same_tickets(
        &store
            .closures_due(a, cutoff, 2)
            .await
            .must("listing closures due"),
        &named(&["p1", "p2"]),
        "closures due with a limit of 2",
    );
    assert_same_tickets(
        &store
            .closures_due(a, now(), 10)
            .await
            .must("listing closures due"),
        &named(&["p1", "p2", "p3 at the cutoff", "p4"]),
        "every pending closure of alpha by now",
    );
    assert_same_tickets(
        &store
            .closures_due(a, now() - days(25), 10)
            .await
            .must("listing closures due"),
        &[],
        "nothing is due before the oldest proposal",
    );
    assert_same_tickets(
        &store
            .closures_due(b, cutoff, 10)
            .await
            .must("listing closures due"),
        &named(&["other tenant"]),
        "closures due in bravo",
    );
    assert_same_tickets(
        &store
            .closures_due(dir.tenants[2].id, now(), 10)
            .await
            .must("listing closures due"),
        &[],
        "closures due in a tenant without tickets",
    );
}

/// Saved searches: listed per owner and tenant (none for staff), by name, criteria
/// round-tripping whole; only their owner deletes them (false otherwise, and for one
/// already deleted).
pub async fn saved_searches_belong_to_their_owner(store: &dyn Store) {
    let dir = directory(store).await;
    let (a, b) = (dir.tenants[0].id, dir.tenants[1].id);
    let full = SearchCriteria {
        tenant: Some(a),
        number: Some(TicketNumber::new(42)),
        statuses: vec![Status::New, Status::PendingClosure],
        priorities: vec![Priority::Blocking],
        categories: vec![dir.categories[0][0].id],
        products: vec![dir.products[0][1].id],
        requester: Some(dir.requesters[0][0].id),
        assignee: Some(dir.staff[0].id),
        group: Some(dir.groups[0].id),
        opened_from: Some(now() - days(30) + Duration::milliseconds(5)),
        opened_to: Some(now()),
        updated_from: Some(now() - days(7)),
        updated_to: Some(now() - days(1)),
        contains: Some("Clôture, imprimante".to_owned()),
        include_closed: true,
        include_archived: true,
    };
    let saved =
        |owner: &str, tenant: Option<TenantId>, name: &str, criteria: SearchCriteria| SavedSearch {
            id: SavedSearchId::new(),
            owner: user(owner),
            tenant,
            name: name.to_owned(),
            criteria,
            created_at: now() - Duration::minutes(3),
        };
    let mine_b = saved("alice", Some(a), "Bloquants", full.clone());
    let mine_a = saved("alice", Some(a), "A valider", SearchCriteria::default());
    let mine_elsewhere = saved("alice", Some(b), "Ailleurs", SearchCriteria::default());
    let staff_one = saved("alice", None, "Support", full.clone());
    let theirs = saved("bernard", Some(a), "Autre", SearchCriteria::default());
    for s in [&mine_b, &mine_a, &mine_elsewhere, &staff_one, &theirs] {
        store.insert_saved_search(s).await.must("saving a search");
    }
    assert_eq!(
        store
            .saved_searches(&user("alice"), Some(a))
            .await
            .must("listing saved searches"),
        vec![mine_a.clone(), mine_b.clone()],
        "an owner's saved searches in one tenant, by name, criteria whole"
    );
    assert_eq!(
        store
            .saved_searches(&user("alice"), None)
            .await
            .must("listing saved searches"),
        vec![staff_one.clone()],
        "saved searches without a tenant are listed apart"
    );
    assert_eq!(
        store
            .saved_searches(&user("alice"), Some(b))
            .await
            .must("listing saved searches"),
        vec![mine_elsewhere.clone()]
    );
    assert!(
        store
            .saved_searches(&user("chloe"), Some(a))
            .await
            .must("listing saved searches")
            .is_empty()
    );

    assert!(
        !store
            .delete_saved_search(&user("bernard"), mine_b.id)
            .await
            .must("deleting a saved search"),
        "nobody but the owner deletes a saved search"
    );
    assert_eq!(
        store
            .saved_searches(&user("alice"), Some(a))
            .await
            .must("listing saved searches")
            .len(),
        2,
        "a refused delete deletes nothing"
    );
    assert!(
        store
            .delete_saved_search(&user("alice"), mine_b.id)
            .await
            .must("deleting a saved search"),
        "the owner deletes their saved search"
    );
    assert!(
        !store
            .delete_saved_search(&user("alice"), mine_b.id)
            .await
            .must("deleting a saved search"),
        "deleting it again finds nothing"
    );
    assert!(
        !store
            .delete_saved_search(&user("alice"), SavedSearchId::new())
            .await
            .must("deleting a saved search")
    );
    assert_eq!(
        store
            .saved_searches(&user("alice"), Some(a))
            .await
            .must("listing saved searches"),
        vec![mine_a]
    );
    assert_eq!(
        store
            .saved_searches(&user("bernard"), Some(a))
            .await
            .must("listing saved searches"),
        vec![theirs]
    );
}

/// Knowledge base: articles read back whole within their tenant only, are listed by
/// title (published or not), and updates replace title, body, category, publication and
/// time; an update naming another tenant changes nothing.
pub async fn knowledge_base_articles_stay_in_their_tenant(store: &dyn Store) {
    let dir = directory(store).await;
    let (a, b) = (dir.tenants[0].id, dir.tenants[1].id);
    let printers = dir.categories[0][1].id;
    let article = |tenant, category, title: &str, body: &str| {
        Article::new(tenant, category, title, body, now() - days(3)).must("an article")
    };
    let reset = article(
        a,
        None,
        "Reinitialiser son mot de passe",
        "<p>Cliquez sur <b>oublié</b></p>",
    );
    let mut jam = article(
        a,
        Some(printers),
        "Imprimante bloquee",
        "<p>Ouvrez le capot &amp; retirez le papier</p>",
    );
    jam.published = false;
    let vpn = article(
        a,
        None,
        "Connexion VPN",
        "<ol><li>Installez le client</li></ol>",
    );
    let other = article(b, None, "Facturation", "<p>Voir le contrat</p>");
    for x in [&reset, &jam, &vpn, &other] {
        store.insert_article(x).await.must("inserting an article");
    }
    assert_eq!(
        store.article(a, jam.id).await.must("reading an article"),
        Some(jam.clone()),
        "an article reads back whole, unpublished too"
    );
    assert_eq!(
        store.article(b, jam.id).await.must("reading an article"),
        None,
        "an article of alpha is not found in bravo"
    );
    assert_eq!(
        store.articles(a).await.must("listing articles"),
        vec![vpn.clone(), jam.clone(), reset.clone()],
        "a tenant's articles, published or not, by title"
    );
    assert_eq!(
        store.articles(b).await.must("listing articles"),
        vec![other.clone()]
    );

    let mut edited = jam.clone();
    edited.title = "Bourrage papier".to_owned();
    edited.body = rich("<p>Nouvelle procédure</p>");
    edited.category = None;
    edited.published = true;
    edited.updated_at = now();
    store
        .update_article(&edited)
        .await
        .must("updating an article");
    assert_eq!(
        store.article(a, jam.id).await.must("reading an article"),
        Some(edited.clone())
    );
    assert_eq!(
        store.articles(a).await.must("listing articles"),
        vec![edited.clone(), vpn.clone(), reset.clone()],
        "an edited article is listed under its new title"
    );

    let mut hijack = reset.clone();
    hijack.tenant = b;
    hijack.title = "Piraté".to_owned();
    let _ = store.update_article(&hijack).await;
    assert_eq!(
        store.article(a, reset.id).await.must("reading an article"),
        Some(reset.clone()),
        "an update naming another tenant does not change the article"
    );
    assert_eq!(
        store.article(b, reset.id).await.must("reading an article"),
        None,
        "an update naming another tenant does not move the article"
    );
}

/// Outbox: due messages are those whose next attempt time has come, oldest first
/// (across tenants), at most `limit`, read back whole; a failure counts an attempt,
/// records the error and delays the message until the given time; a delivered message
/// is gone.
pub async fn outbox_hands_out_due_messages_oldest_first_and_records_failures(store: &dyn Store) {
    let dir = directory(store).await;
    let agent = dir.staff[0].id;
    let group = dir.groups[1].id;
    let mut ticket = blank_ticket(dir.tenants[0].id, dir.requesters[0][0].id, now() - days(1));
    ticket.guests = vec![dir.requesters[0][1].id];
    let e1 = opened_event(&ticket);
    let mut m1 = outbox_message(&ticket, &e1, vec![Recipient::Group(group)]);
    m1.created_at = now() - Duration::hours(3);
    m1.next_attempt_at = m1.created_at;
    ticket.number = store
        .open_ticket(TicketChange {
            ticket: &ticket,
            expected_version: 0,
            events: std::slice::from_ref(&e1),
            outbox: std::slice::from_ref(&m1),
            attachments: &[],
            request_fingerprint: None,
        })
        .await
        .must("opening a ticket");

    let at = now() - Duration::hours(2);
    let mut v2 = ticket.clone();
    v2.version = 2;
    v2.updated_at = at;
    let e2 = event(
        &v2,
        at,
        ActorRef::Staff(agent),
        EventKind::Replied {
            body: rich("<p>Bonjour</p>"),
        },
        None,
    );
    let e3 = event(
        &v2,
        at,
        ActorRef::Staff(agent),
        EventKind::NoteAdded {
            body: rich("<p>Interne</p>"),
        },
        None,
    );
    let mut m2 = outbox_message(
        &v2,
        &e2,
        vec![
            Recipient::Member(ticket.requester),
            Recipient::Member(dir.requesters[0][1].id),
            Recipient::Staff(agent),
        ],
    );
    m2.next_attempt_at = now() + Duration::hours(1);
    let mut m3 = outbox_message(&v2, &e3, vec![Recipient::Staff(dir.staff[1].id)]);
    m3.created_at = now() - Duration::hours(1);
    m3.next_attempt_at = m3.created_at;
    store
        .save_ticket(TicketChange {
            ticket: &v2,
            expected_version: 1,
            events: &[e2, e3],
            outbox: &[m2.clone(), m3.clone()],
            attachments: &[],
            request_fingerprint: None,
        })
        .await
        .must("saving a ticket");

    let mut other = blank_ticket(dir.tenants[1].id, dir.requesters[1][0].id, now() - days(2));
    other.assignee = Some(agent);
    let e4 = opened_event(&other);
    let mut m4 = outbox_message(&other, &e4, vec![Recipient::Staff(agent)]);
    m4.created_at = now() - Duration::hours(4);
    m4.next_attempt_at = m4.created_at;
    store
        .open_ticket(TicketChange {
            ticket: &other,
            expected_version: 0,
            events: std::slice::from_ref(&e4),
            outbox: std::slice::from_ref(&m4),
            attachments: &[],
            request_fingerprint: None,
        })
        .await
        .must("opening a ticket");

    let due = |at: DateTime<Utc>, limit: u32| async move {
        store
            .due_messages(at, limit)
            .await
            .must("reading due messages")
    };
    assert_eq!(
        due(now(), 10).await,
        vec![m4.clone(), m1.clone(), m3.clone()],
        "due messages, oldest first across tenants; one not due yet is left out"
    );
    assert_eq!(
        due(now(), 2).await,
        vec![m4.clone(), m1.clone()],
        "the limit is honoured, keeping the oldest"
    );
    assert_eq!(
        due(now() - Duration::hours(3), 10).await,
        vec![m4.clone(), m1.clone()],
        "a message is due exactly at its next attempt time"
    );
    assert_eq!(
        due(now() + Duration::hours(1), 10).await,
        vec![m4.clone(), m1.clone(), m2.clone(), m3.clone()],
        "a delayed message becomes due at its time, in creation order"
    );

    let retry_at = now() + Duration::minutes(30);
    store
        .mark_failed(m1.id, "smtp: connection refused", retry_at)
        .await
        .must("recording a failure");
    assert_eq!(
        due(now(), 10).await,
        vec![m4.clone(), m3.clone()],
        "a failed message waits until its retry time"
    );
    let failed_once = OutboxMessage {
        attempts: 1,
        last_error: Some("smtp: connection refused".to_owned()),
        next_attempt_at: retry_at,
        ..m1.clone()
    };
    assert_eq!(
        due(retry_at, 10).await,
        vec![m4.clone(), failed_once.clone(), m3.clone()],
        "a failure counts an attempt and records the error and the retry time"
    );
    let retry_again = now() + Duration::hours(2);
    store
        .mark_failed(m1.id, "smtp: timeout", retry_again)
        .await
        .must("recording a second failure");
    let failed_twice = OutboxMessage {
        attempts: 2,
        last_error: Some("smtp: timeout".to_owned()),
        next_attempt_at: retry_again,
        ..m1.clone()
    };
    assert_eq!(
        due(retry_again, 10).await,
        vec![m4.clone(), failed_twice, m2.clone(), m3.clone()],
        "each failure counts, the last error wins"
    );

    store.mark_delivered(m4.id).await.must("marking delivered");
    store.mark_delivered(m3.id).await.must("marking delivered");
    assert_eq!(
        due(now() + days(1), 10)
            .await
            .iter()
            .map(|m| m.id)
            .collect::<Vec<_>>(),
        vec![m1.id, m2.id],
        "delivered messages are gone"
    );
}
