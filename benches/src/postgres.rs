//! PostgreSQL for benches: `HELPDESK_TEST_POSTGRES_URL` names a server; each bench
//! program creates a database `helpdesk_bench_<uuid>` of its own there and drops it when
//! done (or keeps it, with [`KEEP_VAR`](crate::KEEP_VAR) set). Without the variable the
//! PostgreSQL part is skipped, loudly.

use std::io::Write as _;
use std::str::FromStr;

use helpdesk_sqlx::PostgresStore;
use helpdesk_sqlx::sqlx::postgres::PgConnectOptions;
use helpdesk_sqlx::sqlx::{self, AssertSqlSafe, ConnectOptions, Connection};

use crate::{BenchResult, keep_databases, report_kept};

/// The variable naming the server.
pub const VAR: &str = "HELPDESK_TEST_POSTGRES_URL";

/// The server URL, or none after saying loudly on stderr and stdout that `what` is
/// skipped.
pub fn url(what: &str) -> Option<String> {
    match std::env::var(VAR) {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            let banner = format!(
                "\n\
                 ****************************************************************\n\
                 SKIPPED on PostgreSQL: {what}\n\
                 set {VAR} (e.g. postgres://postgres@127.0.0.1:5432/test) to run it\n\
                 ****************************************************************\n"
            );
            let _ = writeln!(std::io::stderr(), "{banner}");
            println!("{banner}");
            None
        }
    }
}

/// A database of the bench's own on the server, dropped by [`drop_now`](Self::drop_now)
/// or, failing that, when this value is dropped.
#[derive(Debug)]
pub struct BenchDatabase {
    name: String,
    server: PgConnectOptions,
    options: PgConnectOptions,
    dropped: bool,
}

impl BenchDatabase {
    /// Creates an empty database on the server at `url`.
    pub async fn create(url: &str) -> BenchResult<Self> {
        let server = PgConnectOptions::from_str(url)?;
        let name = format!("helpdesk_bench_{}", uuid::Uuid::now_v7().simple());
        let mut conn = server.connect().await?;
        // The name is ours: a fixed prefix and hex digits.
        sqlx::raw_sql(AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut conn)
            .await?;
        conn.close().await?;
        Ok(Self {
            options: server.clone().database(&name),
            name,
            server,
            dropped: false,
        })
    }

    /// The database `name` on the server at `url`, kept from an earlier run: never
    /// dropped. Its name must be one [`create`](Self::create) gives.
    pub fn reuse(url: &str, name: &str) -> BenchResult<Self> {
        let ours = name
            .strip_prefix("helpdesk_bench_")
            .is_some_and(|rest| !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_hexdigit()));
        if !ours {
            return Err(format!("{name:?} is not a bench database").into());
        }
        let server = PgConnectOptions::from_str(url)?;
        Ok(Self {
            options: server.clone().database(name),
            name: name.to_owned(),
            server,
            dropped: true,
        })
    }

    /// The database's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A new, migrated store on the database, with a pool of its own.
    pub async fn store(&self) -> BenchResult<PostgresStore> {
        let store = PostgresStore::connect_with(self.options.clone()).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Runs `script` (fixed SQL of the bench's own) on a connection of its own.
    pub async fn run(&self, script: &'static str) -> BenchResult {
        let mut conn = self.options.connect().await?;
        sqlx::raw_sql(script).execute(&mut conn).await?;
        conn.close().await?;
        Ok(())
    }

    /// Sets a database parameter for connections opened from now on
    /// (`ALTER DATABASE ... SET name = value`); both are the bench's own constants.
    pub async fn set(&self, parameter: &'static str, value: &'static str) -> BenchResult {
        let mut conn = self.server.connect().await?;
        let name = &self.name;
        sqlx::raw_sql(AssertSqlSafe(format!(
            "ALTER DATABASE {name} SET {parameter} = {value}"
        )))
        .execute(&mut conn)
        .await?;
        conn.close().await?;
        Ok(())
    }

    /// Drops the database now (closing whatever is still connected to it).
    pub async fn drop_now(mut self) -> BenchResult {
        self.dropped = true;
        if keep_databases() {
            report_kept(&self.name);
            return Ok(());
        }
        drop_database(&self.server, &self.name).await
    }
}

async fn drop_database(server: &PgConnectOptions, name: &str) -> BenchResult {
    let mut conn = server.connect().await?;
    sqlx::raw_sql(AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
    )))
    .execute(&mut conn)
    .await?;
    conn.close().await?;
    Ok(())
}

impl Drop for BenchDatabase {
    fn drop(&mut self) {
        if self.dropped {
            return;
        }
        if keep_databases() {
            report_kept(&self.name);
            return;
        }
        let server = self.server.clone();
        let name = self.name.clone();
        // Dropped inside the bench's runtime, maybe while unwinding: drop on a thread
        // with a runtime of its own.
        let dropped = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?
                .block_on(drop_database(&server, &name))
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("could not drop bench database {}", self.name);
        }
    }
}
