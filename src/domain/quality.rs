//! The quality loop of seed 001: a non-conformity (where it comes from, how grave, its state),
//! its plan (causes by the 5M — 7M —, the "5 why" chain, actions with the efficacy check decided
//! with them), and when a figure supports a verdict at all.

use super::Invalid;
use super::channel::string_enum;

string_enum!(
    /// Where a non-conformity comes from. The first five are opened by Pacte from live data;
    /// the others by a person.
    Origin {
        Crossing => "crossing", CommitmentPeriod => "commitment_period", Kpi => "kpi",
        Irritant => "irritant", Review => "review", VoiceTrend => "voice_trend",
        Complaint => "complaint", Survey => "survey", InternalCheck => "internal_check",
        Audit => "audit", MysteryVisit => "mystery_visit", FieldReport => "field_report",
    }
    "invalid_origin"
);

impl Origin {
    pub fn automatic(self) -> bool {
        matches!(
            self,
            Origin::Crossing
                | Origin::CommitmentPeriod
                | Origin::Kpi
                | Origin::Irritant
                | Origin::Review
                | Origin::VoiceTrend
        )
    }
}

string_enum!(
    /// How grave a non-conformity is.
    Severity { Minor => "minor", Major => "major", Critical => "critical" } "invalid_severity"
);

string_enum!(
    /// Where a non-conformity stands. `Open`: recorded (containment may already be under way);
    /// `Planned`: causes analysed and a corrective action decided with its check; `Checking`:
    /// the check is due, the figure measured, a person must confirm C or NC; `Closed`: confirmed
    /// conforming; `Reopened`: NC confirmed, or the cause came back after a C — a new action is
    /// needed; `Dismissed`: no action, with the reason.
    NcStatus {
        Open => "open", Planned => "planned", Checking => "checking", Closed => "closed",
        Reopened => "reopened", Dismissed => "dismissed",
    }
    "invalid_status"
);

impl NcStatus {
    /// Still asks for work.
    pub fn is_active(self) -> bool {
        !matches!(self, NcStatus::Closed | NcStatus::Dismissed)
    }
}

string_enum!(
    /// The families of the Ishikawa diagram: the 5M, plus Mesure and Management for the 7M.
    CauseFamily {
        Manpower => "manpower", Methods => "methods", Equipment => "equipment",
        Environment => "environment", Materials => "materials",
        Measurement => "measurement", Management => "management",
    }
    "invalid_cause_family"
);

impl CauseFamily {
    pub const FIVE_M: [CauseFamily; 5] = [
        CauseFamily::Manpower,
        CauseFamily::Methods,
        CauseFamily::Equipment,
        CauseFamily::Environment,
        CauseFamily::Materials,
    ];
}

string_enum!(
    /// Containment stops the harm now (before the analysis); a corrective action removes the cause
    /// and carries the efficacy check.
    ActionKind { Containment => "containment", Corrective => "corrective" } "invalid_action_kind"
);

string_enum!(
    /// How an action's efficacy is verified: a figure Pacte computes, or a check by people.
    CheckMethod {
        Figure => "figure", Audit => "audit", FieldCheck => "field_check",
        MysteryVisit => "mystery_visit",
    }
    "invalid_check_method"
);

string_enum!(
    /// The confirmed result of an efficacy check: conforming (C) or not (NC).
    Verdict { Conforming => "c", Nonconforming => "nc" } "invalid_verdict"
);

string_enum!(
    /// What the data says before a person confirms: the target is reached, missed, the figure
    /// cannot tell yet (its interval straddles the target), or there is nothing to measure.
    Proposal {
        Conforming => "c", Nonconforming => "nc", TooEarly => "too_early", NoData => "no_data",
    }
    "invalid_proposal"
);

/// One cause of the fishbone.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Cause {
    pub family: CauseFamily,
    pub text: String,
}

/// Most causes and "why"s an analysis keeps, and the longest text of each.
pub const MAX_CAUSES: usize = 40;
pub const MAX_WHYS: usize = 5;
pub const MAX_TEXT: usize = 500;

pub use super::text;

/// A percentage of progress: 0–100.
pub fn progress(pct: i64) -> Result<i64, Invalid> {
    if (0..=100).contains(&pct) {
        Ok(pct)
    } else {
        Err(Invalid::new("out_of_range", "a percentage from 0 to 100"))
    }
}

