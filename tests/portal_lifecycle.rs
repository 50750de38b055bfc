//! The portal's life as a process: it drains requests in flight on SIGTERM and exits 0,
//! cuts off clients that dribble their headers, and two portals started at the same
//! instant on one empty database both come up with one set of demo data (SQLite file and
//! PostgreSQL).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[allow(dead_code, unreachable_pub)]
#[path = "../helpdesk-sqlx/tests/support/postgres.rs"]
mod pg;

mod support;

use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::TcpStream;
use std::process::{Child, ChildStderr, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::json;
use support::{Reply, listening_addr, login, request, response};

/// A portal process, killed when dropped unless it exited.
struct Portal {
    child: Child,
    addr: String,
    /// The lines it writes to stderr.
    stderr: mpsc::Receiver<String>,
}

impl Drop for Portal {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Spawns a portal on `database`; [`Spawned::ready`] waits until it listens.
struct Spawned {
    child: Child,
}

fn spawn(database: &str, files: &std::path::Path, extra: &[&str]) -> Spawned {
    let child = Command::new(env!("CARGO_BIN_EXE_portal"))
        .args([
            "--addr",
            "127.0.0.1:0",
            "--database-url",
            database,
            "--files",
        ])
        .arg(files)
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    Spawned { child }
}

impl Spawned {
    /// Waits for the line the portal prints once it listens (not for a timer).
    fn ready(mut self) -> Portal {
        let stdout = self.child.stdout.take().unwrap();
        let stderr = self.child.stderr.take().unwrap();
        let (tx, lines) = mpsc::channel();
        forward(stderr, tx);
        let mut out = BufReader::new(stdout).lines();
        let first = out.next().map(Result::unwrap);
        let mut portal = Portal {
            child: self.child,
            addr: String::new(),
            stderr: lines,
        };
        let Some(first) = first else {
            let _ = portal.child.wait();
            let said: Vec<String> = portal.stderr.iter().collect();
            panic!("the portal exited before listening: {said:?}");
        };
        portal.addr = listening_addr(&first);
        std::thread::spawn(move || for _ in out {});
        portal
    }
}

fn forward(stderr: ChildStderr, tx: mpsc::Sender<String>) {
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            eprintln!("portal: {line}");
            if tx.send(line).is_err() {
                break;
            }
        }
    });
}

impl Portal {
    /// Waits until the portal writes a line containing `what` to stderr.
    fn wait_for_stderr(&self, what: &str) {
        for line in self.stderr.iter() {
            if line.contains(what) {
                return;
            }
        }
        panic!("the portal never said `{what}`");
    }
}

fn sqlite_url(dir: &tempfile::TempDir) -> String {
    format!("sqlite://{}", dir.path().join("portal.db").display())
}

