//! The school ENT's assistance tab: the tenant admin builds a category tree routed to
//! a service and writes a FAQ article; a parent picks the sub-category, is shown the
//! article while typing, sends the request, which lands with the right group; a guest
//! is invited and replies; the agent asks for information; the closure is approved.

use crate::harness::{Browser, Portal, Tools};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn school_request_routed_with_faq_and_a_guest() {
    let Some(tools) = Tools::find("school_request_routed_with_faq_and_a_guest") else {
        return;
    };
    let portal = Portal::start();
    for lang in ["fr", "en"] {
        let people = [
            Browser::person(&tools, &portal, lang, "carol").await,
            Browser::person(&tools, &portal, lang, "alice").await,
            Browser::person(&tools, &portal, lang, "bob").await,
            Browser::person(&tools, &portal, lang, "sam").await,
        ];
        school(&people).await;
        for browser in people {
            browser.quit().await;
        }
    }
}

async fn school([carol, alice, bob, sam]: &[Browser; 4]) {
    let lang = carol.lang.clone();
    let service = "Matériel et réseau";

    // The tenant admin: a category routed to a service, a sub-category under it.
    let b = carol;
    b.click("nav a[href='/admin']").await;
    b.wait_path(|p| p.starts_with("/admin"), "the administration")
        .await;
    b.check_screen(&b.screen("admin-tenant-admin")).await;
    b.goto("/admin/categories").await;
    let top = format!("{} ({lang})", b.tr("Vie scolaire", "School life"));
    let sub = format!("{} ({lang})", b.tr("Absences", "Absences"));
    b.fill("#c-name", &top).await;
    b.select("#c-group", service).await;
    b.submit("section[aria-labelledby=hd-new-category] button[type=submit]")
        .await;
    b.wait_text(&top).await;
    b.fill("#c-name", &sub).await;
    b.select_containing("#c-parent", &top).await;
    b.submit("section[aria-labelledby=hd-new-category] button[type=submit]")
        .await;
    b.wait_text(&sub).await;
    b.check_screen_and_phone(&b.screen("admin-categories"))
        .await;

    // A FAQ article in the sub-category.
    b.goto("/admin/articles").await;
    let article = b.tr(
        "Justifier une absence de votre enfant",
        "Justifying your child's absence",
    );
    b.fill("#a-title", article).await;
    b.select("#a-category", &sub).await;
    b.fill(
        "#a-body",
        b.tr(
            "Remplissez le billet d'absence du carnet de liaison dans les deux jours.",
            "Fill in the absence slip of the school diary within two days.",
        ),
    )
    .await;
    b.submit("section[aria-labelledby=hd-new-article] button[type=submit]")
        .await;
    b.wait_text(article).await;
    b.check_screen(&b.screen("admin-articles")).await;

    // A parent: the sub-category, a subject, and the article is suggested.
    let b = alice;
    b.goto("/tickets/new").await;
    b.click_label(&sub).await;
    // The fields the school asks: which school (required), which room.
    let school = b.tr("Collège Victor Hugo", "Victor Hugo Middle School");
    let room = b.tr("Salle 104", "Room 104");
    b.fill("#nt-cf-school", school).await;
    b.fill("#nt-cf-room", room).await;
    let subject = format!(
        "{} ({lang})",
        b.tr(
            "Comment justifier l'absence de mon fils ?",
            "How to justify the absence of my son?",
        )
    );
    b.fill("#nt-subject", &subject).await;
    b.wait_text_in("#nt-suggestions", article).await;
    b.check_screen_and_phone(&b.screen("new-ticket-faq")).await;
    b.fill(
        "#nt-description",
        b.tr(
            "Il était malade lundi, le carnet est perdu.",
            "He was ill on Monday, the diary is lost.",
        ),
    )
    .await;
    b.submit("form.nt-form > div.hd-actions button[type=submit]")
        .await;
    let id = b.ticket_id().await;
    let ticket = format!("/tickets/{id}");
    assert!(
        b.text_of(".hd-ticket-header").await.contains(&sub),
        "the category is on the ticket"
    );
    let properties = b.text_of("#properties").await;
    for shown in [b.tr("Établissement", "School"), school, room] {
        assert!(
            properties.contains(shown),
            "{shown} not on the ticket: {properties}"
        );
    }

    // Routed to the service: the agent sees the group.
    let b = sam;
    b.goto(&ticket).await;
    let header = b.text_of(".hd-ticket-header").await;
    assert!(
        header.contains(service),
        "not routed to {service}: {header}"
    );

    // The parent invites the other parent, who replies.
    let b = alice;
    b.act("invite-guest", "login", "bob").await;
    b.wait_text_in("#guests", "Bob Durand").await;
    let b = bob;
    b.goto(&ticket).await;
    b.wait_text(&subject).await;
    b.check_screen(&b.screen("ticket-guest")).await;
    let from_guest = b.tr(
        "Je confirme : il était chez moi lundi.",
        "I confirm: he was at my home on Monday.",
    );
    b.message("reply", from_guest).await;
    b.wait_text(from_guest).await;

    // The agent asks for information, the parent answers, closure is approved.
    let b = sam;
    b.goto(&ticket).await;
    b.wait_text(from_guest).await;
    let question = b.tr(
        "Avez-vous un certificat médical ?",
        "Do you have a doctor's note?",
    );
    b.act("request-information", "message", question).await;
    assert_eq!(b.status().await, b.label("waiting_on_requester"));
    let b = alice;
    b.goto(&ticket).await;
    b.wait_text(question).await;
    b.message(
        "reply",
        b.tr("Oui, je le dépose demain.", "Yes, I bring it tomorrow."),
    )
    .await;
    let b = sam;
    b.goto(&ticket).await;
    b.act(
        "propose-closure",
        "solution",
        b.tr("Absence justifiée.", "Absence justified."),
    )
    .await;
    let b = alice;
    b.goto(&ticket).await;
    b.open_action("approve-closure").await;
    b.click("label[for=approve-q-overall-10]").await;
    b.submit("details#act-approve-closure button[type=submit]")
        .await;
    assert_eq!(b.status().await, b.label("closed"));
}
