//! The audit of reads: who opened which customer's 360, case, attachment, raw message or export.
//! Pages note a read without waiting for the disk: one task per process appends the notes in
//! batches (one transaction every few milliseconds under load), chained by hash per organisation
//! (`store::reads`). A crash loses at most the reads of the last batch, never a write.
//! Administrators list them (filters, CSV) and verify the chain.

use super::{Actor, Result, now_ms};
use crate::store::reads::NewRead;
pub use crate::store::reads::{Filter, Read};
use crate::store::{self, Store};
use tokio::sync::{mpsc, oneshot};

enum Note {
    Read(NewRead),
    Flush(oneshot::Sender<()>),
}

/// This process's appender.
#[derive(Clone)]
pub struct ReadLog(mpsc::Sender<Note>);

/// Notes waiting before a page that reads must wait too (the appender is behind).
const BACKLOG: usize = 10_000;
/// Notes per transaction.
const BATCH: usize = 500;

impl ReadLog {
    pub fn start(store: Store) -> ReadLog {
        let (tx, rx) = mpsc::channel(BACKLOG);
        tokio::spawn(append(store, rx));
        ReadLog(tx)
    }

    /// Notes that `actor` read `what` (`customer`, `case`, `email`, `attachment`, `raw_email`,
    /// `export`)
    /// number `ref_id`, of `customer_id`.
    pub async fn note(
        &self,
        actor: &Actor,
        what: &'static str,
        ref_id: i64,
        customer_id: Option<i64>,
    ) {
        let read = NewRead {
            org_id: actor.org_id,
            user_id: actor.user_id,
            at: now_ms(),
            what,
            ref_id,
            customer_id,
        };
        if self.0.send(Note::Read(read)).await.is_err() {
            tracing::error!("read audit stopped: a read went unrecorded");
        }
    }

    /// Waits until every note sent so far is on disk (shutdown, tests).
    pub async fn flush(&self) {
        let (done, wait) = oneshot::channel();
        if self.0.send(Note::Flush(done)).await.is_ok() {
            let _ = wait.await;
        }
    }
}

async fn append(store: Store, mut rx: mpsc::Receiver<Note>) {
    while let Some(first) = rx.recv().await {
        let mut reads = Vec::new();
        let mut flushes = Vec::new();
        let mut next = Some(first);
        while let Some(n) = next {
            match n {
                Note::Read(r) => reads.push(r),
                Note::Flush(f) => flushes.push(f),
            }
            next = if reads.len() < BATCH {
                rx.try_recv().ok()
            } else {
                None
            };
        }
        // A database that refuses for a while holds the notes, it does not lose them.
        let mut wait = std::time::Duration::from_millis(200);
        while let Err(e) = write(&store, &reads).await {
            tracing::warn!("read audit: {} notes wait ({e})", reads.len());
            tokio::time::sleep(wait).await;
            wait = (wait * 2).min(std::time::Duration::from_secs(10));
        }
        for f in flushes {
            let _ = f.send(());
        }
    }
}

