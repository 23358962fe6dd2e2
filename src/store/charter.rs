//! Commitments and their versions, measures and per-period results, non-conformities,
//! compensations and their limits, the alert outbox.

use super::{Conn, Result, conflict};
use futures_util::TryStreamExt;
use serde::Serialize;

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct Commitment {
    pub id: i64,
    pub org_id: i64,
    pub family_id: i64,
    pub version: i64,
    pub status: String,
    pub position: i64,
    pub title_fr: String,
    pub title_en: String,
    pub wording_fr: String,
    pub wording_en: String,
    pub metric: String,
    pub channels: String,
    pub site_ids: String,
    pub kinds: String,
    pub categories: String,
    pub nominal_ms: Option<i64>,
    pub requirement_bp: i64,
    pub unacceptable_ms: Option<i64>,
    pub business_time: i64,
    pub exclude_pending: i64,
    pub period: String,
    pub compensation_gesture: Option<String>,
    pub compensation_cents: Option<i64>,
    pub alert_webhook: Option<String>,
    #[serde(serialize_with = "super::wire::time_opt")]
    pub backtested_at: Option<i64>,
    #[serde(serialize_with = "super::wire::time_opt")]
    pub published_at: Option<i64>,
    #[serde(serialize_with = "super::wire::time_opt")]
    pub retired_at: Option<i64>,
    #[serde(serialize_with = "super::wire::time")]
    pub created_at: i64,
}

const COLS: &str = "id, org_id, family_id, version, status, position, title_fr, title_en,
    wording_fr, wording_en, metric, channels, site_ids, kinds, categories, nominal_ms,
    requirement_bp, unacceptable_ms, business_time, exclude_pending, period, compensation_gesture,
    compensation_cents, alert_webhook, backtested_at, published_at, retired_at, created_at";

/// The definition columns a user edits (everything but identity, version and lifecycle).
pub struct Definition<'a> {
    pub position: i64,
    pub title_fr: &'a str,
    pub title_en: &'a str,
    pub wording_fr: &'a str,
    pub wording_en: &'a str,
    pub metric: &'a str,
    pub channels: &'a str,
    pub site_ids: &'a str,
    pub kinds: &'a str,
    pub categories: &'a str,
    pub nominal_ms: Option<i64>,
    pub requirement_bp: i64,
    pub unacceptable_ms: Option<i64>,
    pub business_time: bool,
    pub exclude_pending: bool,
    pub period: &'a str,
    pub compensation_gesture: Option<&'a str>,
    pub compensation_cents: Option<i64>,
    pub alert_webhook: Option<&'a str>,
}

/// Inserts a draft. `family` is the commitment it is a new version of (`None`: a new one).
pub async fn insert(
    c: &mut Conn,
    org_id: i64,
    family: Option<(i64, i64)>,
    d: &Definition<'_>,
    by: Option<i64>,
    now: i64,
) -> Result<i64> {
    let (family_id, version) = family.unwrap_or((0, 1));
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO commitment (org_id, family_id, version, status, position, title_fr, title_en,
            wording_fr, wording_en, metric, channels, site_ids, kinds, categories, nominal_ms,
            requirement_bp, unacceptable_ms, business_time, exclude_pending, period,
            compensation_gesture, compensation_cents, alert_webhook, created_by, created_at)
         VALUES ($1, $2, $3, 'draft', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
            $17, $18, $19, $20, $21, $22, $23, $24)
         RETURNING id",
    )
    .bind(org_id)
    .bind(family_id)
    .bind(version)
    .bind(d.position)
    .bind(d.title_fr)
    .bind(d.title_en)
    .bind(d.wording_fr)
    .bind(d.wording_en)
    .bind(d.metric)
    .bind(d.channels)
    .bind(d.site_ids)
    .bind(d.kinds)
    .bind(d.categories)
    .bind(d.nominal_ms)
    .bind(d.requirement_bp)
    .bind(d.unacceptable_ms)
    .bind(i64::from(d.business_time))
    .bind(i64::from(d.exclude_pending))
    .bind(d.period)
    .bind(d.compensation_gesture)
    .bind(d.compensation_cents)
    .bind(d.alert_webhook)
    .bind(by)
    .bind(now)
    .fetch_one(&mut *c)
    .await
    .map_err(conflict)?;
    if family.is_none() {
        sqlx::query("UPDATE commitment SET family_id = id WHERE id = $1")
            .bind(id)
            .execute(c)
            .await?;
    }
    Ok(id)
}

