//! Port cases on purging: once only, even between racing processes, and with every cascade.

use super::{a_password, at, delete, group, is_other_conflict, sku, token, user};
use crate::TestDb;
use directory::group::GroupRef;
use directory::license::LicenseAssignment;
use directory::role::AdminRole;
use directory::store::Store;
use directory::token::TokenSubject;
use std::sync::Arc;

pub async fn purge_deletes_once_and_cascades(db: TestDb) {
    let store = db.store().await;
    let hash = a_password();
    let boss = user("boss@contoso.com", &["SMTP:boss@contoso.com", "smtp:chief@contoso.com"]);
    let mut report = user("report@contoso.com", &["SMTP:report@contoso.com"]);
    report.manager_id = Some(boss.id);
    let team = group("Team", Some("team@contoso.com"));
    let e3 = sku("ENTERPRISEPACK", 5);
    let boss_token = token("boss laptop", TokenSubject::User(boss.id));
    let mut tx = store.begin().await.unwrap();
    tx.insert_user(&boss, &hash).await.unwrap();
    tx.insert_user(&report, &hash).await.unwrap();
    tx.insert_group(&team).await.unwrap();
    tx.add_member(team.id, boss.id).await.unwrap();
    tx.add_member(team.id, report.id).await.unwrap();
    tx.add_owner(team.id, boss.id).await.unwrap();
    tx.assign_role(boss.id, AdminRole::GlobalAdministrator).await.unwrap();
    tx.insert_sku(&e3).await.unwrap();
    let license = LicenseAssignment {
        sku_id: e3.id,
        disabled_plans: Vec::new(),
    };
    tx.add_license(boss.id, &license).await.unwrap();
    tx.insert_token(&boss_token).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    assert!(is_other_conflict(&tx.add_member(team.id, boss.id).await));
    drop(tx);

    let mut tx = store.begin().await.unwrap();
    assert!(tx.soft_delete_user(boss.id, at(100), false).await.unwrap());
    tx.commit().await.unwrap();

    // Deleted, the boss keeps everything but counts nowhere.
    let team_ref = GroupRef {
        id: team.id,
        display_name: "Team".into(),
    };
    let mut read = store.read().await.unwrap();
    assert_eq!(read.former_groups(boss.id).await.unwrap(), vec![team_ref.clone()]);
    assert_eq!(read.groups_of(boss.id).await.unwrap(), vec![team_ref.clone()]);
    let mut members = vec![report.id];
    assert_eq!(read.group_members(team.id).await.unwrap(), members);
    assert!(read.group_owners(team.id).await.unwrap().is_empty());
    assert!(
        read.role_holders(AdminRole::GlobalAdministrator)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        read.roles_of(boss.id)
            .await
            .unwrap()
            .contains(AdminRole::GlobalAdministrator)
    );
    assert_eq!(read.licenses_of(boss.id).await.unwrap(), vec![license.clone()]);
    assert_eq!(read.user(report.id).await.unwrap().unwrap().manager_id, Some(boss.id));
    drop(read);

    // Not yet expired at the cut-off; an uncommitted purge leaves it alone.
    let mut tx = store.begin().await.unwrap();
    assert!(!tx.purge_user(boss.id, Some(at(99))).await.unwrap());
    assert!(
        !tx.purge_user(report.id, None).await.unwrap(),
        "active users are never purged"
    );
    assert!(tx.purge_user(boss.id, Some(at(100))).await.unwrap());
    drop(tx);
    assert!(
        store
            .read()
            .await
            .unwrap()
            .deleted_user(boss.id)
            .await
            .unwrap()
            .is_some()
    );

    let mut tx = store.begin().await.unwrap();
    assert!(tx.purge_user(boss.id, None).await.unwrap());
    assert!(!tx.purge_user(boss.id, None).await.unwrap());
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    assert!(!tx.purge_user(boss.id, None).await.unwrap());
    drop(tx);

    let mut read = store.read().await.unwrap();
    assert_eq!(read.deleted_user(boss.id).await.unwrap(), None);
    assert_eq!(read.user(report.id).await.unwrap().unwrap().manager_id, None);
    assert!(read.former_groups(boss.id).await.unwrap().is_empty());
    assert!(read.groups_of(boss.id).await.unwrap().is_empty());
    assert_eq!(read.groups_of(report.id).await.unwrap(), vec![team_ref]);
    assert!(read.roles_of(boss.id).await.unwrap().is_empty());
    assert!(read.licenses_of(boss.id).await.unwrap().is_empty());
    assert_eq!(read.token_by_hash(&boss_token.hash).await.unwrap(), None);
    assert!(
        read.address_holders(&boss.proxy_addresses.keys())
            .await
            .unwrap()
            .is_empty()
    );
    drop(read);
    let mut tx = store.begin().await.unwrap();
    let heir = user("heir@contoso.com", &["SMTP:boss@contoso.com"]);
    tx.insert_user(&heir, &hash).await.unwrap();
    tx.add_owner(team.id, heir.id).await.unwrap();
    tx.add_member(team.id, heir.id).await.unwrap();
    tx.commit().await.unwrap();
    members.push(heir.id);
    members.sort();
    let mut read = store.read().await.unwrap();
    assert_eq!(read.group_members(team.id).await.unwrap(), members);
    assert_eq!(read.group_owners(team.id).await.unwrap(), vec![heir.id]);
    drop(read);

    // Two processes purging the same user: exactly one does it.
    delete(&store, report.id, at(200)).await;
    let (first, second) = (db.store().await, db.store().await);
    let target = report.id;
    let purge = move |store: Arc<dyn Store>| async move {
        let mut tx = store.begin().await.unwrap();
        let purged = tx.purge_user(target, None).await.unwrap();
        tx.commit().await.unwrap();
        purged
    };
    let (a, b) = tokio::join!(purge(first), purge(second));
    assert!(a ^ b, "exactly one of two racing purges deletes the user ({a}, {b})");
    assert_eq!(store.read().await.unwrap().deleted_user(report.id).await.unwrap(), None);
}

