//! Fixtures for tests of code built on the helpdesk: a [`Seed`] that sets a
//! [`HelpdeskService`] up with a platform admin, tenants, groups, members and staff and
//! gives back a [`World`] to look them up by name; a [`FaultyStore`] that makes chosen
//! store calls fail; and small constructors for [`Caller`], [`Profile`] and [`NewTicket`]
//! values.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
//! use helpdesk_core::testing::{Seed, StaffSeed, draft};
//! use helpdesk_core::{MemberRole, Status};
//!
//! let world = Seed::in_memory()
//!     .two_tenants()
//!     .group("Software")
//!     .member("acme", "alice", MemberRole::Requester)
//!     .staff(StaffSeed::agent("sam").groups(&["Software"]))
//!     .build()
//!     .await?;
//! let ticket = world
//!     .service
//!     .open(&world.actor("alice"), world.tenant("acme"), draft("Printer"), vec![])
//!     .await?;
//! assert_eq!(ticket.status(), Status::New);
//! # Ok::<(), helpdesk_core::Error>(())
//! # })?;
//! # Ok(())
//! # }
//! ```
//!
//! The seeding functions answer the service's [`Result`]; the look-ups
//! ([`World::tenant`], [`World::actor`], ...) and the value constructors panic on a name
//! the test never seeded or an invalid literal, as a test wants.

mod faulty;

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::caller::{Caller, Profile};
use crate::error::Result;
use crate::ids::{GroupId, TenantId};
use crate::memory::MemoryStore;
use crate::people::{Actor, Member, MemberRole, Staff, StaffRole, TenantScope, UserId};
use crate::ports::ManualClock;
use crate::service::{HelpdeskService, MemberDetails, StaffChanges, StaffDetails};
use crate::tenant::Tenant;
use crate::ticket::NewTicket;

pub use faulty::FaultyStore;

/// A service over a fresh [`MemoryStore`], and the store, for tests that look at what
/// was stored.
pub fn memory_service() -> (HelpdeskService, Arc<MemoryStore>) {
    let store = Arc::new(MemoryStore::new());
    (HelpdeskService::new(store.clone()), store)
}

/// A host user id from a literal.
///
/// # Panics
///
/// When `id` is not a valid [`UserId`].
#[track_caller]
pub fn user(id: &str) -> UserId {
    match UserId::new(id) {
        Ok(user) => user,
        Err(e) => panic!("{id:?} is not a valid user id: {e}"),
    }
}

/// A host's profile of a member.
pub fn profile(display_name: &str, email: Option<&str>, role: MemberRole) -> Profile {
    Profile {
        display_name: display_name.to_owned(),
        email: email.map(str::to_owned),
        role,
    }
}

/// A caller the host names a tenant for (a member), with or without a profile.
///
/// # Panics
///
/// When `user` is not a valid [`UserId`].
#[track_caller]
pub fn member_caller(user_id: &str, tenant: &str, profile: Option<Profile>) -> Caller {
    Caller {
        user: user(user_id),
        tenant: Some(tenant.to_owned()),
        profile,
    }
}

/// A caller with no tenant and no profile, as the host hands over its staff.
///
/// # Panics
///
/// When `user` is not a valid [`UserId`].
#[track_caller]
pub fn staff_caller(user_id: &str) -> Caller {
    Caller {
        user: user(user_id),
        tenant: None,
        profile: None,
    }
}

/// A ticket to open: `subject`, described by `<p>subject</p>`, nothing else set.
pub fn draft(subject: &str) -> NewTicket {
    NewTicket {
        subject: subject.into(),
        description: format!("<p>{subject}</p>"),
        ..NewTicket::default()
    }
}

/// Every regular file under `root`, however deep: for checking that a blob store left
/// nothing behind. A directory that cannot be read counts as empty.
pub fn files_under(root: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for path in entries.flatten().map(|entry| entry.path()) {
            if path.is_dir() {
                dirs.push(path);
            } else {
                found.push(path);
            }
        }
    }
    found
}

/// A member to seed: shown as their user id, notified at `<user>@example.org`, active,
/// unless changed.
#[derive(Clone, Debug)]
pub struct MemberSeed {
    tenant: String,
    user: String,
    display_name: String,
    email: Option<String>,
    role: MemberRole,
    blocked: bool,
}

