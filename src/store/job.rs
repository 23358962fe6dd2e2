//! The job queue's table: enqueue (idempotent per kind and key), claim with a lease, finish,
//! retry with back-off. Claiming is the one statement written per backend: PostgreSQL skips
//! rows another worker has locked, SQLite has a single writer anyway.

use super::{Conn, Result};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Job {
    pub id: i64,
    pub kind: String,
    pub key: String,
    pub payload: String,
    pub standing: i64,
    pub attempts: i64,
    pub runs: i64,
}

/// Enqueues a job unless one of this kind and key is already there; a standing job that exists
/// is made due at `run_at` if that is sooner.
pub async fn enqueue(
    c: &mut Conn,
    kind: &str,
    key: &str,
    payload: &str,
    standing: bool,
    run_at: i64,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO job (kind, key, payload, standing, run_at, created_at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (kind, key) DO UPDATE SET run_at = excluded.run_at
         WHERE job.standing = 1 AND job.run_at > excluded.run_at",
    )
    .bind(kind)
    .bind(key)
    .bind(payload)
    .bind(i64::from(standing))
    .bind(run_at)
    .bind(now)
    .execute(c)
    .await?;
    Ok(())
}

/// Makes the standing job of this kind due now (a write left it something to do).
pub async fn nudge(c: &mut Conn, kind: &str, now: i64) -> Result<()> {
    sqlx::query("UPDATE job SET run_at = $2 WHERE kind = $1 AND standing = 1 AND run_at > $2")
        .bind(kind)
        .bind(now)
        .execute(c)
        .await?;
    Ok(())
}

/// Takes up to `limit` due jobs for `worker` until `lease_until`. A job whose lease ran out (its
/// worker died mid-run) is due again. A claimed job is next due when its lease ends, so that a
/// write nudging it during the run (`nudge`) makes it run again right after.
pub async fn claim(
    c: &mut Conn,
    worker: &str,
    now: i64,
    lease_until: i64,
    limit: i64,
) -> Result<Vec<Job>> {
    let lock = if c.backend_name() == "PostgreSQL" {
        " FOR UPDATE SKIP LOCKED"
    } else {
        ""
    };
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "UPDATE job SET lease_until = $1, worker = $2, attempts = attempts + 1, run_at = $1
         WHERE id IN (SELECT id FROM job WHERE failed_at IS NULL AND run_at <= $3
                        AND (lease_until IS NULL OR lease_until <= $3)
                      ORDER BY run_at LIMIT $4{lock})
         RETURNING id, kind, key, payload, standing, attempts, runs"
    )))
    .bind(lease_until)
    .bind(worker)
    .bind(now)
    .bind(limit)
    .fetch_all(c)
    .await?)
}

/// A run went well: a standing job waits until `next_run_at` (unless nudged meanwhile), a
/// one-off job is gone. Only the worker holding the lease may finish it; returns whether it did.
pub async fn finish(c: &mut Conn, id: i64, worker: &str, next_run_at: Option<i64>) -> Result<bool> {
    let done =
        match next_run_at {
            Some(next) => sqlx::query(
                "UPDATE job SET lease_until = NULL, worker = NULL, attempts = 0, last_error = NULL,
                runs = runs + 1, run_at = CASE WHEN run_at < lease_until THEN run_at ELSE $3 END
             WHERE id = $1 AND worker = $2",
            )
            .bind(id)
            .bind(worker)
            .bind(next)
            .execute(c)
            .await?,
            None => {
                sqlx::query("DELETE FROM job WHERE id = $1 AND worker = $2")
                    .bind(id)
                    .bind(worker)
                    .execute(c)
                    .await?
            }
        };
    Ok(done.rows_affected() == 1)
}

/// A run failed: the job is due again at `retry_at`, or, with none, failed for good.
pub async fn failed(
    c: &mut Conn,
    id: i64,
    worker: &str,
    error: &str,
    retry_at: Option<i64>,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE job SET lease_until = NULL, worker = NULL, last_error = $3,
            run_at = COALESCE($4, run_at), failed_at = CASE WHEN $4 IS NULL THEN $5 ELSE NULL END
         WHERE id = $1 AND worker = $2",
    )
    .bind(id)
    .bind(worker)
    .bind(error)
    .bind(retry_at)
    .bind(now)
    .execute(c)
    .await?;
    Ok(())
}

/// Extends the leases `worker` still holds on these jobs (its heartbeat while it runs them); a
/// claimed job's `run_at` moves with its lease, so that a nudge during the run still shows.
pub async fn extend(c: &mut Conn, ids: &[i64], worker: &str, until: i64) -> Result<()> {
    for id in ids {
        sqlx::query(
            "UPDATE job SET run_at = CASE WHEN run_at = lease_until THEN $3 ELSE run_at END,
                lease_until = $3
             WHERE id = $1 AND worker = $2",
        )
        .bind(id)
        .bind(worker)
        .bind(until)
        .execute(&mut *c)
        .await?;
    }
    Ok(())
}

/// Gives back the leases a stopping worker holds on jobs it has not started: due at once.
pub async fn release(c: &mut Conn, ids: &[i64], worker: &str, now: i64) -> Result<()> {
    for id in ids {
        sqlx::query(
            "UPDATE job SET lease_until = NULL, worker = NULL, attempts = attempts - 1,
                run_at = CASE WHEN run_at > $3 THEN $3 ELSE run_at END
             WHERE id = $1 AND worker = $2",
        )
        .bind(id)
        .bind(worker)
        .bind(now)
        .execute(&mut *c)
        .await?;
    }
    Ok(())
}

/// Every job, to inspect the queue: (kind, key, runs, attempts, failed_at, last_error).
pub async fn list(
    c: &mut Conn,
) -> Result<Vec<(String, String, i64, i64, Option<i64>, Option<String>)>> {
    Ok(sqlx::query_as(
        "SELECT kind, key, runs, attempts, failed_at, last_error FROM job ORDER BY kind, key",
    )
    .fetch_all(c)
    .await?)
}
