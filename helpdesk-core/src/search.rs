//! Search [recherche, critères]: the criteria every list and export uses, cursor
//! pagination, and saved criteria per user.
//!
//! [`SearchQuery::matches_fields`] with [`contains_all`] is the reference meaning of a search. Stores answer in SQL;
//! the conformance suite checks that they return exactly what this function accepts.

use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::ValidationError;
use crate::ids::{
    CategoryId, GroupId, MemberId, ProductId, SavedSearchId, StaffId, TenantId, TicketNumber,
};
use crate::people::UserId;
use crate::permissions::Scope;
use crate::status::{Priority, Status};
use crate::text::{single_line, words};
use crate::ticket::Ticket;

mod order;

pub use order::{Cursor, Sort, SortKey, SortOrder, SortValue};

/// The most tickets one page holds.
pub const MAX_PAGE_SIZE: u32 = 200;
/// The page size when none is asked.
pub const DEFAULT_PAGE_SIZE: u32 = 50;
/// The most words a `contains` search may hold.
pub const MAX_CONTAINS_WORDS: usize = 10;
/// How far a search counts its matches by default ([`Count::default`]): a list shows
/// "1,000 tickets" exactly, and "more than 1,000" beyond, so a page never waits on
/// counting a whole tenant.
pub const TOTAL_CAP: u64 = 1_000;

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
    /// The order of the results; newest opened first unless asked. A page's cursor is
    /// only valid under the sort it was issued for.
    pub sort: Sort,
    /// Only tickets with a service-level target due soon, or breached, at the time of
    /// the search.
    pub sla: Option<SlaFilter>,
}

/// Where a ticket's service levels stand, as a search criterion.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SlaFilter {
    /// A target not yet met has less working time left than the tenant's warning.
    DueSoon,
    /// A target's due date passed before it was met (or it was met late).
    Breached,
}

impl SlaFilter {
    /// The target status this filter selects.
    pub fn status(self) -> crate::service_level::SlaStatus {
        match self {
            SlaFilter::DueSoon => crate::service_level::SlaStatus::DueSoon,
            SlaFilter::Breached => crate::service_level::SlaStatus::Breached,
        }
    }

    /// The filter's name in query strings.
    pub fn as_str(self) -> &'static str {
        match self {
            SlaFilter::DueSoon => "due_soon",
            SlaFilter::Breached => "breached",
        }
    }
}

impl FromStr for SlaFilter {
    type Err = ValidationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "due_soon" => Ok(SlaFilter::DueSoon),
            "breached" => Ok(SlaFilter::Breached),
            _ => Err(ValidationError::coded(
                "sla",
                crate::error::ReasonCode::InvalidFormat,
                "use due_soon or breached",
            )),
        }
    }
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

/// Which page to return.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageRequest {
    /// At most this many tickets, 1 to [`MAX_PAGE_SIZE`].
    pub limit: u32,
    /// Start after this cursor; none starts from the first ticket of the sort. The
    /// cursor must have been issued under the search's [`Sort`].
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
    /// How far to count the matches for [`SearchPage::total`].
    pub count: Count,
}

/// How far a search counts its matches, for [`SearchPage::total`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Count {
    /// Count at most this many: beyond, the total is [`Total::MoreThan`] it.
    UpTo(u64),
    /// Do not count ([`Total::NotCounted`]): for callers that show no total, such as an
    /// export walking every page.
    Skip,
}

impl Default for Count {
    /// Up to [`TOTAL_CAP`].
    fn default() -> Self {
        Count::UpTo(TOTAL_CAP)
    }
}

impl Count {
    /// The total of a search that found `found` matches, counting at most one more than
    /// the cap (what a store needs to know that there are more): exact up to the cap,
    /// [`Total::MoreThan`] the cap beyond.
    pub fn total(self, found: u64) -> Total {
        match self {
            Count::UpTo(cap) if found > cap => Total::MoreThan(cap),
            Count::UpTo(_) => Total::Exact(found),
            Count::Skip => Total::NotCounted,
        }
    }

    /// How many rows a store reads at most to count: one more than the cap, or none.
    pub fn rows_to_read(self) -> Option<u64> {
        match self {
            Count::UpTo(cap) => Some(cap.saturating_add(1)),
            Count::Skip => None,
        }
    }
}

/// How many tickets match a search in the caller's scope, on every page (the cursor
/// left aside), as far as it was counted ([`Count`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Total {
    /// Exactly this many.
    Exact(u64),
    /// More than this many: the count stopped at the query's cap.
    MoreThan(u64),
    /// Not counted: the query asked for [`Count::Skip`].
    NotCounted,
}

impl Total {
    /// The count and whether it is exact, as pages and the JSON API show it: `(n, false)`
    /// means more than `n`. [`Total::NotCounted`] is `(0, false)`.
    pub fn shown(self) -> (u64, bool) {
        match self {
            Total::Exact(n) => (n, true),
            Total::MoreThan(n) => (n, false),
            Total::NotCounted => (0, false),
        }
    }
}

