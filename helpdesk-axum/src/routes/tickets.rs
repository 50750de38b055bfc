//! Open, search, read and edit tickets.

use std::collections::BTreeMap;

use axum::extract::{OriginalUri, Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use helpdesk_core::{CategoryId, MemberId, NewTicket, Priority, ProductId, TicketEdit, TicketId};
use serde::{Deserialize, Deserializer};

use super::{TicketCall, with_etag};
use crate::extract::{IdempotencyKey, JsonBody};
use crate::identity::Ctx;
use crate::params::{CRITERIA, Params};
use crate::problem::ApiError;
use crate::state::HelpdeskState;

/// The body of `POST /tickets`. Unknown fields (a `status`, say) are refused.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenTicket {
    /// One line saying what it is about.
    #[schema(
        min_length = 1,
        max_length = 250,
        pattern = r"^[^\x00-\x1F\x7F]*\S[^\x00-\x1F\x7F]*$"
    )]
    pub subject: String,
    /// The description, as HTML; it is sanitised. It must keep some visible text.
    #[schema(min_length = 1)]
    pub description: String,
    /// Where it is filed.
    #[serde(default)]
    #[schema(value_type = Option<uuid::Uuid>)]
    pub category: Option<CategoryId>,
    /// What it is about.
    #[serde(default)]
    #[schema(value_type = Option<uuid::Uuid>)]
    pub product: Option<ProductId>,
    /// How urgent it is; normal when left out.
    #[serde(default)]
    pub priority: Option<Priority>,
    /// A phone number support can reach the requester on.
    #[serde(default)]
    #[schema(max_length = 100)]
    pub contact_phone: Option<String>,
    /// The computer or equipment concerned.
    #[serde(default)]
    #[schema(max_length = 100)]
    pub asset: Option<String>,
    /// Custom field values by key: every field the tenant's settings define as required
    /// must be given (else 422 naming `custom_fields.<key>`); keys the tenant does not
    /// define are kept as given.
    #[serde(default)]
    pub custom_fields: BTreeMap<String, String>,
    /// Whose ticket it is, when staff or a tenant admin open it on someone's behalf.
    #[serde(default)]
    #[schema(value_type = Option<uuid::Uuid>)]
    pub requester: Option<MemberId>,
}

/// Open a ticket.
///
/// A requester opens their own ticket; staff and tenant admins may open one on a member's behalf (`requester`). Answers 201 with the ticket, its `ETag` and its `Location`. Retried with the same `Idempotency-Key` and body, it answers the same ticket.
#[utoipa::path(post, path = "/tickets", tag = "tickets", request_body = OpenTicket,
    params(("Idempotency-Key" = Option<String>, Header, description = "Retry-safe key: the same key with the same body opens one ticket; with another body it is refused (422 `idempotency_key_reused`)"),
           ("tenant" = Option<String>, Query, description = "Tenant slug, for staff")),
    responses((status = 201, description = "The ticket, with its ETag and its Location", body = helpdesk_core::Ticket),
              (status = 409, description = "A request with this Idempotency-Key is still running (`idempotency_key_in_use`)", body = crate::Problem, content_type = "application/problem+json"),
              (status = 422, description = "A field is invalid, or the Idempotency-Key was used with another body; the problem names it", body = crate::Problem, content_type = "application/problem+json")))]
