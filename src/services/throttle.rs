//! Throttling as pure token buckets, with time passed in.
//!
//! PA-API: one request per second per access key (PA-API "Efficiency Guidelines"; 503
//! `RequestThrottled` beyond it). MWS: per-operation leaky buckets with a maximum request
//! quota (burst) and a restore rate, counted per seller and developer (MWS Developer Guide,
//! "Throttling: Limits to how often you can submit requests"), reported in the
//! `x-mws-quota-max`, `x-mws-quota-remaining` and `x-mws-quota-resetsOn` headers.

use crate::clock::UtcTime;
use std::collections::HashMap;

/// A bucket's shape.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quota {
    /// Maximum requests in a burst (bucket size).
    pub burst: f64,
    /// Seconds to restore one request.
    pub restore_secs: f64,
}

/// The throttle's answer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ThrottleDecision {
    /// Allowed; `remaining` requests are left in the bucket.
    Allowed {
        /// Requests left.
        remaining: f64,
        /// When the bucket is full again.
        resets_on: UtcTime,
    },
    /// Refused: the bucket is empty.
    Throttled {
        /// When the next request will be allowed.
        retry_at: UtcTime,
        /// When the bucket is full again.
        resets_on: UtcTime,
    },
}

/// Something that decides whether a request under `key` may pass.
pub trait Throttle: Send + Sync {
    /// Takes one request from the bucket named `key` (created with `quota` when new).
    fn take(&self, key: &str, quota: Quota, now: UtcTime) -> ThrottleDecision;
}

/// Lets everything through.
#[derive(Debug, Clone, Copy, Default)]
pub struct Unlimited;

impl Throttle for Unlimited {
    fn take(&self, _key: &str, quota: Quota, now: UtcTime) -> ThrottleDecision {
        ThrottleDecision::Allowed { remaining: quota.burst, resets_on: now }
    }
}

/// One token bucket.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Bucket {
    tokens: f64,
    last: UtcTime,
}

impl Bucket {
    /// A full bucket.
    pub(crate) fn full(quota: Quota, now: UtcTime) -> Self {
        Self { tokens: quota.burst, last: now }
    }

    /// Refills for the time since the last call, then tries to take one token.
    pub(crate) fn take(&mut self, quota: Quota, now: UtcTime) -> ThrottleDecision {
        #[allow(clippy::cast_precision_loss)] // milliseconds fit f64 exactly for 285 000 years
        let elapsed = now.millis_since(self.last).max(0) as f64 / 1000.0;
        self.tokens = (self.tokens + elapsed / quota.restore_secs).min(quota.burst);
        self.last = now;
        let full_in = |tokens: f64| secs_to_time(now, (quota.burst - tokens) * quota.restore_secs);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            ThrottleDecision::Allowed { remaining: self.tokens.floor(), resets_on: full_in(self.tokens) }
        } else {
            ThrottleDecision::Throttled {
                retry_at: secs_to_time(now, (1.0 - self.tokens) * quota.restore_secs),
                resets_on: full_in(self.tokens),
            }
        }
    }
}

fn secs_to_time(now: UtcTime, secs: f64) -> UtcTime {
    #[allow(clippy::cast_possible_truncation)] // bounded by the quota's restore time
    UtcTime::from_unix_millis(now.unix_millis() + (secs * 1000.0).ceil() as i64)
}

/// A map of buckets (the server wraps it in a mutex).
#[derive(Debug, Default)]
pub(crate) struct Buckets {
    map: HashMap<String, Bucket>,
}

impl Buckets {
    /// Takes one request from `key`'s bucket.
    pub(crate) fn take(&mut self, key: &str, quota: Quota, now: UtcTime) -> ThrottleDecision {
        if let Some(b) = self.map.get_mut(key) {
            return b.take(quota, now);
        }
        let mut b = Bucket::full(quota, now);
        let d = b.take(quota, now);
        self.map.insert(key.to_owned(), b);
        d
    }

    /// Forgets every bucket.
    pub(crate) fn clear(&mut self) {
        self.map.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_per_second() {
        let q = Quota { burst: 1.0, restore_secs: 1.0 };
        let t0 = UtcTime::from_unix_secs(1000);
        let mut b = Buckets::default();
        assert!(matches!(b.take("k", q, t0), ThrottleDecision::Allowed { .. }));
        assert!(matches!(b.take("k", q, t0.plus_secs(0)), ThrottleDecision::Throttled { .. }));
        assert!(matches!(b.take("other", q, t0), ThrottleDecision::Allowed { .. }));
        assert!(matches!(b.take("k", q, UtcTime::from_unix_millis(1_000_999)), ThrottleDecision::Throttled { .. }));
        assert!(matches!(b.take("k", q, t0.plus_secs(1)), ThrottleDecision::Allowed { .. }));
    }

    #[test]
    fn burst_then_restore() {
        let q = Quota { burst: 6.0, restore_secs: 60.0 };
        let t0 = UtcTime::from_unix_secs(0);
        let mut b = Bucket::full(q, t0);
        for left in (0..6).rev() {
            let ThrottleDecision::Allowed { remaining, .. } = b.take(q, t0) else { panic!("throttled early") };
            assert!((remaining - f64::from(left)).abs() < f64::EPSILON);
        }
        let ThrottleDecision::Throttled { retry_at, resets_on } = b.take(q, t0) else { panic!("not throttled") };
        assert_eq!(retry_at, t0.plus_secs(60));
        assert_eq!(resets_on, t0.plus_secs(360));
        assert!(matches!(b.take(q, t0.plus_secs(60)), ThrottleDecision::Allowed { .. }));
    }
}
