//! Attaching files through the service, chunk by chunk: [`AttachmentUpload`].

use super::HelpdeskService;
use crate::attachment::{Attachment, NewAttachment, clean_file_name};
use crate::blob::{BlobStore, BlobWriter};
use crate::error::{Entity, Error, Result, StoreError};
use crate::ids::{AttachmentId, TenantId, TicketId};
use crate::people::Actor;
use crate::text::{escape_html, has_visible};
use crate::ticket::{NewTicket, Ticket};
use crate::workflow::CommandName;

/// The one attachment size setting: how large one file may be and how many go in one
/// upload. Set it on the service with
/// [`HelpdeskService::with_attachment_limits`]; the HTTP crate derives its upload body
/// limit from it, and blob stores take whatever the service lets through.
///
/// ```
/// use helpdesk_core::AttachmentLimits;
///
/// let limits = AttachmentLimits { max_bytes: 2 << 20, ..AttachmentLimits::default() };
/// assert_eq!(limits.max_files, helpdesk_core::MAX_ATTACHMENTS_PER_EVENT);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AttachmentLimits {
    /// The largest file, in bytes (10 MiB by default).
    pub max_bytes: u64,
    /// The most files one reply, note or opening carries
    /// ([`MAX_ATTACHMENTS_PER_EVENT`](crate::MAX_ATTACHMENTS_PER_EVENT) by default).
    pub max_files: usize,
}

impl Default for AttachmentLimits {
    fn default() -> Self {
        Self {
            max_bytes: 10 * 1024 * 1024,
            max_files: crate::MAX_ATTACHMENTS_PER_EVENT,
        }
    }
}

impl AttachmentLimits {
    /// The most bytes one upload of files can carry: `max_files` files of `max_bytes`,
    /// plus `overhead` for the other parts and the framing of the request around them.
    pub fn upload_bytes(&self, overhead: u64) -> u64 {
        self.max_bytes
            .saturating_mul(u64::try_from(self.max_files).unwrap_or(u64::MAX))
            .saturating_add(overhead)
    }
}

/// What the files of an [`AttachmentUpload`] will hang on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttachAs {
    /// A public reply.
    Reply,
    /// An internal note (staff only); the files share its visibility.
    Note,
}

/// The target of an upload for an existing ticket (from
/// [`HelpdeskService::begin_attachments`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ToTicket(TicketId);

/// The target of an upload for a ticket about to be opened (from
/// [`HelpdeskService::begin_opening`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ToOpening(TenantId);

/// A file received whole, not yet readable.
struct Staged<'s> {
    meta: NewAttachment,
    writer: Box<dyn BlobWriter + 's>,
}

/// Files on their way onto a ticket. `T` says what they will hang on: [`ToTicket`] or
/// [`ToOpening`].
///
/// A multipart handler, an HTML form handler or a CLI drives one upload the same way,
/// with no runtime of ours in between:
///
/// 1. [`HelpdeskService::begin_attachments`] (files for a reply or a note) or
///    [`HelpdeskService::begin_opening`] (files for a new ticket) refuses what needs no
///    byte to refuse (a hidden ticket, a caller who may neither reply nor add a note)
///    before anything is read.
/// 2. For each file, [`AttachmentUpload::file`] opens a [`FileUpload`];
///    [`FileUpload::write`] streams each chunk into the [`BlobStore`]'s writer and refuses
///    a file the moment it passes [`AttachmentLimits::max_bytes`];
///    [`FileUpload::close`] keeps it. A file past [`AttachmentLimits::max_files`] is
///    refused before its first byte.
/// 3. [`AttachmentUpload::finish`] (or [`AttachmentUpload::open`]) makes the files
///    readable and runs the reply, the note or the opening with them; if anything fails
///    the files are deleted again.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
/// use std::sync::Arc;
/// use helpdesk_core::{
///     Actor, AttachAs, HelpdeskService, MemberDetails, MemberRole, NewTicket, UserId,
///     memory::{MemoryBlobStore, MemoryStore},
/// };
///
/// let service = HelpdeskService::new(Arc::new(MemoryStore::new()))
///     .with_blobs(Arc::new(MemoryBlobStore::new()));
/// let root = service.bootstrap_platform_admin(&UserId::new("root")?, "Root").await?;
/// let acme = service.create_tenant(&root, "acme", "Acme").await?.id;
/// let alice = Actor::Member(service.ensure_member(acme, MemberDetails {
///     user: &UserId::new("alice")?, display_name: "Alice", email: None,
///     role: MemberRole::Requester,
/// }).await?);
/// let draft = NewTicket { subject: "Printer".into(), description: "<p>Jammed</p>".into(), ..Default::default() };
/// let ticket = service.open(&alice, acme, draft, vec![]).await?;
///
/// let mut upload = service.begin_attachments(&alice, ticket.id).await?;
/// let mut file = upload.file("photo.jpg", "image/jpeg").await?;
/// for chunk in [&b"\xff\xd8"[..], &b"\xff\xd9"[..]] {
///     file.write(chunk).await?; // on an error: `upload.abort().await`
/// }
/// file.close()?;
/// let ticket = upload.finish(AttachAs::Reply, None, None).await?;
/// assert_eq!(service.ticket(&alice, ticket.id).await?.attachments.len(), 1);
/// # Ok::<(), helpdesk_core::Error>(())
/// # })?;
/// # Ok(())
/// # }
/// ```
///
/// # Cleanup
///
/// Files stay *unfinished* writers of the blob store until step 3, so nothing is
/// readable, and nothing refers to them, while the upload runs. On an error path call
/// [`AttachmentUpload::abort`] (it waits for each writer's
/// [`abort`](crate::BlobWriter::abort)). An upload that is only dropped (a cancelled
/// request, a panic) drops its writers, and the [`BlobWriter`](crate::BlobWriter)
/// contract says a writer dropped unfinished leaves nothing behind as far as it can
/// without waiting: the filesystem store removes its temporary file there and then, an
/// object store's unfinished multipart upload is never readable and is reaped by the
/// bucket's lifecycle rule. No task is spawned: the core has no runtime. The one window
/// left is a future dropped inside step 3, after the bytes are made readable and before
/// the ticket is saved: those files are then stored but referred to by nothing.
pub struct AttachmentUpload<'s, T> {
    service: &'s HelpdeskService,
    blobs: &'s dyn BlobStore,
    actor: Actor,
    target: T,
    staged: Vec<Staged<'s>>,
}

