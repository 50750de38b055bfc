//! The reference deployment: a host application that owns its users, its login page and
//! its sessions, serves the helpdesk's pages at `/` and nests its JSON API at
//! `/helpdesk`.
//!
//! ```sh
//! cargo run --bin portal                           # SQLite file, 127.0.0.1:8080
//! cargo run --bin portal -- --addr 127.0.0.1:9000 --database-url postgres://postgres@127.0.0.1:5432/test
//! HELPDESK_ADDR=0.0.0.0:8080 RUST_LOG=debug cargo run --bin portal
//! cargo run --bin portal -- --help                 # every flag and its environment variable
//! ```
//!
//! Every flag can also be set by an environment variable (`--database-url` by
//! `HELPDESK_DATABASE_URL`, and so on); a flag on the command line wins. Logs go to
//! stderr, filtered by `RUST_LOG` (`info` by default); every line logged while serving a
//! helpdesk request carries its `request_id`, the one in the `X-Request-Id` response
//! header and in problem documents.
//!
//! On first start it creates demo data (tenants `acme` and `globex`, their members, the
//! support staff, categories, products and tickets), once even when several portals
//! start together on one database. Open `http://127.0.0.1:8080/` in a browser and log in
//! as `alice`, `bob`, `carol`, `dave`, `erin`, `sam`, `sue` or `root`, password `demo`
//! (the login page lists them). API callers log in with
//! `POST /login {"login": "alice", "password": "demo"}`, keep the cookie, and call
//! `/helpdesk/...`; `GET /helpdesk/openapi.json` lists every route. `GET /health/live`
//! and `GET /health/ready` are the probes.
//!
//! Notifications are mailed when `--smtp-url` names an SMTP server (see `mail.rs` for
//! `--mail-from`, `--public-url` and `--reply-secret`); the banner says where mail goes.
//!
//! Login sessions live in the portal's `portal_sessions` table of the same database, so
//! several portals on it share them and a restart logs nobody out. Behind HTTPS, pass
//! `--secure-cookies`.
//!
//! On SIGTERM or SIGINT it stops accepting connections, lets the requests in flight
//! finish within `--shutdown-grace` (20 s), stops the notification worker, and exits 0;
//! requests still in flight when the grace ends are cut, and it exits 1.
//! A client that takes longer than `--header-timeout` (10 s) to send a request's headers
//! is disconnected.
// Functions stay short enough to read at once (tests, scenarios and route tables aside).
#![cfg_attr(not(test), warn(clippy::too_many_lines))]

mod demo;
mod login;
mod login_page;
mod mail;
mod notifier;
mod receive;
mod session_store;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{ConnectInfo, FromRef};
use axum::routing::{get, post};
use clap::Parser;
use helpdesk_axum::HelpdeskState;
use helpdesk_core::{
    AttachmentLimits, HelpdeskService, Notifier, Store, WebhookSender, WorkReport, Worker,
};
use helpdesk_sqlx::{FsBlobStore, PoolSettings, PostgresStore, SqliteStore};
use helpdesk_web::{Theme, WebConfig};
use helpdesk_webhooks::HttpWebhookSender;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::sync::watch;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::filter::LevelFilter;

use login::Accounts;
use session_store::DbSessionStore;

/// mimalloc rather than glibc's malloc: glibc gives each thread that allocates an arena
/// of its own and keeps what it freed there, and sqlx runs one thread per SQLite
/// connection, so under load half the portal's peak memory was idle arenas (see
/// BENCHMARKS.md, `load`). A host can make the same choice for its own binary.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

type Fallible<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// The host's state: its users, its look, and the helpdesk's state inside it.
#[derive(Clone, FromRef)]
struct AppState {
    helpdesk: HelpdeskState,
    accounts: Arc<Accounts>,
    theme: Arc<Theme>,
}

