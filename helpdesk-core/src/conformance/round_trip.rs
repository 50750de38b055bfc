//! Round trips: every state, event kind and attachment comes back as it was saved.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, Utc};

use super::fixtures::{
    Directory, Must, attachment, blank_ticket, days, directory, event, now, opened_event, opening,
    rich,
};
use crate::attachment::Attachment;
use crate::ids::{CategoryId, EventId, GroupId, MemberId, ProductId, StaffId, TenantId};
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
    let cast = Cast::of(&dir);
    let start = now() - days(20) + Duration::milliseconds(123);
    let mut ticket = ticket_with_every_field(&cast, dir.tenants[0].id, start);
    let (mut timeline, mut files) = open_and_read_back(store, &mut ticket, cast.supervisor).await;

    let mut kinds = BTreeSet::new();
    for (i, (name, step)) in STEPS.iter().enumerate() {
        let at = start + Duration::hours(i as i64 + 1) + Duration::milliseconds(7 * i as i64);
        let before = ticket.version;
        let events = apply_step(&cast, &mut ticket, *step, at);
        kinds.extend(events.iter().map(|e| e.kind.name()));
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
        assert_step_reads_back(store, &ticket, &timeline, &files, name).await;
    }
    kinds.insert(EventKind::Opened.name());
    assert_eq!(kinds.len(), 16, "every event kind was stored: {kinds:?}");
    assert_attachments_and_number_read_back(store, &ticket, &files).await;
}

/// The people, groups and catalog entries the round trip's ticket passes between.
#[derive(Clone, Copy)]
struct Cast {
    alice: MemberId,
    bernard: MemberId,
    chloe: MemberId,
    denis: MemberId,
    admin: MemberId,
    agent: StaffId,
    supervisor: StaffId,
    cat1: CategoryId,
    cat2: CategoryId,
    prod1: ProductId,
    prod2: ProductId,
    g1: GroupId,
    g2: GroupId,
}

impl Cast {
    fn of(dir: &Directory) -> Self {
        let [alice, bernard, chloe, denis] = [0, 1, 2, 3].map(|i| dir.requesters[0][i].id);
        Self {
            alice,
            bernard,
            chloe,
            denis,
            admin: dir.admins[0].id,
            agent: dir.staff[0].id,
            supervisor: dir.staff[2].id,
            cat1: dir.categories[0][1].id,
            cat2: dir.categories[0][2].id,
            prod1: dir.products[0][0].id,
            prod2: dir.products[0][1].id,
            g1: dir.groups[0].id,
            g2: dir.groups[2].id,
        }
    }

    /// The agent, as the author of most events.
    fn staff(&self) -> ActorRef {
        ActorRef::Staff(self.agent)
    }
}

/// A ticket with every field set, with accents and markup, opened by a supervisor.
fn ticket_with_every_field(cast: &Cast, tenant: TenantId, start: DateTime<Utc>) -> Ticket {
    let mut ticket = blank_ticket(tenant, cast.alice, start);
    ticket.subject = "Clôture « impossible » : l'imprimante & le scanner".to_owned();
    ticket.description = rich(
        "<p>Bonjour,</p><p>L'<strong>imprimante</strong> du <em>2e</em> étage &amp; le scanner \
         ne marchent plus.</p><ul><li>Modèle : HP 4000</li></ul>\
         <p><a href=\"https://support.example/faq?id=1&amp;x=2\">FAQ</a></p>",
    );
    ticket.category = Some(cast.cat1);
    ticket.product = Some(cast.prod1);
    ticket.priority = Priority::High;
    ticket.group = Some(cast.g1);
    // Not in id order, so a store that sorts guests fails.
    ticket.guests = vec![cast.denis, cast.chloe];
    ticket.contact_phone = Some("+33 1 23 45 67 89".to_owned());
    ticket.asset = Some("PC-0042 / salle B".to_owned());
    ticket.custom_fields = BTreeMap::from([
        ("numéro_poste".to_owned(), "12".to_owned()),
        ("site".to_owned(), "Lyon – Part-Dieu".to_owned()),
    ]);
    ticket.opened_by = ActorRef::Staff(cast.supervisor);
    ticket
}

