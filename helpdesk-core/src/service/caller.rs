//! Resolving the host's caller into the actor a use case runs as: the tenant they name,
//! the tenant-access rule, registering a member on first sight and keeping their profile
//! in step with the host's.

use crate::caller::{Caller, CallerContext, Profile};
use crate::error::{Entity, Error, Result};
use crate::ids::TenantId;
use crate::people::{Actor, Member};
use crate::permissions::ensure_active;
use crate::text::single_line;

use super::{HelpdeskService, MemberDetails};

impl HelpdeskService {
    /// Resolves the host's caller into the actor a request runs as and the tenant it is
    /// about. `requested_tenant` is the slug the request names (`?tenant=slug` on the
    /// routes), for staff serving several tenants; a caller whose host names their tenant
    /// may only repeat it.
    ///
    /// - The tenant is the caller's own, else the one requested, else none (staff only).
    ///   A slug that names no tenant, another tenant than the caller's own, or a tenant
    ///   staff do not serve answers [`Error::NotFound`]`(Tenant)`: the same answer as a
    ///   tenant that does not exist.
    /// - Staff are recognised first; then the member of the tenant the host user is. A
    ///   member seen for the first time is registered from the caller's [`Profile`]; a
    ///   known member whose name, email or role differ from the profile is updated (one
    ///   write, only when something differs; `blocked` is never touched).
    /// - A user who is neither, with no profile to register them: [`Error::UnknownCaller`].
    /// - A blocked member or inactive staff member: [`Error::Forbidden`].
    ///
    /// Runs as the host itself: call it only with identities the host has authenticated.
    pub async fn resolve_caller(
        &self,
        caller: &Caller,
        requested_tenant: Option<&str>,
    ) -> Result<CallerContext> {
        let slug = match (caller.tenant.as_deref(), requested_tenant) {
            (Some(own), Some(asked)) if own != asked => {
                return Err(Error::NotFound(Entity::Tenant));
            }
            (Some(own), _) => Some(own),
            (None, asked) => asked,
        };
        let tenant = match slug {
            Some(slug) => Some(
                self.cached_tenant_by_slug(slug)
                    .await?
                    .ok_or(Error::NotFound(Entity::Tenant))?,
            ),
            None => None,
        };
        let actor = match self
            .caller_actor(caller, tenant.as_ref().map(|t| t.id))
            .await
        {
            Err(Error::NotFound(Entity::Member)) => {
                return Err(Error::UnknownCaller {
                    user: caller.user.clone(),
                    tenant: slug.map(str::to_owned),
                });
            }
            other => other?,
        };
        if let Some(tenant) = &tenant {
            Self::ensure_in_tenant(&actor, tenant.id)?;
        }
        Ok(CallerContext { actor, tenant })
    }

    /// The staff member the caller is, else their member record in `tenant`, registered
    /// or refreshed from their profile.
    async fn caller_actor(&self, caller: &Caller, tenant: Option<TenantId>) -> Result<Actor> {
        if let Some(staff) = self.cached_staff_by_user(&caller.user).await? {
            let actor = Actor::Staff(staff);
            ensure_active(&actor)?;
            return Ok(actor);
        }
        let Some(tenant) = tenant else {
            return Err(Error::NotFound(Entity::Member));
        };
        let member = match (
            self.cached_member_by_user(tenant, &caller.user).await?,
            &caller.profile,
        ) {
            (Some(member), None) => member,
            (Some(member), Some(profile)) => {
                // A blocked member is refused before any write.
                ensure_active(&Actor::Member(member.clone()))?;
                self.refresh_member(member, profile).await?
            }
            (None, Some(profile)) => {
                self.ensure_member(
                    tenant,
                    MemberDetails {
                        user: &caller.user,
                        display_name: &profile.display_name,
                        email: profile.email.as_deref(),
                        role: profile.role,
                    },
                )
                .await?
            }
            (None, None) => return Err(Error::NotFound(Entity::Member)),
        };
        let actor = Actor::Member(member);
        ensure_active(&actor)?;
        Ok(actor)
    }

    /// Brings a member's name, email and role in step with the host's profile: one
    /// write, only when one of them differs. `blocked` is the tenant admin's and is kept.
    pub(super) async fn refresh_member(&self, member: Member, profile: &Profile) -> Result<Member> {
        let refreshed = Member {
            display_name: single_line("display_name", &profile.display_name, 200)?,
            email: crate::people::check_email(profile.email.as_deref())?,
            role: profile.role,
            ..member.clone()
        };
        if refreshed != member {
            self.store.update_member(&refreshed).await?;
            self.lookups.people_changed();
        }
        Ok(refreshed)
    }
}
