//! The scale bench's third measure of PostgreSQL, after `VACUUM (ANALYZE)`, when
//! `HELPDESK_SCALE_VACUUM` asks for it.

use std::time::Instant;

use helpdesk_benches::BenchResult;
use helpdesk_benches::postgres::BenchDatabase;
use helpdesk_sqlx::PostgresStore;

use super::{Fixture, Run, measure, plans};

/// The variable that asks for a third measure of PostgreSQL, after `VACUUM (ANALYZE)`.
pub(crate) const VAR: &str = "HELPDESK_SCALE_VACUUM";

/// When [`VAR`] is set: `VACUUM (ANALYZE)` on `db`, then (with `explain`) the
/// plans and the measure of `fx`'s cases.
pub(crate) async fn vacuumed(
    db: &BenchDatabase,
    fx: &Fixture,
    store: &PostgresStore,
    tickets: usize,
    explain: bool,
) -> BenchResult<Option<Run>> {
    if std::env::var_os(VAR).is_none() {
        return Ok(None);
    }
    let began = Instant::now();
    db.run("VACUUM (ANALYZE)").await?;
    println!(
        "\nPostgreSQL: VACUUM (ANALYZE) took {:.1} s",
        began.elapsed().as_secs_f64()
    );
    if explain {
        plans::postgres(fx, store, "after VACUUM (ANALYZE)").await?;
    }
    let run = measure(fx, "PostgreSQL, after VACUUM (ANALYZE)".to_owned(), tickets).await?;
    Ok(Some(run))
}
