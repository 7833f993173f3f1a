//! Throttling: each bearer token (and all unauthenticated callers together) gets a token
//! bucket; past it, Graph's 429 `TooManyRequests` with an integer `Retry-After`, which
//! the Graph SDKs honour before retrying.

use crate::AppState;
use crate::graph::error::GraphError;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::num::NonZeroU32;
use std::sync::Arc;

/// Requests per second and burst per caller; `None` turns throttling off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub per_second: NonZeroU32,
    pub burst: NonZeroU32,
}

impl RateLimit {
    /// Generous enough for bulk scripts; a runaway loop still gets slowed down.
    pub const DEFAULT: RateLimit = RateLimit {
        per_second: NonZeroU32::new(1000).unwrap(),
        burst: NonZeroU32::new(2000).unwrap(),
    };
}

/// The shared limiter.
#[derive(Clone)]
pub struct Throttle {
    limiter: Option<Arc<DefaultKeyedRateLimiter<u64>>>,
}

impl std::fmt::Debug for Throttle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Throttle")
            .field("enabled", &self.limiter.is_some())
            .finish()
    }
}

impl Throttle {
    pub fn new(limit: Option<RateLimit>) -> Self {
        let limiter = limit.map(|limit| {
            let quota = Quota::per_second(limit.per_second).allow_burst(limit.burst);
            Arc::new(RateLimiter::keyed(quota))
        });
        Throttle { limiter }
    }

    /// Seconds to wait, when this caller is over its limit.
    fn retry_after(&self, caller_key: u64) -> Option<u32> {
        let limiter = self.limiter.as_ref()?;
        let refused = limiter.check_key(&caller_key).err()?;
        let wait = refused.wait_time_from(DefaultClock::default().now());
        if limiter.len() > 100_000 {
            limiter.retain_recent();
        }
        Some(u32::try_from(wait.as_secs()).unwrap_or(u32::MAX).saturating_add(1))
    }
}

/// The middleware: keyed by the `Authorization` header (hashed; never stored).
pub async fn throttle(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let mut hasher = DefaultHasher::new();
    request
        .headers()
        .get(header::AUTHORIZATION)
        .map(|v| v.as_bytes())
        .hash(&mut hasher);
    match state.throttle.retry_after(hasher.finish()) {
        None => next.run(request).await,
        Some(seconds) => {
            let mut error = GraphError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "TooManyRequests",
                "Please retry again later.",
            );
            error.retry_after = Some(seconds);
            error.into_response()
        }
    }
}
