//! Exporting tickets: the rows, their CSV form, and the paged export an exporter streams.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::error::{Error, Forbidden, Result};
use crate::ids::{CategoryId, StaffId, TenantId, TicketNumber};
use crate::people::Actor;
use crate::permissions::{administers, is_platform_admin};
use crate::search::{Count, MAX_PAGE_SIZE, PageRequest, SearchCriteria, SearchQuery, Total};
use crate::ticket::{Closure, Ticket, TicketState};

use super::HelpdeskService;

/// The most rows one export holds.
pub const MAX_EXPORT_ROWS: usize = 50_000;

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

/// How many different numbers were picked.
fn picked(numbers: &[TicketNumber]) -> usize {
    numbers
        .iter()
        .collect::<std::collections::BTreeSet<_>>()
        .len()
}

fn too_many_rows() -> Error {
    Error::invalid(
        "criteria",
        format!("more than {MAX_EXPORT_ROWS} tickets: narrow the search"),
    )
}

/// The names an export row shows: each tenant's record and catalog (categories,
/// products) loaded once as pages come, the staff once. Requesters' names are read
/// page by page, for the page's requesters only: a tenant's whole directory of members
/// (20,000 of them in the bench's tenant of a million tickets) cost a 30 MB peak.
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
    /// [`MAX_EXPORT_ROWS`] tickets is refused here, before the first byte. The matching
    /// tickets are counted once, up to [`MAX_EXPORT_ROWS`] and no further; the pages
    /// that follow are read without a count. An export of picked `numbers` across
    /// several tenants (a number is unique in its tenant only) is counted page by page
    /// first, without keeping the tickets.
    pub async fn csv_export(
        &self,
        actor: &Actor,
        criteria: SearchCriteria,
        numbers: &[TicketNumber],
        format: CsvFormat,
    ) -> Result<CsvExport> {
        let one_tenant = criteria.tenant.is_some() || matches!(actor, Actor::Member(_));
        let pager = self.export_pager(actor, criteria, numbers).await?;
        if numbers.is_empty() {
            let mut probe = pager.query.clone();
            probe.count = Count::UpTo(MAX_EXPORT_ROWS as u64);
            probe.page.limit = 1;
            let found = self.store.search(&probe).await?;
            if !matches!(found.total, Total::Exact(_)) {
                return Err(too_many_rows());
            }
        } else if !one_tenant || picked(numbers) > MAX_EXPORT_ROWS {
            self.count_export(&pager).await?;
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

    /// Walks the export's pages without keeping them, refusing more than
    /// [`MAX_EXPORT_ROWS`] rows.
    async fn count_export(&self, pager: &ExportPager) -> Result<()> {
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
        Ok(())
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
                // Every page is read: no total needed.
                count: Count::Skip,
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
        let mut requesters: Vec<_> = tickets.iter().map(|t| (t.tenant, t.requester)).collect();
        requesters.sort();
        requesters.dedup();
        let people = self.store.names(&requesters, &[], &[]).await?;
        let mut rows = Vec::with_capacity(tickets.len());
        for t in tickets {
            if let std::collections::btree_map::Entry::Vacant(e) = tenants.entry(t.tenant) {
                let tenant = self.tenant_record(t.tenant).await?;
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
                requester: people
                    .get(&t.requester.to_string())
                    .cloned()
                    .unwrap_or_default(),
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
