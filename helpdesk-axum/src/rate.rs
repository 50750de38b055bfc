//! Per-caller limits on writes: a script that fires writes as fast as it can gets 429s
//! with `Retry-After`, while a person never notices. Keyed by the caller the host's
//! [`Identify`](crate::Identify) names, not by address: many people may share one.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use governor::clock::Clock;
use governor::middleware::NoOpMiddleware;
use governor::nanos::Nanos;
use governor::state::keyed::HashMapStateStore;
use governor::{Quota, RateLimiter};

/// How many writes one caller may make: a burst, then a steady rate. Give it to
/// [`HelpdeskState::with_write_limit`](crate::HelpdeskState::with_write_limit).
///
/// The default, a burst of 20 writes then 3 a second, is more than a person clicking
/// and typing ever needs, and stops a script after its 20th write in a second.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimit {
    /// Writes accepted at once from a caller who has been quiet (at least 1).
    pub burst: u32,
    /// Writes a second accepted after that, on average (at least 1).
    pub per_second: u32,
}

impl Default for RateLimit {
    fn default() -> Self {
        Self {
            burst: 20,
            per_second: 3,
        }
    }
}

/// A clock that only moves when told to, for testing limits without waiting. Clones
/// share one time. Give it to
/// [`HelpdeskState::with_rate_clock`](crate::HelpdeskState::with_rate_clock).
#[derive(Clone, Debug, Default)]
pub struct ManualClock {
    nanos: Arc<AtomicU64>,
}

impl ManualClock {
    /// A clock at time zero.
    pub fn new() -> Self {
        Self::default()
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: Duration) {
        let by = u64::try_from(by.as_nanos()).unwrap_or(u64::MAX);
        let _ = self
            .nanos
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |now| {
                Some(now.saturating_add(by))
            });
    }

    fn elapsed(&self) -> Duration {
        Duration::from_nanos(self.nanos.load(Ordering::Acquire))
    }
}

/// The time the limiter reads: the monotonic clock, or a [`ManualClock`] in tests.
#[derive(Clone, Debug)]
enum LimiterClock {
    System(std::time::Instant),
    Manual(ManualClock),
}

impl Clock for LimiterClock {
    type Instant = Nanos;

    fn now(&self) -> Nanos {
        match self {
            LimiterClock::System(start) => Nanos::from(start.elapsed()),
            LimiterClock::Manual(clock) => Nanos::from(clock.elapsed()),
        }
    }
}

/// One caller's checks against a shared [`RateLimit`].
pub(crate) struct WriteLimiter {
    limiter: RateLimiter<String, HashMapStateStore<String>, LimiterClock, NoOpMiddleware<Nanos>>,
    clock: LimiterClock,
    checks: AtomicU64,
}

impl std::fmt::Debug for WriteLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WriteLimiter")
            .field("clock", &self.clock)
            .finish_non_exhaustive()
    }
}

/// Forget callers idle long enough to be back at a full burst every this many checks, so
/// the table stays as small as the set of recent writers.
const SWEEP_EVERY: u64 = 1024;

impl WriteLimiter {
    pub(crate) fn new(limit: RateLimit, clock: Option<ManualClock>) -> Self {
        let clock = clock.map_or_else(
            || LimiterClock::System(std::time::Instant::now()),
            LimiterClock::Manual,
        );
        let burst = std::num::NonZeroU32::new(limit.burst).unwrap_or(std::num::NonZeroU32::MIN);
        let per_second = limit.per_second.max(1);
        let period = Duration::from_secs(1) / per_second;
        let quota = Quota::with_period(period)
            .unwrap_or_else(|| Quota::per_second(std::num::NonZeroU32::MAX))
            .allow_burst(burst);
        Self {
            limiter: RateLimiter::new(quota, HashMapStateStore::default(), clock.clone()),
            clock,
            checks: AtomicU64::new(0),
        }
    }

    /// Counts one write by `caller`: `Err` with how long to wait when over the limit.
    pub(crate) fn check(&self, caller: &str) -> Result<(), Duration> {
        if self.checks.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            self.limiter.retain_recent();
        }
        self.limiter
            .check_key(&caller.to_owned())
            .map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_a_steady_rate_per_caller() {
        let clock = ManualClock::new();
        let limiter = WriteLimiter::new(
            RateLimit {
                burst: 3,
                per_second: 2,
            },
            Some(clock.clone()),
        );
        for _ in 0..3 {
            assert_eq!(limiter.check("alice"), Ok(()));
        }
        assert_eq!(limiter.check("alice"), Err(Duration::from_millis(500)));
        assert_eq!(
            limiter.check("bob"),
            Ok(()),
            "another caller has their own burst"
        );
        clock.advance(Duration::from_millis(500));
        assert_eq!(limiter.check("alice"), Ok(()));
        assert!(limiter.check("alice").is_err());
    }
}
