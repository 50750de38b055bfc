//! Where attachment bytes live: a small port with one key per attachment. Keys are
//! always [`AttachmentId`]s the helpdesk made, never a name a user typed, so a stored
//! file's path cannot be chosen by a caller.

use async_trait::async_trait;

use crate::error::StoreError;
use crate::ids::AttachmentId;

/// Stores and serves attachment bytes. `helpdesk-blobs` has a filesystem implementation
/// (and says how an object store's multipart upload fits [`BlobWriter`]); the `memory`
/// feature an in-memory one. The service holds one
/// ([`HelpdeskService::with_blobs`](crate::HelpdeskService::with_blobs)) and runs the
/// upload use case over it ([`AttachmentUpload`](crate::AttachmentUpload)); a store only
/// moves bytes and has no size limit of its own.
///
/// A store implements `put`, `get` and `delete`; [`writer`](BlobStore::writer) has a
/// default that buffers the streamed bytes and calls `put` on finish. A store that can
/// write as bytes arrive (a file, an object store's multipart upload) overrides it, so an
/// upload never sits whole in memory.
#[async_trait]
pub trait BlobStore: Send + Sync {
    /// Stores `bytes` under `id`, replacing nothing: storing twice under one id fails.
    async fn put(&self, id: AttachmentId, bytes: &[u8]) -> Result<(), StoreError>;
    /// The bytes stored under `id`, if any.
    async fn get(&self, id: AttachmentId) -> Result<Option<Vec<u8>>, StoreError>;
    /// Forgets the bytes under `id` (after a failed use case, say); nothing if absent.
    async fn delete(&self, id: AttachmentId) -> Result<(), StoreError>;

    /// Starts storing bytes under `id` piece by piece. Nothing is readable under `id`
    /// until [`BlobWriter::finish`] succeeds; a writer aborted, or dropped unfinished,
    /// leaves nothing behind. The default buffers in memory and calls
    /// [`put`](BlobStore::put) on finish.
    async fn writer<'a>(
        &'a self,
        id: AttachmentId,
    ) -> Result<Box<dyn BlobWriter + 'a>, StoreError> {
        Ok(Box::new(BufferedWriter {
            store: self,
            id,
            bytes: Vec::new(),
        }))
    }
}

/// Bytes on their way into a [`BlobStore`], from [`BlobStore::writer`].
#[async_trait]
pub trait BlobWriter: Send {
    /// Appends `chunk`.
    async fn write(&mut self, chunk: &[u8]) -> Result<(), StoreError>;
    /// Makes everything written readable under the writer's id, replacing nothing: it
    /// fails if the id is already stored.
    async fn finish(self: Box<Self>) -> Result<(), StoreError>;
    /// Gives up: nothing written is kept. Dropping an unfinished writer does the same,
    /// as far as it can without waiting.
    async fn abort(self: Box<Self>) -> Result<(), StoreError>;
}

/// The default [`BlobWriter`]: collects the bytes and hands them to `put` on finish.
struct BufferedWriter<'a, S: ?Sized> {
    store: &'a S,
    id: AttachmentId,
    bytes: Vec<u8>,
}

#[async_trait]
impl<S: BlobStore + ?Sized> BlobWriter for BufferedWriter<'_, S> {
    async fn write(&mut self, chunk: &[u8]) -> Result<(), StoreError> {
        self.bytes.extend_from_slice(chunk);
        Ok(())
    }

    async fn finish(self: Box<Self>) -> Result<(), StoreError> {
        self.store.put(self.id, &self.bytes).await
    }

    async fn abort(self: Box<Self>) -> Result<(), StoreError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memory::MemoryBlobStore;

    #[tokio::test]
    async fn the_default_writer_stores_nothing_until_finished_and_nothing_when_aborted()
    -> Result<(), StoreError> {
        let store = MemoryBlobStore::new();
        let id = AttachmentId::new();
        let mut writer = store.writer(id).await?;
        writer.write(b"hello ").await?;
        writer.write(b"world").await?;
        assert_eq!(store.get(id).await?, None);
        writer.finish().await?;
        assert_eq!(store.get(id).await?.as_deref(), Some(&b"hello world"[..]));

        let other = AttachmentId::new();
        let mut writer = store.writer(other).await?;
        writer.write(b"half").await?;
        writer.abort().await?;
        assert_eq!(store.get(other).await?, None);
        let mut again = store.writer(id).await?;
        again.write(b"second").await?;
        assert!(again.finish().await.is_err(), "nothing is overwritten");
        assert_eq!(store.get(id).await?.as_deref(), Some(&b"hello world"[..]));
        Ok(())
    }
}
