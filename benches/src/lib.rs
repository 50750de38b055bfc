//! Shared helpers of the helpdesk's bench programs (`benches/*.rs`, run with
//! `cargo bench -p helpdesk-benches --bench NAME`): timing with [`std::time::Instant`],
//! markdown tables, and throw-away PostgreSQL databases.
//!
//! The machines these run on are shared and noisy, so every figure is printed with its
//! ratio to a baseline measured in the same run; the ratios are what BENCHMARKS.md
//! compares. Nothing here asserts on time.

pub mod generate;
pub mod postgres;
pub mod table;
pub mod timing;

/// What a bench program's steps return.
pub type BenchResult<T = ()> = Result<T, Box<dyn std::error::Error + Send + Sync>>;
