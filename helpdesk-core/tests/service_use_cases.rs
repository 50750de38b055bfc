//! The use cases around the workflow: administration rights, export, saved searches,
//! the knowledge base, attachments and faults.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{Duration, TimeZone, Utc};
use helpdesk_core::testing::{Seed, StaffSeed, World, draft};
use helpdesk_core::{
    Actor, Answer, Answers, ArticleDraft, AttachmentId, ClosureMode, CommandName, Entity, Error,
    Forbidden, MemberDetails, MemberRole, NewAttachment, NewTicket, PageRequest,
    RequesterVisibility, SearchCriteria, StaffRole, Status, TenantId, TicketId, UserId, export_csv,
};

/// Alice, Bob (requesters) and Carol (tenant admin) in acme, Dave in globex; Sam, an
/// agent of every tenant; Sue, a supervisor of acme; on the in-memory store, at a manual
/// clock.
async fn world() -> World {
    Seed::in_memory()
        .at(Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap())
        .two_tenants()
        .member("acme", "alice", MemberRole::Requester)
        .member("acme", "bob", MemberRole::Requester)
        .member("acme", "carol", MemberRole::TenantAdmin)
        .member("globex", "dave", MemberRole::Requester)
        .staff(StaffSeed::agent("sam").named("Sam"))
        .staff(StaffSeed::supervisor("sue").named("Sue").only(&["acme"]))
        .build()
        .await
        .unwrap()
}

async fn open(w: &World, actor: &Actor, tenant: TenantId, subject: &str) -> TicketId {
    w.service
        .open(actor, tenant, draft(subject), vec![])
        .await
        .unwrap()
        .id
}

#[tokio::test]
async fn only_platform_admins_create_tenants() {
    let w = world().await;
    for actor in [
        &w.actor("carol"),
        &w.actor("sam"),
        &w.actor("sue"),
        &w.actor("alice"),
    ] {
        let err = w
            .service
            .create_tenant(actor, "initech", "Initech")
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::Forbidden(Forbidden::RoleRequired)),
            "{err}"
        );
    }
    let dup = w
        .service
        .create_tenant(&w.root, "acme", "Acme again")
        .await
        .unwrap_err();
    assert!(matches!(dup, Error::AlreadyExists(Entity::Tenant)), "{dup}");
    let bad = w
        .service
        .create_tenant(&w.root, "Not A Slug", "x")
        .await
        .unwrap_err();
    assert!(
        matches!(&bad, Error::Validation(v) if v.field == "slug"),
        "{bad}"
    );
}

#[tokio::test]
async fn the_platform_admin_can_be_bootstrapped_only_once() {
    let w = world().await;
    let err = w
        .service
        .bootstrap_platform_admin(&UserId::new("mallory").unwrap(), "Mallory")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Forbidden(_)), "{err}");
}

#[tokio::test]
async fn tenant_admins_block_members_who_then_can_do_nothing() {
    let w = world().await;
    let ticket = open(&w, &w.actor("alice"), w.tenant("acme"), "Printer").await;
    let Actor::Member(alice) = &w.actor("alice") else {
        unreachable!()
    };
    let err = w
        .service
        .set_member_blocked(&w.actor("bob"), w.tenant("acme"), alice.id, true)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Forbidden(Forbidden::RoleRequired)),
        "{err}"
    );
    let other_tenant = w
        .service
        .set_member_blocked(&w.actor("dave"), w.tenant("acme"), alice.id, true)
        .await
        .unwrap_err();
    assert!(
        matches!(other_tenant, Error::NotFound(Entity::Tenant)),
        "{other_tenant}"
    );

    let blocked = w
        .service
        .set_member_blocked(&w.actor("carol"), w.tenant("acme"), alice.id, true)
        .await
        .unwrap();
    assert!(blocked.blocked);
    let refused = w
        .service
        .actor(&UserId::new("alice").unwrap(), Some(w.tenant("acme")))
        .await
        .unwrap_err();
    assert!(
        matches!(refused, Error::Forbidden(Forbidden::AccountBlocked)),
        "{refused}"
    );
    let stale = Actor::Member(blocked.clone());
    let reply = w
        .service
        .reply(&stale, ticket, None, "still here?", vec![])
        .await
        .unwrap_err();
    assert!(
        matches!(reply, Error::Forbidden(Forbidden::AccountBlocked)),
        "{reply}"
    );

    let unblocked = w
        .service
        .set_member_blocked(&w.actor("carol"), w.tenant("acme"), alice.id, false)
        .await
        .unwrap();
    assert!(!unblocked.blocked);
    assert!(
        w.service
            .actor(&UserId::new("alice").unwrap(), Some(w.tenant("acme")))
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn nobody_blocks_themself() {
    let w = world().await;
    let Actor::Member(carol) = &w.actor("carol") else {
        unreachable!()
    };
    let err = w
        .service
        .set_member_blocked(&w.actor("carol"), w.tenant("acme"), carol.id, true)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Validation(v) if v.field == "member"),
        "{err}"
    );
}

