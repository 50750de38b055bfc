//! The new-ticket form: category tree with its filter, FAQ suggestions, the description
//! with pasted screenshots, attachments; staff open on a member's behalf.
//!
//! - `GET /tickets/new`: the form (staff serving several clients first pick one). Its
//!   query may fill it in (`?category=…&subject=…`, for a host's "report a problem
//!   with…" link), with the FAQ articles that match the subject.
//! - `POST /tickets/new`: the "see the FAQ articles" button of the form, which works
//!   without a script: the form comes back with what was typed and the articles for
//!   its subject. Nothing is saved, so no redirect; it is a `POST` (with the form
//!   token, checked) rather than a `GET` so that neither the token nor a long
//!   description ends up in an address, a history or a server log.
//! - `GET /tickets/new/suggestions?subject=&category=`: those articles as an HTML
//!   fragment, for the script that refreshes them while the subject is typed.
//! - `POST /tickets`: the form, `multipart/form-data` (its files), read part by part:
//!   the form token first, the files streamed to storage as they arrive. Opened, it is
//!   a 303 to the new ticket; refused, the form again with what was typed, the reason
//!   at the top and the status of the refusal.

mod fields;
mod form;
mod receive;
pub(crate) mod text;

use std::collections::BTreeMap;

use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRef, RawQuery, Request};
use axum::http::StatusCode;
use axum::http::header::LOCATION;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use helpdesk_axum::HelpdeskState;
use helpdesk_core::{
    Actor, Article, Category, CategoryId, Error, MAX_SUBJECT_CHARS, Member, MemberId, MemberRole,
    NewTicket, Priority, Product, ProductId, Tenant,
};
use serde::Deserialize;

use crate::error::{PageError, field_detail};
use crate::forms::WebForm;
use crate::i18n::Msg;
use crate::layout;
use crate::site::Viewer;

/// How many FAQ articles are suggested at most.
const SUGGESTIONS: usize = 5;

/// This screen's routes, merged into [`crate::pages`].
pub(crate) fn routes<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    HelpdeskState: FromRef<S>,
{
    Router::new()
        .route("/tickets/new", get(new_ticket).post(preview))
        .route("/tickets/new/suggestions", get(suggestions))
        // The body limit is the service's attachment limits, applied while reading.
        .route("/tickets", post(create).layer(DefaultBodyLimit::disable()))
}

/// What the form holds: every field as typed, so a refused form comes back whole.
/// The names are the core's, so a refusal naming a field points at it.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct Draft {
    pub(crate) requester: String,
    pub(crate) category: String,
    pub(crate) subject: String,
    pub(crate) description: String,
    /// `html` when the description comes from the editor (see [`crate::rich`]).
    pub(crate) format: String,
    pub(crate) product: String,
    pub(crate) priority: String,
    pub(crate) contact_phone: String,
    pub(crate) asset: String,
    /// The key that makes a second sending of this form (a double click, a reload)
    /// open no second ticket.
    pub(crate) idempotency_key: String,
    /// The custom fields as typed, by key (form parts `custom_fields.<key>`).
    #[serde(skip)]
    pub(crate) custom_fields: BTreeMap<String, String>,
}

impl Draft {
    /// Sets the field `name` (a part of the form) to `value`; false for a name the form
    /// does not have.
    pub(crate) fn set(&mut self, name: &str, value: String) -> bool {
        let field = match name {
            "requester" => &mut self.requester,
            "category" => &mut self.category,
            "subject" => &mut self.subject,
            "description" => &mut self.description,
            "format" => &mut self.format,
            "product" => &mut self.product,
            "priority" => &mut self.priority,
            "contact_phone" => &mut self.contact_phone,
            "asset" => &mut self.asset,
            "idempotency_key" => &mut self.idempotency_key,
            _ => return fields::set(&mut self.custom_fields, name, value),
        };
        *field = value;
        true
    }