/// The 95 % Wilson score interval of a share `part / total`, as ratios (0–1). Unlike the
/// normal approximation it stays within 0–1 and is honest on a handful of contacts.
pub fn wilson(part: i64, total: i64) -> Option<(f64, f64)> {
    if total <= 0 || part < 0 || part > total {
        return None;
    }
    let z = 1.959_964_f64;
    let n = total as f64;
    let p = part as f64 / n;
    let z2 = z * z;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = z * ((p * (1.0 - p) + z2 / (4.0 * n)) / n).sqrt() / (1.0 + z2 / n);
    Some(((centre - half).max(0.0), (centre + half).min(1.0)))
}

/// Whether a share reaches `target` (a ratio): only when its whole interval is on one side.
pub fn share_verdict(part: i64, total: i64, target: f64, higher_is_better: bool) -> Proposal {
    let Some((lo, hi)) = wilson(part, total) else {
        return Proposal::NoData;
    };
    // A promise to everyone (100 %) is kept only by everyone, and broken by a single miss: the
    // interval, which never reaches 1, cannot decide it.
    if higher_is_better && target >= 1.0 {
        return if part == total {
            Proposal::Conforming
        } else {
            Proposal::Nonconforming
        };
    }
    let (good, bad) = if higher_is_better {
        (lo >= target, hi < target)
    } else {
        (hi <= target, lo > target)
    };
    match (good, bad) {
        (true, _) => Proposal::Conforming,
        (_, true) => Proposal::Nonconforming,
        _ => Proposal::TooEarly,
    }
}

/// Whether a figure with an optional interval `(lo, hi)` reaches `target`.
pub fn figure_verdict(
    value: Option<f64>,
    interval: Option<(f64, f64)>,
    target: f64,
    higher_is_better: bool,
) -> Proposal {
    let Some(v) = value else {
        return Proposal::NoData;
    };
    let (lo, hi) = interval.unwrap_or((v, v));
    let (good, bad) = if higher_is_better {
        (lo >= target, hi < target)
    } else {
        (hi <= target, lo > target)
    };
    match (good, bad) {
        (true, _) => Proposal::Conforming,
        (_, true) => Proposal::Nonconforming,
        _ => Proposal::TooEarly,
    }
}

string_enum!(
    /// Red / amber / green of an indicator against its thresholds.
    Rag {
        Green => "green", Amber => "amber", Red => "red", TooEarly => "too_early",
        NoData => "no_data",
    }
    "invalid_rag"
);

/// `green_at` is the target, `red_at` the threshold below which (above which, when lower is
/// better) the indicator is red; between the two, amber.
pub fn rag(value: Option<f64>, green_at: f64, red_at: Option<f64>, higher_is_better: bool) -> Rag {
    let Some(v) = value else {
        return Rag::NoData;
    };
    let red = red_at.unwrap_or(green_at);
    if higher_is_better {
        if v >= green_at {
            Rag::Green
        } else if v >= red {
            Rag::Amber
        } else {
            Rag::Red
        }
    } else if v <= green_at {
        Rag::Green
    } else if v <= red {
        Rag::Amber
    } else {
        Rag::Red
    }
}

/// The colour a figure with its 95 % interval earns: "too early" when the interval straddles the
/// target (the figure cannot say yet whether it is reached), else as `rag`.
pub fn rag_of(
    value: Option<f64>,
    interval: Option<(f64, f64)>,
    green_at: f64,
    red_at: Option<f64>,
    higher_is_better: bool,
) -> Rag {
    match (value, interval) {
        (Some(_), Some((lo, hi))) if lo < green_at && green_at < hi => Rag::TooEarly,
        _ => rag(value, green_at, red_at, higher_is_better),
    }
}

/// A score that fell for real: last month's interval lies wholly below the one of the months
/// before (both as (low, high)). Two noisy months do not make a trend.
pub fn fell(current: (f64, f64), before: (f64, f64)) -> bool {
    current.1 < before.0
}

