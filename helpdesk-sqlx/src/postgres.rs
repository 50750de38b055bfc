//! The store on PostgreSQL: for production, several app instances on one database.

use std::str::FromStr;

use async_trait::async_trait;
use helpdesk_core::{TenantId, Ticket};
use sqlx::postgres::{PgArguments, PgConnectOptions, PgPool, PgRow};
use sqlx::types::Json;
use sqlx::{Postgres, Transaction};

use crate::backend::{Dialect, Exec, HeldPlanning, TicketWords, impl_exec, impl_row_ext};
use crate::error::SqlxStoreError;
use crate::migrate::Migration;
use crate::pool::PoolSettings;
use crate::sql::{Arg, Sql};
use crate::store::SqlStore;

/// PostgreSQL, as a [`SqlStore`] backend.
#[derive(Debug)]
#[cfg_attr(docsrs, doc(cfg(feature = "postgres")))]
pub enum PostgresBackend {}

/// The helpdesk store on PostgreSQL.
#[cfg_attr(docsrs, doc(cfg(feature = "postgres")))]
pub type PostgresStore = SqlStore<PostgresBackend>;

/// The advisory lock key migrations hold, so two instances starting together migrate
/// one after the other ("helpdesk" in ASCII).
const MIGRATION_LOCK: i64 = 0x6865_6c70_6465_736b;

/// The longest lexeme PostgreSQL keeps is 2046 bytes; longer words are cut (on a
/// character boundary), on both the stored and the searched side.
const MAX_LEXEME_BYTES: usize = 2046;

fn bind(
    query: sqlx::query::Query<'static, Postgres, PgArguments>,
    arg: Arg,
) -> sqlx::query::Query<'static, Postgres, PgArguments> {
    match arg {
        Arg::Uuid(v) => query.bind(v),
        Arg::OptUuid(v) => query.bind(v),
        Arg::I64(v) => query.bind(v),
        Arg::OptI64(v) => query.bind(v),
        Arg::Text(v) => query.bind(v),
        Arg::OptText(v) => query.bind(v),
        Arg::Bool(v) => query.bind(v),
        Arg::Json(v) => query.bind(Json(v)),
        Arg::TextArray(v) => query.bind(v),
    }
}

impl_row_ext!(PgRow);
impl_exec!(Postgres, PgRow, bind);

fn lexeme(word: &str) -> String {
    let mut end = word.len().min(MAX_LEXEME_BYTES);
    while !word.is_char_boundary(end) {
        end -= 1;
    }
    word[..end].to_owned()
}

pub(crate) fn lexemes(words: Vec<String>) -> Vec<String> {
    words.iter().map(|w| lexeme(w)).collect()
}

/// tsquery syntax for "every word, as a prefix": `'word':* & ...`, quotes and
/// backslashes escaped. It is bound and cast (`$n::tsquery`), never parsed by a text
/// search configuration, so the lexemes are exactly the folded words.
fn tsquery(words: &[String]) -> String {
    words
        .iter()
        .map(|w| {
            let escaped = lexeme(w).replace('\\', "\\\\").replace('\'', "''");
            format!("'{escaped}':*")
        })
        .collect::<Vec<_>>()
        .join(" & ")
}

/// One of the index statements with its parameters: the ticket (`$1`, `$2`) and its
/// words (`$3` head, `$4` public, `$5` internal).
fn index_statement(statement: &'static str, ticket: &Ticket, words: TicketWords) -> Sql {
    Sql::new(statement)
        .arg(ticket.tenant.as_uuid())
        .arg(ticket.id.as_uuid())
        .arg(Arg::TextArray(lexemes(words.head)))
        .arg(Arg::TextArray(lexemes(words.public)))
        .arg(Arg::TextArray(lexemes(words.internal)))
}

#[async_trait]
impl Dialect for PostgresBackend {
    type Pool = PgPool;
    type Tx = Transaction<'static, Postgres>;
    type Row = PgRow;