/// A read is one snapshot: a purge that commits between two of its statements changes
/// none of what it sees, so a deleted user is never read without its groups, licences
/// and addresses.
pub async fn a_read_sees_one_snapshot_while_a_purge_commits(db: TestDb) {
    let store = db.store().await;
    let gone = user("gone@contoso.com", &["SMTP:gone@contoso.com"]);
    let team = group("Team", None);
    let e3 = sku("ENTERPRISEPACK", 5);
    let license = LicenseAssignment {
        sku_id: e3.id,
        disabled_plans: Vec::new(),
    };
    let mut tx = store.begin().await.unwrap();
    tx.insert_user(&gone, &a_password()).await.unwrap();
    tx.insert_group(&team).await.unwrap();
    tx.add_member(team.id, gone.id).await.unwrap();
    tx.insert_sku(&e3).await.unwrap();
    tx.add_license(gone.id, &license).await.unwrap();
    assert!(tx.soft_delete_user(gone.id, at(100), false).await.unwrap());
    tx.commit().await.unwrap();

    let mut read = store.read().await.unwrap();
    assert!(read.deleted_user(gone.id).await.unwrap().is_some());
    let mut tx = db.store().await.begin().await.unwrap();
    assert!(tx.purge_user(gone.id, None).await.unwrap());
    tx.commit().await.unwrap();
    assert_eq!(read.former_groups(gone.id).await.unwrap().len(), 1);
    assert_eq!(read.licenses_of(gone.id).await.unwrap(), vec![license]);
    let keys = gone.proxy_addresses.keys();
    assert_eq!(read.address_holders(&keys).await.unwrap().len(), 1);
    assert!(read.deleted_user(gone.id).await.unwrap().is_some());
    drop(read);
    let mut fresh = store.read().await.unwrap();
    assert_eq!(
        fresh.deleted_user(gone.id).await.unwrap(),
        None,
        "a new read sees the purge"
    );
    assert!(fresh.address_holders(&keys).await.unwrap().is_empty());
}

