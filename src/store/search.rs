//! What the search index reads: the rows a document is made of, and where each index stands in
//! the change log (`store::change`).

use super::change::Position;
use super::{Conn, Result, Sql};

/// Records where an index stands.
pub async fn report(c: &mut Conn, node: &str, at: Position, now: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO search_node (node, xid, log_id, seen_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (node) DO UPDATE SET xid = excluded.xid, log_id = excluded.log_id, seen_at = excluded.seen_at",
    )
    .bind(node)
    .bind(at.0)
    .bind(at.1)
    .bind(now)
    .execute(c)
    .await?;
    Ok(())
}

/// Whether the log still holds everything after `at` for this node: false once the node was
/// forgotten (silent longer than the log is kept) and rows it had not read were pruned.
pub async fn still_followed(c: &mut Conn, node: &str) -> Result<bool> {
    let row: Option<(i64,)> = sqlx::query_as("SELECT xid FROM search_node WHERE node = $1")
        .bind(node)
        .fetch_optional(c)
        .await?;
    Ok(row.is_some())
}

/// Forgets indexes silent since `silent_since` and deletes the log rows every remaining index has
/// read (the live pages resume from the events they keep in memory, not from the log). Returns
/// the rows deleted.
pub async fn prune(c: &mut Conn, silent_since: i64) -> Result<u64> {
    sqlx::query("DELETE FROM search_node WHERE seen_at < $1")
        .bind(silent_since)
        .execute(&mut *c)
        .await?;
    let low: Option<(i64, i64)> =
        sqlx::query_as("SELECT xid, log_id FROM search_node ORDER BY xid, log_id LIMIT 1")
            .fetch_optional(&mut *c)
            .await?;
    let Some((xid, id)) = low else {
        return Ok(0);
    };
    let text = if c.backend_name() == "PostgreSQL" {
        "DELETE FROM change_log WHERE (xid, id) <= ($1, $2)"
    } else {
        "DELETE FROM change_log WHERE xid = $1 AND id <= $2"
    };
    Ok(sqlx::query(text)
        .bind(xid)
        .bind(id)
        .execute(c)
        .await?
        .rows_affected())
}

/// A case as the index holds it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CaseRow {
    pub id: i64,
    pub org_id: i64,
    pub org_slug: String,
    pub number: i64,
    pub customer_id: i64,
    pub customer_name: Option<String>,
    pub status: String,
    pub channel: String,
    pub site_id: Option<i64>,
    pub subject: String,
    pub opened_at: i64,
    pub updated_at: i64,
}

pub async fn cases(c: &mut Conn, ids: &[i64]) -> Result<Vec<CaseRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Sql::on(
        c,
        "SELECT k.id, k.org_id, o.slug AS org_slug, k.number, k.customer_id, u.display_name AS customer_name,
                k.status, k.channel, k.site_id, k.subject, k.opened_at, k.updated_at
         FROM support_case k JOIN organization o ON o.id = k.org_id JOIN customer u ON u.id = k.customer_id
         WHERE k.id IN (",
    );
    q.ints(ids).push(")");
    Ok(q.query_as().fetch_all(c).await?)
}

/// The text of the messages of these cases, oldest first within a case; notes included (staff
/// search their own notes too).
pub async fn messages(
    c: &mut Conn,
    case_ids: &[i64],
) -> Result<Vec<(i64, Option<String>, String)>> {
    if case_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Sql::on(
        c,
        "SELECT case_id, subject, body FROM interaction WHERE case_id IN (",
    );
    q.ints(case_ids).push(") ORDER BY case_id, occurred_at, id");
    Ok(q.query_as().fetch_all(c).await?)
}

/// A customer as the index holds it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CustomerRow {
    pub id: i64,
    pub org_id: i64,
    pub display_name: Option<String>,
    pub merged_into: Option<i64>,
    pub last_contact_at: i64,
}

pub async fn customers(c: &mut Conn, ids: &[i64]) -> Result<Vec<CustomerRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Sql::on(
        c,
        "SELECT id, org_id, display_name, merged_into, last_contact_at FROM customer WHERE id IN (",
    );
    q.ints(ids).push(")");
    Ok(q.query_as().fetch_all(c).await?)
}

/// (customer, key, value) of these customers' identities.
pub async fn identities(c: &mut Conn, customer_ids: &[i64]) -> Result<Vec<(i64, String, String)>> {
    if customer_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Sql::on(
        c,
        "SELECT customer_id, key, value FROM customer_identity WHERE customer_id IN (",
    );
    q.ints(customer_ids).push(") ORDER BY customer_id, id");
    Ok(q.query_as().fetch_all(c).await?)
}

/// The cases of these customers (their documents carry the customer's name and identities).
pub async fn cases_of(c: &mut Conn, customer_ids: &[i64]) -> Result<Vec<i64>> {
    if customer_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Sql::on(c, "SELECT id FROM support_case WHERE customer_id IN (");
    q.ints(customer_ids).push(")");
    let rows: Vec<(i64,)> = q.query_as().fetch_all(c).await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// Ids of every case (`case`) or customer (`customer`) after `after`, in order, for a rebuild.
pub async fn ids_after(c: &mut Conn, kind: &str, after: i64, limit: i64) -> Result<Vec<i64>> {
    let text = match kind {
        "case" => "SELECT id FROM support_case WHERE id > $1 ORDER BY id LIMIT $2",
        _ => "SELECT id FROM customer WHERE id > $1 ORDER BY id LIMIT $2",
    };
    let rows: Vec<(i64,)> = sqlx::query_as(text)
        .bind(after)
        .bind(limit)
        .fetch_all(c)
        .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// How many cases and customers there are (a rebuild's progress bar).
pub async fn totals(c: &mut Conn) -> Result<(i64, i64)> {
    Ok(sqlx::query_as(
        "SELECT (SELECT CAST(COUNT(*) AS BIGINT) FROM support_case), (SELECT CAST(COUNT(*) AS BIGINT) FROM customer)",
    )
    .fetch_one(c)
    .await?)
}
