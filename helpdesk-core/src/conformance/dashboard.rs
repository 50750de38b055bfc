//! Dashboard: counts per status, tickets opened per month, satisfaction.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};

use super::fixtures::{
    Directory, Found, Must, blank_ticket, directory, event, insert_ticket, now, opened_event, utc,
};
use crate::dashboard::{Dashboard, DashboardQuery, Month, MonthCount};
use crate::ids::{GroupId, MemberId, StaffId, TenantId};
use crate::people::ActorRef;
use crate::permissions::Scope;
use crate::ports::Store;
use crate::questionnaire::{Answer, Answers, QuestionKind};
use crate::status::Status;
use crate::ticket::{Closure, Ticket, TicketState};
use crate::timeline::EventKind;

/// What a dashboard must hold: the reference meaning, over the fixture's tickets.
fn reference_dashboard(tickets: &[Ticket], dir: &Directory, query: &DashboardQuery) -> Dashboard {
    let mut out = Dashboard::default();
    for status in Status::ALL {
        out.by_status.insert(status, 0);
    }
    let mut month = query.first_month();
    for _ in 0..query.months {
        out.opened_per_month.push(MonthCount { month, opened: 0 });
        month = month.next();
    }
    let mut scores = Vec::new();
    for t in tickets.iter().filter(|t| {
        query.scope.admits(t)
            && query.tenant.is_none_or(|x| x == t.tenant)
            && query.assignee.is_none_or(|a| Some(a) == t.assignee)
    }) {
        *out.by_status.entry(t.status()).or_default() += 1;
        if let Some(slot) = out
            .opened_per_month
            .iter_mut()
            .find(|m| m.month == Month::of(t.created_at))
        {
            slot.opened += 1;
        }
        let Some(answers) = t.closure_answers() else {
            continue;
        };
        out.satisfaction.answered += 1;
        let questionnaire = &dir.tenant(t.tenant).settings.questionnaire;
        if let Some(Answer::Score(s)) = questionnaire.score_key().and_then(|k| answers.get(k)) {
            scores.push(f64::from(*s));
        }
        for q in &questionnaire.questions {
            if let (QuestionKind::Choice { .. }, Some(Answer::Text(choice))) =
                (&q.kind, answers.get(&q.key))
            {
                *out.satisfaction
                    .choices
                    .entry(q.key.clone())
                    .or_default()
                    .entry(choice.clone())
                    .or_default() += 1;
            }
        }
    }
    out.satisfaction.average_score =
        (!scores.is_empty()).then(|| scores.iter().sum::<f64>() / scores.len() as f64);
    out
}

#[track_caller]
fn assert_same_dashboard(got: &Dashboard, expected: &Dashboard, context: &str) {
    assert_eq!(
        got.by_status, expected.by_status,
        "{context}: counts per status (every status present, zeros included)"
    );
    assert_eq!(
        got.opened_per_month, expected.opened_per_month,
        "{context}: tickets opened per month (every month of the window, oldest first)"
    );
    assert_eq!(
        got.satisfaction.answered, expected.satisfaction.answered,
        "{context}: closures approved with answers"
    );
    match (
        got.satisfaction.average_score,
        expected.satisfaction.average_score,
    ) {
        (Some(g), Some(e)) => assert!(
            (g - e).abs() < 1e-9,
            "{context}: average overall score {g}, expected {e}"
        ),
        (g, e) => assert_eq!(g, e, "{context}: average overall score"),
    }
    assert_eq!(
        got.satisfaction.choices, expected.satisfaction.choices,
        "{context}: how often each option of each choice question was chosen"
    );
}

/// A dashboard fixture ticket: tenant, requester, assignee, group, opening time, state.
type DashboardSpec = (
    TenantId,
    MemberId,
    Option<StaffId>,
    Option<GroupId>,
    DateTime<Utc>,
    TicketState,
);

