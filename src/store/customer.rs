//! Customers, their identities, and the merge ledger that makes merging reversible.

use super::{Bind, Conn, Error, Result, Sql};
use serde::Serialize;

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Customer {
    pub id: i64,
    pub display_name: Option<String>,
    pub merged_into: Option<i64>,
    #[serde(serialize_with = "super::wire::time")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: i64,
    #[serde(serialize_with = "super::wire::time")]
    #[schema(value_type = String, format = DateTime)]
    pub last_contact_at: i64,
    /// When their personal data was erased (the record stays, anonymous).
    #[serde(serialize_with = "super::wire::time_opt")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub erased_at: Option<i64>,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct IdentityRow {
    pub id: i64,
    pub customer_id: i64,
    pub kind: String,
    pub value: String,
    #[serde(skip)]
    pub key: String,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Merge {
    pub id: i64,
    pub kept_id: i64,
    pub merged_id: i64,
    #[serde(serialize_with = "super::wire::time")]
    #[schema(value_type = String, format = DateTime)]
    pub at: i64,
    #[serde(serialize_with = "super::wire::time_opt")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub undone_at: Option<i64>,
    #[serde(skip)]
    pub moved: String,
}

const COLS: &str = "id, display_name, merged_into, created_at, last_contact_at, erased_at";

/// Which customers own these identity keys (at most 4 keys: one of each kind).
pub async fn owners_of(c: &mut Conn, org_id: i64, keys: &[String]) -> Result<Vec<(String, i64)>> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Sql::on(
        c,
        "SELECT key, customer_id FROM customer_identity WHERE org_id = ",
    );
    q.int(org_id).push(" AND key IN (");
    for (i, k) in keys.iter().enumerate() {
        if i > 0 {
            q.push(", ");
        }
        q.text(k);
    }
    q.push(")");
    Ok(q.query_as().fetch_all(c).await?)
}

pub async fn insert(
    c: &mut Conn,
    org_id: i64,
    name: Option<&str>,
    name_key: &str,
    at: i64,
) -> Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO customer (org_id, display_name, name_key, created_at, last_contact_at)
         VALUES ($1, $2, $3, $4, $4) RETURNING id",
    )
    .bind(org_id)
    .bind(name)
    .bind(name_key)
    .bind(at)
    .fetch_one(c)
    .await?;
    Ok(id)
}

/// Attaches identities (kind, key, value); a key already owned (by anyone) is left as it is.
/// Returns the keys attached now.
pub async fn attach_identities(
    c: &mut Conn,
    org_id: i64,
    customer_id: i64,
    identities: &[(&str, &str, String)],
    at: i64,
) -> Result<Vec<String>> {
    if identities.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Sql::new(
        "INSERT INTO customer_identity (org_id, customer_id, kind, key, value, created_at) VALUES ",
    );
    for (i, (kind, key, value)) in identities.iter().enumerate() {
        q.push(if i == 0 { "(" } else { ", (" });
        q.int(org_id)
            .push(", ")
            .int(customer_id)
            .push(", ")
            .text(kind)
            .push(", ")
            .text(key)
            .push(", ")
            .text(value);
        q.push(", ").int(at).push(")");
    }
    q.push(" ON CONFLICT (org_id, key) DO NOTHING RETURNING key");
    let rows: Vec<(String,)> = q.query_as().fetch_all(c).await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// Gives a customer created moments ago (nothing refers to it but identities) to another one,
/// and removes it.
pub async fn fold_new_into(c: &mut Conn, new_id: i64, other: i64) -> Result<()> {
    sqlx::query("UPDATE customer_identity SET customer_id = $1 WHERE customer_id = $2")
        .bind(other)
        .bind(new_id)
        .execute(&mut *c)
        .await?;
    sqlx::query("DELETE FROM customer WHERE id = $1")
        .bind(new_id)
        .execute(c)
        .await?;
    Ok(())
}

/// Records a contact: last contact time, and the name when we had none.
pub async fn touch(
    c: &mut Conn,
    id: i64,
    at: i64,
    name: Option<&str>,
    name_key: &str,
) -> Result<()> {
    sqlx::query(
        "UPDATE customer SET
            last_contact_at = CASE WHEN last_contact_at < $2 THEN $2 ELSE last_contact_at END,
            display_name = COALESCE(display_name, $3),
            name_key = CASE WHEN display_name IS NULL THEN $4 ELSE name_key END
         WHERE id = $1",
    )
    .bind(id)
    .bind(at)
    .bind(name)
    .bind(name_key)
    .execute(c)
    .await?;
    Ok(())
}

pub async fn get(c: &mut Conn, org_id: i64, id: i64) -> Result<Option<Customer>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM customer WHERE org_id = $1 AND id = $2"
    )))
    .bind(org_id)
    .bind(id)
    .fetch_optional(c)
    .await?)
}

pub async fn identities(c: &mut Conn, customer_id: i64) -> Result<Vec<IdentityRow>> {
    Ok(sqlx::query_as(
        "SELECT id, customer_id, kind, value, key FROM customer_identity WHERE customer_id = $1 ORDER BY kind, id",
    )
    .bind(customer_id)
    .fetch_all(c)
    .await?)
}

