//! Port cases on one user's soft delete in one call (`Tx::soft_delete_user`): groups
//! remembered, seats freed, tokens revoked, addresses released only when asked, and nothing
//! at all for a user that is not active.

use super::{a_password, at, group, insert, sku, token, user};
use crate::TestDb;
use directory::clock::Timestamp;
use directory::group::{Group, GroupRef};
use directory::ids::{SkuId, UserId};
use directory::license::{LicenseAssignment, Sku};
use directory::recycle_bin::DeletedUser;
use directory::store::Store;
use directory::token::{TokenRecord, TokenSubject};
use directory::user::User;
use std::sync::Arc;

/// Everything a soft delete may change about one user, as committed.
#[derive(Debug, PartialEq)]
struct Seen {
    active: Option<User>,
    deleted: Option<DeletedUser>,
    former_groups: Vec<GroupRef>,
    groups: Vec<GroupRef>,
    licenses: Vec<LicenseAssignment>,
    /// `consumed_units` of each of the skus asked about.
    seats: Vec<i64>,
    /// `revoked_at` of each of the tokens asked about.
    revoked: Vec<Option<Timestamp>>,
    /// Who holds the user's address keys: `(key, owner id, owner deleted)`.
    holders: Vec<(String, uuid::Uuid, bool)>,
    bin: u64,
}

async fn seen(store: &Arc<dyn Store>, u: &User, skus: &[SkuId], tokens: &[&TokenRecord]) -> Seen {
    let mut read = store.read().await.unwrap();
    let mut seats = Vec::new();
    for id in skus {
        seats.push(read.sku(*id).await.unwrap().unwrap().consumed_units);
    }
    let mut revoked = Vec::new();
    for t in tokens {
        revoked.push(read.token_by_hash(&t.hash).await.unwrap().unwrap().revoked_at);
    }
    let mut holders: Vec<_> = read
        .address_holders(&u.proxy_addresses.keys())
        .await
        .unwrap()
        .into_iter()
        .map(|holder| (holder.key, holder.owner_id, holder.owner_deleted))
        .collect();
    holders.sort();
    Seen {
        active: read.user(u.id).await.unwrap(),
        deleted: read.deleted_user(u.id).await.unwrap(),
        former_groups: read.former_groups(u.id).await.unwrap(),
        groups: read.groups_of(u.id).await.unwrap(),
        licenses: read.licenses_of(u.id).await.unwrap(),
        seats,
        revoked,
        holders,
        bin: read.count_deleted_users(at(0)).await.unwrap(),
    }
}

fn reference(g: &Group) -> GroupRef {
    GroupRef {
        id: g.id,
        display_name: g.display_name.clone(),
    }
}

fn license(s: &Sku) -> LicenseAssignment {
    LicenseAssignment {
        sku_id: s.id,
        disabled_plans: Vec::new(),
    }
}

/// `(key, owner, deleted)` for each of `u`'s address keys, in key order.
fn held_by(u: &User, deleted: bool) -> Vec<(String, uuid::Uuid, bool)> {
    let mut keys = u.proxy_addresses.keys();
    keys.sort();
    keys.into_iter().map(|key| (key, u.id.0, deleted)).collect()
}

