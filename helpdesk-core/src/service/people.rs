//! The people use cases: a person's own language, and finding the members of a tenant
//! by name.

use crate::error::{Entity, Error, Forbidden, Result};
use crate::ids::TenantId;
use crate::people::{Actor, MemberQuery, check_language};
use crate::permissions::{administers, ensure_active};

use super::HelpdeskService;

/// The most members a requester's search answers: enough to pick a colleague, too few
/// to list the tenant.
pub const MAX_MEMBERS_FOR_REQUESTERS: u32 = 20;

/// How many times a staff member's language change is tried again when their record
/// changes under it.
const STAFF_RETRIES: usize = 3;

impl HelpdeskService {
    /// Sets the language `actor` reads the helpdesk in, for themself: one of
    /// [`SUPPORTED_LANGUAGES`](crate::SUPPORTED_LANGUAGES), or none (blank too) to
    /// follow their browser and tenant again. Any active member or staff member, for
    /// their own record only; answers the actor as it now is. An unsupported tag is a
    /// validation error on `language` ([`ReasonCode::UnknownValue`](crate::ReasonCode)).
    ///
    /// Only the language is written: the stored record is read again, so a block or a
    /// role change made meanwhile by an admin is kept.
    pub async fn set_language(&self, actor: &Actor, language: Option<&str>) -> Result<Actor> {
        ensure_active(actor)?;
        let language = check_language(language)?;
        match actor {
            Actor::Member(me) => {
                let mut stored = self
                    .store
                    .member(me.tenant, me.id)
                    .await?
                    .ok_or(Error::NotFound(Entity::Member))?;
                if stored.language != language {
                    stored.language = language;
                    self.store.update_member(&stored).await?;
                }
                Ok(Actor::Member(stored))
            }
            Actor::Staff(me) => {
                let mut attempt = 0;
                loop {
                    let stored = self
                        .store
                        .staff(me.id)
                        .await?
                        .ok_or(Error::NotFound(Entity::Staff))?;
                    if stored.language == language {
                        return Ok(Actor::Staff(stored));
                    }
                    let mut changed = stored.clone();
                    changed.language.clone_from(&language);
                    match self.store.update_staff(&changed, &stored).await {
                        Ok(()) => return Ok(Actor::Staff(changed)),
                        Err(Error::ConcurrentUpdate(_)) if attempt < STAFF_RETRIES => {
                            attempt += 1;
                        }
                        Err(e) => return Err(e),
                    }
                }
            }
            Actor::System => Err(Forbidden::RoleRequired.into()),
        }
    }

    /// The members of `tenant` whose display name, host user id (login) or email holds
    /// every word of `text`, folded like search's `contains` (case and accents ignored,
    /// each word the beginning of one of theirs), by display name, at most `limit`
    /// (capped at [`MAX_MEMBER_RESULTS`](crate::MAX_MEMBER_RESULTS)).
    ///
    /// Who may look, following who may name a member in a use case:
    /// - staff serving the tenant and its admins (they assign, reassign requesters and
    ///   administer members): every member, blocked ones included; a `text` without
    ///   words lists the first `limit` members;
    /// - the tenant's requesters (they invite guests from their own tenant): active
    ///   members only, at most [`MAX_MEMBERS_FOR_REQUESTERS`], only for a `text` with at
    ///   least one word of two characters (nobody lists the whole tenant), and without
    ///   their email addresses, which are left out of the answer;
    /// - anyone outside the tenant: [`Error::NotFound`]`(Tenant)`, as for every tenant
    ///   they may not see.
    pub async fn find_members(
        &self,
        actor: &Actor,
        tenant: TenantId,
        text: &str,
        limit: u32,
    ) -> Result<Vec<crate::Member>> {
        Self::ensure_in_tenant(actor, tenant)?;
        let mut query = MemberQuery::new(tenant, text, limit);
        let privileged = actor.is_staff() || administers(actor, tenant);
        if privileged {
            return self.store.find_members(&query).await;
        }
        if query.words.is_empty() {
            return Ok(Vec::new());
        }
        query.include_blocked = false;
        query.limit = query.limit.min(MAX_MEMBERS_FOR_REQUESTERS);
        let mut found = self.store.find_members(&query).await?;
        for member in &mut found {
            member.email = None;
        }
        Ok(found)
    }
}