#[tokio::test]
async fn supervisors_create_agents_only_within_their_tenants() {
    let mut w = world().await;
    let inside = w
        .add_staff_as(
            &w.actor("sue"),
            StaffSeed::new("ann", StaffRole::Agent)
                .named("Ann")
                .only(&["acme"]),
        )
        .await;
    assert!(inside.is_ok());
    let outside = w
        .add_staff_as(
            &w.actor("sue"),
            StaffSeed::new("ben", StaffRole::Agent)
                .named("Ben")
                .only(&["globex"]),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(outside, Error::Forbidden(Forbidden::RoleRequired)),
        "{outside}"
    );
    let promote = w
        .add_staff_as(
            &w.actor("sue"),
            StaffSeed::new("cid", StaffRole::PlatformAdmin).named("Cid"),
        )
        .await
        .unwrap_err();
    assert!(matches!(promote, Error::Forbidden(_)), "{promote}");
    let agent = w
        .add_staff_as(
            &w.actor("sam"),
            StaffSeed::new("dan", StaffRole::Agent).named("Dan"),
        )
        .await
        .unwrap_err();
    assert!(matches!(agent, Error::Forbidden(_)), "{agent}");
}

#[tokio::test]
async fn categories_route_tickets_to_their_group_and_refuse_cycles() {
    let w = world().await;
    let network = w
        .service
        .create_group(&w.actor("sue"), "Réseau")
        .await
        .unwrap();
    let top = w
        .service
        .create_category(
            &w.actor("carol"),
            w.tenant("acme"),
            None,
            "Informatique",
            Some(network.id),
        )
        .await
        .unwrap();
    let sub = w
        .service
        .create_category(
            &w.actor("carol"),
            w.tenant("acme"),
            Some(top.id),
            "Imprimantes",
            None,
        )
        .await
        .unwrap();
    let ticket = w
        .service
        .open(
            &w.actor("alice"),
            w.tenant("acme"),
            NewTicket {
                category: Some(sub.id),
                ..draft("Imprimante HS")
            },
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(ticket.group, Some(network.id));

    let mut looped = top.clone();
    looped.parent = Some(sub.id);
    let err = w
        .service
        .update_category(&w.actor("carol"), looped)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Validation(v) if v.field == "parent"),
        "{err}"
    );

    let foreign = w
        .service
        .open(
            &w.actor("dave"),
            w.tenant("globex"),
            NewTicket {
                category: Some(sub.id),
                ..draft("x")
            },
            vec![],
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&foreign, Error::Validation(v) if v.field == "category"),
        "{foreign}"
    );
}

#[tokio::test]
async fn requesters_open_for_themselves_and_staff_on_a_members_behalf() {
    let w = world().await;
    let Actor::Member(bob) = &w.actor("bob") else {
        unreachable!()
    };
    let for_bob = NewTicket {
        requester: Some(bob.id),
        ..draft("for bob")
    };
    let err = w
        .service
        .open(&w.actor("alice"), w.tenant("acme"), for_bob.clone(), vec![])
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Forbidden(Forbidden::RoleRequired)),
        "{err}"
    );
    let by_admin = w
        .service
        .open(&w.actor("carol"), w.tenant("acme"), for_bob.clone(), vec![])
        .await
        .unwrap();
    assert_eq!(by_admin.requester, bob.id);
    let by_staff = w
        .service
        .open(&w.actor("sam"), w.tenant("acme"), for_bob, vec![])
        .await
        .unwrap();
    assert_eq!(by_staff.requester, bob.id);
    let nobody = w
        .service
        .open(
            &w.actor("sam"),
            w.tenant("acme"),
            draft("for whom?"),
            vec![],
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&nobody, Error::Validation(v) if v.field == "requester"),
        "{nobody}"
    );
    let elsewhere = w
        .service
        .open(
            &w.actor("dave"),
            w.tenant("acme"),
            draft("wrong tenant"),
            vec![],
        )
        .await
        .unwrap_err();
    assert!(
        matches!(elsewhere, Error::NotFound(Entity::Tenant)),
        "{elsewhere}"
    );
}

