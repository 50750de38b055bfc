//! Administration: tenants and their settings, members, staff, groups, categories,
//! products, the closure questionnaire.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use helpdesk_core::{
    CategoryId, Entity, GroupId, MemberDetails, MemberId, MemberRole, ProductId,
    QuestionnaireDefinition, StaffChanges, StaffDetails, StaffId, StaffRole, TenantScope,
    TenantSettings, UserId,
};
use serde::Deserialize;

use crate::extract::JsonBody;
use crate::identity::Ctx;
use crate::problem::{ApiError, not_found};
use crate::state::HelpdeskState;

fn created<T: serde::Serialize>(body: T) -> Response {
    (StatusCode::CREATED, Json(body)).into_response()
}

/// List tenants.
///
/// The tenants the caller belongs to or serves.
#[utoipa::path(get, path = "/admin/tenants", tag = "admin",
    responses((status = 200, description = "The tenants the caller belongs to or serves", body = Vec<helpdesk_core::Tenant>)))]
pub(crate) async fn tenants(
    State(state): State<HelpdeskState>,
    ctx: Ctx,
) -> Result<Response, ApiError> {
    Ok(Json(state.service.tenants(&ctx.actor).await?).into_response())
}

/// A new tenant.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTenant {
    /// A short URL-safe name: 1 to 63 lower-case letters, digits and dashes, not first.
    #[schema(min_length = 1, max_length = 63, pattern = "^[a-z0-9][a-z0-9-]*$")]
    pub slug: String,
    /// The name shown to people.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x1F\x7F]*\S[^\x00-\x1F\x7F]*$"
    )]
    pub name: String,
}

/// Create a tenant.
///
/// Platform admins only.
#[utoipa::path(post, path = "/admin/tenants", tag = "admin", request_body = NewTenant,
    responses((status = 201, description = "The tenant (platform admins)", body = helpdesk_core::Tenant), (status = 403, description = "Forbidden for this caller", body = crate::Problem, content_type = "application/problem+json")))]
pub(crate) async fn create_tenant(
    State(state): State<HelpdeskState>,
    ctx: Ctx,
    JsonBody(body): JsonBody<NewTenant>,
) -> Result<Response, ApiError> {
    Ok(created(
        state
            .service
            .create_tenant(&ctx.actor, &body.slug, &body.name)
            .await?,
    ))
}

fn tenant_id(raw: &str) -> Result<helpdesk_core::TenantId, ApiError> {
    raw.parse().map_err(|_| not_found(Entity::Tenant))
}

/// Read a tenant.
///
/// With its settings.
#[utoipa::path(get, path = "/admin/tenants/{id}", tag = "admin", params(("id" = String, Path)),
    responses((status = 200, description = "The tenant with its settings", body = helpdesk_core::Tenant)))]
pub(crate) async fn tenant(
    State(state): State<HelpdeskState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    Ok(Json(state.service.tenant(&ctx.actor, tenant_id(&id)?).await?).into_response())
}

/// A tenant's name and settings.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TenantUpdate {
    /// The name shown to people.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x1F\x7F]*\S[^\x00-\x1F\x7F]*$"
    )]
    pub name: String,
    /// Status labels, visibility policy, closure mode, windows, questionnaire, custom
    /// field definitions.
    #[serde(deserialize_with = "crate::extract::object")]
    pub settings: TenantSettings,
}

/// Change a tenant's name and settings.
///
/// Tenant admins and platform admins.
#[utoipa::path(put, path = "/admin/tenants/{id}", tag = "admin", request_body = TenantUpdate, params(("id" = String, Path)),
    responses((status = 200, description = "The updated tenant", body = helpdesk_core::Tenant)))]
pub(crate) async fn update_tenant(
    State(state): State<HelpdeskState>,
    ctx: Ctx,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<TenantUpdate>,
) -> Result<Response, ApiError> {
    let tenant = state
        .service
        .update_tenant(&ctx.actor, tenant_id(&id)?, &body.name, body.settings)
        .await?;
    Ok(Json(tenant).into_response())
}

