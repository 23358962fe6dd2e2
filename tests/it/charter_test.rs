//! The charter through the API, on every backend: SMART definitions, backtest before publishing,
//! versions, incremental results (late data in the right period, nothing counted twice),
//! consequences of an unacceptable crossing (non-conformity, compensation, webhook), the counter
//! queue and the public charter.

use crate::support::{TestApp, backends, email_in, user};
use axum::http::StatusCode;
use pacte::service::charter;
use serde_json::{Value, json};

pub(crate) fn counter_commitment(webhook: Option<&str>) -> Value {
    json!({
        "title_fr": "Accueil au guichet", "title_en": "Counter welcome",
        "wording_fr": "Nous vous prenons en charge en moins de 5 minutes",
        "wording_en": "We see you within 5 minutes",
        "metric": "counter_wait", "channels": ["counter"],
        "nominal_minutes": 5, "requirement_pct": 85, "unacceptable_minutes": 15,
        "period": "month",
        "compensation_gesture": "Bon d'achat", "compensation_cents": 1000,
        "alert_webhook": webhook,
    })
}

fn ms(s: &str) -> i64 {
    s.parse::<jiff::Timestamp>().unwrap().as_millisecond()
}

/// Publishes a commitment as in force since 2026-01-01 (history in the tests is dated 2026).
pub(crate) async fn in_force(app: &TestApp, body: Value) -> i64 {
    let r = app.post("/api/v1/commitments", &app.admin, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    let id = r.json["id"].as_i64().unwrap();
    charter::publish_at(
        &app.store,
        app.org_id,
        None,
        id,
        ms("2026-01-01T00:00:00Z"),
        false,
    )
    .await
    .unwrap();
    id
}

fn period<'a>(results: &'a Value, commitment: i64, period: &str) -> &'a Value {
    results
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["commitment"]["id"] == commitment)
        .and_then(|r| {
            r["results"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["period"] == period)
        })
        .unwrap_or(&Value::Null)
}

pub(crate) fn wait(at: &str, minutes: i64, ext: &str, number: &str) -> Value {
    let q = ms(at);
    let iso = |t: i64| jiff::Timestamp::from_millisecond(t).unwrap().to_string();
    json!({"channel": "counter", "direction": "inbound", "occurred_at": iso(q),
        "customer": {"customer_number": number}, "body": "Retrait de colis", "site": "lyon",
        "queued_at": iso(q), "answered_at": iso(q + minutes * 60_000), "external_id": ext})
}

