//! Bulk restore: one transaction per user, results in input order, and a preview.

use super::{Fixture, caller_with};
use crate::TestDb;
use directory::ids::UserId;
use directory::recycle_bin::{RestoreOptions, RestoreOutcome};
use directory::role::AdminRole;
use directory::{Code, Error};

pub async fn bulk_restore_reports_each_user_in_input_order_and_is_never_all_or_nothing(db: TestDb) {
    let fx = Fixture::new(db).await;
    let plain = fx.create("plain@contoso.com").await;
    let clashing = fx.create("clash@contoso.com").await;
    let boss = fx.create("boss@contoso.com").await;
    fx.directory
        .assign_role(&fx.admin, boss.id, AdminRole::GlobalAdministrator)
        .await
        .unwrap();
    for user in [&plain, &clashing, &boss] {
        fx.delete(user).await;
    }
    fx.create("clash@contoso.com").await;
    let unknown = UserId::generate();
    let user_admin = caller_with(&[AdminRole::UserAdministrator]);
    let ids = [plain.id, clashing.id, boss.id, unknown];
    let requests: Vec<_> = ids.iter().map(|id| (*id, RestoreOptions::default())).collect();

    let results = fx.directory.restore_users(&user_admin, requests.clone()).await;
    assert_eq!(results.iter().map(|r| r.id).collect::<Vec<_>>(), ids);
    assert!(matches!(&results[0].outcome, RestoreOutcome::Restored(r) if r.user.id == plain.id));
    assert!(matches!(&results[1].outcome, RestoreOutcome::Failed(e) if e.code() == Code::UserPrincipalNameConflict));
    assert!(matches!(&results[2].outcome, RestoreOutcome::Failed(e) if e.code() == Code::Forbidden));
    assert!(matches!(
        &results[3].outcome,
        RestoreOutcome::Failed(Error::NotFound { .. })
    ));
    assert!(
        fx.directory.user(&fx.admin, plain.id).await.is_ok(),
        "committed despite later failures"
    );
    assert!(fx.directory.deleted_user(&fx.admin, clashing.id).await.is_ok());
    assert!(fx.directory.deleted_user(&fx.admin, boss.id).await.is_ok());

    let again = fx.directory.restore_users(&user_admin, requests).await;
    assert!(
        matches!(again[0].outcome, RestoreOutcome::AlreadyActive),
        "a retried request is harmless"
    );
}

pub async fn preview_reports_what_restore_would_do_and_changes_nothing(db: TestDb) {
    let fx = Fixture::new(db).await;
    let plain = fx.create("plain@contoso.com").await;
    let clashing = fx.create("clash@contoso.com").await;
    fx.delete(&plain).await;
    fx.delete(&clashing).await;
    let holder = fx.create("clash@contoso.com").await;
    let requests = vec![
        (plain.id, RestoreOptions::default()),
        (clashing.id, RestoreOptions::default()),
    ];

    let previews = fx.directory.preview_restores(&fx.admin, &requests).await;
    let plan = previews[0].1.as_ref().unwrap();
    assert_eq!(plan.plan.user.upn.to_string(), "plain@contoso.com");
    match &previews[1].1 {
        Err(Error::UpnTaken { holder: Some(h), .. }) => assert_eq!(h.object_id, holder.id.0),
        other => panic!("expected a UPN conflict naming the holder, got {other:?}"),
    }
    assert_eq!(fx.directory.deleted_users(&fx.admin, None, 10).await.unwrap().len(), 2);
}
