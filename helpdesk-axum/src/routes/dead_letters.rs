//! Dead letters: notifications given up on after too many failed deliveries, for
//! platform admins and supervisors.

use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use helpdesk_core::{Entity, OutboxId};

use crate::identity::Ctx;
use crate::params::Params;
use crate::problem::{ApiError, not_found};
use crate::state::HelpdeskState;

/// List dead letters.
///
/// Platform admins (every tenant) and supervisors (the tenants they serve): the notifications given up on after too many failed deliveries, with their last error, most recently given up on first (at most 500), in one tenant or all the caller may see. They are kept, never retried by themselves, until retried here.
#[utoipa::path(get, path = "/admin/dead-letters", tag = "admin",
    params(("tenant" = Option<String>, Query)),
    responses((status = 200, description = "The dead letters, most recently given up on first", body = Vec<helpdesk_core::OutboxMessage>),
              (status = 403, description = "Forbidden for this caller (reason `role_required`)", body = crate::Problem, content_type = "application/problem+json")))]
pub(crate) async fn dead_letters(
    State(state): State<HelpdeskState>,
    ctx: Ctx,
    params: Params,
) -> Result<Response, ApiError> {
    params.only(&["tenant"])?;
    let letters = state
        .service
        .dead_letters(&ctx.actor, ctx.tenant.as_ref().map(|t| t.id))
        .await?;
    Ok(Json(letters).into_response())
}

/// Retry a dead letter.
///
/// Puts the dead letter back in line: due now, its attempts reset, delivered by the next pass of the worker. Platform admins, and supervisors of its tenant; a message that is not a dead letter (or one of a tenant the caller does not serve, or not of the tenant named) answers 404 `not_found` with entity `dead_letter`. Name its tenant (`?tenant=slug`, the `tenant` of the listed dead letter) so that the message is read by its tenant's key, the one shard on a database distributed by tenant; without it, the message is looked up by its id among the tenants the caller sees.
#[utoipa::path(post, path = "/admin/dead-letters/{id}/retry", tag = "admin",
    params(("id" = String, Path), ("tenant" = Option<String>, Query)),
    responses((status = 200, description = "The message, back in line", body = helpdesk_core::OutboxMessage),
              (status = 403, description = "Forbidden for this caller (reason `role_required`)", body = crate::Problem, content_type = "application/problem+json"),
              (status = 404, description = "No such dead letter", body = crate::Problem, content_type = "application/problem+json")))]
pub(crate) async fn retry(
    State(state): State<HelpdeskState>,
    ctx: Ctx,
    Path(id): Path<String>,
    params: Params,
) -> Result<Response, ApiError> {
    params.only(&["tenant"])?;
    let id: OutboxId = id.parse().map_err(|_| not_found(Entity::DeadLetter))?;
    let message = state
        .service
        .retry_dead_letter(&ctx.actor, ctx.tenant.as_ref().map(|t| t.id), id)
        .await?;
    Ok(Json(message).into_response())
}
