//! Sorted search and its cursors, search totals, the dashboard per agent and per group,
//! and the frequently asked questions of a category.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use helpdesk_core::memory::MemoryStore;
use helpdesk_core::{
    Actor, ActorRef, Answer, Answers, Article, Category, Cursor, Error, Forbidden, HelpdeskService,
    ManualClock, MemberDetails, MemberId, MemberRole, NewTicket, PageRequest, Priority, RichText,
    SearchCriteria, Sort, SortKey, SortOrder, StaffDetails, StaffRole, Status, TenantId,
    TenantScope, Ticket, TicketId, TicketNumber, TicketState, UserId, ancestry, faq,
};
use proptest::prelude::*;

fn at(seconds: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap() + Duration::seconds(seconds)
}

/// A ticket whose sort values come from small ranges, so that ties are common.
fn ticket(
    (number, subject, status, priority, opened, updated, public): (u64, u8, u8, u8, i64, i64, i64),
) -> Ticket {
    let state = match status % 4 {
        0 => TicketState::New,
        1 => TicketState::InProgress,
        2 => TicketState::WaitingOnRequester,
        _ => TicketState::Cancelled {
            cancelled_at: at(opened + 1),
        },
    };
    Ticket {
        id: TicketId::new(),
        tenant: TenantId::new(),
        number: TicketNumber::new(number),
        subject: ["Écran", "abc", "Zeta", "abc d", "Imprimante"][usize::from(subject % 5)]
            .to_owned(),
        description: RichText::required("description", "<p>x</p>").unwrap(),
        category: None,
        product: None,
        priority: Priority::ALL[usize::from(priority % 4)],
        state,
        requester: MemberId::new(),
        assignee: None,
        group: None,
        guests: vec![],
        contact_phone: None,
        asset: None,
        custom_fields: BTreeMap::new(),
        opened_by: ActorRef::System,
        created_at: at(opened),
        updated_at: at(opened + updated),
        version: 1,
        public_updated_at: at(opened + public.min(updated)),
        public_version: 1,
        service_level: Default::default(),
    }
}

fn spec() -> impl Strategy<Value = (u64, u8, u8, u8, i64, i64, i64)> {
    (
        1u64..6,
        any::<u8>(),
        any::<u8>(),
        any::<u8>(),
        0i64..5,
        0i64..4,
        0i64..4,
    )
}

fn sort() -> impl Strategy<Value = Sort> {
    (0usize..6, any::<bool>()).prop_map(|(k, asc)| {
        Sort::new(
            SortKey::ALL[k],
            if asc { SortOrder::Asc } else { SortOrder::Desc },
        )
    })
}

proptest! {
    /// The order is total and strict (ties on the key broken by id); a cursor after a
    /// ticket admits exactly the tickets the order puts after it; its text reads back.
    #[test]
    fn a_cursor_admits_exactly_what_the_sort_puts_after_its_ticket(
        specs in prop::collection::vec(spec(), 2..12),
        sort in sort(),
        sees_internal in any::<bool>(),
    ) {
        let tickets: Vec<Ticket> = specs.into_iter().map(ticket).collect();
        for a in &tickets {
            let cursor = Cursor::after(a, sort, sees_internal);
            prop_assert_eq!(cursor.to_string().parse::<Cursor>().ok(), Some(cursor.clone()));
            prop_assert!(cursor.check(sort).is_ok());
            for b in &tickets {
                let order = sort.compare(a, b, sees_internal);
                prop_assert_eq!(order == Ordering::Equal, a.id == b.id);
                prop_assert_eq!(order.reverse(), sort.compare(b, a, sees_internal));
                prop_assert_eq!(cursor.precedes(b, sees_internal), order == Ordering::Less);
            }
        }
    }

    /// The FAQ of a category lists only published articles of the category and its
    /// ancestors, nearest category first, each category's by title, at most the limit.
    #[test]
    fn the_faq_of_a_category_is_its_chain_nearest_first(
        parents in prop::collection::vec(prop::option::of(0usize..6), 6),
        filed in prop::collection::vec((prop::option::of(0usize..6), any::<bool>(), 0u8..4), 0..15),
        start in 0usize..6,
        limit in 1usize..20,
    ) {
        let tenant = TenantId::new();
        let mut tree: Vec<Category> = (0..6)
            .map(|i| Category::new(tenant, None, &format!("c{i}"), None).unwrap())
            .collect();
        // Parents may form cycles: the walk must end anyway.
        let ids: Vec<_> = tree.iter().map(|c| c.id).collect();
        for (c, p) in tree.iter_mut().zip(&parents) {
            c.parent = p.map(|p| ids[p]);
        }
        let articles: Vec<Article> = filed
            .iter()
            .map(|(category, published, title)| {
                let mut a = Article::new(
                    tenant,
                    category.map(|c| ids[c]),
                    &format!("Article {title}"),
                    "<p>x</p>",
                    at(0),
                )
                .unwrap();
                a.published = *published;
                a
            })
            .collect();
        let chain = ancestry(&tree, ids[start]);
        prop_assert_eq!(chain.first(), Some(&ids[start]));
        let mut unique = chain.clone();
        unique.sort();
        unique.dedup();
        prop_assert_eq!(unique.len(), chain.len());
        for pair in chain.windows(2) {
            let child = tree.iter().find(|c| c.id == pair[0]).unwrap();
            prop_assert_eq!(child.parent, Some(pair[1]));
        }
        let found = faq(&articles, &chain, limit);
        let rank = |a: &Article| chain.iter().position(|c| Some(*c) == a.category);
        let expected = articles
            .iter()
            .filter(|a| a.published && rank(a).is_some())
            .count()
            .min(limit);
        prop_assert_eq!(found.len(), expected);
        for pair in found.windows(2) {
            prop_assert!(
                (rank(pair[0]), &pair[0].title) <= (rank(pair[1]), &pair[1].title)
            );
        }
    }
}

