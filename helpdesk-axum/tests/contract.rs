//! The OpenAPI document is a contract: real answers of the router, success and refusal,
//! have a status the document declares for their operation, and their JSON bodies
//! validate against the schema it names for that status.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{Value, json};
use support::*;

/// A small JSON Schema checker for the keywords utoipa emits. Stricter than JSON Schema
/// on one point: an object schema that lists `properties` and no `additionalProperties`
/// is closed, so a field the server sends but the document does not name (a serde
/// rename the schema missed) is an error.
struct Checker<'a> {
    doc: &'a Value,
}

impl Checker<'_> {
    fn resolve<'s>(&'s self, schema: &'s Value) -> &'s Value {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(reference) => {
                let name = reference
                    .strip_prefix("#/components/schemas/")
                    .unwrap_or_else(|| panic!("unexpected $ref {reference}"));
                let target = &self.doc["components"]["schemas"][name];
                assert!(!target.is_null(), "dangling $ref {reference}");
                self.resolve(target)
            }
            None => schema,
        }
    }

    fn errors(&self, schema: &Value, value: &Value, at: &str) -> Vec<String> {
        let schema = self.resolve(schema);
        let mut errors = Vec::new();
        if schema.as_bool() == Some(true) || schema.as_object().is_some_and(|o| o.is_empty()) {
            return errors;
        }
        if let Some(types) = schema.get("type") {
            let types: Vec<&str> = match types {
                Value::String(t) => vec![t.as_str()],
                Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
                _ => vec![],
            };
            let fits = types.iter().any(|t| match *t {
                "null" => value.is_null(),
                "boolean" => value.is_boolean(),
                "string" => value.is_string(),
                "integer" => value.is_i64() || value.is_u64(),
                "number" => value.is_number(),
                "array" => value.is_array(),
                "object" => value.is_object(),
                _ => false,
            });
            if !fits {
                return vec![format!("{at}: {value} is not of type {types:?}")];
            }
        }
        if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
            && !allowed.contains(value)
        {
            errors.push(format!("{at}: {value} is not one of {allowed:?}"));
        }
        if let Some(options) = schema.get("oneOf").and_then(Value::as_array) {
            let fitting = options
                .iter()
                .filter(|o| self.errors(o, value, at).is_empty())
                .count();
            if fitting != 1 {
                errors.push(format!(
                    "{at}: {value} fits {fitting} of the oneOf options, not exactly one"
                ));
            }
        }
        if let Some(options) = schema.get("anyOf").and_then(Value::as_array)
            && !options.iter().any(|o| self.errors(o, value, at).is_empty())
        {
            errors.push(format!("{at}: {value} fits none of the anyOf options"));
        }
        for part in schema
            .get("allOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            errors.extend(self.errors(part, value, at));
        }
        if let Some(text) = value.as_str() {
            match schema.get("format").and_then(Value::as_str) {
                Some("uuid") if uuid::Uuid::parse_str(text).is_err() => {
                    errors.push(format!("{at}: `{text}` is not a uuid"));
                }
                Some("date-time") if chrono::DateTime::parse_from_rfc3339(text).is_err() => {
                    errors.push(format!("{at}: `{text}` is not a date-time"));
                }
                _ => {}
            }
            let chars = text.chars().count() as u64;
            if let Some(min) = schema.get("minLength").and_then(Value::as_u64)
                && chars < min
            {
                errors.push(format!("{at}: `{text}` is shorter than {min}"));
            }
            if let Some(max) = schema.get("maxLength").and_then(Value::as_u64)
                && chars > max
            {
                errors.push(format!("{at}: `{text}` is longer than {max}"));
            }
        }
        if let Some(n) = value.as_f64() {
            if let Some(min) = schema.get("minimum").and_then(Value::as_f64)
                && n < min
            {
                errors.push(format!("{at}: {n} is below {min}"));
            }
            if let Some(max) = schema.get("maximum").and_then(Value::as_f64)
                && n > max
            {
                errors.push(format!("{at}: {n} is above {max}"));
            }
        }
        if let Some(items) = value.as_array()
            && let Some(item_schema) = schema.get("items")
        {
            for (i, item) in items.iter().enumerate() {
                errors.extend(self.errors(item_schema, item, &format!("{at}[{i}]")));
            }
        }
        if let Some(object) = value.as_object() {
            let properties = schema.get("properties").and_then(Value::as_object);
            for name in schema
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                if !object.contains_key(name) {
                    errors.push(format!("{at}: required `{name}` is missing"));
                }
            }
            for (key, field) in object {
                let here = format!("{at}.{key}");
                if let Some(names) = schema.get("propertyNames") {
                    errors.extend(self.errors(names, &Value::String(key.clone()), &here));
                }
                match (
                    properties.and_then(|p| p.get(key)),
                    schema.get("additionalProperties"),
                ) {
                    (Some(property), _) => errors.extend(self.errors(property, field, &here)),
                    (None, Some(Value::Bool(false))) => {
                        errors.push(format!("{here}: not allowed"));
                    }
                    (None, Some(Value::Bool(true))) => {}
                    (None, Some(extra)) => errors.extend(self.errors(extra, field, &here)),
                    // An object with named properties is closed (see above); one that is
                    // part of a oneOf is checked against its own variant.
                    (None, None) if properties.is_some() => {
                        errors.push(format!("{here}: sent but not in the schema"));
                    }
                    (None, None) => {}
                }
            }
        }
        errors
    }
}

