//! The outbox of notification messages.

use chrono::{DateTime, Duration, Utc};

use super::fixtures::{
    Directory, Must, blank_ticket, days, directory, event, now, opened_event, opening,
    outbox_message, rich,
};
use crate::notify::{OutboxMessage, Recipient};
use crate::people::ActorRef;
use crate::ports::{AfterFailure, Store, TicketChange};
use crate::timeline::EventKind;

/// Outbox: claimable messages are those whose next attempt time has come, oldest first
/// (across tenants), at most `limit`, read back whole; a failure counts an attempt,
/// records the error and delays the message until the given time; a delivered message
/// is gone. (Each claim here holds until the very time it is made at, so the next one
/// at that time sees the same messages again: this check is about which are due.)
pub async fn outbox_hands_out_due_messages_oldest_first_and_records_failures(store: &dyn Store) {
    let dir = directory(store).await;
    let [m1, m2, m3] = open_and_reply_in_alpha(store, &dir).await;
    let m4 = open_in_bravo(store, &dir).await;
    let messages = [m1, m2, m3, m4];
    assert_due_oldest_first(store, &messages).await;
    assert_failures_delay_and_deliveries_remove(store, &messages).await;
}

/// Queues three messages on a ticket of alpha: `m1` when it opens, three hours ago;
/// `m2` (a reply, delayed for an hour) and `m3` (a note, an hour ago) when it is saved.
pub(super) async fn open_and_reply_in_alpha(
    store: &dyn Store,
    dir: &Directory,
) -> [OutboxMessage; 3] {
    let agent = dir.staff[0].id;
    let group = dir.groups[1].id;
    let mut ticket = blank_ticket(dir.tenants[0].id, dir.requesters[0][0].id, now() - days(1));
    ticket.guests = vec![dir.requesters[0][1].id];
    let e1 = opened_event(&ticket);
    let mut m1 = outbox_message(&ticket, &e1, vec![Recipient::Group(group)]);
    m1.created_at = now() - Duration::hours(3);
    m1.next_attempt_at = m1.created_at;
    ticket.number = store
        .open_ticket(TicketChange {
            outbox: std::slice::from_ref(&m1),
            ..opening(&ticket, &e1)
        })
        .await
        .must("opening a ticket");

    let at = now() - Duration::hours(2);
    let mut v2 = ticket.clone();
    v2.version = 2;
    v2.updated_at = at;
    let e2 = event(
        &v2,
        at,
        ActorRef::Staff(agent),
        EventKind::Replied {
            body: rich("<p>Bonjour</p>"),
        },
        None,
    );
    let e3 = event(
        &v2,
        at,
        ActorRef::Staff(agent),
        EventKind::NoteAdded {
            body: rich("<p>Interne</p>"),
        },
        None,
    );
    let mut m2 = outbox_message(
        &v2,
        &e2,
        vec![
            Recipient::Member(ticket.requester),
            Recipient::Member(dir.requesters[0][1].id),
            Recipient::Staff(agent),
        ],
    );
    m2.next_attempt_at = now() + Duration::hours(1);
    let mut m3 = outbox_message(&v2, &e3, vec![Recipient::Staff(dir.staff[1].id)]);
    m3.created_at = now() - Duration::hours(1);
    m3.next_attempt_at = m3.created_at;
    store
        .save_ticket(TicketChange {
            ticket: &v2,
            expected_version: 1,
            events: &[e2, e3],
            outbox: &[m2.clone(), m3.clone()],
            attachments: &[],
            request_fingerprint: None,
        })
        .await
        .must("saving a ticket");
    [m1, m2, m3]
}

