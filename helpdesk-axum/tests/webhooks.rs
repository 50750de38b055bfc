//! The webhook routes: a tenant's admins register, list, change and remove endpoints;
//! the secret is answered once; bad input and other tenants change nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use axum::http::StatusCode;
use helpdesk_core::{MemberDetails, MemberRole, UserId};
use serde_json::json;
use support::*;

const GWEN: (&str, Option<&str>) = ("gwen", Some("globex"));

/// The usual host, with gwen as globex's tenant admin.
async fn host_with_globex_admin() -> Host {
    let h = host().await;
    let root = h.actor(ROOT).await;
    h.service
        .add_member(
            &root,
            h.globex,
            MemberDetails {
                user: &UserId::new("gwen").unwrap(),
                display_name: "Gwen",
                email: None,
                role: MemberRole::TenantAdmin,
            },
        )
        .await
        .unwrap();
    h
}

#[tokio::test]
async fn a_tenant_admin_registers_lists_changes_and_removes_an_endpoint() {
    let h = host_with_globex_admin().await;
    let created = h
        .call(
            Some(CAROL),
            "POST",
            "/admin/webhooks",
            Some(json!({"url": "https://hooks.acme.example/in", "events": ["replied"]})),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let secret = created.body["secret"].as_str().unwrap().to_owned();
    assert!(secret.len() >= 32);
    let id = created.body["endpoint"]["id"].as_str().unwrap().to_owned();
    assert_eq!(created.body["endpoint"]["internal_notes"], false);
    assert_eq!(created.body["endpoint"]["active"], true);

    let listed = h.call(Some(CAROL), "GET", "/admin/webhooks", None).await;
    assert_eq!(listed.status, StatusCode::OK);
    assert_eq!(listed.body.as_array().unwrap().len(), 1);
    assert_eq!(listed.body[0]["url"], "https://hooks.acme.example/in");
    assert!(
        !String::from_utf8_lossy(&listed.bytes).contains(&secret),
        "the secret is never listed"
    );

    let changed = h
        .call(
            Some(CAROL),
            "PATCH",
            &format!("/admin/webhooks/{id}"),
            Some(json!({"active": false, "secret": "a-new-secret-of-at-least-32-bytes!!"})),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    assert_eq!(changed.body["active"], false);
    assert!(
        changed.body.get("secret").is_none(),
        "a new secret is not shown back"
    );

    let removed = h
        .call(
            Some(CAROL),
            "DELETE",
            &format!("/admin/webhooks/{id}"),
            None,
        )
        .await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT);
    let again = h
        .call(
            Some(CAROL),
            "DELETE",
            &format!("/admin/webhooks/{id}"),
            None,
        )
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    assert_eq!(again.body["entity"], "webhook");
}

#[tokio::test]
async fn bad_urls_and_short_secrets_are_422_and_register_nothing() {
    let h = host().await;
    for (body, field) in [
        (json!({"url": "http://hooks.acme.example/in"}), "url"),
        (json!({"url": "not a url"}), "url"),
        (
            json!({"url": "https://hooks.acme.example/", "secret": "short"}),
            "secret",
        ),
        (
            json!({"url": "https://hooks.acme.example/", "events": ["exploded"]}),
            "events",
        ),
    ] {
        let refused = h
            .call(Some(CAROL), "POST", "/admin/webhooks", Some(body))
            .await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            refused.body
        );
        assert_eq!(refused.body["field"], field, "{}", refused.body);
    }
    let listed = h.call(Some(CAROL), "GET", "/admin/webhooks", None).await;
    assert_eq!(listed.body, json!([]));
}

#[tokio::test]
async fn another_tenants_admin_and_requesters_neither_see_nor_change_them() {
    let h = host_with_globex_admin().await;
    let created = h
        .call(
            Some(CAROL),
            "POST",
            "/admin/webhooks",
            Some(json!({"url": "https://hooks.acme.example/in"})),
        )
        .await;
    let id = created.body["endpoint"]["id"].as_str().unwrap().to_owned();

    let theirs = h.call(Some(GWEN), "GET", "/admin/webhooks", None).await;
    assert_eq!(theirs.status, StatusCode::OK);
    assert_eq!(theirs.body, json!([]), "globex's admin sees only globex's");
    for (method, body) in [("PATCH", Some(json!({"active": false}))), ("DELETE", None)] {
        let refused = h
            .call(Some(GWEN), method, &format!("/admin/webhooks/{id}"), body)
            .await;
        assert_eq!(refused.status, StatusCode::NOT_FOUND, "{}", refused.body);
        assert_eq!(refused.body["entity"], "webhook");
    }
    // Naming acme from globex: no such tenant for her.
    let across = h
        .call(Some(GWEN), "GET", "/admin/webhooks?tenant=acme", None)
        .await;
    assert_eq!(across.status, StatusCode::NOT_FOUND, "{}", across.body);
    for (who, query) in [(ALICE, ""), (SAM, "?tenant=acme")] {
        let refused = h
            .call(Some(who), "GET", &format!("/admin/webhooks{query}"), None)
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    }
    let listed = h.call(Some(CAROL), "GET", "/admin/webhooks", None).await;
    assert_eq!(listed.body[0]["active"], true, "nothing changed");
}
