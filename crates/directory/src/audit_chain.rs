//! Tamper evidence for the audit log: a SHA-256 hash chain over the records.
//!
//! Every record has a place `seq` (1, 2, 3, …) in one linear chain, stores the hash of the
//! record before it (`prev_hash`, [`GENESIS`] for the first) and its own `hash`, which is
//! [`link_hash`] over `prev_hash` and the record's fields. The store keeps a chain head
//! (the last `seq` and `hash`) that it updates in the transaction that appends, under a
//! lock, so several processes on one database still build one line.
//!
//! [`ChainWalk`] checks a chain record by record, in `seq` order, and names the first broken
//! link: an edited record (its hash no longer matches its fields), a deleted record (a gap in
//! `seq`, or a `prev_hash` that no longer matches), reordered records, records written behind
//! the chain's back, and a truncated tail (against the head, or against a checkpoint kept
//! outside the database, which also survives an attacker who rewrites the head).

use crate::audit::AuditEvent;
use crate::caller::{Caller, Permission};
use crate::directory::Directory;
use crate::error::Error;
use sha2::{Digest, Sha256};
use std::fmt;

/// The `prev_hash` of the first record: 64 zeros.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Records read per page while verifying.
const PAGE: u32 = 500;

/// Hex SHA-256 over a length-prefixed encoding of `prev_hash` and every field of the
/// record, so that no two different records encode alike.
pub fn link_hash(prev_hash: &str, event: &AuditEvent) -> String {
    let mut hasher = Sha256::new();
    let mut field = |bytes: &[u8]| {
        hasher.update((bytes.len() as u64).to_be_bytes());
        hasher.update(bytes);
    };
    field(b"roster-audit-v1");
    field(prev_hash.as_bytes());
    field(event.id.0.hyphenated().to_string().as_bytes());
    field(
        (event.at.unix_timestamp_nanos().div_euclid(1000))
            .to_string()
            .as_bytes(),
    );
    field(event.actor.as_bytes());
    field(event.action.as_str().as_bytes());
    field(
        event
            .target_id
            .map(|id| id.hyphenated().to_string())
            .unwrap_or_default()
            .as_bytes(),
    );
    field(event.target.as_bytes());
    field(event.outcome.as_str().as_bytes());
    field((event.details.len() as u64).to_string().as_bytes());
    for (key, value) in &event.details {
        field(key.as_bytes());
        field(value.as_bytes());
    }
    hasher.finalize().iter().map(|byte| format!("{byte:02x}")).collect()
}

/// The last link of the chain: how many records it holds and the last one's hash. Also the
/// form of a checkpoint kept outside the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainHead {
    pub seq: i64,
    pub hash: String,
}

impl ChainHead {
    /// The head of an empty chain.
    pub fn empty() -> Self {
        ChainHead {
            seq: 0,
            hash: GENESIS.to_owned(),
        }
    }
}

impl fmt::Display for ChainHead {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.seq, self.hash)
    }
}

impl std::str::FromStr for ChainHead {
    type Err = String;

    /// Parses `SEQ:HASH`, the form [`ChainHead`] displays.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (seq, hash) = text.split_once(':').ok_or("a checkpoint is SEQ:HASH")?;
        let seq = seq.parse::<i64>().map_err(|e| format!("checkpoint sequence: {e}"))?;
        let hex = hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase());
        if seq < 0 || !hex {
            return Err("a checkpoint is SEQ:HASH with 64 lower-case hex digits".into());
        }
        Ok(ChainHead {
            seq,
            hash: hash.to_owned(),
        })
    }
}

/// One stored record with its place in the chain. `event` is an error when a stored field
/// no longer reads as a valid value (an unknown action, say), which only tampering does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainedRecord {
    pub seq: i64,
    pub id: uuid::Uuid,
    pub prev_hash: String,
    pub hash: String,
    pub event: Result<AuditEvent, String>,
}

/// The first thing wrong with a chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainBreak {
    /// The record's fields or hash were changed after it was written.
    Edited { seq: i64, id: uuid::Uuid },
    /// A stored field is no longer a valid value.
    Unreadable { seq: i64, id: uuid::Uuid, reason: String },
    /// Records are missing before this one (deleted rows).
    Missing { expected_seq: i64, found_seq: i64 },
    /// The record does not follow the one before it (rows deleted, swapped or reordered).
    Relinked { seq: i64, id: uuid::Uuid },
    /// The chain ends before its head: the last records were deleted.
    TailMissing { last_seq: i64, head: ChainHead },
    /// The chain's last record is not the one its head names.
    HeadMismatch { last_seq: i64, head: ChainHead },
    /// Records that have no place in the chain (written around it).
    Unchained { count: u64 },
    /// The chain no longer holds the record a checkpoint names.
    CheckpointMismatch { checkpoint: ChainHead },
}

impl fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChainBreak::Edited { seq, id } => write!(f, "record {seq} ({id}) was changed after it was written"),
            ChainBreak::Unreadable { seq, id, reason } => write!(f, "record {seq} ({id}) is unreadable: {reason}"),
            ChainBreak::Missing {
                expected_seq,
                found_seq,
            } => write!(f, "records {expected_seq} to {} are missing", found_seq - 1),
            ChainBreak::Relinked { seq, id } => write!(
                f,
                "record {seq} ({id}) does not follow record {}: records were deleted or reordered",
                seq - 1
            ),
            ChainBreak::TailMissing { last_seq, head } => write!(
                f,
                "the chain ends at record {last_seq} but its head says {}: the last records were deleted",
                head.seq
            ),
            ChainBreak::HeadMismatch { last_seq, head } => {
                write!(f, "record {last_seq} is not the chain's head ({head})")
            }
            ChainBreak::Unchained { count } => write!(f, "{count} records are outside the chain"),
            ChainBreak::CheckpointMismatch { checkpoint } => {
                write!(f, "the chain no longer holds checkpoint {checkpoint}")
            }
        }
    }
}

