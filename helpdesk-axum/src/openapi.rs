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
/// outage (503); and on writes, a caller over its write limit (429, with `Retry-After`), a
/// body that stopped arriving (408) and a body declared or found larger than allowed (413).
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
            let reads = [&mut item.get];
            let writes = [
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for (write, operation) in reads
                .into_iter()
                .map(|o| (false, o))
                .chain(writes.into_iter().map(|o| (true, o)))
                .filter_map(|(write, o)| o.as_mut().map(|o| (write, o)))
            {
                let responses = &mut operation.responses.responses;
                let common = [
                    ("400", "The body or a parameter cannot be read"),
                    ("401", "No caller identity"),
                    (
                        "403",
                        "Forbidden: a blocked account, a cross-site write (`Sec-Fetch-Site: cross-site`, or an `Origin` that is not the host's nor allowed: `cross_site_request`, `origin_not_allowed`), or a role that may not",
                    ),
                    (
                        "503",
                        "The storage is unreachable for now (`service_unavailable`); nothing was changed: try again after `Retry-After` seconds",
                    ),
                ];
                let on_writes = [
                    (
                        "408",
                        "The request body stopped arriving (`request_timeout`)",
                    ),
                    (
                        "413",
                        "The body is larger than allowed, by its `Content-Length` or as it arrives (`payload_too_large`)",
                    ),
                    (
                        "429",
                        "Too many writes by this caller in a short time (`too_many_requests`); the `Retry-After` header says how many seconds to wait",
                    ),
                ];
                let extra = if write { &on_writes[..] } else { &[] };
                for (status, description) in common.iter().chain(extra) {
                    let response = responses
                        .entry((*status).to_owned())
                        .or_insert_with(|| problem(description).into());
                    if *status == "429"
                        && let utoipa::openapi::RefOr::T(response) = response
                    {
                        response.headers.insert(
                            "Retry-After".to_owned(),
                            utoipa::openapi::header::HeaderBuilder::new()
                                .schema(Some(
                                    utoipa::openapi::ObjectBuilder::new()
                                        .schema_type(utoipa::openapi::schema::Type::Integer),
                                ))
                                .description(Some("Seconds to wait before the next write"))
                                .build()
                                .into(),
                        );
                    }
                }
            }
        }
    }
}

#[utoipa::path(get, path = "/openapi.json", tag = "meta",
    responses((status = 200, description = "This document", body = Object)))]
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
