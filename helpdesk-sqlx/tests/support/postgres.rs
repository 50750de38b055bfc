//! PostgreSQL for tests: `HELPDESK_TEST_POSTGRES_URL` names a server; each test gets a
//! database of its own, created from that URL and dropped when the test is done, so tests
//! run in parallel. Without the variable tests say loudly that they skipped; under
//! `CI=true` they fail instead.

use std::io::Write as _;
use std::str::FromStr;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use helpdesk_core::{
    Article, ArticleId, Attachment, AttachmentId, CatalogRepository, Category, CategoryId,
    Dashboard, DashboardQuery, DirectoryRepository, Group, GroupId, KnowledgeBaseRepository,
    Member, MemberId, OutboxId, OutboxMessage, OutboxRepository, Product, ProductId, SavedSearch,
    SavedSearchId, SavedSearchRepository, SearchPage, SearchQuery, Staff, StaffId, StoreResult,
    Tenant, TenantId, TenantRepository, Ticket, TicketChange, TicketId, TicketNumber,
    TicketRepository, TimelineEvent, UserId,
};
use helpdesk_sqlx::PostgresStore;
use helpdesk_sqlx::sqlx::postgres::{PgConnectOptions, PgConnection, PgPoolOptions};
use helpdesk_sqlx::sqlx::{self, AssertSqlSafe, ConnectOptions, Connection};

pub const VAR: &str = "HELPDESK_TEST_POSTGRES_URL";

/// The server URL, or none after saying loudly that `what` is skipped. Under `CI=true`
/// a missing URL fails the test: CI never skips PostgreSQL.
pub fn url(what: &str) -> Option<String> {
    match std::env::var(VAR) {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            skipped(what);
            None
        }
    }
}

/// Says loudly that `what` was skipped, or fails under `CI=true`.
pub fn skipped(what: &str) {
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("CI=true but {VAR} is not set: {what} must run on PostgreSQL under CI");
    }
    // Straight to the process's stderr: libtest captures `eprintln!` of passing tests.
    let _ = writeln!(
        std::io::stderr(),
        "\n\
         ****************************************************************\n\
         SKIPPED on PostgreSQL: {what}\n\
         set {VAR} (e.g. postgres://postgres@127.0.0.1:5432/test) to run it\n\
         ****************************************************************\n"
    );
}

/// A database of its own on the test server, dropped when this value is.
pub struct TestDatabase {
    name: String,
    server: PgConnectOptions,
    pub options: PgConnectOptions,
}

impl TestDatabase {
    /// Creates an empty database on the server at `url`; an unreachable server fails.
    pub async fn create(url: &str) -> Self {
        let server = PgConnectOptions::from_str(url)
            .unwrap_or_else(|e| panic!("{VAR} is not a PostgreSQL URL: {e}"));
        let name = format!("helpdesk_test_{}", uuid::Uuid::now_v7().simple());
        let mut conn = server
            .connect()
            .await
            .unwrap_or_else(|e| panic!("PostgreSQL at {url} is unreachable: {e}"));
        // The name is ours: a fixed prefix and hex digits.
        sqlx::raw_sql(AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut conn)
            .await
            .unwrap_or_else(|e| panic!("creating test database {name}: {e}"));
        let _ = conn.close().await;
        Self {
            options: server.clone().database(&name),
            name,
            server,
        }
    }

    /// A new store with a pool of its own: each one is like another app instance.
    pub async fn store(&self) -> PostgresStore {
        PostgresStore::connect_with(self.options.clone())
            .await
            .expect("connecting to the test database")
    }

    /// A connection of its own, for raw SQL.
    pub async fn connection(&self) -> PgConnection {
        PgConnection::connect_with(&self.options)
            .await
            .expect("connecting to the test database")
    }

    /// A pool on the database that is not ours, as a host would have.
    pub async fn host_pool(&self) -> sqlx::PgPool {
        PgPoolOptions::new()
            .connect_with(self.options.clone())
            .await
            .expect("connecting to the test database")
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let server = self.server.clone();
        let name = self.name.clone();
        // Drop runs inside the test's runtime; the database goes on a thread of its own.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            runtime.block_on(async {
                let mut conn = server.connect().await?;
                sqlx::raw_sql(AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                )))
                .execute(&mut conn)
                .await?;
                conn.close().await
            })?;
            Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
        })
        .join();
        if let Ok(Err(e)) = dropped {
            eprintln!("could not drop test database {}: {e}", self.name);
        }
    }
}

