//! The OpenAPI 3.1 document, generated from the handlers' annotations.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{OriginalUri, State};
use axum::response::{IntoResponse, Response};
use utoipa::OpenApi;
use utoipa::openapi::header::{Header, HeaderBuilder};
use utoipa::openapi::path::{Operation, Parameter, ParameterIn};
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, Ref, SchemaFormat, Type};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{ContentBuilder, RefOr, Required, Response as ApiResponse, ResponseBuilder};

use crate::routes::{
    admin, attachments, commands, dead_letters, people, reports, tickets, webhooks,
};

/// The helpdesk API description.
#[derive(Debug, OpenApi)]
#[openapi(
    info(
        title = "helpdesk",
        description = "An embeddable helpdesk: tickets, replies, internal notes, assignment, two-step closure with a satisfaction questionnaire, search, dashboards and export. Every refusal is an RFC 9457 `application/problem+json` document with a stable `code`; under the helpdesk's prefix an unknown path answers 404 `route_not_found` and a method a path does not take 405 `method_not_allowed`. Writes are limited per caller (429 with `Retry-After`) and refused from foreign origins (403)."
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
        tickets::watchers,
        people::get_me,
        people::set_language,
        people::set_muted_topics,
        people::find_members,
        attachments::upload,
        attachments::download,
        reports::dashboard,
        reports::dashboard_breakdown,
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
        dead_letters::dead_letters,
        dead_letters::retry,
        webhooks::webhooks,
        webhooks::create_webhook,
        webhooks::update_webhook,
        webhooks::delete_webhook,
        openapi_json,
    ),
    components(schemas(crate::Problem)),
    modifiers(&CommonResponses)
)]
pub struct ApiDoc;

/// Completes every operation from one place, so no route can forget one:
/// - the refusals any route can answer: no caller identity (401), a blocked account or a
///   cross-site write (403), a body or parameter that cannot be read (400), an unknown or
///   unserved `?tenant=` (404), a storage outage (503, with `Retry-After`); on writes, a
///   caller over its write limit (429, with `Retry-After`), a body that stopped arriving
///   (408) and a body larger than allowed (413);
/// - from what the operation declares: 404 for the entity a path `{id}` names, 409 and
///   412 where `If-Match` is read, 415 and 422 where a body is read, 422 where query
///   parameters are read, 409 where a create may meet an existing entity;
/// - the formats of the `id` path parameters, `If-Match` and `Idempotency-Key`;
/// - the `ETag` of ticket answers, the `Location` of a new ticket, the
///   `Content-Disposition` of downloads;
/// - the host's session as the security scheme of every operation (see
///   [`HelpdeskState::with_security_scheme`](crate::HelpdeskState::with_security_scheme)).
#[derive(Debug)]
struct CommonResponses;

/// The name of the security scheme standing for the host's session.
pub(crate) const SESSION_SCHEME: &str = "host_session";

/// The security scheme a host that says nothing gets: a session cookie.
pub(crate) fn default_security_scheme() -> SecurityScheme {
    SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
        "session",
        "The host's own session, whatever its `Identify` reads (a cookie, a bearer token, an SSO header). \
         A host describes its own with `HelpdeskState::with_security_scheme`.",
    )))
}

fn problem(description: &str) -> ApiResponse {
    ResponseBuilder::new()
        .description(description)
        .content(
            crate::PROBLEM_JSON,
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problem")))
                .build(),
        )
        .build()
}

fn header(schema: ObjectBuilder, description: &str) -> RefOr<Header> {
    HeaderBuilder::new()
        .schema(Some(schema))
        .description(Some(description))
        .build()
        .into()
}

fn string() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String)
}

fn seconds() -> RefOr<Header> {
    header(
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .minimum(Some(1)),
        "Seconds to wait before trying again",
    )
}

/// What a path `{id}` names, for its 404.
fn entity_of(path: &str) -> &'static str {
    [
        ("/tickets/", "ticket"),
        ("/attachments/", "attachment"),
        ("/admin/tenants/", "tenant"),
        ("/admin/members/", "member"),
        ("/admin/staff/", "staff"),
        ("/admin/groups/", "group"),
        ("/admin/categories/", "category"),
        ("/admin/products/", "product"),
        ("/kb/articles/", "article"),
        ("/saved-searches/", "saved_search"),
        ("/admin/webhooks/", "webhook"),
    ]
    .into_iter()
    .find(|(prefix, _)| path.starts_with(prefix))
    .map_or("resource", |(_, entity)| entity)
}

/// Creates that refuse an entity that already exists.
const CREATES: [&str; 3] = ["/admin/tenants", "/admin/members", "/admin/staff"];

