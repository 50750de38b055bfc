//! Reads at scale: every read issue 12 lists, through `HelpdeskService` (what a host
//! calls), at 10k, 100k (and 1M, opt-in) tickets, on SQLite (a file, WAL) and on
//! PostgreSQL when `HELPDESK_TEST_POSTGRES_URL` is set: p50 and p99 per query, its ratio
//! to a same-run baseline (`store.ticket_in(tenant, id)`, one lookup by primary key at
//! the store port), and its growth from one size to the next (flat: an index carries
//! it; ×10: the database reads every ticket of the tenant).
//!
//! ```text
//! cargo bench -p helpdesk-benches --bench scale                      # both, 10k and 100k
//! cargo bench -p helpdesk-benches --bench scale -- sqlite            # or postgres
//! HELPDESK_SCALE_SIZES=10000,100000,1000000 cargo bench ... --bench scale
//! HELPDESK_SCALE_TENANTS=100 HELPDESK_SCALE_SIZES=10000 cargo bench ... --bench scale
//! HELPDESK_SCALE_CASES=dashboard,list,export cargo bench ... --bench scale
//! ```
//!
//! `HELPDESK_SCALE_CASES`: the baseline and the cases whose label (lower case) has one of
//! its comma-separated words (`contains`, `saved`, `dashboard`, `list`; the CSV export
//! only when one of them is `export`).
//! `HELPDESK_SCALE_SIZES` are tickets per tenant; `HELPDESK_SCALE_TENANTS` tenants of that
//! size (default 1; the queries run in the first tenant). Each size is a fresh database
//! filled by [`generate`] (people through the service, tickets with
//! `import_tickets` in transactions of 5,000, generated on another thread meanwhile);
//! seeding times are printed. PostgreSQL is measured twice per size: first without
//! planner statistics (autovacuum off for the tables, as on a fresh production table),
//! then after `ANALYZE`; at the largest size the plans of the key queries are printed
//! with `EXPLAIN (ANALYZE, BUFFERS)`, both times. With `HELPDESK_SCALE_PLANS` set, SQLite's
//! `EXPLAIN QUERY PLAN` of every search case is printed after seeding.
//!
//! `HELPDESK_SCALE_REUSE=helpdesk_bench_...` measures a PostgreSQL database an earlier
//! run kept (`HELPDESK_BENCH_KEEP_DATABASE=1`), at the one size it was seeded with,
//! without seeding it again: its statistics forgotten first, then taken again.
//! `HELPDESK_SCALE_REUSE=/path/to/scale.db` does the same with a kept SQLite file (run
//! with `-- sqlite`).
//!
//! `HELPDESK_SCALE_VACUUM=1` measures PostgreSQL a third time, after `VACUUM (ANALYZE)`:
//! what a database with autovacuum on (the default) reads once it has caught up, index-only
//! scans answered from the visibility map. A kept database stays vacuumed: its visibility
//! map is not forgotten with its statistics, so a later reuse of it has no fresh-import
//! phase any more.
//!
//! `HELPDESK_SCALE_HTTP=1` measures the JSON routes too, after each measure through the
//! service: some of the same reads through `helpdesk-axum` on a local port, one
//! connection then eight ([`http`]).
//!
//! Samples: interleaved rounds over every case; per round a case gets as many samples as
//! fit in about 2.5 s (5 to 50), so slow queries at 1M keep the run finite; the sample
//! count is printed beside p99.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use helpdesk_benches::BenchResult;
use helpdesk_benches::generate::{self, TenantPeople};
use helpdesk_benches::machine;
use helpdesk_benches::postgres::{self, BenchDatabase};
use helpdesk_benches::timing::Samples;
use helpdesk_core::search::SlaFilter;
use helpdesk_core::{
    Actor, CsvFormat, Cursor, HelpdeskService, ManualClock, PageRequest, Priority, SearchCriteria,
    Sort, SortValue, Status, Store, Ticket, TicketId, UserId,
};
use helpdesk_sqlx::{ImportedTicket, PostgresStore, SqliteStore};

