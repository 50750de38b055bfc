//! Sorted search and totals: every sort walks every matching ticket once, in order; the
//! total counts what all pages hold; a cursor only serves the sort it was issued for.

use std::collections::BTreeSet;

use chrono::Duration;

use super::dataset::dataset;
use super::fixtures::{
    Found, Must, assert_same_tickets, blank_ticket, directory, event, insert_ticket, now,
    opened_event, rich,
};
use super::search::page_through;
use crate::error::Error;
use crate::ids::TicketId;
use crate::people::{ActorRef, Member, Staff};
use crate::permissions::Scope;
use crate::ports::Store;
use crate::search::{PageRequest, SearchCriteria, SearchQuery, Sort, SortKey, SortOrder};
use crate::status::Status;
use crate::tenant::Tenant;
use crate::timeline::EventKind;

/// Sorted search: on the seeded dataset of 120 tickets (subjects, statuses, priorities
/// and opening times shared by many tickets, numbers shared across tenants, public and
/// internal updated times apart), for every sort key in both directions and in scopes
/// of every kind (platform, agent, supervisor, tenant admin, requester with guest
/// invitations, whole-tenant requester), walking the pages (of 7, so that many ties
/// straddle a page boundary) gives every matching ticket exactly once, in the order of
/// [`Sort::compare`] (the key's value as the scope observes it, then the id), with a
/// total equal to what the pages held.
pub async fn sorted_search_pages_walk_every_ticket_once_in_order(store: &dyn Store) {
    let data = dataset(store, 120, 0x50_27ED).await;
    let subjects: BTreeSet<&str> = data.tickets.iter().map(|t| t.subject.as_str()).collect();
    assert!(
        subjects.len() < data.tickets.len(),
        "the dataset holds tickets sharing a subject"
    );
    assert!(
        data.tickets
            .iter()
            .any(|t| t.updated_at != t.public_updated_at),
        "the dataset holds tickets whose last change is internal"
    );
    let criteria = SearchCriteria {
        include_closed: true,
        include_archived: true,
        ..SearchCriteria::default()
    };
    let open_only = SearchCriteria::default();
    let mut walked = 0;
    for (scope_name, scope) in data.scopes() {
        for key in SortKey::ALL {
            for order in [SortOrder::Asc, SortOrder::Desc] {
                for (criteria_name, base) in [("everything", &criteria), ("open", &open_only)] {
                    let criteria = SearchCriteria {
                        sort: Sort::new(key, order),
                        ..base.clone()
                    };
                    let context = format!(
                        "search in scope `{scope_name}` for {criteria_name} sorted by {key} {order}"
                    );
                    let expected = data.reference(&SearchQuery {
                        scope: scope.clone(),
                        criteria: criteria.clone(),
                        page: PageRequest::default(),
                        now: now(),
                        count: crate::search::Count::default(),
                    });
                    let got = page_through(store, &scope, &criteria, 7, &context).await;
                    assert_same_tickets(&got, &expected, &context);
                    walked += got.len();
                }
            }
        }
    }
    assert!(walked > 1_000, "the sorted walks saw only {walked} tickets");
}

/// Totals: the total of a search counts the tickets of all its pages whatever page is
/// asked (the cursor left aside), within the scope: a word found only in an internal
/// note counts for staff and not for the tenant admin or the requester; a search of
/// nothing counts zero.
pub async fn search_totals_count_all_pages_and_internal_notes_only_for_staff(store: &dyn Store) {
    let dir = directory(store).await;
    let tenant = dir.tenants[0].clone();
    let alice = dir.requesters[0][0].clone();
    let noted = insert_tickets_a_third_with_notes(store, &tenant, &alice, &dir.staff[2]).await;
    let search = |scope: Scope, contains: Option<&str>, limit: u32| SearchQuery {
        scope,
        criteria: SearchCriteria {
            contains: contains.map(str::to_owned),
            ..SearchCriteria::default()
        },
        page: PageRequest { limit, after: None },
        now: now(),
        count: crate::search::Count::default(),
    };
    let requester = Scope::Requester {
        tenant: tenant.id,
        member: alice.id,
        whole_tenant: false,
    };
    let cases = [
        (
            "everything, pages of 2",
            search(Scope::Everything, None, 2),
            9,
        ),
        (
            "the requester, pages of 4",
            search(requester.clone(), None, 4),
            9,
        ),
        (
            "staff, a word of internal notes",
            search(Scope::Everything, Some("zorglub"), 1),
            noted.len() as u64,
        ),
        (
            "the tenant admin, a word of internal notes",
            search(Scope::Tenant { tenant: tenant.id }, Some("zorglub"), 1),
            0,
        ),
        (
            "the requester, a word of internal notes",
            search(requester, Some("zorglub"), 1),
            0,
        ),
        ("nothing", search(Scope::Nothing, None, 5), 0),
    ];
    for (name, query, expected) in cases {
        assert_total_of_first_two_pages(store, name, &query, expected).await;
    }
}

