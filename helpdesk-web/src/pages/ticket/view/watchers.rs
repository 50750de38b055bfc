//! "Surveillance du ticket" (the school manual's tab): who is told about the ticket by
//! email, and, for staff and the tenant's admins, who has no address or follows only
//! some topics.

use helpdesk_core::{TicketView, Watcher, WatcherPart};
use maud::{Markup, html};

use super::Page;
use crate::i18n::Msg;
use crate::site::Viewer;

/// The people told about the ticket (none when they cannot be read: the section is a
/// help, the page stands without it).
pub(super) async fn load(viewer: &Viewer, view: &TicketView) -> Vec<Watcher> {
    match viewer.service.watchers(&viewer.actor, view.ticket.id).await {
        Ok(watchers) => watchers,
        Err(e) => {
            tracing::warn!(error = %e, "who is notified of a ticket could not be listed");
            Vec::new()
        }
    }
}

impl Page<'_> {
    /// The section.
    pub(super) fn watchers(&self) -> Markup {
        let lang = self.lang();
        html! {
            section id="watchers" class="hd-ticket-section" {
                h2 { (self.t(Msg::Watchers)) }
                @if self.watchers.is_empty() {
                    p class="hd-muted" { (self.t(Msg::NoWatchers)) }
                } @else {
                    p class="hd-muted" { (self.t(Msg::WatchersHelp)) }
                    ul class="hd-watchers" {
                        @for w in self.watchers {
                            li {
                                (w.display_name) " — " (self.t(part(w.part)))
                                @if w.internal_notes && self.viewer.is_staff() {
                                    " · " (self.t(Msg::WatchNotes))
                                }
                                @if w.reachable == Some(false) {
                                    " · " strong { (self.t(Msg::WatchNoAddress)) }
                                }
                                @if let Some(muted) = w.muted.as_ref().filter(|m| !m.is_empty()) {
                                    " · " (self.t(Msg::WatchMuted)) (self.colon())
                                    @for (i, topic) in muted.iter().enumerate() {
                                        @if i > 0 { ", " }
                                        (lang.topic(*topic))
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The words for why someone is told.
fn part(part: WatcherPart) -> Msg {
    match part {
        WatcherPart::Requester => Msg::Requester,
        WatcherPart::Guest => Msg::WatchGuest,
        WatcherPart::Assignee => Msg::Assignee,
        WatcherPart::GroupMember => Msg::WatchGroup,
    }
}
