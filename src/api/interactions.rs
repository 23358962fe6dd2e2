//! POST /interactions: any channel's contact, recorded durably before we answer.

use super::error::{ApiError, Envelope};
use super::extract::{ApiActor, RawBody, parse_json};
use crate::app::AppState;
use crate::service::ingest::{Ingested, InteractionInput};
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};

/// Records an interaction: finds or creates the customer, attaches it to the case on the same
/// need or opens one. With `Idempotency-Key`, a retry answers the first answer and writes nothing.
#[utoipa::path(post, path = "/api/v1/interactions", request_body = InteractionInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "client key making retries safe")),
    responses((status = 201, body = Ingested), (status = 400, body = Envelope), (status = 409, body = Envelope),
        (status = 413, body = Envelope), (status = 415, body = Envelope), (status = 422, body = Envelope)),
    security(("bearer" = [])))]
pub async fn create(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> Result<(StatusCode, Json<Ingested>), ApiError> {
    super::extract::require_json(&headers)?;
    let input: InteractionInput = parse_json(&body)?;
    let mut valid = input.validate(crate::service::now_ms())?;
    if valid.direction == crate::domain::channel::Direction::Outbound {
        valid.author_user_id = Some(actor.user_id);
    }
    let key = headers
        .get("idempotency-key")
        .map(|v| v.to_str().map(str::trim))
        .transpose()
        .map_err(|_| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_idempotency_key",
                "Idempotency-Key must be visible ASCII",
            )
        })?;
    if key.is_some_and(|k| k.is_empty() || k.len() > 200) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_idempotency_key",
            "Idempotency-Key must be 1–200 characters",
        ));
    }
    let hash = crate::service::auth::hash_secret(&String::from_utf8_lossy(&body));
    let done = s
        .ingestor
        .submit(actor.org_id, valid, key.map(|k| (k.to_string(), hash)))
        .await?;
    Ok((StatusCode::CREATED, Json(done)))
}
