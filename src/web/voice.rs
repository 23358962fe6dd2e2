//! The voice of the customer for staff: survey figures (NPS with counts and margin, CES, CSAT,
//! solved, response rate) with their monthly trend and slices, top irritants with quotes,
//! alerts, the satisfaction mapping, theme rules, survey wording, and reviews to answer or
//! moderate.

use super::WebPath;
use super::error::OrPage;
use super::view::Shell;
use super::{WebError, WebUser};
use crate::app::AppState;
use crate::domain::survey::Zone;
use crate::service::review;
use crate::service::survey::figures::{self, Figures, Query};
use crate::service::survey::{self, SurveyInput};
use crate::service::verbatim::{self, Irritant, RuleInput};
use crate::store::review::Review;
use crate::store::survey::{Alert, RuleRow, Survey};
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query as Q, State};
use axum::response::Redirect;
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct DashQuery {
    survey: Option<i64>,
    from: Option<String>,
    to: Option<String>,
    by: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "voice.html")]
pub struct Dashboard {
    s: Shell,
    surveys: Vec<Survey>,
    f: Option<Figures>,
    chart: String,
    irritants: Vec<Irritant>,
    alerts: Vec<Alert>,
    by: String,
    can_define: bool,
}

impl Dashboard {
    fn pct(&self, v: &Option<crate::domain::survey::Share>) -> String {
        let l = self.s.l;
        v.map(|s| format!("{} ({}/{})", l.percent(s.ratio * 100.0, 0), s.part, s.total))
            .unwrap_or_else(|| "—".into())
    }
    fn nps(&self, v: &Option<crate::domain::survey::Nps>) -> String {
        let l = self.s.l;
        v.map(|n| {
            let sign = if n.score.round() > 0.0 { "+" } else { "" };
            format!(
                "{sign}{} ± {}",
                l.decimal(n.score, 0),
                l.decimal(n.margin, 1)
            )
        })
        .unwrap_or_else(|| "—".into())
    }
    fn counts(&self, v: &Option<crate::domain::survey::Nps>) -> String {
        v.map(|n| format!("{} / {} / {}", n.promoters, n.passives, n.detractors))
            .unwrap_or_default()
    }
    fn kind(&self) -> String {
        self.f
            .as_ref()
            .map(|f| f.survey.kind.clone())
            .unwrap_or_default()
    }
}

