//! Attaching files through the service ([`AttachmentUpload`]): the limits as bytes
//! arrive, the default message, openings with files, and what happens when the blob
//! store fails (mocked with mockall): the upload is refused with the store's error,
//! nothing refers to bytes that are not there, and no blob is left behind where cleanup
//! can run.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use async_trait::async_trait;
use helpdesk_core::memory::MemoryBlobStore;
use helpdesk_core::testing::{self, MemberSeed, Seed, StaffSeed, draft};
use helpdesk_core::{
    AttachAs, AttachmentId, AttachmentLimits, BlobStore, BlobWriter, Entity, Error, MemberRole,
    NewTicket, StoreError, TicketId, Visibility,
};
use mockall::Sequence;
use mockall::mock;
use mockall::predicate::eq;

mock! {
    Writer {}
    #[async_trait]
    impl BlobWriter for Writer {
        async fn write(&mut self, chunk: &[u8]) -> Result<(), StoreError>;
        async fn finish(self: Box<Self>) -> Result<(), StoreError>;
        async fn abort(self: Box<Self>) -> Result<(), StoreError>;
    }
}

mock! {
    Blobs {}
    #[async_trait]
    impl BlobStore for Blobs {
        async fn put(&self, id: AttachmentId, bytes: &[u8]) -> Result<(), StoreError>;
        async fn get(&self, id: AttachmentId) -> Result<Option<Vec<u8>>, StoreError>;
        async fn delete(&self, id: AttachmentId) -> Result<(), StoreError>;
        async fn writer<'a>(&'a self, id: AttachmentId) -> Result<Box<dyn BlobWriter + 'a>, StoreError>;
    }
}

/// The seeded service and Alice's ticket in acme.
struct World {
    seeded: testing::World,
    ticket: TicketId,
}

impl std::ops::Deref for World {
    type Target = testing::World;
    fn deref(&self) -> &testing::World {
        &self.seeded
    }
}

/// Alice's ticket in acme; Dave is in globex; Sam is an agent of every tenant.
async fn world(blobs: Option<Arc<dyn BlobStore>>, limits: AttachmentLimits) -> World {
    let seeded = Seed::in_memory()
        .configure(|service| {
            let service = service.with_attachment_limits(limits);
            match blobs {
                Some(blobs) => service.with_blobs(blobs),
                None => service,
            }
        })
        .two_tenants()
        .member_seed(MemberSeed::new("acme", "alice", MemberRole::Requester).email(None))
        .member_seed(MemberSeed::new("globex", "dave", MemberRole::Requester).email(None))
        .staff(StaffSeed::agent("sam").named("Sam"))
        .build()
        .await
        .unwrap();
    let ticket = seeded
        .service
        .open(
            &seeded.actor("alice"),
            seeded.tenant("acme"),
            draft("Printer"),
            vec![],
        )
        .await
        .unwrap()
        .id;
    World { seeded, ticket }
}

async fn mocked(blobs: MockBlobs, limits: AttachmentLimits) -> World {
    world(Some(Arc::new(blobs)), limits).await
}

/// What the ticket's timeline says: its version and its attachments.
async fn version_and_attachments(w: &World) -> (u64, usize) {
    let view = w.service.ticket(&w.actor("sam"), w.ticket).await.unwrap();
    (view.ticket.version, view.attachments.len())
}

fn store_error(what: &str) -> StoreError {
    StoreError::new(what.to_owned())
}

/// Lets `delete` succeed `times` times, recording the ids it is called with.
fn record_deletes(
    blobs: &mut MockBlobs,
    times: impl Into<mockall::TimesRange>,
) -> Arc<std::sync::Mutex<Vec<AttachmentId>>> {
    let deleted = Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = deleted.clone();
    blobs.expect_delete().times(times).returning(move |id| {
        log.lock().unwrap().push(id);
        Ok(())
    });
    deleted
}

/// A writer that takes every chunk and finishes, and is never aborted.
fn healthy_writer() -> MockWriter {
    let mut writer = MockWriter::new();
    writer.expect_write().returning(|_| Ok(()));
    writer.expect_finish().times(1).returning(|| Ok(()));
    writer.expect_abort().never();
    writer
}

