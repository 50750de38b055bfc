//! The administration use cases: tenants and their settings, members, categories,
//! products and knowledge-base articles (staff and groups: `staff`).

use crate::caller::Profile;
use crate::catalog::{Category, Product, would_cycle};
use crate::error::{Entity, Error, Forbidden, Result};
use crate::ids::{ArticleId, CategoryId, GroupId, MemberId, ProductId, TenantId};
use crate::knowledge::Article;
use crate::people::{Actor, Member, MemberRole, Staff, StaffRole, TenantScope, UserId};
use crate::permissions::{administers, ensure_active, is_platform_admin};
use crate::questionnaire::QuestionnaireDefinition;
use crate::tenant::{Tenant, TenantSettings};
use crate::text::{RichText, optional_line, single_line};

use super::HelpdeskService;

/// A member's details, as a host registers them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberDetails<'a> {
    /// The host's id for the user.
    pub user: &'a UserId,
    /// The name shown on tickets.
    pub display_name: &'a str,
    /// Where notifications go.
    pub email: Option<&'a str>,
    /// Their role.
    pub role: MemberRole,
}

/// A knowledge-base article as written or rewritten: what
/// [`create_article`](HelpdeskService::create_article) and
/// [`update_article`](HelpdeskService::update_article) take.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArticleDraft<'a> {
    /// The category it answers questions about, one of the tenant's; none for a
    /// general article.
    pub category: Option<CategoryId>,
    /// Its title: one line of at most 250 characters.
    pub title: &'a str,
    /// Its body, rich text sanitised under the service's [`TextPolicy`](crate::TextPolicy).
    pub body: &'a str,
    /// Whether requesters see it (and get it suggested); a draft is seen by staff and
    /// tenant admins only.
    pub published: bool,
}

impl HelpdeskService {
    /// Creates a tenant with default settings (platform admins).
    pub async fn create_tenant(&self, actor: &Actor, slug: &str, name: &str) -> Result<Tenant> {
        ensure_active(actor)?;
        Self::require(is_platform_admin(actor), Forbidden::RoleRequired)?;
        let tenant = Tenant::new(slug, name)?;
        self.store.insert_tenant(&tenant).await?;
        self.lookups.tenants_changed();
        Ok(tenant)
    }

    /// One tenant `actor` belongs to or serves.
    pub async fn tenant(&self, actor: &Actor, id: TenantId) -> Result<Tenant> {
        Self::ensure_in_tenant(actor, id)?;
        self.tenant_record(id).await
    }

    /// The tenant with this slug, if `actor` belongs to or serves it.
    pub async fn tenant_by_slug(&self, actor: &Actor, slug: &str) -> Result<Tenant> {
        let tenant = self
            .store
            .tenant_by_slug(slug)
            .await?
            .ok_or(Error::NotFound(Entity::Tenant))?;
        Self::ensure_in_tenant(actor, tenant.id)?;
        Ok(tenant)
    }

    /// The tenants `actor` belongs to or serves.
    pub async fn tenants(&self, actor: &Actor) -> Result<Vec<Tenant>> {
        ensure_active(actor)?;
        Ok(self
            .store
            .tenants()
            .await?
            .into_iter()
            .filter(|t| Self::ensure_in_tenant(actor, t.id).is_ok())
            .collect())
    }

    /// Replaces a tenant's name and settings (its admins, supervisors, platform admins):
    /// status labels, visibility policy, closure mode, windows, questionnaire, the custom
    /// fields the new-ticket form asks.
    pub async fn update_tenant(
        &self,
        actor: &Actor,
        id: TenantId,
        name: &str,
        settings: TenantSettings,
    ) -> Result<Tenant> {
        Self::ensure_administers(actor, id)?;
        settings.check()?;
        let mut tenant = self.tenant_record(id).await?;
        tenant.name = single_line("name", name, 200)?;
        let policy_changed = tenant.settings.service_levels != settings.service_levels;
        tenant.settings = settings;
        self.store.update_tenant(&tenant).await?;
        self.lookups.tenants_changed();
        if policy_changed {
            self.recompute_service_levels(&tenant).await?;
        }
        Ok(tenant)
    }

