//! The generator of a year of conversations, streamed in time order.

use super::words::{CHANNELS, SITES, TOPICS};
use super::{Person, pick};
use crate::service::ingest::{CustomerRef, InteractionInput, SocialRef, Valid};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

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
    // Waits differ so that the demo charter is kept on some channels and sites, not others:
    // the phone platform is well staffed, chat is not; Paris Bastille's counter is fast, the
    // smaller agencies less so, and a rare long wait crosses the unacceptable bound.
    let (queue, reply_delay) = match channel {
        "phone" => (
            Some({
                let upto = if rng.random_ratio(1, 10) {
                    10 * MIN
                } else {
                    3 * MIN
                };
                rng.random_range(15_000..upto)
            }),
            rng.random_range(3 * MIN..15 * MIN),
        ),
        "chat" => (
            Some({
                let upto = if rng.random_ratio(1, 10) {
                    4 * MIN
                } else {
                    70_000
                };
                rng.random_range(8_000..upto)
            }),
            rng.random_range(3 * MIN..15 * MIN),
        ),
        "counter" => {
            let slow = match site {
                "paris-bastille" => 0.8,
                "lyon-part-dieu" => 1.0,
                _ => 1.3,
            };
            let wait = if rng.random_ratio(1, 40) {
                rng.random_range(MIN..18 * MIN)
            } else {
                (rng.random_range(MIN / 2..5 * MIN + MIN / 2) as f64 * slow) as i64
            };
            (Some(wait), rng.random_range(5 * MIN..20 * MIN))
        }
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
            occurred_at: Some(crate::service::iso(at)),
            customer: customer.clone(),
            subject: Some(topic.0.into()),
            body,
            site: Some(site.into()),
            external_id: Some(format!("demo-{n}-{i}")),
            kind: Some(topic.1.into()),
            category: Some(topic.2.into()),
            queued_at: queue
                .filter(|_| inbound && i == 0)
                .map(|q| crate::service::iso(at - q)),
            answered_at: queue
                .filter(|_| inbound && i == 0)
                .map(|_| crate::service::iso(at)),
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
pub(super) struct Generator {
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
    pub(super) fn new(
        rng: ChaCha8Rng,
        people: Vec<Person>,
        advisors: Vec<(i64, usize)>,
        now: i64,
        target: usize,
    ) -> Generator {
        Generator {
            rng,
            people,
            advisors,
            now,
            target,
            planned: 0,
            started: 0,
            seq: 0,
            next_t0: None,
            pending: Default::default(),
        }
    }

    /// About how many interactions the history will hold.
    pub(super) fn target(&self) -> usize {
        self.target
    }

    /// When the next conversation starts: its place in the year is the share of the target
    /// already planned, so the history spans the whole year whatever the messages per conversation.
    fn next_start(&self) -> i64 {
        let share = self.planned as f64 / self.target.max(1) as f64;
        (self.now - 365 * DAY + (share * (365 * DAY) as f64) as i64).min(self.now - MIN)
    }

    /// Up to `max` messages, oldest first; empty when the history is complete.
    pub(super) fn next_batch(&mut self, max: usize) -> Vec<Valid> {
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
