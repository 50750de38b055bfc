//! Claiming outbox messages with a lease, and dead letters.

use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::task::Poll;

use chrono::{DateTime, Duration, Utc};

use super::fixtures::{
    Must, blank_ticket, days, directory, now, opened_event, opening, outbox_message,
};
use super::outbox::{open_and_reply_in_alpha, open_in_bravo};
use crate::ids::OutboxId;
use crate::notify::{OutboxMessage, Recipient};
use crate::ports::{AfterFailure, Store, TicketChange};

const LEASE: Duration = Duration::minutes(5);

async fn claim(store: &dyn Store, at: DateTime<Utc>, limit: u32) -> Vec<OutboxMessage> {
    store
        .claim_due_messages(at, at + LEASE, limit)
        .await
        .must("claiming due messages")
}

fn ids(messages: &[OutboxMessage]) -> Vec<OutboxId> {
    messages.iter().map(|m| m.id).collect()
}

/// Outbox claims: a claimed message is not handed out again while its lease runs, and
/// is once the lease is over (its worker died); a failure releases the claim; the
/// claimed messages come back whole, oldest first.
pub async fn outbox_claims_hand_each_message_out_once_per_lease(store: &dyn Store) {
    let dir = directory(store).await;
    let [m1, _m2, m3] = open_and_reply_in_alpha(store, &dir).await;
    let m4 = open_in_bravo(store, &dir).await;

    assert_eq!(
        claim(store, now(), 2).await,
        vec![m4.clone(), m1.clone()],
        "a claim hands out the oldest due messages, whole"
    );
    assert_eq!(
        claim(store, now(), 10).await,
        vec![m3.clone()],
        "claimed messages are not handed out again while their lease runs"
    );
    assert_eq!(
        claim(store, now() + LEASE - Duration::seconds(1), 10).await,
        vec![]
    );

    store
        .mark_failed(
            m1.tenant,
            m1.id,
            "smtp: timeout",
            AfterFailure::RetryAt(now()),
        )
        .await
        .must("recording a failure");
    assert_eq!(
        ids(&claim(store, now(), 10).await),
        vec![m1.id],
        "a failure releases the claim: due again at its retry time"
    );

    // Another tenant's key: the message is found by `(tenant, id)`, so nothing changes.
    store
        .mark_delivered(m4.tenant, m3.id)
        .await
        .must("marking delivered");
    store
        .mark_failed(
            m4.tenant,
            m3.id,
            "wrong tenant",
            AfterFailure::DeadLetter(now()),
        )
        .await
        .must("recording a failure");
    assert_eq!(
        store.outbox_message(m3.id).await.must("reading"),
        Some(m3.clone()),
        "marking a message under another tenant changes nothing"
    );
    store
        .mark_delivered(m3.tenant, m3.id)
        .await
        .must("marking delivered");
    assert_eq!(
        ids(&claim(store, now() + LEASE, 10).await),
        vec![m4.id, m1.id],
        "once a lease is over, its messages are claimed again (a worker that died); a delivered one is gone"
    );
}

/// Outbox claims made at the same time, over the store's connections, never hand out
/// the same message twice; together with a last claim they hand out every due message.
pub async fn concurrent_outbox_claims_never_share_a_message(store: &dyn Store) {
    let dir = directory(store).await;
    let mut queued = Vec::new();
    for i in 0..30 {
        let created = now() - Duration::minutes(60 - i);
        let ticket = blank_ticket(dir.tenants[0].id, dir.requesters[0][0].id, created);
        let opened = opened_event(&ticket);
        let message = outbox_message(&ticket, &opened, vec![Recipient::Staff(dir.staff[0].id)]);
        store
            .open_ticket(TicketChange {
                outbox: std::slice::from_ref(&message),
                ..opening(&ticket, &opened)
            })
            .await
            .must("opening a ticket");
        queued.push(message.id);
    }

    let claims: Vec<Pin<Box<dyn Future<Output = Vec<OutboxMessage>> + Send + '_>>> = (0..6)
        .map(|_| Box::pin(claim(store, now(), 7)) as Pin<Box<dyn Future<Output = _> + Send>>)
        .collect();
    let mut handed_out: Vec<OutboxId> =
        join_all(claims).await.iter().flat_map(|c| ids(c)).collect();
    let claimed_at_once = handed_out.len();
    handed_out.sort();
    handed_out.dedup();
    assert_eq!(
        handed_out.len(),
        claimed_at_once,
        "no message is handed out to two claims at once"
    );
    handed_out.extend(ids(&claim(store, now(), 100).await));
    handed_out.sort();
    queued.sort();
    assert_eq!(
        handed_out, queued,
        "every due message is claimed exactly once"
    );
}

