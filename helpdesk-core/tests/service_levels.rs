//! Service levels wired to tickets, over the in-memory store and a controlled clock:
//! due dates at opening, pauses while waiting on the requester, priority changes, a
//! policy change, the `sla` search criterion, the dashboard's figures, and the
//! worker's escalation at breach (once, with two workers).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use helpdesk_core::service_level::{
    BusinessDuration, ServiceLevelPolicy, SlaStatus, SlaTarget, TicketServiceLevel,
};
use helpdesk_core::testing::{MemberSeed, Seed, StaffSeed, World, draft};
use helpdesk_core::{
    Error, EventKind, MemberRole, NoNotifier, OutboxRepository, PageRequest, Priority, Recipient,
    SearchCriteria, SlaFilter, TicketEdit, TicketId, Worker,
};

/// Monday 12 January 2026, 09:00 UTC: 10:00 in Paris, an hour into the default
/// calendar's working day (09:00-18:00 Paris, Monday to Friday).
fn monday_9() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 12, 9, 0, 0).unwrap()
}

fn at(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, day, hour, minute, 0).unwrap()
}

/// Normal tickets: first response in 2 working hours, resolution in 8; high ones in 1
/// and 4; due soon with less than an hour left.
fn policy() -> ServiceLevelPolicy {
    let mut policy = ServiceLevelPolicy::default();
    policy.targets.normal.first_response = Some(BusinessDuration::hours(2));
    policy.targets.normal.resolution = Some(BusinessDuration::hours(8));
    policy.targets.high.first_response = Some(BusinessDuration::hours(1));
    policy.targets.high.resolution = Some(BusinessDuration::hours(4));
    policy
}

/// Tenants acme (with the policy) and globex (none); alice requests in acme; sue
/// supervises acme; sam is an agent of the "Support" group.
async fn world() -> World {
    let w = Seed::in_memory()
        .at(monday_9())
        .two_tenants()
        .group("Support")
        .member_seed(MemberSeed::new("acme", "alice", MemberRole::Requester))
        .member_seed(MemberSeed::new("globex", "gus", MemberRole::Requester))
        .staff(StaffSeed::supervisor("sue").only(&["acme"]))
        .staff(StaffSeed::agent("sam").groups(&["Support"]))
        .build()
        .await
        .unwrap();
    set_policy(&w, policy()).await.unwrap();
    w
}

async fn set_policy(w: &World, policy: ServiceLevelPolicy) -> Result<(), Error> {
    let tenant = w.service.tenant(&w.root, w.tenant("acme")).await?;
    let mut settings = tenant.settings;
    settings.service_levels = policy;
    w.service
        .update_tenant(&w.root, tenant.id, &tenant.name, settings)
        .await
        .map(|_| ())
}

async fn open(w: &World, subject: &str, priority: Priority) -> TicketId {
    let mut new = draft(subject);
    new.priority = Some(priority);
    w.service
        .open(&w.actor("alice"), w.tenant("acme"), new, vec![])
        .await
        .unwrap()
        .id
}

async fn facts(w: &World, id: TicketId) -> TicketServiceLevel {
    w.service
        .ticket(&w.root, id)
        .await
        .unwrap()
        .ticket
        .service_level
}

async fn search(w: &World, sla: SlaFilter) -> Vec<TicketId> {
    let mut found: Vec<TicketId> = w
        .service
        .search(
            &w.actor("sue"),
            SearchCriteria {
                sla: Some(sla),
                ..SearchCriteria::default()
            },
            PageRequest::default(),
        )
        .await
        .unwrap()
        .tickets
        .into_iter()
        .map(|t| t.id)
        .collect();
    found.sort();
    found
}

fn sorted(mut ids: Vec<TicketId>) -> Vec<TicketId> {
    ids.sort();
    ids
}

