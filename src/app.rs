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
    /// The data directory's full-text index (kept current by `serve` and `worker`).
    pub search: crate::search::Index,
    /// What changed, for the live pages.
    pub live: crate::service::live::Hub,
    /// The audit of reads (who opened which customer's data).
    pub reads: crate::service::reads::ReadLog,
    /// Sites allowed to frame each organisation's public pages.
    pub embeds: crate::service::embed::Embeds,
    /// The bot's in-memory knowledge-base indexes.
    pub bot: crate::service::bot::Bot,
    /// Chat conversations in motion (who waits on which).
    pub chat: crate::service::chat::Chat,
}

impl AppState {
    /// The state of a running server; starts the group-commit writers (needs a Tokio runtime)
    /// and opens the search index of the data directory.
    pub fn new(store: Store, config: Config) -> anyhow::Result<AppState> {
        let search = crate::service::search::open(&config.data_dir)?;
        Ok(AppState {
            search,
            live: crate::service::live::Hub::start(store.clone()),
            reads: crate::service::reads::ReadLog::start(store.clone()),
            embeds: Default::default(),
            bot: Default::default(),
            chat: Default::default(),
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
        })
    }
}

pub fn router(state: AppState) -> Router {
    let limit = state.config.body_limit;
    Router::new()
        .nest("/api/v1", crate::api::router())
        .merge(
            crate::web::router().layer(axum::middleware::from_fn_with_state(
                crate::web::Embedding {
                    store: state.store.clone(),
                    embeds: state.embeds.clone(),
                },
                crate::web::embeddable,
            )),
        )
        .layer(DefaultBodyLimit::max(limit))
        .layer(axum::middleware::from_fn_with_state(
            Bounds {
                limit: state.config.request_timeout,
                https: state.config.secure_cookies,
            },
            bounds,
        ))
        .layer(TraceLayer::new_for_http())
        .layer(CatchPanicLayer::new())
        .with_state(state)
}

/// What every answer is held to (one layer: each layer costs a boxed call per request).
#[derive(Clone, Copy)]
struct Bounds {
    limit: std::time::Duration,
    https: bool,
}

/// A request that has not answered within the limit is stopped (what it had not committed is
/// rolled back) and answered 503: no client holds the writer or a worker for ever. Streams
/// (live events, exports) are timed to their first byte only. Then the security headers.
async fn bounds(
    axum::extract::State(b): axum::extract::State<Bounds>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let api = req.uri().path().starts_with("/api/");
    let mut res = match tokio::time::timeout(b.limit, next.run(req)).await {
        Ok(res) => res,
        Err(_) => too_long(b.limit, api),
    };
    security_headers(res.headers_mut(), b.https);
    res
}

fn too_long(limit: std::time::Duration, api: bool) -> axum::response::Response {
    use axum::response::IntoResponse;
    let message = format!(
        "the request took over {} s and was stopped; a write may or may not have been \
         recorded: retry with the same Idempotency-Key",
        limit.as_secs()
    );
    tracing::warn!("{message}");
    if api {
        crate::api::error::ApiError::new(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "timeout",
            message,
        )
        .into_response()
    } else {
        let text = format!(
            "Cette page a mis plus de {} s à répondre et a été interrompue ; réessayez.",
            limit.as_secs()
        );
        (axum::http::StatusCode::SERVICE_UNAVAILABLE, text).into_response()
    }
}

/// The content policy of Pacte's pages, framed by no one.
const DEFAULT_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; \
     frame-ancestors 'none'";

/// The same policy for a page the given sources may frame (`'self' https://…`).
pub fn framed_policy(ancestors: &str) -> String {
    DEFAULT_POLICY.replace(
        "frame-ancestors 'none'",
        &format!("frame-ancestors 'self' {ancestors}"),
    )
}

