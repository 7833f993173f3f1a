//! Opening the configured database, with errors that say what to do.
//!
//! SQLite lives in a data directory. `serve` holds an exclusive lock on
//! `<data_dir>/roster.lock` while it runs, so a second server cannot share the directory;
//! short-lived commands (`token issue`) work beside a running server, as SQLite's WAL
//! mode allows.

use crate::settings::Database;
use anyhow::{Context, Result, bail};
use directory::store::Store;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use store_postgres::PgStore;
use store_sqlite::SqliteStore;

pub const DATABASE_FILE: &str = "roster.db";
pub const LOCK_FILE: &str = "roster.lock";

/// An open store, and for SQLite the held directory lock (released on drop).
#[derive(Debug)]
pub struct OpenStore {
    pub store: Arc<dyn Store>,
    _lock: Option<File>,
}

/// Whether to create a missing data directory (the server does; tools do not).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    Create,
    Refuse,
}

/// Opens the store for the server: creates the data directory and locks it.
pub async fn open_for_server(database: &Database) -> Result<OpenStore> {
    open(database, Missing::Create, true).await
}

/// Opens the store for a one-off command, beside a running server if there is one.
pub async fn open_for_tool(database: &Database, missing: Missing) -> Result<OpenStore> {
    open(database, missing, false).await
}

async fn open(database: &Database, missing: Missing, lock: bool) -> Result<OpenStore> {
    match database {
        Database::Postgres { url } => {
            let store = PgStore::connect(url)
                .await
                .with_context(|| format!("cannot use the database {}", database.describe()))?;
            Ok(OpenStore {
                store: Arc::new(store),
                _lock: None,
            })
        }
        Database::Sqlite { data_dir } => {
            prepare_data_dir(data_dir, missing)?;
            let lock = if lock { Some(lock_data_dir(data_dir)?) } else { None };
            let path = data_dir.join(DATABASE_FILE);
            let store = SqliteStore::open(&path)
                .await
                .with_context(|| format!("cannot open {}", path.display()))?;
            Ok(OpenStore {
                store: Arc::new(store),
                _lock: lock,
            })
        }
    }
}

fn prepare_data_dir(data_dir: &Path, missing: Missing) -> Result<()> {
    if data_dir.is_dir() {
        return Ok(());
    }
    if data_dir.exists() {
        bail!("the data directory {} is not a directory", data_dir.display());
    }
    match missing {
        Missing::Create => std::fs::create_dir_all(data_dir)
            .with_context(|| format!("cannot create the data directory {}", data_dir.display())),
        Missing::Refuse => bail!(
            "there is no data directory at {}; run `roster init --domain <your domain>` or `roster serve` first, \
             or pass --data-dir",
            data_dir.display()
        ),
    }
}

/// Takes `<data_dir>/roster.lock`, as `serve` does; fails while a server uses the directory.
pub fn lock_data_dir(data_dir: &Path) -> Result<File> {
    let path: PathBuf = data_dir.join(LOCK_FILE);
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("cannot create the lock file {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => bail!(
            "the data directory {} is in use by another `roster serve`; stop it or choose another --data-dir",
            data_dir.display()
        ),
        Err(std::fs::TryLockError::Error(error)) => {
            Err(error).with_context(|| format!("cannot lock {}", path.display()))
        }
    }
}