pub async fn dashboard(
    State(st): State<AppState>,
    u: WebUser,
    Q(q): Q<DashQuery>,
) -> Result<Dashboard, WebError> {
    let l = u.lang;
    let surveys = survey::list(&st.store, &u.actor).await.web(l)?;
    let chosen = q
        .survey
        .and_then(|id| surveys.iter().find(|s| s.id == id))
        .or_else(|| surveys.iter().find(|s| s.kind == "nps"))
        .or(surveys.first());
    let fq = Query {
        from: q.from.clone(),
        to: q.to.clone(),
        by: q.by.clone().filter(|b| !b.is_empty()),
    };
    let f = match chosen {
        Some(s) => Some(
            figures::figures(&st.store, &u.actor, s.id, &fq)
                .await
                .web(l)?,
        ),
        None => None,
    };
    let chart = match &f {
        Some(f) => {
            let months: Vec<String> = f.trend.iter().map(|t| t.label.clone()).collect();
            let (values, lo, hi): (Vec<Option<f64>>, f64, f64) = match f.survey.kind.as_str() {
                "nps" => (
                    f.trend
                        .iter()
                        .map(|t| t.summary.nps.map(|n| n.score))
                        .collect(),
                    -100.0,
                    100.0,
                ),
                "ces" => (
                    f.trend
                        .iter()
                        .map(|t| t.summary.ces_easy.map(|s| s.ratio * 100.0))
                        .collect(),
                    0.0,
                    100.0,
                ),
                "csat" => (
                    f.trend
                        .iter()
                        .map(|t| t.summary.csat_satisfied.map(|s| s.ratio * 100.0))
                        .collect(),
                    0.0,
                    100.0,
                ),
                _ => (
                    f.trend
                        .iter()
                        .map(|t| t.summary.solved.map(|s| s.ratio * 100.0))
                        .collect(),
                    0.0,
                    100.0,
                ),
            };
            super::chart::trend(
                &format!("{} — {}", f.survey.name, l.t("voice.trend")),
                &months,
                &values,
                lo,
                hi,
            )
        }
        None => String::new(),
    };
    let (from, to) = match &f {
        Some(f) => (f.from.clone(), f.to.clone()),
        None => (String::new(), String::new()),
    };
    let irritants = if from.is_empty() {
        Vec::new()
    } else {
        let period = Query {
            from: Some(from),
            to: Some(to),
            by: None,
        };
        verbatim::irritants(&st.store, &u.actor, &period, 8)
            .await
            .web(l)?
    };
    Ok(Dashboard {
        alerts: survey::alerts(&st.store, &u.actor, 20).await.web(l)?,
        can_define: u.actor.role.can_define_surveys(),
        by: fq.by.unwrap_or_default(),
        s: Shell::of(&u),
        surveys,
        f,
        chart,
        irritants,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "voice_mapping.html")]
pub struct MappingPage {
    s: Shell,
    m: figures::Mapping,
    survey: Survey,
    chart: String,
    zones: Vec<(Zone, String, Vec<String>)>,
}

pub async fn mapping(
    State(st): State<AppState>,
    u: WebUser,
    WebPath(id): WebPath<i64>,
    Q(q): Q<DashQuery>,
) -> Result<MappingPage, WebError> {
    let l = u.lang;
    let survey = survey::get(&st.store, &u.actor, id).await.web(l)?;
    let fq = Query {
        from: q.from,
        to: q.to,
        by: None,
    };
    let m = figures::mapping(&st.store, &u.actor, id, &fq, l)
        .await
        .web(l)?;
    let names = Zone::ALL.map(|z| l.t(&format!("zone.{}", z.as_str())).to_string());
    let points: Vec<(String, f64, f64)> = m
        .criteria
        .iter()
        .map(|(label, p)| (label.clone(), p.importance, p.satisfaction))
        .collect();
    let chart = super::chart::mapping(
        &format!("{} — {}", survey.name, l.t("voice.mapping")),
        &points,
        m.importance_axis,
        m.satisfaction_axis,
        [
            names[0].as_str(),
            names[1].as_str(),
            names[2].as_str(),
            names[3].as_str(),
        ],
        (l.t("survey.satisfaction"), l.t("survey.importance")),
    );
    let zones = Zone::ALL
        .iter()
        .enumerate()
        .map(|(i, z)| {
            (
                *z,
                names[i].clone(),
                m.criteria
                    .iter()
                    .filter(|(_, p)| p.zone == *z)
                    .map(|(label, p)| {
                        format!(
                            "{label} ({} / {})",
                            l.decimal(p.importance, 1),
                            l.decimal(p.satisfaction, 1)
                        )
                    })
                    .collect(),
            )
        })
        .collect();
    Ok(MappingPage {
        s: Shell::of(&u),
        m,
        survey,
        chart,
        zones,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "voice_themes.html")]
pub struct ThemesPage {
    s: Shell,
    rules: Vec<RuleRow>,
    settings: survey::Settings,
    surveys: Vec<Survey>,
    message: String,
}

#[derive(Deserialize, Default)]
pub struct Note {
    /// Answers re-tagged after a rule change.
    done: Option<String>,
    /// Invitations scheduled by "send now".
    sent: Option<String>,
}

pub async fn themes(
    State(st): State<AppState>,
    u: WebUser,
    Q(n): Q<Note>,
) -> Result<ThemesPage, WebError> {
    let l = u.lang;
    Ok(ThemesPage {
        rules: verbatim::rules(&st.store, &u.actor).await.web(l)?,
        settings: survey::settings(&st.store, &u.actor).await.web(l)?,
        surveys: survey::list(&st.store, &u.actor).await.web(l)?,
        message: match (n.done, n.sent) {
            (Some(d), _) => format!("{} {d}", l.t("voice.retagged")),
            (_, Some(k)) => format!("{} {k}", l.t("voice.scheduled")),
            _ => String::new(),
        },
        s: Shell::of(&u),
    })
}

#[derive(Deserialize)]
pub struct RuleForm {
    csrf: String,
    theme: String,
    keywords: String,
    lang: String,
}

pub async fn put_rule(
    State(st): State<AppState>,
    u: WebUser,
    Form(f): Form<RuleForm>,
) -> Result<Redirect, WebError> {
    u.check_csrf(&f.csrf)?;
    let n = verbatim::put_rule(
        &st.store,
        &u.actor,
        &RuleInput {
            theme: f.theme,
            keywords: f.keywords,
            lang: f.lang,
        },
    )
    .await
    .web(u.lang)?;
    Ok(Redirect::to(&format!(
        "/voice/settings?done={n}&lang={}",
        u.lang.code()
    )))
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: String,
    back: Option<String>,
}

pub async fn delete_rule(
    State(st): State<AppState>,
    u: WebUser,
    WebPath(id): WebPath<i64>,
    Form(f): Form<CsrfForm>,
) -> Result<Redirect, WebError> {
    u.check_csrf(&f.csrf)?;
    let n = verbatim::delete_rule(&st.store, &u.actor, id)
        .await
        .web(u.lang)?;
    Ok(Redirect::to(&format!(
        "/voice/settings?done={n}&lang={}",
        u.lang.code()
    )))
}

#[derive(Deserialize)]
pub struct SettingsForm {
    csrf: String,
    fatigue_days: i64,
    alert_webhook: String,
}

pub async fn save_settings(
    State(st): State<AppState>,
    u: WebUser,
    Form(f): Form<SettingsForm>,
) -> Result<Redirect, WebError> {
    u.check_csrf(&f.csrf)?;
    survey::set_settings(
        &st.store,
        &u.actor,
        &survey::Settings {
            fatigue_days: f.fatigue_days,
            alert_webhook: Some(f.alert_webhook).filter(|w| !w.trim().is_empty()),
        },
    )
    .await
    .web(u.lang)?;
    Ok(Redirect::to(&format!(
        "/voice/settings?lang={}",
        u.lang.code()
    )))
}

#[derive(Template, WebTemplate)]
#[template(path = "voice_survey.html")]
pub struct SurveyEdit {
    s: Shell,
    v: Survey,
    channels: String,
    errors: Vec<crate::service::FieldError>,
}

pub async fn survey_page(
    State(st): State<AppState>,
    u: WebUser,
    WebPath(id): WebPath<i64>,
) -> Result<SurveyEdit, WebError> {
    let v = survey::get(&st.store, &u.actor, id).await.web(u.lang)?;
    Ok(SurveyEdit {
        s: Shell::of(&u),
        channels: v.channels.replace(',', ", "),
        v,
        errors: vec![],
    })
}

#[derive(Deserialize)]
pub struct SurveyForm {
    csrf: String,
    name: String,
    question_fr: String,
    question_en: String,
    comment_fr: String,
    comment_en: String,
    ask_solved: Option<String>,
    trigger: String,
    channels: String,
    delay_minutes: i64,
    every_days: Option<String>,
    sample_size: Option<String>,
    active: Option<String>,
}

pub async fn save_survey(
    State(st): State<AppState>,
    u: WebUser,
    WebPath(id): WebPath<i64>,
    Form(f): Form<SurveyForm>,
) -> Result<axum::response::Response, WebError> {
    use axum::response::IntoResponse;
    u.check_csrf(&f.csrf)?;
    let old = survey::get(&st.store, &u.actor, id).await.web(u.lang)?;
    let num = |v: &Option<String>| v.as_deref().and_then(|v| v.trim().parse::<i64>().ok());
    let input = SurveyInput {
        name: f.name.clone(),
        kind: old.kind.clone(),
        question_fr: f.question_fr.clone(),
        question_en: f.question_en.clone(),
        comment_fr: f.comment_fr.clone(),
        comment_en: f.comment_en.clone(),
        ask_solved: f.ask_solved.is_some(),
        criteria: survey::criteria_of(&old),
        trigger: f.trigger.clone(),
        channels: f
            .channels
            .split(',')
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_string)
            .collect(),
        delay_minutes: f.delay_minutes,
        every_days: num(&f.every_days),
        sample_size: num(&f.sample_size),
        active: f.active.is_some(),
    };
    match survey::update(&st.store, &u.actor, id, &input).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/voice/settings?lang={}", u.lang.code())).into_response())
        }
        Err(crate::service::Error::Invalid(errors)) => {
            let v = Survey {
                name: f.name,
                question_fr: f.question_fr,
                question_en: f.question_en,
                comment_fr: f.comment_fr,
                comment_en: f.comment_en,
                trigger: f.trigger,
                delay_minutes: f.delay_minutes,
                ..old
            };
            Ok((
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                SurveyEdit {
                    s: Shell::of(&u),
                    v,
                    channels: f.channels,
                    errors,
                },
            )
                .into_response())
        }
        Err(e) => Err(WebError::from_service(e, u.lang)),
    }
}