/// A rising irritant: this month's negative mentions of a theme reach `min` and exceed last
/// month's by `growth_pct` percent or more (a theme new this month counts as rising).
pub fn irritant_rising(previous: i64, current: i64, min: i64, growth_pct: i64) -> bool {
    current >= min.max(1)
        && current * 100 >= previous * (100 + growth_pct.max(0))
        && current > previous
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_is_honest_on_few_contacts() {
        // 15 of 16 met: 93.8 %, but the interval reaches down to about 72 %.
        let (lo, hi) = wilson(15, 16).unwrap();
        assert!((0.71..0.73).contains(&lo), "{lo}");
        assert!(hi > 0.98 && hi <= 1.0);
        assert_eq!(share_verdict(15, 16, 0.85, true), Proposal::TooEarly);
        // 950 of 1,000 against 85 %: clear.
        assert_eq!(share_verdict(950, 1000, 0.85, true), Proposal::Conforming);
        assert_eq!(
            share_verdict(700, 1000, 0.85, true),
            Proposal::Nonconforming
        );
        assert_eq!(share_verdict(0, 0, 0.85, true), Proposal::NoData);
        assert_eq!(
            share_verdict(50_000, 50_000, 1.0, true),
            Proposal::Conforming
        );
        assert_eq!(
            share_verdict(49_999, 50_000, 1.0, true),
            Proposal::Nonconforming
        );
        assert!(wilson(3, 2).is_none());
        let (lo, hi) = wilson(0, 10).unwrap();
        assert_eq!(lo, 0.0);
        assert!(hi > 0.25 && hi < 0.35);
    }

    #[test]
    fn lower_is_better_flips_the_sides() {
        assert_eq!(
            figure_verdict(Some(10.0), None, 12.0, false),
            Proposal::Conforming
        );
        assert_eq!(
            figure_verdict(Some(14.0), None, 12.0, false),
            Proposal::Nonconforming
        );
        assert_eq!(
            figure_verdict(Some(11.0), Some((9.0, 13.0)), 12.0, false),
            Proposal::TooEarly
        );
        assert_eq!(figure_verdict(None, None, 12.0, true), Proposal::NoData);
    }

    #[test]
    fn rag_bands() {
        assert_eq!(rag(Some(90.0), 85.0, Some(80.0), true), Rag::Green);
        assert_eq!(rag(Some(82.0), 85.0, Some(80.0), true), Rag::Amber);
        assert_eq!(rag(Some(70.0), 85.0, Some(80.0), true), Rag::Red);
        assert_eq!(rag(Some(70.0), 85.0, None, true), Rag::Red);
        assert_eq!(rag(Some(3.0), 5.0, Some(8.0), false), Rag::Green);
        assert_eq!(rag(Some(6.0), 5.0, Some(8.0), false), Rag::Amber);
        assert_eq!(rag(Some(9.0), 5.0, Some(8.0), false), Rag::Red);
        assert_eq!(rag(None, 5.0, None, false), Rag::NoData);
        assert_eq!(
            rag_of(Some(80.0), Some((70.0, 90.0)), 85.0, Some(75.0), true),
            Rag::TooEarly
        );
        assert_eq!(
            rag_of(Some(70.0), Some((65.0, 74.0)), 85.0, Some(75.0), true),
            Rag::Red
        );
        assert_eq!(rag_of(Some(70.0), None, 85.0, Some(75.0), true), Rag::Red);
    }

    #[test]
    fn a_fall_needs_intervals_apart() {
        assert!(fell((10.0, 20.0), (25.0, 40.0)));
        assert!(!fell((10.0, 30.0), (25.0, 40.0)));
    }

    #[test]
    fn irritants_rise_past_the_rule() {
        assert!(irritant_rising(10, 20, 10, 50));
        assert!(!irritant_rising(10, 14, 10, 50));
        assert!(!irritant_rising(0, 4, 10, 50));
        assert!(irritant_rising(0, 12, 10, 50));
        assert!(!irritant_rising(30, 30, 10, 0));
    }

    #[test]
    fn plan_texts_are_bounded() {
        assert_eq!(text("  Former l'équipe  ", 50).unwrap(), "Former l'équipe");
        assert_eq!(text("   ", 50).unwrap_err().code, "required");
        assert_eq!(text(&"x".repeat(51), 50).unwrap_err().code, "too_long");
        assert_eq!(text("a\u{7}b", 50).unwrap_err().code, "control_character");
        assert!(progress(101).is_err() && progress(-1).is_err() && progress(40).is_ok());
        assert!(Origin::Crossing.automatic() && !Origin::Audit.automatic());
    }
}
