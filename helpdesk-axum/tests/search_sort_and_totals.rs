//! `GET /tickets` with `sort`, `order` and `total`; `GET /kb/suggestions` without a
//! subject; `GET /dashboard/breakdown`; and how the OpenAPI document declares them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use axum::http::StatusCode;
use serde_json::{Value, json};
use support::*;

/// Walks every page of `query` as `who`, returning the subjects and each page's total.
async fn walk(host: &Host, who: (&str, Option<&str>), query: &str) -> (Vec<String>, Vec<u64>) {
    let mut subjects = Vec::new();
    let mut totals = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..50 {
        let path = match &cursor {
            Some(c) => format!("/tickets?{query}&cursor={c}"),
            None => format!("/tickets?{query}"),
        };
        let page = host.call(Some(who), "GET", &path, None).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        totals.push(page.body["total"].as_u64().unwrap());
        for t in page.body["tickets"].as_array().unwrap() {
            subjects.push(t["subject"].as_str().unwrap().to_owned());
        }
        match page.body["next"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return (subjects, totals),
        }
    }
    panic!("pagination did not end");
}

#[tokio::test]
async fn tickets_sorted_by_subject_come_in_order_on_every_page_with_the_total() {
    let host = host().await;
    for subject in ["Imprimante", "Accès", "Zèbre", "Badge", "Accès"] {
        host.open(ALICE, subject).await;
    }
    let (subjects, totals) = walk(&host, ALICE, "sort=subject&order=asc&limit=2").await;
    assert_eq!(subjects, ["Accès", "Accès", "Badge", "Imprimante", "Zèbre"]);
    assert_eq!(totals, [5, 5, 5], "the total is on every page");

    let (descending, _) = walk(&host, CAROL, "sort=subject&order=desc&limit=3").await;
    assert_eq!(
        descending,
        ["Zèbre", "Imprimante", "Badge", "Accès", "Accès"]
    );
    let (newest_first, _) = walk(&host, CAROL, "limit=4").await;
    assert_eq!(
        newest_first,
        ["Accès", "Badge", "Zèbre", "Accès", "Imprimante"],
        "without a sort: newest opened first"
    );
}

#[tokio::test]
async fn the_total_counts_only_what_the_caller_may_see() {
    let host = host().await;
    for subject in ["one", "two", "three"] {
        host.open(ALICE, subject).await;
    }
    host.open(BOB, "bob's").await;
    let alice = host
        .call(Some(ALICE), "GET", "/tickets?limit=1", None)
        .await;
    assert_eq!(alice.body["total"], 3);
    assert_eq!(alice.body["tickets"].as_array().unwrap().len(), 1);
    let carol = host
        .call(Some(CAROL), "GET", "/tickets?limit=1", None)
        .await;
    assert_eq!(carol.body["total"], 4);
    let none = host
        .call(Some(CAROL), "GET", "/tickets?contains=nothingmatches", None)
        .await;
    assert_eq!(none.body["total"], 0);
}

#[tokio::test]
async fn a_cursor_under_another_sort_and_unknown_sorts_are_refused() {
    let host = host().await;
    for subject in ["a", "b", "c"] {
        host.open(ALICE, subject).await;
    }
    let first = host
        .call(
            Some(ALICE),
            "GET",
            "/tickets?sort=number&order=asc&limit=1",
            None,
        )
        .await;
    let next = first.body["next"].as_str().unwrap().to_owned();
    for other in ["sort=number&order=desc", "sort=subject&order=asc", ""] {
        let refused = host
            .call(
                Some(ALICE),
                "GET",
                &format!("/tickets?{other}&limit=1&cursor={next}"),
                None,
            )
            .await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{other}: {}",
            refused.body
        );
        assert_eq!(refused.body["field"], "cursor", "{}", refused.body);
    }
    let same = host
        .call(
            Some(ALICE),
            "GET",
            &format!("/tickets?sort=number&order=asc&limit=1&cursor={next}"),
            None,
        )
        .await;
    assert_eq!(same.status, StatusCode::OK, "{}", same.body);
    for (query, field) in [("sort=created", "sort"), ("order=up", "order")] {
        let refused = host
            .call(Some(ALICE), "GET", &format!("/tickets?{query}"), None)
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(refused.body["field"], field, "{}", refused.body);
    }
}

