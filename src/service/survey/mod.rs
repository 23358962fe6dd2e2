//! Surveys: their definitions (wording in French and English, trigger, delay, sampling), when
//! they are sent (`trigger`), answering from a signed link (`answer`), recording an answer and
//! the tallies behind the figures (`record`), importing answers (`import`), and the figures
//! themselves (`figures`).

pub mod answer;
pub mod figures;
pub mod import;
pub mod record;
pub mod trigger;

use super::{Actor, Checks, Error, Result, now_ms};
use crate::domain::channel::Channel;
use crate::domain::survey::SurveyKind;
use crate::store::{self, Conn, Store};
use serde::{Deserialize, Serialize};

/// A criterion of a custom questionnaire.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct Criterion {
    pub key: String,
    pub fr: String,
    pub en: String,
}

pub const TRIGGERS: [&str; 4] = ["case_solved", "counter_visit", "periodic", "manual"];

/// A survey as written by quality: every field, for create and replace.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SurveyInput {
    pub name: String,
    /// nps | ces | csat | solved | custom (fixed once created).
    pub kind: String,
    pub question_fr: String,
    pub question_en: String,
    #[serde(default)]
    pub comment_fr: String,
    #[serde(default)]
    pub comment_en: String,
    /// Also ask "Votre demande est-elle résolue ?".
    #[serde(default)]
    pub ask_solved: bool,
    #[serde(default)]
    pub criteria: Vec<Criterion>,
    /// case_solved | counter_visit | periodic | manual
    pub trigger: String,
    /// For case_solved: channels surveyed (empty = all).
    #[serde(default)]
    pub channels: Vec<String>,
    #[serde(default)]
    pub delay_minutes: i64,
    pub every_days: Option<i64>,
    pub sample_size: Option<i64>,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

impl SurveyInput {
    fn check(&self, org_id: i64, id: i64) -> Result<store::survey::Survey> {
        let mut ch = Checks::default();
        let kind = ch.check("kind", SurveyKind::parse(&self.kind));
        let text = |ch: &mut Checks, field: &str, v: &str, max: usize, required: bool| {
            let n = v.trim().chars().count();
            if required && n == 0 {
                ch.refuse(field, "required", "required");
            } else if n > max {
                ch.refuse(field, "too_long", format!("at most {max} characters"));
            }
            v.trim().to_string()
        };
        let name = text(&mut ch, "name", &self.name, 120, true);
        let question_fr = text(&mut ch, "question_fr", &self.question_fr, 300, true);
        let question_en = text(&mut ch, "question_en", &self.question_en, 300, true);
        let comment_fr = text(&mut ch, "comment_fr", &self.comment_fr, 300, false);
        let comment_en = text(&mut ch, "comment_en", &self.comment_en, 300, false);
        if !TRIGGERS.contains(&self.trigger.as_str()) {
            ch.refuse(
                "trigger",
                "unknown_trigger",
                format!("expected one of: {}", TRIGGERS.join(", ")),
            );
        }
        let mut channels = Vec::new();
        for c in &self.channels {
            if let Some(c) = ch.check("channels", Channel::parse(c)) {
                channels.push(c.as_str());
            }
        }
        if !(0..=60 * 24 * 30).contains(&self.delay_minutes) {
            ch.refuse(
                "delay_minutes",
                "out_of_range",
                "from 0 to 43,200 minutes (30 days)",
            );
        }
        if self.trigger == "periodic" {
            if !self.every_days.is_some_and(|d| (1..=730).contains(&d)) {
                ch.refuse(
                    "every_days",
                    "required",
                    "a periodic survey runs every 1 to 730 days",
                );
            }
            if !self.sample_size.is_some_and(|n| (1..=100_000).contains(&n)) {
                ch.refuse(
                    "sample_size",
                    "required",
                    "a periodic survey samples 1 to 100,000 customers",
                );
            }
        }
        if kind == Some(SurveyKind::Custom) {
            if self.criteria.is_empty() || self.criteria.len() > 30 {
                ch.refuse(
                    "criteria",
                    "required",
                    "a questionnaire has 1 to 30 criteria",
                );
            }
            let mut keys = std::collections::HashSet::new();
            for c in &self.criteria {
                if c.key.trim().is_empty() || c.fr.trim().is_empty() || c.en.trim().is_empty() {
                    ch.refuse(
                        "criteria",
                        "required",
                        "each criterion needs a key and its French and English wording",
                    );
                } else if !keys.insert(c.key.trim()) {
                    ch.refuse("criteria", "duplicate", format!("«{}» twice", c.key.trim()));
                }
            }
        } else if !self.criteria.is_empty() {
            ch.refuse(
                "criteria",
                "not_custom",
                "only a custom questionnaire has criteria",
            );
        }
        ch.finish()?;
        let kind = kind.expect("checked");
        Ok(store::survey::Survey {
            id,
            org_id,
            kind: kind.as_str().into(),
            name,
            question_fr,
            question_en,
            comment_fr,
            comment_en,
            ask_solved: i64::from(self.ask_solved && kind != SurveyKind::Solved),
            criteria: serde_json::to_string(&self.criteria).expect("serialisable"),
            trigger: self.trigger.clone(),
            channels: channels.join(","),
            delay_minutes: self.delay_minutes,
            every_days: self.every_days.filter(|_| self.trigger == "periodic"),
            sample_size: self.sample_size.filter(|_| self.trigger == "periodic"),
            last_run_at: None,
            active: i64::from(self.active),
        })
    }
}

