//! A person's language and muted notification topics, and members found by name, login or
//! email.

use super::fixtures::{Found, Must, user};
use crate::error::{Entity, Error};
use crate::people::{Member, MemberQuery, MemberRole, Staff, StaffRole, TenantScope};
use crate::ports::Store;
use crate::tenant::Tenant;
use crate::topic::{MutedTopics, NotificationTopic};

/// Languages: a member's and a staff member's `language` is stored with them and read
/// back by id, by host user and in lists; an update sets it, changes it and clears it;
/// a staff update made from a record whose language is stale writes nothing
/// ([`Error::ConcurrentUpdate`]).
pub async fn languages_of_members_and_staff_round_trip(store: &dyn Store) {
    let acme = Tenant::new("acme", "Acme").must("a tenant");
    store.insert_tenant(&acme).await.must("inserting a tenant");
    member_languages_round_trip(store, &acme).await;
    staff_languages_round_trip(store, &acme).await;
}

/// A member's language is stored, read back by id and in lists, and an update sets,
/// changes and clears it.
async fn member_languages_round_trip(store: &dyn Store, acme: &Tenant) {
    let mut alice =
        Member::new(acme.id, user("alice"), "Alice", None, MemberRole::Requester).must("a member");
    alice.language = Some("en".to_owned());
    let bob =
        Member::new(acme.id, user("bob"), "Bob", None, MemberRole::Requester).must("a member");
    for m in [&alice, &bob] {
        store.insert_member(m).await.must("inserting a member");
    }
    let read = store
        .member(acme.id, alice.id)
        .await
        .must("reading a member")
        .found("alice");
    assert_eq!(
        read.language.as_deref(),
        Some("en"),
        "a member's language is stored"
    );
    assert_eq!(read, alice, "a member with a language reads back whole");
    assert_eq!(
        store.members(acme.id).await.must("listing members"),
        vec![alice.clone(), bob.clone()],
        "members are listed with their language (or none)"
    );
    for language in [Some("fr"), None, Some("en")] {
        let mut changed = bob.clone();
        changed.language = language.map(str::to_owned);
        store
            .update_member(&changed)
            .await
            .must("updating a member");
        assert_eq!(
            store
                .member_by_user(acme.id, &user("bob"))
                .await
                .must("reading a member by user")
                .found("bob")
                .language
                .as_deref(),
            language,
            "an update sets, changes and clears a member's language"
        );
    }
}

/// A staff member's language is stored and changed by an update; an update made from a
/// record whose language is stale writes nothing; a fresh one clears it.
async fn staff_languages_round_trip(store: &dyn Store, acme: &Tenant) {
    let mut sam = Staff::new(
        user("sam"),
        "Sam",
        None,
        StaffRole::Agent,
        TenantScope::Only(vec![acme.id]),
    )
    .must("staff");
    sam.language = Some("fr".to_owned());
    store.insert_staff(&sam).await.must("inserting staff");
    assert_eq!(
        store.staff(sam.id).await.must("reading staff"),
        Some(sam.clone()),
        "a staff member's language is stored"
    );
    let mut english = sam.clone();
    english.language = Some("en".to_owned());
    store
        .update_staff(&english, &sam)
        .await
        .must("updating staff");
    assert_eq!(
        store
            .staff_by_user(&user("sam"))
            .await
            .must("reading staff by user"),
        Some(english.clone()),
        "a staff update changes the language"
    );
    let mut cleared = english.clone();
    cleared.language = None;
    match store.update_staff(&cleared, &sam).await {
        Err(Error::ConcurrentUpdate(Entity::Staff)) => {}
        other => panic!(
            "an update made from a record whose language changed since must be \
             ConcurrentUpdate(Staff), got {other:?}"
        ),
    }
    store
        .update_staff(&cleared, &english)
        .await
        .must("clearing a staff member's language");
    assert_eq!(
        store.all_staff().await.must("listing staff"),
        vec![cleared],
        "a staff member's language is cleared"
    );
}

