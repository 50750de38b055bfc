//! Wall-clock times of day and the working intervals made of them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{ReasonCode, ValidationError};

/// Minutes in a day: `24:00`, the end of the day.
const DAY_MINUTES: u16 = 24 * 60;

/// A wall-clock time of day to the minute, from `00:00` to `24:00` (the end of the day,
/// so that an interval can run to midnight). Written `HH:MM` in JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(value_type = String, example = "08:30"))]
#[serde(try_from = "String", into = "String")]
pub struct TimeOfDay(u16);

impl TimeOfDay {
    /// Midnight at the start of the day, `00:00`.
    pub const MIDNIGHT: TimeOfDay = TimeOfDay(0);
    /// The end of the day, `24:00`.
    pub const END_OF_DAY: TimeOfDay = TimeOfDay(DAY_MINUTES);

    /// `hour:minute`, if it is a time of day (`24:00` included).
    pub const fn new(hour: u8, minute: u8) -> Option<Self> {
        let minutes = hour as u16 * 60 + minute as u16;
        if minute < 60 && minutes <= DAY_MINUTES {
            Some(Self(minutes))
        } else {
            None
        }
    }

    /// Minutes since midnight: 0 to 1440.
    pub const fn minutes(self) -> u16 {
        self.0
    }
}

impl fmt::Display for TimeOfDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.0 / 60, self.0 % 60)
    }
}

impl FromStr for TimeOfDay {
    type Err = ValidationError;

    /// Reads `HH:MM`, from `00:00` to `24:00`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let refused = || {
            ValidationError::coded(
                "time",
                ReasonCode::InvalidFormat,
                format!(
                    "`{}` is not a time of day: use HH:MM, from 00:00 to 24:00",
                    s.escape_debug()
                ),
            )
        };
        let (h, m) = s.split_once(':').ok_or_else(refused)?;
        let two_digits = |part: &str| {
            (part.len() == 2 && part.bytes().all(|b| b.is_ascii_digit()))
                .then(|| part.parse::<u8>().ok())
                .flatten()
        };
        let (Some(hour), Some(minute)) = (two_digits(h), two_digits(m)) else {
            return Err(refused());
        };
        TimeOfDay::new(hour, minute).ok_or_else(refused)
    }
}

impl TryFrom<String> for TimeOfDay {
    type Error = ValidationError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<TimeOfDay> for String {
    fn from(value: TimeOfDay) -> Self {
        value.to_string()
    }
}

/// Working hours within one day, from `start` (included) to `end` (excluded), in the
/// calendar's wall-clock time: `{"start": "08:30", "end": "12:00"}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct WorkingInterval {
    /// When work starts.
    pub start: TimeOfDay,
    /// When work stops; after `start`.
    pub end: TimeOfDay,
}

impl WorkingInterval {
    /// From `start` to `end`; a [`BusinessCalendar`](super::BusinessCalendar) checks
    /// that `start` comes before `end`.
    pub const fn new(start: TimeOfDay, end: TimeOfDay) -> Self {
        Self { start, end }
    }

    /// How many minutes the interval lasts on a day without a clock change (zero when
    /// it is empty or reversed).
    pub const fn minutes(self) -> u16 {
        self.end.0.saturating_sub(self.start.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_of_day_read_and_write_hh_mm_up_to_the_end_of_the_day() {
        for (text, minutes) in [
            ("00:00", 0),
            ("08:30", 510),
            ("23:59", 1439),
            ("24:00", 1440),
        ] {
            let time: TimeOfDay = text.parse().unwrap_or(TimeOfDay::MIDNIGHT);
            assert_eq!(time.minutes(), minutes, "{text}");
            assert_eq!(time.to_string(), text);
        }
        for bad in [
            "",
            "8:30",
            "08:3",
            "24:01",
            "25:00",
            "08:60",
            "08h30",
            "+8:30",
            "08:30:00",
            "٠٨:٣٠",
        ] {
            let err = bad.parse::<TimeOfDay>().err();
            assert_eq!(
                err.map(|e| e.code),
                Some(ReasonCode::InvalidFormat),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn a_working_interval_is_written_as_two_times_of_day() -> Result<(), serde_json::Error> {
        let interval = WorkingInterval::new(
            TimeOfDay::new(8, 30).unwrap_or(TimeOfDay::MIDNIGHT),
            TimeOfDay::END_OF_DAY,
        );
        let json = serde_json::to_value(interval)?;
        assert_eq!(json, serde_json::json!({"start": "08:30", "end": "24:00"}));
        assert_eq!(serde_json::from_value::<WorkingInterval>(json)?, interval);
        assert!(serde_json::from_str::<WorkingInterval>(r#"{"start":"8","end":"9"}"#).is_err());
        Ok(())
    }
}
