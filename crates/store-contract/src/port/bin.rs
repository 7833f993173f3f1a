//! Port cases on reading the recycle bin: a page with every detail in one read, and the
//! bin's count kept exact through every change.

use super::{a_password, at, group, insert, sku, user};
use crate::TestDb;
use directory::clock::Timestamp;
use directory::license::LicenseAssignment;
use directory::query::{Condition, Field, Sort, SortKey, UserQuery};
use directory::role::{AdminRole, RoleSet};
use directory::store::Store;
use std::sync::Arc;

async fn bin_count(store: &Arc<dyn Store>, not_before: Timestamp) -> u64 {
    let mut read = store.read().await.unwrap();
    read.count_deleted_users(not_before).await.unwrap()
}

pub async fn a_page_of_the_bin_reads_every_detail_as_the_single_reads_do(db: TestDb) {
    let store = db.store().await;
    let hash = a_password();
    // Names that look like the packed form, non-ASCII ones, and empty lists.
    let mut full = user(
        "full@contoso.com",
        &[
            "SMTP:full@contoso.com",
            "smtp:12@contoso.com",
            "smtp:e.mile@contoso.com",
        ],
    );
    full.display_name = "Full 12:34".into();
    let bare = user("bare@contoso.com", &[]);
    let active = user(
        "active@contoso.com",
        &["SMTP:active@contoso.com", "smtp:a2@contoso.com"],
    );
    let tricky = group("2:ab 10:", None);
    let accented = group("Équipe ☃", None);
    let plain = group("Alpha", None);
    let e3 = sku("ENTERPRISEPACK", 5);
    let ems = sku("EMS", 5);
    let mut tx = store.begin().await.unwrap();
    tx.insert_user(&full, &hash).await.unwrap();
    tx.insert_user(&bare, &hash).await.unwrap();
    tx.insert_user(&active, &hash).await.unwrap();
    tx.assign_role(active.id, AdminRole::GlobalReader).await.unwrap();
    for g in [&tricky, &accented, &plain] {
        tx.insert_group(g).await.unwrap();
        tx.add_member(g.id, full.id).await.unwrap();
    }
    for s in [&e3, &ems] {
        tx.insert_sku(s).await.unwrap();
    }
    let disabled = LicenseAssignment {
        sku_id: e3.id,
        disabled_plans: e3.service_plans.iter().map(|plan| plan.id).collect(),
    };
    let whole = LicenseAssignment {
        sku_id: ems.id,
        disabled_plans: Vec::new(),
    };
    tx.add_license(full.id, &disabled).await.unwrap();
    tx.add_license(full.id, &whole).await.unwrap();
    tx.assign_role(full.id, AdminRole::UserAdministrator).await.unwrap();
    tx.assign_role(full.id, AdminRole::HelpdeskAdministrator).await.unwrap();
    for (n, u) in [&full, &bare].into_iter().enumerate() {
        assert!(
            tx.soft_delete_user(u.id, at(100 + i64::try_from(n).unwrap()), false)
                .await
                .unwrap()
        );
    }
    tx.commit().await.unwrap();

    let mut read = store.read().await.unwrap();
    let query = UserQuery::new(Sort::ascending(SortKey::DeletedDateTime));
    let page = read.find_deleted_users(at(0), &query).await.unwrap();
    let ids: Vec<_> = page.iter().map(|deleted| deleted.user.id).collect();
    assert_eq!(ids, vec![full.id, bare.id]);
    let singles = read.deleted_user_details(&ids).await.unwrap();
    assert!(!singles.contains_key(&bare.id), "users with no details are left out");
    for deleted in page {
        let single = read.deleted_user(deleted.user.id).await.unwrap().unwrap();
        assert_eq!(deleted, single, "the page's user is the single read's");
        let id = deleted.user.id;
        let (one_read, one_details) = read.deleted_user_with_details(id).await.unwrap().unwrap();
        assert_eq!(one_read, single, "the one-statement read's user is the single read's");
        assert_eq!(one_details, singles.get(&id).cloned().unwrap_or_default());
        assert_eq!(one_details.former_groups, read.former_groups(id).await.unwrap());
        assert_eq!(one_details.licenses, read.licenses_of(id).await.unwrap());
        assert_eq!(one_details.roles, read.roles_of(id).await.unwrap());
        assert_eq!(
            read.user_with_roles(id).await.unwrap(),
            None,
            "a deleted user is not active"
        );
    }
    let (found, roles) = read.user_with_roles(active.id).await.unwrap().unwrap();
    assert_eq!(Some(found), read.user(active.id).await.unwrap());
    assert_eq!(roles, RoleSet::new([AdminRole::GlobalReader]));
    assert_eq!(read.deleted_user_with_details(active.id).await.unwrap(), None);
    let full_read = &read.find_deleted_users(at(0), &query).await.unwrap()[0];
    assert_eq!(
        full_read.user.proxy_addresses, full.proxy_addresses,
        "addresses keep their order"
    );
    assert_eq!(full_read.user.display_name, "Full 12:34");
    let details = &read.deleted_user_details(&[full.id]).await.unwrap()[&full.id];
    let names: Vec<&str> = details.former_groups.iter().map(|g| g.display_name.as_str()).collect();
    assert_eq!(names, vec!["2:ab 10:", "Alpha", "Équipe ☃"]);
    let mut licenses = vec![disabled, whole];
    licenses.sort_by_key(|l| l.sku_id.0);
    assert_eq!(details.licenses, licenses);
    assert_eq!(
        details.roles,
        RoleSet::new([AdminRole::UserAdministrator, AdminRole::HelpdeskAdministrator])
    );
}

