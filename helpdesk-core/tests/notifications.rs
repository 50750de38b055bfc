//! Who is notified of what: the service over the in-memory store, its outbox delivered
//! to a mocked [`Notifier`]. Each test drains the outbox after setting a ticket up, so
//! the delivery it checks is the one event it is about.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{Duration, TimeZone, Utc};
use helpdesk_core::memory::MemoryStore;
use helpdesk_core::testing::{self, FaultyStore, MemberSeed, Seed, StaffSeed};
use helpdesk_core::{
    Actor, ActorRef, Answer, Category, Contact, ContactKind, ContactRef, DeliveryReport, Error,
    EventKind, HelpdeskService, MemberRole, NewTicket, Notification, NotificationTopic, Notifier,
    NotifyError, OutboxRepository, RequesterVisibility, StaffChanges, StaffRole, StoreError,
    TicketId, TicketRepository, UserId, WatcherPart, retry_delay,
};
use mockall::mock;

mock! {
    pub Mailer {}

    #[async_trait]
    impl Notifier for Mailer {
        async fn notify(&self, notification: &Notification) -> Result<(), NotifyError>;
    }
}

/// One tenant with its support: the group `Support` (Ann, Andy, and Ina who is
/// inactive), Otto in another group, Sue their supervisor; members Alice and Bob
/// (requesters), Gina (who gets invited) and Emma (tenant admin); and the category
/// `Support` routed to the group.
struct World {
    seeded: testing::World,
    support: Category,
}

impl std::ops::Deref for World {
    type Target = testing::World;
    fn deref(&self) -> &testing::World {
        &self.seeded
    }
}

async fn world() -> World {
    world_with(Seed::in_memory()).await
}

/// [`world`] seeded on `seed`'s service.
async fn world_with(seed: Seed) -> World {
    let staff = |name: &str, role| {
        let user = name.to_lowercase();
        StaffSeed::new(&user, role)
            .named(name)
            .email(&format!("{user}@support.example"))
            .only(&["acme"])
    };
    let member = |name: &str, role| {
        let user = name.to_lowercase();
        MemberSeed::new("acme", &user, role)
            .named(name)
            .email(Some(&format!("{user}@acme.example")))
    };
    let seeded = seed
        .at(Utc.with_ymd_and_hms(2025, 6, 15, 12, 0, 0).unwrap())
        .tenant("acme", "Acme")
        .group("Support")
        .group("Billing")
        .staff(staff("Ann", StaffRole::Agent).groups(&["Support"]))
        .staff(staff("Andy", StaffRole::Agent).groups(&["Support"]))
        .staff(
            staff("Ina", StaffRole::Agent)
                .groups(&["Support"])
                .inactive(),
        )
        .staff(staff("Otto", StaffRole::Agent).groups(&["Billing"]))
        .staff(staff("Sue", StaffRole::Supervisor))
        .member_seed(member("Alice", MemberRole::Requester))
        .member_seed(member("Bob", MemberRole::Requester))
        .member_seed(member("Gina", MemberRole::Requester))
        .member_seed(member("Emma", MemberRole::TenantAdmin))
        .build()
        .await
        .unwrap();
    let support = seeded
        .service
        .create_category(
            &seeded.root,
            seeded.tenant("acme"),
            None,
            "Support",
            Some(seeded.group("Support")),
        )
        .await
        .unwrap();
    World { seeded, support }
}

fn draft(subject: &str, w: &World) -> NewTicket {
    NewTicket {
        subject: subject.to_owned(),
        description: "<p>L'imprimante ne répond plus</p>".to_owned(),
        category: Some(w.support.id),
        ..Default::default()
    }
}

