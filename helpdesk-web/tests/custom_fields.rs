//! Custom fields a tenant defines: set on the settings page, asked on the new-ticket
//! form, shown and edited on the ticket page.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::BTreeMap;

use axum::http::StatusCode;
use helpdesk_core::{CustomFieldDefinition, NewTicket, Status, TenantSettings, TicketId};
use support::{Host, TOKEN};

/// Every field of the settings form, as the defaults fill it, with `extra` after.
fn settings_fields(extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let defaults = TenantSettings::default();
    let mut fields: Vec<(String, String)> = [
        ("name", "Acme"),
        ("default_language", "fr"),
        ("requester_visibility", "own_and_invited"),
        ("closure_mode", "two_step"),
        ("approval_days", "15"),
        ("reopen_days", "30"),
        ("archive_days", "90"),
    ]
    .iter()
    .chain(extra)
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    for tag in ["fr", "en"] {
        for status in Status::ALL {
            fields.push((
                format!("label_{tag}_{}", status.as_str()),
                defaults.label(status, tag).to_owned(),
            ));
        }
    }
    fields
}

async fn save_settings(host: &Host, extra: &[(&str, &str)]) -> support::Page {
    let fields = settings_fields(extra);
    let refs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    host.post("/support/admin/settings", "carol", &refs, Some(TOKEN))
        .await
}

async fn definitions(host: &Host) -> Vec<CustomFieldDefinition> {
    let carol = host.actor("carol").await;
    host.service
        .tenant(&carol, host.acme)
        .await
        .unwrap()
        .settings
        .custom_fields
}

/// Acme asks for the school (required) and the room (optional).
async fn school_host() -> Host {
    let host = support::host().await;
    let page = save_settings(
        &host,
        &[
            ("cf_0_key", "school"),
            ("cf_0_fr", "Établissement"),
            ("cf_0_en", "School"),
            ("cf_0_required", "1"),
            ("cf_1_key", "room"),
            ("cf_1_fr", "Salle / poste"),
            ("cf_1_en", "Room / desk"),
            ("cf_2_key", ""),
            ("cf_2_fr", ""),
            ("cf_2_en", ""),
        ],
    )
    .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    host
}