#[tokio::test]
async fn a_ticket_is_given_its_due_dates_when_it_is_opened() {
    let w = world().await;
    let id = open(&w, "Imprimante en panne", Priority::Normal).await;
    let sla = facts(&w, id).await;
    // 10:00 Paris + 2 working hours = 12:00 Paris; + 8 = 18:00 Paris.
    assert_eq!(sla.due.first_response, Some(at(12, 11, 0)));
    assert_eq!(sla.due.resolution, Some(at(12, 17, 0)));
    assert_eq!(
        sla.due,
        policy()
            .due_at_opening(monday_9(), Priority::Normal)
            .unwrap()
    );
    let view = w.service.ticket(&w.actor("alice"), id).await.unwrap();
    let first = view.service_level.first_response.unwrap();
    assert_eq!(
        (first.due, first.status),
        (at(12, 11, 0), SlaStatus::OnTime)
    );

    // A low ticket has no target, and a tenant without a policy tracks nothing.
    let low = open(&w, "Question", Priority::Low).await;
    assert_eq!(facts(&w, low).await.due, Default::default());
    let gus = w
        .service
        .open(&w.actor("gus"), w.tenant("globex"), draft("Hello"), vec![])
        .await
        .unwrap();
    assert_eq!(gus.service_level.due, Default::default());
}

#[tokio::test]
async fn waiting_on_the_requester_extends_the_resolution_due_date() {
    let w = world().await;
    let id = open(&w, "Accès VPN", Priority::Normal).await;
    w.clock().advance(Duration::hours(1));
    // Asking is the first response, and it starts a pause.
    w.service
        .request_information(&w.actor("sam"), id, None, "<p>Quel poste ?</p>")
        .await
        .unwrap();
    let sla = facts(&w, id).await;
    assert_eq!(sla.first_response_at, Some(at(12, 10, 0)));
    assert_eq!(sla.paused_since(), Some(at(12, 10, 0)));
    w.clock().advance(Duration::hours(3));
    let view = w.service.ticket(&w.root, id).await.unwrap();
    assert_eq!(
        view.service_level.first_response.unwrap().status,
        SlaStatus::Met
    );
    assert_eq!(
        view.service_level.resolution.unwrap().status,
        SlaStatus::Paused
    );

    // The requester answers three working hours later: the resolution is due three
    // working hours later than it was, Tuesday 12:00 Paris.
    w.service
        .reply(&w.actor("alice"), id, None, "<p>Le PC-42</p>", vec![])
        .await
        .unwrap();
    let sla = facts(&w, id).await;
    assert_eq!(sla.paused_since(), None);
    assert_eq!(sla.due.resolution, Some(at(13, 11, 0)));
    assert_eq!(sla.due.first_response, Some(at(12, 11, 0)));
    // The stored dates are those of the pure functions over the same history.
    let ticket = w.service.ticket(&w.root, id).await.unwrap().ticket;
    let times = sla.times(ticket.created_at, ticket.priority);
    assert_eq!(
        policy().due_dates(&times, w.service.now()).unwrap(),
        sla.due
    );
    assert_eq!(
        policy().state(&times, w.service.now()).unwrap(),
        sla.state_at(w.service.now())
    );
}

#[tokio::test]
async fn a_priority_change_recomputes_the_due_dates_from_the_opening() {
    let w = world().await;
    let id = open(&w, "Serveur arrêté", Priority::Normal).await;
    w.clock().advance(Duration::minutes(90));
    w.service
        .edit(
            &w.actor("sue"),
            id,
            None,
            TicketEdit {
                priority: Some(Priority::High),
                ..TicketEdit::default()
            },
        )
        .await
        .unwrap();
    let sla = facts(&w, id).await;
    // Judged as a high ticket opened at 10:00 Paris: first response due 11:00 Paris,
    // already past; resolution due 14:00 Paris.
    assert_eq!(sla.due.first_response, Some(at(12, 10, 0)));
    assert_eq!(sla.due.resolution, Some(at(12, 13, 0)));
    let view = w.service.ticket(&w.root, id).await.unwrap();
    assert_eq!(
        view.service_level.first_response.unwrap().status,
        SlaStatus::Breached
    );
    assert_eq!(search(&w, SlaFilter::Breached).await, vec![id]);
}

