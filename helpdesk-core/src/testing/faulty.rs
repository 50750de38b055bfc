//! A store that makes chosen calls fail, over any other store.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::attachment::Attachment;
use crate::catalog::{Category, Product};
use crate::dashboard::{Breakdown, Dashboard, DashboardQuery};
use crate::error::StoreError;
use crate::ids::{
    ArticleId, AttachmentId, CategoryId, GroupId, MemberId, OutboxId, ProductId, SavedSearchId,
    StaffId, TenantId, TicketId, TicketNumber,
};
use crate::knowledge::Article;
use crate::notify::OutboxMessage;
use crate::people::{Group, Member, Staff, UserId};
use crate::ports::{
    AfterFailure, CatalogRepository, DirectoryRepository, HealthCheck, KnowledgeBaseRepository,
    OutboxRepository, Readiness, SavedSearchRepository, Store, StoreResult, TenantRepository,
    TicketChange, TicketRepository,
};
use crate::search::{SavedSearch, SearchPage, SearchQuery};
use crate::tenant::Tenant;
use crate::ticket::Ticket;
use crate::timeline::TimelineEvent;

/// Wraps a store and fails the calls a test plans with [`fail`](FaultyStore::fail): the
/// failing call answers the planned [`StoreError`] and never reaches the store beneath,
/// every other call passes through. Calls are named after the port methods
/// (`"tenant_by_slug"`, `"mark_delivered"`, ...); it counts them, and the writes that
/// reached the store beneath, so that a test can check what a failure left written.
///
/// With no failure planned it is a plain pass-through, which can also
/// [hold](FaultyStore::holding) what must live as long as the store (a test database).
pub struct FaultyStore {
    inner: Arc<dyn Store>,
    state: Mutex<Plan>,
    writes: AtomicUsize,
    _held: Option<Box<dyn std::any::Any + Send + Sync>>,
}

impl std::fmt::Debug for FaultyStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FaultyStore")
            .field("plan", &*self.plan())
            .field("writes", &self.writes())
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Default)]
struct Plan {
    calls: BTreeMap<&'static str, usize>,
    faults: Vec<Fault>,
}

#[derive(Debug)]
struct Fault {
    op: String,
    at_call: usize,
    error: Option<StoreError>,
}

impl FaultyStore {
    /// Passes every call through to `inner` until a failure is planned.
    pub fn new(inner: Arc<dyn Store>) -> Self {
        Self {
            inner,
            state: Mutex::new(Plan::default()),
            writes: AtomicUsize::new(0),
            _held: None,
        }
    }

    /// Keeps `held` for as long as this store lives, and drops it with the store: a test
    /// database that must outlive every call and go when the test is done.
    pub fn holding(mut self, held: impl std::any::Any + Send + Sync) -> Self {
        self._held = Some(Box::new(held));
        self
    }

    /// Makes the `nth` call (1 for the next one) to the port method `op` from now on
    /// answer `error`, without reaching the store beneath.
    pub fn fail(&self, op: &str, nth: usize, error: StoreError) {
        let mut plan = self.plan();
        let at_call = plan.calls.get(op).copied().unwrap_or(0) + nth;
        plan.faults.push(Fault {
            op: op.to_owned(),
            at_call,
            error: Some(error),
        });
    }

    /// How many times the port method `op` was called, failed calls included.
    pub fn calls(&self, op: &str) -> usize {
        self.plan().calls.get(op).copied().unwrap_or(0)
    }

    /// How many writes (inserts, updates, ticket changes, deletions, outbox marks)
    /// reached the store beneath and succeeded.
    pub fn writes(&self) -> usize {
        self.writes.load(Ordering::SeqCst)
    }

    /// Whether every planned failure has happened.
    pub fn all_failed(&self) -> bool {
        self.plan().faults.iter().all(|f| f.error.is_none())
    }

    fn plan(&self) -> MutexGuard<'_, Plan> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Counts a call and answers its planned failure, if any.
    fn enter(&self, op: &'static str) -> StoreResult<()> {
        let mut plan = self.plan();
        let count = plan.calls.entry(op).or_insert(0);
        *count += 1;
        let count = *count;
        let planned = plan
            .faults
            .iter_mut()
            .find(|f| f.op == op && f.at_call == count)
            .and_then(|f| f.error.take());
        match planned {
            Some(error) => Err(error.into()),
            None => Ok(()),
        }
    }

    /// Counts a write that succeeded.
    fn wrote<T>(&self, result: StoreResult<T>) -> StoreResult<T> {
        if result.is_ok() {
            self.writes.fetch_add(1, Ordering::SeqCst);
        }
        result
    }
}

