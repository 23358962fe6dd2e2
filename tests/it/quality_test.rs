//! The quality loop through the API, on every backend: crossings grouped into one
//! non-conformity, the plan (5M analysis, actions, progress), the efficacy check measured from
//! the counters and confirmed C, a recurrence that reopens it, an NC verdict that reopens it,
//! role rules, the PAQ export, indicators with targets, a review that freezes only once every
//! missed target has its decision, and verdicts that wait for enough data.

use crate::charter_test::{counter_commitment, in_force, site};
use crate::support::{TestApp, backends, user};
use axum::http::StatusCode;
use serde_json::{Value, json};

fn iso(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms).unwrap().to_string()
}

/// A time in the last complete month (its 10th, 10:00 UTC), plus `minutes`.
fn last_month(minutes: i64) -> i64 {
    let first = jiff::Zoned::now().date().first_of_month();
    let d = first
        .checked_sub(jiff::Span::new().months(1))
        .unwrap()
        .checked_add(jiff::Span::new().days(9))
        .unwrap();
    d.at(10, 0, 0, 0)
        .to_zoned(jiff::tz::TimeZone::UTC)
        .unwrap()
        .timestamp()
        .as_millisecond()
        + minutes * 60_000
}

fn today() -> String {
    jiff::Zoned::now().date().to_string()
}

/// The first day of last month: an action done then can be checked on last month's figure.
fn last_month_start() -> String {
    jiff::Zoned::now()
        .date()
        .first_of_month()
        .checked_sub(jiff::Span::new().months(1))
        .unwrap()
        .to_string()
}

/// A counter visit queued at `q` and served `wait` minutes later.
fn visit(q: i64, wait: i64, ext: &str) -> Value {
    json!({"channel": "counter", "direction": "inbound", "occurred_at": iso(q),
        "customer": {"customer_number": format!("C-{ext}")}, "body": "Retrait de colis",
        "site": "lyon", "queued_at": iso(q), "answered_at": iso(q + wait * 60_000),
        "external_id": ext})
}

