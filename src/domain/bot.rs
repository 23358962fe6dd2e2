//! When the bot hands over to a person. The rules are the organisation's data, in order, each
//! with its reason code: an explicit request, anger, a sensitive topic, an open complaint on
//! the customer's record, answers that did not help, too long with the bot, a best article the
//! bot is not sure of, or two articles too close to choose. Phrases are matched on stems, as
//! verbatim themes are ("conseillère" meets "conseiller").

use super::Invalid;
use super::verbatim::{self, Lang};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The customer asks for a person: `words` are the phrases.
    Request,
    /// Irritation or anger: `words`.
    Anger,
    /// A sensitive subject (complaint, cancellation, compensation): `words`.
    Topic,
    /// The customer has a complaint case open.
    OpenComplaint,
    /// `value` answers in a row the customer said did not help.
    Unhelpful,
    /// `value` minutes since the conversation started with the bot.
    TooLong,
    /// The best article's confidence (0–1) is under `value`.
    LowConfidence,
    /// The second article is within `value` (a share of the best one's confidence) of the best.
    Ambiguous,
}

impl Kind {
    pub const ALL: [Kind; 8] = [
        Kind::Request,
        Kind::Anger,
        Kind::Topic,
        Kind::OpenComplaint,
        Kind::Unhelpful,
        Kind::TooLong,
        Kind::LowConfidence,
        Kind::Ambiguous,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Request => "request",
            Kind::Anger => "anger",
            Kind::Topic => "topic",
            Kind::OpenComplaint => "open_complaint",
            Kind::Unhelpful => "unhelpful",
            Kind::TooLong => "too_long",
            Kind::LowConfidence => "low_confidence",
            Kind::Ambiguous => "ambiguous",
        }
    }

    pub fn parse(s: &str) -> Result<Kind, Invalid> {
        Kind::ALL
            .into_iter()
            .find(|k| k.as_str() == s.trim())
            .ok_or_else(|| {
                Invalid::new(
                    "invalid_kind",
                    format!(
                        "«{s}» is not one of: {}",
                        Kind::ALL.map(Kind::as_str).join(", ")
                    ),
                )
            })
    }

    /// Whether the rule reads phrases (else a number).
    pub fn has_words(self) -> bool {
        matches!(self, Kind::Request | Kind::Anger | Kind::Topic)
    }

    /// The bounds of `value`, for the kinds that read one.
    fn bounds(self) -> Option<(f64, f64)> {
        match self {
            Kind::Unhelpful => Some((1.0, 10.0)),
            Kind::TooLong => Some((1.0, 240.0)),
            Kind::LowConfidence | Kind::Ambiguous => Some((0.0, 1.0)),
            _ => None,
        }
    }
}

/// One handoff rule as the organisation keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// The reason code the handoff reports ("request", "cancellation", …).
    pub code: String,
    pub kind: Kind,
    /// Phrases separated by commas, for the kinds that read words.
    pub words: String,
    pub value: f64,
    pub enabled: bool,
}

impl Rule {
    /// The refused field and why, if any.
    pub fn check(&self) -> Result<(), (&'static str, Invalid)> {
        let code_ok = !self.code.is_empty()
            && self.code.len() <= 40
            && self
                .code
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
        if !code_ok {
            return Err((
                "code",
                Invalid::new(
                    "invalid_code",
                    "1 to 40 lower-case letters, digits, «-» or «_»",
                ),
            ));
        }
        if self.kind.has_words()
            && (self.words.trim().is_empty() || self.words.chars().count() > 4_000)
        {
            return Err((
                "words",
                Invalid::new("required", "1 to 4,000 characters of phrases"),
            ));
        }
        if let Some((lo, hi)) = self.kind.bounds()
            && !(self.value.is_finite() && self.value >= lo && self.value <= hi)
        {
            return Err((
                "value",
                Invalid::new("out_of_range", format!("a number from {lo} to {hi}")),
            ));
        }
        Ok(())
    }
}

