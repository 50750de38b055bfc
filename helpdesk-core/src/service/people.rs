//! The people use cases: a person's own language and muted notification topics, and finding the members of a tenant
//! by name.

use crate::error::{Entity, Error, Forbidden, Result};
use crate::ids::TenantId;
use crate::people::{Actor, Member, MemberQuery, Staff, check_language};
use crate::permissions::{administers, ensure_active};
use crate::topic::{MutedTopics, NotificationTopic};

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
        self.update_own(
            actor,
            |m| m.language.clone_from(&language),
            |s| s.language.clone_from(&language),
        )
        .await
    }

    /// Sets the kinds of event `actor` chose not to be told about by notification, for
    /// themself: the [`NotificationTopic`]s in `muted` (repeats ignored), replacing
    /// those muted before; none to be told about everything again. Any active member or
    /// staff member, for their own record only; answers the actor as it now is.
    ///
    /// Only the muted topics are written: the stored record is read again, so a block or
    /// a role change made meanwhile by an admin is kept.
    pub async fn set_muted_topics(
        &self,
        actor: &Actor,
        muted: impl IntoIterator<Item = NotificationTopic>,
    ) -> Result<Actor> {
        ensure_active(actor)?;
        let muted: MutedTopics = muted.into_iter().collect();
        self.update_own(
            actor,
            |m| m.muted.clone_from(&muted),
            |s| s.muted.clone_from(&muted),
        )
        .await
    }

    /// Applies a change to `actor`'s own stored record (`member` for a member, `staff`
    /// for a staff member) and writes it when it changed anything; answers the record as
    /// it now is. A staff record changed under it by an admin is read again and the
    /// change applied anew, a few times.
    async fn update_own(
        &self,
        actor: &Actor,
        member: impl Fn(&mut Member),
        staff: impl Fn(&mut Staff),
    ) -> Result<Actor> {
        match actor {
            Actor::Member(me) => {
                let stored = self
                    .store
                    .member(me.tenant, me.id)
                    .await?
                    .ok_or(Error::NotFound(Entity::Member))?;
                let mut changed = stored.clone();
                member(&mut changed);
                if changed != stored {
                    self.store.update_member(&changed).await?;
                    self.lookups.people_changed();
                }
                Ok(Actor::Member(changed))
            }
            Actor::Staff(me) => {
                let mut attempt = 0;
                loop {
                    let stored = self
                        .store
                        .staff(me.id)
                        .await?
                        .ok_or(Error::NotFound(Entity::Staff))?;
                    let mut changed = stored.clone();
                    staff(&mut changed);
                    if changed == stored {
                        return Ok(Actor::Staff(stored));
                    }
                    self.lookups.people_changed();
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
