//! A tenant's business calendar: working hours per weekday, holidays and time zone.

use std::collections::BTreeSet;

use chrono::{NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use super::time_of_day::{TimeOfDay, WorkingInterval};
use super::time_zone::TimeZone;
use crate::error::{ReasonCode, ValidationError};

/// The most working intervals one weekday may have.
pub const MAX_INTERVALS_PER_DAY: usize = 8;

/// The most holidays a calendar may list (ten years of a dozen a year, and room to
/// spare).
pub const MAX_HOLIDAYS: usize = 400;

/// The working intervals of each weekday, in wall-clock time; a day without any is not
/// worked. In JSON, one list per weekday: `{"monday": [{"start": "09:00", "end":
/// "18:00"}], ..., "sunday": []}` (a missing day is an empty list).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Week {
    /// Monday's working intervals.
    #[serde(default)]
    pub monday: Vec<WorkingInterval>,
    /// Tuesday's working intervals.
    #[serde(default)]
    pub tuesday: Vec<WorkingInterval>,
    /// Wednesday's working intervals.
    #[serde(default)]
    pub wednesday: Vec<WorkingInterval>,
    /// Thursday's working intervals.
    #[serde(default)]
    pub thursday: Vec<WorkingInterval>,
    /// Friday's working intervals.
    #[serde(default)]
    pub friday: Vec<WorkingInterval>,
    /// Saturday's working intervals.
    #[serde(default)]
    pub saturday: Vec<WorkingInterval>,
    /// Sunday's working intervals.
    #[serde(default)]
    pub sunday: Vec<WorkingInterval>,
}

impl Week {
    /// The same intervals on Monday to Friday, nothing at the weekend.
    pub fn weekdays(intervals: &[WorkingInterval]) -> Self {
        Self {
            monday: intervals.to_vec(),
            tuesday: intervals.to_vec(),
            wednesday: intervals.to_vec(),
            thursday: intervals.to_vec(),
            friday: intervals.to_vec(),
            ..Self::default()
        }
    }

    /// The working intervals of `day`.
    pub fn day(&self, day: Weekday) -> &[WorkingInterval] {
        match day {
            Weekday::Mon => &self.monday,
            Weekday::Tue => &self.tuesday,
            Weekday::Wed => &self.wednesday,
            Weekday::Thu => &self.thursday,
            Weekday::Fri => &self.friday,
            Weekday::Sat => &self.saturday,
            Weekday::Sun => &self.sunday,
        }
    }

    /// Working minutes in a week without holidays or clock changes.
    pub fn minutes(&self) -> u32 {
        WEEKDAYS
            .iter()
            .flat_map(|&day| self.day(day))
            .map(|interval| u32::from(interval.minutes()))
            .sum()
    }

    /// Checks each day: at most [`MAX_INTERVALS_PER_DAY`] intervals, each non-empty,
    /// in order and not overlapping (one may start when the previous one ends); and at
    /// least one working minute in the week.
    pub fn check(&self) -> Result<(), ValidationError> {
        for day in WEEKDAYS {
            let field = format!("week.{}", day_name(day));
            let intervals = self.day(day);
            if intervals.len() > MAX_INTERVALS_PER_DAY {
                return Err(ValidationError::coded(
                    field,
                    ReasonCode::TooLong {
                        max: MAX_INTERVALS_PER_DAY as u64,
                    },
                    format!("at most {MAX_INTERVALS_PER_DAY} working intervals a day"),
                ));
            }
            let mut previous_end = TimeOfDay::MIDNIGHT;
            for interval in intervals {
                if interval.start >= interval.end {
                    return Err(ValidationError::coded(
                        field,
                        ReasonCode::InvalidFormat,
                        format!(
                            "the interval {}-{} must end after it starts",
                            interval.start, interval.end
                        ),
                    ));
                }
                if interval.start < previous_end {
                    return Err(ValidationError::coded(
                        field,
                        ReasonCode::InvalidFormat,
                        format!(
                            "the interval {}-{} must start after the previous one ends \
                             ({previous_end}): list intervals in order, without overlap",
                            interval.start, interval.end
                        ),
                    ));
                }
                previous_end = interval.end;
            }
        }
        if self.minutes() == 0 {
            return Err(ValidationError::coded(
                "week",
                ReasonCode::Required,
                "the week must have at least one working interval",
            ));
        }
        Ok(())
    }
}

