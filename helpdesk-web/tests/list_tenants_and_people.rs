//! The list for staff serving several tenants (a Client column and filter), the
//! requester filter by name, the requester's latest tickets on the ticket page, dates
//! and colons as each language writes them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use helpdesk_core::{MemberDetails, MemberRole, NewTicket, TenantId, TicketId, UserId};
use support::{Host, Page, TOKEN};

async fn open_in(host: &Host, tenant: TenantId, user: &str, subject: &str) -> TicketId {
    let actor = host
        .service
        .actor(&UserId::new(user).unwrap(), Some(tenant))
        .await
        .unwrap();
    let category = (tenant == host.acme).then_some(host.printers);
    host.service
        .open(
            &actor,
            tenant,
            NewTicket {
                subject: subject.into(),
                description: "<p>Détails</p>".into(),
                category,
                ..NewTicket::default()
            },
            vec![],
        )
        .await
        .unwrap()
        .id
}

/// A second tenant, beta, with its requester dave and one ticket; acme has one of
/// alice's and one of bob's.
async fn two_tenants() -> (Host, TenantId) {
    let host = support::host().await;
    let beta = host
        .service
        .create_tenant(&host.root, "beta", "Beta Industries")
        .await
        .unwrap()
        .id;
    host.service
        .ensure_member(
            beta,
            MemberDetails {
                user: &UserId::new("dave").unwrap(),
                display_name: "Dave Martin",
                email: Some("dave@example.org"),
                role: MemberRole::Requester,
            },
        )
        .await
        .unwrap();
    open_in(&host, host.acme, "alice", "Imprimante en panne").await;
    open_in(&host, host.acme, "bob", "Écran noir").await;
    open_in(&host, beta, "dave", "Licence expirée").await;
    (host, beta)
}

/// `GET path` as a staff member the host names without a tenant (they serve several).
async fn get_as_staff(host: &Host, path: &str, user: &str, lang: &str) -> Page {
    let request = Request::get(path)
        .header("accept-language", lang)
        .header("x-user", user)
        .body(Body::empty())
        .unwrap();
    host.send(request).await
}

