//! What the PostgreSQL-only tests share: the test database, a schema of their own, users
//! written through the port, and dropping the schema afterwards.

use directory::password::{self, Password};
use directory::store::Store;
use directory::upn::UserPrincipalName;
use directory::user::User;
use store_postgres::PgStore;
use time::macros::datetime;

pub(crate) fn url() -> String {
    std::env::var("ROSTER_TEST_DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// A fresh schema's name, for [`PgStore::connect_in_schema`] and [`drop_schema`].
pub(crate) fn fresh_schema() -> String {
    format!("roster_t_{}", uuid::Uuid::new_v4().simple())
}

/// Writes one user per `local@contoso.com` name, all in one transaction.
#[allow(dead_code)] // `failpoint.rs` creates its users through the use cases
pub(crate) async fn users(store: &PgStore, locals: &[&str]) -> Vec<User> {
    let hash = password::hash(&Password::parse("a long enough passphrase", None).unwrap());
    let created = datetime!(2026-01-05 09:00:00 UTC);
    let mut tx = store.begin().await.unwrap();
    let mut written = Vec::new();
    for local in locals {
        let upn = UserPrincipalName::parse(&format!("{local}@contoso.com")).unwrap();
        let user = User::new(upn, &local.to_uppercase(), created);
        tx.insert_user(&user, &hash).await.unwrap();
        written.push(user);
    }
    tx.commit().await.unwrap();
    written
}

pub(crate) async fn drop_schema(schema: &str) {
    let pool = sqlx::PgPool::connect(&url()).await.unwrap();
    let statement = format!("DROP SCHEMA {schema} CASCADE");
    sqlx::query(sqlx::AssertSqlSafe(statement))
        .execute(&pool)
        .await
        .unwrap();
}
