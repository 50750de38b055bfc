//! Tenant settings stored before custom fields existed (no `custom_fields` key in the
//! JSON) load with none, and a definition saved since reads back whole.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::BTreeMap;

use helpdesk_core::{CustomFieldDefinition, Tenant, TenantRepository, TenantSettings};

/// Stores acme, forgets its custom fields the way an older release stored them, reads
/// it back, then saves a definition and reads that back.
async fn round_trip(store: &impl TenantRepository, forget: impl AsyncFnOnce()) {
    let mut acme = Tenant::new("acme", "Acme").unwrap();
    acme.settings.custom_fields.push(CustomFieldDefinition {
        key: "school".into(),
        labels: BTreeMap::from([("fr".into(), "Établissement".into())]),
        required: true,
        help: BTreeMap::new(),
    });
    store.insert_tenant(&acme).await.unwrap();
    forget().await;
    let old = store.tenant(acme.id).await.unwrap().unwrap();
    assert_eq!(old.settings, TenantSettings::default());
    store.update_tenant(&acme).await.unwrap();
    let new = store.tenant(acme.id).await.unwrap().unwrap();
    assert_eq!(new.settings.custom_fields, acme.settings.custom_fields);
}

#[cfg(feature = "sqlite")]
#[tokio::test]
async fn sqlite_settings_without_custom_fields_load_with_none() {
    use helpdesk_sqlx::sqlx;
    let store = support::sqlite_memory().await;
    round_trip(&store, async || {
        sqlx::query(
            "UPDATE helpdesk_tenants SET settings = json_remove(settings, '$.custom_fields')",
        )
        .execute(store.pool())
        .await
        .unwrap();
    })
    .await;
}

#[cfg(feature = "postgres")]
#[tokio::test]
async fn postgres_settings_without_custom_fields_load_with_none() {
    use helpdesk_sqlx::sqlx;
    let Some(url) = support::postgres::url("settings stored before custom fields") else {
        return;
    };
    let database = support::postgres::TestDatabase::create(&url).await;
    let store = database.store().await;
    store.migrate().await.unwrap();
    round_trip(&store, async || {
        sqlx::query("UPDATE helpdesk_tenants SET settings = settings - 'custom_fields'")
            .execute(store.pool())
            .await
            .unwrap();
    })
    .await;
}
