//! The loop that delivers webhooks, run by every instance: takes what is due (leased, so no two
//! instances send one delivery at once), signs it, posts it, logs the try, and schedules the next;
//! several at once, a few per receiver's host (`in_flight`), so that a receiver that never
//! answers holds up its own deliveries only.

use super::destination;
use super::schedule::Schedule;
use super::signature;
use crate::background::keep_turning_and_sweeping;
use crate::counts::Count;
use crate::in_flight::{Bounds, InFlight, Outbox};
use crate::store::webhooks::{Attempt, DueDelivery, Next};
use crate::store::{Place, Store, StoreError, Waiting};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// How long one try may take before it counts as failed: connecting, sending, and the answer's
/// status line and headers, all told (the body is not read).
const TIMEOUT: Duration = Duration::from_secs(10);

/// How long a delivery taken is kept from other instances: well past its try's timeout, so that
/// none sends it again while it is in flight; a crashed instance's deliveries wait this long.
const LEASE: Duration = Duration::from_secs(60);
const _: () = assert!(LEASE.as_secs() > 2 * TIMEOUT.as_secs());

/// Deliveries in flight at once: sixteen, two to one host (a seller's receiver is one host, and
/// two let it take one while a slow one holds the other), four for one seller (so that a seller
/// needs four hosts' tarpits to hold its whole share, and cannot hold the others').
const BOUNDS: Bounds = Bounds {
    most: 16,
    per_host: 2,
    per_seller: 4,
};

/// How often shipments are looked over for ones gone stale.
const SWEEP_EVERY: Duration = Duration::from_secs(600);

/// The delivery loop and what it needs.
#[derive(Debug, Clone)]
pub struct DeliveryWorker {
    store: Store,
    client: reqwest::Client,
    schedule: Schedule,
    /// How long to wait, when nothing is due, before looking again.
    idle: Duration,
    /// Whether receivers on private networks are reached (`allow_private_webhooks`).
    private_allowed: bool,
    /// Where deliveries taken and given up are counted for their sellers.
    counts: crate::counts::Counter,
}

impl DeliveryWorker {
    /// A worker over `store`, retrying on `schedule`, looking for due deliveries every `idle`
    /// when there are none; it reaches receivers on private networks only if `private_allowed`.
    pub fn new(
        store: Store,
        schedule: Schedule,
        idle: Duration,
        private_allowed: bool,
    ) -> DeliveryWorker {
        DeliveryWorker {
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
            counts: crate::counts::Counter::default(),
        }
    }

    /// Counts deliveries taken and given up in `counts` (the instance's), for their sellers.
    pub fn counting(self, counts: crate::counts::Counter) -> DeliveryWorker {
        DeliveryWorker { counts, ..self }
    }

    /// Delivers until `stop` is cancelled, looking for shipments gone stale or running late every ten minutes;
    /// a failing store is logged and waited out, never fatal. What is in flight when it stops
    /// ends first (each within its try's timeout).
    pub async fn run(self, stop: CancellationToken) {
        let in_flight = InFlight::new(BOUNDS);
        let sweep = || async {
            if let Err(error) =
                crate::updates::tell_stale(&self.store, crate::store::now_ms()).await
            {
                tracing::warn!(%error, "webhooks: looking for stale shipments failed");
            }
            if let Err(error) = crate::updates::tell_late(&self.store, crate::store::now_ms()).await
            {
                tracing::warn!(%error, "webhooks: looking for late shipments failed");
            }
        };
        keep_turning_and_sweeping(
            &stop,
            self.idle,
            "webhook deliveries",
            SWEEP_EVERY,
            sweep,
            || in_flight.turn(&self),
        )
        .await;
        in_flight.finish().await;
    }

    /// Sends every delivery due now (and what falls due meanwhile), several at once, and returns
    /// when all have been tried: how many tries.
    ///
    /// # Errors
    /// `StoreError` if the store fails; what was tried until then is logged.
    pub async fn deliver_due(&self) -> Result<usize, StoreError> {
        InFlight::new(BOUNDS).send_all(self).await
    }

    /// One try of a delivery taken: sent, logged, and the next one scheduled.
    async fn deliver_one(&self, due: DueDelivery) -> Result<(), StoreError> {
        let attempt = self.send(&due).await;
        let acknowledged = attempt
            .status
            .is_some_and(|status| (200..300).contains(&status));
        let next = if acknowledged {
            Next::Delivered
        } else {
            self.schedule
                .next_try(
                    due.attempts,
                    due.queued_at_ms,
                    attempt.at_ms,
                    crate::jitter::random(),
                )
                .map_or(Next::Failed, Next::RetryAt)
        };
        crate::metrics::webhook_delivery(match next {
            Next::Delivered => "delivered",
            Next::RetryAt(_) => "retried",
            Next::Failed => "failed",
        });
        match next {
            Next::Delivered => self.counts.add(due.seller, Count::WebhooksDelivered),
            Next::Failed => self.counts.add(due.seller, Count::WebhooksFailed),
            Next::RetryAt(_) => {}
        }
        self.store.record_attempt(due.id, &attempt, next).await
    }

    /// One try: the body posted with its signature, the receiver's answer noted.
    async fn send(&self, due: &DueDelivery) -> Attempt {
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

impl Outbox for DeliveryWorker {
    type Due = DueDelivery;

    async fn waiting(
        &self,
        now: i64,
        after: Option<Place>,
        limit: i64,
        per_seller: i64,
    ) -> Result<Vec<Waiting>, StoreError> {
        self.store
            .waiting_deliveries(now, after, limit, per_seller)
            .await
    }

    async fn take(&self, id: i64, now: i64) -> Result<Option<DueDelivery>, StoreError> {
        let lease_ms = crate::store::duration_ms(LEASE);
        self.store.take_delivery(id, now, lease_ms).await
    }

    async fn deliver(&self, due: DueDelivery) {
        let id = due.id;
        if let Err(error) = self.deliver_one(due).await {
            // Its lease ends and it is tried again; the receiver may see it twice (by its id).
            tracing::warn!(%error, id, "webhooks: a try could not be recorded");
        }
    }
}