impl<T: std::fmt::Debug> std::fmt::Debug for AttachmentUpload<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AttachmentUpload")
            .field("target", &self.target)
            .field("files", &self.files())
            .finish_non_exhaustive()
    }
}

impl HelpdeskService {
    /// Starts an upload of files for a reply or a note on `ticket`: refuses now, before a
    /// byte is read, a ticket `actor` may not see or on which they may neither reply nor
    /// add a note (whether it becomes a reply or a note is said at
    /// [`finish`](AttachmentUpload::finish)). Fails with a storage error when the service
    /// has no blob store ([`with_blobs`](Self::with_blobs)).
    pub async fn begin_attachments(
        &self,
        actor: &Actor,
        ticket: TicketId,
    ) -> Result<AttachmentUpload<'_, ToTicket>> {
        if let Err(refusal) = self.precheck(actor, ticket, CommandName::Reply).await {
            self.precheck(actor, ticket, CommandName::AddNote)
                .await
                .map_err(|_| refusal)?;
        }
        self.upload(actor, ToTicket(ticket))
    }

    /// Starts an upload of files for a ticket `actor` opens in `tenant` (a screenshot
    /// pasted into the description, say): refuses now an actor who may not enter the
    /// tenant. The rest of the opening's rules run at [`open`](AttachmentUpload::open).
    pub async fn begin_opening(
        &self,
        actor: &Actor,
        tenant: TenantId,
    ) -> Result<AttachmentUpload<'_, ToOpening>> {
        Self::ensure_in_tenant(actor, tenant)?;
        self.tenant_record(tenant).await?;
        self.upload(actor, ToOpening(tenant))
    }

    /// One attachment `actor` may see (as [`attachment`](Self::attachment) decides) with
    /// its bytes; not found when the blob store has lost them.
    pub async fn attachment_file(
        &self,
        actor: &Actor,
        id: AttachmentId,
    ) -> Result<(Attachment, Vec<u8>)> {
        let attachment = self.attachment(actor, id).await?;
        let bytes = self
            .blobs()?
            .get(id)
            .await?
            .ok_or(Error::NotFound(Entity::Attachment))?;
        Ok((attachment, bytes))
    }

    fn blobs(&self) -> Result<&dyn BlobStore> {
        Ok(self.blobs.as_deref().ok_or_else(|| {
            StoreError::new("no blob store for attachments: give the service one with `with_blobs`")
        })?)
    }

    fn upload<T>(&self, actor: &Actor, target: T) -> Result<AttachmentUpload<'_, T>> {
        Ok(AttachmentUpload {
            service: self,
            blobs: self.blobs()?,
            actor: actor.clone(),
            target,
            staged: Vec::new(),
        })
    }
}