#[path = "scale/http.rs"]
mod http;
#[path = "scale/plans.rs"]
mod plans;
#[path = "scale/report.rs"]
mod report;
#[path = "scale/reuse.rs"]
mod reuse;
#[path = "scale/vacuum.rs"]
mod vacuum;

const SEED: u64 = 2026;
/// Tickets per `import_tickets` call (one transaction).
const BATCH: usize = 5_000;
const ROUNDS: usize = 4;
/// Time per case and round, roughly.
const BUDGET: Duration = Duration::from_millis(2_500);

/// The queries timed, in table order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Case {
    Baseline,
    ListAdmin,
    ListAgent,
    ListSupervisor,
    ListRequester,
    OwnHeavy,
    Guest,
    Waiting,
    Closed,
    Priority,
    Category,
    Assignee,
    Group,
    Requester,
    Opened,
    Updated,
    SlaBreached,
    SlaDueSoon,
    ContainsCommon,
    ContainsTwo,
    ContainsRare,
    ContainsAbsent,
    ContainsOwn,
    ContainsAgent,
    DeepPage,
    SavedSearch,
    DashboardAdmin,
    DashboardAgent,
    Breakdown,
}

const CASES: [(Case, &str); 29] = [
    (Case::Baseline, "`store.ticket_in(tenant, id)` (baseline)"),
    (Case::ListAdmin, "list page, tenant admin (open, 50)"),
    (Case::ListAgent, "list page, agent (own + group + unrouted)"),
    (Case::ListSupervisor, "list page, supervisor"),
    (
        Case::ListRequester,
        "requester's own, incl. closed (light, ~45)",
    ),
    (Case::OwnHeavy, "requester's own, incl. closed (heavy, 2%)"),
    (Case::Guest, "tickets I'm a guest on, incl. closed (20)"),
    (Case::Waiting, "status = waiting on requester"),
    (Case::Closed, "status = closed (not archived)"),
    (Case::Priority, "priority = blocking, incl. closed"),
    (Case::Category, "category, incl. closed"),
    (Case::Assignee, "assignee, incl. closed (supervisor)"),
    (Case::Group, "group, incl. closed (supervisor)"),
    (Case::Requester, "requester = heavy, incl. closed"),
    (Case::Opened, "opened in one month a year ago, all"),
    (Case::Updated, "updated in the last 7 days, incl. closed"),
    (Case::SlaBreached, "sla = breached"),
    (Case::SlaDueSoon, "sla = due soon"),
    (
        Case::ContainsCommon,
        "contains \"imprimante\" (common), incl. closed",
    ),
    (
        Case::ContainsTwo,
        "contains \"ecran demarrage\", incl. closed",
    ),
    (
        Case::ContainsRare,
        "contains \"dossierNNNNNNN\" (1 ticket), all",
    ),
    (Case::ContainsAbsent, "contains \"zzyzx\" (none), all"),
    (
        Case::ContainsOwn,
        "contains \"imprimante\", requester's own (heavy), incl. closed",
    ),
    (
        Case::ContainsAgent,
        "contains \"imprimante\", agent (own + group + unrouted)",
    ),
    (Case::DeepPage, "page from a cursor halfway down, all"),
    (Case::SavedSearch, "saved search (list + run it)"),
    (Case::DashboardAdmin, "dashboard, 12 months (admin)"),
    (Case::DashboardAgent, "dashboard, 12 months (agent, own)"),
    (
        Case::Breakdown,
        "dashboard per agent and group (supervisor)",
    ),
];

/// The criteria of the admin's saved search: the urgent tickets not yet answered or in
/// progress.
fn saved_criteria(people: &TenantPeople) -> SearchCriteria {
    SearchCriteria {
        tenant: Some(people.tenant),
        priorities: vec![Priority::High, Priority::Blocking],
        statuses: vec![Status::New, Status::InProgress],
        ..Default::default()
    }
}

