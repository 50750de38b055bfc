//! The HTTP load figures: the release portal and the bare ceiling server (`ceiling`,
//! beside this binary) in the same run, on SQLite and on PostgreSQL, N keep-alive
//! connections for a fixed time per operation. Reports req/s, p50, p99, the share of
//! failed answers, each server's peak RSS (`VmHWM`), and ours/ceiling.
//!
//! ```text
//! cargo build --release -p helpdesk-examples --bin portal
//! cargo build --release -p helpdesk-benches --bin ceiling --bin load
//! HELPDESK_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test \
//!   target/release/load [--connections 8] [--seconds 10]
//! ```
//!
//! The portal runs on a fresh SQLite file and a fresh `helpdesk_bench_<uuid>` database
//! (dropped at the end), seeded with its demo data; the driver logs in as `alice`
//! (`POST /login`) and uses the JSON API under `/helpdesk`: open a ticket, reply to one
//! of the tickets it opened first (each connection its own 25, in turn, so replies do
//! not race and tickets keep a realistic handful of events), get one of them, list a
//! page.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::net::TcpStream;
use tokio::process::{Child, Command};

use helpdesk_benches::BenchResult;
use helpdesk_benches::http::{Call, Connection, Figures, drive};
use helpdesk_benches::machine;
use helpdesk_benches::postgres::{BenchDatabase, url as pg_url};
use helpdesk_benches::table::Table;

/// Peak resident memory of `pid` (`VmHWM`), in MB.
fn peak_rss_mb(pid: u32) -> f64 {
    machine::status_kb(Some(pid), "VmHWM:") as f64 / 1024.0
}

/// Starts `program` with `args` and waits for its line `listening on ADDR` (ceiling) or
/// for `addr` to accept connections (portal).
async fn start(
    program: &Path,
    args: &[String],
    addr: Option<&str>,
) -> BenchResult<(Child, String)> {
    // The portal prints each notification to stdout: it goes nowhere, not to a pipe
    // nobody reads (a full pipe would block the portal's runtime thread on `println!`).
    let stdout = if addr.is_some() {
        Stdio::null()
    } else {
        Stdio::piped()
    };
    let mut child = Command::new(program)
        .args(args)
        .stdout(stdout)
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("starting {}: {e}", program.display()))?;
    if let Some(addr) = addr {
        for _ in 0..600 {
            if TcpStream::connect(addr).await.is_ok() {
                return Ok((child, addr.to_owned()));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        return Err(format!("{} did not listen on {addr}", program.display()).into());
    }
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    while let Some(line) = lines.next_line().await? {
        if let Some(addr) = line.strip_prefix("listening on ") {
            return Ok((child, addr.to_owned()));
        }
    }
    Err("the ceiling server did not start".into())
}

fn free_addr() -> BenchResult<String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.to_string())
}

fn release_dir() -> BenchResult<PathBuf> {
    let exe = std::env::current_exe()?;
    Ok(exe.parent().ok_or("no directory")?.to_path_buf())
}

struct Run {
    connections: usize,
    seconds: f64,
}

/// What the ceiling server measured: its insert and get, a ticket opened through the
/// helpdesk store alone, and its peak RSS.
struct Ceiling {
    insert: Figures,
    get: Figures,
    store_open: Figures,
    rss: f64,
}

/// One ticket's subject and description per `POST` to the ceiling server's `path`, for
/// the run's time.
async fn post_each(run: &Run, addr: &str, path: &'static str) -> BenchResult<Figures> {
    let body = "{\"subject\":\"Imprimante bloquée\",\"description\":\"<p>Le bac 2 coince.</p>\"}";
    drive(
        addr,
        run.connections,
        run.seconds,
        Arc::new(move |_, _| Call::post(path, body)),
    )
    .await
}

