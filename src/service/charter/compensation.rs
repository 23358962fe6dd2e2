//! The compensation ledger: gestures granted by a commitment's rule or proposed for approval,
//! decided by someone whose role allows the amount; non-conformities behind them.

use super::consequences::RULE_ROLE;
use crate::domain::Invalid;
use crate::domain::role::Role;
use crate::service::{Actor, Error, Result, now_ms};
use crate::store::{self, Store};

pub use store::charter::{Compensation, Nonconformity};

/// What the demo lets a commitment grant by itself (15 €).
pub const RULE_ROLE_LIMIT: (&str, i64) = (RULE_ROLE, 1_500);

pub async fn list(
    store: &Store,
    actor: &Actor,
    status: Option<&str>,
    limit: i64,
) -> Result<Vec<Compensation>> {
    actor.require(actor.role.can_read_charter())?;
    if let Some(s) = status
        && !["granted", "proposed", "refused"].contains(&s)
    {
        return Err(Error::invalid(
            "status",
            Invalid::new("invalid_status", "granted, proposed or refused"),
        ));
    }
    let mut c = store.reader().await?;
    Ok(
        store::charter::compensations(&mut c, actor.org_id, status, limit.clamp(1, 100_000))
            .await?,
    )
}

/// Grants or refuses a proposed gesture; the amount must be within the actor's role limit.
pub async fn decide(store: &Store, actor: &Actor, id: i64, grant: bool) -> Result<Compensation> {
    actor.require(actor.role.can_read_charter())?;
    let now = now_ms();
    let mut tx = store.begin().await?;
    let m = store::charter::compensation(&mut tx, actor.org_id, id)
        .await?
        .ok_or(Error::NotFound("compensation"))?;
    if grant && actor.role != Role::Admin {
        let limit = store::charter::limits(&mut tx, actor.org_id)
            .await?
            .into_iter()
            .find(|(r, _)| r == actor.role.as_str())
            .map_or(0, |(_, l)| l);
        if m.amount_cents > limit {
            return Err(Error::Forbidden);
        }
    }
    let status = if grant { "granted" } else { "refused" };
    if !store::charter::decide_compensation(&mut tx, actor.org_id, id, status, actor.user_id, now)
        .await?
    {
        return Err(Error::Conflict {
            code: "already_decided",
            message: format!("this compensation is already {}", m.status),
        });
    }
    store::org::audit(
        &mut tx,
        actor.org_id,
        Some(actor.user_id),
        now,
        "compensation.decide",
        &format!("compensation:{id}"),
        status,
    )
    .await?;
    let m = store::charter::compensation(&mut tx, actor.org_id, id)
        .await?
        .ok_or(Error::NotFound("compensation"))?;
    tx.commit().await?;
    Ok(m)
}

/// The ledger as CSV (UTF-8, comma-separated, amounts in euros with a dot).
pub async fn csv(store: &Store, actor: &Actor) -> Result<String> {
    let rows = list(store, actor, None, 100_000).await?;
    let mut w = csv::Writer::from_writer(Vec::new());
    let err = |e: csv::Error| Error::Internal(e.to_string());
    w.write_record([
        "id",
        "created_at",
        "case_number",
        "customer",
        "reason",
        "gesture",
        "amount_eur",
        "status",
        "decided_by",
        "decided_at",
    ])
    .map_err(err)?;
    for m in rows {
        let decided_by = m
            .decided_by_name
            .clone()
            .or(m.decided_by_rule.clone())
            .unwrap_or_default();
        w.write_record([
            m.id.to_string(),
            crate::service::iso(m.created_at),
            m.case_number.map(|n| n.to_string()).unwrap_or_default(),
            m.customer_name.clone().unwrap_or_default(),
            m.reason.clone(),
            m.gesture.clone(),
            format!("{}.{:02}", m.amount_cents / 100, m.amount_cents % 100),
            m.status.clone(),
            decided_by,
            m.decided_at.map(crate::service::iso).unwrap_or_default(),
        ])
        .map_err(err)?;
    }
    String::from_utf8(w.into_inner().map_err(|e| Error::Internal(e.to_string()))?)
        .map_err(|e| Error::Internal(e.to_string()))
}

/// Sets how much a role (or the commitments' own rule) may grant.
pub async fn set_limit(store: &Store, actor: &Actor, role: &str, cents: i64) -> Result<()> {
    actor.require(actor.role.can_administer())?;
    set_limit_unchecked(store, actor.org_id, role, cents).await
}

pub async fn set_limit_unchecked(store: &Store, org_id: i64, role: &str, cents: i64) -> Result<()> {
    if role != RULE_ROLE && Role::parse(role).is_err() {
        return Err(Error::invalid(
            "role",
            Invalid::new("invalid_role", "a role, or «rule»"),
        ));
    }
    if !(0..=10_000_000).contains(&cents) {
        return Err(Error::invalid(
            "limit_cents",
            Invalid::new("out_of_range", "between 0 and 100,000 €"),
        ));
    }
    let mut tx = store.begin().await?;
    store::charter::set_limit(&mut tx, org_id, role, cents).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn limits(store: &Store, actor: &Actor) -> Result<Vec<(String, i64)>> {
    actor.require(actor.role.can_read_charter())?;
    let mut c = store.reader().await?;
    Ok(store::charter::limits(&mut c, actor.org_id).await?)
}

pub async fn nonconformities(
    store: &Store,
    actor: &Actor,
    limit: i64,
) -> Result<Vec<Nonconformity>> {
    actor.require(actor.role.can_read_charter())?;
    let mut c = store.reader().await?;
    Ok(store::charter::nonconformities(&mut c, actor.org_id, limit.clamp(1, 1000)).await?)
}

/// (granted count, granted cents, proposed count) since an instant, for the dashboard.
pub async fn totals(store: &Store, actor: &Actor, since: i64) -> Result<(i64, i64, i64)> {
    actor.require(actor.role.can_read_charter())?;
    let mut c = store.reader().await?;
    Ok(store::charter::compensation_totals(&mut c, actor.org_id, since).await?)
}
