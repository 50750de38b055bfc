//! The store on SQLite: a file next to the host, no server.

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use helpdesk_core::{TenantId, Ticket};
use sqlx::sqlite::{
    SqliteArguments, SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteRow, SqliteSynchronous,
};
use sqlx::types::Json;
use sqlx::{Sqlite, Transaction};

use crate::backend::{Dialect, TicketWords, impl_exec, impl_row_ext};
use crate::error::SqlxStoreError;
use crate::migrate::Migration;
use crate::pool::PoolSettings;
use crate::sql::{Arg, Sql};
use crate::store::SqlStore;

/// SQLite, as a [`SqlStore`] backend.
#[derive(Debug)]
#[cfg_attr(docsrs, doc(cfg(feature = "sqlite")))]
pub enum SqliteBackend {}

/// The helpdesk store on SQLite.
#[cfg_attr(docsrs, doc(cfg(feature = "sqlite")))]
pub type SqliteStore = SqlStore<SqliteBackend>;

/// How long a connection waits for another's write lock before giving up.
#[cfg_attr(docsrs, doc(cfg(feature = "sqlite")))]
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

fn bind(
    query: sqlx::query::Query<'static, Sqlite, SqliteArguments>,
    arg: Arg,
) -> sqlx::query::Query<'static, Sqlite, SqliteArguments> {
    match arg {
        Arg::Uuid(v) => query.bind(v),
        Arg::OptUuid(v) => query.bind(v),
        Arg::I64(v) => query.bind(v),
        Arg::OptI64(v) => query.bind(v),
        Arg::Text(v) => query.bind(v),
        Arg::OptText(v) => query.bind(v),
        Arg::Bool(v) => query.bind(v),
        Arg::Json(v) => query.bind(Json(v)),
        Arg::TextArray(v) => query.bind(Json(v)),
    }
}

impl_row_ext!(SqliteRow);
impl_exec!(Sqlite, SqliteRow, bind);