/// Rewrites a draft's definition; a draft edited must be backtested again.
pub async fn update_draft(c: &mut Conn, id: i64, d: &Definition<'_>) -> Result<()> {
    sqlx::query(
        "UPDATE commitment SET position = $2, title_fr = $3, title_en = $4, wording_fr = $5,
            wording_en = $6, metric = $7, channels = $8, site_ids = $9, kinds = $10,
            categories = $11, nominal_ms = $12, requirement_bp = $13, unacceptable_ms = $14,
            business_time = $15, exclude_pending = $16, period = $17, compensation_gesture = $18,
            compensation_cents = $19, alert_webhook = $20, backtested_at = NULL
         WHERE id = $1 AND status = 'draft'",
    )
    .bind(id)
    .bind(d.position)
    .bind(d.title_fr)
    .bind(d.title_en)
    .bind(d.wording_fr)
    .bind(d.wording_en)
    .bind(d.metric)
    .bind(d.channels)
    .bind(d.site_ids)
    .bind(d.kinds)
    .bind(d.categories)
    .bind(d.nominal_ms)
    .bind(d.requirement_bp)
    .bind(d.unacceptable_ms)
    .bind(i64::from(d.business_time))
    .bind(i64::from(d.exclude_pending))
    .bind(d.period)
    .bind(d.compensation_gesture)
    .bind(d.compensation_cents)
    .bind(d.alert_webhook)
    .execute(c)
    .await?;
    Ok(())
}

pub async fn by_id(c: &mut Conn, org_id: i64, id: i64) -> Result<Option<Commitment>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM commitment WHERE org_id = $1 AND id = $2"
    )))
    .bind(org_id)
    .bind(id)
    .fetch_optional(c)
    .await?)
}

/// Every version of every commitment, in charter order, newest version first.
pub async fn list(c: &mut Conn, org_id: i64) -> Result<Vec<Commitment>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM commitment WHERE org_id = $1 ORDER BY position, family_id, version DESC"
    )))
    .bind(org_id)
    .fetch_all(c)
    .await?)
}

/// Versions that measure contacts: published ones and retired ones (for contacts of their time).
pub async fn measuring(c: &mut Conn, org_id: i64) -> Result<Vec<Commitment>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM commitment WHERE org_id = $1 AND published_at IS NOT NULL
         ORDER BY position, family_id, version"
    )))
    .bind(org_id)
    .fetch_all(c)
    .await?)
}

pub async fn set_backtested(c: &mut Conn, id: i64, at: i64) -> Result<()> {
    sqlx::query("UPDATE commitment SET backtested_at = $2 WHERE id = $1")
        .bind(id)
        .bind(at)
        .execute(c)
        .await?;
    Ok(())
}

pub async fn publish(c: &mut Conn, id: i64, at: i64) -> Result<()> {
    sqlx::query("UPDATE commitment SET status = 'published', published_at = $2 WHERE id = $1")
        .bind(id)
        .bind(at)
        .execute(c)
        .await?;
    Ok(())
}

pub async fn retire(c: &mut Conn, id: i64, at: i64) -> Result<()> {
    sqlx::query("UPDATE commitment SET status = 'retired', retired_at = $2 WHERE id = $1")
        .bind(id)
        .bind(at)
        .execute(c)
        .await?;
    Ok(())
}

/// A measured contact; `commitment_result` follows these rows by trigger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Measure {
    pub site_id: i64,
    pub period: String,
    pub anchor_at: i64,
    pub value_ms: Option<i64>,
    pub met: i64,
    pub unacceptable: i64,
}

