//! The generated French demo organisation: sites, teams, advisors, customers and a year of
//! interactions on every channel, recorded through the same rules as real input.
//! Deterministic for a given seed.

use crate::service::ingest::{self, CustomerRef, InteractionInput, SocialRef, Valid};
use crate::service::org::{self, SiteInput, TeamInput, UserInput};
use crate::service::{Result, now_ms};
use crate::store::Store;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub const SLUG: &str = "demo";
pub const PASSWORD: &str = "pacte-demo";

#[derive(Debug, Clone)]
pub struct Options {
    pub customers: usize,
    pub interactions: usize,
    pub seed: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            customers: 5_000,
            interactions: 60_000,
            seed: 2026,
        }
    }
}

/// Who can sign in to the demo.
pub const LOGINS: [(&str, &str); 4] = [
    ("admin@demo.pacte.fr", "admin"),
    ("manager@demo.pacte.fr", "manager"),
    ("qualite@demo.pacte.fr", "quality"),
    ("conseiller@demo.pacte.fr", "advisor"),
];

const SITES: [(&str, &str, &str, &str); 6] = [
    (
        "paris-bastille",
        "Agence Paris Bastille",
        "agency",
        "mon-fri 09:00-18:00; sat 09:00-12:30",
    ),
    (
        "lyon-part-dieu",
        "Agence Lyon Part-Dieu",
        "agency",
        "mon-fri 09:00-12:30,13:30-18:00; sat 09:00-12:00",
    ),
    (
        "marseille-canebiere",
        "Agence Marseille Canebière",
        "agency",
        "mon-fri 08:30-12:30,13:30-17:30",
    ),
    (
        "lille-flandres",
        "Agence Lille Flandres",
        "agency",
        "mon-fri 09:00-18:00",
    ),
    (
        "bordeaux-meriadeck",
        "Agence Bordeaux Mériadeck",
        "agency",
        "tue-sat 09:30-18:30",
    ),
    (
        "nantes-crc",
        "Centre de relation client Nantes",
        "contact_centre",
        "mon-fri 08:00-20:00; sat 09:00-17:00",
    ),
];

const TEAMS: [(&str, &str); 4] = [
    ("Accueil Paris", "paris-bastille"),
    ("Accueil régions", "lyon-part-dieu"),
    ("Centre de contact", "nantes-crc"),
    ("Réclamations", "nantes-crc"),
];

const FIRST: [&str; 40] = [
    "Marie",
    "Jean",
    "Camille",
    "Lucas",
    "Léa",
    "Hugo",
    "Chloé",
    "Louis",
    "Manon",
    "Gabriel",
    "Inès",
    "Arthur",
    "Jade",
    "Raphaël",
    "Louise",
    "Jules",
    "Zoé",
    "Adam",
    "Lina",
    "Nathan",
    "Sarah",
    "Thomas",
    "Emma",
    "Mathis",
    "Juliette",
    "Théo",
    "Alice",
    "Noah",
    "Anaïs",
    "Paul",
    "Élodie",
    "Karim",
    "Fatima",
    "Mehdi",
    "Sophie",
    "Nicolas",
    "Isabelle",
    "François",
    "Yasmine",
    "Bernard",
];

const LAST: [&str; 40] = [
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefèvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Lefebvre",
    "Mercier",
    "Dupont",
    "Lambert",
    "Bonnet",
    "François",
    "Martinez",
    "Legrand",
    "Garnier",
    "Faure",
    "Rousseau",
    "Blanc",
    "Guérin",
    "Muller",
    "Henry",
    "Roussel",
    "Nicolas",
];

