//! The recycle bin: deleted users, their remembered groups, address reservations, and the
//! delete, release, restore and purge writes.

use crate::codec::{corrupt, role_from_text, uuids_from_text};
use crate::db_time;
use crate::tx::Conn;
use crate::users::{
    LoadedUser, UserRow, insert_addresses, load, load_one, push_properties, replace_addresses, rewrite,
    user_assignments, user_columns,
};
use crate::{Db, classify};
use directory::address::{OwnerKind, ProxyAddresses};
use directory::clock::Timestamp;
use directory::group::GroupRef;
use directory::ids::{GroupId, SkuId, UserId};
use directory::license::LicenseAssignment;
use directory::recycle_bin::{DeletedUser, DeletedUserDetails};
use directory::store::{AddressHolder, PurgedUser, StoreError};
use directory::upn::UserPrincipalName;
use directory::user::User;
use sqlx::QueryBuilder;
use std::collections::HashMap;
use uuid::Uuid;

/// The deleted user a loaded row is, if it is deleted.
pub(crate) fn deleted(loaded: LoadedUser) -> Option<DeletedUser> {
    Some(DeletedUser {
        user: loaded.user,
        deleted_at: loaded.deleted_at?,
        addresses_released: loaded.addresses_released,
    })
}

/// A deleted user.
pub(crate) async fn deleted_user(c: &mut Conn, id: UserId) -> Result<Option<DeletedUser>, StoreError> {
    let row = sqlx::query_as::<Db, UserRow>(concat!(
        "SELECT ",
        user_columns!(),
        " FROM users WHERE id = $1 AND deleted_at IS NOT NULL"
    ))
    .bind(id.0)
    .fetch_optional(&mut *c)
    .await
    .map_err(classify)?;
    Ok(load_one(c, row).await?.and_then(deleted))
}

/// Deleted users among `ids`.
pub(crate) async fn deleted_users(c: &mut Conn, ids: &[UserId]) -> Result<Vec<DeletedUser>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut query = QueryBuilder::<Db>::new(concat!(
        "SELECT ",
        user_columns!(),
        " FROM users WHERE deleted_at IS NOT NULL AND id IN ("
    ));
    push_ids(&mut query, ids);
    query.push(")");
    let rows: Vec<UserRow> = query.build_query_as().fetch_all(&mut *c).await.map_err(classify)?;
    Ok(load(c, rows).await?.into_iter().filter_map(deleted).collect())
}

/// Pushes `ids` as a comma-separated list of bound values.
fn push_ids(query: &mut QueryBuilder<Db>, ids: &[UserId]) {
    let mut list = query.separated(", ");
    for id in ids {
        list.push_bind(id.0);
    }
}

/// Deleted users deleted after `not_before`, by `(deleted_at, id)`, after the cursor.
pub(crate) async fn deleted_users_page(
    c: &mut Conn,
    not_before: Timestamp,
    after: Option<(Timestamp, UserId)>,
    limit: u32,
) -> Result<Vec<DeletedUser>, StoreError> {
    let limit = i64::from(limit);
    let rows = match after {
        None => {
            sqlx::query_as::<Db, UserRow>(concat!(
                "SELECT ",
                user_columns!(),
                " FROM users WHERE deleted_at IS NOT NULL AND deleted_at > $1 \
                 ORDER BY deleted_at, id LIMIT $2"
            ))
            .bind(db_time::to_db(not_before))
            .bind(limit)
            .fetch_all(&mut *c)
            .await
        }
        Some((at, id)) => {
            sqlx::query_as::<Db, UserRow>(concat!(
                "SELECT ",
                user_columns!(),
                " FROM users WHERE deleted_at IS NOT NULL AND deleted_at > $1 \
                 AND (deleted_at, id) > ($2, $3) ORDER BY deleted_at, id LIMIT $4"
            ))
            .bind(db_time::to_db(not_before))
            .bind(db_time::to_db(at))
            .bind(id.0)
            .bind(limit)
            .fetch_all(&mut *c)
            .await
        }
    }
    .map_err(classify)?;
    Ok(load(c, rows).await?.into_iter().filter_map(deleted).collect())
}