/// The words of `HELPDESK_SCALE_CASES`; none when it is unset (every case).
fn case_filter() -> Vec<String> {
    helpdesk_benches::case_filter("HELPDESK_SCALE_CASES")
}

/// Whether the case is measured: the baseline always, the others as the filter says.
fn selected(case: Case, label: &str) -> bool {
    case == Case::Baseline || helpdesk_benches::kept(&case_filter(), label)
}

/// Whether the CSV export is measured: with every case, or when the filter names it.
fn export_selected() -> bool {
    let filter = case_filter();
    filter.is_empty() || filter.iter().any(|w| w == "export")
}

/// One seeded database, ready to be measured.
struct Fixture {
    store: Arc<dyn Store>,
    service: HelpdeskService,
    now: DateTime<Utc>,
    people: TenantPeople,
    admin: Actor,
    agent: Actor,
    supervisor: Actor,
    light: Actor,
    heavy: Actor,
    guest: Actor,
    /// Every thousandth ticket, for the baseline.
    sample: Vec<TicketId>,
    /// The ticket halfway down, for the rare word and the deep page.
    middle: Ticket,
}

/// What seeding took.
struct Seeding {
    tickets: usize,
    people: Duration,
    import: Duration,
}

async fn member_actor(
    store: &dyn Store,
    people: &TenantPeople,
    id: helpdesk_core::MemberId,
) -> BenchResult<Actor> {
    let m = store.member(people.tenant, id).await?.ok_or("member")?;
    Ok(Actor::Member(m))
}

/// Fills `store` with `tenants` tenants of `size` tickets and builds the fixture for
/// the first. `import` writes one batch.
async fn seed<F>(
    store: Arc<dyn Store>,
    now: DateTime<Utc>,
    tenants: usize,
    size: usize,
    import: F,
) -> BenchResult<(Fixture, Seeding)>
where
    F: AsyncFn(Vec<ImportedTicket>) -> BenchResult,
{
    let began = Instant::now();
    let service = HelpdeskService::new(store.clone()).with_clock(Arc::new(ManualClock::new(now)));
    let root = service
        .bootstrap_platform_admin(&UserId::new("root")?, "Root")
        .await?;
    let groups = generate::groups(&service, &root).await?;
    let agents = if tenants == 1 { 12 } else { 3 };
    let mut all = Vec::new();
    for t in 0..tenants {
        let slug = format!("t{t:03}");
        all.push(generate::tenant(&service, &root, &groups, &slug, size, agents).await?);
    }
    let people_took = began.elapsed();
    let began = Instant::now();
    // Tickets are generated on another thread while the previous batch is written.
    let (send, receive) = std::sync::mpsc::sync_channel::<Vec<ImportedTicket>>(2);
    let generating = all.clone();
    let producer = std::thread::spawn(move || {
        for people in &generating {
            for start in (0..size).step_by(BATCH) {
                let batch = (start..(start + BATCH).min(size))
                    .map(|i| generate::ticket(people, SEED, i, now))
                    .collect();
                if send.send(batch).is_err() {
                    return;
                }
            }
        }
    });
    let mut sample = Vec::new();
    let mut imported = 0;
    while let Ok(batch) = tokio::task::block_in_place(|| receive.recv()) {
        for (k, t) in batch.iter().enumerate() {
            if (imported + k) % 1000 == 0 && t.ticket.tenant == all[0].tenant {
                sample.push(t.ticket.id);
            }
        }
        imported += batch.len();
        import(batch).await?;
        if imported % 100_000 == 0 {
            eprintln!(
                "    {imported} tickets in {:.0} s",
                began.elapsed().as_secs_f64()
            );
        }
    }
    producer.join().map_err(|_| "the generator panicked")?;
    let import_took = began.elapsed();
    let people = all.swap_remove(0);
    let middle = generate::ticket(&people, SEED, size / 2, now).ticket;
    service
        .save_search(&people.admin, "Urgents en cours", saved_criteria(&people))
        .await?;
    let fixture = Fixture::new(store, service, now, people, sample, middle).await?;
    Ok((
        fixture,
        Seeding {
            tickets: imported,
            people: people_took,
            import: import_took,
        },
    ))
}

