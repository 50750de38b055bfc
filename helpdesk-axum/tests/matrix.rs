//! The access-control matrix: for every route and every kind of caller, the status the
//! rules demand.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use axum::http::StatusCode;
use helpdesk_core::{Actor, Answer, NewTicket, TicketId};
use serde_json::{Value, json};
use support::*;

/// The kinds of caller, each with who they are on the matrix ticket (alice's, routed to
/// the Software group, with bob invited when the caller is the guest).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Owner,
    Colleague,
    Guest,
    TenantAdmin,
    Agent,
    AgentOfAnotherGroup,
    Supervisor,
    PlatformAdmin,
    OtherTenant,
    Blocked,
    Anonymous,
}

const KINDS: [Kind; 11] = [
    Kind::Owner,
    Kind::Colleague,
    Kind::Guest,
    Kind::TenantAdmin,
    Kind::Agent,
    Kind::AgentOfAnotherGroup,
    Kind::Supervisor,
    Kind::PlatformAdmin,
    Kind::OtherTenant,
    Kind::Blocked,
    Kind::Anonymous,
];

fn caller(kind: Kind) -> Option<(&'static str, Option<&'static str>)> {
    match kind {
        Kind::Owner => Some(ALICE),
        Kind::Colleague | Kind::Guest => Some(BOB),
        Kind::TenantAdmin => Some(CAROL),
        Kind::Agent => Some(SAM),
        Kind::AgentOfAnotherGroup => Some(OTTO),
        Kind::Supervisor => Some(SUE),
        Kind::PlatformAdmin => Some(ROOT),
        Kind::OtherTenant => Some(DAVE),
        Kind::Blocked => Some(BLOCKED),
        Kind::Anonymous => None,
    }
}

/// The state the ticket is put in before the call.
#[derive(Clone, Copy)]
enum Before {
    New,
    PendingClosure,
    Closed,
}

async fn ticket(h: &Host, kind: Kind, before: Before) -> TicketId {
    let alice = h.actor(ALICE).await;
    let sam = h.actor(SAM).await;
    let draft = NewTicket {
        subject: "Logiciel en panne".into(),
        description: "<p>Il ne démarre plus</p>".into(),
        category: Some(h.software_category),
        ..NewTicket::default()
    };
    let t = h.service.open(&alice, h.acme, draft, vec![]).await.unwrap();
    if kind == Kind::Guest {
        let bob = h.actor(BOB).await;
        let Actor::Member(bob) = bob else {
            unreachable!()
        };
        h.service
            .invite_guest(&alice, t.id, None, bob.id)
            .await
            .unwrap();
    }
    if matches!(before, Before::PendingClosure | Before::Closed) {
        h.service
            .propose_closure(&sam, t.id, None, "fixed")
            .await
            .unwrap();
    }
    if matches!(before, Before::Closed) {
        let answers = [("overall".to_owned(), Answer::Score(7))].into();
        h.service
            .approve_closure(&alice, t.id, None, answers)
            .await
            .unwrap();
    }
    t.id
}

struct Route {
    name: &'static str,
    method: &'static str,
    path: &'static str,
    before: Before,
    body: fn(&Host, Kind) -> Option<Value>,
    /// Expected status per kind, in the order of [`KINDS`].
    expect: [u16; 11],
}

fn no_body(_: &Host, _: Kind) -> Option<Value> {
    None
}

fn message(_: &Host, _: Kind) -> Option<Value> {
    Some(json!({"body": "<p>message</p>"}))
}

/// Platform admin (set by [`with_admin`]), another tenant's user, a blocked member, nobody.
const DENY_TAIL: [u16; 4] = [0, 404, 403, 401];

fn row(first: [u16; 7]) -> [u16; 11] {
    let mut out = [0; 11];
    out[..7].copy_from_slice(&first);
    out[7..].copy_from_slice(&DENY_TAIL);
    out
}

