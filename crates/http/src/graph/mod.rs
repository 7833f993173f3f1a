//! The Microsoft Graph v1.0 surface, also served under `/beta`.
//!
//! - [`users`] serves `/users` (create, list, count, get, update, delete).
//! - [`deleted_items`] serves `/directory/deletedItems` (the recycle bin: list, count, get,
//!   restore, permanent delete).
//! - [`licenses`] serves `/subscribedSkus`, `assignLicense`, `licenseDetails`.
//! - [`groups`] serves `/groups` with members and owners, `memberOf`, `manager`.
//! - [`roles`] serves `/directoryRoles` and their members.
//! - [`audit`] serves `/auditLogs/directoryAudits`.
//! - [`batch`] serves `/$batch`, up to 20 requests in one.
//! - [`auth`], [`body`], [`query`] and [`refs`] are extractors that speak Graph's error dialect.
//! - [`dto`] shapes users as Graph JSON, and [`error`] renders the error envelope.
//! - [`odata`] parses `$filter`, `$orderby`, `$select`, `$top`, `$count` and `$search`.

pub mod audit;
pub mod auth;
pub mod batch;
pub mod body;
pub mod deleted_items;
pub mod dto;
pub mod error;
pub mod groups;
pub mod licenses;
pub mod odata;
pub mod query;
pub mod refs;
pub mod roles;
pub mod users;

use crate::AppState;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{StatusCode, Uri};
use axum::middleware;
use error::GraphError;

/// Every resource route, with Graph errors for unknown routes and methods.
fn resources() -> Router<AppState> {
    Router::new()
        .merge(users::routes())
        .merge(deleted_items::routes())
        .merge(licenses::routes())
        .merge(groups::routes())
        .merge(roles::routes())
        .merge(audit::routes())
        .fallback(unknown_route)
        .method_not_allowed_fallback(method_not_allowed)
}

/// `/v1.0` and `/beta`, with `$batch` and the body limit. The caller adds
/// [`error::request_ids`] around it (outside throttling, so a 429 is rendered too).
pub fn routes() -> Router<AppState> {
    let api = resources().merge(batch::routes());
    Router::new()
        .nest("/v1.0", api.clone())
        .nest("/beta", api)
        .layer(DefaultBodyLimit::max(body::MAX_BODY))
}

/// The router a batch sends its requests through: one version, no nested `$batch`.
pub(crate) fn inner_router(version: &str) -> Router<AppState> {
    Router::new()
        .nest(&format!("/{version}"), resources())
        .layer(DefaultBodyLimit::max(body::MAX_BODY))
        .layer(middleware::from_fn(error::request_ids))
}

async fn unknown_route(uri: Uri) -> GraphError {
    GraphError::new(
        StatusCode::BAD_REQUEST,
        "BadRequest",
        format!(
            "Resource not found for the segment '{}'.",
            uri.path().rsplit('/').next().unwrap_or("")
        ),
    )
}

async fn method_not_allowed() -> GraphError {
    GraphError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "Request_BadRequest",
        "The HTTP method is not allowed on this resource.",
    )
}
