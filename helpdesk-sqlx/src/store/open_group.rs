//! PostgreSQL's opens in one tenant, numbered together.
//!
//! An open takes its tenant's number counter row and holds it until its commit, so the
//! opens of one tenant run one after another, each paying for its statement and for its
//! commit's flush to disk alone: on the bench machine about 0.65 ms, that is about 1,500
//! opens a second in a tenant whatever the number of connections. Opens that arrive
//! while one runs queue here, one queue per tenant (see [`turns`](super::turns)); the
//! next to get the tenant's turn writes every queued open in one statement. The counter
//! moves once by the number of opens, each ticket part takes its number from it in
//! queue order, and the rows beside each ticket are parts of the same statement: one
//! statement, one commit and one run of the dashboard's tally trigger per group.
//!
//! What each writer sees does not change:
//! - numbers follow the order in which the opens queued, without gaps;
//! - a group that the database refuses (a ticket id that exists, among them) wrote
//!   nothing; each of its opens is then written alone, in order, so the one at fault is
//!   refused by itself and the others are written;
//! - a group whose outcome is unknown (the connection lost on the way) is refused as a
//!   whole, as a single open would be.
//!
//! Opens of another process in the same tenant wait on the counter row, as before.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use helpdesk_core::{StoreError, StoreErrorKind, TenantId};
use uuid::Uuid;

use super::SqlStore;
use super::ticket_writes::{OpenError, OpenParts, opening_error};
use super::turns::{Turns, Waiting, answer_each};
use super::write_group::failed;
use crate::backend::{Dialect, Exec, RowExt};
use crate::codec;
use crate::error::SqlxStoreError;
use crate::sql::Sql;

/// The most opens one statement writes.
const MOST_PER_GROUP: usize = 64;

/// The most values one group binds: PostgreSQL takes at most 65,535 in a statement.
const MOST_VALUES: usize = 30_000;

/// An open's answer: its number.
type Outcome = Result<u64, OpenError>;

/// One tenant's opens waiting for its turn.
type OpenQueue = Turns<OpenParts, Outcome>;

/// The open queues of the tenants that have opens under way.
#[derive(Default)]
pub(crate) struct OpenQueues {
    tenants: Mutex<HashMap<Uuid, Arc<OpenQueue>>>,
}

impl OpenQueues {
    fn tenants(&self) -> std::sync::MutexGuard<'_, HashMap<Uuid, Arc<OpenQueue>>> {
        // The map is only inserted into and removed from; a panic elsewhere cannot leave
        // it half-changed.
        self.tenants.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// `tenant`'s queue, made if it has none.
    fn queue(&self, tenant: TenantId) -> Arc<OpenQueue> {
        self.tenants().entry(tenant.as_uuid()).or_default().clone()
    }

    /// Forgets `tenant`'s queue once nobody holds it: the map keeps the tenants with
    /// opens under way, not every tenant that ever opened a ticket. A writer holds its
    /// queue from before it queues until it is answered, so a queue held by the map
    /// alone has nobody waiting in it. (A group's task may still be releasing the
    /// turn; an open that comes then starts a new queue, whose statement waits on the
    /// counter row: correct, only not grouped with the one before.)
    fn forget_if_idle(&self, tenant: TenantId) {
        let mut tenants = self.tenants();
        if tenants
            .get(&tenant.as_uuid())
            .is_some_and(|q| Arc::strong_count(q) == 1)
        {
            tenants.remove(&tenant.as_uuid());
        }
    }

    /// How many tenants have a queue (tests).
    #[cfg(all(test, feature = "postgres"))]
    pub(crate) fn len(&self) -> usize {
        self.tenants().len()
    }
}

impl<D: Dialect> SqlStore<D> {
    /// Writes `open` in `tenant` in the next group of that tenant's opens and answers
    /// with its number once that group's statement has committed.
    pub(super) async fn open_in_group(&self, tenant: TenantId, open: OpenParts) -> Outcome {
        // Dropped after `queue` (locals drop in reverse order), when the writer is
        // answered or goes away.
        let _forget = ForgetIfIdle {
            queues: &self.opens,
            tenant,
        };
        let queue = self.opens.queue(tenant);
        let pool = self.conn();
        queue
            .write(
                open,
                take_group,
                move |group| answer_each(group, move |opens| write_opens::<D>(pool, tenant, opens)),
                || {
                    Err(OpenError::Other(
                        StoreError::new("the open's group ended without an answer")
                            .with_kind(StoreErrorKind::Other)
                            .into(),
                    ))
                },
            )
            .await
    }
}