/// The weekdays, Monday first.
pub(crate) const WEEKDAYS: [Weekday; 7] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
    Weekday::Sun,
];

fn day_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "monday",
        Weekday::Tue => "tuesday",
        Weekday::Wed => "wednesday",
        Weekday::Thu => "thursday",
        Weekday::Fri => "friday",
        Weekday::Sat => "saturday",
        Weekday::Sun => "sunday",
    }
}

/// When a tenant works: working intervals per weekday in the wall-clock time of a time
/// zone, and holidays (local dates not worked at all). Always valid: built by
/// [`new`](Self::new) or read from JSON, both of which check it.
///
/// JSON: `{"time_zone": "Europe/Paris", "week": {...}, "holidays": ["2026-12-25"]}`
/// (see [`Week`]). The default is Monday to Friday, 09:00 to 18:00, Europe/Paris, no
/// holidays.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(try_from = "CalendarFields")]
pub struct BusinessCalendar {
    /// The zone whose wall clock the working intervals and holidays are read in.
    time_zone: TimeZone,
    /// The working intervals of each weekday.
    week: Week,
    /// Local dates not worked at all, in order (none when left out).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<NaiveDate>))]
    holidays: BTreeSet<NaiveDate>,
}

/// A calendar as read, before it is checked.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CalendarFields {
    time_zone: TimeZone,
    #[serde(deserialize_with = "crate::object::only")]
    week: Week,
    #[serde(default)]
    holidays: BTreeSet<NaiveDate>,
}

impl TryFrom<CalendarFields> for BusinessCalendar {
    type Error = ValidationError;

    fn try_from(fields: CalendarFields) -> Result<Self, Self::Error> {
        Self::new(fields.time_zone, fields.week, fields.holidays)
    }
}

impl BusinessCalendar {
    /// A calendar, after checking the week ([`Week::check`]) and that there are at most
    /// [`MAX_HOLIDAYS`] holidays.
    pub fn new(
        time_zone: TimeZone,
        week: Week,
        holidays: impl IntoIterator<Item = NaiveDate>,
    ) -> Result<Self, ValidationError> {
        week.check()?;
        let holidays: BTreeSet<NaiveDate> = holidays.into_iter().collect();
        if holidays.len() > MAX_HOLIDAYS {
            return Err(ValidationError::coded(
                "holidays",
                ReasonCode::TooLong {
                    max: MAX_HOLIDAYS as u64,
                },
                format!("at most {MAX_HOLIDAYS} holidays"),
            ));
        }
        Ok(Self {
            time_zone,
            week,
            holidays,
        })
    }

    /// The zone the working intervals and holidays are read in.
    pub fn time_zone(&self) -> TimeZone {
        self.time_zone
    }

    /// The working intervals of each weekday.
    pub fn week(&self) -> &Week {
        &self.week
    }

    /// The holidays, in order.
    pub fn holidays(&self) -> &BTreeSet<NaiveDate> {
        &self.holidays
    }

    /// Whether `date` is a holiday.
    pub fn is_holiday(&self, date: NaiveDate) -> bool {
        self.holidays.contains(&date)
    }

    /// Whether a holiday falls on `from` or one of the `days - 1` dates after it.
    pub(crate) fn has_holiday_within(&self, from: NaiveDate, days: u64) -> bool {
        from.checked_add_days(chrono::Days::new(days))
            .is_none_or(|end| self.holidays.range(from..end).next().is_some())
    }
}