/// Inserts nine tickets of `alice` in `tenant`, every third with an internal note of
/// `agent` holding the word "Zorglub"; hands back the ids of those with a note.
async fn insert_tickets_a_third_with_notes(
    store: &dyn Store,
    tenant: &Tenant,
    alice: &Member,
    agent: &Staff,
) -> Vec<TicketId> {
    let mut noted: Vec<TicketId> = Vec::new();
    for i in 0..9i64 {
        let mut ticket = blank_ticket(tenant.id, alice.id, now() - Duration::hours(20 - i));
        ticket.subject = format!("Poste {i}");
        let mut events = vec![opened_event(&ticket)];
        if i % 3 == 0 {
            events.push(event(
                &ticket,
                ticket.created_at + Duration::minutes(1),
                ActorRef::Staff(agent.id),
                EventKind::NoteAdded {
                    body: rich("<p>Fournisseur Zorglub relancé</p>"),
                },
                None,
            ));
            ticket.updated_at = ticket.created_at + Duration::minutes(1);
            noted.push(ticket.id);
        }
        insert_ticket(store, &mut ticket, &events).await;
    }
    noted
}

/// The total of the first page of `query`, and of the second page when there is one,
/// is `expected`.
async fn assert_total_of_first_two_pages(
    store: &dyn Store,
    name: &str,
    query: &SearchQuery,
    expected: u64,
) {
    let expected = crate::search::Total::Exact(expected);
    let first = store.search(query).await.must("searching");
    assert_eq!(first.total, expected, "{name}: the total of the first page");
    if let Some(next) = first.next {
        let second = store
            .search(&SearchQuery {
                page: PageRequest {
                    limit: query.page.limit,
                    after: Some(next),
                },
                ..query.clone()
            })
            .await
            .must("searching the second page");
        assert_eq!(
            second.total, expected,
            "{name}: the total of the second page"
        );
    }
}

/// A cursor issued under one sort is refused under any other (another key, or the same
/// key the other way) with a validation error on `cursor`, never answered with a
/// silently wrong page.
pub async fn a_cursor_is_refused_under_another_sort(store: &dyn Store) {
    let dir = directory(store).await;
    let tenant = dir.tenants[0].clone();
    let alice = dir.requesters[0][0].clone();
    for i in 0..3i64 {
        let mut ticket = blank_ticket(tenant.id, alice.id, now() - Duration::hours(i + 1));
        let events = [opened_event(&ticket)];
        insert_ticket(store, &mut ticket, &events).await;
    }
    let query = |sort: Sort, after| SearchQuery {
        scope: Scope::Everything,
        criteria: SearchCriteria {
            statuses: vec![Status::New],
            sort,
            ..SearchCriteria::default()
        },
        page: PageRequest { limit: 1, after },
        now: now(),
        count: crate::search::Count::default(),
    };
    let issued = Sort::new(SortKey::Subject, SortOrder::Asc);
    let cursor = store
        .search(&query(issued, None))
        .await
        .must("searching by subject")
        .next
        .found("a next page after the first of three tickets");
    store
        .search(&query(issued, Some(cursor.clone())))
        .await
        .must("the cursor serves its own sort");
    for other in [
        Sort::new(SortKey::Subject, SortOrder::Desc),
        Sort::new(SortKey::Number, SortOrder::Asc),
        Sort::default(),
    ] {
        match store.search(&query(other, Some(cursor.clone()))).await {
            Err(Error::Validation(e)) if e.field == "cursor" => {}
            other_answer => panic!(
                "a cursor of {issued:?} used under {other:?} must be refused with a \
                 validation error on `cursor`, got {other_answer:?}"
            ),
        }
    }
}
