//! Opening and saving tickets: numbering, idempotent opens, optimistic concurrency.

use chrono::Duration;

use super::fixtures::{
    Directory, Must, attachment, blank_ticket, days, directory, event, now, opened_event, opening,
    outbox_message, rich,
};
use crate::attachment::Attachment;
use crate::error::{Entity, Error};
use crate::ids::{AttachmentId, EventId, MemberId, StaffId, TenantId, TicketId, TicketNumber};
use crate::notify::{OutboxMessage, Recipient};
use crate::people::ActorRef;
use crate::ports::{Store, TicketChange};
use crate::status::{Priority, Status};
use crate::ticket::{Ticket, TicketState};
use crate::timeline::{EventKind, FieldChange, TimelineEvent};

/// A ticket as opened, with the opening event, message and attachment it carried.
type Opened = (Ticket, TimelineEvent, OutboxMessage, Attachment);

/// Opening: each tenant numbers its tickets 1, 2, 3... on its own; the number is
/// returned and stored; the ticket, its first event, its outbox messages and its
/// attachments are all stored; lookups by number are scoped to the tenant; opening a
/// ticket id already taken (a retried idempotent open) is [`Error::AlreadyExists`] and
/// writes nothing.
pub async fn opened_tickets_are_numbered_per_tenant_with_everything_they_carry(store: &dyn Store) {
    let dir = directory(store).await;
    let opened = open_in_interleaved_tenants(store, &dir).await;
    let numbers: Vec<(usize, u64)> = opened
        .iter()
        .map(|(t, ..)| (dir.index_of(t.tenant), t.number.get()))
        .collect();
    assert_eq!(
        numbers,
        vec![(0, 1), (1, 1), (0, 2), (0, 3), (1, 2)],
        "each tenant numbers its tickets 1, 2, 3... independently"
    );
    assert_opened_read_back(store, &opened).await;
    assert_a_taken_id_is_refused_whole(store, &opened, dir.staff[0].id).await;
    assert_numbers_go_on_after_a_refused_open(store, dir.tenants[0].id, dir.requesters[0][0].id)
        .await;
    assert_lookups_by_number_stay_in_their_tenant(store, &dir).await;
}

/// Opens five tickets, alternating tenants (alpha, bravo, alpha, alpha, bravo), each with
/// an outbox message and an attachment.
async fn open_in_interleaved_tenants(store: &dyn Store, dir: &Directory) -> Vec<Opened> {
    let (a, b) = (&dir.tenants[0], &dir.tenants[1]);
    let agent = &dir.staff[0];
    let mut opened: Vec<Opened> = Vec::new();
    for (i, tenant) in [a, b, a, a, b].into_iter().enumerate() {
        let t_ix = dir.index_of(tenant.id);
        let requester = &dir.requesters[t_ix][i % 4];
        let mut ticket = blank_ticket(
            tenant.id,
            requester.id,
            now() - Duration::hours(10 - i as i64) + Duration::milliseconds(i as i64 * 111),
        );
        ticket.subject = format!("Demande {i}");
        ticket.group = Some(dir.groups[0].id);
        let first = opened_event(&ticket);
        let message = outbox_message(
            &ticket,
            &first,
            vec![
                Recipient::Group(dir.groups[0].id),
                Recipient::Staff(agent.id),
            ],
        );
        let file = attachment(
            &first,
            "capture écran.png",
            2048 + i as u64,
            ticket.opened_by,
        );
        let number = store
            .open_ticket(TicketChange {
                outbox: std::slice::from_ref(&message),
                attachments: std::slice::from_ref(&file),
                ..opening(&ticket, &first)
            })
            .await
            .must("opening a ticket");
        ticket.number = number;
        opened.push((ticket, first, message, file));
    }
    opened
}

