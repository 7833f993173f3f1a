//! The OAuth 2.0 client-credentials token endpoint, as Microsoft identity platform's v2.0
//! endpoint speaks it: `POST [/{tenant}]/oauth2/v2.0/token` with a form body, the client
//! authenticated by `client_secret` in the body or HTTP Basic, errors per RFC 6749 §5.2.

use crate::AppState;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::post;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use directory::app::APP_TOKEN_LIFETIME;
use directory::upn::DomainName;
use serde_json::json;
use std::collections::HashMap;
use uuid::Uuid;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/oauth2/v2.0/token", post(token))
        .route("/{tenant}/oauth2/v2.0/token", post(tenant_token))
}

/// An error in OAuth 2.0's dialect.
#[derive(Debug)]
struct OAuthError {
    error: &'static str,
    description: String,
    basic: bool,
}

impl OAuthError {
    fn new(error: &'static str, description: impl Into<String>) -> Self {
        OAuthError {
            error,
            description: description.into(),
            basic: false,
        }
    }

    fn request(description: impl Into<String>) -> Self {
        Self::new("invalid_request", description)
    }

    fn client(basic: bool) -> Self {
        OAuthError {
            basic,
            ..Self::new(
                "invalid_client",
                "Client authentication failed: unknown client or invalid secret.",
            )
        }
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let status = if self.error == "invalid_client" {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::BAD_REQUEST
        };
        let body = Json(json!({"error": self.error, "error_description": self.description}));
        let mut response = (status, [(header::CACHE_CONTROL, "no-store")], body).into_response();
        if self.basic {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Basic"));
        }
        response
    }
}

async fn tenant_token(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, OAuthError> {
    let known = state.directory.tenant().await.map_err(server_error)?;
    let by_domain = DomainName::parse(&tenant).is_ok_and(|domain| known.is_verified(&domain));
    if !by_domain && Uuid::parse_str(&tenant).ok() != Some(known.id) {
        return Err(OAuthError::request(format!("Tenant '{tenant}' not found.")));
    }
    token(State(state), headers, body).await
}

async fn token(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Result<Response, OAuthError> {
    let form_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().starts_with("application/x-www-form-urlencoded"));
    if !form_type {
        return Err(OAuthError::request(
            "The request body must be application/x-www-form-urlencoded.",
        ));
    }
    let form = parse_form(&body)?;
    match form.get("grant_type").map(String::as_str) {
        None => return Err(OAuthError::request("The request body must contain 'grant_type'.")),
        Some("client_credentials") => {}
        Some(other) => {
            return Err(OAuthError::new(
                "unsupported_grant_type",
                format!("The grant type '{other}' is not supported; use client_credentials."),
            ));
        }
    }
    let (client_id, secret, basic) = client_credentials(&headers, &form)?;
    let Some(scope) = form.get("scope") else {
        return Err(OAuthError::request("The request body must contain 'scope'."));
    };
    if !scope.ends_with("/.default") || scope.contains(' ') {
        return Err(OAuthError::new(
            "invalid_scope",
            format!("The scope '{scope}' is not valid; the client-credentials grant takes one '<resource>/.default'."),
        ));
    }
    let client_id = Uuid::parse_str(&client_id).map_err(|_| OAuthError::client(basic))?;
    let issued = match state.directory.issue_app_token(client_id, &secret).await {
        Ok(issued) => issued,
        Err(directory::Error::Unauthenticated) => return Err(OAuthError::client(basic)),
        Err(other) => return Err(server_error(other)),
    };
    let lifetime = APP_TOKEN_LIFETIME.whole_seconds() - 1;
    let body = json!({
        "token_type": "Bearer",
        "expires_in": lifetime,
        "ext_expires_in": lifetime,
        "access_token": issued.secret.expose(),
    });
    let no_cache = [(header::CACHE_CONTROL, "no-store"), (header::PRAGMA, "no-cache")];
    Ok((no_cache, Json(body)).into_response())
}

/// The form's parameters; a repeated one is refused (RFC 6749 §3.2).
fn parse_form(body: &[u8]) -> Result<HashMap<String, String>, OAuthError> {
    let mut form = HashMap::new();
    for (name, value) in form_urlencoded::parse(body) {
        if form.insert(name.to_string(), value.into_owned()).is_some() {
            return Err(OAuthError::request(format!("The parameter '{name}' is repeated.")));
        }
    }
    Ok(form)
}

/// The client id and secret from HTTP Basic or the body (exactly one of them), and
/// whether Basic was used.
fn client_credentials(
    headers: &HeaderMap,
    form: &HashMap<String, String>,
) -> Result<(String, String, bool), OAuthError> {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic ").or_else(|| v.strip_prefix("basic ")));
    if let Some(encoded) = basic {
        if form.contains_key("client_secret") {
            return Err(OAuthError::request("Use one client authentication method, not two."));
        }
        let decoded = STANDARD.decode(encoded.trim()).map_err(|_| OAuthError::client(true))?;
        let decoded = String::from_utf8(decoded).map_err(|_| OAuthError::client(true))?;
        let (id, secret) = decoded.split_once(':').ok_or_else(|| OAuthError::client(true))?;
        let (id, secret) = (url_decode(id), url_decode(secret));
        if form.get("client_id").is_some_and(|body_id| *body_id != id) {
            return Err(OAuthError::request(
                "The client_id in the body differs from the one in Basic.",
            ));
        }
        return Ok((id, secret, true));
    }
    let id = form
        .get("client_id")
        .ok_or_else(|| OAuthError::request("The request body must contain 'client_id'."))?;
    let secret = form
        .get("client_secret")
        .ok_or_else(|| OAuthError::request("The request body must contain 'client_secret'."))?;
    Ok((id.clone(), secret.clone(), false))
}

/// Basic credentials are form-urlencoded before encoding (RFC 6749 §2.3.1).
fn url_decode(text: &str) -> String {
    let encoded = format!("v={text}");
    form_urlencoded::parse(encoded.as_bytes())
        .next()
        .map(|(_, value)| value.into_owned())
        .unwrap_or_default()
}

fn server_error(error: directory::Error) -> OAuthError {
    tracing::warn!(%error, "token endpoint failed");
    OAuthError::new(
        "temporarily_unavailable",
        "The server could not issue a token; try again.",
    )
}