pub fn criteria_of(s: &store::survey::Survey) -> Vec<Criterion> {
    serde_json::from_str(&s.criteria).unwrap_or_default()
}

pub async fn list(store: &Store, actor: &Actor) -> Result<Vec<store::survey::Survey>> {
    actor.require(actor.role.can_read_voice())?;
    let mut c = store.reader().await?;
    Ok(store::survey::surveys(&mut c, actor.org_id).await?)
}

/// The surveys of an organisation, for the command line (run by the server's operator).
pub async fn list_unchecked(store: &Store, org_id: i64) -> Result<Vec<store::survey::Survey>> {
    let mut c = store.reader().await?;
    Ok(store::survey::surveys(&mut c, org_id).await?)
}

pub async fn get(store: &Store, actor: &Actor, id: i64) -> Result<store::survey::Survey> {
    actor.require(actor.role.can_read_voice())?;
    let mut c = store.reader().await?;
    store::survey::survey(&mut c, actor.org_id, id)
        .await?
        .ok_or(Error::NotFound("survey"))
}

pub async fn create(
    store: &Store,
    actor: &Actor,
    input: &SurveyInput,
) -> Result<store::survey::Survey> {
    actor.require(actor.role.can_define_surveys())?;
    let s = input.check(actor.org_id, 0)?;
    let now = now_ms();
    let mut tx = store.begin().await?;
    let id = store::survey::insert_survey(&mut tx, &s, now).await?;
    store::org::audit(
        &mut tx,
        actor.org_id,
        Some(actor.user_id),
        now,
        "survey.create",
        &format!("survey:{id}"),
        "",
    )
    .await?;
    tx.commit().await?;
    Ok(store::survey::Survey { id, ..s })
}

pub async fn update(
    store: &Store,
    actor: &Actor,
    id: i64,
    input: &SurveyInput,
) -> Result<store::survey::Survey> {
    actor.require(actor.role.can_define_surveys())?;
    let now = now_ms();
    let mut tx = store.begin().await?;
    let old = store::survey::survey(&mut tx, actor.org_id, id)
        .await?
        .ok_or(Error::NotFound("survey"))?;
    let s = input.check(actor.org_id, id)?;
    if s.kind != old.kind {
        return Err(Error::invalid(
            "kind",
            crate::domain::Invalid::new(
                "fixed",
                "the kind of a survey cannot change once created (its answers would mean something else)",
            ),
        ));
    }
    store::survey::update_survey(&mut tx, &s, now).await?;
    store::org::audit(
        &mut tx,
        actor.org_id,
        Some(actor.user_id),
        now,
        "survey.update",
        &format!("survey:{id}"),
        "",
    )
    .await?;
    tx.commit().await?;
    Ok(store::survey::Survey {
        last_run_at: old.last_run_at,
        ..s
    })
}

