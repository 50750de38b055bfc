//! Search and dashboard at scale: N tickets in one tenant (N = 2,000, then 20,000 in the
//! same database), on SQLite (a file, WAL) and on PostgreSQL when
//! `HELPDESK_TEST_POSTGRES_URL` is set.
//!
//! Each query is timed twice: through `HelpdeskService` (what a host calls: the scope
//! lookup, the store query, then the display names of the people on the page) and at the
//! store port alone (the SQL and the decoding of the rows). The same-run baseline is
//! `ticket_in(tenant, id)`, one lookup by primary key through the store port. How a time
//! grows from 2k to 20k tells whether an index carries the query (it stays flat) or the
//! database reads every ticket of the tenant (it grows about tenfold).
//!
//! `cargo bench -p helpdesk-benches --bench search` runs both databases (seeded at the
//! same time, measured one after the other); `-- sqlite` or `-- postgres` runs one.
//!
//! The tickets are spread evenly over the last 24 months (tickets 0, 10, 20, ... make
//! the first 2,000; the 18,000 others fill the gaps, so both sizes cover the same time
//! span); 10% are cancelled; subjects come from 20 French topics with accents; 50
//! requesters share them at random, except one "light" requester who has exactly 20
//! tickets at both sizes. Seeding goes through `HelpdeskService::open` and `cancel` and
//! is not timed.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use helpdesk_benches::BenchResult;
use helpdesk_benches::generate::member;
use helpdesk_benches::postgres::{self, BenchDatabase};
use helpdesk_benches::table::{self, Table};
use helpdesk_benches::timing::{Plan, Samples, measure};
use helpdesk_core::{
    Actor, Cursor, DashboardQuery, HelpdeskService, ManualClock, MemberId, MemberRole, NewTicket,
    PageRequest, Priority, RequesterVisibility, Scope, SearchCriteria, SearchQuery, Sort,
    SortValue, Store, TenantId, TicketId, UserId,
};
use helpdesk_sqlx::SqliteStore;

/// The tickets at the larger size.
const TOTAL: usize = 20_000;
/// Ticket `i` is in the smaller set when `i` is a multiple of this.
const SMALL_EVERY: usize = 10;
/// The time span the tickets cover.
const SPAN_DAYS: i64 = 730;
/// Requesters sharing the tickets (besides the light one).
const REQUESTERS: usize = 50;
/// Ticket `i` belongs to the light requester when `i` is a multiple of this: 20
/// tickets, all in the smaller set.
const LIGHT_EVERY: usize = 1_000;
/// The ticket whose reference the rare-word search looks for (in the smaller set).
const RARE: usize = 12_340;
/// Interleaved rounds over every case; per round and case, this plan.
const ROUNDS: usize = 3;
const PLAN: Plan = Plan::new(3, 10);

/// The 20 subjects of the search bench: the generator's first 20.
const TOPICS: &[&str] = helpdesk_benches::generate::SUBJECTS.split_at(20).0;

/// The queries timed, in table order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Case {
    /// The tenant admin's default list: open tickets, newest first, 50.
    DefaultPage,
    /// `contains: "IMPRIMANTE etage"`: two words, case and accents folded, matching 5%
    /// of the tickets.
    ContainsCommon,
    /// `contains: "ref12340"`: one word matching one ticket.
    ContainsRare,
    /// The admin's default list from a cursor halfway down.
    DeepPage,
    /// The light requester's own tickets (20 of them), as that requester.
    OwnTickets,
    /// The tenant's dashboard over 12 months, as the tenant admin.
    Dashboard,
}

const CASES: [(Case, &str); 6] = [
    (Case::DefaultPage, "default open-tickets page, 50 (admin)"),
    (
        Case::ContainsCommon,
        "contains \"IMPRIMANTE etage\" (5% match)",
    ),
    (Case::ContainsRare, "contains \"ref12340\" (1 match)"),
    (Case::DeepPage, "page from a cursor halfway down"),
    (Case::OwnTickets, "requester's own tickets (has 20)"),
    (Case::Dashboard, "dashboard, 12 months (admin)"),
];

