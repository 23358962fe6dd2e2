//! The demo's voice of the customer: a year of answers to the post-case (CSAT + solved), agency
//! visit (CES) and relationship (NPS) surveys and to the satisfaction questionnaire, with French
//! verbatims, and a year of verified reviews — some answered, one rejected for personal data,
//! one withdrawn. Written after the history, on its solved cases; deterministic for a seed.

use crate::service::Result;
use crate::service::review::{self, HistoricReview};
use crate::service::survey::import::{self, HistoricAnswer};
use crate::service::survey::{self, record::CriterionAnswer};
use crate::store::Store;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const GOOD: [&str; 10] = [
    "Accueil très aimable, merci à la conseillère.",
    "Réponse rapide et claire, rien à redire.",
    "Conseiller compétent qui a trouvé une solution tout de suite.",
    "Très bon suivi de mon dossier, j'ai été informé à chaque étape.",
    "Agence propre et agréable, personnel souriant.",
    "Efficace et professionnel, je recommande.",
    "Explications claires, démarche simple.",
    "Merci pour votre réactivité.",
    "Attente courte et accueil chaleureux.",
    "Problème résolu en un seul appel, parfait.",
];
const BAD: [&str; 12] = [
    "Attente beaucoup trop longue au guichet.",
    "Impossible de joindre quelqu'un au téléphone, le standard ne répond pas.",
    "Personne ne m'a rappelé malgré mes relances.",
    "Les informations données étaient contradictoires, rien n'est clair.",
    "Facturation incompréhensible et frais trop chers.",
    "Conseiller peu aimable et pressé.",
    "Le problème n'est toujours pas résolu, j'ai dû relancer trois fois.",
    "Mon dossier a été oublié, aucun suivi.",
    "Délai de traitement inacceptable.",
    "Erreur sur ma facture, remboursement toujours en attente.",
    "Agence bruyante, pas de place pour attendre assis.",
    "Réponse à côté de ma question, pas compétent.",
];
const MIXED: [&str; 5] = [
    "Correct dans l'ensemble.",
    "Bon accueil mais attente un peu longue.",
    "RAS.",
    "Ça va, sans plus.",
    "Solution trouvée, mais il a fallu rappeler.",
];
const REPLIES_BAD: [&str; 3] = [
    "Bonjour, nous sommes désolés de cette expérience. Votre conseiller vous a recontacté pour trouver une solution ; nous avons revu l'organisation de l'accueil aux heures d'affluence.",
    "Bonjour, merci pour ce retour. Nous avons repris votre dossier et corrigé l'erreur ; toutes nos excuses pour ce délai.",
    "Bonjour, votre remarque est transmise à l'équipe de l'agence. Nous renforçons les horaires d'ouverture du standard dès le mois prochain.",
];
const REPLIES_GOOD: [&str; 2] = [
    "Merci beaucoup pour votre message, que nous transmettons à l'équipe !",
    "Merci de votre confiance, à bientôt dans nos agences.",
];

