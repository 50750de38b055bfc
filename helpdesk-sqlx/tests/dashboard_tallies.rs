//! The dashboard's tallies, kept by triggers, equal the dashboard counted from the
//! tickets themselves, as a property: random sequences of ticket operations through the
//! service (open, assign to an agent and a group, reply, request information, propose,
//! approve with answers, refuse, cancel, reopen, time passing, a service-level policy
//! set and removed, bulk import), then the dashboard and the breakdown of several scopes
//! compared, on SQLite and PostgreSQL.
//!
//! Cases share one database and make a new tenant each time, so scopes over several
//! tenants see the earlier cases' tickets too.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::Arc;

use chrono::Duration;
use helpdesk_core::service_level::{BusinessDuration, PriorityTargets, ServiceLevelPolicy};
use helpdesk_core::{
    Actor, Answer, Answers, DashboardQuery, EventId, GroupId, HelpdeskService, ManualClock,
    MemberDetails, MemberRole, NewTicket, Priority, Scope, StaffDetails, StaffId, StaffRole, Store,
    TenantId, TenantScope, TicketId, TicketNumber, UserId,
};
use helpdesk_core::{Breakdown, Dashboard, StoreResult};
use helpdesk_sqlx::ImportedTicket;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

/// One operation; those the workflow refuses in the ticket's state change nothing.
#[derive(Clone, Debug)]
enum Op {
    Open {
        requester: usize,
        priority: usize,
    },
    Assign {
        ticket: usize,
        agent: Option<usize>,
        group: Option<usize>,
    },
    Reply {
        ticket: usize,
        by_staff: bool,
    },
    RequestInformation {
        ticket: usize,
    },
    Propose {
        ticket: usize,
    },
    Approve {
        ticket: usize,
        score: u8,
        choice: Option<usize>,
    },
    Refuse {
        ticket: usize,
    },
    Cancel {
        ticket: usize,
    },
    Reopen {
        ticket: usize,
    },
    Wait {
        hours: i64,
    },
    Policy {
        on: bool,
    },
    Import {
        ticket: usize,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let t = || 0usize..12;
    prop_oneof![
        3 => (0usize..2, 0usize..4).prop_map(|(requester, priority)| Op::Open { requester, priority }),
        3 => (t(), prop::option::of(0usize..3), prop::option::of(0usize..2))
            .prop_map(|(ticket, agent, group)| Op::Assign { ticket, agent, group }),
        2 => (t(), any::<bool>()).prop_map(|(ticket, by_staff)| Op::Reply { ticket, by_staff }),
        1 => t().prop_map(|ticket| Op::RequestInformation { ticket }),
        2 => t().prop_map(|ticket| Op::Propose { ticket }),
        2 => (t(), 0u8..=10, prop::option::of(0usize..3))
            .prop_map(|(ticket, score, choice)| Op::Approve { ticket, score, choice }),
        1 => t().prop_map(|ticket| Op::Refuse { ticket }),
        1 => t().prop_map(|ticket| Op::Cancel { ticket }),
        1 => t().prop_map(|ticket| Op::Reopen { ticket }),
        1 => (1i64..200).prop_map(|hours| Op::Wait { hours }),
        1 => any::<bool>().prop_map(|on| Op::Policy { on }),
        1 => t().prop_map(|ticket| Op::Import { ticket }),
    ]
}

fn config() -> Config {
    // Each case runs a few dozen writes through the service: capped at 24 cases.
    let default = Config::default();
    Config {
        cases: default.cases.min(24),
        ..default
    }
}

/// A store of this crate: the ports, the counted dashboard and bulk import.
#[allow(async_fn_in_trait)]
trait Tallied: Store + Sized + 'static {
    async fn counted(&self, query: &DashboardQuery) -> StoreResult<Dashboard>;
    async fn breakdown_counted(&self, query: &DashboardQuery) -> StoreResult<Breakdown>;
    async fn import(&self, tickets: &[ImportedTicket]) -> StoreResult<()>;
    /// Runs a host's own SQL.
    async fn execute(&self, sql: &'static str);
}

macro_rules! tallied {
    ($store:ty) => {
        impl Tallied for $store {
            async fn counted(&self, query: &DashboardQuery) -> StoreResult<Dashboard> {
                self.dashboard_counted(query).await
            }
            async fn breakdown_counted(&self, query: &DashboardQuery) -> StoreResult<Breakdown> {
                self.dashboard_breakdown_counted(query).await
            }
            async fn import(&self, tickets: &[ImportedTicket]) -> StoreResult<()> {
                self.import_tickets(tickets).await
            }
            async fn execute(&self, sql: &'static str) {
                helpdesk_sqlx::sqlx::raw_sql(sql)
                    .execute(self.pool())
                    .await
                    .unwrap();
            }
        }
    };
}

#[cfg(feature = "sqlite")]
tallied!(helpdesk_sqlx::SqliteStore);
#[cfg(feature = "postgres")]
tallied!(helpdesk_sqlx::PostgresStore);

struct Fixture<S: Tallied> {
    store: Arc<S>,
    service: HelpdeskService,
    clock: Arc<ManualClock>,
    root: Actor,
    tenant: TenantId,
    requesters: Vec<Actor>,
    /// Agents: the first two in the first group, the third in the second.
    agents: Vec<Actor>,
    groups: Vec<GroupId>,
    tickets: Vec<TicketId>,
    imported: u64,
}

fn staff_id(actor: &Actor) -> StaffId {
    match actor {
        Actor::Staff(s) => s.id,
        _ => unreachable!("an agent"),
    }
}

async fn fixture<S: Tallied>(store: Arc<S>) -> Fixture<S> {
    let clock = Arc::new(ManualClock::new(chrono::Utc::now() - Duration::days(90)));
    let service = HelpdeskService::new(store.clone()).with_clock(clock.clone());
    let root_user = UserId::new("root").unwrap();
    let root = match service.bootstrap_platform_admin(&root_user, "Root").await {
        Ok(root) => root,
        Err(_) => service.actor(&root_user, None).await.unwrap(),
    };
    let slug = format!("t-{}", uuid::Uuid::now_v7().simple());
    let tenant = service
        .create_tenant(&root, &slug, "Tenant")
        .await
        .unwrap()
        .id;
    let mut requesters = Vec::new();
    for r in 0..2 {
        let user = UserId::new(&format!("{slug}-r{r}")).unwrap();
        let member = service
            .ensure_member(
                tenant,
                MemberDetails {
                    user: &user,
                    display_name: &format!("Requester {r}"),
                    email: None,
                    role: MemberRole::Requester,
                },
            )
            .await
            .unwrap();
        requesters.push(Actor::Member(member));
    }
    let mut groups = Vec::new();
    for g in 0..2 {
        groups.push(
            service
                .create_group(&root, &format!("{slug} group {g}"))
                .await
                .unwrap()
                .id,
        );
    }
    let mut agents = Vec::new();
    for a in 0..3 {
        let user = UserId::new(&format!("{slug}-a{a}")).unwrap();
        let staff = service
            .add_staff(
                &root,
                StaffDetails {
                    user: &user,
                    display_name: &format!("Agent {a}"),
                    email: None,
                    role: StaffRole::Agent,
                    tenants: TenantScope::Only(vec![tenant]),
                    groups: vec![groups[a / 2]],
                },
            )
            .await
            .unwrap();
        agents.push(Actor::Staff(staff));
    }
    Fixture {
        store,
        service,
        clock,
        root,
        tenant,
        requesters,
        agents,
        groups,
        tickets: Vec::new(),
        imported: 0,
    }
}

impl<S: Tallied> Fixture<S> {
    fn ticket(&self, n: usize) -> Option<TicketId> {
        (!self.tickets.is_empty()).then(|| self.tickets[n % self.tickets.len()])
    }

