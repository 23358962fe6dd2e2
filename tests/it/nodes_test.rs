//! Two `pacte serve` processes on one PostgreSQL under write load; one is killed (SIGKILL)
//! midway: every write either acknowledged is in the database, and every alert the writes
//! raised reaches the receiver — once, but for the one the dead node may have had in flight
//! (delivery is at least once; receivers dedupe on `nonconformity_id`).

use crate::charter_test::{counter_commitment, in_force, site, webhook_sink};
use crate::support::process::Server;
use crate::support::{TestApp, backends};
use axum::body::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

#[tokio::test]
async fn a_node_killed_under_load_loses_nothing_and_alerts_go_out_once() {
    let Some(db) = backends()
        .await
        .into_iter()
        .find(|d| d.backend == "postgres")
    else {
        eprintln!("PACTE_TEST_POSTGRES_URL not set: two-node test skipped");
        return;
    };
    let url = db.url.clone();
    let app = TestApp::new(db).await;
    site(&app).await;
    let (hook, mut posted) = webhook_sink().await;
    in_force(&app, counter_commitment(Some(&hook))).await;
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let flags = ["--database-url", url.as_str()];
    let mut first = Some(Server::start_with(a.path(), &flags));
    let first_port = first.as_ref().unwrap().port;
    let second = Server::start_with(b.path(), &flags);
    let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
    let post = |port: u16, i: usize| {
        // A 20-minute wait at the counter: over the unacceptable bound, so each raises an alert.
        let queued = jiff::Timestamp::from_second(1_790_000_000 + i as i64 * 3_600).unwrap();
        let answered = queued + jiff::SignedDuration::from_mins(20);
        let body = format!(
            r#"{{"channel":"counter","direction":"inbound","occurred_at":"{queued}","queued_at":"{queued}","answered_at":"{answered}","customer":{{"customer_number":"N-{i}"}},"body":"Guichet","site":"lyon","external_id":"n{i}"}}"#
        );
        let req = axum::http::Request::post(format!("http://127.0.0.1:{port}/api/v1/interactions"))
            .header("authorization", format!("Bearer {}", app.advisor))
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(body)))
            .unwrap();
        client.request(req)
    };
    let mut acked = BTreeSet::new();
    let total = 140;
    for i in 0..total {
        if i == total / 2 {
            // SIGKILL (the drop of `Server`), likely in the middle of delivering alerts.
            first.take();
        }
        // Both nodes in turn while both live, then the survivor.
        let port = if first.is_some() && i % 2 == 1 {
            first_port
        } else {
            second.port
        };
        if let Ok(res) = post(port, i).await
            && res.status() == 201
        {
            let _ = res.into_body().collect().await;
            acked.insert(format!("n{i}"));
        }
    }
    // Every acknowledged write is there.
    let mut c = app.store.reader().await.unwrap();
    let stored: BTreeSet<String> = sqlx::query_scalar::<_, String>(
        "SELECT external_id FROM interaction WHERE external_id IS NOT NULL",
    )
    .fetch_all(&mut *c)
    .await
    .unwrap()
    .into_iter()
    .collect();
    let lost: Vec<_> = acked.difference(&stored).collect();
    assert!(lost.is_empty(), "acknowledged but lost: {lost:?}");
    assert!(acked.len() >= 100, "{} acknowledged", acked.len());
    let nonconformities: i64 =
        sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM nonconformity")
            .fetch_one(&mut *c)
            .await
            .unwrap();
    drop(c);
    assert_eq!(
        nonconformities,
        acked.len() as i64,
        "one per unacceptable wait"
    );
    // Every alert reaches the receiver (what the dead node held waits for its leases: 30 s for
    // its jobs, 20 s for an alert it was posting).
    let mut seen: BTreeMap<i64, usize> = BTreeMap::new();
    let until = std::time::Instant::now() + Duration::from_secs(90);
    while (seen.len() as i64) < nonconformities && std::time::Instant::now() < until {
        if let Ok(Some(alert)) = tokio::time::timeout(Duration::from_secs(5), posted.recv()).await {
            *seen
                .entry(alert["nonconformity_id"].as_i64().unwrap())
                .or_default() += 1;
        }
    }
    // A little longer, for late duplicates.
    while let Ok(Some(alert)) = tokio::time::timeout(Duration::from_secs(2), posted.recv()).await {
        *seen
            .entry(alert["nonconformity_id"].as_i64().unwrap())
            .or_default() += 1;
    }
    assert_eq!(seen.len() as i64, nonconformities, "{}", second.log_tail());
    let twice: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
    assert!(
        twice.len() <= 1 && twice.iter().all(|(_, n)| **n == 2),
        "alerts delivered more than once: {twice:?}"
    );
}
