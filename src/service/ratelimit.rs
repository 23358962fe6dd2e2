//! A fixed-window limit per key (a client address) for public forms: a flood from one address
//! is refused with 429 and the wait, while everyone else goes on.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Clone)]
pub struct RateLimit {
    max: u32,
    window: Duration,
    seen: Arc<Mutex<HashMap<String, (Instant, u32)>>>,
}

impl RateLimit {
    pub fn new(max: u32, window: Duration) -> RateLimit {
        RateLimit {
            max,
            window,
            seen: Arc::default(),
        }
    }

    /// Counts one attempt for `key`; `Err(seconds to wait)` beyond the limit.
    pub fn hit(&self, key: &str) -> Result<(), u64> {
        let now = Instant::now();
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if seen.len() > 100_000 {
            seen.retain(|_, (start, _)| now.duration_since(*start) < self.window);
        }
        let entry = seen.entry(key.to_string()).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        entry.1 += 1;
        if entry.1 > self.max {
            let wait = self.window.saturating_sub(now.duration_since(entry.0));
            return Err(wait.as_secs().max(1));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_one_key_and_not_the_others() {
        let r = RateLimit::new(3, Duration::from_secs(60));
        for _ in 0..3 {
            assert!(r.hit("a").is_ok());
        }
        assert!(r.hit("a").is_err());
        assert!(r.hit("b").is_ok());
    }
}