/// Muted topics: a member's and a staff member's muted [`NotificationTopic`]s are
/// stored with them and read back whole; an update sets, changes and clears them; a
/// staff update made from a record whose muted topics are stale writes nothing
/// ([`Error::ConcurrentUpdate`]).
pub async fn muted_topics_of_members_and_staff_round_trip(store: &dyn Store) {
    let acme = Tenant::new("acme", "Acme").must("a tenant");
    store.insert_tenant(&acme).await.must("inserting a tenant");
    let mut alice =
        Member::new(acme.id, user("alice"), "Alice", None, MemberRole::Requester).must("a member");
    alice.muted = [NotificationTopic::Changes, NotificationTopic::Assignment].into();
    store.insert_member(&alice).await.must("inserting a member");
    assert_eq!(
        store
            .member(acme.id, alice.id)
            .await
            .must("reading a member"),
        Some(alice.clone()),
        "a member's muted topics are stored"
    );
    for muted in [
        MutedTopics::from([NotificationTopic::Replies]),
        MutedTopics::new(),
        MutedTopics::from(NotificationTopic::ALL),
    ] {
        let mut changed = alice.clone();
        changed.muted = muted.clone();
        store
            .update_member(&changed)
            .await
            .must("updating a member");
        assert_eq!(
            store
                .members(acme.id)
                .await
                .must("listing members")
                .into_iter()
                .map(|m| m.muted)
                .collect::<Vec<_>>(),
            vec![muted],
            "an update sets, changes and clears a member's muted topics"
        );
    }
    let mut sam = Staff::new(
        user("sam"),
        "Sam",
        None,
        StaffRole::Agent,
        TenantScope::Only(vec![acme.id]),
    )
    .must("staff");
    sam.muted = [NotificationTopic::Notes].into();
    store.insert_staff(&sam).await.must("inserting staff");
    assert_eq!(
        store.staff(sam.id).await.must("reading staff"),
        Some(sam.clone()),
        "a staff member's muted topics are stored"
    );
    let mut quiet = sam.clone();
    quiet.muted = [NotificationTopic::Opened, NotificationTopic::Notes].into();
    store
        .update_staff(&quiet, &sam)
        .await
        .must("updating staff");
    let mut cleared = quiet.clone();
    cleared.muted = MutedTopics::new();
    match store.update_staff(&cleared, &sam).await {
        Err(Error::ConcurrentUpdate(Entity::Staff)) => {}
        other => panic!(
            "an update made from a record whose muted topics changed since must be \
             ConcurrentUpdate(Staff), got {other:?}"
        ),
    }
    store
        .update_staff(&cleared, &quiet)
        .await
        .must("clearing a staff member's muted topics");
    assert_eq!(
        store
            .staff_by_user(&user("sam"))
            .await
            .must("reading staff by user"),
        Some(cleared),
        "a staff member's muted topics are cleared"
    );
}

/// Finding members: exactly the members of the query's tenant whose display name, host
/// user or email holds every word (accents and case folded, each word the beginning of
/// one of theirs, as [`MemberQuery::matches`] says), by display name then id, at most
/// `limit`; blocked ones only when asked; no words finds every member; `%` and `_` are
/// never wildcards; a renamed member is found by the new name only.
pub async fn members_are_found_by_name_login_and_email(store: &dyn Store) {
    let acme = Tenant::new("acme", "Acme").must("a tenant");
    let globex = Tenant::new("globex", "Globex").must("a tenant");
    for t in [&acme, &globex] {
        store.insert_tenant(t).await.must("inserting a tenant");
    }
    let seeded = seed_members(store, &acme, &globex).await;
    let everyone = store.members(acme.id).await.must("listing members");
    members_matching_each_query_are_found(store, &acme, &everyone).await;
    accents_case_and_wildcards_are_handled(store, &acme, &seeded.marc).await;
    a_renamed_member_is_found_by_the_new_name_only(store, &acme, &seeded.bruno).await;
}

/// The members [`seed_members`] hands back for later checks.
struct SeededMembers {
    /// A blocked member of acme, renamed by the last check.
    bruno: Member,
    /// A member of acme whose login holds `_`.
    marc: Member,
}