impl<'s, T> AttachmentUpload<'s, T> {
    /// Starts receiving one file named `file_name` (cleaned with [`clean_file_name`];
    /// refused when nothing is left) of the declared `content_type`. Refused before its
    /// first byte when the upload already holds [`AttachmentLimits::max_files`] files.
    pub async fn file(
        &mut self,
        file_name: &str,
        content_type: &str,
    ) -> Result<FileUpload<'_, 's>> {
        let limits = self.service.attachment_limits();
        if self.staged.len() >= limits.max_files {
            return Err(Error::invalid(
                "file",
                format!("at most {} files at once", limits.max_files),
            ));
        }
        let file_name = clean_file_name(file_name)?;
        let id = AttachmentId::new();
        let writer = self.blobs.writer(id).await?;
        Ok(FileUpload {
            staged: &mut self.staged,
            meta: NewAttachment {
                id,
                file_name,
                content_type: content_type.to_owned(),
                size: 0,
            },
            writer: Some(writer),
            max_bytes: limits.max_bytes,
        })
    }

    /// The files received so far.
    pub fn files(&self) -> Vec<&NewAttachment> {
        self.staged.iter().map(|s| &s.meta).collect()
    }

    /// Gives up: every file received is discarded. Returns the first failure of the blob
    /// store, after trying every file.
    pub async fn abort(self) -> Result<()> {
        abort_all(self.staged).await
    }

    /// Makes every file readable; on a failure, deletes those made readable and
    /// discards the rest. What the use case then needs: the service, the blob store (to
    /// delete the files if it is refused), the actor and the files.
    pub(super) async fn make_readable(self) -> Result<Readable<'s>> {
        let Self {
            service,
            blobs,
            actor,
            staged,
            ..
        } = self;
        let mut files = Vec::with_capacity(staged.len());
        let mut pending = staged.into_iter();
        while let Some(Staged { meta, writer }) = pending.next() {
            if let Err(e) = writer.finish().await {
                // The failed writer is gone; forget what is readable, drop the rest.
                let _ = abort_all(pending.collect()).await;
                delete_all(blobs, &files).await;
                return Err(e.into());
            }
            files.push(meta);
        }
        Ok(Readable {
            service,
            blobs,
            actor,
            files,
        })
    }
}

/// Files made readable, waiting for the use case that refers to them.
pub(super) struct Readable<'s> {
    service: &'s HelpdeskService,
    blobs: &'s dyn BlobStore,
    actor: Actor,
    pub(super) files: Vec<NewAttachment>,
}

impl Readable<'_> {
    /// `saved`, after deleting the files when it is a refusal.
    pub(super) async fn settle(&self, saved: Result<Ticket>) -> Result<Ticket> {
        if saved.is_err() {
            delete_all(self.blobs, &self.files).await;
        }
        saved
    }
}

impl<'s> AttachmentUpload<'s, ToTicket> {
    /// Attaches the files to a reply or a note ([`AttachAs`]) with `message`, or, when it
    /// is left out or blank, a message listing the file names. At least one file is
    /// needed. The command runs with every rule of [`HelpdeskService::reply`] and
    /// [`HelpdeskService::add_note`] (`expected_version` included); when it is refused
    /// the files are deleted.
    pub async fn finish(
        self,
        attach_as: AttachAs,
        expected_version: Option<u64>,
        message: Option<&str>,
    ) -> Result<Ticket> {
        if self.staged.is_empty() {
            return Err(Error::invalid_coded(
                "file",
                crate::error::ReasonCode::Required,
                "attach at least one file",
            ));
        }
        let message = match message.filter(|m| has_visible(m)) {
            Some(m) => m.to_owned(),
            None => default_message(&self.files()),
        };
        let ticket = self.target.0;
        let ready = self.make_readable().await?;
        let (service, actor, files) = (ready.service, &ready.actor, ready.files.clone());
        let saved = match attach_as {
            AttachAs::Reply => {
                service
                    .reply(actor, ticket, expected_version, &message, files)
                    .await
            }
            AttachAs::Note => {
                service
                    .add_note(actor, ticket, expected_version, &message, files)
                    .await
            }
        };
        ready.settle(saved).await
    }
}

