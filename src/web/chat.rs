//! The advisors' chat console: conversations waiting (oldest handoff first, with the wait and
//! the reason) and under way; a conversation's whole transcript with the customer's record,
//! accept, reply, close. `static/console.js` shows the visitor's new messages as they come.

use super::error::OrPage;
use super::kb::reason_label;
use super::view::Shell;
use super::{WebError, WebPath, WebUser};
use crate::app::AppState;
use crate::i18n::Lang;
use crate::service::chat::Events;
use crate::service::now_ms;
use crate::store::chat::{Conversation, Event};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::Redirect;
use axum::{Form, Json};
use serde::Deserialize;

/// A conversation as a line of the console.
pub struct Row {
    id: i64,
    status: String,
    reason: String,
    who: String,
    waiting: String,
}

fn who(l: Lang, c: &Conversation) -> String {
    c.name
        .clone()
        .or_else(|| c.identity.clone())
        .unwrap_or_else(|| l.t("chat.anonymous").to_string())
}

/// "3 min" since a time, for a wait.
fn since(l: Lang, at: Option<i64>) -> String {
    at.map(|t| {
        let secs = ((now_ms() - t) / 1000).max(0);
        if secs < 60 {
            format!("{secs}\u{a0}s")
        } else {
            format!("{}\u{a0}min", l.int(secs / 60))
        }
    })
    .unwrap_or_default()
}

#[derive(Template, WebTemplate)]
#[template(path = "chat.html")]
pub struct ConsolePage {
    s: Shell,
    rows: Vec<Row>,
    /// The advisor's presence (available | busy | away).
    presence: String,
}

pub async fn console(State(st): State<AppState>, u: WebUser) -> Result<ConsolePage, WebError> {
    let l = u.lang;
    let list = st.chat.queue(&st.store, &u.actor).await.web(l)?;
    let presence = st.chat.presence(&st.store, &u.actor).await.web(l)?;
    Ok(ConsolePage {
        s: Shell::of(&u),
        presence,
        rows: list
            .iter()
            .map(|c| Row {
                id: c.id,
                status: l.t(&format!("chat.status.{}", c.status)).to_string(),
                reason: c
                    .reason
                    .as_deref()
                    .map(|r| reason_label(l, r))
                    .unwrap_or_default(),
                who: who(l, c),
                waiting: if c.status == "waiting" {
                    since(l, c.handoff_at)
                } else {
                    String::new()
                },
            })
            .collect(),
    })
}

/// An event as the transcript shows it.
pub struct Line {
    author: String,
    text: String,
    at: String,
}

fn line(l: Lang, e: &Event) -> Line {
    let author = l.t(&format!("chat.author.{}", e.author)).to_string();
    let text = match e.kind.as_str() {
        "handoff" => format!("{} {}", l.t("chat.handed_over"), reason_label(l, &e.body)),
        "feedback" if e.body == "yes" => l.t("chat.helped").to_string(),
        "feedback" => l.t("chat.not_helped").to_string(),
        "accepted" => format!("{} {}", e.body, l.t("chat.accepted")),
        "closed" => l.t("chat.closed").to_string(),
        _ => e.body.clone(),
    };
    Line {
        author,
        text,
        at: l.datetime(e.at),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "chat_conversation.html")]
pub struct ConversationPage {
    s: Shell,
    c: Conversation,
    who: String,
    status: String,
    reason: String,
    lines: Vec<Line>,
    mine: bool,
}