#[tokio::test]
async fn a_write_failure_refuses_the_file_and_discards_it_and_nothing_is_attached() {
    let mut blobs = MockBlobs::new();
    blobs.expect_writer().times(1).returning(|_| {
        let mut writer = MockWriter::new();
        writer
            .expect_write()
            .times(1)
            .returning(|_| Err(store_error("disk full")));
        writer.expect_finish().never();
        writer.expect_abort().times(1).returning(|| Ok(()));
        Ok(Box::new(writer))
    });
    blobs.expect_delete().never();
    let w = mocked(blobs, AttachmentLimits::default()).await;
    let before = version_and_attachments(&w).await;

    let mut upload = w
        .service
        .begin_attachments(&w.actor("alice"), w.ticket)
        .await
        .unwrap();
    let mut file = upload.file("report.pdf", "application/pdf").await.unwrap();
    let refusal = file.write(b"%PDF").await.unwrap_err();
    assert!(matches!(refusal, Error::Store(_)), "{refusal:?}");
    assert!(
        file.write(b"more").await.is_err(),
        "a refused file takes no more"
    );
    drop(file);
    upload.abort().await.unwrap();

    assert_eq!(version_and_attachments(&w).await, before);
}

#[tokio::test]
async fn a_finish_failure_refuses_the_reply_and_deletes_the_files_already_readable() {
    let first = Arc::new(std::sync::Mutex::new(None));
    let mut blobs = MockBlobs::new();
    let mut order = Sequence::new();
    let seen = first.clone();
    blobs
        .expect_writer()
        .times(1)
        .in_sequence(&mut order)
        .returning(move |id| {
            *seen.lock().unwrap() = Some(id);
            Ok(Box::new(healthy_writer()))
        });
    blobs
        .expect_writer()
        .times(1)
        .in_sequence(&mut order)
        .returning(|_| {
            let mut writer = MockWriter::new();
            writer.expect_write().returning(|_| Ok(()));
            writer
                .expect_finish()
                .times(1)
                .returning(|| Err(store_error("bucket unreachable")));
            writer.expect_abort().never();
            Ok(Box::new(writer))
        });
    let deleted = record_deletes(&mut blobs, ..);
    let w = mocked(blobs, AttachmentLimits::default()).await;
    let before = version_and_attachments(&w).await;

    let mut upload = w
        .service
        .begin_attachments(&w.actor("alice"), w.ticket)
        .await
        .unwrap();
    for name in ["a.txt", "b.txt"] {
        let mut file = upload.file(name, "text/plain").await.unwrap();
        file.write(b"bytes").await.unwrap();
        file.close().unwrap();
    }
    let refusal = upload
        .finish(AttachAs::Reply, None, Some("<p>here</p>"))
        .await
        .unwrap_err();

    assert!(matches!(refusal, Error::Store(_)), "{refusal:?}");
    assert_eq!(
        version_and_attachments(&w).await,
        before,
        "no reply, no file"
    );
    let first = first.lock().unwrap().unwrap();
    assert_eq!(
        *deleted.lock().unwrap(),
        vec![first],
        "the readable one is gone"
    );
}

#[tokio::test]
async fn a_refused_reply_deletes_every_file_it_would_have_carried() {
    let mut blobs = MockBlobs::new();
    let made = Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = made.clone();
    blobs.expect_writer().times(2).returning(move |id| {
        log.lock().unwrap().push(id);
        Ok(Box::new(healthy_writer()))
    });
    let deleted = record_deletes(&mut blobs, 2);
    let w = mocked(blobs, AttachmentLimits::default()).await;
    let before = version_and_attachments(&w).await;

    let mut upload = w
        .service
        .begin_attachments(&w.actor("alice"), w.ticket)
        .await
        .unwrap();
    for name in ["a.txt", "b.txt"] {
        let mut file = upload.file(name, "text/plain").await.unwrap();
        file.write(b"bytes").await.unwrap();
        file.close().unwrap();
    }
    let stale = before.0 + 7;
    let refusal = upload
        .finish(AttachAs::Reply, Some(stale), None)
        .await
        .unwrap_err();

    assert!(
        matches!(refusal, Error::VersionConflict { .. }),
        "{refusal:?}"
    );
    assert_eq!(version_and_attachments(&w).await, before);
    assert_eq!(*deleted.lock().unwrap(), *made.lock().unwrap());
}

