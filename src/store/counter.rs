//! The counter queue: services offered at the counters, and the numbered tickets of a day.

use super::{Conn, Error, Result, conflict};
use serde::Serialize;

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Service {
    pub id: i64,
    pub code: String,
    pub name_fr: String,
    pub name_en: String,
}

pub async fn insert_service(
    c: &mut Conn,
    org_id: i64,
    code: &str,
    name_fr: &str,
    name_en: &str,
    position: i64,
) -> Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO counter_service (org_id, code, name_fr, name_en, position)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(org_id)
    .bind(code)
    .bind(name_fr)
    .bind(name_en)
    .bind(position)
    .fetch_one(c)
    .await
    .map_err(conflict)?;
    Ok(id)
}

pub async fn services(c: &mut Conn, org_id: i64) -> Result<Vec<Service>> {
    Ok(sqlx::query_as(
        "SELECT id, code, name_fr, name_en FROM counter_service WHERE org_id = $1 ORDER BY position, code",
    )
    .bind(org_id)
    .fetch_all(c)
    .await?)
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Ticket {
    pub id: i64,
    pub site_id: i64,
    pub service_id: i64,
    pub label: String,
    pub customer_id: Option<i64>,
    pub status: String,
    #[serde(serialize_with = "super::wire::time")]
    #[schema(value_type = String, format = DateTime)]
    pub issued_at: i64,
    #[serde(serialize_with = "super::wire::time_opt")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub called_at: Option<i64>,
    pub desk: Option<String>,
    pub called_by: Option<i64>,
    #[serde(serialize_with = "super::wire::time_opt")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub ended_at: Option<i64>,
    pub interaction_id: Option<i64>,
    pub note: String,
}

const COLS: &str = "id, site_id, service_id, label, customer_id, status, issued_at, called_at,
    desk, called_by, ended_at, interaction_id, note";

pub struct NewTicket<'a> {
    pub site_id: i64,
    pub service_id: i64,
    pub service_code: &'a str,
    pub day: &'a str,
    pub customer_id: Option<i64>,
}

/// Issues the next number of the day for a service at a site ("C007"). Two kiosks racing on
/// PostgreSQL collide on the unique number; the caller's retry takes the next one.
pub async fn issue(c: &mut Conn, org_id: i64, t: &NewTicket<'_>, now: i64) -> Result<Ticket> {
    let (seq,): (i64,) = sqlx::query_as(
        "SELECT COALESCE(MAX(seq), 0) + 1 FROM counter_ticket
         WHERE site_id = $1 AND day = $2 AND service_id = $3",
    )
    .bind(t.site_id)
    .bind(t.day)
    .bind(t.service_id)
    .fetch_one(&mut *c)
    .await?;
    let label = format!("{}{seq:03}", t.service_code);
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "INSERT INTO counter_ticket (org_id, site_id, service_id, day, seq, label, customer_id,
            status, issued_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'waiting', $8) RETURNING {COLS}"
    )))
    .bind(org_id)
    .bind(t.site_id)
    .bind(t.service_id)
    .bind(t.day)
    .bind(seq)
    .bind(&label)
    .bind(t.customer_id)
    .bind(now)
    .fetch_one(c)
    .await
    .map_err(conflict)
}

pub async fn by_id(c: &mut Conn, org_id: i64, id: i64) -> Result<Option<Ticket>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM counter_ticket WHERE org_id = $1 AND id = $2"
    )))
    .bind(org_id)
    .bind(id)
    .fetch_optional(c)
    .await?)
}

/// Tickets of a site and day in one status, in order of issue.
pub async fn of_day(
    c: &mut Conn,
    site_id: i64,
    day: &str,
    status: &str,
    newest_first: bool,
    limit: i64,
) -> Result<Vec<Ticket>> {
    let order = if newest_first {
        "called_at DESC, id DESC"
    } else {
        "issued_at, id"
    };
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM counter_ticket WHERE site_id = $1 AND day = $2 AND status = $3
         ORDER BY {order} LIMIT $4"
    )))
    .bind(site_id)
    .bind(day)
    .bind(status)
    .bind(limit)
    .fetch_all(c)
    .await?)
}

/// Calls the oldest waiting ticket (of one service, or any); `None` when nobody waits.
pub async fn call_next(
    c: &mut Conn,
    site_id: i64,
    service_id: Option<i64>,
    desk: &str,
    by: i64,
    now: i64,
) -> Result<Option<Ticket>> {
    for _ in 0..5 {
        let next: Option<(i64,)> = sqlx::query_as(
            "SELECT id FROM counter_ticket WHERE site_id = $1 AND status = 'waiting'
               AND ($2 IS NULL OR service_id = $2)
             ORDER BY issued_at, id LIMIT 1",
        )
        .bind(site_id)
        .bind(service_id)
        .fetch_optional(&mut *c)
        .await?;
        let Some((id,)) = next else { return Ok(None) };
        // Guarded on the status: another desk may have called it in between (PostgreSQL).
        let called: Option<Ticket> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "UPDATE counter_ticket SET status = 'called', called_at = $2, desk = $3, called_by = $4
             WHERE id = $1 AND status = 'waiting' RETURNING {COLS}"
        )))
        .bind(id)
        .bind(now)
        .bind(desk)
        .bind(by)
        .fetch_optional(&mut *c)
        .await?;
        if called.is_some() {
            return Ok(called);
        }
    }
    Err(Error::Conflict("counter_ticket busy".into()))
}

/// Ends a called ticket: served (`done`) or not there (`no_show`).
pub async fn end(
    c: &mut Conn,
    id: i64,
    status: &str,
    customer_id: Option<i64>,
    interaction_id: Option<i64>,
    note: &str,
    now: i64,
) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE counter_ticket SET status = $2, ended_at = $3,
            customer_id = COALESCE($4, customer_id), interaction_id = $5, note = $6
         WHERE id = $1 AND status = 'called'",
    )
    .bind(id)
    .bind(status)
    .bind(now)
    .bind(customer_id)
    .bind(interaction_id)
    .bind(note)
    .execute(c)
    .await?;
    Ok(r.rows_affected() == 1)
}
