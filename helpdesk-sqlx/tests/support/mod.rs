//! What the test files share: fresh SQLite databases, and PostgreSQL databases made and
//! dropped per test.
#![allow(dead_code, unreachable_pub)]

#[cfg(feature = "postgres")]
pub mod postgres;

use std::sync::Arc;

use helpdesk_core::{Actor, HelpdeskService, MemberDetails, MemberRole, Store, Tenant, UserId};
#[cfg(feature = "sqlite")]
use helpdesk_sqlx::SqliteStore;
#[cfg(feature = "sqlite")]
use tempfile::TempDir;

/// A migrated SQLite database in a file of its own, in a directory removed at the end.
#[cfg(feature = "sqlite")]
pub struct SqliteFile {
    pub dir: TempDir,
    pub url: String,
}

#[cfg(feature = "sqlite")]
impl SqliteFile {
    pub async fn new() -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let url = format!("sqlite://{}", dir.path().join("helpdesk.db").display());
        let file = Self { dir, url };
        file.store()
            .await
            .migrate()
            .await
            .expect("migrating SQLite");
        file
    }

    /// A file not migrated yet.
    pub fn new_empty() -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let url = format!("sqlite://{}", dir.path().join("helpdesk.db").display());
        Self { dir, url }
    }

    /// A new pool on the file: each one is like another process.
    pub async fn store(&self) -> SqliteStore {
        SqliteStore::connect(&self.url)
            .await
            .expect("opening the SQLite file")
    }
}

/// A fresh, migrated in-memory SQLite store.
#[cfg(feature = "sqlite")]
pub async fn sqlite_memory() -> SqliteStore {
    let store = SqliteStore::in_memory()
        .await
        .expect("opening SQLite in memory");
    store.migrate().await.expect("migrating SQLite");
    store
}

/// A tenant with one requester and a platform admin, through the service.
pub struct World {
    pub service: HelpdeskService,
    pub root: Actor,
    pub tenant: Tenant,
    pub requester: Actor,
}

impl World {
    pub async fn new(store: Arc<dyn Store>) -> Self {
        let service = HelpdeskService::new(store);
        let root = match service
            .bootstrap_platform_admin(&UserId::new("root").expect("a user id"), "Root")
            .await
        {
            Ok(root) => root,
            // Already bootstrapped on this database: find the platform admin.
            Err(_) => service
                .actor(&UserId::new("root").expect("a user id"), None)
                .await
                .expect("the platform admin"),
        };
        let slug = format!("t-{}", uuid::Uuid::now_v7().simple());
        let tenant = service
            .create_tenant(&root, &slug, "Acme")
            .await
            .expect("creating a tenant");
        let requester = service
            .ensure_member(
                tenant.id,
                MemberDetails {
                    user: &UserId::new(&format!("alice-{slug}")).expect("a user id"),
                    display_name: "Alice",
                    email: Some("alice@acme.example"),
                    role: MemberRole::Requester,
                },
            )
            .await
            .expect("adding a requester");
        Self {
            service,
            root,
            tenant,
            requester: Actor::Member(requester),
        }
    }
}
