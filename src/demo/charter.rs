//! The demo organisation's charter, modelled on the seeds (AFNOR service standards): in force
//! over the whole generated year so that its results are measured as the history is recorded.

use crate::service::Result;
use crate::service::charter::{self, CommitmentInput, compensation};
use crate::service::counter;
use crate::store::Store;

#[allow(clippy::too_many_arguments)]
fn commitment(
    position: i64,
    title: (&str, &str),
    wording: (&str, &str),
    metric: &str,
    channels: &[&str],
    nominal_minutes: Option<i64>,
    requirement_pct: f64,
    unacceptable_minutes: Option<i64>,
    business_time: bool,
) -> CommitmentInput {
    CommitmentInput {
        title_fr: title.0.into(),
        title_en: title.1.into(),
        wording_fr: wording.0.into(),
        wording_en: wording.1.into(),
        metric: metric.into(),
        channels: channels.iter().map(|c| c.to_string()).collect(),
        nominal_minutes,
        requirement_pct,
        unacceptable_minutes,
        business_time,
        period: "month".into(),
        position: Some(position),
        ..CommitmentInput::default()
    }
}

pub async fn install(store: &Store, org_id: i64, since: i64) -> Result<()> {
    let mut counter = commitment(
        1,
        ("Accueil au guichet", "Counter welcome"),
        (
            "Nous vous prenons en charge en moins de 5 minutes à nos guichets, et personne n'attend plus de 15 minutes.",
            "We see you within 5 minutes at our counters, and nobody waits over 15 minutes.",
        ),
        "counter_wait",
        &["counter"],
        Some(5),
        85.0,
        Some(15),
        false,
    );
    counter.compensation_gesture = Some("Bon d'achat".into());
    counter.compensation_cents = Some(1000);
    let list = [
        counter,
        commitment(
            2,
            ("Réponse à vos courriels", "Answers to your emails"),
            (
                "Nous répondons à vos courriels sous 48 heures ouvrées.",
                "We answer your emails within 48 business hours.",
            ),
            "first_response",
            &["email", "web_form"],
            Some(48 * 60),
            90.0,
            None,
            true,
        ),
        commitment(
            3,
            ("Réponse à vos courriers", "Answers to your letters"),
            (
                "Nous répondons à vos courriers sous 20 jours.",
                "We answer your letters within 20 days.",
            ),
            "first_response",
            &["letter"],
            Some(20 * 1440),
            90.0,
            None,
            false,
        ),
        commitment(
            4,
            ("Décroché au téléphone", "Phone answered"),
            (
                "Nous décrochons en moins de 3 minutes.",
                "We pick up within 3 minutes.",
            ),
            "phone_answer",
            &["phone"],
            Some(3),
            80.0,
            None,
            false,
        ),
        commitment(
            5,
            ("Réponse sur le chat", "Chat answered"),
            (
                "Un conseiller vous répond sur le chat en moins de 60 secondes, pour 85 % d'entre vous, jamais plus de 3 minutes.",
                "An advisor answers your chat within 60 seconds for 85% of you, never over 3 minutes.",
            ),
            "chat_answer",
            &["chat"],
            Some(1),
            85.0,
            Some(3),
            false,
        ),
        commitment(
            6,
            (
                "Réglé dès le premier contact",
                "Settled at the first contact",
            ),
            (
                "Au moins 6 demandes sur 10 réglées dès votre premier contact, sans avoir à nous relancer.",
                "At least 6 requests in 10 settled at your first contact, with no need to chase us.",
            ),
            "once_and_done",
            &[
                "email", "phone", "chat", "social", "web_form", "letter", "counter",
            ],
            None,
            60.0,
            None,
            false,
        ),
    ];
    for input in &list {
        let c = charter::create_unchecked(store, org_id, None, input).await?;
        charter::publish_at(store, org_id, None, c.id, since, false).await?;
    }
    compensation::set_limit_unchecked(
        store,
        org_id,
        compensation::RULE_ROLE_LIMIT.0,
        compensation::RULE_ROLE_LIMIT.1,
    )
    .await?;
    compensation::set_limit_unchecked(store, org_id, "manager", 5_000).await?;
    compensation::set_limit_unchecked(store, org_id, "quality", 10_000).await?;
    for (i, (code, fr, en)) in [
        ("C", "Colis et recommandés", "Parcels and registered mail"),
        ("B", "Compte et moyens de paiement", "Account and payment"),
        ("A", "Autres demandes", "Other requests"),
    ]
    .into_iter()
    .enumerate()
    {
        counter::add_service_unchecked(store, org_id, code, fr, en, i as i64).await?;
    }
    Ok(())
}