struct World {
    service: HelpdeskService,
    root: Actor,
    acme: TenantId,
    alice: Actor,
    carol: Actor,
    sam: Actor,
    sue: Actor,
}

async fn staff(service: &HelpdeskService, root: &Actor, user: &str, role: StaffRole) -> Actor {
    Actor::Staff(
        service
            .add_staff(
                root,
                StaffDetails {
                    user: &UserId::new(user).unwrap(),
                    display_name: user,
                    email: None,
                    role,
                    tenants: TenantScope::All,
                    groups: vec![],
                },
            )
            .await
            .unwrap(),
    )
}

async fn world() -> World {
    let store = Arc::new(MemoryStore::new());
    let clock = Arc::new(ManualClock::new(at(0)));
    let service = HelpdeskService::new(store).with_clock(clock);
    let root = service
        .bootstrap_platform_admin(&UserId::new("root").unwrap(), "Root")
        .await
        .unwrap();
    let acme = service
        .create_tenant(&root, "acme", "Acme")
        .await
        .unwrap()
        .id;
    let member = |user: &'static str, role| {
        let service = &service;
        async move {
            Actor::Member(
                service
                    .ensure_member(
                        acme,
                        MemberDetails {
                            user: &UserId::new(user).unwrap(),
                            display_name: user,
                            email: None,
                            role,
                        },
                    )
                    .await
                    .unwrap(),
            )
        }
    };
    let alice = member("alice", MemberRole::Requester).await;
    let carol = member("carol", MemberRole::TenantAdmin).await;
    let sam = staff(&service, &root, "Sam", StaffRole::Agent).await;
    let sue = staff(&service, &root, "Sue", StaffRole::Supervisor).await;
    World {
        service,
        root,
        acme,
        alice,
        carol,
        sam,
        sue,
    }
}

async fn open(w: &World, subject: &str, priority: Priority) -> Ticket {
    w.service
        .open(
            &w.alice,
            w.acme,
            NewTicket {
                subject: subject.into(),
                description: format!("<p>{subject}</p>"),
                priority: Some(priority),
                ..NewTicket::default()
            },
            vec![],
        )
        .await
        .unwrap()
}

#[tokio::test]
async fn a_sorted_search_pages_through_everything_with_its_total() {
    let w = world().await;
    for (subject, priority) in [
        ("Imprimante", Priority::High),
        ("Accès", Priority::Low),
        ("Zèbre", Priority::High),
        ("Badge", Priority::Normal),
        ("Accès", Priority::Blocking),
    ] {
        open(&w, subject, priority).await;
    }
    let criteria = SearchCriteria {
        sort: Sort::new(SortKey::Subject, SortOrder::Asc),
        ..SearchCriteria::default()
    };
    let mut subjects = Vec::new();
    let mut after = None;
    loop {
        let page = w
            .service
            .search(&w.alice, criteria.clone(), PageRequest { limit: 2, after })
            .await
            .unwrap();
        assert_eq!(page.total, 5, "the total is the same on every page");
        subjects.extend(page.tickets.iter().map(|t| t.subject.clone()));
        match page.next {
            Some(next) => after = Some(next.to_string().parse().unwrap()),
            None => break,
        }
    }
    assert_eq!(subjects, ["Accès", "Accès", "Badge", "Imprimante", "Zèbre"]);

    let by_priority = w
        .service
        .search(
            &w.alice,
            SearchCriteria {
                sort: Sort::new(SortKey::Priority, SortOrder::Desc),
                ..SearchCriteria::default()
            },
            PageRequest::default(),
        )
        .await
        .unwrap();
    let priorities: Vec<Priority> = by_priority.tickets.iter().map(|t| t.priority).collect();
    assert_eq!(
        priorities,
        [
            Priority::Blocking,
            Priority::High,
            Priority::High,
            Priority::Normal,
            Priority::Low
        ]
    );
}

