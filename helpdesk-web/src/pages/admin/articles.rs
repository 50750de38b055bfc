//! The knowledge base [FAQ]: the articles, a new one, editing one.

use axum::Router;
use axum::extract::{FromRef, Path, RawQuery};
use axum::response::Response;
use axum::routing::get;
use helpdesk_axum::HelpdeskState;
use helpdesk_core::{ArticleDraft, ArticleId, Category, CategoryId, Error};
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

const PATH: &str = "/admin/articles";

pub(super) fn routes<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    HelpdeskState: FromRef<S>,
{
    Router::new()
        .route(PATH, get(list).post(create))
        .route("/admin/articles/{id}", get(edit).post(update))
}

/// An article form, as typed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct ArticleForm {
    title: String,
    body: String,
    category: String,
    published: Option<String>,
}

fn body_field(site: &Site, value: &str) -> Markup {
    html! {
        div class="hd-field" {
            label for="a-body" { (site.t(Msg::AdmBody)) " " span aria-hidden="true" { "*" } }
            textarea id="a-body" name="body" rows="10" required aria-describedby="a-body-help" { (value) }
            p id="a-body-help" class="hd-muted" { (site.t(Msg::AdmBodyHelp)) }
        }
    }
}

/// The category select of both forms, `selected` chosen.
fn category_select(site: &Site, tree: &[Category], selected: &str) -> Markup {
    html! {
        div class="hd-field" {
            label for="a-category" { (site.t(Msg::Category)) }
            select id="a-category" name="category" {
                option value="" { (site.t(Msg::NotSet)) }
                @for c in tree {
                    option value=(c.id) selected[selected == c.id.to_string()] { (c.name) }
                }
            }
        }
    }
}

/// The category a form names: none when blank, `Err` when it is no category id.
fn form_category(form: &ArticleForm) -> Result<Option<CategoryId>, ()> {
    let raw = form.category.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    raw.parse::<CategoryId>().map(Some).map_err(|_| ())
}

impl ArticleForm {
    /// The article as the service takes it.
    fn draft(&self, category: Option<CategoryId>) -> ArticleDraft<'_> {
        ArticleDraft {
            category,
            title: &self.title,
            body: &self.body,
            published: ticked(self.published.as_ref()),
        }
    }
}

fn category_name(tree: &[Category], id: Option<CategoryId>) -> Option<&str> {
    let id = id?;
    tree.iter().find(|c| c.id == id).map(|c| c.name.as_str())
}

async fn list(viewer: Viewer, query: RawQuery) -> Result<Response, PageError> {
    // A new article is published unless its author unticks the box.
    let fresh = ArticleForm {
        published: Some("1".to_owned()),
        ..ArticleForm::default()
    };
    render(viewer, done(&query), fresh, None).await
}

