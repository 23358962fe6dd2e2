//! One ingest rule, two drivers: random histories recorded one by one (each contact in its own
//! transaction) and set-wise in batches leave the same customers, identities, cases, events,
//! interactions, charter measures and non-conformities, on every backend.

use crate::support::{TestApp, TestDb, backends};
use pacte::service::charter::{self, CommitmentInput};
use pacte::service::ingest::{self, InteractionInput, Valid};
use pacte::service::org::{self, SiteInput};
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};
use sqlx::Row;
use std::collections::HashMap;

/// A history of `n` contacts from a small crowd, so that customers come back, show a second
/// identity, continue, reopen and solve cases, wait in queues and cross bounds.
fn history(seed: u64, n: usize) -> Vec<Value> {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let subjects = [
        Some("Colis perdu"),
        Some("Facture"),
        Some("Re: Facture"),
        Some("Déménagement"),
        None,
    ];
    let mut at = "2026-03-01T08:00:00Z"
        .parse::<jiff::Timestamp>()
        .unwrap()
        .as_millisecond();
    let iso = |t: i64| jiff::Timestamp::from_millisecond(t).unwrap().to_string();
    let mut out: Vec<Value> = Vec::new();
    for i in 0..n {
        at += rng.random_range(1..6 * 3_600_000);
        if i > 10 && rng.random_bool(0.03) {
            // A line sent twice: recorded once.
            out.push(out[rng.random_range(0..out.len())].clone());
            continue;
        }
        let who = rng.random_range(0..30);
        let mut customer = serde_json::Map::new();
        match rng.random_range(0..4) {
            0 => customer.insert("email".into(), json!(format!("client{who}@exemple.fr"))),
            1 => customer.insert("phone".into(), json!(format!("+336000000{who:02}"))),
            2 => customer.insert("customer_number".into(), json!(format!("N{who:04}"))),
            _ => {
                // Two identities at once: a new one is attached to the known one.
                customer.insert("email".into(), json!(format!("client{who}@exemple.fr")));
                customer.insert("phone".into(), json!(format!("+336000000{who:02}")))
            }
        };
        if rng.random_bool(0.5) {
            customer.insert("name".into(), json!(format!("Client {who}")));
        }
        let channel = ["email", "phone", "counter", "chat", "web_form"][rng.random_range(0..5)];
        let outbound = rng.random_bool(0.3);
        let mut v = json!({
            "channel": channel,
            "direction": if outbound { "outbound" } else { "inbound" },
            "occurred_at": iso(at),
            "customer": customer,
            "body": format!("Message {i}"),
            "external_id": format!("h-{i}"),
        });
        if let Some(s) = subjects[rng.random_range(0..subjects.len())] {
            v["subject"] = json!(s);
        }
        if rng.random_bool(0.25) {
            v["status"] = json!(["solved", "pending", "closed", "open"][rng.random_range(0..4)]);
        }
        if rng.random_bool(0.3) {
            v["category"] = json!(["colis", "facture"][rng.random_range(0..2)]);
        }
        if rng.random_bool(0.4) {
            v["site"] = json!("lyon");
        }
        if !outbound && matches!(channel, "phone" | "counter" | "chat") {
            v["queued_at"] = json!(iso(at - rng.random_range(0..25) * 60_000));
            v["answered_at"] = json!(iso(at));
        }
        out.push(v);
    }
    out
}

async fn set_up(db: TestDb) -> TestApp {
    let app = TestApp::new(db).await;
    org::add_site_unchecked(
        &app.store,
        app.org_id,
        &SiteInput {
            code: "lyon".into(),
            name: "Lyon".into(),
            kind: "agency".into(),
            time_zone: "Europe/Paris".into(),
            opening_hours: "mon-fri 09:00-18:00".into(),
        },
    )
    .await
    .unwrap();
    for input in [
        CommitmentInput {
            title_fr: "Réponse".into(),
            title_en: "Answer".into(),
            wording_fr: "Sous 8 heures ouvrées".into(),
            wording_en: "Within 8 business hours".into(),
            metric: "first_response".into(),
            channels: vec!["email".into(), "web_form".into(), "chat".into()],
            nominal_minutes: Some(480),
            requirement_pct: 80.0,
            unacceptable_minutes: Some(2_880),
            business_time: true,
            period: "month".into(),
            ..Default::default()
        },
        CommitmentInput {
            title_fr: "Attente".into(),
            title_en: "Wait".into(),
            wording_fr: "Moins de 5 minutes".into(),
            wording_en: "Under 5 minutes".into(),
            metric: "counter_wait".into(),
            channels: vec!["counter".into()],
            nominal_minutes: Some(5),
            requirement_pct: 85.0,
            unacceptable_minutes: Some(15),
            period: "week".into(),
            ..Default::default()
        },
        CommitmentInput {
            title_fr: "Du premier coup".into(),
            title_en: "Once and done".into(),
            wording_fr: "Réglé du premier coup".into(),
            wording_en: "Solved at once".into(),
            metric: "once_and_done".into(),
            channels: vec!["email".into(), "phone".into(), "counter".into()],
            requirement_pct: 60.0,
            period: "month".into(),
            ..Default::default()
        },
    ] {
        let c = charter::create_unchecked(&app.store, app.org_id, None, &input)
            .await
            .unwrap();
        charter::publish_at(&app.store, app.org_id, None, c.id, 0, false)
            .await
            .unwrap();
    }
    app
}

