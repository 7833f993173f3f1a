//! Rows written before the query keys existed (migration 0002) get them computed in Rust
//! when the store next opens, once, even when two processes open it at the same time.

use directory::address::{EmailAddress, ProxyAddresses};
use directory::password::{self, Password};
use directory::query::{Comparison, Condition, Field, Sort, SortKey, UserQuery, Value};
use directory::store::Store;
use directory::upn::UserPrincipalName;
use directory::user::User;
use sqlx::AssertSqlSafe;
use store_postgres::PgStore;
use time::macros::datetime;

const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_of_older_rows_are_filled_in_rust_when_the_store_opens() {
    let url = std::env::var("ROSTER_TEST_DATABASE_URL").unwrap_or_else(|_| DEFAULT_URL.to_owned());
    let schema = format!("roster_rekey_{}", uuid::Uuid::new_v4().simple());
    let store = PgStore::connect_in_schema(&url, &schema).await.unwrap();
    let upn = UserPrincipalName::parse("emile@contoso.com").unwrap();
    let mut emile = User::new(upn, "Émile Zola", datetime!(2026-01-05 09:00:00 UTC));
    emile.proxy_addresses = ProxyAddresses::with_primary(EmailAddress::parse("Emile.Zola@contoso.com").unwrap());
    let hash = password::hash(&Password::parse("correct horse battery staple", None).unwrap());
    let mut tx = store.begin().await.unwrap();
    tx.insert_user(&emile, &hash).await.unwrap();
    tx.commit().await.unwrap();
    drop(store);

    // As an older row would be: a key folded differently, no mail key, and the marker.
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    for statement in [
        format!("UPDATE {schema}.users SET display_name_key = 'Émile zola', mail_key = NULL"),
        format!("INSERT INTO {schema}.users_rekey_pending (singleton) VALUES (1)"),
    ] {
        sqlx::query(AssertSqlSafe(statement)).execute(&pool).await.unwrap();
    }

    let (first, second) = tokio::join!(
        PgStore::connect_in_schema(&url, &schema),
        PgStore::connect_in_schema(&url, &schema)
    );
    let mut query = UserQuery::new(Sort::ascending(SortKey::DisplayName));
    query.condition = Condition::starts_with(Field::DisplayName, "ÉMILE")
        .unwrap()
        .and(Condition::compare(Field::Mail, Comparison::Eq, Value::text("emile.zola@contoso.com")).unwrap());
    for store in [first.unwrap(), second.unwrap()] {
        let mut read = store.read().await.unwrap();
        assert_eq!(read.find_users(&query).await.unwrap(), vec![emile.clone()]);
    }
    let statement = format!("DROP SCHEMA IF EXISTS {schema} CASCADE");
    let _ = sqlx::query(AssertSqlSafe(statement)).execute(&pool).await;
    pool.close().await;
}
