//! Chat conversations and their numbered events.

use super::{Conn, Result};
use serde::Serialize;
use sqlx::Row;

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Conversation {
    pub id: i64,
    #[serde(skip)]
    pub org_id: i64,
    pub customer_id: Option<i64>,
    /// The identity the visitor gave (email, phone or customer number), as typed.
    pub identity: Option<String>,
    pub name: Option<String>,
    pub lang: String,
    /// bot | waiting | open | closed
    pub status: String,
    /// Why the bot handed over (a rule's reason code, or `request` for the button).
    pub reason: Option<String>,
    pub unhelpful: i64,
    pub last_article_id: Option<i64>,
    #[serde(serialize_with = "super::wire::flag")]
    #[schema(value_type = bool)]
    pub resolved_by_bot: i64,
    /// The number of the last event.
    pub seq: i64,
    #[serde(serialize_with = "super::wire::time")]
    #[schema(value_type = String, format = DateTime)]
    pub started_at: i64,
    #[serde(serialize_with = "super::wire::time")]
    #[schema(value_type = String, format = DateTime)]
    pub last_at: i64,
    #[serde(serialize_with = "super::wire::time_opt")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub handoff_at: Option<i64>,
    pub assigned_to: Option<i64>,
    #[serde(serialize_with = "super::wire::time_opt")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub answered_at: Option<i64>,
    #[serde(serialize_with = "super::wire::time_opt")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub closed_at: Option<i64>,
    /// The case its transcript was recorded on, once closed.
    pub case_id: Option<i64>,
    /// The site it was started from, whose opening hours say when advisors answer.
    pub site_id: Option<i64>,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Event {
    pub seq: i64,
    /// visitor | bot | advisor | system
    pub author: String,
    #[serde(skip)]
    pub user_id: Option<i64>,
    /// message | answer | handoff | feedback | accepted | closed
    pub kind: String,
    pub body: String,
    pub article_id: Option<i64>,
    #[serde(serialize_with = "super::wire::time")]
    #[schema(value_type = String, format = DateTime)]
    pub at: i64,
}

const COLUMNS: &str = "id, org_id, customer_id, identity, name, lang, status, reason, unhelpful, \
    last_article_id, resolved_by_bot, seq, started_at, last_at, handoff_at, assigned_to, \
    answered_at, closed_at, case_id, site_id";

pub struct NewConversation<'a> {
    pub org_id: i64,
    pub customer_id: Option<i64>,
    pub identity: Option<&'a str>,
    pub name: Option<&'a str>,
    pub lang: &'a str,
    pub site_id: Option<i64>,
    pub at: i64,
}

pub async fn insert(c: &mut Conn, n: &NewConversation<'_>) -> Result<i64> {
    let r = sqlx::query(
        "INSERT INTO chat_conversation (org_id, customer_id, identity, name, lang, status,
             unhelpful, resolved_by_bot, seq, started_at, last_at, site_id)
         VALUES ($1, $2, $3, $4, $5, 'bot', 0, 0, 0, $6, $6, $7) RETURNING id",
    )
    .bind(n.org_id)
    .bind(n.customer_id)
    .bind(n.identity)
    .bind(n.name)
    .bind(n.lang)
    .bind(n.at)
    .bind(n.site_id)
    .fetch_one(c)
    .await?;
    Ok(r.try_get(0)?)
}

pub async fn get(c: &mut Conn, id: i64) -> Result<Option<Conversation>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM chat_conversation WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(c)
    .await?)
}

pub struct NewEvent<'a> {
    pub author: &'a str,
    pub user_id: Option<i64>,
    pub kind: &'a str,
    pub body: &'a str,
    pub article_id: Option<i64>,
    pub at: i64,
}

/// Appends an event with the next number (the row's counter, moved in the same transaction);
/// `NotFound` when the conversation is closed (a message racing its close lands nowhere).
/// The close's own event is written by `close`.
pub async fn append(c: &mut Conn, conversation_id: i64, e: &NewEvent<'_>) -> Result<Event> {
    append_if(c, conversation_id, e, "status <> 'closed'").await
}

