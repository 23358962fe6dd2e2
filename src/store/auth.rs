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
}

pub async fn insert_token(
    c: &mut Conn,
    user_id: i64,
    token_hash: &str,
    label: &str,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO api_token (user_id, token_hash, label, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(user_id)
    .bind(token_hash)
    .bind(label)
    .bind(now)
    .execute(c)
    .await?;
    Ok(())
}

pub async fn principal_by_token(c: &mut Conn, token_hash: &str) -> Result<Option<Principal>> {
    Ok(sqlx::query_as(
        "SELECT u.id AS user_id, u.org_id, u.role, u.lang, u.name, '' AS csrf_token
         FROM api_token t JOIN app_user u ON u.id = t.user_id
         WHERE t.token_hash = $1 AND u.active = 1",
    )
    .bind(token_hash)
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
        "SELECT u.id AS user_id, u.org_id, u.role, u.lang, u.name, s.csrf_token
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
