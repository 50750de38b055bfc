//! The host's side: its users, their hashed passwords, the login and logout routes
//! (a JSON API and the HTML form), and the `Identify` implementation that tells the
//! helpdesk who is calling, from the login session.
//!
//! Sessions are [`tower_sessions`] sessions kept in the portal's database
//! ([`DbSessionStore`](crate::session_store::DbSessionStore)); a session holds the
//! login it was opened for under [`LOGIN_KEY`].

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use async_trait::async_trait;
use axum::extract::{ConnectInfo, FromRequest, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use helpdesk_axum::{Caller, Identify, IdentifyError, Profile};
use helpdesk_core::{MemberRole, UserId};
use helpdesk_web::{Lang, Theme};
use serde::Deserialize;
use tokio::sync::Semaphore;
use tower_sessions::Session;

use crate::demo::Person;
use crate::login_page::{self, Failure, LoginForm};

/// The name of the session cookie.
pub(crate) const COOKIE: &str = "portal_session";

/// The session key that holds the logged-in login.
pub(crate) const LOGIN_KEY: &str = "login";

/// How long a session lasts after the login.
pub(crate) const SESSION_LIFETIME: Duration = Duration::from_secs(12 * 3600);

/// A host user: who they are to the helpdesk, and their password hash.
pub(crate) struct Account {
    pub(crate) person: Person,
    password_hash: String,
}

/// The host's users, and what guards their passwords.
pub(crate) struct Accounts {
    accounts: HashMap<String, Account>,
    /// The logins in the order the login page lists them.
    order: Vec<String>,
    /// Checked for unknown logins, so a wrong login takes as long as a wrong password.
    decoy_hash: String,
    /// Slows down password guessing.
    throttle: LoginThrottle,
    /// Bounds the password verifications running at once (each takes ~19 MiB and tens
    /// of milliseconds of a core): a burst of logins queues here instead of starving the
    /// blocking pool and memory.
    verifying: Arc<Semaphore>,
}

/// Login attempts allowed before `429 Too Many Requests`: per login name (known or not,
/// so the answer says nothing about which logins exist) a burst of
/// [`LOGIN_BURST`](LoginThrottle::LOGIN_BURST) then one every
/// [`LOGIN_EVERY`](LoginThrottle::LOGIN_EVERY); per client address, when the server
/// gives it, a larger burst for people sharing one address.
struct LoginThrottle {
    by_login: DefaultKeyedRateLimiter<String>,
    by_address: DefaultKeyedRateLimiter<IpAddr>,
    clock: DefaultClock,
    attempts: std::sync::atomic::AtomicU64,
}

impl LoginThrottle {
    /// Attempts in a row for one login name.
    const LOGIN_BURST: u32 = 5;
    /// Then one attempt per this long.
    const LOGIN_EVERY: Duration = Duration::from_secs(20);
    /// Attempts in a row from one address.
    const ADDRESS_BURST: u32 = 30;
    /// Then one attempt per this long.
    const ADDRESS_EVERY: Duration = Duration::from_secs(2);

    fn new() -> Self {
        let quota = |every: Duration, burst: u32| {
            Quota::with_period(every)
                .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
                .allow_burst(NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN))
        };
        Self {
            by_login: RateLimiter::keyed(quota(Self::LOGIN_EVERY, Self::LOGIN_BURST)),
            by_address: RateLimiter::keyed(quota(Self::ADDRESS_EVERY, Self::ADDRESS_BURST)),
            clock: DefaultClock::default(),
            attempts: std::sync::atomic::AtomicU64::new(0),
        }
    }

    /// Counts one attempt for `login` from `address`: `Err` with how long to wait when
    /// either has had too many. Checked before the password, so a throttled attempt
    /// costs no hashing.
    fn attempt(&self, login: &str, address: Option<IpAddr>) -> Result<(), Duration> {
        // Forget names and addresses back at a full burst now and then, so guessing with
        // made-up names cannot grow the tables without end.
        let attempts = self
            .attempts
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if attempts % 1024 == 1023 {
            self.by_login.retain_recent();
            self.by_address.retain_recent();
        }
        let now = self.clock.now();
        if let Some(address) = address {
            self.by_address
                .check_key(&address)
                .map_err(|until| until.wait_time_from(now))?;
        }
        self.by_login
            .check_key(&login.trim().to_lowercase())
            .map_err(|until| until.wait_time_from(now))
    }
}

