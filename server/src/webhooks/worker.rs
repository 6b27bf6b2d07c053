//! The loop that delivers webhooks, run by every instance: takes what is due (leased, so no two
//! instances send one delivery at once), signs it, posts it, logs the try, and schedules the next.

use super::destination;
use super::schedule::Schedule;
use super::signature;
use crate::background::keep_turning_and_sweeping;
use crate::store::webhooks::{Attempt, Due, Next};
use crate::store::{Store, StoreError};
use std::time::{Duration, Instant};

/// How long one try may take before it counts as failed.
const TIMEOUT: Duration = Duration::from_secs(10);

/// How often shipments are looked over for ones gone stale.
const SWEEP_EVERY: Duration = Duration::from_secs(600);

/// The delivery loop and what it needs.
#[derive(Debug, Clone)]
pub struct Worker {
    store: Store,
    client: reqwest::Client,
    schedule: Schedule,
    /// How long to wait, when nothing is due, before looking again.
    idle: Duration,
    /// Whether receivers on private networks are reached (`allow_private_webhooks`).
    private_allowed: bool,
}

impl Worker {
    /// A worker over `store`, retrying on `schedule`, looking for due deliveries every `idle`
    /// when there are none; it reaches receivers on private networks only if `private_allowed`.
    pub fn new(store: Store, schedule: Schedule, idle: Duration, private_allowed: bool) -> Worker {
        Worker {
            store,
            // A redirect is an answer, not an acknowledgement: a receiver that moved says so.
            client: destination::client(
                concat!("trackline-webhooks/", env!("CARGO_PKG_VERSION")),
                TIMEOUT,
                private_allowed,
            ),
            schedule,
            idle,
            private_allowed,
        }
    }

    /// Delivers until `stop` resolves, looking for shipments gone stale every ten minutes; a
    /// failing store is logged and waited out, never fatal.
    pub async fn run(self, stop: impl std::future::Future<Output = ()>) {
        let sweep = || async {
            if let Err(error) = self.store.sweep_stale(crate::store::now_ms()).await {
                tracing::warn!(%error, "webhooks: looking for stale shipments failed");
            }
        };
        keep_turning_and_sweeping(
            stop,
            self.idle,
            "webhook deliveries",
            SWEEP_EVERY,
            sweep,
            || self.deliver_due(),
        )
        .await;
    }

    /// Sends every delivery due now, one after another; returns how many were tried.
    ///
    /// # Errors
    /// `StoreError` if the store fails; what was tried until then is logged.
    pub async fn deliver_due(&self) -> Result<usize, StoreError> {
        let mut tried = 0;
        let lease_ms = i64::try_from(TIMEOUT.as_millis() * 6).unwrap_or(i64::MAX);
        while let Some(due) = self
            .store
            .claim_delivery(crate::store::now_ms(), lease_ms)
            .await?
        {
            let attempt = self.send(&due).await;
            let acknowledged = attempt
                .status
                .is_some_and(|status| (200..300).contains(&status));
            let next = if acknowledged {
                Next::Delivered
            } else {
                let mut byte = [0u8; 1];
                let random =
                    getrandom::fill(&mut byte).map_or(0.5, |()| f64::from(byte[0]) / 256.0);
                self.schedule
                    .next_try(due.attempts, due.queued_at_ms, attempt.at_ms, random)
                    .map_or(Next::Failed, Next::RetryAt)
            };
            crate::metrics::webhook_delivery(match next {
                Next::Delivered => "delivered",
                Next::RetryAt(_) => "retried",
                Next::Failed => "failed",
            });
            self.store.record_attempt(due.id, &attempt, next).await?;
            tried += 1;
        }
        Ok(tried)
    }

    /// One try: the body posted with its signature, the receiver's answer noted.
    async fn send(&self, due: &Due) -> Attempt {
        let at_ms = crate::store::now_ms();
        let started = Instant::now();
        if !self.private_allowed && destination::refused_literal(&due.url) {
            return Attempt {
                at_ms,
                status: None,
                error: Some("refused: not a public address".to_owned()),
                duration_ms: 0,
            };
        }
        let signed =
            signature::header_value(&due.secrets, at_ms.div_euclid(1000), due.body.as_bytes());
        let sent = self
            .client
            .post(&due.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(signature::HEADER, signed)
            .header("trackline-event", &due.kind)
            .header("trackline-delivery", due.id.to_string())
            .body(due.body.clone())
            .send()
            .await;
        let (status, error) = match sent {
            Ok(response) => (Some(response.status().as_u16()), None),
            Err(error) if error.is_timeout() => (None, Some("timed out".to_owned())),
            Err(error) if error.is_connect() => (None, Some("could not connect".to_owned())),
            Err(error) => (None, Some(error.without_url().to_string())),
        };
        Attempt {
            at_ms,
            status,
            error,
            duration_ms: crate::store::duration_ms(started.elapsed()),
        }
    }
}