#[tokio::test]
async fn a_failing_delete_still_answers_with_the_refusal_and_nothing_refers_to_the_file() {
    let mut blobs = MockBlobs::new();
    blobs
        .expect_writer()
        .times(1)
        .returning(|_| Ok(Box::new(healthy_writer())));
    blobs
        .expect_delete()
        .times(1)
        .returning(|_| Err(store_error("permission denied")));
    let w = mocked(blobs, AttachmentLimits::default()).await;
    let before = version_and_attachments(&w).await;

    // A requester may not add an internal note: refused when the note runs.
    let mut upload = w
        .service
        .begin_attachments(&w.actor("alice"), w.ticket)
        .await
        .unwrap();
    let mut file = upload.file("a.txt", "text/plain").await.unwrap();
    file.write(b"bytes").await.unwrap();
    file.close().unwrap();
    let refusal = upload.finish(AttachAs::Note, None, None).await.unwrap_err();

    assert!(matches!(refusal, Error::Forbidden(_)), "{refusal:?}");
    assert_eq!(version_and_attachments(&w).await, before);
}

#[tokio::test]
async fn an_abort_that_fails_is_reported_after_every_file_was_tried() {
    let mut blobs = MockBlobs::new();
    let mut order = Sequence::new();
    blobs
        .expect_writer()
        .times(1)
        .in_sequence(&mut order)
        .returning(|_| {
            let mut writer = MockWriter::new();
            writer.expect_write().returning(|_| Ok(()));
            writer
                .expect_abort()
                .times(1)
                .returning(|| Err(store_error("gone away")));
            Ok(Box::new(writer))
        });
    blobs
        .expect_writer()
        .times(1)
        .in_sequence(&mut order)
        .returning(|_| {
            let mut writer = MockWriter::new();
            writer.expect_write().returning(|_| Ok(()));
            writer.expect_abort().times(1).returning(|| Ok(()));
            Ok(Box::new(writer))
        });
    let w = mocked(blobs, AttachmentLimits::default()).await;
    let mut upload = w
        .service
        .begin_attachments(&w.actor("alice"), w.ticket)
        .await
        .unwrap();
    for name in ["a.txt", "b.txt"] {
        let mut file = upload.file(name, "text/plain").await.unwrap();
        file.write(b"bytes").await.unwrap();
        file.close().unwrap();
    }
    assert!(matches!(upload.abort().await, Err(Error::Store(_))));
}

#[tokio::test]
async fn a_file_past_the_size_limit_is_refused_as_its_bytes_arrive_and_discarded() {
    let mut blobs = MockBlobs::new();
    blobs.expect_writer().times(1).returning(|_| {
        let mut writer = MockWriter::new();
        writer
            .expect_write()
            .with(eq(&b"abc"[..]))
            .times(1)
            .returning(|_| Ok(()));
        writer.expect_finish().never();
        writer.expect_abort().times(1).returning(|| Ok(()));
        Ok(Box::new(writer))
    });
    let limits = AttachmentLimits {
        max_bytes: 4,
        ..AttachmentLimits::default()
    };
    let w = mocked(blobs, limits).await;
    let mut upload = w
        .service
        .begin_attachments(&w.actor("alice"), w.ticket)
        .await
        .unwrap();
    let mut file = upload
        .file("big.bin", "application/octet-stream")
        .await
        .unwrap();
    file.write(b"abc").await.unwrap();
    let refusal = file.write(b"de").await.unwrap_err();
    assert!(
        matches!(refusal, Error::TooLarge { max_bytes: 4, .. }),
        "{refusal:?}"
    );
    assert_eq!(refusal.code(), "payload_too_large");
    assert_eq!(refusal.to_string(), "`big.bin` is larger than 4 bytes");
}

