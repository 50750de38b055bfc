//! Products [contrats]: the list, a new product, renaming and retiring one.

use axum::Router;
use axum::extract::{FromRef, Path, RawQuery};
use axum::response::Response;
use axum::routing::get;
use helpdesk_axum::HelpdeskState;
use helpdesk_core::{Product, ProductId};
use maud::html;
use serde::Deserialize;

use super::{
    Problem, admin_page, banners, check_field, done, parse_id, problem, require_admin,
    save_or_cancel, see_other, status_of, tenant_or_choice, text_field, ticked,
};
use crate::error::PageError;
use crate::forms::WebForm;
use crate::i18n::Msg;
use crate::site::Viewer;

const PATH: &str = "/admin/products";

pub(super) fn routes<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    HelpdeskState: FromRef<S>,
{
    Router::new()
        .route(PATH, get(list).post(create))
        .route("/admin/products/{id}", get(edit).post(update))
}

/// A product form, as typed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct ProductForm {
    code: String,
    name: String,
    active: Option<String>,
}

async fn list(viewer: Viewer, query: RawQuery) -> Result<Response, PageError> {
    render(viewer, done(&query), ProductForm::default(), None).await
}

async fn render(
    viewer: Viewer,
    done: bool,
    form: ProductForm,
    problem: Option<Problem>,
) -> Result<Response, PageError> {
    let can = require_admin(&viewer)?;
    let tenant = match tenant_or_choice(&viewer, PATH).await {
        Ok(t) => t,
        Err(page) => return Ok(page),
    };
    let site = &viewer.site;
    let products = viewer
        .service
        .products(&viewer.actor, tenant.id)
        .await
        .map_err(|e| PageError::domain(site, e))?;
    let content = html! {
        (banners(site, done, problem.as_ref()))
        @if products.is_empty() {
            p class="hd-muted" { (site.t(Msg::AdmNone)) }
        } @else {
            div class="hd-table-wrap" {
                table class="hd-table" {
                    thead { tr {
                        @for column in [Msg::AdmCode, Msg::AdmName, Msg::AdmActive] { th scope="col" { (site.t(column)) } }
                        @if can.administer { th scope="col" { (site.t(Msg::AdmActions)) } }
                    } }
                    tbody {
                        @for p in &products {
                            tr {
                                td data-label=(site.t(Msg::AdmCode)) { (p.code.as_deref().unwrap_or(site.t(Msg::NotSet))) }
                                td data-label=(site.t(Msg::AdmName)) { (p.name) }
                                td data-label=(site.t(Msg::AdmActive)) { (site.t(if p.active { Msg::AdmYes } else { Msg::AdmNo })) }
                                @if can.administer {
                                    td data-label=(site.t(Msg::AdmActions)) {
                                        a href=(site.href(&format!("/admin/products/{}", p.id))) { (site.t(Msg::AdmEdit)) span class="hd-visually-hidden" { " " (p.name) } }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        @if can.administer {
            section aria-labelledby="hd-new-product" {
                h2 id="hd-new-product" { (site.t(Msg::AdmNewProduct)) }
                form class="hd-form" method="post" action=(site.href(PATH)) {
                    (crate::layout::token_field(site))
                    (text_field(site, "p-code", "code", Msg::AdmCode, &form.code, false))
                    (text_field(site, "p-name", "name", Msg::AdmName, &form.name, true))
                    div class="hd-actions" { button type="submit" { (site.t(Msg::AdmAdd)) } }
                }
            }
        }
    };
    Ok(admin_page(
        &viewer,
        status_of(problem.as_ref()),
        Msg::AdmProducts,
        content,
    ))
}

async fn create(
    viewer: Viewer,
    WebForm(form): WebForm<ProductForm>,
) -> Result<Response, PageError> {
    require_admin(&viewer)?;
    let tenant = match tenant_or_choice(&viewer, PATH).await {
        Ok(t) => t,
        Err(page) => return Ok(page),
    };
    let code = form.code.trim();
    match viewer
        .service
        .create_product(
            &viewer.actor,
            tenant.id,
            (!code.is_empty()).then_some(code),
            &form.name,
        )
        .await
    {
        Ok(_) => Ok(see_other(&viewer.site, PATH)),
        Err(e) => {
            let p = problem(&viewer.site, e)?;
            render(viewer, false, form, Some(p)).await
        }
    }
}

async fn edit(viewer: Viewer, Path(id): Path<String>) -> Result<Response, PageError> {
    let id = parse_id(&viewer.site, &id)?;
    render_edit(viewer, id, None, None).await
}

async fn render_edit(
    viewer: Viewer,
    id: ProductId,
    form: Option<ProductForm>,
    problem: Option<Problem>,
) -> Result<Response, PageError> {
    require_admin(&viewer)?;
    let tenant = match tenant_or_choice(&viewer, PATH).await {
        Ok(t) => t,
        Err(page) => return Ok(page),
    };
    let site = &viewer.site;
    let product = viewer
        .service
        .product(&viewer.actor, tenant.id, id)
        .await
        .map_err(|e| PageError::domain(site, e))?;
    let form = form.unwrap_or_else(|| ProductForm {
        code: product.code.clone().unwrap_or_default(),
        name: product.name.clone(),
        active: product.active.then(|| "1".to_owned()),
    });
    let content = html! {
        (banners(site, false, problem.as_ref()))
        form class="hd-form" method="post" action=(site.href(&format!("/admin/products/{id}"))) {
            (crate::layout::token_field(site))
            (text_field(site, "p-code", "code", Msg::AdmCode, &form.code, false))
            (text_field(site, "p-name", "name", Msg::AdmName, &form.name, true))
            (check_field(site, "p-active", "active", Msg::AdmActiveProduct, ticked(form.active.as_ref())))
            (save_or_cancel(site, PATH))
        }
    };
    Ok(admin_page(
        &viewer,
        status_of(problem.as_ref()),
        Msg::AdmEditProduct,
        content,
    ))
}

async fn update(
    viewer: Viewer,
    Path(id): Path<String>,
    WebForm(form): WebForm<ProductForm>,
) -> Result<Response, PageError> {
    require_admin(&viewer)?;
    let site = viewer.site.clone();
    let id: ProductId = parse_id(&site, &id)?;
    let tenant = match tenant_or_choice(&viewer, PATH).await {
        Ok(t) => t,
        Err(page) => return Ok(page),
    };
    let code = form.code.trim();
    let product = Product {
        id,
        tenant: tenant.id,
        code: (!code.is_empty()).then(|| code.to_owned()),
        name: form.name.clone(),
        active: ticked(form.active.as_ref()),
    };
    match viewer.service.update_product(&viewer.actor, product).await {
        Ok(_) => Ok(see_other(&site, PATH)),
        Err(e) => {
            let p = problem(&site, e)?;
            render_edit(viewer, id, Some(form), Some(p)).await
        }
    }
}
