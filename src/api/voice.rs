//! The voice of the customer over HTTP: surveys and their figures, answers recorded by an
//! integrator, verbatim rules and irritants, call-back tasks, alerts, and reviews (purchase
//! invitations, replies, moderation).

use super::error::{ApiError, Envelope};
use super::extract::{ApiActor, ApiJson, ApiPath, ApiQuery};
use crate::app::AppState;
use crate::service::review::{self, Invited, PurchaseInput};
use crate::service::survey::figures::{self, Figures, Mapping, Query};
use crate::service::survey::import::{self, AnswerRecord};
use crate::service::survey::{self, CaseVoice, Settings, SurveyInput};
use crate::service::verbatim::{self, Irritant, RuleInput};
use crate::store::review::Review;
use crate::store::survey::{Alert, Response, RuleRow, Survey, Task};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;

#[utoipa::path(get, path = "/api/v1/surveys", responses((status = 200, body = [Survey])), security(("bearer" = [])))]
pub async fn list(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
) -> Result<Json<Vec<Survey>>, ApiError> {
    Ok(Json(survey::list(&s.store, &a).await?))
}

#[utoipa::path(post, path = "/api/v1/surveys", request_body = SurveyInput,
    responses((status = 201, body = Survey), (status = 422, body = Envelope)), security(("bearer" = [])))]
pub async fn create(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(input): ApiJson<SurveyInput>,
) -> Result<(StatusCode, Json<Survey>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(survey::create(&s.store, &a, &input).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/surveys/{id}", responses((status = 200, body = Survey), (status = 404, body = Envelope)), security(("bearer" = [])))]
pub async fn get(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Survey>, ApiError> {
    Ok(Json(survey::get(&s.store, &a, id).await?))
}

#[utoipa::path(put, path = "/api/v1/surveys/{id}", request_body = SurveyInput,
    responses((status = 200, body = Survey), (status = 422, body = Envelope)), security(("bearer" = [])))]
pub async fn update(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<SurveyInput>,
) -> Result<Json<Survey>, ApiError> {
    Ok(Json(survey::update(&s.store, &a, id, &input).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SendInput {
    pub sample_size: i64,
}

/// Schedules the survey now for a random sample of reachable customers (fatigue rule and
/// opt-outs apply); answers how many were scheduled.
#[utoipa::path(post, path = "/api/v1/surveys/{id}/send", request_body = SendInput,
    responses((status = 202, body = Object), (status = 422, body = Envelope)), security(("bearer" = [])))]
pub async fn send(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<SendInput>,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    let n = survey::send_sample(&s.store, &a, id, input.sample_size).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(serde_json::json!({ "scheduled": n })),
    ))
}

#[utoipa::path(get, path = "/api/v1/surveys/{id}/figures", params(Query),
    responses((status = 200, body = Figures), (status = 422, body = Envelope)), security(("bearer" = [])))]
pub async fn figures(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<Query>,
) -> Result<Json<Figures>, ApiError> {
    Ok(Json(figures::figures(&s.store, &a, id, &q).await?))
}

#[utoipa::path(get, path = "/api/v1/surveys/{id}/mapping", params(Query),
    responses((status = 200, body = Mapping)), security(("bearer" = [])))]
pub async fn mapping(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<Query>,
) -> Result<Json<Mapping>, ApiError> {
    let lang = crate::i18n::Lang::from_code(&a.lang);
    Ok(Json(figures::mapping(&s.store, &a, id, &q, lang).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Limit {
    pub limit: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/surveys/{id}/responses", params(Limit),
    responses((status = 200, body = [Response])), security(("bearer" = [])))]
pub async fn responses(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(l): ApiQuery<Limit>,
) -> Result<Json<Vec<Response>>, ApiError> {
    Ok(Json(
        survey::responses(&s.store, &a, id, l.limit.unwrap_or(100)).await?,
    ))
}

/// Records one answer collected elsewhere. 201 when recorded, 200 when its `external_id` was
/// recorded before, 422 with every refused field.
#[utoipa::path(post, path = "/api/v1/surveys/{id}/responses", request_body = AnswerRecord,
    responses((status = 201, body = Object), (status = 200, body = Object), (status = 422, body = Envelope)), security(("bearer" = [])))]
pub async fn record(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(r): ApiJson<AnswerRecord>,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    Ok(match import::record_one(&s.store, &a, id, &r).await? {
        Some(rid) => (
            StatusCode::CREATED,
            Json(serde_json::json!({ "id": rid, "duplicate": false })),
        ),
        None => (
            StatusCode::OK,
            Json(serde_json::json!({ "duplicate": true })),
        ),
    })
}

