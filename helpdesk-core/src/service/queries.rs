//! The read use cases: one ticket with its visible timeline, search, dashboard, export,
//! saved searches and knowledge-base suggestions.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::attachment::Attachment;
use crate::dashboard::{Dashboard, DashboardQuery};
use crate::error::{Entity, Error, Forbidden, Result};
use crate::ids::{
    AttachmentId, CategoryId, SavedSearchId, StaffId, TenantId, TicketId, TicketNumber,
};
use crate::knowledge::{Article, suggest};
use crate::people::Actor;
use crate::permissions::{administers, ensure_active, is_platform_admin, may_read_event};
use crate::search::{MAX_PAGE_SIZE, PageRequest, SavedSearch, SearchCriteria, SearchQuery};
use crate::ticket::{Closure, Ticket, TicketState};
use crate::timeline::{EventKind, TimelineEvent};
use crate::{ActorRef, MemberId};

use super::HelpdeskService;

/// The most rows one export holds.
pub const MAX_EXPORT_ROWS: usize = 50_000;

/// A ticket as one actor may see it: internal notes and their attachments are left out
/// for requesters and guests.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TicketView {
    /// The ticket.
    pub ticket: Ticket,
    /// The status in the tenant's default language.
    pub status_label: String,
    /// The events this actor may read, oldest first.
    pub timeline: Vec<TimelineEvent>,
    /// The attachments of those events.
    pub attachments: Vec<Attachment>,
    /// The commands this actor may run now (see
    /// [`HelpdeskService::available_actions`]).
    pub actions: Vec<&'static str>,
    /// The display names of everyone the ticket and its visible timeline mention
    /// (requester, guests, assignee, authors, invited and reassigned members), by id.
    pub names: BTreeMap<String, String>,
}

/// One page of search results as a caller receives it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TicketList {
    /// The tickets, newest first.
    pub tickets: Vec<Ticket>,
    /// Where the next page starts, when more tickets follow; sent as an opaque string.
    #[serde(serialize_with = "crate::search::serialize_cursor")]
    pub next: Option<crate::Cursor>,
    /// The display names of the tickets' requesters and assignees, by id.
    pub names: BTreeMap<String, String>,
}

/// One row of a CSV export \[exporter\].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ExportRow {
    /// The tenant's slug.
    pub tenant: String,
    /// The ticket number.
    pub number: TicketNumber,
    /// The subject.
    pub subject: String,
    /// The status, as labelled by the tenant in its default language.
    pub status: String,
    /// The priority.
    pub priority: String,
    /// The category's name.
    pub category: String,
    /// The product's name.
    pub product: String,
    /// The requester's name.
    pub requester: String,
    /// The assignee's name.
    pub assignee: String,
    /// When it was opened.
    pub opened_at: DateTime<Utc>,
    /// When it was closed or cancelled.
    pub ended_at: Option<DateTime<Utc>>,
    /// The overall satisfaction score, when the closure was approved with one.
    pub score: Option<u8>,
}