// Each row lists: owner, colleague, guest, tenant admin, agent, agent of another group,
// supervisor; `with_admin` adds the platform admin; `row` adds 404 for another tenant's
// user, 403 for a blocked member and 401 for no identity.
fn routes() -> Vec<Route> {
    vec![
        Route {
            name: "read",
            method: "GET",
            path: "",
            before: Before::New,
            body: no_body,
            expect: with_admin(row([200, 404, 200, 200, 200, 404, 200]), 200),
        },
        Route {
            name: "edit",
            method: "PATCH",
            path: "",
            before: Before::New,
            body: |_, _| Some(json!({"subject": "Logiciel toujours en panne"})),
            expect: with_admin(row([200, 404, 403, 200, 200, 404, 200]), 200),
        },
        Route {
            name: "reply",
            method: "POST",
            path: "/replies",
            before: Before::New,
            body: message,
            expect: with_admin(row([200, 404, 200, 200, 200, 404, 200]), 200),
        },
        Route {
            name: "note",
            method: "POST",
            path: "/notes",
            before: Before::New,
            body: message,
            expect: with_admin(row([403, 404, 403, 403, 200, 404, 200]), 200),
        },
        Route {
            name: "assign",
            method: "POST",
            path: "/assignment",
            before: Before::New,
            body: |_, _| Some(json!({})),
            expect: with_admin(row([403, 404, 403, 403, 200, 404, 200]), 200),
        },
        Route {
            name: "request information",
            method: "POST",
            path: "/information-request",
            before: Before::New,
            body: message,
            expect: with_admin(row([403, 404, 403, 403, 200, 404, 200]), 200),
        },
        Route {
            name: "propose closure",
            method: "POST",
            path: "/closure",
            before: Before::New,
            body: message,
            expect: with_admin(row([403, 404, 403, 403, 200, 404, 200]), 200),
        },
        Route {
            name: "approve closure",
            method: "POST",
            path: "/closure/approval",
            before: Before::PendingClosure,
            body: |_, _| Some(json!({"answers": {"overall": 10}})),
            expect: with_admin(row([200, 404, 403, 200, 403, 404, 403]), 403),
        },
        Route {
            name: "refuse closure",
            method: "POST",
            path: "/closure/refusal",
            before: Before::PendingClosure,
            body: message,
            expect: with_admin(row([200, 404, 403, 200, 403, 404, 403]), 403),
        },
        Route {
            name: "cancel",
            method: "POST",
            path: "/cancellation",
            before: Before::New,
            body: |_, _| Some(json!({})),
            expect: with_admin(row([200, 404, 403, 200, 403, 404, 200]), 200),
        },
        Route {
            name: "reopen",
            method: "POST",
            path: "/reopening",
            before: Before::Closed,
            body: |_, _| Some(json!({"reason": "again"})),
            expect: with_admin(row([200, 404, 403, 200, 200, 404, 200]), 200),
        },
        Route {
            name: "invite guest",
            method: "POST",
            path: "/guests",
            before: Before::New,
            body: |_, _| Some(json!({"user": "frank"})),
            expect: with_admin(row([200, 404, 403, 200, 200, 404, 200]), 200),
        },
        Route {
            name: "reassign requester",
            method: "POST",
            path: "/requester",
            before: Before::New,
            body: |_, _| Some(json!({"user": "frank"})),
            expect: with_admin(row([403, 404, 403, 200, 403, 404, 403]), 200),
        },
    ]
}

/// Puts the platform admin's expected status in its slot, after the supervisor's.
fn with_admin(mut row: [u16; 11], admin: u16) -> [u16; 11] {
    row[7] = admin;
    row
}