impl MemberSeed {
    /// `user`, a member of the tenant `tenant` (a slug seeded before) with `role`.
    pub fn new(tenant: &str, user: &str, role: MemberRole) -> Self {
        Self {
            tenant: tenant.to_owned(),
            user: user.to_owned(),
            display_name: user.to_owned(),
            email: Some(format!("{user}@example.org")),
            role,
            blocked: false,
        }
    }

    /// Shown as `display_name`.
    pub fn named(mut self, display_name: &str) -> Self {
        self.display_name = display_name.to_owned();
        self
    }

    /// Notified at `email`, or at no address with `None`.
    pub fn email(mut self, email: Option<&str>) -> Self {
        self.email = email.map(str::to_owned);
        self
    }

    /// Blocked by the platform admin once registered.
    pub fn blocked(mut self) -> Self {
        self.blocked = true;
        self
    }
}

/// A staff member to seed: shown as their user id, with no email, serving every tenant
/// and in no group, unless changed.
#[derive(Clone, Debug)]
pub struct StaffSeed {
    user: String,
    display_name: String,
    email: Option<String>,
    role: StaffRole,
    tenants: Option<Vec<String>>,
    groups: Vec<String>,
    active: bool,
}

impl StaffSeed {
    /// `user` with `role`.
    pub fn new(user: &str, role: StaffRole) -> Self {
        Self {
            user: user.to_owned(),
            display_name: user.to_owned(),
            email: None,
            role,
            tenants: None,
            groups: Vec::new(),
            active: true,
        }
    }

    /// An agent.
    pub fn agent(user: &str) -> Self {
        Self::new(user, StaffRole::Agent)
    }

    /// A supervisor.
    pub fn supervisor(user: &str) -> Self {
        Self::new(user, StaffRole::Supervisor)
    }

    /// Shown as `display_name`.
    pub fn named(mut self, display_name: &str) -> Self {
        self.display_name = display_name.to_owned();
        self
    }

    /// Notified at `email`.
    pub fn email(mut self, email: &str) -> Self {
        self.email = Some(email.to_owned());
        self
    }

    /// Serving only the tenants with these slugs (seeded before).
    pub fn only(mut self, tenants: &[&str]) -> Self {
        self.tenants = Some(tenants.iter().map(|&t| t.to_owned()).collect());
        self
    }

    /// Deactivated by the platform admin once added.
    pub fn inactive(mut self) -> Self {
        self.active = false;
        self
    }

    /// In the groups with these names (seeded before).
    pub fn groups(mut self, groups: &[&str]) -> Self {
        self.groups = groups.iter().map(|&g| g.to_owned()).collect();
        self
    }
}

/// What to set a service up with; [`build`](Seed::build) does it, in this order: the
/// platform admin `root` (or the one already there, seeding a database twice), the
/// tenants, the groups, the members, the staff.
#[derive(Debug)]
#[must_use = "a seed does nothing until it is built"]
pub struct Seed {
    service: HelpdeskService,
    memory: Option<Arc<MemoryStore>>,
    clock: Option<Arc<ManualClock>>,
    tenants: Vec<(String, String)>,
    groups: Vec<String>,
    members: Vec<MemberSeed>,
    staff: Vec<StaffSeed>,
}

impl Seed {
    /// Only the platform admin `root` (shown as "Root"), on `service`.
    pub fn new(service: HelpdeskService) -> Self {
        Self {
            service,
            memory: None,
            clock: None,
            tenants: Vec::new(),
            groups: Vec::new(),
            members: Vec::new(),
            staff: Vec::new(),
        }
    }

    /// [`Seed::new`] on a service over a fresh [`MemoryStore`], which
    /// [`World::store`] gives back.
    pub fn in_memory() -> Self {
        let (service, store) = memory_service();
        Self {
            memory: Some(store),
            ..Self::new(service)
        }
    }

    /// Names the in-memory store beneath a service of the test's own (behind a
    /// [`FaultyStore`], say), for [`World::store`].
    pub fn with_memory(mut self, store: Arc<MemoryStore>) -> Self {
        self.memory = Some(store);
        self
    }

    /// Runs the service on a [`ManualClock`] set at `now`, which [`World::clock`] gives
    /// back.
    pub fn at(mut self, now: DateTime<Utc>) -> Self {
        let clock = Arc::new(ManualClock::new(now));
        self.service = self.service.with_clock(clock.clone());
        self.clock = Some(clock);
        self
    }

