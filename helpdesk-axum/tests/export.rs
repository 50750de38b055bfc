//! The CSV export: every text cell quoted, formulas defused in both formats, the
//! `excel-fr` format for French spreadsheets, and a body streamed page by page.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use helpdesk_core::NewTicket;
use http_body_util::BodyExt;
use serde_json::json;
use support::*;
use tower::ServiceExt;

const EVIL: &str = r#"x;=HYPERLINK("http://evil")"#;

/// An RFC 4180 reader with a chosen delimiter: the records of `text`, cells unquoted.
fn parse_csv(text: &str, delimiter: char) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            '"' => quoted = !quoted,
            c if quoted => cell.push(c),
            c if c == delimiter => record.push(std::mem::take(&mut cell)),
            '\r' => {}
            '\n' => {
                record.push(std::mem::take(&mut cell));
                records.push(std::mem::take(&mut record));
            }
            c => cell.push(c),
        }
    }
    assert!(!quoted, "unterminated quote");
    assert!(
        cell.is_empty() && record.is_empty(),
        "the last line ends with CRLF"
    );
    records
}

/// The export as `who`, with its body read frame by frame: (status, body, frames).
async fn export(h: &Host, who: (&str, Option<&str>), query: &str) -> (StatusCode, Vec<u8>, usize) {
    let (user, tenant) = who;
    let mut request = Request::get(format!("/helpdesk/export.csv{query}")).header("x-user", user);
    if let Some(tenant) = tenant {
        request = request.header("x-tenant", tenant);
    }
    let response = h
        .app
        .clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let mut body = response.into_body();
    let (mut bytes, mut frames) = (Vec::new(), 0);
    while let Some(frame) = body.frame().await {
        if let Ok(data) = frame.unwrap().into_data() {
            bytes.extend_from_slice(&data);
            frames += 1;
        }
    }
    (status, bytes, frames)
}

#[tokio::test]
async fn a_formula_after_a_semicolon_is_defused_in_both_formats_and_only_excel_fr_has_a_bom() {
    let h = host().await;
    h.open(ALICE, EVIL).await;
    for (query, delimiter, bom) in [
        ("", ',', false),
        ("?format=csv", ',', false),
        ("?format=excel-fr", ';', true),
    ] {
        let (status, bytes, _) = export(&h, CAROL, query).await;
        assert_eq!(status, StatusCode::OK, "{query}");
        let text = String::from_utf8(bytes).unwrap();
        assert_eq!(text.starts_with('\u{feff}'), bom, "{query}");
        let records = parse_csv(text.trim_start_matches('\u{feff}'), delimiter);
        assert_eq!(records[0][2], "subject", "{query}");
        assert_eq!(records.len(), 2, "{query}: {records:?}");
        assert_eq!(records[1][2], format!("'{EVIL}"), "{query}");
        assert!(
            records.iter().all(|r| r.len() == 12),
            "{query}: {records:?}"
        );
        if delimiter == ';' {
            let formulas: Vec<_> = records
                .iter()
                .flatten()
                .filter(|cell| cell.trim_start().starts_with(['=', '+', '-', '@']))
                .collect();
            assert!(formulas.is_empty(), "{formulas:?}");
        }
    }
}

#[tokio::test]
async fn an_export_larger_than_one_page_streams_every_row() {
    let h = host().await;
    let alice = h.actor(ALICE).await;
    let count = helpdesk_core::search::MAX_PAGE_SIZE as usize + 5;
    for i in 0..count {
        let draft = NewTicket {
            subject: format!("Ticket {i}"),
            description: "<p>x</p>".into(),
            ..Default::default()
        };
        h.service.open(&alice, h.acme, draft, vec![]).await.unwrap();
    }
    let (status, bytes, frames) = export(&h, CAROL, "?format=excel-fr").await;
    assert_eq!(status, StatusCode::OK);
    let text = String::from_utf8(bytes).unwrap();
    let records = parse_csv(text.trim_start_matches('\u{feff}'), ';');
    assert_eq!(records.len(), count + 1, "a header and every ticket");
    assert!(
        frames >= 3,
        "the header and one chunk per page, not one block: {frames}"
    );
}

#[tokio::test]
async fn export_formats_are_checked_and_who_may_export_is_unchanged() {
    let h = host().await;
    h.open(ALICE, "Imprimante").await;
    let (status, bytes, _) = export(&h, CAROL, "?format=xlsx").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let problem: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(problem["field"], json!("format"));
    let (status, _, _) = export(&h, ALICE, "?format=excel-fr").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "requesters do not export");
}
