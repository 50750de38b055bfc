//! The custom fields section of the settings page: one row per field the new-ticket
//! form asks (key, labels in French and English, required), a blank row to add one, a
//! box to remove one.

use std::collections::BTreeMap;

use helpdesk_core::{CustomFieldDefinition, MAX_CUSTOM_FIELDS};
use maud::{Markup, html};

use super::check_field;
use crate::i18n::{Lang, Msg};
use crate::site::Site;

/// The settings form, as typed: field name to value.
type SettingsForm = BTreeMap<String, String>;

/// The form name of a row's part: `cf_0_key`, `cf_0_fr`, `cf_0_en`, `cf_0_required`,
/// `cf_0_remove`.
fn name(i: usize, part: &str) -> String {
    format!("cf_{i}_{part}")
}

/// The label parts of a row: language tag and its field's words.
const LABELS: [(&str, Msg); 2] = [("fr", Msg::AdmLabelFr), ("en", Msg::AdmLabelEn)];

/// Writes the tenant's definitions into the form.
pub(super) fn fill(form: &mut SettingsForm, definitions: &[CustomFieldDefinition]) {
    for (i, d) in definitions.iter().enumerate() {
        form.insert(name(i, "key"), d.key.clone());
        for (tag, _) in LABELS {
            form.insert(name(i, tag), d.labels.get(tag).cloned().unwrap_or_default());
        }
        if d.required {
            form.insert(name(i, "required"), "1".into());
        }
    }
}

/// How many rows the form holds (at most one more than a tenant may define).
fn rows(form: &SettingsForm) -> usize {
    (0..=MAX_CUSTOM_FIELDS)
        .take_while(|i| form.contains_key(&name(*i, "key")))
        .count()
}

fn get<'a>(form: &'a SettingsForm, i: usize, part: &str) -> &'a str {
    form.get(&name(i, part)).map_or("", String::as_str)
}

fn blank(form: &SettingsForm, i: usize) -> bool {
    ["key", "fr", "en"]
        .iter()
        .all(|part| get(form, i, part).trim().is_empty())
}

/// The definitions the form asks for: rows neither blank nor ticked for removal, each
/// keeping the help text its key had (the pages do not edit help texts).
pub(super) fn definitions_of(
    form: &SettingsForm,
    current: &[CustomFieldDefinition],
) -> Vec<CustomFieldDefinition> {
    (0..rows(form))
        .filter(|i| !blank(form, *i) && get(form, *i, "remove") != "1")
        .map(|i| {
            let key = get(form, i, "key").trim().to_owned();
            let labels = LABELS
                .iter()
                .map(|(tag, _)| ((*tag).to_owned(), get(form, i, tag).trim().to_owned()))
                .filter(|(_, label)| !label.is_empty())
                .collect();
            let help = current
                .iter()
                .find(|d| d.key == key)
                .map(|d| d.help.clone())
                .unwrap_or_default();
            CustomFieldDefinition {
                key,
                labels,
                required: get(form, i, "required") == "1",
                help,
            }
        })
        .collect()
}

/// The section: every row of the form, then a blank one to add a field.
pub(super) fn section(site: &Site, form: &SettingsForm) -> Markup {
    let count = rows(form);
    let add = count == 0 || !blank(form, count - 1);
    let shown = if add { count + 1 } else { count };
    html! {
        fieldset class="hd-admin-custom-fields" {
            legend { (site.t(Msg::AdmCustomFields)) }
            p class="hd-muted" { (site.t(Msg::AdmCustomFieldsHelp)) }
            @for i in 0..shown.min(MAX_CUSTOM_FIELDS + 1) {
                (row(site, form, i, i >= count))
            }
        }
    }
}

/// One row; a new row has no remove box.
fn row(site: &Site, form: &SettingsForm, i: usize, new: bool) -> Markup {
    let id = |part: &str| format!("s-cf{i}-{part}");
    html! {
        fieldset class="hd-admin-question" {
            legend { (site.t(Msg::AdmCustomField)) " " (i + 1) }
            div class="hd-field" {
                label for=(id("key")) { (site.t(Msg::AdmFieldKey)) }
                input id=(id("key")) type="text" name=(name(i, "key")) value=(get(form, i, "key"))
                    maxlength="64" pattern="[a-z0-9][a-z0-9_\\-]*" autocomplete="off";
            }
            @for (tag, words) in LABELS {
                div class="hd-field" {
                    label for=(id(tag)) { (site.t(words)) }
                    input id=(id(tag)) type="text" name=(name(i, tag)) value=(get(form, i, tag))
                        maxlength="100" lang=(tag);
                }
            }
            (check_field(site, &id("required"), &name(i, "required"), Msg::AdmFieldRequired, get(form, i, "required") == "1"))
            @if !new {
                (check_field(site, &id("remove"), &name(i, "remove"), Msg::AdmRemoveField, get(form, i, "remove") == "1"))
            }
        }
    }
}

/// The name of a custom field part the core refuses (`custom_fields[0].labels.fr`).
pub(super) fn field_name(lang: Lang, field: &str) -> Option<String> {
    if field == "custom_fields" {
        return Some(lang.t(Msg::AdmCustomFields).to_owned());
    }
    let rest = field.strip_prefix("custom_fields[")?;
    let (index, part) = rest.split_once(']')?;
    let index = index.parse::<usize>().ok()?;
    let row = format!("{} {}", lang.t(Msg::AdmCustomField), index + 1);
    let part = match part {
        ".key" => Some(Msg::AdmFieldKey),
        ".labels.fr" => Some(Msg::AdmLabelFr),
        ".labels.en" => Some(Msg::AdmLabelEn),
        _ => None,
    };
    Some(match part {
        Some(msg) => format!("{row} — {}", lang.t(msg)),
        None => row,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> SettingsForm {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn rows_become_definitions_skipping_blank_and_removed_ones_and_keeping_help() {
        let current = vec![CustomFieldDefinition {
            key: "room".into(),
            labels: BTreeMap::new(),
            required: false,
            help: BTreeMap::from([("fr".into(), "Ex. B12".into())]),
        }];
        let typed = form(&[
            ("cf_0_key", " room "),
            ("cf_0_fr", "Salle"),
            ("cf_0_en", ""),
            ("cf_1_key", "school"),
            ("cf_1_fr", "Établissement"),
            ("cf_1_en", "School"),
            ("cf_1_required", "1"),
            ("cf_1_remove", "1"),
            ("cf_2_key", ""),
            ("cf_2_fr", " "),
            ("cf_2_en", ""),
        ]);
        let defs = definitions_of(&typed, &current);
        assert_eq!(defs.len(), 1);
        assert_eq!(defs[0].key, "room");
        assert_eq!(
            defs[0].labels,
            BTreeMap::from([("fr".into(), "Salle".into())])
        );
        assert!(!defs[0].required);
        assert_eq!(defs[0].help, current[0].help);
        let mut back = SettingsForm::new();
        fill(&mut back, &defs);
        assert_eq!(definitions_of(&back, &defs), defs);
    }

    #[test]
    fn refused_parts_are_named_in_the_readers_language() {
        assert_eq!(
            field_name(Lang::En, "custom_fields[1].labels.en").as_deref(),
            Some("Field 2 — Label in English")
        );
        assert_eq!(
            field_name(Lang::Fr, "custom_fields[0]").as_deref(),
            Some("Champ 1")
        );
        assert_eq!(field_name(Lang::Fr, "subject"), None);
    }
}
