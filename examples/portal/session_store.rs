//! The portal's login sessions, kept in its own table (`portal_sessions`) of the
//! database the helpdesk uses: every portal process on that database sees the same
//! sessions, and a restarted portal logs nobody out.
//!
//! A [`tower_sessions::SessionStore`] over the helpdesk store's pool. The published
//! sqlx stores are built on another major version of sqlx; this one is a few queries.

use async_trait::async_trait;
use helpdesk_sqlx::sqlx::{self, PgPool, SqlitePool};
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, Error};

/// The host's session table, beside the helpdesk's tables.
const TABLE_SQLITE: &str = "CREATE TABLE IF NOT EXISTS portal_sessions (
    id TEXT PRIMARY KEY NOT NULL,
    record TEXT NOT NULL,
    expires_at INTEGER NOT NULL
)";
const INDEX: &str =
    "CREATE INDEX IF NOT EXISTS portal_sessions_expires_at ON portal_sessions (expires_at)";
const TABLE_POSTGRES: &str = "CREATE TABLE IF NOT EXISTS portal_sessions (
    id TEXT PRIMARY KEY NOT NULL,
    record TEXT NOT NULL,
    expires_at BIGINT NOT NULL
)";

/// Sessions in the portal's database: SQLite or PostgreSQL, on the pool the helpdesk's
/// store opened.
#[derive(Clone, Debug)]
pub(crate) enum DbSessionStore {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

fn backend(e: sqlx::Error) -> Error {
    Error::Backend(e.to_string())
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// The record as stored: its JSON, and when it expires (Unix seconds).
fn encode(record: &Record) -> session_store::Result<(String, String, i64)> {
    let json = serde_json::to_string(record).map_err(|e| Error::Encode(e.to_string()))?;
    Ok((
        record.id.to_string(),
        json,
        record.expiry_date.unix_timestamp(),
    ))
}

impl DbSessionStore {
    /// Creates the session table when it is missing. Run under the start-up lock, so two
    /// portals starting together on one PostgreSQL database do not race to create it.
    pub(crate) async fn migrate(&self) -> Result<(), sqlx::Error> {
        match self {
            Self::Sqlite(pool) => {
                sqlx::query(TABLE_SQLITE).execute(pool).await?;
                sqlx::query(INDEX).execute(pool).await?;
            }
            Self::Postgres(pool) => {
                sqlx::query(TABLE_POSTGRES).execute(pool).await?;
                sqlx::query(INDEX).execute(pool).await?;
            }
        }
        Ok(())
    }

    /// Deletes the sessions that have expired; returns how many.
    pub(crate) async fn delete_expired(&self) -> Result<u64, sqlx::Error> {
        let done = match self {
            Self::Sqlite(pool) => sqlx::query("DELETE FROM portal_sessions WHERE expires_at <= ?")
                .bind(now())
                .execute(pool)
                .await?
                .rows_affected(),
            Self::Postgres(pool) => {
                sqlx::query("DELETE FROM portal_sessions WHERE expires_at <= $1")
                    .bind(now())
                    .execute(pool)
                    .await?
                    .rows_affected()
            }
        };
        Ok(done)
    }

    /// Inserts the record unless its id is taken; whether it was inserted.
    async fn insert_new(&self, record: &Record) -> session_store::Result<bool> {
        let (id, json, expires_at) = encode(record)?;
        let inserted = match self {
            Self::Sqlite(pool) => sqlx::query(
                "INSERT INTO portal_sessions (id, record, expires_at) VALUES (?, ?, ?) \
                 ON CONFLICT (id) DO NOTHING",
            )
            .bind(id)
            .bind(json)
            .bind(expires_at)
            .execute(pool)
            .await
            .map_err(backend)?
            .rows_affected(),
            Self::Postgres(pool) => sqlx::query(
                "INSERT INTO portal_sessions (id, record, expires_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (id) DO NOTHING",
            )
            .bind(id)
            .bind(json)
            .bind(expires_at)
            .execute(pool)
            .await
            .map_err(backend)?
            .rows_affected(),
        };
        Ok(inserted == 1)
    }
}

#[async_trait]
impl tower_sessions::SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // Ids are 128 random bits: a collision is as good as impossible, but never
        // overwrite someone else's session.
        while !self.insert_new(record).await? {
            record.id = Id::default();
        }
        Ok(())
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let (id, json, expires_at) = encode(record)?;
        match self {
            Self::Sqlite(pool) => sqlx::query(
                "INSERT INTO portal_sessions (id, record, expires_at) VALUES (?, ?, ?) \
                 ON CONFLICT (id) DO UPDATE SET record = excluded.record, expires_at = excluded.expires_at",
            )
            .bind(id)
            .bind(json)
            .bind(expires_at)
            .execute(pool)
            .await
            .map_err(backend)?
            .rows_affected(),
            Self::Postgres(pool) => sqlx::query(
                "INSERT INTO portal_sessions (id, record, expires_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (id) DO UPDATE SET record = excluded.record, expires_at = excluded.expires_at",
            )
            .bind(id)
            .bind(json)
            .bind(expires_at)
            .execute(pool)
            .await
            .map_err(backend)?
            .rows_affected(),
        };
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let id = id.to_string();
        let json: Option<String> = match self {
            Self::Sqlite(pool) => sqlx::query_scalar(
                "SELECT record FROM portal_sessions WHERE id = ? AND expires_at > ?",
            )
            .bind(id)
            .bind(now())
            .fetch_optional(pool)
            .await
            .map_err(backend)?,
            Self::Postgres(pool) => sqlx::query_scalar(
                "SELECT record FROM portal_sessions WHERE id = $1 AND expires_at > $2",
            )
            .bind(id)
            .bind(now())
            .fetch_optional(pool)
            .await
            .map_err(backend)?,
        };
        json.map(|json| serde_json::from_str(&json).map_err(|e| Error::Decode(e.to_string())))
            .transpose()
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        let id = id.to_string();
        match self {
            Self::Sqlite(pool) => sqlx::query("DELETE FROM portal_sessions WHERE id = ?")
                .bind(id)
                .execute(pool)
                .await
                .map_err(backend)?
                .rows_affected(),
            Self::Postgres(pool) => sqlx::query("DELETE FROM portal_sessions WHERE id = $1")
                .bind(id)
                .execute(pool)
                .await
                .map_err(backend)?
                .rows_affected(),
        };
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::collections::HashMap;

    use tower_sessions::SessionStore;
    use tower_sessions::cookie::time::{Duration, OffsetDateTime};

    use super::*;

    async fn store() -> DbSessionStore {
        let sqlite = helpdesk_sqlx::SqliteStore::connect("sqlite::memory:")
            .await
            .unwrap();
        let store = DbSessionStore::Sqlite(sqlite.pool().clone());
        store.migrate().await.unwrap();
        store.migrate().await.unwrap();
        store
    }

    fn record(expires_in: Duration) -> Record {
        Record {
            id: Id::default(),
            data: HashMap::from([("login".to_owned(), serde_json::json!("alice"))]),
            expiry_date: OffsetDateTime::now_utc() + expires_in,
        }
    }

    #[tokio::test]
    async fn a_session_is_created_loaded_saved_and_deleted() {
        let store = store().await;
        let mut live = record(Duration::hours(1));
        let taken = live.id;
        store.create(&mut live).await.unwrap();
        assert_eq!(store.load(&live.id).await.unwrap().as_ref(), Some(&live));
        // A new record whose id is taken gets another id.
        let mut other = record(Duration::hours(1));
        other.id = taken;
        store.create(&mut other).await.unwrap();
        assert_ne!(other.id, taken);
        live.data.insert("n".to_owned(), serde_json::json!(2));
        store.save(&live).await.unwrap();
        assert_eq!(store.load(&live.id).await.unwrap(), Some(live.clone()));
        store.delete(&live.id).await.unwrap();
        assert_eq!(store.load(&live.id).await.unwrap(), None);
        assert!(store.load(&other.id).await.unwrap().is_some());
    }

    #[tokio::test]
    async fn an_expired_session_is_not_loaded_and_is_swept() {
        let store = store().await;
        let mut old = record(Duration::seconds(-5));
        store.create(&mut old).await.unwrap();
        let mut live = record(Duration::hours(1));
        store.create(&mut live).await.unwrap();
        assert_eq!(store.load(&old.id).await.unwrap(), None);
        assert_eq!(store.delete_expired().await.unwrap(), 1);
        assert!(store.load(&live.id).await.unwrap().is_some());
    }
}
