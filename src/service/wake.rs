//! The background workers a committed write wakes. Each worker also looks on a timer, so a
//! wake-up that comes too early or is missed only delays work, never loses it.

use std::sync::LazyLock;
use std::time::Duration;
use tokio::sync::Notify;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Worker {
    /// The SMTP queue (`email::outbound`).
    Mail,
    /// Survey dispatch (`survey::trigger`).
    Surveys,
    /// Webhook alerts (`charter::alerts`).
    Alerts,
}

const WORKERS: usize = 3;

static SIGNALS: LazyLock<[Notify; WORKERS]> =
    LazyLock::new(|| [Notify::new(), Notify::new(), Notify::new()]);

fn signal(w: Worker) -> &'static Notify {
    &SIGNALS[w as usize]
}

/// Tells a worker that something committed waits for it.
pub fn wake(w: Worker) {
    signal(w).notify_one();
}

/// Waits until the worker is woken or `at_most` has passed.
pub async fn wait(w: Worker, at_most: Duration) {
    let _ = tokio::time::timeout(at_most, signal(w).notified()).await;
}
