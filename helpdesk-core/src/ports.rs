//! The ports: what the helpdesk needs from storage and time. Storage adapters
//! (`helpdesk-sqlx`, the in-memory store) implement these traits; the service holds them
//! as trait objects.
//!
//! Every method answers [`StoreError`](crate::StoreError) for a failure of the store itself, and
//! [`Error::AlreadyExists`] or [`Error::VersionConflict`] where it says so. Lookups by id
//! answer `None` for a missing row; the service turns that into a typed not-found.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::attachment::Attachment;
use crate::catalog::{Category, Product};
use crate::dashboard::{Breakdown, Dashboard, DashboardQuery};
use crate::error::Error;
use crate::ids::{
    ArticleId, AttachmentId, CategoryId, GroupId, MemberId, OutboxId, ProductId, SavedSearchId,
    StaffId, TenantId, TicketId, TicketNumber,
};
use crate::knowledge::Article;
use crate::notify::OutboxMessage;
use crate::people::{Group, Member, MemberQuery, Staff, UserId};
use crate::search::{SavedSearch, SearchPage, SearchQuery};
use crate::tenant::Tenant;
use crate::ticket::Ticket;
use crate::timeline::TimelineEvent;

/// The result of a store call.
pub type StoreResult<T> = Result<T, Error>;

/// Tenants.
#[async_trait]
pub trait TenantRepository: Send + Sync {
    /// Stores a new tenant; [`Error::AlreadyExists`] when its slug is taken.
    async fn insert_tenant(&self, tenant: &Tenant) -> StoreResult<()>;
    /// Replaces a tenant's name and settings.
    async fn update_tenant(&self, tenant: &Tenant) -> StoreResult<()>;
    /// One tenant.
    async fn tenant(&self, id: TenantId) -> StoreResult<Option<Tenant>>;
    /// One tenant by slug.
    async fn tenant_by_slug(&self, slug: &str) -> StoreResult<Option<Tenant>>;
    /// Every tenant, by slug.
    async fn tenants(&self) -> StoreResult<Vec<Tenant>>;
}

/// Members, support staff and groups.
#[async_trait]
pub trait DirectoryRepository: Send + Sync {
    /// Stores a new member; [`Error::AlreadyExists`] when the host user is already a
    /// member of that tenant.
    async fn insert_member(&self, member: &Member) -> StoreResult<()>;
    /// Replaces a member's name, email, role, blocked flag and language.
    async fn update_member(&self, member: &Member) -> StoreResult<()>;
    /// One member of `tenant`.
    async fn member(&self, tenant: TenantId, id: MemberId) -> StoreResult<Option<Member>>;
    /// The member of `tenant` that is host user `user`.
    async fn member_by_user(&self, tenant: TenantId, user: &UserId) -> StoreResult<Option<Member>>;
    /// Every member of `tenant`, by display name.
    async fn members(&self, tenant: TenantId) -> StoreResult<Vec<Member>>;
    /// The members of the query's tenant that [`MemberQuery::matches`] accepts, by
    /// display name then id, at most `query.limit`.
    async fn find_members(&self, query: &MemberQuery) -> StoreResult<Vec<Member>>;
    /// Stores a new staff member; [`Error::AlreadyExists`] when the host user is
    /// already staff.
    async fn insert_staff(&self, staff: &Staff) -> StoreResult<()>;
    /// Replaces a staff member's record (all but its host user), groups included, only
    /// if the stored record still equals `expected` (the one the change was made from),
    /// in one atomic step; [`Error::ConcurrentUpdate`] and nothing written when it
    /// differs, [`Error::NotFound`] when there is no such staff member.
    async fn update_staff(&self, staff: &Staff, expected: &Staff) -> StoreResult<()>;
    /// One staff member.
    async fn staff(&self, id: StaffId) -> StoreResult<Option<Staff>>;
    /// The staff member that is host user `user`.
    async fn staff_by_user(&self, user: &UserId) -> StoreResult<Option<Staff>>;
    /// Every staff member, by display name.
    async fn all_staff(&self) -> StoreResult<Vec<Staff>>;
    /// Stores a new group.
    async fn insert_group(&self, group: &Group) -> StoreResult<()>;
    /// Renames a group.
    async fn update_group(&self, group: &Group) -> StoreResult<()>;
    /// One group.
    async fn group(&self, id: GroupId) -> StoreResult<Option<Group>>;
    /// Every group, by name.
    async fn groups(&self) -> StoreResult<Vec<Group>>;
    /// The display names of these members (each in its tenant) and staff and the names
    /// of these groups, by id as text; unknown ids are left out. What a ticket view and
    /// a list page show beside ids. The default looks each one up; a database store
    /// answers in one statement whatever the number of ids.
    async fn names(
        &self,
        members: &[(TenantId, MemberId)],
        staff: &[StaffId],
        groups: &[GroupId],
    ) -> StoreResult<std::collections::BTreeMap<String, String>> {
        let mut names = std::collections::BTreeMap::new();
        for (tenant, id) in members {
            if let Some(m) = self.member(*tenant, *id).await? {
                names.insert(id.to_string(), m.display_name);
            }
        }
        for id in staff {
            if let Some(s) = self.staff(*id).await? {
                names.insert(id.to_string(), s.display_name);
            }
        }
        for id in groups {
            if let Some(g) = self.group(*id).await? {
                names.insert(id.to_string(), g.name);
            }
        }
        Ok(names)
    }
}