impl Fixture {
    /// The fixture of `people`'s tenant, its actors read from `store`.
    async fn new(
        store: Arc<dyn Store>,
        service: HelpdeskService,
        now: DateTime<Utc>,
        people: TenantPeople,
        sample: Vec<TicketId>,
        middle: Ticket,
    ) -> BenchResult<Self> {
        let admin = people.admin.clone();
        let supervisor = people.supervisor.clone();
        let agent = Actor::Staff(store.staff(people.agents[0].0).await?.ok_or("agent")?);
        let light = member_actor(store.as_ref(), &people, people.light()).await?;
        let heavy = member_actor(store.as_ref(), &people, people.requesters[0]).await?;
        let guest = member_actor(store.as_ref(), &people, people.guest).await?;
        Ok(Self {
            store,
            service,
            now,
            people,
            admin,
            agent,
            supervisor,
            light,
            heavy,
            guest,
            sample,
            middle,
        })
    }

    /// The actor, criteria and page of a search case.
    fn query(&self, case: Case) -> (&Actor, SearchCriteria, PageRequest) {
        let tenant = Some(self.people.tenant);
        let base = SearchCriteria {
            tenant,
            ..Default::default()
        };
        let closed = SearchCriteria {
            include_closed: true,
            ..base.clone()
        };
        let all = SearchCriteria {
            include_archived: true,
            ..closed.clone()
        };
        let (agent, group) = self.people.agents[0];
        let page = PageRequest::default();
        let c = |criteria| (&self.admin, criteria, page.clone());
        match case {
            Case::ListAgent => (&self.agent, base, page),
            Case::ListSupervisor => (&self.supervisor, base, page),
            Case::ListRequester => (&self.light, closed, page),
            Case::OwnHeavy => (&self.heavy, closed, page),
            Case::Guest => (&self.guest, closed, page),
            Case::Waiting => c(SearchCriteria {
                statuses: vec![Status::WaitingOnRequester],
                ..base
            }),
            Case::Closed => c(SearchCriteria {
                statuses: vec![Status::Closed],
                ..base
            }),
            Case::Priority => c(SearchCriteria {
                priorities: vec![Priority::Blocking],
                ..closed
            }),
            Case::Category => c(SearchCriteria {
                categories: vec![self.people.categories[3].0],
                ..closed
            }),
            Case::Assignee => (
                &self.supervisor,
                SearchCriteria {
                    assignee: Some(agent),
                    ..closed
                },
                page,
            ),
            Case::Group => (
                &self.supervisor,
                SearchCriteria {
                    group: Some(group),
                    ..closed
                },
                page,
            ),
            Case::Requester => c(SearchCriteria {
                requester: Some(self.people.requesters[0]),
                ..closed
            }),
            Case::Opened => c(SearchCriteria {
                opened_from: Some(self.now - chrono::Duration::days(395)),
                opened_to: Some(self.now - chrono::Duration::days(365)),
                ..all
            }),
            Case::Updated => c(SearchCriteria {
                updated_from: Some(self.now - chrono::Duration::days(7)),
                ..closed
            }),
            Case::SlaBreached => c(SearchCriteria {
                sla: Some(SlaFilter::Breached),
                ..base
            }),
            Case::SlaDueSoon => c(SearchCriteria {
                sla: Some(SlaFilter::DueSoon),
                ..base
            }),
            Case::ContainsCommon => c(SearchCriteria {
                contains: Some("imprimante".into()),
                ..closed
            }),
            Case::ContainsTwo => c(SearchCriteria {
                contains: Some("ecran demarrage".into()),
                ..closed
            }),
            Case::ContainsRare => c(SearchCriteria {
                contains: Some(format!("dossier{:07}", self.middle.number.get())),
                ..all
            }),
            Case::ContainsAbsent => c(SearchCriteria {
                contains: Some("zzyzx".into()),
                ..all
            }),
            Case::ContainsOwn => (
                &self.heavy,
                SearchCriteria {
                    contains: Some("imprimante".into()),
                    ..closed
                },
                page,
            ),
            Case::ContainsAgent => (
                &self.agent,
                SearchCriteria {
                    contains: Some("imprimante".into()),
                    ..base
                },
                page,
            ),
            Case::DeepPage => (
                &self.admin,
                all,
                PageRequest {
                    after: Some(Cursor {
                        sort: Sort::default(),
                        value: SortValue::At(self.middle.created_at),
                        id: self.middle.id,
                    }),
                    ..page
                },
            ),
            Case::SavedSearch => c(saved_criteria(&self.people)),
            _ => c(base),
        }
    }

