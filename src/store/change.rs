//! The change log (migration 0008): triggers write a row for every change to a case, a customer or
//! an identity, in the transaction of the change; the search index and the live pages follow it,
//! each from its own position.

use super::{Conn, Result};

/// A place in the log: rows are read in (transaction id, id) order.
pub type Position = (i64, i64);

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Change {
    pub xid: i64,
    pub id: i64,
    pub kind: String,
    pub ref_id: i64,
}

fn postgres(c: &Conn) -> bool {
    c.backend_name() == "PostgreSQL"
}

/// The changes after `after`, oldest first. On PostgreSQL only those of transactions older than
/// the oldest still running: a transaction that drew its ids earlier may commit later, and a
/// reader that went past it would never see its rows.
pub async fn changes_after(c: &mut Conn, after: Position, limit: i64) -> Result<Vec<Change>> {
    let text = if postgres(c) {
        "SELECT xid, id, kind, ref_id FROM change_log
         WHERE (xid, id) > ($1, $2)
           AND xid < CAST(CAST(pg_snapshot_xmin(pg_current_snapshot()) AS TEXT) AS BIGINT)
         ORDER BY xid, id LIMIT $3"
    } else {
        // One writer: ids are in commit order and `xid` is always 0.
        "SELECT xid, id, kind, ref_id FROM change_log WHERE xid = $1 AND id > $2 ORDER BY id LIMIT $3"
    };
    Ok(sqlx::query_as(text)
        .bind(after.0)
        .bind(after.1)
        .bind(limit)
        .fetch_all(c)
        .await?)
}

/// The position from which a rebuild started now must follow the log: everything committed
/// before it is read by the rebuild itself.
pub async fn position_now(c: &mut Conn) -> Result<Position> {
    if postgres(c) {
        let (xmin,): (i64,) = sqlx::query_as(
            "SELECT CAST(CAST(pg_snapshot_xmin(pg_current_snapshot()) AS TEXT) AS BIGINT)",
        )
        .fetch_one(c)
        .await?;
        Ok((xmin, 0))
    } else {
        let (max,): (i64,) =
            sqlx::query_as("SELECT CAST(COALESCE(MAX(id), 0) AS BIGINT) FROM change_log")
                .fetch_one(c)
                .await?;
        Ok((0, max))
    }
}

/// How many changes wait after `after` (for progress and health).
pub async fn backlog(c: &mut Conn, after: Position) -> Result<i64> {
    let text = if postgres(c) {
        "SELECT CAST(COUNT(*) AS BIGINT) FROM change_log WHERE (xid, id) > ($1, $2)"
    } else {
        "SELECT CAST(COUNT(*) AS BIGINT) FROM change_log WHERE xid = $1 AND id > $2"
    };
    let (n,): (i64,) = sqlx::query_as(text)
        .bind(after.0)
        .bind(after.1)
        .fetch_one(c)
        .await?;
    Ok(n)
}

/// A case as the live pages tell of it.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct CaseNews {
    pub id: i64,
    #[serde(skip)]
    pub org_id: i64,
    pub number: i64,
    pub status: String,
    pub subject: String,
    pub assignee_id: Option<i64>,
    pub updated_at: i64,
    pub opened_at: i64,
}

pub async fn cases(c: &mut Conn, ids: &[i64]) -> Result<Vec<CaseNews>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = super::Sql::on(
        c,
        "SELECT id, org_id, number, status, subject, assignee_id, updated_at, opened_at
         FROM support_case WHERE id IN (",
    );
    q.ints(ids).push(")");
    Ok(q.query_as().fetch_all(c).await?)
}
