//! Surveys and their scores: NPS (0–10), CES (1–7, agreement with "it was easy to…"), CSAT
//! (1–5), "was it solved?" and custom questionnaires whose criteria carry an importance and a
//! satisfaction. The arithmetic of the figures (NPS with its margin of error, shares of easy and
//! satisfied) lives here; counts come from tallies kept by the store.

use super::Invalid;

/// Longest free-text answer kept ("Pourquoi ?").
pub const MAX_COMMENT_CHARS: usize = 2_000;
/// Default fatigue rule: at most one survey per customer in this many days.
pub const DEFAULT_FATIGUE_DAYS: i64 = 30;
/// A survey link stays valid this many days after it is sent.
pub const LINK_DAYS: i64 = 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SurveyKind {
    Nps,
    Ces,
    Csat,
    Solved,
    Custom,
}

impl SurveyKind {
    pub const ALL: [SurveyKind; 5] = [
        SurveyKind::Nps,
        SurveyKind::Ces,
        SurveyKind::Csat,
        SurveyKind::Solved,
        SurveyKind::Custom,
    ];

    pub fn parse(s: &str) -> Result<SurveyKind, Invalid> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s.trim())
            .ok_or_else(|| {
                Invalid::new("unknown_kind", "expected nps, ces, csat, solved or custom")
            })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SurveyKind::Nps => "nps",
            SurveyKind::Ces => "ces",
            SurveyKind::Csat => "csat",
            SurveyKind::Solved => "solved",
            SurveyKind::Custom => "custom",
        }
    }

    /// The score's range, for kinds that have one.
    pub fn range(self) -> Option<(i64, i64)> {
        match self {
            SurveyKind::Nps => Some((0, 10)),
            SurveyKind::Ces => Some((1, 7)),
            SurveyKind::Csat => Some((1, 5)),
            SurveyKind::Solved | SurveyKind::Custom => None,
        }
    }

    /// Checks a score: required and in range for scored kinds, absent otherwise.
    pub fn check_score(self, score: Option<i64>) -> Result<Option<i64>, Invalid> {
        match (self.range(), score) {
            (Some((lo, hi)), Some(s)) if (lo..=hi).contains(&s) => Ok(Some(s)),
            (Some((lo, hi)), Some(s)) => Err(Invalid::new(
                "out_of_range",
                format!("{s} is outside {lo}–{hi}"),
            )),
            (Some((lo, hi)), None) => Err(Invalid::new(
                "required",
                format!("choose a score from {lo} to {hi}"),
            )),
            (None, None) => Ok(None),
            (None, Some(_)) => Err(Invalid::new("no_score", "this survey takes no score")),
        }
    }

    /// Whether an answer calls for the site manager's attention: an NPS detractor (0–6), a
    /// difficult experience (CES 1–3: the customer disagreed that it was easy), CSAT 1–2.
    pub fn alerts(self, score: i64) -> bool {
        match self {
            SurveyKind::Nps => score <= 6,
            SurveyKind::Ces => score <= 3,
            SurveyKind::Csat => score <= 2,
            SurveyKind::Solved | SurveyKind::Custom => false,
        }
    }
}

/// Checks a free-text answer: trimmed, at most `MAX_COMMENT_CHARS`.
pub fn check_comment(raw: &str) -> Result<String, Invalid> {
    let t = raw.trim();
    let n = t.chars().count();
    if n > MAX_COMMENT_CHARS {
        return Err(Invalid::new(
            "too_long",
            format!("{n} characters; at most {MAX_COMMENT_CHARS}"),
        ));
    }
    Ok(t.to_string())
}

/// Criteria scores of a custom questionnaire are on 1–5 (importance and satisfaction).
pub fn check_criterion_score(v: i64) -> Result<i64, Invalid> {
    if (1..=5).contains(&v) {
        Ok(v)
    } else {
        Err(Invalid::new("out_of_range", format!("{v} is outside 1–5")))
    }
}

/// Counts behind the figures of one survey over a period and a slice: a histogram of scores
/// (index = score), answers to "was it solved?", invitations sent and answered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Tally {
    pub hist: [i64; 11],
    pub solved_yes: i64,
    pub solved_no: i64,
    pub invited: i64,
    pub answered: i64,
}

