//! SQLite full text in one tenant, with and without the tenant's word in the `MATCH`: the
//! statements of a `contains` total and of a window's full-text read, alternated on a
//! database the scale bench kept, with SQLite as the store bundles it. p50 and p99.
//!
//! ```text
//! HELPDESK_BENCH_KEEP_DATABASE=1 HELPDESK_SCALE_SIZES=1000000 HELPDESK_SCALE_CASES=contains \
//!   cargo bench -p helpdesk-benches --bench scale -- sqlite   # prints the kept file
//! cargo run --release -p helpdesk-benches --example fts_ab -- <kept scale.db> 100
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used)]

use helpdesk_sqlx::sqlx::{self, Row, sqlite::SqlitePoolOptions};
use std::time::Instant;

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("the kept scale.db");
    let rounds: usize = args.next().map_or(100, |n| n.parse().expect("rounds"));
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect(&format!("sqlite://{path}"))
        .await
        .unwrap();
    let v: String = sqlx::query_scalar("select sqlite_version()")
        .fetch_one(&pool)
        .await
        .unwrap();
    println!("sqlite {v}");
    let tenant: Vec<u8> = sqlx::query_scalar("select tenant_id from helpdesk_ticket_counters")
        .fetch_one(&pool)
        .await
        .unwrap();
    let hex: String = tenant.iter().map(|b| format!("{b:02x}")).collect();
    let now = chrono::Utc::now().timestamp_nanos_opt().unwrap();
    let count = "SELECT COUNT(*) AS n FROM (SELECT 1 AS one FROM helpdesk_ticket_text CROSS JOIN helpdesk_tickets t LEFT JOIN helpdesk_tenants tn ON tn.id = t.tenant_id WHERE 1 = 1 AND t.tenant_id = ?1 AND (t.ended_at IS NULL OR t.ended_at > COALESCE((SELECT ?2 - d.archive_delay_ns FROM helpdesk_tenants d WHERE d.id = ?1), ?3)) AND helpdesk_ticket_text MATCH ?4 AND t.seq = helpdesk_ticket_text.rowid ORDER BY helpdesk_ticket_text.rowid DESC LIMIT 1001) c";
    let range = "SELECT COUNT(*) AS n FROM helpdesk_ticket_text WHERE helpdesk_ticket_text MATCH ?4 AND rowid > (SELECT MAX(seq) - 2000 FROM helpdesk_tickets) AND ?1 IS NOT NULL AND ?2 IS NOT NULL AND ?3 IS NOT NULL";
    let mut shapes = vec![];
    for (name, w) in [
        ("common", "\"imprimante\"*"),
        ("two", "\"ecran\"* AND \"demarrage\"*"),
    ] {
        let without = format!("{{head public}} : ({w})");
        let with = format!("tenant : (t{hex}) AND {without}");
        shapes.push((format!("count, {name}, tenant word"), count, with.clone()));
        shapes.push((
            format!("count, {name}, no tenant word"),
            count,
            without.clone(),
        ));
        shapes.push((
            format!("fts in the newest 2,000 rowids, {name}, tenant word"),
            range,
            with,
        ));
        shapes.push((
            format!("fts in the newest 2,000 rowids, {name}, no tenant word"),
            range,
            without,
        ));
    }
    let mut samples = vec![vec![]; shapes.len()];
    for r in 0..rounds + 3 {
        for k in 0..shapes.len() {
            let k = (k + r) % shapes.len();
            let (_, sql, arg) = &shapes[k];
            let t = Instant::now();
            let _n: i64 = sqlx::query(*sql)
                .bind(&tenant)
                .bind(now)
                .bind(i64::MIN)
                .bind(arg)
                .fetch_one(&pool)
                .await
                .unwrap()
                .get("n");
            if r >= 3 {
                samples[k].push(t.elapsed());
            }
        }
    }
    for (k, (name, _, _)) in shapes.iter().enumerate() {
        let s = &mut samples[k];
        s.sort();
        println!(
            "| {name} | {:.1} ms | {:.1} ms |",
            s[s.len() / 2].as_secs_f64() * 1e3,
            s[s.len() * 99 / 100 - 1].as_secs_f64() * 1e3
        );
    }
}