/// How many users were deleted after `not_before`.
pub(crate) async fn count_deleted_users(c: &mut Conn, not_before: Timestamp) -> Result<u64, StoreError> {
    let count: i64 =
        sqlx::query_scalar::<Db, i64>("SELECT COUNT(*) FROM users WHERE deleted_at IS NOT NULL AND deleted_at > $1")
            .bind(db_time::to_db(not_before))
            .fetch_one(&mut *c)
            .await
            .map_err(classify)?;
    u64::try_from(count).map_err(|e| StoreError::Other(format!("deleted user count {count}: {e}")))
}

/// Ids of users deleted at or before `cutoff`, oldest first.
pub(crate) async fn expired_deleted_users(
    c: &mut Conn,
    cutoff: Timestamp,
    limit: u32,
) -> Result<Vec<UserId>, StoreError> {
    let ids: Vec<Uuid> = sqlx::query_scalar::<Db, Uuid>(
        "SELECT id FROM users WHERE deleted_at IS NOT NULL AND deleted_at <= $1 \
         ORDER BY deleted_at, id LIMIT $2",
    )
    .bind(db_time::to_db(cutoff))
    .bind(i64::from(limit))
    .fetch_all(&mut *c)
    .await
    .map_err(classify)?;
    Ok(ids.into_iter().map(UserId).collect())
}

/// The groups remembered for a deleted user.
pub(crate) async fn former_groups(c: &mut Conn, id: UserId) -> Result<Vec<GroupRef>, StoreError> {
    let sql = "SELECT group_id, display_name FROM former_groups WHERE user_id = $1 ORDER BY display_name, group_id";
    crate::groups::group_refs(c, sql, id).await
}

#[derive(sqlx::FromRow)]
struct HolderRow {
    address_key: String,
    user_id: Option<Uuid>,
    group_id: Option<Uuid>,
    owner_deleted: bool,
}

/// Who holds each of these address keys; only reserved addresses hold one.
pub(crate) async fn address_holders(c: &mut Conn, keys: &[String]) -> Result<Vec<AddressHolder>, StoreError> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let mut query = QueryBuilder::<Db>::new(
        "SELECT p.address_key, p.user_id, p.group_id, (u.deleted_at IS NOT NULL) AS owner_deleted \
         FROM proxy_addresses p LEFT JOIN users u ON u.id = p.user_id \
         WHERE p.reserved AND p.address_key IN (",
    );
    let mut list = query.separated(", ");
    for key in keys {
        list.push_bind(key.clone());
    }
    query.push(") ORDER BY p.address_key");
    let rows: Vec<HolderRow> = query.build_query_as().fetch_all(&mut *c).await.map_err(classify)?;
    rows.into_iter()
        .map(|row| {
            let (owner_id, owner_kind) = match (row.user_id, row.group_id) {
                (Some(user), _) => (user, OwnerKind::User),
                (None, Some(group)) => (group, OwnerKind::Group),
                (None, None) => {
                    return Err(StoreError::Other("an address row has no owner".into()));
                }
            };
            Ok(AddressHolder {
                key: row.address_key,
                owner_id,
                owner_kind,
                owner_deleted: row.owner_deleted,
            })
        })
        .collect()
}

/// Marks an active user deleted; everything it has stays.
pub(crate) async fn mark_deleted(c: &mut Conn, id: UserId, at: Timestamp) -> Result<bool, StoreError> {
    let done = sqlx::query::<Db>("UPDATE users SET deleted_at = $2 WHERE id = $1 AND deleted_at IS NULL")
        .bind(id.0)
        .bind(db_time::to_db(at))
        .execute(&mut *c)
        .await
        .map_err(classify)?;
    Ok(done.rows_affected() > 0)
}

/// Replaces a user's remembered groups by its current memberships.
pub(crate) async fn remember_former_groups(c: &mut Conn, id: UserId) -> Result<(), StoreError> {
    forget_former_groups(c, id).await?;
    sqlx::query::<Db>(
        "INSERT INTO former_groups (user_id, group_id, display_name) \
         SELECT m.user_id, g.id, g.display_name FROM group_members m JOIN groups g ON g.id = m.group_id \
         WHERE m.user_id = $1",
    )
    .bind(id.0)
    .execute(&mut *c)
    .await
    .map_err(classify)?;
    Ok(())
}

async fn forget_former_groups(c: &mut Conn, id: UserId) -> Result<(), StoreError> {
    sqlx::query::<Db>("DELETE FROM former_groups WHERE user_id = $1")
        .bind(id.0)
        .execute(&mut *c)
        .await
        .map_err(classify)?;
    Ok(())
}

