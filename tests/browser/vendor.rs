//! The vendor manual's whole life of a request: the client opens it with a file, an
//! agent takes it and asks for information, the client answers, closure is proposed,
//! refused with a justification, proposed again and approved with the questionnaire;
//! the tenant admin's dashboard shows the satisfaction move.

use crate::harness::{Browser, Portal, Tools};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vendor_request_from_opening_to_approved_closure() {
    let Some(tools) = Tools::find("vendor_request_from_opening_to_approved_closure") else {
        return;
    };
    let portal = Portal::start();
    let files = tempfile::tempdir().unwrap();
    for lang in ["fr", "en"] {
        let people = [
            Browser::person(&tools, &portal, lang, "alice").await,
            Browser::person(&tools, &portal, lang, "sam").await,
            Browser::person(&tools, &portal, lang, "carol").await,
        ];
        life_of_a_request(&people, files.path()).await;
        for browser in people {
            browser.quit().await;
        }
    }
}

async fn life_of_a_request([alice, sam, carol]: &[Browser; 3], files: &std::path::Path) {
    let lang = alice.lang.clone();
    // The tenant admin's dashboard before: what satisfaction says now.
    let b = carol;
    b.goto("/").await;
    let satisfaction = "section[aria-labelledby=hd-satisfaction]";
    let before = b.text_of(satisfaction).await;

    // The client opens a request about a product, with a screenshot of the error.
    let b = alice;
    b.goto("/").await;
    b.click("nav a[href='/tickets/new']").await;
    b.wait_path(|p| p.starts_with("/tickets/new"), "the new ticket form")
        .await;
    // The school the demo's acme asks for (required).
    b.fill(
        "#nt-cf-school",
        b.tr("Lycée Jean Moulin", "Jean Moulin High School"),
    )
    .await;
    b.check_screen_and_phone(&b.screen("new-ticket")).await;
    let subject = b.tr(
        "Export de paie vide dans Indeline",
        "Empty payroll export in Indeline",
    );
    let subject = format!("{subject} ({lang})");
    b.select_containing("#nt-product", "Indeline").await;
    b.fill("#nt-subject", &subject).await;
    b.fill(
        "#nt-description",
        b.tr(
            "Le fichier de virement sort vide depuis la mise à jour.",
            "The transfer file comes out empty since the update.",
        ),
    )
    .await;
    let file = files.join(format!("export-{lang}.txt"));
    std::fs::write(&file, "IBAN;MONTANT\n").unwrap();
    b.attach("#nt-attachments", &file).await;
    b.submit("form.nt-form > div.hd-actions button[type=submit]")
        .await;
    let id = b.ticket_id().await;
    b.wait_text(&subject).await;
    assert!(
        b.text_of("#files")
            .await
            .contains(&format!("export-{lang}.txt")),
        "the file is on the ticket"
    );
    assert_eq!(b.status().await, b.label("new"));
    b.check_screen(&b.screen("ticket-requester-new")).await;

    // The agent finds it in the list, takes it and asks for information.
    let b = sam;
    b.click("nav a[href='/tickets']").await;
    b.wait_text(&subject).await;
    b.check_screen_and_phone(&b.screen("list-agent")).await;
    b.goto(&format!("/tickets/{id}")).await;
    b.check_screen(&b.screen("ticket-agent-new")).await;
    b.submit(".hd-panels > form[action*='/assign'] button[type=submit]")
        .await;
    assert_eq!(b.status().await, b.label("in_progress"));
    let question = b.tr(
        "Quelle version d'Indeline utilisez-vous ?",
        "Which version of Indeline do you use?",
    );
    b.act("request-information", "message", question).await;
    assert_eq!(b.status().await, b.label("waiting_on_requester"));
    b.check_screen_and_phone(&b.screen("ticket-agent")).await;

    // The client answers: back to the agent.
    let b = alice;
    b.goto(&format!("/tickets/{id}")).await;
    b.wait_text(question).await;
    b.message("reply", b.tr("La version 5.2.", "Version 5.2."))
        .await;
    assert_eq!(b.status().await, b.label("in_progress"));

    // The agent proposes closure; the client refuses it, saying why.
    let b = sam;
    b.goto(&format!("/tickets/{id}")).await;
    let solution = b.tr(
        "Corrigé par le correctif 5.2.1.",
        "Fixed by the 5.2.1 patch.",
    );
    b.act("propose-closure", "solution", solution).await;
    assert_eq!(b.status().await, b.label("pending_closure"));
    let b = alice;
    b.goto(&format!("/tickets/{id}")).await;
    b.wait_text(solution).await;
    b.check_screen(&b.screen("ticket-requester-closure-proposed"))
        .await;
    let why = b.tr(
        "L'export sort toujours vide après le correctif.",
        "The export is still empty after the patch.",
    );
    b.act("refuse-closure", "justification", why).await;
    assert_eq!(b.status().await, b.label("in_progress"));
    b.wait_text(why).await;

    // Proposed again, approved with the questionnaire.
    let b = sam;
    b.goto(&format!("/tickets/{id}")).await;
    b.wait_text(why).await;
    b.act(
        "propose-closure",
        "solution",
        b.tr(
            "Le paramétrage de la banque était à refaire : c'est fait.",
            "The bank settings had to be redone: done.",
        ),
    )
    .await;
    let b = alice;
    b.goto(&format!("/tickets/{id}")).await;
    b.open_action("approve-closure").await;
    b.check_screen(&b.screen("ticket-requester-questionnaire"))
        .await;
    b.click("label[for=approve-q-overall-9]").await;
    for (criterion, choice) in [("processing_time", 1), ("solution", 0), ("human", 0)] {
        b.click(&format!("label[for=approve-q-{criterion}-{choice}]"))
            .await;
    }
    b.fill(
        "#approve-q-comment",
        b.tr("Merci pour le suivi.", "Thanks for the follow-up."),
    )
    .await;
    b.submit("details#act-approve-closure button[type=submit]")
        .await;
    assert_eq!(b.status().await, b.label("closed"));
    b.wait_text("9 / 10").await;
    b.check_screen(&b.screen("ticket-requester-closed")).await;

    // The dashboard's satisfaction has moved.
    let b = carol;
    b.goto("/").await;
    let after = b.text_of(satisfaction).await;
    assert_ne!(before, after, "the satisfaction did not move");
    assert!(
        after.contains(b.tr("Très satisfait", "Very satisfied")),
        "the criteria's choices are not in words: {after}"
    );
    b.check_screen_and_phone(&b.screen("home-satisfaction"))
        .await;
}
