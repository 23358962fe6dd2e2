//! Email: mailboxes, messages in and out (the outgoing ones are their own job queue),
//! content-addressed blobs, attachments, canned replies and templates.

use super::{Conn, Result, Sql, conflict};
use serde::Serialize;

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Mailbox {
    pub id: i64,
    pub org_id: i64,
    pub address: String,
    pub display_name: String,
    pub team_id: Option<i64>,
    pub imap_host: Option<String>,
    pub imap_port: Option<i64>,
    pub imap_security: String,
    pub imap_user: Option<String>,
    #[serde(skip)]
    pub imap_secret: Option<String>,
    pub imap_folder: String,
    pub imap_done_folder: Option<String>,
    pub smtp_host: Option<String>,
    pub smtp_port: Option<i64>,
    pub smtp_security: String,
    pub smtp_user: Option<String>,
    #[serde(skip)]
    pub smtp_secret: Option<String>,
    pub uid_validity: Option<i64>,
    pub last_uid: i64,
    #[serde(serialize_with = "super::wire::time_opt")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub polled_at: Option<i64>,
    pub poll_error: Option<String>,
    pub active: i64,
    #[serde(serialize_with = "super::wire::time")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: i64,
}

const MAILBOX_COLS: &str = "id, org_id, address, display_name, team_id, imap_host, imap_port,
    imap_security, imap_user, imap_secret, imap_folder, imap_done_folder, smtp_host, smtp_port,
    smtp_security, smtp_user, smtp_secret, uid_validity, last_uid, polled_at, poll_error, active,
    updated_at";

/// A mailbox's settings as saved (secrets already sealed).
pub struct MailboxSettings<'a> {
    pub address: &'a str,
    pub address_key: &'a str,
    pub display_name: &'a str,
    pub team_id: Option<i64>,
    pub imap_host: Option<&'a str>,
    pub imap_port: Option<i64>,
    pub imap_security: &'a str,
    pub imap_user: Option<&'a str>,
    pub imap_secret: Option<&'a str>,
    pub imap_folder: &'a str,
    pub imap_done_folder: Option<&'a str>,
    pub smtp_host: Option<&'a str>,
    pub smtp_port: Option<i64>,
    pub smtp_security: &'a str,
    pub smtp_user: Option<&'a str>,
    pub smtp_secret: Option<&'a str>,
    pub active: bool,
}

pub async fn insert_mailbox(
    c: &mut Conn,
    org_id: i64,
    m: &MailboxSettings<'_>,
    now: i64,
) -> Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO mailbox (org_id, address, address_key, display_name, team_id, imap_host,
            imap_port, imap_security, imap_user, imap_secret, imap_folder, imap_done_folder,
            smtp_host, smtp_port, smtp_security, smtp_user, smtp_secret, active, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $19)
         RETURNING id",
    )
    .bind(org_id)
    .bind(m.address)
    .bind(m.address_key)
    .bind(m.display_name)
    .bind(m.team_id)
    .bind(m.imap_host)
    .bind(m.imap_port)
    .bind(m.imap_security)
    .bind(m.imap_user)
    .bind(m.imap_secret)
    .bind(m.imap_folder)
    .bind(m.imap_done_folder)
    .bind(m.smtp_host)
    .bind(m.smtp_port)
    .bind(m.smtp_security)
    .bind(m.smtp_user)
    .bind(m.smtp_secret)
    .bind(m.active as i64)
    .bind(now)
    .fetch_one(c)
    .await
    .map_err(conflict)?;
    Ok(id)
}

/// Saves new settings; a changed IMAP account or folder starts reading it afresh.
pub async fn update_mailbox(
    c: &mut Conn,
    id: i64,
    m: &MailboxSettings<'_>,
    reset_position: bool,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE mailbox SET address = $2, address_key = $3, display_name = $4, team_id = $5,
            imap_host = $6, imap_port = $7, imap_security = $8, imap_user = $9, imap_secret = $10,
            imap_folder = $11, imap_done_folder = $12, smtp_host = $13, smtp_port = $14,
            smtp_security = $15, smtp_user = $16, smtp_secret = $17, active = $18, updated_at = $19,
            uid_validity = CASE WHEN $20 = 1 THEN NULL ELSE uid_validity END,
            last_uid = CASE WHEN $20 = 1 THEN 0 ELSE last_uid END
         WHERE id = $1",
    )
    .bind(id)
    .bind(m.address)
    .bind(m.address_key)
    .bind(m.display_name)
    .bind(m.team_id)
    .bind(m.imap_host)
    .bind(m.imap_port)
    .bind(m.imap_security)
    .bind(m.imap_user)
    .bind(m.imap_secret)
    .bind(m.imap_folder)
    .bind(m.imap_done_folder)
    .bind(m.smtp_host)
    .bind(m.smtp_port)
    .bind(m.smtp_security)
    .bind(m.smtp_user)
    .bind(m.smtp_secret)
    .bind(m.active as i64)
    .bind(now)
    .bind(reset_position as i64)
    .execute(c)
    .await
    .map_err(conflict)?;
    Ok(())
}

