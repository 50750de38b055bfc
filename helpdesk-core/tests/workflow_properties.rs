//! Property tests of the workflow as the service runs it: random sequences of commands by
//! random actors (every role, other tenants, guests, a blocked member, an inactive agent,
//! the system) on random tickets, over the in-memory store and a manual clock. After
//! every step the invariants of DESIGN.md are checked against the store itself.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use helpdesk_core::memory::MemoryStore;
use helpdesk_core::permissions::observed_by;
use helpdesk_core::{
    Actor, Answer, Answers, CategoryId, Closure, ClosureMode, Entity, Error, EventKind, Forbidden,
    GroupId, HelpdeskService, ManualClock, Member, MemberDetails, MemberRole, NewTicket,
    PageRequest, Priority, RequesterVisibility, Scope, SearchCriteria, SearchQuery, Staff,
    StaffChanges, StaffDetails, StaffRole, Status, Tenant, TenantId, TenantScope, TenantSettings,
    Ticket, TicketEdit, TicketId, TicketRepository, TicketState, TimelineEvent, UserId, Visibility,
    Window,
};

/// Words for generated public texts (subjects, replies, messages, answers).
const WORDS: [&str; 6] = ["printer", "invoice", "export", "login", "network", "update"];
/// A word that only ever appears in internal notes.
const SECRET: &str = "zebranote";

const ACTIVE: [Status; 3] = [Status::New, Status::InProgress, Status::WaitingOnRequester];

// ---------------------------------------------------------------------------------------
// What the generator produces: plain data, so that shrinking works.
// ---------------------------------------------------------------------------------------

#[derive(Clone, Debug)]
enum Text {
    Words(Vec<usize>),
    Blank,
}

#[derive(Clone, Debug)]
enum AnswerPick {
    Valid { score: u8, comment: Option<usize> },
    MissingOverall,
    OutOfRange(u8),
    UnknownQuestion,
}

#[derive(Clone, Debug)]
enum Op {
    Open {
        tenant: usize,
        requester: Option<usize>,
        category: Option<usize>,
        subject: Text,
    },
    Assign {
        assignee: Option<usize>,
        group: Option<usize>,
    },
    Reply(Text),
    Note(Text),
    RequestInformation(Text),
    ProposeClosure(Text),
    Approve(AnswerPick),
    Refuse(Text),
    AutoApproveDue,
    Cancel,
    Reopen,
    Edit {
        subject: Option<Text>,
        priority: Option<Priority>,
        asset: Option<Option<usize>>,
    },
    MoveCategory(usize),
    ReassignRequester(usize),
    InviteGuest(usize),
}

/// Who runs the step: whoever would naturally run this command (the requester for the
/// requester's commands, a handler for staff commands), the ticket's current requester,
/// one of the active staff who can see it (taken modulo their number), or one of the
/// fixed actors.
#[derive(Clone, Debug)]
enum Pick {
    Natural(usize),
    Requester,
    Handler(usize),
    Actor(usize),
}

#[derive(Clone, Copy, Debug)]
enum VersionPick {
    Unchecked,
    Current,
    Stale,
}

#[derive(Clone, Copy, Debug)]
enum Advance {
    Not,
    Minutes(u16),
    Days(u8),
}

#[derive(Clone, Debug)]
struct Step {
    who: Pick,
    /// Taken modulo the number of tickets; none is a ticket that does not exist.
    ticket: Option<usize>,
    version: VersionPick,
    op: Op,
    advance: Advance,
}

const ACTORS: usize = 13;
const MEMBERS: usize = 7;
const STAFF: usize = 5;
const CATEGORIES: usize = 5;

fn text() -> impl Strategy<Value = Text> {
    prop_oneof![
        6 => prop::collection::vec(0..WORDS.len(), 1..3).prop_map(Text::Words),
        1 => Just(Text::Blank),
    ]
}

fn answers() -> impl Strategy<Value = AnswerPick> {
    prop_oneof![
        6 => (0..=10u8, prop::option::of(0..WORDS.len()))
            .prop_map(|(score, comment)| AnswerPick::Valid { score, comment }),
        1 => Just(AnswerPick::MissingOverall),
        1 => (11..=60u8).prop_map(AnswerPick::OutOfRange),
        1 => Just(AnswerPick::UnknownQuestion),
    ]
}

fn priority() -> impl Strategy<Value = Priority> {
    prop::sample::select(Priority::ALL.to_vec())
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        1 => (0..2usize, prop::option::of(0..MEMBERS), prop::option::of(0..CATEGORIES), text())
            .prop_map(|(tenant, requester, category, subject)| Op::Open {
                tenant,
                requester,
                category,
                subject,
            }),
        3 => (prop::option::of(0..STAFF), prop::option::weighted(0.3, 0..2usize))
            .prop_map(|(assignee, group)| Op::Assign { assignee, group }),
        3 => text().prop_map(Op::Reply),
        2 => text().prop_map(Op::Note),
        3 => text().prop_map(Op::RequestInformation),
        4 => text().prop_map(Op::ProposeClosure),
        5 => answers().prop_map(Op::Approve),
        3 => text().prop_map(Op::Refuse),
        1 => Just(Op::AutoApproveDue),
        1 => Just(Op::Cancel),
        3 => Just(Op::Reopen),
        2 => (
            prop::option::of(text()),
            prop::option::of(priority()),
            prop::option::of(prop::option::of(0..WORDS.len())),
        )
            .prop_map(|(subject, priority, asset)| Op::Edit {
                subject,
                priority,
                asset,
            }),
        1 => (0..CATEGORIES).prop_map(Op::MoveCategory),
        1 => (0..MEMBERS).prop_map(Op::ReassignRequester),
        1 => (0..MEMBERS).prop_map(Op::InviteGuest),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    let who = prop_oneof![
        5 => (0..ACTORS).prop_map(Pick::Natural),
        1 => Just(Pick::Requester),
        1 => (0..ACTORS).prop_map(Pick::Handler),
        3 => (0..ACTORS).prop_map(Pick::Actor),
    ];
    // Most steps work on the first three tickets, so that they travel through the workflow.
    let ticket = prop_oneof![
        1 => Just(None),
        10 => (0..3usize).prop_map(Some),
        8 => (0..12usize).prop_map(Some),
    ];
    let version = prop_oneof![
        4 => Just(VersionPick::Unchecked),
        2 => Just(VersionPick::Current),
        1 => Just(VersionPick::Stale),
    ];
    let advance = prop_oneof![
        6 => Just(Advance::Not),
        2 => (1..600u16).prop_map(Advance::Minutes),
        1 => (1..4u8).prop_map(Advance::Days),
    ];
    (who, ticket, version, op(), advance).prop_map(|(who, ticket, version, op, advance)| Step {
        who,
        ticket,
        version,
        op,
        advance,
    })
}

// ---------------------------------------------------------------------------------------
// The world: two tenants, their members, staff in two groups, categories, tickets.
// ---------------------------------------------------------------------------------------

