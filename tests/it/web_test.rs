//! The web interface through the real router: sign-in, CSRF, pages, language.

use crate::support::{TestApp, backends, csrf_of, email_in, form, html, page};
use axum::body::Body;
use axum::http::{Request, StatusCode};

#[tokio::test]
async fn sign_in_work_a_case_and_switch_language() {
    for db in backends().await {
        let app = TestApp::new(db).await;
        let mut first = email_in(
            "marie@exemple.fr",
            "Colis <b>perdu</b>",
            "Mon colis <script>alert(1)</script>",
            "2026-11-01T09:00:00Z",
        );
        first["attachments"] = serde_json::json!([{"name": "bordereau.pdf", "content_type": "application/pdf", "size": 120000}]);
        let a = app.interaction(first).await;
        let r = app
            .send(
                Request::builder()
                    .uri("/inbox")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(
            r.headers["location"]
                .to_str()
                .unwrap()
                .starts_with("/login?next=%2Finbox")
                || r.headers["location"]
                    .to_str()
                    .unwrap()
                    .starts_with("/login?next=/inbox")
        );
        let bad = app
            .send(form(
                "/login",
                None,
                "email=conseil%40acme.fr&password=wrong",
            ))
            .await;
        assert_eq!(bad.status, StatusCode::UNAUTHORIZED);
        assert!(bad.json.as_str().unwrap().contains("incorrect"));
        let ok = app
            .send(form(
                "/login",
                None,
                "email=conseil%40acme.fr&password=correct+horse&next=%2Finbox",
            ))
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER);
        let set = ok.headers["set-cookie"].to_str().unwrap();
        assert!(
            set.contains("HttpOnly") && set.contains("SameSite=Lax"),
            "{set}"
        );
        let cookie = set.split(';').next().unwrap().to_string();
        let inbox = app
            .send(page("/inbox", &cookie))
            .await
            .json
            .as_str()
            .unwrap()
            .to_string();
        assert!(
            inbox.contains("Dossiers")
                && (inbox.contains("Colis &#60;b&#62;perdu&#60;/b&#62;")
                    || inbox.contains("Colis &lt;b&gt;perdu&lt;/b&gt;"))
                && !inbox.contains("<b>perdu"),
            "{inbox}"
        );
        let case_page = app
            .send(page("/cases/1", &cookie))
            .await
            .json
            .as_str()
            .unwrap()
            .to_string();
        assert!(
            !case_page.contains("<script>alert(1)"),
            "customer text is escaped"
        );
        assert!(
            case_page.contains("bordereau.pdf (118 Ko)"),
            "attachments are listed"
        );
        let csrf = csrf_of(&case_page);
        let forged = app
            .send(form(
                "/cases/1/reply",
                Some(&cookie),
                "csrf=nope&body=Bonjour&status=solved",
            ))
            .await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
        let replied = app
            .send(form(
                "/cases/1/reply",
                Some(&cookie),
                &format!("csrf={csrf}&body=Votre+colis+arrive&status=solved"),
            ))
            .await;
        assert_eq!(replied.status, StatusCode::SEE_OTHER);
        let c = app
            .get(&format!("/api/v1/cases/{}", a["case_id"]), &app.advisor)
            .await
            .json;
        assert_eq!(c["status"], "solved");
        assert_eq!(c["interactions"][1]["body"], "Votre colis arrive");
        let english = app
            .send(page("/cases/1?lang=en", &cookie))
            .await
            .json
            .as_str()
            .unwrap()
            .to_string();
        assert!(english.contains("Timeline") && english.contains("Solved"));
        let saved = app
            .send(form(
                "/settings/lang",
                Some(&cookie),
                &format!("csrf={csrf}&lang=en"),
            ))
            .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER);
        let inbox = app
            .send(page("/inbox", &cookie))
            .await
            .json
            .as_str()
            .unwrap()
            .to_string();
        assert!(inbox.contains("<html lang=\"en\">") && inbox.contains("Cases"));
        // Advisors do not see administration.
        assert_eq!(
            app.send(page("/admin", &cookie)).await.status,
            StatusCode::FORBIDDEN
        );
        let out = app
            .send(form("/logout", Some(&cookie), &format!("csrf={csrf}")))
            .await;
        assert_eq!(out.status, StatusCode::SEE_OTHER);
        assert_eq!(
            app.send(page("/inbox", &cookie)).await.status,
            StatusCode::SEE_OTHER,
            "session ended"
        );
    }
}

