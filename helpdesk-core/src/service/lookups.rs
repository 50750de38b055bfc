//! The lookups every request repeats, kept a short while in the service: tenants (by id
//! and by slug), a tenant's webhook endpoints, who a host user is (staff, or member of a
//! tenant), and the people a notification goes to (members and staff by id, the staff
//! a group stands for). A command, or a delivery of the outbox, then sends only its own
//! reads and writes to the store.
//!
//! Staleness, plainly: a change made through this service (this process) is seen at
//! once: each write of a tenant, webhook, member or staff member empties what it
//! touches. A change made by another instance, or in the database directly, is seen
//! within the time to live ([`DEFAULT_LOOKUP_TTL`] unless the host sets another with
//! [`HelpdeskService::with_lookup_ttl`]): for that long another instance may still run
//! as a member just blocked, apply a tenant's old settings, or deliver to a webhook
//! endpoint just removed, or mail someone who muted the topic a moment ago. A time to
//! live of zero keeps nothing.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::error::Result;
use crate::ids::{MemberId, StaffId, TenantId};
use crate::people::{Member, Staff, UserId};
use crate::tenant::Tenant;
use crate::webhook::Webhook;

use super::HelpdeskService;

/// How long a lookup is kept by default: one second, so that several instances over one
/// database agree within a second, while a busy instance still reads each tenant and
/// user once a second instead of on every request.
pub const DEFAULT_LOOKUP_TTL: Duration = Duration::from_secs(1);

/// The most entries one map keeps; a full map is emptied (lookups are cheap to redo).
const MAX_ENTRIES: usize = 4096;

/// One map of lookups with their time of reading.
struct Timed<K, V> {
    entries: Mutex<HashMap<K, (Instant, V)>>,
}

impl<K: Eq + Hash, V: Clone> Timed<K, V> {
    fn new() -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn get(&self, key: &K, ttl: Duration) -> Option<V> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(key)
            .filter(|(at, _)| at.elapsed() < ttl)
            .map(|(_, v)| v.clone())
    }

    fn put(&self, key: K, value: V, ttl: Duration) {
        if ttl.is_zero() {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(key, (Instant::now(), value));
    }

    fn clear(&self) {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }
}

/// The service's lookups (see the module docs).
pub(super) struct Lookups {
    ttl: Duration,
    tenants: Timed<TenantId, Tenant>,
    slugs: Timed<String, Tenant>,
    webhooks: Timed<TenantId, Arc<Vec<Webhook>>>,
    staff: Timed<UserId, Option<Staff>>,
    members: Timed<(TenantId, UserId), Option<Member>>,
    members_by_id: Timed<(TenantId, MemberId), Member>,
    staff_by_id: Timed<StaffId, Staff>,
    all_staff: Timed<(), Arc<Vec<Staff>>>,
}

impl Lookups {
    pub(super) fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            tenants: Timed::new(),
            slugs: Timed::new(),
            webhooks: Timed::new(),
            staff: Timed::new(),
            members: Timed::new(),
            members_by_id: Timed::new(),
            staff_by_id: Timed::new(),
            all_staff: Timed::new(),
        }
    }

    pub(super) fn ttl(&self) -> Duration {
        self.ttl
    }

    /// Forgets every tenant (one changed).
    pub(super) fn tenants_changed(&self) {
        self.tenants.clear();
        self.slugs.clear();
    }

    /// Forgets every tenant's webhook endpoints (one changed).
    pub(super) fn webhooks_changed(&self) {
        self.webhooks.clear();
    }

    /// Forgets who every user is (a member or staff member changed).
    pub(super) fn people_changed(&self) {
        self.staff.clear();
        self.members.clear();
        self.members_by_id.clear();
        self.staff_by_id.clear();
        self.all_staff.clear();
    }
}

