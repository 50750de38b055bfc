//! Bad input through the forms: blank required fields, text too long, actions the
//! viewer may not take, a form made stale by someone else, a missing or wrong form
//! token. Each answer is a page that says what is wrong, changes nothing, never a 500.

use crate::harness::{Browser, Portal, Tools};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_refused_with_a_page_that_says_why() {
    let Some(tools) = Tools::find("bad_input_is_refused_with_a_page_that_says_why") else {
        return;
    };
    let portal = Portal::start();
    for lang in ["fr", "en"] {
        let people = [
            Browser::person(&tools, &portal, lang, "alice").await,
            Browser::person(&tools, &portal, lang, "bob").await,
            Browser::person(&tools, &portal, lang, "sam").await,
        ];
        bad_input(&people).await;
        for browser in people {
            browser.quit().await;
        }
    }
}

/// The words every refusal starts with.
fn refused(b: &Browser) -> &'static str {
    b.tr("La demande n'a pas abouti", "That did not work")
}

/// The page is not the one of a server fault (nor a bare one without the layout).
fn assert_no_server_error(page: &str) {
    for fault in [
        "Une erreur s'est produite de notre côté",
        "Something went wrong on our side",
        "Internal Server Error",
    ] {
        assert!(!page.contains(fault), "a server error page: {page}");
    }
}

async fn bad_input([alice, bob, sam]: &[Browser; 3]) {
    let lang = alice.lang.clone();

    // Blank required fields (spaces pass the browser's own check): the form again,
    // saying which field, with what was typed.
    let b = alice;
    b.goto("/tickets/new").await;
    // The school the demo's acme asks for (required).
    b.fill(
        "#nt-cf-school",
        b.tr("Lycée Jean Moulin", "Jean Moulin High School"),
    )
    .await;
    b.fill("#nt-subject", "   ").await;
    b.fill("#nt-description", "   ").await;
    b.fill("#nt-asset", "PC-42").await;
    b.submit("form.nt-form > div.hd-actions button[type=submit]")
        .await;
    assert!(b.path().await.starts_with("/tickets"), "still on the form");
    let page = b.text().await;
    assert_no_server_error(&page);
    assert!(
        b.exists("[aria-invalid=true]").await,
        "no field marked: {page}"
    );
    let asset = b.find("#nt-asset").await.prop("value").await.unwrap();
    assert_eq!(asset.as_deref(), Some("PC-42"), "what was typed is lost");
    b.check_screen(&b.screen("new-ticket-invalid")).await;

    // A ticket to misuse.
    let subject = format!("{} ({lang})", b.tr("Écran noir", "Black screen"));
    b.fill("#nt-subject", &subject).await;
    b.fill(
        "#nt-description",
        b.tr("Rien ne s'affiche.", "Nothing shows."),
    )
    .await;
    b.submit("form.nt-form > div.hd-actions button[type=submit]")
        .await;
    let id = b.ticket_id().await;
    let ticket = format!("/tickets/{id}");

    // A blank required message on the ticket page.
    b.fill("#reply-body", "  \n ").await;
    b.submit("section#reply button[type=submit]").await;
    let page = b.wait_text(refused(b)).await;
    assert_no_server_error(&page);
    b.check_screen(&b.screen("ticket-invalid-reply")).await;

    // Text too long: a reply over the limit, pasted in.
    b.goto(&ticket).await;
    b.client
        .execute(
            "const editor = document.getElementById('reply-body-editor');
             if (editor) { editor.textContent = 'x'.repeat(300 * 1024); }
             else { document.getElementById('reply-body').value = 'x'.repeat(300 * 1024); }",
            vec![],
        )
        .await
        .unwrap();
    b.submit("section#reply button[type=submit]").await;
    let page = b
        .wait_text(b.tr("Le texte envoyé est trop long", "The text sent is too long"))
        .await;
    assert_no_server_error(&page);
    b.check_screen(&b.screen("error-too-long")).await;
    b.goto(&ticket).await;
    assert_eq!(
        b.find("#history")
            .await
            .find_all(fantoccini::Locator::Css("li.hd-event"))
            .await
            .unwrap()
            .len(),
        1,
        "the too long reply was taken"
    );

    // Forbidden: a requester at the administration; another requester at the ticket.
    b.goto("/admin/settings").await;
    let page = b.wait_text(refused(b)).await;
    assert_no_server_error(&page);
    b.check_screen(&b.screen("error-forbidden")).await;
    let b = bob;
    b.goto(&ticket).await;
    let page = b
        .wait_text(b.tr(
            "Cette page ou cette demande n'existe pas",
            "This page or ticket does not exist",
        ))
        .await;
    assert!(!page.contains(&subject), "bob sees alice's ticket");
    b.check_screen_and_phone(&b.screen("error-not-found")).await;

    // A stale form: the agent's page is older than the requester's reply.
    let b = sam;
    b.goto(&ticket).await;
    b.wait_text(&subject).await;
    let typed = b.tr(
        "Avez-vous essayé un autre câble ?",
        "Have you tried another cable?",
    );
    b.fill("#reply-body", typed).await;
    let b = alice;
    b.goto(&ticket).await;
    let meanwhile = b.tr("Il clignote maintenant.", "It blinks now.");
    b.message("reply", meanwhile).await;
    b.wait_text(meanwhile).await;
    let b = sam;
    b.submit("section#reply button[type=submit]").await;
    let page = b
        .wait_text(b.tr(
            "Quelqu'un d'autre a modifié cette demande",
            "Someone else changed this ticket",
        ))
        .await;
    assert_no_server_error(&page);
    let kept = b.find("#reply-body").await.prop("value").await.unwrap();
    assert_eq!(kept.as_deref(), Some(typed), "the typed text is lost");
    b.check_screen(&b.screen("ticket-stale")).await;
    assert!(
        !b.text_of("#history").await.contains(typed),
        "the stale reply was taken"
    );

    // No form token, then a wrong one: refused, nothing changed.
    let b = alice;
    for (case, script) in [
        (
            "missing",
            "document.querySelector('section#reply input[name=form_token]').remove();",
        ),
        (
            "wrong",
            "document.querySelector('section#reply input[name=form_token]').value = 'forged';",
        ),
    ] {
        b.goto(&ticket).await;
        let text = format!("{case} token ({lang})");
        b.fill("#reply-body", &text).await;
        b.client.execute(script, vec![]).await.unwrap();
        b.submit("section#reply button[type=submit]").await;
        let page = b
            .wait_text(b.tr(
                "Ce formulaire a expiré ou ne vient pas de cette page",
                "This form has expired or did not come from this page",
            ))
            .await;
        assert_no_server_error(&page);
        b.check_screen(&b.screen(&format!("error-token-{case}")))
            .await;
        b.goto(&ticket).await;
        assert!(
            !b.text_of("#history").await.contains(&text),
            "a reply without a valid token was taken"
        );
    }
}
