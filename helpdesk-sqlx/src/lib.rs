//! The storage ports of `helpdesk-core` on SQLite (the embedded default: a file, no
//! server) and PostgreSQL (production: several app instances on one database), with the
//! migrations that create the schema. The file-system
//! [`BlobStore`](helpdesk_core::BlobStore) for attachment bytes lives in `helpdesk-blobs`
//! and is re-exported here as [`FsBlobStore`].
//!
//! # Connecting
//!
//! A host opens the store at start-up, runs the migrations, hands the store to the
//! service, and makes sure its first platform admin and tenants exist (idempotent: safe
//! at every start and from several instances starting together):
//!
//! ```
//! # #[cfg(not(feature = "sqlite"))] fn main() {}
//! # #[cfg(feature = "sqlite")]
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let dir = tempfile::tempdir()?;
//! # let url = format!("sqlite://{}", dir.path().join("helpdesk.db").display());
//! use std::sync::Arc;
//! use helpdesk_core::{HelpdeskService, UserId};
//! use helpdesk_sqlx::SqliteStore;
//!
//! let store = SqliteStore::connect(&url).await?; // e.g. "sqlite://helpdesk.db"
//! store.migrate().await?;
//! let service = HelpdeskService::new(Arc::new(store));
//! let root = service.ensure_platform_admin(&UserId::new("root")?, "Root").await?;
//! let acme = service.ensure_tenant(&root, "acme", "Acme").await?;
//! assert_eq!(service.ensure_tenant(&root, "acme", "Acme").await?.id, acme.id);
//! # Ok(())
//! # }
//! ```
//!
//! PostgreSQL is the same with the `postgres` feature:
//! `PostgresStore::connect("postgres://app@db/app").await?` then `.migrate().await?`.
//! A host that already has a pool passes it in with `SqliteStore::from_pool(pool)` or
//! `PostgresStore::from_pool(pool)`; our tables then sit beside its own.
//!
//! # Outages
//!
//! The store opens its pool with [`PoolSettings`]: a request waits at most
//! [`ACQUIRE_TIMEOUT`] (3 s) for a connection, connecting included, and connections are
//! tested before use. A database that cannot be reached (refused, cut off, shutting
//! down, no connection in time) or SQLite's busy timeout running out behind another
//! writer is a [`StoreError`](helpdesk_core::StoreError) that
//! [`is_unavailable`](helpdesk_core::StoreError::is_unavailable); `helpdesk-axum`
//! answers it with 503 and `Retry-After`. A read that meets a connection the server
//! ended is sent once more on a fresh connection; a write never is (it may have
//! committed). Nothing needs restarting: the pool reconnects once the database is back.
//! Change the timeout with `PostgresStore::connect_with_pool(options, settings)` or
//! `SqliteStore::connect_with_pool(options, settings)`; a host passing its own pool
//! (`from_pool`) sets `acquire_timeout` on it.
//!
//! [`HealthCheck::readiness`](helpdesk_core::HealthCheck::readiness) answers whether the
//! database is reachable and every shipped migration applied, for readiness probes.
//!
//! # Migrations
//!
//! [`migrate`](SqlStore::migrate) applies the migrations shipped in this crate
//! (`migrations/sqlite`, `migrations/postgres`) that the database has not seen yet, in
//! one transaction, and records them in our own table `helpdesk_migrations`: it never
//! touches the host's migrations (`_sqlx_migrations` or any other), and every table we
//! create is prefixed `helpdesk_`. It is safe at every start-up and from several
//! processes at once (SQLite's write lock, a PostgreSQL advisory lock).
//!
//! ## Why not sqlx's `Migrator`
//!
//! sqlx 0.9's `Migrator` can keep its records in our table
//! (`Migrator::dangerous_set_table_name("helpdesk_migrations")`, public API, marked
//! dangerous because renaming the table of a migrated database re-runs everything;
//! `sqlx.toml`'s `table-name` only reaches the `migrate!` macro and the CLI). We tried it
//! on our migrations, where our runner is tested (`tests/migrations.rs`, the portal's
//! `tests/portal_lifecycle.rs`), and keep our runner for what it does that `Migrator`
//! does not:
//!
//! - **Two processes starting together on one SQLite file.** `Migrator`'s lock is a
//!   no-op on SQLite (`lock()` returns `Ok(())` in `sqlx-sqlite` 0.9.0) and each
//!   migration runs in its own deferred transaction: in 10 rounds of two pools migrating
//!   an empty file at once, 3 start-ups failed with `table helpdesk_tenants already
//!   exists`. Ours opens one `BEGIN IMMEDIATE` transaction, so the second process waits
//!   for the write lock and then finds everything applied
//!   (`sqlite_two_pools_migrating_at_once_apply_each_migration_once`,
//!   `sqlite_pairs_of_pools_migrating_at_once_never_fail`).
//! - **A failed migration leaves no lock behind on PostgreSQL.** `Migrator` takes a
//!   session-level `pg_advisory_lock` keyed on the database's name only, and returns on
//!   the first error without unlocking: the pooled connection goes back to the pool still
//!   holding it. After one failed run, a second run from another pool, and the host's
//!   own `sqlx::migrate!()` (same key: same database), both waited past a 5 s timeout.
//!   Ours takes a transaction-scoped `pg_advisory_xact_lock` under its own key, released
//!   by the rollback, and never contends with the host's migrations
//!   (`postgres_a_failed_migration_leaves_no_lock_and_nothing_half_applied`).
//! - **All or nothing.** `Migrator` commits each migration on its own, so an upgrade
//!   that fails half-way leaves the schema between two versions of this crate. Ours
//!   applies every pending migration in one transaction.
//! - **Databases already migrated.** Our table has `version, description, checksum
//!   (BIGINT, FNV-1a), applied_at`; `Migrator` expects `installed_on, success, checksum
//!   (SHA-384 bytes), execution_time` and, its `CREATE TABLE IF NOT EXISTS` keeping ours,
//!   fails at once with `no such column: success`. Switching needs a conversion of every
//!   existing database under a lock `Migrator` does not offer on SQLite.
//!
//! What `Migrator` would bring (a standard table that `sqlx migrate info` reads, a
//! cryptographic checksum, reversible migrations) does not outweigh these for a library
//! whose migrations run inside its hosts' databases at every start. Worth revisiting
//! when sqlx locks on SQLite and releases its PostgreSQL lock on failure.
//!
//! # What the database needs for reads at scale
//!
//! On SQLite, nothing but the migrations (the store never runs `ANALYZE`; the plans
//! of the lists are pinned by `tests/plans.rs`). A `contains` search walked as arms (a
//! requester's, an agent's) with more than 2,000 matches lists their rowids in a
//! temporary table each connection makes once (`helpdesk_search_matches`, in memory
//! with the store's options), filled and emptied in the search's read transaction,
//! and looks each walked ticket up there. On PostgreSQL, no extension and no
//! setting of the host's: every list statement is an equality on the leading columns
//! of an index ordered newest first, so PostgreSQL walks it from the cursor and stops
//! at the page whether or not the table has statistics (a fresh table, autovacuum
//! off), and under the generic plan it switches to after five runs of a prepared
//! statement (statuses and priorities are literals, limits are written as numbers); a
//! page's display names are read one key lookup per id. Without statistics the
//! planner still got two kinds of list wrong, estimating a walk at fewer tickets than
//! the page (or the total's cap) and reading every ticket the index's equality gives
//! through a bitmap to sort them: a list walked one filter value at a time (a status, a
//! priority, a category, a product) with a second filter checked on the way, and a
//! tenant of some 100,000 tickets walked whole (its total of every ticket, each page
//! of a CSV export). Such a search, one walk of a tenant newest first or one walk per
//! filter value, runs in a read transaction of its own with the planner held to walks
//! (`SET LOCAL`, as for `contains` below). The index of a requester's kept tickets
//! (migration 19) keys the requester by an expression that only the count of those
//! tickets writes, so that no list of a requester's reads it. Tickets changed
//! since a time are read as a closed range of their index by change time (the largest
//! time ends a range the search leaves open), so that the generic plan does not guess
//! an open range at a third of the tenant and scan the table for a capped total.
//!
//! What PostgreSQL does need is vacuuming, which autovacuum (on by default) does. Many
//! walks check status, priority and archiving on columns of their index (`INCLUDE`),
//! and a capped total is counted from the index alone, but an index entry can be
//! trusted without reading its ticket's row only on a page the visibility map marks as
//! all-visible, which only `VACUUM` sets. On a table never vacuumed (autovacuum off, or
//! just after a bulk import) every entry read costs a row read as well: at a million
//! tickets, a saved search's total that reads 5,000 entries of the status index took
//! 9 ms with the rows cached and a second on a cold cache, and 2-3 ms once the table
//! was vacuumed (BENCHMARKS.md). After loading tickets in bulk, run `VACUUM (ANALYZE)`
//! on the ticket table once; with autovacuum on, nothing else.
//!
//! A `contains` search in one tenant is the one read whose best plan depends on the
//! words: walking the tenant newest first testing each ticket (right for a word in
//! many recent tickets), walking the index of a narrow scope (a requester's own
//! tickets, an agent's groups), or reading the full-text index (right for a rare word).
//! The store does not leave that choice to the planner's estimates, which a table
//! without statistics or two words that occur together get wrong by orders of
//! magnitude: it walks the tenant's newest 2,000 tickets first, prices each way from
//! the shares of them that the scope admits and the words match, and runs the search
//! in a read transaction of its own whose planner settings (`SET LOCAL`: no sequential
//! scan, no sort where an index gives the order, no JIT) hold each statement to the
//! chosen shape. Nothing of it outlives the transaction. Which index carries which
//! read
//! (migrations 0009, 0012, 0013 on SQLite, 0014, and 0017 and 0019 on PostgreSQL):
//!
//! | read | index |
//! |---|---|
//! | a tenant's list, newest first (every status) | `helpdesk_tickets_newest (tenant_id, created_at DESC, id DESC)` |
//! | the open tickets (the default list) and their total | `helpdesk_tickets_open (tenant_id, created_at DESC, id DESC) WHERE status NOT IN ('closed', 'cancelled')` |
//! | a tenant's list filtered by category, product, priority or status: one walk per value | `helpdesk_tickets_by_category`, `_by_product`, `_by_priority`, `_by_status (tenant_id, <column>, created_at DESC, id DESC, ...)` |
//! | a requester's own tickets | `helpdesk_tickets_by_requester (tenant_id, requester_id, created_at DESC, id DESC, status, ended_at)` |
//! | ... the total of a `contains` search in them (PostgreSQL) | `helpdesk_tickets_kept_by_requester (tenant_id, COALESCE(requester_id, requester_id), COALESCE(ended_at, <largest>))` (migrations 17 and 19: the requester an expression, so that a list of a requester's tickets never reads it): the open ones, and those the archive rule keeps, as one range, instead of the requester's whole history |
//! | tickets a requester is a guest on | `helpdesk_ticket_guests_by_member (tenant_id, member_id, ticket_id)`, then the ticket's key |
//! | an agent's list: assigned to them | `helpdesk_tickets_by_assignee (tenant_id, assignee_id, created_at DESC, id DESC, status, ended_at)`; open ones: `helpdesk_tickets_open_by_assignee` |
//! | ... routed to no group | `helpdesk_tickets_unrouted (tenant_id, created_at DESC, id DESC) WHERE group_id IS NULL`; open ones: `helpdesk_tickets_open_by_group` with `group_id IS NULL` |
//! | ... routed to one of their groups (one walk per group) | `helpdesk_tickets_by_group (tenant_id, group_id, created_at DESC, id DESC, status, ended_at)`; open ones: `helpdesk_tickets_open_by_group` |
//! | open tickets by service level ("due soon", "breached") | `helpdesk_tickets_open_due_newest (tenant_id, created_at DESC, id DESC) WHERE` open `AND` a due date |
//! | a page after a cursor | the same indexes, from the cursor: `(key, id) < (..)` as one row value |
//! | `contains` words | PostgreSQL: the newest-first indexes above for words common in the newest tickets, the GIN indexes on the search vectors for the others (`search::probed` in the source); SQLite: the FTS5 table, read first, with the tenant's word in a column of its own (migration 13): a search in one tenant, or up to 16, asks for its tenants' word beside the searched ones |
//! | tickets changed since a time | `helpdesk_tickets_by_updated (tenant_id, updated_at)` for staff, `helpdesk_tickets_by_public_updated (tenant_id, public_updated_at)` for members (migration 14): the total counts the range, and a page under the total's cap reads the range and sorts it |
//! | pending closures due | `helpdesk_tickets_pending_closure (tenant_id, proposed_at) WHERE proposed_at IS NOT NULL` |
//! | a ticket by number | the unique `(tenant_id, number)`, which also carries the number sort |
//!
//! The sorts by opening time and by number are carried by an index; the sorts by
//! subject, status, priority and last change read the matching tickets and sort them.
//! A requester's and an agent's visibility are several walks (`UNION ALL`, each limited
//! to the page) rather than one `OR`, which no index serves; so are several values of
//! one filter. The status and archive conditions a walk checks on the way are columns
//! of its index, so SQLite reads a ticket's row only for the tickets it keeps. A
//! `contains` search reads the matches first (`MATERIALIZED`), so a rare word costs its
//! matches, not the tenant. A page's `total` is counted by the same walks, newest
//! first, up to a cap (`Count`): it costs what a few pages cost, whatever the tenant's
//! size. The dashboard reads tallies instead (below), and counts only the open tickets
//! with a due date for "due soon" and "breached" (`helpdesk_tickets_open_due`,
//! migration 10).
//!
//! # A schema for many tenants
//!
//! Every table a tenant owns carries `tenant_id`; primary keys and every index a
//! tenant's query uses lead with it. Sharding by tenant later (Citus distributing each
//! table by `tenant_id`, say) needs no redesign. The exceptions are deliberate: staff and
//! groups serve many tenants (reference tables). A caller who holds only the id of a
//! ticket or an attachment (a platform admin, a download link, a mail's reply address)
//! reads its tenant first from a table keyed by that id (`helpdesk_ticket_tenants`,
//! `helpdesk_attachment_tenants`, migration 18), then the row by its `(tenant_id, id)`
//! key: ticket and attachment ids are therefore unique across tenants. The outbox
//! worker's first read of due messages and the lookup of a dead letter to retry that
//! names no tenant (`outbox_message`; `outbox_message_in` when the retry names it)
//! still read across tenants, by the outbox's own `id` index (`docs/distribution.md`).
//!
//! # How the guarantees are kept
//!
//! - **Ticket numbers**: a counter row per tenant, bumped by an upsert
//!   (`... ON CONFLICT DO UPDATE ... RETURNING`) in the ticket's own transaction (on
//!   PostgreSQL, the one statement of the tenant's opens queued together, below). The row
//!   lock (PostgreSQL) or the write lock taken up front with `BEGIN IMMEDIATE` (SQLite)
//!   makes concurrent openings queue, across processes too; a rolled-back opening gives
//!   its number back. Numbers are never duplicated and always increase.
//! - **Optimistic concurrency**: `UPDATE ... WHERE id = ? AND version = ?`; no row means
//!   a [`VersionConflict`](helpdesk_core::Error::VersionConflict) with the stored
//!   version, and the transaction is rolled back.
//! - **One transaction per use case**: the ticket row, its guests, timeline events,
//!   outbox messages, attachments, closure answers and full-text words are written
//!   together or not at all.
//! - **Group commit (SQLite)**: SQLite has one writer, and a commit writes every page
//!   its transaction touched. Ticket writes that arrive while one commits queue in the
//!   process; the next writer runs up to 64 of them in one transaction, each in its own
//!   savepoint, and answers each after the commit. A refused write (stale version,
//!   duplicate id) is rolled back to its savepoint and refused alone; if the
//!   transaction fails, every write of the group is refused and nothing is kept. Each
//!   writer sees exactly what it would have alone; opening tickets under load is about
//!   twice as fast (BENCHMARKS.md, "group commit on SQLite").
//! - **Opens written together (PostgreSQL)**: an open holds its tenant's counter row
//!   from its statement to its commit, so the opens of one tenant run one at a time.
//!   Opens that arrive meanwhile queue in the process, per tenant; the next one writes
//!   up to 64 of them in one statement, the counter moved once and the numbers given in
//!   queue order. If the database refuses that statement (an id that exists among
//!   them), nothing was written and each open is written alone, so only the one at
//!   fault is refused. Other tenants' opens never wait for these.
//! - **Search**: the criteria and the visibility [`Scope`](helpdesk_core::Scope) become
//!   SQL through one shared builder; values are always bound, SQL text is built from
//!   fixed fragments only. Full text matches every query word as a prefix of a word of
//!   the subject, description and public events (internal notes too for staff). Words
//!   are folded in Rust with [`helpdesk_core::text::words`], exactly as the reference
//!   search folds them, and stored as they are: SQLite FTS5 with the `ascii` tokenizer
//!   (which splits on our spaces and leaves every non-ASCII letter alone) and
//!   `"word"*` queries; PostgreSQL `tsvector`s built with `array_to_tsvector` (no parser,
//!   no dictionary) and `'word':*` queries.
//! - **Sort and total**: a search is two statements. `SELECT COUNT(*)` with the page's
//!   filters (scope, criteria, archive rule, full text; no cursor) gives the total; the
//!   page adds the keyset condition `(key > $v OR (key = $v AND t.id > $id))` (`<` when
//!   descending) and `ORDER BY key, t.id` in the sort's direction, `LIMIT` one more than
//!   the page. The key is `t.number`, `t.created_at`, `t.updated_at` (staff) or
//!   `t.public_updated_at` (requesters and guests), the subject in code-point order
//!   (SQLite's `BINARY`; `COLLATE "C"` on PostgreSQL, whatever the database's collation),
//!   or the rank of the status or priority (a `CASE`). A cursor of another sort is refused
//!   before any SQL runs.
//! - **Dashboards**: counts per status, per month, service-level compliance and
//!   satisfaction are sums over tally tables that triggers keep (migration 10), so a
//!   dashboard reads one row per key in scope whatever the number of tickets:
//!   `helpdesk_dashboard_tallies` (tickets per tenant, status, assignee, group and
//!   approval, with their compliance counts), `helpdesk_dashboard_month_tallies`
//!   (tickets per tenant, month opened, assignee and group),
//!   `helpdesk_dashboard_answer_tallies` (approved closures' answers per tenant,
//!   assignee, group, question and choice, with the scores' count and sum) and
//!   `helpdesk_dashboard_answer_marks` (what each approved ticket's answers added, so
//!   they are taken back exactly). Triggers on `helpdesk_tickets` and
//!   `helpdesk_closure_answers` (statement-level with transition tables on PostgreSQL,
//!   row-level on SQLite) keep them exact under every write: the ports, bulk import,
//!   service-level recomputation, a host's own SQL; the migration fills them from the
//!   stored tickets. No assignee and no group are keyed as the nil UUID. The visibility
//!   scope applies to tally rows as to tickets, except a requester's own and guest
//!   tickets, which are counted from the tickets. On PostgreSQL a write that changes a
//!   ticket's key (status, assignee, group, approval, month, a met target) updates the
//!   tally rows of the old and new keys and holds them until it commits: writers of
//!   tickets with the same key queue there (as openings queue on the tenant's number
//!   counter); a reply or note that changes no key touches no tally row. The breakdown
//!   per agent and per group is two grouped reads of the tallies per list.
//! - **Timestamps** are stored as integer nanoseconds since the epoch, so they read back
//!   exactly as written and compare the same in both databases (instants 1677-2262).
//!
//! # Importing tickets in bulk
//!
//! A host moving from another helpdesk builds its tickets as domain values (a
//! [`Ticket`](helpdesk_core::Ticket), numbered, with its
//! [`TimelineEvent`](helpdesk_core::TimelineEvent)s) and hands them to
//! `import_tickets` ([`ImportedTicket`]), thousands per call: one transaction per call,
//! many tickets per `INSERT` (about 1,000-1,300 tickets a second with their timelines on
//! a busy 2-core machine). Imported tickets read back, search and count exactly as tickets opened
//! through the port, and the tenant's counter continues after the highest number
//! imported. Create the tenants, people, groups and categories first (they are not
//! checked). No notification is sent for them.
//!
//! # Limits
//!
//! - Instants must fall between 1677 and 2262 (nanoseconds in a 64-bit integer); search
//!   bounds outside that range are clamped, which keeps every comparison exact.
//! - PostgreSQL keeps lexemes up to 2046 bytes: longer words are cut there, on both the
//!   stored and the searched side. It also refuses the NUL character in text.
//! - Archive delays longer than about 146 years count as 146 years.
//! - Sorted pages: the default order (newest opened first) and the number order use the
//!   indexes `(tenant_id, created_at DESC, id DESC)` and `(tenant_id, number)`. Sorting by
//!   subject, status, priority or last change sorts the matching rows of the query for
//!   each page, and the total counts them: fine for the tens of thousands of tickets of
//!   a tenant, not for a big table. There, add indexes on `(tenant_id, updated_at, id)`
//!   and `(tenant_id, public_updated_at, id)`, on `(tenant_id, subject COLLATE "C", id)`
//!   (PostgreSQL) or `(tenant_id, subject, id)` (SQLite), and on an expression or a
//!   generated column for the status and priority ranks; and consider an estimated
//!   total above some bound.
//!
//! # Features
//!
//! - `sqlite` (default): [`SqliteStore`], with SQLite bundled (compiled from source: no
//!   system library needed).
//! - `postgres`: `PostgresStore`, over sqlx's pure-Rust driver.
//!
//! Both can be on at once (the portal example picks one from its database URL). With
//! neither, only the shared parts ([`FsBlobStore`], [`PoolSettings`]) remain.

