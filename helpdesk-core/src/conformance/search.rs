//! Search: exact results against the reference, word folding, stable cursor pages.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, Utc};

use super::dataset::{Dataset, dataset};
use super::fixtures::{
    Directory, Must, assert_same_tickets, blank_ticket, directory, event, insert_ticket,
    newest_first, now, opened_event, rich,
};
use crate::ids::{MemberId, StaffId, TenantId, TicketId};
use crate::people::ActorRef;
use crate::permissions::Scope;
use crate::ports::{Store, TicketChange};
use crate::search::{Count, Cursor, PageRequest, SearchCriteria, SearchQuery, SortValue, Total};
#[cfg(doc)]
use crate::search::{contains_all, searchable_words};
use crate::status::{Priority, Status};
use crate::ticket::Ticket;
use crate::timeline::{EventKind, FieldChange};

/// Every page of one search, checking the page contract on the way: at most `limit`
/// tickets; `next` set exactly when more follow, and then the page is full and `next` is
/// the cursor after its last ticket.
pub(super) async fn page_through(
    store: &dyn Store,
    scope: &Scope,
    criteria: &SearchCriteria,
    limit: u32,
    context: &str,
) -> Vec<Ticket> {
    page_through_counting(store, scope, criteria, limit, Count::default(), context).await
}

/// [`page_through`], each page counting its total as `count` says.
async fn page_through_counting(
    store: &dyn Store,
    scope: &Scope,
    criteria: &SearchCriteria,
    limit: u32,
    count: Count,
    context: &str,
) -> Vec<Ticket> {
    let mut out: Vec<Ticket> = Vec::new();
    let mut after = None;
    let mut total = None;
    for _ in 0..2_000 {
        let query = SearchQuery {
            scope: scope.clone(),
            criteria: criteria.clone(),
            page: PageRequest {
                limit,
                after: after.clone(),
            },
            now: now(),
            count,
        };
        let page = store.search(&query).await.must(context);
        // The total is the same on every page.
        if let Some(total) = total {
            assert_eq!(
                page.total, total,
                "{context}: the total changed from one page to the next"
            );
        }
        total = Some(page.total);
        assert!(
            page.tickets.len() <= limit as usize,
            "{context}: a page of limit {limit} held {} tickets",
            page.tickets.len()
        );
        if after.is_some() && page.tickets.is_empty() {
            panic!("{context}: `next` was set but no ticket followed");
        }
        let Some(next) = page.next else {
            out.extend(page.tickets);
            assert_eq!(
                total,
                Some(count.total(out.len() as u64)),
                "{context}: the total must be the number of tickets on all pages"
            );
            return out;
        };
        assert_eq!(
            page.tickets.len(),
            limit as usize,
            "{context}: `next` is set, so the page must be full"
        );
        assert_eq!(
            page.tickets.last().map(|t| query.cursor_after(t)),
            Some(next.clone()),
            "{context}: `next` must be the cursor after the page's last ticket"
        );
        out.extend(page.tickets);
        after = Some(next);
    }
    panic!("{context}: pagination did not end after 2000 pages");
}