/// Every opened ticket reads back whole, by id and by number, with its event,
/// attachment and message; there is one message per opening.
async fn assert_opened_read_back(store: &dyn Store, opened: &[Opened]) {
    for (ticket, first, message, file) in opened {
        assert_eq!(
            store
                .ticket(ticket.id)
                .await
                .must("reading a ticket")
                .as_ref(),
            Some(ticket),
            "an opened ticket reads back whole, with its number"
        );
        assert_eq!(
            store
                .ticket_by_number(ticket.tenant, ticket.number)
                .await
                .must("reading a ticket by number")
                .as_ref(),
            Some(ticket),
            "an opened ticket is found by its tenant and number"
        );
        assert_eq!(
            store.timeline(ticket.id).await.must("reading a timeline"),
            vec![first.clone()],
            "the opening event is stored"
        );
        assert_read_in_its_tenant(store, ticket, first, file).await;
        assert_eq!(
            store
                .attachments(ticket.id)
                .await
                .must("reading attachments"),
            vec![file.clone()],
            "the opening's attachments are stored"
        );
        assert_eq!(
            store
                .attachment(file.id)
                .await
                .must("reading an attachment")
                .as_ref(),
            Some(file)
        );
        assert_attachment_among_tenants(store, file).await;
        let due = store
            .claim_due_messages(now() + days(1), now() + days(1), 100)
            .await
            .must("reading the outbox");
        assert!(
            due.contains(message),
            "the opening's outbox message is stored: {message:?} not in {due:?}"
        );
    }
    let due = store
        .claim_due_messages(now() + days(1), now() + days(1), 100)
        .await
        .must("reading the outbox");
    assert_eq!(due.len(), opened.len(), "one outbox message per opening");
}

/// Opening a ticket id that is taken (a retried idempotent open) is refused whole.
async fn assert_a_taken_id_is_refused_whole(store: &dyn Store, opened: &[Opened], agent: StaffId) {
    let (first_ticket, first_event, _, first_file) = &opened[0];
    let mut retry = first_ticket.clone();
    retry.number = TicketNumber::new(0);
    retry.subject = "Retried".to_owned();
    let retry_event = opened_event(&retry);
    let retry_message = outbox_message(&retry, &retry_event, vec![Recipient::Staff(agent)]);
    let retry_file = attachment(&retry_event, "retry.png", 1, retry.opened_by);
    match store
        .open_ticket(TicketChange {
            outbox: std::slice::from_ref(&retry_message),
            attachments: std::slice::from_ref(&retry_file),
            ..opening(&retry, &retry_event)
        })
        .await
    {
        Err(Error::AlreadyExists(Entity::Ticket)) => {}
        other => panic!(
            "opening a ticket whose id is taken must be AlreadyExists(Ticket), got {other:?}"
        ),
    }
    assert_eq!(
        store
            .ticket(first_ticket.id)
            .await
            .must("reading a ticket")
            .as_ref(),
        Some(first_ticket),
        "a refused open leaves the existing ticket as it was"
    );
    assert_eq!(
        store
            .timeline(first_ticket.id)
            .await
            .must("reading a timeline"),
        vec![first_event.clone()],
        "a refused open appends no event"
    );
    assert_eq!(
        store
            .attachments(first_ticket.id)
            .await
            .must("reading attachments"),
        vec![first_file.clone()],
        "a refused open records no attachment"
    );
    assert_eq!(
        store
            .claim_due_messages(now() + days(1), now() + days(1), 100)
            .await
            .must("reading the outbox")
            .len(),
        opened.len(),
        "a refused open queues no message"
    );
}

/// After a refused open, alpha's next ticket gets a number above those it had.
async fn assert_numbers_go_on_after_a_refused_open(
    store: &dyn Store,
    tenant: TenantId,
    requester: MemberId,
) {
    let mut after_retry = blank_ticket(tenant, requester, now());
    let after_event = opened_event(&after_retry);
    after_retry.number = store
        .open_ticket(opening(&after_retry, &after_event))
        .await
        .must("opening after a refused open");
    assert!(
        after_retry.number > TicketNumber::new(3),
        "numbers keep increasing after a refused open: got {}",
        after_retry.number
    );
}

