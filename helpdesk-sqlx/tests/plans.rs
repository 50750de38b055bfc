//! SQLite's plans for the reads that must stay walks of an index at a million tickets:
//! each list arm searches the index meant for it, no single-arm page sorts, and the
//! dashboard's due-date count reads its covering partial index. Plans are read with
//! `EXPLAIN QUERY PLAN` on a migrated database without statistics, which is how a
//! deployment starts (the store never runs `ANALYZE`), so they do not depend on data.
//! A regression here is the kind the scale bench showed once: the agent's dashboard went
//! from 0.6 ms to 8.7 ms at 1M when a new index of open tickets won the plan.
#![cfg(feature = "sqlite")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{Duration, Utc};
use helpdesk_core::search::SlaFilter;
use helpdesk_core::{
    CategoryId, Count, DashboardQuery, GroupId, MemberId, PageRequest, Priority, Scope,
    SearchCriteria, SearchQuery, StaffId, Status, TenantId, TenantScope,
};
use helpdesk_sqlx::SqliteStore;

struct Ids {
    tenant: TenantId,
    agent: StaffId,
    groups: Vec<GroupId>,
    member: MemberId,
}

fn ids() -> Ids {
    Ids {
        tenant: TenantId::new(),
        agent: StaffId::new(),
        groups: vec![GroupId::new(), GroupId::new()],
        member: MemberId::new(),
    }
}

fn query(scope: Scope, criteria: SearchCriteria) -> SearchQuery {
    SearchQuery {
        scope,
        criteria,
        page: PageRequest::default(),
        now: Utc::now(),
        count: Count::default(),
    }
}

fn agent(ids: &Ids) -> Scope {
    Scope::Staff {
        staff: ids.agent,
        tenants: TenantScope::Only(vec![ids.tenant]),
        groups: ids.groups.clone(),
        all_groups: false,
    }
}

async fn store() -> SqliteStore {
    let store = SqliteStore::in_memory().await.unwrap();
    store.migrate().await.unwrap();
    store
}

/// The plans of a search's total and page, as one text each.
async fn plans(store: &SqliteStore, query: &SearchQuery) -> [String; 2] {
    let [total, page] = store.explain_search(query).await.unwrap();
    [total.join("\n"), page.join("\n")]
}

/// Both statements of the search search `index` (with the given leading equalities),
/// and neither sorts: one walk in the sort's order.
async fn walks(store: &SqliteStore, what: &str, query: SearchQuery, index: &str) {
    for (statement, plan) in ["total", "page"].iter().zip(plans(store, &query).await) {
        assert!(
            plan.contains(&format!("INDEX {index} (")),
            "{what}, {statement}: expected a search of {index}, got\n{plan}"
        );
        assert!(
            !plan.contains("TEMP B-TREE"),
            "{what}, {statement}: sorts instead of walking {index}\n{plan}"
        );
        assert!(
            !plan.lines().any(|l| l.trim_start().starts_with("SCAN t")),
            "{what}, {statement}: scans the tickets\n{plan}"
        );
    }
}

#[tokio::test]
async fn a_tenants_lists_and_filters_walk_their_own_index() {
    let store = store().await;
    let ids = ids();
    let admin = || Scope::Tenant { tenant: ids.tenant };
    let all = SearchCriteria {
        include_closed: true,
        ..Default::default()
    };
    let cases = [
        (
            "open tickets",
            SearchCriteria::default(),
            "helpdesk_tickets_open",
        ),
        (
            "closed tickets",
            SearchCriteria {
                statuses: vec![Status::Closed],
                ..Default::default()
            },
            "helpdesk_tickets_by_status",
        ),
        (
            "waiting on the requester",
            SearchCriteria {
                statuses: vec![Status::WaitingOnRequester],
                ..Default::default()
            },
            "helpdesk_tickets_by_status",
        ),
        (
            "blocking, every status",
            SearchCriteria {
                priorities: vec![Priority::Blocking],
                ..all.clone()
            },
            "helpdesk_tickets_by_priority",
        ),
        (
            "one category, every status",
            SearchCriteria {
                categories: vec![CategoryId::new()],
                ..all.clone()
            },
            "helpdesk_tickets_by_category",
        ),
        (
            "service levels breached",
            SearchCriteria {
                sla: Some(SlaFilter::Breached),
                ..Default::default()
            },
            "helpdesk_tickets_open_due_newest",
        ),
    ];
    for (what, criteria, index) in cases {
        walks(&store, what, query(admin(), criteria), index).await;
    }
}

