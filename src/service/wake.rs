//! The standing jobs a committed write leaves work for. A write makes the job due in its own
//! transaction (`work::Work::wake`), then, once committed, wakes this process's job workers;
//! other processes find the job due at their next look.

use std::sync::LazyLock;
use std::time::Duration;
use tokio::sync::Notify;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Worker {
    /// The SMTP queue (`email::outbound::send_due`).
    Mail,
    /// Survey dispatch (`survey::trigger::dispatch_due`).
    Surveys,
    /// Periodic survey samples (`survey::trigger::run_periodic`).
    Sampling,
    /// Webhook alerts (`charter::alerts::deliver_due`).
    Alerts,
    /// Retention rules (`retention::run_all`).
    Retention,
    /// Non-conformities from live data, efficacy checks due (`quality::detect::run`), then the
    /// morning reminders (`quality::digest`).
    Quality,
    /// Chat conversations left idle are closed, so they reach the customer's case
    /// (`chat::close_idle`).
    Chat,
}

impl Worker {
    /// The kind of its standing job in the queue.
    pub fn job_kind(self) -> &'static str {
        match self {
            Worker::Mail => "mail.send",
            Worker::Surveys => "surveys.dispatch",
            Worker::Sampling => "surveys.sample",
            Worker::Alerts => "alerts.deliver",
            Worker::Retention => "retention.apply",
            Worker::Quality => "quality.detect",
            Worker::Chat => "chat.idle",
        }
    }
}

static SIGNAL: LazyLock<Notify> = LazyLock::new(Notify::new);

/// Tells this process's job workers that something committed waits for them.
pub fn wake() {
    SIGNAL.notify_one();
}

/// Waits until a write wakes the workers or `at_most` has passed.
pub async fn any(at_most: Duration) {
    let _ = tokio::time::timeout(at_most, SIGNAL.notified()).await;
}

/// How many units of work this process committed: followers of the change log (the search
/// indexer, the live pages) wait for it to move.
static WRITTEN: LazyLock<tokio::sync::watch::Sender<u64>> =
    LazyLock::new(|| tokio::sync::watch::channel(0).0);

/// Tells this process's followers of the change log that a write committed (they also look on a
/// timer, for writes of other processes).
pub fn written() {
    WRITTEN.send_modify(|n| *n = n.wrapping_add(1));
}

/// A follower's view of `written`: keep it across waits, so a write between two looks is seen.
pub fn writes() -> tokio::sync::watch::Receiver<u64> {
    WRITTEN.subscribe()
}

/// Waits until a write commits (after the last wait on `rx`) or `at_most` has passed.
pub async fn next_write(rx: &mut tokio::sync::watch::Receiver<u64>, at_most: Duration) {
    let _ = tokio::time::timeout(at_most, rx.changed()).await;
}