/// (subject, kind, category, customer's words, advisor's answer)
const TOPICS: [(&str, &str, &str, &str, &str); 12] = [
    (
        "Colis non reçu",
        "complaint",
        "livraison",
        "Mon colis devait arriver il y a {d} jours et je n'ai toujours rien reçu. Le suivi indique « en cours d'acheminement » depuis.",
        "Nous avons relancé le centre de tri : votre colis a été localisé et sera livré sous 48 heures. Nous vous prions de nous excuser pour ce retard.",
    ),
    (
        "Erreur sur ma facture",
        "complaint",
        "facturation",
        "Ma facture de ce mois comporte {d} € de frais que je ne comprends pas. Pouvez-vous m'expliquer ?",
        "Il s'agit bien d'une erreur de notre part : les frais ont été annulés et un avoir figurera sur votre prochaine facture.",
    ),
    (
        "Changement d'adresse",
        "request",
        "contrat",
        "Je déménage le {d} du mois prochain. Comment faire suivre mon contrat à ma nouvelle adresse ?",
        "C'est noté : votre nouvelle adresse sera prise en compte à la date indiquée. Vous recevrez une confirmation par courrier.",
    ),
    (
        "Demande de remboursement",
        "request",
        "facturation",
        "Suite à l'annulation de ma commande n° {d}, je n'ai pas encore été remboursé.",
        "Le remboursement a été déclenché aujourd'hui ; il apparaîtra sur votre compte sous 5 jours ouvrés.",
    ),
    (
        "Rendez-vous en agence",
        "request",
        "agence",
        "Je souhaiterais prendre rendez-vous avec un conseiller pour ouvrir un compte, si possible avant le {d}.",
        "Votre rendez-vous est confirmé ; un SMS de rappel vous sera envoyé la veille.",
    ),
    (
        "Attente trop longue au guichet",
        "complaint",
        "accueil",
        "J'ai attendu plus de {d} minutes au guichet ce matin, avec un seul guichet ouvert.",
        "Merci de votre retour : nous avons revu l'organisation des guichets aux heures d'affluence. Toutes nos excuses pour cette attente.",
    ),
    (
        "Carte bloquée",
        "incident",
        "moyens de paiement",
        "Ma carte est bloquée depuis ce matin, je ne peux plus payer. C'est urgent.",
        "Votre carte a été débloquée ; vous pouvez à nouveau l'utiliser dès maintenant.",
    ),
    (
        "Résiliation de contrat",
        "request",
        "contrat",
        "Je souhaite résilier mon contrat à compter du {d}. Quelle est la marche à suivre ?",
        "Votre demande de résiliation est enregistrée ; vous recevrez le récapitulatif et le solde de tout compte par courrier.",
    ),
    (
        "Avis de passage sans tentative de livraison",
        "complaint",
        "livraison",
        "J'étais chez moi toute la journée et j'ai trouvé un avis de passage dans ma boîte. Personne n'a sonné.",
        "Nous avons signalé l'incident au livreur ; votre colis vous sera présenté de nouveau demain matin.",
    ),
    (
        "Question sur mon relevé",
        "request",
        "compte",
        "Je ne retrouve pas l'opération de {d} € sur mon relevé, pouvez-vous vérifier ?",
        "L'opération apparaît sur le relevé suivant, car elle a été comptabilisée après la date d'arrêté.",
    ),
    (
        "Application mobile en panne",
        "incident",
        "digital",
        "L'application affiche une erreur à chaque connexion depuis {d} jours.",
        "Un correctif a été déployé ce matin ; après mise à jour de l'application, la connexion fonctionne à nouveau.",
    ),
    (
        "Remerciements",
        "request",
        "accueil",
        "Je tenais à remercier la conseillère qui m'a reçu le {d}, très professionnelle.",
        "Merci beaucoup pour votre message, nous l'avons transmis à notre collègue.",
    ),
];

const CHANNELS: [(&str, u32); 7] = [
    ("email", 30),
    ("phone", 25),
    ("chat", 12),
    ("social", 6),
    ("web_form", 10),
    ("letter", 4),
    ("counter", 13),
];

struct Person {
    name: String,
    email: Option<String>,
    phone: String,
    number: String,
    social: Option<String>,
}

fn fold_ascii(s: &str) -> String {
    crate::domain::fold::fold_key(s).replace([' ', '\''], "")
}

fn pick<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