#[tokio::test]
async fn an_agents_and_a_requesters_lists_walk_one_index_per_arm() {
    let store = store().await;
    let ids = ids();
    let [total, page] = plans(&store, &query(agent(&ids), SearchCriteria::default())).await;
    for plan in [&total, &page] {
        // Assigned to them, then of no group and of each of their groups, each by an
        // index led by the arm's column (SQLite picks the open tickets' own index or
        // the full one, whose trailing status it reads before the row; either walks
        // in order). `group_id IS NULL` is an equality for the index.
        let searches: Vec<&str> = plan.lines().filter(|l| l.contains("SEARCH t")).collect();
        assert_eq!(searches.len(), 4, "agent's list: one walk per arm\n{plan}");
        assert!(
            searches[0].contains("_by_assignee (tenant_id=? AND assignee_id=?)"),
            "agent's list:\n{plan}"
        );
        for search in &searches[1..] {
            assert!(
                search.contains("_by_group (tenant_id=? AND group_id=?)"),
                "agent's list:\n{plan}"
            );
        }
        assert!(!plan.lines().any(|l| l.trim_start().starts_with("SCAN t")));
    }
    let requester = Scope::Requester {
        tenant: ids.tenant,
        member: ids.member,
        whole_tenant: false,
    };
    let own = SearchCriteria {
        include_closed: true,
        ..Default::default()
    };
    let [total, page] = plans(&store, &query(requester, own)).await;
    for plan in [&total, &page] {
        assert!(
            plan.contains("helpdesk_tickets_by_requester (tenant_id=? AND requester_id=?)")
                && plan.contains("helpdesk_ticket_guests_by_member (tenant_id=? AND member_id=?)"),
            "requester's list:\n{plan}"
        );
    }
}

/// "Changed since": the total and the page (after a total under its cap) read the range
/// of the index by change time the caller sees (members: the last public change), not
/// the tenant newest first.
#[tokio::test]
async fn tickets_changed_since_a_time_are_a_range_of_the_index_by_change_time() {
    let store = store().await;
    let ids = ids();
    let since = SearchCriteria {
        updated_from: Some(Utc::now() - Duration::days(7)),
        include_closed: true,
        ..Default::default()
    };
    let cases = [
        (
            "a tenant admin",
            Scope::Tenant { tenant: ids.tenant },
            "helpdesk_tickets_by_public_updated",
        ),
        ("an agent", agent(&ids), "helpdesk_tickets_by_updated"),
    ];
    for (who, scope, index) in cases {
        let query = query(scope, since.clone());
        for (statement, plan) in ["total", "page"].iter().zip(plans(&store, &query).await) {
            assert!(
                plan.contains(&format!("INDEX {index} (tenant_id=? AND ")),
                "{who}, {statement}: expected a range of {index}, got\n{plan}"
            );
            // The page's `SCAN t` reads the materialized range, never the tickets.
            assert!(
                !plan.contains("helpdesk_tickets_newest")
                    && !plan.contains("SCAN helpdesk_tickets"),
                "{who}, {statement}: walks the tenant\n{plan}"
            );
        }
    }
    // Over the total's cap, the page walks the newest tickets and stops at the page
    // (reading a week of a large tenant's changes and sorting them cost ×10 at 1M).
    let query = query(Scope::Tenant { tenant: ids.tenant }, since);
    let walk = store.explain_search_walk(&query).await.unwrap().join("\n");
    assert!(
        walk.contains("INDEX helpdesk_tickets_newest (") && !walk.contains("TEMP B-TREE"),
        "the walk over the cap:\n{walk}"
    );
}

#[tokio::test]
async fn an_agents_due_date_count_reads_only_the_covering_index_of_open_tickets_due() {
    let store = store().await;
    let ids = ids();
    let query = DashboardQuery {
        scope: agent(&ids),
        tenant: Some(ids.tenant),
        assignee: Some(ids.agent),
        months: 12,
        now: Utc::now(),
    };
    let [_, due, _] = store.explain_dashboard_counts(&query).await.unwrap();
    let due = due.join("\n");
    assert!(
        due.contains("COVERING INDEX helpdesk_tickets_open_due ("),
        "the due-date count:\n{due}"
    );
}