    /// Replaces only the closure questionnaire of a tenant.
    pub async fn set_questionnaire(
        &self,
        actor: &Actor,
        id: TenantId,
        questionnaire: QuestionnaireDefinition,
    ) -> Result<Tenant> {
        let tenant = self.tenant(actor, id).await?;
        let mut settings = tenant.settings;
        settings.questionnaire = questionnaire;
        self.update_tenant(actor, id, &tenant.name, settings).await
    }

    /// Registers a member of `tenant` (its admins, supervisors, platform admins).
    pub async fn add_member(
        &self,
        actor: &Actor,
        tenant: TenantId,
        details: MemberDetails<'_>,
    ) -> Result<Member> {
        Self::ensure_administers(actor, tenant)?;
        self.tenant_record(tenant).await?;
        self.refuse_staff_user(details.user).await?;
        let member = Member::new(
            tenant,
            details.user.clone(),
            details.display_name,
            details.email,
            details.role,
        )?;
        self.store.insert_member(&member).await?;
        self.lookups.people_changed();
        Ok(member)
    }

    /// The member of `tenant` the host user is, registered on first sight with the
    /// details given; name, email and role follow the host's on later calls (one write,
    /// only when one differs). For hosts that
    /// provision members at login; runs as the host itself, so call it only with
    /// identities the host has authenticated. A blocked member stays blocked.
    pub async fn ensure_member(
        &self,
        tenant: TenantId,
        details: MemberDetails<'_>,
    ) -> Result<Member> {
        self.tenant_record(tenant).await?;
        if let Some(member) = self.store.member_by_user(tenant, details.user).await? {
            let profile = Profile {
                display_name: details.display_name.to_owned(),
                email: details.email.map(str::to_owned),
                role: details.role,
            };
            return self.refresh_member(member, &profile).await;
        }
        self.refuse_staff_user(details.user).await?;
        let member = Member::new(
            tenant,
            details.user.clone(),
            details.display_name,
            details.email,
            details.role,
        )?;
        self.lookups.people_changed();
        match self.store.insert_member(&member).await {
            // Another request registered them first: use that record.
            Err(Error::AlreadyExists(_)) => self
                .store
                .member_by_user(tenant, details.user)
                .await?
                .ok_or(Error::NotFound(Entity::Member)),
            Err(e) => Err(e),
            Ok(()) => Ok(member),
        }
    }

    /// The member of `tenant` that host user `user` is, for anyone inside the tenant
    /// (its members, the staff serving it): how a request that names a member by the
    /// host's user id (a guest to invite, a new requester) finds them.
    /// [`Error::NotFound`]`(Member)` when that user is no member of the tenant.
    pub async fn member_by_user(
        &self,
        actor: &Actor,
        tenant: TenantId,
        user: &UserId,
    ) -> Result<Member> {
        Self::ensure_in_tenant(actor, tenant)?;
        self.store
            .member_by_user(tenant, user)
            .await?
            .ok_or(Error::NotFound(Entity::Member))
    }

    /// Refuses to make support staff's host user a member too.
    async fn refuse_staff_user(&self, user: &UserId) -> Result<()> {
        if self.store.staff_by_user(user).await?.is_some() {
            return Err(Error::invalid(
                "user",
                "is support staff; members need their own user",
            ));
        }
        Ok(())
    }

    /// The members of `tenant` (its admins and the staff serving it).
    pub async fn members(&self, actor: &Actor, tenant: TenantId) -> Result<Vec<Member>> {
        Self::ensure_staff_or_administers(actor, tenant)?;
        self.store.members(tenant).await
    }

    /// Blocks or unblocks a member (tenant admins, supervisors, platform admins). A
    /// blocked member can do nothing until unblocked; nobody blocks themself.
    pub async fn set_member_blocked(
        &self,
        actor: &Actor,
        tenant: TenantId,
        member: MemberId,
        blocked: bool,
    ) -> Result<Member> {
        let mut target = self.administered_member(actor, tenant, member).await?;
        if actor.as_member().is_some_and(|m| m.id == target.id) {
            return Err(Error::invalid("member", "you cannot block yourself"));
        }
        if target.blocked != blocked {
            target.blocked = blocked;
            self.store.update_member(&target).await?;
            self.lookups.people_changed();
        }
        Ok(target)
    }

