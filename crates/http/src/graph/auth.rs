//! Bearer tokens: `Authorization: Bearer <token>` becomes the [`Caller`] every handler
//! passes to the domain. A missing, unknown, expired or revoked token is a Graph 401.

use super::error::GraphError;
use crate::AppState;
use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use directory::Caller;
use directory::token::TokenSecret;

/// The authenticated caller of a request.
#[derive(Debug, Clone)]
pub struct Authenticated(pub Caller);

impl FromRequestParts<AppState> for Authenticated {
    type Rejection = GraphError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let value = parts.headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
        let Some(value) = value.filter(|v| !v.trim().is_empty()) else {
            return Err(GraphError::unauthenticated("Access token is empty."));
        };
        let token = value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
            .map(str::trim)
            .filter(|token| !token.is_empty() && token.len() <= 512)
            .ok_or_else(|| GraphError::unauthenticated("Access token validation failure. Invalid audience."))?;
        match state.directory.authenticate(&TokenSecret::presented(token)).await {
            Ok(caller) => Ok(Authenticated(caller)),
            Err(directory::Error::Unauthenticated) => Err(GraphError::unauthenticated(
                "Access token validation failure: the token is unknown, expired or revoked.",
            )),
            Err(other) => Err(other.into()),
        }
    }
}
