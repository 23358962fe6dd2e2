//! Personal data under control, through the API on both backends: every table is in the map
//! (or said to hold none), a customer's export holds everything including raw mail and files,
//! erasure anonymises all of it — search included — irreversibly and on confirmation, and
//! requests are tracked against their one-month deadline.

use crate::support::{TestApp, backends};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use pacte::store::privacy::{NOT_PERSONAL, PLACES};
use serde_json::{Value, json};
use std::time::Duration;

#[tokio::test]
async fn every_table_is_in_the_personal_data_map_or_said_to_hold_none() {
    for db in backends().await {
        let app = TestApp::new(db).await;
        let mut c = app.store.reader().await.unwrap();
        let tables = pacte::store::privacy::tables(&mut c, app.db.backend == "postgres")
            .await
            .unwrap();
        assert!(tables.len() > 40, "{tables:?}");
        for t in &tables {
            let mapped = PLACES.iter().any(|p| p.table == t);
            let apart = NOT_PERSONAL.iter().any(|(n, _)| n == t);
            assert!(
                mapped ^ apart,
                "{}: table «{t}» must be in store::privacy::PLACES (it holds customer data) or \
                 NOT_PERSONAL (with the reason), once",
                app.db.backend
            );
        }
    }
}

async fn search_total(app: &TestApp, q: &str) -> i64 {
    for _ in 0..200 {
        let r = app
            .get(&format!("/api/v1/search?q={q}"), &app.advisor)
            .await;
        if r.json["pending"] == 0 {
            return r.json["total"].as_i64().unwrap();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the index did not catch up");
}

#[tokio::test]
async fn a_customer_is_exported_whole_then_erased_for_good() {
    for db in backends().await {
        let app = TestApp::new(db).await;
        let b = app.db.backend;
        let r = app
            .post(
                "/api/v1/mailboxes",
                &app.admin,
                json!({"address": "contact@acme.fr"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
        let raw = "From: =?UTF-8?Q?Zo=C3=A9_Bernardin?= <zoe.bernardin@example.fr>\r\nTo: contact@acme.fr\r\n\
Subject: Facture contestée\r\nMessage-ID: <p1@example.fr>\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"k\"\r\n\r\n--k\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
Mon adresse est 12 rue des Lilas, Quimper.\r\n--k\r\nContent-Type: application/pdf; name=\"facture.pdf\"\r\n\
Content-Disposition: attachment; filename=\"facture.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--k--\r\n";
        let r = app
            .send(
                Request::builder()
                    .method("POST")
                    .uri("/api/v1/inbound/email")
                    .header("authorization", format!("Bearer {}", app.admin))
                    .header("content-type", "message/rfc822")
                    .body(Body::from(raw))
                    .unwrap(),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{b}: {}", r.json);
        let case_id = r.json["case_id"].as_i64().unwrap();
        let phone = app
            .interaction(json!({"channel": "phone", "direction": "inbound",
                "customer": {"email": "zoe.bernardin@example.fr", "phone": "06 12 34 56 78", "customer_number": "ZB-1"},
                "body": "Rappel au sujet de la facture de Zoé", "case_id": case_id}))
            .await;
        let customer = phone["customer_id"].as_i64().unwrap();
        assert_eq!(
            search_total(&app, "Bernardin").await,
            2,
            "{b}: her record and her case"
        );
        // An answer with its "why?", and a visit at the counter with the agent's note.
        let surveys = app.get("/api/v1/surveys", &app.admin).await.json;
        let nps = surveys
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["kind"] == "nps")
            .unwrap()["id"]
            .as_i64()
            .unwrap();
        let r = app
            .post(
                &format!("/api/v1/surveys/{nps}/responses"),
                &app.admin,
                json!({"score": "3", "comment": "Le livreur a laissé le colis chez la voisine",
                       "email": "zoe.bernardin@example.fr", "external_id": "ans-1"}),
            )
            .await;
        assert!(r.status.is_success(), "{b}: {}", r.json);
        let r = app
            .post(
                "/api/v1/sites",
                &app.admin,
                json!({"code": "lyon", "name": "Agence de Lyon", "kind": "agency"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{b}: {}", r.json);
        let r = app
            .post(
                "/api/v1/counter-services",
                &app.admin,
                json!({"code": "C", "name_fr": "Colis", "name_en": "Parcels"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{b}: {}", r.json);
        let service = r.json["id"].as_i64().unwrap();
        app.post(
            "/api/v1/sites/lyon/tickets",
            &app.advisor,
            json!({"service_id": service}),
        )
        .await;
        let called = app
            .post(
                "/api/v1/sites/lyon/calls",
                &app.advisor,
                json!({"desk": "G1"}),
            )
            .await;
        let r = app
            .post(
                &format!("/api/v1/tickets/{}/end", called.json["id"]),
                &app.advisor,
                json!({"served": true, "customer_number": "ZB-1", "note": "Mme Bernardin, colis abîmé"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{b}: {}", r.json);

        // A request, due in a month.
        let r = app
            .post(
                &format!("/api/v1/customers/{customer}/privacy-requests"),
                &app.admin,
                json!({"kind": "access"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{b}: {}", r.json);
        assert_eq!(r.json["late"], false);

        // Only administrators export or erase.
        let r = app
            .get(
                &format!("/api/v1/customers/{customer}/export"),
                &app.advisor,
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = app
            .get(&format!("/api/v1/customers/{customer}/export"), &app.admin)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{b}: {}", r.json);
        assert!(
            r.headers["content-disposition"]
                .to_str()
                .unwrap()
                .contains(&format!("client-{customer}.json"))
        );
        let export = r.json;
        let text = export.to_string();
        for held in [
            "zoe.bernardin@example.fr",
            "+33612345678",
            "12 rue des Lilas",
            "Rappel au sujet de la facture",
            "Facture contestée",
        ] {
            assert!(text.contains(held), "{b}: {held} missing from the export");
        }
        let files = export["files"].as_array().unwrap();
        let pdf = files.iter().find(|f| f["name"] == "facture.pdf").unwrap();
        assert_eq!(pdf["base64"], "JVBERi0xLjQK");
        assert!(files.iter().any(|f| f["kind"] == "raw_email"));
        assert!(export["kept_on_erasure"]["compensation"].is_string());
        let requests = app.get("/api/v1/privacy-requests", &app.admin).await.json;
        assert!(
            requests[0]["done_at"].is_string(),
            "{b}: answered by the export: {requests}"
        );

        // Erasure needs the id repeated.
        let r = app
            .post(
                &format!("/api/v1/customers/{customer}/erase"),
                &app.admin,
                json!({"confirm": customer + 1}),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{b}: {}",
            r.json
        );
        let attachment = app
            .get(&format!("/api/v1/cases/{case_id}/emails"), &app.admin)
            .await
            .json[0]["attachments"][0]["id"]
            .as_i64()
            .unwrap();
        let r = app
            .post(
                &format!("/api/v1/customers/{customer}/erase"),
                &app.admin,
                json!({"confirm": customer}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{b}: {}", r.json);
        assert!(r.json["rows"]["customer_identity"].as_u64().unwrap() >= 2);
        assert!(r.json["rows"]["blob"].as_u64().unwrap() >= 1, "{}", r.json);

        // Nothing personal left: not in the 360, the export, the mail, the files, the search.
        let after = app
            .get(&format!("/api/v1/customers/{customer}/export"), &app.admin)
            .await
            .json;
        let text = after.to_string();
        for gone in [
            "zoe",
            "Zoé",
            "Bernardin",
            "voisine",
            "ZB-1",
            "+33612345678",
            "Lilas",
            "Rappel au sujet",
            "Facture contestée",
            "facture.pdf",
        ] {
            assert!(
                !text.contains(gone),
                "{b}: «{gone}» survived erasure: {text}"
            );
        }
        assert_eq!(after["files"], json!([]), "{b}");
        let v = app
            .get(&format!("/api/v1/customers/{customer}"), &app.admin)
            .await
            .json;
        assert!(
            v["erased_at"].is_string() || v["erased_at"].is_number(),
            "{v}"
        );
        assert_eq!(v["identities"], json!([]));
        let r = app
            .get(&format!("/api/v1/attachments/{attachment}"), &app.admin)
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{b}");
        assert_eq!(search_total(&app, "Bernardin").await, 0, "{b}");
        assert_eq!(search_total(&app, "Lilas").await, 0, "{b}");

        // The same person writing again is a new customer: nobody recognises her.
        let again = app
            .interaction(json!({"channel": "email", "direction": "inbound",
                "customer": {"email": "zoe.bernardin@example.fr"}, "body": "Bonjour"}))
            .await;
        assert_ne!(again["customer_id"].as_i64().unwrap(), customer, "{b}");
        let audit: Vec<(String,)> = sqlx::query_as(
            "SELECT action FROM audit_log WHERE action LIKE 'customer_%' ORDER BY id",
        )
        .fetch_all(&mut *app.store.reader().await.unwrap())
        .await
        .unwrap();
        let actions: Vec<&str> = audit.iter().map(|a| a.0.as_str()).collect();
        assert_eq!(
            actions,
            ["customer_exported", "customer_erased", "customer_exported"],
            "{b}"
        );
    }
}

#[tokio::test]
async fn a_late_request_says_so() {
    let db = backends().await.remove(0);
    let app = TestApp::new(db).await;
    let c = app
        .interaction(json!({"channel": "phone", "direction": "inbound",
            "customer": {"phone": "0612345678"}, "body": "x"}))
        .await["customer_id"]
        .as_i64()
        .unwrap();
    let r = app
        .post(
            &format!("/api/v1/customers/{c}/privacy-requests"),
            &app.admin,
            json!({"kind": "erasure", "received_at": "2026-01-05T09:00:00Z"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    assert_eq!(r.json["due_at"], "2026-02-04T09:00:00Z");
    assert_eq!(r.json["late"], true);
    let r = app
        .post(
            &format!("/api/v1/customers/{c}/privacy-requests"),
            &app.admin,
            json!({"kind": "gossip"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let list: Value = app.get("/api/v1/privacy-requests", &app.admin).await.json;
    assert_eq!(list.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn reads_of_a_customer_s_data_are_logged_in_a_chain_that_shows_tampering() {
    for db in backends().await {
        let app = TestApp::new(db).await;
        let b = app.db.backend;
        let r = app
            .interaction(json!({"channel": "email", "direction": "inbound",
                "customer": {"email": "ines@example.fr"}, "subject": "Question", "body": "x"}))
            .await;
        let (customer, case) = (
            r["customer_id"].as_i64().unwrap(),
            r["case_id"].as_i64().unwrap(),
        );
        app.get(&format!("/api/v1/customers/{customer}"), &app.advisor)
            .await;
        app.get(&format!("/api/v1/cases/{case}"), &app.advisor)
            .await;
        app.get(&format!("/api/v1/customers/{customer}/export"), &app.admin)
            .await;
        app.state.reads.flush().await;
        let reads = app
            .get(
                &format!("/api/v1/audit/reads?customer_id={customer}"),
                &app.admin,
            )
            .await;
        assert_eq!(reads.status, StatusCode::OK, "{b}: {}", reads.json);
        let what: Vec<&str> = reads
            .json
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["what"].as_str().unwrap())
            .collect();
        assert_eq!(what, ["export", "case", "customer"], "{b}: newest first");
        assert_eq!(reads.json[2]["user_id"], app.advisor_id);
        // Only administrators see it.
        let r = app.get("/api/v1/audit/reads", &app.advisor).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let by_user = app
            .get(
                &format!("/api/v1/audit/reads?user_id={}", app.advisor_id),
                &app.admin,
            )
            .await
            .json;
        assert_eq!(by_user.as_array().unwrap().len(), 2, "{b}: {by_user}");
        let v = app.get("/api/v1/audit/reads/verify", &app.admin).await.json;
        assert_eq!(
            v,
            json!({"entries": 3, "intact": true, "broken_at": null}),
            "{b}"
        );

        // Someone edits the log in the database: the chain says where.
        let first = reads.json[2]["id"].as_i64().unwrap();
        let mut c = app.store.reader().await.unwrap();
        sqlx::query("UPDATE read_log SET user_id = $1 WHERE id = $2")
            .bind(
                pacte::store::org::user_by_email_key(&mut c, "admin@acme.fr")
                    .await
                    .unwrap()
                    .unwrap()
                    .id,
            )
            .bind(first)
            .execute(&mut *c)
            .await
            .unwrap();
        let v = app.get("/api/v1/audit/reads/verify", &app.admin).await.json;
        assert_eq!(v["intact"], false, "{b}: {v}");
        assert_eq!(v["broken_at"], first, "{b}");
        // A cut tail shows too.
        sqlx::query("UPDATE read_log SET user_id = $1 WHERE id = $2")
            .bind(app.advisor_id)
            .bind(first)
            .execute(&mut *c)
            .await
            .unwrap();
        let last = reads.json[0]["id"].as_i64().unwrap();
        sqlx::query("DELETE FROM read_log WHERE id = $1")
            .bind(last)
            .execute(&mut *c)
            .await
            .unwrap();
        let v = app.get("/api/v1/audit/reads/verify", &app.admin).await.json;
        assert_eq!(v["intact"], false, "{b}: {v}");
    }
}

#[tokio::test]
async fn the_read_log_page_lists_filters_and_exports() {
    let db = backends().await.remove(0);
    let app = TestApp::new(db).await;
    let r = app
        .interaction(json!({"channel": "phone", "direction": "inbound",
            "customer": {"phone": "0611111111"}, "body": "x"}))
        .await;
    let customer = r["customer_id"].as_i64().unwrap();
    let cookie = app.sign_in("admin@acme.fr", "correct horse").await.unwrap();
    app.send(crate::support::page(
        &format!("/customers/{customer}"),
        &cookie,
    ))
    .await;
    app.state.reads.flush().await;
    let page = crate::support::html(
        &app.send(crate::support::page(
            &format!("/admin/audit?customer_id={customer}&verify=1"),
            &cookie,
        ))
        .await,
    );
    assert!(
        page.contains("Chaîne intègre : 1 entrée vérifiée."),
        "{page}"
    );
    assert!(
        page.contains(&format!("Fiche client n° {customer}")),
        "{page}"
    );
    let csv = app
        .send(crate::support::page("/admin/audit.csv", &cookie))
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    let text = csv.json.as_str().unwrap().to_string();
    assert!(
        text.starts_with("id,at,user_id,user,what,ref_id,customer_id,hash\n"),
        "{text}"
    );
    assert_eq!(text.lines().count(), 2, "{text}");
}

#[tokio::test]
async fn retention_rules_say_what_would_go_then_remove_it() {
    for db in backends().await {
        let app = TestApp::new(db).await;
        let b = app.db.backend;
        // An old contact, solved long ago, and a recent one.
        let old = app
            .interaction(json!({"channel": "phone", "direction": "inbound", "occurred_at": "2020-01-06T09:00:00Z",
                "customer": {"phone": "0611111111", "name": "Ancien Client"}, "subject": "Vieux sujet",
                "body": "Texte ancien"}))
            .await;
        let r = app
            .patch(
                &format!("/api/v1/cases/{}", old["case_id"]),
                &app.advisor,
                json!({"status": "solved"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{b}: {}", r.json);
        let recent = app
            .interaction(json!({"channel": "phone", "direction": "inbound",
                "customer": {"phone": "0622222222", "name": "Client Récent"}, "body": "Texte récent"}))
            .await;
        app.get(
            &format!("/api/v1/customers/{}", recent["customer_id"]),
            &app.admin,
        )
        .await;
        app.state.reads.flush().await;

        let r = app
            .put(
                "/api/v1/retention",
                &app.admin,
                json!([{"kind": "inactive_customer", "months": 36}, {"kind": "read_log", "months": 12},
                       {"kind": "nonsense", "months": 0}]),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{b}: {}",
            r.json
        );
        assert_eq!(r.json["error"]["fields"].as_array().unwrap().len(), 2);
        let r = app
            .put(
                "/api/v1/retention",
                &app.admin,
                json!([{"kind": "inactive_customer", "months": 36}, {"kind": "read_log", "months": 12}]),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{b}: {}", r.json);
        let rule = |v: &Value, k: &str| {
            v["rules"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["kind"] == k)
                .unwrap()
                .clone()
        };
        // The dry run: the customer of 2020 would go; the fresh read would stay.
        assert_eq!(
            rule(&r.json, "inactive_customer")["would_go"],
            1,
            "{b}: {}",
            r.json
        );
        assert_eq!(rule(&r.json, "read_log")["would_go"], 0);
        assert_eq!(rule(&r.json, "raw_email")["months"], Value::Null);
        let r = app.get("/api/v1/retention", &app.advisor).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);

        let run = app
            .post("/api/v1/retention/run", &app.admin, json!({}))
            .await;
        assert_eq!(run.status, StatusCode::OK, "{b}: {}", run.json);
        assert_eq!(run.json["inactive_customer"], 1, "{b}: {}", run.json);
        let gone = app
            .get(
                &format!("/api/v1/customers/{}", old["customer_id"]),
                &app.admin,
            )
            .await
            .json;
        assert!(
            !gone.to_string().contains("Ancien") && !gone.to_string().contains("Texte ancien"),
            "{b}: {gone}"
        );
        let kept = app
            .get(
                &format!("/api/v1/customers/{}", recent["customer_id"]),
                &app.admin,
            )
            .await
            .json;
        assert!(kept.to_string().contains("Client Récent"));
        let after = app.get("/api/v1/retention", &app.admin).await.json;
        assert_eq!(rule(&after, "inactive_customer")["would_go"], 0, "{b}");
        assert_eq!(after["last_run"]["inactive_customer"], 1);
        // The read log, pruned, still verifies.
        app.state.reads.flush().await;
        let mut tx = app.store.begin().await.unwrap();
        pacte::store::reads::prune_before(&mut tx, app.org_id, pacte::service::now_ms() + 1)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        app.get(
            &format!("/api/v1/customers/{}", recent["customer_id"]),
            &app.admin,
        )
        .await;
        app.state.reads.flush().await;
        let v = app.get("/api/v1/audit/reads/verify", &app.admin).await.json;
        assert_eq!(v["intact"], true, "{b}: {v}");
        assert_eq!(v["entries"], 1, "{b}: {v}");
    }
}

#[tokio::test]
async fn retention_is_set_and_applied_from_its_page() {
    let db = backends().await.remove(0);
    let app = TestApp::new(db).await;
    let cookie = app.sign_in("admin@acme.fr", "correct horse").await.unwrap();
    let html = crate::support::html(
        &app.send(crate::support::page("/admin/retention", &cookie))
            .await,
    );
    assert!(
        html.contains("Clients sans contact (effacés)")
            && html.contains("Aucun passage pour l’instant."),
        "{html}"
    );
    let csrf = crate::support::csrf_of(&html);
    let r = app
        .send(crate::support::form(
            "/admin/retention",
            Some(&cookie),
            &format!("csrf={csrf}&staff_log=12&read_log=&case_text=abc"),
        ))
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a month count that is no number is refused"
    );
    let r = app
        .send(crate::support::form(
            "/admin/retention",
            Some(&cookie),
            &format!("csrf={csrf}&staff_log=12"),
        ))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = app
        .send(crate::support::form(
            "/admin/retention/run",
            Some(&cookie),
            &format!("csrf={csrf}"),
        ))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let html = crate::support::html(
        &app.send(crate::support::page(
            "/admin/retention?done=retention_run",
            &cookie,
        ))
        .await,
    );
    assert!(
        html.contains("Règles appliquées.")
            && html.contains("Journal des actions du personnel : 0"),
        "{html}"
    );
    assert!(html.contains(r#"name="staff_log" type="number" min="1" max="1200" value="12""#));
}