    async fn requester_of(&self, id: TicketId) -> Actor {
        let ticket = self.store.ticket(id).await.unwrap().unwrap();
        self.requesters
            .iter()
            .find(|r| r.as_member().map(|m| m.id) == Some(ticket.requester))
            .cloned()
            .unwrap()
    }

    async fn set_policy(&self, on: bool) {
        let mut settings = self
            .service
            .tenant(&self.root, self.tenant)
            .await
            .unwrap()
            .settings;
        let mut policy = ServiceLevelPolicy::default();
        if on {
            let targets = PriorityTargets {
                first_response: Some(BusinessDuration::hours(4)),
                resolution: Some(BusinessDuration::hours(16)),
            };
            policy.targets.normal = targets;
            policy.targets.high = targets;
            policy.targets.blocking.first_response = Some(BusinessDuration::hours(1));
        }
        settings.service_levels = policy;
        self.service
            .update_tenant(&self.root, self.tenant, "Tenant", settings)
            .await
            .unwrap();
    }

    /// A copy of a stored ticket under a new id and number, with its timeline.
    async fn import_copy(&mut self, id: TicketId) {
        let mut ticket = self.store.ticket(id).await.unwrap().unwrap();
        let mut events = self.store.timeline(id).await.unwrap();
        ticket.id = TicketId::new();
        self.imported += 1;
        // Above every number so far: openings after an import continue from it.
        ticket.number = TicketNumber::new(1_000 * self.imported);
        for event in &mut events {
            event.id = EventId::new();
            event.ticket = ticket.id;
        }
        let copy = ImportedTicket {
            ticket: ticket.clone(),
            events,
        };
        self.store.import(&[copy]).await.unwrap();
        self.tickets.push(ticket.id);
    }