#[test]
fn sigterm_lets_an_upload_in_flight_finish_refuses_new_connections_and_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let mut portal = spawn(
        &sqlite_url(&dir),
        &dir.path().join("files"),
        &["--shutdown-grace", "60s"],
    )
    .ready();
    let addr = portal.addr.clone();
    let alice = login(&addr, "alice");
    let Reply {
        status, body: list, ..
    } = request(&addr, "GET", "/helpdesk/tickets", Some(&alice), None);
    assert_eq!(status, 200, "{list}");
    let id = list["tickets"][0]["id"].as_str().unwrap().to_owned();
    let version = list["tickets"][0]["version"].as_u64().unwrap();

    let boundary = "----portal-lifecycle";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"notes.txt\"\r\n\
         Content-Type: text/plain\r\n\r\n{}\r\n--{boundary}--\r\n",
        "ligne de journal\n".repeat(4096)
    );
    let (first, rest) = body.as_bytes().split_at(body.len() / 2);
    let mut upload = TcpStream::connect(&addr).unwrap();
    write!(
        upload,
        "POST /helpdesk/tickets/{id}/attachments HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\
         Cookie: {alice}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\n\
         Content-Length: {}\r\nExpect: 100-continue\r\n\r\n",
        body.len()
    )
    .unwrap();
    // The server asks for the body once the handler reads it: the request is in flight.
    let mut interim = [0u8; 25];
    upload.read_exact(&mut interim).unwrap();
    assert_eq!(&interim, b"HTTP/1.1 100 Continue\r\n\r\n");
    upload.write_all(first).unwrap();

    let killed = Command::new("kill")
        .args(["-TERM", &portal.child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    portal.wait_for_stderr("draining");
    match TcpStream::connect(&addr) {
        Err(e) => assert_eq!(e.kind(), ErrorKind::ConnectionRefused, "{e}"),
        Ok(_) => panic!("a connection made after SIGTERM was accepted"),
    }

    upload.write_all(rest).unwrap();
    let Reply {
        status,
        body: ticket,
        ..
    } = response(&mut upload);
    assert_eq!(status, 200, "the upload in flight completes: {ticket}");
    assert_eq!(
        ticket["version"].as_u64(),
        Some(version + 1),
        "the reply carrying the file is on the ticket: {ticket}"
    );
    let exit = portal.child.wait().unwrap();
    assert!(exit.success(), "the portal exits 0 after draining: {exit}");
}

#[test]
fn a_client_that_stalls_in_its_headers_is_disconnected() {
    let dir = tempfile::tempdir().unwrap();
    let portal = spawn(
        &sqlite_url(&dir),
        &dir.path().join("files"),
        &["--header-timeout", "200ms"],
    )
    .ready();
    let mut slow = TcpStream::connect(&portal.addr).unwrap();
    slow.write_all(b"GET /health/li").unwrap();
    // A safety net so a regression fails instead of hanging; not what is asserted.
    slow.set_read_timeout(Some(Duration::from_secs(120)))
        .unwrap();
    let mut answer = Vec::new();
    match slow.read_to_end(&mut answer) {
        Ok(_) => {}
        Err(e) if e.kind() == ErrorKind::ConnectionReset => {}
        Err(e) => panic!("the server kept the stalled connection open: {e}"),
    }
    let answer = String::from_utf8_lossy(&answer);
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
        "the stalled request got an answer: {answer}"
    );
    // The server still serves everyone else.
    let Reply {
        status, body: live, ..
    } = request(&portal.addr, "GET", "/health/live", None, None);
    assert_eq!((status, live), (200, json!({"status": "live"})));
}

/// Two portals started together on `database` both serve, with one set of demo data.
fn two_portals_seed_once(database: &str, dir: &tempfile::TempDir) {
    let a = spawn(database, &dir.path().join("files-a"), &[]);
    let b = spawn(database, &dir.path().join("files-b"), &[]);
    let (a, b) = (a.ready(), b.ready());
    for portal in [&a, &b] {
        let addr = portal.addr.as_str();
        let Reply {
            status,
            body: ready,
            ..
        } = request(addr, "GET", "/health/ready", None, None);
        assert_eq!((status, ready), (200, json!({"status": "ready"})));
        let carol = login(addr, "carol");
        let Reply { body: acme, .. } =
            request(addr, "GET", "/helpdesk/tickets", Some(&carol), None);
        assert_eq!(acme["tickets"].as_array().unwrap().len(), 2, "{acme}");
        let dave = login(addr, "dave");
        let Reply { body: globex, .. } =
            request(addr, "GET", "/helpdesk/tickets", Some(&dave), None);
        assert_eq!(globex["tickets"].as_array().unwrap().len(), 1, "{globex}");
        let root = login(addr, "root");
        let count = |path: &str| {
            let Reply {
                status, body: list, ..
            } = request(addr, "GET", path, Some(&root), None);
            assert_eq!(status, 200, "{path}: {list}");
            list.as_array().unwrap().len()
        };
        assert_eq!(count("/helpdesk/admin/tenants"), 2);
        assert_eq!(count("/helpdesk/admin/groups"), 2);
        assert_eq!(count("/helpdesk/admin/staff"), 3, "root, sam and sue once");
    }
}

