//! Adding business time to an instant, and measuring the business time between two.
//!
//! Both walk the calendar one local date at a time ([`day`](super::day) gives each
//! date's working time as instants), except that a whole week without holiday and
//! without clock change counts in one step as the week's working minutes: never minute
//! by minute, and never further than [`HORIZON_YEARS`] from the start.

use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveTime, TimeDelta, Utc, Weekday};

use super::calendar::BusinessCalendar;
use super::day::{self, Span};

/// How far the arithmetic looks, in years: an answer further away is an error
/// ([`BusinessTimeError::BeyondHorizon`]), never an endless search.
pub const HORIZON_YEARS: u32 = 100;

const HORIZON_DAYS: u64 = HORIZON_YEARS as u64 * 366;

/// Why business time could not be added or measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BusinessTimeError {
    /// A business duration was negative.
    #[error("a business duration must not be negative")]
    NegativeDuration,
    /// The answer lies more than [`HORIZON_YEARS`] away (a calendar with a minute of
    /// work a week asked for years of work, say).
    #[error("the calendar does not reach that within {HORIZON_YEARS} years")]
    BeyondHorizon,
    /// An instant outside the range of dates this crate represents.
    #[error("the date is outside the supported range")]
    OutOfRange,
}

impl BusinessCalendar {
    /// The instant at which `duration` of working time has elapsed after `start`.
    ///
    /// `start` may lie outside working time: counting starts at the next working
    /// instant. For a positive duration the answer is in working time or at the very
    /// end of a working interval (Friday 17:00 plus one hour, with 09:00-18:00, is
    /// Friday 18:00, not Monday 09:00); a zero duration gives `start` itself.
    pub fn add_business_time(
        &self,
        start: DateTime<Utc>,
        duration: TimeDelta,
    ) -> Result<DateTime<Utc>, BusinessTimeError> {
        if duration < TimeDelta::zero() {
            return Err(BusinessTimeError::NegativeDuration);
        }
        if duration.is_zero() {
            return Ok(start);
        }
        let mut remaining = duration;
        let first = self.date_at(start)?;
        let last = add_days(first, HORIZON_DAYS)?;
        let mut date = first;
        while date <= last {
            if date > first
                && date.weekday() == Weekday::Mon
                && let Some(week) = self.regular_week(date)?
                && week < remaining
            {
                remaining -= week;
                date = add_days(date, 7)?;
                continue;
            }
            for (from, to) in self.spans(date)? {
                if to <= start {
                    continue;
                }
                let from = from.max(start);
                let available = to - from;
                if remaining <= available {
                    return from
                        .checked_add_signed(remaining)
                        .ok_or(BusinessTimeError::OutOfRange);
                }
                remaining -= available;
            }
            date = add_days(date, 1)?;
        }
        Err(BusinessTimeError::BeyondHorizon)
    }

    /// The working time from `from` to `to`: zero when `to` is not after `from`.
    pub fn business_time_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<TimeDelta, BusinessTimeError> {
        if to <= from {
            return Ok(TimeDelta::zero());
        }
        let first = self.date_at(from)?;
        let last = self.date_at(to)?;
        if last > add_days(first, HORIZON_DAYS)? {
            return Err(BusinessTimeError::BeyondHorizon);
        }
        let mut total = TimeDelta::zero();
        let mut date = first;
        while date <= last {
            if date > first
                && date.weekday() == Weekday::Mon
                && add_days(date, 7)? <= last
                && let Some(week) = self.regular_week(date)?
            {
                total += week;
                date = add_days(date, 7)?;
                continue;
            }
            for (start, end) in self.spans(date)? {
                let (start, end) = (start.max(from), end.min(to));
                if start < end {
                    total += end - start;
                }
            }
            date = add_days(date, 1)?;
        }
        Ok(total)
    }

    fn date_at(&self, instant: DateTime<Utc>) -> Result<NaiveDate, BusinessTimeError> {
        self.time_zone()
            .date_at(instant)
            .ok_or(BusinessTimeError::OutOfRange)
    }

    /// The working time of `date`, as instants.
    pub(crate) fn spans(&self, date: NaiveDate) -> Result<Vec<Span>, BusinessTimeError> {
        day::working_spans(self, date).ok_or(BusinessTimeError::OutOfRange)
    }

    /// The working time of the week starting on `monday` when it is the week's nominal
    /// minutes: no holiday, and the same UTC offset from before its first day to after
    /// its last (no zone changes its clocks twice within nine days). `None` otherwise:
    /// the week is then counted day by day.
    fn regular_week(&self, monday: NaiveDate) -> Result<Option<TimeDelta>, BusinessTimeError> {
        if self.has_holiday_within(monday, 7) {
            return Ok(None);
        }
        let margin = TimeDelta::hours(16);
        let start = monday
            .and_time(NaiveTime::MIN)
            .and_utc()
            .checked_sub_signed(margin);
        let end = add_days(monday, 7)?
            .and_time(NaiveTime::MIN)
            .and_utc()
            .checked_add_signed(margin);
        let (Some(start), Some(end)) = (start, end) else {
            return Err(BusinessTimeError::OutOfRange);
        };
        let zone = self.time_zone();
        Ok((zone.offset_seconds(start) == zone.offset_seconds(end))
            .then(|| TimeDelta::minutes(i64::from(self.week().minutes()))))
    }
}

fn add_days(date: NaiveDate, days: u64) -> Result<NaiveDate, BusinessTimeError> {
    date.checked_add_days(Days::new(days))
        .ok_or(BusinessTimeError::OutOfRange)
}
