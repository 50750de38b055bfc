//! Text coming from users: rich text sanitised on the way in, plain fields checked, and
//! the accent and case folding used by every search.

use std::fmt;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

use crate::error::{ReasonCode, ValidationError};

/// The longest rich-text body accepted, in bytes, before sanitising.
pub const MAX_RICH_TEXT_BYTES: usize = 256 * 1024;

/// Sanitised HTML: descriptions, replies and notes.
///
/// The only way to build one is through [`RichText::sanitize`] (serde goes through it
/// too), so `<script>`, event handlers and `javascript:` URLs never survive into a
/// ticket, whatever the caller sent or what a database row holds.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(try_from = "String", into = "String")]
pub struct RichText(String);

impl RichText {
    /// Sanitises `html` under the default [`TextPolicy`] and keeps only formatting a
    /// helpdesk needs: paragraphs, emphasis, lists, quotes, code, tables, links (`http`,
    /// `https`, `mailto`) and images of the helpdesk's own attachments.
    ///
    /// Fails when the text, as sent or once sanitised (escaping can make it grow), is
    /// larger than [`MAX_RICH_TEXT_BYTES`].
    pub fn sanitize(html: &str) -> Result<Self, ValidationError> {
        Self::sanitize_with(html, &TextPolicy::default())
    }

    /// Like [`sanitize`](Self::sanitize), under the host's `policy` (which remote hosts
    /// images may come from).
    pub fn sanitize_with(html: &str, policy: &TextPolicy) -> Result<Self, ValidationError> {
        let too_long = || {
            ValidationError::coded(
                "body",
                ReasonCode::TooLarge {
                    max_bytes: MAX_RICH_TEXT_BYTES as u64,
                },
                format!("longer than {MAX_RICH_TEXT_BYTES} bytes"),
            )
        };
        if html.len() > MAX_RICH_TEXT_BYTES {
            return Err(too_long());
        }
        let clean = Self::clean(html, Some(policy));
        if clean.0.len() > MAX_RICH_TEXT_BYTES {
            return Err(too_long());
        }
        Ok(clean)
    }

    /// Sanitises text read back from storage or another trusted writer: the same
    /// cleaning as [`sanitize`](Self::sanitize), without the size limit, which was
    /// enforced when the text was written. Images keep the `http` and `https` sources
    /// the writer's [`TextPolicy`] allowed (it may allow hosts the default refuses);
    /// every other source is dropped with its `<img>`.
    pub fn from_stored(html: &str) -> Self {
        Self::clean(html, None)
    }

    fn clean(html: &str, policy: Option<&TextPolicy>) -> Self {
        let clean = match policy {
            Some(policy) => builder(Some(policy.clone())).clean(html).to_string(),
            // Every stored text read back goes through here (each event of a timeline):
            // its builder is made once, not per text.
            None => {
                static STORED: LazyLock<ammonia::Builder<'static>> =
                    LazyLock::new(|| builder(None));
                STORED.clean(html).to_string()
            }
        };
        // An image whose source was dropped is no image at all: remove the whole tag.
        let clean = remove_tags(&clean, |tag| tag.name == "img" && !tag.has_src);
        Self(clean.trim().to_owned())
    }

    /// Sanitises `html` under the default [`TextPolicy`] and refuses it, naming `field`,
    /// when nothing visible is left: no visible character (whitespace, format characters
    /// such as zero-width spaces and bidirectional controls, and other default-ignorable
    /// code points do not count) and no kept image.
    pub fn required(field: &str, html: &str) -> Result<Self, ValidationError> {
        Self::required_with(field, html, &TextPolicy::default())
    }

    /// Like [`required`](Self::required), under the host's `policy`.
    pub fn required_with(
        field: &str,
        html: &str,
        policy: &TextPolicy,
    ) -> Result<Self, ValidationError> {
        let text = Self::sanitize_with(html, policy).map_err(|e| e.on(field))?;
        if !has_visible(&text.to_plain_text()) && !text.has_image() {
            return Err(ValidationError::coded(
                field,
                ReasonCode::NotVisible,
                "must contain visible text",
            ));
        }
        Ok(text)
    }

    /// Whether an image is left after sanitising.
    fn has_image(&self) -> bool {
        let mut found = false;
        remove_tags(&self.0, |tag| {
            found |= tag.name == "img";
            false
        });
        found
    }

    /// The sanitised HTML.
    pub fn as_html(&self) -> &str {
        &self.0
    }

