//! Many writers on one SQLite file (T08): 64 concurrent writers from two stores opened on
//! the same file, as two processes would, never see `SQLITE_BUSY` as an error; every
//! write lands, the file passes `PRAGMA integrity_check`, and the audit chain verifies.

use directory::user::{NewUser, UserUpdate};
use directory::{Caller, Directory, ManualClock, password::Password, upn::UserPrincipalName};
use sqlx::sqlite::SqliteConnectOptions;
use std::sync::Arc;
use store_sqlite::SqliteStore;

const WRITERS: usize = 64;
const WRITES_EACH: usize = 5;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixty_four_writers_in_two_processes_all_land_and_the_file_stays_sound() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("roster.db");
    let clock = ManualClock::at_default_start();
    let open = || async {
        let store = SqliteStore::open(&path).await.unwrap();
        Directory::new(Arc::new(store), Arc::new(clock.clone()))
    };
    let first = open().await;
    let domain = directory::upn::DomainName::parse("contoso.com").unwrap();
    first.initialize("Contoso", domain).await.unwrap();
    let second = open().await;
    let system = Caller::system();
    let password = Password::parse("a long enough passphrase", None).unwrap();
    let mut ids = Vec::new();
    for n in 0..WRITERS {
        let upn = UserPrincipalName::parse(&format!("writer{n}@contoso.com")).unwrap();
        let new = NewUser::new(upn, &format!("Writer {n}"), password.clone());
        ids.push(first.create_user(&system, new).await.unwrap().id);
    }
    let mut tasks = tokio::task::JoinSet::new();
    for (n, id) in ids.iter().copied().enumerate() {
        let directory = if n % 2 == 0 { first.clone() } else { second.clone() };
        tasks.spawn(async move {
            for write in 0..WRITES_EACH {
                let update = UserUpdate {
                    display_name: Some(format!("Writer {n} version {write}")),
                    ..UserUpdate::default()
                };
                directory.update_user(&Caller::system(), id, update).await?;
            }
            Ok::<_, directory::Error>(())
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.unwrap().unwrap();
    }
    for (n, id) in ids.iter().enumerate() {
        let user = second.user(&system, *id).await.unwrap();
        assert_eq!(user.display_name, format!("Writer {n} version {}", WRITES_EACH - 1));
    }
    let report = first.verify_audit_chain(&system, None).await.unwrap();
    assert_eq!(report.first_break, None);
    assert!(report.verified >= (WRITERS * (WRITES_EACH + 1)) as u64, "{report:?}");
    let options = SqliteConnectOptions::new().filename(&path).read_only(true);
    let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
    let check: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(check, "ok");
}
