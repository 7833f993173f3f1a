//! The backup file: written under a temporary name beside its final path, flushed to disk,
//! then moved into place, so a reader never sees half a backup. An existing file is kept
//! unless `--force` says to replace it.

use anyhow::{Context, Result, bail};
use std::fs::File;
use std::path::{Path, PathBuf};

/// Where a backup goes: the final path and the temporary file beside it.
#[derive(Debug)]
pub(super) struct Target {
    path: PathBuf,
    temp: PathBuf,
    force: bool,
}

impl Target {
    /// Refuses an existing file (unless `force`) and a missing directory, before any work.
    pub(super) fn new(path: &Path, force: bool) -> Result<Target> {
        if path.exists() && !force {
            bail!(
                "{} already exists; choose another --output or pass --force to replace it",
                path.display()
            );
        }
        if path.is_dir() {
            bail!("{} is a directory; --output names the backup file", path.display());
        }
        let name = path
            .file_name()
            .with_context(|| format!("{} does not name a file", path.display()))?;
        let dir = parent(path);
        if !dir.is_dir() {
            bail!("there is no directory {} to write the backup in", dir.display());
        }
        let temp_name = format!(".{}.{}.partial", name.to_string_lossy(), uuid::Uuid::new_v4().simple());
        Ok(Target {
            path: path.to_path_buf(),
            temp: dir.join(temp_name),
            force,
        })
    }

    /// The temporary file the backup is written to (it does not exist yet).
    pub(super) fn temp(&self) -> &Path {
        &self.temp
    }

    /// Flushes the temporary file, moves it to the final path and flushes the directory.
    /// Returns the file's size.
    pub(super) fn commit(&self) -> Result<u64> {
        let file = File::open(&self.temp).with_context(|| format!("cannot read back {}", self.temp.display()))?;
        file.sync_all()
            .with_context(|| format!("cannot flush {}", self.temp.display()))?;
        let size = file.metadata()?.len();
        if self.force {
            std::fs::rename(&self.temp, &self.path)
        } else {
            // A hard link fails if the path appeared meanwhile: never overwrite without --force.
            std::fs::hard_link(&self.temp, &self.path).and_then(|()| std::fs::remove_file(&self.temp))
        }
        .with_context(|| format!("cannot move the backup to {}", self.path.display()))?;
        sync_dir(parent(&self.path))?;
        Ok(size)
    }
}

impl Drop for Target {
    /// Removes what is left of the temporary file after a failure.
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.temp);
    }
}

fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// Makes a rename or new file in `dir` durable.
pub(super) fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir)
        .and_then(|handle| handle.sync_all())
        .with_context(|| format!("cannot flush the directory {}", dir.display()))
}
