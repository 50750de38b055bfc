//! The time zone a business calendar's wall-clock hours are read in.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Offset, TimeZone as _, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{ReasonCode, ValidationError};

/// An IANA time zone (`Europe/Paris`, `America/New_York`, `UTC`), from the time zone
/// database built into this crate: its rules, clock changes included, do not depend on
/// the host. Written as its name in JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(value_type = String, example = "Europe/Paris"))]
pub struct TimeZone(chrono_tz::Tz);

impl TimeZone {
    /// `Europe/Paris`, the default.
    pub const PARIS: TimeZone = TimeZone(chrono_tz::Europe::Paris);
    /// `UTC`: no clock changes.
    pub const UTC: TimeZone = TimeZone(chrono_tz::UTC);

    /// The zone's IANA name.
    pub fn name(self) -> &'static str {
        self.0.name()
    }

    /// The zone, for formatting instants in it.
    pub fn tz(self) -> chrono_tz::Tz {
        self.0
    }

    /// The local date at `instant`; `None` at the very edges of the representable
    /// range, where the local date is not representable.
    pub fn date_at(self, instant: DateTime<Utc>) -> Option<NaiveDate> {
        instant
            .naive_utc()
            .checked_add_signed(chrono::TimeDelta::seconds(self.offset_seconds(instant)))
            .map(|local| local.date())
    }

    /// The zone's offset from UTC at `instant`, in seconds.
    pub(crate) fn offset_seconds(self, instant: DateTime<Utc>) -> i64 {
        i64::from(
            self.0
                .offset_from_utc_datetime(&instant.naive_utc())
                .fix()
                .local_minus_utc(),
        )
    }
}

impl Default for TimeZone {
    fn default() -> Self {
        Self::PARIS
    }
}

impl From<chrono_tz::Tz> for TimeZone {
    fn from(tz: chrono_tz::Tz) -> Self {
        Self(tz)
    }
}

impl fmt::Display for TimeZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for TimeZone {
    type Err = ValidationError;

    /// Reads an IANA name, exactly as the database spells it.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.parse::<chrono_tz::Tz>().map(Self).map_err(|_| {
            ValidationError::coded(
                "time_zone",
                ReasonCode::UnknownValue,
                format!(
                    "`{}` is not an IANA time zone name such as Europe/Paris",
                    s.chars().take(64).collect::<String>().escape_debug()
                ),
            )
        })
    }
}

impl Serialize for TimeZone {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for TimeZone {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        name.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_zones_are_read_and_written_by_their_iana_name() -> Result<(), serde_json::Error> {
        for name in ["Europe/Paris", "America/New_York", "UTC", "Pacific/Chatham"] {
            let zone: TimeZone = serde_json::from_value(serde_json::json!(name))?;
            assert_eq!(serde_json::to_value(zone)?, serde_json::json!(name));
        }
        for bad in [
            "",
            "Paris",
            "europe/paris",
            "Europe/Atlantis",
            "Europe/Paris\n",
        ] {
            let err = bad.parse::<TimeZone>().err();
            assert_eq!(
                err.map(|e| (e.field, e.code)),
                Some(("time_zone".to_owned(), ReasonCode::UnknownValue)),
                "{bad:?}"
            );
        }
        Ok(())
    }
}