struct World {
    store: Arc<MemoryStore>,
    clock: Arc<ManualClock>,
    service: HelpdeskService,
    tenants: BTreeMap<TenantId, Tenant>,
    tenant_ids: [TenantId; 2],
    /// Index: 0 alice, 1 bob (vendor requesters), 2 carol (vendor admin), 3 dave (vendor,
    /// blocked), 4 erin, 5 frank (legal requesters), 6 grace (legal admin), 7 agent one
    /// (group one, both tenants), 8 agent two (group two, vendor), 9 supervisor (vendor),
    /// 10 platform admin, 11 the system, 12 an inactive agent (legal).
    actors: Vec<Actor>,
    /// The members, in the order of `actors`.
    members: Vec<Member>,
    /// Assignable (or not) staff: agent one, agent two, supervisor, platform admin,
    /// inactive agent.
    staff: Vec<Staff>,
    groups: Vec<GroupId>,
    /// Vendor: software (group one), hardware (group two), other (no group), retired;
    /// legal: courts (group one).
    categories: Vec<CategoryId>,
    /// Every ticket ever opened, in opening order.
    tickets: Vec<TicketId>,
}

fn uid(name: &str) -> UserId {
    UserId::new(name).unwrap()
}

fn render(text: &Text) -> String {
    match text {
        Text::Words(words) => {
            let words: Vec<&str> = words.iter().map(|w| WORDS[*w]).collect();
            format!("<p>{}</p>", words.join(" "))
        }
        Text::Blank => "<p>  </p><script>alert(1)</script>".to_owned(),
    }
}

fn plain(text: &Text) -> String {
    match text {
        Text::Words(words) => words
            .iter()
            .map(|w| WORDS[*w])
            .collect::<Vec<_>>()
            .join(" "),
        Text::Blank => "   ".to_owned(),
    }
}

impl World {
    async fn new() -> Result<Self, Error> {
        let store = Arc::new(MemoryStore::new());
        let clock = Arc::new(ManualClock::new(
            Utc.with_ymd_and_hms(2025, 1, 6, 8, 0, 0).unwrap(),
        ));
        let service = HelpdeskService::new(store.clone()).with_clock(clock.clone());
        let root = service
            .bootstrap_platform_admin(&uid("root"), "Root")
            .await?;
        let vendor = service.create_tenant(&root, "vendor", "Vendor").await?;
        let legal = service.create_tenant(&root, "legal", "Legal aid").await?;
        let vendor = service
            .update_tenant(
                &root,
                vendor.id,
                "Vendor",
                TenantSettings {
                    requester_visibility: RequesterVisibility::WholeTenantReadOnly,
                    approval_window: Window::days(3),
                    reopen_window: Window::days(2),
                    archive_delay: Window::days(4),
                    ..Default::default()
                },
            )
            .await?;
        let legal = service
            .update_tenant(
                &root,
                legal.id,
                "Legal aid",
                TenantSettings {
                    closure_mode: ClosureMode::Direct,
                    approval_window: Window::days(1),
                    reopen_window: Window::days(3),
                    archive_delay: Window::days(4),
                    ..Default::default()
                },
            )
            .await?;

        let member = async |tenant: TenantId, name: &str, role: MemberRole| {
            service
                .add_member(
                    &root,
                    tenant,
                    MemberDetails {
                        user: &uid(name),
                        display_name: name,
                        email: Some(&format!("{name}@example.org")),
                        role,
                    },
                )
                .await
        };
        let alice = member(vendor.id, "alice", MemberRole::Requester).await?;
        let bob = member(vendor.id, "bob", MemberRole::Requester).await?;
        let carol = member(vendor.id, "carol", MemberRole::TenantAdmin).await?;
        let dave = member(vendor.id, "dave", MemberRole::Requester).await?;
        let erin = member(legal.id, "erin", MemberRole::Requester).await?;
        let frank = member(legal.id, "frank", MemberRole::Requester).await?;
        let grace = member(legal.id, "grace", MemberRole::TenantAdmin).await?;
        let dave = service
            .set_member_blocked(&Actor::Member(carol.clone()), vendor.id, dave.id, true)
            .await?;

        let g1 = service.create_group(&root, "Software").await?.id;
        let g2 = service.create_group(&root, "Hardware").await?.id;
        let staff = async |name: &str, role, tenants, groups: Vec<GroupId>, active| {
            let s = service
                .add_staff(
                    &root,
                    StaffDetails {
                        user: &uid(name),
                        display_name: name,
                        email: None,
                        role,
                        tenants,
                        groups,
                    },
                )
                .await?;
            service
                .update_staff(
                    &root,
                    s.id,
                    StaffChanges {
                        active: Some(active),
                        ..Default::default()
                    },
                )
                .await
        };
        let both = TenantScope::Only(vec![vendor.id, legal.id]);
        let agent1 = staff("agent-one", StaffRole::Agent, both, vec![g1], true).await?;
        let only_vendor = TenantScope::Only(vec![vendor.id]);
        let agent2 = staff("agent-two", StaffRole::Agent, only_vendor, vec![g2], true).await?;
        let only_vendor = TenantScope::Only(vec![vendor.id]);
        let supervisor = staff("super", StaffRole::Supervisor, only_vendor, vec![], true).await?;
        let only_legal = TenantScope::Only(vec![legal.id]);
        let inactive = staff("gone", StaffRole::Agent, only_legal, vec![g1], false).await?;
        let Actor::Staff(platform) = root.clone() else {
            unreachable!("bootstrap returns staff")
        };

        let software = service
            .create_category(&root, vendor.id, None, "Software", Some(g1))
            .await?;
        let hardware = service
            .create_category(&root, vendor.id, None, "Hardware", Some(g2))
            .await?;
        let other = service
            .create_category(&root, vendor.id, None, "Other", None)
            .await?;
        let retired = service
            .create_category(&root, vendor.id, None, "Retired", Some(g2))
            .await?;
        service
            .update_category(
                &root,
                helpdesk_core::Category {
                    active: false,
                    ..retired.clone()
                },
            )
            .await?;
        let courts = service
            .create_category(&root, legal.id, None, "Courts", Some(g1))
            .await?;

        let members = vec![alice, bob, carol, dave, erin, frank, grace];
        let mut actors: Vec<Actor> = members.iter().cloned().map(Actor::Member).collect();
        actors.extend([
            Actor::Staff(agent1.clone()),
            Actor::Staff(agent2.clone()),
            Actor::Staff(supervisor.clone()),
            root.clone(),
            Actor::System,
            Actor::Staff(inactive.clone()),
        ]);
        let mut world = Self {
            tenant_ids: [vendor.id, legal.id],
            tenants: BTreeMap::from([(vendor.id, vendor), (legal.id, legal)]),
            store,
            clock,
            service,
            actors,
            members,
            staff: vec![agent1, agent2, supervisor, platform, inactive],
            groups: vec![g1, g2],
            categories: vec![software.id, hardware.id, other.id, retired.id, courts.id],
            tickets: vec![],
        };
        // The first three get most of the steps: vendor, legal, vendor.
        for (who, tenant, category, subject) in [
            (0, 0, Some(0), "printer jammed"),
            (4, 1, Some(4), "network down"),
            (1, 0, Some(1), "invoice export"),
            (0, 0, None, "login loop"),
            (5, 1, None, "update failed"),
        ] {
            let ticket = world
                .service
                .open(
                    &world.actors[who],
                    world.tenant_ids[tenant],
                    NewTicket {
                        subject: subject.to_owned(),
                        description: format!("<p>{subject}</p>"),
                        category: category.map(|c: usize| world.categories[c]),
                        ..Default::default()
                    },
                    vec![],
                )
                .await?;
            world.tickets.push(ticket.id);
        }
        Ok(world)
    }

