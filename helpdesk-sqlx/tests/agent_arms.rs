//! An agent's `contains` page on PostgreSQL, read by the arms of their scope (assigned
//! to them, unrouted, each of their groups), walks each arm's index newest first and
//! stops at the page. The arms' statements run with sorts allowed (a few rows are
//! sorted where arms merge); without planner statistics PostgreSQL then read every open
//! unrouted ticket through a bitmap of the arm's index and sorted them: 8,671 tickets
//! read for a page of 22 at a million tickets, 68-80 ms, against 5-7 ms for the walk
//! (BENCHMARKS.md). The held planning turns bitmap scans off for those statements.
//!
//! Statements are read from sqlx's own per-statement events by a global `tracing`
//! subscriber: one test in this binary, so nothing else runs statements meanwhile.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

#[cfg(feature = "postgres")]
mod postgres {
    use std::sync::Arc;

    use helpdesk_core::{
        Actor, Count, PageRequest, RequesterVisibility, Scope, SearchCriteria, SearchQuery,
        StaffDetails, StaffRole, Store, TenantScope, Total, UserId,
    };

    use super::support;
    use support::statements::Statements;

    /// Tickets opened: a quarter each assigned to the agent, unrouted, in the agent's
    /// group and in another group; every one with the word.
    const TICKETS: usize = 600;

    pub(super) async fn the_page_walks_each_arm(url: &str, statements: &Statements) {
        let database = support::postgres::TestDatabase::create(url).await;
        let store = database.unanalyzed_store().await;
        let store: Arc<dyn Store> = Arc::new(store);
        let world = support::World::new(store.clone()).await;
        let service = &world.service;
        let ours = service.create_group(&world.root, "Un").await.unwrap().id;
        let theirs = service.create_group(&world.root, "Deux").await.unwrap().id;
        let agent = service
            .add_staff(
                &world.root,
                StaffDetails {
                    user: &UserId::new(&format!("agent-{}", world.tenant.slug)).unwrap(),
                    display_name: "Agent",
                    email: None,
                    role: StaffRole::Agent,
                    tenants: TenantScope::Only(vec![world.tenant.id]),
                    groups: vec![ours],
                },
            )
            .await
            .expect("adding an agent");
        let requester = world.requester.as_member().expect("a member").id;
        for second in 0..TICKETS {
            let mut ticket =
                support::ticket_at(world.tenant.id, requester, second, "Imprimante bloquée");
            match second % 4 {
                0 => (ticket.assignee, ticket.group) = (Some(agent.id), Some(ours)),
                1 => {}
                2 => ticket.group = Some(ours),
                _ => ticket.group = Some(theirs),
            }
            support::open_ticket(store.as_ref(), &ticket).await;
        }
        let query = SearchQuery {
            scope: Scope::of(&Actor::Staff(agent), RequesterVisibility::default()),
            criteria: SearchCriteria {
                tenant: Some(world.tenant.id),
                contains: Some("imprimante".into()),
                ..Default::default()
            },
            page: PageRequest::default(),
            now: chrono::Utc::now(),
            count: Count::UpTo(1_000),
        };
        statements.take();
        let found = store.search(&query).await.expect("the search");
        let ran = statements.take();
        assert_eq!(
            found.total,
            Total::Exact(u64::try_from(TICKETS / 4 * 3).unwrap()),
            "theirs left out"
        );
        assert_eq!(
            found.tickets.len(),
            usize::try_from(query.page.limit).unwrap()
        );
        // The statements run in order: the settings that let the arms' walks sort but
        // not read a bitmap, then the page of the arms (on a table this small the
        // planner walks each arm anyway: the settings are what holds it to that at a
        // million tickets).
        let unbitmapped = ran
            .iter()
            .position(|s| s.contains("set_config('enable_bitmapscan', 'off', true)"));
        let arms = ran.iter().rposition(|s| s.contains("UNION ALL"));
        assert!(
            unbitmapped.zip(arms).is_some_and(|(set, page)| set < page),
            "no bitmap for the arms' page: {ran:#?}"
        );
        let [_, page] = database
            .store()
            .await
            .explain_search(&query)
            .await
            .expect("the plans");
        let page = page.join("\n");
        assert!(
            page.contains("helpdesk_tickets_open_by_group")
                && page.contains("helpdesk_tickets_open_by_assignee")
                && !page.contains("Bitmap"),
            "each arm walks its index of open tickets, no bitmap:\n{page}"
        );
    }
}

#[test]
fn an_agents_contains_page_walks_each_arm_without_a_bitmap() {
    #[cfg(feature = "postgres")]
    if let Some(url) = support::postgres::url("an agent's contains page, plans") {
        let statements = support::statements::Statements::install();
        let runtime = tokio::runtime::Runtime::new().expect("a runtime");
        runtime.block_on(postgres::the_page_walks_each_arm(&url, &statements));
    }
}
