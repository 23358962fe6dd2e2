//! Running the job queue (`store::job`): a worker claims due jobs with a lease, runs each, and
//! finishes it (a standing job is rescheduled, a one-off job removed) or retries it with
//! back-off. Writes make standing jobs due in their own transaction (`work::Work::wake`) and
//! wake this process's workers after commit; other processes see the job due at their next look.
//! Several `pacte serve` / `pacte worker` processes may share a database: a job runs on one at a
//! time, and what a job does is idempotent (mail, alerts and invitations carry their own leases
//! and states), so a worker that dies mid-run leaves nothing done twice to visible effect.

use super::wake::{self, Worker};
use super::{Result, now_ms};
use crate::store::{self, Store};
use std::time::Duration;
use tokio::sync::watch;

/// How long a claimed job is ours before another worker may take it: short, and renewed every
/// `HEARTBEAT` while this worker lives, so that a worker that dies leaves its jobs to the
/// others within seconds (a 2-minute lease stalled mail and alerts that long after a crash).
const LEASE_MS: i64 = 30_000;
const HEARTBEAT: Duration = Duration::from_secs(10);
/// Delays before the 2nd, 3rd… attempt of a failing job; a one-off job fails for good after.
const RETRY_S: [i64; 6] = [5, 30, 120, 600, 1_800, 7_200];

/// The standing jobs and how often each runs when nothing nudges it.
const STANDING: [(Worker, Duration); 7] = [
    (Worker::Mail, Duration::from_secs(5)),
    (Worker::Alerts, Duration::from_secs(5)),
    (Worker::Surveys, Duration::from_secs(5)),
    (Worker::Sampling, Duration::from_secs(60)),
    (Worker::Retention, Duration::from_secs(3_600)),
    (Worker::Quality, Duration::from_secs(60)),
    (Worker::Chat, Duration::from_secs(60)),
];

fn interval(kind: &str) -> Option<Duration> {
    STANDING
        .iter()
        .find(|(w, _)| w.job_kind() == kind)
        .map(|(_, d)| *d)
}

/// What jobs need from the running process.
#[derive(Clone)]
pub struct Context {
    pub store: Store,
    /// The public address, for links in mail.
    pub base: String,
    /// Built by `egress`, so webhooks reach only the addresses it allows.
    pub http: reqwest::Client,
    pub egress: super::egress::Egress,
    /// Names this worker in leases (process and task).
    pub name: String,
}

