//! The rules table of DESIGN.md, one table-driven test per row, over the pure workflow
//! functions: every actor kind × every status × both requester-visibility policies, each
//! acceptance with its resulting status and exact events, each refusal with its exact
//! error.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use helpdesk_core::workflow::{Context, Opening, decide, execute, open};

/// The service's default rich-text policy, for contexts built by hand.
static DEFAULT_TEXT_POLICY: std::sync::LazyLock<helpdesk_core::TextPolicy> =
    std::sync::LazyLock::new(Default::default);
use helpdesk_core::{
    Actor, ActorRef, Answer, Answers, Category, Closure, ClosureMode, Command, Entity, Error,
    EventKind, FieldChange, Forbidden, GroupId, Member, MemberRole, NewTicket, Priority, Product,
    RequesterVisibility, RichText, Staff, StaffRole, Status, Tenant, TenantScope, TenantSettings,
    Ticket, TicketEdit, TicketId, TicketNumber, TicketState, TimelineEvent, UserId, Window,
};

// ---------------------------------------------------------------------------------------
// The world every row is played in.
// ---------------------------------------------------------------------------------------

/// Who tries the command, as DESIGN.md's "Who sees what" tells them apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Who {
    /// The ticket's requester.
    Owner,
    /// A requester invited to follow the ticket.
    Guest,
    /// Another requester of the same tenant: read-only under the whole-tenant policy,
    /// blind under the default one.
    Colleague,
    /// A tenant admin of the ticket's tenant.
    TenantAdmin,
    /// An agent of the ticket's group.
    GroupAgent,
    /// An agent of the same tenant but another group.
    OtherGroupAgent,
    /// A supervisor serving the ticket's tenant.
    Supervisor,
    /// A platform admin.
    PlatformAdmin,
    /// A requester of another tenant.
    OtherTenantMember,
    /// A tenant admin of another tenant.
    OtherTenantAdmin,
    /// A supervisor serving only another tenant.
    OtherTenantStaff,
    /// A blocked member, invited to the ticket before being blocked.
    Blocked,
    /// A supervisor of the tenant whose staff account was deactivated.
    InactiveStaff,
    /// The helpdesk itself.
    System,
}

const EVERYONE: [Who; 14] = [
    Who::Owner,
    Who::Guest,
    Who::Colleague,
    Who::TenantAdmin,
    Who::GroupAgent,
    Who::OtherGroupAgent,
    Who::Supervisor,
    Who::PlatformAdmin,
    Who::OtherTenantMember,
    Who::OtherTenantAdmin,
    Who::OtherTenantStaff,
    Who::Blocked,
    Who::InactiveStaff,
    Who::System,
];

const POLICIES: [RequesterVisibility; 2] = [
    RequesterVisibility::OwnAndInvited,
    RequesterVisibility::WholeTenantReadOnly,
];

/// How an actor who got past visibility stands towards the ticket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Owner,
    Guest,
    Onlooker,
    Admin,
    Agent,
    Supervisor,
    Platform,
    System,
}

impl Role {
    fn is_staff(self) -> bool {
        matches!(self, Role::Agent | Role::Supervisor | Role::Platform)
    }

    fn speaks_for_requester(self) -> bool {
        matches!(self, Role::Owner | Role::Admin)
    }
}

/// Blocked accounts are refused first, then tickets the actor may not see answer as
/// missing; everyone else gets a role.
fn gate(who: Who, policy: RequesterVisibility) -> Result<Role, Refusal> {
    match who {
        Who::Blocked | Who::InactiveStaff => Err(Refusal::Forbidden(Forbidden::AccountBlocked)),
        Who::OtherGroupAgent | Who::OtherTenantMember | Who::OtherTenantAdmin => {
            Err(Refusal::NotFound(Entity::Ticket))
        }
        Who::OtherTenantStaff => Err(Refusal::NotFound(Entity::Ticket)),
        Who::Colleague if policy == RequesterVisibility::WholeTenantReadOnly => Ok(Role::Onlooker),
        Who::Colleague => Err(Refusal::NotFound(Entity::Ticket)),
        Who::Owner => Ok(Role::Owner),
        Who::Guest => Ok(Role::Guest),
        Who::TenantAdmin => Ok(Role::Admin),
        Who::GroupAgent => Ok(Role::Agent),
        Who::Supervisor => Ok(Role::Supervisor),
        Who::PlatformAdmin => Ok(Role::Platform),
        Who::System => Ok(Role::System),
    }
}

struct World {
    tenant: Tenant,
    other_tenant: Tenant,
    owner: Member,
    guest: Member,
    colleague: Member,
    admin: Member,
    blocked: Member,
    outsider: Member,
    outsider_admin: Member,
    group: GroupId,
    other_group: GroupId,
    agent: Staff,
    other_agent: Staff,
    supervisor: Staff,
    platform: Staff,
    foreign_supervisor: Staff,
    inactive: Staff,
    category: Category,
    other_category: Category,
    foreign_category: Category,
    retired_category: Category,
    product: Product,
    now: DateTime<Utc>,
}

fn member(tenant: &Tenant, user: &str, role: MemberRole) -> Member {
    Member::new(
        tenant.id,
        UserId::new(user).unwrap(),
        user,
        Some(&format!("{user}@example.org")),
        role,
    )
    .unwrap()
}

fn staff(user: &str, role: StaffRole, tenants: TenantScope, groups: Vec<GroupId>) -> Staff {
    let mut s = Staff::new(UserId::new(user).unwrap(), user, None, role, tenants).unwrap();
    s.groups = groups;
    s
}

fn category(tenant: &Tenant, name: &str, group: Option<GroupId>) -> Category {
    Category::new(tenant.id, None, name, group).unwrap()
}

fn text(html: &str) -> RichText {
    RichText::sanitize(html).unwrap()
}

fn valid_answers() -> Answers {
    Answers::from([
        ("overall".to_owned(), Answer::Score(9)),
        (
            "solution".to_owned(),
            Answer::Text(" satisfied ".to_owned()),
        ),
        ("comment".to_owned(), Answer::Text("   ".to_owned())),
    ])
}

impl World {
    fn new() -> Self {
        let tenant = Tenant::new("vendor", "Vendor clients").unwrap();
        let other_tenant = Tenant::new("legal", "Legal aid").unwrap();
        let group = GroupId::new();
        let other_group = GroupId::new();
        let only_tenant = || TenantScope::Only(vec![tenant.id]);
        let mut blocked = member(&tenant, "blocked", MemberRole::Requester);
        blocked.blocked = true;
        let mut inactive = staff(
            "inactive",
            StaffRole::Supervisor,
            only_tenant(),
            vec![group],
        );
        inactive.active = false;
        let mut retired_category = category(&tenant, "Retired", Some(group));
        retired_category.active = false;
        Self {
            owner: member(&tenant, "owner", MemberRole::Requester),
            guest: member(&tenant, "guest", MemberRole::Requester),
            colleague: member(&tenant, "colleague", MemberRole::Requester),
            admin: member(&tenant, "admin", MemberRole::TenantAdmin),
            blocked,
            outsider: member(&other_tenant, "outsider", MemberRole::Requester),
            outsider_admin: member(&other_tenant, "outsider-admin", MemberRole::TenantAdmin),
            agent: staff("agent", StaffRole::Agent, only_tenant(), vec![group]),
            other_agent: staff(
                "other-agent",
                StaffRole::Agent,
                only_tenant(),
                vec![other_group],
            ),
            supervisor: staff("supervisor", StaffRole::Supervisor, only_tenant(), vec![]),
            platform: staff("root", StaffRole::PlatformAdmin, TenantScope::All, vec![]),
            foreign_supervisor: staff(
                "foreign-supervisor",
                StaffRole::Supervisor,
                TenantScope::Only(vec![other_tenant.id]),
                vec![group],
            ),
            inactive,
            category: category(&tenant, "Software", Some(group)),
            other_category: category(&tenant, "Hardware", Some(other_group)),
            foreign_category: category(&other_tenant, "Courts", Some(group)),
            retired_category,
            product: Product::new(tenant.id, Some("ERP"), "ERP suite").unwrap(),
            now: Utc.with_ymd_and_hms(2025, 3, 14, 9, 30, 0).unwrap(),
            group,
            other_group,
            tenant,
            other_tenant,
        }
    }

