//! The dashboard [tableau de bord]: counts per status, tickets opened per month and
//! satisfaction, per tenant and per agent, and their [`Breakdown`] per agent and per
//! group. Stores compute it in their query language,
//! never by loading tickets.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Utc};
use serde::{Deserialize, Serialize};

use crate::error::ValidationError;
use crate::ids::{GroupId, StaffId, TenantId};
use crate::permissions::Scope;
use crate::status::Status;

/// The most months a monthly series may cover.
pub const MAX_MONTHS: u32 = 36;

/// What a dashboard covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DashboardQuery {
    /// The tickets the caller may see.
    pub scope: Scope,
    /// Only this tenant.
    pub tenant: Option<TenantId>,
    /// Only tickets assigned to this agent.
    pub assignee: Option<StaffId>,
    /// How many months the series covers, ending with the month of `now`.
    pub months: u32,
    /// Now.
    pub now: DateTime<Utc>,
}

impl DashboardQuery {
    /// Checks the month count.
    pub fn check(&self) -> Result<(), ValidationError> {
        if self.months == 0 || self.months > MAX_MONTHS {
            return Err(ValidationError::new(
                "months",
                format!("must be between 1 and {MAX_MONTHS}"),
            ));
        }
        Ok(())
    }

    /// The first month of the series.
    pub fn first_month(&self) -> Month {
        Month::of(self.now).minus(self.months - 1)
    }
}

/// A calendar month.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Month {
    /// The year.
    pub year: i32,
    /// The month, 1 to 12.
    pub month: u32,
}

impl Month {
    /// The month `at` falls in (UTC).
    pub fn of(at: DateTime<Utc>) -> Self {
        Self {
            year: at.year(),
            month: at.month(),
        }
    }

    /// The month `n` months before this one.
    pub fn minus(self, n: u32) -> Self {
        let index = self.year * 12 + self.month as i32 - 1 - n as i32;
        Self {
            year: index.div_euclid(12),
            month: index.rem_euclid(12) as u32 + 1,
        }
    }

    /// The month after this one.
    pub fn next(self) -> Self {
        if self.month == 12 {
            Self {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Self {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    /// The first instant of the month.
    pub fn start(self) -> DateTime<Utc> {
        chrono::NaiveDate::from_ymd_opt(self.year, self.month, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|d| d.and_utc())
            .unwrap_or_default()
    }
}

/// How many tickets were opened in one month.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MonthCount {
    /// The month.
    pub month: Month,
    /// How many tickets were opened in it.
    pub opened: u64,
}

/// Satisfaction from approved closures' questionnaires.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Satisfaction {
    /// How many closures were approved with answers.
    pub answered: u64,
    /// The average of the overall score (the first score question), if any.
    pub average_score: Option<f64>,
    /// For each choice question, how many times each option was chosen.
    pub choices: BTreeMap<String, BTreeMap<String, u64>>,
}

/// The whole dashboard.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Dashboard {
    /// Tickets per status; every status is present, zero included.
    pub by_status: BTreeMap<Status, u64>,
    /// Tickets opened per month, oldest first, every month present.
    pub opened_per_month: Vec<MonthCount>,
    /// Satisfaction.
    pub satisfaction: Satisfaction,
    /// How many notifications were given up on (dead letters) in the dashboard's
    /// tenant or tenants, for those who may see them (platform admins, supervisors);
    /// `null` for everyone else. Filled by the service, not the store.
    #[serde(default)]
    pub dead_letters: Option<u64>,
    /// Service levels: compliance per target, open tickets due soon and breached.
    #[serde(default)]
    pub service_levels: ServiceLevelFigures,
}

/// How tickets fared against one service-level target: of the tickets that met it
/// (first response given, or resolved), how many did so by its due date.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Compliance {
    /// Tickets that met the target by its due date.
    pub on_time: u64,
    /// Tickets that met the target, on time or late.
    pub met: u64,
    /// `on_time / met` in percent; `null` when none met it yet.
    pub percent: Option<f64>,
}

impl Compliance {
    /// The figures from the two counts.
    pub fn new(on_time: u64, met: u64) -> Self {
        Self {
            on_time,
            met,
            percent: (met > 0).then(|| on_time as f64 * 100.0 / met as f64),
        }
    }
}

/// The dashboard's service-level figures.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceLevelFigures {
    /// First-response compliance.
    pub first_response: Compliance,
    /// Resolution compliance.
    pub resolution: Compliance,
    /// Open tickets with a target due soon now.
    pub due_soon: u64,
    /// Open tickets with a target breached now.
    pub breached: u64,
}

/// The counts of one line of a [`Breakdown`]: one agent's or one group's tickets.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LineCounts {
    /// Tickets per status; every status is present, zero included.
    pub by_status: BTreeMap<Status, u64>,
    /// How many closures were approved (with answers), as in [`Satisfaction::answered`].
    pub answered: u64,
    /// The average overall score of those closures, if any was scored.
    pub average_score: Option<f64>,
}

impl LineCounts {
    /// Counts with every status at zero.
    pub fn zero() -> Self {
        Self {
            by_status: Status::ALL.into_iter().map(|s| (s, 0)).collect(),
            answered: 0,
            average_score: None,
        }
    }

    /// How many tickets the line holds, all statuses together.
    pub fn tickets(&self) -> u64 {
        self.by_status.values().sum()
    }
}

/// One assignee's line of a [`Breakdown`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgentLine {
    /// The assignee; none for the tickets assigned to nobody.
    pub agent: Option<StaffId>,
    /// The assignee's display name; empty for nobody (and for a staff member no longer
    /// known).
    pub name: String,
    /// Their tickets' counts.
    #[serde(flatten)]
    pub counts: LineCounts,
}

/// One group's line of a [`Breakdown`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GroupLine {
    /// The group; none for the tickets of no group.
    pub group: Option<GroupId>,
    /// The group's name; empty for no group (and for a group no longer known).
    pub name: String,
    /// Its tickets' counts.
    #[serde(flatten)]
    pub counts: LineCounts,
}

/// The dashboard per agent and per group [tableau de bord par agent, par groupe]: the
/// tickets in scope (archived ones included) counted by status and by satisfaction, per
/// assignee and per group, as [`Dashboard::by_status`] and [`Dashboard::satisfaction`]
/// count them all together. Only lines with at least one ticket are listed; the lines of
/// each list add up to the dashboard's counts.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Breakdown {
    /// One line per assignee (and one for unassigned tickets), by name, nobody last.
    pub by_agent: Vec<AgentLine>,
    /// One line per group (and one for tickets of no group), by name, no group last.
    pub by_group: Vec<GroupLine>,
}

impl Breakdown {
    /// Orders the lines as documented: by name, then id, the line of nobody last.
    pub fn sort_lines(&mut self) {
        self.by_agent.sort_by(|a, b| {
            (a.agent.is_none(), &a.name, a.agent).cmp(&(b.agent.is_none(), &b.name, b.agent))
        });
        self.by_group.sort_by(|a, b| {
            (a.group.is_none(), &a.name, a.group).cmp(&(b.group.is_none(), &b.name, b.group))
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_step_across_years() {
        let jan = Month {
            year: 2026,
            month: 1,
        };
        assert_eq!(
            jan.minus(1),
            Month {
                year: 2025,
                month: 12
            }
        );
        assert_eq!(
            jan.minus(13),
            Month {
                year: 2024,
                month: 12
            }
        );
        assert_eq!(
            Month {
                year: 2025,
                month: 12
            }
            .next(),
            jan
        );
        assert_eq!(jan.start().to_rfc3339(), "2026-01-01T00:00:00+00:00");
    }
}