/// Where a query is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Level {
    /// `HelpdeskService::search` / `dashboard`.
    Service,
    /// `TicketRepository::search` / `dashboard`, with the scope the service would use.
    Store,
}

/// One seeded ticket.
#[derive(Clone, Copy, Debug)]
struct Seeded {
    id: TicketId,
    created_at: DateTime<Utc>,
    cancelled: bool,
}

/// The samples of one size: the baseline, then each case at each level.
struct Sized {
    tickets: usize,
    baseline: Samples,
    service: Vec<Samples>,
    store: Vec<Samples>,
}

struct Fixture {
    store: Arc<dyn Store>,
    /// Searches run at the `now` the fixture was made with, on a clock that stands still.
    service: HelpdeskService,
    start: DateTime<Utc>,
    tenant: TenantId,
    admin: Actor,
    light: Actor,
    requesters: Vec<MemberId>,
    seeded: Vec<Seeded>,
    /// Where the deep page starts, for the current size.
    cursor: Option<Cursor>,
}

/// Which of the shared requesters ticket `i` belongs to: a hash (splitmix64's
/// finaliser), so that a page of neighbouring tickets names about as many different
/// requesters at both sizes.
fn requester_of(i: usize) -> usize {
    let mut z = (i as u64).wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    ((z ^ (z >> 31)) % REQUESTERS as u64) as usize
}

fn cancelled(i: usize) -> bool {
    i % 10 == 5 || i % 100 == 50
}

fn draft(i: usize, requester: MemberId) -> NewTicket {
    NewTicket {
        subject: format!("{} (poste {})", TOPICS[i % TOPICS.len()], i % 300),
        description: format!(
            "<p>Signalé par le poste {}. Référence interne ref{i:05}.</p>\
             <p>Merci de <b>traiter</b> rapidement.</p>",
            i % 300
        ),
        priority: Some(
            [
                Priority::Low,
                Priority::Normal,
                Priority::Normal,
                Priority::High,
            ][i % 4],
        ),
        requester: Some(requester),
        ..Default::default()
    }
}

impl Fixture {
    async fn new(store: Arc<dyn Store>, now: DateTime<Utc>) -> BenchResult<Self> {
        let service =
            HelpdeskService::new(store.clone()).with_clock(Arc::new(ManualClock::new(now)));
        let root = service
            .bootstrap_platform_admin(&UserId::new("root")?, "Root")
            .await?;
        let tenant = service.create_tenant(&root, "acme", "Acme").await?.id;
        let admin =
            Actor::Member(member(&service, tenant, "admin", MemberRole::TenantAdmin).await?);
        let light = Actor::Member(member(&service, tenant, "light", MemberRole::Requester).await?);
        let mut requesters = Vec::new();
        for r in 0..REQUESTERS {
            requesters.push(
                member(
                    &service,
                    tenant,
                    &format!("user{r:02}"),
                    MemberRole::Requester,
                )
                .await?
                .id,
            );
        }
        Ok(Self {
            store,
            service,
            start: now - chrono::Duration::days(SPAN_DAYS),
            tenant,
            admin,
            light,
            requesters,
            seeded: Vec::new(),
            cursor: None,
        })
    }

