//! Groups, their mail address (one reserved `proxy_addresses` row), members and owners.

use crate::codec::corrupt;
use crate::db_time::{self, Stored};
use crate::tx::Conn;
use crate::{Db, classify};
use directory::address::ProxyAddress;
use directory::group::{Group, GroupRef};
use directory::ids::{GroupId, UserId};
use directory::store::StoreError;
use sqlx::QueryBuilder;
use std::collections::HashMap;
use uuid::Uuid;

/// Which link table a membership query is about.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Link {
    /// `group_members`.
    Member,
    /// `group_owners`.
    Owner,
}

#[derive(sqlx::FromRow)]
struct GroupRow {
    id: Uuid,
    display_name: String,
    mail_nickname: String,
    description: Option<String>,
    created_at: Stored,
    mail: Option<String>,
}

impl GroupRow {
    fn decode(self) -> Result<Group, StoreError> {
        let mail = match self.mail.as_deref().map(ProxyAddress::parse).transpose() {
            Ok(address) => address.and_then(|address| address.smtp_address().cloned()),
            Err(e) => return Err(corrupt("group mail", e)),
        };
        Ok(Group {
            id: GroupId(self.id),
            display_name: self.display_name,
            mail_nickname: self.mail_nickname,
            description: self.description,
            mail,
            created_at: db_time::from_db(self.created_at)?,
        })
    }
}

/// A group with its mail address.
pub(crate) async fn group(c: &mut Conn, id: GroupId) -> Result<Option<Group>, StoreError> {
    let row = sqlx::query_as::<Db, GroupRow>(
        "SELECT g.id, g.display_name, g.mail_nickname, g.description, g.created_at, p.address AS mail \
         FROM groups g LEFT JOIN proxy_addresses p ON p.group_id = g.id WHERE g.id = $1",
    )
    .bind(id.0)
    .fetch_optional(&mut *c)
    .await
    .map_err(classify)?;
    row.map(GroupRow::decode).transpose()
}

/// All groups, by display name.
pub(crate) async fn groups(c: &mut Conn) -> Result<Vec<Group>, StoreError> {
    let rows = sqlx::query_as::<Db, GroupRow>(
        "SELECT g.id, g.display_name, g.mail_nickname, g.description, g.created_at, p.address AS mail \
         FROM groups g LEFT JOIN proxy_addresses p ON p.group_id = g.id ORDER BY g.display_name, g.id",
    )
    .fetch_all(&mut *c)
    .await
    .map_err(classify)?;
    rows.into_iter().map(GroupRow::decode).collect()
}