    fn settings(&self, tenant: TenantId) -> &TenantSettings {
        &self.tenants[&tenant].settings
    }

    /// The scope of `actor` by the one definition of "may see".
    fn scope(&self, actor: &Actor) -> Scope {
        let policy = match actor {
            Actor::Member(m) => self.settings(m.tenant).requester_visibility,
            _ => RequesterVisibility::default(),
        };
        Scope::of(actor, policy)
    }

    /// Everything the store holds about tickets: each ticket with its timeline, and the
    /// outbox length.
    async fn snapshot(&self) -> Snapshot {
        let page = self
            .store
            .search(&SearchQuery {
                scope: Scope::Everything,
                criteria: everything(),
                page: PageRequest {
                    limit: 200,
                    after: None,
                },
                now: self.clock_now(),
                count: helpdesk_core::Count::default(),
            })
            .await
            .unwrap();
        assert!(page.next.is_none(), "more tickets than one page holds");
        let mut tickets = BTreeMap::new();
        for t in page.tickets {
            let timeline = self.store.timeline(t.id).await.unwrap();
            tickets.insert(t.id, (t, timeline));
        }
        Snapshot {
            tickets,
            outbox: self.store.outbox_len(),
        }
    }

    fn clock_now(&self) -> DateTime<Utc> {
        self.service.now()
    }
}

fn everything() -> SearchCriteria {
    SearchCriteria {
        include_closed: true,
        include_archived: true,
        ..Default::default()
    }
}

#[derive(Clone, Debug, PartialEq)]
struct Snapshot {
    tickets: BTreeMap<TicketId, (Ticket, Vec<TimelineEvent>)>,
    outbox: usize,
}

/// What an accepted step returned.
enum Done {
    Ticket(Ticket),
    Opened(Ticket),
    AutoApproved(usize),
}

// ---------------------------------------------------------------------------------------
// Running one step.
// ---------------------------------------------------------------------------------------

impl World {
    async fn run(
        &self,
        actor: &Actor,
        target: TicketId,
        version: Option<u64>,
        op: &Op,
    ) -> Result<Done, Error> {
        let s = &self.service;
        let done = match op {
            Op::Open {
                tenant,
                requester,
                category,
                subject,
            } => {
                let draft = NewTicket {
                    subject: plain(subject),
                    description: "<p>printer update</p>".to_owned(),
                    category: category.map(|c| self.categories[c]),
                    requester: requester.map(|r| self.members[r].id),
                    ..Default::default()
                };
                let opened = s
                    .open(actor, self.tenant_ids[*tenant], draft, vec![])
                    .await?;
                return Ok(Done::Opened(opened));
            }
            Op::AutoApproveDue => {
                return s.auto_approve_due_closures().await.map(Done::AutoApproved);
            }
            Op::Assign { assignee, group } => {
                let assignee = assignee.map(|a| self.staff[a].id);
                let group = group.map(|g| self.groups[g]);
                s.assign(actor, target, version, assignee, group).await?
            }
            Op::Reply(t) => s.reply(actor, target, version, &render(t), vec![]).await?,
            Op::Note(t) => {
                let body = match t {
                    Text::Words(_) => format!("<p>{SECRET}</p>{}", render(t)),
                    Text::Blank => render(t),
                };
                s.add_note(actor, target, version, &body, vec![]).await?
            }
            Op::RequestInformation(t) => {
                s.request_information(actor, target, version, &render(t))
                    .await?
            }
            Op::ProposeClosure(t) => {
                s.propose_closure(actor, target, version, &render(t))
                    .await?
            }
            Op::Approve(pick) => {
                let mut answers = Answers::new();
                match pick {
                    AnswerPick::Valid { score, comment } => {
                        answers.insert("overall".into(), Answer::Score(*score));
                        if let Some(c) = comment {
                            answers.insert("comment".into(), Answer::Text(WORDS[*c].into()));
                        }
                    }
                    AnswerPick::MissingOverall => {
                        answers.insert("human".into(), Answer::Text("satisfied".into()));
                    }
                    AnswerPick::OutOfRange(score) => {
                        answers.insert("overall".into(), Answer::Score(*score));
                    }
                    AnswerPick::UnknownQuestion => {
                        answers.insert("overall".into(), Answer::Score(7));
                        answers.insert("mood".into(), Answer::Score(1));
                    }
                }
                s.approve_closure(actor, target, version, answers).await?
            }
            Op::Refuse(t) => s.refuse_closure(actor, target, version, &render(t)).await?,
            Op::Cancel => {
                s.cancel(actor, target, version, Some("<p>export</p>"))
                    .await?
            }
            Op::Reopen => s.reopen(actor, target, version, None).await?,
            Op::Edit {
                subject,
                priority,
                asset,
            } => {
                let edit = TicketEdit {
                    subject: subject.as_ref().map(plain),
                    priority: *priority,
                    asset: asset.map(|a| a.map(|w| WORDS[w].to_owned())),
                    ..Default::default()
                };
                s.edit(actor, target, version, edit).await?
            }
            Op::MoveCategory(c) => {
                s.move_category(actor, target, version, self.categories[*c])
                    .await?
            }
            Op::ReassignRequester(m) => {
                s.reassign_requester(actor, target, version, self.members[*m].id)
                    .await?
            }
            Op::InviteGuest(m) => {
                s.invite_guest(actor, target, version, self.members[*m].id)
                    .await?
            }
        };
        Ok(Done::Ticket(done))
    }
}

impl World {
    /// The actor a pick designates for `op` on `ticket`.
    fn resolve(&self, pick: &Pick, op: &Op, ticket: Option<&Ticket>) -> Actor {
        let Some(t) = ticket else {
            return match pick {
                Pick::Actor(i) => self.actors[*i].clone(),
                _ => self.actors[10].clone(),
            };
        };
        let requester = || {
            self.actors
                .iter()
                .find(|a| matches!(a, Actor::Member(m) if m.id == t.requester))
                .cloned()
                .unwrap()
        };
        let handler = |i: usize| {
            let handlers: Vec<&Actor> = self
                .actors
                .iter()
                .filter(|a| a.is_staff() && is_active(a) && self.scope(a).admits(t))
                .collect();
            handlers[i % handlers.len()].clone()
        };
        match pick {
            Pick::Natural(i) => match op {
                Op::Assign { .. }
                | Op::Note(_)
                | Op::RequestInformation(_)
                | Op::ProposeClosure(_)
                | Op::MoveCategory(_) => handler(*i),
                Op::ReassignRequester(_) => {
                    self.actors[if t.tenant == self.tenant_ids[0] { 2 } else { 6 }].clone()
                }
                Op::Reply(_) if i % 2 == 1 => handler(*i),
                Op::Edit { .. } | Op::Reopen if i % 3 == 1 => handler(*i),
                _ => requester(),
            },
            Pick::Requester => requester(),
            Pick::Handler(i) => handler(*i),
            Pick::Actor(i) => self.actors[*i].clone(),
        }
    }
}

