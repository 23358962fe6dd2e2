//! Working cases: the inbox list, one case with its timeline, changes, replies and notes.

use super::wake::Worker;
use super::work::Work;
use super::{Actor, Error, Result, iso, parse_time, present};
use crate::domain::Invalid;
use crate::domain::case::{
    CaseKind, CaseStatus, OnceAndDone, Priority, Transition, parse_category,
};
use crate::domain::channel::Channel;
use crate::store::case::{Case, Event, Filter};
use crate::store::interaction::Interaction;
use crate::store::{self, Store};
use serde::{Deserialize, Serialize};

/// A case as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CaseView {
    pub id: i64,
    pub number: i64,
    pub customer_id: i64,
    pub kind: String,
    pub status: String,
    pub priority: String,
    pub category: Option<String>,
    pub subject: String,
    pub channel: String,
    pub site_id: Option<i64>,
    pub team_id: Option<i64>,
    pub assignee_id: Option<i64>,
    pub opened_at: String,
    pub updated_at: String,
    pub first_response_at: Option<String>,
    pub solved_at: Option<String>,
    pub closed_at: Option<String>,
    pub inbound_count: i64,
    pub outbound_count: i64,
    pub reopen_count: i64,
    /// Time spent waiting on the customer, in milliseconds.
    pub pending_ms: i64,
    pub once_and_done: OnceAndDone,
}

impl CaseView {
    pub fn of(c: &Case, now: i64) -> Self {
        CaseView {
            id: c.id,
            number: c.number,
            customer_id: c.customer_id,
            kind: c.kind.clone(),
            status: c.status.clone(),
            priority: c.priority.clone(),
            category: c.category.clone(),
            subject: c.subject.clone(),
            channel: c.channel.clone(),
            site_id: c.site_id,
            team_id: c.team_id,
            assignee_id: c.assignee_id,
            opened_at: iso(c.opened_at),
            updated_at: iso(c.updated_at),
            first_response_at: c.first_response_at.map(iso),
            solved_at: c.solved_at.map(iso),
            closed_at: c.closed_at.map(iso),
            inbound_count: c.inbound_count,
            outbound_count: c.outbound_count,
            reopen_count: c.reopen_count,
            pending_ms: c.pending_ms,
            once_and_done: c.clock().once_and_done(now),
        }
    }
}

/// Filters as they come from a query string (an empty value is no filter).
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    pub status: Option<String>,
    pub kind: Option<String>,
    /// Site code.
    pub site: Option<String>,
    #[serde(default, deserialize_with = "super::blank_is_none")]
    pub team: Option<i64>,
    /// A user id, `me` or `none`.
    pub assignee: Option<String>,
    #[serde(default, deserialize_with = "super::blank_is_none")]
    pub customer: Option<i64>,
    /// RFC 3339.
    pub updated_since: Option<String>,
    pub cursor: Option<String>,
    /// 1–200, default 50.
    #[serde(default, deserialize_with = "super::blank_is_none")]
    pub limit: Option<i64>,
}

pub struct Page {
    pub cases: Vec<Case>,
    pub next_cursor: Option<String>,
    pub counts: Vec<(String, i64)>,
}

/// One page of the organisation's cases, newest activity first.
pub async fn list(store: &Store, actor: &Actor, q: &ListQuery, with_counts: bool) -> Result<Page> {
    let mut c = store.reader().await?;
    let f = filter_of(&mut c, actor, q).await?;
    let after = match present(&q.cursor) {
        Some(cur) => Some(parse_cursor(cur)?),
        None => None,
    };
    let limit = q.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(Error::invalid(
            "limit",
            Invalid::new("invalid_limit", "limit is between 1 and 200"),
        ));
    }
    let mut cases = store::case::list(&mut c, actor.org_id, &f, after, limit + 1).await?;
    let next_cursor = if cases.len() as i64 > limit {
        cases.truncate(limit as usize);
        cases.last().map(|l| format!("{}.{}", l.updated_at, l.id))
    } else {
        None
    };
    let counts = if with_counts {
        store::case::count_by_status(&mut c, actor.org_id, &f).await?
    } else {
        Vec::new()
    };
    Ok(Page {
        cases,
        next_cursor,
        counts,
    })
}