impl HelpdeskService {
    /// A tenant by id, kept a while.
    pub(super) async fn cached_tenant(&self, id: TenantId) -> Result<Option<Tenant>> {
        let ttl = self.lookups.ttl;
        if let Some(tenant) = self.lookups.tenants.get(&id, ttl) {
            return Ok(Some(tenant));
        }
        let found = self.store.tenant(id).await?;
        if let Some(tenant) = &found {
            self.lookups.tenants.put(id, tenant.clone(), ttl);
        }
        Ok(found)
    }

    /// A tenant by slug, kept a while.
    pub(super) async fn cached_tenant_by_slug(&self, slug: &str) -> Result<Option<Tenant>> {
        let ttl = self.lookups.ttl;
        if let Some(tenant) = self.lookups.slugs.get(&slug.to_owned(), ttl) {
            return Ok(Some(tenant));
        }
        let found = self.store.tenant_by_slug(slug).await?;
        if let Some(tenant) = &found {
            self.lookups.slugs.put(slug.to_owned(), tenant.clone(), ttl);
        }
        Ok(found)
    }

    /// A tenant's webhook endpoints, kept a while.
    pub(super) async fn cached_webhooks(&self, tenant: TenantId) -> Result<Arc<Vec<Webhook>>> {
        let ttl = self.lookups.ttl;
        if let Some(found) = self.lookups.webhooks.get(&tenant, ttl) {
            return Ok(found);
        }
        let found = Arc::new(self.store.webhooks(tenant).await?);
        self.lookups.webhooks.put(tenant, found.clone(), ttl);
        Ok(found)
    }

    /// The staff member a host user is, if any, kept a while.
    pub(super) async fn cached_staff_by_user(&self, user: &UserId) -> Result<Option<Staff>> {
        let ttl = self.lookups.ttl;
        if let Some(found) = self.lookups.staff.get(user, ttl) {
            return Ok(found);
        }
        let found = self.store.staff_by_user(user).await?;
        self.lookups.staff.put(user.clone(), found.clone(), ttl);
        Ok(found)
    }

    /// The member of `tenant` a host user is, if any, kept a while.
    pub(super) async fn cached_member_by_user(
        &self,
        tenant: TenantId,
        user: &UserId,
    ) -> Result<Option<Member>> {
        let ttl = self.lookups.ttl;
        let key = (tenant, user.clone());
        if let Some(found) = self.lookups.members.get(&key, ttl) {
            return Ok(found);
        }
        let found = self.store.member_by_user(tenant, user).await?;
        // A member not found is not kept: they may be registered any moment.
        if found.is_some() {
            self.lookups.members.put(key, found.clone(), ttl);
        }
        Ok(found)
    }

    /// A member of `tenant` by id, kept a while (one not found is not kept).
    pub(super) async fn cached_member(
        &self,
        tenant: TenantId,
        id: MemberId,
    ) -> Result<Option<Member>> {
        let ttl = self.lookups.ttl;
        if let Some(found) = self.lookups.members_by_id.get(&(tenant, id), ttl) {
            return Ok(Some(found));
        }
        let found = self.store.member(tenant, id).await?;
        if let Some(member) = &found {
            self.lookups
                .members_by_id
                .put((tenant, id), member.clone(), ttl);
        }
        Ok(found)
    }

    /// A staff member by id, kept a while (one not found is not kept).
    pub(super) async fn cached_staff(&self, id: StaffId) -> Result<Option<Staff>> {
        let ttl = self.lookups.ttl;
        if let Some(found) = self.lookups.staff_by_id.get(&id, ttl) {
            return Ok(Some(found));
        }
        let found = self.store.staff(id).await?;
        if let Some(staff) = &found {
            self.lookups.staff_by_id.put(id, staff.clone(), ttl);
        }
        Ok(found)
    }

    /// Every staff member, kept a while: what a group stands for is read from it.
    pub(super) async fn cached_all_staff(&self) -> Result<Arc<Vec<Staff>>> {
        let ttl = self.lookups.ttl;
        if let Some(found) = self.lookups.all_staff.get(&(), ttl) {
            return Ok(found);
        }
        let found = Arc::new(self.store.all_staff().await?);
        self.lookups.all_staff.put((), found.clone(), ttl);
        Ok(found)
    }
}
