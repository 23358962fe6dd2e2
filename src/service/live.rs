//! Live pages: what changed, pushed to the organisation's open pages (Server-Sent Events). One
//! follower per process reads the change log after each commit (and every second, for other
//! processes' writes), tells of each changed case once per read, and keeps the latest events so
//! a page that reconnects resumes after the last one it saw. "X is replying" is ephemeral: told to
//! the pages of this process only, never kept.

use super::{Actor, Result};
use crate::store::change::Position;
use crate::store::{self, Store};
use std::collections::{BTreeSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::broadcast;

/// Events kept for pages that reconnect.
const RECENT: usize = 20_000;
/// Changes read from the log at a time.
const CHUNK: i64 = 2_000;
/// How long a busy follower gathers changes between two reads.
const GATHER: Duration = Duration::from_millis(100);

#[derive(Debug, Clone, serde::Serialize)]
pub struct Event {
    /// Where in the change log (None: ephemeral, not resumable).
    #[serde(skip)]
    pub position: Option<Position>,
    #[serde(skip)]
    pub org_id: i64,
    /// `case` or `typing`.
    #[serde(skip)]
    pub kind: &'static str,
    pub data: serde_json::Value,
}

impl Event {
    /// The SSE id: `XID.ID` of the log.
    pub fn id(&self) -> Option<String> {
        self.position.map(|(x, i)| format!("{x}.{i}"))
    }
}

/// What a page that connects gets: the events it missed, then the live ones.
pub struct Subscription {
    pub missed: Vec<Arc<Event>>,
    /// It missed more than is kept (or a position from before this process): reload the page.
    pub reload: bool,
    pub live: broadcast::Receiver<Arc<Event>>,
    /// Events at or before this were in `missed` (skip them if they come again live).
    pub seen: Option<Position>,
}

#[derive(Clone)]
pub struct Hub {
    tx: broadcast::Sender<Arc<Event>>,
    recent: Arc<Mutex<Recent>>,
    /// Set when the server stops: open streams end, so the graceful shutdown does not wait
    /// for pages that never close.
    closing: tokio::sync::watch::Sender<bool>,
}

struct Recent {
    /// Where the follower started: a position before it cannot be resumed here.
    from: Position,
    /// How far it has read.
    at: Position,
    events: VecDeque<Arc<Event>>,
}

impl Hub {
    /// Starts following the change log from now (needs a Tokio runtime).
    pub fn start(store: Store) -> Hub {
        let (tx, _) = broadcast::channel(4_096);
        let hub = Hub {
            tx,
            closing: tokio::sync::watch::channel(false).0,
            recent: Arc::new(Mutex::new(Recent {
                from: (i64::MAX, i64::MAX),
                at: (i64::MAX, i64::MAX),
                events: VecDeque::new(),
            })),
        };
        let h = hub.clone();
        tokio::spawn(async move { h.follow(store).await });
        hub
    }

    async fn follow(&self, store: Store) {
        let mut writes = super::wake::writes();
        let mut at = self.restart(&store).await;
        loop {
            match self.step(&store, at).await {
                Ok(Some(next)) => {
                    at = next;
                    // Busy: gather a moment, so bursts are read in a few steps, not one each.
                    tokio::time::sleep(GATHER).await;
                    continue;
                }
                Ok(None) => {}
                Err(e) => tracing::warn!("live pages: {e}"),
            }
            // A write here wakes it at once; other processes' writes are seen within 500 ms.
            super::wake::next_write(&mut writes, Duration::from_millis(500)).await;
        }
    }

    /// Starts following from now, forgetting what was kept (nothing before can be resumed).
    async fn restart(&self, store: &Store) -> Position {
        let at = loop {
            match async { store::change::position_now(&mut *store.reader().await?).await }.await {
                Ok(p) => break p,
                Err(e) => {
                    tracing::warn!("live pages: {e}");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        };
        let mut r = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        let at = if r.at.0 == i64::MAX { at } else { at.max(r.at) };
        r.from = at;
        r.at = at;
        r.events.clear();
        at
    }

    /// Reads the next changes and tells of the cases they touch. Returns the new position.
    async fn step(&self, store: &Store, at: Position) -> Result<Option<Position>> {
        let mut c = store.reader().await?;
        let changes = store::change::changes_after(&mut c, at, CHUNK).await?;
        let Some(last) = changes.last() else {
            return Ok(None);
        };
        let next = (last.xid, last.id);
        // Each case once, at the position of its last change in this read.
        let mut latest: Vec<(i64, Position)> = Vec::new();
        for ch in changes.iter().filter(|c| c.kind == "case") {
            latest.retain(|(id, _)| *id != ch.ref_id);
            latest.push((ch.ref_id, (ch.xid, ch.id)));
        }
        let ids: Vec<i64> = latest
            .iter()
            .map(|(id, _)| *id)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let cases = store::change::cases(&mut c, &ids).await?;
        drop(c);
        let mut recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        for (id, position) in latest {
            let Some(case) = cases.iter().find(|k| k.id == id) else {
                continue;
            };
            let e = Arc::new(Event {
                position: Some(position),
                org_id: case.org_id,
                kind: "case",
                data: serde_json::to_value(case).unwrap_or_default(),
            });
            recent.events.push_back(e.clone());
            if recent.events.len() > RECENT {
                recent.events.pop_front();
            }
            let _ = self.tx.send(e);
        }
        recent.at = next;
        Ok(Some(next))
    }

    /// A page of `actor`'s organisation connects, having seen events up to `after` (its
    /// `Last-Event-ID`).
    pub fn subscribe(&self, actor: &Actor, after: Option<Position>) -> Subscription {
        // Subscribe before reading what was kept, so nothing falls between the two.
        let live = self.tx.subscribe();
        let recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        let Some(after) = after else {
            // From now: every event from the subscription on, none replayed.
            return Subscription {
                missed: Vec::new(),
                reload: false,
                live,
                seen: None,
            };
        };
        let oldest = recent
            .events
            .front()
            .and_then(|e| e.position)
            .unwrap_or(recent.from);
        // Resumable if nothing between `after` and what is kept was dropped.
        let kept_all = recent.events.len() < RECENT && after >= recent.from;
        let reload = !(kept_all || after >= oldest);
        let missed: Vec<Arc<Event>> = recent
            .events
            .iter()
            .filter(|e| e.org_id == actor.org_id && e.position.is_some_and(|p| p > after))
            .cloned()
            .collect();
        Subscription {
            seen: recent
                .events
                .back()
                .and_then(|e| e.position)
                .or(Some(after)),
            missed,
            reload,
            live,
        }
    }

    /// How far the live pages have been told: a page made now asks for what comes after it
    /// (`XID.ID`).
    pub fn position(&self) -> String {
        let (x, i) = self.recent.lock().unwrap_or_else(|p| p.into_inner()).at;
        if x == i64::MAX {
            // Not following yet (the first moments of the process): the page takes what comes.
            return String::new();
        }
        format!("{x}.{i}")
    }

    /// Ends every open stream (the server is stopping).
    pub fn close(&self) {
        let _ = self.closing.send(true);
    }

    /// Becomes true when the server stops.
    pub fn closing(&self) -> tokio::sync::watch::Receiver<bool> {
        self.closing.subscribe()
    }

    /// "`actor` is replying on this case", to the other pages of the organisation here.
    pub fn typing(&self, actor: &Actor, case_number: i64) {
        let _ = self.tx.send(Arc::new(Event {
            position: None,
            org_id: actor.org_id,
            kind: "typing",
            data: serde_json::json!({"number": case_number, "user_id": actor.user_id, "name": actor.name}),
        }));
    }
}
