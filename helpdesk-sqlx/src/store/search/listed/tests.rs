//! The arms' walks find what the matches find: the same tickets, pages and totals for a
//! requester's own and guest tickets and for an agent's assigned, group and unrouted
//! tickets, whichever way a `contains` search runs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use helpdesk_core::testing::{MemberSeed, Seed, StaffSeed};
use helpdesk_core::{
    Actor, Count, HelpdeskService, MemberRole, NewTicket, PageRequest, RequesterVisibility, Scope,
    SearchCriteria, SearchPage, SearchQuery, TicketId,
};

use super::{LISTED_FROM, WINDOWS, run_from, run_in_windows};
use crate::SqliteStore;
use crate::sqlite::SqliteBackend;

/// Twenty-four tickets of Alice and Bob, every other one about a printer; Alice a guest
/// on some of Bob's; some assigned to the agent, some to the agent's group, some to
/// another agent, the others unrouted. The store, Alice and the agent.
async fn seeded() -> (SqliteStore, Actor, Actor) {
    let store = SqliteStore::in_memory().await.unwrap();
    store.migrate().await.unwrap();
    let service = HelpdeskService::new(std::sync::Arc::new(store.clone()));
    let world = Seed::new(service.clone())
        .tenant("acme", "Acme")
        .group("Support")
        .member_seed(MemberSeed::new("acme", "alice", MemberRole::Requester))
        .member_seed(MemberSeed::new("acme", "bob", MemberRole::Requester))
        .staff(StaffSeed::agent("agent").groups(&["Support"]))
        .staff(StaffSeed::agent("other"))
        .build()
        .await
        .unwrap();
    let (alice, bob, agent) = (
        world.actor("alice"),
        world.actor("bob"),
        world.actor("agent"),
    );
    let tenant = world.tenant("acme");
    let support = world.group("Support");
    let staff_id = |user: &str| world.staff(user).id;
    for i in 0..24 {
        let subject = if i % 2 == 0 {
            format!("Imprimante {i}")
        } else {
            format!("Écran {i}")
        };
        let opener = if i % 3 == 0 { &alice } else { &bob };
        let draft = NewTicket {
            subject,
            description: "<p>Rien ne va.</p>".to_owned(),
            ..Default::default()
        };
        let ticket = service.open(opener, tenant, draft, vec![]).await.unwrap();
        if i % 3 != 0 && i % 4 == 1 {
            service
                .invite_guest(&agent, ticket.id, None, world.member("alice").id)
                .await
                .unwrap();
        }
        let (assignee, group) = match i % 5 {
            0 => (Some(staff_id("agent")), None),
            1 => (None, Some(support)),
            2 => (Some(staff_id("other")), None),
            _ => continue,
        };
        service
            .assign(&world.root, ticket.id, None, assignee, group)
            .await
            .unwrap();
    }
    (store, alice, agent)
}

/// The search for "imprimante" as `actor`, three tickets a page.
fn search(actor: &Actor) -> SearchQuery {
    let tenant = match actor {
        Actor::Member(m) => Some(m.tenant),
        _ => None,
    };
    SearchQuery {
        scope: Scope::of(actor, RequesterVisibility::default()),
        criteria: SearchCriteria {
            tenant,
            include_closed: true,
            contains: Some("imprimante".to_owned()),
            ..Default::default()
        },
        page: PageRequest {
            limit: 3,
            after: None,
        },
        now: chrono::Utc::now(),
        count: Count::default(),
    }
}

/// Every page of `query`, following the cursor, each run by `run`: the ids page by
/// page, and the totals.
async fn pages<F>(query: &SearchQuery, mut run: F) -> Vec<(Vec<TicketId>, String)>
where
    F: AsyncFnMut(&SearchQuery) -> SearchPage,
{
    let mut query = query.clone();
    let mut out = Vec::new();
    loop {
        let page = run(&query).await;
        out.push((
            page.tickets.iter().map(|t| t.id).collect(),
            format!("{:?}", page.total),
        ));
        match page.next {
            Some(next) => query.page.after = Some(next),
            None => return out,
        }
    }
}

#[tokio::test]
async fn the_arms_walked_find_the_pages_and_totals_the_matches_find() {
    let (store, alice, agent) = seeded().await;
    for (who, actor) in [("requester", &alice), ("agent", &agent)] {
        let query = search(actor);
        let mut pool = store.pool().clone();
        let matched = pages(&query, async |q| {
            run_in_windows::<SqliteBackend, _>(&mut pool, q, &WINDOWS)
                .await
                .unwrap()
        })
        .await;
        let walked = pages(&query, async |q| {
            // No match is few: the arms are walked.
            run_from::<SqliteBackend>(store.pool(), q, 0).await.unwrap()
        })
        .await;
        let few = pages(&query, async |q| {
            // Few matches: they drive the search, in the same transaction.
            run_from::<SqliteBackend>(store.pool(), q, LISTED_FROM)
                .await
                .unwrap()
        })
        .await;
        assert!(matched.len() > 1, "{who}: several pages ({matched:?})");
        assert_eq!(walked, matched, "{who}: the same pages and totals");
        assert_eq!(few, matched, "{who}: the same, the matches driving");
    }
}

/// The arms' statements look each ticket up in the list of matches, never join the
/// full-text table.
#[test]
fn the_arms_statements_test_the_words_on_each_walked_ticket() {
    let tenant = helpdesk_core::TenantId::new();
    let query = SearchQuery {
        scope: Scope::Requester {
            tenant,
            member: helpdesk_core::MemberId::new(),
            whole_tenant: false,
        },
        ..search(&Actor::System)
    };
    for sql in [
        super::arms_count::<SqliteBackend>(&query, 1_001),
        super::arms_page::<SqliteBackend>(&query),
    ] {
        let text = sql.text();
        assert_eq!(
            text.matches("t.seq IN (SELECT seq FROM temp.helpdesk_search_matches)")
                .count(),
            2,
            "each arm looks its tickets up in the list: {text}"
        );
        assert!(!text.contains("helpdesk_ticket_text CROSS JOIN"), "{text}");
    }
}
