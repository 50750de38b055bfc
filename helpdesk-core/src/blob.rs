//! Where attachment bytes live: a small port with one key per attachment. Keys are
//! always [`AttachmentId`]s the helpdesk made, never a name a user typed, so a stored
//! file's path cannot be chosen by a caller.

use async_trait::async_trait;

use crate::error::StoreError;
use crate::ids::AttachmentId;

/// Stores and serves attachment bytes. `helpdesk-sqlx` has a filesystem implementation;
/// the `testing` feature an in-memory one.
#[async_trait]
pub trait BlobStore: Send + Sync {
    /// Stores `bytes` under `id`, replacing nothing: storing twice under one id fails.
    async fn put(&self, id: AttachmentId, bytes: &[u8]) -> Result<(), StoreError>;
    /// The bytes stored under `id`, if any.
    async fn get(&self, id: AttachmentId) -> Result<Option<Vec<u8>>, StoreError>;
    /// Forgets the bytes under `id` (after a failed use case, say); nothing if absent.
    async fn delete(&self, id: AttachmentId) -> Result<(), StoreError>;
}
