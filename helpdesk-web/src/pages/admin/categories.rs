//! The category tree: each category with the group its tickets are routed to; new
//! categories; renaming, moving, re-routing and retiring one.

use axum::Router;
use axum::extract::{FromRef, Path, RawQuery};
use axum::response::Response;
use axum::routing::get;
use helpdesk_axum::HelpdeskState;
use helpdesk_core::{Category, CategoryId, Group, GroupId};
use maud::{Markup, html};
use serde::Deserialize;

use super::{
    Problem, admin_page, banners, check_field, done, parse_id, problem, require_admin,
    save_or_cancel, see_other, status_of, tenant_or_choice, text_field, ticked,
};
use crate::error::PageError;
use crate::forms::WebForm;
use crate::i18n::Msg;
use crate::site::{Site, Viewer};

const PATH: &str = "/admin/categories";

pub(super) fn routes<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    HelpdeskState: FromRef<S>,
{
    Router::new()
        .route(PATH, get(list).post(create))
        .route("/admin/categories/{id}", get(edit).post(update))
}

/// A category form, as typed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct CategoryForm {
    name: String,
    parent: String,
    group: String,
    active: Option<String>,
}

struct Data {
    tree: Vec<Category>,
    groups: Vec<Group>,
}

async fn load(viewer: &Viewer, tenant: helpdesk_core::TenantId) -> Result<Data, PageError> {
    let site = &viewer.site;
    let tree = viewer
        .service
        .categories(&viewer.actor, tenant)
        .await
        .map_err(|e| PageError::domain(site, e))?;
    // Agents may not list groups: their names are then left out.
    let groups = viewer
        .service
        .groups(&viewer.actor)
        .await
        .unwrap_or_default();
    Ok(Data { tree, groups })
}

fn group_name(groups: &[Group], id: GroupId) -> String {
    groups
        .iter()
        .find(|g| g.id == id)
        .map_or_else(|| id.to_string(), |g| g.name.clone())
}

fn branch(
    site: &Site,
    data: &Data,
    parent: Option<CategoryId>,
    edit: bool,
    depth: usize,
) -> Markup {
    let children: Vec<&Category> = data.tree.iter().filter(|c| c.parent == parent).collect();
    html! {
        @if !children.is_empty() && depth < 32 {
            ul class=(if depth == 0 { "hd-tree hd-admin-tree" } else { "" }) {
                @for c in children {
                    li {
                        span class="hd-admin-node" {
                            strong { (c.name) }
                            " · " (site.t(Msg::Group)) (site.lang.colon())
                            @match c.group {
                                Some(g) => { (group_name(&data.groups, g)) }
                                None => { span class="hd-muted" { (site.t(Msg::AdmInherited)) } }
                            }
                            @if !c.active { " " span class="hd-badge" { (site.t(Msg::AdmInactive)) } }
                            @if edit { " " a href=(site.href(&format!("/admin/categories/{}", c.id))) { (site.t(Msg::AdmEdit)) span class="hd-visually-hidden" { " " (c.name) } } }
                        }
                        (branch(site, data, Some(c.id), edit, depth + 1))
                    }
                }
            }
        }
    }
}

fn path_name(tree: &[Category], c: &Category) -> String {
    let mut names = vec![c.name.as_str()];
    let mut current = c.parent;
    while let Some(id) = current {
        if names.len() > tree.len() {
            break;
        }
        match tree.iter().find(|x| x.id == id) {
            Some(p) => {
                names.push(p.name.as_str());
                current = p.parent;
            }
            None => break,
        }
    }
    names.reverse();
    names.join(" › ")
}

fn fields(site: &Site, data: &Data, form: &CategoryForm, own: Option<CategoryId>) -> Markup {
    html! {
        (text_field(site, "c-name", "name", Msg::AdmName, &form.name, true))
        div class="hd-field" {
            label for="c-parent" { (site.t(Msg::AdmParent)) }
            select id="c-parent" name="parent" {
                option value="" { (site.t(Msg::AdmTopLevel)) }
                @for c in data.tree.iter().filter(|c| Some(c.id) != own) {
                    option value=(c.id) selected[form.parent == c.id.to_string()] { (path_name(&data.tree, c)) }
                }
            }
        }
        div class="hd-field" {
            label for="c-group" { (site.t(Msg::AdmRoutingGroup)) }
            select id="c-group" name="group" aria-describedby="c-group-help" {
                option value="" { (site.t(Msg::AdmInherited)) }
                @for g in &data.groups {
                    option value=(g.id) selected[form.group == g.id.to_string()] { (g.name) }
                }
            }
            p id="c-group-help" class="hd-muted" { (site.t(Msg::AdmRoutingHelp)) }
        }
    }
}

async fn list(viewer: Viewer, query: RawQuery) -> Result<Response, PageError> {
    render(viewer, done(&query), CategoryForm::default(), None).await
}

