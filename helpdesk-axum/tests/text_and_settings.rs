//! Hardening: invisible-only text, remote images and free-string tenant settings.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use axum::http::StatusCode;
use serde_json::json;
use support::*;

#[tokio::test]
async fn invisible_only_replies_and_subjects_are_refused_naming_the_field_and_change_nothing() {
    let h = host().await;
    let id = h.open(ALICE, "Imprimante").await;
    let before = h
        .call(Some(ALICE), "GET", &format!("/tickets/{id}"), None)
        .await;
    for body in [
        "<p>\u{200b}</p>",
        "&#8203;&nbsp;\u{2060}",
        "<img>\u{3164}",
        "\u{feff}\u{202e}",
    ] {
        let answer = h
            .call(
                Some(ALICE),
                "POST",
                &format!("/tickets/{id}/replies"),
                Some(json!({ "body": body })),
            )
            .await;
        assert_eq!(
            answer.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body:?}: {}",
            answer.body
        );
        assert_eq!(answer.body["field"], "body", "{body:?}");
    }
    let after = h
        .call(Some(ALICE), "GET", &format!("/tickets/{id}"), None)
        .await;
    assert_eq!(before.body, after.body, "a refused reply changes nothing");
    let subject = h
        .call(
            Some(ALICE),
            "POST",
            "/tickets",
            Some(json!({ "subject": "\u{3164}", "description": "<p>ok</p>" })),
        )
        .await;
    assert_eq!(
        subject.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        subject.body
    );
    assert_eq!(subject.body["field"], "subject");
}

#[tokio::test]
async fn remote_images_in_a_reply_are_dropped_and_attachment_images_kept() {
    let h = host().await;
    let id = h.open(ALICE, "Capture").await;
    let own = "attachments/0e5b2b8e-6c35-4d8e-9d7c-2f6a3c1e9b10";
    let body = format!(
        r#"<p>Voir</p><img src="http://169.254.169.254/latest/meta-data/"><img src="//evil.example/p.gif"><img src="{own}">"#
    );
    let answer = h
        .call(
            Some(ALICE),
            "POST",
            &format!("/tickets/{id}/replies"),
            Some(json!({ "body": body })),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let view = h
        .call(Some(ALICE), "GET", &format!("/tickets/{id}"), None)
        .await;
    let text = String::from_utf8(view.bytes).unwrap();
    assert!(text.contains("Voir"), "{text}");
    assert!(!text.contains("169.254.169.254"), "{text}");
    assert!(!text.contains("evil.example"), "{text}");
    assert!(text.contains(own), "{text}");
    let only_remote = h
        .call(
            Some(ALICE),
            "POST",
            &format!("/tickets/{id}/replies"),
            Some(json!({ "body": r#"<img src="https://tracker.example/pixel.gif">"# })),
        )
        .await;
    assert_eq!(only_remote.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(only_remote.body["field"], "body");
}

#[tokio::test]
async fn tenant_settings_with_unsupported_language_or_bad_labels_are_refused_and_change_nothing() {
    let h = host().await;
    let path = format!("/admin/tenants/{}", h.acme);
    let before = h.call(Some(CAROL), "GET", &path, None).await;
    assert_eq!(before.status, StatusCode::OK);
    let settings = before.body["settings"].clone();
    let mut cases = Vec::new();
    for language in ["de", "", "fr\u{202e}", "x".repeat(5000).as_str()] {
        let mut s = settings.clone();
        s["default_language"] = json!(language);
        cases.push((s, "default_language"));
    }
    let mut unknown = settings.clone();
    unknown["status_labels"]["xx"] = json!({ "closed": "Fermé" });
    cases.push((unknown, "status_labels"));
    for label in ["", "\u{200b}", "Clos\u{7}", "a\nb"] {
        let mut s = settings.clone();
        s["status_labels"]["fr"]["closed"] = json!(label);
        cases.push((s, "status_labels.fr.closed"));
    }
    let mut forever = settings.clone();
    forever["reopen_window"] = json!(i64::MAX);
    cases.push((forever, "reopen_window"));
    for (settings, field) in cases {
        let answer = h
            .call(
                Some(CAROL),
                "PUT",
                &path,
                Some(json!({ "name": "Acme", "settings": settings })),
            )
            .await;
        assert_eq!(
            answer.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}: {}",
            answer.body
        );
        assert_eq!(answer.body["field"], field, "{}", answer.body);
    }
    let after = h.call(Some(CAROL), "GET", &path, None).await;
    assert_eq!(before.body, after.body, "a refused update changes nothing");
}

#[tokio::test]
async fn a_tenant_defines_custom_fields_and_a_missing_required_one_answers_422_naming_it() {
    let h = host().await;
    let path = format!("/admin/tenants/{}", h.acme);
    let before = h.call(Some(CAROL), "GET", &path, None).await;
    assert_eq!(before.body["settings"]["custom_fields"], json!([]));
    let mut settings = before.body["settings"].clone();
    settings["custom_fields"] = json!([
        { "key": "room", "labels": { "fr": "Salle" } },
        { "key": "room", "labels": { "fr": "Poste" } },
    ]);
    let duplicate = h
        .call(
            Some(CAROL),
            "PUT",
            &path,
            Some(json!({ "name": "Acme", "settings": settings })),
        )
        .await;
    assert_eq!(
        duplicate.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        duplicate.body
    );
    assert_eq!(duplicate.body["field"], "custom_fields[1].key");
    assert_eq!(
        duplicate.body["reason_code"], "duplicate",
        "{}",
        duplicate.body
    );
    settings["custom_fields"] = json!([
        { "key": "school", "labels": { "fr": "Établissement", "en": "School" }, "required": true },
    ]);
    let saved = h
        .call(
            Some(CAROL),
            "PUT",
            &path,
            Some(json!({ "name": "Acme", "settings": settings })),
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    assert_eq!(saved.body["settings"]["custom_fields"][0]["required"], true);

    let missing = h
        .call(
            Some(ALICE),
            "POST",
            "/tickets",
            Some(json!({ "subject": "Wifi", "description": "<p>ko</p>", "custom_fields": { "free": "x" } })),
        )
        .await;
    assert_eq!(
        missing.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        missing.body
    );
    assert_eq!(missing.body["field"], "custom_fields.school");
    assert_eq!(missing.body["reason_code"], "required", "{}", missing.body);
    let opened = h
        .call(
            Some(ALICE),
            "POST",
            "/tickets",
            Some(json!({ "subject": "Wifi", "description": "<p>ko</p>",
                         "custom_fields": { "school": "Lycée Curie", "free": "x" } })),
        )
        .await;
    assert!(opened.status.is_success(), "{}", opened.body);
    assert_eq!(opened.body["custom_fields"]["school"], "Lycée Curie");
    assert_eq!(opened.body["custom_fields"]["free"], "x");
}
