//! An in-memory implementation of every port: for tests, demos and hosts that want no
//! database. Everything lives behind one lock, so each write is atomic; nothing survives
//! the process.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::attachment::Attachment;
use crate::catalog::{Category, Product};
use crate::dashboard::{
    AgentLine, Breakdown, Dashboard, DashboardQuery, GroupLine, LineCounts, MonthCount,
};
use crate::error::{Entity, Error, StoreError};
use crate::ids::{
    ArticleId, AttachmentId, CategoryId, GroupId, MemberId, OutboxId, ProductId, SavedSearchId,
    StaffId, TenantId, TicketId, TicketNumber,
};
use crate::knowledge::Article;
use crate::notify::OutboxMessage;
use crate::people::{Group, Member, MemberQuery, Staff, UserId};
use crate::ports::{
    CatalogRepository, DirectoryRepository, HealthCheck, KnowledgeBaseRepository, OutboxRepository,
    SavedSearchRepository, StoreResult, TenantRepository, TicketChange, TicketRepository,
};
use crate::questionnaire::{Answer, QuestionKind};
use crate::search::{SavedSearch, SearchPage, SearchQuery, contains_all, searchable_words};
use crate::status::Status;
use crate::tenant::Tenant;
use crate::ticket::{Closure, Ticket, TicketState};
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
    outbox: BTreeMap<OutboxId, OutboxMessage>,
    saved_searches: BTreeMap<SavedSearchId, SavedSearch>,
    articles: BTreeMap<ArticleId, Article>,
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

#[async_trait]
impl DirectoryRepository for MemoryStore {
    async fn insert_member(&self, member: &Member) -> StoreResult<()> {
        let mut s = self.lock();
        let taken = s
            .members
            .values()
            .any(|m| m.tenant == member.tenant && m.user == member.user);
        if taken || s.members.contains_key(&member.id) {
            return Err(Error::AlreadyExists(Entity::Member));
        }
        if !s.tenants.contains_key(&member.tenant) {
            return Err(Error::NotFound(Entity::Tenant));
        }
        s.members.insert(member.id, member.clone());
        self.member_writes.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }

    async fn update_member(&self, member: &Member) -> StoreResult<()> {
        let mut s = self.lock();
        match s.members.get_mut(&member.id) {
            Some(m) if m.tenant == member.tenant => {
                *m = Member {
                    user: m.user.clone(),
                    ..member.clone()
                };
                self.member_writes.fetch_add(1, Ordering::SeqCst);
                Ok(())
            }
            _ => Err(Error::NotFound(Entity::Member)),
        }
    }

    async fn member(&self, tenant: TenantId, id: MemberId) -> StoreResult<Option<Member>> {
        Ok(self
            .lock()
            .members
            .get(&id)
            .filter(|m| m.tenant == tenant)
            .cloned())
    }

    async fn member_by_user(&self, tenant: TenantId, user: &UserId) -> StoreResult<Option<Member>> {
        Ok(self
            .lock()
            .members
            .values()
            .find(|m| m.tenant == tenant && &m.user == user)
            .cloned())
    }

    async fn members(&self, tenant: TenantId) -> StoreResult<Vec<Member>> {
        let s = self.lock();
        Ok(sorted(
            s.members.values().filter(|m| m.tenant == tenant).cloned(),
            |m| (m.display_name.clone(), m.id),
        ))
    }

    async fn find_members(&self, query: &MemberQuery) -> StoreResult<Vec<Member>> {
        let s = self.lock();
        let mut found = sorted(
            s.members.values().filter(|m| query.matches(m)).cloned(),
            |m| (m.display_name.clone(), m.id),
        );
        found.truncate(usize::try_from(query.limit).unwrap_or(usize::MAX));
        Ok(found)
    }

    async fn insert_staff(&self, staff: &Staff) -> StoreResult<()> {
        let mut s = self.lock();
        if s.staff.values().any(|x| x.user == staff.user) || s.staff.contains_key(&staff.id) {
            return Err(Error::AlreadyExists(Entity::Staff));
        }
        s.staff.insert(staff.id, staff.clone());
        Ok(())
    }

