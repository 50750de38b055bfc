//! The seam between the shared store and each database: running a statement, reading a
//! column, opening a write transaction, and the few things the two dialects do
//! differently (full-text search, migration locking). Everything else is written once in
//! [`store`](crate::store).

use async_trait::async_trait;
use helpdesk_core::{TenantId, Ticket};
use uuid::Uuid;

use crate::error::Result;
use crate::sql::Sql;

/// Reads one column of a result row, by name.
pub trait RowExt: Send + Sync {
    /// A UUID column.
    fn uuid(&self, col: &str) -> Result<Uuid>;
    /// A nullable UUID column.
    fn opt_uuid(&self, col: &str) -> Result<Option<Uuid>>;
    /// An integer column.
    fn i64(&self, col: &str) -> Result<i64>;
    /// A nullable integer column.
    fn opt_i64(&self, col: &str) -> Result<Option<i64>>;
    /// A text column.
    fn text(&self, col: &str) -> Result<String>;
    /// A nullable text column.
    fn opt_text(&self, col: &str) -> Result<Option<String>>;
    /// A boolean column.
    fn bool(&self, col: &str) -> Result<bool>;
    /// A JSON column.
    fn json(&self, col: &str) -> Result<serde_json::Value>;
}

/// Runs statements on a pool or inside a transaction.
///
/// On a pool, `fetch_all` and `fetch_optional` are for reads only: one that fails on a
/// connection found dead is retried once on a fresh connection. A statement that writes
/// goes through `execute` or a transaction, which are never retried (a write whose
/// answer was lost may have committed).
#[async_trait]
pub trait Exec: Send {
    /// The row type.
    type Row: RowExt;
    /// Every row.
    async fn fetch_all(&mut self, sql: Sql) -> Result<Vec<Self::Row>, sqlx::Error>;
    /// The first row, if any.
    async fn fetch_optional(&mut self, sql: Sql) -> Result<Option<Self::Row>, sqlx::Error>;
    /// How many rows the statement changed.
    async fn execute(&mut self, sql: Sql) -> Result<u64, sqlx::Error>;
    /// The first row of a statement that writes: never retried.
    async fn fetch_optional_write(&mut self, sql: Sql) -> Result<Option<Self::Row>, sqlx::Error>;
}

/// The words of a ticket the full-text index keeps, already folded by
/// [`helpdesk_core::text::fold`]: its subject and description (replaced on every save),
/// and the bodies of the events a save appends, public and internal apart.
#[derive(Debug, Default)]
pub struct TicketWords {
    /// Subject and description.
    pub head: Vec<String>,
    /// Bodies of the new public events.
    pub public: Vec<String>,
    /// Bodies of the new internal notes.
    pub internal: Vec<String>,
}

/// The planner settings of a search that the store holds to its shape
/// ([`Dialect::HELD_PLANNING`]): statements of the search's own transaction.
#[derive(Clone, Copy, Debug)]
pub struct HeldPlanning {
    /// Holds each statement to its shape: walks stay walks, and a `contains`
    /// search's full-text index is read rather than the table.
    pub hold: &'static str,
    /// Lets the next statements sort again (the walks of a scope's arms sort their few
    /// rows: a requester's guest tickets, the page of several arms), each arm still a
    /// walk of its index rather than a bitmap of it sorted whole.
    pub sorts: &'static str,
}

