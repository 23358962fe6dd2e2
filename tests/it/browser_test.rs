//! End to end in a real browser (Debian chromium through chromedriver) against a real
//! `pacte serve` process. Runs when WEBDRIVER_URL is set (the README's test command sets it).

use crate::support::process::{self, Server, ok};
use fantoccini::Locator;

fn pacte(dir: &std::path::Path, args: &[&str], stdin: Option<&str>) -> String {
    ok(&process::pacte(dir, args, stdin, &[]))
}

#[tokio::test]
async fn advisor_works_a_case_in_the_browser() {
    let Ok(webdriver) = std::env::var("WEBDRIVER_URL") else {
        eprintln!("WEBDRIVER_URL not set: browser test skipped");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    pacte(
        dir.path(),
        &["org", "add", "--slug", "acme", "--name", "Acme"],
        None,
    );
    pacte(
        dir.path(),
        &[
            "user",
            "add",
            "--org",
            "acme",
            "--email",
            "julie@acme.fr",
            "--role",
            "advisor",
            "--name",
            "Julie",
            "--password-stdin",
        ],
        Some("motdepasse-long\n"),
    );
    let history = dir.path().join("history.jsonl");
    std::fs::write(
        &history,
        [
            r#"{"channel":"email","direction":"inbound","occurred_at":"2026-11-01T09:00:00Z","customer":{"email":"marie@exemple.fr","customer_number":"C-77","name":"Marie Curie"},"subject":"Colis non reçu","body":"Mon colis n'est pas arrivé."}"#,
            r#"{"channel":"phone","direction":"inbound","occurred_at":"2026-11-02T09:00:00Z","customer":{"customer_number":"C-77","phone":"0611111111"},"subject":"Facture","body":"Appel sur la facture."}"#,
            r#"{"channel":"counter","direction":"inbound","occurred_at":"2026-11-03T09:00:00Z","customer":{"phone":"0611111111"},"subject":"Retrait","body":"Passage au guichet."}"#,
        ]
        .join("\n"),
    )
    .unwrap();
    pacte(
        dir.path(),
        &["import", history.to_str().unwrap(), "--org", "acme"],
        None,
    );
    let server = Server::start(dir.path());
    let base = format!("http://127.0.0.1:{}", server.port);
    let b = process::browser(&webdriver).await;
    let result = async {
        b.goto(&format!("{base}/inbox")).await?;
        b.find(Locator::Id("email"))
            .await?
            .send_keys("julie@acme.fr")
            .await?;
        b.find(Locator::Id("password"))
            .await?
            .send_keys("motdepasse-long")
            .await?;
        b.find(Locator::Css("button[type=submit]"))
            .await?
            .click()
            .await?;
        b.wait().for_element(Locator::Css("table.cases")).await?;
        assert!(
            b.find(Locator::Css("h1"))
                .await?
                .text()
                .await?
                .contains("Dossiers")
        );
        // Open the email case and reply, solving it.
        b.find(Locator::LinkText("Colis non reçu"))
            .await?
            .click()
            .await?;
        b.wait().for_element(Locator::Id("reply-body")).await?;
        b.find(Locator::Id("reply-body"))
            .await?
            .send_keys("Votre colis sera livré demain.")
            .await?;
        b.find(Locator::Css("#reply-status option[value=solved]"))
            .await?
            .click()
            .await?;
        b.find(Locator::Css("form.reply button[type=submit]"))
            .await?
            .click()
            .await?;
        b.wait()
            .for_element(Locator::XPath(
                "//*[contains(text(), 'Votre colis sera livré demain.')]",
            ))
            .await?;
        assert_eq!(
            b.find(Locator::Id("case-status")).await?.text().await?,
            "Résolu"
        );
        shoot(&b, "case-fr").await;
        // The customer 360 shows the three channels.
        b.find(Locator::Id("customer-link")).await?.click().await?;
        b.wait()
            .for_element(Locator::Id("customer-timeline"))
            .await?;
        let mut channels = Vec::new();
        for li in b.find_all(Locator::Css("#customer-timeline li")).await? {
            channels.push(li.attr("data-channel").await?.unwrap_or_default());
        }
        shoot(&b, "customer-fr").await;
        channels.sort();
        channels.dedup();
        assert_eq!(channels, ["counter", "email", "phone"]);
        // Switch to English, kept as the user's setting.
        b.find(Locator::Id("switch-lang")).await?.click().await?;
        b.wait().for_element(Locator::Css("table.cases")).await?;
        assert!(
            b.find(Locator::Css("h1"))
                .await?
                .text()
                .await?
                .contains("Cases")
        );
        let png = b.screenshot().await?;
        assert!(png.len() > 1000);
        if let Ok(dir) = std::env::var("PACTE_SCREENSHOTS") {
            std::fs::write(std::path::Path::new(&dir).join("inbox-en.png"), png).ok();
        }
        Ok::<(), fantoccini::error::CmdError>(())
    }
    .await;
    b.close().await.ok();
    result.expect("browser scenario");
}

/// Saves a screenshot when PACTE_SCREENSHOTS names a folder (to look at the pages as a person would).
pub(crate) async fn shoot(b: &fantoccini::Client, name: &str) {
    if let Ok(dir) = std::env::var("PACTE_SCREENSHOTS")
        && let Ok(png) = b.screenshot().await
    {
        std::fs::write(std::path::Path::new(&dir).join(format!("{name}.png")), png).ok();
    }
}

#[tokio::test]
async fn the_search_box_finds_customers_and_cases_from_every_page() {
    let Ok(webdriver) = std::env::var("WEBDRIVER_URL") else {
        eprintln!("WEBDRIVER_URL not set: browser test skipped");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    process::organisation(dir.path());
    let history = dir.path().join("history.jsonl");
    std::fs::write(
        &history,
        [
            r#"{"channel":"email","direction":"inbound","occurred_at":"2026-11-01T09:00:00Z","customer":{"email":"vincent.roux@exemple.fr","name":"Vincent Roux"},"subject":"Abonnement prélevé deux fois","body":"Je demande le remboursement du second prélèvement."}"#,
            r#"{"channel":"chat","direction":"inbound","occurred_at":"2026-11-02T09:00:00Z","customer":{"email":"zoe@exemple.fr","name":"Zoé Leclerc"},"subject":"Colis","body":"Mon colis est perdu."}"#,
        ]
        .join("\n"),
    )
    .unwrap();
    pacte(
        dir.path(),
        &["import", history.to_str().unwrap(), "--org", "acme"],
        None,
    );
    let server = Server::start(dir.path());
    let base = format!("http://127.0.0.1:{}", server.port);
    let b = process::browser(&webdriver).await;
    let result = async {
        process::sign_in(&b, &base, "claire@acme.fr").await?;
        // The inbox's filters submitted as they load (every "any" option) work.
        b.find(Locator::Css("form.filters button[type=submit]"))
            .await?
            .click()
            .await?;
        b.wait().for_element(Locator::Css("table.cases")).await?;
        // From the charter page, a surname in the top bar's box finds the customer.
        b.goto(&format!("{base}/charter")).await?;
        let find = b.wait().for_element(Locator::Id("find")).await?;
        find.send_keys("roux\u{E007}").await?;
        b.wait().for_element(Locator::Id("customers-found")).await?;
        let found = process::text(&b, "#customers-found").await?;
        assert!(found.contains("Vincent Roux"), "{found}");
        let summary = process::text(&b, "#search-summary").await?;
        assert_eq!(summary, "2 résultats", "the customer and their case");
        // A word of a message finds the case under another form, marked in its passage.
        b.find(Locator::Id("find"))
            .await?
            .send_keys("rembourser\u{E007}")
            .await?;
        b.wait().for_element(Locator::Id("cases-found")).await?;
        let mark = process::text(&b, "#cases-found mark").await?;
        assert_eq!(mark, "remboursement");
        b.find(Locator::Css("#cases-found a.case-link"))
            .await?
            .click()
            .await?;
        b.wait().for_element(Locator::Css("h1")).await?;
        let h1 = process::text(&b, "h1").await?;
        assert!(h1.contains("Abonnement prélevé deux fois"), "{h1}");
        // In English, with a filter the page keeps, nothing found is said plainly.
        b.goto(&format!("{base}/search?lang=en&q=colis&status=closed"))
            .await?;
        let summary = process::text(&b, "#search-summary").await?;
        assert_eq!(summary, "0 results");
        let none = process::text(&b, "p.empty").await?;
        assert!(none.starts_with("No result"), "{none}");
        // A parameter the page does not read gets a page in the interface's language naming it.
        b.goto(&format!("{base}/search?q=colis&sort=date")).await?;
        let body = process::text(&b, "main").await?;
        assert!(body.contains("sort"), "{body}");
        Ok::<_, fantoccini::error::CmdError>(())
    }
    .await;
    b.close().await.ok();
    if let Err(e) = result {
        panic!("{e}\n{}", server.log_tail());
    }
}

/// POST a JSON body to the server with a bearer token.
async fn post_json(port: u16, token: &str, path: &str, body: String) -> u16 {
    use http_body_util::Full;
    let client: hyper_util::client::legacy::Client<_, Full<axum::body::Bytes>> =
        hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
            .build_http();
    let req = axum::http::Request::post(format!("http://127.0.0.1:{port}{path}"))
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .body(Full::new(axum::body::Bytes::from(body)))
        .unwrap();
    client.request(req).await.unwrap().status().as_u16()
}

#[tokio::test]
async fn two_desks_see_each_other_live() {
    let Ok(webdriver) = std::env::var("WEBDRIVER_URL") else {
        eprintln!("WEBDRIVER_URL not set: browser test skipped");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let token = process::organisation(dir.path());
    let server = Server::start(dir.path());
    let port = server.port;
    let base = format!("http://127.0.0.1:{port}");
    let message = |body: &str, case: Option<i64>| {
        let case = case
            .map(|c| format!(r#","case_id":{c}"#))
            .unwrap_or_default();
        format!(
            r#"{{"channel":"email","direction":"inbound","customer":{{"email":"ines@exemple.fr","name":"Inès Moreau"}},"subject":"Colis abîmé","body":"{body}"{case}}}"#
        )
    };
    assert_eq!(
        post_json(
            port,
            &token,
            "/api/v1/interactions",
            message("Le colis est arrivé abîmé.", None)
        )
        .await,
        201
    );
    let claire = process::browser(&webdriver).await;
    let nadia = process::browser(&webdriver).await;
    let result = async {
        process::sign_in(&claire, &base, "claire@acme.fr").await?;
        process::sign_in(&nadia, &base, "nadia@acme.fr").await?;
        // Claire watches the inbox; a new case arrives and the page says so.
        claire.goto(&format!("{base}/inbox")).await?;
        claire
            .wait()
            .for_element(Locator::Css("table.cases"))
            .await?;
        assert_eq!(
            post_json(
                port,
                &token,
                "/api/v1/interactions",
                message("Autre chose.", None).replace("Colis abîmé", "Facture")
            )
            .await,
            201
        );
        let news = claire
            .wait()
            .at_most(std::time::Duration::from_secs(10))
            .for_element(Locator::Css("#live-news:not([hidden])"))
            .await?;
        assert_eq!(
            news.text().await?,
            "1 dossier a changé — actualiser la liste"
        );
        // Both open the first case; Nadia starts a reply: Claire is told.
        claire.goto(&format!("{base}/cases/1")).await?;
        nadia.goto(&format!("{base}/cases/1")).await?;
        nadia.wait().for_element(Locator::Id("reply-body")).await?;
        // The stream must be open before the typing is told (it is not kept).
        tokio::time::sleep(std::time::Duration::from_millis(700)).await;
        nadia
            .find(Locator::Id("reply-body"))
            .await?
            .send_keys("Bonjour, nous")
            .await?;
        let typing = claire
            .wait()
            .at_most(std::time::Duration::from_secs(10))
            .for_element(Locator::Css("#live-case .typing:not([hidden])"))
            .await?;
        assert_eq!(
            typing.text().await?,
            "Nadia est en train de répondre à ce client."
        );
        // The customer writes again: Claire (no draft) sees the message appear; Nadia is told
        // the case changed, and showing it keeps her draft.
        assert_eq!(
            post_json(
                port,
                &token,
                "/api/v1/interactions",
                message("J'ajoute une photo.", Some(1))
            )
            .await,
            201
        );
        let mut shown = false;
        for _ in 0..100 {
            if process::text(&claire, "ol.timeline")
                .await
                .is_ok_and(|t| t.contains("J'ajoute une photo."))
            {
                shown = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert!(
            shown,
            "the new message appeared on Claire's page without her reloading"
        );
        let changed = nadia
            .wait()
            .at_most(std::time::Duration::from_secs(10))
            .for_element(Locator::Css("#live-case .changed:not([hidden]) a"))
            .await?;
        changed.click().await?;
        let mut kept = String::new();
        for _ in 0..50 {
            if process::text(&nadia, "ol.timeline")
                .await
                .is_ok_and(|t| t.contains("J'ajoute une photo."))
            {
                kept = nadia
                    .find(Locator::Id("reply-body"))
                    .await?
                    .prop("value")
                    .await?
                    .unwrap_or_default();
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert_eq!(
            kept, "Bonjour, nous",
            "the draft came back after showing the change"
        );
        Ok::<_, fantoccini::error::CmdError>(())
    }
    .await;
    claire.close().await.ok();
    nadia.close().await.ok();
    if let Err(e) = result {
        panic!("{e}\n{}", server.log_tail());
    }
}
