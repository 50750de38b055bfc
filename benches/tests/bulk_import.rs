//! `import_tickets` writes what the port writes: tickets from the scale generator,
//! imported in bulk into SQLite and PostgreSQL, read back (ticket, timeline, search with
//! many criteria, dashboard, breakdown) exactly as the same tickets opened and saved
//! one by one through `open_ticket` / `save_ticket` in the reference in-memory store.
//! Duplicates are refused with nothing written, and the number counter continues after
//! the highest number imported.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use helpdesk_benches::generate::{self, TenantPeople};
use helpdesk_benches::postgres::{self, BenchDatabase};
use helpdesk_core::memory::MemoryStore;
use helpdesk_core::search::SlaFilter;
use helpdesk_core::{
    DashboardQuery, Entity, Error, HelpdeskService, ManualClock, PageRequest, Priority, Scope,
    SearchCriteria, SearchQuery, Sort, SortKey, SortOrder, Status, Store, TenantRepository,
    TenantScope, TicketChange, TicketRepository, UserId,
};
use helpdesk_sqlx::ImportedTicket;

const TICKETS: usize = 400;
const SEED: u64 = 42;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 8, 0, 0).unwrap()
}

/// The reference store with its people, and the generated tickets loaded through the
/// port: opened with their first event, then saved with the rest.
async fn reference() -> (Arc<MemoryStore>, TenantPeople, Vec<ImportedTicket>) {
    let memory = Arc::new(MemoryStore::new());
    let service =
        HelpdeskService::new(memory.clone()).with_clock(Arc::new(ManualClock::new(now())));
    let root = service
        .bootstrap_platform_admin(&UserId::new("root").unwrap(), "Root")
        .await
        .unwrap();
    let groups = generate::groups(&service, &root).await.unwrap();
    let people = generate::tenant(&service, &root, &groups, "acme", TICKETS, 4)
        .await
        .unwrap();
    let tickets: Vec<ImportedTicket> = (0..TICKETS)
        .map(|i| generate::ticket(&people, SEED, i, now()))
        .collect();
    for t in &tickets {
        let number = memory
            .open_ticket(TicketChange {
                ticket: &t.ticket,
                expected_version: 0,
                events: &t.events[..1],
                outbox: &[],
                attachments: &[],
                request_fingerprint: None,
            })
            .await
            .unwrap();
        assert_eq!(number, t.ticket.number);
        memory
            .save_ticket(TicketChange {
                ticket: &t.ticket,
                expected_version: t.ticket.version,
                events: &t.events[1..],
                outbox: &[],
                attachments: &[],
                request_fingerprint: None,
            })
            .await
            .unwrap();
    }
    (memory, people, tickets)
}

/// The queries compared: many scopes and criteria.
fn queries(people: &TenantPeople, tickets: &[ImportedTicket]) -> Vec<(String, SearchQuery)> {
    let tenant = people.tenant;
    let (agent, group) = people.agents[0];
    let scopes = [
        ("admin", Scope::Tenant { tenant }),
        (
            "agent",
            Scope::Staff {
                staff: agent,
                tenants: TenantScope::Only(vec![tenant]),
                groups: vec![group],
                all_groups: false,
            },
        ),
        (
            "light requester",
            Scope::Requester {
                tenant,
                member: people.light(),
                whole_tenant: false,
            },
        ),
        (
            "guest",
            Scope::Requester {
                tenant,
                member: people.guest,
                whole_tenant: false,
            },
        ),
    ];
    let all = SearchCriteria {
        include_closed: true,
        include_archived: true,
        ..Default::default()
    };
    let mid = tickets[TICKETS / 2].ticket.created_at;
    let criteria = [
        ("default", SearchCriteria::default()),
        ("everything", all.clone()),
        (
            "closed",
            SearchCriteria {
                statuses: vec![Status::Closed],
                ..Default::default()
            },
        ),
        (
            "high priorities",
            SearchCriteria {
                priorities: vec![Priority::High, Priority::Blocking],
                ..all.clone()
            },
        ),
        (
            "category",
            SearchCriteria {
                categories: vec![people.categories[1].0],
                ..all.clone()
            },
        ),
        (
            "assignee",
            SearchCriteria {
                assignee: Some(agent),
                ..all.clone()
            },
        ),
        (
            "group",
            SearchCriteria {
                group: Some(group),
                ..all.clone()
            },
        ),
        (
            "requester",
            SearchCriteria {
                requester: Some(people.requesters[0]),
                ..all.clone()
            },
        ),
        (
            "dates",
            SearchCriteria {
                opened_from: Some(mid),
                updated_to: Some(now() - chrono::Duration::days(3)),
                ..all.clone()
            },
        ),
        (
            "sla breached",
            SearchCriteria {
                sla: Some(SlaFilter::Breached),
                ..all.clone()
            },
        ),
        (
            "contains common",
            SearchCriteria {
                contains: Some("IMPRIMANTE".into()),
                ..all.clone()
            },
        ),
        (
            "contains two words",
            SearchCriteria {
                contains: Some("ecran demarrage".into()),
                ..all.clone()
            },
        ),
        (
            "contains rare",
            SearchCriteria {
                contains: Some("dossier0000123".into()),
                ..all.clone()
            },
        ),
        (
            "contains a note's word",
            SearchCriteria {
                contains: Some("fournisseur".into()),
                ..all.clone()
            },
        ),
        (
            "by number",
            SearchCriteria {
                sort: Sort {
                    key: SortKey::Number,
                    order: SortOrder::Asc,
                },
                ..all.clone()
            },
        ),
        (
            "by last change",
            SearchCriteria {
                sort: Sort {
                    key: SortKey::Updated,
                    order: SortOrder::Desc,
                },
                ..all
            },
        ),
    ];
    let mut out = Vec::new();
    for (who, scope) in &scopes {
        for (what, c) in &criteria {
            out.push((
                format!("{who}: {what}"),
                SearchQuery {
                    scope: scope.clone(),
                    criteria: c.clone(),
                    page: PageRequest {
                        limit: 30,
                        after: None,
                    },
                    now: now(),
                    count: helpdesk_core::Count::default(),
                },
            ));
        }
    }
    out
}

