//! Administration: members, staff and groups, categories with routing, products,
//! knowledge base, questionnaire, tenant settings and tenants, each for the roles
//! allowed. Every screen shows only the controls the viewer's role may use; the core
//! still decides, and its refusals are pages or forms sent back with what was typed.

use axum::Router;
use axum::extract::{FromRef, RawQuery};
use axum::http::header::LOCATION;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use helpdesk_axum::HelpdeskState;
use helpdesk_core::permissions::{administers, is_platform_admin, manages_staff};
use helpdesk_core::{Actor, Error, Forbidden, MemberRole, Tenant};
use maud::{Markup, html};

use crate::error::PageError;
use crate::i18n::{Lang, Msg};
use crate::layout;
use crate::site::{Site, Viewer, encode};

mod articles;
mod categories;
mod custom_fields;
mod members;
mod products;
mod questionnaire;
mod settings;
mod staff;
mod tenants;

/// This screen's routes, merged into [`crate::pages`].
pub(crate) fn routes<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    HelpdeskState: FromRef<S>,
{
    Router::new()
        .route("/admin", get(index))
        .merge(members::routes())
        .merge(staff::routes())
        .merge(categories::routes())
        .merge(products::routes())
        .merge(articles::routes())
        .merge(questionnaire::routes())
        .merge(settings::routes())
        .merge(tenants::routes())
}

/// What the viewer's role allows on the administration screens, to show only the
/// controls they may use (the core decides again on every write).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Can {
    /// Administers the tenant in view: members, categories, products, settings.
    pub(crate) administer: bool,
    /// Manages support staff and groups (supervisors, platform admins).
    pub(crate) manage_staff: bool,
    /// Creates tenants (platform admins).
    pub(crate) platform: bool,
    /// Support staff (reads members and staff, writes articles).
    pub(crate) staff: bool,
    /// A tenant admin.
    pub(crate) tenant_admin: bool,
}

impl Can {
    /// The viewer's rights.
    pub(crate) fn of(viewer: &Viewer) -> Can {
        let actor = &viewer.actor;
        Can {
            administer: viewer
                .tenant
                .as_ref()
                .is_some_and(|t| administers(actor, t.id)),
            manage_staff: manages_staff(actor),
            platform: is_platform_admin(actor),
            staff: actor.is_staff(),
            tenant_admin: matches!(actor, Actor::Member(m) if m.role == MemberRole::TenantAdmin && !m.blocked),
        }
    }

    /// Whether any administration screen is open to the viewer.
    pub(crate) fn any(self) -> bool {
        self.staff || self.tenant_admin
    }

    /// Writes knowledge-base articles.
    pub(crate) fn edit_articles(self) -> bool {
        self.staff || self.administer
    }
}

/// Refuses requesters (and blocked accounts) every administration screen, with the
/// core's reason.
pub(crate) fn require_admin(viewer: &Viewer) -> Result<Can, PageError> {
    let can = Can::of(viewer);
    if can.any() {
        Ok(can)
    } else {
        let reason = match &viewer.actor {
            Actor::Member(m) if m.blocked => Forbidden::AccountBlocked,
            _ => Forbidden::RoleRequired,
        };
        Err(PageError::domain(&viewer.site, Error::Forbidden(reason)))
    }
}

/// A refusal of the core that a form is sent back with: the status and the sentence.
#[derive(Clone, Debug)]
pub(crate) struct Problem {
    pub(crate) status: StatusCode,
    pub(crate) text: String,
}

impl Problem {
    /// A refusal of a field, in the reader's language.
    pub(crate) fn field(lang: Lang, field: &str, reason: &str) -> Problem {
        Problem {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            text: format!(
                "{} {} — {}",
                lang.t(Msg::InvalidInput),
                field_name(lang, field),
                reason
            ),
        }
    }

    /// The form was read from a record changed since.
    pub(crate) fn stale(lang: Lang) -> Problem {
        Problem {
            status: StatusCode::CONFLICT,
            text: lang.t(Msg::AdmStale).to_owned(),
        }
    }
}

/// The core's refusal as a problem to show next to the form, or as a page when it is
/// not about what was typed (forbidden, not found, storage).
pub(crate) fn problem(site: &Site, error: Error) -> Result<Problem, PageError> {
    let lang = site.lang;
    match &error {
        Error::Validation(v) => Ok(Problem::field(
            lang,
            &v.field,
            &crate::error::reason_text(lang, v),
        )),
        Error::AlreadyExists(_) => Ok(Problem {
            status: StatusCode::CONFLICT,
            text: lang.t(Msg::AdmAlreadyExists).to_owned(),
        }),
        Error::ConcurrentUpdate(_) => Ok(Problem::stale(lang)),
        Error::TenantMismatch(_) => Ok(Problem {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            text: lang.t(Msg::ReasonOtherTenant).to_owned(),
        }),
        _ => Err(PageError::domain(site, error)),
    }
}

