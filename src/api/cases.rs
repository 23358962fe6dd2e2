//! Cases: list with filters and cursor, get with timeline, patch, reply.

use super::error::{ApiError, Envelope};
use super::extract::{ApiActor, ApiJson, ApiPath, ApiQuery};
use crate::app::AppState;
use crate::service::case::{self, CasePatch, CaseView, ListQuery, ReplyInput};
use crate::service::now_ms;
use crate::store::case::Event;
use crate::store::interaction::Interaction;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;

#[derive(Serialize, utoipa::ToSchema)]
pub struct CasePage {
    pub items: Vec<CaseView>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/cases", params(ListQuery),
    responses((status = 200, body = CasePage), (status = 400, body = Envelope), (status = 422, body = Envelope)), security(("bearer" = [])))]
pub async fn list(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<CasePage>, ApiError> {
    let page = case::list(&s.store, &actor, &q, false).await?;
    let now = now_ms();
    Ok(Json(CasePage {
        items: page.cases.iter().map(|c| CaseView::of(c, now)).collect(),
        next_cursor: page.next_cursor,
    }))
}

#[utoipa::path(get, path = "/api/v1/cases.csv", params(ListQuery),
    responses((status = 200, description = "every matching case, newest activity first (streamed)", content_type = "text/csv"),
        (status = 403, body = Envelope), (status = 422, body = Envelope)), security(("bearer" = [])))]
pub async fn export(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<axum::response::Response, ApiError> {
    let rows = case::export_csv(&s.store, &actor, &q).await?;
    Ok(crate::app::csv_download("cases.csv", rows))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CaseDetail {
    #[serde(flatten)]
    pub case: CaseView,
    pub interactions: Vec<Interaction>,
    pub events: Vec<Event>,
}

#[utoipa::path(get, path = "/api/v1/cases/{id}", responses((status = 200, body = CaseDetail), (status = 404, body = Envelope)), security(("bearer" = [])))]
pub async fn get(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<CaseDetail>, ApiError> {
    let d = case::get(&s.store, &actor, id).await?;
    s.reads
        .note(&actor, "case", d.case.id, Some(d.case.customer_id))
        .await;
    Ok(Json(CaseDetail {
        case: CaseView::of(&d.case, now_ms()),
        interactions: d.interactions,
        events: d.events,
    }))
}

#[utoipa::path(patch, path = "/api/v1/cases/{id}", request_body = CasePatch,
    responses((status = 200, body = CaseView), (status = 404, body = Envelope), (status = 422, body = Envelope)), security(("bearer" = [])))]
pub async fn update(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(patch): ApiJson<CasePatch>,
) -> Result<Json<CaseView>, ApiError> {
    let c = case::update(&s.store, &actor, id, &patch).await?;
    Ok(Json(CaseView::of(&c, now_ms())))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ReplyCreated {
    pub interaction_id: i64,
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/replies", request_body = ReplyInput,
    responses((status = 201, body = ReplyCreated), (status = 404, body = Envelope), (status = 422, body = Envelope)), security(("bearer" = [])))]
pub async fn reply(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<ReplyInput>,
) -> Result<(StatusCode, Json<ReplyCreated>), ApiError> {
    let interaction_id = case::reply(&s.store, &actor, id, &input).await?;
    Ok((StatusCode::CREATED, Json(ReplyCreated { interaction_id })))
}
