//! The knowledge base (articles, their variants, the import) and the bot (an answer, the
//! handoff rules).

use super::error::{ApiError, Envelope};
use super::extract::{ApiActor, ApiJson, ApiPath, ApiQuery, RawBody};
use crate::app::AppState;
use crate::service::bot::{Answer, Question, RuleView};
use crate::service::kb::{self, ArticleInput, ArticleView, Format, ImportReport, ListQuery};
use crate::store::kb::Article;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;

#[utoipa::path(get, path = "/api/v1/kb/articles", params(ListQuery),
    responses((status = 200, body = Vec<Article>)), security(("bearer" = [])))]
pub async fn list(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<Vec<Article>>, ApiError> {
    Ok(Json(kb::list(&s.store, &a, &q, 5_000).await?))
}

#[utoipa::path(post, path = "/api/v1/kb/articles", request_body = ArticleInput,
    responses((status = 201, body = ArticleView), (status = 409, body = Envelope), (status = 422, body = Envelope)), security(("bearer" = [])))]
pub async fn create(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(i): ApiJson<ArticleInput>,
) -> Result<(StatusCode, Json<ArticleView>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(kb::create(&s.store, &a, &i).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/kb/articles/{id}",
    responses((status = 200, body = ArticleView), (status = 404, body = Envelope)), security(("bearer" = [])))]
pub async fn get(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ArticleView>, ApiError> {
    Ok(Json(kb::get(&s.store, &a, id).await?))
}

/// Replaces the article's fields; variants given are added to those it has.
#[utoipa::path(put, path = "/api/v1/kb/articles/{id}", request_body = ArticleInput,
    responses((status = 200, body = ArticleView), (status = 404, body = Envelope), (status = 409, body = Envelope), (status = 422, body = Envelope)), security(("bearer" = [])))]
pub async fn update(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(i): ApiJson<ArticleInput>,
) -> Result<Json<ArticleView>, ApiError> {
    Ok(Json(kb::update(&s.store, &a, id, &i).await?))
}

#[utoipa::path(delete, path = "/api/v1/kb/articles/{id}",
    responses((status = 204), (status = 404, body = Envelope)), security(("bearer" = [])))]
pub async fn delete(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    kb::delete(&s.store, &a, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VariantInput {
    /// The question as a customer asked it.
    pub text: String,
}

/// "A customer asked it this way": adds a phrasing the bot will recognise.
#[utoipa::path(post, path = "/api/v1/kb/articles/{id}/variants", request_body = VariantInput,
    responses((status = 200, body = ArticleView), (status = 404, body = Envelope), (status = 422, body = Envelope)), security(("bearer" = [])))]
pub async fn add_variant(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(i): ApiJson<VariantInput>,
) -> Result<Json<ArticleView>, ApiError> {
    Ok(Json(kb::add_variant(&s.store, &a, id, &i.text).await?))
}

#[utoipa::path(delete, path = "/api/v1/kb/articles/{id}/variants/{variant_id}",
    responses((status = 200, body = ArticleView), (status = 404, body = Envelope)), security(("bearer" = [])))]
pub async fn delete_variant(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath((id, variant_id)): ApiPath<(i64, i64)>,
) -> Result<Json<ArticleView>, ApiError> {
    Ok(Json(
        kb::delete_variant(&s.store, &a, id, variant_id).await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// jsonl (default) | csv
    pub format: Option<String>,
    /// FIELD=KEY pairs separated by commas when the file's keys differ, e.g.
    /// `external_id=id,title=question,body=answer`.
    pub columns: Option<String>,
}

/// Imports articles from a JSONL or CSV body; a rerun updates by `external_id` and
/// duplicates nothing. Refused lines are listed with their reason; the others land.
#[utoipa::path(post, path = "/api/v1/kb/import", params(ImportQuery), request_body(content = String, content_type = "text/plain"),
    responses((status = 200, body = ImportReport), (status = 422, body = Envelope)), security(("bearer" = [])))]
pub async fn import(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(q): ApiQuery<ImportQuery>,
    RawBody(body): RawBody,
) -> Result<Json<ImportReport>, ApiError> {
    let format = match q.format.as_deref().map(str::trim) {
        None | Some("") | Some("jsonl") => Format::Jsonl,
        Some("csv") => Format::Csv,
        Some(other) => {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_format",
                format!("«{other}» is not jsonl or csv"),
            ));
        }
    };
    let columns = kb::parse_columns(q.columns.as_deref().unwrap_or("").split(','))?;
    Ok(Json(
        kb::import_as(&s.store, &a, &body, format, &columns).await?,
    ))
}

/// The bot's answer to a question, with the articles it weighed and, when a person should
/// take over, the reason (same rules as the chat).
#[utoipa::path(post, path = "/api/v1/bot/answer", request_body = Question,
    responses((status = 200, body = Answer), (status = 422, body = Envelope)), security(("bearer" = [])))]
pub async fn answer(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(q): ApiJson<Question>,
) -> Result<Json<Answer>, ApiError> {
    Ok(Json(s.bot.answer(&s.store, &a, &q).await?))
}

#[utoipa::path(get, path = "/api/v1/bot/rules",
    responses((status = 200, body = Vec<RuleView>)), security(("bearer" = [])))]
pub async fn rules(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
) -> Result<Json<Vec<RuleView>>, ApiError> {
    Ok(Json(crate::service::bot::rules(&s.store, &a).await?))
}

/// Replaces the handoff rules (read in the order given).
#[utoipa::path(put, path = "/api/v1/bot/rules", request_body = Vec<RuleView>,
    responses((status = 200, body = Vec<RuleView>), (status = 422, body = Envelope)), security(("bearer" = [])))]
pub async fn put_rules(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(r): ApiJson<Vec<RuleView>>,
) -> Result<Json<Vec<RuleView>>, ApiError> {
    Ok(Json(
        crate::service::bot::put_rules(&s.store, &a, &r).await?,
    ))
}