/// Dashboard: counts per status over every ticket in scope (archived included, every
/// status present), tickets opened per month over the window ending with the month of
/// `now` (months before it not counted, every month present, oldest first), and
/// satisfaction over closures approved with answers (how many, the average of the
/// tenant's overall score, how often each option of each choice question was chosen;
/// free-text answers are not choices); the scope, tenant and assignee filters all
/// narrow it.
pub async fn dashboard_counts_statuses_months_and_satisfaction(store: &dyn Store) {
    let dir = directory(store).await;
    let cast = Cast::of(&dir);
    let specs: Vec<DashboardSpec> = [
        alpha_open_specs(&cast),
        alpha_approved_specs(&cast),
        alpha_ended_specs(&cast),
        bravo_specs(&cast),
    ]
    .concat();
    let tickets = insert_dashboard_tickets(store, specs).await;
    assert_platform_dashboard(store).await;
    assert_empty_dashboard(store).await;
    for (name, q) in reference_cases(&dir, &cast) {
        let got = store.dashboard(&q).await.must("computing a dashboard");
        assert_same_dashboard(&got, &reference_dashboard(&tickets, &dir, &q), name);
    }
    assert_narrowed_dashboards(store, &cast).await;
}

/// The tenants, people and groups the dashboard's tickets point at.
struct Cast {
    a: TenantId,
    b: TenantId,
    agnes: StaffId,
    bruno: StaffId,
    alice: MemberId,
    bernard: MemberId,
    bravo_alice: MemberId,
    logiciel: GroupId,
    materiel: GroupId,
}

impl Cast {
    fn of(dir: &Directory) -> Self {
        Self {
            a: dir.tenants[0].id,
            b: dir.tenants[1].id,
            agnes: dir.staff[0].id,
            bruno: dir.staff[1].id,
            alice: dir.requesters[0][0].id,
            bernard: dir.requesters[0][1].id,
            bravo_alice: dir.requesters[1][0].id,
            logiciel: dir.groups[0].id,
            materiel: dir.groups[1].id,
        }
    }

    /// Requester Alice of alpha, on her own tickets.
    fn alice_scope(&self) -> Scope {
        Scope::Requester {
            tenant: self.a,
            member: self.alice,
            whole_tenant: false,
        }
    }
}

/// A closure approved by `by` with these answers.
fn approved(by: MemberId, pairs: &[(&str, Answer)]) -> Closure {
    let answers: Answers = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect();
    Closure::Approved { by, answers }
}

fn text(s: &str) -> Answer {
    Answer::Text(s.to_owned())
}

fn closed(at: DateTime<Utc>, closure: Closure) -> TicketState {
    TicketState::Closed {
        closed_at: at,
        closure,
    }
}

/// Alpha's tickets still open: new, in progress, waiting, pending closure.
fn alpha_open_specs(c: &Cast) -> Vec<DashboardSpec> {
    vec![
        (
            c.a,
            c.alice,
            Some(c.agnes),
            Some(c.logiciel),
            utc(2025, 6, 10, 9, 0, 0),
            TicketState::New,
        ),
        (
            c.a,
            c.bernard,
            Some(c.bruno),
            Some(c.materiel),
            utc(2025, 6, 1, 0, 0, 0),
            TicketState::InProgress,
        ),
        (
            c.a,
            c.alice,
            None,
            Some(c.logiciel),
            utc(2025, 5, 20, 8, 30, 0),
            TicketState::WaitingOnRequester,
        ),
        (
            c.a,
            c.bernard,
            Some(c.agnes),
            None,
            utc(2025, 3, 5, 10, 0, 0),
            TicketState::PendingClosure {
                proposed_at: utc(2025, 3, 9, 10, 0, 0),
                proposed_by: c.agnes,
            },
        ),
    ]
}

/// Alpha's closures approved with answers: one opened at midnight on January 1st, one
/// a second before.
fn alpha_approved_specs(c: &Cast) -> Vec<DashboardSpec> {
    vec![
        (
            c.a,
            c.alice,
            Some(c.agnes),
            Some(c.logiciel),
            utc(2025, 1, 1, 0, 0, 0),
            closed(
                utc(2025, 1, 8, 0, 0, 0),
                approved(
                    c.alice,
                    &[
                        ("overall", Answer::Score(8)),
                        ("processing_time", text("very_satisfied")),
                        ("human", text("satisfied")),
                        ("comment", text("Parfait")),
                    ],
                ),
            ),
        ),
        (
            c.a,
            c.bernard,
            Some(c.bruno),
            Some(c.materiel),
            utc(2024, 12, 31, 23, 59, 59),
            closed(
                utc(2025, 1, 3, 0, 0, 0),
                approved(
                    c.bernard,
                    &[
                        ("overall", Answer::Score(5)),
                        ("processing_time", text("satisfied")),
                    ],
                ),
            ),
        ),
    ]
}

