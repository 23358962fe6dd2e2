//! The chat: the visitor's side (no account: the conversation's token in `X-Chat-Token`) and
//! the advisors' (a bearer token).

use super::error::{ApiError, Envelope};
use super::extract::{ApiActor, ApiJson, ApiPath, ApiQuery};
use crate::app::AppState;
use crate::service::chat::report::Report;
use crate::service::chat::{Events, Follower, Left, LeftMessage, Push, StartInput, Started};
use crate::service::survey::answer::{AnswerInput, Recorded};
use crate::store::chat::{Conversation, Event};
use crate::web::client::ClientAddr;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};

/// The widget runs on the organisation's own site: a visitor's calls come from any origin,
/// carry no cookie, and are authorised by their conversation's token alone.
pub fn cors() -> tower_http::cors::CorsLayer {
    use axum::http::{Method, header};
    tower_http::cors::CorsLayer::new()
        .allow_origin(tower_http::cors::Any)
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([
            header::CONTENT_TYPE,
            header::HeaderName::from_static("x-chat-token"),
        ])
        .max_age(std::time::Duration::from_secs(3600))
}

fn token(h: &HeaderMap) -> &str {
    h.get("x-chat-token")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// Starts a conversation with the organisation's bot (public).
#[utoipa::path(post, path = "/api/v1/chat/{slug}/conversations", request_body = StartInput,
    responses((status = 201, body = Started), (status = 404, body = Envelope), (status = 422, body = Envelope), (status = 429, body = Envelope)))]
pub async fn start(
    State(s): State<AppState>,
    ClientAddr(client): ClientAddr,
    ApiPath(slug): ApiPath<String>,
    ApiJson(i): ApiJson<StartInput>,
) -> Result<(StatusCode, Json<Started>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(s.chat.start(&s.store, &client, &slug, &i).await?),
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TextInput {
    pub text: String,
}

/// The visitor's message, and the bot's answer or handoff while no advisor has it.
#[utoipa::path(post, path = "/api/v1/chat/conversations/{id}/messages", request_body = TextInput,
    params(("X-Chat-Token" = String, Header)),
    responses((status = 200, body = Events), (status = 401, body = Envelope), (status = 409, body = Envelope), (status = 422, body = Envelope), (status = 429, body = Envelope)))]
pub async fn say(
    State(s): State<AppState>,
    h: HeaderMap,
    ApiPath(id): ApiPath<i64>,
    ApiJson(i): ApiJson<TextInput>,
) -> Result<Json<Events>, ApiError> {
    Ok(Json(
        s.chat.say(&s.store, &s.bot, id, token(&h), &i.text).await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeedbackInput {
    /// Did the bot's last answer answer the question?
    pub helpful: bool,
}

#[utoipa::path(post, path = "/api/v1/chat/conversations/{id}/feedback", request_body = FeedbackInput,
    params(("X-Chat-Token" = String, Header)),
    responses((status = 200, body = Events), (status = 401, body = Envelope), (status = 409, body = Envelope)))]
pub async fn feedback(
    State(s): State<AppState>,
    h: HeaderMap,
    ApiPath(id): ApiPath<i64>,
    ApiJson(i): ApiJson<FeedbackInput>,
) -> Result<Json<Events>, ApiError> {
    Ok(Json(
        s.chat
            .feedback(&s.store, &s.bot, id, token(&h), i.helpful)
            .await?,
    ))
}

/// "Parler à un conseiller".
#[utoipa::path(post, path = "/api/v1/chat/conversations/{id}/handoff",
    params(("X-Chat-Token" = String, Header)),
    responses((status = 200, body = Events), (status = 401, body = Envelope), (status = 409, body = Envelope)))]
