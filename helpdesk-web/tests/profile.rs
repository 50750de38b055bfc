//! The profile page: what the host keeps, and the language chosen for the pages.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use axum::http::StatusCode;

#[tokio::test]
async fn the_profile_shows_who_is_looking_and_says_the_host_keeps_it() {
    let host = support::host().await;
    let fr = host.get("/support/profile", Some("alice"), "fr").await;
    assert_eq!(fr.status, StatusCode::OK);
    assert!(fr.body.contains("Alice Martin") && fr.body.contains("alice@example.org"));
    assert!(fr.body.contains("Demandeur") && fr.body.contains("Acme"));
    assert!(fr.body.contains("repris ici à chaque visite"));
    assert!(fr.body.contains(r#"name="form_token""#));
    let en = host.get("/support/profile", Some("sam"), "en").await;
    assert!(en.body.contains("My profile") && en.body.contains("Agent"));
    assert!(en.body.contains("copied here on every visit"));
}

#[tokio::test]
async fn the_language_chosen_is_kept_in_a_cookie_and_switches_the_pages() {
    let host = support::host().await;
    let page = host
        .post(
            "/support/profile",
            "alice",
            &[("lang", "en")],
            Some(support::TOKEN),
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location(), Some("/support/profile?done=1"));
    let cookie = page.headers["set-cookie"].to_str().unwrap();
    assert!(cookie.starts_with("hd_lang=en;"), "{cookie}");
    assert!(cookie.contains("Path=/") && cookie.contains("SameSite=Lax"));
    assert!(cookie.contains("Max-Age=31536000"));
    // The cookie wins over the browser's French.
    let home = host
        .get_with_cookie("/support", "alice", "fr", "hd_lang=en")
        .await;
    assert!(home.body.contains(r#"<html lang="en">"#));
    assert!(home.body.contains("Tickets opened per month"));
    let done = host
        .get_with_cookie("/support/profile?done=1", "alice", "fr", "hd_lang=en")
        .await;
    assert!(done.body.contains(r#"role="status""#) && done.body.contains("Your choice is saved."));
    // The choice is stored with alice too: it wins over another browser's cookie.
    let elsewhere = host
        .get_with_cookie("/support", "alice", "en", "hd_lang=fr")
        .await;
    assert!(elsewhere.body.contains(r#"<html lang="en">"#));
    // Bob chose nothing: his browser's cookie wins over its Accept-Language.
    let back = host
        .get_with_cookie("/support", "bob", "en", "hd_lang=fr")
        .await;
    assert!(back.body.contains(r#"<html lang="fr">"#));
}

#[tokio::test]
async fn an_unknown_language_or_a_missing_token_is_refused() {
    let host = support::host().await;
    let bad = host
        .post(
            "/support/profile",
            "alice",
            &[("lang", "de")],
            Some(support::TOKEN),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        !bad.headers.contains_key("set-cookie")
            || !bad.headers["set-cookie"]
                .to_str()
                .unwrap()
                .contains("hd_lang")
    );
    let no_token = host
        .post("/support/profile", "alice", &[("lang", "en")], None)
        .await;
    assert_eq!(no_token.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn unticked_topics_are_muted_and_the_profile_shows_the_choice() {
    let host = support::host().await;
    let page = host.get("/support/profile", Some("alice"), "fr").await;
    assert!(page.body.contains("Notifications par e-mail"));
    assert!(
        page.body.contains(r#"value="replies" checked"#),
        "everything is ticked at first"
    );
    assert!(
        !page.body.contains(r#"value="notes""#),
        "requesters are never told about internal notes: no such choice"
    );
    let saved = host
        .post(
            "/support/profile/notifications",
            "alice",
            &[
                ("notify", "opened"),
                ("notify", "replies"),
                ("notify", "closure"),
            ],
            Some(support::TOKEN),
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(saved.location(), Some("/support/profile?done=1"));
    let alice = host.actor("alice").await;
    let muted: Vec<&str> = alice
        .as_member()
        .unwrap()
        .muted
        .iter()
        .map(|t| t.as_str())
        .collect();
    assert_eq!(
        muted,
        [
            "information_requests",
            "cancel_and_reopen",
            "assignment",
            "changes"
        ],
        "what was not ticked"
    );
    let page = host.get("/support/profile", Some("alice"), "en").await;
    assert!(page.body.contains(r#"value="replies" checked"#));
    assert!(
        page.body.contains(r#"value="changes">"#),
        "unticked: {}",
        page.body
    );

    // Staff may mute internal notes too; ticking nothing mutes everything.
    let staff = host.get("/support/profile", Some("sam"), "en").await;
    assert!(staff.body.contains(r#"value="notes" checked"#));
    let none = host
        .post(
            "/support/profile/notifications",
            "sam",
            &[],
            Some(support::TOKEN),
        )
        .await;
    assert_eq!(none.status, StatusCode::SEE_OTHER);
    assert_eq!(host.actor("sam").await.as_staff().unwrap().muted.len(), 9);
}

#[tokio::test]
async fn an_unknown_topic_or_a_missing_token_changes_nothing() {
    let host = support::host().await;
    let bad = host
        .post(
            "/support/profile/notifications",
            "alice",
            &[("notify", "everything")],
            Some(support::TOKEN),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let forged = host
        .post("/support/profile/notifications", "alice", &[], None)
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let alice = host.actor("alice").await;
    assert!(
        alice.as_member().unwrap().muted.is_empty(),
        "nothing was written"
    );
}
