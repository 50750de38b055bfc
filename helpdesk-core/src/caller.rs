//! Who is calling, as the host application says it: the host's user, the tenant they act
//! in and, optionally, their profile. [`HelpdeskService::resolve_caller`] turns a
//! [`Caller`] into the [`Actor`] a use case runs as, for every front end alike (the JSON
//! routes, server-rendered pages, a CLI or a job).
//!
//! [`HelpdeskService::resolve_caller`]: crate::HelpdeskService::resolve_caller

use crate::people::{Actor, MemberRole, UserId};
use crate::tenant::Tenant;

/// The calling user, as the host knows them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    /// The host's id for the user.
    pub user: UserId,
    /// The slug of the tenant the user acts in, for members. Staff serving several
    /// tenants may leave it out and name one per request (`?tenant=slug` on the routes).
    pub tenant: Option<String>,
    /// The user's details as the host knows them now: the member is registered with them
    /// on first sight, and their name, email and role follow them on later requests.
    /// Leave it out when the host registers members itself.
    pub profile: Option<Profile>,
}

/// A member's details as the host knows them: used to register the member on first
/// sight and to keep their name, email and role in step later. A blocked member stays
/// blocked whatever the profile says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Profile {
    /// The name shown on tickets.
    pub display_name: String,
    /// Where notifications go.
    pub email: Option<String>,
    /// Their role in the tenant.
    pub role: MemberRole,
}

/// A resolved caller: the actor a request runs as, and the tenant it is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallerContext {
    /// Who is calling.
    pub actor: Actor,
    /// The tenant the request is about, if one is named.
    pub tenant: Option<Tenant>,
}