/// Opens `ticket` with a large attachment, sets its number and checks it reads back;
/// returns the timeline and the attachments so far.
async fn open_and_read_back(
    store: &dyn Store,
    ticket: &mut Ticket,
    supervisor: StaffId,
) -> (Vec<TimelineEvent>, Vec<Attachment>) {
    let first = opened_event(ticket);
    let first_file = attachment(
        &first,
        "capture d'écran (1).png",
        5_000_000_000,
        ActorRef::Staff(supervisor),
    );
    ticket.number = store
        .open_ticket(TicketChange {
            attachments: std::slice::from_ref(&first_file),
            ..opening(ticket, &first)
        })
        .await
        .must("opening the ticket");
    assert_eq!(
        store.ticket(ticket.id).await.must("reading the ticket"),
        Some(ticket.clone())
    );
    (vec![first], vec![first_file])
}

/// Applies `step` to the ticket at `at` (its version, update times and public version
/// follow) and returns the events it appends. Their ids are made in reverse, so a store
/// that orders events by id fails.
fn apply_step(
    cast: &Cast,
    ticket: &mut Ticket,
    step: Step,
    at: DateTime<Utc>,
) -> Vec<TimelineEvent> {
    let before = ticket.version;
    let changes = step(cast, ticket, at);
    ticket.version = before + 1;
    ticket.updated_at = at;
    if changes
        .iter()
        .any(|(_, kind, _)| !matches!(kind, EventKind::NoteAdded { .. }))
    {
        ticket.public_version += 1;
        ticket.public_updated_at = at;
    }
    let mut ids: Vec<EventId> = changes.iter().map(|_| EventId::new()).collect();
    ids.reverse();
    changes
        .into_iter()
        .zip(ids)
        .map(|((author, kind, change), id)| TimelineEvent {
            id,
            ..event(ticket, at, author, kind, change)
        })
        .collect()
}

