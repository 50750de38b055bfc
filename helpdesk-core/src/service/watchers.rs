//! Who is told about a ticket ["Surveillance du ticket"]: the people its notifications go
//! to, as delivery would find them now.

use serde::Serialize;

use crate::error::Result;
use crate::ids::TicketId;
use crate::notify::{ContactRef, member_followers, staff_follower};
use crate::people::Actor;
use crate::permissions::{Scope, administers};
use crate::topic::MutedTopics;

use super::HelpdeskService;

/// Someone told about a ticket's events.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Watcher {
    /// Who they are.
    pub person: ContactRef,
    /// Their name.
    pub display_name: String,
    /// Why they are told.
    pub part: WatcherPart,
    /// Whether they are told about internal notes too (staff only).
    pub internal_notes: bool,
    /// Whether the helpdesk has an address to write to them at. Shown to staff and the
    /// tenant's admins only; none for anyone else.
    pub reachable: Option<bool>,
    /// The kinds of event they chose not to be told about. Shown to staff and the
    /// tenant's admins only; none for anyone else.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Vec<crate::NotificationTopic>>))]
    pub muted: Option<MutedTopics>,
}

/// Why someone is told about a ticket.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum WatcherPart {
    /// The ticket's requester.
    Requester,
    /// A member invited to follow it.
    Guest,
    /// The staff member handling it.
    Assignee,
    /// A member of the group handling it, while nobody is assigned.
    GroupMember,
}

impl HelpdeskService {
    /// The people told about the events of ticket `id`, as delivery finds them now:
    /// the requester and the guests (public events), the assignee or, with nobody
    /// assigned, each active member of the group (internal notes too). Anyone who could
    /// no longer see the ticket (a blocked member, inactive staff) is left out, as
    /// delivery leaves them out. Each person's own muted topics still apply, event by
    /// event, and nobody is told about their own events.
    ///
    /// Anyone who sees the ticket may ask; staff and the tenant's admins also read
    /// whether each person has an address and what they muted. A ticket the actor may
    /// not see answers [`Error::NotFound`](crate::Error::NotFound).
    pub async fn watchers(&self, actor: &Actor, id: TicketId) -> Result<Vec<Watcher>> {
        let (ticket, tenant) = self.visible_ticket(actor, id).await?;
        let privileged = actor.is_staff() || administers(actor, ticket.tenant);
        let policy = tenant.settings.requester_visibility;
        let mut followers: Vec<_> = member_followers(&ticket).collect();
        followers.extend(staff_follower(&ticket));
        let mut watchers: Vec<Watcher> = Vec::new();
        for person in self.expand(ticket.tenant, &followers).await? {
            if !Scope::of(&person, policy).admits(&ticket) {
                continue;
            }
            let (reference, display_name, email, muted, part) = match &person {
                Actor::Member(m) => {
                    let part = if m.id == ticket.requester {
                        WatcherPart::Requester
                    } else {
                        WatcherPart::Guest
                    };
                    let r = ContactRef::Member(m.id);
                    (r, &m.display_name, &m.email, &m.muted, part)
                }
                Actor::Staff(s) => {
                    let part = if ticket.assignee == Some(s.id) {
                        WatcherPart::Assignee
                    } else {
                        WatcherPart::GroupMember
                    };
                    let r = ContactRef::Staff(s.id);
                    (r, &s.display_name, &s.email, &s.muted, part)
                }
                Actor::System => continue,
            };
            if watchers.iter().any(|w| w.person == reference) {
                continue;
            }
            watchers.push(Watcher {
                person: reference,
                display_name: display_name.clone(),
                part,
                internal_notes: person.is_staff(),
                reachable: privileged.then(|| email.is_some()),
                muted: privileged.then(|| muted.clone()),
            });
        }
        watchers.sort_by(|a, b| (a.part, &a.display_name).cmp(&(b.part, &b.display_name)));
        Ok(watchers)
    }
}
