//! The replica check-in: every [`CHECK_IN`] this server records that it is alive
//! (`Directory::check_in`) and takes its share of the per-token request limit among the
//! replicas alive now, so that a deployment of several servers keeps one limit.

use crate::every::{First, Ticks};
use directory::{Directory, Timestamp};
use roster_http::throttle::Throttle;
use std::time::Duration;
use tokio::sync::watch;

/// How often a server checks in; well inside `directory::replica::LIVE_WITHIN`.
pub const CHECK_IN: Duration = Duration::from_secs(10);

/// Runs until `stop` turns true. The first check-in is immediate.
pub async fn run(directory: Directory, throttle: Throttle, started_at: Timestamp, stop: watch::Receiver<bool>) {
    let mut ticks = Ticks::new(CHECK_IN, First::AtOnce, stop);
    while ticks.next().await {
        check_in_once(&directory, &throttle, started_at).await;
    }
}

async fn check_in_once(directory: &Directory, throttle: &Throttle, started_at: Timestamp) {
    match directory.check_in(started_at).await {
        Ok(live) => {
            let replicas = u32::try_from(live.len()).unwrap_or(u32::MAX).max(1);
            if let Some(share) = throttle.share_among(replicas) {
                let names: Vec<&str> = live.iter().map(|seen| seen.name.as_str()).collect();
                tracing::info!(
                    replicas,
                    ?names,
                    per_second = share.per_second.get(),
                    burst = share.burst.get(),
                    "replicas sharing the database changed; this one takes its share of the request limit"
                );
            }
        }
        Err(error) => tracing::warn!(%error, "the replica check-in failed; it will retry at the next interval"),
    }
}
