//! The audit checkpoint job: at every interval, when the audit chain has grown, the chain
//! head (`SEQ:HASH`) is logged (target `roster::audit`) and, if a file is set, appended to
//! it with the time and synced, signed when a key is set ([`crate::checkpoint_file`]).
//! Kept away from the database, such lines let `roster audit verify --checkpoint-file`
//! prove later that no record was cut off the tail or rewritten.

use crate::checkpoint_file::CheckpointSigner;
use crate::every::{First, Ticks};
use anyhow::{Context, Result};
use directory::audit_chain::ChainHead;
use directory::{Caller, Directory};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;
use time::format_description::well_known::Rfc3339;
use tokio::sync::watch;

/// Where checkpoints go besides the log, how often, and the key that signs them.
#[derive(Debug, Clone)]
pub struct CheckpointExport {
    pub interval: Duration,
    pub file: Option<PathBuf>,
    pub key: Option<PathBuf>,
}

/// The export with its key read (or created), ready to run.
#[derive(Debug)]
pub struct Exporter {
    export: CheckpointExport,
    signer: Option<CheckpointSigner>,
}

impl Exporter {
    /// Reads the signing key, creating it on first start, and logs its public key.
    pub fn open(export: CheckpointExport) -> Result<Self> {
        let signer = match &export.key {
            Some(path) => {
                let signer = CheckpointSigner::load_or_create(path)?;
                let public_key = signer.public_key();
                tracing::info!(target: "roster::audit", %public_key, "audit checkpoints are signed");
                Some(signer)
            }
            None => None,
        };
        Ok(Exporter { export, signer })
    }
}

/// Runs until `stop` turns true. The first checkpoint is taken at once.
pub async fn run(directory: Directory, exporter: Exporter, stop: watch::Receiver<bool>) {
    let mut last: Option<ChainHead> = None;
    let mut ticks = Ticks::new(exporter.export.interval, First::AtOnce, stop);
    while ticks.next().await {
        export_once(&directory, &exporter, &mut last).await;
    }
}

async fn export_once(directory: &Directory, exporter: &Exporter, last: &mut Option<ChainHead>) {
    let head = match directory.audit_checkpoint(&Caller::system()).await {
        Ok(head) => head,
        Err(error) => {
            tracing::warn!(%error, "cannot read the audit chain head; trying again at the next interval");
            return;
        }
    };
    if last.as_ref() == Some(&head) {
        return;
    }
    let at = directory.now().format(&Rfc3339).unwrap_or_default();
    let line = match &exporter.signer {
        Some(signer) => signer.sign(&format!("{at} {head}")),
        None => format!("{at} {head}"),
    };
    tracing::info!(target: "roster::audit", checkpoint = %line, "audit checkpoint");
    if let Some(file) = &exporter.export.file
        && let Err(error) = append_in_background(file.clone(), format!("{line}\n")).await
    {
        tracing::warn!(
            error = format!("{error:#}"),
            "cannot write the audit checkpoint file; trying again at the next interval"
        );
        return;
    }
    *last = Some(head);
}

async fn append_in_background(path: PathBuf, line: String) -> Result<()> {
    tokio::task::spawn_blocking(move || append_synced(&path, &line)).await?
}

/// Appends `line` to `path` (created if missing, mode 0600) and syncs it to disk.
fn append_synced(path: &Path, line: &str) -> Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    file.write_all(line.as_bytes())
        .and_then(|()| file.sync_data())
        .with_context(|| format!("cannot append to {}", path.display()))
}