/// Categories and products of each tenant.
#[async_trait]
pub trait CatalogRepository: Send + Sync {
    /// Stores a new category.
    async fn insert_category(&self, category: &Category) -> StoreResult<()>;
    /// Replaces a category.
    async fn update_category(&self, category: &Category) -> StoreResult<()>;
    /// One category of `tenant`.
    async fn category(&self, tenant: TenantId, id: CategoryId) -> StoreResult<Option<Category>>;
    /// The whole category tree of `tenant`, by name.
    async fn categories(&self, tenant: TenantId) -> StoreResult<Vec<Category>>;
    /// Stores a new product.
    async fn insert_product(&self, product: &Product) -> StoreResult<()>;
    /// Replaces a product.
    async fn update_product(&self, product: &Product) -> StoreResult<()>;
    /// One product of `tenant`.
    async fn product(&self, tenant: TenantId, id: ProductId) -> StoreResult<Option<Product>>;
    /// Every product of `tenant`, by name.
    async fn products(&self, tenant: TenantId) -> StoreResult<Vec<Product>>;
}

/// Everything one accepted command writes, saved atomically: the ticket at its new
/// version, its new events, their outbox messages and attachments. A store writes all of
/// it in one transaction or nothing.
#[derive(Clone, Debug)]
pub struct TicketChange<'a> {
    /// The ticket after the command.
    pub ticket: &'a Ticket,
    /// The version the command read; the write fails with
    /// [`Error::VersionConflict`] when the stored ticket is at another one.
    pub expected_version: u64,
    /// The events to append.
    pub events: &'a [TimelineEvent],
    /// The notifications to queue.
    pub outbox: &'a [OutboxMessage],
    /// The attachments to record.
    pub attachments: &'a [Attachment],
    /// For a ticket opened with an idempotency key: a digest of the request
    /// ([`NewTicket::fingerprint`](crate::NewTicket::fingerprint)), kept with the ticket
    /// so that a retry with the same key and another request is told apart. `None` on
    /// every other change.
    pub request_fingerprint: Option<&'a str>,
}