/// Set the closure questionnaire.
///
/// Tenant admins and platform admins.
#[utoipa::path(put, path = "/admin/tenants/{id}/questionnaire", tag = "admin", params(("id" = String, Path)),
    request_body(content = helpdesk_core::QuestionnaireDefinition, description = "The questionnaire definition"),
    responses((status = 200, description = "The tenant with its new questionnaire", body = helpdesk_core::Tenant)))]
pub(crate) async fn set_questionnaire(
    State(state): State<HelpdeskState>,
    ctx: Ctx,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<QuestionnaireDefinition>,
) -> Result<Response, ApiError> {
    let tenant = state
        .service
        .set_questionnaire(&ctx.actor, tenant_id(&id)?, body)
        .await?;
    Ok(Json(tenant).into_response())
}

/// List members.
///
/// The members of the tenant.
#[utoipa::path(get, path = "/admin/members", tag = "admin", params(("tenant" = Option<String>, Query)),
    responses((status = 200, description = "The tenant's members", body = Vec<helpdesk_core::Member>)))]
pub(crate) async fn members(
    State(state): State<HelpdeskState>,
    ctx: Ctx,
) -> Result<Response, ApiError> {
    let tenant = ctx.require_tenant()?.id;
    Ok(Json(state.service.members(&ctx.actor, tenant).await?).into_response())
}

/// A member to register.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMember {
    /// The host's id for the user.
    #[schema(
        min_length = 1,
        max_length = 255,
        pattern = r"^[^\x00-\x1F\x7F]*\S[^\x00-\x1F\x7F]*$"
    )]
    pub user: String,
    /// The name shown on tickets.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x1F\x7F]*\S[^\x00-\x1F\x7F]*$"
    )]
    pub display_name: String,
    /// Where notifications go.
    #[serde(default)]
    pub email: Option<String>,
    /// `requester` or `tenant_admin`.
    pub role: MemberRole,
}

/// Register a member.
///
/// Tenant admins and platform admins register a host user in the tenant.
#[utoipa::path(post, path = "/admin/members", tag = "admin", request_body = NewMember, params(("tenant" = Option<String>, Query)),
    responses((status = 201, description = "The member", body = helpdesk_core::Member)))]
pub(crate) async fn add_member(
    State(state): State<HelpdeskState>,
    ctx: Ctx,
    JsonBody(body): JsonBody<NewMember>,
) -> Result<Response, ApiError> {
    let tenant = ctx.require_tenant()?.id;
    let user = UserId::new(&body.user)?;
    let member = state
        .service
        .add_member(
            &ctx.actor,
            tenant,
            MemberDetails {
                user: &user,
                display_name: &body.display_name,
                email: body.email.as_deref(),
                role: body.role,
            },
        )
        .await?;
    Ok(created(member))
}

fn member_id(raw: &str) -> Result<MemberId, ApiError> {
    raw.parse().map_err(|_| not_found(Entity::Member))
}

async fn set_blocked(
    state: HelpdeskState,
    ctx: Ctx,
    id: &str,
    blocked: bool,
) -> Result<Response, ApiError> {
    let tenant = ctx.require_tenant()?.id;
    let member = state
        .service
        .set_member_blocked(&ctx.actor, tenant, member_id(id)?, blocked)
        .await?;
    Ok(Json(member).into_response())
}

/// Block a member.
///
/// A blocked member can do nothing until unblocked.
#[utoipa::path(post, path = "/admin/members/{id}/block", tag = "admin", params(("id" = String, Path), ("tenant" = Option<String>, Query)),
    responses((status = 200, description = "The blocked member", body = helpdesk_core::Member)))]
pub(crate) async fn block_member(
    State(state): State<HelpdeskState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    set_blocked(state, ctx, &id, true).await
}

/// Unblock a member.
///
/// The member can work again.
#[utoipa::path(post, path = "/admin/members/{id}/unblock", tag = "admin", params(("id" = String, Path), ("tenant" = Option<String>, Query)),
    responses((status = 200, description = "The unblocked member", body = helpdesk_core::Member)))]
