//! The served OpenAPI document against its committed snapshot, `helpdesk-axum/openapi.json`,
//! the file clients are generated from (`clients/rust`). A change to the document fails
//! here until the snapshot is refreshed on purpose:
//!
//! ```text
//! UPDATE_OPENAPI=1 cargo test -p helpdesk-axum --test openapi_snapshot
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::PathBuf;
use std::sync::Arc;

use axum::http::StatusCode;
use helpdesk_axum::Limits;
use helpdesk_core::memory::MemoryStore;
use serde_json::{Value, json};
use support::*;

/// Where the snapshot lives.
fn snapshot_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("openapi.json")
}

/// The document as a client gets it: `GET /openapi.json` under the host's prefix, with
/// no caller identity.
async fn served() -> Value {
    let h = host_on(Arc::new(MemoryStore::new()), Limits::default()).await;
    let answer = h.call(None, "GET", "/openapi.json", None).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    normalise(answer.body)
}

/// Takes out what depends on the host rather than on the helpdesk: the server, which is
/// the prefix the host nests the routes under (`/helpdesk` in these tests), becomes `/`.
fn normalise(mut doc: Value) -> Value {
    doc["servers"] = json!([{ "url": "/" }]);
    doc
}

/// The JSON pointers at which `a` and `b` differ, at most `limit` of them.
fn differences(a: &Value, b: &Value, at: &str, out: &mut Vec<String>, limit: usize) {
    if out.len() >= limit {
        return;
    }
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for key in keys {
                let here = format!("{at}/{}", key.replace('~', "~0").replace('/', "~1"));
                match (x.get(key), y.get(key)) {
                    (Some(v), Some(w)) => differences(v, w, &here, out, limit),
                    (Some(_), None) => out.push(format!("{here}: only in the snapshot")),
                    (None, Some(_)) => out.push(format!("{here}: only in the served document")),
                    (None, None) => {}
                }
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (v, w)) in x.iter().zip(y).enumerate() {
                differences(v, w, &format!("{at}/{i}"), out, limit);
            }
        }
        _ if a != b => out.push(format!("{at}: snapshot {a}, served {b}")),
        _ => {}
    }
    if out.len() > limit {
        out.truncate(limit);
    }
}

#[tokio::test]
async fn the_served_document_matches_the_committed_snapshot() {
    let served = served().await;
    let path = snapshot_path();
    let text = format!("{}\n", serde_json::to_string_pretty(&served).unwrap());
    if std::env::var_os("UPDATE_OPENAPI").is_some_and(|v| v == "1") {
        std::fs::write(&path, &text).unwrap();
        eprintln!("wrote {}", path.display());
    }
    let snapshot: Value = match std::fs::read_to_string(&path) {
        Ok(stored) => serde_json::from_str(&stored)
            .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display())),
        Err(e) => panic!(
            "cannot read the snapshot {}: {e}\n\
             write it with: UPDATE_OPENAPI=1 cargo test -p helpdesk-axum --test openapi_snapshot",
            path.display()
        ),
    };
    let mut found = Vec::new();
    differences(&snapshot, &served, "", &mut found, 20);
    assert!(
        found.is_empty(),
        "the served OpenAPI document differs from the snapshot {} at:\n  {}\n\
         If the change is intended, refresh the snapshot and commit it with the change \
         (clients are generated from it):\n  \
         UPDATE_OPENAPI=1 cargo test -p helpdesk-axum --test openapi_snapshot",
        path.display(),
        found.join("\n  ")
    );
    // The file itself is the pretty form, so its diffs in review are readable.
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        text,
        "{} holds the right document but not in its canonical form: refresh it with \
         UPDATE_OPENAPI=1 cargo test -p helpdesk-axum --test openapi_snapshot",
        path.display()
    );
}

#[test]
fn differences_name_the_pointer_that_changed() {
    let before = json!({"paths": {"/tickets/{id}": {"get": {"x": 1}}}, "a": [1, 2]});
    let after = json!({"paths": {"/tickets/{id}": {"get": {"x": 2}}}, "a": [1, 2], "b": true});
    let mut found = Vec::new();
    differences(&before, &after, "", &mut found, 20);
    assert_eq!(
        found,
        vec![
            "/b: only in the served document".to_owned(),
            "/paths/~1tickets~1{id}/get/x: snapshot 1, served 2".to_owned(),
        ]
    );
    let mut none = Vec::new();
    differences(&before, &before, "", &mut none, 20);
    assert!(none.is_empty());
}