/// Whether the input itself is invalid (blank texts, an edit naming no field): refused
/// once the ticket is found and the rules do not refuse the command outright.
fn refused_upfront(op: &Op) -> bool {
    match op {
        Op::Reply(t)
        | Op::Note(t)
        | Op::RequestInformation(t)
        | Op::ProposeClosure(t)
        | Op::Refuse(t) => matches!(t, Text::Blank),
        Op::Edit {
            subject,
            priority,
            asset,
        } => subject.is_none() && priority.is_none() && asset.is_none(),
        _ => false,
    }
}

/// The event kind a ticket command appends.
fn kind_of(op: &Op, mode: ClosureMode) -> &'static str {
    match op {
        Op::Assign { .. } => "assigned",
        Op::Reply(_) => "replied",
        Op::Note(_) => "note_added",
        Op::RequestInformation(_) => "information_requested",
        Op::ProposeClosure(_) if mode == ClosureMode::Direct => "closed_directly",
        Op::ProposeClosure(_) => "closure_proposed",
        Op::Approve(_) => "closure_approved",
        Op::Refuse(_) => "closure_refused",
        Op::Cancel => "cancelled",
        Op::Reopen => "reopened",
        Op::Edit { .. } => "field_edited",
        Op::MoveCategory(_) => "category_moved",
        Op::ReassignRequester(_) => "requester_reassigned",
        Op::InviteGuest(_) => "guest_invited",
        Op::Open { .. } => "opened",
        Op::AutoApproveDue => "closure_auto_approved",
    }
}

/// The rules table's transitions, by the kind of event that records them.
fn allowed_transition(kind: &str, from: Status, to: Status) -> bool {
    match kind {
        "assigned" => from == Status::New && to == Status::InProgress,
        "replied" => from == Status::WaitingOnRequester && to == Status::InProgress,
        "information_requested" => {
            matches!(from, Status::New | Status::InProgress) && to == Status::WaitingOnRequester
        }
        "closure_proposed" => ACTIVE.contains(&from) && to == Status::PendingClosure,
        "closed_directly" => ACTIVE.contains(&from) && to == Status::Closed,
        "closure_approved" | "closure_auto_approved" => {
            from == Status::PendingClosure && to == Status::Closed
        }
        "closure_refused" => from == Status::PendingClosure && to == Status::InProgress,
        "cancelled" => ACTIVE.contains(&from) && to == Status::Cancelled,
        "reopened" => from == Status::Closed && to == Status::InProgress,
        _ => false,
    }
}

/// Kinds that always move the ticket.
fn always_moves(kind: &str) -> bool {
    !matches!(
        kind,
        "opened"
            | "assigned"
            | "replied"
            | "note_added"
            | "field_edited"
            | "category_moved"
            | "requester_reassigned"
            | "guest_invited"
    )
}

fn is_active(actor: &Actor) -> bool {
    match actor {
        Actor::Member(m) => !m.blocked,
        Actor::Staff(s) => s.active,
        Actor::System => true,
    }
}

/// The requester's side: the requester themself or a tenant admin of the ticket's tenant.
fn speaks_for_requester(actor: &Actor, t: &Ticket) -> bool {
    match actor {
        Actor::Member(m) => {
            m.tenant == t.tenant && (m.id == t.requester || m.role == MemberRole::TenantAdmin)
        }
        _ => false,
    }
}

fn is_guest(actor: &Actor, t: &Ticket) -> bool {
    matches!(actor, Actor::Member(m) if t.guests.contains(&m.id))
}

/// "Who sees what", restated from DESIGN.md independently of [`Scope`]: requesters their
/// own tickets and those they are invited to (every ticket of their tenant when it allows
/// that), tenant admins their tenant, agents the tickets of their tenants routed to one
/// of their groups, to no group yet, or assigned to them, supervisors every ticket of their
/// tenants, platform admins and the system everything; blocked or inactive accounts
/// nothing.
fn design_may_see(actor: &Actor, t: &Ticket, policy: RequesterVisibility) -> bool {
    match actor {
        Actor::System => true,
        Actor::Staff(s) if !s.active => false,
        Actor::Staff(s) => match s.role {
            StaffRole::PlatformAdmin => true,
            StaffRole::Supervisor => s.tenants.includes(t.tenant),
            StaffRole::Agent => {
                s.tenants.includes(t.tenant)
                    && (t.assignee == Some(s.id)
                        || t.group.is_none()
                        || t.group.is_some_and(|g| s.groups.contains(&g)))
            }
        },
        Actor::Member(m) if m.blocked => false,
        Actor::Member(m) => {
            m.tenant == t.tenant
                && (m.role == MemberRole::TenantAdmin
                    || t.requester == m.id
                    || t.guests.contains(&m.id)
                    || policy == RequesterVisibility::WholeTenantReadOnly)
        }
    }
}

fn staff_role(actor: &Actor) -> Option<StaffRole> {
    actor.as_staff().map(|s| s.role)
}

// ---------------------------------------------------------------------------------------
// The checks.
// ---------------------------------------------------------------------------------------

impl World {
    /// Runs `steps`, checking every invariant after each one.
    async fn play(&mut self, steps: &[Step]) -> Result<(), TestCaseError> {
        self.check_visibility_everywhere().await?;
        for (n, step) in steps.iter().enumerate() {
            self.play_step(step)
                .await
                .map_err(|e| TestCaseError::fail(format!("step {n} {step:?}: {e}")))?;
        }
        self.check_visibility_everywhere().await
    }