/// The customer's first email address, if any.
pub async fn email_of(c: &mut Conn, customer_id: i64) -> Result<Option<String>> {
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT value FROM customer_identity WHERE customer_id = $1 AND kind = 'email' ORDER BY id LIMIT 1",
    )
    .bind(customer_id)
    .fetch_optional(c)
    .await?;
    Ok(row.map(|r| r.0))
}

/// Customers whose folded name starts with `prefix`, most recent contact first.
pub async fn search_by_name(
    c: &mut Conn,
    org_id: i64,
    prefix: &str,
    limit: i64,
) -> Result<Vec<Customer>> {
    let upper = format!("{prefix}\u{10FFFF}");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM customer WHERE org_id = $1 AND name_key >= $2 AND name_key < $3
           AND merged_into IS NULL ORDER BY name_key, id LIMIT $4"
    )))
    .bind(org_id)
    .bind(prefix)
    .bind(upper)
    .bind(limit)
    .fetch_all(c)
    .await?)
}

/// Ids moved from one customer to another by a merge, to move them back on unmerge.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Moved {
    pub identities: Vec<i64>,
    pub cases: Vec<i64>,
    pub interactions: Vec<i64>,
}

async fn move_rows(c: &mut Conn, table: &str, from: i64, to: i64) -> Result<Vec<i64>> {
    let rows: Vec<(i64,)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "UPDATE {table} SET customer_id = $1 WHERE customer_id = $2 RETURNING id"
    )))
    .bind(to)
    .bind(from)
    .fetch_all(c)
    .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

async fn move_ids_back(c: &mut Conn, table: &str, ids: &[i64], to: i64) -> Result<()> {
    for chunk in ids.chunks(500) {
        let mut q = Sql::new(format!("UPDATE {table} SET customer_id = "));
        q.int(to).push(" WHERE id IN (");
        for (i, id) in chunk.iter().enumerate() {
            if i > 0 {
                q.push(", ");
            }
            q.int(*id);
        }
        q.push(")");
        q.query().execute(&mut *c).await?;
    }
    Ok(())
}

/// Moves everything of `merged` to `kept` and records what moved.
pub async fn merge(
    c: &mut Conn,
    org_id: i64,
    kept: i64,
    merged: i64,
    by: i64,
    at: i64,
) -> Result<Merge> {
    let moved = Moved {
        identities: move_rows(c, "customer_identity", merged, kept).await?,
        cases: move_rows(c, "support_case", merged, kept).await?,
        interactions: move_rows(c, "interaction", merged, kept).await?,
    };
    sqlx::query("UPDATE customer SET merged_into = $1 WHERE id = $2")
        .bind(kept)
        .bind(merged)
        .execute(&mut *c)
        .await?;
    sqlx::query(
        "UPDATE customer SET last_contact_at = (SELECT CASE WHEN a.last_contact_at > b.last_contact_at
            THEN a.last_contact_at ELSE b.last_contact_at END FROM customer a, customer b WHERE a.id = $1 AND b.id = $2)
         WHERE id = $1",
    )
    .bind(kept)
    .bind(merged)
    .execute(&mut *c)
    .await?;
    let moved = serde_json::to_string(&moved).expect("ids serialise");
    Ok(sqlx::query_as(
        "INSERT INTO customer_merge (org_id, kept_id, merged_id, moved, by_user_id, at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id, kept_id, merged_id, at, undone_at, moved",
    )
    .bind(org_id)
    .bind(kept)
    .bind(merged)
    .bind(moved)
    .bind(by)
    .bind(at)
    .fetch_one(c)
    .await?)
}

pub async fn merge_by_id(c: &mut Conn, org_id: i64, id: i64) -> Result<Option<Merge>> {
    Ok(sqlx::query_as(
        "SELECT id, kept_id, merged_id, at, undone_at, moved FROM customer_merge WHERE org_id = $1 AND id = $2",
    )
    .bind(org_id)
    .bind(id)
    .fetch_optional(c)
    .await?)
}

/// Merges that involve a customer, newest first.
pub async fn merges_of(c: &mut Conn, customer_id: i64) -> Result<Vec<Merge>> {
    Ok(sqlx::query_as(
        "SELECT id, kept_id, merged_id, at, undone_at, moved FROM customer_merge
         WHERE kept_id = $1 OR merged_id = $1 ORDER BY at DESC, id DESC",
    )
    .bind(customer_id)
    .fetch_all(c)
    .await?)
}

