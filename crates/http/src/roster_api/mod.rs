//! Roster's own API, beside Graph, under `/roster/v1`: what Graph has no call for.
//!
//! - `POST /roster/v1/recycleBin/restore`: bulk restore with the admin center's options
//!   (new UPN, replace the active holder, auto-reconcile, password), one result per user.
//! - `POST /roster/v1/recycleBin/preview`: what that restore would do, changing nothing.
//! - `GET /roster/v1/mail`: the mail log (queued, sending, sent, failed with the SMTP answer).
//! - `GET /roster/v1/replicas`: the servers sharing the database and when each last checked in.
//! - `GET /roster/v1/openapi.json`: the OpenAPI 3.1 description of these endpoints.
//!
//! Authentication and errors are as for Graph: a bearer token, and Graph's error envelope.

mod mail;
mod replicas;
mod restore;

use crate::AppState;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::response::IntoResponse;
use axum::routing::{get, post};

/// The largest bulk restore accepted in one request.
pub const MAX_USERS: usize = 10_000;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/roster/v1/recycleBin/restore", post(restore::restore))
        .route("/roster/v1/recycleBin/preview", post(restore::preview))
        .route("/roster/v1/openapi.json", get(openapi))
        .route("/roster/v1/mail", get(mail::log))
        .route("/roster/v1/replicas", get(replicas::list))
        .layer(DefaultBodyLimit::max(8 * 1024 * 1024))
}

async fn openapi() -> impl IntoResponse {
    ([("content-type", "application/json")], include_str!("openapi.json"))
}
