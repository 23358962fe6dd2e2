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
