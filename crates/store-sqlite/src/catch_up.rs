//! Catching the write-ahead log up between a long job's batches ([`Store::catch_up`]):
//! copying its pages into the database file off the writer, mostly beside the job's next
//! batch, and often enough that the log starts over.
//!
//! [`Store::catch_up`]: directory::store::Store::catch_up

use crate::classify;
use directory::store::StoreError;
use sqlx::sqlite::SqlitePool;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// One call in this many waits for its checkpoint; the others start it in the background.
const WAITED_EVERY: u64 = 4;

/// The log size, in pages, at which the writer checkpoints at its own commit (SQLite's
/// default is 1,000). Between two waited-for catch-ups the log holds up to
/// [`WAITED_EVERY`] purge batches (each ~110 pages per 100 users since migration 0013, 210
/// before it: each user removes entries from ~15 tables and indexes), so the threshold is
/// set well above that: an API write that found the log past it would copy it while
/// holding the writer connection (30–60 ms at 1,000 pages during a purge, measured).
/// Outside a purge the threshold sets
/// how ordinary writes pay for the copy: single `PATCH`es one at a time (~20 log pages
/// each) took a ~32 ms step every ~400 writes at 8,000 pages (p99 2.3–3.2 ms, p99.9
/// 31–32 ms) against a ~10 ms step every ~50 writes at 1,000 (p99 7.3–7.9 ms, p99.9
/// 9.3–9.5 ms); the single-operation target is a p99.
pub(crate) const WRITER_CHECKPOINT_PAGES: &str = "8000";

/// The catch-up's state, shared by a store's clones.
#[derive(Debug, Clone, Default)]
pub(crate) struct CatchUp {
    calls: Arc<AtomicU64>,
    /// Held by the checkpoint that is running, if any.
    running: Arc<tokio::sync::Mutex<()>>,
}

impl CatchUp {
    /// A passive checkpoint on a reader connection: it copies the log's pages into the
    /// database file while the writer goes on.
    ///
    /// - The first call, and every [`WAITED_EVERY`]th after it, waits for the checkpoint
    ///   that is running and then runs one to the end: between two batches it copies what
    ///   is left (about one batch), so the next write transaction starts the log over.
    /// - The other calls start a checkpoint in the background and return at once (none
    ///   when one is still running): it copies the batch just committed while the job
    ///   writes its next one, on the other core, instead of between them. It cannot
    ///   finish the log (the next batch adds to it), which is why some calls wait.
    ///
    /// A checkpoint after every batch, each waited for, spent a third of the purge between
    /// batches; one every 100 ms, waited for, purged about as fast as this but made the
    /// API writes that came in meanwhile wait for its larger flush (p99 25 ms).
    pub(crate) async fn run(&self, readers: &SqlitePool) -> Result<(), StoreError> {
        let call = self.calls.fetch_add(1, Ordering::Relaxed);
        if call.is_multiple_of(WAITED_EVERY) {
            let _running = self.running.lock().await;
            return checkpoint(readers).await;
        }
        if let Ok(running) = self.running.clone().try_lock_owned() {
            let readers = readers.clone();
            tokio::spawn(async move {
                let _running = running;
                if let Err(error) = checkpoint(&readers).await {
                    tracing::debug!(%error, "a background checkpoint failed; the next catch-up copies the log");
                }
            });
        }
        Ok(())
    }
}

async fn checkpoint(readers: &SqlitePool) -> Result<(), StoreError> {
    let mut connection = readers.acquire().await.map_err(classify)?;
    sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
        .execute(&mut *connection)
        .await
        .map_err(classify)?;
    Ok(())
}
