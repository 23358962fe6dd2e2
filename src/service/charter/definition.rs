//! Defining commitments: SMART checks on save, drafts and versions, publication.

use super::model::{rule_of, split};
use crate::domain::Invalid;
use crate::domain::case::CaseKind;
use crate::domain::channel::Channel;
use crate::domain::commitment::{Metric, Period, Rule, Scope};
use crate::service::{Actor, Checks, Error, Result, now_ms};
use crate::store::{self, Store};
use serde::{Deserialize, Serialize};

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

pub(super) const MIN_MS: i64 = 60_000;

pub(super) fn view(
    c: &store::charter::Commitment,
    sites: &[store::org::Site],
    warnings: Vec<String>,
) -> CommitmentView {
    let iso = |t: Option<i64>| t.map(crate::service::iso);
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

/// The columns of a checked definition; `scope` comes from `stored_scope`.
fn definition<'a>(
    k: &'a Checked,
    scope: &'a (String, String, String, String),
    position: i64,
) -> store::charter::Definition<'a> {
    let i = &k.input;
    let gesture = i
        .compensation_gesture
        .as_deref()
        .map(str::trim)
        .filter(|g| !g.is_empty());
    store::charter::Definition {
        position,
        title_fr: i.title_fr.trim(),
        title_en: i.title_en.trim(),
        wording_fr: i.wording_fr.trim(),
        wording_en: i.wording_en.trim(),
        metric: k.rule.metric.as_str(),
        channels: &scope.0,
        site_ids: &scope.1,
        kinds: &scope.2,
        categories: &scope.3,
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
    }
}

/// Stores a checked definition as a new draft (or a new version of `family`).
async fn insert_checked(
    c: &mut store::Conn,
    org_id: i64,
    family: Option<(i64, i64)>,
    k: &Checked,
    position: i64,
    by: Option<i64>,
    now: i64,
) -> Result<i64> {
    let scope = stored_scope(&k.rule.scope);
    let def = definition(k, &scope, position);
    Ok(store::charter::insert(c, org_id, family, &def, by, now).await?)
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
            let scope = stored_scope(&k.rule.scope);
            let def = definition(&k, &scope, position);
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
    super::results::refresh_due(&mut tx, org_id).await?;
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
