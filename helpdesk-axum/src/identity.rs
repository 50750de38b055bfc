//! Who is calling. The host implements [`Identify`] over its own session, JWT or SSO
//! header; the helpdesk never sees a password. The [`Ctx`] extractor turns the host's
//! answer into the [`Actor`] a use case runs as.

use async_trait::async_trait;
use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use helpdesk_core::{Actor, Entity, Error, MemberDetails, MemberRole, Tenant, UserId};

use crate::guard::refuse_cross_site_writes;
use crate::problem::{ApiError, not_found};
use crate::state::HelpdeskState;

/// The calling user, as the host knows them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    /// The host's id for the user.
    pub user: UserId,
    /// The slug of the tenant the user acts in, for members. Staff serving several
    /// tenants may leave it out and name one per request with `?tenant=slug`.
    pub tenant: Option<String>,
    /// The user's details, to register them as a member of that tenant on first sight.
    /// Leave it out when the host registers members itself.
    pub profile: Option<Profile>,
}

/// A member's details the host hands over to register them on first sight.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Profile {
    /// The name shown on tickets.
    pub display_name: String,
    /// Where notifications go.
    pub email: Option<String>,
    /// Their role in the tenant.
    pub role: MemberRole,
}

/// Tells who is calling, from the request's parts. Implemented by the host.
///
/// Return `Ok(None)` when nobody is logged in: the route answers 401. Return an error
/// only when the host's own identity machinery failed (a session store that is down):
/// the route answers 500 and logs it.
///
/// Writes that a browser marks as cross-site (`Sec-Fetch-Site: cross-site`), or whose
/// `Origin` is another site's (see [`HelpdeskState::with_allowed_origins`]), are refused
/// before `identify` is called. A host whose session cookie is `SameSite=None` should
/// still check a CSRF token of its own here, for browsers that do not send that header.
#[async_trait]
pub trait Identify: Send + Sync + 'static {
    /// The caller of this request, if one is logged in.
    async fn identify(&self, parts: &mut Parts) -> Result<Option<Caller>, IdentifyError>;
}

/// The host's identity machinery failed.
#[derive(Debug, thiserror::Error)]
#[error("identity provider failed: {0}")]
pub struct IdentifyError(pub String);

/// The actor a request runs as, and the tenant it is about (from the caller, or from
/// `?tenant=slug` for staff).
#[derive(Clone, Debug)]
pub struct Ctx {
    /// Who is calling.
    pub actor: Actor,
    /// The tenant the request is about, if one is named.
    pub tenant: Option<Tenant>,
}

impl Ctx {
    /// The tenant this request is about, or a validation error naming `tenant`.
    pub fn require_tenant(&self) -> Result<&Tenant, ApiError> {
        self.tenant.as_ref().ok_or_else(|| {
            ApiError::Domain(Error::invalid(
                "tenant",
                "name the tenant with ?tenant=slug (staff serve several)",
            ))
        })
    }
}

fn query_tenant(parts: &Parts) -> Option<String> {
    let query = parts.uri.query()?;
    query.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        (key == "tenant" && !value.is_empty()).then(|| value.to_owned())
    })
}

impl<S> FromRequestParts<S> for Ctx
where
    S: Send + Sync,
    HelpdeskState: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = HelpdeskState::from_ref(state);
        refuse_cross_site_writes(parts, &state.origins)?;
        let caller = state
            .identity
            .identify(parts)
            .await
            .map_err(|e| ApiError::Identity(e.0))?
            .ok_or_else(|| {
                ApiError::Unauthenticated(
                    "no caller identity: the host's `Identify` found no logged-in user for this request"
                        .to_owned(),
                )
            })?;
        // Counted before any lookup, so a script over its limit costs no database work.
        if let Some(limiter) = &state.write_limiter
            && !matches!(parts.method.as_str(), "GET" | "HEAD" | "OPTIONS")
        {
            limiter
                .check(caller.user.as_str())
                .map_err(|retry_after| ApiError::TooManyRequests { retry_after })?;
        }
        let asked = query_tenant(parts);
        let slug = match (&caller.tenant, asked) {
            (Some(own), Some(asked)) if *own != asked => return Err(not_found(Entity::Tenant)),
            (Some(own), _) => Some(own.clone()),
            (None, asked) => asked,
        };
        let service = &state.service;
        let tenant = match &slug {
            Some(slug) => Some(
                service
                    .store()
                    .tenant_by_slug(slug)
                    .await?
                    .ok_or(not_found(Entity::Tenant))?,
            ),
            None => None,
        };
        let tenant_id = tenant.as_ref().map(|t| t.id);
        let actor = match service.actor(&caller.user, tenant_id).await {
            Ok(actor) => actor,
            Err(Error::NotFound(Entity::Member)) => match (&caller.profile, tenant_id) {
                (Some(profile), Some(tenant)) => Actor::Member(
                    service
                        .ensure_member(
                            tenant,
                            MemberDetails {
                                user: &caller.user,
                                display_name: &profile.display_name,
                                email: profile.email.as_deref(),
                                role: profile.role,
                            },
                        )
                        .await?,
                ),
                _ => {
                    return Err(ApiError::Unauthenticated(format!(
                        "user `{}` is neither support staff nor a member of {}",
                        caller.user,
                        slug.as_deref()
                            .map_or("any named tenant".to_owned(), |s| format!("tenant `{s}`"))
                    )));
                }
            },
            Err(e) => return Err(e.into()),
        };
        if let (Actor::Staff(staff), Some(t)) = (&actor, &tenant)
            && !staff.serves(t.id)
        {
            return Err(not_found(Entity::Tenant));
        }
        Ok(Ctx { actor, tenant })
    }
}
