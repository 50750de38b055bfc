//! The caller themself over HTTP (`GET /me`, `PUT /me/language`, `PUT
//! /me/notifications`), who is told about a ticket, finding members by
//! name (`GET /members?q=`), and validation refusals that carry a `reason_code`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::http::StatusCode;
use serde_json::{Value, json};

mod support;

use support::{ALICE, BLOCKED, CAROL, DAVE, SAM, SUE};

fn names(body: &Value) -> Vec<String> {
    body.as_array()
        .unwrap()
        .iter()
        .map(|m| m["display_name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn me_describes_a_member_and_a_staff_member() {
    let h = support::host().await;
    let alice = h.call(Some(ALICE), "GET", "/me", None).await;
    assert_eq!(alice.status, StatusCode::OK, "{}", alice.body);
    assert_eq!(alice.body["kind"], "member");
    assert_eq!(alice.body["user"], "alice");
    assert_eq!(alice.body["name"], "alice");
    assert_eq!(alice.body["email"], "alice@example.org");
    assert_eq!(alice.body["role"], "requester");
    assert_eq!(alice.body["tenant"], "acme");
    assert_eq!(alice.body["language"], Value::Null);
    let id = h.actor(ALICE).await.as_member().unwrap().id.to_string();
    assert_eq!(alice.body["id"], id.as_str());

    let sue = h.call(Some(SUE), "GET", "/me?tenant=acme", None).await;
    assert_eq!(sue.status, StatusCode::OK, "{}", sue.body);
    assert_eq!(sue.body["kind"], "staff");
    assert_eq!(sue.body["role"], "supervisor");
    assert_eq!(sue.body["tenant"], "acme");
    let sam = h.call(Some(SAM), "GET", "/me", None).await;
    assert_eq!(sam.body["tenant"], Value::Null, "staff who name no tenant");

    let nobody = h.call(None, "GET", "/me", None).await;
    assert_eq!(nobody.status, StatusCode::UNAUTHORIZED);
    let blocked = h.call(Some(BLOCKED), "GET", "/me", None).await;
    assert_eq!(blocked.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_person_sets_and_clears_their_language() {
    let h = support::host().await;
    let set = h
        .call(
            Some(ALICE),
            "PUT",
            "/me/language",
            Some(json!({"language": "en"})),
        )
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    assert_eq!(set.body["language"], "en");
    let me = h.call(Some(ALICE), "GET", "/me", None).await;
    assert_eq!(me.body["language"], "en", "the language is stored");

    let staff = h
        .call(
            Some(SAM),
            "PUT",
            "/me/language",
            Some(json!({"language": "fr"})),
        )
        .await;
    assert_eq!(staff.status, StatusCode::OK, "{}", staff.body);
    assert_eq!(h.actor(SAM).await.language(), Some("fr"));

    let cleared = h
        .call(
            Some(ALICE),
            "PUT",
            "/me/language",
            Some(json!({"language": null})),
        )
        .await;
    assert_eq!(cleared.status, StatusCode::OK);
    assert_eq!(h.actor(ALICE).await.language(), None);

    let refused = h
        .call(
            Some(ALICE),
            "PUT",
            "/me/language",
            Some(json!({"language": "de"})),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.body["code"], "validation_failed");
    assert_eq!(refused.body["field"], "language");
    assert_eq!(refused.body["reason_code"], "unknown_value");
    assert_eq!(h.actor(ALICE).await.language(), None, "nothing was written");
}

#[tokio::test]
async fn a_person_mutes_and_unmutes_notification_topics() {
    let h = support::host().await;
    let me = h.call(Some(ALICE), "GET", "/me", None).await;
    assert_eq!(me.body["muted"], json!([]), "nothing muted at first");
    let set = h
        .call(
            Some(ALICE),
            "PUT",
            "/me/notifications",
            Some(json!({"muted": ["changes", "replies", "changes"]})),
        )
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    assert_eq!(set.body["muted"], json!(["replies", "changes"]));
    let me = h.call(Some(ALICE), "GET", "/me", None).await;
    assert_eq!(me.body["muted"], json!(["replies", "changes"]), "stored");

    let refused = h
        .call(
            Some(ALICE),
            "PUT",
            "/me/notifications",
            Some(json!({"muted": ["everything"]})),
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    let me = h.call(Some(ALICE), "GET", "/me", None).await;
    assert_eq!(
        me.body["muted"],
        json!(["replies", "changes"]),
        "nothing was written"
    );

    let cleared = h
        .call(
            Some(ALICE),
            "PUT",
            "/me/notifications",
            Some(json!({"muted": []})),
        )
        .await;
    assert_eq!(cleared.status, StatusCode::OK, "{}", cleared.body);
    assert_eq!(cleared.body["muted"], json!([]));

    let staff = h
        .call(
            Some(SAM),
            "PUT",
            "/me/notifications",
            Some(json!({"muted": ["notes"]})),
        )
        .await;
    assert_eq!(staff.status, StatusCode::OK, "{}", staff.body);
    assert_eq!(staff.body["muted"], json!(["notes"]));
    let blocked = h
        .call(
            Some(BLOCKED),
            "PUT",
            "/me/notifications",
            Some(json!({"muted": []})),
        )
        .await;
    assert_eq!(blocked.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn who_is_told_about_a_ticket_as_its_readers_may_know() {
    let h = support::host().await;
    let opened = h
        .call(
            Some(ALICE),
            "POST",
            "/tickets",
            Some(json!({"subject": "Imprimante", "description": "Bloquée"})),
        )
        .await;
    assert_eq!(opened.status, StatusCode::CREATED, "{}", opened.body);
    let id = opened.body["id"].as_str().unwrap().to_owned();
    let sam = h.actor(SAM).await.as_staff().unwrap().id;
    let assigned = h
        .call(
            Some(SUE),
            "POST",
            &format!("/tickets/{id}/assignment?tenant=acme"),
            Some(json!({"assignee": sam})),
        )
        .await;
    assert_eq!(assigned.status, StatusCode::OK, "{}", assigned.body);

    let by_sue = h
        .call(
            Some(SUE),
            "GET",
            &format!("/tickets/{id}/watchers?tenant=acme"),
            None,
        )
        .await;
    assert_eq!(by_sue.status, StatusCode::OK, "{}", by_sue.body);
    let parts: Vec<(&str, &str)> = by_sue
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["display_name"].as_str().unwrap(),
                w["part"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(parts, [("alice", "requester"), ("sam", "assignee")]);
    assert_eq!(by_sue.body[0]["reachable"], true);
    assert_eq!(by_sue.body[1]["internal_notes"], true);

    let by_alice = h
        .call(Some(ALICE), "GET", &format!("/tickets/{id}/watchers"), None)
        .await;
    assert_eq!(by_alice.status, StatusCode::OK, "{}", by_alice.body);
    assert_eq!(
        by_alice.body[0]["reachable"],
        Value::Null,
        "no addresses for requesters"
    );
    assert_eq!(by_alice.body[0]["muted"], Value::Null);

    let by_dave = h
        .call(Some(DAVE), "GET", &format!("/tickets/{id}/watchers"), None)
        .await;
    assert_eq!(
        by_dave.status,
        StatusCode::NOT_FOUND,
        "as if it did not exist"
    );
}

#[tokio::test]
async fn members_are_found_by_name_as_visibility_allows() {
    let h = support::host().await;
    let carol = h.call(Some(CAROL), "GET", "/members?q=ALI", None).await;
    assert_eq!(carol.status, StatusCode::OK, "{}", carol.body);
    assert_eq!(names(&carol.body), ["alice"]);
    assert_eq!(carol.body[0]["email"], "alice@example.org");

    let everyone = h.call(Some(CAROL), "GET", "/members", None).await;
    assert!(
        names(&everyone.body).contains(&"mallory".to_owned()),
        "tenant admins list every member, blocked ones included: {}",
        everyone.body
    );
    let staff = h
        .call(Some(SAM), "GET", "/members?tenant=acme&q=mallory", None)
        .await;
    assert_eq!(names(&staff.body), ["mallory"]);
    let limited = h.call(Some(CAROL), "GET", "/members?limit=2", None).await;
    assert_eq!(limited.body.as_array().unwrap().len(), 2);

    let alice = h.call(Some(ALICE), "GET", "/members?q=bob", None).await;
    assert_eq!(alice.status, StatusCode::OK);
    assert_eq!(names(&alice.body), ["bob"], "a requester finds a colleague");
    assert_eq!(
        alice.body[0]["email"],
        Value::Null,
        "without their email address"
    );
    let all = h.call(Some(ALICE), "GET", "/members", None).await;
    assert_eq!(all.body, json!([]), "a requester cannot list the tenant");
    let hidden = h.call(Some(ALICE), "GET", "/members?q=mallory", None).await;
    assert_eq!(hidden.body, json!([]), "nor find blocked members");

    let other = h
        .call(Some(DAVE), "GET", "/members?tenant=acme&q=alice", None)
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND, "{}", other.body);
    let globex = h.call(Some(DAVE), "GET", "/members?q=alice", None).await;
    assert_eq!(
        globex.body,
        json!([]),
        "another tenant's members are not found"
    );

    let typo = h
        .call(Some(CAROL), "GET", "/members?name=alice", None)
        .await;
    assert_eq!(typo.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn validation_problems_carry_a_reason_code_and_its_parameters() {
    let h = support::host().await;
    let long = "x".repeat(300);
    let answer = h
        .call(
            Some(ALICE),
            "POST",
            "/tickets",
            Some(json!({"subject": long, "description": "<p>d</p>"})),
        )
        .await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(answer.body["field"], "subject");
    assert_eq!(answer.body["reason_code"], "too_long");
    assert!(
        answer.body["reason_params"]["max"]
            .as_i64()
            .is_some_and(|m| m > 0)
    );

    let blank = h
        .call(
            Some(ALICE),
            "POST",
            "/tickets",
            Some(json!({"subject": "  ", "description": "<p>d</p>"})),
        )
        .await;
    assert_eq!(blank.body["reason_code"], "required");
    assert!(
        blank.body.get("reason_params").is_none(),
        "no parameters for a code without any: {}",
        blank.body
    );

    let doc = h.call(None, "GET", "/openapi.json", None).await;
    let problem = &doc.body["components"]["schemas"]["Problem"]["properties"];
    assert!(problem.get("reason_code").is_some(), "{problem}");
    assert!(problem.get("reason_params").is_some());
    for path in ["/me", "/me/language", "/members"] {
        assert!(
            doc.body["paths"].get(path).is_some(),
            "{path} is declared in the OpenAPI document"
        );
    }
}
