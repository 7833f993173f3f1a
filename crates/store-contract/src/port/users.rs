//! Port cases on users: every property round-trips, and UPNs are unique among active users.

use super::{a_password, addresses, assert_conflict, at, delete, insert, is_other_conflict, user};
use crate::TestDb;
use directory::address::EmailAddress;
use directory::ids::UserId;
use directory::password::PasswordHash;
use directory::role::{AdminRole, RoleSet};
use directory::store::Constraint;
use directory::tenant::{LicenseOverage, Retention, Tenant};
use directory::upn::{DomainName, UserPrincipalName};
use directory::user::{UsageLocation, User};
use time::Duration;

pub async fn user_round_trips_with_every_property(db: TestDb) {
    let store = db.store().await;
    let hash = a_password();
    let manager = user("nestor@contoso.com", &["SMTP:nestor@contoso.com"]);
    let mut adele = User {
        id: UserId::generate(),
        upn: UserPrincipalName::parse("AdeleV@Contoso.com").unwrap(),
        display_name: "Adèle Vance".into(),
        given_name: Some("Adèle".into()),
        surname: Some("Vance".into()),
        mail_nickname: "AdeleV".into(),
        proxy_addresses: addresses(&[
            "SMTP:Adele.Vance@contoso.com",
            "smtp:adelev@contoso.com",
            "X500:/o=Contoso/ou=Exchange/cn=Recipients/cn=adelev",
            "SIP:adelev@contoso.com",
        ]),
        other_mails: vec![
            EmailAddress::parse("adele@example.org").unwrap(),
            EmailAddress::parse("a.vance@example.net").unwrap(),
        ],
        account_enabled: false,
        usage_location: Some(UsageLocation::parse("de").unwrap()),
        preferred_language: Some("de-DE".into()),
        job_title: Some("Retail Manager".into()),
        department: Some("Retail".into()),
        manager_id: Some(manager.id),
        created_at: at(7),
        on_premises_sync_enabled: Some(false),
        force_change_password: true,
    };

    // An uncommitted transaction leaves nothing behind.
    let mut tx = store.begin().await.unwrap();
    tx.insert_user(&manager, &hash).await.unwrap();
    assert_eq!(tx.user(manager.id).await.unwrap(), Some(manager.clone()));
    drop(tx);
    assert_eq!(store.read().await.unwrap().user(manager.id).await.unwrap(), None);

    insert(&store, &[&manager, &adele], &hash).await;
    let mut read = store.read().await.unwrap();
    assert_eq!(read.user(adele.id).await.unwrap(), Some(adele.clone()));
    assert_eq!(
        read.user_by_upn_key("adelev@contoso.com").await.unwrap(),
        Some(adele.clone())
    );
    assert_eq!(read.user_by_upn_key("AdeleV@contoso.com").await.unwrap(), None);
    assert_eq!(read.user(UserId::generate()).await.unwrap(), None);
    assert_eq!(read.count_users().await.unwrap(), 2);
    let page = read.users_page(None, 1).await.unwrap();
    assert_eq!(page, vec![adele.clone()]);
    let rest = read.users_page(Some("adelev@contoso.com"), 10).await.unwrap();
    assert_eq!(rest, vec![manager.clone()]);
    assert!(
        read.users_page(Some("nestor@contoso.com"), 10)
            .await
            .unwrap()
            .is_empty()
    );
    let stored = read.password_hash(adele.id).await.unwrap().unwrap();
    assert!(stored.verify("correct horse battery staple"));
    assert_eq!(read.deleted_user(adele.id).await.unwrap(), None);
    drop(read);

    // Every property can change, and optional ones can be cleared.
    adele.upn = UserPrincipalName::parse("adele.vance@contoso.com").unwrap();
    adele.display_name = "Adele Vance".into();
    adele.given_name = None;
    adele.surname = None;
    adele.mail_nickname = "adele.vance".into();
    adele.proxy_addresses = addresses(&["smtp:Adele.Vance@contoso.com", "SMTP:adele@contoso.com"]);
    adele.other_mails = Vec::new();
    adele.account_enabled = true;
    adele.usage_location = None;
    adele.preferred_language = None;
    adele.job_title = None;
    adele.department = None;
    adele.manager_id = None;
    adele.on_premises_sync_enabled = None;
    adele.force_change_password = false;
    let mut tx = store.begin().await.unwrap();
    assert!(tx.update_user(&adele).await.unwrap());
    assert!(!tx.update_user(&user("ghost@contoso.com", &[])).await.unwrap());
    let new_hash = PasswordHash::from_phc(format!("{}x", hash.as_phc()));
    tx.set_password(adele.id, &new_hash, true).await.unwrap();
    tx.assign_role(adele.id, AdminRole::UserAdministrator).await.unwrap();
    tx.assign_role(adele.id, AdminRole::GlobalReader).await.unwrap();
    tx.commit().await.unwrap();

    let mut read = store.read().await.unwrap();
    adele.force_change_password = true;
    assert_eq!(read.user(adele.id).await.unwrap(), Some(adele.clone()));
    assert_eq!(read.user_by_upn_key("adelev@contoso.com").await.unwrap(), None);
    assert_eq!(
        read.user_by_upn_key("adele.vance@contoso.com").await.unwrap(),
        Some(adele.clone())
    );
    assert_eq!(read.password_hash(adele.id).await.unwrap(), Some(new_hash));
    let roles = RoleSet::new([AdminRole::UserAdministrator, AdminRole::GlobalReader]);
    assert_eq!(read.roles_of(adele.id).await.unwrap(), roles);
    assert_eq!(
        read.role_holders(AdminRole::GlobalReader).await.unwrap(),
        vec![adele.id]
    );
    assert!(read.roles_of(manager.id).await.unwrap().is_empty());
    drop(read);

    let mut tx = store.begin().await.unwrap();
    assert!(tx.unassign_role(adele.id, AdminRole::GlobalReader).await.unwrap());
    assert!(!tx.unassign_role(adele.id, AdminRole::GlobalReader).await.unwrap());
    tx.commit().await.unwrap();
    let mut read = store.read().await.unwrap();
    assert_eq!(
        read.roles_of(adele.id).await.unwrap(),
        RoleSet::new([AdminRole::UserAdministrator])
    );
    assert!(read.role_holders(AdminRole::GlobalReader).await.unwrap().is_empty());
    drop(read);

    // The tenant round-trips too, and there is only ever one.
    let mut tenant = Tenant {
        id: uuid::Uuid::new_v4(),
        name: "Contoso".into(),
        domains: vec![
            DomainName::parse("contoso.com").unwrap(),
            DomainName::parse("fabrikam.com").unwrap(),
        ],
        retention: Retention::DEFAULT,
        license_overage: LicenseOverage::Refuse,
        created_at: at(0),
    };
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.tenant().await.unwrap(), None);
    tx.insert_tenant(&tenant).await.unwrap();
    tx.commit().await.unwrap();
    tenant.name = "Contoso Ltd".into();
    tenant.domains.push(DomainName::parse("contoso.org").unwrap());
    tenant.retention = Retention::new(Duration::hours(12)).unwrap();
    tenant.license_overage = LicenseOverage::Allow;
    let mut tx = store.begin().await.unwrap();
    tx.update_tenant(&tenant).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        store.read().await.unwrap().tenant().await.unwrap(),
        Some(tenant.clone())
    );
    let mut tx = store.begin().await.unwrap();
    let second = Tenant {
        id: uuid::Uuid::new_v4(),
        ..tenant.clone()
    };
    assert!(is_other_conflict(&tx.insert_tenant(&second).await));
    drop(tx);
    assert_eq!(store.read().await.unwrap().tenant().await.unwrap(), Some(tenant));
}

