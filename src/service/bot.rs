//! The bot: answers a question from the organisation's published articles and says when a
//! person should take over, with the reason (`domain::bot`'s rules, the organisation's data).
//! Each process keeps one index per organisation in memory, rebuilt when the base's revision
//! moved (any process's change bumps it in the same transaction).

use crate::domain::Invalid;
use crate::domain::bot::{self, Kind, Rule, Rules, Turn};
use crate::domain::verbatim::Lang;
use crate::search::kb::{ArticleDoc, KbIndex};
use crate::service::{Actor, Checks, Error, Result, now_ms};
use crate::store::{self, Store};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The longest question read (a chat message).
pub const QUESTION_MAX: usize = 2_000;
/// Candidates an answer lists.
const CANDIDATES: usize = 3;

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Question {
    pub question: String,
    /// fr (default) | en: the articles read and how the words are stemmed.
    pub lang: Option<String>,
    /// The customer asking, if known: an open complaint on their record hands over.
    pub customer_id: Option<i64>,
    /// Answers in a row the customer said did not help.
    pub unhelpful: Option<u32>,
    /// Minutes since the conversation started with the bot.
    pub minutes: Option<f64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Weighed {
    pub article_id: i64,
    pub external_id: Option<String>,
    pub title: String,
    /// Confidence, 0–1.
    pub score: f64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Answer {
    /// The article the bot answers with (none on a handoff).
    pub article_id: Option<i64>,
    pub external_id: Option<String>,
    pub title: Option<String>,
    pub short_answer: Option<String>,
    /// The confidence of the first candidate (the one answered with), 0–1.
    pub score: f64,
    /// A person should take over.
    pub handoff: bool,
    /// The handoff rule's reason code (`no_article` when no rule applies and the base has no
    /// candidate: with the starter rules, `low_confidence` says it first).
    pub reason: Option<String>,
    /// The articles weighed, best first (up to 3), on a handoff too.
    pub candidates: Vec<Weighed>,
}

struct Meta {
    external_id: Option<String>,
    title: String,
    short_answer: String,
}

struct Built {
    rev: i64,
    index: KbIndex,
    articles: HashMap<i64, Meta>,
    rules: Rules,
}

/// The indexes of this process, by organisation.
#[derive(Clone, Default)]
pub struct Bot {
    built: Arc<Mutex<HashMap<i64, Arc<Built>>>>,
    /// One build at a time per organisation: a burst of questions after a change builds once,
    /// and one organisation's build never holds up another's answers.
    building: Arc<Mutex<HashMap<i64, Arc<tokio::sync::Mutex<()>>>>>,
}

impl Bot {
    fn cached(&self, org_id: i64, rev: i64) -> Option<Arc<Built>> {
        let map = self.built.lock().expect("bot cache");
        map.get(&org_id).filter(|b| b.rev == rev).cloned()
    }

    async fn current(&self, store: &Store, org_id: i64) -> Result<Arc<Built>> {
        let mut c = store.reader().await?;
        let rev = store::kb::revision(&mut c, org_id).await?;
        if let Some(b) = self.cached(org_id, rev) {
            return Ok(b);
        }
        drop(c);
        let lock = self
            .building
            .lock()
            .expect("bot build locks")
            .entry(org_id)
            .or_default()
            .clone();
        let _one = lock.lock().await;
        let mut c = store.reader().await?;
        let rev = store::kb::revision(&mut c, org_id).await?;
        if let Some(b) = self.cached(org_id, rev) {
            return Ok(b);
        }
        // Read after the revision: what is read is at least as new as the number kept.
        let (articles, variants) = store::kb::published(&mut c, org_id).await?;
        let rules = load_rules(&mut c, org_id).await?;
        drop(c);
        let built = tokio::task::spawn_blocking(move || -> Result<Built> {
            let mut by_id: HashMap<i64, Vec<String>> = HashMap::new();
            for (id, text) in variants {
                by_id.entry(id).or_default().push(text);
            }
            let docs: Vec<ArticleDoc> = articles
                .iter()
                .map(|a| ArticleDoc {
                    id: a.id,
                    lang: a.lang.clone(),
                    title: a.title.clone(),
                    short_answer: a.short_answer.clone(),
                    body: a.body.clone(),
                    keywords: a.keywords.clone(),
                    variants: by_id.remove(&a.id).unwrap_or_default(),
                })
                .collect();
            let index = KbIndex::build(&docs).map_err(|e| Error::Internal(e.to_string()))?;
            let articles = articles
                .into_iter()
                .map(|a| {
                    (
                        a.id,
                        Meta {
                            external_id: a.external_id,
                            title: a.title,
                            short_answer: a.short_answer,
                        },
                    )
                })
                .collect();
            Ok(Built {
                rev,
                index,
                articles,
                rules: Rules::new(rules),
            })
        })
        .await
        .map_err(|e| Error::Internal(e.to_string()))??;
        let built = Arc::new(built);
        self.built
            .lock()
            .expect("bot cache")
            .insert(org_id, built.clone());
        Ok(built)
    }

    /// The bot's answer for a signed-in user or an integration's token.
    pub async fn answer(&self, store: &Store, actor: &Actor, q: &Question) -> Result<Answer> {
        actor.require(actor.role.can_use_knowledge())?;
        self.answer_in(store, actor.org_id, q).await
    }

    /// The bot's answer in an organisation (the chat asks through this).
    pub async fn answer_in(&self, store: &Store, org_id: i64, q: &Question) -> Result<Answer> {
        let mut ch = Checks::default();
        let text = ch
            .check("question", crate::domain::text(&q.question, QUESTION_MAX))
            .unwrap_or_default();
        let lang = q.lang.as_deref().map(str::trim).unwrap_or("fr");
        if lang != "fr" && lang != "en" {
            ch.refuse("lang", "invalid_lang", "fr or en");
        }
        if q.minutes.is_some_and(|m| !m.is_finite() || m < 0.0) {
            ch.refuse("minutes", "out_of_range", "a number of minutes, 0 or more");
        }
        ch.finish()?;
        let open_complaint = match q.customer_id {
            Some(id) => {
                let mut c = store.reader().await?;
                store::kb::open_complaint(&mut c, org_id, id).await?
            }
            None => false,
        };
        let built = self.current(store, org_id).await?;
        let candidates = built
            .index
            .ask(&text, lang, CANDIDATES)
            .map_err(|e| Error::Internal(e.to_string()))?;
        // The ranking adds BM25; the rules read the two best confidences.
        let mut confidences: Vec<f64> = candidates.iter().map(|c| c.confidence).collect();
        confidences.sort_by(|a, b| b.total_cmp(a));
        let turn = Turn {
            question: &text,
            top: confidences.first().copied(),
            second: confidences.get(1).copied(),
            unhelpful: q.unhelpful.unwrap_or(0),
            open_complaint,
            minutes: q.minutes.unwrap_or(0.0),
        };
        let rule = built.rules.decide(&turn, Lang::from_code(lang));
        let reason = match rule {
            Some(r) => Some(r.code.clone()),
            None if candidates.is_empty() => Some("no_article".to_string()),
            None => None,
        };
        let weighed: Vec<Weighed> = candidates
            .iter()
            .filter_map(|c| {
                built.articles.get(&c.article_id).map(|m| Weighed {
                    article_id: c.article_id,
                    external_id: m.external_id.clone(),
                    title: m.title.clone(),
                    score: (c.confidence * 1000.0).round() / 1000.0,
                })
            })
            .collect();
        let best = (reason.is_none())
            .then(|| weighed.first())
            .flatten()
            .and_then(|w| built.articles.get(&w.article_id).map(|m| (w, m)));
        Ok(Answer {
            article_id: best.map(|(w, _)| w.article_id),
            external_id: best.and_then(|(_, m)| m.external_id.clone()),
            title: best.map(|(_, m)| m.title.clone()),
            short_answer: best.map(|(_, m)| m.short_answer.clone()),
            score: weighed.first().map_or(0.0, |w| w.score),
            handoff: reason.is_some(),
            reason,
            candidates: weighed,
        })
    }
}

/// A handoff rule as the API and the web form show and take it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleView {
    /// The reason code a handoff by this rule reports.
    pub code: String,
    /// request | anger | topic | open_complaint | unhelpful | too_long | low_confidence | ambiguous
    pub kind: String,
    /// Phrases, separated by commas (request, anger, topic).
    #[serde(default)]
    pub words: String,
    /// The threshold: a confidence or a share (0–1), a number of answers, minutes.
    #[serde(default)]
    pub value: f64,
    #[serde(default = "yes")]
    pub enabled: bool,
}

fn yes() -> bool {
    true
}

impl From<&Rule> for RuleView {
    fn from(r: &Rule) -> Self {
        RuleView {
            code: r.code.clone(),
            kind: r.kind.as_str().to_string(),
            words: r.words.clone(),
            value: r.value,
            enabled: r.enabled,
        }
    }
}

async fn load_rules(c: &mut store::Conn, org_id: i64) -> Result<Vec<Rule>> {
    let rows = store::kb::rules(c, org_id).await?;
    if rows.is_empty() {
        return Ok(bot::starter());
    }
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(Rule {
                kind: Kind::parse(&r.kind).ok()?,
                code: r.code,
                words: r.words,
                value: r.value,
                enabled: r.enabled != 0,
            })
        })
        .collect())
}

