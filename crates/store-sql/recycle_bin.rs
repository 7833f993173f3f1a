//! The recycle bin: deleted users, their remembered groups, address reservations, and the
//! delete, release, restore and purge writes.

use crate::codec::{corrupt, role_from_text, uuids_from_text};
use crate::tx::Conn;
use crate::users::{
    LoadedUser, PACKED_ADDRESSES, PackedUserRow, UserRow, insert_addresses, load, load_one, packed, push_properties,
    replace_addresses, rewrite, rewrite_as_read, unpack, user_assignments, user_columns,
};
use crate::{Db, classify, db_time, dialect};
use directory::address::{OwnerKind, ProxyAddresses};
use directory::clock::Timestamp;
use directory::group::GroupRef;
use directory::ids::{GroupId, SkuId, UserId};
use directory::license::LicenseAssignment;
use directory::recycle_bin::{DeletedUser, DeletedUserDetails};
use directory::store::{AddressHolder, DeletedUserToRestore, PurgedUser, StoreError};
use directory::upn::UserPrincipalName;
use directory::user::User;
use sqlx::QueryBuilder;
use std::collections::HashMap;
use std::sync::LazyLock;
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

/// [`mark_restored`] for the user `read` was read as in this transaction, writing only
/// what changes. While the row is still as read (deleted at the same instant, its addresses
/// released or not as read), the addresses and remembered groups `read` holds are the
/// stored ones: they are written only when a user is deleted, and while it stays deleted
/// only a release changes them, clearing `reserved` on every row as it sets
/// `addresses_released`. So address rows that stay the same are kept (a delete and an
/// insert cost each row in the table and in each of its indexes) and, unless released,
/// are reserved already; no remembered groups means nothing to forget. When the row
/// changed since the read (a release, or a restore and a new delete, committed by another
/// PostgreSQL transaction meanwhile), everything is rewritten, as `mark_restored` does.
pub(crate) async fn mark_read_user_restored(
    c: &mut Conn,
    read: &DeletedUserToRestore,
    user: &User,
) -> Result<bool, StoreError> {
    let deleted = &read.deleted;
    if !restore_row_as_read(c, deleted, user).await? {
        return mark_restored(c, user).await;
    }
    let stored = deleted.user.proxy_addresses.iter().map(ToString::to_string);
    if !stored.eq(user.proxy_addresses.iter().map(ToString::to_string)) {
        replace_addresses(c, user.id, &user.proxy_addresses).await?;
    } else if deleted.addresses_released {
        reserve_addresses(c, user.id).await?;
    }
    if !read.details.former_groups.is_empty() {
        forget_former_groups(c, user.id).await?;
    }
    Ok(true)
}

/// Makes the user's row active as `user` if it is still deleted as `deleted` was read.
async fn restore_row_as_read(c: &mut Conn, deleted: &DeletedUser, user: &User) -> Result<bool, StoreError> {
    let sql = concat!(
        "UPDATE users SET deleted_at = NULL, addresses_released = FALSE, ",
        user_assignments!(),
        " WHERE id = $1 AND deleted_at = $25 AND addresses_released = $26"
    );
    rewrite_as_read(c, sql, user, deleted.deleted_at, deleted.addresses_released).await
}

/// Reserves a user's address rows again (those a release freed).
async fn reserve_addresses(c: &mut Conn, id: UserId) -> Result<(), StoreError> {
    sqlx::query::<Db>("UPDATE proxy_addresses SET reserved = TRUE WHERE user_id = $1 AND NOT reserved")
        .bind(id.0)
        .execute(&mut *c)
        .await
        .map_err(classify)?;
    Ok(())
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
        let restored_users: Vec<&User> = chunk.iter().filter(|user| ids.contains(&user.id)).collect();
        restore_addresses(c, &restored_users).await?;
        delete_rows_of(c, "DELETE FROM former_groups WHERE user_id IN (", &ids).await?;
        restored += ids.len() as u64;
    }
    Ok(restored)
}

