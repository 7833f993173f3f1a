//! Contract cases for the batched writes: a bulk restore's group restored with one query
//! per kind (seats counted across the group, one audit record per restored user, a
//! conflict inside the group still failing only its own user), and the purge's batched
//! `DELETE`.

use crate::TestDb;
use crate::lifecycle::{Fixture, well_connected_adele};
use directory::audit::{AuditAction, AuditOutcome, AuditQuery};
use directory::ids::{SkuId, UserId};
use directory::license::LicenseAssignment;
use directory::recycle_bin::{LicenseOutcome, RestoreOptions, RestoreOutcome, RestoredUser};
use directory::role::AdminRole;
use directory::user::{UsageLocation, UserUpdate};
use directory::{Clock, Code, Error};
use time::Duration;

/// Successful restore records of one user.
async fn restore_records(fx: &Fixture, id: UserId) -> usize {
    let query = AuditQuery {
        action: Some(AuditAction::RestoreUser),
        target_id: Some(id.0),
        limit: 1000,
        ..Default::default()
    };
    let events = fx.directory.audit_events(&fx.admin, &query).await.unwrap();
    events.iter().filter(|e| e.outcome == AuditOutcome::Success).count()
}

/// A user with a usage location and a licence for `sku`.
async fn licensed(fx: &Fixture, upn: &str, sku: SkuId) -> UserId {
    let user = fx.create(upn).await;
    let located = UserUpdate {
        usage_location: Some(Some(UsageLocation::parse("NL").unwrap())),
        ..Default::default()
    };
    fx.directory.update_user(&fx.admin, user.id, located).await.unwrap();
    let license = LicenseAssignment {
        sku_id: sku,
        disabled_plans: vec![],
    };
    fx.directory
        .assign_license(&fx.admin, user.id, vec![license], vec![])
        .await
        .unwrap();
    user.id
}

fn restored(outcome: &RestoreOutcome) -> &RestoredUser {
    match outcome {
        RestoreOutcome::Restored(restored) => restored,
        other => panic!("expected a restore, got {other:?}"),
    }
}

pub async fn a_bulk_restore_counts_seats_across_its_group_and_audits_each_user_once(db: TestDb) {
    let fx = Fixture::new(db).await;
    let (adele, group, sku) = well_connected_adele(&fx).await;
    fx.directory.set_prepaid_units(&fx.admin, sku, 3).await.unwrap();
    let bob = licensed(&fx, "bob@contoso.com", sku).await;
    let carol = licensed(&fx, "carol@contoso.com", sku).await;
    for id in [adele.id, bob, carol] {
        fx.directory.delete_user(&fx.admin, id, false).await.unwrap();
    }
    fx.directory.set_prepaid_units(&fx.admin, sku, 2).await.unwrap();
    let requests = [adele.id, bob, carol].map(|id| (id, RestoreOptions::default()));

    let results = fx.directory.restore_users(&fx.admin, requests.to_vec()).await;

    assert_eq!(restored(&results[0].outcome).licenses, [LicenseOutcome::Restored(sku)]);
    assert_eq!(restored(&results[1].outcome).licenses, [LicenseOutcome::Restored(sku)]);
    assert_eq!(
        restored(&results[2].outcome).licenses,
        [LicenseOutcome::NotRestored(sku)]
    );
    let adele_back = restored(&results[0].outcome);
    assert_eq!(
        adele_back.restored_groups.iter().map(|g| g.id).collect::<Vec<_>>(),
        [group]
    );
    assert!(adele_back.roles.contains(AdminRole::HelpdeskAdministrator));
    assert_eq!(adele_back.user.upn.to_string(), "adele@contoso.com");
    assert_eq!(
        fx.directory.subscriptions(&fx.admin).await.unwrap()[0].consumed_units,
        2
    );
    assert!(fx.directory.licenses_of(&fx.admin, carol).await.unwrap().is_empty());
    assert_eq!(fx.directory.member_of(&fx.admin, adele.id).await.unwrap().len(), 1);
    for id in [adele.id, bob, carol] {
        assert!(fx.directory.user(&fx.admin, id).await.is_ok(), "active again");
        assert_eq!(restore_records(&fx, id).await, 1, "one audit record each");
    }
}

pub async fn two_users_of_one_bulk_restore_wanting_one_upn_get_one_restore_and_one_conflict(db: TestDb) {
    let fx = Fixture::new(db).await;
    let first = fx.create("dup@contoso.com").await;
    fx.delete(&first).await;
    let second = fx.create("dup@contoso.com").await;
    fx.delete(&second).await;
    let other = fx.create("other@contoso.com").await;
    fx.delete(&other).await;
    let requests = [first.id, second.id, other.id].map(|id| (id, RestoreOptions::default()));

    let results = fx.directory.restore_users(&fx.admin, requests.to_vec()).await;

    assert_eq!(restored(&results[0].outcome).user.id, first.id);
    assert!(matches!(&results[1].outcome, RestoreOutcome::Failed(e) if e.code() == Code::UserPrincipalNameConflict));
    assert_eq!(restored(&results[2].outcome).user.id, other.id);
    assert!(fx.directory.user(&fx.admin, first.id).await.is_ok());
    assert!(
        fx.directory.deleted_user(&fx.admin, second.id).await.is_ok(),
        "still deleted"
    );
    assert_eq!(restore_records(&fx, first.id).await, 1);
    assert_eq!(restore_records(&fx, second.id).await, 0);
    assert_eq!(restore_records(&fx, other.id).await, 1);
}

pub async fn a_batched_purge_deletes_only_expired_deleted_users_and_each_once(db: TestDb) {
    let fx = Fixture::new(db).await;
    let (adele, _, _) = well_connected_adele(&fx).await;
    let bob = fx.create("bob@contoso.com").await;
    let active = fx.create("active@contoso.com").await;
    fx.delete(&adele).await;
    fx.delete(&bob).await;
    let cutoff = fx.clock.now();
    fx.clock.advance(Duration::seconds(1));
    let late = fx.create("late@contoso.com").await;
    fx.delete(&late).await;
    let ids = [adele.id, bob.id, active.id, late.id, UserId::generate()];

    let store = fx.db.store().await;
    let mut tx = store.begin().await.unwrap();
    let mut purged: Vec<UserId> = tx
        .purge_users(&ids, cutoff)
        .await
        .unwrap()
        .iter()
        .map(|p| p.id)
        .collect();
    purged.sort();
    let mut expected = vec![adele.id, bob.id];
    expected.sort();
    assert_eq!(purged, expected);
    assert!(tx.purge_users(&ids, cutoff).await.unwrap().is_empty(), "each once");
    tx.commit().await.unwrap();

    assert!(matches!(
        fx.directory.deleted_user(&fx.admin, adele.id).await,
        Err(Error::NotFound { .. })
    ));
    assert!(fx.directory.user(&fx.admin, active.id).await.is_ok());
    assert!(fx.directory.deleted_user(&fx.admin, late.id).await.is_ok());
    let roles = fx.directory.roles_of(&fx.admin, adele.id).await;
    assert!(
        roles.map_or(true, |roles| roles.is_empty()),
        "the cascade took its roles"
    );
}
