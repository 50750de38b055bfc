//! A host for the page tests: the pages nested at `/support` (and the JSON routes at
//! `/support/api`) over an in-memory store, the caller named by `x-user` and `x-tenant`
//! headers, demo people in one tenant.
#![allow(
    dead_code,
    unreachable_pub,
    missing_debug_implementations,
    clippy::unwrap_used,
    clippy::expect_used
)]

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Request, StatusCode};
use helpdesk_axum::{Caller, HelpdeskState, Identify, IdentifyError};
use helpdesk_core::memory::{MemoryBlobStore, MemoryStore};
use helpdesk_core::{
    Actor, CategoryId, GroupId, HelpdeskService, MemberDetails, MemberRole, StaffDetails,
    StaffRole, TenantId, TenantScope, UserId,
};
use http_body_util::BodyExt;
use tower::ServiceExt;

/// Trusts `x-user` and `x-tenant` headers, as a host's login layer would set them.
pub struct HeaderIdentity;

#[helpdesk_axum::async_trait]
impl Identify for HeaderIdentity {
    async fn identify(&self, parts: &mut Parts) -> Result<Option<Caller>, IdentifyError> {
        let header = |name: &str| {
            parts
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let Some(user) = header("x-user") else {
            return Ok(None);
        };
        Ok(Some(Caller {
            user: UserId::new(&user).map_err(IdentifyError::new)?,
            tenant: header("x-tenant"),
            profile: None,
        }))
    }
}

/// A form token the tests send both as the cookie and in the form.
pub const TOKEN: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/// The host under test and the records the tests refer to.
pub struct Host {
    pub app: Router,
    pub service: HelpdeskService,
    pub root: Actor,
    pub acme: TenantId,
    pub software: GroupId,
    pub printers: CategoryId,
}

/// A page as a browser receives it.
pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    /// Where a redirect points.
    pub fn location(&self) -> Option<&str> {
        self.headers.get("location").and_then(|v| v.to_str().ok())
    }
}

/// The people of the tests: alice and bob request, carol administers acme, sam is an
/// agent of the software group, sue supervises acme.
pub async fn host() -> Host {
    let service = HelpdeskService::new(Arc::new(MemoryStore::new()))
        .with_blobs(Arc::new(MemoryBlobStore::new()));
    let root = service
        .bootstrap_platform_admin(&UserId::new("root").unwrap(), "Root")
        .await
        .unwrap();
    let acme = service
        .create_tenant(&root, "acme", "Acme")
        .await
        .unwrap()
        .id;
    let software = service.create_group(&root, "Logiciel").await.unwrap().id;
    for (user, name, role) in [
        ("alice", "Alice Martin", MemberRole::Requester),
        ("bob", "Bob Durand", MemberRole::Requester),
        ("carol", "Carol Petit", MemberRole::TenantAdmin),
    ] {
        service
            .ensure_member(
                acme,
                MemberDetails {
                    user: &UserId::new(user).unwrap(),
                    display_name: name,
                    email: Some(&format!("{user}@example.org")),
                    role,
                },
            )
            .await
            .unwrap();
    }
    for (user, name, role, groups) in [
        ("sam", "Sam Agent", StaffRole::Agent, vec![software]),
        ("sue", "Sue Superviseur", StaffRole::Supervisor, vec![]),
    ] {
        service
            .add_staff(
                &root,
                StaffDetails {
                    user: &UserId::new(user).unwrap(),
                    display_name: name,
                    email: Some(&format!("{user}@example.org")),
                    role,
                    tenants: TenantScope::Only(vec![acme]),
                    groups,
                },
            )
            .await
            .unwrap();
    }
    let printers = service
        .create_category(&root, acme, None, "Imprimantes", Some(software))
        .await
        .unwrap()
        .id;
    let helpdesk = HelpdeskState::new(service.clone(), Arc::new(HeaderIdentity));
    let app = Router::new()
        .nest(
            "/support",
            helpdesk_web::pages(helpdesk_web::WebConfig::new()),
        )
        .nest("/support/api", helpdesk_axum::router())
        .with_state(helpdesk);
    Host {
        app,
        service,
        root,
        acme,
        software,
        printers,
    }
}

impl Host {
    /// `GET path` as `user` of acme (`None`: nobody logged in), in `lang`.
    pub async fn get(&self, path: &str, user: Option<&str>, lang: &str) -> Page {
        let mut request = Request::get(path).header("accept-language", lang);
        if let Some(user) = user {
            request = request.header("x-user", user).header("x-tenant", "acme");
        }
        self.send(request.body(Body::empty()).unwrap()).await
    }

    /// `POST path` of a form as `user` of acme, with the form token unless `token` is
    /// `None`.
    pub async fn post(
        &self,
        path: &str,
        user: &str,
        fields: &[(&str, &str)],
        token: Option<&str>,
    ) -> Page {
        let mut body: Vec<(String, String)> = fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        if let Some(token) = token {
            body.push(("form_token".into(), token.into()));
        }
        let body = serde_html_form::to_string(&body).unwrap();
        let request = Request::post(path)
            .header("x-user", user)
            .header("x-tenant", "acme")
            .header("accept-language", "fr")
            .header("cookie", format!("hd_form_token={TOKEN}"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        self.send(request).await
    }

    pub async fn send(&self, request: Request<Body>) -> Page {
        let response = self.app.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        Page {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    /// The actor of a user of acme.
    pub async fn actor(&self, user: &str) -> Actor {
        self.service
            .actor(&UserId::new(user).unwrap(), Some(self.acme))
            .await
            .unwrap()
    }
}

impl Host {
    /// `POST path` of a `multipart/form-data` form as `user` of acme: the form token
    /// first (unless `token` is `None`), then `fields`, then `files` as
    /// `(file name, content type, bytes)`.
    pub async fn post_multipart(
        &self,
        path: &str,
        user: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &str, &[u8])],
        token: Option<&str>,
    ) -> Page {
        const BOUNDARY: &str = "hd-test-boundary-7d1f";
        let mut body: Vec<u8> = Vec::new();
        let mut text = |name: &str, value: &str| {
            body.extend_from_slice(
                format!(
                    "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                )
                .as_bytes(),
            );
        };
        if let Some(token) = token {
            text("form_token", token);
        }
        for (name, value) in fields {
            text(name, value);
        }
        for (file_name, content_type, bytes) in files {
            body.extend_from_slice(
                format!(
                    "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: {content_type}\r\n\r\n"
                )
                .as_bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
        let request = Request::post(path)
            .header("x-user", user)
            .header("x-tenant", "acme")
            .header("accept-language", "fr")
            .header("cookie", format!("hd_form_token={TOKEN}"))
            .header(
                "content-type",
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(Body::from(body))
            .unwrap();
        self.send(request).await
    }
}

impl Host {
    /// `GET path` as `user` of acme with a `Cookie` header, in `lang`.
    pub async fn get_with_cookie(&self, path: &str, user: &str, lang: &str, cookie: &str) -> Page {
        let request = Request::get(path)
            .header("accept-language", lang)
            .header("x-user", user)
            .header("x-tenant", "acme")
            .header("cookie", cookie)
            .body(Body::empty())
            .unwrap();
        self.send(request).await
    }
}

impl Page {
    /// The value of the first `name="…" value="…"` input of the page.
    pub fn input_value(&self, name: &str) -> Option<String> {
        let marker = format!(r#"name="{name}" value=""#);
        let start = self.body.find(&marker)? + marker.len();
        let end = self.body[start..].find('"')?;
        Some(self.body[start..start + end].to_owned())
    }
}
