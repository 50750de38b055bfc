//! Memory stays bounded while a 50 MB upload is refused: the bytes stream to the blob
//! store and the refusal comes as they arrive. Alone in its binary, with a counting
//! global allocator, so nothing else moves the peak.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use helpdesk_axum::Limits;
use helpdesk_core::AttachmentLimits;
use helpdesk_core::memory::MemoryStore;
use helpdesk_sqlx::FsBlobStore;
use peak_alloc::PeakAlloc;
use support::*;

#[global_allocator]
static ALLOCATOR: PeakAlloc = PeakAlloc;

fn upload(ticket: &str, size: usize) -> (Request<Body>, Arc<AtomicUsize>) {
    let (body, polled) = Generated::new(file_head("big.bin"), size, tail());
    let request = Request::builder()
        .method("POST")
        .uri(format!("/helpdesk/tickets/{ticket}/attachments"))
        .header("x-user", "alice")
        .header("x-tenant", "acme")
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(Body::new(body))
        .unwrap();
    (request, polled)
}

#[tokio::test]
async fn refusing_50_mb_uploads_costs_under_1_mib_of_heap_one_or_four_at_once_and_leaves_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let limits = AttachmentLimits::default();
    let max_bytes = usize::try_from(limits.max_bytes).unwrap();
    let h = host_custom(
        Arc::new(MemoryStore::new()),
        Limits::default(),
        limits,
        Arc::new(FsBlobStore::new(dir.path())),
        |state| state,
    )
    .await;
    let id = h.open(ALICE, "Printer").await;
    // Warm up the paths a refused upload takes (lazy statics, the blocking pool).
    let (warm_up, _) = upload(&id, max_bytes + 1);
    assert_eq!(h.send(warm_up).await.status, StatusCode::PAYLOAD_TOO_LARGE);

    let (request, polled) = upload(&id, 50_000_000);
    ALLOCATOR.reset_peak_usage();
    let before = ALLOCATOR.current_usage();
    let answer = h.send(request).await;
    let growth = ALLOCATOR.peak_usage().saturating_sub(before);

    assert_eq!(
        answer.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        answer.body
    );
    assert_eq!(answer.body["code"], "payload_too_large");
    eprintln!("peak heap growth while refusing 50 MB: {growth} bytes");
    assert!(
        growth < 1 << 20,
        "the upload held {growth} bytes at its peak: it must stream, not buffer"
    );
    let read = polled.load(Ordering::SeqCst);
    assert!(
        read < max_bytes + (1 << 20),
        "read {read} bytes of 50 MB: the refusal comes once past the limit"
    );

    // Four at once: each holds its own few hundred KiB, never a file.
    let uploads: Vec<_> = (0..4).map(|_| upload(&id, 50_000_000).0).collect();
    ALLOCATOR.reset_peak_usage();
    let before = ALLOCATOR.current_usage();
    let mut uploads = uploads.into_iter();
    let (a, b, c, d) = (
        uploads.next().unwrap(),
        uploads.next().unwrap(),
        uploads.next().unwrap(),
        uploads.next().unwrap(),
    );
    let answers = tokio::join!(h.send(a), h.send(b), h.send(c), h.send(d));
    let growth = ALLOCATOR.peak_usage().saturating_sub(before);
    for answer in [answers.0, answers.1, answers.2, answers.3] {
        assert_eq!(
            answer.status,
            StatusCode::PAYLOAD_TOO_LARGE,
            "{}",
            answer.body
        );
    }
    eprintln!("peak heap growth while refusing four 50 MB uploads at once: {growth} bytes");
    assert!(
        growth < 2 << 20,
        "four uploads held {growth} bytes at their peak"
    );

    let mut left = Vec::new();
    let mut dirs = vec![dir.path().to_path_buf()];
    while let Some(d) = dirs.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                left.push(path);
            }
        }
    }
    assert!(left.is_empty(), "a refused upload left {left:?}");
}
