//! The ticket list: every search criterion in a filter panel, the columns of the
//! manuals, a page at a time.

use axum::extract::RawQuery;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, NaiveDate, Utc};
use helpdesk_core::{Category, Cursor, PageRequest, Product, SearchCriteria, Sort, Ticket};
use maud::html;
use serde::Deserialize;

use crate::error::PageError;
use crate::i18n::Msg;
use crate::layout;
use crate::site::{Viewer, encode};

/// The link of the list sorted by `sort`, with the other criteria of `unsorted`.
pub(crate) fn sorted_href(viewer: &Viewer, unsorted: &str, sort: Sort) -> String {
    let sep = if unsorted.is_empty() { "" } else { "&" };
    viewer.site.href(&format!(
        "/tickets?{unsorted}{sep}sort={}&order={}",
        sort.key, sort.order
    ))
}

mod export;
mod filters;
mod saved;
mod table;

pub(crate) use export::export;
pub(crate) use saved::{forget, save};

/// The list's query string, as the filter form sends it.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct ListForm {
    number: String,
    status: Vec<String>,
    priority: Vec<String>,
    category: Vec<String>,
    product: Vec<String>,
    assignee: String,
    group: String,
    opened_from: String,
    opened_to: String,
    updated_from: String,
    updated_to: String,
    contains: String,
    closed: Option<String>,
    archived: Option<String>,
    after: String,
    limit: String,
    sort: String,
    order: String,
}

/// The page sizes the list offers.
pub(crate) const PAGE_SIZES: [u32; 4] = [25, 50, 100, 200];

pub(super) fn invalid(viewer: &Viewer, field: &str, detail: &str) -> PageError {
    PageError::refused(
        &viewer.site,
        StatusCode::UNPROCESSABLE_ENTITY,
        Msg::InvalidInput,
        Some(crate::error::field_detail(
            viewer.site.lang,
            Some(field),
            detail,
        )),
    )
}

fn day(
    viewer: &Viewer,
    field: &str,
    value: &str,
    end: bool,
) -> Result<Option<DateTime<Utc>>, PageError> {
    if value.trim().is_empty() {
        return Ok(None);
    }
    let date = NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d")
        .map_err(|_| invalid(viewer, field, "YYYY-MM-DD"))?;
    let time = if end {
        date.and_hms_opt(23, 59, 59)
    } else {
        date.and_hms_opt(0, 0, 0)
    };
    Ok(time.map(|t| t.and_utc()))
}

pub(super) fn parsed<T: std::str::FromStr>(
    viewer: &Viewer,
    field: &str,
    values: &[String],
) -> Result<Vec<T>, PageError> {
    values
        .iter()
        .filter(|v| !v.is_empty())
        .map(|v| v.parse().map_err(|_| invalid(viewer, field, v)))
        .collect()
}

fn optional<T: std::str::FromStr>(
    viewer: &Viewer,
    field: &str,
    value: &str,
) -> Result<Option<T>, PageError> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    value
        .parse()
        .map(Some)
        .map_err(|_| invalid(viewer, field, value))
}

impl ListForm {
    fn criteria(&self, viewer: &Viewer) -> Result<SearchCriteria, PageError> {
        Ok(SearchCriteria {
            tenant: viewer.tenant.as_ref().map(|t| t.id),
            number: optional(viewer, "number", &self.number)?,
            statuses: parsed(viewer, "status", &self.status)?,
            priorities: parsed(viewer, "priority", &self.priority)?,
            categories: parsed(viewer, "category", &self.category)?,
            products: parsed(viewer, "product", &self.product)?,
            requester: None,
            assignee: optional(viewer, "assignee", &self.assignee)?,
            group: optional(viewer, "group", &self.group)?,
            opened_from: day(viewer, "opened_from", &self.opened_from, false)?,
            opened_to: day(viewer, "opened_to", &self.opened_to, true)?,
            updated_from: day(viewer, "updated_from", &self.updated_from, false)?,
            updated_to: day(viewer, "updated_to", &self.updated_to, true)?,
            contains: Some(self.contains.trim().to_owned()).filter(|c| !c.is_empty()),
            include_closed: self.closed.is_some(),
            include_archived: self.archived.is_some(),
            sort: self.sort(viewer)?,
        })
    }

    /// The sort the query asks for; newest opened first by default.
    fn sort(&self, viewer: &Viewer) -> Result<Sort, PageError> {
        Ok(Sort {
            key: optional(viewer, "sort", &self.sort)?.unwrap_or_default(),
            order: optional(viewer, "order", &self.order)?.unwrap_or_default(),
        })
    }

    fn page(&self, viewer: &Viewer) -> Result<PageRequest, PageError> {
        let mut page = PageRequest::default();
        if let Some(limit) = optional::<u32>(viewer, "limit", &self.limit)? {
            page.limit = limit;
        }
        page.after = optional::<Cursor>(viewer, "after", &self.after)?;
        Ok(page)
    }

