//! The quality loop for staff: non-conformities and their plans (PAQ) with the fishbone, the
//! actions and their checks, the indicator catalogue and the quarterly reviews.

use super::WebPath;
use super::chart;
use super::error::OrPage;
use super::view::Shell;
use super::{WebError, WebUser};
use crate::app::AppState;
use crate::domain::quality::{Cause, CauseFamily, Origin};
use crate::i18n::Lang;
use crate::service::org;
use crate::service::quality::kpi::{self, KpiView, ReviewView};
use crate::service::quality::{self, Detail, Due};
use crate::store::quality::{Action, Evidence, Kpi, Nc, Progress, Review};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect};
use axum_extra::extract::Form;
use serde::Deserialize;

/// "2026-12-15" in the reader's way: "15/12/2026" or as is.
pub fn day(l: &Lang, iso: &str) -> String {
    l.day(iso)
}

/// Evidence rows shown on a page; the rest is counted.
const EVIDENCE_SHOWN: usize = 20;

/// A figure in its unit: "87,5 %", "+32 points", "1 250,00 €", "12".
pub fn amount(l: &Lang, v: &Option<f64>, unit: &str) -> String {
    let Some(v) = *v else {
        return "—".into();
    };
    match unit {
        "percent" => l.percent(v, 1),
        "points" => format!("{}{}", if v > 0.0 { "+" } else { "" }, l.decimal(v, 0)),
        "euros" => format!("{}\u{a0}€", l.decimal(v, 2)),
        "minutes" => format!("{}\u{a0}min", l.decimal(v, 1)),
        "score" => l.decimal(v, 1),
        _ => l.decimal(v, if v.fract() == 0.0 { 0 } else { 1 }),
    }
}

/// A form's option matches the value held.
pub fn same(v: &Option<i64>, id: &i64) -> bool {
    *v == Some(*id)
}
pub fn is(v: &Option<String>, s: &str) -> bool {
    v.as_deref() == Some(s)
}

/// A number known to be there, in its unit.
pub fn num(l: &Lang, v: &f64, unit: &str) -> String {
    amount(l, &Some(*v), unit)
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    status: Option<String>,
    origin: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "quality.html")]
pub struct ListPage {
    s: Shell,
    rows: Vec<Nc>,
    counts: Vec<(String, i64)>,
    mine: Vec<Due>,
    /// Every open action past its date and unfinished (for those who pilot plans).
    late: Vec<Due>,
    today: String,
    status: String,
    origin: String,
    origins: Vec<&'static str>,
    can_pilot: bool,
}

