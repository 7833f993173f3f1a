//! Failed password sign-ins per sign-in name, for lockout.

use crate::classify;
use crate::db_time::{self, Stored};
use crate::tx::Conn;
use directory::store::StoreError;
use directory::user::sign_in::SignInFailures;

#[derive(sqlx::FromRow)]
struct FailuresRow {
    key: String,
    failures: i64,
    first_failure_at: Stored,
    locked_until: Option<Stored>,
}

pub(crate) async fn sign_in_failures(c: &mut Conn, key: &str) -> Result<Option<SignInFailures>, StoreError> {
    let row: Option<FailuresRow> =
        sqlx::query_as("SELECT key, failures, first_failure_at, locked_until FROM sign_in_failures WHERE key = $1")
            .bind(key)
            .fetch_optional(&mut *c)
            .await
            .map_err(classify)?;
    row.map(|row| {
        Ok(SignInFailures {
            key: row.key,
            failures: u32::try_from(row.failures).unwrap_or(u32::MAX),
            first_failure_at: db_time::from_db(row.first_failure_at)?,
            locked_until: row.locked_until.map(db_time::from_db).transpose()?,
        })
    })
    .transpose()
}

/// Takes the name's row lock before reading: an upsert that changes nothing makes a
/// concurrent transaction on the same name wait until this one ends (PostgreSQL's READ
/// COMMITTED; SQLite's write transactions run one at a time anyway). A placeholder row
/// without failures is written for a name with none; the caller writes the real count.
pub(crate) async fn lock_sign_in_failures(c: &mut Conn, key: &str) -> Result<Option<SignInFailures>, StoreError> {
    sqlx::query(
        "INSERT INTO sign_in_failures (key, failures, first_failure_at, locked_until) VALUES ($1, 0, $2, NULL) \
         ON CONFLICT (key) DO UPDATE SET failures = sign_in_failures.failures",
    )
    .bind(key)
    .bind(db_time::to_db(directory::clock::Timestamp::UNIX_EPOCH))
    .execute(&mut *c)
    .await
    .map_err(classify)?;
    let found = sign_in_failures(c, key).await?;
    Ok(found.filter(|record| record.failures > 0))
}

pub(crate) async fn put_sign_in_failures(c: &mut Conn, record: &SignInFailures) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO sign_in_failures (key, failures, first_failure_at, locked_until) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, \
         first_failure_at = excluded.first_failure_at, locked_until = excluded.locked_until",
    )
    .bind(record.key.clone())
    .bind(i64::from(record.failures))
    .bind(db_time::to_db(record.first_failure_at))
    .bind(record.locked_until.map(db_time::to_db))
    .execute(&mut *c)
    .await
    .map_err(classify)?;
    Ok(())
}

pub(crate) async fn clear_sign_in_failures(c: &mut Conn, key: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM sign_in_failures WHERE key = $1")
        .bind(key)
        .execute(&mut *c)
        .await
        .map_err(classify)?;
    Ok(())
}

pub(crate) async fn forget_stale_sign_in_failures(
    c: &mut Conn,
    window_start: directory::clock::Timestamp,
    now: directory::clock::Timestamp,
) -> Result<u64, StoreError> {
    let done = sqlx::query(
        "DELETE FROM sign_in_failures WHERE first_failure_at < $1 AND (locked_until IS NULL OR locked_until <= $2)",
    )
    .bind(db_time::to_db(window_start))
    .bind(db_time::to_db(now))
    .execute(&mut *c)
    .await
    .map_err(classify)?;
    Ok(done.rows_affected())
}
