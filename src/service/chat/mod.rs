//! The chat: a visitor talks with the bot, which answers from the knowledge base and hands over
//! to an advisor when a rule says so (or the visitor asks); an advisor accepts, replies, closes.
//! Every event is numbered in its conversation and durable before it is answered, so a client
//! that lost its connection asks for what follows the last number it saw and misses nothing.
//! A closed conversation with a known customer becomes a chat interaction on their case (the
//! transcript, with the handoff and first-answer times the chat commitment measures).

use crate::domain::Invalid;
use crate::domain::identity::{CustomerNumber, Email, Identity, PhoneE164};
use crate::domain::link::{self, Purpose};
use crate::domain::survey::SurveyKind;
use crate::service::bot::{Bot, Question};
use crate::service::email::secrets;
use crate::service::ingest::{CustomerRef, InteractionInput};
use crate::service::ratelimit::RateLimit;
use crate::service::survey::answer::{self, About, AnswerInput, Recorded};
use crate::service::work::Work;
use crate::service::{Actor, Checks, Error, Result, iso, now_ms};
use crate::store::chat::{Conversation, Event, NewConversation, NewEvent};
use crate::store::{self, Store};
use serde::{Deserialize, Serialize};
use signals::{Signal, Signals, Subscription};
use std::time::Duration;

pub mod report;
mod signals;

/// The longest message read.
pub const MESSAGE_MAX: usize = 2_000;
/// A visitor's token works while the conversation lives, and an hour after it closed.
const AFTER_CLOSE_MS: i64 = 3_600_000;
/// …and not after a day without a word.
const IDLE_MS: i64 = 86_400_000;
/// The longest a reader waits for something new (long poll).
const WAIT_MAX: Duration = Duration::from_secs(25);

/// A side of a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Visitor,
    Advisor,
}

/// What a socket is pushed next.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum Push {
    Events(Box<Events>),
    Typing { typing: Side },
}

/// A socket's hold on one conversation: it is pushed every event after the last one it was
/// sent, and the other side's typing.
pub struct Follower {
    id: i64,
    side: Side,
    signals: Subscription,
    /// The number of the last event sent.
    pub after: i64,
}

impl Follower {
    pub fn conversation(&self) -> i64 {
        self.id
    }
    pub fn side(&self) -> Side {
        self.side
    }
}

/// This process's conversations in motion: who waits on which, and the flood guard.
#[derive(Clone)]
pub struct Chat {
    signals: Signals,
    /// Typing signals: one per conversation and side every 2 s at most.
    typing: RateLimit,
    /// 20 messages a minute per conversation.
    flood: RateLimit,
    /// 30 new conversations per client address per 10 minutes.
    starts: RateLimit,
}

impl Default for Chat {
    fn default() -> Self {
        Chat {
            signals: Signals::default(),
            typing: RateLimit::new(1, Duration::from_secs(2)),
            flood: RateLimit::new(20, Duration::from_secs(60)),
            starts: RateLimit::new(30, Duration::from_secs(600)),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartInput {
    /// fr (default) | en
    pub lang: Option<String>,
    /// An email, a phone number or a customer number: the visitor is then the same customer as
    /// on every other channel.
    pub identity: Option<String>,
    pub name: Option<String>,
    /// The code of the site the widget is on (`data-site`): its opening hours say when advisors
    /// answer.
    pub site: Option<String>,
}

/// Where a conversation stands, as its visitor sees it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct View {
    pub conversation_id: i64,
    /// bot | waiting | open | closed
    pub status: String,
    pub reason: Option<String>,
    /// 1 for the next to be answered, while waiting.
    pub position: Option<i64>,
    /// The median wait of the last answered conversations, while waiting.
    pub estimated_wait_secs: Option<i64>,
    /// The number of the last event.
    pub seq: i64,
    /// Once closed, what the widget asks before it lets the visitor go (until answered).
    pub survey: Option<ClosingSurvey>,
    /// Before an advisor has it: available (someone can take it), busy (advisors are there, all
    /// taken), away (nobody at their console) or closed (outside the site's opening hours). When
    /// away or closed, the widget offers to leave a message instead.
    pub advisors: Option<String>,
}

/// The visitor's message when no advisor is there: it becomes an email case.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LeftMessage {
    /// Where the answer goes.
    pub email: String,
    pub text: String,
}

/// What became of a message left.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Left {
    /// The organisation's promise for an email, in the conversation's language, when its charter
    /// publishes one ("Nous répondons à vos courriels sous 48 heures ouvrées.").
    pub promise: Option<String>,
    #[serde(flatten)]
    pub events: Events,
}

/// An advisor's presence on the chat.
pub const PRESENCES: [&str; 3] = ["available", "busy", "away"];

