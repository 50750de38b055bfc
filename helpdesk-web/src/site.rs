//! Who is looking at a page and in which language: the request context every handler
//! takes.
//!
//! The language of a page: the logged-in person's stored language
//! (`HelpdeskService::set_language`, chosen on the profile page), else the `hd_lang`
//! cookie of this browser (visitors, and people who chose none), else the browser's
//! `Accept-Language`, else the tenant's default language.

use std::sync::Arc;

use axum::extract::{FromRef, FromRequestParts, OriginalUri};
use axum::http::header::{ACCEPT_LANGUAGE, COOKIE};
use axum::http::request::Parts;
use helpdesk_axum::{Ctx, HelpdeskState};
use helpdesk_core::{Actor, HelpdeskService, Tenant};

use crate::config::WebConfig;
use crate::csrf::FormToken;
use crate::error::PageError;
use crate::i18n::Lang;

/// What every page knows before knowing who calls: the host's settings, the language
/// the browser asks for, the form token, and where the pages are mounted.
#[derive(Clone, Debug)]
pub(crate) struct Site {
    pub(crate) config: Arc<WebConfig>,
    pub(crate) lang: Lang,
    /// Whether the language came from the browser (else it is the default, and the
    /// tenant's default language may replace it).
    pub(crate) lang_asked: bool,
    pub(crate) token: FormToken,
    /// The prefix the host nested the pages at (`""` at the root, `/support`...).
    pub(crate) prefix: String,
    /// The path asked, with its query, to come back to after logging in.
    pub(crate) here: String,
    /// The tenant named by `?tenant=`, kept on every link for staff who serve several.
    pub(crate) tenant_slug: Option<String>,
}

impl Site {
    /// A link to `path` (starting with `/`) under the pages' prefix, keeping the tenant.
    pub(crate) fn href(&self, path: &str) -> String {
        // Nested routers answer their root at the prefix itself, not with a slash after.
        let mut link = if path == "/" && !self.prefix.is_empty() {
            self.prefix.clone()
        } else {
            format!("{}{}", self.prefix, path)
        };
        if let Some(slug) = &self.tenant_slug {
            link.push(if link.contains('?') { '&' } else { '?' });
            link.push_str("tenant=");
            link.push_str(&encode(slug));
        }
        link
    }

    /// The message in this page's language.
    pub(crate) fn t(&self, msg: crate::i18n::Msg) -> &'static str {
        self.lang.t(msg)
    }
}

/// Percent-encodes a query value.
pub(crate) fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn query_value<'a>(query: &'a str, key: &str) -> Option<&'a str> {
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == key && !v.is_empty()).then_some(v)
    })
}

/// The cookie that keeps the language chosen on the profile page.
pub(crate) const LANG_COOKIE: &str = "hd_lang";

/// The language of the [`LANG_COOKIE`] cookie, when it names one we speak.
fn lang_cookie(parts: &Parts) -> Option<Lang> {
    parts
        .headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|header| header.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == LANG_COOKIE)
        .and_then(|(_, value)| Lang::from_tag(value))
}

/// The prefix the pages are nested at: the original path without the path the nested
/// router saw.
fn prefix(original: &str, inner: &str) -> String {
    let inner = inner.trim_end_matches('/');
    let original = original.trim_end_matches('/');
    original.strip_suffix(inner).unwrap_or(original).to_owned()
}

impl<S> FromRequestParts<S> for Site
where
    S: Send + Sync,
{
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let config = parts
            .extensions
            .get::<Arc<WebConfig>>()
            .cloned()
            .unwrap_or_default();
        // The language this browser chose on the profile page (kept for visitors), then
        // the browser's; a logged-in person's stored language comes first (`Viewer`).
        let asked = lang_cookie(parts).or_else(|| {
            parts
                .headers
                .get(ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Lang::from_accept_language)
        });
        let token = parts
            .extensions
            .get::<FormToken>()
            .cloned()
            .unwrap_or_else(|| FormToken(String::new()));
        let original = parts
            .extensions
            .get::<OriginalUri>()
            .map_or_else(|| parts.uri.clone(), |o| o.0.clone());
        let prefix = prefix(original.path(), parts.uri.path());
        let here = original
            .path_and_query()
            .map_or_else(|| original.path().to_owned(), |pq| pq.as_str().to_owned());
        let tenant_slug = parts
            .uri
            .query()
            .and_then(|q| query_value(q, "tenant"))
            .filter(|s| s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
            .map(str::to_owned);
        Ok(Site {
            config,
            lang: asked.unwrap_or_default(),
            lang_asked: asked.is_some(),
            token,
            prefix,
            here,
            tenant_slug,
        })
    }
}

/// A logged-in person looking at a page: the site context and the caller the host
/// identified, resolved by the core.
#[derive(Clone, Debug)]
pub(crate) struct Viewer {
    pub(crate) site: Site,
    pub(crate) actor: Actor,
    pub(crate) tenant: Option<Tenant>,
    pub(crate) service: HelpdeskService,
}

impl Viewer {
    /// The tenant's label for a status in the page's language, or the default name.
    pub(crate) fn status_label(
        &self,
        tenant: Option<&Tenant>,
        status: helpdesk_core::Status,
    ) -> String {
        match tenant.or(self.tenant.as_ref()) {
            Some(t) => t.settings.label(status, self.site.lang.tag()).to_owned(),
            None => self.site.lang.status(status).to_owned(),
        }
    }

    /// Whether the viewer is support staff.
    pub(crate) fn is_staff(&self) -> bool {
        self.actor.is_staff()
    }

    /// The name shown for the viewer.
    pub(crate) fn display_name(&self) -> &str {
        match &self.actor {
            Actor::Member(m) => &m.display_name,
            Actor::Staff(s) => &s.display_name,
            Actor::System => "",
        }
    }
}

impl<S> FromRequestParts<S> for Viewer
where
    S: Send + Sync,
    HelpdeskState: FromRef<S>,
{
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let mut site = Site::from_request_parts(parts, state).await?;
        let ctx = Ctx::from_request_parts(parts, state)
            .await
            .map_err(|e| PageError::from_api(&site, e))?;
        // The person's stored language, else the cookie or the browser's (already in
        // `site`), else the tenant's default.
        if let Some(lang) = ctx.actor.language().and_then(Lang::from_tag) {
            site.lang = lang;
            site.lang_asked = true;
        } else if !site.lang_asked
            && let Some(lang) = ctx
                .tenant
                .as_ref()
                .and_then(|t| Lang::from_tag(&t.settings.default_language))
        {
            site.lang = lang;
        }
        let service = HelpdeskState::from_ref(state).service().clone();
        Ok(Viewer {
            site,
            actor: ctx.actor,
            tenant: ctx.tenant,
            service,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prefix_is_what_the_host_nested_the_pages_at() {
        assert_eq!(prefix("/support/tickets", "/tickets"), "/support");
        assert_eq!(prefix("/support", "/"), "/support");
        assert_eq!(prefix("/support/", "/"), "/support");
        assert_eq!(prefix("/tickets", "/tickets"), "");
        assert_eq!(prefix("/", "/"), "");
    }

    #[test]
    fn query_values_are_encoded() {
        assert_eq!(encode("a b&c"), "a%20b%26c");
        assert_eq!(encode("été"), "%C3%A9t%C3%A9");
    }
}
