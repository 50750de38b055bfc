//! Custom fields on the pages: their labels in the reader's language, and refusals
//! that name one said with its label.

use helpdesk_core::{TenantSettings, ValidationError};

use crate::i18n::Lang;

/// How the forms name a custom field's input, as the core names it in a refusal:
/// `custom_fields.<key>`.
pub(crate) const PREFIX: &str = "custom_fields.";

/// The form name of the custom field `key`.
pub(crate) fn input_name(key: &str) -> String {
    format!("{PREFIX}{key}")
}

/// The key of a form or refusal field naming a custom field.
pub(crate) fn key_of(field: &str) -> Option<&str> {
    field.strip_prefix(PREFIX).filter(|k| !k.is_empty())
}

/// The label of the custom field `key`: the tenant's, in `lang` (else its default
/// language); the raw key for a field the tenant does not define.
pub(crate) fn label<'a>(settings: Option<&'a TenantSettings>, lang: Lang, key: &'a str) -> &'a str {
    settings
        .and_then(|s| {
            s.custom_field(key)
                .map(|d| d.label(lang.tag(), &s.default_language))
        })
        .unwrap_or(key)
}

/// "School — must not be empty": the refusal of a custom field, with its label; none
/// for a refusal of another field.
pub(crate) fn refusal(
    settings: Option<&TenantSettings>,
    lang: Lang,
    error: &ValidationError,
) -> Option<String> {
    let key = key_of(&error.field)?;
    Some(format!(
        "{} — {}",
        label(settings, lang, key),
        crate::error::reason_text(lang, error)
    ))
}

/// The HTML id of the custom field `key`'s input in a form whose ids start `prefix`.
pub(crate) fn input_id(prefix: &str, key: &str) -> String {
    format!("{prefix}-cf-{key}")
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use helpdesk_core::CustomFieldDefinition;

    use super::*;

    #[test]
    fn labels_are_the_tenants_in_the_readers_language_and_raw_keys_otherwise() {
        let mut settings = TenantSettings::default();
        settings.custom_fields.push(CustomFieldDefinition {
            key: "school".into(),
            labels: BTreeMap::from([
                ("fr".into(), "Établissement".into()),
                ("en".into(), "School".into()),
            ]),
            required: true,
            help: BTreeMap::new(),
        });
        assert_eq!(label(Some(&settings), Lang::En, "school"), "School");
        assert_eq!(label(Some(&settings), Lang::Fr, "school"), "Établissement");
        assert_eq!(label(Some(&settings), Lang::Fr, "erp_ref"), "erp_ref");
        assert_eq!(label(None, Lang::Fr, "school"), "school");
        let refused = ValidationError::required("custom_fields.school");
        let text = refusal(Some(&settings), Lang::En, &refused);
        assert!(
            text.as_deref().is_some_and(|t| t.starts_with("School — ")),
            "{text:?}"
        );
        assert_eq!(
            refusal(
                Some(&settings),
                Lang::En,
                &ValidationError::required("subject")
            ),
            None
        );
        assert_eq!(key_of("custom_fields."), None);
    }
}
