//! Which surveys a change schedules: a case turning solved schedules the post-case surveys on its
//! channel, a served counter visit the visit surveys, each after the survey's delay. History
//! (imports, demo) is never surveyed. A case answered about meanwhile (Pacte's chat asks in its
//! widget as it closes) is skipped when the invitation falls due (`survey::trigger`).

use crate::domain::DAY_MS;
use crate::domain::case::{CaseState, CaseStatus};
use crate::service::Result;
use crate::store::{self, Conn};

/// Cases solved longer ago than this (imports, history) are not surveyed.
const FRESH_MS: i64 = 2 * DAY_MS;

/// A case was written: schedules post-case surveys when it turns solved. Returns whether any was.
pub(super) async fn case_changed(
    c: &mut Conn,
    org_id: i64,
    before: Option<&CaseState>,
    after: &CaseState,
    now: i64,
) -> Result<bool> {
    let solved = |s: &CaseState| s.clock.status() == CaseStatus::Solved;
    if !solved(after) || before.is_some_and(solved) || after.channel == "counter" {
        return Ok(false);
    }
    let solved_at = after.clock.solved_at.unwrap_or(now);
    if now - solved_at > FRESH_MS {
        return Ok(false);
    }
    let surveys = store::survey::active_with_trigger(c, org_id, "case_solved").await?;
    let surveys: Vec<_> = surveys
        .into_iter()
        .filter(|s| s.channels.is_empty() || s.channels.split(',').any(|ch| ch == after.channel))
        .collect();
    schedule_for_case(c, org_id, after.id, &surveys, solved_at, now).await
}

/// A served counter visit recorded on a customer's case. Returns whether a survey was scheduled.
pub(super) async fn counter_visit(
    c: &mut Conn,
    org_id: i64,
    case_id: i64,
    at: i64,
    now: i64,
) -> Result<bool> {
    if now - at > FRESH_MS {
        return Ok(false);
    }
    let surveys = store::survey::active_with_trigger(c, org_id, "counter_visit").await?;
    schedule_for_case(c, org_id, case_id, &surveys, at, now).await
}

async fn schedule_for_case(
    c: &mut Conn,
    org_id: i64,
    case_id: i64,
    surveys: &[store::survey::Survey],
    at: i64,
    now: i64,
) -> Result<bool> {
    if surveys.is_empty() {
        return Ok(false);
    }
    let Some(case) = store::case::by_id(c, org_id, case_id).await? else {
        return Ok(false);
    };
    for s in surveys {
        let inv = store::survey::Invitation {
            id: 0,
            org_id,
            survey_id: s.id,
            customer_id: case.customer_id,
            case_id: Some(case.id),
            site_id: case.site_id,
            team_id: case.team_id,
            channel: Some(case.channel.clone()),
            category: case.category.clone(),
            lang: "fr".into(),
            status: "scheduled".into(),
            skip_reason: None,
            due_at: at + s.delay_minutes * 60_000,
            sent_at: None,
            expires_at: None,
            email_id: None,
            answered_at: None,
        };
        store::survey::insert_invitation(c, &inv, now).await?;
    }
    Ok(true)
}
