//! Text coming from users: rich text sanitised on the way in, plain fields checked, and
//! the accent and case folding used by every search.

use std::fmt;

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

use crate::error::ValidationError;

/// The longest rich-text body accepted, in bytes, before sanitising.
pub const MAX_RICH_TEXT_BYTES: usize = 256 * 1024;

/// Sanitised HTML: descriptions, replies and notes.
///
/// The only way to build one is through [`RichText::sanitize`] (serde goes through it
/// too), so `<script>`, event handlers and `javascript:` URLs never survive into a
/// ticket, whatever the caller sent or what a database row holds.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RichText(String);

impl RichText {
    /// Sanitises `html` and keeps only formatting a helpdesk needs: paragraphs, emphasis,
    /// lists, quotes, code, tables, links (`http`, `https`, `mailto`) and images.
    ///
    /// Fails when the text, as sent or once sanitised (escaping can make it grow), is
    /// larger than [`MAX_RICH_TEXT_BYTES`].
    pub fn sanitize(html: &str) -> Result<Self, ValidationError> {
        let too_long =
            || ValidationError::new("body", format!("longer than {MAX_RICH_TEXT_BYTES} bytes"));
        if html.len() > MAX_RICH_TEXT_BYTES {
            return Err(too_long());
        }
        let clean = Self::clean(html);
        if clean.0.len() > MAX_RICH_TEXT_BYTES {
            return Err(too_long());
        }
        Ok(clean)
    }

    /// Sanitises text read back from storage or another trusted writer: the same
    /// cleaning as [`sanitize`](Self::sanitize), without the size limit, which was
    /// enforced when the text was written.
    pub fn from_stored(html: &str) -> Self {
        Self::clean(html)
    }

    fn clean(html: &str) -> Self {
        let clean = ammonia::Builder::default()
            .url_schemes(["http", "https", "mailto"].into())
            .link_rel(Some("noopener noreferrer nofollow"))
            .clean(html)
            .to_string();
        Self(clean.trim().to_owned())
    }

    /// Sanitises `html` and refuses it when nothing readable is left, naming `field`.
    pub fn required(field: &str, html: &str) -> Result<Self, ValidationError> {
        let text = Self::sanitize(html).map_err(|e| ValidationError::new(field, e.reason))?;
        if text.to_plain_text().trim().is_empty() && !text.0.contains("<img") {
            return Err(ValidationError::new(field, "must not be empty"));
        }
        Ok(text)
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

/// Checks a one-line text field: trims it, refuses it empty, longer than `max_chars`
/// characters, or holding control characters.
pub fn single_line(field: &str, value: &str, max_chars: usize) -> Result<String, ValidationError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(ValidationError::new(field, "must not be empty"));
    }
    if trimmed.chars().count() > max_chars {
        return Err(ValidationError::new(
            field,
            format!("must be at most {max_chars} characters"),
        ));
    }
    if trimmed.chars().any(|c| c.is_control() || is_invisible(c)) {
        return Err(ValidationError::new(
            field,
            "must not contain control or invisible formatting characters",
        ));
    }
    Ok(trimmed.to_owned())
}

/// Whether `c` is an invisible formatting character that can disguise text: zero-width
/// characters, bidirectional overrides, line and paragraph separators, the byte-order
/// mark, the soft hyphen.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{200B}'..='\u{200F}'
            | '\u{2028}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}'
    )
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
}
