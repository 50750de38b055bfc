//! How the store's own pool waits for a connection: the settings a host may change when
//! the store opens its pool (`SqliteStore::connect_with_pool`,
//! `PostgresStore::connect_with_pool`).

use std::time::Duration;

/// How long a request waits for a free (or new) connection before it fails with an
/// "unavailable" storage error (HTTP 503), unless [`PoolSettings`] say otherwise: short,
/// so that a database outage answers quickly instead of holding requests.
pub const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);

/// The pool's size on SQLite unless [`PoolSettings`] say otherwise. A SQLite read runs
/// on its connection's own thread and each connection keeps its own page cache and
/// prepared statements: connections beyond the cores add threads and memory, not
/// reads. On 2 cores, 4 connections serve the same load as 10 in 26 MB less
/// (BENCHMARKS.md, "group commit on SQLite"). The store's writer is one more.
pub const SQLITE_MAX_CONNECTIONS: u32 = 4;

/// The pool's size on PostgreSQL unless [`PoolSettings`] say otherwise (sqlx's default):
/// the server does the work, and a connection waiting on it costs the process little.
pub const POSTGRES_MAX_CONNECTIONS: u32 = 10;

/// Settings for the pool the store opens.
///
/// ```
/// use std::time::Duration;
/// let settings = helpdesk_sqlx::PoolSettings::default()
///     .acquire_timeout(Duration::from_secs(2))
///     .max_connections(20);
/// assert_eq!(settings.get_acquire_timeout(), Duration::from_secs(2));
/// assert_eq!(settings.get_max_connections(), Some(20));
/// assert_eq!(helpdesk_sqlx::PoolSettings::default().get_max_connections(), None);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoolSettings {
    acquire_timeout: Duration,
    max_connections: Option<u32>,
}

impl Default for PoolSettings {
    /// [`ACQUIRE_TIMEOUT`], and the database's own number of connections
    /// ([`SQLITE_MAX_CONNECTIONS`], [`POSTGRES_MAX_CONNECTIONS`]).
    fn default() -> Self {
        Self {
            acquire_timeout: ACQUIRE_TIMEOUT,
            max_connections: None,
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

    /// The most connections the pool opens; at least 1. Default
    /// [`SQLITE_MAX_CONNECTIONS`] or [`POSTGRES_MAX_CONNECTIONS`]. A SQLite store opens
    /// one more, its writer (see `SqliteStore::connect_with_pool`).
    #[must_use]
    pub fn max_connections(mut self, max: u32) -> Self {
        self.max_connections = Some(max.max(1));
        self
    }

    /// The acquire timeout.
    pub fn get_acquire_timeout(&self) -> Duration {
        self.acquire_timeout
    }

    /// The most connections, when set; `None` leaves the database's own default.
    pub fn get_max_connections(&self) -> Option<u32> {
        self.max_connections
    }

    /// sqlx pool options with these settings, `connections` unless the host chose.
    /// Connections are tested before use, so a connection that died while idle is
    /// replaced instead of failing a request.
    pub(crate) fn apply<DB: sqlx::Database>(
        self,
        options: sqlx::pool::PoolOptions<DB>,
        connections: u32,
    ) -> sqlx::pool::PoolOptions<DB> {
        options
            .acquire_timeout(self.acquire_timeout)
            .max_connections(self.max_connections.unwrap_or(connections))
            .test_before_acquire(true)
    }
}
