//! A search walked one filter value at a time (here the saved search "urgent, not yet
//! handled": statuses new and in progress, priorities high and blocking) runs on
//! PostgreSQL in a read transaction of its own with the planner held to walks, as a
//! `contains` search does: without statistics PostgreSQL estimated each walk at a
//! ticket or two and read every ticket of the status through a bitmap to sort them
//! (4.6 s at a million tickets, BENCHMARKS.md). It finds the same tickets, in order,
//! and the plans under the hold sort nothing. A plain list of one tenant is held too
//! (one walk of the tenant); a search by number is not (its unique index). SQLite, whose plans do not move with statistics, runs the shared
//! statements.
//!
//! Statements are read from sqlx's own per-statement events by a global `tracing`
//! subscriber: one test in this binary, so nothing else runs statements meanwhile.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::Arc;

use chrono::Utc;
use helpdesk_core::{
    Count, PageRequest, Priority, Scope, SearchCriteria, SearchQuery, Store, TenantId, TicketId,
    TicketState,
};
use support::statements::Statements;

const STATES: [TicketState; 3] = [
    TicketState::New,
    TicketState::InProgress,
    TicketState::WaitingOnRequester,
];
const PRIORITIES: [Priority; 4] = [
    Priority::Low,
    Priority::Normal,
    Priority::High,
    Priority::Blocking,
];

/// Opens 36 tickets of `world`'s tenant, one a second, through every state and
/// priority; the ids of those the saved search finds, newest first.
async fn open_tickets(store: &dyn Store, world: &support::World) -> Vec<TicketId> {
    let tenant = world.tenant.id;
    let mut found = Vec::new();
    for second in 0..36 {
        let mut ticket = support::ticket_at(
            tenant,
            world.requester.as_member().expect("a member").id,
            second,
            "Imprimante",
        );
        ticket.state = STATES[second % 3].clone();
        ticket.priority = PRIORITIES[(second / 3) % 4];
        support::open_ticket(store, &ticket).await;
        if second % 3 < 2 && ticket.priority >= Priority::High {
            found.push(ticket.id);
        }
    }
    found.reverse();
    found
}

fn saved_search(tenant: TenantId) -> SearchCriteria {
    SearchCriteria {
        tenant: Some(tenant),
        priorities: vec![Priority::High, Priority::Blocking],
        statuses: vec![
            helpdesk_core::Status::New,
            helpdesk_core::Status::InProgress,
        ],
        ..Default::default()
    }
}

fn query(criteria: SearchCriteria, limit: u32) -> SearchQuery {
    SearchQuery {
        scope: Scope::Everything,
        criteria,
        page: PageRequest {
            limit,
            ..Default::default()
        },
        now: Utc::now(),
        count: Count::default(),
    }
}

/// Whether `statements` set the planner's settings.
fn held(statements: &[String]) -> bool {
    statements
        .iter()
        .any(|s| s.contains("set_config('enable_sort'"))
}

async fn check(store: Arc<dyn Store>, statements: &Statements, postgres: bool) {
    let world = support::World::new(store.clone()).await;
    let expected = open_tickets(store.as_ref(), &world).await;
    assert_eq!(expected.len(), 12);

    // Every page of the saved search, 5 at a time.
    let mut q = query(saved_search(world.tenant.id), 5);
    let mut seen = Vec::new();
    statements.take();
    let page = store.search(&q).await.expect("the first page");
    let first = statements.take();
    assert_eq!(page.total, helpdesk_core::Total::Exact(12));
    seen.extend(page.tickets.iter().map(|t| t.id));
    let mut next = page.next;
    while let Some(after) = next {
        q.page.after = Some(after);
        let page = store.search(&q).await.expect("a next page");
        seen.extend(page.tickets.iter().map(|t| t.id));
        next = page.next;
    }
    assert_eq!(seen, expected, "every match once, newest first");

    if postgres {
        assert!(
            first.first().is_some_and(|s| held(std::slice::from_ref(s))),
            "held on PostgreSQL before its first statement: {first:#?}"
        );
    } else {
        assert!(!held(&first), "SQLite runs the shared statements");
    }

    // A plain list of one tenant is one walk of the open tickets' index, held too on
    // PostgreSQL; a list by number is its unique index's, not held.
    let plain = SearchCriteria {
        tenant: Some(world.tenant.id),
        ..Default::default()
    };
    statements.take();
    let page = store
        .search(&query(plain.clone(), 50))
        .await
        .expect("a list");
    assert_eq!(page.tickets.len(), 36);
    let list = statements.take();
    assert_eq!(held(&list), postgres, "a plain list: {list:#?}");
    let by_number = SearchCriteria {
        number: Some(page.tickets[0].number),
        ..plain
    };
    let page = store
        .search(&query(by_number, 50))
        .await
        .expect("by number");
    assert_eq!(page.tickets.len(), 1);
    let list = statements.take();
    assert!(!held(&list), "a ticket by number is not held: {list:#?}");
}

#[cfg(feature = "postgres")]
async fn held_plans_sort_nothing(url: &str) {
    let database = support::postgres::TestDatabase::create(url).await;
    let store = database.store().await;
    store.migrate().await.expect("migrating PostgreSQL");
    let [count, page] = store
        .explain_search(&query(saved_search(TenantId::new()), 50))
        .await
        .expect("the plans");
    for (what, plan) in [("total", count), ("page", page)] {
        let plan = plan.join("\n");
        assert!(
            !plan.contains("Sort  (") && !plan.contains("Bitmap"),
            "the {what} walks its indexes in order:\n{plan}"
        );
    }
}

#[test]
fn a_search_walked_by_filter_values_runs_with_the_planner_held() {
    let statements = Statements::install();
    support::on_sqlite_memory(|store, runtime| {
        runtime.block_on(check(store, &statements, false));
    });
    support::on_postgres("held planning", |store, runtime| {
        runtime.block_on(check(store, &statements, true));
    });
    #[cfg(feature = "postgres")]
    if let Some(url) = support::postgres::url("held plans") {
        let runtime = tokio::runtime::Runtime::new().expect("a runtime");
        runtime.block_on(held_plans_sort_nothing(&url));
    }
}
