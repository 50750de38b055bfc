//! The custom fields the tenant asks on the form: one labelled input each, kept on a
//! refused form, required ones checked before the core checks them again.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use helpdesk_core::{MAX_CUSTOM_FIELDS, Tenant, ValidationError};
use maud::{Markup, html};

use super::{Draft, Problem};
use crate::custom_fields::{input_id, input_name, key_of, label, refusal};
use crate::i18n::Msg;
use crate::site::{Site, Viewer};

/// The longest value of a custom field, as the core allows it.
const MAX_VALUE_CHARS: usize = 1000;

/// Keeps the value of the form part `name` when it is a custom field; false otherwise.
pub(super) fn set(values: &mut BTreeMap<String, String>, name: &str, value: String) -> bool {
    let Some(key) = key_of(name) else {
        return false;
    };
    if values.len() < MAX_CUSTOM_FIELDS || values.contains_key(key) {
        values.insert(key.to_owned(), value);
    }
    true
}

/// The values to open the ticket with: those typed, trimmed; blank ones left out.
pub(super) fn values(draft: &Draft) -> BTreeMap<String, String> {
    draft
        .custom_fields
        .iter()
        .map(|(k, v)| (k.clone(), v.trim().to_owned()))
        .filter(|(_, v)| !v.is_empty())
        .collect()
}

/// The first required field left blank, as the form's problem.
pub(super) fn missing(viewer: &Viewer, draft: &Draft) -> Option<Problem> {
    let settings = &viewer.tenant.as_ref()?.settings;
    let blank = settings.custom_fields.iter().find(|d| {
        d.required
            && draft
                .custom_fields
                .get(&d.key)
                .is_none_or(|v| v.trim().is_empty())
    })?;
    Some(refused(
        viewer,
        &ValidationError::required(input_name(&blank.key)),
    ))
}

/// The core's refusal of a custom field as the form's problem; none for another field.
pub(super) fn refused_by_core(viewer: &Viewer, error: &ValidationError) -> Option<Problem> {
    key_of(&error.field).map(|_| refused(viewer, error))
}

fn refused(viewer: &Viewer, error: &ValidationError) -> Problem {
    let settings = viewer.tenant.as_ref().map(|t| &t.settings);
    Problem {
        detail: refusal(settings, viewer.site.lang, error),
        custom_field: key_of(&error.field).map(str::to_owned),
        ..Problem::new(StatusCode::UNPROCESSABLE_ENTITY, Msg::InvalidInput)
    }
}

/// The id of the input of the custom field `key`.
pub(super) fn control_id(key: &str) -> String {
    input_id("nt", key)
}

/// The label of the custom field `key` in the page's language.
pub(super) fn field_label<'a>(site: &Site, tenant: Option<&'a Tenant>, key: &'a str) -> &'a str {
    label(tenant.map(|t| &t.settings), site.lang, key)
}

/// One labelled input per field the tenant defines, in its order.
pub(super) fn inputs(
    site: &Site,
    tenant: &Tenant,
    draft: &Draft,
    problem: Option<&Problem>,
) -> Markup {
    let settings = &tenant.settings;
    let lang = site.lang.tag();
    html! {
        @for d in &settings.custom_fields {
            @let id = control_id(&d.key);
            @let hint = d.help(lang, &settings.default_language);
            @let hint_id = format!("{id}-hint");
            @let concerned = problem.is_some_and(|p| p.custom_field.as_deref() == Some(d.key.as_str()));
            @let described: Vec<&str> = concerned.then_some(super::form::PROBLEM_ID).into_iter()
                .chain(hint.map(|_| hint_id.as_str())).collect();
            div class="hd-field" {
                label for=(id) { (d.label(lang, &settings.default_language)) }
                @if let Some(hint) = hint {
                    span id=(hint_id) class="hd-hint" { (hint) }
                }
                input type="text" id=(id) name=(input_name(&d.key))
                    value=(draft.custom_fields.get(&d.key).map_or("", String::as_str))
                    required[d.required] maxlength=(MAX_VALUE_CHARS)
                    aria-invalid=[concerned.then_some("true")]
                    aria-describedby=[(!described.is_empty()).then(|| described.join(" "))];
            }
        }
    }
}