    /// Changes a member's role (tenant admins, supervisors, platform admins).
    pub async fn set_member_role(
        &self,
        actor: &Actor,
        tenant: TenantId,
        member: MemberId,
        role: MemberRole,
    ) -> Result<Member> {
        let mut target = self.administered_member(actor, tenant, member).await?;
        if target.role != role {
            target.role = role;
            self.store.update_member(&target).await?;
            self.lookups.people_changed();
        }
        Ok(target)
    }

    /// Refuses an actor outside `tenant` and, inside it, anyone who does not administer
    /// it (its admins, supervisors, platform admins).
    pub(super) fn ensure_administers(actor: &Actor, tenant: TenantId) -> Result<()> {
        Self::ensure_in_tenant(actor, tenant)?;
        Self::require(administers(actor, tenant), Forbidden::RoleRequired)
    }

    /// Refuses an actor outside `tenant` and, inside it, members who do not administer
    /// it: staff serving the tenant and its admins pass.
    fn ensure_staff_or_administers(actor: &Actor, tenant: TenantId) -> Result<()> {
        Self::ensure_in_tenant(actor, tenant)?;
        Self::require(
            actor.is_staff() || administers(actor, tenant),
            Forbidden::RoleRequired,
        )
    }

    /// Member `member` of `tenant`, for a change by someone who administers the tenant
    /// (tenant admins, supervisors, platform admins).
    async fn administered_member(
        &self,
        actor: &Actor,
        tenant: TenantId,
        member: MemberId,
    ) -> Result<Member> {
        Self::ensure_administers(actor, tenant)?;
        self.store
            .member(tenant, member)
            .await?
            .ok_or(Error::NotFound(Entity::Member))
    }

    /// Adds a category to `tenant`'s tree (its admins, supervisors, platform admins).
    pub async fn create_category(
        &self,
        actor: &Actor,
        tenant: TenantId,
        parent: Option<CategoryId>,
        name: &str,
        group: Option<GroupId>,
    ) -> Result<Category> {
        Self::ensure_administers(actor, tenant)?;
        self.tenant_record(tenant).await?;
        let category = Category::new(tenant, parent, name, group)?;
        self.check_category(&category).await?;
        self.store.insert_category(&category).await?;
        Ok(category)
    }

    /// Renames, moves, re-routes or retires a category.
    pub async fn update_category(&self, actor: &Actor, category: Category) -> Result<Category> {
        Self::ensure_administers(actor, category.tenant)?;
        self.store
            .category(category.tenant, category.id)
            .await?
            .ok_or(Error::NotFound(Entity::Category))?;
        let category = Category {
            name: single_line("name", &category.name, 200)?,
            ..category
        };
        self.check_category(&category).await?;
        self.store.update_category(&category).await?;
        Ok(category)
    }

    async fn check_category(&self, category: &Category) -> Result<()> {
        if let Some(parent) = category.parent {
            let tree = self.store.categories(category.tenant).await?;
            if !tree.iter().any(|c| c.id == parent) {
                return Err(Error::invalid_coded(
                    "parent",
                    crate::error::ReasonCode::UnknownReference,
                    "no such category in this tenant",
                ));
            }
            if would_cycle(&tree, category.id, parent) {
                return Err(Error::invalid(
                    "parent",
                    "a category cannot sit under itself",
                ));
            }
        }
        if let Some(group) = category.group
            && self.store.group(group).await?.is_none()
        {
            return Err(Error::invalid_coded(
                "group",
                crate::error::ReasonCode::UnknownReference,
                "no such group",
            ));
        }
        Ok(())
    }

    /// One category of `tenant`, for anyone inside the tenant: what an edit page
    /// loads instead of the whole tree.
    pub async fn category(
        &self,
        actor: &Actor,
        tenant: TenantId,
        id: CategoryId,
    ) -> Result<Category> {
        Self::ensure_in_tenant(actor, tenant)?;
        self.store
            .category(tenant, id)
            .await?
            .ok_or(Error::NotFound(Entity::Category))
    }

    /// One product of `tenant`, for anyone inside the tenant.
    pub async fn product(&self, actor: &Actor, tenant: TenantId, id: ProductId) -> Result<Product> {
        Self::ensure_in_tenant(actor, tenant)?;
        self.store
            .product(tenant, id)
            .await?
            .ok_or(Error::NotFound(Entity::Product))
    }