/// FTS5 query syntax for "every word, as a prefix": `"word"*` each, quotes doubled. The
/// expression is a bound value; the words are letters and digits only anyway.
fn match_expression(words: &[String]) -> String {
    words
        .iter()
        .map(|w| format!("\"{}\"*", w.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// The word that stands for `tenant` in the full-text index's `tenant` column: `t` and
/// the tenant id's 32 lowercase hex digits (migration 13 writes the same from the
/// stored id, `'t' || lower(hex(tenant_id))`).
pub(crate) fn tenant_word(tenant: TenantId) -> String {
    format!("t{}", tenant.as_uuid().simple())
}

/// The FTS5 query for `words` in the columns a caller may search (the head and public
/// events, and internal notes when they see them; never the tenant column), within
/// `tenants` when there are any.
fn columns_match(words: &[String], internal: bool, tenants: &[TenantId]) -> String {
    let columns = if internal {
        "{head public internal}"
    } else {
        "{head public}"
    };
    let expression = format!("{columns} : ({})", match_expression(words));
    if tenants.is_empty() {
        return expression;
    }
    let tenants: Vec<String> = tenants.iter().map(|t| tenant_word(*t)).collect();
    format!("tenant : ({}) AND {expression}", tenants.join(" OR "))
}

/// The argument of a `contains` search's `MATCH` (and of a window's), within `tenants`.
/// One tenant that holds two thirds or more of the database's tickets (its counter
/// against the highest ticket rowid: two lookups by key) is left out of the match: its
/// word is in nearly every document, and FTS5 would read that word's list between
/// matches to skip the few tickets of other tenants, which the tickets' own `tenant_id`
/// condition skips anyway (at a million tickets in one tenant, a tenth to a sixth of
/// each full-text statement's time). Fewer tickets in the tenant, and its word makes FTS5 read
/// its matches only. (The counter is the tenant's last number: numbers carried over
/// from an earlier system can make a tenant look larger than it is, and its searches
/// then read other tenants' matches too, found but skipped: slower, never wrong.)
fn push_tenant_match(sql: &mut Sql, words: &[String], internal: bool, tenants: &[TenantId]) {
    let [tenant] = tenants else {
        sql.bind(columns_match(words, internal, tenants));
        return;
    };
    sql.push("CASE WHEN (SELECT last_number FROM helpdesk_ticket_counters WHERE tenant_id = ")
        .bind(tenant.as_uuid())
        .push(") * 3 >= (SELECT MAX(seq) FROM helpdesk_tickets) * 2 THEN ")
        .bind(columns_match(words, internal, &[]))
        .push(" ELSE ")
        .bind(columns_match(words, internal, tenants))
        .push(" END");
}

/// One of the index statements with its parameters: the ticket (`$1`, `$2`) and its
/// words (`$3` head, `$4` public, `$5` internal).
fn index_statement(statement: &'static str, ticket: &Ticket, words: TicketWords) -> Sql {
    Sql::new(statement)
        .arg(ticket.tenant.as_uuid())
        .arg(ticket.id.as_uuid())
        .arg(words.head.join(" "))
        .arg(words.public.join(" "))
        .arg(words.internal.join(" "))
}

#[async_trait]
impl Dialect for SqliteBackend {
    type Pool = SqlitePool;
    type Tx = Transaction<'static, Sqlite>;
    type Row = SqliteRow;

    const MIGRATIONS: &'static [Migration] = &[
        Migration {
            version: 1,
            description: "schema",
            sql: include_str!("../migrations/sqlite/0001_schema.sql"),
        },
        Migration {
            version: 2,
            description: "public version and request fingerprint",
            sql: include_str!("../migrations/sqlite/0002_public_version_and_fingerprint.sql"),
        },
        Migration {
            version: 3,
            description: "people's language and member search words",
            sql: include_str!("../migrations/sqlite/0003_people_language_and_member_words.sql"),
        },
        Migration {
            version: 4,
            description: "outbox claims and dead letters",
            sql: include_str!("../migrations/sqlite/0004_outbox_claims_and_dead_letters.sql"),
        },
        Migration {
            version: 5,
            description: "service levels",
            sql: include_str!("../migrations/sqlite/0005_service_levels.sql"),
        },
        Migration {
            version: 6,
            description: "muted notification topics",
            sql: include_str!("../migrations/sqlite/0006_muted_notification_topics.sql"),
        },
        Migration {
            version: 8,
            description: "webhook endpoints",
            sql: include_str!("../migrations/sqlite/0008_webhooks.sql"),
        },
        Migration {
            version: 9,
            description: "read indexes",
            sql: include_str!("../migrations/sqlite/0009_read_indexes.sql"),
        },
        Migration {
            version: 10,
            description: "dashboard tallies",
            sql: include_str!("../migrations/sqlite/0010_dashboard_tallies.sql"),
        },
        Migration {
            version: 11,
            description: "tenant-leading keys",
            sql: include_str!("../migrations/sqlite/0011_tenant_leading_keys.sql"),
        },
        Migration {
            version: 12,
            description: "filter indexes",
            sql: include_str!("../migrations/sqlite/0012_filter_indexes.sql"),
        },
        Migration {
            version: 13,
            description: "tenant in full text",
            sql: include_str!("../migrations/sqlite/0013_tenant_in_full_text.sql"),
        },
        Migration {
            version: 14,
            description: "changed since",
            sql: include_str!("../migrations/sqlite/0014_changed_since.sql"),
        },
        Migration {
            version: 16,
            description: "unread indexes dropped",
            sql: include_str!("../migrations/sqlite/0016_unread_indexes.sql"),
        },
        Migration {
            version: 18,
            description: "the tenant of a ticket and of an attachment, by id",
            sql: include_str!("../migrations/sqlite/0018_tenant_by_id.sql"),
        },
    ];
    // One writer at a time: an UPDATE ... RETURNING is atomic on its own.
    const CLAIM_LOCK: &'static str = "";
    // CROSS JOIN fixes the join order: the FTS5 matches first, then each ticket by rowid.
    const CONTAINS_FROM: &'static str = "helpdesk_ticket_text CROSS JOIN helpdesk_tickets t";
    const ONE_STATEMENT: bool = false;
    const TABLE_EXISTS: &'static str =
        "SELECT 1 AS found FROM sqlite_master WHERE type = 'table' AND name = $1";

    fn words_arg(words: Vec<String>) -> Arg {
        Arg::Text(words.join(" "))
    }

    async fn begin(pool: &SqlitePool) -> Result<Self::Tx, sqlx::Error> {
        // Take the write lock now: a deferred transaction that reads first and writes
        // later cannot wait for the lock when it upgrades, it fails with SQLITE_BUSY.
        pool.begin_with("BEGIN IMMEDIATE").await
    }

    async fn begin_read(pool: &SqlitePool) -> Result<Self::Tx, sqlx::Error> {
        // Deferred: a read lock once the first statement reads; the temporary tables
        // it writes are the connection's own.
        pool.begin().await
    }

    async fn commit(tx: Self::Tx) -> Result<(), sqlx::Error> {
        tx.commit().await
    }

    async fn rollback(tx: Self::Tx) -> Result<(), sqlx::Error> {
        tx.rollback().await
    }

    async fn lock_migrations(_: &mut Self::Tx) -> Result<(), sqlx::Error> {
        // BEGIN IMMEDIATE already holds the database's write lock.
        Ok(())
    }

    async fn run_script(tx: &mut Self::Tx, script: &'static str) -> Result<(), sqlx::Error> {
        sqlx::raw_sql(script).execute(&mut **tx).await.map(|_| ())
    }

    fn push_contains(sql: &mut Sql, words: &[String], internal: bool, tenants: &[TenantId]) {
        sql.push(" AND helpdesk_ticket_text MATCH ");
        push_tenant_match(sql, words, internal, tenants);
        sql.push(" AND t.seq = helpdesk_ticket_text.rowid");
    }

    const CONTAINS_NEWEST: &'static str = " ORDER BY helpdesk_ticket_text.rowid DESC";
    const NOT_INDEXED: &'static str = "+";

    // FTS5 drives its own joins; the shared statements as they are.
    const HELD_PLANNING: Option<crate::backend::HeldPlanning> = None;

    fn push_window_columns(sql: &mut Sql, _: &[String], _: bool) {
        sql.push(", t.seq AS seq");
    }

    fn push_window_match(sql: &mut Sql, words: &[String], internal: bool, tenants: &[TenantId]) {
        // The matches among the window's rowids only: FTS5 reads the part of each
        // word's list between the window's first and last rowid.
        sql.push(
            " AND t.seq IN (SELECT rowid FROM helpdesk_ticket_text \
             WHERE helpdesk_ticket_text MATCH ",
        );
        push_tenant_match(sql, words, internal, tenants);
        sql.push(
            " AND rowid >= (SELECT MIN(seq) FROM w) \
             AND rowid <= (SELECT MAX(seq) FROM w))",
        );
    }

    fn push_words_tested(sql: &mut Sql, _: &[String], _: bool, _: &[TenantId]) {
        // A rowid table: SQLite looks each rowid up in it, no list built per statement.
        sql.push(" AND t.seq IN (SELECT seq FROM temp.helpdesk_search_matches)");
    }

    fn list_matches(words: &[String], internal: bool, tenants: &[TenantId]) -> Option<[Sql; 3]> {
        // Made once a connection and kept (empty): a table made and dropped on every
        // search would change the connection's schema each time, and SQLite prepares
        // every statement of the connection again after a change of its schema.
        let create = Sql::new(
            "CREATE TEMP TABLE IF NOT EXISTS helpdesk_search_matches (seq INTEGER PRIMARY KEY)",
        );
        let mut insert = Sql::new(
            "INSERT INTO temp.helpdesk_search_matches \
             SELECT rowid FROM helpdesk_ticket_text WHERE helpdesk_ticket_text MATCH ",
        );
        push_tenant_match(&mut insert, words, internal, tenants);
        let clear = Sql::new("DELETE FROM temp.helpdesk_search_matches");
        Some([create, insert, clear])
    }

    fn index_new_ticket(ticket: &Ticket, words: TicketWords) -> Sql {
        index_statement(
            "INSERT INTO helpdesk_ticket_text (rowid, tenant, head, public, internal) \
             SELECT seq, 't' || lower(hex(tenant_id)), $3, $4, $5 FROM helpdesk_tickets \
             WHERE tenant_id = $1 AND id = $2",
            ticket,
            words,
        )
    }

    fn index_saved_ticket(ticket: &Ticket, words: TicketWords) -> Sql {
        index_statement(
            "UPDATE helpdesk_ticket_text SET head = $3, \
             public = CASE WHEN $4 = '' THEN public ELSE public || ' ' || $4 END, \
             internal = CASE WHEN $5 = '' THEN internal ELSE internal || ' ' || $5 END \
             WHERE rowid IN (SELECT seq FROM helpdesk_tickets \
             WHERE tenant_id = $1 AND id = $2)",
            ticket,
            words,
        )
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "sqlite")))]
impl SqlStore<SqliteBackend> {
    /// The connection options the store recommends for `url` (`sqlite://helpdesk.db`,
    /// `sqlite::memory:`): the file is created if missing, WAL journal (readers never
    /// block the writer), [`BUSY_TIMEOUT`], foreign keys on, `synchronous = NORMAL`
    /// (durable at each checkpoint; safe with WAL), and `temp_store = MEMORY`: the
    /// statement journal of a ticket write (the pages its insert, indexes and
    /// dashboard triggers touch, a few hundred KiB at most) stays in memory instead
    /// of spilling to a temporary file; an open is about a fifth faster (BENCHMARKS.md,
    /// `store`).
    pub fn options(url: &str) -> Result<SqliteConnectOptions, SqlxStoreError> {
        Ok(SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .busy_timeout(BUSY_TIMEOUT)
            .foreign_keys(true)
            .synchronous(SqliteSynchronous::Normal)
            .pragma("temp_store", "MEMORY"))
    }

