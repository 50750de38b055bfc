//! Tenant isolation as a property: with random tickets in three tenants (replies, notes,
//! guests, closures, cancellations, accented words), no call made for tenant A returns,
//! counts or changes anything of tenant B, on SQLite and PostgreSQL.
//!
//! Cases share one database and make new tenants each time, so earlier cases are more
//! "other tenants" the calls must not see.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chrono::Duration;
use helpdesk_core::search::{contains_all, searchable_words};
use helpdesk_core::text::words;
use helpdesk_core::{
    Actor, Answer, Answers, Dashboard, DashboardQuery, HelpdeskService, MemberDetails, MemberRole,
    NewTicket, PageRequest, Scope, SearchCriteria, SearchQuery, Status, Store, TenantId,
    TenantScope, Ticket, TicketId, TicketNumber, TimelineEvent, UserId,
};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

const VOCAB: [&str; 8] = [
    "Clôture",
    "imprimante",
    "réseau",
    "ÉCRAN",
    "straße",
    "Søren",
    "café",
    "naïve",
];
const TENANTS: usize = 3;

#[derive(Clone, Debug)]
enum End {
    Open,
    Proposed,
    Approved(u8),
    Cancelled,
}

#[derive(Clone, Debug)]
struct Spec {
    tenant: usize,
    requester: usize,
    subject: Vec<usize>,
    reply: Option<Vec<usize>>,
    note: Option<Vec<usize>>,
    invite: bool,
    end: End,
}

fn text(indexes: &[usize]) -> String {
    indexes
        .iter()
        .map(|i| VOCAB[*i])
        .collect::<Vec<_>>()
        .join(" ")
}

fn spec() -> impl Strategy<Value = Spec> {
    let vocab = || prop::collection::vec(0..VOCAB.len(), 1..3);
    let end = prop_oneof![
        Just(End::Open),
        Just(End::Proposed),
        (0u8..=10).prop_map(End::Approved),
        Just(End::Cancelled),
    ];
    (
        0..TENANTS,
        0..2usize,
        vocab(),
        prop::option::of(vocab()),
        prop::option::of(vocab()),
        any::<bool>(),
        end,
    )
        .prop_map(
            |(tenant, requester, subject, reply, note, invite, end)| Spec {
                tenant,
                requester,
                subject,
                reply,
                note,
                invite,
                end,
            },
        )
}

fn config() -> Config {
    // Every case writes a few dozen rows through the service; PROPTEST_CASES above 32
    // is capped to keep the suite's run time in proportion.
    let default = Config::default();
    Config {
        cases: default.cases.min(32),
        ..default
    }
}

struct Fixture {
    service: HelpdeskService,
    store: Arc<dyn Store>,
    root: Actor,
    tenants: Vec<TenantId>,
    requesters: Vec<[Actor; 2]>,
}

async fn fixture(store: Arc<dyn Store>) -> Fixture {
    let service = HelpdeskService::new(store.clone());
    let root_user = UserId::new("root").unwrap();
    let root = match service.bootstrap_platform_admin(&root_user, "Root").await {
        Ok(root) => root,
        Err(_) => service.actor(&root_user, None).await.unwrap(),
    };
    let mut tenants = Vec::new();
    let mut requesters = Vec::new();
    for i in 0..TENANTS {
        let slug = format!("t{i}-{}", uuid::Uuid::now_v7().simple());
        let tenant = service.create_tenant(&root, &slug, "Tenant").await.unwrap();
        let mut pair = Vec::new();
        for r in 0..2 {
            let user = UserId::new(&format!("{slug}-r{r}")).unwrap();
            let member = service
                .ensure_member(
                    tenant.id,
                    MemberDetails {
                        user: &user,
                        display_name: &format!("Requester {r}"),
                        email: None,
                        role: MemberRole::Requester,
                    },
                )
                .await
                .unwrap();
            pair.push(Actor::Member(member));
        }
        tenants.push(tenant.id);
        requesters.push([pair[0].clone(), pair[1].clone()]);
    }
    Fixture {
        service,
        store,
        root,
        tenants,
        requesters,
    }
}