    /// Whether nothing is left after sanitising.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The text without tags or entities, for search indexes, mails and CSV exports.
    pub fn to_plain_text(&self) -> String {
        let mut out = String::with_capacity(self.0.len());
        let mut in_tag = false;
        for c in self.0.chars() {
            match c {
                '<' => {
                    in_tag = true;
                    out.push(' ');
                }
                '>' => in_tag = false,
                _ if !in_tag => out.push(c),
                _ => {}
            }
        }
        let decoded = out
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&nbsp;", " ")
            .replace("&amp;", "&");
        decoded.split_whitespace().collect::<Vec<_>>().join(" ")
    }
}

/// The sanitiser: the tags and attributes ammonia keeps by default, links of the
/// `http`, `https` and `mailto` schemes (opened without referrer), and image sources as
/// `policy` allows. Stored text (`None`) was checked against the writer's policy, which
/// its reader does not know: it keeps web images from any host, and still drops every
/// other source.
fn builder(policy: Option<TextPolicy>) -> ammonia::Builder<'static> {
    let mut builder = ammonia::Builder::default();
    builder
        .url_schemes(["http", "https", "mailto"].into())
        .link_rel(Some("noopener noreferrer nofollow"));
    builder.attribute_filter(move |element, attribute, value| {
        let kept = match &policy {
            _ if element != "img" || attribute != "src" => true,
            Some(policy) => policy.keeps_image(value),
            None => TextPolicy::is_web_or_attachment(value),
        };
        kept.then_some(value.into())
    });
    builder
}

/// Deserialising sanitises again but does not limit the size: rows written within the
/// limit must always read back. Request bodies go through [`RichText::sanitize`].
impl TryFrom<String> for RichText {
    type Error = ValidationError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Ok(Self::from_stored(&value))
    }
}

impl From<RichText> for String {
    fn from(text: RichText) -> String {
        text.0
    }
}

impl fmt::Debug for RichText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RichText({:?})", self.0)
    }
}

impl fmt::Display for RichText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What rich text may keep beyond the built-in rules: the remote hosts images may be
/// loaded from. Set it on the service with
/// [`HelpdeskService::with_text_policy`](crate::HelpdeskService::with_text_policy).
///
/// By default an image is kept only when it shows one of the helpdesk's own
/// attachments: a relative URL (no scheme, not `//host`) whose path ends with
/// `attachments/<attachment uuid>`, as the download route of `helpdesk-axum` serves
/// it under any prefix (`attachments/…`, `/helpdesk/attachments/…`), without query or
/// fragment. Every other source is dropped, and the `<img>` with it: remote URLs (staff
/// would load tracking pixels, and anything that renders mail or PDF on the server
/// would fetch them, `http://169.254.169.254/` included), protocol-relative `//host/x`,
/// `data:` URLs (no size or type check is worth their risk) and `javascript:`.
///
/// ```
/// use helpdesk_core::{RichText, TextPolicy};
///
/// let policy = TextPolicy::default().allow_image_host("cdn.example.org");
/// let kept = RichText::sanitize_with(r#"<img src="https://cdn.example.org/logo.png">"#, &policy);
/// assert!(kept.is_ok_and(|t| t.as_html().contains("cdn.example.org")));
/// let dropped = RichText::sanitize(r#"<p>hi</p><img src="http://169.254.169.254/x">"#);
/// assert_eq!(dropped.ok().map(|t| t.as_html().to_owned()).as_deref(), Some("<p>hi</p>"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TextPolicy {
    image_hosts: std::sync::Arc<std::collections::BTreeSet<String>>,
}

impl TextPolicy {
    /// The same policy, also keeping `http` and `https` images from `host` (an exact
    /// host name, compared without case; no wildcard, any port).
    pub fn allow_image_host(mut self, host: &str) -> Self {
        std::sync::Arc::make_mut(&mut self.image_hosts).insert(host.trim().to_ascii_lowercase());
        self
    }

    /// The remote hosts images may come from.
    pub fn image_hosts(&self) -> impl Iterator<Item = &str> {
        self.image_hosts.iter().map(String::as_str)
    }

    /// Whether an image with this `src` is kept.
    pub fn keeps_image(&self, src: &str) -> bool {
        let src = src.trim();
        if is_attachment_path(src) {
            return true;
        }
        let Ok(url) = ammonia::Url::parse(src) else {
            return false;
        };
        matches!(url.scheme(), "http" | "https")
            && url.username().is_empty()
            && url.password().is_none()
            && url
                .host_str()
                .is_some_and(|host| self.image_hosts.contains(&host.to_ascii_lowercase()))
    }
}

