//! The quality loop: non-conformities and their plans (analysis, actions, progress, the
//! efficacy verdict), the PAQ as CSV, indicators with their targets and values, reviews.

use super::error::{ApiError, Envelope};
use super::extract::{ApiActor, ApiJson, ApiPath, ApiQuery};
use crate::app::AppState;
use crate::service::quality::figure::Figure;
use crate::service::quality::kpi::{
    self, DecisionInput, KpiInput, KpiView, NotesInput, ReviewView, TargetInput,
};
use crate::service::quality::{
    self, ActionInput, AnalysisInput, Detail, Due, ListQuery, NcInput, Settings, SettingsInput,
    VerdictInput, detect,
};
use crate::store::quality::{Action, Kpi, Nc, Review, Target};
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};

#[utoipa::path(get, path = "/api/v1/quality/nonconformities", params(ListQuery),
    responses((status = 200, body = Vec<Nc>), (status = 422, body = Envelope)), security(("bearer" = [])))]
pub async fn list(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<Vec<Nc>>, ApiError> {
    Ok(Json(quality::list(&s.store, &a, &q, 1_000).await?))
}

/// Opens a non-conformity by hand: a complaint, an audit, a mystery visit, a field report…
#[utoipa::path(post, path = "/api/v1/quality/nonconformities", request_body = NcInput,
    responses((status = 201, body = Nc), (status = 422, body = Envelope)), security(("bearer" = [])))]
pub async fn open(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(i): ApiJson<NcInput>,
) -> Result<(StatusCode, Json<Nc>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(quality::open(&s.store, &a, &i).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/quality/nonconformities/{id}",
    responses((status = 200, body = Detail), (status = 404, body = Envelope)), security(("bearer" = [])))]
pub async fn get(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Detail>, ApiError> {
    Ok(Json(quality::detail(&s.store, &a, id).await?))
}

/// Replaces the root-cause analysis (the history keeps every version's counts).
#[utoipa::path(put, path = "/api/v1/quality/nonconformities/{id}/analysis", request_body = AnalysisInput,
    responses((status = 200, body = Nc), (status = 422, body = Envelope)), security(("bearer" = [])))]
pub async fn analyse(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(i): ApiJson<AnalysisInput>,
) -> Result<Json<Nc>, ApiError> {
    Ok(Json(quality::analyse(&s.store, &a, id, &i).await?))
}

/// Adds an action; a corrective action carries its efficacy check.
#[utoipa::path(post, path = "/api/v1/quality/nonconformities/{id}/actions", request_body = ActionInput,
    responses((status = 201, body = Action), (status = 409, body = Envelope), (status = 422, body = Envelope)), security(("bearer" = [])))]
pub async fn add_action(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(i): ApiJson<ActionInput>,
) -> Result<(StatusCode, Json<Action>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(quality::add_action(&s.store, &a, id, &i).await?),
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ReasonInput {
    pub reason: String,
}

#[utoipa::path(post, path = "/api/v1/quality/nonconformities/{id}/dismiss", request_body = ReasonInput,
    responses((status = 200, body = Nc), (status = 409, body = Envelope), (status = 422, body = Envelope)), security(("bearer" = [])))]
pub async fn dismiss(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(i): ApiJson<ReasonInput>,
) -> Result<Json<Nc>, ApiError> {
    Ok(Json(quality::dismiss(&s.store, &a, id, &i.reason).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ShareInput {
    /// The message to the customer, in plain words.
    pub body: String,
}

/// Sends the plan's outcome to the customer whose complaint started it, as a reply on the case.
#[utoipa::path(post, path = "/api/v1/quality/nonconformities/{id}/share", request_body = ShareInput,
    responses((status = 200, body = Nc), (status = 409, body = Envelope), (status = 422, body = Envelope)), security(("bearer" = [])))]
pub async fn share(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(i): ApiJson<ShareInput>,
) -> Result<Json<Nc>, ApiError> {
    Ok(Json(quality::share(&s.store, &a, id, &i.body).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ProgressInput {
    /// 0–100.
    pub pct: i64,
    #[serde(default)]
    pub note: String,
}

#[utoipa::path(post, path = "/api/v1/quality/actions/{id}/progress", request_body = ProgressInput,
    responses((status = 200, body = Action), (status = 403, body = Envelope), (status = 422, body = Envelope)), security(("bearer" = [])))]
pub async fn progress(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(i): ApiJson<ProgressInput>,
) -> Result<Json<Action>, ApiError> {
    Ok(Json(
        quality::log_progress(&s.store, &a, id, i.pct, &i.note).await?,
    ))
}

/// Confirms the efficacy (C closes, NC reopens), once the check date has come.
#[utoipa::path(post, path = "/api/v1/quality/actions/{id}/verdict", request_body = VerdictInput,
    responses((status = 200, body = Nc), (status = 409, body = Envelope), (status = 422, body = Envelope)), security(("bearer" = [])))]