/// The filters of a query string, checked.
async fn filter_of(c: &mut store::Conn, actor: &Actor, q: &ListQuery) -> Result<Filter> {
    let mut f = Filter::default();
    if let Some(s) = present(&q.status) {
        f.status = Some(
            CaseStatus::parse(s)
                .map_err(|e| Error::invalid("status", e))?
                .as_str()
                .into(),
        );
    }
    if let Some(k) = present(&q.kind) {
        f.kind = Some(
            CaseKind::parse(k)
                .map_err(|e| Error::invalid("kind", e))?
                .as_str()
                .into(),
        );
    }
    if let Some(code) = present(&q.site) {
        f.site_id = Some(super::site_id(c, actor.org_id, code).await?);
    }
    f.team_id = q.team;
    f.assignee_id = match present(&q.assignee) {
        None => None,
        Some("me") => Some(Some(actor.user_id)),
        Some("none") => Some(None),
        Some(id) => Some(Some(id.parse().map_err(|_| {
            Error::invalid(
                "assignee",
                Invalid::new("invalid_assignee", "assignee is a user id, me or none"),
            )
        })?)),
    };
    f.customer_id = q.customer;
    if let Some(t) = present(&q.updated_since) {
        f.updated_since = Some(parse_time("updated_since", t)?);
    }
    Ok(f)
}

/// The organisation's cases matching the filters as CSV, page after page (newest activity
/// first), so an export of any size is never whole in memory: managers and above.
pub async fn export_csv(
    store: &Store,
    actor: &Actor,
    q: &ListQuery,
) -> Result<impl futures_util::Stream<Item = Result<Vec<u8>>> + use<>> {
    actor.require(actor.role.can_read_charter())?;
    let mut c = store.reader().await?;
    let f = filter_of(&mut c, actor, q).await?;
    let users = store::org::list_users(&mut c, actor.org_id).await?;
    let teams = store::org::list_teams(&mut c, actor.org_id).await?;
    let sites = store::org::list_sites(&mut c, actor.org_id).await?;
    drop(c);
    type Names = Vec<(i64, String)>;
    let pairs: (Names, Names, Names) = (
        users.into_iter().map(|u| (u.id, u.name)).collect(),
        teams.into_iter().map(|t| (t.id, t.name)).collect(),
        sites.into_iter().map(|s| (s.id, s.code)).collect(),
    );
    let names = std::sync::Arc::new(pairs);
    struct Cursor {
        store: Store,
        org_id: i64,
        f: Filter,
        after: Option<(i64, i64)>,
        header: bool,
        done: bool,
    }
    let start = Cursor {
        store: store.clone(),
        org_id: actor.org_id,
        f,
        after: None,
        header: true,
        done: false,
    };
    Ok(futures_util::stream::unfold(start, move |mut k| {
        let names = names.clone();
        async move {
            if k.done {
                return None;
            }
            let page = async {
                let mut c = k.store.reader().await?;
                Ok::<_, Error>(store::case::list(&mut c, k.org_id, &k.f, k.after, 1_000).await?)
            }
            .await;
            let cases = match page {
                Ok(p) => p,
                Err(e) => {
                    k.done = true;
                    return Some((Err(e), k));
                }
            };
            k.done = cases.len() < 1_000;
            k.after = cases.last().map(|c| (c.updated_at, c.id));
            let mut w = csv::Writer::from_writer(Vec::new());
            if std::mem::take(&mut k.header) {
                let _ = w.write_record(EXPORT_COLUMNS);
            }
            let (users, teams, sites) = &*names;
            for c in &cases {
                let name = |id: Option<i64>, list: &[(i64, String)]| {
                    id.and_then(|id| list.iter().find(|(i, _)| *i == id))
                        .map(|(_, n)| n.clone())
                        .unwrap_or_default()
                };
                let t = |v: Option<i64>| v.map(super::iso).unwrap_or_default();
                let _ = w.write_record([
                    c.number.to_string(),
                    c.subject.clone(),
                    c.status.clone(),
                    c.kind.clone(),
                    c.priority.clone(),
                    c.category.clone().unwrap_or_default(),
                    c.channel.clone(),
                    name(c.site_id, sites),
                    name(c.team_id, teams),
                    name(c.assignee_id, users),
                    c.customer_id.to_string(),
                    super::iso(c.opened_at),
                    super::iso(c.updated_at),
                    t(c.first_response_at),
                    t(c.solved_at),
                    t(c.closed_at),
                    c.inbound_count.to_string(),
                    c.outbound_count.to_string(),
                    c.reopen_count.to_string(),
                ]);
            }
            let bytes = w.into_inner().unwrap_or_default();
            Some((Ok(bytes), k))
        }
    }))
}

/// The columns of the cases export.
pub const EXPORT_COLUMNS: [&str; 19] = [
    "number",
    "subject",
    "status",
    "kind",
    "priority",
    "category",
    "channel",
    "site",
    "team",
    "assignee",
    "customer_id",
    "opened_at",
    "updated_at",
    "first_response_at",
    "solved_at",
    "closed_at",
    "inbound_count",
    "outbound_count",
    "reopen_count",
];

