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
}

pub async fn console(State(st): State<AppState>, u: WebUser) -> Result<ConsolePage, WebError> {
    let l = u.lang;
    let list = st.chat.queue(&st.store, &u.actor).await.web(l)?;
    Ok(ConsolePage {
        s: Shell::of(&u),
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
