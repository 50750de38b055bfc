//! "Derniers tickets du propriétaire": for staff, the requester's other recent tickets
//! (the school manual's tab), with a link to the list filtered on that requester.

use helpdesk_core::{
    PageRequest, SearchCriteria, Sort, SortKey, SortOrder, Ticket, TicketList, TicketView,
};
use maud::{Markup, html};

use super::Page;
use crate::i18n::Msg;
use crate::site::{Viewer, encode};

/// The most other tickets shown.
pub(super) const OWNER_TICKETS_AT_MOST: usize = 10;

/// The requester's latest tickets, newest opened first, closed and archived ones
/// included; none for requesters and guests (nor when the search fails: the section is
/// a help, the page stands without it).
pub(super) async fn load(viewer: &Viewer, view: &TicketView) -> Option<TicketList> {
    if !viewer.is_staff() {
        return None;
    }
    let criteria = SearchCriteria {
        tenant: Some(view.ticket.tenant),
        requester: Some(view.ticket.requester),
        include_closed: true,
        include_archived: true,
        sort: Sort::new(SortKey::Opened, SortOrder::Desc),
        ..SearchCriteria::default()
    };
    let page = PageRequest {
        // One more, as this ticket is among them.
        limit: u32::try_from(OWNER_TICKETS_AT_MOST + 1).unwrap_or(11),
        after: None,
    };
    match viewer.service.search(&viewer.actor, criteria, page).await {
        Ok(list) => Some(list),
        Err(e) => {
            tracing::warn!(error = %e, "the requester's latest tickets could not be listed");
            None
        }
    }
}

impl Page<'_> {
    /// The other tickets of the requester, at most [`OWNER_TICKETS_AT_MOST`].
    fn others<'l>(&self, list: &'l TicketList) -> Vec<&'l Ticket> {
        list.tickets
            .iter()
            .filter(|t| t.id != self.view.ticket.id)
            .take(OWNER_TICKETS_AT_MOST)
            .collect()
    }

    /// The section, for staff.
    pub(super) fn owner_tickets(&self) -> Markup {
        let Some(list) = self.owner else {
            return html! {};
        };
        let others = self.others(list);
        let requester = self.view.ticket.requester;
        let all = self.site().href(&format!(
            "/tickets?requester={}&closed=1&archived=1",
            encode(&requester.to_string())
        ));
        html! {
            section id="owner-tickets" class="hd-ticket-section" {
                h2 { (self.t(Msg::OwnerTickets)) }
                @if others.is_empty() {
                    p class="hd-muted" { (self.t(Msg::NoOtherTickets)) }
                } @else {
                    div class="hd-table-wrap" {
                        table class="hd-table" {
                            thead { tr {
                                th scope="col" { (self.t(Msg::Number)) }
                                th scope="col" { (self.t(Msg::Subject)) }
                                th scope="col" { (self.t(Msg::Status)) }
                                th scope="col" { (self.t(Msg::Opened)) }
                            } }
                            tbody {
                                @for t in &others {
                                    tr {
                                        td data-label=(self.t(Msg::Number)) { (t.number) }
                                        td data-label=(self.t(Msg::Subject)) {
                                            a href=(self.site().href(&format!("/tickets/{}", t.id))) { (t.subject) }
                                        }
                                        td data-label=(self.t(Msg::Status)) { (self.status(t.state.status())) }
                                        td data-label=(self.t(Msg::Opened)) { (self.lang().time(t.created_at)) }
                                    }
                                }
                            }
                        }
                    }
                }
                p { a href=(all) { (self.t(Msg::AllOwnerTickets)) } }
            }
        }
    }

    /// Whether the section is shown.
    pub(super) fn has_owner_tickets(&self) -> bool {
        self.owner.is_some()
    }
}
