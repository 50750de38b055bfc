//! The store's readiness: a database not migrated yet reports the shipped migrations as
//! pending; once migrated it is ready. SQLite file and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use helpdesk_core::{HealthCheck, Readiness};
use helpdesk_sqlx::Migration;

/// Reports every `shipped` migration pending, then, once `migrate` has run, ready.
async fn pending_until_migrated<E: std::fmt::Debug>(
    store: &(impl HealthCheck + ?Sized),
    shipped: &[Migration],
    migrate: impl Future<Output = Result<(), E>>,
) {
    let versions = shipped.iter().map(|m| m.version).collect();
    assert_eq!(
        store.readiness().await.unwrap(),
        Readiness::MigrationsPending { versions }
    );
    migrate.await.unwrap();
    assert_eq!(store.readiness().await.unwrap(), Readiness::Ready);
}

#[cfg(feature = "sqlite")]
#[tokio::test]
async fn sqlite_readiness_reports_pending_migrations_until_migrated() {
    use helpdesk_sqlx::SqliteStore;
    let file = support::SqliteFile::new_empty();
    let store = file.store().await;
    pending_until_migrated(&store, SqliteStore::migrations(), store.migrate()).await;
}

#[cfg(feature = "postgres")]
#[tokio::test]
async fn postgres_readiness_reports_pending_migrations_until_migrated() {
    use helpdesk_sqlx::PostgresStore;
    let Some(url) = support::postgres::url("postgres_readiness_reports_pending_migrations") else {
        return;
    };
    let database = support::postgres::TestDatabase::create(&url).await;
    let store = database.store().await;
    pending_until_migrated(&store, PostgresStore::migrations(), store.migrate()).await;
}

#[cfg(feature = "postgres")]
#[tokio::test]
async fn postgres_unreachable_is_an_unavailable_storage_error() {
    use std::time::Duration;

    use helpdesk_core::{Error, TenantRepository};
    use helpdesk_sqlx::sqlx::postgres::PgPoolOptions;
    use helpdesk_sqlx::{PostgresStore, SqlxStoreError};
    let Some(url) = support::postgres::url("postgres_unreachable_is_an_unavailable_storage_error")
    else {
        return;
    };
    let database = support::postgres::TestDatabase::create(&url).await;
    // A port nobody listens on: connecting is refused.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let pool = PgPoolOptions::new()
        .acquire_timeout(Duration::from_millis(500))
        .connect_lazy_with(database.options.clone().host("127.0.0.1").port(port));
    let store = PostgresStore::from_pool(pool);
    match store.tenants().await {
        Err(Error::Store(e)) => assert!(e.is_unavailable(), "{e:?}"),
        other => panic!("expected an unavailable storage error, got {other:?}"),
    }
    match store.readiness().await {
        Err(Error::Store(e)) => assert!(e.is_unavailable(), "{e:?}"),
        other => panic!("expected an unavailable storage error, got {other:?}"),
    }
    let migrate = store.migrate().await.unwrap_err();
    assert!(
        matches!(migrate, SqlxStoreError::Database(_)) && migrate.is_unavailable(),
        "{migrate:?}"
    );
}