async fn build(f: &Fixture, specs: &[Spec]) {
    let s = &f.service;
    for spec in specs {
        let requester = &f.requesters[spec.tenant][spec.requester];
        let mut t = s
            .open(
                requester,
                f.tenants[spec.tenant],
                NewTicket {
                    subject: text(&spec.subject),
                    description: format!("<p>{}</p>", text(&spec.subject)),
                    ..Default::default()
                },
                vec![],
            )
            .await
            .unwrap();
        if let Some(reply) = &spec.reply {
            t = s
                .reply(
                    &f.root,
                    t.id,
                    None,
                    &format!("<p>{}</p>", text(reply)),
                    vec![],
                )
                .await
                .unwrap();
        }
        if let Some(note) = &spec.note {
            t = s
                .add_note(
                    &f.root,
                    t.id,
                    None,
                    &format!("<p>{}</p>", text(note)),
                    vec![],
                )
                .await
                .unwrap();
        }
        if spec.invite {
            let other = f.requesters[spec.tenant][1 - spec.requester]
                .as_member()
                .unwrap()
                .id;
            t = s.invite_guest(requester, t.id, None, other).await.unwrap();
        }
        match spec.end {
            End::Open => {}
            End::Proposed => {
                s.propose_closure(&f.root, t.id, None, "<p>done</p>")
                    .await
                    .unwrap();
            }
            End::Approved(score) => {
                s.propose_closure(&f.root, t.id, None, "<p>done</p>")
                    .await
                    .unwrap();
                let answers = Answers::from([("overall".to_owned(), Answer::Score(score))]);
                s.approve_closure(requester, t.id, None, answers)
                    .await
                    .unwrap();
            }
            End::Cancelled => {
                s.cancel(requester, t.id, None, None).await.unwrap();
            }
        }
    }
}

/// Every ticket of `tenant`, by a search for everything with a scope that is just the
/// tenant, checked to hold nothing else.
async fn search(f: &Fixture, scope: Scope, criteria: SearchCriteria) -> BTreeSet<TicketId> {
    let page = f
        .store
        .search(&SearchQuery {
            scope,
            criteria: SearchCriteria {
                include_closed: true,
                include_archived: true,
                ..criteria
            },
            page: PageRequest {
                limit: 200,
                after: None,
            },
            now: f.service.now(),
            count: helpdesk_core::Count::default(),
        })
        .await
        .unwrap();
    assert!(page.next.is_none(), "one page holds a tenant's tickets");
    page.tickets.iter().map(|t| t.id).collect()
}

/// Everything a reader of `tenant` can get from the store, to compare before and after
/// another tenant's writes.
#[derive(Debug, PartialEq)]
struct Snapshot {
    tickets: Vec<Ticket>,
    timelines: BTreeMap<TicketId, Vec<TimelineEvent>>,
    dashboard: Dashboard,
    members: Vec<helpdesk_core::Member>,
    tenant: Option<helpdesk_core::Tenant>,
}

async fn snapshot(f: &Fixture, tenant: TenantId) -> Snapshot {
    let ids = search(f, Scope::Tenant { tenant }, SearchCriteria::default()).await;
    let mut tickets = Vec::new();
    let mut timelines = BTreeMap::new();
    for id in ids {
        tickets.push(f.store.ticket(id).await.unwrap().unwrap());
        timelines.insert(id, f.store.timeline(id).await.unwrap());
    }
    Snapshot {
        tickets,
        timelines,
        dashboard: dashboard(f, Scope::Tenant { tenant }, None).await,
        members: f.store.members(tenant).await.unwrap(),
        tenant: f.store.tenant(tenant).await.unwrap(),
    }
}

async fn dashboard(f: &Fixture, scope: Scope, tenant: Option<TenantId>) -> Dashboard {
    f.store
        .dashboard(&DashboardQuery {
            scope,
            tenant,
            assignee: None,
            months: 2,
            now: f.service.now(),
        })
        .await
        .unwrap()
}

