//! A person's language, finding members by name, validation reasons as codes, and the
//! smaller reads pages need: group names on a ticket, the status label in the reader's
//! language, whether attachments are possible, single articles, categories and products.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use helpdesk_core::memory::{MemoryBlobStore, MemoryStore};
use helpdesk_core::testing::{MemberSeed, Seed, StaffSeed, World, draft};
use helpdesk_core::{
    Actor, ArticleDraft, Entity, Error, Forbidden, HelpdeskService, MAX_MEMBERS_FOR_REQUESTERS,
    MemberRole, ReasonCode, RichText, Status, ValidationError, check_email, text::single_line,
};

/// Alice, Bob (requesters), Carol (tenant admin) and blocked Mallory in acme, Dave in
/// globex; Sam, an agent of every tenant; Sue, a supervisor of globex only; a group
/// "Réseau".
async fn world() -> World {
    Seed::in_memory()
        .at(Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap())
        .two_tenants()
        .group("Réseau")
        .member_seed(MemberSeed::new("acme", "alice", MemberRole::Requester).named("Alice Émond"))
        .member_seed(MemberSeed::new("acme", "bob", MemberRole::Requester).named("Bob Léger"))
        .member_seed(MemberSeed::new("acme", "carol", MemberRole::TenantAdmin).named("Carol"))
        .member_seed(
            MemberSeed::new("acme", "mallory", MemberRole::Requester)
                .named("Mallory Emond")
                .blocked(),
        )
        .member("globex", "dave", MemberRole::Requester)
        .staff(StaffSeed::agent("sam").named("Sam"))
        .staff(StaffSeed::supervisor("sue").named("Sue").only(&["globex"]))
        .build()
        .await
        .unwrap()
}

fn reason(err: &Error) -> (String, ReasonCode) {
    match err {
        Error::Validation(v) => (v.field.clone(), v.code),
        other => panic!("a validation error was expected, got {other:?}"),
    }
}

#[tokio::test]
async fn a_member_sets_changes_and_clears_their_own_language() {
    let w = world().await;
    let alice = w
        .service
        .set_language(&w.actor("alice"), Some("en"))
        .await
        .unwrap();
    assert_eq!(alice.language(), Some("en"));
    let stored = w
        .service
        .actor(&w.member("alice").user, Some(w.tenant("acme")))
        .await
        .unwrap();
    assert_eq!(stored.language(), Some("en"), "the language is stored");
    let alice = w.service.set_language(&stored, Some(" fr ")).await.unwrap();
    assert_eq!(alice.language(), Some("fr"));
    let alice = w.service.set_language(&alice, Some("")).await.unwrap();
    assert_eq!(alice.language(), None, "blank clears it");

    let err = w
        .service
        .set_language(&alice, Some("de"))
        .await
        .unwrap_err();
    assert_eq!(
        reason(&err),
        ("language".to_owned(), ReasonCode::UnknownValue)
    );
}

#[tokio::test]
async fn setting_a_language_keeps_a_block_made_meanwhile() {
    let w = world().await;
    let bob = w.actor("bob");
    w.service
        .set_member_blocked(
            &w.actor("carol"),
            w.tenant("acme"),
            w.member("bob").id,
            true,
        )
        .await
        .unwrap();
    // Bob's request started before the block: only the language is written.
    let after = w.service.set_language(&bob, Some("en")).await.unwrap();
    assert!(after.as_member().unwrap().blocked, "the block is kept");
    let members = w
        .service
        .members(&w.actor("carol"), w.tenant("acme"))
        .await
        .unwrap();
    let stored = members
        .iter()
        .find(|m| m.display_name == "Bob Léger")
        .unwrap();
    assert!(stored.blocked);
    assert_eq!(stored.language.as_deref(), Some("en"));
}

#[tokio::test]
async fn staff_set_their_language_and_the_system_has_none() {
    let w = world().await;
    let sam = w
        .service
        .set_language(&w.actor("sam"), Some("en"))
        .await
        .unwrap();
    assert_eq!(sam.language(), Some("en"));
    let listed = w
        .service
        .staff_member(&w.root, w.staff("sam").id)
        .await
        .unwrap();
    assert_eq!(listed.language.as_deref(), Some("en"));
    let err = w
        .service
        .set_language(&Actor::System, Some("fr"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Forbidden(Forbidden::RoleRequired)),
        "{err}"
    );
}

