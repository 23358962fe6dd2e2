//! Organisation set-up: sites, teams, users (admins create; everyone signed in can list).

use super::error::{ApiError, Envelope};
use super::extract::{ApiActor, ApiJson, ApiPath, ApiQuery};
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
    let user = org::update_user(&s.store, &a, id, &p).await?;
    // A deactivated user's tokens stop here at once.
    s.tokens.forget();
    Ok(Json(user))
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

/// An API token as listed: never its secret; times in RFC 3339.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct TokenView {
    pub id: i64,
    pub user_id: i64,
    pub user_name: String,
    pub name: String,
    pub created_at: String,
    pub expires_at: Option<String>,
    pub revoked_at: Option<String>,
    pub last_used_at: Option<String>,
    /// Neither revoked nor expired.
    pub live: bool,
}

impl From<crate::service::auth::Token> for TokenView {
    fn from(t: crate::service::auth::Token) -> Self {
        let now = crate::service::now_ms();
        TokenView {
            live: t.revoked_at.is_none() && t.expires_at.is_none_or(|e| e > now),
            id: t.id,
            user_id: t.user_id,
            user_name: t.user_name,
            name: t.label,
            created_at: crate::service::iso(t.created_at),
            expires_at: t.expires_at.map(crate::service::iso),
            revoked_at: t.revoked_at.map(crate::service::iso),
            last_used_at: t.last_used_at.map(crate::service::iso),
        }
    }
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TokenQuery {
    /// An administrator's view of one user's tokens (default: the whole organisation's).
    #[serde(default, deserialize_with = "crate::service::blank_is_none")]
    pub user_id: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/tokens", params(TokenQuery),
    responses((status = 200, body = Vec<TokenView>), (status = 400, body = Envelope), (status = 403, body = Envelope)), security(("bearer" = [])))]
pub async fn tokens(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(q): ApiQuery<TokenQuery>,
) -> Result<Json<Vec<TokenView>>, ApiError> {
    let list = crate::service::auth::tokens(&s.store, &a, q.user_id).await?;
    Ok(Json(list.into_iter().map(TokenView::from).collect()))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ForUser {
    /// An administrator makes the token for this user (default: oneself).
    #[serde(default, deserialize_with = "crate::service::blank_is_none")]
    pub user_id: Option<i64>,
}

#[utoipa::path(post, path = "/api/v1/tokens", params(ForUser), request_body = crate::service::auth::TokenInput,
    responses((status = 201, body = crate::service::auth::NewToken), (status = 403, body = Envelope), (status = 404, body = Envelope), (status = 422, body = Envelope)), security(("bearer" = [])))]
pub async fn create_token(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(q): ApiQuery<ForUser>,
    ApiJson(i): ApiJson<crate::service::auth::TokenInput>,
) -> Result<(StatusCode, Json<crate::service::auth::NewToken>), ApiError> {
    let t =
        crate::service::auth::create_token(&s.store, &a, q.user_id, &i, s.config.token_policy())
            .await?;
    // A token of the same name was replaced: it stops here at once.
    s.tokens.forget();
    Ok((StatusCode::CREATED, Json(t)))
}

#[utoipa::path(delete, path = "/api/v1/tokens/{id}",
    responses((status = 204), (status = 404, body = Envelope)), security(("bearer" = [])))]
