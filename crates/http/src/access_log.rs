//! The access log, as `tracing` events with target `roster::access`: every refused request
//! (401, 403) is logged at `info` as "denied" and every throttled one (429) as
//! "throttled", server errors at `warn` (503) or `error`, and every other request at
//! `debug`. Each line carries the method, the path (secrets in it hidden), the status, the
//! time taken, the request id and the client's address (from the [`Origin`] the server
//! stamped on the request first).

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use directory::Origin;
use std::borrow::Cow;
use std::time::Instant;

/// Paths whose last segment is a secret (a one-time link's token).
const SECRET_TAILS: [&str; 1] = ["/account/set-password/"];

/// Middleware over the whole application: logs the request once it has been answered.
pub async fn record(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let path = loggable_path(request.uri().path()).into_owned();
    let origin = request.extensions().get::<Origin>().cloned().unwrap_or_default();
    let response = next.run(request).await;
    let status = response.status().as_u16();
    let answered_id = response
        .headers()
        .get("request-id")
        .and_then(|value| value.to_str().ok());
    let request_id = answered_id.or(origin.request_id.as_deref()).unwrap_or("-");
    let peer = origin.client_ip.map_or_else(|| "-".to_owned(), |ip| ip.to_string());
    let peer = peer.as_str();
    macro_rules! log {
        ($level:ident, $message:literal) => {
            tracing::$level!(
                target: "roster::access",
                %method,
                path,
                status,
                ms = %format_args!("{:.3}", started.elapsed().as_secs_f64() * 1000.0),
                request_id,
                peer,
                $message
            )
        };
    }
    match status {
        401 | 403 => log!(info, "denied"),
        429 => log!(info, "throttled"),
        503 => log!(warn, "unavailable"),
        500.. => log!(error, "failed"),
        _ => log!(debug, "answered"),
    }
    response
}

/// The path with the secret part of a one-time link replaced by `***`.
fn loggable_path(path: &str) -> Cow<'_, str> {
    for tail in SECRET_TAILS {
        if let Some(at) = path.find(tail)
            && path.len() > at + tail.len()
        {
            return Cow::Owned(format!("{}***", &path[..at + tail.len()]));
        }
    }
    Cow::Borrowed(path)
}

#[cfg(test)]
mod tests {
    use super::loggable_path;

    #[test]
    fn a_one_time_links_secret_never_reaches_the_log() {
        assert_eq!(
            loggable_path("/account/set-password/s3cr3t-token"),
            "/account/set-password/***"
        );
        assert_eq!(loggable_path("/account/set-password/"), "/account/set-password/");
        assert_eq!(loggable_path("/v1.0/users/abc"), "/v1.0/users/abc");
    }
}
