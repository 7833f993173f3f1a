//! The purge loop. Retention moves only by the manual clock; the loop runs on a short real
//! interval and the test waits (bounded) for its effect.

use directory::recycle_bin::RestoreOptions;
use directory::upn::DomainName;
use directory::{Caller, Directory, ManualClock};
use std::sync::Arc;
use std::time::Duration;
use store_sqlite::SqliteStore;
use tokio::sync::watch;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_purge_job_purges_once_retention_ends_and_stops_when_told() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("roster.db")).await.unwrap();
    let clock = ManualClock::at_default_start();
    let directory = Directory::new(Arc::new(store), Arc::new(clock.clone()));
    directory
        .initialize("Contoso", DomainName::parse("contoso.com").unwrap())
        .await
        .unwrap();
    let admin = Caller::system();
    let user = create_adele(&directory).await;
    directory.delete_user(&admin, user, false).await.unwrap();

    let (stop, stopped) = watch::channel(false);
    let job = tokio::spawn(roster::purge_job::run(
        directory.clone(),
        Duration::from_millis(20),
        stopped,
    ));
    let hard_deletes = || async {
        let events = directory.audit_events(&admin, &Default::default()).await.unwrap();
        events
            .iter()
            .filter(|e| e.action.as_str() == "Hard delete user")
            .count()
    };
    // Several runs happen while the user is still restorable; none purges it.
    for _ in 0..5 {
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(directory.deleted_user(&admin, user).await.is_ok());
    }
    clock.advance(time::Duration::days(30));
    let purged = async {
        while hard_deletes().await == 0 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(20), purged)
        .await
        .expect("the job purges within its interval");
    assert!(
        directory
            .restore_user(&admin, user, RestoreOptions::default())
            .await
            .is_err()
    );

    stop.send(true).unwrap();
    tokio::time::timeout(Duration::from_secs(5), job)
        .await
        .expect("the job stops")
        .unwrap();
    assert_eq!(
        hard_deletes().await,
        1,
        "purged and audited exactly once over many runs"
    );
}

async fn create_adele(directory: &Directory) -> directory::ids::UserId {
    let upn = directory::upn::UserPrincipalName::parse("adele@contoso.com").unwrap();
    let password = directory::password::Password::parse("a long enough passphrase", None).unwrap();
    let new = directory::user::NewUser::new(upn, "Adele", password);
    directory.create_user(&Caller::system(), new).await.unwrap().id
}
