//! A real deadlock between two transactions (T07): PostgreSQL aborts one with 40P01, the
//! port reports it as `Unavailable` (which every protocol answers with 503 and
//! `Retry-After`, so the client retries), the other commits, and nothing of the aborted
//! one remains: no half-written change, no duplicate.

use directory::password::{self, Password};
use directory::store::{Store, StoreError};
use directory::upn::UserPrincipalName;
use directory::user::User;
use store_postgres::PgStore;
use time::macros::datetime;

fn url() -> String {
    std::env::var("ROSTER_TEST_DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

fn renamed(user: &User, name: &str) -> User {
    let mut user = user.clone();
    user.display_name = name.to_owned();
    user
}

#[tokio::test]
async fn a_deadlock_aborts_one_transaction_as_unavailable_and_the_other_commits() {
    let schema = format!("roster_t_{}", uuid::Uuid::new_v4().simple());
    let store = PgStore::connect_in_schema(&url(), &schema).await.unwrap();
    let hash = password::hash(&Password::parse("a long enough passphrase", None).unwrap());
    let created = datetime!(2026-01-05 09:00:00 UTC);
    let a = User::new(UserPrincipalName::parse("a@contoso.com").unwrap(), "A", created);
    let b = User::new(UserPrincipalName::parse("b@contoso.com").unwrap(), "B", created);
    let mut tx = store.begin().await.unwrap();
    tx.insert_user(&a, &hash).await.unwrap();
    tx.insert_user(&b, &hash).await.unwrap();
    tx.commit().await.unwrap();

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
    let pool = sqlx::PgPool::connect(&url()).await.unwrap();
    let drop_schema = format!("DROP SCHEMA {schema} CASCADE");
    sqlx::query(sqlx::AssertSqlSafe(drop_schema))
        .execute(&pool)
        .await
        .unwrap();
}
