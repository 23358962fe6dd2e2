//! The demo's chat conversations over the year: those handed over to an advisor are the
//! history's chat contacts (same customers, cases, waits), so the chat report and the charter's
//! chat commitment tell the same story; the bot answers as many again alone, some confirmed by
//! the customer.

use crate::service::Result;
use crate::store::chat::{NewConversation, NewEvent};
use crate::store::{self, Store};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The most recent queued chat contacts given a conversation (the rest keep only their case).
const HANDED_OVER: i64 = 2_000;
/// Conversations per transaction.
const BATCH: usize = 200;
const MIN: i64 = 60_000;

/// Why the bot handed over, with weights.
const REASONS: [(&str, u32); 6] = [
    ("request", 45),
    ("unhelpful", 20),
    ("low_confidence", 15),
    ("complaint", 10),
    ("anger", 5),
    ("too_long", 5),
];

fn reason(rng: &mut ChaCha8Rng) -> &'static str {
    let total: u32 = REASONS.iter().map(|r| r.1).sum();
    let mut n = rng.random_range(0..total);
    for (r, w) in REASONS {
        if n < w {
            return r;
        }
        n -= w;
    }
    "request"
}

fn ev<'a>(author: &'a str, kind: &'a str, body: &'a str, at: i64) -> NewEvent<'a> {
    NewEvent {
        author,
        user_id: None,
        kind,
        body,
        article_id: None,
        at,
    }
}

pub async fn install(store: &Store, org_id: i64, seed: u64) -> Result<()> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0xC4A7);
    // Nothing is dated after now: a contact of the last minutes closes at the latest now.
    let now = crate::service::now_ms();
    let mut c = store.reader().await?;
    let contacts = store::chat::queued_contacts(&mut c, org_id, HANDED_OVER).await?;
    let articles = store::kb::articles(&mut c, org_id, Some(true), None, 200).await?;
    let advisors: Vec<(i64, String)> = store::org::list_users(&mut c, org_id)
        .await?
        .into_iter()
        .filter(|u| u.role == "advisor")
        .map(|u| (u.id, u.name))
        .collect();
    drop(c);
    if articles.is_empty() || advisors.is_empty() {
        return Ok(());
    }
    for chunk in contacts.chunks(BATCH) {
        let mut tx = store.begin().await?;
        for k in chunk {
            // Handed over: the contact's own conversation, from the question to the close.
            let started = k.queued_at - rng.random_range(20_000..3 * MIN);
            let id = store::chat::insert(
                &mut tx,
                &NewConversation {
                    org_id,
                    customer_id: Some(k.customer_id),
                    identity: None,
                    name: None,
                    lang: "fr",
                    site_id: None,
                    at: started,
                },
            )
            .await?;
            let question = k.subject.clone().unwrap_or_else(|| "Bonjour".into());
            store::chat::append(&mut tx, id, &ev("visitor", "message", &question, started)).await?;
            let why = reason(&mut rng);
            store::chat::hand_off(&mut tx, id, why, k.queued_at).await?;
            store::chat::append(&mut tx, id, &ev("bot", "handoff", why, k.queued_at)).await?;
            let mut end = k.queued_at + rng.random_range(2 * MIN..10 * MIN);
            if let Some(answered) = k.answered_at {
                let (user, name) = &advisors[rng.random_range(0..advisors.len())];
                store::chat::accept(&mut tx, org_id, id, *user).await?;
                let took = NewEvent {
                    user_id: Some(*user),
                    ..ev("advisor", "accepted", name, answered - 5_000)
                };
                store::chat::append(&mut tx, id, &took).await?;
                let said = NewEvent {
                    user_id: Some(*user),
                    ..ev(
                        "advisor",
                        "message",
                        "Bonjour, je prends votre demande et regarde votre dossier.",
                        answered,
                    )
                };
                store::chat::append(&mut tx, id, &said).await?;
                store::chat::answered(&mut tx, id, answered).await?;
                end = end.max(answered + rng.random_range(MIN..8 * MIN));
            }
            let end = end.min(now);
            store::chat::close(&mut tx, id, &ev("visitor", "closed", "", end)).await?;
            store::chat::set_case(&mut tx, id, k.case_id, k.customer_id).await?;

            // And a conversation or so the bot answered alone, around the same time.
            for _ in 0..rng.random_range(0..3) {
                let at = started - rng.random_range(MIN..30 * 24 * 60 * MIN);
                let known = rng.random_ratio(7, 10);
                let a = &articles[rng.random_range(0..articles.len())];
                let id = store::chat::insert(
                    &mut tx,
                    &NewConversation {
                        org_id,
                        customer_id: known.then_some(k.customer_id),
                        identity: None,
                        name: None,
                        lang: "fr",
                        site_id: None,
                        at,
                    },
                )
                .await?;
                store::chat::append(&mut tx, id, &ev("visitor", "message", &a.title, at)).await?;
                let answer = NewEvent {
                    article_id: Some(a.id),
                    ..ev("bot", "answer", &a.short_answer, at + 1_000)
                };
                store::chat::append(&mut tx, id, &answer).await?;
                let verdict = rng.random_range(0..100);
                if verdict < 40 {
                    let yes = NewEvent {
                        article_id: Some(a.id),
                        ..ev("visitor", "feedback", "yes", at + 20_000)
                    };
                    store::chat::append(&mut tx, id, &yes).await?;
                    store::chat::set_bot_state(&mut tx, id, 0, None, true).await?;
                }
                let end = (at + rng.random_range(MIN..5 * MIN)).min(now);
                store::chat::close(&mut tx, id, &ev("visitor", "closed", "", end)).await?;
            }
        }
        tx.commit().await?;
    }
    Ok(())
}
