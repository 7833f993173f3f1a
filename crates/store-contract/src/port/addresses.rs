//! Port cases on proxy addresses: unique across users and groups, reserved by deleted users
//! until released, and the recycle bin's listing.

use super::{a_password, addresses, assert_conflict, at, delete, group, insert, user};
use crate::TestDb;
use directory::address::OwnerKind;
use directory::ids::GroupId;
use directory::store::Constraint;
use directory::user::User;

pub async fn addresses_are_unique_across_users_and_groups(db: TestDb) {
    let store = db.store().await;
    let hash = a_password();
    let adele = user("adele@contoso.com", &["SMTP:adele@contoso.com", "smtp:av@contoso.com"]);
    insert(&store, &[&adele], &hash).await;

    let mut tx = store.begin().await.unwrap();
    let taker = user("alex@contoso.com", &["SMTP:AV@Contoso.com"]);
    assert_conflict(tx.insert_user(&taker, &hash).await, Constraint::ProxyAddress);
    drop(tx);
    let mut tx = store.begin().await.unwrap();
    let mail_group = group("Adele fans", Some("Adele@contoso.com"));
    assert_conflict(tx.insert_group(&mail_group).await, Constraint::ProxyAddress);
    drop(tx);

    let team = group("Team", Some("team@contoso.com"));
    let plain = group("Plain", None);
    let mut tx = store.begin().await.unwrap();
    tx.insert_group(&team).await.unwrap();
    tx.insert_group(&plain).await.unwrap();
    tx.commit().await.unwrap();
    let mut read = store.read().await.unwrap();
    assert_eq!(read.group(team.id).await.unwrap(), Some(team.clone()));
    assert_eq!(read.groups().await.unwrap(), vec![plain.clone(), team.clone()]);
    assert_eq!(read.group(GroupId::generate()).await.unwrap(), None);
    drop(read);

    let mut tx = store.begin().await.unwrap();
    let taker = user("alex@contoso.com", &["SMTP:Team@contoso.com"]);
    assert_conflict(tx.insert_user(&taker, &hash).await, Constraint::ProxyAddress);
    drop(tx);
    let mut tx = store.begin().await.unwrap();
    let mut grown = adele.clone();
    grown.proxy_addresses = addresses(&["SMTP:adele@contoso.com", "smtp:TEAM@contoso.com"]);
    assert_conflict(tx.update_user(&grown).await, Constraint::ProxyAddress);
    drop(tx);

    let keys = vec![
        "smtp:av@contoso.com".to_owned(),
        "smtp:team@contoso.com".into(),
        "smtp:nobody@contoso.com".into(),
    ];
    let holders = store.read().await.unwrap().address_holders(&keys).await.unwrap();
    assert_eq!(holders.len(), 2, "{holders:?}");
    let av = holders.iter().find(|h| h.key == keys[0]).unwrap();
    assert_eq!(
        (av.owner_id, av.owner_kind, av.owner_deleted),
        (adele.id.0, OwnerKind::User, false)
    );
    let team_holder = holders.iter().find(|h| h.key == keys[1]).unwrap();
    assert_eq!(
        (team_holder.owner_id, team_holder.owner_kind, team_holder.owner_deleted),
        (team.id.0, OwnerKind::Group, false)
    );
    assert!(
        store
            .read()
            .await
            .unwrap()
            .address_holders(&[])
            .await
            .unwrap()
            .is_empty()
    );

    // Dropping an address or deleting the group frees it.
    let mut tx = store.begin().await.unwrap();
    let mut shrunk = adele.clone();
    shrunk.proxy_addresses = addresses(&["SMTP:adele@contoso.com"]);
    assert!(tx.update_user(&shrunk).await.unwrap());
    assert!(tx.delete_group(team.id).await.unwrap());
    assert!(!tx.delete_group(team.id).await.unwrap());
    let taker = user("alex@contoso.com", &["SMTP:team@contoso.com", "smtp:av@contoso.com"]);
    tx.insert_user(&taker, &hash).await.unwrap();
    tx.commit().await.unwrap();
    let mut read = store.read().await.unwrap();
    assert_eq!(read.user(taker.id).await.unwrap(), Some(taker.clone()));
    assert_eq!(read.groups().await.unwrap(), vec![plain]);
    let holders = read.address_holders(&keys).await.unwrap();
    assert!(holders.iter().all(|h| h.owner_id == taker.id.0), "{holders:?}");
}

