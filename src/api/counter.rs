//! The counter queue for desks and kiosks driven by another system.

use super::error::{ApiError, Envelope};
use super::extract::{ApiActor, ApiJson, ApiPath};
use crate::app::AppState;
use crate::service::counter::{self, Issued, Queue, Ticket};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;

#[utoipa::path(get, path = "/api/v1/sites/{code}/queue", responses((status = 200, body = Queue), (status = 404, body = Envelope)), security(("bearer" = [])))]
pub async fn queue(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(code): ApiPath<String>,
) -> Result<Json<Queue>, ApiError> {
    Ok(Json(counter::queue(&s.store, a.org_id, &code).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketRequest {
    pub service_id: i64,
    pub customer_number: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/sites/{code}/tickets", request_body = TicketRequest,
    responses((status = 201, body = Issued), (status = 422, body = Envelope)), security(("bearer" = [])))]
pub async fn issue(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(code): ApiPath<String>,
    ApiJson(r): ApiJson<TicketRequest>,
) -> Result<(StatusCode, Json<Issued>), ApiError> {
    let issued = counter::issue(
        &s.store,
        a.org_id,
        &code,
        r.service_id,
        r.customer_number.as_deref(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(issued)))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CallRequest {
    pub desk: String,
    pub service_id: Option<i64>,
}

/// Calls the next waiting ticket; 204 when nobody waits.
#[utoipa::path(post, path = "/api/v1/sites/{code}/calls", request_body = CallRequest,
    responses((status = 200, body = Ticket), (status = 204), (status = 422, body = Envelope)), security(("bearer" = [])))]
pub async fn call(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(code): ApiPath<String>,
    ApiJson(r): ApiJson<CallRequest>,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    Ok(
        match counter::call_next(&s.store, &a, &code, r.service_id, &r.desk).await? {
            Some(t) => Json(t).into_response(),
            None => StatusCode::NO_CONTENT.into_response(),
        },
    )
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndRequest {
    /// false: the customer did not come.
    pub served: bool,
    pub customer_number: Option<String>,
    #[serde(default)]
    pub note: String,
    /// Solved at the counter (default true).
    pub solved: Option<bool>,
}

#[utoipa::path(post, path = "/api/v1/tickets/{id}/end", request_body = EndRequest,
    responses((status = 200, body = Ticket), (status = 409, body = Envelope), (status = 422, body = Envelope)), security(("bearer" = [])))]
pub async fn end(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(r): ApiJson<EndRequest>,
) -> Result<Json<Ticket>, ApiError> {
    Ok(Json(
        counter::end(
            &s.store,
            &a,
            id,
            r.served,
            r.customer_number.as_deref(),
            &r.note,
            r.solved.unwrap_or(true),
        )
        .await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceInput {
    /// One to three letters printed before ticket numbers.
    pub code: String,
    pub name_fr: String,
    pub name_en: String,
}

#[utoipa::path(get, path = "/api/v1/counter-services", responses((status = 200, body = Vec<crate::service::counter::Service>)), security(("bearer" = [])))]
pub async fn services(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
) -> Result<Json<Vec<crate::service::counter::Service>>, ApiError> {
    Ok(Json(counter::services(&s.store, a.org_id).await?))
}

#[utoipa::path(post, path = "/api/v1/counter-services", request_body = ServiceInput,
    responses((status = 201, body = crate::service::counter::Service), (status = 403, body = Envelope), (status = 409, body = Envelope), (status = 422, body = Envelope)), security(("bearer" = [])))]
pub async fn add_service(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(i): ApiJson<ServiceInput>,
) -> Result<(StatusCode, Json<crate::service::counter::Service>), ApiError> {
    let svc = counter::add_service(&s.store, &a, &i.code, &i.name_fr, &i.name_en).await?;
    Ok((StatusCode::CREATED, Json(svc)))
}
