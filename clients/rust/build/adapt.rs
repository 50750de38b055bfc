//! What the build script does to the helpdesk's OpenAPI 3.1 document before progenitor
//! reads it. Two steps, both on a copy: the committed document is not changed.
//!
//! [`downgrade`] converts it to OpenAPI 3.0.3, the version progenitor reads (through the
//! `openapiv3` crate). It converts what the document uses, and refuses the 3.1
//! constructs it does not know how to convert, so a new one fails the build instead of
//! yielding a wrong client:
//! - `openapi: 3.1.x` becomes `3.0.3`; `info.license.identifier` and `info.summary`, which
//!   3.0 lacks, are dropped;
//! - `type: [T, "null"]` becomes `type: T` with `nullable: true`;
//! - a `oneOf`/`anyOf` with a `{"type": "null"}` member loses that member and becomes
//!   `nullable: true`; a single remaining `$ref` is kept as `allOf: [{"$ref": ...}]`,
//!   3.0's way of giving a reference a `nullable` and a description;
//! - a `$ref` with sibling keywords (3.1 reads them, 3.0 ignores them) becomes
//!   `allOf: [{"$ref": ...}]` with those siblings beside it, so descriptions survive;
//! - `const: v` becomes `enum: [v]`, `examples: [v, ...]` becomes `example: v`, and a
//!   numeric `exclusiveMinimum`/`exclusiveMaximum` becomes the bound with the boolean;
//! - `propertyNames` is dropped: 3.0 cannot restrict the keys of a map (the map's keys
//!   are then any string to the client).
//!
//! [`fit_progenitor`] works around two limits of progenitor itself, not of 3.0:
//! - it types only `application/json` answers, so the refusals' RFC 9457
//!   `application/problem+json` is declared as `application/json` (the body is the
//!   same JSON; the client parses it whatever the `Content-Type`), and refusals come
//!   back typed as `Problem`;
//! - it cannot send `multipart/form-data`, so operations whose body is only that (the
//!   attachment upload) are left out; it returns their `operationId`s.
//!
//! Kept dependency-free but for `serde_json`, so a test includes this file as it is.

use serde_json::{Map, Value, json};

/// Schema keywords of 3.1 (JSON Schema 2020-12) that have no 3.0 form here.
const UNCONVERTIBLE: [&str; 12] = [
    "prefixItems",
    "$defs",
    "if",
    "then",
    "else",
    "dependentRequired",
    "dependentSchemas",
    "unevaluatedProperties",
    "unevaluatedItems",
    "patternProperties",
    "contentMediaType",
    "contentEncoding",
];

/// Rewrites a 3.1 document in place as a 3.0.3 one; `Err` names the first construct at
/// its JSON pointer that it cannot convert.
pub(crate) fn downgrade(doc: &mut Value) -> Result<(), String> {
    let Some(root) = doc.as_object_mut() else {
        return Err("the document is not a JSON object".to_owned());
    };
    match root.get("openapi").and_then(Value::as_str) {
        Some(v) if v.starts_with("3.1.") => {}
        other => return Err(format!("expected an OpenAPI 3.1 document, not {other:?}")),
    }
    for key in ["webhooks", "jsonSchemaDialect"] {
        if root.contains_key(key) {
            return Err(format!("/{key}: no OpenAPI 3.0 form"));
        }
    }
    root.insert("openapi".to_owned(), json!("3.0.3"));
    if let Some(info) = root.get_mut("info").and_then(Value::as_object_mut) {
        info.remove("summary");
        if let Some(license) = info.get_mut("license").and_then(Value::as_object_mut) {
            license.remove("identifier");
        }
    }
    walk_document(doc, "")
}

/// Finds the schemas of the document: under `components/schemas` and behind every
/// `schema` key (parameters, media types, headers). Examples are left as they are.
fn walk_document(value: &mut Value, at: &str) -> Result<(), String> {
    match value {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                let here = format!("{at}/{}", escape(key));
                match key.as_str() {
                    "example" | "examples" => {}
                    "schema" => schema(child, &here)?,
                    "schemas" if at == "/components" => {
                        if let Value::Object(schemas) = child {
                            for (name, s) in schemas.iter_mut() {
                                schema(s, &format!("{here}/{}", escape(name)))?;
                            }
                        }
                    }
                    _ => walk_document(child, &here)?,
                }
            }
            Ok(())
        }
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                walk_document(item, &format!("{at}/{i}"))?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Converts one schema and the schemas inside it.
fn schema(value: &mut Value, at: &str) -> Result<(), String> {
    let map = match value {
        Value::Bool(true) => {
            *value = json!({});
            return Ok(());
        }
        Value::Object(map) => map,
        other => return Err(format!("{at}: {other} is not a schema 3.0 can express")),
    };
    if let Some(keyword) = UNCONVERTIBLE.iter().find(|k| map.contains_key(**k)) {
        return Err(format!("{at}/{keyword}: no OpenAPI 3.0 form"));
    }
    // Folded first: the remaining member's own schemas are then converted with the rest.
    null_member(map, at)?;
    for (key, child) in map.iter_mut() {
        let here = format!("{at}/{key}");
        match key.as_str() {
            "properties" => {
                if let Value::Object(properties) = child {
                    for (name, s) in properties.iter_mut() {
                        schema(s, &format!("{here}/{}", escape(name)))?;
                    }
                }
            }
            "additionalProperties" if child.is_object() => schema(child, &here)?,
            "items" | "not" => schema(child, &here)?,
            "allOf" | "oneOf" | "anyOf" => {
                if let Value::Array(members) = child {
                    for (i, s) in members.iter_mut().enumerate() {
                        schema(s, &format!("{here}/{i}"))?;
                    }
                }
            }
            _ => {}
        }
    }
    map.remove("propertyNames");
    type_array(map, at)?;
    keywords(map);
    ref_siblings(map);
    Ok(())
}