async fn detect(app: &TestApp, token: &str) -> i64 {
    let r = app.post("/api/v1/quality/detect", token, json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    r.json["changed"].as_i64().unwrap()
}

async fn ncs(app: &TestApp, token: &str, query: &str) -> Vec<Value> {
    let r = app
        .get(&format!("/api/v1/quality/nonconformities{query}"), token)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    r.json.as_array().unwrap().clone()
}

#[tokio::test]
async fn a_crossing_becomes_a_plan_checked_on_data_and_a_recurrence_reopens_it() {
    for db in backends().await {
        let app = TestApp::new(db).await;
        site(&app).await;
        let commitment = in_force(&app, counter_commitment(None)).await;
        let (quality, _) = user(&app.store, app.org_id, "q@example.org", "quality").await;
        let (manager, _) = user(&app.store, app.org_id, "m@example.org", "manager").await;
        let (other, _) = user(&app.store, app.org_id, "o@example.org", "advisor").await;
        // Last month: 100 visits served in time, 3 beyond the unacceptable 15 minutes.
        for i in 0..100 {
            app.interaction(visit(last_month(i * 7), 2, &format!("ok-{i}")))
                .await;
        }
        for i in 0..3 {
            app.interaction(visit(last_month(800 + i * 30), 20, &format!("late-{i}")))
                .await;
        }
        assert!(detect(&app, &quality).await >= 1);
        let open = ncs(&app, &quality, "").await;
        let crossing: Vec<&Value> = open.iter().filter(|n| n["origin"] == "crossing").collect();
        assert_eq!(
            crossing.len(),
            1,
            "three crossings, one non-conformity: {open:?}"
        );
        let nc = crossing[0]["id"].as_i64().unwrap();
        assert_eq!(crossing[0]["occurrences"], 3);
        assert_eq!(crossing[0]["commitment_id"], commitment);
        // Detection again finds nothing new: no duplicate, no count moved.
        detect(&app, &quality).await;
        let again = ncs(&app, &quality, "?origin=crossing").await;
        assert_eq!(again.len(), 1);
        assert_eq!(again[0]["occurrences"], 3);
        let detail = app
            .get(&format!("/api/v1/quality/nonconformities/{nc}"), &quality)
            .await;
        assert_eq!(detail.json["evidence"].as_array().unwrap().len(), 3);
        assert!(detail.json["evidence"][0]["detail"]["case_number"].is_i64());

        // The analysis: the 5M, and the 7M families refused while the organisation uses 5.
        let analysis = json!({
            "causes": [{"family": "manpower", "text": "Un seul guichet ouvert le samedi"},
                       {"family": "methods", "text": "Pas de prise de rendez-vous"}],
            "whys": ["Attente longue", "Un seul guichet", "Planning fait au mois"],
            "severity": "major",
        });
        let denied = app
            .put(
                &format!("/api/v1/quality/nonconformities/{nc}/analysis"),
                &app.advisor,
                analysis.clone(),
            )
            .await;
        assert_eq!(denied.status, StatusCode::FORBIDDEN);
        let seven = app
            .put(
                &format!("/api/v1/quality/nonconformities/{nc}/analysis"),
                &manager,
                json!({"causes": [{"family": "management", "text": "x"}]}),
            )
            .await;
        assert_eq!(
            seven.json["error"]["fields"][0]["code"], "seven_m_off",
            "{}",
            seven.json
        );
        let done = app
            .put(
                &format!("/api/v1/quality/nonconformities/{nc}/analysis"),
                &manager,
                analysis,
            )
            .await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.json);
        assert_eq!(done.json["causes"][1]["family"], "methods");
        assert_eq!(done.json["whys"].as_array().unwrap().len(), 3);

        // A corrective action states its check; with it, the plan is under way.
        let actions = format!("/api/v1/quality/nonconformities/{nc}/actions");
        let bare = app
            .post(
                &actions,
                &manager,
                json!({"title": "Ouvrir un 2e guichet", "due_on": today()}),
            )
            .await;
        assert_eq!(
            bare.json["error"]["fields"][0]["code"], "check_required",
            "{}",
            bare.json
        );
        let wrong = app
            .post(
                &actions,
                &manager,
                json!({"title": "Ouvrir un 2e guichet", "due_on": today(),
                       "check": {"method": "figure", "figure": "nps:999", "on": "2026-02-30"}}),
            )
            .await;
        let fields: Vec<&str> = wrong.json["error"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap())
            .collect();
        for f in ["check.on", "check.figure", "check.target"] {
            assert!(fields.contains(&f), "{f} not in {fields:?}");
        }
        let advisor_id = app.advisor_id;
        let action = app
            .post(
                &actions,
                &manager,
                json!({"title": "Ouvrir un 2e guichet le samedi", "due_on": last_month_start(),
                       "actors": [advisor_id],
                       "documents": [{"title": "Planning", "url": "https://intranet.example/planning"}],
                       "check": {"method": "figure", "figure": format!("commitment:{commitment}"),
                                 "site": "lyon", "target": 85, "months": 1, "on": today()}}),
            )
            .await;
        assert_eq!(action.status, StatusCode::CREATED, "{}", action.json);
        let action_id = action.json["id"].as_i64().unwrap();
        // Checking only months before the action is refused.
        let early = app
            .post(
                &actions,
                &manager,
                json!({"title": "Autre action", "due_on": today(),
                       "check": {"method": "figure", "figure": format!("commitment:{commitment}"),
                                 "target": 85, "months": 1, "on": today()}}),
            )
            .await;
        assert_eq!(
            early.json["error"]["fields"][0]["code"], "window_before_action",
            "{}",
            early.json
        );
        let pct = app
            .post(
                &actions,
                &manager,
                json!({"title": "Autre action", "due_on": last_month_start(),
                       "check": {"method": "figure", "figure": format!("commitment:{commitment}"),
                                 "target": 850, "on": today()}}),
            )
            .await;
        assert_eq!(
            pct.json["error"]["fields"][0]["field"], "check.target",
            "{}",
            pct.json
        );
        let planned = ncs(&app, &quality, "?status=planned").await;
        assert!(planned.iter().any(|n| n["id"] == nc));

        // Progress: the actors and pilots may log it; someone else may not.
        let progress = format!("/api/v1/quality/actions/{action_id}/progress");
        let p = app
            .post(
                &progress,
                &app.advisor,
                json!({"pct": 50, "note": "Recrutement fait"}),
            )
            .await;
        assert_eq!(p.status, StatusCode::OK, "{}", p.json);
        assert_eq!(p.json["progress"], 50);
        let stranger = app.post(&progress, &other, json!({"pct": 60})).await;
        assert_eq!(stranger.status, StatusCode::FORBIDDEN);
        let over = app.post(&progress, &app.advisor, json!({"pct": 140})).await;
        assert_eq!(over.json["error"]["fields"][0]["field"], "pct");
        app.post(&progress, &manager, json!({"pct": 100})).await;

        // The check date has come: measured from the counters (100 of 103 in time), proposed C.
        detect(&app, &quality).await;
        let d = app
            .get(&format!("/api/v1/quality/nonconformities/{nc}"), &quality)
            .await;
        assert_eq!(d.json["nonconformity"]["status"], "checking", "{}", d.json);
        let a = &d.json["actions"][0];
        assert_eq!(a["measured_n"], 103);
        let v = a["measured_value"].as_f64().unwrap();
        assert!((v - 100.0 * 100.0 / 103.0).abs() < 1e-6, "{v}");
        assert_eq!(a["proposal"], "c");
        assert!(a["measured_low"].as_f64().unwrap() > 85.0);

        // Only quality or admin confirm; going against the figure needs a reason.
        let verdict = format!("/api/v1/quality/actions/{action_id}/verdict");
        let m = app.post(&verdict, &manager, json!({"verdict": "c"})).await;
        assert_eq!(m.status, StatusCode::FORBIDDEN);
        let against = app.post(&verdict, &quality, json!({"verdict": "nc"})).await;
        assert_eq!(
            against.json["error"]["fields"][0]["code"],
            "reason_required"
        );
        let c = app
            .post(
                &verdict,
                &quality,
                json!({"verdict": "c", "note": "Vérifié"}),
            )
            .await;
        assert_eq!(c.status, StatusCode::OK, "{}", c.json);
        assert_eq!(c.json["status"], "closed");
        let twice = app.post(&verdict, &quality, json!({"verdict": "c"})).await;
        assert_eq!(twice.status, StatusCode::CONFLICT);

        // The cause comes back after the C: the same non-conformity reopens.
        let now = jiff::Timestamp::now().as_millisecond();
        app.interaction(visit(now + 60_000, 25, "late-again")).await;
        detect(&app, &quality).await;
        let back = app
            .get(&format!("/api/v1/quality/nonconformities/{nc}"), &quality)
            .await;
        assert_eq!(
            back.json["nonconformity"]["status"], "reopened",
            "{}",
            back.json
        );
        assert_eq!(back.json["nonconformity"]["reopened"], 1);
        assert_eq!(back.json["nonconformity"]["occurrences"], 4);
        let kinds: Vec<&str> = back.json["history"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["kind"].as_str().unwrap())
            .collect();
        for k in [
            "detected",
            "analysed",
            "action_added",
            "progress",
            "measured",
            "verdict_c",
            "recurred",
        ] {
            assert!(kinds.contains(&k), "{k} not in {kinds:?}");
        }
        assert_eq!(ncs(&app, &quality, "?origin=crossing").await.len(), 1);
        // A new round of actions.
        let round2 = app
            .post(
                &actions,
                &manager,
                json!({"title": "Rendez-vous en ligne", "due_on": today(),
                       "check": {"method": "mystery_visit", "how": "Deux visites mystères", "on": today()}}),
            )
            .await;
        assert_eq!(round2.json["round"], 2, "{}", round2.json);

        // The PAQ, as seed 001 lays it out.
        let csv = app
            .call("GET", "/api/v1/quality/paq.csv", Some(&quality), None, &[])
            .await;
        assert_eq!(csv.status, StatusCode::OK);
        let text = csv
            .json
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| csv.json.to_string());
        assert!(text.contains("Vérification de l'efficacité"), "{text}");
        assert!(text.contains(&format!("NC-{nc}")));
        assert!(text.contains("Main-d'œuvre\u{a0}: Un seul guichet ouvert le samedi"));
    }
}

