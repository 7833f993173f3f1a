//! T35, append-only audit rows: raw UPDATE and DELETE statements on `audit_events` fail on
//! both backends (TRUNCATE too on PostgreSQL) and leave every row as it was, while the use
//! cases keep appending. Tamper cases lift the guard first, explicitly, with these helpers:
//! they play an attacker who owns the database file or the table, which a trigger cannot
//! stop and the hash chain must still catch.

use crate::TestDb;
use crate::lifecycle::Fixture;
use directory::audit_chain::ChainedRecord;
use directory::store::Store;

/// Migration 0008 on SQLite: the two triggers, to put back after a lift.
const SQLITE_GUARD: &str = include_str!("../../../store-sqlite/migrations/0008_audit_append_only.sql");
/// Migration 0008's triggers on PostgreSQL (its function stays when they are dropped).
const POSTGRES_GUARD: &str = "\
    CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events \
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only(); \
    CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events \
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();";

/// Drops the append-only triggers, as the table's owner could.
pub(crate) async fn lift_append_only_guard(db: &TestDb) {
    let drop = if db.is_sqlite().await {
        "DROP TRIGGER audit_events_no_update; DROP TRIGGER audit_events_no_delete;"
    } else {
        "DROP TRIGGER audit_events_append_only ON audit_events; \
         DROP TRIGGER audit_events_no_truncate ON audit_events;"
    };
    db.raw_sql(drop).await;
}

/// Puts the append-only triggers back as migration 0008 made them.
pub(crate) async fn restore_append_only_guard(db: &TestDb) {
    let create = if db.is_sqlite().await {
        SQLITE_GUARD
    } else {
        POSTGRES_GUARD
    };
    db.raw_sql(create).await;
}

async fn stored(store: &dyn Store) -> Vec<ChainedRecord> {
    let mut read = store.read().await.unwrap();
    read.audit_chain_page(0, 10_000).await.unwrap()
}

/// Statements an attacker with the application's connection might try.
const TAMPERING: &[&str] = &[
    "UPDATE audit_events SET actor = 'mallory' WHERE seq = 2",
    "UPDATE audit_events SET target = target WHERE seq = 2",
    "UPDATE audit_events SET hash = prev_hash WHERE seq = 3",
    "UPDATE audit_events SET seq = NULL, prev_hash = NULL, hash = NULL WHERE seq = 3",
    "UPDATE audit_events SET seq = seq + 100",
    "DELETE FROM audit_events WHERE seq = 2",
    "DELETE FROM audit_events",
];

pub async fn raw_updates_and_deletes_of_audit_rows_are_refused_and_change_nothing(db: TestDb) {
    let fx = Fixture::new(db).await;
    for n in 0..3 {
        fx.create(&format!("kept{n}@contoso.com")).await;
    }
    let store = fx.db.store().await;
    let before = stored(&*store).await;
    assert_eq!(before.len(), 6);
    let mut statements = TAMPERING.to_vec();
    if !fx.db.is_sqlite().await {
        statements.push("TRUNCATE audit_events");
    }
    for sql in statements {
        let refused = fx.db.try_raw_sql(sql).await.expect_err(sql);
        assert!(refused.contains("append-only"), "{sql}: {refused}");
        assert_eq!(stored(&*store).await, before, "{sql} changed nothing");
    }
    let report = fx.directory.verify_audit_chain(&fx.admin, None).await.unwrap();
    assert_eq!(report.first_break, None);

    // The use cases still append, and purging a user keeps its records.
    let user = fx.create("gone@contoso.com").await;
    fx.delete(&user).await;
    fx.directory.purge_deleted_user(&fx.admin, user.id).await.unwrap();
    let after = stored(&*store).await;
    assert_eq!(after[..before.len()], before[..]);
    assert_eq!(after.len(), before.len() + 3);
}
