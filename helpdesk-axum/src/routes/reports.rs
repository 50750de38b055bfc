//! Dashboard, export, saved searches and the knowledge base.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use helpdesk_core::{
    ArticleId, CategoryId, CsvFormat, Entity, SavedSearchId, SearchCriteria, StaffId, TicketNumber,
};
use serde::Deserialize;

use crate::extract::JsonBody;
use crate::identity::Ctx;
use crate::params::{CRITERIA, Params};
use crate::problem::{ApiError, not_found};
use crate::state::HelpdeskState;

/// Read the dashboard.
///
/// Counts per status, tickets opened per month and satisfaction over the tickets the caller may see, for one tenant or all, for one agent or all.
#[utoipa::path(get, path = "/dashboard", tag = "reports",
    params(("tenant" = Option<String>, Query), ("assignee" = Option<uuid::Uuid>, Query, description = "One agent's tickets"),
           ("months" = Option<u32>, Query, minimum = 1, maximum = 36, description = "Months in the series, 1 to 36 (12)")),
    responses((status = 200, description = "Counts per status, tickets opened per month, satisfaction", body = helpdesk_core::Dashboard)))]
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

/// Read the dashboard per agent and per group.
///
/// Support staff: counts per status and satisfaction (approved closures, average overall score) per assignee and per group, with their names, over the tickets the caller may see (archived included), in one tenant or all; supervisors and platform admins see every line, an agent only the tickets assigned to them. Lines by name, the line of nobody last.
#[utoipa::path(get, path = "/dashboard/breakdown", tag = "reports",
    params(("tenant" = Option<String>, Query)),
    responses((status = 200, description = "One line per assignee and per group holding a ticket", body = helpdesk_core::Breakdown),
              (status = 403, description = "Forbidden for members (reason `staff_only`)", body = crate::Problem, content_type = "application/problem+json")))]
pub(crate) async fn dashboard_breakdown(
    State(state): State<HelpdeskState>,
    ctx: Ctx,
    params: Params,
) -> Result<Response, ApiError> {
    params.only(&["tenant"])?;
    let breakdown = state
        .service
        .dashboard_breakdown(&ctx.actor, ctx.tenant.as_ref().map(|t| t.id))
        .await?;
    Ok(Json(breakdown).into_response())
}

/// Export tickets as CSV.
///
/// Tenant admins and platform admins: the matching tickets (or the listed `numbers`), streamed as CSV.
#[utoipa::path(get, path = "/export.csv", tag = "reports",
    params(("numbers" = Option<String>, Query, description = "Only these ticket numbers (comma-separated)"),
           ("format" = Option<String>, Query, description = "`csv` (the default: RFC 4180, comma-separated) or `excel-fr` (semicolon-separated, with a UTF-8 byte-order mark, for spreadsheets in French locales)"),
           ("status" = Option<Vec<helpdesk_core::Status>>, Query, explode = true), ("contains" = Option<String>, Query, description = "At most 10 words, as in `GET /tickets`"), ("include_closed" = Option<bool>, Query),
           ("sort" = Option<helpdesk_core::SortKey>, Query, description = "The order of the rows, as in `GET /tickets` (`opened`)"),
           ("order" = Option<helpdesk_core::SortOrder>, Query, description = "`asc` or `desc` (`desc`)"),
           ("tenant" = Option<String>, Query)),
    responses((status = 200, description = "CSV of the matching tickets, streamed page by page: every text cell quoted, cells a spreadsheet could run as a formula prefixed with `'`", content_type = "text/csv", body = String),
              (status = 403, description = "Forbidden for this caller", body = crate::Problem, content_type = "application/problem+json"),
              (status = 422, description = "Unknown format, bad criteria, or more tickets than one export holds", body = crate::Problem, content_type = "application/problem+json")))]
