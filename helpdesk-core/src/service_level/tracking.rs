//! A ticket's service-level facts as the ticket carries them: what its due dates
//! depend on, the due dates themselves (stored, so that search filters on them), and
//! which breaches were escalated.
//!
//! - The **first response** is staff's first public act towards the requester: a
//!   public reply by staff, a request for information, a closure proposal or a direct
//!   closure. A requester's own reply, an internal note or an assignment is not one.
//! - The **resolution** is the moment a solution reached the requester: a closure
//!   proposed, or the ticket closed. A refused closure or a reopening undoes it (the
//!   resolution clock goes on from the same due date).
//! - A **pause** lasts while the ticket is waiting on its requester.
//!
//! The due dates are recomputed with the pure functions of this module at opening, on
//! every change of status or priority, and for every open ticket of a tenant whose
//! policy changes. Between two such changes they cannot move (the clock only stops in
//! a pause, and a pause starts with a change), so the stored dates and the instants at
//! which each target becomes due soon are all a search needs.

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use super::arithmetic::BusinessTimeError;
use super::calendar::BusinessCalendar;
use super::due::{DueDates, Pause, TicketTimes};
use super::policy::ServiceLevelPolicy;
use super::state::{SlaState, SlaStatus, TargetState};
use crate::status::{Priority, Status};
use crate::timeline::{EventKind, TimelineEvent};

/// One of a ticket's two targets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SlaTarget {
    /// Staff's first response.
    FirstResponse,
    /// The resolution.
    Resolution,
}

impl SlaTarget {
    /// Both targets.
    pub const ALL: [SlaTarget; 2] = [SlaTarget::FirstResponse, SlaTarget::Resolution];

    /// The target's name in JSON and query strings.
    pub fn as_str(self) -> &'static str {
        match self {
            SlaTarget::FirstResponse => "first_response",
            SlaTarget::Resolution => "resolution",
        }
    }
}

/// An instant per target.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TargetTimes {
    /// For the first response.
    #[serde(default)]
    pub first_response: Option<DateTime<Utc>>,
    /// For the resolution.
    #[serde(default)]
    pub resolution: Option<DateTime<Utc>>,
}

impl TargetTimes {
    /// The instant for `target`.
    pub fn get(&self, target: SlaTarget) -> Option<DateTime<Utc>> {
        match target {
            SlaTarget::FirstResponse => self.first_response,
            SlaTarget::Resolution => self.resolution,
        }
    }

    /// The instant for `target`, to change it.
    pub fn get_mut(&mut self, target: SlaTarget) -> &mut Option<DateTime<Utc>> {
        match target {
            SlaTarget::FirstResponse => &mut self.first_response,
            SlaTarget::Resolution => &mut self.resolution,
        }
    }
}

/// A change of a ticket's priority.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PriorityChange {
    /// When it changed.
    pub at: DateTime<Utc>,
    /// The priority from then on.
    pub priority: Priority,
}

/// What a ticket's service levels depend on and where they stand, as the ticket
/// carries it (see the [module docs](crate::service_level)). Tickets stored before service levels
/// existed read back with no facts and no due dates.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct TicketServiceLevel {
    /// The priority at opening (`None`: the ticket's current one).
    pub opened_priority: Option<Priority>,
    /// Each later change of priority, in order.
    pub priority_changes: Vec<PriorityChange>,
    /// The stretches of time the ticket waited on its requester; the last one is still
    /// running while it waits.
    pub pauses: Vec<Pause>,
    /// When staff first responded.
    pub first_response_at: Option<DateTime<Utc>>,
    /// When the ticket was resolved (closure proposed or closed), if it still is.
    pub resolved_at: Option<DateTime<Utc>>,
    /// The due dates, as of the last change (while the ticket waits, as of when the
    /// wait began).
    pub due: DueDates,
    /// From when each target not yet met is due soon; `None` when it never is (no
    /// target, or no warning).
    pub due_soon_from: TargetTimes,
    /// When the breach of each target was escalated.
    pub escalated_at: TargetTimes,
}

