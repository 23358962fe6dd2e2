//! The charter end to end in a real browser against a real `pacte serve`: a customer takes a
//! ticket at the kiosk, a desk calls and serves them, the public charter shows the result; a
//! quality manager defines a commitment (refused first, kept as typed), backtests and publishes it.

use crate::support::process::{self, Server, organisation, sign_in, text};
use fantoccini::Locator;
use serde_json::json;

#[tokio::test]
async fn kiosk_counter_and_public_charter() {
    let Ok(webdriver) = std::env::var("WEBDRIVER_URL") else {
        eprintln!("WEBDRIVER_URL not set: browser test skipped");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let token = organisation(dir.path());
    let server = Server::start(dir.path());
    let base = format!("http://127.0.0.1:{}", server.port);
    let http = reqwest::Client::new();
    let api = |path: &str, body: serde_json::Value| {
        http.post(format!("{base}/api/v1{path}"))
            .bearer_auth(&token)
            .json(&body)
            .send()
    };
    // Set up through the real HTTP API, as an integrator would.
    let r = api("/sites", json!({"code": "lyon", "name": "Agence Lyon", "kind": "agency", "time_zone": "Europe/Paris", "opening_hours": "mon-sat 08:00-19:00"})).await.unwrap();
    assert_eq!(r.status(), 201);
    let r = api(
        "/counter-services",
        json!({"code": "C", "name_fr": "Colis / recommandé", "name_en": "Parcels"}),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 201);
    let c: serde_json::Value = api(
        "/commitments",
        json!({"title_fr": "Accueil au guichet", "title_en": "Counter welcome",
               "wording_fr": "Pris en charge en moins de 5 minutes", "wording_en": "Seen within 5 minutes",
               "metric": "counter_wait", "channels": ["counter"], "nominal_minutes": 5,
               "requirement_pct": 85, "unacceptable_minutes": 15, "period": "month"}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let id = c["id"].as_i64().unwrap();
    assert_eq!(
        api(&format!("/commitments/{id}/backtest"), json!({}))
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        api(&format!("/commitments/{id}/publish"), json!({}))
            .await
            .unwrap()
            .status(),
        200
    );

    let b = process::browser(&webdriver).await;
    let result = async {
        sign_in(&b, &base, "claire@acme.fr").await?;
        // The kiosk: the customer takes a ticket.
        b.goto(&format!("{base}/sites/lyon/kiosk")).await?;
        b.find(Locator::Css("button.service"))
            .await?
            .click()
            .await?;
        b.wait().for_element(Locator::Id("ticket-label")).await?;
        assert_eq!(text(&b, "#ticket-label").await?, "C001");
        crate::browser_test::shoot(&b, "kiosk").await;
        // The desk calls the next ticket and serves the customer, who gives their number.
        b.goto(&format!("{base}/sites/lyon/counter?desk=Guichet%202"))
            .await?;
        b.find(Locator::Id("call-next")).await?.click().await?;
        b.wait().for_element(Locator::Id("current-label")).await?;
        assert_eq!(text(&b, "#current-label").await?, "C001");
        b.find(Locator::Id("end-number"))
            .await?
            .send_keys("CLI-9")
            .await?;
        b.find(Locator::Id("end-note"))
            .await?
            .send_keys("Colis remis en main propre")
            .await?;
        crate::browser_test::shoot(&b, "counter").await;
        b.find(Locator::Id("end-served")).await?.click().await?;
        b.wait().for_element(Locator::Id("call-next")).await?;
        assert!(b.find_all(Locator::Id("current-label")).await?.is_empty());
        // The agency screen, without signing in.
        b.goto(&format!("{base}/o/acme/sites/lyon/display")).await?;
        assert_eq!(text(&b, "tr.now td.label").await?, "C001");
        // The public charter says the result plainly, in French and in English.
        b.goto(&format!("{base}/o/acme/engagements")).await?;
        let page = text(&b, "main").await?;
        assert!(page.contains("Accueil au guichet"), "{page}");
        assert!(
            page.contains("100 % d'entre vous ont été pris en charge en moins de 5 minutes"),
            "{page}"
        );
        crate::browser_test::shoot(&b, "charter-public").await;
        b.goto(&format!("{base}/o/acme/engagements?lang=en"))
            .await?;
        assert!(
            text(&b, "main")
                .await?
                .contains("100 % of you were seen within 5 minutes")
        );
        Ok::<(), fantoccini::error::CmdError>(())
    }
    .await;
    b.close().await.ok();
    result.expect("browser scenario");
    let customers: serde_json::Value = http
        .get(format!("{base}/api/v1/customers?customer_number=CLI-9"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = customers["items"][0]["id"]
        .as_i64()
        .expect("customer created from the counter");
    let v: serde_json::Value = http
        .get(format!("{base}/api/v1/customers/{id}"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["timeline"][0]["channel"], "counter");
    assert!(
        v["timeline"][0]["body"]
            .as_str()
            .unwrap()
            .contains("Colis remis en main propre")
    );
}

#[tokio::test]
async fn quality_defines_backtests_and_publishes_a_commitment() {
    let Ok(webdriver) = std::env::var("WEBDRIVER_URL") else {
        eprintln!("WEBDRIVER_URL not set: browser test skipped");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    organisation(dir.path());
    let server = Server::start(dir.path());
    let base = format!("http://127.0.0.1:{}", server.port);
    let b = process::browser(&webdriver).await;
    let result = async {
        sign_in(&b, &base, "nadia@acme.fr").await?;
        b.find(Locator::LinkText("Charte")).await?.click().await?;
        b.wait().for_element(Locator::Id("new-commitment")).await?;
        b.find(Locator::Id("new-commitment")).await?.click().await?;
        b.wait().for_element(Locator::Id("title_fr")).await?;
        for (id, v) in [
            ("title_fr", "Réponse aux courriels"),
            ("title_en", "Email answers"),
            ("wording_fr", "Nous répondons sous 48 heures ouvrées"),
            ("wording_en", "We answer within 48 business hours"),
            ("nominal", "48"),
            ("unacceptable", "24"),
        ] {
            b.find(Locator::Id(id)).await?.send_keys(v).await?;
        }
        let req = b.find(Locator::Id("requirement_pct")).await?;
        req.clear().await?;
        req.send_keys("150").await?;
        b.find(Locator::Css("input[name=business_time]"))
            .await?
            .click()
            .await?;
        b.find(Locator::Id("save-commitment"))
            .await?
            .click()
            .await?;
        // Refused, field by field, with what was typed kept.
        b.wait().for_element(Locator::Css(".errors")).await?;
        let errors = text(&b, ".errors").await?;
        assert!(
            errors.contains("requirement_pct") && errors.contains("unacceptable_minutes"),
            "{errors}"
        );
        assert_eq!(
            b.find(Locator::Id("title_fr"))
                .await?
                .prop("value")
                .await?
                .as_deref(),
            Some("Réponse aux courriels")
        );
        let req = b.find(Locator::Id("requirement_pct")).await?;
        req.clear().await?;
        req.send_keys("90").await?;
        let u = b.find(Locator::Id("unacceptable")).await?;
        u.clear().await?;
        u.send_keys("96").await?;
        b.find(Locator::Id("save-commitment"))
            .await?
            .click()
            .await?;
        b.wait()
            .for_element(Locator::Id("commitment-status"))
            .await?;
        assert_eq!(text(&b, "#commitment-status").await?, "Brouillon");
        assert!(
            b.find(Locator::Id("publish"))
                .await?
                .attr("disabled")
                .await?
                .is_some(),
            "publishing needs a backtest"
        );
        b.find(Locator::Id("run-backtest")).await?.click().await?;
        b.wait()
            .for_element(Locator::Id("backtest-results"))
            .await?;
        crate::browser_test::shoot(&b, "backtest").await;
        assert!(
            b.find(Locator::Id("publish"))
                .await?
                .attr("disabled")
                .await?
                .is_none()
        );
        b.find(Locator::Id("publish")).await?.click().await?;
        b.wait()
            .for_element(Locator::Css("#commitment-status.published"))
            .await?;
        assert_eq!(text(&b, "#commitment-status").await?, "Publié");
        b.goto(&format!("{base}/charter")).await?;
        assert!(text(&b, "main").await?.contains("Réponse aux courriels"));
        assert!(b.find(Locator::Css("svg.chart")).await.is_ok());
        crate::browser_test::shoot(&b, "charter-dashboard").await;
        b.goto(&format!("{base}/o/acme/engagements")).await?;
        assert!(
            text(&b, "main")
                .await?
                .contains("Nous répondons sous 48 heures ouvrées")
        );
        Ok::<(), fantoccini::error::CmdError>(())
    }
    .await;
    b.close().await.ok();
    result.expect("browser scenario");
}