pub(crate) async fn export(
    State(state): State<HelpdeskState>,
    ctx: Ctx,
    params: Params,
) -> Result<Response, ApiError> {
    let mut known = CRITERIA.to_vec();
    known.extend(["numbers", "format"]);
    params.only(&known)?;
    let format = match params.one("format") {
        Some(format) => format.parse::<CsvFormat>()?,
        None => CsvFormat::default(),
    };
    let mut criteria = params.criteria()?;
    criteria.tenant = ctx.tenant.as_ref().map(|t| t.id);
    let numbers: Vec<TicketNumber> = params.list("numbers")?;
    let export = state
        .service
        .csv_export(&ctx.actor, criteria, &numbers, format)
        .await?;
    // One chunk per page of tickets; an error cuts the body short, so the client sees
    // an incomplete transfer rather than a file that looks whole.
    let chunks = futures_util::stream::unfold(Some(export), |export| async move {
        let mut export = export?;
        match export.next_chunk().await {
            Ok(Some(chunk)) => Some((Ok(chunk), Some(export))),
            Ok(None) => None,
            Err(e) => {
                tracing::error!(error = %e, "export cut short");
                Some((Err(std::io::Error::other(e.to_string())), None))
            }
        }
    });
    let mut response = (StatusCode::OK, Body::from_stream(chunks)).into_response();
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

/// List my saved searches.
///
/// The criteria the caller saved.
#[utoipa::path(get, path = "/saved-searches", tag = "reports",
    responses((status = 200, description = "The caller's saved searches", body = Vec<helpdesk_core::SavedSearch>)))]
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
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\x00-\x1F\x7F]*\S[^\x00-\x1F\x7F]*$"
    )]
    pub name: String,
    /// The criteria, as in search results' fields.
    #[serde(deserialize_with = "crate::extract::object")]
    pub criteria: SearchCriteria,
}

/// Save search criteria.
///
/// Saves criteria under a name for the caller.
#[utoipa::path(post, path = "/saved-searches", tag = "reports", request_body = SaveSearch,
    responses((status = 201, description = "The saved search", body = helpdesk_core::SavedSearch)))]
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

/// Forget a saved search.
///
/// Only its owner may forget it.
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

/// Suggest articles for a subject.
///
/// Published articles of the tenant that may answer a ticket about `subject`, best first; without a subject (or one of no words), the frequently asked questions of `category`: its published articles, then its parent's and so up the tree, each category's by title; with neither, none.
#[utoipa::path(get, path = "/kb/suggestions", tag = "knowledge base",
    params(("subject" = Option<String>, Query, description = "What the requester is typing; without it, the FAQ of `category`"),
           ("category" = Option<uuid::Uuid>, Query, description = "The category chosen: ranks its articles first, or gives its FAQ (and its ancestors') without a subject"),
           ("limit" = Option<usize>, Query, description = "How many articles at most: 5 when left out, any value taken between 1 and 20"),
           ("tenant" = Option<String>, Query)),
    responses((status = 200, description = "Published articles that may answer the subject, best first, or the category's FAQ", body = Vec<helpdesk_core::Article>)))]
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

/// List knowledge-base articles.
///
/// Staff and tenant admins see drafts; requesters see published articles.
#[utoipa::path(get, path = "/kb/articles", tag = "knowledge base", params(("tenant" = Option<String>, Query)),
    responses((status = 200, description = "The tenant's articles (published ones for requesters)", body = Vec<helpdesk_core::Article>)))]
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
    #[schema(min_length = 1)]
    pub title: String,
    /// Its body, as HTML; it is sanitised.
    #[schema(min_length = 1)]
    pub body: String,
    /// The category it answers questions about.
    #[serde(default)]
    #[schema(value_type = Option<uuid::Uuid>)]
    pub category: Option<CategoryId>,
    /// Whether requesters see it (published, the default) or only staff and tenant
    /// admins (a draft).
    #[serde(default = "yes")]
    pub published: bool,
}

impl ArticleBody {
    /// The article as the service takes it.
    fn draft(&self) -> helpdesk_core::ArticleDraft<'_> {
        helpdesk_core::ArticleDraft {
            category: self.category,
            title: &self.title,
            body: &self.body,
            published: self.published,
        }
    }
}

fn yes() -> bool {
    true
}

/// Write an article.
///
/// Staff and tenant admins; published unless `published` is false (a draft).
#[utoipa::path(post, path = "/kb/articles", tag = "knowledge base", request_body = ArticleBody,
    responses((status = 201, description = "The article", body = helpdesk_core::Article)))]
pub(crate) async fn create_article(
    State(state): State<HelpdeskState>,
    ctx: Ctx,
    JsonBody(body): JsonBody<ArticleBody>,
) -> Result<Response, ApiError> {
    let tenant = ctx.require_tenant()?.id;
    let article = state
        .service
        .create_article(&ctx.actor, tenant, body.draft())
        .await?;
    Ok((StatusCode::CREATED, Json(article)).into_response())
}

/// Rewrite an article.
///
/// Staff and tenant admins; `published` hides or shows it.
#[utoipa::path(put, path = "/kb/articles/{id}", tag = "knowledge base", request_body = ArticleBody,
    params(("id" = String, Path)), responses((status = 200, description = "The article", body = helpdesk_core::Article)))]
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
        .update_article(&ctx.actor, tenant, id, body.draft())
        .await?;
    Ok(Json(article).into_response())
}
