//! The portal as a real process: start it on a free port with a fresh SQLite file, log
//! in over HTTP with cookies, and drive the vendor manual's closure scenario.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use serde_json::json;
use support::{Reply, listening_addr, login, request};

struct Portal {
    child: Child,
    addr: String,
    /// What the portal prints after its first line, line by line.
    stdout: std::sync::mpsc::Receiver<String>,
    _dir: tempfile::TempDir,
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
    let mut child = Command::new(env!("CARGO_BIN_EXE_portal"))
        .args(["--addr", "127.0.0.1:0", "--database-url", &db, "--files"])
        .arg(dir.path().join("files"))
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    // The portal prints its URL once it listens: wait for that line, not for a timer.
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let first = lines.next().expect("the portal printed nothing").unwrap();
    let addr = listening_addr(&first);
    let (tx, stdout) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    Portal {
        child,
        addr,
        stdout,
        _dir: dir,
    }
}

#[test]
fn the_vendor_closure_scenario_over_http_with_cookies() {
    let portal = start();
    let addr = portal.addr.as_str();

    let wrong = request(
        addr,
        "POST",
        "/login",
        None,
        Some(&json!({"login": "alice", "password": "nope"})),
    );
    assert_eq!(wrong.status, 401);
    let anonymous = request(addr, "GET", "/helpdesk/tickets", None, None);
    assert_eq!(anonymous.status, 401);

    let alice = login(&portal.addr, "alice");
    let sam = login(&portal.addr, "sam");

    // The demo's acme asks for the school: a ticket without it is refused, naming it.
    let without_school = request(
        addr,
        "POST",
        "/helpdesk/tickets",
        Some(&alice),
        Some(
            &json!({"subject": "Fichier de rechargement refusé", "description": "<p>Bonjour, merci de nous dépanner</p>"}),
        ),
    );
    assert_eq!(without_school.status, 422, "{}", without_school.body);
    assert_eq!(without_school.body["field"], "custom_fields.school");
    let opened = request(
        addr,
        "POST",
        "/helpdesk/tickets",
        Some(&alice),
        Some(
            &json!({"subject": "Fichier de rechargement refusé", "description": "<p>Bonjour, merci de nous dépanner</p>",
                    "custom_fields": {"school": "Lycée Jean Moulin"}}),
        ),
    );
    assert_eq!(opened.status, 201, "{}", opened.body);
    let id = opened.body["id"].as_str().unwrap().to_owned();
    let t = |suffix: &str| format!("/helpdesk/tickets/{id}{suffix}");

    let reply = request(
        addr,
        "POST",
        &t("/replies"),
        Some(&sam),
        Some(&json!({"body": "Nous regardons."})),
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    let asked = request(
        addr,
        "POST",
        &t("/information-request"),
        Some(&sam),
        Some(&json!({"body": "Quel allocataire ?"})),
    );
    assert_eq!(
        asked.body["state"]["status"], "waiting_on_requester",
        "{}",
        asked.body
    );
    let answered = request(
        addr,
        "POST",
        &t("/replies"),
        Some(&alice),
        Some(&json!({"body": "Dupont"})),
    );
    assert_eq!(
        answered.body["state"]["status"], "in_progress",
        "{}",
        answered.body
    );
    let proposed = request(
        addr,
        "POST",
        &t("/closure"),
        Some(&sam),
        Some(&json!({"body": "Corrigé."})),
    );
    assert_eq!(
        proposed.body["state"]["status"], "pending_closure",
        "{}",
        proposed.body
    );
    let refused = request(
        addr,
        "POST",
        &t("/closure/refusal"),
        Some(&alice),
        Some(&json!({"body": "Toujours en erreur."})),
    );
    assert_eq!(
        refused.body["state"]["status"], "in_progress",
        "{}",
        refused.body
    );
    let again = request(
        addr,
        "POST",
        &t("/closure"),
        Some(&sam),
        Some(&json!({"body": "Corrigé pour de bon."})),
    );
    assert_eq!(
        again.body["state"]["status"], "pending_closure",
        "{}",
        again.body
    );
    let approved = request(
        addr,
        "POST",
        &t("/closure/approval"),
        Some(&alice),
        Some(
            &json!({"answers": {"overall": 9, "processing_time": "satisfied", "comment": "Merci"}}),
        ),
    );
    assert_eq!(approved.status, 200, "{}", approved.body);
    assert_eq!(approved.body["state"]["status"], "closed");

    let view = request(addr, "GET", &t(""), Some(&alice), None);
    assert_eq!(view.body["status_label"], "Clôturée");
    let kinds: Vec<&str> = view.body["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"]["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "opened",
            "replied",
            "information_requested",
            "replied",
            "closure_proposed",
            "closure_refused",
            "closure_proposed",
            "closure_approved"
        ]
    );

    let logout = request(addr, "POST", "/logout", Some(&alice), None);
    assert_eq!(logout.status, 204);
    let after = request(addr, "GET", "/helpdesk/tickets", Some(&alice), None);
    assert_eq!(after.status, 401);
}

