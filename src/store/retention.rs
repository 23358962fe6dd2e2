//! Retention: how long each kind of data is kept, what a rule would remove now, and removing it.

use super::{Conn, Result};

/// The kinds of data a rule may limit, in the order a run applies them.
pub const KINDS: &[&str] = &[
    // Texts of cases solved or closed long ago (bodies, subjects, mail subjects and HTML; raw
    // messages and files go by `raw_email`).
    "case_text",
    // Raw messages and attachment files, by the message's age (the text read from them stays).
    "raw_email",
    // Customers without any contact for that long: erased (anonymised) whole.
    "inactive_customer",
    // The audit of reads.
    "read_log",
    // What staff did (audit_log).
    "staff_log",
];

pub async fn rules(c: &mut Conn, org_id: i64) -> Result<Vec<(String, i64)>> {
    Ok(
        sqlx::query_as("SELECT kind, months FROM retention_rule WHERE org_id = $1 ORDER BY kind")
            .bind(org_id)
            .fetch_all(c)
            .await?,
    )
}

/// Sets (or, with `None`, removes) an organisation's rule for a kind.
pub async fn put_rule(
    c: &mut Conn,
    org_id: i64,
    kind: &str,
    months: Option<i64>,
    now: i64,
) -> Result<()> {
    match months {
        Some(m) => {
            sqlx::query(
                "INSERT INTO retention_rule (org_id, kind, months, updated_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (org_id, kind) DO UPDATE SET months = $3, updated_at = $4",
            )
            .bind(org_id)
            .bind(kind)
            .bind(m)
            .bind(now)
            .execute(c)
            .await?;
        }
        None => {
            sqlx::query("DELETE FROM retention_rule WHERE org_id = $1 AND kind = $2")
                .bind(org_id)
                .bind(kind)
                .execute(c)
                .await?;
        }
    }
    Ok(())
}

/// Organisations with at least one rule.
pub async fn orgs_with_rules(c: &mut Conn) -> Result<Vec<i64>> {
    Ok(
        sqlx::query_scalar("SELECT DISTINCT org_id FROM retention_rule ORDER BY org_id")
            .fetch_all(c)
            .await?,
    )
}

const OLD_CASES: &str = "SELECT id FROM support_case WHERE org_id = $1 \
     AND status IN ('solved', 'closed') AND COALESCE(closed_at, solved_at) < $2";

/// Those of them that still hold text (a rule applied before leaves nothing to redo).
const OLD_CASES_WITH_TEXT: &str = "SELECT sc.id FROM support_case sc WHERE sc.org_id = $1 \
     AND sc.status IN ('solved', 'closed') AND COALESCE(sc.closed_at, sc.solved_at) < $2 \
     AND (sc.subject <> '' OR EXISTS (SELECT 1 FROM interaction i WHERE i.case_id = sc.id \
          AND (i.body <> '' OR i.subject IS NOT NULL)))";

async fn count(c: &mut Conn, sql: &str, org_id: i64, cutoff: i64, empty: &str) -> Result<i64> {
    Ok(
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql.replace("{empty}", empty)))
            .bind(org_id)
            .bind(cutoff)
            .fetch_one(c)
            .await?,
    )
}

/// What a rule would remove now: rows (or customers) before `cutoff`.
pub async fn would_go(c: &mut Conn, org_id: i64, kind: &str, cutoff: i64) -> Result<i64> {
    let empty = super::email::empty_hash();
    let sql = match kind {
        "case_text" => format!(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM interaction WHERE case_id IN ({OLD_CASES}) \
             AND (body <> '' OR subject IS NOT NULL)"
        ),
        "raw_email" => "SELECT CAST(COUNT(*) AS BIGINT) FROM email_message WHERE org_id = $1 \
             AND created_at < $2 AND raw_hash <> '{empty}'"
            .to_string(),
        "inactive_customer" => "SELECT CAST(COUNT(*) AS BIGINT) FROM customer WHERE org_id = $1 \
             AND last_contact_at < $2 AND erased_at IS NULL AND merged_into IS NULL"
            .to_string(),
        "read_log" => return super::reads::count_before(c, org_id, cutoff).await,
        "staff_log" => {
            "SELECT CAST(COUNT(*) AS BIGINT) FROM audit_log WHERE org_id = $1 AND at < $2"
                .to_string()
        }
        _ => return Ok(0),
    };
    count(c, &sql, org_id, cutoff, &empty).await
}

/// Customers erased per run at most (a first run on years of history spreads over runs).
pub const CUSTOMERS_PER_RUN: i64 = 500;

