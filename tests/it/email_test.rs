//! The email channel against real servers (Dovecot for IMAP, aiosmtpd for SMTP, both started by
//! scripts/test.sh), on every backend: a message delivered to the mailbox becomes a case, the
//! acknowledgement states the promise, the advisor's reply leaves with threading headers, the
//! customer's answer lands on the same case; automatic mail, loops, bounces, hostile input.

use crate::support::{TestApp, backends};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use futures_util::TryStreamExt;
use pacte::service::email::{self, imap, outbound};
use serde_json::{Value, json};
use std::path::PathBuf;

pub(crate) struct Servers {
    pub(crate) imap: (String, u16),
    pub(crate) smtp: (String, u16),
    pub(crate) maildir: PathBuf,
}

pub(crate) fn servers() -> Option<Servers> {
    let split = |v: String| {
        let (h, p) = v.rsplit_once(':').expect("host:port");
        (h.to_string(), p.parse().expect("port"))
    };
    Some(Servers {
        imap: split(std::env::var("PACTE_TEST_IMAP").ok()?),
        smtp: split(std::env::var("PACTE_TEST_SMTP").ok()?),
        maildir: std::env::var("PACTE_TEST_SMTP_MAILDIR").ok()?.into(),
    })
}

/// A unique token per test run, so tests sharing the servers never see each other's mail.
fn unique(tag: &str) -> String {
    format!("{tag}{}", uuid::Uuid::now_v7().simple())
}

async fn imap_session(s: &Servers, user: &str) -> async_imap::Session<tokio::net::TcpStream> {
    let tcp = tokio::net::TcpStream::connect((s.imap.0.as_str(), s.imap.1))
        .await
        .unwrap();
    let mut client = async_imap::Client::new(tcp);
    client.read_response().await.unwrap();
    client.login(user, "secret").await.map_err(|e| e.0).unwrap()
}

/// Delivers a message into a user's INBOX, as the organisation's mail server would.
async fn deliver(s: &Servers, user: &str, raw: &str) {
    let mut session = imap_session(s, user).await;
    session
        .append("INBOX", None, None, raw.as_bytes())
        .await
        .unwrap();
    session.logout().await.unwrap();
}

async fn seen_flags(s: &Servers, user: &str) -> Vec<bool> {
    let mut session = imap_session(s, user).await;
    session.select("INBOX").await.unwrap();
    let fetched: Vec<_> = session
        .fetch("1:*", "FLAGS")
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    let seen = fetched
        .iter()
        .map(|f| f.flags().any(|fl| fl == async_imap::types::Flag::Seen))
        .collect();
    drop(fetched);
    session.logout().await.unwrap();
    seen
}