/// Creates the demo organisation, its sites, teams and users unless it exists, and returns its
/// history to record (`None` when the organisation already existed).
pub async fn prepare(store: &Store, opts: &Options) -> Result<Option<History>> {
    if org::org_by_slug(store, SLUG).await.is_ok() {
        return Ok(None);
    }
    let org = org::create_org(store, SLUG, "Services Hexagone (démo)").await?;
    for (code, name, kind, hours) in SITES {
        let input = SiteInput {
            code: code.into(),
            name: name.into(),
            kind: kind.into(),
            time_zone: "Europe/Paris".into(),
            opening_hours: hours.into(),
        };
        org::add_site_unchecked(store, org.id, &input).await?;
    }
    let mut teams = Vec::new();
    for (name, site) in TEAMS {
        teams.push(
            org::add_team_unchecked(
                store,
                org.id,
                &TeamInput {
                    name: name.into(),
                    site: Some(site.into()),
                },
            )
            .await?,
        );
    }
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
    let mut advisors = Vec::new();
    for (email, role) in LOGINS {
        let name = match role {
            "admin" => "Claire Administratrice".to_string(),
            "manager" => "Marc Manager".to_string(),
            "quality" => "Nadia Qualité".to_string(),
            _ => "Julie Conseillère".to_string(),
        };
        let team_id = (role == "advisor").then(|| teams[2].id);
        let input = UserInput {
            email: email.into(),
            name,
            role: role.into(),
            team_id,
            password: None,
        };
        let u = org::add_user_unchecked(store, org.id, &input).await?;
        org::set_password(store, u.id, PASSWORD).await?;
        if role == "advisor" {
            advisors.push((u.id, 2usize));
        }
    }
    for i in 1..25 {
        let (f, l) = (pick(&mut rng, &FIRST), pick(&mut rng, &LAST));
        let team = i % 4;
        let input = UserInput {
            email: format!("{}.{}.{i}@demo.pacte.fr", fold_ascii(f), fold_ascii(l)),
            name: format!("{f} {l}"),
            role: "advisor".into(),
            team_id: Some(teams[team].id),
            password: None,
        };
        advisors.push((
            org::add_user_unchecked(store, org.id, &input).await?.id,
            team,
        ));
    }
    let people: Vec<Person> = (0..opts.customers)
        .map(|i| {
            let (f, l) = (pick(&mut rng, &FIRST), pick(&mut rng, &LAST));
            Person {
                name: format!("{f} {l}"),
                email: (rng.random_ratio(9, 10))
                    .then(|| format!("{}.{}{}@exemple.fr", fold_ascii(f), fold_ascii(l), i)),
                phone: format!("06{:08}", 10_000_000 + i * 7 % 89_999_999),
                number: format!("HX{:07}", 1_000_000 + i),
                social: rng
                    .random_ratio(15, 100)
                    .then(|| format!("{}{}", fold_ascii(f), i)),
            }
        })
        .collect();
    let generator = Generator {
        rng,
        people,
        advisors,
        now: now_ms(),
        target: opts.interactions,
        planned: 0,
        started: 0,
        seq: 0,
        next_t0: None,
        pending: Default::default(),
    };
    Ok(Some(History {
        org_id: org.id,
        generator,
    }))
}

/// A year of generated interactions, ready to be recorded.
pub struct History {
    org_id: i64,
    generator: Generator,
}

impl History {
    /// About how many interactions it will record.
    pub fn len(&self) -> usize {
        self.generator.target
    }

    pub fn is_empty(&self) -> bool {
        self.generator.target == 0
    }

    /// Generates and records the history batch by batch, oldest first, reporting (done, total).
    pub async fn record(
        mut self,
        store: &Store,
        mut progress: impl FnMut(usize, usize),
    ) -> Result<()> {
        let mut done = 0;
        loop {
            let batch = self.generator.next_batch(crate::service::transfer::BATCH);
            if batch.is_empty() {
                return Ok(());
            }
            ingest::record_batch(store, self.org_id, &batch).await?;
            done += batch.len();
            progress(done, self.generator.target.max(done));
        }
    }
}

const MIN: i64 = 60_000;
const HOUR: i64 = 60 * MIN;
const DAY: i64 = 24 * HOUR;

