//! Replies by mail to the portal as a real process: `POST /mail/inbound` behind the
//! inbound secret, and `portal receive-mail` reading a message on stdin with its
//! sysexits exit codes, both on one SQLite file.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

use chrono::{Duration, Utc};
use helpdesk_core::{ContactRef, MemberId, TicketId};
use helpdesk_mail::ReplySigner;
use serde_json::json;
use support::{Reply, free_port, listening_addr, login, request, response};

const REPLY_SECRET: &str = "reply secret of the e2e test, 32 chars and more";
const INBOUND_SECRET: &str = "inbound secret of the e2e test";

struct Portal {
    child: Child,
    addr: String,
    db: String,
    dir: tempfile::TempDir,
}

impl Drop for Portal {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start() -> Portal {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("portal.db").display());
    let child = Command::new(env!("CARGO_BIN_EXE_portal"))
        .args(["--addr", "127.0.0.1:0", "--database-url", &db, "--files"])
        .arg(dir.path().join("files"))
        .env("HELPDESK_REPLY_SECRET", REPLY_SECRET)
        .env("HELPDESK_INBOUND_SECRET", INBOUND_SECRET)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    // Owned from here on, so a failed assertion below still kills it.
    let mut portal = Portal {
        child,
        addr: String::new(),
        db,
        dir,
    };
    let stdout = portal.child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let first = lines.next().expect("the portal printed nothing").unwrap();
    portal.addr = listening_addr(&first);
    // The banner ends with the mail lines.
    let inbound = lines
        .by_ref()
        .map_while(Result::ok)
        .find(|l| l.contains("inbound:"))
        .expect("an inbound line in the banner");
    assert!(inbound.contains("POST /mail/inbound"), "{inbound}");
    std::thread::spawn(move || for _ in lines.map_while(Result::ok) {});
    portal
}

/// The portal's default reply address: `support@` the default From's domain.
fn signer() -> ReplySigner {
    ReplySigner::new(
        REPLY_SECRET.as_bytes(),
        "support@localhost",
        Duration::days(90),
    )
    .unwrap()
}

fn mail(to: &str, message_id: &str, body: &str) -> Vec<u8> {
    format!(
        "From: Alice <alice@example.org>\r\nTo: {to}\r\nSubject: Re: demande\r\n\
         Message-ID: {message_id}\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n\r\n\
         Le lun. 30 nov. 2026 à 10:00, Support <{to}> a écrit :\r\n> Bonjour\r\n"
    )
    .into_bytes()
}

fn post_mail(addr: &str, auth: Option<&str>, raw: &[u8]) -> Reply {
    let mut stream = TcpStream::connect(addr).unwrap();
    let mut head = format!(
        "POST /mail/inbound HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\
         Content-Type: message/rfc822\r\nContent-Length: {}\r\n",
        raw.len()
    );
    if let Some(auth) = auth {
        head.push_str(&format!("Authorization: {auth}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(raw).unwrap();
    response(&mut stream)
}

/// Runs `portal receive-mail` on `database` with `raw` on stdin: its exit code.
fn receive(portal: &Portal, database: &str, raw: &[u8]) -> i32 {
    let mut child = Command::new(env!("CARGO_BIN_EXE_portal"))
        .args(["--database-url", database, "--files"])
        .arg(portal.dir.path().join("files"))
        .arg("receive-mail")
        .env("HELPDESK_REPLY_SECRET", REPLY_SECRET)
        .env_remove("HELPDESK_INBOUND_SECRET")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(raw).unwrap();
    child.wait().unwrap().code().unwrap()
}

#[test]
fn replies_by_mail_reach_the_ticket_over_http_and_through_the_pipe() {
    let portal = start();
    let addr = portal.addr.as_str();
    let alice = login(addr, "alice");
    let opened = request(
        addr,
        "POST",
        "/helpdesk/tickets",
        Some(&alice),
        Some(
            &json!({"subject": "Imprimante", "description": "<p>Bloquée</p>",
                     "custom_fields": {"school": "Lycée Jean Moulin"}}),
        ),
    );
    assert_eq!(opened.status, 201, "{}", opened.body);
    let ticket: TicketId = opened.body["id"].as_str().unwrap().parse().unwrap();
    let requester: MemberId = opened.body["requester"].as_str().unwrap().parse().unwrap();
    let to = signer().reply_address(ticket, ContactRef::Member(requester), Utc::now());
    let replies = || {
        let view = request(
            addr,
            "GET",
            &format!("/helpdesk/tickets/{ticket}"),
            Some(&alice),
            None,
        );
        view.body["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["kind"]["type"] == "replied" || e["kind"].get("replied").is_some())
            .count()
    };

    // Over HTTP: the MTA's secret, or nothing happens.
    let raw = mail(&to, "<http-1@acme.example>", "Par la route HTTP.");
    assert_eq!(post_mail(addr, None, &raw).status, 401);
    assert_eq!(
        post_mail(addr, Some("Bearer wrong secret"), &raw).status,
        401
    );
    assert_eq!(replies(), 0);
    let auth = format!("Bearer {INBOUND_SECRET}");
    let accepted = post_mail(addr, Some(&auth), &raw);
    assert_eq!(accepted.status, 202, "{}", accepted.body);
    assert_eq!(accepted.body["ticket"], ticket.to_string());
    assert_eq!(replies(), 1);
    let again = post_mail(addr, Some(&auth), &raw);
    assert_eq!(again.status, 422);
    assert_eq!(again.body["code"], "already_processed");

    // Through the pipe, on the same database.
    let raw = mail(&to, "<pipe-1@acme.example>", "Par le tuyau.");
    assert_eq!(receive(&portal, &portal.db, &raw), 0, "accepted");
    assert_eq!(replies(), 2);
    assert_eq!(
        receive(&portal, &portal.db, &raw),
        0,
        "a replay is dropped quietly"
    );
    let auto = [
        b"Auto-Submitted: auto-replied\r\n".as_slice(),
        &mail(&to, "<auto@acme.example>", "Absente"),
    ]
    .concat();
    assert_eq!(
        receive(&portal, &portal.db, &auto),
        0,
        "an auto-reply is dropped quietly"
    );
    let nobody = mail("someone@acme.example", "<nobody@acme.example>", "Hello");
    assert_eq!(
        receive(&portal, &portal.db, &nobody),
        67,
        "no reply address of ours"
    );
    let forged = ReplySigner::new(&[9; 32], "support@localhost", Duration::days(1))
        .unwrap()
        .reply_address(ticket, ContactRef::Member(requester), Utc::now());
    let raw = mail(&forged, "<forged@acme.example>", "Hello");
    assert_eq!(receive(&portal, &portal.db, &raw), 77, "a forged address");
    let unreachable = format!("postgres://postgres@127.0.0.1:{}/test", free_port());
    let raw = mail(&to, "<down@acme.example>", "Hello");
    assert_eq!(
        receive(&portal, &unreachable, &raw),
        75,
        "the database is down"
    );
    assert_eq!(replies(), 2);
}
