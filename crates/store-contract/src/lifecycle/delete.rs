//! Soft delete: the name is free at once, everything else stays on the deleted user.

use super::{Fixture, caller_with};
use crate::TestDb;
use directory::group::{GroupLink, NewGroup};
use directory::ids::SkuId;
use directory::license::{LicenseAssignment, NewSku};
use directory::role::AdminRole;
use directory::user::{UsageLocation, UserUpdate};
use directory::{Clock, Code, Error};
use time::Duration;

/// Adele with a manager, a group, a role and a licence; returns the group and SKU ids.
pub(crate) async fn well_connected_adele(fx: &Fixture) -> (directory::user::User, directory::ids::GroupId, SkuId) {
    let adele = fx.create("adele@contoso.com").await;
    let boss = fx.create("boss@contoso.com").await;
    let update = UserUpdate {
        manager_id: Some(Some(boss.id)),
        usage_location: Some(Some(UsageLocation::parse("nl").unwrap())),
        ..Default::default()
    };
    let adele = fx.directory.update_user(&fx.admin, adele.id, update).await.unwrap();
    let group = NewGroup::new("Sales", "sales");
    let group = fx.directory.create_group(&fx.admin, group).await.unwrap();
    fx.directory
        .add_to_group(&fx.admin, group.id, GroupLink::Member, adele.id)
        .await
        .unwrap();
    fx.directory
        .assign_role(&fx.admin, adele.id, AdminRole::HelpdeskAdministrator)
        .await
        .unwrap();
    let sku = NewSku {
        id: None,
        part_number: "ENTERPRISEPACK".into(),
        prepaid_units: 1,
        service_plans: vec![],
    };
    let sku = fx.directory.add_subscription(&fx.admin, sku).await.unwrap();
    let license = LicenseAssignment {
        sku_id: sku.id,
        disabled_plans: vec![],
    };
    fx.directory
        .assign_license(&fx.admin, adele.id, vec![license], vec![])
        .await
        .unwrap();
    (adele, group.id, sku.id)
}

pub async fn deleting_frees_the_name_and_keeps_everything_on_the_deleted_user(db: TestDb) {
    let fx = Fixture::new(db).await;
    let (adele, group, sku) = well_connected_adele(&fx).await;
    fx.delete(&adele).await;
    let deleted_at = fx.clock.now();

    assert!(matches!(
        fx.directory.user(&fx.admin, adele.id).await,
        Err(Error::NotFound { .. })
    ));
    let members = fx
        .directory
        .group_links(&fx.admin, group, GroupLink::Member)
        .await
        .unwrap();
    assert!(members.is_empty(), "a deleted user is not listed as a member");
    let seats = fx.directory.subscriptions(&fx.admin).await.unwrap();
    assert_eq!(
        seats.iter().find(|s| s.id == sku).unwrap().consumed_units,
        0,
        "the seat is freed"
    );

    fx.clock.advance(Duration::hours(3));
    let view = fx.directory.deleted_user(&fx.admin, adele.id).await.unwrap();
    assert_eq!(
        view.deleted.tombstone_upn(),
        format!("{}adele@contoso.com", adele.id.0.simple())
    );
    assert_eq!(view.deleted.user.mail().unwrap().to_string(), "adele@contoso.com");
    assert_eq!(view.deleted.deleted_at, deleted_at);
    assert_eq!(view.purge_at, deleted_at + Duration::days(30));
    assert_eq!(view.days_left(), 30);
    assert_eq!(
        view.former_groups
            .iter()
            .map(|g| g.display_name.as_str())
            .collect::<Vec<_>>(),
        ["Sales"]
    );
    assert_eq!(view.licenses.iter().map(|l| l.sku_id).collect::<Vec<_>>(), [sku]);
    assert!(view.roles.contains(AdminRole::HelpdeskAdministrator));
    assert!(view.deleted.user.manager_id.is_some());

    let listed = fx.directory.deleted_users(&fx.admin, None, 100).await.unwrap();
    assert_eq!(listed.iter().map(|v| v.deleted.user.id).collect::<Vec<_>>(), [adele.id]);

    assert_eq!(fx.directory.count_deleted_users(&fx.admin).await.unwrap(), 1);
    fx.clock.advance(Duration::days(30));
    assert_eq!(
        fx.directory.count_deleted_users(&fx.admin).await.unwrap(),
        0,
        "expired ones do not count"
    );
    let newcomer = fx.create("Adele@contoso.com").await;
    assert!(
        newcomer.mail().is_none(),
        "the deleted user still reserves adele@contoso.com"
    );
}

pub async fn deleting_is_refused_without_the_role_and_changes_nothing(db: TestDb) {
    let fx = Fixture::new(db).await;
    let adele = fx.create("adele@contoso.com").await;
    let boss = fx.create("boss@contoso.com").await;
    fx.directory
        .assign_role(&fx.admin, boss.id, AdminRole::GlobalAdministrator)
        .await
        .unwrap();

    let helpdesk = caller_with(&[AdminRole::HelpdeskAdministrator]);
    let error = fx.directory.delete_user(&helpdesk, adele.id, false).await.unwrap_err();
    assert_eq!(error.code(), Code::Forbidden);
    let user_admin = caller_with(&[AdminRole::UserAdministrator]);
    let error = fx.directory.delete_user(&user_admin, boss.id, false).await.unwrap_err();
    assert_eq!(error.code(), Code::Forbidden);
    assert!(fx.directory.user(&fx.admin, boss.id).await.is_ok());
    assert!(fx.directory.user(&fx.admin, adele.id).await.is_ok());
    fx.directory.delete_user(&user_admin, adele.id, false).await.unwrap();
    assert!(fx.directory.user(&fx.admin, adele.id).await.is_err());
}
