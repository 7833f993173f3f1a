//! JSON request bodies in Graph's dialect: malformed JSON, unknown or wrongly typed
//! properties and a wrong content type are Graph 400s, an oversized body a 413, never
//! axum's plain-text rejections.

use super::error::GraphError;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use serde::de::DeserializeOwned;

/// Largest accepted request body.
pub const MAX_BODY: usize = 1024 * 1024;

/// A JSON body parsed into `T` (which should `deny_unknown_fields`).
#[derive(Debug)]
pub struct GraphJson<T>(pub T);

/// An optional JSON body: `None` for an empty body (as the Python SDK sends on restore).
#[derive(Debug)]
pub struct OptionalGraphJson<T>(pub Option<T>);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for GraphJson<T> {
    type Rejection = GraphError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match OptionalGraphJson::<T>::from_request(request, state).await? {
            OptionalGraphJson(Some(value)) => Ok(GraphJson(value)),
            OptionalGraphJson(None) => Err(GraphError::bad_request("Empty Payload. JSON content expected.")),
        }
    }
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for OptionalGraphJson<T> {
    type Rejection = GraphError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let content_type = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok());
        let is_json = content_type.is_some_and(|t| t.trim_start().to_ascii_lowercase().starts_with("application/json"));
        let has_type = content_type.is_some();
        let bytes = Bytes::from_request(request, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                GraphError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "Request_EntityTooLarge",
                    format!("The request body is larger than {MAX_BODY} bytes."),
                )
            } else {
                GraphError::bad_request(format!("The request body could not be read: {rejection}"))
            }
        })?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(OptionalGraphJson(None));
        }
        if has_type && !is_json {
            return Err(GraphError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Request_BadRequest",
                "The Content-Type must be application/json.",
            ));
        }
        serde_json::from_slice(&bytes)
            .map(|value| OptionalGraphJson(Some(value)))
            .map_err(|error| GraphError::bad_request(format!("Invalid request body: {error}.")))
    }
}
