//! Request extractors of the API: the bearer-token actor, and JSON bodies whose every rejection
//! speaks the error envelope.

use super::error::ApiError;
use crate::app::AppState;
use crate::service::{self, Actor};
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

/// The user behind `Authorization: Bearer <token>`.
pub struct ApiActor(pub Actor);

impl FromRequestParts<AppState> for ApiActor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        let token = header
            .and_then(|h| h.strip_prefix("Bearer "))
            .ok_or(service::Error::Unauthenticated)?;
        let actor = state.tokens.authenticate(&state.store, token).await?;
        // The API is nested: the path as requested carries its /api/v1 prefix.
        let path = parts
            .extensions
            .get::<axum::extract::OriginalUri>()
            .map_or(parts.uri.path(), |u| u.0.path());
        if !actor.role.kiosk_may(parts.method.as_str(), path) {
            return Err(service::Error::Forbidden.into());
        }
        Ok(ApiActor(actor))
    }
}

/// A JSON body: malformed → 400, wrong shape → 422, too large → 413.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        require_json(req.headers())?;
        Ok(ApiJson(parse_json(
            &RawBody::from_request(req, state).await?.0,
        )?))
    }
}

/// A body read as JSON must say so (`application/json`, or a `+json` type): a form or a text
/// posted by mistake is refused as such rather than guessed at.
pub fn require_json(headers: &axum::http::HeaderMap) -> Result<(), ApiError> {
    let ct = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let essence = ct.split(';').next().unwrap_or_default().trim();
    if essence.eq_ignore_ascii_case("application/json")
        || (essence.len() > 5
            && essence[essence.len() - 5..].eq_ignore_ascii_case("+json")
            && essence[..essence.len() - 5]
                .to_ascii_lowercase()
                .starts_with("application/"))
    {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            if ct.is_empty() {
                "the body must be JSON, sent with Content-Type: application/json".to_string()
            } else {
                format!("the body must be JSON (Content-Type: application/json), not «{ct}»")
            },
        ))
    }
}

/// The raw body bytes, with the size limit reported as the envelope.
pub struct RawBody(pub Bytes);

impl FromRequest<AppState> for RawBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        Bytes::from_request(req, state)
            .await
            .map(RawBody)
            .map_err(|r| {
                if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::new(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "body_too_large",
                        format!("the body is over {} bytes", state.config.body_limit),
                    )
                } else {
                    ApiError::new(StatusCode::BAD_REQUEST, "unreadable_body", r.body_text())
                }
            })
    }
}

/// One JSON value and nothing after it; no NUL character in any string (PostgreSQL cannot store
/// one, and no text a person writes has one).
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if has_nul_escape(bytes) {
        return Err(ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "invalid_input".into(),
            message: "body: a text contains the NUL character (\\u0000)".into(),
            fields: vec![service::FieldError {
                field: "body".into(),
                code: "nul_character".into(),
                message: "no text may contain the NUL character (\\u0000)".into(),
            }],
        });
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    let value = deserialize(de)?;
    de.end().map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed_json",
            format!("the body is not valid JSON: {e} (one JSON value, then nothing)"),
        )
    })?;
    Ok(value)
}

/// `\u0000` as an escape (an odd run of backslashes before it), not a backslash written as text.
fn has_nul_escape(bytes: &[u8]) -> bool {
    let pattern = b"u0000";
    bytes.windows(pattern.len()).enumerate().any(|(i, w)| {
        w == pattern && bytes[..i].iter().rev().take_while(|b| **b == b'\\').count() % 2 == 1
    })
}

fn deserialize<'de, T: DeserializeOwned>(
    de: &mut serde_json::Deserializer<serde_json::de::SliceRead<'de>>,
) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        use serde_json::error::Category;
        match inner.classify() {
            Category::Data => {
                let field = if path == "." {
                    "body".to_string()
                } else {
                    path
                };
                ApiError {
                    status: StatusCode::UNPROCESSABLE_ENTITY,
                    code: "invalid_input".into(),
                    message: format!("{field}: {inner}"),
                    fields: vec![service::FieldError {
                        field,
                        code: "invalid_value".into(),
                        message: inner.to_string(),
                    }],
                }
            }
            _ => ApiError::new(
                StatusCode::BAD_REQUEST,
                "malformed_json",
                format!("the body is not valid JSON: {inner}"),
            ),
        }
    })
}

/// A query string: a parameter the request does not take → 400 `unknown_parameter`, a value of
/// the wrong form → 400 `invalid_query`, both naming the parameter.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        crate::app::parse_query(parts.uri.query(), &[])
            .map(ApiQuery)
            .map_err(|e| ApiError {
                status: StatusCode::BAD_REQUEST,
                code: if e.unknown {
                    "unknown_parameter"
                } else {
                    "invalid_query"
                }
                .into(),
                message: e.message.clone(),
                fields: vec![service::FieldError {
                    field: e.field,
                    code: if e.unknown {
                        "unknown"
                    } else {
                        "invalid_value"
                    }
                    .into(),
                    message: e.message,
                }],
            })
    }
}

/// A path's parameters; one of the wrong form (`/cases/abc`) is 404 in the envelope, naming it.
pub struct ApiPath<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        <axum::extract::Path<T> as FromRequestParts<S>>::from_request_parts(parts, state)
            .await
            .map(|p| ApiPath(p.0))
            .map_err(|e| {
                ApiError::new(
                    StatusCode::NOT_FOUND,
                    "not_found",
                    format!("no such resource: {}", e.body_text()),
                )
            })
    }
}
