//! One notification written for one reader: subject, plain text and HTML, in their
//! language, with the tenant's status label and a direct link.

use helpdesk_core::{Contact, ContactKind, ContactRef, Notification, RichText, Visibility};
use maud::{DOCTYPE, Markup, PreEscaped, html};

use crate::i18n::{Lang, Seen};

/// A mail's words, ready for MIME.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Rendered {
    /// The language it is written in.
    pub(crate) lang: Lang,
    /// `[#<number>] <subject> — <what happened>`.
    pub(crate) subject: String,
    /// The plain-text part.
    pub(crate) text: String,
    /// The HTML part.
    pub(crate) html: String,
}

/// What one reader is told; none when the event is not theirs to read (an internal
/// note for anyone but staff, whatever the notification says). `replies` says whether
/// the mail carries a reply address that lands on the ticket.
pub(crate) fn render(
    n: &Notification,
    reader: &Contact,
    link: &str,
    replies: bool,
) -> Option<Rendered> {
    let staff = reader.kind.is_staff() && matches!(reader.recipient, ContactRef::Staff(_));
    if n.event.visibility() == Visibility::Internal && !staff {
        return None;
    }
    let lang = Lang::of(&reader.language);
    let seen = Seen::of(n, reader.recipient);
    // Staff may read the event's own text (an internal note); everyone else only the
    // public text, which is never a note.
    let body = if staff {
        n.event.body().or(n.public_text.as_ref())
    } else {
        n.public_text.as_ref()
    }
    .filter(|b| !b.is_empty());
    let who = n.author_name.as_deref().unwrap_or(lang.helpdesk());
    let mail = Mail {
        lang,
        n,
        reader: reader.kind,
        sentence: lang.sentence(&n.event.kind, who, seen),
        body,
        action: lang.call_to_action(&n.event.kind, reader.kind),
        link,
        replies,
    };
    Some(Rendered {
        lang,
        subject: format!(
            "[#{}] {} — {}",
            n.number,
            n.subject,
            lang.phrase(&n.event.kind, seen)
        ),
        text: mail.text(),
        html: mail.html().into_string(),
    })
}

/// What both parts say.
struct Mail<'a> {
    lang: Lang,
    n: &'a Notification,
    reader: ContactKind,
    sentence: String,
    body: Option<&'a RichText>,
    action: Option<&'static str>,
    link: &'a str,
    replies: bool,
}

impl Mail<'_> {
    /// The facts under the message: ticket, status, priority.
    fn facts(&self) -> [(&'static str, String); 3] {
        let lang = self.lang;
        [
            (
                lang.ticket(),
                format!("#{} {}", self.n.number, self.n.subject),
            ),
            (lang.status(), self.n.status_label(lang.tag()).to_owned()),
            (
                lang.priority_label(),
                lang.priority(self.n.priority).to_owned(),
            ),
        ]
    }

    fn text(&self) -> String {
        let colon = if self.lang == Lang::Fr { " :" } else { ":" };
        let mut out = format!("{}\n\n", self.sentence);
        if let Some(body) = self.body {
            out.push_str(&to_text(body));
            out.push_str("\n\n");
        }
        if let Some(action) = self.action {
            out.push_str(action);
            out.push_str("\n\n");
        }
        for (label, value) in self.facts() {
            out.push_str(&format!("{label}{colon} {value}\n"));
        }
        out.push_str(&format!(
            "\n{}{colon} {}\n\n-- \n{}\n",
            self.lang.open_ticket(),
            self.link,
            self.lang
                .why(self.reader, &self.n.tenant_name, self.replies)
        ));
        out
    }

    fn html(&self) -> Markup {
        let colon = if self.lang == Lang::Fr {
            "\u{a0}:"
        } else {
            ":"
        };
        let muted = "color:#555;font-size:13px";
        html! {
            (DOCTYPE)
            html lang=(self.lang.tag()) {
                head {
                    meta charset="utf-8";
                    meta name="viewport" content="width=device-width, initial-scale=1";
                    title { "[#" (self.n.number) "] " (self.n.subject) }
                }
                body style="margin:0;padding:16px;font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;font-size:15px;line-height:1.5;color:#1a1a1a;background:#ffffff" {
                    div style="max-width:640px" {
                        p style="margin:0 0 12px" { strong { (self.sentence) } }
                        @if let Some(body) = self.body {
                            div style="margin:0 0 16px;padding:8px 16px;border-left:4px solid #c8d1dc;background:#f6f8fa" {
                                (PreEscaped(mail_html(body)))
                            }
                        }
                        @if let Some(action) = self.action {
                            p style="margin:0 0 12px" { (action) }
                        }
                        p style="margin:16px 0" {
                            a href=(self.link) style="display:inline-block;padding:10px 18px;background:#1f5fa8;color:#ffffff;text-decoration:none;border-radius:4px;font-weight:600" {
                                (self.lang.open_ticket())
                            }
                        }
                        table role="presentation" style="border-collapse:collapse;margin:0 0 16px" {
                            @for (label, value) in self.facts() {
                                tr {
                                    th scope="row" style="text-align:left;padding:2px 12px 2px 0;font-weight:600;vertical-align:top" { (label) (colon) }
                                    td style="padding:2px 0" { (value) }
                                }
                            }
                        }
                        p style=(muted) { (self.lang.why(self.reader, &self.n.tenant_name, self.replies)) }
                        p style=(muted) { a href=(self.link) style="color:#555" { (self.link) } }
                    }
                }
            }
        }
    }
}