impl utoipa::Modify for CommonResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components
            .security_schemes
            .insert(SESSION_SCHEME.to_owned(), default_security_scheme().into());
        for (path, item) in openapi.paths.paths.iter_mut() {
            if path == "/openapi.json" {
                continue;
            }
            let operations = [
                (false, &mut item.get),
                (true, &mut item.put),
                (true, &mut item.post),
                (true, &mut item.delete),
                (true, &mut item.patch),
            ];
            for (write, operation) in operations
                .into_iter()
                .filter_map(|(write, o)| o.as_mut().map(|o| (write, o)))
            {
                complete(path, write, operation);
            }
        }
    }
}

fn complete(path: &str, write: bool, operation: &mut Operation) {
    operation.security = Some(vec![SecurityRequirement::new(
        SESSION_SCHEME,
        Vec::<String>::new(),
    )]);
    let parameters = constrain_parameters(path, operation);
    add_refusals(path, write, parameters, operation);
    add_response_headers(path, &mut operation.responses.responses);
}

/// What an operation's parameters say about the refusals it may answer with.
#[derive(Clone, Copy, Default)]
struct Parameters {
    /// It takes an `If-Match` header.
    if_match: bool,
    /// It takes query parameters.
    queried: bool,
}

/// Gives the parameters the constraints the handlers enforce.
fn constrain_parameters(path: &str, operation: &mut Operation) -> Parameters {
    let mut seen = Parameters::default();
    for parameter in operation.parameters.iter_mut().flatten() {
        let RefOr::T(parameter) = parameter else {
            continue;
        };
        match parameter.parameter_in {
            ParameterIn::Path => constrain_path_parameter(parameter),
            ParameterIn::Header => {
                seen.if_match |= parameter.name == "If-Match";
                constrain_header(parameter);
            }
            ParameterIn::Query => {
                seen.queried = true;
                constrain_query_parameter(path, parameter);
            }
            _ => {}
        }
    }
    seen
}

fn constrain_path_parameter(parameter: &mut Parameter) {
    if parameter.name == "id" {
        parameter.schema = Some(
            string()
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid)))
                .into(),
        );
    }
}