impl<'s> AttachmentUpload<'s, ToOpening> {
    /// Opens the ticket `draft` describes with the files (none is fine), by every rule
    /// of [`HelpdeskService::open`]; when it is refused the files are deleted. A retry of
    /// an opening that already happened (the same idempotency key) answers with that
    /// ticket and deletes the files sent again.
    pub async fn open(self, draft: NewTicket) -> Result<Ticket> {
        let tenant = self.target.0;
        let replayable = draft.idempotency_key.is_some();
        let ready = self.make_readable().await?;
        let opened = ready
            .service
            .open(&ready.actor, tenant, draft, ready.files.clone())
            .await;
        let ticket = ready.settle(opened).await?;
        if replayable
            && let Some(first) = ready.files.first()
            && matches!(ready.service.store.attachment(first.id).await, Ok(None))
        {
            // (A failed check keeps the files: the ticket is open, say so.)
            // The files of the first try hang on the ticket; these are spare.
            delete_all(ready.blobs, &ready.files).await;
        }
        Ok(ticket)
    }
}

/// One file being received, from [`AttachmentUpload::file`].
pub struct FileUpload<'u, 's> {
    staged: &'u mut Vec<Staged<'s>>,
    meta: NewAttachment,
    writer: Option<Box<dyn BlobWriter + 's>>,
    max_bytes: u64,
}

impl std::fmt::Debug for FileUpload<'_, '_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileUpload")
            .field("file", &self.meta)
            .finish_non_exhaustive()
    }
}

impl FileUpload<'_, '_> {
    /// Appends `chunk`. Past [`AttachmentLimits::max_bytes`] the file is refused with
    /// [`Error::TooLarge`] and discarded: nothing of it is kept, and further writes fail.
    pub async fn write(&mut self, chunk: &[u8]) -> Result<()> {
        let Some(writer) = self.writer.as_mut() else {
            return Err(StoreError::new("this file was already refused").into());
        };
        let size = self
            .meta
            .size
            .saturating_add(u64::try_from(chunk.len()).unwrap_or(u64::MAX));
        if size > self.max_bytes {
            if let Some(writer) = self.writer.take() {
                // Refused either way; a failed discard leaves it to the writer's drop.
                let _ = writer.abort().await;
            }
            return Err(Error::TooLarge {
                what: format!("`{}`", self.meta.file_name),
                max_bytes: self.max_bytes,
            });
        }
        if let Err(e) = writer.write(chunk).await {
            if let Some(writer) = self.writer.take() {
                let _ = writer.abort().await;
            }
            return Err(e.into());
        }
        self.meta.size = size;
        Ok(())
    }

    /// The file is whole: it joins the upload (readable once the upload finishes).
    /// Returns the file's id, the key of its bytes (for an `<img>` in a description).
    pub fn close(self) -> Result<AttachmentId> {
        let Self {
            staged,
            meta,
            writer,
            ..
        } = self;
        let writer =
            writer.ok_or_else(|| Error::from(StoreError::new("this file was already refused")))?;
        let id = meta.id;
        staged.push(Staged { meta, writer });
        Ok(id)
    }

    /// Gives this file up; the rest of the upload goes on.
    pub async fn abort(mut self) -> Result<()> {
        match self.writer.take() {
            Some(writer) => Ok(writer.abort().await?),
            None => Ok(()),
        }
    }
}

/// `<p>name, name</p>`, escaped: the message of files sent without one.
pub(super) fn default_message(files: &[&NewAttachment]) -> String {
    let names: Vec<&str> = files.iter().map(|f| f.file_name.as_str()).collect();
    format!("<p>{}</p>", escape_html(&names.join(", ")))
}

async fn abort_all(staged: Vec<Staged<'_>>) -> Result<()> {
    let mut first = Ok(());
    for Staged { writer, .. } in staged {
        if let Err(e) = writer.abort().await
            && first.is_ok()
        {
            first = Err(e.into());
        }
    }
    first
}

/// Best effort: a file that cannot be deleted stays stored, referred to by nothing.
async fn delete_all(blobs: &dyn BlobStore, files: &[NewAttachment]) {
    for file in files {
        let _ = blobs.delete(file.id).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_message_lists_the_file_names_escaped() {
        let file = NewAttachment {
            id: AttachmentId::new(),
            file_name: "<b>a&b</b>.png".to_owned(),
            content_type: "image/png".to_owned(),
            size: 1,
        };
        assert_eq!(
            default_message(&[&file, &file]),
            "<p>&lt;b&gt;a&amp;b&lt;/b&gt;.png, &lt;b&gt;a&amp;b&lt;/b&gt;.png</p>"
        );
    }

    #[test]
    fn an_upload_body_can_carry_every_file_at_its_largest() {
        let limits = AttachmentLimits {
            max_bytes: 100,
            max_files: 3,
        };
        assert_eq!(limits.upload_bytes(10), 310);
        let huge = AttachmentLimits {
            max_bytes: u64::MAX,
            max_files: 2,
        };
        assert_eq!(huge.upload_bytes(1), u64::MAX);
    }
}