/// Writes measures, many rows per statement (a batch of contacts measures many at once). Each
/// (commitment, subject) must appear once.
pub async fn put_measures(c: &mut Conn, rows: &[(i64, &str, &Measure)]) -> Result<()> {
    // Small chunks: sqlx's SQLite driver resolves each `$N` by scanning the statement's
    // parameters, so the cost of one statement grows with the square of its parameters.
    for chunk in rows.chunks(32) {
        let mut q = super::Sql::new(
            "INSERT INTO commitment_measure
                (commitment_id, subject, site_id, period, anchor_at, value_ms, met, unacceptable) VALUES ",
        );
        for (i, (id, subject, m)) in chunk.iter().enumerate() {
            q.push(if i == 0 { "(" } else { ", (" });
            q.int(*id)
                .push(", ")
                .text(subject)
                .push(", ")
                .int(m.site_id)
                .push(", ");
            q.text(&m.period).push(", ").int(m.anchor_at).push(", ");
            q.bind(super::Bind::OptInt(m.value_ms))
                .push(", ")
                .int(m.met)
                .push(", ");
            q.int(m.unacceptable).push(")");
        }
        q.push(
            " ON CONFLICT (commitment_id, subject) DO UPDATE SET site_id = excluded.site_id,
                period = excluded.period, anchor_at = excluded.anchor_at, value_ms = excluded.value_ms,
                met = excluded.met, unacceptable = excluded.unacceptable",
        );
        q.query().execute(&mut *c).await?;
    }
    Ok(())
}

pub async fn delete_measure(c: &mut Conn, commitment_id: i64, subject: &str) -> Result<()> {
    sqlx::query("DELETE FROM commitment_measure WHERE commitment_id = $1 AND subject = $2")
        .bind(commitment_id)
        .bind(subject)
        .execute(c)
        .await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct ResultRow {
    pub commitment_id: i64,
    pub site_id: i64,
    pub period: String,
    pub total: i64,
    pub met: i64,
    pub unacceptable: i64,
}

/// Results of some commitment versions from a period on (periods are "YYYY-MM-DD" strings).
pub async fn results(c: &mut Conn, ids: &[i64], from_period: &str) -> Result<Vec<ResultRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = super::Sql::new(
        "SELECT commitment_id, site_id, period, total, met, unacceptable FROM commitment_result
         WHERE period >= ",
    );
    q.text(from_period).push(" AND commitment_id IN (");
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            q.push(", ");
        }
        q.int(*id);
    }
    q.push(") ORDER BY period, commitment_id, site_id");
    Ok(q.query_as().fetch_all(c).await?)
}

pub struct NewNonconformity<'a> {
    pub commitment_id: i64,
    pub subject: &'a str,
    pub site_id: Option<i64>,
    pub case_id: Option<i64>,
    pub customer_id: Option<i64>,
    pub value_ms: Option<i64>,
    pub occurred_at: i64,
}

/// Records a crossing of the unacceptable bound once per contact; `None` if already recorded.
pub async fn insert_nonconformity(
    c: &mut Conn,
    org_id: i64,
    n: &NewNonconformity<'_>,
    now: i64,
) -> Result<Option<i64>> {
    let row: Option<(i64,)> = sqlx::query_as(
        "INSERT INTO nonconformity (org_id, commitment_id, subject, site_id, case_id, customer_id,
            value_ms, occurred_at, status, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'open', $9)
         ON CONFLICT (commitment_id, subject) DO NOTHING RETURNING id",
    )
    .bind(org_id)
    .bind(n.commitment_id)
    .bind(n.subject)
    .bind(n.site_id)
    .bind(n.case_id)
    .bind(n.customer_id)
    .bind(n.value_ms)
    .bind(n.occurred_at)
    .bind(now)
    .fetch_optional(c)
    .await?;
    Ok(row.map(|r| r.0))
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Nonconformity {
    pub id: i64,
    pub commitment_id: i64,
    pub subject: String,
    pub site_id: Option<i64>,
    pub case_id: Option<i64>,
    pub customer_id: Option<i64>,
    pub value_ms: Option<i64>,
    #[serde(serialize_with = "super::wire::time")]
    #[schema(value_type = String, format = DateTime)]
    pub occurred_at: i64,
    pub status: String,
    #[serde(serialize_with = "super::wire::time")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: i64,
}

