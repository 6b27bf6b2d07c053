//! The poller every instance runs: takes the shipment most overdue for news (under a lease, so
//! no two instances poll one shipment at once), asks its provider with the seller's keys, keeps
//! what is new (through the store's one write path, so webhooks follow), and says when to ask
//! again: often while the parcel moves, rarely while it waits, never once it has long settled;
//! later and later while the provider fails.

use super::{ProviderClients, ProviderError, ProviderUrls, Reading};
use crate::store::providers::DuePoll;
use crate::store::{Store, StoreError};
use std::time::Duration;
use trackline_core::freshness::{is_settled, last_change};
use trackline_core::retry::{Backoff, Jitter};
use trackline_core::{Shipment, Stage};

const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

/// How long after it settled (delivered, returned, cancelled) a shipment is still asked about:
/// a late correction from the carrier still reaches the buyer.
pub const SETTLED_FOR: i64 = 3 * DAY;

/// The longest a poll may take before its lease ends and another instance may take it.
const LEASE_MS: i64 = 2 * MINUTE;

/// The longest a poll waits for its turn with the seller's account before it is put off.
const MAX_TURN_WAIT: i64 = 30_000;

/// How old a carrier's last answer may be before a buyer's lookup asks it again.
pub const FRESH_FOR: i64 = 5 * MINUTE;

/// When to ask about `shipment` again after an answer at `now` (ms): by its stage, or `None`
/// once it has been settled for `SETTLED_FOR`.
pub fn next_poll(shipment: &Shipment, now: i64) -> Option<i64> {
    if is_settled(shipment) {
        let settled_at = last_change(shipment).unwrap_or(now);
        return (now - settled_at < SETTLED_FOR).then_some(now + DAY);
    }
    let wait = match shipment.stage {
        Stage::OutForDelivery => 30 * MINUTE,
        Stage::Arrived => HOUR,
        Stage::HandedOver | Stage::InTransit => 2 * HOUR,
        Stage::ReadyForPickup => 6 * HOUR,
        // Not with the carrier yet, or a stage we do not know: now and then.
        Stage::Created | Stage::Packed | Stage::Delivered | Stage::Unknown(_) => 3 * HOUR,
    };
    Some(now + wait)
}

/// The waits after an unavailable provider's failures in a row, before jitter: ten minutes
/// after the first, doubling to six hours.
const UNAVAILABLE: Backoff = Backoff {
    first_ms: 10 * MINUTE as u64,
    factor: 2,
    cap_ms: 6 * HOUR as u64,
    jitter: Jitter::Equal,
};

/// When to ask again after the `failures`-th failure in a row at `now`: keys refused or a
/// number unknown are not mended by asking soon; a provider that limits the account is asked
/// again after the wait it names (a quarter of an hour if it names none); an unavailable one
/// after waits doubling from five minutes to six hours; `random` in [0, 1) spreads each over
/// its upper half.
pub fn after_failure(error: &ProviderError, failures: u32, now: i64, random: f64) -> i64 {
    let wait = match error {
        ProviderError::Unauthorized => DAY,
        ProviderError::Refused(_) => 6 * HOUR,
        ProviderError::Limited(asked) => asked
            .and_then(|asked| i64::try_from(asked.as_millis()).ok())
            .map_or(15 * MINUTE, |asked| asked.clamp(MINUTE, DAY))
            .saturating_mul(2),
        ProviderError::Unavailable(_) | ProviderError::BadAnswer(_) => {
            i64::try_from(UNAVAILABLE.full_ms(failures)).unwrap_or(6 * HOUR)
        }
    };
    let spread = Jitter::Equal.spread(u64::try_from(wait).unwrap_or(0), random);
    now.saturating_add(i64::try_from(spread).unwrap_or(i64::MAX))
}

/// The poll loop and what it needs.
#[derive(Debug, Clone)]
pub struct Poller {
    store: Store,
    carriers: ProviderClients,
    /// How long to wait, when nothing is due, before looking again.
    idle: Duration,
    /// Checks of sellers' keys, through the same clients (so at the same pace).
    checks: super::check::KeyChecks,
}

impl Poller {
    /// A poller over `store`, asking the providers at `urls`, and Ozon through `ozon`.
    pub fn new(
        store: Store,
        urls: &ProviderUrls,
        ozon: crate::ozon::OzonClient,
        idle: Duration,
    ) -> Poller {
        let carriers = ProviderClients::new(urls, ozon);
        Poller {
            store,
            checks: super::check::KeyChecks::new(carriers.clone()),
            carriers,
            idle,
        }
    }

    /// Checks of sellers' keys with the providers this poller asks.
    pub fn checks(&self) -> &super::check::KeyChecks {
        &self.checks
    }

    /// Polls until `stop` is cancelled; a failing store is logged and waited out, never fatal.
    pub async fn run(self, stop: tokio_util::sync::CancellationToken) {
        crate::background::keep_turning(&stop, self.idle, "polling carriers", || self.poll_due())
            .await;
    }

    /// Polls every shipment due now, one after another (each provider's client keeps its
    /// pace); returns how many.
    ///
    /// # Errors
    /// `StoreError` if the store fails; what was polled until then is kept.
    pub async fn poll_due(&self) -> Result<usize, StoreError> {
        let mut polled = 0;
        while let Some(due) = self
            .store
            .claim_poll(crate::store::now_ms(), LEASE_MS)
            .await?
        {
            self.poll(&due).await?;
            polled += 1;
        }
        Ok(polled)
    }

