//! Tenants, members, staff, groups and the catalog.

use super::fixtures::{Found, Must, user};
use crate::catalog::{Category, Product};
use crate::error::{Entity, Error};
use crate::ids::{GroupId, TenantId};
use crate::people::{Group, Member, MemberRole, Staff, StaffRole, TenantScope};
use crate::ports::Store;
use crate::questionnaire::{Question, QuestionKind, QuestionnaireDefinition};
use crate::status::Status;
use crate::tenant::{ClosureMode, RequesterVisibility, Tenant, Window};

/// Tenants: stored and read back whole (settings included) by id and by slug; listed by
/// slug; a taken slug is [`Error::AlreadyExists`] and stores nothing; an update replaces
/// name and settings but keeps the slug.
pub async fn tenants_are_unique_by_slug_and_listed_by_slug(store: &dyn Store) {
    let beta = Tenant::new("beta", "Beta").must("a tenant");
    let mut alpha = Tenant::new("alpha", "Alpha Etablissement").must("a tenant");
    alpha.settings.requester_visibility = RequesterVisibility::WholeTenantReadOnly;
    alpha.settings.closure_mode = ClosureMode::Direct;
    alpha.settings.approval_window = Window::seconds(3600);
    alpha.settings.reopen_window = Window::days(3);
    alpha.settings.archive_delay = Window::days(45);
    alpha.settings.default_language = "en".to_owned();
    alpha
        .settings
        .status_labels
        .entry("fr".to_owned())
        .or_default()
        .insert(Status::Closed, "Conflit réglé".to_owned());
    alpha.settings.questionnaire = QuestionnaireDefinition {
        questions: vec![
            Question {
                key: "note".to_owned(),
                label: "Votre note ?".to_owned(),
                required: true,
                kind: QuestionKind::Score { min: 1, max: 5 },
            },
            Question {
                key: "delai".to_owned(),
                label: "Délai".to_owned(),
                required: false,
                kind: QuestionKind::Choice {
                    options: vec!["ok".to_owned(), "lent".to_owned()],
                },
            },
        ],
    };
    let gamma = Tenant::new("gamma-2", "Gamma").must("a tenant");
    for t in [&beta, &alpha, &gamma] {
        store.insert_tenant(t).await.must("inserting a tenant");
    }

    assert_eq!(
        store.tenant(alpha.id).await.must("reading a tenant"),
        Some(alpha.clone()),
        "a tenant reads back whole, settings included"
    );
    assert_eq!(
        store.tenant_by_slug("beta").await.must("reading by slug"),
        Some(beta.clone()),
        "a tenant is found by its slug"
    );
    assert_eq!(
        store.tenant_by_slug("delta").await.must("reading by slug"),
        None,
        "an unknown slug finds nothing"
    );
    assert_eq!(
        store.tenant(TenantId::new()).await.must("reading a tenant"),
        None,
        "an unknown id finds nothing"
    );
    assert_eq!(
        store.tenants().await.must("listing tenants"),
        vec![alpha.clone(), beta.clone(), gamma.clone()],
        "tenants are listed by slug"
    );

    let duplicate = Tenant::new("alpha", "Another Alpha").must("a tenant");
    match store.insert_tenant(&duplicate).await {
        Err(Error::AlreadyExists(Entity::Tenant)) => {}
        other => panic!("a taken slug must be AlreadyExists(Tenant), got {other:?}"),
    }
    assert_eq!(
        store.tenant(duplicate.id).await.must("reading a tenant"),
        None,
        "a refused tenant is not stored"
    );
    assert_eq!(store.tenants().await.must("listing tenants").len(), 3);

    let mut renamed = beta.clone();
    renamed.name = "Beta Renommé".to_owned();
    renamed.slug = "beta-new".to_owned();
    renamed.settings.archive_delay = Window::days(10);
    renamed.settings.closure_mode = ClosureMode::Direct;
    store
        .update_tenant(&renamed)
        .await
        .must("updating a tenant");
    let stored = store
        .tenant(beta.id)
        .await
        .must("reading a tenant")
        .found("the updated tenant");
    assert_eq!(stored.name, "Beta Renommé", "an update replaces the name");
    assert_eq!(
        stored.settings, renamed.settings,
        "an update replaces the settings"
    );
    assert_eq!(stored.slug, "beta", "an update keeps the slug");
    assert_eq!(
        store
            .tenant_by_slug("beta-new")
            .await
            .must("reading by slug"),
        None,
        "an update does not change the slug"
    );
}