    async fn apply(&mut self, op: &Op) {
        let s = &self.service;
        let staff = &self.agents[0];
        match *op {
            Op::Open {
                requester,
                priority,
            } => {
                let draft = NewTicket {
                    subject: "Printer".into(),
                    description: "<p>It jams.</p>".into(),
                    priority: Some(Priority::ALL[priority]),
                    ..Default::default()
                };
                let t = s
                    .open(&self.requesters[requester], self.tenant, draft, vec![])
                    .await
                    .unwrap();
                self.tickets.push(t.id);
            }
            Op::Wait { hours } => self.clock.advance(Duration::hours(hours)),
            Op::Policy { on } => self.set_policy(on).await,
            _ => {}
        }
        let Some(id) = self.ticket(match *op {
            Op::Assign { ticket, .. }
            | Op::Reply { ticket, .. }
            | Op::RequestInformation { ticket }
            | Op::Propose { ticket }
            | Op::Approve { ticket, .. }
            | Op::Refuse { ticket }
            | Op::Cancel { ticket }
            | Op::Reopen { ticket }
            | Op::Import { ticket } => ticket,
            _ => return,
        }) else {
            return;
        };
        // Commands the workflow refuses here change nothing: their errors are expected.
        let _ = match *op {
            Op::Assign { agent, group, .. } => {
                let assignee = agent.map(|a| staff_id(&self.agents[a]));
                let group = group.map(|g| self.groups[g]);
                s.assign(&self.root, id, None, assignee, group).await
            }
            Op::Reply { by_staff, .. } => {
                let actor = if by_staff {
                    staff.clone()
                } else {
                    self.requester_of(id).await
                };
                s.reply(&actor, id, None, "<p>Any news?</p>", vec![]).await
            }
            Op::RequestInformation { .. } => {
                s.request_information(staff, id, None, "<p>Which model?</p>")
                    .await
            }
            Op::Propose { .. } => s.propose_closure(staff, id, None, "<p>Fixed.</p>").await,
            Op::Approve { score, choice, .. } => {
                let mut answers = Answers::from([("overall".to_owned(), Answer::Score(score))]);
                if let Some(c) = choice {
                    answers.insert(
                        "follow_up".to_owned(),
                        Answer::Text(helpdesk_core::SATISFACTION[c].to_owned()),
                    );
                }
                let requester = self.requester_of(id).await;
                s.approve_closure(&requester, id, None, answers).await
            }
            Op::Refuse { .. } => {
                let requester = self.requester_of(id).await;
                s.refuse_closure(&requester, id, None, "<p>Still jams.</p>")
                    .await
            }
            Op::Cancel { .. } => s.cancel(&self.root, id, None, None).await,
            Op::Reopen { .. } => s.reopen(&self.root, id, None, Some("Again")).await,
            Op::Import { .. } => {
                self.import_copy(id).await;
                return;
            }
            _ => return,
        };
    }

    /// The scopes compared: the tenant, the platform, an agent (assigned to them,
    /// unrouted, or in their group), staff of two tenants, and the agent's own tickets.
    fn queries(&self) -> Vec<DashboardQuery> {
        let now = self.service.now();
        let query = |scope, tenant, assignee| DashboardQuery {
            scope,
            tenant,
            assignee,
            months: 6,
            now,
        };
        let agent = staff_id(&self.agents[0]);
        let agent_scope = Scope::Staff {
            staff: agent,
            tenants: TenantScope::Only(vec![self.tenant]),
            groups: vec![self.groups[0]],
            all_groups: false,
        };
        vec![
            query(
                Scope::Tenant {
                    tenant: self.tenant,
                },
                None,
                None,
            ),
            query(Scope::Everything, None, None),
            query(Scope::Everything, Some(self.tenant), None),
            query(agent_scope.clone(), Some(self.tenant), None),
            query(agent_scope, Some(self.tenant), Some(agent)),
            query(
                Scope::Staff {
                    staff: StaffId::new(),
                    tenants: TenantScope::Only(vec![self.tenant, TenantId::new()]),
                    groups: vec![self.groups[1]],
                    all_groups: false,
                },
                None,
                None,
            ),
        ]
    }

