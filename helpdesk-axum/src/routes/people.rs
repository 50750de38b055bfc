//! The caller themself (`/me`, their language, the notifications they muted) and finding members by name
//! (`/members`).

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use helpdesk_core::{Actor, Member, MemberRole, NotificationTopic, StaffRole};
use serde::{Deserialize, Serialize};

use crate::extract::JsonBody;
use crate::identity::Ctx;
use crate::params::Params;
use crate::problem::ApiError;
use crate::state::HelpdeskState;

/// What kind of person the caller is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MeKind {
    /// A member of the tenant.
    Member,
    /// Support staff.
    Staff,
}

/// The caller's role: a member's in their tenant, or a staff member's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum MeRole {
    /// A member's role.
    Member(MemberRole),
    /// A staff member's role.
    Staff(StaffRole),
}

/// The caller as the helpdesk knows them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Me {
    /// Member or staff.
    pub kind: MeKind,
    /// Their member id, or their staff id.
    pub id: uuid::Uuid,
    /// The host's id for them.
    #[schema(value_type = String)]
    pub user: helpdesk_core::UserId,
    /// The name shown on tickets.
    pub name: String,
    /// Where notifications go.
    pub email: Option<String>,
    /// Their role (`requester`, `tenant_admin`; `agent`, `supervisor`,
    /// `platform_admin`).
    pub role: MeRole,
    /// The slug of the tenant the request is about: a member's own, the one staff
    /// named with `?tenant=`, none for staff who named none.
    pub tenant: Option<String>,
    /// The language they chose (`fr`, `en`), none when they chose none.
    pub language: Option<String>,
    /// The kinds of event they chose not to be told about by notification.
    pub muted: Vec<NotificationTopic>,
}

impl Me {
    fn of(actor: &Actor, tenant: Option<&helpdesk_core::Tenant>) -> Option<Self> {
        let tenant = tenant.map(|t| t.slug.clone());
        match actor {
            Actor::Member(m) => Some(Self {
                kind: MeKind::Member,
                id: m.id.as_uuid(),
                user: m.user.clone(),
                name: m.display_name.clone(),
                email: m.email.clone(),
                role: MeRole::Member(m.role),
                tenant,
                language: m.language.clone(),
                muted: m.muted.iter().copied().collect(),
            }),
            Actor::Staff(s) => Some(Self {
                kind: MeKind::Staff,
                id: s.id.as_uuid(),
                user: s.user.clone(),
                name: s.display_name.clone(),
                email: s.email.clone(),
                role: MeRole::Staff(s.role),
                tenant,
                language: s.language.clone(),
                muted: s.muted.iter().copied().collect(),
            }),
            Actor::System => None,
        }
    }
}

/// The caller's record as [`Me::of`] reads it, or 401 for an actor that is nobody.
fn me(actor: &Actor, tenant: Option<&helpdesk_core::Tenant>) -> Result<Me, ApiError> {
    Me::of(actor, tenant)
        .ok_or_else(|| ApiError::Unauthenticated("the helpdesk itself has no profile".to_owned()))
}

/// Who am I.
///
/// The caller as the helpdesk knows them: kind, id, name, email, role, the tenant the
/// request is about and the language they chose.
#[utoipa::path(get, path = "/me", tag = "people", params(("tenant" = Option<String>, Query)),
    responses((status = 200, description = "The caller", body = Me)))]
pub(crate) async fn get_me(ctx: Ctx) -> Result<Response, ApiError> {
    Ok(Json(me(&ctx.actor, ctx.tenant.as_ref())?).into_response())
}

/// The language to read the helpdesk in.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LanguageBody {
    /// `fr` or `en`; null (or blank) to follow the browser and the tenant again.
    #[schema(example = "en")]
    pub language: Option<String>,
}

/// Choose my language.
///
/// Sets the language the caller reads the helpdesk in, for themself; an unsupported
/// language is refused (422, `reason_code` `unknown_value`).
#[utoipa::path(put, path = "/me/language", tag = "people", request_body = LanguageBody,
    params(("tenant" = Option<String>, Query)),
    responses((status = 200, description = "The caller, with their language", body = Me)))]
pub(crate) async fn set_language(
    State(state): State<HelpdeskState>,
    ctx: Ctx,
    JsonBody(body): JsonBody<LanguageBody>,
) -> Result<Response, ApiError> {
    let actor = state
        .service
        .set_language(&ctx.actor, body.language.as_deref())
        .await?;
    Ok(Json(me(&actor, ctx.tenant.as_ref())?).into_response())
}

/// The kinds of event to be told about no more.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MutedBody {
    /// Every topic to mute, replacing those muted before; empty to be told about
    /// everything again.
    #[schema(example = json!(["changes", "assignment"]))]
    pub muted: Vec<NotificationTopic>,
}

/// Choose what I am told about.
///
/// Sets the kinds of event the caller is not told about by notification, for themself,
/// replacing those muted before (an empty list unmutes everything). An unknown topic is
/// refused (422).
#[utoipa::path(put, path = "/me/notifications", tag = "people", request_body = MutedBody,
    params(("tenant" = Option<String>, Query)),
    responses((status = 200, description = "The caller, with their muted topics", body = Me)))]
pub(crate) async fn set_muted_topics(
    State(state): State<HelpdeskState>,
    ctx: Ctx,
    JsonBody(body): JsonBody<MutedBody>,
) -> Result<Response, ApiError> {
    let actor = state
        .service
        .set_muted_topics(&ctx.actor, body.muted)
        .await?;
    Ok(Json(me(&actor, ctx.tenant.as_ref())?).into_response())
}

/// Find members by name.
///
/// Members of the tenant whose name, login or email holds every word of `q` (case and
/// accents ignored, each word the beginning of one of theirs), by name. Staff serving the
/// tenant and its admins find every member, blocked ones included; requesters find
/// active colleagues only, with at least one word of two characters, at most 20, and
/// without their email addresses.
#[utoipa::path(get, path = "/members", tag = "people",
    params(("q" = Option<String>, Query, description = "Words of a name, login or email; without any, every member (staff and tenant admins only)"),
           ("limit" = Option<u32>, Query, description = "How many members at most: 20 when left out, at most 200"),
           ("tenant" = Option<String>, Query)),
    responses((status = 200, description = "The members found, by name", body = Vec<Member>)))]
pub(crate) async fn find_members(
    State(state): State<HelpdeskState>,
    ctx: Ctx,
    params: Params,
) -> Result<Response, ApiError> {
    params.only(&["q", "limit", "tenant"])?;
    let tenant = ctx.require_tenant()?.id;
    let text = params.one("q").unwrap_or_default().to_owned();
    let limit = params.parse("limit")?.unwrap_or(20);
    let found = state
        .service
        .find_members(&ctx.actor, tenant, &text, limit)
        .await?;
    Ok(Json(found).into_response())
}
