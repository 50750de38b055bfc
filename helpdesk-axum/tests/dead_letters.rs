//! The dead-letter routes: who sees them, retrying one, the count on the dashboard.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::Arc;

use axum::http::StatusCode;
use chrono::Utc;
use helpdesk_axum::Limits;
use helpdesk_core::{AfterFailure, OutboxRepository, Store, TicketId};
use support::*;

/// A host with one dead letter in acme and one in globex: tickets of alice and dave
/// that root answered, whose notifications were given up on.
async fn host_with_dead_letters() -> (Host, Arc<helpdesk_sqlx::SqliteStore>) {
    let store = Arc::new(helpdesk_sqlx::SqliteStore::in_memory().await.unwrap());
    store.migrate().await.unwrap();
    let h = host_on(store.clone() as Arc<dyn Store>, Limits::default()).await;
    let root = h.actor(ROOT).await;
    for who in [ALICE, DAVE] {
        let id: TicketId = h.open(who, "Imprimante").await.parse().unwrap();
        h.service
            .reply(&root, id, None, "<p>On regarde</p>", vec![])
            .await
            .unwrap();
    }
    let now = Utc::now();
    for message in store.claim_due_messages(now, now, 10).await.unwrap() {
        store
            .mark_failed(
                message.tenant,
                message.id,
                "550 mailbox unavailable",
                AfterFailure::DeadLetter(now),
            )
            .await
            .unwrap();
    }
    (h, store)
}

#[tokio::test]
async fn platform_admins_and_supervisors_list_dead_letters_of_their_tenants() {
    let (h, _) = host_with_dead_letters().await;
    let all = h.call(Some(ROOT), "GET", "/admin/dead-letters", None).await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.body);
    assert_eq!(all.body.as_array().unwrap().len(), 2);
    assert_eq!(all.body[0]["last_error"], "550 mailbox unavailable");
    assert!(all.body[0]["dead_at"].is_string());

    let sue = h.call(Some(SUE), "GET", "/admin/dead-letters", None).await;
    let letters = sue.body.as_array().unwrap();
    assert_eq!(letters.len(), 1, "sue supervises acme only");
    assert_eq!(letters[0]["tenant"], h.acme.to_string());

    for who in [SAM, ALICE, CAROL] {
        let refused = h.call(Some(who), "GET", "/admin/dead-letters", None).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
        assert_eq!(refused.body["reason"], "role_required");
    }
    let unknown = h
        .call(Some(ROOT), "GET", "/admin/dead-letters?who=me", None)
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn retrying_a_dead_letter_puts_it_back_in_line_once() {
    let (h, store) = host_with_dead_letters().await;
    let all = h.call(Some(ROOT), "GET", "/admin/dead-letters", None).await;
    let globex = all
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["tenant"] == h.globex.to_string())
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/admin/dead-letters/{globex}/retry");

    let hidden = h.call(Some(SUE), "POST", &path, None).await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND, "not sue's tenant");
    assert_eq!(hidden.body["entity"], "dead_letter");
    let refused = h.call(Some(SAM), "POST", &path, None).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    let elsewhere = format!("{path}?tenant=acme");
    let mislabelled = h.call(Some(ROOT), "POST", &elsewhere, None).await;
    assert_eq!(
        mislabelled.status,
        StatusCode::NOT_FOUND,
        "named with a tenant not its own"
    );
    let unknown = h
        .call(Some(ROOT), "POST", &format!("{path}?who=me"), None)
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);

    let retried = h
        .call(Some(ROOT), "POST", &format!("{path}?tenant=globex"), None)
        .await;
    assert_eq!(retried.status, StatusCode::OK, "{}", retried.body);
    assert_eq!(retried.body["tenant"], h.globex.to_string());
    assert_eq!(retried.body["attempts"], 0);
    assert!(retried.body["dead_at"].is_null());
    let again = h.call(Some(ROOT), "POST", &path, None).await;
    assert_eq!(
        again.status,
        StatusCode::NOT_FOUND,
        "no longer a dead letter"
    );
    let garbage = h
        .call(
            Some(ROOT),
            "POST",
            "/admin/dead-letters/not-an-id/retry",
            None,
        )
        .await;
    assert_eq!(garbage.status, StatusCode::NOT_FOUND);
    assert_eq!(garbage.body["entity"], "dead_letter");

    let far = Utc::now() + chrono::Duration::minutes(1);
    let due = store.claim_due_messages(far, far, 10).await.unwrap();
    assert_eq!(due.len(), 1, "the retried message is due again");
    assert_eq!(due[0].id.to_string(), globex);
}

#[tokio::test]
async fn the_dashboard_counts_dead_letters_for_those_who_may_see_them() {
    let (h, _) = host_with_dead_letters().await;
    let root = h.call(Some(ROOT), "GET", "/dashboard", None).await;
    assert_eq!(root.body["dead_letters"], 2, "{}", root.body);
    let sue = h.call(Some(SUE), "GET", "/dashboard", None).await;
    assert_eq!(sue.body["dead_letters"], 1);
    let sam = h.call(Some(SAM), "GET", "/dashboard", None).await;
    assert!(sam.body["dead_letters"].is_null(), "{}", sam.body);
}