/// Gives restored users their addresses, all reserved. A user whose stored addresses are
/// already the ones it gets back (the usual case) keeps its rows, which are only reserved
/// again; the others' rows are replaced. Rewriting rows that do not change would cost a
/// delete and an insert in the table and each of its indexes, per address.
async fn restore_addresses(c: &mut Conn, users: &[&User]) -> Result<(), StoreError> {
    if users.is_empty() {
        return Ok(());
    }
    let ids: Vec<UserId> = users.iter().map(|user| user.id).collect();
    let stored = stored_addresses(c, &ids).await?;
    let (kept, replaced): (Vec<&User>, Vec<&User>) = users.iter().partition(|user| {
        let stored = stored.get(&user.id.0).map_or(&[][..], Vec::as_slice);
        stored
            .iter()
            .cloned()
            .eq(user.proxy_addresses.iter().map(ToString::to_string))
    });
    if !kept.is_empty() {
        let kept: Vec<UserId> = kept.iter().map(|user| user.id).collect();
        let mut query = QueryBuilder::<Db>::new("UPDATE proxy_addresses SET reserved = TRUE WHERE user_id IN (");
        push_ids(&mut query, &kept);
        query.push(") AND NOT reserved");
        query.build().execute(&mut *c).await.map_err(classify)?;
    }
    if !replaced.is_empty() {
        let ids: Vec<UserId> = replaced.iter().map(|user| user.id).collect();
        delete_rows_of(c, "DELETE FROM proxy_addresses WHERE user_id IN (", &ids).await?;
        let addresses: Vec<(UserId, &ProxyAddresses)> =
            replaced.iter().map(|user| (user.id, &user.proxy_addresses)).collect();
        insert_addresses(c, &addresses).await?;
    }
    Ok(())
}

/// The address rows of `ids`, in position order, by user.
async fn stored_addresses(c: &mut Conn, ids: &[UserId]) -> Result<HashMap<Uuid, Vec<String>>, StoreError> {
    let mut query = QueryBuilder::<Db>::new("SELECT user_id, address FROM proxy_addresses WHERE user_id IN (");
    push_ids(&mut query, ids);
    query.push(") ORDER BY user_id, position");
    let rows: Vec<(Uuid, String)> = query.build_query_as().fetch_all(&mut *c).await.map_err(classify)?;
    let mut stored: HashMap<Uuid, Vec<String>> = HashMap::new();
    for (id, address) in rows {
        stored.entry(id).or_default().push(address);
    }
    Ok(stored)
}

/// Rewrites the rows of those of `users` that are deleted, making them active; returns them.
async fn restore_rows(c: &mut Conn, users: &[User]) -> Result<Vec<UserId>, StoreError> {
    let mut query = QueryBuilder::<Db>::new("");
    push_restore_rows(&mut query, users);
    let ids: Vec<Uuid> = query.build_query_scalar().fetch_all(&mut *c).await.map_err(classify)?;
    Ok(ids.into_iter().map(UserId).collect())
}

