//! Folding text into comparison keys: lowercase without accents, so "Élodie" and "elodie" meet.
//! SQLite's lower() folds ASCII only, so keys are computed here and stored.

use unicode_normalization::UnicodeNormalization;

/// Lowercase, accents removed, whitespace collapsed.
pub fn fold_key(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s
        .nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
    {
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.extend(c.to_lowercase());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_accents_case_and_spaces() {
        assert_eq!(fold_key("  Élodie   LÉGER "), "elodie leger");
        assert_eq!(fold_key("ÇA"), "ca");
    }
}