pub async fn the_bin_count_stays_exact_through_deletes_restores_purges_and_rollbacks(db: TestDb) {
    let store = db.store().await;
    let hash = a_password();
    let users: Vec<_> = (0..6).map(|n| user(&format!("u{n}@contoso.com"), &[])).collect();
    insert(&store, &users.iter().collect::<Vec<_>>(), &hash).await;
    assert_eq!(bin_count(&store, at(0)).await, 0);

    let mut tx = store.begin().await.unwrap();
    for (n, u) in users[..3].iter().enumerate() {
        assert!(
            tx.soft_delete_user(u.id, at(100 * (1 + i64::try_from(n).unwrap())), false)
                .await
                .unwrap()
        );
    }
    assert_eq!(
        tx.count_deleted_users(at(0)).await.unwrap(),
        3,
        "a transaction counts its own changes"
    );
    tx.commit().await.unwrap();
    assert_eq!(bin_count(&store, at(0)).await, 3);
    assert_eq!(bin_count(&store, at(100)).await, 2, "expired users are not counted");
    assert_eq!(bin_count(&store, at(300)).await, 0);

    // A rolled-back savepoint and a dropped transaction change nothing.
    let mut tx = store.begin().await.unwrap();
    tx.savepoint().await.unwrap();
    assert!(tx.soft_delete_user(users[3].id, at(400), false).await.unwrap());
    tx.rollback_to_savepoint().await.unwrap();
    tx.savepoint().await.unwrap();
    assert!(tx.soft_delete_user(users[4].id, at(400), false).await.unwrap());
    tx.release_savepoint().await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    assert!(tx.soft_delete_user(users[3].id, at(400), false).await.unwrap());
    drop(tx);
    assert_eq!(bin_count(&store, at(0)).await, 4);

    // Restores, one and many; a purge, one and batched.
    let mut tx = store.begin().await.unwrap();
    assert!(tx.mark_restored(&users[1]).await.unwrap());
    tx.commit().await.unwrap();
    assert_eq!(bin_count(&store, at(0)).await, 3);
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.mark_restored_all(&users[1..3]).await.unwrap(), 1);
    tx.commit().await.unwrap();
    assert_eq!(bin_count(&store, at(0)).await, 2);
    let mut tx = store.begin().await.unwrap();
    assert!(tx.purge_user(users[0].id, None).await.unwrap());
    assert!(tx.soft_delete_user(users[5].id, at(500), false).await.unwrap());
    tx.commit().await.unwrap();
    assert_eq!(bin_count(&store, at(0)).await, 2);
    let mut tx = store.begin().await.unwrap();
    let purged = tx.purge_users(&[users[4].id, users[5].id], at(450)).await.unwrap();
    assert_eq!(purged.len(), 1, "only the expired one");
    tx.commit().await.unwrap();
    assert_eq!(bin_count(&store, at(0)).await, 1);
    assert_eq!(bin_count(&store, at(500)).await, 0);

    // Another process sees the same count.
    let other = db.store().await;
    assert_eq!(bin_count(&other, at(0)).await, 1);
    let mut read = other.read().await.unwrap();
    assert_eq!(
        read.count_found_deleted_users(at(0), &directory::query::Condition::everything())
            .await
            .unwrap(),
        1
    );
}