/// Organisation-wide settings of the voice of the customer.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// At most one survey per customer in this many days.
    pub fatigue_days: i64,
    /// Posted a JSON alert on each detractor, difficult experience and negative review.
    pub alert_webhook: Option<String>,
}

pub async fn settings(store: &Store, actor: &Actor) -> Result<Settings> {
    actor.require(actor.role.can_read_voice())?;
    let mut c = store.reader().await?;
    let (fatigue_days, alert_webhook) = store::survey::voice_settings(&mut c, actor.org_id).await?;
    Ok(Settings {
        fatigue_days,
        alert_webhook,
    })
}

pub async fn set_settings(store: &Store, actor: &Actor, s: &Settings) -> Result<Settings> {
    actor.require(actor.role.can_define_surveys())?;
    let mut ch = Checks::default();
    if !(0..=365).contains(&s.fatigue_days) {
        ch.refuse("fatigue_days", "out_of_range", "from 0 to 365 days");
    }
    let hook = s
        .alert_webhook
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty());
    if let Some(u) = hook
        && !(u.starts_with("https://") || u.starts_with("http://"))
    {
        ch.refuse(
            "alert_webhook",
            "invalid_url",
            "an http:// or https:// address",
        );
    }
    ch.finish()?;
    let now = now_ms();
    let mut tx = store.begin().await?;
    store::survey::set_voice_settings(&mut tx, actor.org_id, s.fatigue_days, hook).await?;
    store::org::audit(
        &mut tx,
        actor.org_id,
        Some(actor.user_id),
        now,
        "voice.settings",
        "",
        "",
    )
    .await?;
    tx.commit().await?;
    Ok(Settings {
        fatigue_days: s.fatigue_days,
        alert_webhook: hook.map(str::to_string),
    })
}

/// The surveys and theme rules a new organisation starts with (editable).
pub async fn ensure_defaults(c: &mut Conn, org_id: i64, now: i64) -> Result<()> {
    if !store::survey::surveys(c, org_id).await?.is_empty() {
        return Ok(());
    }
    let base =
        |kind: &str, name: &str, qfr: &str, qen: &str, trigger: &str| store::survey::Survey {
            id: 0,
            org_id,
            kind: kind.into(),
            name: name.into(),
            question_fr: qfr.into(),
            question_en: qen.into(),
            comment_fr: "Pourquoi ?".into(),
            comment_en: "Why?".into(),
            ask_solved: 0,
            criteria: "[]".into(),
            trigger: trigger.into(),
            channels: String::new(),
            delay_minutes: 0,
            every_days: None,
            sample_size: None,
            last_run_at: None,
            active: 1,
        };
    let criteria = [
        ("accueil", "L'accueil", "The welcome"),
        ("attente", "Le temps d'attente", "Waiting time"),
        (
            "information",
            "La clarté des informations",
            "Clear information",
        ),
        (
            "competence",
            "La compétence des conseillers",
            "Advisors' competence",
        ),
        (
            "suivi",
            "Le suivi de votre demande",
            "Follow-up of your request",
        ),
        ("locaux", "Le confort des locaux", "Comfort of the premises"),
    ]
    .map(|(k, fr, en)| Criterion {
        key: k.into(),
        fr: fr.into(),
        en: en.into(),
    });
    let surveys = [
        store::survey::Survey {
            ask_solved: 1,
            delay_minutes: 60,
            channels: "email,phone,chat,social,web_form,letter".into(),
            ..base(
                "csat",
                "Après un dossier résolu",
                "Êtes-vous satisfait de la réponse apportée à votre demande ?",
                "How satisfied are you with the answer to your request?",
                "case_solved",
            )
        },
        store::survey::Survey {
            ask_solved: 1,
            delay_minutes: 30,
            comment_fr: "Qu'est-ce qui aurait pu être plus simple ?".into(),
            comment_en: "What could have been easier?".into(),
            ..base(
                "ces",
                "Après une visite en agence",
                "Il a été facile d'obtenir ce que vous étiez venu chercher.",
                "It was easy to get what you came for.",
                "counter_visit",
            )
        },
        store::survey::Survey {
            every_days: Some(90),
            sample_size: Some(200),
            ..base(
                "nps",
                "Baromètre relationnel",
                "Recommanderiez-vous nos services à un proche ?",
                "How likely are you to recommend us to a friend or colleague?",
                "periodic",
            )
        },
        store::survey::Survey {
            criteria: serde_json::to_string(&criteria).expect("serialisable"),
            comment_fr: "Que devrions-nous améliorer en priorité ?".into(),
            comment_en: "What should we improve first?".into(),
            ..base(
                "custom",
                "Mapping de satisfaction",
                "Pour chaque point, son importance pour vous et votre satisfaction.",
                "For each point, how much it matters to you and how satisfied you are.",
                "manual",
            )
        },
    ];
    for s in &surveys {
        store::survey::insert_survey(c, s, now).await?;
    }
    if store::survey::rules(c, org_id).await?.is_empty() {
        for (theme, keywords) in crate::domain::verbatim::STARTER_RULES_FR {
            store::survey::put_rule(c, org_id, theme, keywords, "fr", now).await?;
        }
    }
    Ok(())
}