/// What a verification found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainReport {
    /// Records checked before the first break (all of them when there is none).
    pub verified: u64,
    /// The head as stored: a checkpoint to keep outside the database.
    pub head: ChainHead,
    pub first_break: Option<ChainBreak>,
}

/// Checks a chain one record at a time, in `seq` order.
#[derive(Debug, Clone)]
pub struct ChainWalk {
    last: ChainHead,
    verified: u64,
    /// Checkpoints kept elsewhere that the walk has not reached yet, latest first.
    checkpoints: Vec<ChainHead>,
}

impl ChainWalk {
    /// A walk from the start, also checking the checkpoints kept elsewhere, if any: the
    /// chain must hold each of them.
    pub fn new(checkpoints: impl IntoIterator<Item = ChainHead>) -> Self {
        let mut checkpoints: Vec<ChainHead> = checkpoints.into_iter().collect();
        checkpoints.sort_by_key(|c| std::cmp::Reverse(c.seq));
        let mut walk = ChainWalk {
            last: ChainHead::empty(),
            verified: 0,
            checkpoints,
        };
        // The empty chain holds the genesis checkpoint; a mismatch shows at `finish`.
        walk.checkpoints.retain(|c| *c != ChainHead::empty());
        walk
    }

    pub fn verified(&self) -> u64 {
        self.verified
    }

    /// Checks the next record.
    pub fn step(&mut self, record: &ChainedRecord) -> Result<(), ChainBreak> {
        let expected_seq = self.last.seq + 1;
        if record.seq != expected_seq {
            return Err(ChainBreak::Missing {
                expected_seq,
                found_seq: record.seq,
            });
        }
        let event = record.event.as_ref().map_err(|reason| ChainBreak::Unreadable {
            seq: record.seq,
            id: record.id,
            reason: reason.clone(),
        })?;
        if link_hash(&record.prev_hash, event) != record.hash {
            return Err(ChainBreak::Edited {
                seq: record.seq,
                id: record.id,
            });
        }
        if record.prev_hash != self.last.hash {
            return Err(ChainBreak::Relinked {
                seq: record.seq,
                id: record.id,
            });
        }
        while let Some(checkpoint) = self.checkpoints.pop_if(|c| c.seq <= record.seq) {
            if checkpoint.seq != record.seq || checkpoint.hash != record.hash {
                return Err(ChainBreak::CheckpointMismatch { checkpoint });
            }
        }
        self.last = ChainHead {
            seq: record.seq,
            hash: record.hash.clone(),
        };
        self.verified += 1;
        Ok(())
    }

    /// Checks the end of the chain against its stored head, records outside the chain and
    /// the checkpoints.
    pub fn finish(&self, head: &ChainHead, unchained: u64) -> Result<(), ChainBreak> {
        if let Some(checkpoint) = self.checkpoints.last() {
            let checkpoint = checkpoint.clone();
            return Err(ChainBreak::CheckpointMismatch { checkpoint });
        }
        if self.last.seq < head.seq {
            return Err(ChainBreak::TailMissing {
                last_seq: self.last.seq,
                head: head.clone(),
            });
        }
        if self.last != *head {
            return Err(ChainBreak::HeadMismatch {
                last_seq: self.last.seq,
                head: head.clone(),
            });
        }
        if unchained > 0 {
            return Err(ChainBreak::Unchained { count: unchained });
        }
        Ok(())
    }
}

impl Directory {
    /// The chain's head now: a checkpoint to keep outside the database.
    pub async fn audit_checkpoint(&self, caller: &Caller) -> Result<ChainHead, Error> {
        caller.authorize(Permission::ReadAudit)?;
        Ok(self.store.read().await?.audit_chain_head().await?)
    }

    /// Walks the whole audit chain in order, in one snapshot, and reports the first broken
    /// link. `checkpoints` are heads recorded earlier outside the database, if any (an
    /// `Option` or a list).
    pub async fn verify_audit_chain(
        &self,
        caller: &Caller,
        checkpoints: impl IntoIterator<Item = ChainHead>,
    ) -> Result<ChainReport, Error> {
        caller.authorize(Permission::ReadAudit)?;
        let mut read = self.store.read().await?;
        let head = read.audit_chain_head().await?;
        let mut walk = ChainWalk::new(checkpoints);
        let mut after = 0;
        loop {
            let page = read.audit_chain_page(after, PAGE).await?;
            for record in &page {
                if let Err(broken) = walk.step(record) {
                    return Ok(report(&walk, head, broken));
                }
            }
            match page.last() {
                Some(last) if page.len() == PAGE as usize => after = last.seq,
                _ => break,
            }
        }
        let unchained = read.count_unchained_audit_events().await?;
        Ok(match walk.finish(&head, unchained) {
            Ok(()) => ChainReport {
                verified: walk.verified(),
                head,
                first_break: None,
            },
            Err(broken) => report(&walk, head, broken),
        })
    }
}

fn report(walk: &ChainWalk, head: ChainHead, broken: ChainBreak) -> ChainReport {
    ChainReport {
        verified: walk.verified(),
        head,
        first_break: Some(broken),
    }
}

#[cfg(test)]
mod tests;