pub async fn mailboxes(c: &mut Conn, org_id: i64) -> Result<Vec<Mailbox>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {MAILBOX_COLS} FROM mailbox WHERE org_id = $1 ORDER BY id"
    )))
    .bind(org_id)
    .fetch_all(c)
    .await?)
}

pub async fn mailbox(c: &mut Conn, org_id: i64, id: i64) -> Result<Option<Mailbox>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {MAILBOX_COLS} FROM mailbox WHERE org_id = $1 AND id = $2"
    )))
    .bind(org_id)
    .bind(id)
    .fetch_optional(c)
    .await?)
}

/// The mailboxes among these (lower-case) addresses, any organisation.
pub async fn mailboxes_by_addresses(c: &mut Conn, keys: &[String]) -> Result<Vec<Mailbox>> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Sql::new(format!(
        "SELECT {MAILBOX_COLS} FROM mailbox WHERE address_key IN ("
    ));
    for (i, k) in keys.iter().take(100).enumerate() {
        if i > 0 {
            q.push(", ");
        }
        q.text(k);
    }
    q.push(") ORDER BY id");
    Ok(q.query_as().fetch_all(c).await?)
}

/// Every active mailbox with an IMAP account, all organisations (for the poller).
pub async fn imap_mailboxes(c: &mut Conn) -> Result<Vec<Mailbox>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {MAILBOX_COLS} FROM mailbox WHERE active = 1 AND imap_host IS NOT NULL ORDER BY id"
    )))
    .fetch_all(c)
    .await?)
}

/// Where the poller is in a mailbox; only moves forward within one UIDVALIDITY.
pub async fn set_position(
    c: &mut Conn,
    id: i64,
    uid_validity: i64,
    last_uid: i64,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE mailbox SET uid_validity = $2, last_uid = $3, polled_at = $4, poll_error = NULL
         WHERE id = $1",
    )
    .bind(id)
    .bind(uid_validity)
    .bind(last_uid)
    .bind(now)
    .execute(c)
    .await?;
    Ok(())
}

pub async fn set_poll_error(c: &mut Conn, id: i64, error: &str, now: i64) -> Result<()> {
    sqlx::query("UPDATE mailbox SET poll_error = $2, polled_at = $3 WHERE id = $1")
        .bind(id)
        .bind(error)
        .bind(now)
        .execute(c)
        .await?;
    Ok(())
}

/// Stores content once under its hash.
pub async fn put_blob(c: &mut Conn, hash: &str, content: &[u8], now: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO blob (hash, size, content, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (hash) DO NOTHING",
    )
    .bind(hash)
    .bind(content.len() as i64)
    .bind(content)
    .bind(now)
    .execute(c)
    .await?;
    Ok(())
}

/// The empty content, put in place of a raw message that erasure or retention removed (a
/// message keeps a blob reference); its hash.
pub async fn empty_blob(c: &mut Conn, now: i64) -> Result<String> {
    let hash = empty_hash();
    put_blob(c, &hash, b"", now).await?;
    Ok(hash)
}

pub fn empty_hash() -> String {
    blake3::hash(b"").to_hex().to_string()
}