/// Delivers every due message to a mock that records what it is given; checks that
/// everything due was handled and nothing failed.
async fn deliver(w: &World) -> Vec<Notification> {
    let sent = Arc::new(Mutex::new(Vec::new()));
    let log = sent.clone();
    let mut mailer = MockMailer::new();
    mailer.expect_notify().returning(move |n| {
        log.lock().unwrap().push(n.clone());
        Ok(())
    });
    let report = w.service.deliver_notifications(&mailer, 100).await.unwrap();
    let sent = sent.lock().unwrap().clone();
    assert_eq!(
        (report.delivered, report.failed, report.dead_lettered),
        (sent.len(), 0, 0)
    );
    assert_eq!(w.store().outbox_len(), 0, "every due message was handled");
    sent
}

/// Delivers, expecting the notifier not to be called at all.
async fn deliver_nothing(w: &World) {
    let mut mailer = MockMailer::new();
    mailer.expect_notify().never();
    let report = w.service.deliver_notifications(&mailer, 100).await.unwrap();
    assert_eq!(report.delivered, 0);
    assert_eq!(report.failed, 0);
}

/// The one notification of the last event, of the expected kind.
async fn deliver_one(w: &World, kind: &str) -> Notification {
    let sent = deliver(w).await;
    assert_eq!(
        sent.len(),
        1,
        "one notification expected, got {:?}",
        sent.iter().map(|n| n.event.kind.name()).collect::<Vec<_>>()
    );
    let n = sent.into_iter().next().unwrap();
    assert_eq!(n.event.kind.name(), kind);
    n
}

/// The display names of a notification's contacts, sorted.
fn names(n: &Notification) -> Vec<&str> {
    let mut names: Vec<&str> = n.contacts.iter().map(|c| c.display_name.as_str()).collect();
    names.sort_unstable();
    names
}

/// A ticket Alice opened in the Support category, assigned to Ann, with Gina invited;
/// its notifications already delivered.
async fn assigned_ticket_with_guest(w: &World) -> TicketId {
    let ticket = w
        .service
        .open(
            &w.actor("alice"),
            w.tenant("acme"),
            draft("Imprimante bloquée", w),
            vec![],
        )
        .await
        .unwrap();
    w.service
        .assign(
            &w.actor("sue"),
            ticket.id,
            None,
            Some(w.staff("ann").id),
            None,
        )
        .await
        .unwrap();
    w.service
        .invite_guest(&w.actor("alice"), ticket.id, None, w.member("gina").id)
        .await
        .unwrap();
    deliver(w).await;
    ticket.id
}

/// Ann proposes to close the ticket.
async fn propose_closure(w: &World, id: TicketId) {
    w.service
        .propose_closure(&w.actor("ann"), id, None, "<p>Toner remplacé</p>")
        .await
        .unwrap();
}

fn answers(score: u8) -> BTreeMap<String, Answer> {
    BTreeMap::from([("overall".to_owned(), Answer::Score(score))])
}

#[tokio::test]
async fn opening_notifies_the_routed_groups_active_agents_but_not_the_requester() {
    let w = world().await;
    let ticket = w
        .service
        .open(
            &w.actor("alice"),
            w.tenant("acme"),
            draft("Imprimante bloquée", &w),
            vec![],
        )
        .await
        .unwrap();
    let n = deliver_one(&w, "opened").await;
    assert_eq!(
        names(&n),
        ["Andy", "Ann"],
        "the group's active agents; not Ina (inactive), not Otto (other group), not Alice"
    );
    assert_eq!(n.ticket, ticket.id);
    assert_eq!(n.tenant, w.tenant("acme"));
    assert_eq!(n.number.get(), 1);
    assert_eq!(n.subject, "Imprimante bloquée");
    assert!(n.contacts.contains(&Contact {
        recipient: ContactRef::Staff(w.staff("ann").id),
        display_name: "Ann".to_owned(),
        email: Some("ann@support.example".to_owned()),
        language: "fr".to_owned(),
        kind: ContactKind::Staff,
    }));
    deliver_nothing(&w).await;
}

#[tokio::test]
async fn opening_without_a_group_or_assignee_notifies_nobody() {
    let w = world().await;
    w.service
        .open(
            &w.actor("alice"),
            w.tenant("acme"),
            NewTicket {
                category: None,
                ..draft("Question", &w)
            },
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        w.store().outbox_len(),
        0,
        "nobody is concerned, nothing is queued"
    );
    deliver_nothing(&w).await;
}