#[tokio::test]
async fn tenant_admins_and_staff_find_every_member_by_folded_words() {
    let w = world().await;
    let acme = w.tenant("acme");
    for who in ["carol", "sam"] {
        let found = w
            .service
            .find_members(&w.actor(who), acme, "EMOND", 10)
            .await
            .unwrap();
        let names: Vec<_> = found.iter().map(|m| m.display_name.as_str()).collect();
        assert_eq!(
            names,
            ["Alice Émond", "Mallory Emond"],
            "{who}: blocked ones included"
        );
        assert!(found[0].email.is_some(), "{who} reads emails");
    }
    let all = w
        .service
        .find_members(&w.actor("carol"), acme, "", 2)
        .await
        .unwrap();
    assert_eq!(all.len(), 2, "no words: the first members, up to the limit");
    let by_email = w
        .service
        .find_members(&w.actor("carol"), acme, "bob@example", 10)
        .await
        .unwrap();
    assert_eq!(by_email.len(), 1, "found by email");
}

#[tokio::test]
async fn requesters_find_active_colleagues_only_by_a_word_and_without_emails() {
    let w = world().await;
    let acme = w.tenant("acme");
    let alice = w.actor("alice");
    let found = w
        .service
        .find_members(&alice, acme, "emond", 500)
        .await
        .unwrap();
    let names: Vec<_> = found.iter().map(|m| m.display_name.as_str()).collect();
    assert_eq!(names, ["Alice Émond"], "blocked Mallory is not found");
    assert!(
        found.iter().all(|m| m.email.is_none()),
        "emails are left out"
    );
    assert!(
        w.service
            .find_members(&alice, acme, "", 50)
            .await
            .unwrap()
            .is_empty(),
        "no words finds nobody"
    );
    assert!(
        w.service
            .find_members(&alice, acme, "a", 50)
            .await
            .unwrap()
            .is_empty(),
        "one letter is no word"
    );
    assert_eq!(MAX_MEMBERS_FOR_REQUESTERS, 20);
}

#[tokio::test]
async fn nobody_finds_members_of_a_tenant_they_are_not_in() {
    let w = world().await;
    let acme = w.tenant("acme");
    for who in ["dave", "sue"] {
        let err = w
            .service
            .find_members(&w.actor(who), acme, "alice", 10)
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::NotFound(Entity::Tenant)),
            "{who}: {err}"
        );
    }
}

#[test]
fn the_core_constructors_set_a_reason_code() {
    let too_long = single_line("subject", &"x".repeat(11), 10).unwrap_err();
    assert_eq!(too_long.code, ReasonCode::TooLong { max: 10 });
    assert_eq!(too_long.code.params(), vec![("max", 10)]);
    assert_eq!(
        single_line("subject", "  ", 10).unwrap_err().code,
        ReasonCode::Required
    );
    assert_eq!(
        single_line("subject", "a\u{0}b", 10).unwrap_err().code,
        ReasonCode::ControlCharacters
    );
    assert_eq!(
        single_line("subject", "\u{2800}", 10).unwrap_err().code,
        ReasonCode::NotVisible
    );
    let body = RichText::required("message", "<p> </p>").unwrap_err();
    assert_eq!(
        (body.field.as_str(), body.code),
        ("message", ReasonCode::NotVisible)
    );
    assert_eq!(
        check_email(Some("nope")).unwrap_err().code,
        ReasonCode::InvalidFormat
    );
    assert_eq!(
        "sleeping".parse::<Status>().unwrap_err().code,
        ReasonCode::UnknownValue
    );
    assert_eq!(
        ReasonCode::OutOfRange { min: 0, max: 10 }.as_str(),
        "out_of_range"
    );
    assert_eq!(
        ValidationError::new("x", "because").code,
        ReasonCode::Other,
        "a reason without a code of its own"
    );
    let text = serde_json::to_value(&too_long).unwrap();
    assert_eq!(text["code"]["code"], "too_long");
    assert_eq!(
        text["reason"], "must be at most 10 characters",
        "the English text stays"
    );
}

