//! The dashboard and its breakdown per agent and per group, in memory.

use std::collections::BTreeMap;

use super::State;
use crate::dashboard::{
    AgentLine, Breakdown, Dashboard, DashboardQuery, GroupLine, LineCounts, MonthCount,
};
use crate::ids::{GroupId, StaffId};
use crate::questionnaire::{Answer, QuestionKind};
use crate::status::Status;
use crate::ticket::{Closure, Ticket, TicketState};

/// The dashboard of the tickets `query` admits.
pub(super) fn dashboard(s: &State, query: &DashboardQuery) -> Dashboard {
    let mut dashboard = Dashboard::default();
    for status in Status::ALL {
        dashboard.by_status.insert(status, 0);
    }
    let first = query.first_month();
    let mut month = first;
    for _ in 0..query.months {
        dashboard
            .opened_per_month
            .push(MonthCount { month, opened: 0 });
        month = month.next();
    }
    let mut score_sum = 0u64;
    let mut scored = 0u64;
    let mut met = [(0u64, 0u64); 2];
    for t in admitted(s, query) {
        *dashboard.by_status.entry(t.status()).or_default() += 1;
        let sla = &t.service_level;
        for (i, target) in crate::service_level::SlaTarget::ALL.into_iter().enumerate() {
            if let (Some(due), Some(at)) = (sla.due.get(target), sla.met_at(target)) {
                met[i].1 += 1;
                if at <= due {
                    met[i].0 += 1;
                }
            }
        }
        if t.status().is_open() {
            let figures = &mut dashboard.service_levels;
            if sla.any_in(crate::service_level::SlaStatus::DueSoon, query.now) {
                figures.due_soon += 1;
            }
            if sla.any_in(crate::service_level::SlaStatus::Breached, query.now) {
                figures.breached += 1;
            }
        }

        let opened = crate::dashboard::Month::of(t.created_at);
        if let Some(slot) = dashboard
            .opened_per_month
            .iter_mut()
            .find(|m| m.month == opened)
        {
            slot.opened += 1;
        }
        let TicketState::Closed {
            closure: Closure::Approved { answers, .. },
            ..
        } = &t.state
        else {
            continue;
        };
        let Some(tenant) = s.tenants.get(&t.tenant) else {
            continue;
        };
        dashboard.satisfaction.answered += 1;
        let questionnaire = &tenant.settings.questionnaire;
        if let Some(Answer::Score(score)) = questionnaire.score_key().and_then(|k| answers.get(k)) {
            score_sum += u64::from(*score);
            scored += 1;
        }
        for q in &questionnaire.questions {
            if let (QuestionKind::Choice { .. }, Some(Answer::Text(choice))) =
                (&q.kind, answers.get(&q.key))
            {
                *dashboard
                    .satisfaction
                    .choices
                    .entry(q.key.clone())
                    .or_default()
                    .entry(choice.clone())
                    .or_default() += 1;
            }
        }
    }
    dashboard.satisfaction.average_score = (scored > 0).then(|| score_sum as f64 / scored as f64);
    dashboard.service_levels.first_response = crate::Compliance::new(met[0].0, met[0].1);
    dashboard.service_levels.resolution = crate::Compliance::new(met[1].0, met[1].1);
    dashboard
}

/// The tickets `query` admits: in its scope, of its tenant and its assignee if it names
/// them.
fn admitted<'a>(s: &'a State, query: &'a DashboardQuery) -> impl Iterator<Item = &'a Ticket> {
    s.tickets.values().filter(|t| {
        query.scope.admits(t)
            && query.tenant.is_none_or(|x| x == t.tenant)
            && query.assignee.is_none_or(|a| Some(a) == t.assignee)
    })
}

/// Counts, score sum and scored closures of one line of a breakdown.
#[derive(Default)]
struct Acc {
    /// The line's counts, once a ticket was added.
    counts: Option<LineCounts>,
    /// The sum of the overall scores of the line's scored closures.
    score_sum: u64,
    /// How many of the line's closures carry an overall score.
    scored: u64,
}

impl Acc {
    /// Counts `t`, answered when `score` is some, scored when it holds a score.
    fn add(&mut self, t: &Ticket, score: Option<Option<u64>>) {
        let counts = self.counts.get_or_insert_with(LineCounts::zero);
        *counts.by_status.entry(t.status()).or_default() += 1;
        if let Some(score) = score {
            counts.answered += 1;
            if let Some(score) = score {
                self.score_sum += score;
                self.scored += 1;
            }
        }
    }

    /// The line's counts with their average score.
    fn finish(self) -> LineCounts {
        let mut counts = self.counts.unwrap_or_else(LineCounts::zero);
        counts.average_score =
            (self.scored > 0).then(|| self.score_sum as f64 / self.scored as f64);
        counts
    }
}

/// An approved closure of a known tenant: answered (`Some`), with its overall score
/// when the questionnaire has one and it was given.
fn closure_score(s: &State, t: &Ticket) -> Option<Option<u64>> {
    match (&t.state, s.tenants.get(&t.tenant)) {
        (
            TicketState::Closed {
                closure: Closure::Approved { answers, .. },
                ..
            },
            Some(tenant),
        ) => Some(
            match tenant
                .settings
                .questionnaire
                .score_key()
                .and_then(|k| answers.get(k))
            {
                Some(Answer::Score(score)) => Some(u64::from(*score)),
                _ => None,
            },
        ),
        _ => None,
    }
}

/// The breakdown per agent and per group of the tickets `query` admits.
pub(super) fn breakdown(s: &State, query: &DashboardQuery) -> Breakdown {
    let mut agents: BTreeMap<Option<StaffId>, Acc> = BTreeMap::new();
    let mut groups: BTreeMap<Option<GroupId>, Acc> = BTreeMap::new();
    for t in admitted(s, query) {
        let score = closure_score(s, t);
        agents.entry(t.assignee).or_default().add(t, score);
        groups.entry(t.group).or_default().add(t, score);
    }
    let mut breakdown = Breakdown {
        by_agent: agents
            .into_iter()
            .map(|(agent, acc)| AgentLine {
                agent,
                name: String::new(),
                counts: acc.finish(),
            })
            .collect(),
        by_group: groups
            .into_iter()
            .map(|(group, acc)| GroupLine {
                group,
                name: String::new(),
                counts: acc.finish(),
            })
            .collect(),
    };
    breakdown.sort_lines();
    breakdown
}
