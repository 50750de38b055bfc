//! An HTTP load driver: N keep-alive HTTP/1.1 connections (hyper's client), each sending
//! its requests one after the other for a fixed time, and the figures of the run
//! (requests a second, p50, p99, answers of 400 and over). Used by the `load` binary
//! (the release portal against the ceiling server) and by the `scale` bench (the JSON
//! routes over a database of a million tickets).

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper::{Method, Request};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use crate::BenchResult;

/// One operation's figures.
#[derive(Debug)]
pub struct Figures {
    /// Requests answered.
    pub requests: usize,
    /// Of those, answered with a status of 400 or more.
    pub failed: usize,
    /// Requests answered a second, all connections together.
    pub per_second: f64,
    /// The median latency.
    pub p50: Duration,
    /// The 99th percentile latency.
    pub p99: Duration,
}

/// A request: its method, its path (and query), its JSON body, its extra headers.
#[derive(Debug)]
pub struct Call {
    /// The method.
    pub method: Method,
    /// The path and query.
    pub path: String,
    /// A JSON body, sent with `content-type: application/json`.
    pub body: Option<String>,
    /// Headers beyond `host` (and `content-type` with a body).
    pub headers: Vec<(&'static str, String)>,
}

impl Call {
    /// A `GET` of `path`.
    pub fn get(path: impl Into<String>) -> Self {
        Self {
            method: Method::GET,
            path: path.into(),
            body: None,
            headers: Vec::new(),
        }
    }

    /// A `POST` of `body` (JSON) to `path`.
    pub fn post(path: impl Into<String>, body: impl Into<String>) -> Self {
        Self {
            method: Method::POST,
            path: path.into(),
            body: Some(body.into()),
            headers: Vec::new(),
        }
    }

    /// With the header `name: value` too.
    #[must_use]
    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
}

/// What a connection sends next, from the connection's index and its request counter.
pub type Plan = Arc<dyn Fn(usize, usize) -> Call + Send + Sync>;

/// A connection's answer: its status, its body, and the `name=value` of its
/// `set-cookie`, if any.
#[derive(Debug)]
pub struct Answer {
    /// The status code.
    pub status: u16,
    /// The whole body.
    pub body: Bytes,
    /// The first part of `set-cookie`.
    pub cookie: Option<String>,
}

/// One keep-alive connection to `addr`.
#[derive(Debug)]
pub struct Connection {
    addr: String,
    sender: SendRequest<Full<Bytes>>,
}

impl Connection {
    /// Opens a connection to `addr` (`host:port`), without Nagle's delay.
    pub async fn open(addr: &str) -> BenchResult<Self> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
        tokio::spawn(conn);
        Ok(Self {
            addr: addr.to_owned(),
            sender,
        })
    }

    /// Sends `call` and reads its whole answer.
    pub async fn send(&mut self, call: Call) -> BenchResult<Answer> {
        let mut request = Request::builder()
            .method(call.method)
            .uri(call.path)
            .header("host", &self.addr);
        for (name, value) in call.headers {
            request = request.header(name, value);
        }
        if call.body.is_some() {
            request = request.header("content-type", "application/json");
        }
        let request = request.body(Full::new(Bytes::from(call.body.unwrap_or_default())))?;
        self.sender.ready().await?;
        let response = self.sender.send_request(request).await?;
        let status = response.status().as_u16();
        let cookie = response
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(str::to_owned);
        let body = response.into_body().collect().await?.to_bytes();
        Ok(Answer {
            status,
            body,
            cookie,
        })
    }
}

/// `connections` connections to `addr`, each sending `plan`'s requests one after the
/// other for `seconds`.
pub async fn drive(
    addr: &str,
    connections: usize,
    seconds: f64,
    plan: Plan,
) -> BenchResult<Figures> {
    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..connections {
        let addr = addr.to_owned();
        let plan = plan.clone();
        tasks.push(tokio::spawn(async move {
            let mut connection = Connection::open(&addr).await?;
            let mut latencies = Vec::new();
            let mut failed = 0;
            let mut i = 0;
            while Instant::now() < deadline {
                let call = plan(c, i);
                let at = Instant::now();
                let answer = connection.send(call).await?;
                latencies.push(at.elapsed());
                if answer.status >= 400 {
                    failed += 1;
                }
                i += 1;
            }
            BenchResult::Ok((latencies, failed))
        }));
    }
    let mut all = Vec::new();
    let mut failed = 0;
    for task in tasks {
        let (latencies, f) = task.await??;
        all.extend(latencies);
        failed += f;
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.sort();
    let at = |q: f64| {
        all.get(((all.len() as f64 * q) as usize).min(all.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    Ok(Figures {
        requests: all.len(),
        failed,
        per_second: all.len() as f64 / elapsed,
        p50: at(0.50),
        p99: at(0.99),
    })
}
