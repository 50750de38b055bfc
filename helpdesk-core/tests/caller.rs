//! Resolving the host's caller through the core, as every front end does: the tenant
//! named, the tenant-access rule, members registered on first sight and kept in step with
//! the host's profile; and the staff use cases that go with them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use helpdesk_core::testing::{Seed, StaffSeed, World, member_caller, profile, staff_caller};
use helpdesk_core::workflow::CommandName;
use helpdesk_core::{
    Entity, Error, Forbidden, GroupId, MemberRole, StaffChanges, StaffDetails, StaffRole,
    TenantScope, UserId,
};

/// Two tenants and a group, on the in-memory store.
async fn world() -> World {
    Seed::in_memory()
        .two_tenants()
        .group("Logiciel")
        .build()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_member_is_registered_from_the_profile_on_first_sight() {
    let w = world().await;
    let alice = profile("Alice", Some("alice@acme.example"), MemberRole::Requester);
    let resolved = w
        .service
        .resolve_caller(&member_caller("alice", "acme", Some(alice)), None)
        .await
        .unwrap();
    let member = resolved.actor.as_member().unwrap();
    assert_eq!(member.display_name, "Alice");
    assert_eq!(member.email.as_deref(), Some("alice@acme.example"));
    assert_eq!(member.tenant, w.tenant("acme"));
    assert_eq!(resolved.tenant.unwrap().id, w.tenant("acme"));
}

#[tokio::test]
async fn a_changed_profile_updates_name_email_and_role_in_one_write() {
    let w = world().await;
    let first = profile("Alice", Some("alice@acme.example"), MemberRole::Requester);
    w.service
        .resolve_caller(&member_caller("alice", "acme", Some(first)), None)
        .await
        .unwrap();
    let writes = w.store().member_writes();

    let changed = profile(
        "Alice Martin",
        Some("a.martin@acme.example"),
        MemberRole::TenantAdmin,
    );
    let resolved = w
        .service
        .resolve_caller(&member_caller("alice", "acme", Some(changed)), None)
        .await
        .unwrap();
    assert_eq!(w.store().member_writes(), writes + 1, "one write");
    let member = resolved.actor.as_member().unwrap();
    assert_eq!(member.display_name, "Alice Martin");
    assert_eq!(member.email.as_deref(), Some("a.martin@acme.example"));
    assert_eq!(member.role, MemberRole::TenantAdmin);
    let stored = w
        .service
        .member_by_user(&w.root, w.tenant("acme"), &UserId::new("alice").unwrap())
        .await
        .unwrap();
    assert_eq!(&stored, member, "the refreshed member is stored");
}

#[tokio::test]
async fn an_unchanged_profile_writes_nothing() {
    let w = world().await;
    let alice = profile("Alice", Some("alice@acme.example"), MemberRole::Requester);
    let caller = member_caller("alice", "acme", Some(alice));
    w.service.resolve_caller(&caller, None).await.unwrap();
    let writes = w.store().member_writes();
    for _ in 0..3 {
        w.service.resolve_caller(&caller, None).await.unwrap();
    }
    assert_eq!(w.store().member_writes(), writes);
}

#[tokio::test]
async fn a_profile_never_unblocks_a_blocked_member() {
    let w = world().await;
    let alice = profile("Alice", None, MemberRole::Requester);
    let resolved = w
        .service
        .resolve_caller(&member_caller("alice", "acme", Some(alice)), None)
        .await
        .unwrap();
    let id = resolved.actor.as_member().unwrap().id;
    w.service
        .set_member_blocked(&w.root, w.tenant("acme"), id, true)
        .await
        .unwrap();
    let writes = w.store().member_writes();

    let renamed = profile("Alice Martin", None, MemberRole::TenantAdmin);
    let refused = w
        .service
        .resolve_caller(&member_caller("alice", "acme", Some(renamed)), None)
        .await;
    assert!(
        matches!(refused, Err(Error::Forbidden(Forbidden::AccountBlocked))),
        "{refused:?}"
    );
    let stored = w
        .service
        .member_by_user(&w.root, w.tenant("acme"), &UserId::new("alice").unwrap())
        .await
        .unwrap();
    assert!(stored.blocked, "still blocked");
    assert_eq!(
        stored.role,
        MemberRole::Requester,
        "a blocked member is not promoted"
    );
    assert_eq!(w.store().member_writes(), writes);
}

#[tokio::test]
async fn a_user_unknown_without_a_profile_is_an_unknown_caller() {
    let w = world().await;
    let err = w
        .service
        .resolve_caller(&member_caller("nobody", "acme", None), None)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::UnknownCaller { .. }), "{err:?}");
    assert_eq!(err.code(), "unauthenticated");
    assert_eq!(
        err.to_string(),
        "user `nobody` is neither support staff nor a member of tenant `acme`"
    );
    let err = w
        .service
        .resolve_caller(&staff_caller("nobody"), None)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "user `nobody` is neither support staff nor a member of any named tenant"
    );
}

#[tokio::test]
async fn a_member_asking_for_another_tenant_finds_no_tenant() {
    let w = world().await;
    let alice = profile("Alice", None, MemberRole::Requester);
    let caller = member_caller("alice", "acme", Some(alice));
    w.service.resolve_caller(&caller, None).await.unwrap();
    let err = w
        .service
        .resolve_caller(&caller, Some("globex"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound(Entity::Tenant)), "{err:?}");
    let same = w.service.resolve_caller(&caller, Some("acme")).await;
    assert!(same.is_ok(), "naming one's own tenant again is fine");
}