/// Search: on a seeded dataset of 120 tickets in three tenants (every status, closures
/// archived or not under each tenant's archive delay, ties on the opening time, replies
/// and internal notes with accented words), for 32 criteria in each of 9 scopes, the
/// pages together hold exactly the tickets the reference accepts
/// ([`SearchQuery::matches_fields`], archiving, [`contains_all`] over
/// [`searchable_words`]), whole and newest first, with `next` set exactly when more
/// follow.
pub async fn search_returns_exactly_the_reference_results(store: &dyn Store) {
    let data = dataset(store, 120, 0x5EED_2025).await;

    // The fixture covers what the search rules distinguish.
    let statuses: BTreeSet<Status> = data.tickets.iter().map(Ticket::status).collect();
    assert_eq!(statuses.len(), 6, "the dataset holds every status");
    let archived =
        |t: &Ticket| t.is_archived(data.dir.tenant(t.tenant).settings.archive_delay, now());
    assert!(
        data.tickets.iter().any(archived),
        "the dataset holds archived tickets"
    );
    assert!(
        data.tickets
            .iter()
            .any(|t| !archived(t) && !t.status().is_open()),
        "the dataset holds closed tickets not yet archived"
    );
    let mut openings: Vec<DateTime<Utc>> = data.tickets.iter().map(|t| t.created_at).collect();
    openings.sort();
    assert!(
        openings.windows(2).any(|w| w[0] == w[1]),
        "the dataset holds tickets opened at the same instant"
    );

    let limits = [5u32, 23, 200];
    let mut combos = 0;
    let mut informative = 0;
    for (si, (scope_name, scope)) in data.scopes().into_iter().enumerate() {
        for (ci, (criteria_name, criteria)) in data.criteria().into_iter().enumerate() {
            let limit = limits[(si + ci) % limits.len()];
            let context =
                format!("search in scope `{scope_name}` for `{criteria_name}` by pages of {limit}");
            let expected = data.reference(&SearchQuery {
                scope: scope.clone(),
                criteria: criteria.clone(),
                page: PageRequest { limit, after: None },
                now: now(),
                count: Count::default(),
            });
            let got = page_through(store, &scope, &criteria, limit, &context).await;
            assert_same_tickets(&got, &expected, &context);
            // Counting up to 0, every search that finds anything is "more than 0":
            // the pages a store takes for results beyond the cap (a common word's
            // window, say) must be the same pages.
            let beyond = page_through_counting(
                store,
                &scope,
                &criteria,
                limit,
                Count::UpTo(0),
                &format!("{context}, counting up to 0"),
            )
            .await;
            assert_same_tickets(&beyond, &expected, &context);
            let cap = CAPS[(si * 7 + ci) % CAPS.len()];
            assert_capped_total(store, &scope, &criteria, cap, expected.len(), &context).await;
            if scope != Scope::Nothing {
                combos += 1;
                if !expected.is_empty() {
                    informative += 1;
                }
            }
        }
    }
    assert!(
        informative * 3 >= combos * 2,
        "the dataset is too sparse: only {informative} of {combos} searches found anything"
    );
}

/// Caps on the count smaller than most results, so totals stop short.
const CAPS: [u64; 5] = [0, 1, 3, 10, 1_000];

/// A search counting up to `cap` says exactly how many of its `found` tickets match
/// when they are `cap` or fewer, and "more than `cap`" otherwise, on its first page and
/// on its second; a search asking for no count says it did not count.
async fn assert_capped_total(
    store: &dyn Store,
    scope: &Scope,
    criteria: &SearchCriteria,
    cap: u64,
    found: usize,
    context: &str,
) {
    let expected = if found as u64 > cap {
        Total::MoreThan(cap)
    } else {
        Total::Exact(found as u64)
    };
    let mut query = SearchQuery {
        scope: scope.clone(),
        criteria: criteria.clone(),
        page: PageRequest {
            limit: 2,
            after: None,
        },
        now: now(),
        count: Count::UpTo(cap),
    };
    let first = store.search(&query).await.must(context);
    assert_eq!(
        first.total, expected,
        "{context}: the total counted up to {cap}"
    );
    if let Some(next) = first.next {
        query.page.after = Some(next);
        let second = store.search(&query).await.must(context);
        assert_eq!(
            second.total, expected,
            "{context}: the total counted up to {cap}, second page"
        );
    }
    query.page.after = None;
    query.count = Count::Skip;
    let uncounted = store.search(&query).await.must(context);
    assert_eq!(
        uncounted.total,
        Total::NotCounted,
        "{context}: a search asking for no count"
    );
    assert_eq!(
        uncounted.tickets, first.tickets,
        "{context}: the count changes no page"
    );
}

