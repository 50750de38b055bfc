//! SQLite's ticket writes, committed in groups.
//!
//! SQLite has one writer, and each commit writes every page the transaction touched to
//! the WAL: for an open, about thirty (the ticket's indexes, the dashboard's tallies,
//! the full-text segment, the counter). Writers that arrive while a commit runs queue
//! here; the first to get the write turn then runs every queued write in one
//! transaction, each inside a savepoint of its own, and answers each after the commit.
//! The pages they share are written once per group instead of once per write.
//!
//! What each writer sees does not change:
//! - a write that fails (a duplicate id, a stale version) is rolled back to its
//!   savepoint and refused alone, as if it had run by itself; the others commit;
//! - a write is answered only once its group has committed; if the transaction fails
//!   as a whole (the disk is full, the file is locked by another process), every write
//!   of the group is refused and none was kept;
//! - writes run in the order they queued, each seeing the ones before it (a second
//!   save of the same version is stale, a second open of the same id a duplicate).
//!
//! The queue and its turn are [`turns`](super::turns): the group runs in a task of its
//! own, and a caller that went away before its group began is left out of it.

use helpdesk_core::{Error, StoreError, StoreErrorKind};

use super::SqlStore;
use super::ticket_writes::{OpenError, opening_error, write_error};
use super::turns::{Turns, answer_each};
use crate::backend::{Dialect, Exec, RowExt};
use crate::codec;
use crate::sql::Sql;

/// The most writes one transaction takes: a bound on how long the first of them waits
/// for its answer.
const MOST_PER_GROUP: usize = 64;

/// One ticket write, every statement of it written out before it queues.
pub(super) enum Write {
    /// A new ticket: `counter` takes the tenant's next number and returns it
    /// (`last_number`); `rest` writes the ticket and everything beside it, reading the
    /// number from the counter row.
    Open {
        /// The counter's upsert, `RETURNING last_number`.
        counter: Sql,
        /// The batch that writes the ticket.
        rest: Sql,
    },
    /// A change to a stored ticket: `update` is the versioned update of its row
    /// (returning a row when the version matched); `rest` writes what goes beside it.
    Save {
        /// The versioned `UPDATE ... RETURNING`.
        update: Sql,
        /// The batch that writes the rows beside the ticket and its words.
        rest: Sql,
    },
}

/// What a write did.
#[derive(Debug)]
pub(super) enum Written {
    /// The ticket was opened with this number.
    Opened(u64),
    /// The change was saved (`true`), or the version matched no row and nothing was
    /// written (`false`).
    Saved(bool),
}

/// A write's answer. [`OpenError::Duplicate`] only for an open whose ticket id exists.
pub(super) type Outcome = Result<Written, OpenError>;

/// The ticket writes waiting for a turn, and the turn itself (also taken by the outbox).
pub(crate) type WriteQueue = Turns<Write, Outcome>;

impl<D: Dialect> SqlStore<D> {
    /// Runs `write` in the next group and answers once that group has committed.
    pub(super) async fn write_in_group(&self, write: Write) -> Outcome {
        let pool = self.write_pool().clone();
        self.writes
            .write(
                write,
                |waiting| {
                    let n = waiting.len().min(MOST_PER_GROUP);
                    waiting.drain(..n).collect()
                },
                |group| answer_each(group, move |writes| run_group::<D>(pool, writes)),
                || {
                    Err(OpenError::Other(group_failure(
                        "the write's group ended without an answer",
                        StoreErrorKind::Other,
                    )))
                },
            )
            .await
    }
}

/// One outcome per write, in order.
async fn run_group<D: Dialect>(pool: D::Pool, writes: Vec<Write>) -> Vec<Outcome> {
    let count = writes.len();
    let mut tx = match D::begin(&pool).await {
        Ok(tx) => tx,
        Err(e) => return (0..count).map(|_| Err(failed(&e))).collect(),
    };
    let mut outcomes: Vec<Outcome> = Vec::with_capacity(count);
    for write in writes {
        match run_one::<D>(&mut tx, write).await {
            Ok(outcome) => outcomes.push(outcome),
            Err(e) => {
                // The transaction itself failed: nothing of the group is kept.
                abandon::<D>(tx).await;
                return (0..count).map(|_| Err(failed(&e))).collect();
            }
        }
    }
    if let Err(e) = D::commit(tx).await {
        return outcomes
            .into_iter()
            .map(|outcome| match outcome {
                // A refused write keeps its own refusal: it was rolled back anyway.
                Err(refused) => Err(refused),
                Ok(_) => Err(failed(&e)),
            })
            .collect();
    }
    outcomes
}