impl Default for BusinessCalendar {
    fn default() -> Self {
        let nine_to_six = WorkingInterval::new(
            TimeOfDay::new(9, 0).unwrap_or(TimeOfDay::MIDNIGHT),
            TimeOfDay::new(18, 0).unwrap_or(TimeOfDay::END_OF_DAY),
        );
        Self {
            time_zone: TimeZone::PARIS,
            week: Week::weekdays(&[nine_to_six]),
            holidays: BTreeSet::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn interval(start: (u8, u8), end: (u8, u8)) -> WorkingInterval {
        WorkingInterval::new(
            TimeOfDay::new(start.0, start.1).unwrap_or(TimeOfDay::MIDNIGHT),
            TimeOfDay::new(end.0, end.1).unwrap_or(TimeOfDay::MIDNIGHT),
        )
    }

    fn refusal(week: Week) -> Option<(String, ReasonCode)> {
        BusinessCalendar::new(TimeZone::PARIS, week, [])
            .err()
            .map(|e| (e.field, e.code))
    }

    #[test]
    fn the_default_calendar_is_nine_to_six_on_weekdays_in_paris() -> Result<(), serde_json::Error> {
        let calendar = BusinessCalendar::default();
        assert_eq!(calendar.week().minutes(), 5 * 9 * 60);
        let json = serde_json::to_value(&calendar)?;
        let nine_to_six = serde_json::json!([{"start": "09:00", "end": "18:00"}]);
        assert_eq!(
            json,
            serde_json::json!({
                "time_zone": "Europe/Paris",
                "week": {
                    "monday": nine_to_six, "tuesday": nine_to_six, "wednesday": nine_to_six,
                    "thursday": nine_to_six, "friday": nine_to_six,
                    "saturday": [], "sunday": []
                },
                "holidays": []
            })
        );
        assert_eq!(serde_json::from_value::<BusinessCalendar>(json)?, calendar);
        Ok(())
    }

    #[test]
    fn a_day_may_have_several_intervals_in_order() {
        let split = Week::weekdays(&[interval((8, 30), (12, 0)), interval((13, 30), (17, 30))]);
        assert_eq!(refusal(split), None);
        let touching = Week::weekdays(&[interval((0, 0), (12, 0)), interval((12, 0), (24, 0))]);
        assert_eq!(refusal(touching), None);
    }

    #[test]
    fn intervals_must_be_non_empty_ordered_and_not_overlapping() {
        let invalid = ReasonCode::InvalidFormat;
        let field = || "week.monday".to_owned();
        let empty = Week::weekdays(&[interval((9, 0), (9, 0))]);
        assert_eq!(refusal(empty), Some((field(), invalid)));
        let reversed = Week::weekdays(&[interval((18, 0), (9, 0))]);
        assert_eq!(refusal(reversed), Some((field(), invalid)));
        let unordered = Week::weekdays(&[interval((14, 0), (18, 0)), interval((9, 0), (12, 0))]);
        assert_eq!(refusal(unordered), Some((field(), invalid)));
        let overlapping = Week::weekdays(&[interval((9, 0), (13, 0)), interval((12, 0), (18, 0))]);
        assert_eq!(refusal(overlapping), Some((field(), invalid)));
        let crowded = Week::weekdays(
            &(0..9)
                .map(|h| interval((h, 0), (h, 30)))
                .collect::<Vec<_>>(),
        );
        assert_eq!(
            refusal(crowded),
            Some((
                field(),
                ReasonCode::TooLong {
                    max: MAX_INTERVALS_PER_DAY as u64
                }
            ))
        );
        let sunday_only = Week {
            sunday: vec![interval((10, 0), (9, 0))],
            ..Week::default()
        };
        assert_eq!(
            refusal(sunday_only).map(|r| r.0).as_deref(),
            Some("week.sunday")
        );
    }

    #[test]
    fn a_week_without_working_time_is_refused() {
        assert_eq!(
            refusal(Week::default()),
            Some(("week".to_owned(), ReasonCode::Required))
        );
    }

    #[test]
    fn the_holidays_list_is_bounded() {
        let start = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default();
        let many =
            (0..=MAX_HOLIDAYS as u64).filter_map(|d| start.checked_add_days(chrono::Days::new(d)));
        let err =
            BusinessCalendar::new(TimeZone::PARIS, BusinessCalendar::default().week, many).err();
        assert_eq!(
            err.map(|e| (e.field, e.code)),
            Some((
                "holidays".to_owned(),
                ReasonCode::TooLong {
                    max: MAX_HOLIDAYS as u64
                }
            ))
        );
    }

    #[test]
    fn json_that_breaks_a_rule_is_refused_on_reading() {
        let overlapping = serde_json::json!({
            "time_zone": "Europe/Paris",
            "week": {"monday": [{"start": "09:00", "end": "13:00"}, {"start": "12:00", "end": "18:00"}]}
        });
        let err = serde_json::from_value::<BusinessCalendar>(overlapping).err();
        assert!(err.is_some_and(|e| e.to_string().contains("week.monday")));
        let unknown_zone = serde_json::json!({"time_zone": "Mars/Olympus", "week": {}});
        assert!(serde_json::from_value::<BusinessCalendar>(unknown_zone).is_err());
        let typo = serde_json::json!({"time_zone": "UTC", "week": {"mondey": []}});
        assert!(serde_json::from_value::<BusinessCalendar>(typo).is_err());
    }
}
