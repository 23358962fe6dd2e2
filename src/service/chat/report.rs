//! The chat report: conversations, what the bot contained and what it verifiably resolved,
//! handoffs by reason, the time to a human and each advisor's load, over months.

use crate::service::survey::figures::{Query, month_bounds, period};
use crate::service::{Actor, Result};
use crate::store::chat::Counted;
use crate::store::{self, Store};
use serde::Serialize;
use std::collections::BTreeMap;

/// How a conversation the bot answered alone counts as resolved.
pub const RESOLUTION_RULE: &str = "A conversation is resolved by the bot when it was never handed over, the bot answered, and the visitor said the answer helped, or the visitor was known and did not contact the organisation again on any channel within 7 days after it.";

#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Report {
    /// First and last month, "YYYY-MM".
    pub from: String,
    pub to: String,
    pub conversations: i64,
    /// Never handed over, with at least one answer of the bot.
    pub contained: i64,
    /// …of which the visitor said the answer helped.
    pub confirmed: i64,
    /// …confirmed, or known and no contact again within 7 days (see `RESOLUTION_RULE`).
    pub verified: i64,
    /// Contained, not confirmed, and the 7 days not over yet.
    pub pending: i64,
    /// Contained, not confirmed, and anonymous: nothing can verify it.
    pub unverifiable: i64,
    pub handoffs: i64,
    /// Handoffs by reason code, most frequent first.
    pub reasons: Vec<Reason>,
    /// Handed over and answered by an advisor.
    pub answered: i64,
    /// Handed over, then closed without an advisor's answer.
    pub abandoned: i64,
    /// Handoff → first advisor message, in seconds.
    pub wait_p50_secs: Option<i64>,
    pub wait_p90_secs: Option<i64>,
    /// Share of the answered handoffs answered within 60 s.
    pub within_60s: Option<f64>,
    pub advisors: Vec<Load>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Reason {
    pub reason: String,
    pub count: i64,
}

/// One advisor's conversations taken, and how fast they answered them.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Load {
    pub user_id: i64,
    pub name: String,
    pub taken: i64,
    pub wait_p50_secs: Option<i64>,
}

/// The nearest-rank percentile of sorted values.
fn percentile(sorted: &[i64], p: f64) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    Some(sorted[rank - 1])
}

/// The figures of conversations, as of `now` (the 7 days of a recent one may still run).
pub fn summarise(rows: &[Counted], names: &BTreeMap<i64, String>, now: i64) -> Report {
    let window = crate::domain::case::ONCE_AND_DONE_WINDOW_MS;
    let mut r = Report {
        conversations: rows.len() as i64,
        ..Default::default()
    };
    let mut reasons: BTreeMap<String, i64> = BTreeMap::new();
    let mut waits = Vec::new();
    let mut per: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for c in rows {
        match c.handoff_at {
            None if c.answers > 0 => {
                r.contained += 1;
                if c.resolved_by_bot == 1 {
                    r.confirmed += 1;
                    r.verified += 1;
                } else if c.customer_id.is_none() {
                    r.unverifiable += 1;
                } else if c.came_back.unwrap_or(0) > 0 {
                    // Came back: not resolved.
                } else if now - c.last_at <= window {
                    r.pending += 1;
                } else {
                    r.verified += 1;
                }
            }
            None => {}
            Some(at) => {
                r.handoffs += 1;
                *reasons
                    .entry(c.reason.clone().unwrap_or_else(|| "request".into()))
                    .or_default() += 1;
                match c.answered_at {
                    Some(answered) => {
                        r.answered += 1;
                        let secs = (answered - at).max(0) / 1000;
                        waits.push(secs);
                        if let Some(u) = c.assigned_to {
                            per.entry(u).or_default().push(secs);
                        }
                    }
                    None if c.status == "closed" => r.abandoned += 1,
                    None => {}
                }
            }
        }
    }
    waits.sort_unstable();
    r.wait_p50_secs = percentile(&waits, 0.5);
    r.wait_p90_secs = percentile(&waits, 0.9);
    r.within_60s = (!waits.is_empty())
        .then(|| waits.iter().filter(|w| **w <= 60).count() as f64 / waits.len() as f64);
    r.reasons = reasons
        .into_iter()
        .map(|(reason, count)| Reason { reason, count })
        .collect();
    r.reasons.sort_by_key(|x| std::cmp::Reverse(x.count));
    r.advisors = per
        .into_iter()
        .map(|(user_id, mut w)| {
            w.sort_unstable();
            Load {
                user_id,
                name: names.get(&user_id).cloned().unwrap_or_default(),
                taken: w.len() as i64,
                wait_p50_secs: percentile(&w, 0.5),
            }
        })
        .collect();
    r.advisors.sort_by_key(|x| std::cmp::Reverse(x.taken));
    r
}