/// Writes export rows as CSV (RFC 4180, comma-separated, a header line). Cells that a
/// spreadsheet would run as a formula are prefixed with a quote.
pub fn export_csv(rows: &[ExportRow]) -> String {
    let mut out = String::from(
        "tenant,number,subject,status,priority,category,product,requester,assignee,opened_at,ended_at,score\r\n",
    );
    for r in rows {
        let cells = [
            r.tenant.clone(),
            r.number.to_string(),
            r.subject.clone(),
            r.status.clone(),
            r.priority.clone(),
            r.category.clone(),
            r.product.clone(),
            r.requester.clone(),
            r.assignee.clone(),
            r.opened_at.to_rfc3339(),
            r.ended_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
            r.score.map(|s| s.to_string()).unwrap_or_default(),
        ];
        let line: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
}

fn csv_cell(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
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
        let (ticket, tenant) = self.visible_ticket(actor, ticket.id).await?;
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
            .timeline(ticket.id)
            .await?
            .into_iter()
            .filter(|e| may_read_event(actor, e))
            .collect();
        let attachments = self
            .store
            .attachments(ticket.id)
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
        Ok(TicketView {
            names,
            status_label: tenant
                .settings
                .label(ticket.status(), &tenant.settings.default_language)
                .to_owned(),
            ticket,
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
        for event in timeline {
            match event.author {
                ActorRef::Member(m) => members.push(m),
                ActorRef::Staff(s) => staff.push(s),
                ActorRef::System => {}
            }
            match &event.kind {
                EventKind::GuestInvited { guest } => members.push(*guest),
                EventKind::RequesterReassigned { from, to } => members.extend([*from, *to]),
                EventKind::Assigned { assignee, .. } => staff.extend(*assignee),
                _ => {}
            }
        }
        let members = members.into_iter().map(|m| (ticket.tenant, m)).collect();
        self.display_names(members, staff).await
    }

    /// The display names of these members and staff, by id; unknown ids are left out.
    async fn display_names(
        &self,
        mut members: Vec<(TenantId, MemberId)>,
        mut staff: Vec<StaffId>,
    ) -> Result<BTreeMap<String, String>> {
        members.sort();
        members.dedup();
        staff.sort();
        staff.dedup();
        let mut names = BTreeMap::new();
        for (tenant, id) in members {
            if let Some(m) = self.store.member(tenant, id).await? {
                names.insert(id.to_string(), m.display_name);
            }
        }
        for id in staff {
            if let Some(s) = self.store.staff(id).await? {
                names.insert(id.to_string(), s.display_name);
            }
        }
        Ok(names)
    }

    /// The metadata of one attachment `actor` may see: on a ticket they see, hanging on
    /// an event they may read. Anything else answers not found.
    pub async fn attachment(&self, actor: &Actor, id: AttachmentId) -> Result<Attachment> {
        ensure_active(actor)?;
        let attachment = self
            .store
            .attachment(id)
            .await?
            .ok_or(Error::NotFound(Entity::Attachment))?;
        let (ticket, _) = self
            .visible_ticket(actor, attachment.ticket)
            .await
            .map_err(|e| match e {
                Error::NotFound(_) => Error::NotFound(Entity::Attachment),
                other => other,
            })?;
        let readable = self
            .store
            .timeline(ticket.id)
            .await?
            .iter()
            .any(|e| e.id == attachment.event && may_read_event(actor, e));
        if readable {
            Ok(attachment)
        } else {
            Err(Error::NotFound(Entity::Attachment))
        }
    }

    /// Searches the tickets `actor` may see: one page, newest first, with the names of
    /// their requesters and assignees.
    pub async fn search(
        &self,
        actor: &Actor,
        criteria: SearchCriteria,
        page: PageRequest,
    ) -> Result<TicketList> {
        criteria.check()?;
        page.check()?;
        let scope = self.scope(actor).await?;
        let found = self
            .store
            .search(&SearchQuery {
                scope,
                criteria,
                page,
                now: self.clock.now(),
            })
            .await?;
        let members = found
            .tickets
            .iter()
            .map(|t| (t.tenant, t.requester))
            .collect();
        let staff = found.tickets.iter().filter_map(|t| t.assignee).collect();
        Ok(TicketList {
            names: self.display_names(members, staff).await?,
            tickets: found.tickets,
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
        self.store.dashboard(&query).await
    }

    /// Export rows for the tickets matching `criteria` (tenant admins: their tenant;
    /// platform admins: any), or only those numbered in `numbers` when it is not empty
    /// [cochez les cases des fichiers à exporter].
    pub async fn export(
        &self,
        actor: &Actor,
        criteria: SearchCriteria,
        numbers: &[TicketNumber],
    ) -> Result<Vec<ExportRow>> {
        let allowed = is_platform_admin(actor)
            || matches!(actor, Actor::Member(m) if administers(actor, m.tenant));
        Self::require(allowed, Forbidden::RoleRequired)?;
        criteria.check()?;
        let scope = self.scope(actor).await?;
        let now = self.clock.now();
        let mut tickets = Vec::new();
        let mut page = PageRequest {
            limit: MAX_PAGE_SIZE,
            after: None,
        };
        loop {
            let found = self
                .store
                .search(&SearchQuery {
                    scope: scope.clone(),
                    criteria: criteria.clone(),
                    page,
                    now,
                })
                .await?;
            tickets.extend(
                found
                    .tickets
                    .into_iter()
                    .filter(|t| numbers.is_empty() || numbers.contains(&t.number)),
            );
            if tickets.len() > MAX_EXPORT_ROWS {
                return Err(Error::invalid(
                    "criteria",
                    format!("more than {MAX_EXPORT_ROWS} tickets: narrow the search"),
                ));
            }
            match found.next {
                Some(next) => page.after = Some(next),
                None => break,
            }
        }
        self.export_rows(tickets).await
    }

    async fn export_rows(&self, tickets: Vec<Ticket>) -> Result<Vec<ExportRow>> {
        let mut tenants = BTreeMap::new();
        let mut names: BTreeMap<String, String> = BTreeMap::new();
        let staff: BTreeMap<StaffId, String> = self
            .store
            .all_staff()
            .await?
            .into_iter()
            .map(|s| (s.id, s.display_name))
            .collect();
        let mut rows = Vec::with_capacity(tickets.len());
        for t in tickets {
            if let std::collections::btree_map::Entry::Vacant(e) = tenants.entry(t.tenant) {
                let tenant = self.tenant_record(t.tenant).await?;
                for m in self.store.members(t.tenant).await? {
                    names.insert(m.id.to_string(), m.display_name);
                }
                for c in self.store.categories(t.tenant).await? {
                    names.insert(c.id.to_string(), c.name);
                }
                for p in self.store.products(t.tenant).await? {
                    names.insert(p.id.to_string(), p.name);
                }
                e.insert(tenant);
            }
            let tenant = &tenants[&t.tenant];
            let name = |id: Option<String>| {
                id.and_then(|id| names.get(&id).cloned())
                    .unwrap_or_default()
            };
            let score =
                match &t.state {
                    TicketState::Closed {
                        closure: Closure::Approved { answers, .. },
                        ..
                    } => tenant.settings.questionnaire.score_key().and_then(|k| {
                        match answers.get(k) {
                            Some(crate::Answer::Score(s)) => Some(*s),
                            _ => None,
                        }
                    }),
                    _ => None,
                };
            rows.push(ExportRow {
                tenant: tenant.slug.clone(),
                number: t.number,
                subject: t.subject.clone(),
                status: tenant
                    .settings
                    .label(t.status(), &tenant.settings.default_language)
                    .to_owned(),
                priority: t.priority.to_string(),
                category: name(t.category.map(|c: CategoryId| c.to_string())),
                product: name(t.product.map(|p| p.to_string())),
                requester: name(Some(t.requester.to_string())),
                assignee: t
                    .assignee
                    .and_then(|a| staff.get(&a).cloned())
                    .unwrap_or_default(),
                opened_at: t.created_at,
                ended_at: t.ended_at(),
                score,
            });
        }
        Ok(rows)
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
        let (owner, _) = Self::owner(actor)?;
        if self.store.delete_saved_search(&owner, id).await? {
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
    /// first [articles suggested while typing the subject].
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
        Ok(suggest(&articles, subject, category, limit.clamp(1, 20))
            .into_iter()
            .cloned()
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_separators_and_defuses_formulas() {
        assert_eq!(csv_cell("plain"), "plain");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
    }
}