/// What the rules read of a conversation's turn.
#[derive(Debug, Clone, Default)]
pub struct Turn<'a> {
    pub question: &'a str,
    /// Confidence of the best article and of the second (0–1); none without candidates.
    pub top: Option<f64>,
    pub second: Option<f64>,
    /// Answers in a row the customer said did not help.
    pub unhelpful: u32,
    pub open_complaint: bool,
    /// Minutes since the conversation started with the bot.
    pub minutes: f64,
}

/// Rules ready to read turns: phrases stemmed once, in French and in English.
#[derive(Debug, Clone)]
pub struct Rules(Vec<(Rule, verbatim::Rule, verbatim::Rule)>);

impl Rules {
    pub fn new(rules: Vec<Rule>) -> Rules {
        Rules(
            rules
                .into_iter()
                .map(|r| {
                    let fr = verbatim::Rule::new(&r.code, &r.words, Lang::Fr);
                    let en = verbatim::Rule::new(&r.code, &r.words, Lang::En);
                    (r, fr, en)
                })
                .collect(),
        )
    }

    /// The first enabled rule that applies to the turn, in the organisation's order.
    pub fn decide(&self, turn: &Turn, lang: Lang) -> Option<&Rule> {
        let words = verbatim::stems(turn.question, lang);
        self.0
            .iter()
            .filter(|(r, _, _)| r.enabled)
            .find(|(r, fr, en)| match r.kind {
                Kind::Request | Kind::Anger | Kind::Topic => match lang {
                    Lang::Fr => fr.matches(&words),
                    Lang::En => en.matches(&words),
                },
                Kind::OpenComplaint => turn.open_complaint,
                Kind::Unhelpful => f64::from(turn.unhelpful) >= r.value,
                Kind::TooLong => turn.minutes >= r.value,
                Kind::LowConfidence => turn.top.unwrap_or(0.0) < r.value,
                Kind::Ambiguous => match (turn.top, turn.second) {
                    (Some(t), Some(s)) if t > 0.0 => (t - s) / t < r.value,
                    _ => false,
                },
            })
            .map(|(r, _, _)| r)
    }
}

/// The rules a new organisation starts with (editable). Thresholds tuned on held-out questions
/// (bench/bot.sh).
pub fn starter() -> Vec<Rule> {
    let rule = |code: &str, kind, words: &str, value| Rule {
        code: code.into(),
        kind,
        words: words.into(),
        value,
        enabled: true,
    };
    vec![
        rule(
            "request",
            Kind::Request,
            "conseiller, conseillère, humain, une vraie personne, une personne réelle, \
             parler à quelqu'un, parler a quelqu un, un agent, un opérateur, un interlocuteur, \
             advisor, adviser, human, real person, speak to someone, talk to someone, an agent, \
             an operator",
            0.0,
        ),
        rule(
            "anger",
            Kind::Anger,
            "inadmissible, inacceptable, scandaleux, scandale, honteux, honte, arnaque, \
             escroc, escroquerie, voleur, voleurs, n'importe quoi, ras le bol, marre, furieux, \
             furieuse, révoltant, lamentable, incompétent, incompétents, se fout, foutez, \
             merde, putain, unacceptable, outrageous, scam, ridiculous, furious, disgrace, \
             disgusting, useless, fed up",
            0.0,
        ),
        rule(
            "complaint",
            Kind::Topic,
            "réclamation, porter plainte, déposer plainte, une plainte, litige, contester, \
             contestation, complaint, dispute",
            0.0,
        ),
        rule(
            "cancellation",
            Kind::Topic,
            "résilier, résiliation, annuler mon contrat, clôturer mon compte, fermer mon compte, \
             me désabonner, cancel my, close my account, terminate",
            0.0,
        ),
        rule(
            "compensation",
            Kind::Topic,
            "indemnisation, indemniser, dédommagement, dédommager, geste commercial, \
             compensation, compensate, refund",
            0.0,
        ),
        rule("open_complaint", Kind::OpenComplaint, "", 0.0),
        rule("unhelpful", Kind::Unhelpful, "", 2.0),
        rule("too_long", Kind::TooLong, "", 10.0),
        rule("low_confidence", Kind::LowConfidence, "", LOW_CONFIDENCE),
        rule("ambiguous", Kind::Ambiguous, "", AMBIGUOUS),
    ]
}

