//! The legal-aid network: the tenant closes files in one step and calls a closed file
//! "Conflit réglé"; an agent opens a file for a citizen, writes an internal note the
//! citizen's page never shows, and closes it directly. The platform admin's and the
//! supervisor's screens are visited on the way.

use crate::harness::{Browser, Portal, Tools};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn legal_aid_file_opened_for_a_citizen_and_closed_directly() {
    let Some(tools) = Tools::find("legal_aid_file_opened_for_a_citizen_and_closed_directly") else {
        return;
    };
    let portal = Portal::start();
    for lang in ["fr", "en"] {
        let people = [
            Browser::person(&tools, &portal, lang, "root").await,
            Browser::person(&tools, &portal, lang, "erin").await,
            Browser::person(&tools, &portal, lang, "sam").await,
            Browser::person(&tools, &portal, lang, "dave").await,
        ];
        legal_aid(&people).await;
        for browser in people {
            browser.quit().await;
        }
    }
}

async fn legal_aid([root, erin, sam, dave]: &[Browser; 4]) {
    let lang = erin.lang.clone();

    // The platform admin's screens: administration, tenants, staff and groups.
    let b = root;
    b.goto("/admin").await;
    b.check_screen(&b.screen("admin-platform")).await;
    b.goto("/admin/tenants").await;
    b.wait_text("globex").await;
    b.check_screen_and_phone(&b.screen("admin-tenants")).await;
    b.goto("/admin/staff").await;
    b.wait_text("Sam Support").await;
    b.check_screen(&b.screen("admin-staff")).await;

    // The tenant admin: direct closure, and the network's word for a closed file.
    let b = erin;
    b.goto("/admin/settings").await;
    b.select_value("#s-closure", "direct").await;
    b.fill("#s-label_fr_closed", "Conflit réglé").await;
    b.fill("#s-label_en_closed", "Dispute settled").await;
    b.submit("form.hd-settings button[type=submit]").await;
    b.wait_text(b.tr("C'est enregistré.", "Saved.")).await;
    b.check_screen_and_phone(&b.screen("admin-settings")).await;
    b.goto("/admin/members").await;
    b.wait_text("Dave Moreau").await;
    b.check_screen(&b.screen("admin-members")).await;
    let settled = b.tr("Conflit réglé", "Dispute settled");

    // The agent opens a file on behalf of the citizen.
    let b = sam;
    b.goto("/tickets/new").await;
    b.click("a[href*='tenant=globex']").await;
    b.wait_path(|p| p.contains("tenant=globex"), "the form for Globex")
        .await;
    b.select_containing("#nt-requester", "Dave Moreau").await;
    let subject = format!(
        "{} ({lang})",
        b.tr(
            "Litige avec le propriétaire : dépôt de garantie",
            "Dispute with the landlord: security deposit",
        )
    );
    b.fill("#nt-subject", &subject).await;
    b.fill(
        "#nt-description",
        b.tr(
            "Reçu au guichet : le propriétaire garde le dépôt de garantie.",
            "Met at the desk: the landlord keeps the security deposit.",
        ),
    )
    .await;
    b.check_screen(&b.screen("new-ticket-on-behalf")).await;
    b.submit("form.nt-form > div.hd-actions button[type=submit]")
        .await;
    let id = b.ticket_id().await;
    let ticket = format!("/tickets/{id}");
    b.wait_text(&subject).await;

    // An internal note, then the file closed in one step.
    let note = b.tr(
        "Note interne : le citoyen semble de bonne foi, voir le bail.",
        "Internal note: the citizen seems in good faith, see the lease.",
    );
    b.message("note", note).await;
    b.wait_text_in("#history", note).await;
    b.act(
        "propose-closure",
        "solution",
        b.tr(
            "Médiation réussie : le dépôt est rendu.",
            "Mediation succeeded: the deposit is returned.",
        ),
    )
    .await;
    assert_eq!(b.status().await, settled);
    b.check_screen(&b.screen("ticket-agent-closed-directly"))
        .await;

    // The citizen's page: the file, its label, never the note.
    let b = dave;
    b.goto(&ticket).await;
    b.wait_text(&subject).await;
    assert_eq!(b.status().await, settled);
    let page = b.text().await;
    assert!(!page.contains(note), "the citizen sees the internal note");
    assert!(
        !b.exists(".hd-event-internal").await,
        "an internal event is on the citizen's page"
    );
    b.check_screen_and_phone(&b.screen("ticket-requester-closed-directly"))
        .await;
}
