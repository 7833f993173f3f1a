//! One user's soft delete in one round trip: its groups remembered, a seat of each of its
//! subscriptions freed, its tokens revoked, its addresses released when asked, and the user
//! marked deleted, all only if it is still active.
//!
//! Every write is written once, with a guard: on PostgreSQL, that the one statement's
//! `marked` (the guarded `UPDATE` of the user, in a data-modifying `WITH` the other writes
//! follow) marked a row; SQLite's `WITH` holds only `SELECT`s, so there the writes are
//! statements of one query, run in order with one set of parameters, each guarded by the
//! user still being active, and the `UPDATE` of the user comes last. Either way a user that
//! is gone or deleted already gets none of them. The guard is an uncorrelated `EXISTS`,
//! checked once per statement, so each write still finds its rows by the user's index.

use crate::tx::Conn;
use crate::{Db, classify, db_time, dialect};
use directory::clock::Timestamp;
use directory::ids::UserId;
use directory::store::StoreError;
use std::sync::LazyLock;
use uuid::Uuid;

/// Soft-deletes an active user (`$1`) at `at` (`$2`); false, and nothing written, if no
/// active user has the id.
pub(crate) async fn soft_delete_user(
    c: &mut Conn,
    id: UserId,
    at: Timestamp,
    release_addresses: bool,
) -> Result<bool, StoreError> {
    static SQL: LazyLock<[String; 2]> = LazyLock::new(|| [statement(false), statement(true)]);
    let marked: Vec<Uuid> = sqlx::query_scalar::<Db, Uuid>(SQL[usize::from(release_addresses)].as_str())
        .bind(id.0)
        .bind(db_time::to_db(at))
        .fetch_all(&mut *c)
        .await
        .map_err(classify)?;
    Ok(!marked.is_empty())
}

/// The whole soft delete, for the backend's dialect, returning the id of the user marked.
fn statement(release_addresses: bool) -> String {
    let mark = mark(release_addresses);
    if dialect::DATA_MODIFYING_WITH {
        let writes: Vec<String> = writes("EXISTS (SELECT 1 FROM marked)", release_addresses)
            .into_iter()
            .map(|(name, write)| format!("{name} AS ({write})"))
            .collect();
        format!("WITH marked AS ({mark}), {} SELECT id FROM marked", writes.join(", "))
    } else {
        let active = "EXISTS (SELECT 1 FROM users WHERE id = $1 AND deleted_at IS NULL)";
        let mut statements: Vec<String> = writes(active, release_addresses)
            .into_iter()
            .map(|(_, write)| write)
            .collect();
        statements.push(mark);
        statements.join("; ")
    }
}

/// The guarded `UPDATE` of the user, which releases its addresses with it when asked.
fn mark(release_addresses: bool) -> String {
    let released = if release_addresses {
        ", addresses_released = TRUE"
    } else {
        ""
    };
    format!("UPDATE users SET deleted_at = $2{released} WHERE id = $1 AND deleted_at IS NULL RETURNING id")
}

/// The other writes, named, each on the user `$1`'s rows only while `guard` holds. An
/// active user has no remembered groups (every restore forgets them), so its memberships
/// now are inserted as they are.
fn writes(guard: &str, release_addresses: bool) -> Vec<(&'static str, String)> {
    let mut writes = vec![
        (
            "remembered",
            format!(
                "INSERT INTO former_groups (user_id, group_id, display_name) \
                 SELECT m.user_id, g.id, g.display_name FROM group_members m JOIN groups g ON g.id = m.group_id \
                 WHERE m.user_id = $1 AND {guard}"
            ),
        ),
        (
            "seats",
            format!(
                "UPDATE skus SET consumed_units = consumed_units - 1 WHERE consumed_units > 0 \
                 AND id IN (SELECT sku_id FROM license_assignments WHERE user_id = $1) AND {guard}"
            ),
        ),
        (
            "revoked",
            format!("UPDATE tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL AND {guard}"),
        ),
    ];
    if release_addresses {
        writes.push((
            "released",
            format!("UPDATE proxy_addresses SET reserved = FALSE WHERE user_id = $1 AND reserved AND {guard}"),
        ));
    }
    writes
}