    /// A fresh key when the form has none (or a malformed one).
    fn with_key(mut self) -> Self {
        let valid = !self.idempotency_key.is_empty()
            && self.idempotency_key.len() <= 64
            && self
                .idempotency_key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if !valid {
            self.idempotency_key = uuid::Uuid::new_v4().to_string();
        }
        self
    }
}

/// Why the form came back: shown at its top, pointing at the field concerned.
#[derive(Debug)]
pub(crate) struct Problem {
    pub(crate) status: StatusCode,
    pub(crate) message: Msg,
    pub(crate) detail: Option<String>,
    /// The form field concerned (a [`Draft`] name).
    pub(crate) field: Option<&'static str>,
    /// The names of the files sent with the refused form (they are not kept).
    pub(crate) files: Vec<String>,
    /// The key of the custom field concerned, when it is one.
    pub(crate) custom_field: Option<String>,
}

impl Problem {
    fn new(status: StatusCode, message: Msg) -> Self {
        Problem {
            status,
            message,
            detail: None,
            field: None,
            files: Vec::new(),
            custom_field: None,
        }
    }

    fn invalid(viewer: &Viewer, field: &'static str, detail: &str) -> Self {
        Problem {
            detail: Some(field_detail(viewer.site.lang, Some(field), detail)),
            field: Some(field),
            ..Problem::new(StatusCode::UNPROCESSABLE_ENTITY, Msg::InvalidInput)
        }
    }
}

/// The form fields the core may name in a refusal, as the form names them.
fn form_field(core: &str) -> Option<&'static str> {
    Some(match core {
        "requester" | "member" => "requester",
        "category" => "category",
        "subject" => "subject",
        "description" | "body" => "description",
        "product" => "product",
        "priority" => "priority",
        "contact_phone" => "contact_phone",
        "asset" => "asset",
        "file" | "file_name" => "attachments",
        _ => return None,
    })
}

/// What the form needs from the core: the tenant's tree, products, and (for those
/// who open on others' behalf) its members.
pub(crate) struct Choices {
    pub(crate) tenant: Tenant,
    pub(crate) categories: Vec<Category>,
    pub(crate) products: Vec<Product>,
    /// The members a ticket may be opened for; `None` when the viewer opens only for
    /// themself.
    pub(crate) members: Option<Vec<Member>>,
    /// The lists could not be read (a blocked account reads nothing): the choices
    /// made are kept in hidden fields.
    pub(crate) unread: bool,
}

impl Choices {
    async fn load(viewer: &Viewer, tenant: &Tenant) -> Result<Choices, PageError> {
        let site = &viewer.site;
        let service = &viewer.service;
        let categories = service
            .categories(&viewer.actor, tenant.id)
            .await
            .map_err(|e| PageError::domain(site, e))?;
        let products = service
            .products(&viewer.actor, tenant.id)
            .await
            .map_err(|e| PageError::domain(site, e))?;
        let members = if opens_for_others(&viewer.actor) {
            let mut members = service
                .members(&viewer.actor, tenant.id)
                .await
                .map_err(|e| PageError::domain(site, e))?;
            members.retain(|m| !m.blocked);
            members.sort_by(|a, b| a.display_name.cmp(&b.display_name));
            Some(members)
        } else {
            None
        };
        Ok(Choices {
            tenant: tenant.clone(),
            categories,
            products,
            members,
            unread: false,
        })
    }

    /// No list: what a refused form shows when the lists cannot be read either.
    fn unread(tenant: &Tenant) -> Choices {
        Choices {
            tenant: tenant.clone(),
            categories: Vec::new(),
            products: Vec::new(),
            members: None,
            unread: true,
        }
    }
}

/// Staff open on a member's behalf (and must say whose); a tenant admin may.
fn opens_for_others(actor: &Actor) -> bool {
    match actor {
        Actor::Staff(_) => true,
        Actor::Member(m) => m.role == MemberRole::TenantAdmin,
        Actor::System => false,
    }
}

