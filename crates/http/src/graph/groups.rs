//! Groups and links between objects: `/groups` with `members` and `owners` (`$ref` to add
//! and remove), `/users/{id}/memberOf`, and `/users/{id}/manager`.

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
use axum::response::{IntoResponse, Json, Response};
use axum::routing::{delete, get, post, put};
use directory::address::EmailAddress;
use directory::group::{Group, GroupLink, NewGroup};
use directory::ids::{GroupId, UserId};
use directory::user::UserUpdate;
use directory::{Caller, Directory};
use serde::Deserialize;
use serde_json::{Value, json};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/groups", get(list).post(create))
        .route("/groups/{id}", get(get_one).delete(remove))
        .route("/groups/{id}/{link}", get(links))
        .route("/groups/{id}/{link}/$ref", post(add_link))
        .route("/groups/{id}/{link}/{user}/$ref", delete(remove_link))
        .route("/users/{key}/memberOf", get(member_of))
        .route("/users/{key}/manager", get(manager))
        .route("/users/{key}/manager/$ref", put(set_manager).delete(remove_manager))
}

fn group_json(group: &Group) -> Value {
    json!({
        "id": group.id.to_string(),
        "displayName": group.display_name,
        "mailNickname": group.mail_nickname,
        "description": group.description,
        "mail": group.mail.as_ref().map(ToString::to_string),
        "mailEnabled": group.mail.is_some(),
        "securityEnabled": true,
        "groupTypes": [],
        "createdDateTime": dto::graph_time(group.created_at),
    })
}