pub async fn list(
    State(st): State<AppState>,
    u: WebUser,
    Query(q): Query<ListQuery>,
) -> Result<ListPage, WebError> {
    let l = u.lang;
    let a = &u.actor;
    let query = quality::ListQuery {
        status: q.status.clone(),
        origin: q.origin.clone(),
    };
    Ok(ListPage {
        rows: quality::list(&st.store, a, &query, 500).await.web(l)?,
        counts: quality::counts(&st.store, a).await.web(l)?,
        mine: quality::open_actions(&st.store, a, true).await.web(l)?,
        late: if a.role.can_pilot_quality() {
            let today = jiff::Zoned::now().date().to_string();
            quality::open_actions(&st.store, a, false)
                .await
                .web(l)?
                .into_iter()
                .filter(|d| d.due_on < today && d.progress < 100)
                .collect()
        } else {
            Vec::new()
        },
        today: jiff::Zoned::now().date().to_string(),
        status: q.status.unwrap_or_else(|| "active".into()),
        origin: q.origin.unwrap_or_default(),
        origins: Origin::ALL.iter().map(|o| o.as_str()).collect(),
        can_pilot: a.role.can_pilot_quality(),
        s: Shell::of(&u),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "quality_new.html")]
pub struct NewPage {
    s: Shell,
    origins: Vec<&'static str>,
    severities: Vec<&'static str>,
    sites: Vec<(String, String)>,
    case_number: String,
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    case: Option<i64>,
}

pub async fn new_page(
    State(st): State<AppState>,
    u: WebUser,
    Query(q): Query<NewQuery>,
) -> Result<NewPage, WebError> {
    let l = u.lang;
    Ok(NewPage {
        origins: Origin::ALL
            .iter()
            .filter(|o| !o.automatic())
            .map(|o| o.as_str())
            .collect(),
        sites: org::list_sites(&st.store, &u.actor)
            .await
            .web(l)?
            .into_iter()
            .map(|s| (s.code, s.name))
            .collect(),
        case_number: q.case.map(|n| n.to_string()).unwrap_or_default(),
        severities: crate::domain::quality::Severity::ALL
            .iter()
            .map(|v| v.as_str())
            .collect(),
        s: Shell::of(&u),
    })
}

#[derive(Deserialize)]
pub struct NewForm {
    csrf: String,
    origin: String,
    title: String,
    #[serde(default)]
    description: String,
    severity: Option<String>,
    site: Option<String>,
    #[serde(default, deserialize_with = "crate::service::blank_is_none")]
    case_number: Option<i64>,
}

pub async fn create(
    State(st): State<AppState>,
    u: WebUser,
    Form(f): Form<NewForm>,
) -> Result<Redirect, WebError> {
    u.check_csrf(&f.csrf)?;
    let nc = quality::open(
        &st.store,
        &u.actor,
        &quality::NcInput {
            origin: f.origin,
            title: f.title,
            description: f.description,
            severity: f.severity,
            site: f.site,
            case_number: f.case_number,
            owner_id: None,
        },
    )
    .await
    .web(u.lang)?;
    Ok(Redirect::to(&format!("/quality/nc/{}?done=saved", nc.id)))
}

/// A cause family with the causes written under it, for the form and the drawing.
pub struct Family {
    pub code: &'static str,
    pub name: String,
    pub causes: Vec<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "quality_nc.html")]
pub struct NcPage {
    s: Shell,
    d: Detail,
    families: Vec<Family>,
    /// Some cause is written (the analysis form starts folded).
    analysed: bool,
    whys: Vec<String>,
    has_whys: bool,
    /// The figure a check proposes first: the commitment the non-conformity is about.
    default_figure: String,
    fishbone: String,
    users: Vec<(i64, String)>,
    sites: Vec<(String, String)>,
    figures: Vec<(String, String)>,
    share_draft: String,
    today: String,
    /// Who is looking: a pilot or actor may log progress on their own actions.
    me: i64,
    /// Evidence beyond what the page shows.
    more_evidence: i64,
    can_pilot: bool,
    can_decide: bool,
}

