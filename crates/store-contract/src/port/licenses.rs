//! Port cases on subscriptions: seats are taken by conditional updates, and assignments.

use super::{a_password, is_other_conflict, sku, user};
use crate::TestDb;
use directory::ids::SkuId;
use directory::license::{LicenseAssignment, Sku};
use directory::store::Store;
use std::sync::Arc;

pub async fn seats_are_taken_only_while_free_unless_overage(db: TestDb) {
    let store = db.store().await;
    let hash = a_password();
    let e3 = sku("ENTERPRISEPACK", 2);
    let e5 = sku("ENTERPRISEPREMIUM", 1);
    let adele = user("adele@contoso.com", &[]);
    let mut tx = store.begin().await.unwrap();
    tx.insert_sku(&e5).await.unwrap();
    tx.insert_sku(&e3).await.unwrap();
    tx.insert_user(&adele, &hash).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    let twin = Sku {
        id: SkuId::generate(),
        ..e3.clone()
    };
    assert!(is_other_conflict(&tx.insert_sku(&twin).await));
    drop(tx);
    let mut read = store.read().await.unwrap();
    assert_eq!(read.sku(e3.id).await.unwrap(), Some(e3.clone()));
    assert_eq!(read.skus().await.unwrap(), vec![e3.clone(), e5.clone()]);
    drop(read);

    let mut tx = store.begin().await.unwrap();
    assert!(tx.take_seat(e3.id, false).await.unwrap());
    assert!(tx.take_seat(e3.id, false).await.unwrap());
    assert!(!tx.take_seat(e3.id, false).await.unwrap());
    assert!(tx.take_seat(e3.id, true).await.unwrap());
    assert!(!tx.take_seat(SkuId::generate(), true).await.unwrap());
    tx.commit().await.unwrap();
    assert_eq!(
        store
            .read()
            .await
            .unwrap()
            .sku(e3.id)
            .await
            .unwrap()
            .unwrap()
            .consumed_units,
        3
    );
    let mut tx = store.begin().await.unwrap();
    for _ in 0..5 {
        tx.release_seat(e3.id).await.unwrap();
    }
    assert!(tx.set_prepaid_units(e3.id, 25).await.unwrap());
    assert!(!tx.set_prepaid_units(SkuId::generate(), 25).await.unwrap());
    tx.commit().await.unwrap();
    let stored = store.read().await.unwrap().sku(e3.id).await.unwrap().unwrap();
    assert_eq!((stored.prepaid_units, stored.consumed_units), (25, 0));

    // Two processes racing for the last seat: exactly one gets it.
    let (first, second) = (db.store().await, db.store().await);
    let last = e5.id;
    let take = move |store: Arc<dyn Store>| async move {
        let mut tx = store.begin().await.unwrap();
        let taken = tx.take_seat(last, false).await.unwrap();
        tx.commit().await.unwrap();
        taken
    };
    let (a, b) = tokio::join!(take(first), take(second));
    assert!(
        a ^ b,
        "exactly one of two racing writers takes the last seat ({a}, {b})"
    );
    assert_eq!(
        store
            .read()
            .await
            .unwrap()
            .sku(e5.id)
            .await
            .unwrap()
            .unwrap()
            .consumed_units,
        1
    );

    // Licence assignments.
    let license = LicenseAssignment {
        sku_id: e3.id,
        disabled_plans: vec![e3.service_plans[1].id, e3.service_plans[0].id],
    };
    let bare = LicenseAssignment {
        sku_id: e5.id,
        disabled_plans: Vec::new(),
    };
    let mut tx = store.begin().await.unwrap();
    tx.add_license(adele.id, &license).await.unwrap();
    tx.add_license(adele.id, &bare).await.unwrap();
    tx.commit().await.unwrap();
    let mut expected = vec![license.clone(), bare.clone()];
    expected.sort_by_key(|l| l.sku_id);
    assert_eq!(
        store.read().await.unwrap().licenses_of(adele.id).await.unwrap(),
        expected
    );
    let mut tx = store.begin().await.unwrap();
    assert!(is_other_conflict(&tx.add_license(adele.id, &license).await));
    drop(tx);
    let mut tx = store.begin().await.unwrap();
    assert!(tx.remove_license(adele.id, e3.id).await.unwrap());
    assert!(!tx.remove_license(adele.id, e3.id).await.unwrap());
    tx.commit().await.unwrap();
    assert_eq!(
        store.read().await.unwrap().licenses_of(adele.id).await.unwrap(),
        vec![bare]
    );
}
