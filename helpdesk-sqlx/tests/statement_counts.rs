//! Reads run a constant number of SQL statements whatever the number of people and
//! events: a ticket view and a list page are counted with 2 people and with 20 (sqlx
//! logs every statement it runs as an event of target `sqlx::query`; a subscriber for
//! the whole process counts them). One test function, so nothing else runs statements
//! while it counts.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use helpdesk_core::{
    Actor, DashboardQuery, MemberDetails, MemberId, MemberRole, NewTicket, PageRequest, Scope,
    SearchCriteria, Store, TicketId, UserId,
};
use support::World;
use tracing_subscriber::layer::SubscriberExt;

static STATEMENTS: AtomicUsize = AtomicUsize::new(0);

struct Count;

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Count {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        if event.metadata().target() == "sqlx::query" {
            STATEMENTS.fetch_add(1, Ordering::SeqCst);
        }
    }
}

/// The statements `run` sends.
async fn statements<T>(run: impl std::future::Future<Output = T>) -> (usize, T) {
    let before = STATEMENTS.load(Ordering::SeqCst);
    let out = run.await;
    (STATEMENTS.load(Ordering::SeqCst) - before, out)
}

async fn members(world: &World, prefix: &str, n: usize) -> Vec<MemberId> {
    let mut out = Vec::new();
    for i in 0..n {
        let user = UserId::new(&format!("{prefix}{i}")).expect("a user id");
        let member = world
            .service
            .ensure_member(
                world.tenant.id,
                MemberDetails {
                    user: &user,
                    display_name: &format!("{prefix} {i}"),
                    email: None,
                    role: MemberRole::Requester,
                },
            )
            .await
            .expect("a member");
        out.push(member.id);
    }
    out
}

/// A ticket of `requester` with `guests` invited and a reply after each invitation.
async fn ticket_with(world: &World, requester: MemberId, guests: &[MemberId]) -> TicketId {
    let root = &world.root;
    let ticket = world
        .service
        .open(
            root,
            world.tenant.id,
            NewTicket {
                subject: "Imprimante".into(),
                description: "<p>En panne</p>".into(),
                requester: Some(requester),
                ..Default::default()
            },
            vec![],
        )
        .await
        .expect("opening");
    for guest in guests {
        let service = &world.service;
        service
            .invite_guest(root, ticket.id, None, *guest)
            .await
            .expect("inviting");
        service
            .reply(root, ticket.id, None, "<p>Vu</p>", vec![])
            .await
            .expect("replying");
    }
    ticket.id
}

async fn list(world: &World, actor: &Actor) -> usize {
    let criteria = SearchCriteria {
        tenant: Some(world.tenant.id),
        ..Default::default()
    };
    let (n, page) = statements(
        world
            .service
            .search(actor, criteria, PageRequest::default()),
    )
    .await;
    page.expect("listing");
    n
}

async fn check(store: Arc<dyn Store>, what: &str) {
    let world = World::new(store.clone()).await;
    let few = members(&world, "few", 3).await;
    let many = members(&world, "many", 21).await;

    let small = ticket_with(&world, few[0], &few[1..]).await;
    let large = ticket_with(&world, many[0], &many[1..]).await;
    let (small_view, view) = statements(world.service.ticket(&world.root, small)).await;
    assert_eq!(view.expect("the small view").names.len(), 4, "{what}");
    let (large_view, view) = statements(world.service.ticket(&world.root, large)).await;
    assert_eq!(view.expect("the large view").names.len(), 22, "{what}");
    assert_eq!(
        small_view, large_view,
        "{what}: a ticket view with 2 guests and with 20"
    );
    assert!(
        small_view <= 5,
        "{what}: a ticket view takes {small_view} statements"
    );

    // A list page naming 2 requesters, then 20.
    for (i, member) in few.iter().enumerate().take(2) {
        if i > 0 {
            ticket_with(&world, *member, &[]).await;
        }
    }
    let before = list(&world, &world.root).await;
    for member in &many[1..] {
        ticket_with(&world, *member, &[]).await;
    }
    let after = list(&world, &world.root).await;
    assert_eq!(
        before, after,
        "{what}: a list page with 2 requesters and 21"
    );
    // A tenant's list on PostgreSQL runs in a read transaction of its own with the
    // planner held to the walk (`search::held_walks`): the hold and the transaction's
    // end beside the total, the page and the names.
    assert!(after <= 5, "{what}: a list page takes {after} statements");
    // A requester's own list (two arms in one statement) as well.
    assert!(list(&world, &world.requester).await <= 4, "{what}");
    // The dashboard (tallies by status and month, open tickets due, answer tallies) and
    // the breakdown (two per list), whatever the number of tickets.
    let query = DashboardQuery {
        scope: Scope::Everything,
        tenant: Some(world.tenant.id),
        assignee: None,
        months: 12,
        now: world.service.now(),
    };
    let (dashboard, counts) = statements(store.dashboard(&query)).await;
    counts.expect("the dashboard");
    assert_eq!(dashboard, 3, "{what}: the dashboard's statements");
    let (breakdown, lines) = statements(store.dashboard_breakdown(&query)).await;
    lines.expect("the breakdown");
    assert_eq!(breakdown, 4, "{what}: the breakdown's statements");
    println!("{what}: ticket view {small_view} statements, list page {after}");
}

#[test]
fn reads_run_a_constant_number_of_statements() {
    tracing::subscriber::set_global_default(tracing_subscriber::registry().with(Count))
        .expect("the only subscriber of this test binary");
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    #[cfg(feature = "sqlite")]
    runtime.block_on(async {
        let store: Arc<dyn Store> = Arc::new(support::sqlite_memory().await);
        check(store, "SQLite").await;
    });
    #[cfg(feature = "postgres")]
    if let Some(url) = support::postgres::url("statement counts") {
        runtime.block_on(async {
            let store: Arc<dyn Store> = support::pg_migrated(&url).await;
            check(store, "PostgreSQL").await;
        });
    }
}
