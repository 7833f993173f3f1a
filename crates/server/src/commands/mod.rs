//! The subcommands that work on a database directly.

pub mod app;
pub mod audit;
pub mod backup;
pub mod init;
pub mod serve;
pub mod tenant;
pub mod token;

use crate::cli::StorageArgs;
use crate::settings;
use crate::storage::{self, Missing};
use anyhow::{Result, anyhow};
use directory::{Directory, Error};

/// A directory on the configured database, for a one-off command beside a running server.
pub(crate) async fn open_directory(storage: &StorageArgs) -> Result<Directory> {
    let database = settings::storage(storage)?;
    let opened = storage::open_for_tool(&database, Missing::Refuse).await?;
    Ok(crate::clock_sync::directory(opened.store).await?.0)
}

/// Says what to do when the database holds no organisation yet.
pub(crate) fn explain(error: Error) -> anyhow::Error {
    match error {
        Error::NotInitialized => anyhow!("this database holds no organisation yet; run `roster init` first"),
        other => other.into(),
    }
}