/// A PostgreSQL store on a database of its own, which goes when the store does.
pub struct TestStore {
    pub store: PostgresStore,
    pub database: TestDatabase,
}

/// A fresh, migrated PostgreSQL store in a database of its own: the setup the
/// conformance suite calls for every test.
pub async fn fresh() -> std::sync::Arc<TestStore> {
    let url = url("the conformance suite").expect("built with a PostgreSQL URL");
    let database = TestDatabase::create(&url).await;
    let store = database.store().await;
    store.migrate().await.expect("migrating PostgreSQL");
    std::sync::Arc::new(TestStore { store, database })
}

// Every port, handed to the store inside.

#[async_trait]
impl TenantRepository for TestStore {
    async fn insert_tenant(&self, tenant: &Tenant) -> StoreResult<()> {
        self.store.insert_tenant(tenant).await
    }
    async fn update_tenant(&self, tenant: &Tenant) -> StoreResult<()> {
        self.store.update_tenant(tenant).await
    }
    async fn tenant(&self, id: TenantId) -> StoreResult<Option<Tenant>> {
        self.store.tenant(id).await
    }
    async fn tenant_by_slug(&self, slug: &str) -> StoreResult<Option<Tenant>> {
        self.store.tenant_by_slug(slug).await
    }
    async fn tenants(&self) -> StoreResult<Vec<Tenant>> {
        self.store.tenants().await
    }
}

#[async_trait]
impl DirectoryRepository for TestStore {
    async fn insert_member(&self, member: &Member) -> StoreResult<()> {
        self.store.insert_member(member).await
    }
    async fn update_member(&self, member: &Member) -> StoreResult<()> {
        self.store.update_member(member).await
    }
    async fn member(&self, tenant: TenantId, id: MemberId) -> StoreResult<Option<Member>> {
        self.store.member(tenant, id).await
    }
    async fn member_by_user(&self, tenant: TenantId, user: &UserId) -> StoreResult<Option<Member>> {
        self.store.member_by_user(tenant, user).await
    }
    async fn members(&self, tenant: TenantId) -> StoreResult<Vec<Member>> {
        self.store.members(tenant).await
    }
    async fn insert_staff(&self, staff: &Staff) -> StoreResult<()> {
        self.store.insert_staff(staff).await
    }
    async fn update_staff(&self, staff: &Staff, expected: &Staff) -> StoreResult<()> {
        self.store.update_staff(staff, expected).await
    }
    async fn staff(&self, id: StaffId) -> StoreResult<Option<Staff>> {
        self.store.staff(id).await
    }
    async fn staff_by_user(&self, user: &UserId) -> StoreResult<Option<Staff>> {
        self.store.staff_by_user(user).await
    }
    async fn all_staff(&self) -> StoreResult<Vec<Staff>> {
        self.store.all_staff().await
    }
    async fn insert_group(&self, group: &Group) -> StoreResult<()> {
        self.store.insert_group(group).await
    }
    async fn update_group(&self, group: &Group) -> StoreResult<()> {
        self.store.update_group(group).await
    }
    async fn group(&self, id: GroupId) -> StoreResult<Option<Group>> {
        self.store.group(id).await
    }
    async fn groups(&self) -> StoreResult<Vec<Group>> {
        self.store.groups().await
    }
}

#[async_trait]
impl CatalogRepository for TestStore {
    async fn insert_category(&self, category: &Category) -> StoreResult<()> {
        self.store.insert_category(category).await
    }
    async fn update_category(&self, category: &Category) -> StoreResult<()> {
        self.store.update_category(category).await
    }
    async fn category(&self, tenant: TenantId, id: CategoryId) -> StoreResult<Option<Category>> {
        self.store.category(tenant, id).await
    }
    async fn categories(&self, tenant: TenantId) -> StoreResult<Vec<Category>> {
        self.store.categories(tenant).await
    }
    async fn insert_product(&self, product: &Product) -> StoreResult<()> {
        self.store.insert_product(product).await
    }
    async fn update_product(&self, product: &Product) -> StoreResult<()> {
        self.store.update_product(product).await
    }
    async fn product(&self, tenant: TenantId, id: ProductId) -> StoreResult<Option<Product>> {
        self.store.product(tenant, id).await
    }
    async fn products(&self, tenant: TenantId) -> StoreResult<Vec<Product>> {
        self.store.products(tenant).await
    }
}