pub async fn verdict(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(i): ApiJson<VerdictInput>,
) -> Result<Json<Nc>, ApiError> {
    Ok(Json(quality::confirm(&s.store, &a, id, &i).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ActionsQuery {
    /// Only the caller's (as pilot or actor).
    pub mine: Option<bool>,
}

#[utoipa::path(get, path = "/api/v1/quality/actions", params(ActionsQuery),
    responses((status = 200, body = Vec<Due>)), security(("bearer" = [])))]
pub async fn actions(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(q): ApiQuery<ActionsQuery>,
) -> Result<Json<Vec<Due>>, ApiError> {
    Ok(Json(
        quality::open_actions(&s.store, &a, q.mine.unwrap_or(false)).await?,
    ))
}

/// The PAQ with seed 001's ten columns, one row per action.
#[utoipa::path(get, path = "/api/v1/quality/paq.csv",
    responses((status = 200, content_type = "text/csv", body = String)), security(("bearer" = [])))]
pub async fn paq_csv(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
) -> Result<impl IntoResponse, ApiError> {
    let lang = crate::i18n::Lang::from_code(&a.lang);
    let csv = quality::paq_csv(&s.store, &a, lang).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"paq.csv\"",
            ),
        ],
        csv,
    ))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Detected {
    /// Non-conformities opened or reopened, and checks measured.
    pub changed: usize,
}

/// Runs the detection now for the caller's organisation (the job runs it every minute).
#[utoipa::path(post, path = "/api/v1/quality/detect",
    responses((status = 200, body = Detected), (status = 403, body = Envelope)), security(("bearer" = [])))]
pub async fn detect_now(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
) -> Result<Json<Detected>, ApiError> {
    Ok(Json(Detected {
        changed: detect::run_now(&s.store, &a).await?,
    }))
}

#[utoipa::path(get, path = "/api/v1/quality/settings",
    responses((status = 200, body = Settings)), security(("bearer" = [])))]
pub async fn settings(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
) -> Result<Json<Settings>, ApiError> {
    Ok(Json(quality::settings(&s.store, &a).await?))
}

#[utoipa::path(put, path = "/api/v1/quality/settings", request_body = SettingsInput,
    responses((status = 200, body = Settings), (status = 422, body = Envelope)), security(("bearer" = [])))]
pub async fn set_settings(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(i): ApiJson<SettingsInput>,
) -> Result<Json<Settings>, ApiError> {
    Ok(Json(quality::put_settings(&s.store, &a, &i).await?))
}

#[utoipa::path(get, path = "/api/v1/quality/indicators",
    responses((status = 200, body = Vec<KpiView>)), security(("bearer" = [])))]
pub async fn indicators(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
) -> Result<Json<Vec<KpiView>>, ApiError> {
    Ok(Json(kpi::catalogue(&s.store, &a).await?))
}

/// Adds an indicator, or updates the one with the same code.
#[utoipa::path(post, path = "/api/v1/quality/indicators", request_body = KpiInput,
    responses((status = 200, body = Kpi), (status = 422, body = Envelope)), security(("bearer" = [])))]
pub async fn put_indicator(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(i): ApiJson<KpiInput>,
) -> Result<Json<Kpi>, ApiError> {
    Ok(Json(kpi::put(&s.store, &a, &i).await?))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Installed {
    pub added: usize,
}

/// Installs the starter catalogue (codes already there are left as they are).
#[utoipa::path(post, path = "/api/v1/quality/indicators/starter",
    responses((status = 200, body = Installed)), security(("bearer" = [])))]
pub async fn starter(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
) -> Result<Json<Installed>, ApiError> {
    Ok(Json(Installed {
        added: kpi::install_starter(&s.store, &a).await?,
    }))
}

#[utoipa::path(put, path = "/api/v1/quality/indicators/{id}/target", request_body = TargetInput,
    responses((status = 200, body = Target), (status = 404, body = Envelope), (status = 422, body = Envelope)), security(("bearer" = [])))]
