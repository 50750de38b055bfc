//! A Rust client of the helpdesk HTTP API (`helpdesk-axum`), generated at build time by
//! [progenitor](https://docs.rs/progenitor) from the committed OpenAPI document,
//! `helpdesk-axum/openapi.json`; nothing in it is written by hand.
//!
//! ```no_run
//! # async fn run() -> Result<(), helpdesk_client::Error<helpdesk_client::types::Problem>> {
//! // The host's own authentication goes on the reqwest client (here a header its
//! // `Identify` reads).
//! let mut headers = reqwest::header::HeaderMap::new();
//! headers.insert("x-user", reqwest::header::HeaderValue::from_static("alice"));
//! let http = reqwest::Client::builder().default_headers(headers).build()?;
//! let client = helpdesk_client::Client::new_with_client("http://127.0.0.1:8080/helpdesk", http);
//! let ticket = client
//!     .open()
//!     .body_map(|b| b.subject("The printer is on fire").description("<p>Smoke.</p>"))
//!     .send()
//!     .await?
//!     .into_inner();
//! println!("#{} {}", *ticket.number, ticket.subject);
//! # Ok(())
//! # }
//! ```
//!
//! The base URL includes the host's prefix. A refusal comes back as
//! [`Error::ErrorResponse`] holding a [`types::Problem`], whose `code` is the stable
//! reason; a value the document's schema refuses (a blank subject) is refused before
//! sending, as [`Error::InvalidRequest`]. reqwest is built without TLS: this client
//! reaches `http://` URLs.
//!
//! # How the document is read
//!
//! The helpdesk serves OpenAPI 3.1 and progenitor reads only 3.0, so the build script
//! rewrites a copy of the document first (`build/adapt.rs`, tested by `tests/adapt.rs`):
//! - a down-conversion to 3.0.3: `type: [T, "null"]` and `oneOf: [T, {"type": "null"}]`
//!   become `nullable: true`, a `$ref` with a description becomes `allOf: [$ref]`,
//!   `propertyNames` is dropped (map keys are plain strings here), the license's SPDX
//!   `identifier` is dropped, and `openapi` says `3.0.3`; a 3.1 construct it does not
//!   know fails the build;
//! - two of progenitor's own limits: it types only `application/json` answers, so the
//!   refusals' `application/problem+json` is read as JSON (same body); and it cannot send
//!   `multipart/form-data`, so the attachment upload (`POST /tickets/{id}/attachments`)
//!   is not in this client: send it with reqwest. The build fails if another operation
//!   would be left out.
//!
//! progenitor also sends an `api-version` header (the document's `info.version`) that
//! the helpdesk ignores.

// Everything below is generated: its documentation is the document's descriptions (not
// every item has one, and some still carry the server crates' rustdoc links), and its `unwrap`s are on the document's constant patterns and in
// `Client::new` (prefer `Client::new_with_client`, which cannot panic).
#![allow(
    missing_docs,
    unreachable_pub,
    missing_debug_implementations,
    unused_qualifications,
    clippy::all,
    clippy::unwrap_used,
    clippy::expect_used,
    rustdoc::broken_intra_doc_links
)]

include!(concat!(env!("OUT_DIR"), "/client.rs"));
