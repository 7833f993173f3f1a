//! The audit log's hash chain (T35): a clean chain verifies; rows edited, swapped, deleted
//! or truncated straight in the database are each named; two processes appending at once
//! still build one linear chain. The tamper cases drop the append-only triggers first
//! (`crate::audit`), as an owner of the table could.

use super::{Fixture, caller_with, new_user};
use crate::TestDb;
use crate::audit::{lift_append_only_guard, restore_append_only_guard};
use directory::audit::AuditQuery;
use directory::audit_chain::{ChainBreak, ChainHead, ChainReport};
use directory::group::NewGroup;
use directory::recycle_bin::RestoreOptions;
use directory::role::AdminRole;
use directory::{Code, Directory};

async fn verify(fx: &Fixture, checkpoint: Option<ChainHead>) -> ChainReport {
    fx.directory.verify_audit_chain(&fx.admin, checkpoint).await.unwrap()
}

async fn audit_count(directory: &Directory, fx: &Fixture) -> i64 {
    let query = AuditQuery {
        limit: 1000,
        ..AuditQuery::default()
    };
    directory.audit_events(&fx.admin, &query).await.unwrap().len() as i64
}

/// Users created, deleted and restored in bulk (several records in one transaction).
async fn some_history(fx: &Fixture) {
    let mut requests = Vec::new();
    for n in 0..3 {
        let user = fx.create(&format!("chain{n}@contoso.com")).await;
        fx.delete(&user).await;
        requests.push((user.id, RestoreOptions::default()));
    }
    fx.directory.restore_users(&fx.admin, requests).await;
}

pub async fn a_clean_audit_chain_verifies_and_needs_the_audit_role(db: TestDb) {
    let fx = Fixture::new(db).await;
    some_history(&fx).await;
    let report = verify(&fx, None).await;
    assert_eq!(report.first_break, None);
    assert_eq!(report.head.seq, audit_count(&fx.directory, &fx).await);
    assert_eq!(report.verified, report.head.seq as u64);

    // A checkpoint taken now still verifies after more records are appended.
    let checkpoint = report.head.clone();
    fx.create("later@contoso.com").await;
    let later = verify(&fx, Some(checkpoint)).await;
    assert_eq!(later.first_break, None);
    assert_eq!(later.head.seq, report.head.seq + 1);

    let reader = caller_with(&[AdminRole::GlobalReader]);
    assert!(fx.directory.verify_audit_chain(&reader, None).await.is_ok());
    let helpdesk = caller_with(&[AdminRole::HelpdeskAdministrator]);
    let refused = fx.directory.verify_audit_chain(&helpdesk, None).await.unwrap_err();
    assert_eq!(refused.code(), Code::Forbidden);
}

pub async fn edited_swapped_deleted_or_truncated_audit_rows_are_detected(db: TestDb) {
    let fx = Fixture::new(db).await;
    some_history(&fx).await;
    let clean = verify(&fx, None).await;
    assert_eq!(clean.first_break, None);
    let head = clean.head.clone();
    assert!(head.seq >= 8, "{head:?}");
    // Migration 0008's triggers refuse every edit below. An attacker who owns the table
    // can drop them, so the chain must catch these edits on its own: drop them here.
    lift_append_only_guard(&fx.db).await;

    // An edited field names its record; undone, the chain verifies again.
    fx.db
        .raw_sql("UPDATE audit_events SET actor = actor || 'x' WHERE seq = 3")
        .await;
    assert!(matches!(
        verify(&fx, None).await.first_break,
        Some(ChainBreak::Edited { seq: 3, .. })
    ));
    fx.db
        .raw_sql("UPDATE audit_events SET actor = substr(actor, 1, length(actor) - 1) WHERE seq = 3")
        .await;
    assert_eq!(verify(&fx, None).await.first_break, None);

    // Two rows swapped in place.
    let swap = "UPDATE audit_events SET seq = -1 WHERE seq = 2; \
                UPDATE audit_events SET seq = 2 WHERE seq = 3; \
                UPDATE audit_events SET seq = 3 WHERE seq = -1";
    fx.db.raw_sql(swap).await;
    assert!(matches!(
        verify(&fx, None).await.first_break,
        Some(ChainBreak::Relinked { seq: 2, .. })
    ));
    fx.db.raw_sql(swap).await;
    assert_eq!(verify(&fx, None).await.first_break, None);

    // The tail cut off: the head notices.
    fx.db
        .raw_sql(&format!("DELETE FROM audit_events WHERE seq > {}", head.seq - 2))
        .await;
    let truncated = verify(&fx, None).await;
    assert_eq!(
        truncated.first_break,
        Some(ChainBreak::TailMissing {
            last_seq: head.seq - 2,
            head: head.clone()
        })
    );
    assert_eq!(truncated.verified as i64, head.seq - 2);
    // With the head rewritten to match, only a checkpoint kept outside notices.
    fx.db
        .raw_sql(
            "UPDATE audit_chain_head SET seq = (SELECT MAX(seq) FROM audit_events), \
             hash = (SELECT hash FROM audit_events WHERE seq = (SELECT MAX(seq) FROM audit_events))",
        )
        .await;
    assert_eq!(verify(&fx, None).await.first_break, None);
    assert_eq!(
        verify(&fx, Some(head.clone())).await.first_break,
        Some(ChainBreak::CheckpointMismatch { checkpoint: head })
    );

    // A row deleted from the middle.
    fx.db.raw_sql("DELETE FROM audit_events WHERE seq = 4").await;
    assert_eq!(
        verify(&fx, None).await.first_break,
        Some(ChainBreak::Missing {
            expected_seq: 4,
            found_seq: 5
        })
    );
}

