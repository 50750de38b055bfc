//! Search [recherche, critères]: the criteria every list and export uses, cursor
//! pagination, and saved criteria per user.
//!
//! [`SearchQuery::matches_fields`] with [`contains_all`] is the reference meaning of a search. Stores answer in SQL;
//! the conformance suite checks that they return exactly what this function accepts.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::ValidationError;
use crate::ids::{
    CategoryId, GroupId, MemberId, ProductId, SavedSearchId, StaffId, TenantId, TicketId,
    TicketNumber,
};
use crate::people::UserId;
use crate::permissions::Scope;
use crate::status::{Priority, Status};
use crate::text::{single_line, words};
use crate::ticket::Ticket;

/// The most tickets one page holds.
pub const MAX_PAGE_SIZE: u32 = 200;
/// The page size when none is asked.
pub const DEFAULT_PAGE_SIZE: u32 = 50;
/// The most words a `contains` search may hold.
pub const MAX_CONTAINS_WORDS: usize = 10;

/// What to look for. Every field narrows the result; empty lists mean "any".
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct SearchCriteria {
    /// Only this tenant.
    pub tenant: Option<TenantId>,
    /// The ticket with this number.
    pub number: Option<TicketNumber>,
    /// Only these statuses; empty means the open ones, plus closed and cancelled when
    /// `include_closed` is set.
    pub statuses: Vec<Status>,
    /// Only these priorities.
    pub priorities: Vec<Priority>,
    /// Only these categories.
    pub categories: Vec<CategoryId>,
    /// Only these products.
    pub products: Vec<ProductId>,
    /// Only this requester's tickets.
    pub requester: Option<MemberId>,
    /// Only tickets assigned to this staff member.
    pub assignee: Option<StaffId>,
    /// Only tickets of this group.
    pub group: Option<GroupId>,
    /// Opened at or after.
    pub opened_from: Option<DateTime<Utc>>,
    /// Opened before.
    pub opened_to: Option<DateTime<Utc>>,
    /// Changed at or after.
    pub updated_from: Option<DateTime<Utc>>,
    /// Changed before.
    pub updated_to: Option<DateTime<Utc>>,
    /// Words that must all appear (as word prefixes, accents and case folded) in the
    /// subject, description or public replies; staff also match internal notes. Commas
    /// and spaces separate words.
    pub contains: Option<String>,
    /// Also closed and cancelled tickets, when `statuses` is empty.
    pub include_closed: bool,
    /// Also archived tickets (closed or cancelled for longer than the tenant's archive
    /// delay).
    pub include_archived: bool,
}

impl SearchCriteria {
    /// Checks the criteria: date ranges in order, at most [`MAX_CONTAINS_WORDS`] words.
    pub fn check(&self) -> Result<(), ValidationError> {
        if let (Some(from), Some(to)) = (self.opened_from, self.opened_to)
            && from > to
        {
            return Err(ValidationError::new(
                "opened_from",
                "must be before opened_to",
            ));
        }
        if let (Some(from), Some(to)) = (self.updated_from, self.updated_to)
            && from > to
        {
            return Err(ValidationError::new(
                "updated_from",
                "must be before updated_to",
            ));
        }
        if self.contains_words().len() > MAX_CONTAINS_WORDS {
            return Err(ValidationError::new(
                "contains",
                format!("at most {MAX_CONTAINS_WORDS} words"),
            ));
        }
        Ok(())
    }

    /// The folded words of `contains`.
    pub fn contains_words(&self) -> Vec<String> {
        self.contains.as_deref().map(words).unwrap_or_default()
    }

    /// The statuses this search admits.
    pub fn effective_statuses(&self) -> Vec<Status> {
        if !self.statuses.is_empty() {
            let mut s = self.statuses.clone();
            s.sort();
            s.dedup();
            s
        } else if self.include_closed {
            Status::ALL.to_vec()
        } else {
            Status::OPEN.to_vec()
        }
    }
}

/// A position in a result list: the last ticket of the previous page. Sent to clients as
/// an opaque string.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cursor {
    /// When the last ticket was opened.
    pub created_at: DateTime<Utc>,
    /// Its id, to break ties.
    pub id: TicketId,
}

impl Cursor {
    /// The cursor just after `ticket`.
    pub fn after(ticket: &Ticket) -> Self {
        Self {
            created_at: ticket.created_at,
            id: ticket.id,
        }
    }

    /// Whether `ticket` comes after this cursor in the newest-first order.
    pub fn precedes(&self, ticket: &Ticket) -> bool {
        (ticket.created_at, ticket.id) < (self.created_at, self.id)
    }
}

impl fmt::Display for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Nanoseconds: stores keep them, and two tickets opened in the same microsecond
        // must not share a position.
        let nanos = self.created_at.timestamp_nanos_opt().unwrap_or(i64::MAX);
        write!(f, "{}.{}", nanos, self.id.as_uuid().simple())
    }
}

impl FromStr for Cursor {
    type Err = ValidationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || ValidationError::new("cursor", "is not a cursor this helpdesk issued");
        let (nanos_text, id) = s.split_once('.').ok_or_else(bad)?;
        let nanos: i64 = nanos_text.parse().map_err(|_| bad())?;
        let created_at = DateTime::from_timestamp_nanos(nanos);
        let id = uuid::Uuid::try_parse(id).map_err(|_| bad())?;
        Ok(Self {
            created_at,
            id: TicketId::from_uuid(id),
        })
    }
}

/// Which page to return.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageRequest {
    /// At most this many tickets, 1 to [`MAX_PAGE_SIZE`].
    pub limit: u32,
    /// Start after this cursor; none starts from the newest.
    pub after: Option<Cursor>,
}