pub(crate) async fn open(
    State(state): State<HelpdeskState>,
    OriginalUri(uri): OriginalUri,
    ctx: Ctx,
    key: IdempotencyKey,
    JsonBody(body): JsonBody<OpenTicket>,
) -> Result<Response, ApiError> {
    let tenant = ctx.require_tenant()?.id;
    let draft = NewTicket {
        subject: body.subject,
        description: body.description,
        category: body.category,
        product: body.product,
        priority: body.priority,
        contact_phone: body.contact_phone,
        asset: body.asset,
        custom_fields: body.custom_fields,
        requester: body.requester,
        idempotency_key: key.0,
    };
    let ticket = state
        .service
        .open(&ctx.actor, tenant, draft, vec![])
        .await?;
    let mut response = with_etag(StatusCode::CREATED, ticket.version, &ticket);
    // The request's own path (under whatever prefix the host nests us at), then the id.
    let collection = uri.path().trim_end_matches('/');
    if let Ok(location) = HeaderValue::from_str(&format!("{collection}/{}", ticket.id)) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

/// Search tickets.
///
/// One page of the tickets the caller may see, newest first unless `sort` and `order` say otherwise, with `total`, how many tickets match on all pages, counted up to 1,000 (`total_exact` false: more than `total` match); closed and cancelled tickets only with `include_closed`, archived ones only with `include_archived`. Pass `next` as `cursor` for the following page, with the same `sort` and `order` (a cursor is refused under another sort).
#[utoipa::path(get, path = "/tickets", tag = "tickets",
    params(("status" = Option<Vec<helpdesk_core::Status>>, Query, explode = true, description = "Only these statuses (the parameter repeats, or one value lists them comma-separated); the open ones when left out"),
           ("priority" = Option<Vec<helpdesk_core::Priority>>, Query, explode = true, description = "Only these priorities"),
           ("category" = Option<Vec<uuid::Uuid>>, Query, explode = true, description = "Only these categories"),
           ("product" = Option<Vec<uuid::Uuid>>, Query, explode = true, description = "Only these products"),
           ("requester" = Option<uuid::Uuid>, Query, description = "Only this member's tickets"),
           ("assignee" = Option<uuid::Uuid>, Query, description = "Only tickets assigned to this staff member"),
           ("group" = Option<uuid::Uuid>, Query, description = "Only this group's tickets"),
           ("number" = Option<u64>, Query, description = "The ticket with this number"),
           ("opened_from" = Option<chrono::DateTime<chrono::Utc>>, Query, description = "Opened at or after (RFC 3339, or a date `2026-01-31` for midnight UTC)"),
           ("opened_to" = Option<chrono::DateTime<chrono::Utc>>, Query, description = "Opened before; not before `opened_from`"),
           ("updated_from" = Option<chrono::DateTime<chrono::Utc>>, Query, description = "Changed at or after"),
           ("updated_to" = Option<chrono::DateTime<chrono::Utc>>, Query, description = "Changed before; not before `updated_from`"),
           ("contains" = Option<String>, Query, description = "At most 10 words (spaces and commas separate them), all of which must appear as word prefixes in the subject, description or public replies (staff: notes too); accents and case folded"),
           ("include_closed" = Option<bool>, Query, description = "Also closed and cancelled tickets, when no status is named"),
           ("include_archived" = Option<bool>, Query, description = "Also archived tickets"),
           ("sla" = Option<helpdesk_core::SlaFilter>, Query, description = "Only tickets with a service-level target `due_soon` (less working time left than the tenant's warning) or `breached` (past its due date unmet, or met late) now"),
           ("sort" = Option<helpdesk_core::SortKey>, Query, description = "What to sort by (`opened`): `number`, `subject` (by Unicode code point), `status` (workflow order), `priority` (low to blocking), `opened`, `updated` (the last change the caller may see); ties by ticket id"),
           ("order" = Option<helpdesk_core::SortOrder>, Query, description = "`asc` or `desc` (`desc`)"),
           ("limit" = Option<u32>, Query, minimum = 1, maximum = 200, description = "Tickets per page, 1 to 200 (50)"),
           ("cursor" = Option<String>, Query, description = "The `next` of the previous page, under the same `sort` and `order`"),
           ("tenant" = Option<String>, Query)),
    responses((status = 200, description = "One page of tickets in the asked order, with how many match in all (`total`, up to 1,000; `total_exact` false beyond) and the next cursor", body = helpdesk_core::TicketList)))]
pub(crate) async fn search(
    State(state): State<HelpdeskState>,
    ctx: Ctx,
    params: Params,
) -> Result<Response, ApiError> {
    let mut known = CRITERIA.to_vec();
    known.extend(["limit", "cursor"]);
    params.only(&known)?;
    let mut criteria = params.criteria()?;
    criteria.tenant = ctx.tenant.as_ref().map(|t| t.id);
    let page = state
        .service
        .search(&ctx.actor, criteria, params.page()?)
        .await?;
    Ok(axum::Json(page).into_response())
}

/// Read a ticket.
///
/// The ticket with the timeline, attachments and actions this caller may see (internal notes are for staff only), and its `ETag`.
#[utoipa::path(get, path = "/tickets/{id}", tag = "tickets", params(("id" = String, Path)),
    responses((status = 200, description = "The ticket with the timeline this caller may see", body = helpdesk_core::TicketView), (status = 404, description = "No such ticket, or one the caller may not see", body = crate::Problem, content_type = "application/problem+json")))]