    /// Opens (and cancels) tickets `indices` through the service, on `tasks` concurrent
    /// tasks, each on a clock of its own set to the ticket's opening time.
    async fn seed(&mut self, indices: Vec<usize>, tasks: usize) -> BenchResult<Duration> {
        let began = Instant::now();
        let step = chrono::Duration::days(SPAN_DAYS) / i32::try_from(TOTAL)?;
        let light = match &self.light {
            Actor::Member(m) => m.id,
            _ => return Err("the light requester is a member".into()),
        };
        let mut handles = Vec::new();
        for task in 0..tasks {
            let mine: Vec<usize> = indices.iter().copied().skip(task).step_by(tasks).collect();
            let clock = Arc::new(ManualClock::new(self.start));
            let service = HelpdeskService::new(self.store.clone()).with_clock(clock.clone());
            let admin = self.admin.clone();
            let tenant = self.tenant;
            let start = self.start;
            let requesters = self.requesters.clone();
            handles.push(tokio::spawn(async move {
                let mut out = Vec::with_capacity(mine.len());
                for i in mine {
                    clock.set(start + step * i32::try_from(i)?);
                    let requester = if i.is_multiple_of(LIGHT_EVERY) {
                        light
                    } else {
                        requesters[requester_of(i)]
                    };
                    let ticket = service
                        .open(&admin, tenant, draft(i, requester), vec![])
                        .await?;
                    if cancelled(i) {
                        service
                            .cancel(&admin, ticket.id, None, Some("Doublon"))
                            .await?;
                    }
                    out.push(Seeded {
                        id: ticket.id,
                        created_at: ticket.created_at,
                        cancelled: cancelled(i),
                    });
                }
                BenchResult::Ok(out)
            }));
        }
        for handle in handles {
            self.seeded.extend(handle.await??);
        }
        // The deep page starts halfway down the admin's default list (open tickets).
        let mut listed: Vec<&Seeded> = self.seeded.iter().filter(|s| !s.cancelled).collect();
        listed.sort_by_key(|s| std::cmp::Reverse((s.created_at, s.id)));
        self.cursor = listed.get(listed.len() / 2).map(|s| Cursor {
            sort: Sort::default(),
            value: SortValue::At(s.created_at),
            id: s.id,
        });
        Ok(began.elapsed())
    }

    /// The criteria and page of a case, as the admin (or the light requester) asks.
    fn query(&self, case: Case) -> (&Actor, SearchCriteria, PageRequest) {
        let criteria = SearchCriteria {
            tenant: Some(self.tenant),
            ..Default::default()
        };
        let page = PageRequest::default();
        match case {
            Case::DefaultPage | Case::Dashboard => (&self.admin, criteria, page),
            Case::ContainsCommon => (
                &self.admin,
                SearchCriteria {
                    contains: Some("IMPRIMANTE etage".into()),
                    ..criteria
                },
                page,
            ),
            Case::ContainsRare => (
                &self.admin,
                SearchCriteria {
                    contains: Some(format!("ref{RARE:05}")),
                    ..criteria
                },
                page,
            ),
            Case::DeepPage => (
                &self.admin,
                criteria,
                PageRequest {
                    after: self.cursor.clone(),
                    ..page
                },
            ),
            Case::OwnTickets => (&self.light, criteria, page),
        }
    }

    /// The baseline once: one ticket by its key (`k` picks which).
    async fn lookup(&self, k: usize) -> BenchResult<usize> {
        let id = self.seeded[k % self.seeded.len()].id;
        Ok(usize::from(
            self.store.ticket_in(self.tenant, id).await?.is_some(),
        ))
    }

    /// Runs one case once. Answers how many tickets came back (for the dashboard, how
    /// many were opened in its 12 months).
    async fn run(&self, case: Case, level: Level) -> BenchResult<usize> {
        let (actor, criteria, page) = self.query(case);
        // The scope the service derives for the actor (the tenant's default policy).
        let scope = Scope::of(actor, RequesterVisibility::default());
        let now = self.service.now();
        let opened = |d: helpdesk_core::Dashboard| {
            let n: u64 = d.opened_per_month.iter().map(|m| m.opened).sum();
            usize::try_from(n)
        };
        Ok(match (case, level) {
            (Case::Dashboard, Level::Service) => opened(
                self.service
                    .dashboard(actor, Some(self.tenant), None, 12)
                    .await?,
            )?,
            (Case::Dashboard, Level::Store) => opened(
                self.store
                    .dashboard(&DashboardQuery {
                        scope,
                        tenant: Some(self.tenant),
                        assignee: None,
                        months: 12,
                        now,
                    })
                    .await?,
            )?,
            (_, Level::Service) => self
                .service
                .search(actor, criteria, page)
                .await?
                .tickets
                .len(),
            (_, Level::Store) => self
                .store
                .search(&SearchQuery {
                    scope,
                    criteria,
                    page,
                    now,
                    count: helpdesk_core::Count::default(),
                })
                .await?
                .tickets
                .len(),
        })
    }