/// Puts the standing jobs in the queue (once; a second call changes nothing).
pub async fn ensure_standing(store: &Store) -> Result<()> {
    let now = now_ms();
    let mut tx = store.begin().await?;
    for (w, _) in STANDING {
        store::job::enqueue(&mut tx, w.job_kind(), "", "{}", true, now, now).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Runs one job; `Ok` when it did what it had to.
async fn run(cx: &Context, job: &store::job::Job) -> Result<()> {
    match job.kind.as_str() {
        k if k == Worker::Mail.job_kind() => super::email::outbound::send_due(&cx.store, cx.egress)
            .await
            .map(drop),
        k if k == Worker::Alerts.job_kind() => {
            super::charter::alerts::deliver_due(&cx.store, &cx.http, cx.egress)
                .await
                .map(drop)
        }
        k if k == Worker::Surveys.job_kind() => {
            super::survey::trigger::dispatch_due(&cx.store, &cx.base)
                .await
                .map(drop)
        }
        k if k == Worker::Sampling.job_kind() => super::survey::trigger::run_periodic(&cx.store)
            .await
            .map(drop),
        k if k == Worker::Retention.job_kind() => {
            super::retention::run_all(&cx.store).await.map(drop)
        }
        k if k == Worker::Quality.job_kind() => {
            super::quality::detect::run(&cx.store).await?;
            super::quality::digest::send_due(&cx.store, &cx.base)
                .await
                .map(drop)
        }
        k if k == Worker::Chat.job_kind() => {
            super::chat::close_idle(&cx.store, now_ms()).await.map(drop)
        }
        other => Err(super::Error::Internal(format!(
            "no handler for jobs of kind {other}"
        ))),
    }
}

/// Claims and runs due jobs once; returns how many ran.
pub async fn run_due(cx: &Context, stop: &watch::Receiver<bool>) -> Result<usize> {
    let now = now_ms();
    let claimed = {
        let mut tx = cx.store.begin().await?;
        let jobs = store::job::claim(&mut tx, &cx.name, now, now + LEASE_MS, 8).await?;
        tx.commit().await?;
        jobs
    };
    let beat = (!claimed.is_empty()).then(|| {
        let ids: Vec<i64> = claimed.iter().map(|j| j.id).collect();
        tokio::spawn(heartbeat(cx.store.clone(), cx.name.clone(), ids))
    });
    let ran = run_claimed(cx, stop, &claimed).await;
    if let Some(beat) = beat {
        beat.abort();
    }
    ran
}

/// Keeps this worker's leases alive while it runs what it claimed.
async fn heartbeat(store: Store, worker: String, ids: Vec<i64>) {
    loop {
        tokio::time::sleep(HEARTBEAT).await;
        let renewed = async {
            let mut tx = store.begin().await?;
            store::job::extend(&mut tx, &ids, &worker, now_ms() + LEASE_MS).await?;
            tx.commit().await?;
            Ok::<_, super::Error>(())
        };
        if let Err(e) = renewed.await {
            tracing::warn!("job leases not renewed: {e}");
        }
    }
}

async fn run_claimed(
    cx: &Context,
    stop: &watch::Receiver<bool>,
    claimed: &[store::job::Job],
) -> Result<usize> {
    let mut ran = 0;
    for (i, job) in claimed.iter().enumerate() {
        if *stop.borrow() {
            // Stopping: what was claimed and not started goes back to the queue.
            let ids: Vec<i64> = claimed[i..].iter().map(|j| j.id).collect();
            let mut tx = cx.store.begin().await?;
            store::job::release(&mut tx, &ids, &cx.name, now_ms()).await?;
            tx.commit().await?;
            break;
        }
        tracing::debug!(job = job.id, kind = %job.kind, "job runs");
        let outcome = run(cx, job).await;
        let now = now_ms();
        let mut tx = cx.store.begin().await?;
        match outcome {
            Ok(()) => {
                let next = interval(&job.kind).map(|d| now + d.as_millis() as i64);
                store::job::finish(
                    &mut tx,
                    job.id,
                    &cx.name,
                    next.filter(|_| job.standing != 0),
                )
                .await?;
            }
            Err(e) => {
                tracing::warn!(job = job.id, kind = %job.kind, "job failed: {e}");
                let delay = RETRY_S.get(job.attempts as usize - 1).copied();
                // A standing job is never given up: it retries at its slowest pace.
                let delay = if job.standing != 0 {
                    Some(delay.unwrap_or(RETRY_S[RETRY_S.len() - 1]))
                } else {
                    delay
                };
                let retry = delay.map(|s| now + s * 1_000);
                store::job::failed(&mut tx, job.id, &cx.name, &e.to_string(), retry, now).await?;
            }
        }
        tx.commit().await?;
        ran += 1;
    }
    Ok(ran)
}

/// Runs jobs until `stop` turns true; a job under way is finished first.
pub async fn work(cx: Context, mut stop: watch::Receiver<bool>) {
    if let Err(e) = ensure_standing(&cx.store).await {
        tracing::warn!("job queue: {e}");
    }
    tracing::debug!("job queue running");
    loop {
        if *stop.borrow() {
            return;
        }
        match run_due(&cx, &stop).await {
            Ok(n) if n > 0 => continue,
            Ok(_) => {}
            Err(e) => tracing::warn!("job queue: {e}"),
        }
        // Asleep until a write here wakes a worker, the stop signal, or the next look.
        tokio::select! {
            _ = wake::any(Duration::from_secs(1)) => {}
            _ = stop.changed() => {}
        }
    }
}

/// Starts the job workers of this process; they stop when `stop` turns true (the returned
/// handle resolves once they have).
pub fn start(cx: Context, stop: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(work(cx, stop))
}