#[tokio::test]
async fn a_store_failure_leaves_no_trace_and_the_command_can_be_retried() {
    let w = world().await;
    let ticket = open(&w, &w.actor("alice"), w.tenant("acme"), "Printer").await;
    let before = w.service.ticket(&w.actor("sam"), ticket).await.unwrap();
    let outbox = w.store().outbox_len();
    w.store().fail_next_ticket_write();
    let err = w
        .service
        .reply(&w.actor("sam"), ticket, None, "On it", vec![])
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Store(_)), "{err}");
    assert_eq!(
        w.service.ticket(&w.actor("sam"), ticket).await.unwrap(),
        before
    );
    assert_eq!(w.store().outbox_len(), outbox);
    let after = w
        .service
        .reply(&w.actor("sam"), ticket, None, "On it", vec![])
        .await
        .unwrap();
    assert_eq!(after.version, before.ticket.version + 1);
}

#[tokio::test]
async fn a_stale_version_is_a_conflict_and_changes_nothing() {
    let w = world().await;
    let ticket = open(&w, &w.actor("alice"), w.tenant("acme"), "Printer").await;
    w.service
        .reply(&w.actor("sam"), ticket, Some(1), "first", vec![])
        .await
        .unwrap();
    let before = w.service.ticket(&w.actor("sam"), ticket).await.unwrap();
    let err = w
        .service
        .reply(&w.actor("sue"), ticket, Some(1), "second", vec![])
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::VersionConflict {
                expected: 1,
                actual: 2
            }
        ),
        "{err}"
    );
    assert_eq!(
        w.service.ticket(&w.actor("sam"), ticket).await.unwrap(),
        before
    );
}

#[tokio::test]
async fn internal_note_attachments_stay_with_staff() {
    let w = world().await;
    let ticket = open(&w, &w.actor("alice"), w.tenant("acme"), "Printer").await;
    let public = AttachmentId::new();
    let internal = AttachmentId::new();
    let file = |id, name: &str| NewAttachment {
        id,
        file_name: name.into(),
        content_type: "image/png".into(),
        size: 10,
    };
    w.service
        .reply(
            &w.actor("sam"),
            ticket,
            None,
            "see picture",
            vec![file(public, "../../photo.png")],
        )
        .await
        .unwrap();
    w.service
        .add_note(
            &w.actor("sam"),
            ticket,
            None,
            "log file",
            vec![file(internal, "server.log")],
        )
        .await
        .unwrap();

    let alice_view = w.service.ticket(&w.actor("alice"), ticket).await.unwrap();
    assert_eq!(
        alice_view
            .attachments
            .iter()
            .map(|a| a.id)
            .collect::<Vec<_>>(),
        [public]
    );
    assert_eq!(alice_view.attachments[0].file_name, "photo.png");
    assert_eq!(
        w.service
            .ticket(&w.actor("sam"), ticket)
            .await
            .unwrap()
            .attachments
            .len(),
        2
    );
    assert!(
        w.service
            .attachment(&w.actor("alice"), public)
            .await
            .is_ok()
    );
    let hidden = w
        .service
        .attachment(&w.actor("alice"), internal)
        .await
        .unwrap_err();
    assert!(
        matches!(hidden, Error::NotFound(Entity::Attachment)),
        "{hidden}"
    );
    let foreign = w
        .service
        .attachment(&w.actor("dave"), public)
        .await
        .unwrap_err();
    assert!(
        matches!(foreign, Error::NotFound(Entity::Attachment)),
        "{foreign}"
    );
}