impl Accounts {
    /// Hashes every demo person's password (`demo`).
    pub(crate) fn new(
        people: Vec<Person>,
    ) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        let argon2 = Argon2::default();
        let mut accounts = HashMap::new();
        let mut order = Vec::new();
        for person in people {
            let password_hash = argon2
                .hash_password(b"demo")
                .map_err(|e| e.to_string())?
                .to_string();
            order.push(person.login.clone());
            accounts.insert(
                person.login.clone(),
                Account {
                    person,
                    password_hash,
                },
            );
        }
        let decoy_hash = argon2
            .hash_password(b"not a password anyone has")
            .map_err(|e| e.to_string())?
            .to_string();
        Ok(Self {
            accounts,
            order,
            decoy_hash,
            throttle: LoginThrottle::new(),
            verifying: Arc::new(Semaphore::new(
                std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get),
            )),
        })
    }

    /// Everyone who can log in, in the demo's order (the login page lists them).
    pub(crate) fn people(&self) -> impl Iterator<Item = &Person> {
        self.order
            .iter()
            .filter_map(|login| self.accounts.get(login))
            .map(|account| &account.person)
    }

    /// The account when `password` is its password. An unknown login is verified against
    /// a decoy hash, so it takes as long as a wrong password. Argon2 runs on the blocking
    /// pool, at most one verification per core at a time, never on the async executor
    /// (where tens of milliseconds of hashing would stall every other request of the
    /// worker thread).
    async fn check(&self, login: &str, password: &str) -> Option<&Account> {
        let account = self.accounts.get(login);
        let stored = account
            .map_or(&self.decoy_hash, |a| &a.password_hash)
            .clone();
        let password = password.to_owned();
        // Owned and moved into the blocking task: a client that hangs up mid-check does
        // not free its slot before the hashing it started is over.
        let permit = self.verifying.clone().acquire_owned().await.ok()?;
        let verified = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            PasswordHash::new(&stored).is_ok_and(|hash| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &hash)
                    .is_ok()
            })
        })
        .await
        .unwrap_or(false);
        account.filter(|_| verified)
    }

    /// The account the session was opened for, if any.
    async fn logged_in(&self, session: &Session) -> Result<Option<&Account>, IdentifyError> {
        let login: Option<String> = session.get(LOGIN_KEY).await.map_err(IdentifyError::new)?;
        Ok(login.and_then(|login| self.accounts.get(&login)))
    }

    /// Counts the attempt, then checks the password.
    async fn authenticate(
        &self,
        login: &str,
        password: &str,
        address: Option<IpAddr>,
    ) -> Result<&Account, Refusal> {
        self.throttle
            .attempt(login, address)
            .map_err(Refusal::Throttled)?;
        self.check(login, password).await.ok_or(Refusal::Wrong)
    }
}

/// Why a login was refused.
enum Refusal {
    /// Too many attempts: wait this long.
    Throttled(Duration),
    /// Unknown login or wrong password.
    Wrong,
}

/// Whole seconds to wait, at least one, for `Retry-After`.
fn retry_after(wait: Duration) -> u64 {
    (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)
}

#[async_trait]
impl Identify for Accounts {
    async fn identify(&self, parts: &mut Parts) -> Result<Option<Caller>, IdentifyError> {
        // The session layer wraps every route; without it nobody is logged in.
        let Some(session) = parts.extensions.get::<Session>() else {
            return Ok(None);
        };
        let Some(account) = self.logged_in(session).await? else {
            return Ok(None);
        };
        let person = &account.person;
        let user = UserId::new(&person.login).map_err(IdentifyError::new)?;
        Ok(Some(Caller {
            user,
            tenant: person.tenant.clone(),
            profile: person.tenant.as_ref().map(|_| Profile {
                display_name: person.name.clone(),
                email: Some(format!("{}@example.org", person.login)),
                role: person.member_role.unwrap_or(MemberRole::Requester),
            }),
        }))
    }
}

/// Opens a fresh session for `login`: a new session id (never the one the visitor came
/// with, which someone else may have planted), saved by the session layer.
async fn open_session(
    session: &Session,
    login: &str,
) -> Result<(), tower_sessions::session::Error> {
    session.cycle_id().await?;
    session.insert(LOGIN_KEY, login).await
}

/// The body of a JSON `POST /login`.
#[derive(Deserialize)]
pub(crate) struct Credentials {
    login: String,
    password: String,
}

