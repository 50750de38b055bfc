//! The administration of support staff and their groups.

use crate::error::{Entity, Error, Forbidden, Result};
use crate::ids::{GroupId, StaffId};
use crate::people::{Actor, Group, MemberRole, Staff, StaffRole, TenantScope, UserId};
use crate::permissions::{ensure_active, is_platform_admin, manages_staff};
use crate::text::single_line;

use super::HelpdeskService;

/// A support staff member to register with [`HelpdeskService::add_staff`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaffDetails<'a> {
    /// The host's id for the user.
    pub user: &'a UserId,
    /// The name shown on tickets.
    pub display_name: &'a str,
    /// Where notifications go.
    pub email: Option<&'a str>,
    /// Their role.
    pub role: StaffRole,
    /// The tenants they serve.
    pub tenants: TenantScope,
    /// The groups they belong to; each must exist.
    pub groups: Vec<GroupId>,
}

/// Changes to a staff member, for [`HelpdeskService::update_staff`]: `None` leaves a
/// field as it is.
///
/// ```
/// use helpdesk_core::{StaffChanges, StaffRole};
///
/// let promote = StaffChanges { role: Some(StaffRole::Supervisor), ..Default::default() };
/// # let _ = promote;
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StaffChanges {
    /// A new display name.
    pub display_name: Option<String>,
    /// A new email address (`Some(None)` removes it).
    pub email: Option<Option<String>>,
    /// A new role.
    pub role: Option<StaffRole>,
    /// The tenants served, replacing the current ones.
    pub tenants: Option<TenantScope>,
    /// The groups, replacing the current ones; each must exist.
    pub groups: Option<Vec<GroupId>>,
    /// Whether they may act (inactive staff can do nothing and cannot be assigned).
    pub active: Option<bool>,
}

impl HelpdeskService {
    /// Registers a support staff member with their groups, in one write. Platform admins
    /// create anyone; supervisors create agents serving some of their own tenants
    /// [ajouter un agent]. Every group must exist.
    pub async fn add_staff(&self, actor: &Actor, details: StaffDetails<'_>) -> Result<Staff> {
        ensure_active(actor)?;
        Self::require(manages_staff(actor), Forbidden::RoleRequired)?;
        Self::check_staff_grant(actor, details.role, &details.tenants)?;
        // One host user is either support staff or a member, never both: a staff record
        // would take over how a member is recognised.
        for tenant in self.store.tenants().await? {
            if self
                .store
                .member_by_user(tenant.id, details.user)
                .await?
                .is_some()
            {
                return Err(Error::invalid(
                    "user",
                    "is already a member of a tenant; support staff need their own user",
                ));
            }
        }
        self.check_groups(&details.groups).await?;
        let mut staff = Staff::new(
            details.user.clone(),
            details.display_name,
            details.email,
            details.role,
            details.tenants,
        )?;
        staff.groups = details.groups;
        self.store.insert_staff(&staff).await?;
        self.lookups.people_changed();
        Ok(staff)
    }

    fn check_staff_grant(actor: &Actor, role: StaffRole, tenants: &TenantScope) -> Result<()> {
        if is_platform_admin(actor) {
            return Ok(());
        }
        let Some(me) = actor.as_staff() else {
            return Err(Forbidden::RoleRequired.into());
        };
        let within = match tenants {
            TenantScope::All => me.tenants == TenantScope::All,
            TenantScope::Only(list) => list.iter().all(|t| me.tenants.includes(*t)),
        };
        Self::require(role == StaffRole::Agent && within, Forbidden::RoleRequired)
    }

    async fn check_groups(&self, groups: &[GroupId]) -> Result<()> {
        for group in groups {
            if self.store.group(*group).await?.is_none() {
                return Err(Error::invalid_coded(
                    "groups",
                    crate::error::ReasonCode::UnknownReference,
                    "no such group",
                ));
            }
        }
        Ok(())
    }

