//! Bootstrapping a platform: the first platform admin and the first tenants, from a host
//! that runs its bootstrap at every start. Idempotent; never takes over an existing
//! platform; bad input changes nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use helpdesk_core::testing::{self, memory_service};
use helpdesk_core::{Actor, DirectoryRepository, Staff};
use helpdesk_core::{
    Error, Forbidden, HelpdeskService, StaffDetails, StaffRole, StoreError, StoreErrorKind,
    TenantScope, UserId,
};

fn service() -> HelpdeskService {
    memory_service().0
}

/// An agent of every tenant, added by `by`.
async fn add_agent(service: &HelpdeskService, by: &Actor, user: &str) -> Staff {
    service
        .add_staff(
            by,
            StaffDetails {
                user: &testing::user(user),
                display_name: user,
                email: None,
                role: StaffRole::Agent,
                tenants: TenantScope::All,
                groups: vec![],
            },
        )
        .await
        .unwrap()
}

#[tokio::test]
async fn ensure_platform_admin_creates_once_and_returns_the_same_admin_after() {
    let (service, store) = memory_service();
    let root = UserId::new("root").unwrap();
    let first = service.ensure_platform_admin(&root, "Root").await.unwrap();
    let again = service.ensure_platform_admin(&root, "Root").await.unwrap();
    assert_eq!(first.as_staff().unwrap().id, again.as_staff().unwrap().id);
    let all = store.all_staff().await.unwrap();
    assert_eq!(all.len(), 1);
}

#[tokio::test]
async fn ensure_platform_admin_never_takes_over_a_platform_that_has_staff() {
    let (service, store) = memory_service();
    let root = service
        .ensure_platform_admin(&UserId::new("root").unwrap(), "Root")
        .await
        .unwrap();
    let intruder = service
        .ensure_platform_admin(&UserId::new("mallory").unwrap(), "Mallory")
        .await;
    assert!(matches!(
        intruder,
        Err(Error::Forbidden(Forbidden::RoleRequired))
    ));
    add_agent(&service, &root, "sam").await;
    let agent = service
        .ensure_platform_admin(&UserId::new("sam").unwrap(), "Sam")
        .await;
    assert!(
        matches!(agent, Err(Error::Forbidden(Forbidden::RoleRequired))),
        "an agent is not made a platform admin: {agent:?}"
    );
    assert_eq!(store.all_staff().await.unwrap().len(), 2);
}

#[tokio::test]
async fn ensure_tenant_creates_once_and_keeps_the_existing_name_and_settings() {
    let service = service();
    let root = service
        .ensure_platform_admin(&UserId::new("root").unwrap(), "Root")
        .await
        .unwrap();
    let acme = service.ensure_tenant(&root, "acme", "Acme").await.unwrap();
    let again = service
        .ensure_tenant(&root, "acme", "Another name")
        .await
        .unwrap();
    assert_eq!(again.id, acme.id);
    assert_eq!(again.name, "Acme");
    assert_eq!(service.tenants(&root).await.unwrap().len(), 1);
}

#[tokio::test]
async fn ensure_tenant_refuses_bad_slugs_and_non_admins_and_creates_nothing() {
    let service = service();
    let root = service
        .ensure_platform_admin(&UserId::new("root").unwrap(), "Root")
        .await
        .unwrap();
    let bad = service.ensure_tenant(&root, "Not a slug!", "Acme").await;
    assert!(matches!(bad, Err(Error::Validation(_))), "{bad:?}");
    let agent = add_agent(&service, &root, "sam").await;
    let refused = service
        .ensure_tenant(&helpdesk_core::Actor::Staff(agent), "acme", "Acme")
        .await;
    assert!(matches!(refused, Err(Error::Forbidden(_))), "{refused:?}");
    assert!(service.tenants(&root).await.unwrap().is_empty());
}

#[test]
fn an_unavailable_store_error_has_its_own_stable_code() {
    let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
    let unavailable = Error::Store(StoreError::unavailable("database", io));
    assert!(unavailable.is_unavailable());
    assert_eq!(unavailable.code(), "service_unavailable");
    let other = Error::Store(StoreError::new("corrupt row"));
    assert!(!other.is_unavailable());
    assert_eq!(other.code(), "storage_failure");
    assert_eq!(
        StoreError::new("x")
            .with_kind(StoreErrorKind::Unavailable)
            .kind(),
        StoreErrorKind::Unavailable
    );
}
