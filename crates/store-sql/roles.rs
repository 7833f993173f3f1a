//! Admin role assignments of users: who holds what, and assigning or removing a role.

use crate::codec::role_from_text;
use crate::tx::Conn;
use crate::{Db, classify};
use directory::ids::UserId;
use directory::role::{AdminRole, RoleSet};
use directory::store::StoreError;
use uuid::Uuid;

/// Roles assigned to a user in any state.
pub(crate) async fn roles_of(c: &mut Conn, id: UserId) -> Result<RoleSet, StoreError> {
    let roles: Vec<String> = sqlx::query_scalar::<Db, String>("SELECT role FROM role_assignments WHERE user_id = $1")
        .bind(id.0)
        .fetch_all(&mut *c)
        .await
        .map_err(classify)?;
    roles.iter().map(|role| role_from_text(role)).collect()
}

/// Active users holding `role`, by id.
pub(crate) async fn role_holders(c: &mut Conn, role: AdminRole) -> Result<Vec<UserId>, StoreError> {
    let ids: Vec<Uuid> = sqlx::query_scalar::<Db, Uuid>(
        "SELECT r.user_id FROM role_assignments r JOIN users u ON u.id = r.user_id \
         WHERE r.role = $1 AND u.deleted_at IS NULL ORDER BY r.user_id",
    )
    .bind(role.template_id())
    .fetch_all(&mut *c)
    .await
    .map_err(classify)?;
    Ok(ids.into_iter().map(UserId).collect())
}

/// Assigns a role; a duplicate is a conflict.
pub(crate) async fn assign_role(c: &mut Conn, id: UserId, role: AdminRole) -> Result<(), StoreError> {
    sqlx::query::<Db>("INSERT INTO role_assignments (user_id, role) VALUES ($1, $2)")
        .bind(id.0)
        .bind(role.template_id())
        .execute(&mut *c)
        .await
        .map_err(classify)?;
    Ok(())
}

/// Removes a role assignment; false if there was none.
pub(crate) async fn unassign_role(c: &mut Conn, id: UserId, role: AdminRole) -> Result<bool, StoreError> {
    let done = sqlx::query::<Db>("DELETE FROM role_assignments WHERE user_id = $1 AND role = $2")
        .bind(id.0)
        .bind(role.template_id())
        .execute(&mut *c)
        .await
        .map_err(classify)?;
    Ok(done.rows_affected() > 0)
}
