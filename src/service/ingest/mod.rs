//! Recording an interaction: recognise the customer on any identity, attach the contact to the
//! case on the same need (or open one), move the case's clock, all in one transaction.

pub mod batch;
mod input;

pub use input::{Attachment, CustomerRef, InteractionInput, MAX_BODY_CHARS, SocialRef, Valid};

use super::charter::evaluate;
use super::work::Work;
use super::{Error, Result};
use crate::domain::Invalid;
use crate::domain::case::{CaseClock, CaseState, ONCE_AND_DONE_WINDOW_MS, Transition, subject_key};
use crate::domain::channel::Channel;
use crate::domain::channel::Direction;
use crate::domain::fold::fold_key;
use crate::domain::identity::Identity;
use crate::store::{self, Conn, Store};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// What was recorded (or found already recorded).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Ingested {
    pub interaction_id: i64,
    pub customer_id: i64,
    pub case_id: i64,
}

/// Records one interaction in its own transaction; with an idempotency key, a retry answers the
/// first answer and writes nothing.
pub async fn record(
    store: &Store,
    org_id: i64,
    v: &Valid,
    idempotency: Option<(&str, &str)>,
) -> Result<Ingested> {
    let mut w = Work::begin(store).await?;
    let done = record_idempotent_in(&mut w, org_id, v, idempotency, &mut Known::default()).await?;
    w.commit().await?;
    Ok(done)
}

/// Claims the idempotency key (if any) and records, inside a caller's unit of work. A key seen
/// before answers its first answer; the same key with another body is a conflict.
pub async fn record_idempotent_in(
    w: &mut Work,
    org_id: i64,
    v: &Valid,
    idempotency: Option<(&str, &str)>,
    known: &mut Known,
) -> Result<Ingested> {
    let now = w.now;
    if let Some((key, hash)) = idempotency
        && let Some((first_hash, response)) =
            store::interaction::claim_idempotency(w, org_id, key, hash, now).await?
    {
        if first_hash != hash {
            return Err(Error::Conflict {
                code: "idempotency_key_reused",
                message: "this Idempotency-Key was used for a different request".into(),
            });
        }
        let response = response
            .ok_or_else(|| Error::Internal("idempotency record without response".into()))?;
        return serde_json::from_str(&response).map_err(|e| Error::Internal(e.to_string()));
    }
    let done = record_with(w, org_id, v, known).await?;
    if let Some((key, _)) = idempotency {
        let response = serde_json::to_string(&done).expect("serialise");
        store::interaction::store_idempotent_response(w, org_id, key, &response).await?;
    }
    Ok(done)
}

/// Records many interactions in one transaction (import, demo), set-wise. Invalid references
/// fail the batch; the caller then records one by one to report which.
pub async fn record_batch(store: &Store, org_id: i64, items: &[Valid]) -> Result<Vec<Ingested>> {
    let mut w = Work::begin(store).await?;
    let items: Vec<batch::Item> = items
        .iter()
        .map(|valid| batch::Item {
            valid,
            idempotency: None,
        })
        .collect();
    let done = batch::record(&mut w, org_id, &items).await?;
    w.commit().await?;
    Ok(done)
}

/// The external ids recorded so far in a unit of work, to spare a lookup per item.
#[derive(Default)]
pub struct Known {
    ids: HashMap<String, Ingested>,
}

/// The rule itself, inside a caller's unit of work.
pub async fn record_in(w: &mut Work, org_id: i64, v: &Valid) -> Result<Ingested> {
    record_with(w, org_id, v, &mut Known::default()).await
}

