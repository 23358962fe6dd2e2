//! The live pages' stream (Server-Sent Events) and "I am replying" from the case page. The pages
//! work without it; `static/live.js` enhances them.

use super::{WebError, WebPath, WebQuery, WebUser};
use crate::app::AppState;
use crate::service::live::{Event, Hub, Subscription};
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{self, KeepAlive, Sse};
use futures_util::Stream;
use serde::Deserialize;
use std::convert::Infallible;
use std::sync::Arc;
use tokio::sync::broadcast::error::RecvError;

/// `XID.ID`, as the stream's ids.
fn position(s: &str) -> Option<(i64, i64)> {
    let (x, i) = s.trim().split_once('.')?;
    Some((x.parse().ok()?, i.parse().ok()?))
}

fn sse_event(e: &Event) -> sse::Event {
    let mut out = sse::Event::default().event(e.kind).data(e.data.to_string());
    if let Some(id) = e.id() {
        out = out.id(id);
    }
    out
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventsQuery {
    /// Where the page was when it was made (`Hub::position`).
    after: Option<String>,
}

/// `GET /events[?after=XID.ID]`: the organisation's changes after `Last-Event-ID` (sent by a
/// browser's EventSource when it reconnects), else after the page's own position, else from now.
pub async fn events(
    State(st): State<AppState>,
    u: WebUser,
    headers: HeaderMap,
    WebQuery(q): WebQuery<EventsQuery>,
) -> Sse<impl Stream<Item = Result<sse::Event, Infallible>>> {
    let after = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(position)
        .or_else(|| q.after.as_deref().and_then(position));
    let sub = st.live.subscribe(&u.actor, after);
    Sse::new(stream(&st.live, sub, u.actor.org_id, u.actor.user_id))
        .keep_alive(KeepAlive::default())
}

struct State_ {
    first: std::vec::IntoIter<sse::Event>,
    sub: Subscription,
    closing: tokio::sync::watch::Receiver<bool>,
    org_id: i64,
    me: i64,
}

fn stream(
    hub: &Hub,
    sub: Subscription,
    org_id: i64,
    me: i64,
) -> impl Stream<Item = Result<sse::Event, Infallible>> + use<> {
    let mut first = vec![sse::Event::default().retry(std::time::Duration::from_secs(2))];
    if sub.reload {
        first.push(sse::Event::default().event("reload").data("{}"));
    }
    first.extend(sub.missed.iter().map(|e| sse_event(e)));
    let state = State_ {
        first: first.into_iter(),
        sub,
        closing: hub.closing(),
        org_id,
        me,
    };
    futures_util::stream::unfold(state, |mut s| async move {
        if let Some(e) = s.first.next() {
            return Some((Ok(e), s));
        }
        loop {
            let e: Arc<Event> = tokio::select! {
                r = s.sub.live.recv() => match r {
                    Ok(e) => e,
                    // Too slow to keep up: the page reloads rather than miss something.
                    Err(RecvError::Lagged(_)) => {
                        return Some((Ok(sse::Event::default().event("reload").data("{}")), s));
                    }
                    Err(RecvError::Closed) => return None,
                },
                _ = s.closing.changed() => return None,
            };
            let theirs = e.org_id == s.org_id;
            let again = matches!((e.position, s.sub.seen), (Some(p), Some(seen)) if p <= seen);
            let own_typing = e.kind == "typing" && e.data["user_id"] == s.me;
            if theirs && !again && !own_typing {
                return Some((Ok(sse_event(&e)), s));
            }
        }
    })
}

#[derive(Deserialize)]
pub struct TypingForm {
    csrf: String,
}

/// `POST /cases/{number}/typing`: the case page says its user is writing a reply (at most every
/// few seconds); the other pages on the case show "X is replying".
pub async fn typing(
    State(st): State<AppState>,
    u: WebUser,
    WebPath(number): WebPath<i64>,
    Form(f): Form<TypingForm>,
) -> Result<StatusCode, WebError> {
    u.check_csrf(&f.csrf)?;
    st.live.typing(&u.actor, number);
    Ok(StatusCode::NO_CONTENT)
}
