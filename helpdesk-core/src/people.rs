//! Who takes part: members of a tenant, support staff and their groups, and the
//! [`Actor`] a use case runs as.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::ValidationError;
use crate::ids::{GroupId, MemberId, StaffId, TenantId};
use crate::text::single_line;

/// The host application's own id for one of its users. The host owns login and
/// passwords; the helpdesk only keeps this reference.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(try_from = "String", into = "String")]
pub struct UserId(String);

impl UserId {
    /// Checks and wraps a host user id: 1 to 255 characters, no control characters.
    pub fn new(id: &str) -> Result<Self, ValidationError> {
        single_line("user_id", id, 255).map(Self)
    }

    /// Wraps a literal known to be valid.
    pub(crate) fn unchecked(id: &str) -> Self {
        Self(id.to_owned())
    }

    /// The id as the host wrote it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for UserId {
    type Error = ValidationError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::new(&value)
    }
}

impl From<UserId> for String {
    fn from(id: UserId) -> String {
        id.0
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A member's role within their tenant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MemberRole {
    /// Opens and follows their own tickets [agent d'établissement, collaborateur].
    Requester,
    /// Sees every ticket of the tenant, blocks members, reassigns tickets
    /// [administrateur d'établissement].
    TenantAdmin,
}

/// A host user known to one tenant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Member {
    /// The member's id.
    pub id: MemberId,
    /// The tenant they belong to.
    pub tenant: TenantId,
    /// The host's id for this user.
    pub user: UserId,
    /// The name shown on tickets.
    pub display_name: String,
    /// Where notifications go.
    pub email: Option<String>,
    /// Their role in the tenant.
    pub role: MemberRole,
    /// Blocked members can do nothing until unblocked.
    pub blocked: bool,
    /// The language they chose to read the helpdesk in (one of
    /// [`SUPPORTED_LANGUAGES`](crate::SUPPORTED_LANGUAGES)); none means their browser's
    /// or their tenant's. Set by themself with
    /// [`HelpdeskService::set_language`](crate::HelpdeskService::set_language).
    #[serde(default)]
    pub language: Option<String>,
    /// The kinds of event they chose not to be told about by notification (none by
    /// default). Set by themself with
    /// [`HelpdeskService::set_muted_topics`](crate::HelpdeskService::set_muted_topics).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<crate::NotificationTopic>))]
    pub muted: crate::MutedTopics,
}

impl Member {
    /// A new, active member after checking the name and email.
    pub fn new(
        tenant: TenantId,
        user: UserId,
        display_name: &str,
        email: Option<&str>,
        role: MemberRole,
    ) -> Result<Self, ValidationError> {
        Ok(Self {
            id: MemberId::new(),
            tenant,
            user,
            display_name: single_line("display_name", display_name, 200)?,
            email: check_email(email)?,
            role,
            blocked: false,
            language: None,
            muted: crate::MutedTopics::new(),
        })
    }
}

impl Member {
    /// The folded words a [`MemberQuery`] is matched against: those of the display
    /// name, the host user id and the email address ([`words`](crate::text::words)).
    pub fn search_words(&self) -> Vec<String> {
        let mut out = crate::text::words(&self.display_name);
        out.extend(crate::text::words(self.user.as_str()));
        if let Some(email) = &self.email {
            out.extend(crate::text::words(email));
        }
        out
    }
}

/// The most members one [`MemberQuery`] returns.
pub const MAX_MEMBER_RESULTS: u32 = 200;

/// Members of one tenant looked for by name, login or email: what
/// [`DirectoryRepository::find_members`](crate::DirectoryRepository::find_members)
/// answers and [`HelpdeskService::find_members`](crate::HelpdeskService::find_members)
/// asks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberQuery {
    /// The tenant whose members are looked for.
    pub tenant: TenantId,
    /// Folded words ([`words`](crate::text::words)): each must begin a word of the
    /// member's [`search_words`](Member::search_words), as search's `contains` does
    /// ([`contains_all`](crate::search::contains_all)). None: every member.
    pub words: Vec<String>,
    /// Whether blocked members are found too.
    pub include_blocked: bool,
    /// The most members answered (by display name, then id).
    pub limit: u32,
}

