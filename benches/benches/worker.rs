//! The background worker's own cost per outbox message it claims: one
//! [`Worker::run_once`] pass claims a batch of due messages (with a lease), reads each
//! message's ticket, tenant, event and people again, checks who may still see it, hands
//! it to the notifier and marks it delivered. The notifier here accepts at once, so
//! what is timed is the worker and its store, not a mail server (the `mail` bench times
//! that). The in-memory store is the baseline; SQLite in a file (WAL) and PostgreSQL
//! when `HELPDESK_TEST_POSTGRES_URL` is set.
//!
//! `cargo bench -p helpdesk-benches --bench worker`

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use async_trait::async_trait;
use helpdesk_benches::BenchResult;
use helpdesk_benches::postgres::{self, BenchDatabase};
use helpdesk_benches::table::{self, Table};
use helpdesk_benches::timing::Samples;
use helpdesk_core::memory::MemoryStore;
use helpdesk_core::{
    Actor, CategoryId, DeliverySettings, HelpdeskService, MemberDetails, MemberRole, NewTicket,
    Notification, Notifier, NotifyError, StaffDetails, StaffRole, Store, TenantId, TenantScope,
    UserId, Worker, WorkerSettings,
};
use helpdesk_sqlx::SqliteStore;

/// Interleaved rounds: every store is measured in every round.
const ROUNDS: usize = 5;
/// Passes per round and store, each over a fresh batch of messages.
const PASSES: usize = 6;
/// Messages per pass: the worker's default batch.
const BATCH: u32 = 50;

/// A notifier that accepts every notification at once, counting them.
#[derive(Default)]
struct Accept(AtomicUsize);

#[async_trait]
impl Notifier for Accept {
    async fn notify(&self, _: &Notification) -> Result<(), NotifyError> {
        self.0.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

struct Subject {
    name: &'static str,
    service: HelpdeskService,
    worker: Worker,
    notifier: Arc<Accept>,
    requester: Actor,
    tenant: TenantId,
    category: CategoryId,
    per_message: Samples,
    delivered: usize,
}

impl Subject {
    /// Tenant acme, its requester Alice, the group Support (three agents) and the
    /// category Printers routed to it: each ticket opened there queues one message for
    /// the group, delivered to its three agents.
    async fn new(name: &'static str, store: Arc<dyn Store>) -> BenchResult<Self> {
        let service = HelpdeskService::new(store);
        let root = service
            .bootstrap_platform_admin(&UserId::new("root")?, "Root")
            .await?;
        let tenant = service.create_tenant(&root, "acme", "Acme").await?;
        let group = service.create_group(&root, "Support").await?;
        for agent in ["ann", "andy", "sam"] {
            service
                .add_staff(
                    &root,
                    StaffDetails {
                        user: &UserId::new(agent)?,
                        display_name: agent,
                        email: Some(&format!("{agent}@support.example")),
                        role: StaffRole::Agent,
                        tenants: TenantScope::Only(vec![tenant.id]),
                        groups: vec![group.id],
                    },
                )
                .await?;
        }
        let category = service
            .create_category(&root, tenant.id, None, "Printers", Some(group.id))
            .await?;
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
        let notifier = Arc::new(Accept::default());
        let worker = Worker::new(service.clone(), notifier.clone()).with_settings(WorkerSettings {
            delivery: DeliverySettings {
                batch: BATCH,
                ..DeliverySettings::default()
            },
            ..WorkerSettings::default()
        });
        Ok(Self {
            name,
            service,
            worker,
            notifier,
            requester: Actor::Member(member),
            tenant: tenant.id,
            category: category.id,
            per_message: Samples::new(),
            delivered: 0,
        })
    }

    /// Queues a batch, then times the pass that delivers it.
    async fn pass(&mut self) -> BenchResult {
        for _ in 0..BATCH {
            self.service
                .open(
                    &self.requester,
                    self.tenant,
                    NewTicket {
                        subject: "L'imprimante du 2e étage est bloquée".into(),
                        description: "<p>Le bac 2 est coincé depuis ce matin.</p>".into(),
                        category: Some(self.category),
                        ..Default::default()
                    },
                    vec![],
                )
                .await?;
        }
        let start = Instant::now();
        let report = self.worker.run_once().await;
        let elapsed = start.elapsed();
        if let Some(error) = report.errors.first() {
            return Err(format!("{}: {error}", self.name).into());
        }
        if report.claimed != BATCH as usize || report.delivered != report.claimed {
            return Err(format!(
                "{}: a pass claimed {} and delivered {}",
                self.name, report.claimed, report.delivered
            )
            .into());
        }
        self.delivered += report.delivered;
        self.per_message.push(elapsed / BATCH);
        Ok(())
    }
}

#[tokio::main]
async fn main() -> BenchResult {
    let dir = tempfile::tempdir()?;
    let sqlite_url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let sqlite = SqliteStore::connect(&sqlite_url).await?;
    sqlite.migrate().await?;

    let mut subjects = vec![
        Subject::new("memory (baseline)", Arc::new(MemoryStore::new())).await?,
        Subject::new("SQLite file, WAL", Arc::new(sqlite)).await?,
    ];
    let mut database = None;
    if let Some(url) = postgres::url("the worker bench's PostgreSQL rows") {
        let db = BenchDatabase::create(&url).await?;
        println!("PostgreSQL database {} (dropped at the end)", db.name());
        subjects.push(Subject::new("PostgreSQL", Arc::new(db.store().await?)).await?);
        database = Some(db);
    }

    for round in 1..=ROUNDS {
        for subject in &mut subjects {
            for _ in 0..PASSES {
                subject.pass().await?;
            }
        }
        eprintln!("round {round}/{ROUNDS} done");
    }

    let base = subjects[0].per_message.median();
    let mut out = Table::new([
        "store",
        "per claimed message: median",
        "min",
        "×memory",
        "messages per second, one worker",
    ]);
    for s in &subjects {
        out.row([
            s.name.to_owned(),
            table::duration(s.per_message.median()),
            table::duration(s.per_message.min()),
            table::ratio(s.per_message.median(), base),
            table::rate(s.per_message.per_second()),
        ]);
        let told = s.notifier.0.load(Ordering::Relaxed);
        if told != s.delivered {
            return Err(format!(
                "{}: {told} notifications for {} messages",
                s.name, s.delivered
            )
            .into());
        }
    }
    out.print(&format!(
        "worker: cost per claimed message ({ROUNDS} interleaved rounds × {PASSES} passes of {BATCH} messages per store; each message one group of three agents)"
    ));
    println!("(ratios are medians over the memory store's median)");

    drop(subjects);
    if let Some(db) = database {
        db.drop_now().await?;
    }
    Ok(())
}
