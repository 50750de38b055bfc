//! The typed refusals every use case can answer with.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::status::Status;

/// What kind of thing was not found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Entity {
    /// A tenant.
    Tenant,
    /// A member of a tenant.
    Member,
    /// A member of the support staff.
    Staff,
    /// A group of support staff.
    Group,
    /// A category.
    Category,
    /// A product.
    Product,
    /// A ticket, or one the caller may not see: both answer the same.
    Ticket,
    /// An attachment.
    Attachment,
    /// A saved search.
    SavedSearch,
    /// A knowledge-base article.
    Article,
    /// A dead letter: an outbox message given up on.
    DeadLetter,
    /// A tenant's webhook endpoint.
    Webhook,
}

impl Entity {
    /// The entity's name, in snake case.
    pub const fn as_str(self) -> &'static str {
        match self {
            Entity::Tenant => "tenant",
            Entity::Member => "member",
            Entity::Staff => "staff",
            Entity::Group => "group",
            Entity::Category => "category",
            Entity::Product => "product",
            Entity::Ticket => "ticket",
            Entity::Attachment => "attachment",
            Entity::SavedSearch => "saved_search",
            Entity::Article => "article",
            Entity::DeadLetter => "dead_letter",
            Entity::Webhook => "webhook",
        }
    }
}

impl fmt::Display for Entity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why an action was forbidden.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Forbidden {
    /// The caller's member account is blocked by a tenant admin.
    AccountBlocked,
    /// The action is reserved for support staff.
    StaffOnly,
    /// The action is reserved to roles the caller does not hold.
    RoleRequired,
    /// The caller may read this ticket but not change it (a colleague's ticket, say).
    ReadOnly,
    /// Only the ticket's requester (or a tenant admin) may do this.
    NotTheRequester,
    /// The requester may only change a ticket while nobody has started on it.
    TicketAlreadyTaken,
    /// The reopen window for requesters has passed.
    ReopenWindowPassed,
    /// The caller does not serve or belong to this tenant.
    OtherTenant,
}

impl Forbidden {
    /// A stable code for this reason.
    pub const fn code(self) -> &'static str {
        match self {
            Forbidden::AccountBlocked => "account_blocked",
            Forbidden::StaffOnly => "staff_only",
            Forbidden::RoleRequired => "role_required",
            Forbidden::ReadOnly => "read_only",
            Forbidden::NotTheRequester => "not_the_requester",
            Forbidden::TicketAlreadyTaken => "ticket_already_taken",
            Forbidden::ReopenWindowPassed => "reopen_window_passed",
            Forbidden::OtherTenant => "other_tenant",
        }
    }
}

impl fmt::Display for Forbidden {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Forbidden::AccountBlocked => "this account is blocked",
            Forbidden::StaffOnly => "only support staff may do this",
            Forbidden::RoleRequired => "your role does not allow this",
            Forbidden::ReadOnly => "you may read this ticket but not change it",
            Forbidden::NotTheRequester => {
                "only the ticket's requester or a tenant admin may do this"
            }
            Forbidden::TicketAlreadyTaken => {
                "the ticket is already being handled; only support staff may change it now"
            }
            Forbidden::ReopenWindowPassed => "the reopen window for this ticket has passed",
            Forbidden::OtherTenant => "this belongs to another tenant",
        })
    }
}

/// Why a value was refused, as a stable machine code with its parameters: what a front
/// end translates into its reader's language (the [`ValidationError::reason`] text is
/// English, for logs and API clients).
///
/// Every constructor of the core sets one: [`single_line`](crate::text::single_line)
/// ([`Required`](Self::Required), [`TooLong`](Self::TooLong),
/// [`ControlCharacters`](Self::ControlCharacters), [`NotVisible`](Self::NotVisible)),
/// [`RichText::required`](crate::RichText::required), [`check_email`](crate::check_email)
/// ([`InvalidFormat`](Self::InvalidFormat)), the status, priority and language parsers
/// ([`UnknownValue`](Self::UnknownValue)), the settings' windows
/// ([`OutOfRange`](Self::OutOfRange)), the references a use case looks up
/// ([`UnknownReference`](Self::UnknownReference)). A reason without a code of its own is
/// [`Other`](Self::Other).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ReasonCode {
    /// The value is missing or blank.
    Required,
    /// The value is longer than `max` characters.
    TooLong {
        /// The most characters allowed.
        max: u64,
    },
    /// The value is larger than `max_bytes` bytes.
    TooLarge {
        /// The most bytes allowed.
        max_bytes: u64,
    },
    /// The value holds control or invisible formatting characters.
    ControlCharacters,
    /// The value has no visible character.
    NotVisible,
    /// The value is not in the expected form (an email address, a cursor...).
    InvalidFormat,
    /// The number is outside `min..=max`.
    OutOfRange {
        /// The smallest value allowed.
        min: i64,
        /// The largest value allowed.
        max: i64,
    },
    /// The value is none of those allowed (an unknown status, an unsupported language).
    UnknownValue,
    /// The value names something that does not exist here (no such category in this
    /// tenant, no such group, no such member).
    UnknownReference,
    /// The thing named is no longer in use (an inactive category or product) or blocked
    /// (a blocked member).
    Inactive,
    /// The value is already there (a duplicate option, a guest who is the requester).
    Duplicate,
    /// Any other reason: read [`ValidationError::reason`].
    #[default]
    Other,
}

