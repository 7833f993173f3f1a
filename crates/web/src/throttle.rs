//! Throttling password attempts per client address, against guessing many names from one
//! place (lockout per name, in the domain, stops guessing one name from many places).
//! The address is the connection's, or what a trusted proxy says it is (`client_ip`);
//! without connection info all callers share one bucket.

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::{IpAddr, Ipv4Addr};
use std::num::NonZeroU32;
use std::sync::Arc;

/// Attempts per minute per address, after a burst.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttemptLimit {
    pub per_minute: NonZeroU32,
    pub burst: NonZeroU32,
}

impl AttemptLimit {
    /// Plenty for people who mistype; slow for a script.
    pub const DEFAULT: AttemptLimit = AttemptLimit {
        per_minute: NonZeroU32::new(10).unwrap(),
        burst: NonZeroU32::new(20).unwrap(),
    };
}

/// The shared limiter for password attempts.
#[derive(Clone)]
pub struct AttemptThrottle {
    limiter: Arc<DefaultKeyedRateLimiter<IpAddr>>,
}

impl std::fmt::Debug for AttemptThrottle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AttemptThrottle")
    }
}

impl AttemptThrottle {
    pub fn new(limit: AttemptLimit) -> Self {
        let quota = Quota::per_minute(limit.per_minute).allow_burst(limit.burst);
        AttemptThrottle {
            limiter: Arc::new(RateLimiter::keyed(quota)),
        }
    }

    /// Seconds to wait when this address is over its limit; `None` lets the attempt in.
    pub fn retry_after(&self, client: Option<IpAddr>) -> Option<u64> {
        let key = client.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        let refused = self.limiter.check_key(&key).err()?;
        if self.limiter.len() > 100_000 {
            self.limiter.retain_recent();
        }
        Some(refused.wait_time_from(DefaultClock::default().now()).as_secs() + 1)
    }
}
