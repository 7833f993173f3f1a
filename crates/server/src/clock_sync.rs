//! The directory's clock follows the database's: each process measures its machine's
//! offset from the database at start and again every [`RESYNC`], so that replicas whose
//! machines disagree on the time still agree on when a retention, a token or a session
//! ends (T14).

use crate::every::{First, Ticks};
use anyhow::{Context, Result};
use directory::store::Store;
use directory::{DatabaseClock, Directory};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// How often a server measures the offset again.
const RESYNC: Duration = Duration::from_secs(60);
/// An offset above this is worth a warning: the machine's clock is wrong.
const WARN_ABOVE: time::Duration = time::Duration::seconds(1);

/// A directory on `store` whose clock has been set to the database's.
pub async fn directory(store: Arc<dyn Store>) -> Result<(Directory, Arc<DatabaseClock>)> {
    let clock = Arc::new(DatabaseClock::default());
    let offset = clock.sync(&*store).await.context("cannot read the database's clock")?;
    report(offset);
    Ok((Directory::new(store, clock.clone()), clock))
}

/// Measures the offset again every [`RESYNC`] until `stop` turns true. A failed read
/// keeps the last offset.
pub async fn run(clock: Arc<DatabaseClock>, store: Arc<dyn Store>, stop: watch::Receiver<bool>) {
    let mut ticks = Ticks::new(RESYNC, First::AfterInterval, stop);
    while ticks.next().await {
        match clock.sync(&*store).await {
            Ok(offset) => report(offset),
            Err(error) => tracing::warn!(%error, "cannot read the database's clock; keeping the last offset"),
        }
    }
}

fn report(offset: time::Duration) {
    if offset.abs() > WARN_ABOVE {
        tracing::warn!(
            offset_ms = offset.whole_milliseconds() as i64,
            "this machine's clock differs from the database's; Roster uses the database's time"
        );
    } else {
        tracing::debug!(
            offset_us = offset.whole_microseconds() as i64,
            "clock offset from the database"
        );
    }
}