#![cfg_attr(docsrs, feature(doc_cfg))]
// Functions stay short enough to read at once (tests, scenarios and route tables aside).
#![cfg_attr(not(test), warn(clippy::too_many_lines))]
// Without a database feature only the shared parts remain, unused.
#![cfg_attr(not(any(feature = "sqlite", feature = "postgres")), allow(unused))]

// The README's example is compiled as a doctest, so it keeps up with the API.
#[cfg(all(doctest, feature = "sqlite"))]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

// Unit tests share `tests/support/postgres.rs`, which names this crate.
#[cfg(test)]
extern crate self as helpdesk_sqlx;

mod backend;
mod codec;
mod collate;
mod error;
mod migrate;
mod pool;
mod query;
mod sql;
mod store;

#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "sqlite")]
mod sqlite;

pub use error::SqlxStoreError;
/// The filesystem blob store, now in `helpdesk-blobs`; re-exported here so hosts written
/// against `helpdesk_sqlx::FsBlobStore` keep compiling.
pub use helpdesk_blobs::FsBlobStore;
pub use migrate::Migration;
pub use pool::{ACQUIRE_TIMEOUT, POSTGRES_MAX_CONNECTIONS, PoolSettings, SQLITE_MAX_CONNECTIONS};
pub use store::{ImportedTicket, SqlStore};

#[cfg(feature = "postgres")]
#[cfg_attr(docsrs, doc(cfg(feature = "postgres")))]
pub use postgres::{PostgresBackend, PostgresStore};
#[cfg(feature = "sqlite")]
#[cfg_attr(docsrs, doc(cfg(feature = "sqlite")))]
pub use sqlite::{BUSY_TIMEOUT, SqliteBackend, SqliteStore};

/// The sqlx version this crate is built on, re-exported so a host passing its own pool
/// or options uses the same types.
pub use sqlx;
