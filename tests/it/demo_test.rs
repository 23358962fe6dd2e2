//! The demo organisation on every backend: its year of history records through the batch path,
//! says how far it has got while it runs, and dates nothing after now.

use crate::support::backends;
use pacte::store::Store;

#[tokio::test]
async fn the_demo_records_its_year_and_dates_nothing_after_now() {
    for db in backends().await {
        let backend = db.backend;
        let store = Store::open(&db.url).await.unwrap();
        let opts = pacte::demo::Options {
            customers: 300,
            interactions: 4_000,
            // A seed whose history has a bad review written in its last day, answered the next.
            seed: 11,
        };
        let history = pacte::demo::prepare(&store, &opts)
            .await
            .unwrap()
            .expect("a new demo");
        assert!(
            pacte::demo::prepare(&store, &opts).await.unwrap().is_none(),
            "{backend}: prepared once"
        );
        let mut seen = Vec::new();
        history
            .record(&store, |done, total| {
                seen.push((done, total, pacte::demo::loading()));
            })
            .await
            .unwrap();
        let now = pacte::service::now_ms();
        assert!(seen.len() > 4, "{backend}: recorded in several batches");
        assert!(
            seen.windows(2).all(|w| w[0].0 < w[1].0),
            "{backend}: progress only grows"
        );
        assert!(
            seen.iter().all(|(_, _, l)| l.is_some_and(|p| p < 100)),
            "{backend}: the banner shows while recording: {seen:?}"
        );
        assert_eq!(
            pacte::demo::loading(),
            None,
            "{backend}: and goes once done"
        );

        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&db.url).await.unwrap();
        let count = |sql: &'static str| {
            let pool = pool.clone();
            async move {
                let (n,): (i64,) = sqlx::query_as(sql).fetch_one(&pool).await.unwrap();
                n
            }
        };
        assert!(
            count("SELECT CAST(COUNT(*) AS BIGINT) FROM interaction").await >= 3_000,
            "{backend}"
        );
        assert!(
            count("SELECT CAST(COUNT(*) AS BIGINT) FROM survey_response").await > 0,
            "{backend}"
        );
        assert!(
            count("SELECT CAST(COUNT(*) AS BIGINT) FROM review WHERE reply IS NOT NULL").await > 0,
            "{backend}"
        );
        // Its knowledge base answers a customer's question in their own words.
        let (org_id,): (i64,) = sqlx::query_as("SELECT id FROM organization WHERE slug = 'demo'")
            .fetch_one(&pool)
            .await
            .unwrap();
        let a = pacte::service::bot::Bot::default()
            .answer_in(
                &store,
                org_id,
                &pacte::service::bot::Question {
                    question: "toujours pas reçu mon colis, le suivi ne bouge plus".into(),
                    lang: None,
                    customer_id: None,
                    unhelpful: None,
                    minutes: None,
                },
            )
            .await
            .unwrap();
        assert_eq!(
            (a.external_id.as_deref(), a.handoff),
            (Some("HX-COLIS-01"), false),
            "{backend}: {a:?}"
        );
        // Its chat report tells the year: the bot answering alone, handoffs for several
        // reasons answered by advisors.
        let rows = {
            let mut c = store.reader().await.unwrap();
            pacte::store::chat::counted(&mut c, org_id, 0, now + 1)
                .await
                .unwrap()
        };
        let r = pacte::service::chat::report::summarise(&rows, &Default::default(), now);
        assert!(
            r.contained > 0 && r.confirmed > 0 && r.answered > 0 && r.reasons.len() >= 4,
            "{backend}: {r:?}"
        );
        assert!(r.wait_p50_secs.is_some_and(|s| s <= 60), "{backend}: {r:?}");
        for (what, sql) in [
            (
                "interactions",
                "SELECT CAST(COALESCE(MAX(occurred_at), 0) AS BIGINT) FROM interaction",
            ),
            (
                "cases",
                "SELECT CAST(COALESCE(MAX(updated_at), 0) AS BIGINT) FROM support_case",
            ),
            (
                "case events",
                "SELECT CAST(COALESCE(MAX(at), 0) AS BIGINT) FROM case_event",
            ),
            (
                "answers",
                "SELECT CAST(COALESCE(MAX(answered_at), 0) AS BIGINT) FROM survey_response",
            ),
            (
                "reviews",
                "SELECT CAST(COALESCE(MAX(created_at), 0) AS BIGINT) FROM review",
            ),
            (
                "chat events",
                "SELECT CAST(COALESCE(MAX(at), 0) AS BIGINT) FROM chat_event",
            ),
            (
                "review replies",
                "SELECT CAST(COALESCE(MAX(replied_at), 0) AS BIGINT) FROM review",
            ),
        ] {
            let latest = count(sql).await;
            assert!(
                latest <= now,
                "{backend}: {what} dated after now ({latest} > {now})"
            );
        }
        pool.close().await;
    }
}