/// Alpha's tickets ended otherwise: closed automatically or directly, cancelled.
fn alpha_ended_specs(c: &Cast) -> Vec<DashboardSpec> {
    vec![
        (
            c.a,
            c.alice,
            Some(c.agnes),
            None,
            utc(2024, 6, 1, 12, 0, 0),
            closed(utc(2024, 6, 20, 0, 0, 0), Closure::AutoApproved),
        ),
        (
            c.a,
            c.bernard,
            None,
            None,
            utc(2025, 2, 14, 14, 0, 0),
            closed(utc(2025, 2, 15, 0, 0, 0), Closure::Direct { by: c.bruno }),
        ),
        (
            c.a,
            c.alice,
            Some(c.agnes),
            Some(c.materiel),
            utc(2025, 4, 1, 7, 0, 0),
            TicketState::Cancelled {
                cancelled_at: utc(2025, 4, 2, 0, 0, 0),
            },
        ),
        (
            c.a,
            c.bernard,
            None,
            Some(c.logiciel),
            utc(2023, 12, 1, 0, 0, 0),
            TicketState::Cancelled {
                cancelled_at: utc(2024, 1, 1, 0, 0, 0),
            },
        ),
    ]
}

/// Bravo's tickets: one new, one approved with answers.
fn bravo_specs(c: &Cast) -> Vec<DashboardSpec> {
    vec![
        (
            c.b,
            c.bravo_alice,
            Some(c.agnes),
            None,
            utc(2025, 6, 14, 18, 0, 0),
            TicketState::New,
        ),
        (
            c.b,
            c.bravo_alice,
            Some(c.bruno),
            Some(c.materiel),
            utc(2025, 5, 2, 9, 0, 0),
            closed(
                utc(2025, 5, 10, 0, 0, 0),
                approved(
                    c.bravo_alice,
                    &[
                        ("overall", Answer::Score(10)),
                        ("human", text("dissatisfied")),
                    ],
                ),
            ),
        ),
    ]
}

/// Stores each spec as a ticket opened, then assigned into its state an hour later.
async fn insert_dashboard_tickets(store: &dyn Store, specs: Vec<DashboardSpec>) -> Vec<Ticket> {
    let mut tickets = Vec::new();
    for (tenant, requester, assignee, group, created_at, state) in specs {
        let mut ticket = blank_ticket(tenant, requester, created_at);
        ticket.assignee = assignee;
        ticket.group = group;
        ticket.updated_at = created_at + Duration::hours(1);
        let change = (state.status() != Status::New).then(|| (Status::New, state.status()));
        ticket.state = state;
        let opened = opened_event(&ticket);
        let moved = event(
            &ticket,
            ticket.updated_at,
            ActorRef::System,
            EventKind::Assigned { assignee, group },
            change,
        );
        insert_ticket(store, &mut ticket, &[opened, moved]).await;
        tickets.push(ticket);
    }
    tickets
}

/// A dashboard query at the fixtures' `now`.
fn query(
    scope: Scope,
    tenant: Option<TenantId>,
    assignee: Option<StaffId>,
    months: u32,
) -> DashboardQuery {
    DashboardQuery {
        scope,
        tenant,
        assignee,
        months,
        now: now(),
    }
}

fn month(year: i32, month: u32) -> Month {
    Month { year, month }
}

