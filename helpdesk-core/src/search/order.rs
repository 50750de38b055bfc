//! The order of a result list ([`Sort`]: a key and a direction) and the cursor that
//! remembers a position in it.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::ValidationError;
use crate::ids::{TicketId, TicketNumber};
use crate::status::{Priority, Status};
use crate::ticket::Ticket;

/// What a search is sorted by.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SortKey {
    /// The ticket number.
    Number,
    /// The subject, by Unicode code point (so `Zeta` comes before `alpha`).
    Subject,
    /// The status, in workflow order: new, in progress, waiting on the requester,
    /// pending closure, closed, cancelled.
    Status,
    /// The priority: low, normal, high, blocking.
    Priority,
    /// When the ticket was opened (the default).
    #[default]
    Opened,
    /// When the ticket last changed as the caller observes it: requesters and guests see
    /// the last public change, staff every change.
    Updated,
}

impl SortKey {
    /// Every sort key.
    pub const ALL: [SortKey; 6] = [
        SortKey::Number,
        SortKey::Subject,
        SortKey::Status,
        SortKey::Priority,
        SortKey::Opened,
        SortKey::Updated,
    ];

    /// The key's name in queries and serialised criteria.
    pub const fn as_str(self) -> &'static str {
        match self {
            SortKey::Number => "number",
            SortKey::Subject => "subject",
            SortKey::Status => "status",
            SortKey::Priority => "priority",
            SortKey::Opened => "opened",
            SortKey::Updated => "updated",
        }
    }

    const fn code(self) -> char {
        match self {
            SortKey::Number => 'n',
            SortKey::Subject => 's',
            SortKey::Status => 't',
            SortKey::Priority => 'p',
            SortKey::Opened => 'o',
            SortKey::Updated => 'u',
        }
    }
}

impl fmt::Display for SortKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SortKey {
    type Err = ValidationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SortKey::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                ValidationError::new(
                    "sort",
                    "must be one of number, subject, status, priority, opened, updated",
                )
            })
    }
}

/// Ascending or descending.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SortOrder {
    /// Smallest first (oldest, lowest number, `a` before `b`).
    Asc,
    /// Largest first (the default: newest first).
    #[default]
    Desc,
}

impl SortOrder {
    /// The order's name in queries: `asc` or `desc`.
    pub const fn as_str(self) -> &'static str {
        match self {
            SortOrder::Asc => "asc",
            SortOrder::Desc => "desc",
        }
    }

    /// The other direction.
    pub const fn reversed(self) -> Self {
        match self {
            SortOrder::Asc => SortOrder::Desc,
            SortOrder::Desc => SortOrder::Asc,
        }
    }
}

impl fmt::Display for SortOrder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SortOrder {
    type Err = ValidationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "asc" => Ok(SortOrder::Asc),
            "desc" => Ok(SortOrder::Desc),
            _ => Err(ValidationError::new("order", "must be asc or desc")),
        }
    }
}

/// The order of a result list: a key and a direction; ties on the key are broken by the
/// ticket id, in the same direction. The default is newest opened first.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct Sort {
    /// What to sort by.
    pub key: SortKey,
    /// Which way.
    pub order: SortOrder,
}

impl Sort {
    /// A sort by `key` in `order`.
    pub const fn new(key: SortKey, order: SortOrder) -> Self {
        Self { key, order }
    }

    /// The reference order of two tickets under this sort, as a caller who does or does
    /// not [see internal notes](crate::permissions::Scope::sees_internal) observes them: by the key's value,
    /// then by id, both in the sort's direction. Stores must list tickets in this order.
    pub fn compare(self, a: &Ticket, b: &Ticket, sees_internal: bool) -> Ordering {
        let natural = SortValue::of(a, self.key, sees_internal)
            .cmp(&SortValue::of(b, self.key, sees_internal))
            .then_with(|| a.id.cmp(&b.id));
        match self.order {
            SortOrder::Asc => natural,
            SortOrder::Desc => natural.reverse(),
        }
    }
}

/// The value of one ticket under a [`SortKey`]: what a cursor remembers.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum SortValue {
    /// A ticket number.
    Number(TicketNumber),
    /// A subject.
    Subject(String),
    /// A status.
    Status(Status),
    /// A priority.
    Priority(Priority),
    /// An instant: opened or updated.
    At(DateTime<Utc>),
}

impl SortValue {
    /// The value of `ticket` under `key`; `sees_internal` picks the updated time the
    /// caller observes.
    pub fn of(ticket: &Ticket, key: SortKey, sees_internal: bool) -> Self {
        match key {
            SortKey::Number => SortValue::Number(ticket.number),
            SortKey::Subject => SortValue::Subject(ticket.subject.clone()),
            SortKey::Status => SortValue::Status(ticket.status()),
            SortKey::Priority => SortValue::Priority(ticket.priority),
            SortKey::Opened => SortValue::At(ticket.created_at),
            SortKey::Updated => SortValue::At(if sees_internal {
                ticket.updated_at
            } else {
                ticket.public_updated_at
            }),
        }
    }

    /// Whether this value is of the kind `key` sorts on.
    fn fits(&self, key: SortKey) -> bool {
        matches!(
            (self, key),
            (SortValue::Number(_), SortKey::Number)
                | (SortValue::Subject(_), SortKey::Subject)
                | (SortValue::Status(_), SortKey::Status)
                | (SortValue::Priority(_), SortKey::Priority)
                | (SortValue::At(_), SortKey::Opened | SortKey::Updated)
        )
    }
}

