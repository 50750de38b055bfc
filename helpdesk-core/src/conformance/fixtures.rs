//! Helpers every check shares: unwrapping with a message, fixture times and values,
//! a seeded generator, ticket comparisons, and the directory of tenants, people and
//! catalog that tickets point at.

use std::collections::BTreeMap;
use std::fmt::Debug;

use chrono::{DateTime, Duration, NaiveDate, Utc};

use crate::attachment::Attachment;
use crate::catalog::{Category, Product};
use crate::ids::{AttachmentId, EventId, MemberId, OutboxId, TenantId, TicketId, TicketNumber};
use crate::notify::{OutboxMessage, Recipient};
use crate::people::{ActorRef, Group, Member, MemberRole, Staff, StaffRole, TenantScope, UserId};
use crate::ports::{Store, TicketChange};
use crate::status::{Priority, Status};
use crate::tenant::{RequesterVisibility, Tenant, Window};
use crate::text::RichText;
use crate::ticket::{Ticket, TicketState};
use crate::timeline::{EventKind, StatusChange, TimelineEvent, Visibility};

/// Unwraps a result in a check, panicking with what was being done.
pub(super) trait Must<T> {
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
pub(super) trait Found<T> {
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
pub(super) fn now() -> DateTime<Utc> {
    utc(2025, 6, 15, 12, 0, 0)
}

pub(super) fn utc(year: i32, month: u32, day: u32, hour: u32, min: u32, sec: u32) -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(year, month, day)
        .and_then(|d| d.and_hms_opt(hour, min, sec))
        .map(|d| d.and_utc())
        .found("a fixture date")
}

pub(super) fn days(n: i64) -> Duration {
    Duration::days(n)
}

pub(super) fn rich(html: &str) -> RichText {
    RichText::sanitize(html).must("sanitising a fixture")
}

pub(super) fn user(id: &str) -> UserId {
    UserId::new(id).must("a fixture user id")
}

/// A small deterministic generator (SplitMix64): the same dataset on every store.
pub(super) struct Rng(pub(super) u64);

impl Rng {
    pub(super) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub(super) fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    pub(super) fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    pub(super) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// A short label for a ticket in failure messages: its tenant's last id digits and its
/// number.
pub(super) fn label(ticket: &Ticket) -> String {
    let tenant = ticket.tenant.as_uuid().simple().to_string();
    format!("{}#{}", &tenant[tenant.len() - 4..], ticket.number)
}

/// Sorts tickets in search order: newest opening first, then highest id.
pub(super) fn newest_first(tickets: &mut [Ticket]) {
    tickets.sort_by_key(|t| std::cmp::Reverse((t.created_at, t.id)));
}

pub(super) fn labels(tickets: &[Ticket]) -> Vec<String> {
    tickets.iter().map(label).collect()
}

/// Asserts two ticket lists are equal, saying which tickets are missing, extra or out
/// of order, or which one differs.
#[track_caller]
pub(super) fn assert_same_tickets(got: &[Ticket], expected: &[Ticket], context: &str) {
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
pub(super) fn blank_ticket(
    tenant: TenantId,
    requester: MemberId,
    created_at: DateTime<Utc>,
) -> Ticket {
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
        service_level: Default::default(),
    }
}

pub(super) fn event(
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

pub(super) fn opened_event(ticket: &Ticket) -> TimelineEvent {
    event(
        ticket,
        ticket.created_at,
        ticket.opened_by,
        EventKind::Opened,
        None,
    )
}

pub(super) fn outbox_message(
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
        dead_at: None,
    }
}

pub(super) fn attachment(event: &TimelineEvent, name: &str, size: u64, by: ActorRef) -> Attachment {
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

/// The change that opens `ticket` with its opening event `first` and nothing else: no
/// message, no attachment, no request fingerprint.
pub(super) fn opening<'a>(ticket: &'a Ticket, first: &'a TimelineEvent) -> TicketChange<'a> {
    TicketChange {
        ticket,
        expected_version: 0,
        events: std::slice::from_ref(first),
        outbox: &[],
        attachments: &[],
        request_fingerprint: None,
    }
}

/// Opens `ticket` as it was when first opened (state new, version 1), then saves it as
/// it is now with the rest of `events` at version 2. `events[0]` is its opening event.
/// Sets the number the store gave and the version.
pub(super) async fn insert_ticket(
    store: &dyn Store,
    ticket: &mut Ticket,
    events: &[TimelineEvent],
) {
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
pub(super) struct Directory {
    /// `alpha` (defaults), `bravo` (whole-tenant visibility, 30-day archive delay),
    /// `charlie` (7-day archive delay).
    pub(super) tenants: Vec<Tenant>,
    /// Per tenant: Alice, Bernard, Chloe, Denis (the same host users in every tenant).
    pub(super) requesters: Vec<Vec<Member>>,
    /// Per tenant: Emma, a tenant admin.
    pub(super) admins: Vec<Member>,
    /// Logiciel, Materiel, Reseau.
    pub(super) groups: Vec<Group>,
    /// Agnes (agent of alpha and bravo, group Logiciel), Bruno (agent of every tenant,
    /// group Materiel), Sylvie (supervisor of alpha and charlie).
    pub(super) staff: Vec<Staff>,
    /// Per tenant: Informatique (to Logiciel), Imprimantes (under Informatique),
    /// Scolarite (to Reseau).
    pub(super) categories: Vec<Vec<Category>>,
    /// Per tenant: Contrat de maintenance (CM), Logiciel INL (INL).
    pub(super) products: Vec<Vec<Product>>,
}

impl Directory {
    pub(super) fn tenant(&self, id: TenantId) -> &Tenant {
        self.tenants
            .iter()
            .find(|t| t.id == id)
            .found("a fixture tenant")
    }

    pub(super) fn index_of(&self, id: TenantId) -> usize {
        self.tenants
            .iter()
            .position(|t| t.id == id)
            .found("a fixture tenant")
    }
}

/// Stores the [`Directory`]: tenants, groups and staff first, then each tenant's
/// members, categories and products.
pub(super) async fn directory(store: &dyn Store) -> Directory {
    let tenants = insert_tenants(store).await;
    let mut groups = Vec::new();
    for name in ["Logiciel", "Materiel", "Reseau"] {
        let group = Group::new(name).must("a fixture group");
        store.insert_group(&group).await.must("inserting a group");
        groups.push(group);
    }
    let staff = insert_staff(store, &tenants, &groups).await;
    let mut requesters = Vec::new();
    let mut admins = Vec::new();
    let mut categories = Vec::new();
    let mut products = Vec::new();
    for tenant in &tenants {
        let (people, admin) = insert_members(store, tenant).await;
        requesters.push(people);
        admins.push(admin);
        categories.push(insert_categories(store, tenant, &groups).await);
        products.push(insert_products(store, tenant).await);
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

/// `alpha` (defaults), `bravo` (whole-tenant visibility, 30-day archive delay),
/// `charlie` (7-day archive delay).
async fn insert_tenants(store: &dyn Store) -> Vec<Tenant> {
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
    tenants
}

/// Agnes, Bruno and Sylvie (see [`Directory::staff`]).
async fn insert_staff(store: &dyn Store, tenants: &[Tenant], groups: &[Group]) -> Vec<Staff> {
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
    staff
}

/// The tenant's requesters Alice, Bernard, Chloe and Denis, and its admin Emma.
async fn insert_members(store: &dyn Store, tenant: &Tenant) -> (Vec<Member>, Member) {
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
    (people, admin)
}

/// The tenant's Informatique (to Logiciel), Imprimantes (under Informatique) and
/// Scolarite (to Reseau).
async fn insert_categories(store: &dyn Store, tenant: &Tenant, groups: &[Group]) -> Vec<Category> {
    let it = Category::new(tenant.id, None, "Informatique", Some(groups[0].id))
        .must("a fixture category");
    let printers =
        Category::new(tenant.id, Some(it.id), "Imprimantes", None).must("a fixture category");
    let school =
        Category::new(tenant.id, None, "Scolarite", Some(groups[2].id)).must("a fixture category");
    let tree = vec![it, printers, school];
    for c in &tree {
        store.insert_category(c).await.must("inserting a category");
    }
    tree
}

/// The tenant's Contrat de maintenance (CM) and Logiciel INL (INL).
async fn insert_products(store: &dyn Store, tenant: &Tenant) -> Vec<Product> {
    let catalog = vec![
        Product::new(tenant.id, Some("CM"), "Contrat de maintenance").must("a fixture product"),
        Product::new(tenant.id, Some("INL"), "Logiciel INL").must("a fixture product"),
    ];
    for p in &catalog {
        store.insert_product(p).await.must("inserting a product");
    }
    catalog
}
