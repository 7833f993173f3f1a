//! App registrations: client secrets, the client-credentials grant, app tokens that follow
//! the app's roles and die with it, and the audit trail.

use super::{Fixture, caller_with};
use crate::TestDb;
use directory::Error;
use directory::app::DEFAULT_SECRET_LIFETIME;
use directory::audit::{AuditAction, AuditQuery};
use directory::role::{AdminRole, RoleSet};
use directory::token::TokenSecret;
use time::Duration;

fn reader() -> RoleSet {
    RoleSet::new([AdminRole::GlobalReader])
}

pub async fn app_secrets_round_trip_expire_and_refuse_a_wrong_secret(db: TestDb) {
    let fx = Fixture::new(db).await;
    let refused = fx
        .directory
        .create_app(&caller_with(&[AdminRole::UserAdministrator]), "x", reader())
        .await;
    assert!(matches!(refused, Err(Error::Forbidden { .. })));
    let empty = fx.directory.create_app(&fx.admin, "x", RoleSet::default()).await;
    assert!(matches!(empty, Err(Error::Invalid { .. })));

    let (app, secret) = fx
        .directory
        .create_app(&fx.admin, "Backup job", reader())
        .await
        .unwrap();
    assert_eq!(secret.record.hint, secret.expose()[..3]);
    assert_ne!(secret.record.hash, secret.expose());
    assert_eq!(secret.record.expires_at, app.created_at + DEFAULT_SECRET_LIFETIME);
    assert_eq!(fx.directory.apps(&fx.admin).await.unwrap(), vec![app.clone()]);

    let issued = fx
        .directory
        .issue_app_token(app.client_id, secret.expose())
        .await
        .unwrap();
    assert_eq!(issued.record.expires_at, issued.record.created_at + Duration::hours(1));
    let caller = fx.directory.authenticate(&issued.secret).await.unwrap();
    assert_eq!(caller.principal.to_string(), "app:Backup job");
    assert_eq!(caller.roles, reader());

    let wrong = fx.directory.issue_app_token(app.client_id, "not the secret").await;
    assert!(matches!(wrong, Err(Error::Unauthenticated)));
    let unknown = fx
        .directory
        .issue_app_token(uuid::Uuid::new_v4(), secret.expose())
        .await;
    assert!(matches!(unknown, Err(Error::Unauthenticated)));

    let second = fx
        .directory
        .add_app_secret(&fx.admin, app.id, Some(Duration::days(365)))
        .await
        .unwrap();
    let too_long = fx
        .directory
        .add_app_secret(&fx.admin, app.id, Some(Duration::days(731)))
        .await;
    assert!(matches!(too_long, Err(Error::Invalid { .. })));
    fx.clock.advance(DEFAULT_SECRET_LIFETIME);
    let expired = fx.directory.issue_app_token(app.client_id, secret.expose()).await;
    assert!(matches!(expired, Err(Error::Unauthenticated)));
    assert!(
        fx.directory
            .issue_app_token(app.client_id, second.expose())
            .await
            .is_ok()
    );
}

pub async fn app_tokens_follow_the_app_roles_and_die_with_the_app(db: TestDb) {
    let fx = Fixture::new(db).await;
    let (app, secret) = fx.directory.create_app(&fx.admin, "Sync", reader()).await.unwrap();
    let (other, other_secret) = fx.directory.create_app(&fx.admin, "Other", reader()).await.unwrap();
    let issued = fx
        .directory
        .issue_app_token(app.client_id, secret.expose())
        .await
        .unwrap();
    let kept = fx
        .directory
        .issue_app_token(other.client_id, other_secret.expose())
        .await
        .unwrap();

    let admins = RoleSet::new([AdminRole::UserAdministrator]);
    fx.directory
        .set_app_roles(&fx.admin, app.id, admins.clone())
        .await
        .unwrap();
    let caller = fx.directory.authenticate(&issued.secret).await.unwrap();
    assert_eq!(caller.roles, admins);

    fx.directory.delete_app(&fx.admin, app.id).await.unwrap();
    let dead = fx.directory.authenticate(&issued.secret).await;
    assert!(matches!(dead, Err(Error::Unauthenticated)));
    let dead = fx
        .directory
        .authenticate(&TokenSecret::presented(issued.secret.expose()))
        .await;
    assert!(matches!(dead, Err(Error::Unauthenticated)));
    let again = fx.directory.issue_app_token(app.client_id, secret.expose()).await;
    assert!(matches!(again, Err(Error::Unauthenticated)));
    assert!(matches!(
        fx.directory.delete_app(&fx.admin, app.id).await,
        Err(Error::NotFound { .. })
    ));
    assert!(fx.directory.authenticate(&kept.secret).await.is_ok());
    assert_eq!(fx.directory.apps(&fx.admin).await.unwrap(), vec![other]);
}

pub async fn app_changes_and_app_token_issuance_are_audited(db: TestDb) {
    let fx = Fixture::new(db).await;
    let (app, secret) = fx.directory.create_app(&fx.admin, "Audited", reader()).await.unwrap();
    fx.directory.add_app_secret(&fx.admin, app.id, None).await.unwrap();
    let issued = fx
        .directory
        .issue_app_token(app.client_id, secret.expose())
        .await
        .unwrap();
    fx.directory.delete_app(&fx.admin, app.id).await.unwrap();

    let query = AuditQuery {
        action: None,
        target_id: Some(app.id.as_uuid()),
        limit: 0,
        ..AuditQuery::default()
    };
    let events = fx.directory.audit_events(&fx.admin, &query).await.unwrap();
    let actions: Vec<AuditAction> = events.iter().map(|e| e.action).collect();
    assert_eq!(
        actions,
        [
            AuditAction::DeleteApplication,
            AuditAction::AddApplicationSecret,
            AuditAction::AddApplication
        ]
    );
    assert!(events.iter().all(|e| e.actor == "system" && e.target == "Audited"));
    let query = AuditQuery {
        action: Some(AuditAction::IssueToken),
        target_id: Some(issued.record.id.as_uuid()),
        limit: 0,
        ..AuditQuery::default()
    };
    let issuance = fx.directory.audit_events(&fx.admin, &query).await.unwrap();
    assert_eq!(issuance.len(), 1);
    assert_eq!(issuance[0].actor, "app:Audited");
}
