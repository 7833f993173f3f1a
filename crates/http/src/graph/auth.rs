//! Bearer tokens: `Authorization: Bearer <token>` becomes the [`Caller`] every handler
//! passes to the domain. A missing, malformed, unknown, expired or revoked token is a Graph
//! 401 with one message for all presented tokens; two `Authorization` headers count as none.
//! The caller carries the request's [`Origin`] (client address, request id) into its audit
//! records.

use super::error::GraphError;
use crate::AppState;
use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use directory::token::TokenSecret;
use directory::{Caller, Origin};

/// The authenticated caller of a request.
#[derive(Debug, Clone)]
pub struct Authenticated(pub Caller);

impl FromRequestParts<AppState> for Authenticated {
    type Rejection = GraphError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let mut values = parts.headers.get_all(header::AUTHORIZATION).iter();
        let (Some(value), None) = (values.next(), values.next()) else {
            return Err(GraphError::unauthenticated("Access token is empty."));
        };
        let value = value.to_str().map_err(|_| invalid())?;
        if value.trim().is_empty() {
            return Err(GraphError::unauthenticated("Access token is empty."));
        }
        let token = value
            .split_once(' ')
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim())
            .filter(|token| !token.is_empty() && token.len() <= 512)
            .ok_or_else(invalid)?;
        match state.directory.authenticate(&TokenSecret::presented(token)).await {
            Ok(caller) => {
                let origin = parts.extensions.get::<Origin>().cloned().unwrap_or_default();
                Ok(Authenticated(caller.with_origin(origin)))
            }
            Err(directory::Error::Unauthenticated) => Err(invalid()),
            Err(other) => Err(other.into()),
        }
    }
}

/// The one answer for every token that is not good, whatever is wrong with it, so the
/// answer tells nothing about how close a guess came.
fn invalid() -> GraphError {
    GraphError::unauthenticated("Access token validation failure: the token is unknown, expired or revoked.")
}
