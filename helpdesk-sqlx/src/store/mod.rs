//! Every port of `helpdesk-core`, written once over [`Dialect`]: the same SQL runs on
//! SQLite and PostgreSQL. One file per port; the helpers they share are here.

mod catalog;
mod dashboard;
mod dashboard_exact;
mod directory;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod explain;
mod import;
mod knowledge;
mod open_group;
mod outbox;
mod saved_searches;
mod search;
mod tenants;
mod ticket_writes;
mod tickets;
mod turns;
mod webhooks;
mod write_group;

use std::fmt;
use std::sync::Arc;

pub use import::ImportedTicket;

use helpdesk_core::{Entity, Error, StoreResult};

use crate::backend::{Dialect, Exec};
use crate::error::SqlxStoreError;
use crate::sql::Sql;

/// The helpdesk's store on one database: every port of `helpdesk-core`.
///
/// Use `SqliteStore` (feature `sqlite`) or `PostgresStore` (feature `postgres`);
/// both are this type. Cheap to clone: it holds the connection pool.
pub struct SqlStore<D: Dialect> {
    pool: D::Pool,
    /// Ticket writes of this store take turns here (on SQLite, whose single writer
    /// would otherwise leave the losers sleeping in the busy handler): they queue in
    /// process, those queued together commit together, and only another process's
    /// writer meets the busy timeout.
    writes: Arc<write_group::WriteQueue>,
    /// On a SQLite file: one connection of its own for ticket writes and the outbox,
    /// so that its page cache stays warm (a write by any other connection empties the
    /// cache of every connection). `None`: writes take a connection of `pool`.
    writer: Option<D::Pool>,
    /// On PostgreSQL, the opens of each tenant queue here and are written together
    /// (see `open_group`).
    opens: Arc<open_group::OpenQueues>,
}

impl<D: Dialect> Clone for SqlStore<D> {
    fn clone(&self) -> Self {
        Self {
            pool: self.pool.clone(),
            writes: self.writes.clone(),
            writer: self.writer.clone(),
            opens: self.opens.clone(),
        }
    }
}

impl<D: Dialect> fmt::Debug for SqlStore<D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqlStore")
            .field("pool", &self.pool)
            .finish()
    }
}

impl<D: Dialect> SqlStore<D> {
    pub(crate) fn with_pool(pool: D::Pool) -> Self {
        Self {
            pool,
            writes: Arc::default(),
            writer: None,
            opens: Arc::default(),
        }
    }

    /// The worker's claims and deliveries on SQLite wait for the same turn as ticket
    /// writes: under load they would otherwise sleep in the busy handler while ticket
    /// writes hold the lock. PostgreSQL's row locks need no turn (`None`).
    pub(crate) async fn outbox_turn(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        if D::ONE_STATEMENT {
            None
        } else {
            Some(self.writes.turn().await)
        }
    }

    /// Gives writes a pool of their own (see `writer`).
    #[cfg_attr(not(feature = "sqlite"), allow(dead_code))]
    pub(crate) fn with_writer(mut self, writer: D::Pool) -> Self {
        self.writer = Some(writer);
        self
    }

    /// Where ticket writes and the outbox's run: the writer's pool when there is one.
    pub(crate) fn write_pool(&self) -> &D::Pool {
        self.writer.as_ref().unwrap_or(&self.pool)
    }

    pub(crate) fn raw_pool(&self) -> &D::Pool {
        &self.pool
    }

    /// Brings the schema up to date: applies, in one transaction, every migration this
    /// crate ships that the database has not recorded in `helpdesk_migrations`. Call it
    /// once at start-up; running it again, or from several processes at once, is safe.
    pub async fn migrate(&self) -> Result<(), SqlxStoreError> {
        crate::migrate::run::<D>(&self.pool).await
    }

    /// The migrations this crate ships for this database, oldest first.
    pub fn migrations() -> &'static [crate::Migration] {
        D::MIGRATIONS
    }

    fn conn(&self) -> D::Pool {
        self.pool.clone()
    }
}

/// A storage failure.
fn db(e: sqlx::Error) -> Error {
    SqlxStoreError::from(e).into()
}

fn store_err(e: SqlxStoreError) -> Error {
    e.into()
}

async fn fetch_all<E: Exec, T>(
    exec: &mut E,
    sql: Sql,
    decode: impl Fn(&E::Row) -> Result<T, SqlxStoreError>,
) -> StoreResult<Vec<T>> {
    let rows = exec.fetch_all(sql).await.map_err(db)?;
    rows.iter().map(|r| decode(r).map_err(store_err)).collect()
}

async fn fetch_optional<E: Exec, T>(
    exec: &mut E,
    sql: Sql,
    decode: impl Fn(&E::Row) -> Result<T, SqlxStoreError>,
) -> StoreResult<Option<T>> {
    let row = exec.fetch_optional(sql).await.map_err(db)?;
    row.as_ref()
        .map(|r| decode(r).map_err(store_err))
        .transpose()
}

fn select(columns: &'static str, rest: &'static str) -> Sql {
    let mut sql = Sql::new("SELECT ");
    sql.push(columns).push(" ").push(rest);
    sql
}

fn found(changed: u64, entity: Entity) -> StoreResult<()> {
    if changed == 0 {
        Err(Error::NotFound(entity))
    } else {
        Ok(())
    }
}