/// Moves back what a merge moved and revives the merged customer.
pub async fn unmerge(c: &mut Conn, m: &Merge, by: i64, at: i64) -> Result<()> {
    let moved: Moved = serde_json::from_str(&m.moved)
        .map_err(|e| Error::Conflict(format!("merge record: {e}")))?;
    move_ids_back(c, "customer_identity", &moved.identities, m.merged_id).await?;
    move_ids_back(c, "support_case", &moved.cases, m.merged_id).await?;
    move_ids_back(c, "interaction", &moved.interactions, m.merged_id).await?;
    sqlx::query("UPDATE customer SET merged_into = NULL WHERE id = $1")
        .bind(m.merged_id)
        .execute(&mut *c)
        .await?;
    sqlx::query("UPDATE customer_merge SET undone_at = $1, undone_by = $2 WHERE id = $3")
        .bind(at)
        .bind(by)
        .bind(m.id)
        .execute(c)
        .await?;
    Ok(())
}

/// A customer's number, as they gave it, if they have one.
pub async fn number_of(c: &mut Conn, customer_id: i64) -> Result<Option<String>> {
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT value FROM customer_identity WHERE customer_id = $1 AND kind = 'customer_number' LIMIT 1",
    )
    .bind(customer_id)
    .fetch_optional(c)
    .await?;
    Ok(row.map(|r| r.0))
}

/// A customer first seen in a batch, inserted with an id reserved by `reserve_ids`.
pub struct NewCustomer<'a> {
    pub id: i64,
    pub name: Option<&'a str>,
    pub name_key: &'a str,
    pub created_at: i64,
    pub last_contact_at: i64,
}

pub async fn insert_many(c: &mut Conn, org_id: i64, rows: &[NewCustomer<'_>]) -> Result<()> {
    for chunk in rows.chunks(super::rows_per_statement(6)) {
        let mut q = Sql::on(
            c,
            "INSERT INTO customer (id, org_id, display_name, name_key, created_at, last_contact_at) VALUES ",
        );
        for (i, r) in chunk.iter().enumerate() {
            q.push(if i == 0 { "(" } else { ", (" });
            q.int(r.id).push(", ").int(org_id).push(", ");
            q.bind(Bind::OptText(r.name.map(str::to_string)));
            q.push(", ").text(r.name_key).push(", ").int(r.created_at);
            q.push(", ").int(r.last_contact_at).push(")");
        }
        q.query().execute(&mut *c).await?;
    }
    Ok(())
}

/// A batch's contacts of a known customer, folded into one: the latest contact time and the
/// first name given (with its folded key; `None` and "" when none was).
pub struct Touch<'a> {
    pub id: i64,
    pub at: i64,
    pub name: Option<&'a str>,
    pub name_key: &'a str,
}

/// `touch` for many (existing) customers at once, with the same rule; an upsert on the primary
/// key, which SQLite plans as lookups (an `UPDATE … FROM (VALUES …)` became a scan).
pub async fn touch_many(c: &mut Conn, org_id: i64, rows: &[Touch<'_>]) -> Result<()> {
    for chunk in rows.chunks(super::rows_per_statement(5)) {
        let mut q = Sql::on(
            c,
            "INSERT INTO customer (id, org_id, display_name, name_key, created_at, last_contact_at) VALUES ",
        );
        for (i, r) in chunk.iter().enumerate() {
            q.push(if i == 0 { "(" } else { ", (" });
            q.int(r.id).push(", ").int(org_id).push(", ");
            q.bind(Bind::OptText(r.name.map(str::to_string)));
            q.push(", ")
                .text(r.name_key)
                .push(", ")
                .int(r.at)
                .push(", ")
                .int(r.at)
                .push(")");
        }
        q.push(
            " ON CONFLICT (id) DO UPDATE SET
                last_contact_at = CASE WHEN customer.last_contact_at < excluded.last_contact_at
                    THEN excluded.last_contact_at ELSE customer.last_contact_at END,
                display_name = COALESCE(customer.display_name, excluded.display_name),
                name_key = CASE WHEN customer.display_name IS NULL THEN excluded.name_key
                    ELSE customer.name_key END",
        );
        q.query().execute(&mut *c).await?;
    }
    Ok(())
}

/// An identity seen in a batch: (customer, kind, key, shown value, first seen at).
pub type NewIdentity<'a> = (i64, &'a str, &'a str, &'a str, i64);

/// Attaches identities of many customers; returns how many were attached (a key another writer
/// took meanwhile is left to it).
pub async fn attach_many(c: &mut Conn, org_id: i64, rows: &[NewIdentity<'_>]) -> Result<usize> {
    let mut attached = 0;
    for chunk in rows.chunks(super::rows_per_statement(6)) {
        let mut q = Sql::on(
            c,
            "INSERT INTO customer_identity (org_id, customer_id, kind, key, value, created_at) VALUES ",
        );
        for (i, (customer_id, kind, key, value, at)) in chunk.iter().enumerate() {
            q.push(if i == 0 { "(" } else { ", (" });
            q.int(org_id)
                .push(", ")
                .int(*customer_id)
                .push(", ")
                .text(kind);
            q.push(", ")
                .text(key)
                .push(", ")
                .text(value)
                .push(", ")
                .int(*at)
                .push(")");
        }
        q.push(" ON CONFLICT (org_id, key) DO NOTHING");
        attached += q.query().execute(&mut *c).await?.rows_affected() as usize;
    }
    Ok(attached)
}
