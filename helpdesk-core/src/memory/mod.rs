//! An in-memory implementation of every port: for tests, demos and hosts that want no
//! database. Everything lives behind one lock, so each write is atomic; nothing survives
//! the process.

mod dashboard;
mod directory;
mod outbox;
mod search;

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::attachment::Attachment;
use crate::catalog::{Category, Product};
use crate::dashboard::{Breakdown, Dashboard, DashboardQuery};
use crate::error::{Entity, Error, StoreError};
use crate::ids::{
    ArticleId, AttachmentId, CategoryId, GroupId, MemberId, OutboxId, ProductId, SavedSearchId,
    StaffId, TenantId, TicketId, TicketNumber,
};
use crate::knowledge::Article;
use crate::people::{Group, Member, Staff, UserId};
use crate::ports::{
    HealthCheck, KnowledgeBaseRepository, SavedSearchRepository, StoreResult, TenantRepository,
    TicketChange, TicketRepository,
};
use crate::search::{SavedSearch, SearchPage, SearchQuery};
use crate::tenant::Tenant;
use crate::ticket::{Ticket, TicketState};
use crate::timeline::TimelineEvent;

#[derive(Debug, Default)]
struct State {
    tenants: BTreeMap<TenantId, Tenant>,
    members: BTreeMap<MemberId, Member>,
    staff: BTreeMap<StaffId, Staff>,
    groups: BTreeMap<GroupId, Group>,
    categories: BTreeMap<CategoryId, Category>,
    products: BTreeMap<ProductId, Product>,
    tickets: BTreeMap<TicketId, Ticket>,
    request_fingerprints: BTreeMap<TicketId, String>,
    last_numbers: BTreeMap<TenantId, TicketNumber>,
    timelines: BTreeMap<TicketId, Vec<TimelineEvent>>,
    attachments: BTreeMap<AttachmentId, Attachment>,
    outbox: BTreeMap<OutboxId, outbox::Queued>,
    saved_searches: BTreeMap<SavedSearchId, SavedSearch>,
    articles: BTreeMap<ArticleId, Article>,
    webhooks: BTreeMap<crate::WebhookId, crate::Webhook>,
}

/// Every port, in memory.
#[derive(Debug, Default)]
pub struct MemoryStore {
    state: Mutex<State>,
    fail_next_ticket_write: AtomicBool,
    member_writes: std::sync::atomic::AtomicUsize,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Makes the next ticket write fail with a storage error, writing nothing: for tests
    /// that prove a fault loses nothing and leaves no trace.
    pub fn fail_next_ticket_write(&self) {
        self.fail_next_ticket_write.store(true, Ordering::SeqCst);
    }

    /// How many member writes (inserts and updates) the store has accepted: for tests
    /// that prove a use case writes only when something changed.
    pub fn member_writes(&self) -> usize {
        self.member_writes.load(Ordering::SeqCst)
    }

    /// How many outbox messages wait, delivered or not yet due included.
    pub fn outbox_len(&self) -> usize {
        self.lock().outbox.len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn injected_failure(&self) -> StoreResult<()> {
        if self.fail_next_ticket_write.swap(false, Ordering::SeqCst) {
            Err(StoreError::new("injected failure").into())
        } else {
            Ok(())
        }
    }
}

fn sorted<T: Clone, K: Ord>(items: impl Iterator<Item = T>, key: impl Fn(&T) -> K) -> Vec<T> {
    let mut v: Vec<T> = items.collect();
    v.sort_by_key(|x| key(x));
    v
}

#[async_trait]
impl TenantRepository for MemoryStore {
    async fn insert_tenant(&self, tenant: &Tenant) -> StoreResult<()> {
        let mut s = self.lock();
        if s.tenants.values().any(|t| t.slug == tenant.slug) || s.tenants.contains_key(&tenant.id) {
            return Err(Error::AlreadyExists(Entity::Tenant));
        }
        s.tenants.insert(tenant.id, tenant.clone());
        Ok(())
    }

    async fn update_tenant(&self, tenant: &Tenant) -> StoreResult<()> {
        let mut s = self.lock();
        let current = s
            .tenants
            .get_mut(&tenant.id)
            .ok_or(Error::NotFound(Entity::Tenant))?;
        current.name.clone_from(&tenant.name);
        current.settings = tenant.settings.clone();
        Ok(())
    }

    async fn tenant(&self, id: TenantId) -> StoreResult<Option<Tenant>> {
        Ok(self.lock().tenants.get(&id).cloned())
    }

    async fn tenant_by_slug(&self, slug: &str) -> StoreResult<Option<Tenant>> {
        Ok(self
            .lock()
            .tenants
            .values()
            .find(|t| t.slug == slug)
            .cloned())
    }

