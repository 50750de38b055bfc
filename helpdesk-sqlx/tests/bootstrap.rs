//! Bootstrap from several app instances at once: every instance calling
//! `ensure_platform_admin` and `ensure_tenant` at the same time gets the same admin and
//! the same tenant, and the database holds each once. SQLite file and PostgreSQL, two
//! pools each.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::BTreeSet;
use std::sync::Arc;

use helpdesk_core::{HelpdeskService, Store, UserId};

const INSTANCES: usize = 8;

async fn racing_bootstraps_agree_on_one_admin_and_one_tenant(a: Arc<dyn Store>, b: Arc<dyn Store>) {
    let mut tasks = Vec::new();
    for i in 0..INSTANCES {
        let service = HelpdeskService::new(if i % 2 == 0 { a.clone() } else { b.clone() });
        tasks.push(tokio::spawn(async move {
            let root = service
                .ensure_platform_admin(&UserId::new("root").unwrap(), "Root")
                .await
                .unwrap();
            let tenant = service.ensure_tenant(&root, "acme", "Acme").await.unwrap();
            (root.as_staff().unwrap().id, tenant.id)
        }));
    }
    let mut admins = BTreeSet::new();
    let mut tenants = BTreeSet::new();
    for task in tasks {
        let (admin, tenant) = task.await.unwrap();
        admins.insert(admin);
        tenants.insert(tenant);
    }
    assert_eq!(admins.len(), 1, "one platform admin: {admins:?}");
    assert_eq!(tenants.len(), 1, "one tenant: {tenants:?}");
    assert_eq!(a.all_staff().await.unwrap().len(), 1);
    assert_eq!(a.tenants().await.unwrap().len(), 1);
}

#[cfg(feature = "sqlite")]
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_racing_bootstraps_agree_on_one_admin_and_one_tenant() {
    let file = support::SqliteFile::new().await;
    racing_bootstraps_agree_on_one_admin_and_one_tenant(
        Arc::new(file.store().await),
        Arc::new(file.store().await),
    )
    .await;
}

#[cfg(feature = "postgres")]
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_racing_bootstraps_agree_on_one_admin_and_one_tenant() {
    let Some(url) = support::postgres::url("postgres_racing_bootstraps_agree") else {
        return;
    };
    let database = support::postgres::TestDatabase::create(&url).await;
    let a = database.store().await;
    a.migrate().await.unwrap();
    let b = database.store().await;
    racing_bootstraps_agree_on_one_admin_and_one_tenant(Arc::new(a), Arc::new(b)).await;
}