    /// Runs one case once; answers how many tickets it found (or counted).
    async fn run(&self, case: Case, k: usize) -> BenchResult<u64> {
        let s = &self.service;
        let tenant = Some(self.people.tenant);
        let opened =
            |d: helpdesk_core::Dashboard| d.opened_per_month.iter().map(|m| m.opened).sum();
        Ok(match case {
            Case::Baseline => {
                let id = self.sample[k % self.sample.len()];
                // By its key: one statement (`ticket(id)` reads the tenant by id first
                // since migration 18).
                let tenant = self.people.tenant;
                u64::from(self.store.ticket_in(tenant, id).await?.is_some())
            }
            Case::SavedSearch => {
                let saved = s.saved_searches(&self.admin).await?;
                let criteria = saved.first().ok_or("saved search")?.criteria.clone();
                s.search(&self.admin, criteria, PageRequest::default())
                    .await?
                    .total
            }
            Case::DashboardAdmin => opened(s.dashboard(&self.admin, tenant, None, 12).await?),
            Case::DashboardAgent => {
                let Actor::Staff(agent) = &self.agent else {
                    return Err("agent".into());
                };
                opened(s.dashboard(&self.agent, tenant, Some(agent.id), 12).await?)
            }
            Case::Breakdown => s
                .dashboard_breakdown(&self.supervisor, tenant)
                .await?
                .by_agent
                .len() as u64,
            _ => {
                let (actor, criteria, page) = self.query(case);
                let found = s.search(actor, criteria, page).await?;
                if found.tickets.is_empty() {
                    0
                } else {
                    found.total
                }
            }
        })
    }

    /// Every case once, untimed: what it finds.
    async fn check(&self) -> BenchResult<Vec<u64>> {
        let mut found = Vec::new();
        for (case, label) in CASES {
            let keep = selected(case, label);
            found.push(if keep { self.run(case, 0).await? } else { 0 });
        }
        Ok(found)
    }

    /// Interleaved rounds over every case.
    async fn measure(&self) -> BenchResult<Vec<Samples>> {
        let mut all = vec![Samples::new(); CASES.len()];
        let mut k = 0;
        for _ in 0..ROUNDS {
            for (n, (case, label)) in CASES.iter().enumerate() {
                if !selected(*case, label) {
                    continue;
                }
                let warm = Instant::now();
                self.run(*case, k).await?;
                let one = warm.elapsed().max(Duration::from_micros(1));
                let count = (BUDGET.as_nanos() / one.as_nanos()).clamp(5, 50);
                for _ in 0..count {
                    k += 1;
                    let start = Instant::now();
                    self.run(*case, k).await?;
                    all[n].push(start.elapsed());
                }
            }
        }
        Ok(all)
    }