#[async_trait]
impl TenantRepository for FaultyStore {
    async fn insert_tenant(&self, tenant: &Tenant) -> StoreResult<()> {
        self.enter("insert_tenant")?;
        self.wrote(self.inner.insert_tenant(tenant).await)
    }
    async fn update_tenant(&self, tenant: &Tenant) -> StoreResult<()> {
        self.enter("update_tenant")?;
        self.wrote(self.inner.update_tenant(tenant).await)
    }
    async fn tenant(&self, id: TenantId) -> StoreResult<Option<Tenant>> {
        self.enter("tenant")?;
        self.inner.tenant(id).await
    }
    async fn tenant_by_slug(&self, slug: &str) -> StoreResult<Option<Tenant>> {
        self.enter("tenant_by_slug")?;
        self.inner.tenant_by_slug(slug).await
    }
    async fn tenants(&self) -> StoreResult<Vec<Tenant>> {
        self.enter("tenants")?;
        self.inner.tenants().await
    }
}

#[async_trait]
impl DirectoryRepository for FaultyStore {
    async fn insert_member(&self, member: &Member) -> StoreResult<()> {
        self.enter("insert_member")?;
        self.wrote(self.inner.insert_member(member).await)
    }
    async fn update_member(&self, member: &Member) -> StoreResult<()> {
        self.enter("update_member")?;
        self.wrote(self.inner.update_member(member).await)
    }
    async fn member(&self, tenant: TenantId, id: MemberId) -> StoreResult<Option<Member>> {
        self.enter("member")?;
        self.inner.member(tenant, id).await
    }
    async fn member_by_user(&self, tenant: TenantId, user: &UserId) -> StoreResult<Option<Member>> {
        self.enter("member_by_user")?;
        self.inner.member_by_user(tenant, user).await
    }
    async fn members(&self, tenant: TenantId) -> StoreResult<Vec<Member>> {
        self.enter("members")?;
        self.inner.members(tenant).await
    }
    async fn find_members(&self, query: &crate::MemberQuery) -> StoreResult<Vec<Member>> {
        self.enter("find_members")?;
        self.inner.find_members(query).await
    }
    async fn insert_staff(&self, staff: &Staff) -> StoreResult<()> {
        self.enter("insert_staff")?;
        self.wrote(self.inner.insert_staff(staff).await)
    }
    async fn update_staff(&self, staff: &Staff, expected: &Staff) -> StoreResult<()> {
        self.enter("update_staff")?;
        self.wrote(self.inner.update_staff(staff, expected).await)
    }
    async fn staff(&self, id: StaffId) -> StoreResult<Option<Staff>> {
        self.enter("staff")?;
        self.inner.staff(id).await
    }
    async fn staff_by_user(&self, user: &UserId) -> StoreResult<Option<Staff>> {
        self.enter("staff_by_user")?;
        self.inner.staff_by_user(user).await
    }
    async fn all_staff(&self) -> StoreResult<Vec<Staff>> {
        self.enter("all_staff")?;
        self.inner.all_staff().await
    }
    async fn insert_group(&self, group: &Group) -> StoreResult<()> {
        self.enter("insert_group")?;
        self.wrote(self.inner.insert_group(group).await)
    }
    async fn update_group(&self, group: &Group) -> StoreResult<()> {
        self.enter("update_group")?;
        self.wrote(self.inner.update_group(group).await)
    }
    async fn group(&self, id: GroupId) -> StoreResult<Option<Group>> {
        self.enter("group")?;
        self.inner.group(id).await
    }
    async fn groups(&self) -> StoreResult<Vec<Group>> {
        self.enter("groups")?;
        self.inner.groups().await
    }
    async fn names(
        &self,
        members: &[(TenantId, MemberId)],
        staff: &[StaffId],
        groups: &[GroupId],
    ) -> StoreResult<std::collections::BTreeMap<String, String>> {
        self.enter("names")?;
        self.inner.names(members, staff, groups).await
    }
}

