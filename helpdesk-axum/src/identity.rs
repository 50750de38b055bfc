//! Who is calling. The host implements [`Identify`] over its own session, JWT or SSO
//! header; the helpdesk never sees a password. The [`Ctx`] extractor checks the request
//! (origin, write rate), asks the host, and resolves the answer through
//! [`HelpdeskService::resolve_caller`](helpdesk_core::HelpdeskService::resolve_caller)
//! into the [`Actor`] a use case runs as: no rule about callers lives here.

use async_trait::async_trait;
use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use helpdesk_core::{Actor, CallerContext, Error, Tenant};

use crate::guard::refuse_cross_site_writes;
use crate::problem::ApiError;
use crate::state::HelpdeskState;

pub use helpdesk_core::{Caller, Profile};

/// Tells who is calling, from the request's parts. Implemented by the host.
///
/// Return `Ok(None)` when nobody is logged in: the route answers 401. Return an error
/// only when the host's own identity machinery failed (a session store that is down):
/// wrap its cause with [`IdentifyError::new`]; the route answers a generic 500 and logs
/// the cause, which is never sent. Implement it under `#[helpdesk_axum::async_trait]`.
///
/// The [`Caller`] is resolved through the core: a user who is neither staff nor a
/// member (and came without a [`Profile`]) is 401; a tenant the caller may not enter is
/// 404, like a missing one.
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

/// The host's identity machinery failed (a session store that is down). The route
/// answers a generic 500 `identity_failure` and logs this error with its source; the
/// source is never sent to the client.
#[derive(Debug, thiserror::Error)]
#[error("identity provider failed: {message}")]
pub struct IdentifyError {
    message: String,
    #[source]
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl IdentifyError {
    /// The host's identity machinery failed because of `source`.
    pub fn new(source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        let source = source.into();
        Self {
            message: source.to_string(),
            source: Some(source),
        }
    }

    /// The host's identity machinery failed, as `message` says.
    pub fn msg(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            source: None,
        }
    }
}

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

fn query_tenant(parts: &Parts) -> Option<&str> {
    let query = parts.uri.query()?;
    query.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        (key == "tenant" && !value.is_empty()).then_some(value)
    })
}

impl From<CallerContext> for Ctx {
    fn from(resolved: CallerContext) -> Self {
        Ctx {
            actor: resolved.actor,
            tenant: resolved.tenant,
        }
    }
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
            .map_err(ApiError::Identity)?
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
        let resolved = state
            .service
            .resolve_caller(&caller, query_tenant(parts))
            .await?;
        Ok(resolved.into())
    }
}
