//! The inbox counts kept by triggers agree with counting the cases, through every kind of change.

use crate::support::{TestApp, backends, email_in};
use pacte::service::case::{self, ListQuery};
use serde_json::json;

async fn counts(app: &TestApp, q: &ListQuery) -> Vec<(String, i64)> {
    let actor = pacte::service::auth::authenticate_token(&app.store, &app.advisor)
        .await
        .unwrap();
    let mut c = case::list(&app.store, &actor, q, true)
        .await
        .unwrap()
        .counts;
    c.retain(|(_, n)| *n != 0);
    c.sort();
    c
}

async fn truth(app: &TestApp, q: &str) -> Vec<(String, i64)> {
    let items = app
        .get(&format!("/api/v1/cases?limit=200{q}"), &app.advisor)
        .await
        .json;
    let mut m = std::collections::BTreeMap::new();
    for c in items["items"].as_array().unwrap() {
        *m.entry(c["status"].as_str().unwrap().to_string())
            .or_insert(0) += 1;
    }
    m.into_iter().collect()
}

#[tokio::test]
async fn counters_follow_every_change() {
    for db in backends().await {
        let app = TestApp::new(db).await;
        app.post(
            "/api/v1/sites",
            &app.admin,
            json!({"code": "lille", "name": "Lille", "kind": "agency"}),
        )
        .await;
        let mut ids = Vec::new();
        for i in 0..12 {
            let mut b = email_in(
                &format!("k{i}@exemple.fr"),
                "Sujet",
                "x",
                "2026-10-01T09:00:00Z",
            );
            if i % 3 == 0 {
                b["site"] = json!("lille");
            }
            ids.push(app.interaction(b).await["case_id"].as_i64().unwrap());
        }
        for (i, id) in ids.iter().enumerate() {
            let patch = match i % 4 {
                0 => json!({"status": "solved"}),
                1 => json!({"status": "pending", "assignee_id": app.advisor_id}),
                2 => json!({"kind": "complaint"}),
                _ => json!({"status": "closed"}),
            };
            app.call(
                "PATCH",
                &format!("/api/v1/cases/{id}"),
                Some(&app.advisor),
                Some(patch),
                &[],
            )
            .await;
        }
        // Reopen one by a customer reply, reply to another (assigns it).
        app.interaction(email_in(
            "k0@exemple.fr",
            "RE: Sujet",
            "encore",
            &pacte::service::iso(pacte::service::now_ms() + 1000),
        ))
        .await;
        app.post(
            &format!("/api/v1/cases/{}/replies", ids[2]),
            &app.advisor,
            json!({"body": "ok"}),
        )
        .await;
        assert_eq!(
            counts(&app, &ListQuery::default()).await,
            truth(&app, "").await,
            "{}",
            app.db.backend
        );
        let lille = ListQuery {
            site: Some("lille".into()),
            ..Default::default()
        };
        assert_eq!(counts(&app, &lille).await, truth(&app, "&site=lille").await);
        let mine = ListQuery {
            assignee: Some("me".into()),
            ..Default::default()
        };
        assert_eq!(
            counts(&app, &mine).await,
            truth(&app, &format!("&assignee={}", app.advisor_id)).await
        );
        let none = ListQuery {
            assignee: Some("none".into()),
            kind: Some("request".into()),
            ..Default::default()
        };
        assert_eq!(
            counts(&app, &none).await,
            truth(&app, "&assignee=none&kind=request").await
        );
        assert!(!counts(&app, &mine).await.is_empty());
    }
}