/// The fields of the HTML login form.
#[derive(Deserialize)]
struct FormCredentials {
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

/// `?next=` of `GET /login`.
#[derive(Deserialize)]
pub(crate) struct Next {
    #[serde(default)]
    next: String,
}

/// `next` when it is a path on this site (`/...`, not `//host` nor `/\host`, which
/// browsers read as another site), else `/`.
pub(crate) fn local_path(next: &str) -> &str {
    let local = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && !next.chars().any(|c| c.is_control());
    if local { next } else { "/" }
}

/// The page's language: the visitor's `Accept-Language`, French otherwise.
fn language(headers: &HeaderMap) -> Lang {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(Lang::from_accept_language)
        .unwrap_or_default()
}

/// Whether the request is a form post or a browser's navigation (not an API caller).
fn from_a_browser(headers: &HeaderMap) -> bool {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    content_type.starts_with("application/x-www-form-urlencoded")
        || content_type.starts_with("multipart/form-data")
        || accept.contains("text/html")
}

/// A form posted from another site (its `Origin` is not this host, or the browser says
/// `Sec-Fetch-Site: cross-site`): refused, so no other site can log a visitor in to an
/// account of its choosing.
fn cross_site(headers: &HeaderMap) -> bool {
    let value = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    if value("sec-fetch-site") == Some("cross-site") {
        return true;
    }
    match (value("origin"), value("host")) {
        (None, _) => false,
        (Some(origin), Some(host)) => {
            origin.split_once("://").map(|(_, authority)| authority) != Some(host)
        }
        (Some(_), None) => true,
    }
}

/// A redirection to `to` with `303 See Other`.
fn see_other(to: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    let location = HeaderValue::from_str(to).unwrap_or(HeaderValue::from_static("/"));
    response.headers_mut().insert(header::LOCATION, location);
    response
}

/// The session store failed: logged, and answered 503 (the database is away).
fn store_failed(error: &dyn std::error::Error) -> Response {
    tracing::error!(error = %error, "the session store failed");
    StatusCode::SERVICE_UNAVAILABLE.into_response()
}

/// `GET /login`: the login form, or straight to `next` for someone already logged in.
pub(crate) async fn login_page(
    State(accounts): State<Arc<Accounts>>,
    State(theme): State<Arc<Theme>>,
    session: Session,
    Query(Next { next }): Query<Next>,
    headers: HeaderMap,
) -> Response {
    let next = local_path(&next);
    match accounts.logged_in(&session).await {
        Ok(Some(_)) => return see_other(next),
        Ok(None) => {}
        Err(e) => return store_failed(&e),
    }
    let form = LoginForm {
        login: "",
        next,
        failure: None,
    };
    login_page::render(&theme, language(&headers), &accounts, &form, StatusCode::OK)
}

/// `POST /login`: JSON (`{"login", "password"}`, answered in JSON) or the HTML form
/// (answered with a redirection to `next`, or the form again). Checks the password and
/// opens a session in an `HttpOnly` cookie. Too many attempts for one login name (or
/// from one address) answer 429 with `Retry-After`, whether the login exists or not.
pub(crate) async fn login(
    State(accounts): State<Arc<Accounts>>,
    State(theme): State<Arc<Theme>>,
    session: Session,
    request: Request,
) -> Response {
    let address = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    let is_form = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if is_form {
        let headers = request.headers().clone();
        match Form::<FormCredentials>::from_request(request, &()).await {
            Ok(Form(form)) => {
                form_login(&accounts, &theme, &session, &headers, address, form).await
            }
            Err(rejection) => rejection.into_response(),
        }
    } else {
        match Json::<Credentials>::from_request(request, &()).await {
            Ok(Json(credentials)) => json_login(&accounts, &session, address, credentials).await,
            Err(rejection) => rejection.into_response(),
        }
    }
}

async fn json_login(
    accounts: &Accounts,
    session: &Session,
    address: Option<IpAddr>,
    credentials: Credentials,
) -> Response {
    let account = match accounts
        .authenticate(&credentials.login, &credentials.password, address)
        .await
    {
        Ok(account) => account,
        Err(Refusal::Throttled(wait)) => {
            let seconds = retry_after(wait);
            let mut response = (
                StatusCode::TOO_MANY_REQUESTS,
                Json(serde_json::json!({
                    "error": format!("too many login attempts: try again in {seconds} s")
                })),
            )
                .into_response();
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
            return response;
        }
        Err(Refusal::Wrong) => {
            return (
                StatusCode::UNAUTHORIZED,
                Json(serde_json::json!({"error": "unknown login or wrong password"})),
            )
                .into_response();
        }
    };
    if let Err(e) = open_session(session, &account.person.login).await {
        return store_failed(&e);
    }
    Json(serde_json::json!({
        "login": account.person.login,
        "name": account.person.name,
        "tenant": account.person.tenant,
    }))
    .into_response()
}

async fn form_login(
    accounts: &Accounts,
    theme: &Theme,
    session: &Session,
    headers: &HeaderMap,
    address: Option<IpAddr>,
    form: FormCredentials,
) -> Response {
    let lang = language(headers);
    let next = local_path(&form.next);
    if cross_site(headers) {
        return StatusCode::FORBIDDEN.into_response();
    }
    let failure = match accounts
        .authenticate(&form.login, &form.password, address)
        .await
    {
        Ok(account) => {
            return match open_session(session, &account.person.login).await {
                Ok(()) => see_other(next),
                Err(e) => store_failed(&e),
            };
        }
        Err(Refusal::Throttled(wait)) => Failure::Throttled(retry_after(wait)),
        Err(Refusal::Wrong) => Failure::Wrong,
    };
    let status = match failure {
        Failure::Throttled(_) => StatusCode::TOO_MANY_REQUESTS,
        Failure::Wrong => StatusCode::UNAUTHORIZED,
    };
    let page = LoginForm {
        login: &form.login,
        next,
        failure: Some(failure),
    };
    let mut response = login_page::render(theme, lang, accounts, &page, status);
    if let Failure::Throttled(seconds) = failure {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

/// `POST /logout`: ends the session (deleted from the store, so no portal process
/// accepts it any more) and clears the cookie; a browser is sent to the login page, an
/// API caller gets `204 No Content`.
pub(crate) async fn logout(session: Session, headers: HeaderMap) -> Response {
    if let Err(e) = session.flush().await {
        return store_failed(&e);
    }
    if from_a_browser(&headers) {
        see_other("/login")
    } else {
        StatusCode::NO_CONTENT.into_response()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::time::Instant;

    use super::*;

    fn accounts() -> Arc<Accounts> {
        let alice = Person {
            login: "alice".to_owned(),
            name: "Alice".to_owned(),
            tenant: Some("acme".to_owned()),
            member_role: Some(MemberRole::Requester),
        };
        Arc::new(Accounts::new(vec![alice]).unwrap())
    }

    #[tokio::test(flavor = "current_thread")]
    async fn password_checks_leave_the_async_executor_free() {
        let accounts = accounts();
        let checks: Vec<_> = (0..4)
            .map(|_| {
                let accounts = accounts.clone();
                tokio::spawn(async move { accounts.check("alice", "wrong").await.is_some() })
            })
            .collect();
        // On this one-thread runtime, a check hashing on the executor would run every
        // check to its end before this timer could fire.
        tokio::time::sleep(Duration::from_millis(1)).await;
        assert!(
            checks.iter().any(|check| !check.is_finished()),
            "the timer fired only after every password check"
        );
        for check in checks {
            assert!(!check.await.unwrap());
        }
        assert_eq!(
            accounts
                .check("alice", "demo")
                .await
                .map(|a| a.person.login.as_str()),
            Some("alice")
        );
    }

    #[tokio::test]
    async fn an_unknown_login_takes_as_long_as_a_wrong_password() {
        let accounts = accounts();
        let time = async |login: &str| {
            let started = Instant::now();
            assert!(accounts.check(login, "wrong").await.is_none());
            started.elapsed()
        };
        // Measured in turns, the fastest of each kept: a burst of load on a shared
        // machine slows both kinds alike instead of one.
        let (mut wrong_password, mut unknown_login) = (Duration::MAX, Duration::MAX);
        for _ in 0..5 {
            wrong_password = wrong_password.min(time("alice").await);
            unknown_login = unknown_login.min(time("nobody").await);
        }
        // Both run one Argon2 verification; without the decoy an unknown login would
        // answer in microseconds.
        assert!(
            unknown_login * 3 > wrong_password,
            "unknown login {unknown_login:?}, wrong password {wrong_password:?}"
        );
    }

    #[test]
    fn next_is_followed_only_to_a_path_on_this_site() {
        assert_eq!(local_path("/tickets?status=open"), "/tickets?status=open");
        assert_eq!(local_path("/"), "/");
        for elsewhere in [
            "//evil.example",
            "/\\evil.example",
            "https://evil.example/",
            "javascript:alert(1)",
            "tickets",
            "",
            "/\nx",
        ] {
            assert_eq!(local_path(elsewhere), "/", "{elsewhere:?}");
        }
    }

    #[test]
    fn a_form_from_another_site_is_told_apart() {
        let headers = |pairs: &[(&'static str, &'static str)]| {
            let mut map = HeaderMap::new();
            for (name, value) in pairs {
                map.insert(*name, HeaderValue::from_static(value));
            }
            map
        };
        assert!(!cross_site(&headers(&[("host", "127.0.0.1:8080")])));
        assert!(!cross_site(&headers(&[
            ("host", "127.0.0.1:8080"),
            ("origin", "http://127.0.0.1:8080"),
        ])));
        assert!(cross_site(&headers(&[
            ("host", "127.0.0.1:8080"),
            ("origin", "https://evil.example"),
        ])));
        assert!(cross_site(&headers(&[
            ("host", "127.0.0.1:8080"),
            ("origin", "null"),
        ])));
        assert!(cross_site(&headers(&[("sec-fetch-site", "cross-site")])));
    }
}