#[tokio::test]
async fn a_file_past_the_count_limit_is_refused_before_a_writer_is_opened() {
    let mut blobs = MockBlobs::new();
    blobs
        .expect_writer()
        .times(1)
        .returning(|_| Ok(Box::new(healthy_writer())));
    let limits = AttachmentLimits {
        max_files: 1,
        ..AttachmentLimits::default()
    };
    let w = mocked(blobs, limits).await;
    let mut upload = w
        .service
        .begin_attachments(&w.actor("alice"), w.ticket)
        .await
        .unwrap();
    let mut file = upload.file("a.txt", "text/plain").await.unwrap();
    file.write(b"one").await.unwrap();
    file.close().unwrap();
    let refusal = upload.file("b.txt", "text/plain").await.unwrap_err();
    assert!(
        matches!(&refusal, Error::Validation(v) if v.field == "file"),
        "{refusal:?}"
    );
    let ticket = upload.finish(AttachAs::Reply, None, None).await.unwrap();
    assert_eq!(ticket.id, w.ticket);
}

#[tokio::test]
async fn a_ticket_the_caller_may_not_see_is_refused_before_a_writer_is_opened() {
    let mut blobs = MockBlobs::new();
    blobs.expect_writer().never();
    let w = mocked(blobs, AttachmentLimits::default()).await;
    let refusal = w
        .service
        .begin_attachments(&w.actor("dave"), w.ticket)
        .await
        .unwrap_err();
    assert!(
        matches!(refusal, Error::NotFound(Entity::Ticket)),
        "{refusal:?}"
    );
}

#[tokio::test]
async fn without_a_blob_store_an_upload_is_refused_with_a_storage_error() {
    let w = world(None, AttachmentLimits::default()).await;
    let refusal = w
        .service
        .begin_attachments(&w.actor("alice"), w.ticket)
        .await
        .unwrap_err();
    assert!(matches!(refusal, Error::Store(_)), "{refusal:?}");
}

#[tokio::test]
async fn an_upload_dropped_unfinished_leaves_nothing_stored_and_nothing_attached() {
    let blobs = Arc::new(MemoryBlobStore::new());
    let w = world(Some(blobs.clone()), AttachmentLimits::default()).await;
    let before = version_and_attachments(&w).await;
    let mut upload = w
        .service
        .begin_attachments(&w.actor("alice"), w.ticket)
        .await
        .unwrap();
    let mut file = upload.file("a.txt", "text/plain").await.unwrap();
    file.write(b"bytes").await.unwrap();
    let id = file.close().unwrap();
    drop(upload);
    assert_eq!(blobs.get(id).await.unwrap(), None);
    assert_eq!(version_and_attachments(&w).await, before);
}

#[tokio::test]
async fn files_sent_without_a_message_get_one_listing_their_names_escaped() {
    let blobs = Arc::new(MemoryBlobStore::new());
    let w = world(Some(blobs.clone()), AttachmentLimits::default()).await;
    let mut upload = w
        .service
        .begin_attachments(&w.actor("alice"), w.ticket)
        .await
        .unwrap();
    let mut file = upload.file("<i>a&b.png", "image/png").await.unwrap();
    file.write(b"\x89PNG").await.unwrap();
    file.write(b"rest").await.unwrap();
    let id = file.close().unwrap();
    upload
        .finish(AttachAs::Reply, None, Some("  "))
        .await
        .unwrap();

    let view = w.service.ticket(&w.actor("alice"), w.ticket).await.unwrap();
    let reply = view.timeline.last().unwrap();
    let body = reply.body().map(|b| b.as_html().to_owned());
    assert_eq!(body.as_deref(), Some("<p>&lt;i&gt;a&amp;b.png</p>"));
    let (attachment, bytes) = w
        .service
        .attachment_file(&w.actor("alice"), id)
        .await
        .unwrap();
    assert_eq!(attachment.size, 8);
    assert_eq!(bytes, b"\x89PNGrest");
}