/// The portal's configuration: each flag can also come from the environment variable
/// named beside it in `portal --help` (a flag given on the command line wins).
#[derive(Debug, Parser)]
#[command(
    name = "portal",
    about = "The helpdesk's reference deployment: a host with its own login, the helpdesk's pages at / and its API at /helpdesk",
    after_help = "Logs go to stderr, filtered by RUST_LOG (default `info`; e.g. RUST_LOG=debug or \
                  RUST_LOG=info,helpdesk_axum=debug). Each line of a request carries its request_id."
)]
struct Options {
    /// The address to listen on.
    #[arg(long, env = "HELPDESK_ADDR", default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// The database: `sqlite://FILE`, `sqlite::memory:`, or `postgres://...`.
    #[arg(
        long,
        env = "HELPDESK_DATABASE_URL",
        default_value = "sqlite://helpdesk-portal.db",
        hide_env_values = true
    )]
    database_url: String,
    /// The directory attachments are stored in.
    #[arg(long, env = "HELPDESK_FILES", default_value = "helpdesk-portal-files")]
    files: PathBuf,
    /// How long requests in flight may take to finish after SIGTERM or SIGINT
    /// (`20s`, `500ms`, `2m`, or bare seconds).
    #[arg(long, env = "HELPDESK_SHUTDOWN_GRACE", default_value = "20s", value_parser = duration)]
    shutdown_grace: Duration,
    /// How long a client may take to send a request's headers before it is disconnected.
    #[arg(long, env = "HELPDESK_HEADER_TIMEOUT", default_value = "10s", value_parser = duration)]
    header_timeout: Duration,
    /// How long a request waits for a database connection before it is answered 503.
    #[arg(
        long,
        env = "HELPDESK_DB_ACQUIRE_TIMEOUT",
        default_value = DB_ACQUIRE_TIMEOUT,
        value_parser = duration
    )]
    db_acquire_timeout: Duration,
    /// The most database connections the portal keeps open (the helpdesk's and its
    /// sessions' share one pool) [default: 4 on SQLite, 10 on PostgreSQL]
    #[arg(long, env = "HELPDESK_DB_MAX_CONNECTIONS")]
    db_max_connections: Option<u32>,
    /// Turns off the per-caller write limit: for contract fuzzing (`.ci/contract-fuzz`),
    /// which writes faster than people. Never in production.
    #[arg(long, env = "HELPDESK_NO_WRITE_LIMIT")]
    no_write_limit: bool,
    /// Marks the cookies `Secure` (sent over HTTPS only): set it when the portal is
    /// served over TLS, by itself or behind a proxy.
    #[arg(long, env = "HELPDESK_SECURE_COOKIES")]
    secure_cookies: bool,
    /// Mail: `--smtp-url`, `--mail-from`, `--public-url`, `--reply-secret`,
    /// `--inbound-secret`.
    #[command(flatten)]
    mail: mail::MailOptions,
    /// Without a subcommand, the portal serves.
    #[command(subcommand)]
    command: Option<Subcommand>,
}

/// What the portal does instead of serving.
#[derive(Debug, clap::Subcommand)]
enum Subcommand {
    /// Reads one mail on stdin and makes it a reply on its ticket, against the database
    /// directly: for an MTA's pipe transport (Postfix `pipe`, Exim `pipe`). Needs
    /// `--reply-secret` (and `--mail-from` / `--reply-address` as the notifier has
    /// them). Exits 0 when the mail became a reply or was dropped on purpose (an
    /// auto-reply, a bounce, our own mail, a message already processed: a bounce for
    /// those would start a loop); 67 (EX_NOUSER) when it answers no reply address of
    /// ours or a person we do not know; 77 (EX_NOPERM) for every other refusal (a
    /// forged or expired address, a closed ticket...); 75 (EX_TEMPFAIL) when the
    /// database is unreachable (the MTA keeps the mail and tries again); 78
    /// (EX_CONFIG) for a bad configuration.
    ReceiveMail,
}

/// [`helpdesk_sqlx::ACQUIRE_TIMEOUT`] as the flag's default (a test keeps them equal).
const DB_ACQUIRE_TIMEOUT: &str = "3s";

/// `20s`, `500ms`, `2m`, or a bare number of seconds.
fn duration(text: &str) -> Result<Duration, String> {
    let bad = || format!("takes a duration such as 20s, 500ms or 2m, not `{text}`");
    let (number, unit) = match text.find(|c: char| !c.is_ascii_digit()) {
        Some(at) => text.split_at(at),
        None => (text, "s"),
    };
    let number: u64 = number.parse().map_err(|_| bad())?;
    match unit {
        "ms" => Ok(Duration::from_millis(number)),
        "s" => Ok(Duration::from_secs(number)),
        "m" => Ok(Duration::from_secs(number.saturating_mul(60))),
        _ => Err(bad()),
    }
}

