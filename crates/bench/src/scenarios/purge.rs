//! The purge of every expired user in the bin, and the API's latency while it runs.
//! Shortening the retention expires the seeded bin at once; the server's purge job
//! (every second) does the rest. A probe keeps reading and writing meanwhile.

use crate::client::Api;
use crate::seed::Seeder;
use crate::stats::Samples;
use anyhow::{Result, bail};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Short enough to expire every seeded bin user (deleted two hours ago or earlier).
const RETENTION: time::Duration = time::Duration::hours(1);
const LIMIT: Duration = Duration::from_secs(600);

#[derive(Debug)]
pub(crate) struct Purge {
    /// From the first purged row to the last (from the retention change, when the
    /// purge finished between two polls).
    pub(crate) duration: Duration,
    pub(crate) purged: u64,
    pub(crate) reads: Samples,
    pub(crate) writes: Samples,
}

/// Expires the bin and waits until the purge job has removed it, probing the API with
/// `user` (an active user's id) all the while.
pub(crate) async fn run(seeder: &Seeder, api: &Api, user: &str) -> Result<Purge> {
    let before = seeder.bin_rows().await?;
    let after = seeder.bin_rows_after_purge(RETENTION).await?;
    let stop = Arc::new(AtomicBool::new(false));
    let probe = tokio::spawn(probe(api.clone(), user.to_owned(), stop.clone()));
    seeder.set_retention(RETENTION).await?;
    let asked = Instant::now();
    let mut first_purge = None;
    loop {
        let rows = seeder.bin_rows().await?;
        if rows <= after {
            break;
        }
        if asked.elapsed() > LIMIT {
            bail!("the purge did not finish within {} s", LIMIT.as_secs());
        }
        if first_purge.is_none() && rows < before {
            first_purge = Some(Instant::now());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let duration = first_purge.unwrap_or(asked).elapsed();
    stop.store(true, Ordering::Relaxed);
    let (reads, writes) = probe.await??;
    let purged = before - seeder.bin_rows().await?;
    Ok(Purge {
        duration,
        purged,
        reads,
        writes,
    })
}

/// Alternates a user read, a page of the bin and a user update until told to stop.
async fn probe(api: Api, user: String, stop: Arc<AtomicBool>) -> Result<(Samples, Samples)> {
    let (mut reads, mut writes) = (Samples::default(), Samples::default());
    let started = Instant::now();
    let mut n = 0_u64;
    while !stop.load(Ordering::Relaxed) {
        reads.push(api.get(&format!("/v1.0/users/{user}"), false).await?.1);
        reads.push(
            api.get("/v1.0/directory/deletedItems/microsoft.graph.user?$top=100", false)
                .await?
                .1,
        );
        writes.push(api.patch_user(&user, &format!("Engineer {n}")).await?);
        n += 1;
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    reads.wall = started.elapsed();
    writes.wall = reads.wall;
    Ok((reads, writes))
}
