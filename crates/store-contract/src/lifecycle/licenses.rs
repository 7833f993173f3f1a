//! Licence seats: assignment rules, and what a restore does without a free seat.

use super::Fixture;
use super::delete::well_connected_adele;
use crate::TestDb;
use directory::Code;
use directory::license::LicenseAssignment;
use directory::recycle_bin::{LicenseOutcome, RestoreOptions};
use directory::tenant::{LicenseOverage, TenantSettings};
use directory::user::{UsageLocation, UserUpdate};

pub async fn assigning_a_licence_needs_a_usage_location_and_a_free_seat(db: TestDb) {
    let fx = Fixture::new(db).await;
    let (_, _, sku) = well_connected_adele(&fx).await;
    let bob = fx.create("bob@contoso.com").await;
    let license = || {
        vec![LicenseAssignment {
            sku_id: sku,
            disabled_plans: vec![],
        }]
    };

    let error = fx
        .directory
        .assign_license(&fx.admin, bob.id, license(), vec![])
        .await
        .unwrap_err();
    assert_eq!(error.code(), Code::UsageLocationRequired);
    assert_eq!(
        error.to_string(),
        "License assignment cannot be done for user with invalid usage location."
    );

    let located = UserUpdate {
        usage_location: Some(Some(UsageLocation::parse("US").unwrap())),
        ..Default::default()
    };
    fx.directory.update_user(&fx.admin, bob.id, located).await.unwrap();
    let error = fx
        .directory
        .assign_license(&fx.admin, bob.id, license(), vec![])
        .await
        .unwrap_err();
    assert_eq!(error.code(), Code::NoLicenseSeats);
    assert!(error.to_string().contains("does not have any available licenses"));
    assert_eq!(
        fx.directory.subscriptions(&fx.admin).await.unwrap()[0].consumed_units,
        1,
        "unchanged"
    );

    fx.directory.set_prepaid_units(&fx.admin, sku, 2).await.unwrap();
    fx.directory
        .assign_license(&fx.admin, bob.id, license(), vec![])
        .await
        .unwrap();
    assert_eq!(
        fx.directory.subscriptions(&fx.admin).await.unwrap()[0].consumed_units,
        2
    );
    fx.directory
        .assign_license(&fx.admin, bob.id, vec![], vec![sku])
        .await
        .unwrap();
    assert_eq!(
        fx.directory.subscriptions(&fx.admin).await.unwrap()[0].consumed_units,
        1
    );
}

/// Deletes Adele, gives her seat to Bob, and returns what restoring Adele did.
async fn restore_after_the_seat_was_taken(fx: &Fixture) -> (Vec<LicenseOutcome>, i64, usize) {
    let (adele, _, sku) = well_connected_adele(fx).await;
    fx.delete(&adele).await;
    let bob = fx.create("bob@contoso.com").await;
    let located = UserUpdate {
        usage_location: Some(Some(UsageLocation::parse("US").unwrap())),
        ..Default::default()
    };
    fx.directory.update_user(&fx.admin, bob.id, located).await.unwrap();
    let license = vec![LicenseAssignment {
        sku_id: sku,
        disabled_plans: vec![],
    }];
    fx.directory
        .assign_license(&fx.admin, bob.id, license, vec![])
        .await
        .unwrap();

    let restored = fx
        .directory
        .restore_user(&fx.admin, adele.id, RestoreOptions::default())
        .await
        .unwrap();
    let consumed = fx.directory.subscriptions(&fx.admin).await.unwrap()[0].consumed_units;
    let held = fx.directory.licenses_of(&fx.admin, adele.id).await.unwrap().len();
    (restored.licenses, consumed, held)
}

pub async fn restore_without_a_free_seat_drops_the_licence_by_default(db: TestDb) {
    let fx = Fixture::new(db).await;
    let (outcomes, consumed, held) = restore_after_the_seat_was_taken(&fx).await;
    assert!(matches!(outcomes.as_slice(), [LicenseOutcome::NotRestored(_)]));
    assert_eq!(consumed, 1);
    assert_eq!(held, 0);
}

pub async fn restore_without_a_free_seat_over_assigns_under_the_overage_policy(db: TestDb) {
    let fx = Fixture::new(db).await;
    let allow = TenantSettings {
        license_overage: Some(LicenseOverage::Allow),
        ..Default::default()
    };
    fx.directory.update_tenant(&fx.admin, allow).await.unwrap();
    let (outcomes, consumed, held) = restore_after_the_seat_was_taken(&fx).await;
    assert!(matches!(outcomes.as_slice(), [LicenseOutcome::OverAssigned(_)]));
    assert_eq!(consumed, 2, "one seat bought, two used");
    assert_eq!(held, 1);
}

/// The last seat, wanted by twenty users at once from four processes (T06): exactly one
/// gets it, the others are told there is no free seat, and the count is exact.
pub async fn twenty_concurrent_takers_of_the_last_seat_leave_one_holder(db: TestDb) {
    let fx = Fixture::new(db).await;
    let (_, _, sku) = well_connected_adele(&fx).await;
    fx.directory.set_prepaid_units(&fx.admin, sku, 2).await.unwrap();
    let located = || UserUpdate {
        usage_location: Some(Some(UsageLocation::parse("NL").unwrap())),
        ..Default::default()
    };
    let mut takers = Vec::new();
    for n in 0..20 {
        let user = fx.create(&format!("taker{n}@contoso.com")).await;
        fx.directory.update_user(&fx.admin, user.id, located()).await.unwrap();
        takers.push(user.id);
    }
    let mut tasks = tokio::task::JoinSet::new();
    for chunk in takers.chunks(5) {
        let directory = fx.second_process().await;
        for id in chunk.iter().copied() {
            let (directory, admin) = (directory.clone(), fx.admin.clone());
            let add = vec![LicenseAssignment {
                sku_id: sku,
                disabled_plans: vec![],
            }];
            tasks.spawn(async move { directory.assign_license(&admin, id, add, vec![]).await });
        }
    }
    let (mut granted, mut refused) = (0, 0);
    while let Some(joined) = tasks.join_next().await {
        match joined.unwrap() {
            Ok(_) => granted += 1,
            Err(error) if error.code() == Code::NoLicenseSeats => refused += 1,
            Err(other) => panic!("{other:?}"),
        }
    }
    assert_eq!((granted, refused), (1, 19));
    let subscription = fx.directory.subscriptions(&fx.admin).await.unwrap().remove(0);
    assert_eq!(subscription.consumed_units, 2, "adele's seat and the one granted");
}
