//! The OpenAPI 3.1 document, generated from the handlers' annotations.

use axum::Json;
use axum::extract::OriginalUri;
use axum::response::{IntoResponse, Response};
use utoipa::OpenApi;

use crate::routes::{admin, attachments, commands, reports, tickets};

/// The helpdesk API description.
#[derive(Debug, OpenApi)]
#[openapi(
    info(
        title = "helpdesk",
        description = "An embeddable helpdesk: tickets, replies, internal notes, assignment, two-step closure with a satisfaction questionnaire, search, dashboards and export."
    ),
    paths(
        tickets::open,
        tickets::search,
        tickets::get,
        tickets::edit,
        commands::reply,
        commands::note,
        commands::assign,
        commands::request_information,
        commands::propose_closure,
        commands::approve_closure,
        commands::refuse_closure,
        commands::cancel,
        commands::reopen,
        commands::invite_guest,
        commands::reassign_requester,
        attachments::upload,
        attachments::download,
        reports::dashboard,
        reports::export,
        reports::saved_searches,
        reports::save_search,
        reports::delete_saved_search,
        reports::kb_suggestions,
        reports::articles,
        reports::create_article,
        reports::update_article,
        admin::tenants,
        admin::create_tenant,
        admin::tenant,
        admin::update_tenant,
        admin::set_questionnaire,
        admin::members,
        admin::add_member,
        admin::block_member,
        admin::unblock_member,
        admin::set_member_role,
        admin::staff,
        admin::add_staff,
        admin::update_staff,
        admin::groups,
        admin::create_group,
        admin::rename_group,
        admin::categories,
        admin::create_category,
        admin::update_category,
        admin::products,
        admin::create_product,
        admin::update_product,
        openapi_json,
    ),
    components(schemas(crate::Problem)),
    modifiers(&CommonResponses)
)]
pub struct ApiDoc;

/// Adds the refusals every route can answer: no caller identity (401), a blocked account
/// or a cross-site write (403), a body or parameter that cannot be read (400), a storage
/// outage (503).
#[derive(Debug)]
struct CommonResponses;

impl utoipa::Modify for CommonResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::schema::Ref;
        use utoipa::openapi::{ContentBuilder, ResponseBuilder};
        let problem = |description: &str| {
            ResponseBuilder::new()
                .description(description)
                .content(
                    crate::PROBLEM_JSON,
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("Problem")))
                        .build(),
                )
                .build()
        };
        for (path, item) in openapi.paths.paths.iter_mut() {
            if path == "/openapi.json" {
                continue;
            }
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for operation in operations.into_iter().flatten() {
                let responses = &mut operation.responses.responses;
                for (status, description) in [
                    ("400", "The body or a parameter cannot be read"),
                    ("401", "No caller identity"),
                    (
                        "403",
                        "Forbidden: a blocked account, a cross-site write, or a role that may not",
                    ),
                    (
                        "503",
                        "The storage is unreachable for now (`service_unavailable`); nothing was changed: try again after `Retry-After` seconds",
                    ),
                ] {
                    responses
                        .entry(status.to_owned())
                        .or_insert_with(|| problem(description).into());
                }
            }
        }
    }
}

#[utoipa::path(get, path = "/openapi.json", tag = "meta",
    responses((status = 200, description = "This document")))]
pub(crate) async fn openapi_json(OriginalUri(uri): OriginalUri) -> Response {
    let mut doc = ApiDoc::openapi();
    // Served under the host's prefix: tell clients where the paths start.
    let prefix = uri.path().strip_suffix("/openapi.json").unwrap_or("");
    doc.servers = Some(vec![utoipa::openapi::Server::new(if prefix.is_empty() {
        "/"
    } else {
        prefix
    })]);
    Json(doc).into_response()
}
