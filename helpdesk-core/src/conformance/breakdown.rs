//! The dashboard per agent and per group.

use std::collections::BTreeMap;

use super::dataset::{Dataset, dataset};
use super::fixtures::{Must, now};
use crate::dashboard::{Breakdown, DashboardQuery, LineCounts};
use crate::ids::{GroupId, StaffId};
use crate::permissions::Scope;
use crate::ports::Store;
use crate::questionnaire::Answer;
use crate::ticket::Ticket;

/// The reference lines of a breakdown: per key, the counts of the tickets in scope.
fn reference_lines<K: Ord + Copy>(
    data: &Dataset,
    query: &DashboardQuery,
    key: impl Fn(&Ticket) -> K,
) -> BTreeMap<K, LineCounts> {
    let mut scores: BTreeMap<K, Vec<f64>> = BTreeMap::new();
    let mut lines: BTreeMap<K, LineCounts> = BTreeMap::new();
    for t in data.tickets.iter().filter(|t| {
        query.scope.admits(t)
            && query.tenant.is_none_or(|x| x == t.tenant)
            && query.assignee.is_none_or(|a| Some(a) == t.assignee)
    }) {
        let line = lines.entry(key(t)).or_insert_with(LineCounts::zero);
        *line.by_status.entry(t.status()).or_default() += 1;
        if let Some(answers) = t.closure_answers() {
            line.answered += 1;
            let questionnaire = &data.dir.tenant(t.tenant).settings.questionnaire;
            if let Some(Answer::Score(s)) = questionnaire.score_key().and_then(|k| answers.get(k)) {
                scores.entry(key(t)).or_default().push(f64::from(*s));
            }
        }
    }
    for (k, line) in &mut lines {
        line.average_score = scores
            .get(k)
            .map(|s| s.iter().sum::<f64>() / s.len() as f64);
    }
    lines
}

#[track_caller]
fn assert_same_lines<K: Ord + Copy + std::fmt::Debug>(
    got: &BTreeMap<K, LineCounts>,
    expected: &BTreeMap<K, LineCounts>,
    context: &str,
) {
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>(),
        "{context}: the lines listed (one per key holding a ticket)"
    );
    for (k, e) in expected {
        let Some(g) = got.get(k) else { continue };
        assert_eq!(
            g.by_status, e.by_status,
            "{context}, line {k:?}: per status"
        );
        assert_eq!(g.answered, e.answered, "{context}, line {k:?}: answered");
        match (g.average_score, e.average_score) {
            (Some(a), Some(b)) => assert!(
                (a - b).abs() < 1e-9,
                "{context}, line {k:?}: average score {a}, expected {b}"
            ),
            (a, b) => assert_eq!(a, b, "{context}, line {k:?}: average score"),
        }
    }
}

/// Dashboard per agent and per group: on the seeded dataset of 120 tickets, in every
/// scope of the search checks, for the whole scope, one tenant and one assignee, each
/// assignee (and nobody) and each group (and none) holding a ticket in scope has
/// exactly one line, counting its tickets by status (every status present) and its
/// approved closures (how many, the average overall score), as the dashboard counts
/// them all together; lines with no ticket are not listed; the lines of each list add up
/// to the dashboard.
pub async fn dashboard_breakdown_counts_per_agent_and_per_group(store: &dyn Store) {
    let data = dataset(store, 120, 0xB2EA_4D0E).await;
    let tenant = data.dir.tenants[0].id;
    let agent = data.dir.staff[1].id;
    let mut informative = 0;
    for (scope_name, scope) in data.scopes() {
        let queries = [
            ("whole scope", None, None),
            ("tenant alpha", Some(tenant), None),
            ("assigned to one agent", None, Some(agent)),
        ];
        for (filter_name, tenant, assignee) in queries {
            let context = format!("breakdown in scope `{scope_name}`, {filter_name}");
            let query = DashboardQuery {
                scope: scope.clone(),
                tenant,
                assignee,
                months: 1,
                now: now(),
            };
            let got: Breakdown = store
                .dashboard_breakdown(&query)
                .await
                .must("computing a breakdown");
            let agents: BTreeMap<Option<StaffId>, LineCounts> = got
                .by_agent
                .iter()
                .map(|l| (l.agent, l.counts.clone()))
                .collect();
            assert_eq!(
                agents.len(),
                got.by_agent.len(),
                "{context}: one line per assignee"
            );
            let groups: BTreeMap<Option<GroupId>, LineCounts> = got
                .by_group
                .iter()
                .map(|l| (l.group, l.counts.clone()))
                .collect();
            assert_eq!(
                groups.len(),
                got.by_group.len(),
                "{context}: one line per group"
            );
            assert_same_lines(
                &agents,
                &reference_lines(&data, &query, |t| t.assignee),
                &format!("{context}, per agent"),
            );
            assert_same_lines(
                &groups,
                &reference_lines(&data, &query, |t| t.group),
                &format!("{context}, per group"),
            );
            let dashboard = store.dashboard(&query).await.must("computing a dashboard");
            let agent_lines: Vec<&LineCounts> = agents.values().collect();
            let group_lines: Vec<&LineCounts> = groups.values().collect();
            for (list, lines) in [("agents", agent_lines), ("groups", group_lines)] {
                let tickets: u64 = lines.iter().map(|l| l.tickets()).sum();
                let answered: u64 = lines.iter().map(|l| l.answered).sum();
                assert_eq!(
                    tickets,
                    dashboard.by_status.values().sum::<u64>(),
                    "{context}: the {list}' tickets add up to the dashboard's"
                );
                assert_eq!(
                    answered, dashboard.satisfaction.answered,
                    "{context}: the {list}' answered closures add up to the dashboard's"
                );
            }
            if scope != Scope::Nothing && agents.len() > 1 && groups.len() > 1 {
                informative += 1;
            }
        }
    }
    assert!(
        informative >= 5,
        "the dataset is too sparse: only {informative} breakdowns had several lines"
    );
}