#[tokio::test]
async fn export_is_for_tenant_admins_and_platform_admins_within_their_scope() {
    let w = world().await;
    let first = open(&w, &w.actor("alice"), w.tenant("acme"), "=SUM(A1)").await;
    open(
        &w,
        &w.actor("bob"),
        w.tenant("acme"),
        "Réseau lent, très lent",
    )
    .await;
    open(&w, &w.actor("dave"), w.tenant("globex"), "Globex only").await;
    w.service
        .propose_closure(&w.actor("sam"), first, None, "done")
        .await
        .unwrap();
    let answers: Answers = [("overall".to_owned(), Answer::Score(8))].into();
    w.service
        .approve_closure(&w.actor("alice"), first, None, answers)
        .await
        .unwrap();

    for actor in [&w.actor("alice"), &w.actor("sam"), &w.actor("sue")] {
        let err = w
            .service
            .export(actor, SearchCriteria::default(), &[])
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::Forbidden(Forbidden::RoleRequired)),
            "{err}"
        );
    }
    let all = SearchCriteria {
        include_closed: true,
        ..SearchCriteria::default()
    };
    let rows = w
        .service
        .export(&w.actor("carol"), all.clone(), &[])
        .await
        .unwrap();
    assert_eq!(rows.len(), 2, "a tenant admin exports their tenant only");
    assert!(rows.iter().all(|r| r.tenant == "acme"));
    let closed = rows.iter().find(|r| r.score.is_some()).unwrap();
    assert_eq!(closed.status, "Clôturée");
    assert_eq!(closed.requester, "alice");
    let everyone = w.service.export(&w.root, all.clone(), &[]).await.unwrap();
    let mut requesters: Vec<_> = everyone.iter().map(|r| r.requester.as_str()).collect();
    requesters.sort_unstable();
    assert_eq!(
        requesters,
        ["alice", "bob", "dave"],
        "the requesters of every tenant named"
    );
    let picked = w
        .service
        .export(&w.root, all, &[closed.number])
        .await
        .unwrap();
    assert_eq!(picked.len(), 2, "number 1 exists in both tenants");

    let csv = export_csv(&rows);
    assert!(csv.starts_with("tenant,number,subject,status"));
    assert!(csv.contains("\"Réseau lent, très lent\""));
    assert!(csv.contains("'=SUM(A1)"), "formulas are defused: {csv}");
}

#[tokio::test]
async fn saved_searches_belong_to_their_owner() {
    let w = world().await;
    let criteria = SearchCriteria {
        statuses: vec![Status::New],
        ..SearchCriteria::default()
    };
    let saved = w
        .service
        .save_search(&w.actor("alice"), "Mes nouveaux", criteria.clone())
        .await
        .unwrap();
    assert_eq!(
        w.service.saved_searches(&w.actor("alice")).await.unwrap(),
        std::slice::from_ref(&saved)
    );
    assert!(
        w.service
            .saved_searches(&w.actor("bob"))
            .await
            .unwrap()
            .is_empty()
    );
    let err = w
        .service
        .delete_saved_search(&w.actor("bob"), saved.id)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound(Entity::SavedSearch)), "{err}");
    w.service
        .delete_saved_search(&w.actor("alice"), saved.id)
        .await
        .unwrap();
    assert!(
        w.service
            .saved_searches(&w.actor("alice"))
            .await
            .unwrap()
            .is_empty()
    );
    let blank = w
        .service
        .save_search(&w.actor("alice"), "  ", criteria)
        .await
        .unwrap_err();
    assert!(
        matches!(&blank, Error::Validation(v) if v.field == "name"),
        "{blank}"
    );
}

#[tokio::test]
async fn knowledge_base_suggests_published_articles_of_the_callers_tenant() {
    let w = world().await;
    w.service
        .create_article(
            &w.actor("sam"),
            w.tenant("acme"),
            ArticleDraft {
                category: None,
                title: "Réinitialiser son mot de passe",
                body: "<p>Cliquez sur « mot de passe oublié ».</p>",
                published: true,
            },
        )
        .await
        .unwrap();
    let draft_article = w
        .service
        .create_article(
            &w.actor("carol"),
            w.tenant("acme"),
            ArticleDraft {
                category: None,
                title: "Mot de passe expiré",
                body: "<p>Brouillon</p>",
                published: true,
            },
        )
        .await
        .unwrap();
    w.service
        .update_article(
            &w.actor("carol"),
            w.tenant("acme"),
            draft_article.id,
            ArticleDraft {
                category: None,
                title: "Mot de passe expiré",
                body: "<p>Brouillon</p>",
                published: false,
            },
        )
        .await
        .unwrap();
    let err = w
        .service
        .create_article(
            &w.actor("alice"),
            w.tenant("acme"),
            ArticleDraft {
                category: None,
                title: "x",
                body: "y",
                published: true,
            },
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Forbidden(Forbidden::RoleRequired)),
        "{err}"
    );

    let found = w
        .service
        .kb_suggestions(
            &w.actor("alice"),
            w.tenant("acme"),
            "mot de PASSE oublie",
            None,
            5,
        )
        .await
        .unwrap();
    assert_eq!(
        found.iter().map(|a| a.title.as_str()).collect::<Vec<_>>(),
        ["Réinitialiser son mot de passe"]
    );
    let foreign = w
        .service
        .kb_suggestions(&w.actor("dave"), w.tenant("acme"), "mot de passe", None, 5)
        .await
        .unwrap_err();
    assert!(
        matches!(foreign, Error::NotFound(Entity::Tenant)),
        "{foreign}"
    );
    assert_eq!(
        w.service
            .articles(&w.actor("alice"), w.tenant("acme"))
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        w.service
            .articles(&w.actor("carol"), w.tenant("acme"))
            .await
            .unwrap()
            .len(),
        2
    );
}