pub(crate) async fn unblock_member(
    State(state): State<HelpdeskState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    set_blocked(state, ctx, &id, false).await
}

/// A role change.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleChange {
    /// `requester` or `tenant_admin`.
    pub role: MemberRole,
}

/// Change a member's role.
///
/// `requester` or `tenant_admin`.
#[utoipa::path(put, path = "/admin/members/{id}/role", tag = "admin", request_body = RoleChange,
    params(("id" = String, Path), ("tenant" = Option<String>, Query)), responses((status = 200, description = "The member", body = helpdesk_core::Member)))]
pub(crate) async fn set_member_role(
    State(state): State<HelpdeskState>,
    ctx: Ctx,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<RoleChange>,
) -> Result<Response, ApiError> {
    let tenant = ctx.require_tenant()?.id;
    let member = state
        .service
        .set_member_role(&ctx.actor, tenant, member_id(&id)?, body.role)
        .await?;
    Ok(Json(member).into_response())
}

/// List support staff.
///
/// Supervisors and platform admins.
#[utoipa::path(get, path = "/admin/staff", tag = "admin", responses((status = 200, description = "Support staff", body = Vec<helpdesk_core::Staff>)))]
pub(crate) async fn staff(
    State(state): State<HelpdeskState>,
    ctx: Ctx,
) -> Result<Response, ApiError> {
    Ok(Json(state.service.staff_list(&ctx.actor).await?).into_response())
}

/// A staff member to register.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewStaff {
    /// The host's id for the user.
    #[schema(
        min_length = 1,
        max_length = 255,
        pattern = r"^[^\x00-\x1F\x7F]*\S[^\x00-\x1F\x7F]*$"
    )]
    pub user: String,
    /// The name shown on tickets.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x1F\x7F]*\S[^\x00-\x1F\x7F]*$"
    )]
    pub display_name: String,
    /// Where notifications go.
    #[serde(default)]
    pub email: Option<String>,
    /// `agent`, `supervisor` or `platform_admin`.
    pub role: StaffRole,
    /// `{"kind": "all"}` or `{"kind": "only", "tenants": [...]}`.
    #[serde(deserialize_with = "crate::extract::object")]
    pub tenants: TenantScope,
    /// Groups to join.
    #[serde(default)]
    #[schema(value_type = Vec<uuid::Uuid>)]
    pub groups: Vec<GroupId>,
}

/// Register a staff member.
///
/// Platform admins; supervisors for agents of their own tenants.
#[utoipa::path(post, path = "/admin/staff", tag = "admin", request_body = NewStaff,
    responses((status = 201, description = "The staff member", body = helpdesk_core::Staff)))]
pub(crate) async fn add_staff(
    State(state): State<HelpdeskState>,
    ctx: Ctx,
    JsonBody(body): JsonBody<NewStaff>,
) -> Result<Response, ApiError> {
    let user = UserId::new(&body.user)?;
    let staff = state
        .service
        .add_staff(
            &ctx.actor,
            StaffDetails {
                user: &user,
                display_name: &body.display_name,
                email: body.email.as_deref(),
                role: body.role,
                tenants: body.tenants,
                groups: body.groups,
            },
        )
        .await?;
    Ok(created(staff))
}

/// Changes to a staff member; fields left out stay as they are.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StaffUpdate {
    /// The name shown on tickets.
    #[serde(default)]
    pub display_name: Option<String>,
    /// `agent`, `supervisor` or `platform_admin`.
    #[serde(default)]
    pub role: Option<StaffRole>,
    /// The tenants served.
    #[serde(default, deserialize_with = "crate::extract::optional_object")]
    pub tenants: Option<TenantScope>,
    /// The groups, replacing the current ones.
    #[serde(default)]
    #[schema(value_type = Option<Vec<uuid::Uuid>>)]
    pub groups: Option<Vec<GroupId>>,
    /// Inactive staff can do nothing.
    #[serde(default)]
    pub active: Option<bool>,
}