/// Messages the SMTP server received for an address, oldest first.
pub(crate) fn sent_to(s: &Servers, to: &str) -> Vec<String> {
    let mut out: Vec<(std::time::SystemTime, String)> = std::fs::read_dir(s.maildir.join("new"))
        .map(|d| {
            d.filter_map(|e| e.ok())
                .filter_map(|e| {
                    let text = std::fs::read_to_string(e.path()).ok()?;
                    let t = e.metadata().ok()?.modified().ok()?;
                    text.contains(&format!("X-RcptTo: {to}"))
                        .then_some((t, text))
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort_by_key(|(t, _)| *t);
    out.into_iter().map(|(_, m)| m).collect()
}

fn header<'a>(raw: &'a str, name: &str) -> Option<&'a str> {
    raw.lines()
        .take_while(|l| !l.is_empty())
        .find_map(|l| l.strip_prefix(&format!("{name}: ")))
}

async fn mailbox(app: &TestApp, s: &Servers, address: &str, user: &str) -> Value {
    let r = app
        .post(
            "/api/v1/mailboxes",
            &app.admin,
            json!({"address": address, "display_name": "Service client Acme",
                   "imap_host": s.imap.0, "imap_port": s.imap.1, "imap_security": "none",
                   "imap_user": user, "imap_password": "secret",
                   "smtp_host": s.smtp.0, "smtp_port": s.smtp.1, "smtp_security": "none"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    assert!(r.json.get("imap_secret").is_none(), "secrets never leave");
    r.json
}

async fn stored_mailbox(app: &TestApp, id: i64) -> pacte::store::email::Mailbox {
    let mut c = app.store.reader().await.unwrap();
    pacte::store::email::mailbox(&mut c, app.org_id, id)
        .await
        .unwrap()
        .unwrap()
}

async fn emails_of(app: &TestApp, case_id: i64) -> Vec<Value> {
    let r = app
        .get(&format!("/api/v1/cases/{case_id}/emails"), &app.advisor)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    r.json.as_array().unwrap().clone()
}

async fn post_raw(app: &TestApp, raw: impl Into<Body>) -> crate::support::Response {
    app.send(
        Request::builder()
            .method("POST")
            .uri("/api/v1/inbound/email")
            .header("authorization", format!("Bearer {}", app.admin))
            .header("content-type", "message/rfc822")
            .body(raw.into())
            .unwrap(),
    )
    .await
}

async fn publish_email_promise(app: &TestApp) {
    let r = app
        .post(
            "/api/v1/commitments",
            &app.admin,
            json!({"title_fr": "Réponse à vos courriels", "title_en": "Email answers",
                   "wording_fr": "Nous répondons à vos courriels sous 48 heures ouvrées.",
                   "wording_en": "We answer your emails within 48 business hours.",
                   "metric": "first_response", "channels": ["email"],
                   "nominal_minutes": 2880, "requirement_pct": 90, "business_time": true,
                   "period": "month"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    pacte::service::charter::publish_at(
        &app.store,
        app.org_id,
        None,
        r.json["id"].as_i64().unwrap(),
        0,
        false,
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn imap_to_case_reply_by_smtp_and_the_answer_threads_back() {
    let Some(s) = servers() else {
        eprintln!("PACTE_TEST_IMAP not set: email test skipped");
        return;
    };
    for db in backends().await {
        let app = TestApp::new(db).await;
        publish_email_promise(&app).await;
        let tag = unique("t");
        let inbox_user = format!("support-{tag}");
        let address = format!("support-{tag}@acme.fr");
        let customer = format!("renee-{tag}@example.fr");
        let m = mailbox(&app, &s, &address, &inbox_user).await;
        let id = m["id"].as_i64().unwrap();
        let test = app
            .post(
                &format!("/api/v1/mailboxes/{id}/test"),
                &app.admin,
                json!({}),
            )
            .await;
        assert_eq!(test.json["imap"]["ok"], true, "{}", test.json);
        assert_eq!(test.json["smtp"]["ok"], true, "{}", test.json);

        // The customer writes, in Latin-1 with an attachment.
        let first = format!(
            "From: =?ISO-8859-1?Q?Ren=E9e_Lef=E8vre?= <{customer}>\r\nTo: {address}\r\n\
Subject: =?ISO-8859-1?Q?Colis_ab=EEm=E9?=\r\nMessage-ID: <m1-{tag}@example.fr>\r\n\
Date: Mon, 2 Nov 2026 10:00:00 +0100\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\n\
Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n\
Mon colis est arriv=E9 ab=EEm=E9.\r\n--b\r\nContent-Type: image/jpeg; name=\"photo.jpg\"\r\n\
Content-Disposition: attachment; filename=\"photo.jpg\"\r\nContent-Transfer-Encoding: base64\r\n\r\n\
/9j/4AAQSkZJRg==\r\n--b--\r\n"
        );
        deliver(&s, &inbox_user, &first).await;
        let mb = stored_mailbox(&app, id).await;
        assert_eq!(
            imap::poll_once(&app.store, &mb, app.state.config.egress())
                .await
                .unwrap(),
            1
        );
        assert_eq!(
            seen_flags(&s, &inbox_user).await,
            vec![true],
            "flagged once recorded"
        );
        let mb = stored_mailbox(&app, id).await;
        assert_eq!(
            imap::poll_once(&app.store, &mb, app.state.config.egress())
                .await
                .unwrap(),
            0,
            "nothing twice"
        );

        let cases = app.get("/api/v1/cases", &app.advisor).await;
        assert_eq!(cases.status, StatusCode::OK, "{}", cases.json);
        let case = cases.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["subject"] == "Colis abîmé")
            .unwrap_or_else(|| panic!("case opened: {}", cases.json))
            .clone();
        let case_id = case["id"].as_i64().unwrap();
        let number = case["number"].as_i64().unwrap();
        let emails = emails_of(&app, case_id).await;
        assert_eq!(emails.len(), 2, "the message and its acknowledgement");
        let att = &emails[0]["attachments"][0];
        assert_eq!(att["name"], "photo.jpg");
        let download = app
            .get(&format!("/api/v1/attachments/{}", att["id"]), &app.advisor)
            .await;
        assert_eq!(download.status, StatusCode::OK);
        assert!(
            download.headers["content-disposition"]
                .to_str()
                .unwrap()
                .starts_with("attachment")
        );

        // The acknowledgement goes out by SMTP, stating the published promise.
        assert!(
            outbound::send_due(&app.store, app.state.config.egress())
                .await
                .unwrap()
                >= 1
        );
        let acks = sent_to(&s, &customer);
        assert_eq!(acks.len(), 1, "one acknowledgement");
        let ack = &acks[0];
        assert!(ack.contains("48 heures ouvr"), "promise stated: {ack}");
        assert!(ack.contains(&format!("[#ACME-{number}]")));
        assert_eq!(header(ack, "Auto-Submitted"), Some("auto-replied"));
        assert_eq!(
            header(ack, "In-Reply-To"),
            Some(format!("<m1-{tag}@example.fr>").as_str())
        );

        // The advisor replies; the reply is threaded for the customer's mail client.
        let r = app
            .post(
                &format!("/api/v1/cases/{case_id}/replies"),
                &app.advisor,
                json!({"body": "Nous vous envoyons un colis de remplacement."}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
        assert_eq!(
            outbound::send_due(&app.store, app.state.config.egress())
                .await
                .unwrap(),
            1
        );
        let sent = sent_to(&s, &customer);
        assert_eq!(sent.len(), 2);
        let reply = &sent[1];
        assert_eq!(
            header(reply, "In-Reply-To"),
            Some(format!("<m1-{tag}@example.fr>").as_str())
        );
        assert!(
            header(reply, "References")
                .unwrap()
                .contains(&format!("<m1-{tag}@example.fr>"))
        );
        assert!(header(reply, "From").unwrap().contains(&address));
        assert!(
            header(reply, "Subject")
                .unwrap()
                .contains(&format!("[#ACME-{number}]"))
        );
        assert!(reply.contains("multipart/alternative") && reply.contains("text/html"));
        let reply_id = header(reply, "Message-ID").unwrap().to_string();
        let case_now = app
            .get(&format!("/api/v1/cases/{case_id}"), &app.advisor)
            .await;
        assert!(
            case_now.json["first_response_at"].is_string(),
            "the reply is the first response, not the acknowledgement: {}",
            case_now.json
        );

        // The customer answers the reply under another subject: same case. An unrelated message
        // with the first subject opens a new one.
        deliver(
            &s,
            &inbox_user,
            &format!(
                "From: {customer}\r\nTo: {address}\r\nSubject: merci\r\nMessage-ID: <m2-{tag}@example.fr>\r\n\
In-Reply-To: {reply_id}\r\nReferences: <m1-{tag}@example.fr> {reply_id}\r\n\r\nMerci, bien reçu.\r\n"
            ),
        )
        .await;
        deliver(
            &s,
            &inbox_user,
            &format!(
                "From: {customer}\r\nTo: {address}\r\nSubject: Colis abîmé\r\nMessage-ID: <m3-{tag}@example.fr>\r\n\r\nUn autre colis, une autre histoire.\r\n"
            ),
        )
        .await;
        let mb = stored_mailbox(&app, id).await;
        assert_eq!(
            imap::poll_once(&app.store, &mb, app.state.config.egress())
                .await
                .unwrap(),
            2
        );
        let emails = emails_of(&app, case_id).await;
        assert_eq!(emails.len(), 4, "message, ack, reply, answer");
        assert_eq!(
            emails[3]["email"]["message_id"],
            format!("m2-{tag}@example.fr")
        );
        let cases = app.get("/api/v1/cases", &app.advisor).await;
        let same_subject = cases.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["subject"] == "Colis abîmé")
            .count();
        assert_eq!(same_subject, 2, "never merged on a shared subject");

        // The case is solved; an out-of-office reply to our reply is kept but reopens nothing.
        let r = app
            .patch(
                &format!("/api/v1/cases/{case_id}"),
                &app.advisor,
                json!({"status": "solved"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.json);
        let ooo = post_raw(
            &app,
            format!(
                "From: {customer}\r\nTo: {address}\r\nSubject: Réponse automatique : absente\r\n\
Auto-Submitted: auto-replied\r\nMessage-ID: <ooo-{tag}@example.fr>\r\nIn-Reply-To: {reply_id}\r\n\r\nJe suis absente.\r\n"
            ),
        )
        .await;
        assert_eq!(ooo.status, StatusCode::CREATED, "{}", ooo.json);
        assert_eq!(ooo.json["kind"], "auto_reply");
        assert_eq!(ooo.json["case_id"], case_id);
        assert_eq!(ooo.json["acknowledged"], false);
        let case_now = app
            .get(&format!("/api/v1/cases/{case_id}"), &app.advisor)
            .await;
        assert_eq!(case_now.json["status"], "solved", "not reopened");
        outbound::send_due(&app.store, app.state.config.egress())
            .await
            .unwrap();
        assert_eq!(
            sent_to(&s, &customer).len(),
            3,
            "only the new case's acknowledgement was added"
        );
    }
}

#[tokio::test]
async fn relay_api_refuses_clearly_and_never_loses_what_it_accepts() {
    for db in backends().await {
        let app = TestApp::new(db).await;
        let tag = unique("r");
        let address = format!("contact-{tag}@acme.fr");
        // No SMTP: nothing is acknowledged, everything is recorded.
        let r = app
            .post("/api/v1/mailboxes", &app.admin, json!({"address": address}))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
        let dup = app
            .post(
                "/api/v1/mailboxes",
                &app.admin,
                json!({"address": address.to_uppercase()}),
            )
            .await;
        assert_eq!(dup.status, StatusCode::CONFLICT, "{}", dup.json);
        let bad = app
            .post(
                "/api/v1/mailboxes",
                &app.admin,
                json!({"address": "pas une adresse", "imap_host": "x", "smtp_security": "ssl3"}),
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        let fields: Vec<&str> = bad.json["error"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap())
            .collect();
        assert!(
            fields.contains(&"address")
                && fields.contains(&"imap_user")
                && fields.contains(&"smtp_security"),
            "{fields:?}"
        );

        let msg = |id: &str, from: &str, extra: &str, subject: &str| {
            format!(
                "From: {from}\r\nTo: {address}\r\nSubject: {subject}\r\nMessage-ID: <{id}>\r\n{extra}\r\nBonjour\r\n"
            )
        };
        let customer = format!("paul-{tag}@example.fr");
        let first = post_raw(&app, msg(&format!("a-{tag}@x"), &customer, "", "Ma carte")).await;
        assert_eq!(first.status, StatusCode::CREATED, "{}", first.json);
        let number = first.json["case_number"].as_i64().unwrap();
        let again = post_raw(&app, msg(&format!("a-{tag}@x"), &customer, "", "Ma carte")).await;
        assert_eq!(again.status, StatusCode::OK);
        assert_eq!(again.json["duplicate"], true);

        // The case token threads a message without headers, for the case's own customer only.
        let token = format!("Re: Ma carte [#ACME-{number}]");
        let follow = post_raw(&app, msg(&format!("b-{tag}@x"), &customer, "", &token)).await;
        assert_eq!(follow.json["case_id"], first.json["case_id"]);
        let stranger = post_raw(
            &app,
            msg(
                &format!("c-{tag}@x"),
                &format!("eve-{tag}@example.fr"),
                "",
                &token,
            ),
        )
        .await;
        assert_ne!(
            stranger.json["case_id"], first.json["case_id"],
            "a token alone gives no access to another's case"
        );

        // Outlook's Thread-Index joins a conversation without Message-ID references.
        use base64::Engine;
        let root: Vec<u8> = tag.bytes().cycle().take(22).collect();
        let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
        let ti = b64(&root);
        let ti_reply = b64(&[root.as_slice(), &[1, 2, 3, 4, 5]].concat());
        let o1 = post_raw(
            &app,
            msg(
                &format!("d-{tag}@x"),
                &customer,
                &format!("Thread-Index: {ti}\r\n"),
                "Outlook",
            ),
        )
        .await;
        let o2 = post_raw(
            &app,
            msg(
                &format!("e-{tag}@x"),
                &customer,
                &format!("Thread-Index: {ti_reply}\r\n"),
                "RE: Outlook",
            ),
        )
        .await;
        assert_eq!(
            o1.json["case_id"], o2.json["case_id"],
            "{} {}",
            o1.json, o2.json
        );

        // Mailing lists and bounces about nothing we sent open no case.
        let list = post_raw(
            &app,
            msg(
                &format!("f-{tag}@x"),
                "news@shop.example",
                "Precedence: bulk\r\nList-Id: <news.shop.example>\r\n",
                "Promotions",
            ),
        )
        .await;
        assert_eq!(list.json["kind"], "bulk");
        assert!(list.json["case_id"].is_null());

        // Hostile input: garbage, a header-injection subject, deep nesting, a huge attachment.
        let empty = post_raw(&app, "  \r\n").await;
        assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(empty.json["error"]["fields"][0]["code"], "empty");
        let garbage = post_raw(&app, vec![0xffu8, 0xfe, 0x00, 0x41, 0x0a]).await;
        assert_eq!(garbage.status, StatusCode::CREATED, "{}", garbage.json);
        assert!(
            garbage.json["warnings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|w| w["code"] == "unparsable"),
            "{}",
            garbage.json
        );
        let mut nested = format!(
            "From: {customer}\r\nTo: {address}\r\nMessage-ID: <n-{tag}@x>\r\nSubject: nested\r\n"
        );
        for i in 0..300 {
            nested.push_str(&format!(
                "Content-Type: multipart/mixed; boundary=\"b{i}\"\r\n\r\n--b{i}\r\n"
            ));
        }
        nested.push_str("Content-Type: text/plain\r\n\r\nau fond\r\n");
        let deep = post_raw(&app, nested).await;
        assert_eq!(deep.status, StatusCode::CREATED, "{}", deep.json);
        let big = vec![b'A'; 27 << 20];
        let huge = format!(
            "From: {customer}\r\nTo: {address}\r\nMessage-ID: <h-{tag}@x>\r\nSubject: scan\r\n\
Content-Type: multipart/mixed; boundary=z\r\n\r\n--z\r\nContent-Type: text/plain\r\n\r\nvoir scan\r\n\
--z\r\nContent-Type: application/octet-stream; name=scan.bin\r\nContent-Disposition: attachment; filename=scan.bin\r\n\r\n{}\r\n--z--\r\n",
            String::from_utf8(big).unwrap()
        );
        let huge = post_raw(&app, huge).await;
        assert_eq!(huge.status, StatusCode::CREATED, "{}", huge.json);
        assert!(
            huge.json["warnings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|w| w["code"] == "attachment_too_large")
        );
        let raw = app
            .get(
                &format!("/api/v1/emails/{}/raw", huge.json["email_id"]),
                &app.advisor,
            )
            .await;
        assert_eq!(raw.status, StatusCode::OK, "the raw message is kept whole");

        // A sender writing in a loop is recorded but stops opening cases.
        let bot = format!("bot-{tag}@example.fr");
        let mut last = Value::Null;
        for i in 0..=email::inbound::SENDER_LIMIT_PER_HOUR {
            last = post_raw(
                &app,
                msg(
                    &format!("loop{i}-{tag}@x"),
                    &bot,
                    "",
                    &format!("Alerte {i}"),
                ),
            )
            .await
            .json;
        }
        assert!(
            last["warnings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|w| w["code"] == "rate_limited"),
            "{last}"
        );
        assert!(last["case_id"].is_null());

        // A refused relay: unknown token.
        let r = app
            .send(
                Request::builder()
                    .method("POST")
                    .uri("/api/v1/inbound/email")
                    .header("authorization", "Bearer nope")
                    .body(Body::from("From: a@b.fr\r\n\r\nx"))
                    .unwrap(),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn replies_cannot_inject_headers_and_failures_show_on_the_case() {
    let Some(s) = servers() else {
        eprintln!("PACTE_TEST_SMTP not set: email test skipped");
        return;
    };
    for db in backends().await {
        let app = TestApp::new(db).await;
        let tag = unique("h");
        let address = format!("aide-{tag}@acme.fr");
        let customer = format!("jo-{tag}@example.fr");
        let r = app
            .post(
                "/api/v1/mailboxes",
                &app.admin,
                json!({"address": address, "smtp_host": s.smtp.0, "smtp_port": s.smtp.1, "smtp_security": "none"}),
            )
            .await;
        let mailbox_id = r.json["id"].as_i64().unwrap();
        // A case from the web form, whose subject tries to add a Bcc to our reply.
        let created = app
            .post(
                "/api/v1/interactions",
                &app.admin,
                json!({"channel": "email", "direction": "inbound", "customer": {"email": customer},
                       "subject": "Hello\r\nBcc: victim@example.com", "body": "?"}),
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.json);
        let case_id = created.json["case_id"].as_i64().unwrap();
        let r = app
            .post(
                &format!("/api/v1/cases/{case_id}/replies"),
                &app.advisor,
                json!({"body": "Bonjour"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED);
        assert_eq!(
            outbound::send_due(&app.store, app.state.config.egress())
                .await
                .unwrap(),
            1
        );
        let sent = sent_to(&s, &customer);
        assert_eq!(sent.len(), 1);
        assert!(!sent[0].contains("\nBcc:"), "{}", sent[0]);
        assert!(sent_to(&s, "victim@example.com").is_empty());

        // The SMTP server goes away: the failure and the next attempt show on the case.
        let r = app
            .put(
                &format!("/api/v1/mailboxes/{mailbox_id}"),
                &app.admin,
                json!({"address": address, "smtp_host": "127.0.0.1", "smtp_port": 9, "smtp_security": "none"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.json);
        app.post(
            &format!("/api/v1/cases/{case_id}/replies"),
            &app.advisor,
            json!({"body": "Encore"}),
        )
        .await;
        assert_eq!(
            outbound::send_due(&app.store, app.state.config.egress())
                .await
                .unwrap(),
            0
        );
        let emails = emails_of(&app, case_id).await;
        let failed = emails.last().unwrap();
        assert_eq!(failed["email"]["status"], "queued");
        assert_eq!(failed["email"]["attempts"], 1);
        assert!(
            failed["email"]["error"].as_str().unwrap().len() > 3,
            "{failed}"
        );
        let next: jiff::Timestamp = failed["email"]["next_attempt_at"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(next.as_millisecond() > pacte::service::now_ms());

        // A delivery report for the first reply marks it failed and says so on the case.
        let out_id = emails
            .iter()
            .find(|e| e["email"]["status"] == "sent")
            .unwrap()["email"]["message_id"]
            .as_str()
            .unwrap()
            .to_string();
        let dsn = format!(
            "From: MAILER-DAEMON@mx.example.com\r\nTo: {address}\r\nSubject: Undelivered Mail\r\n\
Message-ID: <dsn-{tag}@mx>\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=q\r\n\r\n\
--q\r\nContent-Type: text/plain\r\n\r\nMailbox unknown\r\n--q\r\nContent-Type: text/rfc822-headers\r\n\r\n\
Message-ID: <{out_id}>\r\nTo: {customer}\r\n\r\n--q--\r\n"
        );
        let b = post_raw(&app, dsn).await;
        assert_eq!(b.json["kind"], "bounce", "{}", b.json);
        assert_eq!(b.json["case_id"], case_id);
        let detail = app
            .get(&format!("/api/v1/cases/{case_id}"), &app.advisor)
            .await;
        assert!(
            detail.json["events"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["kind"] == "email_failed"),
            "{}",
            detail.json
        );
        let emails = emails_of(&app, case_id).await;
        assert!(
            emails
                .iter()
                .any(|e| e["email"]["message_id"] == out_id && e["email"]["status"] == "failed")
        );
    }
}

/// The fuzzer's corpus, kept in the repository, replayed on every run: nothing in it may panic
/// or break an invariant of reading and threading.
#[test]
fn fuzz_corpus_keeps_its_invariants() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/parse_and_thread");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let raw = std::fs::read(entry.unwrap().path()).unwrap();
        pacte::domain::email::check_invariants(&raw);
        n += 1;
    }
    assert!(n >= 10, "the corpus is in the repository");
}

/// A folder renumbered by the server (new UIDVALIDITY) is read again from the start without
/// recording anything twice; handled messages are moved to the folder named for them.
#[tokio::test]
async fn a_renumbered_folder_is_reread_without_duplicates() {
    let Some(s) = servers() else {
        eprintln!("PACTE_TEST_IMAP not set: email test skipped");
        return;
    };
    for db in backends().await {
        let app = TestApp::new(db).await;
        let tag = unique("u");
        let user = format!("uv-{tag}");
        let address = format!("uv-{tag}@acme.fr");
        let mut admin = imap_session(&s, &user).await;
        admin.create("Support").await.unwrap();
        admin.create("Done").await.unwrap();
        let r = app
            .post(
                "/api/v1/mailboxes",
                &app.admin,
                json!({"address": address, "imap_host": s.imap.0, "imap_port": s.imap.1,
                       "imap_security": "none", "imap_user": user, "imap_password": "secret",
                       "imap_folder": "Support", "imap_done_folder": "Done"}),
            )
            .await;
        let id = r.json["id"].as_i64().unwrap();
        let msg = |n: u32| {
            format!(
                "From: c-{tag}@example.fr\r\nTo: {address}\r\nSubject: n{n}\r\nMessage-ID: <{n}-{tag}@example.fr>\r\n\r\nx\r\n"
            )
        };
        admin.append("Support", None, None, msg(1)).await.unwrap();
        assert_eq!(
            imap::poll_once(
                &app.store,
                &stored_mailbox(&app, id).await,
                app.state.config.egress()
            )
            .await
            .unwrap(),
            1
        );
        assert_eq!(
            admin.select("Support").await.unwrap().exists,
            0,
            "moved once recorded"
        );
        assert_eq!(admin.select("Done").await.unwrap().exists, 1);
        let before = stored_mailbox(&app, id).await.uid_validity;

        // The folder is deleted and made again: same name, new UIDVALIDITY, the old message back.
        admin.select("INBOX").await.unwrap();
        admin.delete("Support").await.unwrap();
        admin.create("Support").await.unwrap();
        admin.append("Support", None, None, msg(1)).await.unwrap();
        admin.append("Support", None, None, msg(2)).await.unwrap();
        let m = stored_mailbox(&app, id).await;
        assert_eq!(
            imap::poll_once(&app.store, &m, app.state.config.egress())
                .await
                .unwrap(),
            2,
            "both read again"
        );
        let after = stored_mailbox(&app, id).await;
        assert_ne!(after.uid_validity, before);
        let cases = app.get("/api/v1/cases", &app.advisor).await;
        assert_eq!(
            cases.json["items"].as_array().unwrap().len(),
            2,
            "n1 once, n2 once: {}",
            cases.json
        );
        admin.logout().await.unwrap();
    }
}

/// SMTP with STARTTLS and a login, against a real server that requires both.
#[tokio::test]
async fn smtp_with_starttls_and_a_login() {
    if servers().is_none() {
        eprintln!("PACTE_TEST_SMTP not set: email test skipped");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    let made = std::process::Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
        ])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("openssl runs");
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let maildir = dir.path().join("maildir");
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/support/smtp_tls.py");
    let mut server = Killed(
        std::process::Command::new("python3")
            .arg(script)
            .args([&cert, &key, &maildir])
            .args([port.to_string().as_str(), "relay", "s3cret"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("python3 runs"),
    );
    let mut ready = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(server.0.stdout.take().unwrap()),
        &mut ready,
    )
    .unwrap();
    assert_eq!(ready.trim(), "ready");
    let s = Servers {
        imap: ("127.0.0.1".into(), 0),
        smtp: ("127.0.0.1".into(), port),
        maildir,
    };
    for db in backends().await {
        let app = TestApp::new(db).await;
        let tag = unique("s");
        let address = format!("tls-{tag}@acme.fr");
        let customer = format!("zoe-{tag}@example.fr");
        let settings = |password: &str| {
            json!({"address": address, "smtp_host": "127.0.0.1", "smtp_port": port, "smtp_security": "starttls",
                   "smtp_user": "relay", "smtp_password": password})
        };
        let r = app
            .post("/api/v1/mailboxes", &app.admin, settings("s3cret"))
            .await;
        let id = r.json["id"].as_i64().unwrap();
        let test = app
            .post(
                &format!("/api/v1/mailboxes/{id}/test"),
                &app.admin,
                json!({}),
            )
            .await;
        assert_eq!(test.json["smtp"]["ok"], true, "{}", test.json);
        let created = app
            .post(
                "/api/v1/interactions",
                &app.admin,
                json!({"channel": "email", "direction": "inbound", "customer": {"email": customer}, "subject": "Question", "body": "?"}),
            )
            .await;
        let case_id = created.json["case_id"].as_i64().unwrap();
        app.post(
            &format!("/api/v1/cases/{case_id}/replies"),
            &app.advisor,
            json!({"body": "Réponse chiffrée"}),
        )
        .await;
        assert_eq!(
            outbound::send_due(&app.store, app.state.config.egress())
                .await
                .unwrap(),
            1
        );
        assert_eq!(sent_to(&s, &customer).len(), 1);
    }
    drop(server);
}

/// A child process killed when dropped, even when a test panics.
struct Killed(std::process::Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
