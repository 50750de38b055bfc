//! Webhook endpoints: a tenant's admins register, list, change and remove them.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use helpdesk_core::{Entity, NewWebhook, WebhookChange, WebhookId};

use crate::extract::JsonBody;
use crate::identity::Ctx;
use crate::problem::{ApiError, not_found};
use crate::state::HelpdeskState;

fn webhook_id(raw: &str) -> Result<WebhookId, ApiError> {
    raw.parse().map_err(|_| not_found(Entity::Webhook))
}

/// List webhook endpoints.
///
/// The tenant's webhook endpoints, oldest first, without their secrets: its admins, supervisors and platform admins.
#[utoipa::path(get, path = "/admin/webhooks", tag = "admin", params(("tenant" = Option<String>, Query)),
    responses((status = 200, description = "The tenant's webhook endpoints, without secrets", body = Vec<helpdesk_core::WebhookEndpoint>),
              (status = 403, description = "Forbidden for this caller (reason `role_required`)", body = crate::Problem, content_type = "application/problem+json")))]
pub(crate) async fn webhooks(
    State(state): State<HelpdeskState>,
    ctx: Ctx,
) -> Result<Response, ApiError> {
    let tenant = ctx.require_tenant()?.id;
    Ok(Json(state.service.webhooks(&ctx.actor, tenant).await?).into_response())
}

/// Register a webhook endpoint.
///
/// The URL is `https://` (or `http://` to a loopback host); the secret (32 to 256 printable ASCII bytes) is generated when not given. The answer holds the secret: the only time it is shown. Each event of the tenant's tickets is then posted to the endpoint, signed (see the `helpdesk-webhooks` crate); internal notes only if `internal_notes` is set.
#[utoipa::path(post, path = "/admin/webhooks", tag = "admin", params(("tenant" = Option<String>, Query)), request_body = helpdesk_core::NewWebhook,
    responses((status = 201, description = "The endpoint, with its secret (shown this once)", body = helpdesk_core::CreatedWebhook),
              (status = 403, description = "Forbidden for this caller (reason `role_required`)", body = crate::Problem, content_type = "application/problem+json")))]
pub(crate) async fn create_webhook(
    State(state): State<HelpdeskState>,
    ctx: Ctx,
    JsonBody(body): JsonBody<NewWebhook>,
) -> Result<Response, ApiError> {
    let tenant = ctx.require_tenant()?.id;
    let created = state
        .service
        .create_webhook(&ctx.actor, tenant, body)
        .await?;
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

/// Change a webhook endpoint.
///
/// Each field given replaces the current one, after the same checks as at registration; a new secret is not shown back.
#[utoipa::path(patch, path = "/admin/webhooks/{id}", tag = "admin", params(("id" = String, Path), ("tenant" = Option<String>, Query)), request_body = helpdesk_core::WebhookChange,
    responses((status = 200, description = "The endpoint, without its secret", body = helpdesk_core::WebhookEndpoint),
              (status = 403, description = "Forbidden for this caller (reason `role_required`)", body = crate::Problem, content_type = "application/problem+json")))]
pub(crate) async fn update_webhook(
    State(state): State<HelpdeskState>,
    ctx: Ctx,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<WebhookChange>,
) -> Result<Response, ApiError> {
    let tenant = ctx.require_tenant()?.id;
    let id = webhook_id(&id)?;
    let endpoint = state
        .service
        .update_webhook(&ctx.actor, tenant, id, body)
        .await?;
    Ok(Json(endpoint).into_response())
}

/// Remove a webhook endpoint.
///
/// Its deliveries still waiting in the outbox are dropped.
#[utoipa::path(delete, path = "/admin/webhooks/{id}", tag = "admin", params(("id" = String, Path), ("tenant" = Option<String>, Query)),
    responses((status = 204, description = "Removed"),
              (status = 403, description = "Forbidden for this caller (reason `role_required`)", body = crate::Problem, content_type = "application/problem+json")))]
pub(crate) async fn delete_webhook(
    State(state): State<HelpdeskState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let tenant = ctx.require_tenant()?.id;
    let id = webhook_id(&id)?;
    state.service.delete_webhook(&ctx.actor, tenant, id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
