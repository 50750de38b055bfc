//! The build script's down-conversion of the 3.1 document to 3.0 and its fitting to
//! progenitor (`build/adapt.rs`, included here as the build script includes it).
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

#[path = "../build/adapt.rs"]
mod adapt;

use serde_json::{Value, json};

fn document(schemas: Value) -> Value {
    json!({
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1", "license": {"name": "MIT", "identifier": "MIT"}},
        "paths": {},
        "components": {"schemas": schemas}
    })
}

fn downgraded(schemas: Value) -> Value {
    let mut doc = document(schemas);
    adapt::downgrade(&mut doc).unwrap();
    doc
}

#[test]
fn the_version_and_the_license_become_3_0() {
    let doc = downgraded(json!({}));
    assert_eq!(doc["openapi"], "3.0.3");
    assert_eq!(doc["info"]["license"], json!({"name": "MIT"}));
}

#[test]
fn a_type_with_null_becomes_nullable() {
    let doc = downgraded(json!({
        "A": {"type": "object", "properties": {
            "phone": {"type": ["string", "null"], "maxLength": 40},
            "tags": {"type": ["array", "null"], "items": {"type": ["integer", "null"]}}
        }}
    }));
    let properties = &doc["components"]["schemas"]["A"]["properties"];
    assert_eq!(
        properties["phone"],
        json!({"type": "string", "nullable": true, "maxLength": 40})
    );
    assert_eq!(
        properties["tags"],
        json!({"type": "array", "nullable": true, "items": {"type": "integer", "nullable": true}})
    );
}

#[test]
fn a_reference_or_null_becomes_a_nullable_all_of() {
    let doc = downgraded(json!({
        "A": {"type": "object", "properties": {
            "group": {"default": null, "oneOf": [
                {"$ref": "#/components/schemas/G", "description": "The group."},
                {"type": "null"}
            ]}
        }},
        "G": {"type": "string", "format": "uuid"}
    }));
    assert_eq!(
        doc["components"]["schemas"]["A"]["properties"]["group"],
        json!({
            "default": null,
            "nullable": true,
            "allOf": [{"$ref": "#/components/schemas/G"}],
            "description": "The group."
        })
    );
}

#[test]
fn an_inline_schema_or_null_becomes_that_schema_nullable() {
    let doc = downgraded(json!({
        "A": {"description": "outer", "anyOf": [{"type": "string", "description": "inner"}, {"type": "null"}]}
    }));
    assert_eq!(
        doc["components"]["schemas"]["A"],
        json!({"description": "outer", "type": "string", "nullable": true})
    );
}

#[test]
fn siblings_of_a_reference_move_beside_an_all_of() {
    let doc = downgraded(json!({
        "A": {"type": "object", "properties": {
            "id": {"$ref": "#/components/schemas/Id", "description": "Its id."},
            "bare": {"$ref": "#/components/schemas/Id"}
        }}
    }));
    let properties = &doc["components"]["schemas"]["A"]["properties"];
    assert_eq!(
        properties["id"],
        json!({"allOf": [{"$ref": "#/components/schemas/Id"}], "description": "Its id."})
    );
    assert_eq!(
        properties["bare"],
        json!({"$ref": "#/components/schemas/Id"})
    );
}

#[test]
fn json_schema_keywords_take_their_3_0_forms() {
    let doc = downgraded(json!({
        "M": {"type": "object", "propertyNames": {"enum": ["a"]}, "additionalProperties": {"type": "string"}},
        "C": {"const": "x", "examples": ["x", "y"]},
        "N": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1}
    }));
    let schemas = &doc["components"]["schemas"];
    assert_eq!(
        schemas["M"],
        json!({"type": "object", "additionalProperties": {"type": "string"}})
    );
    assert_eq!(schemas["C"], json!({"enum": ["x"], "example": "x"}));
    assert_eq!(
        schemas["N"],
        json!({"type": "number", "minimum": 0, "exclusiveMinimum": true, "maximum": 1, "exclusiveMaximum": true})
    );
}

#[test]
fn schemas_behind_parameters_and_media_types_are_converted_and_examples_left_alone() {
    let mut doc = json!({
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {"/x": {"get": {
            "parameters": [{"name": "q", "in": "query", "schema": {"type": ["string", "null"]}}],
            "responses": {"200": {"description": "ok", "content": {"application/json": {
                "schema": {"type": ["boolean", "null"]},
                "example": {"type": ["kept", "null"]}
            }}}}
        }}}
    });
    adapt::downgrade(&mut doc).unwrap();
    let get = &doc["paths"]["/x"]["get"];
    assert_eq!(
        get["parameters"][0]["schema"],
        json!({"type": "string", "nullable": true})
    );
    let media = &get["responses"]["200"]["content"]["application/json"];
    assert_eq!(
        media["schema"],
        json!({"type": "boolean", "nullable": true})
    );
    assert_eq!(media["example"], json!({"type": ["kept", "null"]}));
}

#[test]
fn what_has_no_3_0_form_is_refused_with_its_place() {
    for (schema, place) in [
        (
            json!({"type": ["string", "integer"]}),
            "/components/schemas/S/type",
        ),
        (
            json!({"prefixItems": [{"type": "string"}]}),
            "/components/schemas/S/prefixItems",
        ),
        (
            json!({"type": "object", "properties": {"a~b/c": {"type": "null"}}}),
            "/components/schemas/S/properties/a~0b~1c/type",
        ),
        (json!(false), "/components/schemas/S"),
    ] {
        let mut doc = document(json!({ "S": schema }));
        let error = adapt::downgrade(&mut doc).unwrap_err();
        assert!(
            error.starts_with(place),
            "{error} does not start with {place}"
        );
    }
    let mut old = json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}});
    assert!(adapt::downgrade(&mut old).unwrap_err().contains("3.0.3"));
}

#[test]
fn progenitor_gets_problems_as_json_and_no_multipart_operation() {
    let problem = json!({"description": "refused", "content": {
        "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
    }});
    let mut doc = json!({"paths": {
        "/tickets/{id}/attachments": {"post": {
            "operationId": "upload",
            "requestBody": {"content": {"multipart/form-data": {"schema": {"type": "object"}}}},
            "responses": {"404": problem.clone()}
        }},
        "/tickets": {
            "post": {
                "operationId": "open",
                "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
                "responses": {"201": {"description": "opened"}, "422": problem}
            }
        }
    }});
    assert_eq!(adapt::fit_progenitor(&mut doc), ["upload"]);
    assert_eq!(doc["paths"].as_object().unwrap().len(), 1);
    assert_eq!(
        doc["paths"]["/tickets"]["post"]["responses"]["422"]["content"],
        json!({"application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}})
    );
}

#[test]
fn the_committed_document_converts() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../helpdesk-axum/openapi.json"
    ))
    .unwrap();
    let mut doc: Value = serde_json::from_str(&text).unwrap();
    adapt::downgrade(&mut doc).unwrap();
    assert_eq!(adapt::fit_progenitor(&mut doc), ["upload"]);
    // Nothing of 3.1's null forms is left.
    assert!(!doc.to_string().contains(r#""null""#));
    assert!(!doc.to_string().contains("propertyNames"));
}