async fn no_call_for_one_tenant_touches_another(store: Arc<dyn Store>, specs: Vec<Spec>) {
    let f = fixture(store).await;
    build(&f, &specs).await;
    let a = f.tenants[0];
    let b = f.tenants[1];

    // What tenant A holds, read ticket by ticket.
    let mut mine: Vec<(Ticket, Vec<TimelineEvent>)> = Vec::new();
    for n in 1..=specs.len() as u64 + 1 {
        if let Some(t) = f
            .store
            .ticket_by_number(a, TicketNumber::new(n))
            .await
            .unwrap()
        {
            assert_eq!(t.tenant, a, "ticket_by_number stays in its tenant");
            let timeline = f.store.timeline(t.id).await.unwrap();
            assert!(timeline.iter().all(|e| e.tenant == a));
            mine.push((t, timeline));
        }
    }
    let expected_count = specs.iter().filter(|s| s.tenant == 0).count();
    assert_eq!(mine.len(), expected_count, "A's numbers are A's alone");
    let all: BTreeSet<TicketId> = mine.iter().map(|(t, _)| t.id).collect();

    // Lists: every scope limited to A sees exactly A's tickets.
    let staff_of_a = Scope::Staff {
        staff: helpdesk_core::StaffId::new(),
        tenants: TenantScope::Only(vec![a]),
        groups: vec![],
        all_groups: true,
    };
    assert_eq!(
        search(&f, Scope::Tenant { tenant: a }, SearchCriteria::default()).await,
        all
    );
    assert_eq!(
        search(&f, staff_of_a.clone(), SearchCriteria::default()).await,
        all
    );
    let only_a = SearchCriteria {
        tenant: Some(a),
        ..Default::default()
    };
    assert_eq!(search(&f, Scope::Everything, only_a).await, all);
    let r0 = f.requesters[0][0].as_member().unwrap().id;
    let own: BTreeSet<TicketId> = mine
        .iter()
        .filter(|(t, _)| t.is_participant(r0))
        .map(|(t, _)| t.id)
        .collect();
    let requester_scope = Scope::Requester {
        tenant: a,
        member: r0,
        whole_tenant: false,
    };
    assert_eq!(
        search(&f, requester_scope, SearchCriteria::default()).await,
        own
    );

    // Full text: each word finds exactly A's tickets holding it, public or internal.
    for word in VOCAB {
        for (scope, internal) in [
            (Scope::Tenant { tenant: a }, false),
            (staff_of_a.clone(), true),
        ] {
            let expected: BTreeSet<TicketId> = mine
                .iter()
                .filter(|(t, timeline)| {
                    contains_all(&words(word), &searchable_words(t, timeline, internal))
                })
                .map(|(t, _)| t.id)
                .collect();
            let criteria = SearchCriteria {
                contains: Some(word.to_owned()),
                ..Default::default()
            };
            assert_eq!(
                search(&f, scope, criteria).await,
                expected,
                "contains {word}"
            );
        }
    }

    // Counts: the dashboard of A counts A only.
    let mut by_status: BTreeMap<Status, u64> = Status::ALL.into_iter().map(|s| (s, 0)).collect();
    for (t, _) in &mine {
        *by_status.entry(t.status()).or_default() += 1;
    }
    let approved = mine
        .iter()
        .filter(|(t, _)| t.closure_answers().is_some())
        .count() as u64;
    for d in [
        dashboard(&f, Scope::Tenant { tenant: a }, None).await,
        dashboard(&f, Scope::Everything, Some(a)).await,
        dashboard(&f, staff_of_a.clone(), None).await,
    ] {
        assert_eq!(d.by_status, by_status);
        assert_eq!(d.satisfaction.answered, approved);
        assert_eq!(
            d.opened_per_month.iter().map(|m| m.opened).sum::<u64>(),
            mine.len() as u64
        );
    }
    let pending: BTreeSet<TicketId> = mine
        .iter()
        .filter(|(t, _)| t.status() == Status::PendingClosure)
        .map(|(t, _)| t.id)
        .collect();
    let due = f
        .store
        .closures_due(a, f.service.now() + Duration::days(365), 1000)
        .await
        .unwrap();
    assert_eq!(due.iter().map(|t| t.id).collect::<BTreeSet<_>>(), pending);
    let members = f.store.members(a).await.unwrap();
    assert_eq!(members.len(), 2);
    assert!(members.iter().all(|m| m.tenant == a));

    // Writes: everything done for A leaves B as it was, numbers included.
    let before = snapshot(&f, b).await;
    let s = &f.service;
    let requester = &f.requesters[0][0];
    let opened = s
        .open(
            requester,
            a,
            NewTicket {
                subject: "Clôture imprimante".into(),
                description: "<p>again</p>".into(),
                ..Default::default()
            },
            vec![],
        )
        .await
        .unwrap();
    s.reply(&f.root, opened.id, None, "<p>réseau</p>", vec![])
        .await
        .unwrap();
    s.propose_closure(&f.root, opened.id, None, "<p>done</p>")
        .await
        .unwrap();
    let tenant_a = s.tenant(&f.root, a).await.unwrap();
    let mut settings = tenant_a.settings.clone();
    settings.archive_delay = helpdesk_core::Window::seconds(0);
    s.update_tenant(&f.root, a, "Renamed", settings)
        .await
        .unwrap();
    assert_eq!(
        snapshot(&f, b).await,
        before,
        "B is untouched by A's writes"
    );
    let b_count = before.tickets.len() as u64;
    let next_b = s
        .open(
            &f.requesters[1][0],
            b,
            NewTicket {
                subject: "B".into(),
                description: "<p>B</p>".into(),
                ..Default::default()
            },
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        next_b.number.get(),
        b_count + 1,
        "A's openings use none of B's numbers"
    );
}

fn run(store: Arc<dyn Store>, runtime: &tokio::runtime::Runtime) {
    let strategy = prop::collection::vec(spec(), 1..10);
    let mut runner = TestRunner::new(config());
    let result = runner.run(&strategy, |specs| {
        runtime.block_on(no_call_for_one_tenant_touches_another(store.clone(), specs));
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

#[cfg(feature = "sqlite")]
#[test]
fn sqlite_no_call_for_one_tenant_returns_counts_or_changes_another_tenants_data() {
    support::on_sqlite_memory(run);
}

#[cfg(feature = "postgres")]
#[test]
fn postgres_no_call_for_one_tenant_returns_counts_or_changes_another_tenants_data() {
    support::on_postgres("tenant isolation", run);
}
