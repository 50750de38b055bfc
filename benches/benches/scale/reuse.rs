//! The scale bench on a database an earlier run kept (`HELPDESK_BENCH_KEEP_DATABASE=1`):
//! a PostgreSQL database by its name, a SQLite file by its path, measured again without
//! seeding it, as the same fixture found again by its people's user ids.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use helpdesk_benches::BenchResult;
use helpdesk_benches::generate;
use helpdesk_benches::postgres::BenchDatabase;
use helpdesk_core::{HelpdeskService, ManualClock, Store, Ticket, TicketNumber};
use helpdesk_sqlx::SqliteStore;

use super::{Fixture, PostgresRuns, Run, measure, plans, vacuum};

/// The variable naming a database that an earlier run kept
/// ([`KEEP_VAR`](helpdesk_benches::KEEP_VAR)) at the one size of
/// `HELPDESK_SCALE_SIZES`, measured again without seeding it: on PostgreSQL (a
/// database's name) its planner statistics removed first, then taken again with
/// `ANALYZE` (and vacuumed when asked, `HELPDESK_SCALE_VACUUM`); on SQLite (the path of
/// a file, ending in `.db`) as it is, once migrated. The database is kept.
pub(crate) const VAR: &str = "HELPDESK_SCALE_REUSE";

/// What makes a kept database look unanalyzed to the planner, as after the seeding:
/// no column statistics, and the tables' sizes unknown (as for a table never vacuumed
/// nor analyzed: the planner measures its pages and guesses its rows).
const FORGET_STATISTICS: &str = "DELETE FROM pg_statistic WHERE starelid IN \
     (SELECT c.oid FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace \
     AND c.relname LIKE 'helpdesk%'); \
     UPDATE pg_class SET reltuples = -1, relpages = 0, relallvisible = 0 \
     WHERE relnamespace = 'public'::regnamespace AND relname LIKE 'helpdesk%' \
     AND relkind = 'r'";

/// The time a kept database was seeded as of: its newest ticket was opened half a
/// ticket's share of the span before it.
fn seeded_at(newest: i64, size: usize) -> BenchResult<DateTime<Utc>> {
    let span = chrono::Duration::days(generate::SPAN_DAYS);
    let half = span.num_milliseconds() / (2 * i64::try_from(size.max(1))?);
    Ok(DateTime::from_timestamp_nanos(newest) + chrono::Duration::milliseconds(half))
}

/// PostgreSQL at one size on the database an earlier run kept ([`VAR`]).
pub(crate) async fn postgres(
    url: &str,
    name: &str,
    tenants: usize,
    size: usize,
) -> BenchResult<PostgresRuns> {
    let db = BenchDatabase::reuse(url, name)?;
    let store = db.store().await?;
    let tickets: i64 = helpdesk_sqlx::sqlx::query_scalar("SELECT COUNT(*) FROM helpdesk_tickets")
        .fetch_one(store.pool())
        .await?;
    let newest = helpdesk_sqlx::sqlx::query_scalar(NEWEST)
        .fetch_one(store.pool())
        .await?;
    let now = seeded_at(newest, size)?;
    let fx = reopened(Arc::new(store.clone()), now, tenants, size).await?;
    db.run(FORGET_STATISTICS).await?;
    println!("\nPostgreSQL: reusing {name} ({tickets} tickets), statistics forgotten");
    let tickets = usize::try_from(tickets)?;
    plans::postgres(&fx, &store, "no statistics").await?;
    let cold = measure(&fx, "PostgreSQL, no statistics".to_owned(), tickets).await?;
    db.run("ANALYZE").await?;
    plans::postgres(&fx, &store, "after ANALYZE").await?;
    let warm = measure(&fx, "PostgreSQL, after ANALYZE".to_owned(), tickets).await?;
    let vacuumed = vacuum::vacuumed(&db, &fx, &store, tickets, true).await?;
    Ok(PostgresRuns {
        cold,
        warm,
        vacuumed,
    })
}

/// When the newest ticket was opened, in nanoseconds.
const NEWEST: &str = "SELECT MAX(created_at) FROM helpdesk_tickets";

/// The variable's value when it names a SQLite file (its path ends in `.db`).
pub(crate) fn sqlite_path() -> Option<String> {
    std::env::var(VAR).ok().filter(|v| v.ends_with(".db"))
}

/// The variable's value when it names a PostgreSQL database (anything else).
pub(crate) fn postgres_name() -> Option<String> {
    std::env::var(VAR).ok().filter(|v| !v.ends_with(".db"))
}

/// SQLite at one size on the file an earlier run kept ([`VAR`]).
pub(crate) async fn sqlite(path: &str, tenants: usize, size: usize) -> BenchResult<Run> {
    let store = SqliteStore::connect(&format!("sqlite://{path}")).await?;
    store.migrate().await?;
    let tickets: i64 = helpdesk_sqlx::sqlx::query_scalar("SELECT COUNT(*) FROM helpdesk_tickets")
        .fetch_one(store.pool())
        .await?;
    let newest = helpdesk_sqlx::sqlx::query_scalar(NEWEST)
        .fetch_one(store.pool())
        .await?;
    let fx = reopened(
        Arc::new(store.clone()),
        seeded_at(newest, size)?,
        tenants,
        size,
    )
    .await?;
    println!("\nSQLite: reusing {path} ({tickets} tickets)");
    if plans::wanted() {
        plans::sqlite(&fx, &store).await?;
    }
    measure(
        &fx,
        "SQLite (file, WAL)".to_owned(),
        usize::try_from(tickets)?,
    )
    .await
}

/// The fixture of the first tenant of a database seeded by an earlier run and kept
/// ([`VAR`]), `size` tickets per tenant, as of `now`.
async fn reopened(
    store: Arc<dyn Store>,
    now: DateTime<Utc>,
    tenants: usize,
    size: usize,
) -> BenchResult<Fixture> {
    let service = HelpdeskService::new(store.clone()).with_clock(Arc::new(ManualClock::new(now)));
    let agents = if tenants == 1 { 12 } else { 3 };
    let people = generate::reopen(&service, store.as_ref(), "t000", size, agents).await?;
    let by_number = async |n: usize| -> BenchResult<Ticket> {
        let number = TicketNumber::new(u64::try_from(n)?);
        Ok(store
            .ticket_by_number(people.tenant, number)
            .await?
            .ok_or("a ticket of the kept database is missing")?)
    };
    let mut sample = Vec::new();
    for n in (1..=size).step_by(1000) {
        sample.push(by_number(n).await?.id);
    }
    let middle = by_number(size / 2 + 1).await?;
    Fixture::new(store, service, now, people, sample, middle).await
}
