//! The adapter's own error, and how it maps into the core's [`Error`].

use helpdesk_core::{Entity, Error, StoreError};

/// A failure of the SQL store: the database, a row that does not decode, a value out of
/// the range the schema stores, or a migration that does not match what was applied.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SqlxStoreError {
    /// The database refused or failed.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// A JSON column did not encode or decode.
    #[error("JSON column error: {0}")]
    Json(#[from] serde_json::Error),
    /// A stored value does not make sense (a status nobody knows, say).
    #[error("corrupt row: {0}")]
    Corrupt(String),
    /// A value cannot be stored: a timestamp outside 1677-2262, a counter above `i64::MAX`.
    #[error("{0} is out of the range the store keeps")]
    OutOfRange(&'static str),
    /// A migration shipped with this crate differs from the one recorded as applied.
    #[error("migration {version} changed after it was applied to this database")]
    MigrationChanged {
        /// The migration's version.
        version: i64,
    },
}

impl SqlxStoreError {
    /// Whether the database is unreachable for now (down, cut off, no connection free in
    /// time, a lock held past the busy timeout): trying again later may work.
    pub fn is_unavailable(&self) -> bool {
        match self {
            SqlxStoreError::Database(e) => is_unavailable(e),
            _ => false,
        }
    }
}

impl From<SqlxStoreError> for StoreError {
    fn from(e: SqlxStoreError) -> Self {
        if e.is_unavailable() {
            StoreError::unavailable("SQL store unavailable", e)
        } else {
            StoreError::with_source("SQL store", e)
        }
    }
}

/// A database error that says "not now" rather than "never": the server or its
/// connection is gone, no connection came free within the pool's acquire timeout, or
/// SQLite's busy timeout ran out behind another writer.
pub(crate) fn is_unavailable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => unavailable_code(db.as_ref()),
        _ => false,
    }
}

/// A statement that met a dead connection (closed, reset, ended by the server). A read
/// may be sent again once on a fresh connection: reading twice changes nothing. Never
/// used for writes: a write whose answer was lost may have committed.
pub(crate) fn is_connection_lost(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_) => true,
        sqlx::Error::Database(db) => connection_lost_code(db.as_ref()),
        _ => false,
    }
}

#[cfg_attr(
    not(any(feature = "sqlite", feature = "postgres")),
    allow(unused_variables)
)]
fn unavailable_code(db: &dyn sqlx::error::DatabaseError) -> bool {
    #[cfg(feature = "sqlite")]
    if let Some(e) = db.try_downcast_ref::<sqlx::sqlite::SqliteError>() {
        // Primary result codes (the low byte of the extended code): SQLITE_BUSY (5),
        // SQLITE_LOCKED (6), SQLITE_CANTOPEN (14).
        let code = sqlx::error::DatabaseError::code(e)
            .and_then(|c| c.parse::<i32>().ok())
            .unwrap_or(0);
        return matches!(code & 0xff, 5 | 6 | 14);
    }
    #[cfg(feature = "postgres")]
    if let Some(e) = db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>() {
        // Class 08: connection exception; 53300: too many connections; 57P0x: the
        // server is shutting down, crashed, or starting.
        let code = e.code();
        return code.starts_with("08") || matches!(code, "53300" | "57P01" | "57P02" | "57P03");
    }
    false
}

#[cfg_attr(not(feature = "postgres"), allow(unused_variables))]
fn connection_lost_code(db: &dyn sqlx::error::DatabaseError) -> bool {
    #[cfg(feature = "postgres")]
    if let Some(e) = db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>() {
        // The server ended this session (an administrator, a crash): the statement did
        // not run.
        return matches!(e.code(), "57P01" | "57P02");
    }
    false
}

impl From<SqlxStoreError> for Error {
    fn from(e: SqlxStoreError) -> Self {
        Error::Store(e.into())
    }
}

/// A database error as the core sees it: a duplicate of `entity` is
/// [`Error::AlreadyExists`], anything else a storage failure.
pub(crate) fn duplicate_as(entity: Entity) -> impl FnOnce(sqlx::Error) -> Error {
    move |e| match e.as_database_error() {
        Some(db) if db.is_unique_violation() => Error::AlreadyExists(entity),
        _ => SqlxStoreError::from(e).into(),
    }
}

/// A failed write to a row that must reference `entity` (a member's tenant, say): a
/// missing parent is [`Error::NotFound`].
pub(crate) fn missing_parent_as(
    duplicate: Entity,
    parent: Entity,
) -> impl FnOnce(sqlx::Error) -> Error {
    move |e| match e.as_database_error() {
        Some(db) if db.is_unique_violation() => Error::AlreadyExists(duplicate),
        Some(db) if db.is_foreign_key_violation() => Error::NotFound(parent),
        _ => SqlxStoreError::from(e).into(),
    }
}

/// Shorthand for storage failures inside the adapter.
pub(crate) type Result<T, E = SqlxStoreError> = std::result::Result<T, E>;