    /// Changes a staff member's name, email, role, tenants, groups or activity (same
    /// rights as [`add_staff`](Self::add_staff), over the record before and after);
    /// what `changes` leaves out stays as it is. Every group must exist.
    ///
    /// Safe against concurrent updates: the change is merged into the record as read and
    /// written only if the stored record is still that one; otherwise it is read again,
    /// checked again and merged again, up to [`MAX_ATTEMPTS`](super::MAX_ATTEMPTS) times
    /// ([`Error::ConcurrentUpdate`] after that). Two updates of different fields both
    /// land.
    pub async fn update_staff(
        &self,
        actor: &Actor,
        id: StaffId,
        changes: StaffChanges,
    ) -> Result<Staff> {
        ensure_active(actor)?;
        Self::require(manages_staff(actor), Forbidden::RoleRequired)?;
        let display_name = changes
            .display_name
            .as_deref()
            .map(|name| single_line("display_name", name, 200))
            .transpose()?;
        let email = changes
            .email
            .as_ref()
            .map(|email| crate::people::check_email(email.as_deref()))
            .transpose()?;
        let mut attempts = 0;
        loop {
            attempts += 1;
            let current = self
                .store
                .staff(id)
                .await?
                .ok_or(Error::NotFound(Entity::Staff))?;
            let changed = Staff {
                display_name: display_name
                    .clone()
                    .unwrap_or_else(|| current.display_name.clone()),
                email: email.clone().unwrap_or_else(|| current.email.clone()),
                role: changes.role.unwrap_or(current.role),
                tenants: changes
                    .tenants
                    .clone()
                    .unwrap_or_else(|| current.tenants.clone()),
                groups: changes
                    .groups
                    .clone()
                    .unwrap_or_else(|| current.groups.clone()),
                active: changes.active.unwrap_or(current.active),
                ..current.clone()
            };
            Self::check_staff_grant(actor, current.role, &current.tenants)?;
            Self::check_staff_grant(actor, changed.role, &changed.tenants)?;
            if attempts == 1
                && let Some(groups) = &changes.groups
            {
                // Groups are never deleted: checked once, they stay valid for the retries.
                self.check_groups(groups).await?;
            }
            if changed == current {
                return Ok(current);
            }
            let updated = self.store.update_staff(&changed, &current).await;
            self.lookups.people_changed();
            match updated {
                Ok(()) => return Ok(changed),
                Err(Error::ConcurrentUpdate(Entity::Staff)) if attempts < super::MAX_ATTEMPTS => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// One staff member (any staff).
    pub async fn staff_member(&self, actor: &Actor, id: StaffId) -> Result<Staff> {
        ensure_active(actor)?;
        Self::require(
            actor.is_staff() || matches!(actor, Actor::System),
            Forbidden::StaffOnly,
        )?;
        self.store
            .staff(id)
            .await?
            .ok_or(Error::NotFound(Entity::Staff))
    }

    /// Every staff member (any staff; tenant admins see those serving their tenant).
    pub async fn staff_list(&self, actor: &Actor) -> Result<Vec<Staff>> {
        ensure_active(actor)?;
        let all = self.store.all_staff().await?;
        match actor {
            Actor::Member(m) if m.role == MemberRole::TenantAdmin => {
                Ok(all.into_iter().filter(|s| s.serves(m.tenant)).collect())
            }
            Actor::Member(_) => Err(Forbidden::StaffOnly.into()),
            _ => Ok(all),
        }
    }

    /// Creates a group of staff [groupe de l'agent] (supervisors, platform admins).
    pub async fn create_group(&self, actor: &Actor, name: &str) -> Result<Group> {
        ensure_active(actor)?;
        Self::require(manages_staff(actor), Forbidden::RoleRequired)?;
        let group = Group::new(name)?;
        self.store.insert_group(&group).await?;
        Ok(group)
    }

    /// Renames a group (supervisors, platform admins).
    pub async fn rename_group(&self, actor: &Actor, id: GroupId, name: &str) -> Result<Group> {
        ensure_active(actor)?;
        Self::require(manages_staff(actor), Forbidden::RoleRequired)?;
        let mut group = self
            .store
            .group(id)
            .await?
            .ok_or(Error::NotFound(Entity::Group))?;
        group.name = single_line("name", name, 200)?;
        self.store.update_group(&group).await?;
        Ok(group)
    }

    /// Every group (staff, and tenant admins who route their categories to groups).
    pub async fn groups(&self, actor: &Actor) -> Result<Vec<Group>> {
        ensure_active(actor)?;
        let allowed = match actor {
            Actor::Member(m) => m.role == MemberRole::TenantAdmin,
            Actor::Staff(_) | Actor::System => true,
        };
        Self::require(allowed, Forbidden::RoleRequired)?;
        self.store.groups().await
    }
}
