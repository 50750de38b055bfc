//! The smallest host: the helpdesk's JSON API at `/helpdesk`, on SQLite, behind a login
//! that trusts two request headers. `cargo run -p helpdesk-example-host [ADDR]`, then
//! `curl -H 'X-User: alice' -H 'X-Tenant: acme' http://127.0.0.1:8099/helpdesk/tickets`.
//! (Never trust such headers in production: they stand for the host's real login.)

use std::sync::Arc;

use axum::http::request::Parts;
use helpdesk_axum::{Caller, HelpdeskState, Identify, IdentifyError, Profile};
use helpdesk_core::{HelpdeskService, MemberRole, UserId};
use helpdesk_sqlx::SqliteStore;

// The host's own login: who is calling, from the `X-User` and `X-Tenant` headers.
struct HeaderLogin;

#[helpdesk_axum::async_trait]
impl Identify for HeaderLogin {
    async fn identify(&self, parts: &mut Parts) -> Result<Option<Caller>, IdentifyError> {
        let header = |name| {
            parts
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let Some(user) = header("x-user") else {
            return Ok(None); // 401
        };
        Ok(Some(Caller {
            user: UserId::new(&user).map_err(IdentifyError::new)?,
            tenant: header("x-tenant"), // the tenant's slug
            profile: Some(Profile {
                display_name: user,
                email: None,
                role: MemberRole::Requester,
            }),
        }))
    }
}

// The helpdesk: store, migrations, first admin and tenant, routes.
#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let store = SqliteStore::connect("sqlite://host.db").await?; // created when missing
    store.migrate().await?;
    let service = HelpdeskService::new(Arc::new(store));
    let root = service
        .ensure_platform_admin(&UserId::new("root")?, "Root")
        .await?;
    service.ensure_tenant(&root, "acme", "Acme").await?;
    let helpdesk = HelpdeskState::new(service, Arc::new(HeaderLogin));
    let app = axum::Router::new()
        .nest("/helpdesk", helpdesk_axum::router())
        .with_state(helpdesk);
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8099".into());
    let listener = tokio::net::TcpListener::bind(addr).await?;
    axum::serve(listener, app).await?;
    Ok(())
}
