//! The new-ticket form, as a browser fills and sends it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use helpdesk_core::{Actor, PageRequest, SearchCriteria, Ticket, TicketId};

/// One part of a `multipart/form-data` body.
enum Part<'a> {
    Text(&'a str, &'a str),
    File {
        name: &'a str,
        file_name: &'a str,
        content_type: &'a str,
        bytes: Vec<u8>,
    },
}

const BOUNDARY: &str = "----helpdesk-test-boundary-7MA4YWxkTrZu0gW";

/// A multipart body as a browser sends it, the parts in the order given.
fn multipart(parts: &[Part<'_>]) -> Vec<u8> {
    let mut body = Vec::new();
    for part in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        match part {
            Part::Text(name, value) => {
                body.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
                );
                body.extend_from_slice(value.as_bytes());
            }
            Part::File {
                name,
                file_name,
                content_type,
                bytes,
            } => {
                body.extend_from_slice(
                    format!(
                        "Content-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: {content_type}\r\n\r\n"
                    )
                    .as_bytes(),
                );
                body.extend_from_slice(bytes);
            }
        }
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// `POST path` of a multipart form as `user`, of acme unless `tenant_header` is false
/// (staff naming the tenant in the query), in `lang`.
async fn send_form(
    host: &support::Host,
    path: &str,
    user: &str,
    tenant_header: bool,
    lang: &str,
    parts: &[Part<'_>],
) -> support::Page {
    let mut request = Request::post(path)
        .header("x-user", user)
        .header("accept-language", lang)
        .header("cookie", format!("hd_form_token={}", support::TOKEN))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        );
    if tenant_header {
        request = request.header("x-tenant", "acme");
    }
    host.send(request.body(Body::from(multipart(parts))).unwrap())
        .await
}

/// The form's text fields, the token first, then `more`.
fn fields<'a>(subject: &'a str, description: &'a str, more: Vec<Part<'a>>) -> Vec<Part<'a>> {
    let mut parts = vec![
        Part::Text("form_token", support::TOKEN),
        Part::Text("subject", subject),
        Part::Text("description", description),
    ];
    parts.extend(more);
    parts
}

/// Every ticket of acme, as root sees them.
async fn tickets(host: &support::Host) -> Vec<Ticket> {
    host.service
        .search(
            &host.root,
            SearchCriteria {
                tenant: Some(host.acme),
                include_closed: true,
                ..SearchCriteria::default()
            },
            PageRequest::default(),
        )
        .await
        .unwrap()
        .tickets
}

/// The ticket a redirect points at.
fn opened_id(page: &support::Page) -> TicketId {
    let location = page.location().expect("a redirect");
    let id = location
        .strip_prefix("/support/tickets/")
        .expect("to a ticket page");
    id.split('?').next().unwrap().parse().unwrap()
}

fn member_id(actor: &Actor) -> String {
    match actor {
        Actor::Member(m) => m.id.to_string(),
        _ => panic!("not a member"),
    }
}