/// One conversation starting at `t0`: the customer's contact, the answers and what follows.
/// Messages that would fall after `now` are not written (the case is still waiting).
fn conversation(
    rng: &mut ChaCha8Rng,
    people: &[Person],
    advisors: &[(i64, usize)],
    now: i64,
    n: usize,
    t0: i64,
    out: &mut Vec<Valid>,
) {
    let total_weight: u32 = CHANNELS.iter().map(|c| c.1).sum();
    // Every customer writes at least once (a stride coprime with most sizes spreads them over
    // the first conversations); after that a few write often, most rarely.
    let who = if n <= people.len() {
        &people[(n - 1) * 7919 % people.len()]
    } else {
        &people[((rng.random::<f64>().powi(2)) * people.len() as f64) as usize % people.len()]
    };
    let mut w = rng.random_range(0..total_weight);
    let channel = CHANNELS
        .iter()
        .find(|c| {
            if w < c.1 {
                true
            } else {
                w -= c.1;
                false
            }
        })
        .map_or("email", |c| c.0);
    let topic = pick(rng, &TOPICS);
    let site = match channel {
        "counter" | "letter" => SITES[rng.random_range(0..5)].0,
        _ => "nantes-crc",
    };
    let team = if site == "nantes-crc" {
        if topic.1 == "complaint" { 3 } else { 2 }
    } else if site == "paris-bastille" {
        0
    } else {
        1
    };
    let team_advisors: Vec<i64> = advisors
        .iter()
        .filter(|a| a.1 == team)
        .map(|a| a.0)
        .collect();
    let advisor = *pick(rng, &team_advisors);
    let detail = rng.random_range(2..40).to_string();
    let customer = CustomerRef {
        customer_number: Some(who.number.clone()),
        email: matches!(channel, "email" | "web_form" | "chat")
            .then(|| who.email.clone())
            .flatten(),
        phone: matches!(channel, "phone" | "counter").then(|| who.phone.clone()),
        social: (channel == "social")
            .then(|| {
                who.social.clone().map(|h| SocialRef {
                    network: "x".into(),
                    handle: h,
                })
            })
            .flatten(),
        name: Some(who.name.clone()),
    };
    let tail = rng.random_ratio(1, 8);
    let (queue, reply_delay) = match channel {
        "phone" | "chat" => (
            Some(rng.random_range(20_000..if tail { 12 * MIN } else { 4 * MIN })),
            rng.random_range(3 * MIN..15 * MIN),
        ),
        "counter" => (
            Some(rng.random_range(MIN..if tail { 25 * MIN } else { 9 * MIN })),
            rng.random_range(5 * MIN..20 * MIN),
        ),
        "letter" => (None, rng.random_range(2 * DAY..25 * DAY)),
        "social" => (None, rng.random_range(10 * MIN..8 * HOUR)),
        _ => (
            None,
            rng.random_range(HOUR..if tail { 5 * DAY } else { 2 * DAY }),
        ),
    };
    let msg = |at: i64, inbound: bool, body: String, status: Option<&str>, i: usize| {
        let input = InteractionInput {
            channel: channel.into(),
            direction: if inbound { "inbound" } else { "outbound" }.into(),
            occurred_at: Some(crate::service::case::iso(at)),
            customer: customer.clone(),
            subject: Some(topic.0.into()),
            body,
            site: Some(site.into()),
            external_id: Some(format!("demo-{n}-{i}")),
            kind: Some(topic.1.into()),
            category: Some(topic.2.into()),
            queued_at: queue
                .filter(|_| inbound && i == 0)
                .map(|q| crate::service::case::iso(at - q)),
            answered_at: queue
                .filter(|_| inbound && i == 0)
                .map(|_| crate::service::case::iso(at)),
            status: status.map(String::from),
            ..Default::default()
        };
        let mut v = input.validate(now).expect("demo data is valid");
        if !inbound {
            v.author_user_id = Some(advisor);
        }
        v
    };
    let greeting = format!("Bonjour {},\n\n{}\n\nCordialement,", who.name, topic.4);
    out.push(msg(t0, true, topic.3.replace("{d}", &detail), None, 0));
    let t1 = t0 + reply_delay;
    if t1 >= now {
        return; // still waiting for its first answer
    }
    let roll = rng.random_range(0..100);
    match roll {
        0..=59 => out.push(msg(t1, false, greeting, Some("solved"), 1)),
        60..=71 => {
            out.push(msg(t1, false, format!("Bonjour {},\n\nPouvez-vous nous transmettre une copie de votre justificatif ?\n\nCordialement,", who.name), Some("pending"), 1));
            let t2 = t1 + rng.random_range(HOUR..4 * DAY);
            let answers = rng.random_ratio(3, 4);
            if t2 < now && answers {
                out.push(msg(t2, true, "Voici le justificatif demandé, en pièce jointe.".into(), None, 2));
                let t3 = t2 + rng.random_range(HOUR..DAY);
                if t3 < now {
                    out.push(msg(t3, false, greeting, Some("solved"), 3));
                }
            }
        }
        72..=81 => {
            out.push(msg(t1, false, greeting, Some("solved"), 1));
            let t2 = t1 + rng.random_range(DAY..6 * DAY);
            if t2 < now {
                out.push(msg(t2, true, "Je reviens vers vous : le problème n'est toujours pas réglé.".into(), None, 2));
                let t3 = t2 + rng.random_range(HOUR..2 * DAY);
                if t3 < now {
                    out.push(msg(t3, false, format!("Bonjour {},\n\nNous avons repris votre dossier en priorité : c'est désormais réglé. Toutes nos excuses.\n\nCordialement,", who.name), Some("solved"), 3));
                }
            }
        }
        82..=89 => out.push(msg(t1, false, format!("Bonjour {},\n\nNous étudions votre demande et revenons vers vous rapidement.\n\nCordialement,", who.name), None, 1)),
        _ => out.push(msg(t1, false, greeting, Some(if t1 < now - 10 * DAY { "closed" } else { "solved" }), 1)),
    }
}

