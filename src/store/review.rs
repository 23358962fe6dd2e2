//! Reviews: invitations after a verified experience, the reviews themselves (never deleted by
//! moderation), readers' flags, and the per-star tally the public pages read.

use super::{Conn, Result, Sql};
use crate::domain::review::Rating;
use serde::Serialize;

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Invitation {
    pub id: i64,
    pub org_id: i64,
    pub site_id: Option<i64>,
    pub customer_id: i64,
    pub experience: String,
    pub reference: String,
    pub about: String,
    pub lang: String,
    #[serde(serialize_with = "super::wire::time")]
    #[schema(value_type = String, format = DateTime)]
    pub experienced_at: i64,
    #[serde(serialize_with = "super::wire::time")]
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: i64,
    pub email_id: Option<i64>,
    #[serde(serialize_with = "super::wire::time_opt")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub used_at: Option<i64>,
}

const INVITATION_COLS: &str = "id, org_id, site_id, customer_id, experience, reference, about,
    lang, experienced_at, expires_at, email_id, used_at";

/// Records an invitation; `None` when the experience already has one.
pub async fn insert_invitation(c: &mut Conn, i: &Invitation, now: i64) -> Result<Option<i64>> {
    let row: Option<(i64,)> = sqlx::query_as(
        "INSERT INTO review_invitation (org_id, site_id, customer_id, experience, reference, about,
            lang, experienced_at, expires_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (org_id, experience, reference) DO NOTHING RETURNING id",
    )
    .bind(i.org_id)
    .bind(i.site_id)
    .bind(i.customer_id)
    .bind(&i.experience)
    .bind(&i.reference)
    .bind(&i.about)
    .bind(&i.lang)
    .bind(i.experienced_at)
    .bind(i.expires_at)
    .bind(now)
    .fetch_optional(c)
    .await?;
    Ok(row.map(|r| r.0))
}

pub async fn invitation(c: &mut Conn, id: i64) -> Result<Option<Invitation>> {
    let sql = format!("SELECT {INVITATION_COLS} FROM review_invitation WHERE id = $1");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(c)
        .await?)
}

pub async fn invitation_for(
    c: &mut Conn,
    org_id: i64,
    experience: &str,
    reference: &str,
) -> Result<Option<Invitation>> {
    let sql = format!(
        "SELECT {INVITATION_COLS} FROM review_invitation WHERE org_id = $1 AND experience = $2 AND reference = $3"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(org_id)
        .bind(experience)
        .bind(reference)
        .fetch_optional(c)
        .await?)
}

pub async fn set_invitation_email(c: &mut Conn, id: i64, email_id: i64) -> Result<()> {
    sqlx::query("UPDATE review_invitation SET email_id = $1 WHERE id = $2")
        .bind(email_id)
        .bind(id)
        .execute(c)
        .await?;
    Ok(())
}

/// One review per invitation: true for the one request that uses it.
pub async fn use_invitation(c: &mut Conn, id: i64, now: i64) -> Result<bool> {
    let r =
        sqlx::query("UPDATE review_invitation SET used_at = $1 WHERE id = $2 AND used_at IS NULL")
            .bind(now)
            .bind(id)
            .execute(c)
            .await?;
    Ok(r.rows_affected() == 1)
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Review {
    pub id: i64,
    pub org_id: i64,
    pub site_id: Option<i64>,
    pub invitation_id: i64,
    pub customer_id: i64,
    pub author: String,
    pub stars: i64,
    pub comment: String,
    pub lang: String,
    #[serde(serialize_with = "super::wire::time")]
    #[schema(value_type = String, format = DateTime)]
    pub experienced_at: i64,
    #[serde(serialize_with = "super::wire::time")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: i64,
    pub status: String,
    pub reason: Option<String>,
    #[serde(serialize_with = "super::wire::time_opt")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub decided_at: Option<i64>,
    #[serde(serialize_with = "super::wire::time_opt")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub withdrawn_at: Option<i64>,
    pub reply: Option<String>,
    #[serde(serialize_with = "super::wire::time_opt")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub replied_at: Option<i64>,
    pub flags: i64,
}

const REVIEW_COLS: &str = "id, org_id, site_id, invitation_id, customer_id, author, stars,
    comment, lang, experienced_at, created_at, status, reason, decided_at, withdrawn_at, reply,
    replied_at, flags";

pub async fn insert_review(c: &mut Conn, r: &Review) -> Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO review (org_id, site_id, invitation_id, customer_id, author, stars, comment,
            lang, experienced_at, created_at, status)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(r.org_id)
    .bind(r.site_id)
    .bind(r.invitation_id)
    .bind(r.customer_id)
    .bind(&r.author)
    .bind(r.stars)
    .bind(&r.comment)
    .bind(&r.lang)
    .bind(r.experienced_at)
    .bind(r.created_at)
    .bind(&r.status)
    .fetch_one(c)
    .await?;
    Ok(id)
}

