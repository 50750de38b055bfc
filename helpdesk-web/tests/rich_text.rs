//! Rich text from the editor (`format=html`) and from the plain textarea, images
//! attached to messages shown inline, and the description changed from the edit form.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use axum::http::StatusCode;
use helpdesk_core::{Actor, EventKind, FieldChange, NewTicket, TicketId};
use support::{Host, TOKEN};

/// HTML no page may show: a script, an event handler, a `javascript:` link, remote
/// images (a tracking pixel) and an image whose error handler runs script.
const HOSTILE: &str = concat!(
    r#"<p><strong>Gras</strong> et <em>italique</em> <script>alert('s')</script>"#,
    r#"<a href="javascript:alert('j')" onclick="alert('c')">lien</a> "#,
    r#"<img src="https://tracker.example/pixel.gif"><img src="x" onerror="alert('e')">"#,
    r#"<span onmouseover="alert('m')">survol</span></p><ul><li>un</li></ul>"#,
);

/// Whether `page` carries anything of [`HOSTILE`] that could run or load.
fn assert_harmless(page: &str) {
    for bad in [
        "<script>alert",
        "javascript:",
        "onclick",
        "onerror",
        "onmouseover",
        "tracker.example",
    ] {
        assert!(!page.contains(bad), "{bad} reached the page");
    }
}