impl NcPage {
    fn user(&self, id: &i64) -> String {
        self.users
            .iter()
            .find(|(u, _)| u == id)
            .map_or_else(|| format!("#{id}"), |(_, n)| n.clone())
    }
    fn actors(&self, json: &str) -> String {
        let ids: Vec<i64> = serde_json::from_str(json).unwrap_or_default();
        ids.iter()
            .map(|i| self.user(i))
            .collect::<Vec<_>>()
            .join(", ")
    }
    fn documents(&self, json: &str) -> Vec<quality::Document> {
        serde_json::from_str(json).unwrap_or_default()
    }
    fn figure_name(&self, key: &str) -> String {
        self.figures
            .iter()
            .find(|(k, _)| k == key)
            .map_or_else(|| key.to_string(), |(_, n)| n.clone())
    }
    fn shown_evidence(&self) -> &[Evidence] {
        &self.d.evidence[..self.d.evidence.len().min(EVIDENCE_SHOWN)]
    }
    /// The NC still asks for work and this user may log progress on this action.
    fn may_progress(&self, a: &Action) -> bool {
        let active = !matches!(self.d.nonconformity.status.as_str(), "closed" | "dismissed");
        let actors: Vec<i64> = serde_json::from_str(&a.actors).unwrap_or_default();
        active
            && a.verdict.is_none()
            && (self.can_pilot || a.pilot_id == Some(self.me) || actors.contains(&self.me))
    }
    /// The check of this action may be confirmed now (the plan is at its round, still open).
    fn may_verdict(&self, a: &Action) -> bool {
        let n = &self.d.nonconformity;
        self.can_decide
            && !matches!(n.status.as_str(), "closed" | "dismissed")
            && a.round == n.reopened + 1
            && a.check_on
                .as_deref()
                .is_some_and(|on| on <= self.today.as_str())
    }
    fn late(&self, a: &Action) -> bool {
        a.verdict.is_none() && a.progress < 100 && a.due_on < self.today
    }
    fn progress_of(&self, action: &i64) -> Vec<&Progress> {
        self.d
            .progress
            .iter()
            .filter(|p| p.action_id == *action)
            .collect()
    }
    fn unit_of(&self, key: &str) -> &'static str {
        quality::figure::Source::parse(key).map_or("count", |s| s.unit())
    }
    /// A link to what a piece of evidence is about.
    fn evidence_link(&self, kind: &str, detail: &str) -> Option<(String, String)> {
        let v: serde_json::Value = serde_json::from_str(detail).ok()?;
        let l = self.s.l;
        match kind {
            "crossing" => v["case_number"].as_i64().map(|n| {
                (
                    format!("/cases/{n}"),
                    format!("{} {n}", l.t("quality.evidence.case")),
                )
            }),
            "review" => Some((
                "/reviews".into(),
                l.t("quality.evidence.see_reviews").to_string(),
            )),
            _ => None,
        }
    }
    fn evidence_text(&self, kind: &str, detail: &str) -> String {
        let l = self.s.l;
        let v: serde_json::Value = serde_json::from_str(detail).unwrap_or_default();
        match kind {
            "crossing" => v["value_ms"]
                .as_i64()
                .map(|ms| {
                    format!(
                        "{} {}",
                        l.t("quality.evidence.measured"),
                        super::charter::remaining(&l, &(ms / 60_000))
                    )
                })
                .unwrap_or_default(),
            "period" => format!(
                "{} · {} ({} / {}) · {} {}",
                l.month(v["period"].as_str().unwrap_or("")),
                amount(&l, &v["compliance_pct"].as_f64(), "percent"),
                l.int(v["met"].as_i64().unwrap_or(0)),
                l.int(v["total"].as_i64().unwrap_or(0)),
                l.t("charter.required"),
                amount(&l, &v["requirement_pct"].as_f64(), "percent"),
            ),
            "review" => format!("{} ★", v["stars"].as_i64().unwrap_or(0)),
            "voice" => {
                let unit = if v["kind"] == "nps" {
                    "points"
                } else {
                    "percent"
                };
                format!(
                    "{}\u{a0}: {} ({}) ← {} ({})",
                    l.month(v["month"].as_str().unwrap_or("")),
                    amount(&l, &v["value"].as_f64(), unit),
                    l.plural("quality.answers", v["n"].as_i64().unwrap_or(0)),
                    amount(&l, &v["before"].as_f64(), unit),
                    l.plural("quality.answers", v["before_n"].as_i64().unwrap_or(0)),
                )
            }
            "theme" => format!(
                "{}\u{a0}: {} → {}",
                l.month(v["month"].as_str().unwrap_or("")),
                l.int(v["previous"].as_i64().unwrap_or(0)),
                l.int(v["negative"].as_i64().unwrap_or(0))
            ),
            "kpi" => {
                let unit = v["unit"].as_str().unwrap_or("count");
                format!(
                    "{}\u{a0}: {} ({} {})",
                    l.month(v["month"].as_str().unwrap_or("")),
                    amount(&l, &v["value"].as_f64(), unit),
                    l.t("quality.target"),
                    amount(&l, &v["target"].as_f64(), unit)
                )
            }
            _ => String::new(),
        }
    }
}