    /// Plays one step and checks everything; answers the refusal, if it was refused.
    async fn play_step(&mut self, step: &Step) -> Result<Option<Error>, TestCaseError> {
        match step.advance {
            Advance::Not => {}
            Advance::Minutes(m) => self.clock.advance(Duration::minutes(i64::from(m))),
            Advance::Days(d) => self.clock.advance(Duration::days(i64::from(d))),
        }
        let before = self.snapshot().await;
        let target = match step.ticket {
            Some(i) => self.tickets[i % self.tickets.len()],
            None => TicketId::new(),
        };
        let current = before.tickets.get(&target).map(|(t, _)| t.clone());
        let actor = self.resolve(&step.who, &step.op, current.as_ref());
        // The version the actor observes: requesters and guests never see notes move it.
        let version = match (step.version, &current) {
            (VersionPick::Current, Some(t)) => Some(observed_by(&actor, t.clone()).version),
            (VersionPick::Stale, Some(t)) => Some(observed_by(&actor, t.clone()).version + 1),
            _ => None,
        };
        let result = self.run(&actor, target, version, &step.op).await;
        let after = self.snapshot().await;
        let now = self.clock_now();

        let refusal = match result {
            Err(err) => {
                prop_assert_eq!(&before, &after, "refused ({:?}) yet something changed", err);
                self.check_refusal(&actor, &step.op, current.as_ref(), version, &err)?;
                Some(err)
            }
            Ok(Done::Opened(ticket)) => {
                self.check_opened(&actor, &step.op, &before, &after, &ticket, now)?;
                self.tickets.push(ticket.id);
                None
            }
            Ok(Done::AutoApproved(count)) => {
                self.check_auto_approved(&before, &after, count, now)?;
                None
            }
            Ok(Done::Ticket(returned)) => {
                let Some(before_ticket) = current.clone() else {
                    return Err(TestCaseError::fail("a missing ticket accepted a command"));
                };
                self.check_accepted(
                    &actor,
                    &step.op,
                    &before,
                    &after,
                    &before_ticket,
                    &returned,
                    now,
                )?;
                None
            }
        };
        if matches!(
            &step.op,
            Op::Reply(_) | Op::Edit { .. } | Op::MoveCategory(_)
        ) && let Some(t) = &current
            && !t.status().is_open()
        {
            prop_assert_eq!(
                &before,
                &after,
                "a {} ticket accepted a reply or an edit",
                t.status()
            );
        }

        self.check_timelines(&after)?;
        self.check_numbers(&after)?;
        self.check_search_visibility(&after).await?;
        if after.tickets.contains_key(&target) {
            self.check_ticket_visibility(&after, target).await?;
        }
        Ok(refusal)
    }

    /// A refusal is typed: a blocked actor hears so first, a ticket the actor may not see
    /// answers as missing, and a clearly valid command by someone entitled is not refused.
    fn check_refusal(
        &self,
        actor: &Actor,
        op: &Op,
        current: Option<&Ticket>,
        version: Option<u64>,
        err: &Error,
    ) -> Result<(), TestCaseError> {
        if matches!(op, Op::AutoApproveDue) {
            return Err(TestCaseError::fail(format!(
                "auto-approval failed: {err:?}"
            )));
        }
        if matches!(op, Op::Open { .. }) {
            if !is_active(actor) {
                prop_assert!(
                    matches!(err, Error::Forbidden(Forbidden::AccountBlocked)),
                    "{:?}",
                    err
                );
            }
            return Ok(());
        }
        if !is_active(actor) {
            prop_assert!(
                matches!(err, Error::Forbidden(Forbidden::AccountBlocked)),
                "{:?}",
                err
            );
            return Ok(());
        }
        let visible = current.filter(|t| self.scope(actor).admits(t));
        let Some(t) = visible else {
            prop_assert!(
                matches!(err, Error::NotFound(Entity::Ticket)),
                "hidden or missing ticket answered {:?}",
                err
            );
            return Ok(());
        };
        // Refusals no input would avoid (forbidden, wrong state) come before the version
        // check and before the input is validated.
        let outright = matches!(err, Error::Forbidden(_) | Error::InvalidTransition { .. });
        if version.is_some_and(|v| v != observed_by(actor, t.clone()).version) {
            prop_assert!(
                outright || matches!(err, Error::VersionConflict { .. }),
                "{:?}",
                err
            );
            return Ok(());
        }
        if refused_upfront(op) {
            prop_assert!(outright || matches!(err, Error::Validation(_)), "{:?}", err);
            return Ok(());
        }
        // Some commands that the rules must accept.
        let staff = actor.is_staff();
        let must_accept = match op {
            Op::Note(_) => staff,
            Op::Reply(_) => t.status().is_open() && (staff || speaks_for_requester(actor, t)),
            Op::ProposeClosure(_) => staff && ACTIVE.contains(&t.status()),
            Op::RequestInformation(_) => {
                staff && matches!(t.status(), Status::New | Status::InProgress)
            }
            Op::Approve(AnswerPick::Valid { .. }) => {
                speaks_for_requester(actor, t) && t.status() == Status::PendingClosure
            }
            Op::Refuse(_) => speaks_for_requester(actor, t) && t.status() == Status::PendingClosure,
            Op::Cancel => {
                (speaks_for_requester(actor, t)
                    || matches!(
                        staff_role(actor),
                        Some(StaffRole::Supervisor | StaffRole::PlatformAdmin)
                    ))
                    && ACTIVE.contains(&t.status())
            }
            Op::Reopen => staff && t.status() == Status::Closed,
            _ => false,
        };
        prop_assert!(!must_accept, "a valid command was refused: {:?}", err);
        Ok(())
    }

    fn check_opened(
        &self,
        actor: &Actor,
        op: &Op,
        before: &Snapshot,
        after: &Snapshot,
        ticket: &Ticket,
        now: DateTime<Utc>,
    ) -> Result<(), TestCaseError> {
        let Op::Open {
            tenant, requester, ..
        } = op
        else {
            return Err(TestCaseError::fail("opened by another command"));
        };
        let tenant = self.tenant_ids[*tenant];
        // Who may open, for whom.
        prop_assert!(is_active(actor));
        match actor {
            Actor::Member(m) => {
                prop_assert_eq!(m.tenant, tenant, "a member opened in another tenant");
                if m.role == MemberRole::Requester {
                    prop_assert_eq!(
                        ticket.requester,
                        m.id,
                        "a requester opened for someone else"
                    );
                }
            }
            Actor::Staff(s) => {
                prop_assert!(
                    s.serves(tenant),
                    "staff opened in a tenant they do not serve"
                );
                prop_assert!(requester.is_some());
            }
            Actor::System => prop_assert!(requester.is_some()),
        }
        let owner = self
            .members
            .iter()
            .find(|m| m.id == ticket.requester)
            .unwrap();
        prop_assert!(!owner.blocked && owner.tenant == tenant);
        // Exactly one new ticket, nothing else touched.
        let new: Vec<_> = after
            .tickets
            .keys()
            .filter(|id| !before.tickets.contains_key(id))
            .collect();
        prop_assert_eq!(new, vec![&ticket.id]);
        for (id, old) in &before.tickets {
            prop_assert_eq!(
                Some(old),
                after.tickets.get(id),
                "opening changed another ticket"
            );
        }
        let (stored, timeline) = &after.tickets[&ticket.id];
        prop_assert_eq!(stored, ticket);
        prop_assert_eq!(ticket.status(), Status::New);
        prop_assert_eq!(ticket.version, 1);
        prop_assert_eq!(ticket.tenant, tenant);
        prop_assert_eq!(timeline.len(), 1);
        prop_assert_eq!(&timeline[0].kind, &EventKind::Opened);
        prop_assert_eq!(timeline[0].status_change, None);
        prop_assert_eq!(timeline[0].author, actor.reference());
        prop_assert_eq!(timeline[0].at, now);
        prop_assert!(after.outbox <= before.outbox + 1);
        // The next number of its tenant.
        let last = before
            .tickets
            .values()
            .filter(|(t, _)| t.tenant == tenant)
            .map(|(t, _)| t.number.get())
            .max()
            .unwrap_or(0);
        prop_assert_eq!(ticket.number.get(), last + 1);
        Ok(())
    }

