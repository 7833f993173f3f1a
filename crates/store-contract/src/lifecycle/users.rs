//! Creating users, initialising the tenant, tokens and the last-admin guard.

use super::{Fixture, caller_with, email, new_user};
use crate::TestDb;
use directory::audit::{AuditAction, AuditQuery};
use directory::role::{AdminRole, RoleSet};
use directory::token::TokenSecret;
use directory::upn::DomainName;
use directory::{Code, Error};
use time::Duration;

pub async fn creating_a_user_checks_domain_and_uniqueness_and_audits(db: TestDb) {
    let fx = Fixture::new(db).await;
    let adele = fx.create("AdeleV@contoso.com").await;
    assert_eq!(adele.mail().unwrap().to_string(), "AdeleV@contoso.com");

    let elsewhere = fx
        .directory
        .create_user(&fx.admin, new_user("x@elsewhere.org"))
        .await
        .unwrap_err();
    assert_eq!(elsewhere.code(), Code::UnverifiedDomain);
    assert!(
        elsewhere
            .to_string()
            .contains("domain portion of the userPrincipalName property is invalid")
    );

    let twin = fx
        .directory
        .create_user(&fx.admin, new_user("adelev@CONTOSO.com"))
        .await
        .unwrap_err();
    match twin {
        Error::UpnTaken { holder, .. } => assert_eq!(holder.unwrap().object_id, adele.id.0),
        other => panic!("expected a UPN conflict, got {other:?}"),
    }

    let mut alias_thief = new_user("thief@contoso.com");
    alias_thief.mail = Some(email("adelev@contoso.com"));
    let taken = fx.directory.create_user(&fx.admin, alias_thief).await.unwrap_err();
    assert_eq!(taken.code(), Code::ProxyAddressConflict);

    let events = fx
        .directory
        .audit_events(
            &fx.admin,
            &AuditQuery {
                action: Some(AuditAction::AddUser),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let created: Vec<&str> = events.iter().map(|e| e.target.as_str()).collect();
    assert_eq!(created, ["AdeleV@contoso.com", "admin@contoso.com"]);
    assert_eq!(fx.directory.count_users(&fx.admin).await.unwrap(), 2);
}

pub async fn initializing_twice_is_refused_and_the_first_admin_must_change_its_password(db: TestDb) {
    let fx = Fixture::new(db).await;
    let again = fx
        .directory
        .initialize("Other", DomainName::parse("other.com").unwrap())
        .await;
    assert!(matches!(again, Err(Error::AlreadyInitialized)));
    let admin = fx
        .directory
        .user_by_id_or_upn(&fx.admin, "admin@contoso.com")
        .await
        .unwrap();
    assert!(admin.force_change_password);
    let roles = fx.directory.roles_of(&fx.admin, admin.id).await.unwrap();
    assert_eq!(roles, RoleSet::new([AdminRole::GlobalAdministrator]));
    let tenant = fx.directory.tenant().await.unwrap();
    let domains: Vec<String> = tenant.domains.iter().map(ToString::to_string).collect();
    assert_eq!(domains, ["contoso.com", "fabrikam.com"]);
}

pub async fn tokens_work_until_revoked_expired_or_their_user_is_deleted(db: TestDb) {
    let fx = Fixture::new(db).await;
    let adele = fx.create("adele@contoso.com").await;
    fx.directory
        .assign_role(&fx.admin, adele.id, AdminRole::HelpdeskAdministrator)
        .await
        .unwrap();
    let user_token = fx
        .directory
        .issue_user_token(&fx.admin, adele.id, Duration::days(1))
        .await
        .unwrap();
    let caller = fx.directory.authenticate(&user_token.secret).await.unwrap();
    assert_eq!(caller.user_id(), Some(adele.id));
    assert!(caller.roles.contains(AdminRole::HelpdeskAdministrator));

    let service = fx
        .directory
        .issue_service_token(
            &fx.admin,
            "backup",
            RoleSet::new([AdminRole::GlobalReader]),
            Duration::hours(1),
        )
        .await
        .unwrap();
    assert!(fx.directory.authenticate(&service.secret).await.is_ok());
    fx.clock.advance(Duration::hours(1));
    assert!(matches!(
        fx.directory.authenticate(&service.secret).await,
        Err(Error::Unauthenticated)
    ));

    let forged = TokenSecret::presented("rst_not-a-real-token");
    assert!(matches!(
        fx.directory.authenticate(&forged).await,
        Err(Error::Unauthenticated)
    ));

    fx.delete(&adele).await;
    assert!(matches!(
        fx.directory.authenticate(&user_token.secret).await,
        Err(Error::Unauthenticated)
    ));
    fx.directory
        .restore_user(&fx.admin, adele.id, Default::default())
        .await
        .unwrap();
    let revived = fx.directory.authenticate(&user_token.secret).await;
    assert!(
        matches!(revived, Err(Error::Unauthenticated)),
        "a restore must not revive old tokens"
    );

    let fresh = fx
        .directory
        .issue_user_token(&fx.admin, adele.id, Duration::days(1))
        .await
        .unwrap();
    fx.directory.revoke_token(&fx.admin, fresh.record.id).await.unwrap();
    assert!(matches!(
        fx.directory.authenticate(&fresh.secret).await,
        Err(Error::Unauthenticated)
    ));
}

pub async fn the_last_global_admin_cannot_be_deleted_disabled_or_demoted(db: TestDb) {
    let fx = Fixture::new(db).await;
    let admin = fx
        .directory
        .user_by_id_or_upn(&fx.admin, "admin@contoso.com")
        .await
        .unwrap();
    let delete = fx.directory.delete_user(&fx.admin, admin.id, false).await.unwrap_err();
    assert!(delete.to_string().contains("last active Global Administrator"));
    let demote = fx
        .directory
        .unassign_role(&fx.admin, admin.id, AdminRole::GlobalAdministrator)
        .await;
    assert!(demote.is_err());
    let disable = directory::user::UserUpdate {
        account_enabled: Some(false),
        ..Default::default()
    };
    assert!(fx.directory.update_user(&fx.admin, admin.id, disable).await.is_err());

    let second = fx.create("second@contoso.com").await;
    fx.directory
        .assign_role(&fx.admin, second.id, AdminRole::GlobalAdministrator)
        .await
        .unwrap();
    fx.directory.delete_user(&fx.admin, admin.id, false).await.unwrap();
    let reader = caller_with(&[AdminRole::GlobalReader]);
    assert!(fx.directory.user(&reader, admin.id).await.is_err());
}

pub async fn passwords_follow_the_user_through_delete_and_restore(db: TestDb) {
    let fx = Fixture::new(db).await;
    let adele = fx.create("adele@contoso.com").await;
    let password = "a long enough passphrase";
    assert_eq!(
        fx.directory
            .check_password("ADELE@contoso.com", password)
            .await
            .unwrap()
            .id,
        adele.id
    );
    assert!(
        fx.directory
            .check_password("adele@contoso.com", "a wrong passphrase!")
            .await
            .is_err()
    );
    assert!(
        fx.directory
            .check_password("nobody@contoso.com", password)
            .await
            .is_err()
    );

    fx.delete(&adele).await;
    assert!(matches!(
        fx.directory.check_password("adele@contoso.com", password).await,
        Err(Error::Unauthenticated)
    ));

    let options = directory::recycle_bin::RestoreOptions {
        password: directory::recycle_bin::PasswordReset::Generate,
        force_change_password: true,
        ..Default::default()
    };
    let restored = fx.directory.restore_user(&fx.admin, adele.id, options).await.unwrap();
    let generated = restored.generated_password.expect("a generated password is shown once");
    assert!(
        fx.directory
            .check_password("adele@contoso.com", password)
            .await
            .is_err()
    );
    let signed_in = fx
        .directory
        .check_password("adele@contoso.com", generated.expose())
        .await
        .unwrap();
    assert!(signed_in.force_change_password);
}
