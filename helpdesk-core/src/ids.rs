//! Identifiers: one newtype per entity, so a ticket id can never be passed where a
//! member id is expected.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// A fresh, time-ordered identifier (UUID v7).
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }

            /// Wraps an existing UUID, as read back from storage.
            pub const fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            /// The UUID inside.
            pub const fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }

        impl From<$name> for Uuid {
            fn from(id: $name) -> Uuid {
                id.0
            }
        }
    };
}

uuid_id!(
    /// Identifies a [`Tenant`](crate::Tenant).
    TenantId
);
uuid_id!(
    /// Identifies a [`Member`](crate::Member) of one tenant.
    MemberId
);
uuid_id!(
    /// Identifies a member of the support [`Staff`](crate::Staff).
    StaffId
);
uuid_id!(
    /// Identifies a [`Group`](crate::Group) of support staff.
    GroupId
);
uuid_id!(
    /// Identifies a [`Category`](crate::Category).
    CategoryId
);
uuid_id!(
    /// Identifies a [`Product`](crate::Product).
    ProductId
);
uuid_id!(
    /// Identifies a [`Ticket`](crate::Ticket) across all tenants.
    TicketId
);
uuid_id!(
    /// Identifies a [`TimelineEvent`](crate::TimelineEvent).
    EventId
);
uuid_id!(
    /// Identifies an [`Attachment`](crate::Attachment).
    AttachmentId
);
uuid_id!(
    /// Identifies a [`SavedSearch`](crate::SavedSearch).
    SavedSearchId
);
uuid_id!(
    /// Identifies a knowledge-base [`Article`](crate::Article).
    ArticleId
);
uuid_id!(
    /// Identifies an [`OutboxMessage`](crate::OutboxMessage).
    OutboxId
);
uuid_id!(
    /// Identifies a tenant's [`Webhook`](crate::Webhook) endpoint.
    WebhookId
);

/// The human ticket number [n° de ticket], unique and sequential within one tenant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(format = "uint64"))]
#[serde(transparent)]
pub struct TicketNumber(u64);

impl TicketNumber {
    /// The first number a tenant hands out.
    pub const FIRST: TicketNumber = TicketNumber(1);

    /// Wraps a number read back from storage or typed by a user.
    pub const fn new(n: u64) -> Self {
        Self(n)
    }

    /// The number as an integer.
    pub const fn get(self) -> u64 {
        self.0
    }

    /// The number after this one.
    pub const fn next(self) -> Self {
        Self(self.0 + 1)
    }
}

impl fmt::Display for TicketNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromStr for TicketNumber {
    type Err = std::num::ParseIntError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.trim().trim_start_matches('#').parse().map(Self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_their_text_form() {
        let id = TicketId::new();
        assert_eq!(id.to_string().parse::<TicketId>().ok(), Some(id));
        assert!("not-a-uuid".parse::<TicketId>().is_err());
    }

    #[test]
    fn ticket_numbers_parse_with_or_without_hash() {
        assert_eq!(
            "#55853".parse::<TicketNumber>().ok(),
            Some(TicketNumber::new(55853))
        );
        assert_eq!(
            " 12 ".parse::<TicketNumber>().ok(),
            Some(TicketNumber::new(12))
        );
        assert!("abc".parse::<TicketNumber>().is_err());
    }
}