/// A database the store runs on. Sealed: implemented by
/// [`SqliteBackend`](crate::SqliteBackend) and [`PostgresBackend`](crate::PostgresBackend).
#[async_trait]
pub trait Dialect: crate::collate::SubjectOrder + Send + Sync + Sized + 'static {
    /// The connection pool.
    type Pool: Exec<Row = Self::Row> + Clone + Send + Sync + std::fmt::Debug;
    /// An open transaction; dropping it uncommitted rolls it back.
    type Tx: Exec<Row = Self::Row>;
    /// A result row.
    type Row: RowExt;

    /// The migrations, oldest first.
    const MIGRATIONS: &'static [crate::migrate::Migration];
    /// A query answering one row when the table named by `$1` exists (in the schemas
    /// the connection sees), none otherwise.
    const TABLE_EXISTS: &'static str;
    /// What ends the subquery that picks the outbox rows a claim takes: PostgreSQL locks
    /// them and skips rows another claim holds (`FOR UPDATE SKIP LOCKED`); SQLite needs
    /// nothing, its single writer makes the claiming `UPDATE` atomic.
    const CLAIM_LOCK: &'static str;
    /// Whether a ticket change is written as one statement (PostgreSQL: the ticket row,
    /// its search vectors and every row beside it in one `WITH`, atomic without `BEGIN`)
    /// rather than as a transaction of several (SQLite, whose full-text index is a table
    /// of its own and whose statements cost no round trip).
    const ONE_STATEMENT: bool;

    /// How a list of folded words is bound for the full-text index.
    fn words_arg(words: Vec<String>) -> crate::sql::Arg;

    /// Opens a transaction that will write. SQLite takes the write lock up front so two
    /// writers queue instead of failing to upgrade a read lock.
    async fn begin(pool: &Self::Pool) -> Result<Self::Tx, sqlx::Error>;
    /// Opens a transaction that reads (and writes at most the connection's own temporary
    /// tables): SQLite takes no write lock.
    async fn begin_read(pool: &Self::Pool) -> Result<Self::Tx, sqlx::Error>;
    /// Commits.
    async fn commit(tx: Self::Tx) -> Result<(), sqlx::Error>;
    /// Rolls back now, releasing the transaction's locks before it returns (dropping a
    /// transaction rolls back too, but only once its connection is next used).
    async fn rollback(tx: Self::Tx) -> Result<(), sqlx::Error>;
    /// Takes whatever lock makes migrating from several processes at once safe, inside
    /// the migration transaction.
    async fn lock_migrations(tx: &mut Self::Tx) -> Result<(), sqlx::Error>;
    /// Runs a script of several statements (a migration) inside `tx`.
    async fn run_script(tx: &mut Self::Tx, script: &'static str) -> Result<(), sqlx::Error>;

    /// What a `contains` search reads tickets `t` from, the full-text index first where
    /// the database needs to be told (SQLite: `helpdesk_ticket_text CROSS JOIN
    /// helpdesk_tickets t`, the matches drive the join).
    const CONTAINS_FROM: &'static str;

    /// Appends the condition "every word of `words` is a prefix of a word of the ticket
    /// `t`", over its head and public events, plus internal notes when `internal`, for a
    /// statement reading from [`CONTAINS_FROM`](Self::CONTAINS_FROM). `tenants` are
    /// those the statement is already limited to (empty: any), for a full-text index
    /// that can narrow its matches to them (SQLite's, before it reads any ticket).
    fn push_contains(sql: &mut Sql, words: &[String], internal: bool, tenants: &[TenantId]);
    /// The order in which a `contains` total reads the matches, after its conditions:
    /// newest first (SQLite: the FTS5 rowid, the order tickets were written in;
    /// PostgreSQL: the tickets' newest-first index), so that a common word's total
    /// stops after the recent matches instead of reading the archived ones first.
    const CONTAINS_NEWEST: &'static str;
    /// Written before a column so that the planner does not use an index for the
    /// condition on it (SQLite: a unary `+`); empty where plans do not need it.
    const NOT_INDEXED: &'static str;
    /// A statement that holds the planner to the shape of a search's statements, run
    /// first in the search's own transaction (PostgreSQL: no sequential scan, no sort
    /// where an index gives the order), for the two kinds of search whose plan would
    /// otherwise rest on estimates: a `contains` search in one tenant, for which the
    /// store then picks between walking the tickets and reading the full-text index
    /// itself (`search::probed`), and a search walked one filter value at a time or as
    /// one walk of a tenant (`search::held_walks`). None: the shared statements, as the planner reads them
    /// (SQLite, whose plans do not move with statistics it never gathers). A database
    /// with it also has the index of a requester's kept tickets that
    /// `search::probed` counts in (PostgreSQL migration 17), and window columns that
    /// test the words in the walked row (`hit`).
    const HELD_PLANNING: Option<HeldPlanning>;
    /// The columns a common word's window (`w`, see `search::window_page`) keeps
    /// beside each walked ticket's keys, to test the words afterwards.
    fn push_window_columns(sql: &mut Sql, words: &[String], internal: bool);
    /// The condition "the ticket `t` of the window `w` has every word of `words`".
    /// `tenants` as for [`push_contains`](Self::push_contains).
    fn push_window_match(sql: &mut Sql, words: &[String], internal: bool, tenants: &[TenantId]);
    /// The condition "the ticket `t` has every word of `words`" in a statement that
    /// reads the tickets from another index (the walk of an arm of the scope), not from
    /// [`CONTAINS_FROM`](Self::CONTAINS_FROM). SQLite looks each walked ticket's rowid
    /// (from its index entry, before its row is read) up in the list of the matches
    /// that [`list_matches`](Self::list_matches) wrote in the same transaction;
    /// PostgreSQL tests the ticket's own vectors, as
    /// [`push_contains`](Self::push_contains) does.
    fn push_words_tested(sql: &mut Sql, words: &[String], internal: bool, tenants: &[TenantId]);
    /// The statements that list the tickets with every word of `words` (in `tenants`)
    /// for [`push_words_tested`](Self::push_words_tested), in a transaction of
    /// [`begin_read`](Self::begin_read): the list's table made if the connection has
    /// none yet, the matches written (its changed rows are their number), and the list
    /// emptied before the commit. How a search walked as arms chooses between the
    /// matches driving it and its arms' walks (`search::listed`). None where the search
    /// chooses otherwise (PostgreSQL, `search::probed`).
    fn list_matches(words: &[String], internal: bool, tenants: &[TenantId]) -> Option<[Sql; 3]>;
    /// The statement that records the words of a newly opened ticket.
    fn index_new_ticket(ticket: &Ticket, words: TicketWords) -> Sql;
    /// The statement that replaces the head words of a saved ticket and appends the
    /// words of its new events.
    fn index_saved_ticket(ticket: &Ticket, words: TicketWords) -> Sql;
}

