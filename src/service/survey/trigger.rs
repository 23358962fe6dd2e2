//! When surveys go out. A solved case or a counter visit schedules an invitation in the same
//! transaction (after the survey's delay); periodic surveys schedule a random sample of
//! reachable customers. The dispatcher then applies the fatigue rule and opt-outs at sending
//! time, mails the signed link (with a review invitation for the same verified experience), or
//! keeps it as a link to give in a chat or on the phone when there is no address to mail.

use super::record;
use crate::domain::DAY_MS;
use crate::domain::link::Purpose;
use crate::domain::survey::{LINK_DAYS, SurveyKind};
use crate::service::wake::Worker;
use crate::service::work::Work;
use crate::service::{Result, now_ms, voice};
use crate::store::{self, Conn, Store};

/// Schedules a relationship survey for a random sample of reachable customers (not opted out,
/// not surveyed within the fatigue window). Returns how many were scheduled.
pub async fn sample(c: &mut Conn, s: &store::survey::Survey, size: i64, now: i64) -> Result<usize> {
    let (fatigue_days, _) = store::survey::voice_settings(c, s.org_id).await?;
    let ids =
        store::survey::sample_customers(c, s.org_id, now - fatigue_days * DAY_MS, size).await?;
    // A relationship answer counts for the customer's agency: the site of their latest case.
    for &(customer_id, site_id) in &ids {
        let inv = store::survey::Invitation {
            id: 0,
            org_id: s.org_id,
            survey_id: s.id,
            customer_id,
            case_id: None,
            site_id,
            team_id: None,
            channel: None,
            category: None,
            lang: "fr".into(),
            status: "scheduled".into(),
            skip_reason: None,
            due_at: now,
            sent_at: None,
            expires_at: None,
            email_id: None,
            answered_at: None,
        };
        store::survey::insert_invitation(c, &inv, now).await?;
    }
    Ok(ids.len())
}

/// What became of one due invitation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Mailed,
    LinkOnly,
    Skipped(&'static str),
    TakenElsewhere,
}

/// Sends (or skips) one due invitation, in its own transaction.
pub async fn dispatch_one(
    store: &Store,
    inv: &store::survey::Invitation,
    base: &str,
) -> Result<Outcome> {
    let now = now_ms();
    let mut tx = Work::begin(store).await?;
    let (fatigue_days, _) = store::survey::voice_settings(&mut tx, inv.org_id).await?;
    let case = match inv.case_id {
        Some(id) => store::case::by_id(&mut tx, inv.org_id, id).await?,
        None => None,
    };
    let skip = if store::survey::opted_out(&mut tx, inv.customer_id).await? {
        Some("opt_out")
    } else if fatigue_days > 0
        && store::survey::surveyed_since(&mut tx, inv.customer_id, now - fatigue_days * DAY_MS)
            .await?
    {
        Some("fatigue")
    } else if let Some(case_id) = inv.case_id
        && store::survey::case_answered_since(&mut tx, case_id, now - 2 * DAY_MS).await?
    {
        // Answered already, e.g. in the chat widget as the conversation closed.
        Some("answered")
    } else {
        match (inv.case_id, &case) {
            (None, _) => None,
            (Some(_), Some(k)) if k.status == "solved" || k.status == "closed" => None,
            (Some(_), _) => Some("case_reopened"),
        }
    };
    if let Some(reason) = skip {
        let ok =
            store::survey::dispatch(&mut tx, inv.id, "skipped", Some(reason), None, None).await?;
        tx.commit().await?;
        return Ok(if ok {
            Outcome::Skipped(reason)
        } else {
            Outcome::TakenElsewhere
        });
    }
    let address = store::customer::email_of(&mut tx, inv.customer_id).await?;
    let mailbox = voice::sending_mailbox(&mut tx, inv.org_id).await?;
    let status = if address.is_some() && mailbox.is_some() {
        "sent"
    } else {
        "shown"
    };
    let expires = now + LINK_DAYS * DAY_MS;
    if !store::survey::dispatch(&mut tx, inv.id, status, None, Some(now), Some(expires)).await? {
        return Ok(Outcome::TakenElsewhere);
    }
    let Some(survey) = store::survey::survey(&mut tx, inv.org_id, inv.survey_id).await? else {
        return Ok(Outcome::TakenElsewhere);
    };
    // The same verified experience may be reviewed publicly.
    let review = match &case {
        Some(k) => crate::service::review::invite_for_case(&mut tx, k, now).await?,
        None => None,
    };
    let (tz, _) = store::org::org_calendar(&mut tx, inv.org_id).await?;
    record::count_invited(&mut tx, inv, &tz, now).await?;
    if let (Some(to), Some(_)) = (address, mailbox) {
        let org = store::org::org_by_id(&mut tx, inv.org_id)
            .await?
            .ok_or(crate::service::Error::NotFound("organisation"))?;
        let (subject, text) =
            invitation_text(&org, &survey, case.as_ref(), inv.id, review.as_ref(), base);
        if let Some(email_id) =
            voice::mail(&mut tx, inv.org_id, &to, subject, text, "survey", now).await?
        {
            store::survey::set_invitation_email(&mut tx, inv.id, email_id).await?;
            tx.wake(Worker::Mail);
        }
    }
    tx.commit().await?;
    Ok(if status == "sent" {
        Outcome::Mailed
    } else {
        Outcome::LinkOnly
    })
}

