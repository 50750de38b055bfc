//! What the routes need from the host, reached through `FromRef<S>`.

use std::sync::Arc;

use helpdesk_core::{BlobStore, HelpdeskService};

use crate::identity::Identify;

/// Size limits the routes enforce; give them to
/// [`router_with_limits`](crate::router_with_limits).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The largest JSON body, in bytes.
    pub json_body: usize,
    /// The largest attachment, in bytes.
    pub attachment_bytes: usize,
    /// The most files in one upload.
    pub attachments_per_upload: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            json_body: 512 * 1024,
            attachment_bytes: 10 * 1024 * 1024,
            attachments_per_upload: helpdesk_core::MAX_ATTACHMENTS_PER_EVENT,
        }
    }
}

/// The helpdesk's state inside the host's: the service, who is calling, where
/// attachments go. The host's state implements `FromRef<HostState>` for it (or is it).
#[derive(Clone)]
pub struct HelpdeskState {
    pub(crate) service: HelpdeskService,
    pub(crate) identity: Arc<dyn Identify>,
    pub(crate) blobs: Arc<dyn BlobStore>,
}

impl std::fmt::Debug for HelpdeskState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HelpdeskState")
            .field("service", &self.service)
            .finish_non_exhaustive()
    }
}

impl HelpdeskState {
    /// The state for `service`, telling callers apart with `identity` and keeping
    /// attachment bytes in `blobs`.
    pub fn new(
        service: HelpdeskService,
        identity: Arc<dyn Identify>,
        blobs: Arc<dyn BlobStore>,
    ) -> Self {
        Self {
            service,
            identity,
            blobs,
        }
    }

    /// The service behind the routes.
    pub fn service(&self) -> &HelpdeskService {
        &self.service
    }
}