/// Read with its tenant, a ticket, its timeline, one of its events and its attachments
/// are found by their key; read with another tenant, nothing is.
async fn assert_read_in_its_tenant(
    store: &dyn Store,
    ticket: &Ticket,
    first: &TimelineEvent,
    file: &Attachment,
) {
    let elsewhere = TenantId::new();
    assert_eq!(
        store
            .ticket_in(ticket.tenant, ticket.id)
            .await
            .must("reading a ticket")
            .as_ref(),
        Some(ticket),
        "a ticket is found in its tenant"
    );
    assert_eq!(
        store
            .ticket_in(elsewhere, ticket.id)
            .await
            .must("reading a ticket"),
        None,
        "a ticket is not found in another tenant"
    );
    assert_eq!(
        store
            .ticket_among(&[elsewhere, ticket.tenant], ticket.id)
            .await
            .must("reading a ticket")
            .as_ref(),
        Some(ticket),
        "a ticket is found among tenants that include its own"
    );
    for tenants in [vec![elsewhere, TenantId::new()], vec![]] {
        assert_eq!(
            store
                .ticket_among(&tenants, ticket.id)
                .await
                .must("reading a ticket"),
            None,
            "a ticket is not found among tenants that leave out its own"
        );
    }
    assert_eq!(
        store
            .ticket_among(&[ticket.tenant], TicketId::new())
            .await
            .must("reading a ticket"),
        None
    );
    assert_eq!(
        store
            .timeline_in(ticket.tenant, ticket.id)
            .await
            .must("reading a timeline"),
        vec![first.clone()]
    );
    assert_eq!(
        store
            .attachments_in(ticket.tenant, ticket.id)
            .await
            .must("reading attachments"),
        vec![file.clone()]
    );
    assert!(
        store
            .timeline_in(elsewhere, ticket.id)
            .await
            .must("reading a timeline")
            .is_empty(),
        "a timeline is not read in another tenant"
    );
    assert!(
        store
            .attachments_in(elsewhere, ticket.id)
            .await
            .must("reading attachments")
            .is_empty(),
        "attachments are not read in another tenant"
    );
    for (tenant, event, expected, what) in [
        (
            ticket.tenant,
            first.id,
            Some(first),
            "an event is found by its key",
        ),
        (
            elsewhere,
            first.id,
            None,
            "an event is not found in another tenant",
        ),
        (
            ticket.tenant,
            EventId::new(),
            None,
            "an unknown event is not found",
        ),
    ] {
        assert_eq!(
            store
                .event_in(tenant, ticket.id, event)
                .await
                .must("reading an event")
                .as_ref(),
            expected,
            "{what}"
        );
    }
}

/// Numbers are looked up within their tenant; unknown ids find nothing.
async fn assert_lookups_by_number_stay_in_their_tenant(store: &dyn Store, dir: &Directory) {
    assert_eq!(
        store
            .ticket_by_number(dir.tenants[1].id, TicketNumber::new(3))
            .await
            .must("reading a ticket by number"),
        None,
        "bravo has no ticket 3 even though alpha has"
    );
    assert_eq!(
        store
            .ticket_by_number(dir.tenants[2].id, TicketNumber::new(1))
            .await
            .must("reading a ticket by number"),
        None,
        "a tenant without tickets has no ticket 1"
    );
    assert_eq!(
        store.ticket(TicketId::new()).await.must("reading a ticket"),
        None
    );
    assert!(
        store
            .timeline(TicketId::new())
            .await
            .must("reading a timeline")
            .is_empty()
    );
    assert_eq!(
        store
            .attachment(AttachmentId::new())
            .await
            .must("reading an attachment"),
        None
    );
}