#[tokio::test]
async fn opening_on_a_requesters_behalf_notifies_the_requester_and_the_group() {
    let w = world().await;
    w.service
        .open(
            &w.actor("sue"),
            w.tenant("acme"),
            NewTicket {
                requester: Some(w.member("alice").id),
                ..draft("Appel téléphonique", &w)
            },
            vec![],
        )
        .await
        .unwrap();
    let n = deliver_one(&w, "opened").await;
    assert_eq!(
        names(&n),
        ["Alice", "Andy", "Ann"],
        "not Sue, who opened it"
    );
}

#[tokio::test]
async fn a_staff_reply_notifies_the_requester_and_guests_but_not_its_author() {
    let w = world().await;
    let id = assigned_ticket_with_guest(&w).await;
    w.service
        .reply(
            &w.actor("ann"),
            id,
            None,
            "<p>Avez-vous redémarré ?</p>",
            vec![],
        )
        .await
        .unwrap();
    let n = deliver_one(&w, "replied").await;
    assert_eq!(names(&n), ["Alice", "Gina"]);
    assert_eq!(n.event.author, w.actor("ann").reference());
}

#[tokio::test]
async fn a_requester_reply_notifies_the_assignee_and_guests() {
    let w = world().await;
    let id = assigned_ticket_with_guest(&w).await;
    w.service
        .reply(
            &w.actor("alice"),
            id,
            None,
            "<p>Toujours bloqué</p>",
            vec![],
        )
        .await
        .unwrap();
    let n = deliver_one(&w, "replied").await;
    assert_eq!(
        names(&n),
        ["Ann", "Gina"],
        "the assignee, not the whole group, and not Alice"
    );
}

#[tokio::test]
async fn a_guest_reply_notifies_the_requester_and_the_assignee() {
    let w = world().await;
    let id = assigned_ticket_with_guest(&w).await;
    let gina = Actor::Member(w.member("gina").clone());
    w.service
        .reply(&gina, id, None, "<p>Chez moi aussi</p>", vec![])
        .await
        .unwrap();
    let n = deliver_one(&w, "replied").await;
    assert_eq!(names(&n), ["Alice", "Ann"]);
}

#[tokio::test]
async fn an_internal_note_reaches_the_staff_side_only() {
    let w = world().await;
    let id = assigned_ticket_with_guest(&w).await;
    w.service
        .add_note(
            &w.actor("sue"),
            id,
            None,
            "<p>Fournisseur relancé</p>",
            vec![],
        )
        .await
        .unwrap();
    let n = deliver_one(&w, "note_added").await;
    assert_eq!(names(&n), ["Ann"], "never Alice or Gina");
    assert!(
        n.contacts
            .iter()
            .all(|c| matches!(c.recipient, ContactRef::Staff(_)))
    );

    // The assignee's own note concerns nobody else on the staff side.
    w.service
        .add_note(&w.actor("ann"), id, None, "<p>Pour moi</p>", vec![])
        .await
        .unwrap();
    assert_eq!(w.store().outbox_len(), 0);
    deliver_nothing(&w).await;
}

#[tokio::test]
async fn an_internal_note_on_an_unassigned_ticket_reaches_the_groups_active_agents() {
    let w = world().await;
    let ticket = w
        .service
        .open(
            &w.actor("alice"),
            w.tenant("acme"),
            draft("Écran noir", &w),
            vec![],
        )
        .await
        .unwrap();
    w.service
        .invite_guest(&w.actor("alice"), ticket.id, None, w.member("gina").id)
        .await
        .unwrap();
    deliver(&w).await;
    w.service
        .add_note(
            &w.actor("sue"),
            ticket.id,
            None,
            "<p>Qui prend ?</p>",
            vec![],
        )
        .await
        .unwrap();
    let n = deliver_one(&w, "note_added").await;
    assert_eq!(names(&n), ["Andy", "Ann"]);
}

