//! The domain of an embeddable helpdesk: tickets, statuses, priorities, roles, tenants,
//! the two-step closure with its questionnaire, the permission rules, and the service
//! that runs each use case.
//!
//! Storage and notification are ports ([`Store`], [`Notifier`], [`Clock`], and
//! [`BlobStore`] for attachment bytes, which the service streams uploads into through
//! [`AttachmentUpload`] under one size setting, [`AttachmentLimits`]);
//! `helpdesk-sqlx` implements the store on SQLite and PostgreSQL, the `memory` feature
//! brings an in-memory one, and the `testing` feature the conformance suite every store
//! must pass.
//! This crate never touches a database, a socket or an async runtime.
//!
//! Each tenant's [`TenantSettings`] say how it runs its helpdesk: status labels per
//! language, visibility, closure mode and windows, the closure questionnaire, and the
//! custom fields its new-ticket form asks ([`CustomFieldDefinition`]; required ones are
//! enforced on opening, keys it does not define stay accepted for API hosts).
//!
//! The workflow rules are pure functions in [`workflow`]: a [`Command`] by an [`Actor`]
//! on a [`Ticket`] gives the [`TimelineEvent`]s to append, or a typed [`Error`].
//! [`HelpdeskService`] loads what the rules need, runs them and saves the ticket, its
//! events and their notifications in one transaction.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
//! use std::sync::Arc;
//! use helpdesk_core::{
//!     Actor, HelpdeskService, MemberDetails, MemberRole, NewTicket, Status, UserId,
//!     memory::MemoryStore,
//! };
//!
//! let service = HelpdeskService::new(Arc::new(MemoryStore::new()));
//! let root = service.bootstrap_platform_admin(&UserId::new("root")?, "Root").await?;
//! let acme = service.create_tenant(&root, "acme", "Acme").await?;
//! let alice = service
//!     .ensure_member(acme.id, MemberDetails {
//!         user: &UserId::new("alice")?,
//!         display_name: "Alice",
//!         email: Some("alice@acme.example"),
//!         role: MemberRole::Requester,
//!     })
//!     .await?;
//! let alice = Actor::Member(alice);
//! let ticket = service
//!     .open(&alice, acme.id, NewTicket {
//!         subject: "Printer jammed".into(),
//!         description: "<p>Paper stuck in tray 2</p>".into(),
//!         ..Default::default()
//!     }, vec![])
//!     .await?;
//! assert_eq!(ticket.status(), Status::New);
//! assert_eq!(ticket.number.get(), 1);
//! # Ok::<(), helpdesk_core::Error>(())
//! # })?;
//! # Ok(())
//! # }
//! ```
//!
//! Every front end (the JSON routes of `helpdesk-axum`, server-rendered pages, a CLI, a
//! job) turns the host's [`Caller`] into the [`Actor`] a use case runs as with
//! [`HelpdeskService::resolve_caller`]: the tenant named, who may enter it, members
//! registered on first sight and kept in step with the host's [`Profile`].
//!
//! A search ([`HelpdeskService::search`]) answers one page in the criteria's [`Sort`]
//! (newest opened first by default), the [`total`](TicketList::total) of matching tickets
//! and a [`Cursor`] valid under that sort only. Staff read the dashboard per agent and per
//! group with [`HelpdeskService::dashboard_breakdown`]; an empty subject with a category
//! gives [`HelpdeskService::kb_suggestions`] that category's FAQ.
//!
//! Notifications wait in an outbox written with each change; the [`Worker`] a host runs
//! in the background claims them with a lease, delivers them to its [`Notifier`],
//! retries failures with jittered backoff ([`retry_delay`]) and keeps the messages it
//! gives up on as dead letters ([`HelpdeskService::dead_letters`]); it also
//! auto-approves due closures and escalates service-level breaches
//! ([`HelpdeskService::escalate_breaches`]). Several workers may share one database.
//!
//! Service levels are pure functions in [`service_level`]: a tenant's business calendar
//! (working hours, holidays, time zone), business-time arithmetic, due dates that pause
//! while a ticket waits on its requester, and where each target stands at an instant.
//! A tenant's policy is [`TenantSettings::service_levels`]; each ticket carries its
//! facts and due dates ([`Ticket::service_level`](Ticket::service_level)), which search
//! ([`SearchCriteria::sla`]) and the dashboard read.
//!
//! Rich text is sanitised on the way in ([`RichText`]). Images are kept only when they
//! show the helpdesk's own attachments (`attachments/<uuid>`, relative); a host that
//! serves images from its own CDN allows that host with a [`TextPolicy`]:
//!
//! ```
//! use std::sync::Arc;
//! use helpdesk_core::{HelpdeskService, TextPolicy, memory::MemoryStore};
//!
//! let service = HelpdeskService::new(Arc::new(MemoryStore::new()))
//!     .with_text_policy(TextPolicy::default().allow_image_host("cdn.example.org"));
//! # let _ = service;
//! ```
//!
//! # Features
//!
//! - `memory` (off by default): `memory`, an in-memory store and blob store. For tests,
//!   examples and demos, not for production.
//! - `testing` (off by default, implies `memory`): `conformance`, the checks every
//!   [`Store`] implementation must pass (a store's own test suite calls them with its
//!   `setup()`). For store authors. And `testing`, fixtures for tests of code built on
//!   the service: a seeded world of tenants, groups, members and staff looked up by name
//!   ([`testing::Seed`], [`testing::World`]), and a store wrapper that makes chosen calls
//!   fail ([`testing::FaultyStore`]).

