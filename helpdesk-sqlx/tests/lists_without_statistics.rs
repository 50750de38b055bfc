//! Lists on PostgreSQL without planner statistics (a new deployment's, or a table
//! autovacuum has not reached) walk an index newest first and stop at the page.
//!
//! - A requester's list: the index of a requester's kept tickets (migration 17) began
//!   with the requester's id, and PostgreSQL read it instead, every ticket of the
//!   requester, sorted for a page: 6.8 ms against 0.07 ms for a requester of 9,000 open
//!   tickets, and the portal's list under load six times slower (BENCHMARKS.md).
//!   Migration 19 keys that index by an expression only the count of kept tickets
//!   writes.
//! - A tenant admin's list of every ticket, and its total: estimating the tenant at
//!   fewer tickets than the total's cap, PostgreSQL read the whole tenant through a
//!   bitmap and sorted it (84 ms at 100,000 tickets, and each page of a CSV export). Such
//!   a walk runs with the planner held (`search::held_walks`).
//!
//! Here, 9,000 tickets of one requester, the size at which the requester's plan went
//! wrong (at 3,000 it did not).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

#[cfg(feature = "postgres")]
#[tokio::test]
async fn postgres_lists_walk_an_index_newest_first_without_statistics() {
    use std::sync::Arc;

    use helpdesk_core::{
        Count, PageRequest, RequesterVisibility, Scope, SearchCriteria, SearchQuery, Store,
    };

    let Some(url) = support::postgres::url("a requester's list page") else {
        return;
    };
    let database = support::postgres::TestDatabase::create(&url).await;
    let store = database.unanalyzed_store().await;
    let shared: Arc<dyn Store> = Arc::new(store.clone());
    let world = support::World::new(shared.clone()).await;
    let requester = world.requester.as_member().expect("a member").id;
    for second in 0..9_000 {
        let ticket = support::ticket_at(world.tenant.id, requester, second, "Écran noir");
        support::open_ticket(shared.as_ref(), &ticket).await;
    }
    for include_closed in [false, true] {
        let query = SearchQuery {
            scope: Scope::of(&world.requester, RequesterVisibility::default()),
            criteria: SearchCriteria {
                tenant: Some(world.tenant.id),
                include_closed,
                ..Default::default()
            },
            page: PageRequest::default(),
            now: chrono::Utc::now(),
            count: Count::UpTo(1_000),
        };
        let [_, page] = store.explain_search(&query).await.expect("the plans");
        let page = page.join("\n");
        assert!(
            !page.contains("helpdesk_tickets_kept_by_requester") && !page.contains("top-N"),
            "closed too: {include_closed}: the page walks newest first, sorting nothing \
             but the arms' pages:\n{page}"
        );
        let everything = SearchQuery {
            scope: Scope::Tenant {
                tenant: world.tenant.id,
            },
            criteria: SearchCriteria {
                include_closed: true,
                include_archived: true,
                ..query.criteria.clone()
            },
            ..query.clone()
        };
        let [total, page] = store.explain_search(&everything).await.expect("the plans");
        for (what, plan) in [("total", total), ("page", page)] {
            let plan = plan.join("\n");
            assert!(
                !plan.contains("Sort  (") && !plan.contains("Bitmap"),
                "a tenant's every ticket: the {what} walks the tenant's index:\n{plan}"
            );
        }
        let found = world
            .service
            .search(&world.requester, query.criteria.clone(), query.page.clone())
            .await
            .expect("the page");
        assert_eq!(found.tickets.len(), 50, "a full page");
        assert!(
            found
                .tickets
                .windows(2)
                .all(|w| w[0].created_at >= w[1].created_at),
            "newest first"
        );
    }
}