impl ReasonCode {
    /// The code, in snake case: `required`, `too_long`, `out_of_range`...
    pub const fn as_str(self) -> &'static str {
        match self {
            ReasonCode::Required => "required",
            ReasonCode::TooLong { .. } => "too_long",
            ReasonCode::TooLarge { .. } => "too_large",
            ReasonCode::ControlCharacters => "control_characters",
            ReasonCode::NotVisible => "not_visible",
            ReasonCode::InvalidFormat => "invalid_format",
            ReasonCode::OutOfRange { .. } => "out_of_range",
            ReasonCode::UnknownValue => "unknown_value",
            ReasonCode::UnknownReference => "unknown_reference",
            ReasonCode::Inactive => "inactive",
            ReasonCode::Duplicate => "duplicate",
            ReasonCode::Other => "other",
        }
    }

    /// The code's parameters by name (`max`; `min` and `max`; `max_bytes`), empty for a
    /// code without any.
    pub fn params(self) -> Vec<(&'static str, i64)> {
        let clamp = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        match self {
            ReasonCode::TooLong { max } => vec![("max", clamp(max))],
            ReasonCode::TooLarge { max_bytes } => vec![("max_bytes", clamp(max_bytes))],
            ReasonCode::OutOfRange { min, max } => vec![("min", min), ("max", max)],
            _ => Vec::new(),
        }
    }
}

impl fmt::Display for ReasonCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A field that failed validation, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct ValidationError {
    /// The field, as named in requests (`subject`, `answers.overall`...).
    pub field: String,
    /// Why the value was refused, in plain English words (for logs and API clients).
    pub reason: String,
    /// Why the value was refused, as a stable code a front end translates.
    #[serde(default)]
    pub code: ReasonCode,
}

impl ValidationError {
    /// A validation error on `field`, with no code of its own ([`ReasonCode::Other`]).
    pub fn new(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            reason: reason.into(),
            code: ReasonCode::Other,
        }
    }

    /// A validation error on `field` with its `code`.
    pub fn coded(field: impl Into<String>, code: ReasonCode, reason: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            reason: reason.into(),
            code,
        }
    }

    /// `field` is missing or blank.
    pub fn required(field: impl Into<String>) -> Self {
        Self::coded(field, ReasonCode::Required, "must not be empty")
    }

    /// `field` is longer than `max` characters.
    pub fn too_long(field: impl Into<String>, max: usize) -> Self {
        Self::coded(
            field,
            ReasonCode::TooLong { max: max as u64 },
            format!("must be at most {max} characters"),
        )
    }

    /// `field` names something that does not exist here: `reason` says what.
    pub fn unknown_reference(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::coded(field, ReasonCode::UnknownReference, reason)
    }

    /// The same error about another field (a body checked as `body` and reported as
    /// `message`).
    #[must_use]
    pub fn on(mut self, field: impl Into<String>) -> Self {
        self.field = field.into();
        self
    }
}

/// What kind of storage failure happened: what a caller may do about it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StoreErrorKind {
    /// The storage cannot be reached for now (the database is down or unreachable, no
    /// connection came free in time, a lock was held too long): trying again later may
    /// succeed. HTTP answers 503 with `Retry-After`.
    Unavailable,
    /// Any other failure (a corrupt row, a refused statement): trying again will not help.
    Other,
}

/// A failure inside a storage adapter, opaque to the domain apart from its
/// [`kind`](Self::kind).
#[derive(Debug, thiserror::Error)]
#[error("storage failure: {message}")]
pub struct StoreError {
    message: String,
    kind: StoreErrorKind,
    #[source]
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl StoreError {
    /// A storage failure described by `message`.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            kind: StoreErrorKind::Other,
            source: None,
        }
    }

    /// A storage failure caused by `source`.
    pub fn with_source(
        message: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Self {
            message: message.into(),
            kind: StoreErrorKind::Other,
            source: Some(Box::new(source)),
        }
    }

    /// The storage is unreachable for now, because of `source`: a transient failure
    /// ([`StoreErrorKind::Unavailable`]).
    pub fn unavailable(
        message: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Self::with_source(message, source).with_kind(StoreErrorKind::Unavailable)
    }

    /// The same failure, of another kind.
    #[must_use]
    pub fn with_kind(mut self, kind: StoreErrorKind) -> Self {
        self.kind = kind;
        self
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> StoreErrorKind {
        self.kind
    }

    /// Whether the storage is unreachable for now, so that trying again later may work.
    pub fn is_unavailable(&self) -> bool {
        self.kind == StoreErrorKind::Unavailable
    }
}

