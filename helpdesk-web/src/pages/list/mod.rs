//! The ticket list: every search criterion in a filter panel, the columns of the
//! manuals, a page at a time.

use axum::extract::RawQuery;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, NaiveDate, Utc};
use helpdesk_core::{
    Category, Cursor, PageRequest, Product, SearchCriteria, Sort, Tenant, TenantId, Ticket,
};
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

/// The link of the list with the criteria of `query` (none when it is empty).
pub(crate) fn list_href(viewer: &Viewer, query: &str) -> String {
    if query.is_empty() {
        viewer.site.href("/tickets")
    } else {
        viewer.site.href(&format!("/tickets?{query}"))
    }
}

mod export;
mod filters;
mod requester;
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
    requester: String,
    requester_name: String,
    assignee: String,
    group: String,
    opened_from: String,
    opened_to: String,
    updated_from: String,
    updated_to: String,
    contains: String,
    closed: Option<String>,
    archived: Option<String>,
    sla: String,
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
            requester: optional(viewer, "requester", &self.requester)?,
            assignee: optional(viewer, "assignee", &self.assignee)?,
            group: optional(viewer, "group", &self.group)?,
            opened_from: day(viewer, "opened_from", &self.opened_from, false)?,
            opened_to: day(viewer, "opened_to", &self.opened_to, true)?,
            updated_from: day(viewer, "updated_from", &self.updated_from, false)?,
            updated_to: day(viewer, "updated_to", &self.updated_to, true)?,
            contains: Some(self.contains.trim().to_owned()).filter(|c| !c.is_empty()),
            include_closed: self.closed.is_some(),
            include_archived: self.archived.is_some(),
            sla: optional(viewer, "sla", &self.sla)?,
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
            && self.requester.is_empty()
            && self.requester_name.is_empty()
            && self.assignee.is_empty()
            && self.group.is_empty()
            && self.opened_from.is_empty()
            && self.opened_to.is_empty()
            && self.updated_from.is_empty()
            && self.updated_to.is_empty()
            && self.contains.is_empty()
            && self.closed.is_none()
            && self.archived.is_none()
            && self.sla.is_empty())
    }
}

/// The tenants of a staff member serving several (empty for everyone else): a
/// Client column and a tenant filter on the list.
#[derive(Debug, Default)]
pub(crate) struct ListTenants {
    /// The tenants they serve, in the store's order.
    pub(crate) all: Vec<Tenant>,
}

impl ListTenants {
    /// The tenants of the viewer when they are staff serving more than one.
    pub(crate) async fn load(viewer: &Viewer) -> Result<ListTenants, PageError> {
        if !viewer.is_staff() {
            return Ok(ListTenants::default());
        }
        let all = viewer
            .service
            .tenants(&viewer.actor)
            .await
            .map_err(|e| PageError::domain(&viewer.site, e))?;
        Ok(if all.len() > 1 {
            ListTenants { all }
        } else {
            ListTenants::default()
        })
    }

    /// Whether the viewer serves several tenants.
    pub(crate) fn several(&self) -> bool {
        !self.all.is_empty()
    }

    /// The name of a tenant the viewer serves.
    pub(crate) fn name(&self, id: TenantId) -> Option<&str> {
        self.all
            .iter()
            .find(|t| t.id == id)
            .map(|t| t.name.as_str())
    }
}

/// The tenant's categories and products, for the filters and the columns.
pub(crate) struct Catalogue {
    pub(crate) categories: Vec<Category>,
    pub(crate) products: Vec<Product>,
    /// Whether they are one tenant's, offered as filters.
    pub(crate) filterable: bool,
}

