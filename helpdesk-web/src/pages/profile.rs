//! The viewer's profile: name, email, role and tenant as the host keeps them, the
//! language of the pages, stored with the person by the core (and in a cookie of this
//! browser, for the pages shown before they are identified), and what they are told
//! about by email (the topics they mute, `HelpdeskService::set_muted_topics`).

use axum::Router;
use axum::extract::{FromRef, RawQuery};
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use helpdesk_axum::HelpdeskState;
use helpdesk_core::{Actor, NotificationTopic};
use maud::{Markup, html};
use serde::Deserialize;

use crate::error::PageError;
use crate::forms::WebForm;
use crate::i18n::{Lang, Msg};
use crate::layout;
use crate::site::{LANG_COOKIE, Viewer};

/// A year, in seconds: how long the language choice is kept.
const YEAR: u32 = 365 * 24 * 3600;

/// The choice that follows the browser and the tenant: no stored language.
const AUTO: &str = "auto";

/// This screen's routes, merged into [`crate::pages`].
pub(crate) fn routes<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    HelpdeskState: FromRef<S>,
{
    Router::new()
        .route("/profile", get(show).post(save))
        .route("/profile/notifications", post(save_notifications))
}

/// `GET /profile`.
async fn show(viewer: Viewer, query: RawQuery) -> Result<Response, PageError> {
    let done = query
        .0
        .as_deref()
        .is_some_and(|q| q.split('&').any(|p| p == "done=1"));
    let site = &viewer.site;
    let lang = site.lang;
    let stored = viewer.actor.language();
    let (email, role) = match &viewer.actor {
        Actor::Member(m) => (m.email.clone(), lang.member_role(m.role)),
        Actor::Staff(s) => (s.email.clone(), lang.staff_role(s.role)),
        Actor::System => (None, ""),
    };
    let content = html! {
        h1 { (site.t(Msg::MyProfile)) }
        @if done {
            p class="hd-flash" role="status" { (site.t(Msg::ProfSaved)) }
        }
        section aria-labelledby="hd-identity" class="hd-profile" {
            h2 id="hd-identity" { (site.t(Msg::ProfIdentity)) }
            dl {
                dt { (site.t(Msg::AdmName)) } dd { (viewer.display_name()) }
                dt { (site.t(Msg::AdmEmail)) } dd { (email.as_deref().unwrap_or(site.t(Msg::NotSet))) }
                dt { (site.t(Msg::AdmRole)) } dd { (role) }
                dt { (site.t(Msg::Tenant)) } dd { (viewer.tenant.as_ref().map_or(site.t(Msg::NotSet), |t| t.name.as_str())) }
            }
            p class="hd-muted" { (site.t(Msg::ProfHostOwns)) }
        }
        section aria-labelledby="hd-language" {
            h2 id="hd-language" { (site.t(Msg::Language)) }
            form class="hd-form" method="post" action=(site.href("/profile")) {
                (layout::token_field(site))
                fieldset {
                    legend { (site.t(Msg::ProfLanguageChoice)) }
                    div class="hd-checks" {
                        @for choice in Lang::ALL {
                            label {
                                input type="radio" name="lang" value=(choice.tag()) checked[stored == Some(choice.tag()) || (stored.is_none() && choice == lang)];
                                span lang=(choice.tag()) { (choice.t(Msg::ProfLanguageName)) }
                            }
                        }
                        label {
                            input type="radio" name="lang" value=(AUTO);
                            span { (site.t(Msg::ProfLanguageAuto)) }
                        }
                    }
                }
                p class="hd-muted" { (site.t(Msg::ProfLanguageHelp)) }
                div class="hd-actions" { button type="submit" { (site.t(Msg::AdmSave)) } }
            }
        }
        (notifications_section(&viewer, email.is_some()))
    };
    Ok(layout::page(
        site,
        layout::nav(&viewer),
        site.t(Msg::MyProfile),
        content,
    ))
}