pub async fn page(
    State(st): State<AppState>,
    u: WebUser,
    WebPath(id): WebPath<i64>,
) -> Result<NcPage, WebError> {
    let l = u.lang;
    let a = &u.actor;
    let d = quality::detail(&st.store, a, id).await.web(l)?;
    let causes: Vec<Cause> = serde_json::from_str(&d.nonconformity.causes).unwrap_or_default();
    let families: Vec<Family> = d
        .families
        .iter()
        .map(|f| Family {
            code: f.as_str(),
            name: l.t(&format!("quality.family.{f}")).to_string(),
            causes: causes
                .iter()
                .filter(|c| c.family == *f)
                .map(|c| c.text.clone())
                .collect(),
        })
        .collect();
    let mut whys: Vec<String> = serde_json::from_str(&d.nonconformity.whys).unwrap_or_default();
    whys.resize(crate::domain::quality::MAX_WHYS, String::new());
    let fishbone = chart::fishbone(
        &d.nonconformity.title,
        &families
            .iter()
            .map(|f| (f.name.clone(), f.causes.clone()))
            .collect::<Vec<_>>(),
    );
    let mut users: Vec<(i64, String)> = org::list_users(&st.store, a)
        .await
        .web(l)?
        .into_iter()
        .filter(|u| u.active != 0 && u.role != "kiosk")
        .map(|u| (u.id, u.name))
        .collect();
    users.dedup();
    Ok(NcPage {
        share_draft: quality::share_draft(&d.nonconformity, &d.actions, l),
        figures: quality::figure_options(&st.store, a, l).await.web(l)?,
        sites: org::list_sites(&st.store, a)
            .await
            .web(l)?
            .into_iter()
            .map(|s| (s.code, s.name))
            .collect(),
        today: jiff::Zoned::now().date().to_string(),
        me: a.user_id,
        // The page reads at most 200 pieces; the record counts them all.
        more_evidence: (d.nonconformity.occurrences.max(d.evidence.len() as i64)
            - d.evidence.len().min(EVIDENCE_SHOWN) as i64)
            .max(0),
        can_pilot: a.role.can_pilot_quality(),
        can_decide: a.role.can_decide_quality(),
        analysed: families.iter().any(|f| !f.causes.is_empty()),
        has_whys: whys.iter().any(|w| !w.is_empty()),
        default_figure: d
            .nonconformity
            .commitment_id
            .map(|c| format!("commitment:{c}"))
            .unwrap_or_default(),
        families,
        whys,
        fishbone,
        users,
        d,
        s: Shell::of(&u),
    })
}

#[derive(Deserialize)]
pub struct AnalysisForm {
    csrf: String,
    #[serde(default)]
    manpower: String,
    #[serde(default)]
    methods: String,
    #[serde(default)]
    equipment: String,
    #[serde(default)]
    environment: String,
    #[serde(default)]
    materials: String,
    #[serde(default)]
    measurement: String,
    #[serde(default)]
    management: String,
    #[serde(default)]
    why: Vec<String>,
    #[serde(default, deserialize_with = "crate::service::blank_is_none")]
    pilot_id: Option<i64>,
    #[serde(default, deserialize_with = "crate::service::blank_is_none")]
    owner_id: Option<i64>,
    severity: Option<String>,
}

pub async fn analyse(
    State(st): State<AppState>,
    u: WebUser,
    WebPath(id): WebPath<i64>,
    Form(f): Form<AnalysisForm>,
) -> Result<Redirect, WebError> {
    u.check_csrf(&f.csrf)?;
    let mut causes = Vec::new();
    for (family, text) in [
        (CauseFamily::Manpower, &f.manpower),
        (CauseFamily::Methods, &f.methods),
        (CauseFamily::Equipment, &f.equipment),
        (CauseFamily::Environment, &f.environment),
        (CauseFamily::Materials, &f.materials),
        (CauseFamily::Measurement, &f.measurement),
        (CauseFamily::Management, &f.management),
    ] {
        // One cause per line.
        for line in text.lines().map(str::trim).filter(|x| !x.is_empty()) {
            causes.push(Cause {
                family,
                text: line.to_string(),
            });
        }
    }
    quality::analyse(
        &st.store,
        &u.actor,
        id,
        &quality::AnalysisInput {
            causes,
            whys: f.why,
            pilot_id: f.pilot_id,
            owner_id: f.owner_id,
            severity: f.severity,
        },
    )
    .await
    .web(u.lang)?;
    Ok(Redirect::to(&format!(
        "/quality/nc/{id}?done=saved#analysis"
    )))
}

