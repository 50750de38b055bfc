//! The workflow commands on one ticket: each a `POST` under `/tickets/{id}/`.

use axum::response::Response;
use helpdesk_core::{Answers, Entity, Error, GroupId, MemberId, StaffId, TicketId, UserId};
use serde::Deserialize;
#[allow(unused_imports)] // named by the schema attributes
use std::collections::BTreeMap;

use super::TicketCall;
use crate::extract::JsonBody;
use crate::identity::Ctx;
use crate::problem::ApiError;
use crate::state::HelpdeskState;

/// A message: a reply, a note, a question, a solution, a justification.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Message {
    /// The text, as HTML; it is sanitised. It must keep some visible text.
    #[schema(min_length = 1)]
    pub body: String,
}

/// An optional reason (cancel, reopen).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Reason {
    /// Why, as HTML; it is sanitised.
    #[serde(default)]
    pub reason: Option<String>,
}

/// Who to assign.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Assignment {
    /// The staff member; none leaves the ticket to its group.
    #[serde(default)]
    #[schema(value_type = Option<uuid::Uuid>)]
    pub assignee: Option<StaffId>,
    /// The group; none keeps the current one.
    #[serde(default)]
    #[schema(value_type = Option<uuid::Uuid>)]
    pub group: Option<GroupId>,
}

/// The questionnaire answers approving a closure.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Approval {
    /// Answers by question key: a number for scores, text for choices and comments.
    #[schema(value_type = BTreeMap<String, helpdesk_core::Answer>)]
    pub answers: Answers,
}

/// A member of the ticket's tenant, by id or by the host's user id: exactly one of the two.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(min_properties = 1, max_properties = 1)]
pub struct MemberRef {
    /// The member's id.
    #[serde(default)]
    #[schema(value_type = uuid::Uuid, required = false)]
    pub member: Option<MemberId>,
    /// Or the host's id for the user.
    #[serde(default)]
    #[schema(
        value_type = String,
        required = false,
        min_length = 1,
        max_length = 255,
        pattern = r"^[^\x00-\x1F\x7F]*\S[^\x00-\x1F\x7F]*$"
    )]
    pub user: Option<String>,
}

/// The service names the message after its role (`message`, `solution`,
/// `justification`); the request calls it `body`, so a refusal names `body`.
fn body_field(e: Error) -> Error {
    match e {
        Error::Validation(mut v)
            if ["message", "solution", "justification"].contains(&v.field.as_str()) =>
        {
            v.field = "body".to_owned();
            Error::Validation(v)
        }
        other => other,
    }
}

async fn resolve_member(
    state: &HelpdeskState,
    ticket: TicketId,
    ctx: &Ctx,
    who: MemberRef,
    field: &str,
) -> Result<MemberId, ApiError> {
    match (who.member, who.user) {
        (Some(id), None) => Ok(id),
        (None, Some(user)) => {
            let user = UserId::new(&user)?;
            // The ticket's tenant: read through the service, so an invisible ticket
            // answers not found before anything else.
            let view = state.service.ticket(&ctx.actor, ticket).await?;
            match state
                .service
                .member_by_user(&ctx.actor, view.ticket.tenant, &user)
                .await
            {
                Ok(member) => Ok(member.id),
                Err(Error::NotFound(Entity::Member)) => Err(ApiError::Domain(Error::invalid(
                    field,
                    "no such member in this tenant",
                ))),
                Err(e) => Err(e.into()),
            }
        }
        _ => Err(ApiError::Domain(Error::invalid(
            field,
            "name either `member` or `user`",
        ))),
    }
}

/// Reply publicly.
///
/// The requester, guests and staff, on an open ticket; a requester's reply to a question puts it back in progress.
#[utoipa::path(post, path = "/tickets/{id}/replies", tag = "workflow", request_body = Message,
    params(("id" = String, Path), ("If-Match" = Option<String>, Header)),
    responses((status = 200, description = "The ticket after the reply", body = helpdesk_core::Ticket), (status = 409, description = "Invalid transition or version conflict", body = crate::Problem, content_type = "application/problem+json")))]
