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