pub async fn revoke_token(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    crate::service::auth::revoke_token(&s.store, &a, id).await?;
    s.tokens.forget();
    Ok(StatusCode::NO_CONTENT)
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

/// A read of a customer's data, as listed.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ReadView {
    pub id: i64,
    pub user_id: i64,
    pub user_name: String,
    pub at: String,
    /// `customer`, `case`, `attachment`, `raw_email` or `export`.
    pub what: String,
    pub ref_id: i64,
    pub customer_id: Option<i64>,
    /// This entry's link in the chain.
    pub hash: String,
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReadQuery {
    #[serde(default, deserialize_with = "crate::service::blank_is_none")]
    pub user_id: Option<i64>,
    #[serde(default, deserialize_with = "crate::service::blank_is_none")]
    pub customer_id: Option<i64>,
    /// First day included (YYYY-MM-DD, UTC).
    pub from: Option<String>,
    /// Last day included.
    pub to: Option<String>,
    /// Entries older than this id (the previous page's last).
    #[serde(default, deserialize_with = "crate::service::blank_is_none")]
    pub before: Option<i64>,
    /// 1–1000 (100).
    #[serde(default, deserialize_with = "crate::service::blank_is_none")]
    pub limit: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/audit/reads", params(ReadQuery),
    responses((status = 200, body = Vec<ReadView>), (status = 400, body = Envelope), (status = 403, body = Envelope), (status = 422, body = Envelope)), security(("bearer" = [])))]
pub async fn reads(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(q): ApiQuery<ReadQuery>,
) -> Result<Json<Vec<ReadView>>, ApiError> {
    use crate::service::reads;
    let f = reads::filter(
        q.user_id,
        q.customer_id,
        q.from.as_deref(),
        q.to.as_deref(),
        q.before,
    )?;
    let list = reads::list(&s.store, &a, &f, q.limit.unwrap_or(100)).await?;
    Ok(Json(
        list.into_iter()
            .map(|r| ReadView {
                id: r.id,
                user_id: r.user_id,
                user_name: r.user_name,
                at: crate::service::iso(r.at),
                what: r.what,
                ref_id: r.ref_id,
                customer_id: r.customer_id,
                hash: r.hash,
            })
            .collect(),
    ))
}

#[utoipa::path(get, path = "/api/v1/audit/reads/verify",
    responses((status = 200, body = crate::service::reads::Verification), (status = 403, body = Envelope)), security(("bearer" = [])))]
pub async fn verify_reads(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
) -> Result<Json<crate::service::reads::Verification>, ApiError> {
    Ok(Json(crate::service::reads::verify(&s.store, &a).await?))
}

#[utoipa::path(get, path = "/api/v1/retention",
    responses((status = 200, body = crate::service::retention::Retention), (status = 403, body = Envelope)), security(("bearer" = [])))]
pub async fn retention(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
) -> Result<Json<crate::service::retention::Retention>, ApiError> {
    Ok(Json(crate::service::retention::get(&s.store, &a).await?))
}

#[utoipa::path(put, path = "/api/v1/retention", request_body = Vec<crate::service::retention::RuleInput>,
    responses((status = 200, body = crate::service::retention::Retention), (status = 403, body = Envelope), (status = 422, body = Envelope)), security(("bearer" = [])))]
pub async fn set_retention(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(rules): ApiJson<Vec<crate::service::retention::RuleInput>>,
) -> Result<Json<crate::service::retention::Retention>, ApiError> {
    Ok(Json(
        crate::service::retention::put(&s.store, &a, &rules).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/retention/run",
    responses((status = 200, description = "what the run removed, per kind"), (status = 403, body = Envelope)), security(("bearer" = [])))]
pub async fn run_retention(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
) -> Result<Json<serde_json::Value>, ApiError> {
    Ok(Json(
        crate::service::retention::run_now(&s.store, &a).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/embedding",
    responses((status = 200, body = crate::service::embed::Embedding), (status = 403, body = Envelope)), security(("bearer" = [])))]
pub async fn embedding(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
) -> Result<Json<crate::service::embed::Embedding>, ApiError> {
    Ok(Json(crate::service::embed::get(&s.store, &a).await?))
}

#[utoipa::path(put, path = "/api/v1/embedding", request_body = crate::service::embed::Embedding,
    responses((status = 200, body = crate::service::embed::Embedding), (status = 403, body = Envelope), (status = 422, body = Envelope)), security(("bearer" = [])))]
pub async fn set_embedding(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(e): ApiJson<crate::service::embed::Embedding>,
) -> Result<Json<crate::service::embed::Embedding>, ApiError> {
    Ok(Json(
        crate::service::embed::set(&s.store, &a, &e, &s.embeds).await?,
    ))
}
