//! The loop that sends buyers' notifications, run by every instance: takes what is due (leased,
//! so no two instances send one message), sends it, and records what the push service said,
//! several at once, a few per push service's host (`in_flight`); and every few minutes ends old
//! subscriptions and queues the last-day reminders.

use super::sender::{self, Sent};
use super::services::{self, PushServices};
use super::vapid::Vapid;
use crate::background::keep_turning_and_sweeping;
use crate::counts::Count;
use crate::in_flight::{Bounds, InFlight, Outbox};
use crate::store::push::{DuePush, PushNext};
use crate::store::{Place, Store, StoreError, Waiting};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// How long a message taken is kept from other instances: well past its request's timeout, so
/// that none sends it again while it is in flight.
const LEASE: Duration = Duration::from_secs(60);
const _: () = assert!(LEASE.as_secs() > 2 * sender::TIMEOUT.as_secs());

/// Messages in flight at once: sixteen, four to one host, eight for one seller's buyers. A
/// browser's push service is a host many buyers share (every Chrome's is one), so it gets more
/// than a seller's receiver; anybody can subscribe with an endpoint of their own, which gets no
/// more, and endpoints on many hosts hold at most the places of the seller they subscribed at.
const BOUNDS: Bounds = Bounds {
    most: 16,
    per_host: 4,
    per_seller: 8,
};

/// How often subscriptions are looked over (past their end, a pickup deadline tomorrow).
const SWEEP_EVERY: Duration = Duration::from_secs(300);

/// The tries a message gets before it is given up on.
const MOST_TRIES: u32 = 6;

/// The push loop and what it needs.
#[derive(Debug, Clone)]
pub struct PushWorker {
    store: Store,
    vapid: Vapid,
    client: reqwest::Client,
    /// How long to wait, when nothing is due, before looking again.
    idle: Duration,
    /// Whether push services on private networks are reached.
    private_allowed: bool,
    /// The push services messages go to; a stored subscription elsewhere ends unsent.
    services: PushServices,
    /// Where messages sent and failed are counted for their sellers.
    counts: crate::counts::Counter,
}

impl PushWorker {
    /// A worker over `store` signing with `vapid`, sending to `services` only; push services on
    /// private networks are reached only if `private_allowed` (tests, with a local push service).
    pub fn new(
        store: Store,
        vapid: Vapid,
        idle: Duration,
        private_allowed: bool,
        services: PushServices,
    ) -> PushWorker {
        PushWorker {
            store,
            vapid,
            client: sender::client(private_allowed),
            idle,
            private_allowed,
            services,
            counts: crate::counts::Counter::default(),
        }
    }

    /// Counts messages sent and failed in `counts` (the instance's), for their sellers.
    pub fn counting(self, counts: crate::counts::Counter) -> PushWorker {
        PushWorker { counts, ..self }
    }

    /// Sends until `stop` is cancelled; a failing store is logged and waited out, never fatal.
    /// What is in flight when it stops ends first (each within its request's timeout).
    pub async fn run(self, stop: CancellationToken) {
        let in_flight = InFlight::new(BOUNDS);
        let sweep = || async {
            let now = crate::store::now_ms();
            if let Err(error) =
                crate::updates::remind_last_day(&self.store, now, &tomorrow(now)).await
            {
                tracing::warn!(%error, "push: looking over subscriptions failed");
            }
        };
        keep_turning_and_sweeping(&stop, self.idle, "push", SWEEP_EVERY, sweep, || {
            in_flight.turn(&self)
        })
        .await;
        in_flight.finish().await;
    }

    /// Sends every message due now (and what falls due meanwhile), several at once, and returns
    /// when all have been tried: how many tries.
    ///
    /// # Errors
    /// `StoreError` if the store fails.
    pub async fn send_due(&self) -> Result<usize, StoreError> {
        InFlight::new(BOUNDS).send_all(self).await
    }

