//! Where this binary keeps the directory: a SQLite database in a temporary data directory.

use directory::store::Store;
use std::sync::Arc;
use store_sqlite::SqliteStore;

/// A test app's database; dropping it deletes the data directory.
pub(crate) struct Storage {
    _dir: tempfile::TempDir,
}

/// A fresh, migrated store.
pub(crate) async fn open() -> (Arc<dyn Store>, Storage) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("roster.db")).await.unwrap();
    (Arc::new(store), Storage { _dir: dir })
}
