//! Staff members: uniqueness, tenants and groups, compare-and-swap updates.

use super::directory::two_tenants;
use super::fixtures::{Must, user};
use crate::error::{Entity, Error};
use crate::ids::GroupId;
use crate::people::{Group, Staff, StaffRole, TenantScope};
use crate::ports::Store;

/// Staff: one per host user ([`Error::AlreadyExists`] otherwise); their tenant scope
/// (all, some, none) and groups round-trip; listed by display name; an update replaces
/// everything but the host user.
pub async fn staff_are_unique_and_keep_their_tenants_and_groups(store: &dyn Store) {
    let (a, b) = two_tenants(store).await;
    let g1 = Group::new("Logiciel").must("a group");
    let g2 = Group::new("Materiel").must("a group");
    store.insert_group(&g1).await.must("inserting a group");
    store.insert_group(&g2).await.must("inserting a group");

    let mut sam = Staff::new(
        user("sam"),
        "Sam",
        Some("sam@support.example"),
        StaffRole::Agent,
        TenantScope::Only(vec![b.id, a.id]),
    )
    .must("a staff member");
    sam.groups = vec![g2.id, g1.id];
    let root = Staff::new(
        user("root"),
        "Admin",
        None,
        StaffRole::PlatformAdmin,
        TenantScope::All,
    )
    .must("a staff member");
    let mut nobody = Staff::new(
        user("newcomer"),
        "Newcomer",
        None,
        StaffRole::Supervisor,
        TenantScope::Only(vec![]),
    )
    .must("a staff member");
    nobody.active = false;
    for s in [&sam, &root, &nobody] {
        store.insert_staff(s).await.must("inserting staff");
    }
    assert_a_second_staff_member_per_user_is_refused(store).await;
    assert_staff_read_back(store, [&sam, &root, &nobody]).await;
    assert_a_staff_update_keeps_the_host_user(store, &sam, g1.id).await;
}

/// A second staff member for host user `sam` is refused and not stored.
async fn assert_a_second_staff_member_per_user_is_refused(store: &dyn Store) {
    let twin = Staff::new(
        user("sam"),
        "Sam Again",
        None,
        StaffRole::Agent,
        TenantScope::All,
    )
    .must("a staff member");
    match store.insert_staff(&twin).await {
        Err(Error::AlreadyExists(Entity::Staff)) => {}
        other => panic!(
            "a second staff member for one host user must be AlreadyExists(Staff), got {other:?}"
        ),
    }
    assert_eq!(store.staff(twin.id).await.must("reading staff"), None);
}

/// Staff read back whole by id and host user, and are listed by display name.
async fn assert_staff_read_back(store: &dyn Store, [sam, root, nobody]: [&Staff; 3]) {
    assert_eq!(
        store.staff(sam.id).await.must("reading staff"),
        Some(sam.clone()),
        "tenants and groups round-trip, in order"
    );
    assert_eq!(
        store.staff(nobody.id).await.must("reading staff"),
        Some(nobody.clone()),
        "an empty tenant list and inactivity round-trip"
    );
    assert_eq!(
        store
            .staff_by_user(&user("root"))
            .await
            .must("reading staff by user"),
        Some(root.clone())
    );
    assert_eq!(
        store
            .staff_by_user(&user("alice"))
            .await
            .must("reading staff by user"),
        None
    );
    assert_eq!(
        store.all_staff().await.must("listing staff"),
        vec![root.clone(), nobody.clone(), sam.clone()],
        "staff are listed by display name"
    );
}

/// An update replaces role, tenants, groups and activity, never the host user.
async fn assert_a_staff_update_keeps_the_host_user(store: &dyn Store, sam: &Staff, g1: GroupId) {
    let mut changed = sam.clone();
    changed.groups = vec![g1];
    changed.tenants = TenantScope::All;
    changed.role = StaffRole::Supervisor;
    changed.active = false;
    changed.display_name = "Samuel".to_owned();
    changed.email = None;
    changed.user = user("mallory");
    store
        .update_staff(&changed, sam)
        .await
        .must("updating staff");
    let expected = Staff {
        user: user("sam"),
        ..changed
    };
    assert_eq!(
        store.staff(sam.id).await.must("reading staff"),
        Some(expected.clone()),
        "an update replaces role, tenants, groups and activity, and keeps the host user"
    );
    assert_eq!(
        store
            .staff_by_user(&user("sam"))
            .await
            .must("reading staff by user"),
        Some(expected)
    );
    assert_eq!(
        store
            .staff_by_user(&user("mallory"))
            .await
            .must("reading staff by user"),
        None
    );
}

