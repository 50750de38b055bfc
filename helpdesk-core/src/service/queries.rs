//! The read use cases: one ticket with its visible timeline, search, dashboard, saved
//! searches and knowledge-base suggestions.

use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

use serde::Serialize;

use crate::attachment::Attachment;
use crate::catalog::ancestry;
use crate::dashboard::{Breakdown, Dashboard, DashboardQuery};
use crate::error::{Entity, Error, Forbidden, Result};
use crate::ids::{
    AttachmentId, CategoryId, SavedSearchId, StaffId, TenantId, TicketId, TicketNumber,
};
use crate::knowledge::{Article, faq, suggest};
use crate::people::Actor;
use crate::permissions::{ensure_active, manages_staff, may_read_event, observed_by};
use crate::search::{PageRequest, SavedSearch, SearchCriteria, SearchQuery};
use crate::text::words;
use crate::ticket::Ticket;
use crate::timeline::{EventKind, TimelineEvent};
use crate::{ActorRef, MemberId};

use super::HelpdeskService;

/// A ticket as one actor may see it: internal notes and their attachments are left out
/// for requesters and guests.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TicketView {
    /// The ticket.
    pub ticket: Ticket,
    /// The status as the tenant names it, in the language the actor chose
    /// ([`Member::language`](crate::Member::language),
    /// [`Staff::language`](crate::Staff::language)), else in the tenant's default
    /// language. Pages that speak another language (a visitor's cookie or browser)
    /// label it themselves with [`TenantSettings::label`](crate::TenantSettings::label).
    pub status_label: String,
    /// The events this actor may read, oldest first.
    pub timeline: Vec<TimelineEvent>,
    /// The attachments of those events.
    pub attachments: Vec<Attachment>,
    /// The commands this actor may run now (see
    /// [`HelpdeskService::available_actions`]).
    pub actions: Vec<crate::workflow::CommandName>,
    /// The display names of everyone the ticket and its visible timeline mention
    /// (requester, guests, assignee, authors, invited and reassigned members), and the
    /// names of the ticket's group and of the groups it was assigned to, by id: so a
    /// requester, who may not list groups, reads the group's name too.
    pub names: BTreeMap<String, String>,
    /// When the ticket leaves (or left) default lists and searches, archived: its
    /// closure or cancellation plus the tenant's
    /// [`archive_delay`](crate::TenantSettings::archive_delay). None while it is open.
    pub archived_at: Option<DateTime<Utc>>,
    /// Each service-level target's due date and where it stands now (`null` targets:
    /// not tracked for this ticket's priority).
    pub service_level: crate::service_level::SlaState,
}

/// One page of search results as a caller receives it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TicketList {
    /// The tickets, in the criteria's sort (newest opened first by default).
    pub tickets: Vec<Ticket>,
    /// How many tickets match the criteria in the caller's scope, on every page, counted
    /// up to 1,000 (`TOTAL_CAP`): when `total_exact` is false, more than `total` match
    /// (a list shows "more than 1,000 tickets").
    pub total: u64,
    /// Whether `total` is the exact count; false when the count stopped at its cap, and
    /// then more than `total` tickets match.
    pub total_exact: bool,
    /// Where the next page starts, when more tickets follow; sent as an opaque string.
    #[serde(serialize_with = "crate::search::serialize_cursor")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub next: Option<crate::Cursor>,
    /// The display names of the tickets' requesters and assignees, by id.
    pub names: BTreeMap<String, String>,
}

impl HelpdeskService {
    /// One ticket with the timeline and attachments `actor` may see.
    pub async fn ticket(&self, actor: &Actor, id: TicketId) -> Result<TicketView> {
        let (ticket, tenant) = self.visible_ticket(actor, id).await?;
        self.view(actor, ticket, &tenant).await
    }

    /// One ticket by its number in `tenant` [accès direct].
    pub async fn ticket_by_number(
        &self,
        actor: &Actor,
        tenant: TenantId,
        number: TicketNumber,
    ) -> Result<TicketView> {
        ensure_active(actor)?;
        let ticket = self
            .store
            .ticket_by_number(tenant, number)
            .await?
            .ok_or(Error::NotFound(Entity::Ticket))?;
        let (ticket, tenant) = self
            .visible_ticket_in(actor, Some(tenant), ticket.id)
            .await?;
        self.view(actor, ticket, &tenant).await
    }

    async fn view(
        &self,
        actor: &Actor,
        ticket: Ticket,
        tenant: &crate::Tenant,
    ) -> Result<TicketView> {
        let timeline: Vec<_> = self
            .store
            .timeline_in(ticket.tenant, ticket.id)
            .await?
            .into_iter()
            .filter(|e| may_read_event(actor, e))
            .collect();
        let attachments = self
            .store
            .attachments_in(ticket.tenant, ticket.id)
            .await?
            .into_iter()
            .filter(|a| timeline.iter().any(|e| e.id == a.event))
            .collect();
        let actions = crate::workflow::available_actions(
            &ticket,
            actor,
            crate::workflow::Context {
                settings: &tenant.settings,
                now: self.clock.now(),
                text_policy: &self.text_policy,
            },
        );
        let names = self.names(&ticket, &timeline).await?;
        let language = actor
            .language()
            .unwrap_or(tenant.settings.default_language.as_str());
        let archived_at = ticket
            .ended_at()
            .map(|ended| ended + tenant.settings.archive_delay.duration());
        Ok(TicketView {
            archived_at,
            names,
            service_level: ticket.service_level.state_at(self.clock.now()),
            status_label: tenant.settings.label(ticket.status(), language).to_owned(),
            ticket: observed_by(actor, ticket),
            timeline,
            attachments,
            actions,
        })
    }

