//! The chat through HTTP on every backend: the bot answers and asks whether it helped, two
//! "no" hand over with the reason, the queue gives the place, an advisor accepts and replies,
//! a client that resumes from the last event it saw gets the rest and nothing twice (also by
//! long poll), tokens are checked, floods refused, and a closed conversation with a known
//! customer is a chat interaction on their case.

use crate::support::{TestApp, backends};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{Value, json};

const ARTICLES: &str = r#"{"external_id": "A1", "title": "Que faire en cas de perte de la carte grise ?", "short_answer": "Déclarez la perte en ligne et demandez un duplicata.", "body": "La déclaration de perte se fait en ligne."}
{"external_id": "A2", "title": "Comment refaire son passeport ?", "short_answer": "En mairie, sur rendez-vous.", "body": "Avec une photo et un timbre fiscal."}
"#;

async fn visitor(
    app: &TestApp,
    method: &str,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header("x-chat-token", token);
    let body = match body {
        Some(b) => {
            req = req.header("content-type", "application/json");
            Body::from(b.to_string())
        }
        None => Body::empty(),
    };
    let r = app.send(req.body(body).unwrap()).await;
    (r.status, r.json)
}

fn kinds(events: &Value) -> Vec<String> {
    events["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{}:{}",
                e["author"].as_str().unwrap(),
                e["kind"].as_str().unwrap()
            )
        })
        .collect()
}

