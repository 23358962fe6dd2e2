//! A commitment as stored, turned back into its rule; and the snapshot of an organisation's
//! charter (commitments in force, calendars) that evaluation reads.

use crate::domain::calendar::Calendar;
use crate::domain::case::CaseKind;
use crate::domain::channel::Channel;
use crate::domain::commitment::{Metric, Period, Rule, Scope};
use crate::domain::site::OpeningHours;
use crate::service::{Error, Result};
use crate::store::{self, Conn};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use std::collections::HashMap;

/// Comma-separated list as stored.
pub(crate) fn split(s: &str) -> impl Iterator<Item = &str> {
    s.split(',').map(str::trim).filter(|x| !x.is_empty())
}

pub(crate) fn rule_of(c: &store::charter::Commitment) -> Result<Rule> {
    let bad =
        |what: &str| Error::Internal(format!("commitment {}: stored {what} unreadable", c.id));
    Ok(Rule {
        metric: Metric::parse(&c.metric).map_err(|_| bad("metric"))?,
        scope: Scope {
            channels: split(&c.channels)
                .map(Channel::parse)
                .collect::<std::result::Result<_, _>>()
                .map_err(|_| bad("channels"))?,
            site_ids: split(&c.site_ids)
                .map(str::parse)
                .collect::<std::result::Result<_, _>>()
                .map_err(|_| bad("sites"))?,
            kinds: split(&c.kinds)
                .map(CaseKind::parse)
                .collect::<std::result::Result<_, _>>()
                .map_err(|_| bad("kinds"))?,
            categories: split(&c.categories).map(str::to_string).collect(),
        },
        nominal_ms: c.nominal_ms,
        requirement_bp: c.requirement_bp,
        unacceptable_ms: c.unacceptable_ms,
        business_time: c.business_time != 0,
        exclude_pending: c.exclude_pending != 0,
        period: Period::parse(&c.period).map_err(|_| bad("period"))?,
    })
}

/// A commitment version that measures contacts started while it was in force.
#[derive(Debug, Clone)]
pub struct Active {
    pub id: i64,
    pub rule: Rule,
    pub from: i64,
    pub until: Option<i64>,
    pub row: store::charter::Commitment,
}

impl Active {
    pub fn in_force_at(&self, at: i64) -> bool {
        at >= self.from && self.until.is_none_or(|u| at < u)
    }
}

/// What evaluation needs of an organisation, read once per transaction or batch.
#[derive(Debug, Clone)]
pub struct Charter {
    pub org_id: i64,
    pub tz: TimeZone,
    pub default_calendar: Calendar,
    pub sites: HashMap<i64, Calendar>,
    pub active: Vec<Active>,
}

pub(crate) fn calendar_of(tz: &str, hours: &str, closures: &str) -> Calendar {
    Calendar {
        tz: TimeZone::get(tz).unwrap_or(TimeZone::UTC),
        hours: OpeningHours::parse(hours).unwrap_or_default(),
        closures: split(closures)
            .filter_map(|d| d.parse::<Date>().ok())
            .collect(),
        french_holidays: true,
    }
}

impl Charter {
    pub async fn load(c: &mut Conn, org_id: i64) -> Result<Charter> {
        Self::load_with(c, org_id, false).await
    }

    /// With every site's calendar even when nothing is in force (a draft is being tried).
    pub async fn load_for_backtest(c: &mut Conn, org_id: i64) -> Result<Charter> {
        Self::load_with(c, org_id, true).await
    }

    async fn load_with(c: &mut Conn, org_id: i64, all_sites: bool) -> Result<Charter> {
        let active = store::charter::measuring(c, org_id)
            .await?
            .into_iter()
            .map(|row| {
                Ok(Active {
                    id: row.id,
                    rule: rule_of(&row)?,
                    from: row.published_at.unwrap_or(i64::MAX),
                    until: row.retired_at,
                    row,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        if active.is_empty() && !all_sites {
            // Nothing is measured: every contact pays this one query, no more.
            let none = calendar_of("UTC", "", "");
            return Ok(Charter {
                org_id,
                tz: none.tz.clone(),
                default_calendar: none,
                sites: HashMap::new(),
                active,
            });
        }
        let (tz, hours) = store::org::org_calendar(c, org_id).await?;
        let default_calendar = calendar_of(&tz, &hours, "");
        let sites = store::org::list_sites(c, org_id)
            .await?
            .into_iter()
            .map(|s| {
                (
                    s.id,
                    calendar_of(&s.time_zone, &s.opening_hours, &s.closures),
                )
            })
            .collect();
        Ok(Charter {
            org_id,
            tz: default_calendar.tz.clone(),
            default_calendar,
            sites,
            active,
        })
    }

    /// The calendar delays are counted in: the site's, else the organisation's.
    pub fn calendar(&self, site_id: Option<i64>) -> &Calendar {
        site_id
            .and_then(|s| self.sites.get(&s))
            .unwrap_or(&self.default_calendar)
    }
}