#[tokio::test]
async fn reported_by_hand_checked_by_people_and_reopened_by_nc() {
    for db in backends().await {
        let app = TestApp::new(db).await;
        let (quality, _) = user(&app.store, app.org_id, "q@example.org", "quality").await;
        let (manager, _) = user(&app.store, app.org_id, "m@example.org", "manager").await;
        let created = app
            .interaction(crate::support::email_in(
                "marie@example.org",
                "Colis abîmé",
                "Mon colis est arrivé écrasé.",
                "2026-11-20T10:00:00Z",
            ))
            .await;
        let case_id = created["case_id"].as_i64().unwrap();
        let case = app
            .get(&format!("/api/v1/cases/{case_id}"), &app.advisor)
            .await;
        let case_number = case.json["number"].as_i64().unwrap();
        let list = "/api/v1/quality/nonconformities";
        let auto = app
            .post(
                list,
                &app.advisor,
                json!({"origin": "crossing", "title": "x"}),
            )
            .await;
        assert_eq!(auto.json["error"]["fields"][0]["code"], "automatic_origin");
        let unknown = app
            .post(
                list,
                &app.advisor,
                json!({"origin": "complaint", "title": "Colis écrasé", "case_number": 999_999}),
            )
            .await;
        assert_eq!(unknown.json["error"]["fields"][0]["code"], "unknown_case");
        let opened = app
            .post(
                list,
                &app.advisor,
                json!({"origin": "complaint", "title": "Colis écrasés au tri",
                       "description": "Trois réclamations cette semaine", "case_number": case_number}),
            )
            .await;
        assert_eq!(opened.status, StatusCode::CREATED, "{}", opened.json);
        let nc = opened.json["id"].as_i64().unwrap();
        assert_eq!(opened.json["case_number"], case_number);
        assert_eq!(opened.json["status"], "open");

        // A containment action first, then a corrective one checked by an audit.
        let actions = format!("/api/v1/quality/nonconformities/{nc}/actions");
        let contain = app
            .post(&actions, &manager, json!({"kind": "containment", "title": "Contrôle des colis au départ", "due_on": today()}))
            .await;
        assert_eq!(contain.status, StatusCode::CREATED, "{}", contain.json);
        // An action left past its date is reported late, once.
        let late = app
            .post(&actions, &manager, json!({"kind": "containment", "title": "Prévenir les clients concernés", "due_on": "2026-01-15"}))
            .await;
        assert_eq!(late.status, StatusCode::CREATED, "{}", late.json);
        detect(&app, &quality).await;
        detect(&app, &quality).await;
        let d = app.get(&format!("{list}/{nc}"), &quality).await;
        let overdue = d.json["history"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["kind"] == "overdue")
            .count();
        assert_eq!(overdue, 1, "{}", d.json["history"]);
        let no_how = app
            .post(
                &actions,
                &manager,
                json!({"title": "Former l'équipe de tri", "due_on": today(),
                                            "check": {"method": "audit", "on": today()}}),
            )
            .await;
        assert_eq!(no_how.json["error"]["fields"][0]["field"], "check.how");
        let before = app
            .post(&actions, &manager, json!({"title": "Former l'équipe de tri", "due_on": today(),
                                            "check": {"method": "audit", "how": "Audit du tri", "on": "2020-01-01"}}))
            .await;
        assert_eq!(before.json["error"]["fields"][0]["code"], "before_action");
        let audit = app
            .post(&actions, &manager, json!({"title": "Former l'équipe de tri", "due_on": today(),
                                            "check": {"method": "audit", "how": "Audit du tri", "on": today()}}))
            .await;
        assert_eq!(audit.status, StatusCode::CREATED, "{}", audit.json);
        let audit_id = audit.json["id"].as_i64().unwrap();

        // The audit finds it still wrong: NC reopens the plan.
        let nc_verdict = app
            .post(
                &format!("/api/v1/quality/actions/{audit_id}/verdict"),
                &quality,
                json!({"verdict": "nc", "note": "Encore des colis abîmés"}),
            )
            .await;
        assert_eq!(nc_verdict.status, StatusCode::OK, "{}", nc_verdict.json);
        assert_eq!(nc_verdict.json["status"], "reopened");
        // Sharing waits for a conforming outcome.
        let early = app
            .post(
                &format!("{list}/{nc}/share"),
                &manager,
                json!({"body": "Bonjour"}),
            )
            .await;
        assert_eq!(early.json["error"]["code"], "not_closed");
        let second = app
            .post(&actions, &manager, json!({"title": "Changer les bacs de tri", "due_on": today(),
                                            "check": {"method": "field_check", "how": "Contrôle terrain", "on": today()}}))
            .await;
        assert_eq!(second.json["round"], 2);
        let second_id = second.json["id"].as_i64().unwrap();
        let c = app
            .post(
                &format!("/api/v1/quality/actions/{second_id}/verdict"),
                &quality,
                json!({"verdict": "c"}),
            )
            .await;
        assert_eq!(c.json["status"], "closed", "{}", c.json);

        // The outcome goes to the customer as a reply on their case.
        let shared = app
            .post(&format!("{list}/{nc}/share"), &manager,
                  json!({"body": "Bonjour, nous avons changé les bacs de tri. Merci de votre signalement."}))
            .await;
        assert_eq!(shared.status, StatusCode::OK, "{}", shared.json);
        assert!(shared.json["shared_at"].is_string());
        let case = app.get(&format!("/api/v1/cases/{case_id}"), &manager).await;
        let text = case.json.to_string();
        assert!(text.contains("changé les bacs de tri"), "{text}");

        // Dismissing is the quality manager's.
        let other = app
            .post(
                list,
                &app.advisor,
                json!({"origin": "field_report", "title": "Imprimante en panne"}),
            )
            .await;
        let other_id = other.json["id"].as_i64().unwrap();
        let m = app
            .post(
                &format!("{list}/{other_id}/dismiss"),
                &manager,
                json!({"reason": "Réparée"}),
            )
            .await;
        assert_eq!(m.status, StatusCode::FORBIDDEN);
        let q = app
            .post(
                &format!("{list}/{other_id}/dismiss"),
                &quality,
                json!({"reason": "Réparée le jour même"}),
            )
            .await;
        assert_eq!(q.json["status"], "dismissed", "{}", q.json);
        // The advisor sees what they reported, not the others' records.
        let mine = ncs(&app, &app.advisor, "?status=all").await;
        assert!(
            mine.iter().all(|n| n["created_by"] == app.advisor_id),
            "{mine:?}"
        );
        assert_eq!(mine.len(), 2);
        let settings = app.get("/api/v1/quality/settings", &app.advisor).await;
        assert_eq!(settings.status, StatusCode::FORBIDDEN);
        // Shared once, not twice.
        let twice = app
            .post(
                &format!("{list}/{nc}/share"),
                &manager,
                json!({"body": "Encore"}),
            )
            .await;
        assert_eq!(twice.json["error"]["code"], "already_shared");
        // Another organisation sees none of it.
        let stranger = app.other_org().await;
        let none = app.get(&format!("{list}/{nc}"), &stranger).await;
        assert_eq!(none.status, StatusCode::NOT_FOUND);
        assert!(ncs(&app, &stranger, "?status=all").await.is_empty());
    }
}