/// The FAQ articles for a subject (none for a blank one).
async fn find_articles(
    viewer: &Viewer,
    tenant: &Tenant,
    subject: &str,
    category: &str,
) -> Result<Option<Vec<Article>>, PageError> {
    if subject.trim().is_empty() {
        return Ok(None);
    }
    let category = category.trim().parse::<CategoryId>().ok();
    viewer
        .service
        .kb_suggestions(&viewer.actor, tenant.id, subject, category, SUGGESTIONS)
        .await
        .map(Some)
        .map_err(|e| PageError::domain(&viewer.site, e))
}

/// `GET /tickets/new`: the form, with what its query says was typed.
async fn new_ticket(viewer: Viewer, RawQuery(query): RawQuery) -> Result<Response, PageError> {
    let Some(tenant) = viewer.tenant.clone() else {
        return tenant_chooser(&viewer).await;
    };
    // A query that cannot be read is only a form to fill again.
    let draft: Draft =
        serde_html_form::from_str(query.as_deref().unwrap_or_default()).unwrap_or_default();
    let draft = draft.with_key();
    let choices = Choices::load(&viewer, &tenant).await?;
    let articles = find_articles(&viewer, &tenant, &draft.subject, &draft.category).await?;
    Ok(form::page(
        &viewer,
        &choices,
        &draft,
        articles.as_deref(),
        None,
    ))
}

/// `POST /tickets/new`: the form again with what was typed and the FAQ articles for
/// its subject.
async fn preview(
    viewer: Viewer,
    WebForm(pairs): WebForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let mut draft = Draft::default();
    for (name, value) in pairs {
        draft.set(&name, value);
    }
    let Some(tenant) = viewer.tenant.clone() else {
        return tenant_chooser(&viewer).await;
    };
    let draft = draft.with_key();
    let choices = Choices::load(&viewer, &tenant).await?;
    let articles = find_articles(&viewer, &tenant, &draft.subject, &draft.category).await?;
    Ok(form::page(
        &viewer,
        &choices,
        &draft,
        articles.as_deref(),
        None,
    ))
}

/// Staff serving several clients, with none named: which one the ticket is for.
async fn tenant_chooser(viewer: &Viewer) -> Result<Response, PageError> {
    let mut tenants = viewer
        .service
        .tenants(&viewer.actor)
        .await
        .map_err(|e| PageError::domain(&viewer.site, e))?;
    tenants.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(form::tenant_chooser(viewer, &tenants))
}

/// The query of `GET /tickets/new/suggestions`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SuggestionQuery {
    subject: String,
    category: String,
}

/// `GET /tickets/new/suggestions`: the matching FAQ articles, as a fragment.
async fn suggestions(viewer: Viewer, RawQuery(query): RawQuery) -> Response {
    let asked: SuggestionQuery =
        serde_html_form::from_str(query.as_deref().unwrap_or_default()).unwrap_or_default();
    let articles = match &viewer.tenant {
        Some(tenant) => find_articles(&viewer, tenant, &asked.subject, &asked.category).await,
        None => Ok(None),
    };
    let (status, markup) = match articles {
        Ok(articles) => (
            StatusCode::OK,
            form::suggestions(&viewer.site, articles.as_deref()),
        ),
        // The fragment replaces a part of the form: no whole error page in it.
        Err(_) => (StatusCode::UNPROCESSABLE_ENTITY, maud::html! {}),
    };
    let mut response = (status, markup).into_response();
    layout::secure_headers(response.headers_mut());
    response
}