async fn render(
    viewer: Viewer,
    done: bool,
    form: ArticleForm,
    problem: Option<Problem>,
) -> Result<Response, PageError> {
    let can = require_admin(&viewer)?;
    let tenant = match tenant_or_choice(&viewer, PATH).await {
        Ok(t) => t,
        Err(page) => return Ok(page),
    };
    let site = &viewer.site;
    let lang = site.lang;
    let articles = viewer
        .service
        .articles(&viewer.actor, tenant.id)
        .await
        .map_err(|e| PageError::domain(site, e))?;
    let tree = viewer
        .service
        .categories(&viewer.actor, tenant.id)
        .await
        .map_err(|e| PageError::domain(site, e))?;
    let edit = can.edit_articles();
    let content = html! {
        (banners(site, done, problem.as_ref()))
        @if articles.is_empty() {
            p class="hd-muted" { (site.t(Msg::AdmNone)) }
        } @else {
            div class="hd-table-wrap" {
                table class="hd-table" {
                    thead { tr {
                        @for column in [Msg::AdmTitle, Msg::Category, Msg::AdmPublished, Msg::Updated] { th scope="col" { (site.t(column)) } }
                        @if edit { th scope="col" { (site.t(Msg::AdmActions)) } }
                    } }
                    tbody {
                        @for a in &articles {
                            tr {
                                td data-label=(site.t(Msg::AdmTitle)) { (a.title) }
                                td data-label=(site.t(Msg::Category)) { (category_name(&tree, a.category).unwrap_or(site.t(Msg::NotSet))) }
                                td data-label=(site.t(Msg::AdmPublished)) { (site.t(if a.published { Msg::AdmYes } else { Msg::AdmNo })) }
                                td data-label=(site.t(Msg::Updated)) { (lang.time(a.updated_at)) }
                                @if edit {
                                    td data-label=(site.t(Msg::AdmActions)) {
                                        a href=(site.href(&format!("/admin/articles/{}", a.id))) { (site.t(Msg::AdmEdit)) span class="hd-visually-hidden" { " " (a.title) } }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        @if edit {
            section aria-labelledby="hd-new-article" {
                h2 id="hd-new-article" { (site.t(Msg::AdmNewArticle)) }
                p class="hd-muted" { (site.t(Msg::AdmNewArticleHelp)) }
                form class="hd-form" method="post" action=(site.href(PATH)) {
                    (crate::layout::token_field(site))
                    (text_field(site, "a-title", "title", Msg::AdmTitle, &form.title, true))
                    (category_select(site, &tree, &form.category))
                    (body_field(site, &form.body))
                    (check_field(site, "a-published", "published", Msg::AdmPublishedHelp, ticked(form.published.as_ref())))
                    div class="hd-actions" { button type="submit" { (site.t(Msg::AdmAdd)) } }
                }
            }
        }
    };
    Ok(admin_page(
        &viewer,
        status_of(problem.as_ref()),
        Msg::AdmArticles,
        content,
    ))
}

async fn create(
    viewer: Viewer,
    WebForm(form): WebForm<ArticleForm>,
) -> Result<Response, PageError> {
    require_admin(&viewer)?;
    let tenant = match tenant_or_choice(&viewer, PATH).await {
        Ok(t) => t,
        Err(page) => return Ok(page),
    };
    let site = viewer.site.clone();
    let Ok(category) = form_category(&form) else {
        let p = Problem::field(site.lang, "category", "?");
        return render(viewer, false, form, Some(p)).await;
    };
    match viewer
        .service
        .create_article(&viewer.actor, tenant.id, form.draft(category))
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
    id: ArticleId,
    form: Option<ArticleForm>,
    problem: Option<Problem>,
) -> Result<Response, PageError> {
    let can = require_admin(&viewer)?;
    let tenant = match tenant_or_choice(&viewer, PATH).await {
        Ok(t) => t,
        Err(page) => return Ok(page),
    };
    let site = &viewer.site;
    if !can.edit_articles() {
        return Err(PageError::domain(
            site,
            Error::Forbidden(helpdesk_core::Forbidden::RoleRequired),
        ));
    }
    let article = viewer
        .service
        .article(&viewer.actor, tenant.id, id)
        .await
        .map_err(|e| PageError::domain(site, e))?;
    let tree = viewer
        .service
        .categories(&viewer.actor, tenant.id)
        .await
        .map_err(|e| PageError::domain(site, e))?;
    let form = form.unwrap_or_else(|| ArticleForm {
        title: article.title.clone(),
        body: article.body.as_html().to_owned(),
        category: article.category.map(|c| c.to_string()).unwrap_or_default(),
        published: article.published.then(|| "1".to_owned()),
    });
    let content = html! {
        (banners(site, false, problem.as_ref()))
        form class="hd-form" method="post" action=(site.href(&format!("/admin/articles/{id}"))) {
            (crate::layout::token_field(site))
            (text_field(site, "a-title", "title", Msg::AdmTitle, &form.title, true))
            (category_select(site, &tree, &form.category))
            (body_field(site, &form.body))
            (check_field(site, "a-published", "published", Msg::AdmPublishedHelp, ticked(form.published.as_ref())))
            (save_or_cancel(site, PATH))
        }
    };
    Ok(admin_page(
        &viewer,
        status_of(problem.as_ref()),
        Msg::AdmEditArticle,
        content,
    ))
}

async fn update(
    viewer: Viewer,
    Path(id): Path<String>,
    WebForm(form): WebForm<ArticleForm>,
) -> Result<Response, PageError> {
    require_admin(&viewer)?;
    let site = viewer.site.clone();
    let id: ArticleId = parse_id(&site, &id)?;
    let tenant = match tenant_or_choice(&viewer, PATH).await {
        Ok(t) => t,
        Err(page) => return Ok(page),
    };
    let Ok(category) = form_category(&form) else {
        let p = Problem::field(site.lang, "category", "?");
        return render_edit(viewer, id, Some(form), Some(p)).await;
    };
    match viewer
        .service
        .update_article(&viewer.actor, tenant.id, id, form.draft(category))
        .await
    {
        Ok(_) => Ok(see_other(&site, PATH)),
        Err(e) => {
            let p = problem(&site, e)?;
            render_edit(viewer, id, Some(form), Some(p)).await
        }
    }
}
