//! [`HelpdeskService`]: one method per use case. Each checks who is asking, applies the
//! workflow rules and persists through the ports, all or nothing.

mod admin;
mod caller;
mod dead_letters;
mod export;
mod idempotency;
mod lookups;
mod mail;
mod notifications;
mod opening;
mod people;
mod queries;
mod service_levels;
mod staff;
mod tickets;
mod upload;
mod watchers;
mod webhooks;

use std::sync::Arc;

use crate::blob::BlobStore;
use crate::error::{Entity, Error, Forbidden, Result};
use crate::ids::{TenantId, TicketId};
use crate::people::{Actor, UserId};
use crate::permissions::{Scope, ensure_active};
use crate::ports::{Clock, Store, SystemClock};
use crate::tenant::Tenant;
use crate::text::TextPolicy;
use crate::ticket::Ticket;

pub use admin::{ArticleDraft, MemberDetails};
pub use dead_letters::MAX_DEAD_LETTERS;
pub use export::{
    CsvExport, CsvFormat, ExportRow, MAX_EXPORT_ROWS, csv_header, csv_line, export_csv,
};
pub use lookups::DEFAULT_LOOKUP_TTL;
pub use mail::{InboundFile, InboundReply, MailReplyError, mail_event_id};
pub use notifications::DeliveryReport;
pub use people::MAX_MEMBERS_FOR_REQUESTERS;
pub use queries::{TicketList, TicketView};
pub use staff::{StaffChanges, StaffDetails};
pub use tickets::{MAX_ATTACHMENTS_PER_EVENT, MAX_ATTEMPTS};
pub use upload::{AttachAs, AttachmentLimits, AttachmentUpload, FileUpload, ToOpening, ToTicket};
pub use watchers::{Watcher, WatcherPart};

/// The helpdesk's use cases, over a [`Store`] and a [`Clock`], keeping attachment bytes
/// in a [`BlobStore`].
///
/// Attachments need a blob store: give one with [`with_blobs`](Self::with_blobs). A
/// service without one runs every other use case; starting an upload
/// ([`begin_attachments`](Self::begin_attachments)) or reading a file's bytes
/// ([`attachment_file`](Self::attachment_file)) then fails with a storage error (HTTP
/// 500). How large a file may be is the service's one setting,
/// [`AttachmentLimits`] ([`with_attachment_limits`](Self::with_attachment_limits)).
///
/// Cheap to clone: it holds `Arc`s. Every method takes the [`Actor`] it runs as;
/// get one from the host's identity with [`HelpdeskService::actor`].
#[derive(Clone)]
pub struct HelpdeskService {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    /// The tickets being opened with an idempotency key in this process right now.
    in_flight: Arc<std::sync::Mutex<std::collections::HashSet<TicketId>>>,
    text_policy: TextPolicy,
    blobs: Option<Arc<dyn BlobStore>>,
    attachment_limits: AttachmentLimits,
    /// Tenants, webhooks and users, kept a short while.
    lookups: Arc<lookups::Lookups>,
}

impl std::fmt::Debug for HelpdeskService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HelpdeskService")
            .field("clock", &self.clock)
            .field("text_policy", &self.text_policy)
            .field("blobs", &self.blobs.is_some())
            .field("attachment_limits", &self.attachment_limits)
            .finish_non_exhaustive()
    }
}

