//! The public charter: each commitment in force, in the customer's words, with its last
//! period's result said plainly. No login; reads only the incremental results.

use super::results::{CommitmentResults, PeriodResult, results_in};
use crate::domain::commitment::{Metric, Period, Status};
use crate::i18n::Lang;
use crate::service::{Error, Result};
use crate::store::{self, Store};
use jiff::civil::Date;
use serde::Serialize;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicCharter {
    pub organization: String,
    pub slug: String,
    pub lang: String,
    pub commitments: Vec<PublicItem>,
    /// How the figures are obtained, in plain words.
    pub method: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicItem {
    pub title: String,
    pub wording: String,
    pub metric: String,
    pub version: i64,
    pub requirement_pct: f64,
    pub nominal_minutes: Option<i64>,
    pub unacceptable_minutes: Option<i64>,
    pub last_period: Option<PublicResult>,
    pub current_period: Option<PublicResult>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicResult {
    pub period: String,
    pub label: String,
    pub count: i64,
    pub compliance_pct: Option<f64>,
    pub unacceptable: i64,
    pub interval_pct: Option<(f64, f64)>,
    pub status: Status,
    /// The status in words ("Tenu", "Trop tôt pour conclure", "En cours"…).
    pub verdict: String,
    /// The interval said plainly when it matters (few contacts): "entre 72 % et 99 %".
    pub margin: Option<String>,
    /// E.g. "91 % d'entre vous ont été pris en charge en moins de 5 minutes en octobre 2026".
    pub sentence: String,
}

/// Under this many contacts a share is said with its interval ("sur si peu de contacts…").
const FEW: i64 = 100;

pub async fn public_charter(store: &Store, slug: &str, lang: Lang) -> Result<PublicCharter> {
    let mut c = store.reader().await?;
    let org = store::org::org_by_slug(&mut c, slug)
        .await?
        .ok_or(Error::NotFound("organisation"))?;
    let all = results_in(&mut c, org.id, 2).await?;
    let commitments = all
        .iter()
        .filter(|r| r.commitment.status == "published")
        .map(|r| item(r, &all, lang))
        .collect();
    Ok(PublicCharter {
        organization: org.name,
        slug: org.slug,
        lang: lang.code().into(),
        commitments,
        method: lang.t("charter.method").to_string(),
    })
}

fn item(r: &CommitmentResults, all: &[CommitmentResults], lang: Lang) -> PublicItem {
    let v = &r.commitment;
    let period = Period::parse(&v.period).unwrap_or(Period::Month);
    let today = jiff::Zoned::now().date();
    let current_start = period.start_of(today).to_string();
    let last_start = period
        .start_of(today)
        .checked_sub(jiff::Span::new().days(1))
        .map(|d| period.start_of(d).to_string())
        .unwrap_or_default();
    // A period measured by the version this one replaced still belongs to the commitment.
    let find = |start: &str| {
        std::iter::once(r)
            .chain(all.iter().filter(|o| {
                o.commitment.family_id == v.family_id && o.commitment.version < v.version
            }))
            .find_map(|x| x.results.iter().find(|p| p.period == start))
    };
    let metric = Metric::parse(&v.metric).unwrap_or(Metric::FirstResponse);
    let said = |p: &PeriodResult| {
        public_result(p, metric, v.nominal_minutes, v.business_time, period, lang)
    };
    PublicItem {
        title: if lang == Lang::En {
            v.title_en.clone()
        } else {
            v.title_fr.clone()
        },
        wording: if lang == Lang::En {
            v.wording_en.clone()
        } else {
            v.wording_fr.clone()
        },
        metric: v.metric.clone(),
        version: v.version,
        requirement_pct: v.requirement_pct,
        nominal_minutes: v.nominal_minutes,
        unacceptable_minutes: v.unacceptable_minutes,
        last_period: find(&last_start).map(said),
        current_period: find(&current_start).map(said),
    }
}

fn public_result(
    p: &PeriodResult,
    metric: Metric,
    nominal_minutes: Option<i64>,
    business: bool,
    period: Period,
    lang: Lang,
) -> PublicResult {
    let label = period_label(&p.period, period, lang);
    let pct = p.compliance_pct.map(|x| x.floor() as i64).unwrap_or(0);
    let within = nominal_minutes
        .map(|m| duration_words(m, business, lang))
        .unwrap_or_default();
    let key = format!("charter.said.{}", metric.as_str());
    let what = lang.t(&key);
    let sentence = what
        .replace("{pct}", &pct.to_string())
        .replace("{within}", &within)
        .replace("{period}", &label);
    PublicResult {
        period: p.period.clone(),
        label,
        count: p.all.total,
        compliance_pct: p.compliance_pct,
        unacceptable: p.all.unacceptable,
        interval_pct: p.interval_pct,
        status: p.status,
        verdict: lang.t(&format!("charter.status.{}", p.status)).to_string(),
        margin: p
            .interval_pct
            .filter(|_| p.all.total < FEW || p.status == Status::TooEarly)
            .map(|(lo, hi)| {
                let key = if p.all.total < FEW {
                    "charter.margin"
                } else {
                    "charter.margin_close"
                };
                lang.t(key)
                    .replace("{lo}", &lang.percent(lo.floor(), 0))
                    .replace("{hi}", &lang.percent(hi.ceil(), 0))
            }),
        sentence,
    }
}

/// "5 minutes", "48 heures ouvrées", "20 jours".
pub fn duration_words(minutes: i64, business: bool, lang: Lang) -> String {
    let (n, unit) = if minutes % 1440 == 0 && !business {
        (minutes / 1440, "day")
    } else if minutes % 60 == 0 {
        (minutes / 60, "hour")
    } else {
        (minutes, "minute")
    };
    let plural = if n > 1 { "s" } else { "" };
    let unit = match (lang, unit) {
        (Lang::Fr, "day") => format!("jour{plural}"),
        (Lang::Fr, "hour") => format!("heure{plural}"),
        (Lang::Fr, _) => format!("minute{plural}"),
        (Lang::En, u) => format!("{u}{plural}"),
    };
    let suffix = match (business, lang) {
        (true, Lang::Fr) => {
            if n > 1 {
                " ouvrées"
            } else {
                " ouvrée"
            }
        }
        (true, Lang::En) => " (business time)",
        _ => "",
    };
    match (business, lang) {
        (true, Lang::En) => format!("{n} business {unit}"),
        _ => format!("{n} {unit}{suffix}"),
    }
}

const MONTHS_FR: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// "en octobre 2026", "la semaine du 16/11/2026", "au 4e trimestre 2026" (and English).
pub fn period_label(start: &str, period: Period, lang: Lang) -> String {
    let Ok(d) = start.parse::<Date>() else {
        return start.to_string();
    };
    let m = (d.month() - 1) as usize;
    match (period, lang) {
        (Period::Month, Lang::Fr) => format!("en {} {}", MONTHS_FR[m], d.year()),
        (Period::Month, Lang::En) => format!("in {} {}", MONTHS_EN[m], d.year()),
        (Period::Week, Lang::Fr) => format!("la semaine du {}", d.strftime("%d/%m/%Y")),
        (Period::Week, Lang::En) => format!("in the week of {d}"),
        (Period::Quarter, Lang::Fr) => {
            let q = m / 3 + 1;
            format!(
                "au {q}{} trimestre {}",
                if q == 1 { "er" } else { "e" },
                d.year()
            )
        }
        (Period::Quarter, Lang::En) => format!("in Q{} {}", m / 3 + 1, d.year()),
    }
}

/// The published response promise for first contacts on a channel, as the charter words it
/// ("Nous répondons à vos courriels sous 48 heures ouvrées."), for acknowledgements.
pub async fn response_promise(
    c: &mut store::Conn,
    org_id: i64,
    channel: crate::domain::channel::Channel,
    lang: Lang,
    at: i64,
) -> Result<Option<String>> {
    let charter = super::Charter::load(c, org_id).await?;
    let found = charter.active.iter().find(|a| {
        a.in_force_at(at)
            && a.rule.metric == Metric::FirstResponse
            && a.rule.scope.channels.contains(&channel)
            && a.rule.scope.site_ids.is_empty()
    });
    Ok(found.map(|a| {
        let wording = match lang {
            Lang::Fr => &a.row.wording_fr,
            Lang::En => &a.row.wording_en,
        };
        if !wording.trim().is_empty() {
            return wording.trim().to_string();
        }
        let delay = duration_words(
            a.rule.nominal_ms.unwrap_or(0) / 60_000,
            a.rule.business_time,
            lang,
        );
        match lang {
            Lang::Fr => format!("Nous vous répondrons sous {delay}."),
            Lang::En => format!("We will answer within {delay}."),
        }
    }))
}