/// The organisation's post-case survey, asked in the widget when a conversation ends.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ClosingSurvey {
    /// csat | ces | nps | solved
    pub kind: String,
    pub question: String,
    /// The lowest and highest score (none for a "was it solved?" survey).
    pub min: Option<i64>,
    pub max: Option<i64>,
    /// Whether "was it solved?" is asked (a "no" reopens the case).
    pub ask_solved: bool,
    /// The question over the comment ("Pourquoi ?").
    pub comment: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Started {
    /// The visitor's hold on the conversation: send it with every call.
    pub token: String,
    #[serde(flatten)]
    pub view: View,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Events {
    pub events: Vec<Event>,
    #[serde(flatten)]
    pub view: View,
}

/// What the visitor is shown: why the bot handed over stays with staff (a reason such as an
/// open complaint on a record says something about whoever's identity was typed), except the
/// visitor's own request.
fn visitor_side(mut e: Events) -> Events {
    let own = |r: &str| r == "request";
    if e.view.reason.as_deref().is_some_and(|r| !own(r)) {
        e.view.reason = None;
    }
    for ev in &mut e.events {
        if ev.kind == "handoff" && !own(&ev.body) {
            ev.body.clear();
        }
    }
    e
}

fn text_ok(field: &str, text: &str) -> Result<String> {
    crate::domain::text(text, MESSAGE_MAX).map_err(|e| Error::invalid(field, e))
}

/// The identity a visitor typed, whatever its kind.
fn identity(raw: &str) -> std::result::Result<Identity, Invalid> {
    let s = raw.trim();
    if s.contains('@') {
        return Email::parse(s).map(Identity::Email);
    }
    if let Ok(p) = PhoneE164::parse(s) {
        return Ok(Identity::Phone(p));
    }
    CustomerNumber::parse(s).map(Identity::Number)
}

impl Chat {
    fn moved(&self, id: i64) {
        // Nobody waiting is fine: the event is on record.
        self.signals.send(id, Signal::Moved);
    }

    /// "`side` is typing", to the other side's sockets on this process (a signal more often
    /// than every 2 s is dropped).
    pub fn typing(&self, id: i64, side: Side) {
        if self.typing.hit(&format!("{id}:{side:?}")).is_ok() {
            self.signals.send(id, Signal::Typing(side));
        }
    }

    /// A visitor's socket on their conversation, pushed what follows event `after`.
    pub async fn follow_as_visitor(
        &self,
        store: &Store,
        id: i64,
        token: &str,
        after: i64,
    ) -> Result<Follower> {
        let signals = self.signals.subscribe(id);
        self.visitor(store, id, token).await?;
        Ok(Follower {
            id,
            side: Side::Visitor,
            signals,
            after,
        })
    }

    /// An advisor's socket on a conversation of their organisation.
    pub async fn follow_as_staff(
        &self,
        store: &Store,
        actor: &Actor,
        id: i64,
        after: i64,
    ) -> Result<Follower> {
        let signals = self.signals.subscribe(id);
        self.staff(store, actor, id).await?;
        Ok(Follower {
            id,
            side: Side::Advisor,
            signals,
            after,
        })
    }

    /// Waits for what to push next: the events after the last one sent (all of them, in
    /// order), or the other side typing. Another node's writes are seen within 2 s.
    pub async fn next(&self, store: &Store, f: &mut Follower) -> Result<Push> {
        loop {
            let mut r = store.reader().await?;
            let c = store::chat::get(&mut r, f.id)
                .await?
                .ok_or(Error::NotFound("conversation"))?;
            // A closed conversation has nothing more to come: it is told once, and the socket ends.
            if c.seq > f.after || c.status == "closed" {
                let events = store::chat::events_after(&mut r, f.id, f.after).await?;
                drop(r);
                let mut e = Events {
                    events,
                    view: self.view(store, &c).await?,
                };
                if let Some(last) = e.events.last() {
                    f.after = last.seq;
                }
                if f.side == Side::Visitor {
                    e = visitor_side(e);
                }
                return Ok(Push::Events(Box::new(e)));
            }
            drop(r);
            let told = tokio::time::timeout(Duration::from_secs(2), async {
                loop {
                    match f.signals.recv().await {
                        Signal::Moved => return None,
                        Signal::Typing(side) if side != f.side => return Some(side),
                        Signal::Typing(_) => continue,
                    }
                }
            })
            .await;
            if let Ok(Some(side)) = told {
                return Ok(Push::Typing { typing: side });
            }
        }
    }

    /// Commits what a turn wrote, wakes this process's readers of the conversation, and says
    /// where it stands now.
    async fn commit(
        &self,
        store: &Store,
        mut tx: store::Tx,
        id: i64,
        events: Vec<Event>,
    ) -> Result<Events> {
        let c = store::chat::get(&mut tx, id)
            .await?
            .ok_or(Error::NotFound("conversation"))?;
        tx.commit().await?;
        self.moved(id);
        Ok(Events {
            events,
            view: self.view(store, &c).await?,
        })
    }

    async fn view(&self, store: &Store, c: &Conversation) -> Result<View> {
        let (mut position, mut estimate) = (None, None);
        if c.status == "waiting"
            && let Some(at) = c.handoff_at
        {
            let mut r = store.reader().await?;
            position = Some(store::chat::ahead(&mut r, c.org_id, at, c.id).await? + 1);
            let mut waits = store::chat::recent_waits(&mut r, c.org_id).await?;
            waits.sort_unstable();
            estimate = waits.get(waits.len() / 2).map(|ms| ms / 1000);
        }
        let survey = match c.status.as_str() {
            "closed" => closing_survey(store, c).await?.map(|(s, kind)| {
                let en = c.lang == "en";
                let range = kind.range();
                ClosingSurvey {
                    kind: s.kind.clone(),
                    question: if en { s.question_en } else { s.question_fr },
                    min: range.map(|r| r.0),
                    max: range.map(|r| r.1),
                    ask_solved: s.ask_solved == 1 || kind == SurveyKind::Solved,
                    comment: if en { s.comment_en } else { s.comment_fr },
                }
            }),
            _ => None,
        };
        let advisors = match c.status.as_str() {
            "bot" | "waiting" => Some(availability(store, c).await?.to_string()),
            _ => None,
        };
        Ok(View {
            conversation_id: c.id,
            status: c.status.clone(),
            reason: c.reason.clone(),
            position,
            estimated_wait_secs: estimate,
            seq: c.seq,
            survey,
            advisors,
        })
    }

    /// "Nobody can answer now": the visitor leaves a message and an address, which becomes an
    /// email case (with the conversation so far) under the organisation's email commitment; the
    /// conversation ends there.
    pub async fn leave_message(
        &self,
        store: &Store,
        id: i64,
        token: &str,
        m: &LeftMessage,
    ) -> Result<Left> {
        let c = self.visitor(store, id, token).await?;
        let mut ch = Checks::default();
        let email = ch.check("email", Email::parse(m.email.trim()));
        let text = ch.check(
            "text",
            crate::domain::text(&m.text, MESSAGE_MAX).and_then(|t| {
                if t.trim().is_empty() {
                    Err(Invalid::new("required", "write your message"))
                } else {
                    Ok(t)
                }
            }),
        );
        ch.finish()?;
        let (Some(email), Some(text)) = (email, text) else {
            return Err(Error::Internal("checked".into()));
        };
        if c.status == "closed" || c.case_id.is_some() {
            return Err(closed());
        }
        let mut r = store.reader().await?;
        let events = store::chat::events_after(&mut r, c.id, 0).await?;
        drop(r);
        let said = transcript(&events);
        let body = if said.is_empty() {
            text.clone()
        } else {
            format!(
                "{text}\n\n— Conversation sur le chat —\n{}",
                said.join("\n")
            )
        };
        let input = InteractionInput {
            channel: "email".into(),
            direction: "inbound".into(),
            customer: CustomerRef {
                email: Some(email.as_str().to_string()),
                name: c.name.clone(),
                ..Default::default()
            },
            subject: Some(format!(
                "Message laissé sur le chat : {}",
                text.chars().take(60).collect::<String>()
            )),
            body,
            external_id: Some(chat_key(c.id)),
            ..Default::default()
        };
        let valid = input.validate(now_ms())?;
        let done = crate::service::ingest::record(store, c.org_id, &valid, None).await?;
        let mut tx = store.begin().await?;
        store::chat::set_case(&mut tx, c.id, done.case_id, done.customer_id).await?;
        tx.commit().await?;
        let events = self.close(store, id, None).await.map(visitor_side)?;
        let mut r = store.reader().await?;
        let promise = store::charter::measuring(&mut r, c.org_id)
            .await?
            .into_iter()
            .find(|k| {
                k.retired_at.is_none()
                    && k.metric == "first_response"
                    && k.channels.split(',').any(|ch| ch == "email")
            })
            .map(|k| {
                if c.lang == "en" {
                    k.wording_en
                } else {
                    k.wording_fr
                }
            });
        Ok(Left { promise, events })
    }

    /// Sets the advisor's presence on the chat.
    pub async fn set_presence(
        &self,
        store: &Store,
        actor: &Actor,
        presence: &str,
    ) -> Result<String> {
        actor.require(actor.role.can_use_knowledge())?;
        let p = presence.trim();
        if !PRESENCES.contains(&p) {
            return Err(Error::invalid(
                "status",
                Invalid::new("invalid_presence", "available, busy or away"),
            ));
        }
        let mut tx = store.begin().await?;
        store::chat::set_presence(&mut tx, actor.user_id, p, now_ms()).await?;
        tx.commit().await?;
        Ok(p.to_string())
    }

    /// The advisor's presence as the widget counts it (away once their console is gone).
    pub async fn presence(&self, store: &Store, actor: &Actor) -> Result<String> {
        let mut r = store.reader().await?;
        Ok(store::chat::presence(&mut r, actor.user_id, now_ms()).await?)
    }

    /// The advisor's console is open: their presence holds.
    async fn seen(&self, store: &Store, actor: &Actor) -> Result<()> {
        let mut tx = store.begin().await?;
        store::chat::seen(&mut tx, actor.user_id, now_ms()).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The visitor's answer to the closing survey, once: recorded as any survey answer (on the
    /// conversation's case when the visitor was known, so "not solved" reopens it; anonymous
    /// otherwise).
    pub async fn answer_survey(
        &self,
        store: &Store,
        id: i64,
        token: &str,
        a: &AnswerInput,
        base: &str,
    ) -> Result<Recorded> {
        let c = self.visitor(store, id, token).await?;
        if c.status != "closed" {
            return Err(Error::Conflict {
                code: "not_closed",
                message: "the survey is asked once the conversation has ended".into(),
            });
        }
        let Some((s, kind)) = closing_survey(store, &c).await? else {
            return Err(Error::Conflict {
                code: "nothing_to_answer",
                message: "this conversation was surveyed already, or the organisation asks no survey after a chat".into(),
            });
        };
        let checked = answer::check_for(kind, &s, &[], a)?;
        let mut w = Work::begin_at(store, now_ms()).await?;
        let case = match c.case_id {
            Some(case_id) => store::case::by_id(&mut w, c.org_id, case_id).await?,
            None => None,
        };
        let about = About {
            org_id: c.org_id,
            survey_id: s.id,
            invitation_id: None,
            customer_id: c.customer_id.or(case.as_ref().map(|k| k.customer_id)),
            case_id: c.case_id,
            site_id: case.as_ref().and_then(|k| k.site_id),
            team_id: case.as_ref().and_then(|k| k.team_id),
            channel: Some("chat".into()),
            category: case.as_ref().and_then(|k| k.category.clone()),
            external_id: Some(chat_key(c.id)),
            path: format!("/chat/{}", c.id),
        };
        let lang = if a.lang.is_empty() { &c.lang } else { &a.lang };
        let Some(done) = answer::record(&mut w, &about, kind, checked, lang, base).await? else {
            return Err(Error::Conflict {
                code: "already_answered",
                message: "this conversation's survey was answered".into(),
            });
        };
        w.commit().await?;
        self.moved(id);
        Ok(done)
    }

    /// The conversation a visitor's token holds; refused when forged, for another conversation,
    /// or expired.
    async fn visitor(&self, store: &Store, id: i64, token: &str) -> Result<Conversation> {
        if link::verify(secrets::link_key(), Purpose::Chat, token) != Some(id) {
            return Err(Error::Unauthenticated);
        }
        let mut r = store.reader().await?;
        let c = store::chat::get(&mut r, id)
            .await?
            .ok_or(Error::NotFound("conversation"))?;
        let now = now_ms();
        if c.closed_at.is_some_and(|t| now > t + AFTER_CLOSE_MS) || now > c.last_at + IDLE_MS {
            return Err(Error::Conflict {
                code: "conversation_expired",
                message: "this conversation has ended; start a new one".into(),
            });
        }
        Ok(c)
    }

    /// A new conversation, for a visitor at `client` (their address: the limit's key).
    pub async fn start(
        &self,
        store: &Store,
        client: &str,
        org_slug: &str,
        i: &StartInput,
    ) -> Result<Started> {
        self.starts
            .hit(&format!("chat-start:{client}"))
            .map_err(|secs| Error::TooManyAttempts {
                retry_after_secs: secs,
            })?;
        let mut ch = Checks::default();
        let lang = i.lang.as_deref().map(str::trim).unwrap_or("fr");
        if lang != "fr" && lang != "en" {
            ch.refuse("lang", "invalid_lang", "fr or en");
        }
        let who = match crate::service::present(&i.identity) {
            Some(raw) => ch.check("identity", identity(raw)),
            None => None,
        };
        let name = crate::service::present(&i.name);
        if name.is_some_and(|n| n.chars().count() > 100 || n.chars().any(char::is_control)) {
            ch.refuse("name", "invalid_name", "up to 100 characters of text");
        }
        ch.finish()?;
        let mut tx = store.begin().await?;
        let org = store::org::org_by_slug(&mut tx, org_slug)
            .await?
            .ok_or(Error::NotFound("organisation"))?;
        let site_id = match crate::service::present(&i.site) {
            Some(code) => Some(
                store::org::site_by_code(&mut tx, org.id, code)
                    .await?
                    .ok_or_else(|| {
                        Error::invalid(
                            "site",
                            Invalid::new("unknown_site", format!("no site «{code}»")),
                        )
                    })?
                    .id,
            ),
            None => None,
        };
        let customer_id = match &who {
            Some(w) => store::customer::owners_of(&mut tx, org.id, &[w.key()])
                .await?
                .first()
                .map(|(_, id)| *id),
            None => None,
        };
        let raw = i.identity.as_deref().map(str::trim);
        let id = store::chat::insert(
            &mut tx,
            &NewConversation {
                org_id: org.id,
                customer_id,
                identity: who.as_ref().and(raw),
                name,
                lang,
                site_id,
                at: now_ms(),
            },
        )
        .await?;
        let c = store::chat::get(&mut tx, id)
            .await?
            .ok_or(Error::NotFound("conversation"))?;
        tx.commit().await?;
        Ok(Started {
            token: link::sign(secrets::link_key(), Purpose::Chat, id),
            view: self.view(store, &c).await?,
        })
    }

    /// A visitor's message: recorded, then answered by the bot while no advisor has it.
    pub async fn say(
        &self,
        store: &Store,
        bot: &Bot,
        id: i64,
        token: &str,
        text: &str,
    ) -> Result<Events> {
        let c = self.visitor(store, id, token).await?;
        let text = text_ok("text", text)?;
        if c.status == "closed" {
            return Err(closed());
        }
        self.flood
            .hit(&format!("chat:{id}"))
            .map_err(|secs| Error::TooManyAttempts {
                retry_after_secs: secs,
            })?;
        let now = now_ms();
        let answer = if c.status == "bot" {
            Some(
                bot.answer_in(
                    store,
                    c.org_id,
                    &Question {
                        question: text.clone(),
                        lang: Some(c.lang.clone()),
                        customer_id: c.customer_id,
                        unhelpful: Some(c.unhelpful as u32),
                        minutes: Some((now - c.started_at) as f64 / 60_000.0),
                    },
                )
                .await?,
            )
        } else {
            None
        };
        let mut tx = store.begin().await?;
        let mut events = vec![
            store::chat::append(
                &mut tx,
                id,
                &NewEvent {
                    author: "visitor",
                    user_id: None,
                    kind: "message",
                    body: &text,
                    article_id: None,
                    at: now,
                },
            )
            .await?,
        ];
        if let Some(a) = answer {
            match (&a.reason, a.article_id) {
                (Some(reason), _) => {
                    if store::chat::hand_off(&mut tx, id, reason, now).await? {
                        events.push(
                            store::chat::append(
                                &mut tx,
                                id,
                                &NewEvent {
                                    author: "bot",
                                    user_id: None,
                                    kind: "handoff",
                                    body: reason,
                                    article_id: None,
                                    at: now,
                                },
                            )
                            .await?,
                        );
                    }
                }
                (None, Some(article)) => {
                    let body = a.short_answer.clone().unwrap_or_default();
                    events.push(
                        store::chat::append(
                            &mut tx,
                            id,
                            &NewEvent {
                                author: "bot",
                                user_id: None,
                                kind: "answer",
                                body: &body,
                                article_id: Some(article),
                                at: now,
                            },
                        )
                        .await?,
                    );
                    store::chat::set_bot_state(&mut tx, id, c.unhelpful, Some(article), false)
                        .await?;
                }
                (None, None) => {}
            }
        }
        self.commit(store, tx, id, events).await.map(visitor_side)
    }

    /// "Cela répond-il à votre question ?": yes counts the answer as the bot's resolution; no
    /// counts against the bot, and the handoff rules read the count at once.
    pub async fn feedback(
        &self,
        store: &Store,
        bot: &Bot,
        id: i64,
        token: &str,
        helpful: bool,
    ) -> Result<Events> {
        let c = self.visitor(store, id, token).await?;
        let Some(article) = c.last_article_id.filter(|_| c.status == "bot") else {
            return Err(Error::Conflict {
                code: "nothing_to_rate",
                message: "no answer of the bot awaits a verdict".into(),
            });
        };
        let now = now_ms();
        let unhelpful = if helpful { 0 } else { c.unhelpful + 1 };
        // The rules read the count with the question the answer was for.
        let handoff = if helpful {
            None
        } else {
            let mut r = store.reader().await?;
            let last = store::chat::events_after(&mut r, id, 0)
                .await?
                .into_iter()
                .rev()
                .find(|e| e.author == "visitor" && e.kind == "message")
                .map(|e| e.body)
                .unwrap_or_default();
            drop(r);
            let a = bot
                .answer_in(
                    store,
                    c.org_id,
                    &Question {
                        question: if last.is_empty() { "?".into() } else { last },
                        lang: Some(c.lang.clone()),
                        customer_id: c.customer_id,
                        unhelpful: Some(unhelpful as u32),
                        minutes: Some((now - c.started_at) as f64 / 60_000.0),
                    },
                )
                .await?;
            a.reason.filter(|r| r == "unhelpful")
        };
        let mut tx = store.begin().await?;
        let verdict = if helpful { "yes" } else { "no" };
        let mut events = vec![
            store::chat::append(
                &mut tx,
                id,
                &NewEvent {
                    author: "visitor",
                    user_id: None,
                    kind: "feedback",
                    body: verdict,
                    article_id: Some(article),
                    at: now,
                },
            )
            .await?,
        ];
        store::chat::set_bot_state(&mut tx, id, unhelpful, None, helpful).await?;
        if let Some(reason) = handoff
            && store::chat::hand_off(&mut tx, id, &reason, now).await?
        {
            events.push(
                store::chat::append(
                    &mut tx,
                    id,
                    &NewEvent {
                        author: "bot",
                        user_id: None,
                        kind: "handoff",
                        body: &reason,
                        article_id: None,
                        at: now,
                    },
                )
                .await?,
            );
        }
        self.commit(store, tx, id, events).await.map(visitor_side)
    }

    /// The "Parler à un conseiller" button.
    pub async fn ask_for_advisor(&self, store: &Store, id: i64, token: &str) -> Result<Events> {
        let c = self.visitor(store, id, token).await?;
        if c.status == "closed" {
            return Err(closed());
        }
        let now = now_ms();
        let mut tx = store.begin().await?;
        let mut events = Vec::new();
        if store::chat::hand_off(&mut tx, id, "request", now).await? {
            events.push(
                store::chat::append(
                    &mut tx,
                    id,
                    &NewEvent {
                        author: "bot",
                        user_id: None,
                        kind: "handoff",
                        body: "request",
                        article_id: None,
                        at: now,
                    },
                )
                .await?,
            );
        }
        self.commit(store, tx, id, events).await.map(visitor_side)
    }

    /// What follows event `after`; with `wait`, holds the answer until something comes (at most
    /// 25 s), for clients without a socket.
    pub async fn events(
        &self,
        store: &Store,
        id: i64,
        token: &str,
        after: i64,
        wait: Option<u64>,
    ) -> Result<Events> {
        let moved = self.signals.subscribe(id);
        let c = self.visitor(store, id, token).await?;
        self.follow(store, moved, c, after, wait)
            .await
            .map(visitor_side)
    }

    /// The same, for the advisors' console.
    pub async fn events_for_staff(
        &self,
        store: &Store,
        actor: &Actor,
        id: i64,
        after: i64,
        wait: Option<u64>,
    ) -> Result<Events> {
        let moved = self.signals.subscribe(id);
        let c = self.staff(store, actor, id).await?;
        self.seen(store, actor).await?;
        self.follow(store, moved, c, after, wait).await
    }

    async fn follow(
        &self,
        store: &Store,
        mut moved: Subscription,
        mut c: Conversation,
        after: i64,
        wait: Option<u64>,
    ) -> Result<Events> {
        let id = c.id;
        let deadline =
            tokio::time::Instant::now() + Duration::from_secs(wait.unwrap_or(0)).min(WAIT_MAX);
        loop {
            if c.seq > after || tokio::time::Instant::now() >= deadline {
                let mut r = store.reader().await?;
                let events = store::chat::events_after(&mut r, id, after).await?;
                drop(r);
                return Ok(Events {
                    events,
                    view: self.view(store, &c).await?,
                });
            }
            // Woken by this process's writes; another node's are seen within 2 s.
            let step = (deadline - tokio::time::Instant::now()).min(Duration::from_secs(2));
            let _ =
                tokio::time::timeout(step, async { while moved.recv().await != Signal::Moved {} })
                    .await;
            let mut r = store.reader().await?;
            c = store::chat::get(&mut r, id)
                .await?
                .ok_or(Error::NotFound("conversation"))?;
        }
    }

    pub async fn close_as_visitor(&self, store: &Store, id: i64, token: &str) -> Result<Events> {
        self.visitor(store, id, token).await?;
        self.close(store, id, None).await.map(visitor_side)
    }

    async fn close(&self, store: &Store, id: i64, by: Option<&Actor>) -> Result<Events> {
        let author = if by.is_some() { "advisor" } else { "visitor" };
        let (events, c) = close(store, id, author, by.map(|a| a.user_id), now_ms()).await?;
        self.moved(id);
        Ok(Events {
            events,
            view: self.view(store, &c).await?,
        })
    }

    /// The transcript as a chat interaction on the customer's case, when the visitor is known
    /// (by the identity given at the start); `external_id` makes a second try write nothing.
    async fn record(store: &Store, c: &Conversation) -> Result<()> {
        let Some(raw) = c.identity.as_deref() else {
            return Ok(());
        };
        let mut r = store.reader().await?;
        let events = store::chat::events_after(&mut r, c.id, 0).await?;
        drop(r);
        let mut customer = CustomerRef {
            name: c.name.clone(),
            ..Default::default()
        };
        match identity(raw) {
            // The ingest reads the identity again, as typed.
            Ok(Identity::Email(_)) => customer.email = Some(raw.into()),
            Ok(Identity::Phone(_)) => customer.phone = Some(raw.into()),
            Ok(Identity::Number(_)) => customer.customer_number = Some(raw.into()),
            _ => return Ok(()),
        }
        let said = transcript(&events);
        let first = events
            .iter()
            .find(|e| e.author == "visitor" && e.kind == "message")
            .map(|e| e.body.chars().take(80).collect::<String>())
            .unwrap_or_else(|| "Chat".into());
        // Answered by an advisor, or by the bot with no handoff: the case is solved at the close
        // (a "no" to the closing survey reopens it); a visitor nobody answered leaves it open.
        let solved = c.answered_at.is_some()
            || (c.handoff_at.is_none() && events.iter().any(|e| e.kind == "answer"));
        let input = InteractionInput {
            channel: "chat".into(),
            direction: "inbound".into(),
            occurred_at: Some(iso(c.started_at)),
            customer,
            subject: Some(first),
            body: if said.is_empty() {
                "(chat)".to_string()
            } else {
                said.join("\n")
            },
            // A namespace of Pacte's own, apart from integrators' ids.
            external_id: Some(chat_key(c.id)),
            queued_at: c.handoff_at.map(iso),
            answered_at: c.answered_at.map(iso),
            status: solved.then(|| "solved".into()),
            ..Default::default()
        };
        let valid = input.validate(now_ms())?;
        let done = crate::service::ingest::record(store, c.org_id, &valid, None).await?;
        let mut tx = store.begin().await?;
        store::chat::set_case(&mut tx, c.id, done.case_id, done.customer_id).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Conversations waiting for an advisor, then those under way.
    pub async fn queue(&self, store: &Store, actor: &Actor) -> Result<Vec<Conversation>> {
        actor.require(actor.role.can_use_knowledge())?;
        self.seen(store, actor).await?;
        let mut r = store.reader().await?;
        Ok(store::chat::queue(&mut r, actor.org_id).await?)
    }

    async fn staff(&self, store: &Store, actor: &Actor, id: i64) -> Result<Conversation> {
        actor.require(actor.role.can_use_knowledge())?;
        let mut r = store.reader().await?;
        store::chat::get(&mut r, id)
            .await?
            .filter(|c| c.org_id == actor.org_id)
            .ok_or(Error::NotFound("conversation"))
    }

    /// The whole conversation, for the advisor who takes it.
    pub async fn transcript(
        &self,
        store: &Store,
        actor: &Actor,
        id: i64,
    ) -> Result<(Conversation, Vec<Event>)> {
        let c = self.staff(store, actor, id).await?;
        let mut r = store.reader().await?;
        let events = store::chat::events_after(&mut r, id, 0).await?;
        Ok((c, events))
    }

    pub async fn accept(&self, store: &Store, actor: &Actor, id: i64) -> Result<Events> {
        self.staff(store, actor, id).await?;
        let now = now_ms();
        let mut tx = store.begin().await?;
        if !store::chat::accept(&mut tx, actor.org_id, id, actor.user_id).await? {
            return Err(Error::Conflict {
                code: "not_waiting",
                message: "this conversation is not waiting (another advisor may have taken it)"
                    .into(),
            });
        }
        let events = vec![
            store::chat::append(
                &mut tx,
                id,
                &NewEvent {
                    author: "advisor",
                    user_id: Some(actor.user_id),
                    kind: "accepted",
                    body: &actor.name,
                    article_id: None,
                    at: now,
                },
            )
            .await?,
        ];
        self.commit(store, tx, id, events).await
    }

    pub async fn reply(&self, store: &Store, actor: &Actor, id: i64, text: &str) -> Result<Events> {
        let c = self.staff(store, actor, id).await?;
        let text = text_ok("text", text)?;
        if c.status != "open" || c.assigned_to != Some(actor.user_id) {
            return Err(Error::Conflict {
                code: "not_yours",
                message: "accept the conversation before replying".into(),
            });
        }
        let now = now_ms();
        let mut tx = store.begin().await?;
        let events = vec![
            store::chat::append(
                &mut tx,
                id,
                &NewEvent {
                    author: "advisor",
                    user_id: Some(actor.user_id),
                    kind: "message",
                    body: &text,
                    article_id: None,
                    at: now,
                },
            )
            .await?,
        ];
        store::chat::answered(&mut tx, id, now).await?;
        self.commit(store, tx, id, events).await
    }

    pub async fn close_as_staff(&self, store: &Store, actor: &Actor, id: i64) -> Result<Events> {
        self.staff(store, actor, id).await?;
        self.close(store, id, Some(actor)).await
    }
}

/// What was said in a conversation, a line each ("[visitor] message: …"), for a case's body.
fn transcript(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .filter(|e| matches!(e.kind.as_str(), "message" | "answer" | "handoff"))
        .map(|e| format!("[{}] {}: {}", e.author, e.kind, e.body))
        .collect()
}

/// Pacte's own key for what comes of a conversation (its interaction, its survey answer).
fn chat_key(id: i64) -> String {
    format!("pacte:chat:{id}")
}

/// Who can answer a conversation now: outside its site's opening hours, closed; else whether an
/// advisor is at their console and free.
async fn availability(store: &Store, c: &Conversation) -> Result<&'static str> {
    let now = now_ms();
    let mut r = store.reader().await?;
    if let Some(site_id) = c.site_id
        && let Some(s) = store::org::site_by_id(&mut r, c.org_id, site_id).await?
    {
        let cal = crate::service::charter::model::calendar_of(
            &s.time_zone,
            &s.opening_hours,
            &s.closures,
        );
        if !cal.is_open(now) {
            return Ok("closed");
        }
    }
    Ok(match store::chat::present(&mut r, c.org_id, now).await? {
        (a, _) if a > 0 => "available",
        (_, b) if b > 0 => "busy",
        _ => "away",
    })
}

/// The survey a closed conversation asks: the organisation's first active post-case survey
/// covering chat, unless this conversation answered it already, or nobody answered it (a
/// visitor left waiting, or who left a message, has nothing to rate yet).
async fn closing_survey(
    store: &Store,
    c: &Conversation,
) -> Result<Option<(store::survey::Survey, SurveyKind)>> {
    if c.answered_at.is_none() && c.handoff_at.is_some() {
        return Ok(None);
    }
    let mut r = store.reader().await?;
    let found = store::survey::active_with_trigger(&mut r, c.org_id, "case_solved")
        .await?
        .into_iter()
        .filter(|s| s.channels.is_empty() || s.channels.split(',').any(|ch| ch == "chat"))
        .find_map(|s| {
            SurveyKind::parse(&s.kind)
                .ok()
                .filter(|k| *k != SurveyKind::Custom)
                .map(|k| (s, k))
        });
    match found {
        Some((s, k)) if !store::survey::answered(&mut r, s.id, &chat_key(c.id)).await? => {
            Ok(Some((s, k)))
        }
        _ => Ok(None),
    }
}

fn closed() -> Error {
    Error::Conflict {
        code: "conversation_closed",
        message: "this conversation is closed".into(),
    }
}

/// Closes a conversation (once: the event and the record are written by the first close) and
/// records its transcript on the customer's case — also when an earlier close could not (the
/// external id keeps a second record from writing anything).
async fn close(
    store: &Store,
    id: i64,
    author: &str,
    user_id: Option<i64>,
    now: i64,
) -> Result<(Vec<Event>, Conversation)> {
    let mut tx = store.begin().await?;
    let e = NewEvent {
        author,
        user_id,
        kind: "closed",
        body: "",
        article_id: None,
        at: now,
    };
    let events: Vec<Event> = store::chat::close(&mut tx, id, &e)
        .await?
        .into_iter()
        .collect();
    let c = store::chat::get(&mut tx, id)
        .await?
        .ok_or(Error::NotFound("conversation"))?;
    tx.commit().await?;
    if c.case_id.is_none() {
        Chat::record(store, &c).await?;
    }
    Ok((events, c))
}

/// A conversation with the bot nobody wrote in for this long is closed by Pacte…
pub const IDLE_CLOSE_MS: i64 = 30 * 60_000;
/// …and one waiting for or with an advisor after this long (a visitor may wait in the queue).
pub const IDLE_HUMAN_CLOSE_MS: i64 = 4 * 3_600_000;

/// Closes the conversations left idle (the standing job `chat.idle`, every minute), so an
/// abandoned chat still reaches the customer's case and the commitment measures, and records
/// the transcripts an earlier close could not. One that fails is logged and tried again at the
/// next run; the others go on. Returns how many it handled.
pub async fn close_idle(store: &Store, now: i64) -> Result<usize> {
    let mut r = store.reader().await?;
    let idle =
        store::chat::idle(&mut r, now - IDLE_CLOSE_MS, now - IDLE_HUMAN_CLOSE_MS, 200).await?;
    drop(r);
    let mut done = 0;
    for id in &idle {
        match close(store, *id, "system", None, now).await {
            Ok(_) => done += 1,
            Err(e) => tracing::warn!(conversation = id, error = %e, "chat not closed or recorded"),
        }
    }
    Ok(done)
}