pub async fn upn_is_unique_among_active_users_ignoring_case(db: TestDb) {
    let store = db.store().await;
    let hash = a_password();
    let first = user("AdeleV@contoso.com", &["SMTP:adelev@contoso.com"]);
    insert(&store, &[&first], &hash).await;

    let mut tx = store.begin().await.unwrap();
    let twin = user("adelev@CONTOSO.com", &[]);
    assert_conflict(tx.insert_user(&twin, &hash).await, Constraint::UserPrincipalName);
    drop(tx);
    let mut tx = store.begin().await.unwrap();
    let mut other = user("other@contoso.com", &[]);
    tx.insert_user(&other, &hash).await.unwrap();
    other.upn = UserPrincipalName::parse("ADELEV@contoso.com").unwrap();
    assert_conflict(tx.update_user(&other).await, Constraint::UserPrincipalName);
    drop(tx);
    assert_eq!(store.read().await.unwrap().count_users().await.unwrap(), 1);

    // A deleted user no longer holds its UPN...
    delete(&store, first.id, at(60)).await;
    let second = user("ADELEV@contoso.com", &[]);
    insert(&store, &[&second], &hash).await;
    let mut read = store.read().await.unwrap();
    assert_eq!(
        read.user_by_upn_key("adelev@contoso.com").await.unwrap(),
        Some(second.clone())
    );
    assert_eq!(read.user(first.id).await.unwrap(), None);
    let deleted = read.deleted_user(first.id).await.unwrap().unwrap();
    assert_eq!(deleted.user, first);
    assert_eq!(deleted.user.upn.to_string(), "AdeleV@contoso.com");
    assert_eq!(deleted.deleted_at, at(60));
    assert!(!deleted.addresses_released);
    assert_eq!(read.count_users().await.unwrap(), 1);
    drop(read);

    // ...so restoring it under that UPN conflicts, and nothing changes.
    let mut tx = store.begin().await.unwrap();
    assert_conflict(tx.mark_restored(&first).await, Constraint::UserPrincipalName);
    drop(tx);
    assert_eq!(
        store.read().await.unwrap().deleted_user(first.id).await.unwrap(),
        Some(deleted)
    );

    // Under a new UPN it comes back, and only once.
    let mut restored = first.clone();
    restored.upn = UserPrincipalName::parse("adele.restored@contoso.com").unwrap();
    let mut tx = store.begin().await.unwrap();
    assert!(tx.mark_restored(&restored).await.unwrap());
    assert!(!tx.mark_restored(&restored).await.unwrap());
    assert!(!tx.soft_delete_user(UserId::generate(), at(61), false).await.unwrap());
    tx.commit().await.unwrap();
    let mut read = store.read().await.unwrap();
    assert_eq!(read.user(first.id).await.unwrap(), Some(restored));
    assert_eq!(read.deleted_user(first.id).await.unwrap(), None);
    assert_eq!(read.count_users().await.unwrap(), 2);
}