pub async fn nonconformities(c: &mut Conn, org_id: i64, limit: i64) -> Result<Vec<Nonconformity>> {
    Ok(sqlx::query_as(
        "SELECT id, commitment_id, subject, site_id, case_id, customer_id, value_ms, occurred_at,
            status, created_at
         FROM nonconformity WHERE org_id = $1 ORDER BY occurred_at DESC, id DESC LIMIT $2",
    )
    .bind(org_id)
    .bind(limit)
    .fetch_all(c)
    .await?)
}

pub struct NewCompensation<'a> {
    pub nonconformity_id: Option<i64>,
    pub commitment_id: Option<i64>,
    pub case_id: Option<i64>,
    pub customer_id: Option<i64>,
    pub site_id: Option<i64>,
    pub reason: &'a str,
    pub gesture: &'a str,
    pub amount_cents: i64,
    pub status: &'a str,
    pub decided_by_user: Option<i64>,
    pub decided_by_rule: Option<&'a str>,
    pub decided_at: Option<i64>,
}

pub async fn insert_compensation(
    c: &mut Conn,
    org_id: i64,
    n: &NewCompensation<'_>,
    now: i64,
) -> Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO compensation (org_id, nonconformity_id, commitment_id, case_id, customer_id,
            site_id, reason, gesture, amount_cents, status, decided_by_user, decided_by_rule,
            decided_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
    )
    .bind(org_id)
    .bind(n.nonconformity_id)
    .bind(n.commitment_id)
    .bind(n.case_id)
    .bind(n.customer_id)
    .bind(n.site_id)
    .bind(n.reason)
    .bind(n.gesture)
    .bind(n.amount_cents)
    .bind(n.status)
    .bind(n.decided_by_user)
    .bind(n.decided_by_rule)
    .bind(n.decided_at)
    .bind(now)
    .fetch_one(c)
    .await?;
    Ok(id)
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Compensation {
    pub id: i64,
    pub nonconformity_id: Option<i64>,
    pub commitment_id: Option<i64>,
    pub case_id: Option<i64>,
    pub case_number: Option<i64>,
    pub customer_id: Option<i64>,
    pub customer_name: Option<String>,
    pub site_id: Option<i64>,
    pub reason: String,
    pub gesture: String,
    pub amount_cents: i64,
    pub status: String,
    pub decided_by_user: Option<i64>,
    pub decided_by_name: Option<String>,
    pub decided_by_rule: Option<String>,
    #[serde(serialize_with = "super::wire::time_opt")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub decided_at: Option<i64>,
    #[serde(serialize_with = "super::wire::time")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: i64,
}

const COMPENSATION_SELECT: &str = "SELECT m.id, m.nonconformity_id, m.commitment_id, m.case_id,
        sc.number AS case_number, m.customer_id, cu.display_name AS customer_name, m.site_id,
        m.reason, m.gesture, m.amount_cents, m.status, m.decided_by_user,
        u.name AS decided_by_name, m.decided_by_rule, m.decided_at, m.created_at
    FROM compensation m
    LEFT JOIN support_case sc ON sc.id = m.case_id
    LEFT JOIN customer cu ON cu.id = m.customer_id
    LEFT JOIN app_user u ON u.id = m.decided_by_user";

/// The ledger, newest first; `status` filters when given.
pub async fn compensations(
    c: &mut Conn,
    org_id: i64,
    status: Option<&str>,
    limit: i64,
) -> Result<Vec<Compensation>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{COMPENSATION_SELECT} WHERE m.org_id = $1 AND ($2 IS NULL OR m.status = $2)
         ORDER BY m.created_at DESC, m.id DESC LIMIT $3"
    )))
    .bind(org_id)
    .bind(status)
    .bind(limit)
    .fetch_all(c)
    .await?)
}

pub async fn compensation(c: &mut Conn, org_id: i64, id: i64) -> Result<Option<Compensation>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{COMPENSATION_SELECT} WHERE m.org_id = $1 AND m.id = $2"
    )))
    .bind(org_id)
    .bind(id)
    .fetch_optional(c)
    .await?)
}

