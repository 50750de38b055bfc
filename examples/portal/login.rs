//! The host's side: its users, their hashed passwords, login sessions, and the
//! `Identify` implementation that tells the helpdesk who is calling.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use async_trait::async_trait;
use axum::Json;
use axum::extract::{ConnectInfo, State};
use axum::http::request::Parts;
use axum::http::{Extensions, HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use helpdesk_axum::{Caller, Identify, IdentifyError, Profile};
use helpdesk_core::{MemberRole, UserId};
use serde::Deserialize;
use tokio::sync::Semaphore;

use crate::demo::Person;

const COOKIE: &str = "portal_session";

/// A host user: who they are to the helpdesk, and their password hash.
struct Account {
    person: Person,
    password_hash: String,
}

/// How long a session lasts.
const SESSION_LIFETIME: std::time::Duration = std::time::Duration::from_secs(12 * 3600);

/// The host's users and open sessions.
pub(crate) struct Sessions {
    accounts: HashMap<String, Account>,
    /// Session token → login and when the session ends.
    open: RwLock<HashMap<String, (String, std::time::Instant)>>,
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

impl Sessions {
    /// Hashes every demo person's password (`demo`).
    pub(crate) fn new(
        people: Vec<Person>,
    ) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        let argon2 = Argon2::default();
        let mut accounts = HashMap::new();
        for person in people {
            let password_hash = argon2
                .hash_password(b"demo")
                .map_err(|e| e.to_string())?
                .to_string();
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
            open: RwLock::new(HashMap::new()),
            decoy_hash,
            throttle: LoginThrottle::new(),
            verifying: Arc::new(Semaphore::new(
                std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get),
            )),
        })
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

    fn session_login(&self, headers: &HeaderMap) -> Option<String> {
        let token = cookie(headers)?;
        let open = self
            .open
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let (login, ends) = open.get(&token)?;
        (*ends > std::time::Instant::now()).then(|| login.clone())
    }
}

fn cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.to_owned())
}

#[async_trait]
impl Identify for Sessions {
    async fn identify(&self, parts: &mut Parts) -> Result<Option<Caller>, IdentifyError> {
        let Some(login) = self.session_login(&parts.headers) else {
            return Ok(None);
        };
        let Some(account) = self.accounts.get(&login) else {
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

/// The body of `POST /login`.
#[derive(Deserialize)]
pub(crate) struct Credentials {
    login: String,
    password: String,
}

/// Checks the password and opens a session in an `HttpOnly` cookie. Too many attempts
/// for one login name (or from one address) answer 429 with `Retry-After`, whether the
/// login exists or not.
pub(crate) async fn login(
    State(sessions): State<Arc<Sessions>>,
    extensions: Extensions,
    Json(credentials): Json<Credentials>,
) -> Response {
    let address = extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    if let Err(wait) = sessions.throttle.attempt(&credentials.login, address) {
        let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        let mut response = (
            StatusCode::TOO_MANY_REQUESTS,
            Json(serde_json::json!({
                "error": format!("too many login attempts: try again in {} s", seconds.max(1))
            })),
        )
            .into_response();
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds.max(1)));
        return response;
    }
    let Some(account) = sessions
        .check(&credentials.login, &credentials.password)
        .await
    else {
        return (
            StatusCode::UNAUTHORIZED,
            Json(serde_json::json!({"error": "unknown login or wrong password"})),
        )
            .into_response();
    };
    let token = uuid::Uuid::new_v4().simple().to_string();
    let now = std::time::Instant::now();
    {
        let mut open = sessions
            .open
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        open.retain(|_, (_, ends)| *ends > now);
        open.insert(
            token.clone(),
            (account.person.login.clone(), now + SESSION_LIFETIME),
        );
    }
    let mut response = Json(serde_json::json!({
        "login": account.person.login,
        "name": account.person.name,
        "tenant": account.person.tenant,
    }))
    .into_response();
    if let Ok(value) = HeaderValue::from_str(&format!(
        "{COOKIE}={token}; HttpOnly; SameSite=Lax; Path=/; Max-Age={}",
        SESSION_LIFETIME.as_secs()
    )) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

/// Ends the session.
pub(crate) async fn logout(State(sessions): State<Arc<Sessions>>, headers: HeaderMap) -> Response {
    if let Some(token) = cookie(&headers) {
        sessions
            .open
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(&token);
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("portal_session=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0"),
    );
    response
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::time::Instant;

    use super::*;

    fn sessions() -> Arc<Sessions> {
        let alice = Person {
            login: "alice".to_owned(),
            name: "Alice".to_owned(),
            tenant: Some("acme".to_owned()),
            member_role: Some(MemberRole::Requester),
        };
        Arc::new(Sessions::new(vec![alice]).unwrap())
    }

    #[tokio::test(flavor = "current_thread")]
    async fn password_checks_leave_the_async_executor_free() {
        let sessions = sessions();
        let checks: Vec<_> = (0..4)
            .map(|_| {
                let sessions = sessions.clone();
                tokio::spawn(async move { sessions.check("alice", "wrong").await.is_some() })
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
            sessions
                .check("alice", "demo")
                .await
                .map(|a| a.person.login.as_str()),
            Some("alice")
        );
    }

    #[tokio::test]
    async fn an_unknown_login_takes_as_long_as_a_wrong_password() {
        let sessions = sessions();
        let fastest = |login: &'static str| {
            let sessions = sessions.clone();
            async move {
                let mut best = Duration::MAX;
                for _ in 0..3 {
                    let started = Instant::now();
                    assert!(sessions.check(login, "wrong").await.is_none());
                    best = best.min(started.elapsed());
                }
                best
            }
        };
        let wrong_password = fastest("alice").await;
        let unknown_login = fastest("nobody").await;
        // Both run one Argon2 verification; without the decoy an unknown login would
        // answer in microseconds.
        assert!(
            unknown_login * 3 > wrong_password,
            "unknown login {unknown_login:?}, wrong password {wrong_password:?}"
        );
    }
}