/// `type: [T, "null"]` → `type: T, nullable: true`.
fn type_array(map: &mut Map<String, Value>, at: &str) -> Result<(), String> {
    let Some(Value::Array(types)) = map.get("type") else {
        if map.get("type").and_then(Value::as_str) == Some("null") {
            return Err(format!(
                "{at}/type: a lone \"null\" type has no OpenAPI 3.0 form"
            ));
        }
        return Ok(());
    };
    let nullable = types.iter().any(|t| t == "null");
    let others: Vec<Value> = types.iter().filter(|t| *t != "null").cloned().collect();
    let [only] = others.as_slice() else {
        return Err(format!(
            "{at}/type: {types:?} names several types, which OpenAPI 3.0 cannot"
        ));
    };
    let only = only.clone();
    map.insert("type".to_owned(), only);
    if nullable {
        map.insert("nullable".to_owned(), json!(true));
    }
    Ok(())
}

/// A `oneOf`/`anyOf` with a `{"type": "null"}` member → the other members, `nullable`.
fn null_member(map: &mut Map<String, Value>, at: &str) -> Result<(), String> {
    for combinator in ["oneOf", "anyOf"] {
        let Some(Value::Array(members)) = map.get_mut(combinator) else {
            continue;
        };
        let before = members.len();
        members.retain(|m| *m != json!({"type": "null"}));
        if members.len() == before {
            continue;
        }
        map.insert("nullable".to_owned(), json!(true));
        let Some(Value::Array(members)) = map.remove(combinator) else {
            continue;
        };
        match <[Value; 1]>::try_from(members) {
            // One schema left: it is the schema, made nullable. A reference goes under
            // `allOf`, since 3.0 ignores the keywords beside a `$ref`.
            Ok([Value::Object(mut only)]) => {
                if only.contains_key("$ref") {
                    let reference = only.remove("$ref").unwrap_or_default();
                    map.insert("allOf".to_owned(), json!([{ "$ref": reference }]));
                }
                for (key, value) in only {
                    if key == "nullable" {
                        continue;
                    }
                    if map.contains_key(&key) && key != "description" {
                        return Err(format!("{at}/{combinator}: {key} both beside and inside"));
                    }
                    // The outer description (the property's) wins over the member's.
                    map.entry(key).or_insert(value);
                }
            }
            Ok([other]) => {
                return Err(format!("{at}/{combinator}: {other} is not a schema object"));
            }
            Err(members) => {
                map.insert(combinator.to_owned(), Value::Array(members));
            }
        }
    }
    Ok(())
}

/// `const`, `examples` and the numeric exclusive bounds in their 3.0 forms.
fn keywords(map: &mut Map<String, Value>) {
    if let Some(value) = map.remove("const") {
        map.insert("enum".to_owned(), json!([value]));
    }
    if let Some(Value::Array(examples)) = map.remove("examples")
        && let Some(first) = examples.into_iter().next()
    {
        map.insert("example".to_owned(), first);
    }
    for (exclusive, bound) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        if let Some(limit) = map.get(exclusive).filter(|v| v.is_number()).cloned() {
            map.insert(bound.to_owned(), limit);
            map.insert(exclusive.to_owned(), json!(true));
        }
    }
}

/// A `$ref` with keywords beside it → `allOf: [{"$ref": ...}]` with them.
fn ref_siblings(map: &mut Map<String, Value>) {
    if map.len() > 1
        && let Some(reference) = map.remove("$ref")
    {
        map.insert("allOf".to_owned(), json!([{ "$ref": reference }]));
    }
}

/// Fits a 3.0 document to what progenitor generates (see the module's documentation):
/// problem documents as JSON, operations with only a `multipart/form-data` body left
/// out; returns the `operationId`s of the operations left out.
pub(crate) fn fit_progenitor(doc: &mut Value) -> Vec<String> {
    let mut left_out = Vec::new();
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return left_out;
    };
    for item in paths.values_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        item.retain(|_, operation| {
            let multipart_only = operation
                .pointer("/requestBody/content")
                .and_then(Value::as_object)
                .is_some_and(|content| content.keys().all(|k| k == "multipart/form-data"));
            if multipart_only {
                let id = operation.get("operationId").and_then(Value::as_str);
                left_out.push(id.unwrap_or("(no operationId)").to_owned());
            }
            !multipart_only
        });
        for operation in item.values_mut() {
            let Some(responses) = operation
                .get_mut("responses")
                .and_then(Value::as_object_mut)
            else {
                continue;
            };
            for response in responses.values_mut() {
                let Some(content) = response.get_mut("content").and_then(Value::as_object_mut)
                else {
                    continue;
                };
                if !content.contains_key("application/json")
                    && let Some(problem) = content.remove("application/problem+json")
                {
                    content.insert("application/json".to_owned(), problem);
                }
            }
        }
    }
    paths.retain(|_, item| item.as_object().is_none_or(|o| !o.is_empty()));
    left_out
}

/// A key as a JSON pointer segment.
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}
