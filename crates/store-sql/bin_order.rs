//! The recycle bin in deletion order, and what a purge leaves in it. On SQLite that order
//! is a table of its own, `recycle_bin` (migration 0013), kept by triggers; a purge job's
//! batches leave their users' entries there and [`forget_purged`] removes them at the end
//! of the run, in the table's order. On PostgreSQL it is the partial index
//! `users_recycle_bin` (a `DELETE` leaves index entries to `VACUUM` anyway).

use crate::recycle_bin::deleted;
use crate::tx::Conn;
use crate::users::{UserRow, load, user_columns};
use crate::{Db, classify, db_time, dialect};
use directory::clock::Timestamp;
use directory::ids::UserId;
use directory::recycle_bin::DeletedUser;
use directory::store::StoreError;
use std::sync::LazyLock;
use uuid::Uuid;

/// The table the deletion order is read from: `recycle_bin`, or `users` through its index.
const BIN: &str = if dialect::BIN_TABLE { "recycle_bin" } else { "users" };

/// How many users deleted at or before `$1` are still there. On SQLite: when `$1` is at or
/// after `left_through`, every entry left behind is among the entries up to `$1`, so those
/// less `left_behind` (always so while the retention stays as it was: a purge run's cutoff
/// is older than any later reader's bound); otherwise each entry up to `$1` is checked to
/// have a user.
const STILL_EXPIRED: &str = if dialect::BIN_TABLE {
    "CASE WHEN $1 >= coalesce((SELECT left_through FROM recycle_bin_purge), $1) \
     THEN (SELECT COUNT(*) FROM recycle_bin WHERE deleted_at <= $1) - (SELECT left_behind FROM recycle_bin_purge) \
     ELSE (SELECT COUNT(*) FROM recycle_bin b WHERE deleted_at <= $1 \
           AND EXISTS (SELECT 1 FROM users x WHERE x.id = b.id)) END"
} else {
    "(SELECT COUNT(*) FROM users WHERE deleted_at IS NOT NULL AND deleted_at <= $1)"
};

/// True for an entry `u` of SQLite's bin table that is a user's, not one the purge left
/// behind: newer than every one left behind, or with a user.
pub(crate) const NOT_LEFT_BEHIND: &str = "(u.deleted_at > coalesce((SELECT left_through FROM recycle_bin_purge), \
     -9223372036854775808) OR EXISTS (SELECT 1 FROM users x WHERE x.id = u.id))";

/// Deleted users deleted after `not_before`, by `(deleted_at, id)`, after the cursor: the
/// page's ids from the bin's order, then their rows. The cursor's bound comes first:
/// SQLite seeks with the first of two lower bounds on `deleted_at`, and a page deep in the
/// bin must not scan it from the start.
pub(crate) async fn deleted_users_page(
    c: &mut Conn,
    not_before: Timestamp,
    after: Option<(Timestamp, UserId)>,
    limit: u32,
) -> Result<Vec<DeletedUser>, StoreError> {
    static FIRST: LazyLock<String> = LazyLock::new(|| page_sql(""));
    static NEXT: LazyLock<String> = LazyLock::new(|| page_sql("deleted_at >= $3 AND (deleted_at, id) > ($3, $4) AND "));
    let query = sqlx::query_as::<Db, UserRow>(if after.is_some() { NEXT.as_str() } else { FIRST.as_str() })
        .bind(db_time::to_db(not_before))
        .bind(i64::from(limit));
    let query = match after {
        Some((at, id)) => query.bind(db_time::to_db(at)).bind(id.0),
        None => query,
    };
    let rows = query.fetch_all(&mut *c).await.map_err(classify)?;
    Ok(load(c, rows).await?.into_iter().filter_map(deleted).collect())
}

/// The statement of [`deleted_users_page`]; `cursor` is the bound on the page's start (or
/// nothing), written before the retention's bound.
pub(crate) fn page_sql(cursor: &str) -> String {
    let live = if dialect::BIN_TABLE {
        format!(" AND {NOT_LEFT_BEHIND}")
    } else {
        String::new()
    };
    format!(
        "SELECT {} FROM users WHERE id IN (SELECT u.id FROM {BIN} u WHERE {cursor}deleted_at IS NOT NULL \
         AND deleted_at > $1{live} ORDER BY deleted_at, id LIMIT $2) ORDER BY deleted_at, id",
        user_columns!()
    )
}

/// How many users were deleted after `not_before`: the bin's size, kept by triggers
/// (migration 0010), less the users deleted at or before `not_before` that are still
/// there (expired, not purged yet: few, see [`STILL_EXPIRED`]), so the 100,000 entries of
/// a full bin are never counted one by one.
pub(crate) async fn count_deleted_users(c: &mut Conn, not_before: Timestamp) -> Result<u64, StoreError> {
    static SQL: LazyLock<String> = LazyLock::new(|| {
        format!(
            "SELECT (SELECT users FROM recycle_bin_size) + {} - ({STILL_EXPIRED})",
            dialect::PENDING_BIN_CHANGE
        )
    });
    let count: i64 = sqlx::query_scalar::<Db, i64>(SQL.as_str())
        .bind(db_time::to_db(not_before))
        .fetch_one(&mut *c)
        .await
        .map_err(classify)?;
    u64::try_from(count).map_err(|e| StoreError::Other(format!("deleted user count {count}: {e}")))
}