/// Logs to stderr (stdout carries the banner that says where the portal listens), at the
/// levels `RUST_LOG` asks for, `info` by default: a 500's cause, logged by the helpdesk,
/// is printed with the request id its problem document names.
fn logging() {
    let filter = EnvFilter::builder()
        .with_default_directive(LevelFilter::INFO.into())
        .from_env_lossy();
    // `Err` only when a subscriber is already installed: keep that one.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// What [`store`] opens: the helpdesk's service, the portal's users and its sessions.
struct Opened {
    service: HelpdeskService,
    people: Vec<demo::Person>,
    sessions: DbSessionStore,
}

/// Opens and migrates the database, then creates the portal's session table and the
/// demo data under a lock that makes two portals starting together on one database
/// do each once.
async fn store(options: &Options) -> Fallible<Opened> {
    let url = options.database_url.as_str();
    let mut pool = PoolSettings::default().acquire_timeout(options.db_acquire_timeout);
    if let Some(connections) = options.db_max_connections {
        pool = pool.max_connections(connections);
    }
    let (store, sessions, lock): (Arc<dyn Store>, DbSessionStore, demo::SeedLock) =
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let store = PostgresStore::connect_with_pool(url.parse()?, pool).await?;
            store.migrate().await?;
            let lock = demo::SeedLock::postgres(&store).await?;
            let sessions = DbSessionStore::Postgres(store.pool().clone());
            (Arc::new(store), sessions, lock)
        } else if url.contains(":memory:") || url.contains("mode=memory") {
            let store = SqliteStore::connect(url).await?;
            store.migrate().await?;
            let sessions = DbSessionStore::Sqlite(store.pool().clone());
            (Arc::new(store), sessions, demo::SeedLock::None)
        } else {
            let store = SqliteStore::connect_with_pool(SqliteStore::options(url)?, pool).await?;
            store.migrate().await?;
            let lock = demo::SeedLock::sqlite(url).await?;
            let sessions = DbSessionStore::Sqlite(store.pool().clone());
            (Arc::new(store), sessions, lock)
        };
    let service = HelpdeskService::new(store);
    let seeded = match sessions.migrate().await {
        Ok(()) => demo::ensure(&service).await,
        Err(e) => Err(e.into()),
    };
    lock.release().await?;
    Ok(Opened {
        service,
        people: seeded?,
        sessions,
    })
}

/// SIGTERM (what service managers and orchestrators send) and SIGINT (Ctrl-C), caught
/// from the moment this is made.
struct ShutdownSignals {
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
    #[cfg(unix)]
    int: tokio::signal::unix::Signal,
}

impl ShutdownSignals {
    fn new() -> Fallible<Self> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Self {
                term: signal(SignalKind::terminate())?,
                int: signal(SignalKind::interrupt())?,
            })
        }
        #[cfg(not(unix))]
        Ok(Self {})
    }

    /// The next signal's name.
    async fn recv(&mut self) -> Fallible<&'static str> {
        #[cfg(unix)]
        {
            tokio::select! {
                _ = self.term.recv() => Ok("SIGTERM"),
                _ = self.int.recv() => Ok("SIGINT"),
            }
        }
        #[cfg(not(unix))]
        {
            tokio::signal::ctrl_c().await?;
            Ok("Ctrl-C")
        }
    }
}

/// The helpdesk's worker (outbox delivery by mail and webhooks, automatic approvals),
/// logging what each pass did and what failed.
fn worker(
    service: HelpdeskService,
    notifier: Arc<dyn Notifier>,
    webhooks: Option<Arc<dyn WebhookSender>>,
) -> Worker {
    let worker = Worker::new(service, notifier);
    let worker = match webhooks {
        Some(sender) => worker.with_webhooks(sender),
        None => worker,
    };
    worker.on_report(|report: &WorkReport| {
        for error in &report.errors {
            tracing::error!(error = %error, "helpdesk worker pass failed");
        }
        if report.failed + report.dead_lettered > 0 {
            tracing::warn!(
                failed = report.failed,
                dead_lettered = report.dead_lettered,
                "notifications not delivered"
            );
        }
        if report.delivered + report.closures_approved > 0 {
            tracing::debug!(
                delivered = report.delivered,
                closures_approved = report.closures_approved,
                "helpdesk worker pass"
            );
        }
    })
}

/// Deletes expired login sessions every 30 s until `stop` says so.
async fn expire_sessions(sessions: DbSessionStore, mut stop: watch::Receiver<bool>) {
    loop {
        match sessions.delete_expired().await {
            Ok(0) => {}
            Ok(n) => tracing::debug!(sessions = n, "expired sessions deleted"),
            Err(e) => tracing::error!(error = %e, "deleting expired sessions failed"),
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(30)) => {}
            _ = stop.wait_for(|stop| *stop) => return,
        }
    }
}