impl Tally {
    pub fn add(&mut self, o: &Tally) {
        for (a, b) in self.hist.iter_mut().zip(o.hist) {
            *a += b;
        }
        self.solved_yes += o.solved_yes;
        self.solved_no += o.solved_no;
        self.invited += o.invited;
        self.answered += o.answered;
    }

    pub fn scored(&self) -> i64 {
        self.hist.iter().sum()
    }

    fn count(&self, lo: usize, hi: usize) -> i64 {
        self.hist[lo..=hi].iter().sum()
    }

    pub fn nps(&self) -> Option<Nps> {
        Nps::of(self.count(9, 10), self.count(7, 8), self.count(0, 6))
    }

    /// CES: share (0–1) of answers 5–7 ("easy"), with the count.
    pub fn ces_easy(&self) -> Option<Share> {
        Share::of(self.count(5, 7), self.count(1, 7))
    }

    /// CSAT: share of answers 4–5 ("satisfied").
    pub fn csat_satisfied(&self) -> Option<Share> {
        Share::of(self.count(4, 5), self.count(1, 5))
    }

    pub fn solved(&self) -> Option<Share> {
        Share::of(self.solved_yes, self.solved_yes + self.solved_no)
    }

    /// Answered over invited (invitations answered, not imported answers).
    pub fn response_rate(&self) -> Option<Share> {
        Share::of(self.answered, self.invited)
    }

    pub fn mean(&self) -> Option<f64> {
        let n = self.scored();
        (n > 0).then(|| {
            self.hist
                .iter()
                .enumerate()
                .map(|(s, c)| s as f64 * *c as f64)
                .sum::<f64>()
                / n as f64
        })
    }
}

/// A part of a whole.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Share {
    pub part: i64,
    pub total: i64,
    /// part / total, 0–1.
    pub ratio: f64,
}

impl Share {
    pub fn of(part: i64, total: i64) -> Option<Share> {
        (total > 0).then(|| Share {
            part,
            total,
            ratio: part as f64 / total as f64,
        })
    }
}

/// The Net Promoter Score with its counts and 95 % margin of error.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Nps {
    pub promoters: i64,
    pub passives: i64,
    pub detractors: i64,
    pub n: i64,
    /// %promoters − %detractors, in [−100, 100].
    pub score: f64,
    /// Half-width of the 95 % confidence interval, in NPS points.
    pub margin: f64,
}

impl Nps {
    pub fn of(promoters: i64, passives: i64, detractors: i64) -> Option<Nps> {
        let n = promoters + passives + detractors;
        if n == 0 {
            return None;
        }
        let p = promoters as f64 / n as f64;
        let d = detractors as f64 / n as f64;
        // Each answer is +1, 0 or −1; the NPS is their mean (×100). Its variance per answer is
        // E[x²] − E[x]² = p + d − (p − d)², so the standard error is √(that / n).
        let variance = p + d - (p - d).powi(2);
        Some(Nps {
            promoters,
            passives,
            detractors,
            n,
            score: 100.0 * (p - d),
            margin: 100.0 * 1.96 * (variance / n as f64).sqrt(),
        })
    }
}

/// Quadrants of the satisfaction mapping (seed 001: importance × satisfaction).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Zone {
    /// Zone 1: important and satisfying — strengths to communicate.
    Strength,
    /// Zone 2: important and disappointing — urgent action.
    Urgent,
    /// Zone 3: less important and satisfying — watch (no over-quality).
    Watch,
    /// Zone 4: less important and disappointing — medium-term plan.
    MediumTerm,
}

impl Zone {
    pub const ALL: [Zone; 4] = [Zone::Strength, Zone::Urgent, Zone::Watch, Zone::MediumTerm];

    pub fn as_str(self) -> &'static str {
        match self {
            Zone::Strength => "strength",
            Zone::Urgent => "urgent",
            Zone::Watch => "watch",
            Zone::MediumTerm => "medium_term",
        }
    }
}

/// One criterion's mean importance and satisfaction (1–5) and the zone it falls in.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Placed {
    pub key: String,
    pub importance: f64,
    pub satisfaction: f64,
    pub answers: i64,
    pub zone: Zone,
}

