//! The charter of commitments: defining (SMART on save, versioned once published), backtesting
//! on past data, publishing, reading results (kept incrementally by `evaluate`), and the
//! public charter.

pub mod alerts;
pub mod compensation;
pub mod consequences;
pub mod evaluate;
pub mod model;
mod public;

pub use model::Charter;
pub use public::{PublicCharter, PublicItem, public_charter};

use super::{Actor, Checks, Error, Result, now_ms};
use crate::domain::Invalid;
use crate::domain::case::CaseKind;
use crate::domain::channel::Channel;
use crate::domain::commitment::{CaseFacts, Metric, Period, Rule, Scope, Status, Tally, WaitFacts};
use crate::store::{self, Store};
use jiff::civil::Date;
use model::{rule_of, split};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// More than this and a charter stops being read.
pub const ADVISED_MAX: usize = 10;

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommitmentInput {
    pub title_fr: String,
    pub title_en: String,
    /// The public promise, in the customer's words.
    pub wording_fr: String,
    pub wording_en: String,
    /// first_response, resolution, counter_wait, phone_answer, chat_answer, once_and_done
    pub metric: String,
    pub channels: Vec<String>,
    /// Site codes; empty: every site.
    #[serde(default)]
    pub sites: Vec<String>,
    /// request, complaint, incident; empty: every kind.
    #[serde(default)]
    pub kinds: Vec<String>,
    #[serde(default)]
    pub categories: Vec<String>,
    pub nominal_minutes: Option<i64>,
    /// Share of contacts that must meet the nominal, in percent (e.g. 85).
    pub requirement_pct: f64,
    pub unacceptable_minutes: Option<i64>,
    #[serde(default)]
    pub business_time: bool,
    #[serde(default)]
    pub exclude_pending: bool,
    /// week, month, quarter
    pub period: String,
    pub compensation_gesture: Option<String>,
    pub compensation_cents: Option<i64>,
    /// Called (POST, JSON) on every unacceptable crossing.
    pub alert_webhook: Option<String>,
    #[serde(default)]
    pub position: Option<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CommitmentView {
    pub id: i64,
    pub family_id: i64,
    pub version: i64,
    /// draft, published, retired
    pub status: String,
    pub position: i64,
    pub title_fr: String,
    pub title_en: String,
    pub wording_fr: String,
    pub wording_en: String,
    pub metric: String,
    pub channels: Vec<String>,
    pub sites: Vec<String>,
    pub kinds: Vec<String>,
    pub categories: Vec<String>,
    pub nominal_minutes: Option<i64>,
    pub requirement_pct: f64,
    pub unacceptable_minutes: Option<i64>,
    pub business_time: bool,
    pub exclude_pending: bool,
    pub period: String,
    pub compensation_gesture: Option<String>,
    pub compensation_cents: Option<i64>,
    pub alert_webhook: Option<String>,
    pub backtested_at: Option<String>,
    pub published_at: Option<String>,
    pub retired_at: Option<String>,
    /// Advice that does not block saving (e.g. a charter grown too long).
    pub warnings: Vec<String>,
}

const MIN_MS: i64 = 60_000;

fn view(
    c: &store::charter::Commitment,
    sites: &[store::org::Site],
    warnings: Vec<String>,
) -> CommitmentView {
    let iso = |t: Option<i64>| t.map(super::case::iso);
    CommitmentView {
        id: c.id,
        family_id: c.family_id,
        version: c.version,
        status: c.status.clone(),
        position: c.position,
        title_fr: c.title_fr.clone(),
        title_en: c.title_en.clone(),
        wording_fr: c.wording_fr.clone(),
        wording_en: c.wording_en.clone(),
        metric: c.metric.clone(),
        channels: split(&c.channels).map(String::from).collect(),
        sites: split(&c.site_ids)
            .filter_map(|id| sites.iter().find(|s| s.id.to_string() == id))
            .map(|s| s.code.clone())
            .collect(),
        kinds: split(&c.kinds).map(String::from).collect(),
        categories: split(&c.categories).map(String::from).collect(),
        nominal_minutes: c.nominal_ms.map(|v| v / MIN_MS),
        requirement_pct: c.requirement_bp as f64 / 100.0,
        unacceptable_minutes: c.unacceptable_ms.map(|v| v / MIN_MS),
        business_time: c.business_time != 0,
        exclude_pending: c.exclude_pending != 0,
        period: c.period.clone(),
        compensation_gesture: c.compensation_gesture.clone(),
        compensation_cents: c.compensation_cents,
        alert_webhook: c.alert_webhook.clone(),
        backtested_at: iso(c.backtested_at),
        published_at: iso(c.published_at),
        retired_at: iso(c.retired_at),
        warnings,
    }
}

/// A validated definition, ready to store.
struct Checked {
    rule: Rule,
    input: CommitmentInput,
}

fn text_field(checks: &mut Checks, field: &str, v: &str, max: usize) {
    if v.trim().is_empty() {
        checks.refuse(field, "required", "this text is required");
    } else if v.chars().count() > max {
        checks.refuse(field, "too_long", format!("at most {max} characters"));
    }
}

async fn check(c: &mut store::Conn, org_id: i64, input: &CommitmentInput) -> Result<Checked> {
    let mut checks = Checks::default();
    text_field(&mut checks, "title_fr", &input.title_fr, 120);
    text_field(&mut checks, "title_en", &input.title_en, 120);
    text_field(&mut checks, "wording_fr", &input.wording_fr, 400);
    text_field(&mut checks, "wording_en", &input.wording_en, 400);
    let metric = checks.check("metric", Metric::parse(&input.metric));
    let period = checks.check("period", Period::parse(&input.period));
    let mut scope = Scope::default();
    for ch in &input.channels {
        if let Some(ch) = checks.check("channels", Channel::parse(ch))
            && !scope.channels.contains(&ch)
        {
            scope.channels.push(ch);
        }
    }
    for k in &input.kinds {
        if let Some(k) = checks.check("kinds", CaseKind::parse(k))
            && !scope.kinds.contains(&k)
        {
            scope.kinds.push(k);
        }
    }
    let sites = store::org::list_sites(c, org_id).await?;
    for code in &input.sites {
        match sites.iter().find(|s| s.code == code.trim()) {
            Some(s) if !scope.site_ids.contains(&s.id) => scope.site_ids.push(s.id),
            Some(_) => {}
            None => checks.refuse(
                "sites",
                "unknown_site",
                format!("no site has the code «{code}»"),
            ),
        }
    }
    scope.categories = input
        .categories
        .iter()
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty())
        .collect();
    for (field, v) in [
        ("nominal_minutes", input.nominal_minutes),
        ("unacceptable_minutes", input.unacceptable_minutes),
    ] {
        if v.is_some_and(|m| !(1..=525_600).contains(&m)) {
            checks.refuse(field, "out_of_range", "between 1 minute and a year");
        }
    }
    if !input.requirement_pct.is_finite() {
        checks.refuse(
            "requirement_pct",
            "out_of_range",
            "a share between 0 and 100 %",
        );
    }
    match (&input.compensation_gesture, input.compensation_cents) {
        (Some(g), Some(cents)) if !g.trim().is_empty() => {
            if !(0..=10_000_000).contains(&cents) {
                checks.refuse(
                    "compensation_cents",
                    "out_of_range",
                    "between 0 and 100,000 €",
                );
            }
        }
        (None, None) => {}
        (Some(g), None) if g.trim().is_empty() => {}
        _ => checks.refuse(
            "compensation_cents",
            "incomplete",
            "a compensation needs both its gesture and its amount",
        ),
    }
    if let Some(url) = input
        .alert_webhook
        .as_deref()
        .filter(|u| !u.trim().is_empty())
        && !(url.starts_with("http://") || url.starts_with("https://"))
    {
        checks.refuse(
            "alert_webhook",
            "invalid_url",
            "an http:// or https:// address",
        );
    }
    if let (Some(metric), Some(period)) = (metric, period) {
        let rule = Rule {
            metric,
            scope,
            nominal_ms: input.nominal_minutes.map(|m| m * MIN_MS),
            requirement_bp: (input.requirement_pct * 100.0).round() as i64,
            unacceptable_ms: input.unacceptable_minutes.map(|m| m * MIN_MS),
            business_time: input.business_time,
            exclude_pending: input.exclude_pending,
            period,
        };
        for (field, problem) in rule.problems() {
            checks.check::<()>(field, Err(problem));
        }
        checks.finish()?;
        return Ok(Checked {
            rule,
            input: input.clone(),
        });
    }
    checks.finish()?;
    Err(Error::Internal(
        "unreachable: metric and period checked".into(),
    ))
}

