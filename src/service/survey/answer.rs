//! Answering a survey from its signed link, without signing in. Showing the page records
//! nothing (mail scanners and link prefetchers open links); only the confirmed form does, once.
//! "No, not solved" reopens the case and asks the team to call back; a detractor, a difficult
//! experience or a dissatisfied customer alerts the site's managers.

use super::record::{self, CriterionAnswer, Deltas, Rules};
use crate::domain::case::{CaseStatus, Transition};
use crate::domain::link::Purpose;
use crate::domain::survey::{self, SurveyKind};
use crate::service::wake::Worker;
use crate::service::work::Work;
use crate::service::{Checks, Error, Result, now_ms, voice};
use crate::store::{self, Store};
use serde::Serialize;

/// Why a link cannot be answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Closed {
    /// Not signed by us, or altered.
    Forged,
    Expired,
    Answered,
    /// Scheduled or skipped: never sent, so not answerable.
    NotSent,
}

/// What the answer page needs.
#[derive(Debug, Clone, Serialize)]
pub struct Open {
    pub invitation_id: i64,
    pub org_name: String,
    pub org_slug: String,
    pub survey: store::survey::Survey,
    pub kind: SurveyKind,
    pub range: Option<(i64, i64)>,
    pub criteria: Vec<super::Criterion>,
    /// "Dossier [#DEMO-12] « Carte bloquée »" — what the question is about.
    pub about: Option<String>,
    pub expires_at: i64,
}

async fn load(store: &Store, token: &str, now: i64) -> Result<std::result::Result<Open, Closed>> {
    let Some(id) = voice::verify(Purpose::Survey, token) else {
        return Ok(Err(Closed::Forged));
    };
    let mut c = store.reader().await?;
    let Some(inv) = store::survey::invitation(&mut c, id).await? else {
        return Ok(Err(Closed::Forged));
    };
    if inv.answered_at.is_some() {
        return Ok(Err(Closed::Answered));
    }
    if !matches!(inv.status.as_str(), "sent" | "shown") {
        return Ok(Err(Closed::NotSent));
    }
    let expires_at = inv.expires_at.unwrap_or(0);
    if expires_at <= now {
        return Ok(Err(Closed::Expired));
    }
    let org = store::org::org_by_id(&mut c, inv.org_id)
        .await?
        .ok_or(Error::NotFound("organisation"))?;
    let s = store::survey::survey(&mut c, inv.org_id, inv.survey_id)
        .await?
        .ok_or(Error::NotFound("survey"))?;
    let about = match inv.case_id {
        Some(id) => store::case::by_id(&mut c, inv.org_id, id).await?.map(|k| {
            format!(
                "{} « {} »",
                crate::domain::email::token_for(&org.slug, k.number),
                k.subject
            )
        }),
        None => None,
    };
    let kind = SurveyKind::parse(&s.kind).map_err(|e| Error::Internal(e.message))?;
    Ok(Ok(Open {
        invitation_id: inv.id,
        org_name: org.name,
        org_slug: org.slug,
        range: kind.range(),
        criteria: super::criteria_of(&s),
        survey: s,
        kind,
        about,
        expires_at,
    }))
}

/// The state of a link, for its page.
pub async fn page(store: &Store, token: &str) -> Result<std::result::Result<Open, Closed>> {
    load(store, token, now_ms()).await
}

/// An answer as typed.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct AnswerInput {
    pub score: Option<i64>,
    /// "yes" / "no" to "was it solved?" when the survey asks it.
    pub solved: Option<bool>,
    #[serde(default)]
    pub comment: String,
    #[serde(default)]
    pub criteria: Vec<CriterionAnswer>,
    #[serde(default)]
    pub lang: String,
}

/// What was recorded.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Recorded {
    pub response_id: i64,
    pub reopened_case: bool,
    /// The review invitation of the same experience, if any, for the thank-you page.
    pub review_link: Option<String>,
}

/// An answer checked against its survey: (score, solved, comment, criteria).
pub type Checked = (Option<i64>, Option<bool>, String, Vec<CriterionAnswer>);

/// Checks an answer against its survey; every refused field is named.
pub fn check(open: &Open, a: &AnswerInput) -> Result<Checked> {
    check_for(open.kind, &open.survey, &open.criteria, a)
}