/// The tickets of the word search: subject, description, and an optional staff reply
/// and internal note.
const WORD_TICKETS: [(&str, &str, Option<&str>, Option<&str>); 5] = [
    ("Clôture impossible", "<p>Rien à signaler</p>", None, None),
    (
        "Problème",
        "<p>L'<strong>Imprimante</strong> est en panne</p>",
        None,
        None,
    ),
    (
        "Autre sujet",
        "<p>Voir la réponse</p>",
        Some("<p>IMPRIMANTE réparée, clôture proposée</p>"),
        None,
    ),
    (
        "Question",
        "<p>Une question</p>",
        Some("<p>Merci</p>"),
        Some("<p>Zorglub confidentiel</p>"),
    ),
    ("Sans rapport", "<p>Écran fêlé</p>", None, None),
];

/// Search words: accents and case are folded on both sides ("cloture" finds "Clôture",
/// "imprimante" finds "Imprimante"), words match as prefixes, markup is not text, and
/// words only found in internal notes are found by staff scopes only (never by tenant
/// admins or requesters).
pub async fn search_folds_accents_and_keeps_internal_notes_to_staff(store: &dyn Store) {
    let dir = directory(store).await;
    let tenant = dir.tenants[0].clone();
    let alice = dir.requesters[0][0].clone();
    let agent = dir.staff[2].clone();
    let data = insert_word_tickets(store, dir, alice.id, agent.id).await;
    let [t0, t1, t2, t3, t4] = [0, 1, 2, 3, 4].map(|i| data.tickets[i].id);

    let staff_scopes = [
        ("everything", Scope::Everything),
        (
            "supervisor",
            Scope::Staff {
                staff: agent.id,
                tenants: agent.tenants.clone(),
                groups: vec![],
                all_groups: true,
            },
        ),
    ];
    let member_scopes = [
        ("tenant admin", Scope::Tenant { tenant: tenant.id }),
        (
            "requester",
            Scope::Requester {
                tenant: tenant.id,
                member: alice.id,
                whole_tenant: false,
            },
        ),
    ];
    let cases: [(&str, Vec<TicketId>, Vec<TicketId>); 11] = [
        ("cloture", vec![t2, t0], vec![t2, t0]),
        ("Clôture", vec![t2, t0], vec![t2, t0]),
        ("CLOTURE imprim", vec![t2], vec![t2]),
        ("imprimante", vec![t2, t1], vec![t2, t1]),
        ("IMPRIMANTE", vec![t2, t1], vec![t2, t1]),
        ("l'imprimante", vec![t2, t1], vec![t2, t1]),
        ("ecran", vec![t4], vec![t4]),
        ("écran FÊLÉ", vec![t4], vec![t4]),
        ("zorglub", vec![t3], vec![]),
        ("confidentiel merci", vec![t3], vec![]),
        ("strong", vec![], vec![]),
    ];
    for (words, for_staff, for_members) in cases {
        for (scopes, expected_ids) in [(&staff_scopes, &for_staff), (&member_scopes, &for_members)]
        {
            for (scope_name, scope) in scopes.iter() {
                assert_words_find(store, &data, words, (scope_name, scope), expected_ids).await;
            }
        }
    }
}

/// Stores [`WORD_TICKETS`] in alpha, an hour apart, requested by `alice`, with replies
/// and notes by `agent`.
async fn insert_word_tickets(
    store: &dyn Store,
    dir: Directory,
    alice: MemberId,
    agent: StaffId,
) -> Dataset {
    let tenant = dir.tenants[0].id;
    let mut tickets = Vec::new();
    let mut timelines = BTreeMap::new();
    for (i, (subject, description, reply, note)) in WORD_TICKETS.into_iter().enumerate() {
        let mut ticket = blank_ticket(tenant, alice, now() - Duration::hours(10 - i as i64));
        ticket.subject = subject.to_owned();
        ticket.description = rich(description);
        let mut events = vec![opened_event(&ticket)];
        if let Some(body) = reply {
            events.push(event(
                &ticket,
                ticket.created_at + Duration::minutes(5),
                ActorRef::Staff(agent),
                EventKind::Replied { body: rich(body) },
                None,
            ));
        }
        if let Some(body) = note {
            events.push(event(
                &ticket,
                ticket.created_at + Duration::minutes(6),
                ActorRef::Staff(agent),
                EventKind::NoteAdded { body: rich(body) },
                None,
            ));
        }
        ticket.updated_at = events.last().map_or(ticket.created_at, |e| e.at);
        insert_ticket(store, &mut ticket, &events).await;
        timelines.insert(ticket.id, events);
        tickets.push(ticket);
    }
    Dataset::new(dir, tickets, &timelines)
}

