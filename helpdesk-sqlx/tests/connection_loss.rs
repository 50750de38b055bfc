//! A connection the database ended (a restart, a failover, an administrator): a read is
//! sent again once on a fresh connection and succeeds; a write is never sent twice (it
//! may have committed), it fails as "unavailable" and writes nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

#[cfg(feature = "postgres")]
mod postgres {
    use helpdesk_core::{Error, Store, Tenant, TenantRepository};
    use helpdesk_sqlx::PostgresStore;
    use helpdesk_sqlx::sqlx::postgres::PgPoolOptions;
    use helpdesk_sqlx::sqlx::{self, PgConnection};

    use super::support::postgres::{TestDatabase, url};

    /// A store on a pool of one connection that is not tested before use, so the next
    /// statement meets the dead connection itself.
    async fn one_connection(database: &TestDatabase) -> PostgresStore {
        let pool = PgPoolOptions::new()
            .max_connections(1)
            .test_before_acquire(false)
            .connect_with(database.options.clone())
            .await
            .unwrap();
        let store = PostgresStore::from_pool(pool);
        store.migrate().await.unwrap();
        store
    }

    /// Ends the store's only connection from another session and waits until the server
    /// has let it go.
    async fn end_the_connection(store: &PostgresStore, admin: &mut PgConnection) {
        let pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
            .fetch_one(store.pool())
            .await
            .unwrap();
        let ended: bool = sqlx::query_scalar("SELECT pg_terminate_backend($1)")
            .bind(pid)
            .fetch_one(&mut *admin)
            .await
            .unwrap();
        assert!(ended);
        loop {
            let left: i64 =
                sqlx::query_scalar("SELECT count(*) FROM pg_stat_activity WHERE pid = $1")
                    .bind(pid)
                    .fetch_one(&mut *admin)
                    .await
                    .unwrap();
            if left == 0 {
                break;
            }
            tokio::task::yield_now().await;
        }
    }

    #[tokio::test]
    async fn a_read_on_a_connection_the_server_ended_is_retried_once_and_succeeds() {
        let Some(url) = url("a_read_on_a_connection_the_server_ended_is_retried_once") else {
            return;
        };
        let database = TestDatabase::create(&url).await;
        let store = one_connection(&database).await;
        let mut admin = database.connection().await;
        let acme = Tenant::new("acme", "Acme").unwrap();
        store.insert_tenant(&acme).await.unwrap();

        end_the_connection(&store, &mut admin).await;
        let found = store.tenant_by_slug("acme").await.unwrap();
        assert_eq!(found.map(|t| t.id), Some(acme.id));
    }

    #[tokio::test]
    async fn a_write_on_a_connection_the_server_ended_is_not_retried_and_writes_nothing() {
        let Some(url) = url("a_write_on_a_connection_the_server_ended_is_not_retried") else {
            return;
        };
        let database = TestDatabase::create(&url).await;
        let store = one_connection(&database).await;
        let mut admin = database.connection().await;

        end_the_connection(&store, &mut admin).await;
        let acme = Tenant::new("acme", "Acme").unwrap();
        let outcome = store.insert_tenant(&acme).await;
        let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM helpdesk_tenants")
            .fetch_one(&mut admin)
            .await
            .unwrap();
        // The pool may notice the dead connection (the server's goodbye arrives on its
        // socket) and open a fresh one before the write is sent: then the write is sent
        // once and succeeds. Otherwise the write meets the dead connection and is refused
        // as unavailable. Either way it is sent at most once, and the answer says which.
        match outcome {
            Err(Error::Store(e)) => {
                assert!(e.is_unavailable(), "{e:?}");
                assert_eq!(
                    stored, 0,
                    "a refused write wrote nothing and was not sent again"
                );
                // The caller may try again: the pool has a fresh connection by then.
                let store: &dyn Store = &store;
                store.insert_tenant(&acme).await.unwrap();
            }
            Ok(()) => assert_eq!(stored, 1, "an accepted write was sent once"),
            other => panic!("expected success or an unavailable storage error, got {other:?}"),
        }
    }
}
