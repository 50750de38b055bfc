//! Migrations: idempotent, safe from two pools at once, recorded in our own table, and at
//! home in a database that already holds the host's tables and its own
//! `_sqlx_migrations`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use helpdesk_core::Store;
use helpdesk_sqlx::SqlxStoreError;

/// The host's own schema: a table of its users and sqlx's migrations table, as
/// `sqlx::migrate!()` leaves it, with one migration recorded.
const HOST_SCHEMA: &str = "\
    CREATE TABLE users (id BIGINT PRIMARY KEY, name TEXT NOT NULL); \
    INSERT INTO users (id, name) VALUES (1, 'host user'); \
    CREATE TABLE tickets (id BIGINT PRIMARY KEY, title TEXT NOT NULL); \
    INSERT INTO tickets (id, title) VALUES (7, 'the host''s own tickets'); \
    CREATE TABLE _sqlx_migrations (version BIGINT PRIMARY KEY, description TEXT NOT NULL, \
        installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, success BOOLEAN NOT NULL, \
        checksum BYTEA NOT NULL, execution_time BIGINT NOT NULL); \
    INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
        VALUES (20240101000000, 'host schema', TRUE, 'x', 1);";

/// Counts the rows of one of the tables the tests look at (`helpdesk_migrations` by
/// default).
fn count_sql(table: &str) -> &'static str {
    match table {
        "users" => "SELECT COUNT(*) FROM users",
        "tickets" => "SELECT COUNT(*) FROM tickets",
        "_sqlx_migrations" => "SELECT COUNT(*) FROM _sqlx_migrations",
        _ => "SELECT COUNT(*) FROM helpdesk_migrations",
    }
}

/// Takes a migrated schema back to before migration 18 (no tenants by id, the plain
/// indexes on `id`), the same SQL on both databases.
const BEFORE_18: &str = "\
    DROP TABLE helpdesk_ticket_tenants; DROP TABLE helpdesk_attachment_tenants; \
    CREATE INDEX helpdesk_tickets_by_id ON helpdesk_tickets (id); \
    CREATE INDEX helpdesk_attachments_by_id ON helpdesk_attachments (id); \
    DELETE FROM helpdesk_migrations WHERE version = 18;";

/// Opens a ticket with a file in each of two tenants: their ids, and the worlds.
async fn tickets_before_18(
    store: std::sync::Arc<dyn Store>,
) -> Vec<(
    support::World,
    helpdesk_core::TicketId,
    helpdesk_core::AttachmentId,
)> {
    let mut opened = Vec::new();
    for _ in 0..2 {
        let world = support::World::new(store.clone()).await;
        let file = helpdesk_core::NewAttachment {
            id: helpdesk_core::AttachmentId::new(),
            file_name: "capture.png".into(),
            content_type: "image/png".into(),
            size: 12,
        };
        let draft = helpdesk_core::NewTicket {
            subject: "Imprimante".into(),
            description: "<p>Bloquée</p>".into(),
            ..Default::default()
        };
        let ticket = world
            .service
            .open(&world.requester, world.tenant.id, draft, vec![file.clone()])
            .await
            .unwrap();
        opened.push((world, ticket.id, file.id));
    }
    opened
}

/// After migration 18, the tickets and files written before it are found by id alone,
/// by the store and by a platform admin, in their own tenant.
async fn assert_found_by_id_after_18(
    store: &dyn Store,
    opened: &[(
        support::World,
        helpdesk_core::TicketId,
        helpdesk_core::AttachmentId,
    )],
) {
    for (world, ticket, file) in opened {
        let found = store.ticket(*ticket).await.unwrap().expect("the ticket");
        assert_eq!(found.tenant, world.tenant.id);
        let attachment = store.attachment(*file).await.unwrap().expect("the file");
        assert_eq!(
            (attachment.tenant, attachment.ticket),
            (world.tenant.id, *ticket)
        );
        assert_eq!(store.timeline(*ticket).await.unwrap().len(), 1);
        let view = world.service.ticket(&world.root, *ticket).await.unwrap();
        assert_eq!(view.ticket.id, *ticket);
        assert_eq!(
            world
                .service
                .attachment(&world.root, *file)
                .await
                .unwrap()
                .id,
            *file
        );
    }
}

async fn tenant_round_trip(store: &dyn Store) {
    let tenant = helpdesk_core::Tenant::new("acme", "Acme").unwrap();
    store.insert_tenant(&tenant).await.unwrap();
    assert_eq!(store.tenant(tenant.id).await.unwrap(), Some(tenant));
}