/// Pushes [`restore_rows`]'s statement: one `UPDATE … FROM (VALUES …)` for `users`.
///
/// Each `VALUES` row must find its user by primary key. The test that the row is deleted
/// is written `(deleted_at IS NULL) IS FALSE` rather than `deleted_at IS NOT NULL` so that
/// no index answers it: SQLite (3.51, without statistics) otherwise reads a whole partial
/// index of the bin (every user in it; it was `users_recycle_bin`, which migration 0013
/// replaced, and the name indexes have the same condition) and looks each entry up in the
/// `VALUES` rows, which took ~16 ms per statement with 100,000 users in the bin, whether
/// it restored 50 users or 100. The SQLite adapter's tests pin the plan.
pub(crate) fn push_restore_rows(query: &mut QueryBuilder<Db>, users: &[User]) {
    query.push(
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
    query.push(") AS v WHERE users.id = v.column1 AND (users.deleted_at IS NULL) IS FALSE RETURNING users.id");
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
/// rows elsewhere go by cascade), and returns them. Their entries in SQLite's bin table
/// stay until [`crate::bin_order::forget_purged`].
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
    crate::bin_order::begin_purge(c).await?;
    let rows: Vec<(Uuid, String)> = query.build_query_as().fetch_all(&mut *c).await.map_err(classify)?;
    crate::bin_order::end_purge(c, rows.len(), cutoff).await?;
    rows.into_iter()
        .map(|(id, upn)| {
            let upn = UserPrincipalName::parse(&upn).map_err(|e| corrupt("user principal name", e))?;
            Ok(PurgedUser { id: UserId(id), upn })
        })
        .collect()
}

/// A deleted user's former groups, licences and roles, each packed into one column (see
/// [`packed`]) by a subquery on `users u`: `former_groups`, `licenses`, `roles`.
fn packed_details() -> &'static str {
    static COLUMNS: LazyLock<String> = LazyLock::new(|| {
        let group = dialect::uuid_text("f.group_id");
        let sku = dialect::uuid_text("l.sku_id");
        format!(
            "(SELECT string_agg({} || {}, '') FROM former_groups f WHERE f.user_id = u.id) AS former_groups, \
             (SELECT string_agg({} || {}, '') FROM license_assignments l WHERE l.user_id = u.id) AS licenses, \
             (SELECT string_agg({}, '') FROM role_assignments r WHERE r.user_id = u.id) AS roles",
            packed(&group),
            packed("f.display_name"),
            packed(&sku),
            packed("l.disabled_plans"),
            packed("r.role"),
        )
    });
    &COLUMNS
}

/// The columns of [`DetailedUserRow`] after the user's own: addresses and details, packed.
pub(crate) fn detailed_columns() -> &'static str {
    static COLUMNS: LazyLock<String> = LazyLock::new(|| format!("{PACKED_ADDRESSES}, {}", packed_details()));
    &COLUMNS
}

/// The packed details columns of a row ([`packed_details`]).
#[derive(sqlx::FromRow)]
struct PackedDetails {
    former_groups: Option<String>,
    licenses: Option<String>,
    roles: Option<String>,
}

impl PackedDetails {
    fn is_empty(&self) -> bool {
        self.former_groups.is_none() && self.licenses.is_none() && self.roles.is_none()
    }

    /// The details, in the order the single reads give them: former groups by display
    /// name (byte-wise on both backends) then id, licences by SKU id.
    fn decode(self) -> Result<DeletedUserDetails, StoreError> {
        let mut details = DeletedUserDetails {
            former_groups: group_refs(self.former_groups.as_deref())?,
            ..DeletedUserDetails::default()
        };
        for license in records(self.licenses.as_deref(), 2)?.chunks_exact(2) {
            details.licenses.push(LicenseAssignment {
                sku_id: SkuId(uuid_from_text(license[0])?),
                disabled_plans: uuids_from_text(license[1])?,
            });
        }
        for role in records(self.roles.as_deref(), 1)? {
            details.roles.insert(role_from_text(role)?);
        }
        details.licenses.sort_unstable_by_key(|license| license.sku_id.0);
        Ok(details)
    }
}

/// A packed list of `(group id, display name)` records, in the order the single reads give
/// groups: by display name (byte-wise on both backends), then id.
fn group_refs(packed: Option<&str>) -> Result<Vec<GroupRef>, StoreError> {
    let mut groups = Vec::new();
    for group in records(packed, 2)?.chunks_exact(2) {
        groups.push(GroupRef {
            id: GroupId(uuid_from_text(group[0])?),
            display_name: group[1].to_owned(),
        });
    }
    groups.sort_unstable_by(|a, b| (a.display_name.as_bytes(), a.id.0).cmp(&(b.display_name.as_bytes(), b.id.0)));
    Ok(groups)
}

/// The fields of a packed list of records of `width` fields each.
fn records(packed: Option<&str>, width: usize) -> Result<Vec<&str>, StoreError> {
    let packed = packed.unwrap_or_default();
    let fields = unpack(packed)?;
    if fields.len() % width != 0 {
        return Err(corrupt("packed details", packed));
    }
    Ok(fields)
}

