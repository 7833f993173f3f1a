//! Invariant checks over the database itself: a seeded user is wholly restored, wholly
//! deleted (remembering everything) or wholly purged, never half; audit records are
//! counted over the whole chain; the chain verifies; SQLite's file is intact.

use crate::seed::{Seeded, sorted};
use directory::audit::{AuditAction, AuditEvent, AuditOutcome};
use directory::store::{ReadTx, Store};
use directory::{Caller, Directory, SystemClock};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

/// Where a seeded user is after a fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum State {
    /// Active, with its groups, licence and addresses.
    Active,
    /// In the recycle bin, remembering its groups, licence and addresses.
    Deleted,
    /// Purged: no row, no licence, no address left.
    Purged,
}

/// The user's state; fails the test when it is anything in between.
pub(crate) async fn state_of(store: &Arc<dyn Store>, user: &Seeded) -> State {
    let mut read = store.read().await.unwrap();
    let active = read.user(user.id).await.unwrap();
    let deleted = read.deleted_user(user.id).await.unwrap();
    let licenses = read.licenses_of(user.id).await.unwrap();
    let holders = read.address_holders(&user.address_keys).await.unwrap();
    let held_by_user = |deleted: bool| {
        holders.len() == user.address_keys.len()
            && holders
                .iter()
                .all(|h| h.owner_id == user.id.as_uuid() && h.owner_deleted == deleted)
    };
    let has_license = licenses.iter().any(|l| l.sku_id == user.sku);
    match (active, deleted) {
        (Some(active), None) => {
            let groups = sorted(
                read.groups_of(user.id)
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|g| g.id)
                    .collect(),
            );
            let mut keys = active.proxy_addresses.keys();
            keys.sort();
            let whole = groups == user.groups && has_license && held_by_user(false) && keys == user.address_keys;
            assert!(
                whole,
                "{} is active but not whole: groups {groups:?}, licences {licenses:?}, addresses {keys:?}, holders {holders:?}",
                user.upn
            );
            State::Active
        }
        (None, Some(_)) => {
            let former = read.former_groups(user.id).await.unwrap();
            let former = sorted(former.into_iter().map(|g| g.id).collect());
            let whole = former == user.groups && has_license && held_by_user(true);
            assert!(
                whole,
                "{} is deleted but forgot something: former groups {former:?}, licences {licenses:?}, holders {holders:?}",
                user.upn
            );
            State::Deleted
        }
        (None, None) => {
            assert!(
                licenses.is_empty() && holders.is_empty(),
                "{} is purged but left licences {licenses:?} or addresses {holders:?}",
                user.upn
            );
            State::Purged
        }
        (Some(_), Some(_)) => panic!("{} is both active and deleted", user.upn),
    }
}

/// The state of every user, in order.
pub(crate) async fn states_of(store: &Arc<dyn Store>, users: &[Seeded]) -> Vec<State> {
    let mut states = Vec::with_capacity(users.len());
    for user in users {
        states.push(state_of(store, user).await);
    }
    states
}

/// Successful audit records per (action, target id), over the whole chain.
#[derive(Debug, Default)]
pub(crate) struct AuditCounts(HashMap<(AuditAction, uuid::Uuid), usize>);

impl AuditCounts {
    pub(crate) async fn read(store: &Arc<dyn Store>) -> AuditCounts {
        let mut read = store.read().await.unwrap();
        let mut counts = AuditCounts::default();
        let mut after = 0;
        loop {
            let page = read.audit_chain_page(after, 1000).await.unwrap();
            let Some(last) = page.last() else {
                return counts;
            };
            after = last.seq;
            for record in page {
                let event = record.event.expect("a readable audit record");
                if let (AuditOutcome::Success, Some(target)) = (event.outcome, event.target_id) {
                    *counts.0.entry((event.action, target)).or_default() += 1;
                }
            }
        }
    }

    pub(crate) fn of(&self, action: AuditAction, user: &Seeded) -> usize {
        self.0.get(&(action, user.id.as_uuid())).copied().unwrap_or(0)
    }
}

/// How many successful records of `action` each replica wrote, by their `replica`
/// detail (`None`: records without one).
pub(crate) async fn records_by_replica(store: &Arc<dyn Store>, action: AuditAction) -> HashMap<Option<String>, usize> {
    let mut counts = HashMap::new();
    for event in audit_events(store).await {
        if event.action == action && event.outcome == AuditOutcome::Success {
            *counts.entry(event.detail("replica").map(str::to_owned)).or_default() += 1;
        }
    }
    counts
}

/// Fails unless every successful record of `action` names one of `replicas`.
pub(crate) async fn assert_recorded_by(store: &Arc<dyn Store>, action: AuditAction, replicas: &[&str]) {
    let counts = records_by_replica(store, action).await;
    println!("{action:?} records by replica: {counts:?}");
    for name in counts.keys() {
        assert!(
            name.as_deref().is_some_and(|name| replicas.contains(&name)),
            "{action:?} records naming {name:?}, not one of {replicas:?}: {counts:?}"
        );
    }
}

/// Every audit record on the chain, oldest first.
pub(crate) async fn audit_events(store: &Arc<dyn Store>) -> Vec<AuditEvent> {
    let mut read = store.read().await.unwrap();
    let (mut events, mut after) = (Vec::new(), 0);
    loop {
        let page = read.audit_chain_page(after, 1000).await.unwrap();
        let Some(last) = page.last() else {
            return events;
        };
        after = last.seq;
        events.extend(page.into_iter().map(|r| r.event.expect("a readable audit record")));
    }
}

/// The audit chain verifies from its first record to its head.
pub(crate) async fn assert_chain_verifies(store: &Arc<dyn Store>) {
    let directory = Directory::new(store.clone(), Arc::new(SystemClock));
    let report = directory.verify_audit_chain(&Caller::system(), None).await.unwrap();
    assert_eq!(report.first_break, None, "the audit chain is broken");
    assert!(report.verified > 0, "the audit chain has records");
}

/// `PRAGMA integrity_check` on the data directory's database says `ok`.
pub(crate) async fn assert_sqlite_intact(data_dir: &Path) {
    use sqlx::Connection;
    let url = format!("sqlite://{}", data_dir.join("roster.db").display());
    let mut connection = sqlx::SqliteConnection::connect(&url).await.unwrap();
    let rows: Vec<(String,)> = sqlx::query_as("PRAGMA integrity_check")
        .fetch_all(&mut connection)
        .await
        .unwrap();
    connection.close().await.unwrap();
    let rows: Vec<String> = rows.into_iter().map(|(row,)| row).collect();
    assert_eq!(rows, vec!["ok".to_owned()], "PRAGMA integrity_check");
}

/// `roster audit verify` on the binary passes (the server must be stopped or running).
pub(crate) fn assert_audit_verify_passes(storage: &[String]) {
    let output = crate::server::roster()
        .args(["audit", "verify"])
        .args(storage)
        .output()
        .expect("roster audit verify runs");
    assert!(
        output.status.success(),
        "roster audit verify failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// How many active users there are now.
pub(crate) async fn active_count(store: &Arc<dyn Store>) -> u64 {
    store.read().await.unwrap().count_users().await.unwrap()
}

/// How many users are in the recycle bin now, expired or not.
pub(crate) async fn bin_count(store: &Arc<dyn Store>) -> u64 {
    let mut read: Box<dyn ReadTx> = store.read().await.unwrap();
    read.count_deleted_users(directory::Timestamp::UNIX_EPOCH)
        .await
        .unwrap()
}
