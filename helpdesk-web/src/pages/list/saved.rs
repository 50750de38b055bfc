//! Saved search criteria: save the current ones under a name, apply, forget.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::http::header::LOCATION;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use helpdesk_core::{SavedSearch, SavedSearchId, SearchCriteria};
use maud::{Markup, html};
use serde::Deserialize;

use super::{ListForm, ListTenants};
use crate::error::PageError;
use crate::forms::WebForm;
use crate::i18n::Msg;
use crate::layout;
use crate::site::{Viewer, encode};

/// The query string that applies saved criteria on the list.
pub(super) fn query_of(criteria: &SearchCriteria) -> String {
    fn day(at: Option<DateTime<Utc>>) -> Option<String> {
        at.map(|a| a.format("%Y-%m-%d").to_string())
    }
    let mut pairs: Vec<(&str, String)> = Vec::new();
    if let Some(n) = criteria.number {
        pairs.push(("number", n.to_string()));
    }
    pairs.extend(
        criteria
            .statuses
            .iter()
            .map(|s| ("status", s.as_str().to_owned())),
    );
    pairs.extend(
        criteria
            .priorities
            .iter()
            .map(|p| ("priority", p.as_str().to_owned())),
    );
    pairs.extend(
        criteria
            .categories
            .iter()
            .map(|c| ("category", c.to_string())),
    );
    pairs.extend(criteria.products.iter().map(|p| ("product", p.to_string())));
    if let Some(r) = criteria.requester {
        pairs.push(("requester", r.to_string()));
    }
    if let Some(a) = criteria.assignee {
        pairs.push(("assignee", a.to_string()));
    }
    if let Some(g) = criteria.group {
        pairs.push(("group", g.to_string()));
    }
    for (name, at) in [
        ("opened_from", day(criteria.opened_from)),
        ("opened_to", day(criteria.opened_to)),
        ("updated_from", day(criteria.updated_from)),
        ("updated_to", day(criteria.updated_to)),
    ] {
        if let Some(at) = at {
            pairs.push((name, at));
        }
    }
    if let Some(words) = &criteria.contains {
        pairs.push(("contains", words.clone()));
    }
    if criteria.include_closed {
        pairs.push(("closed", "1".into()));
    }
    if criteria.include_archived {
        pairs.push(("archived", "1".into()));
    }
    if let Some(sla) = criteria.sla {
        pairs.push(("sla", sla.as_str().into()));
    }
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The link applying saved criteria: for staff serving several tenants, in the tenant
/// they were saved in (or all of them), whichever the page shows now.
fn saved_href(viewer: &Viewer, saved: &SavedSearch, tenants: &ListTenants) -> String {
    let query = query_of(&saved.criteria);
    if !tenants.several() {
        return super::list_href(viewer, &query);
    }
    let slug = saved
        .criteria
        .tenant
        .and_then(|id| tenants.all.iter().find(|t| t.id == id))
        .map(|t| t.slug.as_str());
    let mut pairs: Vec<String> = Vec::new();
    if !query.is_empty() {
        pairs.push(query);
    }
    if let Some(slug) = slug {
        pairs.push(format!("tenant={}", encode(slug)));
    }
    let sep = if pairs.is_empty() { "" } else { "?" };
    format!("{}/tickets{sep}{}", viewer.site.prefix, pairs.join("&"))
}

/// The saved searches panel: apply or forget each, save the current criteria.
pub(super) fn panel(
    viewer: &Viewer,
    saved: &[SavedSearch],
    query: &str,
    tenants: &ListTenants,
) -> Markup {
    let site = &viewer.site;
    html! {
        details class="hd-action" {
            summary { (site.t(Msg::SavedSearches)) " (" (saved.len()) ")" }
            @if saved.is_empty() {
                p class="hd-muted" { (site.t(Msg::NoSavedSearch)) }
            } @else {
                ul class="hd-saved" {
                    @for s in saved {
                        li {
                            a href=(saved_href(viewer, s, tenants)) { (s.name) }
                            " "
                            form class="hd-inline" method="post" action=(site.href(&format!("/tickets/saved/{}/delete", s.id))) {
                                (layout::token_field(site))
                                button type="submit" class="hd-secondary" aria-label=(site.lang.labelled(site.t(Msg::Forget), &s.name)) { (site.t(Msg::Forget)) }
                            }
                        }
                    }
                }
            }
            form class="hd-form" method="post" action=(site.href("/tickets/saved")) {
                (layout::token_field(site))
                input type="hidden" name="query" value=(query);
                div class="hd-field" {
                    label for="hd-save-name" { (site.t(Msg::SaveCriteriaAs)) }
                    input id="hd-save-name" type="text" name="name" required maxlength="100";
                }
                div { button type="submit" { (site.t(Msg::Save)) } }
            }
        }
    }
}

/// The form that saves the current criteria.
#[derive(Debug, Deserialize)]
pub(crate) struct SaveForm {
    name: String,
    #[serde(default)]
    query: String,
}

fn back_to_list(viewer: &Viewer, query: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    let to = viewer.site.href(&format!("/tickets?{query}"));
    if let Ok(value) = to.parse() {
        response.headers_mut().insert(LOCATION, value);
    }
    response
}

/// `POST /tickets/saved`: saves the criteria under a name, then shows them applied.
pub(crate) async fn save(
    viewer: Viewer,
    WebForm(form): WebForm<SaveForm>,
) -> Result<Response, PageError> {
    let list: ListForm = serde_html_form::from_str(&form.query)
        .map_err(|e| super::invalid(&viewer, "query", &e.to_string()))?;
    let criteria = list.criteria(&viewer)?;
    viewer
        .service
        .save_search(&viewer.actor, &form.name, criteria)
        .await
        .map_err(|e| PageError::domain(&viewer.site, e))?;
    Ok(back_to_list(
        &viewer,
        &ListForm::without_cursor(&form.query),
    ))
}

/// `POST /tickets/saved/{id}/delete`: forgets saved criteria.
pub(crate) async fn forget(
    viewer: Viewer,
    Path(id): Path<String>,
    WebForm(_): WebForm<crate::forms::NoFields>,
) -> Result<Response, PageError> {
    let id: SavedSearchId = id.parse().map_err(|_| {
        PageError::refused(&viewer.site, StatusCode::NOT_FOUND, Msg::NotFound, None)
    })?;
    viewer
        .service
        .delete_saved_search(&viewer.actor, id)
        .await
        .map_err(|e| PageError::domain(&viewer.site, e))?;
    Ok(back_to_list(&viewer, ""))
}
