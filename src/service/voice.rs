//! What surveys and reviews share: signed links to public pages, mail to customers through the
//! organisation's outgoing mailbox, and alerts to the site's managers (in Pacte, by email and by
//! the organisation's webhook), all written in the caller's transaction.

use crate::domain::link::{self, Purpose};
use crate::service::Result;
use crate::service::email::outbound::{self, Draft};
use crate::service::email::secrets;
use crate::store::{self, Conn};

/// The public address of a survey (`/s/…`) or review invitation (`/r/…`).
pub fn link(base: &str, purpose: Purpose, id: i64) -> String {
    let token = link::sign(secrets::link_key(), purpose, id);
    match purpose {
        Purpose::Survey => format!("{base}/s/{token}"),
        Purpose::Review => format!("{base}/r/{token}"),
        // A chat visitor's token travels in API calls, never as a link.
        Purpose::Chat => token,
    }
}

/// The row id behind a token, or `None` when it was not signed by us.
pub fn verify(purpose: Purpose, token: &str) -> Option<i64> {
    link::verify(secrets::link_key(), purpose, token)
}

/// The mailbox the organisation sends from, if one can send.
pub async fn sending_mailbox(c: &mut Conn, org_id: i64) -> Result<Option<store::email::Mailbox>> {
    Ok(store::email::mailboxes(c, org_id)
        .await?
        .into_iter()
        .find(|m| m.smtp_host.is_some() && m.active != 0))
}

/// Queues a plain message to `to` from the organisation's mailbox; `None` when it has none.
pub async fn mail(
    c: &mut Conn,
    org_id: i64,
    to: &str,
    subject: String,
    text: String,
    kind: &str,
    now: i64,
) -> Result<Option<i64>> {
    let Some(mailbox) = sending_mailbox(c, org_id).await? else {
        return Ok(None);
    };
    let id = outbound::queue_in(
        c,
        org_id,
        &Draft {
            mailbox: &mailbox,
            to,
            subject,
            text,
            answering: None,
            automatic: true,
            case_id: None,
            case_number: 0,
            interaction_id: None,
            kind,
        },
        now,
    )
    .await?;
    Ok(Some(id))
}

/// An alert for the site's managers: listed in Pacte, mailed to them, posted to the webhook.
pub struct Alert<'a> {
    pub org_id: i64,
    pub site_id: Option<i64>,
    /// detractor | difficult | dissatisfied | negative_review
    pub kind: &'a str,
    pub response_id: Option<i64>,
    pub review_id: Option<i64>,
    pub summary: String,
    /// Where to look, e.g. "/cases/12" (appended to the public base in mail).
    pub path: String,
}

pub async fn raise(c: &mut Conn, a: &Alert<'_>, base: &str, now: i64) -> Result<i64> {
    let id = store::survey::insert_alert(
        c,
        a.org_id,
        a.site_id,
        a.kind,
        a.response_id,
        a.review_id,
        &a.summary,
        now,
    )
    .await?;
    let (_, webhook) = store::survey::voice_settings(c, a.org_id).await?;
    if let Some(url) = webhook.filter(|u| !u.trim().is_empty()) {
        let payload = serde_json::json!({
            "type": format!("voice.{}", a.kind),
            "alert_id": id,
            "site_id": a.site_id,
            "response_id": a.response_id,
            "review_id": a.review_id,
            "summary": a.summary,
            "url": format!("{base}{}", a.path),
            "at": crate::service::iso(now),
        });
        store::charter::enqueue_alert(c, a.org_id, &url, &payload.to_string(), now).await?;
    }
    for to in store::survey::site_manager_emails(c, a.org_id, a.site_id).await? {
        let subject = format!(
            "[Pacte] {}",
            a.summary.chars().take(120).collect::<String>()
        );
        let text = format!("{}\n\n{base}{}\n", a.summary, a.path);
        mail(c, a.org_id, &to, subject, text, "alert", now).await?;
    }
    Ok(id)
}