#[tokio::test]
async fn due_closures_are_approved_automatically_without_answers() {
    let w = world().await;
    let ticket = open(&w, &w.actor("alice"), w.tenant("acme"), "Printer").await;
    w.service
        .propose_closure(&w.actor("sam"), ticket, None, "fixed")
        .await
        .unwrap();
    w.clock().advance(Duration::days(14));
    assert_eq!(w.service.auto_approve_due_closures().await.unwrap(), 0);
    w.clock().advance(Duration::days(2));
    assert_eq!(w.service.auto_approve_due_closures().await.unwrap(), 1);
    let view = w.service.ticket(&w.actor("alice"), ticket).await.unwrap();
    assert_eq!(view.ticket.status(), Status::Closed);
    assert!(view.ticket.closure_answers().is_none());
    assert_eq!(w.service.auto_approve_due_closures().await.unwrap(), 0);
}

#[tokio::test]
async fn tenant_settings_change_visibility_and_closure_mode() {
    let w = world().await;
    let alices = open(&w, &w.actor("alice"), w.tenant("acme"), "Alice's").await;
    let missing = w.service.ticket(&w.actor("bob"), alices).await.unwrap_err();
    assert!(
        matches!(missing, Error::NotFound(Entity::Ticket)),
        "{missing}"
    );

    let tenant = w
        .service
        .tenant(&w.actor("carol"), w.tenant("acme"))
        .await
        .unwrap();
    let mut settings = tenant.settings.clone();
    settings.requester_visibility = RequesterVisibility::WholeTenantReadOnly;
    settings.closure_mode = ClosureMode::Direct;
    let err = w
        .service
        .update_tenant(
            &w.actor("alice"),
            w.tenant("acme"),
            "Acme",
            settings.clone(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Forbidden(Forbidden::RoleRequired)),
        "{err}"
    );
    w.service
        .update_tenant(&w.actor("carol"), w.tenant("acme"), "Acme", settings)
        .await
        .unwrap();

    let view = w.service.ticket(&w.actor("bob"), alices).await.unwrap();
    assert!(
        !view.actions.contains(&CommandName::Reply),
        "read-only: {:?}",
        view.actions
    );
    let readonly = w
        .service
        .reply(&w.actor("bob"), alices, None, "me too", vec![])
        .await
        .unwrap_err();
    assert!(
        matches!(readonly, Error::Forbidden(Forbidden::ReadOnly)),
        "{readonly}"
    );
    let page = w
        .service
        .search(
            &w.actor("bob"),
            SearchCriteria::default(),
            PageRequest::default(),
        )
        .await
        .unwrap();
    assert_eq!(page.tickets.len(), 1);

    let closed = w
        .service
        .propose_closure(&w.actor("sam"), alices, None, "done")
        .await
        .unwrap();
    assert_eq!(
        closed.status(),
        Status::Closed,
        "direct closure closes in one step"
    );
}

#[tokio::test]
async fn dashboards_count_what_the_caller_may_see() {
    let w = world().await;
    open(&w, &w.actor("alice"), w.tenant("acme"), "one").await;
    open(&w, &w.actor("bob"), w.tenant("acme"), "two").await;
    open(&w, &w.actor("dave"), w.tenant("globex"), "three").await;
    let alice = w
        .service
        .dashboard(&w.actor("alice"), None, None, 3)
        .await
        .unwrap();
    assert_eq!(alice.by_status[&Status::New], 1);
    let carol = w
        .service
        .dashboard(&w.actor("carol"), None, None, 3)
        .await
        .unwrap();
    assert_eq!(carol.by_status[&Status::New], 2);
    let root = w.service.dashboard(&w.root, None, None, 3).await.unwrap();
    assert_eq!(root.by_status[&Status::New], 3);
    assert_eq!(root.opened_per_month.len(), 3);
    assert_eq!(root.opened_per_month[2].opened, 3);
    let bad = w
        .service
        .dashboard(&w.root, None, None, 0)
        .await
        .unwrap_err();
    assert!(
        matches!(&bad, Error::Validation(v) if v.field == "months"),
        "{bad}"
    );
}