#[tokio::test]
async fn requesting_information_notifies_the_requester_and_guests() {
    let w = world().await;
    let id = assigned_ticket_with_guest(&w).await;
    w.service
        .request_information(&w.actor("ann"), id, None, "<p>Quel modèle ?</p>")
        .await
        .unwrap();
    let n = deliver_one(&w, "information_requested").await;
    assert_eq!(names(&n), ["Alice", "Gina"]);
}

#[tokio::test]
async fn proposing_closure_notifies_the_requester_and_guests() {
    let w = world().await;
    let id = assigned_ticket_with_guest(&w).await;
    propose_closure(&w, id).await;
    let n = deliver_one(&w, "closure_proposed").await;
    assert_eq!(names(&n), ["Alice", "Gina"]);
}

#[tokio::test]
async fn approving_closure_notifies_the_assignee_and_guests() {
    let w = world().await;
    let id = assigned_ticket_with_guest(&w).await;
    propose_closure(&w, id).await;
    deliver(&w).await;
    w.service
        .approve_closure(&w.actor("alice"), id, None, answers(9))
        .await
        .unwrap();
    let n = deliver_one(&w, "closure_approved").await;
    assert_eq!(names(&n), ["Ann", "Gina"]);
}

#[tokio::test]
async fn refusing_closure_notifies_the_assignee_and_guests() {
    let w = world().await;
    let id = assigned_ticket_with_guest(&w).await;
    propose_closure(&w, id).await;
    deliver(&w).await;
    w.service
        .refuse_closure(&w.actor("alice"), id, None, "<p>Ça bloque encore</p>")
        .await
        .unwrap();
    let n = deliver_one(&w, "closure_refused").await;
    assert_eq!(names(&n), ["Ann", "Gina"]);
}

#[tokio::test]
async fn cancelling_notifies_the_assignee_and_guests() {
    let w = world().await;
    let id = assigned_ticket_with_guest(&w).await;
    w.service
        .cancel(&w.actor("alice"), id, None, Some("<p>Doublon</p>"))
        .await
        .unwrap();
    let n = deliver_one(&w, "cancelled").await;
    assert_eq!(names(&n), ["Ann", "Gina"]);
}

#[tokio::test]
async fn reopening_notifies_the_other_side_and_guests() {
    let w = world().await;
    let id = assigned_ticket_with_guest(&w).await;
    let close = async || {
        w.service
            .propose_closure(&w.actor("ann"), id, None, "<p>Réglé</p>")
            .await
            .unwrap();
        w.service
            .approve_closure(&w.actor("alice"), id, None, answers(7))
            .await
            .unwrap();
        deliver(&w).await;
    };

    close().await;
    w.service
        .reopen(&w.actor("ann"), id, None, Some("<p>Erreur de ma part</p>"))
        .await
        .unwrap();
    let n = deliver_one(&w, "reopened").await;
    assert_eq!(
        names(&n),
        ["Alice", "Gina"],
        "staff reopen: the requester side"
    );

    close().await;
    w.service
        .reopen(&w.actor("alice"), id, None, Some("<p>Ça recommence</p>"))
        .await
        .unwrap();
    let n = deliver_one(&w, "reopened").await;
    assert_eq!(
        names(&n),
        ["Ann", "Gina"],
        "requester reopen: the assignee side"
    );
}

#[tokio::test]
async fn inviting_a_guest_notifies_the_new_guest_and_the_assignee() {
    let w = world().await;
    let ticket = w
        .service
        .open(
            &w.actor("alice"),
            w.tenant("acme"),
            draft("Imprimante bloquée", &w),
            vec![],
        )
        .await
        .unwrap();
    w.service
        .assign(
            &w.actor("sue"),
            ticket.id,
            None,
            Some(w.staff("ann").id),
            None,
        )
        .await
        .unwrap();
    deliver(&w).await;
    w.service
        .invite_guest(&w.actor("alice"), ticket.id, None, w.member("gina").id)
        .await
        .unwrap();
    let n = deliver_one(&w, "guest_invited").await;
    assert_eq!(names(&n), ["Ann", "Gina"], "not Alice, who invited");
}