    /// Checks once, untimed, that every case finds what it should at both levels, and
    /// prints it with how many requesters the default page names.
    async fn check(&self) -> BenchResult {
        let mut found = Vec::new();
        for (case, _) in CASES {
            let service = self.run(case, Level::Service).await?;
            let store = self.run(case, Level::Store).await?;
            if service != store {
                return Err(
                    format!("{case:?}: the service found {service}, the store {store}").into(),
                );
            }
            found.push(format!("{case:?} {service}"));
        }
        let (actor, criteria, page) = self.query(Case::DefaultPage);
        let mut requesters: Vec<_> = self
            .service
            .search(actor, criteria, page)
            .await?
            .tickets
            .iter()
            .map(|t| t.requester)
            .collect();
        requesters.sort();
        requesters.dedup();
        println!(
            "  {} tickets; found: {}; the default page names {} requesters",
            self.seeded.len(),
            found.join(", "),
            requesters.len()
        );
        Ok(())
    }

    /// Times the baseline and every case at both levels, in interleaved rounds.
    async fn measure(&self) -> BenchResult<Sized> {
        let mut sized = Sized {
            tickets: self.seeded.len(),
            baseline: Samples::new(),
            service: vec![Samples::new(); CASES.len()],
            store: vec![Samples::new(); CASES.len()],
        };
        for _ in 0..ROUNDS {
            let mut k = 0;
            let samples = measure(PLAN, async || {
                k += 1;
                self.lookup(k).await.map(|_| ())
            })
            .await?;
            sized.baseline.extend(samples);
            for (n, (case, _)) in CASES.iter().enumerate() {
                for (level, all) in [
                    (Level::Service, &mut sized.service),
                    (Level::Store, &mut sized.store),
                ] {
                    let samples =
                        measure(PLAN, async || self.run(*case, level).await.map(|_| ())).await?;
                    all[n].extend(samples);
                }
            }
        }
        Ok(sized)
    }
}

/// One database under test, with its samples at each size.
struct Backend {
    name: &'static str,
    fx: Fixture,
    /// Tasks seeding at once.
    tasks: usize,
    /// PostgreSQL's database, to refresh its statistics after seeding.
    db: Option<BenchDatabase>,
    results: Vec<Sized>,
}

impl Backend {
    async fn seed(&mut self, indices: Vec<usize>) -> BenchResult {
        let took = self.fx.seed(indices, self.tasks).await?;
        eprintln!(
            "  {}: {} tickets after {:.1} s of seeding (untimed)",
            self.name,
            self.fx.seeded.len(),
            took.as_secs_f64()
        );
        if let Some(db) = &self.db {
            // What autovacuum would have done by now on a live database.
            db.run("ANALYZE").await?;
        }
        Ok(())
    }

    async fn measure(&mut self) -> BenchResult {
        println!("\n{}:", self.name);
        self.fx.check().await?;
        let sized = self.fx.measure().await?;
        self.results.push(sized);
        Ok(())
    }

