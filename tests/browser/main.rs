//! The pages in a real browser: the portal started as a process, Debian's Chromium
//! driven through WebDriver as people of the manuals would use it, axe-core run in every
//! screen, a screenshot of every screen under `target/screenshots/`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod bad_input;
mod harness;

mod legal_aid;
mod myciag;
mod rich_text;
mod school;
mod vendor;

use harness::{Browser, Portal, Tools};

/// Login, home and list for a requester, in both languages and on a phone-sized screen.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_requester_logs_in_and_finds_home_and_the_list() {
    let Some(tools) = Tools::find("a_requester_logs_in_and_finds_home_and_the_list") else {
        return;
    };
    let portal = Portal::start();
    for (lang, width, home_title, list_title) in [
        ("fr", 1280, "Tableau de bord", "Demandes"),
        ("en", 1280, "Dashboard", "Tickets"),
        ("fr", 360, "Tableau de bord", "Demandes"),
    ] {
        let browser = Browser::open(&tools, &portal, lang, width).await;
        browser.goto("/").await;
        assert!(
            browser.path().await.starts_with("/login"),
            "not logged in: the login page"
        );
        browser.check_screen(&format!("login-{lang}-{width}")).await;
        browser.login("alice").await;
        assert_eq!(browser.path().await, "/");
        assert!(browser.text().await.contains(home_title));
        browser.check_screen(&format!("home-{lang}-{width}")).await;
        browser.goto("/tickets").await;
        assert!(browser.text().await.contains(list_title));
        browser.check_screen(&format!("list-{lang}-{width}")).await;
        browser.quit().await;
    }
}
