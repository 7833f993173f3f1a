//! Throttling: each bearer token (and all unauthenticated callers together) gets a token
//! bucket; past it, Graph's 429 `TooManyRequests` with an integer `Retry-After`, which
//! the Graph SDKs honour before retrying. The limit is the whole deployment's: with several
//! replicas each takes an equal share ([`Throttle::share_among`]), so a client spread over
//! them by a load balancer gets the limit once, not once per replica.

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
use std::sync::{Arc, RwLock};

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

impl RateLimit {
    /// One of `replicas` equal shares of this limit (at least one request a second).
    pub fn share(self, replicas: u32) -> RateLimit {
        let part = |n: NonZeroU32| NonZeroU32::new(n.get() / replicas.max(1)).unwrap_or(NonZeroU32::MIN);
        RateLimit {
            per_second: part(self.per_second),
            burst: part(self.burst),
        }
    }
}

type Limiter = DefaultKeyedRateLimiter<u64>;

/// The shared limiter.
#[derive(Clone)]
pub struct Throttle {
    limit: Option<RateLimit>,
    /// The share this process takes, and the limiter for it.
    current: Arc<RwLock<(u32, Option<Arc<Limiter>>)>>,
}

impl std::fmt::Debug for Throttle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Throttle").field("limit", &self.limit).finish()
    }
}

fn limiter(limit: Option<RateLimit>) -> Option<Arc<Limiter>> {
    limit.map(|limit| {
        let quota = Quota::per_second(limit.per_second).allow_burst(limit.burst);
        Arc::new(RateLimiter::keyed(quota))
    })
}

impl Throttle {
    pub fn new(limit: Option<RateLimit>) -> Self {
        Throttle {
            limit,
            current: Arc::new(RwLock::new((1, limiter(limit)))),
        }
    }

    /// Takes one of `replicas` shares of the limit from now on (the buckets start full).
    /// Returns the share when it changed.
    pub fn share_among(&self, replicas: u32) -> Option<RateLimit> {
        let replicas = replicas.max(1);
        let mut current = self.current.write().unwrap_or_else(|poisoned| poisoned.into_inner());
        if current.0 == replicas {
            return None;
        }
        let share = self.limit.map(|limit| limit.share(replicas));
        *current = (replicas, limiter(share));
        share
    }

    /// Seconds to wait, when this caller is over its limit.
    fn retry_after(&self, caller_key: u64) -> Option<u32> {
        let current = self.current.read().unwrap_or_else(|poisoned| poisoned.into_inner());
        let limiter = current.1.clone()?;
        drop(current);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_replica_takes_an_equal_share_of_at_least_one_a_second() {
        let limit = RateLimit::DEFAULT;
        let third = limit.share(3);
        assert_eq!((third.per_second.get(), third.burst.get()), (333, 666));
        assert_eq!(limit.share(0), limit);
        let tiny = RateLimit {
            per_second: NonZeroU32::new(2).unwrap(),
            burst: NonZeroU32::new(4).unwrap(),
        };
        assert_eq!((tiny.share(8).per_second.get(), tiny.share(8).burst.get()), (1, 1));
    }

    #[test]
    fn a_smaller_share_refuses_sooner_and_an_unchanged_one_keeps_the_buckets() {
        // One a second: the buckets do not refill while the test runs.
        let limit = RateLimit {
            per_second: NonZeroU32::MIN,
            burst: NonZeroU32::new(10).unwrap(),
        };
        let throttle = Throttle::new(Some(limit));
        let allowed = |throttle: &Throttle| (0..20).take_while(|_| throttle.retry_after(7).is_none()).count();
        assert_eq!(allowed(&throttle), 10);
        assert_eq!(throttle.share_among(1), None, "unchanged: the spent bucket stays spent");
        assert_eq!(allowed(&throttle), 0);
        assert_eq!(throttle.share_among(2).map(|s| s.burst.get()), Some(5));
        assert_eq!(allowed(&throttle), 5);
        assert_eq!(Throttle::new(None).share_among(3), None);
    }
}
