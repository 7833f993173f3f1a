//! Rows written before the query keys existed (migration 0002) get them computed in Rust
//! when the store next opens: the migration leaves a marker, and opening consumes it.

use directory::address::{EmailAddress, ProxyAddresses};
use directory::password::{self, Password};
use directory::query::{Comparison, Condition, Field, Sort, SortKey, UserQuery, Value};
use directory::upn::UserPrincipalName;
use directory::user::User;
use sqlx::sqlite::SqliteConnectOptions;
use store_sqlite::SqliteStore;
use time::macros::datetime;

#[tokio::test]
async fn keys_of_older_rows_are_filled_in_rust_when_the_store_opens() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("roster.db");
    let store = SqliteStore::open(&path).await.unwrap();
    let upn = UserPrincipalName::parse("emile@contoso.com").unwrap();
    let mut emile = User::new(upn, "Émile Zola", datetime!(2026-01-05 09:00:00 UTC));
    emile.proxy_addresses = ProxyAddresses::with_primary(EmailAddress::parse("Emile.Zola@contoso.com").unwrap());
    let hash = password::hash(&Password::parse("correct horse battery staple", None).unwrap());
    let mut tx = directory::store::Store::begin(&store).await.unwrap();
    tx.insert_user(&emile, &hash).await.unwrap();
    tx.commit().await.unwrap();
    drop(store);

    // As an older row would be: keys SQLite's lower() would make (ASCII only), no mail key,
    // and the marker migration 0002 leaves.
    let pool = sqlx::SqlitePool::connect_with(SqliteConnectOptions::new().filename(&path))
        .await
        .unwrap();
    sqlx::query("UPDATE users SET display_name_key = 'Émile zola', mail_key = NULL")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("INSERT INTO users_rekey_pending (singleton) VALUES (1)")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;

    let store = SqliteStore::open(&path).await.unwrap();
    let mut query = UserQuery::new(Sort::ascending(SortKey::DisplayName));
    query.condition = Condition::starts_with(Field::DisplayName, "ÉMILE")
        .unwrap()
        .and(Condition::compare(Field::Mail, Comparison::Eq, Value::text("emile.zola@contoso.com")).unwrap());
    let mut read = directory::store::Store::read(&store).await.unwrap();
    let found = read.find_users(&query).await.unwrap();
    assert_eq!(found, vec![emile]);
}