/// Decides a proposed compensation; false if it was not pending any more.
pub async fn decide_compensation(
    c: &mut Conn,
    org_id: i64,
    id: i64,
    status: &str,
    by: i64,
    at: i64,
) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE compensation SET status = $3, decided_by_user = $4, decided_at = $5
         WHERE org_id = $1 AND id = $2 AND status = 'proposed'",
    )
    .bind(org_id)
    .bind(id)
    .bind(status)
    .bind(by)
    .bind(at)
    .execute(c)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Amounts granted and proposed since an instant: (granted count, granted cents, proposed count).
pub async fn compensation_totals(c: &mut Conn, org_id: i64, since: i64) -> Result<(i64, i64, i64)> {
    Ok(sqlx::query_as(
        "SELECT COALESCE(SUM(CASE WHEN status = 'granted' THEN 1 ELSE 0 END), 0),
                COALESCE(SUM(CASE WHEN status = 'granted' THEN amount_cents ELSE 0 END), 0),
                COALESCE(SUM(CASE WHEN status = 'proposed' THEN 1 ELSE 0 END), 0)
         FROM compensation WHERE org_id = $1 AND created_at >= $2",
    )
    .bind(org_id)
    .bind(since)
    .fetch_one(c)
    .await?)
}

pub async fn limits(c: &mut Conn, org_id: i64) -> Result<Vec<(String, i64)>> {
    Ok(sqlx::query_as(
        "SELECT role, limit_cents FROM compensation_limit WHERE org_id = $1 ORDER BY limit_cents",
    )
    .bind(org_id)
    .fetch_all(c)
    .await?)
}

pub async fn set_limit(c: &mut Conn, org_id: i64, role: &str, cents: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO compensation_limit (org_id, role, limit_cents) VALUES ($1, $2, $3)
         ON CONFLICT (org_id, role) DO UPDATE SET limit_cents = excluded.limit_cents",
    )
    .bind(org_id)
    .bind(role)
    .bind(cents)
    .execute(c)
    .await?;
    Ok(())
}

pub async fn enqueue_alert(
    c: &mut Conn,
    org_id: i64,
    target: &str,
    payload: &str,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO outbox (org_id, kind, target, payload, next_attempt_at, created_at)
         VALUES ($1, 'webhook', $2, $3, $4, $4)",
    )
    .bind(org_id)
    .bind(target)
    .bind(payload)
    .bind(now)
    .execute(c)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Outgoing {
    pub id: i64,
    pub target: String,
    pub payload: String,
    pub attempts: i64,
}

pub async fn due_alerts(c: &mut Conn, now: i64, limit: i64) -> Result<Vec<Outgoing>> {
    Ok(sqlx::query_as(
        "SELECT id, target, payload, attempts FROM outbox
         WHERE delivered_at IS NULL AND next_attempt_at <= $1 ORDER BY next_attempt_at LIMIT $2",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(c)
    .await?)
}

/// Takes an alert for delivery until `until` (a lease: another server sees it as not due);
/// false if someone else took it first.
pub async fn claim_alert(c: &mut Conn, id: i64, now: i64, until: i64) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE outbox SET next_attempt_at = $3
         WHERE id = $1 AND delivered_at IS NULL AND next_attempt_at <= $2",
    )
    .bind(id)
    .bind(now)
    .bind(until)
    .execute(c)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn alert_delivered(c: &mut Conn, id: i64, at: i64) -> Result<()> {
    sqlx::query("UPDATE outbox SET delivered_at = $2, attempts = attempts + 1 WHERE id = $1")
        .bind(id)
        .bind(at)
        .execute(c)
        .await?;
    Ok(())
}

pub async fn alert_failed(c: &mut Conn, id: i64, next_at: i64, error: &str) -> Result<()> {
    sqlx::query(
        "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $2, last_error = $3 WHERE id = $1",
    )
    .bind(id)
    .bind(next_at)
    .bind(error)
    .execute(c)
    .await?;
    Ok(())
}

