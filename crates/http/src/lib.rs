//! Roster's HTTP surface: the only crate that knows HTTP.
//!
//! - `/health`: whether the database answers.
//! - [`graph`]: the Microsoft Graph v1.0 API (and `/beta`).
//! - [`roster_api`]: Roster's own endpoints under `/roster/v1` (bulk restore, preview).
//! - [`oauth`]: the OAuth 2.0 client-credentials token endpoint for app registrations.
//! - [`access_log`]: one log line per denied, throttled or failed request (the rest at
//!   `debug`), for the whole application.
//!
//! Every module calls the same [`Directory`] use cases as every other adapter.

pub mod access_log;
pub mod graph;
pub mod oauth;
pub mod roster_api;
pub mod throttle;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json};
use axum::routing::get;
use directory::{Directory, Kind};
use serde_json::json;

/// Everything a request handler needs. Cheap to clone.
#[derive(Debug, Clone)]
pub struct AppState {
    pub directory: Directory,
    pub throttle: throttle::Throttle,
}

impl AppState {
    /// The state with the default rate limit.
    pub fn new(directory: Directory) -> Self {
        AppState {
            directory,
            throttle: throttle::Throttle::new(Some(throttle::RateLimit::DEFAULT)),
        }
    }
}

/// The whole HTTP application.
pub fn router(state: AppState) -> Router {
    let throttled = Router::new()
        .merge(graph::routes())
        .merge(roster_api::routes())
        .merge(oauth::routes())
        .layer(axum::middleware::from_fn_with_state(state.clone(), throttle::throttle))
        .layer(axum::middleware::from_fn(graph::error::request_ids));
    Router::new()
        .route("/health", get(health))
        .merge(throttled)
        .with_state(state)
}

/// 200 when the database answers and the tenant exists; 503 with `Retry-After` otherwise.
async fn health(State(state): State<AppState>) -> axum::response::Response {
    match state.directory.tenant().await {
        Ok(tenant) => Json(json!({"status": "ok", "organization": tenant.name})).into_response(),
        Err(error) => {
            let status = match error.kind() {
                Kind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
                _ => StatusCode::INTERNAL_SERVER_ERROR,
            };
            tracing::warn!(%error, "health check failed");
            let body = json!({"status": "unavailable", "code": error.code().as_str()});
            (status, [("retry-after", "5")], Json(body)).into_response()
        }
    }
}
