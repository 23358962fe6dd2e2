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

/// Kill -9 in the middle of an import, on every backend: what was committed is whole batches,
/// and running the import again completes it with nothing twice.
#[tokio::test]
async fn kill_9_during_an_import_keeps_whole_batches_and_the_rerun_completes_it() {
    use std::process::{Command, Stdio};
    for db in crate::support::backends().await {
        let backend = db.backend;
        let dir = tempfile::tempdir().unwrap();
        let url = match backend {
            "postgres" => Some(db.url.clone()),
            _ => None,
        };
        let run = |args: &[&str]| {
            let mut c = Command::new(env!("CARGO_BIN_EXE_pacte"));
            c.arg("--data-dir")
                .arg(dir.path())
                .args(args)
                .env_remove("PACTE_DATABASE_URL");
            if let Some(u) = &url {
                c.env("PACTE_DATABASE_URL", u);
            }
            c.stdout(Stdio::null()).stderr(Stdio::null());
            c
        };
        assert!(
            run(&["org", "add", "--slug", "acme", "--name", "Acme"])
                .status()
                .unwrap()
                .success()
        );
        let lines = 40_000;
        let file = dir.path().join("in.jsonl");
        let text: String = (0..lines)
            .map(|i| {
                format!(
                    "{{\"channel\":\"email\",\"direction\":\"inbound\",\"occurred_at\":\"2026-0{}-{:02}T{:02}:00:00Z\",\
                     \"customer\":{{\"email\":\"c{}@exemple.fr\"}},\"subject\":\"Demande {}\",\"body\":\"ligne {i}\",\
                     \"external_id\":\"k-{i}\"}}\n",
                    1 + i % 9, 1 + i % 28, i % 24, i % 3_000, i % 7
                )
            })
            .collect();
        std::fs::write(&file, text).unwrap();
        let db_url = url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", dir.path().join("pacte.db").display()));
        sqlx::any::install_default_drivers();
        let count = || {
            let db_url = db_url.clone();
            async move {
                let pool = sqlx::AnyPool::connect(&db_url).await.unwrap();
                let (n,): (i64,) =
                    sqlx::query_as("SELECT CAST(COUNT(*) AS BIGINT) FROM interaction")
                        .fetch_one(&pool)
                        .await
                        .unwrap_or((0,));
                pool.close().await;
                n
            }
        };
        let mut import = run(&["import", file.to_str().unwrap(), "--org", "acme"])
            .spawn()
            .unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(120);
        loop {
            let n = count().await;
            if n > 0 {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{backend}: the import made no progress"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        import.kill().unwrap(); // SIGKILL
        import.wait().unwrap();
        let kept = count().await;
        assert!(kept < lines, "{backend}: killed before the end ({kept})");
        assert_eq!(
            kept % pacte::service::transfer::BATCH as i64,
            0,
            "{backend}: only whole batches were kept ({kept})"
        );
        assert!(
            run(&["import", file.to_str().unwrap(), "--org", "acme"])
                .status()
                .unwrap()
                .success()
        );
        assert_eq!(
            count().await,
            lines,
            "{backend}: the rerun completed it, nothing twice"
        );
    }
}
