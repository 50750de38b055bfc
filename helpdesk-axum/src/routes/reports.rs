//! Dashboard, export, saved searches and the knowledge base.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use helpdesk_core::{
    ArticleId, CategoryId, Entity, SavedSearchId, SearchCriteria, StaffId, TicketNumber,
};
use serde::Deserialize;

use crate::extract::JsonBody;
use crate::identity::Ctx;
use crate::params::{CRITERIA, Params};
use crate::problem::{ApiError, not_found};
use crate::state::HelpdeskState;

#[utoipa::path(get, path = "/dashboard", tag = "reports",
    params(("tenant" = Option<String>, Query), ("assignee" = Option<String>, Query, description = "One agent's tickets"),
           ("months" = Option<u32>, Query, description = "Months in the series, 1 to 36 (12)")),
    responses((status = 200, description = "Counts per status, tickets opened per month, satisfaction")))]
pub(crate) async fn dashboard(
    State(state): State<HelpdeskState>,
    ctx: Ctx,
    params: Params,
) -> Result<Response, ApiError> {
    params.only(&["tenant", "assignee", "months"])?;
    let assignee: Option<StaffId> = params.parse("assignee")?;
    let months = params.parse("months")?.unwrap_or(12);
    let dashboard = state
        .service
        .dashboard(
            &ctx.actor,
            ctx.tenant.as_ref().map(|t| t.id),
            assignee,
            months,
        )
        .await?;
    Ok(Json(dashboard).into_response())
}

#[utoipa::path(get, path = "/export.csv", tag = "reports",
    params(("numbers" = Option<String>, Query, description = "Only these ticket numbers (comma-separated)"),
           ("status" = Option<String>, Query), ("contains" = Option<String>, Query), ("include_closed" = Option<bool>, Query),
           ("tenant" = Option<String>, Query)),
    responses((status = 200, description = "CSV of the matching tickets", content_type = "text/csv"), (status = 403, description = "Forbidden for this caller", body = crate::Problem, content_type = "application/problem+json")))]
pub(crate) async fn export(
    State(state): State<HelpdeskState>,
    ctx: Ctx,
    params: Params,
) -> Result<Response, ApiError> {
    let mut known = CRITERIA.to_vec();
    known.push("numbers");
    params.only(&known)?;
    let mut criteria = params.criteria()?;
    criteria.tenant = ctx.tenant.as_ref().map(|t| t.id);
    let numbers: Vec<TicketNumber> = params.list("numbers")?;
    let rows = state.service.export(&ctx.actor, criteria, &numbers).await?;
    let mut response = (StatusCode::OK, helpdesk_core::export_csv(&rows)).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"tickets.csv\""),
    );
    Ok(response)
}

#[utoipa::path(get, path = "/saved-searches", tag = "reports",
    responses((status = 200, description = "The caller's saved searches")))]
pub(crate) async fn saved_searches(
    State(state): State<HelpdeskState>,
    ctx: Ctx,
) -> Result<Response, ApiError> {
    Ok(Json(state.service.saved_searches(&ctx.actor).await?).into_response())
}

/// Criteria to save under a name.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SaveSearch {
    /// The name.
    pub name: String,
    /// The criteria, as in search results' fields.
    #[schema(value_type = Object)]
    pub criteria: SearchCriteria,
}

#[utoipa::path(post, path = "/saved-searches", tag = "reports", request_body = SaveSearch,
    responses((status = 201, description = "The saved search")))]
pub(crate) async fn save_search(
    State(state): State<HelpdeskState>,
    ctx: Ctx,
    JsonBody(body): JsonBody<SaveSearch>,
) -> Result<Response, ApiError> {
    let saved = state
        .service
        .save_search(&ctx.actor, &body.name, body.criteria)
        .await?;
    Ok((StatusCode::CREATED, Json(saved)).into_response())
}

#[utoipa::path(delete, path = "/saved-searches/{id}", tag = "reports", params(("id" = String, Path)),
    responses((status = 204, description = "Forgotten"), (status = 404, description = "No such ticket, or one the caller may not see", body = crate::Problem, content_type = "application/problem+json")))]
pub(crate) async fn delete_saved_search(
    State(state): State<HelpdeskState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id: SavedSearchId = id.parse().map_err(|_| not_found(Entity::SavedSearch))?;
    state.service.delete_saved_search(&ctx.actor, id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[utoipa::path(get, path = "/kb/suggestions", tag = "knowledge base",
    params(("subject" = String, Query), ("category" = Option<String>, Query), ("limit" = Option<usize>, Query), ("tenant" = Option<String>, Query)),
    responses((status = 200, description = "Published articles that may answer the subject, best first")))]
pub(crate) async fn kb_suggestions(
    State(state): State<HelpdeskState>,
    ctx: Ctx,
    params: Params,
) -> Result<Response, ApiError> {
    params.only(&["subject", "category", "limit", "tenant"])?;
    let tenant = ctx.require_tenant()?.id;
    let subject = params.one("subject").unwrap_or_default().to_owned();
    let category: Option<CategoryId> = params.parse("category")?;
    let limit = params.parse("limit")?.unwrap_or(5);
    let articles = state
        .service
        .kb_suggestions(&ctx.actor, tenant, &subject, category, limit)
        .await?;
    Ok(Json(articles).into_response())
}

#[utoipa::path(get, path = "/kb/articles", tag = "knowledge base", params(("tenant" = Option<String>, Query)),
    responses((status = 200, description = "The tenant's articles (published ones for requesters)")))]
pub(crate) async fn articles(
    State(state): State<HelpdeskState>,
    ctx: Ctx,
) -> Result<Response, ApiError> {
    let tenant = ctx.require_tenant()?.id;
    Ok(Json(state.service.articles(&ctx.actor, tenant).await?).into_response())
}

/// An article to write or rewrite.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ArticleBody {
    /// Its title.
    pub title: String,
    /// Its body, as HTML; it is sanitised.
    pub body: String,
    /// The category it answers questions about.
    #[serde(default)]
    #[schema(value_type = Option<uuid::Uuid>)]
    pub category: Option<CategoryId>,
    /// Whether requesters see it (on updates; new articles are published).
    #[serde(default = "yes")]
    pub published: bool,
}

fn yes() -> bool {
    true
}

#[utoipa::path(post, path = "/kb/articles", tag = "knowledge base", request_body = ArticleBody,
    responses((status = 201, description = "The article")))]
pub(crate) async fn create_article(
    State(state): State<HelpdeskState>,
    ctx: Ctx,
    JsonBody(body): JsonBody<ArticleBody>,
) -> Result<Response, ApiError> {
    let tenant = ctx.require_tenant()?.id;
    let article = state
        .service
        .create_article(&ctx.actor, tenant, body.category, &body.title, &body.body)
        .await?;
    Ok((StatusCode::CREATED, Json(article)).into_response())
}

#[utoipa::path(put, path = "/kb/articles/{id}", tag = "knowledge base", request_body = ArticleBody,
    params(("id" = String, Path)), responses((status = 200, description = "The article")))]
pub(crate) async fn update_article(
    State(state): State<HelpdeskState>,
    ctx: Ctx,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<ArticleBody>,
) -> Result<Response, ApiError> {
    let tenant = ctx.require_tenant()?.id;
    let id: ArticleId = id.parse().map_err(|_| not_found(Entity::Article))?;
    let article = state
        .service
        .update_article(
            &ctx.actor,
            tenant,
            id,
            &body.title,
            &body.body,
            body.published,
        )
        .await?;
    Ok(Json(article).into_response())
}
