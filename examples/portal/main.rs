//! The reference deployment: a host application that owns its users and login, and
//! nests the helpdesk's routes at `/helpdesk`.
//!
//! ```sh
//! cargo run --bin portal                           # SQLite file, 127.0.0.1:8080
//! cargo run --bin portal -- --addr 127.0.0.1:9000 --database-url postgres://postgres@127.0.0.1:5432/test
//! ```
//!
//! On first start it creates demo data (tenants `acme` and `globex`, their members, the
//! support staff, categories, products and tickets). Log in with
//! `POST /login {"login": "alice", "password": "demo"}`, keep the cookie, and call
//! `/helpdesk/...`; `GET /helpdesk/openapi.json` lists every route.

mod demo;
mod login;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::extract::FromRef;
use axum::routing::post;
use helpdesk_axum::HelpdeskState;
use helpdesk_core::{BlobStore, HelpdeskService, Store};
use helpdesk_sqlx::{FsBlobStore, PostgresStore, SqliteStore};

use login::Sessions;

type Fallible<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// The host's state: its own sessions, and the helpdesk's state inside it.
#[derive(Clone, FromRef)]
struct AppState {
    helpdesk: HelpdeskState,
    sessions: Arc<Sessions>,
}

struct Options {
    addr: SocketAddr,
    database_url: String,
    files: PathBuf,
}

fn options() -> Fallible<Options> {
    let mut options = Options {
        addr: "127.0.0.1:8080".parse()?,
        database_url: "sqlite://helpdesk-portal.db".to_owned(),
        files: PathBuf::from("helpdesk-portal-files"),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--addr" => options.addr = value("--addr")?.parse()?,
            "--database-url" => options.database_url = value("--database-url")?,
            "--files" => options.files = PathBuf::from(value("--files")?),
            "--help" | "-h" => {
                println!(
                    "portal [--addr 127.0.0.1:8080] [--database-url sqlite://helpdesk-portal.db | postgres://...] [--files DIR]"
                );
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument `{other}` (try --help)").into()),
        }
    }
    Ok(options)
}

async fn store(url: &str) -> Fallible<Arc<dyn Store>> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let store = PostgresStore::connect(url).await?;
        store.migrate().await?;
        Ok(Arc::new(store))
    } else {
        let store = SqliteStore::connect(url).await?;
        store.migrate().await?;
        Ok(Arc::new(store))
    }
}

#[tokio::main]
async fn main() -> Fallible<()> {
    let options = options()?;
    let store = store(&options.database_url).await?;
    let service = HelpdeskService::new(store);
    let people = demo::ensure(&service).await?;
    let sessions = Arc::new(Sessions::new(people)?);
    let blobs: Arc<dyn BlobStore> = Arc::new(FsBlobStore::new(&options.files, 10 * 1024 * 1024));
    let helpdesk = HelpdeskState::new(service.clone(), sessions.clone(), blobs);

    let app = Router::new()
        .route("/login", post(login::login))
        .route("/logout", post(login::logout))
        .nest("/helpdesk", helpdesk_axum::router())
        .with_state(AppState { helpdesk, sessions });
    // The client address reaches `login` (its per-address throttle) through ConnectInfo.
    let app = app.into_make_service_with_connect_info::<SocketAddr>();

    let listener = tokio::net::TcpListener::bind(options.addr).await?;
    let addr = listener.local_addr()?;
    println!("helpdesk portal listening on http://{addr}");
    println!("  API:       http://{addr}/helpdesk/openapi.json");
    println!("  database:  {}", options.database_url);
    println!(
        "  log in:    curl -c jar -H 'content-type: application/json' -d '{{\"login\":\"alice\",\"password\":\"demo\"}}' http://{addr}/login"
    );
    println!("  then:      curl -b jar http://{addr}/helpdesk/tickets");
    println!(
        "  demo logins (password `demo`): {}",
        demo::LOGINS.join(", ")
    );

    // Deliver notifications and close overdue closures in the background.
    tokio::spawn(async move {
        let notifier = helpdesk_core::NoNotifier;
        loop {
            if let Err(e) = service.deliver_notifications(&notifier, 100).await {
                eprintln!("notification delivery failed: {e}");
            }
            if let Err(e) = service.auto_approve_due_closures().await {
                eprintln!("automatic approvals failed: {e}");
            }
            tokio::time::sleep(std::time::Duration::from_secs(30)).await;
        }
    });

    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
