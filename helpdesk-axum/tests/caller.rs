//! Who is calling, over HTTP: the host's `Identify` answer resolved through the core
//! (the tenant named, the tenant-access rule, members registered and kept in step with
//! the host's profile), a failing `Identify`, staff administration, and the command
//! names clients read.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::FromRef;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Request, StatusCode, header};
use helpdesk_axum::{Caller, HelpdeskState, Identify, IdentifyError, Profile};
use helpdesk_core::memory::MemoryStore;
use helpdesk_core::testing::{FaultyStore, Seed, StaffSeed};
use helpdesk_core::{HelpdeskService, MemberRole, StoreError, StoreErrorKind, UserId};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

mod support;

/// A host whose login hands over the user's profile: `x-user`, `x-tenant`, `x-name`,
/// `x-email`, `x-role` headers.
struct ProfileLogin;

#[helpdesk_axum::async_trait]
impl Identify for ProfileLogin {
    async fn identify(&self, parts: &mut Parts) -> Result<Option<Caller>, IdentifyError> {
        let header = |name: &str| support::header(parts, name);
        let Some(user) = header("x-user") else {
            return Ok(None);
        };
        let profile = header("x-name").map(|name| Profile {
            display_name: name,
            email: header("x-email"),
            role: match header("x-role").as_deref() {
                Some("tenant_admin") => MemberRole::TenantAdmin,
                _ => MemberRole::Requester,
            },
        });
        Ok(Some(Caller {
            user: UserId::new(&user).map_err(IdentifyError::new)?,
            tenant: header("x-tenant"),
            profile,
        }))
    }
}

/// A host whose session store is down.
struct BrokenLogin;

#[helpdesk_axum::async_trait]
impl Identify for BrokenLogin {
    async fn identify(&self, _: &mut Parts) -> Result<Option<Caller>, IdentifyError> {
        Err(IdentifyError::new(std::io::Error::new(
            std::io::ErrorKind::ConnectionRefused,
            "session store redis://10.0.0.7:6379 refused the connection",
        )))
    }
}

#[derive(Clone, FromRef)]
struct AppState {
    helpdesk: HelpdeskState,
}

struct Host {
    app: Router,
    service: HelpdeskService,
    store: Arc<MemoryStore>,
    /// Between the service and `store`: fails the calls a test plans.
    faults: Arc<FaultyStore>,
}

/// Tenants acme and globex, and Sam, an agent of acme, on the in-memory store.
async fn host(identity: Arc<dyn Identify>) -> Host {
    let store = Arc::new(MemoryStore::new());
    let faults = Arc::new(FaultyStore::new(store.clone()));
    let world = Seed::new(HelpdeskService::new(faults.clone()))
        .two_tenants()
        .staff(StaffSeed::agent("sam").named("Sam").only(&["acme"]))
        .build()
        .await
        .unwrap();
    let service = world.service;
    let helpdesk = HelpdeskState::new(service.clone(), identity);
    let app = Router::new()
        .nest("/helpdesk", helpdesk_axum::router())
        .with_state(AppState { helpdesk });
    Host {
        app,
        service,
        store,
        faults,
    }
}

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Value,
    text: String,
}