    /// The query string of these criteria without the cursor, for the next page's link.
    fn without_cursor(query: &str) -> String {
        Self::without(query, &["after=", "tenant="])
    }

    /// `query` without the parameters starting with any of `prefixes`.
    fn without(query: &str, prefixes: &[&str]) -> String {
        query
            .split('&')
            .filter(|pair| !pair.is_empty() && !prefixes.iter().any(|p| pair.starts_with(p)))
            .collect::<Vec<_>>()
            .join("&")
    }

    fn is_filtered(&self) -> bool {
        !(self.number.is_empty()
            && self.status.is_empty()
            && self.priority.is_empty()
            && self.category.is_empty()
            && self.product.is_empty()
            && self.assignee.is_empty()
            && self.group.is_empty()
            && self.opened_from.is_empty()
            && self.opened_to.is_empty()
            && self.updated_from.is_empty()
            && self.updated_to.is_empty()
            && self.contains.is_empty()
            && self.closed.is_none()
            && self.archived.is_none())
    }
}

/// The tenant's categories and products, for the filters and the columns.
pub(crate) struct Catalogue {
    pub(crate) categories: Vec<Category>,
    pub(crate) products: Vec<Product>,
}

impl Catalogue {
    pub(crate) async fn load(viewer: &Viewer) -> Result<Catalogue, PageError> {
        let Some(tenant) = &viewer.tenant else {
            return Ok(Catalogue {
                categories: vec![],
                products: vec![],
            });
        };
        let categories = viewer
            .service
            .categories(&viewer.actor, tenant.id)
            .await
            .map_err(|e| PageError::domain(&viewer.site, e))?;
        let products = viewer
            .service
            .products(&viewer.actor, tenant.id)
            .await
            .map_err(|e| PageError::domain(&viewer.site, e))?;
        Ok(Catalogue {
            categories,
            products,
        })
    }

    pub(crate) fn category_name(&self, ticket: &Ticket) -> Option<&str> {
        let id = ticket.category?;
        self.categories
            .iter()
            .find(|c| c.id == id)
            .map(|c| c.name.as_str())
    }

    pub(crate) fn product_name(&self, ticket: &Ticket) -> Option<&str> {
        let id = ticket.product?;
        self.products
            .iter()
            .find(|p| p.id == id)
            .map(|p| p.name.as_str())
    }
}

/// `GET /tickets`: the list, filtered by the query string.
pub(crate) async fn list(viewer: Viewer, RawQuery(query): RawQuery) -> Result<Response, PageError> {
    let query = query.unwrap_or_default();
    let form: ListForm =
        serde_html_form::from_str(&query).map_err(|e| invalid(&viewer, "query", &e.to_string()))?;
    let criteria = form.criteria(&viewer)?;
    let sort = criteria.sort;
    let page = form.page(&viewer)?;
    let found = viewer
        .service
        .search(&viewer.actor, criteria, page)
        .await
        .map_err(|e| PageError::domain(&viewer.site, e))?;
    let catalogue = Catalogue::load(&viewer).await?;
    let saved = viewer
        .service
        .saved_searches(&viewer.actor)
        .await
        .map_err(|e| PageError::domain(&viewer.site, e))?;
    let site = &viewer.site;
    let base = ListForm::without_cursor(&query);
    // The criteria without their sort, for the column headers' links.
    let unsorted = ListForm::without(&query, &["after=", "tenant=", "sort=", "order="]);
    let content = html! {
        h1 { (site.t(Msg::Tickets)) }
        p class="hd-total" role="status" {
            (found.total) " "
            (site.t(if found.total == 1 { Msg::OneTicket } else { Msg::ManyTickets }))
        }
        div class="hd-panels" {
            (filters::filters(&viewer, &form, &catalogue))
            (saved::panel(&viewer, &saved, &base))
        }
        @if export::allowed(&viewer) {
            (export::form(&viewer, &base))
        }
        (table::table(&viewer, &found, &catalogue, export::allowed(&viewer), sort, &unsorted))
        nav class="hd-actions" aria-label=(site.t(Msg::Tickets)) {
            @if !form.after.is_empty() {
                a class="hd-button hd-secondary" href=(site.href(&format!("/tickets?{base}"))) { (site.t(Msg::FirstPage)) }
            }
            @if let Some(next) = &found.next {
                a class="hd-button" href=(site.href(&format!("/tickets?{base}&after={}", encode(&next.to_string())))) { (site.t(Msg::NextPage)) }
            }
        }
    };
    Ok(layout::page(
        site,
        layout::nav(&viewer),
        site.t(Msg::Tickets),
        content,
    ))
}