impl Default for PageRequest {
    fn default() -> Self {
        Self {
            limit: DEFAULT_PAGE_SIZE,
            after: None,
        }
    }
}

impl PageRequest {
    /// Checks the limit.
    pub fn check(&self) -> Result<(), ValidationError> {
        if self.limit == 0 || self.limit > MAX_PAGE_SIZE {
            return Err(ValidationError::new(
                "limit",
                format!("must be between 1 and {MAX_PAGE_SIZE}"),
            ));
        }
        Ok(())
    }
}

/// One search as a store runs it: who asks (as a scope), what, which page, and when
/// (archiving depends on the time).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SearchQuery {
    /// The tickets the caller may see.
    pub scope: Scope,
    /// What to look for.
    pub criteria: SearchCriteria,
    /// Which page.
    pub page: PageRequest,
    /// Now.
    pub now: DateTime<Utc>,
}

impl SearchQuery {
    /// The reference meaning of a search on everything but `contains` and archiving,
    /// which need the timeline and the tenant: whether `ticket` passes scope, filters and
    /// cursor.
    pub fn matches_fields(&self, ticket: &Ticket) -> bool {
        let c = &self.criteria;
        // Those who do not see internal notes search on the updated time they observe.
        let updated_at = if self.scope.sees_internal() {
            ticket.updated_at
        } else {
            ticket.public_updated_at
        };
        self.scope.admits(ticket)
            && c.tenant.is_none_or(|t| t == ticket.tenant)
            && c.number.is_none_or(|n| n == ticket.number)
            && c.effective_statuses().contains(&ticket.status())
            && (c.priorities.is_empty() || c.priorities.contains(&ticket.priority))
            && (c.categories.is_empty()
                || ticket.category.is_some_and(|x| c.categories.contains(&x)))
            && (c.products.is_empty() || ticket.product.is_some_and(|x| c.products.contains(&x)))
            && c.requester.is_none_or(|r| r == ticket.requester)
            && c.assignee.is_none_or(|a| Some(a) == ticket.assignee)
            && c.group.is_none_or(|g| Some(g) == ticket.group)
            && c.opened_from.is_none_or(|t| ticket.created_at >= t)
            && c.opened_to.is_none_or(|t| ticket.created_at < t)
            && c.updated_from.is_none_or(|t| updated_at >= t)
            && c.updated_to.is_none_or(|t| updated_at < t)
            && self.page.after.is_none_or(|cursor| cursor.precedes(ticket))
    }
}

/// Whether every query word is a prefix of some word of `text_words`: the meaning of
/// `contains`.
pub fn contains_all(query_words: &[String], text_words: &[String]) -> bool {
    query_words
        .iter()
        .all(|q| text_words.iter().any(|w| w.starts_with(q.as_str())))
}

/// The folded words `contains` is matched against for `ticket`: its subject, its
/// description and the bodies of its public events, plus internal notes when
/// `include_internal`.
pub fn searchable_words(
    ticket: &Ticket,
    timeline: &[crate::TimelineEvent],
    include_internal: bool,
) -> Vec<String> {
    let mut out = words(&ticket.subject);
    out.extend(words(&ticket.description.to_plain_text()));
    for event in timeline {
        if (include_internal || event.visibility() == crate::Visibility::Public)
            && let Some(body) = event.body()
        {
            out.extend(words(&body.to_plain_text()));
        }
    }
    out
}

/// One page of results, newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SearchPage {
    /// The tickets.
    pub tickets: Vec<Ticket>,
    /// Where the next page starts, when more tickets follow.
    #[serde(serialize_with = "serialize_cursor")]
    pub next: Option<Cursor>,
}

pub(crate) fn serialize_cursor<S: serde::Serializer>(
    cursor: &Option<Cursor>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match cursor {
        Some(c) => s.serialize_some(&c.to_string()),
        None => s.serialize_none(),
    }
}

/// Criteria a user saved under a name [sauvegarder les critères].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SavedSearch {
    /// The saved search's id.
    pub id: SavedSearchId,
    /// The host user who saved it.
    pub owner: UserId,
    /// The tenant it was saved in, for members; none for staff.
    pub tenant: Option<TenantId>,
    /// Its name.
    pub name: String,
    /// The criteria.
    pub criteria: SearchCriteria,
    /// When it was saved.
    pub created_at: DateTime<Utc>,
}

impl SavedSearch {
    /// Checks a saved search's name.
    pub fn check_name(name: &str) -> Result<String, ValidationError> {
        single_line("name", name, 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_forgeries_are_refused() {
        let cursor = Cursor {
            created_at: DateTime::from_timestamp_nanos(1_700_000_000_123_456_789),
            id: TicketId::new(),
        };
        assert_eq!(cursor.to_string().parse::<Cursor>().ok(), Some(cursor));
        for forged in [
            "",
            "abc",
            "1.2",
            "99999999999999999999.x",
            "1.'; drop table",
        ] {
            assert!(forged.parse::<Cursor>().is_err(), "{forged}");
        }
    }

    #[test]
    fn contains_matches_word_prefixes() {
        let text = words("L'imprimante du 2e étage");
        assert!(contains_all(&words("imprim etage"), &text));
        assert!(!contains_all(&words("imprimante scanner"), &text));
        assert!(contains_all(&[], &text));
    }

    #[test]
    fn default_statuses_hide_closed_and_cancelled() {
        let mut c = SearchCriteria::default();
        assert_eq!(c.effective_statuses(), Status::OPEN);
        c.include_closed = true;
        assert_eq!(c.effective_statuses(), Status::ALL);
        c.statuses = vec![Status::Closed];
        assert_eq!(c.effective_statuses(), [Status::Closed]);
    }
}
