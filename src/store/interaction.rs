//! Interactions: every contact on every channel, and the idempotency ledger of the API.

use super::{Conn, Result, Sql, conflict};
use serde::Serialize;

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Interaction {
    pub id: i64,
    pub customer_id: i64,
    pub case_id: i64,
    pub channel: String,
    pub direction: String,
    #[serde(serialize_with = "super::wire::time")]
    #[schema(value_type = String, format = DateTime)]
    pub occurred_at: i64,
    pub author_user_id: Option<i64>,
    #[serde(serialize_with = "super::wire::flag")]
    #[schema(value_type = bool)]
    pub is_note: i64,
    pub subject: Option<String>,
    pub body: String,
    pub site_id: Option<i64>,
    #[serde(serialize_with = "super::wire::time_opt")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub queued_at: Option<i64>,
    #[serde(serialize_with = "super::wire::time_opt")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub answered_at: Option<i64>,
    #[serde(serialize_with = "super::wire::json")]
    #[schema(value_type = Vec<Object>)]
    pub attachments: String,
    pub external_id: Option<String>,
}

const COLS: &str =
    "id, customer_id, case_id, channel, direction, occurred_at, author_user_id, is_note, subject,
    body, site_id, queued_at, answered_at, attachments, external_id";

pub struct NewInteraction<'a> {
    pub customer_id: i64,
    pub case_id: i64,
    pub channel: &'a str,
    pub direction: &'a str,
    pub occurred_at: i64,
    pub author_user_id: Option<i64>,
    pub is_note: bool,
    pub subject: Option<&'a str>,
    pub body: &'a str,
    pub site_id: Option<i64>,
    pub queued_at: Option<i64>,
    pub answered_at: Option<i64>,
    pub attachments: &'a str,
    pub external_id: Option<&'a str>,
}

pub async fn insert(c: &mut Conn, org_id: i64, n: &NewInteraction<'_>, now: i64) -> Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO interaction (org_id, customer_id, case_id, channel, direction, occurred_at, author_user_id,
            is_note, subject, body, site_id, queued_at, answered_at, attachments, external_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id",
    )
    .bind(org_id)
    .bind(n.customer_id)
    .bind(n.case_id)
    .bind(n.channel)
    .bind(n.direction)
    .bind(n.occurred_at)
    .bind(n.author_user_id)
    .bind(n.is_note as i64)
    .bind(n.subject)
    .bind(n.body)
    .bind(n.site_id)
    .bind(n.queued_at)
    .bind(n.answered_at)
    .bind(n.attachments)
    .bind(n.external_id)
    .bind(now)
    .fetch_one(c)
    .await
    .map_err(conflict)?;
    Ok(id)
}

/// The interaction already recorded under this external id, as (id, customer, case).
pub async fn by_external_id(
    c: &mut Conn,
    org_id: i64,
    external_id: &str,
) -> Result<Option<(i64, i64, i64)>> {
    Ok(sqlx::query_as(
        "SELECT id, customer_id, case_id FROM interaction WHERE org_id = $1 AND external_id = $2",
    )
    .bind(org_id)
    .bind(external_id)
    .fetch_optional(c)
    .await?)
}

/// Interactions already recorded under any of these external ids, as id → (interaction, customer, case).
pub async fn by_external_ids(
    c: &mut Conn,
    org_id: i64,
    ids: &[&str],
) -> Result<std::collections::HashMap<String, (i64, i64, i64)>> {
    let mut found = std::collections::HashMap::new();
    for chunk in ids.chunks(super::rows_per_statement(1)) {
        let mut q = Sql::on(
            c,
            "SELECT external_id, id, customer_id, case_id FROM interaction WHERE org_id = ",
        );
        q.int(org_id).push(" AND external_id IN (");
        for (i, id) in chunk.iter().enumerate() {
            if i > 0 {
                q.push(", ");
            }
            q.text(id);
        }
        q.push(")");
        let rows: Vec<(String, i64, i64, i64)> = q.query_as().fetch_all(&mut *c).await?;
        for (ext, interaction_id, customer_id, case_id) in rows {
            found.insert(ext, (interaction_id, customer_id, case_id));
        }
    }
    Ok(found)
}

pub async fn of_case(c: &mut Conn, case_id: i64) -> Result<Vec<Interaction>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM interaction WHERE case_id = $1 ORDER BY occurred_at, id"
    )))
    .bind(case_id)
    .fetch_all(c)
    .await?)
}

/// The customer's timeline, newest first.
pub async fn of_customer(c: &mut Conn, customer_id: i64, limit: i64) -> Result<Vec<Interaction>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM interaction WHERE customer_id = $1 ORDER BY occurred_at DESC, id DESC LIMIT $2"
    )))
    .bind(customer_id)
    .bind(limit)
    .fetch_all(c)
    .await?)
}

/// One page of an organisation's interactions in id order, for export.
pub async fn page_for_export(
    c: &mut Conn,
    org_id: i64,
    after_id: i64,
    limit: i64,
) -> Result<Vec<Interaction>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM interaction WHERE org_id = $1 AND id > $2 ORDER BY id LIMIT $3"
    )))
    .bind(org_id)
    .bind(after_id)
    .bind(limit)
    .fetch_all(c)
    .await?)
}

