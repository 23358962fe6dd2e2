//! The figures the quality loop holds against targets — an efficacy check, an indicator — over
//! whole months, read from the counters kept as data arrives (commitment results, survey and
//! theme tallies, case counters), never from history. Compensations are summed from their own
//! rows (one per gesture, indexed by time).

use crate::domain::Invalid;
use crate::domain::quality::wilson;
use crate::service::{Error, Result};
use crate::store::{self, Conn};
use jiff::civil::Date;
use serde::Serialize;

/// What a figure reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A commitment's compliance (%), all its versions.
    Commitment(i64),
    /// A survey's NPS (points).
    Nps(i64),
    /// Share of satisfied answers of a CSAT survey (%).
    Csat(i64),
    /// Share of "easy" answers of a CES survey (%).
    Ces(i64),
    /// Share of "yes" to "was it solved?" of a survey (%).
    Solved(i64),
    /// Invitations answered (%).
    ResponseRate(i64),
    /// Negative mentions of a theme (count; lower is better).
    Theme(String),
    /// Compensations granted (euros; lower is better).
    Compensation,
    /// Cases open or pending now (count; lower is better).
    Backlog,
    /// An indicator of the catalogue (its own figure or the values entered by hand).
    Kpi(i64),
}

impl Source {
    pub fn parse(raw: &str) -> std::result::Result<Source, Invalid> {
        let raw = raw.trim();
        let (head, tail) = raw.split_once(':').unwrap_or((raw, ""));
        let id = || {
            tail.parse::<i64>().map_err(|_| {
                Invalid::new(
                    "invalid_figure",
                    format!("«{raw}» needs a number after «{head}:»"),
                )
            })
        };
        Ok(match head {
            "commitment" => Source::Commitment(id()?),
            "nps" => Source::Nps(id()?),
            "csat" => Source::Csat(id()?),
            "ces" => Source::Ces(id()?),
            "solved" => Source::Solved(id()?),
            "response_rate" => Source::ResponseRate(id()?),
            "kpi" => Source::Kpi(id()?),
            "theme" if !tail.trim().is_empty() => Source::Theme(tail.trim().to_string()),
            "compensation" => Source::Compensation,
            "backlog" => Source::Backlog,
            _ => {
                return Err(Invalid::new(
                    "invalid_figure",
                    format!(
                        "«{raw}» is not a figure: commitment:ID, nps:ID, csat:ID, ces:ID, \
                         solved:ID, response_rate:ID, theme:NAME, kpi:ID, compensation or backlog"
                    ),
                ));
            }
        })
    }

    pub fn key(&self) -> String {
        match self {
            Source::Commitment(i) => format!("commitment:{i}"),
            Source::Nps(i) => format!("nps:{i}"),
            Source::Csat(i) => format!("csat:{i}"),
            Source::Ces(i) => format!("ces:{i}"),
            Source::Solved(i) => format!("solved:{i}"),
            Source::ResponseRate(i) => format!("response_rate:{i}"),
            Source::Theme(t) => format!("theme:{t}"),
            Source::Compensation => "compensation".into(),
            Source::Backlog => "backlog".into(),
            Source::Kpi(i) => format!("kpi:{i}"),
        }
    }

    /// percent | points | count | euros (a KPI has its own).
    pub fn unit(&self) -> &'static str {
        match self {
            Source::Nps(_) => "points",
            Source::Theme(_) | Source::Backlog => "count",
            Source::Compensation => "euros",
            _ => "percent",
        }
    }

    pub fn higher_is_better(&self) -> bool {
        !matches!(
            self,
            Source::Theme(_) | Source::Compensation | Source::Backlog
        )
    }
}

/// Whole months, `from..=to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Months {
    pub from: Date,
    pub to: Date,
}

impl Months {
    /// The `n` complete months before the month of `day`.
    pub fn before(day: Date, n: i64) -> Months {
        let first = day.first_of_month();
        let to = first
            .checked_sub(jiff::Span::new().months(1))
            .unwrap_or(first);
        let from = first
            .checked_sub(jiff::Span::new().months(n.clamp(1, 36)))
            .unwrap_or(to);
        Months { from, to }
    }

    /// The quarter `q` (1–4) of a year.
    pub fn quarter(year: i16, q: i8) -> Option<Months> {
        let from = Date::new(year, (q - 1) * 3 + 1, 1).ok()?;
        let to = Date::new(year, (q - 1) * 3 + 3, 1).ok()?;
        Some(Months { from, to })
    }

    pub fn month(first: Date) -> Months {
        let d = first.first_of_month();
        Months { from: d, to: d }
    }

    /// The same number of months just before.
    pub fn previous(self) -> Months {
        let n = self.count();
        let from = self
            .from
            .checked_sub(jiff::Span::new().months(n))
            .unwrap_or(self.from);
        let to = self
            .from
            .checked_sub(jiff::Span::new().months(1))
            .unwrap_or(self.from);
        Months { from, to }
    }