#[tokio::test]
async fn staff_serving_several_tenants_see_a_client_column_and_filter() {
    let (host, _) = two_tenants().await;
    let all = get_as_staff(&host, "/support/tickets", "root", "fr").await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.body);
    assert!(all.body.contains(r#"<th scope="col">Client</th>"#));
    assert!(
        all.body
            .contains(r#"<td data-label="Client">Beta Industries</td>"#)
    );
    assert!(all.body.contains(r#"<td data-label="Client">Acme</td>"#));
    assert!(all.body.contains(r#"<select id="f-tenant" name="tenant">"#));
    assert!(
        all.body
            .contains(r#"<option value="" selected>Tous les clients</option>"#)
    );
    assert!(all.body.contains("Licence expirée") && all.body.contains("Écran noir"));

    let beta = get_as_staff(&host, "/support/tickets?tenant=beta", "root", "fr").await;
    assert!(
        beta.body
            .contains(r#"<option value="beta" selected>Beta Industries</option>"#)
    );
    assert!(beta.body.contains("Licence expirée") && !beta.body.contains("Écran noir"));
    // Criteria saved while one client is shown apply to that client, from any page.
    let body = serde_html_form::to_string([
        ("name", "Beta"),
        ("query", "contains=licence"),
        ("form_token", TOKEN),
    ])
    .unwrap();
    let request = Request::post("/support/tickets/saved?tenant=beta")
        .header("x-user", "root")
        .header("cookie", format!("hd_form_token={TOKEN}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap();
    let saved = host.send(request).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let all = get_as_staff(&host, "/support/tickets", "root", "fr").await;
    assert!(
        all.body
            .contains(r#"href="/support/tickets?contains=licence&amp;tenant=beta">Beta</a>"#),
        "{}",
        all.body
    );
    // Choosing "all clients" in the filter sends an empty tenant: all of them again.
    let again = get_as_staff(&host, "/support/tickets?tenant=&contains=", "root", "fr").await;
    assert!(again.body.contains("Licence expirée") && again.body.contains("Écran noir"));
}

#[tokio::test]
async fn single_tenant_viewers_see_no_client_column_nor_filter() {
    let (host, _) = two_tenants().await;
    for user in ["sam", "alice", "carol"] {
        let page = host.get("/support/tickets", Some(user), "fr").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(
            !page.body.contains(r#"<th scope="col">Client</th>"#),
            "{user}"
        );
        assert!(!page.body.contains("f-tenant"), "{user}");
    }
}

/// The member id `location` filters on.
fn requester_in(location: &str) -> String {
    location
        .split(['?', '&'])
        .find_map(|pair| pair.strip_prefix("requester="))
        .expect("a requester in the link")
        .to_owned()
}

#[tokio::test]
async fn a_name_finding_one_member_filters_on_them_shown_by_name_and_removable() {
    let (host, _) = two_tenants().await;
    let asked = host
        .get("/support/tickets?requester_name=alice", Some("sue"), "fr")
        .await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER);
    let location = asked.location().unwrap().to_owned();
    assert!(!location.contains("requester_name"), "{location}");
    let id = requester_in(&location);
    let list = host.get(&location, Some("sue"), "fr").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert!(list.body.contains("Imprimante en panne"));
    assert!(
        !list.body.contains("Écran noir"),
        "bob's ticket is filtered out"
    );
    assert!(list.body.contains("Demandeur\u{a0}: Alice Martin"));
    assert!(
        list.body
            .contains(&format!(r#"name="requester" value="{id}""#))
    );
    assert!(list.body.contains("<a href=\"/support/tickets\" aria-label=\"Retirer ce filtre\u{a0}: Alice Martin\">Retirer ce filtre</a>"));
    // Shown by name even when no ticket matches the other criteria.
    let none = host
        .get(
            &format!("/support/tickets?requester={id}&contains=zzz"),
            Some("sue"),
            "en",
        )
        .await;
    assert!(
        none.body.contains("Requester: Alice Martin"),
        "{}",
        none.body
    );

    // Kept in saved searches and in the export, as every criterion.
    let saved = host
        .post(
            "/support/tickets/saved",
            "carol",
            &[("name", "Alice"), ("query", &format!("requester={id}"))],
            Some(TOKEN),
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let list = host.get("/support/tickets", Some("carol"), "fr").await;
    assert!(
        list.body.contains(&format!(
            r#"href="/support/tickets?requester={id}">Alice</a>"#
        )),
        "{}",
        list.body
    );
    let csv = host
        .get(
            &format!("/support/tickets/export.csv?requester={id}&format=csv"),
            Some("carol"),
            "fr",
        )
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.body.contains("Imprimante en panne") && !csv.body.contains("Écran noir"));
}

#[tokio::test]
async fn a_name_finding_several_offers_a_choice_and_none_says_so() {
    let (host, _) = two_tenants().await;
    // Martin: alice (Alice Martin, acme) and dave (Dave Martin, beta), for root.
    let several = get_as_staff(
        &host,
        "/support/tickets?requester_name=martin",
        "root",
        "fr",
    )
    .await;
    assert_eq!(several.status, StatusCode::OK, "{}", several.body);
    assert!(
        several
            .body
            .contains("Plusieurs membres portent ce nom, choisissez\u{a0}: martin")
    );
    assert!(
        several.body.contains(">Alice Martin</a>") && several.body.contains(">Dave Martin</a>")
    );
    assert!(several.body.contains("/support/tickets?requester="));
    assert!(
        several.body.contains("Écran noir"),
        "no filter until one is chosen"
    );

    let nobody = host
        .get("/support/tickets?requester_name=zorro", Some("sue"), "en")
        .await;
    assert_eq!(nobody.status, StatusCode::OK);
    assert!(nobody.body.contains("Nobody by that name: zorro"));
    assert!(nobody.body.contains("Imprimante en panne") && nobody.body.contains("Écran noir"));

    // Requesters have no such field, and their typed names change nothing.
    let alice = host
        .get("/support/tickets?requester_name=bob", Some("alice"), "fr")
        .await;
    assert_eq!(alice.status, StatusCode::OK);
    assert!(!alice.body.contains("f-requester"));
}

#[tokio::test]
async fn dates_are_time_elements_in_utc_with_the_marker() {
    let (host, _) = two_tenants().await;
    let list = host.get("/support/tickets", Some("sue"), "fr").await;
    let start = list.body.find("<time datetime=\"").expect("a time element");
    let end = start + list.body[start..].find("</time>").unwrap();
    let element = &list.body[start..end + 7];
    let datetime = &element[16..36];
    assert!(
        datetime.ends_with('Z') && datetime.contains('T'),
        "{element}"
    );
    assert!(element.contains(" UTC</time>"), "{element}");
}

#[tokio::test]
async fn staff_see_the_requesters_latest_tickets_and_requesters_do_not() {
    let host = support::host().await;
    let mut ids = Vec::new();
    for i in 1..=12 {
        ids.push(open_in(&host, host.acme, "alice", &format!("Demande numéro {i:02}")).await);
    }
    open_in(&host, host.acme, "bob", "Écran noir").await;
    let first = ids[0];
    let page = host
        .get(&format!("/support/tickets/{first}"), Some("sam"), "fr")
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let start = page
        .body
        .find(r#"<section id="owner-tickets""#)
        .expect("the section");
    let section = &page.body[start..];
    let section = &section[..section.find("</section>").unwrap()];
    assert!(section.contains("Derniers tickets du propriétaire"));
    assert_eq!(
        section.matches("<tr>").count(),
        11,
        "a header and 10 tickets"
    );
    assert!(section.contains("Demande numéro 12") && section.contains("Demande numéro 03"));
    assert!(!section.contains("Demande numéro 02"), "only the 10 newest");
    assert!(
        !section.contains(&format!("/support/tickets/{first}\"")),
        "not this ticket"
    );
    assert!(!section.contains("Écran noir"), "only the requester's");
    assert!(
        section.find("Demande numéro 12").unwrap() < section.find("Demande numéro 11").unwrap(),
        "newest first"
    );
    assert!(section.contains("/support/tickets?requester="));
    assert!(page.body.contains(r##"href="#owner-tickets""##));

    let alice = host
        .get(&format!("/support/tickets/{first}"), Some("alice"), "fr")
        .await;
    assert_eq!(alice.status, StatusCode::OK);
    assert!(!alice.body.contains("owner-tickets"));
}

#[tokio::test]
async fn labels_and_values_are_separated_as_each_language_writes_them() {
    let host = support::host().await;
    let id = open_in(&host, host.acme, "alice", "Imprimante en panne").await;
    let fr = host
        .get(&format!("/support/tickets/{id}"), Some("alice"), "fr")
        .await;
    assert!(fr.body.contains("Priorité\u{a0}: Normale"), "{}", fr.body);
    assert!(!fr.body.contains(" : "));
    let en = host
        .get(&format!("/support/tickets/{id}"), Some("alice"), "en")
        .await;
    assert!(en.body.contains("Priority: Normal"));
    assert!(!en.body.contains(" :"));
}
