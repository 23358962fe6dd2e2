//! Kill -9 in the middle of a write load loses no acknowledged interaction: every 201 the API
//! gave is in the database after the crash.

use crate::support::process::{self, Server, ok};
use axum::body::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

fn pacte(dir: &std::path::Path, args: &[&str]) -> String {
    ok(&process::pacte(dir, args, None, &[]))
}

#[tokio::test]
async fn kill_9_loses_no_acknowledged_interaction() {
    let dir = tempfile::tempdir().unwrap();
    pacte(
        dir.path(),
        &["org", "add", "--slug", "acme", "--name", "Acme"],
    );
    let token = pacte(
        dir.path(),
        &[
            "user",
            "add",
            "--org",
            "acme",
            "--email",
            "api@acme.fr",
            "--role",
            "advisor",
        ],
    )
    .trim()
    .to_string();
    let server = Server::start(dir.path());
    let port = server.port;
    let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
    let acked = Arc::new(std::sync::Mutex::new(BTreeSet::new()));
    let count = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for worker in 0..16 {
        let (client, token, acked, count) =
            (client.clone(), token.clone(), acked.clone(), count.clone());
        tasks.push(tokio::spawn(async move {
            for i in 0..200 {
                let ext = format!("w{worker}-{i}");
                let body = format!(r#"{{"channel":"chat","direction":"inbound","customer":{{"email":"c{worker}@exemple.fr"}},"subject":"S{i}","body":"message {ext}","external_id":"{ext}"}}"#);
                let req = axum::http::Request::post(format!("http://127.0.0.1:{port}/api/v1/interactions"))
                    .header("authorization", format!("Bearer {token}"))
                    .header("content-type", "application/json")
                    .body(Full::new(Bytes::from(body)))
                    .unwrap();
                match client.request(req).await {
                    Ok(res) if res.status() == 201 => {
                        let _ = res.into_body().collect().await;
                        acked.lock().unwrap().insert(ext);
                        count.fetch_add(1, Ordering::SeqCst);
                    }
                    _ => return, // the server is gone
                }
            }
        }));
    }
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    while count.load(Ordering::SeqCst) < 300 {
        assert!(
            std::time::Instant::now() < deadline,
            "the server acknowledged too few writes in time"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    server.kill(); // SIGKILL
    for t in tasks {
        t.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(acked.len() >= 300);
    // After the crash, the database opens and holds every acknowledged interaction.
    let export = pacte(dir.path(), &["export", "--org", "acme"]);
    let stored: BTreeSet<String> = export
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["external_id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    let lost: Vec<_> = acked.difference(&stored).collect();
    assert!(
        lost.is_empty(),
        "{} acknowledged but lost: {lost:?}",
        lost.len()
    );
}
