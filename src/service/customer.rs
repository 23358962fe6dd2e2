//! The customer 360: identities, cases and timeline on every channel; search; merge and unmerge.

use super::{Actor, Error, Result, now_ms};
use crate::domain::Invalid;
use crate::domain::fold::fold_key;
use crate::domain::identity::{CustomerNumber, Email, Identity, PhoneE164, SocialHandle};
use crate::store::case::Case;
use crate::store::customer::{Customer, IdentityRow, Merge};
use crate::store::interaction::Interaction;
use crate::store::{self, Store};
use serde::Deserialize;

/// How many cases and interactions the 360 view shows at once.
pub const TIMELINE_LIMIT: i64 = 100;

pub struct View360 {
    pub customer: Customer,
    pub identities: Vec<IdentityRow>,
    pub cases: Vec<Case>,
    pub timeline: Vec<Interaction>,
    pub merges: Vec<Merge>,
}

pub async fn view(store: &Store, actor: &Actor, id: i64) -> Result<View360> {
    let mut c = store.reader().await?;
    let customer = store::customer::get(&mut c, actor.org_id, id)
        .await?
        .ok_or(Error::NotFound("customer"))?;
    Ok(View360 {
        identities: store::customer::identities(&mut c, id).await?,
        cases: store::case::of_customer(&mut c, id, TIMELINE_LIMIT).await?,
        timeline: store::interaction::of_customer(&mut c, id, TIMELINE_LIMIT).await?,
        merges: store::customer::merges_of(&mut c, id).await?,
        customer,
    })
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SearchQuery {
    pub email: Option<String>,
    pub phone: Option<String>,
    pub customer_number: Option<String>,
    pub social_network: Option<String>,
    pub social_handle: Option<String>,
    /// Start of the name (accents and case ignored).
    pub name: Option<String>,
    /// Free text: tried as each identity, then as a name.
    pub q: Option<String>,
}

/// Customers matching any identity given, or whose name starts with the text.
pub async fn search(store: &Store, actor: &Actor, q: &SearchQuery) -> Result<Vec<Customer>> {
    let some = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let mut identities = Vec::new();
    if let Some(e) = some(&q.email) {
        identities.push(Identity::Email(
            Email::parse(&e).map_err(|e| Error::invalid("email", e))?,
        ));
    }
    if let Some(p) = some(&q.phone) {
        identities.push(Identity::Phone(
            PhoneE164::parse(&p).map_err(|e| Error::invalid("phone", e))?,
        ));
    }
    if let Some(n) = some(&q.customer_number) {
        identities.push(Identity::Number(
            CustomerNumber::parse(&n).map_err(|e| Error::invalid("customer_number", e))?,
        ));
    }
    if let (Some(n), Some(h)) = (some(&q.social_network), some(&q.social_handle)) {
        identities.push(Identity::Social(
            SocialHandle::parse(&n, &h).map_err(|e| Error::invalid("social_handle", e))?,
        ));
    }
    let free = some(&q.q);
    if let Some(t) = &free {
        identities.extend(Email::parse(t).ok().map(Identity::Email));
        identities.extend(PhoneE164::parse(t).ok().map(Identity::Phone));
        identities.extend(CustomerNumber::parse(t).ok().map(Identity::Number));
    }
    let name = some(&q.name).or(free);
    if identities.is_empty() && name.is_none() {
        return Err(Error::invalid(
            "q",
            Invalid::new("required", "give an identity or a name to search for"),
        ));
    }
    let mut c = store.reader().await?;
    let keys: Vec<String> = identities.iter().map(Identity::key).collect();
    let mut found = Vec::new();
    for (_, id) in store::customer::owners_of(&mut c, actor.org_id, &keys).await? {
        if !found.iter().any(|f: &Customer| f.id == id) {
            found.extend(store::customer::get(&mut c, actor.org_id, id).await?);
        }
    }
    if let Some(n) = name {
        let key = fold_key(&n);
        if !key.is_empty() {
            for cu in store::customer::search_by_name(&mut c, actor.org_id, &key, 50).await? {
                if !found.iter().any(|f| f.id == cu.id) {
                    found.push(cu);
                }
            }
        }
    }
    Ok(found)
}

/// Merges `merged` into `kept`: identities, cases and interactions move; audited; reversible.
pub async fn merge(store: &Store, actor: &Actor, kept: i64, merged: i64) -> Result<Merge> {
    actor.require(actor.role.can_merge_customers())?;
    if kept == merged {
        return Err(Error::invalid(
            "merged_id",
            Invalid::new("same_customer", "a customer cannot be merged into itself"),
        ));
    }
    let now = now_ms();
    let mut tx = store.begin().await?;
    for id in [kept, merged] {
        let c = store::customer::get(&mut tx, actor.org_id, id)
            .await?
            .ok_or(Error::NotFound("customer"))?;
        if c.merged_into.is_some() {
            return Err(Error::Conflict {
                code: "already_merged",
                message: format!("customer {id} was merged into another"),
            });
        }
    }
    let m = store::customer::merge(&mut tx, actor.org_id, kept, merged, actor.user_id, now).await?;
    store::org::audit(
        &mut tx,
        actor.org_id,
        Some(actor.user_id),
        now,
        "customer.merge",
        &format!("customer:{kept}"),
        &format!("merged customer:{merged}, merge:{}", m.id),
    )
    .await?;
    tx.commit().await?;
    Ok(m)
}

/// Reverses a merge: what it moved goes back, the merged customer lives again.
pub async fn unmerge(store: &Store, actor: &Actor, merge_id: i64) -> Result<Merge> {
    actor.require(actor.role.can_merge_customers())?;
    let now = now_ms();
    let mut tx = store.begin().await?;
    let m = store::customer::merge_by_id(&mut tx, actor.org_id, merge_id)
        .await?
        .ok_or(Error::NotFound("merge"))?;
    if m.undone_at.is_some() {
        return Err(Error::Conflict {
            code: "already_unmerged",
            message: "this merge was already undone".into(),
        });
    }
    store::customer::unmerge(&mut tx, &m, actor.user_id, now).await?;
    store::org::audit(
        &mut tx,
        actor.org_id,
        Some(actor.user_id),
        now,
        "customer.unmerge",
        &format!("customer:{}", m.kept_id),
        &format!("restored customer:{}, merge:{}", m.merged_id, m.id),
    )
    .await?;
    let m = store::customer::merge_by_id(&mut tx, actor.org_id, merge_id)
        .await?
        .ok_or(Error::NotFound("merge"))?;
    tx.commit().await?;
    Ok(m)
}