impl TextPolicy {
    /// Whether `src` is an attachment download or an `http`/`https` URL on any host.
    fn is_web_or_attachment(src: &str) -> bool {
        let src = src.trim();
        is_attachment_path(src)
            || ammonia::Url::parse(src).is_ok_and(|url| matches!(url.scheme(), "http" | "https"))
    }
}

/// Whether `src` is a relative URL to an attachment download: `[prefix/]attachments/<uuid>`.
fn is_attachment_path(src: &str) -> bool {
    let safe = !src.starts_with("//")
        && !src.contains(['\\', '?', '#', ':'])
        && !src.chars().any(|c| c.is_whitespace() || c.is_control());
    let mut segments = src.rsplit('/');
    let (Some(id), Some(dir)) = (segments.next(), segments.next()) else {
        return false;
    };
    safe && dir == "attachments" && uuid::Uuid::try_parse(id).is_ok()
}

/// A start tag of sanitised HTML, as [`remove_tags`] shows it.
struct Tag<'a> {
    name: &'a str,
    has_src: bool,
}

/// `html` (as ammonia serialises it: attribute values in double quotes, `<` in text
/// escaped) without the start tags for which `remove` says so.
fn remove_tags(html: &str, mut remove: impl FnMut(&Tag<'_>) -> bool) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let tag = &rest[open..];
        let mut quoted = false;
        let end = tag
            .char_indices()
            .find(|&(_, c)| {
                if c == '"' {
                    quoted = !quoted;
                }
                c == '>' && !quoted
            })
            .map_or(tag.len(), |(i, _)| i + 1);
        let (whole, after) = tag.split_at(end);
        let name_end = whole[1..]
            .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
            .map_or(whole.len(), |i| i + 1);
        let name = &whole[1..name_end];
        let has_src = attribute_names(&whole[name_end..]).any(|a| a == "src");
        if !remove(&Tag { name, has_src }) {
            out.push_str(whole);
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

/// The attribute names of the inside of a serialised start tag (` a="x" b>`).
fn attribute_names(attrs: &str) -> impl Iterator<Item = &str> {
    let mut names = Vec::new();
    let mut quoted = false;
    let mut start = None;
    for (i, c) in attrs.char_indices() {
        if quoted {
            quoted = c != '"';
            continue;
        }
        match (c, start) {
            ('"', _) => quoted = true,
            ('=' | '>' | '/', Some(s)) => {
                names.push(&attrs[s..i]);
                start = None;
            }
            (c, Some(s)) if c.is_whitespace() => {
                names.push(&attrs[s..i]);
                start = None;
            }
            (c, None) if !c.is_whitespace() && !matches!(c, '=' | '>' | '/') => start = Some(i),
            _ => {}
        }
    }
    names.into_iter()
}

/// Checks a one-line text field: trims it, refuses it empty or without a visible
/// character (see [`has_visible`]), longer than `max_chars` characters, or holding
/// control or invisible formatting characters.
pub fn single_line(field: &str, value: &str, max_chars: usize) -> Result<String, ValidationError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(ValidationError::required(field));
    }
    if trimmed.chars().count() > max_chars {
        return Err(ValidationError::too_long(field, max_chars));
    }
    if trimmed.chars().any(|c| c.is_control() || is_invisible(c)) {
        return Err(ValidationError::coded(
            field,
            ReasonCode::ControlCharacters,
            "must not contain control or invisible formatting characters",
        ));
    }
    if !has_visible(trimmed) {
        return Err(ValidationError::coded(
            field,
            ReasonCode::NotVisible,
            "must contain visible text",
        ));
    }
    Ok(trimmed.to_owned())
}

/// Whether `c` is an invisible character that can disguise text: every format
/// character (Unicode category Cf: zero-width spaces and joiners, bidirectional
/// controls, the byte-order mark, the soft hyphen, tags...), the other
/// default-ignorable code points (Hangul fillers, the combining grapheme joiner...) but
/// the variation selectors, which choose how an emoji or ideograph looks, and the line
/// and paragraph separators.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{0600}'..='\u{0605}'
            | '\u{061C}'
            | '\u{06DD}'
            | '\u{070F}'
            | '\u{0890}'..='\u{0891}'
            | '\u{08E2}'
            | '\u{115F}'..='\u{1160}'
            | '\u{17B4}'..='\u{17B5}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{2028}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF0}'..='\u{FFFB}'
            | '\u{110BD}'
            | '\u{110CD}'
            | '\u{13430}'..='\u{1343F}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0000}'..='\u{E00FF}'
            | '\u{E01F0}'..='\u{E0FFF}'
    )
}