#[tokio::test]
async fn reassigning_the_requester_notifies_the_new_one_and_not_the_old_one_who_lost_sight() {
    let w = world().await;
    let id = assigned_ticket_with_guest(&w).await;
    w.service
        .reassign_requester(&w.actor("emma"), id, None, w.member("bob").id)
        .await
        .unwrap();
    let n = deliver_one(&w, "requester_reassigned").await;
    assert_eq!(
        names(&n),
        ["Ann", "Bob", "Gina"],
        "Alice may no longer see the ticket, so she is not told about it"
    );
}

#[tokio::test]
async fn reassigning_the_requester_notifies_the_old_one_when_the_tenant_lets_them_see_it() {
    let w = world().await;
    let mut settings = w.tenant_record("acme").settings.clone();
    settings.requester_visibility = RequesterVisibility::WholeTenantReadOnly;
    w.service
        .update_tenant(
            &w.actor("emma"),
            w.tenant("acme"),
            &w.tenant_record("acme").name,
            settings,
        )
        .await
        .unwrap();
    let id = assigned_ticket_with_guest(&w).await;
    w.service
        .reassign_requester(&w.actor("emma"), id, None, w.member("bob").id)
        .await
        .unwrap();
    let n = deliver_one(&w, "requester_reassigned").await;
    assert_eq!(names(&n), ["Alice", "Ann", "Bob", "Gina"]);
}

#[tokio::test]
async fn blocked_members_are_left_out() {
    let w = world().await;
    let id = assigned_ticket_with_guest(&w).await;
    w.service
        .set_member_blocked(
            &w.actor("emma"),
            w.tenant("acme"),
            w.member("gina").id,
            true,
        )
        .await
        .unwrap();
    w.service
        .reply(
            &w.actor("ann"),
            id,
            None,
            "<p>Voici la procédure</p>",
            vec![],
        )
        .await
        .unwrap();
    let n = deliver_one(&w, "replied").await;
    assert_eq!(names(&n), ["Alice"], "Gina is blocked");

    w.service
        .set_member_blocked(
            &w.actor("emma"),
            w.tenant("acme"),
            w.member("alice").id,
            true,
        )
        .await
        .unwrap();
    w.service
        .reply(&w.actor("ann"), id, None, "<p>Encore une chose</p>", vec![])
        .await
        .unwrap();
    assert_eq!(w.store().outbox_len(), 1, "the message is queued");
    deliver_nothing(&w).await;
    assert_eq!(
        w.store().outbox_len(),
        0,
        "a message with nobody left to tell is settled, not retried"
    );
}

