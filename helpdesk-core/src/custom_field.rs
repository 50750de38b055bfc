//! Custom fields [champs personnalisés] a tenant defines: which extra questions its
//! new-ticket form asks, how they are labelled per language, and which are required.
//!
//! A ticket's values stay a free map ([`crate::Ticket::custom_fields`]): a key a tenant
//! has not defined is still accepted, so API hosts may file their own keys. Only the
//! defined keys are asked by the pages, and only the defined *required* keys are
//! enforced, on opening (by anyone: requesters and staff opening on behalf use the same
//! form) and when an edit would empty them.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::error::{ReasonCode, ValidationError};
use crate::tenant::SUPPORTED_LANGUAGES;
use crate::text::single_line;
use crate::ticket::MAX_CUSTOM_FIELDS;

/// The longest custom field key, in characters.
pub const MAX_CUSTOM_FIELD_KEY_CHARS: usize = 64;

/// The longest custom field label, in characters.
pub const MAX_CUSTOM_FIELD_LABEL_CHARS: usize = 100;

/// The longest custom field help text, in characters.
pub const MAX_CUSTOM_FIELD_HELP_CHARS: usize = 300;

/// One custom field a tenant asks on its new-ticket form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomFieldDefinition {
    /// The key the values are filed under in a ticket's `custom_fields`: 1 to 64
    /// lower-case letters, digits, `_` and `-`, starting with a letter or digit; unique
    /// within the tenant.
    pub key: String,
    /// The label per language tag (`fr`, `en`): at least one, one line each.
    pub labels: BTreeMap<String, String>,
    /// Whether a ticket must be opened with a value for this field.
    #[serde(default)]
    pub required: bool,
    /// An optional hint shown under the field, per language tag.
    #[serde(default)]
    pub help: BTreeMap<String, String>,
}

impl CustomFieldDefinition {
    /// The label in `language`, else in `default_language`, else the first label, else
    /// the key.
    pub fn label<'a>(&'a self, language: &str, default_language: &str) -> &'a str {
        translated(&self.labels, language, default_language).unwrap_or(&self.key)
    }

    /// The help text in `language`, else in `default_language`, else any; `None` when
    /// the field has none.
    pub fn help<'a>(&'a self, language: &str, default_language: &str) -> Option<&'a str> {
        translated(&self.help, language, default_language)
    }

    /// Checks one definition, naming fields under `field` (`custom_fields[0]`).
    fn check(&self, field: &str) -> Result<(), ValidationError> {
        check_key(&format!("{field}.key"), &self.key)?;
        if self.labels.is_empty() {
            return Err(ValidationError::coded(
                format!("{field}.labels"),
                ReasonCode::Required,
                "give at least one label",
            ));
        }
        for (kind, texts, max) in [
            ("labels", &self.labels, MAX_CUSTOM_FIELD_LABEL_CHARS),
            ("help", &self.help, MAX_CUSTOM_FIELD_HELP_CHARS),
        ] {
            for (lang, text) in texts {
                let at = format!("{field}.{kind}.{lang}");
                if !SUPPORTED_LANGUAGES.contains(&lang.as_str()) {
                    return Err(ValidationError::coded(
                        at,
                        ReasonCode::UnknownValue,
                        format!("use one of {}", SUPPORTED_LANGUAGES.join(", ")),
                    ));
                }
                if single_line(&at, text, max)? != *text {
                    return Err(ValidationError::coded(
                        at,
                        ReasonCode::InvalidFormat,
                        "must not start or end with spaces",
                    ));
                }
            }
        }
        Ok(())
    }
}

fn translated<'a>(
    texts: &'a BTreeMap<String, String>,
    language: &str,
    default_language: &str,
) -> Option<&'a str> {
    texts
        .get(language)
        .or_else(|| texts.get(default_language))
        .or_else(|| texts.values().next())
        .map(String::as_str)
}