pub async fn blob(c: &mut Conn, hash: &str) -> Result<Option<Vec<u8>>> {
    let row: Option<(Vec<u8>,)> = sqlx::query_as("SELECT content FROM blob WHERE hash = $1")
        .bind(hash)
        .fetch_optional(c)
        .await?;
    Ok(row.map(|r| r.0))
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Email {
    pub id: i64,
    pub org_id: i64,
    pub mailbox_id: Option<i64>,
    pub direction: String,
    pub kind: String,
    pub case_id: Option<i64>,
    pub interaction_id: Option<i64>,
    pub message_id: String,
    pub in_reply_to: Option<String>,
    pub refs: String,
    pub from_address: String,
    pub reply_to: Option<String>,
    pub to_addresses: String,
    pub subject: String,
    #[serde(skip)]
    pub html: Option<String>,
    pub warnings: String,
    #[serde(skip)]
    pub raw_hash: String,
    pub status: String,
    pub attempts: i64,
    #[serde(serialize_with = "super::wire::time_opt")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub next_attempt_at: Option<i64>,
    pub error: Option<String>,
    #[serde(serialize_with = "super::wire::time_opt")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub sent_at: Option<i64>,
    #[serde(serialize_with = "super::wire::time")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: i64,
}

const EMAIL_COLS: &str = "id, org_id, mailbox_id, direction, kind, case_id, interaction_id,
    message_id, in_reply_to, refs, from_address, reply_to, to_addresses, subject, html, warnings, raw_hash,
    status, attempts, next_attempt_at, error, sent_at, created_at";

pub struct NewEmail<'a> {
    pub mailbox_id: Option<i64>,
    pub direction: &'a str,
    pub kind: &'a str,
    pub case_id: Option<i64>,
    pub interaction_id: Option<i64>,
    pub message_id: &'a str,
    pub in_reply_to: Option<&'a str>,
    pub refs: &'a str,
    pub thread_root: Option<&'a str>,
    pub from_address: &'a str,
    pub from_key: &'a str,
    pub reply_to: Option<&'a str>,
    pub to_addresses: &'a str,
    pub subject: &'a str,
    pub html: Option<&'a str>,
    pub warnings: &'a str,
    pub raw_hash: &'a str,
    pub status: &'a str,
    pub next_attempt_at: Option<i64>,
}

pub async fn insert_email(c: &mut Conn, org_id: i64, e: &NewEmail<'_>, now: i64) -> Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO email_message (org_id, mailbox_id, direction, kind, case_id, interaction_id,
            message_id, in_reply_to, refs, thread_root, from_address, from_key, reply_to, to_addresses, subject,
            html, warnings, raw_hash, status, next_attempt_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)
         RETURNING id",
    )
    .bind(org_id)
    .bind(e.mailbox_id)
    .bind(e.direction)
    .bind(e.kind)
    .bind(e.case_id)
    .bind(e.interaction_id)
    .bind(e.message_id)
    .bind(e.in_reply_to)
    .bind(e.refs)
    .bind(e.thread_root)
    .bind(e.from_address)
    .bind(e.from_key)
    .bind(e.reply_to)
    .bind(e.to_addresses)
    .bind(e.subject)
    .bind(e.html)
    .bind(e.warnings)
    .bind(e.raw_hash)
    .bind(e.status)
    .bind(e.next_attempt_at)
    .bind(now)
    .fetch_one(c)
    .await?;
    Ok(id)
}

pub struct NewAttachment<'a> {
    pub blob_hash: Option<&'a str>,
    pub name: &'a str,
    pub content_type: &'a str,
    pub content_id: Option<&'a str>,
    pub inline: bool,
    pub size: i64,
}

pub async fn insert_attachment(c: &mut Conn, email_id: i64, a: &NewAttachment<'_>) -> Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO email_attachment (email_id, blob_hash, name, content_type, content_id, inline, size)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(email_id)
    .bind(a.blob_hash)
    .bind(a.name)
    .bind(a.content_type)
    .bind(a.content_id)
    .bind(a.inline as i64)
    .bind(a.size)
    .fetch_one(c)
    .await?;
    Ok(id)
}

/// The message already recorded under this Message-ID in the organisation, if any.
pub async fn by_message_id(c: &mut Conn, org_id: i64, message_id: &str) -> Result<Option<Email>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {EMAIL_COLS} FROM email_message WHERE org_id = $1 AND message_id = $2
         ORDER BY id LIMIT 1"
    )))
    .bind(org_id)
    .bind(message_id)
    .fetch_optional(c)
    .await?)
}

/// The case of the latest message among these Message-IDs.
pub async fn case_of_message_ids(c: &mut Conn, org_id: i64, ids: &[String]) -> Result<Option<i64>> {
    if ids.is_empty() {
        return Ok(None);
    }
    let mut q = Sql::new("SELECT case_id FROM email_message WHERE org_id = ");
    q.int(org_id)
        .push(" AND case_id IS NOT NULL AND message_id IN (");
    for (i, id) in ids.iter().take(100).enumerate() {
        if i > 0 {
            q.push(", ");
        }
        q.text(id);
    }
    q.push(") ORDER BY id DESC LIMIT 1");
    let row: Option<(i64,)> = q.query_as().fetch_optional(c).await?;
    Ok(row.map(|r| r.0))
}

