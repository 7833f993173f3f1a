//! `/directory/deletedItems`: the recycle bin. Listing needs the user cast, in either of the
//! forms clients send (`microsoft.graph.user`, or `graph.user` from the Python SDK), and
//! takes `$filter`, `$search` and `$orderby` as `/users` does (plus `deletedDateTime`); the
//! `deletedItems` segment is matched in either case.

use super::auth::Authenticated;
use super::body::OptionalGraphJson;
use super::dto::{self, deleted_user_properties};
use super::error::GraphError;
use super::query::{QueryOptions, UserCollection};
use crate::AppState;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json, Response};
use axum::routing::{get, post};
use directory::ids::UserId;
use directory::recycle_bin::RestoreOptions;
use directory::upn::UserPrincipalName;
use serde::Deserialize;
use serde_json::Value;

pub fn routes() -> Router<AppState> {
    let mut router = Router::new();
    for segment in ["deletedItems", "deleteditems", "DeletedItems"] {
        router = router
            .route(&format!("/directory/{segment}"), get(list_without_cast))
            .route(
                &format!("/directory/{segment}/{{item}}"),
                get(list_or_get).delete(purge),
            )
            .route(&format!("/directory/{segment}/{{item}}/$count"), get(count))
            .route(&format!("/directory/{segment}/{{item}}/restore"), post(restore))
            .route(&format!("/directory/{segment}/{{item}}/{{cast}}"), get(get_as_user));
    }
    router
}

fn is_user_cast(segment: &str) -> bool {
    segment.eq_ignore_ascii_case("microsoft.graph.user") || segment.eq_ignore_ascii_case("graph.user")
}

fn parse_id(text: &str) -> Result<UserId, GraphError> {
    text.parse().map_err(|_| GraphError::not_found(text))
}

async fn list_without_cast() -> GraphError {
    GraphError::unsupported_query(
        "Searches against this resource are not supported. Only specific instances can be queried.",
    )
}

/// `…/deletedItems/{cast}` lists; `…/deletedItems/{id}` gets one.
async fn list_or_get(
    State(app): State<AppState>,
    Authenticated(caller): Authenticated,
    Path(item): Path<String>,
    query: QueryOptions,
) -> Result<Json<Value>, GraphError> {
    if !is_user_cast(&item) {
        let id = parse_id(&item)?;
        let selection = query.selection(&deleted_user_properties())?;
        let view = app.directory.deleted_user(&caller, id).await?;
        let context = format!("{}/$metadata#directoryObjects/$entity", query.base);
        return Ok(Json(dto::entity(
            context,
            dto::deleted_user(&view, selection.as_deref()),
        )));
    }
    let selection = query.selection(&deleted_user_properties())?;
    let listing = query.user_listing(UserCollection::DeletedUsers)?;
    let page = app.directory.query_deleted_users(&caller, &listing.query).await?;
    let next = page
        .next
        .map(|cursor| query.user_next_link(UserCollection::DeletedUsers, &cursor));
    let count = if listing.count {
        let condition = &listing.query.condition;
        Some(app.directory.count_deleted_users_matching(&caller, condition).await?)
    } else {
        None
    };
    let items = page
        .items
        .iter()
        .map(|view| Value::Object(dto::deleted_user(view, selection.as_deref())))
        .collect();
    let context = query.context("users", selection.as_deref());
    Ok(Json(dto::collection(context, items, count, next)))
}

async fn count(
    State(app): State<AppState>,
    Authenticated(caller): Authenticated,
    Path(item): Path<String>,
    query: QueryOptions,
) -> Result<Response, GraphError> {
    if !is_user_cast(&item) {
        return Err(GraphError::not_found(&item));
    }
    if !query.eventual {
        return Err(GraphError::bad_request("$count is not currently supported."));
    }
    let condition = query.user_count(UserCollection::DeletedUsers)?;
    let count = app.directory.count_deleted_users_matching(&caller, &condition).await?;
    Ok(([("content-type", "text/plain")], count.to_string()).into_response())
}

async fn get_as_user(
    State(app): State<AppState>,
    Authenticated(caller): Authenticated,
    Path((item, cast)): Path<(String, String)>,
    query: QueryOptions,
) -> Result<Json<Value>, GraphError> {
    if !is_user_cast(&cast) {
        return Err(GraphError::not_found(&cast));
    }
    let selection = query.selection(&deleted_user_properties())?;
    let view = app.directory.deleted_user(&caller, parse_id(&item)?).await?;
    let context = format!("{}/$entity", query.context("users", selection.as_deref()));
    let mut properties = dto::deleted_user(&view, selection.as_deref());
    properties.remove("@odata.type");
    Ok(Json(dto::entity(context, properties)))
}

/// The optional body of `restore` (v1.0 docs, 2025).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RestoreBody {
    new_user_principal_name: Option<String>,
    #[serde(default)]
    auto_reconcile_proxy_conflict: bool,
}

async fn restore(
    State(app): State<AppState>,
    Authenticated(caller): Authenticated,
    Path(item): Path<String>,
    query: QueryOptions,
    OptionalGraphJson(body): OptionalGraphJson<RestoreBody>,
) -> Result<Json<Value>, GraphError> {
    let id = parse_id(&item)?;
    let mut options = RestoreOptions::default();
    if let Some(body) = body {
        options.new_upn = body
            .new_user_principal_name
            .as_deref()
            .map(UserPrincipalName::parse)
            .transpose()?;
        options.auto_reconcile_proxies = body.auto_reconcile_proxy_conflict;
    }
    let restored = app.directory.restore_user(&caller, id, options).await?;
    let mut properties = dto::user(&restored.user, None);
    properties.insert("@odata.type".into(), "#microsoft.graph.user".into());
    let context = format!("{}/$metadata#directoryObjects/$entity", query.base);
    Ok(Json(dto::entity(context, properties)))
}

async fn purge(
    State(app): State<AppState>,
    Authenticated(caller): Authenticated,
    Path(item): Path<String>,
) -> Result<StatusCode, GraphError> {
    if is_user_cast(&item) {
        return Err(GraphError::bad_request("Only specific instances can be deleted."));
    }
    app.directory.purge_deleted_user(&caller, parse_id(&item)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
