//! The quality loop end to end in a real browser against a real `pacte serve`: a charter breach
//! opens a non-conformity; the quality manager writes its 5M analysis and a plan whose efficacy
//! check reads the commitment; progress is logged; the check date has come, the figure is
//! measured and the verdict confirmed C. Another, checked by an audit, goes NC and reopens. A
//! quarterly review asks a decision for each missed target, freezes and prints.

use crate::support::process::{self, Server, organisation, sign_in, text};
use fantoccini::Locator;
use serde_json::json;

fn iso(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms).unwrap().to_string()
}

#[tokio::test]
async fn a_breach_becomes_a_plan_checked_on_data_and_a_review_freezes() {
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
    let r = api("/sites", json!({"code": "lyon", "name": "Agence Lyon", "kind": "agency", "time_zone": "Europe/Paris", "opening_hours": "mon-sat 08:00-19:00"})).await.unwrap();
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
    // In force since the start of the year, so last month's visits are measured.
    {
        let store = pacte::store::Store::open(&format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("pacte.db").display()
        ))
        .await
        .unwrap();
        let org = pacte::service::org::org_by_slug(&store, "acme")
            .await
            .unwrap();
        let start = jiff::Zoned::now()
            .date()
            .first_of_month()
            .checked_sub(jiff::Span::new().months(2))
            .unwrap()
            .to_zoned(jiff::tz::TimeZone::UTC)
            .unwrap()
            .timestamp()
            .as_millisecond();
        pacte::service::charter::publish_at(&store, org.id, None, id, start, false)
            .await
            .unwrap();
        store.close().await;
    }
    // Last month: 60 visits in time, 2 beyond the unacceptable bound.
    let first = jiff::Zoned::now().date().first_of_month();
    let last_month = first
        .checked_sub(jiff::Span::new().months(1))
        .unwrap()
        .checked_add(jiff::Span::new().days(9))
        .unwrap()
        .at(9, 0, 0, 0)
        .to_zoned(jiff::tz::TimeZone::UTC)
        .unwrap()
        .timestamp()
        .as_millisecond();
    for i in 0..62i64 {
        let q = last_month + i * 600_000;
        let wait = if i < 2 { 25 } else { 2 };
        let r = api(
            "/interactions",
            json!({"channel": "counter", "direction": "inbound", "occurred_at": iso(q),
                   "customer": {"customer_number": format!("V-{i}")}, "body": "Retrait",
                   "site": "lyon", "queued_at": iso(q), "answered_at": iso(q + wait * 60_000)}),
        )
        .await
        .unwrap();
        assert_eq!(r.status(), 201);
    }
    let detected = api("/quality/detect", json!({})).await.unwrap();
    assert_eq!(detected.status(), 200);
    let today = jiff::Zoned::now().date().to_string();
    // Done at the start of last month, so last month's figure shows its effect.
    let month_start = jiff::Zoned::now()
        .date()
        .first_of_month()
        .checked_sub(jiff::Span::new().months(1))
        .unwrap()
        .to_string();
    let b = process::browser(&webdriver).await;
    let result = async {
        sign_in(&b, &base, "nadia@acme.fr").await?;
        b.find(Locator::LinkText("Qualité")).await?.click().await?;
        b.wait().for_element(Locator::Id("ncs")).await?;
        let list = text(&b, "#ncs").await?;
        assert!(
            list.contains("Seuil inacceptable dépassé") && list.contains("Accueil au guichet"),
            "{list}"
        );
        assert!(
            list.contains("(Agence Lyon)") && list.contains("Majeure"),
            "{list}"
        );
        crate::browser_test::shoot(&b, "quality-list").await;
        b.find(Locator::XPath(
            "//table[@id='ncs']//a[contains(., 'Seuil inacceptable')]",
        ))
        .await?
        .click()
        .await?;
        b.wait().for_element(Locator::Id("analysis-form")).await?;
        let evidence = text(&b, "#evidence").await?;
        assert!(
            evidence.contains("Dépassement du seuil inacceptable"),
            "{evidence}"
        );
        // The 5M analysis and the "why"s.
        b.find(Locator::Id("cause-manpower"))
            .await?
            .send_keys("Un seul guichet le samedi\nRenforts non formés")
            .await?;
        b.find(Locator::Id("cause-methods"))
            .await?
            .send_keys("Pas de rendez-vous")
            .await?;
        b.find(Locator::Id("why-1"))
            .await?
            .send_keys("L'attente dépasse 15 minutes")
            .await?;
        b.find(Locator::Id("why-2"))
            .await?
            .send_keys("Un seul guichet ouvert")
            .await?;
        b.find(Locator::Css("#analysis-form button[type=submit]"))
            .await?
            .click()
            .await?;
        b.wait().for_element(Locator::Css("svg.fishbone")).await?;
        let svg = b
            .find(Locator::Css("svg.fishbone"))
            .await?
            .html(false)
            .await?;
        assert!(
            svg.contains("Main-d'œuvre")
                || svg.contains("Main-d&apos;œuvre")
                || svg.contains("Main-d&#39;œuvre"),
            "{svg}"
        );
        assert!(svg.contains("Un seul guichet le samedi"), "{svg}");
        // A corrective action whose check reads the commitment on last month, due today.
        b.find(Locator::Id("ac-title"))
            .await?
            .send_keys("Ouvrir un second guichet le samedi")
            .await?;
        set_date(&b, "ac-due", &month_start).await?;
        b.find(Locator::Css("#ck-method option[value=figure]"))
            .await?
            .click()
            .await?;
        b.find(Locator::Id("ck-target"))
            .await?
            .send_keys("85")
            .await?;
        set_date(&b, "ck-on", &today).await?;
        b.find(Locator::Css("#action-form button[type=submit]"))
            .await?
            .click()
            .await?;
        b.wait().for_element(Locator::Css("article.action")).await?;
        assert_eq!(text(&b, "#nc-status").await?, "Plan en cours");
        // Progress, dated.
        b.find(Locator::Css("article.action input[name=pct]"))
            .await?
            .clear()
            .await?;
        b.find(Locator::Css("article.action input[name=pct]"))
            .await?
            .send_keys("100")
            .await?;
        b.find(Locator::Css(".progress-form input[name=note]"))
            .await?
            .send_keys("Guichet ouvert")
            .await?;
        b.find(Locator::Css(".progress-form button"))
            .await?
            .click()
            .await?;
        b.wait()
            .for_element(Locator::Css("article.action ul.events li"))
            .await?;
        assert!(text(&b, "article.action").await?.contains("Guichet ouvert"));
        // The check date is today: confirming measures the figure first (60 of 62 in time).
        b.find(Locator::Css(".verdict-form option[value=c]"))
            .await?
            .click()
            .await?;
        b.find(Locator::Css(".verdict-form button"))
            .await?
            .click()
            .await?;
        b.wait()
            .for_element(Locator::Css("span[id^=verdict-]"))
            .await?;
        let action = text(&b, "article.action").await?;
        assert!(action.contains("96,8"), "{action}");
        assert!(action.contains("la mesure indique"), "{action}");
        assert!(action.contains("C — conforme"), "{action}");
        assert_eq!(text(&b, "#nc-status").await?, "Close, conforme");
        let history = text(&b, "#history").await?;
        assert!(history.contains("Efficacité confirmée"), "{history}");
        crate::browser_test::shoot(&b, "quality-plan").await;

        // A field report checked by an audit that finds it still wrong: NC reopens the plan.
        b.goto(&format!("{base}/quality/new")).await?;
        b.find(Locator::Css("#nc-origin option[value=field_report]"))
            .await?
            .click()
            .await?;
        b.find(Locator::Id("nc-title"))
            .await?
            .send_keys("Files d'attente mal signalées")
            .await?;
        b.find(Locator::Css("#nc-form button[type=submit]"))
            .await?
            .click()
            .await?;
        b.wait().for_element(Locator::Id("action-form")).await?;
        b.find(Locator::Id("ac-title"))
            .await?
            .send_keys("Nouvelle signalétique")
            .await?;
        set_date(&b, "ac-due", &today).await?;
        b.find(Locator::Css("#ck-method option[value=audit]"))
            .await?
            .click()
            .await?;
        b.find(Locator::Id("ck-how"))
            .await?
            .send_keys("Audit de l'accueil")
            .await?;
        set_date(&b, "ck-on", &today).await?;
        b.find(Locator::Css("#action-form button[type=submit]"))
            .await?
            .click()
            .await?;
        b.wait().for_element(Locator::Css(".verdict-form")).await?;
        b.find(Locator::Css(".verdict-form option[value=nc]"))
            .await?
            .click()
            .await?;
        b.find(Locator::Css(".verdict-form input[name=note]"))
            .await?
            .send_keys("Toujours confus")
            .await?;
        b.find(Locator::Css(".verdict-form button"))
            .await?
            .click()
            .await?;
        b.wait()
            .for_element(Locator::Css("span[id^=verdict-]"))
            .await?;
        assert_eq!(text(&b, "#nc-status").await?, "Rouverte");
        assert!(text(&b, "#history").await?.contains("plan rouvert"));

        // The indicators and a review of last month.
        b.goto(&format!("{base}/quality/indicators")).await?;
        b.find(Locator::Id("install-starter"))
            .await?
            .click()
            .await?;
        b.wait().for_element(Locator::Id("kpis")).await?;
        let kpis = text(&b, "#kpis").await?;
        assert!(kpis.contains("Taux de décroché"), "{kpis}");
        assert!(
            kpis.contains("Engagement tenu") && kpis.contains("Accueil au guichet"),
            "{kpis}"
        );
        // A figure entered by hand for last month, in the red: its target is missed.
        let month = jiff::Zoned::now()
            .date()
            .first_of_month()
            .checked_sub(jiff::Span::new().months(1))
            .unwrap()
            .to_string()[..7]
            .to_string();
        let all: serde_json::Value = http
            .get(format!("{base}/api/v1/quality/indicators"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let pickup = all
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["kpi"]["code"] == "decroche")
            .unwrap()["kpi"]["id"]
            .as_i64()
            .unwrap();
        let put = http
            .put(format!("{base}/api/v1/quality/indicators/{pickup}/value"))
            .bearer_auth(&token)
            .json(&json!({"month": month, "value": 70}))
            .send()
            .await
            .unwrap();
        assert_eq!(put.status(), 204);
        b.goto(&format!("{base}/quality/reviews")).await?;
        b.find(Locator::Css("#r-kind option[value=monthly]"))
            .await?
            .click()
            .await?;
        let period = b.find(Locator::Id("r-period")).await?;
        period.clear().await?;
        period.send_keys(&month).await?;
        b.find(Locator::Css("#review-form button"))
            .await?
            .click()
            .await?;
        b.wait().for_element(Locator::Id("lines")).await?;
        // Freezing before deciding is refused, with the reason.
        b.find(Locator::Id("freeze")).await?.click().await?;
        b.wait().for_element(Locator::Css("main")).await?;
        let refused = text(&b, "main").await?;
        assert!(
            refused.contains("Décision") && refused.contains("attend sa décision"),
            "{refused}"
        );
        assert!(refused.contains("Participants"), "{refused}");
        b.back().await?;
        b.refresh().await?;
        b.wait().for_element(Locator::Id("lines")).await?;
        // Decide every missed target.
        loop {
            let forms = b.find_all(Locator::Css(".decide-form")).await?;
            let left = forms.len();
            let Some(f) = forms.into_iter().next() else {
                break;
            };
            f.find(Locator::Css("option[value=no_action]"))
                .await?
                .click()
                .await?;
            f.find(Locator::Css("input[name=justification]"))
                .await?
                .send_keys("Suivi au prochain comité")
                .await?;
            f.find(Locator::Css("button")).await?.click().await?;
            // The page comes back with one form fewer.
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
            while b
                .find_all(Locator::Css(".decide-form"))
                .await
                .map_or(left, |v| v.len())
                >= left
            {
                assert!(
                    std::time::Instant::now() < deadline,
                    "the decision was not recorded"
                );
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
        }
        b.find(Locator::Id("attendees"))
            .await?
            .send_keys("Nadia, Claire")
            .await?;
        click_and_load(&b, Locator::Css("#notes form.reply button")).await?;
        click_and_load(&b, Locator::Id("freeze")).await?;
        assert_eq!(text(&b, "#review-status").await?, "Figée");
        assert!(b.find_all(Locator::Css(".decide-form")).await?.is_empty());
        assert!(b.find_all(Locator::Id("print")).await?.len() == 1);
        crate::browser_test::shoot(&b, "quality-review").await;
        Ok::<(), fantoccini::error::CmdError>(())
    }
    .await;
    b.close().await.ok();
    if result.is_err() {
        eprintln!("{}", server.log_tail());
    }
    result.expect("browser scenario");
    // The PAQ export holds both plans, in seed 001's columns.
    let csv = http
        .get(format!("{base}/api/v1/quality/paq.csv"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(csv.contains("Ouvrir un second guichet le samedi"), "{csv}");
    assert!(
        csv.contains("NC — non conforme") || csv.contains(" · NC"),
        "{csv}"
    );
}

/// Clicks what submits a form and waits for the next page (the old one gone stale).
async fn click_and_load(
    b: &fantoccini::Client,
    what: Locator<'_>,
) -> Result<(), fantoccini::error::CmdError> {
    let old = b.find(Locator::Css("html")).await?;
    b.find(what).await?.click().await?;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while old.tag_name().await.is_ok() {
        assert!(std::time::Instant::now() < deadline, "no new page");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    b.wait().for_element(Locator::Css("main")).await?;
    Ok(())
}

/// A date input filled the way browsers accept whatever their locale.
async fn set_date(
    b: &fantoccini::Client,
    id: &str,
    iso: &str,
) -> Result<(), fantoccini::error::CmdError> {
    b.execute(
        "document.getElementById(arguments[0]).value = arguments[1];",
        vec![json!(id), json!(iso)],
    )
    .await?;
    Ok(())
}