#[tokio::test]
async fn use_cases_refuse_with_coded_reasons() {
    let w = world().await;
    let mut blank = draft("x");
    blank.subject = " ".into();
    let err = w
        .service
        .open(&w.actor("alice"), w.tenant("acme"), blank, vec![])
        .await
        .unwrap_err();
    assert_eq!(reason(&err), ("subject".to_owned(), ReasonCode::Required));
    let err = w
        .service
        .create_article(
            &w.actor("carol"),
            w.tenant("acme"),
            ArticleDraft {
                category: Some(helpdesk_core::CategoryId::new()),
                title: "t",
                body: "<p>b</p>",
                published: true,
            },
        )
        .await
        .unwrap_err();
    assert_eq!(
        reason(&err),
        ("category".to_owned(), ReasonCode::UnknownReference)
    );
}

#[tokio::test]
async fn a_requester_reads_the_group_name_and_the_status_in_their_language() {
    let w = world().await;
    let acme = w.tenant("acme");
    let network = w.group("Réseau");
    let ticket = w
        .service
        .open(&w.actor("alice"), acme, draft("Wifi"), vec![])
        .await
        .unwrap();
    w.service
        .assign(&w.root, ticket.id, None, None, Some(network))
        .await
        .unwrap();
    let view = w
        .service
        .ticket(&w.actor("alice"), ticket.id)
        .await
        .unwrap();
    assert_eq!(
        view.names.get(&network.to_string()).map(String::as_str),
        Some("Réseau")
    );
    let tenant = w.tenant_record("acme");
    let french = tenant.settings.label(view.ticket.status(), "fr").to_owned();
    assert_eq!(view.status_label, french, "the tenant's default language");
    let alice = w
        .service
        .set_language(&w.actor("alice"), Some("en"))
        .await
        .unwrap();
    let view = w.service.ticket(&alice, ticket.id).await.unwrap();
    assert_eq!(
        view.status_label,
        tenant.settings.label(view.ticket.status(), "en")
    );
    assert_ne!(view.status_label, french, "the labels differ by language");
}

#[test]
fn has_blobs_says_whether_attachments_are_possible() {
    let service = HelpdeskService::new(Arc::new(MemoryStore::new()));
    assert!(!service.has_blobs());
    assert!(
        service
            .with_blobs(Arc::new(MemoryBlobStore::new()))
            .has_blobs()
    );
}

#[tokio::test]
async fn articles_start_as_drafts_move_category_and_are_read_one_at_a_time() {
    let w = world().await;
    let acme = w.tenant("acme");
    let carol = w.actor("carol");
    let printers = w
        .service
        .create_category(&carol, acme, None, "Imprimantes", None)
        .await
        .unwrap();
    let network = w
        .service
        .create_category(&carol, acme, None, "Réseau", None)
        .await
        .unwrap();
    let article = w
        .service
        .create_article(
            &carol,
            acme,
            ArticleDraft {
                category: Some(printers.id),
                title: "Bac",
                body: "<p>b</p>",
                published: false,
            },
        )
        .await
        .unwrap();
    assert!(!article.published, "created as a draft");
    let err = w
        .service
        .article(&w.actor("alice"), acme, article.id)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::NotFound(Entity::Article)),
        "a draft is hidden from requesters"
    );
    let moved = w
        .service
        .update_article(
            &carol,
            acme,
            article.id,
            ArticleDraft {
                category: Some(network.id),
                title: "Bac",
                body: "<p>b</p>",
                published: true,
            },
        )
        .await
        .unwrap();
    assert_eq!(moved.category, Some(network.id), "an update moves it");
    let read = w
        .service
        .article(&w.actor("alice"), acme, article.id)
        .await
        .unwrap();
    assert_eq!(read, moved);

    assert_eq!(
        w.service
            .category(&w.actor("alice"), acme, printers.id)
            .await
            .unwrap(),
        printers
    );
    let product = w
        .service
        .create_product(&carol, acme, Some("INL"), "Inline")
        .await
        .unwrap();
    assert_eq!(
        w.service
            .product(&w.actor("sam"), acme, product.id)
            .await
            .unwrap(),
        product
    );
    let dave = w.actor("dave");
    assert!(matches!(
        w.service
            .product(&dave, acme, product.id)
            .await
            .unwrap_err(),
        Error::NotFound(Entity::Tenant)
    ));
    assert!(matches!(
        w.service
            .category(&dave, w.tenant("globex"), printers.id)
            .await
            .unwrap_err(),
        Error::NotFound(Entity::Category)
    ));
}