async fn open(host: &Host, user: &str) -> TicketId {
    let actor = host.actor(user).await;
    host.service
        .open(
            &actor,
            host.acme,
            NewTicket {
                subject: "Imprimante".into(),
                description: "<p>Le bac <strong>2</strong> est bloqué</p>".into(),
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

/// The page `user` sees, and the version its forms carry.
async fn seen(host: &Host, id: TicketId, user: &str) -> (String, String) {
    let page = host.get(&page_path(id), Some(user), "fr").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let version = page.input_value("version").expect("a version");
    (page.body, version)
}

/// A new ticket sent through the form, its description in `format`.
async fn open_through_form(host: &Host, description: &str, format: Option<&str>) -> TicketId {
    let printers = host.printers.to_string();
    let mut fields = vec![
        ("subject", "Écran noir"),
        ("description", description),
        ("category", printers.as_str()),
    ];
    if let Some(format) = format {
        fields.push(("format", format));
    }
    let page = host
        .post_multipart("/support/tickets", "alice", &fields, &[], Some(TOKEN))
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    page.location()
        .and_then(|l| l.strip_prefix("/support/tickets/"))
        .and_then(|id| id.split(['?', '#']).next())
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn editor_html_is_sanitised_and_nothing_hostile_is_shown() {
    let host = support::host().await;
    let id = open_through_form(&host, HOSTILE, Some("html")).await;
    let view = host.service.ticket(&host.root, id).await.unwrap();
    let stored = view.ticket.description.as_html();
    assert!(stored.contains("<strong>Gras</strong>") && stored.contains("<em>italique</em>"));
    assert!(stored.contains("<ul><li>un</li></ul>"), "{stored}");
    assert_harmless(stored);
    let (page, _) = seen(&host, id, "alice").await;
    assert!(
        page.contains("<strong>Gras</strong>"),
        "the formatting is kept"
    );
    assert_harmless(&page);
}

#[tokio::test]
async fn without_the_editor_markup_typed_is_text() {
    let host = support::host().await;
    let id = open_through_form(&host, "<strong>Gras</strong>\n\n- un", None).await;
    let view = host.service.ticket(&host.root, id).await.unwrap();
    assert_eq!(
        view.ticket.description.as_html(),
        "<p>&lt;strong&gt;Gras&lt;/strong&gt;</p><ul><li>un</li></ul>"
    );
    // Any other value of the marker is text too.
    let id = open_through_form(&host, "<em>x</em>", Some("HTML5")).await;
    let view = host.service.ticket(&host.root, id).await.unwrap();
    assert_eq!(
        view.ticket.description.as_html(),
        "<p>&lt;em&gt;x&lt;/em&gt;</p>"
    );
}

#[tokio::test]
async fn replies_and_notes_take_editor_html_or_typed_text() {
    let host = support::host().await;
    let id = open(&host, "alice").await;
    let (_, version) = seen(&host, id, "alice").await;
    let reply = host
        .post(
            &format!("{}/reply", page_path(id)),
            "alice",
            &[("version", &version), ("body", HOSTILE), ("format", "html")],
            Some(TOKEN),
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let (_, version) = seen(&host, id, "sam").await;
    let note = host
        .post_multipart(
            &format!("{}/note", page_path(id)),
            "sam",
            &[("version", &version), ("body", "Ligne 1\nLigne <2>")],
            &[],
            Some(TOKEN),
        )
        .await;
    assert_eq!(note.status, StatusCode::SEE_OTHER, "{}", note.body);
    let view = host.service.ticket(&host.root, id).await.unwrap();
    let bodies: Vec<&str> = view
        .timeline
        .iter()
        .filter_map(|e| e.body().map(|b| b.as_html()))
        .collect();
    assert!(bodies[0].contains("<strong>Gras</strong>"), "{bodies:?}");
    assert_harmless(bodies[0]);
    assert_eq!(bodies[1], "<p>Ligne 1<br>Ligne &lt;2&gt;</p>");
    let (page, _) = seen(&host, id, "sam").await;
    assert_harmless(&page);
}

#[tokio::test]
async fn a_refused_reply_gives_the_editor_its_html_back_sanitised() {
    let host = support::host().await;
    let id = open(&host, "alice").await;
    let page = host
        .post(
            &format!("{}/reply", page_path(id)),
            "alice",
            &[("version", "0"), ("body", HOSTILE), ("format", "html")],
            Some(TOKEN),
        )
        .await;
    assert_eq!(page.status, StatusCode::CONFLICT, "{}", page.body);
    assert!(
        page.body
            .contains("data-rich-html=\"&lt;p&gt;&lt;strong&gt;Gras"),
        "the editor gets the HTML back"
    );
    assert!(
        page.body.contains("Gras et italique lien"),
        "the textarea its text"
    );
    assert_harmless(&page.body);
}

#[tokio::test]
async fn a_pasted_screenshot_is_shown_under_its_reply_but_a_notes_image_only_to_staff() {
    let host = support::host().await;
    let id = open(&host, "alice").await;
    let png: &[u8] = b"\x89PNG\r\n\x1a\nfake";
    let (_, version) = seen(&host, id, "alice").await;
    let reply = host
        .post_multipart(
            &format!("{}/reply", page_path(id)),
            "alice",
            &[("version", &version), ("body", "Voici l'écran")],
            &[
                ("screenshot-1.png", "image/png", png),
                ("dessin.svg", "image/svg+xml", b"<svg onload=\"alert(1)\"/>"),
            ],
            Some(TOKEN),
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let (_, version) = seen(&host, id, "sam").await;
    let note = host
        .post_multipart(
            &format!("{}/note", page_path(id)),
            "sam",
            &[("version", &version), ("body", "Capture interne")],
            &[("interne.webp", "image/webp", b"RIFF0000WEBP")],
            Some(TOKEN),
        )
        .await;
    assert_eq!(note.status, StatusCode::SEE_OTHER, "{}", note.body);
    let view = host.service.ticket(&host.root, id).await.unwrap();
    let file = |name: &str| {
        let a = view
            .attachments
            .iter()
            .find(|a| a.file_name == name)
            .unwrap();
        format!("{}/files/{}", page_path(id), a.id)
    };
    let (screenshot, svg, internal) = (
        file("screenshot-1.png"),
        file("dessin.svg"),
        file("interne.webp"),
    );
    let image = |src: &str, alt: &str| {
        format!(r#"<img src="{src}" alt="{alt}" loading="lazy" decoding="async">"#)
    };

    let (alice, _) = seen(&host, id, "alice").await;
    assert!(
        alice.contains(&image(&screenshot, "screenshot-1.png")),
        "the screenshot is shown inline: {alice}"
    );
    assert!(alice.contains("<figcaption>screenshot-1.png</figcaption>"));
    assert!(
        !alice.contains(&format!(r#"<img src="{svg}""#)),
        "an SVG is no image here"
    );
    assert!(alice.contains(&svg), "it is still a file to download");
    assert!(!alice.contains(&internal) && !alice.contains("interne.webp"));

    let (sam, _) = seen(&host, id, "sam").await;
    assert!(
        sam.contains(&image(&internal, "interne.webp")),
        "staff see the note's image"
    );

    let shown = host.get(&screenshot, Some("alice"), "fr").await;
    assert_eq!(shown.status, StatusCode::OK);
    assert_eq!(shown.headers["content-type"], "image/png");
    assert_eq!(shown.headers["x-content-type-options"], "nosniff");
    let drawing = host.get(&svg, Some("alice"), "fr").await;
    assert_eq!(drawing.headers["content-type"], "application/octet-stream");
    assert_eq!(drawing.headers["x-content-type-options"], "nosniff");
    let hidden = host.get(&internal, Some("alice"), "fr").await;
    assert_eq!(
        hidden.status,
        StatusCode::NOT_FOUND,
        "never to the requester"
    );
    let other = host.get(&screenshot, Some("bob"), "fr").await;
    assert_eq!(other.status, StatusCode::NOT_FOUND, "nor to anyone else");

    // A guest sees the reply's screenshot, never the note's image.
    let alice_actor = host.actor("alice").await;
    let Actor::Member(bob) = host.actor("bob").await else {
        panic!("bob is a member")
    };
    host.service
        .invite_guest(&alice_actor, id, None, bob.id)
        .await
        .unwrap();
    let (guest, _) = seen(&host, id, "bob").await;
    assert!(guest.contains(&image(&screenshot, "screenshot-1.png")));
    assert!(!guest.contains(&internal) && !guest.contains("interne.webp"));
    let hidden = host.get(&internal, Some("bob"), "fr").await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND, "never to a guest");
}

#[tokio::test]
async fn pages_load_images_from_here_and_pasted_previews_only() {
    let host = support::host().await;
    let id = open(&host, "alice").await;
    let page = host.get(&page_path(id), Some("alice"), "fr").await;
    let policy = page.headers["content-security-policy"].to_str().unwrap();
    assert!(policy.contains("img-src 'self' blob:;"), "{policy}");
    assert!(!policy.contains("data:") && !policy.contains("unsafe-inline"));
}

#[tokio::test]
async fn the_edit_form_changes_the_description_and_keeps_it_when_untouched() {
    let host = support::host().await;
    let id = open(&host, "alice").await;
    let (page, version) = seen(&host, id, "alice").await;
    assert!(
        page.contains(r#"id="edit-description""#),
        "the requester may edit while new"
    );
    assert!(
        page.contains(r#"data-rich-html="&lt;p&gt;Le bac &lt;strong&gt;2&lt;/strong&gt;"#),
        "the editor starts from the description"
    );
    assert!(
        page.contains(">Le bac 2 est bloqué</textarea>"),
        "the textarea from its text"
    );

    // Another field changed, the description sent as shown in the textarea: kept as is.
    let edit = |fields: Vec<(&'static str, String)>| {
        let host = &host;
        async move {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            host.post(
                &format!("{}/edit", page_path(id)),
                "alice",
                &fields,
                Some(TOKEN),
            )
            .await
        }
    };
    let page = edit(vec![
        ("version", version),
        ("subject", "Imprimante du 2e".into()),
        ("description", "Le bac 2 est bloqué\r\n".into()),
    ])
    .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let view = host.service.ticket(&host.root, id).await.unwrap();
    assert_eq!(view.ticket.subject, "Imprimante du 2e");
    assert_eq!(
        view.ticket.description.as_html(),
        "<p>Le bac <strong>2</strong> est bloqué</p>"
    );

    // The editor's HTML: the new description, sanitised, recorded in the history.
    let (_, version) = seen(&host, id, "alice").await;
    let page = edit(vec![
        ("version", version),
        (
            "description",
            format!("<p><u>Les deux bacs</u></p>{HOSTILE}"),
        ),
        ("format", "html".into()),
    ])
    .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let view = host.service.ticket(&host.root, id).await.unwrap();
    let description = view.ticket.description.as_html();
    assert!(
        description.starts_with("<p><u>Les deux bacs</u></p>"),
        "{description}"
    );
    assert_harmless(description);
    assert!(view.timeline.iter().any(|e| matches!(
        &e.kind,
        EventKind::FieldEdited {
            change: FieldChange::Description { .. }
        }
    )));
    let (page, _) = seen(&host, id, "sam").await;
    assert!(page.contains("<u>Les deux bacs</u>"));

    // A description emptied is refused, and changes nothing.
    let (_, version) = seen(&host, id, "alice").await;
    let page = edit(vec![
        ("version", version),
        ("description", "<p> </p>".into()),
        ("format", "html".into()),
    ])
    .await;
    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        page.body
    );
    let after = host.service.ticket(&host.root, id).await.unwrap();
    assert_eq!(after.ticket.description, view.ticket.description);
}

#[tokio::test]
async fn the_faq_button_gives_the_editor_its_html_back() {
    let host = support::host().await;
    let page = host
        .post(
            "/support/tickets/new",
            "alice",
            &[
                ("subject", "imprimante bac"),
                ("description", HOSTILE),
                ("format", "html"),
            ],
            Some(TOKEN),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body
            .contains("data-rich-html=\"&lt;p&gt;&lt;strong&gt;Gras"),
        "the editor gets its formatting back"
    );
    assert!(
        page.body.contains(">Gras et italique lien"),
        "the textarea its text"
    );
    assert_harmless(&page.body);
}
