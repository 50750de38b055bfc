//! Rich-text fields (the description, replies and notes): a plain `<textarea>` that
//! `helpdesk.js` turns into a small editor.
//!
//! Without a script the field is text, made into HTML by the text conversion
//! ([`crate::pages::new_ticket::text`]). With the editor, the form says
//! `format=html` and the field holds the editor's HTML: untrusted like any request body,
//! it goes to the core's sanitiser unchanged ([`helpdesk_core::RichText`]), never
//! through the text conversion and never shown as sent.

use helpdesk_core::RichText;
use maud::{Markup, html};

use crate::i18n::Msg;
use crate::pages::new_ticket::text;
use crate::site::Site;

/// The form field that says what the rich-text field holds.
pub(crate) const FORMAT_FIELD: &str = "format";

/// What a rich-text field holds, as its form says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    /// Text typed in the plain textarea (no script).
    Text,
    /// The editor's HTML.
    Html,
}

impl Format {
    /// The format a form's `format` field names: HTML only when it says so exactly.
    pub(crate) fn of(value: &str) -> Format {
        if value.trim() == "html" {
            Format::Html
        } else {
            Format::Text
        }
    }

    /// The HTML to give the core for `value` (which the core sanitises).
    pub(crate) fn to_core(self, value: &str) -> String {
        match self {
            Format::Html => value.to_owned(),
            Format::Text => text::to_html(value),
        }
    }
}

/// What a rich-text field starts with: the text of the plain textarea, and the
/// sanitised HTML the editor loads instead (when there is formatting to keep).
#[derive(Debug, Default)]
pub(crate) struct Seed {
    /// The textarea's text.
    pub(crate) text: String,
    /// The editor's HTML, already sanitised (`data-rich-html`).
    pub(crate) html: Option<String>,
}

impl Seed {
    /// A field given back as it was sent (a refused form): text as typed, or the
    /// editor's HTML sanitised again (under the default policy) before it is shown.
    pub(crate) fn kept(format: Format, value: &str) -> Seed {
        match format {
            Format::Text => Seed {
                text: value.to_owned(),
                html: None,
            },
            // The default policy: no remote image, whatever the host allows.
            Format::Html => match RichText::sanitize(value) {
                Ok(rich) => Seed::stored(&rich),
                // Too long to keep as HTML: its text, for the user to shorten.
                Err(_) => Seed {
                    text: to_text(RichText::from_stored(value).as_html()),
                    html: None,
                },
            },
        }
    }

    /// A field holding stored rich text (the description being edited).
    pub(crate) fn stored(rich: &RichText) -> Seed {
        Seed {
            text: to_text(rich.as_html()),
            html: Some(rich.as_html().to_owned()),
        }
    }
}

/// The editor's toolbar, inert in a `<template>` beside the field: the script clones it
/// over the editor. Its words come from the catalogue, like every other.
pub(crate) fn toolbar(site: &Site) -> Markup {
    let button = |command: &str, label: Msg, keys: &str, face: Markup| {
        let words = site.t(label);
        let title = if keys.is_empty() {
            words.to_owned()
        } else {
            format!("{words} ({keys})")
        };
        html! {
            button type="button" class="hd-rich-button" data-command=(command)
                aria-label=(words) aria-pressed="false" title=(title) { (face) }
        }
    };
    html! {
        template class="hd-rich-toolbar" {
            div class="hd-rich-tools" role="toolbar" aria-label=(site.t(Msg::RichToolbar)) {
                (button("bold", Msg::RichBold, "Ctrl+B", html! { strong aria-hidden="true" { "B" } }))
                (button("italic", Msg::RichItalic, "Ctrl+I", html! { em aria-hidden="true" { "I" } }))
                (button("underline", Msg::RichUnderline, "Ctrl+U", html! { u aria-hidden="true" { "U" } }))
                // The list faces are drawn by the style sheet: visible text that is
                // not its name ("1.") would not match the button's accessible name.
                (button("insertUnorderedList", Msg::RichBullets, "", html! { span class="hd-rich-icon hd-rich-ul" aria-hidden="true" {} }))
                (button("insertOrderedList", Msg::RichNumbers, "", html! { span class="hd-rich-icon hd-rich-ol" aria-hidden="true" {} }))
                button type="button" class="hd-rich-button" data-command="createLink"
                    data-prompt=(site.t(Msg::RichLinkPrompt))
                    aria-label=(site.t(Msg::RichLink)) aria-pressed="false" title=(site.t(Msg::RichLink)) {
                    span class="hd-rich-link" { (site.t(Msg::RichLink)) }
                }
            }
        }
    }
}