/// Removes what a rule says is past keeping; how many rows (or customers) went. `empty` is the
/// empty blob's hash (it exists).
pub async fn apply(
    c: &mut Conn,
    org_id: i64,
    kind: &str,
    cutoff: i64,
    empty: &str,
    now: i64,
) -> Result<u64> {
    match kind {
        "case_text" => {
            // Marked for the search index first, while their text still tells them apart.
            exec(
                c,
                &format!(
                    "INSERT INTO change_log (kind, ref_id) SELECT 'case', id FROM ({OLD_CASES_WITH_TEXT}) AS t"
                ),
                org_id,
                cutoff,
            )
            .await?;
            let n = exec(
                c,
                &format!(
                    "UPDATE interaction SET body = '', subject = NULL, attachments = '[]' \
                     WHERE case_id IN ({OLD_CASES}) AND (body <> '' OR subject IS NOT NULL)"
                ),
                org_id,
                cutoff,
            )
            .await?;
            exec(
                c,
                &format!(
                    "UPDATE email_message SET subject = '', html = NULL, warnings = '[]' \
                     WHERE case_id IN ({OLD_CASES}) \
                     AND (subject <> '' OR html IS NOT NULL)"
                ),
                org_id,
                cutoff,
            )
            .await?;
            exec(
                c,
                &format!(
                    "UPDATE support_case SET subject = '', subject_key = '' \
                     WHERE id IN ({OLD_CASES}) AND subject <> ''"
                ),
                org_id,
                cutoff,
            )
            .await?;
            Ok(n)
        }
        "raw_email" => {
            let hashes: Vec<String> = sqlx::query_scalar(
                "SELECT raw_hash FROM email_message WHERE org_id = $1 AND created_at < $2 AND raw_hash <> $3
                 UNION SELECT a.blob_hash FROM email_attachment a JOIN email_message m ON m.id = a.email_id
                 WHERE m.org_id = $1 AND m.created_at < $2 AND a.blob_hash IS NOT NULL",
            )
            .bind(org_id)
            .bind(cutoff)
            .bind(empty)
            .fetch_all(&mut *c)
            .await?;
            sqlx::query(
                "UPDATE email_attachment SET blob_hash = NULL WHERE email_id IN
                 (SELECT id FROM email_message WHERE org_id = $1 AND created_at < $2)",
            )
            .bind(org_id)
            .bind(cutoff)
            .execute(&mut *c)
            .await?;
            let n = sqlx::query(
                "UPDATE email_message SET raw_hash = $3
                 WHERE org_id = $1 AND created_at < $2 AND raw_hash <> $3",
            )
            .bind(org_id)
            .bind(cutoff)
            .bind(empty)
            .execute(&mut *c)
            .await?
            .rows_affected();
            for h in hashes {
                sqlx::query(
                    "DELETE FROM blob WHERE hash = $1
                       AND NOT EXISTS (SELECT 1 FROM email_message WHERE raw_hash = $1)
                       AND NOT EXISTS (SELECT 1 FROM email_attachment WHERE blob_hash = $1)",
                )
                .bind(&h)
                .execute(&mut *c)
                .await?;
            }
            Ok(n)
        }
        "inactive_customer" => {
            let ids: Vec<i64> = sqlx::query_scalar(
                "SELECT id FROM customer WHERE org_id = $1 AND last_contact_at < $2
                   AND erased_at IS NULL AND merged_into IS NULL ORDER BY id LIMIT $3",
            )
            .bind(org_id)
            .bind(cutoff)
            .bind(CUSTOMERS_PER_RUN)
            .fetch_all(&mut *c)
            .await?;
            for id in &ids {
                super::privacy::erase(c, org_id, *id, empty, now).await?;
            }
            Ok(ids.len() as u64)
        }
        "read_log" => super::reads::prune_before(c, org_id, cutoff).await,
        "staff_log" => {
            exec(
                c,
                "DELETE FROM audit_log WHERE org_id = $1 AND at < $2",
                org_id,
                cutoff,
            )
            .await
        }
        _ => Ok(0),
    }
}

async fn exec(c: &mut Conn, sql: &str, org_id: i64, cutoff: i64) -> Result<u64> {
    Ok(sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
        .bind(org_id)
        .bind(cutoff)
        .execute(c)
        .await?
        .rows_affected())
}

/// A run's report (JSON: kind → rows), kept.
pub async fn record_run(c: &mut Conn, org_id: i64, at: i64, report: &str) -> Result<()> {
    sqlx::query("INSERT INTO retention_run (org_id, at, report) VALUES ($1, $2, $3)")
        .bind(org_id)
        .bind(at)
        .bind(report)
        .execute(c)
        .await?;
    Ok(())
}

pub async fn last_run(c: &mut Conn, org_id: i64) -> Result<Option<(i64, String)>> {
    Ok(sqlx::query_as(
        "SELECT at, report FROM retention_run WHERE org_id = $1 ORDER BY id DESC LIMIT 1",
    )
    .bind(org_id)
    .fetch_optional(c)
    .await?)
}