/// Sends a survey now to a random sample of reachable customers (manual or periodic surveys).
pub async fn send_sample(store: &Store, actor: &Actor, id: i64, size: i64) -> Result<usize> {
    actor.require(actor.role.can_define_surveys())?;
    if !(1..=100_000).contains(&size) {
        return Err(Error::invalid(
            "sample_size",
            crate::domain::Invalid::new("out_of_range", "from 1 to 100,000 customers"),
        ));
    }
    let mut tx = crate::service::work::Work::begin(store).await?;
    let now = tx.now;
    let s = store::survey::survey(&mut tx, actor.org_id, id)
        .await?
        .ok_or(Error::NotFound("survey"))?;
    let n = trigger::sample(&mut tx, &s, size, now).await?;
    tx.wake(crate::service::wake::Worker::Surveys);
    store::org::audit(
        &mut tx,
        actor.org_id,
        Some(actor.user_id),
        now,
        "survey.send",
        &format!("survey:{id}"),
        &n.to_string(),
    )
    .await?;
    tx.commit().await?;
    Ok(n)
}

/// The latest answers of a survey (managers and above).
pub async fn responses(
    store: &Store,
    actor: &Actor,
    id: i64,
    limit: i64,
) -> Result<Vec<store::survey::Response>> {
    actor.require(actor.role.can_read_voice())?;
    let mut c = store.reader().await?;
    Ok(store::survey::responses(
        &mut c,
        actor.org_id,
        None,
        None,
        Some(id),
        limit.clamp(1, 1_000),
    )
    .await?)
}

/// An answer with its survey's kind and name, for pages.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AnswerView {
    #[serde(flatten)]
    pub response: store::survey::Response,
    pub kind: String,
    pub survey_name: String,
}

fn views(surveys: &[store::survey::Survey], rows: Vec<store::survey::Response>) -> Vec<AnswerView> {
    rows.into_iter()
        .map(|r| {
            let s = surveys.iter().find(|s| s.id == r.survey_id);
            AnswerView {
                kind: s.map(|s| s.kind.clone()).unwrap_or_default(),
                survey_name: s.map(|s| s.name.clone()).unwrap_or_default(),
                response: r,
            }
        })
        .collect()
}

/// Surveys around one case: invitations (with the link while it can be answered), answers and
/// call-back tasks — what the case page shows.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CaseVoice {
    pub invitations: Vec<trigger::InvitationView>,
    pub answers: Vec<AnswerView>,
    pub tasks: Vec<store::survey::Task>,
    pub review: Option<store::review::Review>,
}