pub(crate) async fn reply(
    call: TicketCall,
    JsonBody(body): JsonBody<Message>,
) -> Result<Response, ApiError> {
    let result = call
        .state
        .service
        .reply(&call.ctx.actor, call.id, call.version(), &body.body, vec![])
        .await;
    call.answer(result)
}

/// Add an internal note.
///
/// Staff only, in any state; never shown to requesters or guests.
#[utoipa::path(post, path = "/tickets/{id}/notes", tag = "workflow", request_body = Message,
    params(("id" = String, Path), ("If-Match" = Option<String>, Header)),
    responses((status = 200, description = "The ticket after the internal note (staff only)", body = helpdesk_core::Ticket), (status = 403, description = "Forbidden for this caller", body = crate::Problem, content_type = "application/problem+json")))]
pub(crate) async fn note(
    call: TicketCall,
    JsonBody(body): JsonBody<Message>,
) -> Result<Response, ApiError> {
    let result = call
        .state
        .service
        .add_note(&call.ctx.actor, call.id, call.version(), &body.body, vec![])
        .await;
    call.answer(result)
}

/// Assign to an agent or a group.
///
/// Supervisors assign; an agent may take a ticket for themself. A new ticket given an agent goes in progress.
#[utoipa::path(post, path = "/tickets/{id}/assignment", tag = "workflow", request_body = Assignment,
    params(("id" = String, Path), ("If-Match" = Option<String>, Header)),
    responses((status = 200, description = "The assigned ticket", body = helpdesk_core::Ticket)))]
pub(crate) async fn assign(
    call: TicketCall,
    JsonBody(body): JsonBody<Assignment>,
) -> Result<Response, ApiError> {
    let result = call
        .state
        .service
        .assign(
            &call.ctx.actor,
            call.id,
            call.version(),
            body.assignee,
            body.group,
        )
        .await;
    call.answer(result)
}

/// Ask the requester for information.
///
/// Staff, on a new or in-progress ticket: it waits on the requester.
#[utoipa::path(post, path = "/tickets/{id}/information-request", tag = "workflow", request_body = Message,
    params(("id" = String, Path), ("If-Match" = Option<String>, Header)),
    responses((status = 200, description = "The ticket, now waiting on the requester", body = helpdesk_core::Ticket)))]
pub(crate) async fn request_information(
    call: TicketCall,
    JsonBody(body): JsonBody<Message>,
) -> Result<Response, ApiError> {
    let result = call
        .state
        .service
        .request_information(&call.ctx.actor, call.id, call.version(), &body.body)
        .await
        .map_err(body_field);
    call.answer(result)
}

/// Propose a solution and closure.
///
/// Staff, on an open ticket: it waits for the requester's approval, or closes at once in direct closure mode.
#[utoipa::path(post, path = "/tickets/{id}/closure", tag = "workflow", request_body = Message,
    params(("id" = String, Path), ("If-Match" = Option<String>, Header)),
    responses((status = 200, description = "The ticket, pending closure (or closed in direct mode)", body = helpdesk_core::Ticket)))]
pub(crate) async fn propose_closure(
    call: TicketCall,
    JsonBody(body): JsonBody<Message>,
) -> Result<Response, ApiError> {
    let result = call
        .state
        .service
        .propose_closure(&call.ctx.actor, call.id, call.version(), &body.body)
        .await
        .map_err(body_field);
    call.answer(result)
}

/// Approve the closure.
///
/// The requester or a tenant admin, answering the tenant's questionnaire.
#[utoipa::path(post, path = "/tickets/{id}/closure/approval", tag = "workflow", request_body = Approval,
    params(("id" = String, Path), ("If-Match" = Option<String>, Header)),
    responses((status = 200, description = "The closed ticket", body = helpdesk_core::Ticket), (status = 422, description = "A field is invalid; the problem names it", body = crate::Problem, content_type = "application/problem+json")))]
pub(crate) async fn approve_closure(
    call: TicketCall,
    JsonBody(body): JsonBody<Approval>,
) -> Result<Response, ApiError> {
    let result = call
        .state
        .service
        .approve_closure(&call.ctx.actor, call.id, call.version(), body.answers)
        .await;
    call.answer(result)
}

