//! Recording an answer: the answer row with its verbatim themes and polarity, and — in the same
//! transaction — the tallies the dashboards read (per month × site, channel, team, category),
//! the criteria of the satisfaction mapping and the theme counts behind the top irritants.

use crate::domain::survey::{SurveyKind, Tally};
use crate::domain::verbatim::{self, Lang, Rule};
use crate::service::Result;
use crate::store::{self, Conn};
use std::collections::HashMap;

/// "2026-11" for an instant, in the organisation's time zone.
pub fn month_of(ms: i64, tz: &str) -> String {
    let zone = jiff::tz::TimeZone::get(tz).unwrap_or(jiff::tz::TimeZone::UTC);
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| t.to_zoned(zone).strftime("%Y-%m").to_string())
        .unwrap_or_else(|_| "1970-01".into())
}

/// An organisation's theme rules, compiled once per batch.
pub struct Rules(Vec<(String, Rule)>);

impl Rules {
    pub async fn load(c: &mut Conn, org_id: i64) -> Result<Rules> {
        let rows = store::survey::rules(c, org_id).await?;
        Ok(Rules(
            rows.into_iter()
                .map(|r| {
                    let rule = Rule::new(&r.theme, &r.keywords, Lang::from_code(&r.lang));
                    (r.lang, rule)
                })
                .collect(),
        ))
    }

    /// Themes (",a,b," for one LIKE) and polarity of a comment in `lang`.
    pub fn tag(&self, comment: &str, lang: &str) -> (String, i64) {
        if comment.trim().is_empty() {
            return (String::new(), 0);
        }
        let l = Lang::from_code(lang);
        let words = verbatim::stems(comment, l);
        let mut themes: Vec<&str> = self
            .0
            .iter()
            .filter(|(rl, r)| Lang::from_code(rl) == l && r.matches(&words))
            .map(|(_, r)| r.theme.as_str())
            .collect();
        themes.dedup();
        let tags = if themes.is_empty() {
            String::new()
        } else {
            format!(",{},", themes.join(","))
        };
        (tags, verbatim::polarity(comment, l).as_i64())
    }
}

/// Tally changes gathered over a batch and written once per slice.
#[derive(Default)]
pub struct Deltas {
    tallies: HashMap<(i64, i64, String, &'static str, String), Tally>,
    /// (survey, month, criterion) → (answers, importance sum, satisfaction sum)
    criteria: HashMap<(i64, String, String), (i64, i64, i64)>,
    /// (organisation, month, theme) → (mentions, negative, positive)
    themes: HashMap<(i64, String, String), (i64, i64, i64)>,
}

impl Deltas {
    fn slices(&mut self, org_id: i64, survey_id: i64, month: &str, r: &Slices, d: &Tally) {
        let mut add = |dim: &'static str, value: String| {
            self.tallies
                .entry((org_id, survey_id, month.to_string(), dim, value))
                .or_default()
                .add(d);
        };
        add("all", String::new());
        if let Some(s) = r.site_id {
            add("site", s.to_string());
        }
        if let Some(ch) = &r.channel {
            add("channel", ch.clone());
        }
        if let Some(t) = r.team_id {
            add("team", t.to_string());
        }
        if let Some(cat) = &r.category {
            add("category", cat.clone());
        }
    }

    /// Counts one mention of a theme with the comment's polarity.
    pub fn theme(&mut self, org_id: i64, month: &str, theme: &str, polarity: i64) {
        let e = self
            .themes
            .entry((org_id, month.to_string(), theme.to_string()))
            .or_default();
        *e = (
            e.0 + 1,
            e.1 + i64::from(polarity < 0),
            e.2 + i64::from(polarity > 0),
        );
    }

    pub async fn flush(&mut self, c: &mut Conn) -> Result<()> {
        for ((org, survey, month, dim, value), d) in self.tallies.drain() {
            store::survey::add_tally(c, org, survey, &month, dim, &value, &d).await?;
        }
        for ((survey, month, key), (n, imp, sat)) in self.criteria.drain() {
            store::survey::add_criterion(c, survey, &month, &key, n, imp, sat).await?;
        }
        for ((org, month, theme), (n, neg, pos)) in self.themes.drain() {
            store::survey::add_theme(c, org, &month, &theme, n, neg, pos).await?;
        }
        Ok(())
    }
}

/// The slices an answer or invitation counts in.
pub struct Slices {
    pub site_id: Option<i64>,
    pub team_id: Option<i64>,
    pub channel: Option<String>,
    pub category: Option<String>,
}

