//! A `contains` search in a requester's own tickets, in a tenant of more tickets than
//! PostgreSQL's probe walks: its total is counted from the range of the requester's
//! tickets that the search can find (`helpdesk_tickets_kept_by_requester`, migration 17:
//! the open ones, and those ended after the archive limit), not from a walk of the
//! requester's whole history. Whatever the statuses asked for and whether archived
//! tickets are included, it finds what the archive rule and the words say, guest
//! tickets too, every page in order, totals exact up to the cap; on PostgreSQL the
//! count reads the range through its index, in no order and without the full-text
//! index's bitmap. A tenant admin's total, walked through the tenant, counts only what
//! the archive rule keeps. On both databases, for the same tickets.
//!
//! Statements are read from sqlx's own per-statement events by a global `tracing`
//! subscriber: one test in this binary, so nothing else runs statements meanwhile.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use helpdesk_core::{
    Closure, Count, MemberId, PageRequest, Scope, SearchCriteria, SearchQuery, Status, Store,
    TenantId, TicketId, TicketState, Total,
};
use support::statements::Statements;

/// Tickets of the tenant: more than the probe walks.
const TICKETS: usize = 2_600;

/// Tickets ended at or before this second after the fixed start are archived at
/// [`now`] (the tenant keeps ended tickets 90 days, the default).
const ARCHIVE_LIMIT: usize = 1_300;

/// What the search reads as its time: 90 days after the archive limit.
fn now() -> DateTime<Utc> {
    support::ticket_at(TenantId::new(), MemberId::new(), ARCHIVE_LIMIT, "").created_at
        + Duration::days(90)
}

/// One ticket as opened: its second (also its opening and, when ended, its end), its
/// status, whether it has the word `commun`, whether the requester owns it (or is a
/// guest on it).
struct Opened {
    id: TicketId,
    second: usize,
    status: Status,
    word: bool,
    own: bool,
}

/// The `i`th ticket's state: every fifth is the requester's, half of those ended
/// (closed or cancelled, in turn), as many before the archive limit as after; the
/// others, open.
fn state_of(i: usize, at: DateTime<Utc>) -> TicketState {
    match i % 20 {
        0 => TicketState::Closed {
            closed_at: at,
            closure: Closure::AutoApproved,
        },
        10 => TicketState::Cancelled { cancelled_at: at },
        5 => TicketState::WaitingOnRequester,
        _ => TicketState::New,
    }
}

/// Opens the tenant's tickets for `alice` (every fifth ticket) and others, `commun` in
/// one in three; alice is also a guest on two tickets of another requester, one open,
/// one archived. Oldest first.
async fn open_tickets(store: &dyn Store, tenant: TenantId, alice: MemberId) -> Vec<Opened> {
    let mut opened = Vec::new();
    for i in 0..TICKETS + 2 {
        let word = i.is_multiple_of(3) || i >= TICKETS;
        let subject = if word {
            "commun imprimante"
        } else {
            "imprimante"
        };
        let (requester, guest) = match i {
            _ if i >= TICKETS => (MemberId::new(), true),
            _ if i.is_multiple_of(5) => (alice, false),
            _ => (MemberId::new(), false),
        };
        let mut ticket = support::ticket_at(tenant, requester, i, subject);
        ticket.state = match i {
            // The guest tickets: one archived (ended at the start), one open.
            TICKETS => TicketState::Cancelled {
                cancelled_at: ticket.created_at - Duration::seconds(TICKETS as i64),
            },
            _ if guest => TicketState::New,
            _ => state_of(i, ticket.created_at),
        };
        if guest {
            ticket.guests = vec![alice];
        }
        support::open_ticket(store, &ticket).await;
        let second = match i {
            TICKETS => 0,
            _ => i,
        };
        opened.push(Opened {
            id: ticket.id,
            second,
            status: ticket.state.status(),
            word,
            own: requester == alice || guest,
        });
    }
    opened
}