#[tokio::test]
async fn indicators_have_targets_and_a_review_freezes_once_every_miss_is_decided() {
    for db in backends().await {
        let app = TestApp::new(db).await;
        let (quality, _) = user(&app.store, app.org_id, "q@example.org", "quality").await;
        let (manager, _) = user(&app.store, app.org_id, "m@example.org", "manager").await;
        let denied = app.get("/api/v1/quality/indicators", &app.advisor).await;
        assert_eq!(denied.status, StatusCode::FORBIDDEN);
        let starter = app
            .post("/api/v1/quality/indicators/starter", &quality, json!({}))
            .await;
        assert!(
            starter.json["added"].as_i64().unwrap() >= 12,
            "{}",
            starter.json
        );
        let again = app
            .post("/api/v1/quality/indicators/starter", &quality, json!({}))
            .await;
        assert_eq!(again.json["added"], 0);
        let list = app.get("/api/v1/quality/indicators", &manager).await;
        let rows = list.json.as_array().unwrap();
        let pickup = rows
            .iter()
            .find(|r| r["kpi"]["code"] == "decroche")
            .unwrap();
        let id = pickup["kpi"]["id"].as_i64().unwrap();
        assert_eq!(pickup["target"]["target"], 90.0);
        // A value entered by hand for last month, in the red.
        let month = pickup["month"].as_str().unwrap().to_string();
        let bad_month = app
            .put(
                &format!("/api/v1/quality/indicators/{id}/value"),
                &manager,
                json!({"month": "2026-13", "value": 70}),
            )
            .await;
        assert_eq!(bad_month.json["error"]["fields"][0]["field"], "month");
        let v = app
            .put(
                &format!("/api/v1/quality/indicators/{id}/value"),
                &manager,
                json!({"month": month, "value": 70}),
            )
            .await;
        assert_eq!(v.status, StatusCode::NO_CONTENT);
        let computed = rows.iter().find(|r| r["kpi"]["code"] == "stock").unwrap();
        let computed_id = computed["kpi"]["id"].as_i64().unwrap();
        let refused = app
            .put(
                &format!("/api/v1/quality/indicators/{computed_id}/value"),
                &manager,
                json!({"month": month, "value": 1}),
            )
            .await;
        assert_eq!(refused.json["error"]["fields"][0]["code"], "computed");
        let wrong_side = app
            .put(
                &format!("/api/v1/quality/indicators/{id}/target"),
                &quality,
                json!({"year": 2026, "target": 90, "red_at": 95}),
            )
            .await;
        assert_eq!(wrong_side.json["error"]["fields"][0]["code"], "wrong_side");
        let list = app.get("/api/v1/quality/indicators", &manager).await;
        let row = list
            .json
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["kpi"]["id"] == id)
            .unwrap()
            .clone();
        assert_eq!(row["last_month"]["value"], 70.0);
        assert_eq!(row["last_month_rag"], "red");
        // In the red: the detection opens a non-conformity for it.
        detect(&app, &quality).await;
        assert!(
            ncs(&app, &quality, "?origin=kpi")
                .await
                .iter()
                .any(|n| n["kpi_id"] == id)
        );

        // The monthly committee on last month.
        let r = app
            .post(
                "/api/v1/quality/reviews",
                &manager,
                json!({"kind": "monthly", "period": month}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.json);
        let rid = r.json["review"]["id"].as_i64().unwrap();
        assert!(r.json["undecided"].as_array().unwrap().contains(&json!(id)));
        let early = app
            .post(
                &format!("/api/v1/quality/reviews/{rid}/freeze"),
                &quality,
                json!({}),
            )
            .await;
        assert_eq!(
            early.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            early.json
        );
        let fields = early.json["error"]["fields"].to_string();
        assert!(
            fields.contains(&format!("lines[{id}].decision")) && fields.contains("attendees"),
            "{fields}"
        );
        let plan = app
            .put(
                &format!("/api/v1/quality/reviews/{rid}/lines/{id}"),
                &manager,
                json!({"decision": "plan", "justification": "Renfort aux heures de pointe"}),
            )
            .await;
        assert_eq!(plan.status, StatusCode::OK, "{}", plan.json);
        let line = plan.json["lines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["kpi"]["id"] == id)
            .unwrap();
        assert!(line["line"]["nc_id"].is_i64());
        let bare = app
            .put(
                &format!("/api/v1/quality/reviews/{rid}/lines/{id}"),
                &manager,
                json!({"decision": "no_action"}),
            )
            .await;
        assert_eq!(bare.json["error"]["fields"][0]["field"], "justification");
        for k in plan.json["undecided"].as_array().unwrap() {
            let k = k.as_i64().unwrap();
            let d = app
                .put(&format!("/api/v1/quality/reviews/{rid}/lines/{k}"), &manager,
                     json!({"decision": "no_action", "justification": "Indicateur nouveau, pas encore suivi"}))
                .await;
            assert_eq!(d.status, StatusCode::OK, "{}", d.json);
        }
        app.put(&format!("/api/v1/quality/reviews/{rid}/notes"), &manager,
                json!({"attendees": "Directrice qualité, responsables d'agence", "minutes": "Revue du mois."}))
            .await;
        let by_manager = app
            .post(
                &format!("/api/v1/quality/reviews/{rid}/freeze"),
                &manager,
                json!({}),
            )
            .await;
        assert_eq!(by_manager.status, StatusCode::FORBIDDEN);
        let frozen = app
            .post(
                &format!("/api/v1/quality/reviews/{rid}/freeze"),
                &quality,
                json!({}),
            )
            .await;
        assert_eq!(frozen.status, StatusCode::OK, "{}", frozen.json);
        assert_eq!(frozen.json["review"]["status"], "frozen");
        // Frozen: the figures stay as they were, nothing more is decided.
        app.put(
            &format!("/api/v1/quality/indicators/{id}/value"),
            &manager,
            json!({"month": month, "value": 99}),
        )
        .await;
        let after = app
            .get(&format!("/api/v1/quality/reviews/{rid}"), &manager)
            .await;
        let line = after.json["lines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["kpi"]["id"] == id)
            .unwrap();
        assert_eq!(line["line"]["value"], 70.0);
        let late = app
            .put(
                &format!("/api/v1/quality/reviews/{rid}/lines/{id}"),
                &manager,
                json!({"decision": "no_action", "justification": "x"}),
            )
            .await;
        assert_eq!(late.status, StatusCode::CONFLICT);
        let refresh = app
            .post(
                &format!("/api/v1/quality/reviews/{rid}/refresh"),
                &manager,
                json!({}),
            )
            .await;
        assert_eq!(refresh.status, StatusCode::CONFLICT);
        let history = app
            .get(
                &format!("/api/v1/quality/indicators/{id}/history?months=3"),
                &manager,
            )
            .await;
        assert_eq!(
            history.json["months"].as_array().unwrap().len(),
            3,
            "{}",
            history.json
        );
    }
}

#[tokio::test]
async fn a_verdict_only_where_the_data_supports_it() {
    for db in backends().await {
        let app = TestApp::new(db).await;
        site(&app).await;
        let id = in_force(&app, counter_commitment(None)).await;
        // Last month: 15 of 16 in time — 94 %, but the interval reaches down to 72 %.
        for i in 0..16 {
            let wait = if i == 0 { 8 } else { 2 };
            app.interaction(visit(last_month(i * 10), wait, &format!("v-{i}")))
                .await;
        }
        // This month, so far: all in time.
        let now = jiff::Timestamp::now().as_millisecond();
        app.interaction(visit(now - 60_000, 2, "now-1")).await;
        let r = app.get("/api/v1/charter/results", &app.admin).await;
        let results = r
            .json
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["commitment"]["id"] == id)
            .unwrap();
        let periods = results["results"].as_array().unwrap();
        let current = periods.last().unwrap();
        assert_eq!(current["status"], "in_progress", "{current}");
        let last = &periods[periods.len() - 2];
        assert_eq!(last["all"]["total"], 16);
        assert_eq!(last["status"], "too_early", "{last}");
        let lo = last["interval_pct"][0].as_f64().unwrap();
        assert!((70.0..75.0).contains(&lo), "{lo}");
        // The public page says it plainly.
        let public = app
            .call("GET", "/o/acme/engagements.json", None, None, &[])
            .await;
        assert_eq!(public.status, StatusCode::OK);
        let item = &public.json["commitments"][0];
        assert_eq!(item["last_period"]["status"], "too_early", "{item}");
        assert_eq!(item["last_period"]["verdict"], "Trop tôt pour conclure");
        assert!(
            item["last_period"]["margin"]
                .as_str()
                .unwrap()
                .contains("71"),
            "{item}"
        );
        assert_eq!(item["current_period"]["status"], "in_progress");
        // An indicator reading the same figure says so too, instead of a colour.
        let starter = app
            .post("/api/v1/quality/indicators/starter", &app.admin, json!({}))
            .await;
        assert!(starter.json["added"].as_i64().unwrap() > 0);
        let kpis = app.get("/api/v1/quality/indicators", &app.admin).await;
        let row = kpis
            .json
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["kpi"]["figure"] == format!("commitment:{id}"))
            .unwrap();
        assert_eq!(row["last_month_rag"], "too_early", "{row}");
    }
}