impl MemberQuery {
    /// A query for the members of `tenant` matching `text` (folded into words), blocked
    /// ones included, at most `limit` of them (capped at [`MAX_MEMBER_RESULTS`]).
    pub fn new(tenant: TenantId, text: &str, limit: u32) -> Self {
        Self {
            tenant,
            words: crate::text::words(text),
            include_blocked: true,
            limit: limit.min(MAX_MEMBER_RESULTS),
        }
    }

    /// Whether `member` is one this query finds (the limit aside): the reference every
    /// store must agree with.
    pub fn matches(&self, member: &Member) -> bool {
        member.tenant == self.tenant
            && (self.include_blocked || !member.blocked)
            && crate::search::contains_all(&self.words, &member.search_words())
    }
}

/// Checks an optional email address: blank means none; otherwise one `@` with text on
/// both sides and no spaces.
pub fn check_email(email: Option<&str>) -> Result<Option<String>, ValidationError> {
    let Some(email) = email.map(str::trim).filter(|e| !e.is_empty()) else {
        return Ok(None);
    };
    let email = single_line("email", email, 254)?;
    let valid = match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && !email.contains(char::is_whitespace)
        }
        None => false,
    };
    if valid {
        Ok(Some(email))
    } else {
        Err(ValidationError::coded(
            "email",
            crate::error::ReasonCode::InvalidFormat,
            "is not an email address",
        ))
    }
}

/// Checks a person's language: blank means none; otherwise one of
/// [`SUPPORTED_LANGUAGES`](crate::SUPPORTED_LANGUAGES) (`fr`, `en`), else a
/// [`ReasonCode::UnknownValue`](crate::ReasonCode::UnknownValue) refusal on `language`.
pub fn check_language(language: Option<&str>) -> Result<Option<String>, ValidationError> {
    let Some(tag) = language.map(str::trim).filter(|l| !l.is_empty()) else {
        return Ok(None);
    };
    if crate::tenant::SUPPORTED_LANGUAGES.contains(&tag) {
        Ok(Some(tag.to_owned()))
    } else {
        Err(ValidationError::coded(
            "language",
            crate::error::ReasonCode::UnknownValue,
            format!(
                "unsupported language `{}`: use one of {}",
                tag.escape_debug(),
                crate::tenant::SUPPORTED_LANGUAGES.join(", ")
            ),
        ))
    }
}

/// A support staff member's role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum StaffRole {
    /// Works the tickets of the tenants and groups they serve [agent support].
    Agent,
    /// Sees every ticket of their tenants, assigns, manages groups and agents
    /// [superviseur, coordinateur].
    Supervisor,
    /// Sees everything, creates tenants, exports \[administrateur\].
    PlatformAdmin,
}

/// The tenants a staff member serves.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", content = "tenants", rename_all = "snake_case")]
pub enum TenantScope {
    /// Every tenant (a vendor's support team serving all its clients).
    All,
    /// These tenants only.
    Only(Vec<TenantId>),
}

impl TenantScope {
    /// Whether `tenant` is served.
    pub fn includes(&self, tenant: TenantId) -> bool {
        match self {
            TenantScope::All => true,
            TenantScope::Only(tenants) => tenants.contains(&tenant),
        }
    }
}

/// A member of the support staff, serving one or many tenants.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Staff {
    /// The staff member's id.
    pub id: StaffId,
    /// The host's id for this user.
    pub user: UserId,
    /// The name shown on tickets.
    pub display_name: String,
    /// Where notifications go.
    pub email: Option<String>,
    /// Their role.
    pub role: StaffRole,
    /// The tenants they serve (platform admins serve all, whatever this says).
    pub tenants: TenantScope,
    /// The groups they belong to.
    pub groups: Vec<GroupId>,
    /// Inactive staff can do nothing and cannot be assigned.
    pub active: bool,
    /// The language they chose to read the helpdesk in (one of
    /// [`SUPPORTED_LANGUAGES`](crate::SUPPORTED_LANGUAGES)); none means their browser's
    /// or the tenant's. Set by themself with
    /// [`HelpdeskService::set_language`](crate::HelpdeskService::set_language).
    #[serde(default)]
    pub language: Option<String>,
    /// The kinds of event they chose not to be told about by notification (none by
    /// default). Set by themself with
    /// [`HelpdeskService::set_muted_topics`](crate::HelpdeskService::set_muted_topics).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<crate::NotificationTopic>))]
    pub muted: crate::MutedTopics,
}