/// The case columns a commitment looks at.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CaseRow {
    pub id: i64,
    pub number: i64,
    pub customer_id: i64,
    pub channel: String,
    pub site_id: Option<i64>,
    pub kind: String,
    pub category: Option<String>,
    pub subject: String,
    pub status: String,
    pub opened_at: i64,
    pub first_response_at: Option<i64>,
    pub inbound_count: i64,
    pub pending_ms: i64,
    pub solved_at: Option<i64>,
    pub reopen_count: i64,
    pub repeat_contact_at: Option<i64>,
}

impl CaseRow {
    /// The case as the charter measures it.
    pub fn state(&self) -> crate::domain::case::CaseState {
        use crate::domain::case::{CaseClock, CaseState, CaseStatus};
        CaseState {
            id: self.id,
            customer_id: self.customer_id,
            channel: self.channel.clone(),
            site_id: self.site_id,
            kind: self.kind.clone(),
            category: self.category.clone(),
            clock: CaseClock {
                status: CaseStatus::parse(&self.status).ok(),
                opened_at: self.opened_at,
                first_response_at: self.first_response_at,
                inbound_count: self.inbound_count,
                pending_ms: self.pending_ms,
                solved_at: self.solved_at,
                reopen_count: self.reopen_count,
                repeat_contact_at: self.repeat_contact_at,
                ..CaseClock::default()
            },
        }
    }
}

const CASE_COLS: &str = "id, number, customer_id, channel, site_id, kind, category, subject,
    status, opened_at, first_response_at, inbound_count, pending_ms, solved_at, reopen_count,
    repeat_contact_at";

/// Which cases a backtest looks at: opened in [from, to) within a commitment's scope (empty
/// lists: all). Periods are given by their first instants; a case falls in the last one that
/// starts at or before its opening.
pub struct CaseScan<'a> {
    pub org_id: i64,
    /// Read the whole table in order rather than through the (org, opened_at) index: faster
    /// when the range holds most of the table (measured 0.24–0.41 s against 0.65–0.79 s on
    /// 357k cases), much slower when it holds a small part. See `range_share`.
    pub table_scan: bool,
    pub periods: &'a [i64],
    pub to: i64,
    pub channels: &'a [String],
    pub site_ids: &'a [i64],
    pub kinds: &'a [String],
    pub categories: &'a [String],
}

/// The share of all cases that an organisation opened since `from` (0–1), to choose between
/// an index range and a table scan. Counting the range reads only the index.
pub async fn range_share(c: &mut Conn, org_id: i64, from: i64) -> Result<f64> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM support_case WHERE org_id = $1 AND opened_at >= $2",
    )
    .bind(org_id)
    .bind(from)
    .fetch_one(&mut *c)
    .await?;
    // Ids are allocated in order: the highest is the table's size, near enough.
    let (all,): (i64,) =
        sqlx::query_as("SELECT CAST(COALESCE(MAX(id), 0) AS BIGINT) FROM support_case")
            .fetch_one(c)
            .await?;
    Ok(if all == 0 { 0.0 } else { n as f64 / all as f64 })
}

/// How a case's delay is read: from opening to `end` ("first_response_at" or "solved_at"),
/// minus the time it waited on the customer when `exclude_pending`.
pub struct Delay {
    pub end: &'static str,
    pub exclude_pending: bool,
    pub nominal_ms: i64,
    pub unacceptable_ms: Option<i64>,
}

impl Delay {
    fn expr(&self) -> String {
        let pending = if self.exclude_pending {
            " - pending_ms"
        } else {
            ""
        };
        format!("({} - opened_at{pending})", self.end)
    }
}

fn in_list<T: Clone>(
    q: &mut super::Sql,
    column: &str,
    values: &[T],
    bind: impl Fn(&mut super::Sql, T),
) {
    if values.is_empty() {
        return;
    }
    q.push(&format!(" AND {column} IN ("));
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            q.push(", ");
        }
        bind(q, v.clone());
    }
    q.push(")");
}

