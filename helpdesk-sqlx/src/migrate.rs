//! Our migrations, recorded in our own table `helpdesk_migrations`, so they never meet
//! the host's (`_sqlx_migrations` or any other) in a shared database.

use async_trait::async_trait;
use helpdesk_core::{HealthCheck, Readiness, StoreResult};

use crate::backend::{Dialect, Exec, RowExt};
use crate::error::{Result, SqlxStoreError};
use crate::sql::Sql;
use crate::store::SqlStore;

/// One migration shipped with the crate.
#[derive(Clone, Copy, Debug)]
pub struct Migration {
    /// Its version; applied in increasing order.
    pub version: i64,
    /// What it does.
    pub description: &'static str,
    /// Its SQL, one or more statements.
    pub sql: &'static str,
}

/// FNV-1a of the migration text: recorded when applied, so a shipped migration that
/// changed afterwards is noticed instead of silently skipped.
fn checksum(sql: &str) -> i64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in sql.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    i64::from_ne_bytes(hash.to_ne_bytes())
}

const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS helpdesk_migrations (\
     version BIGINT PRIMARY KEY NOT NULL, \
     description TEXT NOT NULL, \
     checksum BIGINT NOT NULL, \
     applied_at BIGINT NOT NULL)";

/// Applies every migration not yet recorded, all in one transaction: either the schema
/// is brought fully up to date or nothing changes. Safe to run at every start-up and
/// from several processes at once.
pub(crate) async fn run<D: Dialect>(pool: &D::Pool) -> Result<()> {
    let mut tx = D::begin(pool).await?;
    match apply::<D>(&mut tx).await {
        Ok(()) => D::commit(tx).await?,
        Err(e) => {
            // Released now, not when the connection is next used: another instance (or
            // this one, retrying) must not wait on a failed run's lock. A rollback that
            // fails has lost its connection, and the lock went with the session.
            let _ = D::rollback(tx).await;
            return Err(e);
        }
    }
    Ok(())
}

/// Every migration not yet recorded, inside the migration transaction `tx`.
async fn apply<D: Dialect>(tx: &mut D::Tx) -> Result<()> {
    D::lock_migrations(tx).await?;
    tx.execute(Sql::new(CREATE_TABLE)).await?;
    let applied = tx
        .fetch_all(Sql::new(
            "SELECT version, checksum FROM helpdesk_migrations ORDER BY version",
        ))
        .await?;
    let mut done = Vec::with_capacity(applied.len());
    for row in &applied {
        done.push((row.i64("version")?, row.i64("checksum")?));
    }
    let now = crate::codec::nanos_clamped(chrono::Utc::now());
    for migration in D::MIGRATIONS {
        match done.iter().find(|(v, _)| *v == migration.version) {
            Some((_, sum)) if *sum == checksum(migration.sql) => continue,
            Some(_) => {
                return Err(SqlxStoreError::MigrationChanged {
                    version: migration.version,
                });
            }
            None => {}
        }
        D::run_script(tx, migration.sql).await?;
        tx.execute(
            Sql::new(
                "INSERT INTO helpdesk_migrations (version, description, checksum, applied_at) \
                 VALUES ($1, $2, $3, $4)",
            )
            .arg(migration.version)
            .arg(migration.description)
            .arg(checksum(migration.sql))
            .arg(now),
        )
        .await?;
    }
    Ok(())
}

/// The shipped migrations the database has not recorded, oldest first. Reads only:
/// a database never migrated has every migration pending.
pub(crate) async fn pending<D: Dialect>(pool: &D::Pool) -> Result<Vec<i64>> {
    let mut conn = pool.clone();
    let table = conn
        .fetch_optional(Sql::new(D::TABLE_EXISTS).arg("helpdesk_migrations"))
        .await?;
    let mut applied = Vec::new();
    if table.is_some() {
        for row in conn
            .fetch_all(Sql::new("SELECT version FROM helpdesk_migrations"))
            .await?
        {
            applied.push(row.i64("version")?);
        }
    }
    Ok(D::MIGRATIONS
        .iter()
        .map(|m| m.version)
        .filter(|v| !applied.contains(v))
        .collect())
}

/// Ready when the database answers and every shipped migration is applied; an
/// unreachable database is an unavailable storage error.
#[async_trait]
impl<D: Dialect> HealthCheck for SqlStore<D> {
    async fn readiness(&self) -> StoreResult<Readiness> {
        let versions = pending::<D>(self.raw_pool()).await?;
        Ok(if versions.is_empty() {
            Readiness::Ready
        } else {
            Readiness::MigrationsPending { versions }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksums_tell_texts_apart() {
        assert_eq!(checksum("CREATE TABLE a"), checksum("CREATE TABLE a"));
        assert_ne!(checksum("CREATE TABLE a"), checksum("CREATE TABLE b"));
    }
}
