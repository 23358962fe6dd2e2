//! Customer search and the customer 360 page.

use super::WebPath;
use super::error::OrPage;
use super::view::{CaseRow, Shell};
use super::{PageLang, WebError, WebUser};
use crate::app::AppState;
use crate::service::customer;
use crate::service::org;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::State;
use axum::response::Redirect;
use serde::Deserialize;

/// Customers are found by the search (any part of a name, any identity): this page sends there.
pub async fn search(_: WebUser, PageLang(l): PageLang, uri: axum::http::Uri) -> Redirect {
    let q = uri
        .query()
        .and_then(|q| {
            form_urlencoded::parse(q.as_bytes())
                .find(|(k, _)| k == "q")
                .map(|(_, v)| v.into_owned())
        })
        .unwrap_or_default();
    Redirect::to(&format!(
        "/search?kind=customer&lang={}&q={}",
        l.code(),
        super::url_encode(&q)
    ))
}

pub struct Contact {
    inbound: bool,
    note: bool,
    channel: String,
    channel_label: String,
    at: String,
    case_number: i64,
    text: String,
}

pub struct MergeRow {
    id: i64,
    kept_id: i64,
    merged_id: i64,
    at: String,
    undone: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "customer.html")]
pub struct CustomerPage {
    s: Shell,
    /// Survey answers and reviews of this customer.
    voice: crate::service::survey::CustomerVoice,
    id: i64,
    name: String,
    merged_into: Option<i64>,
    since: String,
    last_contact: String,
    identities: Vec<(String, String)>,
    cases: Vec<CaseRow>,
    contacts: Vec<Contact>,
    merges: Vec<MergeRow>,
    can_merge: bool,
    /// When their data was erased.
    erased: Option<String>,
    /// Export, erasure and requests (administrators).
    can_privacy: bool,
    requests: Vec<RequestRow>,
}

/// A customer's request about their data, as the page shows it.
pub struct RequestRow {
    kind: String,
    received: String,
    /// "due by …", "late", or "answered on …".
    state: String,
    late: bool,
}

pub async fn page(
    State(st): State<AppState>,
    u: WebUser,
    WebPath(id): WebPath<i64>,
) -> Result<CustomerPage, WebError> {
    let l = u.lang;
    let v = customer::view(&st.store, &u.actor, id).await.web(l)?;
    st.reads.note(&u.actor, "customer", id, Some(id)).await;
    let voice =
        crate::service::survey::of_customer(&st.store, &u.actor, id, &st.config.public_base())
            .await
            .web(l)?;
    let users = org::list_users(&st.store, &u.actor).await.web(l)?;
    let can_privacy = u.actor.role.can_administer();
    let now = crate::service::now_ms();
    let requests = if can_privacy {
        crate::service::privacy::requests(&st.store, &u.actor, Some(id))
            .await
            .web(l)?
            .into_iter()
            .map(|r| RequestRow {
                kind: l.t(&format!("privacy.kind.{}", r.kind)).to_string(),
                received: l.date(r.received_at),
                late: r.done_at.is_none() && r.due_at < now,
                state: match r.done_at {
                    Some(d) => format!("{} {}", l.t("privacy.answered"), l.date(d)),
                    None if r.due_at < now => format!(
                        "{} ({} {})",
                        l.t("privacy.late"),
                        l.t("privacy.due"),
                        l.date(r.due_at)
                    ),
                    None => format!("{} {}", l.t("privacy.due"), l.date(r.due_at)),
                },
            })
            .collect()
    } else {
        Vec::new()
    };
    let number_of = |case_id: i64| {
        v.cases
            .iter()
            .find(|c| c.id == case_id)
            .map_or(0, |c| c.number)
    };
    Ok(CustomerPage {
        voice,
        id,
        name: v
            .customer
            .display_name
            .clone()
            .unwrap_or_else(|| l.t("customer.unnamed").to_string()),
        merged_into: v.customer.merged_into,
        since: l.datetime(v.customer.created_at),
        last_contact: l.datetime(v.customer.last_contact_at),
        identities: v
            .identities
            .iter()
            .map(|i| {
                (
                    l.t(&format!("identity.{}", i.kind)).to_string(),
                    i.value.clone(),
                )
            })
            .collect(),
        cases: v.cases.iter().map(|c| CaseRow::of(c, l, &users)).collect(),
        contacts: v
            .timeline
            .iter()
            .map(|i| Contact {
                inbound: i.direction == "inbound",
                note: i.is_note != 0,
                channel: i.channel.clone(),
                channel_label: l.t(&format!("channel.{}", i.channel)).to_string(),
                at: l.datetime(i.occurred_at),
                case_number: number_of(i.case_id),
                text: i
                    .subject
                    .clone()
                    .filter(|s| !s.is_empty())
                    .unwrap_or_else(|| i.body.chars().take(140).collect()),
            })
            .collect(),
        merges: v
            .merges
            .iter()
            .map(|m| MergeRow {
                id: m.id,
                kept_id: m.kept_id,
                merged_id: m.merged_id,
                at: l.datetime(m.at),
                undone: m.undone_at.is_some(),
            })
            .collect(),
        can_merge: u.actor.role.can_merge_customers(),
        erased: v.customer.erased_at.map(|t| l.datetime(t)),
        can_privacy,
        requests,
        s: Shell::of(&u),
    })
}