#[tokio::test]
async fn the_form_shows_the_category_tree_products_and_normal_priority() {
    let host = support::host().await;
    let laser = host
        .service
        .create_category(&host.root, host.acme, Some(host.printers), "Laser", None)
        .await
        .unwrap();
    let mut old = host
        .service
        .create_category(&host.root, host.acme, None, "Minitel", None)
        .await
        .unwrap();
    old.active = false;
    host.service.update_category(&host.root, old).await.unwrap();
    host.service
        .create_product(&host.root, host.acme, Some("INL"), "Indeline")
        .await
        .unwrap();
    let page = host.get("/support/tickets/new", Some("alice"), "fr").await;
    assert_eq!(page.status, StatusCode::OK);
    let body = &page.body;
    assert!(body.contains("Nouvelle demande"));
    assert!(body.contains(r#"enctype="multipart/form-data""#));
    // The token is the form's first field.
    let form = &body[body.find("<form").unwrap()..];
    let first_input = &form[form.find("<input").unwrap()..];
    assert!(first_input.starts_with(r#"<input type="hidden" name="form_token""#));
    // The tree: radios in nested lists, the sub-category under its parent, no inactive one.
    assert!(body.contains(&format!(r#"value="{}""#, host.printers)));
    let printers = body.find("Imprimantes</label>").unwrap();
    let nested = body.find("Laser</label>").unwrap();
    assert!(printers < nested && body[printers..nested].contains("<ul>"));
    assert!(body.contains(&format!(r#"id="nt-cat-{}""#, laser.id)));
    assert!(!body.contains("Minitel"), "inactive categories are hidden");
    assert!(body.contains(r#"data-tree-filter="nt-tree""#) && body.contains(r#"id="nt-tree""#));
    assert!(body.contains(r#"<label for="nt-tree-filter">Filtrer les catégories</label>"#));
    // Products, priority (Normal by default), the script's hooks.
    assert!(body.contains("INL — Indeline"));
    assert!(body.contains(r#"<option value="normal" selected>Normale</option>"#));
    assert!(body.contains(r#"data-suggest="/support/tickets/new/suggestions""#));
    assert!(body.contains(r#"data-paste-files="attachments""#));
    assert!(body.contains(r#"type="file" id="nt-attachments" name="attachments" multiple"#));
    assert!(body.contains(r#"name="idempotency_key" value=""#));
    // A requester opens for themself: no member to choose.
    assert!(!body.contains(r#"name="requester""#));
    assert!(!body.contains(" style=") && !body.contains("<script>"));
}

#[tokio::test]
async fn the_form_speaks_english_when_asked() {
    let host = support::host().await;
    let page = host.get("/support/tickets/new", Some("alice"), "en").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(r#"<html lang="en">"#));
    assert!(page.body.contains("New ticket"));
    assert!(page.body.contains("Filter the categories"));
    assert!(page.body.contains("Send the ticket"));
    assert!(
        page.body
            .contains(r#"<option value="normal" selected>Normal</option>"#)
    );
    assert!(page.body.contains("10 MB at most per file"));
}

#[tokio::test]
async fn faq_suggestions_are_a_fragment_of_matching_articles() {
    let host = support::host().await;
    host.service
        .create_article(
            &host.root,
            host.acme,
            helpdesk_core::ArticleDraft {
                category: Some(host.printers),
                title: "Débloquer le bac de l'imprimante",
                body: "<p>Ouvrez le capot avant, retirez la feuille coincée puis refermez.</p>",
                published: true,
            },
        )
        .await
        .unwrap();
    let page = host
        .get(
            "/support/tickets/new/suggestions?subject=imprimante%20bac%20bloqu%C3%A9",
            Some("alice"),
            "fr",
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains("<strong>Débloquer le bac de l'imprimante</strong>")
    );
    assert!(page.body.contains("Ouvrez le capot avant"));
    assert!(!page.body.contains("<html"), "a fragment, not a page");
    let none = host
        .get(
            "/support/tickets/new/suggestions?subject=wifi",
            Some("alice"),
            "en",
        )
        .await;
    assert_eq!(none.status, StatusCode::OK);
    assert!(none.body.contains("No FAQ article matches yet."));
    // Without a script: the button sends the form back with the articles and the text.
    let again = host
        .post(
            "/support/tickets/new",
            "alice",
            &[
                ("subject", "imprimante bac"),
                ("description", "Le bac <coince>"),
                ("priority", "high"),
                ("idempotency_key", "abc-123"),
                ("attachments", "capture.png"),
            ],
            Some(support::TOKEN),
        )
        .await;
    assert_eq!(again.status, StatusCode::OK);
    assert!(again.body.contains("Ouvrez le capot avant"));
    assert!(again.body.contains(r#"value="imprimante bac""#));
    assert!(again.body.contains(">Le bac &lt;coince&gt;</textarea>"));
    assert!(again.body.contains(r#"<option value="high" selected>"#));
    assert!(
        again
            .body
            .contains(r#"name="idempotency_key" value="abc-123""#)
    );
    assert!(tickets(&host).await.is_empty(), "nothing saved");
    let button = again.body.find("Voir les articles de la FAQ").unwrap();
    let tag = &again.body[again.body[..button].rfind("<button").unwrap()..button];
    assert!(tag.contains(r#"formaction="/support/tickets/new" formmethod="post""#));
    // Without its token it is refused like any form.
    let stale = host
        .post("/support/tickets/new", "alice", &[("subject", "bac")], None)
        .await;
    assert_eq!(stale.status, StatusCode::FORBIDDEN);
    // A host's link may fill the form in.
    let printers = host.printers.to_string();
    let link = host
        .get(
            &format!("/support/tickets/new?category={printers}&subject=imprimante%20bac"),
            Some("alice"),
            "fr",
        )
        .await;
    assert_eq!(link.status, StatusCode::OK);
    assert!(
        link.body
            .contains(&format!(r#"value="{printers}" checked"#))
    );
    assert!(link.body.contains("Ouvrez le capot avant"));
}

#[tokio::test]
async fn opening_with_text_and_a_file_goes_to_the_new_ticket() {
    let host = support::host().await;
    let printers = host.printers.to_string();
    let parts = fields(
        "Imprimante en panne",
        "Le bac 2 est <b>bloqué</b>.\n\n- depuis ce matin\n- sur tous les postes\n\nVoir https://example.org/aide.",
        vec![
            Part::Text("category", &printers),
            Part::Text("priority", "high"),
            Part::Text("contact_phone", "01 23 45 67 89"),
            Part::Text("asset", "PC-042"),
            Part::Text("idempotency_key", "3f1c2a9e-0000-4000-8000-000000000001"),
            Part::File {
                name: "attachments",
                file_name: "capture.png",
                content_type: "image/png",
                bytes: b"\x89PNG\r\n\x1a\nfake".to_vec(),
            },
        ],
    );
    let page = send_form(&host, "/support/tickets", "alice", true, "fr", &parts).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let id = opened_id(&page);
    let alice = host.actor("alice").await;
    let view = host.service.ticket(&alice, id).await.unwrap();
    assert_eq!(view.ticket.subject, "Imprimante en panne");
    assert_eq!(view.ticket.category, Some(host.printers));
    assert_eq!(
        view.ticket.group,
        Some(host.software),
        "routed by its category"
    );
    assert_eq!(view.ticket.priority, helpdesk_core::Priority::High);
    assert_eq!(view.ticket.contact_phone.as_deref(), Some("01 23 45 67 89"));
    assert_eq!(view.ticket.asset.as_deref(), Some("PC-042"));
    let html = view.ticket.description.as_html();
    assert!(html.contains("&lt;b&gt;bloqué&lt;/b&gt;"), "{html}");
    assert!(html.contains("<li>depuis ce matin</li>"), "{html}");
    assert!(
        html.contains(r#"href="https://example.org/aide""#),
        "{html}"
    );
    assert_eq!(view.attachments.len(), 1);
    assert_eq!(view.attachments[0].file_name, "capture.png");
    let (_, bytes) = host
        .service
        .attachment_file(&alice, view.attachments[0].id)
        .await
        .unwrap();
    assert_eq!(bytes, b"\x89PNG\r\n\x1a\nfake");
}

#[tokio::test]
async fn opening_without_a_file_and_with_the_empty_file_input() {
    let host = support::host().await;
    let parts = fields(
        "Mot de passe oublié",
        "Je ne peux plus me connecter.",
        vec![Part::File {
            name: "attachments",
            file_name: "",
            content_type: "application/octet-stream",
            bytes: vec![],
        }],
    );
    let page = send_form(&host, "/support/tickets", "bob", true, "fr", &parts).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let id = opened_id(&page);
    let bob = host.actor("bob").await;
    let view = host.service.ticket(&bob, id).await.unwrap();
    assert!(view.attachments.is_empty());
    assert_eq!(view.ticket.priority, helpdesk_core::Priority::Normal);
}

#[tokio::test]
async fn an_empty_subject_is_refused_in_the_form_with_everything_typed_kept() {
    let host = support::host().await;
    let printers = host.printers.to_string();
    let parts = fields(
        "   ",
        "Le bac 2 est <b>bloqué</b>",
        vec![
            Part::Text("category", &printers),
            Part::Text("asset", "PC-042"),
            Part::Text("idempotency_key", "key-of-this-form"),
            Part::File {
                name: "attachments",
                file_name: "capture.png",
                content_type: "image/png",
                bytes: b"png".to_vec(),
            },
        ],
    );
    let page = send_form(&host, "/support/tickets", "alice", true, "fr", &parts).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = &page.body;
    assert!(body.contains(r#"role="alert""#));
    assert!(body.contains("Saisissez l'objet de votre demande."));
    assert!(
        body.contains(r##"href="#nt-subject""##),
        "linked to the field"
    );
    assert!(body.contains(r#"aria-invalid="true""#));
    assert!(
        body.contains("Le bac 2 est &lt;b&gt;bloqué&lt;/b&gt;</textarea>"),
        "the description kept"
    );
    assert!(
        body.contains(&format!(r#"value="{printers}" checked"#)),
        "the category kept"
    );
    assert!(body.contains(r#"value="PC-042""#));
    assert!(body.contains(r#"name="idempotency_key" value="key-of-this-form""#));
    assert!(
        body.contains("capture.png"),
        "the files to choose again are named"
    );
    assert!(tickets(&host).await.is_empty(), "no ticket opened");
    let en = send_form(&host, "/support/tickets", "alice", true, "en", &parts).await;
    assert_eq!(en.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(en.body.contains("Type the subject of your ticket."));
}

#[tokio::test]
async fn a_form_without_its_token_is_refused_and_opens_nothing() {
    let host = support::host().await;
    let parts = [
        Part::Text("subject", "Imprimante"),
        Part::Text("description", "Bloquée"),
    ];
    let page = send_form(&host, "/support/tickets", "alice", true, "fr", &parts).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(page.body.contains("Ce formulaire a expiré"));
    let wrong = [
        Part::Text("form_token", "not-the-token"),
        Part::Text("subject", "Imprimante"),
        Part::Text("description", "Bloquée"),
    ];
    let page = send_form(&host, "/support/tickets", "alice", true, "en", &wrong).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(page.body.contains("This form has expired"));
    assert!(tickets(&host).await.is_empty());
}

#[tokio::test]
async fn the_same_form_sent_twice_opens_one_ticket() {
    let host = support::host().await;
    let parts = fields(
        "Écran noir",
        "Rien ne s'affiche.",
        vec![
            Part::Text("idempotency_key", "6b0c5f7e-1d2a-4c3b-9e8f-0a1b2c3d4e5f"),
            Part::File {
                name: "attachments",
                file_name: "photo.jpg",
                content_type: "image/jpeg",
                bytes: b"jpeg".to_vec(),
            },
        ],
    );
    let first = send_form(&host, "/support/tickets", "alice", true, "fr", &parts).await;
    let second = send_form(&host, "/support/tickets", "alice", true, "fr", &parts).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER);
    assert_eq!(second.status, StatusCode::SEE_OTHER);
    assert_eq!(first.location(), second.location());
    let all = tickets(&host).await;
    assert_eq!(all.len(), 1);
    let alice = host.actor("alice").await;
    let view = host.service.ticket(&alice, all[0].id).await.unwrap();
    assert_eq!(view.attachments.len(), 1, "the file once");
}

#[tokio::test]
async fn staff_open_on_behalf_of_a_member() {
    let host = support::host().await;
    // No tenant named: sam picks the client first.
    let chooser = host
        .send(
            Request::get("/support/tickets/new")
                .header("x-user", "sam")
                .header("accept-language", "fr")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(chooser.status, StatusCode::OK);
    assert!(
        chooser
            .body
            .contains(r#"href="/support/tickets/new?tenant=acme""#)
    );
    assert!(chooser.body.contains("Pour quel client"));
    // The form of acme: whose ticket it is, required.
    let form = host
        .send(
            Request::get("/support/tickets/new?tenant=acme")
                .header("x-user", "sam")
                .header("accept-language", "en")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.body
            .contains(r#"<select id="nt-requester" name="requester" required"#)
    );
    assert!(form.body.contains("Alice Martin (alice@example.org)"));
    assert!(
        form.body
            .contains(r#"action="/support/tickets?tenant=acme""#)
    );
    let alice = host.actor("alice").await;
    let alice_id = member_id(&alice);
    // Without the member: refused in the form.
    let parts = fields("Poste lent", "Le poste de l'accueil est lent.", vec![]);
    let refused = send_form(
        &host,
        "/support/tickets?tenant=acme",
        "sam",
        false,
        "en",
        &parts,
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .body
            .contains("Choose the member this ticket is for.")
    );
    assert!(tickets(&host).await.is_empty());
    // With alice.
    let parts = fields(
        "Poste lent",
        "Le poste de l'accueil est lent.",
        vec![Part::Text("requester", &alice_id)],
    );
    let page = send_form(
        &host,
        "/support/tickets?tenant=acme",
        "sam",
        false,
        "fr",
        &parts,
    )
    .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert!(page.location().unwrap().ends_with("?tenant=acme"));
    let id = opened_id(&page);
    let view = host.service.ticket(&alice, id).await.unwrap();
    assert_eq!(member_id(&alice), view.ticket.requester.to_string());
}

#[tokio::test]
async fn a_blocked_member_is_refused_and_opens_nothing() {
    let host = support::host().await;
    let carol = host.actor("carol").await;
    let alice = host.actor("alice").await;
    let Actor::Member(a) = &alice else {
        panic!("a member")
    };
    host.service
        .set_member_blocked(&carol, host.acme, a.id, true)
        .await
        .unwrap();
    let parts = fields("Imprimante", "Bloquée", vec![]);
    let page = send_form(&host, "/support/tickets", "alice", true, "fr", &parts).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN, "{}", page.body);
    assert!(page.body.contains("Ce compte est bloqué."));
    assert!(tickets(&host).await.is_empty());
}

#[tokio::test]
async fn a_forbidden_opening_is_refused_in_the_form_with_the_text_kept() {
    let host = support::host().await;
    let alice = member_id(&host.actor("alice").await);
    // bob, a plain requester, may not open a ticket for alice.
    let parts = fields(
        "Pour Alice",
        "Son poste ne démarre plus.",
        vec![Part::Text("requester", &alice)],
    );
    let page = send_form(&host, "/support/tickets", "bob", true, "fr", &parts).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN, "{}", page.body);
    assert!(page.body.contains(r#"role="alert""#));
    assert!(page.body.contains("Votre rôle ne le permet pas."));
    assert!(page.body.contains(r#"value="Pour Alice""#));
    assert!(page.body.contains(">Son poste ne démarre plus.</textarea>"));
    assert!(
        page.body.contains(r#"<form class="hd-form nt-form""#),
        "the form again"
    );
    assert!(tickets(&host).await.is_empty());
}

#[tokio::test]
async fn a_file_over_the_limit_is_refused_with_the_fields_kept() {
    let host = support::host().await;
    let max = host.service.attachment_limits().max_bytes;
    let parts = fields(
        "Capture trop lourde",
        "Voici la vidéo.",
        vec![Part::File {
            name: "attachments",
            file_name: "video.mp4",
            content_type: "video/mp4",
            bytes: vec![0u8; usize::try_from(max).unwrap() + 1],
        }],
    );
    let page = send_form(&host, "/support/tickets", "alice", true, "en", &parts).await;
    assert_eq!(page.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(page.body.contains("The file is too large."));
    assert!(
        page.body.contains("`video.mp4` — 10 MB at most per file"),
        "refused by the service's limit, naming the file"
    );
    assert!(page.body.contains("video.mp4"));
    assert!(page.body.contains(r#"value="Capture trop lourde""#));
    assert!(page.body.contains(">Voici la vidéo.</textarea>"));
    assert!(tickets(&host).await.is_empty());
}

#[tokio::test]
async fn a_tenant_admin_may_open_for_a_member_or_for_herself() {
    let host = support::host().await;
    let form = host.get("/support/tickets/new", Some("carol"), "fr").await;
    assert!(form.body.contains(r#"<option value="">Moi-même</option>"#));
    assert!(form.body.contains("Bob Durand (bob@example.org)"));
    let bob = member_id(&host.actor("bob").await);
    let parts = fields(
        "Pour Bob",
        "Son poste redémarre.",
        vec![Part::Text("requester", &bob)],
    );
    let page = send_form(&host, "/support/tickets", "carol", true, "fr", &parts).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let carol = host.actor("carol").await;
    let view = host.service.ticket(&carol, opened_id(&page)).await.unwrap();
    assert_eq!(view.ticket.requester.to_string(), bob);
    let mine = fields("Pour moi", "Mon poste.", vec![]);
    let page = send_form(&host, "/support/tickets", "carol", true, "fr", &mine).await;
    let view = host.service.ticket(&carol, opened_id(&page)).await.unwrap();
    assert_eq!(view.ticket.requester.to_string(), member_id(&carol));
}

#[tokio::test]
async fn a_key_reused_for_other_content_is_refused_with_a_fresh_key() {
    let host = support::host().await;
    let key = "0d9a4c1e-5b6f-4a2d-8c3e-7f1a2b3c4d5e";
    let first = fields(
        "Écran noir",
        "Rien.",
        vec![Part::Text("idempotency_key", key)],
    );
    let page = send_form(&host, "/support/tickets", "alice", true, "fr", &first).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let other = fields(
        "Clavier cassé",
        "La touche A.",
        vec![Part::Text("idempotency_key", key)],
    );
    let page = send_form(&host, "/support/tickets", "alice", true, "en", &other).await;
    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        page.body
    );
    assert!(page.body.contains("This form already opened a ticket"));
    assert!(page.body.contains(r#"value="Clavier cassé""#));
    assert!(!page.body.contains(key), "a new key for a new ticket");
    assert_eq!(tickets(&host).await.len(), 1);
}

#[tokio::test]
async fn a_form_that_is_not_multipart_or_without_a_client_is_a_refusal_page() {
    let host = support::host().await;
    let page = host
        .post(
            "/support/tickets",
            "alice",
            &[("subject", "Imprimante"), ("description", "Bloquée")],
            Some(support::TOKEN),
        )
        .await;
    assert_eq!(page.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(page.body.contains("La demande envoyée n'est pas valable."));
    // Staff who name no client: told to choose one, nothing opened.
    let parts = fields("Poste lent", "Lent.", vec![]);
    let page = send_form(&host, "/support/tickets", "sam", false, "en", &parts).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("Which client is this ticket for?"));
    assert!(tickets(&host).await.is_empty());
}

#[tokio::test]
async fn enter_in_a_field_sends_the_ticket_and_the_suggestion_fragment_is_bare() {
    let host = support::host().await;
    let page = host.get("/support/tickets/new", Some("alice"), "fr").await;
    let form = &page.body[page.body.find("<form").unwrap()..];
    // The first submit button of the form (the one Enter presses) sends the ticket.
    let first_button = &form[form.find("<button").unwrap()..];
    assert!(first_button.starts_with(r#"<button type="submit" class="hd-visually-hidden""#));
    assert!(!first_button[..first_button.find("</button>").unwrap()].contains("formaction"));
    let fragment = host
        .get(
            "/support/tickets/new/suggestions?subject=",
            Some("alice"),
            "fr",
        )
        .await;
    assert_eq!(fragment.status, StatusCode::OK);
    assert!(
        fragment.body.is_empty(),
        "nothing before a subject is typed"
    );
    assert!(
        fragment.headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("script-src 'self'")
    );
}

#[tokio::test]
async fn files_of_several_megabytes_are_taken() {
    let host = support::host().await;
    let parts = fields(
        "Journal d'erreurs",
        "Le journal complet est joint.",
        vec![
            Part::File {
                name: "attachments",
                file_name: "journal.txt",
                content_type: "text/plain",
                bytes: vec![b'a'; 3 * 1024 * 1024],
            },
            Part::File {
                name: "attachments",
                file_name: "capture.png",
                content_type: "image/png",
                bytes: vec![7; 1024],
            },
        ],
    );
    let page = send_form(&host, "/support/tickets", "alice", true, "fr", &parts).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let alice = host.actor("alice").await;
    let view = host.service.ticket(&alice, opened_id(&page)).await.unwrap();
    let mut names: Vec<_> = view
        .attachments
        .iter()
        .map(|a| a.file_name.as_str())
        .collect();
    names.sort_unstable();
    assert_eq!(names, ["capture.png", "journal.txt"]);
    assert!(view.attachments.iter().any(|a| a.size == 3 * 1024 * 1024));
}