    /// A CSV export of the tickets opened in the last `days` days, read to the end:
    /// rows, time, and how far the process's peak RSS rose above its RSS before.
    async fn export(&self, days: i64) -> BenchResult<(usize, Duration, i64)> {
        let criteria = SearchCriteria {
            tenant: Some(self.people.tenant),
            include_closed: true,
            include_archived: true,
            opened_from: Some(self.now - chrono::Duration::days(days)),
            ..Default::default()
        };
        let _ = std::fs::write("/proc/self/clear_refs", "5");
        let before = machine::status_kb(None, "VmRSS:");
        let start = Instant::now();
        let mut export = self
            .service
            .csv_export(&self.admin, criteria, &[], CsvFormat::Standard)
            .await?;
        let mut lines = 0;
        while let Some(chunk) = export.next_chunk().await? {
            lines += chunk.lines().count();
        }
        Ok((
            lines.saturating_sub(1),
            start.elapsed(),
            machine::status_kb(None, "VmHWM:") - before,
        ))
    }
}

/// A line of `/proc/self/status`, in kB (0 when unreadable).
/// The measurements of one database at one size.
struct Run {
    label: String,
    tickets: usize,
    found: Vec<u64>,
    samples: Vec<Samples>,
    export: (usize, Duration, i64),
}

/// Measures a seeded fixture once: check, samples, export.
async fn measure(fx: &Fixture, label: String, tickets: usize) -> BenchResult<Run> {
    let found = fx.check().await?;
    let samples = fx.measure().await?;
    let days =
        (generate::SPAN_DAYS * 40_000 / fx.people.tickets.max(1) as i64).min(generate::SPAN_DAYS);
    let export = if export_selected() {
        fx.export(days).await?
    } else {
        (0, Duration::ZERO, 0)
    };
    let run = Run {
        label,
        tickets,
        found,
        samples,
        export,
    };
    report::print_run(&run);
    if http::wanted() {
        http::measure(fx, &run).await?;
    }
    Ok(run)
}

async fn sqlite(now: DateTime<Utc>, tenants: usize, size: usize) -> BenchResult<Run> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("scale.db");
    let store = SqliteStore::connect(&format!("sqlite://{}", path.display())).await?;
    store.migrate().await?;
    let writer = store.clone();
    let (fx, seeding) = seed(Arc::new(store), now, tenants, size, async |batch| {
        writer.import_tickets(&batch).await?;
        Ok(())
    })
    .await?;
    let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0)
        + std::fs::metadata(dir.path().join("scale.db-wal"))
            .map(|m| m.len())
            .unwrap_or(0);
    report::seeding("SQLite", &seeding, bytes);
    if plans::wanted() {
        plans::sqlite(&fx, &writer).await?;
    }
    let run = measure(&fx, "SQLite (file, WAL)".to_owned(), seeding.tickets).await;
    if helpdesk_benches::keep_databases() {
        helpdesk_benches::report_kept(&dir.keep().join("scale.db").display().to_string());
    }
    run
}

/// PostgreSQL at one size: without statistics, after `ANALYZE`, and when asked
/// ([`vacuum::VAR`]) after `VACUUM (ANALYZE)`.
async fn postgres(
    url: &str,
    now: DateTime<Utc>,
    tenants: usize,
    size: usize,
    explain: bool,
) -> BenchResult<PostgresRuns> {
    let db = BenchDatabase::create(url).await?;
    db.set("synchronous_commit", "off").await?;
    let store = db.store().await?;
    db.run(
        "ALTER TABLE helpdesk_tickets SET (autovacuum_enabled = off); \
         ALTER TABLE helpdesk_events SET (autovacuum_enabled = off); \
         ALTER TABLE helpdesk_ticket_guests SET (autovacuum_enabled = off); \
         ALTER TABLE helpdesk_closure_answers SET (autovacuum_enabled = off)",
    )
    .await?;
    let writer = store.clone();
    let (fx, seeding) = seed(Arc::new(store.clone()), now, tenants, size, async |batch| {
        writer.import_tickets(&batch).await?;
        Ok(())
    })
    .await?;
    let bytes = database_size(&store).await?;
    report::seeding("PostgreSQL", &seeding, bytes);
    if explain {
        plans::postgres(&fx, &store, "no statistics").await?;
    }
    let cold = measure(&fx, "PostgreSQL, no statistics".to_owned(), seeding.tickets).await?;
    let began = Instant::now();
    db.run("ANALYZE").await?;
    println!(
        "\nPostgreSQL: ANALYZE took {:.1} s",
        began.elapsed().as_secs_f64()
    );
    if explain {
        plans::postgres(&fx, &store, "after ANALYZE").await?;
    }
    let warm = measure(&fx, "PostgreSQL, after ANALYZE".to_owned(), seeding.tickets).await?;
    let vacuumed = vacuum::vacuumed(&db, &fx, &store, seeding.tickets, explain).await?;
    drop(fx);
    drop(store);
    db.drop_now().await?;
    Ok(PostgresRuns {
        cold,
        warm,
        vacuumed,
    })
}

