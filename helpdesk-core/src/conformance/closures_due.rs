//! Closures due: the pending proposals the closing job picks up.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::fixtures::{
    Directory, Must, assert_same_tickets, blank_ticket, days, directory, event, insert_ticket, now,
    opened_event, rich,
};
use crate::ids::{StaffId, TenantId};
use crate::people::ActorRef;
use crate::ports::Store;
use crate::status::Status;
use crate::ticket::{Closure, Ticket, TicketState};
use crate::timeline::EventKind;

/// A listing of closures due: tenant, cutoff, limit, the tickets expected by name, and
/// what it shows.
type DueCase<'a> = (TenantId, DateTime<Utc>, u32, &'a [&'a str], &'a str);

/// Closures due: only the tenant's tickets pending closure proposed at or before the
/// cutoff, oldest proposal first, at most `limit`.
pub async fn closures_due_are_the_tenants_oldest_pending_proposals(store: &dyn Store) {
    let dir = directory(store).await;
    let (a, b) = (dir.tenants[0].id, dir.tenants[1].id);
    let agent = dir.staff[1].id;
    let cutoff = now() - days(15);
    let by_name = insert_proposals(store, &dir, agent, cutoff).await;
    let named =
        |names: &[&str]| -> Vec<Ticket> { names.iter().map(|n| by_name[n].clone()).collect() };
    let cases: [DueCase; 6] = [
        (
            a,
            cutoff,
            10,
            &["p1", "p2", "p3 at the cutoff"],
            "closures due in alpha at the cutoff, oldest first",
        ),
        (
            a,
            cutoff,
            2,
            &["p1", "p2"],
            "closures due with a limit of 2",
        ),
        (
            a,
            now(),
            10,
            &["p1", "p2", "p3 at the cutoff", "p4"],
            "every pending closure of alpha by now",
        ),
        (
            a,
            now() - days(25),
            10,
            &[],
            "nothing is due before the oldest proposal",
        ),
        (b, cutoff, 10, &["other tenant"], "closures due in bravo"),
        (
            dir.tenants[2].id,
            now(),
            10,
            &[],
            "closures due in a tenant without tickets",
        ),
    ];
    for (tenant, at, limit, names, context) in cases {
        assert_same_tickets(
            &store
                .closures_due(tenant, at, limit)
                .await
                .must("listing closures due"),
            &named(names),
            context,
        );
    }
}

/// Stores tickets pending closure (proposed at various times around `cutoff`) and
/// others, by name; inserted out of order, so the store has to sort.
async fn insert_proposals(
    store: &dyn Store,
    dir: &Directory,
    agent: StaffId,
    cutoff: DateTime<Utc>,
) -> BTreeMap<&'static str, Ticket> {
    let (a, b) = (dir.tenants[0].id, dir.tenants[1].id);
    let pending = |at: DateTime<Utc>| TicketState::PendingClosure {
        proposed_at: at,
        proposed_by: agent,
    };
    let specs = [
        ("p2", a, pending(now() - days(16))),
        ("p4", a, pending(now() - days(10))),
        ("p1", a, pending(now() - days(20))),
        ("p3 at the cutoff", a, pending(cutoff)),
        ("in progress", a, TicketState::InProgress),
        (
            "closed",
            a,
            TicketState::Closed {
                closed_at: now() - days(40),
                closure: Closure::AutoApproved,
            },
        ),
        ("other tenant", b, pending(now() - days(30))),
    ];
    let mut by_name = BTreeMap::new();
    for (name, tenant, state) in specs {
        let requester = dir.requesters[dir.index_of(tenant)][0].id;
        let mut ticket = blank_ticket(tenant, requester, now() - days(60));
        ticket.subject = name.to_owned();
        ticket.assignee = Some(agent);
        let change = (ticket.status() != state.status()).then(|| (Status::New, state.status()));
        ticket.state = state;
        let events = [
            opened_event(&ticket),
            event(
                &ticket,
                now() - days(50),
                ActorRef::Staff(agent),
                EventKind::ClosureProposed {
                    solution: rich("<p>Résolu</p>"),
                },
                change,
            ),
        ];
        ticket.updated_at = now() - days(50);
        insert_ticket(store, &mut ticket, &events).await;
        by_name.insert(name, ticket);
    }
    by_name
}