/// Checks one answer of `method template` against the document: its status is declared,
/// and its JSON body fits the declared schema.
fn conforms(doc: &Value, method: &str, template: &str, answer: &Answer) {
    let operation = &doc["paths"][template][method];
    assert!(
        operation.is_object(),
        "{method} {template} is not in the document"
    );
    let status = answer.status.as_str().to_owned();
    let response = &operation["responses"][&status];
    assert!(
        response.is_object(),
        "{method} {template} answered {status}, which the document does not declare: {}",
        answer.body
    );
    let content_type = answer
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if answer.bytes.is_empty() {
        return;
    }
    let media = content_type.split(';').next().unwrap_or("").trim();
    let declared = match &response["content"][media] {
        Value::Null => &response["content"]["*/*"],
        declared => declared,
    };
    assert!(
        declared.is_object(),
        "{method} {template} {status} sent `{media}`, the document declares {}",
        response["content"]
    );
    if media.ends_with("json") {
        let schema = &declared["schema"];
        assert!(
            schema.is_object(),
            "{method} {template} {status} names no schema"
        );
        let errors = Checker { doc }.errors(schema, &answer.body, "$");
        assert!(
            errors.is_empty(),
            "{method} {template} {status}: the body does not fit its schema:\n{}\n{}",
            errors.join("\n"),
            answer.body
        );
    }
}

async fn document(h: &Host) -> Value {
    let doc = h.call(None, "GET", "/openapi.json", None).await;
    assert_eq!(doc.status, StatusCode::OK);
    doc.body
}

/// Calls `method path` (the template with its ids filled in) and checks the answer.
async fn checked(
    h: &Host,
    doc: &Value,
    who: (&str, Option<&str>),
    method: &str,
    template: &str,
    path: &str,
    body: Option<Value>,
) -> Answer {
    let answer = h.call(Some(who), &method.to_uppercase(), path, body).await;
    conforms(doc, method, template, &answer);
    answer
}

fn upload(ticket: &str) -> Request<Body> {
    let boundary = "XcontractX";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"notes.txt\"\r\nContent-Type: text/plain\r\n\r\nhello\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"body\"\r\n\r\n<p>the log</p>\r\n--{boundary}--\r\n"
    );
    Request::builder()
        .method("POST")
        .uri(format!("/helpdesk/tickets/{ticket}/attachments"))
        .header("x-user", "alice")
        .header("x-tenant", "acme")
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .unwrap()
}