/// Claims an idempotency key. `Ok(None)` when claimed now; otherwise the existing
/// (request hash, stored response).
pub async fn claim_idempotency(
    c: &mut Conn,
    org_id: i64,
    key: &str,
    request_hash: &str,
    now: i64,
) -> Result<Option<(String, Option<String>)>> {
    let claimed = sqlx::query(
        "INSERT INTO idempotency_key (org_id, key, request_hash, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (org_id, key) DO NOTHING",
    )
    .bind(org_id)
    .bind(key)
    .bind(request_hash)
    .bind(now)
    .execute(&mut *c)
    .await?;
    if claimed.rows_affected() == 1 {
        return Ok(None);
    }
    Ok(sqlx::query_as(
        "SELECT request_hash, response FROM idempotency_key WHERE org_id = $1 AND key = $2",
    )
    .bind(org_id)
    .bind(key)
    .fetch_optional(c)
    .await?)
}

pub async fn store_idempotent_response(
    c: &mut Conn,
    org_id: i64,
    key: &str,
    response: &str,
) -> Result<()> {
    sqlx::query("UPDATE idempotency_key SET response = $3 WHERE org_id = $1 AND key = $2")
        .bind(org_id)
        .bind(key)
        .bind(response)
        .execute(c)
        .await?;
    Ok(())
}

/// Inserts interactions with ids reserved by `reserve_ids`: (id, row).
pub async fn insert_many(
    c: &mut Conn,
    org_id: i64,
    rows: &[(i64, NewInteraction<'_>)],
    now: i64,
) -> Result<()> {
    use super::Bind;
    for chunk in rows.chunks(super::rows_per_statement(17)) {
        let mut q = Sql::on(c,
            "INSERT INTO interaction (id, org_id, customer_id, case_id, channel, direction, occurred_at,
                author_user_id, is_note, subject, body, site_id, queued_at, answered_at, attachments,
                external_id, created_at) VALUES ",
        );
        for (i, (id, n)) in chunk.iter().enumerate() {
            q.push(if i == 0 { "(" } else { ", (" });
            q.int(*id)
                .push(", ")
                .int(org_id)
                .push(", ")
                .int(n.customer_id)
                .push(", ");
            q.int(n.case_id)
                .push(", ")
                .text(n.channel)
                .push(", ")
                .text(n.direction);
            q.push(", ").int(n.occurred_at).push(", ");
            q.bind(Bind::OptInt(n.author_user_id))
                .push(", ")
                .int(n.is_note as i64);
            q.push(", ")
                .bind(Bind::OptText(n.subject.map(str::to_string)))
                .push(", ");
            q.text(n.body)
                .push(", ")
                .bind(Bind::OptInt(n.site_id))
                .push(", ");
            q.bind(Bind::OptInt(n.queued_at)).push(", ");
            q.bind(Bind::OptInt(n.answered_at))
                .push(", ")
                .text(n.attachments);
            q.push(", ")
                .bind(Bind::OptText(n.external_id.map(str::to_string)));
            q.push(", ").int(now).push(")");
        }
        q.query().execute(&mut *c).await.map_err(conflict)?;
    }
    Ok(())
}

/// Claims many idempotency keys at once: (key, request hash) → which were claimed now.
pub async fn claim_many(
    c: &mut Conn,
    org_id: i64,
    keys: &[(&str, &str)],
    now: i64,
) -> Result<Vec<String>> {
    let mut claimed = Vec::new();
    for chunk in keys.chunks(super::rows_per_statement(4)) {
        let mut q = Sql::on(
            c,
            "INSERT INTO idempotency_key (org_id, key, request_hash, created_at) VALUES ",
        );
        for (i, (key, hash)) in chunk.iter().enumerate() {
            q.push(if i == 0 { "(" } else { ", (" });
            q.int(org_id)
                .push(", ")
                .text(key)
                .push(", ")
                .text(hash)
                .push(", ")
                .int(now);
            q.push(")");
        }
        q.push(" ON CONFLICT (org_id, key) DO NOTHING RETURNING key");
        let rows: Vec<(String,)> = q.query_as().fetch_all(&mut *c).await?;
        claimed.extend(rows.into_iter().map(|r| r.0));
    }
    Ok(claimed)
}

/// Stores the answers of many keys claimed in this transaction: (key, request hash, response).
pub async fn store_responses(
    c: &mut Conn,
    org_id: i64,
    rows: &[(&str, &str, String)],
    now: i64,
) -> Result<()> {
    for chunk in rows.chunks(super::rows_per_statement(5)) {
        let mut q = Sql::on(
            c,
            "INSERT INTO idempotency_key (org_id, key, request_hash, response, created_at) VALUES ",
        );
        for (i, (key, hash, response)) in chunk.iter().enumerate() {
            q.push(if i == 0 { "(" } else { ", (" });
            q.int(org_id)
                .push(", ")
                .text(key)
                .push(", ")
                .text(hash)
                .push(", ");
            q.text(response).push(", ").int(now).push(")");
        }
        q.push(" ON CONFLICT (org_id, key) DO UPDATE SET response = excluded.response");
        q.query().execute(&mut *c).await?;
    }
    Ok(())
}