#[tokio::test]
async fn search_finds_exactly_the_tickets_due_soon_and_breached() {
    let w = world().await;
    let late = open(&w, "En retard", Priority::High).await; // first response due 10:00 UTC
    let soon = open(&w, "Bientôt", Priority::Normal).await; // first response due 11:00 UTC
    w.clock().advance(Duration::minutes(30));
    let answered = open(&w, "Répondu", Priority::High).await; // due 10:30 UTC
    w.service
        .reply(&w.actor("sam"), answered, None, "<p>Vu</p>", vec![])
        .await
        .unwrap();
    let untracked = open(&w, "Sans objectif", Priority::Low).await;
    // 10:15 UTC: `late` is past due, `soon` has 45 minutes left (less than the hour of
    // warning), `answered` was answered in time, `untracked` has no target.
    w.clock().set(at(12, 10, 15));
    assert_eq!(search(&w, SlaFilter::Breached).await, vec![late]);
    assert_eq!(search(&w, SlaFilter::DueSoon).await, sorted(vec![soon]));
    let _ = untracked;

    // A ticket waiting on its requester since before its resolution is due is paused,
    // neither due soon nor breached, however long it waits.
    w.service
        .request_information(&w.actor("sam"), soon, None, "<p>Précisez</p>")
        .await
        .unwrap();
    w.clock().set(at(14, 9, 0));
    assert_eq!(search(&w, SlaFilter::DueSoon).await, Vec::<TicketId>::new());
    // `late` and `answered` (resolution due 14:30 Paris on Monday) are breached.
    assert_eq!(
        search(&w, SlaFilter::Breached).await,
        sorted(vec![late, answered])
    );
}

#[tokio::test]
async fn the_dashboard_gives_compliance_per_target_and_open_tickets_at_risk() {
    let w = world().await;
    let on_time = open(&w, "À l'heure", Priority::Normal).await; // first response due 11:00 UTC
    let late = open(&w, "En retard", Priority::Normal).await;
    w.service
        .reply(&w.actor("sam"), on_time, None, "<p>Vu</p>", vec![])
        .await
        .unwrap();
    w.clock().set(at(12, 12, 0));
    w.service
        .reply(&w.actor("sam"), late, None, "<p>Vu</p>", vec![])
        .await
        .unwrap();
    w.service
        .propose_closure(&w.actor("sam"), on_time, None, "<p>Réglé</p>")
        .await
        .unwrap();
    let _due_soon = open(&w, "Nouveau", Priority::High).await; // due 13:00 UTC
    let dashboard = w
        .service
        .dashboard(&w.actor("sue"), Some(w.tenant("acme")), None, 1)
        .await
        .unwrap();
    let figures = dashboard.service_levels;
    assert_eq!(
        (figures.first_response.on_time, figures.first_response.met),
        (1, 2)
    );
    assert_eq!(figures.first_response.percent, Some(50.0));
    assert_eq!((figures.resolution.on_time, figures.resolution.met), (1, 1));
    assert_eq!(figures.resolution.percent, Some(100.0));
    // `late` has its first response met late: breached; the new high ticket is due
    // soon (an hour of working time left, 12:00 to 13:00 UTC, is not less than the
    // warning... so move on five minutes).
    assert_eq!(figures.breached, 1);
    w.clock().advance(Duration::minutes(5));
    let dashboard = w
        .service
        .dashboard(&w.actor("sue"), Some(w.tenant("acme")), None, 1)
        .await
        .unwrap();
    assert_eq!(dashboard.service_levels.due_soon, 1);
}