    async fn tenants(&self) -> StoreResult<Vec<Tenant>> {
        Ok(sorted(self.lock().tenants.values().cloned(), |t| {
            t.slug.clone()
        }))
    }
}

fn write_rest(s: &mut State, change: &TicketChange<'_>) {
    s.timelines
        .entry(change.ticket.id)
        .or_default()
        .extend(change.events.iter().cloned());
    for message in change.outbox {
        s.outbox
            .insert(message.id, outbox::Queued::new(message.clone()));
    }
    for attachment in change.attachments {
        s.attachments.insert(attachment.id, attachment.clone());
    }
}

#[async_trait]
impl TicketRepository for MemoryStore {
    async fn open_ticket(&self, change: TicketChange<'_>) -> StoreResult<TicketNumber> {
        self.injected_failure()?;
        let mut s = self.lock();
        if s.tickets.contains_key(&change.ticket.id) {
            let stored = s.request_fingerprints.get(&change.ticket.id);
            return Err(
                if stored.map(String::as_str) == change.request_fingerprint {
                    Error::AlreadyExists(Entity::Ticket)
                } else {
                    Error::IdempotencyKeyReused
                },
            );
        }
        let tenant = change.ticket.tenant;
        let number = s
            .last_numbers
            .get(&tenant)
            .map_or(TicketNumber::FIRST, |n| n.next());
        s.last_numbers.insert(tenant, number);
        let mut ticket = change.ticket.clone();
        ticket.number = number;
        if let Some(fingerprint) = change.request_fingerprint {
            s.request_fingerprints
                .insert(ticket.id, fingerprint.to_owned());
        }
        s.tickets.insert(ticket.id, ticket);
        write_rest(&mut s, &change);
        Ok(number)
    }

    async fn save_ticket(&self, change: TicketChange<'_>) -> StoreResult<()> {
        self.injected_failure()?;
        let mut s = self.lock();
        let stored = s
            .tickets
            .get_mut(&change.ticket.id)
            .ok_or(Error::NotFound(Entity::Ticket))?;
        if stored.version != change.expected_version {
            return Err(Error::VersionConflict {
                expected: change.expected_version,
                actual: stored.version,
            });
        }
        *stored = Ticket {
            number: stored.number,
            tenant: stored.tenant,
            ..change.ticket.clone()
        };
        write_rest(&mut s, &change);
        Ok(())
    }

    async fn ticket(&self, id: TicketId) -> StoreResult<Option<Ticket>> {
        Ok(self.lock().tickets.get(&id).cloned())
    }

    async fn ticket_by_number(
        &self,
        tenant: TenantId,
        number: TicketNumber,
    ) -> StoreResult<Option<Ticket>> {
        Ok(self
            .lock()
            .tickets
            .values()
            .find(|t| t.tenant == tenant && t.number == number)
            .cloned())
    }

    async fn timeline(&self, ticket: TicketId) -> StoreResult<Vec<TimelineEvent>> {
        Ok(self
            .lock()
            .timelines
            .get(&ticket)
            .cloned()
            .unwrap_or_default())
    }

    async fn attachments(&self, ticket: TicketId) -> StoreResult<Vec<Attachment>> {
        let s = self.lock();
        Ok(sorted(
            s.attachments
                .values()
                .filter(|a| a.ticket == ticket)
                .cloned(),
            |a| (a.created_at, a.id),
        ))
    }

    async fn attachment(&self, id: AttachmentId) -> StoreResult<Option<Attachment>> {
        Ok(self.lock().attachments.get(&id).cloned())
    }

    async fn search(&self, query: &SearchQuery) -> StoreResult<SearchPage> {
        query.check_cursor()?;
        Ok(search::search(&self.lock(), query))
    }

    async fn dashboard(&self, query: &DashboardQuery) -> StoreResult<Dashboard> {
        Ok(dashboard::dashboard(&self.lock(), query))
    }

    async fn dashboard_breakdown(&self, query: &DashboardQuery) -> StoreResult<Breakdown> {
        Ok(dashboard::breakdown(&self.lock(), query))
    }

    async fn closures_due(
        &self,
        tenant: TenantId,
        proposed_before: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<Ticket>> {
        let s = self.lock();
        let mut due: Vec<(DateTime<Utc>, Ticket)> = s
            .tickets
            .values()
            .filter(|t| t.tenant == tenant)
            .filter_map(|t| match t.state {
                TicketState::PendingClosure { proposed_at, .. }
                    if proposed_at <= proposed_before =>
                {
                    Some((proposed_at, t.clone()))
                }
                _ => None,
            })
            .collect();
        due.sort_by_key(|a| (a.0, a.1.id));
        Ok(due
            .into_iter()
            .take(limit as usize)
            .map(|(_, t)| t)
            .collect())
    }
}

#[async_trait]
impl SavedSearchRepository for MemoryStore {
    async fn insert_saved_search(&self, search: &SavedSearch) -> StoreResult<()> {
        self.lock().saved_searches.insert(search.id, search.clone());
        Ok(())
    }

