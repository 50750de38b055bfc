//! Attachment bytes on the file system: stored under names made from the attachment id
//! only, never overwritten, with no size limit of the store's own.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use helpdesk_blobs::FsBlobStore;
use helpdesk_core::testing::files_under;
use helpdesk_core::{AttachmentId, BlobStore};

#[tokio::test]
async fn bytes_round_trip_and_are_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let blobs = FsBlobStore::new(dir.path());
    let id = AttachmentId::new();
    assert_eq!(blobs.get(id).await.unwrap(), None);
    blobs.put(id, b"hello").await.unwrap();
    assert_eq!(blobs.get(id).await.unwrap().as_deref(), Some(&b"hello"[..]));
    blobs.delete(id).await.unwrap();
    assert_eq!(blobs.get(id).await.unwrap(), None);
    blobs.delete(id).await.unwrap();
}

#[tokio::test]
async fn a_stored_blob_is_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let blobs = FsBlobStore::new(dir.path());
    let id = AttachmentId::new();
    blobs.put(id, b"first").await.unwrap();
    assert!(blobs.put(id, b"second").await.is_err());
    assert_eq!(blobs.get(id).await.unwrap().as_deref(), Some(&b"first"[..]));
}

#[tokio::test]
async fn stored_names_come_from_the_id_alone_and_stay_under_the_root() {
    let dir = tempfile::tempdir().unwrap();
    let blobs = FsBlobStore::new(dir.path());
    let id = AttachmentId::new();
    blobs.put(id, b"x").await.unwrap();
    let path = blobs.path_of(id);
    assert!(path.starts_with(dir.path()));
    let name = path.file_name().and_then(|n| n.to_str()).unwrap();
    assert_eq!(name, id.as_uuid().simple().to_string());
    assert_eq!(FsBlobStore::key_of(name), Some(id));
    // No temporary file is left behind.
    let entries: Vec<_> = std::fs::read_dir(path.parent().unwrap()).unwrap().collect();
    assert_eq!(entries.len(), 1);
}

#[test]
fn keys_that_are_not_ours_are_refused() {
    for bad in [
        "../etc/passwd",
        "rapport.pdf",
        "0123456789abcdef0123456789ABCDEF",
        "0123456789abcdef0123456789abcde",
        "0123456789abcdef0123456789abcdef/",
        "",
    ] {
        assert_eq!(FsBlobStore::key_of(bad), None, "{bad}");
    }
}

#[tokio::test]
async fn a_streamed_blob_is_readable_only_once_finished_and_leaves_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let blobs = FsBlobStore::new(dir.path());
    let id = AttachmentId::new();
    let mut writer = blobs.writer(id).await.unwrap();
    writer.write(b"hello ").await.unwrap();
    writer.write(b"world").await.unwrap();
    assert_eq!(
        blobs.get(id).await.unwrap(),
        None,
        "half a file is never served"
    );
    writer.finish().await.unwrap();
    assert_eq!(
        blobs.get(id).await.unwrap().as_deref(),
        Some(&b"hello world"[..])
    );
    assert_eq!(files_under(dir.path()), vec![blobs.path_of(id)]);
}

#[tokio::test]
async fn the_store_has_no_size_limit_of_its_own() {
    // The service's `AttachmentLimits` is the one limit; the store takes what it passes.
    let dir = tempfile::tempdir().unwrap();
    let blobs = FsBlobStore::new(dir.path());
    let id = AttachmentId::new();
    let mut writer = blobs.writer(id).await.unwrap();
    for _ in 0..64 {
        writer.write(&[7u8; 64 * 1024]).await.unwrap();
    }
    writer.finish().await.unwrap();
    assert_eq!(blobs.get(id).await.unwrap().map(|b| b.len()), Some(4 << 20));
}

#[tokio::test]
async fn an_aborted_or_dropped_stream_leaves_no_file_behind() {
    let dir = tempfile::tempdir().unwrap();
    let blobs = FsBlobStore::new(dir.path());
    let aborted = AttachmentId::new();
    let mut writer = blobs.writer(aborted).await.unwrap();
    writer.write(b"half").await.unwrap();
    writer.abort().await.unwrap();
    let dropped = AttachmentId::new();
    let mut writer = blobs.writer(dropped).await.unwrap();
    writer.write(b"half").await.unwrap();
    drop(writer);
    for id in [aborted, dropped] {
        assert_eq!(blobs.get(id).await.unwrap(), None);
    }
    assert!(
        files_under(dir.path()).is_empty(),
        "{:?}",
        files_under(dir.path())
    );
}

#[tokio::test]
async fn a_streamed_blob_never_overwrites_a_stored_one() {
    let dir = tempfile::tempdir().unwrap();
    let blobs = FsBlobStore::new(dir.path());
    let id = AttachmentId::new();
    blobs.put(id, b"first").await.unwrap();
    let mut writer = blobs.writer(id).await.unwrap();
    writer.write(b"second").await.unwrap();
    assert!(writer.finish().await.is_err());
    assert_eq!(blobs.get(id).await.unwrap().as_deref(), Some(&b"first"[..]));
    assert_eq!(files_under(dir.path()), vec![blobs.path_of(id)]);
}