pub(crate) async fn site(app: &TestApp) {
    let r = app
        .post(
            "/api/v1/sites",
            &app.admin,
            json!({"code": "lyon", "name": "Agence Lyon", "kind": "agency",
                   "time_zone": "Europe/Paris", "opening_hours": "mon-sat 09:00-18:00"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
}

#[tokio::test]
async fn definitions_are_smart_backtested_and_versioned() {
    for db in backends().await {
        let app = TestApp::new(db).await;
        let bad = app
            .post(
                "/api/v1/commitments",
                &app.admin,
                json!({"title_fr": "x", "title_en": "x", "wording_fr": "x", "wording_en": "x",
                       "metric": "first_response", "channels": [], "nominal_minutes": 60,
                       "requirement_pct": 120, "unacceptable_minutes": 30, "period": "month"}),
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.json);
        let fields: Vec<&str> = bad.json["error"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap())
            .collect();
        for f in ["channels", "requirement_pct", "unacceptable_minutes"] {
            assert!(fields.contains(&f), "{f} not named in {fields:?}");
        }
        let unknown = app
            .post(
                "/api/v1/commitments",
                &app.admin,
                json!({"title_fr": "x", "title_en": "x", "wording_fr": "x", "wording_en": "x",
                       "metric": "happiness", "channels": ["email"], "requirement_pct": 50, "period": "decade"}),
            )
            .await;
        assert_eq!(unknown.json["error"]["fields"][0]["code"], "unknown_metric");
        assert_eq!(unknown.json["error"]["fields"][1]["field"], "period");
        let denied = app
            .post(
                "/api/v1/commitments",
                &app.advisor,
                counter_commitment(None),
            )
            .await;
        assert_eq!(denied.status, StatusCode::FORBIDDEN);

        let draft = app
            .post("/api/v1/commitments", &app.admin, counter_commitment(None))
            .await;
        assert_eq!(draft.status, StatusCode::CREATED, "{}", draft.json);
        let id = draft.json["id"].as_i64().unwrap();
        let early = app
            .post(
                &format!("/api/v1/commitments/{id}/publish"),
                &app.admin,
                json!({}),
            )
            .await;
        assert_eq!(early.status, StatusCode::CONFLICT);
        assert_eq!(early.json["error"]["code"], "backtest_required");
        let one = app
            .post(
                &format!("/api/v1/commitments/{id}/backtest?months=1"),
                &app.admin,
                json!({}),
            )
            .await;
        assert_eq!(one.status, StatusCode::OK, "{}", one.json);
        let too_far = app
            .post(
                &format!("/api/v1/commitments/{id}/backtest?months=40"),
                &app.admin,
                json!({}),
            )
            .await;
        assert_eq!(too_far.json["error"]["fields"][0]["field"], "months");
        let bt = app
            .post(
                &format!("/api/v1/commitments/{id}/backtest?months=3"),
                &app.admin,
                json!({}),
            )
            .await;
        assert_eq!(bt.status, StatusCode::OK, "{}", bt.json);
        assert_eq!(bt.json["months"], 3);
        let published = app
            .post(
                &format!("/api/v1/commitments/{id}/publish"),
                &app.admin,
                json!({}),
            )
            .await;
        assert_eq!(published.status, StatusCode::OK, "{}", published.json);
        assert_eq!(published.json["status"], "published");

        // The same metric on the same scope twice would count contacts twice.
        let twin = app
            .post("/api/v1/commitments", &app.admin, counter_commitment(None))
            .await;
        let twin_id = twin.json["id"].as_i64().unwrap();
        app.post(
            &format!("/api/v1/commitments/{twin_id}/backtest"),
            &app.admin,
            json!({}),
        )
        .await;
        let overlap = app
            .post(
                &format!("/api/v1/commitments/{twin_id}/publish"),
                &app.admin,
                json!({}),
            )
            .await;
        assert_eq!(
            overlap.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            overlap.json
        );
        assert_eq!(overlap.json["error"]["fields"][0]["code"], "scope_overlap");

        // Editing a published commitment drafts version 2; version 1 stays in force until then.
        let mut edit = counter_commitment(None);
        edit["nominal_minutes"] = json!(10);
        let v2 = app
            .call(
                "PUT",
                &format!("/api/v1/commitments/{id}"),
                Some(&app.admin),
                Some(edit),
                &[],
            )
            .await;
        assert_eq!(v2.status, StatusCode::OK, "{}", v2.json);
        assert_eq!(v2.json["version"], 2);
        assert_eq!(v2.json["status"], "draft");
        assert_eq!(v2.json["family_id"], id);
        let v1 = app
            .get(&format!("/api/v1/commitments/{id}"), &app.admin)
            .await;
        assert_eq!(v1.json["status"], "published");
        let v2_id = v2.json["id"].as_i64().unwrap();
        app.post(
            &format!("/api/v1/commitments/{v2_id}/backtest"),
            &app.admin,
            json!({}),
        )
        .await;
        let p2 = app
            .post(
                &format!("/api/v1/commitments/{v2_id}/publish"),
                &app.admin,
                json!({}),
            )
            .await;
        assert_eq!(p2.status, StatusCode::OK, "{}", p2.json);
        let v1 = app
            .get(&format!("/api/v1/commitments/{id}"), &app.admin)
            .await;
        assert_eq!(v1.json["status"], "retired");
        assert!(v1.json["retired_at"].is_string());
    }
}

/// A local HTTP server that records what is posted to it (the site manager's webhook).
pub(crate) async fn webhook_sink() -> (String, tokio::sync::mpsc::UnboundedReceiver<Value>) {
    use axum::routing::post;
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let app = axum::Router::new().route(
        "/hook",
        post(move |body: axum::body::Bytes| {
            let tx = tx.clone();
            async move {
                let _ = tx.send(serde_json::from_slice(&body).unwrap_or(Value::Null));
                StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/hook"), rx)
}

#[tokio::test]
async fn counter_waits_are_measured_with_their_consequences() {
    for db in backends().await {
        let app = TestApp::new(db).await;
        site(&app).await;
        let (hook, mut posted) = webhook_sink().await;
        let id = in_force(&app, counter_commitment(Some(&hook))).await;

        // October: waits of 2, 3, 4, 7 and 20 minutes; recorded out of order, one in September late.
        for (i, (at, mins)) in [
            ("2026-10-05T08:00:00Z", 2),
            ("2026-10-20T08:00:00Z", 20),
            ("2026-10-06T08:00:00Z", 3),
            ("2026-09-30T08:00:00Z", 4),
            ("2026-10-07T08:00:00Z", 7),
            ("2026-10-08T08:00:00Z", 4),
        ]
        .iter()
        .enumerate()
        {
            app.interaction(wait(at, *mins, &format!("w{i}"), "C-100"))
                .await;
        }
        // The same wait sent again is not counted again.
        app.interaction(wait("2026-10-05T08:00:00Z", 2, "w0", "C-100"))
            .await;
        let r = app
            .get("/api/v1/charter/results?periods=24", &app.admin)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.json);
        let oct = period(&r.json, id, "2026-10-01");
        assert_eq!(
            oct["all"],
            json!({"total": 5, "met": 3, "unacceptable": 1}),
            "{}",
            r.json
        );
        assert_eq!(oct["status"], "missed");
        assert_eq!(oct["sites"][0]["site"], "lyon");
        assert_eq!(period(&r.json, id, "2026-09-01")["all"]["total"], 1);

        // The 20-minute wait: one non-conformity, a compensation granted by the rule, an alert.
        let nc = app.get("/api/v1/nonconformities", &app.admin).await;
        assert_eq!(nc.json.as_array().unwrap().len(), 1, "{}", nc.json);
        let comp = app.get("/api/v1/compensations", &app.admin).await;
        assert_eq!(comp.json[0]["status"], "granted", "{}", comp.json);
        assert_eq!(comp.json[0]["amount_cents"], 1000);
        assert!(
            comp.json[0]["decided_by_rule"]
                .as_str()
                .unwrap()
                .starts_with("commitment:")
        );
        // Delivered after commit from the outbox (a served process runs this every second).
        // Two servers delivering at once: one takes the lease, the alert is posted once.
        let client = reqwest::Client::new();
        let (a, b) = tokio::join!(
            charter::alerts::deliver_due(&app.store, &client, app.state.config.egress()),
            charter::alerts::deliver_due(&app.store, &client, app.state.config.egress())
        );
        assert_eq!(a.unwrap() + b.unwrap(), 1);
        assert_eq!(
            charter::alerts::deliver_due(&app.store, &client, app.state.config.egress())
                .await
                .unwrap(),
            0,
            "delivered once"
        );
        let alert = tokio::time::timeout(std::time::Duration::from_secs(10), posted.recv())
            .await
            .expect("webhook called")
            .unwrap();
        assert_eq!(alert["event"], "commitment.unacceptable");
        assert_eq!(alert["value_ms"], 20 * 60_000);
        assert!(posted.try_recv().is_err(), "posted once");

        // Above the rule's limit, the gesture is proposed; an advisor cannot grant it, a manager
        // within their limit can, once.
        let limit = app
            .call(
                "PUT",
                "/api/v1/compensation-limits/rule",
                Some(&app.admin),
                Some(json!({"limit_cents": 500})),
                &[],
            )
            .await;
        assert_eq!(limit.status, StatusCode::NO_CONTENT);
        app.call(
            "PUT",
            "/api/v1/compensation-limits/manager",
            Some(&app.admin),
            Some(json!({"limit_cents": 2000})),
            &[],
        )
        .await;
        app.interaction(wait("2026-10-21T08:00:00Z", 31, "w9", "C-200"))
            .await;
        let proposed = app
            .get("/api/v1/compensations?status=proposed", &app.admin)
            .await;
        assert_eq!(
            proposed.json.as_array().unwrap().len(),
            1,
            "{}",
            proposed.json
        );
        let cid = proposed.json[0]["id"].as_i64().unwrap();
        let (manager, _) = user(&app.store, app.org_id, "chef@acme.fr", "manager").await;
        let path = format!("/api/v1/compensations/{cid}/decision");
        let no = app.post(&path, &app.advisor, json!({"grant": true})).await;
        assert_eq!(no.status, StatusCode::FORBIDDEN);
        let yes = app.post(&path, &manager, json!({"grant": true})).await;
        assert_eq!(yes.json["status"], "granted", "{}", yes.json);
        assert_eq!(yes.json["decided_by_name"], "manager user");
        let again = app.post(&path, &manager, json!({"grant": false})).await;
        assert_eq!(again.status, StatusCode::CONFLICT);
        let csv = app.get("/api/v1/compensations.csv", &app.admin).await;
        let csv = csv.json.as_str().unwrap().to_string();
        assert!(csv.starts_with("id,created_at,case_number"), "{csv}");
        assert_eq!(csv.lines().count(), 3);
        assert!(csv.contains(",10.00,granted,"), "{csv}");
    }
}

#[tokio::test]
async fn counter_queue_from_kiosk_to_charter() {
    for db in backends().await {
        let app = TestApp::new(db).await;
        site(&app).await;
        let service = pacte::service::counter::add_service_unchecked(
            &app.store,
            app.org_id,
            "c",
            "Colis / recommandé",
            "Parcels",
            1,
        )
        .await
        .unwrap();
        let id = in_force(&app, counter_commitment(None)).await;
        let issue = |number: Option<&str>| {
            app.post(
                "/api/v1/sites/lyon/tickets",
                &app.advisor,
                json!({"service_id": service.id, "customer_number": number}),
            )
        };
        let unknown = issue(Some("NOPE-1")).await;
        assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            unknown.json["error"]["fields"][0]["field"],
            "customer_number"
        );
        let t1 = issue(None).await;
        assert_eq!(t1.status, StatusCode::CREATED, "{}", t1.json);
        assert_eq!(t1.json["ticket"]["label"], "C001");
        let t2 = issue(None).await;
        assert_eq!(t2.json["ticket"]["label"], "C002");
        assert_eq!(t2.json["ahead"], 1);
        let call = |desk: &str| {
            app.post(
                "/api/v1/sites/lyon/calls",
                &app.advisor,
                json!({"desk": desk}),
            )
        };
        let c1 = call("Guichet 1").await;
        assert_eq!(c1.json["label"], "C001", "{}", c1.json);
        let c2 = call("Guichet 2").await;
        assert_eq!(c2.json["label"], "C002");
        assert_eq!(call("Guichet 1").await.status, StatusCode::NO_CONTENT);
        let queue = app.get("/api/v1/sites/lyon/queue", &app.advisor).await;
        assert_eq!(queue.json["called"].as_array().unwrap().len(), 2);

        // C001 was a customer: the visit lands on their record; C002 did not come.
        let end1 = app
            .post(
                &format!("/api/v1/tickets/{}/end", c1.json["id"]),
                &app.advisor,
                json!({"served": true, "customer_number": "CLI-42", "note": "Colis remis"}),
            )
            .await;
        assert_eq!(end1.status, StatusCode::OK, "{}", end1.json);
        assert_eq!(end1.json["status"], "done");
        let customer = end1.json["customer_id"].as_i64().unwrap();
        let v = app
            .get(&format!("/api/v1/customers/{customer}"), &app.advisor)
            .await;
        let visit = &v.json["timeline"][0];
        assert_eq!(visit["channel"], "counter");
        assert!(
            visit["queued_at"].is_number() || visit["queued_at"].is_string(),
            "{visit}"
        );
        let end2 = app
            .post(
                &format!("/api/v1/tickets/{}/end", c2.json["id"]),
                &app.advisor,
                json!({"served": false, "note": "Parti avant l'appel"}),
            )
            .await;
        assert_eq!(end2.json["status"], "no_show");
        assert_eq!(
            end2.json["note"], "Parti avant l'appel",
            "the desk's note is kept"
        );
        let twice = app
            .post(
                &format!("/api/v1/tickets/{}/end", c2.json["id"]),
                &app.advisor,
                json!({"served": false}),
            )
            .await;
        assert_eq!(twice.status, StatusCode::CONFLICT);

        // Both waits measured once each (the visit's interaction is the same wait as its ticket).
        let r = app.get("/api/v1/charter/results", &app.admin).await;
        let today = jiff::Zoned::now().date().first_of_month().to_string();
        assert_eq!(
            period(&r.json, id, &today)["all"],
            json!({"total": 2, "met": 2, "unacceptable": 0}),
            "{}",
            r.json
        );

        // The public charter says it, without a login.
        let public = app
            .call("GET", "/o/acme/engagements.json", None, None, &[])
            .await;
        assert_eq!(public.status, StatusCode::OK, "{}", public.json);
        let item = &public.json["commitments"][0];
        assert_eq!(item["title"], "Accueil au guichet");
        let sentence = item["current_period"]["sentence"].as_str().unwrap();
        assert!(
            sentence.starts_with("100 % d'entre vous ont été pris en charge en moins de 5 minutes"),
            "{sentence}"
        );
        let en = app
            .call("GET", "/o/acme/engagements.json?lang=en", None, None, &[])
            .await;
        assert_eq!(en.json["commitments"][0]["title"], "Counter welcome");
        let missing = app
            .call("GET", "/o/nobody/engagements.json", None, None, &[])
            .await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn response_delays_count_business_hours_and_once_and_done_turns() {
    for db in backends().await {
        let app = TestApp::new(db).await;
        // Open before the charter exists: publication gives it its deadline.
        let b = app
            .interaction(email_in(
                "max@exemple.fr",
                "Question",
                "Bonjour",
                "2026-11-20T08:00:00Z",
            ))
            .await;
        let reply = in_force(
            &app,
            json!({"title_fr": "Réponse aux courriels", "title_en": "Email replies",
                   "wording_fr": "Nous répondons sous 48 heures ouvrées", "wording_en": "We answer within 48 business hours",
                   "metric": "first_response", "channels": ["email"], "nominal_minutes": 2880,
                   "requirement_pct": 90, "business_time": true, "period": "month"}),
        )
        .await;
        let once = in_force(
            &app,
            json!({"title_fr": "Du premier coup", "title_en": "First time right",
                   "wording_fr": "Votre demande réglée dès le premier contact", "wording_en": "Solved at first contact",
                   "metric": "once_and_done", "channels": ["email"], "requirement_pct": 60, "period": "quarter"}),
        )
        .await;
        // Friday 17:00 Paris → the answer on Tuesday 17:00: 4 days in calendar time, but
        // 1 + 9 + 8 = 18 business hours (org hours mon-fri 09:00-18:00).
        let a = app
            .interaction(email_in(
                "lea@exemple.fr",
                "Relevé",
                "Où est mon relevé ?",
                "2026-10-16T15:00:00Z",
            ))
            .await;
        let case = a["case_id"].as_i64().unwrap();
        app.interaction(json!({"channel": "email", "direction": "outbound", "occurred_at": "2026-10-20T15:00:00Z",
            "customer": {"email": "lea@exemple.fr"}, "case_id": case, "body": "Le voici.", "status": "solved"}))
            .await;
        let r = app
            .get("/api/v1/charter/results?periods=24", &app.admin)
            .await;
        assert_eq!(
            period(&r.json, reply, "2026-10-01")["all"],
            json!({"total": 1, "met": 1, "unacceptable": 0}),
            "{}",
            r.json
        );
        assert_eq!(period(&r.json, once, "2026-10-01")["all"]["met"], 1);
        // She writes again on the same need two days later: the case reopens, not once & done.
        app.interaction(email_in(
            "lea@exemple.fr",
            "Re: Relevé",
            "Il manque une page",
            "2026-10-22T09:00:00Z",
        ))
        .await;
        let r = app
            .get("/api/v1/charter/results?periods=24", &app.admin)
            .await;
        assert_eq!(
            period(&r.json, once, "2026-10-01")["all"],
            json!({"total": 1, "met": 0, "unacceptable": 0}),
            "{}",
            r.json
        );
        // An open case shows the time left before its bound.
        let risk = app.get("/api/v1/charter/at-risk", &app.admin).await;
        let row = risk
            .json
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["case_id"] == b["case_id"])
            .expect("listed");
        assert_eq!(row["commitment_id"], reply);
        assert_eq!(row["deadline"], "2026-11-27T11:00:00Z", "{row}");
    }
}

#[tokio::test]
async fn site_closures_are_left_out_of_business_delays() {
    for db in backends().await {
        let app = TestApp::new(db).await;
        site(&app).await;
        let bad = app
            .call(
                "PUT",
                "/api/v1/sites/lyon/closures",
                Some(&app.admin),
                Some(json!({"dates": ["2026-13-40"]})),
                &[],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(bad.json["error"]["fields"][0]["field"], "closures");
        let ok = app
            .call(
                "PUT",
                "/api/v1/sites/lyon/closures",
                Some(&app.admin),
                Some(json!({"dates": ["2026-10-19", "2026-10-19"]})),
                &[],
            )
            .await;
        assert_eq!(ok.json["closures"], "2026-10-19", "{}", ok.json);
        let id = in_force(
            &app,
            json!({"title_fr": "Réponse", "title_en": "Answer", "wording_fr": "Sous 20 h ouvrées", "wording_en": "Within 20 business hours",
                   "metric": "first_response", "channels": ["email"], "sites": ["lyon"], "nominal_minutes": 1200,
                   "requirement_pct": 90, "business_time": true, "period": "month"}),
        )
        .await;
        // Friday 17:00 → Tuesday 17:00 (Paris): 1 + 9 (Saturday) + 8 = 18 business hours, the
        // closed Monday left out (27 hours without the closure: over the bound).
        let mut first = email_in(
            "lea@exemple.fr",
            "Relevé",
            "Où est mon relevé ?",
            "2026-10-16T15:00:00Z",
        );
        first["site"] = json!("lyon");
        let a = app.interaction(first).await;
        app.interaction(json!({"channel": "email", "direction": "outbound", "occurred_at": "2026-10-20T15:00:00Z",
            "customer": {"email": "lea@exemple.fr"}, "case_id": a["case_id"], "body": "Le voici."}))
            .await;
        let r = app
            .get("/api/v1/charter/results?periods=24", &app.admin)
            .await;
        assert_eq!(
            period(&r.json, id, "2026-10-01")["all"],
            json!({"total": 1, "met": 1, "unacceptable": 0}),
            "{}",
            r.json
        );
    }
}

/// A backtest counts in the database what it can; it must agree with live evaluation, contact for
/// contact, on the same history (business hours with a closure, pending time, once & done, waits).
#[tokio::test]
async fn backtest_agrees_with_live_evaluation() {
    for db in backends().await {
        let app = TestApp::new(db).await;
        site(&app).await;
        app.call(
            "PUT",
            "/api/v1/sites/lyon/closures",
            Some(&app.admin),
            Some(json!({"dates": ["2026-10-19"]})),
            &[],
        )
        .await;
        let base = json!({"title_fr": "t", "title_en": "t", "wording_fr": "w", "wording_en": "w", "period": "month"});
        let with = |extra: Value| {
            let mut b = base.clone();
            b.as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            b
        };
        let rules = [
            with(
                json!({"metric": "first_response", "channels": ["email"], "nominal_minutes": 1200, "requirement_pct": 90, "business_time": true, "unacceptable_minutes": 2400}),
            ),
            with(
                json!({"metric": "resolution", "channels": ["email", "counter"], "nominal_minutes": 2880, "requirement_pct": 80, "exclude_pending": true}),
            ),
            with(
                json!({"metric": "once_and_done", "channels": ["email", "counter"], "requirement_pct": 60}),
            ),
            with(
                json!({"metric": "counter_wait", "channels": ["counter"], "nominal_minutes": 5, "requirement_pct": 85, "unacceptable_minutes": 15}),
            ),
        ];
        let mut live = Vec::new();
        for r in &rules {
            live.push(in_force(&app, r.clone()).await);
        }
        // October history: emails answered after various delays, some on the Lyon site.
        for (i, (opened, answered, site, status)) in [
            (
                "2026-10-16T15:00:00Z",
                "2026-10-20T15:00:00Z",
                Some("lyon"),
                "solved",
            ),
            (
                "2026-10-16T15:00:00Z",
                "2026-10-20T15:00:00Z",
                None,
                "pending",
            ),
            (
                "2026-10-05T08:00:00Z",
                "2026-10-05T09:00:00Z",
                None,
                "solved",
            ),
            (
                "2026-10-06T08:00:00Z",
                "2026-10-12T16:00:00Z",
                Some("lyon"),
                "solved",
            ),
            (
                "2026-10-07T08:00:00Z",
                "2026-10-09T08:00:00Z",
                None,
                "solved",
            ),
        ]
        .iter()
        .enumerate()
        {
            let mut first = email_in(
                &format!("c{i}@exemple.fr"),
                &format!("Sujet {i}"),
                "Bonjour",
                opened,
            );
            if let Some(s) = site {
                first["site"] = json!(s);
            }
            let a = app.interaction(first).await;
            app.interaction(json!({"channel": "email", "direction": "outbound", "occurred_at": answered,
                "customer": {"email": format!("c{i}@exemple.fr")}, "case_id": a["case_id"], "body": "Réponse", "status": status}))
                .await;
            if *status == "pending" {
                app.interaction(json!({"channel": "email", "direction": "inbound", "occurred_at": "2026-10-22T08:00:00Z",
                    "customer": {"email": format!("c{i}@exemple.fr")}, "case_id": a["case_id"], "body": "Voici"}))
                    .await;
                app.interaction(json!({"channel": "email", "direction": "outbound", "occurred_at": "2026-10-22T10:00:00Z",
                    "customer": {"email": format!("c{i}@exemple.fr")}, "case_id": a["case_id"], "body": "Merci", "status": "solved"}))
                    .await;
            }
        }
        for (i, mins) in [2, 7, 20].iter().enumerate() {
            let mut w = wait(
                &format!("2026-10-1{i}T08:00:00Z"),
                *mins,
                &format!("w{i}"),
                "C-9",
            );
            w["status"] = json!("solved");
            app.interaction(w).await;
        }
        let results = app
            .get("/api/v1/charter/results?periods=24", &app.admin)
            .await;
        for (rule, live_id) in rules.iter().zip(live) {
            let draft = app
                .post("/api/v1/commitments", &app.admin, rule.clone())
                .await;
            let id = draft.json["id"].as_i64().unwrap();
            let bt = app
                .post(
                    &format!("/api/v1/commitments/{id}/backtest?months=3"),
                    &app.admin,
                    json!({}),
                )
                .await;
            let month = bt.json["results"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["period"] == "2026-10-01")
                .cloned()
                .unwrap_or(Value::Null);
            let expected = period(&results.json, live_id, "2026-10-01");
            assert!(
                expected["all"]["total"].as_i64().unwrap_or(0) > 0,
                "{rule}: nothing measured live"
            );
            assert_eq!(
                month["all"], expected["all"],
                "{} {rule}: backtest {month} vs live {expected}",
                app.db.backend
            );
            let sites = |v: &Value| {
                let mut s: Vec<String> = v["sites"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x.to_string())
                    .collect();
                s.sort();
                s
            };
            assert_eq!(sites(&month), sites(expected), "{rule}");
        }
    }
}

#[tokio::test]
async fn a_charter_over_ten_commitments_is_warned_about() {
    for db in backends().await {
        let app = TestApp::new(db).await;
        let mut last = Value::Null;
        for i in 0..11 {
            let mut c = counter_commitment(None);
            c["title_fr"] = json!(format!("Engagement {i}"));
            last = app.post("/api/v1/commitments", &app.admin, c).await.json;
            if i < 10 {
                assert!(last["warnings"].as_array().unwrap().is_empty(), "{last}");
            }
        }
        let w = last["warnings"][0].as_str().unwrap_or_default();
        assert!(w.contains("11 commitments"), "{last}");
    }
}
