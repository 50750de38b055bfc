//! The tenant's settings: its name, the status labels in each language, the approval,
//! reopen and archive windows, what requesters see, how tickets close, the default
//! language, the custom fields the new-ticket form asks.

use std::collections::BTreeMap;

use axum::Router;
use axum::extract::{FromRef, RawQuery};
use axum::response::Response;
use axum::routing::get;
use helpdesk_axum::HelpdeskState;
use helpdesk_core::{
    ClosureMode, RequesterVisibility, SUPPORTED_LANGUAGES, Status, Tenant, TenantSettings, Window,
};
use maud::{Markup, html};

use super::{
    Problem, admin_page, banners, custom_fields, done, problem, require_admin, save_or_cancel,
    see_other, status_of, tenant_or_choice, text_field,
};
use crate::error::PageError;
use crate::forms::WebForm;
use crate::i18n::{Lang, Msg};
use crate::site::Viewer;

const PATH: &str = "/admin/settings";

const DAY: i64 = 86_400;

pub(super) fn routes<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    HelpdeskState: FromRef<S>,
{
    Router::new().route(PATH, get(show).post(save))
}

/// The settings form, as typed: field name to value.
type SettingsForm = BTreeMap<String, String>;

fn label_field(tag: &str, status: Status) -> String {
    format!("label_{tag}_{}", status.as_str())
}

const WINDOWS: [(&str, &str, Msg); 3] = [
    ("approval_days", "approval_window", Msg::AdmApprovalWindow),
    ("reopen_days", "reopen_window", Msg::AdmReopenWindow),
    ("archive_days", "archive_delay", Msg::AdmArchiveDelay),
];

fn window_of(settings: &TenantSettings, field: &str) -> Window {
    match field {
        "approval_days" => settings.approval_window,
        "reopen_days" => settings.reopen_window,
        _ => settings.archive_delay,
    }
}

/// The form as the tenant's settings fill it.
fn form_of(tenant: &Tenant) -> SettingsForm {
    let s = &tenant.settings;
    let mut form = SettingsForm::new();
    form.insert("name".into(), tenant.name.clone());
    form.insert("default_language".into(), s.default_language.clone());
    form.insert(
        "requester_visibility".into(),
        match s.requester_visibility {
            RequesterVisibility::OwnAndInvited => "own_and_invited",
            RequesterVisibility::WholeTenantReadOnly => "whole_tenant_read_only",
        }
        .into(),
    );
    form.insert(
        "closure_mode".into(),
        match s.closure_mode {
            ClosureMode::TwoStep => "two_step",
            ClosureMode::Direct => "direct",
        }
        .into(),
    );
    for (field, ..) in WINDOWS {
        form.insert(
            field.into(),
            (window_of(s, field).as_seconds() / DAY).to_string(),
        );
    }
    for tag in SUPPORTED_LANGUAGES {
        for status in Status::ALL {
            form.insert(label_field(tag, status), s.label(status, tag).to_owned());
        }
    }
    custom_fields::fill(&mut form, &s.custom_fields);
    form
}

fn value<'a>(form: &'a SettingsForm, field: &str) -> &'a str {
    form.get(field).map_or("", String::as_str)
}

async fn show(viewer: Viewer, query: RawQuery) -> Result<Response, PageError> {
    render(viewer, done(&query), None, None).await
}

async fn render(
    viewer: Viewer,
    done: bool,
    form: Option<SettingsForm>,
    problem: Option<Problem>,
) -> Result<Response, PageError> {
    let can = require_admin(&viewer)?;
    let tenant = match tenant_or_choice(&viewer, PATH).await {
        Ok(t) => t,
        Err(page) => return Ok(page),
    };
    let site = &viewer.site;
    if !can.administer {
        return Err(PageError::domain(
            site,
            helpdesk_core::Error::Forbidden(helpdesk_core::Forbidden::RoleRequired),
        ));
    }
    let form = form.unwrap_or_else(|| form_of(&tenant));
    let v = |field: &str| value(&form, field).to_owned();
    let content = html! {
        (banners(site, done, problem.as_ref()))
        form class="hd-form hd-settings" method="post" action=(site.href(PATH)) {
            (crate::layout::token_field(site))
            (text_field(site, "s-name", "name", Msg::AdmTenantName, &v("name"), true))
            (status_labels(site, &form))
            (windows(site, &form))
            (select_field(site, "s-visibility", "requester_visibility", Msg::AdmRequesterVisibility,
                &[("own_and_invited", Msg::AdmOwnAndInvited), ("whole_tenant_read_only", Msg::AdmWholeTenant)], &v("requester_visibility")))
            (select_field(site, "s-closure", "closure_mode", Msg::AdmClosureMode,
                &[("two_step", Msg::AdmTwoStep), ("direct", Msg::AdmDirect)], &v("closure_mode")))
            (select_field(site, "s-language", "default_language", Msg::AdmDefaultLanguage,
                &[("fr", Msg::AdmFrench), ("en", Msg::AdmEnglish)], &v("default_language")))
            (custom_fields::section(site, &form))
            p class="hd-muted" { (site.t(Msg::AdmQuestionnaireElsewhere)) " " a href=(site.href("/admin/questionnaire")) { (site.t(Msg::AdmQuestionnaire)) } }
            (save_or_cancel(site, PATH))
        }
    };
    Ok(admin_page(
        &viewer,
        status_of(problem.as_ref()),
        Msg::AdmSettings,
        content,
    ))
}

