//! The demo's quality loop, written after its history: the non-conformities Pacte finds in that
//! year (crossings, missed periods, low reviews, rising irritants), a dozen of them worked into
//! plans in every state — checked conforming, checked non-conforming then reopened, under way,
//! awaiting their verdict, dismissed —, a complaint reported by hand, the starter indicators with
//! a year of the values entered by hand, and the two last quarterly reviews, frozen.
//! Plans go through the same services a quality manager uses, so the data is what they make.

use crate::domain::role::Role;
use crate::service::quality::figure::Months;
use crate::service::quality::{self, kpi};
use crate::service::{Actor, Error, Result, org};
use crate::store::Store;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const CAUSES: [(&str, &str); 14] = [
    ("manpower", "Effectif réduit le samedi matin"),
    (
        "manpower",
        "Nouveaux conseillers pas encore formés aux litiges",
    ),
    ("manpower", "Absences non remplacées en période de congés"),
    ("methods", "Pas de prise de rendez-vous en ligne"),
    ("methods", "Procédure de rappel non suivie"),
    (
        "methods",
        "Dossiers transmis sans compte rendu entre équipes",
    ),
    ("equipment", "Borne d'accueil souvent en panne"),
    (
        "equipment",
        "Logiciel de téléphonie qui coupe les appels en attente",
    ),
    (
        "environment",
        "Pic d'affluence en début de mois (versements)",
    ),
    ("environment", "Travaux devant l'agence"),
    ("materials", "Formulaires papier incomplets"),
    ("materials", "Courriers types obsolètes"),
    ("methods", "Aucune alerte avant l'échéance"),
    ("manpower", "Standard sous-dimensionné entre 12 h et 14 h"),
];

const ACTIONS: [&str; 8] = [
    "Ouvrir un second guichet le samedi matin",
    "Former l'équipe au traitement des litiges",
    "Mettre en place la prise de rendez-vous en ligne",
    "Rappeler chaque client sous 24 h ouvrées",
    "Renforcer le standard entre 12 h et 14 h",
    "Remplacer la borne d'accueil",
    "Réécrire les courriers types avec des clients",
    "Alerte à J-1 sur les dossiers proches de l'échéance",
];

fn day(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| t.to_zoned(jiff::tz::TimeZone::UTC).date().to_string())
        .unwrap_or_default()
}

