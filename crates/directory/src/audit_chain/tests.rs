//! Table tests of the hash chain: hashing and every kind of broken link.

use super::*;
use crate::audit::{AuditAction, AuditOutcome};
use crate::ids::AuditId;
use time::macros::datetime;

fn event(n: u128) -> AuditEvent {
    AuditEvent {
        id: AuditId(uuid::Uuid::from_u128(n)),
        at: datetime!(2026-03-01 12:00:00.000_001 UTC),
        actor: "admin@contoso.com".into(),
        action: AuditAction::AddUser,
        target_id: Some(uuid::Uuid::from_u128(1000 + n)),
        target: format!("user{n}@contoso.com"),
        outcome: AuditOutcome::Success,
        details: vec![("k".into(), format!("v{n}"))],
    }
}

fn chain(len: u128) -> Vec<ChainedRecord> {
    let mut prev = GENESIS.to_owned();
    (1..=len)
        .map(|n| {
            let event = event(n);
            let hash = link_hash(&prev, &event);
            ChainedRecord {
                seq: n as i64,
                id: event.id.0,
                prev_hash: std::mem::replace(&mut prev, hash.clone()),
                hash,
                event: Ok(event),
            }
        })
        .collect()
}

fn head_of(records: &[ChainedRecord]) -> ChainHead {
    records.last().map_or_else(ChainHead::empty, |r| ChainHead {
        seq: r.seq,
        hash: r.hash.clone(),
    })
}

fn walk(
    records: &[ChainedRecord],
    head: &ChainHead,
    checkpoint: impl IntoIterator<Item = ChainHead>,
) -> Result<u64, ChainBreak> {
    let mut walk = ChainWalk::new(checkpoint);
    for record in records {
        walk.step(record)?;
    }
    walk.finish(head, 0)?;
    Ok(walk.verified())
}

/// One change to a record.
type Edit = Box<dyn Fn(&mut AuditEvent)>;

#[test]
fn every_field_changes_the_hash() {
    let base = event(1);
    let hash = link_hash(GENESIS, &base);
    assert_eq!(hash.len(), 64);
    assert_eq!(hash, link_hash(GENESIS, &base.clone()), "hashing is deterministic");
    let edits: Vec<Edit> = vec![
        Box::new(|e| e.id = AuditId(uuid::Uuid::from_u128(99))),
        Box::new(|e| e.at += time::Duration::microseconds(1)),
        Box::new(|e| e.actor.push('x')),
        Box::new(|e| e.action = AuditAction::DeleteUser),
        Box::new(|e| e.target_id = None),
        Box::new(|e| e.target.push('x')),
        Box::new(|e| e.outcome = AuditOutcome::Failure),
        Box::new(|e| e.details[0].1.push('x')),
        Box::new(|e| e.details.clear()),
    ];
    for edit in edits {
        let mut edited = base.clone();
        edit(&mut edited);
        assert_ne!(link_hash(GENESIS, &edited), hash, "{edited:?}");
    }
    assert_ne!(link_hash(&"1".repeat(64), &base), hash, "the previous hash is covered");
}

#[test]
fn field_boundaries_are_unambiguous() {
    let mut a = event(1);
    let mut b = event(1);
    a.actor = "ab".into();
    a.target = "c".into();
    b.actor = "a".into();
    b.target = "bc".into();
    assert_ne!(link_hash(GENESIS, &a), link_hash(GENESIS, &b));
    a.details = vec![("k".into(), "v".into()), ("w".into(), String::new())];
    b.details = vec![("k".into(), "v".into())];
    b.actor = a.actor.clone();
    b.target = a.target.clone();
    assert_ne!(link_hash(GENESIS, &a), link_hash(GENESIS, &b));
}

#[test]
fn a_clean_chain_verifies() {
    let records = chain(5);
    assert_eq!(walk(&records, &head_of(&records), None), Ok(5));
    assert_eq!(walk(&[], &ChainHead::empty(), None), Ok(0));
    let checkpoint = ChainHead {
        seq: 3,
        hash: records[2].hash.clone(),
    };
    assert_eq!(walk(&records, &head_of(&records), Some(checkpoint)), Ok(5));
}

#[test]
fn an_edited_record_is_named() {
    let mut records = chain(5);
    if let Ok(event) = &mut records[2].event {
        event.target = "mallory@contoso.com".into();
    }
    let head = head_of(&records);
    assert_eq!(
        walk(&records, &head, None),
        Err(ChainBreak::Edited {
            seq: 3,
            id: records[2].id
        })
    );
}

#[test]
fn a_rehashed_edit_breaks_the_next_link() {
    let mut records = chain(5);
    let record = &mut records[2];
    if let Ok(event) = &mut record.event {
        event.target = "mallory@contoso.com".into();
        record.hash = link_hash(&record.prev_hash, event);
    }
    let head = head_of(&records);
    assert_eq!(
        walk(&records, &head, None),
        Err(ChainBreak::Relinked {
            seq: 4,
            id: records[3].id
        })
    );
}

