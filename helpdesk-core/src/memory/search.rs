//! Ticket search in memory: filters, words, sort, total and page.

use chrono::{DateTime, Utc};

use super::State;
use crate::search::{SearchPage, SearchQuery, contains_all, searchable_words};
use crate::ticket::Ticket;

/// Whether `ticket` is archived at `now`, by its tenant's archive delay.
fn archived(s: &State, ticket: &Ticket, now: DateTime<Utc>) -> bool {
    s.tenants
        .get(&ticket.tenant)
        .is_some_and(|t| ticket.is_archived(t.settings.archive_delay, now))
}

/// The page of tickets `query` asks for, with the total of all its pages (the cursor
/// already checked).
pub(super) fn search(s: &State, query: &SearchQuery) -> SearchPage {
    let words = query.criteria.contains_words();
    let internal = query.sees_internal();
    let mut found: Vec<&Ticket> = s
        .tickets
        .values()
        .filter(|t| query.matches_filters(t))
        .filter(|t| query.criteria.include_archived || !archived(s, t, query.now))
        .filter(|t| {
            words.is_empty() || {
                let timeline = s.timelines.get(&t.id).map(Vec::as_slice).unwrap_or(&[]);
                contains_all(&words, &searchable_words(t, timeline, internal))
            }
        })
        .collect();
    let total = query.count.total(found.len() as u64);
    found.retain(|t| query.matches_fields(t));
    let sort = query.criteria.sort;
    found.sort_by(|a, b| sort.compare(a, b, internal));
    let limit = query.page.limit as usize;
    let more = found.len() > limit;
    let tickets: Vec<Ticket> = found.into_iter().take(limit).cloned().collect();
    let next = if more {
        tickets.last().map(|t| query.cursor_after(t))
    } else {
        None
    };
    SearchPage {
        tickets,
        total,
        next,
    }
}
