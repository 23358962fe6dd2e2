//! The voice of the customer through HTTP on every backend: a solved case schedules a survey,
//! its signed link shows a page that records nothing until confirmed, "not solved" reopens the
//! case with a call-back task and alerts the site's managers, links are single-use and forged
//! ones refused, the fatigue rule and opt-outs hold; NPS figures against an independent
//! computation on real data imported through the import path; verified reviews from invitation
//! to public page, reply, flags, moderation and withdrawal.

use crate::support::{TestApp, backends, user};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use pacte::service::survey::trigger;
use serde_json::{Value, json};

const BASE: &str = "http://pacte.test";

/// Posts an HTML form (as a browser does).
async fn form(app: &TestApp, path: &str, fields: &[(&str, &str)]) -> crate::support::Response {
    let body = fields
        .iter()
        .map(|(k, v)| format!("{k}={}", pacte::web::url_encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let req = Request::builder()
        .method("POST")
        .uri(path)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap();
    app.send(req).await
}

async fn page(app: &TestApp, path: &str) -> (StatusCode, String) {
    let r = app.call("GET", path, None, None, &[]).await;
    (r.status, r.json.as_str().unwrap_or_default().to_string())
}

/// The path of a link to a public page ("/s/…", "/r/…"), whatever the public base.
fn path_of(link: &str) -> String {
    let at = link
        .find("/s/")
        .or_else(|| link.find("/r/"))
        .expect("a survey or review link");
    link[at..].to_string()
}

/// A survey id by kind, and the survey set to go out at once after the event.
async fn survey_now(app: &TestApp, token: &str, kind: &str) -> i64 {
    let list = app.get("/api/v1/surveys", token).await.json;
    let s = list
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["kind"] == kind)
        .unwrap()
        .clone();
    let id = s["id"].as_i64().unwrap();
    let mut body = json!({
        "name": s["name"], "kind": kind, "question_fr": s["question_fr"], "question_en": s["question_en"],
        "comment_fr": s["comment_fr"], "comment_en": s["comment_en"], "ask_solved": s["ask_solved"],
        "trigger": s["trigger"], "channels": [], "delay_minutes": 0,
        "every_days": s["every_days"], "sample_size": s["sample_size"], "active": true
    });
    if kind == "custom" {
        body["criteria"] = json!([{"key": "accueil", "fr": "L'accueil", "en": "Welcome"},
                                  {"key": "attente", "fr": "L'attente", "en": "Waiting"}]);
    }
    let r = app.put(&format!("/api/v1/surveys/{id}"), token, body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    id
}

/// Opens a case for `email`, solves it, dispatches due surveys; returns (case id, case voice).
async fn solved_case(app: &TestApp, email: &str, site: Option<&str>) -> (i64, Value) {
    let mut body = json!({"channel": "phone", "direction": "inbound",
        "customer": {"email": email, "name": "Marie Dupont"}, "subject": "Remboursement", "body": "Où en est mon remboursement ?"});
    if let Some(s) = site {
        body["site"] = json!(s);
    }
    let i = app.interaction(body).await;
    let case_id = i["case_id"].as_i64().unwrap();
    let r = app
        .post(
            &format!("/api/v1/cases/{case_id}/replies"),
            &app.advisor,
            json!({"body": "C'est fait.", "status": "solved"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    trigger::dispatch_due(&app.store, BASE).await.unwrap();
    let v = app
        .get(&format!("/api/v1/cases/{case_id}/surveys"), &app.admin)
        .await;
    assert_eq!(v.status, StatusCode::OK, "{}", v.json);
    (case_id, v.json)
}

#[tokio::test]
async fn a_survey_link_closes_the_loop() {
    for db in backends().await {
        let app = TestApp::new(db).await;
        let admin = &app.admin;
        let r = app
            .post(
                "/api/v1/sites",
                admin,
                json!({"code": "lyon", "name": "Agence de Lyon", "kind": "agency"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
        let csat = survey_now(&app, admin, "csat").await;
        let r = app
            .put(
                "/api/v1/voice/settings",
                admin,
                json!({"fatigue_days": 30, "alert_webhook": "http://127.0.0.1:9/hook"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.json);

        let (case_id, v) = solved_case(&app, "marie@exemple.fr", Some("lyon")).await;
        let inv = &v["invitations"][0];
        // No sending mailbox: the link is kept for the advisor to give (chat, phone).
        assert_eq!(inv["status"], "shown", "{v}");
        let link = path_of(inv["link"].as_str().unwrap());

        // Opening the page (a prefetcher, a one-click score in a mail) records nothing.
        let (status, html) = page(&app, &format!("{link}?score=2")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            html.contains(r#"value="2" checked"#),
            "score pre-selected: {html}"
        );
        assert!(html.contains("Votre demande est-elle résolue"));
        let (status, html) = page(&app, &format!("{link}?score=abc")).await;
        assert_eq!(
            status,
            StatusCode::OK,
            "a mangled score pre-selects nothing"
        );
        assert!(!html.contains("checked"));
        let none = app
            .get(&format!("/api/v1/surveys/{csat}/responses"), admin)
            .await;
        assert_eq!(
            none.json.as_array().unwrap().len(),
            0,
            "a GET recorded an answer"
        );
        let (_, en) = page(&app, &format!("{link}?lang=en")).await;
        assert!(en.contains("Has your request been solved?"), "{en}");

        // Out of range, overlong: refused, nothing recorded, the page says why.
        let r = form(&app, &link, &[("score", "9"), ("solved", "no")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.json.as_str().unwrap().contains("outside 1–5"));
        let long = "x".repeat(2_001);
        let r = form(&app, &link, &[("score", "2"), ("comment", &long)]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

        // "No, not solved": recorded once, the case reopens, the team gets a call-back.
        let r = form(
            &app,
            &link,
            &[
                ("score", "2"),
                ("solved", "no"),
                ("comment", "Toujours pas remboursé, attente interminable"),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.json);
        assert!(r.json.as_str().unwrap().contains("id=\"reopened\""));
        let case = app
            .get(&format!("/api/v1/cases/{case_id}"), admin)
            .await
            .json;
        assert_eq!(case["status"], "open", "{case}");
        let tasks = app.get("/api/v1/tasks", &app.advisor).await.json;
        let task = tasks
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["case_id"] == case_id)
            .expect("call-back task")
            .clone();
        assert_eq!(task["kind"], "callback");
        assert!(
            task["note"]
                .as_str()
                .unwrap()
                .contains("Toujours pas remboursé")
        );
        let alerts = app.get("/api/v1/voice/alerts", admin).await.json;
        assert_eq!(alerts[0]["kind"], "dissatisfied", "{alerts}");
        let seen = format!("/api/v1/voice/alerts/{}/seen", alerts[0]["id"]);
        assert_eq!(
            app.post(&seen, admin, json!({})).await.status,
            StatusCode::NO_CONTENT
        );
        assert_eq!(
            app.post(&seen, admin, json!({})).await.status,
            StatusCode::CONFLICT
        );
        let alerts = app.get("/api/v1/voice/alerts", admin).await.json;
        assert!(
            alerts[0]["seen_at"]
                .as_str()
                .is_some_and(|t| t.ends_with('Z')),
            "{alerts}"
        );

        // Single use: a second submission and a second look are refused plainly.
        let r = form(&app, &link, &[("score", "5"), ("solved", "yes")]).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        let (status, html) = page(&app, &link).await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert!(html.contains("Réponse déjà enregistrée"));
        let answers = app
            .get(&format!("/api/v1/surveys/{csat}/responses"), admin)
            .await
            .json;
        assert_eq!(answers.as_array().unwrap().len(), 1);
        assert_eq!(answers[0]["score"], 2);
        assert_eq!(answers[0]["solved"], 0);
        assert!(
            answers[0]["themes"].as_str().unwrap().contains(",Attente,"),
            "{answers}"
        );
        assert_eq!(answers[0]["polarity"], -1);

        // Forged or altered links: a clear page, nothing recorded.
        let (status, html) = page(&app, "/s/not-a-token").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(html.contains("Lien invalide"));
        assert_eq!(
            page(&app, "/s/not-a-token/stop").await.0,
            StatusCode::NOT_FOUND
        );
        let token = link.trim_start_matches("/s/");
        let mut altered = token.to_string().into_bytes();
        altered[2] = if altered[2] == b'A' { b'B' } else { b'A' };
        let altered = String::from_utf8(altered).unwrap();
        assert_eq!(
            page(&app, &format!("/s/{altered}")).await.0,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            form(&app, &format!("/s/{altered}"), &[("score", "5")])
                .await
                .status,
            StatusCode::NOT_FOUND
        );

        // Figures from the tallies: one answer, not satisfied, not solved, one of one invited.
        let f = app
            .get(&format!("/api/v1/surveys/{csat}/figures?by=site"), admin)
            .await;
        assert_eq!(f.status, StatusCode::OK, "{}", f.json);
        let t = &f.json["total"];
        assert_eq!(t["answers"], 1);
        assert_eq!(t["csat_satisfied"]["part"], 0);
        assert_eq!(t["solved"]["total"], 1);
        assert_eq!(t["response_rate"]["part"], 1);
        assert_eq!(t["response_rate"]["total"], 1);
        assert_eq!(f.json["slices"][0]["label"], "Agence de Lyon");
        assert_eq!(f.json["trend"].as_array().unwrap().len(), 12);
        let bad = app
            .get(&format!("/api/v1/surveys/{csat}/figures?by=colour"), admin)
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        // An advisor does not read the figures.
        let r = app
            .get(&format!("/api/v1/surveys/{csat}/figures"), &app.advisor)
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);

        // The fatigue rule: the same customer's next solved case is not surveyed within 30 days.
        let (_, v) = solved_case(&app, "marie@exemple.fr", None).await;
        let last = v["invitations"].as_array().unwrap().last().unwrap().clone();
        assert_eq!(last["status"], "skipped", "{v}");
        assert_eq!(last["skip_reason"], "fatigue");

        // Opt-out from a link: the page asks, the button records; no survey after that.
        let (_, v) = solved_case(&app, "paul@exemple.fr", None).await;
        let link = path_of(v["invitations"][0]["link"].as_str().unwrap());
        let (status, _) = page(&app, &format!("{link}/stop")).await;
        assert_eq!(status, StatusCode::OK);
        let r = form(&app, &format!("{link}/stop"), &[]).await;
        assert!(r.json.as_str().unwrap().contains("id=\"stopped\""));
        let r = app
            .put(
                "/api/v1/voice/settings",
                admin,
                json!({"fatigue_days": 0, "alert_webhook": null}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        let (_, v) = solved_case(&app, "paul@exemple.fr", None).await;
        let last = v["invitations"].as_array().unwrap().last().unwrap().clone();
        assert_eq!(last["skip_reason"], "opt_out", "{v}");
    }
}

#[tokio::test]
async fn nps_of_real_verbatims_matches_an_independent_count() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/nps-verbatims-telecom-en/nps_verbatims.csv");
    let data = std::fs::read(&path).expect("test data in tests/data");
    // The independent count: straight from the file, no Pacte code.
    let mut rd = csv::Reader::from_reader(data.as_slice());
    let (mut p, mut pa, mut d) = (0i64, 0i64, 0i64);
    for rec in rd.records() {
        let rec = rec.unwrap();
        match rec[4].trim().parse::<i64>() {
            Ok(9..=10) => p += 1,
            Ok(7..=8) => pa += 1,
            Ok(0..=6) => d += 1,
            _ => {}
        }
    }
    let n = (p + pa + d) as f64;
    let expected = 100.0 * (p as f64 - d as f64) / n;
    for db in backends().await {
        let app = TestApp::new(db).await;
        let nps = survey_now(&app, &app.admin, "nps").await;
        let columns: Vec<(String, String)> = [
            ("score", "nps_score"),
            ("comment", "text"),
            ("answered_at", "customer_response_date"),
            ("external_id", "id"),
            ("category", "survey_sub_type"),
        ]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
        let report = pacte::service::survey::import::import_file(
            &app.store, "acme", nps, &path, &columns, "en",
        )
        .await
        .unwrap();
        assert_eq!(report.imported as i64, p + pa + d);
        assert_eq!(
            report.refused.len(),
            32,
            "lines without a score are refused, with the reason"
        );
        assert!(report.refused[0].1.contains("score"));
        let again = pacte::service::survey::import::import_file(
            &app.store, "acme", nps, &path, &columns, "en",
        )
        .await
        .unwrap();
        assert_eq!(
            (again.imported, again.duplicates),
            (0, report.imported),
            "a rerun records nothing twice"
        );

        let f = app
            .get(
                &format!("/api/v1/surveys/{nps}/figures?from=2017-01&to=2018-12&by=category"),
                &app.admin,
            )
            .await;
        assert_eq!(f.status, StatusCode::OK, "{}", f.json);
        let total = &f.json["total"]["nps"];
        assert_eq!(total["promoters"], p);
        assert_eq!(total["passives"], pa);
        assert_eq!(total["detractors"], d);
        assert!(
            (total["score"].as_f64().unwrap() - expected).abs() < 1e-9,
            "{total} vs {expected}"
        );
        let pp = p as f64 / n;
        let dd = d as f64 / n;
        let margin = 100.0 * 1.96 * ((pp + dd - (pp - dd).powi(2)) / n).sqrt();
        assert!((total["margin"].as_f64().unwrap() - margin).abs() < 1e-9);
        // Months and journey stages each add up to the whole.
        let sum = |rows: &Value| -> i64 {
            rows.as_array()
                .unwrap()
                .iter()
                .map(|r| r["summary"]["answers"].as_i64().unwrap())
                .sum()
        };
        assert_eq!(sum(&f.json["trend"]), p + pa + d);
        assert_eq!(sum(&f.json["slices"]), p + pa + d);
        assert_eq!(f.json["slices"][0]["label"], "First Payment");
        // English verbatims tagged by an English rule and read with the English lexicon.
        let r = app
            .put(
                "/api/v1/verbatim-rules",
                &app.admin,
                json!({"theme": "Engineer", "keywords": "engineer, technician", "lang": "en"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.json);
        let irritants = app
            .get(
                "/api/v1/verbatims/irritants?from=2017-01&to=2018-12",
                &app.admin,
            )
            .await
            .json;
        let eng = irritants
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["theme"] == "Engineer")
            .expect("engineer theme")
            .clone();
        assert!(eng["negative"].as_i64().unwrap() > 10, "{eng}");
        assert!(!eng["quotes"].as_array().unwrap().is_empty());
    }
}

#[tokio::test]
async fn verified_reviews_from_invitation_to_public_page() {
    for db in backends().await {
        let app = TestApp::new(db).await;
        let admin = &app.admin;
        let (manager, _) = user(&app.store, app.org_id, "manager@acme.fr", "manager").await;
        let (quality, _) = user(&app.store, app.org_id, "qualite@acme.fr", "quality").await;
        let now = jiff::Timestamp::now();
        let purchase = |reference: &str, days_ago: i64| {
            json!({"customer": {"email": format!("{reference}@exemple.fr"), "name": "Jeanne Martin"},
                   "reference": reference, "about": "Abonnement Liberté",
                   "purchased_at": (now - jiff::SignedDuration::from_hours(24 * days_ago)).to_string()})
        };
        let r = app
            .post("/api/v1/review-invitations", admin, purchase("CMD-1", 3))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
        let link = path_of(r.json["link"].as_str().unwrap());
        let again = app
            .post("/api/v1/review-invitations", admin, purchase("CMD-1", 3))
            .await;
        assert_eq!(again.status, StatusCode::OK);
        assert_eq!(again.json["created"], false);
        let old = app
            .post("/api/v1/review-invitations", admin, purchase("CMD-2", 51))
            .await;
        assert_eq!(old.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            old.json["error"]["fields"][0]["code"], "too_old",
            "{}",
            old.json
        );

        // The invitation says who asks, about what, and how the review is published.
        let (status, html) = page(&app, &link).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("Acme Services") && html.contains("Abonnement Liberté"));
        assert!(html.contains("publié tel quel"));
        let r = form(&app, &link, &[("stars", "6"), ("comment", "Bien")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = form(
            &app,
            &link,
            &[("stars", "2"), ("comment", &"é".repeat(501))],
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.json.as_str().unwrap().contains("at most 500"));
        let r = form(
            &app,
            &link,
            &[
                ("stars", "1"),
                ("comment", "Résiliation impossible, personne ne répond."),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.json);
        assert!(
            r.json
                .as_str()
                .unwrap()
                .contains("Merci, votre avis est publié")
        );
        // One review per invitation: the link now shows the review, a second post adds nothing.
        let r = form(
            &app,
            &link,
            &[("stars", "5"), ("comment", "Finalement super")],
        )
        .await;
        assert!(r.json.as_str().unwrap().contains("Résiliation impossible"));
        let alerts = app.get("/api/v1/voice/alerts", &manager).await.json;
        assert_eq!(
            alerts[0]["kind"], "negative_review",
            "a 1-star review alerts at once: {alerts}"
        );

        let list = app.get("/api/v1/reviews", &manager).await.json;
        assert_eq!(list.as_array().unwrap().len(), 1);
        let id = list[0]["id"].as_i64().unwrap();
        assert_eq!(list[0]["author"], "Jeanne M.");
        let r = app
            .post(
                &format!("/api/v1/reviews/{id}/reply"),
                &manager,
                json!({"reply": "Nous vous rappelons aujourd'hui."}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.json);

        // A second, good review, then the public page: newest first, replies, schema.org.
        let r = app
            .post("/api/v1/review-invitations", admin, purchase("CMD-3", 1))
            .await;
        let link3 = path_of(r.json["link"].as_str().unwrap());
        form(
            &app,
            &link3,
            &[("stars", "5"), ("comment", "Accueil parfait.")],
        )
        .await;
        let (status, html) = page(&app, "/o/acme/avis").await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            html.contains(r#""@type":"AggregateRating","ratingValue":"3.0","reviewCount":"2""#),
            "{html}"
        );
        assert!(
            html.find("Accueil parfait").unwrap() < html.find("Résiliation impossible").unwrap(),
            "newest first"
        );
        assert!(
            html.contains("Nous vous rappelons aujourd"),
            "the reply shows under the review"
        );
        let (_, en) = page(&app, "/o/acme/avis?lang=en").await;
        assert!(en.contains("Customer reviews"));
        let j = app
            .call("GET", "/o/acme/avis.json", None, None, &[])
            .await
            .json;
        assert_eq!(j["count"], 2);
        assert_eq!(j["distribution"], json!([1, 0, 0, 0, 1]));
        assert_eq!(j["reviews"][1]["reply"], "Nous vous rappelons aujourd'hui.");

        // Readers flag (once per address); moderation only for a legal reason, kept on record.
        for _ in 0..2 {
            let r = form(
                &app,
                &format!("/o/acme/avis/{id}/signaler"),
                &[("reason", "fake")],
            )
            .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER);
        }
        let r = app.get("/api/v1/reviews", &manager).await.json;
        assert_eq!(
            r.as_array()
                .unwrap()
                .iter()
                .find(|x| x["id"] == id)
                .unwrap()["flags"],
            1
        );
        let r = app
            .post(
                &format!("/api/v1/reviews/{id}/reject"),
                &manager,
                json!({"reason": "insulting"}),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "managers answer, quality moderates"
        );
        let r = app
            .post(
                &format!("/api/v1/reviews/{id}/reject"),
                &quality,
                json!({"reason": "bad for business"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = app
            .post(
                &format!("/api/v1/reviews/{id}/reject"),
                &quality,
                json!({"reason": "insulting"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.json);
        let r = app
            .post(
                &format!("/api/v1/reviews/{id}/reject"),
                &quality,
                json!({"reason": "insulting"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        let j = app
            .call("GET", "/o/acme/avis.json", None, None, &[])
            .await
            .json;
        assert_eq!(j["count"], 1);
        let (_, mine) = page(&app, &link).await;
        assert!(
            mine.contains("Non publié") && mine.contains("propos injurieux"),
            "the author is told why"
        );
        let kept = app
            .get("/api/v1/reviews?status=rejected", &quality)
            .await
            .json;
        assert_eq!(
            kept.as_array().unwrap().len(),
            1,
            "rejected reviews stay on record"
        );

        // The author withdraws; the rating follows.
        let r = form(&app, &format!("{link3}/withdraw"), &[]).await;
        assert_eq!(r.status, StatusCode::OK);
        let j = app
            .call("GET", "/o/acme/avis.json", None, None, &[])
            .await
            .json;
        assert_eq!(j["count"], 0);
        assert_eq!(page(&app, "/r/forged").await.0, StatusCode::NOT_FOUND);
        assert_eq!(page(&app, "/o/nobody/avis").await.0, StatusCode::NOT_FOUND);

        // A flood from one address is refused with the wait.
        let mut last = StatusCode::OK;
        for _ in 0..40 {
            last = form(&app, "/r/forged", &[("stars", "5"), ("comment", "spam")])
                .await
                .status;
        }
        assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
    }
}

#[tokio::test]
async fn questionnaire_criteria_map_into_four_zones() {
    for db in backends().await {
        let app = TestApp::new(db).await;
        let custom = survey_now(&app, &app.admin, "custom").await;
        let r = app
            .post(
                "/api/v1/sites",
                &app.admin,
                json!({"code": "lyon", "name": "Agence de Lyon", "kind": "agency"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED);
        let mut customers = Vec::new();
        for i in 0..4 {
            let r = app
                .interaction(json!({"channel": "email", "direction": "inbound", "site": "lyon",
                    "customer": {"email": format!("c{i}@exemple.fr")}, "subject": "Question", "body": "?"}))
                .await;
            customers.push(r["customer_id"].as_i64().unwrap());
        }
        let r = app
            .post(
                &format!("/api/v1/surveys/{custom}/send"),
                &app.admin,
                json!({"sample_size": 3}),
            )
            .await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.json);
        assert_eq!(r.json["scheduled"], 3);
        assert_eq!(trigger::dispatch_due(&app.store, BASE).await.unwrap(), 3);
        let r = app
            .post(
                &format!("/api/v1/surveys/{custom}/send"),
                &app.admin,
                json!({"sample_size": 0}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        // Links of a relationship survey (no case) are on the customer's record.
        let mut links = Vec::new();
        for c in &customers {
            let v = app
                .get(&format!("/api/v1/customers/{c}/surveys"), &app.advisor)
                .await;
            assert_eq!(v.status, StatusCode::OK, "{}", v.json);
            for i in v.json["invitations"].as_array().unwrap() {
                // A relationship survey counts for the customer's agency.
                assert_eq!(i["site_id"], 1, "{i}");
                links.push(path_of(i["link"].as_str().unwrap()));
            }
        }
        assert_eq!(links.len(), 3);
        for link in links {
            let r = form(&app, &link, &[("imp_accueil", "5")]).await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "every criterion is rated"
            );
            let r = form(
                &app,
                &link,
                &[
                    ("imp_accueil", "5"),
                    ("sat_accueil", "5"),
                    ("imp_attente", "5"),
                    ("sat_attente", "1"),
                ],
            )
            .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.json);
        }
        let m = app
            .get(&format!("/api/v1/surveys/{custom}/mapping"), &app.admin)
            .await;
        assert_eq!(m.status, StatusCode::OK, "{}", m.json);
        let zones: Vec<(String, String)> = m.json["criteria"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c[0].as_str().unwrap().to_string(),
                    c[1]["zone"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert!(
            zones.contains(&("L'accueil".into(), "strength".into())),
            "{zones:?}"
        );
        assert!(
            zones.contains(&("L'attente".into(), "urgent".into())),
            "{zones:?}"
        );
    }
}

#[tokio::test]
async fn an_agency_visit_is_surveyed_and_reviewable() {
    for db in backends().await {
        let app = TestApp::new(db).await;
        let admin = &app.admin;
        let r = app
            .post(
                "/api/v1/sites",
                admin,
                json!({"code": "lyon", "name": "Agence de Lyon", "kind": "agency"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED);
        let r = app
            .post(
                "/api/v1/counter-services",
                admin,
                json!({"code": "C", "name_fr": "Colis", "name_en": "Parcels"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
        let service = r.json["id"].as_i64().unwrap();
        survey_now(&app, admin, "ces").await;
        let t = app
            .post(
                "/api/v1/sites/lyon/tickets",
                &app.advisor,
                json!({"service_id": service}),
            )
            .await;
        assert_eq!(t.status, StatusCode::CREATED, "{}", t.json);
        let c = app
            .post(
                "/api/v1/sites/lyon/calls",
                &app.advisor,
                json!({"desk": "Guichet 1"}),
            )
            .await;
        let r = app
            .post(
                &format!("/api/v1/tickets/{}/end", c.json["id"]),
                &app.advisor,
                json!({"served": true, "customer_number": "CLI-42", "note": "Colis remis"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.json);
        trigger::dispatch_due(&app.store, BASE).await.unwrap();
        let found = app
            .get("/api/v1/customers?customer_number=CLI-42", admin)
            .await
            .json;
        let customer = found["items"][0]["id"].as_i64().unwrap();
        let v = app
            .get(&format!("/api/v1/customers/{customer}/surveys"), admin)
            .await
            .json;
        let invitations = v["invitations"].as_array().unwrap();
        // The visit is surveyed once (CES), not also as a solved case.
        assert_eq!(invitations.len(), 1, "{v}");
        assert_eq!(invitations[0]["survey_name"], "Après une visite en agence");
        assert_eq!(invitations[0]["site_id"], json!(1));
        let link = path_of(invitations[0]["link"].as_str().unwrap());
        let (_, html) = page(&app, &link).await;
        assert!(html.contains("Il a été facile"), "{html}");
        let r = form(&app, &link, &[("score", "6"), ("solved", "yes")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.json);
        let thanks = r.json.as_str().unwrap().to_string();
        let at = thanks.find("/r/").expect("the visit can be reviewed");
        let review = thanks[at..].split(['?', '"']).next().unwrap().to_string();
        let (status, html) = page(&app, &review).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("Agence de Lyon"), "{html}");
        let f = app.get("/api/v1/surveys/2/figures", admin).await.json;
        assert_eq!(f["total"]["ces_easy"]["part"], 1, "{f}");
    }
}

#[tokio::test]
async fn a_review_invitation_expires() {
    for db in backends().await {
        let app = TestApp::new(db).await;
        let almost = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(50 * 24)
            + jiff::SignedDuration::from_secs(2);
        let r = app
            .post(
                "/api/v1/review-invitations",
                &app.admin,
                json!({
                "customer": {"email": "late@exemple.fr"}, "reference": "CMD-9", "about": "Commande",
                "purchased_at": almost.to_string()}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
        let link = path_of(r.json["link"].as_str().unwrap());
        tokio::time::sleep(std::time::Duration::from_millis(2_500)).await;
        let (status, html) = page(&app, &link).await;
        assert_eq!(status, StatusCode::GONE);
        assert!(html.contains("Invitation expirée"));
        let r = form(&app, &link, &[("stars", "5"), ("comment", "Trop tard ?")]).await;
        assert_eq!(r.status, StatusCode::GONE);
        assert_eq!(
            app.call("GET", "/o/acme/avis.json", None, None, &[])
                .await
                .json["count"],
            0
        );
    }
}

#[tokio::test]
async fn a_survey_goes_out_by_mail_and_is_answered_from_it() {
    let Some(s) = crate::email_test::servers() else {
        eprintln!("PACTE_TEST_SMTP not set: skipped");
        return;
    };
    for db in backends().await {
        let app = TestApp::new(db).await;
        let tag = uuid::Uuid::now_v7().simple().to_string();
        let r = app
            .post(
                "/api/v1/mailboxes",
                &app.admin,
                json!({"address": format!("contact-{tag}@acme.fr"),
                "smtp_host": s.smtp.0, "smtp_port": s.smtp.1, "smtp_security": "none"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
        survey_now(&app, &app.admin, "csat").await;
        let manager = format!("manager-{tag}@acme.fr");
        user(&app.store, app.org_id, &manager, "manager").await;
        let customer = format!("client-{tag}@exemple.fr");
        let (case_id, v) = solved_case(&app, &customer, None).await;
        assert_eq!(v["invitations"][0]["status"], "sent", "{v}");
        pacte::service::email::outbound::send_due(&app.store, app.state.config.egress())
            .await
            .unwrap();
        let mails = crate::email_test::sent_to(&s, &customer);
        let mail = mails
            .iter()
            .find(|m| m.contains("Votre avis sur votre demande"))
            .expect("invitation mailed");
        // Quoted-printable, as lettre encodes long lines.
        let text = mail
            .replace("=\r\n", "")
            .replace("=\n", "")
            .replace("=3D", "=");
        assert!(
            text.contains("Ne plus recevoir d'enqu") || text.contains("Ne plus recevoir"),
            "{text}"
        );
        let at = text.find("/s/").expect("survey link in the mail");
        let token: String = text[at + 3..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect();
        assert!(
            text.contains(&format!("/s/{token}?score=4")),
            "one-click scores"
        );
        assert!(
            text.contains("/r/"),
            "the review invitation of the same case"
        );
        let (status, html) = page(&app, &format!("/s/{token}?score=4")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains(r#"value="4" checked"#));
        let r = form(
            &app,
            &format!("/s/{token}"),
            &[
                ("score", "1"),
                ("solved", "yes"),
                ("comment", "Conseiller peu aimable"),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::OK);
        let case = app
            .get(&format!("/api/v1/cases/{case_id}"), &app.admin)
            .await
            .json;
        assert_eq!(case["status"], "solved", "\"solved: yes\" reopens nothing");
        // A dissatisfied customer: the managers are told by mail.
        pacte::service::email::outbound::send_due(&app.store, app.state.config.egress())
            .await
            .unwrap();
        let alerts = crate::email_test::sent_to(&s, &manager);
        assert_eq!(alerts.len(), 1, "one alert mail");
        assert!(alerts[0].contains("CSAT 1"), "{}", alerts[0]);
    }
}
