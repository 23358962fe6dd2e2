//! The job queue on every backend: one job per kind and key, leases that keep two workers off
//! one job and hand it over when a worker dies, retries with back-off, standing jobs nudged by
//! writes; and two real `pacte worker` processes on one PostgreSQL delivering each alert once.

use crate::charter_test::{counter_commitment, in_force, site, wait, webhook_sink};
use crate::support::{TestApp, backends};
use pacte::store::job;
use std::collections::HashMap;
use std::process::{Command, Stdio};
use std::time::Duration;

#[tokio::test]
async fn the_queue_leases_retries_and_keeps_standing_jobs() {
    for db in backends().await {
        let backend = db.backend;
        let app = TestApp::new(db).await;
        let s = &app.store;
        let t0 = 1_000_000;
        let mut tx = s.begin().await.unwrap();
        job::enqueue(&mut tx, "test.once", "a", "{}", false, t0, t0)
            .await
            .unwrap();
        job::enqueue(&mut tx, "test.once", "a", "{}", false, t0, t0)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let kinds = |s: &pacte::store::Store| {
            let s = s.clone();
            async move {
                let mut c = s.reader().await.unwrap();
                job::list(&mut c).await.unwrap()
            }
        };
        assert_eq!(
            kinds(s).await.len(),
            1,
            "{backend}: enqueued twice, kept once"
        );

        // Worker A takes it; B, at the same moment, gets nothing.
        let mut tx = s.begin().await.unwrap();
        let a = job::claim(&mut tx, "A", t0, t0 + 60_000, 8).await.unwrap();
        let b = job::claim(&mut tx, "B", t0, t0 + 60_000, 8).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!((a.len(), b.len()), (1, 0), "{backend}");
        let id = a[0].id;

        // A fails: due again after the back-off, not before.
        let mut tx = s.begin().await.unwrap();
        job::failed(&mut tx, id, "A", "boom", Some(t0 + 5_000), t0)
            .await
            .unwrap();
        assert!(
            job::claim(&mut tx, "B", t0 + 4_999, t0 + 70_000, 8)
                .await
                .unwrap()
                .is_empty()
        );
        let again = job::claim(&mut tx, "B", t0 + 5_000, t0 + 70_000, 8)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(again.len(), 1, "{backend}");
        assert_eq!(again[0].attempts, 2);

        // B dies holding it: once the lease runs out, A takes it over, and B can no longer finish.
        let mut tx = s.begin().await.unwrap();
        assert!(
            job::claim(&mut tx, "A", t0 + 69_999, t0 + 200_000, 8)
                .await
                .unwrap()
                .is_empty()
        );
        let taken = job::claim(&mut tx, "A", t0 + 70_000, t0 + 200_000, 8)
            .await
            .unwrap();
        assert_eq!(taken.len(), 1, "{backend}");
        assert!(!job::finish(&mut tx, id, "B", None).await.unwrap());
        assert!(job::finish(&mut tx, id, "A", None).await.unwrap());
        tx.commit().await.unwrap();
        assert!(
            kinds(s).await.is_empty(),
            "{backend}: a one-off job is gone once done"
        );

        // A job failing for good stays on record with its error.
        let mut tx = s.begin().await.unwrap();
        job::enqueue(&mut tx, "test.once", "b", "{}", false, t0, t0)
            .await
            .unwrap();
        let b = job::claim(&mut tx, "A", t0, t0 + 1, 8).await.unwrap();
        job::failed(&mut tx, b[0].id, "A", "gave up", None, t0)
            .await
            .unwrap();
        assert!(
            job::claim(&mut tx, "A", t0 + 10_000_000, t0 + 10_000_001, 8)
                .await
                .unwrap()
                .is_empty()
        );
        tx.commit().await.unwrap();
        let listed = kinds(s).await;
        assert_eq!(listed[0].4, Some(t0));
        assert_eq!(listed[0].5.as_deref(), Some("gave up"));

        // Standing jobs: put in once, rescheduled after a run, made due by a write.
        pacte::service::jobs::ensure_standing(s).await.unwrap();
        pacte::service::jobs::ensure_standing(s).await.unwrap();
        let now = pacte::service::now_ms();
        let mut tx = s.begin().await.unwrap();
        let due = job::claim(&mut tx, "A", now + 1, now + 60_000, 8)
            .await
            .unwrap();
        assert_eq!(
            due.len(),
            7,
            "{backend}: mail, alerts, dispatch, sampling, retention, quality, chat"
        );
        for j in &due {
            assert!(
                job::finish(&mut tx, j.id, "A", Some(now + 3_600_000))
                    .await
                    .unwrap()
            );
        }
        assert!(
            job::claim(&mut tx, "A", now + 2, now + 60_000, 8)
                .await
                .unwrap()
                .is_empty()
        );
        job::nudge(&mut tx, "mail.send", now + 3).await.unwrap();
        let nudged = job::claim(&mut tx, "A", now + 3, now + 60_000, 8)
            .await
            .unwrap();
        assert_eq!(nudged.len(), 1, "{backend}");
        assert_eq!(nudged[0].kind, "mail.send");
        assert_eq!(nudged[0].runs, 1);
        // A write nudging it while it runs makes it run again right after, not at its next look.
        job::nudge(&mut tx, "mail.send", now + 4).await.unwrap();
        assert!(
            job::finish(&mut tx, nudged[0].id, "A", Some(now + 3_600_000))
                .await
                .unwrap()
        );
        let rerun = job::claim(&mut tx, "A", now + 5, now + 60_000, 8)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(rerun.len(), 1, "{backend}: nudged during its run");
    }
}