#[tokio::test]
async fn a_cursor_of_another_sort_is_a_validation_error() {
    let w = world().await;
    for subject in ["a", "b", "c"] {
        open(&w, subject, Priority::Normal).await;
    }
    let by_number = SearchCriteria {
        sort: Sort::new(SortKey::Number, SortOrder::Asc),
        ..SearchCriteria::default()
    };
    let first = w
        .service
        .search(
            &w.carol,
            by_number,
            PageRequest {
                limit: 1,
                after: None,
            },
        )
        .await
        .unwrap();
    let err = w
        .service
        .search(
            &w.carol,
            SearchCriteria::default(),
            PageRequest {
                limit: 1,
                after: first.next,
            },
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Validation(v) if v.field == "cursor"),
        "{err}"
    );
}

#[tokio::test]
async fn the_breakdown_names_each_agent_and_group_and_an_agent_sees_only_their_line() {
    let w = world().await;
    let group = w.service.create_group(&w.root, "Réseau").await.unwrap();
    let (Actor::Staff(sam), Actor::Staff(sue)) = (&w.sam, &w.sue) else {
        unreachable!()
    };
    let a = open(&w, "one", Priority::Normal).await;
    let b = open(&w, "two", Priority::Normal).await;
    open(&w, "three", Priority::Normal).await;
    w.service
        .assign(&w.sue, a.id, None, Some(sam.id), Some(group.id))
        .await
        .unwrap();
    w.service
        .assign(&w.sue, b.id, None, Some(sue.id), None)
        .await
        .unwrap();
    let proposed = w
        .service
        .propose_closure(&w.sam, a.id, None, "<p>Done</p>")
        .await
        .unwrap();
    let answers: Answers = [("overall".to_owned(), Answer::Score(8))]
        .into_iter()
        .collect();
    w.service
        .approve_closure(&w.alice, proposed.id, None, answers)
        .await
        .unwrap();
    let breakdown = w
        .service
        .dashboard_breakdown(&w.sue, Some(w.acme))
        .await
        .unwrap();
    let names: Vec<&str> = breakdown.by_agent.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, ["Sam", "Sue", ""], "by name, nobody last");
    assert_eq!(breakdown.by_agent[2].agent, None);
    let groups: Vec<&str> = breakdown.by_group.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(groups, ["Réseau", ""]);
    let total: u64 = breakdown.by_agent.iter().map(|l| l.counts.tickets()).sum();
    assert_eq!(total, 3);
    let sams = &breakdown.by_agent[0].counts;
    assert_eq!(sams.by_status[&Status::Closed], 1);
    assert_eq!(sams.answered, 1);
    assert_eq!(sams.average_score, Some(8.0));

    let own = w.service.dashboard_breakdown(&w.sam, None).await.unwrap();
    assert_eq!(
        own.by_agent.iter().map(|l| l.agent).collect::<Vec<_>>(),
        [Some(sam.id)],
        "an agent sees their own line only"
    );
    for member in [&w.alice, &w.carol] {
        let err = w
            .service
            .dashboard_breakdown(member, Some(w.acme))
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::Forbidden(Forbidden::StaffOnly)),
            "{err}"
        );
    }
}

#[tokio::test]
async fn suggestions_without_a_subject_are_the_faq_of_the_category_and_its_ancestors() {
    let w = world().await;
    let parent = w
        .service
        .create_category(&w.root, w.acme, None, "Informatique", None)
        .await
        .unwrap();
    let child = w
        .service
        .create_category(&w.root, w.acme, Some(parent.id), "Imprimantes", None)
        .await
        .unwrap();
    let other = w
        .service
        .create_category(&w.root, w.acme, None, "Facturation", None)
        .await
        .unwrap();
    for (category, title) in [
        (Some(parent.id), "Redémarrer son poste"),
        (Some(child.id), "Changer le toner"),
        (Some(child.id), "Bourrage papier"),
        (Some(other.id), "Payer une facture"),
        (None, "Charte informatique"),
    ] {
        w.service
            .create_article(
                &w.root,
                w.acme,
                helpdesk_core::ArticleDraft {
                    category,
                    title,
                    body: "<p>Voir ci-dessous</p>",
                    published: true,
                },
            )
            .await
            .unwrap();
    }
    let faq = w
        .service
        .kb_suggestions(&w.alice, w.acme, "  ", Some(child.id), 10)
        .await
        .unwrap();
    let titles: Vec<&str> = faq.iter().map(|a| a.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "Bourrage papier",
            "Changer le toner",
            "Redémarrer son poste"
        ]
    );
    let none = w
        .service
        .kb_suggestions(&w.alice, w.acme, "", None, 10)
        .await
        .unwrap();
    assert!(none.is_empty(), "no subject and no category: nothing");
    let relevant = w
        .service
        .kb_suggestions(&w.alice, w.acme, "toner", Some(other.id), 10)
        .await
        .unwrap();
    let titles: Vec<&str> = relevant.iter().map(|a| a.title.as_str()).collect();
    assert_eq!(titles, ["Changer le toner"], "a subject keeps relevance");
}