/// One criterion's answer in a custom questionnaire.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq, utoipa::ToSchema)]
pub struct CriterionAnswer {
    pub key: String,
    pub importance: i64,
    pub satisfaction: i64,
}

/// Fills what is derived from an answer: its month, themes, polarity and criteria.
fn prepare(rules: &Rules, tz: &str, r: &mut store::survey::Response, criteria: &[CriterionAnswer]) {
    r.month = month_of(r.answered_at, tz);
    let (themes, polarity) = rules.tag(&r.comment, &r.lang);
    r.themes = themes;
    r.polarity = polarity;
    r.criteria = serde_json::to_string(criteria).expect("serialisable");
}

/// Adds a recorded answer to the tallies.
fn count(deltas: &mut Deltas, r: &store::survey::Response, criteria: &[CriterionAnswer]) {
    let mut d = Tally::default();
    if let Some(s) = r.score
        && (0..=10).contains(&s)
    {
        d.hist[s as usize] = 1;
    }
    match r.solved {
        Some(1) => d.solved_yes = 1,
        Some(0) => d.solved_no = 1,
        _ => {}
    }
    d.answered = i64::from(r.invitation_id.is_some());
    let slices = Slices {
        site_id: r.site_id,
        team_id: r.team_id,
        channel: r.channel.clone(),
        category: r.category.clone(),
    };
    deltas.slices(r.org_id, r.survey_id, &r.month, &slices, &d);
    for a in criteria {
        let e = deltas
            .criteria
            .entry((r.survey_id, r.month.clone(), a.key.clone()))
            .or_default();
        *e = (e.0 + 1, e.1 + a.importance, e.2 + a.satisfaction);
    }
    for t in r.themes.split(',').filter(|t| !t.is_empty()) {
        deltas.theme(r.org_id, &r.month, t, r.polarity);
    }
}

/// Writes a checked answer and adds it to `deltas`; `None` if its external id was recorded
/// before (an import run twice).
pub async fn record_in(
    c: &mut Conn,
    deltas: &mut Deltas,
    rules: &Rules,
    tz: &str,
    mut r: store::survey::Response,
    criteria: &[CriterionAnswer],
    now: i64,
) -> Result<Option<i64>> {
    prepare(rules, tz, &mut r, criteria);
    let Some(id) = store::survey::insert_response(c, &r, now).await? else {
        return Ok(None);
    };
    count(deltas, &r, criteria);
    Ok(Some(id))
}

/// Writes many checked answers (without criteria) in multi-row statements; returns how many
/// were recorded and how many had been before (by external id).
pub async fn record_many(
    c: &mut Conn,
    deltas: &mut Deltas,
    rules: &Rules,
    tz: &str,
    mut rows: Vec<store::survey::Response>,
    now: i64,
) -> Result<(usize, usize)> {
    for r in &mut rows {
        prepare(rules, tz, r, &[]);
    }
    let mut recorded = 0;
    // 20 values a row: 6 rows a statement (sqlx-sqlite looks parameters up by name in
    // quadratic time: 12 rows were slower).
    for chunk in rows.chunks(6) {
        let new = store::survey::insert_responses(c, chunk, now).await?;
        for (r, inserted) in chunk.iter().zip(new) {
            if inserted {
                count(deltas, r, &[]);
                recorded += 1;
            }
        }
    }
    Ok((recorded, rows.len() - recorded))
}

/// Counts a dispatched invitation (sent or shown) in the slices of its month: the response
/// rate's denominator.
pub fn add_invited(deltas: &mut Deltas, inv: &store::survey::Invitation, month: &str) {
    let slices = Slices {
        site_id: inv.site_id,
        team_id: inv.team_id,
        channel: inv.channel.clone(),
        category: inv.category.clone(),
    };
    let d = Tally {
        invited: 1,
        ..Tally::default()
    };
    deltas.slices(inv.org_id, inv.survey_id, month, &slices, &d);
}

pub async fn count_invited(
    c: &mut Conn,
    inv: &store::survey::Invitation,
    tz: &str,
    now: i64,
) -> Result<()> {
    let mut deltas = Deltas::default();
    add_invited(&mut deltas, inv, &month_of(now, tz));
    deltas.flush(c).await
}

/// Whether an answer calls for an alert, and which.
pub fn alert_kind(kind: SurveyKind, score: Option<i64>) -> Option<&'static str> {
    let s = score?;
    if !kind.alerts(s) {
        return None;
    }
    Some(match kind {
        SurveyKind::Nps => "detractor",
        SurveyKind::Ces => "difficult",
        _ => "dissatisfied",
    })
}