/// The status labels, one field per status and language.
fn status_labels(site: &crate::site::Site, form: &SettingsForm) -> Markup {
    html! {
        fieldset {
            legend { (site.t(Msg::AdmStatusLabels)) }
            p class="hd-muted" { (site.t(Msg::AdmStatusLabelsHelp)) }
            div class="hd-admin-labels" {
                @for tag in SUPPORTED_LANGUAGES {
                    @let lang = Lang::from_tag(tag).unwrap_or_default();
                    fieldset {
                        legend { (site.t(match lang { Lang::Fr => Msg::AdmFrench, Lang::En => Msg::AdmEnglish })) }
                        @for status in Status::ALL {
                            @let field = label_field(tag, status);
                            @let id = format!("s-{field}");
                            div class="hd-field" {
                                label for=(id) { (site.lang.status(status)) " (" (tag.to_uppercase()) ")" }
                                input id=(id) type="text" name=(field) value=(value(form, &field)) maxlength="100" required lang=(tag);
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The approval, reopen and archive windows, in days.
fn windows(site: &crate::site::Site, form: &SettingsForm) -> Markup {
    html! {
        fieldset {
            legend { (site.t(Msg::AdmWindows)) }
            @for (field, _, label) in WINDOWS {
                @let id = format!("s-{field}");
                div class="hd-field" {
                    label for=(id) { (site.t(label)) }
                    input id=(id) type="number" name=(field) value=(value(form, field)) min="0" max="3650" step="1" required inputmode="numeric";
                }
            }
        }
    }
}

/// A labelled select of fixed `options` (value, words), `current` selected.
fn select_field(
    site: &crate::site::Site,
    id: &str,
    name: &str,
    label: Msg,
    options: &[(&str, Msg)],
    current: &str,
) -> Markup {
    html! {
        div class="hd-field" {
            label for=(id) { (site.t(label)) }
            select id=(id) name=(name) {
                @for (value, words) in options {
                    option value=(value) selected[current == *value] { (site.t(*words)) }
                }
            }
        }
    }
}

/// The settings the form asks for, over the tenant's current ones (the questionnaire
/// stays as it is).
fn settings_of(
    lang: Lang,
    tenant: &Tenant,
    form: &SettingsForm,
) -> Result<TenantSettings, Problem> {
    let current = &tenant.settings;
    let mut settings = current.clone();
    settings.default_language = value(form, "default_language").to_owned();
    settings.requester_visibility = match value(form, "requester_visibility") {
        "own_and_invited" => RequesterVisibility::OwnAndInvited,
        "whole_tenant_read_only" => RequesterVisibility::WholeTenantReadOnly,
        _ => return Err(Problem::field(lang, "requester_visibility", "?")),
    };
    settings.closure_mode = match value(form, "closure_mode") {
        "two_step" => ClosureMode::TwoStep,
        "direct" => ClosureMode::Direct,
        _ => return Err(Problem::field(lang, "closure_mode", "?")),
    };
    for (field, core_field, _) in WINDOWS {
        let days: i64 = value(form, field)
            .trim()
            .parse()
            .map_err(|_| Problem::field(lang, core_field, lang.t(Msg::AdmWholeDays)))?;
        let was = window_of(current, field);
        // A window of whole days and hours left as shown keeps its hours.
        let window = if days == was.as_seconds() / DAY {
            was
        } else {
            Window::seconds(days.saturating_mul(DAY))
        };
        match field {
            "approval_days" => settings.approval_window = window,
            "reopen_days" => settings.reopen_window = window,
            _ => settings.archive_delay = window,
        }
    }
    for tag in SUPPORTED_LANGUAGES {
        let labels = settings.status_labels.entry(tag.to_owned()).or_default();
        for status in Status::ALL {
            labels.insert(status, value(form, &label_field(tag, status)).to_owned());
        }
    }
    settings.custom_fields = custom_fields::definitions_of(form, &current.custom_fields);
    Ok(settings)
}

async fn save(viewer: Viewer, WebForm(form): WebForm<SettingsForm>) -> Result<Response, PageError> {
    require_admin(&viewer)?;
    let tenant = match tenant_or_choice(&viewer, PATH).await {
        Ok(t) => t,
        Err(page) => return Ok(page),
    };
    let site = viewer.site.clone();
    let settings = match settings_of(site.lang, &tenant, &form) {
        Ok(s) => s,
        Err(p) => return render(viewer, false, Some(form), Some(p)).await,
    };
    match viewer
        .service
        .update_tenant(&viewer.actor, tenant.id, value(&form, "name"), settings)
        .await
    {
        Ok(_) => Ok(see_other(&site, PATH)),
        Err(e) => {
            let p = problem(&site, e)?;
            render(viewer, false, Some(form), Some(p)).await
        }
    }
}