/// Queues `m4` on a ticket of bravo when it opens, four hours ago.
pub(super) async fn open_in_bravo(store: &dyn Store, dir: &Directory) -> OutboxMessage {
    let agent = dir.staff[0].id;
    let mut other = blank_ticket(dir.tenants[1].id, dir.requesters[1][0].id, now() - days(2));
    other.assignee = Some(agent);
    let e4 = opened_event(&other);
    let mut m4 = outbox_message(&other, &e4, vec![Recipient::Staff(agent)]);
    m4.created_at = now() - Duration::hours(4);
    m4.next_attempt_at = m4.created_at;
    store
        .open_ticket(TicketChange {
            outbox: std::slice::from_ref(&m4),
            ..opening(&other, &e4)
        })
        .await
        .must("opening a ticket");
    m4
}

async fn due(store: &dyn Store, at: DateTime<Utc>, limit: u32) -> Vec<OutboxMessage> {
    store
        .claim_due_messages(at, at, limit)
        .await
        .must("claiming due messages")
}

/// Due messages come oldest first across tenants, at most `limit`, each from its next
/// attempt time on.
async fn assert_due_oldest_first(store: &dyn Store, messages: &[OutboxMessage; 4]) {
    let [m1, m2, m3, m4] = messages;
    assert_eq!(
        due(store, now() - Duration::hours(3), 10).await,
        vec![m4.clone(), m1.clone()],
        "a message is due exactly at its next attempt time"
    );
    assert_eq!(
        due(store, now(), 2).await,
        vec![m4.clone(), m1.clone()],
        "the limit is honoured, keeping the oldest"
    );
    assert_eq!(
        due(store, now(), 10).await,
        vec![m4.clone(), m1.clone(), m3.clone()],
        "due messages, oldest first across tenants; one not due yet is left out"
    );
    assert_eq!(
        due(store, now() + Duration::hours(1), 10).await,
        vec![m4.clone(), m1.clone(), m2.clone(), m3.clone()],
        "a delayed message becomes due at its time, in creation order"
    );
}

/// A failure counts an attempt, records the error and delays the message; a delivered
/// message is gone.
async fn assert_failures_delay_and_deliveries_remove(
    store: &dyn Store,
    messages: &[OutboxMessage; 4],
) {
    let [m1, m2, m3, m4] = messages;
    // Claims never go back in time: carry on from the last one, when m2 is due too.
    let later = now() + Duration::hours(1);
    let retry_at = later + Duration::minutes(30);
    store
        .mark_failed(
            m1.tenant,
            m1.id,
            "smtp: connection refused",
            AfterFailure::RetryAt(retry_at),
        )
        .await
        .must("recording a failure");
    assert_eq!(
        due(store, later, 10).await,
        vec![m4.clone(), m2.clone(), m3.clone()],
        "a failed message waits until its retry time"
    );
    let failed_once = OutboxMessage {
        attempts: 1,
        last_error: Some("smtp: connection refused".to_owned()),
        next_attempt_at: retry_at,
        ..m1.clone()
    };
    assert_eq!(
        due(store, retry_at, 10).await,
        vec![m4.clone(), failed_once.clone(), m2.clone(), m3.clone()],
        "a failure counts an attempt and records the error and the retry time"
    );
    let retry_again = later + Duration::hours(2);
    store
        .mark_failed(
            m1.tenant,
            m1.id,
            "smtp: timeout",
            AfterFailure::RetryAt(retry_again),
        )
        .await
        .must("recording a second failure");
    let failed_twice = OutboxMessage {
        attempts: 2,
        last_error: Some("smtp: timeout".to_owned()),
        next_attempt_at: retry_again,
        ..m1.clone()
    };
    assert_eq!(
        due(store, retry_again, 10).await,
        vec![m4.clone(), failed_twice, m2.clone(), m3.clone()],
        "each failure counts, the last error wins"
    );

    store
        .mark_delivered(m4.tenant, m4.id)
        .await
        .must("marking delivered");
    store
        .mark_delivered(m3.tenant, m3.id)
        .await
        .must("marking delivered");
    assert_eq!(
        due(store, now() + days(1), 10)
            .await
            .iter()
            .map(|m| m.id)
            .collect::<Vec<_>>(),
        vec![m1.id, m2.id],
        "delivered messages are gone"
    );
}
