//! Tenants: the ones the viewer serves, each a way into its administration; platform
//! admins create new ones.

use axum::Router;
use axum::extract::{FromRef, RawQuery};
use axum::response::Response;
use axum::routing::get;
use helpdesk_axum::HelpdeskState;
use maud::html;
use serde::Deserialize;

use super::{
    Problem, admin_page, banners, done, problem, require_admin, see_other, status_of, tenant_link,
    text_field,
};
use crate::error::PageError;
use crate::forms::WebForm;
use crate::i18n::Msg;
use crate::site::Viewer;

const PATH: &str = "/admin/tenants";

pub(super) fn routes<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    HelpdeskState: FromRef<S>,
{
    Router::new().route(PATH, get(list).post(create))
}

/// The new-tenant form, as typed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct TenantForm {
    slug: String,
    name: String,
}

async fn list(viewer: Viewer, query: RawQuery) -> Result<Response, PageError> {
    render(viewer, done(&query), TenantForm::default(), None).await
}

async fn render(
    viewer: Viewer,
    done: bool,
    form: TenantForm,
    problem: Option<Problem>,
) -> Result<Response, PageError> {
    let can = require_admin(&viewer)?;
    let site = &viewer.site;
    let tenants = viewer
        .service
        .tenants(&viewer.actor)
        .await
        .map_err(|e| PageError::domain(site, e))?;
    let content = html! {
        (banners(site, done, problem.as_ref()))
        @if tenants.is_empty() { p class="hd-muted" { (site.t(Msg::AdmNone)) } }
        @else {
            div class="hd-table-wrap" {
                table class="hd-table" {
                    thead { tr {
                        @for column in [Msg::AdmName, Msg::AdmSlug, Msg::AdmActions] { th scope="col" { (site.t(column)) } }
                    } }
                    tbody {
                        @for t in &tenants {
                            tr {
                                td data-label=(site.t(Msg::AdmName)) { (t.name) }
                                td data-label=(site.t(Msg::AdmSlug)) { code { (t.slug) } }
                                td data-label=(site.t(Msg::AdmActions)) {
                                    a href=(tenant_link(site, "/admin", &t.slug)) { (site.t(Msg::AdmAdminister)) span class="hd-visually-hidden" { " " (t.name) } }
                                }
                            }
                        }
                    }
                }
            }
        }
        @if can.platform {
            section aria-labelledby="hd-new-tenant" {
                h2 id="hd-new-tenant" { (site.t(Msg::AdmNewTenant)) }
                form class="hd-form" method="post" action=(site.href(PATH)) {
                    (crate::layout::token_field(site))
                    div class="hd-field" {
                        label for="t-slug" { (site.t(Msg::AdmSlug)) " " span aria-hidden="true" { "*" } }
                        input id="t-slug" type="text" name="slug" value=(form.slug) required maxlength="63" pattern="[a-z0-9][a-z0-9-]*" aria-describedby="t-slug-help";
                        p id="t-slug-help" class="hd-muted" { (site.t(Msg::AdmSlugHelp)) }
                    }
                    (text_field(site, "t-name", "name", Msg::AdmName, &form.name, true))
                    div class="hd-actions" { button type="submit" { (site.t(Msg::AdmAdd)) } }
                }
            }
        }
    };
    Ok(admin_page(
        &viewer,
        status_of(problem.as_ref()),
        Msg::AdmTenantsTitle,
        content,
    ))
}

async fn create(viewer: Viewer, WebForm(form): WebForm<TenantForm>) -> Result<Response, PageError> {
    require_admin(&viewer)?;
    let site = viewer.site.clone();
    match viewer
        .service
        .create_tenant(&viewer.actor, form.slug.trim(), &form.name)
        .await
    {
        Ok(_) => Ok(see_other(&site, PATH)),
        Err(e) => {
            let p = problem(&site, e)?;
            render(viewer, false, form, Some(p)).await
        }
    }
}
