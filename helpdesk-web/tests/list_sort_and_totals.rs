//! The ticket list's total, sortable columns, page size and sorted export; the home
//! page's tables per agent and per group for staff.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use axum::http::StatusCode;
use helpdesk_core::NewTicket;

async fn open(host: &support::Host, user: &str, subject: &str) -> helpdesk_core::Ticket {
    let actor = host.actor(user).await;
    host.service
        .open(
            &actor,
            host.acme,
            NewTicket {
                subject: subject.into(),
                description: "<p>Détails</p>".into(),
                ..NewTicket::default()
            },
            vec![],
        )
        .await
        .unwrap()
}

/// The subjects of the table's rows, in order.
fn subjects(body: &str, among: &[&str]) -> Vec<String> {
    let mut found: Vec<(usize, String)> = among
        .iter()
        .flat_map(|s| {
            let needle = format!(">{s}</a>");
            body.match_indices(&needle)
                .map(|(i, _)| (i, (*s).to_owned()))
                .collect::<Vec<_>>()
        })
        .collect();
    found.sort();
    found.into_iter().map(|(_, s)| s).collect()
}

const SUBJECTS: [&str; 3] = ["Imprimante", "Accès", "Zèbre"];

#[tokio::test]
async fn the_list_says_how_many_tickets_match_on_every_page() {
    let host = support::host().await;
    for subject in SUBJECTS {
        open(&host, "alice", subject).await;
    }
    open(&host, "bob", "Autre").await;
    let fr = host
        .get("/support/tickets?limit=1", Some("alice"), "fr")
        .await;
    assert_eq!(fr.status, StatusCode::OK, "{}", fr.body);
    assert!(fr.body.contains("3 demandes"), "{}", fr.body);
    let en = host
        .get("/support/tickets?limit=1", Some("carol"), "en")
        .await;
    assert!(en.body.contains("4 tickets"), "{}", en.body);
    let one = host
        .get("/support/tickets?contains=zebre", Some("carol"), "en")
        .await;
    assert!(one.body.contains("1 ticket<"), "{}", one.body);
}

#[tokio::test]
async fn column_headers_sort_the_list_and_say_how_it_is_sorted() {
    let host = support::host().await;
    for subject in SUBJECTS {
        open(&host, "alice", subject).await;
    }
    let default = host.get("/support/tickets", Some("alice"), "fr").await;
    assert_eq!(
        subjects(&default.body, &SUBJECTS),
        ["Zèbre", "Accès", "Imprimante"],
        "newest opened first"
    );
    assert_eq!(default.body.matches("aria-sort=").count(), 1);
    assert!(
        default.body.contains(
            r#"th scope="col" aria-sort="descending"><a href="/support/tickets?sort=opened&amp;order=asc""#
        ),
        "{}",
        default.body
    );
    assert!(
        default
            .body
            .contains(r#"href="/support/tickets?sort=subject&amp;order=asc""#),
        "{}",
        default.body
    );
    let by_subject = host
        .get(
            "/support/tickets?sort=subject&order=asc",
            Some("alice"),
            "fr",
        )
        .await;
    assert_eq!(
        subjects(&by_subject.body, &SUBJECTS),
        ["Accès", "Imprimante", "Zèbre"]
    );
    assert!(
        by_subject.body.contains(
            r#"th scope="col" aria-sort="ascending"><a href="/support/tickets?sort=subject&amp;order=desc""#
        ),
        "{}",
        by_subject.body
    );
    let refused = host
        .get("/support/tickets?sort=colour", Some("alice"), "en")
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn the_sort_stays_in_the_next_page_the_filters_and_the_export() {
    let host = support::host().await;
    for subject in SUBJECTS {
        open(&host, "alice", subject).await;
    }
    let first = host
        .get(
            "/support/tickets?sort=subject&order=asc&limit=1",
            Some("carol"),
            "fr",
        )
        .await;
    assert_eq!(subjects(&first.body, &SUBJECTS), ["Accès"]);
    let start = first
        .body
        .find(r#"href="/support/tickets?sort=subject&amp;order=asc&amp;limit=1&amp;after="#)
        .expect("the next page keeps the sort");
    let href = &first.body[start + 6..];
    let href = href[..href.find('"').unwrap()].replace("&amp;", "&");
    let second = host.get(&href, Some("carol"), "fr").await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.body);
    assert_eq!(subjects(&second.body, &SUBJECTS), ["Imprimante"]);
    // The filters and the export carry the sort.
    assert!(
        first
            .body
            .contains(r#"<input type="hidden" name="sort" value="subject">"#)
    );
    assert!(
        first
            .body
            .contains(r#"<input type="hidden" name="order" value="asc">"#)
    );
    let export = host
        .get(
            "/support/tickets/export.csv?sort=subject&order=desc&format=csv",
            Some("carol"),
            "fr",
        )
        .await;
    assert_eq!(export.status, StatusCode::OK, "{}", export.body);
    let at = |s: &str| export.body.find(s).unwrap();
    assert!(at("Zèbre") < at("Imprimante") && at("Imprimante") < at("Accès"));
}

#[tokio::test]
async fn a_page_size_select_offers_25_to_200() {
    let host = support::host().await;
    open(&host, "alice", "Imprimante").await;
    let page = host
        .get("/support/tickets?limit=100", Some("alice"), "en")
        .await;
    assert!(page.body.contains(r#"<select id="f-limit" name="limit">"#));
    for size in ["25", "50", "200"] {
        assert!(
            page.body
                .contains(&format!(r#"<option value="{size}">{size}</option>"#)),
            "{size}"
        );
    }
    assert!(
        page.body
            .contains(r#"<option value="100" selected>100</option>"#)
    );
    assert!(page.body.contains("Tickets per page"));
}

#[tokio::test]
async fn staff_see_tables_per_agent_and_per_group_on_the_home_page() {
    let host = support::host().await;
    let ticket = open(&host, "alice", "Imprimante").await;
    open(&host, "alice", "Écran").await;
    let sue = host.actor("sue").await;
    let sam = host.actor("sam").await;
    host.service
        .assign(
            &sue,
            ticket.id,
            None,
            Some(sam.as_staff().unwrap().id),
            Some(host.software),
        )
        .await
        .unwrap();
    let home = host.get("/support", Some("sue"), "fr").await;
    assert_eq!(home.status, StatusCode::OK, "{}", home.body);
    assert!(home.body.contains("Par intervenant"), "{}", home.body);
    assert!(home.body.contains(r#"id="hd-by-agent-table""#));
    assert!(home.body.contains(r#"<th scope="row">Sam Agent</th>"#));
    assert!(home.body.contains(r#"<th scope="row">Non attribuée</th>"#));
    assert!(home.body.contains(r#"<th scope="row">Logiciel</th>"#));
    assert!(home.body.contains(r#"<th scope="row">Sans groupe</th>"#));
    let agent = host.get("/support", Some("sam"), "en").await;
    assert!(agent.body.contains(r#"<th scope="row">Sam Agent</th>"#));
    assert!(
        !agent.body.contains(r#"<th scope="row">Unassigned</th>"#),
        "an agent sees their own line only"
    );
    let member = host.get("/support", Some("alice"), "fr").await;
    assert_eq!(member.status, StatusCode::OK);
    assert!(!member.body.contains("hd-by-agent"));
}