    const MIGRATIONS: &'static [Migration] = &[
        Migration {
            version: 1,
            description: "schema",
            sql: include_str!("../migrations/postgres/0001_schema.sql"),
        },
        Migration {
            version: 2,
            description: "public version and request fingerprint",
            sql: include_str!("../migrations/postgres/0002_public_version_and_fingerprint.sql"),
        },
        Migration {
            version: 3,
            description: "people's language and member search words",
            sql: include_str!("../migrations/postgres/0003_people_language_and_member_words.sql"),
        },
        Migration {
            version: 4,
            description: "outbox claims and dead letters",
            sql: include_str!("../migrations/postgres/0004_outbox_claims_and_dead_letters.sql"),
        },
        Migration {
            version: 5,
            description: "service levels",
            sql: include_str!("../migrations/postgres/0005_service_levels.sql"),
        },
        Migration {
            version: 6,
            description: "muted notification topics",
            sql: include_str!("../migrations/postgres/0006_muted_notification_topics.sql"),
        },
        Migration {
            version: 8,
            description: "webhook endpoints",
            sql: include_str!("../migrations/postgres/0008_webhooks.sql"),
        },
        Migration {
            version: 9,
            description: "read indexes",
            sql: include_str!("../migrations/postgres/0009_read_indexes.sql"),
        },
        Migration {
            version: 10,
            description: "dashboard tallies",
            sql: include_str!("../migrations/postgres/0010_dashboard_tallies.sql"),
        },
        Migration {
            version: 11,
            description: "tenant-leading keys",
            sql: include_str!("../migrations/postgres/0011_tenant_leading_keys.sql"),
        },
        Migration {
            version: 12,
            description: "filter indexes",
            sql: include_str!("../migrations/postgres/0012_filter_indexes.sql"),
        },
        // 13 is SQLite's alone (the tenant in its full-text index).
        Migration {
            version: 14,
            description: "changed since",
            sql: include_str!("../migrations/postgres/0014_changed_since.sql"),
        },
        Migration {
            version: 15,
            description: "tallies skip unchanged tickets",
            sql: include_str!("../migrations/postgres/0015_tallies_skip_unchanged.sql"),
        },
        Migration {
            version: 16,
            description: "unread indexes dropped",
            sql: include_str!("../migrations/postgres/0016_unread_indexes.sql"),
        },
        Migration {
            version: 17,
            description: "a requester's kept tickets",
            sql: include_str!("../migrations/postgres/0017_kept_by_requester.sql"),
        },
        Migration {
            version: 18,
            description: "the tenant of a ticket and of an attachment, by id",
            sql: include_str!("../migrations/postgres/0018_tenant_by_id.sql"),
        },
        Migration {
            version: 19,
            description: "a requester's kept tickets, apart from their lists",
            sql: include_str!("../migrations/postgres/0019_kept_by_requester_apart.sql"),
        },
    ];
    // Rows another claim has locked are skipped, not waited for: two workers claim
    // disjoint batches at once.
    const CLAIM_LOCK: &'static str = " FOR UPDATE SKIP LOCKED";
    // The GIN indexes on the search vectors serve the condition as it is.
    const CONTAINS_FROM: &'static str = "helpdesk_tickets t";
    const ONE_STATEMENT: bool = true;
    const TABLE_EXISTS: &'static str = "SELECT 1 AS found FROM pg_catalog.pg_tables \
         WHERE tablename = $1 AND schemaname = ANY (current_schemas(false))";

    fn words_arg(words: Vec<String>) -> Arg {
        Arg::TextArray(lexemes(words))
    }

    async fn begin(pool: &PgPool) -> Result<Self::Tx, sqlx::Error> {
        pool.begin().await
    }

    async fn begin_read(pool: &PgPool) -> Result<Self::Tx, sqlx::Error> {
        pool.begin().await
    }

    async fn commit(tx: Self::Tx) -> Result<(), sqlx::Error> {
        tx.commit().await
    }

    async fn rollback(tx: Self::Tx) -> Result<(), sqlx::Error> {
        tx.rollback().await
    }

    async fn lock_migrations(tx: &mut Self::Tx) -> Result<(), sqlx::Error> {
        tx.execute(Sql::new("SELECT pg_advisory_xact_lock($1)").arg(MIGRATION_LOCK))
            .await
            .map(|_| ())
    }

    async fn run_script(tx: &mut Self::Tx, script: &'static str) -> Result<(), sqlx::Error> {
        sqlx::raw_sql(script).execute(&mut **tx).await.map(|_| ())
    }

    fn push_contains(sql: &mut Sql, words: &[String], internal: bool, _: &[TenantId]) {
        sql.push(" AND");
        push_match(sql, words, internal);
    }

    // Newest first: with statistics, a common word's total walks the newest-first
    // index testing each ticket's vectors and stops after the cap's matches (the recent
    // ones); unordered, it was a sequential scan from the oldest, archived, rows. A rare
    // word's estimate keeps the GIN index (then the few matches are sorted).
    const CONTAINS_NEWEST: &'static str = " ORDER BY t.created_at DESC, t.id DESC";
    // PostgreSQL walks the newest-first index for a "changed since" page over the cap,
    // with or without statistics (BENCHMARKS.md, `scale` with migration 14).
    const NOT_INDEXED: &'static str = "";

    // Local to the search's transaction. A walk newest first stays a walk whatever its
    // LIMIT against the planner's estimate of the tenant (which, without statistics,
    // is a few thousand tickets of a million); the full-text index is read rather
    // than the whole table. A disabled step that has no alternative (the sequential
    // scan of the tenants' counters, a sort of a few matches) still counts its
    // penalty in the plan's cost, which would pass the threshold of JIT compilation:
    // 200 ms of compiling for a statement of 3.
    //
    // The walks of a scope's arms sort the few rows where arms merge, and walk each
    // arm's index newest first without a bitmap: with sorts allowed and no statistics,
    // PostgreSQL read an agent's every open unrouted ticket through a bitmap and
    // sorted them for a page (8,671 tickets, 68-80 ms at a million, against 5-7 ms).
    const HELD_PLANNING: Option<HeldPlanning> = Some(HeldPlanning {
        hold: "SELECT set_config('enable_seqscan', 'off', true) AS seqscan, \
               set_config('enable_sort', 'off', true) AS sort, \
               set_config('enable_bitmapscan', 'on', true) AS bitmapscan, \
               set_config('jit', 'off', true) AS jit",
        sorts: "SELECT set_config('enable_sort', 'on', true) AS sort, \
                set_config('enable_bitmapscan', 'off', true) AS bitmapscan",
    });

    fn push_window_columns(sql: &mut Sql, words: &[String], internal: bool) {
        // Tested in the walk, where the row (and its vectors) is read anyway.
        sql.push(",");
        push_match_each(sql, words, internal);
        sql.push(" AS hit");
    }

    fn push_window_match(sql: &mut Sql, _: &[String], _: bool, _: &[TenantId]) {
        sql.push(" AND t.hit");
    }

    fn push_words_tested(sql: &mut Sql, words: &[String], internal: bool, tenants: &[TenantId]) {
        Self::push_contains(sql, words, internal, tenants);
    }

    fn list_matches(_: &[String], _: bool, _: &[TenantId]) -> Option<[Sql; 3]> {
        None
    }

    fn index_new_ticket(ticket: &Ticket, words: TicketWords) -> Sql {
        index_statement(
            "UPDATE helpdesk_tickets SET search_head = array_to_tsvector($3), \
             search_public = array_to_tsvector($4), \
             search_internal = array_to_tsvector($5) \
             WHERE tenant_id = $1 AND id = $2",
            ticket,
            words,
        )
    }

    fn index_saved_ticket(ticket: &Ticket, words: TicketWords) -> Sql {
        index_statement(
            "UPDATE helpdesk_tickets SET search_head = array_to_tsvector($3), \
             search_public = search_public || array_to_tsvector($4), \
             search_internal = search_internal || array_to_tsvector($5) \
             WHERE tenant_id = $1 AND id = $2",
            ticket,
            words,
        )
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "postgres")))]
impl SqlStore<PostgresBackend> {
    /// Opens a pool on `url` (`postgres://user@host/db`) with the default
    /// [`PoolSettings`] (a request waits at most [`ACQUIRE_TIMEOUT`](crate::ACQUIRE_TIMEOUT)
    /// for a connection, then fails as unavailable). Run [`migrate`](SqlStore::migrate)
    /// next.
    pub async fn connect(url: &str) -> Result<Self, SqlxStoreError> {
        Self::connect_with_pool(PgConnectOptions::from_str(url)?, PoolSettings::default()).await
    }

