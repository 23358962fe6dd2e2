//! Organisations (tenants), sites, teams and users.

use super::{Conn, Result, conflict};
use serde::Serialize;

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Organization {
    pub id: i64,
    pub slug: String,
    pub name: String,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Site {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub time_zone: String,
    pub opening_hours: String,
    /// Closed days beyond public holidays, "YYYY-MM-DD" separated by commas.
    pub closures: String,
}

const SITE_COLS: &str = "id, code, name, kind, time_zone, opening_hours, closures";

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Team {
    pub id: i64,
    pub name: String,
    pub site_id: Option<i64>,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct User {
    pub id: i64,
    pub org_id: i64,
    pub email: String,
    pub name: String,
    pub role: String,
    pub team_id: Option<i64>,
    pub lang: String,
    /// 0 once deactivated: the user can no longer sign in nor use a token.
    #[serde(serialize_with = "super::wire::flag")]
    #[schema(value_type = bool)]
    pub active: i64,
    #[serde(skip)]
    pub password_hash: Option<String>,
}

const USER_COLS: &str = "id, org_id, email, name, role, team_id, lang, active, password_hash";

pub async fn insert_org(c: &mut Conn, slug: &str, name: &str, now: i64) -> Result<Organization> {
    sqlx::query_as("INSERT INTO organization (slug, name, created_at) VALUES ($1, $2, $3) RETURNING id, slug, name")
        .bind(slug)
        .bind(name)
        .bind(now)
        .fetch_one(c)
        .await
        .map_err(conflict)
}

pub async fn org_by_slug(c: &mut Conn, slug: &str) -> Result<Option<Organization>> {
    Ok(
        sqlx::query_as("SELECT id, slug, name FROM organization WHERE slug = $1")
            .bind(slug)
            .fetch_optional(c)
            .await?,
    )
}

/// The origins allowed to frame the public pages of the organisation with this slug.
pub async fn embed_origins_of_slug(c: &mut Conn, slug: &str) -> Result<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT embed_origins FROM organization WHERE slug = $1")
            .bind(slug)
            .fetch_optional(c)
            .await?,
    )
}

pub async fn embed_origins(c: &mut Conn, org_id: i64) -> Result<String> {
    Ok(
        sqlx::query_scalar("SELECT embed_origins FROM organization WHERE id = $1")
            .bind(org_id)
            .fetch_one(c)
            .await?,
    )
}

pub async fn set_embed_origins(c: &mut Conn, org_id: i64, origins: &str) -> Result<()> {
    sqlx::query("UPDATE organization SET embed_origins = $2 WHERE id = $1")
        .bind(org_id)
        .bind(origins)
        .execute(c)
        .await?;
    Ok(())
}

pub async fn org_by_id(c: &mut Conn, id: i64) -> Result<Option<Organization>> {
    Ok(
        sqlx::query_as("SELECT id, slug, name FROM organization WHERE id = $1")
            .bind(id)
            .fetch_optional(c)
            .await?,
    )
}

pub async fn list_orgs(c: &mut Conn) -> Result<Vec<Organization>> {
    Ok(
        sqlx::query_as("SELECT id, slug, name FROM organization ORDER BY slug")
            .fetch_all(c)
            .await?,
    )
}

/// Next case number of an organisation (row-locked on PostgreSQL, serialised writer on SQLite).
pub async fn next_case_number(c: &mut Conn, org_id: i64) -> Result<i64> {
    let (n,): (i64,) = sqlx::query_as(
        "UPDATE organization SET case_seq = case_seq + 1 WHERE id = $1 RETURNING case_seq",
    )
    .bind(org_id)
    .fetch_one(c)
    .await?;
    Ok(n)
}

/// Reserves `n` case numbers; returns the last (the batch's are `last - n + 1 ..= last`).
pub async fn reserve_case_numbers(c: &mut Conn, org_id: i64, n: i64) -> Result<i64> {
    let (last,): (i64,) = sqlx::query_as(
        "UPDATE organization SET case_seq = case_seq + $2 WHERE id = $1 RETURNING case_seq",
    )
    .bind(org_id)
    .bind(n)
    .fetch_one(c)
    .await?;
    Ok(last)
}

/// The organisation's own time zone and opening hours (for contacts not tied to a site).
pub async fn org_calendar(c: &mut Conn, org_id: i64) -> Result<(String, String)> {
    Ok(
        sqlx::query_as("SELECT time_zone, opening_hours FROM organization WHERE id = $1")
            .bind(org_id)
            .fetch_one(c)
            .await?,
    )
}

pub async fn set_site_closures(
    c: &mut Conn,
    org_id: i64,
    site_id: i64,
    closures: &str,
) -> Result<()> {
    sqlx::query("UPDATE site SET closures = $3 WHERE org_id = $1 AND id = $2")
        .bind(org_id)
        .bind(site_id)
        .bind(closures)
        .execute(c)
        .await?;
    Ok(())
}

pub struct NewSite<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub kind: &'a str,
    pub time_zone: &'a str,
    pub opening_hours: &'a str,
}

pub async fn insert_site(c: &mut Conn, org_id: i64, s: &NewSite<'_>, now: i64) -> Result<Site> {
    sqlx::query_as(
        "INSERT INTO site (org_id, code, name, kind, time_zone, opening_hours, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         RETURNING id, code, name, kind, time_zone, opening_hours, closures",
    )
    .bind(org_id)
    .bind(s.code)
    .bind(s.name)
    .bind(s.kind)
    .bind(s.time_zone)
    .bind(s.opening_hours)
    .bind(now)
    .fetch_one(c)
    .await
    .map_err(conflict)
}

