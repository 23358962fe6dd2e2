//! What staff do for their own account without an administrator: ask for a password link by
//! email ("mot de passe oublié").

use super::work::Work;
use super::{Result, now_ms, wake::Worker};
use crate::domain::fold::fold_key;
use crate::i18n::Lang;
use crate::store;

/// Sends a one-time password link to an active user's address, from their organisation's first
/// mailbox that sends. The answer never says whether the address has an account (it would tell
/// a stranger who works there); `Ok(false)` only when nothing was sent, for the log.
pub async fn forgot_password(
    store: &store::Store,
    email: &str,
    base: &str,
    lang: Lang,
) -> Result<bool> {
    let email = email.trim();
    if email.is_empty() || email.len() > 320 {
        return Ok(false);
    }
    let mut work = Work::begin(store).await?;
    let Some(user) = store::org::user_by_email_key(&mut work, &fold_key(email)).await? else {
        return Ok(false);
    };
    let mailboxes = store::email::mailboxes(&mut work, user.org_id).await?;
    let Some(mailbox) = mailboxes
        .iter()
        .find(|m| m.active == 1 && m.smtp_host.is_some())
    else {
        tracing::warn!(
            user = user.id,
            "password link asked: no mailbox of the organisation sends mail"
        );
        return Ok(false);
    };
    let secret = super::auth::random_token("pwr_");
    let now = now_ms();
    store::auth::insert_reset(
        &mut work,
        user.id,
        &super::auth::hash_secret(&secret),
        user.id,
        now + super::auth::RESET_MS,
        now,
    )
    .await?;
    let link = format!("{base}/password/{secret}");
    let (subject, text) = match lang {
        Lang::Fr => (
            "Pacte : choisir votre mot de passe".to_string(),
            format!(
                "Bonjour {},\n\nPour choisir votre mot de passe, ouvrez ce lien ; il fonctionne une fois, \
                 pendant 24 heures :\n\n{link}\n\nSi vous n’avez rien demandé, ignorez ce message : votre \
                 mot de passe ne change pas.\n",
                user.name
            ),
        ),
        Lang::En => (
            "Pacte: choose your password".to_string(),
            format!(
                "Hello {},\n\nTo choose your password, open this link; it works once, for 24 hours:\n\n\
                 {link}\n\nIf you did not ask, ignore this message: your password stays as it is.\n",
                user.name
            ),
        ),
    };
    super::email::outbound::queue_in(
        &mut work,
        user.org_id,
        &super::email::outbound::Draft {
            mailbox,
            to: &user.email,
            subject,
            text,
            answering: None,
            automatic: true,
            case_id: None,
            case_number: 0,
            interaction_id: None,
            kind: "password_link",
        },
        now,
    )
    .await?;
    store::org::audit(
        &mut work,
        user.org_id,
        Some(user.id),
        now,
        "password_link_mailed",
        &format!("user:{}", user.id),
        "",
    )
    .await?;
    work.wake(Worker::Mail);
    work.commit().await?;
    Ok(true)
}