#[tokio::test]
async fn admin_sets_up_the_organisation_from_forms() {
    for db in backends().await {
        let app = TestApp::new(db).await;
        let ok = app
            .send(form(
                "/login",
                None,
                "email=admin%40acme.fr&password=correct+horse",
            ))
            .await;
        let cookie = ok.headers["set-cookie"]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string();
        let admin = app.send(page("/admin", &cookie)).await;
        assert_eq!(admin.status, StatusCode::OK);
        let csrf = csrf_of(admin.json.as_str().unwrap());
        let site = format!(
            "csrf={csrf}&code=rennes&name=Agence+Rennes&kind=agency&time_zone=Europe%2FParis&opening_hours=mon-fri+09%3A00-18%3A00"
        );
        assert_eq!(
            app.send(form("/admin/sites", Some(&cookie), &site))
                .await
                .status,
            StatusCode::SEE_OTHER
        );
        let team = format!("csrf={csrf}&name=Accueil+Rennes&site=rennes");
        assert_eq!(
            app.send(form("/admin/teams", Some(&cookie), &team))
                .await
                .status,
            StatusCode::SEE_OTHER
        );
        let user =
            format!("csrf={csrf}&name=Yann&email=yann%40acme.fr&role=advisor&team_id=&password=");
        assert_eq!(
            app.send(form("/admin/users", Some(&cookie), &user))
                .await
                .status,
            StatusCode::SEE_OTHER
        );
        let html = app
            .send(page("/admin", &cookie))
            .await
            .json
            .as_str()
            .unwrap()
            .to_string();
        assert!(
            html.contains("Agence Rennes") && html.contains("mon 09:00-18:00; tue 09:00-18:00"),
            "canonical hours shown"
        );
        assert!(html.contains("Accueil Rennes") && html.contains("yann@acme.fr"));
        let bad = format!(
            "csrf={csrf}&code=Bad+Code&name=&kind=agency&time_zone=Mars%2FBase&opening_hours="
        );
        let refused = app.send(form("/admin/sites", Some(&cookie), &bad)).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        let text = refused.json.as_str().unwrap();
        assert!(
            text.contains("<strong>Code</strong>")
                && text.contains("<strong>Fuseau horaire</strong>")
                && text.contains("obligatoire"),
            "each refused field named in French: {text}"
        );
        let forged = app
            .send(form(
                "/admin/sites",
                Some(&cookie),
                "csrf=x&code=a&name=b&kind=agency&time_zone=UTC&opening_hours=",
            ))
            .await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
    }
}

