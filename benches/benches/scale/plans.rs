//! The plans of the scale bench's queries, as the store builds them:
//! `EXPLAIN (ANALYZE, BUFFERS)` of the key queries on PostgreSQL at the largest size,
//! and, when `HELPDESK_SCALE_PLANS` is set, SQLite's `EXPLAIN QUERY PLAN` of every
//! search case after seeding.

use helpdesk_benches::BenchResult;
use helpdesk_core::{Actor, DashboardQuery, RequesterVisibility, Scope, SearchQuery};
use helpdesk_sqlx::{PostgresStore, SqliteStore};

use super::{CASES, Case, Fixture};

/// Whether `HELPDESK_SCALE_PLANS` asks for SQLite's plans.
pub(crate) fn wanted() -> bool {
    std::env::var_os("HELPDESK_SCALE_PLANS").is_some()
}

/// The search `case` runs, as the service hands it to the store.
fn search(fx: &Fixture, case: Case) -> SearchQuery {
    let (actor, criteria, page) = fx.query(case);
    SearchQuery {
        scope: Scope::of(actor, RequesterVisibility::default()),
        criteria,
        page,
        now: fx.now,
        count: helpdesk_core::Count::default(),
    }
}

/// SQLite's plan of every search case: the total, then the page.
pub(crate) async fn sqlite(fx: &Fixture, store: &SqliteStore) -> BenchResult {
    for (case, label) in CASES {
        if matches!(
            case,
            Case::Baseline
                | Case::SavedSearch
                | Case::DashboardAdmin
                | Case::DashboardAgent
                | Case::Breakdown
        ) {
            continue;
        }
        let [count, page] = store.explain_search(&search(fx, case)).await?;
        println!(
            "\n#### SQLite plan: {label}\n\ntotal:\n```\n{}\n```\npage:\n```\n{}\n```",
            count.join("\n"),
            page.join("\n")
        );
    }
    let Actor::Staff(agent) = &fx.agent else {
        return Err("agent".into());
    };
    let query = DashboardQuery {
        scope: Scope::of(&fx.agent, RequesterVisibility::default()),
        tenant: Some(fx.people.tenant),
        assignee: Some(agent.id),
        months: 12,
        now: fx.now,
    };
    let plans = store.explain_dashboard_counts(&query).await?;
    for (what, plan) in ["tallies", "open tickets due", "answers"].iter().zip(plans) {
        println!(
            "\n#### SQLite plan: dashboard (agent, own), {what}\n```\n{}\n```",
            plan.join("\n")
        );
    }
    Ok(())
}

/// `EXPLAIN (ANALYZE, BUFFERS)` of the key queries, rebuilt from the store's query
/// fragments (see `explain_search`): the admin's, agent's and requester's lists, the
/// closed tickets, a group, "updated lately", a common and a rare `contains` word, a
/// deep page, the saved search, and the dashboard's counts.
pub(crate) async fn postgres(fx: &Fixture, store: &PostgresStore, when: &str) -> BenchResult {
    let policy = RequesterVisibility::default();
    for case in [
        Case::ListAdmin,
        Case::ListAgent,
        Case::ListRequester,
        Case::Closed,
        Case::Group,
        Case::Updated,
        Case::ContainsCommon,
        Case::ContainsRare,
        Case::ContainsOwn,
        Case::ContainsAgent,
        Case::DeepPage,
        Case::SavedSearch,
    ] {
        let [count, page] = store.explain_search(&search(fx, case)).await?;
        println!(
            "\n#### EXPLAIN {case:?} ({when}): total\n\n```\n{}\n```",
            count.join("\n")
        );
        println!(
            "\n#### EXPLAIN {case:?} ({when}): page\n\n```\n{}\n```",
            page.join("\n")
        );
    }
    let query = DashboardQuery {
        scope: Scope::of(&fx.admin, policy),
        tenant: Some(fx.people.tenant),
        assignee: None,
        months: 12,
        now: fx.now,
    };
    let [tallies, due, answers] = store.explain_dashboard_counts(&query).await?;
    for (what, plan) in [
        ("tallies by status and month", tallies),
        ("open tickets due soon and breached", due),
        ("answer tallies", answers),
    ] {
        println!(
            "\n#### EXPLAIN dashboard, {what}, admin ({when})\n\n```\n{}\n```",
            plan.join("\n")
        );
    }
    Ok(())
}
