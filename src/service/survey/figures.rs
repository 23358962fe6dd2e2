//! Survey figures read from the tallies kept as answers arrive, so a dashboard costs the same
//! over a hundred answers or a million: NPS with its counts and margin, share of easy (CES),
//! share satisfied (CSAT), "solved", response rate — in total, per month and per slice.

use crate::domain::survey::{self, Nps, Share, SurveyKind, Tally};
use crate::service::{Actor, Error, Result, now_ms};
use crate::store::{self, Store};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const DIMS: [&str; 4] = ["site", "channel", "team", "category"];

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Query {
    /// First month, "YYYY-MM" (default: 11 months before `to`).
    pub from: Option<String>,
    /// Last month, "YYYY-MM" (default: this month).
    pub to: Option<String>,
    /// Slice by site, channel, team or category.
    pub by: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Summary {
    #[schema(value_type = Object)]
    pub tally: Tally,
    pub answers: i64,
    #[schema(value_type = Option<Object>)]
    pub nps: Option<Nps>,
    #[schema(value_type = Option<Object>)]
    pub ces_easy: Option<Share>,
    #[schema(value_type = Option<Object>)]
    pub csat_satisfied: Option<Share>,
    #[schema(value_type = Option<Object>)]
    pub solved: Option<Share>,
    #[schema(value_type = Option<Object>)]
    pub response_rate: Option<Share>,
    pub mean: Option<f64>,
}

impl Summary {
    pub fn of(kind: SurveyKind, t: Tally) -> Summary {
        Summary {
            answers: if kind.range().is_some() {
                t.scored()
            } else {
                t.solved_yes + t.solved_no
            },
            nps: (kind == SurveyKind::Nps).then(|| t.nps()).flatten(),
            ces_easy: (kind == SurveyKind::Ces).then(|| t.ces_easy()).flatten(),
            csat_satisfied: (kind == SurveyKind::Csat)
                .then(|| t.csat_satisfied())
                .flatten(),
            solved: t.solved(),
            response_rate: t.response_rate(),
            mean: t.mean(),
            tally: t,
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Slice {
    pub value: String,
    pub label: String,
    pub summary: Summary,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Figures {
    pub survey: store::survey::Survey,
    pub from: String,
    pub to: String,
    pub by: Option<String>,
    pub total: Summary,
    /// One per month of the period, oldest first (months without answers included).
    pub trend: Vec<Slice>,
    pub slices: Vec<Slice>,
}

fn parse_month(field: &str, m: &str) -> Result<jiff::civil::Date> {
    let bad = || {
        Error::invalid(
            field,
            crate::domain::Invalid::new("invalid_month", "expected YYYY-MM"),
        )
    };
    let (y, mo) = m.trim().split_once('-').ok_or_else(bad)?;
    let (y, mo): (i16, i8) = (
        y.parse().map_err(|_| bad())?,
        mo.parse().map_err(|_| bad())?,
    );
    jiff::civil::Date::new(y, mo, 1).map_err(|_| bad())
}

/// The period asked, as ("YYYY-MM", "YYYY-MM"), checked: at most 10 years.
pub fn period(q: &Query, tz: &str) -> Result<(String, String)> {
    let zone = jiff::tz::TimeZone::get(tz).unwrap_or(jiff::tz::TimeZone::UTC);
    let to = match &q.to {
        Some(t) => parse_month("to", t)?,
        None => jiff::Timestamp::from_millisecond(now_ms())
            .map_err(|e| Error::Internal(e.to_string()))?
            .to_zoned(zone)
            .date()
            .first_of_month(),
    };
    let from = match &q.from {
        Some(f) => parse_month("from", f)?,
        None => to
            .checked_sub(jiff::Span::new().months(11))
            .map_err(|e| Error::Internal(e.to_string()))?,
    };
    if from > to {
        return Err(Error::invalid(
            "from",
            crate::domain::Invalid::new("invalid_period", "from is after to"),
        ));
    }
    if to
        .since(from)
        .map(|s| s.get_months() + 12 * s.get_years() as i32)
        .unwrap_or(0)
        > 120
    {
        return Err(Error::invalid(
            "from",
            crate::domain::Invalid::new("invalid_period", "at most 10 years"),
        ));
    }
    Ok((
        from.strftime("%Y-%m").to_string(),
        to.strftime("%Y-%m").to_string(),
    ))
}

/// Epoch ms of the start of `from` and of the month after `to`, in the time zone.
pub fn month_bounds(from: &str, to: &str, tz: &str) -> Result<(i64, i64)> {
    let zone = jiff::tz::TimeZone::get(tz).unwrap_or(jiff::tz::TimeZone::UTC);
    let f = parse_month("from", from)?;
    let t = parse_month("to", to)?
        .checked_add(jiff::Span::new().months(1))
        .map_err(|e| Error::Internal(e.to_string()))?;
    let ms = |d: jiff::civil::Date| {
        d.to_zoned(zone.clone())
            .map(|z| z.timestamp().as_millisecond())
            .map_err(|e| Error::Internal(e.to_string()))
    };
    Ok((ms(f)?, ms(t)?))
}

fn months(from: &str, to: &str) -> Vec<String> {
    let (Ok(mut d), Ok(end)) = (parse_month("from", from), parse_month("to", to)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    while d <= end && out.len() < 121 {
        out.push(d.strftime("%Y-%m").to_string());
        d = match d.checked_add(jiff::Span::new().months(1)) {
            Ok(n) => n,
            Err(_) => break,
        };
    }
    out
}

pub async fn figures(store: &Store, actor: &Actor, survey_id: i64, q: &Query) -> Result<Figures> {
    actor.require(actor.role.can_read_voice())?;
    let by = match q.by.as_deref().map(str::trim).filter(|b| !b.is_empty()) {
        Some(b) if DIMS.contains(&b) => Some(b.to_string()),
        Some(_) => {
            return Err(Error::invalid(
                "by",
                crate::domain::Invalid::new("invalid_dimension", "site, channel, team or category"),
            ));
        }
        None => None,
    };
    let mut c = store.reader().await?;
    let s = store::survey::survey(&mut c, actor.org_id, survey_id)
        .await?
        .ok_or(Error::NotFound("survey"))?;
    let kind = SurveyKind::parse(&s.kind).map_err(|e| Error::Internal(e.message))?;
    let (tz, _) = store::org::org_calendar(&mut c, actor.org_id).await?;
    let (from, to) = period(q, &tz)?;
    let mut dims = vec!["all"];
    if let Some(b) = &by {
        dims.push(b.as_str());
    }
    let rows = store::survey::tallies(&mut c, survey_id, &from, &to, &dims).await?;
    let mut total = Tally::default();
    let mut per_month: BTreeMap<String, Tally> = months(&from, &to)
        .into_iter()
        .map(|m| (m, Tally::default()))
        .collect();
    let mut per_value: BTreeMap<String, Tally> = BTreeMap::new();
    for r in &rows {
        if r.dim == "all" {
            total.add(&r.tally());
            per_month
                .entry(r.month.clone())
                .or_default()
                .add(&r.tally());
        } else {
            per_value
                .entry(r.value.clone())
                .or_default()
                .add(&r.tally());
        }
    }
    let labels: BTreeMap<String, String> = match by.as_deref() {
        Some("site") => store::org::list_sites(&mut c, actor.org_id)
            .await?
            .into_iter()
            .map(|s| (s.id.to_string(), s.name))
            .collect(),
        Some("team") => store::org::list_teams(&mut c, actor.org_id)
            .await?
            .into_iter()
            .map(|t| (t.id.to_string(), t.name))
            .collect(),
        _ => BTreeMap::new(),
    };
    let mut slices: Vec<Slice> = per_value
        .into_iter()
        .map(|(value, t)| Slice {
            label: labels.get(&value).cloned().unwrap_or_else(|| value.clone()),
            value,
            summary: Summary::of(kind, t),
        })
        .collect();
    slices.sort_by(|a, b| {
        b.summary
            .answers
            .cmp(&a.summary.answers)
            .then(a.label.cmp(&b.label))
    });
    Ok(Figures {
        trend: per_month
            .into_iter()
            .map(|(m, t)| Slice {
                label: m.clone(),
                value: m,
                summary: Summary::of(kind, t),
            })
            .collect(),
        total: Summary::of(kind, total),
        survey: s,
        from,
        to,
        by,
        slices,
    })
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Mapping {
    pub survey_id: i64,
    pub from: String,
    pub to: String,
    #[schema(value_type = Vec<Object>)]
    pub criteria: Vec<(String, survey::Placed)>,
    /// Where the axes cross (mean importance, mean satisfaction).
    pub importance_axis: f64,
    pub satisfaction_axis: f64,
}

/// Importance × satisfaction per criterion of a custom questionnaire, in four zones.
pub async fn mapping(
    store: &Store,
    actor: &Actor,
    survey_id: i64,
    q: &Query,
    lang: crate::i18n::Lang,
) -> Result<Mapping> {
    actor.require(actor.role.can_read_voice())?;
    let mut c = store.reader().await?;
    let s = store::survey::survey(&mut c, actor.org_id, survey_id)
        .await?
        .ok_or(Error::NotFound("survey"))?;
    let (tz, _) = store::org::org_calendar(&mut c, actor.org_id).await?;
    let (from, to) = period(q, &tz)?;
    let rows = store::survey::criteria_tallies(&mut c, survey_id, &from, &to).await?;
    let defs = super::criteria_of(&s);
    let input: Vec<(String, f64, f64, i64)> = rows
        .iter()
        .map(|(k, n, imp, sat)| {
            (
                k.clone(),
                *imp as f64 / (*n).max(1) as f64,
                *sat as f64 / (*n).max(1) as f64,
                *n,
            )
        })
        .collect();
    let (placed, mi, ms) = survey::map_criteria(&input);
    let label = |k: &str| {
        defs.iter()
            .find(|d| d.key == k)
            .map(|d| {
                if lang == crate::i18n::Lang::En {
                    d.en.clone()
                } else {
                    d.fr.clone()
                }
            })
            .unwrap_or_else(|| k.to_string())
    };
    Ok(Mapping {
        survey_id,
        from,
        to,
        criteria: placed.into_iter().map(|p| (label(&p.key), p)).collect(),
        importance_axis: mi,
        satisfaction_axis: ms,
    })
}
