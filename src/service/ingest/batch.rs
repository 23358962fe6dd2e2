//! The ingest rule applied to a whole batch at once (group commit, import, demo): what the batch
//! needs is read in a few queries — idempotency keys, external ids, identities, the cases of
//! the customers it names — the rule runs in memory, item after item, exactly as one by one,
//! and the result is written in multi-row statements. Then each item's follow-ups run in order
//! through the unit of work. A test checks both drivers leave the same records.

use super::{Ingested, Valid, first_line, moved, wait_subject};
use crate::domain::Invalid;
use crate::domain::case::{CaseState, ONCE_AND_DONE_WINDOW_MS, Transition, subject_key};
use crate::domain::channel::{Channel, Direction};
use crate::domain::fold::fold_key;
use crate::service::charter::evaluate::Wait;
use crate::service::work::Work;
use crate::service::{Error, Result};
use crate::store::{self, case::Held};
use std::collections::{HashMap, HashSet};

/// One contact of a batch, with the request's idempotency key and body hash if it had one.
pub struct Item<'a> {
    pub valid: &'a Valid,
    pub idempotency: Option<(&'a str, &'a str)>,
}

/// What follows one item once the batch is written.
struct Follow {
    before: Option<CaseState>,
    after: CaseState,
    turned: Vec<i64>,
    wait: Option<Wait>,
}

/// A customer first seen in this batch.
struct Fresh {
    id: i64,
    name: Option<String>,
    name_key: String,
    created_at: i64,
    last_contact_at: i64,
}

/// A known customer's contacts in this batch, folded as `store::customer::touch` would.
struct Touched {
    at: i64,
    name: Option<String>,
    name_key: String,
}

/// Ids reserved for the rows this batch may insert, handed out in order.
struct Ids(std::vec::IntoIter<i64>);

impl Ids {
    fn next(&mut self) -> Result<i64> {
        self.0
            .next()
            .ok_or_else(|| Error::Internal("batch ran out of reserved ids".into()))
    }
}