#[tokio::test]
async fn a_retried_open_with_the_same_idempotency_key_opens_one_ticket() {
    let w = world().await;
    let keyed = NewTicket {
        idempotency_key: Some("req-42".into()),
        ..draft("Printer")
    };
    let first = w
        .service
        .open(&w.actor("alice"), w.tenant("acme"), keyed.clone(), vec![])
        .await
        .unwrap();
    let again = w
        .service
        .open(&w.actor("alice"), w.tenant("acme"), keyed.clone(), vec![])
        .await
        .unwrap();
    assert_eq!(first.id, again.id);
    assert_eq!(again.number, first.number);
    let page = w
        .service
        .search(
            &w.actor("carol"),
            SearchCriteria::default(),
            PageRequest::default(),
        )
        .await
        .unwrap();
    assert_eq!(page.tickets.len(), 1);
    // Another caller's key never collides with alice's.
    let bobs = w
        .service
        .open(&w.actor("bob"), w.tenant("acme"), keyed, vec![])
        .await
        .unwrap();
    assert_ne!(bobs.id, first.id);
}

#[tokio::test]
async fn a_refusal_names_the_real_reason_before_looking_at_the_input() {
    let w = world().await;
    let ticket = open(&w, &w.actor("alice"), w.tenant("acme"), "Printer").await;
    // Alice may see the ticket but never assign: an unknown assignee does not matter.
    let err = w
        .service
        .assign(
            &w.actor("alice"),
            ticket,
            None,
            Some(helpdesk_core::StaffId::new()),
            None,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Forbidden(Forbidden::StaffOnly)),
        "{err}"
    );
    // A blank note by a requester is refused as staff-only, not as blank.
    let err = w
        .service
        .add_note(&w.actor("alice"), ticket, None, " ", vec![])
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Forbidden(Forbidden::StaffOnly)),
        "{err}"
    );
    // On a hidden ticket, even a blank reply answers not found.
    let err = w
        .service
        .reply(&w.actor("dave"), ticket, None, "", vec![])
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound(Entity::Ticket)), "{err}");
    // An approval on a new ticket is an invalid transition, whatever the answers.
    let err = w
        .service
        .approve_closure(&w.actor("alice"), ticket, Some(99), Answers::new())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidTransition {
                from: Status::New,
                ..
            }
        ),
        "{err}"
    );
}

#[tokio::test]
async fn a_ticket_view_names_the_people_its_reader_may_see() {
    let w = world().await;
    let ticket = open(&w, &w.actor("alice"), w.tenant("acme"), "Printer").await;
    w.service
        .add_note(&w.actor("sam"), ticket, None, "internal", vec![])
        .await
        .unwrap();
    let alice_id = w.actor("alice").as_member().unwrap().id.to_string();
    let sam_id = w.actor("sam").as_staff().unwrap().id.to_string();
    let alices = w.service.ticket(&w.actor("alice"), ticket).await.unwrap();
    assert_eq!(
        alices.names.get(&alice_id).map(String::as_str),
        Some("alice")
    );
    assert!(
        !alices.names.contains_key(&sam_id),
        "a note's author is not revealed by it"
    );
    let sams = w.service.ticket(&w.actor("sam"), ticket).await.unwrap();
    assert_eq!(sams.names.get(&sam_id).map(String::as_str), Some("Sam"));
    w.service
        .reply(&w.actor("sam"), ticket, None, "public", vec![])
        .await
        .unwrap();
    let alices = w.service.ticket(&w.actor("alice"), ticket).await.unwrap();
    assert_eq!(alices.names.get(&sam_id).map(String::as_str), Some("Sam"));
}

#[tokio::test]
async fn a_search_page_names_requesters_and_assignees() {
    let w = world().await;
    let ticket = open(&w, &w.actor("alice"), w.tenant("acme"), "Printer").await;
    let sam = w.actor("sam").as_staff().unwrap().id;
    w.service
        .assign(&w.actor("sam"), ticket, None, Some(sam), None)
        .await
        .unwrap();
    let page = w
        .service
        .search(
            &w.actor("carol"),
            SearchCriteria::default(),
            PageRequest::default(),
        )
        .await
        .unwrap();
    let alice = w.actor("alice").as_member().unwrap().id.to_string();
    assert_eq!(page.names.get(&alice).map(String::as_str), Some("alice"));
    assert_eq!(
        page.names.get(&sam.to_string()).map(String::as_str),
        Some("Sam")
    );
}