/// The same against a survey and its criteria.
pub fn check_for(
    kind: SurveyKind,
    survey: &store::survey::Survey,
    criteria_asked: &[super::Criterion],
    a: &AnswerInput,
) -> Result<Checked> {
    let mut ch = Checks::default();
    let score = ch.check("score", kind.check_score(a.score)).flatten();
    let asks_solved = kind == SurveyKind::Solved || survey.ask_solved == 1;
    let solved = match (asks_solved, a.solved) {
        (true, None) if kind == SurveyKind::Solved => {
            ch.refuse("solved", "required", "answer yes or no");
            None
        }
        (true, s) => s,
        (false, _) => None,
    };
    let comment = ch
        .check("comment", survey::check_comment(&a.comment))
        .unwrap_or_default();
    let mut criteria = Vec::new();
    if kind == SurveyKind::Custom {
        for c in criteria_asked {
            match a.criteria.iter().find(|x| x.key == c.key) {
                Some(x) => {
                    let imp = ch.check(
                        &format!("criteria.{}.importance", c.key),
                        survey::check_criterion_score(x.importance),
                    );
                    let sat = ch.check(
                        &format!("criteria.{}.satisfaction", c.key),
                        survey::check_criterion_score(x.satisfaction),
                    );
                    if let (Some(importance), Some(satisfaction)) = (imp, sat) {
                        criteria.push(CriterionAnswer {
                            key: c.key.clone(),
                            importance,
                            satisfaction,
                        });
                    }
                }
                None => ch.refuse(
                    &format!("criteria.{}", c.key),
                    "required",
                    "rate its importance and your satisfaction",
                ),
            }
        }
        for x in &a.criteria {
            if !criteria_asked.iter().any(|c| c.key == x.key) {
                ch.refuse(
                    "criteria",
                    "unknown_criterion",
                    format!("«{}» is not in this questionnaire", x.key),
                );
            }
        }
    }
    ch.finish()?;
    Ok((score, solved, comment, criteria))
}

/// Records the answer of a link, once. `Err(Closed)` when the link cannot be answered.
pub async fn submit(
    store: &Store,
    token: &str,
    a: &AnswerInput,
    base: &str,
) -> Result<std::result::Result<Recorded, Closed>> {
    let now = now_ms();
    let open = match load(store, token, now).await? {
        Ok(o) => o,
        Err(closed) => return Ok(Err(closed)),
    };
    let checked = check(&open, a)?;
    let mut tx = Work::begin_at(store, now).await?;
    // Single use, decided by the database: of two concurrent submissions, one records.
    if !store::survey::mark_answered(&mut tx, open.invitation_id, now).await? {
        return Ok(Err(Closed::Answered));
    }
    let inv = store::survey::invitation(&mut tx, open.invitation_id)
        .await?
        .ok_or(Error::NotFound("invitation"))?;
    let about = About {
        org_id: inv.org_id,
        survey_id: inv.survey_id,
        invitation_id: Some(inv.id),
        customer_id: Some(inv.customer_id),
        case_id: inv.case_id,
        site_id: inv.site_id,
        team_id: inv.team_id,
        channel: inv.channel.clone(),
        category: inv.category.clone(),
        external_id: None,
        path: format!("/customers/{}", inv.customer_id),
    };
    let recorded = record(&mut tx, &about, open.kind, checked, &a.lang, base)
        .await?
        .ok_or_else(|| Error::Internal("answer recorded twice".into()))?;
    tx.commit().await?;
    Ok(Ok(recorded))
}

/// What an answer is about: an invitation's customer and case, or a chat's (whose visitor may
/// have stayed anonymous).
#[derive(Debug, Clone)]
pub struct About {
    pub org_id: i64,
    pub survey_id: i64,
    pub invitation_id: Option<i64>,
    pub customer_id: Option<i64>,
    pub case_id: Option<i64>,
    pub site_id: Option<i64>,
    pub team_id: Option<i64>,
    pub channel: Option<String>,
    pub category: Option<String>,
    /// Makes a second answer of the same thing record nothing.
    pub external_id: Option<String>,
    /// Where an alert points when the answer has no case.
    pub path: String,
}