#[tokio::test]
async fn password_guessing_is_stopped() {
    let db = backends().await.remove(0);
    let app = TestApp::new(db).await;
    for _ in 0..pacte::service::auth::LOGIN_FAILURES {
        let r = app
            .send(form(
                "/login",
                None,
                "email=conseil%40acme.fr&password=guess",
            ))
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let r = app
        .send(form(
            "/login",
            None,
            "email=CONSEIL%40acme.fr&password=correct+horse",
        ))
        .await;
    assert_eq!(
        r.status,
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits"
    );
    assert!(r.json.as_str().unwrap().contains("Trop de tentatives"));
    // Another account is not affected.
    let other = app
        .send(form(
            "/login",
            None,
            "email=admin%40acme.fr&password=correct+horse",
        ))
        .await;
    assert_eq!(other.status, StatusCode::SEE_OTHER);
}

/// An open case under a commitment shows its deadline in the inbox and on its page.
#[tokio::test]
async fn timers_show_the_commitment_deadline() {
    for db in backends().await {
        let app = TestApp::new(db).await;
        let c = pacte::service::charter::create_unchecked(
            &app.store,
            app.org_id,
            None,
            &pacte::service::charter::CommitmentInput {
                title_fr: "Réponse".into(),
                title_en: "Answer".into(),
                wording_fr: "Sous 2 heures".into(),
                wording_en: "Within 2 hours".into(),
                metric: "first_response".into(),
                channels: vec!["email".into()],
                nominal_minutes: Some(120),
                requirement_pct: 90.0,
                period: "month".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        pacte::service::charter::publish_at(&app.store, app.org_id, None, c.id, 0, false)
            .await
            .unwrap();
        app.interaction(email_in(
            "lou@exemple.fr",
            "Question",
            "Bonjour",
            "2026-11-02T09:00:00Z",
        ))
        .await;
        let login = app
            .send(form(
                "/login",
                None,
                "email=admin%40acme.fr&password=correct+horse",
            ))
            .await;
        let cookie = login.headers["set-cookie"]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string();
        let inbox = app.send(page("/inbox", &cookie)).await;
        let html = inbox.json.as_str().unwrap();
        assert!(
            html.contains("class=\"timer alert\""),
            "overdue timer in the inbox"
        );
        let case = app.send(page("/cases/1", &cookie)).await;
        let html = case.json.as_str().unwrap();
        assert!(html.contains("id=\"case-due\""), "{html}");
        // 2 November 2026, 10:00 Paris + 2 hours.
        assert!(html.contains("02/11/2026 12:00"), "{html}");
    }
}

/// A kiosk device issues tickets, by page or API, and reaches nothing else.
#[tokio::test]
async fn a_kiosk_only_issues_tickets() {
    for db in backends().await {
        let app = TestApp::new(db).await;
        let site = serde_json::json!({"code": "lyon", "name": "Agence Lyon", "kind": "agency",
            "time_zone": "Europe/Paris", "opening_hours": "mon-sat 08:00-19:00"});
        app.post("/api/v1/sites", &app.admin, site).await;
        let service = pacte::service::counter::add_service_unchecked(
            &app.store, app.org_id, "C", "Colis", "Parcels", 1,
        )
        .await
        .unwrap();
        let (token, _) =
            crate::support::user(&app.store, app.org_id, "borne@acme.fr", "kiosk").await;
        let t = app
            .post(
                "/api/v1/sites/lyon/tickets",
                &token,
                serde_json::json!({"service_id": service.id}),
            )
            .await;
        assert_eq!(t.status, StatusCode::CREATED, "{}", t.json);
        for path in [
            "/api/v1/cases",
            "/api/v1/customers?q=x",
            "/api/v1/charter/results",
        ] {
            assert_eq!(
                app.get(path, &token).await.status,
                StatusCode::FORBIDDEN,
                "{path}"
            );
        }
        let login = app
            .send(form(
                "/login",
                None,
                "email=borne%40acme.fr&password=correct+horse",
            ))
            .await;
        let cookie = login.headers["set-cookie"]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string();
        let kiosk = app.send(page("/sites/lyon/kiosk", &cookie)).await;
        assert_eq!(kiosk.status, StatusCode::OK);
        let csrf = csrf_of(kiosk.json.as_str().unwrap());
        let issued = app
            .send(form(
                "/sites/lyon/kiosk",
                Some(&cookie),
                &format!("csrf={csrf}&service_id={}", service.id),
            ))
            .await;
        assert!(
            issued.json.as_str().unwrap().contains("C002"),
            "the second ticket of the day"
        );
        for path in [
            "/inbox",
            "/customers",
            "/charter",
            "/sites/lyon/counter",
            "/cases/1",
        ] {
            assert_eq!(
                app.send(page(path, &cookie)).await.status,
                StatusCode::FORBIDDEN,
                "{path}"
            );
        }
    }
}

async fn signed_in(app: &TestApp) -> String {
    app.sign_in("conseil@acme.fr", "correct horse")
        .await
        .expect("the advisor signs in")
}

#[tokio::test]
async fn pages_say_plainly_what_went_wrong_in_the_reader_s_language() {
    for db in backends().await {
        let app = TestApp::new(db).await;
        let cookie = signed_in(&app).await;
        // A bad id, an unknown address: "not found" in French, or English on request.
        for path in ["/cases/abc", "/cases/999", "/nowhere", "/customers/x"] {
            let r = app.send(page(path, &cookie)).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
            let body = html(&r);
            assert!(
                body.contains("Introuvable") && body.contains("<html lang=\"fr\">"),
                "{path}: {body}"
            );
        }
        let r = app.send(page("/cases/abc?lang=en", &cookie)).await;
        assert!(html(&r).contains("Not found."));
        // Every filter at "any" is no filter; a parameter no page reads is named.
        let r = app
            .send(page(
                "/inbox?status=&site=&team=&assignee=&lang=fr",
                &cookie,
            ))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", html(&r));
        let r = app.send(page("/inbox?colour=red", &cookie)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(html(&r).contains("colour"), "{}", html(&r));
        // An advisor starts on their own open cases.
        let r = app.send(page("/", &cookie)).await;
        let to = r.headers["location"].to_str().unwrap().to_string();
        assert!(to.starts_with("/inbox?assignee=me&status=open"), "{to}");
        let mine = html(&app.send(page(&to, &cookie)).await);
        assert!(mine.contains("Mes dossiers"), "{mine}");
    }
}

#[tokio::test]
async fn the_composer_keeps_the_draft_and_says_when_a_reply_will_not_leave() {
    for db in backends().await {
        let app = TestApp::new(db).await;
        let cookie = signed_in(&app).await;
        app.interaction(email_in(
            "marie@exemple.fr",
            "Colis perdu",
            "Mon colis est perdu.",
            "2026-11-01T09:00:00Z",
        ))
        .await;
        let canned = app
            .post(
                "/api/v1/canned-replies",
                &app.admin,
                serde_json::json!({"title": "Excuses", "body": "Nous sommes désolés pour {{ case_token }}."}),
            )
            .await;
        assert_eq!(canned.status, StatusCode::CREATED, "{}", canned.json);
        let id = canned.json["id"].as_i64().unwrap();
        let case_page = html(&app.send(page("/cases/1", &cookie)).await);
        // No mailbox sends: said before replying.
        assert!(
            case_page.contains("id=\"send-note\"") && case_page.contains("aucune boîte d’envoi"),
            "{case_page}"
        );
        let csrf = csrf_of(&case_page);
        // Inserting keeps what was typed; nothing is written.
        let composed = app
            .send(form(
                "/cases/1/compose",
                Some(&cookie),
                &format!("csrf={csrf}&body=Bonjour+Marie%2C&canned={id}"),
            ))
            .await;
        assert_eq!(composed.status, StatusCode::OK);
        let body = html(&composed);
        assert!(
            body.contains("Bonjour Marie,\n\nNous sommes désolés pour [#ACME-1]."),
            "{body}"
        );
        let c = app.get("/api/v1/cases/1", &app.advisor).await.json;
        assert_eq!(
            c["interactions"].as_array().unwrap().len(),
            1,
            "inserting writes nothing"
        );
        let forged = app
            .send(form("/cases/1/compose", Some(&cookie), "csrf=x&body=y"))
            .await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
        // Sent anyway: the page confirms it, and the timeline itself says it did not leave, and why.
        let sent = app
            .send(form(
                "/cases/1/reply",
                Some(&cookie),
                &format!("csrf={csrf}&body=Nous+cherchons+votre+colis"),
            ))
            .await;
        let to = sent.headers["location"].to_str().unwrap().to_string();
        assert_eq!(to, "/cases/1?done=reply");
        let after = html(&app.send(page(&to, &cookie)).await);
        assert!(
            after.contains("id=\"flash\"") && after.contains("Votre réponse est enregistrée"),
            "{after}"
        );
        let unknown = html(&app.send(page("/cases/1?done=nonsense", &cookie)).await);
        assert!(
            !unknown.contains("id=\"flash\""),
            "only known confirmations are said"
        );
        let at = after
            .find("Nous cherchons votre colis")
            .expect("the reply is shown");
        let rest = &after[at..];
        assert!(
            rest[..rest.find("</li>").unwrap()].contains("Non envoyé — aucune boîte d’envoi"),
            "{after}"
        );
        // "Assign to me" while the case is nobody's; replying took it, so the button is gone.
        assert!(case_page.contains("id=\"assign-me\""), "{case_page}");
        assert!(!after.contains("id=\"assign-me\""));
    }
}

#[tokio::test]
async fn the_desk_sees_who_took_the_ticket() {
    for db in backends().await {
        let app = TestApp::new(db).await;
        let site = serde_json::json!({"code": "lyon", "name": "Agence Lyon", "kind": "agency",
            "time_zone": "Europe/Paris", "opening_hours": "mon-sun 00:00-23:59"});
        app.post("/api/v1/sites", &app.admin, site).await;
        let service = pacte::service::counter::add_service_unchecked(
            &app.store, app.org_id, "C", "Colis", "Parcels", 1,
        )
        .await
        .unwrap();
        app.interaction(serde_json::json!({"channel": "phone", "direction": "inbound",
            "customer": {"customer_number": "CLI-42", "name": "Élodie Garnier"}, "subject": "Colis", "body": "Appel"}))
            .await;
        let t = app
            .post(
                "/api/v1/sites/lyon/tickets",
                &app.admin,
                serde_json::json!({"service_id": service.id, "customer_number": "CLI-42"}),
            )
            .await;
        assert_eq!(t.status, StatusCode::CREATED, "{}", t.json);
        let cookie = signed_in(&app).await;
        let desk = html(&app.send(page("/sites/lyon/counter?desk=G1", &cookie)).await);
        let csrf = csrf_of(&desk);
        let called = app
            .send(form(
                "/sites/lyon/counter/call",
                Some(&cookie),
                &format!("csrf={csrf}&desk=G1"),
            ))
            .await;
        assert_eq!(called.status, StatusCode::SEE_OTHER, "{}", html(&called));
        let desk = html(&app.send(page("/sites/lyon/counter?desk=G1", &cookie)).await);
        let at = desk
            .find("id=\"ticket-customer\"")
            .expect("the customer is shown");
        let line: String = desk[at..].chars().take_while(|c| *c != '\n').collect();
        assert!(
            line.contains("Élodie Garnier") && line.contains("CLI-42"),
            "{}: {line}",
            app.db.backend
        );
        assert!(
            desk.contains("name=\"customer_number\" autocomplete=\"off\" value=\"CLI-42\""),
            "prefilled"
        );
    }
}