    pub fn count(self) -> i64 {
        i64::from(self.to.year() - self.from.year()) * 12
            + i64::from(self.to.month() - self.from.month())
            + 1
    }

    fn ym(d: Date) -> String {
        format!("{:04}-{:02}", d.year(), d.month())
    }
    pub fn from_ym(self) -> String {
        Self::ym(self.from)
    }
    pub fn to_ym(self) -> String {
        Self::ym(self.to)
    }
    /// The first day after the last month.
    fn end(self) -> Date {
        self.to
            .checked_add(jiff::Span::new().months(1))
            .unwrap_or(self.to)
    }
}

/// A measured figure: its value, how many contacts or answers it rests on, and its 95 %
/// interval where it is a share or a score.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Figure {
    pub value: Option<f64>,
    pub n: i64,
    pub low: Option<f64>,
    pub high: Option<f64>,
    pub unit: String,
    pub higher_is_better: bool,
}

impl Figure {
    fn share(part: i64, total: i64) -> Figure {
        let (low, high) =
            wilson(part, total).map_or((None, None), |(l, h)| (Some(100.0 * l), Some(100.0 * h)));
        Figure {
            value: (total > 0).then(|| 100.0 * part as f64 / total as f64),
            n: total,
            low,
            high,
            unit: "percent".into(),
            higher_is_better: true,
        }
    }

    fn plain(value: Option<f64>, n: i64, unit: &str, higher_is_better: bool) -> Figure {
        Figure {
            value,
            n,
            low: None,
            high: None,
            unit: unit.into(),
            higher_is_better,
        }
    }

    pub fn interval(&self) -> Option<(f64, f64)> {
        self.low.zip(self.high)
    }
}

fn epoch(d: Date, tz: &jiff::tz::TimeZone) -> i64 {
    d.to_zoned(tz.clone())
        .map(|z| z.timestamp().as_millisecond())
        .unwrap_or(0)
}

/// Checks that what a figure names exists in the organisation.
pub async fn check(c: &mut Conn, org_id: i64, s: &Source) -> Result<()> {
    let missing = |what: &str| {
        Err(Error::invalid(
            "figure",
            Invalid::new("unknown_figure", format!("no {what} «{}» here", s.key())),
        ))
    };
    match s {
        Source::Commitment(f) => {
            if !store::quality::families(c, org_id)
                .await?
                .iter()
                .any(|(id, ..)| id == f)
            {
                return missing("published commitment");
            }
        }
        Source::Nps(id)
        | Source::Csat(id)
        | Source::Ces(id)
        | Source::Solved(id)
        | Source::ResponseRate(id) => {
            let Some(sv) = store::survey::survey(c, org_id, *id).await? else {
                return missing("survey");
            };
            let want = match s {
                Source::Nps(_) => Some("nps"),
                Source::Csat(_) => Some("csat"),
                Source::Ces(_) => Some("ces"),
                _ => None,
            };
            if want.is_some_and(|k| k != sv.kind) {
                return Err(Error::invalid(
                    "figure",
                    Invalid::new(
                        "wrong_survey_kind",
                        format!("survey {id} is a {} survey", sv.kind),
                    ),
                ));
            }
        }
        Source::Kpi(id) => {
            if store::quality::kpi(c, org_id, *id).await?.is_none() {
                return missing("indicator");
            }
        }
        Source::Theme(_) | Source::Compensation | Source::Backlog => {}
    }
    Ok(())
}

/// The figure over `months`, on one site or all.
pub async fn compute(
    c: &mut Conn,
    org_id: i64,
    s: &Source,
    site_id: Option<i64>,
    months: Months,
) -> Result<Figure> {
    compute_depth(c, org_id, s, site_id, months, 0).await
}