async fn write(store: &Store, reads: &[NewRead]) -> Result<()> {
    if reads.is_empty() {
        return Ok(());
    }
    let mut orgs: Vec<i64> = reads.iter().map(|r| r.org_id).collect();
    orgs.sort_unstable();
    orgs.dedup();
    let mut tx = store.begin().await?;
    for org in orgs {
        let of: Vec<NewRead> = reads.iter().filter(|r| r.org_id == org).cloned().collect();
        store::reads::append(&mut tx, org, &of).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The organisation's reads, newest first (administrators).
pub async fn list(store: &Store, actor: &Actor, f: &Filter, limit: i64) -> Result<Vec<Read>> {
    actor.require(actor.role.can_administer())?;
    let mut c = store.reader().await?;
    Ok(store::reads::list(&mut c, actor.org_id, f, limit.clamp(1, 1000)).await?)
}

/// What a verification found.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Verification {
    pub entries: i64,
    /// Every hash follows from the previous entry and the head matches the last one.
    pub intact: bool,
    /// The first entry that does not follow (changed, removed before it, or the tail cut).
    pub broken_at: Option<i64>,
}

/// Recomputes the organisation's chain from its first entry.
pub async fn verify(store: &Store, actor: &Actor) -> Result<Verification> {
    actor.require(actor.role.can_administer())?;
    let mut c = store.reader().await?;
    let chain = store::reads::chain(&mut c, actor.org_id).await?;
    let (mut after, mut prev) = chain
        .as_ref()
        .map_or((0, String::new()), |h| (h.base_id, h.base_hash.clone()));
    let mut entries = 0;
    loop {
        let last = chain.as_ref().map_or(0, |h| h.last_id);
        let page = store::reads::chain_page(&mut c, actor.org_id, after, last, 5_000).await?;
        if page.is_empty() {
            break;
        }
        for r in &page {
            let expected = store::reads::chain_hash(
                &prev,
                &NewRead {
                    org_id: r.org_id,
                    user_id: r.user_id,
                    at: r.at,
                    what: what_of(&r.what),
                    ref_id: r.ref_id,
                    customer_id: r.customer_id,
                },
            );
            if expected != r.hash {
                return Ok(Verification {
                    entries,
                    intact: false,
                    broken_at: Some(r.id),
                });
            }
            prev = r.hash.clone();
            entries += 1;
            after = r.id;
        }
    }
    let intact = match chain {
        None => entries == 0,
        Some(h) => h.last_id == after && h.last_hash == prev,
    };
    Ok(Verification {
        entries,
        intact,
        broken_at: (!intact).then_some(after + 1),
    })
}

/// The kinds of read, as stored (a `&'static str` for the hash input).
const KINDS: &[&str] = &[
    "customer",
    "case",
    "email",
    "attachment",
    "raw_email",
    "export",
];

fn what_of(s: &str) -> &'static str {
    KINDS.iter().find(|k| **k == s).copied().unwrap_or("?")
}

/// The filters of the list, from the API or a page.
pub fn filter(
    user_id: Option<i64>,
    customer_id: Option<i64>,
    from: Option<&str>,
    to: Option<&str>,
    before_id: Option<i64>,
) -> Result<Filter> {
    let mut checks = super::Checks::default();
    let mut day = |field: &str, v: Option<&str>| -> Option<i64> {
        let v = v.map(str::trim).filter(|s| !s.is_empty())?;
        match v.parse::<jiff::civil::Date>() {
            Ok(d) => d
                .to_zoned(jiff::tz::TimeZone::UTC)
                .ok()
                .map(|z| z.timestamp().as_millisecond()),
            Err(_) => {
                checks.refuse(field, "invalid_date", "a day, YYYY-MM-DD");
                None
            }
        }
    };
    let from = day("from", from);
    // `to` is the last day included.
    let to = day("to", to).map(|t| t + 86_400_000);
    checks.finish()?;
    Ok(Filter {
        user_id,
        customer_id,
        from,
        to,
        before_id,
    })
}

/// The organisation's reads as CSV (newest first), streamed a page at a time.
pub async fn export_csv(
    store: &Store,
    actor: &Actor,
    f: Filter,
) -> Result<impl futures_util::Stream<Item = Result<Vec<u8>>> + use<>> {
    actor.require(actor.role.can_administer())?;
    struct Cursor {
        store: Store,
        org_id: i64,
        f: Filter,
        header: bool,
        done: bool,
    }
    let start = Cursor {
        store: store.clone(),
        org_id: actor.org_id,
        f,
        header: true,
        done: false,
    };
    Ok(futures_util::stream::unfold(start, |mut k| async move {
        if k.done {
            return None;
        }
        let page = async {
            let mut c = k.store.reader().await?;
            Ok::<_, super::Error>(store::reads::list(&mut c, k.org_id, &k.f, 1_000).await?)
        }
        .await;
        let rows = match page {
            Ok(p) => p,
            Err(e) => {
                k.done = true;
                return Some((Err(e), k));
            }
        };
        let mut w = csv::Writer::from_writer(Vec::new());
        if std::mem::take(&mut k.header) {
            let _ = w.write_record([
                "id",
                "at",
                "user_id",
                "user",
                "what",
                "ref_id",
                "customer_id",
                "hash",
            ]);
        }
        for r in &rows {
            let _ = w.write_record([
                r.id.to_string(),
                super::iso(r.at),
                r.user_id.to_string(),
                r.user_name.clone(),
                r.what.clone(),
                r.ref_id.to_string(),
                r.customer_id.map_or(String::new(), |c| c.to_string()),
                r.hash.clone(),
            ]);
        }
        match rows.last() {
            Some(last) if rows.len() == 1_000 => k.f.before_id = Some(last.id),
            _ => k.done = true,
        }
        Some((
            w.into_inner()
                .map_err(|e| super::Error::Internal(e.to_string())),
            k,
        ))
    }))
}
