//! `POST /$batch`: up to 20 requests in one, each answered with its own status, as Graph's
//! JSON batching does. Requests run in order through the same routes, with the caller's
//! `Authorization` header; a request whose `dependsOn` failed gets 424.

use super::auth::Authenticated;
use super::body::GraphJson;
use super::error::GraphError;
use crate::AppState;
use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::{OriginalUri, State};
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use axum::response::Json;
use axum::routing::post;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use tower::ServiceExt;

/// Graph's limit on requests in one batch.
pub const MAX_REQUESTS: usize = 20;

pub fn routes() -> Router<AppState> {
    Router::new().route("/$batch", post(batch))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BatchBody {
    requests: Vec<BatchRequest>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct BatchRequest {
    id: String,
    method: String,
    url: String,
    #[serde(default)]
    headers: HashMap<String, String>,
    body: Option<Value>,
    #[serde(default)]
    depends_on: Vec<String>,
}

async fn batch(
    State(app): State<AppState>,
    Authenticated(_caller): Authenticated,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    GraphJson(body): GraphJson<BatchBody>,
) -> Result<Json<Value>, GraphError> {
    check_ids(&body.requests)?;
    let version = uri
        .path()
        .trim_start_matches('/')
        .split('/')
        .next()
        .unwrap_or("v1.0")
        .to_owned();
    let router = super::inner_router(&version).with_state(app);
    let authorization = headers.get(header::AUTHORIZATION).cloned();
    let mut statuses: HashMap<String, StatusCode> = HashMap::new();
    let mut responses = Vec::with_capacity(body.requests.len());
    for request in body.requests {
        let failed_dependency = request
            .depends_on
            .iter()
            .any(|id| statuses.get(id).is_none_or(|s| !s.is_success()));
        let (status, response) = if failed_dependency {
            let status = StatusCode::FAILED_DEPENDENCY;
            let error =
                json!({"error": {"code": "FailedDependency", "message": "A request this one depends on failed."}});
            (
                status,
                json!({"id": request.id, "status": status.as_u16(), "body": error}),
            )
        } else {
            run_one(&router, &version, &request, authorization.clone()).await
        };
        statuses.insert(request.id.clone(), status);
        responses.push(response);
    }
    Ok(Json(json!({ "responses": responses })))
}

fn check_ids(requests: &[BatchRequest]) -> Result<(), GraphError> {
    if requests.is_empty() || requests.len() > MAX_REQUESTS {
        return Err(GraphError::bad_request(format!(
            "A batch holds 1 to {MAX_REQUESTS} requests; this one has {}.",
            requests.len()
        )));
    }
    let mut seen = std::collections::HashSet::new();
    for request in requests {
        if !seen.insert(request.id.as_str()) {
            return Err(GraphError::bad_request(format!(
                "Request id '{}' is used twice in the batch.",
                request.id
            )));
        }
        if let Some(unknown) = request
            .depends_on
            .iter()
            .find(|id| !seen.contains(id.as_str()) || **id == request.id)
        {
            return Err(GraphError::bad_request(format!(
                "Request '{}' depends on '{unknown}', which is not an earlier request of the batch.",
                request.id
            )));
        }
    }
    Ok(())
}

/// The path below the version for a batch URL: `/users/x`, `users/x`, or an absolute
/// `https://…/v1.0/users/x`.
fn inner_path(url: &str, version: &str) -> Result<String, GraphError> {
    let path = match url.split_once("://") {
        Some((_, rest)) => rest.split_once('/').map_or("", |(_, path)| path),
        None => url,
    };
    let path = path.trim_start_matches('/');
    let path = path.strip_prefix(&format!("{version}/")).unwrap_or(path);
    if path.is_empty() || path.contains("..") || path.starts_with("$batch") {
        return Err(GraphError::bad_request(format!(
            "Invalid request URL '{url}' in the batch."
        )));
    }
    Ok(format!("/{version}/{path}"))
}

async fn run_one(
    router: &Router,
    version: &str,
    request: &BatchRequest,
    authorization: Option<header::HeaderValue>,
) -> (StatusCode, Value) {
    match build_request(version, request, authorization) {
        Ok(inner) => match router.clone().oneshot(inner).await {
            Ok(response) => {
                let status = response.status();
                (status, response_json(&request.id, response).await)
            }
            Err(never) => match never {},
        },
        Err(error) => {
            let status = error.status;
            let body = json!({"error": {"code": error.code, "message": error.message}});
            (
                status,
                json!({"id": request.id, "status": status.as_u16(), "body": body}),
            )
        }
    }
}

fn build_request(
    version: &str,
    request: &BatchRequest,
    authorization: Option<header::HeaderValue>,
) -> Result<Request<Body>, GraphError> {
    let method: Method = request
        .method
        .to_ascii_uppercase()
        .parse()
        .map_err(|_| GraphError::bad_request("Invalid method."))?;
    let mut builder = Request::builder()
        .method(method)
        .uri(inner_path(&request.url, version)?);
    if let Some(authorization) = authorization {
        builder = builder.header(header::AUTHORIZATION, authorization);
    }
    for (name, value) in &request.headers {
        if !name.eq_ignore_ascii_case("authorization") {
            builder = builder.header(name.as_str(), value.as_str());
        }
    }
    let body = match &request.body {
        Some(value) => {
            if !request.headers.keys().any(|n| n.eq_ignore_ascii_case("content-type")) {
                builder = builder.header(header::CONTENT_TYPE, "application/json");
            }
            Body::from(value.to_string())
        }
        None => Body::empty(),
    };
    builder
        .body(body)
        .map_err(|_| GraphError::bad_request("Invalid request headers in the batch."))
}

async fn response_json(id: &str, response: axum::response::Response) -> Value {
    let status = response.status().as_u16();
    let mut headers = Map::new();
    for (name, value) in response.headers() {
        if let Ok(value) = value.to_str() {
            headers.insert(name.as_str().to_owned(), value.into());
        }
    }
    let is_json = headers
        .get("content-type")
        .and_then(Value::as_str)
        .is_some_and(|t| t.starts_with("application/json"));
    let bytes = to_bytes(response.into_body(), super::body::MAX_BODY * 4)
        .await
        .unwrap_or_default();
    let mut item = json!({"id": id, "status": status, "headers": headers});
    if !bytes.is_empty() {
        item["body"] = if is_json {
            serde_json::from_slice(&bytes).unwrap_or(Value::Null)
        } else {
            String::from_utf8_lossy(&bytes).into_owned().into()
        };
    }
    item
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_urls_are_confined_to_the_version() {
        assert_eq!(inner_path("/users/x", "v1.0").unwrap(), "/v1.0/users/x");
        assert_eq!(inner_path("users?$top=1", "v1.0").unwrap(), "/v1.0/users?$top=1");
        assert_eq!(
            inner_path("https://graph.microsoft.com/v1.0/users", "v1.0").unwrap(),
            "/v1.0/users"
        );
        assert!(inner_path("/$batch", "v1.0").is_err());
        assert!(inner_path("/../health", "v1.0").is_err());
    }
}