impl Host {
    async fn call(
        &self,
        headers: &[(&str, &str)],
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> Answer {
        let mut request = Request::builder()
            .method(method)
            .uri(format!("/helpdesk{path}"));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let request = match body {
            Some(body) => request
                .header("content-type", "application/json")
                .body(Body::from(body.to_string())),
            None => request.body(Body::empty()),
        };
        let response = self.app.clone().oneshot(request.unwrap()).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        Answer {
            status,
            headers,
            body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
            text: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }
}

const ALICE: &[(&str, &str)] = &[
    ("x-user", "alice"),
    ("x-tenant", "acme"),
    ("x-name", "Alice"),
    ("x-email", "alice@acme.example"),
];

#[tokio::test]
async fn the_hosts_profile_changes_reach_the_member_on_the_next_request() {
    let h = host(Arc::new(ProfileLogin)).await;
    let first = h.call(ALICE, "GET", "/tickets", None).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let writes = h.store.member_writes();
    let again = h.call(ALICE, "GET", "/tickets", None).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(
        h.store.member_writes(),
        writes,
        "an unchanged profile writes nothing"
    );

    let renamed = [
        ("x-user", "alice"),
        ("x-tenant", "acme"),
        ("x-name", "Alice Martin"),
        ("x-email", "a.martin@acme.example"),
        ("x-role", "tenant_admin"),
    ];
    // Only tenant admins list members: the new role is in force on this very request.
    let members = h.call(&renamed, "GET", "/admin/members", None).await;
    assert_eq!(members.status, StatusCode::OK, "{}", members.body);
    assert_eq!(h.store.member_writes(), writes + 1, "one write");
    let alice = &members.body.as_array().unwrap()[0];
    assert_eq!(alice["display_name"], "Alice Martin");
    assert_eq!(alice["email"], "a.martin@acme.example");
    assert_eq!(alice["role"], "tenant_admin");
}

#[tokio::test]
async fn a_blocked_member_stays_blocked_whatever_the_profile_says() {
    let h = host(Arc::new(ProfileLogin)).await;
    let first = h.call(ALICE, "GET", "/tickets", None).await;
    assert_eq!(first.status, StatusCode::OK);
    let root = h
        .service
        .actor(&UserId::new("root").unwrap(), None)
        .await
        .unwrap();
    let acme = h.service.tenant_by_slug(&root, "acme").await.unwrap().id;
    let alice = h
        .service
        .member_by_user(&root, acme, &UserId::new("alice").unwrap())
        .await
        .unwrap();
    h.service
        .set_member_blocked(&root, acme, alice.id, true)
        .await
        .unwrap();
    let promoted = [
        ("x-user", "alice"),
        ("x-tenant", "acme"),
        ("x-name", "Alice"),
        ("x-role", "tenant_admin"),
    ];
    let refused = h.call(&promoted, "GET", "/tickets", None).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert_eq!(refused.body["reason"], "account_blocked");
    let stored = h
        .service
        .member_by_user(&root, acme, &UserId::new("alice").unwrap())
        .await
        .unwrap();
    assert!(stored.blocked);
    assert_eq!(stored.role, MemberRole::Requester);
}

#[tokio::test]
async fn an_unknown_user_without_a_profile_is_401_naming_the_tenant() {
    let h = host(Arc::new(ProfileLogin)).await;
    let answer = h
        .call(
            &[("x-user", "zed"), ("x-tenant", "acme")],
            "GET",
            "/tickets",
            None,
        )
        .await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{}", answer.body);
    assert_eq!(answer.body["code"], "unauthenticated");
    assert_eq!(
        answer.body["detail"],
        "user `zed` is neither support staff nor a member of tenant `acme`"
    );
}

#[tokio::test]
async fn tenants_outside_the_callers_reach_answer_404_tenant() {
    let h = host(Arc::new(ProfileLogin)).await;
    let elsewhere = h.call(ALICE, "GET", "/tickets?tenant=globex", None).await;
    assert_eq!(
        elsewhere.status,
        StatusCode::NOT_FOUND,
        "{}",
        elsewhere.body
    );
    assert_eq!(elsewhere.body["entity"], "tenant");

    let sam = [("x-user", "sam")];
    let not_served = h
        .call(&sam, "GET", "/admin/categories?tenant=globex", None)
        .await;
    assert_eq!(not_served.status, StatusCode::NOT_FOUND);
    assert_eq!(not_served.body["entity"], "tenant");
    let missing = h
        .call(&sam, "GET", "/admin/categories?tenant=nowhere", None)
        .await;
    // Alike but for the request id each answer carries.
    let without_id = |body: &serde_json::Value| {
        let mut body = body.clone();
        body.as_object_mut().map(|o| o.remove("request_id"));
        body
    };
    assert_eq!(
        without_id(&missing.body),
        without_id(&not_served.body),
        "alike to a missing tenant"
    );
    let served = h
        .call(&sam, "GET", "/admin/categories?tenant=acme", None)
        .await;
    assert_eq!(served.status, StatusCode::OK, "{}", served.body);
}

#[tokio::test]
async fn a_failing_identify_is_a_generic_500_that_does_not_leak_its_cause() {
    let h = host(Arc::new(BrokenLogin)).await;
    let answer = h.call(&[], "GET", "/tickets", None).await;
    assert_eq!(answer.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(answer.body["code"], "identity_failure");
    for secret in ["10.0.0.7", "redis", "refused"] {
        assert!(
            !answer.text.contains(secret),
            "leaks `{secret}`: {}",
            answer.text
        );
    }
}

#[test]
fn an_identify_error_keeps_its_source() {
    let cause = std::io::Error::other("session store down");
    let err = IdentifyError::new(cause);
    let source = std::error::Error::source(&err).expect("the source is kept");
    assert_eq!(source.to_string(), "session store down");
    let plain = IdentifyError::msg("no session backend configured");
    assert!(std::error::Error::source(&plain).is_none());
    assert!(plain.to_string().contains("no session backend configured"));
}

#[tokio::test]
async fn staff_are_added_with_their_groups_in_one_request() {
    let h = host(Arc::new(ProfileLogin)).await;
    let root = [("x-user", "root")];
    let group = h
        .call(
            &root,
            "POST",
            "/admin/groups",
            Some(json!({"name": "Logiciel"})),
        )
        .await;
    let group = group.body["id"].clone();
    let added = h
        .call(
            &root,
            "POST",
            "/admin/staff",
            Some(
                json!({"user": "otto", "display_name": "Otto", "role": "agent",
                "tenants": {"kind": "all"}, "groups": [group]}),
            ),
        )
        .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.body);
    assert_eq!(added.body["groups"], json!([group]));

    let refused = h
        .call(
            &root,
            "POST",
            "/admin/staff",
            Some(
                json!({"user": "ursula", "display_name": "Ursula", "role": "agent",
                "tenants": {"kind": "all"}, "groups": [uuid::Uuid::now_v7()]}),
            ),
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert_eq!(refused.body["field"], "groups");
    let staff = h.call(&root, "GET", "/admin/staff", None).await;
    let users: Vec<&str> = staff
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["user"].as_str().unwrap())
        .collect();
    assert!(!users.contains(&"ursula"), "nothing half-added: {users:?}");

    let id = added.body["id"].as_str().unwrap();
    let renamed = h
        .call(
            &root,
            "PATCH",
            &format!("/admin/staff/{id}"),
            Some(json!({"display_name": "Otto Klein"})),
        )
        .await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.body);
    assert_eq!(renamed.body["display_name"], "Otto Klein");
    assert_eq!(
        renamed.body["groups"],
        json!([group]),
        "fields left out stay"
    );
}

#[tokio::test]
async fn ticket_actions_are_listed_by_their_snake_case_names() {
    let h = host(Arc::new(ProfileLogin)).await;
    let opened = h
        .call(
            ALICE,
            "POST",
            "/tickets",
            Some(json!({"subject": "Imprimante", "description": "<p>Bloquée</p>"})),
        )
        .await;
    assert_eq!(opened.status, StatusCode::CREATED, "{}", opened.body);
    let id = opened.body["id"].as_str().unwrap();
    let view = h
        .call(&[("x-user", "sam")], "GET", &format!("/tickets/{id}"), None)
        .await;
    assert_eq!(view.status, StatusCode::OK, "{}", view.body);
    let actions = view.body["actions"].as_array().unwrap();
    for name in [
        "assign",
        "reply",
        "add_note",
        "request_information",
        "propose_closure",
    ] {
        assert!(actions.contains(&json!(name)), "{name} in {actions:?}");
    }
    assert!(actions.iter().all(Value::is_string));
}

/// The cause every injected store failure carries: it must never reach a client.
const CAUSE: &str = "pg 10.0.0.9:5432: too many clients";

fn store_failure(kind: StoreErrorKind) -> StoreError {
    StoreError::with_source(
        "reading the directory",
        std::io::Error::new(std::io::ErrorKind::ConnectionRefused, CAUSE),
    )
    .with_kind(kind)
}

/// The reads resolving a member's request makes, in order, and who makes them: Alice,
/// seen for the first time with her profile (so a read that went through would register
/// her), and Sam, staff naming the tenant he serves.
const CALLER_READS: &[(&str, &[(&str, &str)])] = &[
    ("tenant_by_slug", ALICE),
    ("staff_by_user", ALICE),
    ("member_by_user", ALICE),
    ("staff_by_user", &[("x-user", "sam"), ("x-tenant", "acme")]),
];

/// Fails each read of the request context once with `kind` and checks the answer.
async fn each_failing_caller_read(kind: StoreErrorKind, check: impl Fn(&Answer, &str)) {
    for &(read, who) in CALLER_READS {
        let h = host(Arc::new(ProfileLogin)).await;
        let (writes, calls) = (h.faults.writes(), h.faults.calls(read));
        h.faults.fail(read, 1, store_failure(kind));
        let answer = h.call(who, "GET", "/tickets", None).await;
        let what = format!("{read} failing ({kind:?}) for {:?}", who[0].1);
        assert!(h.faults.all_failed(), "{what}: the read was made");
        assert_eq!(h.faults.calls(read), calls + 1, "{what}: read once");
        check(&answer, &what);
        assert_eq!(
            answer.headers[header::CONTENT_TYPE],
            helpdesk_axum::PROBLEM_JSON,
            "{what}"
        );
        assert_eq!(answer.body["status"], answer.status.as_u16(), "{what}");
        for secret in [
            CAUSE,
            "10.0.0.9",
            "too many clients",
            "reading the directory",
        ] {
            assert!(
                !answer.text.contains(secret),
                "{what}: leaks `{secret}`: {}",
                answer.text
            );
        }
        assert_eq!(h.faults.writes(), writes, "{what}: nothing written");
        assert_eq!(h.store.member_writes(), 0, "{what}: no member registered");
        let root = h
            .service
            .actor(&UserId::new("root").unwrap(), None)
            .await
            .unwrap();
        let acme = h.service.tenant_by_slug(&root, "acme").await.unwrap().id;
        assert!(
            h.service
                .member_by_user(&root, acme, &UserId::new("alice").unwrap())
                .await
                .is_err(),
            "{what}: Alice was not registered"
        );
    }
}

#[tokio::test]
async fn an_unavailable_store_while_resolving_the_caller_is_503_with_retry_after() {
    each_failing_caller_read(StoreErrorKind::Unavailable, |answer, what| {
        assert_eq!(
            answer.status,
            StatusCode::SERVICE_UNAVAILABLE,
            "{what}: {}",
            answer.body
        );
        assert_eq!(answer.body["code"], "service_unavailable", "{what}");
        let retry = support::retry_after(&answer.headers);
        assert!(retry > 0, "{what}: Retry-After {retry}");
    })
    .await;
}

#[tokio::test]
async fn another_store_failure_while_resolving_the_caller_is_a_generic_500() {
    each_failing_caller_read(StoreErrorKind::Other, |answer, what| {
        assert_eq!(
            answer.status,
            StatusCode::INTERNAL_SERVER_ERROR,
            "{what}: {}",
            answer.body
        );
        assert_eq!(answer.body["code"], "internal_error", "{what}");
        assert!(
            !answer.headers.contains_key(header::RETRY_AFTER),
            "{what}: not worth retrying at once"
        );
    })
    .await;
}