    /// Opens a pool with the host's own connection options and the default
    /// [`PoolSettings`].
    pub async fn connect_with(options: PgConnectOptions) -> Result<Self, SqlxStoreError> {
        Self::connect_with_pool(options, PoolSettings::default()).await
    }

    /// Opens a pool with the host's own connection options and pool settings (how long a
    /// request waits for a connection during an outage, how many connections).
    pub async fn connect_with_pool(
        options: PgConnectOptions,
        settings: PoolSettings,
    ) -> Result<Self, SqlxStoreError> {
        let pool = settings
            .apply(
                sqlx::postgres::PgPoolOptions::new(),
                crate::POSTGRES_MAX_CONNECTIONS,
            )
            .connect_with(options)
            .await?;
        Ok(Self::with_pool(pool))
    }

    /// A store on the host's existing pool: our tables sit beside the host's, in the
    /// schema its connections use.
    pub fn from_pool(pool: PgPool) -> Self {
        Self::with_pool(pool)
    }

    /// The pool, for the host's own queries.
    pub fn pool(&self) -> &PgPool {
        self.raw_pool()
    }
}

/// "The vectors of ticket `t` a caller may search match every word of `words`": head
/// and public events, plus internal notes when `internal`.
fn push_match(sql: &mut Sql, words: &[String], internal: bool) {
    if internal {
        sql.push(" (t.search_head || t.search_public || t.search_internal) @@ ");
    } else {
        sql.push(" (t.search_head || t.search_public) @@ ");
    }
    sql.bind(tsquery(words)).push("::tsquery");
}