fn constrain_header(parameter: &mut Parameter) {
    match parameter.name.as_str() {
        "If-Match" => {
            parameter.required = Required::False;
            parameter.schema = Some(
                string()
                    .pattern(Some(r#"^(\*|"[0-9]{1,19}"|[0-9]{1,19})$"#))
                    .into(),
            );
            parameter.description = Some(
                "The ticket's `ETag` as read (`\"7\"`), or `*`: the write is refused with 412 if the ticket changed since".to_owned(),
            );
        }
        "Idempotency-Key" => {
            parameter.required = Required::False;
            parameter.schema = Some(
                string()
                    .min_length(Some(1))
                    .max_length(Some(255))
                    .pattern(Some("^[!-~]([ -~]*[!-~])?$"))
                    .into(),
            );
        }
        _ => {}
    }
}

fn constrain_query_parameter(path: &str, parameter: &mut Parameter) {
    match parameter.name.as_str() {
        "tenant" => {
            parameter.schema = Some(
                string()
                    .max_length(Some(63))
                    .pattern(Some("^([a-z0-9][a-z0-9-]*)?$"))
                    .into(),
            );
            parameter.description = Some(
                "The tenant's slug: a member's own tenant by default; staff serving several tenants name one here (empty: none)".to_owned(),
            );
        }
        "number" => {
            // Read as an unsigned 64-bit number, larger than `int64` allows.
            parameter.schema = Some(
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .format(Some(SchemaFormat::Custom("uint64".to_owned())))
                    .minimum(Some(0))
                    .into(),
            );
        }
        "format" if path == "/export.csv" => {
            parameter.schema = Some(string().enum_values(Some(["csv", "excel-fr"])).into());
        }
        "numbers" => {
            parameter.schema = Some(
                string()
                    .pattern(Some("^#?[0-9]{1,19}(, *#?[0-9]{1,19})*$"))
                    .into(),
            );
        }
        _ => {}
    }
}

/// Declares the problem responses the operation may answer with.
fn add_refusals(path: &str, write: bool, parameters: Parameters, operation: &mut Operation) {
    let Parameters { if_match, queried } = parameters;
    let body = operation.request_body.as_ref();
    let multipart = body
        .is_some_and(|b| matches!(b, RefOr::T(b) if b.content.contains_key("multipart/form-data")));
    let has_body = body.is_some();
    let responses = &mut operation.responses.responses;
    let mut add = |status: &str, description: String| {
        responses
            .entry(status.to_owned())
            .or_insert_with(|| problem(&description).into());
    };
    add(
        "400",
        "The body or a parameter cannot be read (`bad_request`; `field` names it when it can)"
            .to_owned(),
    );
    add("401", "No caller identity, or a caller who is neither support staff nor a member of the tenant (`unauthenticated`)".to_owned());
    add("403", "Forbidden (`forbidden`, with a `reason`: `account_blocked`, `staff_only`, `role_required`, `read_only`, `not_the_requester`, `ticket_already_taken`, `reopen_window_passed`, `other_tenant`), or a cross-site write (`cross_site_request`, `origin_not_allowed`)".to_owned());
    let entity = if path.contains("{id}") {
        format!(
            "No such {entity}, or one the caller may not see: the same answer (`not_found`, `entity`: `{entity}`); or a `?tenant=` that does not exist or the caller does not serve (`entity`: `tenant`)",
            entity = entity_of(path)
        )
    } else {
        "A `?tenant=` that does not exist or the caller does not serve (`not_found`, `entity`: `tenant`), or a referenced entity that does not exist".to_owned()
    };
    add("404", entity);
    if if_match {
        add("409", "The ticket's status does not allow this command (`invalid_transition`, with `from` and `command`), or it changed during the write (`version_conflict`)".to_owned());
        add("412", "`If-Match` names a version the ticket is no longer at (`precondition_failed`): read it again".to_owned());
    } else if write && CREATES.contains(&path) {
        add(
            "409",
            "It already exists (`already_exists`, with the `entity`)".to_owned(),
        );
    }
    if has_body {
        let media = if multipart {
            "multipart/form-data"
        } else {
            "application/json"
        };
        add(
            "415",
            format!("The body is not `{media}` (`unsupported_media_type`)"),
        );
    }
    if has_body || queried {
        add("422", "A field or parameter is invalid (`validation_failed`, `field` names it), refers to another tenant's entity (`tenant_mismatch`), or the tenant is not named for a caller who serves several (`field`: `tenant`)".to_owned());
    }
    add("503", "The storage is unreachable for now (`service_unavailable`); nothing was changed: try again after `Retry-After` seconds".to_owned());
    if write {
        add(
            "408",
            "The request body stopped arriving (`request_timeout`)".to_owned(),
        );
        add("413", "The body is larger than allowed, by its `Content-Length` or as it arrives (`payload_too_large`)".to_owned());
        add("429", "Too many writes by this caller in a short time (`too_many_requests`); the `Retry-After` header says how many seconds to wait".to_owned());
    }
}

/// Declares the headers of the operation's responses: `Retry-After`, `ETag`,
/// `Location`, `Content-Disposition`; and an attachment's content as any binary.
fn add_response_headers(path: &str, responses: &mut BTreeMap<String, RefOr<ApiResponse>>) {
    for (status, response) in responses.iter_mut() {
        let RefOr::T(response) = response else {
            continue;
        };
        if status == "429" || status == "503" {
            response.headers.insert("Retry-After".to_owned(), seconds());
        }
        if !status.starts_with('2') {
            continue;
        }
        let names_ticket = response.content.values().any(|content| {
            matches!(content, RefOr::T(utoipa::openapi::Content { schema: Some(RefOr::Ref(r)), .. })
                if r.ref_location.ends_with("/Ticket") || r.ref_location.ends_with("/TicketView"))
        });
        if names_ticket {
            response.headers.insert(
                "ETag".to_owned(),
                header(
                    string().pattern(Some(r#"^"[0-9]+"$"#)),
                    "The ticket's version, to send back as `If-Match`",
                ),
            );
        }
        if status == "201" && path == "/tickets" {
            response.headers.insert(
                "Location".to_owned(),
                header(
                    string().format(Some(SchemaFormat::Custom("uri-reference".to_owned()))),
                    "The new ticket's address: the request's path followed by its id",
                ),
            );
        }
        if path == "/attachments/{id}" || path == "/export.csv" {
            response.headers.insert(
                "Content-Disposition".to_owned(),
                header(string(), "`attachment`, with the file's name"),
            );
        }
        if path == "/attachments/{id}" {
            response.content = [(
                "*/*".to_owned(),
                ContentBuilder::new()
                    .schema(Some(
                        string().format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary))),
                    ))
                    .build()
                    .into(),
            )]
            .into_iter()
            .collect();
        }
    }
}

/// This OpenAPI document.
///
/// The document of every route, with the host's prefix as its server.
#[utoipa::path(get, path = "/openapi.json", tag = "meta",
    responses((status = 200, description = "This document", body = Object)))]
pub(crate) async fn openapi_json(
    State(state): State<crate::HelpdeskState>,
    OriginalUri(uri): OriginalUri,
) -> Response {
    let mut doc = ApiDoc::openapi();
    // Served under the host's prefix: tell clients where the paths start.
    let prefix = uri.path().strip_suffix("/openapi.json").unwrap_or("");
    doc.servers = Some(vec![utoipa::openapi::Server::new(if prefix.is_empty() {
        "/"
    } else {
        prefix
    })]);
    if let (Some(scheme), Some(components)) = (&state.security_scheme, doc.components.as_mut()) {
        components
            .security_schemes
            .insert(SESSION_SCHEME.to_owned(), RefOr::T((**scheme).clone()));
    }
    Json(doc).into_response()
}