/// Checks a custom field key: 1 to 64 lower-case letters, digits, `_` and `-`,
/// starting with a letter or digit.
pub(crate) fn check_key(field: &str, key: &str) -> Result<(), ValidationError> {
    let ok = key.chars().count() <= MAX_CUSTOM_FIELD_KEY_CHARS
        && key
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
    if ok {
        Ok(())
    } else {
        Err(ValidationError::coded(
            field,
            ReasonCode::InvalidFormat,
            "use 1 to 64 lower-case letters, digits, `_` and `-`",
        ))
    }
}

/// Checks a tenant's definitions: at most [`MAX_CUSTOM_FIELDS`], each valid, keys
/// unique.
pub(crate) fn check_definitions(
    definitions: &[CustomFieldDefinition],
) -> Result<(), ValidationError> {
    if definitions.len() > MAX_CUSTOM_FIELDS {
        return Err(ValidationError::coded(
            "custom_fields",
            ReasonCode::OutOfRange {
                min: 0,
                max: MAX_CUSTOM_FIELDS as i64,
            },
            format!("at most {MAX_CUSTOM_FIELDS} custom fields"),
        ));
    }
    let mut keys = BTreeSet::new();
    for (i, definition) in definitions.iter().enumerate() {
        let field = format!("custom_fields[{i}]");
        definition.check(&field)?;
        if !keys.insert(definition.key.as_str()) {
            return Err(ValidationError::coded(
                format!("{field}.key"),
                ReasonCode::Duplicate,
                format!("the key `{}` is already defined", definition.key),
            ));
        }
    }
    Ok(())
}

/// Refuses `values` missing a required defined field (or holding it blank), naming
/// `custom_fields.<key>`. Undefined keys are left alone.
pub(crate) fn check_required(
    definitions: &[CustomFieldDefinition],
    values: &BTreeMap<String, String>,
) -> Result<(), ValidationError> {
    for definition in definitions.iter().filter(|d| d.required) {
        let filled = values
            .get(&definition.key)
            .is_some_and(|v| !v.trim().is_empty());
        if !filled {
            return Err(ValidationError::required(format!(
                "custom_fields.{}",
                definition.key
            )));
        }
    }
    Ok(())
}