/// Runs one write in a savepoint. `Err` when the group's transaction can go no further.
async fn run_one<D: Dialect>(tx: &mut D::Tx, write: Write) -> Result<Outcome, sqlx::Error> {
    let (first, rest, open) = match write {
        Write::Open { counter, rest } => (counter, rest, true),
        Write::Save { update, rest } => (update, rest, false),
    };
    let refuse = |e: sqlx::Error| -> OpenError {
        if open {
            opening_error(e)
        } else {
            OpenError::Other(write_error(e))
        }
    };
    let mut head = Sql::new("SAVEPOINT helpdesk_write; ");
    head.append(first);
    let row = match tx.fetch_optional(head).await {
        Ok(row) => row,
        Err(e) => return refused::<D>(tx, refuse(e)).await,
    };
    let written = match (open, row) {
        (true, Some(row)) => {
            match row
                .i64("last_number")
                .and_then(|n| codec::unsigned(n, "ticket number"))
            {
                Ok(number) => Written::Opened(number),
                Err(e) => return refused::<D>(tx, OpenError::Other(e.into())).await,
            }
        }
        (true, None) => {
            let corrupt = crate::error::SqlxStoreError::Corrupt("no counter".into());
            return refused::<D>(tx, OpenError::Other(corrupt.into())).await;
        }
        (false, None) => {
            // The version matched no row: nothing was written.
            tx.execute(Sql::new("RELEASE helpdesk_write")).await?;
            return Ok(Ok(Written::Saved(false)));
        }
        (false, Some(_)) => Written::Saved(true),
    };
    let mut batch = rest;
    batch.push("; RELEASE helpdesk_write");
    match tx.execute(batch).await {
        Ok(_) => Ok(Ok(written)),
        Err(e) => refused::<D>(tx, refuse(e)).await,
    }
}

/// Rolls the transaction back to the write's savepoint and refuses the write with
/// `refusal`. `Err` when the savepoint is gone: SQLite rolled the whole transaction
/// back itself (a full disk, an I/O error), and the group fails.
async fn refused<D: Dialect>(tx: &mut D::Tx, refusal: OpenError) -> Result<Outcome, sqlx::Error> {
    tx.execute(Sql::new(
        "ROLLBACK TO helpdesk_write; RELEASE helpdesk_write",
    ))
    .await?;
    Ok(Err(refusal))
}

/// Rolls back a group's failed transaction. SQLite may have rolled it back itself (a
/// full disk, an I/O error) without the connection knowing, which would then refuse
/// every later `BEGIN`: a `BEGIN` that succeeds here says so, and the rollback that
/// follows ends it, leaving the connection as it was before the group.
async fn abandon<D: Dialect>(mut tx: D::Tx) {
    // Either fails ("within a transaction": the rollback ends that one) or restores
    // the transaction the connection believes it is in; the error says nothing more.
    let _ = tx.execute(Sql::new("BEGIN")).await;
    // A rollback that fails leaves the connection closed by the pool on release.
    let _ = D::rollback(tx).await;
}

/// A write refused because its group's transaction failed with `e`.
pub(super) fn failed(e: &sqlx::Error) -> OpenError {
    let kind = if crate::error::is_unavailable(e) {
        StoreErrorKind::Unavailable
    } else {
        StoreErrorKind::Other
    };
    OpenError::Other(group_failure(
        &format!("SQL store: the write's transaction failed: {e}"),
        kind,
    ))
}

fn group_failure(message: &str, kind: StoreErrorKind) -> Error {
    Error::Store(StoreError::new(message).with_kind(kind))
}

#[cfg(test)]
mod tests;