/// Kept to as few statements as the rule allows: it is the hot path of every input channel.
async fn record_with(w: &mut Work, org_id: i64, v: &Valid, known: &mut Known) -> Result<Ingested> {
    if let Some(ext) = &v.external_id {
        if let Some(done) = known.ids.get(ext) {
            return Ok(done.clone());
        }
        if let Some((interaction_id, customer_id, case_id)) =
            store::interaction::by_external_id(w, org_id, ext).await?
        {
            return Ok(Ingested {
                interaction_id,
                customer_id,
                case_id,
            });
        }
    }
    let now = w.now;
    let site_id = match &v.site {
        Some(code) => Some(w.site_id(org_id, code).await?),
        None => None,
    };
    let (customer_id, new_customer) =
        recognise(w, org_id, &v.identities, v.name.as_deref(), v.occurred_at).await?;
    let key = v
        .subject
        .as_deref()
        .map(subject_key)
        .filter(|k| !k.is_empty());
    let existing = match v.case_id {
        Some(id) => Some(store::case::by_id(w, org_id, id).await?.ok_or_else(|| {
            Error::invalid(
                "case_id",
                Invalid::new("unknown_case", format!("no case has the id {id}")),
            )
        })?),
        // A customer seen for the first time has no case to continue.
        None if new_customer || v.fresh_case => None,
        None => store::case::attachable(w, customer_id, key.as_deref()).await?,
    };
    // The case as follow-ups see it, before and after; its deadline is written with it.
    let before = existing.as_ref().map(store::case::Case::state);
    let (mut after, transition, status_change) = moved(before.as_ref(), v, customer_id, site_id);
    after.clock.due_at = w.deadline(org_id, before.as_ref(), &after).await?;
    after.id = match &existing {
        Some(case) => {
            store::case::save_clock(w, case.id, &after.clock).await?;
            case.id
        }
        None => {
            open_case(
                w,
                org_id,
                customer_id,
                site_id,
                v,
                key.as_deref().unwrap_or(""),
                &after.clock,
            )
            .await?
        }
    };
    let case_id = after.id;
    w.case_changed(org_id, before.as_ref(), &after).await?;
    if transition == Some(Transition::Reopened) {
        store::case::add_event(
            w,
            org_id,
            case_id,
            v.occurred_at,
            "reopened",
            v.author_user_id,
            v.channel.as_str(),
        )
        .await?;
    }
    if let Some(Transition::Status(s)) = status_change {
        store::case::add_event(
            w,
            org_id,
            case_id,
            v.occurred_at,
            "status",
            v.author_user_id,
            s.as_str(),
        )
        .await?;
    }
    if let (Direction::Outbound, Some(author)) = (v.direction, v.author_user_id) {
        store::case::assign_if_unassigned(w, case_id, author).await?;
    }
    let new = new_interaction(v, customer_id, case_id, site_id);
    let interaction_id = store::interaction::insert(w, org_id, &new, now).await?;
    if v.direction == Direction::Inbound && !new_customer {
        let since = v.occurred_at - ONCE_AND_DONE_WINDOW_MS;
        let turned = store::case::mark_repeat_contact(
            w,
            customer_id,
            case_id,
            v.category.as_deref(),
            since,
            v.occurred_at,
        )
        .await?;
        w.cases_turned(org_id, &turned).await?;
    }
    if let Some(queued_at) = v.queued_at
        && matches!(v.channel, Channel::Counter | Channel::Phone | Channel::Chat)
    {
        let wait = evaluate::Wait {
            subject: wait_subject(v, interaction_id),
            channel: v.channel,
            site_id,
            queued_at,
            answered_at: v.answered_at,
            case_id: Some(case_id),
            customer_id: Some(customer_id),
        };
        w.wait_recorded(org_id, &wait).await?;
    }
    let done = Ingested {
        interaction_id,
        customer_id,
        case_id,
    };
    if let Some(ext) = &v.external_id {
        known.ids.insert(ext.clone(), done.clone());
    }
    Ok(done)
}

/// The case after this contact (`before`: the case it continues, None to open one), with the
/// reopening and the status change it made. Both drivers (one by one, `batch`) apply it.
fn moved(
    before: Option<&CaseState>,
    v: &Valid,
    customer_id: i64,
    site_id: Option<i64>,
) -> (CaseState, Option<Transition>, Option<Transition>) {
    let mut clock = before.map_or_else(|| CaseClock::opened(v.occurred_at), |b| b.clock.clone());
    let transition = match v.direction {
        Direction::Inbound => clock.on_inbound(v.occurred_at),
        Direction::Outbound => {
            clock.on_outbound(v.occurred_at, false);
            None
        }
    };
    let status_change = v.status.and_then(|s| clock.set_status(s, v.occurred_at));
    let after = match before {
        Some(b) => CaseState { clock, ..b.clone() },
        None => CaseState {
            id: 0,
            customer_id,
            channel: v.channel.as_str().into(),
            site_id,
            kind: v.kind.as_str().into(),
            category: v.category.clone(),
            clock,
        },
    };
    (after, transition, status_change)
}

/// The interaction row of a contact.
fn new_interaction(
    v: &Valid,
    customer_id: i64,
    case_id: i64,
    site_id: Option<i64>,
) -> store::interaction::NewInteraction<'_> {
    store::interaction::NewInteraction {
        customer_id,
        case_id,
        channel: v.channel.as_str(),
        direction: v.direction.as_str(),
        occurred_at: v.occurred_at,
        author_user_id: v.author_user_id,
        is_note: false,
        subject: v.subject.as_deref(),
        body: &v.body,
        site_id,
        queued_at: v.queued_at,
        answered_at: v.answered_at,
        attachments: &v.attachments,
        external_id: v.external_id.as_deref(),
    }
}