/// Idempotent opens: opening an id that exists answers [`Error::AlreadyExists`] when the
/// request fingerprint is the one the ticket was opened with (a retry), and
/// [`Error::IdempotencyKeyReused`] when it is another; either way nothing is written and
/// no number is used up. An id that another tenant's ticket has is refused too.
pub async fn a_retried_open_is_told_apart_by_its_request_fingerprint(store: &dyn Store) {
    let dir = directory(store).await;
    let tenant = &dir.tenants[0];
    let alice = &dir.requesters[0][0];
    let mut ticket = blank_ticket(tenant.id, alice.id, now() - days(1));
    let opened = opened_event(&ticket);
    ticket.number = store
        .open_ticket(TicketChange {
            request_fingerprint: Some("fingerprint-one"),
            ..opening(&ticket, &opened)
        })
        .await
        .must("opening with a fingerprint");
    for (fingerprint, expected) in [
        (Some("fingerprint-one"), "AlreadyExists(Ticket)"),
        (Some("fingerprint-two"), "IdempotencyKeyReused"),
        (None, "IdempotencyKeyReused"),
    ] {
        let mut retry = ticket.clone();
        retry.number = TicketNumber::new(0);
        retry.subject = "Another body".to_owned();
        let retry_event = opened_event(&retry);
        let answer = store
            .open_ticket(TicketChange {
                request_fingerprint: fingerprint,
                ..opening(&retry, &retry_event)
            })
            .await;
        let got = match &answer {
            Err(Error::AlreadyExists(Entity::Ticket)) => "AlreadyExists(Ticket)",
            Err(Error::IdempotencyKeyReused) => "IdempotencyKeyReused",
            _ => "something else",
        };
        assert_eq!(
            got, expected,
            "reopening with fingerprint {fingerprint:?}: got {answer:?}"
        );
    }
    // The same id in another tenant: a ticket id is unique across tenants (a caller who
    // holds only the id finds one ticket). Which of the two refusals depends on where
    // the store keeps the fingerprint; either way nothing is written.
    let other = &dir.tenants[1];
    let mut elsewhere = ticket.clone();
    elsewhere.tenant = other.id;
    elsewhere.requester = dir.requesters[1][0].id;
    elsewhere.number = TicketNumber::new(0);
    let elsewhere_event = opened_event(&elsewhere);
    let answer = store
        .open_ticket(opening(&elsewhere, &elsewhere_event))
        .await;
    assert!(
        matches!(
            answer,
            Err(Error::AlreadyExists(Entity::Ticket) | Error::IdempotencyKeyReused)
        ),
        "an id another tenant's ticket has is refused: got {answer:?}"
    );
    assert_eq!(
        store
            .ticket_in(other.id, ticket.id)
            .await
            .must("reading in the other tenant"),
        None,
        "the refused open wrote nothing in the other tenant"
    );
    assert_eq!(
        store.ticket(ticket.id).await.must("reading the ticket"),
        Some(ticket.clone()),
        "refused retries leave the ticket as it was"
    );
    assert_eq!(
        store.timeline(ticket.id).await.must("reading the timeline"),
        vec![opened],
        "refused retries append nothing"
    );
    let mut next = blank_ticket(tenant.id, alice.id, now());
    let next_event = opened_event(&next);
    next.number = store
        .open_ticket(opening(&next, &next_event))
        .await
        .must("opening after refused retries");
    assert_eq!(
        next.number,
        ticket.number.next(),
        "refused retries use up no number"
    );
}

/// A ticket opened, then saved at version 2 with an event, an outbox message and an
/// attachment.
struct Accepted {
    first: TimelineEvent,
    v2: Ticket,
    e2: TimelineEvent,
    m2: OutboxMessage,
    a2: Attachment,
}

/// Optimistic concurrency: a save naming a version other than the stored one is
/// [`Error::VersionConflict`] (with both versions) and writes nothing at all (ticket,
/// timeline, outbox, attachments); a save naming the right version writes everything;
/// a save of a ticket that does not exist fails and writes nothing.
pub async fn a_stale_save_is_a_conflict_and_writes_nothing(store: &dyn Store) {
    let dir = directory(store).await;
    let tenant = dir.tenants[0].id;
    let alice = dir.requesters[0][0].id;
    let agent = dir.staff[0].id;
    let accepted = open_and_save_at_version_2(store, tenant, alice, agent).await;
    let outbox_before = store
        .claim_due_messages(now() + days(365), now() + days(365), 100)
        .await
        .must("reading the outbox");
    assert_eq!(
        outbox_before,
        vec![accepted.m2.clone()],
        "the accepted save queued its message"
    );
    // Stale writers: one still at version 1, one claiming a version never stored.
    for stale in [1u64, 5] {
        assert_stale_save_writes_nothing(store, &accepted, stale, alice, agent, &outbox_before)
            .await;
    }
    assert_the_right_version_goes_through(store, accepted, agent).await;
    assert_a_ticket_never_opened_is_not_saved(store, tenant, alice).await;
}