/// Change a staff member.
///
/// Fields left out stay as they are.
#[utoipa::path(patch, path = "/admin/staff/{id}", tag = "admin", request_body = StaffUpdate, params(("id" = String, Path)),
    responses((status = 200, description = "The staff member", body = helpdesk_core::Staff)))]
pub(crate) async fn update_staff(
    State(state): State<HelpdeskState>,
    ctx: Ctx,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<StaffUpdate>,
) -> Result<Response, ApiError> {
    let id: StaffId = id.parse().map_err(|_| not_found(Entity::Staff))?;
    let changes = StaffChanges {
        display_name: body.display_name,
        role: body.role,
        tenants: body.tenants,
        groups: body.groups,
        active: body.active,
        ..StaffChanges::default()
    };
    Ok(Json(state.service.update_staff(&ctx.actor, id, changes).await?).into_response())
}

/// List groups.
///
/// The groups of support staff.
#[utoipa::path(get, path = "/admin/groups", tag = "admin", responses((status = 200, description = "Groups of staff", body = Vec<helpdesk_core::Group>)))]
pub(crate) async fn groups(
    State(state): State<HelpdeskState>,
    ctx: Ctx,
) -> Result<Response, ApiError> {
    Ok(Json(state.service.groups(&ctx.actor).await?).into_response())
}

/// A name.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Named {
    /// The name.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x1F\x7F]*\S[^\x00-\x1F\x7F]*$"
    )]
    pub name: String,
}

/// Create a group.
///
/// Supervisors and platform admins.
#[utoipa::path(post, path = "/admin/groups", tag = "admin", request_body = Named,
    responses((status = 201, description = "The group", body = helpdesk_core::Group)))]
pub(crate) async fn create_group(
    State(state): State<HelpdeskState>,
    ctx: Ctx,
    JsonBody(body): JsonBody<Named>,
) -> Result<Response, ApiError> {
    Ok(created(
        state.service.create_group(&ctx.actor, &body.name).await?,
    ))
}

/// Rename a group.
///
/// Supervisors and platform admins.
#[utoipa::path(patch, path = "/admin/groups/{id}", tag = "admin", request_body = Named, params(("id" = String, Path)),
    responses((status = 200, description = "The renamed group", body = helpdesk_core::Group)))]
pub(crate) async fn rename_group(
    State(state): State<HelpdeskState>,
    ctx: Ctx,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<Named>,
) -> Result<Response, ApiError> {
    let id: GroupId = id.parse().map_err(|_| not_found(Entity::Group))?;
    Ok(Json(
        state
            .service
            .rename_group(&ctx.actor, id, &body.name)
            .await?,
    )
    .into_response())
}

/// List categories.
///
/// The tenant's category tree.
#[utoipa::path(get, path = "/admin/categories", tag = "admin", params(("tenant" = Option<String>, Query)),
    responses((status = 200, description = "The tenant's category tree", body = Vec<helpdesk_core::Category>)))]
pub(crate) async fn categories(
    State(state): State<HelpdeskState>,
    ctx: Ctx,
) -> Result<Response, ApiError> {
    let tenant = ctx.require_tenant()?.id;
    Ok(Json(state.service.categories(&ctx.actor, tenant).await?).into_response())
}

/// A category to add or change.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CategoryBody {
    /// The name shown to requesters.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x1F\x7F]*\S[^\x00-\x1F\x7F]*$"
    )]
    pub name: String,
    /// The parent category.
    #[serde(default)]
    #[schema(value_type = Option<uuid::Uuid>)]
    pub parent: Option<CategoryId>,
    /// The group its tickets go to.
    #[serde(default)]
    #[schema(value_type = Option<uuid::Uuid>)]
    pub group: Option<GroupId>,
    /// Whether it can be chosen (on updates).
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