#[cfg(feature = "sqlite")]
mod sqlite {
    use super::*;
    use crate::support::SqliteFile;
    use helpdesk_sqlx::SqliteStore;
    use helpdesk_sqlx::sqlx::{self, Row};

    fn shipped() -> i64 {
        SqliteStore::migrations().len() as i64
    }

    async fn count(store: &SqliteStore, table: &'static str) -> i64 {
        sqlx::query(count_sql(table))
            .fetch_one(store.pool())
            .await
            .unwrap()
            .get(0)
    }

    #[tokio::test]
    async fn sqlite_migrations_run_twice_in_a_row() {
        let store = SqliteStore::in_memory().await.unwrap();
        store.migrate().await.unwrap();
        store.migrate().await.unwrap();
        assert_eq!(count(&store, "helpdesk_migrations").await, shipped());
        tenant_round_trip(&store).await;
    }

    /// Migration 13 builds the full-text index again with each ticket's tenant as a
    /// word of its own: what was indexed before it is found after it, in its tenant only.
    #[tokio::test]
    async fn sqlite_full_text_indexed_before_migration_13_is_found_after_it_in_its_tenant() {
        use helpdesk_core::{NewTicket, PageRequest, SearchCriteria};
        use std::sync::Arc;

        let store = Arc::new(crate::support::sqlite_memory().await);
        let a = crate::support::World::new(store.clone()).await;
        let b = crate::support::World::new(store.clone()).await;
        let mut opened = Vec::new();
        for world in [&a, &b] {
            let draft = NewTicket {
                subject: "Imprimante en panne".into(),
                description: "<p>Plus rien ne sort.</p>".into(),
                ..Default::default()
            };
            let ticket = world
                .service
                .open(&world.requester, world.tenant.id, draft, Vec::new())
                .await
                .unwrap();
            opened.push(ticket.id);
        }
        // The index as migrations 1 to 12 left it: the tenant id unindexed.
        sqlx::raw_sql(
            "CREATE VIRTUAL TABLE old_text USING fts5 (tenant_id UNINDEXED, head, public, \
                 internal, tokenize = 'ascii', detail = 'column'); \
             INSERT INTO old_text (rowid, tenant_id, head, public, internal) \
                 SELECT x.rowid, t.tenant_id, x.head, x.public, x.internal \
                 FROM helpdesk_ticket_text x JOIN helpdesk_tickets t ON t.seq = x.rowid; \
             DROP TABLE helpdesk_ticket_text; \
             ALTER TABLE old_text RENAME TO helpdesk_ticket_text; \
             DELETE FROM helpdesk_migrations WHERE version = 13;",
        )
        .execute(store.pool())
        .await
        .unwrap();
        store.migrate().await.unwrap();
        assert_eq!(count(&store, "helpdesk_migrations").await, shipped());

        for (world, id) in [(&a, opened[0]), (&b, opened[1])] {
            for actor in [&world.root, &world.requester] {
                let found = world
                    .service
                    .search(
                        actor,
                        SearchCriteria {
                            tenant: Some(world.tenant.id),
                            contains: Some("imprim".into()),
                            ..Default::default()
                        },
                        PageRequest::default(),
                    )
                    .await
                    .unwrap();
                let ids: Vec<_> = found.tickets.iter().map(|t| t.id).collect();
                assert_eq!(ids, vec![id], "the tenant's own ticket, and it alone");
            }
        }
    }

    /// Migration 18 fills the tenants by id from the tickets and files already there.
    #[tokio::test]
    async fn sqlite_tickets_written_before_migration_18_are_found_by_id_after_it() {
        let store = std::sync::Arc::new(crate::support::sqlite_memory().await);
        let opened = super::tickets_before_18(store.clone()).await;
        sqlx::raw_sql(super::BEFORE_18)
            .execute(store.pool())
            .await
            .unwrap();
        store.migrate().await.unwrap();
        assert_eq!(count(&store, "helpdesk_migrations").await, shipped());
        super::assert_found_by_id_after_18(store.as_ref(), &opened).await;
    }