/// The rich text as mail HTML: sanitised again for a mail client, without images (a
/// ticket's images are served to logged-in readers, and remote images track) and
/// without relative links (they would point nowhere from a mailbox).
fn mail_html(text: &RichText) -> String {
    static MAIL: std::sync::LazyLock<ammonia::Builder<'static>> = std::sync::LazyLock::new(|| {
        let mut builder = ammonia::Builder::default();
        builder
            .rm_tags(["img"])
            .url_relative(ammonia::UrlRelative::Deny)
            .link_rel(Some("noopener noreferrer"));
        builder
    });
    MAIL.clean(text.as_html()).to_string()
}

/// The rich text as plain text: one line per paragraph, list item or line break, a
/// blank line between paragraphs, entities decoded.
pub(crate) fn to_text(text: &RichText) -> String {
    let html = text.as_html();
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find('>') else {
            break;
        };
        let tag = rest[start + 1..start + end].trim().to_ascii_lowercase();
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect();
        let closing = tag.starts_with('/');
        match (name.as_str(), closing) {
            (
                "p" | "div" | "blockquote" | "pre" | "table" | "ul" | "ol" | "h1" | "h2" | "h3"
                | "h4" | "h5" | "h6",
                true,
            ) => out.push_str("\n\n"),
            ("br" | "tr", _) => out.push('\n'),
            ("li", false) => out.push_str("\n- "),
            ("td" | "th", true) => out.push(' '),
            _ => {}
        }
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    let decoded = decode_entities(&out);
    let lines: Vec<String> = decoded
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    let mut text = String::new();
    let mut blank = true;
    for line in lines {
        if line.is_empty() {
            if !blank {
                text.push('\n');
            }
            blank = true;
        } else {
            if !text.is_empty() && !text.ends_with('\n') {
                text.push('\n');
            }
            text.push_str(&line);
            text.push('\n');
            blank = false;
        }
    }
    text.trim_end().to_owned()
}