#[tokio::main]
async fn main() -> Fallible<()> {
    let options = Options::parse();
    logging();
    if let Some(Subcommand::ReceiveMail) = options.command {
        std::process::exit(receive::receive_mail(&options).await);
    }
    // Caught from here on: a SIGTERM during start-up is answered once the portal is up.
    let mut signals = ShutdownSignals::new()?;
    let Opened {
        service,
        people,
        sessions,
    } = store(&options).await?;
    let accounts = Arc::new(Accounts::new(people)?);
    // Attachments: files under `--files`, 10 MiB each (the service's one size setting).
    let service = service
        .with_blobs(Arc::new(FsBlobStore::new(&options.files)))
        .with_attachment_limits(AttachmentLimits::default());
    let (inbound, inbound_banner) = mail::inbound_route(&options.mail, service.clone())?;
    let app = app(
        &options,
        service.clone(),
        accounts,
        sessions.clone(),
        inbound,
    );

    let listener = tokio::net::TcpListener::bind(options.addr).await?;
    let mail = mail::notifier(&options.mail, listener.local_addr()?)?;
    print_banner(listener.local_addr()?, &options);
    println!("  mail:      {}", mail.description);
    println!("  inbound:   {inbound_banner}");
    // Webhooks the tenants' admins register are posted over HTTPS with the system's
    // trust store; without one, their messages wait in the outbox (and say why).
    let webhooks: Option<Arc<dyn WebhookSender>> = match HttpWebhookSender::new() {
        Ok(sender) => {
            println!("  webhooks:  posted to each tenant's endpoints (signed)");
            Some(Arc::new(sender))
        }
        Err(e) => {
            println!("  webhooks:  not sent ({e}); they wait in the outbox");
            None
        }
    };

    let (stop, stopped) = watch::channel(false);
    let mut worker_stop = stopped.clone();
    // A pass under way when the signal comes is finished, not cut.
    let worker = tokio::spawn(worker(service, mail.notifier, webhooks).run(
        tokio::time::sleep,
        async move {
            let _ = worker_stop.wait_for(|stop| *stop).await;
        },
    ));
    let expiry = tokio::spawn(expire_sessions(sessions, stopped));
    let connections = GracefulShutdown::new();
    let signal = serve_until_signal(&listener, &app, &options, &connections, &mut signals).await?;

    // Refuse new connections from now on; finish what is in flight.
    drop(listener);
    eprintln!(
        "{signal}: draining requests in flight (at most {:?})",
        options.shutdown_grace
    );
    let _ = stop.send(true);
    let drained = tokio::time::timeout(options.shutdown_grace, async {
        connections.shutdown().await;
        let _ = worker.await;
        let _ = expiry.await;
    })
    .await;
    match drained {
        Ok(()) => {
            eprintln!("stopped cleanly");
            Ok(())
        }
        Err(_) => Err(format!(
            "requests still in flight after {:?}: closed",
            options.shutdown_grace
        )
        .into()),
    }
}

/// The portal's name and colours, on its login page and the helpdesk's pages.
fn theme() -> Theme {
    Theme {
        name: "Portail d'assistance".to_owned(),
        ..Theme::default()
    }
}

/// The host's routes (login, logout), the helpdesk's pages at the root, its JSON API at
/// `/helpdesk` and the health probes at `/health`, every one inside the session layer.
fn app(
    options: &Options,
    service: HelpdeskService,
    accounts: Arc<Accounts>,
    sessions: DbSessionStore,
    inbound: Option<Router<AppState>>,
) -> Router {
    // The document tells clients to send the portal's own session cookie.
    use helpdesk_axum::utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
    let mut helpdesk = HelpdeskState::new(service, accounts.clone()).with_security_scheme(
        SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(login::COOKIE))),
    );
    if options.no_write_limit {
        helpdesk = helpdesk.with_write_limit(None);
    }
    let theme = theme();
    let pages = WebConfig::new()
        .with_theme(theme.clone())
        .with_login_url("/login")
        .with_logout_url("/logout")
        .with_secure_cookies(options.secure_cookies);
    let lifetime = i64::try_from(login::SESSION_LIFETIME.as_secs()).unwrap_or(i64::MAX);
    // A session is saved at login only, so it ends `SESSION_LIFETIME` after the login.
    let sessions = SessionManagerLayer::new(sessions)
        .with_name(login::COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(options.secure_cookies)
        .with_expiry(Expiry::OnInactivity(
            tower_sessions::cookie::time::Duration::seconds(lifetime),
        ));
    // Axum nests nothing at the root: the pages are merged. Their fallback (a 404 page)
    // answers unknown paths; `/helpdesk/...` keeps the API's own (problem+json).
    // Replies by mail: the MTA proves itself with its own secret, no session needed.
    let inbound = inbound.unwrap_or_default();
    Router::new()
        .merge(inbound)
        .route("/login", get(login::login_page).post(login::login))
        .route("/logout", post(login::logout))
        .nest("/helpdesk", helpdesk_axum::router())
        .nest("/health", helpdesk_axum::health::router())
        .merge(helpdesk_web::pages(pages))
        .layer(sessions)
        .with_state(AppState {
            helpdesk,
            accounts,
            theme: Arc::new(theme),
        })
}

