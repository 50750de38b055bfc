//! The parts every page shares: the head, the navigation, the frame, the response
//! headers (a strict Content-Security-Policy), and small form pieces.

use axum::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, HeaderValue};
use axum::http::{HeaderName, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};

use crate::config::PageParts;
use crate::csrf;
use crate::i18n::Msg;
use crate::site::{Site, Viewer};

/// The policy of every page: nothing but this site's own files; no inline script or
/// style, no plugin, no framing by others, forms only to this site, images only from
/// here: attachments shown inline come from the pages' own download route, and `blob:`
/// only for the preview of a screenshot being pasted (`URL.createObjectURL` of the
/// pasted file, before it is sent). No `data:`, and no remote image: a remote image left
/// in rich text is never loaded (no tracking pixel).
pub const CONTENT_SECURITY_POLICY_VALUE: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'";

fn head(site: &Site) -> Markup {
    html! {
        link rel="stylesheet" href=(format!("{}/assets/helpdesk.css", site.prefix));
        link rel="stylesheet" href=(format!("{}/assets/theme.css", site.prefix));
        script src=(format!("{}/assets/helpdesk.js", site.prefix)) defer {}
    }
}

/// The navigation for a logged-in viewer: what their role may open.
pub(crate) fn nav(viewer: &Viewer) -> Markup {
    let site = &viewer.site;
    let admin = viewer.is_staff()
        || matches!(&viewer.actor, helpdesk_core::Actor::Member(m) if m.role == helpdesk_core::MemberRole::TenantAdmin);
    html! {
        nav class="hd-nav" aria-label=(site.t(Msg::MainMenu)) {
            ul {
                li { a href=(site.href("/")) { (site.t(Msg::Home)) } }
                li { a href=(site.href("/tickets")) { (site.t(Msg::Tickets)) } }
                li { a href=(site.href("/tickets/new")) { (site.t(Msg::NewTicket)) } }
                @if admin {
                    li { a href=(site.href("/admin")) { (site.t(Msg::Administration)) } }
                }
                li { a href=(site.href("/profile")) { (site.t(Msg::MyProfile)) " (" (viewer.display_name()) ")" } }
                @if let Some(logout) = &site.config.logout_url {
                    li {
                        form class="hd-logout" method="post" action=(logout) {
                            button type="submit" class="hd-link-button" { (site.t(Msg::LogOut)) }
                        }
                    }
                }
            }
        }
    }
}

/// A whole page: the host's frame around `content`, with the security headers.
pub(crate) fn page(site: &Site, nav: Markup, title: &str, content: Markup) -> Response {
    page_with_status(site, StatusCode::OK, nav, title, content)
}

/// A whole page with another status (an error page, a form sent back with its errors).
pub(crate) fn page_with_status(
    site: &Site,
    status: StatusCode,
    nav: Markup,
    title: &str,
    content: Markup,
) -> Response {
    let theme = &site.config.theme;
    let full_title = format!("{title} · {}", theme.name);
    let markup = site.config.chrome.frame(
        theme,
        PageParts {
            lang: site.lang,
            title: &full_title,
            head: head(site),
            nav,
            content,
        },
    );
    let mut response = (status, markup).into_response();
    secure_headers(response.headers_mut());
    response
}

/// The headers every page answers with.
pub(crate) fn secure_headers(headers: &mut axum::http::HeaderMap) {
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
}

/// The hidden field that carries the form token.
pub(crate) fn token_field(site: &Site) -> Markup {
    html! { input type="hidden" name=(csrf::FIELD) value=(site.token.value()); }
}
