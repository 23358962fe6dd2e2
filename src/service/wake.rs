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
}

impl Worker {
    /// The kind of its standing job in the queue.
    pub fn job_kind(self) -> &'static str {
        match self {
            Worker::Mail => "mail.send",
            Worker::Surveys => "surveys.dispatch",
            Worker::Sampling => "surveys.sample",
            Worker::Alerts => "alerts.deliver",
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

static WRITTEN: LazyLock<Notify> = LazyLock::new(Notify::new);

/// Tells this process's search indexer that a write committed (it also looks every second).
pub fn written() {
    WRITTEN.notify_one();
}

/// Waits until a write commits or `at_most` has passed (the search indexer).
pub async fn next_write(at_most: Duration) {
    let _ = tokio::time::timeout(at_most, WRITTEN.notified()).await;
}