/// The organisation's handoff rules in order (the starter set until it changes them).
pub async fn rules(store: &Store, actor: &Actor) -> Result<Vec<RuleView>> {
    actor.require(actor.role.can_use_knowledge())?;
    let mut c = store.reader().await?;
    Ok(load_rules(&mut c, actor.org_id)
        .await?
        .iter()
        .map(RuleView::from)
        .collect())
}

/// Replaces the whole list (its order is the order they are read in).
pub async fn put_rules(store: &Store, actor: &Actor, rules: &[RuleView]) -> Result<Vec<RuleView>> {
    actor.require(actor.role.can_edit_knowledge())?;
    let mut ch = Checks::default();
    if rules.len() > 50 {
        ch.refuse("rules", "too_many", "at most 50 rules");
    }
    // No rows means the starter set: turning every rule off is done by unticking them.
    if rules.is_empty() {
        ch.refuse(
            "rules",
            "required",
            "at least one rule (turn rules off rather than removing them all)",
        );
    }
    let mut rows = Vec::with_capacity(rules.len());
    for (i, r) in rules.iter().enumerate() {
        let Some(kind) = ch.check(&format!("rules[{i}].kind"), Kind::parse(&r.kind)) else {
            continue;
        };
        let rule = Rule {
            code: r.code.trim().to_string(),
            kind,
            words: r.words.trim().to_string(),
            value: r.value,
            enabled: r.enabled,
        };
        if let Err((field, why)) = rule.check() {
            ch.check::<()>(&format!("rules[{i}].{field}"), Err(why));
            continue;
        }
        if rules[..i].iter().any(|o| o.code.trim() == rule.code) {
            ch.check::<()>(
                &format!("rules[{i}].code"),
                Err(Invalid::new(
                    "duplicate_code",
                    format!("two rules have the code «{}»", rule.code),
                )),
            );
            continue;
        }
        rows.push(store::kb::RuleRow {
            code: rule.code,
            kind: kind.as_str().to_string(),
            words: rule.words,
            value: rule.value,
            enabled: i64::from(rule.enabled),
        });
    }
    ch.finish()?;
    let mut tx = store.begin().await?;
    store::kb::replace_rules(&mut tx, actor.org_id, &rows, now_ms()).await?;
    store::kb::bump(&mut tx, actor.org_id).await?;
    tx.commit().await?;
    self::rules(store, actor).await
}