/// The measures of PostgreSQL at one size.
struct PostgresRuns {
    /// Without planner statistics.
    cold: Run,
    /// After `ANALYZE`.
    warm: Run,
    /// After `VACUUM (ANALYZE)`, when asked ([`vacuum::VAR`]).
    vacuumed: Option<Run>,
}

async fn database_size(store: &PostgresStore) -> BenchResult<u64> {
    let size: i64 =
        helpdesk_sqlx::sqlx::query_scalar("SELECT pg_database_size(current_database())")
            .fetch_one(store.pool())
            .await?;
    Ok(u64::try_from(size).unwrap_or(0))
}

fn sizes() -> BenchResult<Vec<usize>> {
    let text = std::env::var("HELPDESK_SCALE_SIZES").unwrap_or_else(|_| "10000,100000".into());
    Ok(text
        .split(',')
        .map(|s| s.trim().parse())
        .collect::<Result<_, _>>()?)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> BenchResult {
    let mut named = std::env::args().skip(1).filter(|a| !a.starts_with('-'));
    let (lite, pg) = match named.next().as_deref() {
        None => (true, true),
        Some("sqlite") => (true, false),
        Some("postgres") => (false, true),
        _ => {
            return Err(
                "usage: cargo bench -p helpdesk-benches --bench scale [-- sqlite|postgres]".into(),
            );
        }
    };
    let sizes = sizes()?;
    let tenants: usize = std::env::var("HELPDESK_SCALE_TENANTS")
        .ok()
        .map(|t| t.parse())
        .transpose()?
        .unwrap_or(1);
    let now = Utc::now();
    println!(
        "scale bench: {tenants} tenant(s) × {sizes:?} tickets, load {}",
        machine::load_average()
    );
    let mut lite_runs = Vec::new();
    let mut cold = Vec::new();
    let mut warm = Vec::new();
    let mut vacuumed = Vec::new();
    let url = if pg {
        postgres::url("the scale bench on PostgreSQL")
    } else {
        None
    };
    for (n, &size) in sizes.iter().enumerate() {
        if lite {
            lite_runs.push(match reuse::sqlite_path() {
                Some(path) if sizes.len() == 1 => reuse::sqlite(&path, tenants, size).await?,
                Some(_) => return Err(format!("{} takes one size", reuse::VAR).into()),
                None => sqlite(now, tenants, size).await?,
            });
        }
        if let Some(url) = &url {
            let runs = match reuse::postgres_name() {
                Some(name) if sizes.len() == 1 => {
                    reuse::postgres(url, &name, tenants, size).await?
                }
                Some(_) => return Err(format!("{} takes one size", reuse::VAR).into()),
                None => postgres(url, now, tenants, size, n + 1 == sizes.len()).await?,
            };
            cold.push(runs.cold);
            warm.push(runs.warm);
            vacuumed.extend(runs.vacuumed);
        }
    }
    for (label, runs) in [
        ("SQLite", &lite_runs),
        ("PostgreSQL, no statistics", &cold),
        ("PostgreSQL, after ANALYZE", &warm),
        ("PostgreSQL, after VACUUM (ANALYZE)", &vacuumed),
    ] {
        report::print_growth(label, &runs.iter().collect::<Vec<_>>());
    }
    println!("\nload average at the end: {}", machine::load_average());
    Ok(())
}