    /// `tenant`'s category tree.
    pub async fn categories(&self, actor: &Actor, tenant: TenantId) -> Result<Vec<Category>> {
        Self::ensure_in_tenant(actor, tenant)?;
        self.store.categories(tenant).await
    }

    /// Adds a product \[contrat\] to `tenant` (its admins, supervisors, platform admins).
    pub async fn create_product(
        &self,
        actor: &Actor,
        tenant: TenantId,
        code: Option<&str>,
        name: &str,
    ) -> Result<Product> {
        Self::ensure_administers(actor, tenant)?;
        self.tenant_record(tenant).await?;
        let product = Product::new(tenant, code, name)?;
        self.store.insert_product(&product).await?;
        Ok(product)
    }

    /// Renames or retires a product.
    pub async fn update_product(&self, actor: &Actor, product: Product) -> Result<Product> {
        Self::ensure_administers(actor, product.tenant)?;
        let id: ProductId = product.id;
        self.store
            .product(product.tenant, id)
            .await?
            .ok_or(Error::NotFound(Entity::Product))?;
        let product = Product {
            name: single_line("name", &product.name, 200)?,
            code: optional_line("code", product.code.as_deref(), 32)?,
            ..product
        };
        self.store.update_product(&product).await?;
        Ok(product)
    }

    /// `tenant`'s products.
    pub async fn products(&self, actor: &Actor, tenant: TenantId) -> Result<Vec<Product>> {
        Self::ensure_in_tenant(actor, tenant)?;
        self.store.products(tenant).await
    }

    /// Writes a knowledge-base article for `tenant` (staff serving it, its admins),
    /// published or as a draft as `draft.published` says.
    pub async fn create_article(
        &self,
        actor: &Actor,
        tenant: TenantId,
        draft: ArticleDraft<'_>,
    ) -> Result<Article> {
        Self::ensure_staff_or_administers(actor, tenant)?;
        self.check_article_category(tenant, draft.category).await?;
        let mut article = Article::new(
            tenant,
            draft.category,
            draft.title,
            draft.body,
            self.clock.now(),
        )?;
        // `Article::new` keeps the default image policy; the host's may keep more.
        article.body = RichText::required_with("body", draft.body, &self.text_policy)?;
        article.published = draft.published;
        self.store.insert_article(&article).await?;
        Ok(article)
    }

    /// Rewrites an article: title, body, category and publication (staff serving the
    /// tenant, its admins).
    pub async fn update_article(
        &self,
        actor: &Actor,
        tenant: TenantId,
        id: ArticleId,
        draft: ArticleDraft<'_>,
    ) -> Result<Article> {
        Self::ensure_staff_or_administers(actor, tenant)?;
        let mut article = self
            .store
            .article(tenant, id)
            .await?
            .ok_or(Error::NotFound(Entity::Article))?;
        if article.category != draft.category {
            self.check_article_category(tenant, draft.category).await?;
        }
        article.category = draft.category;
        article.title = single_line("title", draft.title, 250)?;
        article.body = RichText::required_with("body", draft.body, &self.text_policy)?;
        article.published = draft.published;
        article.updated_at = self.clock.now();
        self.store.update_article(&article).await?;
        Ok(article)
    }

    /// Refuses a category that is not one of `tenant`'s.
    async fn check_article_category(
        &self,
        tenant: TenantId,
        category: Option<CategoryId>,
    ) -> Result<()> {
        if let Some(c) = category
            && self.store.category(tenant, c).await?.is_none()
        {
            return Err(Error::invalid_coded(
                "category",
                crate::error::ReasonCode::UnknownReference,
                "no such category in this tenant",
            ));
        }
        Ok(())
    }

    /// One article of `tenant`: any of them for staff serving it and its admins, a
    /// published one for its requesters (a draft answers like a missing article).
    pub async fn article(&self, actor: &Actor, tenant: TenantId, id: ArticleId) -> Result<Article> {
        Self::ensure_in_tenant(actor, tenant)?;
        let editor = actor.is_staff() || administers(actor, tenant);
        self.store
            .article(tenant, id)
            .await?
            .filter(|a| editor || a.published)
            .ok_or(Error::NotFound(Entity::Article))
    }

