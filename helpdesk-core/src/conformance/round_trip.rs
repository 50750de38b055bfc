//! Round trips: every state, event kind and attachment comes back as it was saved.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, Utc};

use super::fixtures::{
    Must, attachment, blank_ticket, days, directory, event, now, opened_event, rich,
};
use crate::attachment::Attachment;
use crate::ids::EventId;
use crate::people::ActorRef;
use crate::ports::{Store, TicketChange};
use crate::questionnaire::{Answer, Answers};
use crate::status::{Priority, Status};
use crate::ticket::{Closure, Ticket, TicketState};
use crate::timeline::{EventKind, FieldChange, TimelineEvent};

/// Round trips: a ticket with every field set comes back equal after every save, through
/// every state (with the data each carries: proposal, closure by approval with answers,
/// automatic, direct, cancellation); the timeline keeps every event kind, status
/// changes, authors and rich-text bodies, in the order appended (oldest first; events of
/// one save keep their order even when they share a time and their ids are not in
/// order); attachments come back whole, oldest first.
pub async fn saved_tickets_round_trip_every_state_event_and_attachment(store: &dyn Store) {
    let dir = directory(store).await;
    let tenant = &dir.tenants[0];
    let [alice, bernard, chloe, denis] = [0, 1, 2, 3].map(|i| dir.requesters[0][i].id);
    let admin = dir.admins[0].id;
    let agent = dir.staff[0].id;
    let supervisor = dir.staff[2].id;
    let (cat1, cat2) = (dir.categories[0][1].id, dir.categories[0][2].id);
    let (prod1, prod2) = (dir.products[0][0].id, dir.products[0][1].id);
    let (g1, g2) = (dir.groups[0].id, dir.groups[2].id);

    let start = now() - days(20) + Duration::milliseconds(123);
    let mut ticket = blank_ticket(tenant.id, alice, start);
    ticket.subject = "Clôture « impossible » : l'imprimante & le scanner".to_owned();
    ticket.description = rich(
        "<p>Bonjour,</p><p>L'<strong>imprimante</strong> du <em>2e</em> étage &amp; le scanner \
         ne marchent plus.</p><ul><li>Modèle : HP 4000</li></ul>\
         <p><a href=\"https://support.example/faq?id=1&amp;x=2\">FAQ</a></p>",
    );
    ticket.category = Some(cat1);
    ticket.product = Some(prod1);
    ticket.priority = Priority::High;
    ticket.group = Some(g1);
    // Not in id order, so a store that sorts guests fails.
    ticket.guests = vec![denis, chloe];
    ticket.contact_phone = Some("+33 1 23 45 67 89".to_owned());
    ticket.asset = Some("PC-0042 / salle B".to_owned());
    ticket.custom_fields = BTreeMap::from([
        ("numéro_poste".to_owned(), "12".to_owned()),
        ("site".to_owned(), "Lyon – Part-Dieu".to_owned()),
    ]);
    ticket.opened_by = ActorRef::Staff(supervisor);

    let first = opened_event(&ticket);
    let first_file = attachment(
        &first,
        "capture d'écran (1).png",
        5_000_000_000,
        ActorRef::Staff(supervisor),
    );
    ticket.number = store
        .open_ticket(TicketChange {
            ticket: &ticket,
            expected_version: 0,
            events: std::slice::from_ref(&first),
            outbox: &[],
            attachments: std::slice::from_ref(&first_file),
            request_fingerprint: None,
        })
        .await
        .must("opening the ticket");
    assert_eq!(
        store.ticket(ticket.id).await.must("reading the ticket"),
        Some(ticket.clone())
    );

    let mut timeline = vec![first];
    let mut files = vec![first_file];
    let staff = ActorRef::Staff(agent);
    let answers: Answers = BTreeMap::from([
        ("overall".to_owned(), Answer::Score(9)),
        (
            "human".to_owned(),
            Answer::Text("very_satisfied".to_owned()),
        ),
        (
            "comment".to_owned(),
            Answer::Text("Très bien, merci ! 10/10".to_owned()),
        ),
    ]);

    // Each step: how the ticket changes, and the events it appends (all at `at`).
    type Step = Box<
        dyn Fn(&mut Ticket, DateTime<Utc>) -> Vec<(ActorRef, EventKind, Option<(Status, Status)>)>,
    >;
    let steps: Vec<(&str, Step)> = vec![
        (
            "assigned and in progress",
            Box::new(move |t, _| {
                t.assignee = Some(agent);
                t.state = TicketState::InProgress;
                vec![(
                    staff,
                    EventKind::Assigned {
                        assignee: Some(agent),
                        group: Some(g1),
                    },
                    Some((Status::New, Status::InProgress)),
                )]
            }),
        ),
        (
            "a reply and a note",
            Box::new(move |_, _| {
                vec![
                    (
                        ActorRef::Member(alice),
                        EventKind::Replied {
                            body: rich("<p>Toujours <b>bloqué</b> &lt;urgent&gt;</p>"),
                        },
                        None,
                    ),
                    (
                        staff,
                        EventKind::NoteAdded {
                            body: rich("<p>Note interne : voir le fournisseur</p>"),
                        },
                        None,
                    ),
                ]
            }),
        ),
        (
            "information requested",
            Box::new(move |t, _| {
                t.state = TicketState::WaitingOnRequester;
                vec![(
                    staff,
                    EventKind::InformationRequested {
                        message: rich("<p>Pouvez-vous préciser le numéro de série ?</p>"),
                    },
                    Some((Status::InProgress, Status::WaitingOnRequester)),
                )]
            }),
        ),
        (
            "every field edited",
            Box::new(move |t, _| {
                let old = t.clone();
                t.subject = "Imprimante HS".to_owned();
                t.description = rich("<p>Nouvelle description</p>");
                t.priority = Priority::Blocking;
                t.product = Some(prod2);
                t.contact_phone = None;
                t.asset = Some("PC-0043".to_owned());
                t.custom_fields.remove("site");
                t.custom_fields
                    .insert("bâtiment".to_owned(), "B".to_owned());
                [
                    FieldChange::Subject {
                        from: old.subject.clone(),
                        to: t.subject.clone(),
                    },
                    FieldChange::Description {
                        from: old.description.clone(),
                        to: t.description.clone(),
                    },
                    FieldChange::Priority {
                        from: old.priority,
                        to: t.priority,
                    },
                    FieldChange::Product {
                        from: old.product,
                        to: t.product,
                    },
                    FieldChange::ContactPhone {
                        from: old.contact_phone.clone(),
                        to: None,
                    },
                    FieldChange::Asset {
                        from: old.asset.clone(),
                        to: t.asset.clone(),
                    },
                    FieldChange::CustomField {
                        key: "site".to_owned(),
                        from: Some("Lyon – Part-Dieu".to_owned()),
                        to: None,
                    },
                    FieldChange::CustomField {
                        key: "bâtiment".to_owned(),
                        from: None,
                        to: Some("B".to_owned()),
                    },
                ]
                .into_iter()
                .map(|change| (staff, EventKind::FieldEdited { change }, None))
                .collect()
            }),
        ),
        (
            "moved, unassigned, invited, reassigned",
            Box::new(move |t, _| {
                t.category = Some(cat2);
                t.group = Some(g2);
                t.assignee = None;
                t.guests = vec![denis, chloe, alice];
                t.requester = bernard;
                vec![
                    (
                        staff,
                        EventKind::CategoryMoved {
                            from: Some(cat1),
                            to: cat2,
                            group: Some(g2),
                        },
                        None,
                    ),
                    (
                        ActorRef::Staff(supervisor),
                        EventKind::Assigned {
                            assignee: None,
                            group: Some(g2),
                        },
                        None,
                    ),
                    (
                        ActorRef::Member(admin),
                        EventKind::RequesterReassigned {
                            from: alice,
                            to: bernard,
                        },
                        None,
                    ),
                    (
                        ActorRef::Member(bernard),
                        EventKind::GuestInvited { guest: alice },
                        None,
                    ),
                ]
            }),
        ),
        (
            "closure proposed",
            Box::new(move |t, at| {
                t.assignee = Some(agent);
                t.state = TicketState::PendingClosure {
                    proposed_at: at,
                    proposed_by: agent,
                };
                vec![(
                    staff,
                    EventKind::ClosureProposed {
                        solution: rich("<p>Solution : remplacer le toner.</p>"),
                    },
                    Some((Status::WaitingOnRequester, Status::PendingClosure)),
                )]
            }),
        ),
        (
            "closure refused",
            Box::new(move |t, _| {
                t.state = TicketState::InProgress;
                vec![(
                    ActorRef::Member(bernard),
                    EventKind::ClosureRefused {
                        justification: rich("<p>Le problème <i>persiste</i>.</p>"),
                    },
                    Some((Status::PendingClosure, Status::InProgress)),
                )]
            }),
        ),
        (
            "closure proposed again",
            Box::new(move |t, at| {
                t.state = TicketState::PendingClosure {
                    proposed_at: at,
                    proposed_by: agent,
                };
                vec![(
                    staff,
                    EventKind::ClosureProposed {
                        solution: rich("<p>Toner remplacé.</p>"),
                    },
                    Some((Status::InProgress, Status::PendingClosure)),
                )]
            }),
        ),
        (
            "closure approved with answers",
            Box::new({
                let answers = answers.clone();
                move |t, at| {
                    t.state = TicketState::Closed {
                        closed_at: at,
                        closure: Closure::Approved {
                            by: bernard,
                            answers: answers.clone(),
                        },
                    };
                    vec![(
                        ActorRef::Member(bernard),
                        EventKind::ClosureApproved {
                            answers: answers.clone(),
                        },
                        Some((Status::PendingClosure, Status::Closed)),
                    )]
                }
            }),
        ),
        (
            "reopened with a reason",
            Box::new(move |t, _| {
                t.state = TicketState::InProgress;
                vec![(
                    ActorRef::Member(bernard),
                    EventKind::Reopened {
                        reason: Some(rich("<p>Ça recommence</p>")),
                    },
                    Some((Status::Closed, Status::InProgress)),
                )]
            }),
        ),
        (
            "proposed and auto-approved",
            Box::new(move |t, at| {
                t.state = TicketState::Closed {
                    closed_at: at,
                    closure: Closure::AutoApproved,
                };
                vec![
                    (
                        staff,
                        EventKind::ClosureProposed {
                            solution: rich("<p>Pilote mis à jour.</p>"),
                        },
                        Some((Status::InProgress, Status::PendingClosure)),
                    ),
                    (
                        ActorRef::System,
                        EventKind::ClosureAutoApproved,
                        Some((Status::PendingClosure, Status::Closed)),
                    ),
                ]
            }),
        ),
        (
            "reopened without a reason",
            Box::new(move |t, _| {
                t.state = TicketState::InProgress;
                vec![(
                    ActorRef::Staff(supervisor),
                    EventKind::Reopened { reason: None },
                    Some((Status::Closed, Status::InProgress)),
                )]
            }),
        ),
        (
            "closed directly",
            Box::new(move |t, at| {
                t.state = TicketState::Closed {
                    closed_at: at,
                    closure: Closure::Direct { by: agent },
                };
                vec![(
                    staff,
                    EventKind::ClosedDirectly {
                        solution: rich("<p>Conflit réglé à l'amiable.</p>"),
                    },
                    Some((Status::InProgress, Status::Closed)),
                )]
            }),
        ),
        (
            "reopened and cancelled",
            Box::new(move |t, at| {
                t.state = TicketState::Cancelled { cancelled_at: at };
                vec![
                    (
                        staff,
                        EventKind::Reopened {
                            reason: Some(rich("<p>Erreur</p>")),
                        },
                        Some((Status::Closed, Status::InProgress)),
                    ),
                    (
                        ActorRef::Member(bernard),
                        EventKind::Cancelled { reason: None },
                        Some((Status::InProgress, Status::Cancelled)),
                    ),
                ]
            }),
        ),
        (
            "cancellation reason kept",
            Box::new(move |_, _| {
                vec![(
                    staff,
                    EventKind::Cancelled {
                        reason: Some(rich("<p>Doublon du n°12</p>")),
                    },
                    None,
                )]
            }),
        ),
    ];

    let mut kinds = BTreeSet::new();
    for (i, (name, step)) in steps.iter().enumerate() {
        let at = start + Duration::hours(i as i64 + 1) + Duration::milliseconds(7 * i as i64);
        let before = ticket.version;
        let changes = step(&mut ticket, at);
        ticket.version = before + 1;
        ticket.updated_at = at;
        if changes
            .iter()
            .any(|(_, kind, _)| !matches!(kind, EventKind::NoteAdded { .. }))
        {
            ticket.public_version += 1;
            ticket.public_updated_at = at;
        }
        // Ids made in reverse, so a store that orders events by id fails.
        let mut ids: Vec<EventId> = changes.iter().map(|_| EventId::new()).collect();
        ids.reverse();
        let events: Vec<TimelineEvent> = changes
            .into_iter()
            .zip(ids)
            .map(|((author, kind, change), id)| {
                kinds.insert(kind.name());
                TimelineEvent {
                    id,
                    ..event(&ticket, at, author, kind, change)
                }
            })
            .collect();
        let new_files: Vec<Attachment> = events
            .iter()
            .filter(|e| e.body().is_some())
            .take(1)
            .map(|e| attachment(e, &format!("pièce {i}.pdf"), 100 + i as u64, e.author))
            .collect();
        store
            .save_ticket(TicketChange {
                ticket: &ticket,
                expected_version: before,
                events: &events,
                outbox: &[],
                attachments: &new_files,
                request_fingerprint: None,
            })
            .await
            .must(&format!("saving step {name}"));
        timeline.extend(events);
        files.extend(new_files);
        assert_eq!(
            store.ticket(ticket.id).await.must("reading the ticket"),
            Some(ticket.clone()),
            "after {name}: the ticket reads back equal"
        );
        assert_eq!(
            store.timeline(ticket.id).await.must("reading the timeline"),
            timeline,
            "after {name}: the timeline reads back equal, in the order appended"
        );
        assert_eq!(
            store
                .attachments(ticket.id)
                .await
                .must("reading attachments"),
            files,
            "after {name}: attachments read back equal, oldest first"
        );
    }
    kinds.insert(EventKind::Opened.name());
    assert_eq!(kinds.len(), 16, "every event kind was stored: {kinds:?}");
    for file in &files {
        assert_eq!(
            store
                .attachment(file.id)
                .await
                .must("reading an attachment")
                .as_ref(),
            Some(file)
        );
    }
    assert_eq!(
        store
            .ticket_by_number(tenant.id, ticket.number)
            .await
            .must("reading by number"),
        Some(ticket.clone())
    );
}