#[derive(Deserialize)]
pub struct ExportForm {
    csrf: String,
}

/// By POST with the form token: an export answers the customer's access request and is logged,
/// which a link from another site must not trigger.
pub async fn export(
    State(st): State<AppState>,
    u: WebUser,
    WebPath(id): WebPath<i64>,
    Form(f): Form<ExportForm>,
) -> Result<axum::response::Response, WebError> {
    u.check_csrf(&f.csrf)?;
    let data = crate::service::privacy::export(&st.store, &u.actor, id)
        .await
        .web(u.lang)?;
    st.reads.note(&u.actor, "export", id, Some(id)).await;
    Ok(crate::app::json_download(
        &format!("client-{id}.json"),
        &data,
    ))
}

#[derive(Deserialize)]
pub struct EraseForm {
    csrf: String,
    #[serde(default, deserialize_with = "crate::service::blank_is_none")]
    confirm: Option<i64>,
}

pub async fn erase(
    State(st): State<AppState>,
    u: WebUser,
    WebPath(id): WebPath<i64>,
    Form(f): Form<EraseForm>,
) -> Result<Redirect, WebError> {
    u.check_csrf(&f.csrf)?;
    let input = crate::service::privacy::EraseInput {
        confirm: f.confirm.unwrap_or(0),
    };
    crate::service::privacy::erase(&st.store, &u.actor, id, &input)
        .await
        .web(u.lang)?;
    Ok(Redirect::to(&format!("/customers/{id}?done=erased")))
}

#[derive(Deserialize)]
pub struct RequestForm {
    csrf: String,
    kind: String,
    /// A day (YYYY-MM-DD), in the organisation's time; empty: today.
    #[serde(default)]
    received: String,
}

pub async fn add_request(
    State(st): State<AppState>,
    u: WebUser,
    WebPath(id): WebPath<i64>,
    Form(f): Form<RequestForm>,
) -> Result<Redirect, WebError> {
    u.check_csrf(&f.csrf)?;
    // A day: its noon, or now for today's (a time ahead is refused).
    let received = f.received.trim();
    let received_at = (!received.is_empty()).then(|| {
        let noon = format!("{received}T12:00:00Z");
        match noon.parse::<jiff::Timestamp>() {
            Ok(t) if t.as_millisecond() > crate::service::now_ms() => {
                crate::service::iso(crate::service::now_ms())
            }
            _ => noon,
        }
    });
    let input = crate::service::privacy::RequestInput {
        kind: f.kind,
        received_at,
    };
    crate::service::privacy::add_request(&st.store, &u.actor, id, &input)
        .await
        .web(u.lang)?;
    Ok(Redirect::to(&format!("/customers/{id}?done=request_added")))
}

#[derive(Deserialize)]
pub struct MergeForm {
    csrf: String,
    merged_id: i64,
}

pub async fn merge(
    State(st): State<AppState>,
    u: WebUser,
    WebPath(id): WebPath<i64>,
    Form(f): Form<MergeForm>,
) -> Result<Redirect, WebError> {
    u.check_csrf(&f.csrf)?;
    customer::merge(&st.store, &u.actor, id, f.merged_id)
        .await
        .web(u.lang)?;
    Ok(Redirect::to(&format!("/customers/{id}?done=merged")))
}

#[derive(Deserialize)]
pub struct UndoForm {
    csrf: String,
}

pub async fn unmerge(
    State(st): State<AppState>,
    u: WebUser,
    WebPath(id): WebPath<i64>,
    Form(f): Form<UndoForm>,
) -> Result<Redirect, WebError> {
    u.check_csrf(&f.csrf)?;
    let m = customer::unmerge(&st.store, &u.actor, id)
        .await
        .web(u.lang)?;
    Ok(Redirect::to(&format!(
        "/customers/{}?done=unmerged",
        m.kept_id
    )))
}