/// Decodes the entities sanitised HTML contains: the named basics and numeric ones.
fn decode_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let Some(semi) = after.find(';').filter(|&i| i <= 10) else {
            out.push('&');
            rest = after;
            continue;
        };
        let entity = &after[..semi];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some('\u{a0}'),
            _ => entity
                .strip_prefix("#x")
                .or_else(|| entity.strip_prefix("#X"))
                .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &after[semi + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use helpdesk_core::RichText;

    use super::*;

    /// A notification of `kind` by Sue (staff), for `contacts`.
    fn notification(kind: helpdesk_core::EventKind, contacts: Vec<Contact>) -> Notification {
        use helpdesk_core::*;
        Notification {
            id: OutboxId::new(),
            tenant: TenantId::new(),
            ticket: TicketId::new(),
            number: TicketNumber::new(7),
            subject: "Badge".to_owned(),
            event: TimelineEvent {
                id: EventId::new(),
                ticket: TicketId::new(),
                tenant: TenantId::new(),
                at: chrono::Utc::now(),
                author: ActorRef::Staff(StaffId::new()),
                status_change: None,
                kind,
            },
            contacts,
            tenant_slug: "acme".to_owned(),
            tenant_name: "Acme".to_owned(),
            status: Status::InProgress,
            status_labels: Default::default(),
            priority: Priority::Normal,
            author_name: Some("Sue".to_owned()),
            public_text: None,
        }
    }

    fn member(kind: ContactKind, language: &str) -> Contact {
        Contact {
            recipient: ContactRef::Member(helpdesk_core::MemberId::new()),
            display_name: "Gina".to_owned(),
            email: Some("gina@acme.example".to_owned()),
            language: language.to_owned(),
            kind,
        }
    }

    #[test]
    fn the_reader_is_told_what_the_event_means_for_them() {
        use helpdesk_core::EventKind;
        let gina = member(ContactKind::Guest, "fr");
        let ContactRef::Member(id) = gina.recipient else {
            unreachable!()
        };
        let other = member(ContactKind::Requester, "en");
        let n = notification(EventKind::GuestInvited { guest: id }, vec![]);
        let mail = render(&n, &gina, "https://x/tickets/1", false).unwrap();
        assert_eq!(mail.subject, "[#7] Badge — Vous suivez cette demande");
        assert!(
            mail.text
                .starts_with("Sue vous a invité à suivre cette demande.")
        );
        let mail = render(&n, &other, "https://x/tickets/1", false).unwrap();
        assert!(
            mail.text
                .starts_with("Sue invited someone to follow the ticket.")
        );

        let from = helpdesk_core::MemberId::new();
        let n = notification(EventKind::RequesterReassigned { from, to: id }, vec![]);
        let mail = render(&n, &gina, "https://x/tickets/1", false).unwrap();
        assert!(
            mail.text.starts_with("Sue vous a confié cette demande"),
            "{}",
            mail.text
        );
        let mail = render(&n, &other, "https://x/tickets/1", false).unwrap();
        assert!(
            mail.text
                .starts_with("Sue gave the ticket to another requester.")
        );
    }

    #[test]
    fn an_internal_note_is_never_written_for_a_member_even_one_marked_staff() {
        let note = helpdesk_core::EventKind::NoteAdded {
            body: RichText::from_stored("<p>secret</p>"),
        };
        let n = notification(note, vec![]);
        for kind in [
            ContactKind::Requester,
            ContactKind::Guest,
            ContactKind::Member,
            ContactKind::Staff,
        ] {
            assert_eq!(
                render(&n, &member(kind, "fr"), "https://x", false),
                None,
                "{kind:?}"
            );
        }
    }

    #[test]
    fn rich_text_becomes_lines_and_paragraphs() {
        let text = RichText::from_stored(
            "<p>Bonjour,</p><p>Essayez :<br>redémarrer &amp; <b>rebrancher</b></p><ul><li>un</li><li>deux</li></ul>",
        );
        assert_eq!(
            to_text(&text),
            "Bonjour,\n\nEssayez :\nredémarrer & rebrancher\n\n- un\n- deux"
        );
    }

    #[test]
    fn mail_html_drops_images_and_relative_links_and_keeps_formatting() {
        let text = RichText::from_stored(
            r#"<p><b>Bold</b> <a href="/tickets/x">here</a> <a href="https://example.com/doc">doc</a></p><img src="attachments/0196a5b0-0000-7000-8000-000000000000">"#,
        );
        let html = mail_html(&text);
        assert!(html.contains("<b>Bold</b>"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(!html.contains("/tickets/x"), "{html}");
        assert!(html.contains("https://example.com/doc"), "{html}");
    }

    #[test]
    fn entities_are_decoded_once() {
        assert_eq!(
            decode_entities("a &amp;lt; b &#233;&#xE9; &unknown; & c"),
            "a &lt; b éé &unknown; & c"
        );
    }
}