impl HelpdeskService {
    /// A service over `store`, on the system clock.
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self {
            store,
            clock: Arc::new(SystemClock),
            in_flight: Arc::default(),
            text_policy: TextPolicy::default(),
            blobs: None,
            attachment_limits: AttachmentLimits::default(),
            lookups: Arc::new(lookups::Lookups::new(DEFAULT_LOOKUP_TTL)),
        }
    }

    /// The same service keeping its lookups of tenants, webhook endpoints and users for
    /// `ttl` ([`DEFAULT_LOOKUP_TTL`] by default; zero keeps nothing). Changes made
    /// through this service are seen at once; changes made by another instance over the
    /// same database are seen within `ttl`: for that long it may still let in a member
    /// just blocked elsewhere, or apply a tenant's settings as they were.
    pub fn with_lookup_ttl(mut self, ttl: std::time::Duration) -> Self {
        self.lookups = Arc::new(lookups::Lookups::new(ttl));
        self
    }

    /// How long lookups of tenants, webhook endpoints and users are kept.
    pub fn lookup_ttl(&self) -> std::time::Duration {
        self.lookups.ttl()
    }

    /// The same service keeping attachment bytes in `blobs` (the filesystem store of
    /// `helpdesk-blobs`, an object store of the host's, the in-memory one of the
    /// `memory` feature).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use helpdesk_core::{AttachmentLimits, HelpdeskService, memory::{MemoryBlobStore, MemoryStore}};
    ///
    /// let service = HelpdeskService::new(Arc::new(MemoryStore::new()))
    ///     .with_blobs(Arc::new(MemoryBlobStore::new()))
    ///     .with_attachment_limits(AttachmentLimits { max_bytes: 2 << 20, ..Default::default() });
    /// assert_eq!(service.attachment_limits().max_bytes, 2 << 20);
    /// ```
    pub fn with_blobs(mut self, blobs: Arc<dyn BlobStore>) -> Self {
        self.blobs = Some(blobs);
        self
    }

    /// The same service with other attachment limits (10 MiB a file and
    /// [`MAX_ATTACHMENTS_PER_EVENT`] files by default). The one size setting: the HTTP
    /// routes derive their upload body limit from it.
    pub fn with_attachment_limits(mut self, limits: AttachmentLimits) -> Self {
        self.attachment_limits = limits;
        self
    }

    /// Whether the service keeps attachment bytes somewhere ([`with_blobs`](Self::with_blobs)
    /// was called): front ends offer attachments only when it does.
    pub fn has_blobs(&self) -> bool {
        self.blobs.is_some()
    }

    /// How large and how many attachments may be.
    pub fn attachment_limits(&self) -> AttachmentLimits {
        self.attachment_limits
    }

    /// The same service on another clock (tests, demos).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The same service under another rich-text policy: which remote hosts images in
    /// descriptions, replies, notes and articles may come from. By default only images
    /// of the helpdesk's own attachments are kept (see [`TextPolicy`]).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use helpdesk_core::{HelpdeskService, TextPolicy, memory::MemoryStore};
    ///
    /// let service = HelpdeskService::new(Arc::new(MemoryStore::new()))
    ///     .with_text_policy(TextPolicy::default().allow_image_host("cdn.example.org"));
    /// assert_eq!(service.text_policy().image_hosts().collect::<Vec<_>>(), ["cdn.example.org"]);
    /// ```
    pub fn with_text_policy(mut self, policy: TextPolicy) -> Self {
        self.text_policy = policy;
        self
    }

    /// The rich-text policy the service sanitises with.
    pub fn text_policy(&self) -> &TextPolicy {
        &self.text_policy
    }

    /// Now, by the service's clock.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    /// Resolves the host's user into an actor: the staff member that user is, else the
    /// member of `tenant` they are. A blocked member or inactive staff member is refused
    /// here, before anything else.
    pub async fn actor(&self, user: &UserId, tenant: Option<TenantId>) -> Result<Actor> {
        if let Some(staff) = self.cached_staff_by_user(user).await? {
            let actor = Actor::Staff(staff);
            ensure_active(&actor)?;
            return Ok(actor);
        }
        let Some(tenant) = tenant else {
            return Err(Error::NotFound(Entity::Member));
        };
        let member = self
            .cached_member_by_user(tenant, user)
            .await?
            .ok_or(Error::NotFound(Entity::Member))?;
        let actor = Actor::Member(member);
        ensure_active(&actor)?;
        Ok(actor)
    }

    async fn tenant_record(&self, id: TenantId) -> Result<Tenant> {
        self.cached_tenant(id)
            .await?
            .ok_or(Error::NotFound(Entity::Tenant))
    }

    /// The scope of `actor`, with its tenant's requester policy for members.
    async fn scope(&self, actor: &Actor) -> Result<Scope> {
        ensure_active(actor)?;
        let policy = match actor {
            Actor::Member(m) => {
                self.tenant_record(m.tenant)
                    .await?
                    .settings
                    .requester_visibility
            }
            _ => Default::default(),
        };
        Ok(Scope::of(actor, policy))
    }

    /// Loads a ticket `actor` may see, with its tenant; a ticket they may not see answers
    /// exactly like a missing one.
    async fn visible_ticket(&self, actor: &Actor, id: TicketId) -> Result<(Ticket, Tenant)> {
        self.visible_ticket_in(actor, None, id).await
    }

    /// [`visible_ticket`](Self::visible_ticket) when the caller knows the ticket's
    /// tenant (`None` when it does not): read by its `(tenant, id)` key.
    async fn visible_ticket_in(
        &self,
        actor: &Actor,
        tenant: Option<TenantId>,
        id: TicketId,
    ) -> Result<(Ticket, Tenant)> {
        ensure_active(actor)?;
        let ticket = match tenant {
            Some(tenant) => self.store.ticket_in(tenant, id).await?,
            None => match Self::known_tenants(actor) {
                Some([tenant]) => self.store.ticket_in(*tenant, id).await?,
                Some(tenants) => self.store.ticket_among(tenants, id).await?,
                None => self.store.ticket(id).await?,
            },
        }
        .ok_or(Error::NotFound(Entity::Ticket))?;
        let tenant = self.tenant_record(ticket.tenant).await?;
        if !Scope::of(actor, tenant.settings.requester_visibility).admits(&ticket) {
            return Err(Error::NotFound(Entity::Ticket));
        }
        Ok((ticket, tenant))
    }

    /// The tenants whose tickets `actor` may see, when they are listed: a member's
    /// own, or those of staff serving some tenants. A ticket is then read by its
    /// `(tenant, id)` key, or among those tenants; otherwise (staff of every tenant,
    /// platform admins) by id alone, which on a database distributed by tenant asks
    /// every shard.
    fn known_tenants(actor: &Actor) -> Option<&[TenantId]> {
        match actor {
            Actor::Member(m) => Some(std::slice::from_ref(&m.tenant)),
            Actor::Staff(s) if s.role != crate::StaffRole::PlatformAdmin => match &s.tenants {
                crate::TenantScope::Only(tenants) => Some(tenants),
                crate::TenantScope::All => None,
            },
            _ => None,
        }
    }

    /// Refuses an actor who is not allowed into `tenant` at all.
    fn ensure_in_tenant(actor: &Actor, tenant: TenantId) -> Result<()> {
        ensure_active(actor)?;
        let inside = match actor {
            Actor::Member(m) => m.tenant == tenant,
            Actor::Staff(s) => s.serves(tenant),
            Actor::System => true,
        };
        if inside {
            Ok(())
        } else {
            Err(Error::NotFound(Entity::Tenant))
        }
    }

    fn require(allowed: bool, reason: Forbidden) -> Result<()> {
        if allowed { Ok(()) } else { Err(reason.into()) }
    }
}