fn pick<'a>(rng: &mut ChaCha8Rng, items: &'a [&'a str]) -> &'a str {
    items[rng.random_range(0..items.len())]
}

/// A comment for a score on a 0–1 scale of satisfaction (about a third of answers leave none).
fn comment(rng: &mut ChaCha8Rng, satisfaction: f64) -> String {
    if rng.random_ratio(1, 3) {
        return String::new();
    }
    let s = if satisfaction >= 0.75 {
        pick(rng, &GOOD)
    } else if satisfaction <= 0.45 {
        pick(rng, &BAD)
    } else {
        pick(rng, &MIXED)
    };
    s.to_string()
}

pub async fn install(store: &Store, org_id: i64, manager_id: i64, seed: u64) -> Result<()> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5eed_501c);
    let surveys = survey::list_unchecked(store, org_id).await?;
    let id_of = |kind: &str| surveys.iter().find(|s| s.kind == kind).map(|s| s.id);
    let (Some(csat), Some(ces), Some(nps), Some(custom)) =
        (id_of("csat"), id_of("ces"), id_of("nps"), id_of("custom"))
    else {
        return Ok(());
    };
    let cases = import::solved_cases(store, org_id, 100_000).await?;
    let now = crate::service::now_ms();
    let mut answers = Vec::new();
    // Agencies differ: each site has its own level, so slices and the mapping tell something.
    let site_bias = |site: Option<i64>| site.map_or(0.0, |s| ((s * 37) % 7) as f64 / 20.0 - 0.15);
    for (i, k) in cases.iter().enumerate() {
        // Surveys go to one case in three; about 35 % answer.
        if i % 3 != 0 || now - k.solved_at < 3_600_000 {
            continue;
        }
        let sent_at = k.solved_at + 3_600_000;
        let answered = rng.random_ratio(35, 100);
        let quality = (rng.random::<f64>() + site_bias(k.site_id)).clamp(0.0, 1.0);
        let (survey_id, score) = if k.channel == "counter" {
            (ces, 1 + (quality * 6.99) as i64)
        } else {
            (csat, 1 + (quality * 4.99) as i64)
        };
        answers.push(HistoricAnswer {
            survey_id,
            case: Some(k.clone()),
            site_id: None,
            customer_id: k.customer_id,
            sent_at,
            answered_at: answered.then(|| sent_at + rng.random_range(600_000..86_400_000)),
            score: Some(score),
            solved: Some(quality > 0.25 || rng.random_ratio(1, 2)),
            comment: comment(&mut rng, quality),
            criteria: Vec::new(),
        });
    }
    // Relationship barometer: NPS from customers of every site, all year round.
    for k in cases.iter().step_by(7).take(3_000) {
        let quality = (rng.random::<f64>() * 1.1 + site_bias(k.site_id)).clamp(0.0, 1.0);
        let sent_at = k.solved_at + 5 * 86_400_000;
        if sent_at >= now {
            continue;
        }
        answers.push(HistoricAnswer {
            survey_id: nps,
            case: None,
            site_id: k.site_id,
            customer_id: k.customer_id,
            sent_at,
            answered_at: rng.random_ratio(30, 100).then(|| {
                sent_at
                    + rng
                        .random_range(600_000..172_800_000)
                        .min(now - sent_at - 1)
            }),
            score: Some((quality * 10.99) as i64),
            solved: None,
            comment: comment(&mut rng, quality),
            criteria: Vec::new(),
        });
    }
    // The satisfaction questionnaire: waiting and follow-up matter and disappoint.
    let criteria = [
        ("accueil", 4.6, 4.3),
        ("attente", 4.5, 2.6),
        ("information", 4.2, 3.4),
        ("competence", 4.4, 3.9),
        ("suivi", 3.6, 2.7),
        ("locaux", 2.8, 4.0),
    ];
    for k in cases.iter().skip(3).step_by(40).take(400) {
        let sent_at = k.solved_at + 86_400_000;
        if sent_at >= now {
            continue;
        }
        let jitter = |rng: &mut ChaCha8Rng, m: f64| {
            (m + rng.random_range(-1.2..1.2)).round().clamp(1.0, 5.0) as i64
        };
        let marks = criteria
            .iter()
            .map(|(key, imp, sat)| CriterionAnswer {
                key: key.to_string(),
                importance: jitter(&mut rng, *imp),
                satisfaction: jitter(&mut rng, *sat),
            })
            .collect();
        answers.push(HistoricAnswer {
            survey_id: custom,
            case: None,
            site_id: k.site_id,
            customer_id: k.customer_id,
            sent_at,
            answered_at: Some(sent_at + 7_200_000),
            score: None,
            solved: None,
            comment: comment(&mut rng, 0.5),
            criteria: marks,
        });
    }
    answers.retain(|a| a.answered_at.is_none_or(|t| t < now));
    import::record_history(store, org_id, &answers).await?;
    // Reviews: one solved case in twelve, mostly good, the bad ones often answered.
    let mut reviews = Vec::new();
    for k in cases.iter().skip(5).step_by(12) {
        let written_at = k.solved_at + rng.random_range(3_600_000..5 * 86_400_000);
        if written_at >= now {
            continue;
        }
        let quality = (rng.random::<f64>() * 1.15 + site_bias(k.site_id)).clamp(0.0, 1.0);
        let stars = 1 + (quality * 4.99) as i64;
        let text = match stars {
            1 | 2 => pick(&mut rng, &BAD),
            3 => pick(&mut rng, &MIXED),
            _ => pick(&mut rng, &GOOD),
        };
        let reply = match stars {
            1 | 2 if rng.random_ratio(3, 4) => Some((
                pick(&mut rng, &REPLIES_BAD).to_string(),
                written_at + 86_400_000,
            )),
            5 if rng.random_ratio(1, 5) => Some((
                pick(&mut rng, &REPLIES_GOOD).to_string(),
                written_at + 2 * 86_400_000,
            )),
            _ => None,
        };
        // A reply is dated after its review and never after now.
        let reply = reply.filter(|(_, at)| *at < now);
        reviews.push(HistoricReview {
            case_id: k.id,
            stars,
            comment: text.into(),
            written_at,
            reply,
            status: "published",
            reason: None,
        });
    }
    if let Some(r) = reviews.get_mut(10) {
        r.status = "rejected";
        r.reason = Some("personal_data");
        r.comment = "La conseillère Mme Durand, 06 12 34 56 78, ne m'a jamais rappelé.".into();
        r.reply = None;
    }
    if let Some(r) = reviews.get_mut(20) {
        r.status = "withdrawn";
    }
    review::record_history(store, org_id, manager_id, &reviews).await?;
    crate::service::verbatim::retag(store, org_id).await?;
    Ok(())
}
