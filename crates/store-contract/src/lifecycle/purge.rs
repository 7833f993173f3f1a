//! Permanent deletion: by an admin, by the purge job, and by two purge jobs at once.

use super::Fixture;
use super::delete::well_connected_adele;
use crate::TestDb;
use directory::Error;
use directory::audit::{AuditAction, AuditQuery};
use directory::group::GroupLink;
use directory::recycle_bin::RestoreOptions;
use directory::tenant::{Retention, TenantSettings};
use time::Duration;

async fn hard_deletes(fx: &Fixture) -> usize {
    let query = AuditQuery {
        action: Some(AuditAction::HardDeleteUser),
        limit: 1000,
        ..Default::default()
    };
    fx.directory.audit_events(&fx.admin, &query).await.unwrap().len()
}

pub async fn permanent_delete_is_final_and_audited_once(db: TestDb) {
    let fx = Fixture::new(db).await;
    let (adele, group, sku) = well_connected_adele(&fx).await;
    fx.delete(&adele).await;
    fx.directory.purge_deleted_user(&fx.admin, adele.id).await.unwrap();
    let again = fx.directory.purge_deleted_user(&fx.admin, adele.id).await.unwrap_err();
    assert!(matches!(again, Error::NotFound { .. }));
    let restore = fx
        .directory
        .restore_user(&fx.admin, adele.id, RestoreOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(restore, Error::NotFound { .. }));
    assert_eq!(hard_deletes(&fx).await, 1);
    assert!(
        fx.directory
            .group_links(&fx.admin, group, GroupLink::Member)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        fx.directory
            .subscriptions(&fx.admin)
            .await
            .unwrap()
            .iter()
            .find(|s| s.id == sku)
            .unwrap()
            .consumed_units,
        0
    );
    let mut reuse = super::new_user("other@contoso.com");
    reuse.mail = Some(super::email("adele@contoso.com"));
    let reused = fx.directory.create_user(&fx.admin, reuse).await.unwrap();
    assert_eq!(
        reused.mail().unwrap().to_string(),
        "adele@contoso.com",
        "purge frees the addresses"
    );
}

pub async fn the_purge_job_purges_only_expired_users_and_audits_each_once(db: TestDb) {
    let fx = Fixture::new(db).await;
    let early = fx.create("early@contoso.com").await;
    fx.delete(&early).await;
    fx.clock.advance(Duration::days(10));
    let late = fx.create("late@contoso.com").await;
    fx.delete(&late).await;

    fx.clock.advance(Duration::days(20) - Duration::seconds(1));
    assert!(fx.directory.purge_expired().await.unwrap().purged.is_empty());
    fx.clock.advance(Duration::seconds(1));
    assert_eq!(fx.directory.purge_expired().await.unwrap().purged, [early.id]);
    assert!(
        fx.directory.purge_expired().await.unwrap().purged.is_empty(),
        "idempotent"
    );
    assert_eq!(hard_deletes(&fx).await, 1);
    assert!(fx.directory.deleted_user(&fx.admin, late.id).await.is_ok());
}

pub async fn a_shorter_retention_applies_to_users_already_deleted(db: TestDb) {
    let fx = Fixture::new(db).await;
    let adele = fx.create("adele@contoso.com").await;
    fx.delete(&adele).await;
    fx.clock.advance(Duration::days(8));
    let week = TenantSettings {
        retention: Some(Retention::parse("7d").unwrap()),
        ..Default::default()
    };
    fx.directory.update_tenant(&fx.admin, week).await.unwrap();
    assert!(fx.directory.deleted_user(&fx.admin, adele.id).await.is_err());
    assert_eq!(fx.directory.purge_expired().await.unwrap().purged, [adele.id]);
}

pub async fn two_purge_runners_purge_each_expired_user_exactly_once(db: TestDb) {
    let fx = Fixture::new(db).await;
    let mut ids = Vec::new();
    for n in 0..12 {
        let user = fx.create(&format!("user{n}@contoso.com")).await;
        fx.delete(&user).await;
        ids.push(user.id);
    }
    fx.clock.advance(Duration::days(31));
    let first = fx.second_process().await;
    let second = fx.second_process().await;
    let (a, b) = tokio::join!(first.purge_expired(), second.purge_expired());
    let mut purged = [a.unwrap().purged, b.unwrap().purged].concat();
    purged.sort();
    ids.sort();
    assert_eq!(purged, ids, "every user purged by exactly one runner");
    assert_eq!(hard_deletes(&fx).await, 12, "and audited exactly once");
}
