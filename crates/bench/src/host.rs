//! How fast this host is at the two things a single write request waits for longest,
//! timed before any seeding so that runs on different hosts (or on one host whose speed
//! moved) can be compared: one password hash (CPU) and one durable commit's sync (disk).

use crate::scenarios::bulk;
use anyhow::{Context, Result};
use std::fs::OpenOptions;
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::time::{Duration, Instant};

/// How many syncs [`sync_median`] times.
const SYNC_SAMPLES: usize = 200;
/// What each timed sync makes durable: about what one restore commits to SQLite's log
/// (17–24 pages of 4 KiB with their frame headers, `scripts/probes/commit_pages.py`).
const SYNC_BYTES: usize = 18 * (4096 + 24);
/// How many distinct places in the file the writes go to, in turn, as a reused log does.
const SYNC_SLOTS: u64 = 16;

/// The host's speed, as the report's header gives it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct HostSpeed {
    /// One Argon2id hash on the server's hashing threads, the fastest of several.
    pub(crate) one_hash: Duration,
    /// The median time to write [`SYNC_BYTES`] and `fsync` them, in the directory where
    /// the SQLite data goes.
    pub(crate) sync: Duration,
}

impl HostSpeed {
    /// Times both on a host that is doing nothing else of the bench's yet.
    pub(crate) async fn measure(dir: &Path) -> Result<Self> {
        let one_hash = bulk::one_hash().await?;
        let dir = dir.to_owned();
        let sync = tokio::task::spawn_blocking(move || sync_median(&dir)).await??;
        Ok(HostSpeed { one_hash, sync })
    }

    /// The header line.
    pub(crate) fn describe(&self) -> String {
        format!(
            "one Argon2id hash {:.2} ms (fastest of {}); writing {} KiB and `fsync`ing them in the temporary directory: median {:.3} ms ({SYNC_SAMPLES} samples)",
            self.one_hash.as_secs_f64() * 1000.0,
            bulk::HASH_SAMPLES,
            SYNC_BYTES / 1024,
            self.sync.as_secs_f64() * 1000.0,
        )
    }
}

/// The median of [`SYNC_SAMPLES`] writes of [`SYNC_BYTES`], each followed by `fsync` (which
/// SQLite's bundled build calls at a commit), in a scratch file in `dir`.
fn sync_median(dir: &Path) -> Result<Duration> {
    let scratch = tempfile::NamedTempFile::new_in(dir).context("cannot create a scratch file to time syncs")?;
    let file = OpenOptions::new().write(true).open(scratch.path())?;
    let block = vec![0x5a_u8; SYNC_BYTES];
    for slot in 0..SYNC_SLOTS {
        file.write_all_at(&block, slot * SYNC_BYTES as u64)?;
    }
    file.sync_all()?;
    let mut samples = Vec::with_capacity(SYNC_SAMPLES);
    for n in 0..SYNC_SAMPLES as u64 {
        file.write_all_at(&block, (n % SYNC_SLOTS) * SYNC_BYTES as u64)?;
        let started = Instant::now();
        file.sync_all()?;
        samples.push(started.elapsed());
    }
    samples.sort_unstable();
    Ok(samples[samples.len() / 2])
}
