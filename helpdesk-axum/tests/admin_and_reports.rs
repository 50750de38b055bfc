//! The administration, report and knowledge-base routes: happy paths and refusals.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use axum::http::StatusCode;
use serde_json::json;
use support::*;

#[tokio::test]
async fn a_platform_admin_sets_up_a_tenant_with_its_people_and_catalog() {
    let h = host().await;
    let tenant = h
        .call(
            Some(ROOT),
            "POST",
            "/admin/tenants",
            Some(json!({"slug": "initech", "name": "Initech"})),
        )
        .await;
    assert_eq!(tenant.status, StatusCode::CREATED, "{}", tenant.body);
    let dup = h
        .call(
            Some(ROOT),
            "POST",
            "/admin/tenants",
            Some(json!({"slug": "initech", "name": "Again"})),
        )
        .await;
    assert_eq!(dup.status, StatusCode::CONFLICT);
    assert_eq!(dup.body["code"], "already_exists");

    let member = h
        .call(Some(ROOT), "POST", "/admin/members?tenant=initech", Some(json!({"user": "peter", "display_name": "Peter", "email": "peter@initech.example", "role": "tenant_admin"})))
        .await;
    assert_eq!(member.status, StatusCode::CREATED, "{}", member.body);
    let members = h
        .call(Some(ROOT), "GET", "/admin/members?tenant=initech", None)
        .await;
    assert_eq!(members.body.as_array().unwrap().len(), 1);

    let group = h
        .call(
            Some(ROOT),
            "POST",
            "/admin/groups",
            Some(json!({"name": "Helpdesk N1"})),
        )
        .await;
    assert_eq!(group.status, StatusCode::CREATED);
    let group_id = group.body["id"].as_str().unwrap().to_owned();
    let renamed = h
        .call(
            Some(ROOT),
            "PATCH",
            &format!("/admin/groups/{group_id}"),
            Some(json!({"name": "Niveau 1"})),
        )
        .await;
    assert_eq!(renamed.body["name"], "Niveau 1");

    let top = h
        .call(
            Some(ROOT),
            "POST",
            "/admin/categories?tenant=initech",
            Some(json!({"name": "Informatique", "group": group_id})),
        )
        .await;
    assert_eq!(top.status, StatusCode::CREATED, "{}", top.body);
    let top_id = top.body["id"].as_str().unwrap().to_owned();
    let sub = h
        .call(
            Some(ROOT),
            "POST",
            "/admin/categories?tenant=initech",
            Some(json!({"name": "Imprimantes", "parent": top_id})),
        )
        .await;
    let sub_id = sub.body["id"].as_str().unwrap().to_owned();
    let cycle = h
        .call(
            Some(ROOT),
            "PUT",
            &format!("/admin/categories/{top_id}?tenant=initech"),
            Some(json!({"name": "Informatique", "parent": sub_id})),
        )
        .await;
    assert_eq!(cycle.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(cycle.body["field"], "parent");

    let product = h
        .call(
            Some(ROOT),
            "POST",
            "/admin/products?tenant=initech",
            Some(json!({"name": "TPS Reports", "code": "TPS"})),
        )
        .await;
    assert_eq!(product.status, StatusCode::CREATED);
    let product_id = product.body["id"].as_str().unwrap().to_owned();
    let retired = h
        .call(
            Some(ROOT),
            "PUT",
            &format!("/admin/products/{product_id}?tenant=initech"),
            Some(json!({"name": "TPS Reports", "active": false})),
        )
        .await;
    assert_eq!(retired.body["active"], false);
    assert_eq!(
        h.call(Some(ROOT), "GET", "/admin/products?tenant=initech", None)
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        h.call(Some(ROOT), "GET", "/admin/categories?tenant=initech", None)
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        2
    );

    let agent = h
        .call(Some(ROOT), "POST", "/admin/staff", Some(json!({"user": "milton", "display_name": "Milton", "role": "agent", "tenants": {"kind": "only", "tenants": [tenant.body["id"]]}, "groups": [group_id]})))
        .await;
    assert_eq!(agent.status, StatusCode::CREATED, "{}", agent.body);
    let agent_id = agent.body["id"].as_str().unwrap().to_owned();
    let off = h
        .call(
            Some(ROOT),
            "PATCH",
            &format!("/admin/staff/{agent_id}"),
            Some(json!({"active": false})),
        )
        .await;
    assert_eq!(off.body["active"], false, "{}", off.body);
    let locked_out = h
        .call(Some(("milton", None)), "GET", "/tickets", None)
        .await;
    assert_eq!(locked_out.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn tenant_admins_relabel_statuses_and_change_the_questionnaire() {
    let h = host().await;
    let tenant = h
        .call(
            Some(CAROL),
            "GET",
            &format!("/admin/tenants/{}", h.acme),
            None,
        )
        .await;
    assert_eq!(tenant.status, StatusCode::OK, "{}", tenant.body);
    let mut settings = tenant.body["settings"].clone();
    settings["status_labels"]["fr"]["closed"] = json!("Conflit réglé");
    let updated = h
        .call(
            Some(CAROL),
            "PUT",
            &format!("/admin/tenants/{}", h.acme),
            Some(json!({"name": "Acme", "settings": settings})),
        )
        .await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.body);
    let refused = h
        .call(
            Some(ALICE),
            "PUT",
            &format!("/admin/tenants/{}", h.acme),
            Some(json!({"name": "Mine", "settings": updated.body["settings"]})),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let foreign = h
        .call(
            Some(DAVE),
            "GET",
            &format!("/admin/tenants/{}", h.acme),
            None,
        )
        .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);

    let questionnaire = json!({"questions": [{"key": "note", "label": "Note sur 5", "required": true, "kind": {"type": "score", "min": 1, "max": 5}}]});
    let set = h
        .call(
            Some(CAROL),
            "PUT",
            &format!("/admin/tenants/{}/questionnaire", h.acme),
            Some(questionnaire),
        )
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    let broken = json!({"questions": [{"key": "n", "label": "x", "required": true, "kind": {"type": "score", "min": 5, "max": 1}}]});
    let bad = h
        .call(
            Some(CAROL),
            "PUT",
            &format!("/admin/tenants/{}/questionnaire", h.acme),
            Some(broken),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);

    let id = h.open(ALICE, "Printer").await;
    h.call(
        Some(SAM),
        "POST",
        &format!("/tickets/{id}/closure"),
        Some(json!({"body": "done"})),
    )
    .await;
    let old = h
        .call(
            Some(ALICE),
            "POST",
            &format!("/tickets/{id}/closure/approval"),
            Some(json!({"answers": {"overall": 9}})),
        )
        .await;
    assert_eq!(old.status, StatusCode::UNPROCESSABLE_ENTITY);
    let new = h
        .call(
            Some(ALICE),
            "POST",
            &format!("/tickets/{id}/closure/approval"),
            Some(json!({"answers": {"note": 4}})),
        )
        .await;
    assert_eq!(new.status, StatusCode::OK, "{}", new.body);
    let view = h
        .call(Some(ALICE), "GET", &format!("/tickets/{id}"), None)
        .await;
    assert_eq!(view.body["status_label"], "Conflit réglé");
}

#[tokio::test]
async fn dashboards_export_and_saved_searches() {
    let h = host().await;
    let first = h.open(ALICE, "Imprimante HS").await;
    h.open(BOB, "Réseau, lent").await;
    h.open(DAVE, "Globex").await;
    h.call(
        Some(SAM),
        "POST",
        &format!("/tickets/{first}/closure"),
        Some(json!({"body": "ok"})),
    )
    .await;
    h.call(
        Some(ALICE),
        "POST",
        &format!("/tickets/{first}/closure/approval"),
        Some(json!({"answers": {"overall": 8}})),
    )
    .await;

    let dashboard = h
        .call(Some(CAROL), "GET", "/dashboard?months=6", None)
        .await;
    assert_eq!(dashboard.status, StatusCode::OK, "{}", dashboard.body);
    assert_eq!(dashboard.body["by_status"]["new"], 1);
    assert_eq!(dashboard.body["by_status"]["closed"], 1);
    assert_eq!(
        dashboard.body["opened_per_month"].as_array().unwrap().len(),
        6
    );
    assert_eq!(dashboard.body["satisfaction"]["average_score"], 8.0);
    let bad = h
        .call(Some(CAROL), "GET", "/dashboard?months=99", None)
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);

    let csv = h
        .call(Some(CAROL), "GET", "/export.csv?include_closed=true", None)
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let text = String::from_utf8(csv.bytes.clone()).unwrap();
    assert_eq!(
        text.lines().count(),
        3,
        "header and acme's two tickets: {text}"
    );
    assert!(text.contains("\"Réseau, lent\""));
    assert!(!text.contains("Globex"));
    let one = h
        .call(
            Some(CAROL),
            "GET",
            "/export.csv?include_closed=true&numbers=2",
            None,
        )
        .await;
    assert_eq!(String::from_utf8(one.bytes).unwrap().lines().count(), 2);

    let saved = h
        .call(Some(ALICE), "POST", "/saved-searches", Some(json!({"name": "Mes imprimantes", "criteria": {"contains": "imprimante", "include_closed": true}})))
        .await;
    assert_eq!(saved.status, StatusCode::CREATED, "{}", saved.body);
    let list = h.call(Some(ALICE), "GET", "/saved-searches", None).await;
    assert_eq!(list.body.as_array().unwrap().len(), 1);
    let saved_id = saved.body["id"].as_str().unwrap();
    let not_bobs = h
        .call(
            Some(BOB),
            "DELETE",
            &format!("/saved-searches/{saved_id}"),
            None,
        )
        .await;
    assert_eq!(not_bobs.status, StatusCode::NOT_FOUND);
    let gone = h
        .call(
            Some(ALICE),
            "DELETE",
            &format!("/saved-searches/{saved_id}"),
            None,
        )
        .await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT);

    let found = h
        .call(
            Some(ALICE),
            "GET",
            "/tickets?contains=imprimante&include_closed=true",
            None,
        )
        .await;
    assert_eq!(
        found.body["tickets"].as_array().unwrap().len(),
        1,
        "{}",
        found.body
    );
}

