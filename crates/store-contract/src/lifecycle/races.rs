//! Races over separate connections: the database decides, and only conflicts come back.

use super::Fixture;
use crate::TestDb;
use directory::recycle_bin::RestoreOptions;
use directory::{Code, Directory};

pub async fn racing_restores_and_creates_for_one_upn_leave_exactly_one_holder(db: TestDb) {
    let fx = Fixture::new(db).await;
    let mut deleted = Vec::new();
    for _ in 0..4 {
        let user = fx.create("contested@contoso.com").await;
        fx.delete(&user).await;
        deleted.push(user.id);
    }
    let mut directories: Vec<Directory> = Vec::new();
    for _ in 0..8 {
        directories.push(fx.second_process().await);
    }
    let mut tasks = tokio::task::JoinSet::new();
    for (n, directory) in directories.into_iter().enumerate() {
        let admin = fx.admin.clone();
        let restore_id = deleted.get(n).copied();
        tasks.spawn(async move {
            match restore_id {
                Some(id) => directory
                    .restore_user(&admin, id, RestoreOptions::default())
                    .await
                    .map(|_| ()),
                None => directory
                    .create_user(&admin, super::new_user("Contested@contoso.com"))
                    .await
                    .map(|_| ()),
            }
        });
    }
    let mut successes = 0;
    while let Some(joined) = tasks.join_next().await {
        match joined.unwrap() {
            Ok(()) => successes += 1,
            Err(error) => assert_eq!(error.code(), Code::UserPrincipalNameConflict, "{error:?}"),
        }
    }
    assert_eq!(successes, 1);
    let holder = fx.directory.user_by_id_or_upn(&fx.admin, "contested@contoso.com").await;
    assert!(holder.is_ok());
    assert_eq!(
        fx.directory.deleted_users(&fx.admin, None, 10).await.unwrap().len(),
        4 - usize::from(deleted.contains(&holder.unwrap().id))
    );
}