    fn check_auto_approved(
        &self,
        before: &Snapshot,
        after: &Snapshot,
        count: usize,
        now: DateTime<Utc>,
    ) -> Result<(), TestCaseError> {
        prop_assert_eq!(before.tickets.len(), after.tickets.len());
        let mut changed = 0;
        for (id, (old, old_timeline)) in &before.tickets {
            let (new, timeline) = &after.tickets[id];
            let window = self.settings(old.tenant).approval_window.duration();
            if let TicketState::PendingClosure { proposed_at, .. } = old.state
                && proposed_at + window <= now
            {
                changed += 1;
                prop_assert_eq!(
                    &new.state,
                    &TicketState::Closed {
                        closed_at: now,
                        closure: Closure::AutoApproved
                    }
                );
                prop_assert_eq!(new.version, old.version + 1);
                prop_assert_eq!(timeline.len(), old_timeline.len() + 1);
                prop_assert_eq!(&timeline[..old_timeline.len()], &old_timeline[..]);
                let event = &timeline[old_timeline.len()];
                prop_assert_eq!(&event.kind, &EventKind::ClosureAutoApproved);
                prop_assert_eq!(event.author, helpdesk_core::ActorRef::System);
            } else {
                prop_assert_eq!(old, new, "auto-approval touched a ticket not due");
                prop_assert_eq!(old_timeline, timeline);
            }
        }
        prop_assert_eq!(count, changed);
        if changed == 0 {
            prop_assert_eq!(before.outbox, after.outbox);
        }
        Ok(())
    }

    /// An accepted ticket command: only its ticket changes; its timeline grows by one event
    /// per change, of the command's kind, stamped with the actor and now; the version goes
    /// up by one iff events were appended; the only status change is a rules-table
    /// transition; and the actor was entitled to it.
    #[allow(clippy::too_many_arguments)]
    fn check_accepted(
        &self,
        actor: &Actor,
        op: &Op,
        before: &Snapshot,
        after: &Snapshot,
        old: &Ticket,
        returned: &Ticket,
        now: DateTime<Utc>,
    ) -> Result<(), TestCaseError> {
        prop_assert_eq!(before.tickets.len(), after.tickets.len());
        for (id, snap) in &before.tickets {
            if *id != old.id {
                prop_assert_eq!(Some(snap), after.tickets.get(id), "another ticket changed");
            }
        }
        let old_timeline = &before.tickets[&old.id].1;
        let (new, timeline) = &after.tickets[&old.id];
        prop_assert_eq!(
            &observed_by(actor, new.clone()),
            returned,
            "the service returned another ticket than it stored, or more than the actor \
             may observe"
        );
        prop_assert!(timeline.len() >= old_timeline.len());
        prop_assert_eq!(
            &timeline[..old_timeline.len()],
            &old_timeline[..],
            "history rewritten"
        );
        let appended = &timeline[old_timeline.len()..];

        if appended.is_empty() {
            prop_assert_eq!(new, old, "changed without an event");
            prop_assert_eq!(before.outbox, after.outbox);
        } else {
            prop_assert_eq!(
                new.version,
                old.version + 1,
                "one accepted command, one version"
            );
        }
        // What requesters and guests observe moves exactly with what they may see.
        if appended
            .iter()
            .any(|e| e.visibility() == Visibility::Public)
        {
            prop_assert_eq!(new.public_version, old.public_version + 1);
            prop_assert_eq!(new.public_updated_at, now);
        } else {
            prop_assert_eq!(
                new.public_version,
                old.public_version,
                "an internal note moved the requester's version"
            );
            prop_assert_eq!(
                new.public_updated_at,
                old.public_updated_at,
                "an internal note moved the requester's updated time"
            );
        }
        let mode = self.settings(old.tenant).closure_mode;
        let kind = kind_of(op, mode);
        match op {
            Op::Edit {
                subject,
                priority,
                asset,
            } => {
                let fields = usize::from(subject.is_some() && new.subject != old.subject)
                    + usize::from(priority.is_some() && new.priority != old.priority)
                    + usize::from(asset.is_some() && new.asset != old.asset);
                prop_assert_eq!(appended.len(), fields, "one event per changed field");
            }
            _ => prop_assert!(appended.len() <= 1, "more than one event for one change"),
        }
        let mut status = old.status();
        for e in appended {
            prop_assert_eq!(e.kind.name(), kind);
            prop_assert_eq!(e.author, actor.reference());
            prop_assert_eq!(e.at, now);
            if let Some(change) = e.status_change {
                prop_assert_eq!(change.from, status);
                prop_assert!(
                    allowed_transition(kind, change.from, change.to),
                    "{} moved {} -> {}",
                    kind,
                    change.from,
                    change.to
                );
                status = change.to;
            }
        }
        prop_assert_eq!(
            new.status(),
            status,
            "status changed without a recorded transition"
        );

        // The actor was entitled to it.
        let s = old.status();
        prop_assert!(is_active(actor), "a blocked or inactive account acted");
        prop_assert!(
            self.scope(actor).admits(old),
            "acted on a ticket they may not see"
        );
        let staff = actor.is_staff();
        let requester_side = speaks_for_requester(actor, old);
        let entitled = match op {
            Op::Assign { assignee, .. } => {
                staff
                    && s.is_open()
                    && (staff_role(actor) != Some(StaffRole::Agent)
                        || assignee.map(|a| self.staff[a].id) == actor.as_staff().map(|x| x.id))
            }
            Op::Reply(_) => s.is_open() && (staff || requester_side || is_guest(actor, old)),
            Op::Note(_) => staff,
            Op::RequestInformation(_) => staff && matches!(s, Status::New | Status::InProgress),
            Op::ProposeClosure(_) => staff && ACTIVE.contains(&s),
            Op::Approve(_) | Op::Refuse(_) => requester_side && s == Status::PendingClosure,
            Op::Cancel => {
                ACTIVE.contains(&s)
                    && (requester_side
                        || matches!(
                            staff_role(actor),
                            Some(StaffRole::Supervisor | StaffRole::PlatformAdmin)
                        ))
            }
            Op::Reopen => match old.state {
                TicketState::Closed { closed_at, .. } => {
                    staff
                        || (requester_side
                            && closed_at + self.settings(old.tenant).reopen_window.duration()
                                >= now)
                }
                _ => false,
            },
            Op::Edit { .. } | Op::MoveCategory(_) => {
                s.is_open() && (staff || (requester_side && s == Status::New))
            }
            Op::ReassignRequester(_) => {
                matches!(actor, Actor::Member(m) if m.role == MemberRole::TenantAdmin)
                    || staff_role(actor) == Some(StaffRole::PlatformAdmin)
            }
            Op::InviteGuest(_) => s.is_open() && (staff || requester_side),
            Op::Open { .. } | Op::AutoApproveDue => false,
        };
        prop_assert!(
            entitled,
            "{:?} by {:?} on a {} ticket was accepted",
            op,
            actor.reference(),
            s
        );
        if let Op::Approve(pick) = op {
            prop_assert!(
                matches!(pick, AnswerPick::Valid { .. }),
                "invalid answers accepted"
            );
        }
        Ok(())
    }