/// `CASE WHEN col < p1 THEN 0 WHEN col < p2 THEN 1 … END`: the period index of an instant.
fn bucket(q: &mut super::Sql, column: &str, periods: &[i64]) {
    if periods.len() < 2 {
        q.push("0");
        return;
    }
    q.push("CASE");
    for (i, p) in periods.iter().enumerate().skip(1) {
        q.push(&format!(" WHEN {column} < "));
        q.int(*p);
        q.push(&format!(" THEN {}", i - 1));
    }
    q.push(&format!(" ELSE {} END", periods.len().saturating_sub(1)));
}

fn case_scope(q: &mut super::Sql, s: &CaseScan<'_>) {
    // A unary plus keeps both databases from using an index on the column (portable SQL).
    let plus = if s.table_scan { "+" } else { "" };
    q.push(&format!(" FROM support_case WHERE {plus}org_id = "));
    q.int(s.org_id);
    q.push(&format!(" AND {plus}opened_at >= "));
    q.int(s.periods.first().copied().unwrap_or(0));
    q.push(&format!(" AND {plus}opened_at < "));
    q.int(s.to);
    in_list(q, "channel", s.channels, |q, v| {
        q.text(&v);
    });
    in_list(q, "site_id", s.site_ids, |q, v| {
        q.int(v);
    });
    in_list(q, "kind", s.kinds, |q, v| {
        q.text(&v);
    });
    in_list(q, "category", s.categories, |q, v| {
        q.text(&v);
    });
}

/// (site or 0, period index, tally) rows.
pub type Buckets = Vec<(i64, i64, i64, i64, i64)>;

/// Counts delays in calendar time, in the database: per site and period, how many cases have
/// one, how many meet the nominal, how many cross the unacceptable bound. With `within_only`,
/// only the cases whose calendar delay already meets the nominal (business time can only be
/// shorter, so they meet it in any calendar).
pub async fn aggregate_delays(
    c: &mut Conn,
    s: &CaseScan<'_>,
    d: &Delay,
    within_only: bool,
) -> Result<Buckets> {
    let e = d.expr();
    let mut q = super::Sql::new("SELECT COALESCE(site_id, 0), ");
    bucket(&mut q, "opened_at", s.periods);
    q.push(", CAST(COUNT(*) AS BIGINT), CAST(COALESCE(SUM(CASE WHEN ");
    q.push(&e).push(" <= ");
    q.int(d.nominal_ms);
    q.push(" THEN 1 ELSE 0 END), 0) AS BIGINT), CAST(COALESCE(SUM(CASE WHEN ");
    q.push(&e).push(" > ");
    q.int(d.unacceptable_ms.unwrap_or(i64::MAX));
    q.push(" THEN 1 ELSE 0 END), 0) AS BIGINT)");
    case_scope(&mut q, s);
    q.push(&format!(" AND {} IS NOT NULL", d.end));
    if within_only {
        q.push(&format!(" AND {e} <= "));
        q.int(d.nominal_ms);
    }
    q.push(" GROUP BY 1, 2");
    Ok(q.query_as().fetch_all(c).await?)
}

/// Counts once & done in the database: cases solved (or reopened) per site and period, and
/// those solved with one contact, never reopened, no repeat contact (the rule of
/// `domain::case::CaseClock::once_and_done`).
pub async fn aggregate_once_and_done(c: &mut Conn, s: &CaseScan<'_>) -> Result<Buckets> {
    let mut q = super::Sql::new("SELECT COALESCE(site_id, 0), ");
    bucket(&mut q, "opened_at", s.periods);
    q.push(
        ", CAST(COUNT(*) AS BIGINT), CAST(COALESCE(SUM(CASE WHEN solved_at IS NOT NULL AND inbound_count <= 1
            AND reopen_count = 0 AND repeat_contact_at IS NULL THEN 1 ELSE 0 END), 0) AS BIGINT), CAST(0 AS BIGINT)",
    );
    case_scope(&mut q, s);
    q.push(" AND (solved_at IS NOT NULL OR reopen_count > 0) GROUP BY 1, 2");
    Ok(q.query_as().fetch_all(c).await?)
}

