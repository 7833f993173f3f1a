//! Time enters the domain here, once per use case.
//!
//! Timestamps are UTC and truncated to whole microseconds, the precision both storage
//! backends keep, so a value read back always equals the value written.

use crate::store::{Store, StoreError};
use std::sync::atomic::{AtomicI64, Ordering};
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

/// This machine's clock corrected to the database's. Replicas on one PostgreSQL then agree
/// on the time (when a retention ends, when a token or session expires) even when their
/// machines' clocks do not: the database's clock is the one clock they share. On SQLite
/// the database has no clock of its own and the offset stays zero.
#[derive(Debug, Default)]
pub struct DatabaseClock {
    offset_micros: AtomicI64,
}

impl DatabaseClock {
    /// Reads the database's time and keeps its offset from this machine's clock, taken
    /// at the middle of the round trip. Returns the offset (database minus machine).
    pub async fn sync(&self, store: &dyn Store) -> Result<Duration, StoreError> {
        let before = OffsetDateTime::now_utc();
        let Some(database) = store.database_time().await? else {
            return Ok(Duration::ZERO);
        };
        let after = OffsetDateTime::now_utc();
        let offset: Duration = database - (before + (after - before) / 2);
        let micros = i64::try_from(offset.whole_microseconds()).unwrap_or(i64::MAX);
        self.offset_micros.store(micros, Ordering::Relaxed);
        Ok(offset)
    }

    /// The offset last measured (database minus machine).
    pub fn offset(&self) -> Duration {
        Duration::microseconds(self.offset_micros.load(Ordering::Relaxed))
    }
}

impl Clock for DatabaseClock {
    fn now(&self) -> Timestamp {
        normalize(OffsetDateTime::now_utc() + self.offset())
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
    use crate::store::{ReadTx, Tx};

    /// A database whose clock is `ahead` of this machine's; it holds nothing else.
    #[derive(Debug)]
    struct Skewed {
        ahead: Option<Duration>,
    }

    #[async_trait::async_trait]
    impl Store for Skewed {
        async fn read(&self) -> Result<Box<dyn ReadTx>, StoreError> {
            Err(StoreError::Other("no data".into()))
        }
        async fn begin(&self) -> Result<Box<dyn Tx>, StoreError> {
            Err(StoreError::Other("no data".into()))
        }
        async fn database_time(&self) -> Result<Option<Timestamp>, StoreError> {
            Ok(self.ahead.map(|ahead| OffsetDateTime::now_utc() + ahead))
        }
    }

    #[tokio::test]
    async fn the_database_clock_follows_the_databases_time() {
        let clock = DatabaseClock::default();
        let offset = clock
            .sync(&Skewed {
                ahead: Some(Duration::days(-2)),
            })
            .await
            .unwrap();
        assert!((offset + Duration::days(2)).abs() < Duration::seconds(1), "{offset}");
        let behind = OffsetDateTime::now_utc() - clock.now();
        assert!((behind - Duration::days(2)).abs() < Duration::seconds(1), "{behind}");
        let sqlite = DatabaseClock::default();
        assert_eq!(sqlite.sync(&Skewed { ahead: None }).await.unwrap(), Duration::ZERO);
        assert_eq!(
            sqlite.offset(),
            Duration::ZERO,
            "a database without a clock leaves the machine's"
        );
    }

    #[test]
    fn manual_clock_moves_only_when_told_and_drops_nanoseconds() {
        let clock = ManualClock::at_default_start();
        let start = clock.now();
        clock.advance(Duration::nanoseconds(1_500));
        assert_eq!(clock.now() - start, Duration::microseconds(1));
    }
}
