//! Where the helpdesk keeps attachment bytes: implementations of the core's
//! [`BlobStore`](helpdesk_core::BlobStore) port, one feature each.
//!
//! | feature | store | for |
//! |---|---|---|
//! | `fs` (default) | [`FsBlobStore`]: one file per attachment under a directory | a single server, a mounted volume |
//! | (`helpdesk-core`'s `memory` feature) | `helpdesk_core::memory::MemoryBlobStore` | tests, demos |
//!
//! The service holds the store and runs the upload use case itself
//! ([`HelpdeskService::with_blobs`](helpdesk_core::HelpdeskService::with_blobs),
//! [`begin_attachments`](helpdesk_core::HelpdeskService::begin_attachments)): a store
//! only moves bytes. It has no size limit of its own; the service's one setting,
//! [`AttachmentLimits`](helpdesk_core::AttachmentLimits), refuses a file the moment it
//! passes `max_bytes`.
//!
//! ```
//! use std::sync::Arc;
//! use helpdesk_blobs::FsBlobStore;
//! use helpdesk_core::{AttachmentLimits, HelpdeskService, memory::MemoryStore};
//!
//! let service = HelpdeskService::new(Arc::new(MemoryStore::new()))
//!     .with_blobs(Arc::new(FsBlobStore::new("files")))
//!     .with_attachment_limits(AttachmentLimits { max_bytes: 10 << 20, ..Default::default() });
//! # let _ = service;
//! ```
//!
//! # Why a crate of its own
//!
//! Blob stores used to live in `helpdesk-sqlx`, but bytes have nothing to do with SQL: a
//! host on PostgreSQL keeps its files in an object store, a host on SQLite on its disk.
//! Here each store is a feature, so a host compiles only the one it uses, and
//! `helpdesk-sqlx` keeps re-exporting [`FsBlobStore`] for the hosts written against it.
//!
//! # An S3-compatible store fits the port as it is
//!
//! The port is four calls a store must get right: `put`, `get`, `delete` and `writer`,
//! whose [`BlobWriter`](helpdesk_core::BlobWriter) receives the bytes of one file as
//! they arrive. With the `object_store` crate it maps onto `MultipartUpload` without a
//! change to the port:
//!
//! | `BlobWriter` | `object_store` |
//! |---|---|
//! | `BlobStore::writer(id)` | `ObjectStore::put_multipart(&path_of(id))` |
//! | `write(chunk)` | append to a buffer; each full part (at least 5 MiB: most stores refuse smaller non-final parts) goes out with `MultipartUpload::put_part(payload).await` |
//! | `finish()` | `put_part` of the rest, then `MultipartUpload::complete()`: the object becomes visible at once, whole |
//! | `abort()` | `MultipartUpload::abort()`: the parts are deleted |
//! | dropped unfinished | nothing is visible (an incomplete multipart upload never is); its parts are reaped by the bucket's `AbortIncompleteMultipartUpload` lifecycle rule, since `Drop` cannot wait |
//!
//! Memory per upload is then one part (5 MiB or so), not the file. "Replacing nothing"
//! holds because keys are fresh attachment ids (UUIDv7); a store that can should still
//! complete conditionally (S3's `If-None-Match: *`). The service keeps every file an
//! unfinished writer until the reply or note is about to be saved, and deletes the
//! objects again if it is refused.

#![cfg_attr(docsrs, feature(doc_cfg))]
// Functions stay short enough to read at once (tests, scenarios and route tables aside).
#![cfg_attr(not(test), warn(clippy::too_many_lines))]

// The README's example is compiled as a doctest, so it keeps up with the API.
#[cfg(all(doctest, feature = "fs"))]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

#[cfg(feature = "fs")]
mod fs;

#[cfg(feature = "fs")]
#[cfg_attr(docsrs, doc(cfg(feature = "fs")))]
pub use fs::FsBlobStore;
