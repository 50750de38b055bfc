//! The rich-text editor as a requester uses it: bold from the toolbar, italic from the
//! keyboard, a screenshot pasted into the description and shown on the ticket.

use fantoccini::key::Key;

use crate::harness::{Browser, Portal, Tools};

/// Builds a small PNG in the page (a canvas), pastes it into the description editor as
/// a person pasting a screenshot would, and answers how many files the form now holds.
const PASTE_SCREENSHOT: &str = "
    const done = arguments[arguments.length - 1];
    const canvas = document.createElement('canvas');
    canvas.width = 120; canvas.height = 60;
    const g = canvas.getContext('2d');
    g.fillStyle = '#1d4ed8'; g.fillRect(0, 0, 120, 60);
    g.fillStyle = '#ffffff'; g.fillRect(20, 20, 80, 20);
    canvas.toBlob(blob => {
        const file = new File([blob], 'image.png', { type: 'image/png' });
        const data = new DataTransfer();
        data.items.add(file);
        const editor = document.getElementById('nt-description-editor');
        editor.focus();
        editor.dispatchEvent(new ClipboardEvent('paste', {
            clipboardData: data, bubbles: true, cancelable: true }));
        done(document.getElementById('nt-attachments').files.length);
    }, 'image/png');";

/// Pastes hostile HTML into the reply editor; answers the editor's HTML after it.
const PASTE_HOSTILE_HTML: &str = "
    const data = new DataTransfer();
    data.setData('text/html', '<p onclick=\"alert(1)\">Texte <b>collé</b><script>alert(2)</script>'
        + '<img src=\"https://tracker.example/p.gif\"> <a href=\"javascript:alert(3)\">ici</a></p>');
    data.setData('text/plain', 'Texte collé ici');
    const editor = document.getElementById('reply-body-editor');
    editor.focus();
    editor.dispatchEvent(new ClipboardEvent('paste', {
        clipboardData: data, bubbles: true, cancelable: true }));
    return editor.innerHTML;";

/// Whether the first inline image of the history is loaded (scrolled into view first:
/// it loads lazily).
const IMAGE_LOADED: &str = "
    const img = document.querySelector('#history figure.hd-figure img');
    if (!img) { return false; }
    img.scrollIntoView();
    return img.complete && img.naturalWidth === 120;";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_editor_makes_bold_text_and_shows_a_pasted_screenshot() {
    let Some(tools) = Tools::find("the_editor_makes_bold_text_and_shows_a_pasted_screenshot")
    else {
        return;
    };
    let portal = Portal::start();
    let b = Browser::person(&tools, &portal, "fr", "alice").await;
    b.goto("/tickets/new").await;
    let editor = b.find("#nt-description-editor").await;
    assert_eq!(
        editor.attr("role").await.unwrap().as_deref(),
        Some("textbox")
    );
    assert_eq!(
        editor.attr("aria-labelledby").await.unwrap().as_deref(),
        Some("nt-description-label")
    );
    assert!(
        !b.find("#nt-description")
            .await
            .is_displayed()
            .await
            .unwrap(),
        "the textarea is replaced"
    );
    b.fill("#nt-subject", "Bac bloqué (éditeur)").await;

    // Some text, bold on, bold words, bold off, more text.
    let bold = b
        .find("form.nt-form .hd-rich-field button[data-command=bold]")
        .await;
    assert_eq!(
        bold.attr("aria-label").await.unwrap().as_deref(),
        Some("Gras")
    );
    editor.click().await.unwrap();
    editor.send_keys("Le bac ").await.unwrap();
    bold.click().await.unwrap();
    assert_eq!(
        bold.attr("aria-pressed").await.unwrap().as_deref(),
        Some("true")
    );
    editor.send_keys("numéro 2").await.unwrap();
    bold.click().await.unwrap();
    editor.send_keys(" est bloqué.").await.unwrap();

    // A screenshot pasted: it joins the files, with a preview.
    let files = b
        .client
        .execute_async(PASTE_SCREENSHOT, vec![])
        .await
        .unwrap();
    assert_eq!(
        files.as_u64(),
        Some(1),
        "the screenshot is a file of the form"
    );
    b.find("img.hd-paste-preview").await;
    // The school the demo's acme asks for (required).
    b.fill("#nt-cf-school", "Lycée Jean Moulin").await;
    b.check_screen(&b.screen("new-ticket-editor")).await;

    b.submit("form.nt-form > div.hd-actions button[type=submit]")
        .await;
    let id = b.ticket_id().await;
    b.wait_text("Bac bloqué (éditeur)").await;
    assert_eq!(
        b.text_of("#history .hd-rich strong").await,
        "numéro 2",
        "the bold words are bold on the ticket"
    );
    assert!(
        b.text_of("#history .hd-rich")
            .await
            .contains("Le bac numéro 2 est bloqué.")
    );
    let caption = b.text_of("#history figure.hd-figure figcaption").await;
    assert!(
        caption.starts_with("screenshot-") && caption.ends_with(".png"),
        "{caption}"
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while b.client.execute(IMAGE_LOADED, vec![]).await.unwrap() != serde_json::json!(true) {
        assert!(
            std::time::Instant::now() < deadline,
            "the screenshot is not shown on the ticket"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    b.check_screen(&b.screen("ticket-inline-screenshot")).await;

    // HTML pasted from elsewhere keeps its words and its bold, never its script,
    // handlers, remote image or `javascript:` link.
    let reply = b.find("#reply-body-editor").await;
    reply.click().await.unwrap();
    let pasted = b.client.execute(PASTE_HOSTILE_HTML, vec![]).await.unwrap();
    let pasted = pasted.as_str().unwrap_or_default();
    assert!(
        pasted.contains("<b>collé</b>") || pasted.contains("<strong>collé</strong>"),
        "{pasted}"
    );
    for bad in [
        "<img",
        "<script",
        "onclick",
        "javascript:",
        "tracker.example",
    ] {
        assert!(
            !pasted.contains(bad),
            "{bad} pasted into the editor: {pasted}"
        );
    }
    b.client
        .execute(
            "document.getElementById('reply-body-editor').innerHTML = '';",
            vec![],
        )
        .await
        .unwrap();

    // A reply with italic from the keyboard (Ctrl+I, then Ctrl+I again).
    let italic = format!("{}i{}", Key::Control, Key::Null);
    reply.send_keys("Merci, c'est ").await.unwrap();
    reply.send_keys(&italic).await.unwrap();
    reply.send_keys("urgent").await.unwrap();
    reply.send_keys(&italic).await.unwrap();
    reply.send_keys(" pour nous.").await.unwrap();
    b.submit("section#reply button[type=submit]").await;
    b.wait_text("pour nous.").await;
    assert_eq!(
        b.text_of("#history li.hd-event:last-child .hd-rich em")
            .await,
        "urgent"
    );

    // The edit form's editor starts from the description, bold kept.
    b.goto(&format!("/tickets/{id}")).await;
    b.open_action("edit").await;
    let description = b.find("#edit-description-editor").await;
    let html = description.html(true).await.unwrap();
    assert!(html.contains("<strong>numéro 2</strong>"), "{html}");
    b.quit().await;
}
