//! Administration of users through the API and the web, on both backends: edit, deactivate,
//! reactivate, the rules that keep an administrator, and the one-time password link.

use crate::support::{TestApp, backends, csrf_of, form, html, page};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::json;

#[tokio::test]
async fn administrators_edit_deactivate_and_reactivate_users() {
    for db in backends().await {
        let app = TestApp::new(db).await;
        let b = app.db.backend;
        let id = app.advisor_id;
        let r = app
            .patch(
                &format!("/api/v1/users/{id}"),
                &app.admin,
                json!({"role": "manager", "name": "Julie Martin"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{b}: {}", r.json);
        assert_eq!(
            (r.json["role"].as_str(), r.json["name"].as_str()),
            (Some("manager"), Some("Julie Martin"))
        );
        let r = app
            .patch(
                &format!("/api/v1/users/{id}"),
                &app.advisor,
                json!({"role": "admin"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{b}: only administrators");
        let r = app
            .patch(
                &format!("/api/v1/users/{id}"),
                &app.admin,
                json!({"role": "boss", "name": " "}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            r.json["error"]["fields"].as_array().unwrap().len(),
            2,
            "{}",
            r.json
        );
        let r = app
            .patch(
                &format!("/api/v1/users/{id}"),
                &app.admin,
                json!({"colour": "red"}),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown fields refused"
        );
        let r = app
            .patch(
                &format!("/api/v1/users/{id}"),
                &app.admin,
                json!({"team_id": 999}),
            )
            .await;
        assert_eq!(r.json["error"]["fields"][0]["code"], "unknown_team");

        // Deactivated: the session ends and signing in is refused; reactivated: it works again.
        let cookie = app
            .sign_in("conseil@acme.fr", "correct horse")
            .await
            .expect("signs in");
        let r = app
            .patch(
                &format!("/api/v1/users/{id}"),
                &app.admin,
                json!({"active": false}),
            )
            .await;
        assert_eq!(r.json["active"], false, "{b}");
        let r = app.send(page("/inbox", &cookie)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{b}: the session ended");
        assert!(
            app.sign_in("conseil@acme.fr", "correct horse")
                .await
                .is_none(),
            "{b}"
        );
        app.patch(
            &format!("/api/v1/users/{id}"),
            &app.admin,
            json!({"active": true}),
        )
        .await;
        assert!(
            app.sign_in("conseil@acme.fr", "correct horse")
                .await
                .is_some(),
            "{b}"
        );

        // Nobody deactivates themselves or gives up the last administration.
        let me = app.get("/api/v1/users", &app.admin).await.json;
        let admin_id = me
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["role"] == "admin")
            .unwrap()["id"]
            .as_i64()
            .unwrap();
        let r = app
            .patch(
                &format!("/api/v1/users/{admin_id}"),
                &app.admin,
                json!({"active": false}),
            )
            .await;
        assert_eq!(
            (r.status, r.json["error"]["code"].as_str()),
            (StatusCode::CONFLICT, Some("own_account")),
            "{b}"
        );
        let r = app
            .patch(
                &format!("/api/v1/users/{admin_id}"),
                &app.admin,
                json!({"role": "advisor"}),
            )
            .await;
        assert_eq!(r.json["error"]["code"], "own_account");
        // Another organisation's user is not found.
        let other = app.other_org().await;
        let r = app
            .patch(&format!("/api/v1/users/{id}"), &other, json!({"name": "x"}))
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{b}");
    }
}

#[tokio::test]
async fn a_one_time_link_sets_a_password_once() {
    for db in backends().await {
        let app = TestApp::new(db).await;
        let b = app.db.backend;
        let id = app.advisor_id;
        let admin = app
            .sign_in("admin@acme.fr", "correct horse")
            .await
            .expect("admin signs in");
        let advisor = app
            .sign_in("conseil@acme.fr", "correct horse")
            .await
            .expect("advisor signs in");
        // The administrator edits the user in the web page, then makes a link.
        let edit = html(&app.send(page(&format!("/admin/users/{id}"), &admin)).await);
        let csrf = csrf_of(&edit);
        let r = app
            .send(form(
                &format!("/admin/users/{id}"),
                Some(&admin),
                &format!("csrf={csrf}&name=Julie&role=advisor&team_id=0&active=1"),
            ))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{b}: {}", html(&r));
        let saved = html(
            &app.send(page(r.headers["location"].to_str().unwrap(), &admin))
                .await,
        );
        assert!(saved.contains("Modifications enregistrées."), "{b}");
        let made = html(
            &app.send(form(
                &format!("/admin/users/{id}/password-link"),
                Some(&admin),
                &format!("csrf={csrf}"),
            ))
            .await,
        );
        let at = made.find("/password/pwr_").expect("the link is shown");
        let path: String = made[at..].chars().take_while(|c| *c != '"').collect();
        assert!(made.contains("il fonctionne jusqu’au"), "{made}");
        // Whoever opens it sets the password; two different entries are refused.
        let open = app
            .send(Request::builder().uri(&path).body(Body::empty()).unwrap())
            .await;
        assert_eq!(open.status, StatusCode::OK);
        assert!(html(&open).contains("Pour Julie"), "{}", html(&open));
        let r = app
            .send(form(
                &path,
                None,
                "password=nouveau-secret&again=autre-chose",
            ))
            .await;
        assert!(html(&r).contains("Les deux saisies diffèrent."));
        let r = app
            .send(form(&path, None, "password=court&again=court"))
            .await;
        assert!(html(&r).contains("8 caractères"));
        let r = app
            .send(form(
                &path,
                None,
                "password=nouveau-secret&again=nouveau-secret",
            ))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{b}");
        assert!(r.headers["location"].to_str().unwrap().contains("reset=1"));
        // The new password works, the old one not, the old session ended, the link is spent.
        assert!(
            app.sign_in("conseil@acme.fr", "nouveau-secret")
                .await
                .is_some(),
            "{b}"
        );
        assert!(
            app.sign_in("conseil@acme.fr", "correct horse")
                .await
                .is_none()
        );
        assert_eq!(
            app.send(page("/inbox", &advisor)).await.status,
            StatusCode::SEE_OTHER
        );
        let again = app
            .send(form(
                &path,
                None,
                "password=encore-autre&again=encore-autre",
            ))
            .await;
        assert_eq!(again.status, StatusCode::NOT_FOUND);
        assert!(html(&again).contains("ne fonctionne plus"));
        // Through the API too; not for an advisor to make.
        let r = app
            .post(
                &format!("/api/v1/users/{id}/password-link"),
                &app.admin,
                json!({}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
        assert!(r.json["link"].as_str().unwrap().contains("/password/pwr_"));
        let r = app
            .post(
                &format!("/api/v1/users/{id}/password-link"),
                &app.advisor,
                json!({}),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
}

#[tokio::test]
async fn cases_export_as_csv_streamed_across_pages_with_the_filters() {
    for db in backends().await {
        let app = TestApp::new(db).await;
        let b = app.db.backend;
        for i in 0..1_030 {
            let status = if i % 10 == 0 {
                ",\"status\":\"solved\""
            } else {
                ""
            };
            let body: serde_json::Value = serde_json::from_str(&format!(
                r#"{{"channel":"email","direction":"inbound","customer":{{"email":"c{i}@exemple.fr"}},"subject":"Demande {i}, « urgente »","body":"x"{status}}}"#
            ))
            .unwrap();
            app.interaction(body).await;
        }
        let (manager, _) =
            crate::support::user(&app.store, app.org_id, "chef@acme.fr", "manager").await;
        let read = |text: &str| {
            let mut r = csv::Reader::from_reader(text.as_bytes());
            let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
            let rows: Vec<Vec<String>> = r
                .records()
                .map(|x| x.unwrap().iter().map(String::from).collect())
                .collect();
            (header, rows)
        };
        let r = app.get("/api/v1/cases.csv", &manager).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            r.headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/csv")
        );
        let (header, rows) = read(r.json.as_str().unwrap());
        assert_eq!(header[0], "number");
        assert_eq!(rows.len(), 1_030, "{b}: every case, across pages of 1,000");
        let mut numbers: Vec<&String> = rows.iter().map(|r| &r[0]).collect();
        numbers.sort();
        numbers.dedup();
        assert_eq!(numbers.len(), 1_030, "{b}: none twice");
        assert!(
            rows.iter().any(|r| r[1] == "Demande 7, « urgente »"),
            "quoted as CSV"
        );
        let r = app.get("/api/v1/cases.csv?status=solved", &manager).await;
        let (_, solved) = read(r.json.as_str().unwrap());
        assert_eq!(solved.len(), 103, "{b}");
        assert!(solved.iter().all(|r| r[2] == "solved"));
        let r = app.get("/api/v1/cases.csv", &app.advisor).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "managers and above export");
        let r = app.get("/api/v1/cases.csv?status=lost", &manager).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        // The web link carries the inbox's filters.
        let cookie = app.sign_in("admin@acme.fr", "correct horse").await.unwrap();
        let inbox = html(&app.send(page("/inbox?status=solved", &cookie)).await);
        let at = inbox.find("/cases.csv?").expect("an export link");
        let link: String = inbox[at..]
            .chars()
            .take_while(|c| *c != '"')
            .collect::<String>()
            .replace("&amp;", "&");
        let r = app.send(page(&link, &cookie)).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(read(r.json.as_str().unwrap()).1.len(), 103, "{b}: {link}");
    }
}

#[tokio::test]
async fn api_tokens_are_named_expire_and_are_revoked_at_once() {
    for db in backends().await {
        let app = TestApp::new(db).await;
        let b = app.db.backend;
        let r = app
            .post(
                "/api/v1/tokens",
                &app.admin,
                json!({"name": "crm-sync", "expires_in_days": 30}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{b}: {}", r.json);
        let first = r.json["token"].as_str().unwrap().to_string();
        let id = r.json["id"].as_i64().unwrap();
        assert_eq!(
            app.get("/api/v1/cases", &first).await.status,
            StatusCode::OK
        );

        // Listed, without the secret, with its end and its use.
        let mut listed = serde_json::Value::Null;
        // Its use is noted beside the request, not in it.
        for _ in 0..500 {
            listed = app.get("/api/v1/tokens", &app.admin).await.json;
            if listed
                .as_array()
                .unwrap()
                .iter()
                .any(|t| t["id"] == id && t["last_used_at"].is_string())
            {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        let mine = listed
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["id"] == id)
            .unwrap()
            .clone();
        assert_eq!(mine["name"], "crm-sync");
        assert_eq!(mine["live"], true);
        assert!(
            mine["expires_at"].as_str().unwrap().ends_with('Z'),
            "{mine}"
        );
        assert!(mine["last_used_at"].is_string(), "{b}: {listed}");
        assert!(!listed.to_string().contains(&first), "never the secret");

        // A new token of the same name replaces the old one at once.
        let r = app
            .post("/api/v1/tokens", &app.admin, json!({"name": "crm-sync"}))
            .await;
        let second = r.json["token"].as_str().unwrap().to_string();
        assert_eq!(
            app.get("/api/v1/cases", &first).await.status,
            StatusCode::UNAUTHORIZED,
            "{b}"
        );
        assert_eq!(
            app.get("/api/v1/cases", &second).await.status,
            StatusCode::OK
        );

        // Beyond the operator's maximum: refused, saying the bound.
        let r = app
            .post(
                "/api/v1/tokens",
                &app.admin,
                json!({"name": "forever", "expires_in_days": 10_000}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.json.to_string().contains("365"), "{}", r.json);

        // Others' tokens: an advisor neither sees nor revokes them; an administrator does.
        let second_id = r_id(&app, "crm-sync").await;
        let r = app
            .call(
                "DELETE",
                &format!("/api/v1/tokens/{second_id}"),
                Some(&app.advisor),
                None,
                &[],
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{b}");
        let own = app.get("/api/v1/tokens", &app.advisor).await.json;
        assert!(
            own.as_array()
                .unwrap()
                .iter()
                .all(|t| t["user_id"] == app.advisor_id)
        );
        let r = app
            .call(
                "DELETE",
                &format!("/api/v1/tokens/{second_id}"),
                Some(&app.admin),
                None,
                &[],
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{b}: {}", r.json);
        assert_eq!(
            app.get("/api/v1/cases", &second).await.status,
            StatusCode::UNAUTHORIZED
        );

        // Expired: refused.
        let (_, old) = pacte::service::auth::issue_token(
            &app.store,
            app.advisor_id,
            "old",
            Some(pacte::service::now_ms() - 1),
        )
        .await
        .unwrap();
        assert_eq!(
            app.get("/api/v1/cases", &old).await.status,
            StatusCode::UNAUTHORIZED
        );
        // A token that ends while cached stops at its end, not at the cache's.
        let (_, brief) = pacte::service::auth::issue_token(
            &app.store,
            app.advisor_id,
            "brief",
            Some(pacte::service::now_ms() + 400),
        )
        .await
        .unwrap();
        assert_eq!(
            app.get("/api/v1/cases", &brief).await.status,
            StatusCode::OK
        );
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        assert_eq!(
            app.get("/api/v1/cases", &brief).await.status,
            StatusCode::UNAUTHORIZED,
            "{b}"
        );

        // Deactivating a user stops their tokens at once (no 30 s grace in this process).
        assert_eq!(
            app.get("/api/v1/cases", &app.advisor).await.status,
            StatusCode::OK
        );
        let r = app
            .patch(
                &format!("/api/v1/users/{}", app.advisor_id),
                &app.admin,
                json!({"active": false}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.json);
        assert_eq!(
            app.get("/api/v1/cases", &app.advisor).await.status,
            StatusCode::UNAUTHORIZED,
            "{b}"
        );
    }
}

async fn r_id(app: &TestApp, name: &str) -> i64 {
    app.get("/api/v1/tokens", &app.admin)
        .await
        .json
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == name && t["live"] == true)
        .unwrap()["id"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn an_administrator_makes_and_revokes_tokens_on_the_user_page() {
    let db = backends().await.remove(0);
    let app = TestApp::new(db).await;
    let cookie = app.sign_in("admin@acme.fr", "correct horse").await.unwrap();
    let path = format!("/admin/users/{}", app.advisor_id);
    let page_html = html(&app.send(page(&path, &cookie)).await);
    assert!(
        page_html.contains("Jetons d’API") && page_html.contains("test"),
        "the test token is listed"
    );
    let csrf = csrf_of(&page_html);
    let r = app
        .send(form(
            &format!("{path}/tokens"),
            Some(&cookie),
            &format!("csrf={csrf}&name=export&days=7"),
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let made = html(&r);
    let marker = r#"id="token-secret" class="copy" readonly value=""#;
    let at = made.find(marker).unwrap() + marker.len();
    let secret = made[at..].split('"').next().unwrap().to_string();
    assert!(secret.starts_with("pct_"), "{secret}");
    assert_eq!(
        app.get("/api/v1/cases", &secret).await.status,
        StatusCode::OK
    );
    let id = r_id(&app, "export").await;
    let r = app
        .send(form(
            &format!("{path}/tokens/{id}/revoke"),
            Some(&cookie),
            &format!("csrf={csrf}"),
        ))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.get("/api/v1/cases", &secret).await.status,
        StatusCode::UNAUTHORIZED
    );
    let after = html(
        &app.send(page(&format!("{path}?done=token_revoked"), &cookie))
            .await,
    );
    assert!(after.contains("Jeton révoqué") && after.contains("Révoqué"));
}

#[tokio::test]
async fn names_are_listed_in_dictionary_order() {
    let db = backends().await.remove(0);
    let app = TestApp::new(db).await;
    for (email, name) in [
        ("z@acme.fr", "Zoé Martin"),
        ("e@acme.fr", "Élodie Roux"),
        ("a@acme.fr", "aline Petit"),
    ] {
        let r = app
            .post(
                "/api/v1/users",
                &app.admin,
                json!({"email": email, "name": name, "role": "advisor"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    }
    let users = app.get("/api/v1/users", &app.admin).await.json;
    let names: Vec<&str> = users
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["name"].as_str().unwrap())
        .filter(|n| !n.ends_with(" user"))
        .collect();
    assert_eq!(names, ["aline Petit", "Élodie Roux", "Zoé Martin"]);
}

#[tokio::test]
async fn a_forgotten_password_is_reset_by_a_link_sent_by_email() {
    for db in backends().await {
        let app = TestApp::new(db).await;
        let b = app.db.backend;
        let r = app
            .post(
                "/api/v1/mailboxes",
                &app.admin,
                json!({"address": "contact@acme.fr", "smtp_host": "127.0.0.1", "smtp_port": 2525,
                       "smtp_security": "none"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{b}: {}", r.json);
        let login = html(&app.call("GET", "/login", None, None, &[]).await);
        assert!(login.contains("href=\"/password/forgot?lang=fr\""));
        // An unknown address and a known one get the same answer.
        let answer = |email: &str| {
            app.send(form(
                "/password/forgot",
                None,
                &format!("email={}&lang=fr", email.replace('@', "%40")),
            ))
        };
        let unknown = html(&answer("nobody@acme.fr").await);
        let known = answer("conseil@acme.fr").await;
        assert_eq!(known.status, StatusCode::OK);
        let known = html(&known);
        assert!(
            known.contains("Si un compte existe pour cette adresse"),
            "{known}"
        );
        assert_eq!(unknown, known, "{b}: the answer tells nothing");
        // The mail is queued to the user, with a link that works.
        let mut c = app.store.reader().await.unwrap();
        let (to, hash): (String, String) = sqlx::query_as(
            "SELECT to_addresses, raw_hash FROM email_message WHERE kind = 'password_link'",
        )
        .fetch_one(&mut *c)
        .await
        .unwrap();
        assert_eq!(to, "conseil@acme.fr", "{b}");
        let raw = pacte::store::email::blob(&mut c, &hash)
            .await
            .unwrap()
            .unwrap();
        let raw = String::from_utf8_lossy(&raw).replace("=\r\n", "");
        let at = raw.find("/password/pwr_").expect("the link is in the mail");
        let path: String = raw[at..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || "/_".contains(*c))
            .collect();
        drop(c);
        let page = app.call("GET", &path, None, None, &[]).await;
        assert_eq!(page.status, StatusCode::OK, "{b}: {path}");
        // The page of a live link, for this user.
        assert!(
            html(&page).contains("Pour advisor user"),
            "{b}: {}",
            html(&page)
        );
    }
}
