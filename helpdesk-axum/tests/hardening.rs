//! Overload and abuse: uploads refused as their bytes arrive and leaving nothing behind,
//! bodies that never arrive, writes from other sites' pages, and scripts that write
//! faster than any person.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes, HttpBody};
use axum::http::{Request, StatusCode};
use helpdesk_axum::{Limits, ManualClock, RateLimit};
use helpdesk_core::AttachmentLimits;
use helpdesk_core::memory::{MemoryBlobStore, MemoryStore};
use helpdesk_core::testing::files_under;
use helpdesk_sqlx::FsBlobStore;
use http_body::Frame;
use serde_json::json;
use support::*;

/// A body that never sends a byte.
struct Silent;

impl HttpBody for Silent {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        Poll::Pending
    }
}

fn request(
    who: (&str, Option<&str>),
    method: &str,
    path: &str,
    content_type: &str,
    body: Body,
) -> axum::http::request::Builder {
    let mut builder = Request::builder()
        .method(method)
        .uri(format!("/helpdesk{path}"))
        .header("x-user", who.0)
        .header("content-type", content_type);
    if let Some(tenant) = who.1 {
        builder = builder.header("x-tenant", tenant);
    }
    drop(body);
    builder
}

fn upload_type() -> String {
    format!("multipart/form-data; boundary={BOUNDARY}")
}

fn upload(who: (&str, Option<&str>), ticket: &str, body: Body) -> Request<Body> {
    request(
        who,
        "POST",
        &format!("/tickets/{ticket}/attachments"),
        &upload_type(),
        Body::empty(),
    )
    .body(body)
    .unwrap()
}

fn small_upload(name: &str, bytes: &[u8]) -> Body {
    let mut body = file_head(name).into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(tail().as_bytes());
    Body::from(body)
}

async fn attachment_count(h: &Host, id: &str) -> usize {
    let view = h
        .call(Some(ALICE), "GET", &format!("/tickets/{id}"), None)
        .await;
    view.body["attachments"].as_array().unwrap().len()
}

async fn sqlite_host_with_files(attachments: AttachmentLimits, dir: &std::path::Path) -> Host {
    let store = helpdesk_sqlx::SqliteStore::in_memory().await.unwrap();
    store.migrate().await.unwrap();
    host_custom(
        Arc::new(store),
        Limits::default(),
        attachments,
        Arc::new(FsBlobStore::new(dir)),
        |state| state,
    )
    .await
}

#[tokio::test]
async fn an_upload_declaring_a_length_over_the_limit_is_refused_before_its_body_is_read() {
    let h = host().await;
    let id = h.open(ALICE, "Printer").await;
    let (body, polled) = Generated::new(file_head("big.bin"), 200 << 20, tail());
    let mut request = upload(ALICE, &id, Body::new(body));
    request
        .headers_mut()
        .insert("content-length", (200u64 << 20).into());
    let answer = h.send(request).await;
    assert_eq!(
        answer.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        answer.body
    );
    assert_eq!(answer.body["code"], "payload_too_large");
    assert_eq!(answer.headers["content-type"], "application/problem+json");
    assert_eq!(
        polled.load(Ordering::SeqCst),
        0,
        "not a byte of the body was read"
    );
    assert_eq!(attachment_count(&h, &id).await, 0);
}

#[tokio::test]
async fn the_upload_body_limit_follows_the_services_attachment_limits() {
    // Two files of 1 KiB, plus room for a message part and framing: about 580 KiB.
    let dir = tempfile::tempdir().unwrap();
    let limits = AttachmentLimits {
        max_bytes: 1024,
        max_files: 2,
    };
    let h = sqlite_host_with_files(limits, dir.path()).await;
    let id = h.open(ALICE, "Printer").await;
    let (body, polled) = Generated::new(file_head("big.bin"), 1 << 20, tail());
    let mut request = upload(ALICE, &id, Body::new(body));
    request
        .headers_mut()
        .insert("content-length", (1u64 << 20).into());
    let answer = h.send(request).await;
    assert_eq!(
        answer.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        answer.body
    );
    assert_eq!(polled.load(Ordering::SeqCst), 0, "refused before reading");
}