/// Refuse the closure.
///
/// The requester or a tenant admin, saying why: the ticket goes back in progress.
#[utoipa::path(post, path = "/tickets/{id}/closure/refusal", tag = "workflow", request_body = Message,
    params(("id" = String, Path), ("If-Match" = Option<String>, Header)),
    responses((status = 200, description = "The ticket, back in progress", body = helpdesk_core::Ticket)))]
pub(crate) async fn refuse_closure(
    call: TicketCall,
    JsonBody(body): JsonBody<Message>,
) -> Result<Response, ApiError> {
    let result = call
        .state
        .service
        .refuse_closure(&call.ctx.actor, call.id, call.version(), &body.body)
        .await
        .map_err(body_field);
    call.answer(result)
}

/// Cancel the ticket.
///
/// The requester, a tenant admin or a supervisor, while it is open.
#[utoipa::path(post, path = "/tickets/{id}/cancellation", tag = "workflow", request_body = Reason,
    params(("id" = String, Path), ("If-Match" = Option<String>, Header)),
    responses((status = 200, description = "The cancelled ticket", body = helpdesk_core::Ticket)))]
pub(crate) async fn cancel(
    call: TicketCall,
    JsonBody(body): JsonBody<Reason>,
) -> Result<Response, ApiError> {
    let result = call
        .state
        .service
        .cancel(
            &call.ctx.actor,
            call.id,
            call.version(),
            body.reason.as_deref(),
        )
        .await;
    call.answer(result)
}

/// Reopen a closed ticket.
///
/// The requester within the tenant's reopen window; staff at any time.
#[utoipa::path(post, path = "/tickets/{id}/reopening", tag = "workflow", request_body = Reason,
    params(("id" = String, Path), ("If-Match" = Option<String>, Header)),
    responses((status = 200, description = "The reopened ticket", body = helpdesk_core::Ticket)))]
pub(crate) async fn reopen(
    call: TicketCall,
    JsonBody(body): JsonBody<Reason>,
) -> Result<Response, ApiError> {
    let result = call
        .state
        .service
        .reopen(
            &call.ctx.actor,
            call.id,
            call.version(),
            body.reason.as_deref(),
        )
        .await;
    call.answer(result)
}

/// Invite a guest.
///
/// The requester, a tenant admin or staff invite a member of the tenant (by `member` id or by host `user` id: exactly one) to follow the ticket.
#[utoipa::path(post, path = "/tickets/{id}/guests", tag = "workflow", request_body = MemberRef,
    params(("id" = String, Path), ("If-Match" = Option<String>, Header)),
    responses((status = 200, description = "The ticket with its new guest", body = helpdesk_core::Ticket)))]
pub(crate) async fn invite_guest(
    call: TicketCall,
    JsonBody(body): JsonBody<MemberRef>,
) -> Result<Response, ApiError> {
    let guest = resolve_member(&call.state, call.id, &call.ctx, body, "guest").await?;
    let result = call
        .state
        .service
        .invite_guest(&call.ctx.actor, call.id, call.version(), guest)
        .await;
    call.answer(result)
}

/// Give the ticket to another requester.
///
/// A tenant admin, to an active member of the same tenant (by `member` id or by host `user` id: exactly one).
#[utoipa::path(post, path = "/tickets/{id}/requester", tag = "workflow", request_body = MemberRef,
    params(("id" = String, Path), ("If-Match" = Option<String>, Header)),
    responses((status = 200, description = "The ticket with its new requester", body = helpdesk_core::Ticket)))]
pub(crate) async fn reassign_requester(
    call: TicketCall,
    JsonBody(body): JsonBody<MemberRef>,
) -> Result<Response, ApiError> {
    let to = resolve_member(&call.state, call.id, &call.ctx, body, "requester").await?;
    let result = call
        .state
        .service
        .reassign_requester(&call.ctx.actor, call.id, call.version(), to)
        .await;
    call.answer(result)
}
