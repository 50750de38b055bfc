//! The description typed in a plain `<textarea>`, made into the HTML the core takes:
//! the path without a script (the editor sends HTML, see [`crate::rich`]). Replies and
//! notes typed without the editor take the same path.
//!
//! Every character typed is shown as typed (`<b>` stays the four characters `<b>`):
//! the text is escaped first. On top of that, a little formatting that needs no script
//! and no markup to learn:
//!
//! - a blank line separates two paragraphs (`<p>`); a single line break stays a line
//!   break (`<br>`);
//! - consecutive lines starting with `- ` or `* ` make a bulleted list (`<ul><li>`);
//! - bare `http://` and `https://` addresses become links (`<a href>`), without the
//!   punctuation that ends a sentence after them.
//!
//! The core then sanitises the result like any description.

use helpdesk_core::text::escape_html;

/// The HTML of a description typed as plain text.
pub(crate) fn to_html(text: &str) -> String {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut html = String::with_capacity(text.len() + text.len() / 8);
    for block in blocks(&text) {
        let mut lines = block.iter().peekable();
        while let Some(line) = lines.next() {
            if let Some(item) = list_item(line) {
                html.push_str("<ul><li>");
                html.push_str(&inline(item));
                html.push_str("</li>");
                while let Some(item) = lines.peek().and_then(|l| list_item(l)) {
                    html.push_str("<li>");
                    html.push_str(&inline(item));
                    html.push_str("</li>");
                    lines.next();
                }
                html.push_str("</ul>");
            } else {
                html.push_str("<p>");
                html.push_str(&inline(line.trim_end()));
                while let Some(next) = lines.peek().filter(|l| list_item(l).is_none()) {
                    html.push_str("<br>");
                    html.push_str(&inline(next.trim_end()));
                    lines.next();
                }
                html.push_str("</p>");
            }
        }
    }
    html
}

/// The paragraphs: runs of lines between blank lines.
fn blocks(text: &str) -> Vec<Vec<&str>> {
    let mut blocks = Vec::new();
    let mut current = Vec::new();
    for line in text.split('\n') {
        if line.trim().is_empty() {
            if !current.is_empty() {
                blocks.push(std::mem::take(&mut current));
            }
        } else {
            current.push(line);
        }
    }
    if !current.is_empty() {
        blocks.push(current);
    }
    blocks
}

/// The text of a list item line (`- item`, `* item`), if it is one.
fn list_item(line: &str) -> Option<&str> {
    let trimmed = line.trim_start();
    trimmed
        .strip_prefix("- ")
        .or_else(|| trimmed.strip_prefix("* "))
        .map(str::trim)
        .filter(|item| !item.is_empty())
}

/// One line, escaped, with its web addresses made links.
fn inline(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(start) = next_url(rest) {
        let (before, from_url) = rest.split_at(start);
        out.push_str(&escape_html(before));
        let end = from_url
            .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"'))
            .unwrap_or(from_url.len());
        let candidate = &from_url[..end];
        let url = candidate.trim_end_matches(|c: char| {
            matches!(
                c,
                '.' | ',' | ';' | ':' | '!' | '?' | ')' | ']' | '}' | '\''
            )
        });
        if url.len() > "https://".len() && !url.ends_with("://") {
            let escaped = escape_html(url);
            out.push_str("<a href=\"");
            out.push_str(&escaped);
            out.push_str("\">");
            out.push_str(&escaped);
            out.push_str("</a>");
            rest = &from_url[url.len()..];
        } else {
            // `http://` alone: text.
            out.push_str(&escape_html(candidate));
            rest = &from_url[end..];
        }
    }
    out.push_str(&escape_html(rest));
    out
}

/// Where the next `http://` or `https://` address starts, at a word's start.
fn next_url(text: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(found) = text[from..].find("http").map(|i| i + from) {
        let tail = &text[found..];
        let at_word_start = text[..found]
            .chars()
            .next_back()
            .is_none_or(|c| c.is_whitespace() || matches!(c, '(' | '[' | '«' | '"' | '\''));
        if at_word_start && (tail.starts_with("http://") || tail.starts_with("https://")) {
            return Some(found);
        }
        from = found + "http".len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::to_html;

    #[test]
    fn markup_typed_is_shown_as_typed() {
        assert_eq!(
            to_html("<b>bold</b> & <script>x</script>"),
            "<p>&lt;b&gt;bold&lt;/b&gt; &amp; &lt;script&gt;x&lt;/script&gt;</p>"
        );
    }

    #[test]
    fn blank_lines_make_paragraphs_and_single_breaks_stay() {
        assert_eq!(
            to_html("one\r\ntwo\r\n\r\n\r\nthree  \n"),
            "<p>one<br>two</p><p>three</p>"
        );
        assert_eq!(to_html("  \n\n "), "");
    }

    #[test]
    fn dashed_lines_make_a_list() {
        assert_eq!(
            to_html("Steps:\n- open Word\n* print\nthen it jams"),
            "<p>Steps:</p><ul><li>open Word</li><li>print</li></ul><p>then it jams</p>"
        );
        assert_eq!(to_html("-5 degrees"), "<p>-5 degrees</p>");
    }

    #[test]
    fn bare_addresses_become_links_without_trailing_punctuation() {
        assert_eq!(
            to_html("See https://example.org/a?b=1&c=2. Or (http://x.fr)"),
            "<p>See <a href=\"https://example.org/a?b=1&amp;c=2\">https://example.org/a?b=1&amp;c=2</a>. Or (<a href=\"http://x.fr\">http://x.fr</a>)</p>"
        );
        assert_eq!(to_html("http:// alone"), "<p>http:// alone</p>");
        assert_eq!(to_html("xhttps://no"), "<p>xhttps://no</p>");
        assert_eq!(
            to_html("https://a.b/\"onmouseover=x"),
            "<p><a href=\"https://a.b/\">https://a.b/</a>&quot;onmouseover=x</p>"
        );
    }
}
