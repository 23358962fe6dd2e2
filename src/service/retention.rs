//! Retention rules: each organisation says how long each kind of data is kept (no rule: kept);
//! a dry run says what would go now; the job queue applies the rules every hour and each run's
//! report is kept.

use super::{Actor, Error, Result, now_ms};
use crate::store::{self, Store};
use serde::{Deserialize, Serialize};

pub use store::retention::KINDS;

/// A kind's rule and what it would remove now.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RuleView {
    pub kind: String,
    /// Months kept; none: kept without limit.
    pub months: Option<i64>,
    /// What applying the rule now would remove (rows, or customers for `inactive_customer`).
    pub would_go: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Retention {
    pub rules: Vec<RuleView>,
    /// The last run: when (RFC 3339) and what it removed per kind.
    pub last_run_at: Option<String>,
    pub last_run: Option<serde_json::Value>,
}

/// The moment `months` calendar months before `now`.
fn cutoff(now: i64, months: i64) -> i64 {
    let t = jiff::Timestamp::from_millisecond(now).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    t.to_zoned(jiff::tz::TimeZone::UTC)
        .checked_sub(jiff::Span::new().months(months))
        .map_or(0, |z| z.timestamp().as_millisecond())
}

/// The organisation's rules with their dry run (administrators).
pub async fn get(store: &Store, actor: &Actor) -> Result<Retention> {
    actor.require(actor.role.can_administer())?;
    let now = now_ms();
    let mut c = store.reader().await?;
    let set = store::retention::rules(&mut c, actor.org_id).await?;
    let mut rules = Vec::new();
    for kind in KINDS {
        let months = set.iter().find(|(k, _)| k == kind).map(|(_, m)| *m);
        let would_go = match months {
            Some(m) => {
                store::retention::would_go(&mut c, actor.org_id, kind, cutoff(now, m)).await?
            }
            None => 0,
        };
        rules.push(RuleView {
            kind: kind.to_string(),
            months,
            would_go,
        });
    }
    let last = store::retention::last_run(&mut c, actor.org_id).await?;
    Ok(Retention {
        rules,
        last_run_at: last.as_ref().map(|(at, _)| super::iso(*at)),
        last_run: last.and_then(|(_, r)| serde_json::from_str(&r).ok()),
    })
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleInput {
    pub kind: String,
    /// 1–1200 months (12 at least for `read_log` and `staff_log`); null removes the rule.
    pub months: Option<i64>,
}

pub async fn put(store: &Store, actor: &Actor, rules: &[RuleInput]) -> Result<Retention> {
    actor.require(actor.role.can_administer())?;
    let mut checks = super::Checks::default();
    for (i, r) in rules.iter().enumerate() {
        if !KINDS.contains(&r.kind.as_str()) {
            checks.refuse(
                &format!("[{i}].kind"),
                "invalid_kind",
                format!("one of {}", KINDS.join(", ")),
            );
        }
        // The logs of who did and read what are kept a year at least: an administrator could
        // otherwise wipe the trail of their own reads.
        let least = if matches!(r.kind.as_str(), "read_log" | "staff_log") {
            12
        } else {
            1
        };
        if r.months.is_some_and(|m| !(least..=1200).contains(&m)) {
            checks.refuse(
                &format!("[{i}].months"),
                "out_of_range",
                format!("from {least} to 1200 months"),
            );
        }
    }
    checks.finish()?;
    let now = now_ms();
    let mut tx = store.begin().await?;
    for r in rules {
        store::retention::put_rule(&mut tx, actor.org_id, &r.kind, r.months, now).await?;
    }
    store::org::audit(
        &mut tx,
        actor.org_id,
        Some(actor.user_id),
        now,
        "retention_rules",
        "",
        &rules
            .iter()
            .map(|r| format!("{}={:?}", r.kind, r.months))
            .collect::<Vec<_>>()
            .join(" "),
    )
    .await?;
    tx.commit().await?;
    get(store, actor).await
}

/// Applies one organisation's rules now; the report (kind → rows) is kept and returned.
pub async fn apply(store: &Store, org_id: i64) -> Result<serde_json::Value> {
    let now = now_ms();
    let mut tx = store.begin().await?;
    let rules = store::retention::rules(&mut tx, org_id).await?;
    if rules.is_empty() {
        return Ok(serde_json::json!({}));
    }
    let empty = store::email::empty_blob(&mut tx, now).await?;
    let mut report = serde_json::Map::new();
    for kind in KINDS {
        if let Some((_, months)) = rules.iter().find(|(k, _)| k == kind) {
            let n =
                store::retention::apply(&mut tx, org_id, kind, cutoff(now, *months), &empty, now)
                    .await?;
            report.insert(kind.to_string(), n.into());
        }
    }
    let report = serde_json::Value::Object(report);
    store::retention::record_run(&mut tx, org_id, now, &report.to_string()).await?;
    tx.commit().await?;
    Ok(report)
}

/// An administrator runs the rules at once (rather than waiting for the hourly run).
pub async fn run_now(store: &Store, actor: &Actor) -> Result<serde_json::Value> {
    actor.require(actor.role.can_administer())?;
    apply(store, actor.org_id).await
}

/// The job: every organisation with rules.
pub async fn run_all(store: &Store) -> Result<usize> {
    let orgs = {
        let mut c = store.reader().await?;
        store::retention::orgs_with_rules(&mut c).await?
    };
    // One organisation that fails does not hold back the others.
    let mut failed = Vec::new();
    for org in &orgs {
        if let Err(e) = apply(store, *org).await {
            tracing::warn!(org, "retention run failed: {e}");
            failed.push(org.to_string());
        }
    }
    if failed.is_empty() {
        Ok(orgs.len())
    } else {
        Err(Error::Internal(format!(
            "retention failed for organisation(s) {}",
            failed.join(", ")
        )))
    }
}