async fn list(
    State(app): State<AppState>,
    Authenticated(caller): Authenticated,
    query: QueryOptions,
) -> Result<Json<Value>, GraphError> {
    let groups = app.directory.groups(&caller).await?;
    let items = groups.iter().map(group_json).collect();
    Ok(Json(dto::collection(query.context("groups", None), items, None, None)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct CreateGroup {
    #[serde(rename = "@odata.type")]
    _odata_type: Option<String>,
    display_name: String,
    mail_nickname: String,
    description: Option<String>,
    mail: Option<String>,
    #[serde(default)]
    mail_enabled: bool,
    #[serde(default = "yes")]
    security_enabled: bool,
    #[serde(default)]
    group_types: Vec<String>,
}

fn yes() -> bool {
    true
}

async fn create(
    State(app): State<AppState>,
    Authenticated(caller): Authenticated,
    query: QueryOptions,
    GraphJson(body): GraphJson<CreateGroup>,
) -> Result<Response, GraphError> {
    if !body.security_enabled || !body.group_types.is_empty() || body.mail_enabled != body.mail.is_some() {
        return Err(GraphError::bad_request(
            "Only security groups are supported: securityEnabled true, no groupTypes, and mailEnabled only with a mail address.",
        ));
    }
    let new = NewGroup {
        display_name: body.display_name,
        mail_nickname: body.mail_nickname,
        description: body.description,
        mail: body.mail.as_deref().map(EmailAddress::parse).transpose()?,
    };
    let group = app.directory.create_group(&caller, new).await?;
    let mut payload = group_json(&group);
    payload["@odata.context"] = format!("{}/$entity", query.context("groups", None)).into();
    Ok((StatusCode::CREATED, Json(payload)).into_response())
}

async fn get_one(
    State(app): State<AppState>,
    Authenticated(caller): Authenticated,
    Path(id): Path<String>,
    query: QueryOptions,
) -> Result<Json<Value>, GraphError> {
    let group = app.directory.group(&caller, path_id(&id)?).await?;
    let mut payload = group_json(&group);
    payload["@odata.context"] = format!("{}/$entity", query.context("groups", None)).into();
    Ok(Json(payload))
}

async fn remove(
    State(app): State<AppState>,
    Authenticated(caller): Authenticated,
    Path(id): Path<String>,
) -> Result<StatusCode, GraphError> {
    app.directory.delete_group(&caller, path_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `members` or `owners`, as the path names them.
fn link(segment: &str) -> Result<GroupLink, GraphError> {
    match segment {
        "members" => Ok(GroupLink::Member),
        "owners" => Ok(GroupLink::Owner),
        other => Err(GraphError::bad_request(format!(
            "Resource not found for the segment '{other}'."
        ))),
    }
}

/// Users as `directoryObject`s with `@odata.type`, as `members` and role members return them.
pub(crate) async fn directory_objects(
    directory: &Directory,
    caller: &Caller,
    ids: &[UserId],
) -> Result<Vec<Value>, GraphError> {
    let mut items = Vec::with_capacity(ids.len());
    for id in ids {
        let user = directory.user(caller, *id).await?;
        let mut properties = dto::user(&user, None);
        properties.insert("@odata.type".into(), "#microsoft.graph.user".into());
        items.push(Value::Object(properties));
    }
    Ok(items)
}

async fn links(
    State(app): State<AppState>,
    Authenticated(caller): Authenticated,
    Path((id, segment)): Path<(String, String)>,
    query: QueryOptions,
) -> Result<Json<Value>, GraphError> {
    let ids = app
        .directory
        .group_links(&caller, path_id(&id)?, link(&segment)?)
        .await?;
    let items = directory_objects(&app.directory, &caller, &ids).await?;
    Ok(Json(dto::collection(
        query.context("directoryObjects", None),
        items,
        None,
        None,
    )))
}

async fn add_link(
    State(app): State<AppState>,
    Authenticated(caller): Authenticated,
    Path((id, segment)): Path<(String, String)>,
    GraphJson(reference): GraphJson<Reference>,
) -> Result<StatusCode, GraphError> {
    let group: GroupId = path_id(&id)?;
    app.directory
        .add_to_group(&caller, group, link(&segment)?, reference.id()?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn remove_link(
    State(app): State<AppState>,
    Authenticated(caller): Authenticated,
    Path((id, segment, user)): Path<(String, String, String)>,
) -> Result<StatusCode, GraphError> {
    app.directory
        .remove_from_group(&caller, path_id(&id)?, link(&segment)?, path_id(&user)?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn member_of(
    State(app): State<AppState>,
    Authenticated(caller): Authenticated,
    Path(key): Path<String>,
    query: QueryOptions,
) -> Result<Json<Value>, GraphError> {
    let user = app.directory.user_by_id_or_upn(&caller, &key).await?;
    let refs = app.directory.member_of(&caller, user.id).await?;
    let mut items = Vec::with_capacity(refs.len());
    for group_ref in refs {
        let mut group = group_json(&app.directory.group(&caller, group_ref.id).await?);
        group["@odata.type"] = "#microsoft.graph.group".into();
        items.push(group);
    }
    Ok(Json(dto::collection(
        query.context("directoryObjects", None),
        items,
        None,
        None,
    )))
}

async fn manager(
    State(app): State<AppState>,
    Authenticated(caller): Authenticated,
    Path(key): Path<String>,
    query: QueryOptions,
) -> Result<Json<Value>, GraphError> {
    let user = app.directory.user_by_id_or_upn(&caller, &key).await?;
    let manager_id = user.manager_id.ok_or_else(|| GraphError::not_found("manager"))?;
    let manager = app
        .directory
        .user(&caller, manager_id)
        .await
        .map_err(|_| GraphError::not_found("manager"))?;
    let mut properties = dto::user(&manager, None);
    properties.insert("@odata.type".into(), "#microsoft.graph.user".into());
    Ok(Json(dto::entity(
        format!("{}/$metadata#directoryObjects/$entity", query.base),
        properties,
    )))
}

async fn change_manager(
    app: &AppState,
    caller: &Caller,
    key: &str,
    manager: Option<UserId>,
) -> Result<StatusCode, GraphError> {
    let user = app.directory.user_by_id_or_upn(caller, key).await?;
    let update = UserUpdate {
        manager_id: Some(manager),
        ..UserUpdate::default()
    };
    app.directory.update_user(caller, user.id, update).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn set_manager(
    State(app): State<AppState>,
    Authenticated(caller): Authenticated,
    Path(key): Path<String>,
    GraphJson(reference): GraphJson<Reference>,
) -> Result<StatusCode, GraphError> {
    change_manager(&app, &caller, &key, Some(reference.id()?)).await
}

async fn remove_manager(
    State(app): State<AppState>,
    Authenticated(caller): Authenticated,
    Path(key): Path<String>,
) -> Result<StatusCode, GraphError> {
    change_manager(&app, &caller, &key, None).await
}
