//! SQLite's recycle bin in deletion order, the table `recycle_bin` (migration 0013): after
//! every step of a lifecycle history (deletes, restores one and bulk, a permanent delete, purge runs
//! with users deleted meanwhile) it holds exactly one entry per deleted user, with the
//! user's deletion time and name keys, and beside them only the entries a purge left
//! behind, as many as `recycle_bin_purge` counts; a finished purge run leaves none.

use directory::ids::UserId;
use directory::recycle_bin::RestoreOptions;
use directory::user::NewUser;
use directory::{Caller, Directory, ManualClock, password::Password, upn::UserPrincipalName};
use sqlx::{Connection, SqliteConnection};
use std::path::Path;
use std::sync::Arc;
use store_sqlite::SqliteStore;
use time::Duration;

/// The bin's entries that match a deleted user exactly, every entry, the deleted users, and
/// what `recycle_bin_purge` says was left behind.
#[derive(Debug, PartialEq, Eq)]
struct Bin {
    matching: i64,
    entries: i64,
    deleted: i64,
    left_behind: i64,
}

async fn bin(db: &Path) -> Bin {
    let mut c = SqliteConnection::connect(&format!("sqlite://{}", db.display()))
        .await
        .unwrap();
    let (matching, entries, deleted, left_behind) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM recycle_bin b JOIN users u ON u.id = b.id AND u.deleted_at = b.deleted_at \
         AND u.display_name_key = b.display_name_key AND u.upn_key = b.upn_key), \
         (SELECT COUNT(*) FROM recycle_bin), \
         (SELECT COUNT(*) FROM users WHERE deleted_at IS NOT NULL), \
         (SELECT left_behind FROM recycle_bin_purge)",
    )
    .fetch_one(&mut c)
    .await
    .unwrap();
    c.close().await.unwrap();
    Bin {
        matching,
        entries,
        deleted,
        left_behind,
    }
}

/// Checks the invariants and returns how many entries were left behind.
async fn check(db: &Path, step: &str) -> i64 {
    let bin = bin(db).await;
    assert_eq!(
        bin.matching, bin.deleted,
        "after {step}: every deleted user has its entry ({bin:?})"
    );
    assert_eq!(
        bin.entries,
        bin.deleted + bin.left_behind,
        "after {step}: the other entries are those counted as left behind ({bin:?})"
    );
    bin.left_behind
}

#[tokio::test]
async fn the_bin_table_follows_every_step_and_a_purge_run_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("roster.db");
    let store = Arc::new(SqliteStore::open(&path).await.unwrap());
    let clock = Arc::new(ManualClock::at_default_start());
    let directory = Directory::new(store.clone(), clock.clone());
    let domain = directory::upn::DomainName::parse("contoso.com").unwrap();
    directory.initialize("Contoso", domain).await.unwrap();
    let system = Caller::system();
    let password = Password::parse("a long enough passphrase", None).unwrap();
    let mut ids: Vec<UserId> = Vec::new();
    for n in 0..30 {
        let upn = UserPrincipalName::parse(&format!("user{n}@contoso.com")).unwrap();
        let new = NewUser::new(upn, &format!("User {n}"), password.clone());
        ids.push(directory.create_user(&system, new).await.unwrap().id);
    }
    check(&path, "creating users").await;

    for id in &ids[..20] {
        directory.delete_user(&system, *id, false).await.unwrap();
        clock.advance(Duration::seconds(1));
    }
    check(&path, "deleting 20").await;
    for id in &ids[..2] {
        directory
            .restore_user(&system, *id, RestoreOptions::default())
            .await
            .unwrap();
    }
    check(&path, "restoring 2").await;
    let requests = ids[3..5].iter().map(|id| (*id, RestoreOptions::default())).collect();
    let results = directory.restore_users(&system, requests).await;
    let restored = |r: &directory::recycle_bin::RestoreResult| {
        matches!(r.outcome, directory::recycle_bin::RestoreOutcome::Restored(_))
    };
    assert!(results.iter().all(restored), "{results:?}");
    check(&path, "a bulk restore of 2").await;
    directory.purge_deleted_user(&system, ids[2]).await.unwrap();
    assert_eq!(
        check(&path, "a permanent delete").await,
        0,
        "an admin's purge leaves nothing"
    );

    clock.advance(Duration::days(30) - Duration::seconds(5));
    for id in &ids[20..25] {
        directory.delete_user(&system, *id, false).await.unwrap();
    }
    let report = directory.purge_expired().await.unwrap();
    assert_eq!(
        report.purged.len(),
        11,
        "those deleted up to 30 days before, less the 5 gone"
    );
    assert_eq!(
        check(&path, "a purge run").await,
        0,
        "a finished run forgets what it purged"
    );

    clock.advance(Duration::days(31));
    directory.delete_user(&system, ids[25], false).await.unwrap();
    let report = directory.purge_expired().await.unwrap();
    assert_eq!(
        report.purged.len(),
        9,
        "the rest of the first 20 and the 5 deleted later"
    );
    assert_eq!(check(&path, "a second purge run").await, 0);
    assert_eq!(bin(&path).await.deleted, 1, "the user deleted today is still there");
}