    /// Asks about the shipment `id` at once, for a buyer looking it up, if its carrier last
    /// answered more than `FRESH_FOR` ago and is not being waited out after failures; says
    /// whether it asked. However many buyers look, each shipment is asked about once per
    /// `FRESH_FOR` at most, by one instance.
    ///
    /// # Errors
    /// `StoreError` if the store fails.
    pub async fn refresh(&self, id: i64) -> Result<bool, StoreError> {
        let now = crate::store::now_ms();
        let Some(due) = self
            .store
            .claim_poll_of(id, now, LEASE_MS, now - FRESH_FOR)
            .await?
        else {
            return Ok(false);
        };
        self.poll(&due).await?;
        Ok(true)
    }

    /// Keeps what a provider said at `now` of the shipment `id`, asked or sent by its webhook
    /// (through `updates`, the one write path, so webhooks and pushes follow), and schedules
    /// its next poll.
    ///
    /// # Errors
    /// `StoreError` if the store fails.
    pub async fn keep(&self, id: i64, reading: &Reading, now: i64) -> Result<(), StoreError> {
        let fresh = crate::updates::keep_reading(&self.store, id, reading).await?;
        self.store
            .poll_scheduled(id, next_poll(&fresh, now), 0, now)
            .await
    }

    /// Asks about one shipment and keeps the answer, or schedules the next try.
    async fn poll(&self, due: &DuePoll) -> Result<(), StoreError> {
        let now = crate::store::now_ms();
        let answer = match &due.keys {
            Some(keys) => {
                let interval = crate::store::duration_ms(due.provider.poll_interval());
                let turn = self
                    .store
                    .take_turn(due.provider, due.seller, now, interval)
                    .await?;
                if turn - now > MAX_TURN_WAIT {
                    // The account is busy for a while: this poll waits its turn in the store,
                    // not holding the lease.
                    return self.store.poll_put_off(due.id, turn).await;
                }
                tokio::time::sleep(Duration::from_millis(
                    u64::try_from(turn - now).unwrap_or(0),
                ))
                .await;
                self.carriers.track(due.provider, keys, &due.number).await
            }
            None => Err(ProviderError::Unauthorized),
        };
        crate::metrics::source_call(
            due.provider.as_str(),
            answer.as_ref().map_or_else(ProviderError::kind, |_| "ok"),
        );
        let now = crate::store::now_ms();
        match answer {
            Ok(reading) => {
                if due.failures > 0 {
                    // Answered after failing: keys it refused before are taken again.
                    self.store
                        .clear_key_refusal(due.seller, due.provider.as_str())
                        .await?;
                }
                self.keep(due.id, &reading, now).await
            }
            Err(error) => {
                if due.keys.is_some() && error == ProviderError::Unauthorized {
                    // The one place a carrier's refusal is learnt: kept for the seller's
                    // attention queue, until new keys or an answer clear it.
                    self.store
                        .record_key_refusal(
                            due.seller,
                            due.provider.as_str(),
                            &error.to_string(),
                            now,
                        )
                        .await?;
                }
                tracing::info!(%error, provider = due.provider.as_str(), "polling a carrier failed");
                let failures = due.failures.saturating_add(1);
                let next = after_failure(&error, failures, now, crate::jitter::random());
                self.store
                    .poll_scheduled(due.id, Some(next), failures, now)
                    .await
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use trackline_core::time::parse_rfc3339;

    fn shipment(stage: Stage, updated_at: &str) -> Shipment {
        serde_json::from_value(serde_json::json!({
            "stage": stage.as_str(), "updated_at": updated_at,
            "events": [{"at": "2026-11-18T10:00:00+03:00", "stage": "packed", "text": "Packed by the shop"}]
        }))
        .unwrap()
    }

    #[test]
    fn a_moving_parcel_is_asked_about_often_a_waiting_one_rarely_a_settled_one_not_for_long() {
        let now = parse_rfc3339("2026-11-25T10:00:00+03:00").unwrap();
        let at = |stage| {
            next_poll(&shipment(stage, "2026-11-25T09:00:00+03:00"), now)
                .map(|t| (t - now) / MINUTE)
        };
        assert_eq!(at(Stage::OutForDelivery), Some(30));
        assert_eq!(at(Stage::InTransit), Some(120));
        assert_eq!(at(Stage::ReadyForPickup), Some(360));
        assert_eq!(
            at(Stage::Delivered),
            Some(24 * 60),
            "a late correction still comes"
        );
        let long_ago = shipment(Stage::Delivered, "2026-11-20T09:00:00+03:00");
        assert_eq!(next_poll(&long_ago, now), None);
    }

    #[test]
    fn a_failing_provider_is_asked_later_and_later() {
        let unavailable = ProviderError::Unavailable("503".into());
        let waits: Vec<i64> = (1..=10)
            .map(|n| after_failure(&unavailable, n, 0, 0.999) / MINUTE)
            .collect();
        assert!(waits.windows(2).all(|w| w[0] <= w[1]), "{waits:?}");
        assert_eq!(*waits.last().unwrap(), 6 * 60 - 1);
        assert!(after_failure(&ProviderError::Unauthorized, 1, 0, 0.0) >= 12 * HOUR);
    }
}
