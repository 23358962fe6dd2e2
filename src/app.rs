//! The HTTP application: shared state, the router joining API and web, and the server loop.

use crate::config::Config;
use crate::service::auth::{LoginThrottle, TokenCache};
use crate::service::group_commit::Ingestor;
use crate::store::Store;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use std::sync::Arc;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<Config>,
    pub ingestor: Ingestor,
    pub tokens: TokenCache,
    pub logins: LoginThrottle,
    /// Group commit for received mail (relay API and the local socket).
    pub mail: crate::service::email::inbound::Receiver,
    /// Public forms (survey answers, reviews, flags): 30 posts per client address per 10 min.
    pub public_posts: crate::service::ratelimit::RateLimit,
}

impl AppState {
    /// The state of a running server; starts the group-commit writers (needs a Tokio runtime).
    pub fn new(store: Store, config: Config) -> AppState {
        AppState {
            ingestor: Ingestor::start(store.clone()),
            mail: crate::service::email::inbound::Receiver::start(store.clone()),
            store,
            config: Arc::new(config),
            tokens: TokenCache::default(),
            logins: LoginThrottle::default(),
            public_posts: crate::service::ratelimit::RateLimit::new(
                30,
                std::time::Duration::from_secs(600),
            ),
        }
    }
}

pub fn router(state: AppState) -> Router {
    let limit = state.config.body_limit;
    Router::new()
        .nest("/api/v1", crate::api::router())
        .merge(crate::web::router())
        .layer(DefaultBodyLimit::max(limit))
        .layer(TraceLayer::new_for_http())
        .layer(CatchPanicLayer::new())
        .with_state(state)
}

/// Serves until Ctrl-C / SIGTERM, delivering alerts in the background.
pub async fn serve(state: AppState, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    let store = state.store.clone();
    crate::service::charter::alerts::start(store.clone());
    crate::service::email::outbound::start(store.clone());
    crate::service::survey::trigger::start(store.clone(), state.config.public_base());
    if let Err(e) = crate::service::email::socket::serve(
        &state.config.data_dir,
        store.clone(),
        state.mail.clone(),
    ) {
        tracing::warn!("mail socket not available ({e}): `pacte mail ingest` will write directly");
    }
    crate::service::email::imap::start(
        store.clone(),
        state.mail.clone(),
        state.config.imap_poll,
        std::time::Duration::from_secs(30),
    );
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown())
    .await?;
    store.close().await;
    Ok(())
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