#[derive(Deserialize)]
pub struct ActionForm {
    csrf: String,
    kind: String,
    title: String,
    due_on: String,
    #[serde(default, deserialize_with = "crate::service::blank_is_none")]
    pilot_id: Option<i64>,
    #[serde(default)]
    actors: Vec<i64>,
    /// One document per line: "title | link".
    #[serde(default)]
    documents: String,
    #[serde(default)]
    check_method: String,
    check_figure: Option<String>,
    check_site: Option<String>,
    #[serde(default, deserialize_with = "decimal")]
    check_target: Option<f64>,
    #[serde(default, deserialize_with = "crate::service::blank_is_none")]
    check_months: Option<i64>,
    #[serde(default)]
    check_on: String,
    #[serde(default)]
    check_how: String,
}

/// A number typed the French way ("87,5") or the English way.
fn decimal<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    let raw: Option<String> = Deserialize::deserialize(d)?;
    match raw.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => v
            .replace([' ', '\u{a0}', '\u{202f}'], "")
            .replace(',', ".")
            .parse()
            .map(Some)
            .map_err(serde::de::Error::custom),
    }
}

pub async fn add_action(
    State(st): State<AppState>,
    u: WebUser,
    WebPath(id): WebPath<i64>,
    Form(f): Form<ActionForm>,
) -> Result<Redirect, WebError> {
    u.check_csrf(&f.csrf)?;
    let documents = f
        .documents
        .lines()
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(|line| match line.split_once('|') {
            Some((t, url)) => quality::Document {
                title: t.trim().into(),
                url: url.trim().into(),
            },
            None => quality::Document {
                title: line.into(),
                url: line.into(),
            },
        })
        .collect();
    let check = (!f.check_method.trim().is_empty()).then(|| quality::CheckInput {
        method: f.check_method.clone(),
        figure: f.check_figure.clone(),
        site: f.check_site.clone(),
        target: f.check_target,
        months: f.check_months,
        on: f.check_on.clone(),
        how: f.check_how.clone(),
    });
    quality::add_action(
        &st.store,
        &u.actor,
        id,
        &quality::ActionInput {
            kind: Some(f.kind),
            title: f.title,
            due_on: f.due_on,
            pilot_id: f.pilot_id,
            actors: f.actors,
            documents,
            check,
        },
    )
    .await
    .web(u.lang)?;
    Ok(Redirect::to(&format!(
        "/quality/nc/{id}?done=saved#actions"
    )))
}

#[derive(Deserialize)]
pub struct ProgressForm {
    csrf: String,
    pct: i64,
    #[serde(default)]
    note: String,
}

pub async fn progress(
    State(st): State<AppState>,
    u: WebUser,
    WebPath(id): WebPath<i64>,
    Form(f): Form<ProgressForm>,
) -> Result<Redirect, WebError> {
    u.check_csrf(&f.csrf)?;
    let a = quality::log_progress(&st.store, &u.actor, id, f.pct, &f.note)
        .await
        .web(u.lang)?;
    Ok(Redirect::to(&format!(
        "/quality/nc/{}?done=saved#action-{id}",
        a.nc_id
    )))
}

#[derive(Deserialize)]
pub struct VerdictForm {
    csrf: String,
    verdict: String,
    #[serde(default)]
    note: String,
}

pub async fn verdict(
    State(st): State<AppState>,
    u: WebUser,
    WebPath(id): WebPath<i64>,
    Form(f): Form<VerdictForm>,
) -> Result<Redirect, WebError> {
    u.check_csrf(&f.csrf)?;
    let nc = quality::confirm(
        &st.store,
        &u.actor,
        id,
        &quality::VerdictInput {
            verdict: f.verdict,
            note: f.note,
        },
    )
    .await
    .web(u.lang)?;
    Ok(Redirect::to(&format!("/quality/nc/{}?done=saved", nc.id)))
}