/// The name of a field the core refuses, in the reader's language.
pub(crate) fn field_name(lang: Lang, field: &str) -> String {
    let msg = match field {
        "name" => Some(Msg::AdmName),
        "display_name" => Some(Msg::AdmDisplayName),
        "email" => Some(Msg::AdmEmail),
        "user" | "user_id" => Some(Msg::AdmLogin),
        "slug" => Some(Msg::AdmSlug),
        "code" => Some(Msg::AdmCode),
        "title" => Some(Msg::AdmTitle),
        "body" => Some(Msg::AdmBody),
        "parent" => Some(Msg::AdmParent),
        "role" => Some(Msg::AdmRole),
        "group" | "groups" => Some(Msg::Group),
        "tenants" => Some(Msg::AdmTenants),
        "default_language" => Some(Msg::AdmDefaultLanguage),
        "approval_window" => Some(Msg::AdmApprovalWindow),
        "reopen_window" => Some(Msg::AdmReopenWindow),
        "archive_delay" => Some(Msg::AdmArchiveDelay),
        "status_labels" => Some(Msg::AdmStatusLabels),
        "questions" => Some(Msg::AdmQuestions),
        _ => None,
    };
    if let Some(msg) = msg {
        return lang.t(msg).to_owned();
    }
    if let Some(rest) = field.strip_prefix("status_labels.") {
        let mut parts = rest.splitn(2, '.');
        if let (Some(tag), Some(status)) = (parts.next(), parts.next())
            && let Ok(status) = status.parse::<helpdesk_core::Status>()
        {
            return format!(
                "{} « {} » ({})",
                lang.t(Msg::AdmLabel),
                lang.status(status),
                tag.to_uppercase()
            );
        }
    }
    if let Some(name) = custom_fields::field_name(lang, field) {
        return name;
    }
    if let Some(rest) = field.strip_prefix("questions[")
        && let Some((index, _)) = rest.split_once(']')
        && let Ok(index) = index.parse::<usize>()
    {
        return format!("{} {}", lang.t(Msg::AdmQuestion), index + 1);
    }
    crate::forms::field_label(lang, field).map_or_else(|| field.to_owned(), str::to_owned)
}

/// Whether the query says a form was just taken (`?done=1`).
pub(crate) fn done(query: &RawQuery) -> bool {
    query
        .0
        .as_deref()
        .is_some_and(|q| q.split('&').any(|pair| pair == "done=1"))
}

/// The 303 after a form was taken: back to `path`, which says so.
pub(crate) fn see_other(site: &Site, path: &str) -> Response {
    let mut link = site.href(path);
    link.push(if link.contains('?') { '&' } else { '?' });
    link.push_str("done=1");
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = HeaderValue::from_str(&link) {
        response.headers_mut().insert(LOCATION, value);
    }
    response
}

/// The banner that says the last form was taken, and the problem of a form sent back.
pub(crate) fn banners(site: &Site, done: bool, problem: Option<&Problem>) -> Markup {
    html! {
        @if done {
            p class="hd-flash" role="status" { (site.t(Msg::AdmSaved)) }
        }
        @if let Some(problem) = problem {
            div class="hd-error" role="alert" id="hd-problem" {
                p { (problem.text) }
                p { (site.t(Msg::AdmNothingChanged)) }
            }
        }
    }
}

/// An administration page: the frame, a way back to the index, the title.
pub(crate) fn admin_page(
    viewer: &Viewer,
    status: StatusCode,
    title: Msg,
    content: Markup,
) -> Response {
    let site = &viewer.site;
    let content = html! {
        nav class="hd-admin-crumbs" aria-label=(site.t(Msg::AdmBreadcrumb)) {
            a href=(site.href("/admin")) { (site.t(Msg::Administration)) }
            @if let Some(tenant) = &viewer.tenant {
                " · " span { (tenant.name) }
            }
        }
        h1 { (site.t(title)) }
        (content)
    };
    layout::page_with_status(site, status, layout::nav(viewer), site.t(title), content)
}

/// The status of a page: the problem's, or 200.
pub(crate) fn status_of(problem: Option<&Problem>) -> StatusCode {
    problem.map_or(StatusCode::OK, |p| p.status)
}

/// The tenant a screen is about, or, for staff who named none, a page to choose one.
pub(crate) async fn tenant_or_choice(viewer: &Viewer, path: &str) -> Result<Tenant, Response> {
    if let Some(tenant) = &viewer.tenant {
        return Ok(tenant.clone());
    }
    Err(match choose_tenant(viewer, path).await {
        Ok(response) => response,
        Err(e) => e.into_response(),
    })
}

