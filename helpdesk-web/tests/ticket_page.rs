//! The ticket page, as requesters, agents and administrators use it: what each sees,
//! the forms doing the use cases, and the refusals.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use axum::http::StatusCode;
use helpdesk_core::{Answer, NewTicket, Status, TicketId};
use support::{Host, TOKEN};

async fn open(host: &Host, user: &str, subject: &str) -> TicketId {
    let actor = host.actor(user).await;
    host.service
        .open(
            &actor,
            host.acme,
            NewTicket {
                subject: subject.into(),
                description: "<p>Le bac 2 est bloqué</p>".into(),
                category: Some(host.printers),
                ..NewTicket::default()
            },
            vec![],
        )
        .await
        .unwrap()
        .id
}

fn page_path(id: TicketId) -> String {
    format!("/support/tickets/{id}")
}

/// The version a page's forms carry.
fn version_in(body: &str) -> String {
    let start = body
        .find(r#"name="version" value=""#)
        .expect("a form with the version")
        + r#"name="version" value=""#.len();
    body[start..].split('"').next().unwrap().to_owned()
}

/// What `user` sees of the ticket: its page and the version its forms carry.
async fn seen(host: &Host, id: TicketId, user: &str) -> (String, String) {
    let page = host.get(&page_path(id), Some(user), "fr").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let version = version_in(&page.body);
    (page.body, version)
}

async fn status(host: &Host, id: TicketId) -> Status {
    host.service
        .ticket(&host.root, id)
        .await
        .unwrap()
        .ticket
        .status()
}

/// `user` sends the form `action` of the ticket with the version they see.
async fn act(host: &Host, id: TicketId, user: &str, action: &str, fields: &[(&str, &str)]) {
    let (_, version) = seen(host, id, user).await;
    let mut all = vec![("version", version.as_str())];
    all.extend_from_slice(fields);
    let page = host
        .post(
            &format!("{}/{action}", page_path(id)),
            user,
            &all,
            Some(TOKEN),
        )
        .await;
    assert_eq!(
        page.status,
        StatusCode::SEE_OTHER,
        "{action}: {}",
        page.body
    );
    assert!(
        page.location()
            .unwrap()
            .starts_with(&format!("{}#", page_path(id))),
        "back to the ticket"
    );
}

#[tokio::test]
async fn the_life_of_a_request_through_the_page() {
    let host = support::host().await;
    let id = open(&host, "alice", "Imprimante en panne").await;
    let sam = host.actor("sam").await.as_staff().unwrap().id.to_string();

    let (body, _) = seen(&host, id, "sam").await;
    assert!(body.contains("Prendre en charge"), "an agent may take it");
    act(&host, id, "sam", "assign", &[("assignee", &sam)]).await;
    assert_eq!(status(&host, id).await, Status::InProgress);

    act(
        &host,
        id,
        "sam",
        "request-information",
        &[("message", "Quel modèle d'imprimante ?")],
    )
    .await;
    assert_eq!(status(&host, id).await, Status::WaitingOnRequester);

    let (body, _) = seen(&host, id, "alice").await;
    assert!(
        body.contains("Quel modèle d&#39;imprimante ?")
            || body.contains("Quel modèle d'imprimante ?")
    );
    act(&host, id, "alice", "reply", &[("body", "Une HP LaserJet")]).await;
    assert_eq!(status(&host, id).await, Status::InProgress);

    act(
        &host,
        id,
        "sam",
        "propose-closure",
        &[("solution", "Bac 2 débloqué")],
    )
    .await;
    assert_eq!(status(&host, id).await, Status::PendingClosure);

    let (body, version) = seen(&host, id, "alice").await;
    assert!(body.contains("Approuver la clôture") && body.contains("Refuser la clôture"));
    // A refusal needs a justification: the page says so, nothing changes.
    let empty = host
        .post(
            &format!("{}/refuse-closure", page_path(id)),
            "alice",
            &[("version", &version), ("justification", "")],
            Some(TOKEN),
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.body.contains("Justification") || empty.body.contains("Motif"));
    assert_eq!(status(&host, id).await, Status::PendingClosure);
    act(
        &host,
        id,
        "alice",
        "refuse-closure",
        &[("justification", "Le bac 1 est toujours bloqué")],
    )
    .await;
    assert_eq!(status(&host, id).await, Status::InProgress);

    act(
        &host,
        id,
        "sam",
        "propose-closure",
        &[("solution", "Les deux bacs sont débloqués")],
    )
    .await;
    let (body, _) = seen(&host, id, "alice").await;
    assert!(
        body.contains("Quelle note entre 0 et 10"),
        "the questionnaire"
    );
    assert!(body.contains("Délai de traitement") && body.contains("Très satisfait"));
    act(
        &host,
        id,
        "alice",
        "approve-closure",
        &[
            ("q_overall", "8"),
            ("q_processing_time", "very_satisfied"),
            ("q_human", ""),
            ("q_comment", "Merci !"),
        ],
    )
    .await;
    let ticket = host.service.ticket(&host.root, id).await.unwrap().ticket;
    assert_eq!(ticket.status(), Status::Closed);
    let answers = ticket.closure_answers().unwrap();
    assert_eq!(answers.get("overall"), Some(&Answer::Score(8)));
    assert_eq!(
        answers.get("processing_time"),
        Some(&Answer::Text("very_satisfied".into()))
    );
    assert!(!answers.contains_key("human"), "left unanswered");

    let (body, _) = seen(&host, id, "alice").await;
    assert!(body.contains("Clôture approuvée") && body.contains("8 / 10"));
    assert!(body.contains("Le bac 1 est toujours bloqué"), "the history");
}

#[tokio::test]
async fn an_internal_note_is_shown_to_staff_marked_and_never_to_the_requester() {
    let host = support::host().await;
    let id = open(&host, "alice", "Imprimante").await;
    let (body, _) = seen(&host, id, "sam").await;
    assert!(body.contains("Ajouter une note interne"));
    act(
        &host,
        id,
        "sam",
        "note",
        &[("body", "Le client a déjà eu ce souci en mars")],
    )
    .await;
    let (staff, _) = seen(&host, id, "sam").await;
    assert!(staff.contains("Le client a déjà eu ce souci en mars"));
    assert!(staff.contains("hd-event hd-event-internal") && staff.contains("Note interne"));

    let (requester, _) = seen(&host, id, "alice").await;
    assert!(!requester.contains("Le client a déjà eu ce souci en mars"));
    assert!(!requester.contains("hd-event-internal"));
    assert!(
        !requester.contains("Ajouter une note interne"),
        "no note form for a requester"
    );
    let en = host.get(&page_path(id), Some("sam"), "en").await;
    assert!(en.body.contains("Internal note"));
}

#[tokio::test]
async fn a_stale_form_says_someone_changed_the_ticket_and_keeps_the_text() {
    let host = support::host().await;
    let id = open(&host, "alice", "Imprimante").await;
    let (_, old) = seen(&host, id, "alice").await;
    // Sam answers in the meantime.
    let sam = host.actor("sam").await;
    host.service
        .reply(&sam, id, None, "<p>Avez-vous redémarré ?</p>", vec![])
        .await
        .unwrap();
    let before = host.service.ticket(&host.root, id).await.unwrap();
    let page = host
        .post(
            &format!("{}/reply", page_path(id)),
            "alice",
            &[("version", &old), ("body", "Mon long texte tapé avec soin")],
            Some(TOKEN),
        )
        .await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    assert!(
        page.body.contains("Quelqu&#39;un d&#39;autre a modifié")
            || page.body.contains("Quelqu'un d'autre a modifié")
    );
    assert!(
        page.body
            .contains("Mon long texte tapé avec soin</textarea>"),
        "the text is kept in its form"
    );
    assert!(
        page.body.contains("Avez-vous redémarré ?"),
        "the current ticket"
    );
    let after = host.service.ticket(&host.root, id).await.unwrap();
    assert_eq!(before.timeline.len(), after.timeline.len(), "nothing added");
    assert_eq!(before.ticket.version, after.ticket.version);
}

#[tokio::test]
async fn a_forbidden_action_is_a_403_page_and_changes_nothing() {
    let host = support::host().await;
    let id = open(&host, "alice", "Imprimante").await;
    let (body, version) = seen(&host, id, "alice").await;
    assert!(!body.contains("Prendre en charge") && !body.contains("act-assign"));
    let sam = host.actor("sam").await.as_staff().unwrap().id.to_string();
    let before = host.service.ticket(&host.root, id).await.unwrap().ticket;
    let page = host
        .post(
            &format!("{}/assign", page_path(id)),
            "alice",
            &[("version", &version), ("assignee", &sam)],
            Some(TOKEN),
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(
        page.body.contains("Vous n&#39;avez pas le droit")
            || page.body.contains("Vous n'avez pas le droit")
    );
    let after = host.service.ticket(&host.root, id).await.unwrap().ticket;
    assert_eq!(before, after);
    // Bob may not see alice's ticket at all: it does not exist for him.
    let bob = host
        .post(
            &format!("{}/reply", page_path(id)),
            "bob",
            &[("version", &version), ("body", "Moi aussi")],
            Some(TOKEN),
        )
        .await;
    assert_eq!(bob.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_form_without_its_token_is_refused_and_changes_nothing() {
    let host = support::host().await;
    let id = open(&host, "alice", "Imprimante").await;
    let (_, version) = seen(&host, id, "alice").await;
    let path = format!("{}/reply", page_path(id));
    let fields = [("version", version.as_str()), ("body", "Bonjour")];
    let missing = host.post(&path, "alice", &fields, None).await;
    assert_eq!(missing.status, StatusCode::FORBIDDEN);
    assert!(missing.body.contains("Ce formulaire a expiré"));
    let wrong = host
        .post(&path, "alice", &fields, Some(&"f".repeat(64)))
        .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    let multipart = host
        .post_multipart(
            &path,
            "alice",
            &fields,
            &[("a.txt", "text/plain", b"x")],
            None,
        )
        .await;
    assert_eq!(multipart.status, StatusCode::FORBIDDEN);
    let cancel = host
        .post(
            &format!("{}/cancel", page_path(id)),
            "alice",
            &[("version", &version)],
            None,
        )
        .await;
    assert_eq!(cancel.status, StatusCode::FORBIDDEN);
    let view = host.service.ticket(&host.root, id).await.unwrap();
    assert_eq!(view.timeline.len(), 1, "only the opening");
    assert!(view.attachments.is_empty());
    assert_eq!(view.ticket.status(), Status::New);
}

#[tokio::test]
async fn a_reply_with_a_file_is_listed_and_downloaded_safely() {
    let host = support::host().await;
    let id = open(&host, "alice", "Imprimante").await;
    let (_, version) = seen(&host, id, "alice").await;
    let page = host
        .post_multipart(
            &format!("{}/reply", page_path(id)),
            "alice",
            &[("version", &version), ("body", "Voici le journal")],
            &[
                ("journal.txt", "text/plain", b"erreur 42\n"),
                ("page.html", "text/html", b"<script>alert(1)</script>"),
            ],
            Some(TOKEN),
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let view = host.service.ticket(&host.root, id).await.unwrap();
    assert_eq!(view.attachments.len(), 2);
    let (body, _) = seen(&host, id, "alice").await;
    assert!(body.contains("Voici le journal") && body.contains("journal.txt"));
    for attachment in &view.attachments {
        let link = format!("{}/files/{}", page_path(id), attachment.id);
        assert!(body.contains(&link), "a download link");
        let file = host.get(&link, Some("sam"), "fr").await;
        assert_eq!(file.status, StatusCode::OK);
        let disposition = file.headers["content-disposition"].to_str().unwrap();
        assert!(disposition.starts_with("attachment;"));
        assert!(disposition.contains(&attachment.file_name));
        let content_type = file.headers["content-type"].to_str().unwrap();
        if attachment.file_name == "journal.txt" {
            assert_eq!(content_type, "text/plain");
            assert_eq!(file.body, "erreur 42\n");
        } else {
            assert_eq!(
                content_type, "application/octet-stream",
                "HTML is never served as HTML"
            );
        }
        assert_eq!(file.headers["x-content-type-options"], "nosniff");
        let bob = host.get(&link, Some("bob"), "fr").await;
        assert_eq!(bob.status, StatusCode::NOT_FOUND, "not bob's ticket");
    }
    // A file with no message: the file names are the message.
    let (_, version) = seen(&host, id, "alice").await;
    let only_file = host
        .post_multipart(
            &format!("{}/reply", page_path(id)),
            "alice",
            &[("version", &version), ("body", "")],
            &[("capture.png", "image/png", b"\x89PNG")],
            Some(TOKEN),
        )
        .await;
    assert_eq!(
        only_file.status,
        StatusCode::SEE_OTHER,
        "{}",
        only_file.body
    );
}

#[tokio::test]
async fn a_note_with_a_file_keeps_the_file_from_the_requester() {
    let host = support::host().await;
    let id = open(&host, "alice", "Imprimante").await;
    let (_, version) = seen(&host, id, "sam").await;
    let page = host
        .post_multipart(
            &format!("{}/note", page_path(id)),
            "sam",
            &[("version", &version), ("body", "Journal interne")],
            &[("interne.txt", "text/plain", b"secret")],
            Some(TOKEN),
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let view = host.service.ticket(&host.root, id).await.unwrap();
    let link = format!("{}/files/{}", page_path(id), view.attachments[0].id);
    let (alice, _) = seen(&host, id, "alice").await;
    assert!(!alice.contains("interne.txt"));
    let download = host.get(&link, Some("alice"), "fr").await;
    assert_eq!(download.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_page_speaks_french_and_english() {
    let host = support::host().await;
    let id = open(&host, "alice", "Imprimante").await;
    let fr = host.get(&page_path(id), Some("alice"), "fr").await;
    assert!(fr.body.contains(r#"<html lang="fr">"#));
    for words in [
        "Historique",
        "Propriétés",
        "Fichiers attachés",
        "Invités",
        "Répondre",
        "Annuler la demande",
        "Demande ouverte",
        "Aucun utilisateur invité.",
    ] {
        assert!(fr.body.contains(words), "FR: {words}");
    }
    let en = host.get(&page_path(id), Some("alice"), "en-GB").await;
    assert!(en.body.contains(r#"<html lang="en">"#));
    for words in [
        "History",
        "Properties",
        "Attached files",
        "Guests",
        "Reply",
        "Cancel the ticket",
        "Ticket opened",
        "No guest invited.",
    ] {
        assert!(en.body.contains(words), "EN: {words}");
    }
    assert!(!en.body.contains("Historique"));
}

#[tokio::test]
async fn each_role_sees_only_the_controls_it_may_use() {
    let host = support::host().await;
    let id = open(&host, "alice", "Imprimante").await;
    // The requester: reply, cancel, edit while new, invite; no staff controls.
    let (alice, _) = seen(&host, id, "alice").await;
    assert!(alice.contains(r#"id="act-cancel""#) && alice.contains(r#"id="act-edit""#));
    assert!(alice.contains(r#"id="act-invite-guest""#));
    assert!(!alice.contains(r#"id="act-request-information""#));
    assert!(!alice.contains(r#"id="act-reassign-requester""#));
    // An agent takes it but does not assign others; a supervisor does.
    let (sam, _) = seen(&host, id, "sam").await;
    assert!(sam.contains("Prendre en charge") && !sam.contains(r#"id="act-assign""#));
    assert!(sam.contains(r#"id="act-request-information""#));
    let (sue, _) = seen(&host, id, "sue").await;
    assert!(sue.contains(r#"id="act-assign""#) && sue.contains("Sam Agent"));
    // The tenant admin may give the ticket to someone else.
    let (carol, _) = seen(&host, id, "carol").await;
    assert!(carol.contains(r#"id="act-reassign-requester""#));
    assert!(!carol.contains("Ajouter une note interne"));
}

#[tokio::test]
async fn a_guest_invited_by_login_follows_the_ticket_without_owner_controls() {
    let host = support::host().await;
    let id = open(&host, "alice", "Imprimante").await;
    assert_eq!(
        host.get(&page_path(id), Some("bob"), "fr").await.status,
        StatusCode::NOT_FOUND
    );
    act(&host, id, "alice", "invite-guest", &[("login", "bob")]).await;
    let (alice, _) = seen(&host, id, "alice").await;
    assert!(alice.contains("Bob Durand"), "listed among the guests");
    let (bob, _) = seen(&host, id, "bob").await;
    assert!(bob.contains("Imprimante"));
    assert!(
        !bob.contains(r#"id="act-cancel""#),
        "a guest does not cancel"
    );
    assert!(!bob.contains(r#"id="act-edit""#));
    // An unknown login is a page that says which field, nothing changed.
    let (_, version) = seen(&host, id, "alice").await;
    let unknown = host
        .post(
            &format!("{}/invite-guest", page_path(id)),
            "alice",
            &[("version", &version), ("login", "nobody-here")],
            Some(TOKEN),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        unknown.body.contains("Identifiant de l&#39;utilisateur")
            || unknown.body.contains("Identifiant de l'utilisateur")
    );
    assert!(
        unknown.body.contains(r#"value="nobody-here""#),
        "the login is kept"
    );
    let ticket = host.service.ticket(&host.root, id).await.unwrap().ticket;
    assert_eq!(ticket.guests.len(), 1);
}

#[tokio::test]
async fn staff_edit_and_move_the_ticket_and_the_tenant_admin_reassigns_it() {
    let host = support::host().await;
    let id = open(&host, "alice", "Imprimante").await;
    act(
        &host,
        id,
        "sam",
        "edit",
        &[
            ("subject", "Imprimante du 2e étage"),
            ("priority", "high"),
            ("contact_phone", "01 23 45 67 89"),
            ("asset", "PC-042"),
        ],
    )
    .await;
    let ticket = host.service.ticket(&host.root, id).await.unwrap().ticket;
    assert_eq!(ticket.subject, "Imprimante du 2e étage");
    assert_eq!(ticket.priority, helpdesk_core::Priority::High);
    assert_eq!(ticket.asset.as_deref(), Some("PC-042"));

    let network = host
        .service
        .create_category(&host.root, host.acme, None, "Réseau", None)
        .await
        .unwrap()
        .id;
    act(
        &host,
        id,
        "sam",
        "move-category",
        &[("category", &network.to_string())],
    )
    .await;
    let ticket = host.service.ticket(&host.root, id).await.unwrap().ticket;
    assert_eq!(ticket.category, Some(network));

    let carol = host.actor("carol").await;
    let bob = host
        .service
        .member_by_user(
            &carol,
            host.acme,
            &helpdesk_core::UserId::new("bob").unwrap(),
        )
        .await
        .unwrap();
    act(
        &host,
        id,
        "carol",
        "reassign-requester",
        &[("member", &bob.id.to_string())],
    )
    .await;
    let ticket = host.service.ticket(&host.root, id).await.unwrap().ticket;
    assert_eq!(ticket.requester, bob.id);
    let (page, _) = seen(&host, id, "sam").await;
    assert!(page.contains("Demandeur changé") && page.contains("PC-042"));
}

#[tokio::test]
async fn the_ticket_page_keeps_the_strict_policy() {
    let host = support::host().await;
    let id = open(&host, "alice", "Imprimante").await;
    for user in ["alice", "sam", "sue", "carol"] {
        let page = host.get(&page_path(id), Some(user), "fr").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(!page.body.contains("<script>"), "{user}: inline script");
        assert!(!page.body.contains(" style="), "{user}: inline style");
        assert!(!page.body.contains("<style"), "{user}: style element");
        assert!(
            page.headers["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("default-src 'self'")
        );
    }
    let nowhere = host
        .get("/support/tickets/not-a-ticket", Some("alice"), "en")
        .await;
    assert_eq!(nowhere.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_requester_reading_someone_elses_ticket_sees_no_form() {
    let host = support::host().await;
    let tenant = host.service.tenant(&host.root, host.acme).await.unwrap();
    let mut settings = tenant.settings.clone();
    settings.requester_visibility = helpdesk_core::RequesterVisibility::WholeTenantReadOnly;
    host.service
        .update_tenant(&host.root, host.acme, &tenant.name, settings)
        .await
        .unwrap();
    let id = open(&host, "alice", "Imprimante").await;
    let page = host.get(&page_path(id), Some("bob"), "fr").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Imprimante") && page.body.contains("Le bac 2 est bloqué"));
    assert!(!page.body.contains("<form"), "no form at all");
    assert!(page.body.contains("aucune action ne vous y est ouverte"));
    let refused = host
        .post(
            &format!("{}/reply", page_path(id)),
            "bob",
            &[("version", "1"), ("body", "Moi aussi")],
            Some(TOKEN),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(
        host.service
            .ticket(&host.root, id)
            .await
            .unwrap()
            .timeline
            .len(),
        1
    );
}

#[tokio::test]
async fn a_stale_reply_with_a_file_keeps_the_text_and_stores_no_file() {
    let host = support::host().await;
    let id = open(&host, "alice", "Imprimante").await;
    let (_, old) = seen(&host, id, "alice").await;
    let sam = host.actor("sam").await;
    host.service
        .request_information(&sam, id, None, "<p>Quel modèle ?</p>")
        .await
        .unwrap();
    let page = host
        .post_multipart(
            &format!("{}/reply", page_path(id)),
            "alice",
            &[("version", &old), ("body", "Voici la photo demandée")],
            &[("photo.png", "image/png", b"\x89PNG")],
            Some(TOKEN),
        )
        .await;
    assert_eq!(page.status, StatusCode::CONFLICT, "{}", page.body);
    assert!(page.body.contains("Voici la photo demandée</textarea>"));
    let view = host.service.ticket(&host.root, id).await.unwrap();
    assert!(view.attachments.is_empty());
    assert_eq!(view.ticket.status(), Status::WaitingOnRequester);
}

#[tokio::test]
async fn a_file_past_the_limit_is_a_413_page_and_nothing_is_kept() {
    let host = support::host().await;
    let id = open(&host, "alice", "Imprimante").await;
    let (_, version) = seen(&host, id, "alice").await;
    let max = host.service.attachment_limits().max_bytes;
    let big = vec![b'a'; usize::try_from(max).unwrap() + 1];
    let page = host
        .post_multipart(
            &format!("{}/reply", page_path(id)),
            "alice",
            &[("version", &version), ("body", "Le journal complet")],
            &[("journal.txt", "text/plain", &big)],
            Some(TOKEN),
        )
        .await;
    assert_eq!(page.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", page.body);
    assert!(page.body.contains("trop volumineux"));
    let view = host.service.ticket(&host.root, id).await.unwrap();
    assert!(view.attachments.is_empty());
    assert_eq!(view.timeline.len(), 1);
}

#[tokio::test]
async fn a_reply_text_past_the_limit_says_the_text_is_too_long() {
    let host = support::host().await;
    let id = open(&host, "alice", "Imprimante").await;
    let (_, version) = seen(&host, id, "alice").await;
    let long = "x".repeat(300 * 1024);
    let page = host
        .post_multipart(
            &format!("{}/reply", page_path(id)),
            "alice",
            &[("version", &version), ("body", &long)],
            &[],
            Some(TOKEN),
        )
        .await;
    assert_eq!(page.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", page.body);
    assert!(
        page.body.contains("texte envoyé est trop long"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("fichier est trop volumineux"));
    let view = host.service.ticket(&host.root, id).await.unwrap();
    assert_eq!(view.timeline.len(), 1);
}

#[tokio::test]
async fn approving_without_the_required_score_says_which_question_and_keeps_the_comment() {
    let host = support::host().await;
    let id = open(&host, "alice", "Imprimante").await;
    let sam = host.actor("sam").await;
    host.service
        .propose_closure(&sam, id, None, "<p>Réparée</p>")
        .await
        .unwrap();
    let (_, version) = seen(&host, id, "alice").await;
    let page = host
        .post(
            &format!("{}/approve-closure", page_path(id)),
            "alice",
            &[
                ("version", &version),
                ("q_follow_up", "satisfied"),
                ("q_comment", "Très bon suivi"),
            ],
            Some(TOKEN),
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("une réponse est obligatoire"));
    assert!(
        page.body.contains("Très bon suivi</textarea>"),
        "the comment is kept"
    );
    assert!(
        page.body.contains(r#"value="satisfied" checked"#),
        "the choice is kept"
    );
    assert_eq!(status(&host, id).await, Status::PendingClosure);
    let out_of_range = host
        .post(
            &format!("{}/approve-closure", page_path(id)),
            "alice",
            &[("version", &version), ("q_overall", "11")],
            Some(TOKEN),
        )
        .await;
    assert_eq!(out_of_range.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(status(&host, id).await, Status::PendingClosure);
}

#[tokio::test]
async fn the_page_says_who_is_notified_and_when_it_is_archived() {
    let host = support::host().await;
    let id = open(&host, "alice", "Imprimante en panne").await;
    host.service
        .set_muted_topics(
            &host.actor("sam").await,
            [helpdesk_core::NotificationTopic::Changes],
        )
        .await
        .unwrap();
    let staff_view = host.get(&page_path(id), Some("sue"), "fr").await.body;
    assert!(staff_view.contains(r##"href="#watchers""##));
    assert!(staff_view.contains("Surveillance du ticket"));
    let section = &staff_view[staff_view.find(r#"id="watchers""#).unwrap()..];
    let section = &section[..section.find("</section>").unwrap()];
    assert!(section.contains("Alice Martin — Demandeur"), "{section}");
    assert!(
        section.contains("Sam Agent — Membre du groupe"),
        "{section}"
    );
    assert!(section.contains("notes internes comprises"));
    assert!(
        section.contains("ne suit pas\u{a0}: une demande est modifiée ou un invité ajouté"),
        "{section}"
    );

    let requester_view = host.get(&page_path(id), Some("alice"), "fr").await.body;
    let section = &requester_view[requester_view.find(r#"id="watchers""#).unwrap()..];
    let section = &section[..section.find("</section>").unwrap()];
    assert!(section.contains("Sam Agent"));
    assert!(
        !section.contains("ne suit pas"),
        "a requester is not shown others' choices"
    );
    assert!(!section.contains("notes internes"));
    assert!(
        !requester_view.contains("Archiv"),
        "an open ticket is not archived"
    );

    act(&host, id, "alice", "cancel", &[("reason", "Réglé")]).await;
    let after = host.get(&page_path(id), Some("alice"), "fr").await.body;
    assert!(
        after.contains("Archivage prévu le"),
        "the date it leaves default lists"
    );
}