#[async_trait]
impl CatalogRepository for FaultyStore {
    async fn insert_category(&self, category: &Category) -> StoreResult<()> {
        self.enter("insert_category")?;
        self.wrote(self.inner.insert_category(category).await)
    }
    async fn update_category(&self, category: &Category) -> StoreResult<()> {
        self.enter("update_category")?;
        self.wrote(self.inner.update_category(category).await)
    }
    async fn category(&self, tenant: TenantId, id: CategoryId) -> StoreResult<Option<Category>> {
        self.enter("category")?;
        self.inner.category(tenant, id).await
    }
    async fn categories(&self, tenant: TenantId) -> StoreResult<Vec<Category>> {
        self.enter("categories")?;
        self.inner.categories(tenant).await
    }
    async fn insert_product(&self, product: &Product) -> StoreResult<()> {
        self.enter("insert_product")?;
        self.wrote(self.inner.insert_product(product).await)
    }
    async fn update_product(&self, product: &Product) -> StoreResult<()> {
        self.enter("update_product")?;
        self.wrote(self.inner.update_product(product).await)
    }
    async fn product(&self, tenant: TenantId, id: ProductId) -> StoreResult<Option<Product>> {
        self.enter("product")?;
        self.inner.product(tenant, id).await
    }
    async fn products(&self, tenant: TenantId) -> StoreResult<Vec<Product>> {
        self.enter("products")?;
        self.inner.products(tenant).await
    }
}

