//! JSON API under /api/v1: parse, call a service, render. Never touches the store.

pub mod admin;
pub mod cases;
pub mod customers;
pub mod error;
pub mod extract;
pub mod interactions;
pub mod openapi;

use crate::app::AppState;
use axum::Router;
use axum::routing::{get, post};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi::document))
        .route("/interactions", post(interactions::create))
        .route("/cases", get(cases::list))
        .route("/cases/{id}", get(cases::get).patch(cases::update))
        .route("/cases/{id}/replies", post(cases::reply))
        .route("/customers", get(customers::search))
        .route("/customers/{id}", get(customers::get))
        .route("/customers/{id}/merge", post(customers::merge))
        .route("/merges/{id}/undo", post(customers::unmerge))
        .route("/sites", get(admin::list_sites).post(admin::add_site))
        .route("/teams", get(admin::list_teams).post(admin::add_team))
        .route("/users", get(admin::list_users).post(admin::add_user))
        .fallback(|| async {
            error::ApiError::new(
                axum::http::StatusCode::NOT_FOUND,
                "not_found",
                "no such endpoint",
            )
        })
}