async fn append_if(
    c: &mut Conn,
    conversation_id: i64,
    e: &NewEvent<'_>,
    condition: &'static str,
) -> Result<Event> {
    let NewEvent {
        author,
        user_id,
        kind,
        body,
        article_id,
        at,
    } = *e;
    let r = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE chat_conversation SET seq = seq + 1, last_at = $2 WHERE id = $1 AND {condition}
         RETURNING seq"
    )))
    .bind(conversation_id)
    .bind(at)
    .fetch_optional(&mut *c)
    .await?
    .ok_or(super::Error::NotFound)?;
    let seq: i64 = r.try_get(0)?;
    sqlx::query(
        "INSERT INTO chat_event (conversation_id, seq, author, user_id, kind, body, article_id, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(conversation_id)
    .bind(seq)
    .bind(author)
    .bind(user_id)
    .bind(kind)
    .bind(body)
    .bind(article_id)
    .bind(at)
    .execute(c)
    .await?;
    Ok(Event {
        seq,
        author: author.into(),
        user_id,
        kind: kind.into(),
        body: body.into(),
        article_id,
        at,
    })
}

pub async fn events_after(c: &mut Conn, conversation_id: i64, after: i64) -> Result<Vec<Event>> {
    Ok(sqlx::query_as(
        "SELECT seq, author, user_id, kind, body, article_id, at FROM chat_event
         WHERE conversation_id = $1 AND seq > $2 ORDER BY seq LIMIT 1000",
    )
    .bind(conversation_id)
    .bind(after)
    .fetch_all(c)
    .await?)
}

/// The bot's state after a turn: "no" answers in a row and the article awaiting its verdict.
pub async fn set_bot_state(
    c: &mut Conn,
    id: i64,
    unhelpful: i64,
    last_article_id: Option<i64>,
    resolved: bool,
) -> Result<()> {
    sqlx::query(
        "UPDATE chat_conversation SET unhelpful = $2, last_article_id = $3,
             resolved_by_bot = CASE WHEN $4 = 1 THEN 1 ELSE resolved_by_bot END
         WHERE id = $1",
    )
    .bind(id)
    .bind(unhelpful)
    .bind(last_article_id)
    .bind(i64::from(resolved))
    .execute(c)
    .await?;
    Ok(())
}

/// Hands over: waiting for an advisor from `at`, with the reason (once: a second handoff
/// request keeps the first time and reason).
pub async fn hand_off(c: &mut Conn, id: i64, reason: &str, at: i64) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE chat_conversation SET status = 'waiting', reason = $2, handoff_at = $3
         WHERE id = $1 AND status = 'bot'",
    )
    .bind(id)
    .bind(reason)
    .bind(at)
    .execute(c)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// An advisor takes a waiting conversation; false if another took it first.
pub async fn accept(c: &mut Conn, org_id: i64, id: i64, user_id: i64) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE chat_conversation SET status = 'open', assigned_to = $3
         WHERE id = $1 AND org_id = $2 AND status = 'waiting'",
    )
    .bind(id)
    .bind(org_id)
    .bind(user_id)
    .execute(c)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// The first advisor message's time (kept once).
pub async fn answered(c: &mut Conn, id: i64, at: i64) -> Result<()> {
    sqlx::query(
        "UPDATE chat_conversation SET answered_at = $2 WHERE id = $1 AND answered_at IS NULL",
    )
    .bind(id)
    .bind(at)
    .execute(c)
    .await?;
    Ok(())
}

/// Closes the conversation with its last event; None when it was closed already.
pub async fn close(c: &mut Conn, id: i64, e: &NewEvent<'_>) -> Result<Option<Event>> {
    let r = sqlx::query(
        "UPDATE chat_conversation SET status = 'closed', closed_at = $2
         WHERE id = $1 AND status <> 'closed'",
    )
    .bind(id)
    .bind(e.at)
    .execute(&mut *c)
    .await?;
    if r.rows_affected() == 0 {
        return Ok(None);
    }
    Ok(Some(append_if(c, id, e, "status = 'closed'").await?))
}