/// A staff update is a compare-and-swap: it is written only while the stored record
/// still equals the one it was made from. Made from a stale record (someone else wrote
/// in between), it answers [`Error::ConcurrentUpdate`] and writes nothing; for a staff
/// member that does not exist, [`Error::NotFound`].
pub async fn a_staff_update_made_from_a_stale_record_writes_nothing(store: &dyn Store) {
    let g1 = Group::new("Logiciel").must("a group");
    store.insert_group(&g1).await.must("inserting a group");
    let sam = Staff::new(
        user("sam"),
        "Sam",
        Some("sam@support.example"),
        StaffRole::Agent,
        TenantScope::All,
    )
    .must("a staff member");
    store.insert_staff(&sam).await.must("inserting staff");

    let renamed = Staff {
        display_name: "Samuel".to_owned(),
        ..sam.clone()
    };
    store
        .update_staff(&renamed, &sam)
        .await
        .must("updating staff from the stored record");

    // Made from `sam` too, but `renamed` was written meanwhile: a lost update if taken.
    let regrouped = Staff {
        groups: vec![g1.id],
        ..sam.clone()
    };
    match store.update_staff(&regrouped, &sam).await {
        Err(Error::ConcurrentUpdate(Entity::Staff)) => {}
        other => panic!(
            "an update made from a stale staff record must be ConcurrentUpdate(Staff), got {other:?}"
        ),
    }
    assert_eq!(
        store.staff(sam.id).await.must("reading staff"),
        Some(renamed.clone()),
        "a refused staff update writes nothing"
    );
    assert_each_field_takes_part_in_the_comparison(store, &renamed, g1.id).await;
    assert_the_email_can_go_and_come_back(store, &renamed).await;
    assert_updating_missing_staff_is_not_found(store).await;
}

/// An update made from a record differing from the stored `renamed` in any one field
/// (the email's absence included) is refused.
async fn assert_each_field_takes_part_in_the_comparison(
    store: &dyn Store,
    renamed: &Staff,
    g1: GroupId,
) {
    for stale in [
        Staff {
            email: None,
            ..renamed.clone()
        },
        Staff {
            role: StaffRole::Supervisor,
            ..renamed.clone()
        },
        Staff {
            tenants: TenantScope::Only(vec![]),
            ..renamed.clone()
        },
        Staff {
            groups: vec![g1],
            ..renamed.clone()
        },
        Staff {
            active: false,
            ..renamed.clone()
        },
    ] {
        let attempt = Staff {
            display_name: "Mallory".to_owned(),
            ..stale.clone()
        };
        match store.update_staff(&attempt, &stale).await {
            Err(Error::ConcurrentUpdate(Entity::Staff)) => {}
            other => panic!(
                "an update made from {stale:?} while {renamed:?} is stored must be \
                 ConcurrentUpdate(Staff), got {other:?}"
            ),
        }
    }
}

/// Updates made from the stored record go through, with and without an email.
async fn assert_the_email_can_go_and_come_back(store: &dyn Store, renamed: &Staff) {
    let without_email = Staff {
        email: None,
        ..renamed.clone()
    };
    store
        .update_staff(&without_email, renamed)
        .await
        .must("removing the email");
    let back = Staff {
        email: Some("sam@support.example".to_owned()),
        ..renamed.clone()
    };
    store
        .update_staff(&back, &without_email)
        .await
        .must("updating from a record without email");
    assert_eq!(
        store.staff(renamed.id).await.must("reading staff"),
        Some(back)
    );
}

async fn assert_updating_missing_staff_is_not_found(store: &dyn Store) {
    let ghost = Staff::new(
        user("ghost"),
        "Ghost",
        None,
        StaffRole::Agent,
        TenantScope::All,
    )
    .must("a staff member");
    match store.update_staff(&ghost, &ghost).await {
        Err(Error::NotFound(Entity::Staff)) => {}
        other => panic!("updating missing staff must be NotFound(Staff), got {other:?}"),
    }
}
