//! A tenant's service-level policy: its business calendar and, per priority, the
//! targets tickets are held to.

use chrono::TimeDelta;
use serde::{Deserialize, Serialize};

use super::calendar::BusinessCalendar;
use crate::error::{ReasonCode, ValidationError};
use crate::status::Priority;

/// A length of working time in whole seconds (serialised as the number of seconds):
/// counted on a [`BusinessCalendar`], so eight hours with the default calendar is
/// about a working day, not a third of one.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct BusinessDuration(i64);

impl BusinessDuration {
    /// `seconds` of working time.
    pub const fn seconds(seconds: i64) -> Self {
        Self(seconds)
    }

    /// `minutes` of working time.
    pub const fn minutes(minutes: i64) -> Self {
        Self(minutes * 60)
    }

    /// `hours` of working time.
    pub const fn hours(hours: i64) -> Self {
        Self(hours * 3600)
    }

    /// The length in seconds.
    pub const fn as_seconds(self) -> i64 {
        self.0
    }

    /// The length as a chrono duration.
    pub fn duration(self) -> TimeDelta {
        TimeDelta::seconds(self.0)
    }
}

/// The longest target or warning a policy may set: a year of working hours (about
/// four years of a 45-hour week).
pub const MAX_TARGET: BusinessDuration = BusinessDuration::hours(24 * 365);

/// The targets for tickets of one priority; a target left out is not tracked.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PriorityTargets {
    /// Working time from opening to the first public reply or request for information
    /// by staff.
    #[serde(default)]
    pub first_response: Option<BusinessDuration>,
    /// Working time from opening to resolution, not counting time spent waiting on the
    /// requester.
    #[serde(default)]
    pub resolution: Option<BusinessDuration>,
}

/// The targets of each priority.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Targets {
    /// For [`Priority::Low`].
    #[serde(default, deserialize_with = "crate::object::only")]
    pub low: PriorityTargets,
    /// For [`Priority::Normal`].
    #[serde(default, deserialize_with = "crate::object::only")]
    pub normal: PriorityTargets,
    /// For [`Priority::High`].
    #[serde(default, deserialize_with = "crate::object::only")]
    pub high: PriorityTargets,
    /// For [`Priority::Blocking`].
    #[serde(default, deserialize_with = "crate::object::only")]
    pub blocking: PriorityTargets,
}

impl Targets {
    /// The targets of `priority`.
    pub fn get(&self, priority: Priority) -> PriorityTargets {
        match priority {
            Priority::Low => self.low,
            Priority::Normal => self.normal,
            Priority::High => self.high,
            Priority::Blocking => self.blocking,
        }
    }

    /// The targets of `priority`, to change them.
    pub fn get_mut(&mut self, priority: Priority) -> &mut PriorityTargets {
        match priority {
            Priority::Low => &mut self.low,
            Priority::Normal => &mut self.normal,
            Priority::High => &mut self.high,
            Priority::Blocking => &mut self.blocking,
        }
    }
}

/// How one tenant's tickets are held to time: the calendar working time is counted
/// on, the targets per priority, and how early a target shows as due soon.
///
/// The default tracks nothing (no targets) on the default calendar, with a one-hour
/// warning: a tenant opts in by setting targets. In JSON, durations in seconds of
/// working time, every field optional: `{"calendar": {...}, "targets": {"blocking":
/// {"first_response": 1800, "resolution": 14400}, "normal": {"resolution": 97200}},
/// "due_soon": 3600}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ServiceLevelPolicy {
    /// When the tenant works.
    #[serde(default, deserialize_with = "crate::object::only")]
    pub calendar: BusinessCalendar,
    /// The targets of each priority.
    #[serde(default, deserialize_with = "crate::object::only")]
    pub targets: Targets,
    /// A target not yet met is due soon when less working time than this is left.
    #[serde(default = "default_due_soon")]
    pub due_soon: BusinessDuration,
}

fn default_due_soon() -> BusinessDuration {
    BusinessDuration::hours(1)
}

impl Default for ServiceLevelPolicy {
    fn default() -> Self {
        Self {
            calendar: BusinessCalendar::default(),
            targets: Targets::default(),
            due_soon: default_due_soon(),
        }
    }
}

