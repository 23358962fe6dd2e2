//! Folding what a message repeats: the quoted history below an answer and the signature. The
//! text is kept whole; only its display is folded.

/// A message's text split for display.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Folded {
    pub body: String,
    pub signature: Option<String>,
    pub quoted: Option<String>,
}

/// Splits at the first line that starts quoted history (an attribution line such as
/// "Le 3 mars 2026, Jean a écrit :", an Outlook header block, `>` quotes) and at the signature
/// separator `-- `.
pub fn fold(text: &str) -> Folded {
    let lines: Vec<&str> = text.lines().collect();
    let quote_at = (0..lines.len()).find(|&i| starts_history(&lines, i));
    let (mine, quoted) = match quote_at {
        Some(i) => (&lines[..i], Some(lines[i..].join("\n"))),
        None => (&lines[..], None),
    };
    let sig_at = mine.iter().rposition(|l| *l == "-- " || *l == "--");
    let (body, signature) = match sig_at {
        Some(i) if i > 0 => (&mine[..i], Some(mine[i + 1..].join("\n"))),
        _ => (mine, None),
    };
    Folded {
        body: body.join("\n").trim_end().to_string(),
        signature: signature
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty()),
        quoted: quoted
            .map(|q| q.trim().to_string())
            .filter(|q| !q.is_empty()),
    }
}

fn starts_history(lines: &[&str], i: usize) -> bool {
    let l = lines[i].trim();
    let lower = l.to_lowercase();
    let attribution = (lower.starts_with("le ")
        && (lower.ends_with("a écrit :") || lower.ends_with("a écrit:")))
        || (lower.starts_with("on ") && lower.ends_with("wrote:"));
    // An attribution often wraps onto two lines.
    let wrapped =
        i + 1 < lines.len() && (lower.starts_with("le ") || lower.starts_with("on ")) && {
            let next = lines[i + 1].trim().to_lowercase();
            next.ends_with("a écrit :") || next.ends_with("a écrit:") || next.ends_with("wrote:")
        };
    let separator = lower.contains("-----original message-----")
        || lower.contains("message d'origine")
        || lower.contains("-----message d'origine-----")
        || lower.starts_with("________________");
    // Outlook: "De : …" then "Envoyé : …" (or From:/Sent:) on the next lines.
    let outlook =
        (lower.starts_with("de :") || lower.starts_with("de:") || lower.starts_with("from:"))
            && lines[i + 1..].iter().take(3).any(|n| {
                let n = n.trim().to_lowercase();
                n.starts_with("envoyé :")
                    || n.starts_with("envoyé:")
                    || n.starts_with("sent:")
                    || n.starts_with("date:")
            });
    // A block of `>` lines that runs to the end (interleaved answers stay visible).
    let quoted_tail = l.starts_with('>')
        && lines[i..]
            .iter()
            .all(|n| n.trim().is_empty() || n.trim_start().starts_with('>'));
    attribution || wrapped || separator || outlook || quoted_tail
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_french_and_english_history_and_signatures() {
        let f = fold(
            "Merci, c'est réglé.\n\n-- \nRenée\n06 12 34 56 78\n\nLe lun. 3 mars 2026 à 10:02, Service client <contact@x.fr> a écrit :\n> Bonjour,\n> votre colis…",
        );
        assert_eq!(f.body, "Merci, c'est réglé.");
        assert_eq!(f.signature.as_deref(), Some("Renée\n06 12 34 56 78"));
        assert!(f.quoted.unwrap().starts_with("Le lun. 3 mars"));
        let f =
            fold("Thanks\nOn Mon, Mar 3, 2026 at 10:02 AM Support\n<support@x.com> wrote:\n> hi");
        assert_eq!(f.body, "Thanks");
        let f =
            fold("Voir ci-dessous\n\nDe : Service client\nEnvoyé : lundi 3 mars\nObjet : colis");
        assert_eq!(f.body, "Voir ci-dessous");
        assert!(f.quoted.is_some());
    }

    #[test]
    fn keeps_interleaved_answers() {
        let f = fold("> question 1\nréponse 1\n> question 2\nréponse 2");
        assert_eq!(f.quoted, None);
        assert!(f.body.contains("réponse 2"));
        assert_eq!(fold("").body, "");
    }
}