/// The policy every answer carries unless its handler set a stricter one (a sanitised email and
/// a download run sandboxed): scripts and styles from this site only — the pages have no inline
/// script or style —, no framing, no MIME sniffing, no address sent to other sites (survey and
/// review links carry secrets in their path). HSTS when cookies are secure (served over HTTPS).
fn security_headers(h: &mut axum::http::HeaderMap, https: bool) {
    use axum::http::{HeaderValue, header};
    let defaults = [
        (header::CONTENT_SECURITY_POLICY, DEFAULT_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "same-origin"),
        (
            header::HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
    ];
    // A page that set its own policy (a public page some sites may frame, a sandboxed email)
    // says itself where it may be framed.
    let own_policy = h.contains_key(header::CONTENT_SECURITY_POLICY);
    for (name, value) in defaults {
        if own_policy && name == header::X_FRAME_OPTIONS {
            continue;
        }
        h.entry(name).or_insert(HeaderValue::from_static(value));
    }
    if https {
        h.entry(header::STRICT_TRANSPORT_SECURITY)
            .or_insert(HeaderValue::from_static("max-age=31536000"));
    }
}

/// Serves until Ctrl-C / SIGTERM; with `workers`, runs the job queue and the IMAP watchers too.
/// On the signal, stops taking requests and jobs, and lets the job under way finish.
pub async fn serve(
    state: AppState,
    listen: std::net::SocketAddr,
    workers: bool,
) -> std::io::Result<Stopped> {
    let store = state.store.clone();
    if let Err(e) = crate::service::email::socket::serve(
        &state.config.data_dir,
        store.clone(),
        state.mail.clone(),
    ) {
        tracing::warn!("mail socket not available ({e}): `pacte mail ingest` will write directly");
    }
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let indexer =
        crate::service::search::start_indexer(store.clone(), state.search.clone(), stopped.clone());
    let jobs = workers.then(|| start_workers(&state, stopped));
    // The port opens last: whoever can connect finds the workers, the index and the mail
    // socket in place (a request racing the job queue's first look made tests flaky).
    let listener = tokio::net::TcpListener::bind(listen).await?;
    tracing::info!(addr = %listener.local_addr()?, "pacte serving");
    let live = state.live.clone();
    let reads = state.reads.clone();
    let grace = state.config.shutdown_grace;
    let (signalled, mut on_signal) = tokio::sync::watch::channel(false);
    let server = std::future::IntoFuture::into_future(
        axum::serve(
            listener,
            router(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            shutdown().await;
            // Live pages never end their stream by themselves.
            live.close();
            let _ = signalled.send(true);
        }),
    );
    // Requests under way get the grace period, then are cut: a stuck client or handler must
    // not keep a stopping server alive.
    let forced = tokio::select! {
        r = server => { r?; false }
        _ = async {
            let _ = on_signal.wait_for(|s| *s).await;
            tokio::time::sleep(grace).await;
        } => {
            tracing::warn!("requests still under way {grace:?} after the signal: stopping without them");
            true
        }
    };
    let _ = stop.send(true);
    let _ = tokio::time::timeout(grace, reads.flush()).await;
    if let Some(jobs) = jobs {
        finish_jobs(jobs, grace).await;
    }
    if let Some(i) = indexer {
        let _ = tokio::time::timeout(grace, i).await;
    }
    store.close().await;
    Ok(if forced {
        Stopped::Forced
    } else {
        Stopped::Clean
    })
}

/// How a server stopped: every request finished, or some were cut at the end of the grace
/// period (their tasks may still hold threads: the caller should end the process).
#[derive(Debug, PartialEq, Eq)]
pub enum Stopped {
    Clean,
    Forced,
}

/// Runs the job queue and the IMAP watchers without serving HTTP (`pacte worker`), until
/// Ctrl-C / SIGTERM; the job under way is finished first.
pub async fn work(state: AppState) {
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let indexer = crate::service::search::start_indexer(
        state.store.clone(),
        state.search.clone(),
        stopped.clone(),
    );
    let jobs = start_workers(&state, stopped);
    shutdown().await;
    let _ = stop.send(true);
    finish_jobs(jobs, state.config.shutdown_grace).await;
    if let Some(i) = indexer {
        let _ = i.await;
    }
    state.store.close().await;
}

fn start_workers(
    state: &AppState,
    stopped: tokio::sync::watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    let egress = state.config.egress();
    crate::service::email::imap::start(
        state.store.clone(),
        state.mail.clone(),
        state.config.imap_poll,
        std::time::Duration::from_secs(30),
        egress,
    );
    let cx = crate::service::jobs::Context {
        store: state.store.clone(),
        base: state.config.public_base(),
        http: egress.http_client(std::time::Duration::from_secs(10)),
        egress,
        name: format!("{}:{}", hostname(), std::process::id()),
    };
    crate::service::jobs::start(cx, stopped)
}

/// Waits for the job under way, at most the grace period (a lease left behind expires and
/// another worker takes the job again).
async fn finish_jobs(jobs: tokio::task::JoinHandle<()>, grace: std::time::Duration) {
    if tokio::time::timeout(grace, jobs).await.is_err() {
        tracing::warn!("a job was still running at shutdown; its lease will expire");
    }
}

fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "pacte".into())
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

/// A query-string parameter refused: unknown (`unknown: true`), or of the wrong form.
#[derive(Debug)]
pub struct QueryError {
    pub field: String,
    pub unknown: bool,
    pub message: String,
}

/// Reads a query string into `T`, leaving out the parameters in `skip` (the web's `lang`). With
/// `#[serde(deny_unknown_fields)]` on `T`, a parameter nobody reads is refused, not ignored.
pub fn parse_query<T: serde::de::DeserializeOwned>(
    query: Option<&str>,
    skip: &[&str],
) -> Result<T, QueryError> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(query.unwrap_or("")).map_err(|e| QueryError {
            field: String::new(),
            unknown: false,
            message: format!("the query string is unreadable: {e}"),
        })?;
    let kept: Vec<(String, String)> = pairs
        .into_iter()
        .filter(|(k, _)| !skip.contains(&k.as_str()))
        .collect();
    let text = serde_urlencoded::to_string(&kept).unwrap_or_default();
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(text.as_bytes()));
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let message = e.into_inner().to_string();
        match message.strip_prefix("unknown field `") {
            Some(rest) => {
                let field = rest.split('`').next().unwrap_or_default().to_string();
                QueryError {
                    message: format!("«{field}» is not a parameter of this request"),
                    field,
                    unknown: true,
                }
            }
            None => QueryError {
                field: path,
                unknown: false,
                message,
            },
        }
    })
}

/// A JSON document as a download.
pub fn json_download(name: &str, data: &serde_json::Value) -> axum::response::Response {
    axum::response::IntoResponse::into_response((
        [
            ("content-type", "application/json".to_string()),
            (
                "content-disposition",
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        serde_json::to_vec_pretty(data).unwrap_or_default(),
    ))
}

/// A CSV download from a stream of chunks (exports of any size, never whole in memory). A failure
/// midway cuts the download (and is logged): the status went out with the first rows.
pub fn csv_download(
    name: &str,
    rows: impl futures_util::Stream<Item = crate::service::Result<Vec<u8>>> + Send + 'static,
) -> axum::response::Response {
    use futures_util::StreamExt;
    let body = axum::body::Body::from_stream(rows.map(|r| {
        r.map(axum::body::Bytes::from).map_err(|e| {
            tracing::error!("export cut: {e}");
            std::io::Error::other(e.to_string())
        })
    }));
    axum::response::IntoResponse::into_response((
        [
            ("content-type", "text/csv; charset=utf-8".to_string()),
            (
                "content-disposition",
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    ))
}
