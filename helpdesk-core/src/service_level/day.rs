//! The working time of one local date, as instants: where clock changes are handled.
//!
//! A working interval `[start, end)` of date `D` covers every instant at which the
//! calendar's wall clock reads a time from `D start` (included) to `D end` (excluded).
//! So on the day the clocks go forward, an interval inside the skipped hour gives no
//! working time and one that straddles it loses the skipped part; on the day they go
//! back, the repeated hour counts twice when it is working time (the clock reads it
//! twice). This is the time that really elapses in front of the clock.
//!
//! To find it, the UTC offsets in force around the date are found (a clock change is
//! located to the second by bisection), and within each stretch of constant offset the
//! interval is shifted by that offset and clipped to the stretch.

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeDelta, Utc};

use super::calendar::BusinessCalendar;
use super::time_zone::TimeZone;

/// A stretch of working time, `[start, end)`.
pub(crate) type Span = (DateTime<Utc>, DateTime<Utc>);

/// How far from a date's UTC midnight its local day can lie: more than any UTC offset
/// the time zone database has known.
const MARGIN: TimeDelta = TimeDelta::hours(16);

/// Clock changes looked for around one date (real zones have at most one a day).
const MAX_CHANGES: u8 = 3;

/// The instants of `date` that are working time, in order and disjoint; empty on a
/// holiday or a day off. `None` when the date is at the edge of the representable
/// range.
pub(crate) fn working_spans(calendar: &BusinessCalendar, date: NaiveDate) -> Option<Vec<Span>> {
    let intervals = calendar.week().day(date.weekday());
    if intervals.is_empty() || calendar.is_holiday(date) {
        return Some(Vec::new());
    }
    let midnight = date.and_time(NaiveTime::MIN).and_utc();
    let window_start = midnight.checked_sub_signed(MARGIN)?;
    let window_end = midnight
        .checked_add_signed(TimeDelta::days(1))?
        .checked_add_signed(MARGIN)?;
    let mut stretches = Vec::new();
    constant_offsets(
        calendar.time_zone(),
        window_start,
        window_end,
        MAX_CHANGES,
        &mut stretches,
    );
    let mut spans = Vec::new();
    for &(from, to, offset) in &stretches {
        for interval in intervals {
            let at = |minutes: u16| {
                midnight.checked_add_signed(
                    TimeDelta::minutes(i64::from(minutes)) - TimeDelta::seconds(offset),
                )
            };
            let start = at(interval.start.minutes())?.max(from);
            let end = at(interval.end.minutes())?.min(to);
            if start < end {
                spans.push((start, end));
            }
        }
    }
    spans.sort_unstable();
    Some(merge(spans))
}

/// Splits `[from, to)` into stretches of constant UTC offset (seconds), pushed in order.
fn constant_offsets(
    zone: TimeZone,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    changes_left: u8,
    out: &mut Vec<(DateTime<Utc>, DateTime<Utc>, i64)>,
) {
    let offset = zone.offset_seconds(from);
    if changes_left == 0 || zone.offset_seconds(to) == offset {
        out.push((from, to, offset));
        return;
    }
    // The first second at which the offset is no longer `offset`: clock changes happen
    // on whole seconds, and `from` is on one.
    let (mut before, mut after) = (from, to);
    while after - before > TimeDelta::seconds(1) {
        let middle = before + TimeDelta::seconds((after - before).num_seconds() / 2);
        if zone.offset_seconds(middle) == offset {
            before = middle;
        } else {
            after = middle;
        }
    }
    out.push((from, after, offset));
    constant_offsets(zone, after, to, changes_left - 1, out);
}

/// Joins spans that touch or overlap; `spans` is sorted.
fn merge(spans: Vec<Span>) -> Vec<Span> {
    let mut merged: Vec<Span> = Vec::with_capacity(spans.len());
    for (start, end) in spans {
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    merged
}

/// Working time in `spans`.
#[cfg(test)]
pub(crate) fn total(spans: &[Span]) -> TimeDelta {
    spans
        .iter()
        .fold(TimeDelta::zero(), |sum, (start, end)| sum + (*end - *start))
}