#[tokio::test]
async fn a_falling_nps_on_a_site_opens_a_non_conformity_and_noise_does_not() {
    for db in backends().await {
        let app = TestApp::new(db).await;
        site(&app).await;
        let (quality, _) = user(&app.store, app.org_id, "q@example.org", "quality").await;
        let surveys = app.get("/api/v1/surveys", &app.admin).await;
        let nps = surveys
            .json
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["kind"] == "nps")
            .unwrap()["id"]
            .as_i64()
            .unwrap();
        let answer = |months_back: i64, i: i64, score: i64| {
            let at = last_month(i * 30) - (months_back - 1) * 31 * 86_400_000;
            json!({"external_id": format!("a-{months_back}-{i}"), "answered_at": iso(at),
                   "score": score.to_string(), "site": "lyon"})
        };
        // Three good months, then a bad one on the same site.
        for back in 2..=4 {
            for i in 0..20 {
                let r = app
                    .post(
                        &format!("/api/v1/surveys/{nps}/responses"),
                        &app.admin,
                        answer(back, i, 9 + i % 2),
                    )
                    .await;
                assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
            }
        }
        // A handful of bad answers is noise: nothing opens.
        for i in 0..5 {
            app.post(
                &format!("/api/v1/surveys/{nps}/responses"),
                &app.admin,
                answer(1, i, 2),
            )
            .await;
        }
        detect(&app, &quality).await;
        assert!(ncs(&app, &quality, "?origin=voice_trend").await.is_empty());
        for i in 5..40 {
            app.post(
                &format!("/api/v1/surveys/{nps}/responses"),
                &app.admin,
                answer(1, i, i % 5),
            )
            .await;
        }
        detect(&app, &quality).await;
        let found = ncs(&app, &quality, "?origin=voice_trend").await;
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0]["title"].as_str().unwrap().contains("Agence Lyon"));
        let d = app
            .get(
                &format!("/api/v1/quality/nonconformities/{}", found[0]["id"]),
                &quality,
            )
            .await;
        let e = &d.json["evidence"][0]["detail"];
        assert_eq!(e["n"], 40);
        assert!(
            e["value"].as_f64().unwrap() < -90.0 && e["before"].as_f64().unwrap() > 90.0,
            "{e}"
        );
    }
}