#[tokio::test]
async fn inactive_staff_are_left_out() {
    let w = world().await;
    let id = assigned_ticket_with_guest(&w).await;
    let ann = w.staff("ann").clone();
    let root = w
        .service
        .actor(&UserId::new("root").unwrap(), None)
        .await
        .unwrap();
    w.service
        .update_staff(
            &root,
            ann.id,
            StaffChanges {
                active: Some(false),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    w.service
        .reply(&w.actor("alice"), id, None, "<p>Quelqu'un ?</p>", vec![])
        .await
        .unwrap();
    let n = deliver_one(&w, "replied").await;
    assert_eq!(names(&n), ["Gina"], "Ann is no longer active");
}

#[tokio::test]
async fn a_failed_delivery_stays_in_the_outbox_and_is_delivered_once_after_the_backoff() {
    let w = world().await;
    let id = assigned_ticket_with_guest(&w).await;
    w.service
        .reply(&w.actor("ann"), id, None, "<p>Voici</p>", vec![])
        .await
        .unwrap();
    let queued = w
        .store()
        .claim_due_messages(w.service.now(), w.service.now(), 10)
        .await
        .unwrap()
        .pop()
        .expect("the reply's message is due");

    // The mail server is down twice in a row.
    for attempt in 1..=2u32 {
        let mut down = MockMailer::new();
        down.expect_notify()
            .withf(move |n| n.id == queued.id)
            .times(1)
            .returning(|_| Err(NotifyError("smtp: connection refused".to_owned())));
        let report = w.service.deliver_notifications(&down, 100).await.unwrap();
        assert_eq!(
            report,
            DeliveryReport {
                claimed: 1,
                delivered: 0,
                failed: 1,
                dead_lettered: 0,
                waiting: 0,
            }
        );
        assert_eq!(w.store().outbox_len(), 1, "the message stays in the outbox");
        let stored = w
            .store()
            .outbox_message(queued.id)
            .await
            .unwrap()
            .expect("the message stays");
        assert_eq!(stored.attempts, attempt);
        assert!(
            stored
                .last_error
                .as_deref()
                .is_some_and(|e| e.contains("connection refused")),
            "{:?}",
            stored.last_error
        );

        // Backing off: about one minute after the first failure, two after the second,
        // with the message's own jitter.
        let backoff = retry_delay(queued.id, attempt);
        assert_eq!(stored.next_attempt_at, w.service.now() + backoff);
        w.clock().advance(backoff - Duration::seconds(1));
        deliver_nothing(&w).await;
        w.clock().advance(Duration::seconds(1));
    }

    let sent = deliver(&w).await;
    assert_eq!(sent.len(), 1, "delivered once, when the server is back");
    assert_eq!(sent[0].id, queued.id, "the same message, not a copy");
    assert_eq!(names(&sent[0]), ["Alice", "Gina"]);
    w.clock().advance(Duration::hours(1));
    deliver_nothing(&w).await;
}

#[tokio::test]
async fn a_refused_command_queues_nothing() {
    let w = world().await;
    let id = assigned_ticket_with_guest(&w).await;
    let gina = Actor::Member(w.member("gina").clone());
    let bob = Actor::Member(w.member("bob").clone());

    let note = w
        .service
        .add_note(&w.actor("alice"), id, None, "<p>Je note</p>", vec![])
        .await;
    assert!(matches!(note, Err(Error::Forbidden(_))), "{note:?}");
    let proposal = w
        .service
        .propose_closure(&gina, id, None, "<p>Fini</p>")
        .await;
    assert!(matches!(proposal, Err(Error::Forbidden(_))), "{proposal:?}");
    let stranger = w
        .service
        .reply(&bob, id, None, "<p>Salut</p>", vec![])
        .await;
    assert!(matches!(stranger, Err(Error::NotFound(_))), "{stranger:?}");
    let other_group = w
        .service
        .reply(&w.actor("otto"), id, None, "<p>Salut</p>", vec![])
        .await;
    assert!(
        matches!(other_group, Err(Error::NotFound(_))),
        "{other_group:?}"
    );
    let stale = w
        .service
        .reply(&w.actor("ann"), id, Some(1), "<p>Trop tard</p>", vec![])
        .await;
    assert!(
        matches!(stale, Err(Error::VersionConflict { .. })),
        "{stale:?}"
    );
    let approval = w
        .service
        .approve_closure(&w.actor("alice"), id, None, answers(5))
        .await;
    assert!(
        matches!(approval, Err(Error::InvalidTransition { .. })),
        "{approval:?}"
    );
    let empty = w
        .service
        .reply(&w.actor("ann"), id, None, "<p> </p>", vec![])
        .await;
    assert!(matches!(empty, Err(Error::Validation(_))), "{empty:?}");

    assert_eq!(w.store().outbox_len(), 0, "refused commands queue nothing");
    deliver_nothing(&w).await;
    let timeline = w.store().timeline(id).await.unwrap();
    assert!(
        timeline
            .iter()
            .all(|e| !matches!(e.kind, EventKind::NoteAdded { .. })),
        "and append nothing"
    );
    assert!(
        timeline
            .iter()
            .all(|e| e.author != ActorRef::Member(w.member("bob").id))
    );
}

#[tokio::test]
async fn a_failure_to_mark_one_message_delivered_is_reported_and_loses_nothing() {
    let memory = Arc::new(MemoryStore::new());
    let store = Arc::new(FaultyStore::new(memory.clone()));
    let service = HelpdeskService::new(store.clone());
    let w = world_with(Seed::new(service).with_memory(memory)).await;
    for subject in ["Imprimante", "Scanner", "Badge"] {
        w.service
            .open(
                &w.actor("alice"),
                w.tenant("acme"),
                draft(subject, &w),
                vec![],
            )
            .await
            .unwrap();
    }
    let due: Vec<_> = w
        .store()
        .claim_due_messages(w.service.now(), w.service.now(), 10)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.id)
        .collect();
    assert_eq!(due.len(), 3, "one message per opening");

    // The notifier takes all three; marking the second one delivered fails.
    store.fail(
        "mark_delivered",
        2,
        StoreError::new("outbox row locked by another worker"),
    );
    let sent = Arc::new(Mutex::new(Vec::new()));
    let log = sent.clone();
    let mut mailer = MockMailer::new();
    mailer.expect_notify().returning(move |n| {
        log.lock().unwrap().push(n.id);
        Ok(())
    });
    let err = w
        .service
        .deliver_notifications(&mailer, 100)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Store(_)),
        "the failure is reported: {err:?}"
    );
    assert!(store.all_failed(), "the planned failure happened");
    assert_eq!(
        *sent.lock().unwrap(),
        due[..2],
        "the run stops at the failure: the third is not handed out"
    );
    assert_eq!(
        store.calls("mark_delivered"),
        2,
        "the first was marked, the second failed to be"
    );
    assert_eq!(
        w.store().outbox_len(),
        2,
        "nothing unmarked left the outbox"
    );

    // Before their claims' lease is over, nobody hands them out again (the worker may
    // still be at them); after it, the next run hands out what was not marked, at least
    // once, and only that.
    deliver_nothing(&w).await;
    w.clock()
        .advance(helpdesk_core::DeliverySettings::default().lease);
    let again: Vec<_> = deliver(&w).await.into_iter().map(|n| n.id).collect();
    assert_eq!(
        again,
        due[1..],
        "the unmarked one again (at least once) and the one never sent; not the marked one"
    );
    deliver_nothing(&w).await;
}

