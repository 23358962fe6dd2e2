//! The charter: commitments (define, backtest, publish), results, open cases at risk,
//! compensations and non-conformities.

use super::error::{ApiError, Envelope};
use super::extract::{ApiActor, ApiJson, ApiPath, ApiQuery};
use crate::app::AppState;
use crate::service::charter::compensation::{self, Compensation, Nonconformity};
use crate::service::charter::{
    self, AtRisk, Backtest, CommitmentInput, CommitmentResults, CommitmentView,
};
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde::Deserialize;

#[utoipa::path(get, path = "/api/v1/commitments", responses((status = 200, body = Vec<CommitmentView>)), security(("bearer" = [])))]
pub async fn list(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
) -> Result<Json<Vec<CommitmentView>>, ApiError> {
    Ok(Json(charter::list(&s.store, &a).await?))
}

#[utoipa::path(post, path = "/api/v1/commitments", request_body = CommitmentInput,
    responses((status = 201, body = CommitmentView), (status = 403, body = Envelope), (status = 422, body = Envelope)), security(("bearer" = [])))]
pub async fn create(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(i): ApiJson<CommitmentInput>,
) -> Result<(StatusCode, Json<CommitmentView>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(charter::create(&s.store, &a, &i).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/commitments/{id}", responses((status = 200, body = CommitmentView), (status = 404, body = Envelope)), security(("bearer" = [])))]
pub async fn get(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<CommitmentView>, ApiError> {
    Ok(Json(charter::get(&s.store, &a, id).await?))
}

/// A draft is edited in place; a published commitment gets a new draft version.
#[utoipa::path(put, path = "/api/v1/commitments/{id}", request_body = CommitmentInput,
    responses((status = 200, body = CommitmentView), (status = 409, body = Envelope), (status = 422, body = Envelope)), security(("bearer" = [])))]
pub async fn update(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(i): ApiJson<CommitmentInput>,
) -> Result<Json<CommitmentView>, ApiError> {
    Ok(Json(charter::update(&s.store, &a, id, &i).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BacktestQuery {
    /// How many months back (1–36); 12 by default.
    pub months: Option<i64>,
}

#[utoipa::path(post, path = "/api/v1/commitments/{id}/backtest", params(BacktestQuery),
    responses((status = 200, body = Backtest), (status = 422, body = Envelope)), security(("bearer" = [])))]
pub async fn backtest(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<BacktestQuery>,
) -> Result<Json<Backtest>, ApiError> {
    Ok(Json(
        charter::backtest(&s.store, &a, id, q.months.unwrap_or(12)).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/commitments/{id}/publish",
    responses((status = 200, body = CommitmentView), (status = 409, body = Envelope), (status = 422, body = Envelope)), security(("bearer" = [])))]
pub async fn publish(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<CommitmentView>, ApiError> {
    Ok(Json(charter::publish(&s.store, &a, id).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ResultsQuery {
    /// How many periods back (1–60); 12 by default.
    pub periods: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/charter/results", params(ResultsQuery), responses((status = 200, body = Vec<CommitmentResults>)), security(("bearer" = [])))]
pub async fn results(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(q): ApiQuery<ResultsQuery>,
) -> Result<Json<Vec<CommitmentResults>>, ApiError> {
    Ok(Json(
        charter::results(&s.store, &a, q.periods.unwrap_or(12)).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/charter/at-risk", responses((status = 200, body = Vec<AtRisk>)), security(("bearer" = [])))]
pub async fn at_risk(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
) -> Result<Json<Vec<AtRisk>>, ApiError> {
    Ok(Json(charter::at_risk(&s.store, &a, 100).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CompensationQuery {
    /// granted, proposed or refused
    pub status: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/compensations", params(CompensationQuery), responses((status = 200, body = Vec<Compensation>)), security(("bearer" = [])))]
pub async fn compensations(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(q): ApiQuery<CompensationQuery>,
) -> Result<Json<Vec<Compensation>>, ApiError> {
    Ok(Json(
        compensation::list(&s.store, &a, q.status.as_deref(), 1000).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/compensations.csv", responses((status = 200, content_type = "text/csv")), security(("bearer" = [])))]
pub async fn compensations_csv(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
) -> Result<impl IntoResponse, ApiError> {
    Ok((
        [(header::CONTENT_TYPE, "text/csv; charset=utf-8")],
        compensation::csv(&s.store, &a).await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    pub grant: bool,
}

#[utoipa::path(post, path = "/api/v1/compensations/{id}/decision", request_body = Decision,
    responses((status = 200, body = Compensation), (status = 403, body = Envelope), (status = 409, body = Envelope)), security(("bearer" = [])))]
pub async fn decide(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(d): ApiJson<Decision>,
) -> Result<Json<Compensation>, ApiError> {
    Ok(Json(compensation::decide(&s.store, &a, id, d.grant).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Limit {
    pub limit_cents: i64,
}

/// How much a role (or `rule`: a commitment by itself) may grant.
#[utoipa::path(put, path = "/api/v1/compensation-limits/{role}", request_body = Limit,
    responses((status = 204), (status = 403, body = Envelope), (status = 422, body = Envelope)), security(("bearer" = [])))]
pub async fn set_limit(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(role): ApiPath<String>,
    ApiJson(l): ApiJson<Limit>,
) -> Result<StatusCode, ApiError> {
    compensation::set_limit(&s.store, &a, &role, l.limit_cents).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/nonconformities", responses((status = 200, body = Vec<Nonconformity>)), security(("bearer" = [])))]
pub async fn nonconformities(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
) -> Result<Json<Vec<Nonconformity>>, ApiError> {
    Ok(Json(
        compensation::nonconformities(&s.store, &a, 500).await?,
    ))
}