impl SearchQuery {
    /// Whether the caller sees internal notes: it decides which updated time they
    /// observe and whether notes are searched.
    pub fn sees_internal(&self) -> bool {
        self.scope.sees_internal()
    }

    /// Refuses a cursor issued under another sort than the criteria's.
    pub fn check_cursor(&self) -> Result<(), ValidationError> {
        match &self.page.after {
            Some(cursor) => cursor.check(self.criteria.sort),
            None => Ok(()),
        }
    }

    /// The cursor just after `ticket` in this search's sort.
    pub fn cursor_after(&self, ticket: &Ticket) -> Cursor {
        Cursor::after(ticket, self.criteria.sort, self.sees_internal())
    }

    /// The reference meaning of a search on everything but `contains` and archiving,
    /// which need the timeline and the tenant: whether `ticket` passes scope, filters and
    /// cursor.
    pub fn matches_fields(&self, ticket: &Ticket) -> bool {
        self.matches_filters(ticket)
            && self
                .page
                .after
                .as_ref()
                .is_none_or(|cursor| cursor.precedes(ticket, self.sees_internal()))
    }

    /// [`matches_fields`](Self::matches_fields) without the cursor: whether `ticket`
    /// counts in the search's [`total`](SearchPage::total).
    pub fn matches_filters(&self, ticket: &Ticket) -> bool {
        let c = &self.criteria;
        // Those who do not see internal notes search on the updated time they observe.
        let updated_at = if self.sees_internal() {
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
            && c.sla
                .is_none_or(|f| ticket.service_level.any_in(f.status(), self.now))
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

/// One page of results, in the search's sort.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SearchPage {
    /// The tickets.
    pub tickets: Vec<Ticket>,
    /// How many tickets match the search in the caller's scope, on every page (the
    /// cursor left aside), counted as far as the query's [`Count`] asked.
    pub total: Total,
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
    use crate::ids::TicketId;

    #[test]
    fn cursors_round_trip_and_forgeries_are_refused() {
        let id = TicketId::new();
        let cursors = [
            Cursor {
                sort: Sort::default(),
                value: SortValue::At(DateTime::from_timestamp_nanos(1_700_000_000_123_456_789)),
                id,
            },
            Cursor {
                sort: Sort::new(SortKey::Subject, SortOrder::Asc),
                value: SortValue::Subject("Écran. noir? 100% & ☃".into()),
                id,
            },
            Cursor {
                sort: Sort::new(SortKey::Number, SortOrder::Desc),
                value: SortValue::Number(TicketNumber::new(55853)),
                id,
            },
            Cursor {
                sort: Sort::new(SortKey::Status, SortOrder::Asc),
                value: SortValue::Status(Status::PendingClosure),
                id,
            },
            Cursor {
                sort: Sort::new(SortKey::Priority, SortOrder::Desc),
                value: SortValue::Priority(Priority::Blocking),
                id,
            },
        ];
        for cursor in cursors {
            let text = cursor.to_string();
            assert!(
                text.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_'),
                "{text} must be safe in a URL"
            );
            assert_eq!(text.parse::<Cursor>().ok(), Some(cursor));
        }
        // The earlier form still reads, as newest opened first.
        let legacy = format!("1700000000123456789.{}", id.as_uuid().simple());
        assert_eq!(
            legacy.parse::<Cursor>().map(|c| c.sort),
            Ok(Sort::default())
        );
        for forged in [
            "",
            "abc",
            "1.2",
            "99999999999999999999.x",
            "1.'; drop table",
            "xd.00000000000000000000000000000000.1",
            "na.00000000000000000000000000000000.-1",
            "sa.00000000000000000000000000000000.fff",
            "sa.00000000000000000000000000000000.ff",
            "ta.00000000000000000000000000000000.open",
            "oda.00000000000000000000000000000000.1",
        ] {
            assert!(forged.parse::<Cursor>().is_err(), "{forged}");
        }
    }

    #[test]
    fn a_cursor_is_refused_under_another_sort() {
        let cursor = Cursor {
            sort: Sort::new(SortKey::Number, SortOrder::Asc),
            value: SortValue::Number(TicketNumber::new(3)),
            id: TicketId::new(),
        };
        assert!(cursor.check(cursor.sort).is_ok());
        for other in [
            Sort::new(SortKey::Number, SortOrder::Desc),
            Sort::new(SortKey::Subject, SortOrder::Asc),
            Sort::default(),
        ] {
            let refused = cursor.check(other);
            assert_eq!(refused.map_err(|e| e.field), Err("cursor".into()));
        }
    }

    #[test]
    fn sort_keys_and_orders_read_back_their_names() {
        for key in SortKey::ALL {
            assert_eq!(key.as_str().parse::<SortKey>(), Ok(key));
        }
        for order in [SortOrder::Asc, SortOrder::Desc] {
            assert_eq!(order.as_str().parse::<SortOrder>(), Ok(order));
            assert_eq!(order.reversed().reversed(), order);
        }
        assert!("created".parse::<SortKey>().is_err());
        assert!("up".parse::<SortOrder>().is_err());
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