#[tokio::test]
async fn every_ticket_route_answers_each_kind_of_caller_as_the_rules_demand() {
    let mut failures = Vec::new();
    for route in routes() {
        for (i, kind) in KINDS.iter().copied().enumerate() {
            let h = host().await;
            let id = ticket(&h, kind, route.before).await;
            let mut body = (route.body)(&h, kind);
            if route.name == "assign" {
                // Staff assign themselves; others try to assign sam.
                let me = match caller(kind) {
                    Some(who)
                        if matches!(
                            kind,
                            Kind::Agent
                                | Kind::AgentOfAnotherGroup
                                | Kind::Supervisor
                                | Kind::PlatformAdmin
                        ) =>
                    {
                        h.actor(who).await.as_staff().map(|s| s.id)
                    }
                    _ => h.actor(SAM).await.as_staff().map(|s| s.id),
                };
                body = Some(json!({ "assignee": me }));
            }
            let answer = h
                .call(
                    caller(kind),
                    route.method,
                    &format!("/tickets/{id}{}", route.path),
                    body,
                )
                .await;
            let expected = route.expect[i];
            if answer.status.as_u16() != expected {
                failures.push(format!(
                    "{} by {kind:?}: expected {expected}, got {} {}",
                    route.name, answer.status, answer.body
                ));
            }
            if answer.status.is_client_error() {
                assert_eq!(answer.headers["content-type"], "application/problem+json");
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} cells differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[tokio::test]
async fn attachments_follow_the_reply_rules() {
    for (i, kind) in KINDS.iter().copied().enumerate() {
        let h = host().await;
        let id = ticket(&h, kind, Before::New).await;
        let expected = with_admin(row([200, 404, 200, 200, 200, 404, 200]), 200)[i];
        let answer = upload(&h, caller(kind), &id.to_string(), "notes.txt", b"hello").await;
        assert_eq!(
            answer.status.as_u16(),
            expected,
            "upload by {kind:?}: {}",
            answer.body
        );
    }
}

pub(crate) async fn upload(
    h: &Host,
    who: Option<(&str, Option<&str>)>,
    ticket: &str,
    file_name: &str,
    bytes: &[u8],
) -> support::Answer {
    let boundary = "XhelpdeskX";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: text/plain\r\n\r\n")
            .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let mut request = axum::http::Request::builder()
        .method("POST")
        .uri(format!("/helpdesk/tickets/{ticket}/attachments"))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        );
    if let Some((user, tenant)) = who {
        request = request.header("x-user", user);
        if let Some(tenant) = tenant {
            request = request.header("x-tenant", tenant);
        }
    }
    h.send(request.body(axum::body::Body::from(body)).unwrap())
        .await
}

#[tokio::test]
async fn list_and_report_routes_answer_each_kind_of_caller() {
    // (route, expected per kind)
    let cases: [(&str, &str, [u16; 11]); 5] = [
        (
            "GET",
            "/tickets",
            [200, 200, 200, 200, 200, 200, 200, 200, 200, 403, 401],
        ),
        (
            "GET",
            "/dashboard",
            [200, 200, 200, 200, 200, 200, 200, 200, 200, 403, 401],
        ),
        (
            "GET",
            "/export.csv",
            [403, 403, 403, 200, 403, 403, 403, 200, 403, 403, 401],
        ),
        (
            "GET",
            "/saved-searches",
            [200, 200, 200, 200, 200, 200, 200, 200, 200, 403, 401],
        ),
        (
            "POST",
            "/admin/tenants",
            [403, 403, 403, 403, 403, 403, 403, 201, 403, 403, 401],
        ),
    ];
    for (method, path, expect) in cases {
        for (i, kind) in KINDS.iter().copied().enumerate() {
            let h = host().await;
            ticket(&h, kind, Before::New).await;
            let body = (method == "POST").then(|| json!({"slug": "initech", "name": "Initech"}));
            let answer = h.call(caller(kind), method, path, body).await;
            assert_eq!(
                answer.status.as_u16(),
                expect[i],
                "{method} {path} by {kind:?}: {}",
                answer.body
            );
        }
    }
}

#[tokio::test]
async fn search_returns_exactly_what_each_caller_may_see() {
    let h = host().await;
    let id = ticket(&h, Kind::Owner, Before::New).await.to_string();
    let expectations = [
        (Kind::Owner, true),
        (Kind::Colleague, false),
        (Kind::TenantAdmin, true),
        (Kind::Agent, true),
        (Kind::AgentOfAnotherGroup, false),
        (Kind::Supervisor, true),
        (Kind::PlatformAdmin, true),
        (Kind::OtherTenant, false),
    ];
    for (kind, sees) in expectations {
        let answer = h.call(caller(kind), "GET", "/tickets", None).await;
        let found = answer.body["tickets"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["id"] == id.as_str());
        assert_eq!(found, sees, "{kind:?}: {}", answer.body);
    }
}

#[tokio::test]
async fn members_are_blocked_and_unblocked_by_those_who_administer_the_tenant() {
    for (who, expected) in [
        (ALICE, 403),
        (SAM, 403),
        (CAROL, 200),
        (SUE, 200),
        (ROOT, 200),
        (DAVE, 403),
    ] {
        let h = host().await;
        let Actor::Member(bob) = h.actor(BOB).await else {
            unreachable!()
        };
        let path = format!("/admin/members/{}/block?tenant=acme", bob.id);
        let path = if who.1.is_some() {
            path.replace("?tenant=acme", "")
        } else {
            path
        };
        let answer = h.call(Some(who), "POST", &path, None).await;
        assert_eq!(answer.status.as_u16(), expected, "{who:?}: {}", answer.body);
        if expected == 200 {
            assert_eq!(answer.body["blocked"], true);
            let refused = h.call(Some(BOB), "GET", "/tickets", None).await;
            assert_eq!(refused.status, StatusCode::FORBIDDEN);
            assert_eq!(refused.body["reason"], "account_blocked");
        }
    }
}
