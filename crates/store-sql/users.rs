//! Users: reading them with their proxy addresses, writing active users and passwords.

use crate::codec::{corrupt, join_lines, role_from_text, split_lines};
use crate::db_time::{self, Stored};
use crate::recycle_bin::{DetailedUserRow, detailed_columns};
use crate::tx::Conn;
use crate::{Db, classify};
use directory::address::{EmailAddress, ProxyAddress, ProxyAddresses};
use directory::clock::Timestamp;
use directory::ids::UserId;
use directory::password::PasswordHash;
use directory::query::UserKeys;
use directory::recycle_bin::{DeletedUser, DeletedUserDetails};
use directory::role::RoleSet;
use directory::store::StoreError;
use directory::upn::UserPrincipalName;
use directory::user::{UsageLocation, User};
use sqlx::QueryBuilder;
use std::collections::HashMap;
use std::sync::LazyLock;
use uuid::Uuid;

/// The `users` columns that [`UserRow`] decodes, as a literal for `concat!`.
macro_rules! user_columns {
    () => {
        "id, upn, display_name, given_name, surname, mail_nickname, other_mails, account_enabled, \
         usage_location, preferred_language, job_title, department, manager_id, created_at, \
         deleted_at, addresses_released, on_premises_sync_enabled, force_change_password"
    };
}
pub(crate) use user_columns;

/// The property columns `update_user` and `mark_restored` rewrite, bound by [`bind_properties`]
/// as `$2..$24` (`$1` is the id): the properties, then their query keys.
macro_rules! user_assignments {
    () => {
        "upn = $2, upn_key = $3, display_name = $4, given_name = $5, surname = $6, \
         mail_nickname = $7, other_mails = $8, account_enabled = $9, usage_location = $10, \
         preferred_language = $11, job_title = $12, department = $13, manager_id = $14, \
         on_premises_sync_enabled = $15, force_change_password = $16, display_name_key = $17, \
         given_name_key = $18, surname_key = $19, mail_key = $20, mail_nickname_key = $21, \
         job_title_key = $22, department_key = $23, usage_location_key = $24"
    };
}
pub(crate) use user_assignments;

/// One `users` row, active or deleted.
#[derive(sqlx::FromRow)]
pub(crate) struct UserRow {
    id: Uuid,
    upn: String,
    display_name: String,
    given_name: Option<String>,
    surname: Option<String>,
    mail_nickname: String,
    other_mails: String,
    account_enabled: bool,
    usage_location: Option<String>,
    preferred_language: Option<String>,
    job_title: Option<String>,
    department: Option<String>,
    manager_id: Option<Uuid>,
    created_at: Stored,
    deleted_at: Option<Stored>,
    addresses_released: bool,
    on_premises_sync_enabled: Option<bool>,
    force_change_password: bool,
}

/// A decoded user with the recycle-bin columns alongside.
pub(crate) struct LoadedUser {
    /// The user's properties and addresses (released ones included).
    pub(crate) user: User,
    /// When it was deleted; `None` for an active user.
    pub(crate) deleted_at: Option<Timestamp>,
    /// Whether its addresses were released while deleted.
    pub(crate) addresses_released: bool,
}

/// A `users` row (as `u`) with its addresses in one column, packed ([`PACKED_ADDRESSES`]).
#[derive(sqlx::FromRow)]
pub(crate) struct PackedUserRow {
    #[sqlx(flatten)]
    row: UserRow,
    addresses: Option<String>,
}

impl PackedUserRow {
    /// Decodes the row and its addresses, put in their order.
    pub(crate) fn decode(self) -> Result<LoadedUser, StoreError> {
        let packed = self.addresses.as_deref().unwrap_or_default();
        let fields = unpack(packed)?;
        if fields.len() % 2 != 0 {
            return Err(corrupt("packed addresses", packed));
        }
        let mut addresses = Vec::with_capacity(fields.len() / 2);
        for pair in fields.chunks_exact(2) {
            let position: i64 = pair[0].parse().map_err(|e| corrupt("address position", e))?;
            addresses.push((position, pair[1]));
        }
        addresses.sort_unstable_by_key(|(position, _)| *position);
        self.row.decode(addresses.into_iter().map(|(_, address)| address))
    }
}