/// The case (and customer: the ingest may have made one) its transcript was recorded on.
pub async fn set_case(c: &mut Conn, id: i64, case_id: i64, customer_id: i64) -> Result<()> {
    sqlx::query("UPDATE chat_conversation SET case_id = $2, customer_id = $3 WHERE id = $1")
        .bind(id)
        .bind(case_id)
        .bind(customer_id)
        .execute(c)
        .await?;
    Ok(())
}

/// Conversations waiting for an advisor (oldest handoff first) and those under way.
pub async fn queue(c: &mut Conn, org_id: i64) -> Result<Vec<Conversation>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM chat_conversation WHERE org_id = $1 AND status IN ('waiting', 'open')
         ORDER BY CASE status WHEN 'waiting' THEN 0 ELSE 1 END, handoff_at, id LIMIT 500"
    )))
    .bind(org_id)
    .fetch_all(c)
    .await?)
}

/// How many wait before this conversation (its place in the queue is that plus one).
pub async fn ahead(c: &mut Conn, org_id: i64, handoff_at: i64, id: i64) -> Result<i64> {
    let r = sqlx::query(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM chat_conversation
         WHERE org_id = $1 AND status = 'waiting' AND (handoff_at < $2 OR (handoff_at = $2 AND id < $3))",
    )
    .bind(org_id)
    .bind(handoff_at)
    .bind(id)
    .fetch_one(c)
    .await?;
    Ok(r.try_get(0)?)
}

/// The median wait (handoff → first advisor message) of the last 50 answered conversations.
pub async fn recent_waits(c: &mut Conn, org_id: i64) -> Result<Vec<i64>> {
    let rows = sqlx::query(
        "SELECT answered_at - handoff_at FROM chat_conversation
         WHERE org_id = $1 AND answered_at IS NOT NULL AND handoff_at IS NOT NULL
         ORDER BY answered_at DESC LIMIT 50",
    )
    .bind(org_id)
    .fetch_all(c)
    .await?;
    rows.iter()
        .map(|r| r.try_get(0))
        .collect::<std::result::Result<Vec<i64>, sqlx::Error>>()
        .map_err(Into::into)
}

/// Conversations to close: with the bot and silent since `bot_before`, or waiting / under way
/// and silent since `others_before`; and closed ones whose known visitor's transcript is not on
/// a case yet (a record that failed). The oldest first.
pub async fn idle(
    c: &mut Conn,
    bot_before: i64,
    others_before: i64,
    limit: i64,
) -> Result<Vec<i64>> {
    let rows = sqlx::query(
        "SELECT id FROM chat_conversation
         WHERE (status = 'bot' AND last_at < $1)
            OR (status IN ('waiting', 'open') AND last_at < $2)
            OR (status = 'closed' AND identity IS NOT NULL AND case_id IS NULL)
         ORDER BY last_at LIMIT $3",
    )
    .bind(bot_before)
    .bind(others_before)
    .bind(limit)
    .fetch_all(c)
    .await?;
    rows.iter()
        .map(|r| r.try_get(0))
        .collect::<std::result::Result<Vec<i64>, sqlx::Error>>()
        .map_err(Into::into)
}

/// A conversation as the chat report counts it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Counted {
    pub customer_id: Option<i64>,
    pub status: String,
    pub reason: Option<String>,
    pub last_at: i64,
    pub handoff_at: Option<i64>,
    pub answered_at: Option<i64>,
    pub assigned_to: Option<i64>,
    pub resolved_by_bot: i64,
    /// The bot's answers in it.
    pub answers: i64,
    /// The customer's inbound contacts on any channel in the 7 days after it (None when the
    /// visitor stayed anonymous).
    pub came_back: Option<i64>,
}