/// Opens a ticket, then saves it at version 2 (version 1 -> 2: accepted), assigned and
/// in progress, with a message and an attachment.
async fn open_and_save_at_version_2(
    store: &dyn Store,
    tenant: TenantId,
    alice: MemberId,
    agent: StaffId,
) -> Accepted {
    let mut ticket = blank_ticket(tenant, alice, now() - days(2));
    let first = opened_event(&ticket);
    ticket.number = store
        .open_ticket(opening(&ticket, &first))
        .await
        .must("opening a ticket");
    let at2 = now() - days(1);
    let mut v2 = ticket.clone();
    v2.assignee = Some(agent);
    v2.state = TicketState::InProgress;
    v2.version = 2;
    v2.updated_at = at2;
    let e2 = event(
        &v2,
        at2,
        ActorRef::Staff(agent),
        EventKind::Assigned {
            assignee: Some(agent),
            group: None,
        },
        Some((Status::New, Status::InProgress)),
    );
    let m2 = outbox_message(&v2, &e2, vec![Recipient::Member(alice)]);
    let a2 = attachment(&e2, "devis.pdf", 10, ActorRef::Staff(agent));
    store
        .save_ticket(TicketChange {
            ticket: &v2,
            expected_version: 1,
            events: std::slice::from_ref(&e2),
            outbox: std::slice::from_ref(&m2),
            attachments: std::slice::from_ref(&a2),
            request_fingerprint: None,
        })
        .await
        .must("saving at the right version");
    Accepted {
        first,
        v2,
        e2,
        m2,
        a2,
    }
}

/// A save expecting version `stale` of the ticket at version 2 is a conflict naming
/// both versions, and writes no ticket, event, message or attachment.
async fn assert_stale_save_writes_nothing(
    store: &dyn Store,
    accepted: &Accepted,
    stale: u64,
    alice: MemberId,
    agent: StaffId,
    outbox_before: &[OutboxMessage],
) {
    let Accepted {
        first, v2, e2, a2, ..
    } = accepted;
    let at3 = now() - Duration::hours(1);
    let mut v3 = v2.clone();
    v3.state = TicketState::WaitingOnRequester;
    v3.priority = Priority::Blocking;
    v3.subject = "Écrasé".to_owned();
    v3.version = stale + 1;
    v3.updated_at = at3;
    let e3 = event(
        &v3,
        at3,
        ActorRef::Staff(agent),
        EventKind::InformationRequested {
            message: rich("<p>Précisez</p>"),
        },
        Some((Status::InProgress, Status::WaitingOnRequester)),
    );
    let m3 = outbox_message(&v3, &e3, vec![Recipient::Member(alice)]);
    let a3 = attachment(&e3, "stale.pdf", 20, ActorRef::Staff(agent));
    match store
        .save_ticket(TicketChange {
            ticket: &v3,
            expected_version: stale,
            events: std::slice::from_ref(&e3),
            outbox: std::slice::from_ref(&m3),
            attachments: std::slice::from_ref(&a3),
            request_fingerprint: None,
        })
        .await
    {
        Err(Error::VersionConflict { expected, actual }) => {
            assert_eq!(
                (expected, actual),
                (stale, 2),
                "the conflict names the version read and the version stored"
            );
        }
        other => panic!(
            "a save expecting version {stale} of a ticket at version 2 must be a VersionConflict, got {other:?}"
        ),
    }
    assert_eq!(
        store.ticket(v2.id).await.must("reading a ticket"),
        Some(v2.clone()),
        "a conflicting save leaves the ticket as it was"
    );
    assert_eq!(
        store.timeline(v2.id).await.must("reading a timeline"),
        vec![first.clone(), e2.clone()],
        "a conflicting save appends no event"
    );
    assert_eq!(
        store
            .claim_due_messages(now() + days(365), now() + days(365), 100)
            .await
            .must("reading the outbox"),
        outbox_before,
        "a conflicting save queues no message"
    );
    assert_eq!(
        store.attachments(v2.id).await.must("reading attachments"),
        vec![a2.clone()],
        "a conflicting save records no attachment"
    );
    assert_eq!(
        store.attachment(a3.id).await.must("reading an attachment"),
        None
    );
}

