//! Attachment bytes on the file system: [`FsBlobStore`].

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use helpdesk_core::{AttachmentId, BlobStore, BlobWriter, StoreError};
use tokio::io::AsyncWriteExt;

use crate::error::SqlxStoreError;

/// Attachment bytes in a directory, one file per attachment.
///
/// A file's name is its attachment id in hex, under a directory named after the id's
/// last two hex digits (spreading files over 256 directories): the user's file name
/// never reaches the file system, so no upload can choose where it lands. Writes go to a
/// temporary file first and are linked into place, so a reader never sees half a file
/// and nothing is ever overwritten. [`BlobStore::writer`] streams to that temporary file
/// as the bytes arrive, refusing past `max_size`, and removes it when the upload is
/// aborted or dropped unfinished.
#[derive(Clone, Debug)]
pub struct FsBlobStore {
    root: PathBuf,
    max_size: u64,
}

impl FsBlobStore {
    /// The default size limit: 25 MiB.
    pub const DEFAULT_MAX_SIZE: u64 = 25 * 1024 * 1024;

    /// A store under `root` (created on the first write) accepting files up to
    /// `max_size` bytes.
    pub fn new(root: impl Into<PathBuf>, max_size: u64) -> Self {
        Self {
            root: root.into(),
            max_size,
        }
    }

    /// The largest file accepted, in bytes.
    pub fn max_size(&self) -> u64 {
        self.max_size
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
    async fn temp_for(&self, id: AttachmentId) -> Result<(PathBuf, PathBuf), SqlxStoreError> {
        let path = self.path_of(id);
        let dir = path.parent().unwrap_or(&self.root);
        tokio::fs::create_dir_all(dir).await?;
        let temp = dir.join(format!(
            ".{}.{}.tmp",
            id.as_uuid().simple(),
            uuid::Uuid::now_v7().simple()
        ));
        Ok((temp, path))
    }

    async fn write(&self, id: AttachmentId, bytes: &[u8]) -> Result<(), SqlxStoreError> {
        let size = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
        if size > self.max_size {
            return Err(SqlxStoreError::BlobTooLarge {
                size,
                max: self.max_size,
            });
        }
        let (temp, path) = self.temp_for(id).await?;
        tokio::fs::write(&temp, bytes).await?;
        link_into_place(id, &temp, &path).await
    }
}

/// Links the finished `temp` file to `path` and removes `temp`. A hard link fails when
/// the target exists: nothing is ever overwritten.
async fn link_into_place(id: AttachmentId, temp: &Path, path: &Path) -> Result<(), SqlxStoreError> {
    let linked = tokio::fs::hard_link(temp, path).await;
    let _ = tokio::fs::remove_file(temp).await;
    match linked {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == ErrorKind::AlreadyExists => {
            Err(SqlxStoreError::BlobExists(id.to_string()))
        }
        Err(e) => Err(e.into()),
    }
}

/// Streams one attachment into a temporary file of an [`FsBlobStore`].
#[derive(Debug)]
struct FsBlobWriter {
    id: AttachmentId,
    file: Option<tokio::fs::File>,
    temp: PathBuf,
    path: PathBuf,
    written: u64,
    max_size: u64,
}

impl FsBlobWriter {
    /// Closes and removes the temporary file; nothing if it is already gone.
    async fn discard(&mut self) -> Result<(), SqlxStoreError> {
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
        let size = self
            .written
            .saturating_add(u64::try_from(chunk.len()).unwrap_or(u64::MAX));
        if size > self.max_size {
            return Err(SqlxStoreError::BlobTooLarge {
                size,
                max: self.max_size,
            }
            .into());
        }
        let Some(file) = self.file.as_mut() else {
            return Err(StoreError::new(
                "the upload was already finished or aborted",
            ));
        };
        file.write_all(chunk).await.map_err(SqlxStoreError::from)?;
        self.written = size;
        Ok(())
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
            return Err(SqlxStoreError::from(e).into());
        }
        Ok(link_into_place(self.id, &self.temp, &self.path).await?)
    }

    async fn abort(mut self: Box<Self>) -> Result<(), StoreError> {
        Ok(self.discard().await?)
    }
}

fn missing_is_none<T>(result: std::io::Result<T>) -> Result<Option<T>, SqlxStoreError> {
    match result {
        Ok(v) => Ok(Some(v)),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e.into()),
    }
}

#[async_trait]
impl BlobStore for FsBlobStore {
    async fn put(&self, id: AttachmentId, bytes: &[u8]) -> Result<(), StoreError> {
        Ok(self.write(id, bytes).await?)
    }

    async fn get(&self, id: AttachmentId) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(missing_is_none(tokio::fs::read(self.path_of(id)).await)?)
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
        let file = tokio::fs::File::create_new(&temp)
            .await
            .map_err(SqlxStoreError::from)?;
        Ok(Box::new(FsBlobWriter {
            id,
            file: Some(file),
            temp,
            path,
            written: 0,
            max_size: self.max_size,
        }))
    }
}