/// Every refusal a use case can answer with. Nothing was changed when one is returned.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The thing does not exist, or the caller may not see it: the two answer alike.
    #[error("{0} not found")]
    NotFound(Entity),
    /// The caller may see the thing but not do this to it.
    #[error("forbidden: {0}")]
    Forbidden(Forbidden),
    /// The command does not apply to a ticket in this state.
    #[error("cannot {command} a ticket that is {from}")]
    InvalidTransition {
        /// The ticket's status when the command arrived.
        from: Status,
        /// The command's name, as in [`Command::name`](crate::Command::name).
        command: crate::workflow::CommandName,
    },
    /// A field of the request is invalid.
    #[error("invalid {0}")]
    Validation(#[from] ValidationError),
    /// Someone else changed the ticket since the caller read it.
    #[error("version conflict: expected version {expected}, the ticket is at {actual}")]
    VersionConflict {
        /// The version the caller read.
        expected: u64,
        /// The version stored now.
        actual: u64,
    },
    /// Someone else kept changing the record while this change was being applied to it
    /// (a staff member): nothing was changed; the same request may be sent again.
    #[error("{0} was changed by someone else meanwhile; nothing was changed")]
    ConcurrentUpdate(Entity),
    /// Two things from different tenants were put together.
    #[error("tenant mismatch: {0} belongs to another tenant")]
    TenantMismatch(Entity),
    /// The host's user is neither support staff nor a member of the tenant named (and
    /// came without a profile to register them with): nobody the helpdesk knows.
    #[error("user `{user}` is neither support staff nor a member of {}", .tenant.as_deref().map_or("any named tenant".to_owned(), |s| format!("tenant `{s}`")))]
    UnknownCaller {
        /// The host's id for the user.
        user: crate::people::UserId,
        /// The slug of the tenant named, if any.
        tenant: Option<String>,
    },
    /// The same thing already exists (a tenant slug, a member's user id...).
    #[error("{0} already exists")]
    AlreadyExists(Entity),
    /// An idempotency key was sent again with another request than the one it first
    /// came with; nothing was opened.
    #[error("this Idempotency-Key was already used with another request")]
    IdempotencyKeyReused,
    /// A request with this idempotency key is still being processed; retry once it is
    /// done.
    #[error("a request with this Idempotency-Key is still in progress")]
    IdempotencyKeyInUse,
    /// Something sent is larger than allowed (an attachment past
    /// [`AttachmentLimits::max_bytes`](crate::AttachmentLimits::max_bytes)); nothing of it
    /// was kept.
    #[error("{what} is larger than {max_bytes} bytes")]
    TooLarge {
        /// What was too large (`` `report.pdf` ``).
        what: String,
        /// The limit, in bytes.
        max_bytes: u64,
    },
    /// The storage failed; the use case changed nothing. When the storage is only
    /// unreachable for now ([`StoreError::is_unavailable`]) the code is
    /// `service_unavailable`, otherwise `storage_failure`.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Error {
    /// A validation error on `field`.
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::Validation(ValidationError::new(field, reason))
    }

    /// A validation error on `field` with its `code`.
    pub fn invalid_coded(
        field: impl Into<String>,
        code: ReasonCode,
        reason: impl Into<String>,
    ) -> Self {
        Error::Validation(ValidationError::coded(field, code, reason))
    }

    /// Whether the storage is unreachable for now: nothing was changed and the same
    /// request may succeed later.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, Error::Store(e) if e.is_unavailable())
    }

    /// A stable, machine-readable code for this error, used by HTTP problem documents.
    pub fn code(&self) -> &'static str {
        match self {
            Error::NotFound(_) => "not_found",
            Error::Forbidden(_) => "forbidden",
            Error::InvalidTransition { .. } => "invalid_transition",
            Error::Validation(_) => "validation_failed",
            Error::VersionConflict { .. } => "version_conflict",
            Error::TenantMismatch(_) => "tenant_mismatch",
            Error::AlreadyExists(_) => "already_exists",
            Error::UnknownCaller { .. } => "unauthenticated",
            Error::ConcurrentUpdate(_) => "concurrent_update",
            Error::Store(e) if e.is_unavailable() => "service_unavailable",
            Error::IdempotencyKeyReused => "idempotency_key_reused",
            Error::IdempotencyKeyInUse => "idempotency_key_in_use",
            Error::TooLarge { .. } => "payload_too_large",
            Error::Store(_) => "storage_failure",
        }
    }
}

impl From<Forbidden> for Error {
    fn from(reason: Forbidden) -> Self {
        Error::Forbidden(reason)
    }
}

/// The result of every use case.
pub type Result<T, E = Error> = std::result::Result<T, E>;
