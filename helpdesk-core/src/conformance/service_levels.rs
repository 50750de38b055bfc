//! Service levels: the `sla` search criterion and the dashboard's service-level figures
//! over the stored due dates.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};

use super::fixtures::{
    Found, Must, Rng, blank_ticket, directory, insert_ticket, now, opened_event,
};
use crate::dashboard::{Compliance, DashboardQuery, ServiceLevelFigures};
use crate::ids::TicketId;
use crate::permissions::Scope;
use crate::ports::Store;
use crate::search::{PageRequest, SearchCriteria, SearchQuery, SlaFilter};
use crate::service_level::{Pause, SlaStatus, SlaTarget, TicketServiceLevel};
use crate::ticket::{Closure, Ticket, TicketState};

/// One target's stored facts: its due date, the instant it turns due soon and when
/// it was met.
type TargetFacts = (
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
);

/// A due date, the instant it turns due soon and when it was met, around `now()`.
fn target(rng: &mut Rng) -> TargetFacts {
    let offsets = [-180, -60, -1, 0, 1, 30, 59, 60, 61, 240];
    if rng.chance(15) {
        return (None, None, None);
    }
    let due = now() + Duration::minutes(*rng.pick(&offsets));
    let soon = rng.chance(85).then(|| due - Duration::minutes(60));
    let met = match rng.below(4) {
        0 => Some(due - Duration::minutes(10)),
        1 => Some(due),
        2 => Some(due + Duration::milliseconds(1)),
        _ => None,
    };
    (Some(due), soon, met)
}

/// `sla = due_soon | breached` finds exactly the tickets whose stored facts say so at
/// the search's `now` ([`TicketServiceLevel::target_at`]), open ones only unless
/// asked; the dashboard's compliance counts targets met on time among those met, over
/// every ticket in scope, and its at-risk counts are those of the search on open
/// tickets.
pub async fn service_level_search_and_figures_follow_the_stored_due_dates(store: &dyn Store) {
    let dir = directory(store).await;
    let tenant = dir.tenants[0].id;
    let requester = dir.requesters[0][0].id;
    let staff = dir.staff[0].id;
    let mut rng = Rng(0x5EA1);
    let mut tickets: Vec<Ticket> = Vec::new();
    for i in 0..80 {
        let mut ticket = blank_ticket(
            tenant,
            requester,
            now() - Duration::days(2) + Duration::minutes(i),
        );
        let (fr_due, fr_soon, fr_met) = target(&mut rng);
        let (res_due, res_soon, res_met) = target(&mut rng);
        let mut sla = TicketServiceLevel::default();
        sla.due.first_response = fr_due;
        sla.due_soon_from.first_response = fr_soon;
        sla.first_response_at = fr_met;
        sla.due.resolution = res_due;
        sla.due_soon_from.resolution = res_soon;
        sla.resolved_at = res_met;
        ticket.state = match rng.below(6) {
            0 => TicketState::New,
            1 => TicketState::InProgress,
            2 | 3 if res_met.is_none() => {
                // Waiting since before or after the resolution due date.
                let from = now() + Duration::minutes(*rng.pick(&[-200, -120, -30, 0]));
                sla.pauses.push(Pause { from, until: None });
                TicketState::WaitingOnRequester
            }
            4 => TicketState::PendingClosure {
                proposed_at: now() - Duration::hours(1),
                proposed_by: staff,
            },
            _ => TicketState::Closed {
                closed_at: now() - Duration::hours(1),
                closure: Closure::Direct { by: staff },
            },
        };
        if rng.chance(10) {
            sla.escalated_at.first_response = Some(now() - Duration::hours(3));
        }
        ticket.service_level = sla;
        let opened = opened_event(&ticket);
        insert_ticket(store, &mut ticket, &[opened]).await;
        tickets.push(ticket);
    }
    let stored = store
        .ticket(tickets[0].id)
        .await
        .must("reading a ticket")
        .found("the first ticket");
    assert_eq!(
        stored.service_level, tickets[0].service_level,
        "a ticket's service-level facts read back as saved"
    );

    for minutes in [-240, -61, -60, -1, 0, 1, 30, 60, 61, 300] {
        let at = now() + Duration::minutes(minutes);
        for filter in [SlaFilter::DueSoon, SlaFilter::Breached] {
            for include_closed in [false, true] {
                let query = SearchQuery {
                    scope: Scope::Everything,
                    criteria: SearchCriteria {
                        sla: Some(filter),
                        include_closed,
                        include_archived: true,
                        ..SearchCriteria::default()
                    },
                    page: PageRequest {
                        limit: 200,
                        after: None,
                    },
                    now: at,
                    count: crate::search::Count::default(),
                };
                let got: BTreeSet<TicketId> = store
                    .search(&query)
                    .await
                    .must("searching by service level")
                    .tickets
                    .iter()
                    .map(|t| t.id)
                    .collect();
                let expected: BTreeSet<TicketId> = tickets
                    .iter()
                    .filter(|t| query.matches_filters(t))
                    .map(|t| t.id)
                    .collect();
                assert_eq!(
                    got,
                    expected,
                    "sla={} include_closed={include_closed} at now{minutes:+}min",
                    filter.as_str()
                );
            }
        }
        let figures = store
            .dashboard(&DashboardQuery {
                scope: Scope::Everything,
                tenant: Some(tenant),
                assignee: None,
                months: 1,
                now: at,
            })
            .await
            .must("reading the dashboard")
            .service_levels;
        assert_eq!(
            figures,
            reference_figures(&tickets, at),
            "service-level figures at now{minutes:+}min"
        );
    }
}

fn reference_figures(tickets: &[Ticket], at: DateTime<Utc>) -> ServiceLevelFigures {
    let compliance = |target: SlaTarget| {
        let met: Vec<bool> = tickets
            .iter()
            .filter_map(|t| {
                let sla = &t.service_level;
                Some(sla.met_at(target)? <= sla.due.get(target)?)
            })
            .collect();
        Compliance::new(
            met.iter().filter(|on_time| **on_time).count() as u64,
            met.len() as u64,
        )
    };
    let open = |status: SlaStatus| {
        tickets
            .iter()
            .filter(|t| t.status().is_open() && t.service_level.any_in(status, at))
            .count() as u64
    };
    ServiceLevelFigures {
        first_response: compliance(SlaTarget::FirstResponse),
        resolution: compliance(SlaTarget::Resolution),
        due_soon: open(SlaStatus::DueSoon),
        breached: open(SlaStatus::Breached),
    }
}
