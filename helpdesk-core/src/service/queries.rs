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
use crate::permissions::{
    administers, ensure_active, is_platform_admin, may_read_event, observed_by,
};
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    pub actions: Vec<crate::workflow::CommandName>,
    /// The display names of everyone the ticket and its visible timeline mention
    /// (requester, guests, assignee, authors, invited and reassigned members), by id.
    pub names: BTreeMap<String, String>,
}

/// One page of search results as a caller receives it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TicketList {
    /// The tickets, newest first.
    pub tickets: Vec<Ticket>,
    /// Where the next page starts, when more tickets follow; sent as an opaque string.
    #[serde(serialize_with = "crate::search::serialize_cursor")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
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

/// How a CSV export is written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CsvFormat {
    /// RFC 4180: comma-separated, no byte-order mark (`csv`, the default).
    #[default]
    Standard,
    /// For spreadsheets in French locales, which split on `;` and read UTF-8 only after
    /// a byte-order mark (`excel-fr`).
    ExcelFr,
}

impl CsvFormat {
    /// The name a request uses for this format (`csv`, `excel-fr`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Standard => "csv",
            Self::ExcelFr => "excel-fr",
        }
    }

    /// The cell separator.
    pub fn delimiter(self) -> char {
        match self {
            Self::Standard => ',',
            Self::ExcelFr => ';',
        }
    }

    /// What the file starts with: the UTF-8 byte-order mark for `excel-fr`.
    pub fn preamble(self) -> &'static str {
        match self {
            Self::Standard => "",
            Self::ExcelFr => "\u{FEFF}",
        }
    }
}

impl std::str::FromStr for CsvFormat {
    type Err = crate::error::ValidationError;

    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        match s {
            "csv" => Ok(Self::Standard),
            "excel-fr" => Ok(Self::ExcelFr),
            _ => Err(crate::error::ValidationError::new(
                "format",
                "use `csv` or `excel-fr`",
            )),
        }
    }
}

const EXPORT_HEADER: [&str; 12] = [
    "tenant",
    "number",
    "subject",
    "status",
    "priority",
    "category",
    "product",
    "requester",
    "assignee",
    "opened_at",
    "ended_at",
    "score",
];

/// The header line of an export in `format`, after the format's preamble.
pub fn csv_header(format: CsvFormat) -> String {
    let mut out = format.preamble().to_owned();
    out.push_str(&EXPORT_HEADER.join(&format.delimiter().to_string()));
    out.push_str("\r\n");
    out
}

/// One export row as a CSV line in `format`: every text cell quoted, cells a
/// spreadsheet could run as a formula defused with a leading `'`.
pub fn csv_line(row: &ExportRow, format: CsvFormat) -> String {
    let text = [
        &row.tenant,
        &row.subject,
        &row.status,
        &row.priority,
        &row.category,
        &row.product,
        &row.requester,
        &row.assignee,
    ]
    .map(|cell| quoted_cell(cell));
    let cells = [
        text[0].clone(),
        row.number.to_string(),
        text[1].clone(),
        text[2].clone(),
        text[3].clone(),
        text[4].clone(),
        text[5].clone(),
        text[6].clone(),
        text[7].clone(),
        quoted_cell(&row.opened_at.to_rfc3339()),
        quoted_cell(&row.ended_at.map(|t| t.to_rfc3339()).unwrap_or_default()),
        row.score.map(|s| s.to_string()).unwrap_or_default(),
    ];
    let mut line = cells.join(&format.delimiter().to_string());
    line.push_str("\r\n");
    line
}

/// Writes export rows as CSV (RFC 4180, comma-separated, a header line); see
/// [`csv_line`] for how cells are written. A large export is better streamed:
/// [`HelpdeskService::csv_export`].
pub fn export_csv(rows: &[ExportRow]) -> String {
    let mut out = csv_header(CsvFormat::Standard);
    for row in rows {
        out.push_str(&csv_line(row, CsvFormat::Standard));
    }
    out
}

/// A cell in double quotes, defused when a spreadsheet could read a formula in it: at
/// its start, or after a separator, a line break or whitespace inside it, whichever
/// separator the spreadsheet splits on.
fn quoted_cell(value: &str) -> String {
    let formula_at = |part: &str| part.trim_start().starts_with(['=', '+', '-', '@']);
    let defuse = value.starts_with(['\t', '\r'])
        || formula_at(value)
        || value
            .match_indices([';', ',', '\t', '\r', '\n'])
            .any(|(i, sep)| formula_at(&value[i + sep.len()..]));
    let prefix = if defuse { "'" } else { "" };
    format!("\"{prefix}{}\"", value.replace('"', "\"\""))
}

/// Walks the pages of an export's search, keeping the tickets picked by number.
#[derive(Debug)]
struct ExportPager {
    query: SearchQuery,
    numbers: Vec<TicketNumber>,
    done: bool,
}

impl ExportPager {
    async fn next_page(&mut self, store: &dyn crate::ports::Store) -> Result<Option<Vec<Ticket>>> {
        if self.done {
            return Ok(None);
        }
        let found = store.search(&self.query).await?;
        match found.next {
            Some(next) => self.query.page.after = Some(next),
            None => self.done = true,
        }
        Ok(Some(
            found
                .tickets
                .into_iter()
                .filter(|t| self.numbers.is_empty() || self.numbers.contains(&t.number))
                .collect(),
        ))
    }
}

fn too_many_rows() -> Error {
    Error::invalid(
        "criteria",
        format!("more than {MAX_EXPORT_ROWS} tickets: narrow the search"),
    )
}

