//! The HTTP API through the real router, on every backend.

use crate::support::{TestApp, backends, email_in};
use axum::http::StatusCode;
use serde_json::json;

#[tokio::test]
async fn one_customer_across_channels() {
    for db in backends().await {
        let app = TestApp::new(db).await;
        let first = app
            .interaction(email_in(
                "Marie.Dupont@exemple.fr",
                "Colis non reçu",
                "Où est mon colis ?",
                "2026-10-01T09:00:00Z",
            ))
            .await;
        // Phone call: phone and email given together → the phone is attached to the same customer.
        let call = app
            .interaction(json!({"channel": "phone", "direction": "inbound", "occurred_at": "2026-10-01T10:00:00Z",
                "customer": {"email": "marie.dupont@exemple.fr", "phone": "06 12 34 56 78"}, "subject": "Facture", "body": "Appel au sujet de la facture",
                "queued_at": "2026-10-01T09:57:00Z", "answered_at": "2026-10-01T10:00:00Z"}))
            .await;
        assert_eq!(
            call["customer_id"], first["customer_id"],
            "{}",
            app.db.backend
        );
        // Chat recognised by the phone alone.
        let chat = app
            .interaction(json!({"channel": "chat", "direction": "inbound", "customer": {"phone": "+33612345678"}, "subject": "Question", "body": "Bonjour"}))
            .await;
        assert_eq!(chat["customer_id"], first["customer_id"]);
        let id = first["customer_id"].as_i64().unwrap();
        let v = app
            .get(&format!("/api/v1/customers/{id}"), &app.advisor)
            .await;
        assert_eq!(v.status, StatusCode::OK);
        let channels: std::collections::BTreeSet<&str> = v.json["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["channel"].as_str().unwrap())
            .collect();
        assert_eq!(
            channels.into_iter().collect::<Vec<_>>(),
            ["chat", "email", "phone"]
        );
        let kinds: Vec<&str> = v.json["identities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["kind"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, ["email", "phone"]);
        assert_eq!(
            v.json["cases"].as_array().unwrap().len(),
            3,
            "three needs, three cases"
        );
        // Search by identity finds them.
        let s = app
            .get("/api/v1/customers?phone=0612345678", &app.advisor)
            .await;
        assert_eq!(s.json["items"][0]["id"], id);
        let s = app.get("/api/v1/customers?name=marie", &app.advisor).await;
        assert_eq!(s.json["items"][0]["id"], id);
    }
}

#[tokio::test]
async fn case_lifecycle_reopen_and_once_and_done() {
    for db in backends().await {
        let app = TestApp::new(db).await;
        let a = app
            .interaction(email_in(
                "paul@exemple.fr",
                "Carte bloquée",
                "Ma carte est bloquée",
                "2026-01-05T09:00:00Z",
            ))
            .await;
        let case = a["case_id"].as_i64().unwrap();
        // Same need, other wording of the subject: same case.
        let b = app
            .interaction(email_in(
                "paul@exemple.fr",
                "RE: Carte bloquée",
                "Toujours bloquée",
                "2026-01-05T10:00:00Z",
            ))
            .await;
        assert_eq!(b["case_id"], case);
        let r = app
            .post(
                &format!("/api/v1/cases/{case}/replies"),
                &app.advisor,
                json!({"body": "Carte débloquée.", "status": "solved"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
        let c = app
            .get(&format!("/api/v1/cases/{case}"), &app.advisor)
            .await
            .json;
        assert_eq!(c["status"], "solved");
        assert_eq!(
            c["assignee_id"], app.advisor_id,
            "the advisor who answers takes the case"
        );
        assert_eq!(c["once_and_done"], "no", "two inbound contacts");
        assert!(c["first_response_at"].is_string());
        // The customer writes again on the same need: the case reopens.
        let later = pacte::service::iso(pacte::service::now_ms() + 1000);
        app.interaction(email_in(
            "paul@exemple.fr",
            "Re: Carte bloquée",
            "Encore bloquée !",
            &later,
        ))
        .await;
        let c = app
            .get(&format!("/api/v1/cases/{case}"), &app.advisor)
            .await
            .json;
        assert_eq!(c["status"], "open");
        assert_eq!(c["reopen_count"], 1);
        assert!(
            c["events"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["kind"] == "reopened")
        );

        // A single contact solved long ago with no further contact: once & done.
        let d = app
            .interaction(email_in(
                "lea@exemple.fr",
                "Rendez-vous",
                "Un rendez-vous svp",
                "2026-01-05T09:00:00Z",
            ))
            .await;
        let dc = d["case_id"].as_i64().unwrap();
        let p = app
            .call(
                "PATCH",
                &format!("/api/v1/cases/{dc}"),
                Some(&app.advisor),
                Some(json!({"status": "solved", "priority": "high"})),
                &[],
            )
            .await;
        assert_eq!(p.status, StatusCode::OK, "{}", p.json);
        assert_eq!(
            p.json["once_and_done"], "provisional",
            "solved now: the 7-day window runs"
        );
        assert_eq!(p.json["priority"], "high");
        // Pending pauses, and a customer reply resumes.
        let e = app
            .interaction(email_in(
                "zoe@exemple.fr",
                "Justificatif",
                "Voici",
                "2026-11-01T09:00:00Z",
            ))
            .await;
        let ec = e["case_id"].as_i64().unwrap();
        app.call(
            "PATCH",
            &format!("/api/v1/cases/{ec}"),
            Some(&app.advisor),
            Some(json!({"status": "pending"})),
            &[],
        )
        .await;
        app.interaction(email_in(
            "zoe@exemple.fr",
            "Re: Justificatif",
            "Le voici",
            &pacte::service::iso(pacte::service::now_ms()),
        ))
        .await;
        let c = app
            .get(&format!("/api/v1/cases/{ec}"), &app.advisor)
            .await
            .json;
        assert_eq!(c["status"], "open");
        // Invalid patch names the field.
        let bad = app
            .call(
                "PATCH",
                &format!("/api/v1/cases/{ec}"),
                Some(&app.advisor),
                Some(json!({"status": "archived"})),
                &[],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(bad.json["error"]["fields"][0]["field"], "status");
    }
}

#[tokio::test]
async fn idempotency_key_writes_once() {
    for db in backends().await {
        let app = TestApp::new(db).await;
        let body = email_in(
            "jean@exemple.fr",
            "Facture",
            "Erreur de facture",
            "2026-11-01T09:00:00Z",
        );
        let h = [("idempotency-key", "k-1")];
        let a = app
            .call(
                "POST",
                "/api/v1/interactions",
                Some(&app.advisor),
                Some(body.clone()),
                &h,
            )
            .await;
        let b = app
            .call(
                "POST",
                "/api/v1/interactions",
                Some(&app.advisor),
                Some(body.clone()),
                &h,
            )
            .await;
        assert_eq!(a.status, StatusCode::CREATED);
        assert_eq!(a.json, b.json);
        let other = email_in(
            "jean@exemple.fr",
            "Facture",
            "Autre texte",
            "2026-11-01T09:00:00Z",
        );
        let c = app
            .call(
                "POST",
                "/api/v1/interactions",
                Some(&app.advisor),
                Some(other),
                &h,
            )
            .await;
        assert_eq!(c.status, StatusCode::CONFLICT);
        assert_eq!(c.json["error"]["code"], "idempotency_key_reused");
        // Concurrent retries with one key: one write.
        let body = email_in("anne@exemple.fr", "Colis", "Perdu", "2026-11-02T09:00:00Z");
        let calls = (0..8).map(|_| {
            app.call(
                "POST",
                "/api/v1/interactions",
                Some(&app.advisor),
                Some(body.clone()),
                &[("idempotency-key", "k-2")],
            )
        });
        let results = futures_join(calls).await;
        let ids: std::collections::BTreeSet<String> = results
            .iter()
            .map(|r| r.json["interaction_id"].to_string())
            .collect();
        assert_eq!(
            ids.len(),
            1,
            "{:?}",
            results.iter().map(|r| &r.json).collect::<Vec<_>>()
        );
        assert!(results.iter().all(|r| r.status == StatusCode::CREATED));
        let cases = app.get("/api/v1/cases?limit=200", &app.advisor).await.json;
        assert_eq!(
            cases["items"].as_array().unwrap().len(),
            2,
            "two cases, no duplicate"
        );
        // external_id also deduplicates.
        let mut e = email_in("anne@exemple.fr", "Autre", "x", "2026-11-03T09:00:00Z");
        e["external_id"] = json!("crm-42");
        let x = app.interaction(e.clone()).await;
        let y = app.interaction(e).await;
        assert_eq!(x, y);
    }
}

async fn futures_join<F: std::future::Future>(fs: impl Iterator<Item = F>) -> Vec<F::Output> {
    let handles: Vec<_> = fs.collect();
    let mut out = Vec::new();
    // Polled together on one task so the requests interleave.
    let mut pinned: Vec<std::pin::Pin<Box<F>>> = handles.into_iter().map(Box::pin).collect();
    let mut results: Vec<Option<F::Output>> = pinned.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (i, f) in pinned.iter_mut().enumerate() {
            if results[i].is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => results[i] = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    out.extend(results.into_iter().map(|r| r.expect("done")));
    out
}

#[tokio::test]
async fn bad_input_gets_one_envelope_and_writes_nothing() {
    for db in backends().await {
        let app = TestApp::with_limit(db, 4096).await;
        let raw = |body: &str| {
            axum::http::Request::builder()
                .method("POST")
                .uri("/api/v1/interactions")
                .header("authorization", format!("Bearer {}", app.advisor))
                .header("content-type", "application/json")
                .body(axum::body::Body::from(body.to_string()))
                .unwrap()
        };
        let r = app.send(raw("{not json")).await;
        assert_eq!(
            (r.status, r.json["error"]["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("malformed_json"))
        );
        let mut unknown = email_in("a@exemple.fr", "s", "b", "2026-11-01T09:00:00Z");
        unknown["colour"] = json!("blue");
        let r = app
            .post("/api/v1/interactions", &app.advisor, unknown)
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.json["error"]["message"]
                .as_str()
                .unwrap()
                .contains("colour")
        );
        let r = app
            .post(
                "/api/v1/interactions",
                &app.advisor,
                json!({"channel": 3, "direction": "inbound", "customer": {}, "body": "x"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json["error"]["fields"][0]["field"], "channel");
        let r = app.post("/api/v1/interactions", &app.advisor, json!({"channel": "fax", "direction": "inbound", "customer": {"email": "pas-un-email", "phone": "12"}, "body": "x", "occurred_at": "hier"})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let fields: Vec<&str> = r.json["error"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap())
            .collect();
        assert_eq!(
            fields,
            ["channel", "occurred_at", "customer.email", "customer.phone"]
        );
        let mut site = email_in("a@exemple.fr", "s", "b", "2026-11-01T09:00:00Z");
        site["site"] = json!("atlantide");
        let r = app.post("/api/v1/interactions", &app.advisor, site).await;
        assert_eq!(
            (r.status, r.json["error"]["fields"][0]["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("unknown_site"))
        );
        let mut case = email_in("a@exemple.fr", "s", "b", "2026-11-01T09:00:00Z");
        case["case_id"] = json!(999_999);
        let r = app.post("/api/v1/interactions", &app.advisor, case).await;
        assert_eq!(r.json["error"]["fields"][0]["code"], "unknown_case");
        let big = email_in(
            "a@exemple.fr",
            "s",
            &"x".repeat(5000),
            "2026-11-01T09:00:00Z",
        );
        let r = app.post("/api/v1/interactions", &app.advisor, big).await;
        assert_eq!(
            (r.status, r.json["error"]["code"].as_str()),
            (StatusCode::PAYLOAD_TOO_LARGE, Some("body_too_large"))
        );
        // Nothing of the above was written, not even a customer.
        let r = app
            .get("/api/v1/customers?email=a@exemple.fr", &app.advisor)
            .await;
        assert_eq!(r.json["items"].as_array().unwrap().len(), 0, "{}", r.json);
        let r = app.get("/api/v1/cases", &app.advisor).await;
        assert_eq!(r.json["items"].as_array().unwrap().len(), 0);
        // Auth.
        let r = app.call("GET", "/api/v1/cases", None, None, &[]).await;
        assert_eq!(
            (r.status, r.json["error"]["code"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("unauthenticated"))
        );
        let r = app.get("/api/v1/cases", "pct_forged").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        let r = app.get("/api/v1/cases?cursor=garbage", &app.advisor).await;
        assert_eq!(r.json["error"]["fields"][0]["field"], "cursor");
        let r = app.get("/api/v1/nowhere", &app.advisor).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn organisations_are_isolated() {
    for db in backends().await {
        let app = TestApp::new(db).await;
        let a = app
            .interaction(email_in(
                "secret@exemple.fr",
                "Privé",
                "Données",
                "2026-11-01T09:00:00Z",
            ))
            .await;
        let other = app.other_org().await;
        let (case, customer) = (
            a["case_id"].as_i64().unwrap(),
            a["customer_id"].as_i64().unwrap(),
        );
        assert_eq!(
            app.get(&format!("/api/v1/cases/{case}"), &other)
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.get(&format!("/api/v1/customers/{customer}"), &other)
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        let r = app
            .call(
                "PATCH",
                &format!("/api/v1/cases/{case}"),
                Some(&other),
                Some(json!({"status": "closed"})),
                &[],
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(
            app.get("/api/v1/cases", &other).await.json["items"]
                .as_array()
                .unwrap()
                .len(),
            0
        );
        assert_eq!(
            app.get("/api/v1/customers?email=secret@exemple.fr", &other)
                .await
                .json["items"]
                .as_array()
                .unwrap()
                .len(),
            0
        );
        // The same email in the other organisation is another customer.
        let r = app
            .post(
                "/api/v1/interactions",
                &other,
                email_in("secret@exemple.fr", "Privé", "x", "2026-11-01T09:00:00Z"),
            )
            .await;
        assert_ne!(r.json["customer_id"], a["customer_id"]);
    }
}

#[tokio::test]
async fn case_list_filters_and_pages_through_everything() {
    for db in backends().await {
        let app = TestApp::new(db).await;
        let site = app.post("/api/v1/sites", &app.admin, json!({"code": "lyon", "name": "Agence Lyon", "kind": "agency", "opening_hours": "mon-fri 09:00-18:00"})).await;
        assert_eq!(site.status, StatusCode::CREATED, "{}", site.json);
        for i in 0..25 {
            let mut b = email_in(
                &format!("c{i}@exemple.fr"),
                &format!("Sujet {i}"),
                "x",
                &format!("2026-10-{:02}T09:00:00Z", 1 + i),
            );
            if i % 5 == 0 {
                b["site"] = json!("lyon");
                b["kind"] = json!("complaint");
            }
            app.interaction(b).await;
        }
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let path = match &cursor {
                Some(c) => format!("/api/v1/cases?limit=7&cursor={c}"),
                None => "/api/v1/cases?limit=7".into(),
            };
            let page = app.get(&path, &app.advisor).await.json;
            seen.extend(
                page["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| c["id"].as_i64().unwrap()),
            );
            match page["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_string()),
                None => break,
            }
        }
        let unique: std::collections::BTreeSet<_> = seen.iter().collect();
        assert_eq!((seen.len(), unique.len()), (25, 25));
        let lyon = app
            .get(
                "/api/v1/cases?site=lyon&kind=complaint&status=open",
                &app.advisor,
            )
            .await
            .json;
        assert_eq!(lyon["items"].as_array().unwrap().len(), 5);
        let since = app
            .get(
                "/api/v1/cases?updated_since=2026-10-20T00:00:00Z",
                &app.advisor,
            )
            .await
            .json;
        assert_eq!(since["items"].as_array().unwrap().len(), 6);
        let none = app
            .get("/api/v1/cases?assignee=none", &app.advisor)
            .await
            .json;
        assert_eq!(none["items"].as_array().unwrap().len(), 25);
    }
}

#[tokio::test]
async fn merge_is_audited_and_reversible() {
    for db in backends().await {
        let app = TestApp::new(db).await;
        let a = app
            .interaction(email_in(
                "marc@exemple.fr",
                "A",
                "a",
                "2026-10-01T09:00:00Z",
            ))
            .await;
        let b = app
            .interaction(json!({"channel": "phone", "direction": "inbound", "customer": {"phone": "0698765432"}, "subject": "B", "body": "b", "occurred_at": "2026-10-02T09:00:00Z"}))
            .await;
        let (ka, kb) = (
            a["customer_id"].as_i64().unwrap(),
            b["customer_id"].as_i64().unwrap(),
        );
        assert_ne!(ka, kb);
        let r = app
            .post(
                &format!("/api/v1/customers/{ka}/merge"),
                &app.advisor,
                json!({"merged_id": kb}),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "advisors cannot merge");
        let m = app
            .post(
                &format!("/api/v1/customers/{ka}/merge"),
                &app.admin,
                json!({"merged_id": kb}),
            )
            .await;
        assert_eq!(m.status, StatusCode::CREATED, "{}", m.json);
        let v = app
            .get(&format!("/api/v1/customers/{ka}"), &app.advisor)
            .await
            .json;
        assert_eq!(v["timeline"].as_array().unwrap().len(), 2);
        assert_eq!(v["identities"].as_array().unwrap().len(), 2);
        // The phone now finds the kept customer.
        let s = app
            .get("/api/v1/customers?phone=0698765432", &app.advisor)
            .await
            .json;
        assert_eq!(s["items"][0]["id"], ka);
        let again = app
            .post(
                &format!("/api/v1/customers/{ka}/merge"),
                &app.admin,
                json!({"merged_id": kb}),
            )
            .await;
        assert_eq!(again.status, StatusCode::CONFLICT);
        let undo = app
            .post(
                &format!("/api/v1/merges/{}/undo", m.json["id"]),
                &app.admin,
                json!({}),
            )
            .await;
        assert_eq!(undo.status, StatusCode::OK, "{}", undo.json);
        assert!(
            undo.json["undone_at"]
                .as_str()
                .is_some_and(|t| t.ends_with('Z'))
        );
        let va = app
            .get(&format!("/api/v1/customers/{ka}"), &app.advisor)
            .await
            .json;
        let vb = app
            .get(&format!("/api/v1/customers/{kb}"), &app.advisor)
            .await
            .json;
        assert_eq!(va["timeline"].as_array().unwrap().len(), 1);
        assert_eq!(vb["timeline"].as_array().unwrap().len(), 1);
        assert_eq!(vb["timeline"][0]["channel"], "phone");
        assert!(vb["merged_into"].is_null());
        let s = app
            .get("/api/v1/customers?phone=0698765432", &app.advisor)
            .await
            .json;
        assert_eq!(s["items"][0]["id"], kb);
    }
}

#[tokio::test]
async fn admin_sets_up_sites_teams_users() {
    for db in backends().await {
        let app = TestApp::new(db).await;
        let body = json!({"code": "paris", "name": "Agence Paris", "kind": "agency"});
        assert_eq!(
            app.post("/api/v1/sites", &app.advisor, body.clone())
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            app.post("/api/v1/sites", &app.admin, body.clone())
                .await
                .status,
            StatusCode::CREATED
        );
        assert_eq!(
            app.post("/api/v1/sites", &app.admin, body).await.status,
            StatusCode::CONFLICT
        );
        let bad = app.post("/api/v1/sites", &app.admin, json!({"code": "Bad Code", "name": "", "kind": "castle", "time_zone": "Mars/Base", "opening_hours": "mon 18:00-09:00"})).await;
        let fields: Vec<&str> = bad.json["error"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap())
            .collect();
        assert_eq!(
            fields,
            ["code", "name", "kind", "time_zone", "opening_hours"]
        );
        let t = app
            .post(
                "/api/v1/teams",
                &app.admin,
                json!({"name": "Accueil", "site": "paris"}),
            )
            .await;
        assert_eq!(t.status, StatusCode::CREATED);
        let u = app.post("/api/v1/users", &app.admin, json!({"email": "new@acme.fr", "name": "Nouvelle", "role": "manager", "team_id": t.json["id"]})).await;
        assert_eq!(u.status, StatusCode::CREATED, "{}", u.json);
        assert!(u.json.get("password_hash").is_none());
        let dup = app
            .post(
                "/api/v1/users",
                &app.admin,
                json!({"email": "NEW@acme.fr", "name": "Bis", "role": "advisor"}),
            )
            .await;
        assert_eq!(dup.status, StatusCode::CONFLICT);
        let users = app.get("/api/v1/users", &app.advisor).await.json;
        assert_eq!(users.as_array().unwrap().len(), 3);
    }
}

#[tokio::test]
async fn openapi_document_describes_the_endpoints() {
    let db = backends().await.remove(0);
    let app = TestApp::new(db).await;
    let r = app
        .call("GET", "/api/v1/openapi.json", None, None, &[])
        .await;
    assert_eq!(r.status, StatusCode::OK);
    for p in [
        "/api/v1/interactions",
        "/api/v1/cases",
        "/api/v1/cases/{id}",
        "/api/v1/customers/{id}",
        "/api/v1/merges/{id}/undo",
        "/api/v1/users",
    ] {
        assert!(r.json["paths"].get(p).is_some(), "missing {p}");
    }
    assert!(
        r.json["components"]["schemas"]
            .get("InteractionInput")
            .is_some()
    );
    // Generated clients rely on these: a path parameter is in its path, a query parameter is
    // not a path one, and every operation says how it refuses.
    for (path, item) in r.json["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            for p in op["parameters"].as_array().into_iter().flatten() {
                if p["in"] == "path" {
                    let name = p["name"].as_str().unwrap();
                    assert!(
                        path.contains(&format!("{{{name}}}")),
                        "{method} {path}: {name} is not in the path"
                    );
                }
            }
            let codes = op["responses"].as_object().unwrap();
            assert!(
                codes.contains_key("500") && codes.keys().any(|c| c.starts_with('4')),
                "{method} {path}: {codes:?}"
            );
        }
    }
    let cases = &r.json["paths"]["/api/v1/cases"]["get"]["parameters"];
    assert!(
        cases.as_array().unwrap().iter().all(|p| p["in"] == "query"),
        "{cases}"
    );
    let reply = &r.json["paths"]["/api/v1/cases/{id}/replies"]["post"]["requestBody"]["content"]["application/json"]
        ["schema"]["$ref"];
    let name = reply.as_str().unwrap().rsplit('/').next().unwrap();
    assert!(
        r.json["components"]["schemas"][name]["properties"]
            .get("body")
            .is_some(),
        "{name}"
    );
}
