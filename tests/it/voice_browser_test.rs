//! The voice of the customer in a real browser against a real `pacte serve`: a customer opens
//! the survey link of their solved case with a one-click score, confirms "not solved", the case
//! reopens and the advisor sees and closes the call-back; a customer writes a one-star review
//! from their invitation, the site's webhook is alerted at once, a manager answers publicly and
//! the reply shows under the review on the public page.

use crate::support::process::{self, Server, organisation, sign_in, text};
use fantoccini::Locator;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

/// A webhook receiver on loopback, keeping what it is posted.
async fn webhook() -> (String, Arc<Mutex<Vec<Value>>>) {
    let got = Arc::new(Mutex::new(Vec::new()));
    let keep = got.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |body: axum::Json<Value>| {
            let keep = keep.clone();
            async move {
                keep.lock().unwrap().push(body.0);
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.ok() });
    (url, got)
}

#[tokio::test]
async fn survey_and_review_in_the_browser() {
    let Ok(webdriver) = std::env::var("WEBDRIVER_URL") else {
        eprintln!("WEBDRIVER_URL not set: browser test skipped");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let token = organisation(dir.path());
    let server = Server::start(dir.path());
    let base = format!("http://127.0.0.1:{}", server.port);
    let http = reqwest::Client::new();
    let call = |method: reqwest::Method, path: &str, body: Option<Value>| {
        let mut r = http
            .request(method, format!("{base}/api/v1{path}"))
            .bearer_auth(&token);
        if let Some(b) = body {
            r = r.json(&b);
        }
        async move {
            let res = r.send().await.unwrap();
            let status = res.status().as_u16();
            (status, res.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let (hook, posted) = webhook().await;
    let (s, _) = call(
        reqwest::Method::PUT,
        "/voice/settings",
        Some(json!({"fatigue_days": 30, "alert_webhook": hook})),
    )
    .await;
    assert_eq!(s, 200);
    // The post-case survey goes out as soon as a case is solved. (The periodic barometer is
    // paused: its first sample could pick this customer and the fatigue rule skip the CSAT.)
    let (_, surveys) = call(reqwest::Method::GET, "/surveys", None).await;
    let nps = surveys
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["trigger"] == "periodic")
        .unwrap()
        .clone();
    let mut paused = nps.clone();
    paused["active"] = json!(false);
    paused["channels"] = json!([]);
    for k in ["id", "org_id", "criteria", "last_run_at"] {
        paused.as_object_mut().unwrap().remove(k);
    }
    let (s, r) = call(
        reqwest::Method::PUT,
        &format!("/surveys/{}", nps["id"]),
        Some(paused),
    )
    .await;
    assert_eq!(s, 200, "{r}");
    let csat = surveys
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["kind"] == "csat")
        .unwrap()
        .clone();
    let mut body = json!({"name": csat["name"], "kind": "csat", "question_fr": csat["question_fr"],
        "question_en": csat["question_en"], "comment_fr": csat["comment_fr"], "comment_en": csat["comment_en"],
        "ask_solved": true, "trigger": "case_solved", "delay_minutes": 0, "active": true});
    body["channels"] = json!([]);
    let (s, r) = call(
        reqwest::Method::PUT,
        &format!("/surveys/{}", csat["id"]),
        Some(body),
    )
    .await;
    assert_eq!(s, 200, "{r}");
    let (s, i) = call(reqwest::Method::POST, "/interactions", Some(json!({"channel": "chat", "direction": "inbound",
        "customer": {"email": "lea@exemple.fr", "name": "Léa Petit"}, "subject": "Colis perdu", "body": "Mon colis n'est jamais arrivé."}))).await;
    assert_eq!(s, 201, "{i}");
    let case_id = i["case_id"].as_i64().unwrap();
    let (s, _) = call(
        reqwest::Method::POST,
        &format!("/cases/{case_id}/replies"),
        Some(json!({"body": "Colis retrouvé, livraison demain.", "status": "solved"})),
    )
    .await;
    assert_eq!(s, 201);
    // The server's dispatcher keeps the link for the end of the chat (no mailbox here).
    let mut link = None;
    let mut last = Value::Null;
    for _ in 0..100 {
        let (_, v) = call(
            reqwest::Method::GET,
            &format!("/cases/{case_id}/surveys"),
            None,
        )
        .await;
        if let Some(l) = v["invitations"][0]["link"].as_str() {
            link = Some(l.to_string());
            break;
        }
        last = v;
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let link =
        link.unwrap_or_else(|| panic!("survey link within 10 s: {last}\n{}", server.log_tail()));
    let (_, case) = call(reqwest::Method::GET, &format!("/cases/{case_id}"), None).await;
    let number = case["number"].as_i64().unwrap();
    let (s, invited) = call(
        reqwest::Method::POST,
        "/review-invitations",
        Some(json!({
        "customer": {"email": "jules@exemple.fr", "name": "Jules Bernard"}, "reference": "CMD-77",
        "about": "Forfait Mobile 20 Go", "purchased_at": jiff::Timestamp::now().to_string()})),
    )
    .await;
    assert_eq!(s, 201, "{invited}");
    let review_link = invited["link"].as_str().unwrap().to_string();

    let b = process::browser(&webdriver).await;
    let result = async {
        // A one-click score from the mail only pre-selects; the customer confirms.
        b.goto(&format!("{link}?score=2")).await?;
        let checked = b
            .find(Locator::Css("input[name=score][value='2']"))
            .await?
            .prop("checked")
            .await?;
        assert_eq!(checked.as_deref(), Some("true"));
        crate::browser_test::shoot(&b, "survey").await;
        b.find(Locator::Css("input[name=solved][value=no]"))
            .await?
            .click()
            .await?;
        b.find(Locator::Id("comment"))
            .await?
            .send_keys("Toujours pas de colis, attente interminable")
            .await?;
        b.find(Locator::Id("confirm")).await?.click().await?;
        b.wait().for_element(Locator::Id("thanks")).await?;
        assert!(text(&b, "#reopened").await?.contains("rouvert"));
        // The link is single-use.
        b.goto(&link).await?;
        assert!(text(&b, "main").await?.contains("Réponse déjà enregistrée"));

        // The advisor sees the reopened case, the answer and the call-back, and closes it.
        sign_in(&b, &base, "claire@acme.fr").await?;
        assert!(text(&b, "#callbacks").await?.contains("1 rappel"));
        b.goto(&format!("{base}/cases/{number}")).await?;
        let voice = text(&b, "#case-voice").await?;
        let tasks = text(&b, "#case-tasks").await?;
        assert!(
            tasks.contains("Rappeler le client") && tasks.contains("Toujours pas de colis"),
            "{tasks}"
        );
        assert!(voice.contains("CSAT 2"), "{voice}");
        crate::browser_test::shoot(&b, "case-voice").await;
        b.find(Locator::Css("#case-tasks .task.open button"))
            .await?
            .click()
            .await?;
        b.wait().for_element(Locator::Id("case-voice")).await?;
        assert!(
            b.find_all(Locator::Css("#case-tasks .task.open"))
                .await?
                .is_empty()
        );

        // A review from the purchase invitation: one star.
        b.goto(&review_link).await?;
        assert!(text(&b, "main").await?.contains("Forfait Mobile 20 Go"));
        b.find(Locator::Css("input[name=stars][value='1']"))
            .await?
            .click()
            .await?;
        b.find(Locator::Id("comment"))
            .await?
            .send_keys("Réseau absent depuis une semaine.")
            .await?;
        b.find(Locator::Id("publish")).await?.click().await?;
        b.wait().for_element(Locator::Id("withdraw")).await?;
        assert!(
            text(&b, "main")
                .await?
                .contains("Merci, votre avis est publié")
        );

        // The manager's dashboard lists the alerts; the reviews page takes the public reply.
        b.goto(&format!("{base}/voice")).await?;
        let alerts = text(&b, "#alerts").await?;
        assert!(
            alerts.contains("Avis négatif") && alerts.contains("Réseau absent"),
            "{alerts}"
        );
        crate::browser_test::shoot(&b, "voice").await;
        // The review's alert leads to the review itself.
        b.find(Locator::Css("#alerts a.alert-link"))
            .await?
            .click()
            .await?;
        b.wait().for_element(Locator::Css("ol.reviews")).await?;
        assert!(
            b.current_url()
                .await?
                .fragment()
                .is_some_and(|f| f.starts_with("review-"))
        );
        b.goto(&format!("{base}/reviews")).await?;
        b.find(Locator::Css("ol.reviews textarea[name=reply]"))
            .await?
            .send_keys("Une équipe intervient demain sur l'antenne.")
            .await?;
        b.find(Locator::Css("ol.reviews form.stack button"))
            .await?
            .click()
            .await?;
        b.wait().for_element(Locator::Css("p.reply")).await?;
        b.goto(&format!("{base}/o/acme/avis")).await?;
        let public = text(&b, "main").await?;
        assert!(
            public.contains("Réseau absent depuis une semaine."),
            "{public}"
        );
        assert!(public.contains("Une équipe intervient demain"), "{public}");
        assert!(public.contains("1,0 / 5"), "{public}");
        crate::browser_test::shoot(&b, "reviews-public").await;
        Ok::<(), fantoccini::error::CmdError>(())
    }
    .await;
    b.close().await.ok();
    result.expect("browser scenario");
    let (_, case) = call(reqwest::Method::GET, &format!("/cases/{case_id}"), None).await;
    assert_eq!(case["status"], "open");
    // Both alerts reached the webhook (delivered by the server's outbox).
    for _ in 0..100 {
        if posted.lock().unwrap().len() >= 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let kinds: Vec<String> = posted
        .lock()
        .unwrap()
        .iter()
        .map(|v| v["type"].as_str().unwrap_or("").to_string())
        .collect();
    assert!(
        kinds.contains(&"voice.dissatisfied".to_string()),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&"voice.negative_review".to_string()),
        "{kinds:?}"
    );
    server.kill();
}