    async fn saved_searches(
        &self,
        owner: &UserId,
        tenant: Option<TenantId>,
    ) -> StoreResult<Vec<SavedSearch>> {
        let s = self.lock();
        Ok(sorted(
            s.saved_searches
                .values()
                .filter(|x| &x.owner == owner && x.tenant == tenant)
                .cloned(),
            |x| (x.name.clone(), x.id),
        ))
    }

    async fn delete_saved_search(
        &self,
        owner: &UserId,
        tenant: Option<TenantId>,
        id: SavedSearchId,
    ) -> StoreResult<bool> {
        let mut s = self.lock();
        if s.saved_searches
            .get(&id)
            .is_some_and(|x| &x.owner == owner && x.tenant == tenant)
        {
            s.saved_searches.remove(&id);
            Ok(true)
        } else {
            Ok(false)
        }
    }
}

#[async_trait]
impl crate::ports::WebhookRepository for MemoryStore {
    async fn save_webhook(&self, webhook: &crate::Webhook) -> StoreResult<()> {
        let mut s = self.lock();
        let id = webhook.endpoint.id;
        if s.webhooks
            .get(&id)
            .is_none_or(|w| w.endpoint.tenant == webhook.endpoint.tenant)
        {
            s.webhooks.insert(id, webhook.clone());
        }
        Ok(())
    }

    async fn delete_webhook(&self, tenant: TenantId, id: crate::WebhookId) -> StoreResult<bool> {
        let mut s = self.lock();
        if s.webhooks
            .get(&id)
            .is_some_and(|w| w.endpoint.tenant == tenant)
        {
            s.webhooks.remove(&id);
            Ok(true)
        } else {
            Ok(false)
        }
    }

    async fn webhooks(&self, tenant: TenantId) -> StoreResult<Vec<crate::Webhook>> {
        let s = self.lock();
        Ok(sorted(
            s.webhooks
                .values()
                .filter(|w| w.endpoint.tenant == tenant)
                .cloned(),
            |w| (w.endpoint.created_at, w.endpoint.id),
        ))
    }
}

#[async_trait]
impl KnowledgeBaseRepository for MemoryStore {
    async fn insert_article(&self, article: &Article) -> StoreResult<()> {
        let mut s = self.lock();
        if s.articles.contains_key(&article.id) {
            return Err(Error::AlreadyExists(Entity::Article));
        }
        s.articles.insert(article.id, article.clone());
        Ok(())
    }

    async fn update_article(&self, article: &Article) -> StoreResult<()> {
        let mut s = self.lock();
        match s.articles.get_mut(&article.id) {
            Some(a) if a.tenant == article.tenant => {
                *a = article.clone();
                Ok(())
            }
            _ => Err(Error::NotFound(Entity::Article)),
        }
    }

    async fn article(&self, tenant: TenantId, id: ArticleId) -> StoreResult<Option<Article>> {
        Ok(self
            .lock()
            .articles
            .get(&id)
            .filter(|a| a.tenant == tenant)
            .cloned())
    }

    async fn articles(&self, tenant: TenantId) -> StoreResult<Vec<Article>> {
        let s = self.lock();
        Ok(sorted(
            s.articles.values().filter(|a| a.tenant == tenant).cloned(),
            |a| (a.title.clone(), a.id),
        ))
    }
}

/// Always ready: there is nothing to reach and no schema.
impl HealthCheck for MemoryStore {}

/// Attachment bytes in memory.
#[derive(Debug, Default)]
pub struct MemoryBlobStore {
    blobs: Mutex<BTreeMap<AttachmentId, Vec<u8>>>,
}

impl MemoryBlobStore {
    /// An empty blob store.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<AttachmentId, Vec<u8>>> {
        self.blobs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[async_trait]
impl crate::BlobStore for MemoryBlobStore {
    async fn put(&self, id: AttachmentId, bytes: &[u8]) -> Result<(), StoreError> {
        let mut blobs = self.lock();
        if blobs.contains_key(&id) {
            return Err(StoreError::new(format!("blob {id} already stored")));
        }
        blobs.insert(id, bytes.to_vec());
        Ok(())
    }

    async fn get(&self, id: AttachmentId) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.lock().get(&id).cloned())
    }

    async fn delete(&self, id: AttachmentId) -> Result<(), StoreError> {
        self.lock().remove(&id);
        Ok(())
    }
}