pub async fn a_soft_delete_remembers_groups_frees_seats_revokes_tokens_and_keeps_the_rest(db: TestDb) {
    let store = db.store().await;
    let hash = a_password();
    let adele = user("adele@contoso.com", &["SMTP:adele@contoso.com", "smtp:av@contoso.com"]);
    let bob = user("bob@contoso.com", &["SMTP:bob@contoso.com"]);
    let (zulu, alpha, left) = (group("Zulu", None), group("alpha", None), group("Left", None));
    // e3 has a seat taken for each holder; ems none, though adele holds one of its licences.
    let (e3, ems) = (sku("ENTERPRISEPACK", 5), sku("EMS", 5));
    let laptop = token("adele laptop", TokenSubject::User(adele.id));
    let old = TokenRecord {
        revoked_at: Some(at(1)),
        ..token("adele old", TokenSubject::User(adele.id))
    };
    let phone = token("bob phone", TokenSubject::User(bob.id));
    insert(&store, &[&adele, &bob], &hash).await;
    let mut tx = store.begin().await.unwrap();
    for g in [&zulu, &alpha, &left] {
        tx.insert_group(g).await.unwrap();
    }
    for s in [&e3, &ems] {
        tx.insert_sku(s).await.unwrap();
    }
    for (g, u) in [(&zulu, &adele), (&left, &adele), (&zulu, &bob)] {
        tx.add_member(g.id, u.id).await.unwrap();
    }
    assert!(tx.remove_member(left.id, adele.id).await.unwrap());
    tx.add_member(alpha.id, adele.id).await.unwrap();
    for (u, s) in [(&adele, &e3), (&adele, &ems), (&bob, &e3)] {
        tx.add_license(u.id, &license(s)).await.unwrap();
    }
    for _ in 0..2 {
        assert!(tx.take_seat(e3.id, false).await.unwrap());
    }
    for t in [&laptop, &old, &phone] {
        tx.insert_token(t).await.unwrap();
    }
    tx.commit().await.unwrap();
    let skus = [e3.id, ems.id];
    let bob_before = seen(&store, &bob, &skus, &[&phone]).await;

    let mut tx = store.begin().await.unwrap();
    assert!(tx.soft_delete_user(adele.id, at(10), false).await.unwrap());
    tx.commit().await.unwrap();

    let after = seen(&store, &adele, &skus, &[&laptop, &old]).await;
    let adele_groups = vec![reference(&zulu), reference(&alpha)];
    let expected = Seen {
        active: None,
        deleted: Some(DeletedUser {
            user: adele.clone(),
            deleted_at: at(10),
            addresses_released: false,
        }),
        former_groups: adele_groups.clone(),
        groups: adele_groups,
        licenses: {
            let mut licenses = vec![license(&e3), license(&ems)];
            licenses.sort_by_key(|l| l.sku_id);
            licenses
        },
        seats: vec![1, 0],
        revoked: vec![Some(at(10)), Some(at(1))],
        holders: held_by(&adele, true),
        bin: 1,
    };
    assert_eq!(after, expected);
    let bob_after = seen(&store, &bob, &skus, &[&phone]).await;
    assert_eq!(
        Seen {
            seats: bob_before.seats.clone(),
            bin: 0,
            ..bob_after
        },
        Seen { bin: 0, ..bob_before },
        "bob is left alone but for the seat adele freed"
    );
}

pub async fn a_soft_delete_releases_addresses_only_when_asked(db: TestDb) {
    let store = db.store().await;
    let hash = a_password();
    let kept = user("kept@contoso.com", &["SMTP:kept@contoso.com", "smtp:k2@contoso.com"]);
    let freed = user("freed@contoso.com", &["SMTP:freed@contoso.com", "smtp:f2@contoso.com"]);
    insert(&store, &[&kept, &freed], &hash).await;
    let mut tx = store.begin().await.unwrap();
    assert!(tx.soft_delete_user(kept.id, at(10), false).await.unwrap());
    assert!(tx.soft_delete_user(freed.id, at(10), true).await.unwrap());
    tx.commit().await.unwrap();

    let kept_seen = seen(&store, &kept, &[], &[]).await;
    assert!(!kept_seen.deleted.unwrap().addresses_released);
    assert_eq!(kept_seen.holders, held_by(&kept, true));
    let freed_seen = seen(&store, &freed, &[], &[]).await;
    assert!(freed_seen.deleted.unwrap().addresses_released);
    assert_eq!(freed_seen.holders, vec![], "no longer reserved");
    let taker = user("taker@contoso.com", &["SMTP:f2@contoso.com"]);
    insert(&store, &[&taker], &hash).await;
    assert_eq!(seen(&store, &taker, &[], &[]).await.holders, held_by(&taker, false));
}