pub async fn case_of_thread_root(c: &mut Conn, org_id: i64, root: &str) -> Result<Option<i64>> {
    let row: Option<(i64,)> = sqlx::query_as(
        "SELECT case_id FROM email_message WHERE org_id = $1 AND thread_root = $2
           AND case_id IS NOT NULL ORDER BY id DESC LIMIT 1",
    )
    .bind(org_id)
    .bind(root)
    .fetch_optional(c)
    .await?;
    Ok(row.map(|r| r.0))
}

/// Messages received from this sender since a time (the loop breaker's count).
pub async fn received_from_since(
    c: &mut Conn,
    org_id: i64,
    from_key: &str,
    since: i64,
) -> Result<i64> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM email_message
         WHERE org_id = $1 AND from_key = $2 AND created_at >= $3 AND direction = 'inbound'",
    )
    .bind(org_id)
    .bind(from_key)
    .bind(since)
    .fetch_one(c)
    .await?;
    Ok(n)
}

pub async fn of_case(c: &mut Conn, case_id: i64) -> Result<Vec<Email>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {EMAIL_COLS} FROM email_message WHERE case_id = $1 ORDER BY id"
    )))
    .bind(case_id)
    .fetch_all(c)
    .await?)
}

/// The customer of the case a message belongs to.
pub async fn customer_of(c: &mut Conn, org_id: i64, email_id: i64) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT sc.customer_id FROM email_message m JOIN support_case sc ON sc.id = m.case_id
         WHERE m.org_id = $1 AND m.id = $2",
    )
    .bind(org_id)
    .bind(email_id)
    .fetch_optional(c)
    .await?)
}

pub async fn get(c: &mut Conn, org_id: i64, id: i64) -> Result<Option<Email>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {EMAIL_COLS} FROM email_message WHERE org_id = $1 AND id = $2"
    )))
    .bind(org_id)
    .bind(id)
    .fetch_optional(c)
    .await?)
}

/// The latest message received on a case (the one a reply answers).
pub async fn last_inbound_of_case(c: &mut Conn, case_id: i64) -> Result<Option<Email>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {EMAIL_COLS} FROM email_message
         WHERE case_id = $1 AND direction = 'inbound' AND kind = 'human' ORDER BY id DESC LIMIT 1"
    )))
    .bind(case_id)
    .fetch_optional(c)
    .await?)
}

/// Messages received that joined no case (automatic mail about nothing Pacte knows).
pub async fn unthreaded(c: &mut Conn, org_id: i64, limit: i64) -> Result<Vec<Email>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {EMAIL_COLS} FROM email_message WHERE org_id = $1 AND case_id IS NULL
         ORDER BY id DESC LIMIT $2"
    )))
    .bind(org_id)
    .bind(limit)
    .fetch_all(c)
    .await?)
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct AttachmentRow {
    pub id: i64,
    pub email_id: i64,
    #[serde(skip)]
    pub blob_hash: Option<String>,
    pub name: String,
    pub content_type: String,
    pub content_id: Option<String>,
    pub inline: i64,
    pub size: i64,
}

pub async fn attachments_of_case(c: &mut Conn, case_id: i64) -> Result<Vec<AttachmentRow>> {
    Ok(sqlx::query_as(
        "SELECT a.id, a.email_id, a.blob_hash, a.name, a.content_type, a.content_id, a.inline, a.size
         FROM email_attachment a JOIN email_message e ON e.id = a.email_id
         WHERE e.case_id = $1 ORDER BY a.id",
    )
    .bind(case_id)
    .fetch_all(c)
    .await?)
}

pub async fn attachment(c: &mut Conn, org_id: i64, id: i64) -> Result<Option<AttachmentRow>> {
    Ok(sqlx::query_as(
        "SELECT a.id, a.email_id, a.blob_hash, a.name, a.content_type, a.content_id, a.inline, a.size
         FROM email_attachment a JOIN email_message e ON e.id = a.email_id
         WHERE a.id = $1 AND e.org_id = $2",
    )
    .bind(id)
    .bind(org_id)
    .fetch_optional(c)
    .await?)
}