/// Starter thresholds (bench/bot.sh tunes them on the held-out questions' tuning part).
pub const LOW_CONFIDENCE: f64 = 0.3;
pub const AMBIGUOUS: f64 = 0.03;

#[cfg(test)]
mod tests {
    use super::*;

    fn turn(q: &str) -> Turn<'_> {
        Turn {
            question: q,
            top: Some(0.9),
            second: Some(0.2),
            ..Turn::default()
        }
    }

    fn reason(rules: &Rules, t: &Turn, lang: Lang) -> Option<String> {
        rules.decide(t, lang).map(|r| r.code.clone())
    }

    #[test]
    fn starter_rules_name_the_reason() {
        let r = Rules::new(starter());
        let fr = Lang::Fr;
        assert_eq!(
            reason(&r, &turn("Je veux parler à une conseillère"), fr).as_deref(),
            Some("request")
        );
        assert_eq!(
            reason(&r, &turn("je voudrais une VRAIE personne svp"), fr).as_deref(),
            Some("request")
        );
        assert_eq!(
            reason(&r, &turn("C'est scandaleux, trois semaines sans colis"), fr).as_deref(),
            Some("anger")
        );
        assert_eq!(
            reason(&r, &turn("Comment résilier mon abonnement ?"), fr).as_deref(),
            Some("cancellation")
        );
        assert_eq!(
            reason(&r, &turn("I want a refund"), Lang::En).as_deref(),
            Some("compensation")
        );
        assert_eq!(reason(&r, &turn("Où envoyer ma carte grise ?"), fr), None);
        let complaint = Turn {
            open_complaint: true,
            ..turn("Où envoyer ma carte grise ?")
        };
        assert_eq!(
            reason(&r, &complaint, fr).as_deref(),
            Some("open_complaint")
        );
        let twice = Turn {
            unhelpful: 2,
            ..turn("et pour un duplicata ?")
        };
        assert_eq!(reason(&r, &twice, fr).as_deref(), Some("unhelpful"));
        let long = Turn {
            minutes: 12.0,
            ..turn("et pour un duplicata ?")
        };
        assert_eq!(reason(&r, &long, fr).as_deref(), Some("too_long"));
    }

    #[test]
    fn confidence_rules_read_the_scores() {
        let r = Rules::new(starter());
        let unsure = Turn {
            top: Some(0.1),
            ..turn("quel temps fera-t-il demain")
        };
        assert_eq!(
            reason(&r, &unsure, Lang::Fr).as_deref(),
            Some("low_confidence")
        );
        let none = Turn {
            top: None,
            second: None,
            ..turn("blabla")
        };
        assert_eq!(
            reason(&r, &none, Lang::Fr).as_deref(),
            Some("low_confidence")
        );
        let close = Turn {
            top: Some(0.8),
            second: Some(0.79),
            ..turn("passeport")
        };
        assert_eq!(reason(&r, &close, Lang::Fr).as_deref(), Some("ambiguous"));
    }

    #[test]
    fn disabled_rules_and_order() {
        let mut rules = starter();
        rules[0].enabled = false;
        let r = Rules::new(rules);
        assert_eq!(reason(&r, &turn("un conseiller"), Lang::Fr), None);
        // Anger comes before the topic in the starter order.
        let r = Rules::new(starter());
        assert_eq!(
            reason(&r, &turn("résiliation : c'est une arnaque"), Lang::Fr).as_deref(),
            Some("anger")
        );
    }

    #[test]
    fn checks() {
        let mut r = starter().remove(0);
        assert!(r.check().is_ok());
        r.code = "Bad Code".into();
        assert_eq!(r.check().unwrap_err().0, "code");
        let mut r = starter().remove(0);
        r.words = " ".into();
        assert_eq!(r.check().unwrap_err().0, "words");
        let mut r = starter().pop().unwrap();
        r.value = 1.5;
        assert_eq!(r.check().unwrap_err().0, "value");
        r.value = f64::NAN;
        assert_eq!(r.check().unwrap_err().0, "value");
        assert_eq!(Kind::parse("nope").unwrap_err().code, "invalid_kind");
        assert_eq!(Kind::parse("too_long"), Ok(Kind::TooLong));
    }
}