/// The column of a user's addresses with their positions, packed (see [`packed`]) by a
/// subquery on `users u`, as `addresses`: a page reads its users and their addresses in one
/// statement, one row per user.
pub(crate) const PACKED_ADDRESSES: &str = "(SELECT string_agg(length(CAST(a.position AS TEXT)) || ':' || \
     CAST(a.position AS TEXT) || length(a.address) || ':' || a.address, '') \
     FROM proxy_addresses a WHERE a.user_id = u.id) AS addresses";

/// `length(e) || ':' || e`: one text field of a packed list, which [`unpack`] reads back.
/// Aggregated by `string_agg(…, '')` (SQLite and PostgreSQL alike), a subquery returns a
/// whole list of texts in one column, whatever characters they hold. The list comes in no
/// set order (an `ORDER BY` inside the aggregate costs SQLite a temporary b-tree per row),
/// so it carries what the reader sorts it by.
pub(crate) fn packed(expression: &str) -> String {
    format!("length({expression}) || ':' || {expression}")
}

/// The fields of a packed list (see [`packed`]): each is its length in characters, a
/// colon, and the text itself. The empty text is the empty list.
pub(crate) fn unpack(packed: &str) -> Result<Vec<&str>, StoreError> {
    let mut fields = Vec::new();
    let mut rest = packed;
    while !rest.is_empty() {
        let (length, tail) = rest.split_once(':').ok_or_else(|| corrupt("packed list", packed))?;
        let length: usize = length.parse().map_err(|e| corrupt("packed list", e))?;
        let end = match length.checked_sub(1) {
            None => 0,
            Some(last) => {
                let (at, c) = tail
                    .char_indices()
                    .nth(last)
                    .ok_or_else(|| corrupt("packed list", packed))?;
                at + c.len_utf8()
            }
        };
        let (field, after) = tail.split_at(end);
        fields.push(field);
        rest = after;
    }
    Ok(fields)
}

impl UserRow {
    fn decode<'a>(self, addresses: impl IntoIterator<Item = &'a str>) -> Result<LoadedUser, StoreError> {
        let upn = UserPrincipalName::parse(&self.upn).map_err(|e| corrupt("user principal name", e))?;
        let proxy_addresses = addresses
            .into_iter()
            .map(ProxyAddress::parse)
            .collect::<Result<Vec<_>, _>>()
            .and_then(ProxyAddresses::new)
            .map_err(|e| corrupt("proxy addresses", e))?;
        let other_mails = split_lines(&self.other_mails)
            .map(EmailAddress::parse)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| corrupt("other mails", e))?;
        let usage_location = self
            .usage_location
            .as_deref()
            .map(UsageLocation::parse)
            .transpose()
            .map_err(|e| corrupt("usage location", e))?;
        let user = User {
            id: UserId(self.id),
            upn,
            display_name: self.display_name,
            given_name: self.given_name,
            surname: self.surname,
            mail_nickname: self.mail_nickname,
            proxy_addresses,
            other_mails,
            account_enabled: self.account_enabled,
            usage_location,
            preferred_language: self.preferred_language,
            job_title: self.job_title,
            department: self.department,
            manager_id: self.manager_id.map(UserId),
            created_at: db_time::from_db(self.created_at)?,
            on_premises_sync_enabled: self.on_premises_sync_enabled,
            force_change_password: self.force_change_password,
        };
        Ok(LoadedUser {
            user,
            deleted_at: self.deleted_at.map(db_time::from_db).transpose()?,
            addresses_released: self.addresses_released,
        })
    }
}

/// Decodes rows with the addresses of all of them, loaded in one query.
pub(crate) async fn load(c: &mut Conn, rows: Vec<UserRow>) -> Result<Vec<LoadedUser>, StoreError> {
    let mut addresses: HashMap<Uuid, Vec<String>> = HashMap::new();
    if !rows.is_empty() {
        let mut query = QueryBuilder::<Db>::new("SELECT user_id, address FROM proxy_addresses WHERE user_id IN (");
        let mut ids = query.separated(", ");
        for row in &rows {
            ids.push_bind(row.id);
        }
        query.push(") ORDER BY user_id, position");
        let found: Vec<(Uuid, String)> = query.build_query_as().fetch_all(&mut *c).await.map_err(classify)?;
        for (id, address) in found {
            addresses.entry(id).or_default().push(address);
        }
    }
    rows.into_iter()
        .map(|row| {
            let mine = addresses.remove(&row.id).unwrap_or_default();
            row.decode(mine.iter().map(String::as_str))
        })
        .collect()
}

