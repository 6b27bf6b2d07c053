//! When something failed is tried again: growing waits, each partly random, so that what failed
//! together does not come back together. `Backoff` is the waits (the server's deliveries, polls
//! and Ozon pulls use it too); `Retries` is the lookup's policy around it.
//!
//! A buyer should not see "the server failed" for a hiccup that a second try would
//! have mended, but a widget on thousands of phones must not hammer an endpoint that
//! is already down: attempts are few, waits double, and each wait is partly random so
//! that phones which failed together do not come back together.

/// Waits that grow from `first_ms` by `factor` each retry up to `cap_ms`, spread by `jitter`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// The wait before the first retry, before jitter.
    pub first_ms: u64,
    /// Each next wait is this many times the last, before jitter.
    pub factor: u32,
    /// No wait grows beyond this, jitter included.
    pub cap_ms: u64,
    /// How a wait is spread.
    pub jitter: Jitter,
}

/// How a wait is spread by a random fraction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Jitter {
    /// Half the wait plus up to the other half ("equal jitter"): never nothing, never longer.
    Equal,
    /// The wait plus up to as much again, never past the cap.
    Added,
}

impl Jitter {
    /// `wait_ms` spread by `random` in `[0, 1)` (clamped; not a number counts as 0).
    pub fn spread(self, wait_ms: u64, random: f64) -> u64 {
        let random = if random.is_finite() {
            random.clamp(0.0, 1.0)
        } else {
            0.0
        };
        // `as` saturates for floats; each product is within `0..=wait_ms` anyway.
        match self {
            Jitter::Equal => {
                let half = wait_ms / 2;
                half + ((wait_ms - half) as f64 * random) as u64
            }
            Jitter::Added => wait_ms.saturating_add((wait_ms as f64 * random) as u64),
        }
    }
}

impl Backoff {
    /// The wait before retry `retry` (1 for the first) before jitter: `first_ms` times `factor`
    /// for every retry before it, no longer than `cap_ms`.
    pub fn full_ms(&self, retry: u32) -> u64 {
        let growth = u64::from(self.factor).saturating_pow(retry.saturating_sub(1).min(16));
        self.first_ms.saturating_mul(growth).min(self.cap_ms)
    }

    /// The wait before retry `retry` (1 for the first), spread by `random` in `[0, 1)`.
    pub fn wait_ms(&self, retry: u32, random: f64) -> u64 {
        self.jitter
            .spread(self.full_ms(retry), random)
            .min(self.cap_ms)
    }
}

/// How many times, and how patiently, a failed lookup is tried again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retries {
    /// Tries in all, the first included.
    pub attempts: u32,
    /// The waits between them when the endpoint failed for a moment.
    pub backoff: Backoff,
    /// The longest `Retry-After` worth waiting for in silence; a longer one is told to the buyer.
    pub max_retry_after_ms: u32,
}

/// The widget's lookups: three tries within about three seconds.
pub const LOOKUP: Retries = Retries {
    attempts: 3,
    backoff: Backoff {
        first_ms: 500,
        factor: 2,
        cap_ms: 4_000,
        jitter: Jitter::Equal,
    },
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

impl Retries {
    /// How long to wait before retry number `retry` (1 for the first), or `None` to give up.
    ///
    /// `jitter` is a random number in `[0, 1)` that spreads the backoff's wait.
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
                Some(u32::try_from(self.backoff.wait_ms(retry, jitter)).unwrap_or(u32::MAX))
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
            let backoff = Backoff {
                first_ms: base_ms.into(),
                factor: 2,
                cap_ms: cap_ms.into(),
                jitter: Jitter::Equal,
            };
            let policy = Retries { attempts, backoff, max_retry_after_ms: 5_000 };
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

    /// Every backoff the server uses alongside the lookup's, in the shape of each.
    fn backoffs() -> impl Strategy<Value = Backoff> {
        (
            0u64..10_000_000,
            1u32..8,
            0u64..100_000_000,
            prop_oneof![Just(Jitter::Equal), Just(Jitter::Added)],
        )
            .prop_map(|(first_ms, factor, cap_ms, jitter)| Backoff {
                first_ms,
                factor,
                cap_ms,
                jitter,
            })
    }

    proptest! {
        #[test]
        fn a_wait_stays_within_its_jitter_and_the_cap(
            backoff in backoffs(),
            retry in 0u32..100,
            random in proptest::num::f64::ANY,
        ) {
            let full = backoff.full_ms(retry);
            let wait = backoff.wait_ms(retry, random);
            prop_assert!(full <= backoff.cap_ms);
            prop_assert!(wait <= backoff.cap_ms);
            match backoff.jitter {
                Jitter::Equal => prop_assert!(full / 2 <= wait && wait <= full),
                Jitter::Added => prop_assert!(full <= wait && wait <= full.saturating_mul(2)),
            }
        }

        #[test]
        fn waits_never_shrink_from_one_retry_to_the_next(backoff in backoffs(), retry in 1u32..40) {
            prop_assert!(backoff.full_ms(retry) <= backoff.full_ms(retry + 1));
            prop_assert!(backoff.wait_ms(retry, 1.0) <= backoff.wait_ms(retry + 1, 1.0));
        }
    }

    #[test]
    fn waits_grow_by_the_factor_until_the_cap() {
        let backoff = Backoff {
            first_ms: 60_000,
            factor: 4,
            cap_ms: 6 * 3_600_000,
            jitter: Jitter::Equal,
        };
        let full: Vec<u64> = (1..=6)
            .map(|retry| backoff.full_ms(retry) / 60_000)
            .collect();
        assert_eq!(full, [1, 4, 16, 64, 256, 360]);
        assert_eq!(backoff.full_ms(0), 60_000, "no retry before the first");
        assert_eq!(backoff.wait_ms(1, 0.0), 30_000);
        assert_eq!(backoff.wait_ms(1, 1.0), 60_000);
        let ozon = Backoff {
            first_ms: 250,
            factor: 2,
            cap_ms: 5_000,
            jitter: Jitter::Added,
        };
        assert_eq!(ozon.wait_ms(1, 0.0), 250);
        assert_eq!(ozon.wait_ms(2, 0.5), 750);
        assert_eq!(
            ozon.wait_ms(5, 0.9),
            5_000,
            "4 s and up to as much again, capped"
        );
    }

    #[test]
    fn the_whole_wait_is_a_few_seconds() {
        assert!(LOOKUP.worst_total_wait_ms() <= 10_000);
    }
}
