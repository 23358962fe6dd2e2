//! Opening non-conformities from live data, as a standing job (`quality.detect`), so the write
//! path pays nothing: crossings of an unacceptable bound (grouped per commitment × site),
//! complete periods a commitment missed (where the interval shows it), low reviews (per site),
//! rising irritants (per theme), indicators in the red (per indicator). Each source has a key;
//! one non-conformity per key gathers its evidence, and evidence newer than a conforming
//! closure reopens it ("a cause that comes back"). Then the checks whose date has come are
//! measured.

use super::figure::{Months, Source};
use super::{emit, note};
use crate::domain::commitment::Status;
use crate::domain::quality::{
    NcStatus, Origin, Proposal, Rag, fell, irritant_rising, rag_of, share_verdict, wilson,
};
use crate::domain::survey::Tally;
use crate::service::{Error, Result, now_ms};
use crate::store::{self, Conn, Store};
use std::collections::BTreeMap;

/// What one source found under one key.
struct Finding {
    key: String,
    origin: Origin,
    title: String,
    severity: &'static str,
    site_id: Option<i64>,
    commitment_id: Option<i64>,
    kpi_id: Option<i64>,
    theme: Option<String>,
    /// (kind, reference, when, detail JSON)
    evidence: Vec<(&'static str, String, i64, String)>,
}

/// Runs every source once; returns how many non-conformities were opened or reopened, plus the
/// checks measured.
pub async fn run(store: &Store) -> Result<usize> {
    run_for(store, None).await
}

/// Detection for one organisation now (a quality manager who does not want to wait for the
/// job): the same sources, the same keys.
pub async fn run_now(store: &Store, actor: &crate::service::Actor) -> Result<usize> {
    actor.require(actor.role.can_decide_quality())?;
    run_for(store, Some(actor.org_id)).await
}

async fn run_for(store: &Store, only: Option<i64>) -> Result<usize> {
    let mut n = crossings(store, only).await?;
    let orgs = match only {
        Some(o) => vec![o],
        None => {
            let mut c = store.reader().await?;
            store::quality::org_ids(&mut c).await?
        }
    };
    for org_id in orgs {
        let found = {
            let mut c = store.reader().await?;
            let mut f = periods(&mut c, org_id).await?;
            f.extend(reviews(&mut c, org_id).await?);
            f.extend(irritants(&mut c, org_id).await?);
            f.extend(voice_trends(&mut c, org_id).await?);
            f.extend(kpis(&mut c, org_id).await?);
            f
        };
        if found.is_empty() {
            continue;
        }
        let now = now_ms();
        let mut tx = store.begin().await?;
        for f in &found {
            n += usize::from(record(&mut tx, org_id, f, now).await?);
        }
        tx.commit().await?;
    }
    n += overdue(store, only).await?;
    n += super::measure_due(store, only).await?;
    Ok(n)
}

/// Actions past their date and unfinished: said once in the history and to the webhook
/// (`quality.action_overdue`), and listed to the quality manager as late.
async fn overdue(store: &Store, only: Option<i64>) -> Result<usize> {
    let today = jiff::Zoned::now().date().to_string();
    let late = {
        let mut c = store.reader().await?;
        store::quality::newly_overdue(&mut c, &today, only).await?
    };
    if late.is_empty() {
        return Ok(0);
    }
    let now = now_ms();
    let mut tx = store.begin().await?;
    let mut n = 0;
    for (org_id, action, nc_id, title, due) in late {
        if store::quality::mark_overdue(&mut tx, action, now).await? {
            note(
                &mut tx,
                org_id,
                nc_id,
                None,
                "overdue",
                &format!("{title} ({due})"),
                now,
            )
            .await?;
            let nc = super::get_in(&mut tx, org_id, nc_id).await?;
            emit(&mut tx, org_id, "quality.action_overdue", &nc, now).await?;
            n += 1;
        }
    }
    tx.commit().await?;
    Ok(n)
}

/// Writes a finding's new evidence on the non-conformity of its key (opened, counted or
/// reopened); `true` when it opened or reopened one.
async fn record(c: &mut Conn, org_id: i64, f: &Finding, now: i64) -> Result<bool> {
    let existing = store::quality::nc_by_key(c, org_id, &f.key).await?;
    let (id, fresh) = match &existing {
        Some(nc) => (nc.id, false),
        None => {
            let first = f.evidence.iter().map(|e| e.2).min().unwrap_or(now);
            let id = store::quality::insert_nc(
                c,
                org_id,
                &store::quality::NewNc {
                    origin: f.origin.as_str(),
                    source_key: Some(&f.key),
                    title: &f.title,
                    description: "",
                    severity: f.severity,
                    owner_id: None,
                    site_id: f.site_id,
                    commitment_id: f.commitment_id,
                    kpi_id: f.kpi_id,
                    case_id: None,
                    theme: f.theme.as_deref(),
                    occurrences: 0,
                    seen_at: first,
                    created_by: None,
                },
                now,
            )
            .await?;
            match id {
                Some(id) => (id, true),
                // Another writer (the job and `POST /quality/detect`) opened it meanwhile.
                None => {
                    let nc = store::quality::nc_by_key(c, org_id, &f.key)
                        .await?
                        .ok_or(Error::NotFound("non-conformity"))?;
                    (nc.id, false)
                }
            }
        }
    };
    let mut added = 0;
    let mut latest = 0;
    for (kind, r, at, detail) in &f.evidence {
        if store::quality::add_evidence(c, id, kind, r, *at, detail).await? {
            added += 1;
            latest = latest.max(*at);
        }
    }
    if added == 0 && !fresh {
        return Ok(false);
    }
    store::quality::seen_again(c, id, added, latest, now).await?;
    let mut changed = fresh;
    if fresh {
        note(c, org_id, id, None, "detected", &format!("{added}"), now).await?;
        let nc = super::get_in(c, org_id, id).await?;
        emit(c, org_id, "quality.nc_opened", &nc, now).await?;
    } else if let Some(nc) = existing
        && matches!(
            NcStatus::parse(&nc.status),
            Ok(NcStatus::Closed | NcStatus::Dismissed)
        )
        && nc.closed_at.is_some_and(|closed| latest > closed)
    {
        store::quality::reopen(c, id, now).await?;
        note(c, org_id, id, None, "recurred", &format!("{added}"), now).await?;
        let nc = super::get_in(c, org_id, id).await?;
        emit(c, org_id, "quality.nc_reopened", &nc, now).await?;
        changed = true;
    } else if store::quality::last_event(c, id)
        .await?
        .is_none_or(|(kind, at)| kind != "seen_again" || now - at > crate::domain::DAY_MS)
    {
        // At most one such line a day: a commitment crossed all day long is one record.
        note(c, org_id, id, None, "seen_again", &format!("{added}"), now).await?;
    }
    Ok(changed)
}

/// Crossings of an unacceptable bound not yet grouped, in batches.
async fn crossings(store: &Store, only: Option<i64>) -> Result<usize> {
    let mut opened = 0;
    loop {
        let batch = {
            let mut c = store.reader().await?;
            store::quality::ungrouped_crossings(&mut c, only, 2_000).await?
        };
        if batch.is_empty() {
            return Ok(opened);
        }
        let mut groups: BTreeMap<(i64, i64, i64), Vec<&store::quality::Crossing>> = BTreeMap::new();
        for x in &batch {
            groups
                .entry((x.org_id, x.family_id, x.site_id.unwrap_or(0)))
                .or_default()
                .push(x);
        }
        let now = now_ms();
        let mut tx = store.begin().await?;
        for ((org_id, family, site), xs) in groups {
            let place = store::org::list_sites(&mut tx, org_id)
                .await?
                .into_iter()
                .find(|s| s.id == site)
                .map(|s| format!(" ({})", s.name))
                .unwrap_or_default();
            let f = Finding {
                key: format!("crossing:{family}:{site}"),
                origin: Origin::Crossing,
                title: format!("Seuil inacceptable dépassé\u{a0}: {}{place}", xs[0].title),
                severity: "major",
                site_id: (site != 0).then_some(site),
                commitment_id: Some(family),
                kpi_id: None,
                theme: None,
                evidence: xs
                    .iter()
                    .map(|x| {
                        (
                            "crossing",
                            x.id.to_string(),
                            x.occurred_at,
                            serde_json::json!({
                                "case_id": x.case_id, "case_number": x.case_number,
                                "value_ms": x.value_ms,
                            })
                            .to_string(),
                        )
                    })
                    .collect(),
            };
            opened += usize::from(record(&mut tx, org_id, &f, now).await?);
            let ids: Vec<i64> = xs.iter().map(|x| x.id).collect();
            let nc = store::quality::nc_by_key(&mut tx, org_id, &f.key).await?;
            if let Some(nc) = nc {
                store::quality::group_crossings(&mut tx, &ids, nc.id).await?;
            }
        }
        tx.commit().await?;
    }
}

/// Complete periods a commitment missed on a site, where the data shows it (the interval is
/// below the requirement).
async fn periods(c: &mut Conn, org_id: i64) -> Result<Vec<Finding>> {
    let all = crate::service::charter::results_in(c, org_id, 3).await?;
    let sites = store::org::list_sites(c, org_id).await?;
    let mut out: BTreeMap<String, Finding> = BTreeMap::new();
    for r in all.iter().filter(|r| r.commitment.status == "published") {
        let v = &r.commitment;
        for p in &r.results {
            // A share shown below the requirement (crossings of the unacceptable bound have
            // their own non-conformity; a period missed only by them is not counted twice).
            let below = |s: &&crate::service::charter::SiteTally| {
                s.status == Status::Missed
                    && share_verdict(s.tally.met, s.tally.total, v.requirement_pct / 100.0, true)
                        == Proposal::Nonconforming
            };
            for s in p.sites.iter().filter(below) {
                let site_id = s
                    .site
                    .as_ref()
                    .and_then(|code| sites.iter().find(|x| &x.code == code))
                    .map(|x| x.id);
                let key = format!("commitment_period:{}:{}", v.family_id, site_id.unwrap_or(0));
                // Known once the period is over: dated at its end, like the other sources.
                let kind = crate::domain::commitment::Period::parse(&v.period)
                    .unwrap_or(crate::domain::commitment::Period::Month);
                let at = p
                    .period
                    .parse::<jiff::civil::Date>()
                    .ok()
                    .and_then(|d| kind.next(d).to_zoned(jiff::tz::TimeZone::UTC).ok())
                    .map_or(0, |z| z.timestamp().as_millisecond() - 1)
                    .min(now_ms());
                let f = out.entry(key.clone()).or_insert_with(|| Finding {
                    key,
                    origin: Origin::CommitmentPeriod,
                    title: format!(
                        "Engagement non tenu\u{a0}: {}{}",
                        v.title_fr,
                        s.site
                            .as_ref()
                            .and_then(|code| sites.iter().find(|x| &x.code == code))
                            .map(|x| format!(" ({})", x.name))
                            .unwrap_or_default()
                    ),
                    severity: "major",
                    site_id,
                    commitment_id: Some(v.family_id),
                    kpi_id: None,
                    theme: None,
                    evidence: Vec::new(),
                });
                f.evidence.push((
                    "period",
                    format!("{}:{}:{}", v.family_id, site_id.unwrap_or(0), p.period),
                    at,
                    serde_json::json!({
                        "period": p.period,
                        "total": s.tally.total,
                        "met": s.tally.met,
                        "unacceptable": s.tally.unacceptable,
                        "compliance_pct": s.compliance_pct,
                        "interval_pct": s.interval_pct,
                        "requirement_pct": v.requirement_pct,
                    })
                    .to_string(),
                ));
            }
        }
    }
    Ok(out.into_values().collect())
}

/// Published reviews at or under the organisation's star bound over the last 90 days, per site.
async fn reviews(c: &mut Conn, org_id: i64) -> Result<Vec<Finding>> {
    let s = store::quality::settings(c, org_id).await?;
    if s.review_max_stars <= 0 {
        return Ok(Vec::new());
    }
    let since = now_ms() - 90 * crate::domain::DAY_MS;
    let sites = store::org::list_sites(c, org_id).await?;
    let mut out: BTreeMap<i64, Finding> = BTreeMap::new();
    for (id, site, stars, at) in
        store::quality::low_reviews(c, org_id, s.review_max_stars, since).await?
    {
        let site = site.unwrap_or(0);
        let f = out.entry(site).or_insert_with(|| Finding {
            key: format!("review:{site}"),
            origin: Origin::Review,
            title: format!(
                "Avis clients à {} {} ou moins{}",
                s.review_max_stars,
                if s.review_max_stars > 1 {
                    "étoiles"
                } else {
                    "étoile"
                },
                sites
                    .iter()
                    .find(|x| x.id == site)
                    .map(|x| format!(" ({})", x.name))
                    .unwrap_or_default()
            ),
            severity: "minor",
            site_id: (site != 0).then_some(site),
            commitment_id: None,
            kpi_id: None,
            theme: None,
            evidence: Vec::new(),
        });
        f.evidence.push((
            "review",
            id.to_string(),
            at,
            serde_json::json!({ "review_id": id, "stars": stars }).to_string(),
        ));
    }
    Ok(out.into_values().collect())
}

/// Themes whose negative mentions of last month rose past the organisation's rule.
async fn irritants(c: &mut Conn, org_id: i64) -> Result<Vec<Finding>> {
    let s = store::quality::settings(c, org_id).await?;
    let last = Months::before(jiff::Zoned::now().date(), 1);
    let before = last.previous();
    let rows = store::quality::theme_negatives(c, org_id, &before.from_ym(), &last.to_ym()).await?;
    let mut by: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
    for (month, theme, n) in &rows {
        let e = by.entry(theme.as_str()).or_default();
        if *month == last.to_ym() {
            e.1 += n;
        } else {
            e.0 += n;
        }
    }
    let at = month_end(last);
    Ok(by
        .into_iter()
        .filter(|(_, (prev, cur))| {
            irritant_rising(*prev, *cur, s.irritant_min, s.irritant_growth_pct)
        })
        .map(|(theme, (prev, cur))| Finding {
            key: format!("irritant:{theme}"),
            origin: Origin::Irritant,
            title: format!("Irritant en hausse\u{a0}: {theme}"),
            severity: "minor",
            site_id: None,
            commitment_id: None,
            kpi_id: None,
            theme: Some(theme.to_string()),
            evidence: vec![(
                "theme",
                format!("{theme}:{}", last.to_ym()),
                at,
                serde_json::json!({ "month": last.to_ym(), "previous": prev, "negative": cur })
                    .to_string(),
            )],
        })
        .collect())
}

/// Fewest answers last month for a fall of the NPS or CES to count.
const TREND_MIN_ANSWERS: i64 = 30;

/// Sites and teams whose NPS or share of easy (CES) answers last month fell below the three
/// months before, beyond both intervals.
async fn voice_trends(c: &mut Conn, org_id: i64) -> Result<Vec<Finding>> {
    let last = Months::before(jiff::Zoned::now().date(), 1);
    let before = Months {
        from: last
            .from
            .checked_sub(jiff::Span::new().months(3))
            .unwrap_or(last.from),
        to: last
            .from
            .checked_sub(jiff::Span::new().months(1))
            .unwrap_or(last.from),
    };
    let sites = store::org::list_sites(c, org_id).await?;
    let teams = store::org::list_teams(c, org_id).await?;
    let mut out = Vec::new();
    for s in store::survey::surveys(c, org_id).await? {
        let (kind, label) = match s.kind.as_str() {
            "nps" => ("nps", "NPS"),
            "ces" => ("ces", "effort client (CES)"),
            _ => continue,
        };
        let rows =
            store::survey::tallies(c, s.id, &before.from_ym(), &last.to_ym(), &["site", "team"])
                .await?;
        let mut by: BTreeMap<(String, String), (Tally, Tally)> = BTreeMap::new();
        for r in &rows {
            let e = by.entry((r.dim.clone(), r.value.clone())).or_default();
            if r.month == last.to_ym() {
                e.0.add(&r.tally());
            } else {
                e.1.add(&r.tally());
            }
        }
        for ((dim, value), (now, then)) in by {
            // (figure, low, high, n) in points or percent.
            let measure = |t: &Tally| -> Option<(f64, f64, f64, i64)> {
                if kind == "nps" {
                    t.nps()
                        .map(|n| (n.score, n.score - n.margin, n.score + n.margin, n.n))
                } else {
                    t.ces_easy().and_then(|x| {
                        wilson(x.part, x.total)
                            .map(|(lo, hi)| (100.0 * x.ratio, 100.0 * lo, 100.0 * hi, x.total))
                    })
                }
            };
            let (Some(cur), Some(prev)) = (measure(&now), measure(&then)) else {
                continue;
            };
            if cur.3 < TREND_MIN_ANSWERS || !fell((cur.1, cur.2), (prev.1, prev.2)) {
                continue;
            }
            let id: i64 = value.parse().unwrap_or(0);
            let (name, site_id) = if dim == "site" {
                (
                    sites.iter().find(|x| x.id == id).map(|x| x.name.clone()),
                    Some(id),
                )
            } else {
                (
                    teams.iter().find(|x| x.id == id).map(|x| x.name.clone()),
                    None,
                )
            };
            out.push(Finding {
                key: format!("voice:{}:{dim}:{value}", s.id),
                origin: Origin::VoiceTrend,
                title: format!(
                    "Recul du {label}\u{a0}: {}{}",
                    s.name,
                    name.map(|n| format!(" ({n})")).unwrap_or_default()
                ),
                severity: "major",
                site_id,
                commitment_id: None,
                kpi_id: None,
                theme: None,
                evidence: vec![(
                    "voice",
                    format!("{}:{dim}:{value}:{}", s.id, last.to_ym()),
                    month_end(last),
                    serde_json::json!({
                        "month": last.to_ym(), "kind": kind,
                        "value": cur.0, "low": cur.1, "high": cur.2, "n": cur.3,
                        "before": prev.0, "before_low": prev.1, "before_high": prev.2,
                        "before_n": prev.3,
                    })
                    .to_string(),
                )],
            });
        }
    }
    Ok(out)
}

/// When a month's figure is known: its last moment (or now, were it still running).
fn month_end(m: Months) -> i64 {
    let next =
        m.to.checked_add(jiff::Span::new().months(1))
            .unwrap_or(m.to);
    let end = next
        .to_zoned(jiff::tz::TimeZone::UTC)
        .map_or(0, |z| z.timestamp().as_millisecond())
        - 1;
    end.min(now_ms())
}

/// Indicators whose last complete month is in the red.
async fn kpis(c: &mut Conn, org_id: i64) -> Result<Vec<Finding>> {
    let last = Months::before(jiff::Zoned::now().date(), 1);
    let targets = store::quality::targets(c, org_id, i64::from(last.from.year())).await?;
    let mut out = Vec::new();
    for k in store::quality::kpis(c, org_id).await? {
        let Some(t) = targets.iter().find(|t| t.kpi_id == k.id) else {
            continue;
        };
        let f = super::figure::compute(c, org_id, &Source::Kpi(k.id), None, last).await?;
        if rag_of(
            f.value,
            f.interval(),
            t.target,
            t.red_at,
            k.higher_is_better != 0,
        ) != Rag::Red
        {
            continue;
        }
        let at = month_end(last);
        out.push(Finding {
            key: format!("kpi:{}", k.id),
            origin: Origin::Kpi,
            title: format!("Indicateur dans le rouge\u{a0}: {}", k.name_fr),
            severity: "major",
            site_id: k.site_id,
            commitment_id: None,
            kpi_id: Some(k.id),
            theme: None,
            evidence: vec![(
                "kpi",
                format!("{}:{}", k.id, last.to_ym()),
                at,
                serde_json::json!({
                    "month": last.to_ym(), "value": f.value, "n": f.n,
                    "target": t.target, "red_at": t.red_at, "unit": k.unit,
                })
                .to_string(),
            )],
        });
    }
    Ok(out)
}