/// Every row the rule writes, with ids replaced by their rank (PostgreSQL's sequences leave gaps
/// where a batch reserved more ids than it used) and creation times left out.
async fn snapshot(db: &TestDb) -> Vec<String> {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&db.url).await.unwrap();
    let ids = |table: &str| {
        let sql = format!("SELECT id FROM {table} ORDER BY id");
        let pool = pool.clone();
        async move {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .fetch_all(&pool)
                .await
                .unwrap();
            rows.iter()
                .enumerate()
                .map(|(rank, r)| (r.get::<i64, _>(0), rank as i64 + 1))
                .collect::<HashMap<i64, i64>>()
        }
    };
    let (customers, cases, interactions) = (
        ids("customer").await,
        ids("support_case").await,
        ids("interaction").await,
    );
    let rank = |m: &HashMap<i64, i64>, id: Option<i64>| id.map(|i| m[&i]);
    let mut out = Vec::new();
    for r in
        sqlx::query("SELECT id, display_name, name_key, created_at, last_contact_at FROM customer")
            .fetch_all(&pool)
            .await
            .unwrap()
    {
        out.push(format!(
            "customer {:?} {:?} {} {} {}",
            rank(&customers, Some(r.get(0))),
            r.get::<Option<String>, _>(1),
            r.get::<String, _>(2),
            r.get::<i64, _>(3),
            r.get::<i64, _>(4)
        ));
    }
    for r in sqlx::query("SELECT customer_id, kind, key, value, created_at FROM customer_identity")
        .fetch_all(&pool)
        .await
        .unwrap()
    {
        out.push(format!(
            "identity {:?} {} {} {} {}",
            rank(&customers, Some(r.get(0))),
            r.get::<String, _>(1),
            r.get::<String, _>(2),
            r.get::<String, _>(3),
            r.get::<i64, _>(4)
        ));
    }
    let clock =
        "number, customer_id, kind, status, priority, category, subject, subject_key, channel,
        site_id, team_id, assignee_id, opened_at, updated_at, first_response_at, last_inbound_at,
        last_outbound_at, inbound_count, outbound_count, pending_since, pending_ms, solved_at,
        closed_at, reopen_count, repeat_contact_at, due_at";
    for r in sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT id, {clock} FROM support_case"
    )))
    .fetch_all(&pool)
    .await
    .unwrap()
    {
        let mut line = format!(
            "case {:?} number {} customer {:?}",
            rank(&cases, Some(r.get(0))),
            r.get::<i64, _>(1),
            rank(&customers, Some(r.get(2)))
        );
        for i in 3..=9 {
            line.push_str(&format!(" {:?}", r.get::<Option<String>, _>(i)));
        }
        for i in 10..=26 {
            line.push_str(&format!(" {:?}", r.get::<Option<i64>, _>(i)));
        }
        out.push(line);
    }
    for r in sqlx::query(
        "SELECT id, customer_id, case_id, channel, direction, occurred_at, author_user_id, subject,
            body, site_id, queued_at, answered_at, external_id FROM interaction",
    )
    .fetch_all(&pool)
    .await
    .unwrap()
    {
        out.push(format!(
            "interaction {:?} {:?} {:?} {} {} {} {:?} {:?} {} {:?} {:?} {:?} {:?}",
            rank(&interactions, Some(r.get(0))),
            rank(&customers, Some(r.get(1))),
            rank(&cases, Some(r.get(2))),
            r.get::<String, _>(3),
            r.get::<String, _>(4),
            r.get::<i64, _>(5),
            r.get::<Option<i64>, _>(6),
            r.get::<Option<String>, _>(7),
            r.get::<String, _>(8),
            r.get::<Option<i64>, _>(9),
            r.get::<Option<i64>, _>(10),
            r.get::<Option<i64>, _>(11),
            r.get::<Option<String>, _>(12)
        ));
    }
    for r in sqlx::query("SELECT case_id, at, kind, actor_user_id, detail FROM case_event")
        .fetch_all(&pool)
        .await
        .unwrap()
    {
        out.push(format!(
            "event {:?} {} {} {:?} {}",
            rank(&cases, Some(r.get(0))),
            r.get::<i64, _>(1),
            r.get::<String, _>(2),
            r.get::<Option<i64>, _>(3),
            r.get::<String, _>(4)
        ));
    }
    // Measures and non-conformities name their contact: "c:<case>", "i:<interaction>".
    let subject = |s: String| match s.split_once(':') {
        Some(("c", id)) => format!("c:{:?}", cases.get(&id.parse().unwrap())),
        Some(("i", id)) => format!("i:{:?}", interactions.get(&id.parse().unwrap())),
        _ => s,
    };
    for r in sqlx::query(
        "SELECT m.subject, c.metric, m.site_id, m.period, m.anchor_at, m.value_ms, m.met, m.unacceptable
         FROM commitment_measure m JOIN commitment c ON c.id = m.commitment_id",
    )
    .fetch_all(&pool)
    .await
    .unwrap()
    {
        out.push(format!(
            "measure {} {} {} {} {} {:?} {} {}",
            subject(r.get(0)),
            r.get::<String, _>(1),
            r.get::<i64, _>(2),
            r.get::<String, _>(3),
            r.get::<i64, _>(4),
            r.get::<Option<i64>, _>(5),
            r.get::<i64, _>(6),
            r.get::<i64, _>(7)
        ));
    }
    for r in sqlx::query(
        "SELECT r.site_id, c.metric, r.period, r.total, r.met, r.unacceptable
         FROM commitment_result r JOIN commitment c ON c.id = r.commitment_id",
    )
    .fetch_all(&pool)
    .await
    .unwrap()
    {
        out.push(format!(
            "result {} {} {} {} {} {}",
            r.get::<i64, _>(0),
            r.get::<String, _>(1),
            r.get::<String, _>(2),
            r.get::<i64, _>(3),
            r.get::<i64, _>(4),
            r.get::<i64, _>(5)
        ));
    }
    for r in sqlx::query("SELECT subject, case_id, value_ms FROM nonconformity")
        .fetch_all(&pool)
        .await
        .unwrap()
    {
        out.push(format!(
            "nonconformity {} {:?} {:?}",
            subject(r.get(0)),
            rank(&cases, r.get(1)),
            r.get::<Option<i64>, _>(2)
        ));
    }
    for r in sqlx::query(
        "SELECT status, kind, site_id, team_id, assignee_id, n FROM case_counter WHERE n <> 0",
    )
    .fetch_all(&pool)
    .await
    .unwrap()
    {
        out.push(format!(
            "counter {} {} {} {} {} {}",
            r.get::<String, _>(0),
            r.get::<String, _>(1),
            r.get::<i64, _>(2),
            r.get::<i64, _>(3),
            r.get::<i64, _>(4),
            r.get::<i64, _>(5)
        ));
    }
    pool.close().await;
    out.sort();
    out
}

