//! Due dates from the facts of a ticket's history (rules in the module docs).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::arithmetic::BusinessTimeError;
use super::calendar::BusinessCalendar;
use super::policy::ServiceLevelPolicy;
use crate::status::Priority;

/// A stretch of time the ticket waited on its requester, from `from` until `until`
/// (`None`: still waiting).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Pause {
    /// When the ticket started waiting on the requester.
    pub from: DateTime<Utc>,
    /// When it stopped waiting, if it has.
    pub until: Option<DateTime<Utc>>,
}

/// What a ticket's due dates depend on, as read from its history. Every list may come
/// in any order; pauses may overlap (they are merged) and parts of them before the
/// opening are ignored, as are reversed ones.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TicketTimes {
    /// When the ticket was opened.
    pub opened_at: DateTime<Utc>,
    /// Its priority at opening.
    pub priority: Priority,
    /// Each later change of priority, with when it happened; the latest one at an
    /// instant is in force then.
    pub priority_changes: Vec<(DateTime<Utc>, Priority)>,
    /// When it waited on the requester.
    pub pauses: Vec<Pause>,
    /// When staff first replied publicly or asked the requester for information.
    pub first_response_at: Option<DateTime<Utc>>,
    /// When it was resolved.
    pub resolved_at: Option<DateTime<Utc>>,
}

impl TicketTimes {
    /// A ticket just opened at `opened_at` with `priority`.
    pub fn opened(opened_at: DateTime<Utc>, priority: Priority) -> Self {
        Self {
            opened_at,
            priority,
            priority_changes: Vec::new(),
            pauses: Vec::new(),
            first_response_at: None,
            resolved_at: None,
        }
    }

    /// The priority in force at `at`.
    pub fn priority_at(&self, at: DateTime<Utc>) -> Priority {
        self.priority_changes
            .iter()
            .filter(|(changed, _)| *changed <= at)
            .fold(
                None,
                |latest: Option<(DateTime<Utc>, Priority)>, &(changed, priority)| match latest {
                    Some((seen, _)) if seen > changed => latest,
                    _ => Some((changed, priority)),
                },
            )
            .map_or(self.priority, |(_, priority)| priority)
    }

    /// The pauses from the opening to `until`, clipped, in order and merged; an
    /// unfinished one lasts until `until`.
    pub(crate) fn pauses_until(&self, until: DateTime<Utc>) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        let mut pauses: Vec<_> = self
            .pauses
            .iter()
            .map(|pause| {
                let end = pause.until.map_or(until, |end| end.min(until));
                (pause.from.max(self.opened_at), end)
            })
            .filter(|(from, end)| from < end)
            .collect();
        pauses.sort_unstable();
        let mut merged: Vec<(DateTime<Utc>, DateTime<Utc>)> = Vec::with_capacity(pauses.len());
        for (from, end) in pauses {
            match merged.last_mut() {
                Some(last) if from <= last.1 => last.1 = last.1.max(end),
                _ => merged.push((from, end)),
            }
        }
        merged
    }

    /// When the first response came, if it came by `now`.
    pub(crate) fn responded_by(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.first_response_at.filter(|at| *at <= now)
    }

    /// When the ticket was resolved, if it was by `now`.
    pub(crate) fn resolved_by(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.resolved_at.filter(|at| *at <= now)
    }
}

/// When a ticket's targets are due; `None` for a target its priority does not have.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DueDates {
    /// When the first response is due.
    pub first_response: Option<DateTime<Utc>>,
    /// When the resolution is due.
    pub resolution: Option<DateTime<Utc>>,
}

impl ServiceLevelPolicy {
    /// The due dates of a ticket opened at `opened_at` with `priority`.
    pub fn due_at_opening(
        &self,
        opened_at: DateTime<Utc>,
        priority: Priority,
    ) -> Result<DueDates, BusinessTimeError> {
        self.due_dates(&TicketTimes::opened(opened_at, priority), opened_at)
    }

    /// The due dates of `ticket` as its history stands at `now` (later events are
    /// ignored). While the ticket waits on its requester the resolution due date is the
    /// one it would have if the requester answered at `now`: it moves on as the wait
    /// goes on. See the [rules](crate::service_level#rules).
    pub fn due_dates(
        &self,
        ticket: &TicketTimes,
        now: DateTime<Utc>,
    ) -> Result<DueDates, BusinessTimeError> {
        let calendar = &self.calendar;
        let responded = ticket.responded_by(now).unwrap_or(now);
        let first_response = match self
            .targets
            .get(ticket.priority_at(responded))
            .first_response
        {
            Some(target) => Some(calendar.add_business_time(ticket.opened_at, target.duration())?),
            None => None,
        };
        let settled = ticket.resolved_by(now).unwrap_or(now);
        let resolution = match self.targets.get(ticket.priority_at(settled)).resolution {
            Some(target) => Some(paused_due(
                calendar,
                calendar.add_business_time(ticket.opened_at, target.duration())?,
                &ticket.pauses_until(settled),
            )?),
            None => None,
        };
        Ok(DueDates {
            first_response,
            resolution,
        })
    }
}

/// `due` once the clock stopped during `pauses` (in order, disjoint): each pause that
/// starts before the due date stops the clock with the working time left, which runs
/// again from the pause's end.
fn paused_due(
    calendar: &BusinessCalendar,
    mut due: DateTime<Utc>,
    pauses: &[(DateTime<Utc>, DateTime<Utc>)],
) -> Result<DateTime<Utc>, BusinessTimeError> {
    for &(from, until) in pauses {
        if from >= due {
            break;
        }
        let left = calendar.business_time_between(from, due)?;
        due = calendar.add_business_time(until, left)?;
    }
    Ok(due)
}
