//! The storage conformance suite of `helpdesk-core` on SQLite and PostgreSQL: the same
//! checks the in-memory reference store passes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::Arc;

use helpdesk_sqlx::SqliteStore;

/// A fresh, migrated database in memory for each test.
async fn fresh_sqlite() -> Arc<SqliteStore> {
    let store = SqliteStore::in_memory()
        .await
        .expect("opening SQLite in memory");
    store.migrate().await.expect("migrating SQLite");
    Arc::new(store)
}

helpdesk_core::store_conformance_tests!(sqlite, fresh_sqlite());

#[cfg(all(feature = "postgres", helpdesk_test_postgres))]
helpdesk_core::store_conformance_tests!(postgres, support::postgres::fresh());

#[cfg(all(feature = "postgres", not(helpdesk_test_postgres)))]
#[test]
fn postgres_conformance_suite_needs_a_server() {
    support::postgres::skipped("the conformance suite (built without HELPDESK_TEST_POSTGRES_URL)");
}