/// Implements [`RowExt`] for a sqlx row type: the same calls type-check on each driver.
macro_rules! impl_row_ext {
    ($row:ty) => {
        impl $crate::backend::RowExt for $row {
            fn uuid(&self, col: &str) -> $crate::error::Result<uuid::Uuid> {
                Ok(sqlx::Row::try_get(self, col)?)
            }
            fn opt_uuid(&self, col: &str) -> $crate::error::Result<Option<uuid::Uuid>> {
                Ok(sqlx::Row::try_get(self, col)?)
            }
            fn i64(&self, col: &str) -> $crate::error::Result<i64> {
                Ok(sqlx::Row::try_get(self, col)?)
            }
            fn opt_i64(&self, col: &str) -> $crate::error::Result<Option<i64>> {
                Ok(sqlx::Row::try_get(self, col)?)
            }
            fn text(&self, col: &str) -> $crate::error::Result<String> {
                Ok(sqlx::Row::try_get(self, col)?)
            }
            fn opt_text(&self, col: &str) -> $crate::error::Result<Option<String>> {
                Ok(sqlx::Row::try_get(self, col)?)
            }
            fn bool(&self, col: &str) -> $crate::error::Result<bool> {
                Ok(sqlx::Row::try_get(self, col)?)
            }
            fn json(&self, col: &str) -> $crate::error::Result<serde_json::Value> {
                let sqlx::types::Json(v) = sqlx::Row::try_get(self, col)?;
                Ok(v)
            }
        }
    };
}

/// Implements [`Exec`] for a pool and a transaction of one driver, binding each
/// [`Arg`](crate::sql::Arg) with `$bind`.
macro_rules! impl_exec {
    ($db:ty, $row:ty, $bind:path) => {
        fn prepare(
            sql: $crate::sql::Sql,
        ) -> sqlx::query::Query<'static, $db, <$db as sqlx::Database>::Arguments> {
            let (text, args) = sql.into_parts();
            // Built by `Sql` from `&'static str` fragments only; every value is bound.
            let mut query = sqlx::query(sqlx::AssertSqlSafe(text));
            for arg in args {
                query = $bind(query, arg);
            }
            query
        }

        // Fetches on the pool are reads (every write goes through a transaction or
        // `execute`): one that met a dead connection is sent once more on a fresh one.
        #[async_trait::async_trait]
        impl $crate::backend::Exec for sqlx::Pool<$db> {
            type Row = $row;
            async fn fetch_all(&mut self, sql: $crate::sql::Sql) -> Result<Vec<$row>, sqlx::Error> {
                match prepare(sql.clone()).fetch_all(&*self).await {
                    Err(e) if $crate::error::is_connection_lost(&e) => {
                        prepare(sql).fetch_all(&*self).await
                    }
                    other => other,
                }
            }
            async fn fetch_optional(
                &mut self,
                sql: $crate::sql::Sql,
            ) -> Result<Option<$row>, sqlx::Error> {
                match prepare(sql.clone()).fetch_optional(&*self).await {
                    Err(e) if $crate::error::is_connection_lost(&e) => {
                        prepare(sql).fetch_optional(&*self).await
                    }
                    other => other,
                }
            }
            async fn execute(&mut self, sql: $crate::sql::Sql) -> Result<u64, sqlx::Error> {
                Ok(prepare(sql).execute(&*self).await?.rows_affected())
            }
            async fn fetch_optional_write(
                &mut self,
                sql: $crate::sql::Sql,
            ) -> Result<Option<$row>, sqlx::Error> {
                prepare(sql).fetch_optional(&*self).await
            }
        }

        #[async_trait::async_trait]
        impl $crate::backend::Exec for sqlx::Transaction<'static, $db> {
            type Row = $row;
            async fn fetch_all(&mut self, sql: $crate::sql::Sql) -> Result<Vec<$row>, sqlx::Error> {
                prepare(sql).fetch_all(&mut **self).await
            }
            async fn fetch_optional(
                &mut self,
                sql: $crate::sql::Sql,
            ) -> Result<Option<$row>, sqlx::Error> {
                prepare(sql).fetch_optional(&mut **self).await
            }
            async fn execute(&mut self, sql: $crate::sql::Sql) -> Result<u64, sqlx::Error> {
                Ok(prepare(sql).execute(&mut **self).await?.rows_affected())
            }
            async fn fetch_optional_write(
                &mut self,
                sql: $crate::sql::Sql,
            ) -> Result<Option<$row>, sqlx::Error> {
                prepare(sql).fetch_optional(&mut **self).await
            }
        }
    };
}

pub(crate) use {impl_exec, impl_row_ext};