/// Decodes at most one row.
pub(crate) async fn load_one(c: &mut Conn, row: Option<UserRow>) -> Result<Option<LoadedUser>, StoreError> {
    Ok(load(c, row.into_iter().collect()).await?.pop())
}

/// Binds `$2..$24` of [`user_assignments`] after the id. The keys are computed here, in
/// Rust ([`UserKeys`]), never with SQL `lower()`.
fn bind_properties<'q>(
    query: sqlx::query::Query<'q, Db, <Db as sqlx::Database>::Arguments>,
    user: &User,
) -> sqlx::query::Query<'q, Db, <Db as sqlx::Database>::Arguments> {
    let keys = UserKeys::of(user);
    query
        .bind(user.upn.to_string())
        .bind(user.upn.key())
        .bind(user.display_name.clone())
        .bind(user.given_name.clone())
        .bind(user.surname.clone())
        .bind(user.mail_nickname.clone())
        .bind(join_lines(&user.other_mails))
        .bind(user.account_enabled)
        .bind(user.usage_location.as_ref().map(|l| l.as_str().to_owned()))
        .bind(user.preferred_language.clone())
        .bind(user.job_title.clone())
        .bind(user.department.clone())
        .bind(user.manager_id.map(|id| id.0))
        .bind(user.on_premises_sync_enabled)
        .bind(user.force_change_password)
        .bind(keys.display_name)
        .bind(keys.given_name)
        .bind(keys.surname)
        .bind(keys.mail)
        .bind(keys.mail_nickname)
        .bind(keys.job_title)
        .bind(keys.department)
        .bind(keys.usage_location)
}

/// Pushes one row of `(id, properties and keys)` in [`bind_properties`]'s order, for a
/// multi-row `VALUES` list whose columns `column1..column24` match `$1..$24`.
pub(crate) fn push_properties(mut row: sqlx::query_builder::Separated<'_, Db, &'static str>, user: &User) {
    let keys = UserKeys::of(user);
    row.push_bind(user.id.0)
        .push_bind(user.upn.to_string())
        .push_bind(user.upn.key())
        .push_bind(user.display_name.clone())
        .push_bind(user.given_name.clone())
        .push_bind(user.surname.clone())
        .push_bind(user.mail_nickname.clone())
        .push_bind(join_lines(&user.other_mails))
        .push_bind(user.account_enabled)
        .push_bind(user.usage_location.as_ref().map(|l| l.as_str().to_owned()))
        .push_bind(user.preferred_language.clone())
        .push_bind(user.job_title.clone())
        .push_bind(user.department.clone())
        .push_bind(user.manager_id.map(|id| id.0))
        .push_bind(user.on_premises_sync_enabled)
        .push_bind(user.force_change_password)
        .push_bind(keys.display_name)
        .push_bind(keys.given_name)
        .push_bind(keys.surname)
        .push_bind(keys.mail)
        .push_bind(keys.mail_nickname)
        .push_bind(keys.job_title)
        .push_bind(keys.department)
        .push_bind(keys.usage_location);
}

/// Runs `sql`, an `UPDATE` whose `$1` is the id and `$2..$24` are [`user_assignments`], for
/// `user`. Returns whether a row matched.
pub(crate) async fn rewrite(c: &mut Conn, sql: &'static str, user: &User) -> Result<bool, StoreError> {
    let query = bind_properties(sqlx::query::<Db>(sql).bind(user.id.0), user);
    let done = query.execute(&mut *c).await.map_err(classify)?;
    Ok(done.rows_affected() > 0)
}

/// [`rewrite`] with `$25` and `$26` bound to the `deleted_at` and `addresses_released`
/// the row was read with, for an `UPDATE` of a row only if it is still as read.
pub(crate) async fn rewrite_as_read(
    c: &mut Conn,
    sql: &'static str,
    user: &User,
    deleted_at: Timestamp,
    addresses_released: bool,
) -> Result<bool, StoreError> {
    let query = bind_properties(sqlx::query::<Db>(sql).bind(user.id.0), user)
        .bind(db_time::to_db(deleted_at))
        .bind(addresses_released);
    let done = query.execute(&mut *c).await.map_err(classify)?;
    Ok(done.rows_affected() > 0)
}