impl ServiceLevelPolicy {
    /// Checks the durations: each target more than zero and at most [`MAX_TARGET`], the
    /// warning from zero to [`MAX_TARGET`]. (The calendar was checked when it was
    /// made.)
    pub fn check(&self) -> Result<(), ValidationError> {
        for priority in Priority::ALL {
            let targets = self.targets.get(priority);
            for (name, target) in [
                ("first_response", targets.first_response),
                ("resolution", targets.resolution),
            ] {
                if let Some(target) = target {
                    check_duration(&format!("targets.{priority}.{name}"), target, 1)?;
                }
            }
        }
        check_duration("due_soon", self.due_soon, 0)
    }
}

fn check_duration(field: &str, value: BusinessDuration, min: i64) -> Result<(), ValidationError> {
    if (min..=MAX_TARGET.as_seconds()).contains(&value.as_seconds()) {
        Ok(())
    } else {
        Err(ValidationError::coded(
            field,
            ReasonCode::OutOfRange {
                min,
                max: MAX_TARGET.as_seconds(),
            },
            format!(
                "must be from {min} to {} seconds of working time",
                MAX_TARGET.as_seconds()
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_policy_tracks_nothing_and_reads_back() -> Result<(), serde_json::Error> {
        let policy = ServiceLevelPolicy::default();
        assert_eq!(policy.check(), Ok(()));
        for priority in Priority::ALL {
            assert_eq!(policy.targets.get(priority), PriorityTargets::default());
        }
        let json = serde_json::to_value(&policy)?;
        assert_eq!(json["due_soon"], 3600);
        assert_eq!(
            json["targets"]["blocking"],
            serde_json::json!({"first_response": null, "resolution": null})
        );
        assert_eq!(serde_json::from_value::<ServiceLevelPolicy>(json)?, policy);
        assert_eq!(serde_json::from_str::<ServiceLevelPolicy>("{}")?, policy);
        Ok(())
    }

    #[test]
    fn a_policy_reads_targets_in_seconds_with_every_field_optional() -> Result<(), serde_json::Error>
    {
        let policy: ServiceLevelPolicy = serde_json::from_str(
            r#"{"targets": {"blocking": {"first_response": 1800, "resolution": 14400},
                "normal": {"resolution": 97200}}, "due_soon": 3600}"#,
        )?;
        assert_eq!(policy.calendar, BusinessCalendar::default());
        assert_eq!(
            policy.targets.blocking.first_response,
            Some(BusinessDuration::minutes(30))
        );
        assert_eq!(
            policy.targets.normal.resolution,
            Some(BusinessDuration::hours(27))
        );
        assert_eq!(policy.targets.normal.first_response, None);
        assert!(
            serde_json::from_str::<ServiceLevelPolicy>(r#"{"targets": {"urgent": {}}}"#).is_err()
        );
        Ok(())
    }

    #[test]
    fn targets_must_be_positive_and_at_most_a_year_of_working_hours() {
        for (bad, field) in [
            (BusinessDuration::seconds(0), "targets.high.resolution"),
            (BusinessDuration::seconds(-60), "targets.high.resolution"),
            (
                BusinessDuration::seconds(MAX_TARGET.as_seconds() + 1),
                "targets.high.resolution",
            ),
        ] {
            let mut policy = ServiceLevelPolicy::default();
            policy.targets.get_mut(Priority::High).resolution = Some(bad);
            let err = policy.check().err();
            assert_eq!(err.map(|e| e.field).as_deref(), Some(field), "{bad:?}");
        }
        let mut policy = ServiceLevelPolicy::default();
        policy.targets.get_mut(Priority::Blocking).first_response = Some(MAX_TARGET);
        policy.due_soon = BusinessDuration::seconds(0);
        assert_eq!(policy.check(), Ok(()));
        policy.due_soon = BusinessDuration::seconds(-1);
        assert_eq!(
            policy.check().err().map(|e| e.code),
            Some(ReasonCode::OutOfRange {
                min: 0,
                max: MAX_TARGET.as_seconds()
            })
        );
    }
}