/// Places criteria in the four zones. The axes cross at the mean of the criteria shown (the
/// importance–performance matrix of Martilla & James): which expectations matter *more* and
/// satisfy *less* than the others, whatever the general level of the answers.
pub fn map_criteria(criteria: &[(String, f64, f64, i64)]) -> (Vec<Placed>, f64, f64) {
    let rated: Vec<_> = criteria.iter().filter(|c| c.3 > 0).collect();
    if rated.is_empty() {
        return (Vec::new(), 3.0, 3.0);
    }
    let n = rated.len() as f64;
    let mi = rated.iter().map(|c| c.1).sum::<f64>() / n;
    let ms = rated.iter().map(|c| c.2).sum::<f64>() / n;
    let placed = rated
        .into_iter()
        .map(|(key, imp, sat, answers)| Placed {
            key: key.clone(),
            importance: *imp,
            satisfaction: *sat,
            answers: *answers,
            zone: match (*imp >= mi, *sat >= ms) {
                (true, true) => Zone::Strength,
                (true, false) => Zone::Urgent,
                (false, true) => Zone::Watch,
                (false, false) => Zone::MediumTerm,
            },
        })
        .collect();
    (placed, mi, ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_are_checked_per_kind() {
        assert_eq!(SurveyKind::Nps.check_score(Some(0)), Ok(Some(0)));
        assert_eq!(SurveyKind::Nps.check_score(Some(10)), Ok(Some(10)));
        assert_eq!(
            SurveyKind::Nps.check_score(Some(11)).unwrap_err().code,
            "out_of_range"
        );
        assert_eq!(
            SurveyKind::Ces.check_score(Some(0)).unwrap_err().code,
            "out_of_range"
        );
        assert_eq!(
            SurveyKind::Csat.check_score(Some(6)).unwrap_err().code,
            "out_of_range"
        );
        assert_eq!(
            SurveyKind::Csat.check_score(None).unwrap_err().code,
            "required"
        );
        assert_eq!(SurveyKind::Solved.check_score(None), Ok(None));
        assert_eq!(
            SurveyKind::Solved.check_score(Some(3)).unwrap_err().code,
            "no_score"
        );
        assert!(check_comment(&"é".repeat(MAX_COMMENT_CHARS)).is_ok());
        assert!(check_comment(&"é".repeat(MAX_COMMENT_CHARS + 1)).is_err());
    }

    #[test]
    fn nps_counts_and_margin() {
        // 50 promoters, 20 passives, 30 detractors: NPS 20; variance .5+.3−.04 = .76.
        let n = Nps::of(50, 20, 30).unwrap();
        assert_eq!(n.n, 100);
        assert!((n.score - 20.0).abs() < 1e-9);
        assert!((n.margin - 100.0 * 1.96 * (0.76f64 / 100.0).sqrt()).abs() < 1e-9);
        assert_eq!(Nps::of(10, 0, 0).unwrap().margin, 0.0);
        assert_eq!(Nps::of(0, 0, 7).unwrap().score, -100.0);
        assert!(Nps::of(0, 0, 0).is_none());
    }

    #[test]
    fn tally_shares() {
        let mut t = Tally::default();
        t.hist[7] = 3; // easy (CES) …
        t.hist[5] = 1;
        t.hist[2] = 4; // … difficult
        assert_eq!(t.ces_easy().unwrap().part, 4);
        assert_eq!(t.ces_easy().unwrap().total, 8);
        let mut c = Tally::default();
        c.hist[5] = 2;
        c.hist[4] = 1;
        c.hist[1] = 1;
        assert_eq!(c.csat_satisfied().unwrap().ratio, 0.75);
        c.invited = 8;
        c.answered = 4;
        assert_eq!(c.response_rate().unwrap().ratio, 0.5);
        assert!(SurveyKind::Nps.alerts(6) && !SurveyKind::Nps.alerts(7));
        assert!(SurveyKind::Ces.alerts(3) && !SurveyKind::Ces.alerts(5));
    }

    #[test]
    fn criteria_fall_in_four_zones() {
        let c = vec![
            ("accueil".to_string(), 4.8, 4.5, 10),
            ("attente".to_string(), 4.6, 2.1, 10),
            ("décor".to_string(), 2.0, 4.4, 10),
            ("parking".to_string(), 2.2, 2.0, 10),
            ("jamais noté".to_string(), 0.0, 0.0, 0),
        ];
        let (placed, _, _) = map_criteria(&c);
        let zones: Vec<Zone> = placed.iter().map(|p| p.zone).collect();
        assert_eq!(
            zones,
            vec![Zone::Strength, Zone::Urgent, Zone::Watch, Zone::MediumTerm]
        );
    }
}