#![cfg_attr(docsrs, feature(doc_cfg))]
// Functions stay short enough to read at once (tests, scenarios and route tables aside).
#![cfg_attr(not(test), warn(clippy::too_many_lines))]

// The README's example is compiled as a doctest, so it keeps up with the API.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

mod attachment;
mod blob;
mod caller;
mod catalog;
mod custom_field;
mod dashboard;
mod delivery;
mod error;
mod ids;
mod knowledge;
mod notify;
mod object;
mod people;
pub mod permissions;
mod ports;
mod questionnaire;
pub mod search;
mod service;
pub mod service_level;
mod status;
mod tenant;
pub mod text;
mod ticket;
mod timeline;
mod topic;
mod webhook;
mod worker;
pub mod workflow;

#[cfg(feature = "testing")]
#[cfg_attr(docsrs, doc(cfg(feature = "testing")))]
#[allow(clippy::too_many_lines, reason = "each check reads as one scenario")]
pub mod conformance;
#[cfg(feature = "memory")]
#[cfg_attr(docsrs, doc(cfg(feature = "memory")))]
pub mod memory;
#[cfg(feature = "testing")]
#[cfg_attr(docsrs, doc(cfg(feature = "testing")))]
pub mod testing;

pub use attachment::{
    Attachment, MAX_FILE_NAME_CHARS, NewAttachment, clean_content_type, clean_file_name,
};
pub use blob::{BlobStore, BlobWriter};
pub use caller::{Caller, CallerContext, Profile};
pub use catalog::{Category, Product, ancestry, route, would_cycle};
pub use custom_field::{
    CustomFieldDefinition, MAX_CUSTOM_FIELD_HELP_CHARS, MAX_CUSTOM_FIELD_KEY_CHARS,
    MAX_CUSTOM_FIELD_LABEL_CHARS,
};
pub use dashboard::{
    AgentLine, Breakdown, Compliance, Dashboard, DashboardQuery, GroupLine, LineCounts, MAX_MONTHS,
    Month, MonthCount, Satisfaction, ServiceLevelFigures,
};
pub use delivery::{
    DeliverySettings, FIRST_RETRY_DELAY, MAX_DELIVERY_ATTEMPTS, MAX_RETRY_DELAY, retry_delay,
};
pub use error::{
    Entity, Error, Forbidden, ReasonCode, Result, StoreError, StoreErrorKind, ValidationError,
};
pub use ids::{
    ArticleId, AttachmentId, CategoryId, EventId, GroupId, MemberId, OutboxId, ProductId,
    SavedSearchId, StaffId, TenantId, TicketId, TicketNumber, WebhookId,
};
pub use knowledge::{Article, faq, relevance, suggest};
pub use notify::{
    Contact, ContactKind, ContactRef, NoNotifier, Notification, Notifier, NotifyError,
    OutboxMessage, Recipient, member_followers, recipients, staff_follower,
};
pub use people::{
    Actor, ActorRef, Group, MAX_MEMBER_RESULTS, Member, MemberQuery, MemberRole, Staff, StaffRole,
    TenantScope, UserId, check_email, check_language,
};
pub use permissions::Scope;
pub use ports::{
    AfterFailure, CatalogRepository, Clock, DirectoryRepository, HealthCheck,
    KnowledgeBaseRepository, ManualClock, OutboxRepository, Readiness, SavedSearchRepository,
    Store, StoreResult, SystemClock, TenantRepository, TicketChange, TicketRepository,
    WebhookRepository,
};
pub use questionnaire::{
    Answer, Answers, MAX_OPTIONS, MAX_QUESTIONS, MAX_TEXT_ANSWER_CHARS, Question, QuestionKind,
    QuestionnaireDefinition, SATISFACTION,
};
pub use search::{
    Count, Cursor, PageRequest, SavedSearch, SearchCriteria, SearchPage, SearchQuery, SlaFilter,
    Sort, SortKey, SortOrder, SortValue, TOTAL_CAP, Total,
};
pub use service::{
    ArticleDraft, AttachAs, AttachmentLimits, AttachmentUpload, CsvExport, CsvFormat,
    DEFAULT_LOOKUP_TTL, DeliveryReport, ExportRow, FileUpload, HelpdeskService, InboundFile,
    InboundReply, MAX_ATTACHMENTS_PER_EVENT, MAX_ATTEMPTS, MAX_DEAD_LETTERS, MAX_EXPORT_ROWS,
    MAX_MEMBERS_FOR_REQUESTERS, MailReplyError, MemberDetails, StaffChanges, StaffDetails,
    TicketList, TicketView, ToOpening, ToTicket, Watcher, WatcherPart, csv_header, csv_line,
    export_csv, mail_event_id,
};
pub use status::{Priority, Status};
pub use tenant::{
    ClosureMode, MAX_WINDOW, RequesterVisibility, SUPPORTED_LANGUAGES, StatusLabels, Tenant,
    TenantSettings, Window, check_slug,
};
pub use text::{RichText, TextPolicy};
pub use ticket::{
    Closure, MAX_CUSTOM_FIELDS, MAX_SHORT_FIELD_CHARS, MAX_SUBJECT_CHARS, NewTicket, Ticket,
    TicketEdit, TicketState,
};
pub use timeline::{EventKind, FieldChange, StatusChange, TimelineEvent, Visibility};
pub use topic::{MutedTopics, NotificationTopic, format_muted, parse_muted};
pub use webhook::{
    CreatedWebhook, MAX_WEBHOOK_SECRET_BYTES, MAX_WEBHOOK_URL_BYTES, MAX_WEBHOOKS_PER_TENANT,
    MIN_WEBHOOK_SECRET_BYTES, NewWebhook, WEBHOOK_EVENT_KINDS, Webhook, WebhookChange,
    WebhookEndpoint, WebhookPayload, WebhookSecret, WebhookSender, WebhookTenant, WebhookTicket,
    check_webhook_events, check_webhook_url,
};
pub use worker::{WorkReport, Worker, WorkerSettings};
pub use workflow::{Command, CommandName};
