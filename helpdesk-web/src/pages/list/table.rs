//! The result table: the manuals' columns, a "waiting for your answer" marker, a box
//! per row to export the ticked tickets.

use std::collections::BTreeMap;

use helpdesk_core::{Actor, Sort, SortKey, SortOrder, Status, Ticket, TicketList};
use maud::{Markup, html};

use super::{Catalogue, ListTenants};
use crate::i18n::Msg;
use crate::site::Viewer;

fn waiting_for_viewer(actor: &Actor, ticket: &Ticket) -> bool {
    matches!(actor, Actor::Member(m) if m.id == ticket.requester)
        && ticket.state.status() == Status::WaitingOnRequester
}

fn name(names: &BTreeMap<String, String>, id: Option<String>) -> Option<&str> {
    id.and_then(|id| names.get(&id)).map(String::as_str)
}

/// The sort key of a column, for those the list sorts by.
fn column_key(column: Msg) -> Option<SortKey> {
    match column {
        Msg::Number => Some(SortKey::Number),
        Msg::Subject => Some(SortKey::Subject),
        Msg::Status => Some(SortKey::Status),
        Msg::Priority => Some(SortKey::Priority),
        Msg::Opened => Some(SortKey::Opened),
        Msg::Updated => Some(SortKey::Updated),
        _ => None,
    }
}

/// A column header: a link sorting by it (the other way when it is the sort already,
/// with `aria-sort` saying how it is sorted), or its name alone.
fn header(viewer: &Viewer, column: Msg, sort: Sort, unsorted: &str) -> Markup {
    let site = &viewer.site;
    let Some(key) = column_key(column) else {
        return html! { th scope="col" { (site.t(column)) } };
    };
    let current = sort.key == key;
    let aria = current.then_some(match sort.order {
        SortOrder::Asc => "ascending",
        SortOrder::Desc => "descending",
    });
    let next = if current {
        Sort::new(key, sort.order.reversed())
    } else {
        // Numbers, subjects, statuses and priorities read best ascending; times newest first.
        let order = match key {
            SortKey::Opened | SortKey::Updated => SortOrder::Desc,
            _ => SortOrder::Asc,
        };
        Sort::new(key, order)
    };
    let arrow = match aria {
        Some("ascending") => " ▲",
        Some(_) => " ▼",
        None => "",
    };
    html! {
        th scope="col" aria-sort=[aria] {
            a href=(super::sorted_href(viewer, unsorted, next))
                title=(format!("{} {}", site.t(Msg::SortBy), site.t(column))) {
                (site.t(column)) (arrow)
            }
        }
    }
}

pub(super) fn table(
    viewer: &Viewer,
    found: &TicketList,
    catalogue: &Catalogue,
    tenants: &ListTenants,
    exportable: bool,
    sort: Sort,
    unsorted: &str,
) -> Markup {
    let site = &viewer.site;
    let lang = site.lang;
    if found.tickets.is_empty() {
        return html! { p class="hd-muted" { (site.t(Msg::NoTickets)) } };
    }
    html! {
        div class="hd-table-wrap" {
            table class="hd-table" {
                thead {
                    tr {
                        @if exportable {
                            th scope="col" { span class="hd-visually-hidden" { (site.t(Msg::ExportThis)) } }
                        }
                        @if tenants.several() {
                            th scope="col" { (site.t(Msg::Tenant)) }
                        }
                        @for column in [Msg::Number, Msg::Subject, Msg::Category, Msg::Product, Msg::Requester, Msg::Assignee, Msg::Status, Msg::Priority, Msg::Opened, Msg::Updated] {
                            (header(viewer, column, sort, unsorted))
                        }
                    }
                }
                tbody {
                    @for ticket in &found.tickets {
                        @let waiting = waiting_for_viewer(&viewer.actor, ticket);
                        tr class=[waiting.then_some("hd-waiting")] {
                            @if exportable {
                                td {
                                    input type="checkbox" name="numbers" value=(ticket.number) form="hd-export"
                                        aria-label=(format!("{} {}", site.t(Msg::ExportThis), ticket.number));
                                }
                            }
                            @if tenants.several() {
                                td data-label=(site.t(Msg::Tenant)) { (tenants.name(ticket.tenant).unwrap_or(site.t(Msg::NotSet))) }
                            }
                            td data-label=(site.t(Msg::Number)) { (ticket.number) }
                            td data-label=(site.t(Msg::Subject)) {
                                a href=(site.href(&format!("/tickets/{}", ticket.id))) { (ticket.subject) }
                                @if waiting {
                                    " " span class="hd-badge hd-badge-warn" { (site.t(Msg::WaitingForYou)) }
                                }
                            }
                            td data-label=(site.t(Msg::Category)) { (catalogue.category_name(ticket).unwrap_or(site.t(Msg::NotSet))) }
                            td data-label=(site.t(Msg::Product)) { (catalogue.product_name(ticket).unwrap_or(site.t(Msg::NotSet))) }
                            td data-label=(site.t(Msg::Requester)) { (name(&found.names, Some(ticket.requester.to_string())).unwrap_or(site.t(Msg::NotSet))) }
                            td data-label=(site.t(Msg::Assignee)) { (name(&found.names, ticket.assignee.map(|a| a.to_string())).unwrap_or(site.t(Msg::Unassigned))) }
                            td data-label=(site.t(Msg::Status)) { (viewer.status_label(None, ticket.state.status())) }
                            td data-label=(site.t(Msg::Priority)) { (lang.priority(ticket.priority)) }
                            td data-label=(site.t(Msg::Opened)) { (lang.time(ticket.created_at)) }
                            td data-label=(site.t(Msg::Updated)) { (lang.time(ticket.updated_at)) }
                        }
                    }
                }
            }
        }
    }
}