/// Reads everything back from both stores and compares.
async fn compare(
    sql: &dyn Store,
    memory: &MemoryStore,
    people: &TenantPeople,
    tickets: &[ImportedTicket],
) {
    for t in tickets {
        let id = t.ticket.id;
        assert_eq!(
            sql.ticket(id).await.unwrap(),
            memory.ticket(id).await.unwrap()
        );
        assert_eq!(
            sql.timeline(id).await.unwrap(),
            memory.timeline(id).await.unwrap()
        );
    }
    let mut nonempty = 0;
    for (name, mut query) in queries(people, tickets) {
        // Every page, following the cursors.
        loop {
            let ours = sql.search(&query).await.unwrap();
            let theirs = memory.search(&query).await.unwrap();
            assert_eq!(ours.total, theirs.total, "{name}: total");
            assert_eq!(ours.tickets, theirs.tickets, "{name}: tickets");
            assert_eq!(ours.next, theirs.next, "{name}: cursor");
            nonempty += usize::from(!ours.tickets.is_empty());
            match ours.next {
                Some(next) => query.page.after = Some(next),
                None => break,
            }
        }
    }
    assert!(nonempty > 40, "most queries find tickets ({nonempty})");
    let (agent, group) = people.agents[0];
    for (scope, assignee) in [
        (
            Scope::Tenant {
                tenant: people.tenant,
            },
            None,
        ),
        (
            Scope::Staff {
                staff: agent,
                tenants: TenantScope::Only(vec![people.tenant]),
                groups: vec![group],
                all_groups: false,
            },
            Some(agent),
        ),
    ] {
        let query = DashboardQuery {
            scope,
            tenant: Some(people.tenant),
            assignee,
            months: 24,
            now: now(),
        };
        assert_eq!(
            sql.dashboard(&query).await.unwrap(),
            memory.dashboard(&query).await.unwrap()
        );
        assert_eq!(
            sql.dashboard_breakdown(&query).await.unwrap(),
            memory.dashboard_breakdown(&query).await.unwrap()
        );
    }
}

/// The import, whichever the database.
trait Import: Store {
    async fn import(&self, tickets: &[ImportedTicket]) -> Result<(), Error>;
}

impl Import for helpdesk_sqlx::SqliteStore {
    async fn import(&self, tickets: &[ImportedTicket]) -> Result<(), Error> {
        self.import_tickets(tickets).await
    }
}

impl Import for helpdesk_sqlx::PostgresStore {
    async fn import(&self, tickets: &[ImportedTicket]) -> Result<(), Error> {
        self.import_tickets(tickets).await
    }
}

/// The whole check on one migrated SQL store.
async fn check(store: &impl Import) {
    let (memory, people, tickets) = reference().await;
    let tenant = memory.tenant(people.tenant).await.unwrap().unwrap();
    store.insert_tenant(&tenant).await.unwrap();
    // Two calls, the second with an odd size.
    let (first, second) = tickets.split_at(TICKETS / 2 + 17);
    store.import(first).await.unwrap();
    // Refused, and nothing of the batch written: a ticket already stored, a batch
    // naming one ticket twice.
    let again = [second[0].clone(), first[3].clone()];
    assert!(matches!(
        store.import(&again).await,
        Err(Error::AlreadyExists(Entity::Ticket))
    ));
    let twice = [second[0].clone(), second[0].clone()];
    assert!(matches!(
        store.import(&twice).await,
        Err(Error::AlreadyExists(Entity::Ticket))
    ));
    let mut renumbered = second[0].clone();
    renumbered.ticket.number = first[0].ticket.number;
    renumbered.ticket.id = helpdesk_core::TicketId::new();
    for e in &mut renumbered.events {
        e.ticket = renumbered.ticket.id;
        e.id = helpdesk_core::EventId::new();
    }
    assert!(matches!(
        store.import(&[renumbered]).await,
        Err(Error::AlreadyExists(Entity::Ticket))
    ));
    assert_eq!(store.ticket(second[0].ticket.id).await.unwrap(), None);
    store.import(second).await.unwrap();
    compare(store, &memory, &people, &tickets).await;
    // The counter continues after the highest number imported.
    let mut next = tickets[0].clone();
    next.ticket.id = helpdesk_core::TicketId::new();
    let number = store
        .open_ticket(TicketChange {
            ticket: &next.ticket,
            expected_version: 0,
            events: &[],
            outbox: &[],
            attachments: &[],
            request_fingerprint: None,
        })
        .await
        .unwrap();
    assert_eq!(number.get(), TICKETS as u64 + 1);
}

#[tokio::test]
async fn sqlite_imports_read_back_as_the_reference() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("import.db").display());
    let store = helpdesk_sqlx::SqliteStore::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    check(&store).await;
}

#[tokio::test]
async fn postgres_imports_read_back_as_the_reference() {
    let Some(url) = postgres::url("the bulk import test") else {
        return;
    };
    let db = BenchDatabase::create(&url).await.unwrap();
    let store = db.store().await.unwrap();
    check(&store).await;
    drop(store);
    db.drop_now().await.unwrap();
}
