//! Search through the API on both backends: French stems, folded accents, one typo forgiven,
//! names by any part, identities and case numbers whole, filters, keyset pages, isolation; the
//! index follows changes, survives a crash of its server and is rebuilt by `pacte search reindex`.

use crate::support::process::{self, Server, ok};
use crate::support::{TestApp, backends};
use axum::http::StatusCode;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::time::Duration;

/// Searches until the index holds every change written so far, then returns the answer.
async fn search(app: &TestApp, token: &str, query: &str) -> Value {
    for _ in 0..200 {
        let r = app.get(&format!("/api/v1/search?{query}"), token).await;
        assert_eq!(r.status, StatusCode::OK, "{query}: {}", r.json);
        if r.json["pending"] == 0 {
            return r.json;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the index did not catch up for {query}");
}

fn kinds_and_ids(v: &Value) -> Vec<(String, i64)> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["kind"].as_str().unwrap().to_string(),
                h["id"].as_i64().unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn finds_cases_by_their_words_and_customers_by_any_part_of_their_name() {
    for db in backends().await {
        let app = TestApp::new(db).await;
        let b = app.db.backend;
        let refund = app
            .interaction(json!({"channel": "email", "direction": "inbound",
                "customer": {"email": "vincent.roux@exemple.fr", "name": "Vincent Roux", "phone": "06 11 22 33 44"},
                "subject": "Abonnement résilié", "body": "Je demande le remboursement de mon abonnement, prélevé deux fois.",
                "occurred_at": "2026-11-02T09:00:00Z"}))
            .await;
        let parcel = app
            .interaction(json!({"channel": "chat", "direction": "inbound",
                "customer": {"email": "zoe.leclerc@exemple.fr", "name": "Zoé Leclerc"},
                "subject": "Colis", "body": "Mon colis n'est jamais arrivé, réclamation urgente.",
                "occurred_at": "2026-11-20T09:00:00Z"}))
            .await;
        let refund_case = refund["case_id"].as_i64().unwrap();
        let parcel_case = parcel["case_id"].as_i64().unwrap();

        // A French word finds its other forms; the matched words are marked in the snippet.
        for q in [
            "remboursement",
            "rembourser",
            "REMBOURSEMENTS",
            "abonnements",
        ] {
            let v = search(&app, &app.advisor, &format!("q={q}&kind=case")).await;
            assert_eq!(
                kinds_and_ids(&v),
                vec![("case".into(), refund_case)],
                "{b} {q}"
            );
            assert_eq!(v["total"], 1);
        }
        let v = search(&app, &app.advisor, "q=remboursement&kind=case").await;
        let snippet = v["items"][0]["snippet"].as_str().unwrap();
        assert!(
            snippet.contains("<mark>remboursement</mark>"),
            "{b} {snippet}"
        );
        // Accents and case folded both ways; one typo forgiven on a long word.
        for q in ["reclamation", "RÉCLAMATION", "reclamtion", "arrivee"] {
            let v = search(&app, &app.advisor, &format!("q={q}&kind=case")).await;
            assert_eq!(
                kinds_and_ids(&v),
                vec![("case".into(), parcel_case)],
                "{b} {q}"
            );
        }
        // Every word must match: two words from two cases find neither.
        let v = search(&app, &app.advisor, "q=colis+remboursement").await;
        assert_eq!(v["total"], 0, "{b}");
        // A customer by surname, by first name, by the start of a name, by an accent-free name.
        for q in ["Roux", "vincent", "Vinc", "zoe", "Leclerc"] {
            let v = search(&app, &app.advisor, &format!("q={q}&kind=customer")).await;
            assert_eq!(v["total"], 1, "{b} {q}: {v}");
        }
        // The customer's name finds their cases too; with a word, only the matching one.
        let v = search(&app, &app.advisor, "q=roux+abonnement").await;
        assert_eq!(kinds_and_ids(&v), vec![("case".into(), refund_case)], "{b}");
        // Identities and case numbers match whole.
        let v = search(
            &app,
            &app.advisor,
            "q=vincent.roux%40exemple.fr&kind=customer",
        )
        .await;
        assert_eq!(v["items"][0]["id"], refund["customer_id"], "{b}");
        let v = search(&app, &app.advisor, "q=0611223344&kind=customer").await;
        assert_eq!(v["items"][0]["id"], refund["customer_id"], "{b}");
        let number = app
            .get(&format!("/api/v1/cases/{parcel_case}"), &app.advisor)
            .await
            .json["number"]
            .as_i64()
            .unwrap();
        let v = search(
            &app,
            &app.advisor,
            &format!("q=%5B%23ACME-{number}%5D&kind=case"),
        )
        .await;
        assert_eq!(v["items"][0]["id"], parcel_case, "{b}");

        // Filters: status, channel, dates (the organisation's days).
        let v = search(&app, &app.advisor, "q=colis&status=closed").await;
        assert_eq!(v["total"], 0, "{b}");
        let v = search(&app, &app.advisor, "q=colis&channel=chat").await;
        assert_eq!(v["total"], 1, "{b}");
        let v = search(&app, &app.advisor, "q=colis&channel=email").await;
        assert_eq!(v["total"], 0, "{b}");
        let v = search(
            &app,
            &app.advisor,
            "q=colis&kind=case&from=2026-11-20&to=2026-11-20",
        )
        .await;
        assert_eq!(v["total"], 1, "{b}");
        let v = search(&app, &app.advisor, "q=colis&kind=case&to=2026-11-19").await;
        assert_eq!(v["total"], 0, "{b}");

        // A change is searchable once committed: the case closed leaves "open".
        let r = app
            .patch(
                &format!("/api/v1/cases/{parcel_case}"),
                &app.advisor,
                json!({"status": "closed"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.json);
        let v = search(&app, &app.advisor, "q=colis&status=closed").await;
        assert_eq!(v["total"], 1, "{b}");

        // A new message on a case makes its words findable.
        app.interaction(json!({"channel": "email", "direction": "inbound", "case_id": refund_case,
            "customer": {"email": "vincent.roux@exemple.fr"}, "body": "Voici mon RIB pour le virement.",
            "occurred_at": "2026-11-03T09:00:00Z"}))
            .await;
        let v = search(&app, &app.advisor, "q=virement").await;
        assert_eq!(kinds_and_ids(&v), vec![("case".into(), refund_case)], "{b}");

        // Another organisation finds nothing of these.
        let other = app.other_org().await;
        let v = search(&app, &other, "q=colis").await;
        assert_eq!(v["total"], 0, "{b}");
    }
}

#[tokio::test]
async fn pages_follow_each_other_without_gap_or_repeat() {
    for db in backends().await {
        let app = TestApp::new(db).await;
        let mut items = Vec::new();
        for i in 0..25 {
            let body = json!({"channel": "email", "direction": "inbound",
                "customer": {"email": format!("client{i}@exemple.fr")},
                "subject": format!("Facture {i}"),
                "body": format!("Question sur la facture{}", " facture".repeat(i % 4)),
                "occurred_at": "2026-11-02T09:00:00Z"});
            items.push(body);
        }
        for body in items {
            app.interaction(body).await;
        }
        let mut seen = BTreeSet::new();
        let mut cursor = String::new();
        let mut pages = 0;
        loop {
            let v = search(
                &app,
                &app.advisor,
                &format!("q=facture&kind=case&limit=10{cursor}"),
            )
            .await;
            assert_eq!(v["total"], 25, "{}", app.db.backend);
            let scores: Vec<f64> = v["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| h["score"].as_f64().unwrap())
                .collect();
            assert!(
                scores.windows(2).all(|w| w[0] >= w[1]),
                "best first: {scores:?}"
            );
            for (_, id) in kinds_and_ids(&v) {
                assert!(seen.insert(id), "{} repeated", id);
            }
            pages += 1;
            match v["next_cursor"].as_str() {
                Some(c) => cursor = format!("&cursor={c}"),
                None => break,
            }
        }
        assert_eq!((seen.len(), pages), (25, 3), "{}", app.db.backend);
    }
}

#[tokio::test]
async fn refuses_what_it_cannot_read_and_names_it() {
    for db in backends().await {
        let app = TestApp::new(db).await;
        let r = app.get("/api/v1/search?q=x&sort=date", &app.advisor).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert_eq!(r.json["error"]["code"], "unknown_parameter", "{}", r.json);
        assert_eq!(r.json["error"]["fields"][0]["field"], "sort");
        let r = app.get("/api/v1/search?q=", &app.advisor).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json["error"]["fields"][0]["field"], "q");
        let r = app
            .get(
                "/api/v1/search?q=x&status=lost&from=hier&kind=all&site=nowhere&limit=0",
                &app.advisor,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let fields: BTreeSet<&str> = r.json["error"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap())
            .collect();
        assert_eq!(
            fields,
            BTreeSet::from(["status", "from", "kind", "site", "limit"]),
            "{}",
            r.json
        );
        let r = app.get("/api/v1/search?q=x&cursor=abc", &app.advisor).await;
        assert_eq!(r.json["error"]["fields"][0]["code"], "invalid_cursor");
        // Unknown parameters elsewhere too; an empty filter is no filter.
        let r = app.get("/api/v1/cases?colour=red", &app.advisor).await;
        assert_eq!(r.json["error"]["code"], "unknown_parameter");
        let r = app.get("/api/v1/cases?team=&assignee=", &app.advisor).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.json);
        let r = app.get("/api/v1/search?q=x", "not-a-token").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn a_merged_customer_leaves_the_results_and_their_cases_follow_the_kept_one() {
    for db in backends().await {
        let app = TestApp::new(db).await;
        let a = app
            .interaction(json!({"channel": "email", "direction": "inbound",
                "customer": {"email": "anne.martin@exemple.fr", "name": "Anne Martin"}, "subject": "Compteur", "body": "Relevé du compteur"}))
            .await;
        let b = app
            .interaction(json!({"channel": "phone", "direction": "inbound",
                "customer": {"phone": "0698765432", "name": "Anne Martin-Durand"}, "subject": "Coupure", "body": "Coupure d'électricité"}))
            .await;
        let v = search(&app, &app.advisor, "q=martin&kind=customer").await;
        assert_eq!(v["total"], 2, "{}", app.db.backend);
        let (ka, kb) = (
            a["customer_id"].as_i64().unwrap(),
            b["customer_id"].as_i64().unwrap(),
        );
        let m = app
            .post(
                &format!("/api/v1/customers/{ka}/merge"),
                &app.admin,
                json!({"merged_id": kb}),
            )
            .await;
        assert_eq!(m.status, StatusCode::CREATED, "{}", m.json);
        let v = search(&app, &app.advisor, "q=martin&kind=customer").await;
        assert_eq!(
            kinds_and_ids(&v),
            vec![("customer".into(), ka)],
            "{}",
            app.db.backend
        );
        // The kept customer's phone now finds them; their moved case names them.
        let v = search(&app, &app.advisor, "q=0698765432&kind=customer").await;
        assert_eq!(v["items"][0]["id"], ka);
        let v = search(&app, &app.advisor, "q=coupure&kind=case").await;
        assert_eq!(v["items"][0]["customer_id"], ka, "{v}");
    }
}

/// PostgreSQL: a transaction that drew its log ids first and commits last is not skipped.
#[tokio::test]
async fn the_log_is_read_in_commit_order_on_postgresql() {
    for db in backends().await {
        if db.backend != "postgres" {
            continue;
        }
        let store = pacte::store::Store::open(&db.url).await.unwrap();
        let mut c = store.reader().await.unwrap();
        let start = pacte::store::change::position_now(&mut c).await.unwrap();
        let mut early = store.begin().await.unwrap();
        sqlx::query("INSERT INTO change_log (kind, ref_id) VALUES ('case', 1)")
            .execute(&mut *early)
            .await
            .unwrap();
        let mut late = store.begin().await.unwrap();
        sqlx::query("INSERT INTO change_log (kind, ref_id) VALUES ('case', 2)")
            .execute(&mut *late)
            .await
            .unwrap();
        late.commit().await.unwrap();
        let seen = pacte::store::change::changes_after(&mut c, start, 100)
            .await
            .unwrap();
        assert!(seen.is_empty(), "read past a running transaction: {seen:?}");
        early.commit().await.unwrap();
        // Transactions of other tests on the same cluster may hold the horizon a moment.
        let mut refs = Vec::new();
        for _ in 0..100 {
            let seen = pacte::store::change::changes_after(&mut c, start, 100)
                .await
                .unwrap();
            refs = seen.iter().map(|s| s.ref_id).collect();
            if refs.len() == 2 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(refs, vec![1, 2]);
    }
}

fn pacte(dir: &std::path::Path, args: &[&str]) -> String {
    ok(&process::pacte(dir, args, None, &[]))
}

async fn http_search(port: u16, token: &str, q: &str) -> Value {
    use http_body_util::{BodyExt, Empty};
    let client: hyper_util::client::legacy::Client<_, Empty<axum::body::Bytes>> =
        hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
            .build_http();
    let req = axum::http::Request::get(format!("http://127.0.0.1:{port}/api/v1/search?{q}"))
        .header("authorization", format!("Bearer {token}"))
        .body(Empty::new())
        .unwrap();
    let Ok(res) = client.request(req).await else {
        return Value::Null;
    };
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    serde_json::from_slice(&bytes).unwrap_or(Value::Null)
}

async fn until_found(port: u16, token: &str, q: &str, total: i64, server: &Server) {
    for _ in 0..300 {
        let v = http_search(port, token, q).await;
        if v["total"] == total && v["pending"] == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{q}: never {total} results\n{}", server.log_tail());
}

#[tokio::test]
async fn the_index_catches_up_after_a_crash_and_is_rebuilt_on_demand() {
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
            "a@acme.fr",
            "--role",
            "advisor",
        ],
    )
    .trim()
    .to_string();
    let lines = |word: &str, n: usize| {
        (0..n)
            .map(|i| {
                format!(
                    r#"{{"channel":"email","direction":"inbound","customer":{{"email":"{word}{i}@exemple.fr"}},"subject":"{word} {i}","body":"Message {word}","occurred_at":"2026-11-02T09:00:00Z","external_id":"{word}-{i}"}}"#
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    let file = dir.path().join("first.jsonl");
    std::fs::write(&file, lines("tulipe", 300)).unwrap();
    pacte(
        dir.path(),
        &["import", file.to_str().unwrap(), "--org", "acme"],
    );
    let server = Server::start(dir.path());
    until_found(server.port, &token, "q=tulipe&kind=case", 300, &server).await;
    server.kill(); // SIGKILL: the index keeps what it committed

    // Written while no server runs: the next one catches up from where its index stood.
    let file = dir.path().join("second.jsonl");
    std::fs::write(&file, lines("jonquille", 200)).unwrap();
    pacte(
        dir.path(),
        &["import", file.to_str().unwrap(), "--org", "acme"],
    );
    let server = Server::start(dir.path());
    until_found(server.port, &token, "q=jonquille&kind=case", 200, &server).await;
    until_found(server.port, &token, "q=tulipe&kind=case", 300, &server).await;

    // A rebuild is refused while the server holds the index, and works once it is stopped.
    let busy = process::pacte(dir.path(), &["search", "reindex"], None, &[]);
    assert!(!busy.status.success());
    assert!(
        String::from_utf8_lossy(&busy.stderr).contains("keeps this search index"),
        "{}",
        String::from_utf8_lossy(&busy.stderr)
    );
    server.kill();
    std::fs::remove_dir_all(dir.path().join("search")).unwrap();
    let out = process::pacte(dir.path(), &["search", "reindex"], None, &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("1000 cases and customers"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let server = Server::start(dir.path());
    until_found(server.port, &token, "q=jonquille+tulipe", 0, &server).await;
    until_found(server.port, &token, "q=jonquille", 200, &server).await;
    // The start of an email finds its customers when nothing else matches.
    until_found(
        server.port,
        &token,
        "q=jonquill&kind=customer",
        200,
        &server,
    )
    .await;
}
