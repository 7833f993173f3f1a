//! The purge job: at every interval, purge the users whose retention has ended. Safe to
//! run in every process that shares a database; each user is purged and audited once.

use directory::Directory;
use std::time::Duration;
use tokio::sync::watch;
use tokio::time::MissedTickBehavior;

/// Runs until `stop` turns true. The first run is immediate.
pub async fn run(directory: Directory, interval: Duration, mut stop: watch::Receiver<bool>) {
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(MissedTickBehavior::Skip);
    loop {
        tokio::select! {
            _ = ticker.tick() => purge_once(&directory).await,
            changed = stop.changed() => {
                if changed.is_err() || *stop.borrow() {
                    return;
                }
            }
        }
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
}
