//! A person's language stored through the core and read before the cookie and the
//! browser; members found by name on the ticket page and the admin members page;
//! validation reasons in the reader's language; the new-ticket form without a blob
//! store; admin edit pages that load one record.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use helpdesk_axum::HelpdeskState;
use helpdesk_core::memory::MemoryStore;
use helpdesk_core::{ArticleDraft, HelpdeskService, MemberDetails, MemberRole, UserId};

mod support;

fn html_lang(page: &support::Page) -> &str {
    if page.body.contains(r#"<html lang="en""#) {
        "en"
    } else if page.body.contains(r#"<html lang="fr""#) {
        "fr"
    } else {
        "?"
    }
}

#[tokio::test]
async fn the_profile_stores_the_language_with_the_person() {
    let host = support::host().await;
    let saved = host
        .post(
            "/support/profile",
            "alice",
            &[("lang", "en")],
            Some(support::TOKEN),
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    assert_eq!(
        host.actor("alice").await.language(),
        Some("en"),
        "stored by the core"
    );
    let cookie = saved.headers.get("set-cookie").unwrap().to_str().unwrap();
    assert!(
        cookie.starts_with("hd_lang=en"),
        "kept in this browser too: {cookie}"
    );
    // Another browser, asking for French, without the cookie: the stored language wins.
    let home = host.get("/support", Some("alice"), "fr").await;
    assert_eq!(home.status, StatusCode::OK);
    assert_eq!(html_lang(&home), "en");
    let profile = host.get("/support/profile", Some("alice"), "fr").await;
    assert!(
        profile.body.contains(r#"value="en" checked"#),
        "the stored choice is ticked"
    );

    let refused = host
        .post(
            "/support/profile",
            "alice",
            &[("lang", "de")],
            Some(support::TOKEN),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(host.actor("alice").await.language(), Some("en"));
}

#[tokio::test]
async fn the_stored_language_comes_first_then_the_cookie_then_the_browser() {
    let host = support::host().await;
    let alice = host.actor("alice").await;
    host.service.set_language(&alice, Some("en")).await.unwrap();
    let page = host
        .get_with_cookie("/support", "alice", "fr", "hd_lang=fr")
        .await;
    assert_eq!(
        html_lang(&page),
        "en",
        "the person's language before the cookie"
    );
    let bob = host
        .get_with_cookie("/support", "bob", "en", "hd_lang=fr")
        .await;
    assert_eq!(html_lang(&bob), "fr", "the cookie before the browser");
    let bob = host.get("/support", Some("bob"), "en").await;
    assert_eq!(html_lang(&bob), "en", "the browser before the tenant");
    let bob = host.get("/support", Some("bob"), "de").await;
    assert_eq!(html_lang(&bob), "fr", "else the tenant's default");
}

#[tokio::test]
async fn choosing_the_automatic_language_clears_the_stored_one_and_the_cookie() {
    let host = support::host().await;
    host.service
        .set_language(&host.actor("bob").await, Some("en"))
        .await
        .unwrap();
    let saved = host
        .post(
            "/support/profile",
            "bob",
            &[("lang", "auto")],
            Some(support::TOKEN),
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    assert_eq!(host.actor("bob").await.language(), None);
    let cookie = saved.headers.get("set-cookie").unwrap().to_str().unwrap();
    assert!(cookie.contains("Max-Age=0"), "{cookie}");
}

async fn open_as_alice(host: &support::Host) -> helpdesk_core::Ticket {
    let alice = host.actor("alice").await;
    host.service
        .open(
            &alice,
            host.acme,
            helpdesk_core::NewTicket {
                subject: "Imprimante".into(),
                description: "<p>Bloquée</p>".into(),
                ..Default::default()
            },
            vec![],
        )
        .await
        .unwrap()
}

#[tokio::test]
async fn a_requester_finds_a_colleague_by_name_and_invites_them() {
    let host = support::host().await;
    let ticket = open_as_alice(&host).await;
    let bob = host.actor("bob").await.as_member().unwrap().id;
    let page = host
        .get(
            &format!("/support/tickets/{}?find=invite-guest&q=durand", ticket.id),
            Some("alice"),
            "fr",
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Bob Durand (bob)"), "found by name");
    assert!(
        page.body
            .contains(&format!(r#"name="login" value="{bob}""#)),
        "offered as a choice of the invitation form"
    );
    assert!(
        !page.body.contains("bob@example.org"),
        "without their email"
    );
    let invited = host
        .post(
            &format!("/support/tickets/{}/invite-guest", ticket.id),
            "alice",
            &[
                ("version", &ticket.version.to_string()),
                ("login", &bob.to_string()),
            ],
            Some(support::TOKEN),
        )
        .await;
    assert_eq!(invited.status, StatusCode::SEE_OTHER, "{}", invited.body);
    let view = host
        .service
        .ticket(&host.actor("alice").await, ticket.id)
        .await
        .unwrap();
    assert_eq!(view.ticket.guests, vec![bob]);

    let nobody = host
        .get(
            &format!("/support/tickets/{}?find=invite-guest&q=zzz", ticket.id),
            Some("alice"),
            "fr",
        )
        .await;
    assert!(nobody.body.contains("Aucun membre trouvé"));
}

#[tokio::test]
async fn a_tenant_admin_reassigns_the_requester_found_by_name() {
    let host = support::host().await;
    let ticket = open_as_alice(&host).await;
    let bob = host.actor("bob").await.as_member().unwrap().id;
    let page = host
        .get(
            &format!(
                "/support/tickets/{}?find=reassign-requester&q=BOB",
                ticket.id
            ),
            Some("carol"),
            "en",
        )
        .await;
    assert!(
        page.body
            .contains(&format!(r#"name="member" value="{bob}""#))
    );
    assert!(
        page.body.contains(r#"id="act-reassign-requester" open"#),
        "the form searched is open"
    );
    let moved = host
        .post(
            &format!("/support/tickets/{}/reassign-requester", ticket.id),
            "carol",
            &[
                ("version", &ticket.version.to_string()),
                ("member", &bob.to_string()),
            ],
            Some(support::TOKEN),
        )
        .await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.body);
    let view = host.service.ticket(&host.root, ticket.id).await.unwrap();
    assert_eq!(view.ticket.requester, bob);
}

#[tokio::test]
async fn the_admin_members_page_finds_members_through_the_core() {
    let host = support::host().await;
    let page = host
        .get("/support/admin/members?q=mart", Some("carol"), "en")
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Alice Martin"));
    assert!(!page.body.contains("Bob Durand"));
    assert!(page.body.contains("1 members"), "the count of those found");
}

#[tokio::test]
async fn french_pages_give_validation_reasons_in_french() {
    let host = support::host().await;
    let ticket = open_as_alice(&host).await;
    let long = "x".repeat(400);
    let page = host
        .post(
            &format!("/support/tickets/{}/edit", ticket.id),
            "alice",
            &[("version", &ticket.version.to_string()), ("subject", &long)],
            Some(support::TOKEN),
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("ne doit pas dépasser"), "{}", page.body);
    assert!(
        !page.body.contains("must be at most"),
        "no English reason on a French page"
    );

    let product = host
        .post(
            "/support/admin/products",
            "carol",
            &[("code", ""), ("name", "\u{200b}")],
            Some(support::TOKEN),
        )
        .await;
    assert_eq!(product.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        product
            .body
            .contains("ne doit pas contenir de caractères de contrôle"),
        "{}",
        product.body
    );
}

#[tokio::test]
async fn the_new_ticket_form_offers_files_only_with_a_blob_store() {
    let host = support::host().await;
    let with = host.get("/support/tickets/new", Some("alice"), "fr").await;
    assert!(with.body.contains(r#"type="file""#));

    let service = HelpdeskService::new(Arc::new(MemoryStore::new()));
    let root = service
        .bootstrap_platform_admin(&UserId::new("root").unwrap(), "Root")
        .await
        .unwrap();
    let acme = service.create_tenant(&root, "acme", "Acme").await.unwrap();
    service
        .ensure_member(
            acme.id,
            MemberDetails {
                user: &UserId::new("alice").unwrap(),
                display_name: "Alice",
                email: None,
                role: MemberRole::Requester,
            },
        )
        .await
        .unwrap();
    let app: Router = Router::new()
        .nest(
            "/support",
            helpdesk_web::pages(helpdesk_web::WebConfig::new()),
        )
        .with_state(HelpdeskState::new(
            service,
            Arc::new(support::HeaderIdentity),
        ));
    let request = Request::get("/support/tickets/new")
        .header("x-user", "alice")
        .header("x-tenant", "acme")
        .body(Body::empty())
        .unwrap();
    let response = tower::ServiceExt::oneshot(app, request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let bytes = http_body_util::BodyExt::collect(response.into_body())
        .await
        .unwrap()
        .to_bytes();
    let body = String::from_utf8_lossy(&bytes);
    assert!(body.contains(r#"name="subject""#), "the form is there");
    assert!(!body.contains(r#"type="file""#), "without a file field");
    assert!(!body.contains("data-paste-files"), "nor pasting of files");
}

#[tokio::test]
async fn admin_edit_pages_show_one_record_and_articles_move_category() {
    let host = support::host().await;
    let carol = host.actor("carol").await;
    let article = host
        .service
        .create_article(
            &carol,
            host.acme,
            ArticleDraft {
                category: None,
                title: "Bac",
                body: "<p>b</p>",
                published: false,
            },
        )
        .await
        .unwrap();
    let printers = host.printers.to_string();
    let page = host
        .get(
            &format!("/support/admin/articles/{}", article.id),
            Some("carol"),
            "fr",
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains(r#"name="category""#),
        "the category can be changed"
    );
    let moved = host
        .post(
            &format!("/support/admin/articles/{}", article.id),
            "carol",
            &[
                ("title", "Bac"),
                ("body", "<p>b</p>"),
                ("category", &printers),
            ],
            Some(support::TOKEN),
        )
        .await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.body);
    let stored = host
        .service
        .article(&carol, host.acme, article.id)
        .await
        .unwrap();
    assert_eq!(stored.category, Some(host.printers));
    assert!(!stored.published);

    let category = host
        .get(
            &format!("/support/admin/categories/{printers}"),
            Some("carol"),
            "fr",
        )
        .await;
    assert_eq!(category.status, StatusCode::OK);
    assert!(category.body.contains("Imprimantes"));
    let missing = host
        .get(
            &format!(
                "/support/admin/products/{}",
                helpdesk_core::ProductId::new()
            ),
            Some("carol"),
            "fr",
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_requester_reads_the_name_of_the_group_handling_their_ticket() {
    let host = support::host().await;
    let ticket = open_as_alice(&host).await;
    host.service
        .assign(&host.root, ticket.id, None, None, Some(host.software))
        .await
        .unwrap();
    let page = host
        .get(
            &format!("/support/tickets/{}", ticket.id),
            Some("alice"),
            "fr",
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("Logiciel"),
        "the group's name, from the ticket view"
    );
}