#[tokio::test]
async fn one_host_user_is_either_staff_or_a_member() {
    let mut w = world().await;
    let err = w
        .add_staff_as(
            &w.root.clone(),
            StaffSeed::new("carol", StaffRole::Agent).named("Carol"),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Validation(v) if v.field == "user"),
        "{err}"
    );
    let err = w
        .service
        .add_member(
            &w.actor("carol"),
            w.tenant("acme"),
            MemberDetails {
                user: &UserId::new("sam").unwrap(),
                display_name: "Fake Sam",
                email: None,
                role: MemberRole::TenantAdmin,
            },
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Validation(v) if v.field == "user"),
        "{err}"
    );
    // Carol is still recognised as the tenant admin she is.
    let carol = w
        .service
        .actor(&UserId::new("carol").unwrap(), Some(w.tenant("acme")))
        .await
        .unwrap();
    assert!(carol.as_member().is_some());
}

#[tokio::test]
async fn groups_are_listed_to_staff_and_tenant_admins_only() {
    let w = world().await;
    w.service
        .create_group(&w.actor("sue"), "Réseau")
        .await
        .unwrap();
    assert_eq!(w.service.groups(&w.actor("carol")).await.unwrap().len(), 1);
    assert_eq!(w.service.groups(&w.actor("sam")).await.unwrap().len(), 1);
    let err = w.service.groups(&w.actor("alice")).await.unwrap_err();
    assert!(
        matches!(err, Error::Forbidden(Forbidden::RoleRequired)),
        "{err}"
    );
}

#[tokio::test]
async fn paging_does_not_skip_tickets_opened_in_the_same_microsecond() {
    let w = world().await;
    let at = Utc.with_ymd_and_hms(2026, 3, 2, 10, 0, 0).unwrap();
    w.clock().set(at);
    let first = open(&w, &w.actor("alice"), w.tenant("acme"), "first").await;
    w.clock().set(at + Duration::nanoseconds(1));
    let second = open(&w, &w.actor("alice"), w.tenant("acme"), "second").await;
    let one = PageRequest {
        limit: 1,
        after: None,
    };
    let page1 = w
        .service
        .search(&w.actor("carol"), SearchCriteria::default(), one)
        .await
        .unwrap();
    assert_eq!(page1.tickets[0].id, second);
    let cursor: helpdesk_core::Cursor = page1.next.unwrap().to_string().parse().unwrap();
    let page2 = w
        .service
        .search(
            &w.actor("carol"),
            SearchCriteria::default(),
            PageRequest {
                limit: 1,
                after: Some(cursor),
            },
        )
        .await
        .unwrap();
    assert_eq!(
        page2.tickets.iter().map(|t| t.id).collect::<Vec<_>>(),
        [first]
    );
}

#[tokio::test]
async fn an_idempotency_key_sent_again_with_another_body_is_refused_and_opens_nothing() {
    let w = world().await;
    let keyed = NewTicket {
        idempotency_key: Some("req-7".into()),
        ..draft("Printer")
    };
    let first = w
        .service
        .open(&w.actor("alice"), w.tenant("acme"), keyed.clone(), vec![])
        .await
        .unwrap();
    let other_body = NewTicket {
        description: "<p>Scanner, in fact</p>".into(),
        ..keyed.clone()
    };
    let err = w
        .service
        .open(&w.actor("alice"), w.tenant("acme"), other_body, vec![])
        .await
        .unwrap_err();
    assert!(matches!(err, Error::IdempotencyKeyReused), "{err}");
    let page = w
        .service
        .search(
            &w.actor("carol"),
            SearchCriteria::default(),
            PageRequest::default(),
        )
        .await
        .unwrap();
    assert_eq!(page.tickets.len(), 1, "nothing more was opened");
    assert_eq!(page.tickets[0].subject, "Printer");
    // The first request, sent again, still finds its ticket.
    let again = w
        .service
        .open(&w.actor("alice"), w.tenant("acme"), keyed, vec![])
        .await
        .unwrap();
    assert_eq!(again.id, first.id);
}