fn parse_cursor(s: &str) -> Result<(i64, i64)> {
    let bad = || {
        Error::invalid(
            "cursor",
            Invalid::new("invalid_cursor", "the cursor is not one this API gave"),
        )
    };
    let (t, id) = s.split_once('.').ok_or_else(bad)?;
    Ok((
        t.parse().map_err(|_| bad())?,
        id.parse().map_err(|_| bad())?,
    ))
}

/// A case with everything an advisor needs on one screen.
pub struct Detail {
    pub case: Case,
    pub interactions: Vec<Interaction>,
    pub events: Vec<Event>,
    pub customer: crate::store::customer::Customer,
}

pub async fn get(store: &Store, actor: &Actor, id: i64) -> Result<Detail> {
    let mut c = store.reader().await?;
    let case = store::case::by_id(&mut c, actor.org_id, id)
        .await?
        .ok_or(Error::NotFound("case"))?;
    detail(&mut c, actor, case).await
}

pub async fn get_by_number(store: &Store, actor: &Actor, number: i64) -> Result<Detail> {
    let mut c = store.reader().await?;
    let case = store::case::by_number(&mut c, actor.org_id, number)
        .await?
        .ok_or(Error::NotFound("case"))?;
    detail(&mut c, actor, case).await
}

async fn detail(c: &mut store::Conn, actor: &Actor, case: Case) -> Result<Detail> {
    let interactions = store::interaction::of_case(c, case.id).await?;
    // The opening is the case itself; it is not stored twice.
    let opened = Event {
        at: case.opened_at,
        kind: "opened".into(),
        actor_user_id: None,
        detail: case.channel.clone(),
    };
    let events = std::iter::once(opened)
        .chain(store::case::events(c, case.id).await?)
        .collect();
    let customer = store::customer::get(c, actor.org_id, case.customer_id)
        .await?
        .ok_or(Error::NotFound("customer"))?;
    Ok(Detail {
        case,
        interactions,
        events,
        customer,
    })
}

/// Changes an advisor may make; absent fields stay as they are.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CasePatch {
    pub status: Option<String>,
    /// A user id; `0` unassigns.
    pub assignee_id: Option<i64>,
    pub team_id: Option<i64>,
    pub kind: Option<String>,
    pub category: Option<String>,
    pub priority: Option<String>,
}

pub async fn update(store: &Store, actor: &Actor, id: i64, patch: &CasePatch) -> Result<Case> {
    let mut errors = Vec::new();
    let mut field = |name: &str, r: std::result::Result<String, Invalid>| match r {
        Ok(v) => Some(v),
        Err(e) => {
            errors.push(super::FieldError::new(name, e));
            None
        }
    };
    let status = patch
        .status
        .as_deref()
        .and_then(|s| field("status", CaseStatus::parse(s).map(|s| s.as_str().into())));
    let kind = patch
        .kind
        .as_deref()
        .and_then(|s| field("kind", CaseKind::parse(s).map(|s| s.as_str().into())));
    let priority = patch
        .priority
        .as_deref()
        .and_then(|s| field("priority", Priority::parse(s).map(|s| s.as_str().into())));
    let category = match patch.category.as_deref().map(parse_category) {
        Some(Ok(c)) => Some(c),
        Some(Err(e)) => {
            errors.push(super::FieldError::new("category", e));
            None
        }
        None => None,
    };
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let mut tx = Work::begin(store).await?;
    let now = tx.now;
    let mut case = store::case::by_id(&mut tx, actor.org_id, id)
        .await?
        .ok_or(Error::NotFound("case"))?;
    let before = case.state();
    if let Some(a) = patch.assignee_id {
        if a == 0 {
            case.assignee_id = None;
        } else {
            store::org::user_in_org(&mut tx, actor.org_id, a)
                .await?
                .ok_or_else(|| {
                    Error::invalid(
                        "assignee_id",
                        Invalid::new("unknown_user", format!("no user has the id {a}")),
                    )
                })?;
            case.assignee_id = Some(a);
        }
        store::case::add_event(
            &mut tx,
            actor.org_id,
            id,
            now,
            "assigned",
            Some(actor.user_id),
            &case.assignee_id.map(|a| a.to_string()).unwrap_or_default(),
        )
        .await?;
    }
    if let Some(t) = patch.team_id {
        if t == 0 {
            case.team_id = None;
        } else {
            super::check_team(&mut tx, actor.org_id, t).await?;
            case.team_id = Some(t);
        }
    }
    if let Some(k) = kind {
        case.kind = k;
    }
    if let Some(p) = priority {
        case.priority = p;
    }
    if let Some(c) = category {
        case.category = c;
    }
    store::case::save_fields(&mut tx, &case).await?;
    let mut after = case.state();
    if let Some(s) = status {
        let to = CaseStatus::parse(&s).expect("checked");
        set_status(&mut tx, actor, id, &mut after.clock, to, now).await?;
    }
    // Kind, category or status may change which commitments run and when the case is due.
    tx.save_case(actor.org_id, &before, &mut after).await?;
    store::org::audit(
        &mut tx,
        actor.org_id,
        Some(actor.user_id),
        now,
        "case.update",
        &format!("case:{id}"),
        "",
    )
    .await?;
    let case = store::case::by_id(&mut tx, actor.org_id, id)
        .await?
        .ok_or(Error::NotFound("case"))?;
    tx.commit().await?;
    Ok(case)
}