#[derive(Deserialize)]
pub struct ReasonForm {
    csrf: String,
    #[serde(default)]
    reason: String,
}

pub async fn dismiss(
    State(st): State<AppState>,
    u: WebUser,
    WebPath(id): WebPath<i64>,
    Form(f): Form<ReasonForm>,
) -> Result<Redirect, WebError> {
    u.check_csrf(&f.csrf)?;
    quality::dismiss(&st.store, &u.actor, id, &f.reason)
        .await
        .web(u.lang)?;
    Ok(Redirect::to(&format!("/quality/nc/{id}?done=saved")))
}

#[derive(Deserialize)]
pub struct ShareForm {
    csrf: String,
    body: String,
}

pub async fn share(
    State(st): State<AppState>,
    u: WebUser,
    WebPath(id): WebPath<i64>,
    Form(f): Form<ShareForm>,
) -> Result<Redirect, WebError> {
    u.check_csrf(&f.csrf)?;
    quality::share(&st.store, &u.actor, id, &f.body)
        .await
        .web(u.lang)?;
    Ok(Redirect::to(&format!("/quality/nc/{id}?done=sent")))
}

pub async fn paq_csv(
    State(st): State<AppState>,
    u: WebUser,
) -> Result<impl IntoResponse, WebError> {
    let csv = quality::paq_csv(&st.store, &u.actor, u.lang)
        .await
        .web(u.lang)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"paq.csv\"",
            ),
        ],
        csv,
    ))
}

#[derive(Template, WebTemplate)]
#[template(path = "quality_kpis.html")]
pub struct KpiPage {
    s: Shell,
    rows: Vec<KpiView>,
    figures: Vec<(String, String)>,
    year: i64,
    can_decide: bool,
}

impl KpiPage {
    /// The quarterly milestones as the form shows them (kept when the target is saved again).
    fn milestones(&self, r: &KpiView) -> Vec<(&'static str, String)> {
        let t = r.target.as_ref();
        let v = |x: Option<f64>| x.map(|x| x.to_string()).unwrap_or_default();
        vec![
            ("q1", v(t.and_then(|t| t.q1))),
            ("q2", v(t.and_then(|t| t.q2))),
            ("q3", v(t.and_then(|t| t.q3))),
            ("q4", v(t.and_then(|t| t.q4))),
        ]
    }
    fn name(&self, k: &Kpi) -> String {
        if self.s.l == Lang::En {
            k.name_en.clone()
        } else {
            k.name_fr.clone()
        }
    }
}

