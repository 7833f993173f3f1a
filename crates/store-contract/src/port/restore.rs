//! Port cases on the one-at-a-time restore's reads and writes: the deleted user read with
//! everything a restore needs in one call, and the restore written from what was read,
//! whether or not the row changed since.

use super::{a_password, addresses, assert_conflict, at, delete, group, insert, user};
use crate::TestDb;
use directory::store::{Constraint, Store};
use directory::user::User;
use std::sync::Arc;

/// Who holds each of `user`'s address keys: `(key, owner id, owner deleted)`, by key.
async fn holders_of(store: &Arc<dyn Store>, user: &User) -> Vec<(String, uuid::Uuid, bool)> {
    let mut read = store.read().await.unwrap();
    let holders = read.address_holders(&user.proxy_addresses.keys()).await.unwrap();
    holders
        .into_iter()
        .map(|holder| (holder.key, holder.owner_id, holder.owner_deleted))
        .collect()
}

/// The keys of `user`'s addresses, held by `user` while active, in key order.
fn held_by_active(user: &User) -> Vec<(String, uuid::Uuid, bool)> {
    let mut keys = user.proxy_addresses.keys();
    keys.sort();
    keys.into_iter().map(|key| (key, user.id.0, false)).collect()
}

pub async fn a_restore_reads_its_user_with_details_and_current_groups_in_one_read(db: TestDb) {
    let store = db.store().await;
    let hash = a_password();
    let member = user("member@contoso.com", &["SMTP:member@contoso.com"]);
    let loner = user("loner@contoso.com", &[]);
    let (zulu, alpha, gone) = (group("Zulu", None), group("alpha", None), group("Gone", None));
    insert(&store, &[&member, &loner], &hash).await;
    let mut tx = store.begin().await.unwrap();
    for g in [&zulu, &alpha, &gone] {
        tx.insert_group(g).await.unwrap();
        tx.add_member(g.id, member.id).await.unwrap();
    }
    assert!(tx.soft_delete_user(member.id, at(10), false).await.unwrap());
    assert!(tx.delete_group(gone.id).await.unwrap());
    tx.commit().await.unwrap();
    delete(&store, loner.id, at(11)).await;

    let mut read = store.read().await.unwrap();
    for id in [member.id, loner.id] {
        let one = read.deleted_user_to_restore(id).await.unwrap().unwrap();
        let (deleted, details) = read.deleted_user_with_details(id).await.unwrap().unwrap();
        assert_eq!((one.deleted, one.details), (deleted, details));
        assert_eq!(
            one.groups,
            read.groups_of(id).await.unwrap(),
            "current groups, in order"
        );
    }
    let one = read.deleted_user_to_restore(member.id).await.unwrap().unwrap();
    let names: Vec<&str> = one.groups.iter().map(|g| g.display_name.as_str()).collect();
    assert_eq!(names, vec!["Zulu", "alpha"], "the deleted group is gone, byte order");
    assert_eq!(one.details.former_groups.len(), 3, "remembered with the deleted one");
    let loner_read = read.deleted_user_to_restore(loner.id).await.unwrap().unwrap();
    assert_eq!(loner_read.groups, vec![]);
    assert!(!loner_read.own_upn_held, "no one holds loner's UPN");
    drop(read);
    let squatter = user("LONER@contoso.com", &[]);
    insert(&store, &[&squatter], &hash).await;
    let mut read = store.read().await.unwrap();
    let loner_read = read.deleted_user_to_restore(loner.id).await.unwrap().unwrap();
    assert!(loner_read.own_upn_held, "an active user holds loner's UPN, in any case");
    let active = user("active@contoso.com", &[]);
    drop(read);
    insert(&store, &[&active], &hash).await;
    let mut read = store.read().await.unwrap();
    assert_eq!(read.deleted_user_to_restore(active.id).await.unwrap(), None);
}

pub async fn a_restore_from_what_was_read_writes_the_user_back_whatever_changed(db: TestDb) {
    let store = db.store().await;
    let hash = a_password();
    let kept = user("kept@contoso.com", &["SMTP:kept@contoso.com", "smtp:k2@contoso.com"]);
    let released = user("released@contoso.com", &["SMTP:released@contoso.com"]);
    let trimmed = user(
        "trimmed@contoso.com",
        &["SMTP:trimmed@contoso.com", "smtp:t2@contoso.com"],
    );
    let raced = user("raced@contoso.com", &["SMTP:raced@contoso.com"]);
    let renewed = user("renewed@contoso.com", &["SMTP:renewed@contoso.com"]);
    let team = group("Team", None);
    let everyone = [&kept, &released, &trimmed, &raced, &renewed];
    insert(&store, &everyone, &hash).await;
    let mut tx = store.begin().await.unwrap();
    tx.insert_group(&team).await.unwrap();
    tx.add_member(team.id, kept.id).await.unwrap();
    for u in everyone {
        assert!(tx.soft_delete_user(u.id, at(10), false).await.unwrap());
    }
    assert_eq!(tx.release_addresses(released.id).await.unwrap(), 1);
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    let mut reads = Vec::new();
    for u in everyone {
        reads.push(tx.deleted_user_to_restore(u.id).await.unwrap().unwrap());
    }
    // Changed since the read, in this transaction: released, and restored then deleted again.
    assert_eq!(tx.release_addresses(raced.id).await.unwrap(), 1);
    assert!(tx.mark_restored(&renewed).await.unwrap());
    assert!(tx.soft_delete_user(renewed.id, at(20), false).await.unwrap());
    let mut back = trimmed.clone();
    back.proxy_addresses = addresses(&["SMTP:trimmed@contoso.com"]);
    let restored = [&kept, &released, &back, &raced, &renewed];
    for (read, u) in reads.iter().zip(restored) {
        assert!(tx.mark_read_user_restored(read, u).await.unwrap(), "{}", u.upn);
    }
    assert!(
        !tx.mark_read_user_restored(&reads[0], &kept).await.unwrap(),
        "active already"
    );
    tx.commit().await.unwrap();

    let mut read = store.read().await.unwrap();
    for u in restored {
        assert_eq!(read.user(u.id).await.unwrap().as_ref(), Some(u));
        assert_eq!(read.former_groups(u.id).await.unwrap(), vec![], "{} forgets", u.upn);
    }
    assert_eq!(read.groups_of(kept.id).await.unwrap().len(), 1);
    drop(read);
    for u in restored {
        assert_eq!(holders_of(&store, u).await, held_by_active(u), "{} holds", u.upn);
    }
    assert_eq!(
        holders_of(&store, &trimmed).await.len(),
        1,
        "the dropped address is free"
    );
}

pub async fn a_restore_from_what_was_read_conflicts_on_a_taken_address(db: TestDb) {
    let store = db.store().await;
    let hash = a_password();
    let adele = user("adele@contoso.com", &["SMTP:adele@contoso.com", "smtp:av@contoso.com"]);
    insert(&store, &[&adele], &hash).await;
    delete(&store, adele.id, at(10)).await;
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.release_addresses(adele.id).await.unwrap(), 2);
    tx.commit().await.unwrap();
    insert(&store, &[&user("alex@contoso.com", &["SMTP:av@contoso.com"])], &hash).await;

    let mut tx = store.begin().await.unwrap();
    let read = tx.deleted_user_to_restore(adele.id).await.unwrap().unwrap();
    assert_conflict(
        tx.mark_read_user_restored(&read, &adele).await,
        Constraint::ProxyAddress,
    );
}