impl Catalogue {
    /// The shown tenant's categories and products (offered as filters); for staff
    /// looking at all their tenants, those of each (named in the columns only).
    pub(crate) async fn load(
        viewer: &Viewer,
        tenants: &ListTenants,
    ) -> Result<Catalogue, PageError> {
        let ids: Vec<TenantId> = match &viewer.tenant {
            Some(t) => vec![t.id],
            None => tenants.all.iter().map(|t| t.id).collect(),
        };
        let mut catalogue = Catalogue {
            categories: vec![],
            products: vec![],
            filterable: viewer.tenant.is_some(),
        };
        for tenant in ids {
            let categories = viewer
                .service
                .categories(&viewer.actor, tenant)
                .await
                .map_err(|e| PageError::domain(&viewer.site, e))?;
            let products = viewer
                .service
                .products(&viewer.actor, tenant)
                .await
                .map_err(|e| PageError::domain(&viewer.site, e))?;
            catalogue.categories.extend(categories);
            catalogue.products.extend(products);
        }
        Ok(catalogue)
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

/// `GET /tickets`: the list, filtered by the query string. A requester's name typed in
/// the filters that finds one member comes back as the same list filtered on them.
pub(crate) async fn list(viewer: Viewer, RawQuery(query): RawQuery) -> Result<Response, PageError> {
    let query = query.unwrap_or_default();
    let form: ListForm =
        serde_html_form::from_str(&query).map_err(|e| invalid(&viewer, "query", &e.to_string()))?;
    let criteria = form.criteria(&viewer)?;
    let sort = criteria.sort;
    let page = form.page(&viewer)?;
    let tenants = ListTenants::load(&viewer).await?;
    let lookup = requester::lookup(&viewer, &form, &tenants).await?;
    if let requester::Lookup::One(member) = lookup {
        return Ok(see_other(&list_href(
            &viewer,
            &requester::query_with(&query, member),
        )));
    }
    let found = viewer
        .service
        .search(&viewer.actor, criteria.clone(), page)
        .await
        .map_err(|e| PageError::domain(&viewer.site, e))?;
    let catalogue = Catalogue::load(&viewer, &tenants).await?;
    let saved = viewer
        .service
        .saved_searches(&viewer.actor)
        .await
        .map_err(|e| PageError::domain(&viewer.site, e))?;
    let chosen = match criteria.requester {
        Some(id) => requester::chosen_name(&viewer, id, &found.names, &tenants).await,
        None => None,
    };
    let site = &viewer.site;
    let base = ListForm::without_cursor(&query);
    // The criteria without their sort, for the column headers' links.
    let unsorted = ListForm::without(&query, &["after=", "tenant=", "sort=", "order="]);
    let panel = filters::Panel {
        form: &form,
        catalogue: &catalogue,
        tenants: &tenants,
        requester: requester::field(&viewer, &form, chosen.as_deref(), &query),
    };
    let content = html! {
        h1 { (site.t(Msg::Tickets)) }
        (requester::notice(&viewer, &lookup, &query, &tenants))
        p class="hd-total" role="status" { (total_line(site, &found)) }
        div class="hd-panels" {
            (filters::filters(&viewer, &panel))
            (saved::panel(&viewer, &saved, &base, &tenants))
        }
        @if export::allowed(&viewer) {
            (export::form(&viewer, &base))
        }
        (table::table(&viewer, &found, &catalogue, &tenants, export::allowed(&viewer), sort, &unsorted))
        nav class="hd-actions" aria-label=(site.t(Msg::Tickets)) {
            @if !form.after.is_empty() {
                a class="hd-button hd-secondary" href=(list_href(&viewer, &base)) { (site.t(Msg::FirstPage)) }
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

/// "12 tickets", or "more than 1,000 tickets" when the count stopped at its cap.
fn total_line(site: &crate::site::Site, found: &helpdesk_core::TicketList) -> String {
    let count = site.lang.count(found.total);
    if found.total_exact {
        let noun = if found.total == 1 {
            Msg::OneTicket
        } else {
            Msg::ManyTickets
        };
        format!("{count} {}", site.t(noun))
    } else {
        format!(
            "{} {count} {}",
            site.t(Msg::MoreThan),
            site.t(Msg::ManyTickets)
        )
    }
}

/// A redirect to `to` after a GET (the browser asks for `to` in its place).
fn see_other(to: &str) -> Response {
    use axum::response::IntoResponse;
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = to.parse() {
        response
            .headers_mut()
            .insert(axum::http::header::LOCATION, value);
    }
    response
}