#[tokio::test]
async fn a_json_body_declaring_a_length_over_the_limit_is_refused_before_it_is_read() {
    let h = host().await;
    let (body, polled) = Generated::new(String::new(), 10 << 20, String::new());
    let mut request = request(ALICE, "POST", "/tickets", "application/json", Body::empty())
        .body(Body::new(body))
        .unwrap();
    request
        .headers_mut()
        .insert("content-length", (10u64 << 20).into());
    let answer = h.send(request).await;
    assert_eq!(
        answer.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        answer.body
    );
    assert_eq!(polled.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn an_oversize_file_is_refused_as_its_bytes_arrive_and_leaves_no_file_behind() {
    let dir = tempfile::tempdir().unwrap();
    let limits = AttachmentLimits {
        max_bytes: 1 << 20,
        ..AttachmentLimits::default()
    };
    let h = sqlite_host_with_files(limits, dir.path()).await;
    let id = h.open(ALICE, "Printer").await;
    // Without Content-Length (chunked): only the stream can tell it is too large.
    let (body, polled) = Generated::new(file_head("big.bin"), 8 << 20, tail());
    let answer = h.send(upload(ALICE, &id, Body::new(body))).await;
    assert_eq!(
        answer.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        answer.body
    );
    assert_eq!(answer.body["code"], "payload_too_large");
    let read = polled.load(Ordering::SeqCst);
    assert!(
        read < (1 << 20) + (256 << 10),
        "the upload was refused once past the limit, not after all 8 MiB: read {read} bytes"
    );
    assert!(
        files_under(dir.path()).is_empty(),
        "{:?}",
        files_under(dir.path())
    );
    assert_eq!(attachment_count(&h, &id).await, 0);
}

#[tokio::test]
async fn a_refused_second_file_removes_the_first_one_already_stored() {
    let dir = tempfile::tempdir().unwrap();
    let limits = AttachmentLimits {
        max_bytes: 1024,
        ..AttachmentLimits::default()
    };
    let h = sqlite_host_with_files(limits, dir.path()).await;
    let id = h.open(ALICE, "Printer").await;
    let mut body = file_head("small.txt").into_bytes();
    body.extend_from_slice(b"fits");
    body.extend_from_slice(format!("\r\n{}", file_head("big.bin")).as_bytes());
    body.extend_from_slice(&[1u8; 4096]);
    body.extend_from_slice(tail().as_bytes());
    let answer = h.send(upload(ALICE, &id, Body::from(body))).await;
    assert_eq!(
        answer.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        answer.body
    );
    assert!(
        files_under(dir.path()).is_empty(),
        "{:?}",
        files_under(dir.path())
    );
    assert_eq!(attachment_count(&h, &id).await, 0);
}

#[tokio::test]
async fn an_accepted_upload_is_stored_whole_through_the_streaming_path() {
    let dir = tempfile::tempdir().unwrap();
    let h = sqlite_host_with_files(AttachmentLimits::default(), dir.path()).await;
    let id = h.open(ALICE, "Printer").await;
    let (body, _) = Generated::new(file_head("report.bin"), 300_000, tail());
    let answer = h.send(upload(ALICE, &id, Body::new(body))).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let view = h
        .call(Some(ALICE), "GET", &format!("/tickets/{id}"), None)
        .await;
    let attachment = &view.body["attachments"][0];
    assert_eq!(attachment["size"], 300_000);
    let download = h
        .call(
            Some(ALICE),
            "GET",
            &format!("/attachments/{}", attachment["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(download.bytes.len(), 300_000);
    assert!(download.bytes.iter().all(|b| *b == 7));
    assert_eq!(
        files_under(dir.path()).len(),
        1,
        "one file, no temporary left"
    );
}

#[tokio::test]
async fn an_oversize_message_part_is_refused_as_it_arrives() {
    let limits = Limits {
        json_body: 1024,
        ..Limits::default()
    };
    let h = host_with(limits).await;
    let id = h.open(ALICE, "Printer").await;
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"body\"\r\n\r\n{}",
        "x".repeat(4096)
    )
    .into_bytes();
    body.extend_from_slice(format!("\r\n{}ok{}", file_head("a.txt"), tail()).as_bytes());
    let answer = h.send(upload(ALICE, &id, Body::from(body))).await;
    assert_eq!(
        answer.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        answer.body
    );
    assert_eq!(attachment_count(&h, &id).await, 0);
}

#[tokio::test(start_paused = true)]
async fn a_body_that_never_arrives_is_answered_with_408() {
    // Time is paused: the runtime moves it on while everything waits, so the timeout
    // passes at once and no test waits for it.
    let h = host_on(Arc::new(MemoryStore::new()), Limits::default()).await;
    let id = h.open(ALICE, "Printer").await;
    let json = request(ALICE, "POST", "/tickets", "application/json", Body::empty())
        .body(Body::new(Silent))
        .unwrap();
    let answer = h.send(json).await;
    assert_eq!(
        answer.status,
        StatusCode::REQUEST_TIMEOUT,
        "{}",
        answer.body
    );
    assert_eq!(answer.body["code"], "request_timeout");
    assert_eq!(answer.headers["content-type"], "application/problem+json");
    let answer = h.send(upload(ALICE, &id, Body::new(Silent))).await;
    assert_eq!(
        answer.status,
        StatusCode::REQUEST_TIMEOUT,
        "{}",
        answer.body
    );
    assert_eq!(attachment_count(&h, &id).await, 0);
}

#[tokio::test(start_paused = true)]
async fn without_a_body_timeout_a_slow_body_is_waited_for() {
    let limits = Limits {
        body_timeout: None,
        ..Limits::default()
    };
    let h = host_on(Arc::new(MemoryStore::new()), limits).await;
    let json = request(ALICE, "POST", "/tickets", "application/json", Body::empty())
        .body(Body::new(Silent))
        .unwrap();
    let waited = tokio::time::timeout(Duration::from_secs(3600), h.send(json)).await;
    assert!(waited.is_err(), "the route still waits after an hour");
}

// ---- Writes from other sites -------------------------------------------------------

fn reply_from(origin: Option<&str>, id: &str) -> Request<Body> {
    let mut builder = request(
        ALICE,
        "POST",
        &format!("/tickets/{id}/replies"),
        "application/json",
        Body::empty(),
    )
    .header("host", "helpdesk.example:8443");
    if let Some(origin) = origin {
        builder = builder.header("origin", origin);
    }
    builder
        .body(Body::from(json!({"body": "hi"}).to_string()))
        .unwrap()
}

#[tokio::test]
async fn a_write_from_a_foreign_origin_is_refused_without_sec_fetch_site() {
    let h = host().await;
    let id = h.open(ALICE, "Printer").await;
    let answer = h.send(reply_from(Some("https://evil.example"), &id)).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN, "{}", answer.body);
    assert_eq!(answer.body["code"], "origin_not_allowed");
    let view = h
        .call(Some(ALICE), "GET", &format!("/tickets/{id}"), None)
        .await;
    assert_eq!(view.body["ticket"]["version"], 1, "nothing was written");
}

#[tokio::test]
async fn a_write_with_origin_null_is_refused() {
    let h = host().await;
    let id = h.open(ALICE, "Printer").await;
    let answer = h.send(reply_from(Some("null"), &id)).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN, "{}", answer.body);
    assert_eq!(answer.body["code"], "origin_not_allowed");
}

#[tokio::test]
async fn a_same_origin_write_and_a_write_without_origin_pass() {
    let h = host().await;
    let id = h.open(ALICE, "Printer").await;
    let same = h
        .send(reply_from(Some("https://helpdesk.example:8443"), &id))
        .await;
    assert_eq!(same.status, StatusCode::OK, "{}", same.body);
    let other_port = h
        .send(reply_from(Some("https://helpdesk.example:9999"), &id))
        .await;
    assert_eq!(
        other_port.status,
        StatusCode::FORBIDDEN,
        "another port is another origin"
    );
    let scripted = h.send(reply_from(None, &id)).await;
    assert_eq!(scripted.status, StatusCode::OK, "{}", scripted.body);
}

#[tokio::test]
async fn a_write_from_an_origin_the_host_allows_passes() {
    let store = helpdesk_sqlx::SqliteStore::in_memory().await.unwrap();
    store.migrate().await.unwrap();
    let h = host_custom(
        Arc::new(store),
        Limits::default(),
        AttachmentLimits::default(),
        Arc::new(MemoryBlobStore::new()),
        |state| state.with_allowed_origins(["https://portal.example/"]),
    )
    .await;
    let id = h.open(ALICE, "Printer").await;
    let allowed = h
        .send(reply_from(Some("https://PORTAL.example"), &id))
        .await;
    assert_eq!(allowed.status, StatusCode::OK, "{}", allowed.body);
    let foreign = h.send(reply_from(Some("https://evil.example"), &id)).await;
    assert_eq!(foreign.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn reads_are_never_refused_for_their_origin() {
    let h = host().await;
    let id = h.open(ALICE, "Printer").await;
    for origin in ["https://evil.example", "null"] {
        let read = request(
            ALICE,
            "GET",
            &format!("/tickets/{id}"),
            "application/json",
            Body::empty(),
        )
        .header("origin", origin)
        .header("sec-fetch-site", "cross-site")
        .body(Body::empty())
        .unwrap();
        assert_eq!(h.send(read).await.status, StatusCode::OK, "{origin}");
    }
}

#[tokio::test]
async fn a_multipart_upload_from_a_foreign_origin_is_refused_and_stores_nothing() {
    let h = host().await;
    let id = h.open(ALICE, "Printer").await;
    for origin in ["https://evil.example", "null"] {
        let mut request = upload(ALICE, &id, small_upload("a.txt", b"x"));
        request
            .headers_mut()
            .insert("origin", origin.parse().unwrap());
        request
            .headers_mut()
            .insert("host", "helpdesk.example".parse().unwrap());
        let answer = h.send(request).await;
        assert_eq!(
            answer.status,
            StatusCode::FORBIDDEN,
            "{origin}: {}",
            answer.body
        );
        assert_eq!(answer.body["code"], "origin_not_allowed");
    }
    assert_eq!(attachment_count(&h, &id).await, 0);
    let mut same = upload(ALICE, &id, small_upload("a.txt", b"x"));
    same.headers_mut()
        .insert("origin", "http://helpdesk.example".parse().unwrap());
    same.headers_mut()
        .insert("host", "helpdesk.example".parse().unwrap());
    assert_eq!(h.send(same).await.status, StatusCode::OK);
}

// ---- Writes faster than a person ---------------------------------------------------

async fn limited_host(
    configure: impl FnOnce(helpdesk_axum::HelpdeskState) -> helpdesk_axum::HelpdeskState,
) -> Host {
    let store = helpdesk_sqlx::SqliteStore::in_memory().await.unwrap();
    store.migrate().await.unwrap();
    host_custom(
        Arc::new(store),
        Limits::default(),
        AttachmentLimits::default(),
        Arc::new(MemoryBlobStore::new()),
        configure,
    )
    .await
}

async fn reply(h: &Host, who: (&str, Option<&str>), id: &str) -> Answer {
    h.call(
        Some(who),
        "POST",
        &format!("/tickets/{id}/replies"),
        Some(json!({"body": "again"})),
    )
    .await
}

#[tokio::test]
async fn a_script_of_40_writes_gets_429s_with_retry_after_by_default_and_others_are_unaffected() {
    let clock = ManualClock::new();
    let h = limited_host(|state| state.with_rate_clock(clock.clone())).await;
    let id = h.open(ALICE, "Printer").await; // the first of the burst of 20
    let mut accepted = 1;
    let mut refused = Vec::new();
    for _ in 0..40 {
        let answer = reply(&h, ALICE, &id).await;
        match answer.status {
            StatusCode::OK => accepted += 1,
            StatusCode::TOO_MANY_REQUESTS => refused.push(answer),
            other => panic!("unexpected {other}: {}", answer.body),
        }
    }
    assert_eq!(accepted, 20, "the default burst");
    assert_eq!(refused.len(), 21);
    let first = &refused[0];
    assert_eq!(first.body["code"], "too_many_requests");
    assert_eq!(first.headers["content-type"], "application/problem+json");
    assert_eq!(
        first.headers["retry-after"], "1",
        "one write every third of a second, rounded up"
    );
    let view = h
        .call(Some(ALICE), "GET", &format!("/tickets/{id}"), None)
        .await;
    assert_eq!(view.status, StatusCode::OK, "reads are not limited");
    assert_eq!(
        view.body["ticket"]["version"], 20,
        "refused writes changed nothing"
    );

    let other = h.open(BOB, "Scanner").await;
    assert!(!other.is_empty(), "another requester is unaffected");

    clock.advance(Duration::from_secs(1));
    for _ in 0..3 {
        assert_eq!(reply(&h, ALICE, &id).await.status, StatusCode::OK);
    }
    assert_eq!(
        reply(&h, ALICE, &id).await.status,
        StatusCode::TOO_MANY_REQUESTS,
        "three a second once the burst is spent"
    );
}

#[tokio::test]
async fn a_configured_write_limit_applies_per_caller() {
    let clock = ManualClock::new();
    // The clock may be given before the limit: the order does not matter.
    let h = limited_host(|state| {
        state
            .with_rate_clock(clock.clone())
            .with_write_limit(Some(RateLimit {
                burst: 2,
                per_second: 1,
            }))
    })
    .await;
    let id = h.open(ALICE, "Printer").await;
    assert_eq!(reply(&h, ALICE, &id).await.status, StatusCode::OK);
    let refused = reply(&h, ALICE, &id).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(refused.headers["retry-after"], "1");
    let refused_upload = h
        .send(upload(ALICE, &id, small_upload("a.txt", b"x")))
        .await;
    assert_eq!(
        refused_upload.status,
        StatusCode::TOO_MANY_REQUESTS,
        "uploads are writes too"
    );
    assert_eq!(
        reply(&h, SAM, &id).await.status,
        StatusCode::OK,
        "staff have their own"
    );
    clock.advance(Duration::from_secs(1));
    assert_eq!(reply(&h, ALICE, &id).await.status, StatusCode::OK);
}

#[tokio::test]
async fn with_the_write_limit_off_a_script_is_never_refused() {
    let h = limited_host(|state| state.with_write_limit(None)).await;
    let id = h.open(ALICE, "Printer").await;
    for _ in 0..40 {
        let answer = reply(&h, ALICE, &id).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    }
}

#[tokio::test]
async fn the_openapi_document_declares_the_new_refusals_on_writes() {
    let h = host().await;
    let doc = h.call(None, "GET", "/openapi.json", None).await;
    let paths = &doc.body["paths"];
    for (path, method) in [
        ("/tickets", "post"),
        ("/tickets/{id}/replies", "post"),
        ("/tickets/{id}/attachments", "post"),
        ("/tickets/{id}", "patch"),
        ("/saved-searches/{id}", "delete"),
    ] {
        let responses = &paths[path][method]["responses"];
        for status in ["403", "408", "413", "429"] {
            assert!(
                responses[status].is_object(),
                "{method} {path} does not declare {status}"
            );
        }
        assert!(
            responses["429"]["headers"]["Retry-After"].is_object(),
            "{method} {path}: 429 names Retry-After"
        );
    }
    assert!(
        paths["/tickets"]["get"]["responses"]["429"].is_null(),
        "reads are not rate limited"
    );
}
