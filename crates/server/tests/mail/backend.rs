//! Where this binary's `roster` processes keep the directory: a SQLite data directory.

use std::path::Path;

/// Nothing to clean up: the data directory lives in the test's temporary directory.
pub(crate) struct Storage;

/// The storage flags for `roster` commands that keep the directory in `data`.
pub(crate) fn storage(data: &Path) -> (Vec<String>, Storage) {
    (vec!["--data-dir".into(), data.display().to_string()], Storage)
}