    async fn check(&self, after: &str) {
        for query in self.queries() {
            let tallied = self.store.dashboard(&query).await.unwrap();
            let counted = self.store.counted(&query).await.unwrap();
            assert_eq!(tallied, counted, "dashboard after {after}, {query:?}");
            let tallied = self.store.dashboard_breakdown(&query).await.unwrap();
            let counted = self.store.breakdown_counted(&query).await.unwrap();
            assert_eq!(tallied, counted, "breakdown after {after}, {query:?}");
        }
    }
}

async fn tallies_equal_counts<S: Tallied>(store: Arc<S>, ops: Vec<Op>) {
    let mut f = fixture(store).await;
    for (n, op) in ops.iter().enumerate() {
        f.apply(op).await;
        if n % 8 == 7 {
            f.check(&format!("{:?}", &ops[..=n])).await;
        }
    }
    f.check(&format!("{ops:?}")).await;
}

/// The tallies follow writes the workflow never makes, in SQL a host might run: approved
/// tickets moved to another assignee and group, approval taken back, answers changed and
/// deleted. It runs first, in a database of its own: its SQL names tickets by number.
async fn host_sql_keeps_the_tallies<S: Tallied>(store: Arc<S>) {
    let mut f = fixture(store).await;
    let ops = [
        Op::Open {
            requester: 0,
            priority: 1,
        },
        Op::Open {
            requester: 1,
            priority: 2,
        },
        Op::Open {
            requester: 0,
            priority: 1,
        },
        Op::Assign {
            ticket: 0,
            agent: Some(0),
            group: Some(0),
        },
        Op::Assign {
            ticket: 1,
            agent: Some(2),
            group: Some(1),
        },
        Op::Reply {
            ticket: 0,
            by_staff: true,
        },
        Op::Propose { ticket: 0 },
        Op::Propose { ticket: 1 },
        Op::Propose { ticket: 2 },
        Op::Approve {
            ticket: 0,
            score: 9,
            choice: Some(0),
        },
        Op::Approve {
            ticket: 1,
            score: 3,
            choice: Some(2),
        },
        Op::Approve {
            ticket: 2,
            score: 6,
            choice: None,
        },
    ];
    for op in &ops {
        f.apply(op).await;
    }
    f.check("approvals").await;
    for (what, sql) in [
        (
            "moving approved tickets",
            "UPDATE helpdesk_tickets SET assignee_id = NULL, group_id = NULL WHERE number = 1",
        ),
        (
            "swapping assignees",
            "UPDATE helpdesk_tickets SET assignee_id = (SELECT t.assignee_id \
             FROM helpdesk_tickets t WHERE t.number = 2) WHERE number = 3",
        ),
        (
            "taking approval back",
            "UPDATE helpdesk_tickets SET approved = (1 = 0) WHERE number = 2",
        ),
        (
            "changing scores",
            "UPDATE helpdesk_closure_answers SET score = score + 1 WHERE score IS NOT NULL",
        ),
        (
            "deleting answers",
            "DELETE FROM helpdesk_closure_answers WHERE choice IS NOT NULL",
        ),
        (
            "approving again",
            "UPDATE helpdesk_tickets SET approved = (1 = 1) WHERE number = 2",
        ),
    ] {
        f.store.execute(sql).await;
        f.check(what).await;
    }
}

fn run<S: Tallied>(store: Arc<S>, runtime: &tokio::runtime::Runtime) {
    runtime.block_on(host_sql_keeps_the_tallies(store.clone()));
    let mut runner = TestRunner::new(config());
    runner
        .run(&prop::collection::vec(op(), 1..40), |ops| {
            runtime.block_on(tallies_equal_counts(store.clone(), ops));
            Ok(())
        })
        .unwrap();
}

#[cfg(feature = "sqlite")]
#[test]
fn sqlite_tallies_equal_the_counts() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let store = runtime.block_on(support::sqlite_memory());
    run(Arc::new(store), &runtime);
}

#[cfg(feature = "postgres")]
#[test]
fn postgres_tallies_equal_the_counts() {
    let Some(url) = support::postgres::url("the dashboard tallies") else {
        return;
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let database = runtime.block_on(support::postgres::TestDatabase::create(&url));
    let store = runtime.block_on(database.store());
    runtime.block_on(store.migrate()).unwrap();
    run(Arc::new(store), &runtime);
    drop(database);
}
