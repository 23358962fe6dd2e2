//! Who on this process is told that a conversation moved: one channel per conversation being
//! followed, so a write wakes that conversation's readers only (a single shared channel woke
//! every socket of the process at every message). A conversation nobody follows has no channel.

use super::Side;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::broadcast::{self, error::RecvError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Signal {
    /// Something was written: read what follows.
    Moved,
    /// Someone is typing (ephemeral: never kept, told to this process's readers only).
    Typing(Side),
}

#[derive(Clone, Default)]
pub(super) struct Signals(Arc<Mutex<HashMap<i64, broadcast::Sender<Signal>>>>);

/// One reader's hold on a conversation's channel; the channel goes with its last reader.
pub(super) struct Subscription {
    id: i64,
    rx: broadcast::Receiver<Signal>,
    signals: Signals,
}

impl Signals {
    fn map(&self) -> MutexGuard<'_, HashMap<i64, broadcast::Sender<Signal>>> {
        // A panic while holding it cannot leave the map half-changed: every change is one call.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(super) fn subscribe(&self, id: i64) -> Subscription {
        let rx = self
            .map()
            .entry(id)
            .or_insert_with(|| broadcast::channel(64).0)
            .subscribe();
        Subscription {
            id,
            rx,
            signals: self.clone(),
        }
    }

    /// Tells the conversation's readers, if it has any (nobody following is fine: what was
    /// written is on record).
    pub(super) fn send(&self, id: i64, s: Signal) {
        if let Some(tx) = self.map().get(&id) {
            let _ = tx.send(s);
        }
    }

    #[cfg(test)]
    fn followed(&self) -> usize {
        self.map().len()
    }
}

impl Subscription {
    /// The next signal; a reader that fell behind is told the conversation moved (it reads
    /// everything after what it sent, so nothing is missed).
    pub(super) async fn recv(&mut self) -> Signal {
        match self.rx.recv().await {
            Ok(s) => s,
            Err(RecvError::Lagged(_)) => Signal::Moved,
            // The sender lives in the map while this receiver does.
            Err(RecvError::Closed) => std::future::pending().await,
        }
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        let mut map = self.signals.map();
        // This receiver is still counted: it is dropped after this.
        if map.get(&self.id).is_some_and(|tx| tx.receiver_count() <= 1) {
            map.remove(&self.id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_signal_reaches_its_conversation_s_readers_only_and_channels_go_with_them() {
        let s = Signals::default();
        let mut a = s.subscribe(1);
        let mut a2 = s.subscribe(1);
        let mut b = s.subscribe(2);
        s.send(1, Signal::Typing(Side::Advisor));
        assert_eq!(a.recv().await, Signal::Typing(Side::Advisor));
        assert_eq!(a2.recv().await, Signal::Typing(Side::Advisor));
        let quiet = tokio::time::timeout(std::time::Duration::from_millis(50), b.recv()).await;
        assert!(quiet.is_err(), "conversation 2 was told nothing");
        s.send(3, Signal::Moved);
        assert_eq!(s.followed(), 2, "nobody follows 3: no channel made for it");
        drop(a);
        assert_eq!(s.followed(), 2, "a2 still follows 1");
        drop(a2);
        drop(b);
        assert_eq!(s.followed(), 0);
    }

    #[tokio::test]
    async fn a_reader_that_fell_behind_is_told_to_read_again() {
        let s = Signals::default();
        let mut a = s.subscribe(1);
        for _ in 0..100 {
            s.send(1, Signal::Typing(Side::Visitor));
        }
        assert_eq!(a.recv().await, Signal::Moved);
    }
}
