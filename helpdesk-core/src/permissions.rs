//! Who sees what. The visibility rule is written once, here, as a [`Scope`]: single
//! reads, lists, search, counts, export and notifications all go through it. Stores
//! translate a scope into their query language and the conformance suite checks that
//! they admit exactly what [`Scope::admits`] admits.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Forbidden};
use crate::ids::{GroupId, MemberId, StaffId, TenantId};
use crate::people::{Actor, MemberRole, StaffRole, TenantScope};
use crate::tenant::RequesterVisibility;
use crate::ticket::Ticket;
use crate::timeline::{TimelineEvent, Visibility};

/// The set of tickets an actor may read, as data a store can turn into a query.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Scope {
    /// Every ticket of every tenant: platform admins and the system.
    Everything,
    /// Support staff: tickets of the tenants they serve; for agents, only those routed to
    /// one of their groups, to no group, or assigned to them.
    Staff {
        /// The staff member.
        staff: StaffId,
        /// The tenants they serve.
        tenants: TenantScope,
        /// Their groups.
        groups: Vec<GroupId>,
        /// Supervisors see every ticket of their tenants, whatever its group.
        all_groups: bool,
    },
    /// Every ticket of one tenant: tenant admins.
    Tenant {
        /// The tenant.
        tenant: TenantId,
    },
    /// A requester: their own tickets and those they are invited to, or every ticket of
    /// their tenant when the tenant allows it (read-only beyond their own).
    Requester {
        /// Their tenant.
        tenant: TenantId,
        /// The requester.
        member: MemberId,
        /// The tenant widens visibility to all its tickets.
        whole_tenant: bool,
    },
    /// Nothing at all: blocked members and inactive staff.
    Nothing,
}

impl Scope {
    /// The scope of `actor`. `policy` is the requester visibility of the member's
    /// tenant; it is ignored for staff.
    pub fn of(actor: &Actor, policy: RequesterVisibility) -> Scope {
        match actor {
            Actor::System => Scope::Everything,
            Actor::Staff(s) if !s.active => Scope::Nothing,
            Actor::Staff(s) => match s.role {
                StaffRole::PlatformAdmin => Scope::Everything,
                role => Scope::Staff {
                    staff: s.id,
                    tenants: s.tenants.clone(),
                    groups: s.groups.clone(),
                    all_groups: role == StaffRole::Supervisor,
                },
            },
            Actor::Member(m) if m.blocked => Scope::Nothing,
            Actor::Member(m) => match m.role {
                MemberRole::TenantAdmin => Scope::Tenant { tenant: m.tenant },
                MemberRole::Requester => Scope::Requester {
                    tenant: m.tenant,
                    member: m.id,
                    whole_tenant: policy == RequesterVisibility::WholeTenantReadOnly,
                },
            },
        }
    }

    /// Whether this scope admits `ticket`: the one definition of "may see".
    pub fn admits(&self, ticket: &Ticket) -> bool {
        match self {
            Scope::Everything => true,
            Scope::Staff {
                staff,
                tenants,
                groups,
                all_groups,
            } => {
                tenants.includes(ticket.tenant)
                    && (*all_groups
                        || ticket.assignee == Some(*staff)
                        || ticket.group.is_none_or(|g| groups.contains(&g)))
            }
            Scope::Tenant { tenant } => ticket.tenant == *tenant,
            Scope::Requester {
                tenant,
                member,
                whole_tenant,
            } => ticket.tenant == *tenant && (*whole_tenant || ticket.is_participant(*member)),
            Scope::Nothing => false,
        }
    }

    /// Whether this scope may ever include a ticket of `tenant`.
    pub fn covers_tenant(&self, tenant: TenantId) -> bool {
        match self {
            Scope::Everything => true,
            Scope::Staff { tenants, .. } => tenants.includes(tenant),
            Scope::Tenant { tenant: t } | Scope::Requester { tenant: t, .. } => *t == tenant,
            Scope::Nothing => false,
        }
    }

    /// Whether internal notes are visible in this scope.
    pub fn sees_internal(&self) -> bool {
        matches!(self, Scope::Everything | Scope::Staff { .. })
    }
}

/// Refuses blocked members and inactive staff before anything else happens.
pub fn ensure_active(actor: &Actor) -> Result<(), Error> {
    match actor {
        Actor::Member(m) if m.blocked => Err(Forbidden::AccountBlocked.into()),
        Actor::Staff(s) if !s.active => Err(Forbidden::AccountBlocked.into()),
        _ => Ok(()),
    }
}

/// Whether `actor` may read internal notes: staff and the system.
pub fn sees_internal(actor: &Actor) -> bool {
    matches!(actor, Actor::Staff(_) | Actor::System)
}

/// Whether `actor` may read `event`: internal notes only reach staff.
pub fn may_read_event(actor: &Actor, event: &TimelineEvent) -> bool {
    event.visibility() == Visibility::Public || sees_internal(actor)
}

/// The version of `ticket` that `actor` observes (its `ETag`), without copying it: the
/// [public one](Ticket::public_version) for requesters and guests.
pub fn observed_version(actor: &Actor, ticket: &Ticket) -> u64 {
    if sees_internal(actor) {
        ticket.version
    } else {
        ticket.public_version
    }
}

/// The ticket as `actor` may observe it: requesters and guests get its
/// [public face](Ticket::public_face), whose version and updated time move only with what
/// they may see.
pub fn observed_by(actor: &Actor, ticket: Ticket) -> Ticket {
    if sees_internal(actor) {
        ticket
    } else {
        ticket.public_face()
    }
}

/// Whether `actor` administers `tenant`: its tenant admins, its supervisors, platform
/// admins.
pub fn administers(actor: &Actor, tenant: TenantId) -> bool {
    match actor {
        Actor::Member(m) => !m.blocked && m.role == MemberRole::TenantAdmin && m.tenant == tenant,
        Actor::Staff(s) => {
            s.active
                && match s.role {
                    StaffRole::PlatformAdmin => true,
                    StaffRole::Supervisor => s.tenants.includes(tenant),
                    StaffRole::Agent => false,
                }
        }
        Actor::System => true,
    }
}

/// Whether `actor` is a platform admin (or the system).
pub fn is_platform_admin(actor: &Actor) -> bool {
    match actor {
        Actor::Staff(s) => s.active && s.role == StaffRole::PlatformAdmin,
        Actor::System => true,
        Actor::Member(_) => false,
    }
}

/// Whether `actor` manages support staff and groups: supervisors and platform admins.
pub fn manages_staff(actor: &Actor) -> bool {
    match actor {
        Actor::Staff(s) => {
            s.active && matches!(s.role, StaffRole::Supervisor | StaffRole::PlatformAdmin)
        }
        Actor::System => true,
        Actor::Member(_) => false,
    }
}