/// Stops a deleted user's addresses from reserving anything; returns how many did.
pub(crate) async fn release_addresses(c: &mut Conn, id: UserId) -> Result<u64, StoreError> {
    let marked =
        sqlx::query::<Db>("UPDATE users SET addresses_released = TRUE WHERE id = $1 AND deleted_at IS NOT NULL")
            .bind(id.0)
            .execute(&mut *c)
            .await
            .map_err(classify)?;
    if marked.rows_affected() == 0 {
        return Ok(0);
    }
    let released = sqlx::query::<Db>("UPDATE proxy_addresses SET reserved = FALSE WHERE user_id = $1 AND reserved")
        .bind(id.0)
        .execute(&mut *c)
        .await
        .map_err(classify)?;
    Ok(released.rows_affected())
}

/// Makes a deleted user active again as `user`, re-reserving its addresses.
pub(crate) async fn mark_restored(c: &mut Conn, user: &User) -> Result<bool, StoreError> {
    let sql = concat!(
        "UPDATE users SET deleted_at = NULL, addresses_released = FALSE, ",
        user_assignments!(),
        " WHERE id = $1 AND deleted_at IS NOT NULL"
    );
    if !rewrite(c, sql, user).await? {
        return Ok(false);
    }
    replace_addresses(c, user.id, &user.proxy_addresses).await?;
    forget_former_groups(c, user.id).await?;
    Ok(true)
}

/// Users restored by one `UPDATE` at most (24 parameters each).
const USERS_PER_UPDATE: usize = 100;

/// [`mark_restored`] for many users: per chunk, one `UPDATE … FROM (VALUES …)` that
/// returns the users it restored, then their addresses and remembered groups.
pub(crate) async fn mark_restored_all(c: &mut Conn, users: &[User]) -> Result<u64, StoreError> {
    let mut restored = 0;
    for chunk in users.chunks(USERS_PER_UPDATE) {
        let ids = restore_rows(c, chunk).await?;
        if ids.is_empty() {
            continue;
        }
        let addresses: Vec<(UserId, &ProxyAddresses)> = chunk
            .iter()
            .filter(|user| ids.contains(&user.id))
            .map(|user| (user.id, &user.proxy_addresses))
            .collect();
        delete_rows_of(c, "DELETE FROM proxy_addresses WHERE user_id IN (", &ids).await?;
        insert_addresses(c, &addresses).await?;
        delete_rows_of(c, "DELETE FROM former_groups WHERE user_id IN (", &ids).await?;
        restored += ids.len() as u64;
    }
    Ok(restored)
}

/// Rewrites the rows of those of `users` that are deleted, making them active; returns them.
async fn restore_rows(c: &mut Conn, users: &[User]) -> Result<Vec<UserId>, StoreError> {
    let mut query = QueryBuilder::<Db>::new(
        "UPDATE users SET deleted_at = NULL, addresses_released = FALSE, upn = v.column2, \
         upn_key = v.column3, display_name = v.column4, given_name = v.column5, surname = v.column6, \
         mail_nickname = v.column7, other_mails = v.column8, account_enabled = v.column9, \
         usage_location = v.column10, preferred_language = v.column11, job_title = v.column12, \
         department = v.column13, manager_id = v.column14, on_premises_sync_enabled = v.column15, \
         force_change_password = v.column16, display_name_key = v.column17, given_name_key = v.column18, \
         surname_key = v.column19, mail_key = v.column20, mail_nickname_key = v.column21, \
         job_title_key = v.column22, department_key = v.column23, usage_location_key = v.column24 FROM (",
    );
    query.push_values(users, push_properties);
    query.push(") AS v WHERE users.id = v.column1 AND users.deleted_at IS NOT NULL RETURNING users.id");
    let ids: Vec<Uuid> = query.build_query_scalar().fetch_all(&mut *c).await.map_err(classify)?;
    Ok(ids.into_iter().map(UserId).collect())
}

/// Runs `sql`, a statement ending in `user_id IN (`, for `ids`.
async fn delete_rows_of(c: &mut Conn, sql: &'static str, ids: &[UserId]) -> Result<(), StoreError> {
    let mut query = QueryBuilder::<Db>::new(sql);
    push_ids(&mut query, ids);
    query.push(")");
    query.build().execute(&mut *c).await.map_err(classify)?;
    Ok(())
}

