//! The pages in a real browser: the portal started as a process, Debian's Chromium
//! driven through WebDriver as people of the manuals would use it, axe-core run in every
//! screen, a screenshot of every screen under `target/screenshots/`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod bad_input;
mod harness;
#[path = "../support/mod.rs"]
mod support;

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
        local_dates(&browser).await;
        browser.check_screen(&format!("list-{lang}-{width}")).await;
        browser.quit().await;
    }
}

/// The list's first date, printed in UTC by the server, is shown in the browser's time
/// zone in the page's language, the UTC text kept as its title.
async fn local_dates(browser: &Browser) {
    let time = browser.find("table time[datetime]").await;
    let datetime = time.attr("datetime").await.unwrap().unwrap();
    let at = chrono::DateTime::parse_from_rfc3339(&datetime).unwrap()
        + chrono::Duration::minutes(harness::BROWSER_UTC_OFFSET_MINUTES);
    let expected = if browser.lang == "fr" {
        at.format("%d/%m/%Y %H:%M").to_string()
    } else {
        at.format("%Y-%m-%d %H:%M").to_string()
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let text = time.text().await.unwrap();
        if text == expected {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{datetime} shown as {text:?}, not {expected:?} in {}",
            harness::BROWSER_TIME_ZONE
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let title = time.attr("title").await.unwrap().unwrap_or_default();
    assert!(
        title.ends_with(" UTC"),
        "the UTC value kept as the title: {title:?}"
    );
}

/// The list as staff serving every client of the demo: a Client column and a client
/// filter; one client chosen, the list shows only its tickets.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_serving_several_clients_filter_the_list_by_client() {
    let Some(tools) = Tools::find("staff_serving_several_clients_filter_the_list_by_client") else {
        return;
    };
    let portal = Portal::start();
    for lang in ["fr", "en"] {
        let browser = Browser::person(&tools, &portal, lang, "root").await;
        browser.goto("/tickets").await;
        let header = browser.text_of("table thead").await;
        assert!(header.contains("Client"), "{header}");
        browser.check_screen(&format!("list-staff-{lang}")).await;
        browser.click("details.hd-action summary").await;
        browser
            .screenshot(&format!("list-staff-filters-{lang}"))
            .await;
        browser.select_value("#f-tenant", "globex").await;
        browser
            .submit("form[role=search] button[type=submit]")
            .await;
        browser
            .wait_path(|p| p.contains("tenant=globex"), "the list of globex")
            .await;
        let clients = browser.text_of("table tbody").await;
        assert!(!clients.contains("Acme"), "{clients}");
        // Back to every client, then a requester by name: one match filters on her.
        browser.select_value("#f-tenant", "").await;
        browser.fill("#f-requester", "alice").await;
        browser
            .submit("form[role=search] button[type=submit]")
            .await;
        browser
            .wait_path(|p| p.contains("requester="), "the list of alice's tickets")
            .await;
        let rows = browser.text_of("table tbody").await;
        assert!(
            rows.contains("Alice Martin") && !rows.contains("Bob Durand"),
            "{rows}"
        );
        let chosen = browser.text_of(".hd-chosen").await;
        assert!(chosen.contains("Alice Martin"), "{chosen}");
        browser
            .check_screen(&format!("list-staff-requester-{lang}"))
            .await;
        browser.quit().await;
    }
}