/// The tenants the viewer serves, each a link to `path` about it.
async fn choose_tenant(viewer: &Viewer, path: &str) -> Result<Response, PageError> {
    let site = &viewer.site;
    let tenants = viewer
        .service
        .tenants(&viewer.actor)
        .await
        .map_err(|e| PageError::domain(site, e))?;
    let content = html! {
        p { (site.t(Msg::AdmChooseTenant)) }
        @if tenants.is_empty() {
            p class="hd-muted" { (site.t(Msg::AdmNone)) }
        }
        ul class="hd-admin-list" {
            @for tenant in &tenants {
                li { a href=(tenant_link(site, path, &tenant.slug)) { (tenant.name) } " " span class="hd-muted" { "(" (tenant.slug) ")" } }
            }
        }
    };
    Ok(admin_page(viewer, StatusCode::OK, Msg::Tenant, content))
}

/// A link to `path` about the tenant `slug`.
pub(crate) fn tenant_link(site: &Site, path: &str, slug: &str) -> String {
    format!("{}{}?tenant={}", site.prefix, path, encode(slug))
}

/// `GET /admin`: the screens the viewer's role opens.
async fn index(viewer: Viewer, query: RawQuery) -> Result<Response, PageError> {
    let can = require_admin(&viewer)?;
    let site = &viewer.site;
    let has_tenant = viewer.tenant.is_some();
    let screens: Vec<(&str, Msg, Msg)> = [
        (
            has_tenant && (can.staff || can.administer),
            "/admin/members",
            Msg::AdmMembers,
            Msg::AdmMembersHelp,
        ),
        (
            can.staff || can.tenant_admin,
            "/admin/staff",
            Msg::AdmStaffAndGroups,
            Msg::AdmStaffHelp,
        ),
        (
            has_tenant,
            "/admin/categories",
            Msg::AdmCategories,
            Msg::AdmCategoriesHelp,
        ),
        (
            has_tenant,
            "/admin/products",
            Msg::AdmProducts,
            Msg::AdmProductsHelp,
        ),
        (
            has_tenant && can.edit_articles(),
            "/admin/articles",
            Msg::AdmArticles,
            Msg::AdmArticlesHelp,
        ),
        (
            has_tenant && can.administer,
            "/admin/questionnaire",
            Msg::AdmQuestionnaire,
            Msg::AdmQuestionnaireHelp,
        ),
        (
            has_tenant && can.administer,
            "/admin/settings",
            Msg::AdmSettings,
            Msg::AdmSettingsHelp,
        ),
        (
            can.staff,
            "/admin/tenants",
            Msg::AdmTenantsTitle,
            Msg::AdmTenantsHelp,
        ),
    ]
    .into_iter()
    .filter(|(shown, ..)| *shown)
    .map(|(_, path, title, help)| (path, title, help))
    .collect();
    let content = html! {
        (banners(site, done(&query), None))
        @if !has_tenant {
            p class="hd-muted" { (site.t(Msg::AdmNoTenantInView)) " " a href=(site.href("/admin/tenants")) { (site.t(Msg::AdmTenantsTitle)) } }
        }
        ul class="hd-admin-index" {
            @for (path, title, help) in &screens {
                li {
                    a href=(site.href(path)) { (site.t(*title)) }
                    p class="hd-muted" { (site.t(*help)) }
                }
            }
        }
    };
    Ok(admin_page(
        &viewer,
        StatusCode::OK,
        Msg::Administration,
        content,
    ))
}

/// A one-line text field with its label.
pub(crate) fn text_field(
    site: &Site,
    id: &str,
    name: &str,
    label: Msg,
    value: &str,
    required: bool,
) -> Markup {
    html! {
        div class="hd-field" {
            label for=(id) { (site.t(label)) @if required { " " span aria-hidden="true" { "*" } } }
            input id=(id) type="text" name=(name) value=(value) required[required] maxlength="250";
        }
    }
}

/// A yes/no checkbox with its label.
/// The buttons of an edit form: save, or go back to `back` (a path under the pages).
pub(crate) fn save_or_cancel(site: &Site, back: &str) -> Markup {
    html! {
        div class="hd-actions" {
            button type="submit" { (site.t(Msg::AdmSave)) }
            a class="hd-button hd-secondary" href=(site.href(back)) { (site.t(Msg::AdmCancel)) }
        }
    }
}

pub(crate) fn check_field(site: &Site, id: &str, name: &str, label: Msg, checked: bool) -> Markup {
    html! {
        div class="hd-field hd-check" {
            input id=(id) type="checkbox" name=(name) value="1" checked[checked];
            label for=(id) { (site.t(label)) }
        }
    }
}

/// Whether a checkbox was sent ticked.
pub(crate) fn ticked(value: Option<&String>) -> bool {
    value.is_some_and(|v| !v.is_empty())
}

/// A `{id}` of the path as a core id, or the not-found page.
pub(crate) fn parse_id<T: std::str::FromStr>(site: &Site, raw: &str) -> Result<T, PageError> {
    raw.parse()
        .map_err(|_| PageError::domain(site, Error::NotFound(helpdesk_core::Entity::Tenant)))
}