#[derive(Deserialize)]
pub struct SendForm {
    csrf: String,
    sample_size: i64,
}

pub async fn send(
    State(st): State<AppState>,
    u: WebUser,
    WebPath(id): WebPath<i64>,
    Form(f): Form<SendForm>,
) -> Result<Redirect, WebError> {
    u.check_csrf(&f.csrf)?;
    let n = survey::send_sample(&st.store, &u.actor, id, f.sample_size)
        .await
        .web(u.lang)?;
    Ok(Redirect::to(&format!(
        "/voice/settings?sent={n}&lang={}",
        u.lang.code()
    )))
}

pub async fn alert_seen(
    State(st): State<AppState>,
    u: WebUser,
    WebPath(id): WebPath<i64>,
    Form(f): Form<CsrfForm>,
) -> Result<Redirect, WebError> {
    u.check_csrf(&f.csrf)?;
    survey::alert_seen(&st.store, &u.actor, id)
        .await
        .web(u.lang)?;
    Ok(Redirect::to(&format!(
        "/voice?lang={}#alerts",
        u.lang.code()
    )))
}

pub async fn task_done(
    State(st): State<AppState>,
    u: WebUser,
    WebPath(id): WebPath<i64>,
    Form(f): Form<CsrfForm>,
) -> Result<Redirect, WebError> {
    u.check_csrf(&f.csrf)?;
    survey::complete_task(&st.store, &u.actor, id)
        .await
        .web(u.lang)?;
    let back = f
        .back
        .as_deref()
        .and_then(super::local_target)
        .unwrap_or_else(|| "/inbox".into());
    Ok(Redirect::to(&back))
}

