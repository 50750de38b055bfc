//! myCIAG: a requester searches their tickets by words, keeps the criteria under a
//! name, comes back to them later, and reopens a closed ticket found that way.

use crate::harness::{Browser, Portal, Tools};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn myciag_saved_search_finds_a_closed_ticket_to_reopen() {
    let Some(tools) = Tools::find("myciag_saved_search_finds_a_closed_ticket_to_reopen") else {
        return;
    };
    let portal = Portal::start();
    for lang in ["fr", "en"] {
        let people = [
            Browser::person(&tools, &portal, lang, "alice").await,
            Browser::person(&tools, &portal, lang, "sam").await,
        ];
        myciag(&people).await;
        for browser in people {
            browser.quit().await;
        }
    }
}

async fn myciag([alice, sam]: &[Browser; 2]) {
    let lang = alice.lang.clone();
    let word = search_word(&lang);

    // A ticket of the past: opened, solved, approved.
    let b = alice;
    b.goto("/tickets/new").await;
    // The school the demo's acme asks for (required).
    b.fill(
        "#nt-cf-school",
        b.tr("Lycée Jean Moulin", "Jean Moulin High School"),
    )
    .await;
    let subject = format!(
        "{} ({lang})",
        b.tr(
            "Sauvegarde nocturne en échec sur le serveur",
            "Nightly backup failing on the server",
        )
    );
    b.fill("#nt-subject", &subject).await;
    b.fill(
        "#nt-description",
        b.tr("Le journal dit : disque plein.", "The log says: disk full."),
    )
    .await;
    b.submit("form.nt-form > div.hd-actions button[type=submit]")
        .await;
    let id = b.ticket_id().await;
    let ticket = format!("/tickets/{id}");
    let b = sam;
    b.goto(&ticket).await;
    b.act(
        "propose-closure",
        "solution",
        b.tr("Disque agrandi.", "Disk enlarged."),
    )
    .await;
    let b = alice;
    b.goto(&ticket).await;
    b.open_action("approve-closure").await;
    b.click("label[for=approve-q-overall-7]").await;
    b.submit("details#act-approve-closure button[type=submit]")
        .await;
    assert_eq!(b.status().await, b.label("closed"));

    // The search: words of the subject, closed tickets included.
    b.click("nav a[href='/tickets']").await;
    b.wait_path(|p| p == "/tickets", "the list").await;
    assert!(
        !b.text().await.contains(&subject),
        "a closed ticket is in the default list"
    );
    if !b.exists("details[open] #f-contains").await {
        b.click("details:has(#f-contains) > summary").await;
    }
    b.fill("#f-contains", word).await;
    b.click("input[name=closed]").await;
    b.submit("form[role=search] button[type=submit]").await;
    b.wait_text(&subject).await;
    b.check_screen_and_phone(&b.screen("list-search")).await;

    // Saved under a name, found again from another screen.
    let name = format!("{} ({lang})", b.tr("Mes sauvegardes", "My backups"));
    b.click("details:has(#hd-save-name) > summary").await;
    b.fill("#hd-save-name", &name).await;
    b.submit("form:has(#hd-save-name) button[type=submit]")
        .await;
    b.click("nav a[href='/profile']").await;
    b.wait_path(|p| p.starts_with("/profile"), "the profile")
        .await;
    b.check_screen_and_phone(&b.screen("profile")).await;
    b.click("nav a[href='/tickets']").await;
    b.wait_path(|p| p == "/tickets", "the list").await;
    b.click("details:has(#hd-save-name) > summary").await;
    b.wait_text(&name).await;
    b.check_screen(&b.screen("list-saved-searches")).await;
    b.click_link(&name).await;
    b.wait_path(|p| p.contains("contains="), "the saved criteria")
        .await;
    b.wait_text(&subject).await;

    // The ticket found, reopened.
    b.click(&format!("a[href='/tickets/{id}']")).await;
    b.wait_path(|p| p.starts_with(&ticket), "the ticket").await;
    b.act(
        "reopen",
        "reason",
        b.tr(
            "Elle échoue de nouveau cette nuit.",
            "It failed again last night.",
        ),
    )
    .await;
    assert_eq!(b.status().await, b.label("in_progress"));
}

/// A word of the subject, in another case and without its accent where it has one.
fn search_word(lang: &str) -> &'static str {
    if lang == "fr" { "SAUVEGARDE" } else { "backup" }
}
