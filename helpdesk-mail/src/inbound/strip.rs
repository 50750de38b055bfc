//! What a reply says, without the history mail clients quote below (or around) it and
//! without the sender's signature.

/// The new text of a reply: everything before the first mark of quoted history or
/// signature, without quoted (`>`) lines, trimmed.
///
/// Marks, in English and French, as Gmail, Outlook, Thunderbird and Apple Mail write
/// them:
/// - an attribution: `On <date>, <name> wrote:` / `Le <date>, <name> a écrit :`
///   (also when the client wrapped it over two or three lines);
/// - Outlook's `-----Original Message-----` / `-----Message d'origine-----`, or its
///   header block (`From:`/`De :` followed by `Sent:`/`Envoyé :`, `To:`/`À :`,
///   `Subject:`/`Objet :` or `Date :` lines), with the `____` rule above it;
/// - a signature delimiter, `-- ` alone on its line (RFC 3676).
///
/// ```
/// use helpdesk_mail::strip_quotes;
///
/// let mail = "Merci, c'est réglé.\n\nLe lun. 30 nov. 2026 à 10:00, Support <support@example.com> a écrit :\n> Avez-vous redémarré ?\n";
/// assert_eq!(strip_quotes(mail), "Merci, c'est réglé.");
/// ```
pub fn strip_quotes(text: &str) -> String {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let lines: Vec<&str> = text.lines().collect();
    let mut kept: Vec<&str> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if starts_history(&lines[i..]) {
            break;
        }
        if line.trim_start().starts_with('>') {
            continue;
        }
        kept.push(line.trim_end());
    }
    // Blank lines left around the cut, and runs of blank lines where quotes were.
    let mut out: Vec<&str> = Vec::new();
    for line in kept {
        if line.is_empty() && out.last().is_none_or(|l: &&str| l.is_empty()) {
            continue;
        }
        out.push(line);
    }
    while out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    out.join("\n")
}

/// Whether the quoted history or the signature starts at `lines[0]`.
fn starts_history(lines: &[&str]) -> bool {
    let Some(first) = lines.first() else {
        return false;
    };
    let line = first.trim();
    if first.trim_end_matches([' ', '\u{a0}']) == "--" {
        return true;
    }
    let folded = line.to_lowercase();
    if folded.starts_with("-----") && (folded.contains("original") || folded.contains("origine")) {
        return true;
    }
    if is_attribution(lines) {
        return true;
    }
    // Outlook's rule above its header block.
    if line.len() >= 20 && line.chars().all(|c| c == '_') {
        return lines[1..]
            .iter()
            .find(|l| !l.trim().is_empty())
            .is_some_and(|l| header_field(l).is_some_and(|f| f == Field::From));
    }
    outlook_block(lines)
}

/// `On ... wrote:` / `Le ... a écrit :`, on one line or wrapped over up to three.
fn is_attribution(lines: &[&str]) -> bool {
    let first = lines[0].trim_start();
    let starts = first.starts_with("On ") || first.starts_with("Le ") || first.starts_with("le ");
    if !starts {
        return false;
    }
    let mut joined = String::new();
    for line in lines.iter().take(3) {
        if line.trim().is_empty() {
            break;
        }
        joined.push_str(line.trim());
        joined.push(' ');
        if ends_attribution(&joined) {
            return true;
        }
    }
    false
}

