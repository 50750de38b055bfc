//! Members written before migration 3 (no `search_words` yet) are found by name all the
//! same: the store fills their words the first time it looks in their tenant.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use helpdesk_core::{
    DirectoryRepository, Member, MemberQuery, MemberRole, Tenant, TenantRepository, UserId,
};

/// Stores Élodie in acme, as migration 3 found her: `search_words` NULL after `forget`.
async fn elodie_without_words(
    store: &(impl DirectoryRepository + TenantRepository),
    forget: impl AsyncFnOnce(),
) -> Member {
    let acme = Tenant::new("acme", "Acme").unwrap();
    store.insert_tenant(&acme).await.unwrap();
    let elodie = Member::new(
        acme.id,
        UserId::new("emartin").unwrap(),
        "Élodie Martin",
        Some("elodie@acme.example"),
        MemberRole::Requester,
    )
    .unwrap();
    store.insert_member(&elodie).await.unwrap();
    forget().await;
    elodie
}

#[cfg(feature = "sqlite")]
#[tokio::test]
async fn sqlite_members_from_before_migration_3_are_found_by_name() {
    use helpdesk_sqlx::sqlx;
    let store = support::sqlite_memory().await;
    let elodie = elodie_without_words(&store, async || {
        sqlx::query("UPDATE helpdesk_members SET search_words = NULL")
            .execute(store.pool())
            .await
            .unwrap();
    })
    .await;
    let found = store
        .find_members(&MemberQuery::new(elodie.tenant, "elodie mart", 10))
        .await
        .unwrap();
    assert_eq!(found, vec![elodie]);
}

#[cfg(feature = "postgres")]
#[tokio::test]
async fn postgres_members_from_before_migration_3_are_found_by_name() {
    use helpdesk_sqlx::sqlx;
    let Some(url) = support::postgres::url("finding members written before migration 3") else {
        return;
    };
    let database = support::postgres::TestDatabase::create(&url).await;
    let store = database.store().await;
    store.migrate().await.unwrap();
    let elodie = elodie_without_words(&store, async || {
        sqlx::query("UPDATE helpdesk_members SET search_words = NULL")
            .execute(store.pool())
            .await
            .unwrap();
    })
    .await;
    let found = store
        .find_members(&MemberQuery::new(elodie.tenant, "ELODIE", 10))
        .await
        .unwrap();
    assert_eq!(found, vec![elodie]);
}
