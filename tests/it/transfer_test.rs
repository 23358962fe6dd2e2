//! Import (JSONL and CSV) and export, through the service the CLI uses, on every backend.

use crate::support::{TestApp, backends};
use pacte::service::transfer::{self, Format};

const JSONL: &str = r#"{"channel":"email","direction":"inbound","occurred_at":"2026-09-01T08:00:00Z","customer":{"email":"a@exemple.fr","name":"Anne"},"subject":"Colis","body":"Où est-il ?"}
{"channel":"email","direction":"outbound","occurred_at":"2026-09-01T10:00:00Z","customer":{"email":"a@exemple.fr"},"subject":"RE: Colis","body":"Il arrive.","status":"solved"}
{"channel":"fax","direction":"inbound","customer":{"email":"b@exemple.fr"},"body":"x"}
not json at all

{"channel":"phone","direction":"inbound","occurred_at":"2026-09-02T08:00:00Z","customer":{"phone":"0611223344","email":"a@exemple.fr"},"subject":"Autre","body":"Appel"}
{"channel":"letter","direction":"inbound","occurred_at":"2026-09-03T08:00:00Z","customer":{"customer_number":"C-1"},"body":"Lettre","site":"nulle-part"}
{"channel":"email","direction":"inbound","occurred_at":"2026-09-01T08:00:00Z","customer":{"email":"a@exemple.fr","name":"Anne"},"subject":"Colis","body":"Où est-il ?"}
"#;

#[tokio::test]
async fn import_reports_bad_lines_and_reruns_safely() {
    for db in backends().await {
        let app = TestApp::new(db).await;
        let report = transfer::import(
            &app.store,
            app.org_id,
            JSONL.as_bytes(),
            Format::Jsonl,
            |_| {},
        )
        .await
        .unwrap();
        assert_eq!(report.read, 7);
        assert_eq!(
            report.accepted, 4,
            "the repeated line is accepted, and stored once"
        );
        let lines: Vec<u64> = report.errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, [3, 4, 7], "{:?}", report.errors);
        assert!(report.errors[0].message.contains("channel"));
        assert!(report.errors[1].message.contains("invalid JSON"));
        assert!(report.errors[2].message.contains("site"));
        let again = transfer::import(
            &app.store,
            app.org_id,
            JSONL.as_bytes(),
            Format::Jsonl,
            |_| {},
        )
        .await
        .unwrap();
        assert_eq!(again.accepted, 4);
        let mut out = Vec::new();
        let n = transfer::export(&app.store, app.org_id, &mut out)
            .await
            .unwrap();
        assert_eq!(n, 3, "a rerun imports nothing twice");
        let cases = app.get("/api/v1/cases", &app.advisor).await.json;
        let items = cases["items"].as_array().unwrap();
        assert_eq!(items.len(), 2);
        let colis = items.iter().find(|c| c["subject"] == "Colis").unwrap();
        assert_eq!(colis["status"], "solved");
        assert!(colis["first_response_at"].is_string());
        // Export then import into another organisation reproduces the same history.
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.lines().count(), 3);
        let other = pacte::service::org::create_org(&app.store, "copie", "Copie")
            .await
            .unwrap();
        let copy = transfer::import(&app.store, other.id, text.as_bytes(), Format::Jsonl, |_| {})
            .await
            .unwrap();
        assert_eq!((copy.accepted, copy.errors.len()), (3, 0));
    }
}

#[tokio::test]
async fn csv_import_names_line_and_field() {
    for db in backends().await {
        let app = TestApp::new(db).await;
        let csv = "channel,direction,occurred_at,email,phone,name,subject,body\n\
                   counter,inbound,2026-09-01T08:00:00Z,,06 11 22 33 44,Jean,Guichet,Retrait colis\n\
                   email,inbound,2026-09-01T09:00:00Z,pas-un-email,,Jean,X,Y\n\
                   email,inbound,2026-09-02T09:00:00Z,jean@exemple.fr,0611223344,Jean,Suite,\"Texte, avec virgule\"\n";
        let r = transfer::import(&app.store, app.org_id, csv.as_bytes(), Format::Csv, |_| {})
            .await
            .unwrap();
        assert_eq!((r.read, r.accepted), (3, 2));
        assert_eq!(r.errors[0].line, 3);
        assert!(
            r.errors[0].message.contains("customer.email"),
            "{}",
            r.errors[0].message
        );
        let s = app
            .get("/api/v1/customers?email=jean@exemple.fr", &app.advisor)
            .await
            .json;
        let id = s["items"][0]["id"].as_i64().unwrap();
        let v = app
            .get(&format!("/api/v1/customers/{id}"), &app.advisor)
            .await
            .json;
        assert_eq!(
            v["timeline"].as_array().unwrap().len(),
            2,
            "counter visit and email: one customer"
        );
        let bad = transfer::import(
            &app.store,
            app.org_id,
            "chanel,body\nemail,x\n".as_bytes(),
            Format::Csv,
            |_| {},
        )
        .await;
        assert!(matches!(bad, Err(pacte::service::Error::Invalid(_))));
    }
}

#[tokio::test]
async fn a_line_that_is_not_utf8_is_refused_alone() {
    let db = backends().await.remove(0);
    let app = TestApp::new(db).await;
    let mut file = Vec::new();
    file.extend_from_slice(br#"{"channel":"email","direction":"inbound","customer":{"email":"a@exemple.fr"},"body":"un"}"#);
    file.extend_from_slice(b"\r\n{\"channel\":\"email\",\"direction\":\"inbound\",\"customer\":{\"email\":\"b@exemple.fr\"},\"body\":\"r\xe9clamation\"}\n");
    file.extend_from_slice(br#"{"channel":"email","direction":"inbound","customer":{"email":"c@exemple.fr"},"body":"trois"}"#);
    let r = transfer::import(&app.store, app.org_id, &file[..], Format::Jsonl, |_| {})
        .await
        .unwrap();
    assert_eq!((r.read, r.accepted), (3, 2));
    assert_eq!(r.errors[0].line, 2);
    assert!(
        r.errors[0].message.contains("UTF-8"),
        "{}",
        r.errors[0].message
    );
}
