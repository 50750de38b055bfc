//! The administration screens, as a browser receives them: the controls each role
//! sees, the forms doing their use case, refusals as pages or forms sent back.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use axum::http::StatusCode;
use helpdesk_core::{StaffChanges, Status, TenantSettings, UserId};

async fn member_id(host: &support::Host, user: &str) -> String {
    let carol = host.actor("carol").await;
    host.service
        .member_by_user(&carol, host.acme, &UserId::new(user).unwrap())
        .await
        .unwrap()
        .id
        .to_string()
}

async fn bob_blocked(host: &support::Host) -> bool {
    let carol = host.actor("carol").await;
    host.service
        .member_by_user(&carol, host.acme, &UserId::new("bob").unwrap())
        .await
        .unwrap()
        .blocked
}

/// Every field of the settings form, as the defaults fill it.
fn settings_fields() -> Vec<(String, String)> {
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
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
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

fn set(fields: &mut [(String, String)], name: &str, value: &str) {
    for (k, v) in fields.iter_mut() {
        if k == name {
            *v = value.to_owned();
        }
    }
}

fn as_refs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

#[tokio::test]
async fn the_tenant_admin_blocks_and_unblocks_a_member() {
    let host = support::host().await;
    let page = host
        .get("/support/admin/members", Some("carol"), "fr")
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Bob Durand") && page.body.contains("bob@example.org"));
    assert!(page.body.contains("Bloquer"));
    assert!(page.body.contains("Ajouter un membre"));
    let bob = member_id(&host, "bob").await;
    let path = format!("/support/admin/members/{bob}/blocked");
    let blocked = host
        .post(&path, "carol", &[("blocked", "1")], Some(support::TOKEN))
        .await;
    assert_eq!(blocked.status, StatusCode::SEE_OTHER);
    assert_eq!(blocked.location(), Some("/support/admin/members?done=1"));
    assert!(bob_blocked(&host).await);
    let after = host
        .get("/support/admin/members?done=1", Some("carol"), "fr")
        .await;
    assert!(after.body.contains(r#"role="status""#));
    assert!(after.body.contains("Débloquer"));
    let unblocked = host
        .post(&path, "carol", &[("blocked", "0")], Some(support::TOKEN))
        .await;
    assert_eq!(unblocked.status, StatusCode::SEE_OTHER);
    assert!(!bob_blocked(&host).await);
}

#[tokio::test]
async fn a_form_without_its_token_is_refused_and_changes_nothing() {
    let host = support::host().await;
    let bob = member_id(&host, "bob").await;
    let page = host
        .post(
            &format!("/support/admin/members/{bob}/blocked"),
            "carol",
            &[("blocked", "1")],
            None,
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(page.body.contains("Ce formulaire a expiré"));
    assert!(!bob_blocked(&host).await);
}

#[tokio::test]
async fn the_tenant_admin_changes_a_role_and_adds_a_member() {
    let host = support::host().await;
    let bob = member_id(&host, "bob").await;
    let page = host
        .post(
            &format!("/support/admin/members/{bob}/role"),
            "carol",
            &[("role", "tenant_admin")],
            Some(support::TOKEN),
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let carol = host.actor("carol").await;
    let members = host.service.members(&carol, host.acme).await.unwrap();
    let bob_now = members.iter().find(|m| m.user.as_str() == "bob").unwrap();
    assert_eq!(bob_now.role, helpdesk_core::MemberRole::TenantAdmin);
    let added = host
        .post(
            "/support/admin/members",
            "carol",
            &[
                ("user", "dan"),
                ("display_name", "Dan Leroy"),
                ("email", "dan@example.org"),
                ("role", "requester"),
            ],
            Some(support::TOKEN),
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER);
    let members = host.service.members(&carol, host.acme).await.unwrap();
    assert!(members.iter().any(|m| m.display_name == "Dan Leroy"));
    // The same login again: sent back with what was typed.
    let again = host
        .post(
            "/support/admin/members",
            "carol",
            &[
                ("user", "dan"),
                ("display_name", "Dan Bis"),
                ("email", ""),
                ("role", "requester"),
            ],
            Some(support::TOKEN),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again.body.contains(r#"value="Dan Bis""#));
}

#[tokio::test]
async fn a_requester_gets_403_on_every_admin_page_and_sees_no_admin_link() {
    let host = support::host().await;
    for path in [
        "/support/admin",
        "/support/admin/members",
        "/support/admin/staff",
        "/support/admin/categories",
        "/support/admin/products",
        "/support/admin/articles",
        "/support/admin/questionnaire",
        "/support/admin/settings",
        "/support/admin/tenants",
    ] {
        let page = host.get(path, Some("alice"), "fr").await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{path}");
        assert!(page.body.contains("Vous n'avez pas le droit"), "{path}");
    }
    let bob = member_id(&host, "bob").await;
    let post = host
        .post(
            &format!("/support/admin/members/{bob}/blocked"),
            "alice",
            &[("blocked", "1")],
            Some(support::TOKEN),
        )
        .await;
    assert_eq!(post.status, StatusCode::FORBIDDEN);
    assert!(!bob_blocked(&host).await);
    let home = host.get("/support", Some("alice"), "fr").await;
    assert!(!home.body.contains(r#"href="/support/admin""#));
    let carol_home = host.get("/support", Some("carol"), "fr").await;
    assert!(carol_home.body.contains(r#"href="/support/admin""#));
}

#[tokio::test]
async fn the_index_lists_what_each_role_may_open() {
    let host = support::host().await;
    let carol = host.get("/support/admin", Some("carol"), "fr").await;
    assert_eq!(carol.status, StatusCode::OK);
    for link in [
        "/admin/members",
        "/admin/settings",
        "/admin/questionnaire",
        "/admin/categories",
    ] {
        assert!(
            carol.body.contains(&format!(r#"href="/support{link}""#)),
            "{link}"
        );
    }
    assert!(!carol.body.contains(r#"href="/support/admin/tenants""#));
    let sam = host.get("/support/admin", Some("sam"), "fr").await;
    assert!(sam.body.contains(r#"href="/support/admin/articles""#));
    assert!(
        !sam.body.contains(r#"href="/support/admin/settings""#),
        "agents do not administer"
    );
    let root = host.get("/support/admin", Some("root"), "fr").await;
    assert!(root.body.contains(r#"href="/support/admin/tenants""#));
    assert!(root.body.contains(r#"href="/support/admin/settings""#));
}

#[tokio::test]
async fn a_category_is_created_with_its_routing_group() {
    let host = support::host().await;
    let software = host.software.to_string();
    let page = host
        .post(
            "/support/admin/categories",
            "carol",
            &[("name", "Réseau"), ("parent", ""), ("group", &software)],
            Some(support::TOKEN),
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let carol = host.actor("carol").await;
    let tree = host.service.categories(&carol, host.acme).await.unwrap();
    let network = tree.iter().find(|c| c.name == "Réseau").unwrap();
    assert_eq!(network.group, Some(host.software));
    assert_eq!(network.parent, None);
    let list = host
        .get("/support/admin/categories", Some("carol"), "fr")
        .await;
    assert!(list.body.contains("Réseau") && list.body.contains("Logiciel"));
    // A sub-category without a group inherits; an empty name is sent back.
    let parent = host.printers.to_string();
    let empty = host
        .post(
            "/support/admin/categories",
            "carol",
            &[("name", " "), ("parent", &parent), ("group", "")],
            Some(support::TOKEN),
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.body.contains(r#"role="alert""#));
    assert_eq!(
        host.service
            .categories(&carol, host.acme)
            .await
            .unwrap()
            .len(),
        2
    );
    // Retired through the edit form.
    let retire = host
        .post(
            &format!("/support/admin/categories/{}", network.id),
            "carol",
            &[("name", "Réseau"), ("parent", ""), ("group", &software)],
            Some(support::TOKEN),
        )
        .await;
    assert_eq!(retire.status, StatusCode::SEE_OTHER);
    let tree = host.service.categories(&carol, host.acme).await.unwrap();
    assert!(!tree.iter().find(|c| c.id == network.id).unwrap().active);
}

#[tokio::test]
async fn a_product_is_created_and_retired() {
    let host = support::host().await;
    let page = host
        .post(
            "/support/admin/products",
            "carol",
            &[("code", "INL"), ("name", "Inline")],
            Some(support::TOKEN),
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let carol = host.actor("carol").await;
    let products = host.service.products(&carol, host.acme).await.unwrap();
    assert_eq!(products.len(), 1);
    assert_eq!(products[0].code.as_deref(), Some("INL"));
    let edit = host
        .get(
            &format!("/support/admin/products/{}", products[0].id),
            Some("carol"),
            "en",
        )
        .await;
    assert_eq!(edit.status, StatusCode::OK);
    assert!(edit.body.contains("Edit the product"));
    let retired = host
        .post(
            &format!("/support/admin/products/{}", products[0].id),
            "carol",
            &[("code", "INL"), ("name", "Inline 2")],
            Some(support::TOKEN),
        )
        .await;
    assert_eq!(retired.status, StatusCode::SEE_OTHER);
    let products = host.service.products(&carol, host.acme).await.unwrap();
    assert_eq!(products[0].name, "Inline 2");
    assert!(!products[0].active);
}

#[tokio::test]
async fn an_article_is_written_and_unpublished() {
    let host = support::host().await;
    let printers = host.printers.to_string();
    let page = host
        .post(
            "/support/admin/articles",
            "sam",
            &[
                ("title", "Débloquer le bac 2"),
                ("category", &printers),
                ("body", "<p>Ouvrez le capot.</p>"),
                ("published", "1"),
            ],
            Some(support::TOKEN),
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let sam = host.actor("sam").await;
    let articles = host.service.articles(&sam, host.acme).await.unwrap();
    assert_eq!(articles.len(), 1);
    assert_eq!(articles[0].category, Some(host.printers));
    assert!(articles[0].published);
    let unpublish = host
        .post(
            &format!("/support/admin/articles/{}", articles[0].id),
            "sam",
            &[
                ("title", "Débloquer le bac 2"),
                ("body", "<p>Ouvrez le capot.</p>"),
            ],
            Some(support::TOKEN),
        )
        .await;
    assert_eq!(unpublish.status, StatusCode::SEE_OTHER);
    let alice = host.actor("alice").await;
    assert!(
        host.service
            .articles(&alice, host.acme)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn a_status_label_changed_in_french_shows_on_the_home_tiles() {
    let host = support::host().await;
    let form = host
        .get("/support/admin/settings", Some("carol"), "fr")
        .await;
    assert_eq!(form.status, StatusCode::OK);
    assert_eq!(
        form.input_value("label_fr_new").as_deref(),
        Some("À traiter")
    );
    let mut fields = settings_fields();
    set(&mut fields, "label_fr_new", "À prendre en charge");
    let page = host
        .post(
            "/support/admin/settings",
            "carol",
            &as_refs(&fields),
            Some(support::TOKEN),
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert_eq!(page.location(), Some("/support/admin/settings?done=1"));
    let home = host.get("/support", Some("alice"), "fr").await;
    assert!(home.body.contains("À prendre en charge"));
    assert!(!home.body.contains(">À traiter<"));
    let english = host.get("/support", Some("alice"), "en").await;
    assert!(
        english.body.contains(">New<"),
        "the English label is untouched"
    );
}

#[tokio::test]
async fn an_invalid_setting_is_sent_back_with_what_was_typed() {
    let host = support::host().await;
    let mut fields = settings_fields();
    set(&mut fields, "name", "Acme Industries");
    set(&mut fields, "label_fr_closed", "");
    set(&mut fields, "label_en_new", "To do");
    let page = host
        .post(
            "/support/admin/settings",
            "carol",
            &as_refs(&fields),
            Some(support::TOKEN),
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains(r#"role="alert""#));
    assert!(
        page.body.contains("Libellé « Clôturée » (FR)"),
        "{}",
        page.body
    );
    assert_eq!(page.input_value("name").as_deref(), Some("Acme Industries"));
    assert_eq!(page.input_value("label_en_new").as_deref(), Some("To do"));
    let carol = host.actor("carol").await;
    let tenant = host.service.tenant(&carol, host.acme).await.unwrap();
    assert_eq!(tenant.name, "Acme");
    assert_eq!(tenant.settings.label(Status::New, "en"), "New");
    let mut days = settings_fields();
    set(&mut days, "reopen_days", "soon");
    let bad_days = host
        .post(
            "/support/admin/settings",
            "carol",
            &as_refs(&days),
            Some(support::TOKEN),
        )
        .await;
    assert_eq!(bad_days.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad_days.input_value("reopen_days").as_deref(), Some("soon"));
}

#[tokio::test]
async fn a_stale_staff_form_is_a_409_that_keeps_what_was_typed() {
    let host = support::host().await;
    let sam = host.actor("sam").await;
    let sam_id = sam.as_staff().unwrap().id;
    let path = format!("/support/admin/staff/{sam_id}");
    let form = host.get(&path, Some("sue"), "fr").await;
    assert_eq!(form.status, StatusCode::OK);
    let seen = form.input_value("seen").unwrap();
    let acme = host.acme.to_string();
    let software = host.software.to_string();
    // Someone else renames sam meanwhile.
    host.service
        .update_staff(
            &host.root,
            sam_id,
            StaffChanges {
                display_name: Some("Samuel Agent".into()),
                ..StaffChanges::default()
            },
        )
        .await
        .unwrap();
    let fields = [
        ("seen", seen.as_str()),
        ("display_name", "Sam Typed"),
        ("email", "sam@example.org"),
        ("role", "agent"),
        ("tenants", acme.as_str()),
        ("groups", software.as_str()),
        ("active", "1"),
    ];
    let stale = host.post(&path, "sue", &fields, Some(support::TOKEN)).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(
        stale
            .body
            .contains("Quelqu'un d'autre a modifié cette fiche")
    );
    assert_eq!(
        stale.input_value("display_name").as_deref(),
        Some("Sam Typed")
    );
    let now = host.service.staff_member(&host.root, sam_id).await.unwrap();
    assert_eq!(now.display_name, "Samuel Agent", "nothing changed");
    // Sent again from the page sent back, it applies.
    let fresh = stale.input_value("seen").unwrap();
    let mut again = fields;
    again[0] = ("seen", fresh.as_str());
    let applied = host.post(&path, "sue", &again, Some(support::TOKEN)).await;
    assert_eq!(applied.status, StatusCode::SEE_OTHER);
    let now = host.service.staff_member(&host.root, sam_id).await.unwrap();
    assert_eq!(now.display_name, "Sam Typed");
}

#[tokio::test]
async fn supervisors_manage_staff_and_groups_tenant_admins_only_read_them() {
    let host = support::host().await;
    let sue = host.get("/support/admin/staff", Some("sue"), "fr").await;
    assert_eq!(sue.status, StatusCode::OK);
    assert!(sue.body.contains("Sam Agent") && sue.body.contains("Logiciel"));
    assert!(sue.body.contains("Ajouter un membre de l'équipe"));
    let carol = host.get("/support/admin/staff", Some("carol"), "fr").await;
    assert_eq!(carol.status, StatusCode::OK);
    assert!(carol.body.contains("Sam Agent"));
    assert!(!carol.body.contains("Ajouter un membre de l'équipe"));
    assert!(!carol.body.contains(r#"action="/support/admin/groups"#));
    let group = host
        .post(
            "/support/admin/groups",
            "sue",
            &[("name", "Réseau")],
            Some(support::TOKEN),
        )
        .await;
    assert_eq!(group.status, StatusCode::SEE_OTHER);
    let groups = host.service.groups(&host.root).await.unwrap();
    assert!(groups.iter().any(|g| g.name == "Réseau"));
    let refused = host
        .post(
            "/support/admin/groups",
            "carol",
            &[("name", "Pirates")],
            Some(support::TOKEN),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let added = host
        .post(
            "/support/admin/staff",
            "sue",
            &[
                ("user", "tom"),
                ("display_name", "Tom Agent"),
                ("email", ""),
                ("role", "agent"),
                ("tenants", &host.acme.to_string()),
            ],
            Some(support::TOKEN),
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER);
    let staff = host.service.staff_list(&host.root).await.unwrap();
    assert!(staff.iter().any(|s| s.display_name == "Tom Agent"));
}

#[tokio::test]
async fn the_platform_admin_creates_a_tenant() {
    let host = support::host().await;
    let page = host
        .post(
            "/support/admin/tenants",
            "root",
            &[("slug", "globex"), ("name", "Globex")],
            Some(support::TOKEN),
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let tenants = host.service.tenants(&host.root).await.unwrap();
    assert!(tenants.iter().any(|t| t.slug == "globex"));
    let bad = host
        .post(
            "/support/admin/tenants",
            "root",
            &[("slug", "Globex Two"), ("name", "Globex 2")],
            Some(support::TOKEN),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.input_value("name").as_deref(), Some("Globex 2"));
    let sue = host.get("/support/admin/tenants", Some("sue"), "fr").await;
    assert!(
        !sue.body.contains(r#"name="slug""#),
        "only platform admins create tenants"
    );
}

#[tokio::test]
async fn the_questionnaire_is_defined_on_its_screen() {
    let host = support::host().await;
    let form = host
        .get("/support/admin/questionnaire", Some("carol"), "fr")
        .await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains(r#"value="overall""#));
    let fields = [
        ("key", "overall"),
        ("label", "Votre note"),
        ("required", "1"),
        ("kind", "score"),
        ("min", "0"),
        ("max", "5"),
        ("options", ""),
        ("key", "mood"),
        ("label", "Votre humeur"),
        ("required", "0"),
        ("kind", "choice"),
        ("min", ""),
        ("max", ""),
        ("options", "bien, mal"),
    ];
    let page = host
        .post(
            "/support/admin/questionnaire",
            "carol",
            &fields,
            Some(support::TOKEN),
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let carol = host.actor("carol").await;
    let tenant = host.service.tenant(&carol, host.acme).await.unwrap();
    assert_eq!(tenant.settings.questionnaire.questions.len(), 2);
    let bad = [
        ("key", "overall"),
        ("label", "Votre note"),
        ("required", "1"),
        ("kind", "score"),
        ("min", "5"),
        ("max", "1"),
        ("options", ""),
    ];
    let refused = host
        .post(
            "/support/admin/questionnaire",
            "carol",
            &bad,
            Some(support::TOKEN),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("Question 1"));
}

#[tokio::test]
async fn admin_pages_speak_french_and_english() {
    let host = support::host().await;
    let fr = host
        .get("/support/admin/members", Some("carol"), "fr")
        .await;
    assert!(fr.body.contains("Membres") && fr.body.contains("Bloquer"));
    let en = host
        .get("/support/admin/members", Some("carol"), "en")
        .await;
    assert!(en.body.contains("Members") && en.body.contains("Block"));
    assert!(en.body.contains("Client administrator"));
    let settings = host
        .get("/support/admin/settings", Some("carol"), "en")
        .await;
    assert!(settings.body.contains("Status labels") && settings.body.contains("Closure mode"));
    for page in [&fr, &en, &settings] {
        assert!(!page.body.contains(" style=") && !page.body.contains("<script>"));
    }
}

#[tokio::test]
async fn members_are_found_by_name_login_or_email() {
    let host = support::host().await;
    let page = host
        .get("/support/admin/members?q=DURAND", Some("carol"), "fr")
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Bob Durand"));
    assert!(!page.body.contains("Alice Martin"));
    assert!(
        page.body.contains(r#"value="DURAND""#),
        "the search is kept"
    );
    let by_mail = host
        .get(
            "/support/admin/members?q=alice%40example",
            Some("carol"),
            "fr",
        )
        .await;
    assert!(by_mail.body.contains("Alice Martin") && !by_mail.body.contains("Bob Durand"));
}

#[tokio::test]
async fn every_admin_page_labels_its_fields_and_keeps_the_strict_policy() {
    let host = support::host().await;
    let sam = host.actor("sam").await.as_staff().unwrap().id;
    for (user, path) in [
        ("carol", "/support/admin".to_owned()),
        ("carol", "/support/admin/members".to_owned()),
        ("sue", "/support/admin/staff".to_owned()),
        ("sue", format!("/support/admin/staff/{sam}")),
        ("carol", "/support/admin/categories".to_owned()),
        (
            "carol",
            format!("/support/admin/categories/{}", host.printers),
        ),
        ("carol", "/support/admin/products".to_owned()),
        ("sam", "/support/admin/articles".to_owned()),
        ("carol", "/support/admin/questionnaire".to_owned()),
        ("carol", "/support/admin/settings".to_owned()),
        ("root", "/support/admin/tenants".to_owned()),
        ("carol", "/support/profile".to_owned()),
    ] {
        let page = host.get(&path, Some(user), "fr").await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(
            !page.body.contains(" style=") && !page.body.contains("<style"),
            "{path}"
        );
        assert!(!page.body.contains("<script>"), "{path}");
        // Every id a label points at exists, once.
        for piece in page.body.split(r#"<label for=""#).skip(1) {
            let id = &piece[..piece.find('"').unwrap()];
            let count = page.body.matches(&format!(r#" id="{id}""#)).count();
            assert_eq!(count, 1, "{path}: label for {id}");
        }
        // Every POST form carries the token.
        let posts = page.body.matches(r#"method="post""#).count();
        let tokens = page.body.matches(r#"name="form_token""#).count();
        assert_eq!(posts, tokens, "{path}");
    }
}