/// Streams a year of conversations in time order, so any scale fits in memory: conversations
/// start in increasing time, and their later messages wait in a heap until their time comes.
struct Generator {
    rng: ChaCha8Rng,
    people: Vec<Person>,
    advisors: Vec<(i64, usize)>,
    now: i64,
    target: usize,
    planned: usize,
    started: usize,
    seq: usize,
    next_t0: Option<i64>,
    pending: std::collections::BinaryHeap<std::cmp::Reverse<Pending>>,
}

struct Pending(Valid, usize);

impl PartialEq for Pending {
    fn eq(&self, o: &Self) -> bool {
        (self.0.occurred_at, self.1) == (o.0.occurred_at, o.1)
    }
}
impl Eq for Pending {}
impl PartialOrd for Pending {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Pending {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        (self.0.occurred_at, self.1).cmp(&(o.0.occurred_at, o.1))
    }
}

impl Generator {
    /// When the next conversation starts: its place in the year is the share of the target
    /// already planned, so the history spans the whole year whatever the messages per conversation.
    fn next_start(&self) -> i64 {
        let share = self.planned as f64 / self.target.max(1) as f64;
        (self.now - 365 * DAY + (share * (365 * DAY) as f64) as i64).min(self.now - MIN)
    }

    /// Up to `max` messages, oldest first; empty when the history is complete.
    fn next_batch(&mut self, max: usize) -> Vec<Valid> {
        let mut out = Vec::with_capacity(max);
        while out.len() < max {
            if self.next_t0.is_none() && self.planned < self.target {
                self.next_t0 = Some(self.next_start());
            }
            match (self.next_t0, self.pending.peek()) {
                (Some(t0), Some(p)) if p.0.0.occurred_at <= t0 => {
                    out.push(self.pending.pop().expect("peeked").0.0)
                }
                (Some(t0), _) => {
                    self.next_t0 = None;
                    self.started += 1;
                    let mut msgs = Vec::new();
                    conversation(
                        &mut self.rng,
                        &self.people,
                        &self.advisors,
                        self.now,
                        self.started,
                        t0,
                        &mut msgs,
                    );
                    self.planned += msgs.len();
                    for m in msgs {
                        self.seq += 1;
                        self.pending.push(std::cmp::Reverse(Pending(m, self.seq)));
                    }
                }
                (None, Some(_)) => out.push(self.pending.pop().expect("peeked").0.0),
                (None, None) => break,
            }
        }
        out
    }
}