fn uuid_from_text(text: &str) -> Result<Uuid, StoreError> {
    Uuid::parse_str(text).map_err(|e| corrupt("uuid", e))
}

/// A `users` row (as `u`) with its addresses, former groups, licences and roles, read by
/// one statement ([`detailed_columns`]).
#[derive(sqlx::FromRow)]
pub(crate) struct DetailedUserRow {
    #[sqlx(flatten)]
    user: PackedUserRow,
    #[sqlx(flatten)]
    details: PackedDetails,
}

impl DetailedUserRow {
    /// The deleted user and its details; `None` when the row is not a deleted user.
    pub(crate) fn decode(self) -> Result<Option<(DeletedUser, DeletedUserDetails)>, StoreError> {
        let Some(deleted) = deleted(self.user.decode()?) else {
            return Ok(None);
        };
        Ok(Some((deleted, self.details.decode()?)))
    }
}

/// A [`DetailedUserRow`] with the groups the user is a member of now, packed: all a
/// restore reads of the user, in one statement where `groups_of` took one more.
#[derive(sqlx::FromRow)]
struct RestoreRow {
    #[sqlx(flatten)]
    detailed: DetailedUserRow,
    member_of: Option<String>,
    own_upn_held: bool,
}

impl RestoreRow {
    fn decode(self) -> Result<Option<DeletedUserToRestore>, StoreError> {
        let groups = group_refs(self.member_of.as_deref())?;
        let own_upn_held = self.own_upn_held;
        Ok(self.detailed.decode()?.map(|(deleted, details)| DeletedUserToRestore {
            deleted,
            details,
            groups,
            own_upn_held,
        }))
    }
}

/// A deleted user as a restore reads it: [`DetailedUserRow`]'s columns, its current
/// groups and whether an active user holds its UPN (by the active users' unique index), in
/// one statement.
pub(crate) async fn deleted_user_to_restore(
    c: &mut Conn,
    id: UserId,
) -> Result<Option<DeletedUserToRestore>, StoreError> {
    static SQL: LazyLock<String> = LazyLock::new(|| {
        let group = dialect::uuid_text("g.id");
        format!(
            "SELECT {}, {}, (SELECT string_agg({} || {}, '') FROM group_members m JOIN groups g ON g.id = m.group_id \
             WHERE m.user_id = u.id) AS member_of, \
             EXISTS (SELECT 1 FROM users h WHERE h.upn_key = u.upn_key AND h.deleted_at IS NULL) AS own_upn_held \
             FROM users u WHERE u.id = $1 AND u.deleted_at IS NOT NULL",
            user_columns!(),
            detailed_columns(),
            packed(&group),
            packed("g.display_name"),
        )
    });
    let row = sqlx::query_as::<Db, RestoreRow>(SQL.as_str())
        .bind(id.0)
        .fetch_optional(&mut *c)
        .await
        .map_err(classify)?;
    Ok(row.map(RestoreRow::decode).transpose()?.flatten())
}

#[derive(sqlx::FromRow)]
struct IdDetails {
    id: Uuid,
    #[sqlx(flatten)]
    details: PackedDetails,
}

/// Former groups, licences and roles of many users, in one query.
pub(crate) async fn deleted_user_details(
    c: &mut Conn,
    ids: &[UserId],
) -> Result<HashMap<UserId, DeletedUserDetails>, StoreError> {
    let mut details: HashMap<UserId, DeletedUserDetails> = HashMap::new();
    if ids.is_empty() {
        return Ok(details);
    }
    let mut query = QueryBuilder::<Db>::new("SELECT u.id, ");
    query.push(packed_details()).push(" FROM users u WHERE u.id IN (");
    push_ids(&mut query, ids);
    query.push(")");
    let rows: Vec<IdDetails> = query.build_query_as().fetch_all(&mut *c).await.map_err(classify)?;
    for row in rows.into_iter().filter(|row| !row.details.is_empty()) {
        details.insert(UserId(row.id), row.details.decode()?);
    }
    Ok(details)
}
