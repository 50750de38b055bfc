//! Writers at the same moment, over HTTP: blind replies never collide, an
//! `Idempotency-Key` opens one ticket for one request body, and what a requester
//! observes (ETag, `updated_at`, `?updated_from=`) does not move with internal notes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use support::{ALICE, CAROL, SAM, SUE, host};
use tower::ServiceExt;

fn post(path: &str, who: (&str, Option<&str>), body: &Value) -> Request<Body> {
    let mut request = Request::builder()
        .method("POST")
        .uri(format!("/helpdesk{path}"))
        .header("x-user", who.0)
        .header("content-type", "application/json");
    if let Some(tenant) = who.1 {
        request = request.header("x-tenant", tenant);
    }
    request.body(Body::from(body.to_string())).unwrap()
}

fn keyed_open(key: &str, description: &str) -> Request<Body> {
    let mut request = post(
        "/tickets",
        ALICE,
        &json!({"subject": "Printer", "description": description}),
    );
    request
        .headers_mut()
        .insert("idempotency-key", key.parse().unwrap());
    request
}

#[tokio::test]
async fn eight_blind_replies_at_once_all_succeed_and_all_are_kept() {
    let h = host().await;
    let id = h.open(ALICE, "Everyone at once").await;
    let people = [ALICE, SAM, SUE, ALICE, SAM, SUE, ALICE, SAM];
    let mut tasks = tokio::task::JoinSet::new();
    for (i, who) in people.into_iter().enumerate() {
        let app = h.app.clone();
        let request = post(
            &format!("/tickets/{id}/replies"),
            who,
            &json!({"body": format!("<p>reply {i}</p>")}),
        );
        tasks.spawn(async move { app.oneshot(request).await.unwrap().status() });
    }
    while let Some(status) = tasks.join_next().await {
        assert_eq!(status.unwrap(), StatusCode::OK, "a blind reply was refused");
    }
    let view = h
        .call(Some(SAM), "GET", &format!("/tickets/{id}"), None)
        .await;
    let texts = view.body["timeline"].to_string();
    for i in 0..people.len() {
        assert!(
            texts.contains(&format!("reply {i}")),
            "reply {i} is in the timeline"
        );
    }
    assert_eq!(view.body["ticket"]["version"], json!(1 + people.len()));
}

#[tokio::test]
async fn an_idempotency_key_sent_again_with_another_body_is_422_and_opens_nothing() {
    let h = host().await;
    let first = h.send(keyed_open("order-1", "Tray 2 jams")).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);

    let other = h.send(keyed_open("order-1", "Tray 3 jams")).await;
    assert_eq!(
        other.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        other.body
    );
    assert_eq!(other.body["code"], "idempotency_key_reused");
    assert_eq!(other.body["field"], "Idempotency-Key");
    assert_eq!(
        other.headers[header::CONTENT_TYPE],
        "application/problem+json"
    );

    let again = h.send(keyed_open("order-1", "Tray 2 jams")).await;
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(
        again.body["id"], first.body["id"],
        "a true retry finds its ticket"
    );

    let list = h.call(Some(CAROL), "GET", "/tickets", None).await;
    let tickets = list.body["tickets"].as_array().unwrap();
    assert_eq!(tickets.len(), 1, "the refused request opened nothing");
    assert!(
        tickets[0]["description"]
            .as_str()
            .unwrap()
            .contains("Tray 2 jams"),
        "{}",
        tickets[0]
    );
}

#[tokio::test]
async fn requests_with_one_idempotency_key_at_once_open_one_ticket() {
    let h = host().await;
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let app = h.app.clone();
        let request = keyed_open("burst-1", "Tray 2 jams");
        tasks.spawn(async move {
            let response = app.oneshot(request).await.unwrap();
            let status = response.status();
            let bytes = response.into_body().collect().await.unwrap().to_bytes();
            (status, serde_json::from_slice::<Value>(&bytes).unwrap())
        });
    }
    let mut ids = std::collections::BTreeSet::new();
    while let Some(answer) = tasks.join_next().await {
        let (status, body) = answer.unwrap();
        match status {
            StatusCode::CREATED => {
                ids.insert(body["id"].as_str().unwrap().to_owned());
            }
            StatusCode::CONFLICT => assert_eq!(body["code"], "idempotency_key_in_use"),
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!(ids.len(), 1, "every success names the one ticket: {ids:?}");
    let list = h.call(Some(CAROL), "GET", "/tickets", None).await;
    assert_eq!(list.body["tickets"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn an_internal_note_changes_nothing_a_requester_can_observe() {
    let h = host().await;
    let id = h.open(ALICE, "Printer").await;
    let path = format!("/tickets/{id}");
    let before = h.call(Some(ALICE), "GET", &path, None).await;
    let etag = before.headers[header::ETAG].to_str().unwrap().to_owned();

    let noted = h
        .call(
            Some(SAM),
            "POST",
            &format!("{path}/notes"),
            Some(json!({"body": "<p>Internal: vendor ticket 4411</p>"})),
        )
        .await;
    assert_eq!(noted.status, StatusCode::OK, "{}", noted.body);
    assert_ne!(
        noted.headers[header::ETAG].to_str().unwrap(),
        etag,
        "staff see it"
    );
    let noted_at = noted.body["updated_at"].as_str().unwrap().to_owned();

    let after = h.call(Some(ALICE), "GET", &path, None).await;
    assert_eq!(after.headers[header::ETAG].to_str().unwrap(), etag);
    assert_eq!(
        after.body["ticket"]["version"],
        before.body["ticket"]["version"]
    );
    assert_eq!(
        after.body["ticket"]["updated_at"],
        before.body["ticket"]["updated_at"]
    );
    let since = format!("/tickets?updated_from={}", noted_at.replace('+', "%2B"));
    let hers = h.call(Some(ALICE), "GET", &since, None).await;
    assert_eq!(hers.status, StatusCode::OK, "{}", hers.body);
    assert_eq!(
        hers.body["tickets"],
        json!([]),
        "the note is not a change to her"
    );
    let his = h.call(Some(SAM), "GET", &since, None).await;
    assert_eq!(his.body["tickets"].as_array().unwrap().len(), 1);

    // Her conditional reply on the ETag she holds is not stale.
    let mut reply = post(
        &format!("{path}/replies"),
        ALICE,
        &json!({"body": "<p>Any news?</p>"}),
    );
    reply
        .headers_mut()
        .insert(header::IF_MATCH, etag.parse().unwrap());
    let replied = h.send(reply).await;
    assert_eq!(replied.status, StatusCode::OK, "{}", replied.body);
}
