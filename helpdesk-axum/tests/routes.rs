//! In-process tests of every route: the happy path, the refusals, the roles.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::json;
use support::*;

#[tokio::test]
async fn the_vendor_closure_scenario_over_http() {
    let h = host().await;
    let id = h.open(ALICE, "Imprimante bloquée").await;
    let path = format!("/tickets/{id}");

    let taken = h
        .call(
            Some(SAM),
            "POST",
            &format!("{path}/assignment"),
            Some(json!({"assignee": h.actor(SAM).await.as_staff().unwrap().id})),
        )
        .await;
    assert_eq!(taken.status, StatusCode::OK, "{}", taken.body);
    assert_eq!(taken.body["state"]["status"], "in_progress");

    let asked = h
        .call(
            Some(SAM),
            "POST",
            &format!("{path}/information-request"),
            Some(json!({"body": "Quel modèle ?"})),
        )
        .await;
    assert_eq!(
        asked.body["state"]["status"], "waiting_on_requester",
        "{}",
        asked.body
    );
    let answered = h
        .call(
            Some(ALICE),
            "POST",
            &format!("{path}/replies"),
            Some(json!({"body": "HP 4250"})),
        )
        .await;
    assert_eq!(
        answered.body["state"]["status"], "in_progress",
        "{}",
        answered.body
    );

    let proposed = h
        .call(
            Some(SAM),
            "POST",
            &format!("{path}/closure"),
            Some(json!({"body": "Bac débloqué"})),
        )
        .await;
    assert_eq!(
        proposed.body["state"]["status"], "pending_closure",
        "{}",
        proposed.body
    );
    let refused = h
        .call(
            Some(ALICE),
            "POST",
            &format!("{path}/closure/refusal"),
            Some(json!({"body": "Toujours bloquée"})),
        )
        .await;
    assert_eq!(
        refused.body["state"]["status"], "in_progress",
        "{}",
        refused.body
    );
    h.call(
        Some(SAM),
        "POST",
        &format!("{path}/closure"),
        Some(json!({"body": "Rouleau changé"})),
    )
    .await;
    let bad = h
        .call(
            Some(ALICE),
            "POST",
            &format!("{path}/closure/approval"),
            Some(json!({"answers": {"overall": 11}})),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.body["field"], "answers.overall");
    let approved = h
        .call(
            Some(ALICE),
            "POST",
            &format!("{path}/closure/approval"),
            Some(json!({"answers": {"overall": 9, "solution": "very_satisfied"}})),
        )
        .await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
    assert_eq!(approved.body["state"]["status"], "closed");

    let view = h.call(Some(ALICE), "GET", &path, None).await;
    assert_eq!(view.status, StatusCode::OK);
    assert_eq!(view.body["status_label"], "Clôturée");
    assert_eq!(
        view.headers["etag"],
        format!("\"{}\"", view.body["ticket"]["version"])
    );
}

#[tokio::test]
async fn errors_are_problem_documents_with_stable_codes() {
    let h = host().await;
    let id = h.open(ALICE, "Printer").await;
    // The same request id for both, so the documents may be compared byte for byte.
    let get = |ticket: String| {
        Request::get(format!("/helpdesk/tickets/{ticket}"))
            .header("x-user", BOB.0)
            .header("x-tenant", "acme")
            .header("x-request-id", "same-request-id")
            .body(Body::empty())
            .unwrap()
    };
    let hidden = h.send(get(id.clone())).await;
    let missing = h.send(get(uuid::Uuid::now_v7().to_string())).await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    assert_eq!(hidden.headers["content-type"], "application/problem+json");
    assert_eq!(
        hidden.bytes, missing.bytes,
        "a hidden ticket answers exactly like a missing one"
    );
    assert_eq!(hidden.body["code"], "not_found");

    let note = h
        .call(
            Some(ALICE),
            "POST",
            &format!("/tickets/{id}/notes"),
            Some(json!({"body": "x"})),
        )
        .await;
    assert_eq!(note.status, StatusCode::FORBIDDEN);
    assert_eq!(note.body["reason"], "staff_only");

    let approve = h
        .call(
            Some(ALICE),
            "POST",
            &format!("/tickets/{id}/closure/approval"),
            Some(json!({"answers": {"overall": 5}})),
        )
        .await;
    assert_eq!(approve.status, StatusCode::CONFLICT);
    assert_eq!(approve.body["code"], "invalid_transition");
    assert_eq!(approve.body["from"], "new");
    assert_eq!(approve.body["command"], "approve_closure");

    let nobody = h.call(None, "GET", "/tickets", None).await;
    assert_eq!(nobody.status, StatusCode::UNAUTHORIZED);
    assert!(
        nobody.body["detail"].as_str().unwrap().contains("Identify"),
        "{}",
        nobody.body
    );
}

#[tokio::test]
async fn if_match_guards_every_write_and_stale_versions_fail_the_precondition() {
    let h = host().await;
    let id = h.open(ALICE, "Printer").await;
    let read = h
        .call(Some(SAM), "GET", &format!("/tickets/{id}"), None)
        .await;
    let etag = read.headers["etag"].to_str().unwrap().to_owned();
    let reply = |tag: String| {
        let request = axum::http::Request::builder()
            .method("POST")
            .uri(format!("/helpdesk/tickets/{id}/replies"))
            .header("x-user", "sam")
            .header("content-type", "application/json")
            .header("if-match", tag)
            .body(axum::body::Body::from(json!({"body": "hello"}).to_string()))
            .unwrap();
        h.send(request)
    };
    let first = reply(etag.clone()).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let stale = reply(etag).await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
    assert_eq!(stale.body["code"], "precondition_failed");
    let view = h
        .call(Some(SAM), "GET", &format!("/tickets/{id}"), None)
        .await;
    let replies = view.body["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"]["type"] == "replied")
        .count();
    assert_eq!(replies, 1, "the stale write changed nothing");
}