#[derive(Template, WebTemplate)]
#[template(path = "reviews_admin.html")]
pub struct ReviewsPage {
    s: Shell,
    rows: Vec<Review>,
    filter: String,
    can_moderate: bool,
    reasons: Vec<&'static str>,
}

#[derive(Deserialize, Default)]
pub struct ReviewQuery {
    #[serde(default)]
    status: String,
}

pub async fn reviews(
    State(st): State<AppState>,
    u: WebUser,
    Q(q): Q<ReviewQuery>,
) -> Result<ReviewsPage, WebError> {
    let status = Some(q.status.as_str()).filter(|s| !s.is_empty());
    Ok(ReviewsPage {
        rows: review::list(&st.store, &u.actor, status, 200)
            .await
            .web(u.lang)?,
        filter: q.status,
        can_moderate: u.actor.role.can_define_surveys(),
        reasons: crate::domain::review::REJECTION_REASONS.to_vec(),
        s: Shell::of(&u),
    })
}

#[derive(Deserialize)]
pub struct ReplyForm {
    csrf: String,
    reply: String,
}

pub async fn reply(
    State(st): State<AppState>,
    u: WebUser,
    WebPath(id): WebPath<i64>,
    Form(f): Form<ReplyForm>,
) -> Result<Redirect, WebError> {
    u.check_csrf(&f.csrf)?;
    review::reply(&st.store, &u.actor, id, &f.reply)
        .await
        .web(u.lang)?;
    Ok(Redirect::to(&format!(
        "/reviews?lang={}#review-{id}",
        u.lang.code()
    )))
}

#[derive(Deserialize)]
pub struct RejectForm {
    csrf: String,
    reason: String,
}

pub async fn reject(
    State(st): State<AppState>,
    u: WebUser,
    WebPath(id): WebPath<i64>,
    Form(f): Form<RejectForm>,
) -> Result<Redirect, WebError> {
    u.check_csrf(&f.csrf)?;
    review::reject(&st.store, &u.actor, id, &f.reason)
        .await
        .web(u.lang)?;
    Ok(Redirect::to(&format!(
        "/reviews?lang={}#review-{id}",
        u.lang.code()
    )))
}
