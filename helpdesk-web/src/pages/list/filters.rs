//! The filter panel: every search criterion as a form field.

use maud::{Markup, html};

use helpdesk_core::{Priority, Status};

use super::{Catalogue, ListForm, ListTenants};
use crate::i18n::Msg;
use crate::site::{Site, Viewer};

pub(super) fn checked(values: &[String], value: &str) -> bool {
    values.iter().any(|v| v == value)
}

/// What the filter panel shows beside the criteria typed.
pub(super) struct Panel<'a> {
    pub(super) form: &'a ListForm,
    pub(super) catalogue: &'a Catalogue,
    pub(super) tenants: &'a ListTenants,
    /// The requester field (empty for those who may not filter on one).
    pub(super) requester: Markup,
}

pub(super) fn filters(viewer: &Viewer, panel: &Panel<'_>) -> Markup {
    let site = &viewer.site;
    let form = panel.form;
    let catalogue = panel.catalogue;
    html! {
        details class="hd-action" open[form.is_filtered() || (viewer.tenant.is_some() && panel.tenants.several())] {
            summary { (site.t(Msg::Filters)) }
            form class="hd-form" method="get" action=(site.href("/tickets")) role="search" {
                (tenant_field(viewer, panel.tenants))
                (panel.requester)
                div class="hd-field" {
                    label for="f-contains" { (site.t(Msg::Contains)) }
                    input id="f-contains" type="search" name="contains" value=(form.contains);
                }
                div class="hd-field" {
                    label for="f-number" { (site.t(Msg::Number)) }
                    input id="f-number" type="number" min="1" name="number" value=(form.number);
                }
                (status_and_priority(viewer, form))
                (catalogue_fields(site, form, catalogue))
                (date_field(site, "opened_from", Msg::OpenedFrom, &form.opened_from))
                (date_field(site, "opened_to", Msg::OpenedTo, &form.opened_to))
                (date_field(site, "updated_from", Msg::UpdatedFrom, &form.updated_from))
                (date_field(site, "updated_to", Msg::UpdatedTo, &form.updated_to))
                div class="hd-field" {
                    label for="f-sla" { (site.t(Msg::SlaFilterLabel)) }
                    select id="f-sla" name="sla" {
                        option value="" selected[form.sla.trim().is_empty()] { (site.t(Msg::SlaAny)) }
                        @for (value, words) in [("due_soon", Msg::SlaDueSoonTickets), ("breached", Msg::SlaBreachedTickets)] {
                            option value=(value) selected[form.sla.trim() == value] { (site.t(words)) }
                        }
                    }
                }
                div class="hd-field" {
                    label for="f-limit" { (site.t(Msg::PageSize)) }
                    select id="f-limit" name="limit" {
                        @for size in super::PAGE_SIZES {
                            option value=(size) selected[form.limit.trim() == size.to_string() || (form.limit.trim().is_empty() && size == helpdesk_core::search::DEFAULT_PAGE_SIZE)] { (size) }
                        }
                    }
                }
                // The sort chosen by the column headers stays when the filters change.
                @if !form.sort.is_empty() {
                    input type="hidden" name="sort" value=(form.sort);
                }
                @if !form.order.is_empty() {
                    input type="hidden" name="order" value=(form.order);
                }
                div class="hd-checks" {
                    label { input type="checkbox" name="closed" value="1" checked[form.closed.is_some()]; (site.t(Msg::IncludeClosed)) }
                    label { input type="checkbox" name="archived" value="1" checked[form.archived.is_some()]; (site.t(Msg::IncludeArchived)) }
                }
                div class="hd-actions" {
                    button type="submit" { (site.t(Msg::Search)) }
                    a class="hd-button hd-secondary" href=(site.href("/tickets")) { (site.t(Msg::ClearFilters)) }
                }
            }
        }
    }
}

/// The tenant filter for staff serving several (all of them, or one: the list shows
/// the tenant the page names with `?tenant=`, as every page does); the tenant named
/// kept for everyone else.
fn tenant_field(viewer: &Viewer, tenants: &ListTenants) -> Markup {
    let site = &viewer.site;
    let current = viewer.tenant.as_ref().map(|t| t.slug.as_str());
    html! {
        @if tenants.several() {
            div class="hd-field" {
                label for="f-tenant" { (site.t(Msg::Tenant)) }
                select id="f-tenant" name="tenant" {
                    option value="" selected[current.is_none()] { (site.t(Msg::AllTenants)) }
                    @for t in &tenants.all {
                        option value=(t.slug) selected[current == Some(t.slug.as_str())] { (t.name) }
                    }
                }
            }
        } @else if let Some(slug) = &site.tenant_slug {
            input type="hidden" name="tenant" value=(slug);
        }
    }
}

/// The status and priority boxes.
fn status_and_priority(viewer: &Viewer, form: &ListForm) -> Markup {
    let site = &viewer.site;
    html! {
        fieldset {
            legend { (site.t(Msg::Status)) }
            div class="hd-checks" {
                @for status in Status::ALL {
                    label {
                        input type="checkbox" name="status" value=(status.as_str()) checked[checked(&form.status, status.as_str())];
                        (viewer.status_label(None, status))
                    }
                }
            }
        }
        fieldset {
            legend { (site.t(Msg::Priority)) }
            div class="hd-checks" {
                @for priority in Priority::ALL {
                    label {
                        input type="checkbox" name="priority" value=(priority.as_str()) checked[checked(&form.priority, priority.as_str())];
                        (site.lang.priority(priority))
                    }
                }
            }
        }
    }
}

/// The tenant's categories and products, when it has some.
fn catalogue_fields(site: &Site, form: &ListForm, catalogue: &Catalogue) -> Markup {
    html! {
        @if catalogue.filterable && !catalogue.categories.is_empty() {
            div class="hd-field" {
                label for="f-category" { (site.t(Msg::Category)) }
                select id="f-category" name="category" multiple size="4" {
                    @for c in &catalogue.categories {
                        option value=(c.id) selected[checked(&form.category, &c.id.to_string())] { (c.name) }
                    }
                }
            }
        }
        @if catalogue.filterable && !catalogue.products.is_empty() {
            div class="hd-field" {
                label for="f-product" { (site.t(Msg::Product)) }
                select id="f-product" name="product" multiple size="4" {
                    @for p in &catalogue.products {
                        option value=(p.id) selected[checked(&form.product, &p.id.to_string())] { (p.name) }
                    }
                }
            }
        }
    }
}

fn date_field(site: &Site, name: &str, label: Msg, value: &str) -> Markup {
    let id = format!("f-{name}");
    html! {
        div class="hd-field" {
            label for=(id) { (site.t(label)) }
            input id=(id) type="date" name=(name) value=(value);
        }
    }
}
