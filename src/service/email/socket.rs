//! The local hand-off for `pacte mail ingest`: when a server runs on the same data directory,
//! the pipe process gives it the message over a Unix socket instead of opening the database
//! itself, so concurrent deliveries share the server's group commit (one disk sync per batch)
//! rather than queueing on the database's write lock one process at a time. The server answers
//! once the message is committed; without a server, the pipe writes directly.

use super::inbound::{Received, Receiver, Route};
use crate::domain::email::MAX_MESSAGE_BYTES;
use crate::service::Error;
use crate::store::{self, Store};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{UnixListener, UnixStream};

/// The socket's name in the data directory.
pub const NAME: &str = "pacte-mail.sock";

/// The server's answer, one JSON line.
#[derive(Debug, Serialize, Deserialize)]
pub struct Answer {
    /// `accepted`, `refused` (for good) or `temporary`.
    pub outcome: String,
    pub received: Option<Received>,
    pub reasons: Vec<String>,
}

/// Listens on `dir/pacte-mail.sock` (owner and group only) for as long as the server runs.
pub fn serve(dir: &Path, store: Store, mail: Receiver) -> std::io::Result<PathBuf> {
    let path = dir.join(NAME);
    let _ = std::fs::remove_file(&path);
    let listener = UnixListener::bind(&path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o660))?;
    }
    tokio::spawn(async move {
        loop {
            let Ok((conn, _)) = listener.accept().await else {
                continue;
            };
            let (store, mail) = (store.clone(), mail.clone());
            tokio::spawn(async move {
                if let Err(e) = handle(conn, &store, &mail).await {
                    tracing::warn!("mail socket: {e}");
                }
            });
        }
    });
    Ok(path)
}

async fn handle(conn: UnixStream, store: &Store, mail: &Receiver) -> std::io::Result<()> {
    let (read, mut write) = conn.into_split();
    let mut read = BufReader::new(read);
    // First line: the organisation's slug, or "-" to find it from the recipients.
    let mut org = String::new();
    (&mut read).take(256).read_line(&mut org).await?;
    let mut raw = Vec::new();
    (&mut read)
        .take(MAX_MESSAGE_BYTES as u64 + 1)
        .read_to_end(&mut raw)
        .await?;
    let answer = match route(store, org.trim()).await {
        Err(a) => a,
        Ok(route) => match mail.submit(store, route, raw).await {
            Ok(r) => Answer {
                outcome: "accepted".into(),
                received: Some(r),
                reasons: Vec::new(),
            },
            Err(e) => refusal(e),
        },
    };
    let mut line = serde_json::to_vec(&answer).expect("answer serialises");
    line.push(b'\n');
    write.write_all(&line).await?;
    write.shutdown().await
}

async fn route(store: &Store, slug: &str) -> Result<Route<'static>, Answer> {
    if slug == "-" || slug.is_empty() {
        return Ok(Route::Recipient);
    }
    let found = match store.reader().await {
        Ok(mut c) => store::org::org_by_slug(&mut c, slug)
            .await
            .map_err(Error::from),
        Err(e) => Err(e.into()),
    };
    match found {
        Ok(Some(o)) => Ok(Route::Org(o.id)),
        Ok(None) => Err(Answer {
            outcome: "refused".into(),
            received: None,
            reasons: vec![format!(
                "unknown_org: no organisation has the slug «{slug}»"
            )],
        }),
        Err(e) => Err(refusal(e)),
    }
}

fn refusal(e: Error) -> Answer {
    match e {
        Error::Invalid(fields) => Answer {
            outcome: "refused".into(),
            received: None,
            reasons: fields
                .into_iter()
                .map(|f| format!("{}: {}", f.code, f.message))
                .collect(),
        },
        e => Answer {
            outcome: "temporary".into(),
            received: None,
            reasons: vec![e.to_string()],
        },
    }
}

/// Gives a message to the server on this data directory; `None` when no server listens.
pub async fn hand_off(
    dir: &Path,
    org: Option<&str>,
    raw: &[u8],
) -> Option<std::io::Result<Answer>> {
    let conn = UnixStream::connect(dir.join(NAME)).await.ok()?;
    Some(
        async {
            let (read, mut write) = conn.into_split();
            write
                .write_all(format!("{}\n", org.unwrap_or("-")).as_bytes())
                .await?;
            write.write_all(raw).await?;
            write.shutdown().await?;
            let mut line = String::new();
            BufReader::new(read).read_line(&mut line).await?;
            serde_json::from_str(&line).map_err(std::io::Error::other)
        }
        .await,
    )
}