/// Where the portal listens, and how to try it.
fn print_banner(addr: SocketAddr, options: &Options) {
    println!("helpdesk portal listening on http://{addr}");
    println!("  browser:   http://{addr}/");
    println!("  API:       http://{addr}/helpdesk/openapi.json");
    println!("  health:    http://{addr}/health/live  http://{addr}/health/ready");
    println!("  database:  {}", options.database_url);
    println!(
        "  log in:    curl -c jar -H 'content-type: application/json' -d '{{\"login\":\"alice\",\"password\":\"demo\"}}' http://{addr}/login"
    );
    println!("  then:      curl -b jar http://{addr}/helpdesk/tickets");
    println!(
        "  demo logins (password `demo`): {}",
        demo::LOGINS.join(", ")
    );
}

/// Serves each accepted connection (watched by `connections`) until a shutdown signal
/// comes; returns the signal's name.
async fn serve_until_signal(
    listener: &tokio::net::TcpListener,
    app: &Router,
    options: &Options,
    connections: &GracefulShutdown,
    signals: &mut ShutdownSignals,
) -> Fallible<&'static str> {
    let mut http = hyper::server::conn::http1::Builder::new();
    // A client that dribbles its headers is cut off instead of holding a connection.
    http.timer(TokioTimer::new())
        .header_read_timeout(options.header_timeout);
    loop {
        let (stream, remote) = tokio::select! {
            signal = signals.recv() => return signal,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors, say: wait for connections to close.
                    tracing::error!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        let app = app.clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<_>| {
            // The client address reaches `login` (its per-address throttle).
            request.extensions_mut().insert(ConnectInfo(remote));
            tower::ServiceExt::oneshot(app.clone(), request)
        });
        let connection = http.serve_connection(TokioIo::new(stream), service);
        let connection = connections.watch(connection);
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                // Clients that go away or time out are not the server's failure.
                tracing::debug!("connection from {remote} ended: {e}");
            }
        });
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn every_flag_has_an_environment_variable_and_the_defaults_agree() {
        Options::command().debug_assert();
        let defaults = Options::try_parse_from(["portal"]).unwrap();
        assert_eq!(defaults.db_acquire_timeout, helpdesk_sqlx::ACQUIRE_TIMEOUT);
        assert_eq!(defaults.db_max_connections, None);
        assert_eq!(defaults.shutdown_grace, Duration::from_secs(20));
        let names: Vec<_> = Options::command()
            .get_arguments()
            .filter_map(|a| a.get_env().map(|e| e.to_string_lossy().into_owned()))
            .collect();
        for name in [
            "HELPDESK_ADDR",
            "HELPDESK_DATABASE_URL",
            "HELPDESK_FILES",
            "HELPDESK_SHUTDOWN_GRACE",
            "HELPDESK_HEADER_TIMEOUT",
            "HELPDESK_DB_ACQUIRE_TIMEOUT",
            "HELPDESK_DB_MAX_CONNECTIONS",
            "HELPDESK_SECURE_COOKIES",
            "HELPDESK_SMTP_URL",
            "HELPDESK_MAIL_FROM",
            "HELPDESK_PUBLIC_URL",
            "HELPDESK_REPLY_SECRET",
            "HELPDESK_INBOUND_SECRET",
        ] {
            assert!(names.iter().any(|n| n == name), "{name} is not read");
        }
    }

    #[test]
    fn durations_take_a_unit_or_bare_seconds() {
        assert_eq!(duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(duration("7"), Ok(Duration::from_secs(7)));
        assert_eq!(duration("2m"), Ok(Duration::from_secs(120)));
        assert!(duration("2h").is_err());
        assert!(Options::try_parse_from(["portal", "--shutdown-grace", "soon"]).is_err());
    }
}