/// The profile's "notifications by mail" section: a box per topic the viewer may be told
/// about, ticked unless muted.
fn notifications_section(viewer: &Viewer, has_email: bool) -> Markup {
    let site = &viewer.site;
    let lang = site.lang;
    html! {
    section aria-labelledby="hd-notifications" {
        h2 id="hd-notifications" { (site.t(Msg::ProfNotifications)) }
        @if !has_email {
            p class="hd-muted" { (site.t(Msg::ProfNoEmail)) }
        }
        form class="hd-form" method="post" action=(site.href("/profile/notifications")) {
            (layout::token_field(site))
            fieldset {
                legend { (site.t(Msg::ProfNotificationsChoice)) }
                div class="hd-checks" {
                    @for topic in topics(&viewer.actor) {
                        label {
                            input type="checkbox" name="notify" value=(topic.as_str()) checked[!viewer.actor.mutes(topic)];
                            span { (lang.topic(topic)) }
                        }
                    }
                }
            }
            p class="hd-muted" { (site.t(Msg::ProfNotificationsHelp)) }
            div class="hd-actions" { button type="submit" { (site.t(Msg::AdmSave)) } }
        }
    }
    }
}

/// The topics `actor` may be told about, in the order the profile lists them: internal
/// notes only for staff.
fn topics(actor: &Actor) -> impl Iterator<Item = NotificationTopic> {
    let staff = actor.is_staff();
    NotificationTopic::ALL
        .into_iter()
        .filter(move |t| staff || t.reaches_members())
}

/// The notifications form: the topics ticked, to be told about.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct NotificationsForm {
    notify: Vec<String>,
}

/// `POST /profile/notifications`: mutes every topic the viewer may be told about and
/// did not tick (an unknown name is refused, nothing changes), then back to the profile.
async fn save_notifications(
    viewer: Viewer,
    WebForm(form): WebForm<NotificationsForm>,
) -> Result<Response, PageError> {
    let site = &viewer.site;
    let mut wanted = Vec::new();
    for name in &form.notify {
        let topic = name.parse::<NotificationTopic>().map_err(|_| {
            PageError::refused(
                site,
                StatusCode::UNPROCESSABLE_ENTITY,
                Msg::InvalidInput,
                Some(site.t(Msg::ProfNotifications).to_owned()),
            )
        })?;
        wanted.push(topic);
    }
    let muted: Vec<NotificationTopic> = topics(&viewer.actor)
        .filter(|t| !wanted.contains(t))
        .collect();
    viewer
        .service
        .set_muted_topics(&viewer.actor, muted)
        .await
        .map_err(|e| PageError::domain(site, e))?;
    Ok(back_to_profile(site, None))
}

/// A redirect to the profile saying the choice is saved, setting `cookie` if any.
fn back_to_profile(site: &crate::site::Site, cookie: Option<String>) -> Response {
    let mut link = site.href("/profile");
    link.push(if link.contains('?') { '&' } else { '?' });
    link.push_str("done=1");
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(location) = HeaderValue::from_str(&link) {
        response.headers_mut().insert(LOCATION, location);
    }
    if let Some(cookie) = cookie.and_then(|c| HeaderValue::from_str(&c).ok()) {
        response.headers_mut().insert(SET_COOKIE, cookie);
    }
    response
}

/// The language form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct LanguageForm {
    lang: String,
}

/// `POST /profile`: stores the language chosen with the person (the core's
/// `set_language`), so it follows them to every browser and into their notifications,
/// and keeps it in a cookie of this browser too (the pages shown before they are
/// identified); `auto` clears both. Then back to the profile.
async fn save(viewer: Viewer, WebForm(form): WebForm<LanguageForm>) -> Result<Response, PageError> {
    let site = &viewer.site;
    let chosen = if form.lang == AUTO {
        None
    } else {
        match Lang::from_tag(&form.lang).filter(|l| l.tag() == form.lang) {
            Some(lang) => Some(lang),
            None => {
                return Err(PageError::refused(
                    site,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Msg::InvalidInput,
                    Some(site.t(Msg::Language).to_owned()),
                ));
            }
        }
    };
    viewer
        .service
        .set_language(&viewer.actor, chosen.map(Lang::tag))
        .await
        .map_err(|e| PageError::domain(site, e))?;
    let secure = if site.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let cookie = match chosen {
        Some(lang) => format!(
            "{LANG_COOKIE}={}; Path=/; Max-Age={YEAR}; SameSite=Lax{secure}",
            lang.tag()
        ),
        None => format!("{LANG_COOKIE}=; Path=/; Max-Age=0; SameSite=Lax{secure}"),
    };
    Ok(back_to_profile(site, Some(cookie)))
}