    /// The display names of the people `ticket` and `timeline` mention.
    async fn names(
        &self,
        ticket: &Ticket,
        timeline: &[TimelineEvent],
    ) -> Result<BTreeMap<String, String>> {
        let mut members: Vec<MemberId> = vec![ticket.requester];
        members.extend(ticket.guests.iter().copied());
        let mut staff: Vec<StaffId> = ticket.assignee.into_iter().collect();
        let mut groups: Vec<crate::GroupId> = ticket.group.into_iter().collect();
        for event in timeline {
            match event.author {
                ActorRef::Member(m) => members.push(m),
                ActorRef::Staff(s) => staff.push(s),
                ActorRef::System => {}
            }
            match &event.kind {
                EventKind::GuestInvited { guest } => members.push(*guest),
                EventKind::RequesterReassigned { from, to } => members.extend([*from, *to]),
                EventKind::Assigned { assignee, group } => {
                    staff.extend(*assignee);
                    groups.extend(*group);
                }
                _ => {}
            }
        }
        let members = members.into_iter().map(|m| (ticket.tenant, m)).collect();
        self.display_names(members, staff, groups).await
    }

    /// The names of these members, staff and groups, by id, in one store call; unknown
    /// ids are left out.
    async fn display_names(
        &self,
        mut members: Vec<(TenantId, MemberId)>,
        mut staff: Vec<StaffId>,
        mut groups: Vec<crate::GroupId>,
    ) -> Result<BTreeMap<String, String>> {
        members.sort();
        members.dedup();
        staff.sort();
        staff.dedup();
        groups.sort();
        groups.dedup();
        if members.is_empty() && staff.is_empty() && groups.is_empty() {
            return Ok(BTreeMap::new());
        }
        self.store.names(&members, &staff, &groups).await
    }

    /// The metadata of one attachment `actor` may see: on a ticket they see, hanging on
    /// an event they may read. Anything else answers not found.
    pub async fn attachment(&self, actor: &Actor, id: AttachmentId) -> Result<Attachment> {
        ensure_active(actor)?;
        let found = match Self::known_tenants(actor) {
            Some(tenants) => self.store.attachment_among(tenants, id).await?,
            None => self.store.attachment(id).await?,
        };
        let attachment = found.ok_or(Error::NotFound(Entity::Attachment))?;
        let (ticket, _) = self
            .visible_ticket_in(actor, Some(attachment.tenant), attachment.ticket)
            .await
            .map_err(|e| match e {
                Error::NotFound(_) => Error::NotFound(Entity::Attachment),
                other => other,
            })?;
        let readable = self
            .store
            .timeline_in(ticket.tenant, ticket.id)
            .await?
            .iter()
            .any(|e| e.id == attachment.event && may_read_event(actor, e));
        if readable {
            Ok(attachment)
        } else {
            Err(Error::NotFound(Entity::Attachment))
        }
    }

    /// Searches the tickets `actor` may see: one page in the criteria's
    /// [`Sort`](crate::Sort) (newest opened first by default), how many tickets match in
    /// all, and the names of the page's requesters and assignees. A cursor issued under
    /// another sort is a validation error on `cursor`.
    pub async fn search(
        &self,
        actor: &Actor,
        criteria: SearchCriteria,
        page: PageRequest,
    ) -> Result<TicketList> {
        criteria.check()?;
        page.check()?;
        let scope = self.scope(actor).await?;
        let query = SearchQuery {
            scope,
            criteria,
            page,
            now: self.clock.now(),
            count: crate::Count::default(),
        };
        query.check_cursor()?;
        let found = self.store.search(&query).await?;
        let (total, total_exact) = found.total.shown();
        let members = found
            .tickets
            .iter()
            .map(|t| (t.tenant, t.requester))
            .collect();
        let staff = found.tickets.iter().filter_map(|t| t.assignee).collect();
        Ok(TicketList {
            names: self.display_names(members, staff, Vec::new()).await?,
            tickets: found
                .tickets
                .into_iter()
                .map(|t| observed_by(actor, t))
                .collect(),
            total,
            total_exact,
            next: found.next,
        })
    }

