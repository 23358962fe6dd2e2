//! The email channel end to end in a real browser against a real `pacte serve`, Dovecot and
//! aiosmtpd: an administrator connects a mailbox and tests it; a customer's message, delivered
//! to the IMAP mailbox, appears as a case (IDLE, no polling wait) with its attachment and its
//! quoted history folded; the advisor answers with a canned reply; the answer reaches the SMTP
//! server threaded under the customer's message.

use crate::support::process::{self, Server, organisation, sign_in, text};
use fantoccini::Locator;
use std::time::Duration;

#[tokio::test]
async fn a_mailbox_connected_in_the_browser_brings_mail_in_and_answers_go_out() {
    let (Ok(webdriver), Ok(imap), Ok(smtp), Ok(maildir)) = (
        std::env::var("WEBDRIVER_URL"),
        std::env::var("PACTE_TEST_IMAP"),
        std::env::var("PACTE_TEST_SMTP"),
        std::env::var("PACTE_TEST_SMTP_MAILDIR"),
    ) else {
        eprintln!("WEBDRIVER_URL or mail servers not set: browser test skipped");
        return;
    };
    let (imap_host, imap_port) = imap.rsplit_once(':').unwrap();
    let (smtp_host, smtp_port) = smtp.rsplit_once(':').unwrap();
    let tag = uuid::Uuid::now_v7().simple().to_string();
    let inbox_user = format!("browser-{tag}");
    let address = format!("service-{tag}@acme.fr");
    let customer = format!("ines-{tag}@example.fr");
    let dir = tempfile::tempdir().unwrap();
    organisation(dir.path());
    let server = Server::start(dir.path());
    let base = format!("http://127.0.0.1:{}", server.port);
    let b = process::browser(&webdriver).await;
    let result = async {
        sign_in(&b, &base, "claire@acme.fr").await?;
        b.goto(&format!("{base}/admin")).await?;
        b.find(Locator::Id("email-admin-link")).await?.click().await?;
        b.find(Locator::LinkText("Ajouter une boîte")).await?.click().await?;
        let fill = |id: &'static str, v: String| {
            let b = b.clone();
            async move { b.find(Locator::Id(id)).await?.send_keys(&v).await }
        };
        fill("mb-address", address.clone()).await?;
        fill("mb-name", "Service client Acme".into()).await?;
        fill("mb-imap-host", imap_host.into()).await?;
        fill("mb-imap-port", "99999".into()).await?;
        b.find(Locator::Css("#mb-imap-sec option[value=none]")).await?.click().await?;
        fill("mb-imap-user", inbox_user.clone()).await?;
        fill("mb-imap-pw", "secret".into()).await?;
        fill("mb-smtp-host", smtp_host.into()).await?;
        fill("mb-smtp-port", smtp_port.into()).await?;
        b.find(Locator::Css("#mb-smtp-sec option[value=none]")).await?.click().await?;
        b.find(Locator::Css("#mailbox-form button[type=submit]")).await?.click().await?;
        // Refused field by field, the form kept as typed (the password is never echoed).
        // (The old page's form is there until the answer replaces it: wait for the answer.)
        let mut refused = false;
        for _ in 0..100 {
            if b.source().await?.contains("65535") {
                refused = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(refused, "the port is refused with its reason");
        assert_eq!(b.find(Locator::Id("mb-imap-user")).await?.prop("value").await?.as_deref(), Some(inbox_user.as_str()));
        let port = b.find(Locator::Id("mb-imap-port")).await?;
        port.clear().await?;
        port.send_keys(imap_port).await?;
        fill("mb-imap-pw", "secret".into()).await?;
        b.find(Locator::Css("#mailbox-form button[type=submit]")).await?.click().await?;
        b.wait().for_element(Locator::Id("test-connection")).await?;
        b.find(Locator::Id("test-connection")).await?.click().await?;
        b.wait().for_element(Locator::Id("test-imap")).await?;
        let imap_result = text(&b, "#test-imap").await?;
        let smtp_result = text(&b, "#test-smtp").await?;
        assert!(imap_result.contains('✔'), "{imap_result}");
        assert!(smtp_result.contains('✔'), "{smtp_result}");

        // A canned reply for the team.
        b.goto(&format!("{base}/admin/email")).await?;
        fill("canned-title", "Photo reçue".into()).await?;
        fill("canned-body", "Bonjour {{ customer_name }}, merci pour la photo ({{ case_token }}).".into()).await?;
        b.find(Locator::Css("#canned button[type=submit]")).await?.click().await?;
        b.wait().for_element(Locator::Css("#canned")).await?;

        // The customer writes; the watcher (IDLE) brings the message in.
        let raw = format!(
            "From: =?UTF-8?Q?In=C3=A8s_Moreau?= <{customer}>\r\nTo: {address}\r\nSubject: Photo du colis\r\n\
Message-ID: <b1-{tag}@example.fr>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"k\"\r\n\r\n\
--k\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nVoici la photo demandée.\r\n\r\n\
Le 20 nov. 2026 à 10:00, Service client <{address}> a écrit :\r\n> Pouvez-vous nous envoyer une photo ?\r\n\
--k\r\nContent-Type: image/png; name=\"colis.png\"\r\nContent-Disposition: attachment; filename=\"colis.png\"\r\n\
Content-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n--k--\r\n"
        );
        deliver(&imap, &inbox_user, &raw).await;
        let mut found = false;
        for _ in 0..60 {
            b.goto(&format!("{base}/inbox")).await?;
            if b.source().await?.contains("Photo du colis") {
                found = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        assert!(found, "the message became a case");
        b.find(Locator::LinkText("Photo du colis")).await?.click().await?;
        b.wait().for_element(Locator::Css("ol.timeline")).await?;
        let timeline = text(&b, "ol.timeline").await?;
        assert!(timeline.contains("Voici la photo demandée."));
        assert!(!timeline.contains("Pouvez-vous nous envoyer"), "quoted history folded: {timeline}");
        assert!(b.find(Locator::LinkText("colis.png (1 Ko)")).await.is_ok(), "attachment downloadable");
        assert!(timeline.contains("Accusé de réception automatique"));

        // The advisor answers with the canned reply, filled in for this customer.
        // The mailbox sends: nothing warns that the reply would stay here.
        assert!(b.find(Locator::Id("send-note")).await.is_err(), "a mailbox that sends needs no warning");
        // What the advisor had typed stays when the canned reply is inserted after it.
        b.find(Locator::Id("reply-body")).await?.send_keys("Merci.").await?;
        b.find(Locator::Css("#canned option")).await?.click().await?;
        b.find(Locator::Id("insert-canned")).await?.click().await?;
        // The old page's field is there at once: wait for the new page's draft.
        let mut draft = String::new();
        for _ in 0..100 {
            if let Ok(field) = b.find(Locator::Id("reply-body")).await
                && let Ok(Some(v)) = field.prop("value").await
            {
                draft = v;
                if draft != "Merci." {
                    break;
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(draft.starts_with("Merci.\n\nBonjour Inès Moreau, merci pour la photo ([#ACME-1])"), "{draft}");
        b.find(Locator::Id("send-reply")).await?.click().await?;
        // The reply is recorded once the page says so (the old page's timeline is there at once).
        b.wait().for_element(Locator::Id("flash")).await?;
        assert_eq!(text(&b, "#flash").await?, "Votre réponse est enregistrée dans le dossier.");
        Ok::<_, fantoccini::error::CmdError>(())
    }
    .await;
    b.close().await.ok();
    result.unwrap();

    // The answer left by SMTP, threaded under the customer's message.
    let mut reply = None;
    for _ in 0..80 {
        reply = std::fs::read_dir(std::path::Path::new(&maildir).join("new"))
            .into_iter()
            .flatten()
            .filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
            .find(|m| {
                // The body may come quoted-printable or base64, as the mail library chooses.
                let text = mail_parser::MessageParser::default()
                    .parse(m.as_bytes())
                    .and_then(|p| p.body_text(0).map(|b| b.into_owned()))
                    .unwrap_or_default();
                m.contains(&format!("X-RcptTo: {customer}")) && text.contains("merci pour la photo")
            });
        if reply.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let reply = reply.unwrap_or_else(|| {
        panic!(
            "the reply did not reach the SMTP server; to {customer} it has: {:?}; the server logged:\n{}",
            std::fs::read_dir(std::path::Path::new(&maildir).join("new"))
                .into_iter()
                .flatten()
                .filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
                .filter(|m| m.contains(&format!("X-RcptTo: {customer}")))
                .collect::<Vec<_>>(),
            server.log_tail()
        )
    });
    assert!(
        reply.contains(&format!("In-Reply-To: <b1-{tag}@example.fr>")),
        "{reply}"
    );
    drop(server);
}

async fn deliver(imap: &str, user: &str, raw: &str) {
    let (host, port) = imap.rsplit_once(':').unwrap();
    let tcp = tokio::net::TcpStream::connect((host, port.parse::<u16>().unwrap()))
        .await
        .unwrap();
    let mut client = async_imap::Client::new(tcp);
    client.read_response().await.unwrap();
    let mut s = client.login(user, "secret").await.map_err(|e| e.0).unwrap();
    s.append("INBOX", None, None, raw.as_bytes()).await.unwrap();
    s.logout().await.unwrap();
}