impl Staff {
    /// A new, active staff member after checking the name and email.
    pub fn new(
        user: UserId,
        display_name: &str,
        email: Option<&str>,
        role: StaffRole,
        tenants: TenantScope,
    ) -> Result<Self, ValidationError> {
        Ok(Self {
            id: StaffId::new(),
            user,
            display_name: single_line("display_name", display_name, 200)?,
            email: check_email(email)?,
            role,
            tenants,
            groups: Vec::new(),
            active: true,
            language: None,
            muted: crate::MutedTopics::new(),
        })
    }

    /// Whether this staff member serves `tenant`.
    pub fn serves(&self, tenant: TenantId) -> bool {
        self.role == StaffRole::PlatformAdmin || self.tenants.includes(tenant)
    }
}

/// A group of support staff [centre, service, groupe d'agents]. Groups belong to the
/// support organisation, not to a tenant: a vendor's "Software" team serves every
/// client; each tenant's categories route tickets to a group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Group {
    /// The group's id.
    pub id: GroupId,
    /// The name shown on tickets and dashboards.
    pub name: String,
}

impl Group {
    /// A new group after checking its name.
    pub fn new(name: &str) -> Result<Self, ValidationError> {
        Ok(Self {
            id: GroupId::new(),
            name: single_line("name", name, 200)?,
        })
    }
}

/// Who runs a use case: resolved from the host's identity by
/// [`HelpdeskService::actor`](crate::HelpdeskService::actor).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Actor {
    /// A member of a tenant.
    Member(Member),
    /// A member of the support staff.
    Staff(Staff),
    /// The helpdesk itself (automatic approvals).
    System,
}

impl Actor {
    /// The reference written into timeline events.
    pub fn reference(&self) -> ActorRef {
        match self {
            Actor::Member(m) => ActorRef::Member(m.id),
            Actor::Staff(s) => ActorRef::Staff(s.id),
            Actor::System => ActorRef::System,
        }
    }

    /// Whether this actor is support staff.
    pub fn is_staff(&self) -> bool {
        matches!(self, Actor::Staff(_))
    }

    /// The staff record, if this actor is staff.
    pub fn as_staff(&self) -> Option<&Staff> {
        match self {
            Actor::Staff(s) => Some(s),
            _ => None,
        }
    }

    /// The language the actor chose, if any (never for [`Actor::System`]).
    pub fn language(&self) -> Option<&str> {
        match self {
            Actor::Member(m) => m.language.as_deref(),
            Actor::Staff(s) => s.language.as_deref(),
            Actor::System => None,
        }
    }

    /// Whether the actor muted `topic`: they are not told about its events (never for
    /// [`Actor::System`], who is never told anything).
    pub fn mutes(&self, topic: crate::NotificationTopic) -> bool {
        match self {
            Actor::Member(m) => m.muted.contains(&topic),
            Actor::Staff(s) => s.muted.contains(&topic),
            Actor::System => false,
        }
    }

    /// The member record, if this actor is a member.
    pub fn as_member(&self) -> Option<&Member> {
        match self {
            Actor::Member(m) => Some(m),
            _ => None,
        }
    }
}

/// Who did something, as recorded on the timeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum ActorRef {
    /// A member.
    Member(MemberId),
    /// A staff member.
    Staff(StaffId),
    /// The helpdesk itself.
    System,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_checked_and_blank_means_none() {
        assert_eq!(check_email(Some("  ")).ok(), Some(None));
        assert_eq!(
            check_email(Some("a@b.fr")).ok(),
            Some(Some("a@b.fr".to_owned()))
        );
        assert!(check_email(Some("nope")).is_err());
        assert!(check_email(Some("a b@c")).is_err());
        assert!(check_email(Some("a@b@c")).is_err());
    }

    #[test]
    fn platform_admins_serve_every_tenant() {
        let user = UserId::new("root").unwrap_or_else(|e| panic!("{e}"));
        let admin = Staff::new(
            user,
            "Root",
            None,
            StaffRole::PlatformAdmin,
            TenantScope::Only(vec![]),
        );
        assert!(admin.map(|a| a.serves(TenantId::new())).unwrap_or(false));
    }

    #[test]
    fn user_ids_refuse_blank_and_control_characters() {
        assert!(UserId::new("").is_err());
        assert!(UserId::new("a\nb").is_err());
        assert!(UserId::new("alice").is_ok());
    }
}