/// Replaces a user's address rows by `addresses`, all reserved.
pub(crate) async fn replace_addresses(c: &mut Conn, id: UserId, addresses: &ProxyAddresses) -> Result<(), StoreError> {
    sqlx::query::<Db>("DELETE FROM proxy_addresses WHERE user_id = $1")
        .bind(id.0)
        .execute(&mut *c)
        .await
        .map_err(classify)?;
    insert_addresses(c, &[(id, addresses)]).await
}

/// Address rows inserted by one `INSERT` at most (5 parameters each).
const ADDRESS_ROWS_PER_INSERT: usize = 1000;

/// Inserts the address rows of several users, all reserved, in multi-row inserts.
pub(crate) async fn insert_addresses(c: &mut Conn, users: &[(UserId, &ProxyAddresses)]) -> Result<(), StoreError> {
    let rows: Vec<(Uuid, i32, String, String)> = users
        .iter()
        .flat_map(|(id, addresses)| {
            (0_i32..)
                .zip(addresses.iter())
                .map(|(position, address)| (id.0, position, address.to_string(), address.key()))
        })
        .collect();
    for chunk in rows.chunks(ADDRESS_ROWS_PER_INSERT) {
        let mut query =
            QueryBuilder::<Db>::new("INSERT INTO proxy_addresses (user_id, position, address, address_key, reserved) ");
        query.push_values(chunk, |mut row, (id, position, address, key)| {
            row.push_bind(*id)
                .push_bind(*position)
                .push_bind(address.clone())
                .push_bind(key.clone())
                .push_bind(true);
        });
        query.build().execute(&mut *c).await.map_err(classify)?;
    }
    Ok(())
}

/// Active users holding any of these UPN keys.
pub(crate) async fn users_by_upn_keys(c: &mut Conn, upn_keys: &[String]) -> Result<Vec<User>, StoreError> {
    if upn_keys.is_empty() {
        return Ok(Vec::new());
    }
    let mut query = QueryBuilder::<Db>::new(concat!(
        "SELECT ",
        user_columns!(),
        " FROM users WHERE deleted_at IS NULL AND upn_key IN ("
    ));
    let mut list = query.separated(", ");
    for key in upn_keys {
        list.push_bind(key.clone());
    }
    query.push(")");
    let rows: Vec<UserRow> = query.build_query_as().fetch_all(&mut *c).await.map_err(classify)?;
    Ok(load(c, rows).await?.into_iter().map(|loaded| loaded.user).collect())
}

/// An active user.
pub(crate) async fn user(c: &mut Conn, id: UserId) -> Result<Option<User>, StoreError> {
    let row = sqlx::query_as::<Db, UserRow>(concat!(
        "SELECT ",
        user_columns!(),
        " FROM users WHERE id = $1 AND deleted_at IS NULL"
    ))
    .bind(id.0)
    .fetch_optional(&mut *c)
    .await
    .map_err(classify)?;
    Ok(load_one(c, row).await?.map(|loaded| loaded.user))
}

/// A user in any state (active or deleted), with its addresses and its roles, packed (see
/// [`packed`]) in one row: one statement where `user` and `roles_of` take three.
pub(crate) async fn user_with_roles(c: &mut Conn, id: UserId) -> Result<Option<(LoadedUser, RoleSet)>, StoreError> {
    static SQL: LazyLock<String> = LazyLock::new(|| {
        format!(
            "SELECT {}, {PACKED_ADDRESSES}, \
             (SELECT string_agg({}, '') FROM role_assignments r WHERE r.user_id = u.id) AS roles \
             FROM users u WHERE u.id = $1",
            user_columns!(),
            packed("r.role")
        )
    });
    let row = sqlx::query_as::<Db, UserWithRolesRow>(SQL.as_str())
        .bind(id.0)
        .fetch_optional(&mut *c)
        .await
        .map_err(classify)?;
    row.map(UserWithRolesRow::decode).transpose()
}

