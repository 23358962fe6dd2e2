//! API tokens and web sessions, stored as SHA-256 hashes of the secrets.

use super::org::User;
use super::{Conn, Result};

/// The user a token or session belongs to, with the session's CSRF token when there is one.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Principal {
    pub user_id: i64,
    pub org_id: i64,
    pub role: String,
    pub lang: String,
    pub name: String,
    pub csrf_token: String,
    /// When the token or session ends (none: a token made before tokens had an end).
    pub expires_at: Option<i64>,
}

/// An API token as listed (never its secret).
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Token {
    pub id: i64,
    pub user_id: i64,
    pub user_name: String,
    pub label: String,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub revoked_at: Option<i64>,
    pub last_used_at: Option<i64>,
}

pub async fn insert_token(
    c: &mut Conn,
    user_id: i64,
    token_hash: &str,
    label: &str,
    expires_at: Option<i64>,
    now: i64,
) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO api_token (user_id, token_hash, label, expires_at, created_at)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(user_id)
    .bind(token_hash)
    .bind(label)
    .bind(expires_at)
    .bind(now)
    .fetch_one(c)
    .await?)
}

/// Revokes a user's live tokens of one name (a new token of that name replaces them).
pub async fn revoke_named(c: &mut Conn, user_id: i64, label: &str, now: i64) -> Result<u64> {
    Ok(sqlx::query(
        "UPDATE api_token SET revoked_at = $3
         WHERE user_id = $1 AND label = $2 AND revoked_at IS NULL",
    )
    .bind(user_id)
    .bind(label)
    .bind(now)
    .execute(c)
    .await?
    .rows_affected())
}

/// Revokes one token of the organisation (of `user_id` only, when given); whether it was live.
pub async fn revoke(
    c: &mut Conn,
    org_id: i64,
    id: i64,
    user_id: Option<i64>,
    now: i64,
) -> Result<bool> {
    Ok(sqlx::query(
        "UPDATE api_token SET revoked_at = $4
         WHERE id = $1 AND revoked_at IS NULL
           AND user_id IN (SELECT id FROM app_user WHERE org_id = $2)
           AND ($3 IS NULL OR user_id = $3)",
    )
    .bind(id)
    .bind(org_id)
    .bind(user_id)
    .bind(now)
    .execute(c)
    .await?
    .rows_affected()
        == 1)
}

/// The organisation's tokens (one user's, when given), newest first.
pub async fn tokens(c: &mut Conn, org_id: i64, user_id: Option<i64>) -> Result<Vec<Token>> {
    Ok(sqlx::query_as(
        "SELECT t.id, t.user_id, u.name AS user_name, t.label, t.created_at, t.expires_at,
                t.revoked_at, t.last_used_at
         FROM api_token t JOIN app_user u ON u.id = t.user_id
         WHERE u.org_id = $1 AND ($2 IS NULL OR t.user_id = $2)
         ORDER BY t.id DESC",
    )
    .bind(org_id)
    .bind(user_id)
    .fetch_all(c)
    .await?)
}

/// Notes a token's use, at most once a minute per token.
pub async fn touch_token(c: &mut Conn, token_hash: &str, now: i64) -> Result<()> {
    sqlx::query(
        "UPDATE api_token SET last_used_at = $2
         WHERE token_hash = $1 AND (last_used_at IS NULL OR last_used_at < $3)",
    )
    .bind(token_hash)
    .bind(now)
    .bind(now - 60_000)
    .execute(c)
    .await?;
    Ok(())
}

/// The user of a live token: not revoked, not expired, user active.
pub async fn principal_by_token(
    c: &mut Conn,
    token_hash: &str,
    now: i64,
) -> Result<Option<Principal>> {
    Ok(sqlx::query_as(
        "SELECT u.id AS user_id, u.org_id, u.role, u.lang, u.name, '' AS csrf_token, t.expires_at
         FROM api_token t JOIN app_user u ON u.id = t.user_id
         WHERE t.token_hash = $1 AND u.active = 1 AND t.revoked_at IS NULL
           AND (t.expires_at IS NULL OR t.expires_at > $2)",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(c)
    .await?)
}

pub async fn insert_session(
    c: &mut Conn,
    user: &User,
    token_hash: &str,
    csrf: &str,
    expires_at: i64,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO web_session (token_hash, user_id, csrf_token, expires_at, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token_hash)
    .bind(user.id)
    .bind(csrf)
    .bind(expires_at)
    .bind(now)
    .execute(c)
    .await?;
    Ok(())
}

pub async fn principal_by_session(
    c: &mut Conn,
    token_hash: &str,
    now: i64,
) -> Result<Option<Principal>> {
    Ok(sqlx::query_as(
        "SELECT u.id AS user_id, u.org_id, u.role, u.lang, u.name, s.csrf_token, s.expires_at
         FROM web_session s JOIN app_user u ON u.id = s.user_id
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.active = 1",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(c)
    .await?)
}

pub async fn delete_session(c: &mut Conn, token_hash: &str, now: i64) -> Result<()> {
    sqlx::query("DELETE FROM web_session WHERE token_hash = $1 OR expires_at <= $2")
        .bind(token_hash)
        .bind(now)
        .execute(c)
        .await?;
    Ok(())
}

/// Ends every web session of a user (deactivated, or a new password set).
pub async fn end_sessions_of(c: &mut Conn, user_id: i64) -> Result<()> {
    sqlx::query("DELETE FROM web_session WHERE user_id = $1")
        .bind(user_id)
        .execute(c)
        .await?;
    Ok(())
}

pub async fn insert_reset(
    c: &mut Conn,
    user_id: i64,
    token_hash: &str,
    created_by: i64,
    expires_at: i64,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO password_reset (user_id, token_hash, created_by, expires_at, created_at)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(user_id)
    .bind(token_hash)
    .bind(created_by)
    .bind(expires_at)
    .bind(now)
    .execute(c)
    .await?;
    Ok(())
}

/// The user a one-time link still works for: unused, unexpired, the user active.
pub async fn reset_user(c: &mut Conn, token_hash: &str, now: i64) -> Result<Option<(i64, i64)>> {
    Ok(sqlx::query_as(
        "SELECT r.id, r.user_id FROM password_reset r JOIN app_user u ON u.id = r.user_id
         WHERE r.token_hash = $1 AND r.used_at IS NULL AND r.expires_at > $2 AND u.active = 1",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(c)
    .await?)
}

/// Spends a link; false if another request spent it first.
pub async fn spend_reset(c: &mut Conn, id: i64, now: i64) -> Result<bool> {
    Ok(
        sqlx::query("UPDATE password_reset SET used_at = $2 WHERE id = $1 AND used_at IS NULL")
            .bind(id)
            .bind(now)
            .execute(c)
            .await?
            .rows_affected()
            == 1,
    )
}