    /// Every ticket's state follows its timeline: it starts with `opened`, each status
    /// change starts where the previous ended and is a rules-table transition, the last
    /// one is the ticket's status; questionnaire answers exist exactly on approved
    /// closures, whose last status change is the approval carrying those answers.
    fn check_timelines(&self, snap: &Snapshot) -> Result<(), TestCaseError> {
        for (ticket, timeline) in snap.tickets.values() {
            prop_assert_eq!(timeline.first().map(|e| &e.kind), Some(&EventKind::Opened));
            let mut status = Status::New;
            let mut last_change: Option<&TimelineEvent> = None;
            for e in timeline {
                let kind = e.kind.name();
                match e.status_change {
                    Some(change) => {
                        prop_assert_eq!(change.from, status);
                        prop_assert!(allowed_transition(kind, change.from, change.to));
                        status = change.to;
                        last_change = Some(e);
                    }
                    None => prop_assert!(!always_moves(kind), "{} without a status change", kind),
                }
            }
            prop_assert_eq!(ticket.status(), status);
            let approved = matches!(
                ticket.state,
                TicketState::Closed {
                    closure: Closure::Approved { .. },
                    ..
                }
            );
            prop_assert_eq!(ticket.closure_answers().is_some(), approved);
            let last_kind = last_change.map(|e| &e.kind);
            match (&ticket.state, last_kind) {
                (
                    TicketState::Closed {
                        closure: Closure::Approved { answers, .. },
                        ..
                    },
                    Some(EventKind::ClosureApproved { answers: recorded }),
                ) => {
                    prop_assert_eq!(answers, recorded);
                    prop_assert!(
                        matches!(answers.get("overall"), Some(Answer::Score(s)) if *s <= 10)
                    );
                }
                (
                    TicketState::Closed {
                        closure: Closure::Approved { .. },
                        ..
                    },
                    other,
                ) => {
                    return Err(TestCaseError::fail(format!(
                        "approved closure whose last status change is {other:?}"
                    )));
                }
                (_, Some(EventKind::ClosureApproved { .. })) => {
                    return Err(TestCaseError::fail(
                        "last status change is an approval but the ticket is not approved",
                    ));
                }
                (
                    TicketState::Closed {
                        closure: Closure::AutoApproved,
                        ..
                    },
                    last,
                ) => prop_assert_eq!(last, Some(&EventKind::ClosureAutoApproved)),
                (
                    TicketState::Closed {
                        closure: Closure::Direct { .. },
                        ..
                    },
                    last,
                ) => prop_assert!(
                    matches!(last, Some(EventKind::ClosedDirectly { .. })),
                    "a direct closure whose last status change is {:?}",
                    last
                ),
                _ => {}
            }
        }
        Ok(())
    }

    /// Ticket numbers are unique and sequential per tenant, in opening order.
    fn check_numbers(&self, snap: &Snapshot) -> Result<(), TestCaseError> {
        let mut next: BTreeMap<TenantId, u64> = BTreeMap::new();
        for id in &self.tickets {
            let (t, _) = &snap.tickets[id];
            let expected = next.entry(t.tenant).or_insert(1);
            prop_assert_eq!(t.number.get(), *expected, "numbers out of sequence");
            *expected += 1;
        }
        prop_assert_eq!(self.tickets.len(), snap.tickets.len());
        Ok(())
    }

    /// For every actor, search over everything answers exactly the tickets their scope
    /// admits; a search for a word only written in internal notes finds nothing for
    /// members, and for staff exactly the tickets they see that carry a note.
    async fn check_search_visibility(&self, snap: &Snapshot) -> Result<(), TestCaseError> {
        let page = PageRequest {
            limit: 200,
            after: None,
        };
        for actor in &self.actors {
            let found = self.service.search(actor, everything(), page.clone()).await;
            let secret = SearchCriteria {
                contains: Some(SECRET.to_owned()),
                ..everything()
            };
            let found_secret = self.service.search(actor, secret, page.clone()).await;
            if !is_active(actor) {
                for r in [found, found_secret] {
                    prop_assert!(
                        matches!(r, Err(Error::Forbidden(Forbidden::AccountBlocked))),
                        "{:?}",
                        r
                    );
                }
                continue;
            }
            let scope = self.scope(actor);
            let policy = match actor {
                Actor::Member(m) => self.settings(m.tenant).requester_visibility,
                _ => RequesterVisibility::default(),
            };
            for (t, _) in snap.tickets.values() {
                prop_assert_eq!(
                    scope.admits(t),
                    design_may_see(actor, t, policy),
                    "the scope of {:?} disagrees with DESIGN.md on ticket {}",
                    actor.reference(),
                    t.number
                );
            }
            let admitted: BTreeSet<TicketId> = snap
                .tickets
                .values()
                .filter(|(t, _)| scope.admits(t))
                .map(|(t, _)| t.id)
                .collect();
            let found = found.map_err(|e| TestCaseError::fail(format!("search: {e:?}")))?;
            prop_assert!(found.next.is_none());
            let ids: BTreeSet<TicketId> = found.tickets.iter().map(|t| t.id).collect();
            prop_assert_eq!(ids.len(), found.tickets.len(), "a ticket listed twice");
            prop_assert_eq!(
                &ids,
                &admitted,
                "search disagrees with the scope of {:?}",
                actor.reference()
            );
            for t in &found.tickets {
                prop_assert_eq!(
                    Some(t.clone()),
                    snap.tickets
                        .get(&t.id)
                        .map(|(t, _)| observed_by(actor, t.clone())),
                    "a search shows a ticket otherwise than the actor may observe it"
                );
            }

            let found_secret =
                found_secret.map_err(|e| TestCaseError::fail(format!("search: {e:?}")))?;
            let secret_ids: BTreeSet<TicketId> =
                found_secret.tickets.iter().map(|t| t.id).collect();
            let expected: BTreeSet<TicketId> = if scope.sees_internal() {
                snap.tickets
                    .values()
                    .filter(|(t, timeline)| {
                        admitted.contains(&t.id)
                            && timeline
                                .iter()
                                .any(|e| matches!(e.kind, EventKind::NoteAdded { .. }))
                    })
                    .map(|(t, _)| t.id)
                    .collect()
            } else {
                BTreeSet::new()
            };
            prop_assert_eq!(
                secret_ids,
                expected,
                "a search for a note-only word, by {:?}",
                actor.reference()
            );
        }
        Ok(())
    }