/// A search of alice's own tickets with `criteria`, at [`now`].
fn query(tenant: TenantId, alice: MemberId, criteria: SearchCriteria, count: Count) -> SearchQuery {
    SearchQuery {
        scope: Scope::Requester {
            tenant,
            member: alice,
            whole_tenant: false,
        },
        criteria: SearchCriteria {
            tenant: Some(tenant),
            ..criteria
        },
        page: PageRequest {
            limit: 50,
            after: None,
        },
        now: now(),
        count,
    }
}

/// Every page of `query`: the tickets in page order and the first page's total.
async fn every_page(store: &dyn Store, mut query: SearchQuery) -> (Vec<TicketId>, Total) {
    let mut found = Vec::new();
    let mut first = None;
    loop {
        let page = store.search(&query).await.expect("a page");
        first.get_or_insert(page.total);
        found.extend(page.tickets.iter().map(|t| t.id));
        match page.next {
            Some(cursor) => query.page.after = Some(cursor),
            None => break,
        }
    }
    (found, first.expect("a first page"))
}

fn ended(t: &Opened) -> bool {
    matches!(t.status, Status::Closed | Status::Cancelled)
}

/// The searches of alice's own tickets: what each asks, and which of her tickets with
/// the word it finds.
type Case = (&'static str, SearchCriteria, fn(&Opened) -> bool);

fn cases() -> Vec<Case> {
    let words = |words: &str| Some(words.to_owned());
    vec![
        (
            "open and ended, archived ones left out",
            SearchCriteria {
                contains: words("commun"),
                include_closed: true,
                ..Default::default()
            },
            |t| !ended(t) || t.second > ARCHIVE_LIMIT,
        ),
        (
            "open only (the default)",
            SearchCriteria {
                contains: words("commun"),
                ..Default::default()
            },
            |t| !ended(t),
        ),
        (
            "closed only, archived ones left out",
            SearchCriteria {
                contains: words("commun"),
                statuses: vec![Status::Closed],
                ..Default::default()
            },
            |t| t.status == Status::Closed && t.second > ARCHIVE_LIMIT,
        ),
        (
            "open and ended, archived ones included",
            SearchCriteria {
                contains: words("commun"),
                include_closed: true,
                include_archived: true,
                ..Default::default()
            },
            |_| true,
        ),
        (
            "waiting only, archived ones included",
            SearchCriteria {
                contains: words("commun"),
                statuses: vec![Status::WaitingOnRequester],
                include_archived: true,
                ..Default::default()
            },
            |t| t.status == Status::WaitingOnRequester,
        ),
        (
            "a word nobody wrote",
            SearchCriteria {
                contains: words("absent"),
                include_closed: true,
                ..Default::default()
            },
            |_| false,
        ),
    ]
}

/// Every case finds what the archive rule and the words say, at each cap; answers the
/// statements each case's first search (cap 1,000) ran.
async fn finds_what_is_kept(
    store: Arc<dyn Store>,
    statements: &Statements,
) -> Vec<(&'static str, Vec<String>)> {
    let world = support::World::new(store.clone()).await;
    let tenant = world.tenant.id;
    let alice = world.requester.as_member().expect("a member").id;
    let opened = open_tickets(store.as_ref(), tenant, alice).await;
    let mut ran = Vec::new();
    for (what, criteria, finds) in cases() {
        let mut expected: Vec<&Opened> = opened
            .iter()
            .filter(|t| t.own && t.word && finds(t))
            .collect();
        // Newest first; the two guest tickets are the newest opened.
        expected.reverse();
        let expected: Vec<TicketId> = expected.iter().map(|t| t.id).collect();
        assert!(
            what == "a word nobody wrote" || expected.len() > 5,
            "{what}: the case finds something"
        );
        let n = expected.len() as u64;
        for cap in [1_000, 5] {
            statements.take();
            let (found, total) = every_page(
                store.as_ref(),
                query(tenant, alice, criteria.clone(), Count::UpTo(cap)),
            )
            .await;
            if cap == 1_000 {
                ran.push((what, statements.take()));
            }
            assert_eq!(found, expected, "{what}, cap {cap}");
            let want = if n > cap {
                Total::MoreThan(cap)
            } else {
                Total::Exact(n)
            };
            assert_eq!(total, want, "{what}, cap {cap}");
        }
    }
    // The tenant's admin, the same words: on PostgreSQL the total walks the whole
    // tenant (the words in a third of it, too many for the index), and counts only the
    // tickets the archive rule keeps among those with the words.
    let mut expected: Vec<TicketId> = opened
        .iter()
        .filter(|t| t.word && (!ended(t) || t.second > ARCHIVE_LIMIT))
        .map(|t| t.id)
        .collect();
    expected.reverse();
    let mut admin = query(tenant, alice, cases()[0].1.clone(), Count::UpTo(1_000));
    admin.scope = Scope::Tenant { tenant };
    let archived = opened.iter().filter(|t| t.word).count() - expected.len();
    assert!(
        archived > 0 && expected.len() < 1_000,
        "{archived} archived"
    );
    let (found, total) = every_page(store.as_ref(), admin).await;
    assert_eq!(
        total,
        Total::Exact(expected.len() as u64),
        "the admin's total"
    );
    assert_eq!(found, expected, "the admin's pages");
    ran
}

/// Whether `statements` read a requester's kept tickets as their range, `shape` the
/// range's condition.
fn read_range(statements: &[String], shape: &str) -> bool {
    statements.iter().any(|s| {
        s.contains(&format!(
            "COALESCE(t.ended_at, 9223372036854775807) {shape}"
        ))
    })
}

#[cfg(feature = "postgres")]
async fn counts_read_the_range_through_its_index(url: &str) {
    let database = support::postgres::TestDatabase::create(url).await;
    let store = database.store().await;
    store.migrate().await.expect("migrating PostgreSQL");
    let store: Arc<dyn Store> = Arc::new(store);
    let world = support::World::new(store.clone()).await;
    let tenant = world.tenant.id;
    let alice = world.requester.as_member().expect("a member").id;
    open_tickets(store.as_ref(), tenant, alice).await;
    let store = database.store().await;
    for (what, criteria, _) in cases().into_iter().take(3) {
        let [count, _] = store
            .explain_search(&query(tenant, alice, criteria, Count::UpTo(1_000)))
            .await
            .expect("the plans");
        let count = count.join("\n");
        assert!(
            count.contains("helpdesk_tickets_kept_by_requester")
                && !count.contains("BitmapAnd")
                && !count.contains("helpdesk_tickets_text_"),
            "{what}: the count reads the range, not the full-text index:\n{count}"
        );
    }
}

#[test]
fn a_requesters_contains_count_reads_only_the_tickets_it_can_find() {
    let statements = Statements::install();
    support::on_sqlite_memory(|store, runtime| {
        runtime.block_on(finds_what_is_kept(store, &statements));
    });
    support::on_postgres("a requester's kept tickets", |store, runtime| {
        let ran = runtime.block_on(finds_what_is_kept(store, &statements));
        let by_case = |what: &str| {
            ran.iter()
                .find(|(case, _)| *case == what)
                .map(|(_, statements)| statements.as_slice())
                .expect("the case ran")
        };
        assert!(read_range(
            by_case("open and ended, archived ones left out"),
            ">"
        ));
        assert!(read_range(by_case("open only (the default)"), "="));
        assert!(read_range(
            by_case("closed only, archived ones left out"),
            ">"
        ));
        assert!(
            !read_range(by_case("open and ended, archived ones included"), ""),
            "with archived tickets, the range would be the requester's whole"
        );
    });
    #[cfg(feature = "postgres")]
    if let Some(url) = support::postgres::url("a requester's kept tickets, plans") {
        let runtime = tokio::runtime::Runtime::new().expect("a runtime");
        runtime.block_on(counts_read_the_range_through_its_index(&url));
    }
}