/// `POST /tickets`: opens the ticket the form describes, with its files.
async fn create(viewer: Viewer, request: Request) -> Result<Response, PageError> {
    let site = viewer.site.clone();
    let Some(tenant) = viewer.tenant.clone() else {
        return Err(PageError::refused(
            &site,
            StatusCode::UNPROCESSABLE_ENTITY,
            Msg::NtChooseTenant,
            None,
        ));
    };
    let received = receive::receive(&viewer, tenant.id, request).await?;
    let (draft, files, upload) = match received {
        receive::Received::Complete {
            draft,
            files,
            upload,
        } => (draft, files, upload),
        receive::Received::Refused {
            draft,
            files,
            mut problem,
        } => {
            problem.files = files;
            return refused(&viewer, &tenant, draft, problem).await;
        }
    };
    let ticket = match checked(&viewer, &draft) {
        Ok(ticket) => ticket,
        Err(mut problem) => {
            if let Some(upload) = upload
                && let Err(e) = upload.abort().await
            {
                tracing::warn!(error = %e, "could not discard the files of a refused form");
            }
            problem.files = files;
            return refused(&viewer, &tenant, draft, problem).await;
        }
    };
    let opened = match upload {
        Some(upload) => upload.open(ticket).await,
        None => {
            viewer
                .service
                .open(&viewer.actor, tenant.id, ticket, vec![])
                .await
        }
    };
    match opened {
        Ok(ticket) => Ok(see_other(&site.href(&format!("/tickets/{}", ticket.id)))),
        // The same form sent twice at once: the first sending is opening the ticket.
        Err(Error::IdempotencyKeyInUse) => Ok(see_other(&site.href("/tickets"))),
        Err(e) => {
            let mut problem = core_problem(&viewer, e)?;
            problem.files = files;
            let draft = match problem.message {
                // A key already used for another ticket: a new key for a new ticket.
                Msg::NtAlreadySent => Draft {
                    idempotency_key: String::new(),
                    ..draft
                },
                _ => draft,
            };
            refused(&viewer, &tenant, draft, problem).await
        }
    }
}

fn see_other(to: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = to.parse() {
        response.headers_mut().insert(LOCATION, value);
    }
    response
}

/// The draft as the core's [`NewTicket`], after the checks that can be said in the
/// reader's language (the core checks everything again).
fn checked(viewer: &Viewer, draft: &Draft) -> Result<NewTicket, Problem> {
    let lang = viewer.site.lang;
    let subject = draft.subject.trim();
    if subject.is_empty() {
        return Err(Problem {
            field: Some("subject"),
            ..Problem::new(StatusCode::UNPROCESSABLE_ENTITY, Msg::NtSubjectRequired)
        });
    }
    let length = subject.chars().count();
    if length > MAX_SUBJECT_CHARS {
        let detail = format!("{MAX_SUBJECT_CHARS} {}", lang.t(Msg::NtCharactersAtMost));
        return Err(Problem::invalid(viewer, "subject", &detail));
    }
    if draft.description.trim().is_empty() {
        return Err(Problem {
            field: Some("description"),
            ..Problem::new(StatusCode::UNPROCESSABLE_ENTITY, Msg::NtDescriptionRequired)
        });
    }
    let invalid =
        |field: &'static str| Problem::invalid(viewer, field, lang.t(Msg::NtInvalidChoice));
    let category = optional::<CategoryId>(&draft.category).map_err(|()| invalid("category"))?;
    let product = optional::<ProductId>(&draft.product).map_err(|()| invalid("product"))?;
    let priority = optional::<Priority>(&draft.priority).map_err(|()| invalid("priority"))?;
    let requester = optional::<MemberId>(&draft.requester).map_err(|()| invalid("requester"))?;
    if requester.is_none() && viewer.is_staff() {
        return Err(Problem {
            field: Some("requester"),
            ..Problem::new(StatusCode::UNPROCESSABLE_ENTITY, Msg::NtRequesterRequired)
        });
    }
    if let Some(problem) = fields::missing(viewer, draft) {
        return Err(problem);
    }
    let line = |value: &str| Some(value.trim().to_owned()).filter(|v| !v.is_empty());
    Ok(NewTicket {
        subject: subject.to_owned(),
        description: crate::rich::Format::of(&draft.format).to_core(&draft.description),
        category,
        product,
        priority,
        contact_phone: line(&draft.contact_phone),
        asset: line(&draft.asset),
        requester,
        idempotency_key: line(&draft.idempotency_key),
        custom_fields: fields::values(draft),
    })
}

