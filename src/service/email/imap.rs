//! Reading mailboxes by IMAP: each active mailbox has its own watcher, which fetches what arrived
//! since the last UID it ingested, records each message durably, then flags it \Seen (or moves
//! it) on the server, and waits with IDLE where the server supports it (else polls). A new
//! UIDVALIDITY means the server renumbered the folder: the watcher reads it again from the
//! start, and Message-IDs keep anything from being recorded twice.

use super::inbound::{self, Route};
use super::secrets;
use crate::service::egress::Egress;
use crate::store::{self, Store};
use async_imap::Session;
use futures_util::TryStreamExt;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_rustls::rustls;

/// A connection, clear or encrypted.
trait Io: AsyncRead + AsyncWrite + Unpin + Send + std::fmt::Debug {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + std::fmt::Debug> Io for T {}

type Imap = Session<Box<dyn Io>>;

static WAKE: std::sync::LazyLock<tokio::sync::Notify> =
    std::sync::LazyLock::new(tokio::sync::Notify::new);

/// Tells the watchers' supervisor that mailboxes changed (it also looks every `refresh`).
pub fn wake() {
    WAKE.notify_one();
}

/// Messages fetched per round trip.
const CHUNK: usize = 50;

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

fn tls_config() -> Arc<rustls::ClientConfig> {
    let roots = rustls::RootCertStore::from_iter(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    Arc::new(
        rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_root_certificates(roots)
        .with_no_client_auth(),
    )
}

async fn tls(host: &str, tcp: tokio::net::TcpStream) -> Result<Box<dyn Io>, String> {
    let name = rustls::pki_types::ServerName::try_from(host.to_string()).map_err(err)?;
    let stream = tokio_rustls::TlsConnector::from(tls_config())
        .connect(name, tcp)
        .await
        .map_err(|e| format!("TLS: {e}"))?;
    Ok(Box::new(stream))
}

/// Connects and logs in.
async fn connect(m: &store::email::Mailbox, egress: Egress) -> Result<Imap, String> {
    let host = m
        .imap_host
        .as_deref()
        .ok_or("no IMAP server is configured")?;
    let port = m.imap_port.unwrap_or(993) as u16;
    let user = m.imap_user.as_deref().unwrap_or_default();
    let password = match &m.imap_secret {
        Some(s) => secrets::open(s)?,
        None => String::new(),
    };
    let tcp = egress.connect(host, port).await?;
    let stream: Box<dyn Io> = match m.imap_security.as_str() {
        "tls" => tls(host, tcp).await?,
        "starttls" => {
            let mut client = async_imap::Client::new(tcp);
            client.read_response().await.map_err(err)?;
            client
                .run_command_and_check_ok("STARTTLS", None)
                .await
                .map_err(err)?;
            tls(host, client.into_inner()).await?
        }
        _ => Box::new(tcp),
    };
    let mut client = async_imap::Client::new(stream);
    if m.imap_security != "starttls" {
        client
            .read_response()
            .await
            .map_err(err)?
            .ok_or("the server closed the connection")?;
    }
    client
        .login(user, password)
        .await
        .map_err(|(e, _)| format!("login refused: {e}"))
}

/// "Test connection": logs in and opens the folder; returns how many messages it holds.
pub async fn check(m: &store::email::Mailbox, egress: Egress) -> Result<u32, String> {
    let mut s = connect(m, egress).await?;
    let folder = s
        .select(&m.imap_folder)
        .await
        .map_err(|e| format!("folder «{}»: {e}", m.imap_folder))?;
    let _ = s.logout().await;
    Ok(folder.exists)
}

/// Where a watcher is in its folder.
struct Position {
    uid_validity: Option<i64>,
    last_uid: i64,
}

/// Ingests what arrived since the last position; returns how many messages were recorded.
async fn fetch_new(
    store: &Store,
    writer: Option<&inbound::Receiver>,
    m: &store::email::Mailbox,
    s: &mut Imap,
    pos: &mut Position,
) -> Result<usize, String> {
    let folder = s
        .select(&m.imap_folder)
        .await
        .map_err(|e| format!("folder «{}»: {e}", m.imap_folder))?;
    let validity = folder.uid_validity.map(i64::from).unwrap_or(0);
    if pos.uid_validity != Some(validity) {
        if pos.uid_validity.is_some() {
            tracing::warn!(
                mailbox = m.id,
                "UIDVALIDITY changed: reading the folder again"
            );
        }
        pos.uid_validity = Some(validity);
        pos.last_uid = 0;
    }
    // `n:*` always matches the last message, even below n: filter.
    let mut uids: Vec<u32> = s
        .uid_search(format!("UID {}:*", pos.last_uid + 1))
        .await
        .map_err(err)?
        .into_iter()
        .filter(|u| i64::from(*u) > pos.last_uid)
        .collect();
    uids.sort_unstable();
    let mut done = 0;
    for chunk in uids.chunks(CHUNK) {
        let set = chunk
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let mut fetched: Vec<(u32, Vec<u8>)> = s
            .uid_fetch(&set, "(UID BODY.PEEK[])")
            .await
            .map_err(err)?
            .try_filter_map(|f| async move {
                Ok(f.uid.map(|u| (u, f.body().unwrap_or_default().to_vec())))
            })
            .try_collect()
            .await
            .map_err(err)?;
        fetched.sort_by_key(|(u, _)| *u);
        // The chunk goes to the writer at once, so it shares transactions with other mailboxes'.
        let results = futures_util::future::join_all(fetched.iter().map(|(_, raw)| async {
            match writer {
                Some(w) => w.submit(store, Route::Mailbox(m), raw.clone()).await,
                None => inbound::receive(store, Route::Mailbox(m), raw).await,
            }
        }))
        .await;
        let mut handled = Vec::new();
        for ((uid, _), result) in fetched.iter().zip(results) {
            match result {
                Ok(_) => {
                    handled.push(*uid);
                    done += 1;
                }
                Err(crate::service::Error::Invalid(e)) => {
                    // Refused for good (e.g. over the size limit): left unread on the server
                    // for a person to see, and passed over.
                    tracing::warn!(
                        mailbox = m.id,
                        uid,
                        "message refused: {:?}",
                        e.first().map(|f| &f.message)
                    );
                }
                Err(e) => {
                    mark_handled(m, s, &handled).await?;
                    save(store, m, pos).await?;
                    return Err(format!("recording a message: {e}"));
                }
            }
            pos.last_uid = i64::from(*uid);
        }
        mark_handled(m, s, &handled).await?;
        save(store, m, pos).await?;
    }
    if uids.is_empty() {
        save(store, m, pos).await?;
    }
    Ok(done)
}

/// Flags (or moves) messages already recorded; only then are they touched on the server.
async fn mark_handled(m: &store::email::Mailbox, s: &mut Imap, uids: &[u32]) -> Result<(), String> {
    if uids.is_empty() {
        return Ok(());
    }
    let set = uids
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(",");
    match &m.imap_done_folder {
        Some(folder) => s
            .uid_mv(&set, folder)
            .await
            .map_err(|e| format!("moving to «{folder}»: {e}")),
        None => {
            let _: Vec<_> = s
                .uid_store(&set, "+FLAGS.SILENT (\\Seen)")
                .await
                .map_err(err)?
                .try_collect()
                .await
                .map_err(err)?;
            Ok(())
        }
    }
}

async fn save(store: &Store, m: &store::email::Mailbox, pos: &Position) -> Result<(), String> {
    let mut tx = store.begin().await.map_err(err)?;
    store::email::set_position(
        &mut tx,
        m.id,
        pos.uid_validity.unwrap_or(0),
        pos.last_uid,
        crate::service::now_ms(),
    )
    .await
    .map_err(err)?;
    tx.commit().await.map_err(err)
}

async fn record_error(store: &Store, id: i64, e: &str) {
    let Ok(mut tx) = store.begin().await else {
        return;
    };
    let _ = store::email::set_poll_error(&mut tx, id, e, crate::service::now_ms()).await;
    let _ = tx.commit().await;
}

/// One pass over a mailbox: connect, ingest what is new, log out. The error is also recorded
/// on the mailbox, where the administration shows it.
pub async fn poll_once(
    store: &Store,
    m: &store::email::Mailbox,
    egress: Egress,
) -> Result<usize, String> {
    let mut pos = Position {
        uid_validity: m.uid_validity,
        last_uid: m.last_uid,
    };
    let r: Result<usize, String> = async {
        let mut s = connect(m, egress).await?;
        let n = fetch_new(store, None, m, &mut s, &mut pos).await?;
        let _ = s.logout().await;
        Ok(n)
    }
    .await;
    if let Err(e) = &r {
        record_error(store, m.id, e).await;
    }
    r
}

/// Keeps one mailbox read: IDLE between fetches where supported (waiting at most `poll`, in
/// case a server's announcement is lost), else a poll every `poll`.
async fn watch(
    store: Store,
    writer: inbound::Receiver,
    m: store::email::Mailbox,
    poll: Duration,
    egress: Egress,
) {
    let mut pos = Position {
        uid_validity: m.uid_validity,
        last_uid: m.last_uid,
    };
    let mut backoff = Duration::from_secs(5);
    loop {
        let r: Result<(), String> = async {
            let mut s = connect(&m, egress).await?;
            let idle = s.capabilities().await.map_err(err)?.has_str("IDLE");
            loop {
                fetch_new(&store, Some(&writer), &m, &mut s, &mut pos).await?;
                // New mail announced while we were busy (an EXISTS among the answers to our own
                // commands) would not be announced again: read before waiting.
                let mut announced = false;
                while let Ok(r) = s.unsolicited_responses.try_recv() {
                    announced |= matches!(
                        r,
                        async_imap::types::UnsolicitedResponse::Exists(_)
                            | async_imap::types::UnsolicitedResponse::Recent(_)
                    );
                }
                if announced {
                    continue;
                }
                if idle {
                    let mut h = s.idle();
                    h.init().await.map_err(err)?;
                    {
                        let (wait, _stop) = h.wait_with_timeout(
                            poll.clamp(Duration::from_secs(1), Duration::from_secs(29 * 60)),
                        );
                        wait.await.map_err(err)?;
                    }
                    s = h.done().await.map_err(err)?;
                } else {
                    tokio::time::sleep(poll).await;
                }
            }
        }
        .await;
        if let Err(e) = r {
            tracing::warn!(mailbox = m.id, "IMAP: {e}");
            record_error(&store, m.id, &e).await;
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(Duration::from_secs(300));
        }
    }
}

/// Watches every active IMAP mailbox for as long as the server runs; a mailbox added, changed
/// or removed is picked up within `refresh`.
pub fn start(
    store: Store,
    writer: inbound::Receiver,
    poll: Duration,
    refresh: Duration,
    egress: Egress,
) {
    tokio::spawn(async move {
        let mut running: HashMap<i64, (i64, tokio::task::JoinHandle<()>)> = HashMap::new();
        loop {
            let boxes = match store.reader().await {
                Ok(mut c) => store::email::imap_mailboxes(&mut c)
                    .await
                    .unwrap_or_default(),
                Err(_) => Vec::new(),
            };
            let wanted: HashMap<i64, i64> = boxes.iter().map(|m| (m.id, m.updated_at)).collect();
            running.retain(|id, (at, task)| {
                let keep = wanted.get(id) == Some(at) && !task.is_finished();
                if !keep {
                    task.abort();
                }
                keep
            });
            for m in boxes {
                if !running.contains_key(&m.id) {
                    let (id, at) = (m.id, m.updated_at);
                    running.insert(
                        id,
                        (
                            at,
                            tokio::spawn(watch(store.clone(), writer.clone(), m, poll, egress)),
                        ),
                    );
                }
            }
            let _ = tokio::time::timeout(refresh, WAKE.notified()).await;
        }
    });
}
