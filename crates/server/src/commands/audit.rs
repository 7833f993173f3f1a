//! `roster audit verify`: walks the audit log's hash chain straight on the database and
//! fails, naming the first broken link, when a record was edited, deleted, reordered or
//! cut off. It prints the chain head as a checkpoint to keep outside the database; given
//! back with `--checkpoint`, it also catches a tail cut off together with the head.

use crate::cli::AuditVerifyArgs;
use anyhow::{Result, anyhow};
use directory::Caller;
use directory::audit_chain::ChainHead;

pub async fn verify(args: AuditVerifyArgs) -> Result<()> {
    let checkpoint = args
        .checkpoint
        .as_deref()
        .map(|text| text.parse::<ChainHead>().map_err(|e| anyhow!("--checkpoint: {e}")))
        .transpose()?;
    let directory = super::open_directory(&args.storage).await?;
    let report = directory
        .verify_audit_chain(&Caller::system(), checkpoint)
        .await
        .map_err(super::explain)?;
    match report.first_break {
        None => {
            println!("audit chain intact: {} records verified", report.verified);
            println!("checkpoint: {}", report.head);
            Ok(())
        }
        Some(broken) => Err(anyhow!(
            "audit chain broken after {} intact records: {broken}",
            report.verified
        )),
    }
}