/// Dead letters: a message given up on keeps its last error, is never claimed again,
/// is listed (per tenant or across tenants, most recently dead first) and counted,
/// until it is retried: then it is due, with no attempt counted and its error kept.
pub async fn dead_letters_are_kept_listed_counted_and_retried(store: &dyn Store) {
    let dir = directory(store).await;
    let [m1, m2, m3] = open_and_reply_in_alpha(store, &dir).await;
    let m4 = open_in_bravo(store, &dir).await;
    let (alpha, bravo) = (dir.tenants[0].id, dir.tenants[1].id);

    claim(store, now(), 10).await;
    for (m, dead_at) in [(&m1, now()), (&m4, now() + Duration::minutes(1))] {
        store
            .mark_failed(
                m.tenant,
                m.id,
                "550 mailbox unavailable",
                AfterFailure::DeadLetter(dead_at),
            )
            .await
            .must("giving up on a message");
    }
    let dead_m1 = OutboxMessage {
        attempts: 1,
        last_error: Some("550 mailbox unavailable".to_owned()),
        dead_at: Some(now()),
        ..m1.clone()
    };
    let dead_m4 = OutboxMessage {
        attempts: 1,
        last_error: Some("550 mailbox unavailable".to_owned()),
        dead_at: Some(now() + Duration::minutes(1)),
        ..m4.clone()
    };
    assert_eq!(
        ids(&claim(store, now() + days(30), 10).await),
        vec![m2.id, m3.id],
        "dead letters are never claimed"
    );
    assert_eq!(
        store.outbox_message(m1.id).await.must("reading"),
        Some(dead_m1.clone())
    );
    assert_eq!(
        store
            .outbox_message_in(alpha, m1.id)
            .await
            .must("reading by key"),
        Some(dead_m1.clone())
    );
    assert_eq!(
        store
            .outbox_message_in(bravo, m1.id)
            .await
            .must("reading by key"),
        None,
        "a message is read by its key under its own tenant only"
    );
    assert_eq!(
        store.dead_letters(None, 10).await.must("listing"),
        vec![dead_m4.clone(), dead_m1.clone()],
        "across tenants, most recently dead first"
    );
    assert_eq!(
        store.dead_letters(None, 1).await.must("listing"),
        vec![dead_m4.clone()]
    );
    assert_eq!(
        store.dead_letters(Some(alpha), 10).await.must("listing"),
        vec![dead_m1]
    );
    assert_eq!(
        store.count_dead_letters(Some(alpha)).await.must("counting"),
        1
    );
    assert_eq!(
        store.count_dead_letters(Some(bravo)).await.must("counting"),
        1
    );
    assert_eq!(store.count_dead_letters(None).await.must("counting"), 2);

    let back_at = now() + days(2);
    assert!(
        !store
            .retry_dead_letter(bravo, m1.id, back_at)
            .await
            .must("retrying"),
        "a dead letter is retried under its own tenant only"
    );
    assert_eq!(
        store.count_dead_letters(Some(alpha)).await.must("counting"),
        1
    );
    assert!(
        store
            .retry_dead_letter(m1.tenant, m1.id, back_at)
            .await
            .must("retrying")
    );
    assert!(
        !store
            .retry_dead_letter(m1.tenant, m1.id, back_at)
            .await
            .must("retrying"),
        "a message that is not dead cannot be retried"
    );
    assert!(
        !store
            .retry_dead_letter(m2.tenant, m2.id, back_at)
            .await
            .must("retrying")
    );
    let retried = OutboxMessage {
        attempts: 0,
        next_attempt_at: back_at,
        last_error: Some("550 mailbox unavailable".to_owned()),
        ..m1.clone()
    };
    assert_eq!(
        store.outbox_message(m1.id).await.must("reading"),
        Some(retried.clone())
    );
    assert_eq!(
        store.count_dead_letters(Some(alpha)).await.must("counting"),
        0
    );
    assert_eq!(
        store.dead_letters(None, 10).await.must("listing"),
        vec![dead_m4]
    );
    assert_eq!(
        claim(store, back_at, 10).await,
        vec![retried],
        "a retried dead letter is due at its new time"
    );
    assert_eq!(
        store.outbox_message(OutboxId::new()).await.must("reading"),
        None
    );
}

/// Polls every future until all are done; their answers in order.
async fn join_all<'a, T>(mut futures: Vec<Pin<Box<dyn Future<Output = T> + Send + 'a>>>) -> Vec<T> {
    let mut done: Vec<Option<T>> = futures.iter().map(|_| None).collect();
    poll_fn(|cx| {
        for (future, slot) in futures.iter_mut().zip(done.iter_mut()) {
            if slot.is_none()
                && let Poll::Ready(value) = future.as_mut().poll(cx)
            {
                *slot = Some(value);
            }
        }
        if done.iter().all(Option::is_some) {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    })
    .await;
    done.into_iter().flatten().collect()
}