pub async fn kpis(State(st): State<AppState>, u: WebUser) -> Result<KpiPage, WebError> {
    let l = u.lang;
    Ok(KpiPage {
        rows: kpi::catalogue(&st.store, &u.actor).await.web(l)?,
        figures: quality::figure_options(&st.store, &u.actor, l)
            .await
            .web(l)?
            .into_iter()
            .filter(|(k, _)| !k.starts_with("kpi:"))
            .collect(),
        year: i64::from(jiff::Zoned::now().date().year()),
        can_decide: u.actor.role.can_decide_quality(),
        s: Shell::of(&u),
    })
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

pub async fn starter(
    State(st): State<AppState>,
    u: WebUser,
    Form(f): Form<CsrfForm>,
) -> Result<Redirect, WebError> {
    u.check_csrf(&f.csrf)?;
    kpi::install_starter(&st.store, &u.actor)
        .await
        .web(u.lang)?;
    Ok(Redirect::to("/quality/indicators?done=saved"))
}

#[derive(Deserialize)]
pub struct KpiForm {
    csrf: String,
    code: String,
    name_fr: String,
    name_en: Option<String>,
    process: String,
    figure: Option<String>,
    unit: Option<String>,
    #[serde(default)]
    lower_is_better: Option<String>,
}

pub async fn put_kpi(
    State(st): State<AppState>,
    u: WebUser,
    Form(f): Form<KpiForm>,
) -> Result<Redirect, WebError> {
    u.check_csrf(&f.csrf)?;
    kpi::put(
        &st.store,
        &u.actor,
        &kpi::KpiInput {
            code: f.code,
            name_fr: f.name_fr,
            name_en: f.name_en,
            process: f.process,
            owner_user_id: None,
            owner_team_id: None,
            figure: f.figure,
            site: None,
            unit: f.unit,
            higher_is_better: Some(f.lower_is_better.is_none()),
        },
    )
    .await
    .web(u.lang)?;
    Ok(Redirect::to("/quality/indicators?done=saved"))
}

#[derive(Deserialize)]
pub struct TargetForm {
    csrf: String,
    year: i64,
    #[serde(deserialize_with = "decimal")]
    target: Option<f64>,
    #[serde(default, deserialize_with = "decimal")]
    red_at: Option<f64>,
    #[serde(default, deserialize_with = "decimal")]
    q1: Option<f64>,
    #[serde(default, deserialize_with = "decimal")]
    q2: Option<f64>,
    #[serde(default, deserialize_with = "decimal")]
    q3: Option<f64>,
    #[serde(default, deserialize_with = "decimal")]
    q4: Option<f64>,
}

pub async fn target(
    State(st): State<AppState>,
    u: WebUser,
    WebPath(id): WebPath<i64>,
    Form(f): Form<TargetForm>,
) -> Result<Redirect, WebError> {
    u.check_csrf(&f.csrf)?;
    kpi::set_target(
        &st.store,
        &u.actor,
        id,
        &kpi::TargetInput {
            year: f.year,
            target: f.target.unwrap_or(f64::NAN),
            red_at: f.red_at,
            q1: f.q1,
            q2: f.q2,
            q3: f.q3,
            q4: f.q4,
        },
    )
    .await
    .web(u.lang)?;
    Ok(Redirect::to(&format!(
        "/quality/indicators?done=saved#kpi-{id}"
    )))
}

#[derive(Deserialize)]
pub struct ValueForm {
    csrf: String,
    month: String,
    #[serde(deserialize_with = "decimal")]
    value: Option<f64>,
}

pub async fn value(
    State(st): State<AppState>,
    u: WebUser,
    WebPath(id): WebPath<i64>,
    Form(f): Form<ValueForm>,
) -> Result<Redirect, WebError> {
    u.check_csrf(&f.csrf)?;
    kpi::enter_value(
        &st.store,
        &u.actor,
        id,
        &f.month,
        f.value.unwrap_or(f64::NAN),
    )
    .await
    .web(u.lang)?;
    Ok(Redirect::to(&format!(
        "/quality/indicators?done=saved#kpi-{id}"
    )))
}

#[derive(Template, WebTemplate)]
#[template(path = "quality_reviews.html")]
pub struct ReviewsPage {
    s: Shell,
    rows: Vec<Review>,
    suggested: String,
}

pub async fn reviews(State(st): State<AppState>, u: WebUser) -> Result<ReviewsPage, WebError> {
    let l = u.lang;
    // The last complete quarter: the one before the quarter under way.
    let today = jiff::Zoned::now().date();
    let this_q = (today.month() - 1) / 3;
    let (y, q) = if this_q == 0 {
        (today.year() - 1, 4)
    } else {
        (today.year(), this_q)
    };
    let suggested = if l == Lang::En {
        format!("{y}-Q{q}")
    } else {
        format!("{y}-T{q}")
    };
    Ok(ReviewsPage {
        rows: kpi::reviews(&st.store, &u.actor).await.web(l)?,
        suggested,
        s: Shell::of(&u),
    })
}

#[derive(Deserialize)]
pub struct OpenReviewForm {
    csrf: String,
    kind: String,
    period: String,
}

pub async fn open_review(
    State(st): State<AppState>,
    u: WebUser,
    Form(f): Form<OpenReviewForm>,
) -> Result<Redirect, WebError> {
    u.check_csrf(&f.csrf)?;
    let v = kpi::open_review(&st.store, &u.actor, &f.kind, &f.period)
        .await
        .web(u.lang)?;
    Ok(Redirect::to(&format!("/quality/reviews/{}", v.review.id)))
}

#[derive(Template, WebTemplate)]
#[template(path = "quality_review.html")]
pub struct ReviewPage {
    s: Shell,
    v: ReviewView,
    can_decide: bool,
}

impl ReviewsPage {
    fn label(&self, r: &Review) -> String {
        if r.kind == "quarterly" {
            self.s.l.quarter(&r.period)
        } else {
            self.s.l.month(&r.period)
        }
    }
}

impl ReviewPage {
    fn name(&self, k: &Kpi) -> String {
        if self.s.l == Lang::En {
            k.name_en.clone()
        } else {
            k.name_fr.clone()
        }
    }
    fn title(&self) -> String {
        let l = self.s.l;
        let r = &self.v.review;
        let label = if r.kind == "quarterly" {
            l.quarter(&r.period)
        } else {
            l.month(&r.period)
        };
        format!("{} — {label}", l.t(&format!("quality.review.{}", r.kind)))
    }
}

pub async fn review_page(
    State(st): State<AppState>,
    u: WebUser,
    WebPath(id): WebPath<i64>,
) -> Result<ReviewPage, WebError> {
    Ok(ReviewPage {
        v: kpi::review(&st.store, &u.actor, id).await.web(u.lang)?,
        can_decide: u.actor.role.can_decide_quality(),
        s: Shell::of(&u),
    })
}

#[derive(Deserialize)]
pub struct DecideForm {
    csrf: String,
    decision: String,
    #[serde(default)]
    justification: String,
}

pub async fn decide(
    State(st): State<AppState>,
    u: WebUser,
    WebPath((id, kpi_id)): WebPath<(i64, i64)>,
    Form(f): Form<DecideForm>,
) -> Result<Redirect, WebError> {
    u.check_csrf(&f.csrf)?;
    kpi::decide(
        &st.store,
        &u.actor,
        id,
        kpi_id,
        &kpi::DecisionInput {
            decision: f.decision,
            justification: f.justification,
        },
    )
    .await
    .web(u.lang)?;
    Ok(Redirect::to(&format!(
        "/quality/reviews/{id}?done=saved#kpi-{kpi_id}"
    )))
}

#[derive(Deserialize)]
pub struct NotesForm {
    csrf: String,
    #[serde(default)]
    attendees: String,
    #[serde(default)]
    minutes: String,
}

pub async fn notes(
    State(st): State<AppState>,
    u: WebUser,
    WebPath(id): WebPath<i64>,
    Form(f): Form<NotesForm>,
) -> Result<Redirect, WebError> {
    u.check_csrf(&f.csrf)?;
    kpi::set_notes(
        &st.store,
        &u.actor,
        id,
        &kpi::NotesInput {
            attendees: f.attendees,
            minutes: f.minutes,
        },
    )
    .await
    .web(u.lang)?;
    Ok(Redirect::to(&format!(
        "/quality/reviews/{id}?done=saved#notes"
    )))
}

pub async fn refresh(
    State(st): State<AppState>,
    u: WebUser,
    WebPath(id): WebPath<i64>,
    Form(f): Form<CsrfForm>,
) -> Result<Redirect, WebError> {
    u.check_csrf(&f.csrf)?;
    kpi::refresh(&st.store, &u.actor, id).await.web(u.lang)?;
    Ok(Redirect::to(&format!("/quality/reviews/{id}?done=saved")))
}

pub async fn freeze(
    State(st): State<AppState>,
    u: WebUser,
    WebPath(id): WebPath<i64>,
    Form(f): Form<CsrfForm>,
) -> Result<Redirect, WebError> {
    u.check_csrf(&f.csrf)?;
    kpi::freeze(&st.store, &u.actor, id).await.web(u.lang)?;
    Ok(Redirect::to(&format!("/quality/reviews/{id}?done=saved")))
}