pub async fn handoff(
    State(s): State<AppState>,
    h: HeaderMap,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Events>, ApiError> {
    Ok(Json(s.chat.ask_for_advisor(&s.store, id, token(&h)).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventsQuery {
    /// The number of the last event the client has.
    pub after: Option<i64>,
    /// Seconds to wait for something new (at most 25): a long poll.
    pub wait: Option<u64>,
}

/// What follows the last event the client saw: a client that reconnects misses nothing.
#[utoipa::path(get, path = "/api/v1/chat/conversations/{id}/events", params(EventsQuery, ("X-Chat-Token" = String, Header)),
    responses((status = 200, body = Events), (status = 401, body = Envelope)))]
pub async fn events(
    State(s): State<AppState>,
    h: HeaderMap,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<EventsQuery>,
) -> Result<Json<Events>, ApiError> {
    Ok(Json(
        s.chat
            .events(&s.store, id, token(&h), q.after.unwrap_or(0), q.wait)
            .await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/chat/conversations/{id}/close",
    params(("X-Chat-Token" = String, Header)),
    responses((status = 200, body = Events), (status = 401, body = Envelope)))]
pub async fn close(
    State(s): State<AppState>,
    h: HeaderMap,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Events>, ApiError> {
    Ok(Json(
        s.chat.close_as_visitor(&s.store, id, token(&h)).await?,
    ))
}

/// The visitor's answer to the survey the widget asks once the conversation ended (its
/// question is in the closed conversation's `survey`); "not solved" reopens the case.
#[utoipa::path(post, path = "/api/v1/chat/conversations/{id}/survey", request_body = AnswerInput,
    params(("X-Chat-Token" = String, Header)),
    responses((status = 200, body = Recorded), (status = 401, body = Envelope), (status = 409, body = Envelope), (status = 422, body = Envelope)))]
pub async fn survey(
    State(s): State<AppState>,
    h: HeaderMap,
    ApiPath(id): ApiPath<i64>,
    ApiJson(a): ApiJson<AnswerInput>,
) -> Result<Json<Recorded>, ApiError> {
    let base = s.config.public_base();
    Ok(Json(
        s.chat
            .answer_survey(&s.store, id, token(&h), &a, &base)
            .await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SocketQuery {
    /// The number of the last event the client has: the socket sends everything after it.
    pub after: Option<i64>,
}

/// The subprotocol a chat socket speaks; the visitor's token rides as a second one, since a
/// browser cannot set headers on a WebSocket.
pub const PROTOCOL: &str = "pacte-chat";

fn protocol_token(h: &HeaderMap) -> &str {
    h.get_all(axum::http::header::SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .find(|p| *p != PROTOCOL && !p.is_empty())
        .unwrap_or("")
}

/// The live conversation as a WebSocket (subprotocols `pacte-chat` and the visitor's token):
/// it sends every event after `after`, then each new one as it is written, as the events
/// call's JSON; `{"typing":"advisor"}` when the advisor types. The visitor sends
/// `{"typing":true}` while typing; messages go by `POST …/messages`, which answers whether they
/// were accepted. A client that reconnects with the last number it saw misses nothing.
#[utoipa::path(get, path = "/api/v1/chat/conversations/{id}/socket", params(SocketQuery),
    responses((status = 101, description = "switching to the WebSocket protocol"), (status = 401, body = Envelope), (status = 426, body = Envelope)))]
pub async fn socket(
    State(s): State<AppState>,
    ws: Result<
        axum::extract::WebSocketUpgrade,
        axum::extract::ws::rejection::WebSocketUpgradeRejection,
    >,
    h: HeaderMap,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<SocketQuery>,
) -> Result<axum::response::Response, ApiError> {
    let f = s
        .chat
        .follow_as_visitor(&s.store, id, protocol_token(&h), q.after.unwrap_or(0))
        .await?;
    let ws = ws.map_err(|e| {
        ApiError::new(
            StatusCode::UPGRADE_REQUIRED,
            "upgrade_required",
            format!("a WebSocket handshake is expected here ({e}); without one, use GET …/events?wait=25"),
        )
    })?;
    Ok(ws
        .protocols([PROTOCOL])
        .on_upgrade(move |sock| pump(s, sock, f)))
}

/// Runs one chat socket until either side closes it or the server stops.
pub async fn pump(s: AppState, mut sock: axum::extract::ws::WebSocket, mut f: Follower) {
    use axum::extract::ws::Message;
    let mut closing = s.live.closing();
    let side = f.side();
    loop {
        tokio::select! {
            push = s.chat.next(&s.store, &mut f) => {
                let (text, done) = match push {
                    Ok(p) => {
                        let done = matches!(&p, Push::Events(e) if e.view.status == "closed");
                        (serde_json::to_string(&p).unwrap_or_default(), done)
                    }
                    Err(e) => (serde_json::to_string(&ApiError::from(e).envelope()).unwrap_or_default(), true),
                };
                if sock.send(Message::Text(text.into())).await.is_err() || done {
                    break;
                }
            }
            m = sock.recv() => match m {
                Some(Ok(Message::Text(t))) => {
                    if serde_json::from_str::<Frame>(&t).is_ok_and(|f| f.typing) {
                        s.chat.typing(f.conversation(), side);
                    } else {
                        let refused = serde_json::json!({"error": {"code": "unknown_frame",
                            "message": "a socket takes {\"typing\":true} only; send messages by POST …/messages"}});
                        if sock.send(Message::Text(refused.to_string().into())).await.is_err() {
                            break;
                        }
                    }
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                Some(Ok(_)) => {}
            },
            _ = closing.changed() => break,
        }
    }
    let _ = sock.send(Message::Close(None)).await;
}

/// What a client may send on a chat socket.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Frame {
    typing: bool,
}

/// Conversations waiting for an advisor (oldest handoff first), then those under way.
#[utoipa::path(get, path = "/api/v1/chat/queue",
    responses((status = 200, body = Vec<Conversation>)), security(("bearer" = [])))]
pub async fn queue(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
) -> Result<Json<Vec<Conversation>>, ApiError> {
    Ok(Json(s.chat.queue(&s.store, &a).await?))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Transcript {
    pub conversation: Conversation,
    pub events: Vec<Event>,
}

#[utoipa::path(get, path = "/api/v1/chat/conversations/{id}",
    responses((status = 200, body = Transcript), (status = 404, body = Envelope)), security(("bearer" = [])))]
pub async fn transcript(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Transcript>, ApiError> {
    let (conversation, events) = s.chat.transcript(&s.store, &a, id).await?;
    Ok(Json(Transcript {
        conversation,
        events,
    }))
}

/// Takes a waiting conversation (409 when another advisor took it first).
#[utoipa::path(post, path = "/api/v1/chat/conversations/{id}/accept",
    responses((status = 200, body = Events), (status = 409, body = Envelope)), security(("bearer" = [])))]
