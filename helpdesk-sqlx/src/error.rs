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
    /// Something is already stored under this blob key.
    #[error("a blob is already stored under {0}")]
    BlobExists(String),
    /// A blob is larger than the store accepts.
    #[error("the file is {size} bytes, more than the {max} accepted")]
    BlobTooLarge {
        /// Its size.
        size: u64,
        /// The limit.
        max: u64,
    },
    /// The file system failed.
    #[error("blob store IO error: {0}")]
    Io(#[from] std::io::Error),
}

impl From<SqlxStoreError> for StoreError {
    fn from(e: SqlxStoreError) -> Self {
        StoreError::with_source("SQL store", e)
    }
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