    #[tokio::test]
    async fn sqlite_migrations_leave_the_hosts_tables_and_migrations_alone() {
        let file = SqliteFile::new_empty();
        let host_pool = sqlx::SqlitePool::connect_with(SqliteStore::options(&file.url).unwrap())
            .await
            .unwrap();
        sqlx::raw_sql(HOST_SCHEMA)
            .execute(&host_pool)
            .await
            .unwrap();
        let store = SqliteStore::from_pool(host_pool);
        store.migrate().await.unwrap();
        store.migrate().await.unwrap();
        assert_eq!(count(&store, "users").await, 1);
        assert_eq!(count(&store, "tickets").await, 1);
        assert_eq!(count(&store, "_sqlx_migrations").await, 1);
        assert_eq!(count(&store, "helpdesk_migrations").await, shipped());
        tenant_round_trip(&store).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite_two_pools_migrating_at_once_apply_each_migration_once() {
        let file = SqliteFile::new_empty();
        let (a, b) = (file.store().await, file.store().await);
        let (ra, rb) = tokio::join!(a.migrate(), b.migrate());
        ra.unwrap();
        rb.unwrap();
        assert_eq!(count(&a, "helpdesk_migrations").await, shipped());
    }

    /// Where sqlx's `Migrator` (no lock on SQLite, one transaction per migration) failed
    /// 3 start-ups in 20 (see the crate docs, "Why not sqlx's `Migrator`").
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite_pairs_of_pools_migrating_at_once_never_fail() {
        for _ in 0..10 {
            let file = SqliteFile::new_empty();
            let (a, b) = (file.store().await, file.store().await);
            let (ra, rb) = tokio::join!(a.migrate(), b.migrate());
            ra.unwrap();
            rb.unwrap();
            assert_eq!(count(&a, "helpdesk_migrations").await, shipped());
        }
    }

    /// Two processes started at once on a file that does not exist yet: the first
    /// connection of each switches the new file to WAL, and SQLite may refuse one of
    /// them at once (no busy wait) while the other holds the journal's lock. Both must
    /// open and migrate.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite_pairs_of_pools_opened_at_once_on_a_new_file_both_open_and_migrate() {
        for _ in 0..20 {
            let file = SqliteFile::new_empty();
            let (a, b) = tokio::join!(
                SqliteStore::connect(&file.url),
                SqliteStore::connect(&file.url)
            );
            let (a, b) = (a.unwrap(), b.unwrap());
            let (ra, rb) = tokio::join!(a.migrate(), b.migrate());
            ra.unwrap();
            rb.unwrap();
            assert_eq!(count(&b, "helpdesk_migrations").await, shipped());
        }
    }

    #[tokio::test]
    async fn sqlite_a_migration_changed_after_it_was_applied_is_refused() {
        let store = SqliteStore::in_memory().await.unwrap();
        store.migrate().await.unwrap();
        sqlx::query("UPDATE helpdesk_migrations SET checksum = checksum + 1")
            .execute(store.pool())
            .await
            .unwrap();
        assert!(matches!(
            store.migrate().await,
            Err(SqlxStoreError::MigrationChanged { version: 1 })
        ));
    }

    #[tokio::test]
    async fn sqlite_connections_use_wal_a_busy_timeout_and_foreign_keys() {
        let file = SqliteFile::new().await;
        let store = file.store().await;
        let pool = store.pool();
        let journal: String = sqlx::query("PRAGMA journal_mode")
            .fetch_one(pool)
            .await
            .unwrap()
            .get(0);
        let busy: i64 = sqlx::query("PRAGMA busy_timeout")
            .fetch_one(pool)
            .await
            .unwrap()
            .get(0);
        let foreign_keys: i64 = sqlx::query("PRAGMA foreign_keys")
            .fetch_one(pool)
            .await
            .unwrap()
            .get(0);
        assert_eq!(journal, "wal");
        assert_eq!(busy, 30_000);
        assert_eq!(foreign_keys, 1);
    }
}

#[cfg(feature = "postgres")]
mod postgres {
    use super::*;
    use crate::support::postgres::{TestDatabase, url};
    use helpdesk_sqlx::PostgresStore;
    use helpdesk_sqlx::sqlx::{self, Row};

    fn shipped() -> i64 {
        PostgresStore::migrations().len() as i64
    }

    async fn count(store: &PostgresStore, table: &'static str) -> i64 {
        sqlx::query(count_sql(table))
            .fetch_one(store.pool())
            .await
            .unwrap()
            .get(0)
    }

