//! The HTML login page: a plain form (no script, no inline style) in the helpdesk
//! pages' own frame, style sheet and theme, in French or English.

use axum::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, HeaderValue};
use axum::http::{HeaderName, StatusCode};
use axum::response::{IntoResponse, Response};
use helpdesk_web::{CONTENT_SECURITY_POLICY_VALUE, Chrome, DefaultChrome, Lang, PageParts, Theme};
use maud::{Markup, html};

use crate::demo::Person;
use crate::login::Accounts;

/// Why the form comes back.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Failure {
    /// Unknown login or wrong password.
    Wrong,
    /// Too many attempts: try again in this many seconds.
    Throttled(u64),
}

/// What the form shows.
#[derive(Debug)]
pub(crate) struct LoginForm<'a> {
    /// The login typed before, kept when the form comes back.
    pub(crate) login: &'a str,
    /// Where to go once logged in: a path on this site.
    pub(crate) next: &'a str,
    pub(crate) failure: Option<Failure>,
}

/// The page's words in one language.
struct Words {
    title: &'static str,
    login: &'static str,
    password: &'static str,
    submit: &'static str,
    wrong: &'static str,
    throttled: &'static str,
    seconds: &'static str,
    demo: &'static str,
    demo_intro: &'static str,
    name: &'static str,
    role: &'static str,
    staff: &'static str,
}

const FR: Words = Words {
    title: "Connexion",
    login: "Identifiant",
    password: "Mot de passe",
    submit: "Se connecter",
    wrong: "Identifiant inconnu ou mot de passe erroné.",
    throttled: "Trop de tentatives de connexion : réessayez dans",
    seconds: "s.",
    demo: "Comptes de démonstration",
    demo_intro: "Ce portail est une démonstration. Chacun de ces comptes a pour mot de passe",
    name: "Nom",
    role: "Rôle",
    staff: "Équipe du support",
};

const EN: Words = Words {
    title: "Log in",
    login: "Login",
    password: "Password",
    submit: "Log in",
    wrong: "Unknown login or wrong password.",
    throttled: "Too many login attempts: try again in",
    seconds: "s.",
    demo: "Demo accounts",
    demo_intro: "This portal is a demo. Each of these accounts has the password",
    name: "Name",
    role: "Role",
    staff: "Support staff",
};

fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::Fr => &FR,
        Lang::En => &EN,
    }
}

/// A demo person's place: their tenant and role, or the support staff.
fn role(lang: Lang, person: &Person) -> String {
    match (&person.tenant, person.member_role) {
        (Some(tenant), Some(role)) => format!("{tenant} · {}", lang.member_role(role)),
        (Some(tenant), None) => tenant.clone(),
        (None, _) => words(lang).staff.to_owned(),
    }
}

fn content(lang: Lang, accounts: &Accounts, form: &LoginForm<'_>) -> Markup {
    let w = words(lang);
    let invalid = form.failure.is_some().then_some("true");
    let described = form.failure.is_some().then_some("login-error");
    html! {
        h1 { (w.title) }
        @if let Some(failure) = form.failure {
            div class="hd-error" id="login-error" role="alert" {
                p {
                    @match failure {
                        Failure::Wrong => { (w.wrong) }
                        Failure::Throttled(seconds) => { (w.throttled) " " (seconds) " " (w.seconds) }
                    }
                }
            }
        }
        form method="post" action="/login" {
            input type="hidden" name="next" value=(form.next);
            p class="hd-field" {
                label for="login" { (w.login) }
                input type="text" id="login" name="login" value=(form.login)
                    autocomplete="username" autocapitalize="none" spellcheck="false" required
                    aria-invalid=[invalid] aria-describedby=[described];
            }
            p class="hd-field" {
                label for="password" { (w.password) }
                input type="password" id="password" name="password"
                    autocomplete="current-password" required
                    aria-invalid=[invalid] aria-describedby=[described];
            }
            p class="hd-actions" {
                button type="submit" { (w.submit) }
            }
        }
        section aria-labelledby="demo-accounts" {
            h2 id="demo-accounts" { (w.demo) }
            p { (w.demo_intro) " " code { "demo" } "." }
            div class="hd-table-wrap" {
                table class="hd-table" {
                    thead {
                        tr {
                            th scope="col" { (w.login) }
                            th scope="col" { (w.name) }
                            th scope="col" { (w.role) }
                        }
                    }
                    tbody {
                        @for person in accounts.people() {
                            tr {
                                td { code { (person.login) } }
                                td { (person.name) }
                                td { (role(lang, person)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The login page with `status`, framed like the helpdesk's pages, with their strict
/// Content-Security-Policy.
pub(crate) fn render(
    theme: &Theme,
    lang: Lang,
    accounts: &Accounts,
    form: &LoginForm<'_>,
    status: StatusCode,
) -> Response {
    let title = format!("{} · {}", words(lang).title, theme.name);
    let head = html! {
        link rel="stylesheet" href="/assets/helpdesk.css";
        link rel="stylesheet" href="/assets/theme.css";
    };
    let markup = DefaultChrome.frame(
        theme,
        PageParts {
            lang,
            title: &title,
            head,
            nav: html! {},
            content: content(lang, accounts, form),
        },
    );
    let mut response = (status, markup).into_response();
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY_VALUE),
    );
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        HeaderName::from_static("x-content-type-options"),
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        HeaderName::from_static("referrer-policy"),
        HeaderValue::from_static("same-origin"),
    );
    response
}