/// Sanitised HTML as text for the plain textarea, in the form the text conversion
/// reads back: paragraphs between blank lines, line breaks, `- ` list items, and links
/// as their address (after their words when these differ).
pub(crate) fn to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    let mut href: Option<String> = None;
    let mut link_words = String::new();
    while let Some(open) = rest.find('<') {
        push_text(&mut out, &mut link_words, href.is_some(), &rest[..open]);
        let Some(close) = rest[open..].find('>') else {
            rest = "";
            break;
        };
        let tag = &rest[open + 1..open + close];
        rest = &rest[open + close + 1..];
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase();
        let closing = tag.starts_with('/');
        match (name.as_str(), closing) {
            ("p" | "div" | "ul" | "ol" | "blockquote" | "pre" | "table", _) => {
                end_block(&mut out);
            }
            ("h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "tr", _) => end_block(&mut out),
            ("br", _) => out.push('\n'),
            ("li", false) => {
                end_line(&mut out);
                out.push_str("- ");
            }
            ("li", true) => end_line(&mut out),
            ("a", false) => {
                href = attribute(tag, "href");
                link_words.clear();
            }
            ("a", true) => {
                if let Some(address) = href.take() {
                    let words = decode(&link_words);
                    if words.trim() == address || words.trim().is_empty() {
                        out.push_str(&address);
                    } else {
                        out.push_str(&format!("{} ({address})", words.trim()));
                    }
                }
            }
            _ => {}
        }
    }
    push_text(&mut out, &mut link_words, href.is_some(), rest);
    let lines: Vec<&str> = out.lines().map(str::trim_end).collect();
    let mut text = String::new();
    let mut blank = true;
    for line in lines {
        if line.trim().is_empty() {
            if !blank {
                text.push('\n');
            }
            blank = true;
        } else {
            text.push_str(line.trim_start());
            text.push('\n');
            blank = false;
        }
    }
    text.trim_end().to_owned()
}

fn push_text(out: &mut String, link_words: &mut String, in_link: bool, raw: &str) {
    if in_link {
        link_words.push_str(raw);
    } else {
        out.push_str(&decode(raw));
    }
}

/// Ends the current line and leaves a blank one (a paragraph's end).
fn end_block(out: &mut String) {
    end_line(out);
    out.push('\n');
}

fn end_line(out: &mut String) {
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
}

/// The value of `name` in a start tag as ammonia writes it (`name="value"`), decoded.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let key = format!("{name}=\"");
    let start = tag.find(&key)? + key.len();
    let end = tag[start..].find('"')? + start;
    Some(decode(&tag[start..end]))
}

/// The entities ammonia writes, decoded (`&amp;` last).
fn decode(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::{Format, Seed, to_text};
    use crate::pages::new_ticket::text::to_html;

    #[test]
    fn only_the_word_html_means_html() {
        assert_eq!(Format::of("html"), Format::Html);
        assert_eq!(Format::of(""), Format::Text);
        assert_eq!(Format::of("HTML5"), Format::Text);
        assert_eq!(
            Format::Text.to_core("<b>x</b>"),
            "<p>&lt;b&gt;x&lt;/b&gt;</p>"
        );
        assert_eq!(Format::Html.to_core("<b>x</b>"), "<b>x</b>");
    }

    #[test]
    fn text_of_html_reads_back_through_the_text_conversion() {
        let html = "<p>Bonjour &amp; merci<br>ligne 2</p><ul><li>un</li><li><strong>deux</strong></li></ul><p>Voir <a href=\"https://x.fr/a?b=1&amp;c=2\" rel=\"noopener\">https://x.fr/a?b=1&amp;c=2</a></p>";
        let text = to_text(html);
        assert_eq!(
            text,
            "Bonjour & merci\nligne 2\n\n- un\n- deux\n\nVoir https://x.fr/a?b=1&c=2"
        );
        assert_eq!(to_html(&text), to_html(&to_text(&to_html(&text))));
        assert_eq!(
            to_text("<p><a href=\"https://x.fr\">le site</a></p>"),
            "le site (https://x.fr)"
        );
    }

    #[test]
    fn kept_html_is_sanitised_again_before_it_is_shown() {
        let seed = Seed::kept(
            Format::Html,
            "<p onclick=\"x()\">hi<script>alert(1)</script></p>",
        );
        assert_eq!(seed.html.as_deref(), Some("<p>hi</p>"));
        assert_eq!(seed.text, "hi");
        let text = Seed::kept(Format::Text, "<b>typed</b>");
        assert_eq!((text.text.as_str(), text.html), ("<b>typed</b>", None));
    }
}
