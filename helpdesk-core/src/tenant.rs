//! Tenants [établissement, pays, client] and the settings each one chooses.

use std::collections::BTreeMap;

use chrono::Duration;
use serde::{Deserialize, Serialize};

use crate::custom_field::{CustomFieldDefinition, check_definitions};
use crate::error::ValidationError;
use crate::ids::TenantId;
use crate::questionnaire::QuestionnaireDefinition;
use crate::status::Status;
use crate::text::single_line;

/// An isolated customer organisation. Every ticket, member, category and product
/// belongs to exactly one tenant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Tenant {
    /// The tenant's id.
    pub id: TenantId,
    /// A short, URL-safe name, unique across the platform (`acme`).
    pub slug: String,
    /// The name shown to people.
    pub name: String,
    /// How this tenant runs its helpdesk.
    pub settings: TenantSettings,
}

impl Tenant {
    /// A tenant with default settings, after checking the slug and name.
    pub fn new(slug: &str, name: &str) -> Result<Self, ValidationError> {
        Ok(Self {
            id: TenantId::new(),
            slug: check_slug(slug)?,
            name: single_line("name", name, 200)?,
            settings: TenantSettings::default(),
        })
    }
}

/// Checks a tenant slug: 1 to 63 lower-case letters, digits and dashes.
pub fn check_slug(slug: &str) -> Result<String, ValidationError> {
    let ok = !slug.is_empty()
        && slug.len() <= 63
        && slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !slug.starts_with('-');
    if ok {
        Ok(slug.to_owned())
    } else {
        Err(ValidationError::coded(
            "slug",
            crate::error::ReasonCode::InvalidFormat,
            "use 1 to 63 lower-case letters, digits and dashes",
        ))
    }
}

/// Which tickets a requester may read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RequesterVisibility {
    /// Their own tickets and those they are invited to (the default).
    #[default]
    OwnAndInvited,
    /// Also every other ticket of the tenant, read-only (the vendor manual: "you can
    /// open it but not modify it").
    WholeTenantReadOnly,
}

/// How a ticket gets closed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ClosureMode {
    /// Staff propose, the requester approves with the questionnaire (the default).
    #[default]
    TwoStep,
    /// Staff close in one step, as the legal-aid network does for files opened on
    /// behalf of citizens without an account.
    Direct,
}

/// The languages the helpdesk speaks, by tag: a tenant's default language and the
/// languages of its status labels must be among them.
pub const SUPPORTED_LANGUAGES: [&str; 2] = ["fr", "en"];

/// The longest window a tenant may set (approval, reopen, archive): ten years.
pub const MAX_WINDOW: Window = Window::days(3650);

/// Refuses a language tag the helpdesk does not speak, naming `field`.
fn check_language(field: &str, tag: &str) -> Result<(), ValidationError> {
    if SUPPORTED_LANGUAGES.contains(&tag) {
        Ok(())
    } else {
        Err(ValidationError::coded(
            field,
            crate::error::ReasonCode::UnknownValue,
            format!(
                "unsupported language `{}`: use one of {}",
                tag.escape_debug(),
                SUPPORTED_LANGUAGES.join(", ")
            ),
        ))
    }
}

/// A tenant's names for the canonical statuses, in one language.
pub type StatusLabels = BTreeMap<Status, String>;

/// A length of time in whole seconds, as stored and serialised.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct Window(i64);

impl Window {
    /// A window of `days` days.
    pub const fn days(days: i64) -> Self {
        Self(days * 86_400)
    }

    /// A window of `seconds` seconds.
    pub const fn seconds(seconds: i64) -> Self {
        Self(seconds)
    }

    /// The window in seconds.
    pub const fn as_seconds(self) -> i64 {
        self.0
    }

    /// The window as a chrono duration.
    pub fn duration(self) -> Duration {
        Duration::seconds(self.0)
    }
}

