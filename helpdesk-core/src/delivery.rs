//! How the outbox is delivered: claims with a lease, retries that back off with
//! jitter, and dead letters after [`MAX_DELIVERY_ATTEMPTS`] failures.

use chrono::Duration;

use crate::ids::OutboxId;

/// How many failed deliveries make a message a dead letter, by default: with the
/// backoff of [`retry_delay`] (about 1, 2, 4... 64 minutes) a message is given up on
/// some two hours after it first failed.
pub const MAX_DELIVERY_ATTEMPTS: u32 = 8;

/// The shortest wait before a retry: the first failure waits between half of it and
/// all of it.
pub const FIRST_RETRY_DELAY: Duration = Duration::minutes(1);

/// The longest wait before a retry.
pub const MAX_RETRY_DELAY: Duration = Duration::days(1);

/// How one delivery pass claims and retries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeliverySettings {
    /// How many messages one pass claims at most (50).
    pub batch: u32,
    /// How long a claim holds (5 minutes): longer than a batch takes to deliver, or
    /// another worker may claim a message again while it is being delivered (it would
    /// then go out twice, under the same id). A worker that dies leaves its messages to
    /// be claimed again once the lease is over.
    pub lease: Duration,
    /// After how many failed deliveries a message becomes a dead letter
    /// ([`MAX_DELIVERY_ATTEMPTS`]).
    pub max_attempts: u32,
}

impl Default for DeliverySettings {
    fn default() -> Self {
        Self {
            batch: 50,
            lease: Duration::minutes(5),
            max_attempts: MAX_DELIVERY_ATTEMPTS,
        }
    }
}

/// How long to wait after the `failures`-th failed delivery of message `id` before
/// trying again: an exponential backoff ([`FIRST_RETRY_DELAY`] doubled at each failure,
/// at most [`MAX_RETRY_DELAY`]) with "equal jitter": between half that delay and all of
/// it. The jitter comes from the bits of the message's id (a UUID with random bits) mixed
/// with the failure count, so messages that failed together (a mail server down) come back spread out,
/// while one message's schedule is reproducible (tests compute it exactly).
///
/// ```
/// use chrono::Duration;
/// use helpdesk_core::{OutboxId, retry_delay};
///
/// let id = OutboxId::new();
/// let first = retry_delay(id, 1);
/// assert!(first >= Duration::seconds(30) && first <= Duration::minutes(1));
/// let fourth = retry_delay(id, 4);
/// assert!(fourth >= Duration::minutes(4) && fourth <= Duration::minutes(8));
/// assert_eq!(retry_delay(id, 4), fourth, "the same message waits the same");
/// ```
pub fn retry_delay(id: OutboxId, failures: u32) -> Duration {
    let doublings = failures.saturating_sub(1).min(20);
    let full = (FIRST_RETRY_DELAY * (1i32 << doublings)).min(MAX_RETRY_DELAY);
    let full_ms = full.num_milliseconds();
    let half = full_ms / 2;
    let spread = u64::try_from(full_ms - half + 1).unwrap_or(1);
    let jitter = i64::try_from(mix(id, failures) % spread).unwrap_or(0);
    Duration::milliseconds(half + jitter)
}

/// A well-spread 64-bit number from the id's bits and the failure count (splitmix64's
/// finaliser).
fn mix(id: OutboxId, failures: u32) -> u64 {
    let (high, low) = id.as_uuid().as_u64_pair();
    let mut z = (high ^ low).wrapping_add(u64::from(failures).wrapping_mul(0x9e37_79b9_7f4a_7c15));
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_delays_double_within_their_jitter_and_stop_at_a_day() {
        for _ in 0..200 {
            let id = OutboxId::new();
            for failures in 1..=30u32 {
                let full =
                    (FIRST_RETRY_DELAY * (1i32 << (failures - 1).min(20))).min(MAX_RETRY_DELAY);
                let delay = retry_delay(id, failures);
                assert!(
                    delay >= full / 2 && delay <= full,
                    "failure {failures}: {delay} outside [{}, {full}]",
                    full / 2
                );
            }
        }
    }

    #[test]
    fn messages_failing_together_come_back_spread_out() {
        let delays: std::collections::BTreeSet<_> =
            (0..100).map(|_| retry_delay(OutboxId::new(), 5)).collect();
        assert!(
            delays.len() > 90,
            "100 messages failing at once retry at {} distinct times",
            delays.len()
        );
    }
}