/// Records a batch of one organisation's contacts in the caller's unit of work. Any refused
/// item, or a race with another writer, fails the whole batch with a non-internal error: the
/// caller then records one by one, which names the refused item and joins the race's winner.
pub async fn record(w: &mut Work, org_id: i64, items: &[Item<'_>]) -> Result<Vec<Ingested>> {
    let now = w.now;
    let mut out: Vec<Option<Ingested>> = vec![None; items.len()];

    // Idempotency keys: claimed together; a key seen before answers its first answer.
    let keyed: Vec<(&str, &str)> = items.iter().filter_map(|i| i.idempotency).collect();
    let mut claimed: HashSet<String> = HashSet::new();
    if !keyed.is_empty() {
        if keyed.iter().map(|k| k.0).collect::<HashSet<_>>().len() < keyed.len() {
            // Two requests in flight with one key: one by one, the second answers the first's.
            return Err(Error::Conflict {
                code: "idempotency_key_in_flight",
                message: "one idempotency key twice in a batch".into(),
            });
        }
        claimed = store::interaction::claim_many(w, org_id, &keyed, now)
            .await?
            .into_iter()
            .collect();
        for (i, item) in items.iter().enumerate() {
            if let Some((key, hash)) = item.idempotency
                && !claimed.contains(key)
            {
                // Rare (a retry): the one-by-one path answers it, refusals included.
                out[i] = Some(
                    super::record_idempotent_in(
                        w,
                        org_id,
                        item.valid,
                        Some((key, hash)),
                        &mut super::Known::default(),
                    )
                    .await?,
                );
            }
        }
    }

    // What the batch's items name, read at once.
    let exts: Vec<&str> = items
        .iter()
        .zip(&out)
        .filter(|(_, o)| o.is_none())
        .filter_map(|(i, _)| i.valid.external_id.as_deref())
        .collect();
    let mut known_ext: HashMap<String, Ingested> =
        store::interaction::by_external_ids(w, org_id, &exts)
            .await?
            .into_iter()
            .map(|(ext, (interaction_id, customer_id, case_id))| {
                let done = Ingested {
                    interaction_id,
                    customer_id,
                    case_id,
                };
                (ext, done)
            })
            .collect();
    // Contacts recorded before (a rerun of an import) need nothing more.
    let pending: Vec<&Valid> = items
        .iter()
        .zip(&out)
        .filter(|(i, o)| {
            o.is_none()
                && i.valid
                    .external_id
                    .as_ref()
                    .is_none_or(|e| !known_ext.contains_key(e))
        })
        .map(|(i, _)| i.valid)
        .collect();
    let keys: Vec<String> = pending
        .iter()
        .flat_map(|v| v.identities.iter().map(|i| i.key()))
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let mut owners: HashMap<String, i64> = HashMap::new();
    for chunk in keys.chunks(500) {
        owners.extend(store::customer::owners_of(w, org_id, chunk).await?);
    }
    let known_customers: Vec<i64> = owners
        .values()
        .copied()
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let since =
        pending.iter().map(|v| v.occurred_at).min().unwrap_or(now) - ONCE_AND_DONE_WINDOW_MS;
    let mut cases: HashMap<i64, Held> = HashMap::new();
    for h in store::case::held_by_customers(w, &known_customers, since).await? {
        cases.insert(h.case.id, h);
    }
    let named: Vec<i64> = pending
        .iter()
        .filter_map(|v| v.case_id)
        .filter(|id| !cases.contains_key(id))
        .collect();
    for h in store::case::held_by_ids(w, org_id, &named).await? {
        cases.insert(h.case.id, h);
    }
    let mut of_customer: HashMap<i64, Vec<i64>> = HashMap::new();
    for h in cases.values() {
        of_customer
            .entry(h.case.customer_id)
            .or_default()
            .push(h.case.id);
    }
    let authors: Vec<i64> = pending
        .iter()
        .filter(|v| v.direction == Direction::Outbound)
        .filter_map(|v| v.author_user_id)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let teams: HashMap<i64, Option<i64>> = store::case::teams_of_users(w, &authors)
        .await?
        .into_iter()
        .collect();

    let n = pending.len();
    let mut customer_ids = Ids(store::reserve_ids(w, "customer", n).await?.into_iter());
    let mut case_ids = Ids(store::reserve_ids(w, "support_case", n).await?.into_iter());
    let mut interaction_ids = Ids(store::reserve_ids(w, "interaction", n).await?.into_iter());

    // The rule, item after item, in memory.
    let mut fresh: Vec<Fresh> = Vec::new();
    let mut fresh_index: HashMap<i64, usize> = HashMap::new();
    let mut touched: HashMap<i64, Touched> = HashMap::new();
    let mut identities: Vec<(i64, &'static str, String, String, i64)> = Vec::new();
    let mut created: Vec<i64> = Vec::new();
    let mut dirty: HashSet<i64> = HashSet::new();
    let mut events: Vec<(i64, i64, &'static str, Option<i64>, &'static str)> = Vec::new();
    let mut interactions: Vec<(i64, &Valid, i64, i64, Option<i64>)> = Vec::new();
    let mut follows: Vec<Follow> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        if out[i].is_some() {
            continue;
        }
        let v = item.valid;
        if let Some(ext) = &v.external_id
            && let Some(done) = known_ext.get(ext)
        {
            out[i] = Some(done.clone());
            continue;
        }
        let site_id = match &v.site {
            Some(code) => Some(w.site_id(org_id, code).await?),
            None => None,
        };
        // Recognise the customer (as `super::recognise`).
        let item_keys: Vec<String> = v.identities.iter().map(|i| i.key()).collect();
        let name_key = v.name.as_deref().map(fold_key).unwrap_or_default();
        let known = item_keys.iter().find_map(|k| owners.get(k).copied());
        let customer_id = match known {
            Some(id) => {
                match fresh_index.get(&id) {
                    Some(&f) => {
                        let f = &mut fresh[f];
                        f.last_contact_at = f.last_contact_at.max(v.occurred_at);
                        if f.name.is_none() {
                            f.name = v.name.clone();
                            f.name_key = name_key.clone();
                        }
                    }
                    None => {
                        let t = touched.entry(id).or_insert(Touched {
                            at: v.occurred_at,
                            name: None,
                            name_key: String::new(),
                        });
                        t.at = t.at.max(v.occurred_at);
                        if t.name.is_none() {
                            t.name = v.name.clone();
                            t.name_key = name_key.clone();
                        }
                    }
                }
                id
            }
            None => {
                let id = customer_ids.next()?;
                fresh_index.insert(id, fresh.len());
                fresh.push(Fresh {
                    id,
                    name: v.name.clone(),
                    name_key: name_key.clone(),
                    created_at: v.occurred_at,
                    last_contact_at: v.occurred_at,
                });
                id
            }
        };
        let new_customer = known.is_none();
        for (identity, key) in v.identities.iter().zip(&item_keys) {
            if !owners.contains_key(key) {
                owners.insert(key.clone(), customer_id);
                identities.push((
                    customer_id,
                    identity.kind(),
                    key.clone(),
                    identity.display(),
                    v.occurred_at,
                ));
            }
        }
        // The case on the same need (as `store::case::attachable`), or a new one.
        let key = v
            .subject
            .as_deref()
            .map(subject_key)
            .filter(|k| !k.is_empty());
        let existing = match v.case_id {
            Some(id) => Some(cases.get(&id).map(|h| h.case.id).ok_or_else(|| {
                Error::invalid(
                    "case_id",
                    Invalid::new("unknown_case", format!("no case has the id {id}")),
                )
            })?),
            None if new_customer || v.fresh_case => None,
            None => of_customer
                .get(&customer_id)
                .into_iter()
                .flatten()
                .map(|id| &cases[id])
                .filter(|h| match &key {
                    Some(k) => h.case.status != "closed" && &h.subject_key == k,
                    None => matches!(h.case.status.as_str(), "open" | "pending"),
                })
                .max_by_key(|h| (h.case.updated_at, h.case.id))
                .map(|h| h.case.id),
        };
        let before = existing.map(|id| cases[&id].case.state());
        let (mut after, transition, status_change) =
            moved(before.as_ref(), v, customer_id, site_id);
        after.clock.due_at = w.deadline(org_id, before.as_ref(), &after).await?;
        let case_id = match existing {
            Some(id) => {
                cases
                    .get_mut(&id)
                    .expect("held")
                    .case
                    .set_clock(&after.clock);
                dirty.insert(id);
                id
            }
            None => {
                let id = case_ids.next()?;
                let mut case = store::case::Case {
                    id,
                    org_id,
                    number: 0,
                    customer_id,
                    kind: v.kind.as_str().into(),
                    status: String::new(),
                    priority: "normal".into(),
                    category: v.category.clone(),
                    subject: v.subject.clone().unwrap_or_else(|| first_line(&v.body)),
                    channel: v.channel.as_str().into(),
                    site_id,
                    team_id: None,
                    assignee_id: None,
                    opened_at: 0,
                    updated_at: 0,
                    first_response_at: None,
                    last_inbound_at: None,
                    last_outbound_at: None,
                    inbound_count: 0,
                    outbound_count: 0,
                    pending_since: None,
                    pending_ms: 0,
                    solved_at: None,
                    closed_at: None,
                    reopen_count: 0,
                    repeat_contact_at: None,
                    due_at: None,
                };
                case.set_clock(&after.clock);
                let subject_key = key.clone().unwrap_or_default();
                cases.insert(id, Held { case, subject_key });
                of_customer.entry(customer_id).or_default().push(id);
                created.push(id);
                id
            }
        };
        after.id = case_id;
        if transition == Some(Transition::Reopened) {
            events.push((
                case_id,
                v.occurred_at,
                "reopened",
                v.author_user_id,
                v.channel.as_str(),
            ));
        }
        if let Some(Transition::Status(s)) = status_change {
            events.push((
                case_id,
                v.occurred_at,
                "status",
                v.author_user_id,
                s.as_str(),
            ));
        }
        if let (Direction::Outbound, Some(author)) = (v.direction, v.author_user_id) {
            let case = &mut cases.get_mut(&case_id).expect("held").case;
            if case.assignee_id.is_none() {
                case.assignee_id = Some(author);
                case.team_id = case.team_id.or(teams.get(&author).copied().flatten());
                dirty.insert(case_id);
            }
        }
        let interaction_id = interaction_ids.next()?;
        interactions.push((interaction_id, v, customer_id, case_id, site_id));
        // Once & done: a further inbound contact breaks it on the customer's recently solved cases.
        let mut turned = Vec::new();
        if v.direction == Direction::Inbound && !new_customer {
            let since = v.occurred_at - ONCE_AND_DONE_WINDOW_MS;
            for id in of_customer.get(&customer_id).into_iter().flatten() {
                let k = &mut cases.get_mut(id).expect("held").case;
                if *id != case_id
                    && k.solved_at
                        .is_some_and(|s| s >= since && s <= v.occurred_at)
                    && k.repeat_contact_at.is_none()
                    && (k.category.is_none() || v.category.is_none() || k.category == v.category)
                {
                    k.repeat_contact_at = Some(v.occurred_at);
                    dirty.insert(*id);
                    turned.push(*id);
                }
            }
        }
        let wait = match v.queued_at {
            Some(queued_at)
                if matches!(v.channel, Channel::Counter | Channel::Phone | Channel::Chat) =>
            {
                Some(Wait {
                    subject: wait_subject(v, interaction_id),
                    channel: v.channel,
                    site_id,
                    queued_at,
                    answered_at: v.answered_at,
                    case_id: Some(case_id),
                    customer_id: Some(customer_id),
                })
            }
            _ => None,
        };
        let done = Ingested {
            interaction_id,
            customer_id,
            case_id,
        };
        if let Some(ext) = &v.external_id {
            known_ext.insert(ext.clone(), done.clone());
        }
        out[i] = Some(done);
        follows.push(Follow {
            before,
            after,
            turned,
            wait,
        });
    }

    // The batch written, in as few statements as the rows allow.
    if !created.is_empty() {
        let last = store::org::reserve_case_numbers(w, org_id, created.len() as i64).await?;
        let first = last - created.len() as i64 + 1;
        for (k, id) in created.iter().enumerate() {
            cases.get_mut(id).expect("created").case.number = first + k as i64;
        }
    }
    let rows: Vec<store::customer::NewCustomer> = fresh
        .iter()
        .map(|f| store::customer::NewCustomer {
            id: f.id,
            name: f.name.as_deref(),
            name_key: &f.name_key,
            created_at: f.created_at,
            last_contact_at: f.last_contact_at,
        })
        .collect();
    store::customer::insert_many(w, org_id, &rows).await?;
    // Rows are written in id order, so two batches (PostgreSQL) lock them in the same order.
    let mut touched: Vec<(&i64, &Touched)> = touched.iter().collect();
    touched.sort_by_key(|(id, _)| **id);
    let rows: Vec<store::customer::Touch> = touched
        .into_iter()
        .map(|(id, t)| store::customer::Touch {
            id: *id,
            at: t.at,
            name: t.name.as_deref(),
            name_key: &t.name_key,
        })
        .collect();
    store::customer::touch_many(w, org_id, &rows).await?;
    let rows: Vec<store::customer::NewIdentity> = identities
        .iter()
        .map(|(c, kind, key, value, at)| (*c, *kind, key.as_str(), value.as_str(), *at))
        .collect();
    if store::customer::attach_many(w, org_id, &rows).await? < rows.len() {
        // Another writer (PostgreSQL, several nodes) took one of these identities meanwhile:
        // the one-by-one path knows how to join its customer.
        return Err(Error::Conflict {
            code: "identity_taken",
            message: "an identity was taken by another writer".into(),
        });
    }
    let rows: Vec<Held> = created.iter().map(|id| cases[id].clone()).collect();
    store::case::insert_many(w, org_id, &rows).await?;
    let mut rows: Vec<&Held> = dirty
        .iter()
        .filter(|id| !created.contains(id))
        .map(|id| &cases[id])
        .collect();
    rows.sort_by_key(|h| h.case.id);
    store::case::update_many(w, org_id, &rows).await?;
    store::case::add_events(w, org_id, &events).await?;
    let rows: Vec<(i64, store::interaction::NewInteraction)> = interactions
        .iter()
        .map(|(id, v, customer_id, case_id, site_id)| {
            (
                *id,
                super::new_interaction(v, *customer_id, *case_id, *site_id),
            )
        })
        .collect();
    store::interaction::insert_many(w, org_id, &rows, now).await?;
    let answers: Vec<(&str, &str, String)> = items
        .iter()
        .zip(&out)
        .filter_map(|(item, done)| {
            // Keys claimed now; a retry's key already holds its first answer.
            let (key, hash) = item.idempotency.filter(|(k, _)| claimed.contains(*k))?;
            let done = done.as_ref()?;
            Some((key, hash, serde_json::to_string(done).expect("serialise")))
        })
        .collect();
    store::interaction::store_responses(w, org_id, &answers, now).await?;

    // What follows each item, in order.
    for f in &follows {
        w.case_changed(org_id, f.before.as_ref(), &f.after).await?;
        w.cases_turned(org_id, &f.turned).await?;
        if let Some(wait) = &f.wait {
            w.wait_recorded(org_id, wait).await?;
        }
    }
    out.into_iter()
        .map(|o| o.ok_or_else(|| Error::Internal("batch item left unrecorded".into())))
        .collect()
}