/// How one tenant runs its helpdesk.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TenantSettings {
    /// Status labels per language tag (`fr`, `en`...).
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, BTreeMap<Status, String>>))]
    pub status_labels: BTreeMap<String, StatusLabels>,
    /// The language used when a caller's language has no labels.
    pub default_language: String,
    /// Which tickets requesters may read.
    pub requester_visibility: RequesterVisibility,
    /// Two-step closure with questionnaire, or direct closure by staff.
    pub closure_mode: ClosureMode,
    /// How long a proposed closure waits for the requester before it is approved
    /// automatically.
    pub approval_window: Window,
    /// How long after closure a requester may reopen; staff may reopen at any time.
    pub reopen_window: Window,
    /// How long closed and cancelled tickets stay in default lists before they are
    /// archived.
    pub archive_delay: Window,
    /// The questionnaire asked when a requester approves a closure.
    pub questionnaire: QuestionnaireDefinition,
    /// The custom fields the new-ticket form asks, in the order shown (none by default;
    /// settings stored before custom fields existed load with none).
    #[serde(default)]
    pub custom_fields: Vec<CustomFieldDefinition>,
    /// The service levels its tickets are held to: business calendar, first-response
    /// and resolution targets per priority (none by default: nothing tracked; settings
    /// stored before service levels existed load with none).
    #[serde(default, deserialize_with = "crate::object::only")]
    pub service_levels: crate::service_level::ServiceLevelPolicy,
}

impl Default for TenantSettings {
    fn default() -> Self {
        Self {
            status_labels: default_labels(),
            default_language: "fr".to_owned(),
            requester_visibility: RequesterVisibility::default(),
            closure_mode: ClosureMode::default(),
            approval_window: Window::days(15),
            reopen_window: Window::days(30),
            archive_delay: Window::days(90),
            questionnaire: QuestionnaireDefinition::default(),
            custom_fields: Vec::new(),
            service_levels: crate::service_level::ServiceLevelPolicy::default(),
        }
    }
}

fn default_labels() -> BTreeMap<String, StatusLabels> {
    let fr = [
        (Status::New, "À traiter"),
        (Status::InProgress, "En cours"),
        (Status::WaitingOnRequester, "En attente de votre réponse"),
        (Status::PendingClosure, "Clôture à valider"),
        (Status::Closed, "Clôturée"),
        (Status::Cancelled, "Annulée"),
    ];
    let en = [
        (Status::New, "New"),
        (Status::InProgress, "In progress"),
        (Status::WaitingOnRequester, "Waiting on you"),
        (Status::PendingClosure, "Closure to approve"),
        (Status::Closed, "Closed"),
        (Status::Cancelled, "Cancelled"),
    ];
    let collect = |pairs: [(Status, &str); 6]| {
        pairs
            .into_iter()
            .map(|(s, l)| (s, l.to_owned()))
            .collect::<StatusLabels>()
    };
    BTreeMap::from([
        ("fr".to_owned(), collect(fr)),
        ("en".to_owned(), collect(en)),
    ])
}

impl TenantSettings {
    /// The label of `status` in `language`, falling back to the default language, then
    /// to the canonical name.
    pub fn label(&self, status: Status, language: &str) -> &str {
        self.status_labels
            .get(language)
            .and_then(|labels| labels.get(&status))
            .or_else(|| {
                self.status_labels
                    .get(&self.default_language)
                    .and_then(|labels| labels.get(&status))
            })
            .map_or(status.as_str(), String::as_str)
    }

    /// Checks the settings: the default language and the languages of the labels among
    /// [`SUPPORTED_LANGUAGES`], windows between zero and [`MAX_WINDOW`], labels one-line
    /// visible text of at most 100 characters, questionnaire valid, custom field
    /// definitions valid (see [`CustomFieldDefinition`]).
    pub fn check(&self) -> Result<(), ValidationError> {
        check_language("default_language", &self.default_language)?;
        for (field, window) in [
            ("approval_window", self.approval_window),
            ("reopen_window", self.reopen_window),
            ("archive_delay", self.archive_delay),
        ] {
            let range = crate::error::ReasonCode::OutOfRange {
                min: 0,
                max: MAX_WINDOW.as_seconds(),
            };
            if window.as_seconds() < 0 {
                return Err(ValidationError::coded(field, range, "must not be negative"));
            }
            if window > MAX_WINDOW {
                return Err(ValidationError::coded(
                    field,
                    range,
                    format!("must be at most {} seconds", MAX_WINDOW.as_seconds()),
                ));
            }
        }
        for (lang, labels) in &self.status_labels {
            check_language("status_labels", lang)?;
            for (status, label) in labels {
                single_line(&format!("status_labels.{lang}.{status}"), label, 100)?;
            }
        }
        self.questionnaire.check()?;
        self.service_levels.check().map_err(|mut e| {
            e.field = format!("service_levels.{}", e.field);
            e
        })?;
        check_definitions(&self.custom_fields)
    }