/// Members: one per host user and tenant ([`Error::AlreadyExists`] otherwise), the same
/// host user may be a member of two tenants; every lookup is scoped to its tenant;
/// members are listed by display name; an update replaces name, email, role and the
/// blocked flag, but never the host user.
pub async fn members_are_unique_per_tenant_and_read_within_it(store: &dyn Store) {
    let a = Tenant::new("alpha", "Alpha").must("a tenant");
    let b = Tenant::new("bravo", "Bravo").must("a tenant");
    store.insert_tenant(&a).await.must("inserting a tenant");
    store.insert_tenant(&b).await.must("inserting a tenant");

    let member = |tenant: &Tenant, id: &str, name: &str, role| {
        Member::new(
            tenant.id,
            user(id),
            name,
            Some(&format!("{id}@example.org")),
            role,
        )
        .must("a member")
    };
    let zoe = member(&a, "zoe", "Zoe", MemberRole::Requester);
    let alice_a = member(&a, "alice", "Alice", MemberRole::Requester);
    let bernard = member(&a, "bernard", "Bernard", MemberRole::TenantAdmin);
    let alice_b = member(&b, "alice", "Alice B.", MemberRole::TenantAdmin);
    for m in [&zoe, &alice_a, &bernard] {
        store.insert_member(m).await.must("inserting a member");
    }
    store
        .insert_member(&alice_b)
        .await
        .must("the same host user joining a second tenant");

    let twin = member(&a, "alice", "Alice Twin", MemberRole::Requester);
    match store.insert_member(&twin).await {
        Err(Error::AlreadyExists(Entity::Member)) => {}
        other => panic!(
            "a second member for the same host user in one tenant must be AlreadyExists(Member), got {other:?}"
        ),
    }
    assert_eq!(
        store.member(a.id, twin.id).await.must("reading a member"),
        None,
        "a refused member is not stored"
    );

    assert_eq!(
        store
            .member(a.id, alice_a.id)
            .await
            .must("reading a member"),
        Some(alice_a.clone())
    );
    assert_eq!(
        store
            .member(b.id, alice_a.id)
            .await
            .must("reading a member"),
        None,
        "a member of alpha is not found in bravo"
    );
    assert_eq!(
        store
            .member_by_user(a.id, &user("alice"))
            .await
            .must("reading a member by user"),
        Some(alice_a.clone())
    );
    assert_eq!(
        store
            .member_by_user(b.id, &user("alice"))
            .await
            .must("reading a member by user"),
        Some(alice_b.clone()),
        "the same host user is a different member in each tenant"
    );
    assert_eq!(
        store
            .member_by_user(b.id, &user("zoe"))
            .await
            .must("reading a member by user"),
        None,
        "a host user is only a member where they were added"
    );
    assert_eq!(
        store.members(a.id).await.must("listing members"),
        vec![alice_a.clone(), bernard.clone(), zoe.clone()],
        "members are listed by display name, only their tenant's"
    );
    assert_eq!(
        store.members(b.id).await.must("listing members"),
        vec![alice_b.clone()]
    );

    let mut changed = alice_a.clone();
    changed.blocked = true;
    changed.display_name = "Alice Martin".to_owned();
    changed.email = None;
    changed.role = MemberRole::TenantAdmin;
    changed.user = user("mallory");
    store
        .update_member(&changed)
        .await
        .must("updating a member");
    let stored = store
        .member(a.id, alice_a.id)
        .await
        .must("reading a member")
        .found("the updated member");
    assert!(stored.blocked, "an update can block a member");
    assert_eq!(stored.display_name, "Alice Martin");
    assert_eq!(stored.email, None);
    assert_eq!(stored.role, MemberRole::TenantAdmin);
    assert_eq!(stored.user, user("alice"), "an update keeps the host user");
    assert_eq!(
        store
            .member_by_user(a.id, &user("alice"))
            .await
            .must("reading a member by user")
            .map(|m| m.id),
        Some(alice_a.id)
    );
    let mut unblocked = stored.clone();
    unblocked.blocked = false;
    store
        .update_member(&unblocked)
        .await
        .must("unblocking a member");
    assert_eq!(
        store
            .member(a.id, alice_a.id)
            .await
            .must("reading a member"),
        Some(unblocked),
        "an update can unblock a member"
    );
}

