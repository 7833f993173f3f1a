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

/// How long the log may grow, in pages, before a catch-up waits for its copy to finish so
/// that the next write starts the log over: 16 MB of log, a few dozen purge batches. Below
/// it the copies run in the background and the log grows, because a copy that runs beside
/// the job's next batch can never finish the log (that batch adds to it).
pub(crate) const LOG_BOUND_PAGES: u64 = 4096;

/// The log size, in pages, at which the writer checkpoints at its own commit (SQLite's
/// default is 1,000). It is well above [`LOG_BOUND_PAGES`] plus a batch or two, so during a
/// purge the catch-up, not the writer, copies the log: an API write that found the log past
/// the threshold would copy it while holding the writer connection (30–60 ms at 1,000
/// pages, measured).
pub(crate) const WRITER_CHECKPOINT_PAGES: &str = "8000";

/// The catch-up's state, shared by a store's clones.
#[derive(Debug, Clone)]
pub(crate) struct CatchUp {
    /// How many pages the log held when the last checkpoint ran: 0 when a waited-for one
    /// copied them all (the next write starts the log over), [`u64::MAX`] before the first.
    log_pages: Arc<AtomicU64>,
    /// Held by the checkpoint that is running, if any.
    running: Arc<tokio::sync::Mutex<()>>,
}

impl Default for CatchUp {
    fn default() -> Self {
        CatchUp {
            log_pages: Arc::new(AtomicU64::new(u64::MAX)),
            running: Arc::default(),
        }
    }
}

impl CatchUp {
    /// A passive checkpoint on a reader connection: it copies the log's pages into the
    /// database file while the writer goes on.
    ///
    /// - While the last checkpoint found the log shorter than [`LOG_BOUND_PAGES`], the
    ///   call starts one in the background and returns at once (none when one is still
    ///   running): it copies the batch just committed on the other core while the job
    ///   writes its next one.
    /// - Otherwise (and on the first call, the log's length being unknown) the call waits
    ///   for the running checkpoint and then runs one to the end: between two batches it
    ///   copies what is left (about one batch), so the next write starts the log over.
    ///
    /// Measured on 100,000 purged users (purge only, no API load): a checkpoint waited for
    /// after every batch spent a third of the purge between batches; every fourth waited
    /// for, a quarter; with the bound, about a tenth.
    pub(crate) async fn run(&self, readers: &SqlitePool) -> Result<(), StoreError> {
        if self.log_pages.load(Ordering::Relaxed) >= LOG_BOUND_PAGES {
            let _running = self.running.lock().await;
            let log = checkpoint(readers).await?;
            // The job waits for this call, so its next batch begins after the copy: if the
            // copy took the whole log, that batch starts the log over.
            let left = if log.copied == log.pages { 0 } else { log.pages };
            self.log_pages.store(left, Ordering::Relaxed);
            return Ok(());
        }
        if let Ok(running) = self.running.clone().try_lock_owned() {
            let readers = readers.clone();
            let log_pages = self.log_pages.clone();
            tokio::spawn(async move {
                let _running = running;
                // The job's next batch began beside this copy and goes on appending to the
                // log, however much of it was copied.
                match checkpoint(&readers).await {
                    Ok(log) => log_pages.store(log.pages, Ordering::Relaxed),
                    Err(error) => {
                        tracing::debug!(%error, "a background checkpoint failed; a later catch-up copies the log");
                    }
                }
            });
        }
        Ok(())
    }

    /// Waits for the checkpoint running in the background, if any, to finish.
    pub(crate) async fn settled(&self) {
        drop(self.running.lock().await);
    }
}

/// What a checkpoint found: the log's length and how much of it is in the database file,
/// in pages.
struct Log {
    pages: u64,
    copied: u64,
}

/// Runs one passive checkpoint.
async fn checkpoint(readers: &SqlitePool) -> Result<Log, StoreError> {
    let mut connection = readers.acquire().await.map_err(classify)?;
    let (_busy, pages, copied): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)")
        .fetch_one(&mut *connection)
        .await
        .map_err(classify)?;
    let pages_of = |n: i64| u64::try_from(n).unwrap_or(0);
    Ok(Log {
        pages: pages_of(pages),
        copied: pages_of(copied),
    })
}
