//! A token bucket per key (a seller and a client's address): how the public lookup and
//! second-factor replies are limited.
//!
//! Order numbers are guessable, so one client must not try thousands a minute. The
//! buckets live in this instance's memory: behind a load balancer each instance limits
//! on its own, which bounds a client to N times the rate, still far from enumeration.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How many lookups a client may make: a steady rate and a burst.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    /// Lookups a minute, sustained.
    pub per_minute: u32,
    /// Lookups allowed at once after a quiet spell.
    pub burst: u32,
}

impl Default for RateLimit {
    fn default() -> Self {
        // A buyer checks a few numbers; a widget refreshes once a minute; a script tries thousands.
        RateLimit {
            per_minute: 60,
            burst: 20,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// The buckets of every key this instance has seen lately.
#[derive(Debug, Clone)]
pub struct Limiter<K = IpAddr> {
    limit: RateLimit,
    buckets: Arc<Mutex<Buckets<K>>>,
}

/// The buckets, and when idle ones were last swept.
#[derive(Debug)]
struct Buckets<K> {
    map: HashMap<K, Bucket>,
    swept_at: Option<Instant>,
    sweeps: u64,
}

impl<K> Default for Buckets<K> {
    fn default() -> Self {
        Buckets {
            map: HashMap::new(),
            swept_at: None,
            sweeps: 0,
        }
    }
}

/// Buckets kept before idle ones are swept, so memory stays bounded under many clients.
const SWEEP_ABOVE: usize = 10_000;

/// How often the buckets may be swept: a sweep reads every bucket under the lock, and a flood of
/// new keys (random seller handles, many addresses) would otherwise make every request one.
const SWEEP_EVERY: Duration = Duration::from_secs(1);

impl<K: std::hash::Hash + Eq> Limiter<K> {
    /// A limiter with no keys yet.
    pub fn new(limit: RateLimit) -> Limiter<K> {
        Limiter {
            limit,
            buckets: Arc::default(),
        }
    }

    /// Takes a token for `key` at `now`; `Err` says how long until one is free.
    pub fn check(&self, key: K, now: Instant) -> Result<(), Duration> {
        self.take(key, now, true)
    }

    /// Whether `key` has a token at `now`, without taking it.
    pub fn peek(&self, key: K, now: Instant) -> Result<(), Duration> {
        self.take(key, now, false)
    }

    fn take(&self, key: K, now: Instant, consume: bool) -> Result<(), Duration> {
        let rate = f64::from(self.limit.per_minute.max(1)) / 60.0;
        let burst = f64::from(self.limit.burst.max(1));
        // A poisoned lock only means another request panicked mid-update: the map is still usable.
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        let due = buckets
            .swept_at
            .is_none_or(|at| now.saturating_duration_since(at) >= SWEEP_EVERY);
        if buckets.map.len() > SWEEP_ABOVE && due {
            buckets.map.retain(|_, bucket| {
                bucket.tokens + now.saturating_duration_since(bucket.at).as_secs_f64() * rate
                    < burst
            });
            buckets.swept_at = Some(now);
            buckets.sweeps += 1;
        }
        let bucket = buckets.map.entry(key).or_insert(Bucket {
            tokens: burst,
            at: now,
        });
        let refilled =
            (bucket.tokens + now.duration_since(bucket.at).as_secs_f64() * rate).min(burst);
        bucket.at = now;
        if refilled >= 1.0 {
            bucket.tokens = if consume { refilled - 1.0 } else { refilled };
            Ok(())
        } else {
            bucket.tokens = refilled;
            Err(Duration::from_secs_f64((1.0 - refilled) / rate))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const A: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 1));
    const B: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 2));

    #[test]
    fn a_burst_then_the_steady_rate_and_each_client_on_its_own() {
        let limiter = Limiter::new(RateLimit {
            per_minute: 60,
            burst: 3,
        });
        let start = Instant::now();
        for _ in 0..3 {
            assert_eq!(limiter.check(A, start), Ok(()));
        }
        let wait = limiter.check(A, start).unwrap_err();
        assert!(
            wait > Duration::from_millis(900) && wait <= Duration::from_secs(1),
            "{wait:?}"
        );
        assert_eq!(
            limiter.check(B, start),
            Ok(()),
            "another client has its own bucket"
        );
        assert_eq!(limiter.check(A, start + Duration::from_secs(1)), Ok(()));
        assert!(limiter.check(A, start + Duration::from_secs(1)).is_err());
    }

    #[test]
    fn a_flood_of_new_keys_sweeps_at_most_once_a_second() {
        let limiter: Limiter<u32> = Limiter::new(RateLimit::default());
        let start = Instant::now();
        for key in 0..(SWEEP_ABOVE as u32 + 5_000) {
            let _ = limiter.check(key, start);
        }
        let sweeps = |limiter: &Limiter<u32>| limiter.buckets.lock().map(|b| b.sweeps).unwrap();
        assert_eq!(
            sweeps(&limiter),
            1,
            "every new key past the bound would sweep"
        );
        let later = start + SWEEP_EVERY;
        let _ = limiter.check(u32::MAX, later);
        assert_eq!(sweeps(&limiter), 2);
    }

    proptest! {
        #[test]
        fn never_more_than_burst_plus_rate_times_time(gaps in proptest::collection::vec(0u64..2_000, 1..200)) {
            let limiter = Limiter::new(RateLimit { per_minute: 60, burst: 5 });
            let start = Instant::now();
            let mut now = start;
            let mut allowed = 0u64;
            for gap in gaps {
                now += Duration::from_millis(gap);
                if limiter.check(A, now).is_ok() {
                    allowed += 1;
                }
            }
            let elapsed = now.duration_since(start).as_secs_f64();
            prop_assert!(allowed as f64 <= 5.0 + elapsed + 1e-9);
        }
    }
}
