//! What a person may choose not to be told about: the kinds of event, grouped as a
//! person thinks of them ("replies", "closure"), each of which they may mute for
//! themself. The people concerned by a ticket are still computed the same way
//! ([`recipients`](crate::recipients)); a muted topic only leaves that person out of the
//! messages about its events.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{ReasonCode, ValidationError};
use crate::timeline::EventKind;

/// A kind of event a person may mute.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum NotificationTopic {
    /// A ticket was opened (for staff: a new ticket in their group or for them).
    Opened,
    /// A public reply.
    Replies,
    /// An internal note (staff only ever receive these).
    Notes,
    /// Support asked the requester for more information.
    InformationRequests,
    /// A closure: proposed, approved (by the requester or automatically), refused, or
    /// done directly by staff.
    Closure,
    /// A ticket was cancelled or reopened.
    CancelAndReopen,
    /// The ticket changed hands: assigned, moved to another category, given to another
    /// requester.
    Assignment,
    /// A field was edited or a guest invited.
    Changes,
    /// A service-level target was breached (staff only ever receive these).
    Escalations,
}

impl NotificationTopic {
    /// Every topic, in the order pages list them.
    pub const ALL: [NotificationTopic; 9] = [
        NotificationTopic::Opened,
        NotificationTopic::Replies,
        NotificationTopic::Notes,
        NotificationTopic::InformationRequests,
        NotificationTopic::Closure,
        NotificationTopic::CancelAndReopen,
        NotificationTopic::Assignment,
        NotificationTopic::Changes,
        NotificationTopic::Escalations,
    ];

    /// The topic an event belongs to.
    pub fn of(kind: &EventKind) -> NotificationTopic {
        match kind {
            EventKind::Opened => NotificationTopic::Opened,
            EventKind::Replied { .. } => NotificationTopic::Replies,
            EventKind::NoteAdded { .. } => NotificationTopic::Notes,
            EventKind::InformationRequested { .. } => NotificationTopic::InformationRequests,
            EventKind::ClosureProposed { .. }
            | EventKind::ClosedDirectly { .. }
            | EventKind::ClosureApproved { .. }
            | EventKind::ClosureRefused { .. }
            | EventKind::ClosureAutoApproved => NotificationTopic::Closure,
            EventKind::Cancelled { .. } | EventKind::Reopened { .. } => {
                NotificationTopic::CancelAndReopen
            }
            EventKind::Assigned { .. }
            | EventKind::CategoryMoved { .. }
            | EventKind::RequesterReassigned { .. } => NotificationTopic::Assignment,
            EventKind::FieldEdited { .. } | EventKind::GuestInvited { .. } => {
                NotificationTopic::Changes
            }
            EventKind::ServiceLevelBreached { .. } => NotificationTopic::Escalations,
        }
    }

    /// The topic's stable name, as serialised and stored.
    pub fn as_str(self) -> &'static str {
        match self {
            NotificationTopic::Opened => "opened",
            NotificationTopic::Replies => "replies",
            NotificationTopic::Notes => "notes",
            NotificationTopic::InformationRequests => "information_requests",
            NotificationTopic::Closure => "closure",
            NotificationTopic::CancelAndReopen => "cancel_and_reopen",
            NotificationTopic::Assignment => "assignment",
            NotificationTopic::Changes => "changes",
            NotificationTopic::Escalations => "escalations",
        }
    }

    /// Whether members (requesters, guests) can ever be told about this topic: internal
    /// notes and escalations go to staff only.
    pub fn reaches_members(self) -> bool {
        !matches!(
            self,
            NotificationTopic::Notes | NotificationTopic::Escalations
        )
    }
}

impl fmt::Display for NotificationTopic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for NotificationTopic {
    type Err = ValidationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        NotificationTopic::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| {
                ValidationError::coded(
                    "muted",
                    ReasonCode::UnknownValue,
                    format!(
                        "unknown notification topic `{}`: use one of {}",
                        s.escape_debug(),
                        NotificationTopic::ALL
                            .map(NotificationTopic::as_str)
                            .join(", ")
                    ),
                )
            })
    }
}

/// The topics a person muted, as a set (no repeats, in a stable order).
pub type MutedTopics = BTreeSet<NotificationTopic>;

/// Reads muted topics as stored: their names separated by commas, blank for none. An
/// unknown name (written by a later version) is skipped rather than refused, so a
/// downgrade never locks anyone out of their record.
pub fn parse_muted(stored: &str) -> MutedTopics {
    stored
        .split(',')
        .map(str::trim)
        .filter_map(|name| name.parse().ok())
        .collect()
}

/// Writes muted topics as stored: their names separated by commas.
pub fn format_muted(muted: &MutedTopics) -> String {
    muted
        .iter()
        .map(|t| t.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_topic_reads_back_from_its_name() {
        for topic in NotificationTopic::ALL {
            assert_eq!(
                topic.as_str().parse::<NotificationTopic>().ok(),
                Some(topic)
            );
            let json = serde_json::to_string(&topic).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", topic.as_str()));
        }
    }

    #[test]
    fn an_unknown_topic_is_refused_with_its_field() {
        match "everything".parse::<NotificationTopic>() {
            Err(err) => {
                assert_eq!(err.field, "muted");
                assert_eq!(err.code, ReasonCode::UnknownValue);
            }
            Ok(topic) => panic!("`everything` read as {topic}"),
        }
    }

    #[test]
    fn stored_lists_round_trip_and_skip_unknown_names() {
        let muted: MutedTopics = [NotificationTopic::Changes, NotificationTopic::Opened].into();
        assert_eq!(format_muted(&muted), "opened,changes");
        assert_eq!(parse_muted("opened,changes"), muted);
        assert_eq!(parse_muted(""), MutedTopics::new());
        assert_eq!(parse_muted("opened, later_kind ,changes"), muted);
    }
}