    fn print(&self) {
        let [small, large] = &self.results[..] else {
            return;
        };
        let (small_k, large_k) = (small.tickets / 1000, large.tickets / 1000);
        for (level, title) in [
            (Level::Service, "through HelpdeskService"),
            (Level::Store, "at the store port alone"),
        ] {
            let mut out = Table::new([
                "query".to_owned(),
                format!("{small_k}k: median"),
                format!("{small_k}k: min"),
                format!("{small_k}k: ×baseline"),
                format!("{large_k}k: median"),
                format!("{large_k}k: min"),
                format!("{large_k}k: ×baseline"),
                format!("growth {large_k}k/{small_k}k"),
            ]);
            let row = |label: &str, s: &Samples, l: &Samples| {
                [
                    label.to_owned(),
                    table::duration(s.median()),
                    table::duration(s.min()),
                    table::ratio(s.median(), small.baseline.median()),
                    table::duration(l.median()),
                    table::duration(l.min()),
                    table::ratio(l.median(), large.baseline.median()),
                    table::ratio(l.median(), s.median()),
                ]
            };
            out.row(row(
                "`ticket_in(tenant, id)`, store port (baseline)",
                &small.baseline,
                &large.baseline,
            ));
            for (n, (_, label)) in CASES.iter().enumerate() {
                let (s, l) = match level {
                    Level::Service => (&small.service[n], &large.service[n]),
                    Level::Store => (&small.store[n], &large.store[n]),
                };
                out.row(row(label, s, l));
            }
            out.print(&format!(
                "search on {}, {title}: time per call ({ROUNDS} interleaved rounds × {} samples per size)",
                self.name, PLAN.samples
            ));
        }
    }
}

/// Which databases to run: `sqlite`, `postgres`, or both when neither is named (cargo's
/// own `--bench` flag is ignored).
fn selection() -> BenchResult<(bool, bool)> {
    let mut named = std::env::args().skip(1).filter(|a| !a.starts_with('-'));
    match (named.next().as_deref(), named.next()) {
        (None, _) => Ok((true, true)),
        (Some("sqlite"), None) => Ok((true, false)),
        (Some("postgres"), None) => Ok((false, true)),
        _ => {
            Err("usage: cargo bench -p helpdesk-benches --bench search [-- sqlite|postgres]".into())
        }
    }
}

#[tokio::main]
async fn main() -> BenchResult {
    let (run_sqlite, run_postgres) = selection()?;
    let now = Utc::now();
    let dir = tempfile::tempdir()?;
    let mut sqlite = None;
    if run_sqlite {
        let url = format!("sqlite://{}", dir.path().join("search.db").display());
        let store = SqliteStore::connect(&url).await?;
        store.migrate().await?;
        sqlite = Some(Backend {
            name: "SQLite (file, WAL)",
            fx: Fixture::new(Arc::new(store), now).await?,
            // SQLite takes one writer at a time: more tasks would only queue.
            tasks: 1,
            db: None,
            results: Vec::new(),
        });
    }
    let mut postgres = None;
    let url = if run_postgres {
        postgres::url("the search bench on PostgreSQL")
    } else {
        None
    };
    if let Some(url) = url {
        let db = BenchDatabase::create(&url).await?;
        // For seeding: commits need not wait for the disk. Reads are unaffected.
        db.set("synchronous_commit", "off").await?;
        println!("PostgreSQL database {} (dropped at the end)", db.name());
        let store = db.store().await?;
        postgres = Some(Backend {
            name: "PostgreSQL",
            fx: Fixture::new(Arc::new(store), now).await?,
            tasks: 4,
            db: Some(db),
            results: Vec::new(),
        });
    }

    let (small, rest): (Vec<usize>, Vec<usize>) =
        (0..TOTAL).partition(|i| i.is_multiple_of(SMALL_EVERY));
    for indices in [small, rest] {
        // Both databases are seeded at once (untimed); they are measured one at a time.
        match (&mut sqlite, &mut postgres) {
            (Some(lite), Some(pg)) => {
                let (a, b) = tokio::join!(lite.seed(indices.clone()), pg.seed(indices));
                a?;
                b?;
            }
            (Some(one), None) | (None, Some(one)) => one.seed(indices).await?,
            (None, None) => {}
        }
        for backend in [&mut sqlite, &mut postgres].into_iter().flatten() {
            backend.measure().await?;
        }
    }

    if let Some(lite) = &sqlite {
        lite.print();
    }
    if let Some(mut pg) = postgres {
        pg.print();
        if let Some(db) = pg.db.take() {
            drop(pg);
            db.drop_now().await?;
        }
    }
    Ok(())
}