/// Deletes a deleted user (deleted at or before `cutoff`, when given) and, by cascade,
/// everything it owns.
pub(crate) async fn purge_user(c: &mut Conn, id: UserId, cutoff: Option<Timestamp>) -> Result<bool, StoreError> {
    let done = match cutoff {
        None => {
            sqlx::query::<Db>("DELETE FROM users WHERE id = $1 AND deleted_at IS NOT NULL")
                .bind(id.0)
                .execute(&mut *c)
                .await
        }
        Some(cutoff) => {
            sqlx::query::<Db>("DELETE FROM users WHERE id = $1 AND deleted_at IS NOT NULL AND deleted_at <= $2")
                .bind(id.0)
                .bind(db_time::to_db(cutoff))
                .execute(&mut *c)
                .await
        }
    }
    .map_err(classify)?;
    Ok(done.rows_affected() > 0)
}

/// Deletes those of `ids` that were deleted at or before `cutoff` in one statement (their
/// rows elsewhere go by cascade), and returns them.
pub(crate) async fn purge_users(
    c: &mut Conn,
    ids: &[UserId],
    cutoff: Timestamp,
) -> Result<Vec<PurgedUser>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut query = QueryBuilder::<Db>::new("DELETE FROM users WHERE id IN (");
    let mut list = query.separated(", ");
    for id in ids {
        list.push_bind(id.0);
    }
    query
        .push(") AND deleted_at IS NOT NULL AND deleted_at <= ")
        .push_bind(db_time::to_db(cutoff))
        .push(" RETURNING id, upn");
    let rows: Vec<(Uuid, String)> = query.build_query_as().fetch_all(&mut *c).await.map_err(classify)?;
    rows.into_iter()
        .map(|(id, upn)| {
            let upn = UserPrincipalName::parse(&upn).map_err(|e| corrupt("user principal name", e))?;
            Ok(PurgedUser { id: UserId(id), upn })
        })
        .collect()
}

/// `SELECT {columns} FROM {table} WHERE user_id IN (ids) ORDER BY {order}`, as rows of `T`.
async fn rows_of_users<T>(c: &mut Conn, select: &str, ids: &[UserId], order: &str) -> Result<Vec<T>, StoreError>
where
    T: for<'r> sqlx::FromRow<'r, <Db as sqlx::Database>::Row> + Send + Unpin,
{
    let mut query = QueryBuilder::<Db>::new(select);
    query.push(" WHERE user_id IN (");
    let mut list = query.separated(", ");
    for id in ids {
        list.push_bind(id.0);
    }
    query.push(") ORDER BY ").push(order);
    query.build_query_as().fetch_all(&mut *c).await.map_err(classify)
}

/// Former groups, licences and roles of many users, in three queries.
pub(crate) async fn deleted_user_details(
    c: &mut Conn,
    ids: &[UserId],
) -> Result<HashMap<UserId, DeletedUserDetails>, StoreError> {
    let mut details: HashMap<UserId, DeletedUserDetails> = HashMap::new();
    if ids.is_empty() {
        return Ok(details);
    }
    let groups: Vec<(Uuid, Uuid, String)> = rows_of_users(
        c,
        "SELECT user_id, group_id, display_name FROM former_groups",
        ids,
        "user_id, display_name, group_id",
    )
    .await?;
    for (user, group, display_name) in groups {
        let group = GroupRef {
            id: GroupId(group),
            display_name,
        };
        details.entry(UserId(user)).or_default().former_groups.push(group);
    }
    let licenses: Vec<(Uuid, Uuid, String)> = rows_of_users(
        c,
        "SELECT user_id, sku_id, disabled_plans FROM license_assignments",
        ids,
        "user_id, sku_id",
    )
    .await?;
    for (user, sku, plans) in licenses {
        let license = LicenseAssignment {
            sku_id: SkuId(sku),
            disabled_plans: uuids_from_text(&plans)?,
        };
        details.entry(UserId(user)).or_default().licenses.push(license);
    }
    let roles: Vec<(Uuid, String)> =
        rows_of_users(c, "SELECT user_id, role FROM role_assignments", ids, "user_id, role").await?;
    for (user, role) in roles {
        details
            .entry(UserId(user))
            .or_default()
            .roles
            .insert(role_from_text(&role)?);
    }
    Ok(details)
}