/// Leases the outgoing messages due now so that one sender sends each; returns them.
pub async fn claim_outgoing(c: &mut Conn, now: i64, until: i64, limit: i64) -> Result<Vec<Email>> {
    let due: Vec<(i64,)> = sqlx::query_as(
        "SELECT id FROM email_message WHERE status = 'queued' AND next_attempt_at <= $1
         ORDER BY next_attempt_at LIMIT $2",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(&mut *c)
    .await?;
    let mut out = Vec::new();
    for (id,) in due {
        let claimed: Option<Email> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "UPDATE email_message SET next_attempt_at = $3
             WHERE id = $1 AND status = 'queued' AND next_attempt_at <= $2 RETURNING {EMAIL_COLS}"
        )))
        .bind(id)
        .bind(now)
        .bind(until)
        .fetch_optional(&mut *c)
        .await?;
        out.extend(claimed);
    }
    Ok(out)
}

pub async fn mark_sent(c: &mut Conn, id: i64, now: i64) -> Result<()> {
    sqlx::query(
        "UPDATE email_message SET status = 'sent', sent_at = $2, attempts = attempts + 1,
            next_attempt_at = NULL, error = NULL WHERE id = $1",
    )
    .bind(id)
    .bind(now)
    .execute(c)
    .await?;
    Ok(())
}

/// Records a failed attempt: retried at `next_at`, or failed for good when `next_at` is None.
pub async fn mark_attempt_failed(
    c: &mut Conn,
    id: i64,
    next_at: Option<i64>,
    error: &str,
) -> Result<()> {
    sqlx::query(
        "UPDATE email_message SET attempts = attempts + 1, error = $3, next_attempt_at = $2,
            status = CASE WHEN $2 IS NULL THEN 'failed' ELSE status END
         WHERE id = $1",
    )
    .bind(id)
    .bind(next_at)
    .bind(error)
    .execute(c)
    .await?;
    Ok(())
}

/// A delivery report came back for a sent message.
pub async fn mark_bounced(c: &mut Conn, id: i64, error: &str) -> Result<()> {
    sqlx::query("UPDATE email_message SET status = 'failed', error = $2 WHERE id = $1")
        .bind(id)
        .bind(error)
        .execute(c)
        .await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct CannedReply {
    pub id: i64,
    pub team_id: Option<i64>,
    pub title: String,
    pub body: String,
}

pub async fn insert_canned(
    c: &mut Conn,
    org_id: i64,
    team_id: Option<i64>,
    title: &str,
    body: &str,
    now: i64,
) -> Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO canned_reply (org_id, team_id, title, body, created_at)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(org_id)
    .bind(team_id)
    .bind(title)
    .bind(body)
    .bind(now)
    .fetch_one(c)
    .await
    .map_err(conflict)?;
    Ok(id)
}

/// The organisation's canned replies, and those of one team (or every team's with `None`).
pub async fn canned(c: &mut Conn, org_id: i64, team_id: Option<i64>) -> Result<Vec<CannedReply>> {
    Ok(sqlx::query_as(
        "SELECT id, team_id, title, body FROM canned_reply
         WHERE org_id = $1 AND ($2 = 0 OR team_id IS NULL OR team_id = $2) ORDER BY title",
    )
    .bind(org_id)
    .bind(team_id.unwrap_or(0))
    .fetch_all(c)
    .await?)
}

pub async fn delete_canned(c: &mut Conn, org_id: i64, id: i64) -> Result<bool> {
    let r = sqlx::query("DELETE FROM canned_reply WHERE org_id = $1 AND id = $2")
        .bind(org_id)
        .bind(id)
        .execute(c)
        .await?;
    Ok(r.rows_affected() == 1)
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Template {
    pub kind: String,
    pub lang: String,
    pub subject: String,
    pub body: String,
}

pub async fn template(
    c: &mut Conn,
    org_id: i64,
    kind: &str,
    lang: &str,
) -> Result<Option<Template>> {
    Ok(sqlx::query_as(
        "SELECT kind, lang, subject, body FROM email_template
         WHERE org_id = $1 AND kind = $2 AND lang = $3",
    )
    .bind(org_id)
    .bind(kind)
    .bind(lang)
    .fetch_optional(c)
    .await?)
}

pub async fn put_template(c: &mut Conn, org_id: i64, t: &Template, now: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO email_template (org_id, kind, lang, subject, body, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (org_id, kind, lang) DO UPDATE SET subject = $4, body = $5, updated_at = $6",
    )
    .bind(org_id)
    .bind(&t.kind)
    .bind(&t.lang)
    .bind(&t.subject)
    .bind(&t.body)
    .bind(now)
    .execute(c)
    .await?;
    Ok(())
}