/// Add a category.
///
/// Tenant admins, supervisors and platform admins; its group receives its tickets.
#[utoipa::path(post, path = "/admin/categories", tag = "admin", request_body = CategoryBody, params(("tenant" = Option<String>, Query)),
    responses((status = 201, description = "The category", body = helpdesk_core::Category)))]
pub(crate) async fn create_category(
    State(state): State<HelpdeskState>,
    ctx: Ctx,
    JsonBody(body): JsonBody<CategoryBody>,
) -> Result<Response, ApiError> {
    let tenant = ctx.require_tenant()?.id;
    let category = state
        .service
        .create_category(&ctx.actor, tenant, body.parent, &body.name, body.group)
        .await?;
    Ok(created(category))
}

/// Change a category.
///
/// Its name, parent, group, and whether it can be chosen.
#[utoipa::path(put, path = "/admin/categories/{id}", tag = "admin", request_body = CategoryBody,
    params(("id" = String, Path), ("tenant" = Option<String>, Query)), responses((status = 200, description = "The category", body = helpdesk_core::Category)))]
pub(crate) async fn update_category(
    State(state): State<HelpdeskState>,
    ctx: Ctx,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<CategoryBody>,
) -> Result<Response, ApiError> {
    let tenant = ctx.require_tenant()?.id;
    let id: CategoryId = id.parse().map_err(|_| not_found(Entity::Category))?;
    let category = helpdesk_core::Category {
        id,
        tenant,
        parent: body.parent,
        name: body.name,
        group: body.group,
        active: body.active,
    };
    Ok(Json(state.service.update_category(&ctx.actor, category).await?).into_response())
}

/// List products.
///
/// The tenant's products.
#[utoipa::path(get, path = "/admin/products", tag = "admin", params(("tenant" = Option<String>, Query)),
    responses((status = 200, description = "The tenant's products", body = Vec<helpdesk_core::Product>)))]
pub(crate) async fn products(
    State(state): State<HelpdeskState>,
    ctx: Ctx,
) -> Result<Response, ApiError> {
    let tenant = ctx.require_tenant()?.id;
    Ok(Json(state.service.products(&ctx.actor, tenant).await?).into_response())
}

/// A product to add or change.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProductBody {
    /// The name shown to requesters.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x1F\x7F]*\S[^\x00-\x1F\x7F]*$"
    )]
    pub name: String,
    /// A short code.
    #[serde(default)]
    pub code: Option<String>,
    /// Whether it can be chosen (on updates).
    #[serde(default = "yes")]
    pub active: bool,
}

/// Add a product.
///
/// Tenant admins, supervisors and platform admins.
#[utoipa::path(post, path = "/admin/products", tag = "admin", request_body = ProductBody, params(("tenant" = Option<String>, Query)),
    responses((status = 201, description = "The product", body = helpdesk_core::Product)))]
pub(crate) async fn create_product(
    State(state): State<HelpdeskState>,
    ctx: Ctx,
    JsonBody(body): JsonBody<ProductBody>,
) -> Result<Response, ApiError> {
    let tenant = ctx.require_tenant()?.id;
    let product = state
        .service
        .create_product(&ctx.actor, tenant, body.code.as_deref(), &body.name)
        .await?;
    Ok(created(product))
}

/// Change a product.
///
/// Its name, code, and whether it can be chosen.
#[utoipa::path(put, path = "/admin/products/{id}", tag = "admin", request_body = ProductBody,
    params(("id" = String, Path), ("tenant" = Option<String>, Query)), responses((status = 200, description = "The product", body = helpdesk_core::Product)))]
pub(crate) async fn update_product(
    State(state): State<HelpdeskState>,
    ctx: Ctx,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<ProductBody>,
) -> Result<Response, ApiError> {
    let tenant = ctx.require_tenant()?.id;
    let id: ProductId = id.parse().map_err(|_| not_found(Entity::Product))?;
    let product = helpdesk_core::Product {
        id,
        tenant,
        code: body.code,
        name: body.name,
        active: body.active,
    };
    Ok(Json(state.service.update_product(&ctx.actor, product).await?).into_response())
}
