//! The charter for quality and managers: the dashboard (compliance per commitment and site over
//! time, cases about to breach, non-conformities, gestures), defining and backtesting a
//! commitment, publishing it, and the compensation ledger.

use super::WebPath;
use super::chart;
use super::error::OrPage;
use super::view::{Shell, options};
use super::{WebError, WebUser};
use crate::app::AppState;
use crate::domain::case::CaseKind;
use crate::domain::channel::Channel;
use crate::domain::commitment::{Metric, Period};
use crate::i18n::Lang;
use crate::service::charter::compensation::{self, Compensation, Nonconformity};
use crate::service::charter::{
    self, AtRisk, Backtest, CommitmentInput, CommitmentResults, CommitmentView,
};
use crate::service::{FieldError, org};
use crate::store::org::Site;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use serde::Deserialize;

pub struct Card {
    pub id: i64,
    pub title: String,
    pub wording: String,
    pub version: i64,
    pub requirement: f64,
    pub current: String,
    pub status: String,
    pub status_label: String,
    pub last: String,
    pub svg: String,
    /// (colour, name) of each line of the chart.
    pub legend: Vec<(&'static str, String)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "charter.html")]
pub struct Dashboard {
    s: Shell,
    slug: String,
    cards: Vec<Card>,
    drafts: Vec<CommitmentView>,
    at_risk: Vec<AtRisk>,
    breaches: Vec<(Nonconformity, String)>,
    granted: i64,
    granted_eur: String,
    proposed: i64,
    can_define: bool,
}

pub fn euros(cents: i64) -> String {
    format!("{},{:02} €", cents / 100, cents % 100)
}

fn pct(l: Lang, v: Option<f64>) -> String {
    v.map(|v| l.percent(v, 1)).unwrap_or_else(|| "—".into())
}

fn title(v: &CommitmentView, l: Lang) -> String {
    if l == Lang::En {
        v.title_en.clone()
    } else {
        v.title_fr.clone()
    }
}

fn card(r: &CommitmentResults, sites: &[Site], l: Lang) -> Card {
    let v = &r.commitment;
    let periods: Vec<String> = r.results.iter().map(|p| p.period.clone()).collect();
    let mut codes: Vec<Option<String>> = r
        .results
        .iter()
        .flat_map(|p| p.sites.iter().map(|s| s.site.clone()))
        .collect();
    codes.sort();
    codes.dedup();
    let mut series: Vec<(String, Vec<Option<f64>>, bool)> = codes
        .iter()
        .map(|code| {
            let name = code
                .as_ref()
                .and_then(|c| sites.iter().find(|s| &s.code == c))
                .map_or_else(|| l.t("charter.no_site").to_string(), |s| s.name.clone());
            let values = r
                .results
                .iter()
                .map(|p| {
                    p.sites
                        .iter()
                        .find(|s| &s.site == code)
                        .and_then(|s| s.compliance_pct)
                })
                .collect();
            (name, values, false)
        })
        .collect();
    series.push((
        l.t("charter.all_sites").into(),
        r.results.iter().map(|p| p.compliance_pct).collect(),
        true,
    ));
    let period = Period::parse(&v.period).unwrap_or(Period::Month);
    let start = period.start_of(jiff::Zoned::now().date());
    let this = start.to_string();
    let last = start
        .checked_sub(jiff::Span::new().days(1))
        .map(|d| period.start_of(d).to_string())
        .unwrap_or_default();
    let current = r.results.iter().find(|p| p.period == this);
    let previous = r.results.iter().find(|p| p.period == last);
    // The badge is the verdict of the last complete period; the running one is "in progress".
    let status = previous.map_or("no_data".to_string(), |p| p.status.as_str().to_string());
    Card {
        id: v.id,
        title: title(v, l),
        wording: if l == Lang::En {
            v.wording_en.clone()
        } else {
            v.wording_fr.clone()
        },
        version: v.version,
        requirement: v.requirement_pct,
        current: current
            .map(|p| {
                format!(
                    "{} · {} ({} / {})",
                    charter::period_label(&p.period, period, l),
                    pct(l, p.compliance_pct),
                    l.int(p.all.met),
                    l.int(p.all.total)
                )
            })
            .unwrap_or_default(),
        status_label: l.t(&format!("charter.status.{status}")).to_string(),
        status,
        last: previous
            .map(|p| {
                let margin = p
                    .interval_pct
                    .map(|(lo, hi)| {
                        format!(
                            " · {} {}–{}",
                            l.t("charter.interval"),
                            l.decimal(lo, 1),
                            l.percent(hi, 1)
                        )
                    })
                    .unwrap_or_default();
                format!(
                    "{} · {} ({} / {}){margin}",
                    charter::period_label(&p.period, period, l),
                    pct(l, p.compliance_pct),
                    l.int(p.all.met),
                    l.int(p.all.total)
                )
            })
            .unwrap_or_default(),
        svg: chart::compliance(&title(v, l), &periods, &series, v.requirement_pct),
        legend: series
            .iter()
            .enumerate()
            .map(|(k, (name, _, bold))| (chart::color(k, *bold), name.clone()))
            .collect(),
    }
}

pub async fn dashboard(State(st): State<AppState>, u: WebUser) -> Result<Dashboard, WebError> {
    let l = u.lang;
    let a = &u.actor;
    let results = charter::results(&st.store, a, 12).await.web(l)?;
    let sites = org::list_sites(&st.store, a).await.web(l)?;
    let list = charter::list(&st.store, a).await.web(l)?;
    let month_start = jiff::Zoned::now()
        .date()
        .first_of_month()
        .to_zoned(jiff::tz::TimeZone::get("Europe/Paris").unwrap_or(jiff::tz::TimeZone::UTC))
        .map(|z| z.timestamp().as_millisecond())
        .unwrap_or(0);
    let (granted, granted_cents, proposed) = compensation::totals(&st.store, a, month_start)
        .await
        .web(l)?;
    let breaches = compensation::nonconformities(&st.store, a, 10)
        .await
        .web(l)?
        .into_iter()
        .map(|n| {
            let name = list
                .iter()
                .find(|c| c.id == n.commitment_id)
                .map(|c| title(c, l))
                .unwrap_or_default();
            (n, name)
        })
        .collect();
    Ok(Dashboard {
        slug: org::own_org(&st.store, a).await.web(l)?.slug,
        cards: results
            .iter()
            .filter(|r| r.commitment.status == "published")
            .map(|r| card(r, &sites, l))
            .collect(),
        drafts: list.into_iter().filter(|c| c.status == "draft").collect(),
        at_risk: charter::at_risk(&st.store, a, 15).await.web(l)?,
        breaches,
        granted,
        granted_eur: euros(granted_cents),
        proposed,
        can_define: a.role.can_define_charter(),
        s: Shell::of(&u),
    })
}

/// The commitment form as typed (kept as text so a refused form comes back as it was).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CommitmentForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    title_fr: String,
    #[serde(default)]
    title_en: String,
    #[serde(default)]
    wording_fr: String,
    #[serde(default)]
    wording_en: String,
    #[serde(default)]
    metric: String,
    #[serde(default)]
    channels: Vec<String>,
    #[serde(default)]
    sites: Vec<String>,
    #[serde(default)]
    kinds: Vec<String>,
    #[serde(default)]
    categories: String,
    #[serde(default)]
    nominal: String,
    #[serde(default)]
    nominal_unit: String,
    #[serde(default)]
    requirement_pct: String,
    #[serde(default)]
    unacceptable: String,
    #[serde(default)]
    unacceptable_unit: String,
    #[serde(default)]
    business_time: Option<String>,
    #[serde(default)]
    exclude_pending: Option<String>,
    #[serde(default)]
    period: String,
    #[serde(default)]
    compensation_gesture: String,
    #[serde(default)]
    compensation_euros: String,
    #[serde(default)]
    alert_webhook: String,
}

fn unit_minutes(unit: &str) -> i64 {
    match unit {
        "h" => 60,
        "d" => 1440,
        _ => 1,
    }
}

/// Shows minutes in the largest whole unit.
fn split_minutes(m: Option<i64>) -> (String, String) {
    match m {
        None => (String::new(), "min".into()),
        Some(m) if m % 1440 == 0 => ((m / 1440).to_string(), "d".into()),
        Some(m) if m % 60 == 0 => ((m / 60).to_string(), "h".into()),
        Some(m) => (m.to_string(), "min".into()),
    }
}

impl CommitmentForm {
    fn of(v: &CommitmentView) -> Self {
        let (nominal, nominal_unit) = split_minutes(v.nominal_minutes);
        let (unacceptable, unacceptable_unit) = split_minutes(v.unacceptable_minutes);
        CommitmentForm {
            csrf: String::new(),
            title_fr: v.title_fr.clone(),
            title_en: v.title_en.clone(),
            wording_fr: v.wording_fr.clone(),
            wording_en: v.wording_en.clone(),
            metric: v.metric.clone(),
            channels: v.channels.clone(),
            sites: v.sites.clone(),
            kinds: v.kinds.clone(),
            categories: v.categories.join(", "),
            nominal,
            nominal_unit,
            requirement_pct: v.requirement_pct.to_string(),
            unacceptable,
            unacceptable_unit,
            business_time: v.business_time.then(|| "1".into()),
            exclude_pending: v.exclude_pending.then(|| "1".into()),
            period: v.period.clone(),
            compensation_gesture: v.compensation_gesture.clone().unwrap_or_default(),
            compensation_euros: v
                .compensation_cents
                .map(|c| format!("{}.{:02}", c / 100, c % 100))
                .unwrap_or_default(),
            alert_webhook: v.alert_webhook.clone().unwrap_or_default(),
        }
    }

