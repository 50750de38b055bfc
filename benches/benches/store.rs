//! The stores side by side: opening a ticket (`HelpdeskService::open`) and a full
//! command round (`HelpdeskService::reply`: load, check, run the rules, save ticket,
//! event and outbox in one transaction) on the in-memory store (the baseline), SQLite in
//! a file (WAL, as `SqliteStore::connect` sets it up) and PostgreSQL when
//! `HELPDESK_TEST_POSTGRES_URL` is set. Each SQL store is measured a second time
//! without the indexes migration 12 added for reads at scale (ordered by status,
//! priority, category, product; open tickets per arm): what those indexes cost a write.
//!
//! `cargo bench -p helpdesk-benches --bench store`

use std::sync::Arc;

use helpdesk_benches::BenchResult;
use helpdesk_benches::postgres::{self, BenchDatabase};
use helpdesk_benches::table::{self, Table};
use helpdesk_benches::timing::{Plan, Samples, measure};
use helpdesk_core::memory::MemoryStore;
use helpdesk_core::{
    Actor, HelpdeskService, MemberDetails, MemberRole, NewTicket, Store, TenantId, TicketId, UserId,
};
use helpdesk_sqlx::SqliteStore;
use helpdesk_sqlx::sqlx;

/// The indexes migration 12 added (it also widened three it rebuilt, kept here).
const READ_INDEXES: [&str; 7] = [
    "helpdesk_tickets_by_status",
    "helpdesk_tickets_by_priority",
    "helpdesk_tickets_by_category",
    "helpdesk_tickets_by_product",
    "helpdesk_tickets_open_by_assignee",
    "helpdesk_tickets_open_by_group",
    "helpdesk_tickets_open_due_newest",
];

/// `DROP INDEX` of each of [`READ_INDEXES`], one statement each.
fn drop_read_indexes() -> impl Iterator<Item = String> {
    READ_INDEXES.iter().map(|name| format!("DROP INDEX {name}"))
}

/// Interleaved rounds: every store is measured in every round, so a burst of load from
/// another process on the machine hits all of them alike.
const ROUNDS: usize = 5;
/// Per round and store: warm-up calls, then samples of `batch` calls.
const PLAN: Plan = Plan::new(10, 20).batched(10);

struct Subject {
    name: &'static str,
    service: HelpdeskService,
    requester: Actor,
    tenant: TenantId,
    opened: Vec<TicketId>,
    replied: usize,
    open: Samples,
    reply: Samples,
}

impl Subject {
    async fn new(name: &'static str, store: Arc<dyn Store>) -> BenchResult<Self> {
        let service = HelpdeskService::new(store);
        let root = service
            .bootstrap_platform_admin(&UserId::new("root")?, "Root")
            .await?;
        let tenant = service.create_tenant(&root, "acme", "Acme").await?;
        let member = service
            .ensure_member(
                tenant.id,
                MemberDetails {
                    user: &UserId::new("alice")?,
                    display_name: "Alice",
                    email: Some("alice@acme.example"),
                    role: MemberRole::Requester,
                },
            )
            .await?;
        Ok(Self {
            name,
            service,
            requester: Actor::Member(member),
            tenant: tenant.id,
            opened: Vec::new(),
            replied: 0,
            open: Samples::new(),
            reply: Samples::new(),
        })
    }

    async fn round(&mut self) -> BenchResult {
        let Self {
            service,
            requester,
            tenant,
            opened,
            ..
        } = self;
        let open = measure(PLAN, async || {
            let ticket = service
                .open(
                    requester,
                    *tenant,
                    NewTicket {
                        subject: "L'imprimante du 2e étage est bloquée".into(),
                        description: "<p>Le bac 2 est coincé depuis ce matin, \
                                      <b>plus rien ne sort</b>.</p>"
                            .into(),
                        ..Default::default()
                    },
                    vec![],
                )
                .await?;
            opened.push(ticket.id);
            BenchResult::Ok(())
        })
        .await?;
        self.open.extend(open);

        // Replies go round the tickets opened so far, so no one timeline grows long.
        let Self {
            service,
            requester,
            opened,
            replied,
            ..
        } = self;
        let reply = measure(PLAN, async || {
            let id = opened[*replied % opened.len()];
            *replied += 1;
            service
                .reply(
                    requester,
                    id,
                    None,
                    "<p>Toujours bloqué ce matin, merci de passer.</p>",
                    vec![],
                )
                .await?;
            BenchResult::Ok(())
        })
        .await?;
        self.reply.extend(reply);
        Ok(())
    }
}

#[tokio::main]
async fn main() -> BenchResult {
    let dir = tempfile::tempdir()?;
    let sqlite_url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let sqlite = SqliteStore::connect(&sqlite_url).await?;
    sqlite.migrate().await?;
    let lean_url = format!("sqlite://{}", dir.path().join("lean.db").display());
    let lean = SqliteStore::connect(&lean_url).await?;
    lean.migrate().await?;
    for statement in drop_read_indexes() {
        sqlx::raw_sql(sqlx::AssertSqlSafe(statement))
            .execute(lean.pool())
            .await?;
    }

    let mut subjects = vec![
        Subject::new("memory (baseline)", Arc::new(MemoryStore::new())).await?,
        Subject::new("SQLite file, WAL", Arc::new(sqlite)).await?,
        Subject::new("SQLite, without migration 12's indexes", Arc::new(lean)).await?,
    ];
    let mut databases = Vec::new();
    if let Some(url) = postgres::url("the store bench's PostgreSQL rows") {
        let db = BenchDatabase::create(&url).await?;
        println!("PostgreSQL database {} (dropped at the end)", db.name());
        subjects.push(Subject::new("PostgreSQL", Arc::new(db.store().await?)).await?);
        databases.push(db);
        let db = BenchDatabase::create(&url).await?;
        let store = db.store().await?;
        for statement in drop_read_indexes() {
            sqlx::raw_sql(sqlx::AssertSqlSafe(statement))
                .execute(store.pool())
                .await?;
        }
        subjects.push(
            Subject::new(
                "PostgreSQL, without migration 12's indexes",
                Arc::new(store),
            )
            .await?,
        );
        databases.push(db);
    }

    for round in 1..=ROUNDS {
        for subject in &mut subjects {
            subject.round().await?;
        }
        eprintln!("round {round}/{ROUNDS} done");
    }

    let base_open = subjects[0].open.median();
    let base_reply = subjects[0].reply.median();
    let mut out = Table::new([
        "store",
        "open: median",
        "open: min",
        "open: ×memory",
        "reply: median",
        "reply: min",
        "reply: ×memory",
    ]);
    for s in &subjects {
        out.row([
            s.name.to_owned(),
            table::duration(s.open.median()),
            table::duration(s.open.min()),
            table::ratio(s.open.median(), base_open),
            table::duration(s.reply.median()),
            table::duration(s.reply.min()),
            table::ratio(s.reply.median(), base_reply),
        ]);
    }
    let per_case = ROUNDS * PLAN.samples as usize;
    out.print(&format!(
        "store: time per call ({ROUNDS} interleaved rounds × {} samples of {} calls, {} tickets opened per store)",
        PLAN.samples,
        PLAN.batch,
        subjects[0].opened.len(),
    ));
    println!("({per_case} samples per cell; ratios are medians over the memory store's median)");

    drop(subjects);
    for db in databases {
        db.drop_now().await?;
    }
    Ok(())
}