/// After a step: the ticket, the timeline (in the order appended) and the attachments
/// (oldest first) read back equal.
async fn assert_step_reads_back(
    store: &dyn Store,
    ticket: &Ticket,
    timeline: &[TimelineEvent],
    files: &[Attachment],
    name: &str,
) {
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

/// At the end: each attachment reads back by id, the ticket by its number.
async fn assert_attachments_and_number_read_back(
    store: &dyn Store,
    ticket: &Ticket,
    files: &[Attachment],
) {
    for file in files {
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
            .ticket_by_number(ticket.tenant, ticket.number)
            .await
            .must("reading by number"),
        Some(ticket.clone())
    );
}

/// One event a step appends: its author, kind and status change.
type Change = (ActorRef, EventKind, Option<(Status, Status)>);

/// A step of the round trip: how the ticket changes, and the events it appends (all at
/// the given time).
type Step = fn(&Cast, &mut Ticket, DateTime<Utc>) -> Vec<Change>;

/// The steps, in order, by name.
const STEPS: [(&str, Step); 15] = [
    ("assigned and in progress", assigned_and_in_progress),
    ("a reply and a note", a_reply_and_a_note),
    ("information requested", information_requested),
    ("every field edited", every_field_edited),
    (
        "moved, unassigned, invited, reassigned",
        moved_unassigned_invited_reassigned,
    ),
    ("closure proposed", closure_proposed),
    ("closure refused", closure_refused),
    ("closure proposed again", closure_proposed_again),
    (
        "closure approved with answers",
        closure_approved_with_answers,
    ),
    ("reopened with a reason", reopened_with_a_reason),
    ("proposed and auto-approved", proposed_and_auto_approved),
    ("reopened without a reason", reopened_without_a_reason),
    ("closed directly", closed_directly),
    ("reopened and cancelled", reopened_and_cancelled),
    ("cancellation reason kept", cancellation_reason_kept),
];

fn assigned_and_in_progress(c: &Cast, t: &mut Ticket, _: DateTime<Utc>) -> Vec<Change> {
    t.assignee = Some(c.agent);
    t.state = TicketState::InProgress;
    vec![(
        c.staff(),
        EventKind::Assigned {
            assignee: Some(c.agent),
            group: Some(c.g1),
        },
        Some((Status::New, Status::InProgress)),
    )]
}

fn a_reply_and_a_note(c: &Cast, _: &mut Ticket, _: DateTime<Utc>) -> Vec<Change> {
    vec![
        (
            ActorRef::Member(c.alice),
            EventKind::Replied {
                body: rich("<p>Toujours <b>bloqué</b> &lt;urgent&gt;</p>"),
            },
            None,
        ),
        (
            c.staff(),
            EventKind::NoteAdded {
                body: rich("<p>Note interne : voir le fournisseur</p>"),
            },
            None,
        ),
    ]
}

fn information_requested(c: &Cast, t: &mut Ticket, _: DateTime<Utc>) -> Vec<Change> {
    t.state = TicketState::WaitingOnRequester;
    vec![(
        c.staff(),
        EventKind::InformationRequested {
            message: rich("<p>Pouvez-vous préciser le numéro de série ?</p>"),
        },
        Some((Status::InProgress, Status::WaitingOnRequester)),
    )]
}

fn every_field_edited(c: &Cast, t: &mut Ticket, _: DateTime<Utc>) -> Vec<Change> {
    let old = t.clone();
    t.subject = "Imprimante HS".to_owned();
    t.description = rich("<p>Nouvelle description</p>");
    t.priority = Priority::Blocking;
    t.product = Some(c.prod2);
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
    .map(|change| (c.staff(), EventKind::FieldEdited { change }, None))
    .collect()
}

fn moved_unassigned_invited_reassigned(c: &Cast, t: &mut Ticket, _: DateTime<Utc>) -> Vec<Change> {
    t.category = Some(c.cat2);
    t.group = Some(c.g2);
    t.assignee = None;
    t.guests = vec![c.denis, c.chloe, c.alice];
    t.requester = c.bernard;
    vec![
        (
            c.staff(),
            EventKind::CategoryMoved {
                from: Some(c.cat1),
                to: c.cat2,
                group: Some(c.g2),
            },
            None,
        ),
        (
            ActorRef::Staff(c.supervisor),
            EventKind::Assigned {
                assignee: None,
                group: Some(c.g2),
            },
            None,
        ),
        (
            ActorRef::Member(c.admin),
            EventKind::RequesterReassigned {
                from: c.alice,
                to: c.bernard,
            },
            None,
        ),
        (
            ActorRef::Member(c.bernard),
            EventKind::GuestInvited { guest: c.alice },
            None,
        ),
    ]
}

fn closure_proposed(c: &Cast, t: &mut Ticket, at: DateTime<Utc>) -> Vec<Change> {
    t.assignee = Some(c.agent);
    t.state = TicketState::PendingClosure {
        proposed_at: at,
        proposed_by: c.agent,
    };
    vec![(
        c.staff(),
        EventKind::ClosureProposed {
            solution: rich("<p>Solution : remplacer le toner.</p>"),
        },
        Some((Status::WaitingOnRequester, Status::PendingClosure)),
    )]
}

fn closure_refused(c: &Cast, t: &mut Ticket, _: DateTime<Utc>) -> Vec<Change> {
    t.state = TicketState::InProgress;
    vec![(
        ActorRef::Member(c.bernard),
        EventKind::ClosureRefused {
            justification: rich("<p>Le problème <i>persiste</i>.</p>"),
        },
        Some((Status::PendingClosure, Status::InProgress)),
    )]
}

fn closure_proposed_again(c: &Cast, t: &mut Ticket, at: DateTime<Utc>) -> Vec<Change> {
    t.state = TicketState::PendingClosure {
        proposed_at: at,
        proposed_by: c.agent,
    };
    vec![(
        c.staff(),
        EventKind::ClosureProposed {
            solution: rich("<p>Toner remplacé.</p>"),
        },
        Some((Status::InProgress, Status::PendingClosure)),
    )]
}

/// The questionnaire answers of the approved closure: a score and texts with accents.
fn satisfaction_answers() -> Answers {
    BTreeMap::from([
        ("overall".to_owned(), Answer::Score(9)),
        (
            "human".to_owned(),
            Answer::Text("very_satisfied".to_owned()),
        ),
        (
            "comment".to_owned(),
            Answer::Text("Très bien, merci ! 10/10".to_owned()),
        ),
    ])
}

fn closure_approved_with_answers(c: &Cast, t: &mut Ticket, at: DateTime<Utc>) -> Vec<Change> {
    t.state = TicketState::Closed {
        closed_at: at,
        closure: Closure::Approved {
            by: c.bernard,
            answers: satisfaction_answers(),
        },
    };
    vec![(
        ActorRef::Member(c.bernard),
        EventKind::ClosureApproved {
            answers: satisfaction_answers(),
        },
        Some((Status::PendingClosure, Status::Closed)),
    )]
}

fn reopened_with_a_reason(c: &Cast, t: &mut Ticket, _: DateTime<Utc>) -> Vec<Change> {
    t.state = TicketState::InProgress;
    vec![(
        ActorRef::Member(c.bernard),
        EventKind::Reopened {
            reason: Some(rich("<p>Ça recommence</p>")),
        },
        Some((Status::Closed, Status::InProgress)),
    )]
}

fn proposed_and_auto_approved(c: &Cast, t: &mut Ticket, at: DateTime<Utc>) -> Vec<Change> {
    t.state = TicketState::Closed {
        closed_at: at,
        closure: Closure::AutoApproved,
    };
    vec![
        (
            c.staff(),
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
}

fn reopened_without_a_reason(c: &Cast, t: &mut Ticket, _: DateTime<Utc>) -> Vec<Change> {
    t.state = TicketState::InProgress;
    vec![(
        ActorRef::Staff(c.supervisor),
        EventKind::Reopened { reason: None },
        Some((Status::Closed, Status::InProgress)),
    )]
}

fn closed_directly(c: &Cast, t: &mut Ticket, at: DateTime<Utc>) -> Vec<Change> {
    t.state = TicketState::Closed {
        closed_at: at,
        closure: Closure::Direct { by: c.agent },
    };
    vec![(
        c.staff(),
        EventKind::ClosedDirectly {
            solution: rich("<p>Conflit réglé à l'amiable.</p>"),
        },
        Some((Status::InProgress, Status::Closed)),
    )]
}

fn reopened_and_cancelled(c: &Cast, t: &mut Ticket, at: DateTime<Utc>) -> Vec<Change> {
    t.state = TicketState::Cancelled { cancelled_at: at };
    vec![
        (
            c.staff(),
            EventKind::Reopened {
                reason: Some(rich("<p>Erreur</p>")),
            },
            Some((Status::Closed, Status::InProgress)),
        ),
        (
            ActorRef::Member(c.bernard),
            EventKind::Cancelled { reason: None },
            Some((Status::InProgress, Status::Cancelled)),
        ),
    ]
}

fn cancellation_reason_kept(c: &Cast, _: &mut Ticket, _: DateTime<Utc>) -> Vec<Change> {
    vec![(
        c.staff(),
        EventKind::Cancelled {
            reason: Some(rich("<p>Doublon du n°12</p>")),
        },
        None,
    )]
}