    async fn send(&self, due: &DuePush) -> PushNext {
        // An address written in the URL meets no resolver, so `PublicOnly` never sees it: a
        // subscription stored before the filter knew its form (NAT64, 6to4…) ends here.
        if !self.private_allowed
            && crate::webhooks::destination::refused_literal(&due.subscription.endpoint)
        {
            tracing::warn!("push: a subscription names a private address; it ends");
            return PushNext::Gone;
        }
        // Subscribed when its host was listed (the list changed since): it is sent nowhere else.
        if !self.services.allows_endpoint(&due.subscription.endpoint) {
            tracing::warn!("push: a subscription's push service is no longer listed; it ends");
            return PushNext::Gone;
        }
        // Stored before ports were checked: another port of a listed host is no push service.
        if !self.private_allowed && !services::on_https_port(&due.subscription.endpoint) {
            tracing::warn!("push: a subscription names a port other than 443; it ends");
            return PushNext::Gone;
        }
        let sent = sender::send(
            &self.client,
            &self.vapid,
            &due.subscription,
            due.body.as_bytes(),
            &due.topic,
        )
        .await;
        let now = crate::store::now_ms();
        let later = |wait: Option<Duration>| {
            let expired = now - due.queued_ms > crate::store::duration_ms(sender::TIME_TO_LIVE);
            if due.attempts >= MOST_TRIES || expired {
                return PushNext::Failed;
            }
            // A minute, doubled each try, or what the service asked for if longer.
            let backoff = 60_000_i64 << due.attempts.min(10);
            let asked = wait.map_or(0, crate::store::duration_ms);
            PushNext::RetryAt(now.saturating_add(backoff.max(asked)))
        };
        match sent {
            Ok(Sent::Accepted) => PushNext::Sent,
            Ok(Sent::Gone) => PushNext::Gone,
            Ok(Sent::Later(wait)) => later(wait),
            Ok(Sent::Refused(status)) => {
                tracing::warn!(status, "push: the push service refused a message");
                PushNext::Failed
            }
            Err(error) => {
                tracing::warn!(%error, "push: a message could not be sent");
                match error {
                    sender::PushError::Network(_) => later(None),
                    _ => PushNext::Failed,
                }
            }
        }
    }
}

impl Outbox for PushWorker {
    type Due = DuePush;

    async fn waiting(
        &self,
        now: i64,
        after: Option<Place>,
        limit: i64,
        per_seller: i64,
    ) -> Result<Vec<Waiting>, StoreError> {
        self.store
            .waiting_pushes(now, after, limit, per_seller)
            .await
    }

    async fn take(&self, id: i64, now: i64) -> Result<Option<DuePush>, StoreError> {
        let lease_ms = crate::store::duration_ms(LEASE);
        self.store.take_push(id, now, lease_ms).await
    }

    async fn deliver(&self, due: DuePush) {
        let next = self.send(&due).await;
        crate::metrics::push_message(match next {
            PushNext::Sent => "sent",
            PushNext::RetryAt(_) => "retried",
            PushNext::Failed => "failed",
            PushNext::Gone => "gone",
        });
        match next {
            PushNext::Sent => self.counts.add(due.seller, Count::PushSent),
            PushNext::Failed => self.counts.add(due.seller, Count::PushFailed),
            PushNext::RetryAt(_) | PushNext::Gone => {}
        }
        if let Err(error) = self.store.record_push(&due, next).await {
            // Its lease ends and it is tried again.
            tracing::warn!(%error, id = due.id, "push: a try could not be recorded");
        }
    }
}

/// Tomorrow's calendar date (ISO) in Moscow, where most pickup points are: a deadline is a
/// day at the point, and the reminder goes the day before, by its clock.
pub fn tomorrow(now_ms: i64) -> String {
    const MOSCOW_MS: i64 = 3 * 60 * 60 * 1000;
    let day = (now_ms + MOSCOW_MS).div_euclid(86_400_000) + 1;
    trackline_core::time::format_date(day)
}