    fn actor(&self, who: Who) -> Actor {
        match who {
            Who::Owner => Actor::Member(self.owner.clone()),
            Who::Guest => Actor::Member(self.guest.clone()),
            Who::Colleague => Actor::Member(self.colleague.clone()),
            Who::TenantAdmin => Actor::Member(self.admin.clone()),
            Who::GroupAgent => Actor::Staff(self.agent.clone()),
            Who::OtherGroupAgent => Actor::Staff(self.other_agent.clone()),
            Who::Supervisor => Actor::Staff(self.supervisor.clone()),
            Who::PlatformAdmin => Actor::Staff(self.platform.clone()),
            Who::OtherTenantMember => Actor::Member(self.outsider.clone()),
            Who::OtherTenantAdmin => Actor::Member(self.outsider_admin.clone()),
            Who::OtherTenantStaff => Actor::Staff(self.foreign_supervisor.clone()),
            Who::Blocked => Actor::Member(self.blocked.clone()),
            Who::InactiveStaff => Actor::Staff(self.inactive.clone()),
            Who::System => Actor::System,
        }
    }

    fn settings(&self, policy: RequesterVisibility) -> TenantSettings {
        TenantSettings {
            requester_visibility: policy,
            ..self.tenant.settings.clone()
        }
    }

    /// The owner's ticket, routed to the agent's group, followed by the guest (and by the
    /// member who was blocked since), in `status` since a day.
    fn ticket(&self, status: Status) -> Ticket {
        self.ticket_since(status, Duration::days(1))
    }

    /// The same ticket, in `status` since `age`.
    fn ticket_since(&self, status: Status, age: Duration) -> Ticket {
        let since = self.now - age;
        let state = match status {
            Status::New => TicketState::New,
            Status::InProgress => TicketState::InProgress,
            Status::WaitingOnRequester => TicketState::WaitingOnRequester,
            Status::PendingClosure => TicketState::PendingClosure {
                proposed_at: since,
                proposed_by: self.supervisor.id,
            },
            Status::Closed => TicketState::Closed {
                closed_at: since,
                closure: Closure::Direct {
                    by: self.supervisor.id,
                },
            },
            Status::Cancelled => TicketState::Cancelled {
                cancelled_at: since,
            },
        };
        Ticket {
            id: TicketId::new(),
            tenant: self.tenant.id,
            number: TicketNumber::new(42),
            subject: "Invoice export fails".to_owned(),
            description: text("<p>The export button shows an error</p>"),
            category: Some(self.category.id),
            product: None,
            priority: Priority::Normal,
            state,
            requester: self.owner.id,
            assignee: None,
            group: Some(self.group),
            guests: vec![self.guest.id, self.blocked.id],
            contact_phone: None,
            asset: None,
            custom_fields: Default::default(),
            opened_by: ActorRef::Member(self.owner.id),
            created_at: self.now - Duration::days(10),
            updated_at: since,
            version: 7,
            public_updated_at: since,
            public_version: 7,
            service_level: Default::default(),
        }
    }

    fn ctx<'a>(&self, settings: &'a TenantSettings) -> Context<'a> {
        Context {
            settings,
            now: self.now,
            text_policy: &DEFAULT_TEXT_POLICY,
        }
    }

    fn opening<'a>(&'a self, requester: &'a Member) -> Opening<'a> {
        Opening {
            tenant: &self.tenant,
            requester,
            category: Some(&self.category),
            group: Some(self.group),
            product: Some(&self.product),
            now: self.now,
            text_policy: &DEFAULT_TEXT_POLICY,
        }
    }
}

// ---------------------------------------------------------------------------------------
// Expected outcomes and how they are compared.
// ---------------------------------------------------------------------------------------

/// A refusal, exactly.
#[derive(Clone, Debug, PartialEq)]
enum Refusal {
    NotFound(Entity),
    Forbidden(Forbidden),
    /// `Error::InvalidTransition` from the ticket's status with the command's name.
    InvalidTransition,
    Validation(&'static str),
    TenantMismatch(Entity),
}

/// One expected event: its kind's name and status change.
#[derive(Clone, Debug, PartialEq)]
struct Ev {
    kind: &'static str,
    change: Option<(Status, Status)>,
}

#[derive(Clone, Debug, PartialEq)]
enum Outcome {
    Accepted { to: Status, events: Vec<Ev> },
    Refused(Refusal),
}

fn moves(kind: &'static str, from: Status, to: Status) -> Outcome {
    Outcome::Accepted {
        to,
        events: vec![Ev {
            kind,
            change: Some((from, to)),
        }],
    }
}

fn stays(kind: &'static str, status: Status) -> Outcome {
    Outcome::Accepted {
        to: status,
        events: vec![Ev { kind, change: None }],
    }
}

fn refused(reason: Forbidden) -> Outcome {
    Outcome::Refused(Refusal::Forbidden(reason))
}

fn invalid() -> Outcome {
    Outcome::Refused(Refusal::InvalidTransition)
}

fn validation(field: &'static str) -> Outcome {
    Outcome::Refused(Refusal::Validation(field))
}

fn refusal_matches(err: &Error, expected: &Refusal, from: Status, command: &str) -> bool {
    match (expected, err) {
        (Refusal::NotFound(want), Error::NotFound(got)) => want == got,
        (Refusal::Forbidden(want), Error::Forbidden(got)) => want == got,
        (
            Refusal::InvalidTransition,
            Error::InvalidTransition {
                from: f,
                command: c,
            },
        ) => *f == from && c.as_str() == command,
        (Refusal::Validation(field), Error::Validation(v)) => v.field == *field,
        (Refusal::TenantMismatch(want), Error::TenantMismatch(got)) => want == got,
        _ => false,
    }
}

/// Runs `command` by `actor` on `ticket` and compares with `expected`: the resulting
/// status, the exact events (kind, status change, author, time, ticket) and the version
/// bump for an acceptance; the exact error for a refusal.
fn verify(
    actor: &Actor,
    ticket: &Ticket,
    command: &Command,
    ctx: Context<'_>,
    expected: &Outcome,
) -> Result<(), String> {
    let result = execute(ticket, actor, command, ctx);
    match (expected, result) {
        (Outcome::Refused(want), Err(err)) => {
            if refusal_matches(&err, want, ticket.status(), command.name().as_str()) {
                Ok(())
            } else {
                Err(format!("expected refusal {want:?}, got {err:?}"))
            }
        }
        (Outcome::Refused(want), Ok((_, events))) => Err(format!(
            "expected refusal {want:?}, was accepted with {:?}",
            kinds(&events)
        )),
        (Outcome::Accepted { .. }, Err(err)) => Err(format!("expected acceptance, got {err:?}")),
        (Outcome::Accepted { to, events: want }, Ok((next, events))) => {
            let got: Vec<Ev> = events
                .iter()
                .map(|e| Ev {
                    kind: e.kind.name(),
                    change: e.status_change.map(|c| (c.from, c.to)),
                })
                .collect();
            if &got != want {
                return Err(format!("expected events {want:?}, got {got:?}"));
            }
            if next.status() != *to {
                return Err(format!("expected status {to}, got {}", next.status()));
            }
            let bump = u64::from(!events.is_empty());
            if next.version != ticket.version + bump {
                return Err(format!(
                    "version went from {} to {} for {} events",
                    ticket.version,
                    next.version,
                    events.len()
                ));
            }
            for e in &events {
                if e.ticket != ticket.id
                    || e.tenant != ticket.tenant
                    || e.author != actor.reference()
                    || e.at != ctx.now
                {
                    return Err(format!(
                        "event not stamped with ticket, actor and now: {e:?}"
                    ));
                }
            }
            if events.is_empty() && next != *ticket {
                return Err("no event, yet the ticket changed".to_owned());
            }
            Ok(())
        }
    }
}

fn kinds(events: &[TimelineEvent]) -> Vec<&'static str> {
    events.iter().map(|e| e.kind.name()).collect()
}

