//! How each database orders a ticket's subject like the reference does: by Unicode code
//! point, which is the byte order of UTF-8, whatever the database's collation.

/// The subject of ticket `t` as an expression that sorts and compares in code-point
/// order. Sealed: implemented by each backend here, a supertrait of
/// [`Dialect`](crate::backend::Dialect).
pub trait SubjectOrder {
    /// The expression.
    const SUBJECT: &'static str;
}

/// SQLite compares text with `BINARY` (memcmp of UTF-8) unless a column says otherwise.
#[cfg(feature = "sqlite")]
impl SubjectOrder for crate::SqliteBackend {
    const SUBJECT: &'static str = "t.subject";
}

/// PostgreSQL would use the database's linguistic collation; `"C"` is byte order.
#[cfg(feature = "postgres")]
impl SubjectOrder for crate::PostgresBackend {
    const SUBJECT: &'static str = "t.subject COLLATE \"C\"";
}
