//! JSON API under /api/v1: parse, call a service, render. Never touches the store.

pub mod admin;
pub mod cases;
pub mod charter;
pub mod chat;
pub mod counter;
pub mod customers;
pub mod email;
pub mod error;
pub mod extract;
pub mod interactions;
pub mod kb;
pub mod openapi;
pub mod quality;
pub mod search;
pub mod voice;

use crate::app::AppState;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post, put};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi::document))
        .route("/surveys", get(voice::list).post(voice::create))
        .route("/surveys/{id}", get(voice::get).put(voice::update))
        .route("/surveys/{id}/send", post(voice::send))
        .route("/surveys/{id}/figures", get(voice::figures))
        .route("/surveys/{id}/mapping", get(voice::mapping))
        .route(
            "/surveys/{id}/responses",
            get(voice::responses).post(voice::record),
        )
        .route("/cases/{id}/surveys", get(voice::case_voice))
        .route("/customers/{id}/surveys", get(voice::customer_voice))
        .route(
            "/voice/settings",
            get(voice::settings).put(voice::set_settings),
        )
        .route("/voice/alerts", get(voice::alerts))
        .route("/voice/alerts/{id}/seen", post(voice::alert_seen))
        .route("/verbatim-rules", get(voice::rules).put(voice::put_rule))
        .route(
            "/verbatim-rules/{id}",
            axum::routing::delete(voice::delete_rule),
        )
        .route("/verbatims/irritants", get(voice::irritants))
        .route("/tasks", get(voice::tasks))
        .route("/tasks/{id}/done", post(voice::task_done))
        .route("/review-invitations", post(voice::invite))
        .route("/reviews", get(voice::reviews))
        .route("/reviews/{id}/reply", post(voice::reply))
        .route("/reviews/{id}/reject", post(voice::reject))
        .route("/interactions", post(interactions::create))
        .route("/kb/articles", get(kb::list).post(kb::create))
        .route(
            "/kb/articles/{id}",
            get(kb::get).put(kb::update).delete(kb::delete),
        )
        .route("/kb/articles/{id}/variants", post(kb::add_variant))
        .route(
            "/kb/articles/{id}/variants/{variant_id}",
            axum::routing::delete(kb::delete_variant),
        )
        .route(
            "/kb/import",
            post(kb::import).layer(DefaultBodyLimit::max(crate::service::kb::IMPORT_MAX_BYTES)),
        )
        .route(
            "/chat/{slug}/conversations",
            post(chat::start).layer(chat::cors()),
        )
        .route("/chat/queue", get(chat::queue))
        .route("/chat/report", get(chat::report))
        .route(
            "/chat/presence",
            get(chat::presence).put(chat::set_presence),
        )
        .route(
            "/chat/conversations/{id}/message",
            post(chat::leave_message).layer(chat::cors()),
        )
        .route("/chat/conversations/{id}", get(chat::transcript))
        .route(
            "/chat/conversations/{id}/messages",
            post(chat::say).layer(chat::cors()),
        )
        .route(
            "/chat/conversations/{id}/feedback",
            post(chat::feedback).layer(chat::cors()),
        )
        .route(
            "/chat/conversations/{id}/handoff",
            post(chat::handoff).layer(chat::cors()),
        )
        .route(
            "/chat/conversations/{id}/events",
            get(chat::events).layer(chat::cors()),
        )
        .route("/chat/conversations/{id}/socket", get(chat::socket))
        .route(
            "/chat/conversations/{id}/close",
            post(chat::close).layer(chat::cors()),
        )
        .route(
            "/chat/conversations/{id}/survey",
            post(chat::survey).layer(chat::cors()),
        )
        .route("/chat/conversations/{id}/accept", post(chat::accept))
        .route("/chat/conversations/{id}/replies", post(chat::reply))
        .route("/chat/conversations/{id}/end", post(chat::end))
        .route("/bot/answer", post(kb::answer))
        .route("/bot/rules", get(kb::rules).put(kb::put_rules))
        .route("/search", get(search::search))
        .route("/cases", get(cases::list))
        .route("/cases.csv", get(cases::export))
        .route("/cases/{id}", get(cases::get).patch(cases::update))
        .route("/cases/{id}/replies", post(cases::reply))
        .route("/customers", get(customers::search))
        .route("/customers/{id}", get(customers::get))
        .route("/customers/{id}/merge", post(customers::merge))
        .route("/customers/{id}/export", get(customers::export))
        .route("/customers/{id}/erase", post(customers::erase))
        .route(
            "/customers/{id}/privacy-requests",
            post(customers::add_request),
        )
        .route("/privacy-requests", get(customers::requests))
        .route(
            "/retention",
            get(admin::retention).put(admin::set_retention),
        )
        .route("/retention/run", post(admin::run_retention))
        .route(
            "/embedding",
            get(admin::embedding).put(admin::set_embedding),
        )
        .route("/audit/reads", get(admin::reads))
        .route("/audit/reads/verify", get(admin::verify_reads))
        .route("/merges/{id}/undo", post(customers::unmerge))
        .route("/commitments", get(charter::list).post(charter::create))
        .route("/commitments/{id}", get(charter::get).put(charter::update))
        .route("/commitments/{id}/backtest", post(charter::backtest))
        .route("/commitments/{id}/publish", post(charter::publish))
        .route("/charter/results", get(charter::results))
        .route("/charter/at-risk", get(charter::at_risk))
        .route("/compensations", get(charter::compensations))
        .route("/compensations.csv", get(charter::compensations_csv))
        .route("/compensations/{id}/decision", post(charter::decide))
        .route("/compensation-limits/{role}", put(charter::set_limit))
        .route("/nonconformities", get(charter::nonconformities))
        .route(
            "/quality/nonconformities",
            get(quality::list).post(quality::open),
        )
        .route("/quality/nonconformities/{id}", get(quality::get))
        .route(
            "/quality/nonconformities/{id}/analysis",
            put(quality::analyse),
        )
        .route(
            "/quality/nonconformities/{id}/actions",
            post(quality::add_action),
        )
        .route(
            "/quality/nonconformities/{id}/dismiss",
            post(quality::dismiss),
        )
        .route("/quality/nonconformities/{id}/share", post(quality::share))
        .route("/quality/actions", get(quality::actions))
        .route("/quality/actions/{id}/progress", post(quality::progress))
        .route("/quality/actions/{id}/verdict", post(quality::verdict))
        .route("/quality/paq.csv", get(quality::paq_csv))
        .route("/quality/detect", post(quality::detect_now))
        .route(
            "/quality/settings",
            get(quality::settings).put(quality::set_settings),
        )
        .route(
            "/quality/indicators",
            get(quality::indicators).post(quality::put_indicator),
        )
        .route("/quality/indicators/starter", post(quality::starter))
        .route("/quality/indicators/{id}/target", put(quality::set_target))
        .route("/quality/indicators/{id}/value", put(quality::put_value))
        .route("/quality/indicators/{id}/history", get(quality::history))
        .route(
            "/quality/reviews",
            get(quality::reviews).post(quality::open_review),
        )
        .route("/quality/reviews/{id}", get(quality::review))
        .route("/quality/reviews/{id}/refresh", post(quality::refresh))
        .route("/quality/reviews/{id}/lines/{kpi_id}", put(quality::decide))
        .route("/quality/reviews/{id}/notes", put(quality::notes))
        .route("/quality/reviews/{id}/freeze", post(quality::freeze))
        .route(
            "/counter-services",
            get(counter::services).post(counter::add_service),
        )
        .route("/sites/{code}/queue", get(counter::queue))
        .route("/sites/{code}/tickets", post(counter::issue))
        .route("/sites/{code}/calls", post(counter::call))
        .route("/tickets/{id}/end", post(counter::end))
        .route("/sites", get(admin::list_sites).post(admin::add_site))
        .route("/sites/{code}/closures", put(admin::set_closures))
        .route("/teams", get(admin::list_teams).post(admin::add_team))
        .route("/users", get(admin::list_users).post(admin::add_user))
        .route("/users/{id}", axum::routing::patch(admin::update_user))
        .route("/users/{id}/password-link", post(admin::password_link))
        .route("/tokens", get(admin::tokens).post(admin::create_token))
        .route("/tokens/{id}", axum::routing::delete(admin::revoke_token))
        .route(
            "/inbound/email",
            post(email::inbound).layer(DefaultBodyLimit::max(
                crate::domain::email::MAX_MESSAGE_BYTES,
            )),
        )
        .route(
            "/mailboxes",
            get(email::list_mailboxes).post(email::add_mailbox),
        )
        .route(
            "/mailboxes/{id}",
            get(email::get_mailbox).put(email::update_mailbox),
        )
        .route("/mailboxes/{id}/test", post(email::test_mailbox))
        .route("/cases/{id}/emails", get(email::case_emails))
        .route("/emails/{id}/raw", get(email::raw))
        .route("/attachments/{id}", get(email::attachment))
        .route(
            "/canned-replies",
            get(email::list_canned).post(email::add_canned),
        )
        .route(
            "/canned-replies/{id}",
            axum::routing::delete(email::delete_canned),
        )
        .route("/email-templates", get(email::templates))
        .route("/email-templates/{kind}/{lang}", put(email::put_template))
        .fallback(|| async {
            error::ApiError::new(
                axum::http::StatusCode::NOT_FOUND,
                "not_found",
                "no such endpoint",
            )
        })
        .method_not_allowed_fallback(|method: axum::http::Method| async move {
            error::ApiError::new(
                axum::http::StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                format!("this endpoint does not take {method}"),
            )
        })
}