#[tokio::test]
async fn staff_who_do_not_serve_a_tenant_find_no_tenant() {
    let mut w = world().await;
    w.add_staff(StaffSeed::agent("sam").only(&["acme"]))
        .await
        .unwrap();
    let err = w
        .service
        .resolve_caller(&staff_caller("sam"), Some("globex"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound(Entity::Tenant)), "{err:?}");
    let missing = w
        .service
        .resolve_caller(&staff_caller("sam"), Some("no-such-tenant"))
        .await
        .unwrap_err();
    assert_eq!(
        missing.to_string(),
        err.to_string(),
        "a tenant not served answers like a missing one"
    );
}

#[tokio::test]
async fn staff_serving_several_tenants_name_one_per_request_or_none() {
    let mut w = world().await;
    w.add_staff(StaffSeed::agent("sam")).await.unwrap();
    let none = w
        .service
        .resolve_caller(&staff_caller("sam"), None)
        .await
        .unwrap();
    assert!(none.actor.is_staff());
    assert_eq!(none.tenant, None);
    let globex = w
        .service
        .resolve_caller(&staff_caller("sam"), Some("globex"))
        .await
        .unwrap();
    assert_eq!(globex.tenant.unwrap().id, w.tenant("globex"));
}

#[tokio::test]
async fn a_staff_member_is_added_with_their_groups_in_one_call() {
    let mut w = world().await;
    let sam = w
        .add_staff_as(
            &w.root.clone(),
            StaffSeed::new("sam", StaffRole::Agent)
                .named("Sam")
                .groups(&["Logiciel"]),
        )
        .await
        .unwrap();
    assert_eq!(sam.groups, vec![w.group("Logiciel")]);
    assert_eq!(w.service.staff_member(&w.root, sam.id).await.unwrap(), sam);
}

#[tokio::test]
async fn a_staff_member_with_an_unknown_group_is_not_added_at_all() {
    let w = world().await;
    let err = w
        .service
        .add_staff(
            &w.root,
            StaffDetails {
                user: &UserId::new("sam").unwrap(),
                display_name: "Sam",
                email: None,
                role: StaffRole::Agent,
                tenants: TenantScope::All,
                groups: vec![GroupId::new()],
            },
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Validation(v) if v.field == "groups"),
        "{err:?}"
    );
    assert_eq!(
        w.service.staff_list(&w.root).await.unwrap().len(),
        1,
        "only root"
    );
}

#[tokio::test]
async fn a_staff_update_changes_only_the_fields_it_names() {
    let mut w = world().await;
    w.add_staff(StaffSeed::agent("sam").only(&["acme"]))
        .await
        .unwrap();
    let sam = w
        .service
        .resolve_caller(&staff_caller("sam"), None)
        .await
        .unwrap()
        .actor;
    let sam = sam.as_staff().unwrap();
    let grouped = w
        .service
        .update_staff(
            &w.root,
            sam.id,
            StaffChanges {
                groups: Some(vec![w.group("Logiciel")]),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let renamed = w
        .service
        .update_staff(
            &w.root,
            sam.id,
            StaffChanges {
                display_name: Some("Samuel".to_owned()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        renamed.groups,
        vec![w.group("Logiciel")],
        "the earlier change is kept"
    );
    assert_eq!(renamed.display_name, "Samuel");
    assert_eq!(renamed.tenants, TenantScope::Only(vec![w.tenant("acme")]));
    assert_eq!(grouped.user, renamed.user);
}

#[test]
fn command_names_serialise_as_the_snake_case_strings_clients_read() {
    let strings: Vec<String> = CommandName::ALL
        .iter()
        .map(|name| {
            serde_json::to_value(name)
                .unwrap()
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        strings,
        [
            "assign",
            "reply",
            "add_note",
            "request_information",
            "propose_closure",
            "approve_closure",
            "refuse_closure",
            "auto_approve",
            "cancel",
            "reopen",
            "edit",
            "move_category",
            "reassign_requester",
            "invite_guest",
        ]
    );
    for name in CommandName::ALL {
        assert_eq!(name.to_string(), name.as_str());
        let back: CommandName = serde_json::from_value(serde_json::json!(name.as_str())).unwrap();
        assert_eq!(back, name);
    }
    let refusal = Error::InvalidTransition {
        from: helpdesk_core::Status::New,
        command: CommandName::ApproveClosure,
    };
    assert_eq!(
        refusal.to_string(),
        "cannot approve_closure a ticket that is new"
    );
}

#[tokio::test]
async fn a_staff_update_naming_an_unknown_group_or_missing_staff_changes_nothing() {
    let mut w = world().await;
    w.add_staff(StaffSeed::agent("sam")).await.unwrap();
    let sam = w
        .service
        .resolve_caller(&staff_caller("sam"), None)
        .await
        .unwrap()
        .actor;
    let sam = sam.as_staff().unwrap().clone();
    let err = w
        .service
        .update_staff(
            &w.root,
            sam.id,
            StaffChanges {
                display_name: Some("Samuel".to_owned()),
                groups: Some(vec![GroupId::new()]),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Validation(v) if v.field == "groups"),
        "{err:?}"
    );
    assert_eq!(w.service.staff_member(&w.root, sam.id).await.unwrap(), sam);
    let missing = w
        .service
        .update_staff(
            &w.root,
            helpdesk_core::StaffId::new(),
            StaffChanges {
                groups: Some(vec![GroupId::new()]),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert!(
        matches!(missing, Error::NotFound(Entity::Staff)),
        "{missing:?}"
    );
}