    /// Opens a pool on `url` with [`options`](Self::options). Run
    /// [`migrate`](SqlStore::migrate) next. An in-memory URL gives
    /// [`in_memory`](Self::in_memory).
    pub async fn connect(url: &str) -> Result<Self, SqlxStoreError> {
        if url.contains(":memory:") || url.contains("mode=memory") {
            return Self::in_memory_with(Self::options(url)?).await;
        }
        Self::connect_with(Self::options(url)?).await
    }

    /// A fresh database in memory, for tests and demos: one connection, kept open for
    /// the life of the store (the database goes with it). Run
    /// [`migrate`](SqlStore::migrate) next.
    pub async fn in_memory() -> Result<Self, SqlxStoreError> {
        Self::in_memory_with(Self::options("sqlite::memory:")?).await
    }

    async fn in_memory_with(options: SqliteConnectOptions) -> Result<Self, SqlxStoreError> {
        // One connection that never expires: an in-memory database lives only as long
        // as a connection to it, and a single connection never meets a shared-cache lock.
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options)
            .await?;
        Ok(Self::with_pool(pool))
    }

    /// Opens a pool with the host's own options and the default [`PoolSettings`]. Keep
    /// foreign keys on and a busy timeout; WAL is recommended.
    pub async fn connect_with(options: SqliteConnectOptions) -> Result<Self, SqlxStoreError> {
        Self::connect_with_pool(options, PoolSettings::default()).await
    }

    /// Opens a pool with the host's own options and pool settings. A write that waits
    /// longer than the busy timeout for another's lock fails as unavailable (HTTP 503).
    /// Several processes may open one new file at the same moment: one that SQLite
    /// refuses while another switches the file to WAL tries again, for up to
    /// [`BUSY_TIMEOUT`].
    ///
    /// Ticket writes and the outbox's claims and acknowledgements use one more
    /// connection, beside the pool, opened at the first write: the process's only
    /// writer, whose page cache stays warm (a write through any connection empties the
    /// cache of all the others); opening tickets and replies are faster under load
    /// (BENCHMARKS.md, `load`). A store made with [`from_pool`](Self::from_pool) writes
    /// through the host's pool instead.
    pub async fn connect_with_pool(
        options: SqliteConnectOptions,
        settings: PoolSettings,
    ) -> Result<Self, SqlxStoreError> {
        // A file being created is switched to WAL by its first connection; two
        // processes doing that at once can deadlock on the rollback journal's locks,
        // and SQLite then answers SQLITE_BUSY at once instead of waiting. Trying again
        // a moment later finds the file in WAL (the switch is stored in the file).
        let started = std::time::Instant::now();
        let mut pause = Duration::from_millis(5);
        // A connection to a local file does not go stale: no ping before each use
        // (one more call to the connection's thread per statement).
        let pool_options = || {
            settings
                .apply(SqlitePoolOptions::new(), crate::SQLITE_MAX_CONNECTIONS)
                .test_before_acquire(false)
        };
        let store = loop {
            let opened = pool_options()
                .connect_with(options.clone())
                .await
                .map(Self::with_pool)
                .map_err(SqlxStoreError::from);
            match opened {
                Err(SqlxStoreError::Database(e))
                    if is_busy(&e) && started.elapsed() < BUSY_TIMEOUT =>
                {
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(Duration::from_millis(200));
                }
                opened => break opened?,
            }
        };
        // Ticket writes and the outbox on one connection of their own, opened at the
        // first write: the only writer of this process, its page cache stays warm.
        let writer = pool_options().max_connections(1).connect_lazy_with(options);
        Ok(store.with_writer(writer))
    }

    /// A store on the host's existing pool (its options are the host's: keep foreign
    /// keys on and a busy timeout).
    pub fn from_pool(pool: SqlitePool) -> Self {
        Self::with_pool(pool)
    }

    /// The pool, for the host's own queries.
    pub fn pool(&self) -> &SqlitePool {
        self.raw_pool()
    }
}

