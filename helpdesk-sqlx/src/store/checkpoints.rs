//! SQLite: checkpoints beside the writer, not inside its commits.
//!
//! A checkpoint copies the pages the WAL holds into the database file and syncs the
//! file. Left to SQLite (`wal_autocheckpoint`), it runs inside the commit that crosses
//! 1,000 pages, while that write holds the store's write turn: every other write waits
//! for the copy and the sync. The writer connection does not checkpoint at commit
//! (`wal_autocheckpoint = 0`, see `SqliteStore::connect_with_pool`); instead, every
//! [`EVERY`] writes, the write about to queue for its turn first runs a passive
//! checkpoint on a connection of the pool, outside the turn. The writer goes on
//! appending to the WAL meanwhile, and starts the WAL over at its next write once a
//! checkpoint has copied all of it.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Writes between two checkpoints: about 1,000 WAL pages at the 30 or so pages an
/// opened ticket writes, SQLite's own default interval.
pub(crate) const EVERY: u64 = 32;

/// The writes counted since the store opened, and whether a checkpoint runs now.
#[derive(Debug, Default)]
pub(crate) struct Checkpoints {
    writes: AtomicU64,
    running: AtomicBool,
}

impl Checkpoints {
    /// Counts one write; `Some` when a checkpoint is due and none runs: the caller runs
    /// it while holding the returned mark.
    pub(crate) fn due(&self) -> Option<Running<'_>> {
        let writes = self.writes.fetch_add(1, Ordering::Relaxed) + 1;
        if !writes.is_multiple_of(EVERY) || self.running.swap(true, Ordering::Acquire) {
            return None;
        }
        Some(Running(self))
    }
}

/// A checkpoint under way; dropped (done, failed or cancelled), the next may run.
pub(crate) struct Running<'a>(&'a Checkpoints);

impl Drop for Running<'_> {
    fn drop(&mut self) {
        self.0.running.store(false, Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_checkpoint_is_due_every_so_many_writes_and_never_two_at_once() {
        let checkpoints = Checkpoints::default();
        let due: Vec<u64> = (1..=3 * EVERY)
            .filter(|_| checkpoints.due().is_some())
            .collect();
        assert_eq!(due, vec![EVERY, 2 * EVERY, 3 * EVERY]);

        let checkpoints = Checkpoints::default();
        let mut running = None;
        for _ in 0..EVERY {
            running = running.or(checkpoints.due());
        }
        assert!(running.is_some(), "the first is due after {EVERY} writes");
        for _ in 0..EVERY {
            assert!(checkpoints.due().is_none(), "one runs already");
        }
        drop(running);
        for _ in 0..EVERY - 1 {
            assert!(checkpoints.due().is_none());
        }
        assert!(
            checkpoints.due().is_some(),
            "due again once the first ended"
        );
    }
}