pub async fn concurrent_appends_from_two_processes_keep_one_linear_chain(db: TestDb) {
    let fx = Fixture::new(db).await;
    let second = fx.second_process().await;
    let before = verify(&fx, None).await.head.seq;
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..24 {
        let directory = if n % 2 == 0 {
            fx.directory.clone()
        } else {
            second.clone()
        };
        let admin = fx.admin.clone();
        tasks.spawn(async move {
            if n % 6 == 0 {
                directory
                    .create_user(&admin, new_user(&format!("racer{n}@contoso.com")))
                    .await
                    .map(|_| ())
            } else {
                let group = NewGroup::new(&format!("Group {n}"), &format!("group{n}"));
                directory.create_group(&admin, group).await.map(|_| ())
            }
        });
    }
    while let Some(joined) = tasks.join_next().await {
        joined.unwrap().unwrap();
    }
    let report = verify(&fx, None).await;
    assert_eq!(report.first_break, None);
    assert_eq!(report.head.seq, before + 24);
    assert_eq!(report.head.seq, audit_count(&second, &fx).await);
}

pub async fn records_from_before_the_chain_are_chained_once_when_the_store_opens(db: TestDb) {
    let fx = Fixture::new(db).await;
    some_history(&fx).await;
    let count = audit_count(&fx.directory, &fx).await;
    // As the rows were before migration 0006. Emptying chain fields is an UPDATE that the
    // append-only triggers refuse, so they are lifted for it and put back at once: the
    // store must then chain the rows through the triggers' one exception.
    lift_append_only_guard(&fx.db).await;
    fx.db
        .raw_sql(
            "UPDATE audit_events SET seq = NULL, prev_hash = NULL, hash = NULL; \
             UPDATE audit_chain_head SET seq = 0, \
             hash = '0000000000000000000000000000000000000000000000000000000000000000'",
        )
        .await;
    restore_append_only_guard(&fx.db).await;
    // The exception is filling the chain fields only: an edit riding along is refused.
    let edit = "UPDATE audit_events SET seq = 1000000, prev_hash = 'x', hash = 'y', actor = 'mallory' \
                WHERE id = (SELECT id FROM audit_events WHERE seq IS NULL LIMIT 1)";
    let refused = fx.db.try_raw_sql(edit).await.unwrap_err();
    assert!(refused.contains("append-only"), "{refused}");
    assert_eq!(
        verify(&fx, None).await.first_break,
        Some(ChainBreak::Unchained { count: count as u64 })
    );
    let reopened = fx.second_process().await;
    let again = fx.second_process().await;
    let report = reopened.verify_audit_chain(&fx.admin, None).await.unwrap();
    assert_eq!(report.first_break, None);
    assert_eq!(report.head.seq, count);
    assert_eq!(again.verify_audit_chain(&fx.admin, None).await.unwrap(), report);
}