#[tokio::test]
async fn suggestions_without_a_subject_give_the_categorys_faq() {
    let host = host().await;
    let root = host.actor(ROOT).await;
    for title in ["Réinstaller le logiciel", "Activer sa licence"] {
        host.service
            .create_article(
                &root,
                host.acme,
                helpdesk_core::ArticleDraft {
                    category: Some(host.software_category),
                    title,
                    body: "<p>Voir la procédure</p>",
                    published: true,
                },
            )
            .await
            .unwrap();
    }
    host.service
        .create_article(
            &root,
            host.acme,
            helpdesk_core::ArticleDraft {
                category: None,
                title: "Charte",
                body: "<p>x</p>",
                published: true,
            },
        )
        .await
        .unwrap();
    let faq = host
        .call(
            Some(ALICE),
            "GET",
            &format!("/kb/suggestions?category={}", host.software_category),
            None,
        )
        .await;
    assert_eq!(faq.status, StatusCode::OK, "{}", faq.body);
    let titles: Vec<&str> = faq
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Activer sa licence", "Réinstaller le logiciel"]);
    let nothing = host.call(Some(ALICE), "GET", "/kb/suggestions", None).await;
    assert_eq!(nothing.body, json!([]));
}

#[tokio::test]
async fn the_breakdown_is_for_staff_with_names() {
    let host = host().await;
    let ticket = host.open(ALICE, "Licence").await;
    host.open(ALICE, "Écran").await;
    let sam = host.actor(SAM).await;
    let sue = host.actor(SUE).await;
    host.service
        .assign(
            &sue,
            ticket.parse().unwrap(),
            None,
            Some(sam.as_staff().unwrap().id),
            Some(host.software),
        )
        .await
        .unwrap();
    let breakdown = host
        .call(Some(SUE), "GET", "/dashboard/breakdown", None)
        .await;
    assert_eq!(breakdown.status, StatusCode::OK, "{}", breakdown.body);
    let agents = breakdown.body["by_agent"].as_array().unwrap();
    let names: Vec<&str> = agents.iter().map(|l| l["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["sam", ""], "by name, nobody last");
    assert_eq!(agents[0]["by_status"]["in_progress"], 1);
    assert_eq!(agents[1]["agent"], Value::Null);
    assert_eq!(agents[1]["by_status"]["new"], 1);
    let groups: Vec<&str> = breakdown.body["by_group"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["name"].as_str().unwrap())
        .collect();
    assert_eq!(groups, ["Software", ""]);
    let own = host
        .call(Some(SAM), "GET", "/dashboard/breakdown?tenant=acme", None)
        .await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.body);
    assert_eq!(own.body["by_agent"].as_array().unwrap().len(), 1);
    for member in [ALICE, CAROL] {
        let refused = host
            .call(Some(member), "GET", "/dashboard/breakdown", None)
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
        assert_eq!(refused.body["reason"], "staff_only", "{}", refused.body);
    }
}

#[tokio::test]
async fn the_openapi_document_declares_sorting_totals_and_the_breakdown() {
    let host = host().await;
    let doc = host.call(None, "GET", "/openapi.json", None).await.body;
    let params = doc["paths"]["/tickets"]["get"]["parameters"]
        .as_array()
        .unwrap();
    let param = |name: &str| {
        params
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("GET /tickets declares `{name}`"))
    };
    assert_eq!(param("sort")["in"], "query");
    assert_eq!(param("order")["in"], "query");
    let schemas = &doc["components"]["schemas"];
    assert_eq!(
        schemas["SortKey"]["enum"],
        json!([
            "number", "subject", "status", "priority", "opened", "updated"
        ])
    );
    assert_eq!(schemas["SortOrder"]["enum"], json!(["asc", "desc"]));
    assert!(
        schemas["TicketList"]["required"]
            .as_array()
            .unwrap()
            .contains(&json!("total")),
        "{}",
        schemas["TicketList"]
    );
    let breakdown = &doc["paths"]["/dashboard/breakdown"]["get"];
    assert!(breakdown["responses"]["200"].is_object(), "{breakdown}");
    assert!(breakdown["responses"]["403"].is_object(), "{breakdown}");
    assert!(schemas["Breakdown"].is_object());
    let export = doc["paths"]["/export.csv"]["get"]["parameters"]
        .as_array()
        .unwrap();
    assert!(export.iter().any(|p| p["name"] == "sort"));
}
