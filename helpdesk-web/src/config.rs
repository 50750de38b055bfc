//! What a host says about the pages: its name and colours, its own page frame, where
//! its login lives.

use std::fmt;
use std::sync::Arc;

use maud::{DOCTYPE, Markup, html};

use crate::i18n::Lang;

/// The host's look: a name, a logo and the colours of the pages, as CSS custom
/// properties (served in a style sheet, so a strict Content-Security-Policy holds).
#[derive(Clone, Debug)]
pub struct Theme {
    /// The name shown in the header and in page titles.
    pub name: String,
    /// The address of a logo image, on the host's own origin.
    pub logo_url: Option<String>,
    /// The accent colour of buttons, links and the header (`--hd-accent`).
    pub accent: String,
    /// Text on the accent colour (`--hd-on-accent`).
    pub on_accent: String,
    /// The page background (`--hd-background`).
    pub background: String,
    /// The body text (`--hd-text`).
    pub text: String,
}

impl Default for Theme {
    fn default() -> Self {
        Self {
            name: "Helpdesk".to_owned(),
            logo_url: None,
            accent: "#1d4ed8".to_owned(),
            on_accent: "#ffffff".to_owned(),
            background: "#f8fafc".to_owned(),
            text: "#0f172a".to_owned(),
        }
    }
}

impl Theme {
    /// The theme's colours as a style sheet of custom properties. Values that are not a
    /// plain colour (a `#hex`, a name, or an `rgb()`/`hsl()` call) are left out, so a
    /// theme cannot inject rules.
    pub fn style_sheet(&self) -> String {
        let mut css = String::from(":root {\n");
        for (name, value) in [
            ("--hd-accent", &self.accent),
            ("--hd-on-accent", &self.on_accent),
            ("--hd-background", &self.background),
            ("--hd-text", &self.text),
        ] {
            if is_plain_colour(value) {
                css.push_str(&format!("  {name}: {value};\n"));
            }
        }
        css.push_str("}\n");
        css
    }
}

fn is_plain_colour(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= 64
        && value.chars().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, '#' | '(' | ')' | ',' | '.' | '%' | ' ')
        })
}

/// One page, ready to be framed: what [`Chrome::frame`] receives.
#[derive(Debug)]
pub struct PageParts<'a> {
    /// The page's language.
    pub lang: Lang,
    /// The page title (already with the host's name).
    pub title: &'a str,
    /// The elements the helpdesk needs in `<head>`: its style sheets and script.
    pub head: Markup,
    /// The helpdesk's own navigation (home, tickets, new ticket, administration,
    /// profile), for the host to place in its own menu or keep.
    pub nav: Markup,
    /// The page's content.
    pub content: Markup,
}

/// The frame around every page. The default frame is a whole HTML document with the
/// helpdesk's header and navigation; a host that wants the helpdesk to look like one of
/// its own tabs implements this with its own header, menu and footer, keeping `head` in
/// its `<head>` and `content` in its `<main>`.
pub trait Chrome: Send + Sync + 'static {
    /// The whole document for one page.
    fn frame(&self, theme: &Theme, page: PageParts<'_>) -> Markup;
}

/// The helpdesk's own frame: a header with the host's name and logo, the navigation, and
/// the content.
#[derive(Clone, Copy, Debug, Default)]
pub struct DefaultChrome;

impl Chrome for DefaultChrome {
    fn frame(&self, theme: &Theme, page: PageParts<'_>) -> Markup {
        let lang = page.lang;
        html! {
            (DOCTYPE)
            html lang=(lang.tag()) {
                head {
                    meta charset="utf-8";
                    meta name="viewport" content="width=device-width, initial-scale=1";
                    title { (page.title) }
                    (page.head)
                }
                body {
                    a class="hd-skip" href="#hd-main" { (lang.t(crate::i18n::Msg::SkipToContent)) }
                    header class="hd-header" {
                        @if let Some(logo) = &theme.logo_url {
                            img class="hd-logo" src=(logo) alt="";
                        }
                        span class="hd-brand" { (theme.name) }
                        (page.nav)
                    }
                    main id="hd-main" class="hd-main" tabindex="-1" { (page.content) }
                }
            }
        }
    }
}

/// How the host plugs the pages in: its theme, its frame, and where its login page is.
#[derive(Clone)]
pub struct WebConfig {
    pub(crate) theme: Theme,
    pub(crate) chrome: Arc<dyn Chrome>,
    pub(crate) login_url: String,
    pub(crate) logout_url: Option<String>,
    pub(crate) secure_cookies: bool,
}

impl fmt::Debug for WebConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebConfig")
            .field("theme", &self.theme)
            .field("login_url", &self.login_url)
            .field("logout_url", &self.logout_url)
            .field("secure_cookies", &self.secure_cookies)
            .finish_non_exhaustive()
    }
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            theme: Theme::default(),
            chrome: Arc::new(DefaultChrome),
            login_url: "/login".to_owned(),
            logout_url: None,
            secure_cookies: false,
        }
    }
}

impl WebConfig {
    /// The default look, the default frame, the host's login at `/login`.
    pub fn new() -> Self {
        Self::default()
    }

    /// The host's name, logo and colours.
    pub fn with_theme(mut self, theme: Theme) -> Self {
        self.theme = theme;
        self
    }

    /// The host's own frame around every page.
    pub fn with_chrome(mut self, chrome: impl Chrome) -> Self {
        self.chrome = Arc::new(chrome);
        self
    }

    /// Where a visitor who is not logged in is sent; the page they asked for follows as
    /// `?next=`, a path on this site.
    pub fn with_login_url(mut self, url: impl Into<String>) -> Self {
        self.login_url = url.into();
        self
    }

    /// Where the navigation's "log out" button posts (a form `POST` to the host's own
    /// route, which ends its session); without it the navigation has no such button.
    pub fn with_logout_url(mut self, url: impl Into<String>) -> Self {
        self.logout_url = Some(url.into());
        self
    }

    /// Marks the pages' own cookie (the form token) `Secure`: set it when the site is
    /// served over HTTPS.
    pub fn with_secure_cookies(mut self, secure: bool) -> Self {
        self.secure_cookies = secure;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_theme_sheet_keeps_only_plain_colours() {
        let theme = Theme {
            accent: "#123456".into(),
            on_accent: "white; } body { display: none".into(),
            background: "rgb(1, 2, 3)".into(),
            text: "hsl(10 20% 30%)".into(),
            ..Theme::default()
        };
        let css = theme.style_sheet();
        assert!(css.contains("--hd-accent: #123456;"));
        assert!(css.contains("--hd-background: rgb(1, 2, 3);"));
        assert!(!css.contains("display"));
        assert!(!css.contains("--hd-on-accent"));
    }
}