/// The conversations started in [from, to).
pub async fn counted(c: &mut Conn, org_id: i64, from: i64, to: i64) -> Result<Vec<Counted>> {
    Ok(sqlx::query_as(
        "SELECT c.customer_id, c.status, c.reason, c.last_at, c.handoff_at, c.answered_at,
                c.assigned_to, c.resolved_by_bot,
                (SELECT COUNT(*) FROM chat_event e
                  WHERE e.conversation_id = c.id AND e.kind = 'answer') AS answers,
                CASE WHEN c.customer_id IS NULL THEN NULL ELSE
                  (SELECT COUNT(*) FROM interaction i
                    WHERE i.customer_id = c.customer_id AND i.direction = 'inbound'
                      AND i.occurred_at > c.last_at AND i.occurred_at <= c.last_at + $4)
                END AS came_back
         FROM chat_conversation c
         WHERE c.org_id = $1 AND c.started_at >= $2 AND c.started_at < $3",
    )
    .bind(org_id)
    .bind(from)
    .bind(to)
    .bind(crate::domain::case::ONCE_AND_DONE_WINDOW_MS)
    .fetch_all(c)
    .await?)
}

/// A chat contact recorded without its conversation (the demo's history): what a conversation
/// for it is made from.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Contact {
    pub case_id: i64,
    pub customer_id: i64,
    pub subject: Option<String>,
    pub queued_at: i64,
    pub answered_at: Option<i64>,
}

/// The organisation's most recent inbound chat contacts that were queued for an advisor.
pub async fn queued_contacts(c: &mut Conn, org_id: i64, limit: i64) -> Result<Vec<Contact>> {
    Ok(sqlx::query_as(
        "SELECT case_id, customer_id, subject, queued_at, answered_at FROM interaction
         WHERE org_id = $1 AND channel = 'chat' AND direction = 'inbound'
           AND queued_at IS NOT NULL
         ORDER BY queued_at DESC LIMIT $2",
    )
    .bind(org_id)
    .bind(limit)
    .fetch_all(c)
    .await?)
}

/// How long a console may stay silent before its advisor counts as away.
pub const PRESENCE_TTL_MS: i64 = 120_000;

/// Sets an advisor's presence (available | busy | away), as of now.
pub async fn set_presence(c: &mut Conn, user_id: i64, presence: &str, now: i64) -> Result<()> {
    sqlx::query("UPDATE app_user SET chat_presence = $2, chat_seen_at = $3 WHERE id = $1")
        .bind(user_id)
        .bind(presence)
        .bind(now)
        .execute(c)
        .await?;
    Ok(())
}

/// The advisor's console looked now: their presence holds for another two minutes.
pub async fn seen(c: &mut Conn, user_id: i64, now: i64) -> Result<()> {
    sqlx::query("UPDATE app_user SET chat_seen_at = $2 WHERE id = $1 AND chat_presence <> 'away'")
        .bind(user_id)
        .bind(now)
        .execute(c)
        .await?;
    Ok(())
}

/// An advisor's presence as set, and whether their console is still there.
pub async fn presence(c: &mut Conn, user_id: i64, now: i64) -> Result<String> {
    let (p, seen): (String, Option<i64>) =
        sqlx::query_as("SELECT chat_presence, chat_seen_at FROM app_user WHERE id = $1")
            .bind(user_id)
            .fetch_one(c)
            .await?;
    Ok(match seen {
        Some(t) if now - t <= PRESENCE_TTL_MS => p,
        _ => "away".into(),
    })
}

/// The organisation's advisors present on the chat now: (available, busy).
pub async fn present(c: &mut Conn, org_id: i64, now: i64) -> Result<(i64, i64)> {
    let (available, busy): (i64, i64) = sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(CASE WHEN chat_presence = 'available' THEN 1 ELSE 0 END), 0) AS BIGINT),
                CAST(COALESCE(SUM(CASE WHEN chat_presence = 'busy' THEN 1 ELSE 0 END), 0) AS BIGINT)
         FROM app_user
         WHERE org_id = $1 AND active = 1 AND chat_seen_at > $2",
    )
    .bind(org_id)
    .bind(now - PRESENCE_TTL_MS)
    .fetch_one(c)
    .await?;
    Ok((available, busy))
}
