//! Shared helpers of the helpdesk's bench programs (`benches/*.rs`, run with
//! `cargo bench -p helpdesk-benches --bench NAME`): timing with [`std::time::Instant`],
//! markdown tables, and throw-away databases (kept on request, [`KEEP_VAR`]).
//!
//! The machines these run on are shared and noisy, so every figure is printed with its
//! ratio to a baseline measured in the same run; the ratios are what BENCHMARKS.md
//! compares. Nothing here asserts on time.

pub mod generate;
pub mod http;
pub mod machine;
pub mod postgres;
pub mod table;
pub mod timing;

/// What a bench program's steps return.
pub type BenchResult<T = ()> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// The words of the environment variable `var` (comma-separated, lowercased): which
/// cases a bench keeps; none when it is unset (every case).
pub fn case_filter(var: &str) -> Vec<String> {
    std::env::var(var)
        .unwrap_or_default()
        .split(',')
        .map(|w| w.trim().to_lowercase())
        .filter(|w| !w.is_empty())
        .collect()
}

/// Whether a case labelled `label` is kept: no filter, or its label contains one of the
/// filter's words (case-insensitive).
pub fn kept(filter: &[String], label: &str) -> bool {
    filter.is_empty() || filter.iter().any(|w| label.to_lowercase().contains(w))
}

/// The variable that keeps the benches' databases (any value but empty): the PostgreSQL
/// databases and the scale bench's SQLite file stay after the run, their names printed,
/// to read plans afterwards; removing them is left to whoever reads them.
pub const KEEP_VAR: &str = "HELPDESK_BENCH_KEEP_DATABASE";

/// Whether [`KEEP_VAR`] is set.
pub fn keep_databases() -> bool {
    std::env::var(KEEP_VAR).is_ok_and(|v| !v.is_empty())
}

/// Says that the database `name` was kept ([`KEEP_VAR`]).
pub fn report_kept(name: &str) {
    println!("kept bench database {name} ({KEEP_VAR})");
}