pub async fn conversation(
    State(st): State<AppState>,
    u: WebUser,
    WebPath(id): WebPath<i64>,
) -> Result<ConversationPage, WebError> {
    let l = u.lang;
    let (c, events) = st.chat.transcript(&st.store, &u.actor, id).await.web(l)?;
    Ok(ConversationPage {
        s: Shell::of(&u),
        who: who(l, &c),
        status: l.t(&format!("chat.status.{}", c.status)).to_string(),
        reason: c
            .reason
            .as_deref()
            .map(|r| reason_label(l, r))
            .unwrap_or_default(),
        lines: events.iter().map(|e| line(l, e)).collect(),
        mine: c.status == "open" && c.assigned_to == Some(u.actor.user_id),
        c,
    })
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

pub async fn accept(
    State(st): State<AppState>,
    u: WebUser,
    WebPath(id): WebPath<i64>,
    Form(f): Form<CsrfForm>,
) -> Result<Redirect, WebError> {
    u.check_csrf(&f.csrf)?;
    st.chat.accept(&st.store, &u.actor, id).await.web(u.lang)?;
    Ok(Redirect::to(&format!("/chat/{id}")))
}

#[derive(Deserialize)]
pub struct PresenceForm {
    csrf: String,
    status: String,
}

pub async fn set_presence(
    State(st): State<AppState>,
    u: WebUser,
    Form(f): Form<PresenceForm>,
) -> Result<Redirect, WebError> {
    u.check_csrf(&f.csrf)?;
    st.chat
        .set_presence(&st.store, &u.actor, &f.status)
        .await
        .web(u.lang)?;
    Ok(Redirect::to("/chat"))
}

#[derive(Deserialize)]
pub struct ReplyForm {
    csrf: String,
    text: String,
}

pub async fn reply(
    State(st): State<AppState>,
    u: WebUser,
    WebPath(id): WebPath<i64>,
    Form(f): Form<ReplyForm>,
) -> Result<Redirect, WebError> {
    u.check_csrf(&f.csrf)?;
    st.chat
        .reply(&st.store, &u.actor, id, &f.text)
        .await
        .web(u.lang)?;
    Ok(Redirect::to(&format!("/chat/{id}")))
}

pub async fn end(
    State(st): State<AppState>,
    u: WebUser,
    WebPath(id): WebPath<i64>,
    Form(f): Form<CsrfForm>,
) -> Result<Redirect, WebError> {
    u.check_csrf(&f.csrf)?;
    st.chat
        .close_as_staff(&st.store, &u.actor, id)
        .await
        .web(u.lang)?;
    Ok(Redirect::to("/chat"))
}

#[derive(Deserialize)]
pub struct After {
    after: i64,
}

/// The conversation as a WebSocket for the console (the same frames as the visitor's socket).
/// A browser sends the session cookie with a socket from any site, so the page must be ours.
pub async fn socket(
    State(st): State<AppState>,
    u: WebUser,
    ws: axum::extract::WebSocketUpgrade,
    headers: axum::http::HeaderMap,
    WebPath(id): WebPath<i64>,
    Query(q): Query<After>,
) -> Result<axum::response::Response, WebError> {
    let host = headers.get("host").and_then(|v| v.to_str().ok());
    let origin = headers
        .get("origin")
        .and_then(|v| v.to_str().ok())
        .and_then(|o| o.split_once("://").map(|(_, h)| h));
    if origin.is_none() || origin != host {
        return Err(crate::service::Error::Forbidden).web(u.lang);
    }
    let f = st
        .chat
        .follow_as_staff(&st.store, &u.actor, id, q.after)
        .await
        .web(u.lang)?;
    Ok(ws.on_upgrade(move |sock| crate::api::chat::pump(st, sock, f)))
}

/// What follows event `after` (a long poll of up to 25 s), for `static/console.js`.
pub async fn events(
    State(st): State<AppState>,
    u: WebUser,
    WebPath(id): WebPath<i64>,
    Query(q): Query<After>,
) -> Result<Json<Events>, WebError> {
    Ok(Json(
        st.chat
            .events_for_staff(&st.store, &u.actor, id, q.after, Some(25))
            .await
            .web(u.lang)?,
    ))
}

/// A figure of the chat report: what it counts, its value, and the share it is of its whole.
pub struct Figure {
    id: &'static str,
    label: String,
    value: String,
    share: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "chat_report.html")]