#[tokio::test]
async fn a_muted_topic_leaves_that_person_out_of_its_events_only() {
    let w = world().await;
    let id = assigned_ticket_with_guest(&w).await;
    let gina = w
        .service
        .set_muted_topics(
            &w.actor("gina"),
            [NotificationTopic::Replies, NotificationTopic::Replies],
        )
        .await
        .unwrap();
    assert_eq!(
        gina.as_member().unwrap().muted,
        [NotificationTopic::Replies].into(),
        "repeats are one topic"
    );
    w.service
        .reply(&w.actor("ann"), id, None, "<p>Je regarde</p>", vec![])
        .await
        .unwrap();
    assert_eq!(
        names(&deliver_one(&w, "replied").await),
        ["Alice"],
        "Gina muted replies: only Alice is told"
    );
    w.service
        .request_information(&w.actor("ann"), id, None, "<p>Quel modèle ?</p>")
        .await
        .unwrap();
    assert_eq!(
        names(&deliver_one(&w, "information_requested").await),
        ["Alice", "Gina"],
        "other topics still reach Gina"
    );
    // Everyone concerned muted the topic: the message goes nowhere and is done with.
    w.service
        .set_muted_topics(&w.actor("alice"), [NotificationTopic::Replies])
        .await
        .unwrap();
    w.service
        .reply(&w.actor("ann"), id, None, "<p>Toujours là ?</p>", vec![])
        .await
        .unwrap();
    deliver_nothing(&w).await;
    assert_eq!(
        w.store().outbox_len(),
        0,
        "a message nobody is left for is done"
    );
    // Unmuting tells them again.
    w.service
        .set_muted_topics(&w.actor("alice"), [])
        .await
        .unwrap();
    w.service
        .reply(&w.actor("ann"), id, None, "<p>Dernière relance</p>", vec![])
        .await
        .unwrap();
    assert_eq!(names(&deliver_one(&w, "replied").await), ["Alice"]);
}

