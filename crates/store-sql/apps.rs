//! App registrations and their client secrets; an app's tokens are in `records.rs`.

use crate::codec::{roles_from_text, roles_to_text};
use crate::db_time::{self, Stored};
use crate::tx::Conn;
use crate::{Db, classify};
use directory::app::{AppRegistration, AppSecretRecord};
use directory::ids::{AppId, AppSecretId};
use directory::role::RoleSet;
use directory::store::StoreError;
use uuid::Uuid;

/// The app columns, then the rest of the query.
macro_rules! select_apps {
    ($rest:literal) => {
        concat!(
            "SELECT id, client_id, display_name, roles, created_at FROM apps ",
            $rest
        )
    };
}

#[derive(sqlx::FromRow)]
struct AppRow {
    id: Uuid,
    client_id: Uuid,
    display_name: String,
    roles: String,
    created_at: Stored,
}

impl AppRow {
    fn into_app(self) -> Result<AppRegistration, StoreError> {
        Ok(AppRegistration {
            id: AppId(self.id),
            client_id: self.client_id,
            display_name: self.display_name,
            roles: roles_from_text(&self.roles)?,
            created_at: db_time::from_db(self.created_at)?,
        })
    }
}

pub(crate) async fn app(c: &mut Conn, id: AppId) -> Result<Option<AppRegistration>, StoreError> {
    let row = sqlx::query_as::<Db, AppRow>(select_apps!("WHERE id = $1"))
        .bind(id.0)
        .fetch_optional(&mut *c)
        .await
        .map_err(classify)?;
    row.map(AppRow::into_app).transpose()
}

pub(crate) async fn app_by_client_id(c: &mut Conn, client_id: Uuid) -> Result<Option<AppRegistration>, StoreError> {
    let row = sqlx::query_as::<Db, AppRow>(select_apps!("WHERE client_id = $1"))
        .bind(client_id)
        .fetch_optional(&mut *c)
        .await
        .map_err(classify)?;
    row.map(AppRow::into_app).transpose()
}

pub(crate) async fn apps(c: &mut Conn) -> Result<Vec<AppRegistration>, StoreError> {
    let rows = sqlx::query_as::<Db, AppRow>(select_apps!("ORDER BY display_name, id"))
        .fetch_all(&mut *c)
        .await
        .map_err(classify)?;
    rows.into_iter().map(AppRow::into_app).collect()
}

pub(crate) async fn insert_app(c: &mut Conn, app: &AppRegistration) -> Result<(), StoreError> {
    sqlx::query::<Db>("INSERT INTO apps (id, client_id, display_name, roles, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(app.id.0)
        .bind(app.client_id)
        .bind(app.display_name.clone())
        .bind(roles_to_text(&app.roles))
        .bind(db_time::to_db(app.created_at))
        .execute(&mut *c)
        .await
        .map_err(classify)?;
    Ok(())
}

pub(crate) async fn update_app_roles(c: &mut Conn, id: AppId, roles: &RoleSet) -> Result<bool, StoreError> {
    let done = sqlx::query::<Db>("UPDATE apps SET roles = $2 WHERE id = $1")
        .bind(id.0)
        .bind(roles_to_text(roles))
        .execute(&mut *c)
        .await
        .map_err(classify)?;
    Ok(done.rows_affected() > 0)
}

/// Deletes an app; its secrets and tokens go with it (`ON DELETE CASCADE`).
pub(crate) async fn delete_app(c: &mut Conn, id: AppId) -> Result<bool, StoreError> {
    let done = sqlx::query::<Db>("DELETE FROM apps WHERE id = $1")
        .bind(id.0)
        .execute(&mut *c)
        .await
        .map_err(classify)?;
    Ok(done.rows_affected() > 0)
}

#[derive(sqlx::FromRow)]
struct SecretRow {
    id: Uuid,
    app_id: Uuid,
    hash: String,
    hint: String,
    created_at: Stored,
    expires_at: Stored,
}

pub(crate) async fn app_secrets(c: &mut Conn, id: AppId) -> Result<Vec<AppSecretRecord>, StoreError> {
    let rows = sqlx::query_as::<Db, SecretRow>(
        "SELECT id, app_id, hash, hint, created_at, expires_at FROM app_secrets WHERE app_id = $1 ORDER BY id",
    )
    .bind(id.0)
    .fetch_all(&mut *c)
    .await
    .map_err(classify)?;
    rows.into_iter()
        .map(|row| {
            Ok(AppSecretRecord {
                id: AppSecretId(row.id),
                app: AppId(row.app_id),
                hash: row.hash,
                hint: row.hint,
                created_at: db_time::from_db(row.created_at)?,
                expires_at: db_time::from_db(row.expires_at)?,
            })
        })
        .collect()
}

pub(crate) async fn insert_app_secret(c: &mut Conn, secret: &AppSecretRecord) -> Result<(), StoreError> {
    sqlx::query::<Db>(
        "INSERT INTO app_secrets (id, app_id, hash, hint, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(secret.id.0)
    .bind(secret.app.0)
    .bind(secret.hash.clone())
    .bind(secret.hint.clone())
    .bind(db_time::to_db(secret.created_at))
    .bind(db_time::to_db(secret.expires_at))
    .execute(&mut *c)
    .await
    .map_err(classify)?;
    Ok(())
}