async fn render(
    viewer: Viewer,
    done: bool,
    form: CategoryForm,
    problem: Option<Problem>,
) -> Result<Response, PageError> {
    let can = require_admin(&viewer)?;
    let tenant = match tenant_or_choice(&viewer, PATH).await {
        Ok(t) => t,
        Err(page) => return Ok(page),
    };
    let data = load(&viewer, tenant.id).await?;
    let site = &viewer.site;
    let content = html! {
        (banners(site, done, problem.as_ref()))
        @if data.tree.is_empty() {
            p class="hd-muted" { (site.t(Msg::AdmNone)) }
        }
        (branch(site, &data, None, can.administer, 0))
        @if can.administer {
            section aria-labelledby="hd-new-category" {
                h2 id="hd-new-category" { (site.t(Msg::AdmNewCategory)) }
                form class="hd-form" method="post" action=(site.href(PATH)) {
                    (crate::layout::token_field(site))
                    (fields(site, &data, &form, None))
                    div class="hd-actions" { button type="submit" { (site.t(Msg::AdmAdd)) } }
                }
            }
        }
    };
    Ok(admin_page(
        &viewer,
        status_of(problem.as_ref()),
        Msg::AdmCategories,
        content,
    ))
}

fn optional_id<T: std::str::FromStr>(
    site: &Site,
    field: &str,
    value: &str,
) -> Result<Option<T>, Problem> {
    if value.trim().is_empty() {
        return Ok(None);
    }
    value
        .trim()
        .parse()
        .map(Some)
        .map_err(|_| Problem::field(site.lang, field, "?"))
}

async fn create(
    viewer: Viewer,
    WebForm(form): WebForm<CategoryForm>,
) -> Result<Response, PageError> {
    require_admin(&viewer)?;
    let tenant = match tenant_or_choice(&viewer, PATH).await {
        Ok(t) => t,
        Err(page) => return Ok(page),
    };
    let site = viewer.site.clone();
    let ids = optional_id::<CategoryId>(&site, "parent", &form.parent)
        .and_then(|p| Ok((p, optional_id::<GroupId>(&site, "group", &form.group)?)));
    let (parent, group) = match ids {
        Ok(ids) => ids,
        Err(p) => return render(viewer, false, form, Some(p)).await,
    };
    match viewer
        .service
        .create_category(&viewer.actor, tenant.id, parent, &form.name, group)
        .await
    {
        Ok(_) => Ok(see_other(&site, PATH)),
        Err(e) => {
            let p = problem(&site, e)?;
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
    id: CategoryId,
    form: Option<CategoryForm>,
    problem: Option<Problem>,
) -> Result<Response, PageError> {
    require_admin(&viewer)?;
    let tenant = match tenant_or_choice(&viewer, PATH).await {
        Ok(t) => t,
        Err(page) => return Ok(page),
    };
    let site = &viewer.site;
    let category = viewer
        .service
        .category(&viewer.actor, tenant.id, id)
        .await
        .map_err(|e| PageError::domain(site, e))?;
    // The tree too: the parent is chosen from it.
    let data = load(&viewer, tenant.id).await?;
    let form = form.unwrap_or_else(|| CategoryForm {
        name: category.name.clone(),
        parent: category.parent.map(|p| p.to_string()).unwrap_or_default(),
        group: category.group.map(|g| g.to_string()).unwrap_or_default(),
        active: category.active.then(|| "1".to_owned()),
    });
    let content = html! {
        (banners(site, false, problem.as_ref()))
        form class="hd-form" method="post" action=(site.href(&format!("/admin/categories/{id}"))) {
            (crate::layout::token_field(site))
            (fields(site, &data, &form, Some(id)))
            (check_field(site, "c-active", "active", Msg::AdmActiveCategory, ticked(form.active.as_ref())))
            (save_or_cancel(site, PATH))
        }
    };
    Ok(admin_page(
        &viewer,
        status_of(problem.as_ref()),
        Msg::AdmEditCategory,
        content,
    ))
}

async fn update(
    viewer: Viewer,
    Path(id): Path<String>,
    WebForm(form): WebForm<CategoryForm>,
) -> Result<Response, PageError> {
    require_admin(&viewer)?;
    let site = viewer.site.clone();
    let id: CategoryId = parse_id(&site, &id)?;
    let tenant = match tenant_or_choice(&viewer, PATH).await {
        Ok(t) => t,
        Err(page) => return Ok(page),
    };
    let ids = optional_id::<CategoryId>(&site, "parent", &form.parent)
        .and_then(|p| Ok((p, optional_id::<GroupId>(&site, "group", &form.group)?)));
    let (parent, group) = match ids {
        Ok(ids) => ids,
        Err(p) => return render_edit(viewer, id, Some(form), Some(p)).await,
    };
    let category = Category {
        id,
        tenant: tenant.id,
        parent,
        name: form.name.clone(),
        group,
        active: ticked(form.active.as_ref()),
    };
    match viewer
        .service
        .update_category(&viewer.actor, category)
        .await
    {
        Ok(_) => Ok(see_other(&site, PATH)),
        Err(e) => {
            let p = problem(&site, e)?;
            render_edit(viewer, id, Some(form), Some(p)).await
        }
    }
}