/// A [`PackedUserRow`] with the user's roles, packed, as `roles`.
#[derive(sqlx::FromRow)]
struct UserWithRolesRow {
    #[sqlx(flatten)]
    user: PackedUserRow,
    roles: Option<String>,
}

impl UserWithRolesRow {
    fn decode(self) -> Result<(LoadedUser, RoleSet), StoreError> {
        let roles = unpack(self.roles.as_deref().unwrap_or_default())?
            .into_iter()
            .map(role_from_text)
            .collect::<Result<RoleSet, _>>()?;
        Ok((self.user.decode()?, roles))
    }
}

/// A deleted user with its addresses, former groups, licences and roles, in one statement
/// ([`crate::recycle_bin::DetailedUserRow`]).
pub(crate) async fn deleted_user_with_details(
    c: &mut Conn,
    id: UserId,
) -> Result<Option<(DeletedUser, DeletedUserDetails)>, StoreError> {
    static SQL: LazyLock<String> = LazyLock::new(|| {
        format!(
            "SELECT {}, {} FROM users u WHERE u.id = $1 AND u.deleted_at IS NOT NULL",
            user_columns!(),
            detailed_columns()
        )
    });
    let row = sqlx::query_as::<Db, DetailedUserRow>(SQL.as_str())
        .bind(id.0)
        .fetch_optional(&mut *c)
        .await
        .map_err(classify)?;
    Ok(row.map(DetailedUserRow::decode).transpose()?.flatten())
}

/// An active user by UPN key.
pub(crate) async fn user_by_upn_key(c: &mut Conn, upn_key: &str) -> Result<Option<User>, StoreError> {
    let row = sqlx::query_as::<Db, UserRow>(concat!(
        "SELECT ",
        user_columns!(),
        " FROM users WHERE upn_key = $1 AND deleted_at IS NULL"
    ))
    .bind(upn_key.to_owned())
    .fetch_optional(&mut *c)
    .await
    .map_err(classify)?;
    Ok(load_one(c, row).await?.map(|loaded| loaded.user))
}

/// Active users by `upn_key`, after the cursor.
pub(crate) async fn users_page(c: &mut Conn, after: Option<&str>, limit: u32) -> Result<Vec<User>, StoreError> {
    let limit = i64::from(limit);
    let rows = match after {
        None => {
            sqlx::query_as::<Db, UserRow>(concat!(
                "SELECT ",
                user_columns!(),
                " FROM users WHERE deleted_at IS NULL ORDER BY upn_key LIMIT $1"
            ))
            .bind(limit)
            .fetch_all(&mut *c)
            .await
        }
        Some(after) => {
            sqlx::query_as::<Db, UserRow>(concat!(
                "SELECT ",
                user_columns!(),
                " FROM users WHERE deleted_at IS NULL AND upn_key > $1 ORDER BY upn_key LIMIT $2"
            ))
            .bind(after.to_owned())
            .bind(limit)
            .fetch_all(&mut *c)
            .await
        }
    }
    .map_err(classify)?;
    Ok(load(c, rows).await?.into_iter().map(|loaded| loaded.user).collect())
}

/// How many active users there are.
pub(crate) async fn count_users(c: &mut Conn) -> Result<u64, StoreError> {
    let count: i64 = sqlx::query_scalar::<Db, i64>("SELECT COUNT(*) FROM users WHERE deleted_at IS NULL")
        .fetch_one(&mut *c)
        .await
        .map_err(classify)?;
    u64::try_from(count).map_err(|e| corrupt("user count", e))
}

/// An active user's password hash.
pub(crate) async fn password_hash(c: &mut Conn, id: UserId) -> Result<Option<PasswordHash>, StoreError> {
    let hash: Option<String> =
        sqlx::query_scalar::<Db, String>("SELECT password_hash FROM users WHERE id = $1 AND deleted_at IS NULL")
            .bind(id.0)
            .fetch_optional(&mut *c)
            .await
            .map_err(classify)?;
    Ok(hash.map(PasswordHash::from_phc))
}

