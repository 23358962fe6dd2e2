//! A customer's personal data under control (GDPR): export everything held about them, erase it
//! by anonymisation, and track their requests against the one-month legal deadline. What is
//! exported and what is erased both follow one map (`store::privacy::PLACES`).

use super::{Actor, Error, Result, now_ms};
use crate::store::{self, Store};
use base64::Engine;
use serde::{Deserialize, Serialize};

pub use store::privacy::Request;

/// The legal deadline to answer a request (GDPR art. 12: one month), counted as 30 days.
pub const DEADLINE_MS: i64 = 30 * 86_400_000;

async fn customer_of(
    c: &mut store::Conn,
    actor: &Actor,
    id: i64,
) -> Result<store::customer::Customer> {
    store::customer::get(c, actor.org_id, id)
        .await?
        .ok_or(Error::NotFound("customer"))
}

/// Everything held about a customer: every row of the map, the raw messages and attachments
/// (base64), and what erasure would keep and why. Logged.
pub async fn export(store: &Store, actor: &Actor, customer_id: i64) -> Result<serde_json::Value> {
    actor.require(actor.role.can_administer())?;
    let mut tx = store.begin().await?;
    let customer = customer_of(&mut tx, actor, customer_id).await?;
    let mut data = serde_json::Map::new();
    let mut kept = serde_json::Map::new();
    for p in store::privacy::PLACES {
        let rows = store::privacy::rows(&mut tx, p, actor.org_id, customer.id).await?;
        data.insert(p.table.into(), serde_json::Value::from(rows));
        if let store::privacy::Erase::Keep(why) = p.erase {
            kept.insert(p.table.into(), why.into());
        }
    }
    let files: Vec<serde_json::Value> = store::privacy::files(&mut tx, actor.org_id, customer.id)
        .await?
        .into_iter()
        .map(|f| {
            serde_json::json!({
                "kind": f.kind, "name": f.name, "content_type": f.content_type,
                "size": f.content.len(),
                "base64": base64::engine::general_purpose::STANDARD.encode(&f.content),
            })
        })
        .collect();
    let now = now_ms();
    store::privacy::answer_requests(
        &mut tx,
        actor.org_id,
        customer.id,
        "access",
        actor.user_id,
        now,
    )
    .await?;
    store::org::audit(
        &mut tx,
        actor.org_id,
        Some(actor.user_id),
        now,
        "customer_exported",
        &format!("customer:{}", customer.id),
        "",
    )
    .await?;
    tx.commit().await?;
    Ok(serde_json::json!({
        "customer_id": customer.id,
        "exported_at": super::iso(now),
        "data": data,
        "files": files,
        "kept_on_erasure": kept,
    }))
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EraseInput {
    /// The customer's id again: erasure cannot be undone.
    pub confirm: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Erased {
    pub customer_id: i64,
    pub erased_at: String,
    /// Rows changed or removed, per table.
    pub rows: std::collections::BTreeMap<String, u64>,
}

/// Erases a customer by anonymisation: identities removed (the person is no longer recognised
/// on any channel), free text and addresses replaced, raw messages and files deleted, reviews
/// withdrawn; aggregates, measures and the records the law requires stay, anonymous. The
/// search index follows. Irreversible, confirmed by the id, logged.
pub async fn erase(
    store: &Store,
    actor: &Actor,
    customer_id: i64,
    input: &EraseInput,
) -> Result<Erased> {
    actor.require(actor.role.can_administer())?;
    if input.confirm != customer_id {
        return Err(Error::invalid(
            "confirm",
            super::Invalid::new(
                "not_confirmed",
                "repeat the customer's id to confirm: erasure cannot be undone",
            ),
        ));
    }
    let now = now_ms();
    let mut tx = store.begin().await?;
    let customer = customer_of(&mut tx, actor, customer_id).await?;
    if customer.merged_into.is_some() {
        return Err(Error::Conflict {
            code: "merged",
            message: "this record was merged: erase the customer it was merged into".into(),
        });
    }
    let empty = store::email::empty_blob(&mut tx, now).await?;
    let rows = store::privacy::erase(&mut tx, actor.org_id, customer.id, &empty, now).await?;
    store::privacy::answer_requests(
        &mut tx,
        actor.org_id,
        customer.id,
        "erasure",
        actor.user_id,
        now,
    )
    .await?;
    let rows: std::collections::BTreeMap<String, u64> =
        rows.into_iter().map(|(t, n)| (t.to_string(), n)).collect();
    store::org::audit(
        &mut tx,
        actor.org_id,
        Some(actor.user_id),
        now,
        "customer_erased",
        &format!("customer:{}", customer.id),
        &serde_json::to_string(&rows).unwrap_or_default(),
    )
    .await?;
    tx.commit().await?;
    Ok(Erased {
        customer_id: customer.id,
        erased_at: super::iso(now),
        rows,
    })
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestInput {
    /// `access` (a copy of their data) or `erasure`.
    pub kind: String,
    /// When the customer asked (RFC 3339; default now): the deadline runs from it.
    pub received_at: Option<String>,
}

/// Records a customer's request; it is due one month after it was received, and answered by the
/// export or the erasure.
pub async fn add_request(
    store: &Store,
    actor: &Actor,
    customer_id: i64,
    input: &RequestInput,
) -> Result<Request> {
    actor.require(actor.role.can_administer())?;
    let mut checks = super::Checks::default();
    if !matches!(input.kind.as_str(), "access" | "erasure") {
        checks.refuse("kind", "invalid_kind", "access or erasure");
    }
    let now = now_ms();
    let received = match input.received_at.as_deref().map(str::trim) {
        None | Some("") => Some(now),
        Some(s) => match s.parse::<jiff::Timestamp>() {
            Ok(t) if t.as_millisecond() <= now => Some(t.as_millisecond()),
            _ => {
                checks.refuse(
                    "received_at",
                    "invalid_time",
                    "an RFC 3339 time, not in the future",
                );
                None
            }
        },
    };
    checks.finish()?;
    let received = received.expect("checked");
    let mut tx = store.begin().await?;
    let customer = customer_of(&mut tx, actor, customer_id).await?;
    let due = received + DEADLINE_MS;
    let id = store::privacy::add_request(
        &mut tx,
        actor.org_id,
        customer.id,
        &input.kind,
        received,
        due,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Request {
        id,
        customer_id: customer.id,
        kind: input.kind.clone(),
        received_at: received,
        due_at: due,
        done_at: None,
    })
}

/// The organisation's requests (one customer's, when given), open ones first by deadline.
pub async fn requests(
    store: &Store,
    actor: &Actor,
    customer_id: Option<i64>,
) -> Result<Vec<Request>> {
    actor.require(actor.role.can_administer())?;
    let mut c = store.reader().await?;
    Ok(store::privacy::requests(&mut c, actor.org_id, customer_id).await?)
}
