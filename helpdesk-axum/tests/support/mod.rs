//! A host for the route tests: the helpdesk nested at `/helpdesk` over a store, with the
//! caller named by `x-user` and `x-tenant` headers, and demo people in two tenants.
#![allow(
    dead_code,
    unreachable_pub,
    missing_debug_implementations,
    clippy::unwrap_used,
    clippy::expect_used
)]

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};

use async_trait::async_trait;
use axum::Router;
use axum::body::{Body, Bytes, HttpBody};
use axum::extract::FromRef;
use axum::http::request::Parts;
use axum::http::{Request, StatusCode};
use helpdesk_axum::{Caller, HelpdeskState, Identify, IdentifyError, Limits};
use helpdesk_core::memory::MemoryBlobStore;
use helpdesk_core::testing::{MemberSeed, Seed, StaffSeed};
use helpdesk_core::{
    Actor, AttachmentLimits, GroupId, HelpdeskService, MemberRole, Store, TenantId, UserId,
};
use http_body::Frame;
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

/// A request header's value, when it is text.
pub fn header(parts: &Parts, name: &str) -> Option<String> {
    parts
        .headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// The seconds of an answer's `Retry-After`.
pub fn retry_after(headers: &axum::http::HeaderMap) -> u64 {
    headers[axum::http::header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

/// Trusts `x-user` and `x-tenant` headers, as a host's login layer would set them.
pub struct HeaderIdentity;

#[async_trait]
impl Identify for HeaderIdentity {
    async fn identify(&self, parts: &mut Parts) -> Result<Option<Caller>, IdentifyError> {
        let header = |name: &str| header(parts, name);
        let Some(user) = header("x-user") else {
            return Ok(None);
        };
        let user = UserId::new(&user).map_err(IdentifyError::new)?;
        Ok(Some(Caller {
            user,
            tenant: header("x-tenant"),
            profile: None,
        }))
    }
}

#[derive(Clone, FromRef)]
pub struct AppState {
    pub helpdesk: HelpdeskState,
}

pub struct Host {
    pub app: Router,
    pub service: HelpdeskService,
    pub acme: TenantId,
    pub globex: TenantId,
    pub software: GroupId,
    pub network: GroupId,
    pub software_category: helpdesk_core::CategoryId,
}

pub struct Answer {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Value,
    pub bytes: Vec<u8>,
}

/// The people of the tests: (user, tenant header).
pub const ALICE: (&str, Option<&str>) = ("alice", Some("acme"));
pub const BOB: (&str, Option<&str>) = ("bob", Some("acme"));
pub const CAROL: (&str, Option<&str>) = ("carol", Some("acme"));
pub const BLOCKED: (&str, Option<&str>) = ("mallory", Some("acme"));
pub const DAVE: (&str, Option<&str>) = ("dave", Some("globex"));
pub const SAM: (&str, Option<&str>) = ("sam", None);
pub const OTTO: (&str, Option<&str>) = ("otto", None);
pub const SUE: (&str, Option<&str>) = ("sue", None);
pub const ROOT: (&str, Option<&str>) = ("root", None);

/// A host over a fresh SQLite database in memory, with the migrations run.
pub async fn host() -> Host {
    host_with(Limits::default()).await
}

/// [`host`] with other size limits.
pub async fn host_with(limits: Limits) -> Host {
    let store = helpdesk_sqlx::SqliteStore::in_memory().await.unwrap();
    store.migrate().await.unwrap();
    host_on(Arc::new(store), limits).await
}

pub async fn host_on(store: Arc<dyn Store>, limits: Limits) -> Host {
    host_custom(
        store,
        limits,
        AttachmentLimits::default(),
        Arc::new(MemoryBlobStore::new()),
        |state| state,
    )
    .await
}

/// [`host_with`] under other attachment limits (the service's one size setting).
pub async fn host_with_attachments(limits: Limits, attachments: AttachmentLimits) -> Host {
    let store = helpdesk_sqlx::SqliteStore::in_memory().await.unwrap();
    store.migrate().await.unwrap();
    host_custom(
        Arc::new(store),
        limits,
        attachments,
        Arc::new(MemoryBlobStore::new()),
        |state| state,
    )
    .await
}

/// [`host_on`] under `attachments` limits, keeping attachment bytes in `blobs`, with the
/// helpdesk state changed by `configure` (origins, write limits).
pub async fn host_custom(
    store: Arc<dyn Store>,
    limits: Limits,
    attachments: AttachmentLimits,
    blobs: Arc<dyn helpdesk_core::BlobStore>,
    configure: impl FnOnce(HelpdeskState) -> HelpdeskState,
) -> Host {
    let service = HelpdeskService::new(store)
        .with_blobs(blobs)
        .with_attachment_limits(attachments);
    let world = Seed::new(service)
        .two_tenants()
        .group("Software")
        .group("Network")
        .member("acme", "alice", MemberRole::Requester)
        .member("acme", "bob", MemberRole::Requester)
        .member("acme", "carol", MemberRole::TenantAdmin)
        .member_seed(MemberSeed::new("acme", "mallory", MemberRole::Requester).blocked())
        .member("acme", "frank", MemberRole::Requester)
        .member("globex", "dave", MemberRole::Requester)
        .staff(StaffSeed::agent("sam").groups(&["Software"]))
        .staff(StaffSeed::agent("otto").groups(&["Network"]))
        .staff(StaffSeed::supervisor("sue").only(&["acme"]))
        .build()
        .await
        .unwrap();
    let (acme, globex) = (world.tenant("acme"), world.tenant("globex"));
    let (software, network) = (world.group("Software"), world.group("Network"));
    let service = world.service;
    let software_category = service
        .create_category(&world.root, acme, None, "Logiciel", Some(software))
        .await
        .unwrap()
        .id;
    let helpdesk = configure(HelpdeskState::new(
        service.clone(),
        Arc::new(HeaderIdentity),
    ));
    let app = Router::new()
        .nest("/helpdesk", helpdesk_axum::router_with_limits(limits))
        .with_state(AppState { helpdesk });
    Host {
        app,
        service,
        acme,
        globex,
        software,
        network,
        software_category,
    }
}

impl Host {
    pub async fn actor(&self, who: (&str, Option<&str>)) -> Actor {
        let tenant = match who.1 {
            Some("acme") => Some(self.acme),
            Some("globex") => Some(self.globex),
            _ => None,
        };
        self.service
            .actor(&UserId::new(who.0).unwrap(), tenant)
            .await
            .unwrap()
    }

    pub async fn send(&self, request: Request<Body>) -> Answer {
        let response = self.app.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Answer {
            status,
            headers,
            body,
            bytes,
        }
    }

    pub async fn call(
        &self,
        who: Option<(&str, Option<&str>)>,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> Answer {
        let mut request = Request::builder()
            .method(method)
            .uri(format!("/helpdesk{path}"));
        if let Some((user, tenant)) = who {
            request = request.header("x-user", user);
            if let Some(tenant) = tenant {
                request = request.header("x-tenant", tenant);
            }
        }
        let request = match body {
            Some(body) => request
                .header("content-type", "application/json")
                .body(Body::from(body.to_string())),
            None => request.body(Body::empty()),
        };
        self.send(request.unwrap()).await
    }

    /// Opens a ticket as `who` and returns its id.
    pub async fn open(&self, who: (&str, Option<&str>), subject: &str) -> String {
        let answer = self
            .call(
                Some(who),
                "POST",
                "/tickets",
                Some(serde_json::json!({"subject": subject, "description": format!("<p>{subject}</p>")})),
            )
            .await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
        answer.body["id"].as_str().unwrap().to_owned()
    }
}

/// The boundary of the multipart bodies the tests make.
pub const BOUNDARY: &str = "XhelpdeskX";

/// A multipart body's head, up to the first byte of the file `name`.
pub fn file_head(name: &str) -> String {
    format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
}

/// A multipart body's end, after the file.
pub fn tail() -> String {
    format!("\r\n--{BOUNDARY}--\r\n")
}

/// What [`Generated`] bodies are filled with.
pub static FILLER: [u8; 64 * 1024] = [7; 64 * 1024];

/// A multipart body made as it is read: a head, `size` filler bytes, a tail. Counts the
/// bytes handed out, so a test can tell how much of it the server read.
pub struct Generated {
    head: Option<Bytes>,
    remaining: usize,
    tail: Option<Bytes>,
    polled: Arc<AtomicUsize>,
}

impl Generated {
    pub fn new(head: String, size: usize, tail: String) -> (Self, Arc<AtomicUsize>) {
        let polled = Arc::new(AtomicUsize::new(0));
        let body = Self {
            head: Some(Bytes::from(head)),
            remaining: size,
            tail: Some(Bytes::from(tail)),
            polled: polled.clone(),
        };
        (body, polled)
    }
}

impl HttpBody for Generated {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = &mut *self;
        let next = if let Some(head) = this.head.take() {
            head
        } else if this.remaining > 0 {
            let n = this.remaining.min(FILLER.len());
            this.remaining -= n;
            Bytes::from_static(&FILLER[..n])
        } else if let Some(tail) = this.tail.take() {
            tail
        } else {
            return Poll::Ready(None);
        };
        this.polled.fetch_add(next.len(), Ordering::SeqCst);
        Poll::Ready(Some(Ok(Frame::data(next))))
    }
}