/// The whole platform over six months, spelled out.
async fn assert_platform_dashboard(store: &dyn Store) {
    let everything = store
        .dashboard(&query(Scope::Everything, None, None, 6))
        .await
        .must("computing a dashboard");
    let expected_status: BTreeMap<Status, u64> = BTreeMap::from([
        (Status::New, 2),
        (Status::InProgress, 1),
        (Status::WaitingOnRequester, 1),
        (Status::PendingClosure, 1),
        (Status::Closed, 5),
        (Status::Cancelled, 2),
    ]);
    assert_eq!(
        everything.by_status, expected_status,
        "counts per status cover every ticket, archived and outside the window too"
    );
    let expected_months: Vec<MonthCount> = [(1, 1), (2, 1), (3, 1), (4, 1), (5, 2), (6, 3)]
        .into_iter()
        .map(|(m, opened)| MonthCount {
            month: month(2025, m),
            opened,
        })
        .collect();
    assert_eq!(
        everything.opened_per_month, expected_months,
        "six months ending with June 2025, oldest first; a ticket opened one second before \
         January 1st is not counted, one opened at midnight is"
    );
    assert_eq!(everything.satisfaction.answered, 3);
    let average = everything
        .satisfaction
        .average_score
        .found("an average score");
    assert!(
        (average - 23.0 / 3.0).abs() < 1e-9,
        "the average overall score is (8 + 5 + 10) / 3, got {average}"
    );
    let expected_choices: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::from([
        (
            "processing_time".to_owned(),
            BTreeMap::from([
                ("very_satisfied".to_owned(), 1),
                ("satisfied".to_owned(), 1),
            ]),
        ),
        (
            "human".to_owned(),
            BTreeMap::from([("satisfied".to_owned(), 1), ("dissatisfied".to_owned(), 1)]),
        ),
    ]);
    assert_eq!(
        everything.satisfaction.choices, expected_choices,
        "choice answers are counted per question and option; comments are not choices"
    );
}

/// Nothing in scope: every status and month still present, at zero.
async fn assert_empty_dashboard(store: &dyn Store) {
    let nothing = store
        .dashboard(&query(Scope::Nothing, None, None, 3))
        .await
        .must("computing a dashboard");
    assert!(nothing.by_status.values().all(|n| *n == 0));
    assert_eq!(nothing.by_status.len(), 6, "every status is present");
    assert_eq!(
        nothing.opened_per_month,
        [4, 5, 6]
            .into_iter()
            .map(|m| MonthCount {
                month: month(2025, m),
                opened: 0
            })
            .collect::<Vec<_>>(),
        "every month is present, zeros included"
    );
    assert_eq!(nothing.satisfaction, crate::Satisfaction::default());
}

/// The queries compared with the reference dashboard, by name.
fn reference_cases(dir: &Directory, c: &Cast) -> [(&'static str, DashboardQuery); 12] {
    let agnes_scope = Scope::Staff {
        staff: c.agnes,
        tenants: dir.staff[0].tenants.clone(),
        groups: dir.staff[0].groups.clone(),
        all_groups: false,
    };
    [
        (
            "the whole platform",
            query(Scope::Everything, None, None, 6),
        ),
        ("one month", query(Scope::Everything, None, None, 1)),
        (
            "eighteen months across years",
            query(Scope::Everything, None, None, 18),
        ),
        (
            "tenant alpha",
            query(Scope::Everything, Some(c.a), None, 12),
        ),
        (
            "tenant bravo",
            query(Scope::Everything, Some(c.b), None, 12),
        ),
        (
            "assigned to Agnes",
            query(Scope::Everything, None, Some(c.agnes), 12),
        ),
        (
            "assigned to Bruno in alpha",
            query(Scope::Everything, Some(c.a), Some(c.bruno), 36),
        ),
        ("an agent's scope", query(agnes_scope, None, None, 12)),
        (
            "tenant admin of alpha",
            query(Scope::Tenant { tenant: c.a }, None, None, 6),
        ),
        (
            "tenant admin of alpha asking for bravo",
            query(Scope::Tenant { tenant: c.a }, Some(c.b), None, 6),
        ),
        ("requester Alice", query(c.alice_scope(), None, None, 24)),
        ("nothing", query(Scope::Nothing, None, None, 6)),
    ]
}

/// A requester's dashboard and a tenant's, spelled out.
async fn assert_narrowed_dashboards(store: &dyn Store, c: &Cast) {
    let alice_only = store
        .dashboard(&query(c.alice_scope(), None, None, 6))
        .await
        .must("computing a dashboard");
    assert_eq!(
        alice_only.by_status.values().sum::<u64>(),
        5,
        "a requester's dashboard counts only their own tickets"
    );
    let bravo = store
        .dashboard(&query(Scope::Everything, Some(c.b), None, 6))
        .await
        .must("computing a dashboard");
    assert_eq!(bravo.satisfaction.average_score, Some(10.0));
    assert_eq!(bravo.by_status.values().sum::<u64>(), 2);
}