/// A reply to the customer, or an internal note.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplyInput {
    pub body: String,
    /// Defaults to the channel the case came on.
    pub channel: Option<String>,
    #[serde(default)]
    pub note: bool,
    /// Status to set after replying (e.g. pending, solved).
    pub status: Option<String>,
}

pub async fn reply(store: &Store, actor: &Actor, id: i64, input: &ReplyInput) -> Result<i64> {
    let body = input.body.trim();
    if body.is_empty() {
        return Err(Error::invalid(
            "body",
            Invalid::new("required", "the reply is empty"),
        ));
    }
    if body.chars().count() > super::ingest::MAX_BODY_CHARS {
        return Err(Error::invalid(
            "body",
            Invalid::new("too_long", "the reply is too long"),
        ));
    }
    let channel = match input.channel.as_deref().filter(|c| !c.is_empty()) {
        Some(ch) => Some(Channel::parse(ch).map_err(|e| Error::invalid("channel", e))?),
        None => None,
    };
    let status = match input.status.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => Some(CaseStatus::parse(s).map_err(|e| Error::invalid("status", e))?),
        None => None,
    };
    let mut tx = Work::begin(store).await?;
    let now = tx.now;
    let case = store::case::by_id(&mut tx, actor.org_id, id)
        .await?
        .ok_or(Error::NotFound("case"))?;
    let channel = channel
        .map(|c| c.as_str().to_string())
        .unwrap_or(case.channel.clone());
    let mut clock = case.clock();
    clock.on_outbound(now, input.note);
    let interaction = store::interaction::insert(
        &mut tx,
        actor.org_id,
        &store::interaction::NewInteraction {
            customer_id: case.customer_id,
            case_id: id,
            channel: &channel,
            direction: "outbound",
            occurred_at: now,
            author_user_id: Some(actor.user_id),
            is_note: input.note,
            subject: None,
            body,
            site_id: case.site_id,
            queued_at: None,
            answered_at: None,
            attachments: "[]",
            external_id: None,
        },
        now,
    )
    .await?;
    if channel == Channel::Email.as_str() && !input.note {
        match super::email::outbound::queue_reply_in(
            &mut tx,
            &case,
            interaction,
            &actor.name,
            body,
            now,
        )
        .await?
        {
            Ok(_) => tx.wake(Worker::Mail),
            Err(reason) => {
                store::case::add_event(
                    &mut tx,
                    actor.org_id,
                    id,
                    now,
                    "email_not_sent",
                    Some(actor.user_id),
                    reason,
                )
                .await?;
            }
        }
    }
    if let Some(to) = status {
        set_status(&mut tx, actor, id, &mut clock, to, now).await?;
    }
    let before = case.state();
    let mut after = crate::domain::case::CaseState {
        clock,
        ..before.clone()
    };
    tx.save_case(actor.org_id, &before, &mut after).await?;
    if !input.note {
        store::case::assign_if_unassigned(&mut tx, id, actor.user_id).await?;
    }
    tx.commit().await?;
    Ok(interaction)
}

/// Moves the clock to a status an advisor chose and logs the change (a reopening as such).
async fn set_status(
    c: &mut store::Conn,
    actor: &Actor,
    case_id: i64,
    clock: &mut crate::domain::case::CaseClock,
    to: CaseStatus,
    now: i64,
) -> Result<()> {
    if let Some(t) = clock.set_status(to, now) {
        let kind = if t == Transition::Reopened {
            "reopened"
        } else {
            "status"
        };
        store::case::add_event(
            c,
            actor.org_id,
            case_id,
            now,
            kind,
            Some(actor.user_id),
            to.as_str(),
        )
        .await?;
    }
    Ok(())
}