    async fn update_staff(&self, staff: &Staff, expected: &Staff) -> StoreResult<()> {
        let mut s = self.lock();
        let current = s
            .staff
            .get_mut(&staff.id)
            .ok_or(Error::NotFound(Entity::Staff))?;
        if current != expected {
            return Err(Error::ConcurrentUpdate(Entity::Staff));
        }
        *current = Staff {
            user: current.user.clone(),
            ..staff.clone()
        };
        Ok(())
    }

    async fn staff(&self, id: StaffId) -> StoreResult<Option<Staff>> {
        Ok(self.lock().staff.get(&id).cloned())
    }

    async fn staff_by_user(&self, user: &UserId) -> StoreResult<Option<Staff>> {
        Ok(self
            .lock()
            .staff
            .values()
            .find(|s| &s.user == user)
            .cloned())
    }

    async fn all_staff(&self) -> StoreResult<Vec<Staff>> {
        Ok(sorted(self.lock().staff.values().cloned(), |s| {
            (s.display_name.clone(), s.id)
        }))
    }

    async fn insert_group(&self, group: &Group) -> StoreResult<()> {
        let mut s = self.lock();
        if s.groups.contains_key(&group.id) {
            return Err(Error::AlreadyExists(Entity::Group));
        }
        s.groups.insert(group.id, group.clone());
        Ok(())
    }

    async fn update_group(&self, group: &Group) -> StoreResult<()> {
        let mut s = self.lock();
        let current = s
            .groups
            .get_mut(&group.id)
            .ok_or(Error::NotFound(Entity::Group))?;
        *current = group.clone();
        Ok(())
    }

    async fn group(&self, id: GroupId) -> StoreResult<Option<Group>> {
        Ok(self.lock().groups.get(&id).cloned())
    }

    async fn groups(&self) -> StoreResult<Vec<Group>> {
        Ok(sorted(self.lock().groups.values().cloned(), |g| {
            (g.name.clone(), g.id)
        }))
    }
}

#[async_trait]
impl CatalogRepository for MemoryStore {
    async fn insert_category(&self, category: &Category) -> StoreResult<()> {
        let mut s = self.lock();
        if s.categories.contains_key(&category.id) {
            return Err(Error::AlreadyExists(Entity::Category));
        }
        s.categories.insert(category.id, category.clone());
        Ok(())
    }

    async fn update_category(&self, category: &Category) -> StoreResult<()> {
        let mut s = self.lock();
        match s.categories.get_mut(&category.id) {
            Some(c) if c.tenant == category.tenant => {
                *c = category.clone();
                Ok(())
            }
            _ => Err(Error::NotFound(Entity::Category)),
        }
    }

    async fn category(&self, tenant: TenantId, id: CategoryId) -> StoreResult<Option<Category>> {
        Ok(self
            .lock()
            .categories
            .get(&id)
            .filter(|c| c.tenant == tenant)
            .cloned())
    }

    async fn categories(&self, tenant: TenantId) -> StoreResult<Vec<Category>> {
        let s = self.lock();
        Ok(sorted(
            s.categories
                .values()
                .filter(|c| c.tenant == tenant)
                .cloned(),
            |c| (c.name.clone(), c.id),
        ))
    }

    async fn insert_product(&self, product: &Product) -> StoreResult<()> {
        let mut s = self.lock();
        if s.products.contains_key(&product.id) {
            return Err(Error::AlreadyExists(Entity::Product));
        }
        s.products.insert(product.id, product.clone());
        Ok(())
    }

    async fn update_product(&self, product: &Product) -> StoreResult<()> {
        let mut s = self.lock();
        match s.products.get_mut(&product.id) {
            Some(p) if p.tenant == product.tenant => {
                *p = product.clone();
                Ok(())
            }
            _ => Err(Error::NotFound(Entity::Product)),
        }
    }

    async fn product(&self, tenant: TenantId, id: ProductId) -> StoreResult<Option<Product>> {
        Ok(self
            .lock()
            .products
            .get(&id)
            .filter(|p| p.tenant == tenant)
            .cloned())
    }