/// The invitation mail, in French (the customer's language is not known before they answer;
/// the page offers English).
fn invitation_text(
    org: &store::org::Organization,
    survey: &store::survey::Survey,
    case: Option<&store::case::Case>,
    invitation_id: i64,
    review: Option<&store::review::Invitation>,
    base: &str,
) -> (String, String) {
    let link = voice::link(base, Purpose::Survey, invitation_id);
    let about = match case {
        Some(c) => format!(
            "votre demande « {} » {}",
            c.subject,
            crate::domain::email::token_for(&org.slug, c.number)
        ),
        None => format!("{} et ses services", org.name),
    };
    let subject = match case {
        Some(c) => format!(
            "Votre avis sur votre demande {}",
            crate::domain::email::token_for(&org.slug, c.number)
        ),
        None => format!("Votre avis sur {}", org.name),
    };
    let mut t = format!(
        "Bonjour,\n\n{} vous pose une question sur {about}.\n\n{}\n\nRépondez en une minute : {link}\n",
        org.name, survey.question_fr
    );
    if let Some((lo, hi)) = SurveyKind::parse(&survey.kind)
        .ok()
        .and_then(SurveyKind::range)
    {
        t.push_str("\nOu choisissez directement votre note (vous la confirmerez sur la page) :\n");
        for s in lo..=hi {
            t.push_str(&format!("  {s} : {link}?score={s}\n"));
        }
    }
    if let Some(r) = review {
        t.push_str(&format!(
            "\nVous pouvez aussi publier un avis vérifié : {}\nIl sera publié tel quel, avec votre prénom, \
             l'initiale de votre nom et la date de votre expérience, sur {base}/o/{}/avis ; {} pourra y \
             répondre publiquement. Lien valable jusqu'au {}.\n",
            voice::link(base, Purpose::Review, r.id),
            org.slug,
            org.name,
            crate::i18n::Lang::Fr.date(r.expires_at),
        ));
    }
    t.push_str(&format!(
        "\nLien valable {LINK_DAYS} jours, pour une seule réponse.\nNe plus recevoir d'enquêtes : {link}/stop\n\n\
         English: {link}?lang=en\n"
    ));
    (subject, t)
}

/// Schedules due periodic surveys (once per period, whichever node gets there first).
pub async fn run_periodic(store: &Store) -> Result<usize> {
    let now = now_ms();
    let due = {
        let mut c = store.reader().await?;
        store::survey::periodic_due(&mut c, now).await?
    };
    let mut n = 0;
    for s in due {
        let mut tx = store.begin().await?;
        if store::survey::claim_run(&mut tx, s.id, s.last_run_at, now).await? {
            n += sample(&mut tx, &s, s.sample_size.unwrap_or(0), now).await?;
        }
        tx.commit().await?;
    }
    Ok(n)
}

/// Dispatches every due invitation; returns how many were handled.
pub async fn dispatch_due(store: &Store, base: &str) -> Result<usize> {
    let mut handled = 0;
    loop {
        let due = {
            let mut c = store.reader().await?;
            store::survey::due_invitations(&mut c, now_ms(), 100).await?
        };
        if due.is_empty() {
            return Ok(handled);
        }
        for inv in &due {
            dispatch_one(store, inv, base).await?;
            handled += 1;
        }
    }
}

/// What an advisor or the API sees of an invitation: its state and, while it can be answered,
/// the link to give the customer (at the end of a chat, on the phone).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct InvitationView {
    #[serde(flatten)]
    pub invitation: store::survey::Invitation,
    pub survey_name: String,
    pub link: Option<String>,
}

pub fn view(
    inv: store::survey::Invitation,
    survey_name: String,
    base: &str,
    now: i64,
) -> InvitationView {
    let open =
        matches!(inv.status.as_str(), "sent" | "shown") && inv.expires_at.is_some_and(|e| e > now);
    InvitationView {
        link: open.then(|| voice::link(base, Purpose::Survey, inv.id)),
        invitation: inv,
        survey_name,
    }
}