/// Forgets the tenant's queue, if nobody holds it, once a writer let go of it.
struct ForgetIfIdle<'a> {
    queues: &'a OpenQueues,
    tenant: TenantId,
}

impl Drop for ForgetIfIdle<'_> {
    fn drop(&mut self) {
        self.queues.forget_if_idle(self.tenant);
    }
}

/// The oldest queued opens, up to [`MOST_PER_GROUP`] and [`MOST_VALUES`] (the first
/// always, however many values it binds: alone, it is the statement it would be
/// without groups).
fn take_group(waiting: &mut Vec<Waiting<OpenParts, Outcome>>) -> Vec<Waiting<OpenParts, Outcome>> {
    let mut values = 0;
    let mut n = 0;
    for w in waiting.iter().take(MOST_PER_GROUP) {
        values += w.write.values();
        if n > 0 && values > MOST_VALUES {
            break;
        }
        n += 1;
    }
    waiting.drain(..n).collect()
}

/// One outcome per open, in order.
async fn write_opens<D: Dialect>(
    pool: D::Pool,
    tenant: TenantId,
    opens: Vec<OpenParts>,
) -> Vec<Outcome> {
    let count = opens.len();
    if count == 1 {
        return vec![
            write_together::<D>(&pool, tenant, opens)
                .await
                .map_err(opening_error),
        ];
    }
    match write_together::<D>(&pool, tenant, opens.clone()).await {
        Ok(first) => (0..count as u64).map(|k| Ok(first + k)).collect(),
        Err(e) if e.as_database_error().is_some() => {
            // Refused by the database: the statement wrote nothing. Each open alone,
            // in order, gets its own answer.
            let mut outcomes = Vec::with_capacity(count);
            for open in opens {
                outcomes.push(
                    write_together::<D>(&pool, tenant, vec![open])
                        .await
                        .map_err(opening_error),
                );
            }
            outcomes
        }
        Err(e) => (0..count).map(|_| Err(failed(&e))).collect(),
    }
}

/// Writes `opens` (at least one) in one statement; the first one's number.
async fn write_together<D: Dialect>(
    pool: &D::Pool,
    tenant: TenantId,
    opens: Vec<OpenParts>,
) -> Result<u64, sqlx::Error> {
    let count = opens.len() as u64;
    let row = pool
        .clone()
        .fetch_optional_write(statement(tenant, opens))
        .await?
        .ok_or_else(|| sqlx::Error::Protocol("the open statement returned no row".into()))?;
    let last = row
        .i64("last_number")
        .and_then(|n| codec::unsigned(n, "ticket number"))
        .map_err(|e: SqlxStoreError| sqlx::Error::Decode(e.into()))?;
    // The counter moved by `count`: below that, it held a negative number before.
    (last + 1)
        .checked_sub(count)
        .filter(|first| *first > 0)
        .ok_or_else(|| sqlx::Error::Protocol("the tenant's number counter is negative".into()))
}

/// `WITH n AS (the counter moved by the number of opens), t0 AS (the first ticket,
/// numbered last - (count - 1)), t0r0 AS (a row beside it), ..., t1 AS (...) SELECT
/// last_number FROM n`.
fn statement(tenant: TenantId, opens: Vec<OpenParts>) -> Sql {
    let count = i64::try_from(opens.len()).unwrap_or(i64::MAX);
    let mut sql = Sql::new(
        "WITH n AS (INSERT INTO helpdesk_ticket_counters (tenant_id, last_number) VALUES (",
    );
    sql.bind(tenant.as_uuid())
        .push(", ")
        .push_integer(count)
        .push(
            ") ON CONFLICT (tenant_id) DO UPDATE \
             SET last_number = helpdesk_ticket_counters.last_number + ",
        )
        .push_integer(count)
        .push(" RETURNING last_number)");
    for (k, open) in (0_i64..).zip(opens) {
        sql.push(", t")
            .push_integer(k)
            .push(" AS (")
            .append(open.ticket)
            .push("n.last_number - ")
            .push_integer(count - 1 - k)
            .push(" FROM n)");
        for (j, row) in (0_i64..).zip(open.rows) {
            sql.push(", t")
                .push_integer(k)
                .push("r")
                .push_integer(j)
                .push(" AS (")
                .append(row)
                .push(")");
        }
    }
    sql.push(" SELECT last_number FROM n");
    sql
}

#[cfg(all(test, feature = "postgres"))]
mod tests;