#[test]
fn a_deleted_record_is_a_gap() {
    let mut records = chain(5);
    records.remove(1);
    let head = head_of(&records);
    assert_eq!(
        walk(&records, &head, None),
        Err(ChainBreak::Missing {
            expected_seq: 2,
            found_seq: 3
        })
    );
    for (n, record) in records.iter_mut().enumerate() {
        record.seq = n as i64 + 1;
    }
    assert_eq!(
        walk(&records, &head, None),
        Err(ChainBreak::Relinked {
            seq: 2,
            id: records[1].id
        })
    );
}

#[test]
fn swapped_records_do_not_link() {
    let mut records = chain(5);
    records.swap(1, 2);
    records[1].seq = 2;
    records[2].seq = 3;
    let head = head_of(&chain(5));
    assert_eq!(
        walk(&records, &head, None),
        Err(ChainBreak::Relinked {
            seq: 2,
            id: records[1].id
        })
    );
}

#[test]
fn a_truncated_tail_shows_against_head_and_checkpoint() {
    let full = chain(5);
    let head = head_of(&full);
    let truncated = &full[..3];
    assert_eq!(
        walk(truncated, &head, None),
        Err(ChainBreak::TailMissing {
            last_seq: 3,
            head: head.clone()
        })
    );
    // An attacker who also rewrote the head is caught by a checkpoint kept elsewhere.
    let checkpoint = Some(head.clone());
    assert_eq!(
        walk(truncated, &head_of(truncated), checkpoint),
        Err(ChainBreak::CheckpointMismatch { checkpoint: head })
    );
}

#[test]
fn every_checkpoint_of_a_file_must_be_held_whatever_their_order() {
    let records = chain(6);
    let head = head_of(&records);
    let at = |seq: usize| ChainHead {
        seq: seq as i64,
        hash: records[seq - 1].hash.clone(),
    };
    let held = vec![at(4), ChainHead::empty(), at(2), at(2), at(6)];
    assert_eq!(walk(&records, &head, held.clone()), Ok(6));
    // A rewrite between two checkpoints: the later ones still match a rebuilt chain,
    // the earlier one does not.
    let forged = ChainHead {
        seq: 2,
        hash: records[0].hash.clone(),
    };
    let mut checkpoints = held;
    checkpoints.push(forged.clone());
    assert_eq!(
        walk(&records, &head, checkpoints),
        Err(ChainBreak::CheckpointMismatch { checkpoint: forged })
    );
    // A checkpoint past the end, or a genesis that is not the genesis, is not held.
    assert_eq!(
        walk(
            &records,
            &head,
            [
                at(2),
                ChainHead {
                    seq: 7,
                    hash: head.hash.clone()
                }
            ]
        ),
        Err(ChainBreak::CheckpointMismatch {
            checkpoint: ChainHead {
                seq: 7,
                hash: head.hash.clone()
            }
        })
    );
    let not_genesis = ChainHead {
        seq: 0,
        hash: head.hash.clone(),
    };
    assert_eq!(
        walk(&records, &head, [not_genesis.clone()]),
        Err(ChainBreak::CheckpointMismatch {
            checkpoint: not_genesis
        })
    );
}

#[test]
fn a_head_that_names_another_record_is_reported() {
    let records = chain(3);
    let wrong = ChainHead {
        seq: 3,
        hash: GENESIS.to_owned(),
    };
    assert_eq!(
        walk(&records, &wrong, None),
        Err(ChainBreak::HeadMismatch {
            last_seq: 3,
            head: wrong
        })
    );
}

#[test]
fn unchained_and_unreadable_records_are_reported() {
    let records = chain(2);
    let mut walker = ChainWalk::new(None);
    for record in &records {
        walker.step(record).unwrap();
    }
    assert_eq!(
        walker.finish(&head_of(&records), 2),
        Err(ChainBreak::Unchained { count: 2 })
    );
    let mut bad = chain(1);
    bad[0].event = Err("unknown action".into());
    assert!(matches!(
        ChainWalk::new(None).step(&bad[0]),
        Err(ChainBreak::Unreadable { seq: 1, .. })
    ));
}

#[test]
fn checkpoints_round_trip_as_text() {
    let head = head_of(&chain(2));
    assert_eq!(head.to_string().parse::<ChainHead>(), Ok(head));
    for bad in ["", "3", "x:abc", "-1:0", &format!("1:{}", "G".repeat(64))] {
        assert!(bad.parse::<ChainHead>().is_err(), "{bad}");
    }
    for record_break in [
        ChainBreak::Missing {
            expected_seq: 2,
            found_seq: 4,
        },
        ChainBreak::Unchained { count: 1 },
    ] {
        assert!(!record_break.to_string().is_empty());
    }
}