    /// Changes the service before anything is seeded: its clock, blob store, limits.
    pub fn configure(mut self, configure: impl FnOnce(HelpdeskService) -> HelpdeskService) -> Self {
        self.service = configure(self.service);
        self
    }

    /// The tenants `acme` ("Acme") and `globex` ("Globex").
    pub fn two_tenants(self) -> Self {
        self.tenant("acme", "Acme").tenant("globex", "Globex")
    }

    /// A tenant.
    pub fn tenant(mut self, slug: &str, name: &str) -> Self {
        self.tenants.push((slug.to_owned(), name.to_owned()));
        self
    }

    /// A group of staff.
    pub fn group(mut self, name: &str) -> Self {
        self.groups.push(name.to_owned());
        self
    }

    /// A member of `tenant`, as [`MemberSeed::new`] describes.
    pub fn member(self, tenant: &str, user: &str, role: MemberRole) -> Self {
        self.member_seed(MemberSeed::new(tenant, user, role))
    }

    /// A member, described in full.
    pub fn member_seed(mut self, member: MemberSeed) -> Self {
        self.members.push(member);
        self
    }

    /// A staff member.
    pub fn staff(mut self, staff: StaffSeed) -> Self {
        self.staff.push(staff);
        self
    }

    /// Sets the service up. Fails with the service's error when a use case refuses a
    /// seed (a bad slug, a tenant or group not seeded, a user seeded twice).
    pub async fn build(self) -> Result<World> {
        let service = self.service;
        let root = service
            .ensure_platform_admin(&UserId::new("root")?, "Root")
            .await?;
        let mut tenants = BTreeMap::new();
        for (slug, name) in &self.tenants {
            let tenant = service.create_tenant(&root, slug, name).await?;
            tenants.insert(slug.clone(), tenant);
        }
        let mut groups = BTreeMap::new();
        for name in &self.groups {
            let group = service.create_group(&root, name).await?;
            groups.insert(name.clone(), group.id);
        }
        let mut world = World {
            service,
            memory: self.memory,
            clock: self.clock,
            root,
            tenants,
            groups,
            people: BTreeMap::new(),
        };
        for seed in self.members {
            world.add_member(seed).await?;
        }
        for seed in self.staff {
            world.add_staff(seed).await?;
        }
        Ok(world)
    }
}

/// A seeded service, and what it was seeded with by name.
#[derive(Debug)]
pub struct World {
    /// The service, seeded.
    pub service: HelpdeskService,
    /// The platform admin `root`.
    pub root: Actor,
    memory: Option<Arc<MemoryStore>>,
    clock: Option<Arc<ManualClock>>,
    tenants: BTreeMap<String, Tenant>,
    groups: BTreeMap<String, GroupId>,
    people: BTreeMap<String, Actor>,
}

impl World {
    /// The id of the tenant seeded as `slug`.
    ///
    /// # Panics
    ///
    /// When no tenant was seeded as `slug`.
    #[track_caller]
    pub fn tenant(&self, slug: &str) -> TenantId {
        match self.tenants.get(slug) {
            Some(tenant) => tenant.id,
            None => panic!("no tenant {slug:?} was seeded"),
        }
    }

    /// The tenant seeded as `slug`, as it was right after seeding.
    ///
    /// # Panics
    ///
    /// When no tenant was seeded as `slug`.
    #[track_caller]
    pub fn tenant_record(&self, slug: &str) -> &Tenant {
        match self.tenants.get(slug) {
            Some(tenant) => tenant,
            None => panic!("no tenant {slug:?} was seeded"),
        }
    }

    /// The group seeded as `name`.
    ///
    /// # Panics
    ///
    /// When no group was seeded as `name`.
    #[track_caller]
    pub fn group(&self, name: &str) -> GroupId {
        match self.groups.get(name) {
            Some(group) => *group,
            None => panic!("no group {name:?} was seeded"),
        }
    }

    /// The member or staff member seeded as `user`, as they were right after seeding.
    ///
    /// # Panics
    ///
    /// When nobody was seeded as `user`.
    #[track_caller]
    pub fn actor(&self, user: &str) -> Actor {
        match self.people.get(user) {
            Some(actor) => actor.clone(),
            None => panic!("nobody was seeded as {user:?}"),
        }
    }