/// Runs the ceiling server's three phases.
async fn ceiling(run: &Run, database_url: &str) -> BenchResult<Ceiling> {
    let (child, addr) = start(
        &release_dir()?.join("ceiling"),
        &[database_url.to_owned()],
        None,
    )
    .await?;
    let insert = post_each(run, &addr, "/items").await?;
    let rows = insert.requests.max(1);
    let get = drive(
        &addr,
        run.connections,
        run.seconds,
        Arc::new(move |c, i| Call::get(format!("/items/{}", (c * 7919 + i * 13) % rows + 1))),
    )
    .await?;
    let store_open = post_each(run, &addr, "/tickets").await?;
    let rss = child.id().map_or(0.0, peak_rss_mb);
    drop(child);
    Ok(Ceiling {
        insert,
        get,
        store_open,
        rss,
    })
}

fn ticket_id(body: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let ticket = value.get("ticket").unwrap_or(&value);
    ticket.get("id")?.as_str().map(str::to_owned)
}

/// Tickets opened per connection before the timed phases, for replies and reads.
const TICKETS_PER_CONNECTION: usize = 25;

/// Connection `c`'s `i`th pick among the tickets opened first: each connection its own
/// tickets (so replies do not race for a ticket's version), in turn.
fn pick(tickets: &[String], c: usize, i: usize) -> &str {
    let connections = (tickets.len() / TICKETS_PER_CONNECTION).max(1);
    tickets[(i % TICKETS_PER_CONNECTION) * connections + c % connections].as_str()
}

