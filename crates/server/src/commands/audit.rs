//! `roster audit verify`: walks the audit log's hash chain straight on the database and
//! fails, naming the first broken link, when a record was edited, deleted, reordered or
//! cut off. It prints the chain head as a checkpoint to keep outside the database; given
//! back with `--checkpoint` (or a whole `--checkpoint-file`, its signatures checked with
//! `--public-key`), it also catches a tail cut off together with the head.
//!
//! `roster audit list` prints the newest records. Records keep text as it was given (a
//! sign-in name as typed, say), so everything printed from them goes through
//! [`escape_for_terminal`]: CR, LF, ESC and other control characters appear escaped and
//! cannot forge lines or recolour the terminal.

use crate::checkpoint_file::{CheckpointVerifier, read_checkpoints};
use crate::cli::{AuditListArgs, AuditVerifyArgs};
use crate::remote::output::escape_for_terminal;
use anyhow::{Context, Result, anyhow};
use directory::Caller;
use directory::audit::{AuditEvent, AuditQuery};
use directory::audit_chain::ChainHead;
use time::format_description::well_known::Rfc3339;

pub async fn verify(args: AuditVerifyArgs) -> Result<()> {
    let mut checkpoints = args
        .checkpoint
        .as_deref()
        .map(|text| text.parse::<ChainHead>().map_err(|e| anyhow!("--checkpoint: {e}")))
        .transpose()?
        .into_iter()
        .collect::<Vec<_>>();
    let from_file = checkpoint_file(&args)?;
    checkpoints.extend(from_file.iter().cloned());
    let directory = super::open_directory(&args.storage).await?;
    let report = directory
        .verify_audit_chain(&Caller::system(), checkpoints)
        .await
        .map_err(super::explain)?;
    match report.first_break {
        None => {
            println!("audit chain intact: {} records verified", report.verified);
            if let Some(path) = &args.checkpoint_file {
                let signed = if args.public_key.is_some() {
                    ", every signature valid"
                } else {
                    ""
                };
                println!("{} checkpoints of {} held{signed}", from_file.len(), path.display());
            }
            println!("checkpoint: {}", report.head);
            Ok(())
        }
        // A break can quote a tampered field, so it is escaped too.
        Some(broken) => Err(anyhow!(
            "audit chain broken after {} intact records: {}",
            report.verified,
            escape_for_terminal(&broken.to_string())
        )),
    }
}

/// The checkpoints of `--checkpoint-file`, their signatures checked with `--public-key`.
fn checkpoint_file(args: &AuditVerifyArgs) -> Result<Vec<ChainHead>> {
    let Some(path) = &args.checkpoint_file else {
        return Ok(Vec::new());
    };
    let verifier = args.public_key.as_deref().map(CheckpointVerifier::parse).transpose()?;
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    read_checkpoints(&text, verifier.as_ref()).with_context(|| format!("{}", path.display()))
}

pub async fn list(args: AuditListArgs) -> Result<()> {
    let directory = super::open_directory(&args.storage).await?;
    let query = AuditQuery {
        limit: args.limit.clamp(1, 1000),
        ..AuditQuery::default()
    };
    let mut events = directory
        .audit_events(&Caller::system(), &query)
        .await
        .map_err(super::explain)?;
    events.reverse();
    for event in &events {
        println!("{}", audit_line(event));
    }
    Ok(())
}

/// One record on one line: time, outcome, action, actor, target and details, every text
/// field escaped.
fn audit_line(event: &AuditEvent) -> String {
    let mut line = format!(
        "{}  {}  {}  actor={}  target={}",
        event.at.format(&Rfc3339).unwrap_or_else(|_| event.at.to_string()),
        event.outcome.as_str(),
        event.action.as_str(),
        escape_for_terminal(&event.actor),
        escape_for_terminal(&event.target),
    );
    for (key, value) in &event.details {
        line.push_str(&format!(
            "  {}={}",
            escape_for_terminal(key),
            escape_for_terminal(value)
        ));
    }
    line
}