pub async fn a_soft_delete_of_a_user_not_active_returns_false_and_changes_nothing(db: TestDb) {
    let store = db.store().await;
    let hash = a_password();
    let gone = user("gone@contoso.com", &["SMTP:gone@contoso.com"]);
    let twice = user("twice@contoso.com", &[]);
    let team = group("Team", None);
    let e3 = sku("ENTERPRISEPACK", 5);
    let gone_token = token("gone laptop", TokenSubject::User(gone.id));
    insert(&store, &[&gone, &twice], &hash).await;
    // A deleted user with everything a delete writes still to write: memberships added
    // since it was deleted, a licence with its seat taken, a live token, reserved addresses.
    let mut tx = store.begin().await.unwrap();
    assert!(tx.soft_delete_user(gone.id, at(5), false).await.unwrap());
    tx.insert_group(&team).await.unwrap();
    tx.insert_sku(&e3).await.unwrap();
    for u in [&gone, &twice] {
        tx.add_member(team.id, u.id).await.unwrap();
        tx.add_license(u.id, &license(&e3)).await.unwrap();
        assert!(tx.take_seat(e3.id, false).await.unwrap());
    }
    tx.insert_token(&gone_token).await.unwrap();
    tx.commit().await.unwrap();
    let before = seen(&store, &gone, &[e3.id], &[&gone_token]).await;
    assert_eq!(before.former_groups, vec![]);

    let mut tx = store.begin().await.unwrap();
    for release in [false, true] {
        assert!(!tx.soft_delete_user(gone.id, at(20), release).await.unwrap());
        assert!(!tx.soft_delete_user(UserId::generate(), at(20), release).await.unwrap());
    }
    assert!(tx.soft_delete_user(twice.id, at(20), false).await.unwrap());
    assert!(
        !tx.soft_delete_user(twice.id, at(20), true).await.unwrap(),
        "deleted already, in this transaction, at the same instant"
    );
    tx.commit().await.unwrap();
    let after = seen(&store, &gone, &[e3.id], &[&gone_token]).await;
    assert_eq!(
        after,
        Seen {
            seats: vec![1],
            bin: 2,
            ..before
        },
        "gone is untouched"
    );
    let twice_seen = seen(&store, &twice, &[], &[]).await;
    assert_eq!(twice_seen.former_groups, vec![reference(&team)]);
    assert!(!twice_seen.deleted.unwrap().addresses_released);
}

pub async fn racing_soft_deletes_of_one_user_delete_it_once(db: TestDb) {
    let store = db.store().await;
    let hash = a_password();
    let adele = user("adele@contoso.com", &["SMTP:adele@contoso.com"]);
    let team = group("Team", None);
    let e3 = sku("ENTERPRISEPACK", 5);
    insert(&store, &[&adele], &hash).await;
    let mut tx = store.begin().await.unwrap();
    tx.insert_group(&team).await.unwrap();
    tx.add_member(team.id, adele.id).await.unwrap();
    tx.insert_sku(&e3).await.unwrap();
    tx.add_license(adele.id, &license(&e3)).await.unwrap();
    for _ in 0..3 {
        assert!(tx.take_seat(e3.id, false).await.unwrap());
    }
    tx.commit().await.unwrap();

    let (first, second) = (db.store().await, db.store().await);
    let target = adele.id;
    let delete = move |store: Arc<dyn Store>, seconds: i64| async move {
        let mut tx = store.begin().await.unwrap();
        let deleted = tx.soft_delete_user(target, at(seconds), true).await.unwrap();
        tx.commit().await.unwrap();
        deleted
    };
    let (a, b) = tokio::join!(delete(first, 10), delete(second, 11));
    assert!(a ^ b, "exactly one of two racing deletes deletes the user ({a}, {b})");
    let after = seen(&store, &adele, &[e3.id], &[]).await;
    assert_eq!(after.seats, vec![2], "one seat freed");
    assert_eq!(after.former_groups, vec![reference(&team)]);
    let deleted = after.deleted.unwrap();
    assert_eq!(deleted.deleted_at, at(if a { 10 } else { 11 }));
    assert!(deleted.addresses_released);
}