pub struct ReportPage {
    s: Shell,
    from: String,
    to: String,
    period: String,
    figures: Vec<Figure>,
    reasons: Vec<(String, String, String)>,
    advisors: Vec<(String, String, String)>,
    rule: &'static str,
}

#[derive(Deserialize)]
pub struct Period {
    from: Option<String>,
    to: Option<String>,
}

/// "45 s", "2 min 5 s": a wait read at a glance.
fn secs(l: Lang, s: Option<i64>) -> String {
    match s {
        None => "—".into(),
        Some(s) if s < 60 => format!("{s}\u{a0}s"),
        Some(s) if s % 60 == 0 => format!("{}\u{a0}min", l.int(s / 60)),
        Some(s) => format!("{}\u{a0}min {}\u{a0}s", l.int(s / 60), s % 60),
    }
}

pub async fn report(
    State(st): State<AppState>,
    u: WebUser,
    Query(p): Query<Period>,
) -> Result<ReportPage, WebError> {
    let l = u.lang;
    let q = crate::service::survey::figures::Query {
        from: p.from.filter(|s| !s.trim().is_empty()),
        to: p.to.filter(|s| !s.trim().is_empty()),
        by: None,
    };
    let r = crate::service::chat::report::report(&st.store, &u.actor, &q)
        .await
        .web(l)?;
    let share = |n: i64, of: i64| {
        if of > 0 {
            l.percent(100.0 * n as f64 / of as f64, 1)
        } else {
            String::new()
        }
    };
    let fig = |id, key: &str, n: i64, of: i64| Figure {
        id,
        label: l.t(key).to_string(),
        value: l.int(n),
        share: share(n, of),
    };
    let time = |id, key: &str, v: String| Figure {
        id,
        label: l.t(key).to_string(),
        value: v,
        share: String::new(),
    };
    let figures = vec![
        fig(
            "conversations",
            "chat.report.conversations",
            r.conversations,
            0,
        ),
        fig(
            "contained",
            "chat.report.contained",
            r.contained,
            r.conversations,
        ),
        fig(
            "confirmed",
            "chat.report.confirmed",
            r.confirmed,
            r.contained,
        ),
        fig("verified", "chat.report.verified", r.verified, r.contained),
        fig("pending", "chat.report.pending", r.pending, r.contained),
        fig(
            "unverifiable",
            "chat.report.unverifiable",
            r.unverifiable,
            r.contained,
        ),
        fig(
            "handoffs",
            "chat.report.handoffs",
            r.handoffs,
            r.conversations,
        ),
        fig("answered", "chat.report.answered", r.answered, r.handoffs),
        fig(
            "abandoned",
            "chat.report.abandoned",
            r.abandoned,
            r.handoffs,
        ),
        time("wait-p50", "chat.report.wait_p50", secs(l, r.wait_p50_secs)),
        time("wait-p90", "chat.report.wait_p90", secs(l, r.wait_p90_secs)),
        time(
            "within-60s",
            "chat.report.within_60s",
            r.within_60s
                .map(|v| l.percent(100.0 * v, 1))
                .unwrap_or_else(|| "—".into()),
        ),
    ];
    Ok(ReportPage {
        s: Shell::of(&u),
        period: format!("{} → {}", l.month(&r.from), l.month(&r.to)),
        reasons: r
            .reasons
            .iter()
            .map(|x| {
                (
                    reason_label(l, &x.reason),
                    l.int(x.count),
                    share(x.count, r.handoffs),
                )
            })
            .collect(),
        advisors: r
            .advisors
            .iter()
            .map(|a| (a.name.clone(), l.int(a.taken), secs(l, a.wait_p50_secs)))
            .collect(),
        from: r.from,
        to: r.to,
        figures,
        rule: l.t("chat.report.rule"),
    })
}