/// A value chosen in a list: none when left empty, an error when it is not one.
fn optional<T: std::str::FromStr>(value: &str) -> Result<Option<T>, ()> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    value.parse().map(Some).map_err(|_| ())
}

/// The core's refusal as the form's problem; what is no fault of the form (a tenant
/// gone, the storage down) stays a refusal page.
fn core_problem(viewer: &Viewer, error: Error) -> Result<Problem, PageError> {
    let lang = viewer.site.lang;
    Ok(match error {
        Error::Validation(v) => {
            if let Some(problem) = fields::refused_by_core(viewer, &v) {
                return Ok(problem);
            }
            let field = form_field(&v.field);
            Problem {
                detail: Some(crate::error::validation_detail(lang, &v)),
                field,
                ..Problem::new(StatusCode::UNPROCESSABLE_ENTITY, Msg::InvalidInput)
            }
        }
        Error::TenantMismatch(entity) => Problem {
            detail: Some(field_detail(
                lang,
                Some(entity.as_str()),
                lang.t(Msg::NtInvalidChoice),
            )),
            field: form_field(entity.as_str()),
            ..Problem::new(StatusCode::UNPROCESSABLE_ENTITY, Msg::InvalidInput)
        },
        Error::TooLarge { what, max_bytes } => Problem {
            detail: Some(format!(
                "{what} — {} {}",
                size(viewer, max_bytes),
                lang.t(Msg::NtEachAtMost)
            )),
            field: Some("attachments"),
            ..Problem::new(StatusCode::PAYLOAD_TOO_LARGE, Msg::TooLarge)
        },
        Error::Forbidden(reason) => Problem {
            detail: forbidden_reason(reason.code()).map(|m| lang.t(m).to_owned()),
            ..Problem::new(StatusCode::FORBIDDEN, Msg::Forbidden)
        },
        Error::IdempotencyKeyReused => {
            Problem::new(StatusCode::UNPROCESSABLE_ENTITY, Msg::NtAlreadySent)
        }
        other => return Err(PageError::domain(&viewer.site, other)),
    })
}

/// The sentence for the reason of a refusal to open.
fn forbidden_reason(code: &str) -> Option<Msg> {
    Some(match code {
        "account_blocked" => Msg::ReasonAccountBlocked,
        "staff_only" => Msg::ReasonStaffOnly,
        "role_required" => Msg::ReasonRoleRequired,
        "other_tenant" => Msg::ReasonOtherTenant,
        _ => return None,
    })
}

/// A size in bytes as people read it (`10 Mo`, `512 KB`).
pub(crate) fn size(viewer: &Viewer, bytes: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    let lang = viewer.site.lang;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} {}", bytes / MIB, lang.t(Msg::NtMegabytes))
    } else if bytes >= MIB {
        format!(
            "{:.1} {}",
            bytes as f64 / MIB as f64,
            lang.t(Msg::NtMegabytes)
        )
    } else {
        format!("{} {}", bytes.div_ceil(1024), lang.t(Msg::NtKilobytes))
    }
}

/// The form again, with what was typed and why it was refused.
async fn refused(
    viewer: &Viewer,
    tenant: &Tenant,
    draft: Draft,
    problem: Problem,
) -> Result<Response, PageError> {
    let draft = draft.with_key();
    // The refusal is what the reader must see, even when the lists cannot be read.
    let choices = match Choices::load(viewer, tenant).await {
        Ok(choices) => choices,
        Err(_) => Choices::unread(tenant),
    };
    let articles = find_articles(viewer, tenant, &draft.subject, &draft.category)
        .await
        .unwrap_or(None);
    Ok(form::page(
        viewer,
        &choices,
        &draft,
        articles.as_deref(),
        Some(&problem),
    ))
}
