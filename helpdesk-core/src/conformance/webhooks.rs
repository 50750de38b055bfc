//! Webhook endpoints.

use super::fixtures::{Must, days, directory, now};
use crate::ids::WebhookId;
use crate::ports::Store;
use crate::webhook::{Webhook, WebhookEndpoint, WebhookSecret};

/// Webhook endpoints: read back whole (secret included) within their tenant only,
/// oldest first; saving again replaces one; a save or a deletion naming another tenant
/// changes nothing; deleting answers whether there was one.
pub async fn webhooks_are_saved_replaced_and_deleted_within_their_tenant(store: &dyn Store) {
    let dir = directory(store).await;
    let (a, b) = (dir.tenants[0].id, dir.tenants[1].id);
    let hook = |tenant, url: &str, age: i64| Webhook {
        endpoint: WebhookEndpoint {
            id: WebhookId::new(),
            tenant,
            url: url.to_owned(),
            events: vec!["opened".to_owned(), "replied".to_owned()],
            internal_notes: false,
            active: true,
            created_at: now() - days(age),
        },
        secret: WebhookSecret::generate(),
    };
    let newer = hook(a, "https://a.example/new", 1);
    let mut older = hook(a, "https://a.example/old", 2);
    let other = hook(b, "https://b.example/", 3);
    for w in [&newer, &older, &other] {
        store.save_webhook(w).await.must("saving a webhook");
    }
    assert_eq!(
        store.webhooks(a).await.must("listing webhooks"),
        vec![older.clone(), newer.clone()],
        "a tenant's webhooks, whole and oldest first"
    );
    assert_eq!(
        store.webhooks(b).await.must("listing webhooks"),
        vec![other.clone()],
        "another tenant's webhooks stay apart"
    );

    older.endpoint.url = "https://a.example/moved".to_owned();
    older.endpoint.active = false;
    older.endpoint.internal_notes = true;
    older.endpoint.events = vec![];
    older.secret = WebhookSecret::generate();
    store.save_webhook(&older).await.must("replacing a webhook");
    assert_eq!(
        store.webhooks(a).await.must("listing webhooks"),
        vec![older.clone(), newer.clone()],
        "saving again replaces the endpoint and its secret"
    );

    let mut stolen = other.clone();
    stolen.endpoint.tenant = a;
    stolen.endpoint.url = "https://evil.example/".to_owned();
    store
        .save_webhook(&stolen)
        .await
        .must("saving over another tenant's id");
    assert_eq!(
        store.webhooks(b).await.must("listing webhooks"),
        vec![other.clone()],
        "a save naming another tenant's endpoint changes nothing"
    );
    assert!(
        !store
            .webhooks(a)
            .await
            .must("listing webhooks")
            .iter()
            .any(|w| w.endpoint.id == other.endpoint.id),
        "nor moves it into the saving tenant"
    );

    assert!(
        !store
            .delete_webhook(a, other.endpoint.id)
            .await
            .must("deleting"),
        "deleting another tenant's endpoint finds nothing"
    );
    assert!(
        store
            .delete_webhook(a, newer.endpoint.id)
            .await
            .must("deleting")
    );
    assert!(
        !store
            .delete_webhook(a, newer.endpoint.id)
            .await
            .must("deleting"),
        "a deleted endpoint is gone"
    );
    assert_eq!(
        store.webhooks(a).await.must("listing webhooks"),
        vec![older]
    );
    assert_eq!(
        store.webhooks(b).await.must("listing webhooks"),
        vec![other]
    );
}