#[tokio::test]
async fn a_retried_post_with_an_idempotency_key_creates_one_ticket() {
    let h = host().await;
    let post = || {
        let request = axum::http::Request::builder()
            .method("POST")
            .uri("/helpdesk/tickets")
            .header("x-user", "alice")
            .header("x-tenant", "acme")
            .header("content-type", "application/json")
            .header("idempotency-key", "7f1c-retry")
            .body(axum::body::Body::from(
                json!({"subject": "Printer", "description": "Tray 2"}).to_string(),
            ))
            .unwrap();
        h.send(request)
    };
    let first = post().await;
    let second = post().await;
    assert_eq!(first.status, StatusCode::CREATED);
    assert_eq!(first.body["id"], second.body["id"]);
    let list = h.call(Some(CAROL), "GET", "/tickets", None).await;
    assert_eq!(list.body["tickets"].as_array().unwrap().len(), 1);
}

/// Every route the router serves, by method and path.
const ROUTES: [(&str, &str); 60] = [
    ("get", "/me"),
    ("put", "/me/language"),
    ("put", "/me/notifications"),
    ("get", "/members"),
    ("post", "/tickets"),
    ("get", "/tickets"),
    ("get", "/tickets/{id}"),
    ("patch", "/tickets/{id}"),
    ("post", "/tickets/{id}/replies"),
    ("post", "/tickets/{id}/notes"),
    ("post", "/tickets/{id}/attachments"),
    ("get", "/attachments/{id}"),
    ("post", "/tickets/{id}/assignment"),
    ("post", "/tickets/{id}/information-request"),
    ("post", "/tickets/{id}/closure"),
    ("post", "/tickets/{id}/closure/approval"),
    ("post", "/tickets/{id}/closure/refusal"),
    ("post", "/tickets/{id}/cancellation"),
    ("post", "/tickets/{id}/reopening"),
    ("post", "/tickets/{id}/guests"),
    ("post", "/tickets/{id}/requester"),
    ("get", "/tickets/{id}/watchers"),
    ("get", "/dashboard"),
    ("get", "/dashboard/breakdown"),
    ("get", "/export.csv"),
    ("get", "/saved-searches"),
    ("post", "/saved-searches"),
    ("delete", "/saved-searches/{id}"),
    ("get", "/kb/suggestions"),
    ("get", "/kb/articles"),
    ("post", "/kb/articles"),
    ("put", "/kb/articles/{id}"),
    ("get", "/admin/tenants"),
    ("post", "/admin/tenants"),
    ("get", "/admin/tenants/{id}"),
    ("put", "/admin/tenants/{id}"),
    ("put", "/admin/tenants/{id}/questionnaire"),
    ("get", "/admin/members"),
    ("post", "/admin/members"),
    ("post", "/admin/members/{id}/block"),
    ("post", "/admin/members/{id}/unblock"),
    ("put", "/admin/members/{id}/role"),
    ("get", "/admin/staff"),
    ("post", "/admin/staff"),
    ("patch", "/admin/staff/{id}"),
    ("get", "/admin/groups"),
    ("post", "/admin/groups"),
    ("patch", "/admin/groups/{id}"),
    ("get", "/admin/categories"),
    ("post", "/admin/categories"),
    ("put", "/admin/categories/{id}"),
    ("get", "/admin/products"),
    ("post", "/admin/products"),
    ("put", "/admin/products/{id}"),
    ("get", "/admin/dead-letters"),
    ("post", "/admin/dead-letters/{id}/retry"),
    ("get", "/admin/webhooks"),
    ("post", "/admin/webhooks"),
    ("patch", "/admin/webhooks/{id}"),
    ("delete", "/admin/webhooks/{id}"),
];

#[tokio::test]
async fn openapi_lists_every_route() {
    let h = host().await;
    let doc = h.call(None, "GET", "/openapi.json", None).await;
    assert_eq!(doc.status, StatusCode::OK);
    assert!(
        doc.body["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc.body["openapi"]
    );
    assert_eq!(doc.body["servers"][0]["url"], "/helpdesk");
    let paths = doc.body["paths"].as_object().unwrap();
    for (method, path) in ROUTES.iter().chain([("get", "/openapi.json")].iter()) {
        assert!(
            paths.get(*path).and_then(|p| p.get(*method)).is_some(),
            "{method} {path} missing from the OpenAPI document"
        );
    }
    let documented: usize = paths.values().map(|p| p.as_object().unwrap().len()).sum();
    assert_eq!(
        documented,
        ROUTES.len() + 1,
        "the document lists a route the router does not serve"
    );
}

#[tokio::test]
async fn every_documented_route_is_served() {
    let h = host().await;
    for (method, path) in ROUTES {
        let concrete = path.replace("{id}", &uuid::Uuid::now_v7().to_string());
        let answer = h
            .call(
                Some(ROOT),
                &method.to_uppercase(),
                &format!("{concrete}?tenant=acme"),
                None,
            )
            .await;
        assert_ne!(
            answer.status,
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path} is not routed"
        );
        if answer.status == StatusCode::NOT_FOUND {
            assert_eq!(
                answer.headers["content-type"], "application/problem+json",
                "{method} {path} is not routed"
            );
        }
    }
}
