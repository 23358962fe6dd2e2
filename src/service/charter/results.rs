//! Reading results: per period and site from the incrementally kept counts, open cases close
//! to a bound, the inbox timers.

use super::definition::{CommitmentView, MIN_MS, view};
use super::model::Charter;
use crate::domain::case::CaseKind;
use crate::domain::channel::Channel;
use crate::domain::commitment::{CaseFacts, Period, Status, Tally};
use crate::service::{Actor, Result, now_ms};
use crate::store::{self, Store};
use jiff::civil::Date;
use serde::Serialize;
use std::collections::BTreeMap;

/// A period's counts per site (0: contacts tied to no site) and in all.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PeriodResult {
    /// First day of the period (YYYY-MM-DD).
    pub period: String,
    pub all: Tally,
    pub compliance_pct: Option<f64>,
    /// The 95 % (Wilson) interval of the share met, in percent: what a share on few contacts
    /// can be said to show.
    pub interval_pct: Option<(f64, f64)>,
    /// `in_progress` while the period runs; `too_early` when the interval straddles the
    /// requirement.
    pub status: Status,
    pub sites: Vec<SiteTally>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SiteTally {
    pub site: Option<String>,
    pub tally: Tally,
    pub compliance_pct: Option<f64>,
    pub interval_pct: Option<(f64, f64)>,
    pub status: Status,
}

pub(super) fn period_results(
    rows: impl IntoIterator<Item = (String, i64, Tally)>,
    sites: &[store::org::Site],
    requirement_bp: i64,
    period: Period,
    today: Date,
) -> Vec<PeriodResult> {
    let mut by: BTreeMap<String, BTreeMap<i64, Tally>> = BTreeMap::new();
    for (p, site, t) in rows {
        by.entry(p).or_default().entry(site).or_default().add(&t);
    }
    by.into_iter()
        .map(|(p, per_site)| {
            let over = p
                .parse::<Date>()
                .map(|d| period.next(d) <= today)
                .unwrap_or(true);
            let mut all = Tally::default();
            let sites = per_site
                .into_iter()
                .map(|(id, t)| {
                    all.add(&t);
                    SiteTally {
                        site: sites.iter().find(|s| s.id == id).map(|s| s.code.clone()),
                        tally: t,
                        compliance_pct: t.compliance_pct(),
                        interval_pct: t.interval_pct(),
                        status: t.status(requirement_bp, over),
                    }
                })
                .collect();
            PeriodResult {
                period: p,
                compliance_pct: all.compliance_pct(),
                interval_pct: all.interval_pct(),
                status: all.status(requirement_bp, over),
                all,
                sites,
            }
        })
        .collect()
}

pub(super) fn today_in(tz: &jiff::tz::TimeZone) -> Date {
    jiff::Timestamp::now().to_zoned(tz.clone()).date()
}

/// A commitment with its results over recent periods.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CommitmentResults {
    pub commitment: CommitmentView,
    pub results: Vec<PeriodResult>,
}

/// Results of the commitments in force (and of the versions they replaced, each on its own
/// rows), over the last `periods` periods. Reads the incremental results only.
pub async fn results(store: &Store, actor: &Actor, periods: i64) -> Result<Vec<CommitmentResults>> {
    actor.require(actor.role.can_read_charter())?;
    let mut c = store.reader().await?;
    results_in(&mut c, actor.org_id, periods.clamp(1, 60)).await
}

pub(crate) async fn results_in(
    c: &mut store::Conn,
    org_id: i64,
    periods: i64,
) -> Result<Vec<CommitmentResults>> {
    let (tz, _) = store::org::org_calendar(c, org_id).await?;
    let tz = jiff::tz::TimeZone::get(&tz).unwrap_or(jiff::tz::TimeZone::UTC);
    let today = today_in(&tz);
    let rows: Vec<_> = store::charter::measuring(c, org_id).await?;
    let sites = store::org::list_sites(c, org_id).await?;
    // The earliest period asked for, across period kinds: enough months back for the longest.
    let from = Date::new(today.year(), today.month(), 1)
        .ok()
        .and_then(|d| d.checked_sub(jiff::Span::new().months(3 * periods)).ok())
        .unwrap_or(today)
        .to_string();
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let all = store::charter::results(c, &ids, &from).await?;
    let mut out = Vec::new();
    for r in rows {
        let period = Period::parse(&r.period).unwrap_or(Period::Month);
        let mut res = period_results(
            all.iter().filter(|x| x.commitment_id == r.id).map(|x| {
                (
                    x.period.clone(),
                    x.site_id,
                    Tally {
                        total: x.total,
                        met: x.met,
                        unacceptable: x.unacceptable,
                    },
                )
            }),
            &sites,
            r.requirement_bp,
            period,
            today,
        );
        let keep = res.len().saturating_sub(periods as usize);
        res.drain(..keep);
        out.push(CommitmentResults {
            commitment: view(&r, &sites, Vec::new()),
            results: res,
        });
    }
    Ok(out)
}