async fn compute_depth(
    c: &mut Conn,
    org_id: i64,
    s: &Source,
    site_id: Option<i64>,
    months: Months,
    depth: u8,
) -> Result<Figure> {
    Ok(match s {
        Source::Commitment(family) => {
            let rows = store::quality::family_results(
                c,
                org_id,
                *family,
                &months.from.to_string(),
                &months.end().to_string(),
            )
            .await?;
            let (met, total) = rows
                .iter()
                .filter(|(site, ..)| site_id.is_none_or(|s| s == *site))
                .fold((0, 0), |(m, t), (_, _, total, met, _)| (m + met, t + total));
            Figure::share(met, total)
        }
        Source::Nps(id)
        | Source::Csat(id)
        | Source::Ces(id)
        | Source::Solved(id)
        | Source::ResponseRate(id) => {
            let dim = if site_id.is_some() { "site" } else { "all" };
            let value = site_id.map(|s| s.to_string()).unwrap_or_default();
            let mut t = crate::domain::survey::Tally::default();
            for row in
                store::survey::tallies(c, *id, &months.from_ym(), &months.to_ym(), &[dim]).await?
            {
                if row.value == value {
                    t.add(&row.tally());
                }
            }
            match s {
                Source::Nps(_) => match t.nps() {
                    Some(n) => Figure {
                        value: Some(n.score),
                        n: n.n,
                        low: Some(n.score - n.margin),
                        high: Some(n.score + n.margin),
                        unit: "points".into(),
                        higher_is_better: true,
                    },
                    None => Figure::plain(None, 0, "points", true),
                },
                Source::Csat(_) => t
                    .csat_satisfied()
                    .map_or(Figure::share(0, 0), |x| Figure::share(x.part, x.total)),
                Source::Ces(_) => t
                    .ces_easy()
                    .map_or(Figure::share(0, 0), |x| Figure::share(x.part, x.total)),
                Source::Solved(_) => t
                    .solved()
                    .map_or(Figure::share(0, 0), |x| Figure::share(x.part, x.total)),
                _ => t
                    .response_rate()
                    .map_or(Figure::share(0, 0), |x| Figure::share(x.part, x.total)),
            }
        }
        Source::Theme(theme) => {
            let rows =
                store::quality::theme_negatives(c, org_id, &months.from_ym(), &months.to_ym())
                    .await?;
            let n: i64 = rows
                .iter()
                .filter(|(_, t, _)| t == theme)
                .map(|(.., n)| n)
                .sum();
            Figure::plain(Some(n as f64), n, "count", false)
        }
        Source::Compensation => {
            let (tz, _) = store::org::org_calendar(c, org_id).await?;
            let tz = jiff::tz::TimeZone::get(&tz).unwrap_or(jiff::tz::TimeZone::UTC);
            let (cents, n) = store::quality::compensations_between(
                c,
                org_id,
                epoch(months.from, &tz),
                epoch(months.end(), &tz),
                site_id,
            )
            .await?;
            Figure::plain(Some(cents as f64 / 100.0), n, "euros", false)
        }
        Source::Backlog => {
            // The counters hold the stock now, not its history: a past window has no figure.
            let this_month = jiff::Zoned::now().date().first_of_month();
            if months.to
                < this_month
                    .checked_sub(jiff::Span::new().months(1))
                    .unwrap_or(this_month)
            {
                Figure::plain(None, 0, "count", false)
            } else {
                let n = store::quality::backlog(c, org_id, site_id).await?;
                Figure::plain(Some(n as f64), n, "count", false)
            }
        }
        Source::Kpi(id) => {
            let k = store::quality::kpi(c, org_id, *id)
                .await?
                .ok_or(Error::NotFound("indicator"))?;
            let higher = k.higher_is_better != 0;
            match k.figure.as_deref().map(Source::parse) {
                // A KPI may read a built-in figure, never another KPI (no loops).
                Some(Ok(inner)) if depth == 0 && !matches!(inner, Source::Kpi(_)) => {
                    let mut f = Box::pin(compute_depth(
                        c,
                        org_id,
                        &inner,
                        site_id.or(k.site_id),
                        months,
                        depth + 1,
                    ))
                    .await?;
                    f.higher_is_better = higher;
                    f.unit = k.unit.clone();
                    f
                }
                _ => {
                    let v =
                        store::quality::values(c, k.id, &months.from_ym(), &months.to_ym()).await?;
                    let n = v.len() as i64;
                    let mean = (n > 0).then(|| v.iter().map(|(_, x)| x).sum::<f64>() / n as f64);
                    Figure::plain(mean, n, &k.unit, higher)
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figure_keys_round_trip() {
        for k in [
            "commitment:3",
            "nps:2",
            "csat:1",
            "ces:4",
            "solved:5",
            "response_rate:6",
            "theme:attente",
            "kpi:7",
            "compensation",
            "backlog",
        ] {
            assert_eq!(Source::parse(k).unwrap().key(), k);
        }
        assert!(Source::parse("nps:x").is_err());
        assert!(Source::parse("theme:").is_err());
        assert!(Source::parse("weather").is_err());
        assert!(!Source::parse("backlog").unwrap().higher_is_better());
    }

    #[test]
    fn months_are_whole() {
        let d: Date = "2026-12-15".parse().unwrap();
        let m = Months::before(d, 2);
        assert_eq!(
            (m.from_ym(), m.to_ym()),
            ("2026-10".into(), "2026-11".into())
        );
        assert_eq!(m.count(), 2);
        let p = m.previous();
        assert_eq!(
            (p.from_ym(), p.to_ym()),
            ("2026-08".into(), "2026-09".into())
        );
        let q = Months::quarter(2026, 4).unwrap();
        assert_eq!(
            (q.from_ym(), q.to_ym(), q.count()),
            ("2026-10".into(), "2026-12".into(), 3)
        );
        assert_eq!(q.end().to_string(), "2027-01-01");
        let j = Months::before("2026-01-03".parse().unwrap(), 1);
        assert_eq!(j.from_ym(), "2025-12");
    }
}
