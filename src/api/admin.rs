//! Organisation set-up: sites, teams, users (admins create; everyone signed in can list).

use super::error::{ApiError, Envelope};
use super::extract::{ApiActor, ApiJson, ApiPath};
use crate::app::AppState;
use crate::service::org::{self, SiteInput, TeamInput, UserInput};
use crate::store::org::{Site, Team, User};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

#[utoipa::path(get, path = "/api/v1/sites", responses((status = 200, body = Vec<Site>)), security(("bearer" = [])))]
pub async fn list_sites(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
) -> Result<Json<Vec<Site>>, ApiError> {
    Ok(Json(org::list_sites(&s.store, &a).await?))
}

#[utoipa::path(post, path = "/api/v1/sites", request_body = SiteInput,
    responses((status = 201, body = Site), (status = 403, body = Envelope), (status = 409, body = Envelope), (status = 422, body = Envelope)), security(("bearer" = [])))]
pub async fn add_site(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(i): ApiJson<SiteInput>,
) -> Result<(StatusCode, Json<Site>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(org::add_site(&s.store, &a, &i).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/teams", responses((status = 200, body = Vec<Team>)), security(("bearer" = [])))]
pub async fn list_teams(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
) -> Result<Json<Vec<Team>>, ApiError> {
    Ok(Json(org::list_teams(&s.store, &a).await?))
}

#[utoipa::path(post, path = "/api/v1/teams", request_body = TeamInput,
    responses((status = 201, body = Team), (status = 403, body = Envelope), (status = 409, body = Envelope), (status = 422, body = Envelope)), security(("bearer" = [])))]
pub async fn add_team(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(i): ApiJson<TeamInput>,
) -> Result<(StatusCode, Json<Team>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(org::add_team(&s.store, &a, &i).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/users", responses((status = 200, body = Vec<User>)), security(("bearer" = [])))]
pub async fn list_users(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
) -> Result<Json<Vec<User>>, ApiError> {
    Ok(Json(org::list_users(&s.store, &a).await?))
}

#[utoipa::path(post, path = "/api/v1/users", request_body = UserInput,
    responses((status = 201, body = User), (status = 403, body = Envelope), (status = 409, body = Envelope), (status = 422, body = Envelope)), security(("bearer" = [])))]
pub async fn add_user(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(i): ApiJson<UserInput>,
) -> Result<(StatusCode, Json<User>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(org::add_user(&s.store, &a, &i).await?),
    ))
}

#[utoipa::path(patch, path = "/api/v1/users/{id}", request_body = org::UserPatch,
    responses((status = 200, body = User), (status = 403, body = Envelope), (status = 404, body = Envelope), (status = 409, body = Envelope), (status = 422, body = Envelope)), security(("bearer" = [])))]
pub async fn update_user(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(p): ApiJson<org::UserPatch>,
) -> Result<Json<User>, ApiError> {
    Ok(Json(org::update_user(&s.store, &a, id, &p).await?))
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct PasswordLink {
    /// Works once, until `expires_at`; shown only in this answer.
    pub link: String,
    pub expires_at: String,
}

#[utoipa::path(post, path = "/api/v1/users/{id}/password-link",
    responses((status = 201, body = PasswordLink), (status = 403, body = Envelope), (status = 404, body = Envelope), (status = 409, body = Envelope)), security(("bearer" = [])))]
pub async fn password_link(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<(StatusCode, Json<PasswordLink>), ApiError> {
    let (secret, expires) = crate::service::auth::reset_link(&s.store, &a, id).await?;
    Ok((
        StatusCode::CREATED,
        Json(PasswordLink {
            link: format!("{}/password/{secret}", s.config.public_base()),
            expires_at: crate::service::iso(expires),
        }),
    ))
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Closures {
    /// Days closed beyond public holidays, YYYY-MM-DD.
    pub dates: Vec<String>,
}

#[utoipa::path(put, path = "/api/v1/sites/{code}/closures", request_body = Closures,
    responses((status = 200, body = Site), (status = 403, body = Envelope), (status = 404, body = Envelope), (status = 422, body = Envelope)), security(("bearer" = [])))]
pub async fn set_closures(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(code): ApiPath<String>,
    ApiJson(c): ApiJson<Closures>,
) -> Result<Json<Site>, ApiError> {
    Ok(Json(
        org::set_closures(&s.store, &a, &code, &c.dates).await?,
    ))
}