/// Plays one row: every actor kind, every status, both visibility policies. `rule` says
/// what should happen to an actor who got past visibility; the gate is common to all
/// rows. Fails listing every cell that disagrees.
fn play_row(
    w: &World,
    settings: &TenantSettings,
    ticket: impl Fn(Status) -> Ticket,
    command: &Command,
    rule: impl Fn(Role, Status) -> Outcome,
) {
    let mut failures = Vec::new();
    let mut cells = 0;
    for policy in POLICIES {
        let settings = TenantSettings {
            requester_visibility: policy,
            ..settings.clone()
        };
        for who in EVERYONE {
            for status in Status::ALL {
                let expected = match gate(who, policy) {
                    Ok(role) => rule(role, status),
                    Err(refusal) => Outcome::Refused(refusal),
                };
                let t = ticket(status);
                if let Err(why) = verify(&w.actor(who), &t, command, w.ctx(&settings), &expected) {
                    failures.push(format!(
                        "{} by {who:?} on {status} ({policy:?}): {why}",
                        command.name()
                    ));
                }
                cells += 1;
            }
        }
    }
    assert_eq!(cells, POLICIES.len() * EVERYONE.len() * Status::ALL.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn expect_one(w: &World, who: Who, ticket: &Ticket, command: &Command, expected: Outcome) {
    expect_with(w, &w.tenant.settings, who, ticket, command, expected);
}

fn expect_with(
    w: &World,
    settings: &TenantSettings,
    who: Who,
    ticket: &Ticket,
    command: &Command,
    expected: Outcome,
) {
    if let Err(why) = verify(&w.actor(who), ticket, command, w.ctx(settings), &expected) {
        panic!(
            "{} by {who:?} on {}: {why}",
            command.name(),
            ticket.status()
        );
    }
}

fn accepted(w: &World, who: Who, ticket: &Ticket, command: &Command) -> Ticket {
    execute(ticket, &w.actor(who), command, w.ctx(&w.tenant.settings))
        .unwrap()
        .0
}

/// The refusal anyone but staff gets for a staff-only command.
fn staff_only(role: Role) -> Outcome {
    match role {
        Role::Onlooker => refused(Forbidden::ReadOnly),
        Role::System => refused(Forbidden::RoleRequired),
        _ => refused(Forbidden::StaffOnly),
    }
}

/// The refusal for a command reserved to the requester's side.
fn requester_only(role: Role) -> Outcome {
    match role {
        Role::Onlooker => refused(Forbidden::ReadOnly),
        Role::Guest | Role::Agent | Role::Supervisor | Role::Platform => {
            refused(Forbidden::NotTheRequester)
        }
        _ => refused(Forbidden::RoleRequired),
    }
}

const ACTIVE: [Status; 3] = [Status::New, Status::InProgress, Status::WaitingOnRequester];

// ---------------------------------------------------------------------------------------
// open | - | new | active requester of the tenant; tenant admin; staff on someone's behalf
// ---------------------------------------------------------------------------------------

fn draft() -> NewTicket {
    NewTicket {
        subject: "  Printer jammed  ".to_owned(),
        description: "<p>Paper stuck in tray 2</p><script>alert(1)</script>".to_owned(),
        priority: Some(Priority::High),
        ..Default::default()
    }
}

#[test]
fn open_is_for_the_requester_themself_tenant_admins_and_staff_serving_the_tenant() {
    let w = World::new();
    let mut failures = Vec::new();
    for who in EVERYONE {
        let expected = match who {
            Who::Owner
            | Who::TenantAdmin
            | Who::GroupAgent
            | Who::OtherGroupAgent
            | Who::Supervisor
            | Who::PlatformAdmin
            | Who::System => None,
            Who::Guest | Who::Colleague => Some(Refusal::Forbidden(Forbidden::RoleRequired)),
            Who::OtherTenantMember | Who::OtherTenantAdmin | Who::OtherTenantStaff => {
                Some(Refusal::NotFound(Entity::Tenant))
            }
            Who::Blocked | Who::InactiveStaff => {
                Some(Refusal::Forbidden(Forbidden::AccountBlocked))
            }
        };
        let actor = w.actor(who);
        match (open(&actor, &draft(), w.opening(&w.owner)), expected) {
            (Ok((ticket, event)), None) => {
                let ok = ticket.status() == Status::New
                    && ticket.tenant == w.tenant.id
                    && ticket.requester == w.owner.id
                    && ticket.number == TicketNumber::new(0)
                    && ticket.version == 1
                    && ticket.subject == "Printer jammed"
                    && !ticket.description.as_html().contains("script")
                    && ticket.priority == Priority::High
                    && ticket.group == Some(w.group)
                    && ticket.category == Some(w.category.id)
                    && ticket.product == Some(w.product.id)
                    && ticket.opened_by == actor.reference()
                    && ticket.created_at == w.now
                    && ticket.guests.is_empty()
                    && ticket.assignee.is_none()
                    && event.kind == EventKind::Opened
                    && event.status_change.is_none()
                    && event.ticket == ticket.id
                    && event.author == actor.reference();
                if !ok {
                    failures.push(format!(
                        "{who:?}: wrong ticket or event {ticket:?} {event:?}"
                    ));
                }
            }
            (Err(err), Some(want)) => {
                if !refusal_matches(&err, &want, Status::New, "open") {
                    failures.push(format!("{who:?}: expected {want:?}, got {err:?}"));
                }
            }
            (Ok(_), Some(want)) => failures.push(format!("{who:?}: expected {want:?}, opened")),
            (Err(err), None) => failures.push(format!("{who:?}: expected to open, got {err:?}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_requester_opens_for_themself_only() {
    let w = World::new();
    let guest = w.actor(Who::Guest);
    let (ticket, _) = open(&guest, &draft(), w.opening(&w.guest)).unwrap();
    assert_eq!(ticket.requester, w.guest.id);
    let err = open(&guest, &draft(), w.opening(&w.owner)).unwrap_err();
    assert!(
        matches!(err, Error::Forbidden(Forbidden::RoleRequired)),
        "{err:?}"
    );
}

#[test]
fn nobody_opens_for_a_blocked_member_or_a_member_of_another_tenant() {
    let w = World::new();
    let admin = w.actor(Who::TenantAdmin);
    let err = open(&admin, &draft(), w.opening(&w.blocked)).unwrap_err();
    assert!(
        matches!(&err, Error::Validation(v) if v.field == "requester"),
        "{err:?}"
    );
    let err = open(&admin, &draft(), w.opening(&w.outsider)).unwrap_err();
    assert!(
        matches!(err, Error::TenantMismatch(Entity::Member)),
        "{err:?}"
    );
}

#[test]
fn opening_validates_subject_description_category_and_product() {
    let w = World::new();
    let owner = w.actor(Who::Owner);
    let try_open = |draft: NewTicket, at: Opening<'_>| open(&owner, &draft, at).unwrap_err();
    let field = |err: Error| match err {
        Error::Validation(v) => v.field,
        other => format!("not a validation error: {other:?}"),
    };

    let blank_subject = NewTicket {
        subject: "   ".to_owned(),
        ..draft()
    };
    assert_eq!(
        field(try_open(blank_subject, w.opening(&w.owner))),
        "subject"
    );
    let long_subject = NewTicket {
        subject: "x".repeat(251),
        ..draft()
    };
    assert_eq!(
        field(try_open(long_subject, w.opening(&w.owner))),
        "subject"
    );
    let empty_description = NewTicket {
        description: "<script>alert(1)</script>".to_owned(),
        ..draft()
    };
    assert_eq!(
        field(try_open(empty_description, w.opening(&w.owner))),
        "description"
    );
    let retired = Opening {
        category: Some(&w.retired_category),
        ..w.opening(&w.owner)
    };
    assert_eq!(field(try_open(draft(), retired)), "category");
    let mut old_product = w.product.clone();
    old_product.active = false;
    let retired_product = Opening {
        product: Some(&old_product),
        ..w.opening(&w.owner)
    };
    assert_eq!(field(try_open(draft(), retired_product)), "product");
    let foreign = Opening {
        category: Some(&w.foreign_category),
        ..w.opening(&w.owner)
    };
    assert!(matches!(
        try_open(draft(), foreign),
        Error::TenantMismatch(Entity::Category)
    ));
}

// ---------------------------------------------------------------------------------------
// assign | any open state | new -> in_progress when an agent is set | supervisor; agent
// may take a ticket for themself
// ---------------------------------------------------------------------------------------

fn assign(who: Option<&Staff>, group: Option<GroupId>) -> Command {
    Command::Assign {
        assignee: who.cloned(),
        group,
    }
}

#[test]
fn assigning_the_group_agent_is_for_that_agent_supervisors_and_platform_admins() {
    let w = World::new();
    let command = assign(Some(&w.agent), None);
    play_row(
        &w,
        &w.tenant.settings,
        |s| w.ticket(s),
        &command,
        |role, s| match role {
            _ if !role.is_staff() => staff_only(role),
            _ if !s.is_open() => invalid(),
            _ if s == Status::New => moves("assigned", s, Status::InProgress),
            _ => stays("assigned", s),
        },
    );
}

#[test]
fn an_agent_may_only_take_a_ticket_for_themself() {
    let w = World::new();
    let command = assign(Some(&w.supervisor), None);
    play_row(
        &w,
        &w.tenant.settings,
        |s| w.ticket(s),
        &command,
        |role, s| match role {
            _ if !role.is_staff() => staff_only(role),
            Role::Agent => refused(Forbidden::RoleRequired),
            _ if !s.is_open() => invalid(),
            _ if s == Status::New => moves("assigned", s, Status::InProgress),
            _ => stays("assigned", s),
        },
    );
    // Taking it for themself, but into another group, is assigning the group too.
    let into_other_group = assign(Some(&w.agent), Some(w.other_group));
    expect_one(
        &w,
        Who::GroupAgent,
        &w.ticket(Status::New),
        &into_other_group,
        refused(Forbidden::RoleRequired),
    );
    // Naming the ticket's own group is no change of group.
    let same_group = assign(Some(&w.agent), Some(w.group));
    expect_one(
        &w,
        Who::GroupAgent,
        &w.ticket(Status::New),
        &same_group,
        moves("assigned", Status::New, Status::InProgress),
    );
}

#[test]
fn assigning_only_a_group_leaves_a_new_ticket_new() {
    let w = World::new();
    let command = assign(None, Some(w.other_group));
    play_row(
        &w,
        &w.tenant.settings,
        |s| w.ticket(s),
        &command,
        |role, s| match role {
            _ if !role.is_staff() => staff_only(role),
            Role::Agent => refused(Forbidden::RoleRequired),
            _ if !s.is_open() => invalid(),
            _ => stays("assigned", s),
        },
    );
    let moved = accepted(&w, Who::Supervisor, &w.ticket(Status::New), &command);
    assert_eq!(moved.group, Some(w.other_group));
    assert_eq!(moved.assignee, None);
}

#[test]
fn only_active_staff_serving_the_tenant_can_be_assigned() {
    let w = World::new();
    let ticket = w.ticket(Status::InProgress);
    for unfit in [&w.inactive, &w.foreign_supervisor] {
        expect_one(
            &w,
            Who::Supervisor,
            &ticket,
            &assign(Some(unfit), None),
            validation("assignee"),
        );
    }
}

#[test]
fn assigning_the_current_assignee_and_group_appends_nothing() {
    let w = World::new();
    let mut ticket = w.ticket(Status::InProgress);
    ticket.assignee = Some(w.agent.id);
    expect_one(
        &w,
        Who::Supervisor,
        &ticket,
        &assign(Some(&w.agent), Some(w.group)),
        Outcome::Accepted {
            to: Status::InProgress,
            events: vec![],
        },
    );
}

// ---------------------------------------------------------------------------------------
// reply | any open state | requester reply in waiting_on_requester -> in_progress |
// requester, guests, staff
// ---------------------------------------------------------------------------------------

#[test]
fn replies_come_from_participants_and_staff_while_open_and_a_requester_side_reply_resumes_work() {
    let w = World::new();
    let command = Command::Reply {
        body: text("<p>Here is the log file</p>"),
    };
    play_row(
        &w,
        &w.tenant.settings,
        |s| w.ticket(s),
        &command,
        |role, s| match role {
            Role::Onlooker => refused(Forbidden::ReadOnly),
            Role::System => refused(Forbidden::RoleRequired),
            _ if !s.is_open() => invalid(),
            _ if !role.is_staff() && s == Status::WaitingOnRequester => {
                moves("replied", s, Status::InProgress)
            }
            _ => stays("replied", s),
        },
    );
}

#[test]
fn staff_replies_leave_a_ticket_waiting_on_the_requester() {
    let w = World::new();
    let command = Command::Reply {
        body: text("Any news?"),
    };
    let waiting = w.ticket(Status::WaitingOnRequester);
    for who in [Who::GroupAgent, Who::Supervisor, Who::PlatformAdmin] {
        expect_one(
            &w,
            who,
            &waiting,
            &command,
            stays("replied", Status::WaitingOnRequester),
        );
    }
}

#[test]
fn blank_bodies_and_messages_are_refused_naming_their_field() {
    let w = World::new();
    let blank = text("<p>  </p><script>alert(1)</script>");
    let cases = [
        (
            Who::Owner,
            Command::Reply {
                body: blank.clone(),
            },
            "body",
        ),
        (
            Who::GroupAgent,
            Command::AddNote {
                body: blank.clone(),
            },
            "body",
        ),
        (
            Who::GroupAgent,
            Command::RequestInformation {
                message: blank.clone(),
            },
            "message",
        ),
        (
            Who::GroupAgent,
            Command::ProposeClosure {
                solution: blank.clone(),
            },
            "solution",
        ),
    ];
    for (who, command, field) in cases {
        expect_one(
            &w,
            who,
            &w.ticket(Status::InProgress),
            &command,
            validation(field),
        );
    }
    expect_one(
        &w,
        Who::Owner,
        &w.ticket(Status::PendingClosure),
        &Command::RefuseClosure {
            justification: blank,
        },
        validation("justification"),
    );
}

// ---------------------------------------------------------------------------------------
// internal note | any state | unchanged | staff only
// ---------------------------------------------------------------------------------------

#[test]
fn internal_notes_are_staff_only_and_allowed_in_every_state() {
    let w = World::new();
    let command = Command::AddNote {
        body: text("Customer on the old version"),
    };
    play_row(
        &w,
        &w.tenant.settings,
        |s| w.ticket(s),
        &command,
        |role, s| {
            if role.is_staff() {
                stays("note_added", s)
            } else {
                staff_only(role)
            }
        },
    );
}

// ---------------------------------------------------------------------------------------
// request information | new, in_progress | waiting_on_requester | staff; message required
// ---------------------------------------------------------------------------------------

#[test]
fn staff_request_information_on_new_or_in_progress_tickets() {
    let w = World::new();
    let command = Command::RequestInformation {
        message: text("Which version do you run?"),
    };
    play_row(
        &w,
        &w.tenant.settings,
        |s| w.ticket(s),
        &command,
        |role, s| match role {
            _ if !role.is_staff() => staff_only(role),
            _ if matches!(s, Status::New | Status::InProgress) => {
                moves("information_requested", s, Status::WaitingOnRequester)
            }
            _ => invalid(),
        },
    );
}

// ---------------------------------------------------------------------------------------
// propose closure | new, in_progress, waiting_on_requester | pending_closure | staff;
// solution message required (direct closure mode: closed in one step)
// ---------------------------------------------------------------------------------------

#[test]
fn staff_propose_closure_on_active_tickets() {
    let w = World::new();
    let command = Command::ProposeClosure {
        solution: text("Update to 4.2"),
    };
    play_row(
        &w,
        &w.tenant.settings,
        |s| w.ticket(s),
        &command,
        |role, s| match role {
            _ if !role.is_staff() => staff_only(role),
            _ if ACTIVE.contains(&s) => moves("closure_proposed", s, Status::PendingClosure),
            _ => invalid(),
        },
    );
    let pending = accepted(&w, Who::GroupAgent, &w.ticket(Status::InProgress), &command);
    assert_eq!(
        pending.state,
        TicketState::PendingClosure {
            proposed_at: w.now,
            proposed_by: w.agent.id
        }
    );
}

#[test]
fn direct_closure_mode_closes_in_one_step_without_answers() {
    let w = World::new();
    let direct = TenantSettings {
        closure_mode: ClosureMode::Direct,
        ..w.tenant.settings.clone()
    };
    let command = Command::ProposeClosure {
        solution: text("Hearing held, agreement signed"),
    };
    play_row(
        &w,
        &direct,
        |s| w.ticket(s),
        &command,
        |role, s| match role {
            _ if !role.is_staff() => staff_only(role),
            _ if ACTIVE.contains(&s) => moves("closed_directly", s, Status::Closed),
            _ => invalid(),
        },
    );
    let (closed, _) = execute(
        &w.ticket(Status::WaitingOnRequester),
        &w.actor(Who::Supervisor),
        &command,
        w.ctx(&direct),
    )
    .unwrap();
    assert_eq!(
        closed.state,
        TicketState::Closed {
            closed_at: w.now,
            closure: Closure::Direct {
                by: w.supervisor.id
            }
        }
    );
    assert!(closed.closure_answers().is_none());
}

// ---------------------------------------------------------------------------------------
// approve closure | pending_closure | closed | ticket's requester or tenant admin;
// questionnaire answers must validate
// ---------------------------------------------------------------------------------------

#[test]
fn only_the_requester_or_a_tenant_admin_approves_a_pending_closure() {
    let w = World::new();
    let command = Command::ApproveClosure {
        answers: valid_answers(),
    };
    play_row(
        &w,
        &w.tenant.settings,
        |s| w.ticket(s),
        &command,
        |role, s| match role {
            _ if !role.speaks_for_requester() => requester_only(role),
            _ if s == Status::PendingClosure => moves("closure_approved", s, Status::Closed),
            _ => invalid(),
        },
    );
}

#[test]
fn requester_cannot_approve_someone_elses_closure() {
    let w = World::new();
    let command = Command::ApproveClosure {
        answers: valid_answers(),
    };
    let pending = w.ticket(Status::PendingClosure);
    // A colleague who may read the ticket still may not approve it...
    let wide = w.settings(RequesterVisibility::WholeTenantReadOnly);
    expect_with(
        &w,
        &wide,
        Who::Colleague,
        &pending,
        &command,
        refused(Forbidden::ReadOnly),
    );
    // ...one who may not read it does not learn it exists...
    expect_one(
        &w,
        Who::Colleague,
        &pending,
        &command,
        Outcome::Refused(Refusal::NotFound(Entity::Ticket)),
    );
    // ...and a guest follows the ticket without speaking for its requester.
    expect_one(
        &w,
        Who::Guest,
        &pending,
        &command,
        refused(Forbidden::NotTheRequester),
    );
}

#[test]
fn approval_records_the_cleaned_answers_and_who_approved() {
    let w = World::new();
    let command = Command::ApproveClosure {
        answers: valid_answers(),
    };
    for (who, by) in [(Who::Owner, w.owner.id), (Who::TenantAdmin, w.admin.id)] {
        let closed = accepted(&w, who, &w.ticket(Status::PendingClosure), &command);
        let clean = Answers::from([
            ("overall".to_owned(), Answer::Score(9)),
            ("solution".to_owned(), Answer::Text("satisfied".to_owned())),
        ]);
        assert_eq!(
            closed.state,
            TicketState::Closed {
                closed_at: w.now,
                closure: Closure::Approved {
                    by,
                    answers: clean.clone()
                }
            }
        );
        assert_eq!(closed.closure_answers(), Some(&clean));
    }
}

#[test]
fn approval_refuses_answers_the_questionnaire_does_not_accept() {
    let w = World::new();
    let pending = w.ticket(Status::PendingClosure);
    let with = |pairs: &[(&str, Answer)]| Command::ApproveClosure {
        answers: pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect(),
    };
    let cases = [
        (with(&[]), "answers.overall"),
        (
            with(&[("comment", Answer::Text("ok".into()))]),
            "answers.overall",
        ),
        (with(&[("overall", Answer::Score(11))]), "answers.overall"),
        (
            with(&[("overall", Answer::Text("9".into()))]),
            "answers.overall",
        ),
        (
            with(&[("overall", Answer::Score(5)), ("mood", Answer::Score(1))]),
            "answers.mood",
        ),
        (
            with(&[
                ("overall", Answer::Score(5)),
                ("human", Answer::Text("ecstatic".into())),
            ]),
            "answers.human",
        ),
        (
            with(&[
                ("overall", Answer::Score(5)),
                ("comment", Answer::Text("x".repeat(4001))),
            ]),
            "answers.comment",
        ),
    ];
    for (command, field) in cases {
        expect_one(&w, Who::Owner, &pending, &command, validation(field));
    }
    // The bounds themselves are fine.
    for score in [0, 10] {
        expect_one(
            &w,
            Who::Owner,
            &pending,
            &with(&[("overall", Answer::Score(score))]),
            moves("closure_approved", Status::PendingClosure, Status::Closed),
        );
    }
}

// ---------------------------------------------------------------------------------------
// refuse closure | pending_closure | in_progress | ticket's requester or tenant admin;
// justification required
// ---------------------------------------------------------------------------------------

#[test]
fn only_the_requester_or_a_tenant_admin_refuses_a_pending_closure() {
    let w = World::new();
    let command = Command::RefuseClosure {
        justification: text("Still failing after the update"),
    };
    play_row(
        &w,
        &w.tenant.settings,
        |s| w.ticket(s),
        &command,
        |role, s| match role {
            _ if !role.speaks_for_requester() => requester_only(role),
            _ if s == Status::PendingClosure => moves("closure_refused", s, Status::InProgress),
            _ => invalid(),
        },
    );
}

// ---------------------------------------------------------------------------------------
// auto-approve | pending_closure older than the approval window | closed | system
// ---------------------------------------------------------------------------------------

#[test]
fn only_the_system_auto_approves_a_closure_past_its_approval_window() {
    let w = World::new();
    let window = w.tenant.settings.approval_window.duration();
    let aged = |s| w.ticket_since(s, window + Duration::seconds(1));
    play_row(
        &w,
        &w.tenant.settings,
        aged,
        &Command::AutoApprove,
        |role, s| match role {
            Role::System if s == Status::PendingClosure => {
                moves("closure_auto_approved", s, Status::Closed)
            }
            Role::System => invalid(),
            _ => refused(Forbidden::RoleRequired),
        },
    );
    let closed = accepted(
        &w,
        Who::System,
        &aged(Status::PendingClosure),
        &Command::AutoApprove,
    );
    assert_eq!(
        closed.state,
        TicketState::Closed {
            closed_at: w.now,
            closure: Closure::AutoApproved
        }
    );
    assert!(closed.closure_answers().is_none());
}

#[test]
fn auto_approve_waits_until_the_approval_window_has_passed() {
    let w = World::new();
    let window = w.tenant.settings.approval_window.duration();
    let early = w.ticket_since(Status::PendingClosure, window - Duration::seconds(1));
    expect_one(
        &w,
        Who::System,
        &early,
        &Command::AutoApprove,
        validation("approval_window"),
    );
    // The window is measured from the proposal; at its very end the closure is due.
    let due = w.ticket_since(Status::PendingClosure, window);
    expect_one(
        &w,
        Who::System,
        &due,
        &Command::AutoApprove,
        moves(
            "closure_auto_approved",
            Status::PendingClosure,
            Status::Closed,
        ),
    );
    // A tenant's own window is what counts.
    let short = TenantSettings {
        approval_window: Window::seconds(60),
        ..w.tenant.settings.clone()
    };
    let recent = w.ticket_since(Status::PendingClosure, Duration::minutes(2));
    expect_with(
        &w,
        &short,
        Who::System,
        &recent,
        &Command::AutoApprove,
        moves(
            "closure_auto_approved",
            Status::PendingClosure,
            Status::Closed,
        ),
    );
}

// ---------------------------------------------------------------------------------------
// cancel | new, in_progress, waiting_on_requester | cancelled | ticket's requester, tenant
// admin, supervisor
// ---------------------------------------------------------------------------------------

#[test]
fn the_requester_a_tenant_admin_or_a_supervisor_cancels_an_active_ticket() {
    let w = World::new();
    let command = Command::Cancel {
        reason: Some(text("Found the answer in the FAQ")),
    };
    play_row(
        &w,
        &w.tenant.settings,
        |s| w.ticket(s),
        &command,
        |role, s| {
            let allowed =
                role.speaks_for_requester() || matches!(role, Role::Supervisor | Role::Platform);
            match role {
                _ if allowed && ACTIVE.contains(&s) => moves("cancelled", s, Status::Cancelled),
                _ if allowed => invalid(),
                Role::Agent | Role::System => refused(Forbidden::RoleRequired),
                Role::Onlooker => refused(Forbidden::ReadOnly),
                _ => refused(Forbidden::NotTheRequester),
            }
        },
    );
    let cancelled = accepted(&w, Who::Owner, &w.ticket(Status::New), &command);
    assert_eq!(
        cancelled.state,
        TicketState::Cancelled {
            cancelled_at: w.now
        }
    );
}

// ---------------------------------------------------------------------------------------
// reopen | closed | in_progress | requester within the tenant's reopen window; staff at
// any time
// ---------------------------------------------------------------------------------------

#[test]
fn a_closed_ticket_is_reopened_by_its_requester_side_or_staff() {
    let w = World::new();
    let command = Command::Reopen {
        reason: Some(text("It broke again")),
    };
    play_row(
        &w,
        &w.tenant.settings,
        |s| w.ticket(s),
        &command,
        |role, s| match role {
            _ if !(role.speaks_for_requester() || role.is_staff()) => requester_only(role),
            _ if s == Status::Closed => moves("reopened", s, Status::InProgress),
            _ => invalid(),
        },
    );
}

#[test]
fn requester_cannot_reopen_after_the_reopen_window_but_staff_can() {
    let w = World::new();
    let window = w.tenant.settings.reopen_window.duration();
    let command = Command::Reopen { reason: None };
    let late = w.ticket_since(Status::Closed, window + Duration::seconds(1));
    for who in [Who::Owner, Who::TenantAdmin] {
        expect_one(
            &w,
            who,
            &late,
            &command,
            refused(Forbidden::ReopenWindowPassed),
        );
    }
    let years_later = w.ticket_since(Status::Closed, Duration::days(3650));
    for who in [Who::GroupAgent, Who::Supervisor, Who::PlatformAdmin] {
        expect_one(
            &w,
            who,
            &years_later,
            &command,
            moves("reopened", Status::Closed, Status::InProgress),
        );
    }
    // The last instant of the window still counts as within it.
    let last_instant = w.ticket_since(Status::Closed, window);
    expect_one(
        &w,
        Who::Owner,
        &last_instant,
        &command,
        moves("reopened", Status::Closed, Status::InProgress),
    );
}

#[test]
fn a_cancelled_ticket_cannot_be_reopened_even_by_staff() {
    let w = World::new();
    for who in [Who::Owner, Who::Supervisor, Who::PlatformAdmin] {
        expect_one(
            &w,
            who,
            &w.ticket(Status::Cancelled),
            &Command::Reopen { reason: None },
            invalid(),
        );
    }
}

// ---------------------------------------------------------------------------------------
// edit fields, move category | open states | unchanged | requester while new; staff while
// open
// ---------------------------------------------------------------------------------------

fn subject_and_priority() -> Command {
    Command::Edit {
        edit: TicketEdit {
            subject: Some("Invoice export fails on Mondays".to_owned()),
            priority: Some(Priority::Blocking),
            ..Default::default()
        },
    }
}

/// Edits and moves: the requester side while new (then `TicketAlreadyTaken`), staff while
/// open.
fn edit_rule(kind: &'static str, count: usize) -> impl Fn(Role, Status) -> Outcome {
    move |role, s| {
        let events = vec![Ev { kind, change: None }; count];
        match role {
            Role::Onlooker => refused(Forbidden::ReadOnly),
            Role::Guest => refused(Forbidden::NotTheRequester),
            Role::System => refused(Forbidden::RoleRequired),
            _ if !s.is_open() => invalid(),
            _ if !role.is_staff() && s != Status::New => refused(Forbidden::TicketAlreadyTaken),
            _ => Outcome::Accepted { to: s, events },
        }
    }
}

#[test]
fn requester_edits_only_while_new_and_staff_while_open() {
    let w = World::new();
    play_row(
        &w,
        &w.tenant.settings,
        |s| w.ticket(s),
        &subject_and_priority(),
        edit_rule("field_edited", 2),
    );
}

#[test]
fn requester_moves_category_only_while_new_and_staff_while_open() {
    let w = World::new();
    let command = Command::MoveCategory {
        category: w.other_category.clone(),
        group: Some(w.other_group),
    };
    play_row(
        &w,
        &w.tenant.settings,
        |s| w.ticket(s),
        &command,
        edit_rule("category_moved", 1),
    );
    let moved = accepted(&w, Who::Owner, &w.ticket(Status::New), &command);
    assert_eq!(moved.category, Some(w.other_category.id));
    assert_eq!(moved.group, Some(w.other_group));
}

#[test]
fn an_edit_appends_one_event_per_field_that_really_changes() {
    let w = World::new();
    let ticket = w.ticket(Status::New);
    let command = Command::Edit {
        edit: TicketEdit {
            subject: Some(format!("  {}  ", ticket.subject)),
            description: Some("<p>Now with a screenshot</p>".to_owned()),
            priority: Some(ticket.priority),
            asset: Some(Some("PC-0042".to_owned())),
            custom_fields: [("site".to_owned(), Some("Lyon".to_owned()))].into(),
            ..Default::default()
        },
    };
    let (next, events) = execute(
        &ticket,
        &w.actor(Who::Owner),
        &command,
        w.ctx(&w.tenant.settings),
    )
    .unwrap();
    let changes: Vec<_> = events
        .iter()
        .map(|e| match &e.kind {
            EventKind::FieldEdited { change } => change.clone(),
            other => panic!("not a field edit: {other:?}"),
        })
        .collect();
    assert_eq!(changes.len(), 3, "{changes:?}");
    assert!(matches!(changes[0], FieldChange::Description { .. }));
    assert!(matches!(&changes[1], FieldChange::Asset { to: Some(a), .. } if a == "PC-0042"));
    assert!(matches!(&changes[2], FieldChange::CustomField { key, .. } if key == "site"));
    assert_eq!(next.version, ticket.version + 1);
    assert_eq!(next.asset.as_deref(), Some("PC-0042"));
    assert_eq!(
        next.custom_fields.get("site").map(String::as_str),
        Some("Lyon")
    );

    let nothing_new = Command::Edit {
        edit: TicketEdit {
            subject: Some(ticket.subject.clone()),
            priority: Some(ticket.priority),
            ..Default::default()
        },
    };
    expect_one(
        &w,
        Who::Owner,
        &ticket,
        &nothing_new,
        Outcome::Accepted {
            to: Status::New,
            events: vec![],
        },
    );
}

#[test]
fn edits_validate_their_fields() {
    let w = World::new();
    let ticket = w.ticket(Status::InProgress);
    let edit = |e: TicketEdit| Command::Edit { edit: e };
    let cases = [
        (
            edit(TicketEdit {
                subject: Some(" ".to_owned()),
                ..Default::default()
            }),
            "subject",
        ),
        (
            edit(TicketEdit {
                description: Some("<script>x()</script>".to_owned()),
                ..Default::default()
            }),
            "description",
        ),
        (
            edit(TicketEdit {
                contact_phone: Some(Some("0".repeat(101))),
                ..Default::default()
            }),
            "contact_phone",
        ),
    ];
    for (command, field) in cases {
        expect_one(&w, Who::Supervisor, &ticket, &command, validation(field));
    }
}

#[test]
fn a_ticket_moves_only_to_an_active_category_of_its_own_tenant() {
    let w = World::new();
    let ticket = w.ticket(Status::InProgress);
    let to = |c: &Category| Command::MoveCategory {
        category: c.clone(),
        group: c.group,
    };
    expect_one(
        &w,
        Who::Supervisor,
        &ticket,
        &to(&w.foreign_category),
        Outcome::Refused(Refusal::TenantMismatch(Entity::Category)),
    );
    expect_one(
        &w,
        Who::Supervisor,
        &ticket,
        &to(&w.retired_category),
        validation("category"),
    );
    expect_one(
        &w,
        Who::Supervisor,
        &ticket,
        &to(&w.category),
        Outcome::Accepted {
            to: Status::InProgress,
            events: vec![],
        },
    );
}

// ---------------------------------------------------------------------------------------
// reassign requester | any | unchanged | tenant admin, to an active member of the same
// tenant
// ---------------------------------------------------------------------------------------

#[test]
fn tenant_admins_and_platform_admins_reassign_the_requester_in_any_state() {
    let w = World::new();
    let command = Command::ReassignRequester {
        to: w.colleague.clone(),
    };
    play_row(
        &w,
        &w.tenant.settings,
        |s| w.ticket(s),
        &command,
        |role, s| match role {
            Role::Admin | Role::Platform => stays("requester_reassigned", s),
            Role::Onlooker => refused(Forbidden::ReadOnly),
            _ => refused(Forbidden::RoleRequired),
        },
    );
    let reassigned = accepted(&w, Who::TenantAdmin, &w.ticket(Status::Closed), &command);
    assert_eq!(reassigned.requester, w.colleague.id);
}

#[test]
fn the_requester_goes_only_to_an_active_member_of_the_same_tenant() {
    let w = World::new();
    let ticket = w.ticket(Status::InProgress);
    let to = |m: &Member| Command::ReassignRequester { to: m.clone() };
    expect_one(
        &w,
        Who::TenantAdmin,
        &ticket,
        &to(&w.blocked),
        validation("requester"),
    );
    expect_one(
        &w,
        Who::TenantAdmin,
        &ticket,
        &to(&w.outsider),
        Outcome::Refused(Refusal::TenantMismatch(Entity::Member)),
    );
    expect_one(
        &w,
        Who::TenantAdmin,
        &ticket,
        &to(&w.owner),
        Outcome::Accepted {
            to: Status::InProgress,
            events: vec![],
        },
    );
    // A guest who becomes the requester is no longer listed as a guest.
    let promoted = accepted(&w, Who::TenantAdmin, &ticket, &to(&w.guest));
    assert_eq!(promoted.requester, w.guest.id);
    assert!(!promoted.guests.contains(&w.guest.id));
}

// ---------------------------------------------------------------------------------------
// invite guest | open states | unchanged | requester, tenant admin, staff
// ---------------------------------------------------------------------------------------

#[test]
fn the_requester_a_tenant_admin_or_staff_invite_a_guest_while_open() {
    let w = World::new();
    let command = Command::InviteGuest {
        guest: w.colleague.clone(),
    };
    play_row(
        &w,
        &w.tenant.settings,
        |s| w.ticket(s),
        &command,
        |role, s| match role {
            Role::Onlooker => refused(Forbidden::ReadOnly),
            Role::Guest => refused(Forbidden::NotTheRequester),
            Role::System => refused(Forbidden::RoleRequired),
            _ if !s.is_open() => invalid(),
            _ => stays("guest_invited", s),
        },
    );
    let invited = accepted(&w, Who::Owner, &w.ticket(Status::New), &command);
    assert!(invited.guests.contains(&w.colleague.id));
}

#[test]
fn only_active_members_of_the_tenant_other_than_the_requester_are_invited() {
    let w = World::new();
    let ticket = w.ticket(Status::InProgress);
    let invite = |m: &Member| Command::InviteGuest { guest: m.clone() };
    expect_one(
        &w,
        Who::Owner,
        &ticket,
        &invite(&w.owner),
        validation("guest"),
    );
    let mut fresh = w.ticket(Status::InProgress);
    fresh.guests.clear();
    expect_one(
        &w,
        Who::Owner,
        &fresh,
        &invite(&w.blocked),
        validation("guest"),
    );
    expect_one(
        &w,
        Who::Owner,
        &ticket,
        &invite(&w.outsider),
        Outcome::Refused(Refusal::TenantMismatch(Entity::Member)),
    );
    expect_one(
        &w,
        Who::Owner,
        &ticket,
        &invite(&w.guest),
        Outcome::Accepted {
            to: Status::InProgress,
            events: vec![],
        },
    );
}

// ---------------------------------------------------------------------------------------
// Who sees what, as the rules apply it.
// ---------------------------------------------------------------------------------------

#[test]
fn a_blocked_member_is_refused_even_on_their_own_ticket() {
    let w = World::new();
    let mut ticket = w.ticket(Status::InProgress);
    ticket.requester = w.blocked.id;
    for command in [
        Command::Reply { body: text("hi") },
        Command::Cancel { reason: None },
        Command::Edit {
            edit: TicketEdit {
                priority: Some(Priority::Low),
                ..Default::default()
            },
        },
    ] {
        expect_one(
            &w,
            Who::Blocked,
            &ticket,
            &command,
            refused(Forbidden::AccountBlocked),
        );
    }
    let err = open(&w.actor(Who::Blocked), &draft(), w.opening(&w.blocked)).unwrap_err();
    assert!(matches!(err, Error::Forbidden(Forbidden::AccountBlocked)));
}

#[test]
fn agents_of_another_group_see_unrouted_tickets_and_those_assigned_to_them() {
    let w = World::new();
    let reply = Command::Reply {
        body: text("On it"),
    };
    let routed = w.ticket(Status::InProgress);
    expect_one(
        &w,
        Who::OtherGroupAgent,
        &routed,
        &reply,
        Outcome::Refused(Refusal::NotFound(Entity::Ticket)),
    );
    let mut unrouted = routed.clone();
    unrouted.group = None;
    expect_one(
        &w,
        Who::OtherGroupAgent,
        &unrouted,
        &reply,
        stays("replied", Status::InProgress),
    );
    let mut theirs = routed;
    theirs.assignee = Some(w.other_agent.id);
    expect_one(
        &w,
        Who::OtherGroupAgent,
        &theirs,
        &reply,
        stays("replied", Status::InProgress),
    );
}

#[test]
fn a_ticket_of_another_tenant_answers_not_found_to_every_command() {
    let w = World::new();
    let mut foreign = w.ticket(Status::InProgress);
    foreign.tenant = w.other_tenant.id;
    let commands = [
        Command::Reply { body: text("x") },
        Command::AddNote { body: text("x") },
        Command::ApproveClosure {
            answers: valid_answers(),
        },
        Command::Cancel { reason: None },
        Command::ReassignRequester {
            to: w.colleague.clone(),
        },
    ];
    for command in commands {
        for who in [
            Who::Owner,
            Who::TenantAdmin,
            Who::GroupAgent,
            Who::Supervisor,
        ] {
            expect_one(
                &w,
                who,
                &foreign,
                &command,
                Outcome::Refused(Refusal::NotFound(Entity::Ticket)),
            );
        }
    }
}

#[test]
fn decide_and_execute_agree_and_decide_alone_changes_nothing() {
    let w = World::new();
    let ticket = w.ticket(Status::WaitingOnRequester);
    let command = Command::Reply {
        body: text("Done, see attached"),
    };
    let before = ticket.clone();
    let events = decide(
        &ticket,
        &w.actor(Who::Owner),
        &command,
        w.ctx(&w.tenant.settings),
    )
    .unwrap();
    assert_eq!(ticket, before);
    let (next, executed) = execute(
        &ticket,
        &w.actor(Who::Owner),
        &command,
        w.ctx(&w.tenant.settings),
    )
    .unwrap();
    assert_eq!(kinds(&events), kinds(&executed));
    let mut replayed = ticket.clone();
    for e in &executed {
        replayed.apply(e);
    }
    replayed.version += 1;
    // A reply is public: requesters and guests observe the change too.
    replayed.public_version += 1;
    replayed.public_updated_at = replayed.updated_at;
    assert_eq!(replayed, next);
}

#[test]
fn an_internal_note_moves_the_version_staff_see_and_not_the_one_requesters_see() {
    let w = World::new();
    let ticket = w.ticket(Status::InProgress);
    let (next, events) = execute(
        &ticket,
        &w.actor(Who::GroupAgent),
        &Command::AddNote {
            body: text("Internal: check the licence server"),
        },
        w.ctx(&w.tenant.settings),
    )
    .unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(next.version, ticket.version + 1);
    assert_eq!(next.updated_at, w.now);
    assert_eq!(next.public_version, ticket.public_version);
    assert_eq!(next.public_updated_at, ticket.public_updated_at);
    let seen = next.clone().public_face();
    assert_eq!(seen.version, ticket.clone().public_face().version);
    assert_eq!(seen.updated_at, ticket.public_face().updated_at);
}