fn worker(db_url: &str, dir: &std::path::Path) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_pacte"))
        .arg("--data-dir")
        .arg(dir)
        .arg("worker")
        .env("PACTE_DATABASE_URL", db_url)
        .env("PACTE_ALLOW_PRIVATE_NETWORKS", "1")
        .stderr(Stdio::null())
        .spawn()
        .expect("pacte worker runs")
}

#[tokio::test]
async fn two_workers_on_one_database_deliver_each_alert_once() {
    // Several processes share one database only on PostgreSQL.
    let Some(db) = backends()
        .await
        .into_iter()
        .find(|d| d.backend == "postgres")
    else {
        return;
    };
    let url = db.url.clone();
    let app = TestApp::new(db).await;
    site(&app).await;
    let (hook, mut posted) = webhook_sink().await;
    in_force(&app, counter_commitment(Some(&hook))).await;
    // 40 waits of 20 minutes: 40 unacceptable crossings, 40 alerts in the outbox.
    for i in 0..40 {
        app.interaction(wait(
            &format!("2026-10-{:02}T08:{:02}:00Z", 1 + i % 28, i),
            20,
            &format!("w{i}"),
            &format!("C-{i}"),
        ))
        .await;
    }
    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let mut workers: Vec<_> = dirs.iter().map(|d| worker(&url, d.path())).collect();
    let mut seen: HashMap<i64, usize> = HashMap::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(40);
    while seen.len() < 40 && tokio::time::Instant::now() < deadline {
        if let Ok(Some(body)) =
            tokio::time::timeout(Duration::from_millis(500), posted.recv()).await
        {
            *seen
                .entry(body["nonconformity_id"].as_i64().unwrap())
                .or_default() += 1;
        }
    }
    // Anything posted twice would arrive now.
    tokio::time::sleep(Duration::from_secs(3)).await;
    while let Ok(body) = posted.try_recv() {
        *seen
            .entry(body["nonconformity_id"].as_i64().unwrap())
            .or_default() += 1;
    }
    for w in &mut workers {
        let _ = w.kill();
        let _ = w.wait();
    }
    assert_eq!(seen.len(), 40, "every alert delivered");
    assert!(seen.values().all(|n| *n == 1), "each alert once: {seen:?}");
}
