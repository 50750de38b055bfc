//! The smallest host, run as a process the way a newcomer runs it: its JSON API answers
//! a requester known only by the host's login, keeps their tickets across a restart, and
//! the code that embeds the helpdesk stays as short as the README says.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

const MAIN: &str = include_str!("../src/main.rs");
const README: &str = include_str!("../../../README.md");

/// The host process, killed when dropped.
struct Host(Child);

impl Drop for Host {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Starts the host in `dir` (where its `host.db` lives) and waits until it accepts
/// connections.
fn start(dir: &Path, port: u16) -> Host {
    let child = Command::new(env!("CARGO_BIN_EXE_helpdesk-example-host"))
        .arg(format!("127.0.0.1:{port}"))
        .current_dir(dir)
        .spawn()
        .expect("the host starts");
    let mut host = Host(child);
    let deadline = Instant::now() + Duration::from_secs(60);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Some(status) = host.0.try_wait().expect("host status") {
            panic!("the host exited before listening: {status}");
        }
        assert!(
            Instant::now() < deadline,
            "the host never listened on {port}"
        );
        // Waiting for a process to bind its port: there is nothing to block on.
        std::thread::sleep(Duration::from_millis(50));
    }
    host
}

/// One HTTP/1.1 request with the host's login headers; the status and the body.
fn call(
    port: u16,
    method: &str,
    path: &str,
    user: Option<&str>,
    body: Option<&str>,
) -> (u16, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    let mut request =
        format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
    if let Some(user) = user {
        request.push_str(&format!("X-User: {user}\r\nX-Tenant: acme\r\n"));
    }
    let body = body.unwrap_or("");
    if !body.is_empty() {
        request.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).expect("send");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("read");
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

/// The value of `"key":"..."` in a JSON text (the first one).
fn string_field<'a>(json: &'a str, key: &str) -> &'a str {
    let start = json.find(&format!("\"{key}\":\"")).expect(key) + key.len() + 4;
    let end = json[start..].find('"').expect("closing quote") + start;
    &json[start..end]
}

#[test]
fn a_requester_of_the_host_opens_lists_and_replies_and_finds_it_after_a_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let port = free_port();
    let host = start(dir.path(), port);

    let (status, body) = call(port, "GET", "/helpdesk/tickets", None, None);
    assert_eq!(status, 401, "no login, no helpdesk: {body}");
    assert!(body.contains("\"code\":\"unauthenticated\""), "{body}");

    let (status, opened) = call(
        port,
        "POST",
        "/helpdesk/tickets",
        Some("alice"),
        Some(r#"{"subject":"Imprimante bloquée","description":"<p>Salle 12</p>"}"#),
    );
    assert_eq!(status, 201, "{opened}");
    let id = string_field(&opened, "id").to_owned();
    assert!(opened.contains("\"number\":1"), "{opened}");

    let (status, reply) = call(
        port,
        "POST",
        &format!("/helpdesk/tickets/{id}/replies"),
        Some("alice"),
        Some(r#"{"body":"<p>Toujours bloquée ce matin.</p>"}"#),
    );
    assert_eq!(status, 200, "{reply}");

    // Another requester of the tenant does not see Alice's ticket.
    let (status, theirs) = call(port, "GET", "/helpdesk/tickets", Some("bob"), None);
    assert_eq!(status, 200, "{theirs}");
    assert!(theirs.contains("\"total\":0"), "{theirs}");

    drop(host);
    let _host = start(dir.path(), port);
    let (status, view) = call(
        port,
        "GET",
        &format!("/helpdesk/tickets/{id}"),
        Some("alice"),
        None,
    );
    assert_eq!(status, 200, "{view}");
    assert!(
        view.contains("Toujours bloquée ce matin."),
        "the reply survived: {view}"
    );
    assert!(
        view.contains("\"alice\""),
        "the host's name for her: {view}"
    );
}

/// The lines that embed the helpdesk, beyond the host's own login: every line of
/// `main.rs` that is neither blank nor a comment, except the login (`HeaderLogin`, its
/// `Identify` impl and the `Parts` import it alone uses).
fn embedding_lines(main: &str) -> Vec<String> {
    let login_start = main.find("// The host's own login").expect("login marker");
    let login_end = main.find("// The helpdesk:").expect("helpdesk marker");
    let outside_login = format!("{}{}", &main[..login_start], &main[login_end..]);
    outside_login
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("//") && !l.contains("request::Parts"))
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_readme_shows_this_host_and_it_embeds_the_helpdesk_in_at_most_25_lines() {
    assert!(
        README.contains(MAIN),
        "README.md must show examples/host/src/main.rs verbatim"
    );
    let lines = embedding_lines(MAIN);
    assert!(
        lines.len() <= 25,
        "{} lines embed the helpdesk:\n{}",
        lines.len(),
        lines.join("\n")
    );
}