impl TicketServiceLevel {
    /// The facts of a ticket opened at `opened_at` with `priority`, due dates computed
    /// with `policy`.
    pub fn opened(
        policy: &ServiceLevelPolicy,
        opened_at: DateTime<Utc>,
        priority: Priority,
    ) -> Self {
        let mut facts = Self {
            opened_priority: Some(priority),
            ..Self::default()
        };
        facts.recompute(policy, opened_at, priority, opened_at);
        facts
    }

    /// The history the pure functions read.
    pub fn times(&self, opened_at: DateTime<Utc>, current: Priority) -> TicketTimes {
        TicketTimes {
            opened_at,
            priority: self.opened_priority.unwrap_or(current),
            priority_changes: self
                .priority_changes
                .iter()
                .map(|change| (change.at, change.priority))
                .collect(),
            pauses: self.pauses.clone(),
            first_response_at: self.first_response_at,
            resolved_at: self.resolved_at,
        }
    }

    /// When the pause still running began, if the ticket waits on its requester.
    pub fn paused_since(&self) -> Option<DateTime<Utc>> {
        self.pauses
            .last()
            .filter(|pause| pause.until.is_none())
            .map(|pause| pause.from)
    }

    /// Records what a change of the ticket from `before` (status, priority) to
    /// `after`, with `events`, at `now` means for its service levels, then recomputes
    /// the due dates with `policy`.
    #[allow(clippy::too_many_arguments)]
    pub fn observe(
        &mut self,
        policy: &ServiceLevelPolicy,
        opened_at: DateTime<Utc>,
        before: (Status, Priority),
        after: (Status, Priority),
        events: &[TimelineEvent],
        now: DateTime<Utc>,
    ) {
        let (status_before, priority_before) = before;
        let (status_after, priority_after) = after;
        if self.opened_priority.is_none() {
            self.opened_priority = Some(priority_before);
        }
        if priority_after != priority_before {
            self.priority_changes.push(PriorityChange {
                at: now,
                priority: priority_after,
            });
        }
        if self.first_response_at.is_none() && events.iter().any(is_first_response) {
            self.first_response_at = Some(now);
        }
        let waiting = Status::WaitingOnRequester;
        if status_before != waiting && status_after == waiting && self.paused_since().is_none() {
            self.pauses.push(Pause {
                from: now,
                until: None,
            });
        }
        if status_after != waiting
            && let Some(pause) = self.pauses.last_mut()
            && pause.until.is_none()
        {
            pause.until = Some(now);
        }
        let resolved = matches!(status_after, Status::PendingClosure | Status::Closed);
        if resolved && self.resolved_at.is_none() {
            self.resolved_at = Some(now);
        } else if !resolved {
            self.resolved_at = None;
        }
        self.recompute(policy, opened_at, priority_after, now);
    }

    /// Recomputes the due dates and warnings with `policy` as the history stands at
    /// `now`. A due date beyond the calendar's horizon is left untracked.
    pub fn recompute(
        &mut self,
        policy: &ServiceLevelPolicy,
        opened_at: DateTime<Utc>,
        current: Priority,
        now: DateTime<Utc>,
    ) {
        let mut times = self.times(opened_at, current);
        // While waiting, the dates as if the wait had not begun: the pure functions
        // would move the resolution date on with the wait, which `target_at` accounts
        // for, so stored dates only change with a change of the ticket.
        times.pauses.retain(|pause| pause.until.is_some());
        self.due = policy
            .due_dates(&times, now.max(opened_at))
            .unwrap_or_default();
        self.due_soon_from =
            TargetTimes {
                first_response: self.due.first_response.and_then(|due| {
                    warning_from(&policy.calendar, due, policy.due_soon.duration())
                }),
                resolution: self.due.resolution.and_then(|due| {
                    warning_from(&policy.calendar, due, policy.due_soon.duration())
                }),
            };
    }

    /// When `target` was met, if it was.
    pub fn met_at(&self, target: SlaTarget) -> Option<DateTime<Utc>> {
        match target {
            SlaTarget::FirstResponse => self.first_response_at,
            SlaTarget::Resolution => self.resolved_at,
        }
    }

