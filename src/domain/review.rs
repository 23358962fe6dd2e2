//! Reviews under ISO 20488: written only on an invitation after a verified experience, 1–5 stars
//! and at most 500 characters, published newest first without filtering or editing, rejected
//! only for a stated reason kept on record, withdrawn by their author, answered by the site.

use super::{DAY_MS, Invalid};

pub const MAX_REVIEW_CHARS: usize = 500;
/// An invitation is valid this many days after the experience.
pub const INVITATION_DAYS: i64 = 50;
pub const INVITATION_MS: i64 = INVITATION_DAYS * DAY_MS;
/// Rejected reviews stay on record at least this long.
pub const REJECTED_KEPT_DAYS: i64 = 365;
pub const MAX_REPLY_CHARS: usize = 2_000;

pub fn check_stars(stars: Option<i64>) -> Result<i64, Invalid> {
    match stars {
        Some(s @ 1..=5) => Ok(s),
        Some(s) => Err(Invalid::new("out_of_range", format!("{s} is outside 1–5"))),
        None => Err(Invalid::new("required", "choose from 1 to 5 stars")),
    }
}

pub fn check_comment(raw: &str) -> Result<String, Invalid> {
    let t = raw.trim();
    let n = t.chars().count();
    if n == 0 {
        return Err(Invalid::new(
            "required",
            "write a few words about your experience",
        ));
    }
    if n > MAX_REVIEW_CHARS {
        return Err(Invalid::new(
            "too_long",
            format!("{n} characters; at most {MAX_REVIEW_CHARS}"),
        ));
    }
    Ok(t.to_string())
}

pub fn check_reply(raw: &str) -> Result<String, Invalid> {
    let t = raw.trim();
    let n = t.chars().count();
    if n == 0 {
        return Err(Invalid::new("required", "the reply is empty"));
    }
    if n > MAX_REPLY_CHARS {
        return Err(Invalid::new(
            "too_long",
            format!("{n} characters; at most {MAX_REPLY_CHARS}"),
        ));
    }
    Ok(t.to_string())
}

/// A negative review alerts the site at once.
pub fn is_negative(stars: i64) -> bool {
    stars <= 2
}

/// What a review is about, verified before any invitation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Experience {
    Case,
    Counter,
    Purchase,
}

impl Experience {
    pub fn parse(s: &str) -> Result<Experience, Invalid> {
        match s.trim() {
            "case" => Ok(Experience::Case),
            "counter" => Ok(Experience::Counter),
            "purchase" => Ok(Experience::Purchase),
            _ => Err(Invalid::new(
                "unknown_experience",
                "expected case, counter or purchase",
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Experience::Case => "case",
            Experience::Counter => "counter",
            Experience::Purchase => "purchase",
        }
    }
}

/// The only grounds for not publishing a review (ISO 20488 §4.5: stated, lawful reasons).
pub const REJECTION_REASONS: [&str; 5] = [
    "insulting",     // insults, threats, defamation
    "personal_data", // someone's name, address, phone… that cannot be masked
    "unrelated",     // not about the experience invited
    "unlawful",      // discrimination, incitement, other unlawful content
    "commercial",    // advertising, or written by someone with a conflict of interest
];

pub fn check_rejection(reason: &str) -> Result<&'static str, Invalid> {
    REJECTION_REASONS
        .into_iter()
        .find(|r| *r == reason.trim())
        .ok_or_else(|| {
            Invalid::new(
                "unknown_reason",
                format!("expected one of: {}", REJECTION_REASONS.join(", ")),
            )
        })
}

/// Reasons a reader may give when flagging a review.
pub const FLAG_REASONS: [&str; 4] = ["insulting", "personal_data", "unrelated", "fake"];

/// The name shown publicly: first name and initial ("Marie D."), or "Client" when unknown.
pub fn public_author(display_name: Option<&str>) -> String {
    let mut words = display_name.unwrap_or("").split_whitespace();
    match (words.next(), words.last()) {
        (Some(first), Some(last)) => format!(
            "{first} {}.",
            last.chars()
                .next()
                .map(|c| c.to_uppercase().to_string())
                .unwrap_or_default()
        ),
        (Some(first), None) => first.to_string(),
        _ => String::new(),
    }
}

/// Published reviews summed up: count per star and the average.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct Rating {
    /// Index 0 = one star.
    pub stars: [i64; 5],
}

impl Rating {
    pub fn count(&self) -> i64 {
        self.stars.iter().sum()
    }

    pub fn average(&self) -> Option<f64> {
        let n = self.count();
        (n > 0).then(|| {
            self.stars
                .iter()
                .enumerate()
                .map(|(i, c)| (i as f64 + 1.0) * *c as f64)
                .sum::<f64>()
                / n as f64
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds() {
        assert_eq!(check_stars(Some(1)), Ok(1));
        assert_eq!(check_stars(Some(0)).unwrap_err().code, "out_of_range");
        assert_eq!(check_stars(Some(6)).unwrap_err().code, "out_of_range");
        assert_eq!(check_stars(None).unwrap_err().code, "required");
        assert!(check_comment(&"é".repeat(500)).is_ok());
        assert_eq!(
            check_comment(&"é".repeat(501)).unwrap_err().code,
            "too_long"
        );
        assert_eq!(check_comment("  ").unwrap_err().code, "required");
        assert!(check_rejection("insulting").is_ok());
        assert!(check_rejection("bad_for_business").is_err());
        assert!(is_negative(2) && !is_negative(3));
    }

    #[test]
    fn names_and_rating() {
        assert_eq!(
            public_author(Some("Marie-Hélène  de la Tour")),
            "Marie-Hélène T."
        );
        assert_eq!(public_author(Some("Karim")), "Karim");
        assert_eq!(public_author(None), "");
        let r = Rating {
            stars: [1, 0, 0, 1, 2],
        };
        assert_eq!(r.count(), 4);
        assert_eq!(r.average(), Some((1.0 + 4.0 + 10.0) / 4.0));
    }
}
