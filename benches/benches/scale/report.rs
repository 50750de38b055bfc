//! The scale bench's tables: one run's, and each query's growth from one size to the
//! next.

use helpdesk_benches::machine;
use helpdesk_benches::table::{self, Table};

use super::{CASES, Run, Seeding, export_selected, selected};

pub(crate) fn print_run(run: &Run) {
    let baseline = run.samples[0].median();
    let mut out = Table::new(["query", "found", "p50", "p99", "samples", "p50 ×baseline"]);
    for (n, (case, label)) in CASES.iter().enumerate() {
        if !selected(*case, label) {
            continue;
        }
        let s = &run.samples[n];
        out.row([
            (*label).to_owned(),
            run.found[n].to_string(),
            table::duration(s.median()),
            table::duration(s.percentile(99.0)),
            s.len().to_string(),
            table::ratio(s.median(), baseline),
        ]);
    }
    let (rows, took, peak) = run.export;
    if export_selected() {
        out.row([
            "CSV export streamed (rows, rows/s, peak RSS rise)".to_owned(),
            rows.to_string(),
            table::duration(took),
            table::rate(rows as f64 / took.as_secs_f64().max(1e-9)),
            format!("{} MB", peak / 1024),
            "-".to_owned(),
        ]);
    }
    out.print(&format!(
        "{} at {} tickets: through HelpdeskService (load {})",
        run.label,
        run.tickets,
        machine::load_average()
    ));
}

pub(crate) fn print_growth(label: &str, runs: &[&Run]) {
    if runs.len() < 2 {
        return;
    }
    let mut headers = vec!["query".to_owned()];
    for r in runs {
        headers.push(format!("p50 {}k", r.tickets / 1000));
        headers.push(format!("p99 {}k", r.tickets / 1000));
    }
    for pair in runs.windows(2) {
        headers.push(format!(
            "p50 {}k/{}k",
            pair[1].tickets / 1000,
            pair[0].tickets / 1000
        ));
    }
    let mut out = Table::new(headers);
    for (n, (case, name)) in CASES.iter().enumerate() {
        if !selected(*case, name) {
            continue;
        }
        let mut row = vec![(*name).to_owned()];
        for r in runs {
            row.push(table::duration(r.samples[n].median()));
            row.push(table::duration(r.samples[n].percentile(99.0)));
        }
        for pair in runs.windows(2) {
            row.push(table::ratio(
                pair[1].samples[n].median(),
                pair[0].samples[n].median(),
            ));
        }
        out.row(row);
    }
    out.print(&format!("growth on {label}"));
}

/// The seeding's line: tickets, times, rate, size on disk.
pub(crate) fn seeding(label: &str, s: &Seeding, bytes: u64) {
    println!(
        "\n{label}: seeded {} tickets: people {:.1} s, tickets {:.1} s ({}), {} MB on disk (load {})",
        s.tickets,
        s.people.as_secs_f64(),
        s.import.as_secs_f64(),
        table::rate(s.tickets as f64 / s.import.as_secs_f64().max(1e-9)),
        bytes / 1_000_000,
        machine::load_average()
    );
}
