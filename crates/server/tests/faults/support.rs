//! What every fault test shares: the scale factor, one-at-a-time execution, and polling a
//! condition with a deadline instead of sleeping.

use std::time::{Duration, Instant};

/// `ROSTER_CHAOS_SCALE`, at least 1: multiplies rounds and sizes.
pub(crate) fn scale() -> usize {
    std::env::var("ROSTER_CHAOS_SCALE")
        .ok()
        .and_then(|text| text.parse::<usize>().ok())
        .unwrap_or(1)
        .max(1)
}

static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Held for a whole test: the fault tests run one after another.
pub(crate) async fn exclusive() -> tokio::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().await
}

/// A bound on waiting for something to happen, checked at every poll.
#[derive(Debug)]
pub(crate) struct Deadline {
    until: Instant,
    what: String,
}

impl Deadline {
    pub(crate) fn after(limit: Duration, what: impl Into<String>) -> Deadline {
        Deadline {
            until: Instant::now() + limit,
            what: what.into(),
        }
    }

    /// Fails the test when the deadline passed; otherwise waits a short poll interval.
    pub(crate) async fn tick(&self) {
        assert!(Instant::now() < self.until, "gave up waiting for {}", self.what);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Whether this process runs as root (the full-disk test mounts a tmpfs).
pub(crate) fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status").is_ok_and(|status| {
        status
            .lines()
            .find_map(|line| line.strip_prefix("Uid:"))
            .and_then(|ids| ids.split_whitespace().nth(1))
            == Some("0")
    })
}
