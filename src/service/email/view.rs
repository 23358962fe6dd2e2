//! Reading email back: a case's messages with their attachments, folded quotes and warnings;
//! an attachment or the raw message for download; the sanitised HTML with inline images.

use super::WarningView;
use crate::domain::email::{Folded, fold};
use crate::service::{Actor, Error, Result};
use crate::store::{self, Store};
use serde::Serialize;

pub use store::email::{AttachmentRow, Email};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CaseEmail {
    pub email: Email,
    pub attachments: Vec<AttachmentRow>,
    pub warnings: Vec<WarningView>,
    /// The text as sent, split into what is new, the signature and the quoted history.
    #[schema(value_type = Object)]
    #[serde(skip)]
    pub folded: Folded,
}

/// Every message of a case, oldest first.
pub async fn case_emails(store: &Store, actor: &Actor, case_id: i64) -> Result<Vec<CaseEmail>> {
    let mut c = store.reader().await?;
    store::case::by_id(&mut c, actor.org_id, case_id)
        .await?
        .ok_or(Error::NotFound("case"))?;
    let emails = store::email::of_case(&mut c, case_id).await?;
    let mut attachments = store::email::attachments_of_case(&mut c, case_id).await?;
    let bodies = store::interaction::of_case(&mut c, case_id).await?;
    Ok(emails
        .into_iter()
        .map(|e| {
            let text = bodies
                .iter()
                .find(|i| Some(i.id) == e.interaction_id)
                .map(|i| i.body.as_str())
                .unwrap_or("");
            let mine: Vec<AttachmentRow> = attachments
                .iter()
                .filter(|a| a.email_id == e.id)
                .cloned()
                .collect();
            attachments.retain(|a| a.email_id != e.id);
            CaseEmail {
                warnings: serde_json::from_str(&e.warnings).unwrap_or_default(),
                folded: fold(text),
                attachments: mine,
                email: e,
            }
        })
        .collect())
}

/// The customer a message is about (for the audit of reads).
pub async fn customer_of_email(store: &Store, actor: &Actor, email_id: i64) -> Result<Option<i64>> {
    let mut c = store.reader().await?;
    Ok(store::email::customer_of(&mut c, actor.org_id, email_id).await?)
}

/// The customer of a case (for the audit of reads).
pub async fn customer_of_case(store: &Store, actor: &Actor, case_id: i64) -> Result<Option<i64>> {
    let mut c = store.reader().await?;
    Ok(store::case::by_id(&mut c, actor.org_id, case_id)
        .await?
        .map(|k| k.customer_id))
}

/// An attachment's metadata and content, for an advisor of its organisation.
pub async fn attachment(store: &Store, actor: &Actor, id: i64) -> Result<(AttachmentRow, Vec<u8>)> {
    let mut c = store.reader().await?;
    let a = store::email::attachment(&mut c, actor.org_id, id)
        .await?
        .ok_or(Error::NotFound("attachment"))?;
    let hash = a.blob_hash.clone().ok_or(Error::Conflict {
        code: "not_stored",
        message: "this attachment was too large to store separately; download the raw message"
            .into(),
    })?;
    let data = store::email::blob(&mut c, &hash)
        .await?
        .ok_or(Error::NotFound("attachment content"))?;
    Ok((a, data))
}

/// The message exactly as received or sent.
pub async fn raw_message(store: &Store, actor: &Actor, email_id: i64) -> Result<(Email, Vec<u8>)> {
    let mut c = store.reader().await?;
    let e = store::email::get(&mut c, actor.org_id, email_id)
        .await?
        .ok_or(Error::NotFound("email"))?;
    let raw = store::email::blob(&mut c, &e.raw_hash)
        .await?
        .ok_or(Error::NotFound("raw message"))?;
    Ok((e, raw))
}

/// The sanitised HTML of a message, its inline images pointed at their download address
/// (`prefix` + attachment id).
pub async fn email_html(
    store: &Store,
    actor: &Actor,
    email_id: i64,
    prefix: &str,
) -> Result<String> {
    let mut c = store.reader().await?;
    let e = store::email::get(&mut c, actor.org_id, email_id)
        .await?
        .ok_or(Error::NotFound("email"))?;
    let mut html = e.html.clone().ok_or(Error::NotFound("HTML version"))?;
    if let Some(case_id) = e.case_id {
        for a in store::email::attachments_of_case(&mut c, case_id).await? {
            if a.email_id == e.id
                && let Some(cid) = &a.content_id
            {
                html = html.replace(&format!("cid:{cid}"), &format!("{prefix}{}", a.id));
            }
        }
    }
    Ok(html)
}
