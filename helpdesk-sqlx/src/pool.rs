//! How the store's own pool waits for a connection: the settings a host may change when
//! the store opens its pool (`SqliteStore::connect_with_pool`,
//! `PostgresStore::connect_with_pool`).

use std::time::Duration;

/// How long a request waits for a free (or new) connection before it fails with an
/// "unavailable" storage error (HTTP 503), unless [`PoolSettings`] say otherwise: short,
/// so that a database outage answers quickly instead of holding requests.
pub const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);

/// Settings for the pool the store opens.
///
/// ```
/// use std::time::Duration;
/// let settings = helpdesk_sqlx::PoolSettings::default()
///     .acquire_timeout(Duration::from_secs(2))
///     .max_connections(20);
/// assert_eq!(settings.get_acquire_timeout(), Duration::from_secs(2));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoolSettings {
    acquire_timeout: Duration,
    max_connections: u32,
}

impl Default for PoolSettings {
    /// [`ACQUIRE_TIMEOUT`] and 10 connections (sqlx's default).
    fn default() -> Self {
        Self {
            acquire_timeout: ACQUIRE_TIMEOUT,
            max_connections: 10,
        }
    }
}

impl PoolSettings {
    /// How long a request waits for a connection (connecting included) before the store
    /// answers that the database is unavailable. Default [`ACQUIRE_TIMEOUT`].
    #[must_use]
    pub fn acquire_timeout(mut self, timeout: Duration) -> Self {
        self.acquire_timeout = timeout;
        self
    }

    /// The most connections the pool opens. Default 10; at least 1. A SQLite store
    /// opens one more, its writer (see `SqliteStore::connect_with_pool`).
    #[must_use]
    pub fn max_connections(mut self, max: u32) -> Self {
        self.max_connections = max.max(1);
        self
    }

    /// The acquire timeout.
    pub fn get_acquire_timeout(&self) -> Duration {
        self.acquire_timeout
    }

    /// The most connections.
    pub fn get_max_connections(&self) -> u32 {
        self.max_connections
    }

    /// sqlx pool options with these settings. Connections are tested before use, so a
    /// connection that died while idle is replaced instead of failing a request.
    pub(crate) fn apply<DB: sqlx::Database>(
        self,
        options: sqlx::pool::PoolOptions<DB>,
    ) -> sqlx::pool::PoolOptions<DB> {
        options
            .acquire_timeout(self.acquire_timeout)
            .max_connections(self.max_connections)
            .test_before_acquire(true)
    }
}