#[tokio::test]
async fn files_attached_to_a_note_stay_with_staff() {
    let blobs = Arc::new(MemoryBlobStore::new());
    let w = world(Some(blobs), AttachmentLimits::default()).await;
    let mut upload = w
        .service
        .begin_attachments(&w.actor("sam"), w.ticket)
        .await
        .unwrap();
    let mut file = upload.file("logs.txt", "text/plain").await.unwrap();
    file.write(b"trace").await.unwrap();
    let id = file.close().unwrap();
    upload
        .finish(AttachAs::Note, None, Some("<p>logs</p>"))
        .await
        .unwrap();
    let note = w.service.ticket(&w.actor("sam"), w.ticket).await.unwrap();
    assert_eq!(
        note.timeline.last().unwrap().visibility(),
        Visibility::Internal
    );
    assert!(w.service.attachment_file(&w.actor("sam"), id).await.is_ok());
    let hidden = w
        .service
        .attachment_file(&w.actor("alice"), id)
        .await
        .unwrap_err();
    assert!(matches!(hidden, Error::NotFound(Entity::Attachment)));
}

#[tokio::test]
async fn a_ticket_opened_with_a_pasted_screenshot_carries_it() {
    let blobs = Arc::new(MemoryBlobStore::new());
    let w = world(Some(blobs), AttachmentLimits::default()).await;
    let mut upload = w
        .service
        .begin_opening(&w.actor("alice"), w.tenant("acme"))
        .await
        .unwrap();
    let mut file = upload.file("screenshot.png", "image/png").await.unwrap();
    file.write(b"\x89PNG").await.unwrap();
    let id = file.close().unwrap();
    let ticket = upload
        .open(NewTicket {
            subject: "Error on save".into(),
            description: format!("<p>See:</p><img src=\"attachments/{id}\">"),
            ..NewTicket::default()
        })
        .await
        .unwrap();
    let view = w
        .service
        .ticket(&w.actor("alice"), ticket.id)
        .await
        .unwrap();
    assert_eq!(view.attachments.len(), 1);
    assert_eq!(view.attachments[0].id, id);
    assert!(
        w.service
            .attachment_file(&w.actor("alice"), id)
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn an_opening_refused_deletes_its_files() {
    let blobs = Arc::new(MemoryBlobStore::new());
    let w = world(Some(blobs.clone()), AttachmentLimits::default()).await;
    let mut upload = w
        .service
        .begin_opening(&w.actor("alice"), w.tenant("acme"))
        .await
        .unwrap();
    let mut file = upload.file("screenshot.png", "image/png").await.unwrap();
    file.write(b"\x89PNG").await.unwrap();
    let id = file.close().unwrap();
    let refusal = upload.open(draft("")).await.unwrap_err();
    assert!(matches!(refusal, Error::Validation(_)), "{refusal:?}");
    assert_eq!(blobs.get(id).await.unwrap(), None);
}

#[tokio::test]
async fn a_member_of_another_tenant_cannot_start_an_opening_there() {
    let blobs = Arc::new(MemoryBlobStore::new());
    let w = world(Some(blobs), AttachmentLimits::default()).await;
    assert!(
        w.service
            .begin_opening(&w.actor("dave"), w.tenant("acme"))
            .await
            .is_err()
    );
}

#[tokio::test]
async fn a_retried_opening_answers_with_the_first_ticket_and_deletes_the_files_sent_again() {
    let blobs = Arc::new(MemoryBlobStore::new());
    let w = world(Some(blobs.clone()), AttachmentLimits::default()).await;
    let mut ids = Vec::new();
    let mut tickets = Vec::new();
    for _ in 0..2 {
        let mut upload = w
            .service
            .begin_opening(&w.actor("alice"), w.tenant("acme"))
            .await
            .unwrap();
        let mut file = upload.file("screenshot.png", "image/png").await.unwrap();
        file.write(b"\x89PNG").await.unwrap();
        ids.push(file.close().unwrap());
        let opened = upload
            .open(NewTicket {
                idempotency_key: Some("paste-1".into()),
                ..draft("Error on save")
            })
            .await
            .unwrap();
        tickets.push(opened.id);
    }
    assert_eq!(tickets[0], tickets[1]);
    assert!(
        blobs.get(ids[0]).await.unwrap().is_some(),
        "the first try's file"
    );
    assert_eq!(
        blobs.get(ids[1]).await.unwrap(),
        None,
        "the retry's is spare"
    );
    let view = w
        .service
        .ticket(&w.actor("alice"), tickets[0])
        .await
        .unwrap();
    assert_eq!(view.attachments.len(), 1);
}