    /// Where `target` stands at `now`, from the stored facts alone: the same answer as
    /// [`ServiceLevelPolicy::state`] on the same history with the policy the dates
    /// were computed with. Stores filter on exactly this.
    pub fn target_at(&self, target: SlaTarget, now: DateTime<Utc>) -> Option<TargetState> {
        let due = self.due.get(target)?;
        let paused = target == SlaTarget::Resolution && self.paused_since().is_some();
        let status = match self.met_at(target) {
            Some(met) if met <= due => SlaStatus::Met,
            Some(_) => SlaStatus::Breached,
            None if paused => {
                // A wait that began before the due date holds the clock (the date moves
                // on with the wait); one that began after it never undoes the breach.
                match self.paused_since() {
                    Some(since) if since >= due && now > due => SlaStatus::Breached,
                    _ => SlaStatus::Paused,
                }
            }
            None if now > due => SlaStatus::Breached,
            None if self
                .due_soon_from
                .get(target)
                .is_some_and(|from| now >= from) =>
            {
                SlaStatus::DueSoon
            }
            None => SlaStatus::OnTime,
        };
        Some(TargetState { due, status })
    }

    /// Where both targets stand at `now`.
    pub fn state_at(&self, now: DateTime<Utc>) -> SlaState {
        SlaState {
            first_response: self.target_at(SlaTarget::FirstResponse, now),
            resolution: self.target_at(SlaTarget::Resolution, now),
        }
    }

    /// Whether some target is in `status` at `now`.
    pub fn any_in(&self, status: SlaStatus, now: DateTime<Utc>) -> bool {
        SlaTarget::ALL
            .iter()
            .any(|t| self.target_at(*t, now).is_some_and(|s| s.status == status))
    }

    /// The targets breached at `now`, not yet met and not yet escalated: what the
    /// worker escalates.
    pub fn breaches_to_escalate(&self, now: DateTime<Utc>) -> Vec<SlaTarget> {
        SlaTarget::ALL
            .into_iter()
            .filter(|t| {
                self.escalated_at.get(*t).is_none()
                    && self.met_at(*t).is_none()
                    && self
                        .target_at(*t, now)
                        .is_some_and(|s| s.status == SlaStatus::Breached)
            })
            .collect()
    }
}

impl DueDates {
    /// The due date of `target`.
    pub fn get(&self, target: SlaTarget) -> Option<DateTime<Utc>> {
        match target {
            SlaTarget::FirstResponse => self.first_response,
            SlaTarget::Resolution => self.resolution,
        }
    }
}

/// Whether `event` is a first response (see the [module docs](self)).
fn is_first_response(event: &TimelineEvent) -> bool {
    match event.kind {
        EventKind::Replied { .. } => matches!(event.author, crate::ActorRef::Staff(_)),
        EventKind::InformationRequested { .. }
        | EventKind::ClosureProposed { .. }
        | EventKind::ClosedDirectly { .. } => true,
        _ => false,
    }
}

/// The first instant (to the second) from which less than `warning` of working time
/// is left before `due`; `None` for no warning.
fn warning_from(
    calendar: &BusinessCalendar,
    due: DateTime<Utc>,
    warning: TimeDelta,
) -> Option<DateTime<Utc>> {
    if warning <= TimeDelta::zero() {
        return None;
    }
    let left = |at: DateTime<Utc>| -> Result<TimeDelta, BusinessTimeError> {
        calendar.business_time_between(at, due)
    };
    // Working time never exceeds wall time: go back until at least `warning` is left.
    let mut span = warning;
    let mut early = due - span;
    let mut tries = 0;
    while left(early).ok()? < warning {
        tries += 1;
        if tries > 40 {
            return None;
        }
        span = span.checked_mul(2)?;
        early = due - span;
    }
    // `early` has at least `warning` left, `due` none: the boundary lies between.
    let (mut lo, mut hi) = (early, due);
    while hi - lo > TimeDelta::seconds(1) {
        let mid = lo + (hi - lo) / 2;
        if left(mid).ok()? < warning {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    Some(if left(lo).ok()? < warning { lo } else { hi })
}
