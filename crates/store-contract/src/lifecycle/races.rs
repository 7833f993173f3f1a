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

/// A role taken away, or an account disabled, through one process is in force on the very
/// next request another process serves (T21): nothing is cached between requests.
pub async fn a_revoked_role_or_disabled_account_counts_at_once_in_another_process(db: TestDb) {
    use directory::role::AdminRole;
    use directory::user::UserUpdate;
    let fx = Fixture::new(db).await;
    let user = fx.create("ua@contoso.com").await;
    let role = AdminRole::UserAdministrator;
    fx.directory.assign_role(&fx.admin, user.id, role).await.unwrap();
    let issued = fx
        .directory
        .issue_user_token(&fx.admin, user.id, time::Duration::hours(1))
        .await
        .unwrap();
    let other = fx.second_process().await;
    let caller = other.authenticate(&issued.secret).await.unwrap();
    assert!(caller.roles.contains(role));

    fx.directory.unassign_role(&fx.admin, user.id, role).await.unwrap();
    let caller = other.authenticate(&issued.secret).await.unwrap();
    assert!(caller.roles.is_empty(), "the role is gone on the next request");
    let refused = other.create_user(&caller, super::new_user("x@contoso.com")).await;
    assert_eq!(refused.unwrap_err().code(), Code::Forbidden);

    let disable = UserUpdate {
        account_enabled: Some(false),
        ..UserUpdate::default()
    };
    fx.directory.update_user(&fx.admin, user.id, disable).await.unwrap();
    assert!(
        other.authenticate(&issued.secret).await.is_err(),
        "a disabled account is out"
    );
}