#[tokio::test]
async fn ticket_answers_fit_their_declared_schemas_through_a_whole_workflow() {
    let h = host().await;
    let doc = document(&h).await;
    let opened = checked(
        &h,
        &doc,
        ALICE,
        "post",
        "/tickets",
        "/tickets",
        Some(
            json!({"subject": "Imprimante", "description": "<p>bloquée</p>", "priority": "high",
                    "custom_fields": {"room": "B12"}, "contact_phone": "0102030405"}),
        ),
    )
    .await;
    assert_eq!(opened.status, StatusCode::CREATED, "{}", opened.body);
    let id = opened.body["id"].as_str().unwrap().to_owned();
    let t = |suffix: &str| format!("/tickets/{id}{suffix}");
    let sam = h.actor(SAM).await.as_staff().unwrap().id;

    let steps: Vec<(_, &str, &str, Option<Value>)> = vec![
        (SAM, "post", "/assignment", Some(json!({"assignee": sam}))),
        (
            SAM,
            "post",
            "/notes",
            Some(json!({"body": "<p>driver?</p>"})),
        ),
        (
            SAM,
            "post",
            "/information-request",
            Some(json!({"body": "Quel modèle ?"})),
        ),
        (ALICE, "post", "/replies", Some(json!({"body": "HP 4250"}))),
        (
            SAM,
            "patch",
            "",
            Some(json!({"subject": "Imprimante HP", "asset": null})),
        ),
        (SAM, "post", "/guests", Some(json!({"user": "bob"}))),
        (
            SAM,
            "post",
            "/closure",
            Some(json!({"body": "Bac débloqué"})),
        ),
        (
            ALICE,
            "post",
            "/closure/refusal",
            Some(json!({"body": "Toujours bloquée"})),
        ),
        (
            SAM,
            "post",
            "/closure",
            Some(json!({"body": "Vraiment débloqué"})),
        ),
        (
            ALICE,
            "post",
            "/closure/approval",
            Some(
                json!({"answers": {"overall": 9, "solution": "very_satisfied", "comment": "merci"}}),
            ),
        ),
        (SAM, "post", "/reopening", Some(json!({"reason": "encore"}))),
        (ALICE, "post", "/cancellation", Some(json!({}))),
    ];
    for (who, method, suffix, body) in steps {
        let template = format!("/tickets/{{id}}{suffix}");
        let answer = checked(&h, &doc, who, method, &template, &t(suffix), body).await;
        assert_eq!(
            answer.status,
            StatusCode::OK,
            "{method} {suffix}: {}",
            answer.body
        );
    }
    // A refused transition (a cancelled ticket takes no reply) and a failed If-Match.
    let refused = checked(
        &h,
        &doc,
        ALICE,
        "post",
        "/tickets/{id}/replies",
        &t("/replies"),
        Some(json!({"body": "hello"})),
    )
    .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    let stale = h
        .send(
            Request::builder()
                .method("POST")
                .uri(format!("/helpdesk/tickets/{id}/notes"))
                .header("x-user", "sam")
                .header("content-type", "application/json")
                .header("if-match", "\"1\"")
                .body(Body::from(json!({"body": "late"}).to_string()))
                .unwrap(),
        )
        .await;
    conforms(&doc, "post", "/tickets/{id}/notes", &stale);
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);

    // The view: every event kind seen above, as staff and as the requester.
    for who in [SAM, ALICE] {
        let view = checked(&h, &doc, who, "get", "/tickets/{id}", &t(""), None).await;
        assert_eq!(view.status, StatusCode::OK);
    }
    let missing = checked(
        &h,
        &doc,
        ALICE,
        "get",
        "/tickets/{id}",
        &format!("/tickets/{}", uuid::Uuid::now_v7()),
        None,
    )
    .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);

    let invalid = checked(
        &h,
        &doc,
        ALICE,
        "post",
        "/tickets",
        "/tickets",
        Some(json!({"subject": "", "description": "x"})),
    )
    .await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn uploads_and_lists_fit_their_declared_schemas() {
    let h = host().await;
    let doc = document(&h).await;
    let id = h.open(ALICE, "Imprimante").await;
    h.open(ALICE, "Écran").await;
    let uploaded = h.send(upload(&id)).await;
    conforms(&doc, "post", "/tickets/{id}/attachments", &uploaded);
    assert_eq!(uploaded.status, StatusCode::OK, "{}", uploaded.body);
    let view = checked(
        &h,
        &doc,
        ALICE,
        "get",
        "/tickets/{id}",
        &format!("/tickets/{id}"),
        None,
    )
    .await;
    let attachment = view.body["attachments"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let file = checked(
        &h,
        &doc,
        ALICE,
        "get",
        "/attachments/{id}",
        &format!("/attachments/{attachment}"),
        None,
    )
    .await;
    assert_eq!(file.status, StatusCode::OK);

    for (who, path) in [
        (ALICE, "/tickets"),
        (SAM, "/tickets?limit=1"),
        (SUE, "/dashboard?tenant=acme&months=2"),
        (ALICE, "/dashboard"),
        (ALICE, "/saved-searches"),
        (ALICE, "/kb/articles"),
        (ALICE, "/kb/suggestions?subject=imprimante"),
        (ROOT, "/admin/tenants"),
        (ROOT, "/admin/members?tenant=acme"),
        (ROOT, "/admin/staff"),
        (ROOT, "/admin/groups"),
        (ROOT, "/admin/categories?tenant=acme"),
        (ROOT, "/admin/products?tenant=acme"),
        (ROOT, "/export.csv?tenant=acme"),
    ] {
        let template = path.split('?').next().unwrap();
        let answer = checked(&h, &doc, who, "get", template, path, None).await;
        assert_eq!(answer.status, StatusCode::OK, "{path}: {}", answer.body);
    }
    let bad_limit = checked(&h, &doc, ALICE, "get", "/tickets", "/tickets?limit=0", None).await;
    assert_eq!(bad_limit.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn admin_answers_fit_their_declared_schemas() {
    let h = host().await;
    let doc = document(&h).await;
    let created = checked(
        &h,
        &doc,
        ROOT,
        "post",
        "/admin/tenants",
        "/admin/tenants",
        Some(json!({"slug": "initech", "name": "Initech"})),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let tenant = created.body["id"].as_str().unwrap().to_owned();
    let again = checked(
        &h,
        &doc,
        ROOT,
        "post",
        "/admin/tenants",
        "/admin/tenants",
        Some(json!({"slug": "initech", "name": "Initech"})),
    )
    .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let read = checked(
        &h,
        &doc,
        ROOT,
        "get",
        "/admin/tenants/{id}",
        &format!("/admin/tenants/{tenant}"),
        None,
    )
    .await;
    let mut settings = read.body["settings"].clone();
    settings["closure_mode"] = json!("direct");
    let updated = checked(
        &h,
        &doc,
        ROOT,
        "put",
        "/admin/tenants/{id}",
        &format!("/admin/tenants/{tenant}"),
        Some(json!({"name": "Initech SA", "settings": settings})),
    )
    .await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.body);
    let questionnaire = json!({"questions": [
        {"key": "overall", "label": "Note", "required": true, "kind": {"type": "score", "min": 0, "max": 10}},
        {"key": "speed", "label": "Délai", "required": false, "kind": {"type": "choice", "options": ["good", "bad"]}},
        {"key": "comment", "label": "Commentaire", "required": false, "kind": {"type": "text"}}
    ]});
    let set = checked(
        &h,
        &doc,
        ROOT,
        "put",
        "/admin/tenants/{id}/questionnaire",
        &format!("/admin/tenants/{tenant}/questionnaire"),
        Some(questionnaire),
    )
    .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);

    let member = checked(&h, &doc, ROOT, "post", "/admin/members", "/admin/members?tenant=initech",
        Some(json!({"user": "zoe", "display_name": "Zoé", "email": "zoe@initech.example", "role": "requester"}))).await;
    assert_eq!(member.status, StatusCode::CREATED, "{}", member.body);
    let member_id = member.body["id"].as_str().unwrap().to_owned();
    for (method, suffix, body) in [
        ("post", "/block", None),
        ("post", "/unblock", None),
        ("put", "/role", Some(json!({"role": "tenant_admin"}))),
    ] {
        let answer = checked(
            &h,
            &doc,
            ROOT,
            method,
            &format!("/admin/members/{{id}}{suffix}"),
            &format!("/admin/members/{member_id}{suffix}?tenant=initech"),
            body,
        )
        .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    }
    let group = checked(
        &h,
        &doc,
        ROOT,
        "post",
        "/admin/groups",
        "/admin/groups",
        Some(json!({"name": "Hardware"})),
    )
    .await;
    let group_id = group.body["id"].as_str().unwrap().to_owned();
    checked(
        &h,
        &doc,
        ROOT,
        "patch",
        "/admin/groups/{id}",
        &format!("/admin/groups/{group_id}"),
        Some(json!({"name": "Hard"})),
    )
    .await;
    let staff = checked(&h, &doc, ROOT, "post", "/admin/staff", "/admin/staff",
        Some(json!({"user": "yann", "display_name": "Yann", "role": "agent", "tenants": {"kind": "only", "tenants": [tenant]}, "groups": [group_id]}))).await;
    assert_eq!(staff.status, StatusCode::CREATED, "{}", staff.body);
    let staff_id = staff.body["id"].as_str().unwrap().to_owned();
    let patched = checked(
        &h,
        &doc,
        ROOT,
        "patch",
        "/admin/staff/{id}",
        &format!("/admin/staff/{staff_id}"),
        Some(json!({"tenants": {"kind": "all"}})),
    )
    .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);

    let category = checked(
        &h,
        &doc,
        ROOT,
        "post",
        "/admin/categories",
        "/admin/categories?tenant=initech",
        Some(json!({"name": "Imprimantes", "group": group_id})),
    )
    .await;
    let category_id = category.body["id"].as_str().unwrap().to_owned();
    checked(
        &h,
        &doc,
        ROOT,
        "put",
        "/admin/categories/{id}",
        &format!("/admin/categories/{category_id}?tenant=initech"),
        Some(json!({"name": "Printers", "active": true})),
    )
    .await;
    let product = checked(
        &h,
        &doc,
        ROOT,
        "post",
        "/admin/products",
        "/admin/products?tenant=initech",
        Some(json!({"name": "Laser", "code": "L1"})),
    )
    .await;
    let product_id = product.body["id"].as_str().unwrap().to_owned();
    checked(
        &h,
        &doc,
        ROOT,
        "put",
        "/admin/products/{id}",
        &format!("/admin/products/{product_id}?tenant=initech"),
        Some(json!({"name": "Laser 2"})),
    )
    .await;

    let article = checked(
        &h,
        &doc,
        ROOT,
        "post",
        "/kb/articles",
        "/kb/articles?tenant=initech",
        Some(json!({"title": "Débloquer le bac", "body": "<p>Tirer</p>", "category": category_id})),
    )
    .await;
    assert_eq!(article.status, StatusCode::CREATED, "{}", article.body);
    let article_id = article.body["id"].as_str().unwrap().to_owned();
    checked(
        &h,
        &doc,
        ROOT,
        "put",
        "/kb/articles/{id}",
        &format!("/kb/articles/{article_id}?tenant=initech"),
        Some(json!({"title": "Le bac", "body": "<p>Tirer fort</p>"})),
    )
    .await;

    let saved = checked(&h, &doc, ALICE, "post", "/saved-searches", "/saved-searches",
        Some(json!({"name": "Urgent", "criteria": {"priorities": ["high", "blocking"], "contains": "imprimante"}}))).await;
    assert_eq!(saved.status, StatusCode::CREATED, "{}", saved.body);
    let saved_id = saved.body["id"].as_str().unwrap().to_owned();
    checked(
        &h,
        &doc,
        ALICE,
        "get",
        "/saved-searches",
        "/saved-searches",
        None,
    )
    .await;
    let gone = checked(
        &h,
        &doc,
        ALICE,
        "delete",
        "/saved-searches/{id}",
        &format!("/saved-searches/{saved_id}"),
        None,
    )
    .await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn a_new_ticket_is_located_by_an_absolute_path_under_the_hosts_prefix() {
    let h = host().await;
    let opened = h
        .call(
            Some(ALICE),
            "POST",
            "/tickets",
            Some(json!({"subject": "Printer", "description": "<p>jam</p>"})),
        )
        .await;
    assert_eq!(opened.status, StatusCode::CREATED);
    let location = opened.headers["location"].to_str().unwrap();
    assert_eq!(
        location,
        format!("/helpdesk/tickets/{}", opened.body["id"].as_str().unwrap())
    );
    let read = h
        .call(
            Some(ALICE),
            "GET",
            location.strip_prefix("/helpdesk").unwrap(),
            None,
        )
        .await;
    assert_eq!(read.status, StatusCode::OK);
}

#[tokio::test]
async fn every_operation_declares_its_refusals_headers_and_security() {
    let h = host().await;
    let doc = document(&h).await;
    assert!(doc["components"]["securitySchemes"]["host_session"].is_object());
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let responses = operation["responses"].as_object().unwrap();
            let summary = operation["summary"].as_str().unwrap_or_default();
            assert!(!summary.is_empty(), "{method} {path} has no summary");
            assert!(
                operation["description"]
                    .as_str()
                    .is_some_and(|d| !d.is_empty()),
                "{method} {path} has no description"
            );
            for (status, response) in responses {
                if status.starts_with('2') && status != "204" {
                    assert!(
                        response["content"]
                            .as_object()
                            .is_some_and(|c| c.values().all(|m| m["schema"].is_object())),
                        "{method} {path} {status} names no schema"
                    );
                }
            }
            if path == "/openapi.json" {
                continue;
            }
            assert_eq!(
                operation["security"][0]["host_session"],
                json!([]),
                "{method} {path}"
            );
            for status in ["400", "401", "403", "404", "503"] {
                assert!(
                    responses.contains_key(status),
                    "{method} {path} does not declare {status}"
                );
            }
            let write = method != "get";
            for status in ["408", "413", "429"] {
                assert_eq!(
                    responses.contains_key(status),
                    write,
                    "{method} {path} and {status}"
                );
            }
            let params = operation["parameters"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let if_match = params.iter().any(|p| p["name"] == "If-Match");
            if if_match {
                assert!(
                    responses.contains_key("409") && responses.contains_key("412"),
                    "{method} {path}"
                );
                assert!(
                    !params.iter().any(|p| p["schema"]["type"].is_array()),
                    "{method} {path}: a header typed with null"
                );
            }
            if operation["requestBody"].is_object() {
                assert!(
                    responses.contains_key("415") && responses.contains_key("422"),
                    "{method} {path}"
                );
            }
            for p in params.iter().filter(|p| p["in"] == "path") {
                assert_eq!(p["schema"]["format"], "uuid", "{method} {path}");
            }
        }
    }
    let open = &doc["paths"]["/tickets"]["post"]["responses"]["201"]["headers"];
    assert!(open["Location"].is_object() && open["ETag"].is_object());
    assert!(doc["paths"]["/attachments/{id}"]["get"]["responses"]["200"]["headers"]["Content-Disposition"].is_object());
    assert!(
        doc["paths"]["/tickets"]["post"]["responses"]["429"]["headers"]["Retry-After"].is_object()
    );
    assert!(
        doc["paths"]["/tickets"]["get"]["responses"]["503"]["headers"]["Retry-After"].is_object()
    );
}

#[tokio::test]
async fn an_upload_without_a_multipart_body_is_a_declared_415_problem() {
    let h = host().await;
    let doc = document(&h).await;
    let id = h.open(ALICE, "Printer").await;
    let template = "/tickets/{id}/attachments";
    let path = format!("/tickets/{id}/attachments");
    let as_json = checked(
        &h,
        &doc,
        ALICE,
        "post",
        template,
        &path,
        Some(json!({"body": "hi"})),
    )
    .await;
    assert_eq!(
        as_json.status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "{}",
        as_json.body
    );
    assert_eq!(as_json.body["code"], "unsupported_media_type");
    let empty = checked(&h, &doc, ALICE, "post", template, &path, None).await;
    assert_eq!(empty.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(empty.headers["content-type"], "application/problem+json");
}

#[tokio::test]
async fn unknown_paths_and_methods_under_the_prefix_answer_problem_documents() {
    let h = host().await;
    let unknown = h.call(Some(ALICE), "GET", "/no/such/route", None).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.headers["content-type"], "application/problem+json");
    assert_eq!(unknown.body["code"], "route_not_found");
    let anonymous = h.call(None, "POST", "/tickets/x/y/z", None).await;
    assert_eq!(anonymous.status, StatusCode::NOT_FOUND);
    assert_eq!(anonymous.body["code"], "route_not_found");
    let wrong_method = h.call(Some(ALICE), "DELETE", "/tickets", None).await;
    assert_eq!(wrong_method.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(
        wrong_method.headers["content-type"],
        "application/problem+json"
    );
    assert_eq!(wrong_method.body["code"], "method_not_allowed");
}

#[tokio::test]
async fn a_host_describes_its_own_session_in_the_document() {
    use helpdesk_axum::utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
    let default = document(&host().await).await;
    assert_eq!(
        default["components"]["securitySchemes"]["host_session"]["in"],
        "cookie"
    );
    let store = std::sync::Arc::new(helpdesk_core::memory::MemoryStore::new());
    let h = host_custom(
        store,
        helpdesk_axum::Limits::default(),
        helpdesk_core::AttachmentLimits::default(),
        std::sync::Arc::new(helpdesk_core::memory::MemoryBlobStore::new()),
        |state| {
            state.with_security_scheme(SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ))
        },
    )
    .await;
    let doc = document(&h).await;
    let scheme = &doc["components"]["securitySchemes"]["host_session"];
    assert_eq!(scheme["type"], "http");
    assert_eq!(scheme["scheme"], "bearer");
    assert_eq!(
        doc["paths"]["/tickets"]["post"]["security"][0]["host_session"],
        json!([])
    );
}

#[tokio::test]
async fn what_the_document_forbids_is_refused_not_ignored() {
    let h = host().await;
    let doc = document(&h).await;
    let id = h.open(ALICE, "Printer").await;
    // A typed query parameter sent blank.
    let blank = checked(
        &h,
        &doc,
        ALICE,
        "get",
        "/tickets",
        "/tickets?assignee=",
        None,
    )
    .await;
    assert_eq!(blank.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(blank.body["field"], "assignee");
    let blank_status = checked(&h, &doc, ALICE, "get", "/tickets", "/tickets?status=", None).await;
    assert_eq!(blank_status.status, StatusCode::UNPROCESSABLE_ENTITY);
    // A body, or a nested object, sent as an array.
    let array = checked(
        &h,
        &doc,
        SAM,
        "post",
        "/tickets/{id}/assignment",
        &format!("/tickets/{id}/assignment"),
        Some(json!([null, null])),
    )
    .await;
    assert_eq!(
        array.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        array.body
    );
    let nested = checked(
        &h,
        &doc,
        ALICE,
        "post",
        "/saved-searches",
        "/saved-searches",
        Some(json!({"name": "x", "criteria": [null, null]})),
    )
    .await;
    assert_eq!(
        nested.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        nested.body
    );
    assert_eq!(nested.body["field"], "criteria");
}

#[tokio::test]
async fn if_match_takes_the_etag_or_its_bare_number() {
    let h = host().await;
    let id = h.open(ALICE, "Printer").await;
    let note = |if_match: &'static str| {
        Request::builder()
            .method("POST")
            .uri(format!("/helpdesk/tickets/{id}/notes"))
            .header("x-user", "sam")
            .header("content-type", "application/json")
            .header("if-match", if_match)
            .body(Body::from(json!({"body": "checked"}).to_string()))
            .unwrap()
    };
    assert_eq!(h.send(note("1")).await.status, StatusCode::OK);
    assert_eq!(h.send(note("\"2\"")).await.status, StatusCode::OK);
    assert_eq!(
        h.send(note("\"1\"")).await.status,
        StatusCode::PRECONDITION_FAILED
    );
    assert_eq!(
        h.send(note("99999999999999999999")).await.status,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn a_file_part_without_a_filename_or_an_odd_internal_part_is_refused() {
    let h = host().await;
    let id = h.open(ALICE, "Printer").await;
    let send = |part: &str| {
        let boundary = "XcontractX";
        Request::builder()
            .method("POST")
            .uri(format!("/helpdesk/tickets/{id}/attachments"))
            .header("x-user", "alice")
            .header("x-tenant", "acme")
            .header("content-type", format!("multipart/form-data; boundary={boundary}"))
            .body(Body::from(format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nhello\r\n\
                 --{boundary}\r\n{part}\r\n--{boundary}--\r\n"
            )))
            .unwrap()
    };
    let bare = h
        .send(send(
            "Content-Disposition: form-data; name=\"file\"\r\n\r\n{}",
        ))
        .await;
    assert_eq!(
        bare.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        bare.body
    );
    assert_eq!(bare.body["field"], "file");
    let odd = h
        .send(send(
            "Content-Disposition: form-data; name=\"internal\"\r\n\r\nmaybe",
        ))
        .await;
    assert_eq!(odd.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", odd.body);
    assert_eq!(odd.body["field"], "internal");
    let empty = h
        .send(send(
            "Content-Disposition: form-data; name=\"internal\"\r\n\r\n",
        ))
        .await;
    assert_eq!(empty.status, StatusCode::OK, "{}", empty.body);
}
