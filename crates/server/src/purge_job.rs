//! The purge job: at every interval, purge the users whose retention has ended, and forget
//! failed sign-ins that count no more. Safe to run in every process that shares a
//! database; each user is purged and audited once.

use crate::every::{First, Ticks};
use directory::Directory;
use std::time::Duration;
use tokio::sync::watch;

/// Runs until `stop` turns true. The first run is immediate.
pub async fn run(directory: Directory, interval: Duration, stop: watch::Receiver<bool>) {
    let mut ticks = Ticks::new(interval, First::AtOnce, stop);
    while ticks.next().await {
        purge_once(&directory).await;
    }
}

async fn purge_once(directory: &Directory) {
    match directory.purge_expired().await {
        Ok(report) if !report.purged.is_empty() => {
            tracing::info!(purged = report.purged.len(), "purged users whose retention ended");
        }
        Ok(_) => {}
        Err(error) => tracing::warn!(%error, "the purge job failed; it will retry at the next interval"),
    }
    match directory.forget_stale_sign_in_failures().await {
        Ok(0) => {}
        Ok(forgotten) => tracing::debug!(forgotten, "forgot failed sign-ins that count no more"),
        Err(error) => tracing::warn!(%error, "forgetting old failed sign-ins failed; it will retry"),
    }
}