/// An open case and the time left before it crosses a commitment's nominal bound.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AtRisk {
    pub case_id: i64,
    pub case_number: i64,
    pub subject: String,
    pub commitment_id: i64,
    pub commitment: String,
    pub deadline: String,
    pub deadline_ms: i64,
    /// Negative once crossed.
    pub remaining_minutes: i64,
}

/// Open cases nearest to (or past) a commitment's bound, soonest first (read from the deadline
/// each case keeps).
pub async fn at_risk(store: &Store, actor: &Actor, limit: usize) -> Result<Vec<AtRisk>> {
    actor.require(actor.role.can_read_charter())?;
    let mut c = store.reader().await?;
    let charter = Charter::load(&mut c, actor.org_id).await?;
    let cases = store::case::due_soonest(&mut c, actor.org_id, limit as i64).await?;
    let now = now_ms();
    Ok(cases
        .iter()
        .filter_map(|k| {
            let s = k.state();
            let (id, deadline) = deadlines_of(&charter, &s).into_iter().min_by_key(|x| x.1)?;
            Some(AtRisk {
                case_id: k.id,
                case_number: k.number,
                subject: k.subject.clone(),
                commitment_id: id,
                commitment: charter
                    .active
                    .iter()
                    .find(|x| x.id == id)
                    .map(|x| x.row.title_fr.clone())
                    .unwrap_or_default(),
                deadline: crate::service::iso(deadline),
                deadline_ms: deadline,
                remaining_minutes: (deadline - now).div_euclid(MIN_MS),
            })
        })
        .collect())
}

/// The commitments running on an open case, with when each will be crossed.
pub fn deadlines_of(charter: &Charter, s: &crate::domain::case::CaseState) -> Vec<(i64, i64)> {
    let (Ok(channel), Ok(kind)) = (Channel::parse(&s.channel), CaseKind::parse(&s.kind)) else {
        return Vec::new();
    };
    let f = CaseFacts {
        id: s.id,
        channel,
        site_id: s.site_id,
        kind,
        category: s.category.as_deref(),
        clock: &s.clock,
    };
    charter
        .active
        .iter()
        .filter(|a| a.until.is_none() && a.in_force_at(s.clock.opened_at))
        .filter_map(|a| {
            a.rule
                .deadline(&f, charter.calendar(s.site_id))
                .map(|d| (a.id, d))
        })
        .collect()
}

/// The nearest deadline of a case, kept on it (`CaseClock::due_at`).
pub fn due_of(charter: &Charter, s: &crate::domain::case::CaseState) -> Option<i64> {
    deadlines_of(charter, s).into_iter().map(|(_, d)| d).min()
}

/// The deadline after a change: the one kept before when nothing a deadline depends on moved
/// (most contacts on a case), else computed again.
pub fn due_after(
    charter: &Charter,
    before: Option<&crate::domain::case::CaseState>,
    after: &crate::domain::case::CaseState,
) -> Option<i64> {
    let key = |s: &crate::domain::case::CaseState| {
        let k = &s.clock;
        (
            k.status(),
            k.opened_at,
            k.first_response_at.is_some(),
            k.solved_at.is_some(),
            k.pending_ms,
        )
    };
    match before {
        Some(b)
            if key(b) == key(after)
                && (b.site_id, &b.kind, &b.category, &b.channel)
                    == (after.site_id, &after.kind, &after.category, &after.channel) =>
        {
            b.clock.due_at
        }
        _ => due_of(charter, after),
    }
}

/// Sets the deadline of every open case after the charter changed (publication).
pub(super) async fn refresh_due(c: &mut store::Conn, org_id: i64) -> Result<()> {
    let charter = Charter::load(c, org_id).await?;
    for k in store::case::open_of_org(c, org_id).await? {
        let due = due_of(&charter, &k.state());
        if due != k.due_at {
            store::case::set_due(c, k.id, due).await?;
        }
    }
    Ok(())
}
