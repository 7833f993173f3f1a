//! Bulk restore in one request, keeping passwords or generating them, and the hashing
//! floor the generated case is judged against.

use crate::client::Api;
use anyhow::{Result, bail};
use directory::password::{self, Password};
use std::time::{Duration, Instant};

/// Restores `ids` in one request; fails unless every user was restored.
pub(crate) async fn restore(api: &Api, ids: &[String], mode: &str) -> Result<Duration> {
    let (summary, wall) = api.bulk_restore(ids, mode).await?;
    if summary["restored"].as_u64() != Some(ids.len() as u64) {
        bail!("bulk restore ({mode}) did not restore every user: {summary}");
    }
    Ok(wall)
}

/// One Argon2id hash with the server's parameters on this machine: the fastest of
/// [`HASH_SAMPLES`], since the floor is a lower bound and the bench's server may still be
/// busy with the seeding when they run. They run on the hashing threads the server uses,
/// each reusing its work area: `password::hash` allocates the 19 MiB afresh and faults
/// every page in, ~25 ms against ~16 ms here, which put the floor half again too high.
pub(crate) async fn one_hash() -> Result<Duration> {
    let mut fastest = Duration::MAX;
    for _ in 0..HASH_SAMPLES {
        let password = Password::generate();
        let started = Instant::now();
        password::hash_blocking(password).await?;
        fastest = fastest.min(started.elapsed());
    }
    Ok(fastest)
}

/// How many hashes [`one_hash`] times.
pub(crate) const HASH_SAMPLES: usize = 15;

/// `count` hashes spread over every core: the least a bulk restore with generated
/// passwords can take.
pub(crate) fn hashing_floor(count: usize, one_hash: Duration) -> Duration {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    one_hash * u32::try_from(count).unwrap_or(u32::MAX) / u32::try_from(cores).unwrap_or(1)
}
