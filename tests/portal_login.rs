//! The portal's login as a browser meets it: the HTML form at `/login`, where a form
//! login leads, the pages' redirection to it, logging out, and sessions kept in the
//! portal's database, so two portal processes on one database (SQLite file or
//! PostgreSQL) and a restarted portal accept the same session, and a logout ends it
//! on all of them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[allow(dead_code, unreachable_pub)]
#[path = "../helpdesk-sqlx/tests/support/postgres.rs"]
mod pg;
mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use support::listening_addr;

/// A portal process, killed when dropped.
struct Portal {
    child: Child,
    addr: String,
}

impl Drop for Portal {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts a portal on `database` and waits for the line it prints once it listens.
fn start(database: &str, files: &Path, extra: &[&str]) -> Portal {
    let mut child = Command::new(env!("CARGO_BIN_EXE_portal"))
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
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let first = lines.next().expect("the portal printed nothing").unwrap();
    let addr = listening_addr(&first);
    std::thread::spawn(move || for _ in lines {});
    Portal { child, addr }
}

/// A portal on a fresh SQLite file in `dir`.
fn start_in(dir: &tempfile::TempDir, extra: &[&str]) -> Portal {
    start(&sqlite_url(dir), &dir.path().join("files"), extra)
}

fn sqlite_url(dir: &tempfile::TempDir) -> String {
    format!("sqlite://{}", dir.path().join("portal.db").display())
}

#[derive(Debug)]
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The `name=value` part of the `Set-Cookie` that sets `name`.
    fn cookie(&self, name: &str) -> Option<&str> {
        self.set_cookie(name)
            .map(|c| c.split(';').next().unwrap().trim())
    }

    /// The whole `Set-Cookie` line that sets `name`.
    fn set_cookie(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("set-cookie"))
            .map(|(_, v)| v.as_str())
            .find(|v| v.starts_with(&format!("{name}=")))
    }
}

/// A minimal HTTP/1.1 exchange, one request per connection.
fn send(addr: &str, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Reply {
    let mut stream = TcpStream::connect(addr).unwrap();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body.as_bytes()).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let mut lines = head.lines();
    let status = lines.next().unwrap().split(' ').nth(1).unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let chunked = headers
        .iter()
        .any(|(n, v)| n.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    Reply {
        status: status.parse().unwrap(),
        headers,
        body: if chunked {
            dechunk(body)
        } else {
            body.to_owned()
        },
    }
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.push_str(&rest[..size]);
        body = &rest[size + 2..];
    }
    out
}

fn get(addr: &str, path: &str, cookie: Option<&str>) -> Reply {
    match cookie {
        Some(cookie) => send(addr, "GET", path, &[("Cookie", cookie)], ""),
        None => send(addr, "GET", path, &[], ""),
    }
}

/// Posts the login form as a browser does.
fn form_login(addr: &str, login: &str, password: &str, next: &str) -> Reply {
    let body = format!(
        "login={login}&password={password}&next={}",
        next.replace('%', "%25")
            .replace('/', "%2F")
            .replace(':', "%3A")
            .replace('?', "%3F")
            .replace('&', "%26")
            .replace('=', "%3D")
    );
    send(
        addr,
        "POST",
        "/login",
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Origin", &format!("http://{addr}")),
        ],
        &body,
    )
}

/// Logs `who` in with the form; the session cookie (`portal_session=...`).
fn logged_in(addr: &str, who: &str) -> String {
    let reply = form_login(addr, who, "demo", "/");
    assert_eq!(reply.status, 303, "login {who}: {reply:?}");
    reply.cookie("portal_session").unwrap().to_owned()
}

/// Whether `cookie` is a session `addr` accepts, asked of the JSON API and the pages.
fn accepted(addr: &str, cookie: &str) -> bool {
    let api = get(addr, "/helpdesk/tickets", Some(cookie)).status;
    let page = get(addr, "/", Some(cookie)).status;
    assert_eq!(api == 200, page == 200, "API {api}, page {page}");
    api == 200
}

