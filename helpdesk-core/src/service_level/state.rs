//! Where a ticket stands against its targets at a given instant.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::arithmetic::BusinessTimeError;
use super::due::TicketTimes;
use super::policy::ServiceLevelPolicy;

/// Where one target stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SlaStatus {
    /// Not yet met, and more working time than the policy's warning is left.
    OnTime,
    /// Not yet met, and less working time than the policy's warning is left.
    DueSoon,
    /// The clock is stopped: the ticket waits on its requester (resolution only).
    Paused,
    /// The due date passed before the target was met, or it was met late.
    Breached,
    /// Met by the due date.
    Met,
}

/// One target's due date and where it stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TargetState {
    /// When the target is due.
    pub due: DateTime<Utc>,
    /// Where it stands.
    pub status: SlaStatus,
}

/// Where a ticket stands against each of its targets at an instant; `None` for a
/// target its priority does not have.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SlaState {
    /// The first response: met by staff's first public reply or request for
    /// information.
    pub first_response: Option<TargetState>,
    /// The resolution.
    pub resolution: Option<TargetState>,
}

impl ServiceLevelPolicy {
    /// Where `ticket` stands at `now` (events after `now` are ignored). A target met at
    /// its due date exactly is met; one not met is breached once `now` is past its due
    /// date.
    pub fn state(
        &self,
        ticket: &TicketTimes,
        now: DateTime<Utc>,
    ) -> Result<SlaState, BusinessTimeError> {
        let due = self.due_dates(ticket, now)?;
        let waiting = ticket
            .pauses
            .iter()
            .any(|pause| pause.from <= now && pause.until.is_none_or(|until| until > now));
        let first_response = due
            .first_response
            .map(|due| self.target_state(due, ticket.responded_by(now), false, now))
            .transpose()?;
        let resolution = due
            .resolution
            .map(|due| self.target_state(due, ticket.resolved_by(now), waiting, now))
            .transpose()?;
        Ok(SlaState {
            first_response,
            resolution,
        })
    }

    fn target_state(
        &self,
        due: DateTime<Utc>,
        met_at: Option<DateTime<Utc>>,
        paused: bool,
        now: DateTime<Utc>,
    ) -> Result<TargetState, BusinessTimeError> {
        let status = match met_at {
            Some(met) if met <= due => SlaStatus::Met,
            Some(_) => SlaStatus::Breached,
            None if now > due => SlaStatus::Breached,
            None if paused => SlaStatus::Paused,
            None => {
                let left = self.calendar.business_time_between(now, due)?;
                if left < self.due_soon.duration() {
                    SlaStatus::DueSoon
                } else {
                    SlaStatus::OnTime
                }
            }
        };
        Ok(TargetState { due, status })
    }
}
