//! The generated French demo organisation: sites, teams, advisors, customers and a year of
//! interactions on every channel, recorded through the same rules as real input.
//! Deterministic for a given seed.

mod charter;
mod chat;
mod email;
mod generator;
mod kb;
mod quality;
mod voice;
mod words;

use crate::service::ingest;
use crate::service::org::{self, SiteInput, TeamInput, UserInput};
use crate::service::{Result, now_ms};
use crate::store::Store;
use generator::Generator;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use words::{FIRST, LAST, SITES, TEAMS};

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
    // In force a little before the first generated contact, so the whole year is measured.
    charter::install(store, org.id, now_ms() - 367 * 86_400_000).await?;
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
    let mut manager_id = 0;
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
        if role == "manager" {
            manager_id = u.id;
        }
        if role == "advisor" {
            advisors.push((u.id, 2usize));
        }
    }
    email::install(store, org.id, teams[2].id).await?;
    kb::install(store, org.id).await?;
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
    let generator = Generator::new(rng, people, advisors, now_ms(), opts.interactions);
    Ok(Some(History {
        org_id: org.id,
        manager_id,
        seed: opts.seed,
        generator,
    }))
}

/// Contacts per transaction: small enough that a click made while the demo records waits for the
/// writer a few tens of milliseconds at most.
const BATCH: usize = 200;

/// How far the history being recorded in this process has got: (done, total), while it runs.
static RECORDING: std::sync::Mutex<Option<(usize, usize)>> = std::sync::Mutex::new(None);

/// The share of the demo history recorded so far (0–100), while it is being recorded.
pub fn loading() -> Option<u8> {
    let r = *RECORDING.lock().unwrap_or_else(|e| e.into_inner());
    r.map(|(done, total)| (done * 100 / total.max(1)).min(99) as u8)
}

fn set_recording(v: Option<(usize, usize)>) {
    *RECORDING.lock().unwrap_or_else(|e| e.into_inner()) = v;
}

/// A year of generated interactions, ready to be recorded.
pub struct History {
    org_id: i64,
    manager_id: i64,
    seed: u64,
    generator: Generator,
}

impl History {
    /// About how many interactions it will record.
    pub fn size(&self) -> usize {
        self.generator.target()
    }

    /// Generates and records the history batch by batch, oldest first, reporting (done, total).
    pub async fn record(
        mut self,
        store: &Store,
        mut progress: impl FnMut(usize, usize),
    ) -> Result<()> {
        let mut done = 0;
        set_recording(Some((0, self.size())));
        let result = async {
            loop {
                let batch = self.generator.next_batch(BATCH);
                if batch.is_empty() {
                    // Surveys and reviews follow the cases they are about.
                    voice::install(store, self.org_id, self.manager_id, self.seed).await?;
                    // The chat's conversations, for its report.
                    chat::install(store, self.org_id, self.seed).await?;
                    // The quality loop works on what the year showed.
                    return quality::install(store, self.org_id, self.seed).await;
                }
                ingest::record_batch(store, self.org_id, &batch).await?;
                done += batch.len();
                let total = self.generator.target().max(done);
                set_recording(Some((done, total)));
                progress(done, total);
                // Let a request waiting for the writer take it before the next batch.
                tokio::task::yield_now().await;
            }
        }
        .await;
        set_recording(None);
        result
    }
}