/// The names an export row shows, loaded once per tenant as pages come.
#[derive(Debug, Default)]
struct RowNames {
    tenants: BTreeMap<TenantId, crate::tenant::Tenant>,
    names: BTreeMap<String, String>,
    staff: Option<BTreeMap<StaffId, String>>,
}

/// A CSV export written page by page, so a large one is never held in memory: the
/// header first, then one chunk per page of the search. Get one from
/// [`HelpdeskService::csv_export`] and call [`next_chunk`](Self::next_chunk) until it
/// answers `None`.
#[derive(Debug)]
pub struct CsvExport {
    service: HelpdeskService,
    pager: ExportPager,
    format: CsvFormat,
    names: RowNames,
    header_sent: bool,
    rows: usize,
}

impl CsvExport {
    /// The format the export is written in.
    pub fn format(&self) -> CsvFormat {
        self.format
    }

    /// The next piece of the file (the header, then one page of rows), or `None` when
    /// the export is complete. An error here means the file is incomplete: tickets
    /// added since the export was counted pushed it past [`MAX_EXPORT_ROWS`], or the
    /// store failed.
    pub async fn next_chunk(&mut self) -> Result<Option<String>> {
        if !self.header_sent {
            self.header_sent = true;
            return Ok(Some(csv_header(self.format)));
        }
        let Some(tickets) = self.pager.next_page(self.service.store.as_ref()).await? else {
            return Ok(None);
        };
        self.rows += tickets.len();
        if self.rows > MAX_EXPORT_ROWS {
            self.pager.done = true;
            return Err(too_many_rows());
        }
        let rows = self.service.rows_for(&mut self.names, tickets).await?;
        Ok(Some(
            rows.iter()
                .map(|row| csv_line(row, self.format))
                .collect::<String>(),
        ))
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
            tickets: found
                .tickets
                .into_iter()
                .map(|t| observed_by(actor, t))
                .collect(),
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
        let mut pager = self.export_pager(actor, criteria, numbers).await?;
        let mut tickets = Vec::new();
        while let Some(page) = pager.next_page(self.store.as_ref()).await? {
            tickets.extend(page);
            if tickets.len() > MAX_EXPORT_ROWS {
                return Err(too_many_rows());
            }
        }
        self.rows_for(&mut RowNames::default(), tickets).await
    }

    /// The export of [`export`](Self::export) as CSV in `format`, streamed: the same
    /// people may export the same tickets, and an export of more than
    /// [`MAX_EXPORT_ROWS`] tickets is refused here, before the first byte (the
    /// matching tickets are counted page by page first, without being kept).
    pub async fn csv_export(
        &self,
        actor: &Actor,
        criteria: SearchCriteria,
        numbers: &[TicketNumber],
        format: CsvFormat,
    ) -> Result<CsvExport> {
        let pager = self.export_pager(actor, criteria, numbers).await?;
        let mut counting = ExportPager {
            query: pager.query.clone(),
            numbers: pager.numbers.clone(),
            done: false,
        };
        let mut count = 0;
        while let Some(page) = counting.next_page(self.store.as_ref()).await? {
            count += page.len();
            if count > MAX_EXPORT_ROWS {
                return Err(too_many_rows());
            }
        }
        Ok(CsvExport {
            service: self.clone(),
            pager,
            format,
            names: RowNames::default(),
            header_sent: false,
            rows: 0,
        })
    }

    /// Checks who exports what, and the pages to read.
    async fn export_pager(
        &self,
        actor: &Actor,
        criteria: SearchCriteria,
        numbers: &[TicketNumber],
    ) -> Result<ExportPager> {
        let allowed = is_platform_admin(actor)
            || matches!(actor, Actor::Member(m) if administers(actor, m.tenant));
        Self::require(allowed, Forbidden::RoleRequired)?;
        criteria.check()?;
        let scope = self.scope(actor).await?;
        Ok(ExportPager {
            query: SearchQuery {
                scope,
                criteria,
                page: PageRequest {
                    limit: MAX_PAGE_SIZE,
                    after: None,
                },
                now: self.clock.now(),
            },
            numbers: numbers.to_vec(),
            done: false,
        })
    }

    async fn rows_for(&self, cache: &mut RowNames, tickets: Vec<Ticket>) -> Result<Vec<ExportRow>> {
        let staff = match cache.staff.take() {
            Some(staff) => staff,
            None => self
                .store
                .all_staff()
                .await?
                .into_iter()
                .map(|s| (s.id, s.display_name))
                .collect(),
        };
        let RowNames {
            tenants,
            names,
            staff: cached_staff,
        } = cache;
        let staff = cached_staff.insert(staff);
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
    fn csv_quotes_every_text_cell_and_defuses_formulas() {
        assert_eq!(quoted_cell("plain"), "\"plain\"");
        assert_eq!(quoted_cell("a,b"), "\"a,b\"");
        assert_eq!(quoted_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(
            quoted_cell("=HYPERLINK(\"x\")"),
            "\"'=HYPERLINK(\"\"x\"\")\""
        );
        for formula in [
            "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", "  =1", "\u{a0}=1", "x;=1", "x,=1", "x\n=1",
            "x; @1", "a;b;-2",
        ] {
            assert!(quoted_cell(formula).starts_with("\"'"), "{formula:?}");
        }
        assert_eq!(
            quoted_cell("x - y"),
            "\"x - y\"",
            "an inner dash after a space is text"
        );
    }
}
