//! Directory roles (the legacy `directoryRoles` API): list, members, and `members/$ref`.
//! A role's `id` is its template id, the same in every Roster instance.

use super::auth::Authenticated;
use super::body::GraphJson;
use super::dto;
use super::error::GraphError;
use super::query::QueryOptions;
use super::refs::{Reference, path_id};
use crate::AppState;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Json;
use axum::routing::{delete, get, post};
use directory::role::AdminRole;
use serde_json::{Value, json};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/directoryRoles", get(list))
        .route("/directoryRoles/{id}", get(get_one))
        .route("/directoryRoles/{id}/members", get(members))
        .route("/directoryRoles/{id}/members/$ref", post(add_member))
        .route("/directoryRoles/{id}/members/{user}/$ref", delete(remove_member))
}

fn role(id: &str) -> Result<AdminRole, GraphError> {
    AdminRole::parse(id).ok_or_else(|| GraphError::not_found(id))
}

fn role_json(role: AdminRole) -> Value {
    json!({
        "id": role.template_id(),
        "deletedDateTime": null,
        "displayName": role.display_name(),
        "description": format!("Built-in role: {}.", role.display_name()),
        "roleTemplateId": role.template_id(),
    })
}

async fn list(Authenticated(_caller): Authenticated, query: QueryOptions) -> Json<Value> {
    let items = AdminRole::ALL.iter().copied().map(role_json).collect();
    Json(dto::collection(
        query.context("directoryRoles", None),
        items,
        None,
        None,
    ))
}

async fn get_one(
    Authenticated(_caller): Authenticated,
    Path(id): Path<String>,
    query: QueryOptions,
) -> Result<Json<Value>, GraphError> {
    let mut payload = role_json(role(&id)?);
    payload["@odata.context"] = format!("{}/$entity", query.context("directoryRoles", None)).into();
    Ok(Json(payload))
}

async fn members(
    State(app): State<AppState>,
    Authenticated(caller): Authenticated,
    Path(id): Path<String>,
    query: QueryOptions,
) -> Result<Json<Value>, GraphError> {
    let holders = app.directory.role_holders(&caller, role(&id)?).await?;
    let items = super::groups::directory_objects(&app.directory, &caller, &holders).await?;
    Ok(Json(dto::collection(
        query.context("directoryObjects", None),
        items,
        None,
        None,
    )))
}

async fn add_member(
    State(app): State<AppState>,
    Authenticated(caller): Authenticated,
    Path(id): Path<String>,
    GraphJson(reference): GraphJson<Reference>,
) -> Result<StatusCode, GraphError> {
    app.directory.assign_role(&caller, reference.id()?, role(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn remove_member(
    State(app): State<AppState>,
    Authenticated(caller): Authenticated,
    Path((id, user)): Path<(String, String)>,
) -> Result<StatusCode, GraphError> {
    app.directory
        .unassign_role(&caller, path_id(&user)?, role(&id)?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