#[tokio::test]
async fn batches_record_what_one_by_one_records() {
    for (one_db, batch_db) in backends().await.into_iter().zip(backends().await) {
        let backend = one_db.backend;
        let one = set_up(one_db).await;
        let batch = set_up(batch_db).await;
        for seed in [1, 2] {
            let now = pacte::service::now_ms();
            let valid = |app: &TestApp| -> Vec<Valid> {
                history(seed, 500)
                    .into_iter()
                    .map(|v| {
                        let input: InteractionInput = serde_json::from_value(v).unwrap();
                        let mut valid = input.validate(now).unwrap();
                        // An advisor's replies take the case.
                        if valid.direction == pacte::domain::channel::Direction::Outbound {
                            valid.author_user_id = Some(app.advisor_id);
                        }
                        valid
                    })
                    .collect()
            };
            for v in valid(&one) {
                ingest::record(&one.store, one.org_id, &v, None)
                    .await
                    .unwrap();
            }
            // Batches of uneven size, so a customer's story runs across several.
            let items = valid(&batch);
            let mut start = 0;
            for size in [1, 7, 150, 2, 90].into_iter().cycle() {
                if start >= items.len() {
                    break;
                }
                let end = (start + size).min(items.len());
                ingest::record_batch(&batch.store, batch.org_id, &items[start..end])
                    .await
                    .expect("the batch is recorded set-wise, not replayed");
                start = end;
            }
        }
        let (a, b) = (snapshot(&one.db).await, snapshot(&batch.db).await);
        assert!(
            a.iter().any(|l| l.starts_with("nonconformity")),
            "{backend}: the history crosses a bound"
        );
        assert!(
            a.iter().any(|l| l.starts_with("event")),
            "{backend}: the history reopens or solves"
        );
        let only_one: Vec<_> = a.iter().filter(|l| !b.contains(l)).take(10).collect();
        let only_batch: Vec<_> = b.iter().filter(|l| !a.contains(l)).take(10).collect();
        assert!(
            only_one.is_empty() && only_batch.is_empty() && a.len() == b.len(),
            "{backend}: one by one only {only_one:#?}\nbatch only {only_batch:#?}"
        );
    }
}
