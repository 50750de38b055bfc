//! The common-word windows: a page the first window does not fill is found by the next,
//! and one no window fills by reading every match, with the same tickets either way.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use helpdesk_core::testing::{MemberSeed, Seed};
use helpdesk_core::{
    Count, HelpdeskService, MemberRole, NewTicket, PageRequest, Scope, SearchCriteria, SearchQuery,
    TicketId,
};

use super::run_in_windows;
use crate::SqliteStore;
use crate::sqlite::SqliteBackend;

/// Twelve tickets, newest last; the word `imprimante` in the three oldest only.
async fn seeded() -> (SqliteStore, SearchQuery, Vec<TicketId>) {
    let store = SqliteStore::in_memory().await.unwrap();
    store.migrate().await.unwrap();
    let service = HelpdeskService::new(std::sync::Arc::new(store.clone()));
    let world = Seed::new(service.clone())
        .tenant("acme", "Acme")
        .member_seed(MemberSeed::new("acme", "alice", MemberRole::Requester))
        .build()
        .await
        .unwrap();
    let alice = world.actor("alice");
    let tenant = world.tenant("acme");
    let mut matching = Vec::new();
    for i in 0..12 {
        let subject = if i < 3 {
            format!("Imprimante {i}")
        } else {
            format!("Écran {i}")
        };
        let ticket = service
            .open(
                &alice,
                tenant,
                NewTicket {
                    subject,
                    description: "<p>Rien ne va.</p>".to_owned(),
                    ..Default::default()
                },
                vec![],
            )
            .await
            .unwrap();
        if i < 3 {
            matching.push(ticket.id);
        }
    }
    matching.reverse();
    let query = SearchQuery {
        scope: Scope::Tenant { tenant },
        criteria: SearchCriteria {
            tenant: Some(tenant),
            contains: Some("imprimante".to_owned()),
            ..Default::default()
        },
        page: PageRequest {
            limit: 2,
            after: None,
        },
        now: chrono::Utc::now(),
        // Counting up to 0: every match is "more than the cap", the windows' case.
        count: Count::UpTo(0),
    };
    (store, query, matching)
}

#[tokio::test]
async fn a_page_the_first_window_misses_is_found_by_the_next_or_by_every_match() {
    let (store, query, matching) = seeded().await;
    let mut pool = store.pool().clone();
    for windows in [&[2, 100][..], &[2, 5], &[], &[100]] {
        let page = run_in_windows::<SqliteBackend, _>(&mut pool, &query, windows)
            .await
            .unwrap();
        assert_eq!(
            page.tickets.iter().map(|t| t.id).collect::<Vec<_>>(),
            matching[..2],
            "windows {windows:?}: the two newest matches"
        );
        assert!(
            page.next.is_some(),
            "windows {windows:?}: a third match follows"
        );
    }
}

/// A search of tickets changed since a time closes its range (the largest time when it
/// has no end), so that the plan PostgreSQL keeps for the prepared statement, planned
/// without the bound values, reads the range through its index rather than scanning
/// the table for the total's cap.
#[cfg(feature = "postgres")]
#[test]
fn a_changed_since_range_is_closed_for_the_generic_plan() {
    use helpdesk_core::TenantId;

    use crate::PostgresBackend;
    let tenant = TenantId::new();
    let since = |updated_to| SearchQuery {
        scope: Scope::Tenant { tenant },
        criteria: SearchCriteria {
            updated_from: Some(chrono::Utc::now() - chrono::Duration::days(7)),
            updated_to,
            include_closed: true,
            ..Default::default()
        },
        page: PageRequest::default(),
        now: chrono::Utc::now(),
        count: Count::default(),
    };
    let open = super::count::<PostgresBackend>(&since(None), 1_001);
    assert_eq!(
        open.text().matches("t.public_updated_at <= ").count(),
        1,
        "{}",
        open.text()
    );
    // Over the cap, the page walks newest first: a range guessed small would be read
    // and sorted instead.
    let walk = super::page::<PostgresBackend>(&since(None));
    assert!(
        !walk.text().contains("t.public_updated_at <= "),
        "{}",
        walk.text()
    );
    let ended = super::count::<PostgresBackend>(&since(Some(chrono::Utc::now())), 1_001);
    assert!(
        !ended.text().contains("t.public_updated_at <= ")
            && ended.text().contains("t.public_updated_at < "),
        "{}",
        ended.text()
    );
}