/// What the demo's quality manager did with the year.
pub async fn install(store: &Store, org_id: i64, seed: u64) -> Result<()> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5157);
    let users = {
        let admin = Actor {
            user_id: 0,
            org_id,
            role: Role::Admin,
            lang: "fr".into(),
            name: String::new(),
        };
        org::list_users(store, &admin).await?
    };
    let find = |role: &str| users.iter().find(|u| u.role == role).cloned();
    let (Some(q), Some(m)) = (find("quality"), find("manager")) else {
        return Err(Error::Internal(
            "the demo has a quality manager and a manager".into(),
        ));
    };
    let actor = |u: &crate::store::org::User| Actor {
        user_id: u.id,
        org_id,
        role: Role::parse(&u.role).unwrap_or(Role::Advisor),
        lang: "fr".into(),
        name: u.name.clone(),
    };
    let quality = actor(&q);
    let manager = actor(&m);
    let advisors: Vec<i64> = users
        .iter()
        .filter(|u| u.role == "advisor")
        .map(|u| u.id)
        .take(6)
        .collect();

    // Indicators first, with a year of the values entered by hand, so the detection and the
    // reviews see them.
    kpi::install_starter(store, &quality).await?;
    let catalogue = kpi::catalogue(store, &quality).await?;
    let today = jiff::Zoned::now().date();
    for v in catalogue.iter().filter(|v| v.kpi.figure.is_none()) {
        let Some(t) = &v.target else { continue };
        for back in 1..=12 {
            let m = Months::before(today, back).from;
            let spread = (t.target.abs() * 0.12).max(1.0);
            let mut value = t.target + rng.random_range(-spread..spread * 0.6);
            if v.kpi.unit == "percent" {
                value = value.clamp(0.0, 100.0);
            }
            kpi::enter_value(
                store,
                &quality,
                v.kpi.id,
                &format!("{:04}-{:02}", m.year(), m.month()),
                (value * 10.0).round() / 10.0,
            )
            .await?;
        }
    }
    quality::detect::run_now(store, &quality).await?;

    // A complaint reported by hand.
    let complaint = quality::open(
        store,
        &manager,
        &quality::NcInput {
            origin: "complaint".into(),
            title: "Colis remis abîmés à l'agence Lyon Part-Dieu".into(),
            description: "Plusieurs clients signalent des colis écrasés au retrait.".into(),
            severity: Some("major".into()),
            site: Some("lyon-part-dieu".into()),
            case_number: None,
            owner_id: Some(q.id),
        },
    )
    .await?;
    let list = quality::list(
        store,
        &quality,
        &quality::ListQuery {
            status: Some("active".into()),
            origin: None,
        },
        200,
    )
    .await?;
    // The charter's breaches first: they are the demo's story (a crossing, a plan checked on
    // the commitment's own figure); then the rest.
    let rank = |o: &str| match o {
        "crossing" => 0,
        "commitment_period" => 1,
        "review" => 2,
        _ => 3,
    };
    let mut chosen: Vec<&crate::store::quality::Nc> =
        list.iter().filter(|n| n.id != complaint.id).collect();
    chosen.sort_by_key(|n| (rank(&n.origin), n.id));
    let mut ids: Vec<i64> = chosen.iter().map(|n| n.id).collect();
    ids.truncate(11);
    ids.push(complaint.id);
    let now = crate::service::now_ms();
    const DAY: i64 = crate::domain::DAY_MS;
    for (k, id) in ids.iter().enumerate() {
        let nc = quality::detail(store, &quality, *id).await?.nonconformity;
        // Every other one is planned by the quality manager; the rest by the manager.
        let pilot = if k % 2 == 0 { q.id } else { m.id };
        let causes: Vec<crate::domain::quality::Cause> = (0..3)
            .map(|j| {
                let (family, text) = CAUSES[(k * 3 + j) % CAUSES.len()];
                crate::domain::quality::Cause {
                    family: crate::domain::quality::CauseFamily::parse(family)
                        .unwrap_or(crate::domain::quality::CauseFamily::Methods),
                    text: text.into(),
                }
            })
            .collect();
        let state = k % 6;
        // 0, 1: checked C; 2: NC then reopened; 3: under way; 4: verdict to give; 5: dismissed
        // (the 12th, the complaint, stays open).
        if k == ids.len() - 1 {
            continue;
        }
        if state == 5 {
            quality::dismiss(
                store,
                &quality,
                *id,
                "Cause extérieure : panne du réseau de l'opérateur, déjà corrigée",
            )
            .await?;
            continue;
        }
        quality::analyse(
            store,
            &manager,
            *id,
            &quality::AnalysisInput {
                causes,
                whys: vec![
                    "Les clients attendent trop".into(),
                    "Un seul conseiller aux heures de pointe".into(),
                    "Le planning ignore les pics de début de mois".into(),
                ],
                pilot_id: Some(pilot),
                owner_id: Some(q.id),
                severity: None,
            },
        )
        .await?;
        quality::add_action(
            store,
            &manager,
            *id,
            &quality::ActionInput {
                kind: Some("containment".into()),
                title: "Accueil renforcé en attendant la correction".into(),
                due_on: day(now - 100 * DAY),
                pilot_id: Some(pilot),
                actors: advisors.iter().take(2).copied().collect(),
                documents: Vec::new(),
                check: None,
            },
        )
        .await?;
        // Checks on a past date for the plans already judged, in the future for the others.
        let (due, on) = match state {
            0..=2 | 4 => (now - 75 * DAY, now - 3 * DAY),
            _ => (now + 10 * DAY, now + 100 * DAY),
        };
        let figure = nc.commitment_id.map(|c| format!("commitment:{c}"));
        let check = match &figure {
            Some(f) => quality::CheckInput {
                method: "figure".into(),
                figure: Some(f.clone()),
                site: nc.site_code.clone(),
                target: Some(80.0),
                months: Some(2),
                on: day(on),
                how: String::new(),
            },
            None => quality::CheckInput {
                method: "mystery_visit".into(),
                figure: None,
                site: None,
                target: None,
                months: None,
                on: day(on),
                how: "Deux visites mystères dans le mois".into(),
            },
        };
        let action = quality::add_action(
            store,
            &manager,
            *id,
            &quality::ActionInput {
                kind: Some("corrective".into()),
                title: ACTIONS[k % ACTIONS.len()].into(),
                due_on: day(due),
                pilot_id: Some(pilot),
                actors: advisors.iter().skip(k % 3).take(3).copied().collect(),
                documents: vec![quality::Document {
                    title: "Procédure d'accueil v3".into(),
                    url: "https://intranet.demo.pacte.fr/procedures/accueil".into(),
                }],
                check: Some(check),
            },
        )
        .await?;
        let steps: &[i64] = match state {
            3 => &[20, 45],
            _ => &[30, 70, 100],
        };
        for pct in steps {
            quality::log_progress(store, &manager, action.id, *pct, "Point d'étape en comité")
                .await?;
        }
        if state == 4 || state == 3 {
            continue;
        }
        // The figure decides, as a quality manager would: C where the data shows it, NC where
        // it does not (and for the one planned to fail), C on the terrain's word otherwise.
        quality::detect::run_now(store, &quality).await?;
        let measured = quality::detail(store, &quality, *id)
            .await?
            .actions
            .into_iter()
            .find(|a| a.id == action.id)
            .and_then(|a| a.proposal);
        let failed = state == 2 || measured.as_deref() == Some("nc");
        let verdict = if failed { "nc" } else { "c" };
        let note = match (failed, measured.as_deref()) {
            (true, Some("nc")) => "Le chiffre reste sous l'objectif\u{a0}: l'action n'a pas suffi",
            (true, _) => "Toujours des dépassements sur le terrain\u{a0}: l'action n'a pas suffi",
            (false, Some("c")) => "",
            (false, _) => "Trop peu de données\u{a0}: efficacité constatée par une visite mystère",
        };
        quality::confirm(
            store,
            &quality,
            action.id,
            &quality::VerdictInput {
                verdict: verdict.into(),
                note: note.into(),
            },
        )
        .await?;
        if failed {
            quality::add_action(
                store,
                &manager,
                *id,
                &quality::ActionInput {
                    kind: Some("corrective".into()),
                    title: "Revoir le planning avec les pics de début de mois".into(),
                    due_on: day(now + 15 * DAY),
                    pilot_id: Some(pilot),
                    actors: Vec::new(),
                    documents: Vec::new(),
                    check: Some(quality::CheckInput {
                        method: "audit".into(),
                        figure: None,
                        site: None,
                        target: None,
                        months: None,
                        on: day(now + 75 * DAY),
                        how: "Audit interne du planning".into(),
                    }),
                },
            )
            .await?;
        }
    }

    // The two last quarters, reviewed and frozen.
    let last = Months::before(today, 1);
    let mut quarters = Vec::new();
    let (mut y, mut qn) = (last.to.year(), (last.to.month() - 1) / 3 + 1);
    // A quarter still under way is not reviewed yet.
    if last.to.month() % 3 != 0 {
        qn -= 1;
        if qn == 0 {
            qn = 4;
            y -= 1;
        }
    }
    for _ in 0..2 {
        quarters.push(format!("{y}-T{qn}"));
        qn -= 1;
        if qn == 0 {
            qn = 4;
            y -= 1;
        }
    }
    for period in quarters.iter().rev() {
        let v = kpi::open_review(store, &quality, "quarterly", period).await?;
        for kpi_id in &v.undecided {
            // A red line becomes an axis of progress; an amber one is watched.
            let plan = v
                .lines
                .iter()
                .any(|l| l.kpi.id == *kpi_id && l.line.rag == "red");
            kpi::decide(
                store,
                &quality,
                v.review.id,
                *kpi_id,
                &kpi::DecisionInput {
                    decision: if plan { "plan" } else { "no_action" }.into(),
                    justification: if plan {
                        "Plan d'actions à bâtir avec le pilote de l'indicateur".into()
                    } else {
                        "Écart faible au jalon, suivi au prochain comité".into()
                    },
                },
            )
            .await?;
        }
        kpi::set_notes(
            store,
            &quality,
            v.review.id,
            &kpi::NotesInput {
                attendees: "Nadia Qualité, Marc Manager, responsables d'agence".into(),
                minutes:
                    "Revue des indicateurs du trimestre ; décisions sur chaque objectif manqué."
                        .into(),
            },
        )
        .await?;
        kpi::freeze(store, &quality, v.review.id).await?;
    }
    Ok(())
}
