//! Canonical ticket statuses and priorities.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::ValidationError;

/// The canonical state of a ticket. Each tenant may relabel them per language
/// (see [`StatusLabels`](crate::StatusLabels)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Just opened, nobody has taken it yet [A traiter, Nouveau, Libre, Enregistré].
    New,
    /// Someone is working on it [En cours].
    InProgress,
    /// Support waits for the requester [Client, demande de complément].
    WaitingOnRequester,
    /// Support proposed a solution; the requester approves or refuses it [Clôture à valider].
    PendingClosure,
    /// Done [Clôturée, Conflit réglé].
    Closed,
    /// Withdrawn before it was solved \[Annulée\].
    Cancelled,
}

impl Status {
    /// Every status, in workflow order.
    pub const ALL: [Status; 6] = [
        Status::New,
        Status::InProgress,
        Status::WaitingOnRequester,
        Status::PendingClosure,
        Status::Closed,
        Status::Cancelled,
    ];

    /// The open states: a ticket in one of them still accepts replies and edits.
    pub const OPEN: [Status; 4] = [
        Status::New,
        Status::InProgress,
        Status::WaitingOnRequester,
        Status::PendingClosure,
    ];

    /// Whether the ticket is still open (not closed, not cancelled).
    pub const fn is_open(self) -> bool {
        !matches!(self, Status::Closed | Status::Cancelled)
    }

    /// The status's stable name, in snake case.
    pub const fn as_str(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::InProgress => "in_progress",
            Status::WaitingOnRequester => "waiting_on_requester",
            Status::PendingClosure => "pending_closure",
            Status::Closed => "closed",
            Status::Cancelled => "cancelled",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Status {
    type Err = ValidationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Status::ALL
            .into_iter()
            .find(|status| status.as_str() == s)
            .ok_or_else(|| {
                ValidationError::coded(
                    "status",
                    crate::error::ReasonCode::UnknownValue,
                    format!("unknown status `{s}`"),
                )
            })
    }
}

/// How urgent a ticket is.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    /// For the record, no hurry \[Faible\].
    Low,
    /// The default \[Normal\].
    #[default]
    Normal,
    /// Soon \[Haute\].
    High,
    /// The requester can no longer work \[Bloquant\].
    Blocking,
}

impl Priority {
    /// Every priority, lowest first.
    pub const ALL: [Priority; 4] = [
        Priority::Low,
        Priority::Normal,
        Priority::High,
        Priority::Blocking,
    ];

    /// The priority's stable name, in snake case.
    pub const fn as_str(self) -> &'static str {
        match self {
            Priority::Low => "low",
            Priority::Normal => "normal",
            Priority::High => "high",
            Priority::Blocking => "blocking",
        }
    }
}

impl fmt::Display for Priority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Priority {
    type Err = ValidationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Priority::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| {
                ValidationError::coded(
                    "priority",
                    crate::error::ReasonCode::UnknownValue,
                    format!("unknown priority `{s}`"),
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for status in Status::ALL {
            assert_eq!(status.as_str().parse::<Status>().ok(), Some(status));
        }
        for priority in Priority::ALL {
            assert_eq!(priority.as_str().parse::<Priority>().ok(), Some(priority));
        }
        assert!("archived".parse::<Status>().is_err());
    }

    #[test]
    fn only_closed_and_cancelled_are_not_open() {
        let open: Vec<_> = Status::ALL.into_iter().filter(|s| s.is_open()).collect();
        assert_eq!(open, Status::OPEN);
    }
}