    /// The typed input, or the fields whose text is not a number.
    fn input(&self) -> Result<CommitmentInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut number = |field: &str, raw: &str| -> Option<f64> {
            let raw = raw.trim().replace(',', ".");
            if raw.is_empty() {
                return None;
            }
            match raw.parse::<f64>() {
                Ok(v) if v.is_finite() => Some(v),
                _ => {
                    errors.push(FieldError {
                        field: field.into(),
                        code: "not_a_number".into(),
                        message: format!("«{raw}» is not a number"),
                    });
                    None
                }
            }
        };
        let nominal = number("nominal_minutes", &self.nominal)
            .map(|v| (v * unit_minutes(&self.nominal_unit) as f64).round() as i64);
        let unacceptable = number("unacceptable_minutes", &self.unacceptable)
            .map(|v| (v * unit_minutes(&self.unacceptable_unit) as f64).round() as i64);
        let requirement = number("requirement_pct", &self.requirement_pct);
        let euros = number("compensation_cents", &self.compensation_euros);
        if !errors.is_empty() {
            return Err(errors);
        }
        let text = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        Ok(CommitmentInput {
            title_fr: self.title_fr.clone(),
            title_en: self.title_en.clone(),
            wording_fr: self.wording_fr.clone(),
            wording_en: self.wording_en.clone(),
            metric: self.metric.clone(),
            channels: self.channels.clone(),
            sites: self.sites.clone(),
            kinds: self.kinds.clone(),
            categories: self
                .categories
                .split(',')
                .map(|c| c.trim().to_string())
                .filter(|c| !c.is_empty())
                .collect(),
            nominal_minutes: nominal,
            requirement_pct: requirement.unwrap_or(f64::NAN),
            unacceptable_minutes: unacceptable,
            business_time: self.business_time.is_some(),
            exclude_pending: self.exclude_pending.is_some(),
            period: self.period.clone(),
            compensation_gesture: text(&self.compensation_gesture),
            compensation_cents: euros.map(|e| (e * 100.0).round() as i64),
            alert_webhook: text(&self.alert_webhook),
            position: None,
        })
    }