/// Inserts acme's members (one blocked) and a namesake of one of them in globex.
async fn seed_members(store: &dyn Store, acme: &Tenant, globex: &Tenant) -> SeededMembers {
    let member = |tenant: &Tenant, login: &str, name: &str, email: Option<&str>| {
        Member::new(tenant.id, user(login), name, email, MemberRole::Requester).must("a member")
    };
    let elodie = member(
        acme,
        "emartin",
        "Élodie Martin",
        Some("elodie.martin@acme.example"),
    );
    let chloe = member(
        acme,
        "c.lefevre",
        "Chloé LEFÈVRE",
        Some("chloe@acme.example"),
    );
    let mut bruno = member(acme, "bdurand", "Bruno Durand", None);
    bruno.blocked = true;
    let marc = member(acme, "marc_t", "Marc Tin", Some("marc@other.example"));
    let outsider = member(
        globex,
        "emartin",
        "Élodie Martin",
        Some("elodie@globex.example"),
    );
    for m in [&elodie, &chloe, &bruno, &marc, &outsider] {
        store.insert_member(m).await.must("inserting a member");
    }
    SeededMembers { bruno, marc }
}

/// Display names of found members, in order.
fn names(found: Vec<Member>) -> Vec<String> {
    found.into_iter().map(|m| m.display_name).collect()
}

/// Each query finds exactly the members of acme that [`MemberQuery::matches`] accepts, by
/// display name, at most `limit`.
async fn members_matching_each_query_are_found(
    store: &dyn Store,
    acme: &Tenant,
    everyone: &[Member],
) {
    let cases: [(&str, bool, u32); 14] = [
        ("elodie", true, 50),
        ("ÉLODIE mart", true, 50),
        ("lefev", true, 50),
        ("chloe lefevre", true, 50),
        ("c.lefevre", true, 50),
        ("acme", true, 50),
        ("ACME.example", true, 1),
        ("durand", true, 50),
        ("durand", false, 50),
        ("", true, 50),
        ("", false, 2),
        ("mar%tin", true, 50),
        ("marc_t", true, 50),
        ("zzz", true, 50),
    ];
    for (text, include_blocked, limit) in cases {
        let query = MemberQuery {
            include_blocked,
            ..MemberQuery::new(acme.id, text, limit)
        };
        let mut expected: Vec<Member> = everyone
            .iter()
            .filter(|m| query.matches(m))
            .cloned()
            .collect();
        expected.truncate(limit as usize);
        let found = store.find_members(&query).await.must("finding members");
        assert_eq!(
            found, expected,
            "members of acme matching {text:?} (blocked included: {include_blocked}, \
             limit {limit}), by display name"
        );
    }
}

/// Accents and case are folded, another tenant's namesake is not found, and `%` is no
/// wildcard.
async fn accents_case_and_wildcards_are_handled(store: &dyn Store, acme: &Tenant, marc: &Member) {
    assert_eq!(
        names(
            store
                .find_members(&MemberQuery::new(acme.id, "elodie", 50))
                .await
                .must("finding members")
        ),
        ["Élodie Martin"],
        "accents and case are folded, and another tenant's Élodie is not found"
    );
    assert!(
        store
            .find_members(&MemberQuery::new(acme.id, "mar%tin", 50))
            .await
            .must("finding members")
            .iter()
            .all(|m| m.id == marc.id),
        "`%` is no wildcard"
    );
}

/// A renamed member is found by the new name, and no longer by the old one.
async fn a_renamed_member_is_found_by_the_new_name_only(
    store: &dyn Store,
    acme: &Tenant,
    bruno: &Member,
) {
    let mut renamed = bruno.clone();
    renamed.display_name = "Bruno Petit".to_owned();
    store
        .update_member(&renamed)
        .await
        .must("renaming a member");
    assert_eq!(
        names(
            store
                .find_members(&MemberQuery::new(acme.id, "petit", 50))
                .await
                .must("finding members")
        ),
        ["Bruno Petit"],
        "a renamed member is found by the new name"
    );
    assert!(
        store
            .find_members(&MemberQuery::new(acme.id, "durand", 50))
            .await
            .must("finding members")
            .is_empty(),
        "and no longer by the old one"
    );
}