/// Searching `words` in the scope finds exactly `expected_ids`, as the reference does.
async fn assert_words_find(
    store: &dyn Store,
    data: &Dataset,
    words: &str,
    (scope_name, scope): (&str, &Scope),
    expected_ids: &[TicketId],
) {
    let criteria = SearchCriteria {
        contains: Some(words.to_owned()),
        ..Default::default()
    };
    let context = format!("searching `{words}` in scope `{scope_name}`");
    let expected: Vec<Ticket> = expected_ids
        .iter()
        .map(|id| data.find(*id).clone())
        .collect();
    assert_eq!(
        data.reference(&SearchQuery {
            scope: scope.clone(),
            criteria: criteria.clone(),
            page: PageRequest::default(),
            now: now(),
            count: Count::default(),
        }),
        expected,
        "{context}: the suite's own expectation disagrees with the reference"
    );
    let got = page_through(store, scope, &criteria, 50, &context).await;
    assert_same_tickets(&got, &expected, &context);
}

/// Cursor pagination is stable: tickets opened (ahead of the cursor or behind it) and
/// tickets changed while pages are fetched cause no duplicate and no skip; tickets
/// behind the cursor show up in later pages, tickets ahead of it do not.
pub async fn search_pages_stay_stable_while_tickets_are_inserted(store: &dyn Store) {
    let dir = directory(store).await;
    let tenant = dir.tenants[0].id;
    let alice = dir.requesters[0][0].id;
    let mut tickets: Vec<Ticket> = Vec::new();
    for i in 0..30i64 {
        // Pairs opened at the same instant.
        let created_at = now() - Duration::hours(2 + i / 2) + Duration::milliseconds(250);
        tickets.push(insert_alone(store, tenant, alice, created_at, format!("Ticket {i}")).await);
    }
    let original: BTreeSet<TicketId> = tickets.iter().map(|t| t.id).collect();
    let scope = Scope::Tenant { tenant };
    let mut ahead = BTreeSet::new();
    let mut behind = BTreeSet::new();
    let mut seen: Vec<Ticket> = Vec::new();
    let mut after: Option<Cursor> = None;
    let mut changed: Option<TicketId> = None;
    for round in 0..100i64 {
        let page = store
            .search(&SearchQuery {
                scope: scope.clone(),
                criteria: SearchCriteria::default(),
                page: PageRequest {
                    limit: 4,
                    after: after.clone(),
                },
                now: now(),
                count: Count::default(),
            })
            .await
            .must("searching a page");
        seen.extend(page.tickets);
        let Some(next) = page.next else { break };
        let Some(SortValue::At(next_at)) = Some(next.value.clone()) else {
            panic!("a cursor of the default sort must carry the opening time");
        };
        after = Some(next);

        // A newer ticket: ahead of the cursor, it belongs to pages already read.
        let at = now() - Duration::minutes(30) + Duration::milliseconds(round);
        let newer = insert_alone(store, tenant, alice, at, format!("Newer {round}")).await;
        ahead.insert(newer.id);
        tickets.push(newer);

        // An older ticket: behind the cursor, it must come in a later page.
        let at = next_at - Duration::seconds(1) - Duration::milliseconds(round);
        let older = insert_alone(store, tenant, alice, at, format!("Older {round}")).await;
        behind.insert(older.id);
        tickets.push(older);

        // A change to a ticket not read yet must not move it.
        if changed.is_none() {
            let seen_ids: BTreeSet<TicketId> = seen.iter().map(|t| t.id).collect();
            if let Some(target) = tickets
                .iter_mut()
                .filter(|t| original.contains(&t.id) && !seen_ids.contains(&t.id))
                .last()
            {
                make_blocking(store, target, alice).await;
                changed = Some(target.id);
            }
        }
    }
    assert!(changed.is_some(), "a ticket was changed while paging");
    assert_pages_saw_exactly_what_was_behind(&seen, &tickets, &ahead, &behind);
}