fn ends_attribution(text: &str) -> bool {
    let squeezed: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_lowercase();
    squeezed.ends_with("wrote:") || squeezed.ends_with("aécrit:") || squeezed.ends_with("écrit:")
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Field {
    From,
    Other,
}

/// The header field a line of Outlook's quoted block starts with, if any.
fn header_field(line: &str) -> Option<Field> {
    let line = line.trim_start().trim_start_matches('*');
    let (name, _) = line.split_once(':')?;
    let name = name
        .trim_matches(|c: char| c.is_whitespace() || c == '*')
        .to_lowercase();
    match name.as_str() {
        "from" | "de" => Some(Field::From),
        "sent" | "envoyé" | "to" | "à" | "cc" | "subject" | "objet" | "date" => {
            Some(Field::Other)
        }
        _ => None,
    }
}

/// `From:`/`De :` followed, within the next lines, by another header field.
fn outlook_block(lines: &[&str]) -> bool {
    if header_field(lines[0]) != Some(Field::From) {
        return false;
    }
    lines[1..]
        .iter()
        .take(4)
        .filter(|l| !l.trim().is_empty())
        .take(2)
        .any(|l| header_field(l) == Some(Field::Other))
}

#[cfg(test)]
mod tests {
    use super::strip_quotes;

    #[test]
    fn gmail_english_attribution_wrapped_over_two_lines() {
        let mail = "Thanks, it works now.\r\n\r\nOn Mon, Nov 30, 2026 at 10:00 AM Acme Support <\r\nsupport@help.example> wrote:\r\n\r\n> Did you restart it?\r\n> \r\n";
        assert_eq!(strip_quotes(mail), "Thanks, it works now.");
    }

    #[test]
    fn gmail_french_attribution() {
        let mail = "Merci !\n\nLe lun. 30 nov. 2026 à 10:00, Support Acme <support@help.example> a\nécrit :\n\n> Avez-vous redémarré ?\n";
        assert_eq!(strip_quotes(mail), "Merci !");
    }

    #[test]
    fn outlook_english_header_block() {
        let mail = "The printer is fixed.\n\nBest regards,\nBob\n\n________________________________\nFrom: Acme Support <support+abc@help.example>\nSent: Monday, November 30, 2026 10:00 AM\nTo: Bob <bob@example.com>\nSubject: [#12] Printer\n\nDid you restart it?\n";
        assert_eq!(
            strip_quotes(mail),
            "The printer is fixed.\n\nBest regards,\nBob"
        );
    }

    #[test]
    fn outlook_french_header_block_and_original_message() {
        let mail = "C'est bon.\n\nDe : Support Acme <support@help.example>\nEnvoyé : lundi 30 novembre 2026 10:00\nÀ : Bob\nObjet : [#12] Imprimante\n\nAvez-vous redémarré ?\n";
        assert_eq!(strip_quotes(mail), "C'est bon.");
        let mail = "Done.\n\n-----Original Message-----\nFrom: Support\nquoted\n";
        assert_eq!(strip_quotes(mail), "Done.");
        let mail = "Fait.\n-----Message d'origine-----\nDe : Support\n";
        assert_eq!(strip_quotes(mail), "Fait.");
    }

    #[test]
    fn thunderbird_attributions_in_both_languages() {
        let en = "Yes, since this morning.\n\nOn 30/11/2026 10:00, Acme Support wrote:\n> Is it still broken?\n";
        assert_eq!(strip_quotes(en), "Yes, since this morning.");
        let fr = "Oui, depuis ce matin.\n\nLe 30/11/2026 à 10:00, Support Acme a écrit\u{a0}:\n> Toujours en panne ?\n";
        assert_eq!(strip_quotes(fr), "Oui, depuis ce matin.");
    }

    #[test]
    fn apple_mail_attributions_in_both_languages() {
        let en = "Sure.\n\n> On 30 Nov 2026, at 10:00, Acme Support <support@help.example> wrote:\n> \n> Can you send a photo?\n";
        assert_eq!(strip_quotes(en), "Sure.");
        let fr = "Bien sûr.\n\n> Le 30 nov. 2026 à 10:00, Support Acme <support@help.example> a écrit :\n> \n> Pouvez-vous envoyer une photo ?\n";
        assert_eq!(strip_quotes(fr), "Bien sûr.");
    }

    #[test]
    fn the_signature_is_cut_and_interleaved_quotes_dropped() {
        let mail = "> First question?\nFirst answer.\n> Second question?\nSecond answer.\n\n-- \nBob Martin\nACME Corp\n";
        assert_eq!(strip_quotes(mail), "First answer.\nSecond answer.");
    }

    #[test]
    fn text_that_only_mentions_the_words_is_kept() {
        let mail =
            "On Monday the printer broke again.\nLe technicien est passé.\nFrom: the third floor";
        assert_eq!(strip_quotes(mail), mail);
    }

    #[test]
    fn nothing_left_gives_an_empty_text() {
        assert_eq!(strip_quotes("\n> only a quote\n-- \nsig\n"), "");
    }
}