/// Whether `c` shows nothing: whitespace, control characters, the
/// [invisible](is_invisible) ones, variation selectors (default-ignorable too) and the
/// blank Braille pattern.
pub fn is_blank(c: char) -> bool {
    c.is_whitespace()
        || c.is_control()
        || is_invisible(c)
        || matches!(c, '\u{180B}'..='\u{180D}' | '\u{180F}' | '\u{FE00}'..='\u{FE0F}' | '\u{E0100}'..='\u{E01EF}' | '\u{2800}')
}

/// Whether `text` has at least one character that is not [blank](is_blank).
pub fn has_visible(text: &str) -> bool {
    text.chars().any(|c| !is_blank(c))
}

/// `text` made safe to put between HTML tags: `&`, `<`, `>` and quotes escaped.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Like [`single_line`], for a field that may be left out: blank means none.
pub fn optional_line(
    field: &str,
    value: Option<&str>,
    max_chars: usize,
) -> Result<Option<String>, ValidationError> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => single_line(field, v, max_chars).map(Some),
    }
}

/// Folds `text` for matching: lower case, accents removed, so "Clôture" and "cloture"
/// compare equal. Every search (store and in-memory) folds both sides with this.
pub fn fold(text: &str) -> String {
    text.nfkd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The folded words of `text`: runs of letters and digits, at least two characters long.
pub fn words(text: &str) -> Vec<String> {
    fold(text)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 2)
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn scripts_handlers_and_javascript_urls_never_survive() {
        let dirty = r#"<p onclick="steal()">Hi <script>alert(1)</script><a href="javascript:alert(2)">x</a><img src=x onerror=alert(3)></p>"#;
        let clean = RichText::sanitize(dirty).map(|t| t.as_html().to_owned());
        let clean = clean.unwrap_or_default();
        assert!(!clean.contains("<script"), "{clean}");
        assert!(!clean.contains("onclick"), "{clean}");
        assert!(!clean.contains("onerror"), "{clean}");
        assert!(!clean.contains("javascript:"), "{clean}");
        assert!(clean.contains("Hi"), "{clean}");
    }

    #[test]
    fn deserialising_sanitises_too() {
        let text: RichText = serde_json::from_str(r#""<b>ok</b><script>x()</script>""#)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(text.as_html(), "<b>ok</b>");
    }

    #[test]
    fn text_that_grows_past_the_limit_when_escaped_is_refused_but_stored_text_reads_back() {
        let ampersands = "&".repeat(MAX_RICH_TEXT_BYTES / 4 + 1);
        let err = RichText::sanitize(&ampersands).err();
        assert_eq!(err.map(|e| e.field), Some("body".to_owned()));
        let big = format!("\"{}\"", "&amp;".repeat(MAX_RICH_TEXT_BYTES / 4));
        let read: Result<RichText, _> = serde_json::from_str(&big);
        assert!(read.is_ok(), "stored text always reads back");
    }

    #[test]
    fn formatting_is_kept() {
        let text = RichText::sanitize("<p><b>Bonjour</b>, <i>merci</i></p><ul><li>un</li></ul>");
        assert_eq!(
            text.map(|t| t.as_html().to_owned()).ok().as_deref(),
            Some("<p><b>Bonjour</b>, <i>merci</i></p><ul><li>un</li></ul>")
        );
    }

    #[test]
    fn a_body_of_only_markup_is_empty() {
        let err = RichText::required("message", "<p> </p><script>x</script>");
        assert_eq!(err.err().map(|e| e.field), Some("message".to_owned()));
    }

    #[test]
    fn plain_text_drops_tags_and_decodes_entities() {
        let text =
            RichText::sanitize("<p>A &amp; B</p><p>C &lt; D</p>").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(text.to_plain_text(), "A & B C < D");
    }

    #[test]
    fn folding_removes_accents_and_case() {
        assert_eq!(fold("Clôture Réglée ÉTÉ"), "cloture reglee ete");
        assert_eq!(
            words("L'imprimante, n°3 ne marche plus!"),
            ["imprimante", "ne", "marche", "plus"]
        );
    }

    #[test]
    fn single_lines_refuse_blank_long_and_control_characters() {
        assert!(single_line("subject", "  ", 10).is_err());
        assert!(single_line("subject", "abcdefghijk", 10).is_err());
        assert!(single_line("subject", "a\u{0}b", 10).is_err());
        assert!(single_line("subject", "a\u{200b}dmin", 10).is_err());
        assert!(single_line("subject", "\u{202e}txt.exe", 10).is_err());
        assert_eq!(
            single_line("subject", " ok ", 10).ok().as_deref(),
            Some("ok")
        );
    }
    #[test]
    fn required_text_of_invisible_characters_only_is_refused_naming_the_field() {
        for body in [
            "\u{200B}",
            "\u{2060}\u{00AD}\u{200E}",
            "&#8203;",
            "<p>\u{200b}</p>",
            "<img>",
            "&nbsp;",
            "\u{202E}\u{2066}\u{2069}",
            "\u{FEFF}",
            "\u{3164}",
            "<p>&#x3164;&#xFE0F;\u{2800}</p>",
            r#"<img src="http://169.254.169.254/latest/meta-data/">"#,
        ] {
            let err = RichText::required("justification", body).err();
            assert_eq!(
                err.map(|e| e.field).as_deref(),
                Some("justification"),
                "{body:?}"
            );
        }
        assert!(RichText::required("justification", "<p>\u{200b}x</p>").is_ok());
    }

    #[test]
    fn one_line_fields_refuse_invisible_only_values() {
        for subject in [
            "\u{3164}",
            "\u{2800}",
            "\u{FE0F}",
            "\u{115F}\u{1160}",
            "\u{180E}",
        ] {
            let err = single_line("subject", subject, 100).err();
            assert_eq!(
                err.map(|e| e.field).as_deref(),
                Some("subject"),
                "{subject:?}"
            );
        }
        assert_eq!(
            single_line("subject", "Imprimante ❤\u{FE0F}", 100)
                .ok()
                .as_deref(),
            Some("Imprimante ❤\u{FE0F}"),
            "variation selectors beside a visible character are fine"
        );
    }

    #[test]
    fn remote_protocol_relative_data_and_script_images_are_removed_entirely() {
        for src in [
            "http://169.254.169.254/latest/meta-data/",
            "https://tracker.example/pixel.gif",
            "//tracker.example/pixel.gif",
            "data:image/png;base64,iVBORw0KGgo=",
            "javascript:alert(1)",
            "attachments/not-a-uuid",
            "attachments/0e5b2b8e-6c35-4d8e-9d7c-2f6a3c1e9b10?x=1",
            "https://user@cdn.example.org/x.png",
        ] {
            let html = format!(r#"<p>Bonjour</p><img src="{src}" alt="x">"#);
            let policy = TextPolicy::default().allow_image_host("cdn.example.org");
            let clean = RichText::sanitize_with(&html, &policy).map(|t| t.as_html().to_owned());
            assert_eq!(clean.ok().as_deref(), Some("<p>Bonjour</p>"), "{src}");
        }
    }

    #[test]
    fn images_of_own_attachments_and_allowed_hosts_are_kept() {
        let id = "0e5b2b8e-6c35-4d8e-9d7c-2f6a3c1e9b10";
        for src in [
            format!("attachments/{id}"),
            format!("/helpdesk/attachments/{id}"),
        ] {
            let html = format!(r#"<img src="{src}" alt="capture">"#);
            let kept = RichText::required("body", &html).map(|t| t.as_html().to_owned());
            assert_eq!(
                kept.ok(),
                Some(format!(r#"<img src="{src}" alt="capture">"#))
            );
        }
        let remote = r#"<img src="https://CDN.example.org/logo.png">"#;
        assert!(
            RichText::required("body", remote).is_err(),
            "not allowed by default"
        );
        let policy = TextPolicy::default().allow_image_host("cdn.example.org");
        let kept = RichText::required_with("body", remote, &policy);
        assert!(kept.is_ok_and(|t| t.as_html().contains("logo.png")));
    }

    #[test]
    fn a_dropped_image_is_removed_whatever_its_other_attributes_hold() {
        for html in [
            r#"<p>a</p><img alt="x > y" src="http://evil.example/p.gif">"#,
            r#"<p>a</p><img alt=' src="' src="http://evil.example/p.gif">"#,
            r#"<p>a</p><img alt="<img src=attachments/0e5b2b8e-6c35-4d8e-9d7c-2f6a3c1e9b10>">"#,
            r#"<p>a</p><IMG SRC="HTTP://evil.example/p.gif" width=1 height=1/>"#,
        ] {
            let clean = RichText::sanitize(html).map(|t| t.as_html().to_owned());
            assert_eq!(clean.ok().as_deref(), Some("<p>a</p>"), "{html}");
        }
    }

    #[test]
    fn stored_text_keeps_the_images_its_writer_allowed_and_drops_other_sources() {
        let stored = r#"<img src="https://cdn.example.org/logo.png">"#;
        assert_eq!(RichText::from_stored(stored).as_html(), stored);
        let odd = r#"<p>a</p><img src="//evil.example/x.gif"><img src="data:image/gif;base64,R0lG"><img>"#;
        assert_eq!(RichText::from_stored(odd).as_html(), "<p>a</p>");
    }

    /// Every blank character.
    fn blank_chars() -> Vec<char> {
        (0..=u32::from(char::MAX))
            .filter_map(char::from_u32)
            .filter(|c| is_blank(*c))
            .collect()
    }

    /// Pieces that show nothing: blank characters raw or as entities, and empty tags.
    fn invisible_piece() -> impl Strategy<Value = String> {
        // As entities, NUL and the C1 controls stand for visible characters (U+FFFD and
        // Windows-1252), as HTML says.
        let blank_char = prop::sample::select(blank_chars())
            .prop_filter("visible as entity", |c| {
                !matches!(*c, '\0' | '\u{80}'..='\u{9F}')
            });
        let listed = prop::sample::select(vec![
            '\u{200B}',
            '\u{2060}',
            '\u{00AD}',
            '\u{200E}',
            '\u{202E}',
            '\u{2067}',
            '\u{FEFF}',
            '\u{3164}',
            '\u{FFA0}',
            '\u{115F}',
            '\u{034F}',
            '\u{180E}',
            '\u{FE0F}',
            '\u{E0041}',
            '\u{2800}',
            '\u{00A0}',
            '\u{3000}',
            ' ',
            '\n',
            '\u{1D173}',
            '\u{061C}',
        ]);
        let character = prop_oneof![blank_char, listed];
        prop_oneof![
            character.clone().prop_map(String::from),
            character
                .clone()
                .prop_map(|c| format!("&#{};", u32::from(c))),
            character.prop_map(|c| format!("&#x{:X};", u32::from(c))),
            prop::sample::select(vec![
                "&nbsp;",
                "<p></p>",
                "<img>",
                "<br>",
                "<b></b>",
                "<span>",
                "</span>",
                "<p>",
                "</p>",
                "<img src=\"\">",
                "<img src=\"http://169.254.169.254/\">",
                "<img src=\"//evil.example/x.gif\">",
                "<img src=\"data:image/gif;base64,R0lG\">",
                "<script>alert(1)</script>",
                "<!-- x -->",
                "<table><tr><td></td></tr></table>",
            ])
            .prop_map(str::to_owned),
        ]
    }

    fn visible_char() -> impl Strategy<Value = char> {
        prop_oneof![
            any::<char>().prop_filter("visible", |c| c.is_alphanumeric() && !is_blank(*c)),
            prop::sample::select(vec!['a', 'É', '€', '中', '😀', '!', '1', 'ß', 'ا']),
        ]
    }

    proptest! {
        #[test]
        fn required_text_built_of_invisible_pieces_only_is_refused(
            pieces in prop::collection::vec(invisible_piece(), 1..8),
        ) {
            let html = pieces.concat();
            let err = RichText::required("solution", &html).err();
            prop_assert_eq!(err.map(|e| e.field), Some("solution".to_owned()), "{:?}", html);
        }

        #[test]
        fn required_text_with_one_visible_character_is_accepted(
            pieces in prop::collection::vec(invisible_piece(), 0..8),
            at in any::<prop::sample::Index>(),
            visible in visible_char(),
        ) {
            let mut pieces = pieces;
            let at = at.index(pieces.len() + 1);
            pieces.insert(at, visible.to_string());
            let html = pieces.concat();
            prop_assert!(RichText::required("solution", &html).is_ok(), "{:?}", html);
        }

        #[test]
        fn one_line_fields_of_invisible_characters_only_are_refused(
            chars in prop::collection::vec(prop::sample::select(blank_chars()), 1..8),
        ) {
            let subject: String = chars.into_iter().collect();
            let err = single_line("subject", &subject, 200).err();
            prop_assert_eq!(err.map(|e| e.field), Some("subject".to_owned()), "{:?}", subject);
        }
    }
}
