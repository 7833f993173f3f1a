//! Replicas' check-ins (`directory::replica`): one row per replica name.

use crate::classify;
use crate::db_time::{self, Stored};
use crate::tx::Conn;
use directory::clock::Timestamp;
use directory::replica::ReplicaSeen;
use directory::store::StoreError;

#[derive(sqlx::FromRow)]
struct ReplicaRow {
    name: String,
    started_at: Stored,
    seen_at: Stored,
}

pub(crate) async fn replica_seen(c: &mut Conn, seen: &ReplicaSeen) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO replicas (name, started_at, seen_at) VALUES ($1, $2, $3) \
         ON CONFLICT (name) DO UPDATE SET started_at = excluded.started_at, seen_at = excluded.seen_at",
    )
    .bind(seen.name.clone())
    .bind(db_time::to_db(seen.started_at))
    .bind(db_time::to_db(seen.seen_at))
    .execute(&mut *c)
    .await
    .map_err(classify)?;
    Ok(())
}

pub(crate) async fn forget_replicas_seen_before(c: &mut Conn, before: Timestamp) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM replicas WHERE seen_at < $1")
        .bind(db_time::to_db(before))
        .execute(&mut *c)
        .await
        .map_err(classify)?;
    Ok(())
}

pub(crate) async fn replicas_seen_since(c: &mut Conn, since: Timestamp) -> Result<Vec<ReplicaSeen>, StoreError> {
    let rows: Vec<ReplicaRow> = sqlx::query_as(
        "SELECT name, started_at, seen_at FROM replicas WHERE seen_at >= $1 ORDER BY seen_at DESC, name",
    )
    .bind(db_time::to_db(since))
    .fetch_all(&mut *c)
    .await
    .map_err(classify)?;
    rows.into_iter()
        .map(|row| {
            Ok(ReplicaSeen {
                name: row.name,
                started_at: db_time::from_db(row.started_at)?,
                seen_at: db_time::from_db(row.seen_at)?,
            })
        })
        .collect()
}
