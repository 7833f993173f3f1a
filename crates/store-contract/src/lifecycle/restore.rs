//! Restoring one user: every conflict option, retention boundaries, roles, sync, groups.

use super::delete::well_connected_adele;
use super::{Fixture, caller_with, email, upn};
use crate::TestDb;
use directory::audit::{AuditAction, AuditOutcome, AuditQuery};
use directory::group::{GroupLink, NewGroup};
use directory::recycle_bin::{ConflictResolution, RestoreOptions};
use directory::role::AdminRole;
use directory::user::UserUpdate;
use directory::{Code, Error};
use time::Duration;

pub async fn a_restored_user_has_exactly_its_memberships_roles_licences_and_manager_back(db: TestDb) {
    let fx = Fixture::new(db).await;
    let (adele, group, sku) = well_connected_adele(&fx).await;
    let other_group = NewGroup::new("Other", "other");
    let other_group = fx.directory.create_group(&fx.admin, other_group).await.unwrap();
    fx.delete(&adele).await;
    fx.clock.advance(Duration::days(10));

    let restored = fx
        .directory
        .restore_user(&fx.admin, adele.id, RestoreOptions::default())
        .await
        .unwrap();
    assert_eq!(restored.user.upn.to_string(), "adele@contoso.com");
    assert!(restored.skipped_groups.is_empty());
    assert_eq!(
        restored.restored_groups.iter().map(|g| g.id).collect::<Vec<_>>(),
        [group]
    );

    let active = fx.directory.user(&fx.admin, adele.id).await.unwrap();
    assert_eq!(active, adele, "every property is back as it was");
    let member_of: Vec<_> = fx
        .directory
        .member_of(&fx.admin, adele.id)
        .await
        .unwrap()
        .into_iter()
        .map(|g| g.id)
        .collect();
    assert_eq!(member_of, [group]);
    assert!(
        fx.directory
            .group_links(&fx.admin, other_group.id, GroupLink::Member)
            .await
            .unwrap()
            .is_empty()
    );
    let roles = fx.directory.roles_of(&fx.admin, adele.id).await.unwrap();
    assert_eq!(roles.iter().collect::<Vec<_>>(), [AdminRole::HelpdeskAdministrator]);
    let licenses = fx.directory.licenses_of(&fx.admin, adele.id).await.unwrap();
    assert_eq!(licenses.iter().map(|l| l.sku_id).collect::<Vec<_>>(), [sku]);
    let skus = fx.directory.subscriptions(&fx.admin).await.unwrap();
    assert_eq!(skus[0].consumed_units, 1, "the seat is taken again");
    assert!(
        fx.directory.deleted_user(&fx.admin, adele.id).await.is_err(),
        "gone from the recycle bin"
    );
}