/// Stores a ticket of `alice` with only its opening event.
async fn insert_alone(
    store: &dyn Store,
    tenant: TenantId,
    alice: MemberId,
    created_at: DateTime<Utc>,
    subject: String,
) -> Ticket {
    let mut ticket = blank_ticket(tenant, alice, created_at);
    ticket.subject = subject;
    let events = [opened_event(&ticket)];
    insert_ticket(store, &mut ticket, &events).await;
    ticket
}

/// Saves the ticket with its priority raised to blocking by `alice`, now.
async fn make_blocking(store: &dyn Store, target: &mut Ticket, alice: MemberId) {
    let before = target.version;
    target.priority = Priority::Blocking;
    target.version += 1;
    target.updated_at = now();
    let edit = event(
        target,
        now(),
        ActorRef::Member(alice),
        EventKind::FieldEdited {
            change: FieldChange::Priority {
                from: Priority::Normal,
                to: Priority::Blocking,
            },
        },
        None,
    );
    store
        .save_ticket(TicketChange {
            ticket: target,
            expected_version: before,
            events: std::slice::from_ref(&edit),
            outbox: &[],
            attachments: &[],
            request_fingerprint: None,
        })
        .await
        .must("changing a ticket between pages");
}

/// The pages held every ticket but those opened ahead of the cursor, once each, newest
/// first; those opened behind it included.
#[track_caller]
fn assert_pages_saw_exactly_what_was_behind(
    seen: &[Ticket],
    tickets: &[Ticket],
    ahead: &BTreeSet<TicketId>,
    behind: &BTreeSet<TicketId>,
) {
    let mut expected: Vec<Ticket> = tickets
        .iter()
        .filter(|t| !ahead.contains(&t.id))
        .cloned()
        .collect();
    newest_first(&mut expected);
    assert_same_tickets(
        seen,
        &expected,
        "paging by 4 while tickets are opened and changed",
    );
    assert!(
        behind.iter().all(|id| seen.iter().any(|t| t.id == *id)),
        "tickets opened behind the cursor show up in later pages"
    );
    assert!(
        seen.iter().all(|t| !ahead.contains(&t.id)),
        "tickets opened ahead of the cursor do not show up in later pages"
    );
}

/// Pages of one: a limit of 1 walks through every matching ticket one by one, with
/// `next` on every page but the last.
pub async fn search_pages_of_one_walk_through_everything(store: &dyn Store) {
    let data = dataset(store, 40, 0x0000_0001_CAFE).await;
    let all = SearchCriteria {
        include_closed: true,
        include_archived: true,
        ..Default::default()
    };
    let scopes = data.scopes();
    let searches = [
        (&scopes[0], all.clone()),
        (
            &scopes[7],
            SearchCriteria {
                contains: Some("de".to_owned()),
                ..all.clone()
            },
        ),
        (&scopes[3], SearchCriteria::default()),
    ];
    for ((scope_name, scope), criteria) in searches {
        let context = format!("pages of one in scope `{scope_name}`");
        let expected = data.reference(&SearchQuery {
            scope: scope.clone(),
            criteria: criteria.clone(),
            page: PageRequest::default(),
            now: now(),
            count: Count::default(),
        });
        assert!(
            !expected.is_empty(),
            "{context}: the fixture finds something"
        );
        let got = page_through(store, scope, &criteria, 1, &context).await;
        assert_same_tickets(&got, &expected, &context);
    }
    assert_eq!(
        page_through(store, &Scope::Everything, &all, 1, "pages of one")
            .await
            .len(),
        40,
        "every ticket is reached one page at a time"
    );
}