#[tokio::test]
async fn a_chat_goes_from_the_bot_to_an_advisor_and_lands_on_the_customer_s_case() {
    for db in backends().await {
        let app = TestApp::new(db).await;
        let backend = app.db.backend;
        let req = Request::builder()
            .method("POST")
            .uri("/api/v1/kb/import")
            .header("authorization", format!("Bearer {}", app.admin))
            .body(Body::from(ARTICLES))
            .unwrap();
        assert_eq!(app.send(req).await.status, StatusCode::OK);

        // A visitor who gives their email; the bot answers and asks.
        let r = app
            .call(
                "POST",
                "/api/v1/chat/acme/conversations",
                None,
                Some(json!({"identity": "lea@example.fr", "name": "Léa"})),
                &[],
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
        let id = r.json["conversation_id"].as_i64().unwrap();
        let token = r.json["token"].as_str().unwrap().to_string();
        assert_eq!(r.json["status"], "bot");
        let msgs = format!("/api/v1/chat/conversations/{id}/messages");
        let (s, a) = visitor(
            &app,
            "POST",
            &msgs,
            &token,
            Some(json!({"text": "j'ai perdu ma carte grise"})),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{a}");
        assert_eq!(
            kinds(&a),
            ["visitor:message", "bot:answer"],
            "{backend}: {a}"
        );
        assert!(
            a["events"][1]["body"]
                .as_str()
                .unwrap()
                .contains("duplicata")
        );
        let feedback = format!("/api/v1/chat/conversations/{id}/feedback");
        // Twice "no": the second hands over, with the reason.
        let (_, f) = visitor(
            &app,
            "POST",
            &feedback,
            &token,
            Some(json!({"helpful": false})),
        )
        .await;
        assert_eq!(kinds(&f), ["visitor:feedback"], "{f}");
        let (s, f) = visitor(
            &app,
            "POST",
            &feedback,
            &token,
            Some(json!({"helpful": false})),
        )
        .await;
        assert_eq!(s, StatusCode::CONFLICT, "nothing awaits a verdict: {f}");
        visitor(
            &app,
            "POST",
            &msgs,
            &token,
            Some(json!({"text": "et pour la carte grise d'une moto ?"})),
        )
        .await;
        let (_, f) = visitor(
            &app,
            "POST",
            &feedback,
            &token,
            Some(json!({"helpful": false})),
        )
        .await;
        assert_eq!(
            kinds(&f),
            ["visitor:feedback", "bot:handoff"],
            "{backend}: {f}"
        );
        assert_eq!(
            (
                f["status"].clone(),
                f["reason"].clone(),
                f["position"].clone()
            ),
            (json!("waiting"), Value::Null, json!(1)),
            "the reason stays with staff: {f}"
        );
        assert_eq!(f["events"][1]["body"], "", "{f}");

        // A second visitor presses the button: second in the queue.
        let r = app
            .call(
                "POST",
                "/api/v1/chat/acme/conversations",
                None,
                Some(json!({"lang": "en"})),
                &[],
            )
            .await;
        let (id2, token2) = (
            r.json["conversation_id"].as_i64().unwrap(),
            r.json["token"].as_str().unwrap().to_string(),
        );
        let (_, h) = visitor(
            &app,
            "POST",
            &format!("/api/v1/chat/conversations/{id2}/handoff"),
            &token2,
            None,
        )
        .await;
        assert_eq!(
            (h["reason"].clone(), h["position"].clone()),
            (json!("request"), json!(2)),
            "{h}"
        );
        let q = app.get("/api/v1/chat/queue", &app.advisor).await.json;
        let ids: Vec<i64> = q
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_i64().unwrap())
            .collect();
        assert_eq!(ids, [id, id2], "{q}");

        // The console lists both, with why, and shows a transcript; its feed is the same events.
        let cookie = app.sign_in("admin@acme.fr", "correct horse").await.unwrap();
        let console = crate::support::html(&app.send(crate::support::page("/chat", &cookie)).await);
        assert!(
            console.contains("le client demande un conseiller") && console.contains("Léa"),
            "{backend}: {console}"
        );
        let page = crate::support::html(
            &app.send(crate::support::page(&format!("/chat/{id}"), &cookie))
                .await,
        );
        assert!(
            page.contains("Passage à un conseiller\u{a0}: des réponses n&#39;ont pas aidé")
                || page.contains("Passage à un conseiller\u{a0}: des réponses n&#x27;ont pas aidé"),
            "{page}"
        );
        let feed = app
            .send(crate::support::page(
                &format!("/chat/{id2}/events?after=0"),
                &cookie,
            ))
            .await;
        assert_eq!(feed.json["events"][0]["kind"], "handoff", "{}", feed.json);

        // The advisor takes it (once), sees everything, replies; the visitor's long poll wakes.
        let accept = format!("/api/v1/chat/conversations/{id}/accept");
        let r = app.post(&accept, &app.advisor, json!({})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.json);
        assert_eq!(
            app.post(&accept, &app.admin, json!({})).await.status,
            StatusCode::CONFLICT
        );
        let t = app
            .get(&format!("/api/v1/chat/conversations/{id}"), &app.advisor)
            .await
            .json;
        assert_eq!(t["conversation"]["reason"], "unhelpful");
        let seen = t["conversation"]["seq"].as_i64().unwrap();
        let poll = {
            let state = app.state.clone();
            let token = token.clone();
            tokio::spawn(async move {
                let started = std::time::Instant::now();
                let e = state
                    .chat
                    .events(&state.store, id, &token, seen, Some(10))
                    .await
                    .unwrap();
                (started.elapsed(), e)
            })
        };
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let r = app
            .post(
                &format!("/api/v1/chat/conversations/{id}/replies"),
                &app.advisor,
                json!({"text": "Bonjour Léa, je regarde votre dossier."}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.json);
        let (waited, e) = poll.await.unwrap();
        assert!(
            waited < std::time::Duration::from_secs(5),
            "{backend}: woken by the reply ({waited:?})"
        );
        assert_eq!(e.events.len(), 1);
        assert_eq!(e.events[0].body, "Bonjour Léa, je regarde votre dossier.");
        let r = app
            .post(
                &format!("/api/v1/chat/conversations/{id}/replies"),
                &app.admin,
                json!({"text": "moi aussi"}),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::CONFLICT,
            "only the advisor who took it replies"
        );

        // A client that reconnects from any point gets the rest, in order, once.
        let events = format!("/api/v1/chat/conversations/{id}/events");
        let (_, all) = visitor(&app, "GET", &format!("{events}?after=0"), &token, None).await;
        let seqs: Vec<i64> = all["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["seq"].as_i64().unwrap())
            .collect();
        assert_eq!(seqs, (1..=seqs.len() as i64).collect::<Vec<_>>(), "{all}");
        let (_, rest) = visitor(&app, "GET", &format!("{events}?after=3"), &token, None).await;
        assert_eq!(rest["events"].as_array().unwrap().len(), seqs.len() - 3);
        assert_eq!(rest["events"][0]["seq"], 4);

        // Tokens: forged, or another conversation's, are refused; so is a flood.
        let (s, _) = visitor(&app, "GET", &events, "forged", None).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        let (s, _) = visitor(&app, "GET", &events, &token2, None).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        let (s, r) = visitor(&app, "POST", &msgs, &token, Some(json!({"text": "a\u{0}"}))).await;
        assert!(
            s == StatusCode::UNPROCESSABLE_ENTITY || s == StatusCode::BAD_REQUEST,
            "{s} {r}"
        );
        let mut last = StatusCode::OK;
        for i in 0..25 {
            last = visitor(
                &app,
                "POST",
                &msgs,
                &token,
                Some(json!({"text": format!("message {i}")})),
            )
            .await
            .0;
        }
        assert_eq!(last, StatusCode::TOO_MANY_REQUESTS, "{backend}");

        // Starting conversations is limited per client address (two started above).
        let mut started = StatusCode::CREATED;
        for _ in 0..29 {
            started = app
                .call(
                    "POST",
                    "/api/v1/chat/acme/conversations",
                    None,
                    Some(json!({})),
                    &[],
                )
                .await
                .status;
        }
        assert_eq!(started, StatusCode::TOO_MANY_REQUESTS, "{backend}");

        // Another organisation's advisor sees nothing of it.
        let other = app.other_org().await;
        assert_eq!(
            app.get(&format!("/api/v1/chat/conversations/{id}"), &other)
                .await
                .status,
            StatusCode::NOT_FOUND
        );

        // Closed: the transcript is a chat interaction on Léa's case, measured from the handoff.
        let r = app
            .post(
                &format!("/api/v1/chat/conversations/{id}/end"),
                &app.advisor,
                json!({}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.json);
        let t = app
            .get(&format!("/api/v1/chat/conversations/{id}"), &app.advisor)
            .await
            .json;
        let case_id = t["conversation"]["case_id"]
            .as_i64()
            .expect("recorded on a case");
        let case = app
            .get(&format!("/api/v1/cases/{case_id}"), &app.advisor)
            .await
            .json;
        let chat = case["interactions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["channel"] == "chat")
            .unwrap_or_else(|| panic!("{backend}: {case}"))
            .clone();
        assert!(
            chat["body"]
                .as_str()
                .unwrap()
                .contains("je regarde votre dossier"),
            "{chat}"
        );
        assert!(
            !chat["queued_at"].is_null() && !chat["answered_at"].is_null(),
            "{chat}"
        );
        let (s, _) = visitor(
            &app,
            "POST",
            &msgs,
            &token,
            Some(json!({"text": "encore là ?"})),
        )
        .await;
        assert_eq!(s, StatusCode::CONFLICT);
        // Closing twice records nothing twice.
        app.post(
            &format!("/api/v1/chat/conversations/{id}/end"),
            &app.advisor,
            json!({}),
        )
        .await;
        let case = app
            .get(&format!("/api/v1/cases/{case_id}"), &app.advisor)
            .await
            .json;
        let n = case["interactions"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["channel"] == "chat")
            .count();
        assert_eq!(n, 1, "{case}");

        // Answered by an advisor: the case is solved at the close, and the widget asks the
        // organisation's post-case survey; "not solved" reopens the case with a call-back task.
        assert_eq!(case["status"], "solved", "{backend}: {case}");
        let (_, closed) = visitor(&app, "GET", &format!("{events}?after=0"), &token, None).await;
        let asked = &closed["survey"];
        assert_eq!(
            (
                asked["kind"].clone(),
                asked["min"].clone(),
                asked["max"].clone(),
                asked["ask_solved"].clone()
            ),
            (json!("csat"), json!(1), json!(5), json!(true)),
            "{closed}"
        );
        assert!(
            asked["question"].as_str().unwrap().contains("satisfait"),
            "{asked}"
        );
        let survey = format!("/api/v1/chat/conversations/{id}/survey");
        let (s, r) = visitor(&app, "POST", &survey, &token, Some(json!({"score": 9}))).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "out of range: {r}");
        assert_eq!(r["error"]["fields"][0]["field"], "score", "{r}");
        let (s, r) = visitor(
            &app,
            "POST",
            &survey,
            &token,
            Some(json!({"score": 2, "solved": false, "comment": "toujours bloquée"})),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{backend}: {r}");
        assert_eq!(r["reopened_case"], true, "{r}");
        let case = app
            .get(&format!("/api/v1/cases/{case_id}"), &app.advisor)
            .await
            .json;
        assert_eq!(case["status"], "open", "{backend}: {case}");
        let (s, _) = visitor(
            &app,
            "POST",
            &survey,
            &token,
            Some(json!({"score": 5, "solved": true})),
        )
        .await;
        assert_eq!(s, StatusCode::CONFLICT, "answered once");
        let (_, after) = visitor(&app, "GET", &format!("{events}?after=0"), &token, None).await;
        assert!(after["survey"].is_null(), "not asked again: {after}");
        // The email survey the solved case scheduled is skipped when it falls due: answered.
        let invitations = {
            let mut c = app.store.reader().await.unwrap();
            pacte::store::survey::case_invitations(&mut c, case_id)
                .await
                .unwrap()
        };
        assert_eq!(invitations.len(), 1, "{backend}: {invitations:?}");
        let outcome = pacte::service::survey::trigger::dispatch_one(
            &app.store,
            &invitations[0],
            "http://localhost",
        )
        .await
        .unwrap();
        assert!(
            matches!(
                outcome,
                pacte::service::survey::trigger::Outcome::Skipped("answered")
            ),
            "{backend}"
        );
        let surveys = app.get("/api/v1/surveys", &app.admin).await.json;
        let csat = surveys
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["trigger"] == "case_solved")
            .unwrap_or_else(|| panic!("{surveys}"))["id"]
            .clone();
        let answers = app
            .get(&format!("/api/v1/surveys/{csat}/responses"), &app.admin)
            .await;
        assert!(
            answers.json.to_string().contains("toujours bloquée"),
            "{backend}: {}",
            answers.json
        );

        // A conversation left waiting for hours is closed by the standing job.
        let r = app
            .call(
                "POST",
                "/api/v1/chat/acme/conversations",
                None,
                Some(json!({"identity": "06 12 34 56 78"})),
                &[],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::TOO_MANY_REQUESTS,
            "the limit above still holds"
        );
        let closed =
            pacte::service::chat::close_idle(&app.store, pacte::service::now_ms() + 5 * 3_600_000)
                .await
                .unwrap();
        assert!(
            closed >= 1,
            "{backend}: the anonymous conversation waiting since the handoff"
        );
        let t = app
            .get(&format!("/api/v1/chat/conversations/{id2}"), &app.advisor)
            .await
            .json;
        assert_eq!(t["conversation"]["status"], "closed", "{t}");
        assert_eq!(
            t["events"].as_array().unwrap().last().unwrap()["author"],
            "system",
            "{t}"
        );
        assert_eq!(
            pacte::service::chat::close_idle(&app.store, pacte::service::now_ms() + 5 * 3_600_000)
                .await
                .unwrap(),
            0
        );
        // Nobody answered it: there is nothing to rate (an anonymous visitor an advisor answered
        // rates it too: the browser test).
        let (s, r) = visitor(
            &app,
            "POST",
            &format!("/api/v1/chat/conversations/{id2}/survey"),
            &token2,
            Some(json!({"score": 4, "solved": true, "lang": "en"})),
        )
        .await;
        assert_eq!(s, StatusCode::CONFLICT, "{backend}: {r}");
        assert_eq!(r["error"]["code"], "nothing_to_answer", "{r}");

        // The report counts this month's conversations: Léa's handed over (unhelpful) and
        // answered by the advisor, the second by request and left unanswered; the 28 more started
        // to test the limit never left the bot nor got an answer.
        let r = app.get("/api/v1/chat/report", &app.admin).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.json);
        let rep = &r.json;
        assert_eq!(
            (
                rep["conversations"].clone(),
                rep["handoffs"].clone(),
                rep["answered"].clone(),
                rep["abandoned"].clone(),
                rep["contained"].clone()
            ),
            (json!(30), json!(2), json!(1), json!(1), json!(0)),
            "{backend}: {rep}"
        );
        let reasons: Vec<&str> = rep["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["reason"].as_str().unwrap())
            .collect();
        assert_eq!(reasons.len(), 2, "{rep}");
        assert!(
            reasons.contains(&"unhelpful") && reasons.contains(&"request"),
            "{rep}"
        );
        assert_eq!(rep["advisors"][0]["taken"], 1, "{rep}");
        assert_eq!(
            app.get("/api/v1/chat/report", &app.advisor).await.status,
            StatusCode::FORBIDDEN,
            "managers and above"
        );
        let page = crate::support::html(
            &app.send(crate::support::page("/chat/report", &cookie))
                .await,
        );
        assert!(
            page.contains("Passages à un conseiller")
                && page.contains("50,0\u{202f}%")
                && page.contains("jamais passée à un conseiller"),
            "{backend}: {page}"
        );
    }
}

/// The conversation's WebSocket on a real listening server: it sends what the client missed,
/// pushes each new event as it is written, and a client that drops the connection and comes
/// back with the last number it saw gets the rest once; the other side's typing is told; a
/// forged token is refused before the handshake, a plain GET is told to upgrade.
#[tokio::test]
async fn the_chat_socket_pushes_events_and_resumes_after_a_cut() {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::{Message, client::IntoClientRequest};
    for db in backends().await {
        let app = TestApp::new(db).await;
        let backend = app.db.backend;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let router = pacte::app::router(app.state.clone());
        tokio::spawn(async move {
            axum::serve(
                listener,
                router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
            )
            .await
        });
        let r = app
            .call(
                "POST",
                "/api/v1/chat/acme/conversations",
                None,
                Some(json!({"identity": "ws@example.fr"})),
                &[],
            )
            .await;
        let id = r.json["conversation_id"].as_i64().unwrap();
        let token = r.json["token"].as_str().unwrap().to_string();
        let connect = |after: i64, token: String| async move {
            let mut req = format!(
                "ws://127.0.0.1:{port}/api/v1/chat/conversations/{id}/socket?after={after}"
            )
            .into_client_request()
            .unwrap();
            req.headers_mut().insert(
                "sec-websocket-protocol",
                format!("pacte-chat, {token}").parse().unwrap(),
            );
            tokio_tungstenite::connect_async(req).await
        };
        async fn frame(
            s: &mut tokio_tungstenite::WebSocketStream<
                tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
            >,
        ) -> Value {
            loop {
                let m = tokio::time::timeout(std::time::Duration::from_secs(10), s.next())
                    .await
                    .expect("a frame within 10 s")
                    .expect("socket open")
                    .expect("frame");
                if let Message::Text(t) = m {
                    return serde_json::from_str(&t).unwrap();
                }
            }
        }

        // The handoff is written while no socket is open; the first socket sends it.
        let (st, _) = visitor(
            &app,
            "POST",
            &format!("/api/v1/chat/conversations/{id}/handoff"),
            &token,
            None,
        )
        .await;
        assert_eq!(st, StatusCode::OK);
        let (mut ws, resp) = connect(0, token.clone()).await.expect("handshake");
        assert_eq!(
            resp.headers()["sec-websocket-protocol"],
            "pacte-chat",
            "{backend}"
        );
        let f = frame(&mut ws).await;
        assert_eq!(kinds(&f), ["bot:handoff"], "{backend}: {f}");
        assert_eq!(f["status"], "waiting");
        assert_eq!(f["position"], 1);

        // Pushed as it is written: the advisor takes it and types; the visitor sees both.
        let accept = app
            .post(
                &format!("/api/v1/chat/conversations/{id}/accept"),
                &app.advisor,
                json!({}),
            )
            .await;
        assert_eq!(accept.status, StatusCode::OK, "{}", accept.json);
        let f = frame(&mut ws).await;
        assert_eq!(kinds(&f), ["advisor:accepted"], "{backend}: {f}");
        assert_eq!(f["status"], "open");
        app.state
            .chat
            .typing(id, pacte::service::chat::Side::Advisor);
        assert_eq!(frame(&mut ws).await, json!({"typing": "advisor"}));
        // A frame that is not a typing signal is refused, and the socket goes on.
        ws.send(Message::Text("{\"text\":\"hi\"}".into()))
            .await
            .unwrap();
        assert_eq!(frame(&mut ws).await["error"]["code"], "unknown_frame");
        let seen = 2;

        // The connection is cut; the advisor replies twice meanwhile.
        drop(ws);
        for text in ["Bonjour, je regarde.", "C'est réglé."] {
            let r = app
                .post(
                    &format!("/api/v1/chat/conversations/{id}/replies"),
                    &app.advisor,
                    json!({"text": text}),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.json);
        }
        let (mut ws, _) = connect(seen, token.clone()).await.expect("handshake");
        let f = frame(&mut ws).await;
        let seqs: Vec<i64> = f["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["seq"].as_i64().unwrap())
            .collect();
        assert_eq!(seqs, [3, 4], "{backend}: each missed event once, in order");
        assert_eq!(f["events"][1]["body"], "C'est réglé.");

        // The visitor's own typing is not sent back to them: the next frame is the close.
        ws.send(Message::Text("{\"typing\":true}".into()))
            .await
            .unwrap();

        // Closing ends the socket after the last event.
        let (st, _) = visitor(
            &app,
            "POST",
            &format!("/api/v1/chat/conversations/{id}/close"),
            &token,
            None,
        )
        .await;
        assert_eq!(st, StatusCode::OK);
        let f = frame(&mut ws).await;
        assert_eq!(kinds(&f), ["visitor:closed"], "{backend}: {f}");
        assert_eq!(f["status"], "closed");
        // A socket opened on the closed conversation is told so at once, and ends.
        let (mut late, _) = connect(5, token.clone()).await.expect("handshake");
        let f = frame(&mut late).await;
        assert_eq!(
            (f["status"].as_str(), f["events"].as_array().map(Vec::len)),
            (Some("closed"), Some(0)),
            "{backend}"
        );

        // A forged token is refused at the handshake; a plain GET is told to upgrade.
        let forged = connect(0, format!("{token}x")).await;
        match forged {
            Err(tokio_tungstenite::tungstenite::Error::Http(r)) => {
                assert_eq!(r.status(), 401, "{backend}")
            }
            other => panic!("{backend}: forged token accepted: {other:?}"),
        }
        let plain = Request::builder()
            .uri(format!("/api/v1/chat/conversations/{id}/socket"))
            .header("sec-websocket-protocol", format!("pacte-chat, {token}"))
            .body(Body::empty())
            .unwrap();
        let r = app.send(plain).await;
        assert_eq!(r.status, StatusCode::UPGRADE_REQUIRED, "{backend}");
        assert_eq!(r.json["error"]["code"], "upgrade_required");
    }
}

/// Presence and opening hours: a visitor waiting while nobody is at their console, or outside the
/// site's hours, is told so and leaves a message, which becomes an email case with the
/// conversation; advisors set their presence, and a console gone quiet counts as away.
#[tokio::test]
async fn nobody_there_means_a_message_that_becomes_an_email_case() {
    for db in backends().await {
        let app = TestApp::new(db).await;
        let backend = app.db.backend;
        let site = app
            .post(
                "/api/v1/sites",
                &app.admin,
                json!({"code": "nuit", "name": "Plateau de nuit", "kind": "contact_centre", "opening_hours": ""}),
            )
            .await;
        assert_eq!(site.status, StatusCode::CREATED, "{}", site.json);
        let start = |body: Value| {
            let app = &app;
            async move {
                let r = app
                    .call(
                        "POST",
                        "/api/v1/chat/acme/conversations",
                        None,
                        Some(body),
                        &[],
                    )
                    .await;
                (r.status, r.json)
            }
        };
        let (s, r) = start(json!({"site": "atlantide"})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{r}");
        assert_eq!(r["error"]["fields"][0]["field"], "site", "{r}");

        // Outside the site's hours (it has none): closed, whoever is there.
        let (_, night) = start(json!({"site": "nuit"})).await;
        let (nid, ntoken) = (
            night["conversation_id"].as_i64().unwrap(),
            night["token"].as_str().unwrap().to_string(),
        );
        let (_, h) = visitor(
            &app,
            "POST",
            &format!("/api/v1/chat/conversations/{nid}/handoff"),
            &ntoken,
            None,
        )
        .await;
        assert_eq!(h["advisors"], "closed", "{backend}: {h}");

        // No site: it depends on who is at their console.
        let (_, day) = start(json!({"name": "Léo"})).await;
        let (id, token) = (
            day["conversation_id"].as_i64().unwrap(),
            day["token"].as_str().unwrap().to_string(),
        );
        assert_eq!(
            day["advisors"], "away",
            "nobody has opened the console: {day}"
        );
        let events = format!("/api/v1/chat/conversations/{id}/events?after=0");
        let presence = |status: &str| {
            let app = &app;
            let body = json!({ "status": status });
            async move { app.put("/api/v1/chat/presence", &app.advisor, body).await }
        };
        assert_eq!(
            presence("sleeping").await.status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        let r = presence("available").await;
        assert_eq!(r.json["status"], "available", "{}", r.json);
        let (_, e) = visitor(&app, "GET", &events, &token, None).await;
        assert_eq!(e["advisors"], "available", "{backend}: {e}");
        presence("busy").await;
        let (_, e) = visitor(&app, "GET", &events, &token, None).await;
        assert_eq!(e["advisors"], "busy", "{e}");
        let (_, e) = visitor(
            &app,
            "GET",
            &format!("/api/v1/chat/conversations/{nid}/events?after=0"),
            &ntoken,
            None,
        )
        .await;
        assert_eq!(e["advisors"], "closed", "the site's hours still rule: {e}");
        presence("away").await;
        assert_eq!(
            app.get("/api/v1/chat/presence", &app.advisor).await.json["status"],
            "away"
        );
        let (_, e) = visitor(&app, "GET", &events, &token, None).await;
        assert_eq!(e["advisors"], "away", "{e}");

        // The message: refused fields are named; then an email case with the conversation.
        visitor(
            &app,
            "POST",
            &format!("/api/v1/chat/conversations/{id}/messages"),
            &token,
            Some(json!({"text": "ma facture est fausse"})),
        )
        .await;
        visitor(
            &app,
            "POST",
            &format!("/api/v1/chat/conversations/{id}/handoff"),
            &token,
            None,
        )
        .await;
        let leave = format!("/api/v1/chat/conversations/{id}/message");
        let (s, r) = visitor(
            &app,
            "POST",
            &leave,
            &token,
            Some(json!({"email": "pas-une-adresse", "text": " "})),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{r}");
        let fields: Vec<&str> = r["error"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, ["email", "text"], "{r}");
        let (s, r) = visitor(
            &app,
            "POST",
            &leave,
            &token,
            Some(json!({"email": "leo@example.fr", "text": "Rappelez-moi, la facture de mars est en double."})),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{backend}: {r}");
        assert_eq!(r["status"], "closed", "{r}");
        assert!(
            r["survey"].is_null(),
            "nobody answered: nothing to rate yet: {r}"
        );
        let t = app
            .get(&format!("/api/v1/chat/conversations/{id}"), &app.advisor)
            .await
            .json;
        let case_id = t["conversation"]["case_id"]
            .as_i64()
            .expect("an email case");
        let case = app
            .get(&format!("/api/v1/cases/{case_id}"), &app.advisor)
            .await
            .json;
        let mail = &case["interactions"][0];
        assert_eq!(mail["channel"], "email", "{case}");
        let body = mail["body"].as_str().unwrap();
        assert!(
            body.contains("facture de mars") && body.contains("ma facture est fausse"),
            "the message and the conversation: {body}"
        );
        assert_eq!(case["status"], "open", "{case}");
        let (s, _) = visitor(
            &app,
            "POST",
            &leave,
            &token,
            Some(json!({"email": "leo@example.fr", "text": "encore"})),
        )
        .await;
        assert_eq!(s, StatusCode::CONFLICT, "once");
    }
}