pub async fn a_upn_conflict_fails_by_default_and_changes_nothing(db: TestDb) {
    let fx = Fixture::new(db).await;
    let adele = fx.create("adele@contoso.com").await;
    fx.delete(&adele).await;
    let newcomer = fx.create("adele@contoso.com").await;

    let error = fx
        .directory
        .restore_user(&fx.admin, adele.id, RestoreOptions::default())
        .await
        .unwrap_err();
    assert_eq!(error.code(), Code::UserPrincipalNameConflict);
    match &error {
        Error::UpnTaken { holder, .. } => assert_eq!(holder.as_ref().unwrap().object_id, newcomer.id.0),
        other => panic!("expected a UPN conflict, got {other:?}"),
    }
    assert!(
        fx.directory.deleted_user(&fx.admin, adele.id).await.is_ok(),
        "still deleted"
    );
    assert_eq!(fx.directory.user(&fx.admin, newcomer.id).await.unwrap(), newcomer);
    let failures = fx
        .directory
        .audit_events(
            &fx.admin,
            &AuditQuery {
                action: Some(AuditAction::RestoreUser),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(failures.len(), 1);
    assert_eq!(failures[0].outcome, AuditOutcome::Failure);
}

pub async fn a_new_upn_resolves_a_upn_conflict_and_becomes_the_primary_address(db: TestDb) {
    let fx = Fixture::new(db).await;
    let adele = fx.create("adele@contoso.com").await;
    fx.delete(&adele).await;
    fx.create("adele@contoso.com").await;

    let options = RestoreOptions {
        new_upn: Some(upn("adele.vance@fabrikam.com")),
        ..Default::default()
    };
    let restored = fx.directory.restore_user(&fx.admin, adele.id, options).await.unwrap();
    let active = fx.directory.user(&fx.admin, adele.id).await.unwrap();
    assert_eq!(active.upn.to_string(), "adele.vance@fabrikam.com");
    assert_eq!(active.mail().unwrap().to_string(), "adele.vance@fabrikam.com");
    let addresses: Vec<String> = active.proxy_addresses.iter().map(ToString::to_string).collect();
    assert_eq!(addresses, ["SMTP:adele.vance@fabrikam.com", "smtp:adele@contoso.com"]);
    assert_eq!(restored.user, active);

    let bad = RestoreOptions {
        new_upn: Some(upn("adele@elsewhere.org")),
        ..Default::default()
    };
    let second = fx.create("second@contoso.com").await;
    fx.delete(&second).await;
    let error = fx.directory.restore_user(&fx.admin, second.id, bad).await.unwrap_err();
    assert_eq!(error.code(), Code::UnverifiedDomain);
    assert!(fx.directory.deleted_user(&fx.admin, second.id).await.is_ok());
}

pub async fn replacing_the_active_user_renames_it_in_the_same_transaction(db: TestDb) {
    let fx = Fixture::new(db).await;
    let adele = fx.create("adele@contoso.com").await;
    fx.delete(&adele).await;
    let newcomer = fx.create("adele@contoso.com").await;

    let options = RestoreOptions {
        on_upn_conflict: ConflictResolution::ReplaceActive,
        ..Default::default()
    };
    let restored = fx.directory.restore_user(&fx.admin, adele.id, options).await.unwrap();
    assert_eq!(restored.user.upn.to_string(), "adele@contoso.com");
    let replaced = restored.replaced.unwrap();
    assert_eq!(replaced.id, newcomer.id);
    assert_eq!(replaced.new_upn.to_string(), "adele.replaced.20260105@contoso.com");
    let renamed = fx.directory.user(&fx.admin, newcomer.id).await.unwrap();
    assert_eq!(renamed.upn, replaced.new_upn);
    let renames = fx
        .directory
        .audit_events(
            &fx.admin,
            &AuditQuery {
                action: Some(AuditAction::RenameReplacedUser),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(renames.len(), 1);
}

pub async fn a_proxy_conflict_fails_unless_reconciled_and_reconcile_promotes_a_new_primary(db: TestDb) {
    let fx = Fixture::new(db).await;
    let mut new = super::new_user("adele@contoso.com");
    new.mail = Some(email("av@contoso.com"));
    new.aliases = vec![email("adele@contoso.com"), email("sales@contoso.com")];
    let adele = fx.directory.create_user(&fx.admin, new).await.unwrap();
    fx.directory.delete_user(&fx.admin, adele.id, true).await.unwrap();
    let mut thief = super::new_user("thief@contoso.com");
    thief.mail = Some(email("av@contoso.com"));
    thief.aliases = vec![email("sales@contoso.com")];
    let thief = fx.directory.create_user(&fx.admin, thief).await.unwrap();

    let error = fx
        .directory
        .restore_user(&fx.admin, adele.id, RestoreOptions::default())
        .await
        .unwrap_err();
    assert_eq!(error.code(), Code::ProxyAddressConflict);
    assert!(fx.directory.deleted_user(&fx.admin, adele.id).await.is_ok());

    let options = RestoreOptions {
        auto_reconcile_proxies: true,
        ..Default::default()
    };
    let restored = fx.directory.restore_user(&fx.admin, adele.id, options).await.unwrap();
    let removed: Vec<String> = restored
        .removed_addresses
        .iter()
        .map(|c| c.address.to_string())
        .collect();
    assert_eq!(removed, ["SMTP:av@contoso.com", "smtp:sales@contoso.com"]);
    assert!(
        restored
            .removed_addresses
            .iter()
            .all(|c| c.holder.object_id == thief.id.0)
    );
    assert_eq!(restored.promoted_primary.unwrap().to_string(), "adele@contoso.com");
    let active = fx.directory.user(&fx.admin, adele.id).await.unwrap();
    assert_eq!(
        active
            .proxy_addresses
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        ["SMTP:adele@contoso.com"]
    );
    assert_eq!(
        fx.directory.user(&fx.admin, thief.id).await.unwrap(),
        thief,
        "the holder keeps its addresses"
    );
}

pub async fn restore_works_until_one_second_before_retention_ends(db: TestDb) {
    let fx = Fixture::new(db).await;
    let adele = fx.create("adele@contoso.com").await;
    fx.delete(&adele).await;
    fx.clock.advance(Duration::days(30) - Duration::seconds(1));
    assert!(
        fx.directory
            .restore_user(&fx.admin, adele.id, RestoreOptions::default())
            .await
            .is_ok()
    );
}

pub async fn restore_at_the_end_of_retention_is_refused_and_the_user_is_purged(db: TestDb) {
    let fx = Fixture::new(db).await;
    let adele = fx.create("adele@contoso.com").await;
    fx.delete(&adele).await;
    fx.clock.advance(Duration::days(30));
    let error = fx
        .directory
        .restore_user(&fx.admin, adele.id, RestoreOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(error, Error::NotFound { .. }));
    assert!(
        fx.directory
            .deleted_users(&fx.admin, None, 100)
            .await
            .unwrap()
            .is_empty()
    );
    let report = fx.directory.purge_expired().await.unwrap();
    assert_eq!(report.purged, [adele.id]);
    let error = fx
        .directory
        .restore_user(&fx.admin, adele.id, RestoreOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(error, Error::NotFound { .. }));
}

pub async fn a_user_admin_cannot_restore_a_deleted_global_admin_and_nothing_changes(db: TestDb) {
    let fx = Fixture::new(db).await;
    let boss = fx.create("boss@contoso.com").await;
    fx.directory
        .assign_role(&fx.admin, boss.id, AdminRole::GlobalAdministrator)
        .await
        .unwrap();
    fx.delete(&boss).await;
    let before = fx.directory.deleted_user(&fx.admin, boss.id).await.unwrap();

    let user_admin = caller_with(&[AdminRole::UserAdministrator]);
    let error = fx
        .directory
        .restore_user(&user_admin, boss.id, RestoreOptions::default())
        .await
        .unwrap_err();
    assert_eq!(error.code(), Code::Forbidden);
    assert_eq!(fx.directory.deleted_user(&fx.admin, boss.id).await.unwrap(), before);
    let purge = fx.directory.purge_deleted_user(&user_admin, boss.id).await.unwrap_err();
    assert_eq!(purge.code(), Code::Forbidden);

    let privileged = caller_with(&[AdminRole::PrivilegedAuthenticationAdministrator]);
    fx.directory
        .restore_user(&privileged, boss.id, RestoreOptions::default())
        .await
        .unwrap();
    let plain = fx.create("plain@contoso.com").await;
    fx.delete(&plain).await;
    fx.directory
        .restore_user(&user_admin, plain.id, RestoreOptions::default())
        .await
        .unwrap();
}

pub async fn a_synced_user_is_refused(db: TestDb) {
    let fx = Fixture::new(db).await;
    let mut new = super::new_user("synced@contoso.com");
    new.on_premises_sync_enabled = Some(true);
    let synced = fx.directory.create_user(&fx.admin, new).await.unwrap();
    let rename = UserUpdate {
        display_name: Some("Changed".into()),
        ..Default::default()
    };
    assert_eq!(
        fx.directory
            .update_user(&fx.admin, synced.id, rename)
            .await
            .unwrap_err()
            .code(),
        Code::SyncedObjectReadOnly
    );
    fx.delete(&synced).await;
    let error = fx
        .directory
        .restore_user(&fx.admin, synced.id, RestoreOptions::default())
        .await
        .unwrap_err();
    assert_eq!(error.code(), Code::SyncedObjectReadOnly);
    assert!(
        error
            .to_string()
            .contains("on-premises mastered Directory Sync objects")
    );
    assert!(fx.directory.deleted_user(&fx.admin, synced.id).await.is_ok());
}

pub async fn a_group_deleted_meanwhile_is_reported_as_skipped(db: TestDb) {
    let fx = Fixture::new(db).await;
    let (adele, group, _) = well_connected_adele(&fx).await;
    let kept = NewGroup::new("Kept", "kept");
    let kept = fx.directory.create_group(&fx.admin, kept).await.unwrap();
    fx.directory
        .add_to_group(&fx.admin, kept.id, GroupLink::Member, adele.id)
        .await
        .unwrap();
    fx.delete(&adele).await;
    fx.directory.delete_group(&fx.admin, group).await.unwrap();

    let restored = fx
        .directory
        .restore_user(&fx.admin, adele.id, RestoreOptions::default())
        .await
        .unwrap();
    assert_eq!(
        restored
            .skipped_groups
            .iter()
            .map(|g| g.display_name.as_str())
            .collect::<Vec<_>>(),
        ["Sales"]
    );
    assert_eq!(
        restored.restored_groups.iter().map(|g| g.id).collect::<Vec<_>>(),
        [kept.id]
    );
    let member_of: Vec<_> = fx
        .directory
        .member_of(&fx.admin, adele.id)
        .await
        .unwrap()
        .into_iter()
        .map(|g| g.id)
        .collect();
    assert_eq!(member_of, [kept.id]);
}

pub async fn replacing_a_privileged_active_user_needs_a_role_that_reaches_it(db: TestDb) {
    let fx = Fixture::new(db).await;
    let adele = fx.create("adele@contoso.com").await;
    fx.delete(&adele).await;
    let holder = fx.create("adele@contoso.com").await;
    fx.directory
        .assign_role(&fx.admin, holder.id, AdminRole::GlobalAdministrator)
        .await
        .unwrap();
    let replace = || RestoreOptions {
        on_upn_conflict: ConflictResolution::ReplaceActive,
        ..Default::default()
    };

    let user_admin = caller_with(&[AdminRole::UserAdministrator]);
    let error = fx
        .directory
        .restore_user(&user_admin, adele.id, replace())
        .await
        .unwrap_err();
    assert_eq!(error.code(), Code::Forbidden);
    assert_eq!(fx.directory.user(&fx.admin, holder.id).await.unwrap().upn, holder.upn);
    assert!(fx.directory.deleted_user(&fx.admin, adele.id).await.is_ok());
    let preview = fx
        .directory
        .preview_restores(&user_admin, &[(adele.id, replace())])
        .await;
    assert!(matches!(&preview[0].1, Err(e) if e.code() == Code::Forbidden));

    let privileged = caller_with(&[AdminRole::PrivilegedAuthenticationAdministrator]);
    let restored = fx
        .directory
        .restore_user(&privileged, adele.id, replace())
        .await
        .unwrap();
    assert_eq!(restored.replaced.unwrap().id, holder.id);
}
