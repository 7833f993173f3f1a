//! Time enters the domain here, once per use case.
//!
//! Timestamps are UTC and truncated to whole microseconds, the precision both storage
//! backends keep, so a value read back always equals the value written.

use std::sync::{Arc, Mutex};
use time::{Duration, OffsetDateTime};

pub type Timestamp = OffsetDateTime;

/// A source of the current time. Tests use [`ManualClock`]; production uses [`SystemClock`].
pub trait Clock: Send + Sync + std::fmt::Debug {
    fn now(&self) -> Timestamp;
}

/// Truncates to microseconds and converts to UTC.
pub fn normalize(at: OffsetDateTime) -> Timestamp {
    let at = at.to_offset(time::UtcOffset::UTC);
    let micros = at.microsecond();
    at.replace_microsecond(micros).unwrap_or(at)
}

#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        normalize(OffsetDateTime::now_utc())
    }
}

/// A clock that only moves when told to. Cloning shares the same time.
#[derive(Debug, Clone)]
pub struct ManualClock {
    now: Arc<Mutex<Timestamp>>,
}

impl ManualClock {
    pub fn new(start: Timestamp) -> Self {
        ManualClock {
            now: Arc::new(Mutex::new(normalize(start))),
        }
    }

    /// A fixed, recognisable start: 2026-01-05 09:00:00 UTC.
    pub fn at_default_start() -> Self {
        ManualClock::new(time::macros::datetime!(2026-01-05 09:00:00 UTC))
    }

    pub fn advance(&self, by: Duration) {
        let mut now = self.now.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        *now = normalize(*now + by);
    }

    pub fn set(&self, to: Timestamp) {
        let mut now = self.now.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        *now = normalize(to);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        *self.now.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_told_and_drops_nanoseconds() {
        let clock = ManualClock::at_default_start();
        let start = clock.now();
        clock.advance(Duration::nanoseconds(1_500));
        assert_eq!(clock.now() - start, Duration::microseconds(1));
    }
}
