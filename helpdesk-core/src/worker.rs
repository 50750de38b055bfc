//! The background worker a host runs: delivers the outbox and applies the time rules
//! (auto-approval of pending closures, escalation of service-level breaches), pass
//! after pass, until shutdown.
//!
//! Safe with several instances on one database: outbox messages are claimed with a
//! lease before they are delivered (each goes out once; a crashed worker's claims
//! expire and another finishes its job), and a closure approved by another instance is
//! skipped. Webhook messages go to the [`WebhookSender`] given with
//! [`Worker::with_webhooks`]; a worker without one leaves them for one that has. The
//! core has no async runtime: the host hands in its `sleep` and its
//! shutdown signal.
//!
//! ```no_run
//! # async fn host(service: helpdesk_core::HelpdeskService) {
//! use std::sync::Arc;
//! use helpdesk_core::{NoNotifier, Worker};
//!
//! let worker = Worker::new(service, Arc::new(NoNotifier))
//!     .on_report(|report| {
//!         for error in &report.errors {
//!             eprintln!("helpdesk worker: {error}");
//!         }
//!     });
//! // With tokio: worker.run(tokio::time::sleep, tokio::signal::ctrl_c()...).await
//! # let shutdown = std::future::pending::<()>();
//! # let sleep = |_| std::future::ready(());
//! worker.run(sleep, shutdown).await;
//! # }
//! ```

use std::fmt;
use std::future::{Future, poll_fn};
use std::pin::pin;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use crate::delivery::DeliverySettings;
use crate::error::Error;
use crate::notify::Notifier;
use crate::service::HelpdeskService;
use crate::webhook::WebhookSender;

/// How a [`Worker`] works.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WorkerSettings {
    /// How outbox messages are claimed and retried (batch size, lease, attempts).
    pub delivery: DeliverySettings,
    /// The pause between two passes (5 seconds). A pass that claimed a full batch is
    /// followed by the next one at once: there is more waiting.
    pub poll_interval: Duration,
}

impl Default for WorkerSettings {
    fn default() -> Self {
        Self {
            delivery: DeliverySettings::default(),
            poll_interval: Duration::from_secs(5),
        }
    }
}

/// What one pass of a [`Worker`] did.
#[derive(Debug, Default)]
pub struct WorkReport {
    /// Outbox messages claimed.
    pub claimed: usize,
    /// Notifications delivered.
    pub delivered: usize,
    /// Deliveries that failed and will be retried.
    pub failed: usize,
    /// Messages that failed for the last time and became dead letters.
    pub dead_lettered: usize,
    /// Webhook messages claimed with no sender to deliver them (see
    /// [`Worker::with_webhooks`]), left for a worker that has one.
    pub waiting: usize,
    /// Pending closures auto-approved.
    pub closures_approved: usize,
    /// Service-level breaches escalated (one per ticket and target, ever).
    pub breaches_escalated: usize,
    /// What went wrong in this pass (a store that could not be reached...); the next
    /// pass tries again.
    pub errors: Vec<Error>,
}

type ReportHook = Arc<dyn Fn(&WorkReport) + Send + Sync>;

/// The helpdesk's background worker: one per process (or several: they share the work
/// safely). Build it from the service and a [`Notifier`], then
/// [`run`](Self::run) it until shutdown, or call [`run_once`](Self::run_once) from a
/// scheduler of the host's.
#[derive(Clone)]
pub struct Worker {
    service: HelpdeskService,
    notifier: Arc<dyn Notifier>,
    webhooks: Option<Arc<dyn WebhookSender>>,
    settings: WorkerSettings,
    on_report: Option<ReportHook>,
}

impl fmt::Debug for Worker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Worker")
            .field("service", &self.service)
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl Worker {
    /// A worker delivering to `notifier`, with the default [`WorkerSettings`].
    pub fn new(service: HelpdeskService, notifier: Arc<dyn Notifier>) -> Self {
        Self {
            service,
            notifier,
            webhooks: None,
            settings: WorkerSettings::default(),
            on_report: None,
        }
    }

    /// The same worker also delivering webhook messages through `sender` (the
    /// `helpdesk-webhooks` crate posts them over HTTPS). Without one, webhook messages
    /// stay in the outbox for a worker that has one.
    pub fn with_webhooks(mut self, sender: Arc<dyn WebhookSender>) -> Self {
        self.webhooks = Some(sender);
        self
    }

    /// The same worker with other settings.
    pub fn with_settings(mut self, settings: WorkerSettings) -> Self {
        self.settings = settings;
        self
    }

    /// The worker's settings.
    pub fn settings(&self) -> &WorkerSettings {
        &self.settings
    }

    /// The same worker calling `hook` after each pass of [`run`](Self::run), with its
    /// report: where a host logs what was done and what failed.
    pub fn on_report(mut self, hook: impl Fn(&WorkReport) + Send + Sync + 'static) -> Self {
        self.on_report = Some(Arc::new(hook));
        self
    }

    /// One pass: claims and delivers one batch of due outbox messages, then
    /// auto-approves the pending closures whose approval window has passed, then
    /// escalates the service-level breaches not yet escalated
    /// ([`HelpdeskService::escalate_breaches`]). An error in one job is reported and
    /// does not stop the others.
    pub async fn run_once(&self) -> WorkReport {
        let mut report = WorkReport::default();
        match self
            .service
            .deliver_outbox_with(
                &*self.notifier,
                self.webhooks.as_deref(),
                &self.settings.delivery,
            )
            .await
        {
            Ok(delivery) => {
                report.claimed = delivery.claimed;
                report.delivered = delivery.delivered;
                report.failed = delivery.failed;
                report.dead_lettered = delivery.dead_lettered;
                report.waiting = delivery.waiting;
            }
            Err(e) => report.errors.push(e),
        }
        match self.service.auto_approve_due_closures().await {
            Ok(closed) => report.closures_approved = closed,
            Err(e) => report.errors.push(e),
        }
        match self.service.escalate_breaches().await {
            Ok(escalated) => report.breaches_escalated = escalated,
            Err(e) => report.errors.push(e),
        }
        report
    }

    /// Runs passes until `shutdown` completes, pausing `poll_interval` between them
    /// with the host's `sleep` (`tokio::time::sleep`, for one). A pass under way when
    /// `shutdown` completes is finished first; errors go to the report hook and never
    /// end the loop.
    pub async fn run<S, F>(self, mut sleep: S, shutdown: impl Future<Output = ()>)
    where
        S: FnMut(Duration) -> F,
        F: Future<Output = ()>,
    {
        let mut shutdown = pin!(shutdown);
        loop {
            let stop = poll_fn(|cx| Poll::Ready(shutdown.as_mut().poll(cx).is_ready())).await;
            if stop {
                return;
            }
            let report = self.run_once().await;
            if let Some(hook) = &self.on_report {
                hook(&report);
            }
            // Messages left waiting for a webhook sender are no sign of more work.
            let full = report.claimed.saturating_sub(report.waiting)
                >= self.settings.delivery.batch as usize;
            let pause = if full {
                Duration::ZERO
            } else {
                self.settings.poll_interval
            };
            let mut nap = pin!(sleep(pause));
            let stop = poll_fn(|cx| {
                if shutdown.as_mut().poll(cx).is_ready() {
                    Poll::Ready(true)
                } else if nap.as_mut().poll(cx).is_ready() {
                    Poll::Ready(false)
                } else {
                    Poll::Pending
                }
            })
            .await;
            if stop {
                return;
            }
        }
    }
}
