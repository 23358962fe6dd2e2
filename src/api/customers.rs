//! Customers: the 360 view, search by identity or name, merge and unmerge.

use super::error::{ApiError, Envelope};
use super::extract::{ApiActor, ApiJson, ApiPath, ApiQuery};
use crate::app::AppState;
use crate::service::case::CaseView;
use crate::service::customer::{self, SearchQuery};
use crate::service::now_ms;
use crate::store::customer::{Customer, IdentityRow, Merge};
use crate::store::interaction::Interaction;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

#[derive(Serialize, utoipa::ToSchema)]
pub struct Customer360 {
    #[serde(flatten)]
    pub customer: Customer,
    pub identities: Vec<IdentityRow>,
    pub cases: Vec<CaseView>,
    /// Most recent first, every channel.
    pub timeline: Vec<Interaction>,
    pub merges: Vec<Merge>,
}

#[utoipa::path(get, path = "/api/v1/customers/{id}", responses((status = 200, body = Customer360), (status = 404, body = Envelope)), security(("bearer" = [])))]
pub async fn get(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Customer360>, ApiError> {
    let v = customer::view(&s.store, &actor, id).await?;
    s.reads.note(&actor, "customer", id, Some(id)).await;
    let now = now_ms();
    Ok(Json(Customer360 {
        customer: v.customer,
        identities: v.identities,
        cases: v.cases.iter().map(|c| CaseView::of(c, now)).collect(),
        timeline: v.timeline,
        merges: v.merges,
    }))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CustomerList {
    pub items: Vec<Customer>,
}

#[utoipa::path(get, path = "/api/v1/customers", params(SearchQuery),
    responses((status = 200, body = CustomerList), (status = 422, body = Envelope)), security(("bearer" = [])))]
pub async fn search(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(q): ApiQuery<SearchQuery>,
) -> Result<Json<CustomerList>, ApiError> {
    Ok(Json(CustomerList {
        items: customer::search(&s.store, &actor, &q).await?,
    }))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeInput {
    /// The duplicate, whose identities, cases and interactions move to this customer.
    pub merged_id: i64,
}

#[utoipa::path(post, path = "/api/v1/customers/{id}/merge", request_body = MergeInput,
    responses((status = 201, body = Merge), (status = 403, body = Envelope), (status = 404, body = Envelope), (status = 409, body = Envelope)), security(("bearer" = [])))]
pub async fn merge(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(m): ApiJson<MergeInput>,
) -> Result<(StatusCode, Json<Merge>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(customer::merge(&s.store, &actor, id, m.merged_id).await?),
    ))
}

#[utoipa::path(post, path = "/api/v1/merges/{id}/undo",
    responses((status = 200, body = Merge), (status = 404, body = Envelope), (status = 409, body = Envelope)), security(("bearer" = [])))]
pub async fn unmerge(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Merge>, ApiError> {
    Ok(Json(customer::unmerge(&s.store, &actor, id).await?))
}

#[utoipa::path(get, path = "/api/v1/customers/{id}/export",
    responses((status = 200, description = "everything held about the customer: rows of every table of the personal-data map, files in base64, what erasure keeps and why"),
        (status = 403, body = Envelope), (status = 404, body = Envelope)), security(("bearer" = [])))]
pub async fn export(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<axum::response::Response, ApiError> {
    let data = crate::service::privacy::export(&s.store, &actor, id).await?;
    s.reads.note(&actor, "export", id, Some(id)).await;
    Ok(crate::app::json_download(
        &format!("client-{id}.json"),
        &data,
    ))
}

#[utoipa::path(post, path = "/api/v1/customers/{id}/erase", request_body = crate::service::privacy::EraseInput,
    responses((status = 200, body = crate::service::privacy::Erased), (status = 403, body = Envelope), (status = 404, body = Envelope),
        (status = 409, body = Envelope), (status = 422, body = Envelope)), security(("bearer" = [])))]
pub async fn erase(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(i): ApiJson<crate::service::privacy::EraseInput>,
) -> Result<Json<crate::service::privacy::Erased>, ApiError> {
    Ok(Json(
        crate::service::privacy::erase(&s.store, &actor, id, &i).await?,
    ))
}

/// A request about personal data, with its deadline (RFC 3339).
#[derive(Serialize, utoipa::ToSchema)]
pub struct PrivacyRequest {
    pub id: i64,
    pub customer_id: i64,
    pub kind: String,
    pub received_at: String,
    pub due_at: String,
    pub done_at: Option<String>,
    /// Open and past its deadline.
    pub late: bool,
}

impl From<crate::service::privacy::Request> for PrivacyRequest {
    fn from(r: crate::service::privacy::Request) -> Self {
        PrivacyRequest {
            late: r.done_at.is_none() && r.due_at < now_ms(),
            id: r.id,
            customer_id: r.customer_id,
            kind: r.kind,
            received_at: crate::service::iso(r.received_at),
            due_at: crate::service::iso(r.due_at),
            done_at: r.done_at.map(crate::service::iso),
        }
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RequestQuery {
    #[serde(default, deserialize_with = "crate::service::blank_is_none")]
    pub customer_id: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/privacy-requests", params(RequestQuery),
    responses((status = 200, body = Vec<PrivacyRequest>), (status = 403, body = Envelope)), security(("bearer" = [])))]
pub async fn requests(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(q): ApiQuery<RequestQuery>,
) -> Result<Json<Vec<PrivacyRequest>>, ApiError> {
    let list = crate::service::privacy::requests(&s.store, &actor, q.customer_id).await?;
    Ok(Json(list.into_iter().map(PrivacyRequest::from).collect()))
}

#[utoipa::path(post, path = "/api/v1/customers/{id}/privacy-requests", request_body = crate::service::privacy::RequestInput,
    responses((status = 201, body = PrivacyRequest), (status = 403, body = Envelope), (status = 404, body = Envelope), (status = 422, body = Envelope)), security(("bearer" = [])))]
pub async fn add_request(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(i): ApiJson<crate::service::privacy::RequestInput>,
) -> Result<(StatusCode, Json<PrivacyRequest>), ApiError> {
    let r = crate::service::privacy::add_request(&s.store, &actor, id, &i).await?;
    Ok((StatusCode::CREATED, Json(r.into())))
}