pub async fn accept(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Events>, ApiError> {
    Ok(Json(s.chat.accept(&s.store, &a, id).await?))
}

#[utoipa::path(post, path = "/api/v1/chat/conversations/{id}/replies", request_body = TextInput,
    responses((status = 200, body = Events), (status = 409, body = Envelope), (status = 422, body = Envelope)), security(("bearer" = [])))]
pub async fn reply(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(i): ApiJson<TextInput>,
) -> Result<Json<Events>, ApiError> {
    Ok(Json(s.chat.reply(&s.store, &a, id, &i.text).await?))
}

/// Closes the conversation; with a known customer, the transcript becomes a chat interaction.
#[utoipa::path(post, path = "/api/v1/chat/conversations/{id}/end",
    responses((status = 200, body = Events), (status = 404, body = Envelope)), security(("bearer" = [])))]
pub async fn end(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Events>, ApiError> {
    Ok(Json(s.chat.close_as_staff(&s.store, &a, id).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// First month, "YYYY-MM" (default: 11 months before `to`).
    pub from: Option<String>,
    /// Last month, "YYYY-MM" (default: this month).
    pub to: Option<String>,
}

/// The chat report: conversations, bot containment and verified resolution, handoffs by reason,
/// time to a human, each advisor's load (managers and above).
#[utoipa::path(get, path = "/api/v1/chat/report", params(ReportQuery),
    responses((status = 200, body = Report), (status = 403, body = Envelope), (status = 422, body = Envelope)),
    security(("bearer" = [])))]
pub async fn report(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> Result<Json<Report>, ApiError> {
    let q = crate::service::survey::figures::Query {
        from: q.from,
        to: q.to,
        by: None,
    };
    Ok(Json(
        crate::service::chat::report::report(&s.store, &a, &q).await?,
    ))
}

#[derive(Debug, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Presence {
    /// available | busy | away (away, too, once the advisor's console has been gone two minutes)
    pub status: String,
}

/// The advisor's presence on the chat: the widget offers a message instead of the queue when
/// nobody is available or busy at their console.
#[utoipa::path(get, path = "/api/v1/chat/presence",
    responses((status = 200, body = Presence)), security(("bearer" = [])))]
pub async fn presence(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
) -> Result<Json<Presence>, ApiError> {
    Ok(Json(Presence {
        status: s.chat.presence(&s.store, &a).await?,
    }))
}

#[utoipa::path(put, path = "/api/v1/chat/presence", request_body = Presence,
    responses((status = 200, body = Presence), (status = 422, body = Envelope)), security(("bearer" = [])))]
pub async fn set_presence(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(p): ApiJson<Presence>,
) -> Result<Json<Presence>, ApiError> {
    Ok(Json(Presence {
        status: s.chat.set_presence(&s.store, &a, &p.status).await?,
    }))
}

/// The visitor's message when no advisor can answer: an email case (with the conversation so
/// far), answered by email under the organisation's email commitment; the conversation ends.
#[utoipa::path(post, path = "/api/v1/chat/conversations/{id}/message", request_body = LeftMessage,
    params(("X-Chat-Token" = String, Header)),
    responses((status = 200, body = Left), (status = 401, body = Envelope), (status = 409, body = Envelope), (status = 422, body = Envelope)))]
pub async fn leave_message(
    State(s): State<AppState>,
    h: HeaderMap,
    ApiPath(id): ApiPath<i64>,
    ApiJson(m): ApiJson<LeftMessage>,
) -> Result<Json<Left>, ApiError> {
    Ok(Json(
        s.chat.leave_message(&s.store, id, token(&h), &m).await?,
    ))
}
