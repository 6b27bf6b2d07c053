//! When a lookup tries again by itself: a few attempts, growing waits, and jitter.
//!
//! A buyer should not see "the server failed" for a hiccup that a second try would
//! have mended, but a widget on thousands of phones must not hammer an endpoint that
//! is already down: attempts are few, waits double, and each wait is partly random so
//! that phones which failed together do not come back together.

/// How many times, and how patiently, a failed lookup is tried again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// Tries in all, the first included.
    pub attempts: u32,
    /// The wait before the first retry, before jitter.
    pub base_ms: u32,
    /// No single wait grows beyond this.
    pub cap_ms: u32,
    /// The longest `Retry-After` worth waiting for in silence; a longer one is told to the buyer.
    pub max_retry_after_ms: u32,
}

/// The widget's lookups: three tries within about three seconds.
pub const LOOKUP: Backoff = Backoff {
    attempts: 3,
    base_ms: 500,
    cap_ms: 4_000,
    max_retry_after_ms: 5_000,
};

/// What the failed attempt said about trying again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setback {
    /// The endpoint failed or was unreachable for a moment: worth another try.
    Transient,
    /// The endpoint asked for a pause of this many seconds (`Retry-After`), or gave none.
    Throttled(Option<u32>),
    /// Another try would get the same answer.
    Final,
}

impl Backoff {
    /// How long to wait before retry number `retry` (1 for the first), or `None` to give up.
    ///
    /// `jitter` is a random number in `[0, 1)`; the wait is half its full length plus
    /// that fraction of the other half ("equal jitter"), so it never drops to nothing.
    pub fn wait_ms(&self, retry: u32, setback: Setback, jitter: f64) -> Option<u32> {
        if retry == 0 || retry >= self.attempts {
            return None;
        }
        match setback {
            Setback::Final => None,
            Setback::Throttled(None) => None,
            Setback::Throttled(Some(seconds)) => {
                let asked = seconds.saturating_mul(1_000);
                (asked <= self.max_retry_after_ms).then_some(asked)
            }
            Setback::Transient => {
                let full = self
                    .base_ms
                    .saturating_mul(1u32 << (retry - 1).min(16))
                    .min(self.cap_ms);
                let half = full / 2;
                let jitter = if jitter.is_finite() {
                    jitter.clamp(0.0, 1.0)
                } else {
                    0.0
                };
                // `as` saturates for floats; the product is within `0..=half` anyway.
                Some(half + (f64::from(full - half) * jitter) as u32)
            }
        }
    }

    /// The longest the retries can wait in all, the bound a buyer may wait beyond the requests.
    pub fn worst_total_wait_ms(&self) -> u32 {
        (1..self.attempts)
            .map(|retry| {
                self.wait_ms(retry, Setback::Transient, 1.0)
                    .unwrap_or(0)
                    .max(self.max_retry_after_ms)
            })
            .fold(0u32, u32::saturating_add)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn waits_double_and_stop_after_the_last_attempt() {
        assert_eq!(LOOKUP.wait_ms(1, Setback::Transient, 0.0), Some(250));
        assert_eq!(LOOKUP.wait_ms(1, Setback::Transient, 1.0), Some(500));
        assert_eq!(LOOKUP.wait_ms(2, Setback::Transient, 0.0), Some(500));
        assert_eq!(LOOKUP.wait_ms(2, Setback::Transient, 1.0), Some(1_000));
        assert_eq!(LOOKUP.wait_ms(3, Setback::Transient, 0.5), None);
        assert_eq!(LOOKUP.wait_ms(0, Setback::Transient, 0.5), None);
    }

    #[test]
    fn a_short_retry_after_is_waited_for_and_a_long_one_is_told() {
        assert_eq!(
            LOOKUP.wait_ms(1, Setback::Throttled(Some(2)), 0.9),
            Some(2_000)
        );
        assert_eq!(LOOKUP.wait_ms(1, Setback::Throttled(Some(60)), 0.9), None);
        assert_eq!(LOOKUP.wait_ms(1, Setback::Throttled(None), 0.9), None);
        assert_eq!(LOOKUP.wait_ms(1, Setback::Final, 0.9), None);
    }

    proptest! {
        #[test]
        fn every_wait_is_bounded_and_never_nothing(
            retry in 0u32..100,
            jitter in proptest::num::f64::ANY,
            seconds in proptest::option::of(any::<u32>()),
            attempts in 0u32..50,
            base_ms in 1u32..100_000,
            cap_ms in 1u32..1_000_000,
        ) {
            let policy = Backoff { attempts, base_ms, cap_ms, max_retry_after_ms: 5_000 };
            if let Some(wait) = policy.wait_ms(retry, Setback::Transient, jitter) {
                prop_assert!(retry >= 1 && retry < attempts);
                prop_assert!(wait <= cap_ms.max(base_ms.min(cap_ms)));
                prop_assert!(wait >= base_ms.min(cap_ms) / 2);
            }
            if let Some(wait) = policy.wait_ms(retry, Setback::Throttled(seconds), jitter) {
                prop_assert!(wait <= 5_000);
            }
        }

        #[test]
        fn the_same_retry_waits_differently_on_different_phones(a in 0.0f64..0.49, b in 0.51f64..1.0) {
            prop_assert!(LOOKUP.wait_ms(2, Setback::Transient, a) < LOOKUP.wait_ms(2, Setback::Transient, b));
        }
    }

    #[test]
    fn the_whole_wait_is_a_few_seconds() {
        assert!(LOOKUP.worst_total_wait_ms() <= 10_000);
    }
}
