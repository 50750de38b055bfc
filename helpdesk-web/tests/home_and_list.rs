//! The home page and the ticket list, as a browser receives them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use axum::http::StatusCode;
use helpdesk_core::NewTicket;

async fn open(host: &support::Host, user: &str, subject: &str) {
    let actor = host.actor(user).await;
    host.service
        .open(
            &actor,
            host.acme,
            NewTicket {
                subject: subject.into(),
                description: "<p>Le bac 2 est bloqué</p>".into(),
                category: Some(host.printers),
                ..NewTicket::default()
            },
            vec![],
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn nobody_logged_in_is_sent_to_the_hosts_login_and_back() {
    let host = support::host().await;
    let page = host.get("/support/tickets?status=new", None, "fr").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(
        page.location(),
        Some("/login?next=%2Fsupport%2Ftickets%3Fstatus%3Dnew")
    );
}

#[tokio::test]
async fn home_shows_a_tile_per_status_with_the_tenants_labels_in_the_language_asked() {
    let host = support::host().await;
    open(&host, "alice", "Imprimante en panne").await;
    let fr = host.get("/support", Some("alice"), "fr-FR,fr;q=0.9").await;
    assert_eq!(fr.status, StatusCode::OK);
    assert!(fr.body.contains(r#"<html lang="fr">"#));
    assert!(fr.body.contains("Tableau de bord"));
    assert!(fr.body.contains("À traiter"), "the tenant's label for new");
    assert!(fr.body.contains(r#"href="/support/tickets?status=new""#));
    assert!(fr.body.contains(r#"<span class="hd-tile-count">1</span>"#));
    let en = host.get("/support", Some("alice"), "en-GB").await;
    assert!(en.body.contains(r#"<html lang="en">"#));
    assert!(en.body.contains("Tickets opened per month"));
}

#[tokio::test]
async fn home_says_the_satisfaction_criteria_and_choices_in_words() {
    let host = support::host().await;
    let alice = host.actor("alice").await;
    let sam = host.actor("sam").await;
    let id = host
        .service
        .open(
            &alice,
            host.acme,
            NewTicket {
                subject: "Imprimante en panne".into(),
                description: "<p>Le bac 2 est bloqué</p>".into(),
                category: Some(host.printers),
                ..NewTicket::default()
            },
            vec![],
        )
        .await
        .unwrap()
        .id;
    host.service
        .propose_closure(&sam, id, None, "<p>Réparée</p>")
        .await
        .unwrap();
    let answers = helpdesk_core::Answers::from([
        ("overall".to_owned(), helpdesk_core::Answer::Score(8)),
        (
            "follow_up".to_owned(),
            helpdesk_core::Answer::Text("very_satisfied".into()),
        ),
    ]);
    host.service
        .approve_closure(&alice, id, None, answers)
        .await
        .unwrap();
    let fr = host.get("/support", Some("carol"), "fr").await;
    assert!(fr.body.contains("Suivi"), "{}", fr.body);
    assert!(fr.body.contains("Très satisfait"), "{}", fr.body);
    assert!(!fr.body.contains("very_satisfied"), "{}", fr.body);
    let en = host.get("/support", Some("carol"), "en").await;
    assert!(en.body.contains("Very satisfied"), "{}", en.body);
    assert!(!en.body.contains("follow_up"), "{}", en.body);
}

#[tokio::test]
async fn every_page_has_a_strict_policy_and_no_inline_script_or_style() {
    let host = support::host().await;
    open(&host, "alice", "Imprimante").await;
    for path in ["/support", "/support/tickets", "/support/nowhere"] {
        let page = host.get(path, Some("alice"), "fr").await;
        let csp = page.headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("default-src 'self'") && csp.contains("script-src 'self'"));
        assert!(!page.body.contains("<script>"), "{path}: inline script");
        assert!(!page.body.contains(" style="), "{path}: inline style");
        assert!(
            !page.body.contains("<style"),
            "{path}: inline style element"
        );
    }
    let css = host.get("/support/assets/helpdesk.css", None, "fr").await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(
        css.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
}

#[tokio::test]
async fn an_unknown_page_is_a_404_page_in_the_readers_language() {
    let host = support::host().await;
    let page = host.get("/support/nowhere", Some("alice"), "en").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.body.contains("does not exist"));
}

#[tokio::test]
async fn the_list_shows_the_requesters_own_tickets_with_their_columns() {
    let host = support::host().await;
    open(&host, "alice", "Imprimante en panne").await;
    open(&host, "bob", "Accès au réseau").await;
    let page = host.get("/support/tickets", Some("alice"), "fr").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Imprimante en panne"));
    assert!(
        !page.body.contains("Accès au réseau"),
        "bob's ticket is not alice's"
    );
    assert!(page.body.contains("Imprimantes"), "the category column");
    assert!(page.body.contains("Alice Martin"), "the requester column");
    let staff = host.get("/support/tickets", Some("sam"), "fr").await;
    assert!(staff.body.contains("Imprimante en panne") && staff.body.contains("Accès au réseau"));
}

#[tokio::test]
async fn list_filters_are_applied_and_bad_ones_are_a_page_that_says_which() {
    let host = support::host().await;
    open(&host, "alice", "Imprimante en panne").await;
    open(&host, "alice", "Mot de passe oublié").await;
    let page = host
        .get(
            "/support/tickets?contains=imprimante&status=new",
            Some("alice"),
            "fr",
        )
        .await;
    assert!(page.body.contains("Imprimante en panne"));
    assert!(!page.body.contains("Mot de passe oublié"));
    let bad = host
        .get(
            "/support/tickets?opened_from=yesterday",
            Some("alice"),
            "en",
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("Opened from"), "{}", bad.body);
    let bad_status = host
        .get("/support/tickets?status=lost", Some("alice"), "en")
        .await;
    assert_eq!(bad_status.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn criteria_saved_under_a_name_apply_again_and_can_be_forgotten() {
    let host = support::host().await;
    open(&host, "alice", "Imprimante en panne").await;
    open(&host, "alice", "Mot de passe oublié").await;
    let refused = host
        .post(
            "/support/tickets/saved",
            "alice",
            &[
                ("name", "Mes imprimantes"),
                ("query", "contains=imprimante"),
            ],
            None,
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::FORBIDDEN,
        "no token, nothing saved"
    );
    let alice = host.actor("alice").await;
    assert!(
        host.service
            .saved_searches(&alice)
            .await
            .unwrap()
            .is_empty()
    );

    let saved = host
        .post(
            "/support/tickets/saved",
            "alice",
            &[
                ("name", "Mes imprimantes"),
                ("query", "contains=imprimante&status=new"),
            ],
            Some(support::TOKEN),
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let list = host.get("/support/tickets", Some("alice"), "fr").await;
    assert!(list.body.contains("Mes imprimantes"));
    assert!(
        list.body
            .contains(r#"href="/support/tickets?status=new&amp;contains=imprimante""#),
        "{}",
        list.body
    );
    let applied = host
        .get(
            "/support/tickets?status=new&contains=imprimante",
            Some("alice"),
            "fr",
        )
        .await;
    assert!(
        applied.body.contains("Imprimante en panne")
            && !applied.body.contains("Mot de passe oublié")
    );

    let id = host.service.saved_searches(&alice).await.unwrap()[0].id;
    let forgotten = host
        .post(
            &format!("/support/tickets/saved/{id}/delete"),
            "alice",
            &[],
            Some(support::TOKEN),
        )
        .await;
    assert_eq!(forgotten.status, StatusCode::SEE_OTHER);
    assert!(
        host.service
            .saved_searches(&alice)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn the_export_holds_the_filtered_or_the_ticked_tickets() {
    let host = support::host().await;
    open(&host, "alice", "Imprimante en panne").await;
    open(&host, "alice", "Mot de passe oublié").await;
    let filtered = host
        .get(
            "/support/tickets/export.csv?contains=imprimante&format=csv",
            Some("carol"),
            "fr",
        )
        .await;
    assert_eq!(filtered.status, StatusCode::OK, "{}", filtered.body);
    assert_eq!(filtered.headers["content-type"], "text/csv; charset=utf-8");
    assert!(filtered.body.contains("Imprimante en panne"));
    assert!(!filtered.body.contains("Mot de passe oublié"));
    let ticked = host
        .get(
            "/support/tickets/export.csv?numbers=2&format=excel-fr",
            Some("carol"),
            "fr",
        )
        .await;
    assert!(
        ticked.body.starts_with('\u{feff}'),
        "excel-fr starts with a byte-order mark"
    );
    assert!(
        ticked.body.contains("Mot de passe oublié") && !ticked.body.contains("Imprimante en panne")
    );
    let list = host.get("/support/tickets", Some("carol"), "fr").await;
    assert!(
        list.body
            .contains(r#"name="numbers" value="1" form="hd-export""#)
    );
    // Only tenant and platform admins export: others see no export and are refused.
    let agent = host.get("/support/tickets", Some("sue"), "fr").await;
    assert!(!agent.body.contains("hd-export"));
    let refused = host
        .get("/support/tickets/export.csv", Some("alice"), "en")
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.body.contains("Your role does not allow this."));
}

#[tokio::test]
async fn home_counts_undelivered_notifications_for_supervisors_only() {
    let host = support::host().await;
    let sue = host.get("/support", Some("sue"), "fr").await;
    assert!(sue.body.contains("Notifications non distribuées"));
    assert!(
        sue.body
            .contains(r#"<span class="hd-dead-letters-count">0</span> notification abandonnée"#),
        "{}",
        sue.body
    );

    // A notification to the software group, given up on at its first failure.
    open(&host, "alice", "Imprimante en panne").await;
    let settings = helpdesk_core::DeliverySettings {
        max_attempts: 1,
        ..Default::default()
    };
    let report = host
        .service
        .deliver_outbox(&helpdesk_core::NoNotifier, &settings)
        .await
        .unwrap();
    assert_eq!(report.dead_lettered, 1);

    let fr = host.get("/support", Some("sue"), "fr").await;
    assert!(
        fr.body.contains(
            r#"<span class="hd-dead-letters-count">1</span> notification(s) abandonnée(s)"#
        )
    );
    let en = host.get("/support", Some("sue"), "en").await;
    assert!(en.body.contains("Undelivered notifications"));
    assert!(en.body.contains("given up on after several attempts"));
    for user in ["sam", "alice", "carol"] {
        let page = host.get("/support", Some(user), "fr").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            !page.body.contains("hd-dead-letters"),
            "{user} is not shown the count"
        );
    }
}