    /// The member seeded as `user`, as they were right after seeding.
    ///
    /// # Panics
    ///
    /// When no member was seeded as `user`.
    #[track_caller]
    pub fn member(&self, user: &str) -> Member {
        match self.people.get(user) {
            Some(Actor::Member(member)) => member.clone(),
            _ => panic!("no member was seeded as {user:?}"),
        }
    }

    /// The staff member seeded as `user`, as they were right after seeding.
    ///
    /// # Panics
    ///
    /// When no staff member was seeded as `user`.
    #[track_caller]
    pub fn staff(&self, user: &str) -> Staff {
        match self.people.get(user) {
            Some(Actor::Staff(staff)) => staff.clone(),
            _ => panic!("no staff member was seeded as {user:?}"),
        }
    }

    /// The in-memory store of a world seeded [`in_memory`](Seed::in_memory).
    ///
    /// # Panics
    ///
    /// When the world was seeded on a service of the test's own.
    #[track_caller]
    pub fn store(&self) -> &Arc<MemoryStore> {
        match &self.memory {
            Some(store) => store,
            None => panic!("the world was not seeded in memory"),
        }
    }

    /// Registers one more member, as [`Seed::member_seed`] would have.
    pub async fn add_member(&mut self, seed: MemberSeed) -> Result<Actor> {
        let tenant = self.seeded_tenant(&seed.tenant)?;
        let mut member = self
            .service
            .ensure_member(
                tenant,
                MemberDetails {
                    user: &UserId::new(&seed.user)?,
                    display_name: &seed.display_name,
                    email: seed.email.as_deref(),
                    role: seed.role,
                },
            )
            .await?;
        if seed.blocked {
            member = self
                .service
                .set_member_blocked(&self.root, tenant, member.id, true)
                .await?;
        }
        self.add_person(&seed.user, Actor::Member(member))
    }

    /// Adds one more staff member, as [`Seed::staff`] would have.
    pub async fn add_staff(&mut self, seed: StaffSeed) -> Result<Actor> {
        let root = self.root.clone();
        self.add_staff_as(&root, seed).await.map(Actor::Staff)
    }

    /// Has `by` add one more staff member: the service's answer, refusals included. An
    /// added one can be looked up by user like the seeded ones.
    pub async fn add_staff_as(&mut self, by: &Actor, seed: StaffSeed) -> Result<Staff> {
        let tenants = match &seed.tenants {
            None => TenantScope::All,
            Some(slugs) => TenantScope::Only(
                slugs
                    .iter()
                    .map(|slug| self.seeded_tenant(slug))
                    .collect::<Result<_>>()?,
            ),
        };
        let groups = seed
            .groups
            .iter()
            .map(|name| {
                self.groups
                    .get(name)
                    .copied()
                    .ok_or_else(|| crate::Error::invalid("group", "not seeded"))
            })
            .collect::<Result<_>>()?;
        let mut staff = self
            .service
            .add_staff(
                by,
                StaffDetails {
                    user: &UserId::new(&seed.user)?,
                    display_name: &seed.display_name,
                    email: seed.email.as_deref(),
                    role: seed.role,
                    tenants,
                    groups,
                },
            )
            .await?;
        if !seed.active {
            let deactivate = StaffChanges {
                active: Some(false),
                ..StaffChanges::default()
            };
            staff = self
                .service
                .update_staff(&self.root, staff.id, deactivate)
                .await?;
        }
        self.add_person(&seed.user, Actor::Staff(staff.clone()))?;
        Ok(staff)
    }

    /// The clock of a world seeded [`at`](Seed::at) a time.
    ///
    /// # Panics
    ///
    /// When the world runs on another clock.
    #[track_caller]
    pub fn clock(&self) -> &Arc<ManualClock> {
        match &self.clock {
            Some(clock) => clock,
            None => panic!("the world was not seeded at a time"),
        }
    }

    fn seeded_tenant(&self, slug: &str) -> Result<TenantId> {
        self.tenants
            .get(slug)
            .map(|t| t.id)
            .ok_or_else(|| crate::Error::invalid("tenant", "not seeded"))
    }

    fn add_person(&mut self, user: &str, actor: Actor) -> Result<Actor> {
        if self.people.insert(user.to_owned(), actor.clone()).is_some() {
            return Err(crate::Error::invalid("user", "seeded twice"));
        }
        Ok(actor)
    }
}
