//! PostgreSQL for tests: `HELPDESK_TEST_POSTGRES_URL` names a server; each test gets a
//! database of its own, created from that URL and dropped when the test is done, so tests
//! run in parallel. Without the variable tests say loudly that they skipped; under
//! `CI=true` they fail instead.

use std::io::Write as _;
use std::str::FromStr;

use helpdesk_sqlx::PostgresStore;
use helpdesk_sqlx::sqlx::postgres::{PgConnectOptions, PgConnection, PgPoolOptions};
use helpdesk_sqlx::sqlx::{self, AssertSqlSafe, ConnectOptions, Connection};

pub const VAR: &str = "HELPDESK_TEST_POSTGRES_URL";

/// The server URL, or none after saying loudly that `what` is skipped. Under `CI=true`
/// a missing URL fails the test: CI never skips PostgreSQL.
pub fn url(what: &str) -> Option<String> {
    match std::env::var(VAR) {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            skipped(what);
            None
        }
    }
}

/// Says loudly that `what` was skipped, or fails under `CI=true`.
pub fn skipped(what: &str) {
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("CI=true but {VAR} is not set: {what} must run on PostgreSQL under CI");
    }
    // Straight to the process's stderr: libtest captures `eprintln!` of passing tests.
    let _ = writeln!(
        std::io::stderr(),
        "\n\
         ****************************************************************\n\
         SKIPPED on PostgreSQL: {what}\n\
         set {VAR} (e.g. postgres://postgres@127.0.0.1:5432/test) to run it\n\
         ****************************************************************\n"
    );
}

/// A database of its own on the test server, dropped when this value is.
pub struct TestDatabase {
    name: String,
    server: PgConnectOptions,
    pub options: PgConnectOptions,
}

impl TestDatabase {
    /// Creates an empty database on the server at `url`; an unreachable server fails.
    pub async fn create(url: &str) -> Self {
        let server = PgConnectOptions::from_str(url)
            .unwrap_or_else(|e| panic!("{VAR} is not a PostgreSQL URL: {e}"));
        let name = format!("helpdesk_test_{}", uuid::Uuid::now_v7().simple());
        let mut conn = server
            .connect()
            .await
            .unwrap_or_else(|e| panic!("PostgreSQL at {url} is unreachable: {e}"));
        // The name is ours: a fixed prefix and hex digits.
        sqlx::raw_sql(AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut conn)
            .await
            .unwrap_or_else(|e| panic!("creating test database {name}: {e}"));
        let _ = conn.close().await;
        Self {
            options: server.clone().database(&name),
            name,
            server,
        }
    }

    /// A new store with a pool of its own: each one is like another app instance.
    pub async fn store(&self) -> PostgresStore {
        PostgresStore::connect_with(self.options.clone())
            .await
            .expect("connecting to the test database")
    }

    /// A new store on the database, migrated, its ticket table kept without planner
    /// statistics for the test's life (autovacuum off for it), as a new deployment's.
    pub async fn unanalyzed_store(&self) -> PostgresStore {
        let store = self.store().await;
        store.migrate().await.expect("migrating PostgreSQL");
        sqlx::query("ALTER TABLE helpdesk_tickets SET (autovacuum_enabled = off)")
            .execute(&self.host_pool().await)
            .await
            .expect("no statistics for the test's life");
        store
    }

    /// A connection of its own, for raw SQL.
    pub async fn connection(&self) -> PgConnection {
        PgConnection::connect_with(&self.options)
            .await
            .expect("connecting to the test database")
    }

    /// A pool on the database that is not ours, as a host would have.
    pub async fn host_pool(&self) -> sqlx::PgPool {
        PgPoolOptions::new()
            .connect_with(self.options.clone())
            .await
            .expect("connecting to the test database")
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let server = self.server.clone();
        let name = self.name.clone();
        // Drop runs inside the test's runtime; the database goes on a thread of its own.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            runtime.block_on(async {
                let mut conn = server.connect().await?;
                sqlx::raw_sql(AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                )))
                .execute(&mut conn)
                .await?;
                conn.close().await
            })?;
            Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
        })
        .join();
        if let Ok(Err(e)) = dropped {
            eprintln!("could not drop test database {}: {e}", self.name);
        }
    }
}