pub async fn list_sites(c: &mut Conn, org_id: i64) -> Result<Vec<Site>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {SITE_COLS} FROM site WHERE org_id = $1 ORDER BY name"
    )))
    .bind(org_id)
    .fetch_all(c)
    .await?)
}

pub async fn site_by_code(c: &mut Conn, org_id: i64, code: &str) -> Result<Option<Site>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {SITE_COLS} FROM site WHERE org_id = $1 AND code = $2"
    )))
    .bind(org_id)
    .bind(code)
    .fetch_optional(c)
    .await?)
}

pub async fn site_by_id(c: &mut Conn, org_id: i64, id: i64) -> Result<Option<Site>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {SITE_COLS} FROM site WHERE org_id = $1 AND id = $2"
    )))
    .bind(org_id)
    .bind(id)
    .fetch_optional(c)
    .await?)
}

pub async fn insert_team(
    c: &mut Conn,
    org_id: i64,
    name: &str,
    site_id: Option<i64>,
    now: i64,
) -> Result<Team> {
    sqlx::query_as(
        "INSERT INTO team (org_id, name, site_id, created_at) VALUES ($1, $2, $3, $4) RETURNING id, name, site_id",
    )
    .bind(org_id)
    .bind(name)
    .bind(site_id)
    .bind(now)
    .fetch_one(c)
    .await
    .map_err(conflict)
}

pub async fn list_teams(c: &mut Conn, org_id: i64) -> Result<Vec<Team>> {
    Ok(
        sqlx::query_as("SELECT id, name, site_id FROM team WHERE org_id = $1 ORDER BY name")
            .bind(org_id)
            .fetch_all(c)
            .await?,
    )
}

pub async fn team_in_org(c: &mut Conn, org_id: i64, id: i64) -> Result<Option<Team>> {
    Ok(
        sqlx::query_as("SELECT id, name, site_id FROM team WHERE org_id = $1 AND id = $2")
            .bind(org_id)
            .bind(id)
            .fetch_optional(c)
            .await?,
    )
}

pub struct NewUser<'a> {
    pub email: &'a str,
    pub email_key: &'a str,
    pub name: &'a str,
    pub role: &'a str,
    pub team_id: Option<i64>,
    pub password_hash: Option<&'a str>,
}

pub async fn insert_user(c: &mut Conn, org_id: i64, u: &NewUser<'_>, now: i64) -> Result<User> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "INSERT INTO app_user (org_id, email, email_key, name, role, team_id, password_hash, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {USER_COLS}"
    )))
    .bind(org_id)
    .bind(u.email)
    .bind(u.email_key)
    .bind(u.name)
    .bind(u.role)
    .bind(u.team_id)
    .bind(u.password_hash)
    .bind(now)
    .fetch_one(c)
    .await
    .map_err(conflict)
}

pub async fn user_by_email_key(c: &mut Conn, email_key: &str) -> Result<Option<User>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {USER_COLS} FROM app_user WHERE email_key = $1 AND active = 1"
    )))
    .bind(email_key)
    .fetch_optional(c)
    .await?)
}

pub async fn user_in_org(c: &mut Conn, org_id: i64, id: i64) -> Result<Option<User>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {USER_COLS} FROM app_user WHERE org_id = $1 AND id = $2"
    )))
    .bind(org_id)
    .bind(id)
    .fetch_optional(c)
    .await?)
}

pub async fn user_by_id(c: &mut Conn, id: i64) -> Result<Option<User>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {USER_COLS} FROM app_user WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(c)
    .await?)
}

pub async fn list_users(c: &mut Conn, org_id: i64) -> Result<Vec<User>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {USER_COLS} FROM app_user WHERE org_id = $1 ORDER BY name"
    )))
    .bind(org_id)
    .fetch_all(c)
    .await?)
}

/// Writes a user's name, role, team and whether they may sign in.
pub async fn update_user(c: &mut Conn, org_id: i64, u: &User) -> Result<()> {
    sqlx::query(
        "UPDATE app_user SET name = $3, role = $4, team_id = $5, active = $6 WHERE org_id = $1 AND id = $2",
    )
    .bind(org_id)
    .bind(u.id)
    .bind(&u.name)
    .bind(&u.role)
    .bind(u.team_id)
    .bind(u.active)
    .execute(c)
    .await?;
    Ok(())
}

/// Active administrators of the organisation.
pub async fn active_admins(c: &mut Conn, org_id: i64) -> Result<i64> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM app_user WHERE org_id = $1 AND role = 'admin' AND active = 1",
    )
    .bind(org_id)
    .fetch_one(c)
    .await?;
    Ok(n)
}

pub async fn set_user_lang(c: &mut Conn, user_id: i64, lang: &str) -> Result<()> {
    sqlx::query("UPDATE app_user SET lang = $1 WHERE id = $2")
        .bind(lang)
        .bind(user_id)
        .execute(c)
        .await?;
    Ok(())
}

pub async fn set_user_password(c: &mut Conn, user_id: i64, hash: &str) -> Result<()> {
    sqlx::query("UPDATE app_user SET password_hash = $1 WHERE id = $2")
        .bind(hash)
        .bind(user_id)
        .execute(c)
        .await?;
    Ok(())
}

pub async fn audit(
    c: &mut Conn,
    org_id: i64,
    user_id: Option<i64>,
    at: i64,
    action: &str,
    target: &str,
    detail: &str,
) -> Result<()> {
    sqlx::query("INSERT INTO audit_log (org_id, user_id, at, action, target, detail) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(org_id)
        .bind(user_id)
        .bind(at)
        .bind(action)
        .bind(target)
        .bind(detail)
        .execute(c)
        .await?;
    Ok(())
}