    #[tokio::test]
    async fn postgres_migrations_run_twice_in_a_row() {
        let Some(url) = url("migrations twice") else {
            return;
        };
        let db = TestDatabase::create(&url).await;
        let store = db.store().await;
        store.migrate().await.unwrap();
        store.migrate().await.unwrap();
        assert_eq!(count(&store, "helpdesk_migrations").await, shipped());
        tenant_round_trip(&store).await;
    }

    /// Migration 18 fills the tenants by id from the tickets and files already there.
    #[tokio::test]
    async fn postgres_tickets_written_before_migration_18_are_found_by_id_after_it() {
        let Some(url) = url("migration 18 on tickets already there") else {
            return;
        };
        let db = TestDatabase::create(&url).await;
        let store = std::sync::Arc::new(db.store().await);
        store.migrate().await.unwrap();
        let opened = super::tickets_before_18(store.clone()).await;
        sqlx::raw_sql(super::BEFORE_18)
            .execute(store.pool())
            .await
            .unwrap();
        store.migrate().await.unwrap();
        assert_eq!(count(&store, "helpdesk_migrations").await, shipped());
        super::assert_found_by_id_after_18(store.as_ref(), &opened).await;
    }

    #[tokio::test]
    async fn postgres_migrations_leave_the_hosts_tables_and_migrations_alone() {
        let Some(url) = url("migrations beside the host's tables") else {
            return;
        };
        let db = TestDatabase::create(&url).await;
        let host_pool = db.host_pool().await;
        sqlx::raw_sql(HOST_SCHEMA)
            .execute(&host_pool)
            .await
            .unwrap();
        let store = PostgresStore::from_pool(host_pool);
        store.migrate().await.unwrap();
        store.migrate().await.unwrap();
        assert_eq!(count(&store, "users").await, 1);
        assert_eq!(count(&store, "tickets").await, 1);
        assert_eq!(count(&store, "_sqlx_migrations").await, 1);
        assert_eq!(count(&store, "helpdesk_migrations").await, shipped());
        tenant_round_trip(&store).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres_two_pools_migrating_at_once_apply_each_migration_once() {
        let Some(url) = url("concurrent migrations") else {
            return;
        };
        let db = TestDatabase::create(&url).await;
        let (a, b) = (db.store().await, db.store().await);
        let (ra, rb) = tokio::join!(a.migrate(), b.migrate());
        ra.unwrap();
        rb.unwrap();
        assert_eq!(count(&a, "helpdesk_migrations").await, shipped());
    }

    /// Where sqlx's `Migrator` keeps its session lock on the pooled connection after a
    /// failure, and commits each migration on its own (see the crate docs).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres_a_failed_migration_leaves_no_lock_and_nothing_half_applied() {
        let Some(url) = url("failed migrations") else {
            return;
        };
        let db = TestDatabase::create(&url).await;
        let store = db.store().await;
        // A table in the way of the last one the first migration creates.
        sqlx::raw_sql("CREATE TABLE helpdesk_articles (id BIGINT)")
            .execute(store.pool())
            .await
            .unwrap();
        assert!(store.migrate().await.is_err());
        let row = sqlx::query(
            "SELECT to_regclass('helpdesk_tenants') IS NULL, \
             (SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' \
             AND database = (SELECT oid FROM pg_database WHERE datname = current_database()))",
        )
        .fetch_one(store.pool())
        .await
        .unwrap();
        assert!(row.get::<bool, _>(0), "nothing of the failed run is left");
        assert_eq!(row.get::<i64, _>(1), 0, "no advisory lock is left held");
        sqlx::raw_sql("DROP TABLE helpdesk_articles")
            .execute(store.pool())
            .await
            .unwrap();
        let other = db.store().await;
        tokio::time::timeout(std::time::Duration::from_secs(10), other.migrate())
            .await
            .expect("another instance migrates without waiting for a lock")
            .unwrap();
        assert_eq!(count(&other, "helpdesk_migrations").await, shipped());
    }

    #[tokio::test]
    async fn postgres_a_migration_changed_after_it_was_applied_is_refused() {
        let Some(url) = url("changed migrations") else {
            return;
        };
        let db = TestDatabase::create(&url).await;
        let store = db.store().await;
        store.migrate().await.unwrap();
        sqlx::query("UPDATE helpdesk_migrations SET checksum = checksum + 1")
            .execute(store.pool())
            .await
            .unwrap();
        assert!(matches!(
            store.migrate().await,
            Err(SqlxStoreError::MigrationChanged { version: 1 })
        ));
    }
}