#[test]
fn the_login_page_is_an_html_form_with_the_demo_logins_in_the_visitors_language() {
    let dir = tempfile::tempdir().unwrap();
    let portal = start_in(&dir, &[]);
    let page = send(
        &portal.addr,
        "GET",
        "/login?next=%2Ftickets",
        &[("Accept-Language", "en-GB,en;q=0.9,fr;q=0.5")],
        "",
    );
    assert_eq!(page.status, 200);
    assert!(
        page.header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    let csp = page.header("content-security-policy").unwrap();
    assert!(csp.contains("script-src 'self'") && csp.contains("style-src 'self'"));
    let html = &page.body;
    for piece in [
        "<html lang=\"en\"",
        "<form method=\"post\" action=\"/login\">",
        "name=\"login\"",
        "type=\"password\" id=\"password\" name=\"password\"",
        "type=\"hidden\" name=\"next\" value=\"/tickets\"",
        "<button type=\"submit\">Log in</button>",
        "<label for=\"login\">",
        "<label for=\"password\">",
        "href=\"/assets/helpdesk.css\"",
        "<code>demo</code>",
        "<code>alice</code>",
        "<code>root</code>",
    ] {
        assert!(html.contains(piece), "{piece} missing from {html}");
    }
    assert!(!html.contains("<script") && !html.contains("style="));
    // The style sheet it links is served.
    let css = get(&portal.addr, "/assets/helpdesk.css", None);
    assert_eq!(css.status, 200);

    let french = send(
        &portal.addr,
        "GET",
        "/login",
        &[("Accept-Language", "fr-FR")],
        "",
    );
    assert!(french.body.contains("<html lang=\"fr\""));
    assert!(french.body.contains("Se connecter"));
    assert!(french.body.contains("name=\"next\" value=\"/\""));
}

#[test]
fn a_visitor_without_a_session_is_sent_to_the_login_page_and_back_after_logging_in() {
    let dir = tempfile::tempdir().unwrap();
    let portal = start_in(&dir, &[]);
    let addr = portal.addr.as_str();
    let home = get(addr, "/", None);
    assert_eq!(home.status, 303);
    assert_eq!(home.header("location"), Some("/login?next=%2F"));

    let login = form_login(addr, "alice", "demo", "/tickets");
    assert_eq!(login.status, 303, "{login:?}");
    assert_eq!(login.header("location"), Some("/tickets"));
    let set = login.set_cookie("portal_session").unwrap();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Lax"),
        "{set}"
    );
    assert!(!set.contains("Secure"), "plain HTTP: {set}");
    let cookie = login.cookie("portal_session").unwrap();

    let home = get(addr, "/", Some(cookie));
    assert_eq!(home.status, 200, "{}", home.body);
    assert!(home.body.contains("Portail d'assistance"));
    // The navigation's log-out button posts to the portal's route.
    assert!(home.body.contains("action=\"/logout\""));
    let tickets = get(addr, "/tickets", Some(cookie));
    assert_eq!(tickets.status, 200);
    // Already logged in: the login page goes straight on.
    let again = get(addr, "/login?next=%2Ftickets", Some(cookie));
    assert_eq!(again.status, 303);
    assert_eq!(again.header("location"), Some("/tickets"));
}

#[test]
fn a_wrong_password_shows_the_form_again_with_401_keeping_the_login() {
    let dir = tempfile::tempdir().unwrap();
    let portal = start_in(&dir, &[]);
    let reply = form_login(&portal.addr, "alice", "nope", "/tickets");
    assert_eq!(reply.status, 401);
    assert!(reply.set_cookie("portal_session").is_none());
    assert!(
        reply
            .header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    let html = &reply.body;
    assert!(html.contains("role=\"alert\""), "{html}");
    assert!(html.contains("name=\"login\" value=\"alice\""), "{html}");
    assert!(html.contains("name=\"next\" value=\"/tickets\""), "{html}");
    assert!(!html.contains("nope"), "the password is not sent back");
}

#[test]
fn next_leading_to_another_site_leads_home_instead() {
    let dir = tempfile::tempdir().unwrap();
    let portal = start_in(&dir, &[]);
    for next in [
        "//evil.example",
        "https://evil.example/",
        "/\\evil.example",
        "tickets",
    ] {
        let reply = form_login(&portal.addr, "alice", "demo", next);
        assert_eq!(reply.status, 303, "{next}: {reply:?}");
        assert_eq!(reply.header("location"), Some("/"), "{next}");
    }
}

#[test]
fn a_login_form_posted_from_another_site_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let portal = start_in(&dir, &[]);
    let reply = send(
        &portal.addr,
        "POST",
        "/login",
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Origin", "https://evil.example"),
        ],
        "login=alice&password=demo&next=%2F",
    );
    assert_eq!(reply.status, 403);
    assert!(reply.set_cookie("portal_session").is_none());
}