/// The right version still goes through after conflicts.
async fn assert_the_right_version_goes_through(
    store: &dyn Store,
    accepted: Accepted,
    agent: StaffId,
) {
    let Accepted { first, v2, e2, .. } = accepted;
    let at4 = now();
    let mut v3 = v2.clone();
    v3.priority = Priority::High;
    v3.version = 3;
    v3.updated_at = at4;
    let e4 = event(
        &v3,
        at4,
        ActorRef::Staff(agent),
        EventKind::FieldEdited {
            change: FieldChange::Priority {
                from: Priority::Normal,
                to: Priority::High,
            },
        },
        None,
    );
    store
        .save_ticket(TicketChange {
            ticket: &v3,
            expected_version: 2,
            events: std::slice::from_ref(&e4),
            outbox: &[],
            attachments: &[],
            request_fingerprint: None,
        })
        .await
        .must("saving at the right version after a conflict");
    assert_eq!(
        store.ticket(v2.id).await.must("reading a ticket"),
        Some(v3.clone())
    );
    assert_eq!(
        store.timeline(v2.id).await.must("reading a timeline"),
        vec![first, e2, e4]
    );
}

/// A ticket that was never opened cannot be saved, and the failed save writes nothing.
async fn assert_a_ticket_never_opened_is_not_saved(
    store: &dyn Store,
    tenant: TenantId,
    alice: MemberId,
) {
    let mut ghost = blank_ticket(tenant, alice, now());
    ghost.version = 2;
    let ghost_event = event(
        &ghost,
        now(),
        ActorRef::Member(alice),
        EventKind::Replied {
            body: rich("<p>Bonjour</p>"),
        },
        None,
    );
    let ghost_file = attachment(&ghost_event, "ghost.txt", 1, ActorRef::Member(alice));
    let result = store
        .save_ticket(TicketChange {
            ticket: &ghost,
            expected_version: 1,
            events: std::slice::from_ref(&ghost_event),
            outbox: &[],
            attachments: std::slice::from_ref(&ghost_file),
            request_fingerprint: None,
        })
        .await;
    assert!(
        result.is_err(),
        "saving a ticket that was never opened must fail, got {result:?}"
    );
    assert_eq!(store.ticket(ghost.id).await.must("reading a ticket"), None);
    assert!(
        store
            .timeline(ghost.id)
            .await
            .must("reading a timeline")
            .is_empty(),
        "a failed save of an unknown ticket appends nothing"
    );
    assert_eq!(
        store
            .attachment(ghost_file.id)
            .await
            .must("reading an attachment"),
        None
    );
}

/// An attachment is found among tenants that include its own, and only there.
async fn assert_attachment_among_tenants(store: &dyn Store, file: &Attachment) {
    let elsewhere = TenantId::new();
    assert_eq!(
        store
            .attachment_among(&[elsewhere, file.tenant], file.id)
            .await
            .must("reading an attachment")
            .as_ref(),
        Some(file),
        "an attachment is found among tenants that include its own"
    );
    for tenants in [vec![elsewhere], vec![]] {
        assert_eq!(
            store
                .attachment_among(&tenants, file.id)
                .await
                .must("reading an attachment"),
            None,
            "an attachment is not found among tenants that leave out its own"
        );
    }
    assert_eq!(
        store
            .attachment_among(&[file.tenant], AttachmentId::new())
            .await
            .must("reading an attachment"),
        None
    );
}