/// What a batched purge leaves for later (SQLite keeps the purged users' entries in its
/// bin's order until `forget_purged`) never shows: the pages in every shape, the counts and,
/// once forgotten, the due list are those of the users still there, also for a reader
/// whose retention reaches back past the purge's cutoff.
pub async fn what_a_purge_leaves_for_later_never_shows_and_is_forgotten(db: TestDb) {
    use directory::ids::UserId;
    use directory::query::{Comparison, Condition, Field, Sort, SortKey, UserQuery, Value};
    let store = db.store().await;
    let hash = a_password();
    let mut users: Vec<_> = (0..4).map(|n| user(&format!("gone{n}@contoso.com"), &[])).collect();
    for (n, u) in users.iter_mut().enumerate() {
        u.job_title = Some(format!("Title {}", n % 2));
    }
    let mut tx = store.begin().await.unwrap();
    for (n, u) in users.iter().enumerate() {
        tx.insert_user(u, &hash).await.unwrap();
        let when = at(100 * (i64::try_from(n).unwrap() + 1));
        assert!(tx.soft_delete_user(u.id, when, false).await.unwrap());
    }
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    let purged = tx.purge_users(&[users[0].id, users[1].id], at(250)).await.unwrap();
    assert_eq!(purged.len(), 2);
    tx.commit().await.unwrap();

    let left: Vec<UserId> = vec![users[2].id, users[3].id];
    let title = Condition::compare(Field::JobTitle, Comparison::Ne, Value::Null).unwrap();
    let name = Condition::starts_with(Field::DisplayName, "user gone").unwrap();
    let mut read = store.read().await.unwrap();
    // Pages of two: an entry left behind taking a place would leave one short.
    for not_before in [at(0), at(250)] {
        let page = read.deleted_users_page(not_before, None, 2).await.unwrap();
        assert_eq!(page.iter().map(|d| d.user.id).collect::<Vec<_>>(), left);
        assert_eq!(read.count_deleted_users(not_before).await.unwrap(), 2);
        for condition in [Condition::everything(), title.clone(), name.clone()] {
            let mut query = UserQuery::new(Sort::ascending(SortKey::DeletedDateTime));
            query.condition = condition.clone();
            query.limit = 2;
            let found = read.find_deleted_users(not_before, &query).await.unwrap();
            assert_eq!(
                found.iter().map(|d| d.user.id).collect::<Vec<_>>(),
                left,
                "{condition:?}"
            );
            let counted = read.count_found_deleted_users(not_before, &condition).await.unwrap();
            assert_eq!(counted, 2, "{condition:?}");
        }
    }
    drop(read);

    let mut tx = store.begin_redoable().await.unwrap();
    let forgotten = tx.forget_purged(1).await.unwrap();
    let rest = tx.forget_purged(10).await.unwrap();
    tx.commit().await.unwrap();
    let expected = if db.is_sqlite().await { (1, 1) } else { (0, 0) };
    assert_eq!((forgotten, rest), expected, "SQLite forgets the two, one at a time");
    let mut read = store.read().await.unwrap();
    assert_eq!(
        read.expired_deleted_users(at(300), None, 10).await.unwrap(),
        vec![users[2].id]
    );
    assert_eq!(read.count_deleted_users(at(0)).await.unwrap(), 2);
    assert_eq!(read.count_deleted_users(at(300)).await.unwrap(), 1);
    let page = read.deleted_users_page(at(0), None, 10).await.unwrap();
    assert_eq!(page.iter().map(|d| d.user.id).collect::<Vec<_>>(), left);
}