    /// The articles of `tenant`: all of them for staff and admins, the published ones
    /// for requesters.
    pub async fn articles(&self, actor: &Actor, tenant: TenantId) -> Result<Vec<Article>> {
        Self::ensure_in_tenant(actor, tenant)?;
        let editor = actor.is_staff() || administers(actor, tenant);
        Ok(self
            .store
            .articles(tenant)
            .await?
            .into_iter()
            .filter(|a| editor || a.published)
            .collect())
    }
}

impl HelpdeskService {
    /// Registers the first platform admin of an empty platform, as the host does once
    /// at installation; refused once any staff exists. Later staff are added by a
    /// platform admin with [`add_staff`](Self::add_staff). A host that runs its
    /// bootstrap at every start, possibly from several processes at once, calls
    /// [`ensure_platform_admin`](Self::ensure_platform_admin) instead.
    pub async fn bootstrap_platform_admin(
        &self,
        user: &UserId,
        display_name: &str,
    ) -> Result<Actor> {
        if !self.store.all_staff().await?.is_empty() {
            return Err(Forbidden::RoleRequired.into());
        }
        let staff = Staff::new(
            user.clone(),
            display_name,
            None,
            StaffRole::PlatformAdmin,
            TenantScope::All,
        )?;
        self.store.insert_staff(&staff).await?;
        self.lookups.people_changed();
        Ok(Actor::Staff(staff))
    }

    /// The platform admin the host user `user` is, created on first call when the
    /// platform has no staff yet. Idempotent and safe from several processes at once:
    /// the store's unique host user decides who inserts, and the others read that record
    /// back. Runs as the host itself, at installation or start-up.
    ///
    /// Refused ([`Forbidden::RoleRequired`]) when `user` is staff without the platform
    /// admin role, or when other staff exist and `user` is not among them: an existing
    /// platform is never taken over by a new name.
    pub async fn ensure_platform_admin(&self, user: &UserId, display_name: &str) -> Result<Actor> {
        if let Some(staff) = self.store.staff_by_user(user).await? {
            return Self::existing_platform_admin(staff);
        }
        match self.bootstrap_platform_admin(user, display_name).await {
            // Another process bootstrapped between the lookup and here: the same user
            // (a duplicate) or staff exist now. Use its record if it is this user's.
            Err(e @ (Error::AlreadyExists(Entity::Staff) | Error::Forbidden(_))) => {
                match self.store.staff_by_user(user).await? {
                    Some(staff) => Self::existing_platform_admin(staff),
                    None => Err(e),
                }
            }
            other => other,
        }
    }

    fn existing_platform_admin(staff: Staff) -> Result<Actor> {
        let actor = Actor::Staff(staff);
        ensure_active(&actor)?;
        Self::require(is_platform_admin(&actor), Forbidden::RoleRequired)?;
        Ok(actor)
    }

    /// The tenant with this slug, created with default settings when there is none yet
    /// (platform admins). Idempotent and safe from several processes at once: the
    /// store's unique slug decides who inserts, and the others read that tenant back.
    /// An existing tenant keeps its name and settings.
    pub async fn ensure_tenant(&self, actor: &Actor, slug: &str, name: &str) -> Result<Tenant> {
        ensure_active(actor)?;
        Self::require(is_platform_admin(actor), Forbidden::RoleRequired)?;
        // Validate first: a bad slug is refused even when the lookup would find nothing.
        let tenant = Tenant::new(slug, name)?;
        if let Some(existing) = self.store.tenant_by_slug(&tenant.slug).await? {
            return Ok(existing);
        }
        self.lookups.tenants_changed();
        match self.store.insert_tenant(&tenant).await {
            Ok(()) => Ok(tenant),
            Err(Error::AlreadyExists(Entity::Tenant)) => self
                .store
                .tenant_by_slug(&tenant.slug)
                .await?
                .ok_or(Error::NotFound(Entity::Tenant)),
            Err(e) => Err(e),
        }
    }

    /// Whether the store can serve: for readiness probes. An unreachable database
    /// answers an error that [`is_unavailable`](Error::is_unavailable).
    pub async fn readiness(&self) -> Result<crate::ports::Readiness> {
        self.store.readiness().await
    }
}
