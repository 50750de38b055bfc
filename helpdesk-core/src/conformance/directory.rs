//! Tenants and members.

use super::fixtures::{Found, Must, user};
use crate::error::{Entity, Error};
use crate::ids::{MemberId, TenantId};
use crate::people::{Member, MemberRole};
use crate::ports::Store;
use crate::questionnaire::{Question, QuestionKind, QuestionnaireDefinition};
use crate::status::Status;
use crate::tenant::{ClosureMode, RequesterVisibility, Tenant, Window};

/// Tenants: stored and read back whole (settings included) by id and by slug; listed by
/// slug; a taken slug is [`Error::AlreadyExists`] and stores nothing; an update replaces
/// name and settings but keeps the slug.
pub async fn tenants_are_unique_by_slug_and_listed_by_slug(store: &dyn Store) {
    let beta = Tenant::new("beta", "Beta").must("a tenant");
    let alpha = alpha_with_every_setting();
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
    assert_a_taken_slug_is_refused(store).await;
    assert_a_tenant_update_keeps_the_slug(store, &beta).await;
}

/// Tenant `alpha` with every setting away from its default.
fn alpha_with_every_setting() -> Tenant {
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
    alpha
}

/// A second tenant with the slug `alpha` (of the three stored) is refused and not stored.
async fn assert_a_taken_slug_is_refused(store: &dyn Store) {
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
}

/// An update of `beta` replaces its name and settings, not its slug.
async fn assert_a_tenant_update_keeps_the_slug(store: &dyn Store, beta: &Tenant) {
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

/// Stores tenants `alpha` and `bravo`.
pub(super) async fn two_tenants(store: &dyn Store) -> (Tenant, Tenant) {
    let a = Tenant::new("alpha", "Alpha").must("a tenant");
    let b = Tenant::new("bravo", "Bravo").must("a tenant");
    store.insert_tenant(&a).await.must("inserting a tenant");
    store.insert_tenant(&b).await.must("inserting a tenant");
    (a, b)
}

fn member(tenant: &Tenant, id: &str, name: &str, role: MemberRole) -> Member {
    Member::new(
        tenant.id,
        user(id),
        name,
        Some(&format!("{id}@example.org")),
        role,
    )
    .must("a member")
}

/// Members: one per host user and tenant ([`Error::AlreadyExists`] otherwise), the same
/// host user may be a member of two tenants; every lookup is scoped to its tenant;
/// members are listed by display name; an update replaces name, email, role and the
/// blocked flag, but never the host user.
pub async fn members_are_unique_per_tenant_and_read_within_it(store: &dyn Store) {
    let (a, b) = two_tenants(store).await;
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
    assert_members_are_read_within_their_tenant(
        store,
        (&a, &b),
        [&zoe, &alice_a, &bernard, &alice_b],
    )
    .await;
    assert_a_member_update_keeps_the_host_user(store, &a, &alice_a).await;
    assert_names_are_read_within_their_tenant(store, (&a, &b), [&zoe, &alice_a, &alice_b]).await;
}

/// [`names`](crate::DirectoryRepository::names) reads each member in the tenant it is
/// asked in, several tenants at once, and leaves out ids it does not know there.
async fn assert_names_are_read_within_their_tenant(
    store: &dyn Store,
    (a, b): (&Tenant, &Tenant),
    [zoe, alice_a, alice_b]: [&Member; 3],
) {
    let asked = [
        (a.id, zoe.id),
        (a.id, alice_a.id),
        (b.id, alice_b.id),
        (a.id, MemberId::new()),
    ];
    let names = store.names(&asked, &[], &[]).await.must("reading names");
    let mut expected = std::collections::BTreeMap::new();
    for (tenant, member) in [(a, zoe), (a, alice_a), (b, alice_b)] {
        // As stored now (an earlier step renames one of them).
        let stored = store
            .member(tenant.id, member.id)
            .await
            .must("reading a member")
            .found("the member");
        expected.insert(member.id.to_string(), stored.display_name);
    }
    assert_eq!(names, expected, "names of members of two tenants");
    let elsewhere = store
        .names(&[(b.id, zoe.id)], &[], &[])
        .await
        .must("reading names");
    assert!(
        elsewhere.is_empty(),
        "a member asked in another tenant has no name there: {elsewhere:?}"
    );
}

/// Lookups by id, by host user and lists are scoped to the tenant.
async fn assert_members_are_read_within_their_tenant(
    store: &dyn Store,
    (a, b): (&Tenant, &Tenant),
    [zoe, alice_a, bernard, alice_b]: [&Member; 4],
) {
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
}

/// An update blocks and unblocks, replaces name, email and role, never the host user.
async fn assert_a_member_update_keeps_the_host_user(
    store: &dyn Store,
    a: &Tenant,
    alice_a: &Member,
) {
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