fn join<T: ToString>(items: impl IntoIterator<Item = T>) -> String {
    items
        .into_iter()
        .map(|x| x.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

/// Stores a checked definition as a new draft (or a new version of `family`).
async fn insert_checked(
    c: &mut store::Conn,
    actor_org: i64,
    family: Option<(i64, i64)>,
    k: &Checked,
    position: i64,
    by: Option<i64>,
    now: i64,
) -> Result<i64> {
    let (channels, site_ids, kinds, categories) = stored_scope(&k.rule.scope);
    let i = &k.input;
    let gesture = i
        .compensation_gesture
        .as_deref()
        .map(str::trim)
        .filter(|g| !g.is_empty());
    let def = store::charter::Definition {
        position,
        title_fr: i.title_fr.trim(),
        title_en: i.title_en.trim(),
        wording_fr: i.wording_fr.trim(),
        wording_en: i.wording_en.trim(),
        metric: k.rule.metric.as_str(),
        channels: &channels,
        site_ids: &site_ids,
        kinds: &kinds,
        categories: &categories,
        nominal_ms: k.rule.nominal_ms,
        requirement_bp: k.rule.requirement_bp,
        unacceptable_ms: k.rule.unacceptable_ms,
        business_time: k.rule.business_time,
        exclude_pending: k.rule.exclude_pending,
        period: k.rule.period.as_str(),
        compensation_gesture: gesture,
        compensation_cents: gesture.and(i.compensation_cents),
        alert_webhook: i
            .alert_webhook
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty()),
    };
    Ok(store::charter::insert(c, actor_org, family, &def, by, now).await?)
}

fn stored_scope(s: &Scope) -> (String, String, String, String) {
    (
        join(s.channels.iter()),
        join(s.site_ids.iter()),
        join(s.kinds.iter()),
        join(s.categories.iter()),
    )
}

async fn warnings(c: &mut store::Conn, org_id: i64) -> Result<Vec<String>> {
    let families: std::collections::HashSet<i64> = store::charter::list(c, org_id)
        .await?
        .into_iter()
        .filter(|x| x.status != "retired")
        .map(|x| x.family_id)
        .collect();
    Ok(if families.len() > ADVISED_MAX {
        vec![format!(
            "the charter has {} commitments; above {ADVISED_MAX} it is no longer read",
            families.len()
        )]
    } else {
        Vec::new()
    })
}

/// Creates a draft commitment.
pub async fn create(
    store: &Store,
    actor: &Actor,
    input: &CommitmentInput,
) -> Result<CommitmentView> {
    actor.require(actor.role.can_define_charter())?;
    create_unchecked(store, actor.org_id, Some(actor.user_id), input).await
}

/// For the demo and the CLI.
pub async fn create_unchecked(
    store: &Store,
    org_id: i64,
    by: Option<i64>,
    input: &CommitmentInput,
) -> Result<CommitmentView> {
    let now = now_ms();
    let mut tx = store.begin().await?;
    let k = check(&mut tx, org_id, input).await?;
    let position = input.position.unwrap_or(now / 1000);
    let id = insert_checked(&mut tx, org_id, None, &k, position, by, now).await?;
    let row = store::charter::by_id(&mut tx, org_id, id)
        .await?
        .ok_or(Error::NotFound("commitment"))?;
    let sites = store::org::list_sites(&mut tx, org_id).await?;
    let w = warnings(&mut tx, org_id).await?;
    tx.commit().await?;
    Ok(view(&row, &sites, w))
}

/// Edits a draft in place; editing a published commitment drafts its next version (the
/// published one stays in force until that one is published).
pub async fn update(
    store: &Store,
    actor: &Actor,
    id: i64,
    input: &CommitmentInput,
) -> Result<CommitmentView> {
    actor.require(actor.role.can_define_charter())?;
    let now = now_ms();
    let mut tx = store.begin().await?;
    let current = store::charter::by_id(&mut tx, actor.org_id, id)
        .await?
        .ok_or(Error::NotFound("commitment"))?;
    let k = check(&mut tx, actor.org_id, input).await?;
    let position = input.position.unwrap_or(current.position);
    let target = match current.status.as_str() {
        "draft" => {
            let (channels, site_ids, kinds, categories) = stored_scope(&k.rule.scope);
            let i = &k.input;
            let gesture = i
                .compensation_gesture
                .as_deref()
                .map(str::trim)
                .filter(|g| !g.is_empty());
            let def = store::charter::Definition {
                position,
                title_fr: i.title_fr.trim(),
                title_en: i.title_en.trim(),
                wording_fr: i.wording_fr.trim(),
                wording_en: i.wording_en.trim(),
                metric: k.rule.metric.as_str(),
                channels: &channels,
                site_ids: &site_ids,
                kinds: &kinds,
                categories: &categories,
                nominal_ms: k.rule.nominal_ms,
                requirement_bp: k.rule.requirement_bp,
                unacceptable_ms: k.rule.unacceptable_ms,
                business_time: k.rule.business_time,
                exclude_pending: k.rule.exclude_pending,
                period: k.rule.period.as_str(),
                compensation_gesture: gesture,
                compensation_cents: gesture.and(i.compensation_cents),
                alert_webhook: i
                    .alert_webhook
                    .as_deref()
                    .map(str::trim)
                    .filter(|u| !u.is_empty()),
            };
            store::charter::update_draft(&mut tx, id, &def).await?;
            id
        }
        "published" => {
            let versions = store::charter::list(&mut tx, actor.org_id).await?;
            if let Some(d) = versions
                .iter()
                .find(|v| v.family_id == current.family_id && v.status == "draft")
            {
                return Err(Error::Conflict {
                    code: "draft_exists",
                    message: format!(
                        "version {} of this commitment is already being drafted (id {})",
                        d.version, d.id
                    ),
                });
            }
            let next = versions
                .iter()
                .filter(|v| v.family_id == current.family_id)
                .map(|v| v.version)
                .max()
                .unwrap_or(current.version)
                + 1;
            insert_checked(
                &mut tx,
                actor.org_id,
                Some((current.family_id, next)),
                &k,
                position,
                Some(actor.user_id),
                now,
            )
            .await?
        }
        _ => {
            return Err(Error::Conflict {
                code: "retired",
                message: "a retired version is kept as it was measured; edit the current one"
                    .into(),
            });
        }
    };
    store::org::audit(
        &mut tx,
        actor.org_id,
        Some(actor.user_id),
        now,
        "commitment.update",
        &format!("commitment:{target}"),
        "",
    )
    .await?;
    let row = store::charter::by_id(&mut tx, actor.org_id, target)
        .await?
        .ok_or(Error::NotFound("commitment"))?;
    let sites = store::org::list_sites(&mut tx, actor.org_id).await?;
    let w = warnings(&mut tx, actor.org_id).await?;
    tx.commit().await?;
    Ok(view(&row, &sites, w))
}

pub async fn get(store: &Store, actor: &Actor, id: i64) -> Result<CommitmentView> {
    actor.require(actor.role.can_read_charter())?;
    let mut c = store.reader().await?;
    let row = store::charter::by_id(&mut c, actor.org_id, id)
        .await?
        .ok_or(Error::NotFound("commitment"))?;
    let sites = store::org::list_sites(&mut c, actor.org_id).await?;
    Ok(view(&row, &sites, Vec::new()))
}

/// Every version of every commitment, in charter order.
pub async fn list(store: &Store, actor: &Actor) -> Result<Vec<CommitmentView>> {
    actor.require(actor.role.can_read_charter())?;
    let mut c = store.reader().await?;
    let sites = store::org::list_sites(&mut c, actor.org_id).await?;
    let w = warnings(&mut c, actor.org_id).await?;
    Ok(store::charter::list(&mut c, actor.org_id)
        .await?
        .iter()
        .map(|r| view(r, &sites, w.clone()))
        .collect())
}

/// Publishes a backtested draft: from now on, contacts are measured by it; the version it
/// replaces is retired and keeps its results.
pub async fn publish(store: &Store, actor: &Actor, id: i64) -> Result<CommitmentView> {
    actor.require(actor.role.can_define_charter())?;
    publish_at(store, actor.org_id, Some(actor.user_id), id, now_ms(), true).await
}

/// Publication with its effective instant (the demo's charter is in force over its history).
pub async fn publish_at(
    store: &Store,
    org_id: i64,
    by: Option<i64>,
    id: i64,
    at: i64,
    require_backtest: bool,
) -> Result<CommitmentView> {
    let mut tx = store.begin().await?;
    let row = store::charter::by_id(&mut tx, org_id, id)
        .await?
        .ok_or(Error::NotFound("commitment"))?;
    if row.status != "draft" {
        return Err(Error::Conflict {
            code: "not_a_draft",
            message: format!(
                "this version is {}; only a draft can be published",
                row.status
            ),
        });
    }
    if require_backtest && row.backtested_at.is_none() {
        return Err(Error::Conflict {
            code: "backtest_required",
            message:
                "run a backtest on past data before publishing: promise only what you can keep"
                    .into(),
        });
    }
    let rule = rule_of(&row)?;
    let all = store::charter::list(&mut tx, org_id).await?;
    for other in all
        .iter()
        .filter(|o| o.status == "published" && o.family_id != row.family_id)
    {
        let o = rule_of(other)?;
        if o.metric == rule.metric && o.scope.overlaps(&rule.scope) {
            return Err(Error::invalid(
                "channels",
                Invalid::new(
                    "scope_overlap",
                    format!(
                        "«{}» already measures {} on part of this scope; narrow one of them",
                        other.title_fr, rule.metric
                    ),
                ),
            ));
        }
    }
    for old in all
        .iter()
        .filter(|o| o.status == "published" && o.family_id == row.family_id)
    {
        store::charter::retire(&mut tx, old.id, at).await?;
    }
    store::charter::publish(&mut tx, id, at).await?;
    store::org::audit(
        &mut tx,
        org_id,
        by,
        now_ms(),
        "commitment.publish",
        &format!("commitment:{id}"),
        "",
    )
    .await?;
    let row = store::charter::by_id(&mut tx, org_id, id)
        .await?
        .ok_or(Error::NotFound("commitment"))?;
    let sites = store::org::list_sites(&mut tx, org_id).await?;
    tx.commit().await?;
    Ok(view(&row, &sites, Vec::new()))
}

/// A period's counts per site (0: contacts tied to no site) and in all.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PeriodResult {
    /// First day of the period (YYYY-MM-DD).
    pub period: String,
    pub all: Tally,
    pub compliance_pct: Option<f64>,
    pub status: Status,
    pub sites: Vec<SiteTally>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SiteTally {
    pub site: Option<String>,
    pub tally: Tally,
    pub compliance_pct: Option<f64>,
    pub status: Status,
}

fn period_results(
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
                        status: t.status(requirement_bp, over),
                    }
                })
                .collect();
            PeriodResult {
                period: p,
                compliance_pct: all.compliance_pct(),
                status: all.status(requirement_bp, over),
                all,
                sites,
            }
        })
        .collect()
}

