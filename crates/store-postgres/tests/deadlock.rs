//! A real deadlock between two transactions (T07): PostgreSQL aborts one with 40P01, the
//! port reports it as `Unavailable` (which every protocol answers with 503 and
//! `Retry-After`, so the client retries), the other commits, and nothing of the aborted
//! one remains: no half-written change, no duplicate.

mod support;

use directory::store::{Store, StoreError};
use directory::user::User;
use store_postgres::PgStore;

fn renamed(user: &User, name: &str) -> User {
    let mut user = user.clone();
    user.display_name = name.to_owned();
    user
}

#[tokio::test]
async fn a_deadlock_aborts_one_transaction_as_unavailable_and_the_other_commits() {
    let schema = support::fresh_schema();
    let store = PgStore::connect_in_schema(&support::url(), &schema).await.unwrap();
    let [a, b] = <[User; 2]>::try_from(support::users(&store, &["a", "b"]).await).unwrap();

    let mut first = store.begin().await.unwrap();
    let mut second = store.begin().await.unwrap();
    first.update_user(&renamed(&a, "A by first")).await.unwrap();
    second.update_user(&renamed(&b, "B by second")).await.unwrap();
    let crossing_first = async {
        first.update_user(&renamed(&b, "B by first")).await?;
        first.commit().await
    };
    let crossing_second = async {
        second.update_user(&renamed(&a, "A by second")).await?;
        second.commit().await
    };
    let (one, other) = tokio::join!(crossing_first, crossing_second);
    let (winner, names) = match (&one, &other) {
        (Ok(()), Err(StoreError::Unavailable(_))) => ("first", ["A by first", "B by first"]),
        (Err(StoreError::Unavailable(_)), Ok(())) => ("second", ["A by second", "B by second"]),
        _ => panic!("want one commit and one Unavailable: {one:?} / {other:?}"),
    };
    let mut read = store.read().await.unwrap();
    let a_now = read.user(a.id).await.unwrap().unwrap();
    let b_now = read.user(b.id).await.unwrap().unwrap();
    assert_eq!(
        [a_now.display_name.as_str(), b_now.display_name.as_str()],
        names,
        "{winner} won"
    );
    assert_eq!(read.count_users().await.unwrap(), 2);
    drop(read);
    support::drop_schema(&schema).await;
}