    async fn products(&self, tenant: TenantId) -> StoreResult<Vec<Product>> {
        let s = self.lock();
        Ok(sorted(
            s.products.values().filter(|p| p.tenant == tenant).cloned(),
            |p| (p.name.clone(), p.id),
        ))
    }
}

fn write_rest(s: &mut State, change: &TicketChange<'_>) {
    s.timelines
        .entry(change.ticket.id)
        .or_default()
        .extend(change.events.iter().cloned());
    for message in change.outbox {
        s.outbox.insert(message.id, message.clone());
    }
    for attachment in change.attachments {
        s.attachments.insert(attachment.id, attachment.clone());
    }
}

fn archived(s: &State, ticket: &Ticket, now: DateTime<Utc>) -> bool {
    s.tenants
        .get(&ticket.tenant)
        .is_some_and(|t| ticket.is_archived(t.settings.archive_delay, now))
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
        let s = self.lock();
        let words = query.criteria.contains_words();
        let internal = query.sees_internal();
        let mut found: Vec<&Ticket> = s
            .tickets
            .values()
            .filter(|t| query.matches_filters(t))
            .filter(|t| query.criteria.include_archived || !archived(&s, t, query.now))
            .filter(|t| {
                words.is_empty() || {
                    let timeline = s.timelines.get(&t.id).map(Vec::as_slice).unwrap_or(&[]);
                    contains_all(&words, &searchable_words(t, timeline, internal))
                }
            })
            .collect();
        let total = found.len() as u64;
        found.retain(|t| query.matches_fields(t));
        let sort = query.criteria.sort;
        found.sort_by(|a, b| sort.compare(a, b, internal));
        let limit = query.page.limit as usize;
        let more = found.len() > limit;
        let tickets: Vec<Ticket> = found.into_iter().take(limit).cloned().collect();
        let next = if more {
            tickets.last().map(|t| query.cursor_after(t))
        } else {
            None
        };
        Ok(SearchPage {
            tickets,
            total,
            next,
        })
    }

    async fn dashboard(&self, query: &DashboardQuery) -> StoreResult<Dashboard> {
        let s = self.lock();
        let mut dashboard = Dashboard::default();
        for status in Status::ALL {
            dashboard.by_status.insert(status, 0);
        }
        let first = query.first_month();
        let mut month = first;
        for _ in 0..query.months {
            dashboard
                .opened_per_month
                .push(MonthCount { month, opened: 0 });
            month = month.next();
        }
        let mut score_sum = 0u64;
        let mut scored = 0u64;
        let tickets = s.tickets.values().filter(|t| {
            query.scope.admits(t)
                && query.tenant.is_none_or(|x| x == t.tenant)
                && query.assignee.is_none_or(|a| Some(a) == t.assignee)
        });
        for t in tickets {
            *dashboard.by_status.entry(t.status()).or_default() += 1;
            let opened = crate::dashboard::Month::of(t.created_at);
            if let Some(slot) = dashboard
                .opened_per_month
                .iter_mut()
                .find(|m| m.month == opened)
            {
                slot.opened += 1;
            }
            let TicketState::Closed {
                closure: Closure::Approved { answers, .. },
                ..
            } = &t.state
            else {
                continue;
            };
            let Some(tenant) = s.tenants.get(&t.tenant) else {
                continue;
            };
            dashboard.satisfaction.answered += 1;
            let questionnaire = &tenant.settings.questionnaire;
            if let Some(Answer::Score(score)) =
                questionnaire.score_key().and_then(|k| answers.get(k))
            {
                score_sum += u64::from(*score);
                scored += 1;
            }
            for q in &questionnaire.questions {
                if let (QuestionKind::Choice { .. }, Some(Answer::Text(choice))) =
                    (&q.kind, answers.get(&q.key))
                {
                    *dashboard
                        .satisfaction
                        .choices
                        .entry(q.key.clone())
                        .or_default()
                        .entry(choice.clone())
                        .or_default() += 1;
                }
            }
        }
        dashboard.satisfaction.average_score =
            (scored > 0).then(|| score_sum as f64 / scored as f64);
        Ok(dashboard)
    }

    async fn dashboard_breakdown(&self, query: &DashboardQuery) -> StoreResult<Breakdown> {
        /// Counts, score sum and scored closures of one line.
        #[derive(Default)]
        struct Acc {
            counts: Option<LineCounts>,
            score_sum: u64,
            scored: u64,
        }
        impl Acc {
            fn add(&mut self, t: &Ticket, score: Option<Option<u64>>) {
                let counts = self.counts.get_or_insert_with(LineCounts::zero);
                *counts.by_status.entry(t.status()).or_default() += 1;
                if let Some(score) = score {
                    counts.answered += 1;
                    if let Some(score) = score {
                        self.score_sum += score;
                        self.scored += 1;
                    }
                }
            }
            fn finish(self) -> LineCounts {
                let mut counts = self.counts.unwrap_or_else(LineCounts::zero);
                counts.average_score =
                    (self.scored > 0).then(|| self.score_sum as f64 / self.scored as f64);
                counts
            }
        }
        let s = self.lock();
        let mut agents: BTreeMap<Option<StaffId>, Acc> = BTreeMap::new();
        let mut groups: BTreeMap<Option<GroupId>, Acc> = BTreeMap::new();
        let tickets = s.tickets.values().filter(|t| {
            query.scope.admits(t)
                && query.tenant.is_none_or(|x| x == t.tenant)
                && query.assignee.is_none_or(|a| Some(a) == t.assignee)
        });
        for t in tickets {
            // An approved closure of a known tenant: answered, with its overall score.
            let score = match (&t.state, s.tenants.get(&t.tenant)) {
                (
                    TicketState::Closed {
                        closure: Closure::Approved { answers, .. },
                        ..
                    },
                    Some(tenant),
                ) => Some(
                    match tenant
                        .settings
                        .questionnaire
                        .score_key()
                        .and_then(|k| answers.get(k))
                    {
                        Some(Answer::Score(score)) => Some(u64::from(*score)),
                        _ => None,
                    },
                ),
                _ => None,
            };
            agents.entry(t.assignee).or_default().add(t, score);
            groups.entry(t.group).or_default().add(t, score);
        }
        let mut breakdown = Breakdown {
            by_agent: agents
                .into_iter()
                .map(|(agent, acc)| AgentLine {
                    agent,
                    name: String::new(),
                    counts: acc.finish(),
                })
                .collect(),
            by_group: groups
                .into_iter()
                .map(|(group, acc)| GroupLine {
                    group,
                    name: String::new(),
                    counts: acc.finish(),
                })
                .collect(),
        };
        breakdown.sort_lines();
        Ok(breakdown)
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

    async fn delete_saved_search(&self, owner: &UserId, id: SavedSearchId) -> StoreResult<bool> {
        let mut s = self.lock();
        if s.saved_searches.get(&id).is_some_and(|x| &x.owner == owner) {
            s.saved_searches.remove(&id);
            Ok(true)
        } else {
            Ok(false)
        }
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

#[async_trait]
impl OutboxRepository for MemoryStore {
    async fn due_messages(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<OutboxMessage>> {
        let s = self.lock();
        let mut due: Vec<OutboxMessage> = s
            .outbox
            .values()
            .filter(|m| m.next_attempt_at <= now)
            .cloned()
            .collect();
        due.sort_by_key(|a| (a.created_at, a.id));
        due.truncate(limit as usize);
        Ok(due)
    }

    async fn mark_delivered(&self, id: OutboxId) -> StoreResult<()> {
        self.lock().outbox.remove(&id);
        Ok(())
    }

    async fn mark_failed(
        &self,
        id: OutboxId,
        error: &str,
        retry_at: DateTime<Utc>,
    ) -> StoreResult<()> {
        if let Some(m) = self.lock().outbox.get_mut(&id) {
            m.attempts += 1;
            m.last_error = Some(error.to_owned());
            m.next_attempt_at = retry_at;
        }
        Ok(())
    }
}

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
