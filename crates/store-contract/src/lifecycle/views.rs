//! The admin center's read models (`directory::views`) and the audit log's target filter.

use super::{Fixture, caller_with};
use crate::TestDb;
use directory::Code;
use directory::audit::{AuditAction, AuditQuery};
use directory::group::{GroupLink, NewGroup};
use directory::license::{LicenseAssignment, NewSku};
use directory::query::{Sort, SortKey, UserQuery};
use directory::role::AdminRole;
use directory::user::{UsageLocation, UserUpdate};

pub async fn the_admin_views_show_licences_role_holders_and_group_people(db: TestDb) {
    let fx = Fixture::new(db).await;
    let ada = fx.create("ada@contoso.com").await;
    let bob = fx.create("bob@contoso.com").await;
    let new = NewSku {
        id: None,
        part_number: "ENTERPRISEPACK".into(),
        prepaid_units: 2,
        service_plans: vec![],
    };
    let sku = fx.directory.add_subscription(&fx.admin, new).await.unwrap();
    let located = UserUpdate {
        usage_location: Some(Some(UsageLocation::parse("NL").unwrap())),
        ..Default::default()
    };
    fx.directory.update_user(&fx.admin, ada.id, located).await.unwrap();
    let license = LicenseAssignment {
        sku_id: sku.id,
        disabled_plans: vec![],
    };
    fx.directory
        .assign_license(&fx.admin, ada.id, vec![license], vec![])
        .await
        .unwrap();
    fx.directory
        .assign_role(&fx.admin, bob.id, AdminRole::UserAdministrator)
        .await
        .unwrap();

    let mut query = UserQuery::new(Sort::ascending(SortKey::UserPrincipalName));
    query.limit = 2;
    let page = fx.directory.user_listing(&fx.admin, &query).await.unwrap();
    let listed: Vec<(String, Vec<String>)> = page
        .items
        .iter()
        .map(|l| (l.user.upn.to_string(), l.licenses.clone()))
        .collect();
    assert_eq!(
        listed,
        [
            ("ada@contoso.com".to_owned(), vec!["ENTERPRISEPACK".to_owned()]),
            ("admin@contoso.com".to_owned(), vec![])
        ]
    );
    assert!(page.next.is_some());

    let roles = fx.directory.role_assignments(&fx.admin).await.unwrap();
    assert_eq!(roles.len(), AdminRole::ALL.len());
    let holders = |role: AdminRole| -> Vec<String> {
        let entry = roles.iter().find(|r| r.role == role).unwrap();
        entry.holders.iter().map(|u| u.upn.to_string()).collect()
    };
    assert_eq!(holders(AdminRole::UserAdministrator), ["bob@contoso.com"]);
    assert_eq!(holders(AdminRole::GlobalAdministrator), ["admin@contoso.com"]);

    let group = fx
        .directory
        .create_group(&fx.admin, NewGroup::new("Engineering", "engineering"))
        .await
        .unwrap();
    fx.directory
        .add_to_group(&fx.admin, group.id, GroupLink::Member, ada.id)
        .await
        .unwrap();
    fx.directory
        .add_to_group(&fx.admin, group.id, GroupLink::Owner, bob.id)
        .await
        .unwrap();
    fx.delete(&ada).await;
    let details = fx.directory.group_details(&fx.admin, group.id).await.unwrap();
    assert!(details.members.is_empty(), "only active members are shown");
    assert_eq!(details.owners.iter().map(|u| u.id).collect::<Vec<_>>(), [bob.id]);

    let found = fx.directory.users_by_ids(&fx.admin, &[bob.id, ada.id]).await.unwrap();
    assert_eq!(
        found.iter().map(|u| u.id).collect::<Vec<_>>(),
        [bob.id],
        "a deleted user is left out"
    );
}

pub async fn a_bulk_delete_reports_each_user_and_the_audit_log_filters_by_target(db: TestDb) {
    let fx = Fixture::new(db).await;
    let carol = fx.create("carol@contoso.com").await;
    let gina = fx.create("gina@contoso.com").await;
    fx.directory
        .assign_role(&fx.admin, gina.id, AdminRole::GlobalAdministrator)
        .await
        .unwrap();
    let user_admin = caller_with(&[AdminRole::UserAdministrator]);
    let outcomes = fx.directory.delete_users(&user_admin, &[carol.id, gina.id], true).await;
    assert_eq!(outcomes.len(), 2);
    assert_eq!(outcomes[0].name.as_deref(), Some("carol@contoso.com"));
    assert!(outcomes[0].result.is_ok());
    assert_eq!(outcomes[1].name.as_deref(), Some("gina@contoso.com"));
    assert_eq!(outcomes[1].result.as_ref().unwrap_err().code(), Code::Forbidden);

    let query = AuditQuery {
        target: Some("carol@contoso.com".into()),
        ..AuditQuery::default()
    };
    let records = fx.directory.audit_events(&fx.admin, &query).await.unwrap();
    let actions: Vec<AuditAction> = records.iter().map(|r| r.action).collect();
    assert_eq!(actions, [AuditAction::DeleteUser, AuditAction::AddUser]);
    let nobody = AuditQuery {
        target: Some("Carol".into()),
        ..AuditQuery::default()
    };
    assert!(fx.directory.audit_events(&fx.admin, &nobody).await.unwrap().is_empty());
}