/// A position in a result list: the last ticket of the previous page, under the sort the
/// page was listed with. Sent to clients as an opaque string; a cursor is refused under
/// any other sort.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cursor {
    /// The sort the cursor was issued under.
    pub sort: Sort,
    /// The last ticket's value under the sort's key.
    pub value: SortValue,
    /// Its id, to break ties.
    pub id: TicketId,
}

impl Cursor {
    /// The cursor just after `ticket` under `sort`, for a caller who does or does not
    /// see internal notes.
    pub fn after(ticket: &Ticket, sort: Sort, sees_internal: bool) -> Self {
        Self {
            sort,
            value: SortValue::of(ticket, sort.key, sees_internal),
            id: ticket.id,
        }
    }

    /// Whether `ticket` comes after this cursor in its sort.
    pub fn precedes(&self, ticket: &Ticket, sees_internal: bool) -> bool {
        let natural = SortValue::of(ticket, self.sort.key, sees_internal)
            .cmp(&self.value)
            .then_with(|| ticket.id.cmp(&self.id));
        match self.sort.order {
            SortOrder::Asc => natural == Ordering::Greater,
            SortOrder::Desc => natural == Ordering::Less,
        }
    }

    /// Refuses a cursor issued under another sort than `sort`.
    pub fn check(&self, sort: Sort) -> Result<(), ValidationError> {
        if self.sort == sort && self.value.fits(sort.key) {
            Ok(())
        } else {
            Err(ValidationError::new(
                "cursor",
                format!(
                    "was issued for the sort {} {}, not {} {}",
                    self.sort.key, self.sort.order, sort.key, sort.order
                ),
            ))
        }
    }
}

fn nanos_of(at: DateTime<Utc>) -> i64 {
    at.timestamp_nanos_opt().unwrap_or(i64::MAX)
}

impl fmt::Display for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let order = match self.sort.order {
            SortOrder::Asc => 'a',
            SortOrder::Desc => 'd',
        };
        write!(
            f,
            "{}{}.{}.",
            self.sort.key.code(),
            order,
            self.id.as_uuid().simple()
        )?;
        match &self.value {
            SortValue::Number(n) => write!(f, "{}", n.get()),
            // Hexadecimal UTF-8: the cursor stays safe in a URL whatever the subject.
            SortValue::Subject(s) => s.bytes().try_for_each(|b| write!(f, "{b:02x}")),
            SortValue::Status(s) => f.write_str(s.as_str()),
            SortValue::Priority(p) => f.write_str(p.as_str()),
            // Nanoseconds: stores keep them, and two tickets opened in the same
            // microsecond must not share a position.
            SortValue::At(at) => write!(f, "{}", nanos_of(*at)),
        }
    }
}

impl FromStr for Cursor {
    type Err = ValidationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || ValidationError::new("cursor", "is not a cursor this helpdesk issued");
        let mut parts = s.splitn(3, '.');
        let (Some(head), Some(second)) = (parts.next(), parts.next()) else {
            return Err(bad());
        };
        let Some(value) = parts.next() else {
            // The earlier form, `nanos.id`: newest opened first.
            let nanos: i64 = head.parse().map_err(|_| bad())?;
            let id = uuid::Uuid::try_parse(second).map_err(|_| bad())?;
            return Ok(Self {
                sort: Sort::default(),
                value: SortValue::At(DateTime::from_timestamp_nanos(nanos)),
                id: TicketId::from_uuid(id),
            });
        };
        let mut codes = head.chars();
        let (Some(key), Some(order), None) = (codes.next(), codes.next(), codes.next()) else {
            return Err(bad());
        };
        let key = SortKey::ALL
            .into_iter()
            .find(|k| k.code() == key)
            .ok_or_else(bad)?;
        let order = match order {
            'a' => SortOrder::Asc,
            'd' => SortOrder::Desc,
            _ => return Err(bad()),
        };
        let id = uuid::Uuid::try_parse(second).map_err(|_| bad())?;
        let value = match key {
            SortKey::Number => {
                SortValue::Number(TicketNumber::new(value.parse::<u64>().map_err(|_| bad())?))
            }
            SortKey::Subject => {
                if value.len() % 2 != 0 || !value.is_ascii() {
                    return Err(bad());
                }
                let bytes = (0..value.len())
                    .step_by(2)
                    .map(|i| u8::from_str_radix(&value[i..i + 2], 16))
                    .collect::<Result<Vec<u8>, _>>()
                    .map_err(|_| bad())?;
                SortValue::Subject(String::from_utf8(bytes).map_err(|_| bad())?)
            }
            SortKey::Status => SortValue::Status(value.parse().map_err(|_| bad())?),
            SortKey::Priority => SortValue::Priority(value.parse().map_err(|_| bad())?),
            SortKey::Opened | SortKey::Updated => SortValue::At(DateTime::from_timestamp_nanos(
                value.parse::<i64>().map_err(|_| bad())?,
            )),
        };
        Ok(Self {
            sort: Sort::new(key, order),
            value,
            id: TicketId::from_uuid(id),
        })
    }
}
