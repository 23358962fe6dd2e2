//! The chat in two real browsers against a real `pacte serve`: a visitor on the help page opens
//! the launcher, the bot answers from the knowledge base and asks whether it helped, the visitor
//! asks for an advisor and sees their place in the queue; an advisor in the console sees why,
//! takes it and replies, and each side sees the other's words arrive live; the visitor leaves
//! the page, the advisor writes meanwhile, and back on the page the conversation resumes from
//! the last event it showed — every message once; markup stays text.

use crate::support::process::{Server, browser, organisation, sign_in, text};
use fantoccini::Locator;
use serde_json::Value;
use std::time::Duration;

const ARTICLES: &str = r#"{"external_id": "A1", "title": "Que faire en cas de perte de la carte grise ?", "short_answer": "Déclarez la perte en ligne et demandez un duplicata.", "body": "La déclaration de perte se fait en ligne."}
{"external_id": "A2", "title": "Comment refaire son passeport ?", "short_answer": "En mairie, sur rendez-vous.", "body": "Avec une photo et un timbre fiscal."}
"#;

/// Waits until the elements matching `css` hold `n` and the last one contains `part`.
async fn until(
    b: &fantoccini::Client,
    css: &str,
    n: usize,
    part: &str,
) -> Result<(), fantoccini::error::CmdError> {
    for _ in 0..100 {
        let found = b.find_all(Locator::Css(css)).await?;
        if found.len() >= n
            && let Some(last) = found.last()
            && last.text().await?.contains(part)
        {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let html = b.source().await?;
    panic!("no {css} #{n} with «{part}» in {html}");
}

#[tokio::test]
async fn a_visitor_chats_with_the_bot_then_an_advisor_and_resumes_after_leaving() {
    let Ok(webdriver) = std::env::var("WEBDRIVER_URL") else {
        eprintln!("WEBDRIVER_URL not set: browser test skipped");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let token = organisation(dir.path());
    let server = Server::start(dir.path());
    let base = format!("http://127.0.0.1:{}", server.port);
    let http = reqwest::Client::new();
    let r = http
        .post(format!("{base}/api/v1/kb/import"))
        .bearer_auth(&token)
        .body(ARTICLES)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let staff = |method: reqwest::Method, path: String, body: Value| {
        let req = http
            .request(method, format!("{base}/api/v1{path}"))
            .bearer_auth(&token)
            .json(&body);
        async move {
            let res = req.send().await.unwrap();
            let status = res.status().as_u16();
            (status, res.json::<Value>().await.unwrap_or(Value::Null))
        }
    };

    let b = browser(&webdriver).await;
    let adv = browser(&webdriver).await;
    let result = async {
        b.goto(&format!("{base}/o/acme/aide")).await?;
        b.wait()
            .for_element(Locator::Id("pacte-launcher"))
            .await?
            .click()
            .await?;
        let input = b
            .wait()
            .for_element(Locator::Css("#pacte-chat input[name=message]"))
            .await?;
        input.send_keys("j'ai perdu ma carte grise").await?;
        b.find(Locator::Css("#pacte-chat form button[type=submit]"))
            .await?
            .click()
            .await?;
        // The bot's greeting, then its answer, and the question whether it helped.
        until(&b, "#pacte-chat .pc-bot", 2, "duplicata").await?;
        let rate = b
            .find_all(Locator::Css("#pacte-chat .pc-rate button"))
            .await?;
        assert_eq!(rate.len(), 2);
        rate[0].click().await?;
        until(&b, "#pacte-chat .pc-sys", 1, "Merci").await?;

        // "Parler à un conseiller": the place in the queue.
        b.find(Locator::Css("#pacte-chat .pc-human"))
            .await?
            .click()
            .await?;
        until(
            &b,
            "#pacte-chat .pc-sys",
            2,
            "Un conseiller va vous répondre",
        )
        .await?;
        let status = text(&b, "#pacte-chat .pc-status").await?;
        assert!(
            status.replace('\u{a0}', " ").contains("n° 1 dans la file"),
            "{status}"
        );
        // Nobody is at the console yet: the widget says so and offers a message.
        let offer = text(&b, "#pacte-chat .pc-leave").await?;
        assert!(
            offer.contains("Aucun conseiller n'est disponible"),
            "{offer}"
        );
        crate::browser_test::shoot(&b, "chat-waiting").await;

        // The advisor, in a second browser, sees why, takes it and replies: the reply arrives
        // in the widget without a reload (markup stays text), and the visitor's answer arrives
        // in the console.
        sign_in(&adv, &base, "claire@acme.fr").await?;
        adv.goto(&format!("{base}/chat")).await?;
        assert!(
            text(&adv, "#chat-queue")
                .await?
                .contains("le client demande un conseiller")
        );
        adv.find(Locator::Css("#chat-queue a"))
            .await?
            .click()
            .await?;
        adv.wait()
            .for_element(Locator::Id("accept"))
            .await?
            .click()
            .await?;
        let reply = adv.wait().for_element(Locator::Id("reply")).await?;
        reply
            .send_keys("Bonjour, je m'en occupe <b>tout de suite</b>")
            .await?;
        adv.find(Locator::Css("form.stack button[type=submit]"))
            .await?
            .click()
            .await?;
        until(
            &b,
            "#pacte-chat .pc-them",
            1,
            "je m'en occupe <b>tout de suite</b>",
        )
        .await?;
        assert!(
            b.find_all(Locator::Css("#pacte-chat b")).await?.is_empty(),
            "markup stays text"
        );
        adv.wait().for_element(Locator::Id("reply")).await?;
        let shown = adv.find_all(Locator::Css("#transcript li")).await?.len();
        b.find(Locator::Css("#pacte-chat input[name=message]"))
            .await?
            .send_keys("Merci, c'est urgent")
            .await?;
        b.find(Locator::Css("#pacte-chat form button[type=submit]"))
            .await?
            .click()
            .await?;
        until(&adv, "#transcript li", shown + 1, "Merci, c'est urgent").await?;
        crate::browser_test::shoot(&adv, "chat-console").await;
        let url = adv.current_url().await?;
        let id: i64 = url.path().trim_start_matches("/chat/").parse().unwrap();

        // The visitor leaves; the advisor writes meanwhile; back, nothing lost, nothing twice.
        b.goto(&format!("{base}/o/acme/engagements")).await?;
        adv.goto(&format!("{base}/chat/{id}")).await?;
        adv.wait()
            .for_element(Locator::Id("reply"))
            .await?
            .send_keys("Votre duplicata est en route.")
            .await?;
        adv.find(Locator::Css("form.stack button[type=submit]"))
            .await?
            .click()
            .await?;
        adv.wait().for_element(Locator::Id("reply")).await?;
        b.goto(&format!("{base}/o/acme/aide")).await?;
        until(
            &b,
            "#pacte-chat .pc-them",
            2,
            "Votre duplicata est en route.",
        )
        .await?;
        assert_eq!(
            b.find_all(Locator::Css("#pacte-chat .pc-me")).await?.len(),
            2
        );
        assert_eq!(
            b.find_all(Locator::Css("#pacte-chat .pc-them"))
                .await?
                .len(),
            2
        );
        b.refresh().await?;
        until(
            &b,
            "#pacte-chat .pc-them",
            2,
            "Votre duplicata est en route.",
        )
        .await?;
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(
            b.find_all(Locator::Css("#pacte-chat .pc-them"))
                .await?
                .len(),
            2,
            "once each after a reload"
        );
        assert_eq!(
            b.find_all(Locator::Css("#pacte-chat .pc-me")).await?.len(),
            2
        );

        // The visitor ends it.
        b.find(Locator::Css("#pacte-chat .pc-end"))
            .await?
            .click()
            .await?;
        until(&b, "#pacte-chat .pc-sys", 4, "Conversation terminée").await?;
        // The closing survey: nothing chosen is said plainly; then "solved", a score, why.
        b.wait()
            .for_element(Locator::Css("#pacte-chat .pc-survey"))
            .await?;
        let survey_text = text(&b, "#pacte-chat .pc-survey").await?;
        assert!(
            survey_text.contains("résolue") && survey_text.contains("satisfait"),
            "{survey_text}"
        );
        crate::browser_test::shoot(&b, "chat-closed").await;
        b.find(Locator::Css("#pacte-chat .pc-survey button[type=submit]"))
            .await?
            .click()
            .await?;
        until(&b, "#pacte-chat .pc-err", 1, "Choisissez une réponse").await?;
        let groups = b
            .find_all(Locator::Css("#pacte-chat .pc-survey fieldset"))
            .await?;
        groups[0]
            .find(Locator::XPath(".//button[text()='Oui']"))
            .await?
            .click()
            .await?;
        groups[1]
            .find(Locator::Css("button[aria-label='Note 4 sur 5']"))
            .await?
            .click()
            .await?;
        b.find(Locator::Css("#pacte-chat .pc-survey textarea"))
            .await?
            .send_keys("Rapide et clair")
            .await?;
        b.find(Locator::Css("#pacte-chat .pc-survey button[type=submit]"))
            .await?
            .click()
            .await?;
        until(&b, "#pacte-chat .pc-sys", 5, "Merci pour votre réponse").await?;
        assert!(
            b.find_all(Locator::Css("#pacte-chat .pc-survey"))
                .await?
                .is_empty(),
            "asked once"
        );
        // A new conversation starts from there, with the bot again.
        b.find(Locator::Css("#pacte-chat .pc-again"))
            .await?
            .click()
            .await?;
        until(&b, "#pacte-chat .pc-bot", 1, "Bonjour").await?;
        assert!(
            b.find_all(Locator::Css("#pacte-chat .pc-me"))
                .await?
                .is_empty(),
            "a fresh conversation"
        );
        assert_eq!(b.find_all(Locator::Css("#pacte-chat")).await?.len(), 1);

        // Nobody available again (the advisor never said they were): the visitor leaves a
        // message, which becomes an email case; the conversation ends, with nothing to rate.
        b.find(Locator::Css("#pacte-chat .pc-human"))
            .await?
            .click()
            .await?;
        let leave = b
            .wait()
            .for_element(Locator::Css("#pacte-chat .pc-leave"))
            .await?;
        leave
            .find(Locator::Css("input[name=email]"))
            .await?
            .send_keys("sam@example.fr")
            .await?;
        leave
            .find(Locator::Css("textarea[name=text]"))
            .await?
            .send_keys("Mon colis n'est jamais arrivé, merci de me recontacter.")
            .await?;
        leave
            .find(Locator::Css("button[type=submit]"))
            .await?
            .click()
            .await?;
        // The socket may tell the end before the POST answers: both lines, in either order.
        until(&b, "#pacte-chat .pc-sys", 3, "").await?;
        let all = text(&b, "#pacte-chat .pc-log").await?;
        assert!(
            all.contains("Message reçu, merci.") && all.contains("Conversation terminée"),
            "{all}"
        );
        assert!(
            b.find_all(Locator::Css(
                "#pacte-chat .pc-survey, #pacte-chat .pc-leave"
            ))
            .await?
            .is_empty(),
            "no survey, no second offer"
        );
        crate::browser_test::shoot(&b, "chat-message-left").await;
        Ok::<i64, fantoccini::error::CmdError>(id)
    }
    .await;
    b.close().await.ok();
    adv.close().await.ok();
    let id = result.expect("browser scenario");
    let (_, t) = staff(
        reqwest::Method::GET,
        format!("/chat/conversations/{id}"),
        Value::Null,
    )
    .await;
    assert_eq!(t["conversation"]["status"], "closed", "{t}");
    assert_eq!(t["conversation"]["resolved_by_bot"], true, "{t}");
    // The answer is the organisation's post-case survey's, from the chat.
    let (_, surveys) = staff(reqwest::Method::GET, "/surveys".into(), Value::Null).await;
    let csat = surveys
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["trigger"] == "case_solved")
        .unwrap()["id"]
        .clone();
    let (_, answers) = staff(
        reqwest::Method::GET,
        format!("/surveys/{csat}/responses"),
        Value::Null,
    )
    .await;
    let a = answers
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["comment"] == "Rapide et clair")
        .unwrap_or_else(|| panic!("{answers}"));
    assert_eq!(
        (a["score"].clone(), a["channel"].clone()),
        (4.into(), "chat".into()),
        "{a}"
    );
    // The message left is an email case of the customer who gave the address.
    let (_, found) = staff(
        reqwest::Method::GET,
        "/customers?q=sam%40example.fr".into(),
        Value::Null,
    )
    .await;
    let id = &found["items"][0]["id"];
    let (_, record) = staff(
        reqwest::Method::GET,
        format!("/customers/{id}"),
        Value::Null,
    )
    .await;
    let record = record.to_string();
    assert!(
        record.contains("sam@example.fr") && record.contains("jamais arrivé"),
        "{record}"
    );
}