#[test]
fn repeated_form_failures_get_a_429_page_with_retry_after() {
    let dir = tempfile::tempdir().unwrap();
    let portal = start_in(&dir, &[]);
    for _ in 0..5 {
        assert_eq!(form_login(&portal.addr, "bob", "wrong", "/").status, 401);
    }
    let throttled = form_login(&portal.addr, "bob", "wrong", "/");
    assert_eq!(throttled.status, 429);
    let wait: u64 = throttled.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=20).contains(&wait), "Retry-After {wait}");
    assert!(
        throttled
            .header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    assert!(
        throttled.body.contains(&format!(" {wait} ")),
        "{}",
        throttled.body
    );
    assert!(throttled.body.contains("name=\"login\" value=\"bob\""));
}

#[test]
fn unknown_pages_get_the_pages_404_and_unknown_api_routes_a_problem() {
    let dir = tempfile::tempdir().unwrap();
    let portal = start_in(&dir, &[]);
    let cookie = logged_in(&portal.addr, "alice");
    let page = get(&portal.addr, "/no-such-page", Some(&cookie));
    assert_eq!(page.status, 404);
    assert!(
        page.header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    let api = get(&portal.addr, "/helpdesk/no-such-route", Some(&cookie));
    assert_eq!(api.status, 404);
    assert_eq!(api.header("content-type"), Some("application/problem+json"));
    assert_eq!(get(&portal.addr, "/health/live", None).status, 200);
}

#[test]
fn logging_out_with_the_form_ends_the_session_and_goes_to_the_login_page() {
    let dir = tempfile::tempdir().unwrap();
    let portal = start_in(&dir, &[]);
    let addr = portal.addr.as_str();
    let cookie = logged_in(addr, "carol");
    assert!(accepted(addr, &cookie));
    let out = send(
        addr,
        "POST",
        "/logout",
        &[
            ("Cookie", &cookie),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        "",
    );
    assert_eq!(out.status, 303);
    assert_eq!(out.header("location"), Some("/login"));
    let cleared = out.set_cookie("portal_session").unwrap();
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    assert!(!accepted(addr, &cookie));
}

#[test]
fn with_secure_cookies_the_session_and_form_cookies_are_secure() {
    let dir = tempfile::tempdir().unwrap();
    let portal = start_in(&dir, &["--secure-cookies"]);
    let login = form_login(&portal.addr, "alice", "demo", "/");
    let set = login.set_cookie("portal_session").unwrap();
    assert!(set.contains("; Secure"), "{set}");
    let cookie = login.cookie("portal_session").unwrap();
    let home = get(&portal.addr, "/", Some(cookie));
    assert_eq!(home.status, 200);
    let token = home.set_cookie("hd_form_token").unwrap();
    assert!(token.contains("Secure"), "{token}");
}

/// A session opened on one portal is accepted by another on the same database and by
/// a portal restarted on it; a logout on one ends it everywhere.
fn sessions_are_shared(database: &str, dir: &tempfile::TempDir) {
    let files = dir.path().join("files");
    let a = start(database, &files, &[]);
    let b = start(database, &files, &[]);
    let alice = logged_in(&a.addr, "alice");
    let dave = logged_in(&b.addr, "dave");
    for portal in [&a, &b] {
        assert!(accepted(&portal.addr, &alice), "alice on {}", portal.addr);
        assert!(accepted(&portal.addr, &dave), "dave on {}", portal.addr);
    }

    drop(a);
    let restarted = start(database, &files, &[]);
    assert!(accepted(&restarted.addr, &alice), "after a restart");

    let out = send(&b.addr, "POST", "/logout", &[("Cookie", &alice)], "");
    assert_eq!(out.status, 204, "an API caller's logout");
    assert!(!accepted(&restarted.addr, &alice));
    assert!(!accepted(&b.addr, &alice));
    // Someone else's session is untouched.
    assert!(accepted(&restarted.addr, &dave));
}

#[test]
fn two_portals_on_one_sqlite_file_and_a_restarted_one_share_sessions() {
    let dir = tempfile::tempdir().unwrap();
    sessions_are_shared(&sqlite_url(&dir), &dir);
}

#[test]
fn two_portals_on_one_postgres_database_and_a_restarted_one_share_sessions() {
    let Some(url) = pg::url("two_portals_on_one_postgres_database_share_sessions") else {
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
    sessions_are_shared(&db_url, &dir);
    drop(database);
}
