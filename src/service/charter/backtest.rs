//! Backtests: a draft evaluated on past months as if it had been in force.

use super::model::{Charter, rule_of};
use super::results::{PeriodResult, period_results, today_in};
use crate::domain::Invalid;
use crate::domain::case::CaseKind;
use crate::domain::channel::Channel;
use crate::domain::commitment::{CaseFacts, Metric, Period, Rule, Tally, WaitFacts};
use crate::service::{Actor, Error, Result, now_ms};
use crate::store::{self, Store};
use jiff::civil::Date;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Backtest {
    pub commitment_id: i64,
    pub months: i64,
    pub from: String,
    pub to: String,
    /// Monthly results per site, whatever the commitment's own period.
    pub results: Vec<PeriodResult>,
    pub elapsed_ms: u64,
}

/// Evaluates a commitment on the last `months` months of real data, as if it had been in force,
/// and marks it backtested (publishing needs it). Reads history without loading it; writes
/// nothing else.
pub async fn backtest(store: &Store, actor: &Actor, id: i64, months: i64) -> Result<Backtest> {
    actor.require(actor.role.can_define_charter())?;
    if !(1..=36).contains(&months) {
        return Err(Error::invalid(
            "months",
            Invalid::new("out_of_range", "between 1 and 36 months"),
        ));
    }
    let started = std::time::Instant::now();
    let now = now_ms();
    let mut c = store.reader().await?;
    let row = store::charter::by_id(&mut c, actor.org_id, id)
        .await?
        .ok_or(Error::NotFound("commitment"))?;
    let rule = rule_of(&row)?;
    let charter = Charter::load_for_backtest(&mut c, actor.org_id).await?;
    let tz = charter.tz.clone();
    let first_month = Period::Month
        .start_of(today_in(&tz))
        .checked_sub(jiff::Span::new().months(months - 1))
        .unwrap_or(today_in(&tz));
    // The first instant of each month, in the organisation's time zone.
    let month_starts: Vec<Date> = (0..months)
        .filter_map(|i| first_month.checked_add(jiff::Span::new().months(i)).ok())
        .collect();
    let periods: Vec<i64> = month_starts
        .iter()
        .filter_map(|d| d.to_zoned(tz.clone()).ok())
        .map(|z| z.timestamp().as_millisecond())
        .collect();
    drop(c);
    // (Two halves on two connections were measured no faster on 2 cores: the scan is I/O-bound
    // on the same pages.)
    let tallies = count_range(
        store,
        actor.org_id,
        &rule,
        &charter,
        &month_starts,
        &periods,
        now,
        now,
    )
    .await?;
    let sites = {
        let mut c = store.reader().await?;
        store::org::list_sites(&mut c, actor.org_id).await?
    };
    let results = period_results(
        tallies.into_iter().map(|((p, s), t)| (p, s, t)),
        &sites,
        rule.requirement_bp,
        Period::Month,
        today_in(&tz),
    );
    if row.status == "draft" {
        let mut tx = store.begin().await?;
        store::charter::set_backtested(&mut tx, id, now).await?;
        tx.commit().await?;
    }
    Ok(Backtest {
        commitment_id: id,
        months,
        from: first_month.to_string(),
        to: crate::service::iso(now),
        results,
        elapsed_ms: started.elapsed().as_millis() as u64,
    })
}

