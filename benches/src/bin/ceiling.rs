//! The ceiling for the HTTP load figures: a bare axum 0.8 + sqlx 0.9 server doing one
//! `INSERT` per `POST /items` (and one `SELECT` by primary key per `GET /items/{n}`), on
//! SQLite or PostgreSQL, with the same pool size and connection options the helpdesk
//! store uses. Nothing a real application does besides: no session, no JSON schema, no
//! permission check. `load` (in this directory) drives it beside the portal.
//!
//! `POST /tickets` is the step between: a ticket opened through the helpdesk store's
//! port alone (`Store::open_ticket`, the rows the portal writes for an open: the ticket
//! with its indexes, its first event, its notification in the outbox, its full-text
//! words and the dashboard's tallies), without the portal's session, JSON API,
//! permission checks or service. What separates it from `/items` is the schema's cost;
//! what separates the portal from it, ours above the store.
//!
//! `ceiling DATABASE_URL` listens on 127.0.0.1 (a free port) and prints
//! `listening on ADDR`.

use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use chrono::Utc;
use helpdesk_core::{
    ActorRef, EventId, EventKind, MemberId, OutboxMessage, Priority, RichText, Store, Tenant,
    TenantId, Ticket, TicketChange, TicketId, TicketNumber, TicketState, TimelineEvent,
};
use helpdesk_sqlx::sqlx;
use helpdesk_sqlx::{PostgresStore, SqliteStore};

type Fallible<T = ()> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// The pool, and the next item number.
type AppState = (Db, Arc<AtomicI64>);

#[derive(Clone)]
enum Db {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS ceiling_items (\
     n BIGINT PRIMARY KEY, id TEXT NOT NULL, body TEXT NOT NULL, created_at BIGINT NOT NULL)";

async fn insert(State((db, next)): State<AppState>, body: String) -> (StatusCode, String) {
    let n = next.fetch_add(1, Ordering::Relaxed);
    let id = uuid::Uuid::now_v7().to_string();
    let at = i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default(),
    )
    .unwrap_or_default();
    let sql = "INSERT INTO ceiling_items (n, id, body, created_at) VALUES ($1, $2, $3, $4)";
    let done = match &db {
        Db::Sqlite(pool) => sqlx::query(sql)
            .bind(n)
            .bind(&id)
            .bind(&body)
            .bind(at)
            .execute(pool)
            .await
            .map(|_| ()),
        Db::Postgres(pool) => sqlx::query(sql)
            .bind(n)
            .bind(&id)
            .bind(&body)
            .bind(at)
            .execute(pool)
            .await
            .map(|_| ()),
    };
    match done {
        Ok(()) => (StatusCode::CREATED, format!("{{\"n\":{n}}}")),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

async fn fetch(State((db, _)): State<AppState>, Path(n): Path<i64>) -> (StatusCode, String) {
    let sql = "SELECT body FROM ceiling_items WHERE n = $1";
    let found: Result<Option<(String,)>, sqlx::Error> = match &db {
        Db::Sqlite(pool) => sqlx::query_as(sql).bind(n).fetch_optional(pool).await,
        Db::Postgres(pool) => sqlx::query_as(sql).bind(n).fetch_optional(pool).await,
    };
    match found {
        Ok(Some((body,))) => (StatusCode::OK, body),
        Ok(None) => (StatusCode::NOT_FOUND, String::new()),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

/// The helpdesk store and the tenant its tickets are opened in.
type Tickets = (Arc<dyn Store>, TenantId);

/// A ticket as the service opens it for a requester: `subject` and `description` (HTML)
/// from the body, new, normal priority, no assignee.
fn new_ticket(tenant: TenantId, body: &str) -> Option<Ticket> {
    let value: serde_json::Value = serde_json::from_str(body).ok()?;
    let subject = value.get("subject")?.as_str()?.to_owned();
    let description = RichText::sanitize(value.get("description")?.as_str()?).ok()?;
    let now = Utc::now();
    Some(Ticket {
        id: TicketId::new(),
        tenant,
        number: TicketNumber::FIRST,
        subject,
        description,
        category: None,
        product: None,
        priority: Priority::Normal,
        state: TicketState::New,
        requester: MemberId::new(),
        assignee: None,
        group: None,
        guests: vec![],
        contact_phone: None,
        asset: None,
        custom_fields: Default::default(),
        opened_by: ActorRef::System,
        created_at: now,
        updated_at: now,
        version: 1,
        public_updated_at: now,
        public_version: 1,
        service_level: Default::default(),
    })
}

async fn open(State((store, tenant)): State<Tickets>, body: String) -> (StatusCode, String) {
    let Some(ticket) = new_ticket(tenant, &body) else {
        return (StatusCode::BAD_REQUEST, String::new());
    };
    let opened = TimelineEvent {
        id: EventId::new(),
        ticket: ticket.id,
        tenant,
        at: ticket.created_at,
        author: ActorRef::Member(ticket.requester),
        status_change: None,
        kind: EventKind::Opened,
    };
    let outbox: Vec<OutboxMessage> = OutboxMessage::for_event(&ticket, &opened)
        .into_iter()
        .collect();
    let change = TicketChange {
        ticket: &ticket,
        expected_version: 0,
        events: std::slice::from_ref(&opened),
        outbox: &outbox,
        attachments: &[],
        request_fingerprint: None,
    };
    match store.open_ticket(change).await {
        Ok(number) => (StatusCode::CREATED, format!("{{\"number\":{number}}}")),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

#[tokio::main]
async fn main() -> Fallible {
    let url = std::env::args()
        .nth(1)
        .ok_or("usage: ceiling DATABASE_URL")?;
    // The pools the helpdesk store opens, with its options (WAL, busy timeout, foreign
    // keys, synchronous = NORMAL on SQLite; 10 connections).
    let (db, store): (Db, Arc<dyn Store>) = if url.starts_with("sqlite:") {
        let store = SqliteStore::connect(&url).await?;
        store.migrate().await?;
        (Db::Sqlite(store.pool().clone()), Arc::new(store))
    } else {
        let options = sqlx::postgres::PgConnectOptions::from_str(&url)?;
        let store = PostgresStore::connect_with(options).await?;
        store.migrate().await?;
        (Db::Postgres(store.pool().clone()), Arc::new(store))
    };
    let tenant = Tenant::new("ceiling", "Ceiling")?;
    store.insert_tenant(&tenant).await?;
    match &db {
        Db::Sqlite(pool) => sqlx::raw_sql(SCHEMA).execute(pool).await.map(|_| ())?,
        Db::Postgres(pool) => sqlx::raw_sql(SCHEMA).execute(pool).await.map(|_| ())?,
    }
    let state = (db, Arc::new(AtomicI64::new(1)));
    let app = Router::new()
        .route("/items", post(insert))
        .route("/items/{n}", get(fetch))
        .with_state(state)
        .merge(
            Router::new()
                .route("/tickets", post(open))
                .with_state((store, tenant.id)),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    println!("listening on {}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}