/// [`push_match`] tested word by word on each vector apart, for a walk that reads
/// every ticket: the same tickets (every word is a prefix of a word of one vector or
/// another), without building each ticket's concatenation. No index serves it.
fn push_match_each(sql: &mut Sql, words: &[String], internal: bool) {
    let vectors: &[&str] = if internal {
        &["t.search_head", "t.search_public", "t.search_internal"]
    } else {
        &["t.search_head", "t.search_public"]
    };
    sql.push(" (TRUE");
    for word in words {
        let term = tsquery(std::slice::from_ref(word));
        sql.push(" AND (");
        for (i, vector) in vectors.iter().enumerate() {
            if i > 0 {
                sql.push(" OR ");
            }
            sql.push(vector)
                .push(" @@ ")
                .bind(term.clone())
                .push("::tsquery");
        }
        sql.push(")");
    }
    sql.push(")");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tsqueries_quote_every_word_as_a_prefix() {
        let words = vec!["cloture".to_owned(), "l'a\\b".to_owned()];
        assert_eq!(tsquery(&words), "'cloture':* & 'l''a\\\\b':*");
    }

    #[test]
    fn long_words_are_cut_on_a_character_boundary() {
        let word = "é".repeat(2000);
        let cut = lexeme(&word);
        assert!(cut.len() <= MAX_LEXEME_BYTES);
        assert!(word.starts_with(&cut));
    }
}