pub async fn review(c: &mut Conn, org_id: i64, id: i64) -> Result<Option<Review>> {
    let sql = format!("SELECT {REVIEW_COLS} FROM review WHERE org_id = $1 AND id = $2");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(org_id)
        .bind(id)
        .fetch_optional(c)
        .await?)
}

pub async fn review_of_invitation(c: &mut Conn, invitation_id: i64) -> Result<Option<Review>> {
    let sql = format!("SELECT {REVIEW_COLS} FROM review WHERE invitation_id = $1");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(invitation_id)
        .fetch_optional(c)
        .await?)
}

/// Reviews newest first, keyset-paged on (created_at, id); `status` None = every status.
pub async fn reviews(
    c: &mut Conn,
    org_id: i64,
    site_id: Option<i64>,
    status: Option<&str>,
    customer_id: Option<i64>,
    before: Option<(i64, i64)>,
    limit: i64,
) -> Result<Vec<Review>> {
    let mut q = Sql::new(format!("SELECT {REVIEW_COLS} FROM review WHERE org_id = "));
    q.int(org_id);
    if let Some(s) = site_id {
        q.push(" AND site_id = ").int(s);
    }
    if let Some(s) = status {
        q.push(" AND status = ").text(s);
    }
    if let Some(cu) = customer_id {
        q.push(" AND customer_id = ").int(cu);
    }
    if let Some((at, id)) = before {
        q.push(" AND (created_at, id) < (").int(at);
        q.push(", ").int(id);
        q.push(")");
    }
    q.push(" ORDER BY created_at DESC, id DESC LIMIT ")
        .int(limit);
    Ok(q.query_as().fetch_all(c).await?)
}

/// Moves a review between states; false when it was not in `from`.
#[allow(clippy::too_many_arguments)]
pub async fn set_status(
    c: &mut Conn,
    id: i64,
    from: &str,
    to: &str,
    reason: Option<&str>,
    by: Option<i64>,
    now: i64,
) -> Result<bool> {
    let withdrawn = (to == "withdrawn").then_some(now);
    let r = sqlx::query(
        "UPDATE review SET status = $1, reason = COALESCE($2, reason),
            decided_by = COALESCE($3, decided_by), decided_at = COALESCE($4, decided_at),
            withdrawn_at = COALESCE($5, withdrawn_at)
         WHERE id = $6 AND status = $7",
    )
    .bind(to)
    .bind(reason)
    .bind(by)
    .bind(by.map(|_| now))
    .bind(withdrawn)
    .bind(id)
    .bind(from)
    .execute(c)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn set_reply(c: &mut Conn, id: i64, reply: &str, by: i64, now: i64) -> Result<()> {
    sqlx::query("UPDATE review SET reply = $1, replied_at = $2, replied_by = $3 WHERE id = $4")
        .bind(reply)
        .bind(now)
        .bind(by)
        .bind(id)
        .execute(c)
        .await?;
    Ok(())
}

/// A reader's flag; false when this reader already flagged the review.
pub async fn flag(
    c: &mut Conn,
    review_id: i64,
    reason: &str,
    source_key: &str,
    now: i64,
) -> Result<bool> {
    let r = sqlx::query(
        "INSERT INTO review_flag (review_id, reason, source_key, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (review_id, source_key) DO NOTHING",
    )
    .bind(review_id)
    .bind(reason)
    .bind(source_key)
    .bind(now)
    .execute(&mut *c)
    .await?;
    if r.rows_affected() == 0 {
        return Ok(false);
    }
    sqlx::query("UPDATE review SET flags = flags + 1 WHERE id = $1")
        .bind(review_id)
        .execute(c)
        .await?;
    Ok(true)
}

/// Adds `delta` (+1 or −1) to the star count of a site and of the whole organisation.
pub async fn add_tally(
    c: &mut Conn,
    org_id: i64,
    site_id: Option<i64>,
    stars: i64,
    delta: i64,
) -> Result<()> {
    let col = match stars {
        1 => "s1",
        2 => "s2",
        3 => "s3",
        4 => "s4",
        _ => "s5",
    };
    let sql = format!(
        "INSERT INTO review_tally (org_id, site_id, {col}) VALUES ($1, $2, $3)
         ON CONFLICT (org_id, site_id) DO UPDATE SET {col} = review_tally.{col} + excluded.{col}"
    );
    let mut sites = vec![0];
    sites.extend(site_id);
    for s in sites {
        sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
            .bind(org_id)
            .bind(s)
            .bind(delta)
            .execute(&mut *c)
            .await?;
    }
    Ok(())
}

/// The rating of a site, or of the organisation with `site_id` None.
pub async fn rating(c: &mut Conn, org_id: i64, site_id: Option<i64>) -> Result<Rating> {
    let row: Option<(i64, i64, i64, i64, i64)> = sqlx::query_as(
        "SELECT s1, s2, s3, s4, s5 FROM review_tally WHERE org_id = $1 AND site_id = $2",
    )
    .bind(org_id)
    .bind(site_id.unwrap_or(0))
    .fetch_optional(c)
    .await?;
    Ok(row.map_or(Rating::default(), |(a, b, c, d, e)| Rating {
        stars: [a, b, c, d, e],
    }))
}