/// Writes a checked answer with what follows from it: the case's event, "not solved" reopening
/// the case, an alert for a detractor. `None` when `about.external_id` was answered before.
pub async fn record(
    w: &mut Work,
    about: &About,
    kind: SurveyKind,
    (score, solved, comment, criteria): Checked,
    lang: &str,
    base: &str,
) -> Result<Option<Recorded>> {
    let now = w.now;
    let lang = if lang == "en" { "en" } else { "fr" };
    let (tz, _) = store::org::org_calendar(w, about.org_id).await?;
    let rules = Rules::load(w, about.org_id).await?;
    let mut deltas = Deltas::default();
    let response = store::survey::Response {
        id: 0,
        org_id: about.org_id,
        survey_id: about.survey_id,
        invitation_id: about.invitation_id,
        customer_id: about.customer_id,
        case_id: about.case_id,
        site_id: about.site_id,
        team_id: about.team_id,
        channel: about.channel.clone(),
        category: about.category.clone(),
        month: String::new(),
        score,
        solved: solved.map(i64::from),
        comment: comment.clone(),
        lang: lang.into(),
        criteria: String::new(),
        themes: String::new(),
        polarity: 0,
        external_id: about.external_id.clone(),
        answered_at: now,
    };
    let Some(response_id) =
        record::record_in(w, &mut deltas, &rules, &tz, response, &criteria, now).await?
    else {
        return Ok(None);
    };
    deltas.flush(w).await?;
    let mut reopened = false;
    if let Some(case_id) = about.case_id {
        let detail = match (score, solved) {
            (Some(s), _) => format!("{} {s}", kind.as_str()),
            (None, Some(true)) => "solved: yes".into(),
            (None, Some(false)) => "solved: no".into(),
            _ => kind.as_str().into(),
        };
        store::case::add_event(
            w,
            about.org_id,
            case_id,
            now,
            "survey_answered",
            None,
            &detail,
        )
        .await?;
        if solved == Some(false) {
            reopened = reopen_not_solved(w, about.org_id, case_id, &comment).await?;
        }
    }
    if let Some(alert) = record::alert_kind(kind, score) {
        let name = match about.customer_id {
            Some(id) if id > 0 => store::customer::get(w, about.org_id, id)
                .await?
                .and_then(|c| c.display_name)
                .unwrap_or_default(),
            _ => String::new(),
        };
        let case = match about.case_id {
            Some(id) => store::case::by_id(w, about.org_id, id).await?,
            None => None,
        };
        let summary = format!(
            "{} {} — {}{}{}",
            kind.as_str().to_uppercase(),
            score.unwrap_or_default(),
            if name.is_empty() { "client" } else { &name },
            case.as_ref()
                .map(|k| format!(" — dossier n° {}", k.number))
                .unwrap_or_default(),
            if comment.is_empty() {
                String::new()
            } else {
                format!(" : « {} »", comment.chars().take(300).collect::<String>())
            },
        );
        let path = match &case {
            Some(k) => format!("/cases/{}", k.number),
            None => about.path.clone(),
        };
        voice::raise(
            w,
            &voice::Alert {
                org_id: about.org_id,
                site_id: about.site_id,
                kind: alert,
                response_id: Some(response_id),
                review_id: None,
                summary,
                path,
            },
            base,
            now,
        )
        .await?;
        w.wake(Worker::Mail);
        w.wake(Worker::Alerts);
    }
    let review_link = match about.case_id {
        Some(case_id) => {
            let r = crate::service::review::invitation_of_case(w, about.org_id, case_id).await?;
            r.filter(|r| r.used_at.is_none() && r.expires_at > now)
                .map(|r| voice::link(base, Purpose::Review, r.id))
        }
        None => None,
    };
    Ok(Some(Recorded {
        response_id,
        reopened_case: reopened,
        review_link,
    }))
}

/// Whether a token was signed by us (it may still be expired or used).
pub fn genuine(token: &str) -> bool {
    voice::verify(Purpose::Survey, token).is_some()
}

/// The customer asks for no more surveys (from any of their links, even answered or expired).
pub async fn opt_out(store: &Store, token: &str) -> Result<bool> {
    let Some(id) = voice::verify(Purpose::Survey, token) else {
        return Ok(false);
    };
    let now = now_ms();
    let mut tx = store.begin().await?;
    let Some(inv) = store::survey::invitation(&mut tx, id).await? else {
        return Ok(false);
    };
    store::survey::set_opt_out(&mut tx, inv.customer_id, Some(now)).await?;
    store::org::audit(
        &mut tx,
        inv.org_id,
        None,
        now,
        "survey.opt_out",
        &format!("customer:{}", inv.customer_id),
        "",
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// The customer answered "no, not solved": the case reopens (if it was solved or closed) and the
/// team gets a call-back task due within a day. Returns whether it reopened.
async fn reopen_not_solved(w: &mut Work, org_id: i64, case_id: i64, comment: &str) -> Result<bool> {
    let now = w.now;
    let case = store::case::by_id(w, org_id, case_id)
        .await?
        .ok_or(Error::NotFound("case"))?;
    let before = case.state();
    let mut after = before.clone();
    let reopened = after.clock.set_status(CaseStatus::Open, now) == Some(Transition::Reopened);
    if reopened {
        store::case::add_event(w, org_id, case_id, now, "reopened", None, "survey").await?;
        w.save_case(org_id, &before, &mut after).await?;
    }
    let note = if comment.trim().is_empty() {
        "Le client indique que sa demande n'est pas résolue : le rappeler.".to_string()
    } else {
        format!(
            "Le client indique que sa demande n'est pas résolue : le rappeler. Il écrit : « {} »",
            comment.trim()
        )
    };
    let task = store::survey::insert_task(
        w,
        org_id,
        case_id,
        case.team_id,
        "callback",
        &note,
        now + crate::domain::DAY_MS,
        now,
    )
    .await?;
    store::case::add_event(
        w,
        org_id,
        case_id,
        now,
        "callback_task",
        None,
        &task.to_string(),
    )
    .await?;
    Ok(reopened)
}