#[test]
fn the_running_portal_serves_an_openapi_document_listing_every_route() {
    let portal = start();
    let doc = request(&portal.addr, "GET", "/helpdesk/openapi.json", None, None);
    assert_eq!(doc.status, 200);
    assert!(doc.body["openapi"].as_str().unwrap().starts_with("3.1"));
    let paths = doc.body["paths"].as_object().unwrap();
    assert!(paths.len() >= 35, "{} paths", paths.len());
    for path in [
        "/tickets",
        "/tickets/{id}/closure/approval",
        "/export.csv",
        "/admin/tenants",
        "/kb/suggestions",
    ] {
        assert!(paths.contains_key(path), "{path}");
    }
}

#[test]
fn demo_data_is_there_on_first_start() {
    let portal = start();
    let carol = login(&portal.addr, "carol");
    let list = request(&portal.addr, "GET", "/helpdesk/tickets", Some(&carol), None);
    assert_eq!(list.status, 200, "{}", list.body);
    assert_eq!(
        list.body["tickets"].as_array().unwrap().len(),
        2,
        "acme has two demo tickets"
    );
    let dave = login(&portal.addr, "dave");
    let his = request(&portal.addr, "GET", "/helpdesk/tickets", Some(&dave), None);
    assert_eq!(his.body["tickets"].as_array().unwrap().len(), 1);
}

#[test]
fn without_a_mail_server_every_notification_is_written_to_stdout() {
    let portal = start();
    let addr = portal.addr.as_str();
    let alice = login(addr, "alice");
    let sam = login(addr, "sam");
    let opened = request(
        addr,
        "POST",
        "/helpdesk/tickets",
        Some(&alice),
        Some(
            &json!({"subject": "Badge refusé", "description": "<p>Mon badge ne passe plus</p>",
            "custom_fields": {"school": "Lycée Jean Moulin"}}),
        ),
    );
    assert_eq!(opened.status, 201, "{}", opened.body);
    let id = opened.body["id"].as_str().unwrap();
    let number = opened.body["number"].as_u64().unwrap();
    let reply = request(
        addr,
        "POST",
        &format!("/helpdesk/tickets/{id}/replies"),
        Some(&sam),
        Some(&json!({"body": "Nous regardons."})),
    );
    assert_eq!(reply.status, 200, "{}", reply.body);

    // The worker's next pass (every 5 s) writes it out; wait for that line.
    let wanted = format!("ticket n°{number} \"Badge refusé\" (replied)");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        let line = portal
            .stdout
            .recv_timeout(left)
            .expect("the reply's notification was never written out");
        if line.contains(&wanted) {
            assert!(line.starts_with("notification to Alice"), "{line}");
            break;
        }
    }
}

fn try_login(portal: &Portal, login: &str, password: &str) -> Reply {
    request(
        &portal.addr,
        "POST",
        "/login",
        None,
        Some(&json!({"login": login, "password": password})),
    )
}

#[test]
fn repeated_login_failures_are_throttled_alike_for_known_and_unknown_logins() {
    let portal = start();
    // Five tries per login name, whether the login exists or not.
    for (login, password) in [("alice", "wrong"), ("nobody", "demo")] {
        let mut failures = Vec::new();
        for _ in 0..5 {
            failures.push(try_login(&portal, login, password));
        }
        assert!(
            failures.iter().all(|r| r.status == 401),
            "{login}: {:?}",
            failures.iter().map(|r| r.status).collect::<Vec<_>>()
        );
        assert_eq!(
            failures[0].body,
            json!({"error": "unknown login or wrong password"})
        );
        let throttled = try_login(&portal, login, password);
        assert_eq!(throttled.status, 429, "{login}: {}", throttled.body);
        let wait: u64 = throttled
            .header("retry-after")
            .expect("Retry-After on 429")
            .parse()
            .unwrap();
        assert!((1..=20).contains(&wait), "{login}: Retry-After {wait}");
    }
    // Even the right password waits now: the throttle does not tell guesses apart.
    assert_eq!(try_login(&portal, "alice", "demo").status, 429);
    // Another login is not held back by alice's.
    assert_eq!(try_login(&portal, "sam", "demo").status, 200);
}

#[test]
fn many_logins_from_one_address_are_throttled() {
    let portal = start();
    // Each name is tried once: only the per-address limit can refuse them.
    let statuses: Vec<u16> = (0..100)
        .map(|i| try_login(&portal, &format!("guess{i}"), "demo").status)
        .take_while(|status| *status != 429)
        .collect();
    assert!(
        statuses.len() >= 30 && statuses.len() < 100,
        "30 attempts from one address, then 429: {} before the first 429",
        statuses.len()
    );
    assert!(statuses.iter().all(|s| *s == 401));
}
