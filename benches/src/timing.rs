//! Timing: run a closure a few times to warm up, then time it sample by sample, and keep
//! every sample so cases measured in interleaved rounds can be pooled.

use std::time::{Duration, Instant};

/// How to time one case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Plan {
    /// Calls made first and not timed.
    pub warmup: u32,
    /// Timed samples.
    pub samples: u32,
    /// Calls per sample: one sample's time is the batch's time divided by this, so
    /// calls of a few microseconds are not drowned in the clock's own cost.
    pub batch: u32,
}

impl Plan {
    /// `samples` samples of one call each, after `warmup` calls.
    pub const fn new(warmup: u32, samples: u32) -> Self {
        Self {
            warmup,
            samples,
            batch: 1,
        }
    }

    /// The same plan with `batch` calls per sample.
    pub const fn batched(self, batch: u32) -> Self {
        Self { batch, ..self }
    }
}

/// The time per call of each sample of one case.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Samples {
    times: Vec<Duration>,
}

impl Samples {
    /// No samples yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one sample: the time per call of something timed by hand.
    pub fn push(&mut self, per_call: Duration) {
        self.times.push(per_call);
    }

    /// Adds the samples of another run of the same case.
    pub fn extend(&mut self, other: Samples) {
        self.times.extend(other.times);
    }

    /// How many samples.
    pub fn len(&self) -> usize {
        self.times.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.times.is_empty()
    }

    fn sorted(&self) -> Vec<Duration> {
        let mut times = self.times.clone();
        times.sort_unstable();
        times
    }

    /// The median time per call (zero without samples).
    pub fn median(&self) -> Duration {
        let times = self.sorted();
        match times.len() {
            0 => Duration::ZERO,
            n if n % 2 == 1 => times[n / 2],
            n => (times[n / 2 - 1] + times[n / 2]) / 2,
        }
    }

    /// The time per call below which `p` percent of the samples fall, nearest rank
    /// (zero without samples): `percentile(99.0)` is the p99.
    pub fn percentile(&self, p: f64) -> Duration {
        let times = self.sorted();
        if times.is_empty() {
            return Duration::ZERO;
        }
        let rank = ((p / 100.0) * times.len() as f64).ceil() as usize;
        times[rank.clamp(1, times.len()) - 1]
    }

    /// The fastest time per call (zero without samples).
    pub fn min(&self) -> Duration {
        self.times.iter().copied().min().unwrap_or_default()
    }

    /// The median rate, in calls per second.
    pub fn per_second(&self) -> f64 {
        let median = self.median().as_secs_f64();
        if median > 0.0 { 1.0 / median } else { 0.0 }
    }
}

/// Times `f` by `plan`: warm-up calls, then `plan.samples` samples of `plan.batch`
/// calls. The first error stops the run.
pub async fn measure<F, E>(plan: Plan, mut f: F) -> Result<Samples, E>
where
    F: AsyncFnMut() -> Result<(), E>,
{
    for _ in 0..plan.warmup {
        f().await?;
    }
    let batch = plan.batch.max(1);
    let mut samples = Samples::new();
    for _ in 0..plan.samples {
        let start = Instant::now();
        for _ in 0..batch {
            f().await?;
        }
        samples.times.push(start.elapsed() / batch);
    }
    Ok(samples)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_and_min() {
        let samples = Samples {
            times: [5, 1, 3, 4].map(Duration::from_millis).to_vec(),
        };
        assert_eq!(samples.median(), Duration::from_micros(3500));
        assert_eq!(samples.min(), Duration::from_millis(1));
        assert_eq!(Samples::new().median(), Duration::ZERO);
    }
}