/// SQLITE_BUSY, whatever its extended code: another connection holds the lock asked for.
fn is_busy(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .and_then(|db| db.code())
        .and_then(|code| code.parse::<i32>().ok())
        .is_some_and(|code| code & 0xff == 5)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn match_expressions_quote_every_word_as_a_prefix() {
        let words = vec!["cloture".to_owned(), "a\"b".to_owned()];
        assert_eq!(match_expression(&words), "\"cloture\"* AND \"a\"\"b\"*");
    }

    #[test]
    fn a_match_names_the_searched_columns_and_never_the_tenant_column_for_words() {
        let words = vec!["imprimante".to_owned()];
        assert_eq!(
            columns_match(&words, false, &[]),
            "{head public} : (\"imprimante\"*)"
        );
        assert_eq!(
            columns_match(&words, true, &[]),
            "{head public internal} : (\"imprimante\"*)"
        );
    }

    #[test]
    fn a_match_within_tenants_names_their_words() {
        let words = vec!["wifi".to_owned()];
        let a = TenantId::from_uuid(uuid::Uuid::from_u128(0xab));
        let b = TenantId::from_uuid(uuid::Uuid::from_u128(0xcd));
        assert_eq!(
            columns_match(&words, false, &[a, b]),
            format!(
                "tenant : ({} OR {}) AND {{head public}} : (\"wifi\"*)",
                tenant_word(a),
                tenant_word(b)
            )
        );
        assert_eq!(tenant_word(a), format!("t{:032x}", 0xab));
    }
}