/// A backtest's counts per month and site: months starting at `periods`, up to `to`.
#[allow(clippy::too_many_arguments)]
async fn count_range(
    store: &Store,
    org_id: i64,
    rule: &Rule,
    charter: &Charter,
    month_starts: &[Date],
    periods: &[i64],
    to: i64,
    now: i64,
) -> Result<BTreeMap<(String, i64), Tally>> {
    if periods.is_empty() {
        return Ok(BTreeMap::new());
    }
    let mut c = store.reader().await?;
    let tz = charter.tz.clone();
    let mut tallies: BTreeMap<(String, i64), Tally> = BTreeMap::new();
    let mut add = |period: String, site: i64, t: Tally| {
        tallies.entry((period, site)).or_default().add(&t);
    };
    // Counted in the database where the rule reads as SQL (calendar time); only what business
    // time must decide is streamed through the same `Rule` as live evaluation.
    let from = periods.first().copied().unwrap_or(0);
    let table_scan =
        rule.metric.on_cases() && store::charter::range_share(&mut c, org_id, from).await? > 0.5;
    for (site, i, total, met, unacceptable) in
        aggregated(&mut c, org_id, rule, periods, to, table_scan).await?
    {
        if let Some(d) = month_starts.get(i as usize) {
            add(
                d.to_string(),
                site,
                Tally {
                    total,
                    met,
                    unacceptable,
                },
            );
        }
    }
    let mut count = |o: crate::domain::commitment::Observation| {
        let p = Period::Month.of_instant(o.anchor_at, &tz).to_string();
        add(
            p,
            o.site_id.unwrap_or(0),
            Tally {
                total: 1,
                met: i64::from(o.met),
                unacceptable: i64::from(o.unacceptable),
            },
        );
    };
    let scope = scan_strings(rule);
    let scan = store::charter::CaseScan {
        org_id,
        table_scan,
        periods,
        to,
        channels: &scope.0,
        site_ids: &rule.scope.site_ids,
        kinds: &scope.1,
        categories: &rule.scope.categories,
    };
    match (rule.metric.on_cases(), delay_of(rule)) {
        (true, Some(d)) if rule.business_time => {
            store::charter::each_case(&mut c, &scan, Some(&d), |r| {
                let s = r.state();
                if let (Ok(channel), Ok(kind)) =
                    (Channel::parse(&s.channel), CaseKind::parse(&s.kind))
                {
                    let f = CaseFacts {
                        id: s.id,
                        channel,
                        site_id: s.site_id,
                        kind,
                        category: s.category.as_deref(),
                        clock: &s.clock,
                    };
                    if let Some(o) = rule.observe_case(&f, charter.calendar(s.site_id), now) {
                        count(o);
                    }
                }
            })
            .await?;
        }
        (false, _) if rule.business_time => {
            store::charter::each_wait(&mut c, org_id, from, to, |w| {
                if let Ok(channel) = Channel::parse(&w.channel) {
                    let subject = w.id.to_string();
                    let f = WaitFacts {
                        subject: &subject,
                        channel,
                        site_id: w.site_id,
                        queued_at: w.queued_at,
                        answered_at: w.answered_at,
                    };
                    if let Some(o) = rule.observe_wait(&f, charter.calendar(w.site_id)) {
                        count(o);
                    }
                }
            })
            .await?;
        }
        _ => {}
    }
    Ok(tallies)
}

/// How a case-delay rule reads its delay, for counting in the database.
fn delay_of(rule: &Rule) -> Option<store::charter::Delay> {
    let end = match rule.metric {
        Metric::FirstResponse => "first_response_at",
        Metric::Resolution => "solved_at",
        _ => return None,
    };
    Some(store::charter::Delay {
        end,
        exclude_pending: rule.exclude_pending,
        nominal_ms: rule.nominal_ms?,
        unacceptable_ms: rule.unacceptable_ms,
    })
}

/// The scope's channels and kinds as stored.
fn scan_strings(rule: &Rule) -> (Vec<String>, Vec<String>) {
    (
        rule.scope
            .channels
            .iter()
            .map(|c| c.as_str().to_string())
            .collect(),
        rule.scope
            .kinds
            .iter()
            .map(|k| k.as_str().to_string())
            .collect(),
    )
}

/// The part of a backtest the database counts: everything in calendar time, and under business
/// time the cases already within the nominal in calendar time (business time is never longer).
async fn aggregated(
    c: &mut store::Conn,
    org_id: i64,
    rule: &Rule,
    periods: &[i64],
    now: i64,
    table_scan: bool,
) -> Result<store::charter::Buckets> {
    let scope = scan_strings(rule);
    let scan = store::charter::CaseScan {
        org_id,
        table_scan,
        periods,
        to: now,
        channels: &scope.0,
        site_ids: &rule.scope.site_ids,
        kinds: &scope.1,
        categories: &rule.scope.categories,
    };
    Ok(match rule.metric {
        Metric::OnceAndDone => store::charter::aggregate_once_and_done(c, &scan).await?,
        Metric::FirstResponse | Metric::Resolution => match delay_of(rule) {
            Some(d) => store::charter::aggregate_delays(c, &scan, &d, rule.business_time).await?,
            None => Vec::new(),
        },
        Metric::CounterWait | Metric::PhoneAnswer | Metric::ChatAnswer if !rule.business_time => {
            let channel = rule.metric.own_channel().map_or("", |c| c.as_str());
            let scan = store::charter::WaitScan {
                org_id,
                channel,
                periods,
                to: now,
                site_ids: &rule.scope.site_ids,
                nominal_ms: rule.nominal_ms.unwrap_or(0),
                unacceptable_ms: rule.unacceptable_ms,
            };
            store::charter::aggregate_waits(c, &scan).await?
        }
        _ => Vec::new(),
    })
}
