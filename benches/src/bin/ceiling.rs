//! The ceiling for the HTTP load figures: a bare axum 0.8 + sqlx 0.9 server doing one
//! `INSERT` per `POST /items` (and one `SELECT` by primary key per `GET /items/{n}`), on
//! SQLite or PostgreSQL, with the same pool size and connection options the helpdesk
//! store uses. Nothing a real application does besides: no session, no JSON schema, no
//! permission check. `load` (in this directory) drives it beside the portal.
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

#[tokio::main]
async fn main() -> Fallible {
    let url = std::env::args()
        .nth(1)
        .ok_or("usage: ceiling DATABASE_URL")?;
    // The pools the helpdesk store opens, with its options (WAL, busy timeout, foreign
    // keys, synchronous = NORMAL on SQLite; 10 connections).
    let db = if url.starts_with("sqlite:") {
        let store = SqliteStore::connect(&url).await?;
        Db::Sqlite(store.pool().clone())
    } else {
        let options = sqlx::postgres::PgConnectOptions::from_str(&url)?;
        let store = PostgresStore::connect_with(options).await?;
        Db::Postgres(store.pool().clone())
    };
    match &db {
        Db::Sqlite(pool) => sqlx::raw_sql(SCHEMA).execute(pool).await.map(|_| ())?,
        Db::Postgres(pool) => sqlx::raw_sql(SCHEMA).execute(pool).await.map(|_| ())?,
    }
    let state = (db, Arc::new(AtomicI64::new(1)));
    let app = Router::new()
        .route("/items", post(insert))
        .route("/items/{n}", get(fetch))
        .with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    println!("listening on {}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}