#[tokio::test]
async fn a_policy_change_recomputes_open_tickets_and_a_bad_policy_is_refused() {
    let w = world().await;
    let id = open(&w, "Imprimante", Priority::Low).await;
    assert_eq!(facts(&w, id).await.due.resolution, None);
    let version = w.service.ticket(&w.root, id).await.unwrap().ticket.version;
    let mut changed = policy();
    changed.targets.low.resolution = Some(BusinessDuration::hours(1));
    set_policy(&w, changed.clone()).await.unwrap();
    let ticket = w.service.ticket(&w.root, id).await.unwrap().ticket;
    assert_eq!(ticket.service_level.due.resolution, Some(at(12, 10, 0)));
    assert_eq!(ticket.version, version, "a recomputation is not a change");

    let mut bad = changed.clone();
    bad.targets.high.resolution = Some(BusinessDuration::seconds(0));
    let err = set_policy(&w, bad).await.unwrap_err();
    assert!(
        matches!(&err, Error::Validation(v) if v.field == "service_levels.targets.high.resolution"),
        "{err:?}"
    );
    let tenant = w.service.tenant(&w.root, w.tenant("acme")).await.unwrap();
    assert_eq!(tenant.settings.service_levels, changed);
}

#[tokio::test]
async fn a_breach_is_escalated_once_to_the_group_and_the_supervisors_with_two_workers() {
    let w = world().await;
    let mut new = draft("Réseau coupé");
    new.priority = Some(Priority::High);
    let id = w
        .service
        .open(&w.actor("alice"), w.tenant("acme"), new, vec![])
        .await
        .unwrap()
        .id;
    w.service
        .assign(&w.actor("sue"), id, None, None, Some(w.group("Support")))
        .await
        .unwrap();
    let one = Worker::new(w.service.clone(), Arc::new(NoNotifier));
    let two = Worker::new(w.service.clone(), Arc::new(NoNotifier));
    let (a, b) = tokio::join!(one.run_once(), two.run_once());
    assert_eq!(
        a.breaches_escalated + b.breaches_escalated,
        0,
        "not yet due"
    );

    w.clock().set(at(12, 10, 1));
    let (a, b) = tokio::join!(one.run_once(), two.run_once());
    assert!(a.errors.is_empty() && b.errors.is_empty(), "{a:?} {b:?}");
    assert_eq!(a.breaches_escalated + b.breaches_escalated, 1);
    // The notification goes to the group and to sue, the tenant's supervisor.
    // (Far enough ahead that a failed delivery's backoff has passed; a short lease so
    // the worker below finds them again.)
    let later = w.service.now() + Duration::days(2);
    let queued = w
        .store()
        .claim_due_messages(later, w.service.now(), 100)
        .await
        .unwrap();
    let message = queued
        .iter()
        .find(|m| m.created_at == at(12, 10, 1))
        .expect("the escalation's message");
    let sue = w.staff("sue").id;
    assert_eq!(
        message.recipients,
        sorted_recipients(vec![
            Recipient::Group(w.group("Support")),
            Recipient::Staff(sue)
        ])
    );
    // Later passes, and the resolution's own breach later, each escalate once.
    let again = one.run_once().await;
    assert_eq!(again.breaches_escalated, 0);
    w.clock().set(at(12, 13, 1));
    let (a, b) = tokio::join!(one.run_once(), two.run_once());
    assert_eq!(a.breaches_escalated + b.breaches_escalated, 1);

    let view = w.service.ticket(&w.actor("sue"), id).await.unwrap();
    let escalations: Vec<_> = view
        .timeline
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::ServiceLevelBreached { target, due } => Some((e.id, target, due)),
            _ => None,
        })
        .collect();
    assert_eq!(
        escalations
            .iter()
            .map(|(_, t, d)| (*t, *d))
            .collect::<Vec<_>>(),
        vec![
            (SlaTarget::FirstResponse, at(12, 10, 0)),
            (SlaTarget::Resolution, at(12, 13, 0))
        ]
    );
    // Staff only: the requester sees neither the events nor the escalation times.
    let alice = w.service.ticket(&w.actor("alice"), id).await.unwrap();
    assert!(
        !alice
            .timeline
            .iter()
            .any(|e| matches!(e.kind, EventKind::ServiceLevelBreached { .. }))
    );
    assert_eq!(alice.ticket.service_level.escalated_at, Default::default());
}

fn sorted_recipients(mut r: Vec<Recipient>) -> Vec<Recipient> {
    r.sort();
    r
}