pub async fn of_case(store: &Store, actor: &Actor, case_id: i64, base: &str) -> Result<CaseVoice> {
    let mut c = store.reader().await?;
    store::case::by_id(&mut c, actor.org_id, case_id)
        .await?
        .ok_or(Error::NotFound("case"))?;
    let surveys = store::survey::surveys(&mut c, actor.org_id).await?;
    let name = |id: i64| {
        surveys
            .iter()
            .find(|s| s.id == id)
            .map(|s| s.name.clone())
            .unwrap_or_default()
    };
    let now = now_ms();
    let invitations = store::survey::case_invitations(&mut c, case_id)
        .await?
        .into_iter()
        .map(|i| {
            let n = name(i.survey_id);
            trigger::view(i, n, base, now)
        })
        .collect();
    let review =
        match crate::service::review::invitation_of_case(&mut c, actor.org_id, case_id).await? {
            Some(i) => store::review::review_of_invitation(&mut c, i.id).await?,
            None => None,
        };
    Ok(CaseVoice {
        invitations,
        answers: views(
            &surveys,
            store::survey::responses(&mut c, actor.org_id, None, Some(case_id), None, 50).await?,
        ),
        tasks: store::survey::tasks(&mut c, actor.org_id, Some(case_id)).await?,
        review,
    })
}

/// A customer's answers and reviews, for their record.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CustomerVoice {
    /// Invitations, with the link while one can be answered (to give on the phone or in a chat).
    pub invitations: Vec<trigger::InvitationView>,
    pub answers: Vec<AnswerView>,
    pub reviews: Vec<store::review::Review>,
    pub opted_out: bool,
}

pub async fn of_customer(
    store: &Store,
    actor: &Actor,
    customer_id: i64,
    base: &str,
) -> Result<CustomerVoice> {
    let mut c = store.reader().await?;
    store::customer::get(&mut c, actor.org_id, customer_id)
        .await?
        .ok_or(Error::NotFound("customer"))?;
    let surveys = store::survey::surveys(&mut c, actor.org_id).await?;
    let now = now_ms();
    let name = |id: i64| {
        surveys
            .iter()
            .find(|s| s.id == id)
            .map(|s| s.name.clone())
            .unwrap_or_default()
    };
    let invitations = store::survey::customer_invitations(&mut c, customer_id)
        .await?
        .into_iter()
        .map(|i| {
            let n = name(i.survey_id);
            trigger::view(i, n, base, now)
        })
        .collect();
    Ok(CustomerVoice {
        invitations,
        answers: views(
            &surveys,
            store::survey::responses(&mut c, actor.org_id, Some(customer_id), None, None, 50)
                .await?,
        ),
        reviews: crate::service::review::of_customer(&mut c, actor.org_id, customer_id).await?,
        opted_out: store::survey::opted_out(&mut c, customer_id).await?,
    })
}

/// Open call-back tasks of the organisation, soonest due first.
pub async fn open_tasks(store: &Store, actor: &Actor) -> Result<Vec<store::survey::Task>> {
    actor.require(actor.role != crate::domain::role::Role::Kiosk)?;
    let mut c = store.reader().await?;
    Ok(store::survey::tasks(&mut c, actor.org_id, None).await?)
}

pub async fn complete_task(store: &Store, actor: &Actor, id: i64) -> Result<()> {
    actor.require(actor.role != crate::domain::role::Role::Kiosk)?;
    let now = now_ms();
    let mut tx = store.begin().await?;
    if !store::survey::complete_task(&mut tx, actor.org_id, id, actor.user_id, now).await? {
        return Err(Error::Conflict {
            code: "not_open",
            message: "no open task has this id".into(),
        });
    }
    tx.commit().await?;
    Ok(())
}

/// The latest alerts to managers (detractors, difficult experiences, negative reviews).
pub async fn alerts(store: &Store, actor: &Actor, limit: i64) -> Result<Vec<store::survey::Alert>> {
    actor.require(actor.role.can_read_voice())?;
    let mut c = store.reader().await?;
    Ok(store::survey::alerts(&mut c, actor.org_id, limit.clamp(1, 500)).await?)
}

/// A manager has looked at an alert (it stays listed, marked seen).
pub async fn alert_seen(store: &Store, actor: &Actor, id: i64) -> Result<()> {
    actor.require(actor.role.can_read_voice())?;
    let mut tx = store.begin().await?;
    if !store::survey::mark_alert_seen(&mut tx, actor.org_id, id, actor.user_id, now_ms()).await? {
        return Err(Error::Conflict {
            code: "not_unseen",
            message: "no unseen alert has this id".into(),
        });
    }
    tx.commit().await?;
    Ok(())
}