pub async fn set_target(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(i): ApiJson<TargetInput>,
) -> Result<Json<Target>, ApiError> {
    Ok(Json(kpi::set_target(&s.store, &a, id, &i).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ValueInput {
    /// "YYYY-MM".
    pub month: String,
    pub value: f64,
}

/// Enters a month's value of an indicator measured outside Pacte.
#[utoipa::path(put, path = "/api/v1/quality/indicators/{id}/value", request_body = ValueInput,
    responses((status = 204), (status = 404, body = Envelope), (status = 422, body = Envelope)), security(("bearer" = [])))]
pub async fn put_value(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(i): ApiJson<ValueInput>,
) -> Result<StatusCode, ApiError> {
    kpi::enter_value(&s.store, &a, id, &i.month, i.value).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryQuery {
    /// How many complete months back (1–24, default 12).
    pub months: Option<i64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MonthFigure {
    pub month: String,
    pub figure: Figure,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct History {
    pub indicator: Kpi,
    pub months: Vec<MonthFigure>,
}

#[utoipa::path(get, path = "/api/v1/quality/indicators/{id}/history", params(HistoryQuery),
    responses((status = 200, body = History), (status = 404, body = Envelope)), security(("bearer" = [])))]
pub async fn history(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<HistoryQuery>,
) -> Result<Json<History>, ApiError> {
    let (indicator, months) = kpi::history(&s.store, &a, id, q.months.unwrap_or(12)).await?;
    Ok(Json(History {
        indicator,
        months: months
            .into_iter()
            .map(|(month, figure)| MonthFigure { month, figure })
            .collect(),
    }))
}

#[utoipa::path(get, path = "/api/v1/quality/reviews",
    responses((status = 200, body = Vec<Review>)), security(("bearer" = [])))]
pub async fn reviews(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
) -> Result<Json<Vec<Review>>, ApiError> {
    Ok(Json(kpi::reviews(&s.store, &a).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ReviewInput {
    /// quarterly or monthly.
    pub kind: String,
    /// "2026-T3" (or "2026-Q3") for a quarter, "2026-10" for a month.
    pub period: String,
}

/// Opens a review of a period (or returns the one already open).
#[utoipa::path(post, path = "/api/v1/quality/reviews", request_body = ReviewInput,
    responses((status = 200, body = ReviewView), (status = 422, body = Envelope)), security(("bearer" = [])))]
pub async fn open_review(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(i): ApiJson<ReviewInput>,
) -> Result<Json<ReviewView>, ApiError> {
    Ok(Json(
        kpi::open_review(&s.store, &a, &i.kind, &i.period).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/quality/reviews/{id}",
    responses((status = 200, body = ReviewView), (status = 404, body = Envelope)), security(("bearer" = [])))]
pub async fn review(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ReviewView>, ApiError> {
    Ok(Json(kpi::review(&s.store, &a, id).await?))
}

#[utoipa::path(post, path = "/api/v1/quality/reviews/{id}/refresh",
    responses((status = 200, body = ReviewView), (status = 409, body = Envelope)), security(("bearer" = [])))]
pub async fn refresh(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ReviewView>, ApiError> {
    Ok(Json(kpi::refresh(&s.store, &a, id).await?))
}

#[utoipa::path(put, path = "/api/v1/quality/reviews/{id}/lines/{kpi_id}", request_body = DecisionInput,
    responses((status = 200, body = ReviewView), (status = 409, body = Envelope), (status = 422, body = Envelope)), security(("bearer" = [])))]
pub async fn decide(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath((id, kpi_id)): ApiPath<(i64, i64)>,
    ApiJson(i): ApiJson<DecisionInput>,
) -> Result<Json<ReviewView>, ApiError> {
    Ok(Json(kpi::decide(&s.store, &a, id, kpi_id, &i).await?))
}

#[utoipa::path(put, path = "/api/v1/quality/reviews/{id}/notes", request_body = NotesInput,
    responses((status = 200, body = ReviewView), (status = 409, body = Envelope), (status = 422, body = Envelope)), security(("bearer" = [])))]
pub async fn notes(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(i): ApiJson<NotesInput>,
) -> Result<Json<ReviewView>, ApiError> {
    Ok(Json(kpi::set_notes(&s.store, &a, id, &i).await?))
}

/// Freezes a review: every missed target has its decision; afterwards nothing changes.
#[utoipa::path(post, path = "/api/v1/quality/reviews/{id}/freeze",
    responses((status = 200, body = ReviewView), (status = 409, body = Envelope), (status = 422, body = Envelope)), security(("bearer" = [])))]
pub async fn freeze(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ReviewView>, ApiError> {
    Ok(Json(kpi::freeze(&s.store, &a, id).await?))
}