    /// For every actor, one ticket answers exactly when their scope admits it (else as
    /// missing), and the timeline they are shown holds no internal note unless they are
    /// staff.
    async fn check_ticket_visibility(
        &self,
        snap: &Snapshot,
        id: TicketId,
    ) -> Result<(), TestCaseError> {
        let (ticket, timeline) = &snap.tickets[&id];
        for actor in &self.actors {
            let view = self.service.ticket(actor, id).await;
            if !is_active(actor) {
                prop_assert!(
                    matches!(view, Err(Error::Forbidden(Forbidden::AccountBlocked))),
                    "{:?}",
                    view.map(|v| v.ticket.id)
                );
                continue;
            }
            if !self.scope(actor).admits(ticket) {
                prop_assert!(
                    matches!(view, Err(Error::NotFound(Entity::Ticket))),
                    "{:?} reads a ticket they may not see",
                    actor.reference()
                );
                continue;
            }
            let view = view.map_err(|e| TestCaseError::fail(format!("ticket: {e:?}")))?;
            prop_assert_eq!(&view.ticket, &observed_by(actor, ticket.clone()));
            if !self.scope(actor).sees_internal() {
                // Requesters and guests observe the version and time of the last public
                // event, whatever notes came after.
                let last_public = timeline
                    .iter()
                    .rfind(|e| e.visibility() == Visibility::Public)
                    .map(|e| e.at);
                prop_assert_eq!(Some(view.ticket.updated_at), last_public);
            }
            let expected: Vec<&TimelineEvent> = timeline
                .iter()
                .filter(|e| {
                    !matches!(e.kind, EventKind::NoteAdded { .. })
                        || matches!(actor, Actor::Staff(_) | Actor::System)
                })
                .collect();
            let shown: Vec<&TimelineEvent> = view.timeline.iter().collect();
            prop_assert_eq!(shown, expected, "timeline shown to {:?}", actor.reference());
            if actor.as_member().is_some() {
                for e in &view.timeline {
                    let body = e.body().map(|b| b.to_plain_text()).unwrap_or_default();
                    prop_assert!(!body.contains(SECRET), "a note's words reached a member");
                }
            }
        }
        Ok(())
    }

    async fn check_visibility_everywhere(&self) -> Result<(), TestCaseError> {
        let snap = self.snapshot().await;
        self.check_search_visibility(&snap).await?;
        for id in &self.tickets {
            self.check_ticket_visibility(&snap, *id).await?;
        }
        Ok(())
    }
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
}

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(future)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    /// Random command sequences by every kind of actor keep every workflow invariant of
    /// DESIGN.md, checked after each step.
    #[test]
    fn random_command_sequences_keep_every_workflow_invariant(
        steps in prop::collection::vec(step(), 1..=50)
    ) {
        block_on(async {
            let mut world = World::new().await.map_err(|e| TestCaseError::fail(format!("setup: {e:?}")))?;
            world.play(&steps).await
        })?;
    }
}

/// The vendor manual's scenario and a direct closure, played through the same checks:
/// every step of the happy path is accepted, so the property above is not vacuous.
#[test]
fn the_happy_paths_are_accepted_step_by_step_under_every_check() {
    use Pick::{Actor as Who, Handler, Natural, Requester};
    let words = || Text::Words(vec![0, 2]);
    let on = |ticket: usize, who: Pick, op: Op| Step {
        who,
        ticket: Some(ticket),
        version: VersionPick::Current,
        op,
        advance: Advance::Minutes(5),
    };
    // Ticket 0: Alice's (vendor, two-step closure, routed to agent one's group); ticket 1:
    // Erin's (legal, direct closure). Natural(0) is agent one on both.
    let script = [
        on(0, Requester, Op::InviteGuest(1)),
        on(
            0,
            Natural(0),
            Op::Assign {
                assignee: Some(0),
                group: None,
            },
        ),
        on(0, Who(1), Op::Reply(words())),
        on(0, Natural(0), Op::RequestInformation(words())),
        on(0, Requester, Op::Reply(words())),
        on(0, Natural(0), Op::Note(words())),
        on(0, Natural(0), Op::ProposeClosure(words())),
        on(0, Requester, Op::Refuse(words())),
        on(0, Natural(0), Op::ProposeClosure(words())),
        on(
            0,
            Requester,
            Op::Approve(AnswerPick::Valid {
                score: 9,
                comment: Some(1),
            }),
        ),
        on(0, Requester, Op::Reopen),
        on(0, Who(9), Op::ProposeClosure(words())),
        Step {
            advance: Advance::Days(3),
            ..on(0, Who(11), Op::AutoApproveDue)
        },
        on(0, Who(10), Op::Reopen),
        on(0, Who(2), Op::ReassignRequester(1)),
        on(
            0,
            Handler(0),
            Op::Edit {
                subject: Some(words()),
                priority: Some(Priority::High),
                asset: Some(Some(3)),
            },
        ),
        on(0, Who(9), Op::Cancel),
        on(1, Natural(0), Op::ProposeClosure(words())),
        on(1, Natural(0), Op::Reopen),
        on(1, Requester, Op::Cancel),
        on(
            1,
            Who(6),
            Op::Open {
                tenant: 1,
                requester: Some(5),
                category: Some(4),
                subject: words(),
            },
        ),
    ];
    block_on(async {
        let mut world = World::new().await.unwrap();
        world.check_visibility_everywhere().await.unwrap();
        for (n, step) in script.iter().enumerate() {
            match world.play_step(step).await {
                Ok(None) => {}
                Ok(Some(refusal)) => panic!("step {n} {step:?} was refused: {refusal:?}"),
                Err(failure) => panic!("step {n} {step:?}: {failure}"),
            }
        }
        world.check_visibility_everywhere().await.unwrap();
        let snap = world.snapshot().await;
        let (alice_ticket, timeline) = &snap.tickets[&world.tickets[0]];
        assert_eq!(alice_ticket.status(), Status::Cancelled);
        assert_eq!(alice_ticket.requester, world.members[1].id);
        let kinds: Vec<&str> = timeline.iter().map(|e| e.kind.name()).collect();
        assert_eq!(
            kinds,
            [
                "opened",
                "guest_invited",
                "assigned",
                "replied",
                "information_requested",
                "replied",
                "note_added",
                "closure_proposed",
                "closure_refused",
                "closure_proposed",
                "closure_approved",
                "reopened",
                "closure_proposed",
                "closure_auto_approved",
                "reopened",
                "requester_reassigned",
                "field_edited",
                "field_edited",
                "field_edited",
                "cancelled",
            ]
        );
        let (erin_ticket, _) = &snap.tickets[&world.tickets[1]];
        assert_eq!(erin_ticket.status(), Status::Cancelled);
        let (opened, _) = &snap.tickets[&world.tickets[5]];
        assert_eq!(opened.number.get(), 3, "the legal tenant's third ticket");
    });
}
