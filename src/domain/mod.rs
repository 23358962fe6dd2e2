//! Pure types and rules of customer experience: identities, channels, cases, roles, sites.
//! No I/O, no SQL, no HTTP (a test checks the imports).

pub mod bot;
pub mod calendar;
pub mod case;
pub mod channel;
pub mod collate;
pub mod commitment;
pub mod email;
pub mod fold;
pub mod identity;
pub mod link;
pub mod quality;
pub mod review;
pub mod role;
pub mod site;
pub mod survey;
pub mod template;
pub mod verbatim;

/// A value refused by a parser, with the reason in plain words (English; the UI translates codes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub code: &'static str,
    pub message: String,
}

impl Invalid {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Invalid {
            code,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Checks a piece of free text a person wrote: trimmed, not empty, bounded, no control
/// characters but line breaks and tabs.
pub fn text(raw: &str, max: usize) -> Result<String, Invalid> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(Invalid::new("required", "must not be empty"));
    }
    if t.chars().count() > max {
        return Err(Invalid::new(
            "too_long",
            format!("at most {max} characters"),
        ));
    }
    if t.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(Invalid::new(
            "control_character",
            "control characters are not allowed",
        ));
    }
    Ok(t.to_string())
}

/// Milliseconds in a day, for the windows the rules speak of.
pub const DAY_MS: i64 = 86_400_000;
