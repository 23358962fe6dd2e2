//! The audit of reads: append-only rows chained per organisation by hash, with the chain's head.

use super::{Conn, Result};

/// One read, as recorded.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Read {
    pub id: i64,
    pub org_id: i64,
    pub user_id: i64,
    pub user_name: String,
    pub at: i64,
    pub what: String,
    pub ref_id: i64,
    pub customer_id: Option<i64>,
    pub hash: String,
}

/// What a read is before it is chained.
#[derive(Debug, Clone)]
pub struct NewRead {
    pub org_id: i64,
    pub user_id: i64,
    pub at: i64,
    pub what: &'static str,
    pub ref_id: i64,
    pub customer_id: Option<i64>,
}

/// The hash of an entry: the previous hash and every field, so changing, removing or reordering
/// an entry breaks the chain from there.
pub fn chain_hash(prev: &str, r: &NewRead) -> String {
    use sha2::{Digest, Sha256};
    let text = format!(
        "{prev}|{}|{}|{}|{}|{}|{}",
        r.org_id,
        r.user_id,
        r.at,
        r.what,
        r.ref_id,
        r.customer_id.map_or(String::new(), |c| c.to_string())
    );
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// Appends entries of one organisation after its chain's head, in the caller's transaction (the
/// head's row lock orders concurrent appenders on PostgreSQL; SQLite has one writer).
pub async fn append(c: &mut Conn, org_id: i64, entries: &[NewRead]) -> Result<()> {
    sqlx::query(
        "INSERT INTO read_chain (org_id, last_id, last_hash) VALUES ($1, 0, '')
         ON CONFLICT (org_id) DO NOTHING",
    )
    .bind(org_id)
    .execute(&mut *c)
    .await?;
    let lock = if c.backend_name() == "PostgreSQL" {
        "SELECT last_hash FROM read_chain WHERE org_id = $1 FOR UPDATE"
    } else {
        "SELECT last_hash FROM read_chain WHERE org_id = $1"
    };
    let mut prev: String = sqlx::query_scalar(lock)
        .bind(org_id)
        .fetch_one(&mut *c)
        .await?;
    let mut last_id = 0;
    for e in entries {
        let hash = chain_hash(&prev, e);
        last_id = sqlx::query_scalar(
            "INSERT INTO read_log (org_id, user_id, at, what, ref_id, customer_id, hash)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(e.org_id)
        .bind(e.user_id)
        .bind(e.at)
        .bind(e.what)
        .bind(e.ref_id)
        .bind(e.customer_id)
        .bind(&hash)
        .fetch_one(&mut *c)
        .await?;
        prev = hash;
    }
    sqlx::query("UPDATE read_chain SET last_id = $2, last_hash = $3 WHERE org_id = $1")
        .bind(org_id)
        .bind(last_id)
        .bind(&prev)
        .execute(&mut *c)
        .await?;
    Ok(())
}

/// Filters of the list (all optional), newest first, keyset on id.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub user_id: Option<i64>,
    pub customer_id: Option<i64>,
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub before_id: Option<i64>,
}

pub async fn list(c: &mut Conn, org_id: i64, f: &Filter, limit: i64) -> Result<Vec<Read>> {
    Ok(sqlx::query_as(
        "SELECT r.id, r.org_id, r.user_id, u.name AS user_name, r.at, r.what, r.ref_id,
                r.customer_id, r.hash
         FROM read_log r JOIN app_user u ON u.id = r.user_id
         WHERE r.org_id = $1 AND ($2 IS NULL OR r.user_id = $2) AND ($3 IS NULL OR r.customer_id = $3)
           AND ($4 IS NULL OR r.at >= $4) AND ($5 IS NULL OR r.at < $5) AND ($6 IS NULL OR r.id < $6)
         ORDER BY r.id DESC LIMIT $7",
    )
    .bind(org_id)
    .bind(f.user_id)
    .bind(f.customer_id)
    .bind(f.from)
    .bind(f.to)
    .bind(f.before_id)
    .bind(limit)
    .fetch_all(c)
    .await?)
}

/// The organisation's entries in chain order after `after_id` up to `last_id` (the head read
/// before: entries appended meanwhile are not part of this check), a page at a time.
pub async fn chain_page(
    c: &mut Conn,
    org_id: i64,
    after_id: i64,
    last_id: i64,
    limit: i64,
) -> Result<Vec<Read>> {
    Ok(sqlx::query_as(
        "SELECT r.id, r.org_id, r.user_id, '' AS user_name, r.at, r.what, r.ref_id,
                r.customer_id, r.hash
         FROM read_log r WHERE r.org_id = $1 AND r.id > $2 AND r.id <= $3 ORDER BY r.id LIMIT $4",
    )
    .bind(org_id)
    .bind(after_id)
    .bind(last_id)
    .bind(limit)
    .fetch_all(c)
    .await?)
}

/// The chain's ends: where it starts (after entries retention removed) and its last entry.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Chain {
    pub base_id: i64,
    pub base_hash: String,
    pub last_id: i64,
    pub last_hash: String,
}

pub async fn chain(c: &mut Conn, org_id: i64) -> Result<Option<Chain>> {
    Ok(sqlx::query_as(
        "SELECT base_id, base_hash, last_id, last_hash FROM read_chain WHERE org_id = $1",
    )
    .bind(org_id)
    .fetch_optional(c)
    .await?)
}

/// Entries read before `cutoff` (retention's dry run).
pub async fn count_before(c: &mut Conn, org_id: i64, cutoff: i64) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM read_log WHERE org_id = $1 AND at < $2",
    )
    .bind(org_id)
    .bind(cutoff)
    .fetch_one(c)
    .await?)
}

/// Removes the entries read before `cutoff` and moves the chain's start after them, so what
/// stays still verifies.
pub async fn prune_before(c: &mut Conn, org_id: i64, cutoff: i64) -> Result<u64> {
    let last: Option<(i64, String)> = sqlx::query_as(
        "SELECT id, hash FROM read_log WHERE org_id = $1 AND at < $2 ORDER BY id DESC LIMIT 1",
    )
    .bind(org_id)
    .bind(cutoff)
    .fetch_optional(&mut *c)
    .await?;
    let Some((id, hash)) = last else {
        return Ok(0);
    };
    let n = sqlx::query("DELETE FROM read_log WHERE org_id = $1 AND id <= $2")
        .bind(org_id)
        .bind(id)
        .execute(&mut *c)
        .await?
        .rows_affected();
    sqlx::query("UPDATE read_chain SET base_id = $2, base_hash = $3 WHERE org_id = $1")
        .bind(org_id)
        .bind(id)
        .bind(&hash)
        .execute(&mut *c)
        .await?;
    Ok(n)
}