    /// The dashboard of the tickets `actor` may see, for one tenant or all they see, for
    /// one agent or all, over `months` months.
    pub async fn dashboard(
        &self,
        actor: &Actor,
        tenant: Option<TenantId>,
        assignee: Option<StaffId>,
        months: u32,
    ) -> Result<Dashboard> {
        let scope = self.scope(actor).await?;
        if let Some(t) = tenant {
            Self::ensure_in_tenant(actor, t)?;
        }
        let query = DashboardQuery {
            scope,
            tenant,
            assignee,
            months,
            now: self.clock.now(),
        };
        query.check()?;
        let mut dashboard = self.store.dashboard(&query).await?;
        dashboard.dead_letters = self.dead_letter_count(actor, tenant).await?;
        Ok(dashboard)
    }

    /// The dashboard per agent and per group [tableau de bord par agent, par groupe]:
    /// counts by status and satisfaction per assignee and per group, with their names,
    /// over the tickets `actor` may see, in one tenant or all they see. For supervisors
    /// and platform admins, every line of their scope; an agent gets only the tickets
    /// assigned to them (their own line, and the groups of those tickets). Members are
    /// refused ([`Forbidden::StaffOnly`]).
    pub async fn dashboard_breakdown(
        &self,
        actor: &Actor,
        tenant: Option<TenantId>,
    ) -> Result<Breakdown> {
        let scope = self.scope(actor).await?;
        let assignee = match actor {
            Actor::Member(_) => return Err(Forbidden::StaffOnly.into()),
            Actor::Staff(s) if !manages_staff(actor) => Some(s.id),
            _ => None,
        };
        if let Some(t) = tenant {
            Self::ensure_in_tenant(actor, t)?;
        }
        let query = DashboardQuery {
            scope,
            tenant,
            assignee,
            months: 1,
            now: self.clock.now(),
        };
        let mut breakdown = self.store.dashboard_breakdown(&query).await?;
        let staff = breakdown.by_agent.iter().filter_map(|l| l.agent).collect();
        let groups = breakdown.by_group.iter().filter_map(|l| l.group).collect();
        let names = self.display_names(Vec::new(), staff, groups).await?;
        for line in &mut breakdown.by_agent {
            if let Some(name) = line.agent.and_then(|id| names.get(&id.to_string())) {
                line.name = name.clone();
            }
        }
        for line in &mut breakdown.by_group {
            if let Some(name) = line.group.and_then(|id| names.get(&id.to_string())) {
                line.name = name.clone();
            }
        }
        breakdown.sort_lines();
        Ok(breakdown)
    }

    /// Saves `actor`'s search criteria under `name`.
    pub async fn save_search(
        &self,
        actor: &Actor,
        name: &str,
        criteria: SearchCriteria,
    ) -> Result<SavedSearch> {
        ensure_active(actor)?;
        criteria.check()?;
        let (owner, tenant) = Self::owner(actor)?;
        let saved = SavedSearch {
            id: SavedSearchId::new(),
            owner,
            tenant,
            name: SavedSearch::check_name(name)?,
            criteria,
            created_at: self.clock.now(),
        };
        self.store.insert_saved_search(&saved).await?;
        Ok(saved)
    }

    /// `actor`'s saved searches.
    pub async fn saved_searches(&self, actor: &Actor) -> Result<Vec<SavedSearch>> {
        ensure_active(actor)?;
        let (owner, tenant) = Self::owner(actor)?;
        self.store.saved_searches(&owner, tenant).await
    }

    /// Forgets one of `actor`'s saved searches [oublier les critères].
    pub async fn delete_saved_search(&self, actor: &Actor, id: SavedSearchId) -> Result<()> {
        ensure_active(actor)?;
        let (owner, tenant) = Self::owner(actor)?;
        if self.store.delete_saved_search(&owner, tenant, id).await? {
            Ok(())
        } else {
            Err(Error::NotFound(Entity::SavedSearch))
        }
    }

    fn owner(actor: &Actor) -> Result<(crate::UserId, Option<TenantId>)> {
        match actor {
            Actor::Member(m) => Ok((m.user.clone(), Some(m.tenant))),
            Actor::Staff(s) => Ok((s.user.clone(), None)),
            Actor::System => Err(Forbidden::RoleRequired.into()),
        }
    }

    /// Published articles of `tenant` that may answer a ticket about `subject`, best
    /// first [articles suggested while typing the subject]. With a subject of no words
    /// and a `category`, the category's frequently asked questions instead: its
    /// published articles, then its ancestors' (nearest first), each by title (see
    /// [`faq`](crate::knowledge::faq)). With neither, nothing.
    pub async fn kb_suggestions(
        &self,
        actor: &Actor,
        tenant: TenantId,
        subject: &str,
        category: Option<CategoryId>,
        limit: usize,
    ) -> Result<Vec<Article>> {
        Self::ensure_in_tenant(actor, tenant)?;
        let articles = self.store.articles(tenant).await?;
        let limit = limit.clamp(1, 20);
        let found = match category {
            Some(category) if words(subject).is_empty() => {
                let tree = self.store.categories(tenant).await?;
                faq(&articles, &ancestry(&tree, category), limit)
            }
            _ => suggest(&articles, subject, category, limit),
        };
        Ok(found.into_iter().cloned().collect())
    }
}
