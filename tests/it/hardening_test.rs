//! What an outside probe found, each kept fixed through the real interfaces on both backends:
//! costly templates, open redirects and header injection, missing security headers, forwarded
//! addresses believed from anyone, sign-in throttling that locked the owner out, and outbound
//! connections to private addresses.

use crate::charter_test::{counter_commitment, in_force, site, wait, webhook_sink};
use crate::support::{TestApp, backends, form, page};
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use pacte::service::egress::Egress;
use serde_json::json;
use std::net::SocketAddr;

#[tokio::test]
async fn costly_templates_are_refused_with_the_reason() {
    for db in backends().await {
        let app = TestApp::new(db).await;
        let b = app.db.backend;
        let nested =
            "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}";
        let r = app
            .put(
                "/api/v1/email-templates/ack/fr",
                &app.admin,
                json!({"subject": "Reçu {{ case_token }}", "body": nested}),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{b}: {}",
            r.json
        );
        let field = &r.json["error"]["fields"][0];
        assert_eq!(field["code"], "invalid_template", "{b}: {}", r.json);
        assert!(
            field["message"].as_str().unwrap().contains("a loop"),
            "{}",
            r.json
        );
        let doubling = "{% set a = customer_name ~ customer_name %}".repeat(40);
        let r = app
            .post(
                "/api/v1/canned-replies",
                &app.admin,
                json!({"title": "Grand", "body": doubling}),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{b}: {}",
            r.json
        );
        assert!(r.json.to_string().contains("an assignment"), "{}", r.json);
        // What a real template needs still works.
        let r = app
            .post(
                "/api/v1/canned-replies",
                &app.admin,
                json!({"title": "Merci", "body": "Bonjour{% if customer_name %} {{ customer_name | title }}{% endif %}, dossier {{ case_token }}."}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{b}: {}", r.json);
    }
}

/// A request from a given client address, as the server sees it behind `into_make_service_with_connect_info`.
fn from(mut req: Request<Body>, ip: &str) -> Request<Body> {
    let addr: SocketAddr = format!("{ip}:40000").parse().unwrap();
    req.extensions_mut().insert(ConnectInfo(addr));
    req
}

#[tokio::test]
async fn redirects_stay_on_the_site_and_never_break_a_header() {
    let db = backends().await.remove(0);
    let app = TestApp::new(db).await;
    for (next, to) in [
        ("%2F%09%2Fevil.example", "/inbox"),
        ("%2F%5Cevil.example", "/inbox"),
        ("%2F%0D%0ASet-Cookie%3A+x%3Dy", "/inbox"),
        ("%2F%2Fevil.example", "/inbox"),
        ("%2Fcases%3Fstatus%3Dopen", "/cases?status=open"),
    ] {
        let r = app
            .send(form(
                "/login",
                None,
                &format!("email=conseil%40acme.fr&password=correct+horse&next={next}"),
            ))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{next}: {}", r.json);
        assert_eq!(r.headers["location"], to, "{next}");
    }
    let cookie = app
        .sign_in("conseil@acme.fr", "correct horse")
        .await
        .unwrap();
    let html = crate::support::html(&app.send(page("/inbox", &cookie)).await);
    let csrf = crate::support::csrf_of(&html);
    let r = app
        .send(form(
            "/settings/lang",
            Some(&cookie),
            &format!("csrf={csrf}&lang=fr&back=%2Fx%0Aevil"),
        ))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.json);
    assert_eq!(r.headers["location"], "/inbox");
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let db = backends().await.remove(0);
    let app = TestApp::new(db).await;
    let cookie = app
        .sign_in("conseil@acme.fr", "correct horse")
        .await
        .unwrap();
    for r in [
        app.send(page("/inbox", &cookie)).await,
        app.call("GET", "/login", None, None, &[]).await,
        app.get("/api/v1/cases", &app.advisor).await,
        app.call("GET", "/o/acme/avis", None, None, &[]).await,
        app.call("GET", "/nowhere", None, None, &[]).await,
    ] {
        let csp = r.headers["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"),
            "{csp}"
        );
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        assert_eq!(r.headers["x-content-type-options"], "nosniff");
        assert_eq!(r.headers["x-frame-options"], "DENY");
        assert_eq!(r.headers["referrer-policy"], "same-origin");
        assert!(!r.headers.contains_key("strict-transport-security"));
    }
    // The pages carry no inline script or style the policy would block.
    for path in ["/inbox", "/cases/abc", "/admin/retention"] {
        let html = crate::support::html(&app.send(page(path, &cookie)).await);
        assert!(
            !html.contains("style=\"")
                && !html.contains("onclick")
                && !html.contains("javascript:"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn forwarded_addresses_count_only_from_trusted_proxies() {
    let db = backends().await.remove(0);
    let app = TestApp::new(db).await;
    // Rotating X-Forwarded-For from one peer is still one client.
    let mut last = StatusCode::OK;
    for i in 0..40 {
        let mut req = form("/r/forged", None, "stars=5&comment=spam");
        req.headers_mut()
            .insert("x-forwarded-for", format!("203.0.113.{i}").parse().unwrap());
        last = app.send(from(req, "127.0.0.1")).await.status;
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);

    // Behind a proxy the operator named, each forwarded client has its own allowance.
    let db = backends().await.remove(0);
    let mut proxied = TestApp::new(db).await;
    let mut config = (*proxied.state.config).clone();
    config.trusted_proxies = vec![pacte::web::client::parse_proxy("127.0.0.1").unwrap()];
    proxied.state.config = std::sync::Arc::new(config);
    for i in 0..40 {
        let mut req = form("/r/forged", None, "stars=5&comment=spam");
        req.headers_mut()
            .insert("x-forwarded-for", format!("203.0.113.{i}").parse().unwrap());
        let r = proxied.send(from(req, "127.0.0.1")).await;
        assert_ne!(r.status, StatusCode::TOO_MANY_REQUESTS, "client {i}");
    }
}

#[tokio::test]
async fn a_guesser_is_throttled_and_the_owner_still_signs_in() {
    let db = backends().await.remove(0);
    let app = TestApp::new(db).await;
    let login = |password: &str, ip: &str| {
        from(
            form(
                "/login",
                None,
                &format!("email=conseil%40acme.fr&password={password}"),
            ),
            ip,
        )
    };
    // The owner signed in from home before.
    let r = app.send(login("correct+horse", "198.51.100.1")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    for _ in 0..pacte::service::auth::LOGIN_FAILURES {
        let r = app.send(login("guess", "203.0.113.9")).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let r = app.send(login("correct+horse", "203.0.113.9")).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = r.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=901).contains(&wait), "{wait}");
    let r = app.send(login("correct+horse", "198.51.100.1")).await;
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "the owner is not locked out"
    );
}

#[tokio::test]
async fn webhooks_and_mail_servers_on_private_addresses_are_refused() {
    for db in backends().await {
        let app = TestApp::new(db).await;
        let b = app.db.backend;
        site(&app).await;
        let (hook, mut posted) = webhook_sink().await;
        in_force(&app, counter_commitment(Some(&hook))).await;
        app.interaction(wait("2026-10-20T08:00:00Z", 20, "w1", "C-1"))
            .await;
        let strict = Egress {
            allow_private: false,
        };
        let client = strict.http_client(std::time::Duration::from_secs(5));
        let delivered = pacte::service::charter::alerts::deliver_due(&app.store, &client, strict)
            .await
            .unwrap();
        assert_eq!(delivered, 0, "{b}");
        let mut c = app.store.reader().await.unwrap();
        let error: String = sqlx::query_scalar("SELECT last_error FROM outbox")
            .fetch_one(&mut *c)
            .await
            .unwrap();
        assert!(error.contains("loopback address"), "{b}: {error}");
        assert!(posted.try_recv().is_err(), "nothing reached the receiver");

        // A mailbox "test" against a local service reads nothing from it.
        let r = app
            .post(
                "/api/v1/mailboxes",
                &app.admin,
                json!({"address": "contact@acme.fr", "smtp_host": "localhost", "smtp_port": 6379,
                       "smtp_security": "none"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{b}: {}", r.json);
        let id = r.json["id"].as_i64().unwrap();
        let mut config = (*app.state.config).clone();
        config.allow_private_networks = false;
        let mut strict_app = app;
        strict_app.state.config = std::sync::Arc::new(config);
        let r = strict_app
            .post(
                &format!("/api/v1/mailboxes/{id}/test"),
                &strict_app.admin,
                json!({}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{b}: {}", r.json);
        assert_eq!(r.json["smtp"]["ok"], false, "{b}: {}", r.json);
        assert!(
            r.json["smtp"]["message"]
                .as_str()
                .unwrap()
                .contains("loopback address"),
            "{b}: {}",
            r.json
        );
    }
}

#[tokio::test]
async fn the_api_refuses_bad_input_plainly_in_its_envelope() {
    for db in backends().await {
        let app = TestApp::new(db).await;
        let b = app.db.backend;
        let contact = |extra: &str| {
            format!(
                r#"{{"channel":"email","direction":"inbound","customer":{{"email":"a@b.fr"}},"body":"x"{extra}}}"#
            )
        };
        let post = |body: String, ct: Option<&'static str>| {
            let mut r = Request::builder()
                .method("POST")
                .uri("/api/v1/interactions")
                .header("authorization", format!("Bearer {}", app.advisor));
            if let Some(ct) = ct {
                r = r.header("content-type", ct);
            }
            app.send(r.body(Body::from(body)).unwrap())
        };
        let json = Some("application/json");
        let cases: Vec<(String, Option<&str>, StatusCode, &str)> = vec![
            (
                contact("") + "GARBAGE",
                json,
                StatusCode::BAD_REQUEST,
                "malformed_json",
            ),
            (
                contact(""),
                Some("text/plain"),
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
            ),
            (
                contact(""),
                None,
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
            ),
            (
                contact(r#","occurred_at":"0000-01-01T00:00:00Z""#),
                json,
                StatusCode::UNPROCESSABLE_ENTITY,
                "out_of_range",
            ),
            (
                contact(r#","occurred_at":"2099-01-01T00:00:00Z""#),
                json,
                StatusCode::UNPROCESSABLE_ENTITY,
                "out_of_range",
            ),
            (
                contact(r#","subject":"a\u0000b""#),
                json,
                StatusCode::UNPROCESSABLE_ENTITY,
                "nul_character",
            ),
        ];
        for (body, ct, status, code) in cases {
            let r = post(body.clone(), ct).await;
            assert_eq!(r.status, status, "{b}: {body}: {}", r.json);
            assert!(r.json.to_string().contains(code), "{b}: {body}: {}", r.json);
        }
        // A backslash written as text before "u0000" is no NUL.
        let r = post(contact(r#","subject":"C:\\u0000""#), json).await;
        assert_eq!(r.status, StatusCode::CREATED, "{b}: {}", r.json);
        assert_eq!(
            post(
                contact("") + "  \n",
                Some("application/json; charset=utf-8")
            )
            .await
            .status,
            StatusCode::CREATED,
            "trailing whitespace is no data"
        );

        let r = app
            .post(
                "/api/v1/sites",
                &app.admin,
                json!({"code": "long", "name": "x".repeat(200_000), "kind": "agency"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        assert_eq!(r.json["error"]["fields"][0]["code"], "too_long");

        // Every refusal of the router itself is the envelope too.
        for (method, path, status) in [
            ("GET", "/api/v1/cases/abc", StatusCode::NOT_FOUND),
            ("GET", "/api/v1/nothing-here", StatusCode::NOT_FOUND),
            ("DELETE", "/api/v1/cases", StatusCode::METHOD_NOT_ALLOWED),
            (
                "GET",
                "/api/v1/charter/results?periods=abc",
                StatusCode::BAD_REQUEST,
            ),
        ] {
            let r = app.call(method, path, Some(&app.admin), None, &[]).await;
            assert_eq!(r.status, status, "{b}: {method} {path}: {}", r.json);
            assert!(
                r.json["error"]["code"].is_string() && r.json["error"]["message"].is_string(),
                "{b}: {method} {path}: {}",
                r.json
            );
            assert_eq!(r.headers["content-type"], "application/json", "{path}");
        }
    }
}

#[test]
fn sigterm_stops_the_server_within_its_grace_whatever_is_under_way() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let token = crate::support::process::organisation(dir.path());
    let mut server =
        crate::support::process::Server::start_with(dir.path(), &["--shutdown-grace", "2"]);
    // A client that announces a body and never sends it holds its request open.
    let mut stuck = std::net::TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    write!(
        stuck,
        "POST /api/v1/interactions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{\"channel\""
    )
    .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    // Generous bound: the grace is 2 s; before, the server waited for this client for ever.
    assert!(
        server.terminate(std::time::Duration::from_secs(15)),
        "still running: {}",
        server.log_tail()
    );
    assert!(
        server.log_tail().contains("stopping without them"),
        "{}",
        server.log_tail()
    );
}

#[test]
fn a_request_over_its_time_limit_is_stopped_and_answered() {
    use std::io::{Read, Write};
    let dir = tempfile::tempdir().unwrap();
    let token = crate::support::process::organisation(dir.path());
    let server =
        crate::support::process::Server::start_with(dir.path(), &["--request-timeout", "1"]);
    let mut stuck = std::net::TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    stuck
        .set_read_timeout(Some(std::time::Duration::from_secs(20)))
        .unwrap();
    write!(
        stuck,
        "POST /api/v1/interactions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: 1000\r\nConnection: close\r\n\r\n{{"
    )
    .unwrap();
    let mut answer = String::new();
    let _ = stuck.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(answer.contains("\"code\":\"timeout\""), "{answer}");
}

#[tokio::test]
async fn public_pages_may_be_framed_by_the_sites_the_organisation_names() {
    for db in backends().await {
        let app = TestApp::new(db).await;
        let b = app.db.backend;
        let before = app.call("GET", "/o/acme/avis", None, None, &[]).await;
        assert_eq!(before.headers["x-frame-options"], "DENY", "{b}");
        let r = app
            .put(
                "/api/v1/embedding",
                &app.admin,
                json!({"origins": ["https://www.acme.fr/", "javascript:alert(1)"]}),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{b}: {}",
            r.json
        );
        let r = app
            .put(
                "/api/v1/embedding",
                &app.admin,
                json!({"origins": ["https://www.acme.fr/", "https://intranet.acme.fr:8443"]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{b}: {}", r.json);
        assert_eq!(
            r.json["origins"],
            json!(["https://www.acme.fr", "https://intranet.acme.fr:8443"])
        );
        for path in ["/o/acme/avis", "/o/acme/engagements"] {
            let r = app.call("GET", path, None, None, &[]).await;
            assert_eq!(r.status, StatusCode::OK, "{b}: {path}");
            let csp = r.headers["content-security-policy"].to_str().unwrap();
            assert!(
                csp.contains(
                    "frame-ancestors 'self' https://www.acme.fr https://intranet.acme.fr:8443"
                ) && csp.contains("script-src 'self'"),
                "{b}: {path}: {csp}"
            );
            assert!(!r.headers.contains_key("x-frame-options"), "{b}: {path}");
        }
        // Everything else stays unframable.
        let cookie = app.sign_in("admin@acme.fr", "correct horse").await.unwrap();
        let inbox = app.send(page("/inbox", &cookie)).await;
        assert_eq!(inbox.headers["x-frame-options"], "DENY");
        assert!(
            inbox.headers["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("frame-ancestors 'none'")
        );
        let feed = app.call("GET", "/o/acme/avis.json", None, None, &[]).await;
        assert_eq!(feed.headers["x-frame-options"], "DENY");
        let admin = crate::support::html(&app.send(page("/admin", &cookie)).await);
        assert!(
            admin.contains("https://intranet.acme.fr:8443")
                && admin.contains("/o/acme/engagements")
        );
    }
}

#[tokio::test]
async fn reads_round_trip_into_writes_in_one_time_format() {
    for db in backends().await {
        let app = TestApp::new(db).await;
        let b = app.db.backend;
        let r = app
            .interaction(json!({"channel": "email", "direction": "inbound",
                "customer": {"email": "a@b.fr"}, "subject": "Question", "body": "x"}))
            .await;
        // A survey read back is a valid write: booleans, arrays and objects, not 0/1 and text.
        let surveys = app.get("/api/v1/surveys", &app.admin).await.json;
        let s = surveys[0].clone();
        assert!(
            s["ask_solved"].is_boolean() && s["active"].is_boolean(),
            "{b}: {s}"
        );
        assert!(
            s["channels"].is_array() && s["criteria"].is_array(),
            "{b}: {s}"
        );
        let mut body = serde_json::Map::new();
        for k in [
            "name",
            "kind",
            "question_fr",
            "question_en",
            "comment_fr",
            "comment_en",
            "ask_solved",
            "criteria",
            "trigger",
            "channels",
            "delay_minutes",
            "every_days",
            "sample_size",
            "active",
        ] {
            body.insert(k.into(), s[k].clone());
        }
        let r2 = app
            .put(
                &format!("/api/v1/surveys/{}", s["id"]),
                &app.admin,
                body.into(),
            )
            .await;
        assert_eq!(r2.status, StatusCode::OK, "{b}: {}", r2.json);
        // Times are RFC 3339 everywhere.
        let is_time = |v: &serde_json::Value| {
            v.as_str()
                .is_some_and(|t| t.parse::<jiff::Timestamp>().is_ok())
        };
        let customer = app
            .get(
                &format!("/api/v1/customers/{}", r["customer_id"]),
                &app.admin,
            )
            .await
            .json;
        assert!(
            is_time(&customer["created_at"]) && is_time(&customer["last_contact_at"]),
            "{b}: {customer}"
        );
        assert!(
            is_time(&customer["timeline"][0]["occurred_at"]),
            "{b}: {customer}"
        );
        assert!(
            customer["timeline"][0]["attachments"].is_array(),
            "{b}: {customer}"
        );
        let case = app
            .get(&format!("/api/v1/cases/{}", r["case_id"]), &app.admin)
            .await
            .json;
        assert!(
            is_time(&case["interactions"][0]["occurred_at"]),
            "{b}: {case}"
        );
        assert!(
            case["interactions"][0]["is_note"].is_boolean(),
            "{b}: {case}"
        );
        assert!(is_time(&case["events"][0]["at"]), "{b}: {case}");
    }
}
