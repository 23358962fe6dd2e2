//! Continuous evaluation: as contacts and case changes are written, each one is measured against
//! the commitments in force, inside the same transaction, and only what changed is written
//! (one measure row, whose period's result the database keeps, and the consequences of an
//! unacceptable crossing).

use super::model::{Active, Charter};
use crate::domain::case::{CaseKind, CaseState};
use crate::domain::channel::Channel;
use crate::domain::commitment::{CaseFacts, Observation, WaitFacts};
use crate::service::Result;
use crate::store::{self, Conn};
use std::collections::HashMap;

/// Measures decided in a transaction, written together before it commits: the last decision
/// for each (commitment, subject) wins, and the database moves the differences into results.
#[derive(Debug, Default)]
pub struct Measures(HashMap<(i64, String), Option<store::charter::Measure>>);

impl Measures {
    /// Writes what was decided (call before committing).
    pub async fn flush(&mut self, c: &mut Conn) -> Result<()> {
        let mut puts = Vec::new();
        for ((id, subject), m) in self.0.drain() {
            match m {
                Some(m) => puts.push((id, subject, m)),
                None => store::charter::delete_measure(c, id, &subject).await?,
            }
        }
        let rows: Vec<(i64, &str, &store::charter::Measure)> =
            puts.iter().map(|(id, s, m)| (*id, s.as_str(), m)).collect();
        store::charter::put_measures(c, &rows).await?;
        Ok(())
    }
}

/// The case's facts as commitments read them (None for a stored value Pacte cannot read).
fn facts(s: &CaseState) -> Option<CaseFacts<'_>> {
    Some(CaseFacts {
        id: s.id,
        channel: Channel::parse(&s.channel).ok()?,
        site_id: s.site_id,
        kind: CaseKind::parse(&s.kind).ok()?,
        category: s.category.as_deref(),
        clock: &s.clock,
    })
}
fn observe(charter: &Charter, a: &Active, s: &CaseState, now: i64) -> Option<Observation> {
    let f = facts(s)?;
    a.rule
        .observe_case(&f, charter.calendar(s.site_id), now)
        .filter(|o| a.in_force_at(o.anchor_at))
}

/// Measures a case after a change. `before` is the case as it was (None: new or unknown), so
/// unchanged measures cost nothing. Returns whether a crossing queued an alert.
pub async fn case_changed(
    c: &mut Conn,
    out: &mut Measures,
    charter: &Charter,
    before: Option<&CaseState>,
    after: &CaseState,
    now: i64,
) -> Result<bool> {
    let mut alerted = false;
    for a in charter.active.iter().filter(|a| a.rule.metric.on_cases()) {
        // Most contacts move nothing a metric reads: skip the (calendar) arithmetic.
        if let (Some(fb), Some(fa)) = (before.and_then(facts), facts(after))
            && a.rule.same_measure(&fb, &fa)
        {
            continue;
        }
        let new = observe(charter, a, after, now);
        let old = before.and_then(|b| observe(charter, a, b, now));
        let unchanged = match before {
            Some(_) => old == new,
            // A new case (or one re-checked) has nothing stored to take back while unmeasured.
            None => new.is_none(),
        };
        if unchanged {
            continue;
        }
        alerted |= apply(
            c,
            out,
            charter,
            a,
            old.as_ref(),
            new,
            &format!("c:{}", after.id),
            Some(after.id),
            Some(after.customer_id),
            now,
        )
        .await?;
    }
    Ok(alerted)
}

/// Measures cases changed behind the caller's back (a later contact turned their once & done).
pub async fn recheck_cases(
    c: &mut Conn,
    out: &mut Measures,
    charter: &Charter,
    ids: &[i64],
    now: i64,
) -> Result<bool> {
    if ids.is_empty() || !charter.active.iter().any(|a| a.rule.metric.on_cases()) {
        return Ok(false);
    }
    let mut alerted = false;
    for row in store::charter::cases_by_ids(c, ids).await? {
        alerted |= case_changed(c, out, charter, None, &row.state(), now).await?;
    }
    Ok(alerted)
}

/// A wait in a queue (a call, a counter visit), measured by the commitments on its channel.
#[derive(Debug, Clone)]
pub struct Wait {
    pub subject: String,
    pub channel: Channel,
    pub site_id: Option<i64>,
    pub queued_at: i64,
    pub answered_at: Option<i64>,
    pub case_id: Option<i64>,
    pub customer_id: Option<i64>,
}

pub async fn wait_recorded(
    c: &mut Conn,
    out: &mut Measures,
    charter: &Charter,
    w: &Wait,
    now: i64,
) -> Result<bool> {
    let mut alerted = false;
    for a in charter.active.iter().filter(|a| !a.rule.metric.on_cases()) {
        let facts = WaitFacts {
            subject: &w.subject,
            channel: w.channel,
            site_id: w.site_id,
            queued_at: w.queued_at,
            answered_at: w.answered_at,
        };
        let o = a
            .rule
            .observe_wait(&facts, charter.calendar(w.site_id))
            .filter(|o| a.in_force_at(o.anchor_at));
        if o.is_some() {
            alerted |= apply(
                c,
                out,
                charter,
                a,
                None,
                o,
                &w.subject,
                w.case_id,
                w.customer_id,
                now,
            )
            .await?;
        }
    }
    Ok(alerted)
}

/// Replaces the stored measure of `subject` by `new` (the database moves the difference into
/// the results); the first crossing of the unacceptable bound sets off its consequences.
/// Returns whether an alert was queued.
#[allow(clippy::too_many_arguments)]
async fn apply(
    c: &mut Conn,
    out: &mut Measures,
    charter: &Charter,
    a: &Active,
    before: Option<&Observation>,
    new: Option<Observation>,
    subject: &str,
    case_id: Option<i64>,
    customer_id: Option<i64>,
    now: i64,
) -> Result<bool> {
    match &new {
        Some(o) => {
            let m = store::charter::Measure {
                site_id: o.site_id.unwrap_or(0),
                period: a
                    .rule
                    .period
                    .of_instant(o.anchor_at, &charter.tz)
                    .to_string(),
                anchor_at: o.anchor_at,
                value_ms: o.value_ms,
                met: i64::from(o.met),
                unacceptable: i64::from(o.unacceptable),
            };
            out.0.insert((a.id, subject.to_string()), Some(m));
        }
        None => {
            out.0.insert((a.id, subject.to_string()), None);
        }
    }
    if let Some(o) = new.filter(|o| o.unacceptable)
        && before.is_none_or(|b| !b.unacceptable)
    {
        // Recorded once per contact (the non-conformity is unique), so replays set off nothing.
        return super::consequences::unacceptable(c, charter, a, &o, case_id, customer_id, now)
            .await;
    }
    Ok(false)
}
