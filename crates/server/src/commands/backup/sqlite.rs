//! SQLite backups. `VACUUM INTO` on a read-only connection copies the database as one read
//! transaction: in WAL mode the server's writer goes on meanwhile, and the copy is a single
//! consistent snapshot in a plain (rollback-journal) SQLite file.
//!
//! A restore goes only into an empty or missing data directory, under the directory's lock
//! (so no `roster serve` can start on it meanwhile). The file is copied beside its final
//! name, checked (header size, `PRAGMA integrity_check`, Roster's tables), then renamed.

use super::facts::{self, SnapshotFacts};
use super::output::{Target, sync_dir};
use crate::storage::{self, DATABASE_FILE, LOCK_FILE};
use anyhow::{Context, Result, anyhow, bail};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection, SqliteConnection};
use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::time::Duration;

/// How long a read waits for SQLite's locks (only WAL recovery takes them from readers).
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// The name a restored file has until it has been checked.
const RESTORING: &str = "roster.db.restoring";

/// A read-only connection to a database file that must exist.
pub(super) async fn read_only(path: &Path) -> Result<SqliteConnection> {
    SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .busy_timeout(BUSY_TIMEOUT)
        .connect()
        .await
        .with_context(|| format!("cannot open {}", path.display()))
}

/// Copies the live database into the target's temporary file; returns what the copy holds.
pub(super) async fn backup(data_dir: &Path, target: &Target) -> Result<SnapshotFacts> {
    let live = data_dir.join(DATABASE_FILE);
    if !live.is_file() {
        bail!("there is no Roster database at {}; check --data-dir", live.display());
    }
    let into = target
        .temp()
        .to_str()
        .ok_or_else(|| anyhow!("the backup path {} is not valid UTF-8", target.temp().display()))?;
    let mut connection = read_only(&live).await?;
    sqlx::query("VACUUM INTO ?")
        .bind(into)
        .execute(&mut connection)
        .await
        .with_context(|| format!("cannot copy {}", live.display()))?;
    connection.close().await?;
    let mut copy = read_only(target.temp()).await?;
    let facts = facts::of_sqlite(&mut copy)
        .await
        .with_context(|| format!("cannot read back the copy of {}", live.display()));
    copy.close().await?;
    facts
}

/// Puts a checked copy of `input` at `<data_dir>/roster.db`; returns the held directory lock.
pub(super) async fn restore(input: &Path, data_dir: &Path) -> Result<File> {
    refuse_unless_empty(data_dir)?;
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("cannot create the data directory {}", data_dir.display()))?;
    let lock = storage::lock_data_dir(data_dir)?;
    refuse_unless_empty(data_dir)?;
    let temp = data_dir.join(RESTORING);
    copy_durably(input, &temp)?;
    if let Err(error) = check_backup(&temp).await {
        let _ = std::fs::remove_file(&temp);
        return Err(error.context(format!(
            "{} is not a usable Roster backup; nothing was restored",
            input.display()
        )));
    }
    std::fs::rename(&temp, data_dir.join(DATABASE_FILE))
        .with_context(|| format!("cannot move the restored database into {}", data_dir.display()))?;
    sync_dir(data_dir)?;
    Ok(lock)
}

/// Removes a restored database that then failed to open, leaving the directory empty again.
pub(super) fn undo_restore(data_dir: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(data_dir.join(format!("{DATABASE_FILE}{suffix}")));
    }
}

/// A missing directory, or one holding nothing but the lock file, is empty.
fn refuse_unless_empty(data_dir: &Path) -> Result<()> {
    if !data_dir.exists() {
        return Ok(());
    }
    if !data_dir.is_dir() {
        bail!("the data directory {} is not a directory", data_dir.display());
    }
    let mut found: Vec<String> = std::fs::read_dir(data_dir)
        .with_context(|| format!("cannot list {}", data_dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .filter(|name| name != LOCK_FILE)
        .collect();
    if found.is_empty() {
        return Ok(());
    }
    found.sort();
    bail!(
        "the data directory {} is not empty (it holds {}); restore only into a new or empty \
         data directory. Nothing was changed.",
        data_dir.display(),
        found.join(", ")
    )
}

fn copy_durably(input: &Path, to: &Path) -> Result<()> {
    std::fs::copy(input, to).with_context(|| format!("cannot copy {} to {}", input.display(), to.display()))?;
    File::open(to)
        .and_then(|file| file.sync_all())
        .with_context(|| format!("cannot flush {}", to.display()))
}

/// The file is a whole SQLite database that passes `integrity_check` and holds Roster's tables.
async fn check_backup(path: &Path) -> Result<()> {
    check_header(path)?;
    let mut connection = read_only(path).await?;
    let problems: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_all(&mut connection)
        .await
        .context("SQLite cannot read it")?;
    if problems != ["ok"] {
        bail!("PRAGMA integrity_check failed: {}", problems.join("; "));
    }
    facts::of_sqlite(&mut connection).await?;
    connection.close().await?;
    Ok(())
}

/// Catches a truncated or padded file: the header says how many pages the database has.
fn check_header(path: &Path) -> Result<()> {
    let mut header = [0u8; 100];
    let mut file = File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let length = file.metadata()?.len();
    if length < 100 || file.read_exact(&mut header).is_err() || !header.starts_with(b"SQLite format 3\0") {
        bail!("it is not a SQLite database file");
    }
    let word = |at: usize| u32::from_be_bytes([header[at], header[at + 1], header[at + 2], header[at + 3]]);
    let page_size = match u16::from_be_bytes([header[16], header[17]]) {
        1 => 65_536,
        size => u64::from(size),
    };
    // The page count is trustworthy when the change counter matches "version valid for".
    let expected = u64::from(word(28)) * page_size;
    if word(24) == word(92) && expected != length {
        bail!("it is truncated or damaged: its header describes {expected} bytes, the file has {length}");
    }
    Ok(())
}
