//! The storage conformance suite of `helpdesk-core` on SQLite and PostgreSQL: the same
//! checks the in-memory reference store passes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

/// A fresh, migrated database in memory for each test.
#[cfg(feature = "sqlite")]
async fn fresh_sqlite() -> std::sync::Arc<helpdesk_sqlx::SqliteStore> {
    let store = helpdesk_sqlx::SqliteStore::in_memory()
        .await
        .expect("opening SQLite in memory");
    store.migrate().await.expect("migrating SQLite");
    std::sync::Arc::new(store)
}

#[cfg(feature = "sqlite")]
helpdesk_core::store_conformance_tests!(sqlite, fresh_sqlite());

#[cfg(all(feature = "postgres", helpdesk_test_postgres))]
helpdesk_core::store_conformance_tests!(postgres, support::pg_fresh());

#[cfg(all(feature = "postgres", not(helpdesk_test_postgres)))]
#[test]
fn postgres_conformance_suite_needs_a_server() {
    support::postgres::skipped("the conformance suite (built without HELPDESK_TEST_POSTGRES_URL)");
}