/// The portal's figures per operation, and its peak RSS.
async fn portal(
    run: &Run,
    database_url: &str,
    files: &Path,
) -> BenchResult<(Vec<(&'static str, Figures)>, f64)> {
    let addr = free_addr()?;
    let args = vec![
        "--addr".to_owned(),
        addr.clone(),
        "--database-url".to_owned(),
        database_url.to_owned(),
        "--files".to_owned(),
        files.display().to_string(),
        "--no-write-limit".to_owned(),
    ];
    let (child, addr) = start(&release_dir()?.join("portal"), &args, Some(&addr)).await?;
    let mut connection = Connection::open(&addr).await?;
    let login = connection
        .send(Call::post(
            "/login",
            "{\"login\":\"alice\",\"password\":\"demo\"}",
        ))
        .await?;
    let cookie = login
        .cookie
        .ok_or(format!("login answered {} without a cookie", login.status))?;
    // Tickets to reply to and read, opened first: replies and reads go round them, so a
    // ticket grows to a realistic handful of events, not to hundreds.
    let mut mine = Vec::new();
    for _ in 0..run.connections * TICKETS_PER_CONNECTION {
        let answer = connection
            .send(
                Call::post(
                    "/helpdesk/tickets",
                    "{\"subject\":\"Écran noir\",\"description\":\"<p>Plus rien ne s'affiche.</p>\",\"custom_fields\":{\"school\":\"Lycée Hugo\"}}",
                )
                .header("cookie", cookie.clone()),
            )
            .await?;
        mine.push(ticket_id(&answer.body).ok_or(format!(
            "opening answered {}: {}",
            answer.status,
            String::from_utf8_lossy(&answer.body)
        ))?);
    }
    let mine = Arc::new(mine);
    let mut out = Vec::new();
    let jar = cookie.clone();
    let open = drive(&addr, run.connections, run.seconds, Arc::new(move |c, i| {
        Call::post("/helpdesk/tickets", format!(
            "{{\"subject\":\"Imprimante bloquée {c}-{i}\",\"description\":\"<p>Le bac 2 coince encore, merci de passer.</p>\",\"custom_fields\":{{\"school\":\"Lycée Hugo\"}}}}"))
            .header("cookie", jar.clone())
    })).await?;
    out.push(("open a ticket", open));
    let replies = mine.clone();
    let jar = cookie.clone();
    let reply = drive(
        &addr,
        run.connections,
        run.seconds,
        Arc::new(move |c, i| {
            Call::post(
                format!("/helpdesk/tickets/{}/replies", pick(&replies, c, i)),
                format!("{{\"body\":\"<p>Toujours bloqué ({i}), je réessaie demain.</p>\"}}"),
            )
            .header("cookie", jar.clone())
        }),
    )
    .await?;
    out.push(("reply", reply));
    let gets = mine.clone();
    let jar = cookie.clone();
    let get = drive(
        &addr,
        run.connections,
        run.seconds,
        Arc::new(move |c, i| {
            Call::get(format!("/helpdesk/tickets/{}", pick(&gets, c, i)))
                .header("cookie", jar.clone())
        }),
    )
    .await?;
    out.push(("get one ticket", get));
    let list = drive(
        &addr,
        run.connections,
        run.seconds,
        Arc::new(move |_, _| Call::get("/helpdesk/tickets").header("cookie", cookie.clone())),
    )
    .await?;
    out.push(("list a page", list));
    let rss = child.id().map_or(0.0, peak_rss_mb);
    drop(child);
    Ok((out, rss))
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn report(database: &str, ours: &[(&str, Figures)], rss: f64, ceiling: &Ceiling) {
    let mut table = Table::new([
        "op",
        "req/s",
        "p50",
        "p99",
        "failed",
        "ceiling req/s",
        "ours/ceiling",
    ]);
    let mut row = |op: &str, f: &Figures, base: Option<&Figures>| {
        table.row([
            op.to_owned(),
            format!("{:.0}", f.per_second),
            ms(f.p50),
            ms(f.p99),
            format!("{}/{}", f.failed, f.requests),
            base.map_or(String::new(), |b| format!("{:.0}", b.per_second)),
            base.map_or(String::new(), |b| {
                format!("{:.0}%", 100.0 * f.per_second / b.per_second)
            }),
        ]);
    };
    row("ceiling: one INSERT per POST", &ceiling.insert, None);
    row("ceiling: one SELECT per GET", &ceiling.get, None);
    row(
        "the store alone: open a ticket",
        &ceiling.store_open,
        Some(&ceiling.insert),
    );
    for (op, f) in ours {
        let base = if op.starts_with("open") || op.starts_with("reply") {
            &ceiling.insert
        } else {
            &ceiling.get
        };
        row(op, f, Some(base));
    }
    table.print(database);
    println!(
        "\npeak RSS (VmHWM): portal {rss:.1} MB, ceiling {:.1} MB",
        ceiling.rss
    );
}

/// The server URL naming database `name` instead.
fn database_url(server: &str, name: &str) -> String {
    let base = server.split('?').next().unwrap_or(server);
    let base = base.rsplit_once('/').map_or(base, |(b, _)| b);
    format!("{base}/{name}")
}

fn flag(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[tokio::main]
async fn main() -> BenchResult {
    let run = Run {
        connections: usize::try_from(flag("--connections", 8))?,
        seconds: flag("--seconds", 10) as f64,
    };
    println!(
        "HTTP load: {} connections, {} s per operation; load average before: {}",
        run.connections,
        run.seconds,
        machine::load_average()
    );
    let dir = tempfile::tempdir()?;
    {
        let ceiling_url = format!("sqlite://{}", dir.path().join("ceiling.db").display());
        let bare = ceiling(&run, &ceiling_url).await?;
        let portal_url = format!("sqlite://{}", dir.path().join("portal.db").display());
        let (ours, rss) = portal(&run, &portal_url, &dir.path().join("files")).await?;
        report("SQLite", &ours, rss, &bare);
        println!("load average after SQLite: {}", machine::load_average());
    }
    if let Some(server) = pg_url("the PostgreSQL HTTP load") {
        let ceiling_db = BenchDatabase::create(&server).await?;
        let portal_db = BenchDatabase::create(&server).await?;
        let bare = ceiling(&run, &database_url(&server, ceiling_db.name())).await?;
        let (ours, rss) = portal(
            &run,
            &database_url(&server, portal_db.name()),
            &dir.path().join("pg-files"),
        )
        .await?;
        report("PostgreSQL", &ours, rss, &bare);
        println!("load average after PostgreSQL: {}", machine::load_average());
        ceiling_db.drop_now().await?;
        portal_db.drop_now().await?;
    }
    Ok(())
}