/// The report over the months asked (default: the last 12), in the organisation's time zone.
pub async fn report(store: &Store, actor: &Actor, q: &Query) -> Result<Report> {
    actor.require(actor.role.can_read_charter())?;
    let mut c = store.reader().await?;
    let (tz, _) = store::org::org_calendar(&mut c, actor.org_id).await?;
    let (from, to) = period(q, &tz)?;
    let (start, end) = month_bounds(&from, &to, &tz)?;
    let rows = store::chat::counted(&mut c, actor.org_id, start, end).await?;
    let names = store::org::list_users(&mut c, actor.org_id)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    drop(c);
    Ok(Report {
        from,
        to,
        ..summarise(&rows, &names, crate::service::now_ms())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400_000;

    fn row(customer: Option<i64>, answers: i64) -> Counted {
        Counted {
            customer_id: customer,
            status: "closed".into(),
            reason: None,
            last_at: 0,
            handoff_at: None,
            answered_at: None,
            assigned_to: None,
            resolved_by_bot: 0,
            answers,
            came_back: customer.map(|_| 0),
        }
    }

    #[test]
    fn the_bot_s_resolution_is_counted_only_when_verified() {
        let now = 30 * DAY;
        let yes = Counted {
            resolved_by_bot: 1,
            ..row(None, 1)
        };
        let quiet = row(Some(1), 2);
        let back = Counted {
            came_back: Some(1),
            ..row(Some(2), 1)
        };
        let recent = Counted {
            last_at: now - DAY,
            ..row(Some(3), 1)
        };
        let anonymous = row(None, 1);
        let unanswered = row(None, 0);
        let handed = |reason: &str, wait_secs: Option<i64>, who: i64| Counted {
            reason: Some(reason.into()),
            handoff_at: Some(1_000),
            answered_at: wait_secs.map(|s| 1_000 + s * 1000),
            assigned_to: wait_secs.map(|_| who),
            ..row(Some(9), 1)
        };
        let rows = vec![
            yes,
            quiet,
            back,
            recent,
            anonymous,
            unanswered,
            handed("request", Some(30), 7),
            handed("request", Some(90), 7),
            handed("unhelpful", Some(45), 8),
            handed("anger", None, 0),
        ];
        let names = BTreeMap::from([(7, "Inès".to_string()), (8, "Marc".to_string())]);
        let r = summarise(&rows, &names, now);
        assert_eq!(r.conversations, 10);
        assert_eq!(
            (
                r.contained,
                r.confirmed,
                r.verified,
                r.pending,
                r.unverifiable
            ),
            (5, 1, 2, 1, 1),
            "{r:?}"
        );
        assert_eq!((r.handoffs, r.answered, r.abandoned), (4, 3, 1));
        assert_eq!(
            r.reasons[0],
            Reason {
                reason: "request".into(),
                count: 2
            }
        );
        assert_eq!((r.wait_p50_secs, r.wait_p90_secs), (Some(45), Some(90)));
        assert_eq!(r.within_60s, Some(2.0 / 3.0));
        assert_eq!(r.advisors[0].name, "Inès");
        assert_eq!(
            (r.advisors[0].taken, r.advisors[0].wait_p50_secs),
            (2, Some(30))
        );
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        assert_eq!(percentile(&[], 0.5), None);
        assert_eq!(percentile(&[4], 0.9), Some(4));
        assert_eq!(percentile(&[1, 2, 3, 4], 0.5), Some(2));
        assert_eq!(percentile(&(1..=10).collect::<Vec<_>>(), 0.9), Some(9));
    }
}
