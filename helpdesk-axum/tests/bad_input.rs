//! Bad input gets a clear error and changes nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use helpdesk_axum::Limits;
use helpdesk_core::AttachmentLimits;
use serde_json::json;
use support::*;

fn raw(
    user: &str,
    tenant: &str,
    method: &str,
    path: &str,
    content_type: &str,
    body: impl Into<Body>,
) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(format!("/helpdesk{path}"))
        .header("x-user", user)
        .header("x-tenant", tenant)
        .header("content-type", content_type)
        .body(body.into())
        .unwrap()
}

async fn ticket_count(h: &Host) -> usize {
    let list = h
        .call(Some(CAROL), "GET", "/tickets?include_closed=true", None)
        .await;
    list.body["tickets"].as_array().unwrap().len()
}

#[tokio::test]
async fn malformed_json_is_a_bad_request() {
    let h = host().await;
    let answer = h
        .send(raw(
            "alice",
            "acme",
            "POST",
            "/tickets",
            "application/json",
            "{\"subject\": ",
        ))
        .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(answer.body["code"], "bad_request");
    assert_eq!(ticket_count(&h).await, 0);
}

#[tokio::test]
async fn wrong_types_missing_fields_and_unknown_values_name_the_field() {
    let h = host().await;
    for (body, field) in [
        (json!({"subject": 5, "description": "x"}), "subject"),
        (json!({"description": "x"}), "subject"),
        (
            json!({"subject": "s", "description": "x", "priority": "urgent"}),
            "priority",
        ),
        (
            json!({"subject": "s", "description": "x", "category": "not-a-uuid"}),
            "category",
        ),
        (json!({"subject": "  ", "description": "x"}), "subject"),
        (
            json!({"subject": "s", "description": "<script>only()</script>"}),
            "description",
        ),
    ] {
        let answer = h
            .call(Some(ALICE), "POST", "/tickets", Some(body.clone()))
            .await;
        assert_eq!(
            answer.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            answer.body
        );
        assert_eq!(answer.body["field"], field, "{body}: {}", answer.body);
    }
    assert_eq!(ticket_count(&h).await, 0);
}