/// Whether `key` names a required field among `definitions`.
pub(crate) fn is_required(definitions: &[CustomFieldDefinition], key: &str) -> bool {
    definitions.iter().any(|d| d.required && d.key == key)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn field(key: &str, required: bool) -> CustomFieldDefinition {
        CustomFieldDefinition {
            key: key.to_owned(),
            labels: BTreeMap::from([
                ("fr".to_owned(), "Établissement".to_owned()),
                ("en".to_owned(), "School".to_owned()),
            ]),
            required,
            help: BTreeMap::new(),
        }
    }

    fn refused(definitions: &[CustomFieldDefinition]) -> Option<(String, &'static str)> {
        check_definitions(definitions)
            .err()
            .map(|e| (e.field, e.code.as_str()))
    }

    #[test]
    fn labels_follow_the_viewer_then_the_tenant_language() {
        let mut f = field("school", true);
        assert_eq!(f.label("en", "fr"), "School");
        assert_eq!(f.label("de", "fr"), "Établissement");
        f.labels.remove("fr");
        assert_eq!(f.label("de", "fr"), "School");
        f.labels.clear();
        assert_eq!(f.label("fr", "fr"), "school");
        assert_eq!(f.help("fr", "fr"), None);
        f.help.insert("en".into(), "As on your badge".into());
        assert_eq!(f.help("fr", "fr"), Some("As on your badge"));
    }

    #[test]
    fn definitions_are_checked() {
        assert_eq!(
            check_definitions(&[field("school", true), field("room", false)]),
            Ok(())
        );
        assert_eq!(
            refused(&[field("room", false), field("room", true)]),
            Some(("custom_fields[1].key".into(), "duplicate"))
        );
        for bad in ["", "Room", "-room", "salle poste", "é", &"x".repeat(65)] {
            assert_eq!(
                refused(&[field(bad, false)]),
                Some(("custom_fields[0].key".into(), "invalid_format")),
                "{bad:?}"
            );
        }
        let mut f = field("room", false);
        f.labels.clear();
        assert_eq!(
            refused(&[f.clone()]),
            Some(("custom_fields[0].labels".into(), "required"))
        );
        f.labels.insert("de".into(), "Raum".into());
        assert_eq!(
            refused(&[f.clone()]),
            Some(("custom_fields[0].labels.de".into(), "unknown_value"))
        );
        f.labels = BTreeMap::from([("fr".into(), "  ".into())]);
        assert_eq!(
            refused(&[f.clone()]),
            Some(("custom_fields[0].labels.fr".into(), "required"))
        );
        f.labels = BTreeMap::from([("fr".into(), "Salle\nposte".into())]);
        assert_eq!(
            refused(&[f.clone()]),
            Some(("custom_fields[0].labels.fr".into(), "control_characters"))
        );
        f.labels = BTreeMap::from([("fr".into(), "Salle".into())]);
        f.help = BTreeMap::from([("en".into(), "x".repeat(301))]);
        assert_eq!(
            refused(&[f]),
            Some(("custom_fields[0].help.en".into(), "too_long"))
        );
        let many: Vec<_> = (0..=MAX_CUSTOM_FIELDS)
            .map(|i| field(&format!("f{i}"), false))
            .collect();
        assert_eq!(
            refused(&many),
            Some(("custom_fields".into(), "out_of_range"))
        );
        assert_eq!(check_definitions(&many[..MAX_CUSTOM_FIELDS]), Ok(()));
    }

    #[test]
    fn required_fields_must_be_filled_and_free_keys_pass() {
        let defs = [field("school", true), field("room", false)];
        let values = |pairs: &[(&str, &str)]| {
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect::<BTreeMap<_, _>>()
        };
        assert_eq!(
            check_required(&defs, &values(&[("school", "Lycée Curie"), ("free", "x")])),
            Ok(())
        );
        for missing in [
            values(&[]),
            values(&[("school", " \t")]),
            values(&[("room", "B12")]),
        ] {
            let Err(e) = check_required(&defs, &missing) else {
                panic!("{missing:?} accepted");
            };
            assert_eq!(
                (e.field.as_str(), e.code.as_str()),
                ("custom_fields.school", "required")
            );
        }
        assert!(is_required(&defs, "school"));
        assert!(!is_required(&defs, "room"));
        assert!(!is_required(&defs, "free"));
    }

    proptest! {
        #[test]
        fn a_valid_key_is_exactly_a_slug(key in "\\PC{0,70}") {
            let slug = !key.is_empty()
                && key.chars().count() <= 64
                && key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
                && !key.starts_with(['_', '-']);
            prop_assert_eq!(check_key("key", &key).is_ok(), slug);
        }

        #[test]
        fn checked_definitions_round_trip_through_json(
            keys in proptest::collection::btree_set("[a-z0-9][a-z0-9_-]{0,20}", 0..8),
            label in "[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ /'-]{0,40}[A-Za-zÀ-ÿ]",
        ) {
            let defs: Vec<_> = keys
                .iter()
                .enumerate()
                .map(|(i, k)| CustomFieldDefinition {
                    key: k.clone(),
                    labels: BTreeMap::from([("fr".to_owned(), label.clone())]),
                    required: i % 2 == 0,
                    help: BTreeMap::new(),
                })
                .collect();
            prop_assert_eq!(check_definitions(&defs), Ok(()));
            let json = serde_json::to_string(&defs).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let back: Vec<CustomFieldDefinition> =
                serde_json::from_str(&json).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(back, defs);
        }
    }
}
