//! Writes that queue in the process for a turn and run in groups.
//!
//! A writer queues its write and waits for the turn. Whoever gets the turn first takes
//! the writes queued by then (its own among them, unless a group that ran while it
//! waited took it already) and runs them as one group, in a task of its own, holding
//! the turn until the group is done; each writer is answered by that task. A caller that
//! goes away (a closed connection drops its request) cannot cut a group short under the
//! other writers' feet, and a caller gone before its group began is left out of it.
//!
//! Used by SQLite's ticket writes ([`write_group`](super::write_group)) and PostgreSQL's
//! opens in one tenant ([`open_group`](super::open_group)).

use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tokio::sync::oneshot;

/// A queued write and where its answer goes.
pub(crate) struct Waiting<W, O> {
    /// What to write.
    pub(crate) write: W,
    /// Where the write's outcome goes.
    pub(crate) answer: oneshot::Sender<O>,
}

/// The writes waiting for a turn, and the turn itself.
pub(crate) struct Turns<W, O> {
    /// Held by whoever writes.
    turn: Arc<tokio::sync::Mutex<()>>,
    /// Writes queued for the next group, oldest first.
    waiting: Mutex<Vec<Waiting<W, O>>>,
}

impl<W, O> Default for Turns<W, O> {
    fn default() -> Self {
        Self {
            turn: Arc::default(),
            waiting: Mutex::new(Vec::new()),
        }
    }
}

impl<W: Send + 'static, O: Send + 'static> Turns<W, O> {
    /// Waits for the turn to write.
    pub(crate) async fn turn(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.turn.lock().await
    }

    /// The writes queued for the next group.
    pub(crate) fn waiting(&self) -> MutexGuard<'_, Vec<Waiting<W, O>>> {
        // The list is only pushed to and drained; a panic elsewhere cannot leave it
        // half-changed.
        self.waiting.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Queues `write` and answers once a group ran it. The writer that gets the turn
    /// takes the group with `take` (oldest first, never none: its own write is still
    /// queued) and runs it with `run`, in a task that holds the turn until `run` is done.
    /// `lost` answers a writer whose group ended without answering it.
    pub(crate) async fn write<F, Fut>(
        &self,
        write: W,
        take: impl FnOnce(&mut Vec<Waiting<W, O>>) -> Vec<Waiting<W, O>>,
        run: F,
        lost: impl FnOnce() -> O,
    ) -> O
    where
        F: FnOnce(Vec<Waiting<W, O>>) -> Fut,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let (answer, mut answered) = oneshot::channel();
        self.waiting().push(Waiting { write, answer });
        let turn = self.turn.clone().lock_owned().await;
        // A group that ran while this writer waited for the turn may have taken it.
        if let Ok(outcome) = answered.try_recv() {
            return outcome;
        }
        let group = take(&mut self.waiting());
        let running = run(group);
        tokio::spawn(async move {
            running.await;
            drop(turn);
        });
        answered.await.unwrap_or_else(|_| lost())
    }
}

/// Runs the writes of `group` whose writer still waits with `run` (one outcome per
/// write, in order) and answers each. A writer that went away before its group began
/// is not written for, as when a request is dropped before its transaction begins.
pub(crate) async fn answer_each<W, O, Fut>(
    group: Vec<Waiting<W, O>>,
    run: impl FnOnce(Vec<W>) -> Fut,
) where
    Fut: Future<Output = Vec<O>>,
{
    let (writes, answers): (Vec<W>, Vec<_>) = group
        .into_iter()
        .filter(|w| !w.answer.is_closed())
        .map(|w| (w.write, w.answer))
        .unzip();
    if writes.is_empty() {
        return;
    }
    for (answer, outcome) in answers.into_iter().zip(run(writes).await) {
        // A writer that went away no longer waits for its answer.
        let _ = answer.send(outcome);
    }
}