/// Staff: one per host user ([`Error::AlreadyExists`] otherwise); their tenant scope
/// (all, some, none) and groups round-trip; listed by display name; an update replaces
/// everything but the host user.
pub async fn staff_are_unique_and_keep_their_tenants_and_groups(store: &dyn Store) {
    let a = Tenant::new("alpha", "Alpha").must("a tenant");
    let b = Tenant::new("bravo", "Bravo").must("a tenant");
    store.insert_tenant(&a).await.must("inserting a tenant");
    store.insert_tenant(&b).await.must("inserting a tenant");
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

    let mut changed = sam.clone();
    changed.groups = vec![g1.id];
    changed.tenants = TenantScope::All;
    changed.role = StaffRole::Supervisor;
    changed.active = false;
    changed.display_name = "Samuel".to_owned();
    changed.email = None;
    changed.user = user("mallory");
    store
        .update_staff(&changed, &sam)
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

    // Each field takes part in the comparison, the email's absence included.
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
            groups: vec![g1.id],
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
    let without_email = Staff {
        email: None,
        ..renamed.clone()
    };
    store
        .update_staff(&without_email, &renamed)
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
    assert_eq!(store.staff(sam.id).await.must("reading staff"), Some(back));

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

/// Groups, categories and products: stored and read back whole; categories and
/// products are scoped to their tenant (a lookup from another tenant finds nothing),
/// the category tree's parents round-trip; lists are by name; updates replace.
pub async fn groups_categories_and_products_round_trip(store: &dyn Store) {
    let a = Tenant::new("alpha", "Alpha").must("a tenant");
    let b = Tenant::new("bravo", "Bravo").must("a tenant");
    store.insert_tenant(&a).await.must("inserting a tenant");
    store.insert_tenant(&b).await.must("inserting a tenant");

    let reseau = Group::new("Reseau").must("a group");
    let logiciel = Group::new("Logiciel").must("a group");
    let materiel = Group::new("Materiel").must("a group");
    for g in [&reseau, &logiciel, &materiel] {
        store.insert_group(g).await.must("inserting a group");
    }
    assert_eq!(
        store.group(reseau.id).await.must("reading a group"),
        Some(reseau.clone())
    );
    assert_eq!(
        store.group(GroupId::new()).await.must("reading a group"),
        None
    );
    assert_eq!(
        store.groups().await.must("listing groups"),
        vec![logiciel.clone(), materiel.clone(), reseau.clone()],
        "groups are listed by name"
    );
    let mut renamed = materiel.clone();
    renamed.name = "Atelier".to_owned();
    store.update_group(&renamed).await.must("renaming a group");
    assert_eq!(
        store.groups().await.must("listing groups"),
        vec![renamed.clone(), logiciel.clone(), reseau.clone()],
        "a renamed group is listed under its new name"
    );

    let it = Category::new(a.id, None, "Informatique", Some(logiciel.id)).must("a category");
    let printers = Category::new(a.id, Some(it.id), "Imprimantes", None).must("a category");
    let mut toner =
        Category::new(a.id, Some(printers.id), "Toner", Some(reseau.id)).must("a category");
    toner.active = false;
    let admin_b = Category::new(b.id, None, "Administratif", None).must("a category");
    // Parents first, as a store with foreign keys needs.
    for c in [&it, &printers, &toner, &admin_b] {
        store.insert_category(c).await.must("inserting a category");
    }
    assert_eq!(
        store
            .category(a.id, toner.id)
            .await
            .must("reading a category"),
        Some(toner.clone()),
        "parent, group and activity round-trip"
    );
    assert_eq!(
        store.category(b.id, it.id).await.must("reading a category"),
        None,
        "a category of alpha is not found in bravo"
    );
    assert_eq!(
        store.categories(a.id).await.must("listing categories"),
        vec![printers.clone(), it.clone(), toner.clone()],
        "a tenant's whole tree, by name"
    );
    assert_eq!(
        store.categories(b.id).await.must("listing categories"),
        vec![admin_b.clone()]
    );
    let mut moved = toner.clone();
    moved.parent = Some(it.id);
    moved.group = None;
    moved.active = true;
    moved.name = "Cartouches".to_owned();
    store
        .update_category(&moved)
        .await
        .must("updating a category");
    assert_eq!(
        store
            .category(a.id, toner.id)
            .await
            .must("reading a category"),
        Some(moved.clone()),
        "an update moves, renames, re-routes and reactivates"
    );
    let mut top = printers.clone();
    top.parent = None;
    store
        .update_category(&top)
        .await
        .must("moving a category to the top");
    assert_eq!(
        store
            .category(a.id, printers.id)
            .await
            .must("reading a category")
            .found("the moved category")
            .parent,
        None,
        "a category can move to the top of the tree"
    );

    let contract = Product::new(a.id, None, "Contrat").must("a product");
    let inl = Product::new(a.id, Some("INL"), "Logiciel INL").must("a product");
    let other = Product::new(b.id, Some("MNT"), "Maintenance").must("a product");
    for p in [&inl, &contract, &other] {
        store.insert_product(p).await.must("inserting a product");
    }
    assert_eq!(
        store.product(a.id, inl.id).await.must("reading a product"),
        Some(inl.clone())
    );
    assert_eq!(
        store.product(b.id, inl.id).await.must("reading a product"),
        None,
        "a product of alpha is not found in bravo"
    );
    assert_eq!(
        store.products(a.id).await.must("listing products"),
        vec![contract.clone(), inl.clone()],
        "products are listed by name, only their tenant's"
    );
    let mut retired = inl.clone();
    retired.active = false;
    retired.code = None;
    retired.name = "Logiciel INL v1".to_owned();
    store
        .update_product(&retired)
        .await
        .must("updating a product");
    assert_eq!(
        store.product(a.id, inl.id).await.must("reading a product"),
        Some(retired)
    );
    assert_eq!(
        store.products(b.id).await.must("listing products"),
        vec![other]
    );
}
