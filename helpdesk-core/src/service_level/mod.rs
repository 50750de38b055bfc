//! Service levels: business calendars, business-time arithmetic, due dates and where a
//! ticket stands against its targets. Pure functions of their inputs: no clock, no
//! store; the instant "now" is always an argument.
//!
//! - A [`BusinessCalendar`] says when a tenant works: [`WorkingInterval`]s per weekday
//!   ([`Week`]) in the wall-clock time of a [`TimeZone`], and holidays. The default is
//!   Monday to Friday, 09:00 to 18:00, Europe/Paris.
//! - [`BusinessCalendar::add_business_time`] gives the instant at which some working
//!   time has elapsed after a start, and [`BusinessCalendar::business_time_between`]
//!   the working time between two instants.
//! - A [`ServiceLevelPolicy`] sets, per [`Priority`](crate::Priority), a first-response
//!   target and a resolution target ([`PriorityTargets`], in [`BusinessDuration`]s).
//!   [`ServiceLevelPolicy::due_dates`] gives a ticket's [`DueDates`] from its
//!   [`TicketTimes`] (opening, priority changes, [`Pause`]s while it waited on the
//!   requester), and [`ServiceLevelPolicy::state`] where each target stands
//!   ([`SlaStatus`]: on time, due soon, paused, breached or met).
//!
//! ```
//! use chrono::{TimeDelta, TimeZone as _, Utc};
//! use helpdesk_core::Priority;
//! use helpdesk_core::service_level::{BusinessCalendar, BusinessDuration, ServiceLevelPolicy};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // Monday to Friday, 09:00-18:00, Paris (UTC+1 in winter).
//! let calendar = BusinessCalendar::default();
//! let friday_5_pm = Utc.with_ymd_and_hms(2026, 1, 16, 16, 0, 0).unwrap();
//! let monday_10_am = Utc.with_ymd_and_hms(2026, 1, 19, 9, 0, 0).unwrap();
//! assert_eq!(calendar.add_business_time(friday_5_pm, TimeDelta::hours(2))?, monday_10_am);
//! assert_eq!(calendar.business_time_between(friday_5_pm, monday_10_am)?, TimeDelta::hours(2));
//!
//! let mut policy = ServiceLevelPolicy::default();
//! policy.targets.high.first_response = Some(BusinessDuration::hours(2));
//! let due = policy.due_at_opening(friday_5_pm, Priority::High)?;
//! assert_eq!(due.first_response, Some(monday_10_am));
//! assert_eq!(due.resolution, None); // no resolution target for this priority
//! # Ok(())
//! # }
//! ```
//!
//! # Rules
//!
//! **Working time** is the time that really elapses while the calendar's wall clock
//! reads a working time of a working day: a working interval `[start, end)` of a date
//! covers every instant at which the clock reads from `start` (included) to `end`
//! (excluded) on that date, and a holiday is a whole local date off. So on the day the
//! clocks go forward (Europe/Paris: the last Sunday of March, 02:00 becomes 03:00), an
//! interval inside the skipped hour gives no working time, and one that straddles it
//! loses the skipped part; on the day they go back (the last Sunday of October, 03:00
//! becomes 02:00 again), working time in the repeated hour counts twice, since the
//! clock reads it twice. Elsewhere clock changes change nothing: 09:00-18:00 is nine
//! hours on either side of them. (The arithmetic assumes what every zone's current
//! rules satisfy: at most one clock change within nine days, and clocks never set back
//! across midnight.)
//!
//! **Adding** working time to an instant outside working hours starts counting at the
//! next working instant; a positive duration ends inside working time or at the very
//! end of a working interval (Friday 17:00 + 1 h is Friday 18:00). A week without
//! holiday or clock change counts in one step; the search never goes further than
//! [`HORIZON_YEARS`] and answers [`BusinessTimeError::BeyondHorizon`] beyond.
//!
//! **Due dates** count from the opening instant:
//! - Waiting on the requester stops the resolution clock: working time inside a pause
//!   does not count, so a pause that starts before the resolution due date moves it
//!   later by the working time the pause lasted, and a pause that starts after it
//!   changes nothing (waiting never undoes a breach, and never makes a due date
//!   earlier). While the ticket waits, its resolution due date is the one it would have
//!   if the requester answered now, and its status is [`SlaStatus::Paused`]. The first
//!   response is never paused: staff can only wait on the requester after asking them
//!   something, and asking is a first response.
//! - A priority change recomputes both due dates from the opening instant with the new
//!   priority's targets (and the same pauses): the requester's clock started when they
//!   opened the ticket, so a ticket raised to blocking after a day is judged as a
//!   blocking ticket opened a day ago, and may be breached at once, which is what a
//!   supervisor needs to see. Zammad does the same (when a ticket's SLA changes it
//!   recomputes escalation times from the creation time, pending states being breaks in
//!   the calendar), and so does GLPI (setting an SLA computes the time to resolve from
//!   the opening date, plus the waiting time). It also keeps due dates a pure function
//!   of the history: computing them twice, or on two instances, gives one answer.
//! - A target already met is judged with the priority in force when it was met:
//!   raising the priority after the first response does not make that response late.
//! - A target met exactly at its due date is met; one not met is breached once its due
//!   date has passed, and due soon while less working time than the policy's
//!   [`due_soon`](ServiceLevelPolicy::due_soon) is left.

mod arithmetic;
mod calendar;
mod day;
mod due;
mod policy;
mod state;
mod time_of_day;
mod time_zone;
mod tracking;

#[cfg(test)]
mod tests;

pub use arithmetic::{BusinessTimeError, HORIZON_YEARS};
pub use calendar::{BusinessCalendar, MAX_HOLIDAYS, MAX_INTERVALS_PER_DAY, Week};
pub use due::{DueDates, Pause, TicketTimes};
pub use policy::{BusinessDuration, MAX_TARGET, PriorityTargets, ServiceLevelPolicy, Targets};
pub use state::{SlaState, SlaStatus, TargetState};
pub use time_of_day::{TimeOfDay, WorkingInterval};
pub use time_zone::TimeZone;
pub use tracking::{PriorityChange, SlaTarget, TargetTimes, TicketServiceLevel};