#[test]
fn two_portals_started_at_once_on_an_empty_sqlite_file_both_serve_one_set_of_demo_data() {
    let dir = tempfile::tempdir().unwrap();
    two_portals_seed_once(&sqlite_url(&dir), &dir);
}

#[test]
fn two_portals_started_at_once_on_an_empty_postgres_database_both_serve_one_set_of_demo_data() {
    let Some(url) = pg::url("two_portals_started_at_once_on_an_empty_postgres_database") else {
        return;
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let database = runtime.block_on(pg::TestDatabase::create(&url));
    let db_url = format!(
        "postgres://{}@{}:{}/{}",
        database.options.get_username(),
        database.options.get_host(),
        database.options.get_port(),
        database.options.get_database().unwrap()
    );
    let dir = tempfile::tempdir().unwrap();
    two_portals_seed_once(&db_url, &dir);
    drop(database);
}

#[test]
fn a_request_still_in_flight_when_the_shutdown_grace_ends_is_cut_and_the_exit_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let mut portal = spawn(
        &sqlite_url(&dir),
        &dir.path().join("files"),
        &["--shutdown-grace", "100ms"],
    )
    .ready();
    let addr = portal.addr.clone();
    let alice = login(&addr, "alice");
    let mut stalled = TcpStream::connect(&addr).unwrap();
    write!(
        stalled,
        "POST /helpdesk/tickets HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\
         Cookie: {alice}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\
         Expect: 100-continue\r\n\r\n{{\"subject\""
    )
    .unwrap();
    let mut interim = [0u8; 25];
    stalled.read_exact(&mut interim).unwrap();
    assert_eq!(&interim, b"HTTP/1.1 100 Continue\r\n\r\n");

    let killed = Command::new("kill")
        .args(["-TERM", &portal.child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    // The client never finishes: the portal does not wait for it past the grace.
    let exit = portal.child.wait().unwrap();
    assert!(!exit.success(), "cut requests are reported: {exit}");
    assert_eq!(
        exit.code(),
        Some(1),
        "an orderly exit, not a signal: {exit}"
    );
    let mut rest = Vec::new();
    let _ = stalled.read_to_end(&mut rest);
    assert!(
        rest.is_empty(),
        "the cut request got no answer: {}",
        String::from_utf8_lossy(&rest)
    );
}

#[test]
fn configured_from_the_environment_it_logs_a_500s_cause_under_the_request_id_it_answers() {
    let dir = tempfile::tempdir().unwrap();
    let database = sqlite_url(&dir);
    let child = Command::new(env!("CARGO_BIN_EXE_portal"))
        .env("HELPDESK_ADDR", "127.0.0.1:0")
        .env("HELPDESK_DATABASE_URL", &database)
        .env("HELPDESK_FILES", dir.path().join("files"))
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let portal = Spawned { child }.ready();
    let alice = login(&portal.addr, "alice");

    // The database loses a table under the running portal.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let store = helpdesk_sqlx::SqliteStore::connect(&database)
            .await
            .unwrap();
        helpdesk_sqlx::sqlx::query("DROP TABLE helpdesk_saved_searches")
            .execute(store.pool())
            .await
            .unwrap();
    });
    let Reply {
        status,
        headers,
        body: problem,
    } = request(
        &portal.addr,
        "GET",
        "/helpdesk/saved-searches",
        Some(&alice),
        None,
    );

    assert_eq!(status, 500, "{problem}");
    let id = headers
        .iter()
        .find_map(|(name, value)| {
            name.eq_ignore_ascii_case("x-request-id")
                .then(|| value.to_owned())
        })
        .expect("an X-Request-Id header");
    assert_eq!(problem["request_id"], id.as_str(), "{problem}");
    let logged = portal
        .stderr
        .iter()
        .find(|line| line.contains(&format!("request_id={id}")) && line.contains("ERROR"))
        .expect("the cause is logged under the request id");
    assert!(logged.contains("storage failure"), "{logged}");
    assert!(logged.contains("helpdesk_saved_searches"), "{logged}");
}