#[tokio::test]
async fn an_internal_note_leaves_no_trace_a_requester_can_observe() {
    let w = world().await;
    let ticket = open(&w, &w.actor("alice"), w.tenant("acme"), "Printer").await;
    w.clock().advance(Duration::minutes(5));
    w.service
        .reply(&w.actor("sam"), ticket, None, "Which model?", vec![])
        .await
        .unwrap();
    let seen = w
        .service
        .ticket(&w.actor("alice"), ticket)
        .await
        .unwrap()
        .ticket;
    w.clock().advance(Duration::hours(1));
    let noted_at = w.service.now();
    let after_note = w
        .service
        .add_note(
            &w.actor("sam"),
            ticket,
            None,
            "Internal: the vendor owes us",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(after_note.version, seen.version + 1, "staff see the note");
    assert_eq!(after_note.updated_at, noted_at);

    // The requester's version, updated time and search by updated time are unmoved.
    let seen_again = w
        .service
        .ticket(&w.actor("alice"), ticket)
        .await
        .unwrap()
        .ticket;
    assert_eq!(seen_again.version, seen.version);
    assert_eq!(seen_again.updated_at, seen.updated_at);
    let since_note = SearchCriteria {
        updated_from: Some(noted_at),
        ..SearchCriteria::default()
    };
    let theirs = w
        .service
        .search(
            &w.actor("alice"),
            since_note.clone(),
            PageRequest::default(),
        )
        .await
        .unwrap();
    assert!(theirs.tickets.is_empty(), "the requester finds no change");
    let listed = w
        .service
        .search(
            &w.actor("alice"),
            SearchCriteria::default(),
            PageRequest::default(),
        )
        .await
        .unwrap();
    assert_eq!(listed.tickets[0].version, seen.version);
    assert_eq!(listed.tickets[0].updated_at, seen.updated_at);
    let staffs = w
        .service
        .search(&w.actor("sam"), since_note, PageRequest::default())
        .await
        .unwrap();
    assert_eq!(staffs.tickets.len(), 1, "staff find the noted ticket");

    // Their conditional reply on the version they saw is not stale because of the note.
    let replied = w
        .service
        .reply(
            &w.actor("alice"),
            ticket,
            Some(seen.version),
            "A 4050",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(replied.version, seen.version + 1);
    // A staff member who read before the note is stale, as before.
    let err = w
        .service
        .reply(&w.actor("sam"), ticket, Some(seen.version), "late", vec![])
        .await
        .unwrap_err();
    assert!(matches!(err, Error::VersionConflict { .. }), "{err}");
}

#[tokio::test]
async fn a_csv_export_counts_once_and_its_pages_count_nothing() {
    use helpdesk_core::Store;
    use helpdesk_core::memory::MemoryStore;
    use helpdesk_core::testing::FaultyStore;
    use std::sync::Arc;

    let memory = Arc::new(MemoryStore::new());
    let faulty = Arc::new(FaultyStore::new(memory.clone() as Arc<dyn Store>));
    let w = Seed::new(helpdesk_core::HelpdeskService::new(faulty.clone()))
        .with_memory(memory)
        .at(Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap())
        .two_tenants()
        .member("acme", "alice", MemberRole::Requester)
        .member("acme", "carol", MemberRole::TenantAdmin)
        .build()
        .await
        .unwrap();
    // Three pages of 200.
    for i in 0..450 {
        open(
            &w,
            &w.actor("alice"),
            w.tenant("acme"),
            &format!("Poste {i}"),
        )
        .await;
    }
    assert_eq!(
        export_counting(&w, &faulty, &[]).await,
        (450, 1 + 3),
        "one count up to the export's limit, then the three pages"
    );
    let rows = w
        .service
        .export(&w.actor("carol"), SearchCriteria::default(), &[])
        .await
        .unwrap();
    assert_eq!(rows.len(), 450);
    assert!(
        rows.iter().all(|r| r.requester == "alice"),
        "every page names its requesters"
    );
    let picked = vec![helpdesk_core::TicketNumber::new(1)];
    assert_eq!(
        export_counting(&w, &faulty, &picked).await,
        (1, 3),
        "picked numbers of one tenant are no more rows than numbers: no count"
    );
}

/// A tenant admin's CSV export of acme's open tickets (or of `numbers`), read to the end:
/// its rows and how many searches it ran.
async fn export_counting(
    w: &World,
    faulty: &helpdesk_core::testing::FaultyStore,
    numbers: &[helpdesk_core::TicketNumber],
) -> (usize, usize) {
    let before = faulty.calls("search");
    let mut export = w
        .service
        .csv_export(
            &w.actor("carol"),
            SearchCriteria::default(),
            numbers,
            helpdesk_core::CsvFormat::Standard,
        )
        .await
        .unwrap();
    let mut lines = 0;
    while let Some(chunk) = export.next_chunk().await.unwrap() {
        lines += chunk.lines().count();
    }
    (lines - 1, faulty.calls("search") - before)
}
