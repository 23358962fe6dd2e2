//! The 360's personal-data section in a real browser: an administrator exports a customer's
//! data, is refused an erasure that is not confirmed, then erases for good.

use crate::support::process::{self, Server, ok};
use fantoccini::Locator;

#[tokio::test]
async fn an_administrator_exports_then_erases_a_customer_from_the_360() {
    let Ok(webdriver) = std::env::var("WEBDRIVER_URL") else {
        eprintln!("WEBDRIVER_URL not set: browser test skipped");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    process::organisation(dir.path());
    let history = dir.path().join("history.jsonl");
    std::fs::write(
        &history,
        r#"{"channel":"email","direction":"inbound","occurred_at":"2026-11-01T09:00:00Z","customer":{"email":"marie@exemple.fr","name":"Marie Curie"},"subject":"Colis non reçu","body":"J'habite 3 rue Cuvier."}"#,
    )
    .unwrap();
    ok(&process::pacte(
        dir.path(),
        &["import", history.to_str().unwrap(), "--org", "acme"],
        None,
        &[],
    ));
    let server = Server::start(dir.path());
    let base = format!("http://127.0.0.1:{}", server.port);
    let b = process::browser(&webdriver).await;
    let result = async {
        process::sign_in(&b, &base, "claire@acme.fr").await?;
        b.goto(&format!("{base}/customers/1")).await?;
        b.wait().for_element(Locator::Id("export-data")).await?;
        // The download, posted as the form does, with the session and the form token.
        let exported = b
            .execute_async(
                "const done = arguments[arguments.length - 1];\
                 const f = document.getElementById('export-form');\
                 fetch(f.action, {method: 'POST', body: new URLSearchParams(new FormData(f))})\
                   .then(r => r.text()).then(done, e => done(String(e)));",
                vec![],
            )
            .await?;
        let exported = exported.as_str().unwrap_or_default().to_string();
        assert!(
            exported.contains("marie@exemple.fr") && exported.contains("3 rue Cuvier"),
            "{exported}"
        );

        // Not confirmed: refused, nothing erased.
        b.find(Locator::Id("erase-confirm"))
            .await?
            .send_keys("2")
            .await?;
        b.find(Locator::Id("erase-submit")).await?.click().await?;
        // The refusal's own page (the 360 it came from has a <main> too).
        b.wait().for_element(Locator::Css("ul.errors")).await?;
        let refused = b.find(Locator::Css("ul.errors")).await?.text().await?;
        assert!(refused.contains("confirm"), "{refused}");

        b.goto(&format!("{base}/customers/1")).await?;
        b.wait().for_element(Locator::Id("erase-confirm")).await?;
        b.find(Locator::Id("erase-confirm"))
            .await?
            .send_keys("1")
            .await?;
        b.find(Locator::Id("erase-submit")).await?.click().await?;
        b.wait().for_element(Locator::Id("erased")).await?;
        assert_eq!(
            b.find(Locator::Id("flash")).await?.text().await?,
            "Données personnelles effacées."
        );
        let page = b.find(Locator::Css("main")).await?.text().await?;
        assert!(
            !page.contains("Marie Curie") && !page.contains("marie@exemple.fr"),
            "{page}"
        );
        assert!(
            b.find(Locator::Id("erase-form")).await.is_err(),
            "nothing left to erase"
        );
        Ok::<_, fantoccini::error::CmdError>(())
    }
    .await;
    b.close().await.ok();
    if let Err(e) = result {
        panic!("{e}\n{}", server.log_tail());
    }
}
