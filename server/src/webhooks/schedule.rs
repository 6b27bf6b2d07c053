//! When a delivery that failed is tried again: waits that grow from a minute to a few hours,
//! each with jitter so that many deliveries failed together do not come back together, and no
//! more tries once a day has passed since the first.

use trackline_core::retry::{Backoff, Jitter};

/// The waits between tries and how long to keep trying.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    /// The wait after the first failure, in ms; each next wait is 4 times longer.
    pub first_wait_ms: i64,
    /// The longest wait, in ms.
    pub longest_wait_ms: i64,
    /// How long after a delivery was queued it is still tried, in ms.
    pub give_up_after_ms: i64,
}

impl Default for Schedule {
    fn default() -> Self {
        Schedule {
            first_wait_ms: 60_000,
            longest_wait_ms: 6 * 3_600_000,
            give_up_after_ms: 24 * 3_600_000,
        }
    }
}

impl Schedule {
    /// When to try again after `attempts` tries of a delivery queued at `queued_at`, failed at
    /// `now` (ms since the epoch); `random` in [0, 1) spreads the wait over its upper half.
    /// `None` when the delivery has been tried for long enough.
    pub fn next_try(&self, attempts: u32, queued_at: i64, now: i64, random: f64) -> Option<i64> {
        // Equal jitter: at least half the wait, at most all of it.
        let backoff = Backoff {
            first_ms: u64::try_from(self.first_wait_ms).unwrap_or(0),
            factor: 4,
            cap_ms: u64::try_from(self.longest_wait_ms).unwrap_or(0),
            jitter: Jitter::Equal,
        };
        let jittered = i64::try_from(backoff.wait_ms(attempts, random)).unwrap_or(i64::MAX);
        let at = now.saturating_add(jittered.max(1));
        (at - queued_at <= self.give_up_after_ms).then_some(at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn waits_grow_and_stop_after_a_day() {
        let schedule = Schedule::default();
        let waits: Vec<i64> = (1..=6)
            .map(|attempt| schedule.next_try(attempt, 0, 0, 0.999).unwrap_or(-1))
            .collect();
        assert_eq!(waits[0] / 1000, 59, "about a minute");
        assert!(waits.windows(2).all(|pair| pair[0] <= pair[1]), "{waits:?}");
        assert!(waits.iter().all(|wait| *wait <= 6 * 3_600_000));
        assert_eq!(
            schedule.next_try(3, 0, 24 * 3_600_000 - 60_000, 0.5),
            None,
            "the next try would come past a day"
        );
    }

    proptest! {
        #[test]
        fn every_wait_is_bounded_and_never_zero(attempts in 0u32..100, random in 0.0f64..1.0, now in 0i64..1_000_000) {
            let schedule = Schedule::default();
            if let Some(at) = schedule.next_try(attempts, 0, now, random) {
                prop_assert!(at > now);
                prop_assert!(at - now <= schedule.longest_wait_ms);
                prop_assert!(at <= schedule.give_up_after_ms);
            }
        }
    }
}