#[tokio::test]
async fn staff_mute_internal_notes_for_themselves_only() {
    let w = world().await;
    let ticket = w
        .service
        .open(
            &w.actor("alice"),
            w.tenant("acme"),
            draft("Imprimante bloquée", &w),
            vec![],
        )
        .await
        .unwrap();
    deliver(&w).await;
    w.service
        .set_muted_topics(&w.actor("andy"), [NotificationTopic::Notes])
        .await
        .unwrap();
    w.service
        .add_note(
            &w.actor("sue"),
            ticket.id,
            None,
            "<p>Voir le contrat</p>",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(names(&deliver_one(&w, "note_added").await), ["Ann"]);
}

#[tokio::test]
async fn muting_an_unknown_or_blocked_person_changes_nothing() {
    let w = world().await;
    assert!(matches!(
        w.service
            .set_muted_topics(&Actor::System, [NotificationTopic::Opened])
            .await,
        Err(Error::Forbidden(_))
    ));
    let bob = w.member("bob");
    w.service
        .set_member_blocked(&w.actor("emma"), w.tenant("acme"), bob.id, true)
        .await
        .unwrap();
    let mut blocked = bob.clone();
    blocked.blocked = true;
    assert!(
        w.service
            .set_muted_topics(&Actor::Member(blocked), [NotificationTopic::Opened])
            .await
            .is_err(),
        "a blocked member may not change their record"
    );
    let stored = w
        .service
        .members(&w.actor("emma"), w.tenant("acme"))
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.id == bob.id)
        .unwrap();
    assert!(stored.muted.is_empty(), "nothing was written");
}

#[tokio::test]
async fn watchers_are_the_people_delivery_would_tell() {
    let w = world().await;
    let id = assigned_ticket_with_guest(&w).await;
    w.service
        .set_muted_topics(&w.actor("gina"), [NotificationTopic::Changes])
        .await
        .unwrap();
    let seen = w.service.watchers(&w.actor("ann"), id).await.unwrap();
    let parts: Vec<(&str, WatcherPart, bool)> = seen
        .iter()
        .map(|s| (s.display_name.as_str(), s.part, s.internal_notes))
        .collect();
    assert_eq!(
        parts,
        [
            ("Alice", WatcherPart::Requester, false),
            ("Gina", WatcherPart::Guest, false),
            ("Ann", WatcherPart::Assignee, true),
        ]
    );
    assert_eq!(seen[1].muted, Some([NotificationTopic::Changes].into()));
    assert_eq!(
        seen[0].reachable,
        Some(true),
        "staff read who has an address"
    );

    // A requester sees the same people, without their addresses or choices.
    let by_alice = w.service.watchers(&w.actor("alice"), id).await.unwrap();
    assert_eq!(by_alice.len(), 3);
    assert!(
        by_alice
            .iter()
            .all(|s| s.muted.is_none() && s.reachable.is_none())
    );

    // Unassigned, the group's active agents watch it; Ina (inactive) does not.
    w.service
        .assign(&w.actor("sue"), id, None, None, Some(w.group("Support")))
        .await
        .unwrap();
    let names: Vec<String> = w
        .service
        .watchers(&w.actor("emma"), id)
        .await
        .unwrap()
        .into_iter()
        .filter(|s| s.part == WatcherPart::GroupMember)
        .map(|s| s.display_name)
        .collect();
    assert_eq!(names, ["Andy", "Ann"]);

    // Someone who may not see the ticket learns nothing about it.
    assert!(matches!(
        w.service.watchers(&w.actor("bob"), id).await,
        Err(Error::NotFound(_))
    ));
    assert!(matches!(
        w.service.watchers(&w.actor("otto"), id).await,
        Err(Error::NotFound(_))
    ));
}