fn today_in(tz: &jiff::tz::TimeZone) -> Date {
    jiff::Timestamp::now().to_zoned(tz.clone()).date()
}

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
        to: super::case::iso(now),
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
    for (site, i, total, met, unacceptable) in aggregated(&mut c, org_id, rule, periods, to).await?
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
    let from = periods.first().copied().unwrap_or(0);
    let scope = scan_strings(rule);
    let scan = store::charter::CaseScan {
        org_id,
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
                let s = evaluate::CaseState::of_row(&r);
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
) -> Result<store::charter::Buckets> {
    let scope = scan_strings(rule);
    let scan = store::charter::CaseScan {
        org_id,
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

/// Open cases nearest to (or past) a commitment's bound, soonest first.
pub async fn at_risk(store: &Store, actor: &Actor, limit: usize) -> Result<Vec<AtRisk>> {
    let mut c = store.reader().await?;
    let charter = Charter::load(&mut c, actor.org_id).await?;
    let rows = store::charter::open_cases(&mut c, actor.org_id, 2000).await?;
    let now = now_ms();
    let mut out = Vec::new();
    for r in &rows {
        let s = evaluate::CaseState::of_row(r);
        for (a, deadline) in deadlines_of(&charter, &s) {
            out.push(AtRisk {
                case_id: r.id,
                case_number: r.number,
                subject: r.subject.clone(),
                commitment_id: a,
                commitment: charter
                    .active
                    .iter()
                    .find(|x| x.id == a)
                    .map(|x| x.row.title_fr.clone())
                    .unwrap_or_default(),
                deadline: super::case::iso(deadline),
                deadline_ms: deadline,
                remaining_minutes: (deadline - now).div_euclid(MIN_MS),
            });
        }
    }
    out.sort_by_key(|x| x.deadline_ms);
    out.truncate(limit);
    Ok(out)
}

/// The commitments running on an open case, with when each will be crossed.
pub fn deadlines_of(charter: &Charter, s: &evaluate::CaseState) -> Vec<(i64, i64)> {
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

/// The soonest commitment deadline of each listed open case (the inbox timer).
pub async fn inbox_deadlines(
    store: &Store,
    org_id: i64,
    cases: &[store::case::Case],
) -> Result<std::collections::HashMap<i64, i64>> {
    let mut c = store.reader().await?;
    let charter = Charter::load(&mut c, org_id).await?;
    Ok(cases
        .iter()
        .filter_map(|k| {
            let s = evaluate::CaseState::of(k);
            deadlines_of(&charter, &s)
                .into_iter()
                .map(|(_, d)| d)
                .min()
                .map(|d| (k.id, d))
        })
        .collect())
}
