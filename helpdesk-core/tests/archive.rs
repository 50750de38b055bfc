//! The archive as a ticket's page shows it: when a closed or cancelled ticket leaves (or
//! left) default lists, by the tenant's archive delay.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{Duration, TimeZone, Utc};
use helpdesk_core::testing::{Seed, StaffSeed};
use helpdesk_core::{MemberRole, NewTicket, PageRequest, SearchCriteria};

#[tokio::test]
async fn the_ticket_view_says_when_it_is_archived_and_default_lists_agree() {
    let opened = Utc.with_ymd_and_hms(2025, 6, 15, 12, 0, 0).unwrap();
    let w = Seed::in_memory()
        .at(opened)
        .tenant("acme", "Acme")
        .staff(StaffSeed::supervisor("sue").only(&["acme"]))
        .member("acme", "alice", MemberRole::Requester)
        .build()
        .await
        .unwrap();
    let alice = w.actor("alice");
    let draft = NewTicket {
        subject: "Imprimante".to_owned(),
        description: "Elle ne répond plus".to_owned(),
        ..Default::default()
    };
    let ticket = w
        .service
        .open(&alice, w.tenant("acme"), draft, vec![])
        .await
        .unwrap();
    let view = w.service.ticket(&alice, ticket.id).await.unwrap();
    assert_eq!(view.archived_at, None, "an open ticket is never archived");

    w.clock().advance(Duration::days(2));
    w.service
        .cancel(&alice, ticket.id, None, Some("Réglé tout seul"))
        .await
        .unwrap();
    let cancelled_at = opened + Duration::days(2);
    let view = w.service.ticket(&alice, ticket.id).await.unwrap();
    assert_eq!(
        view.archived_at,
        Some(cancelled_at + Duration::days(90)),
        "the tenant's 90 days after the cancellation"
    );

    let sue = w.actor("sue");
    let listed = |include_archived| {
        let criteria = SearchCriteria {
            include_closed: true,
            include_archived,
            ..SearchCriteria::default()
        };
        w.service.search(&sue, criteria, PageRequest::default())
    };
    w.clock()
        .set(cancelled_at + Duration::days(90) - Duration::seconds(1));
    assert_eq!(listed(false).await.unwrap().total, 1, "not archived yet");
    w.clock().set(cancelled_at + Duration::days(90));
    assert_eq!(
        listed(false).await.unwrap().total,
        0,
        "archived: out of default lists"
    );
    assert_eq!(
        listed(true).await.unwrap().total,
        1,
        "and reachable on request"
    );
    let view = w.service.ticket(&alice, ticket.id).await.unwrap();
    assert_eq!(view.archived_at, Some(cancelled_at + Duration::days(90)));
}