#[utoipa::path(get, path = "/api/v1/cases/{id}/surveys", responses((status = 200, body = CaseVoice)), security(("bearer" = [])))]
pub async fn case_voice(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<CaseVoice>, ApiError> {
    Ok(Json(
        survey::of_case(&s.store, &a, id, &s.config.public_base()).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/customers/{id}/surveys", responses((status = 200, body = crate::service::survey::CustomerVoice)), security(("bearer" = [])))]
pub async fn customer_voice(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<crate::service::survey::CustomerVoice>, ApiError> {
    Ok(Json(
        survey::of_customer(&s.store, &a, id, &s.config.public_base()).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/voice/settings", responses((status = 200, body = Settings)), security(("bearer" = [])))]
pub async fn settings(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
) -> Result<Json<Settings>, ApiError> {
    Ok(Json(survey::settings(&s.store, &a).await?))
}

#[utoipa::path(put, path = "/api/v1/voice/settings", request_body = Settings,
    responses((status = 200, body = Settings), (status = 422, body = Envelope)), security(("bearer" = [])))]
pub async fn set_settings(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(input): ApiJson<Settings>,
) -> Result<Json<Settings>, ApiError> {
    Ok(Json(survey::set_settings(&s.store, &a, &input).await?))
}

#[utoipa::path(get, path = "/api/v1/voice/alerts", params(Limit), responses((status = 200, body = [Alert])), security(("bearer" = [])))]
pub async fn alerts(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(l): ApiQuery<Limit>,
) -> Result<Json<Vec<Alert>>, ApiError> {
    Ok(Json(
        survey::alerts(&s.store, &a, l.limit.unwrap_or(100)).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/voice/alerts/{id}/seen", responses((status = 204), (status = 409, body = Envelope)), security(("bearer" = [])))]
pub async fn alert_seen(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    survey::alert_seen(&s.store, &a, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/verbatim-rules", responses((status = 200, body = [RuleRow])), security(("bearer" = [])))]
pub async fn rules(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
) -> Result<Json<Vec<RuleRow>>, ApiError> {
    Ok(Json(verbatim::rules(&s.store, &a).await?))
}

/// Adds or replaces a theme rule; every answer is re-tagged (answers how many were read).
#[utoipa::path(put, path = "/api/v1/verbatim-rules", request_body = RuleInput,
    responses((status = 200, body = Object), (status = 422, body = Envelope)), security(("bearer" = [])))]
pub async fn put_rule(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(r): ApiJson<RuleInput>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let n = verbatim::put_rule(&s.store, &a, &r).await?;
    Ok(Json(serde_json::json!({ "retagged": n })))
}

#[utoipa::path(delete, path = "/api/v1/verbatim-rules/{id}", responses((status = 200, body = Object), (status = 404, body = Envelope)), security(("bearer" = [])))]
pub async fn delete_rule(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let n = verbatim::delete_rule(&s.store, &a, id).await?;
    Ok(Json(serde_json::json!({ "retagged": n })))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Period {
    pub from: Option<String>,
    pub to: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/verbatims/irritants", params(Period), responses((status = 200, body = [Irritant])), security(("bearer" = [])))]
pub async fn irritants(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(p): ApiQuery<Period>,
) -> Result<Json<Vec<Irritant>>, ApiError> {
    let q = Query {
        from: p.from,
        to: p.to,
        by: None,
    };
    Ok(Json(verbatim::irritants(&s.store, &a, &q, 10).await?))
}

#[utoipa::path(get, path = "/api/v1/tasks", responses((status = 200, body = [Task])), security(("bearer" = [])))]
pub async fn tasks(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
) -> Result<Json<Vec<Task>>, ApiError> {
    Ok(Json(survey::open_tasks(&s.store, &a).await?))
}

#[utoipa::path(post, path = "/api/v1/tasks/{id}/done", responses((status = 204), (status = 409, body = Envelope)), security(("bearer" = [])))]
pub async fn task_done(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    survey::complete_task(&s.store, &a, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Records a purchase and invites its customer to review it (valid 50 days after the
/// purchase; one invitation per reference: a retry records nothing twice).
#[utoipa::path(post, path = "/api/v1/review-invitations", request_body = PurchaseInput,
    responses((status = 201, body = Invited), (status = 200, body = Invited), (status = 422, body = Envelope)), security(("bearer" = [])))]
pub async fn invite(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(p): ApiJson<PurchaseInput>,
) -> Result<(StatusCode, Json<Invited>), ApiError> {
    let r = review::invite_purchase(&s.store, &a, &p, &s.config.public_base()).await?;
    let status = if r.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(r)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReviewFilter {
    /// published | rejected | withdrawn
    pub status: Option<String>,
    pub limit: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/reviews", params(ReviewFilter), responses((status = 200, body = [Review])), security(("bearer" = [])))]
pub async fn reviews(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(f): ApiQuery<ReviewFilter>,
) -> Result<Json<Vec<Review>>, ApiError> {
    Ok(Json(
        review::list(&s.store, &a, f.status.as_deref(), f.limit.unwrap_or(100)).await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewReplyInput {
    pub reply: String,
}

#[utoipa::path(post, path = "/api/v1/reviews/{id}/reply", request_body = ReviewReplyInput,
    responses((status = 200, body = Review), (status = 422, body = Envelope)), security(("bearer" = [])))]
pub async fn reply(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(r): ApiJson<ReviewReplyInput>,
) -> Result<Json<Review>, ApiError> {
    Ok(Json(review::reply(&s.store, &a, id, &r.reply).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RejectInput {
    /// insulting | personal_data | unrelated | unlawful | commercial
    pub reason: String,
}

#[utoipa::path(post, path = "/api/v1/reviews/{id}/reject", request_body = RejectInput,
    responses((status = 200, body = Review), (status = 409, body = Envelope), (status = 422, body = Envelope)), security(("bearer" = [])))]
pub async fn reject(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(r): ApiJson<RejectInput>,
) -> Result<Json<Review>, ApiError> {
    Ok(Json(review::reject(&s.store, &a, id, &r.reason).await?))
}