    fn has(&self, list: &str, v: &str) -> bool {
        let l = match list {
            "channels" => &self.channels,
            "sites" => &self.sites,
            _ => &self.kinds,
        };
        l.iter().any(|x| x == v)
    }
}

pub struct BacktestRow {
    pub period: String,
    pub all: String,
    pub count: i64,
    pub unacceptable: i64,
    pub status: String,
    pub status_label: String,
    pub sites: Vec<(String, String)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "commitment.html")]
pub struct CommitmentPage {
    s: Shell,
    /// None: a new commitment.
    c: Option<CommitmentView>,
    f: CommitmentForm,
    errors: Vec<FieldError>,
    metrics: Vec<(String, String)>,
    channels: Vec<(String, String)>,
    kinds: Vec<(String, String)>,
    periods: Vec<(String, String)>,
    sites: Vec<Site>,
    backtest: Option<(Backtest, Vec<BacktestRow>)>,
    versions: Vec<CommitmentView>,
    can_define: bool,
}

impl CommitmentPage {
    fn error(&self, field: &str) -> String {
        self.errors
            .iter()
            .filter(|e| e.field == field)
            .map(|e| e.message.clone())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

async fn page(
    st: &AppState,
    u: &WebUser,
    c: Option<CommitmentView>,
    f: CommitmentForm,
    errors: Vec<FieldError>,
    backtest: Option<Backtest>,
) -> Result<CommitmentPage, WebError> {
    let l = u.lang;
    let sites = org::list_sites(&st.store, &u.actor).await.web(l)?;
    let versions = match &c {
        Some(c) => charter::list(&st.store, &u.actor)
            .await
            .web(l)?
            .into_iter()
            .filter(|v| v.family_id == c.family_id)
            .collect(),
        None => Vec::new(),
    };
    let backtest = backtest.map(|b| {
        let rows = b
            .results
            .iter()
            .map(|p| BacktestRow {
                period: p.period.clone(),
                all: pct(l, p.compliance_pct),
                count: p.all.total,
                unacceptable: p.all.unacceptable,
                status: p.status.as_str().into(),
                status_label: l.t(&format!("charter.status.{}", p.status.as_str())).into(),
                sites: p
                    .sites
                    .iter()
                    .map(|s| {
                        (
                            s.site.clone().unwrap_or_else(|| "—".into()),
                            pct(l, s.compliance_pct),
                        )
                    })
                    .collect(),
            })
            .collect();
        (b, rows)
    });
    Ok(CommitmentPage {
        s: Shell::of(u),
        c,
        f,
        errors,
        metrics: options(l, "metric", Metric::ALL),
        channels: options(l, "channel", Channel::ALL),
        kinds: options(l, "kind", CaseKind::ALL),
        periods: options(l, "period", Period::ALL),
        sites,
        backtest,
        versions,
        can_define: u.actor.role.can_define_charter(),
    })
}

pub async fn new_page(State(st): State<AppState>, u: WebUser) -> Result<CommitmentPage, WebError> {
    u.actor
        .require(u.actor.role.can_define_charter())
        .web(u.lang)?;
    let f = CommitmentForm {
        metric: "first_response".into(),
        channels: vec!["email".into()],
        requirement_pct: "90".into(),
        nominal_unit: "h".into(),
        unacceptable_unit: "h".into(),
        period: "month".into(),
        ..CommitmentForm::default()
    };
    page(&st, &u, None, f, Vec::new(), None).await
}

fn to(id: i64, l: Lang) -> Redirect {
    Redirect::to(&format!("/charter/commitments/{id}?lang={}", l.code()))
}

pub async fn create(
    State(st): State<AppState>,
    u: WebUser,
    Form(f): Form<CommitmentForm>,
) -> Result<Response, WebError> {
    u.check_csrf(&f.csrf)?;
    let input = match f.input() {
        Ok(i) => i,
        Err(errors) => return Ok(page(&st, &u, None, f, errors, None).await?.into_response()),
    };
    match charter::create(&st.store, &u.actor, &input).await {
        Ok(c) => Ok(to(c.id, u.lang).into_response()),
        Err(crate::service::Error::Invalid(errors)) => {
            Ok(page(&st, &u, None, f, errors, None).await?.into_response())
        }
        Err(e) => Err(WebError::from_service(e, u.lang)),
    }
}

pub async fn show(
    State(st): State<AppState>,
    u: WebUser,
    WebPath(id): WebPath<i64>,
) -> Result<CommitmentPage, WebError> {
    let c = charter::get(&st.store, &u.actor, id).await.web(u.lang)?;
    let f = CommitmentForm::of(&c);
    page(&st, &u, Some(c), f, Vec::new(), None).await
}

pub async fn update(
    State(st): State<AppState>,
    u: WebUser,
    WebPath(id): WebPath<i64>,
    Form(f): Form<CommitmentForm>,
) -> Result<Response, WebError> {
    u.check_csrf(&f.csrf)?;
    let c = charter::get(&st.store, &u.actor, id).await.web(u.lang)?;
    let input = match f.input() {
        Ok(i) => i,
        Err(errors) => {
            return Ok(page(&st, &u, Some(c), f, errors, None)
                .await?
                .into_response());
        }
    };
    match charter::update(&st.store, &u.actor, id, &input).await {
        Ok(v) => Ok(to(v.id, u.lang).into_response()),
        Err(crate::service::Error::Invalid(errors)) => Ok(page(&st, &u, Some(c), f, errors, None)
            .await?
            .into_response()),
        Err(e) => Err(WebError::from_service(e, u.lang)),
    }
}

#[derive(Deserialize)]
pub struct BacktestForm {
    csrf: String,
    months: i64,
}

pub async fn backtest(
    State(st): State<AppState>,
    u: WebUser,
    WebPath(id): WebPath<i64>,
    axum::Form(b): axum::Form<BacktestForm>,
) -> Result<CommitmentPage, WebError> {
    u.check_csrf(&b.csrf)?;
    let result = charter::backtest(&st.store, &u.actor, id, b.months)
        .await
        .web(u.lang)?;
    let c = charter::get(&st.store, &u.actor, id).await.web(u.lang)?;
    let f = CommitmentForm::of(&c);
    page(&st, &u, Some(c), f, Vec::new(), Some(result)).await
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

pub async fn publish(
    State(st): State<AppState>,
    u: WebUser,
    WebPath(id): WebPath<i64>,
    axum::Form(f): axum::Form<CsrfForm>,
) -> Result<Redirect, WebError> {
    u.check_csrf(&f.csrf)?;
    charter::publish(&st.store, &u.actor, id)
        .await
        .web(u.lang)?;
    Ok(to(id, u.lang))
}

#[derive(Template, WebTemplate)]
#[template(path = "compensations.html")]
pub struct Ledger {
    s: Shell,
    rows: Vec<Compensation>,
    filter: String,
}

#[derive(Deserialize)]
pub struct LedgerQuery {
    #[serde(default)]
    status: String,
}

pub async fn ledger(
    State(st): State<AppState>,
    u: WebUser,
    Query(q): Query<LedgerQuery>,
) -> Result<Ledger, WebError> {
    let status = Some(q.status.as_str()).filter(|s| !s.is_empty());
    let rows = compensation::list(&st.store, &u.actor, status, 500)
        .await
        .web(u.lang)?;
    Ok(Ledger {
        s: Shell::of(&u),
        rows,
        filter: q.status,
    })
}

#[derive(Deserialize)]
pub struct DecisionForm {
    csrf: String,
    decision: String,
}

pub async fn decide(
    State(st): State<AppState>,
    u: WebUser,
    WebPath(id): WebPath<i64>,
    axum::Form(f): axum::Form<DecisionForm>,
) -> Result<Redirect, WebError> {
    u.check_csrf(&f.csrf)?;
    compensation::decide(&st.store, &u.actor, id, f.decision == "grant")
        .await
        .web(u.lang)?;
    Ok(Redirect::to(&format!(
        "/charter/compensations?lang={}",
        u.lang.code()
    )))
}

pub async fn ledger_csv(
    State(st): State<AppState>,
    u: WebUser,
) -> Result<impl IntoResponse, WebError> {
    let csv = compensation::csv(&st.store, &u.actor).await.web(u.lang)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"compensations.csv\"",
            ),
        ],
        csv,
    ))
}

/// "2 h 05 left", "overdue by 40 min".
pub fn remaining(l: &Lang, minutes: &i64) -> String {
    let minutes = *minutes;
    let m = minutes.abs();
    let d = if m >= 48 * 60 {
        format!("{} j {} h", m / 1440, (m % 1440) / 60)
    } else if m >= 60 {
        format!("{} h {:02}", m / 60, m % 60)
    } else {
        format!("{m} min")
    };
    if minutes < 0 {
        format!("{} {d}", l.t("charter.overdue"))
    } else {
        d
    }
}

pub fn units(l: &Lang) -> Vec<(&'static str, String)> {
    ["min", "h", "d"]
        .into_iter()
        .map(|u| (u, l.t(&format!("unit.{u}")).to_string()))
        .collect()
}

/// For templates, which pass arguments by reference.
pub fn euros_of(cents: &i64) -> String {
    euros(*cents)
}

pub fn at(l: &Lang, ms: &i64) -> String {
    l.datetime(*ms)
}