/// Inserts an active user and its reserved addresses.
pub(crate) async fn insert_user(c: &mut Conn, user: &User, password: &PasswordHash) -> Result<(), StoreError> {
    let query = sqlx::query::<Db>(
        "INSERT INTO users (id, upn, upn_key, display_name, given_name, surname, mail_nickname, \
         other_mails, account_enabled, usage_location, preferred_language, job_title, department, \
         manager_id, on_premises_sync_enabled, force_change_password, display_name_key, given_name_key, \
         surname_key, mail_key, mail_nickname_key, job_title_key, department_key, usage_location_key, \
         created_at, password_hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, \
         $21, $22, $23, $24, $25, $26)",
    )
    .bind(user.id.0);
    bind_properties(query, user)
        .bind(db_time::to_db(user.created_at))
        .bind(password.as_phc().to_owned())
        .execute(&mut *c)
        .await
        .map_err(classify)?;
    replace_addresses(c, user.id, &user.proxy_addresses).await
}

/// Rewrites an active user's properties and addresses.
pub(crate) async fn update_user(c: &mut Conn, user: &User) -> Result<bool, StoreError> {
    let sql = concat!(
        "UPDATE users SET ",
        user_assignments!(),
        " WHERE id = $1 AND deleted_at IS NULL"
    );
    if !rewrite(c, sql, user).await? {
        return Ok(false);
    }
    replace_addresses(c, user.id, &user.proxy_addresses).await?;
    Ok(true)
}

/// Sets an active user's password hash and whether it must be changed at next sign-in.
pub(crate) async fn set_password(
    c: &mut Conn,
    id: UserId,
    password: &PasswordHash,
    force_change: bool,
) -> Result<(), StoreError> {
    sqlx::query::<Db>(
        "UPDATE users SET password_hash = $2, force_change_password = $3 WHERE id = $1 AND deleted_at IS NULL",
    )
    .bind(id.0)
    .bind(password.as_phc().to_owned())
    .bind(force_change)
    .execute(&mut *c)
    .await
    .map_err(classify)?;
    Ok(())
}

/// Fills every user's query keys in Rust ([`UserKeys`]) when a migration marked them pending
/// (a row in `users_rekey_pending`), so rows written before the keys existed get exactly
/// the keys new writes get. The transaction that deletes the marker does the work: on
/// PostgreSQL a second process opening the store meanwhile waits for it, then finds no
/// marker. Returns how many users were rekeyed.
pub(crate) async fn rekey_if_pending(c: &mut Conn) -> Result<u64, StoreError> {
    let claimed = sqlx::query::<Db>("DELETE FROM users_rekey_pending")
        .execute(&mut *c)
        .await
        .map_err(classify)?;
    if claimed.rows_affected() == 0 {
        return Ok(0);
    }
    let mut after: Option<Uuid> = None;
    let mut rekeyed = 0;
    loop {
        let mut query = QueryBuilder::<Db>::new(concat!("SELECT ", user_columns!(), " FROM users"));
        if let Some(after) = after {
            query.push(" WHERE id > ").push_bind(after);
        }
        query.push(" ORDER BY id LIMIT 500");
        let rows: Vec<UserRow> = query.build_query_as().fetch_all(&mut *c).await.map_err(classify)?;
        let Some(last) = rows.last() else { return Ok(rekeyed) };
        after = Some(last.id);
        for loaded in load(c, rows).await? {
            let keys = UserKeys::of(&loaded.user);
            sqlx::query::<Db>(
                "UPDATE users SET display_name_key = $2, given_name_key = $3, surname_key = $4, mail_key = $5, \
                 mail_nickname_key = $6, job_title_key = $7, department_key = $8, usage_location_key = $9 \
                 WHERE id = $1",
            )
            .bind(loaded.user.id.0)
            .bind(keys.display_name)
            .bind(keys.given_name)
            .bind(keys.surname)
            .bind(keys.mail)
            .bind(keys.mail_nickname)
            .bind(keys.job_title)
            .bind(keys.department)
            .bind(keys.usage_location)
            .execute(&mut *c)
            .await
            .map_err(classify)?;
            rekeyed += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_lists_read_back_whatever_their_texts_hold() {
        assert_eq!(unpack("").unwrap(), Vec::<&str>::new());
        assert_eq!(unpack("0:3:a:b2:☃x").unwrap(), vec!["", "a:b", "☃x"]);
        assert!(unpack("3:ab").is_err(), "too short");
        assert!(unpack("x:ab").is_err(), "no length");
    }
}