    /// The definition of the custom field `key`, if the tenant defines it.
    pub fn custom_field(&self, key: &str) -> Option<&CustomFieldDefinition> {
        self.custom_fields.iter().find(|d| d.key == key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tenant_relabels_statuses_per_language() {
        let mut settings = TenantSettings::default();
        settings
            .status_labels
            .entry("fr".into())
            .or_default()
            .insert(Status::Closed, "Conflit réglé".into());
        assert_eq!(settings.label(Status::Closed, "fr"), "Conflit réglé");
        assert_eq!(settings.label(Status::Closed, "en"), "Closed");
        assert_eq!(settings.label(Status::New, "de"), "À traiter");
    }

    #[test]
    fn settings_stored_before_custom_fields_load_with_none() -> Result<(), serde_json::Error> {
        let mut old = serde_json::to_value(TenantSettings::default())?;
        if let Some(fields) = old.as_object_mut() {
            fields.remove("custom_fields");
        }
        assert!(old.get("custom_fields").is_none());
        let loaded: TenantSettings = serde_json::from_value(old)?;
        assert_eq!(loaded, TenantSettings::default());
        assert!(loaded.custom_fields.is_empty());
        Ok(())
    }

    #[test]
    fn bad_custom_field_definitions_make_the_settings_invalid() {
        let settings = TenantSettings {
            custom_fields: vec![CustomFieldDefinition {
                key: "Salle".into(),
                labels: BTreeMap::from([("fr".into(), "Salle".into())]),
                required: false,
                help: BTreeMap::new(),
            }],
            ..TenantSettings::default()
        };
        assert_eq!(
            field_refused(&settings).as_deref(),
            Some("custom_fields[0].key")
        );
        let mut ok = settings.clone();
        ok.custom_fields[0].key = "salle".into();
        assert_eq!(ok.check(), Ok(()));
        assert_eq!(
            ok.custom_field("salle").map(|d| d.label("en", "fr")),
            Some("Salle")
        );
    }

    fn field_refused(settings: &TenantSettings) -> Option<String> {
        settings.check().err().map(|e| e.field)
    }

    #[test]
    fn the_default_language_must_be_a_supported_language() {
        for bad in ["de", "", "FR", "fr-FR\u{202e}", "fr\n", &"x".repeat(10_000)] {
            let settings = TenantSettings {
                default_language: bad.to_owned(),
                ..TenantSettings::default()
            };
            assert_eq!(
                field_refused(&settings).as_deref(),
                Some("default_language")
            );
        }
        for good in SUPPORTED_LANGUAGES {
            let settings = TenantSettings {
                default_language: good.to_owned(),
                ..TenantSettings::default()
            };
            assert_eq!(settings.check(), Ok(()));
        }
    }

    #[test]
    fn status_labels_must_be_in_supported_languages_and_visible_one_line_text() {
        let mut unknown = TenantSettings::default();
        unknown
            .status_labels
            .insert("klingon".into(), StatusLabels::new());
        assert_eq!(field_refused(&unknown).as_deref(), Some("status_labels"));
        for bad in ["", "\u{200b}", "Clos\u{0}", "a\nb", &"x".repeat(101)] {
            let mut settings = TenantSettings::default();
            settings
                .status_labels
                .entry("fr".into())
                .or_default()
                .insert(Status::Closed, bad.to_owned());
            assert_eq!(
                field_refused(&settings).as_deref(),
                Some("status_labels.fr.closed"),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn windows_must_be_between_zero_and_ten_years() {
        for bad in [
            Window::seconds(-1),
            Window::days(3651),
            Window::seconds(i64::MAX),
        ] {
            let settings = TenantSettings {
                approval_window: bad,
                ..TenantSettings::default()
            };
            assert_eq!(field_refused(&settings).as_deref(), Some("approval_window"));
        }
        let settings = TenantSettings {
            archive_delay: MAX_WINDOW,
            ..TenantSettings::default()
        };
        assert_eq!(settings.check(), Ok(()));
    }

    #[test]
    fn slugs_are_checked() {
        assert!(check_slug("acme-2").is_ok());
        assert!(check_slug("Acme").is_err());
        assert!(check_slug("../etc").is_err());
        assert!(check_slug("").is_err());
    }
}