/// What a wait is measured as: a visit recorded from a counter ticket is the ticket's wait,
/// measured once; any other the interaction's.
fn wait_subject(v: &Valid, interaction_id: i64) -> String {
    match v
        .external_id
        .as_deref()
        .and_then(|e| e.strip_prefix("ticket:"))
    {
        Some(t) => format!("t:{t}"),
        None => format!("i:{interaction_id}"),
    }
}

/// Records a contact on a case without moving its clock: automatic mail (out-of-office replies,
/// delivery reports) and acknowledgements neither reopen a case nor count as an answer.
pub async fn record_passive_in(
    c: &mut Conn,
    org_id: i64,
    case_id: i64,
    v: &Valid,
    now: i64,
) -> Result<i64> {
    let case = store::case::by_id(c, org_id, case_id)
        .await?
        .ok_or(Error::NotFound("case"))?;
    let customer_id = if v.identities.is_empty() {
        case.customer_id
    } else {
        recognise(c, org_id, &v.identities, v.name.as_deref(), v.occurred_at)
            .await?
            .0
    };
    let new = store::interaction::NewInteraction {
        customer_id,
        case_id,
        channel: v.channel.as_str(),
        direction: v.direction.as_str(),
        occurred_at: v.occurred_at,
        author_user_id: v.author_user_id,
        is_note: false,
        subject: v.subject.as_deref(),
        body: &v.body,
        site_id: case.site_id,
        queued_at: None,
        answered_at: None,
        attachments: &v.attachments,
        external_id: v.external_id.as_deref(),
    };
    Ok(store::interaction::insert(c, org_id, &new, now).await?)
}

/// Finds the customer by any identity (customer number first, then email, phone, social);
/// attaches identities seen with a known one; creates the customer when none is known.
/// Returns the customer and whether it was created now.
pub(crate) async fn recognise(
    c: &mut Conn,
    org_id: i64,
    identities: &[Identity],
    name: Option<&str>,
    at: i64,
) -> Result<(i64, bool)> {
    let keys: Vec<String> = identities.iter().map(Identity::key).collect();
    let owners = store::customer::owners_of(c, org_id, &keys).await?;
    let name_key = name.map(fold_key).unwrap_or_default();
    let known = keys
        .iter()
        .find_map(|k| owners.iter().find(|(ok, _)| ok == k).map(|(_, id)| *id));
    let customer_id = match known {
        Some(id) => {
            store::customer::touch(c, id, at, name, &name_key).await?;
            id
        }
        None => store::customer::insert(c, org_id, name, &name_key, at).await?,
    };
    let new: Vec<(&str, &str, String)> = identities
        .iter()
        .zip(&keys)
        .filter(|(_, key)| !owners.iter().any(|(ok, _)| ok == *key))
        .map(|(identity, key)| (identity.kind(), key.as_str(), identity.display()))
        .collect();
    let attached = store::customer::attach_identities(c, org_id, customer_id, &new, at).await?;
    if known.is_none() && attached.len() < new.len() {
        // Another process recorded this customer's first contact at the same time (PostgreSQL,
        // several nodes): it owns some of these identities now. Join it instead of duplicating.
        let owners = store::customer::owners_of(c, org_id, &keys).await?;
        if let Some(&(_, other)) = owners.iter().find(|(_, id)| *id != customer_id) {
            store::customer::fold_new_into(c, customer_id, other).await?;
            store::customer::touch(c, other, at, name, &name_key).await?;
            return Ok((other, false));
        }
    }
    Ok((customer_id, known.is_none()))
}

async fn open_case(
    c: &mut Conn,
    org_id: i64,
    customer_id: i64,
    site_id: Option<i64>,
    v: &Valid,
    key: &str,
    clock: &CaseClock,
) -> Result<i64> {
    let number = store::org::next_case_number(c, org_id).await?;
    let subject = v.subject.clone().unwrap_or_else(|| first_line(&v.body));
    let new = store::case::NewCase {
        number,
        customer_id,
        kind: v.kind.as_str(),
        priority: "normal",
        category: v.category.as_deref(),
        subject: &subject,
        subject_key: key,
        channel: v.channel.as_str(),
        site_id,
        team_id: None,
    };
    Ok(store::case::insert(c, org_id, &new, clock).await?)
}

/// A subject for a contact that had none: the first line of its body, shortened.
fn first_line(body: &str) -> String {
    let line = body
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("—");
    let mut s: String = line.chars().take(80).collect();
    if line.chars().count() > 80 {
        s.push('…');
    }
    s
}