#[tokio::test]
async fn late_actions_are_mailed_to_their_pilot_and_escalated_to_quality_once_a_day() {
    let Some(s) = crate::email_test::servers() else {
        eprintln!("PACTE_TEST_SMTP not set: skipped");
        return;
    };
    use pacte::service::quality::digest;
    for db in backends().await {
        let app = TestApp::new(db).await;
        let tag = uuid::Uuid::now_v7().simple().to_string();
        let r = app
            .post(
                "/api/v1/mailboxes",
                &app.admin,
                json!({"address": format!("qualite-{tag}@acme.fr"),
                "smtp_host": s.smtp.0, "smtp_port": s.smtp.1, "smtp_security": "none"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
        let quality_mail = format!("q-{tag}@acme.fr");
        let manager_mail = format!("m-{tag}@acme.fr");
        user(&app.store, app.org_id, &quality_mail, "quality").await;
        let (manager, _) = user(&app.store, app.org_id, &manager_mail, "manager").await;
        let opened = app
            .post(
                "/api/v1/quality/nonconformities",
                &manager,
                json!({"origin": "field_report", "title": "Files d'attente au guichet"}),
            )
            .await;
        assert_eq!(opened.status, StatusCode::CREATED, "{}", opened.json);
        let nc = opened.json["id"].as_i64().unwrap();
        let actions = format!("/api/v1/quality/nonconformities/{nc}/actions");
        for (title, due) in [
            ("Ouvrir un deuxième guichet le samedi", "2026-01-15"),
            ("Revoir le planning de l'été", "2031-06-01"),
        ] {
            let a = app
                .post(
                    &actions,
                    &manager,
                    json!({"kind": "containment", "title": title, "due_on": due}),
                )
                .await;
            assert_eq!(a.status, StatusCode::CREATED, "{}", a.json);
        }
        let at = |h: i8| jiff::Zoned::now().with().hour(h).minute(0).build().unwrap();
        let base = "https://pacte.test";
        assert_eq!(
            digest::send_at(&app.store, base, &at(5)).await.unwrap(),
            0,
            "nothing before the morning"
        );
        // The pilot for their late action; quality for the escalation. Nobody else.
        assert_eq!(digest::send_at(&app.store, base, &at(8)).await.unwrap(), 2);
        assert_eq!(
            digest::send_at(&app.store, base, &at(9)).await.unwrap(),
            0,
            "once a day"
        );
        pacte::service::email::outbound::send_due(&app.store, app.state.config.egress())
            .await
            .unwrap();
        let body = |to: &str| -> Vec<String> {
            crate::email_test::sent_to(&s, to)
                .iter()
                .filter_map(|m| {
                    mail_parser::MessageParser::default()
                        .parse(m.as_bytes())
                        .and_then(|p| p.body_text(0).map(|b| b.into_owned()))
                })
                .collect()
        };
        let to_manager = body(&manager_mail);
        assert_eq!(to_manager.len(), 1, "{to_manager:?}");
        let m = &to_manager[0];
        assert!(m.contains("Vos actions en retard"), "{m}");
        assert!(m.contains("Ouvrir un deuxième guichet le samedi"), "{m}");
        assert!(m.contains("échéance le 15/01/2026 (en retard de"), "{m}");
        assert!(!m.contains("planning de l'été"), "not due for years: {m}");
        assert!(m.contains(&format!("{base}/quality/nc/{nc}")), "{m}");
        let to_quality = body(&quality_mail);
        assert_eq!(to_quality.len(), 1, "{to_quality:?}");
        assert!(
            to_quality[0].contains("Actions en retard dans l’organisation")
                && to_quality[0].contains("Ouvrir un deuxième guichet"),
            "{}",
            to_quality[0]
        );
        let mut c = app.store.reader().await.unwrap();
        let rows = pacte::store::quality::digests(&mut c, app.org_id, 10)
            .await
            .unwrap();
        assert_eq!(rows.len(), 2, "{rows:?}");
        assert!(rows.iter().all(|r| r.3), "both mailed: {rows:?}");
    }
}