/// Streams the scanned cases whose calendar delay exceeds the nominal (the ones business time
/// must decide), or all scanned cases when `beyond` is None.
pub async fn each_case(
    c: &mut Conn,
    s: &CaseScan<'_>,
    beyond: Option<&Delay>,
    mut f: impl FnMut(CaseRow),
) -> Result<()> {
    let mut q = super::Sql::new(format!("SELECT {CASE_COLS}"));
    case_scope(&mut q, s);
    if let Some(d) = beyond {
        q.push(&format!(" AND {} IS NOT NULL AND {} > ", d.end, d.expr()));
        q.int(d.nominal_ms);
    }
    let mut rows = q.query_as::<CaseRow>().fetch(c);
    while let Some(row) = rows.try_next().await? {
        f(row);
    }
    Ok(())
}

/// Waits on one channel that started in the periods (queued_at), counted in calendar time.
#[derive(Clone, Copy)]
pub struct WaitScan<'a> {
    pub org_id: i64,
    pub channel: &'a str,
    pub periods: &'a [i64],
    pub to: i64,
    pub site_ids: &'a [i64],
    pub nominal_ms: i64,
    pub unacceptable_ms: Option<i64>,
}

pub async fn aggregate_waits(c: &mut Conn, w: &WaitScan<'_>) -> Result<Buckets> {
    let WaitScan {
        org_id,
        channel,
        periods,
        to,
        site_ids,
        nominal_ms,
        unacceptable_ms,
    } = *w;
    let from = periods.first().copied().unwrap_or(0);
    let mut q = super::Sql::new("SELECT COALESCE(site_id, 0), ");
    bucket(&mut q, "queued_at", periods);
    q.push(", CAST(COUNT(*) AS BIGINT), CAST(COALESCE(SUM(CASE WHEN answered_at - queued_at <= ");
    q.int(nominal_ms);
    q.push(" THEN 1 ELSE 0 END), 0) AS BIGINT), CAST(COALESCE(SUM(CASE WHEN answered_at - queued_at > ");
    q.int(unacceptable_ms.unwrap_or(i64::MAX));
    q.push(" THEN 1 ELSE 0 END), 0) AS BIGINT) FROM interaction WHERE org_id = ");
    q.int(org_id);
    q.push(" AND queued_at IS NOT NULL AND queued_at >= ");
    q.int(from);
    q.push(" AND queued_at < ");
    q.int(to);
    q.push(" AND channel = ");
    q.text(channel);
    in_list(&mut q, "site_id", site_ids, |q, v| {
        q.int(v);
    });
    q.push(" GROUP BY 1, 2");
    Ok(q.query_as().fetch_all(c).await?)
}

/// A wait in a queue recorded as an interaction (calls, counter visits).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct WaitRow {
    pub id: i64,
    pub channel: String,
    pub site_id: Option<i64>,
    pub queued_at: i64,
    pub answered_at: Option<i64>,
    pub external_id: Option<String>,
}

/// Streams the waits that started in [from, to).
pub async fn each_wait(
    c: &mut Conn,
    org_id: i64,
    from: i64,
    to: i64,
    mut f: impl FnMut(WaitRow),
) -> Result<()> {
    let mut rows = sqlx::query_as::<_, WaitRow>(
        "SELECT id, channel, site_id, queued_at, answered_at, external_id FROM interaction
         WHERE org_id = $1 AND occurred_at >= $2 AND occurred_at < $3 AND queued_at IS NOT NULL",
    )
    .bind(org_id)
    .bind(from)
    .bind(to)
    .fetch(c);
    while let Some(row) = rows.try_next().await? {
        f(row);
    }
    Ok(())
}

/// Cases whose once & done changed because of a later contact (set by `mark_repeat_contact`).
pub async fn cases_by_ids(c: &mut Conn, ids: &[i64]) -> Result<Vec<CaseRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = super::Sql::new(format!(
        "SELECT {CASE_COLS} FROM support_case WHERE id IN ("
    ));
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            q.push(", ");
        }
        q.int(*id);
    }
    q.push(")");
    Ok(q.query_as().fetch_all(c).await?)
}