#[tokio::test]
async fn a_body_that_is_not_json_is_refused() {
    let h = host().await;
    let answer = h
        .send(raw(
            "alice",
            "acme",
            "POST",
            "/tickets",
            "text/plain",
            "subject=x",
        ))
        .await;
    assert_eq!(answer.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

#[tokio::test]
async fn oversize_bodies_are_refused_with_413() {
    let limits = Limits {
        json_body: 1024,
        ..Limits::default()
    };
    let attachments = AttachmentLimits {
        max_bytes: 2048,
        max_files: 2,
    };
    let h = host_with_attachments(limits, attachments).await;
    let big = json!({"subject": "s", "description": "x".repeat(4096)});
    let answer = h.call(Some(ALICE), "POST", "/tickets", Some(big)).await;
    assert_eq!(
        answer.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        answer.body
    );
    assert_eq!(answer.body["code"], "payload_too_large");
    assert_eq!(ticket_count(&h).await, 0);

    let id = h.open(ALICE, "Printer").await;
    let upload = multipart(&h, &id, "big.bin", "application/octet-stream", &[7u8; 4096]).await;
    assert_eq!(
        upload.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        upload.body
    );
    let view = h
        .call(Some(ALICE), "GET", &format!("/tickets/{id}"), None)
        .await;
    assert_eq!(view.body["attachments"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn scripts_in_rich_text_are_stored_sanitised() {
    let h = host().await;
    let answer = h
        .call(
            Some(ALICE),
            "POST",
            "/tickets",
            Some(json!({"subject": "XSS", "description": "<p onclick=\"x()\">Hi<script>alert(1)</script><a href=\"javascript:alert(2)\">link</a></p>"})),
        )
        .await;
    assert_eq!(answer.status, StatusCode::CREATED);
    let id = answer.body["id"].as_str().unwrap();
    h.call(
        Some(ALICE),
        "POST",
        &format!("/tickets/{id}/replies"),
        Some(json!({"body": "<img src=x onerror=alert(3)>ok"})),
    )
    .await;
    let view = h
        .call(Some(SAM), "GET", &format!("/tickets/{id}"), None)
        .await;
    let text = view.body.to_string();
    for bad in ["<script", "onclick", "onerror", "javascript:"] {
        assert!(!text.contains(bad), "{bad} survived: {text}");
    }
    assert!(text.contains("Hi"));
}

async fn multipart(
    h: &Host,
    ticket: &str,
    file_name: &str,
    content_type: &str,
    bytes: &[u8],
) -> Answer {
    let boundary = "XhelpdeskX";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: {content_type}\r\n\r\n")
            .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    h.send(raw(
        "alice",
        "acme",
        "POST",
        &format!("/tickets/{ticket}/attachments"),
        &format!("multipart/form-data; boundary={boundary}"),
        body,
    ))
    .await
}

#[tokio::test]
async fn attachment_names_lose_their_paths_and_control_characters() {
    let h = host().await;
    let id = h.open(ALICE, "Printer").await;
    let answer = multipart(&h, &id, "../../etc/pa\tsswd.txt", "text/plain", b"secret").await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let view = h
        .call(Some(ALICE), "GET", &format!("/tickets/{id}"), None)
        .await;
    let attachment = &view.body["attachments"][0];
    assert_eq!(attachment["file_name"], "passwd.txt");
    let download = h
        .call(
            Some(ALICE),
            "GET",
            &format!("/attachments/{}", attachment["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(download.status, StatusCode::OK);
    assert_eq!(download.bytes, b"secret");
    assert_eq!(download.headers["x-content-type-options"], "nosniff");
    assert_eq!(download.headers["content-type"], "text/plain");
    let disposition = download.headers["content-disposition"].to_str().unwrap();
    assert!(
        disposition.starts_with("attachment; filename=\"passwd.txt\""),
        "{disposition}"
    );
}

#[tokio::test]
async fn a_header_with_raw_control_characters_is_refused_and_stores_nothing() {
    let h = host().await;
    let id = h.open(ALICE, "Printer").await;
    let answer = multipart(&h, &id, "pa\u{1}sswd", "text/plain", b"x").await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.body);
    let view = h
        .call(Some(ALICE), "GET", &format!("/tickets/{id}"), None)
        .await;
    assert_eq!(view.body["attachments"].as_array().unwrap().len(), 0);
    assert_eq!(view.body["ticket"]["version"], 1);
}

#[tokio::test]
async fn a_content_type_off_the_allow_list_is_served_as_bytes() {
    let h = host().await;
    let id = h.open(ALICE, "Printer").await;
    multipart(
        &h,
        &id,
        "page.html",
        "text/html",
        b"<script>alert(1)</script>",
    )
    .await;
    let view = h
        .call(Some(ALICE), "GET", &format!("/tickets/{id}"), None)
        .await;
    let attachment = view.body["attachments"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let download = h
        .call(
            Some(ALICE),
            "GET",
            &format!("/attachments/{attachment}"),
            None,
        )
        .await;
    assert_eq!(download.headers["content-type"], "application/octet-stream");
    assert_eq!(download.headers["x-content-type-options"], "nosniff");
}

#[tokio::test]
async fn a_forged_cursor_is_refused() {
    let h = host().await;
    for cursor in [
        "abc",
        "1.2",
        "%27%3B%20drop%20table",
        "99999999999999999999.0",
    ] {
        let answer = h
            .call(
                Some(CAROL),
                "GET",
                &format!("/tickets?cursor={cursor}"),
                None,
            )
            .await;
        assert_eq!(
            answer.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{cursor}: {}",
            answer.body
        );
        assert_eq!(answer.body["field"], "cursor");
    }
}

#[tokio::test]
async fn unknown_query_parameters_and_bad_values_are_refused() {
    let h = host().await;
    for (query, field) in [
        ("statuss=new", "statuss"),
        ("status=archived", "status"),
        ("limit=0", "limit"),
        ("opened_from=yesterday", "opened_from"),
    ] {
        let answer = h
            .call(Some(CAROL), "GET", &format!("/tickets?{query}"), None)
            .await;
        assert_eq!(
            answer.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{query}: {}",
            answer.body
        );
        assert_eq!(answer.body["field"], field, "{query}");
    }
}

#[tokio::test]
async fn a_status_smuggled_into_open_or_edit_is_never_applied() {
    let h = host().await;
    let smuggled = h
        .call(
            Some(ALICE),
            "POST",
            "/tickets",
            Some(json!({"subject": "s", "description": "d", "status": "closed"})),
        )
        .await;
    assert_eq!(smuggled.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(smuggled.body["field"], "status");
    assert_eq!(ticket_count(&h).await, 0);

    let id = h.open(ALICE, "Printer").await;
    for body in [
        json!({"status": "closed"}),
        json!({"subject": "new subject", "state": {"status": "closed"}}),
        json!({"version": 99}),
    ] {
        let answer = h
            .call(
                Some(SAM),
                "PATCH",
                &format!("/tickets/{id}"),
                Some(body.clone()),
            )
            .await;
        assert_eq!(
            answer.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            answer.body
        );
    }
    let view = h
        .call(Some(SAM), "GET", &format!("/tickets/{id}"), None)
        .await;
    assert_eq!(view.body["ticket"]["state"]["status"], "new");
    assert_eq!(view.body["ticket"]["subject"], "Printer");
    assert_eq!(view.body["ticket"]["version"], 1);
}

#[tokio::test]
async fn malformed_ids_in_paths_answer_not_found() {
    let h = host().await;
    for path in [
        "/tickets/not-a-uuid",
        "/tickets/..%2F..%2Fetc",
        "/attachments/x",
    ] {
        let answer = h.call(Some(ALICE), "GET", path, None).await;
        assert_eq!(
            answer.status,
            StatusCode::NOT_FOUND,
            "{path}: {}",
            answer.body
        );
    }
}

#[tokio::test]
async fn rich_text_that_grows_past_the_limit_when_cleaned_is_refused_and_lists_keep_working() {
    let h = host().await;
    let id = h.open(ALICE, "Printer").await;
    let ampersands = "&".repeat(60_000);
    let reply = h
        .call(
            Some(ALICE),
            "POST",
            &format!("/tickets/{id}/replies"),
            Some(json!({"body": ampersands})),
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.body
    );
    assert_eq!(reply.body["field"], "body");
    let brick = h
        .call(
            Some(BOB),
            "POST",
            "/tickets",
            Some(json!({"subject": "brick", "description": "&".repeat(60_000)})),
        )
        .await;
    assert_eq!(
        brick.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        brick.body
    );
    assert_eq!(
        h.call(Some(ALICE), "GET", &format!("/tickets/{id}"), None)
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        h.call(Some(SAM), "GET", "/tickets", None).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn an_upload_to_a_ticket_the_caller_may_not_see_is_refused_before_the_files_are_read() {
    let limits = Limits {
        json_body: 1024,
        ..Limits::default()
    };
    let attachments = AttachmentLimits {
        max_bytes: 1024,
        max_files: 2,
    };
    let h = host_with_attachments(limits, attachments).await;
    let id = h.open(ALICE, "Printer").await;
    let boundary = "XhelpdeskX";
    let mut body = format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n").into_bytes();
    body.extend_from_slice(&[1u8; 4096]);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let answer = h
        .send(raw(
            "dave",
            "globex",
            "POST",
            &format!("/tickets/{id}/attachments"),
            &format!("multipart/form-data; boundary={boundary}"),
            body,
        ))
        .await;
    assert_eq!(
        answer.status,
        StatusCode::NOT_FOUND,
        "refused as hidden, not as too large: {}",
        answer.body
    );
}

#[tokio::test]
async fn writes_a_browser_marks_as_cross_site_are_refused() {
    let h = host().await;
    let id = h.open(ALICE, "Printer").await;
    let mut request = raw(
        "alice",
        "acme",
        "POST",
        &format!("/tickets/{id}/replies"),
        "application/json",
        json!({"body": "hi"}).to_string(),
    );
    request
        .headers_mut()
        .insert("sec-fetch-site", "cross-site".parse().unwrap());
    let answer = h.send(request).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert_eq!(answer.body["code"], "cross_site_request");
    let mut same = raw(
        "alice",
        "acme",
        "POST",
        &format!("/tickets/{id}/replies"),
        "application/json",
        json!({"body": "hi"}).to_string(),
    );
    same.headers_mut()
        .insert("sec-fetch-site", "same-origin".parse().unwrap());
    assert_eq!(h.send(same).await.status, StatusCode::OK);
    let mut read = raw(
        "alice",
        "acme",
        "GET",
        &format!("/tickets/{id}"),
        "application/json",
        "",
    );
    read.headers_mut()
        .insert("sec-fetch-site", "cross-site".parse().unwrap());
    assert_eq!(
        h.send(read).await.status,
        StatusCode::OK,
        "reads are not writes"
    );
}

#[tokio::test]
async fn validation_errors_name_the_field_the_client_sent() {
    let h = host().await;
    let id = h.open(ALICE, "Printer").await;
    for path in ["information-request", "closure"] {
        let answer = h
            .call(
                Some(SAM),
                "POST",
                &format!("/tickets/{id}/{path}"),
                Some(json!({"body": "<p> </p>"})),
            )
            .await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{path}");
        assert_eq!(answer.body["field"], "body", "{path}");
    }
}