/// A filtered page first looks at a window of the bin in the page's order and reads every
/// match only when the window holds too few: both ways must give the same page. The bin
/// here is larger than that window (2,000 entries): "Often" users are every tenth, so a
/// page of them fills from the window; "Rare" users were deleted after all others, so only
/// the second way finds them from the front, and the window finds them from the back.
pub async fn a_filtered_page_is_the_same_whether_the_window_holds_it_or_not(db: TestDb) {
    let store = db.store().await;
    let hash = a_password();
    let users: Vec<_> = (0..2300)
        .map(|n| {
            let mut u = user(&format!("u{n:04}@contoso.com"), &[]);
            u.display_name = match n {
                n if n >= 2200 => format!("Rare {n:04}"),
                n if n % 10 == 0 => format!("Often {n:04}"),
                n => format!("Other {n:04}"),
            };
            u
        })
        .collect();
    insert(&store, &users.iter().collect::<Vec<_>>(), &hash).await;
    let mut tx = store.begin().await.unwrap();
    for (n, u) in users.iter().enumerate() {
        let when = at(1000 + i64::try_from(n).unwrap());
        assert!(tx.soft_delete_user(u.id, when, false).await.unwrap());
    }
    tx.commit().await.unwrap();

    // Deletion times, display names and user names all sort as the users' numbers do.
    let expected = |prefix: &str, descending: bool, limit: usize| {
        let mut found: Vec<_> = users.iter().filter(|u| u.display_name.starts_with(prefix)).collect();
        if descending {
            found.reverse();
        }
        found.into_iter().take(limit).map(|u| u.id).collect::<Vec<_>>()
    };
    let mut read = store.read().await.unwrap();
    for (prefix, limit) in [
        ("Often", 101),
        ("Often", 230),
        ("Rare", 50),
        ("Rare", 100),
        ("Nobody", 10),
    ] {
        for key in [
            SortKey::DeletedDateTime,
            SortKey::DisplayName,
            SortKey::UserPrincipalName,
        ] {
            for descending in [false, true] {
                let sort = if descending {
                    Sort::descending(key)
                } else {
                    Sort::ascending(key)
                };
                let mut query = UserQuery::new(sort);
                query.condition = Condition::starts_with(Field::DisplayName, prefix).unwrap();
                query.limit = u32::try_from(limit).unwrap();
                let page = read.find_deleted_users(at(0), &query).await.unwrap();
                let ids: Vec<_> = page.iter().map(|deleted| deleted.user.id).collect();
                assert_eq!(
                    ids,
                    expected(prefix, descending, limit),
                    "{prefix} by {key:?}, descending {descending}, {limit} at most"
                );
            }
        }
    }
}
