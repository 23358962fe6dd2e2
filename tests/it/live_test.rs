//! The live pages' stream through the real router on both backends: a change reaches the open
//! pages of its organisation only; a page that reconnects with the last id it saw misses nothing;
//! "X is replying" reaches the others.

use crate::support::{TestApp, backends, email_in};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use std::time::Duration;
use tower::ServiceExt;

/// One open `GET /events`, read event by event.
struct Stream {
    body: Body,
    buf: String,
}

#[derive(Debug)]
struct Sse {
    id: Option<String>,
    event: String,
    data: Value,
}

impl Stream {
    async fn open(app: &TestApp, cookie: &str, last_id: Option<&str>) -> Stream {
        let mut req = Request::builder().uri("/events").header("cookie", cookie);
        if let Some(id) = last_id {
            req = req.header("last-event-id", id);
        }
        let res = pacte::app::router(app.state.clone())
            .oneshot(req.body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()["content-type"], "text/event-stream");
        Stream {
            body: res.into_body(),
            buf: String::new(),
        }
    }

    /// The next event (comments and the retry hint skipped), or None after `wait`.
    async fn next(&mut self, wait: Duration) -> Option<Sse> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            while let Some(end) = self.buf.find("\n\n") {
                let block: String = self.buf.drain(..end + 2).collect();
                let (mut id, mut event, mut data) = (None, String::new(), String::new());
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("id:") {
                        id = Some(v.trim().to_string());
                    } else if let Some(v) = line.strip_prefix("event:") {
                        event = v.trim().to_string();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.trim());
                    }
                }
                if !event.is_empty() {
                    return Some(Sse {
                        id,
                        event,
                        data: serde_json::from_str(&data).unwrap_or(Value::Null),
                    });
                }
            }
            let frame = tokio::time::timeout_at(deadline, self.body.frame())
                .await
                .ok()??;
            if let Ok(bytes) = frame.unwrap().into_data() {
                self.buf.push_str(&String::from_utf8_lossy(&bytes));
            }
        }
    }

    /// Events until `n` case events came (or 10 s passed).
    async fn cases(&mut self, n: usize) -> Vec<Sse> {
        let mut out = Vec::new();
        while out.len() < n {
            match self.next(Duration::from_secs(10)).await {
                Some(e) if e.event == "case" => out.push(e),
                Some(_) => {}
                None => break,
            }
        }
        out
    }
}

#[tokio::test]
async fn changes_reach_open_pages_and_a_reconnect_misses_nothing() {
    for db in backends().await {
        let app = TestApp::new(db).await;
        let b = app.db.backend;
        let cookie = app
            .sign_in("conseil@acme.fr", "correct horse")
            .await
            .unwrap();
        let mut page = Stream::open(&app, &cookie, None).await;
        let first = app
            .interaction(email_in(
                "a@exemple.fr",
                "Colis",
                "Où est mon colis ?",
                "2026-11-01T09:00:00Z",
            ))
            .await;
        let got = page.cases(1).await;
        assert_eq!(got.len(), 1, "{b}: the new case reached the page");
        assert_eq!(got[0].data["id"], first["case_id"], "{b}");
        assert_eq!(got[0].data["status"], "open");
        let seen = got[0].id.clone().expect("a resumable event has an id");
        drop(page); // the page goes away (a network cut)

        // Meanwhile: two cases change, and another organisation's does.
        let other = app.other_org().await;
        let theirs = app
            .post(
                "/api/v1/interactions",
                &other,
                email_in("x@autre.fr", "Autre", "Rien à voir", "2026-11-01T09:00:00Z"),
            )
            .await;
        assert_eq!(theirs.status, StatusCode::CREATED);
        let second = app
            .interaction(email_in(
                "b@exemple.fr",
                "Facture",
                "Erreur de facture",
                "2026-11-01T10:00:00Z",
            ))
            .await;
        app.patch(
            &format!("/api/v1/cases/{}", first["case_id"]),
            &app.advisor,
            json!({"status": "solved"}),
        )
        .await;
        // Let the follower read them before the page comes back.
        tokio::time::sleep(Duration::from_millis(1200)).await;

        let mut back = Stream::open(&app, &cookie, Some(&seen)).await;
        let got = back.cases(2).await;
        let ids: Vec<&Value> = got.iter().map(|e| &e.data["id"]).collect();
        assert_eq!(
            ids,
            vec![&second["case_id"], &first["case_id"]],
            "{b}: both changes, in order, nothing of the other organisation"
        );
        assert_eq!(got[1].data["status"], "solved", "{b}");
        let more = back.next(Duration::from_millis(800)).await;
        assert!(more.is_none(), "{b}: nothing more, nothing twice: {more:?}");

        // "I am replying" reaches the colleagues' pages, not one's own.
        crate::support::user(&app.store, app.org_id, "julie@acme.fr", "advisor").await;
        let julie = app.sign_in("julie@acme.fr", "correct horse").await.unwrap();
        let mut mine = Stream::open(&app, &cookie, None).await;
        let mut hers = Stream::open(&app, &julie, None).await;
        let case_page = app
            .send(
                Request::builder()
                    .uri("/cases/1")
                    .header("cookie", &cookie)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        let html = case_page.json.as_str().unwrap().to_string();
        let at = html.find("data-csrf=\"").unwrap() + 11;
        let csrf = &html[at..at + 64];
        let typing = app
            .send(
                Request::builder()
                    .method("POST")
                    .uri("/cases/1/typing")
                    .header("cookie", &cookie)
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(Body::from(format!("csrf={csrf}")))
                    .unwrap(),
            )
            .await;
        assert_eq!(typing.status, StatusCode::NO_CONTENT);
        let e = hers
            .next(Duration::from_secs(5))
            .await
            .expect("she is told");
        assert_eq!(
            (e.event.as_str(), &e.data["number"]),
            ("typing", &json!(1)),
            "{b}"
        );
        assert_eq!(e.data["name"], "advisor user");
        assert!(
            mine.next(Duration::from_millis(500)).await.is_none(),
            "{b}: one's own typing is not told back"
        );
    }
}