pub async fn deleted_users_keep_reserving_addresses_until_released(db: TestDb) {
    let store = db.store().await;
    let hash = a_password();
    let adele = user("adele@contoso.com", &["SMTP:adele@contoso.com", "smtp:av@contoso.com"]);
    insert(&store, &[&adele], &hash).await;
    delete(&store, adele.id, at(10)).await;

    let keys = adele.proxy_addresses.keys();
    let holders = store.read().await.unwrap().address_holders(&keys).await.unwrap();
    assert_eq!(holders.len(), 2);
    assert!(
        holders
            .iter()
            .all(|h| h.owner_id == adele.id.0 && h.owner_deleted && h.owner_kind == OwnerKind::User)
    );
    let mut tx = store.begin().await.unwrap();
    let taker = user("alex@contoso.com", &["SMTP:av@contoso.com"]);
    assert_conflict(tx.insert_user(&taker, &hash).await, Constraint::ProxyAddress);
    drop(tx);

    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.release_addresses(taker.id).await.unwrap(), 0);
    assert_eq!(tx.release_addresses(adele.id).await.unwrap(), 2);
    tx.commit().await.unwrap();
    let mut read = store.read().await.unwrap();
    assert!(read.address_holders(&keys).await.unwrap().is_empty());
    let deleted = read.deleted_user(adele.id).await.unwrap().unwrap();
    assert!(deleted.addresses_released);
    assert_eq!(deleted.user, adele, "a deleted user still lists its released addresses");
    drop(read);
    insert(&store, &[&taker], &hash).await;

    // Restoring re-reserves what it gets back, and a taken address conflicts.
    let mut tx = store.begin().await.unwrap();
    assert_conflict(tx.mark_restored(&adele).await, Constraint::ProxyAddress);
    drop(tx);
    let mut restored = adele.clone();
    restored.proxy_addresses = addresses(&["SMTP:adele@contoso.com"]);
    let mut tx = store.begin().await.unwrap();
    assert!(tx.mark_restored(&restored).await.unwrap());
    assert_eq!(
        tx.release_addresses(adele.id).await.unwrap(),
        0,
        "only deleted users release"
    );
    tx.commit().await.unwrap();
    let mut read = store.read().await.unwrap();
    assert_eq!(read.user(adele.id).await.unwrap(), Some(restored));
    let holders = read.address_holders(&keys).await.unwrap();
    let owners: Vec<_> = holders
        .iter()
        .map(|h| (h.key.as_str(), h.owner_id, h.owner_deleted))
        .collect();
    assert_eq!(
        owners,
        vec![
            ("smtp:adele@contoso.com", adele.id.0, false),
            ("smtp:av@contoso.com", taker.id.0, false)
        ]
    );
    drop(read);

    // The bin lists by deletion time, then id; expired users are left out of it.
    let mut bin: Vec<User> = (0..3).map(|i| user(&format!("gone{i}@contoso.com"), &[])).collect();
    insert(&store, &bin.iter().collect::<Vec<_>>(), &hash).await;
    let when = [at(100), at(200), at(200)];
    let mut tx = store.begin().await.unwrap();
    for (gone, when) in bin.iter().zip(when) {
        assert!(tx.soft_delete_user(gone.id, when, false).await.unwrap());
    }
    tx.commit().await.unwrap();
    bin[1..].sort_by_key(|u| u.id);
    let ids = |page: &[directory::recycle_bin::DeletedUser]| page.iter().map(|d| d.user.id).collect::<Vec<_>>();
    let mut read = store.read().await.unwrap();
    let page = read.deleted_users_page(at(0), None, 2).await.unwrap();
    assert_eq!(ids(&page), vec![bin[0].id, bin[1].id]);
    let cursor = Some((page[1].deleted_at, page[1].user.id));
    assert_eq!(
        ids(&read.deleted_users_page(at(0), cursor, 2).await.unwrap()),
        vec![bin[2].id]
    );
    assert_eq!(
        ids(&read.deleted_users_page(at(100), None, 10).await.unwrap()),
        vec![bin[1].id, bin[2].id]
    );
    assert_eq!(
        read.expired_deleted_users(at(100), None, 10).await.unwrap(),
        vec![bin[0].id]
    );
    let mut expired = read.expired_deleted_users(at(200), None, 10).await.unwrap();
    expired.sort_by_key(|id| id.0);
    let mut due: Vec<_> = bin.iter().map(|u| u.id).collect();
    due.sort_by_key(|id| id.0);
    assert_eq!(expired, due, "in any order: the store's purge order");
    let two = read.expired_deleted_users(at(200), None, 2).await.unwrap();
    assert_eq!(two.len(), 2, "at most the limit");
    assert!(two[0] != two[1] && two.iter().all(|id| due.contains(id)));
    assert!(read.expired_deleted_users(at(99), None, 10).await.unwrap().is_empty());
    assert_eq!(read.count_users().await.unwrap(), 2);
}