/// Inserts a group and reserves its mail address.
pub(crate) async fn insert_group(c: &mut Conn, group: &Group) -> Result<(), StoreError> {
    sqlx::query::<Db>(
        "INSERT INTO groups (id, display_name, mail_nickname, description, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(group.id.0)
    .bind(group.display_name.clone())
    .bind(group.mail_nickname.clone())
    .bind(group.description.clone())
    .bind(db_time::to_db(group.created_at))
    .execute(&mut *c)
    .await
    .map_err(classify)?;
    if let Some(mail) = &group.mail {
        let address = ProxyAddress::primary(mail.clone());
        sqlx::query::<Db>(
            "INSERT INTO proxy_addresses (group_id, position, address, address_key, reserved) \
             VALUES ($1, 0, $2, $3, TRUE)",
        )
        .bind(group.id.0)
        .bind(address.to_string())
        .bind(address.key())
        .execute(&mut *c)
        .await
        .map_err(classify)?;
    }
    Ok(())
}

/// Deletes a group with its links and address; remembered memberships stay.
pub(crate) async fn delete_group(c: &mut Conn, id: GroupId) -> Result<bool, StoreError> {
    let done = sqlx::query::<Db>("DELETE FROM groups WHERE id = $1")
        .bind(id.0)
        .execute(&mut *c)
        .await
        .map_err(classify)?;
    Ok(done.rows_affected() > 0)
}

/// Adds a member or owner; a duplicate is a conflict.
pub(crate) async fn link(c: &mut Conn, group: GroupId, user: UserId, link: Link) -> Result<(), StoreError> {
    let sql = match link {
        Link::Member => "INSERT INTO group_members (group_id, user_id) VALUES ($1, $2)",
        Link::Owner => "INSERT INTO group_owners (group_id, user_id) VALUES ($1, $2)",
    };
    sqlx::query::<Db>(sql)
        .bind(group.0)
        .bind(user.0)
        .execute(&mut *c)
        .await
        .map_err(classify)?;
    Ok(())
}

/// Removes a member or owner; false if there was no such link.
pub(crate) async fn unlink(c: &mut Conn, group: GroupId, user: UserId, link: Link) -> Result<bool, StoreError> {
    let sql = match link {
        Link::Member => "DELETE FROM group_members WHERE group_id = $1 AND user_id = $2",
        Link::Owner => "DELETE FROM group_owners WHERE group_id = $1 AND user_id = $2",
    };
    let done = sqlx::query::<Db>(sql)
        .bind(group.0)
        .bind(user.0)
        .execute(&mut *c)
        .await
        .map_err(classify)?;
    Ok(done.rows_affected() > 0)
}

/// Active members or owners of a group, by id.
pub(crate) async fn members(c: &mut Conn, group: GroupId, link: Link) -> Result<Vec<UserId>, StoreError> {
    let sql = match link {
        Link::Member => {
            "SELECT l.user_id FROM group_members l JOIN users u ON u.id = l.user_id \
             WHERE l.group_id = $1 AND u.deleted_at IS NULL ORDER BY l.user_id"
        }
        Link::Owner => {
            "SELECT l.user_id FROM group_owners l JOIN users u ON u.id = l.user_id \
             WHERE l.group_id = $1 AND u.deleted_at IS NULL ORDER BY l.user_id"
        }
    };
    let ids: Vec<Uuid> = sqlx::query_scalar::<Db, Uuid>(sql)
        .bind(group.0)
        .fetch_all(&mut *c)
        .await
        .map_err(classify)?;
    Ok(ids.into_iter().map(UserId).collect())
}

/// Groups a user in any state is a member of, by display name.
pub(crate) async fn groups_of(c: &mut Conn, user: UserId) -> Result<Vec<GroupRef>, StoreError> {
    group_refs(
        c,
        "SELECT g.id, g.display_name FROM group_members m JOIN groups g ON g.id = m.group_id \
         WHERE m.user_id = $1 ORDER BY g.display_name, g.id",
        user,
    )
    .await
}

/// The groups each of `ids` is a member of, by user.
pub(crate) async fn groups_of_users(
    c: &mut Conn,
    ids: &[UserId],
) -> Result<HashMap<UserId, Vec<GroupRef>>, StoreError> {
    let mut groups: HashMap<UserId, Vec<GroupRef>> = HashMap::new();
    if ids.is_empty() {
        return Ok(groups);
    }
    let mut query = QueryBuilder::<Db>::new(
        "SELECT m.user_id, g.id, g.display_name FROM group_members m JOIN groups g ON g.id = m.group_id \
         WHERE m.user_id IN (",
    );
    let mut list = query.separated(", ");
    for id in ids {
        list.push_bind(id.0);
    }
    query.push(") ORDER BY m.user_id, g.display_name, g.id");
    let rows: Vec<(Uuid, Uuid, String)> = query.build_query_as().fetch_all(&mut *c).await.map_err(classify)?;
    for (user, id, display_name) in rows {
        let group = GroupRef {
            id: GroupId(id),
            display_name,
        };
        groups.entry(UserId(user)).or_default().push(group);
    }
    Ok(groups)
}

/// Runs a query selecting `(group id, display name)` rows for one user.
pub(crate) async fn group_refs(c: &mut Conn, sql: &'static str, user: UserId) -> Result<Vec<GroupRef>, StoreError> {
    let rows: Vec<(Uuid, String)> = sqlx::query_as::<Db, (Uuid, String)>(sql)
        .bind(user.0)
        .fetch_all(&mut *c)
        .await
        .map_err(classify)?;
    Ok(rows
        .into_iter()
        .map(|(id, display_name)| GroupRef {
            id: GroupId(id),
            display_name,
        })
        .collect())
}
