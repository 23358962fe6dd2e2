//! What an unacceptable crossing sets off: a non-conformity on record, the compensation the
//! commitment promises (granted by the rule up to the organisation's limit, otherwise proposed
//! for approval), and an alert to whoever listens.

use super::model::{Active, Charter};
use crate::domain::commitment::Observation;
use crate::service::Result;
use crate::store::{self, Conn};

/// The role whose limit bounds what a commitment grants by itself.
pub const RULE_ROLE: &str = "rule";

/// Returns whether an alert was queued.
pub(super) async fn unacceptable(
    c: &mut Conn,
    charter: &Charter,
    a: &Active,
    o: &Observation,
    case_id: Option<i64>,
    customer_id: Option<i64>,
    now: i64,
) -> Result<bool> {
    let Some(nc) = store::charter::insert_nonconformity(
        c,
        charter.org_id,
        &store::charter::NewNonconformity {
            commitment_id: a.id,
            subject: &o.subject,
            site_id: o.site_id,
            case_id,
            customer_id,
            value_ms: o.value_ms,
            occurred_at: o.anchor_at,
        },
        now,
    )
    .await?
    else {
        return Ok(false);
    };
    let mut compensation = None;
    if let (Some(gesture), Some(cents), Some(customer)) = (
        a.row.compensation_gesture.as_deref(),
        a.row.compensation_cents,
        customer_id,
    ) {
        // Trust the customer by default: without a limit set, the rule grants.
        let limit = store::charter::limits(c, charter.org_id)
            .await?
            .into_iter()
            .find(|(role, _)| role == RULE_ROLE)
            .map(|(_, l)| l);
        let granted = limit.is_none_or(|l| cents <= l);
        let rule = format!("commitment:{}:v{}", a.row.family_id, a.row.version);
        let id = store::charter::insert_compensation(
            c,
            charter.org_id,
            &store::charter::NewCompensation {
                nonconformity_id: Some(nc),
                commitment_id: Some(a.id),
                case_id,
                customer_id: Some(customer),
                site_id: o.site_id,
                reason: &a.row.title_fr,
                gesture,
                amount_cents: cents,
                status: if granted { "granted" } else { "proposed" },
                decided_by_user: None,
                decided_by_rule: Some(&rule),
                decided_at: granted.then_some(now),
            },
            now,
        )
        .await?;
        compensation = Some((id, granted));
    }
    if let Some(url) = a.row.alert_webhook.as_deref() {
        let payload = serde_json::json!({
            "event": "commitment.unacceptable",
            "organization_id": charter.org_id,
            "commitment": { "id": a.id, "family_id": a.row.family_id, "version": a.row.version, "title": a.row.title_fr },
            "nonconformity_id": nc,
            "subject": o.subject,
            "site_id": o.site_id,
            "case_id": case_id,
            "customer_id": customer_id,
            "value_ms": o.value_ms,
            "unacceptable_ms": a.rule.unacceptable_ms,
            "occurred_at": crate::service::iso(o.anchor_at),
            "compensation": compensation.map(|(id, granted)| serde_json::json!({
                "id": id, "status": if granted { "granted" } else { "proposed" }
            })),
        });
        store::charter::enqueue_alert(c, charter.org_id, url, &payload.to_string(), now).await?;
        return Ok(true);
    }
    Ok(false)
}