pub(crate) async fn get(
    State(state): State<HelpdeskState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = ticket_id(&id)?;
    let view = state.service.ticket(&ctx.actor, id).await?;
    Ok(with_etag(StatusCode::OK, view.ticket.version, &view))
}

/// Who is told about a ticket.
///
/// The people the ticket's notifications go to ("Surveillance du ticket"): the requester
/// and guests, the assignee or, with nobody assigned, the group's members. Staff and the
/// tenant's admins also read whether each has an address and what they muted.
#[utoipa::path(get, path = "/tickets/{id}/watchers", tag = "tickets", params(("id" = String, Path)),
    responses((status = 200, description = "The people told about the ticket", body = Vec<helpdesk_core::Watcher>), (status = 404, description = "No such ticket, or one the caller may not see", body = crate::Problem, content_type = "application/problem+json")))]
pub(crate) async fn watchers(
    State(state): State<HelpdeskState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = ticket_id(&id)?;
    let watchers = state.service.watchers(&ctx.actor, id).await?;
    Ok(axum::Json(watchers).into_response())
}

/// Reads a ticket id from the path; a malformed one answers like a missing ticket.
pub(crate) fn ticket_id(raw: &str) -> Result<TicketId, ApiError> {
    raw.parse()
        .map_err(|_| crate::problem::not_found(helpdesk_core::Entity::Ticket))
}

/// The body of `PATCH /tickets/{id}`: the fields to change, or a category to move to.
/// Unknown fields (a `status`, say) are refused; at least one field is named.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(min_properties = 1)]
pub struct EditTicket {
    /// A new subject.
    #[serde(default)]
    pub subject: Option<String>,
    /// A new description, as HTML.
    #[serde(default)]
    pub description: Option<String>,
    /// A new priority.
    #[serde(default)]
    pub priority: Option<Priority>,
    /// A new product; `null` clears it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<uuid::Uuid>)]
    pub product: Option<Option<ProductId>>,
    /// A new contact phone; `null` clears it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub contact_phone: Option<Option<String>>,
    /// A new asset reference; `null` clears it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub asset: Option<Option<String>>,
    /// Custom fields to set, or remove with `null` (a field the tenant defines as
    /// required cannot be removed).
    #[serde(default)]
    pub custom_fields: BTreeMap<String, Option<String>>,
    /// Move the ticket to this category (alone: not with other fields).
    #[serde(default)]
    #[schema(value_type = Option<uuid::Uuid>)]
    pub category: Option<CategoryId>,
}

fn double_option<'de, D, T>(de: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(de).map(Some)
}

/// Edit a ticket's fields, or move it to another category.
///
/// The requester while it is new, staff while it is open. A category move goes alone in its request.
#[utoipa::path(patch, path = "/tickets/{id}", tag = "tickets", request_body = EditTicket,
    params(("id" = String, Path), ("If-Match" = Option<String>, Header, description = "The ETag read")),
    responses((status = 200, description = "The edited ticket", body = helpdesk_core::Ticket), (status = 412, description = "If-Match does not name the current version", body = crate::Problem, content_type = "application/problem+json"), (status = 422, description = "A field is invalid; the problem names it", body = crate::Problem, content_type = "application/problem+json")))]
pub(crate) async fn edit(
    call: TicketCall,
    JsonBody(body): JsonBody<EditTicket>,
) -> Result<Response, ApiError> {
    let edit = TicketEdit {
        subject: body.subject,
        description: body.description,
        priority: body.priority,
        product: body.product,
        contact_phone: body.contact_phone,
        asset: body.asset,
        custom_fields: body.custom_fields,
    };
    let (service, actor) = (&call.state.service, &call.ctx.actor);
    let result = match body.category {
        Some(category) if edit.is_empty() => {
            service
                .move_category(actor, call.id, call.version(), category)
                .await
        }
        Some(_) => {
            return Err(ApiError::Domain(helpdesk_core::Error::invalid(
                "category",
                "move the category in a request of its own",
            )));
        }
        None => service.edit(actor, call.id, call.version(), edit).await,
    };
    call.answer(result)
}