#[tokio::test]
async fn search_pages_with_a_cursor() {
    let h = host().await;
    for i in 0..5 {
        h.open(ALICE, &format!("Ticket {i}")).await;
    }
    let mut seen = Vec::new();
    let mut path = "/tickets?limit=2".to_owned();
    loop {
        let page = h.call(Some(CAROL), "GET", &path, None).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        seen.extend(
            page.body["tickets"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["number"].as_u64().unwrap()),
        );
        match page.body["next"].as_str() {
            Some(next) => path = format!("/tickets?limit=2&cursor={next}"),
            None => break,
        }
    }
    assert_eq!(seen, [5, 4, 3, 2, 1]);
}

#[tokio::test]
async fn knowledge_base_articles_are_written_by_staff_and_suggested_to_requesters() {
    let h = host().await;
    let article = h
        .call(
            Some(SAM),
            "POST",
            "/kb/articles?tenant=acme",
            Some(
                json!({"title": "Imprimante : bourrage papier", "body": "<p>Ouvrez le bac 2.</p>"}),
            ),
        )
        .await;
    assert_eq!(article.status, StatusCode::CREATED, "{}", article.body);
    let refused = h
        .call(
            Some(ALICE),
            "POST",
            "/kb/articles",
            Some(json!({"title": "x", "body": "y"})),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let suggestions = h
        .call(
            Some(ALICE),
            "GET",
            "/kb/suggestions?subject=imprimante%20bloquee",
            None,
        )
        .await;
    assert_eq!(suggestions.status, StatusCode::OK, "{}", suggestions.body);
    assert_eq!(suggestions.body[0]["title"], "Imprimante : bourrage papier");
    let id = article.body["id"].as_str().unwrap();
    let hidden = h
        .call(Some(SAM), "PUT", &format!("/kb/articles/{id}?tenant=acme"), Some(json!({"title": "Imprimante : bourrage papier", "body": "<p>Brouillon</p>", "published": false})))
        .await;
    assert_eq!(hidden.status, StatusCode::OK, "{}", hidden.body);
    let none = h
        .call(
            Some(ALICE),
            "GET",
            "/kb/suggestions?subject=imprimante",
            None,
        )
        .await;
    assert_eq!(none.body.as_array().unwrap().len(), 0);
    let foreign = h.call(Some(DAVE), "GET", "/kb/articles", None).await;
    assert_eq!(
        foreign.body.as_array().unwrap().len(),
        0,
        "globex has no articles"
    );
}

#[tokio::test]
async fn tickets_are_edited_moved_reassigned_and_guests_invited() {
    let h = host().await;
    let id = h.open(ALICE, "Logiciel").await;
    let path = format!("/tickets/{id}");
    let edited = h
        .call(
            Some(ALICE),
            "PATCH",
            &path,
            Some(json!({"priority": "blocking", "contact_phone": "01 02 03 04 05"})),
        )
        .await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.body);
    assert_eq!(edited.body["priority"], "blocking");
    let moved = h
        .call(
            Some(ALICE),
            "PATCH",
            &path,
            Some(json!({"category": h.software_category})),
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
    assert_eq!(moved.body["group"], h.software.to_string());
    let both = h
        .call(
            Some(ALICE),
            "PATCH",
            &path,
            Some(json!({"category": h.software_category, "subject": "x"})),
        )
        .await;
    assert_eq!(both.status, StatusCode::UNPROCESSABLE_ENTITY);
    let invited = h
        .call(
            Some(ALICE),
            "POST",
            &format!("{path}/guests"),
            Some(json!({"user": "bob"})),
        )
        .await;
    assert_eq!(invited.status, StatusCode::OK, "{}", invited.body);
    assert_eq!(
        h.call(Some(BOB), "GET", &path, None).await.status,
        StatusCode::OK
    );
    let unknown = h
        .call(
            Some(ALICE),
            "POST",
            &format!("{path}/guests"),
            Some(json!({"user": "dave"})),
        )
        .await;
    assert_eq!(
        unknown.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "dave is in another tenant"
    );
    let reassigned = h
        .call(
            Some(CAROL),
            "POST",
            &format!("{path}/requester"),
            Some(json!({"user": "frank"})),
        )
        .await;
    assert_eq!(reassigned.status, StatusCode::OK, "{}", reassigned.body);
    assert_eq!(
        h.call(Some(ALICE), "GET", &path, None).await.status,
        StatusCode::NOT_FOUND,
        "alice no longer owns it"
    );
    let cancelled = h
        .call(
            Some(CAROL),
            "POST",
            &format!("{path}/cancellation"),
            Some(json!({"reason": "doublon"})),
        )
        .await;
    assert_eq!(
        cancelled.body["state"]["status"], "cancelled",
        "{}",
        cancelled.body
    );
    let reopen = h
        .call(
            Some(SAM),
            "POST",
            &format!("{path}/reopening"),
            Some(json!({})),
        )
        .await;
    assert_eq!(
        reopen.status,
        StatusCode::CONFLICT,
        "a cancelled ticket is not reopened"
    );
}

#[tokio::test]
async fn listings_roles_and_unblocking() {
    let h = host().await;
    let tenants = h.call(Some(SAM), "GET", "/admin/tenants", None).await;
    assert_eq!(
        tenants.body.as_array().unwrap().len(),
        2,
        "sam serves both tenants"
    );
    let own = h.call(Some(ALICE), "GET", "/admin/tenants", None).await;
    assert_eq!(
        own.body.as_array().unwrap().len(),
        1,
        "alice belongs to acme only"
    );

    let staff = h.call(Some(CAROL), "GET", "/admin/staff", None).await;
    assert_eq!(staff.status, StatusCode::OK, "{}", staff.body);
    let names: Vec<&str> = staff
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["display_name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"sam") && names.contains(&"sue"),
        "{names:?}"
    );
    let refused = h.call(Some(ALICE), "GET", "/admin/staff", None).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let groups = h.call(Some(SAM), "GET", "/admin/groups", None).await;
    assert_eq!(groups.body.as_array().unwrap().len(), 2);

    let members = h.call(Some(CAROL), "GET", "/admin/members", None).await;
    let frank = members
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["user"] == "frank")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let promoted = h
        .call(
            Some(CAROL),
            "PUT",
            &format!("/admin/members/{frank}/role"),
            Some(json!({"role": "tenant_admin"})),
        )
        .await;
    assert_eq!(promoted.body["role"], "tenant_admin", "{}", promoted.body);
    let not_alice = h
        .call(
            Some(ALICE),
            "PUT",
            &format!("/admin/members/{frank}/role"),
            Some(json!({"role": "requester"})),
        )
        .await;
    assert_eq!(not_alice.status, StatusCode::FORBIDDEN);

    let mallory = members
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["user"] == "mallory")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        h.call(Some(BLOCKED), "GET", "/tickets", None).await.status,
        StatusCode::FORBIDDEN
    );
    let unblocked = h
        .call(
            Some(CAROL),
            "POST",
            &format!("/admin/members/{mallory}/unblock"),
            None,
        )
        .await;
    assert_eq!(unblocked.body["blocked"], false, "{}", unblocked.body);
    assert_eq!(
        h.call(Some(BLOCKED), "GET", "/tickets", None).await.status,
        StatusCode::OK
    );
}