/// Ids of users deleted at or before `cutoff`, in [`dialect::PURGE_ORDER`]. SQLite reads its
/// bin's table from just after `after` (the last id of the run's previous call), past the
/// entries the run's batches left behind; PostgreSQL has none and starts over each time.
/// An entry left behind by `purge_users` outside a purge run is listed until
/// [`forget_purged`] (purging it again does nothing): checking each for a user would cost
/// a lookup per due user per call.
pub(crate) async fn expired_deleted_users(
    c: &mut Conn,
    cutoff: Timestamp,
    after: Option<UserId>,
    limit: u32,
) -> Result<Vec<UserId>, StoreError> {
    static SQL: LazyLock<String> = LazyLock::new(|| {
        let after = if dialect::BIN_TABLE { "AND id > $3 " } else { "" };
        format!(
            "SELECT id FROM {BIN} WHERE deleted_at IS NOT NULL AND deleted_at <= $1 {after}ORDER BY {} LIMIT $2",
            dialect::PURGE_ORDER
        )
    });
    let query = sqlx::query_scalar::<Db, Uuid>(SQL.as_str())
        .bind(db_time::to_db(cutoff))
        .bind(i64::from(limit));
    let query = if dialect::BIN_TABLE {
        query.bind(after.map_or(Uuid::nil(), |id| id.0))
    } else {
        query
    };
    let ids = query.fetch_all(&mut *c).await.map_err(classify)?;
    Ok(ids.into_iter().map(UserId).collect())
}

/// Before a purge batch's `DELETE`: its users' entries stay in the bin's table.
pub(crate) async fn begin_purge(c: &mut Conn) -> Result<(), StoreError> {
    if dialect::BIN_TABLE {
        sqlx::query::<Db>("UPDATE recycle_bin_purge SET purging = TRUE")
            .execute(&mut *c)
            .await
            .map_err(classify)?;
    }
    Ok(())
}

/// After a purge batch's `DELETE` of `purged` users deleted at or before `cutoff`: counts
/// the entries they left and ends the batch's exception, before its commit.
pub(crate) async fn end_purge(c: &mut Conn, purged: usize, cutoff: Timestamp) -> Result<(), StoreError> {
    if dialect::BIN_TABLE {
        sqlx::query::<Db>(
            "UPDATE recycle_bin_purge SET purging = FALSE, left_behind = left_behind + $1, \
             left_through = max(coalesce(left_through, $2), $2)",
        )
        .bind(i64::try_from(purged).unwrap_or(i64::MAX))
        .bind(db_time::to_db(cutoff))
        .execute(&mut *c)
        .await
        .map_err(classify)?;
    }
    Ok(())
}

/// Up to `$1` entries left behind, oldest first, each looked up by its key.
pub(crate) const FORGET: &str = "DELETE FROM recycle_bin WHERE (deleted_at, id) IN (SELECT b.deleted_at, b.id \
     FROM recycle_bin b WHERE b.deleted_at <= (SELECT left_through FROM recycle_bin_purge) \
     AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = b.id) ORDER BY b.deleted_at, b.id LIMIT $1)";

/// Removes up to `limit` of the entries purge batches left behind, oldest first (they are
/// the start of the table), and returns how many it removed; fewer than `limit` means
/// none are left. Each is checked to have no user. When none are counted it writes
/// nothing, so a purge run that found no one due leaves the log alone.
pub(crate) async fn forget_purged(c: &mut Conn, limit: u32) -> Result<u64, StoreError> {
    if !dialect::BIN_TABLE {
        return Ok(0);
    }
    let left: i64 = sqlx::query_scalar::<Db, i64>("SELECT left_behind FROM recycle_bin_purge")
        .fetch_one(&mut *c)
        .await
        .map_err(classify)?;
    if left == 0 {
        return Ok(0);
    }
    let removed = sqlx::query::<Db>(FORGET)
        .bind(i64::from(limit))
        .execute(&mut *c)
        .await
        .map_err(classify)?
        .rows_affected();
    let count = if removed < u64::from(limit) {
        sqlx::query::<Db>("UPDATE recycle_bin_purge SET left_behind = 0, left_through = NULL")
    } else {
        sqlx::query::<Db>("UPDATE recycle_bin_purge SET left_behind = max(left_behind - $1, 0)")
            .bind(i64::try_from(removed).unwrap_or(i64::MAX))
    };
    count.execute(&mut *c).await.map_err(classify)?;
    Ok(removed)
}