#[async_trait]
impl TicketRepository for FaultyStore {
    async fn open_ticket(&self, change: TicketChange<'_>) -> StoreResult<TicketNumber> {
        self.enter("open_ticket")?;
        self.wrote(self.inner.open_ticket(change).await)
    }
    async fn save_ticket(&self, change: TicketChange<'_>) -> StoreResult<()> {
        self.enter("save_ticket")?;
        self.wrote(self.inner.save_ticket(change).await)
    }
    async fn ticket(&self, id: TicketId) -> StoreResult<Option<Ticket>> {
        self.enter("ticket")?;
        self.inner.ticket(id).await
    }
    // Faults are named by what is read: a ticket, whether its tenant is given or not.
    async fn ticket_in(&self, tenant: TenantId, id: TicketId) -> StoreResult<Option<Ticket>> {
        self.enter("ticket")?;
        self.inner.ticket_in(tenant, id).await
    }
    async fn ticket_among(
        &self,
        tenants: &[TenantId],
        id: TicketId,
    ) -> StoreResult<Option<Ticket>> {
        self.enter("ticket")?;
        self.inner.ticket_among(tenants, id).await
    }
    async fn ticket_by_number(
        &self,
        tenant: TenantId,
        number: TicketNumber,
    ) -> StoreResult<Option<Ticket>> {
        self.enter("ticket_by_number")?;
        self.inner.ticket_by_number(tenant, number).await
    }
    async fn timeline(&self, ticket: TicketId) -> StoreResult<Vec<TimelineEvent>> {
        self.enter("timeline")?;
        self.inner.timeline(ticket).await
    }
    async fn attachments(&self, ticket: TicketId) -> StoreResult<Vec<Attachment>> {
        self.enter("attachments")?;
        self.inner.attachments(ticket).await
    }
    async fn timeline_in(
        &self,
        tenant: TenantId,
        ticket: TicketId,
    ) -> StoreResult<Vec<TimelineEvent>> {
        self.enter("timeline")?;
        self.inner.timeline_in(tenant, ticket).await
    }
    async fn event_in(
        &self,
        tenant: TenantId,
        ticket: TicketId,
        event: crate::ids::EventId,
    ) -> StoreResult<Option<TimelineEvent>> {
        self.enter("timeline")?;
        self.inner.event_in(tenant, ticket, event).await
    }
    async fn attachments_in(
        &self,
        tenant: TenantId,
        ticket: TicketId,
    ) -> StoreResult<Vec<Attachment>> {
        self.enter("attachments")?;
        self.inner.attachments_in(tenant, ticket).await
    }
    async fn attachment(&self, id: AttachmentId) -> StoreResult<Option<Attachment>> {
        self.enter("attachment")?;
        self.inner.attachment(id).await
    }
    async fn attachment_among(
        &self,
        tenants: &[TenantId],
        id: AttachmentId,
    ) -> StoreResult<Option<Attachment>> {
        self.enter("attachment")?;
        self.inner.attachment_among(tenants, id).await
    }
    async fn search(&self, query: &SearchQuery) -> StoreResult<SearchPage> {
        self.enter("search")?;
        self.inner.search(query).await
    }
    async fn dashboard(&self, query: &DashboardQuery) -> StoreResult<Dashboard> {
        self.enter("dashboard")?;
        self.inner.dashboard(query).await
    }
    async fn dashboard_breakdown(&self, query: &DashboardQuery) -> StoreResult<Breakdown> {
        self.enter("dashboard_breakdown")?;
        self.inner.dashboard_breakdown(query).await
    }
    async fn closures_due(
        &self,
        tenant: TenantId,
        proposed_before: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<Ticket>> {
        self.enter("closures_due")?;
        self.inner
            .closures_due(tenant, proposed_before, limit)
            .await
    }
}

#[async_trait]
impl SavedSearchRepository for FaultyStore {
    async fn insert_saved_search(&self, search: &SavedSearch) -> StoreResult<()> {
        self.enter("insert_saved_search")?;
        self.wrote(self.inner.insert_saved_search(search).await)
    }
    async fn saved_searches(
        &self,
        owner: &UserId,
        tenant: Option<TenantId>,
    ) -> StoreResult<Vec<SavedSearch>> {
        self.enter("saved_searches")?;
        self.inner.saved_searches(owner, tenant).await
    }
    async fn delete_saved_search(
        &self,
        owner: &UserId,
        tenant: Option<TenantId>,
        id: SavedSearchId,
    ) -> StoreResult<bool> {
        self.enter("delete_saved_search")?;
        self.wrote(self.inner.delete_saved_search(owner, tenant, id).await)
    }
}

#[async_trait]
impl KnowledgeBaseRepository for FaultyStore {
    async fn insert_article(&self, article: &Article) -> StoreResult<()> {
        self.enter("insert_article")?;
        self.wrote(self.inner.insert_article(article).await)
    }
    async fn update_article(&self, article: &Article) -> StoreResult<()> {
        self.enter("update_article")?;
        self.wrote(self.inner.update_article(article).await)
    }
    async fn article(&self, tenant: TenantId, id: ArticleId) -> StoreResult<Option<Article>> {
        self.enter("article")?;
        self.inner.article(tenant, id).await
    }
    async fn articles(&self, tenant: TenantId) -> StoreResult<Vec<Article>> {
        self.enter("articles")?;
        self.inner.articles(tenant).await
    }
}

#[async_trait]
impl OutboxRepository for FaultyStore {
    async fn claim_due_messages(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<OutboxMessage>> {
        self.enter("claim_due_messages")?;
        self.wrote(self.inner.claim_due_messages(now, lease_until, limit).await)
    }
    async fn mark_delivered(&self, tenant: TenantId, id: OutboxId) -> StoreResult<()> {
        self.enter("mark_delivered")?;
        self.wrote(self.inner.mark_delivered(tenant, id).await)
    }
    async fn mark_failed(
        &self,
        tenant: TenantId,
        id: OutboxId,
        error: &str,
        next: AfterFailure,
    ) -> StoreResult<()> {
        self.enter("mark_failed")?;
        self.wrote(self.inner.mark_failed(tenant, id, error, next).await)
    }
    async fn outbox_message(&self, id: OutboxId) -> StoreResult<Option<OutboxMessage>> {
        self.enter("outbox_message")?;
        self.inner.outbox_message(id).await
    }
    async fn outbox_message_in(
        &self,
        tenant: TenantId,
        id: OutboxId,
    ) -> StoreResult<Option<OutboxMessage>> {
        self.enter("outbox_message_in")?;
        self.inner.outbox_message_in(tenant, id).await
    }
    async fn dead_letters(
        &self,
        tenant: Option<TenantId>,
        limit: u32,
    ) -> StoreResult<Vec<OutboxMessage>> {
        self.enter("dead_letters")?;
        self.inner.dead_letters(tenant, limit).await
    }
    async fn count_dead_letters(&self, tenant: Option<TenantId>) -> StoreResult<u64> {
        self.enter("count_dead_letters")?;
        self.inner.count_dead_letters(tenant).await
    }
    async fn retry_dead_letter(
        &self,
        tenant: TenantId,
        id: OutboxId,
        at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        self.enter("retry_dead_letter")?;
        self.wrote(self.inner.retry_dead_letter(tenant, id, at).await)
    }
}

#[async_trait]
impl crate::ports::WebhookRepository for FaultyStore {
    async fn save_webhook(&self, webhook: &crate::Webhook) -> StoreResult<()> {
        self.enter("save_webhook")?;
        self.wrote(self.inner.save_webhook(webhook).await)
    }
    async fn delete_webhook(&self, tenant: TenantId, id: crate::WebhookId) -> StoreResult<bool> {
        self.enter("delete_webhook")?;
        self.wrote(self.inner.delete_webhook(tenant, id).await)
    }
    async fn webhooks(&self, tenant: TenantId) -> StoreResult<Vec<crate::Webhook>> {
        self.enter("webhooks")?;
        self.inner.webhooks(tenant).await
    }
}

#[async_trait]
impl HealthCheck for FaultyStore {
    async fn readiness(&self) -> StoreResult<Readiness> {
        self.enter("readiness")?;
        self.inner.readiness().await
    }
}