/// Tickets, their timelines and attachments, search and dashboards.
#[async_trait]
pub trait TicketRepository: Send + Sync {
    /// Stores a newly opened ticket with its first event, outbox messages and attachments
    /// in one transaction, and gives it the tenant's next number: never one already used,
    /// always above every earlier one, even with several processes opening at once.
    /// When a ticket with that id exists, nothing is written and the answer is
    /// [`Error::AlreadyExists`] if it was opened with the same
    /// [`request_fingerprint`](TicketChange::request_fingerprint) (a retry: the service
    /// answers with that ticket), [`Error::IdempotencyKeyReused`] if not.
    async fn open_ticket(&self, change: TicketChange<'_>) -> StoreResult<TicketNumber>;
    /// Saves a changed ticket, appends its events and queues its outbox messages in one
    /// transaction; [`Error::VersionConflict`] (and nothing written) when the stored
    /// version is not `expected_version`.
    async fn save_ticket(&self, change: TicketChange<'_>) -> StoreResult<()>;
    /// One ticket, whatever its tenant. Callers that know the tenant use
    /// [`ticket_in`](Self::ticket_in): on a database distributed by tenant, a lookup by
    /// id alone asks every shard.
    async fn ticket(&self, id: TicketId) -> StoreResult<Option<Ticket>>;
    /// One ticket of `tenant` (none when the id is another tenant's), found by the
    /// `(tenant, id)` key. The default filters [`ticket`](Self::ticket).
    async fn ticket_in(&self, tenant: TenantId, id: TicketId) -> StoreResult<Option<Ticket>> {
        Ok(self.ticket(id).await?.filter(|t| t.tenant == tenant))
    }
    /// One ticket of one of `tenants` (none when the id is of a tenant not listed, or
    /// `tenants` is empty): for staff who serve several tenants, so that a database
    /// distributed by tenant asks only their shards. The default filters
    /// [`ticket`](Self::ticket).
    async fn ticket_among(
        &self,
        tenants: &[TenantId],
        id: TicketId,
    ) -> StoreResult<Option<Ticket>> {
        if tenants.is_empty() {
            return Ok(None);
        }
        Ok(self
            .ticket(id)
            .await?
            .filter(|t| tenants.contains(&t.tenant)))
    }
    /// One ticket by tenant and number.
    async fn ticket_by_number(
        &self,
        tenant: TenantId,
        number: TicketNumber,
    ) -> StoreResult<Option<Ticket>>;
    /// A ticket's whole timeline, oldest first.
    async fn timeline(&self, ticket: TicketId) -> StoreResult<Vec<TimelineEvent>>;
    /// The whole timeline of `tenant`'s ticket, oldest first (empty when the ticket is
    /// another tenant's): [`timeline`](Self::timeline) with the tenant the caller
    /// knows, so that a store keyed by tenant reads one tenant's rows. The default asks
    /// [`ticket_in`](Self::ticket_in), then [`timeline`](Self::timeline).
    async fn timeline_in(
        &self,
        tenant: TenantId,
        ticket: TicketId,
    ) -> StoreResult<Vec<TimelineEvent>> {
        if self.ticket_in(tenant, ticket).await?.is_none() {
            return Ok(Vec::new());
        }
        self.timeline(ticket).await
    }
    /// One event of `tenant`'s ticket, by id: what a delivery of the outbox tells about
    /// (none when the ticket or the event is not found). The default reads
    /// [`timeline_in`](Self::timeline_in); the SQL stores read the one row.
    async fn event_in(
        &self,
        tenant: TenantId,
        ticket: TicketId,
        event: crate::ids::EventId,
    ) -> StoreResult<Option<TimelineEvent>> {
        Ok(self
            .timeline_in(tenant, ticket)
            .await?
            .into_iter()
            .find(|e| e.id == event))
    }
    /// A ticket's attachments, oldest first.
    async fn attachments(&self, ticket: TicketId) -> StoreResult<Vec<Attachment>>;
    /// The attachments of `tenant`'s ticket, oldest first: as
    /// [`timeline_in`](Self::timeline_in) is to [`timeline`](Self::timeline).
    async fn attachments_in(
        &self,
        tenant: TenantId,
        ticket: TicketId,
    ) -> StoreResult<Vec<Attachment>> {
        if self.ticket_in(tenant, ticket).await?.is_none() {
            return Ok(Vec::new());
        }
        self.attachments(ticket).await
    }
    /// One attachment.
    async fn attachment(&self, id: AttachmentId) -> StoreResult<Option<Attachment>>;
    /// One attachment of one of `tenants` (none when it is of a tenant not listed, or
    /// `tenants` is empty): for callers who know their tenants (members, staff who serve
    /// a list of tenants), so that a database distributed by tenant asks only their
    /// shards. The default filters [`attachment`](Self::attachment).
    async fn attachment_among(
        &self,
        tenants: &[TenantId],
        id: AttachmentId,
    ) -> StoreResult<Option<Attachment>> {
        if tenants.is_empty() {
            return Ok(None);
        }
        Ok(self
            .attachment(id)
            .await?
            .filter(|a| tenants.contains(&a.tenant)))
    }
    /// One page of the tickets matching `query`, in the order of its criteria's
    /// [`Sort`](crate::Sort) ([`Sort::compare`](crate::Sort::compare): the key's value
    /// as the caller observes it, then the id). Must return exactly the tickets that
    /// [`SearchQuery::matches_fields`](crate::SearchQuery::matches_fields) accepts, that
    /// match `contains` as [`contains_all`](crate::search::contains_all) defines it over the
    /// subject, description and public replies (internal notes too when the scope
    /// [sees them](crate::Scope::sees_internal)), and, unless archived tickets are asked,
    /// that are not [archived](crate::Ticket::is_archived) under their tenant's archive
    /// delay. `next` is set exactly when more tickets follow, and is then
    /// [`SearchQuery::cursor_after`](crate::SearchQuery::cursor_after) the page's last
    /// ticket. `total` counts every ticket the same search matches, on every page (as
    /// if there were no cursor), computed by the store with the same filters. A cursor
    /// issued under another sort is refused with [`Error::Validation`]
    /// ([`SearchQuery::check_cursor`](crate::SearchQuery::check_cursor)).
    async fn search(&self, query: &SearchQuery) -> StoreResult<SearchPage>;
    /// The dashboard of the tickets in the query's scope, archived ones included.
    async fn dashboard(&self, query: &DashboardQuery) -> StoreResult<Dashboard>;
    /// The [`Breakdown`] of the tickets in the query's scope (and its tenant and
    /// assignee filters), archived ones included: per assignee and per group, counts by
    /// status and satisfaction as [`dashboard`](Self::dashboard) counts them. Names are
    /// left empty (the service fills them in); the months of the query are not used.
    async fn dashboard_breakdown(&self, query: &DashboardQuery) -> StoreResult<Breakdown>;
    /// Tickets of `tenant` pending closure since before `proposed_before`, oldest first,
    /// at most `limit`.
    async fn closures_due(
        &self,
        tenant: TenantId,
        proposed_before: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<Ticket>>;
}

/// Saved search criteria.
#[async_trait]
pub trait SavedSearchRepository: Send + Sync {
    /// Stores a saved search.
    async fn insert_saved_search(&self, search: &SavedSearch) -> StoreResult<()>;
    /// The saved searches of `owner` (in `tenant`, for members), by name.
    async fn saved_searches(
        &self,
        owner: &UserId,
        tenant: Option<TenantId>,
    ) -> StoreResult<Vec<SavedSearch>>;
    /// Deletes one of `owner`'s saved searches saved in `tenant` (`None` for staff, as
    /// [`saved_searches`](Self::saved_searches) lists them); false when there was none.
    async fn delete_saved_search(
        &self,
        owner: &UserId,
        tenant: Option<TenantId>,
        id: SavedSearchId,
    ) -> StoreResult<bool>;
}

/// Knowledge-base articles.
#[async_trait]
pub trait KnowledgeBaseRepository: Send + Sync {
    /// Stores a new article.
    async fn insert_article(&self, article: &Article) -> StoreResult<()>;
    /// Replaces an article.
    async fn update_article(&self, article: &Article) -> StoreResult<()>;
    /// One article of `tenant`.
    async fn article(&self, tenant: TenantId, id: ArticleId) -> StoreResult<Option<Article>>;
    /// Every article of `tenant`, published or not, by title.
    async fn articles(&self, tenant: TenantId) -> StoreResult<Vec<Article>>;
}

/// What becomes of a message whose delivery failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AfterFailure {
    /// Try again from this time on.
    RetryAt(DateTime<Utc>),
    /// Give up: the message becomes a dead letter at this time, kept with its last error,
    /// never claimed again until an admin retries it.
    DeadLetter(DateTime<Utc>),
}

/// The outbox of notifications, fed by ticket changes.
///
/// A worker **claims** due messages before it delivers them, for a lease: while the
/// lease runs no other claim hands them out, so several workers on one database deliver
/// each message once; a worker that dies mid-batch leaves claims that expire, and its
/// messages are claimed again (delivery is at least once, under the message's id).
#[async_trait]
pub trait OutboxRepository: Send + Sync {
    /// Claims, in one atomic step, up to `limit` messages due at `now` (next attempt
    /// time reached, not dead, unclaimed or with an expired claim: `claimed_until <=
    /// now`), oldest first (by creation time, then id), marking them claimed until
    /// `lease_until`, and returns them oldest first. Two claims running at once never
    /// hand out the same message.
    async fn claim_due_messages(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<OutboxMessage>>;
    /// Removes delivered message `id` of `tenant` (and so its claim); nothing when the
    /// tenant has no message by that id. The tenant is the message's
    /// ([`OutboxMessage::tenant`]): the row is found by its `(tenant, id)` key, also on
    /// a database distributed by tenant.
    async fn mark_delivered(&self, tenant: TenantId, id: OutboxId) -> StoreResult<()>;
    /// Records a failed delivery of `tenant`'s message `id`: counts an attempt, keeps
    /// `error` as the last error, releases the claim and either delays the message or
    /// makes it a dead letter. Nothing when the tenant has no message by that id.
    async fn mark_failed(
        &self,
        tenant: TenantId,
        id: OutboxId,
        error: &str,
        next: AfterFailure,
    ) -> StoreResult<()>;
    /// One message, dead or alive, whatever its tenant (an admin's lookup by id; on a
    /// database distributed by tenant it asks every shard). Callers that know the tenant
    /// use [`outbox_message_in`](Self::outbox_message_in).
    async fn outbox_message(&self, id: OutboxId) -> StoreResult<Option<OutboxMessage>>;
    /// One message of `tenant` (none when the id is another tenant's), found by the
    /// `(tenant, id)` key. The default filters [`outbox_message`](Self::outbox_message).
    async fn outbox_message_in(
        &self,
        tenant: TenantId,
        id: OutboxId,
    ) -> StoreResult<Option<OutboxMessage>> {
        Ok(self
            .outbox_message(id)
            .await?
            .filter(|m| m.tenant == tenant))
    }
    /// The dead letters of `tenant` (of every tenant with `None`), most recently dead
    /// first (then by id), at most `limit`.
    async fn dead_letters(
        &self,
        tenant: Option<TenantId>,
        limit: u32,
    ) -> StoreResult<Vec<OutboxMessage>>;
    /// How many dead letters `tenant` has (every tenant with `None`).
    async fn count_dead_letters(&self, tenant: Option<TenantId>) -> StoreResult<u64>;
    /// Puts `tenant`'s dead letter `id` back in line: no longer dead, no attempt counted,
    /// due at `at`, unclaimed; its last error is kept. False (and nothing changed) when
    /// `id` is not a dead letter of `tenant`.
    async fn retry_dead_letter(
        &self,
        tenant: TenantId,
        id: OutboxId,
        at: DateTime<Utc>,
    ) -> StoreResult<bool>;
}

/// The webhook endpoints tenants register (see [`Webhook`](crate::Webhook)).
#[async_trait]
pub trait WebhookRepository: Send + Sync {
    /// Inserts `webhook`, or replaces the one with its id (of the same tenant: an id
    /// of another tenant changes nothing).
    async fn save_webhook(&self, webhook: &crate::Webhook) -> StoreResult<()>;
    /// Deletes `tenant`'s endpoint `id`; false when it has none by that id. Messages
    /// already in the outbox for it are left there (their delivery finds it gone and
    /// drops them).
    async fn delete_webhook(&self, tenant: TenantId, id: crate::WebhookId) -> StoreResult<bool>;
    /// `tenant`'s endpoints, oldest first (by creation time, then id).
    async fn webhooks(&self, tenant: TenantId) -> StoreResult<Vec<crate::Webhook>>;
}

/// Whether a reachable store can serve, as [`HealthCheck::readiness`] reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Readiness {
    /// Reachable, and its schema is the one this build expects.
    Ready,
    /// Reachable, but migrations this build ships have not been applied yet.
    MigrationsPending {
        /// The versions not applied, oldest first.
        versions: Vec<i64>,
    },
}

/// Asks a store whether it can serve, for readiness probes. The default answers
/// [`Readiness::Ready`]: a store with nothing to check (the in-memory one) implements it
/// with an empty `impl HealthCheck for MyStore {}`.
#[async_trait]
pub trait HealthCheck: Send + Sync {
    /// Checks the store: an unreachable database answers a
    /// [`StoreError`](crate::StoreError) that [`is_unavailable`](crate::StoreError::is_unavailable);
    /// a reachable one says whether its schema is current.
    async fn readiness(&self) -> StoreResult<Readiness> {
        Ok(Readiness::Ready)
    }
}

/// Every port a store provides; what [`HelpdeskService`](crate::HelpdeskService) holds.
pub trait Store:
    TenantRepository
    + DirectoryRepository
    + CatalogRepository
    + TicketRepository
    + SavedSearchRepository
    + KnowledgeBaseRepository
    + OutboxRepository
    + WebhookRepository
    + HealthCheck
{
}

impl<T> Store for T where
    T: TenantRepository
        + DirectoryRepository
        + CatalogRepository
        + TicketRepository
        + SavedSearchRepository
        + KnowledgeBaseRepository
        + OutboxRepository
        + WebhookRepository
        + HealthCheck
{
}

/// Tells the time. The service never reads the system clock directly, so tests can move
/// time (approval and reopen windows, archiving).
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// Now.
    fn now(&self) -> DateTime<Utc>;
}

/// The system clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that stands still until moved: for tests and demos.
#[derive(Debug)]
pub struct ManualClock(std::sync::Mutex<DateTime<Utc>>);

impl ManualClock {
    /// A clock showing `at`.
    pub fn new(at: DateTime<Utc>) -> Self {
        Self(std::sync::Mutex::new(at))
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: chrono::Duration) {
        let mut now = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *now += by;
    }

    /// Sets the clock to `at`.
    pub fn set(&self, at: DateTime<Utc>) {
        *self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = at;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
