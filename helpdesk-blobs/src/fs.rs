//! Attachment bytes on the file system: [`FsBlobStore`].

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use helpdesk_core::{AttachmentId, BlobStore, BlobWriter, StoreError};
use tokio::io::AsyncWriteExt;

/// An IO failure of the store, as the core's [`StoreError`].
fn io(e: std::io::Error) -> StoreError {
    StoreError::with_source("file system blob store", e)
}

/// Storing twice under one key.
fn exists(id: AttachmentId) -> StoreError {
    StoreError::new(format!("a blob is already stored under {id}"))
}

/// Attachment bytes in a directory, one file per attachment.
///
/// A file's name is its attachment id in hex, under a directory named after the id's
/// last two hex digits (spreading files over 256 directories): the user's file name
/// never reaches the file system, so no upload can choose where it lands. Writes go to a
/// temporary file first and are linked into place, so a reader never sees half a file
/// and nothing is ever overwritten. [`BlobStore::writer`] streams to that temporary file
/// as the bytes arrive and removes it when the upload is aborted or dropped unfinished
/// (synchronously, in `Drop`: no task is spawned).
///
/// The store has no size limit of its own: the service's
/// [`AttachmentLimits`](helpdesk_core::AttachmentLimits) refuse a file the moment it
/// passes the limit, before the store sees the byte too many.
#[derive(Clone, Debug)]
pub struct FsBlobStore {
    root: PathBuf,
}

impl FsBlobStore {
    /// A store under `root` (created on the first write).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// The directory the files live under.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where the bytes of `id` live: derived from the id alone.
    pub fn path_of(&self, id: AttachmentId) -> PathBuf {
        let name = id.as_uuid().simple().to_string();
        let shard = name.get(30..).unwrap_or("00").to_owned();
        self.root.join(shard).join(name)
    }

    /// The attachment id a stored file name stands for; none for a name this store
    /// never makes (so a key that is not ours is refused before any file is opened).
    pub fn key_of(file_name: &str) -> Option<AttachmentId> {
        let ours = file_name.len() == 32
            && file_name
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if !ours {
            return None;
        }
        uuid::Uuid::try_parse(file_name)
            .ok()
            .map(AttachmentId::from_uuid)
    }

    /// A fresh temporary file for `id` beside where it will land, and that place.
    async fn temp_for(&self, id: AttachmentId) -> Result<(PathBuf, PathBuf), StoreError> {
        let path = self.path_of(id);
        let dir = path.parent().unwrap_or(&self.root);
        tokio::fs::create_dir_all(dir).await.map_err(io)?;
        let temp = dir.join(format!(
            ".{}.{}.tmp",
            id.as_uuid().simple(),
            uuid::Uuid::now_v7().simple()
        ));
        Ok((temp, path))
    }

    async fn write(&self, id: AttachmentId, bytes: &[u8]) -> Result<(), StoreError> {
        let (temp, path) = self.temp_for(id).await?;
        if let Err(e) = tokio::fs::write(&temp, bytes).await {
            let _ = tokio::fs::remove_file(&temp).await;
            return Err(io(e));
        }
        link_into_place(id, &temp, &path).await
    }
}

/// Links the finished `temp` file to `path` and removes `temp`. A hard link fails when
/// the target exists: nothing is ever overwritten.
async fn link_into_place(id: AttachmentId, temp: &Path, path: &Path) -> Result<(), StoreError> {
    let linked = tokio::fs::hard_link(temp, path).await;
    let _ = tokio::fs::remove_file(temp).await;
    match linked {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == ErrorKind::AlreadyExists => Err(exists(id)),
        Err(e) => Err(io(e)),
    }
}

/// Streams one attachment into a temporary file of an [`FsBlobStore`].
#[derive(Debug)]
struct FsBlobWriter {
    id: AttachmentId,
    file: Option<tokio::fs::File>,
    temp: PathBuf,
    path: PathBuf,
}

impl FsBlobWriter {
    /// Closes and removes the temporary file; nothing if it is already gone.
    async fn discard(&mut self) -> Result<(), StoreError> {
        self.file = None;
        missing_is_none(tokio::fs::remove_file(&self.temp).await)?;
        Ok(())
    }
}

impl Drop for FsBlobWriter {
    fn drop(&mut self) {
        // Dropped unfinished (a refused or broken upload): leave nothing behind. A
        // finished or aborted writer has already removed its temporary file.
        if self.file.take().is_some() {
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}

#[async_trait]
impl BlobWriter for FsBlobWriter {
    async fn write(&mut self, chunk: &[u8]) -> Result<(), StoreError> {
        let Some(file) = self.file.as_mut() else {
            return Err(StoreError::new(
                "the upload was already finished or aborted",
            ));
        };
        file.write_all(chunk).await.map_err(io)
    }

    async fn finish(mut self: Box<Self>) -> Result<(), StoreError> {
        let Some(mut file) = self.file.take() else {
            return Err(StoreError::new(
                "the upload was already finished or aborted",
            ));
        };
        let flushed = async {
            file.flush().await?;
            file.sync_all().await
        }
        .await;
        drop(file);
        if let Err(e) = flushed {
            let _ = tokio::fs::remove_file(&self.temp).await;
            return Err(io(e));
        }
        link_into_place(self.id, &self.temp, &self.path).await
    }

    async fn abort(mut self: Box<Self>) -> Result<(), StoreError> {
        self.discard().await
    }
}

fn missing_is_none<T>(result: std::io::Result<T>) -> Result<Option<T>, StoreError> {
    match result {
        Ok(v) => Ok(Some(v)),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io(e)),
    }
}

#[async_trait]
impl BlobStore for FsBlobStore {
    async fn put(&self, id: AttachmentId, bytes: &[u8]) -> Result<(), StoreError> {
        self.write(id, bytes).await
    }

    async fn get(&self, id: AttachmentId) -> Result<Option<Vec<u8>>, StoreError> {
        missing_is_none(tokio::fs::read(self.path_of(id)).await)
    }

    async fn delete(&self, id: AttachmentId) -> Result<(), StoreError> {
        missing_is_none(tokio::fs::remove_file(self.path_of(id)).await)?;
        Ok(())
    }

    async fn writer<'a>(
        &'a self,
        id: AttachmentId,
    ) -> Result<Box<dyn BlobWriter + 'a>, StoreError> {
        let (temp, path) = self.temp_for(id).await?;
        let file = tokio::fs::File::create_new(&temp).await.map_err(io)?;
        Ok(Box::new(FsBlobWriter {
            id,
            file: Some(file),
            temp,
            path,
        }))
    }
}
