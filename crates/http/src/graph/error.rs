//! Graph's error dialect: `{"error":{"code","message","innerError":{date,request-id,
//! client-request-id},"details"?}}` on every non-2xx response.
//!
//! Rendering happens in two steps so that it stays pure: [`GraphError`] becomes a response
//! that carries the error as an extension, and the [`request_ids`] middleware, which knows
//! the request's ids, writes the body and the `request-id` / `client-request-id` headers.

use axum::Json;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use directory::{Code, Error, Origin};
use serde_json::{Map, Value, json};

pub(crate) const REQUEST_ID: HeaderName = HeaderName::from_static("request-id");
pub(crate) const CLIENT_REQUEST_ID: HeaderName = HeaderName::from_static("client-request-id");

/// A Graph error before it is rendered.
#[derive(Debug, Clone)]
pub struct GraphError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub details: Vec<Value>,
    /// Seconds for `Retry-After` (429 and 503).
    pub retry_after: Option<u32>,
}

impl GraphError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        GraphError {
            status,
            code,
            message: message.into(),
            details: Vec::new(),
            retry_after: None,
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        GraphError::new(StatusCode::BAD_REQUEST, "Request_BadRequest", message)
    }

    pub fn unsupported_query(message: impl Into<String>) -> Self {
        GraphError::new(StatusCode::BAD_REQUEST, "Request_UnsupportedQuery", message)
    }

    pub fn not_found(id: &str) -> Self {
        GraphError::new(
            StatusCode::NOT_FOUND,
            "Request_ResourceNotFound",
            format!("Resource '{id}' does not exist or one of its queried reference-property objects are not present."),
        )
    }

    pub fn unauthenticated(message: &str) -> Self {
        GraphError::new(StatusCode::UNAUTHORIZED, "InvalidAuthenticationToken", message)
    }

    pub fn with_detail(mut self, detail: Value) -> Self {
        self.details.push(detail);
        self
    }

    fn body(&self, request_id: &str, client_request_id: Option<&str>) -> Value {
        let date = time::OffsetDateTime::now_utc();
        let date = format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            date.year(),
            u8::from(date.month()),
            date.day(),
            date.hour(),
            date.minute(),
            date.second()
        );
        let mut inner = Map::new();
        inner.insert("date".into(), date.into());
        inner.insert("request-id".into(), request_id.into());
        inner.insert(
            "client-request-id".into(),
            client_request_id.unwrap_or(request_id).into(),
        );
        let mut error = Map::new();
        error.insert("code".into(), self.code.into());
        error.insert("message".into(), self.message.clone().into());
        error.insert("innerError".into(), inner.into());
        if !self.details.is_empty() {
            error.insert("details".into(), self.details.clone().into());
        }
        json!({ "error": error })
    }
}

impl IntoResponse for GraphError {
    fn into_response(self) -> Response {
        let mut response = self.status.into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response.extensions_mut().insert(self);
        response
    }
}

impl From<Error> for GraphError {
    fn from(error: Error) -> Self {
        match &error {
            Error::UpnTaken { holder, .. } => conflict("userPrincipalName", None, holder.as_ref()),
            Error::AddressTaken { address, holder } => conflict("proxyAddresses", Some(address), holder.as_ref()),
            Error::NotFound { id } => GraphError::not_found(id),
            Error::Forbidden { .. } => GraphError::new(
                StatusCode::FORBIDDEN,
                "Authorization_RequestDenied",
                "Insufficient privileges to complete the operation.",
            ),
            Error::Unauthenticated => GraphError::unauthenticated("Access token validation failure."),
            _ => from_code(&error),
        }
    }
}

fn from_code(error: &Error) -> GraphError {
    match error.code() {
        Code::UnverifiedDomain => GraphError::bad_request(error.to_string()).with_detail(json!({
            "code": "InvalidValue",
            "target": error.target().unwrap_or("userPrincipalName"),
            "message": error.to_string(),
        })),
        Code::AlreadyExists => GraphError::bad_request(
            "A conflicting object with one or more of the specified property values is present in the directory.",
        ),
        Code::NotInitialized | Code::Unavailable => {
            let mut unavailable = GraphError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "ServiceUnavailable",
                "The service is temporarily unavailable. Please retry later.",
            );
            unavailable.retry_after = Some(5);
            unavailable
        }
        Code::AddressThrottled => {
            let mut throttled = GraphError::new(StatusCode::TOO_MANY_REQUESTS, "TooManyRequests", error.to_string());
            throttled.retry_after = Some(60);
            throttled
        }
        Code::Internal => {
            tracing::error!(?error, "internal error");
            GraphError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "InternalServerError",
                "An internal server error occurred; the request id identifies it in the server log.",
            )
        }
        _ => {
            let mut invalid = GraphError::bad_request(error.to_string());
            if let Some(target) = error.target() {
                invalid = invalid.with_detail(json!({"code": "InvalidValue", "target": target}));
            }
            invalid
        }
    }
}

/// Graph's uniqueness conflict, with who holds the value (Graph never says; SDKs keep the
/// extra keys).
fn conflict(target: &str, value: Option<&String>, holder: Option<&directory::error::Holder>) -> GraphError {
    let mut detail = json!({"code": "ObjectConflict", "target": target});
    if let Some(value) = value {
        detail["value"] = value.as_str().into();
    }
    if let Some(holder) = holder {
        detail["conflictingObjectId"] = holder.object_id.to_string().into();
        detail["conflictingObjectType"] = holder.kind.as_str().into();
        detail["conflictingObjectState"] = if holder.deleted { "softDeleted" } else { "active" }.into();
    }
    GraphError::bad_request(format!(
        "Another object with the same value for property {target} already exists."
    ))
    .with_detail(detail)
}

/// Gives every response a `request-id` (and echoes `client-request-id`), and renders the
/// body of every [`GraphError`] with those ids.
pub async fn request_ids(mut request: Request, next: Next) -> Response {
    let request_id = stamp_request_id(&mut request);
    let client_request_id = header_text(request.headers(), &CLIENT_REQUEST_ID);
    let mut response = next.run(request).await;
    if let Some(error) = response.extensions_mut().remove::<GraphError>() {
        let body = error.body(&request_id, client_request_id.as_deref());
        let (mut parts, _) = response.into_parts();
        parts.headers.remove(header::CONTENT_LENGTH);
        response = Response::from_parts(parts, Json(body).into_response().into_body());
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    }
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        headers.insert(REQUEST_ID, value);
    }
    if let Some(value) = client_request_id.and_then(|id| HeaderValue::from_str(&id).ok()) {
        headers.insert(CLIENT_REQUEST_ID, value);
    }
    response
}

/// The request's id: the one its [`Origin`] already has (set for the whole application by
/// the server), else a new one, recorded in the origin so that audit records carry it.
fn stamp_request_id(request: &mut Request) -> String {
    let origin = request.extensions_mut().get_or_insert_with(Origin::default);
    origin
        .request_id
        .get_or_insert_with(|| uuid::Uuid::new_v4().to_string())
        .clone()
}

pub(crate) fn header_text(headers: &HeaderMap, name: &HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|value| value.to_str().ok())
        .filter(|value| !value.is_empty() && value.len() <= 200)
        .map(str::to_owned)
}