#[tokio::test]
async fn the_admin_adds_edits_and_removes_custom_fields() {
    let host = school_host().await;
    let defs = definitions(&host).await;
    assert_eq!(defs.len(), 2);
    assert_eq!(defs[0].key, "school");
    assert!(defs[0].required);
    assert_eq!(defs[1].label("en", "fr"), "Room / desk");
    assert!(!defs[1].required);

    let form = host
        .get("/support/admin/settings", Some("carol"), "en")
        .await;
    assert_eq!(form.status, StatusCode::OK);
    assert_eq!(form.input_value("cf_0_key").as_deref(), Some("school"));
    assert_eq!(form.input_value("cf_1_en").as_deref(), Some("Room / desk"));
    assert!(
        form.body
            .contains(r#"<label for="s-cf0-fr">Label in French</label>"#)
    );
    assert!(
        form.body.contains(r#"name="cf_2_key" value="""#),
        "a blank row to add one"
    );
    assert!(form.body.contains("Cancel"));

    let page = save_settings(
        &host,
        &[
            ("cf_0_key", "school"),
            ("cf_0_fr", "Établissement scolaire"),
            ("cf_0_en", "School"),
            ("cf_1_key", "room"),
            ("cf_1_fr", "Salle / poste"),
            ("cf_1_en", "Room / desk"),
            ("cf_1_remove", "1"),
        ],
    )
    .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let defs = definitions(&host).await;
    assert_eq!(defs.len(), 1);
    assert_eq!(defs[0].label("fr", "fr"), "Établissement scolaire");
    assert!(!defs[0].required, "unticked: no longer required");
}

#[tokio::test]
async fn a_bad_definition_is_sent_back_translated_and_changes_nothing() {
    let host = school_host().await;
    for (extra, said) in [
        (
            [
                ("cf_0_key", "Salle B"),
                ("cf_0_fr", "Salle"),
                ("cf_0_en", ""),
            ],
            "Champ 1 — Clé",
        ),
        (
            [("cf_0_key", "room"), ("cf_0_fr", ""), ("cf_0_en", "")],
            "Champ 1",
        ),
    ] {
        let page = save_settings(&host, &extra).await;
        assert_eq!(
            page.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            page.body
        );
        assert!(page.body.contains(r#"role="alert""#));
        assert!(page.body.contains(said), "{said}: {}", page.body);
        assert_eq!(page.input_value("cf_0_key").as_deref(), Some(extra[0].1));
    }
    let twice = save_settings(
        &host,
        &[
            ("cf_0_key", "room"),
            ("cf_0_fr", "Salle"),
            ("cf_1_key", "room"),
            ("cf_1_fr", "Poste"),
        ],
    )
    .await;
    assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(twice.body.contains("Champ 2 — Clé"), "{}", twice.body);
    let defs = definitions(&host).await;
    assert_eq!(
        defs.iter().map(|d| d.key.as_str()).collect::<Vec<_>>(),
        ["school", "room"]
    );
}

fn ticket_form<'a>(subject: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![
        ("idempotency_key", ""),
        ("subject", subject),
        ("description", "Le vidéoprojecteur ne s'allume plus."),
    ];
    fields.extend_from_slice(extra);
    fields
}

#[tokio::test]
async fn the_new_ticket_form_asks_each_field_and_refuses_a_missing_required_one() {
    let host = school_host().await;
    let form = host.get("/support/tickets/new", Some("alice"), "en").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.body
            .contains(r#"<label for="nt-cf-school">School</label>"#),
        "{}",
        form.body
    );
    assert!(
        form.body
            .contains(r#"name="custom_fields.school" value="" required"#)
    );
    assert!(
        form.body
            .contains(r#"<label for="nt-cf-room">Room / desk</label>"#)
    );
    assert!(
        !form
            .body
            .contains(r#"name="custom_fields.room" value="" required"#)
    );

    let refused = host
        .post_multipart(
            "/support/tickets",
            "alice",
            &ticket_form(
                "Vidéoprojecteur",
                &[("custom_fields.school", " "), ("custom_fields.room", "B12")],
            ),
            &[],
            Some(TOKEN),
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("Établissement — "),
        "{}",
        refused.body
    );
    assert!(refused.body.contains(r##"href="#nt-cf-school""##));
    assert_eq!(
        refused.input_value("custom_fields.room").as_deref(),
        Some("B12")
    );
    assert!(refused.body.contains(r#"value="Vidéoprojecteur""#));
    let alice = host.actor("alice").await;

    let opened = host
        .post_multipart(
            "/support/tickets",
            "alice",
            &ticket_form(
                "Vidéoprojecteur",
                &[
                    ("custom_fields.school", "Lycée Curie"),
                    ("custom_fields.room", ""),
                ],
            ),
            &[],
            Some(TOKEN),
        )
        .await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER, "{}", opened.body);
    let id: TicketId = opened
        .location()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let ticket = host.service.ticket(&alice, id).await.unwrap().ticket;
    assert_eq!(
        ticket.custom_fields,
        BTreeMap::from([("school".to_owned(), "Lycée Curie".to_owned())]),
        "a blank optional field is left out"
    );
}

async fn open_with(host: &Host, pairs: &[(&str, &str)]) -> TicketId {
    let alice = host.actor("alice").await;
    host.service
        .open(
            &alice,
            host.acme,
            NewTicket {
                subject: "Vidéoprojecteur".into(),
                description: "<p>Ne s'allume plus</p>".into(),
                custom_fields: pairs
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                    .collect(),
                ..NewTicket::default()
            },
            vec![],
        )
        .await
        .unwrap()
        .id
}

fn version_in(body: &str) -> String {
    let marker = r#"name="version" value=""#;
    let start = body.find(marker).expect("a form with the version") + marker.len();
    body[start..].split('"').next().unwrap().to_owned()
}

#[tokio::test]
async fn the_ticket_page_shows_labels_and_its_edit_form_changes_the_fields() {
    let host = school_host().await;
    let id = open_with(&host, &[("school", "Lycée Curie"), ("erp_ref", "X-1")]).await;
    let path = format!("/support/tickets/{id}");
    let english = host.get(&path, Some("alice"), "en").await;
    assert!(
        english.body.contains("<dt>School</dt><dd>Lycée Curie</dd>"),
        "{}",
        english.body
    );
    assert!(english.body.contains("<dt>Room / desk</dt><dd>—</dd>"));
    assert!(
        english.body.contains("<dt>erp_ref</dt><dd>X-1</dd>"),
        "undefined keys as they are"
    );
    let page = host.get(&path, Some("sam"), "fr").await;
    assert!(
        page.body
            .contains("<dt>Établissement</dt><dd>Lycée Curie</dd>")
    );
    assert!(
        page.body
            .contains(r#"<label for="edit-cf-school">Établissement</label>"#)
    );
    let version = version_in(&page.body);

    let emptied = host
        .post(
            &format!("{path}/edit"),
            "sam",
            &[
                ("version", &version),
                ("custom_fields.school", " "),
                ("custom_fields.room", "B12"),
            ],
            Some(TOKEN),
        )
        .await;
    assert_eq!(
        emptied.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        emptied.body
    );
    assert!(
        emptied.body.contains("Établissement — "),
        "{}",
        emptied.body
    );
    let sam = host.actor("sam").await;
    let unchanged = host.service.ticket(&sam, id).await.unwrap().ticket;
    assert_eq!(
        unchanged.custom_fields.get("school").map(String::as_str),
        Some("Lycée Curie")
    );
    assert!(!unchanged.custom_fields.contains_key("room"));

    let saved = host
        .post(
            &format!("{path}/edit"),
            "sam",
            &[
                ("version", &version),
                ("custom_fields.school", "Collège Zola"),
                ("custom_fields.room", "B12"),
                ("custom_fields.erp_ref", ""),
            ],
            Some(TOKEN),
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let edited = host.service.ticket(&sam, id).await.unwrap().ticket;
    assert_eq!(
        edited.custom_fields,
        BTreeMap::from([
            ("room".to_owned(), "B12".to_owned()),
            ("school".to_owned(), "Collège Zola".to_owned()),
        ])
    );
}

#[tokio::test]
async fn staff_opening_on_a_members_behalf_fill_the_required_field_too() {
    let host = school_host().await;
    let carol = host.actor("carol").await;
    let alice = host
        .service
        .member_by_user(
            &carol,
            host.acme,
            &helpdesk_core::UserId::new("alice").unwrap(),
        )
        .await
        .unwrap()
        .id
        .to_string();
    let refused = host
        .post_multipart(
            "/support/tickets",
            "sam",
            &ticket_form("Vidéoprojecteur", &[("requester", &alice)]),
            &[],
            Some(TOKEN),
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("Établissement — "),
        "{}",
        refused.body
    );
    let opened = host
        .post_multipart(
            "/support/tickets",
            "sam",
            &ticket_form(
                "Vidéoprojecteur",
                &[
                    ("requester", &alice),
                    ("custom_fields.school", "Lycée Curie"),
                ],
            ),
            &[],
            Some(TOKEN),
        )
        .await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER, "{}", opened.body);
}