#[async_trait]
impl TicketRepository for TestStore {
    async fn open_ticket(&self, change: TicketChange<'_>) -> StoreResult<TicketNumber> {
        self.store.open_ticket(change).await
    }
    async fn save_ticket(&self, change: TicketChange<'_>) -> StoreResult<()> {
        self.store.save_ticket(change).await
    }
    async fn ticket(&self, id: TicketId) -> StoreResult<Option<Ticket>> {
        self.store.ticket(id).await
    }
    async fn ticket_by_number(
        &self,
        tenant: TenantId,
        number: TicketNumber,
    ) -> StoreResult<Option<Ticket>> {
        self.store.ticket_by_number(tenant, number).await
    }
    async fn timeline(&self, ticket: TicketId) -> StoreResult<Vec<TimelineEvent>> {
        self.store.timeline(ticket).await
    }
    async fn attachments(&self, ticket: TicketId) -> StoreResult<Vec<Attachment>> {
        self.store.attachments(ticket).await
    }
    async fn attachment(&self, id: AttachmentId) -> StoreResult<Option<Attachment>> {
        self.store.attachment(id).await
    }
    async fn search(&self, query: &SearchQuery) -> StoreResult<SearchPage> {
        self.store.search(query).await
    }
    async fn dashboard(&self, query: &DashboardQuery) -> StoreResult<Dashboard> {
        self.store.dashboard(query).await
    }
    async fn dashboard_breakdown(
        &self,
        query: &DashboardQuery,
    ) -> StoreResult<helpdesk_core::Breakdown> {
        self.store.dashboard_breakdown(query).await
    }
    async fn closures_due(
        &self,
        tenant: TenantId,
        proposed_before: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<Ticket>> {
        self.store
            .closures_due(tenant, proposed_before, limit)
            .await
    }
}

#[async_trait]
impl SavedSearchRepository for TestStore {
    async fn insert_saved_search(&self, search: &SavedSearch) -> StoreResult<()> {
        self.store.insert_saved_search(search).await
    }
    async fn saved_searches(
        &self,
        owner: &UserId,
        tenant: Option<TenantId>,
    ) -> StoreResult<Vec<SavedSearch>> {
        self.store.saved_searches(owner, tenant).await
    }
    async fn delete_saved_search(&self, owner: &UserId, id: SavedSearchId) -> StoreResult<bool> {
        self.store.delete_saved_search(owner, id).await
    }
}

#[async_trait]
impl KnowledgeBaseRepository for TestStore {
    async fn insert_article(&self, article: &Article) -> StoreResult<()> {
        self.store.insert_article(article).await
    }
    async fn update_article(&self, article: &Article) -> StoreResult<()> {
        self.store.update_article(article).await
    }
    async fn article(&self, tenant: TenantId, id: ArticleId) -> StoreResult<Option<Article>> {
        self.store.article(tenant, id).await
    }
    async fn articles(&self, tenant: TenantId) -> StoreResult<Vec<Article>> {
        self.store.articles(tenant).await
    }
}

#[async_trait]
impl OutboxRepository for TestStore {
    async fn due_messages(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<OutboxMessage>> {
        self.store.due_messages(now, limit).await
    }
    async fn mark_delivered(&self, id: OutboxId) -> StoreResult<()> {
        self.store.mark_delivered(id).await
    }
    async fn mark_failed(
        &self,
        id: OutboxId,
        error: &str,
        retry_at: DateTime<Utc>,
    ) -> StoreResult<()> {
        self.store.mark_failed(id, error, retry_at).await
    }
}

#[async_trait]
impl helpdesk_core::HealthCheck for TestStore {
    async fn readiness(&self) -> StoreResult<helpdesk_core::Readiness> {
        self.store.readiness().await
    }
}
